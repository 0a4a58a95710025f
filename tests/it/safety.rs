//! The build never destroys what it did not create, and hostile text never runs or breaks an
//! output (issue: "Safety"). Every case goes through the `yilu` binary, as a user would meet it.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crate::support::*;

fn yilu(args: &[&str], root: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yilu")).args(args).current_dir(root).output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn assert_refused(out: &Output, needle: &str, case: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "{case}: exit status; stderr: {err}");
    assert!(err.contains(needle), "{case}: stderr lacks {needle:?}: {err}");
}

fn set_output_dir(root: &Path, dir: &str) {
    let toml = fs::read_to_string(root.join("site.toml")).unwrap();
    fs::write(root.join("site.toml"), format!("output_dir = {dir:?}\n{toml}")).unwrap();
}

#[test]
fn an_output_that_is_the_site_or_holds_it_or_lies_in_its_sources_is_refused() {
    let (tmp, root) = copy_site("basic");
    fs::create_dir_all(root.join("themes/default")).unwrap();
    fs::create_dir_all(root.join("static")).unwrap();
    let before = tree(tmp.path());
    let outside = tmp.path().to_str().unwrap().to_string();
    let cases: &[(&[&str], &str)] = &[
        (&["build", "--output", "."], "site folder itself"),
        (&["build", "--output", "./"], "site folder itself"),
        (&["build", "--output", "content/.."], "site folder itself"),
        (&["build", "--output", ".."], "holds the site folder"),
        (&["build", "--output", &outside], "holds the site folder"),
        (&["build", "--output", "content"], "content/ folder"),
        (&["build", "--output", "content/meetings/public"], "content/ folder"),
        (&["build", "--output", "themes/default"], "themes/ folder"),
        (&["build", "--output", "static/out"], "static/ folder"),
        // --force replaces a foreign folder, never the site or its sources.
        (&["build", "--force", "--output", "."], "site folder itself"),
        (&["build", "--force", "--output", "content"], "content/ folder"),
    ];
    for (args, needle) in cases {
        assert_refused(&yilu(args, &root), needle, &args.join(" "));
        assert_eq!(tree(tmp.path()), before, "{}: files changed", args.join(" "));
    }
    for dir in [".", "", "content"] {
        let (_tmp, root) = copy_site("basic");
        let before = tree(&root);
        set_output_dir(&root, dir);
        let out = yilu(&["build"], &root);
        assert_eq!(out.status.code(), Some(1), "output_dir {dir:?}: {}", stderr(&out));
        let mut after = tree(&root);
        after.insert("site.toml".into(), before["site.toml"].clone());
        assert_eq!(after, before, "output_dir {dir:?}: files changed");
    }
}

#[test]
fn a_file_or_a_foreign_non_empty_folder_is_never_replaced() {
    let (tmp, root) = copy_site("basic");
    fs::write(root.join("README.md"), "# my notes\n").unwrap();
    let out = yilu(&["build", "--output", "README.md"], &root);
    assert_refused(&out, "is a file", "--output README.md");
    assert_eq!(fs::read_to_string(root.join("README.md")).unwrap(), "# my notes\n");

    // A folder of someone else's files beside the site.
    let foreign = tmp.path().join("some-folder");
    fs::create_dir_all(foreign.join("sub")).unwrap();
    fs::write(foreign.join("thesis.docx"), "years of work").unwrap();
    let out = yilu(&["build", "--output", "../some-folder"], &root);
    assert_refused(&out, "not made by yilu", "--output ../some-folder");
    assert!(stderr(&out).contains("--force"), "says how to go on: {}", stderr(&out));
    assert_eq!(fs::read_to_string(foreign.join("thesis.docx")).unwrap(), "years of work");

    // An empty folder is fine, and what a build made it may replace again.
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    for _ in 0..2 {
        let out = yilu(&["build", "--output", "../empty"], &root);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(empty.join(".yilu-output").is_file(), "the build marks its output");
        assert!(empty.join("index.html").is_file());
    }
    // --force is the user's word that the folder may go.
    let out = yilu(&["build", "--force", "--output", "../some-folder"], &root);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!foreign.join("thesis.docx").exists());
    assert!(foreign.join("index.html").is_file());
}

