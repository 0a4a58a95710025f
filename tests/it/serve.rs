//! `yilu serve`: incremental rebuilds write what a full build writes; the live server picks up
//! edits, reports broken files while serving the last good output, and stays in its folder; it
//! leaves public/ alone, bounds what a client can take, refuses hostile targets and Host headers,
//! and says what it rebuilt after which change, once per save.

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

/// A site with a host, so that its feeds and sitemap are written too.
fn with_host(root: &Path) {
    write(root, "site.toml", "title = \"测试\"\nbase_url = \"https://yilu.example.org/\"\n");
}

/// A speech's figures and extra fields, which its page and the data files show but no other
/// page does.
fn with_details(speech: &str, figure: &str) -> String {
    let details = format!(
        "figures:\n- subject: 招商引资\n  value: 120\n  unit: 亿元\n  text: {figure}\nsource_note: 据会议材料\n---\n"
    );
    speech.replacen("---\n\n", &details, 1)
}

#[test]
fn incremental_rebuilds_write_what_a_full_build_writes() {
    for host in [false, true] {
        incremental_rebuilds(host);
    }
}

fn incremental_rebuilds(host: bool) {
    let tmp = make_site();
    let root = tmp.path().canonicalize().unwrap();
    if host {
        with_host(&root);
    }
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
            "figures and extra fields added",
            Box::new(|r| {
                let text = speech("卢红", "万州区", 1, 6.6, "万州区坚持用好改革关键一招。");
                write(
                    r,
                    "content/meetings/2024-10-21/01-wanzhou.md",
                    &with_details(&text, "招商引资120亿元"),
                )
            }),
            &wanzhou,
            false,
        ),
        (
            "a figure's text edited",
            Box::new(|r| {
                let text = speech("卢红", "万州区", 1, 6.6, "万州区坚持用好改革关键一招。");
                write(
                    r,
                    "content/meetings/2024-10-21/01-wanzhou.md",
                    &with_details(&text, "全年招商引资120亿元"),
                )
            }),
            &wanzhou,
            false,
        ),
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
            false, // the speech's URL follows its organisation: a page goes, one comes
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
            false, // 许洪斌's page goes away, in place
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
            false, // the counts are on the home and list pages only: no page but those changes
        ),
        (
            "speech removed",
            Box::new(|r| {
                std::fs::remove_file(r.join("content/meetings/2024-07-15/02-fuling.md")).unwrap()
            }),
            "content/meetings/2024-07-15/02-fuling.md",
            false,
        ),
        (
            "theme static file",
            Box::new(|r| write(r, "static/extra.css", "body{}")),
            "static/extra.css",
            true,
        ),
    ];
    for (n, (step, edit, changed, full)) in steps.into_iter().enumerate() {
        edit(&root);
        let report = rebuilder.apply(&[root.join(changed)]).unwrap().expect("a source changed");
        assert_eq!(report.full, full, "{step}: {report:?}");
        if n < 3 {
            // Only the speech's meeting's speech pages show an edit that leaves what other
            // pages show as it was.
            assert_eq!(report.pages, 2, "{step}: {report:?}");
        }
        let step = format!("{step} (host: {host})");
        assert_same_as_full_build(&root, &output, &step);
    }
    assert!(rebuilder.apply(&[root.join("README.md")]).unwrap().is_none());
}

/// A theme whose footer counts meetings and speeches, so that a meeting added or removed
/// changes every page (the default footer does not, so it changes only the pages that show it).
fn counting_theme(root: &Path) {
    let base = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/base.html"),
    )
    .unwrap();
    let footer = "{{ t(key=\"site.footer\") }}";
    assert!(base.contains(footer), "the default footer");
    let counting = format!("{{{{ site.meeting_count }}}} · {{{{ site.speech_count }}}} · {footer}");
    write(root, "themes/default/templates/base.html", &base.replace(footer, &counting));
}

#[cfg(unix)]
fn inode(path: &Path) -> u64 {
    std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(path).unwrap())
}

