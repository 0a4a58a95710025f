//! `yilu serve`

use std::net::IpAddr;
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::serve::{self, ServeOptions};
use crate::site::BuildOptions;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The site folder (holding site.toml).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Output folder (default: site.toml's output_dir).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Port to listen on (0: any free port).
    #[arg(short, long, default_value_t = 1111)]
    pub port: u16,
    /// Address to listen on; anything but loopback shows the site to your network.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Open the site in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Include pages marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
}

impl ServeArgs {
    pub fn run(self, quiet: bool) -> Result<()> {
        let options = ServeOptions {
            build: BuildOptions {
                root: self.root,
                output: self.output,
                base_url: None,
                drafts: self.drafts,
                progress: None,
                ..BuildOptions::default()
            },
            bind: self.bind,
            port: self.port,
            quiet,
            ..ServeOptions::default()
        };
        let handle = serve::start(options)?;
        let url = handle.url();
        if !quiet {
            eprintln!("serving {url} (Ctrl+C to stop)");
        }
        if self.open {
            open_browser(&url);
        }
        handle.wait();
        Ok(())
    }
}

/// The platform's "open this URL" command; a failure is only a warning.
fn open_browser(url: &str) {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    if let Err(e) = command.arg(url).spawn() {
        eprintln!("warning: cannot open a browser ({e}); open {url} yourself");
    }
}
