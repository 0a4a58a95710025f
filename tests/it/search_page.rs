//! The search page end to end: build a small site through the library, serve it over HTTP from a
//! thread, load `/search/?q=…` in headless Chromium and read the results out of the DOM.
//!
//! Chromium is required in CI (`CI` or `YILU_REQUIRE_BROWSER=1` set: .ci/run installs it), where
//! a missing browser fails the test; elsewhere, so that `cargo test` works on a fresh machine,
//! a missing browser skips it with a notice. Set `YILU_CHROMIUM` to pick a binary. The
//! tokenizer check against search.js needs `node`, under the same rule; it runs when `node` is
//! on PATH.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use yilu::site::{BuildOptions, build};

const MEETING: &str = "---
title: 深化改革攻坚强化政策供给，确保实现全年经济社会发展目标任务
date: 2024-10-21
---
";

const WANZHOU: &str = "---
title: 以改革强动力增活力提质效 全力推动高质量发展行稳致远
speaker: 卢红
position: 市委常委、万州区委书记
org: 万州区
order: 1
---

万州区坚持用好改革关键一招。前三季度GDP增长6.6%，固投增长8.6%。

## 一、建体系挑大梁

一是做强产业发动机。
";

const NANAN: &str = "---
title: 发挥比较优势 聚力攻坚突破 加快打造战略性新兴产业集聚地
speaker: 许洪斌
position: 南岸区委书记
org: 南岸区
order: 2
---

前三季度，南岸区GDP增长6.5%，固投增长5.2%，发展新质生产力。
";

fn site(relative_urls: bool) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("site.toml"),
        format!("title = \"测试\"\nbase_url = \"/\"\nrelative_urls = {relative_urls}\n"),
    )
    .unwrap();
    let meeting = root.join("content/meetings/2024-10-21");
    std::fs::create_dir_all(&meeting).unwrap();
    std::fs::write(meeting.join("_index.md"), MEETING).unwrap();
    std::fs::write(meeting.join("01-wanzhou.md"), WANZHOU).unwrap();
    std::fs::write(meeting.join("02-nanan.md"), NANAN).unwrap();
    let report =
        build(&BuildOptions { root: root.to_path_buf(), ..BuildOptions::default() }).unwrap();
    (dir, report.output)
}

/// Serves `dir` on a free loopback port until the test process ends; returns the port.
fn serve(dir: PathBuf) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let dir = dir.clone();
            std::thread::spawn(move || {
                let _ = respond(stream, &dir);
            });
        }
    });
    port
}

fn respond(mut stream: TcpStream, dir: &Path) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" {
            break;
        }
    }
    let target = request.split(' ').nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let mut file = dir.to_path_buf();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        if part == ".." {
            return stream.write_all(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
        }
        file.push(part);
    }
    if path.ends_with('/') {
        file.push("index.html");
    }
    let Ok(mut f) = std::fs::File::open(&file) else {
        return stream.write_all(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
    };
    let mut body = Vec::new();
    f.read_to_end(&mut body)?;
    let kind = match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("json") => "application/json",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        _ => "application/octet-stream",
    };
    write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(&body)
}

fn on_path(name: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths).map(|p| p.join(name)).find(|p| p.is_file())
}

/// True where the browser tests must run: in CI, or when asked for.
fn browser_required() -> bool {
    std::env::var_os("CI").is_some() || std::env::var("YILU_REQUIRE_BROWSER").as_deref() == Ok("1")
}

/// The Chromium binary, or None when it is missing outside CI (the test then skips).
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("YILU_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let found =
        ["chromium", "chromium-browser", "google-chrome", "chrome"].iter().find_map(|n| on_path(n));
    if found.is_none() && !browser_required() {
        eprintln!(
            "SKIPPED the search page browser test: no chromium on PATH \
             (apt-get install chromium fonts-noto-cjk; CI requires it)"
        );
        return None;
    }
    Some(found.expect(
        "headless Chromium is required here (CI or YILU_REQUIRE_BROWSER=1): \
         apt-get install chromium fonts-noto-cjk, or set YILU_CHROMIUM",
    ))
}

