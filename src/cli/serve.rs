//! `pactsim serve`: the live page (src/serve/).

use std::net::IpAddr;
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::serve::{self, Config, Limits};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Directory of scenario files (*.toml) to serve, read once at start.
    #[arg(default_value = "scenarios")]
    pub dir: PathBuf,
    /// Address to listen on. The default, 127.0.0.1, is reachable only from this machine.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Also answer requests addressed to NAME (a host name or IP address, without a port: the
    /// port is --port). Repeatable. Requests must name the server in their Host header: on
    /// loopback (or 0.0.0.0) 127.0.0.1, localhost or [::1], on another address that address,
    /// or a NAME given here; anything else gets 403 (it protects against DNS rebinding).
    #[arg(long = "allow-host", value_name = "NAME", value_parser = serve::parse_host)]
    pub allow_host: Vec<String>,
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Where "Save run" writes run directories.
    #[arg(long, default_value = crate::output::OUTPUT_DIR)]
    pub output: PathBuf,
}

pub fn cmd_serve(args: ServeArgs) -> Result<()> {
    let config = Config {
        dir: args.dir,
        output: args.output,
        limits: Limits::default(),
        hosts: args.allow_host,
    };
    let addr = std::net::SocketAddr::new(args.host, args.port).to_string();
    serve::run(&config, &addr, |local| {
        // Bound to every address: the page is at the loopback one (the only names it answers
        // to besides --allow-host ones).
        let mut shown = local;
        if local.ip().is_unspecified() {
            shown.set_ip(IpAddr::from([127, 0, 0, 1]));
        }
        eprintln!(
            "pactsim serve: scenarios in {} at http://{shown}/ (Ctrl-C to stop)",
            config.dir.display()
        );
    })?;
    Ok(())
}