/// Meetings added (newest, and older than others), renamed and deleted, a new organisation and
/// speaker, a speech file renamed: each is applied in place, and the output is then the
/// output of a fresh build. With the default theme only the pages that show the change are
/// rendered; with a footer that counts the meetings, every page.
#[test]
fn meetings_added_renamed_and_deleted_write_what_a_full_build_writes() {
    for (counting, host) in [(false, false), (false, true), (true, false)] {
        let tmp = make_site();
        let root = tmp.path().canonicalize().unwrap();
        if counting {
            counting_theme(&root);
        }
        if host {
            with_host(&root);
        }
        let output = root.join("public");
        let mut rebuilder = Rebuilder::new(BuildOptions {
            root: root.clone(),
            output: Some(output.clone()),
            ..Default::default()
        })
        .unwrap();
        #[cfg(unix)]
        let folder = inode(&output);
        let css = output.join("css/yilu.css");
        let css_written = std::fs::metadata(&css).unwrap().modified().unwrap();
        let add_meeting = |r: &Path, date: &str, speeches: &[(&str, &str, &str, f64)]| {
            let dir = format!("content/meetings/{date}");
            write(r, &format!("{dir}/_index.md"), &MEETING.replace("2024-10-21", date));
            for (n, (file, speaker, org, gdp)) in speeches.iter().enumerate() {
                let text = speech(speaker, org, n as u32 + 1, *gdp, &format!("{org}{date}。"));
                write(r, &format!("{dir}/{file}"), &text);
            }
            vec![r.join(&dir)]
        };
        type Step = Box<dyn Fn(&Path) -> Vec<PathBuf>>;
        let steps: Vec<(&str, Step, Option<&str>)> = vec![
            (
                "new meeting with a new organisation and speaker",
                Box::new(move |r| {
                    add_meeting(
                        r,
                        "2024-12-02",
                        &[
                            ("01-wanzhou.md", "卢红", "万州区", 7.0),
                            ("02-jiangbei.md", "王伟", "江北区", 6.0),
                        ],
                    )
                }),
                Some("meetings/2024-12-02/jiangbei/index.html"),
            ),
            (
                "older meeting between others",
                Box::new(move |r| {
                    add_meeting(r, "2024-04-15", &[("01-fuling.md", "陈英", "涪陵区", 5.5)])
                }),
                Some("meetings/2024-04-15/fuling/index.html"),
            ),
            (
                "meeting seen through content/meetings only",
                Box::new(move |r| {
                    add_meeting(r, "2024-12-09", &[("01-nanan.md", "许洪斌", "南岸区", 6.9)]);
                    vec![r.join("content/meetings")]
                }),
                Some("meetings/2024-12-09/nanan/index.html"),
            ),
            (
                "speech file renamed",
                Box::new(|r| {
                    let dir = r.join("content/meetings/2024-12-02");
                    std::fs::rename(dir.join("02-jiangbei.md"), dir.join("03-jiangbei.md"))
                        .unwrap();
                    vec![dir.join("02-jiangbei.md"), dir.join("03-jiangbei.md")]
                }),
                None,
            ),
            (
                "meeting folder renamed",
                Box::new(|r| {
                    let dir = r.join("content/meetings");
                    std::fs::rename(dir.join("2024-12-09"), dir.join("2024-12-10")).unwrap();
                    let index = dir.join("2024-12-10/_index.md");
                    let text = std::fs::read_to_string(&index).unwrap();
                    std::fs::write(&index, text.replace("2024-12-09", "2024-12-10")).unwrap();
                    vec![dir.join("2024-12-09"), dir.join("2024-12-10")]
                }),
                Some("meetings/2024-12-10/nanan/index.html"),
            ),
            (
                "meeting deleted",
                Box::new(|r| {
                    let dir = r.join("content/meetings/2024-07-15");
                    std::fs::remove_dir_all(&dir).unwrap();
                    vec![dir]
                }),
                None,
            ),
            (
                "the only meeting of an organisation deleted",
                Box::new(|r| {
                    let dir = r.join("content/meetings/2024-12-02");
                    std::fs::remove_dir_all(&dir).unwrap();
                    vec![dir]
                }),
                None,
            ),
        ];
        for (step, edit, new_page) in steps {
            let footer = if counting { "counting" } else { "default" };
            let step = format!("{step} ({footer} footer, host: {host})");
            let changed = edit(&root);
            let report = rebuilder.apply(&changed).unwrap().expect("a source changed");
            assert_same_as_full_build(&root, &output, &step);
            if let Some(page) = new_page {
                assert!(output.join(page).is_file(), "{step}: {page} written");
            }
            // In place, never a whole new output folder: static files are not written again.
            #[cfg(unix)]
            assert_eq!(inode(&output), folder, "{step}: the output folder was replaced");
            assert_eq!(std::fs::metadata(&css).unwrap().modified().unwrap(), css_written);
            let pages = rebuilder.site().plan.len();
            if !counting {
                assert!(!report.full && report.pages < pages, "{step}: {report:?}");
            }
        }
        assert!(!output.join("meetings/2024-07-15").exists(), "a deleted meeting's folder goes");
        assert!(!output.join("districts/jiangbei").exists(), "an organisation gone goes");
    }
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
    write!(stream, "GET {target} HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n")
        .unwrap();
    read_reply(&mut stream)
}

