//! Progress of a long job (run, sweep, sensitivity, fit, backtest) on stderr, in one place.
//!
//! On a terminal: an indicatif bar with ETA, shown once the job has taken a second. Not on a
//! terminal (a log file, CI, `nohup`), where indicatif draws nothing: a plain line such as
//! `pactsim: fit 1816-1945 [model.temperature=0.05]: 12/140 start years (9%), 41 s, ETA 7 min`
//! at most every 10 seconds (the first after 10 seconds, so a short job prints nothing).
//! `--quiet` silences both. The hidden environment variable `PACTSIM_PROGRESS_SECS` sets the
//! interval of the plain lines (for tests).

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Seconds between plain progress lines when stderr is not a terminal.
pub const LINE_INTERVAL_SECS: f64 = 10.0;
/// The environment variable that overrides [`LINE_INTERVAL_SECS`] (not documented for users).
pub const INTERVAL_ENV: &str = "PACTSIM_PROGRESS_SECS";

/// A job's progress: `total` steps of `unit` (replicates, points, start years).
pub struct Progress {
    mode: Mode,
    t0: Instant,
}

enum Mode {
    Quiet,
    /// A terminal: the bar, drawn once the job has taken a second.
    Bar {
        bar: ProgressBar,
        shown: AtomicBool,
    },
    /// Not a terminal: a line at most every `interval`.
    Lines(Lines),
}

struct Lines {
    unit: String,
    total: u64,
    done: AtomicU64,
    interval: Duration,
    /// When the last line was printed (or the job started), and the message.
    state: Mutex<(Instant, String)>,
}

impl Progress {
    /// A job of `total` steps of `unit`, shown on stderr unless `quiet`.
    pub fn new(total: u64, unit: &str, quiet: bool) -> Progress {
        let t0 = Instant::now();
        let mode = if quiet {
            Mode::Quiet
        } else if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
            bar.set_style(
                ProgressStyle::with_template(&format!("{{spinner}} {{msg}} [{{bar:30}}] {{pos}}/{{len}} {unit}, ETA {{eta}}"))
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            Mode::Bar {
                bar,
                shown: AtomicBool::new(false),
            }
        } else {
            Mode::Lines(Lines {
                unit: unit.to_string(),
                total,
                done: AtomicU64::new(0),
                interval: interval(),
                state: Mutex::new((t0, String::new())),
            })
        };
        Progress { mode, t0 }
    }

    /// What the job is doing now (shown before the count).
    pub fn set_message(&self, message: impl Into<String>) {
        match &self.mode {
            Mode::Quiet => {}
            Mode::Bar { bar, .. } => bar.set_message(message.into()),
            Mode::Lines(l) => l.state.lock().unwrap_or_else(|e| e.into_inner()).1 = message.into(),
        }
    }

    /// `n` more steps done (0: none, but a chance to print a line that is due). Callable from
    /// any thread.
    pub fn inc(&self, n: u64) {
        match &self.mode {
            Mode::Quiet => {}
            Mode::Bar { bar, shown } => {
                bar.inc(n);
                if self.t0.elapsed().as_secs_f64() > 1.0 && !shown.swap(true, Ordering::Relaxed) {
                    bar.set_draw_target(ProgressDrawTarget::stderr());
                }
            }
            Mode::Lines(l) => {
                let done = l.done.fetch_add(n, Ordering::Relaxed) + n;
                // Never block a worker on the printing one.
                let Ok(mut state) = l.state.try_lock() else { return };
                if state.0.elapsed() < l.interval {
                    return;
                }
                state.0 = Instant::now();
                let line = l.line(&state.1, done, self.t0.elapsed());
                drop(state);
                let _ = writeln!(std::io::stderr().lock(), "{line}");
            }
        }
    }

    /// Clears the bar (a plain line needs no clearing).
    pub fn finish(&self) {
        if let Mode::Bar { bar, .. } = &self.mode {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// The progress of a study ([`crate::study::Progress`]) on stderr: a [`Progress`] started
/// when the study says how much work it has (again for each of its stages), silent when
/// `quiet`. Every long command shows its progress through one of these.
pub struct Bar {
    quiet: bool,
    current: RwLock<Option<Progress>>,
}

impl Bar {
    pub fn new(quiet: bool) -> Bar {
        Bar {
            quiet,
            current: RwLock::new(None),
        }
    }

    /// Clears the bar (before the command prints its results).
    pub fn finish(&self) {
        if let Some(p) = self.current.read().unwrap_or_else(|e| e.into_inner()).as_ref() {
            p.finish();
        }
    }
}

impl crate::study::Progress for Bar {
    fn start(&self, total: u64, unit: &str) {
        let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = current.as_ref() {
            p.finish();
        }
        *current = Some(Progress::new(total, unit, self.quiet));
    }

    fn message(&self, text: &str) {
        if let Some(p) = self.current.read().unwrap_or_else(|e| e.into_inner()).as_ref() {
            p.set_message(text.to_string());
        }
    }

    fn advance(&self, n: u64) {
        if let Some(p) = self.current.read().unwrap_or_else(|e| e.into_inner()).as_ref() {
            p.inc(n);
        }
    }
}

impl Lines {
    fn line(&self, message: &str, done: u64, elapsed: Duration) -> String {
        let done = done.min(self.total);
        let mut line = String::from("pactsim: ");
        if !message.is_empty() {
            line.push_str(message);
            line.push_str(": ");
        }
        line.push_str(&format!("{done}/{} {}", self.total, self.unit));
        if let Some(percent) = (done * 100).checked_div(self.total) {
            line.push_str(&format!(" ({percent}%)"));
        }
        line.push_str(&format!(", {}", duration(elapsed.as_secs_f64())));
        if done > 0 && done < self.total {
            let eta = elapsed.as_secs_f64() * (self.total - done) as f64 / done as f64;
            line.push_str(&format!(", ETA {}", duration(eta)));
        }
        line
    }
}

fn interval() -> Duration {
    let secs = std::env::var(INTERVAL_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .unwrap_or(LINE_INTERVAL_SECS);
    Duration::from_secs_f64(secs)
}

/// "41 s", "7 min", "2 h 5 min".
fn duration(secs: f64) -> String {
    let s = secs.round() as u64;
    if s < 120 {
        format!("{s} s")
    } else if s < 7200 {
        format!("{} min", (s + 30) / 60)
    } else {
        format!("{} h {} min", s / 3600, (s % 3600) / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_says_what_how_far_and_how_long() {
        let l = Lines {
            unit: "replicates".into(),
            total: 400,
            done: AtomicU64::new(0),
            interval: Duration::from_secs(10),
            state: Mutex::new((Instant::now(), String::new())),
        };
        assert_eq!(
            l.line("variant 2/4", 100, Duration::from_secs(30)),
            "pactsim: variant 2/4: 100/400 replicates (25%), 30 s, ETA 90 s"
        );
        assert_eq!(
            l.line("", 400, Duration::from_secs(600)),
            "pactsim: 400/400 replicates (100%), 10 min"
        );
        assert_eq!(duration(7300.0), "2 h 1 min");
    }
}
