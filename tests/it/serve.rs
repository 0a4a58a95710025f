//! `yilu serve`: incremental rebuilds write what a full build writes; the live server picks up
//! edits, reports broken files while serving the last good output, and stays in its folder.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use yilu::serve::{self, Rebuilder, ServeOptions};
use yilu::site::{self, BuildOptions};

const MEETING: &str = "---
title: 深化改革攻坚强化政策供给
subtitle: 重庆市区县委书记和部门一把手例会发言摘登
date: 2024-10-21
summary: 10月21日上午，市委召开区县县委书记和部门一把手例会。
participants: [万州区, 南岸区]
---
";

fn speech(speaker: &str, org: &str, order: u32, gdp: f64, body: &str) -> String {
    format!(
        "---\ntitle: 以改革强动力增活力提质效\nspeaker: {speaker}\nposition: 区委书记\norg: {org}\n\
         order: {order}\nperiod: 前三季度\nmetrics:\n  gdp: {gdp}\n  industrial_value_added: 11.2\n---\n\n\
         {body}\n\n## 一、建体系挑大梁\n\n一是做强产业发动机。\n"
    )
}

/// A small site: two meetings, three speakers, one of them in both.
fn make_site() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "site.toml", "title = \"测试\"\nbase_url = \"/\"\n");
    write(root, "content/meetings/2024-10-21/_index.md", MEETING);
    write(
        root,
        "content/meetings/2024-10-21/01-wanzhou.md",
        &speech("卢红", "万州区", 1, 6.6, "万州区坚持用好改革关键一招。"),
    );
    write(
        root,
        "content/meetings/2024-10-21/02-nanan.md",
        &speech("许洪斌", "南岸区", 2, 6.5, "南岸区坚持用好改革关键一招。"),
    );
    write(root, "content/meetings/2024-07-15/_index.md", &MEETING.replace("10-21", "07-15"));
    write(
        root,
        "content/meetings/2024-07-15/01-wanzhou.md",
        &speech("卢红", "万州区", 1, 6.1, "上半年万州区稳中有进。"),
    );
    write(
        root,
        "content/meetings/2024-07-15/02-fuling.md",
        &speech("陈英", "涪陵区", 2, 7.0, "涪陵区上半年GDP增长7%。"),
    );
    tmp
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walk(dir, dir)
}

fn walk(base: &Path, dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(base, &path));
        } else {
            out.insert(
                path.strip_prefix(base).unwrap().to_path_buf(),
                std::fs::read(&path).unwrap(),
            );
        }
    }
    out
}

fn assert_same_as_full_build(root: &Path, output: &Path, step: &str) {
    let fresh = root.join("fresh");
    site::build(&BuildOptions {
        root: root.to_path_buf(),
        output: Some(fresh.clone()),
        ..Default::default()
    })
    .unwrap();
    let (got, want) = (tree(output), tree(&fresh));
    let got_names: Vec<_> = got.keys().collect();
    let want_names: Vec<_> = want.keys().collect();
    assert_eq!(got_names, want_names, "{step}: file lists differ");
    for (name, bytes) in &want {
        assert!(got[name] == *bytes, "{step}: {} differs from a full build", name.display());
    }
}

