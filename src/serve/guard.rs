//! Who may talk to the server: one middleware layer over every route (the page, the API, the
//! 404 fallback), before any handler runs.
//!
//! - `Host` must name this server: its loopback names or bound address, or a name given with
//!   `--allow-host`, each with the port it listens on. A page of another site that rebinds its
//!   own name to 127.0.0.1 (DNS rebinding) sends its own name as `Host`, so it can neither read
//!   answers nor drive the server. Missing, repeated or other: 403.
//! - `Origin`, when a browser sends it, must be this server's page: `http://` and an allowed
//!   host. A cross-site request (a form or a `fetch` from any website) carries the other site's
//!   origin (or `null`): 403.
//! - A POST must say its body is JSON (`Content-Type: application/json`, parameters such as
//!   `; charset=utf-8` allowed), which a page of another site cannot send without the browser
//!   asking first (a CORS preflight the server never grants): otherwise 415.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::api::ApiError;

/// The hosts the server answers to: names in lower case (an IPv6 address in brackets), each
/// with the server's port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hosts {
    names: Vec<String>,
    port: u16,
}

/// Checks a `--allow-host` name: a DNS name (letters, digits, `-`, `_`, dots between labels),
/// an IPv4 address or an IPv6 address (with or without brackets); without a port (the port is
/// the one the server listens on). Returns it as a `Host` header spells it, in lower case.
pub fn parse_host(name: &str) -> Result<String, String> {
    let lower = name.trim().to_ascii_lowercase();
    let bare = lower.strip_prefix('[').and_then(|n| n.strip_suffix(']')).unwrap_or(&lower);
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(literal(ip));
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if lower.contains(':') {
        return Err(format!(
            "`{name}`: give the name without a port or scheme (the port is the one the server listens on)"
        ));
    }
    if lower.len() > 253 || !lower.split('.').all(label_ok) {
        return Err(format!(
            "`{name}` is not a host name: letters, digits and `-` in labels joined by dots, or an IP address"
        ));
    }
    Ok(lower)
}

/// An address as a `Host` header spells it (IPv6 in brackets).
fn literal(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

impl Hosts {
    /// The hosts of a server listening on `bound`: on a loopback or unspecified address
    /// (`0.0.0.0`, `::`), `127.0.0.1`, `localhost` and `[::1]`; on another address, that address;
    /// and the `extra` names (`--allow-host`, checked with [`parse_host`]).
    pub fn new(bound: SocketAddr, extra: &[String]) -> Result<Self, String> {
        let ip = bound.ip();
        let mut names = Vec::new();
        if ip.is_loopback() || ip.is_unspecified() {
            names.extend(["127.0.0.1", "localhost", "[::1]"].map(String::from));
        }
        if !ip.is_unspecified() {
            names.push(literal(ip));
        }
        for name in extra {
            names.push(parse_host(name)?);
        }
        let mut seen = std::collections::HashSet::new();
        names.retain(|n| seen.insert(n.clone()));
        Ok(Hosts { names, port: bound.port() })
    }

    /// Whether `authority` (a `Host` header, or an `Origin` after `http://`) is `NAME:PORT` with
    /// one of the names (in any case) and the server's port; without `:PORT` it means port 80.
    pub fn allows(&self, authority: &str) -> bool {
        let authority = authority.to_ascii_lowercase();
        let (name, port) = if authority.starts_with('[') {
            match authority.split_once(']') {
                Some((v6, rest)) => (&authority[..=v6.len()], rest),
                None => return false,
            }
        } else {
            match authority.rfind(':') {
                Some(i) => authority.split_at(i),
                None => (authority.as_str(), ""),
            }
        };
        let port = match port {
            "" => Some(80),
            p => p
                .strip_prefix(':')
                .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|p| p.parse::<u16>().ok()),
        };
        port == Some(self.port) && self.names.iter().any(|n| n == name)
    }

    /// The hosts as `Host` headers spell them, for messages.
    pub fn list(&self) -> String {
        let all: Vec<String> = self.names.iter().map(|n| format!("{n}:{}", self.port)).collect();
        all.join(", ")
    }
}

fn forbidden(message: String) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, message)
}

/// A header's value as text for a message: at most 100 characters.
fn shown(value: &axum::http::HeaderValue) -> String {
    String::from_utf8_lossy(value.as_bytes()).chars().take(100).collect()
}

/// The one value of header `name`: None if absent, Err if repeated.
fn single<'h>(headers: &'h HeaderMap, name: &HeaderName) -> Result<Option<&'h axum::http::HeaderValue>, ()> {
    let mut all = headers.get_all(name).iter();
    match (all.next(), all.next()) {
        (first, None) => Ok(first),
        _ => Err(()),
    }
}

