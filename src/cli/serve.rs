//! `yilu serve`: the options, and the terminal side of the server's reports.

use std::net::IpAddr;
use std::path::PathBuf;

use anyhow::{Result, anyhow};
use clap::Args;

use crate::serve::{self, Report, ServeOptions};
use crate::site::BuildOptions;

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The site folder (holding site.toml).
    #[arg(long, default_value = ".")]
    pub(crate) root: PathBuf,
    /// Output folder (default: .yilu/serve under the site folder; never site.toml's output_dir,
    /// which keeps the production build).
    #[arg(short, long)]
    pub(crate) output: Option<PathBuf>,
    /// Port to listen on (0: any free port).
    #[arg(short, long, default_value_t = 1111)]
    pub(crate) port: u16,
    /// Address to listen on; anything but loopback shows the site to your network.
    #[arg(long, default_value = "127.0.0.1", value_parser = parse_bind)]
    pub(crate) bind: IpAddr,
    /// Open the site in the default browser.
    #[arg(long)]
    pub(crate) open: bool,
    /// Include pages marked `draft: true`.
    #[arg(long)]
    pub(crate) drafts: bool,
}

impl ServeArgs {
    pub(crate) fn run(self, quiet: bool) -> Result<()> {
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
            ..ServeOptions::default()
        };
        let handle = serve::start(options, move |report| print_report(&report, quiet))
            .map_err(|e| explain_bind_error(e, self.bind, self.port))?;
        let url = handle.url();
        if !self.bind.is_loopback() {
            eprintln!(
                "warning: listening on {}: the preview is reachable from the network, by anyone \
                 who can reach this machine on port {}; use --bind 127.0.0.1 to keep it local",
                self.bind,
                handle.port()
            );
        }
        if !quiet {
            eprintln!("serving {url} (Ctrl+C to stop)");
        }
        if self.open
            && let Err(e) = opener::open_browser(&url)
        {
            eprintln!("warning: cannot open a browser ({e}); open {url} yourself");
        }
        handle.wait();
        Ok(())
    }
}

/// One report line on stderr; with `quiet`, errors only.
fn print_report(report: &Report, quiet: bool) {
    match report {
        Report::Built { pages, output, elapsed } if !quiet => eprintln!(
            "built {} into {} in {} ms",
            crate::diagnostic::count(*pages, "page", "pages"),
            output.display(),
            elapsed.as_millis()
        ),
        Report::Rebuilt { pages, full, elapsed, changed } if !quiet => eprintln!(
            "rebuilt {}{} in {} ms{}",
            crate::diagnostic::count(*pages, "page", "pages"),
            if *full { " (all)" } else { "" },
            elapsed.as_millis(),
            after(changed)
        ),
        Report::Failed { message, at_start } => {
            eprintln!("{message}");
            if *at_start {
                eprintln!("waiting for a change that fixes it");
            }
        }
        Report::Built { .. } | Report::Rebuilt { .. } => {}
    }
}

/// ` after content/meetings/x/01-a.md` (and how many more).
fn after(changed: &[PathBuf]) -> String {
    let Some(first) = changed.first() else { return String::new() };
    let name = first.to_string_lossy().replace('\\', "/");
    match changed.len() {
        1 => format!(" after {name}"),
        n => format!(" after {name} and {}", crate::diagnostic::count(n - 1, "other", "others")),
    }
}

/// `--bind`: an IP address, or `localhost` for 127.0.0.1.
fn parse_bind(value: &str) -> Result<IpAddr, String> {
    if value.eq_ignore_ascii_case("localhost") {
        return Ok(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));
    }
    value.trim_matches(['[', ']']).parse().map_err(|_| {
        "expected an IP address: 127.0.0.1 (this machine only, the default), ::1, or 0.0.0.0 \
         (every network)"
            .to_string()
    })
}

/// A port in use or an address not of this machine, said with what to do about it.
fn explain_bind_error(e: anyhow::Error, bind: IpAddr, port: u16) -> anyhow::Error {
    let kind = e.chain().find_map(|c| c.downcast_ref::<std::io::Error>()).map(|io| io.kind());
    match kind {
        Some(std::io::ErrorKind::AddrInUse) => anyhow!(
            "port {port} on {bind} is already in use (another `yilu serve`?); choose another \
             with `--port {}`, or `--port 0` for any free port",
            port.checked_add(1).unwrap_or(1111)
        ),
        Some(std::io::ErrorKind::PermissionDenied) if port < 1024 => anyhow!(
            "port {port} needs administrator rights (ports below 1024 do); use `--port 1111`"
        ),
        Some(std::io::ErrorKind::AddrNotAvailable) => anyhow!(
            "{bind} is not an address of this machine; use `--bind 127.0.0.1` (this machine \
             only) or `--bind 0.0.0.0` (every network)"
        ),
        _ => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_what_changed() {
        let rows: &[(&[&str], &str)] = &[
            (&[], ""),
            (&["content/meetings/a/01-x.md"], " after content/meetings/a/01-x.md"),
            (&["site.toml", "static/a.css"], " after site.toml and 1 other"),
            (&["a.md", "b.md", "c.md"], " after a.md and 2 others"),
        ];
        for (paths, want) in rows {
            let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
            assert_eq!(after(&paths), *want);
        }
    }

    #[test]
    fn bind_addresses() {
        let rows: &[(&str, Option<&str>)] = &[
            ("127.0.0.1", Some("127.0.0.1")),
            ("localhost", Some("127.0.0.1")),
            ("LocalHost", Some("127.0.0.1")),
            ("0.0.0.0", Some("0.0.0.0")),
            ("::1", Some("::1")),
            ("[::1]", Some("::1")),
            ("example.org", None),
            ("127.0.0.1:80", None),
            ("", None),
        ];
        for (value, want) in rows {
            let got = parse_bind(value).ok().map(|ip| ip.to_string());
            assert_eq!(got.as_deref(), *want, "{value}");
        }
    }
}