#[test]
fn incremental_rebuilds_write_what_a_full_build_writes() {
    let tmp = make_site();
    let root = tmp.path().canonicalize().unwrap();
    let output = root.join("public");
    let mut rebuilder = Rebuilder::new(BuildOptions {
        root: root.clone(),
        output: Some(output.clone()),
        ..Default::default()
    })
    .unwrap();
    let m = "content/meetings/2024-10-21";
    let wanzhou = format!("{m}/01-wanzhou.md");
    type Edit = Box<dyn Fn(&Path)>;
    let steps: Vec<(&str, Edit, &str, bool)> = vec![
        (
            "body edit",
            Box::new(|r| {
                write(
                    r,
                    "content/meetings/2024-10-21/01-wanzhou.md",
                    &speech("卢红", "万州区", 1, 6.6, "改过的正文。"),
                )
            }),
            &wanzhou,
            false,
        ),
        (
            "gdp change",
            Box::new(|r| {
                write(
                    r,
                    "content/meetings/2024-10-21/01-wanzhou.md",
                    &speech("卢红", "万州区", 1, 7.7, "改过的正文。"),
                )
            }),
            &wanzhou,
            false,
        ),
        (
            "gdp and org change",
            Box::new(|r| {
                write(
                    r,
                    "content/meetings/2024-10-21/01-wanzhou.md",
                    &speech("卢红", "涪陵区", 1, 9.9, "改过的正文。"),
                )
            }),
            &wanzhou,
            true, // the speech's URL follows its organisation
        ),
        (
            "speaker renamed",
            Box::new(|r| {
                write(
                    r,
                    "content/meetings/2024-10-21/02-nanan.md",
                    &speech("陈英", "南岸区", 2, 6.5, "南岸区。"),
                )
            }),
            "content/meetings/2024-10-21/02-nanan.md",
            true, // 许洪斌's page goes away
        ),
        (
            "meeting title",
            Box::new(|r| {
                write(
                    r,
                    "content/meetings/2024-10-21/_index.md",
                    &MEETING.replace("深化改革", "全面深化改革"),
                )
            }),
            "content/meetings/2024-10-21/_index.md",
            false,
        ),
        (
            "speech added",
            Box::new(|r| {
                write(
                    r,
                    "content/meetings/2024-07-15/03-nanan.md",
                    &speech("许洪斌", "南岸区", 3, 5.0, "新增。"),
                )
            }),
            "content/meetings/2024-07-15/03-nanan.md",
            true,
        ),
        (
            "speech removed",
            Box::new(|r| {
                std::fs::remove_file(r.join("content/meetings/2024-07-15/02-fuling.md")).unwrap()
            }),
            "content/meetings/2024-07-15/02-fuling.md",
            true,
        ),
        (
            "theme static file",
            Box::new(|r| write(r, "static/extra.css", "body{}")),
            "static/extra.css",
            true,
        ),
    ];
    for (step, edit, changed, full) in steps {
        edit(&root);
        let report = rebuilder.apply(&[root.join(changed)]).unwrap().expect("a source changed");
        assert_eq!(report.full, full, "{step}: {report:?}");
        assert_same_as_full_build(&root, &output, step);
    }
    assert!(rebuilder.apply(&[root.join("README.md")]).unwrap().is_none());
}

#[test]
fn a_broken_file_fails_the_rebuild_and_keeps_the_site_until_fixed() {
    let tmp = make_site();
    let root = tmp.path().canonicalize().unwrap();
    let output = root.join("public");
    let mut rebuilder = Rebuilder::new(BuildOptions {
        root: root.clone(),
        output: Some(output.clone()),
        ..Default::default()
    })
    .unwrap();
    let file = root.join("content/meetings/2024-10-21/01-wanzhou.md");
    let page = output.join("meetings/2024-10-21/wanzhou/index.html");
    let before = std::fs::read(&page).unwrap();
    std::fs::write(&file, "---\ntitle: [unclosed\n---\nbody\n").unwrap();
    let err = format!("{:#}", rebuilder.apply(std::slice::from_ref(&file)).unwrap_err());
    assert!(err.contains("01-wanzhou.md"), "{err}");
    assert_eq!(std::fs::read(&page).unwrap(), before);
    // Another file changes: the broken one is still reported.
    let other = root.join("content/meetings/2024-07-15/01-wanzhou.md");
    std::fs::write(&other, speech("卢红", "万州区", 1, 6.1, "又改了。")).unwrap();
    assert!(rebuilder.apply(std::slice::from_ref(&other)).is_err());
    write(
        &root,
        "content/meetings/2024-10-21/01-wanzhou.md",
        &speech("卢红", "万州区", 1, 6.6, "修好了。"),
    );
    rebuilder.apply(std::slice::from_ref(&file)).unwrap().unwrap();
    assert_same_as_full_build(&root, &output, "fixed");
}

// --- the live server ---

struct Reply {
    status: u16,
    headers: String,
    body: String,
}

/// One raw request, so paths reach the server exactly as written (no client normalisation).
fn get(port: u16, target: &str) -> Reply {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(stream, "GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    Reply { status, headers: head.to_ascii_lowercase(), body: body.to_string() }
}

/// The event stream's `event:` names with their data, as they arrive.
fn events(port: u16) -> Receiver<(String, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(stream, "GET /__yilu/events HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let (mut name, mut data) = (String::new(), String::new());
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { return };
            if let Some(n) = line.strip_prefix("event: ") {
                name = n.to_string();
            } else if let Some(d) = line.strip_prefix("data: ") {
                data.push_str(d);
                data.push('\n');
            } else if line.is_empty()
                && !name.is_empty()
                && tx.send((std::mem::take(&mut name), std::mem::take(&mut data))).is_err()
            {
                return;
            }
        }
    });
    rx
}

