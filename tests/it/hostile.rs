//! Hostile and broken input through the `yilu` binary: each case exits with status 1 and a
//! message naming the file and the problem (or, for hostile text, builds a safe page), writes
//! nothing outside its output folder, and leaves the previous output untouched. The library-level
//! messages are pinned in build.rs and ingest.rs; this module pins the command line's contract.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crate::support::*;

const FIXTURE: &str = "tests/fixtures/chongqing-2024-10-21.txt";

fn yilu(args: &[&str], root: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yilu")).args(args).current_dir(root).output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The names directly inside `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into())
        .collect();
    names.sort();
    names
}

/// Asserts `out` failed with status 1 and a stderr containing every `needle`.
fn assert_fails(out: &Output, needles: &[&str], case: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "{case}: exit status; stderr: {err}");
    for needle in needles {
        assert!(err.contains(needle), "{case}: stderr lacks {needle:?}: {err}");
    }
}

/// A transcript of 200 MB as a sparse file: its size is real, its blocks are not written.
fn huge_file(path: &Path) {
    let file = fs::File::create(path).unwrap();
    file.set_len(200 * 1024 * 1024).unwrap();
}

#[test]
fn garbage_transcripts_exit_1_and_leave_content_untouched() {
    let (tmp, root) = copy_site("basic");
    let inputs = tmp.path().join("inputs");
    fs::create_dir_all(&inputs).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.txt", Vec::new(), "empty"),
        ("binary.txt", b"\x7fELF\x02\x01\x01\0\0\0\0\0".to_vec(), "binary"),
        ("gbk.txt", b"\xca\xd0\xce\xaf\xd5\xd9\xbf\xaa\xc0\xfd\xbb\xe1".to_vec(), "not UTF-8"),
        (
            "no-speakers.txt",
            "市委召开全会\n\n会议听取了工作报告。\n\n会议强调，要坚定信心。\n".as_bytes().to_vec(),
            "speaker",
        ),
        ("huge.txt", Vec::new(), "transcripts over 32 MiB are refused"),
    ];
    let before = tree(&root);
    for (name, bytes, needle) in &cases {
        let path = inputs.join(name);
        if *name == "huge.txt" {
            huge_file(&path);
        } else {
            fs::write(&path, bytes).unwrap();
        }
        let out =
            yilu(&["ingest", path.to_str().unwrap(), "--year", "2024", "--out", "content"], &root);
        assert_fails(&out, &[name, needle], name);
        assert_eq!(tree(&root), before, "{name}: the site changed");
    }
    assert_eq!(listing(tmp.path()), ["inputs", "site"], "wrote outside the content folder");
}

/// Markup an attacker might put into a transcript or a hand-written speech.
const EVIL: &str = "<script>alert('lead')</script>点击[这里](javascript:alert(1))或[那里]( JavaScript:alert(2) )，\
                    <img src=x onerror=alert(3)>，[数据](data:text/html;base64,PHNjcmlwdD4=)。\
                    [正常](https://example.org/) [邮件](mailto:a@example.org) [相对](../x/)";

/// No live markup from `EVIL` on any page of `out`: no script or event-handler element, no
/// link whose target has a scheme other than http(s) or mailto.
fn assert_inert(out: &Path) {
    let sel =
        scraper::Selector::parse("script, img, b, [onerror], [onmouseover], a[href]").unwrap();
    for (rel, bytes) in tree(out).iter().filter(|(r, _)| r.ends_with(".html")) {
        let doc = scraper::Html::parse_document(std::str::from_utf8(bytes).unwrap());
        for el in doc.select(&sel) {
            let v = el.value();
            match v.name() {
                "script" => {
                    assert!(
                        v.attr("src").is_some_and(
                            |s| s.ends_with("/js/sort.js") || s.ends_with("/js/search.js")
                        ),
                        "{rel}: inline script"
                    )
                }
                "a" => {
                    let href = v.attr("href").unwrap().trim().to_ascii_lowercase();
                    let scheme = href.split_once(':').map(|(s, _)| s).filter(|s| !s.contains('/'));
                    assert!(
                        matches!(scheme, None | Some("http" | "https" | "mailto")),
                        "{rel}: link to {href}"
                    );
                }
                other => panic!("{rel}: <{other}> from content reached the page"),
            }
        }
    }
}