/// Sends `request` as it is and reads the reply until the server closes.
fn raw(port: u16, request: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    stream.write_all(request).unwrap();
    read_reply(&mut stream)
}

fn read_reply(stream: &mut TcpStream) -> Reply {
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    parse_reply(&raw)
}

fn parse_reply(raw: &[u8]) -> Reply {
    let raw = String::from_utf8_lossy(raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    Reply { status, headers: head.to_ascii_lowercase(), body: body.to_string() }
}

/// The event stream's `event:` names with their data, as they arrive.
fn events(port: u16) -> Receiver<(String, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(stream, "GET /__yilu/events HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n").unwrap();
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
    // (the watcher's own scan), which would rebuild once and swap the output under the symlink.
    std::thread::sleep(Duration::from_millis(100));
    let handle = serve::start(
        ServeOptions {
            build: BuildOptions { root: root.clone(), ..Default::default() },
            port: 0,
            ..Default::default()
        },
        |_| {},
    )
    .unwrap();
    let port = handle.port();
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.join("secret.txt"), handle.output.join("leak.txt"))
        .unwrap_or_else(|e| panic!("cannot link into {}: {e}", handle.output.display()));
    let speech_url = "/meetings/2024-10-21/wanzhou/";

    let page = get(port, speech_url);
    assert_eq!(page.status, 200);
    assert!(page.headers.contains("content-type: text/html; charset=utf-8"));
    assert!(page.body.contains("万州区坚持用好改革关键一招"));
    assert!(page.body.contains("/__yilu/events"), "live-reload script injected");
    let written =
        std::fs::read_to_string(handle.output.join("meetings/2024-10-21/wanzhou/index.html"))
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
    assert!(get(port, "/atom.xml").headers.contains("content-type: text/xml"));
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
    let handle = serve::start(
        ServeOptions {
            build: BuildOptions { root: root.clone(), ..Default::default() },
            port: 0,
            ..Default::default()
        },
        |_| {},
    )
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

// --- limits, hostile requests and the command line ---

/// A server for `make_site()` with `limits`; (site guard, handle).
fn start_with(limits: serve::Limits) -> (tempfile::TempDir, serve::Handle) {
    let tmp = make_site();
    std::thread::sleep(Duration::from_millis(100));
    let handle = serve::start(
        ServeOptions {
            build: BuildOptions { root: tmp.path().to_path_buf(), ..Default::default() },
            port: 0,
            limits,
            ..Default::default()
        },
        |_| {},
    )
    .unwrap();
    (tmp, handle)
}

fn small_limits() -> serve::Limits {
    serve::Limits {
        max_head: 8 * 1024,
        read_timeout: Duration::from_millis(800),
        write_timeout: Duration::from_secs(2),
        max_connections: 4,
    }
}

#[test]
fn oversized_requests_are_refused_without_being_read() {
    let (_tmp, handle) = start_with(small_limits());
    let port = handle.port();
    let host = format!("Host: localhost:{port}\r\n");

    let long_line = format!("GET /{} HTTP/1.1\r\n{host}\r\n", "a".repeat(100_000));
    assert_eq!(raw(port, long_line.as_bytes()).status, 414, "a 100 kB request line");

    let many = (0..100).map(|i| format!("X-{i}: 1\r\n")).collect::<String>();
    let many = format!("GET / HTTP/1.1\r\n{host}{many}\r\n");
    assert!(many.len() < 8 * 1024);
    assert_eq!(raw(port, many.as_bytes()).status, 431, "100 header lines");

    // 20 MB of headers: answered 431 at the cap, long before the client is done sending.
    let started = Instant::now();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        let line = format!("X-Filler: {}\r\n", "b".repeat(1000));
        let _ = write!(writer, "GET / HTTP/1.1\r\nHost: localhost:{port}\r\n");
        let mut sent = 0;
        while sent < 20_000_000 {
            if writer.write_all(line.as_bytes()).is_err() {
                return sent; // the server closed: it stopped reading
            }
            sent += line.len();
        }
        sent
    });
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply);
    let reply = parse_reply(&reply);
    assert_eq!(reply.status, 431, "20 MB of headers: {}", reply.headers);
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    let sent = sender.join().unwrap();
    assert!(sent < 20_000_000, "the server read all {sent} bytes");

    // And it still serves.
    assert_eq!(get(port, "/").status, 200);
    handle.shutdown();
}