fn until(what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(2);
    while !ok() {
        assert!(Instant::now() < deadline, "not within 2 s: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The next event called `name` (a save can arrive as two batches of file events, so the same
/// event may come more than once); its data.
fn wait_event(rx: &Receiver<(String, String)>, name: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let (got, data) =
            rx.recv_timeout(left).unwrap_or_else(|_| panic!("no {name} event in 3 s"));
        if got == name {
            return data;
        }
    }
}

#[test]
fn serve_rebuilds_on_edit_reports_errors_and_stays_in_its_folder() {
    let tmp = make_site();
    let root = tmp.path().to_path_buf();
    std::fs::write(root.join("secret.txt"), "secret").unwrap();
    // Files younger than the file-time slack at start look changed to the first event batch
    // (the watcher's own scan), which would rebuild once and swap public/ under the symlink.
    std::thread::sleep(Duration::from_millis(100));
    let handle = serve::start(ServeOptions {
        build: BuildOptions { root: root.clone(), ..Default::default() },
        port: 0,
        quiet: true,
        ..Default::default()
    })
    .unwrap();
    let port = handle.port();
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.join("secret.txt"), root.join("public/leak.txt"))
        .unwrap_or_else(|e| panic!("cannot link into {}: {e}", root.join("public").display()));
    let speech_url = "/meetings/2024-10-21/wanzhou/";

    let page = get(port, speech_url);
    assert_eq!(page.status, 200);
    assert!(page.headers.contains("content-type: text/html; charset=utf-8"));
    assert!(page.body.contains("万州区坚持用好改革关键一招"));
    assert!(page.body.contains("/__yilu/events"), "live-reload script injected");
    let written =
        std::fs::read_to_string(root.join("public/meetings/2024-10-21/wanzhou/index.html"))
            .unwrap();
    assert!(!written.contains("/__yilu/events"), "never written into the output");

    let stream = events(port);
    // Give the event stream a moment to subscribe before the edit.
    std::thread::sleep(Duration::from_millis(200));
    let file = root.join("content/meetings/2024-10-21/01-wanzhou.md");
    std::fs::write(&file, speech("卢红", "万州区", 1, 6.6, "这是新的正文。")).unwrap();
    until("the new text is served", || get(port, speech_url).body.contains("这是新的正文"));
    wait_event(&stream, "reload");

    std::fs::write(&file, "---\ntitle: [unclosed\n---\n坏了。\n").unwrap();
    let data = wait_event(&stream, "error");
    assert!(data.contains("01-wanzhou.md"), "{data}");
    assert!(get(port, speech_url).body.contains("这是新的正文"), "the last good page is served");

    std::fs::write(&file, speech("卢红", "万州区", 1, 6.6, "修好了。")).unwrap();
    wait_event(&stream, "reload");
    until("the fixed text is served", || get(port, speech_url).body.contains("修好了"));

    // Folders, redirects, 404, content types.
    assert_eq!(get(port, "/meetings/2024-10-21").status, 301);
    assert!(get(port, "/meetings/2024-10-21").headers.contains("location: /meetings/2024-10-21/"));
    let missing = get(port, "/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("/__yilu/events"), "404.html is served, with the script");
    assert!(get(port, "/atom.xml").headers.contains("content-type: application/xml"));
    assert!(get(port, "/data/metrics.csv").headers.contains("content-type: text/csv"));
    assert!(get(port, "/data/speeches.json").headers.contains("content-type: application/json"));

    // Nothing outside the output folder.
    for target in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/meetings/%2E%2E/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/..%5csecret.txt",
        "http://localhost/../secret.txt",
    ] {
        let reply = get(port, target);
        assert!(matches!(reply.status, 400 | 403 | 404), "{target}: {}", reply.status);
        assert!(!reply.body.contains("secret"), "{target}");
    }
    #[cfg(unix)]
    assert_eq!(get(port, "/leak.txt").status, 403, "a symlink out of the output");

    handle.shutdown();
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err() || get_fails(port));
}

fn get_fails(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else { return true };
    let _ = write!(stream, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    let mut buf = Vec::new();
    stream.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
    stream.read_to_end(&mut buf).map(|n| n == 0).unwrap_or(true)
}

#[test]
fn serve_starts_on_a_broken_site_and_builds_once_it_is_fixed() {
    let tmp = make_site();
    let root = tmp.path().to_path_buf();
    let file = root.join("content/meetings/2024-10-21/01-wanzhou.md");
    std::fs::write(&file, "---\ntitle: [unclosed\n---\n").unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let handle = serve::start(ServeOptions {
        build: BuildOptions { root: root.clone(), ..Default::default() },
        port: 0,
        quiet: true,
        ..Default::default()
    })
    .expect("serve starts even though the site does not build");
    let port = handle.port();
    // No output yet: a page that carries the live-reload script, and the error on the stream.
    let page = get(port, "/");
    assert_eq!(page.status, 404);
    assert!(page.body.contains("/__yilu/events"), "{}", page.body);
    let stream = events(port);
    assert!(wait_event(&stream, "error").contains("01-wanzhou.md"));

    std::fs::write(&file, speech("卢红", "万州区", 1, 6.6, "修好了。")).unwrap();
    wait_event(&stream, "reload");
    until("the site is served", || {
        get(port, "/meetings/2024-10-21/wanzhou/").body.contains("修好了")
    });
    handle.shutdown();
}