#[test]
fn heading_attributes_never_become_html_attributes() {
    let (tmp, root) = copy_site("basic");
    let speech = root.join("content/meetings/2024-10-21/01-wanzhou.md");
    let text = fs::read_to_string(&speech).unwrap();
    fs::write(
        &speech,
        format!(
            "{text}\n## 标题 {{onmouseover=alert(1) style=position:fixed .evil}}\n\n正文。\n\n## 方法 {{#methods}}\n\n说明。\n"
        ),
    )
    .unwrap();
    let out = tmp.path().join("public");
    let built = yilu(&["build", "--output", out.to_str().unwrap()], &root);
    assert!(built.status.success(), "{}", stderr(&built));
    let page = read(&out, "meetings/2024-10-21/wanzhou/index.html");
    assert!(!page.contains("onmouseover"), "event handler attribute reached the page");
    assert!(!page.contains("class=\"evil\"") && !page.contains("position:fixed"));
    assert!(page.contains("<h2 id=\"methods\">方法</h2>"), "a safe id is kept");

    // Through ingest: a section line carrying an attribute block stays text.
    let (tmp, root) = copy_site("basic");
    fs::remove_dir_all(root.join("content/meetings")).unwrap();
    let fixture = fs::read_to_string("tests/fixtures/chongqing-2024-10-21.txt").unwrap();
    let (line, _) =
        fixture.lines().enumerate().find(|(_, l)| l.trim_start().starts_with("一、")).unwrap();
    let mut lines: Vec<String> = fixture.lines().map(String::from).collect();
    lines[line] = lines[line].replacen('。', " {onmouseover=alert(document.domain)}。", 1);
    let input = tmp.path().join("2024-10-21.txt");
    fs::write(&input, lines.join("\n")).unwrap();
    let ingested = yilu(&["ingest", input.to_str().unwrap(), "--out", "content"], &root);
    assert!(ingested.status.success(), "{}", stderr(&ingested));
    let out = tmp.path().join("public");
    let built = yilu(&["build", "--output", out.to_str().unwrap()], &root);
    assert!(built.status.success(), "{}", stderr(&built));
    let pages: Vec<String> = tree(&out)
        .into_iter()
        .filter(|(rel, _)| rel.ends_with(".html"))
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .collect();
    assert!(pages.iter().all(|p| !p.contains("onmouseover=\"")), "attribute from a transcript");
    assert!(
        pages.iter().any(|p| p.contains("{onmouseover=alert(document.domain)}")),
        "shown as text"
    );
}

#[test]
fn non_finite_numbers_are_refused_and_huge_ones_chart_in_bounded_time() {
    let (tmp, root) = copy_site("basic");
    let speech = root.join("content/meetings/2024-10-21/01-wanzhou.md");
    let text = fs::read_to_string(&speech).unwrap();
    let (line, gdp) =
        text.lines().enumerate().find(|(_, l)| l.trim_start().starts_with("gdp:")).unwrap();
    let indent = &gdp[..gdp.find('g').unwrap()];
    for bad in [".nan", ".inf", "-.inf"] {
        fs::write(&speech, text.replacen(gdp, &format!("{indent}gdp: {bad}"), 1)).unwrap();
        let out = yilu(&["build", "--output", tmp.path().join("o").to_str().unwrap()], &root);
        let place = format!("01-wanzhou.md:{}:", line + 1);
        assert_refused(&out, &place, bad);
        assert_refused(&out, "finite number", bad);
    }
    // 1.7e308 is finite: the chart's scale must stay finite and its tick loop end.
    fs::write(&speech, text.replacen(gdp, &format!("{indent}gdp: 1.7e308"), 1)).unwrap();
    let out = tmp.path().join("public");
    let built = yilu(&["build", "--output", out.to_str().unwrap()], &root);
    assert!(built.status.success(), "{}", stderr(&built));
    let page = read(&out, "districts/wanzhou/index.html");
    assert!(!page.contains("NaN") && !page.contains("inf\""), "chart coordinates are finite");
}

#[test]
fn xml_illegal_characters_never_reach_feeds_or_charts() {
    let (tmp, root) = copy_site("basic");
    let speech = root.join("content/meetings/2024-10-21/01-wanzhou.md");
    let text = fs::read_to_string(&speech).unwrap();
    let text = text.replacen("title: ", "title: 坏\u{fffe}字\u{ffff}符\u{1}号", 1);
    fs::write(&speech, format!("{text}\n正文\u{0}有\u{b}控制符。\n")).unwrap();
    let out = tmp.path().join("public");
    let built = yilu(&["build", "--output", out.to_str().unwrap()], &root);
    assert!(built.status.success(), "{}", stderr(&built));
    for (rel, bytes) in tree(&out) {
        let text = String::from_utf8_lossy(&bytes);
        let bad = text.chars().find(|&c| {
            matches!(c, '\u{fffe}' | '\u{ffff}') || ((c as u32) < 0x20 && !"\t\n\r".contains(c))
        });
        assert!(bad.is_none(), "{rel} holds {bad:?}");
    }
    assert!(read(&out, "atom.xml").contains("坏字符号"));
}