#[test]
fn idle_and_slow_connections_are_closed_after_the_read_timeout() {
    let (_tmp, handle) = start_with(small_limits());
    let port = handle.port();

    // Nothing sent: closed without a word after ~0.8 s.
    let started = Instant::now();
    let mut idle = TcpStream::connect(("127.0.0.1", port)).unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut buf = Vec::new();
    let n = idle.read_to_end(&mut buf).unwrap_or(0);
    let waited = started.elapsed();
    assert_eq!(n, 0, "{}", String::from_utf8_lossy(&buf));
    assert!(waited >= Duration::from_millis(700) && waited < Duration::from_secs(5), "{waited:?}");

    // Half a head, then nothing: 408.
    let mut slow = TcpStream::connect(("127.0.0.1", port)).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(slow, "GET / HTTP/1.1\r\nHost: localhost:{port}\r\n").unwrap();
    assert_eq!(read_reply(&mut slow).status, 408);

    // A keep-alive connection answers two requests, then idles out.
    let mut kept = TcpStream::connect(("127.0.0.1", port)).unwrap();
    kept.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        kept,
        "GET /atom.xml HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n\
         HEAD /atom.xml HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n"
    )
    .unwrap();
    let mut both = Vec::new();
    kept.read_to_end(&mut both).unwrap();
    let both = String::from_utf8_lossy(&both);
    assert_eq!(both.matches("HTTP/1.1 200 OK").count(), 2, "{both}");
    handle.shutdown();
}

#[test]
fn connections_beyond_the_cap_are_refused_until_one_closes() {
    let limits = serve::Limits { read_timeout: Duration::from_secs(30), ..small_limits() };
    let (_tmp, handle) = start_with(limits);
    let port = handle.port();
    let mut open: Vec<TcpStream> =
        (0..4).map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap()).collect();
    let mut extra = TcpStream::connect(("127.0.0.1", port)).unwrap();
    extra.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let reply = read_reply(&mut extra);
    assert_eq!(reply.status, 503, "the 5th connection: {}", reply.headers);
    assert!(reply.headers.contains("retry-after: 1"));

    // One of the four asks for a page and closes: its place is free again.
    let mut first = open.remove(0);
    write!(first, "GET / HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n").unwrap();
    first.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    assert_eq!(read_reply(&mut first).status, 200);
    drop(first);
    until("a slot is free again", || {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let _ = write!(s, "GET / HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n");
        read_reply(&mut s).status == 200
    });
    drop(open);
    handle.shutdown();
}