#[test]
fn scripts_and_javascript_links_in_a_transcript_are_shown_as_text() {
    let (tmp, root) = copy_site("basic");
    fs::remove_dir_all(root.join("content/meetings")).unwrap();
    let text = fs::read_to_string(FIXTURE).unwrap();
    // Into the first speech's lead (after its speaker line), and into a speech's headline.
    let speaker = "市委常委、万州区委书记 卢红";
    assert!(text.contains(speaker));
    let text = text.replacen(speaker, &format!("{speaker}\n\n{EVIL}\n"), 1).replacen(
        "发挥比较优势",
        "<b onmouseover=alert(4)>发挥比较优势",
        1,
    );
    let input = tmp.path().join("2024-10-21.txt");
    fs::write(&input, text).unwrap();
    let ingested = yilu(&["ingest", input.to_str().unwrap(), "--out", "content"], &root);
    assert!(ingested.status.success(), "{}", stderr(&ingested));
    let out = tmp.path().join("public");
    build_ok(&root, &out);
    assert_inert(&out);
    // Ingest escapes Markdown syntax in transcript text, so the reader sees exactly what was
    // printed: tags and link syntax as text.
    let speech = read(&out, "meetings/2024-10-21/wanzhou/index.html");
    assert!(speech.contains("&lt;script&gt;alert("), "raw HTML shown as text");
    assert!(speech.contains("&lt;img src=x onerror=alert(3)&gt;"));
    assert!(speech.contains("[这里](javascript:alert(1))"), "link syntax shown as text");
    let nanan = read(&out, "meetings/2024-10-21/nanan/index.html");
    assert!(nanan.contains("&lt;b onmouseover=alert(4)&gt;发挥比较优势"), "headline escaped");
}

