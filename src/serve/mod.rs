//! `yilu serve`: build the site into its own folder (`.yilu/serve/`, never the production
//! output), serve it on loopback, watch the sources, rebuild what a change touches and reload the
//! open pages.
//!
//! ```text
//! notify ─▶ watch::classify ─▶ rebuild_loop (rebuild::Rebuilder, Site in memory) ─▶ .yilu/serve
//!                                  │  └── reload::Hub (SSE: reload | error) ──▶ pages ◀── http
//!                                  └── Report ─▶ the caller (the CLI prints it)
//! ```
//!
//! The library never prints: what happens is told to the `report` callback given to [`start`],
//! which returns a [`Handle`], so tests run a server in-process.

mod archive;
pub(crate) mod http;
pub(crate) mod rebuild;
pub(crate) mod reload;
mod uses;
pub(crate) mod watch;

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context as _, Result};

use crate::site::BuildOptions;
pub use http::Limits;
pub use rebuild::{RebuildReport, Rebuilder};
use reload::{Event, Hub};

/// Where serve builds, under the site root unless `--output` says otherwise.
pub(crate) const SERVE_DIR: &str = ".yilu/serve";

/// What `yilu serve` was asked for.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// What to build; its `base_url` is replaced by the server's own address, and its output,
    /// unless given, is [`SERVE_DIR`] under the site root.
    pub build: BuildOptions,
    /// Loopback by default; 0 picks a free port.
    pub bind: IpAddr,
    /// The port to listen on (0: any free port).
    pub port: u16,
    /// How long the watcher waits for a burst of file events to settle.
    pub debounce: Duration,
    /// What one client may take of the server.
    pub limits: Limits,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            build: BuildOptions::default(),
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 1111,
            debounce: Duration::from_millis(50),
            limits: Limits::default(),
        }
    }
}

/// What the server tells its caller, as it happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    /// The build at start succeeded.
    Built {
        /// Pages written.
        pages: usize,
        /// The folder served.
        output: PathBuf,
        /// How long it took.
        elapsed: Duration,
    },
    /// A change was built.
    Rebuilt {
        /// Pages rendered.
        pages: usize,
        /// True when every page was rendered again.
        full: bool,
        /// How long it took.
        elapsed: Duration,
        /// The sources that changed, relative to the site root (files first).
        changed: Vec<PathBuf>,
    },
    /// A build failed; the last good output stays served and the pages show `message`.
    Failed {
        /// The error, as the pages show it.
        message: String,
        /// True when it was the first build (nothing is served until a change fixes it).
        at_start: bool,
    },
}

/// Receives the server's [`Report`]s, on the rebuild thread.
pub(crate) type Reporter = Arc<dyn Fn(Report) + Send + Sync>;

/// A running server.
pub struct Handle {
    pub(crate) addr: SocketAddr,
    /// The folder served.
    pub output: PathBuf,
    stopper: http::Stopper,
    hub: Arc<Hub>,
    watcher: Option<watch::Watcher>,
    threads: Vec<JoinHandle<()>>,
}