#[test]
fn hostile_targets_and_foreign_hosts_are_refused() {
    let (_tmp, handle) = start_with(serve::Limits::default());
    let port = handle.port();
    let request = |target: &[u8], host: &str| {
        let mut bytes = b"GET ".to_vec();
        bytes.extend_from_slice(target);
        bytes.extend_from_slice(format!(" HTTP/1.1\r\n{host}Connection: close\r\n\r\n").as_bytes());
        raw(port, &bytes)
    };
    let host = format!("Host: localhost:{port}\r\n");

    // Header injection: a raw LF or CR in the target is refused; an encoded one stays encoded.
    for target in [
        &b"/meetings/2024-10-21?\nSet-Cookie:x=1"[..],
        b"/meetings/2024-10-21?\rSet-Cookie:x=1",
        b"/meetings/2024-10-21%0d%0aSet-Cookie:x=1",
        b"/meetings/\x01",
    ] {
        let reply = request(target, &host);
        assert_eq!(reply.status, 400, "{:?}: {}", String::from_utf8_lossy(target), reply.headers);
        assert!(!reply.headers.contains("set-cookie"), "{}", reply.headers);
    }
    let reply = request(b"/meetings/2024-10-21?%0d%0aSet-Cookie:x=1", &host);
    assert_eq!(reply.status, 301);
    assert!(
        reply.headers.contains("\r\nlocation: /meetings/2024-10-21/?%0d%0aset-cookie:x=1\r\n"),
        "{}",
        reply.headers
    );
    assert!(!reply.headers.contains("\r\nset-cookie"), "{}", reply.headers);
    let reply = request("/meetings/2024-10-21?q=会议 x".replace(' ', "%20").as_bytes(), &host);
    assert!(reply.headers.contains("location: /meetings/2024-10-21/?q=%e4%bc%9a%e8%ae%ae%20x\r\n"));
    // `//host` paths do not become redirects to another site.
    let reply = request(b"//meetings/2024-10-21", &host);
    assert!(reply.headers.contains("\r\nlocation: /meetings/2024-10-21/"), "{}", reply.headers);

    // DNS rebinding: only this server's own names, with its port.
    for (host, want) in [
        (format!("localhost:{port}"), 200),
        (format!("127.0.0.1:{port}"), 200),
        (format!("[::1]:{port}"), 200),
        (format!("evil.example:{port}"), 403),
        (format!("localhost.evil.example:{port}"), 403),
        (format!("localhost:{}", port.wrapping_add(1)), 403),
        ("localhost".to_string(), 403),
    ] {
        let reply = request(b"/", &format!("Host: {host}\r\n"));
        assert_eq!(reply.status, want, "Host: {host}");
        if want == 403 {
            assert!(!reply.body.contains("<html"), "no page for {host}");
        }
    }
    assert_eq!(request(b"/", "").status, 400, "no Host");
    assert_eq!(request(b"/", &format!("{host}{host}")).status, 400, "two Hosts");
    assert_eq!(request(b"/__yilu/events", &format!("Host: evil.example:{port}\r\n")).status, 403);

    // The event stream: same-origin only.
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(stream, "GET /__yilu/events HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n").unwrap();
    let mut head = String::new();
    let mut reader = BufReader::new(stream);
    while reader.read_line(&mut head).unwrap() > 0 && !head.ends_with("\r\n\r\n") {}
    let head = head.to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 200") && head.contains("text/event-stream"), "{head}");
    assert!(!head.contains("access-control-allow-origin"), "{head}");

    // Other methods.
    let reply = raw(port, format!("POST / HTTP/1.1\r\n{host}Content-Length: 0\r\n\r\n").as_bytes());
    assert_eq!(reply.status, 405);
    let body = "x".repeat(500_000);
    let post = format!("POST / HTTP/1.1\r\n{host}Content-Length: {}\r\n\r\n{body}", body.len());
    assert_eq!(raw(port, post.as_bytes()).status, 405, "a body is drained, not a reset");
    handle.shutdown();
}

#[test]
fn rebuilds_are_reported_to_the_caller_with_the_changed_file() {
    let tmp = make_site();
    let root = tmp.path().to_path_buf();
    std::thread::sleep(Duration::from_millis(100));
    let (tx, reports) = channel();
    let tx = std::sync::Mutex::new(tx);
    let handle = serve::start(
        ServeOptions {
            build: BuildOptions { root: root.clone(), ..Default::default() },
            port: 0,
            ..Default::default()
        },
        move |report| {
            let _ = tx.lock().unwrap().send(report);
        },
    )
    .unwrap();
    let first = reports.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(
        matches!(&first, serve::Report::Built { output, .. } if output.ends_with(".yilu/serve")),
        "{first:?}"
    );
    let file = "content/meetings/2024-10-21/01-wanzhou.md";
    std::fs::write(root.join(file), speech("卢红", "万州区", 1, 6.6, "新的正文。")).unwrap();
    match reports.recv_timeout(Duration::from_secs(5)).unwrap() {
        serve::Report::Rebuilt { changed, full, .. } => {
            assert_eq!(changed, vec![PathBuf::from(file)]);
            assert!(!full);
        }
        other => panic!("{other:?}"),
    }
    handle.shutdown();
}

