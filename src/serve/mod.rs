//! `yilu serve`: build the site, serve the output folder on loopback, watch the sources, rebuild
//! what a change touches and reload the open pages.
//!
//! ```text
//! notify ─▶ watch::classify ─▶ rebuild::Rebuilder (Site in memory) ─▶ output folder ─▶ http
//!                                         └──── reload::Hub (SSE: reload | error) ────▶ pages
//! ```
//!
//! The library's [`start`] returns a [`Handle`], so tests run a server in-process.

pub mod http;
pub mod rebuild;
pub mod reload;
pub mod watch;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::channel;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow};

use crate::site::BuildOptions;
pub use rebuild::{RebuildReport, Rebuilder};
use reload::{Event, Hub};

/// What `yilu serve` was asked for.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// What to build; its `base_url` is replaced by the server's own address.
    pub build: BuildOptions,
    /// Loopback by default; 0 picks a free port.
    pub bind: IpAddr,
    pub port: u16,
    /// Print nothing but errors.
    pub quiet: bool,
    /// How long the watcher waits for a burst of file events to settle.
    pub debounce: Duration,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            build: BuildOptions::default(),
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 1111,
            quiet: false,
            debounce: Duration::from_millis(50),
        }
    }
}

/// A running server.
pub struct Handle {
    pub addr: SocketAddr,
    /// The folder served.
    pub output: PathBuf,
    server: Arc<tiny_http::Server>,
    hub: Arc<Hub>,
    watcher: Option<watch::Watcher>,
    threads: Vec<JoinHandle<()>>,
}

impl Handle {
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:1111/`
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Blocks until the server stops.
    pub fn wait(mut self) {
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }

    /// Stops watching and serving, ends the event streams, and waits for the threads.
    pub fn shutdown(mut self) {
        self.watcher = None; // closes the change channel: the rebuild thread ends
        self.server.unblock();
        self.hub.close();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// Binds, builds the site with the server's address as base URL, starts watching and serving.
pub fn start(options: ServeOptions) -> Result<Handle> {
    let server = tiny_http::Server::http(SocketAddr::new(options.bind, options.port))
        .map_err(|e| anyhow!("cannot listen on {}:{}: {e}", options.bind, options.port))?;
    let addr = server.server_addr().to_ip().context("the server has no IP address")?;
    let server = Arc::new(server);

    let mut build = options.build.clone();
    build.root = std::path::absolute(&build.root)
        .and_then(|r| r.canonicalize())
        .with_context(|| format!("cannot find the site folder {}", build.root.display()))?;
    build.output = build.output.map(|o| std::path::absolute(o).unwrap_or_default());
    let host = if addr.ip().is_unspecified() {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port())
    } else {
        addr
    };
    build.base_url = Some(format!("http://{host}/"));
    let started = Instant::now();
    let root = build.root.clone();
    let hub = Arc::new(Hub::default());
    // A site that does not build yet is served anyway (whatever output there is, and the error
    // in the page's overlay); the first change that makes it build takes over.
    let attempted = std::time::SystemTime::now();
    let mut rebuilder = match Rebuilder::new(build.clone()) {
        Ok(rebuilder) => {
            if !options.quiet {
                eprintln!(
                    "built {} pages into {} in {} ms",
                    rebuilder.site().plan.len(),
                    rebuilder.site().output.display(),
                    started.elapsed().as_millis()
                );
            }
            Some(rebuilder)
        }
        Err(e) => {
            let message = error_text(&e);
            eprintln!("error: {message}\nwaiting for a change that fixes it");
            hub.send(&Event::Error(message));
            None
        }
    };
    let output = match &rebuilder {
        Some(r) => r.site().output.clone(),
        None => expected_output(&build),
    };

    let (tx, rx) = channel::<Vec<PathBuf>>();
    let watcher = watch::watch(&root, options.debounce, tx)?;

    let quiet = options.quiet;
    let rebuild_hub = Arc::clone(&hub);
    let rebuild_thread = std::thread::Builder::new()
        .name("yilu-rebuild".into())
        .spawn(move || {
            let mut last_attempt = attempted;
            while let Ok(mut paths) = rx.recv() {
                let detected = Instant::now();
                // Take whatever else arrived meanwhile into the same rebuild.
                while let Ok(more) = rx.try_recv() {
                    paths.extend(more);
                }
                let Some(rebuilder) = rebuilder.as_mut() else {
                    // Not built yet: try the whole build again when a file really changed (the
                    // watcher also reports the files a failed attempt merely opened).
                    if !paths.iter().any(|p| rebuild::changed_since(p, last_attempt)) {
                        continue;
                    }
                    last_attempt = std::time::SystemTime::now();
                    match Rebuilder::new(build.clone()) {
                        Ok(fresh) => {
                            if !quiet {
                                eprintln!(
                                    "built {} pages in {} ms",
                                    fresh.site().plan.len(),
                                    detected.elapsed().as_millis()
                                );
                            }
                            rebuilder = Some(fresh);
                            rebuild_hub.send(&Event::Reload);
                        }
                        Err(e) => {
                            let message = error_text(&e);
                            eprintln!("error: {message}");
                            rebuild_hub.send(&Event::Error(message));
                        }
                    }
                    continue;
                };
                match rebuilder.apply_pages(&paths) {
                    Ok(None) => {}
                    Ok(Some(report)) => {
                        if !quiet {
                            eprintln!(
                                "rebuilt {} page{}{} in {} ms",
                                report.pages,
                                if report.pages == 1 { "" } else { "s" },
                                if report.full { " (full)" } else { "" },
                                detected.elapsed().as_millis()
                            );
                        }
                        rebuild_hub.send(&Event::Reload);
                        // Then the search index, after the page is already back.
                        if let Err(e) = rebuilder.refresh_search() {
                            let message = error_text(&e);
                            eprintln!("error: {message}");
                            rebuild_hub.send(&Event::Error(message));
                        }
                    }
                    Err(e) => {
                        let message = error_text(&e);
                        eprintln!("error: {message}");
                        rebuild_hub.send(&Event::Error(message));
                    }
                }
            }
        })
        .context("cannot start the rebuild thread")?;

    let http_server = Arc::clone(&server);
    let http_hub = Arc::clone(&hub);
    let http_output = output.clone();
    let http_thread = std::thread::Builder::new()
        .name("yilu-http".into())
        .spawn(move || {
            for request in http_server.incoming_requests() {
                let (output, hub) = (http_output.clone(), Arc::clone(&http_hub));
                // One thread per request: event streams stay open, and a slow client must not
                // hold up the others.
                let _ = std::thread::Builder::new()
                    .name("yilu-request".into())
                    .spawn(move || http::handle(request, &output, &hub));
            }
        })
        .context("cannot start the server thread")?;

    Ok(Handle {
        addr,
        output,
        server,
        hub,
        watcher: Some(watcher),
        threads: vec![http_thread, rebuild_thread],
    })
}

/// An error with its causes, as the terminal shows it.
/// Where the output goes when the site could not be loaded: --output, else site.toml's
/// output_dir if it parses, else `public`.
fn expected_output(build: &BuildOptions) -> PathBuf {
    build.output.clone().unwrap_or_else(|| {
        let dir = crate::config::SiteConfig::load(&build.root.join("site.toml"))
            .map(|c| c.output_dir)
            .unwrap_or_else(|_| PathBuf::from("public"));
        build.root.join(dir)
    })
}

fn error_text(e: &anyhow::Error) -> String {
    let mut text = e.to_string();
    for cause in e.chain().skip(1) {
        text.push_str("\n  caused by: ");
        text.push_str(&cause.to_string());
    }
    text
}