/// Loads `url` in headless Chromium and returns the DOM after scripts ran.
fn dump_dom(browser: &Path, url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=5000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", browser.display()));
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = String::new();
        stdout.read_to_string(&mut out).map(|_| out)
    });
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("chromium did not finish loading {url} within 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut err = String::new();
    let _ = child.stderr.take().unwrap().read_to_string(&mut err);
    let dom = reader.join().unwrap().unwrap();
    assert!(dom.contains("</html>"), "no DOM from chromium for {url}; stderr:\n{err}");
    dom
}

/// The `<ol id="search-results">…</ol>` element and the status line.
fn results(dom: &str) -> (&str, &str) {
    let list = dom
        .split_once("id=\"search-results\"")
        .and_then(|(_, rest)| rest.split_once("</ol>"))
        .map(|(list, _)| list)
        .unwrap_or_else(|| panic!("no results list in:\n{dom}"));
    let status = dom
        .split_once("id=\"search-status\"")
        .and_then(|(_, rest)| rest.split_once("</p>"))
        .map(|(s, _)| s)
        .unwrap_or("");
    (list, status)
}

#[test]
fn search_page_finds_a_district_in_the_browser() {
    let Some(browser) = chromium() else { return };
    let (_dir, public) = site(false);
    assert!(public.join("search/meta.js").is_file());
    let port = serve(public);

    // ?q=万州
    let dom = dump_dom(&browser, &format!("http://127.0.0.1:{port}/search/?q=%E4%B8%87%E5%B7%9E"));
    let (list, status) = results(&dom);
    assert!(
        list.contains(r#"href="../meetings/2024-10-21/wanzhou/""#),
        "万州区 speech not in the results:\n{list}"
    );
    assert!(!list.contains("nanan"), "{list}");
    assert!(list.contains("<mark>万州</mark>"), "{list}");
    assert!(status.contains("找到 1 篇发言"), "{status}");

    // Every bigram of 区固投 is in the Nanan speech (南岸区, 固投), the phrase nowhere.
    let dom = dump_dom(
        &browser,
        &format!("http://127.0.0.1:{port}/search/?q=%E5%8C%BA%E5%9B%BA%E6%8A%95"),
    );
    let (list, status) = results(&dom);
    assert!(!list.contains("<li"), "{list}");
    assert!(status.contains("没有找到"), "{status}");
}

#[test]
fn search_page_links_work_with_relative_urls() {
    let Some(browser) = chromium() else { return };
    let (_dir, public) = site(true);
    let port = serve(public);
    // ?q=固投 新质: both terms, in the Nanan speech only.
    let dom = dump_dom(
        &browser,
        &format!(
            "http://127.0.0.1:{port}/search/index.html?q=%E5%9B%BA%E6%8A%95+%E6%96%B0%E8%B4%A8"
        ),
    );
    let (list, _) = results(&dom);
    assert!(list.contains(r#"href="../meetings/2024-10-21/nanan/index.html""#), "{list}");
    assert!(!list.contains("wanzhou"), "{list}");
}

/// search.js tokenizes and hashes exactly like src/search/tokenize.rs.
#[test]
fn browser_tokenizer_matches_rust() {
    let Some(node) = on_path("node") else {
        assert!(!browser_required(), "node is required here (CI or YILU_REQUIRE_BROWSER=1)");
        eprintln!("SKIPPED the search.js tokenizer check: node is not on PATH");
        return;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/static/js/search.js");
    let samples = [
        "万州区GDP增长6.6%",
        "新质生产力",
        "5G基站 “3710”改革 4.0版",
        "ＧＤＰ增长６．６％　Ｈello世界",
        "市 长，一、建体系",
        "版本1.2.3结束. v1. a.b",
        "〇𠀀𠀁ありがとう漢",
        "",
    ];
    let program = format!(
        "const s = require({script:?});\n\
         const samples = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n\
         process.stdout.write(JSON.stringify(samples.map(t => s.tokenize(t).map(k => [k, s.tokenHash(k)]))));",
        script = script.display().to_string()
    );
    let mut child = Command::new(node)
        .arg("-e")
        .arg(program)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&samples).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let from_js: Vec<Vec<(String, u32)>> = serde_json::from_slice(&out.stdout).unwrap();
    for (text, js) in samples.iter().zip(from_js) {
        let mut rust = Vec::new();
        yilu::search::tokenize::tokenize_with(text, |t| {
            rust.push((t.text(), yilu::search::tokenize::token_hash(&t)));
        });
        assert_eq!(rust, js, "tokens of {text:?}: Rust left, search.js right");
    }
}
