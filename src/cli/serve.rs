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
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Where "Save run" writes run directories.
    #[arg(long, default_value = "output")]
    pub output: PathBuf,
}

pub fn cmd_serve(args: ServeArgs) -> Result<()> {
    let config = Config {
        dir: args.dir,
        output: args.output,
        limits: Limits::default(),
    };
    let addr = std::net::SocketAddr::new(args.host, args.port).to_string();
    serve::run(&config, &addr, |local| {
        eprintln!(
            "pactsim serve: scenarios in {} at http://{local}/ (Ctrl-C to stop)",
            config.dir.display()
        );
    })?;
    Ok(())
}