#[test]
fn staging_folders_of_killed_builds_are_swept() {
    let (tmp, root) = copy_site("basic");
    // A process id above the kernel's maximum can never be running.
    let pid_max: u64 = fs::read_to_string("/proc/sys/kernel/pid_max")
        .map(|s| s.trim().parse().unwrap())
        .unwrap_or(4_194_304);
    let dead = pid_max + 1;
    let stale = [format!(".public.yilu-staging-{dead}"), format!(".public.yilu-old-{dead}")];
    for name in &stale {
        fs::create_dir_all(tmp.path().join(name).join("meetings")).unwrap();
        fs::write(tmp.path().join(name).join("index.html"), "left by kill -9").unwrap();
    }
    // One of a build that is still running (this test's own process) is left alone.
    let live = tmp.path().join(format!(".public.yilu-staging-{}", std::process::id()));
    fs::create_dir(&live).unwrap();
    let out = tmp.path().join("public");
    let built = yilu(&["build", "--output", out.to_str().unwrap()], &root);
    assert!(built.status.success(), "{}", stderr(&built));
    for name in &stale {
        assert!(!tmp.path().join(name).exists(), "{name} not swept");
    }
    assert!(live.exists(), "a running build's staging folder was removed");
}

#[cfg(unix)]
#[test]
fn meetings_and_speeches_behind_symbolic_links_are_built() {
    let (tmp, root) = copy_site("basic");
    let meetings = root.join("content/meetings");
    let elsewhere = tmp.path().join("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    // One meeting folder is a link; in another, one speech file is a link.
    fs::rename(meetings.join("2024-10-21"), elsewhere.join("2024-10-21")).unwrap();
    std::os::unix::fs::symlink(elsewhere.join("2024-10-21"), meetings.join("2024-10-21")).unwrap();
    fs::rename(meetings.join("2025-01-20/01-wanzhou.md"), elsewhere.join("01-wanzhou.md")).unwrap();
    std::os::unix::fs::symlink(
        elsewhere.join("01-wanzhou.md"),
        meetings.join("2025-01-20/01-wanzhou.md"),
    )
    .unwrap();
    let out = tmp.path().join("public");
    let built = yilu(&["build", "--output", out.to_str().unwrap()], &root);
    assert!(built.status.success(), "{}", stderr(&built));
    assert!(out.join("meetings/2024-10-21/wanzhou/index.html").is_file());
    assert!(out.join("meetings/2025-01-20/wanzhou/index.html").is_file());

    // A link loop is a problem with its place, not a hang or a silent skip.
    std::os::unix::fs::symlink(&meetings, meetings.join("2025-01-20/loop")).unwrap();
    let built = yilu(&["build", "--output", out.to_str().unwrap()], &root);
    let err = stderr(&built);
    assert_eq!(built.status.code(), Some(1), "{err}");
    assert!(err.contains("loop"), "{err}");
}

#[test]
fn ingest_leaves_out_absurd_figures_with_a_warning() {
    let (tmp, root) = copy_site("basic");
    fs::remove_dir_all(root.join("content/meetings")).unwrap();
    let fixture = fs::read_to_string("tests/fixtures/chongqing-2024-10-21.txt").unwrap();
    assert!(fixture.contains("GDP增长6.6%"));
    // A value past ±10⁶ is left out with a warning; one of 308 digits is not read as a number.
    for (i, huge) in ["GDP增长17000000%".to_string(), format!("GDP增长17{}%", "0".repeat(307))]
        .iter()
        .enumerate()
    {
        let _ = fs::remove_dir_all(root.join("content/meetings"));
        let input = tmp.path().join(format!("digest-{i}.txt"));
        fs::write(&input, fixture.replacen("GDP增长6.6%", huge, 1)).unwrap();
        let out =
            yilu(&["ingest", input.to_str().unwrap(), "--year", "2024", "--out", "content"], &root);
        let err = stderr(&out);
        assert!(out.status.success(), "{err}");
        if i == 0 {
            assert!(err.contains("speech 1: metrics.gdp = 17000000 is not a believable"), "{err}");
        }
        let meeting = root.join("content/meetings/2024-10-21");
        let speech = fs::read_to_string(meeting.join("01-wanzhou.md")).unwrap();
        assert!(!speech.contains("gdp:") && !speech.contains("e+"), "{speech}");
        assert!(speech.contains("industrial_value_added: 11.2"), "the others stay: {speech}");
    }
    let built = yilu(&["build", "--output", tmp.path().join("o").to_str().unwrap()], &root);
    assert!(built.status.success(), "{}", stderr(&built));
}
