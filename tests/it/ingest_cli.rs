//! `yilu ingest` through the binary: the command line's contract for dates, `--force`, `--root`,
//! folders, news pages, hostile and broken text, and write failures. Each test pins one issue
//! item; messages must name the transcript (and its line where there is one).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::ingest::assert_ground_truth;

const FIXTURE: &str = "tests/fixtures/chongqing-2024-10-21.txt";

fn yilu(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yilu")).args(args).current_dir(dir).output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn fixture_text() -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE)).unwrap()
}

/// A temp folder with a `site.toml`, and the fixture copied in as `name`.
fn site_with(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("site.toml"), "title = \"t\"\n").unwrap();
    let input = tmp.path().join(name);
    fs::write(&input, text).unwrap();
    (tmp, input)
}

/// Every path under `dir`, relative, sorted (folders too).
fn listing(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .map(|e| e.unwrap().path().strip_prefix(dir).unwrap().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

fn assert_fails(out: &Output, needles: &[&str], case: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "{case}: exit status; stderr: {err}");
    for needle in needles {
        assert!(err.contains(needle), "{case}: stderr lacks {needle:?}: {err}");
    }
}

#[test]
fn a_year_outside_1949_to_2100_is_refused() {
    let (tmp, input) = site_with("digest.txt", &fixture_text());
    for year in ["24", "0", "2101"] {
        let out = yilu(&["ingest", input.to_str().unwrap(), "--year", year], tmp.path());
        assert_fails(&out, &["digest.txt", "1949", &format!("--year {year}")], year);
        assert!(!tmp.path().join("content").exists(), "{year}: wrote files");
    }
    let out = yilu(&["ingest", input.to_str().unwrap(), "--date", "0024-10-21"], tmp.path());
    assert_fails(&out, &["1949"], "--date 0024");
}

#[test]
fn flags_contradicting_the_printed_date_need_force() {
    let text = fixture_text().replacen("10月21日上午", "2025年1月20日上午", 1);
    let (tmp, input) = site_with("digest.txt", &text);
    let path = input.to_str().unwrap();
    let out = yilu(&["ingest", path, "--date", "2024-01-01"], tmp.path());
    assert_fails(&out, &["digest.txt", "2025-01-20", "2024-01-01", "--force"], "--date");
    let out = yilu(&["ingest", path, "--year", "2024"], tmp.path());
    assert_fails(&out, &["2025-01-20", "2024-01-20"], "--year");
    assert!(!tmp.path().join("content").exists());
    // The printed date when the flag agrees; the flag with --force.
    assert!(yilu(&["ingest", path, "--date", "2025-01-20"], tmp.path()).status.success());
    let out = yilu(&["ingest", path, "--date", "2024-01-01", "--force"], tmp.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("--date 2024-01-01 wins"), "{}", stderr(&out));
    assert!(tmp.path().join("content/meetings/2024-01-01/01-wanzhou.md").is_file());
}

/// The fixture without its last `n` speeches (each speech: headline and speaker line + body).
fn fewer_speeches(n: usize) -> String {
    let text = fixture_text();
    let blocks: Vec<&str> = text.split("\n\n").filter(|b| !b.trim().is_empty()).collect();
    let speakers: Vec<usize> = (0..blocks.len())
        .filter(|&i| yilu::ingest::transcript::speaker_line(blocks[i].trim()).is_some())
        .collect();
    let cut = speakers[speakers.len() - n] - 1;
    blocks[..cut].join("\n\n")
}

#[test]
fn force_replaces_the_generated_files_as_a_whole_and_keeps_hand_added_ones() {
    let (tmp, input) = site_with("digest.txt", &fixture_text());
    let path = input.to_str().unwrap();
    assert!(yilu(&["ingest", path, "--year", "2024"], tmp.path()).status.success());
    let folder = tmp.path().join("content/meetings/2024-10-21");
    fs::write(folder.join("notes.txt"), "my notes").unwrap();
    fs::create_dir(folder.join("photos")).unwrap();
    fs::write(folder.join("photos/1.jpg"), "jpeg").unwrap();
    fs::write(folder.join("10-meifu.md"), "hand edited").unwrap();

    // Without --force: refused, nothing changes.
    fs::write(&input, fewer_speeches(2)).unwrap();
    let before = listing(tmp.path());
    let out = yilu(&["ingest", path, "--year", "2024"], tmp.path());
    assert_fails(&out, &["01-wanzhou.md", "10-caizhengju.md", "--force"], "no --force");
    assert_eq!(listing(tmp.path()), before);

    // With --force: an 8-speech text leaves 8 speeches, not 10; hand-added files stay, listed.
    let out = yilu(&["ingest", path, "--year", "2024", "--force"], tmp.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let mut names = listing(&folder);
    names.retain(|n| n.ends_with(".md"));
    assert_eq!(names.len(), 9, "{names:?}");
    assert!(!folder.join("09-wansheng.md").exists() && !folder.join("10-meifu.md").exists());
    assert_eq!(fs::read_to_string(folder.join("notes.txt")).unwrap(), "my notes");
    assert_eq!(fs::read_to_string(folder.join("photos/1.jpg")).unwrap(), "jpeg");
    let report = stdout(&out);
    assert!(report.contains("kept 2 added by hand") && report.contains("notes.txt"), "{report}");
    assert!(report.contains("removed 3 of the earlier ingest"), "{report}");
    // No staging or old folders left behind; the site builds.
    assert_eq!(
        listing(&tmp.path().join("content")).iter().filter(|n| n.contains("yilu")).count(),
        0
    );
    let built = yilu(&["build", "--output", "public"], tmp.path());
    assert!(built.status.success(), "{}", stderr(&built));
}

#[test]
fn root_flag_writes_into_the_site_and_a_missing_site_toml_is_warned_of() {
    let (tmp, input) = site_with("digest.txt", &fixture_text());
    let elsewhere = tempfile::tempdir().unwrap();
    let root = tmp.path().to_str().unwrap();
    let out = yilu(
        &["ingest", input.to_str().unwrap(), "--year", "2024", "--root", root],
        elsewhere.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("site.toml"), "{}", stderr(&out));
    assert!(tmp.path().join("content/meetings/2024-10-21/_index.md").is_file());
    assert!(listing(elsewhere.path()).is_empty(), "wrote into the working folder");

    let out = yilu(&["ingest", input.to_str().unwrap(), "--year", "2024"], elsewhere.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("warning: ./site.toml: not found"), "{}", stderr(&out));

    // A --root that is not there is a typo, not a new site.
    let out =
        yilu(&["ingest", input.to_str().unwrap(), "--year", "2024", "--root", "sitte"], tmp.path());
    assert_fails(&out, &["sitte", "no such folder"], "--root typo");
    assert!(!tmp.path().join("sitte").exists());
}

#[test]
fn two_transcripts_of_one_date_are_told_what_works() {
    let (tmp, input) = site_with("a.txt", &fixture_text());
    let other = tmp.path().join("b.txt");
    fs::copy(&input, &other).unwrap();
    let out = yilu(&["ingest", "a.txt", "b.txt", "--year", "2024"], tmp.path());
    assert_fails(&out, &["b.txt", "a.txt", "--date YYYY-MM-DD", "merge the texts"], "two");
    assert!(!tmp.path().join("content").exists());
    // What the message advises works.
    let out = yilu(&["ingest", "a.txt", "--year", "2024"], tmp.path());
    assert!(out.status.success());
    let out = yilu(&["ingest", "b.txt", "--date", "2024-10-22"], tmp.path());
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_folder_given_to_ingest_suggests_a_glob() {
    let (tmp, _) = site_with("x.txt", "x");
    fs::create_dir(tmp.path().join("inputs")).unwrap();
    let out = yilu(&["ingest", "inputs", "--year", "2024"], tmp.path());
    assert_fails(&out, &["inputs", "folder", "yilu ingest inputs/*.txt"], "folder");
}

#[test]
fn news_pages_reproduce_the_ground_truth() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/html");
    let tmp = tempfile::tempdir().unwrap();
    let mut pages: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    pages.sort();
    assert!(pages.len() >= 5, "{pages:?}");
    for page in pages {
        let name = page.file_stem().unwrap().to_string_lossy().into_owned();
        let out = tmp.path().join(&name);
        let run = yilu(
            &["ingest", page.to_str().unwrap(), "--year", "2024", "--out", out.to_str().unwrap()],
            tmp.path(),
        );
        assert!(run.status.success(), "{name}: {}", stderr(&run));
        let folder = out.join("meetings/2024-10-21");
        let result = std::panic::catch_unwind(|| assert_ground_truth(&folder, true));
        assert!(result.is_ok(), "{name}: differs from the ground truth");
        let all: String =
            listing(&folder).iter().map(|f| fs::read_to_string(folder.join(f)).unwrap()).collect();
        for chrome in ["责任编辑", "来源：", "版权所有", "首页", "分享到", "打印", "热门文章"]
        {
            assert!(!all.contains(chrome), "{name}: {chrome} reached the content");
        }
    }
}

#[test]
fn deeply_nested_html_is_refused_quickly_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let page = format!("<html><body>{}<p>甲</p></body></html>", "<div>".repeat(100_000));
    fs::write(tmp.path().join("deep.html"), page).unwrap();
    let started = std::time::Instant::now();
    let out = yilu(&["ingest", "deep.html", "--year", "2024", "--out", "c"], tmp.path());
    assert_fails(&out, &["deep.html", "100000 deep", "512"], "deep");
    // Generous: it used to take 16 s; the refusal is a linear scan.
    assert!(started.elapsed().as_secs() < 10);
}

#[test]
fn many_speeches_of_one_organisation_get_unique_slugs() {
    let mut text = String::from("市委召开例会\n\n2024年10月21日，市委召开例会。\n\n");
    for k in 0..5000 {
        text.push_str(&format!("标题第{k}篇\n\n万州区委书记 卢红\n\n前三季度GDP增长6.6%。\n\n"));
    }
    let (tmp, input) = site_with("many.txt", &text);
    let out = yilu(&["ingest", input.to_str().unwrap(), "--quiet"], tmp.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let folder = tmp.path().join("content/meetings/2024-10-21");
    let names = listing(&folder);
    assert_eq!(names.len(), 5001);
    let slugs: std::collections::HashSet<String> = names
        .iter()
        .filter(|n| *n != "_index.md")
        .map(|n| n.split_once('-').unwrap().1.trim_end_matches(".md").to_string())
        .collect();
    assert_eq!(slugs.len(), 5000, "slugs are unique");
    assert!(slugs.contains("wanzhou") && slugs.contains("wanzhou-5000"));
    // The second speech carries its own slug, so the site gives it its own page.
    let second = fs::read_to_string(folder.join("0002-wanzhou-2.md")).unwrap();
    assert!(second.contains("slug: wanzhou-2"), "{second}");
}

#[test]
fn absurdly_long_names_give_capped_slugs_and_failed_writes_leave_nothing() {
    let org = "特别长的名字".repeat(8) + "区";
    let text = fixture_text().replacen("南岸区委书记 许洪斌", &format!("{org}委书记 许洪斌"), 1);
    let (tmp, input) = site_with("long.txt", &text);
    let out = yilu(&["ingest", input.to_str().unwrap(), "--year", "2024"], tmp.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let folder = tmp.path().join("content/meetings/2024-10-21");
    for name in listing(&folder) {
        assert!(name.len() <= 3 + yilu::ingest::MAX_SLUG_BYTES + 3, "{name}");
    }
    assert_eq!(listing(&folder).len(), 11);

    // A write that fails (meetings/ is a file, so no folder can be made in it): nothing new
    // remains, and the message names the transcript.
    let (tmp, input) = site_with("digest.txt", &fixture_text());
    fs::create_dir(tmp.path().join("content")).unwrap();
    fs::write(tmp.path().join("content/meetings"), "not a folder").unwrap();
    let before = listing(tmp.path());
    let out = yilu(&["ingest", input.to_str().unwrap(), "--year", "2024"], tmp.path());
    assert_fails(&out, &["digest.txt"], "meetings is a file");
    assert_eq!(listing(tmp.path()), before, "left files behind");
}

#[test]
fn invisible_characters_are_stripped_and_counted() {
    let text = fixture_text()
        .replacen("南岸区委书记 许洪斌", "南岸区委书记\u{200b} 许洪\u{7}斌", 1)
        .replacen("开州区委书记", "开州区\u{feff}委书记", 1);
    let line = text.lines().position(|l| l.contains('\u{200b}')).unwrap() + 1;
    let (tmp, input) = site_with("zw.txt", &text);
    let out = yilu(&["ingest", input.to_str().unwrap(), "--year", "2024"], tmp.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(&format!("zw.txt:{line}:7: removed 3 invisible characters")), "{err}");
    let folder = tmp.path().join("content/meetings/2024-10-21");
    assert_ground_truth(&folder, true);
}

#[test]
fn a_speaker_line_that_is_not_read_is_warned_of() {
    // Three speaker lines in a row broken (no space, no colon): their speeches run into the
    // first one, which grows to four times the others.
    let mut text = fixture_text();
    for line in ["南岸区委书记 许洪斌", "开州区委书记 蒲彬彬", "管委会主任 聂红焰"]
    {
        text = text.replacen(line, &line.replace(' ', ""), 1);
    }
    let line = text.lines().position(|l| l == "南岸区委书记许洪斌").unwrap() + 1;
    let (tmp, input) = site_with("broken.txt", &text);
    let out = yilu(&["ingest", input.to_str().unwrap(), "--year", "2024"], tmp.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("broken.txt:{line}:1: speech 1: a body line names 南岸区")),
        "{err}"
    );
    assert!(err.contains("two speeches may have run together"), "{err}");
}

#[test]
fn utf16_and_invalid_utf8_are_explained() {
    let tmp = tempfile::tempdir().unwrap();
    let text = fixture_text();
    let le: Vec<u8> =
        [0xff, 0xfe].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    fs::write(tmp.path().join("le.txt"), le).unwrap();
    fs::write(tmp.path().join("be.txt"), be).unwrap();
    for name in ["le.txt", "be.txt"] {
        let out = yilu(&["ingest", name, "--year", "2024", "--out", "c"], tmp.path());
        assert_fails(&out, &[name, "UTF-16", "iconv -f UTF-16 -t UTF-8"], name);
        assert!(!stderr(&out).contains("binary"), "{}", stderr(&out));
    }
    let mut bad = "第一行\n第二行\n第三".as_bytes().to_vec();
    bad.push(0xff);
    fs::write(tmp.path().join("bad.txt"), bad).unwrap();
    let out = yilu(&["ingest", "bad.txt", "--year", "2024", "--out", "c"], tmp.path());
    assert_fails(&out, &["bad.txt:3:3: ", "not UTF-8"], "invalid UTF-8");
    assert!(!tmp.path().join("c").exists());
}

#[test]
fn a_dry_run_prints_the_speeches_and_files_and_writes_nothing() {
    let (tmp, input) = site_with("digest.txt", &fixture_text());
    let out = yilu(&["ingest", input.to_str().unwrap(), "--year", "2024", "--dry-run"], tmp.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let report = stdout(&out);
    // The meeting line, one row per speech (order, organisation, speaker, metrics), the files.
    assert!(report.starts_with("2024-10-21  "), "{report}");
    assert!(report.lines().any(|l| l.trim_start().starts_with("1  万州区")), "{report}");
    assert!(report.contains("would write 11 files:"), "{report}");
    assert!(report.contains("content/meetings/2024-10-21/_index.md"), "{report}");
    assert!(!tmp.path().join("content").exists());
}