/// `yilu serve --port 0` on `root` with stderr read line by line.
struct Served {
    child: std::process::Child,
    lines: Receiver<String>,
    log: Vec<String>,
    port: u16,
}

impl Served {
    fn start(root: &Path, args: &[&str]) -> Served {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_yilu"))
            .args(["serve", "--port", "0", "--root"])
            .arg(root)
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let mut served = Served { child, lines, log: Vec::new(), port: 0 };
        let line = served.wait_line("serving http://", Duration::from_secs(20));
        let addr = line.trim_start_matches("serving http://").split('/').next().unwrap();
        served.port = addr.rsplit(':').next().unwrap().parse().unwrap();
        served
    }

    /// Waits for a line containing `what`; returns it.
    fn wait_line(&mut self, what: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self.lines.recv_timeout(left).unwrap_or_else(|_| {
                panic!("no line with {what:?} in {timeout:?}; so far: {:#?}", self.log)
            });
            self.log.push(line.clone());
            if line.contains(what) {
                return line;
            }
        }
    }

    /// Every line printed during the next `d`.
    fn lines_for(&mut self, d: Duration) -> Vec<String> {
        let deadline = Instant::now() + d;
        let mut out = Vec::new();
        while let Ok(line) =
            self.lines.recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            self.log.push(line.clone());
            out.push(line);
        }
        out
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every file under `dir` with its bytes and modification time.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, std::time::SystemTime)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .map(|e| {
            let meta = e.metadata().unwrap();
            let bytes = if meta.is_file() { std::fs::read(e.path()).unwrap() } else { Vec::new() };
            (e.path().to_path_buf(), (bytes, meta.modified().unwrap()))
        })
        .collect()
}