impl Handle {
    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:1111/` (loopback when bound to every address).
    pub(crate) fn url(&self) -> String {
        format!("http://{}/", http::local(self.addr))
    }

    /// Blocks until the server stops.
    pub(crate) fn wait(mut self) {
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }

    /// Stops watching and serving, ends the event streams, and waits for the threads.
    pub fn shutdown(mut self) {
        self.watcher = None; // closes the change channel: the rebuild thread ends
        self.stopper.stop();
        self.hub.close();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// Binds, builds the site with the server's address as base URL, starts watching and serving.
/// A site that does not build yet is served anyway (with the error in the page's overlay); the
/// first change that makes it build takes over.
pub fn start(
    options: ServeOptions,
    report: impl Fn(Report) + Send + Sync + 'static,
) -> Result<Handle> {
    let report: Reporter = Arc::new(report);
    let listener = bind(options.bind, options.port)?;
    let addr = listener.local_addr().context("the server has no address")?;
    let (build, output) = serve_build_options(&options.build, addr)?;
    let root = build.root.clone();
    let hub = Arc::new(Hub::default());

    let builds = Builds::first(build, &hub, &report);
    let (tx, rx) = channel::<Vec<PathBuf>>();
    let watcher = watch::watch(&root, options.debounce, tx)?;
    let rebuild_hub = Arc::clone(&hub);
    let rebuild_thread = std::thread::Builder::new()
        .name("yilu-rebuild".into())
        .spawn(move || rebuild_loop(builds, &rx, &rebuild_hub, &report))
        .context("cannot start the rebuild thread")?;

    let server = http::Server::new(
        listener,
        http::Context {
            output: output.clone(),
            hub: Arc::clone(&hub),
            addr,
            limits: options.limits,
        },
    );
    let stopper = server.stopper();
    let http_thread = std::thread::Builder::new()
        .name("yilu-http".into())
        .spawn(move || server.run())
        .context("cannot start the server thread")?;

    Ok(Handle {
        addr,
        output,
        stopper,
        hub,
        watcher: Some(watcher),
        threads: vec![http_thread, rebuild_thread],
    })
}

/// Listens on `bind:port`. The error keeps the `io::Error` in its chain, so the caller can tell
/// a port in use (`ErrorKind::AddrInUse`) from other failures.
fn bind(bind: IpAddr, port: u16) -> Result<TcpListener> {
    TcpListener::bind(SocketAddr::new(bind, port))
        .with_context(|| format!("cannot listen on {}", SocketAddr::new(bind, port)))
}

/// The build serve runs: the canonical site root, the output (`--output`, else [`SERVE_DIR`]
/// under the root, whose parent `.yilu/` gets a `.gitignore` of everything) and the server's
/// own address as base URL; and the output folder.
fn serve_build_options(given: &BuildOptions, addr: SocketAddr) -> Result<(BuildOptions, PathBuf)> {
    let mut build = given.clone();
    build.root = std::path::absolute(&build.root)
        .and_then(|r| r.canonicalize())
        .with_context(|| format!("cannot find the site folder {}", build.root.display()))?;
    // Not a site at all (a mistyped --root, the wrong folder): nothing to wait for, and no
    // .yilu/ to leave behind there.
    if !build.root.join("site.toml").is_file() {
        anyhow::bail!(
            "{} has no site.toml, so it is not a yilu site (run `yilu init` to create one there, \
             or pass --root)",
            build.root.display()
        );
    }
    let output = match &given.output {
        Some(output) => std::path::absolute(output)
            .with_context(|| format!("bad output folder {}", output.display()))?,
        None => {
            let output = build.root.join(SERVE_DIR);
            let ignore = output.parent().expect("SERVE_DIR has a parent").join(".gitignore");
            if !ignore.exists() {
                crate::content::write_file_atomic(
                    &ignore,
                    b"# yilu serve's own build; not for publishing or version control\n*\n",
                )?;
            }
            output
        }
    };
    build.output = Some(output.clone());
    build.base_url = Some(format!("http://{}/", http::local(addr)));
    Ok((build, output))
}

/// The rebuild thread's state: the site in memory once it has built.
struct Builds {
    options: BuildOptions,
    rebuilder: Option<Rebuilder>,
    /// When the last whole build was attempted (while there is no rebuilder).
    last_attempt: SystemTime,
}

impl Builds {
    /// The build at start, reported either way.
    fn first(options: BuildOptions, hub: &Hub, report: &Reporter) -> Builds {
        let started = Instant::now();
        let last_attempt = SystemTime::now();
        let rebuilder = match Rebuilder::new(options.clone()) {
            Ok(rebuilder) => {
                report(Report::Built {
                    pages: rebuilder.site().plan.len(),
                    output: rebuilder.site().output.clone(),
                    elapsed: started.elapsed(),
                });
                Some(rebuilder)
            }
            Err(e) => {
                fail(hub, report, &e, true);
                None
            }
        };
        Builds { options, rebuilder, last_attempt }
    }

    fn root(&self) -> &Path {
        &self.options.root
    }

    /// One batch of changed paths: a whole build while the site has never built, else an
    /// incremental rebuild, then the search index once the pages are back.
    fn apply(&mut self, paths: &[PathBuf], detected: Instant, hub: &Hub, report: &Reporter) {
        let relative = |changed: Vec<PathBuf>, root: &Path| -> Vec<PathBuf> {
            changed.iter().map(|p| p.strip_prefix(root).unwrap_or(p).to_path_buf()).collect()
        };
        let Some(rebuilder) = self.rebuilder.as_mut() else {
            // Not built yet: try the whole build again when a source really changed since the
            // last attempt (a batch can also name files that did not, e.g. folders).
            let output = self.options.output.clone().unwrap_or_default();
            let changed = rebuild::changed_sources(self.root(), &output, paths, self.last_attempt);
            if changed.is_empty() {
                return;
            }
            self.last_attempt = SystemTime::now();
            match Rebuilder::new(self.options.clone()) {
                Ok(fresh) => {
                    report(Report::Rebuilt {
                        pages: fresh.site().plan.len(),
                        full: true,
                        elapsed: detected.elapsed(),
                        changed: relative(changed, self.root()),
                    });
                    self.rebuilder = Some(fresh);
                    hub.send(&Event::Reload);
                }
                Err(e) => fail(hub, report, &e, false),
            }
            return;
        };
        match rebuilder.apply_pages(paths) {
            Ok(None) => {}
            Ok(Some(done)) => {
                report(Report::Rebuilt {
                    pages: done.pages,
                    full: done.full,
                    elapsed: detected.elapsed(),
                    changed: relative(done.changed, &self.options.root),
                });
                hub.send(&Event::Reload);
                // Then the search index and data files, after the page is already back.
                if let Err(e) = rebuilder.write_deferred() {
                    fail(hub, report, &e, false);
                }
            }
            Err(e) => fail(hub, report, &e, false),
        }
    }
}

/// What the rebuild loop drives: [`Builds`], or in tests a stand-in that panics.
trait Apply {
    /// Rebuilds for one batch of changed paths, reporting as it goes.
    fn apply(&mut self, paths: &[PathBuf], detected: Instant, hub: &Hub, report: &Reporter);
    /// Drops what is in memory after a panic: the next change builds the whole site.
    fn forget(&mut self);
}

impl Apply for Builds {
    fn apply(&mut self, paths: &[PathBuf], detected: Instant, hub: &Hub, report: &Reporter) {
        Builds::apply(self, paths, detected, hub, report);
    }

    fn forget(&mut self) {
        self.rebuilder = None;
        self.last_attempt = SystemTime::UNIX_EPOCH;
    }
}

/// Rebuilds after every batch of changes until the watcher goes. A panic while rebuilding (a
/// bug) is reported like a failed build, and the next change builds the whole site afresh:
/// the thread, and the server, live on.
fn rebuild_loop(
    mut builds: impl Apply,
    changes: &Receiver<Vec<PathBuf>>,
    hub: &Hub,
    report: &Reporter,
) {
    while let Ok(mut paths) = changes.recv() {
        let detected = Instant::now();
        // Take whatever else arrived meanwhile into the same rebuild.
        while let Ok(more) = changes.try_recv() {
            paths.extend(more);
        }
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
            builds.apply(&paths, detected, hub, report)
        }));
        if let Err(panic) = outcome {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown".into());
            let e = anyhow::anyhow!("internal error while rebuilding ({what}); please report it");
            fail(hub, report, &e, false);
            builds.forget();
        }
    }
}

/// Tells the caller and the open pages that a build failed.
fn fail(hub: &Hub, report: &Reporter, e: &anyhow::Error, at_start: bool) {
    let message = crate::diagnostic::error_report(e);
    hub.send(&Event::Error(message.clone()));
    report(Report::Failed { message, at_start });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Panics on its first batch; records the others.
    #[derive(Default)]
    struct Panicky {
        batches: Arc<Mutex<Vec<Vec<PathBuf>>>>,
        forgotten: bool,
    }

    impl Apply for Panicky {
        fn apply(&mut self, paths: &[PathBuf], _: Instant, hub: &Hub, _: &Reporter) {
            if self.batches.lock().unwrap().is_empty() && !self.forgotten {
                panic!("a bug");
            }
            self.batches.lock().unwrap().push(paths.to_vec());
            hub.send(&Event::Reload);
        }

        fn forget(&mut self) {
            self.forgotten = true;
        }
    }

    #[test]
    fn a_panic_while_rebuilding_is_reported_and_the_loop_goes_on() {
        let reports = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&reports);
        let report: Reporter = Arc::new(move |r| sink.lock().unwrap().push(r));
        let hub = Hub::default();
        let page = hub.subscribe();
        let (tx, rx) = channel();
        let builds = Panicky::default();
        let batches = Arc::clone(&builds.batches);
        let loop_thread = std::thread::spawn(move || rebuild_loop(builds, &rx, &hub, &report));
        tx.send(vec![PathBuf::from("a.md")]).unwrap();
        let first = page.recv_timeout(Duration::from_secs(5)).unwrap();
        assert!(
            first.starts_with("event: error\ndata: error: internal error while rebuilding (a bug)")
        );
        tx.send(vec![PathBuf::from("b.md")]).unwrap();
        assert_eq!(page.recv_timeout(Duration::from_secs(5)).unwrap(), Event::Reload.to_sse());
        drop(tx);
        loop_thread.join().expect("the loop ends when the watcher goes, without panicking");
        assert_eq!(*batches.lock().unwrap(), vec![vec![PathBuf::from("b.md")]]);
        let reports = reports.lock().unwrap();
        assert!(
            matches!(&reports[..], [Report::Failed { message, at_start: false }] if message.contains("a bug")),
            "{reports:?}"
        );
    }
}
