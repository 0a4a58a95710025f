//! `yilu deploy` against a real S3-compatible server: moto's standalone server (`pip install
//! "moto[server]"`, binary `moto_server`) started on a free loopback port. The example site is
//! deployed, checked object by object, changed, redeployed (only the files whose bytes changed go
//! up), shrunk (what is gone is deleted), and cut off mid-upload (exit 1, then the next run
//! finishes the job). What moto received is read from its request log, not from yilu's report.
//!
//! moto is required in CI (`CI` or `YILU_REQUIRE_DEPLOY=1` set: .ci/run installs it), where a
//! missing `moto_server` fails; elsewhere it skips with a notice. The command-line checks that
//! need no server (no target, a typo in --target, loopback builds) always run.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use object_store::ObjectStore as _;
use object_store::aws::AmazonS3Builder;
use object_store::{Attribute, GetOptions};

use crate::support::{copy_dir, tree};

const BUCKET: &str = "archive-site";

/// True where the deploy tests must run: in CI, or when asked for.
fn moto_required() -> bool {
    std::env::var_os("CI").is_some() || std::env::var("YILU_REQUIRE_DEPLOY").as_deref() == Ok("1")
}

/// A moto server on a free loopback port, killed when dropped; its request log in a file.
struct Moto {
    child: Child,
    port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Moto {
    /// Starts moto, or None (with a notice) when it is not installed outside CI.
    fn start(env: &[(&str, &str)]) -> Option<Moto> {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("moto.log");
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let spawned = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(&log).unwrap())
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(e) if !moto_required() => {
                eprintln!(
                    "SKIPPED the deploy test: cannot start moto_server ({e}); \
                     python3 -m pip install \"moto[server]\" (CI requires it)"
                );
                return None;
            }
            Err(e) => panic!(
                "moto_server is required here (CI or YILU_REQUIRE_DEPLOY=1): {e}; \
                 python3 -m pip install \"moto[server]\""
            ),
        };
        let moto = Moto { child, port, log, _dir: dir };
        let started = Instant::now();
        while http(port, "GET", "/moto-api/").is_none() {
            assert!(started.elapsed() < Duration::from_secs(60), "moto_server did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(moto)
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn create_bucket(&self, name: &str) {
        let status = http(self.port, "PUT", &format!("/{name}")).unwrap();
        assert_eq!(status, 200, "creating bucket {name}");
    }

    /// Lines of the request log so far (a mark to read new requests from).
    fn mark(&self) -> usize {
        fs::read_to_string(&self.log).unwrap().lines().count()
    }

    /// Keys (under `prefix/`) that received a successful PUT since `mark`.
    fn puts_since(&self, mark: usize, prefix: &str) -> BTreeSet<String> {
        let head = format!("\"PUT /{BUCKET}/{prefix}/");
        fs::read_to_string(&self.log)
            .unwrap()
            .lines()
            .skip(mark)
            .filter(|line| line.contains("HTTP/1.1\" 200"))
            .filter_map(|line| line.split_once(&head).map(|(_, rest)| rest))
            .map(|rest| rest.split(' ').next().unwrap())
            .map(|key| {
                percent_encoding::percent_decode_str(key).decode_utf8().unwrap().into_owned()
            })
            .collect()
    }

    /// Every object under `prefix/`: key → (bytes, Content-Type, Cache-Control).
    fn objects(&self, prefix: &str) -> BTreeMap<String, (Vec<u8>, String, String)> {
        let store = AmazonS3Builder::new()
            .with_bucket_name(BUCKET)
            .with_region("us-east-1")
            .with_endpoint(self.endpoint())
            .with_allow_http(true)
            .with_access_key_id("test")
            .with_secret_access_key("test")
            .build()
            .unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            use futures_util::TryStreamExt as _;
            let root = object_store::path::Path::from(prefix);
            let listed: Vec<_> = store.list(Some(&root)).try_collect().await.unwrap();
            let mut objects = BTreeMap::new();
            for meta in listed {
                let got = store.get_opts(&meta.location, GetOptions::default()).await.unwrap();
                let attr = |a: &Attribute| got.attributes.get(a).map(|v| v.to_string());
                let content_type = attr(&Attribute::ContentType).unwrap_or_default();
                let cache_control = attr(&Attribute::CacheControl).unwrap_or_default();
                let bytes = got.bytes().await.unwrap().to_vec();
                let key = meta.location.as_ref().strip_prefix(&format!("{prefix}/")).unwrap();
                objects.insert(key.to_string(), (bytes, content_type, cache_control));
            }
            objects
        })
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One unsigned request to moto (its management API and bucket creation need no signature);
/// the status, or None when nothing answers.
fn http(port: u16, method: &str, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.split(' ').nth(1)?.parse().ok()
}

/// The example site in a temp folder, with a second meeting (a copy of the first, dated later)
/// so that one can be removed, and a `[[deploy]]` target pointing at `endpoint`.
fn example_site(endpoint: &str, prefix: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for part in ["content", "themes"] {
        if repo.join(part).exists() {
            copy_dir(&repo.join(part), &root.join(part));
        }
    }
    let first = root.join("content/meetings/2024-10-21");
    let second = root.join("content/meetings/2024-11-18");
    copy_dir(&first, &second);
    let index = fs::read_to_string(second.join("_index.md")).unwrap();
    fs::write(second.join("_index.md"), index.replace("date: 2024-10-21", "date: 2024-11-18"))
        .unwrap();
    // A static file whose name is not plain ASCII keeps its name as the object key.
    let odd = root.join("themes/default/static/资料");
    fs::create_dir_all(&odd).unwrap();
    fs::write(odd.join("说明 v1~2.txt"), "材料\n").unwrap();
    let config = fs::read_to_string(repo.join("site.toml")).unwrap();
    fs::write(root.join("site.toml"), format!("{config}\n{}", target("moto", endpoint, prefix)))
        .unwrap();
    (tmp, root)
}

fn target(name: &str, endpoint: &str, prefix: &str) -> String {
    format!(
        "[[deploy]]\nname = \"{name}\"\nurl = \"s3://{BUCKET}/{prefix}?endpoint={endpoint}&region=us-east-1\"\n"
    )
}

fn yilu(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yilu"))
        .args(args)
        .current_dir(root)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env_remove("AWS_SESSION_TOKEN")
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Deploys and asserts success; returns stderr.
fn deploy_ok(root: &Path, args: &[&str]) -> String {
    let out = yilu(root, &[&["deploy"], args].concat());
    let err = stderr(&out);
    assert!(out.status.success(), "yilu deploy {args:?} failed:\n{err}");
    err
}

/// The Content-Type every output file must have, by extension (written out here rather than
/// taken from the code under test).
fn expected_content_type(rel: &str) -> &'static str {
    match rel.rsplit('.').next().unwrap() {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "xml" => "text/xml; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml; charset=utf-8",
        other => panic!("the example site has a .{other} file ({rel}): add its type here"),
    }
}

/// The files a deploy publishes: the output less the build's own marker file.
fn published(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = tree(dir);
    files.remove(".yilu-output");
    files
}

/// Paths whose bytes differ between two output trees, or that are new in `after`.
fn changed(
    before: &BTreeMap<String, Vec<u8>>,
    after: &BTreeMap<String, Vec<u8>>,
) -> BTreeSet<String> {
    after.iter().filter(|(k, v)| before.get(*k) != Some(*v)).map(|(k, _)| k.clone()).collect()
}

#[test]
fn deploy_uploads_only_what_changed_and_deletes_what_is_gone() {
    let Some(moto) = Moto::start(&[]) else { return };
    moto.create_bucket(BUCKET);
    let (_tmp, root) = example_site(&moto.endpoint(), "archive");
    let public = root.join("public");

    // First deploy: everything goes up, with its type and cache policy.
    let mark = moto.mark();
    let err = deploy_ok(&root, &[]);
    let built = published(&public);
    assert!(built.len() > 50, "{} files", built.len());
    assert!(err.contains(&format!("uploaded {} files", built.len())), "{err}");
    assert_eq!(moto.puts_since(mark, "archive"), built.keys().cloned().collect());
    let objects = moto.objects("archive");
    assert_eq!(objects.keys().collect::<Vec<_>>(), built.keys().collect::<Vec<_>>());
    for (rel, bytes) in &built {
        let (remote, content_type, cache_control) = &objects[rel];
        assert!(remote == bytes, "{rel}: remote bytes differ");
        assert_eq!(content_type, expected_content_type(rel), "{rel}");
        assert!(cache_control.starts_with("public, max-age="), "{rel}: {cache_control}");
    }
    assert_eq!(objects["index.html"].2, "public, max-age=300");
    assert_eq!(objects["search/idx-00.js"].2, "public, max-age=86400");
    assert_eq!(objects["资料/说明 v1~2.txt"].0, "材料\n".as_bytes());

    // Nothing changed: nothing goes up.
    let mark = moto.mark();
    let err = deploy_ok(&root, &[]);
    assert!(
        err.contains(&format!(
            "uploaded 0 files (0 B), deleted 0 files, {} unchanged",
            built.len()
        )),
        "{err}"
    );
    assert_eq!(moto.puts_since(mark, "archive"), BTreeSet::new());

    // One speech changes: a dry run shows the plan and changes nothing…
    let speech = root.join("content/meetings/2024-10-21/02-nanan.md");
    let text = fs::read_to_string(&speech).unwrap();
    fs::write(&speech, format!("{text}\n全区上下紧盯目标任务，确保全年各项指标顺利完成。\n"))
        .unwrap();
    let mark = moto.mark();
    let err = deploy_ok(&root, &["--dry-run"]);
    let after_speech = published(&public);
    let want = changed(&built, &after_speech);
    let planned: BTreeSet<String> = err
        .lines()
        .filter_map(|l| l.strip_prefix("would upload archive/"))
        .map(|l| l.split(' ').next().unwrap().to_string())
        .collect();
    assert_eq!(planned, want);
    assert!(err.contains("dry run, nothing changed"), "{err}");
    assert_eq!(moto.puts_since(mark, "archive"), BTreeSet::new());
    // …and the deploy uploads exactly the files whose bytes changed: the speech's page, the
    // listings, feeds, data and search shards that show it, nothing else.
    let mark = moto.mark();
    deploy_ok(&root, &[]);
    assert_eq!(moto.puts_since(mark, "archive"), want);
    assert!(want.contains("meetings/2024-10-21/nanan/index.html"), "{want:?}");
    assert!(want.iter().any(|k| k.starts_with("search/") && k.ends_with(".js")), "{want:?}");
    assert!(want.len() < built.len() / 2, "{} of {} files changed", want.len(), built.len());

    // A meeting is removed: over --max-deletes nothing happens; then its pages are deleted.
    fs::remove_dir_all(root.join("content/meetings/2024-11-18")).unwrap();
    let mark = moto.mark();
    let refused = yilu(&root, &["deploy", "--max-deletes", "1"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("more than --max-deletes 1"), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("--force"), "{}", stderr(&refused));
    assert_eq!(moto.puts_since(mark, "archive"), BTreeSet::new());
    assert_eq!(moto.objects("archive").len(), after_speech.len(), "nothing was deleted");

    let mark = moto.mark();
    let err = deploy_ok(&root, &[]);
    let after_removal = published(&public);
    let gone: Vec<&String> =
        after_speech.keys().filter(|k| !after_removal.contains_key(*k)).collect();
    assert!(gone.iter().any(|k| k.starts_with("meetings/2024-11-18/")), "{gone:?}");
    assert!(err.contains(&format!("deleted {} files", gone.len())), "{err}");
    assert_eq!(moto.puts_since(mark, "archive"), changed(&after_speech, &after_removal));
    let objects = moto.objects("archive");
    assert_eq!(objects.keys().collect::<Vec<_>>(), after_removal.keys().collect::<Vec<_>>());

    let mark = moto.mark();
    let err = deploy_ok(&root, &[]);
    assert!(err.contains("uploaded 0 files"), "{err}");
    assert_eq!(moto.puts_since(mark, "archive"), BTreeSet::new());
}

/// A TCP proxy that forwards to `upstream` until `limit` request bytes went through, then
/// drops every connection and stops listening: a server that dies mid-upload.
struct DyingProxy {
    port: u16,
}

impl DyingProxy {
    fn start(upstream: u16, limit: usize) -> DyingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let dead = Arc::new(AtomicBool::new(false));
        let sent = Arc::new(AtomicUsize::new(0));
        let open: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        std::thread::spawn(move || {
            while !dead.load(Ordering::SeqCst) {
                let Ok((client, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                };
                client.set_nonblocking(false).unwrap();
                let server = TcpStream::connect(("127.0.0.1", upstream)).unwrap();
                open.lock()
                    .unwrap()
                    .extend([client.try_clone().unwrap(), server.try_clone().unwrap()]);
                let kill = {
                    let (dead, open) = (dead.clone(), open.clone());
                    move || {
                        dead.store(true, Ordering::SeqCst);
                        for s in open.lock().unwrap().iter() {
                            let _ = s.shutdown(Shutdown::Both);
                        }
                    }
                };
                let (up_from, up_to) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                let (sent, dead_up, kill_up) = (sent.clone(), dead.clone(), kill.clone());
                std::thread::spawn(move || {
                    pump(up_from, up_to, &dead_up, |n| {
                        if sent.fetch_add(n, Ordering::SeqCst) + n > limit {
                            kill_up();
                        }
                    })
                });
                let dead_down = dead.clone();
                std::thread::spawn(move || pump(server, client, &dead_down, |_| {}));
            }
            // The listener is dropped here: new connections are refused.
        });
        DyingProxy { port }
    }
}

fn pump(mut from: TcpStream, mut to: TcpStream, dead: &AtomicBool, mut counted: impl FnMut(usize)) {
    let mut buf = [0u8; 8192];
    while let Ok(n) = from.read(&mut buf) {
        if n == 0 || dead.load(Ordering::SeqCst) {
            break;
        }
        counted(n);
        if dead.load(Ordering::SeqCst) || to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Both);
    let _ = from.shutdown(Shutdown::Both);
}

#[test]
fn a_deploy_cut_off_mid_upload_fails_and_the_next_one_finishes() {
    let Some(moto) = Moto::start(&[]) else { return };
    moto.create_bucket(BUCKET);
    // The proxy dies once half the site's bytes went through: well after the first uploads
    // completed, well before the last.
    let (_tmp, root) = example_site("http://127.0.0.1:9", "cut");
    let report =
        yilu::site::build(&yilu::site::BuildOptions { root: root.clone(), ..Default::default() })
            .unwrap();
    let total: usize = published(&report.output).values().map(Vec::len).sum();
    let proxy = DyingProxy::start(moto.port, total / 2);
    let config = fs::read_to_string(root.join("site.toml")).unwrap();
    let config = config.replace("127.0.0.1:9&", &format!("127.0.0.1:{}&", proxy.port));
    fs::write(root.join("site.toml"), config).unwrap();
    let out = yilu(&root, &["deploy"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("the deploy stopped after"), "{err}");
    assert!(err.contains("run it again to finish"), "{err}");
    assert!(
        err.contains(&format!("bucket `{BUCKET}` at http://127.0.0.1:{}", proxy.port)),
        "{err}"
    );
    let built = published(&root.join("public"));
    let partial = moto.objects("cut");
    assert!(
        !partial.is_empty() && partial.len() < built.len(),
        "{} of {}",
        partial.len(),
        built.len()
    );

    // The server is back (here: reached directly); the next deploy uploads the rest.
    let config = fs::read_to_string(root.join("site.toml")).unwrap();
    let config =
        config.replace(&format!("127.0.0.1:{}", proxy.port), &format!("127.0.0.1:{}", moto.port));
    fs::write(root.join("site.toml"), config).unwrap();
    let mark = moto.mark();
    let err = deploy_ok(&root, &["--no-build"]);
    let rest: BTreeSet<String> =
        built.keys().filter(|k| !partial.contains_key(*k)).cloned().collect();
    assert_eq!(moto.puts_since(mark, "cut"), rest);
    assert!(err.contains(&format!("{} unchanged", partial.len())), "{err}");
    let objects = moto.objects("cut");
    assert_eq!(objects.keys().collect::<Vec<_>>(), built.keys().collect::<Vec<_>>());
    let err = deploy_ok(&root, &["--no-build"]);
    assert!(err.contains("uploaded 0 files"), "{err}");
}

#[test]
fn refused_credentials_get_a_message_naming_the_bucket_and_the_variables() {
    // With INITIAL_NO_AUTH_ACTION_COUNT=0 moto checks access keys, and knows none.
    let Some(moto) = Moto::start(&[("INITIAL_NO_AUTH_ACTION_COUNT", "0")]) else { return };
    let (_tmp, root) = example_site(&moto.endpoint(), "archive");
    let out = yilu(&root, &["deploy"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "error: access denied to bucket `{BUCKET}` at {} (403 on list `archive/`, InvalidAccessKeyId): \
             check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
            moto.endpoint()
        )),
        "{err}"
    );
}

/// A site with the given extra site.toml text, needing no server.
fn offline_site(extra: &str) -> (tempfile::TempDir, PathBuf) {
    let (tmp, root) = example_site("http://127.0.0.1:9", "archive");
    let config = fs::read_to_string(root.join("site.toml")).unwrap();
    let without_target = config.split("[[deploy]]").next().unwrap().to_string();
    fs::write(root.join("site.toml"), format!("{without_target}{extra}")).unwrap();
    (tmp, root)
}

#[test]
fn deploy_without_a_target_says_how_to_add_one() {
    let (_tmp, root) = offline_site("");
    let out = yilu(&root, &["deploy"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("site.toml: no deploy target is configured"), "{err}");
    assert!(err.contains("[[deploy]]\n    name = \"production\""), "{err}");
    assert!(!root.join("public").exists(), "nothing is built before the target is known");
}

#[test]
fn a_mistyped_target_gets_a_suggestion() {
    let targets = format!(
        "{}{}",
        target("production", "http://127.0.0.1:9", "a"),
        target("staging", "http://127.0.0.1:9", "b")
    );
    let (_tmp, root) = offline_site(&targets);
    let out = yilu(&root, &["deploy", "--target", "prodution"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("no deploy target named `prodution`"), "{err}");
    assert!(err.contains("hint: did you mean `production`?"), "{err}");
    let out = yilu(&root, &["deploy"]);
    assert!(
        stderr(&out).contains("pick one with --target: `production`, `staging`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn missing_credentials_are_named_before_anything_is_built() {
    let (_tmp, root) = offline_site(&target("production", "http://127.0.0.1:9", "a"));
    let out = Command::new(env!("CARGO_BIN_EXE_yilu"))
        .arg("deploy")
        .current_dir(&root)
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("no credentials for bucket `archive-site`: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"), "{err}");
    assert!(!root.join("public").exists());
}

#[test]
fn serve_builds_are_never_deployed() {
    let (_tmp, root) = offline_site(&target("production", "http://127.0.0.1:9", "a"));
    // An output built for the loopback address, as `yilu serve` builds it.
    yilu::site::build(&yilu::site::BuildOptions {
        root: root.clone(),
        base_url: Some("http://127.0.0.1:1111/".into()),
        ..Default::default()
    })
    .unwrap();
    let out = yilu(&root, &["deploy", "--no-build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("was built for http://127.0.0.1:1111/, a loopback address"), "{err}");

    // A site whose own base_url is loopback is refused before building.
    let config = fs::read_to_string(root.join("site.toml")).unwrap();
    let config = config.replace("https://yilu.example.org/", "http://localhost:1111/");
    fs::write(root.join("site.toml"), config).unwrap();
    let out = yilu(&root, &["deploy"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("base_url http://localhost:1111/ is a loopback address"),
        "{}",
        stderr(&out)
    );
}