/// Why `req` is refused, if it is: Host (403), Origin (403), a POST body not declared JSON
/// (415), in that order.
pub(crate) fn refusal(hosts: &Hosts, req: &Request) -> Option<ApiError> {
    let headers = req.headers();
    let host = match single(headers, &header::HOST) {
        Ok(Some(h)) => h,
        Ok(None) | Err(()) => {
            return Some(forbidden(format!(
                "a request must carry one Host header naming this server ({})",
                hosts.list()
            )));
        }
    };
    // An absolute request target (`POST http://name/api/run`) names the host too.
    let target = req.uri().authority().map(|a| a.as_str());
    if !host.to_str().is_ok_and(|h| hosts.allows(h)) || target.is_some_and(|t| !hosts.allows(t)) {
        return Some(forbidden(format!(
            "Host `{}` is not this server: it answers to {} (start it with --allow-host NAME to add a name)",
            shown(host),
            hosts.list()
        )));
    }
    match single(headers, &header::ORIGIN) {
        Ok(None) => {}
        Ok(Some(o))
            if o.to_str()
                .ok()
                .and_then(|o| o.strip_prefix("http://"))
                .is_some_and(|a| hosts.allows(a)) => {}
        Ok(Some(o)) => {
            return Some(forbidden(format!(
                "Origin `{}` is not this server's page: requests from other sites are refused",
                shown(o)
            )));
        }
        Err(()) => return Some(forbidden("a request may carry at most one Origin header".to_string())),
    }
    if req.method() == Method::POST {
        let kind = single(headers, &header::CONTENT_TYPE).unwrap_or(None);
        let json = kind.and_then(|k| k.to_str().ok()).is_some_and(|k| {
            k.split(';')
                .next()
                .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
        });
        if !json {
            let given = kind.map_or_else(|| "none".to_string(), |k| format!("`{}`", shown(k)));
            return Some(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("a POST body must be JSON sent with Content-Type: application/json (this request's: {given})"),
            ));
        }
    }
    None
}

/// The middleware: answers a refused request with its error, passes the others on.
pub(crate) async fn admit(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    match refusal(&state.hosts, &req) {
        Some(error) => error.into_response(),
        None => next.run(req).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(bound: &str, extra: &[&str]) -> Hosts {
        let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        Hosts::new(bound.parse().unwrap(), &extra).unwrap()
    }

    #[test]
    fn loopback_answers_to_its_names_with_its_port() {
        let h = hosts("127.0.0.1:8080", &[]);
        for ok in ["127.0.0.1:8080", "localhost:8080", "LOCALHOST:8080", "[::1]:8080"] {
            assert!(h.allows(ok), "{ok}");
        }
        for no in [
            "127.0.0.1",
            "127.0.0.1:8081",
            "127.0.0.1:08080x",
            "127.0.0.1:",
            "evil.example:8080",
            "localhost.:8080",
            "[::1]",
            "[::1:8080",
            "::1:8080",
            "",
            "127.0.0.1:8080@evil",
            "0.0.0.0:8080",
        ] {
            assert!(!h.allows(no), "{no}");
        }
        // Port 80 may be left out, as browsers do.
        assert!(hosts("127.0.0.1:80", &[]).allows("localhost"));
    }

    #[test]
    fn other_addresses_answer_to_themselves_and_to_allowed_names() {
        let h = hosts("192.168.1.5:9000", &["pactsim.lan"]);
        assert!(h.allows("192.168.1.5:9000") && h.allows("PactSim.lan:9000"));
        assert!(!h.allows("127.0.0.1:9000") && !h.allows("localhost:9000"));
        let any = hosts("0.0.0.0:9000", &["10.0.0.7", "fe80::1"]);
        assert!(any.allows("localhost:9000") && any.allows("10.0.0.7:9000") && any.allows("[fe80::1]:9000"));
        assert!(!any.allows("0.0.0.0:9000") && !any.allows("10.0.0.8:9000"));
        let v6 = hosts("[::1]:7000", &[]);
        assert!(v6.allows("[::1]:7000") && v6.allows("localhost:7000"));
        assert_eq!(v6.list(), "127.0.0.1:7000, localhost:7000, [::1]:7000");
    }

    #[test]
    fn allowed_names_are_checked() {
        assert_eq!(parse_host("PactSim.LAN"), Ok("pactsim.lan".to_string()));
        assert_eq!(parse_host("[::1]"), Ok("[::1]".to_string()));
        assert_eq!(parse_host("::1"), Ok("[::1]".to_string()));
        for bad in ["", "name:8080", "http://name", "a..b", "*.example", "-a.example", "a b", "name/"] {
            assert!(parse_host(bad).is_err(), "{bad}");
        }
    }
}