#[test]
fn scripts_and_javascript_links_in_hand_written_markdown_are_neutralised() {
    let (tmp, root) = copy_site("basic");
    let speech = "---\ntitle: \"<script>alert(5)</script>标题\"\norg: 万州\nslug: evil\n---\n\n";
    fs::write(
        root.join("content/meetings/2024-10-21/05-evil.md"),
        format!("{speech}{EVIL}\n\n引言。{EVIL}\n"),
    )
    .unwrap();
    let out = tmp.path().join("public");
    build_ok(&root, &out);
    assert_inert(&out);
    let page = read(&out, "meetings/2024-10-21/evil/index.html");
    // A paragraph opening with a tag is an HTML block: shown as text, links and all. Inline,
    // tags are escaped and link targets checked.
    assert!(page.contains("<h1>&lt;script&gt;alert(5)&lt;/script&gt;标题</h1>"), "{page}");
    assert!(page.contains("&lt;script&gt;alert("), "raw HTML shown as text");
    assert!(page.contains(r##"<a href="#">这里</a>"##), "javascript: link neutralised");
    assert!(page.contains(r##"<a href="#">那里</a>"##), "spaced, mixed-case scheme too");
    assert!(page.contains(r##"<a href="#">数据</a>"##), "data: link neutralised");
    assert!(page.contains(r#"<a href="https://example.org/">正常</a>"#));
    assert!(page.contains(r#"<a href="mailto:a@example.org">邮件</a>"#));
    assert!(page.contains(r#"<a href="../x/">相对</a>"#));
}

/// Builds `root` into `out` through the binary; panics unless it succeeds.
fn build_ok(root: &Path, out: &Path) {
    let built = yilu(&["build", "--output", out.to_str().unwrap()], root);
    assert!(built.status.success(), "{}", stderr(&built));
}

#[test]
fn broken_content_exits_1_and_keeps_the_previous_output() {
    type Break = fn(&Path);
    let cases: [(&str, Break, &[&str]); 8] = [
        (
            "malformed YAML",
            |r| {
                fs::write(
                    r.join("content/meetings/2024-10-21/02-nanan.md"),
                    "---\ntitle: [x\n---\n",
                )
                .unwrap()
            },
            &["02-nanan.md:2:8:", "`[` is not closed", "hint: close it with `]`"],
        ),
        (
            "wrong types",
            |r| {
                fs::write(
                    r.join("content/meetings/2024-10-21/02-nanan.md"),
                    "---\ntitle: t\norder: first\ndraft: maybe\nfigures: 3\n---\n",
                )
                .unwrap()
            },
            &["02-nanan.md:3:8: order: invalid type"],
        ),
        (
            "meeting front matter of the wrong shape",
            |r| {
                fs::write(r.join("content/meetings/2024-10-21/_index.md"), "---\n- a\n- b\n---\n")
                    .unwrap()
            },
            &["_index.md:2:1:", "mapping"],
        ),
        (
            "slug with a slash",
            |r| {
                fs::write(
                    r.join("content/meetings/2024-10-21/05-x.md"),
                    "---\ntitle: x\nslug: a/b\n---\n",
                )
                .unwrap()
            },
            &["05-x.md", "slug: \"a/b\" must be lowercase"],
        ),
        (
            "slug with ../",
            |r| {
                fs::write(
                    r.join("content/meetings/2024-10-21/05-x.md"),
                    "---\ntitle: x\nslug: ../../x\n---\n",
                )
                .unwrap()
            },
            &["05-x.md", "slug: \"../../x\" must be lowercase"],
        ),
        (
            "site.toml organisation slug with ../",
            |r| {
                let toml = fs::read_to_string(r.join("site.toml")).unwrap();
                fs::write(
                    r.join("site.toml"),
                    toml.replace("slug = \"moumou\"", "slug = \"../../evil\""),
                )
                .unwrap()
            },
            &["site.toml:6:1: organisations[0] (某某新区): slug \"../../evil\" must be lowercase"],
        ),
        (
            "template error",
            |r| {
                let dir = r.join("themes/default/templates");
                fs::create_dir_all(&dir).unwrap();
                fs::write(dir.join("district.html"), "{% extends \"base.html\" %}\n{% block content %}{{ org.name | nosuchfilter }}{% endblock content %}").unwrap()
            },
            &["district.html", "nosuchfilter"],
        ),
        (
            "two speeches with one URL",
            |r| {
                fs::write(
                    r.join("content/meetings/2024-10-21/05-again.md"),
                    "---\ntitle: 又是南岸\norg: 南岸区\n---\n",
                )
                .unwrap()
            },
            &["two speeches map to the same URL /meetings/2024-10-21/nanan/"],
        ),
    ];
    for (case, breaks, needles) in cases {
        let (tmp, root) = copy_site("basic");
        let out = tmp.path().join("public");
        build_ok(&root, &out);
        let before = tree(&out);
        breaks(&root);
        let failed = yilu(&["build", "--output", out.to_str().unwrap()], &root);
        assert_fails(&failed, needles, case);
        assert!(tree(&out) == before, "{case}: the previous output changed");
        assert_eq!(listing(tmp.path()), ["public", "site"], "{case}: wrote outside the output");
    }
}

#[test]
fn hostile_organisation_names_get_safe_pages() {
    let (tmp, root) = copy_site("basic");
    let dir = root.join("content/meetings/2024-10-21");
    for (file, org) in
        [("05-a.md", "../../../tmp/x"), ("06-b.md", "/etc/passwd"), ("07-c.md", "..")]
    {
        fs::write(dir.join(file), format!("---\ntitle: x\norg: \"{org}\"\n---\n")).unwrap();
    }
    let out = tmp.path().join("public");
    build_ok(&root, &out);
    assert_eq!(listing(tmp.path()), ["public", "site"], "wrote outside the output");
    for slug in ["tmp-x", "etc-passwd", "x"] {
        assert!(out.join("districts").join(slug).join("index.html").is_file(), "{slug}");
    }
    // Every file is under the output folder, with plain segments only.
    for rel in tree(&out).keys() {
        assert!(rel.split('/').all(|s| !s.is_empty() && s != ".." && s != "."), "odd path {rel}");
    }
    let page = read(&out, "districts/tmp-x/index.html");
    assert!(page.contains("../../../tmp/x"), "the name itself is shown as text");
}

#[test]
fn build_without_site_toml_exits_1_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("empty");
    fs::create_dir_all(&empty).unwrap();
    let out = yilu(&["build"], &empty);
    assert_fails(&out, &["site.toml", "yilu init"], "no site.toml");
    assert_eq!(listing(&empty), Vec::<String>::new());
}

/// A site.toml but no content/: a site with no meetings yet. It builds (home, lists, search and
/// 404 pages) and says so in a warning, so a wrong --root is noticed.
#[test]
fn build_without_content_folder_warns_and_builds_an_empty_site() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    fs::write(root.join("site.toml"), "title = \"x\"\nbase_url = \"https://x.org/\"\n").unwrap();
    let out = yilu(&["build"], root);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("warning: content/meetings: no such folder, so the site has no meetings"),
        "{err}"
    );
    assert!(err.contains("(0 meetings, 0 speeches)"), "{err}");
    assert!(root.join("public/index.html").is_file() && root.join("public/atom.xml").is_file());
}