#[test]
fn serve_leaves_public_alone_and_names_each_change_once() {
    let tmp = make_site();
    let root = tmp.path().to_path_buf();
    let build = std::process::Command::new(env!("CARGO_BIN_EXE_yilu"))
        .args(["build", "-q", "--root"])
        .arg(&root)
        .status()
        .unwrap();
    assert!(build.success());
    let public = snapshot(&root.join("public"));
    assert!(public.len() > 10);
    std::thread::sleep(Duration::from_millis(100));

    let mut served = Served::start(&root, &[]);
    assert!(
        served.log.iter().any(|l| l.contains(".yilu/serve")),
        "says where it builds: {:#?}",
        served.log
    );
    assert!(!served.log.iter().any(|l| l.contains("warning")), "{:#?}", served.log);
    let page = get(served.port, "/meetings/2024-10-21/wanzhou/");
    assert!(page.body.contains("万州区坚持"), "{}", page.body);

    let file = "content/meetings/2024-10-21/01-wanzhou.md";
    std::fs::write(root.join(file), speech("卢红", "万州区", 1, 6.6, "一次保存。")).unwrap();
    let line = served.wait_line("rebuilt", Duration::from_secs(10));
    assert!(line.ends_with(&format!(" after {file}")), "{line}");
    assert!(line.starts_with("rebuilt ") && line.contains(" ms after "), "{line}");
    let later = served.lines_for(Duration::from_millis(1500));
    assert!(!later.iter().any(|l| l.contains("rebuilt")), "one save, one rebuild: {later:#?}");
    assert!(get(served.port, "/meetings/2024-10-21/wanzhou/").body.contains("一次保存"));

    // An editor's atomic save (a temporary file renamed over the speech): one rebuild, named
    // after the speech.
    let meeting = root.join("content/meetings/2024-10-21");
    std::fs::write(meeting.join("sedAb12Cd"), speech("卢红", "万州区", 1, 6.6, "改名保存。"))
        .unwrap();
    std::fs::rename(meeting.join("sedAb12Cd"), root.join(file)).unwrap();
    let line = served.wait_line("rebuilt", Duration::from_secs(10));
    assert!(line.ends_with(&format!(" after {file}")), "{line}");
    let later = served.lines_for(Duration::from_millis(1500));
    assert!(!later.iter().any(|l| l.contains("rebuilt")), "one save, one rebuild: {later:#?}");
    // static/ is new: seen, and watched from then on.
    std::fs::create_dir_all(root.join("static")).unwrap();
    let line = served.wait_line("rebuilt", Duration::from_secs(10));
    assert!(line.ends_with(" after static"), "{line}");
    std::fs::write(root.join("static/.extra.css.tmp"), "body{}").unwrap();
    std::fs::write(root.join("static/tmp4913"), "body{}").unwrap();
    std::fs::rename(root.join("static/tmp4913"), root.join("static/extra.css")).unwrap();
    let line = served.wait_line("rebuilt", Duration::from_secs(10));
    assert!(line.contains(" (all) ") && line.contains(" after static/extra.css"), "{line}");
    until("the new style sheet is served", || get(served.port, "/extra.css").status == 200);
    served.lines_for(Duration::from_millis(1000)); // a slow machine may split that save in two

    // A change of site.toml rebuilds everything, also named.
    std::fs::write(root.join("site.toml"), "title = \"测试二\"\nbase_url = \"/\"\n").unwrap();
    let line = served.wait_line("rebuilt", Duration::from_secs(10));
    assert!(line.ends_with(" after site.toml"), "{line}");
    drop(served);

    assert!(snapshot(&root.join("public")) == public, "public/ changed (bytes or mtime)");
    assert!(root.join(".yilu/serve/index.html").is_file());
    assert!(root.join(".yilu/.gitignore").is_file());
    let index = std::fs::read_to_string(root.join(".yilu/serve/index.html")).unwrap();
    assert!(index.contains("测试二"), "serve's own build follows site.toml");
    let feed = std::fs::read_to_string(root.join(".yilu/serve/atom.xml")).unwrap();
    assert!(feed.contains("http://127.0.0.1:"), "built for the server's address");

    // A build afterwards neither reads nor publishes serve's folder.
    let build = std::process::Command::new(env!("CARGO_BIN_EXE_yilu"))
        .args(["build", "-q", "--root"])
        .arg(&root)
        .status()
        .unwrap();
    assert!(build.success());
    let names: Vec<PathBuf> = snapshot(&root.join("public")).into_keys().collect();
    assert!(public.keys().all(|n| names.contains(n)), "{names:#?}");
    // (The build's own marker, .yilu-output, is not serve's folder.)
    assert!(!names.iter().any(|n| n.to_string_lossy().contains(".yilu/")), "{names:#?}");
}

#[test]
fn serve_on_every_address_warns_that_the_network_can_see_it() {
    let tmp = make_site();
    let served = Served::start(tmp.path(), &["--bind", "0.0.0.0"]);
    let warning = served.log.iter().find(|l| l.starts_with("warning:")).cloned();
    let warning = warning.unwrap_or_else(|| panic!("{:#?}", served.log));
    assert!(warning.contains("reachable from the network"), "{warning}");
    assert!(warning.contains("--bind 127.0.0.1"), "{warning}");
    assert!(served.log.last().unwrap().starts_with("serving http://127.0.0.1:"));
    assert_eq!(get(served.port, "/").status, 200);
}

#[test]
fn serve_on_a_port_in_use_suggests_another() {
    let tmp = make_site();
    let taken = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = taken.local_addr().unwrap().port();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yilu"))
        .args(["serve", "--port", &port.to_string(), "--root"])
        .arg(tmp.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("port {port} on 127.0.0.1 is already in use")), "{stderr}");
    assert!(stderr.contains("--port"), "{stderr}");
    assert!(!tmp.path().join(".yilu").exists(), "nothing built");
}

#[test]
fn serve_outside_a_site_says_so_and_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yilu"))
        .args(["serve", "--port", "0", "--root"])
        .arg(tmp.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("has no site.toml") && stderr.contains("yilu init"), "{stderr}");
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0, "nothing written");
}
