//! What a user sees after a slip, through the `yilu` binary: each mistake is an error (exit 1)
//! or a warning (exit 0) printed as `SEVERITY: FILE:LINE:COLUMN: MESSAGE` with a hint where a
//! fix is known, from `build` and `check` alike; `check` places problems in the source file,
//! counts them with the right plurals and speaks JSON for tools.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crate::support::*;

const SPEECH: &str = "content/meetings/2024-10-21/01-wanzhou.md";
const NANAN: &str = "content/meetings/2024-10-21/02-nanan.md";

fn yilu(args: &[&str], root: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yilu")).args(args).current_dir(root).output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs `args` in `root` and asserts its exit status and that stderr holds every needle.
fn expect(root: &Path, args: &[&str], code: i32, needles: &[&str]) -> String {
    let out = yilu(args, root);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(code), "yilu {args:?}: exit status; stderr:\n{err}");
    for needle in needles {
        assert!(err.contains(needle), "yilu {args:?}: stderr lacks {needle:?}:\n{err}");
    }
    err
}

/// Replaces `from` by `to` in the site file `rel` (which must contain it).
fn edit(root: &Path, rel: &str, from: &str, to: &str) {
    let path = root.join(rel);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{rel} lacks {from:?}");
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// The 1-based line of `rel` that starts with `prefix`.
fn line_of(root: &Path, rel: &str, prefix: &str) -> usize {
    let text = fs::read_to_string(root.join(rel)).unwrap();
    text.lines().position(|l| l.starts_with(prefix)).unwrap_or_else(|| panic!("{prefix:?}")) + 1
}

#[test]
fn two_speeches_with_one_order_is_an_error_naming_both_files() {
    let (_tmp, root) = copy_site("basic");
    edit(&root, NANAN, "order: 2", "order: 1");
    let line = line_of(&root, NANAN, "order:");
    let needles = [
        &format!("error: {NANAN}:{line}:1: order: 1 is also the order of {SPEECH}") as &str,
        "hint: give each speech its own `order:`",
    ];
    expect(&root, &["build"], 1, &needles);
    expect(&root, &["check"], 1, &needles);
    // A site that does not load still gives tools their JSON array.
    let out = yilu(&["check", "--format", "json"], &root);
    assert_eq!(out.status.code(), Some(1));
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!((&list[0]["severity"], &list[0]["file"]), (&"error".into(), &NANAN.into()));
    assert_eq!(list[0]["line"].as_u64(), Some(line as u64));
}

#[test]
fn a_misspelt_front_matter_key_warns_with_did_you_mean_at_its_line() {
    let (_tmp, root) = copy_site("basic");
    edit(&root, SPEECH, "speaker: 卢红", "speeker: 卢红");
    let line = line_of(&root, SPEECH, "speeker:");
    let warning =
        format!("warning: {SPEECH}:{line}:1: unknown key `speeker` (did you mean `speaker`?)");
    for args in [&["build"][..], &["check"]] {
        let err = expect(&root, args, 0, &[&warning]);
        // `mood:` is no near miss of a known key: kept as an extra value, silently.
        assert!(!err.contains("mood"), "{err}");
    }
    // A misspelt required key explains the error it causes.
    edit(&root, SPEECH, "title:", "titel:");
    expect(&root, &["build"], 1, &["title", "did you mean `title`?"]);
}

#[test]
fn a_misspelt_metric_key_warns_with_did_you_mean() {
    let (_tmp, root) = copy_site("basic");
    edit(&root, SPEECH, "  gdp: 6.6", "  gpd: 6.6");
    let line = line_of(&root, SPEECH, "  gpd:");
    let warning =
        format!("warning: {SPEECH}:{line}:3: metrics.gpd: unknown indicator (did you mean `gdp`?)");
    let err = expect(&root, &["build"], 0, &[&warning, "1 warning"]);
    assert_eq!(err.matches("metrics.gpd").count(), 1, "{err}");
    let err = expect(&root, &["check"], 0, &[&warning]);
    assert_eq!(err.matches("metrics.gpd").count(), 1, "reported once: {err}");
}

#[test]
fn a_theme_that_is_not_a_folder_under_themes_is_an_error() {
    let (_tmp, root) = copy_site("basic");
    let toml = fs::read_to_string(root.join("site.toml")).unwrap();
    for (theme, needle) in [
        ("mytheme", "theme \"mytheme\": there is no folder themes/mytheme/"),
        ("../../x", "theme \"../../x\" must be the name of a folder under themes/"),
        ("/etc", "theme \"/etc\" must be the name of a folder"),
    ] {
        fs::write(root.join("site.toml"), format!("theme = \"{theme}\"\n{toml}")).unwrap();
        expect(&root, &["build"], 1, &[&format!("error: site.toml:1:9: {needle}"), "hint:"]);
        expect(&root, &["check"], 1, &["site.toml:1:9:"]);
    }
    // A folder of that name is a theme; "default" without a folder is the embedded theme.
    fs::create_dir_all(root.join("themes/mytheme/templates")).unwrap();
    fs::write(root.join("site.toml"), format!("theme = \"mytheme\"\n{toml}")).unwrap();
    expect(&root, &["build"], 0, &["built"]);
    fs::write(root.join("site.toml"), format!("theme = \"default\"\n{toml}")).unwrap();
    expect(&root, &["build"], 0, &["built"]);
}

#[test]
fn an_unknown_organisation_kind_is_an_error_listing_the_kinds() {
    let (_tmp, root) = copy_site("basic");
    edit(&root, "site.toml", "kind = \"zone\"", "kind = \"zon\"");
    let line = line_of(&root, "site.toml", "kind =");
    let err = expect(
        &root,
        &["build"],
        1,
        &[&format!("error: site.toml:{line}:8: unknown variant `zon`"), "district", "zone"],
    );
    assert!(err.contains("department") && err.contains("hint: did you mean `zone`?"), "{err}");
    // The same slip in front matter.
    edit(&root, "site.toml", "kind = \"zon\"", "kind = \"zone\"");
    edit(&root, SPEECH, "org_kind: district", "org_kind: distrct");
    let line = line_of(&root, SPEECH, "org_kind:");
    expect(
        &root,
        &["build"],
        1,
        &[
            &format!("error: {SPEECH}:{line}:11: org_kind: unknown variant `distrct`"),
            "hint: did you mean `district`?",
        ],
    );
}

#[test]
fn a_base_url_that_is_not_http_with_a_host_or_a_root_path_is_an_error() {
    let (_tmp, root) = copy_site("basic");
    for (value, hint) in [
        ("example.org", "hint: write base_url = \"https://example.org/\""),
        ("javascript:alert(1)//", "must use http or https"),
        ("//evil.example/", "hint: write base_url = \"https://evil.example/\""),
    ] {
        edit(&root, "site.toml", "https://test.example.org/", value);
        expect(&root, &["build"], 1, &["error: site.toml:3:12: base_url", hint]);
        expect(&root, &["check"], 1, &["site.toml:3:12:"]);
        edit(&root, "site.toml", value, "https://test.example.org/");
    }
    expect(
        &root,
        &["build", "--base-url", "example.org"],
        1,
        &["--base-url", "https://example.org/"],
    );
    expect(&root, &["build", "--base-url", "javascript:alert(1)//"], 1, &["http or https"]);
    expect(&root, &["build", "--base-url", "https://example.org/a"], 0, &["built"]);
}

#[test]
fn a_base_url_without_a_host_builds_without_feed_or_sitemap_and_says_so_once() {
    let (tmp, root) = copy_site("basic");
    edit(&root, "site.toml", "https://test.example.org/", "/");
    let out = tmp.path().join("out");
    let warning = "warning: site.toml:3:12: base_url \"/\" has no host";
    let err = expect(&root, &["build", "-o", out.to_str().unwrap()], 0, &[warning, "1 warning"]);
    assert_eq!(err.matches("has no host").count(), 1, "{err}");
    let files = tree(&out);
    assert!(!files.contains_key("atom.xml") && !files.contains_key("sitemap.xml"), "left out");
    assert!(!read(&out, "robots.txt").contains("Sitemap"));
    assert!(!read(&out, "index.html").contains("atom.xml"), "no link to a feed that is not there");
    expect(&root, &["check"], 0, &[warning, "checked content and 26 pages: 2 warnings"]);
    // Naming the host on the command line brings them back, without the warning.
    let err = expect(&root, &["build", "--base-url", "https://a.example/", "-o", "o2"], 0, &[]);
    assert!(!err.contains("has no host"), "{err}");
    assert!(root.join("o2/atom.xml").is_file() && root.join("o2/sitemap.xml").is_file());
}

#[test]
fn yaml_slips_are_named_at_their_file_line_with_a_hint() {
    let (_tmp, root) = copy_site("basic");
    let original = fs::read_to_string(root.join(SPEECH)).unwrap();
    let line = line_of(&root, SPEECH, "speaker:");
    let (gdp, period) = (line_of(&root, SPEECH, "  gdp:"), line_of(&root, SPEECH, "period:"));
    for (from, to, at, message) in [
        (
            "speaker: 卢红",
            "speaker:卢红",
            format!("{line}:8"),
            "missing space after the colon in `speaker:卢红`",
        ),
        (
            "  gdp: 6.6",
            "\tgdp: 6.6",
            format!("{gdp}:1"),
            "YAML does not allow tabs for indentation",
        ),
        ("period: 前三季度", "period: [前三季度", format!("{period}:9"), "`[` is not closed"),
    ] {
        fs::write(root.join(SPEECH), original.replacen(from, to, 1)).unwrap();
        expect(&root, &["build"], 1, &[&format!("error: {SPEECH}:{at}: {message}"), "hint:"]);
    }
    fs::write(root.join(SPEECH), original).unwrap();
    fs::write(root.join("site.toml"), "relative_urls = no\n").unwrap();
    expect(
        &root,
        &["build"],
        1,
        &["error: site.toml:1:17: relative_urls: expected true or false, found `no`"],
    );
}

#[test]
fn check_places_a_broken_link_in_the_markdown_that_holds_it_and_counts_by_severity() {
    let (_tmp, root) = copy_site("basic");
    let mut text = fs::read_to_string(root.join(NANAN)).unwrap();
    text.push_str("\n见[别处](../nowhere/)。\n");
    fs::write(root.join(NANAN), &text).unwrap();
    let line = text.lines().count();
    let err = expect(
        &root,
        &["check"],
        1,
        &[
            &format!("error: {NANAN}:{line}:7: broken link \"../nowhere/\""),
            "warning: content/meetings/2025-01-20/02-xinqu.md: org: unknown organisation",
            "1 error, 1 warning",
        ],
    );
    assert!(!err.contains("<output>"), "placed in the source: {err}");
    // For tools: a JSON array on stdout, one object per problem.
    let out = yilu(&["check", "--format", "json"], &root);
    assert_eq!(out.status.code(), Some(1));
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.len(), 2, "{list:?}");
    let link = list.iter().find(|p| p["severity"] == "error").unwrap();
    assert_eq!(link["file"], NANAN);
    assert_eq!((link["line"].as_u64(), link["column"].as_u64()), (Some(line as u64), Some(7)));
    assert!(link["message"].as_str().unwrap().contains("../nowhere/"));
    assert!(link.get("hint").is_some());
    // Warnings alone: exit 0, with the count in the right number.
    fs::write(root.join(NANAN), text.replace("../nowhere/", "../wanzhou/")).unwrap();
    expect(&root, &["check"], 0, &["checked content and 26 pages: 1 warning"]);
}

#[test]
fn counts_are_in_the_right_number() {
    let (_tmp, root) = copy_site("basic");
    fs::remove_dir_all(root.join("content/meetings/2024-10-21")).unwrap();
    let err = expect(&root, &["build"], 0, &["(1 meeting, 2 speeches)"]);
    assert!(!err.contains("1 meetings"), "{err}");
    fs::remove_file(root.join("content/meetings/2025-01-20/02-xinqu.md")).unwrap();
    expect(&root, &["build"], 0, &["(1 meeting, 1 speech)"]);
}

#[test]
fn a_template_error_is_reported_once_at_its_place_without_stutter() {
    let (_tmp, root) = copy_site("basic");
    fs::write(root.join("site.toml"), "theme = \"t\"\nbase_url = \"https://x.org/\"\n").unwrap();
    let dir = root.join("themes/t/templates");
    fs::create_dir_all(&dir).unwrap();
    let speech = "{% extends \"base.html\" %}\n{% block content %}\n  <p>{{ speech.nosuchfield.x }}</p>\n{% endblock content %}\n";
    fs::write(dir.join("speech.html"), speech).unwrap();
    let err = expect(
        &root,
        &["build"],
        1,
        &["themes/t/templates/speech.html:3:16: Field `nosuchfield` is not defined", "other pages"],
    );
    assert_eq!(err.matches("nosuchfield").count(), 1, "once, not once per page: {err}");
    assert!(!err.contains("error: error") && !err.contains("template error: error"), "{err}");
    fs::write(dir.join("speech.html"), "{{ 1 | nofilter }}\n{{ 2 | nofilter }}\n").unwrap();
    let err = expect(
        &root,
        &["build"],
        1,
        &[
            "error: themes/t/templates/speech.html:1:8: Unknown filter `nofilter`",
            "error: themes/t/templates/speech.html:2:8: Unknown filter `nofilter`",
            "2 errors",
        ],
    );
    assert!(!err.contains("-->"), "Tera's report text is not passed on: {err}");
    fs::write(dir.join("index.html"), "{% if %}\n").unwrap();
    let err =
        expect(&root, &["build"], 1, &["error: themes/t/templates/index.html:1:7: Found `%}`"]);
    assert!(!err.contains("-->"), "Tera's report text is not passed on: {err}");
}

#[test]
fn init_readme_says_how_to_look_at_the_site() {
    let tmp = tempfile::tempdir().unwrap();
    expect(tmp.path(), &["init", "site"], 0, &[]);
    let readme = fs::read_to_string(tmp.path().join("site/README.md")).unwrap();
    assert!(readme.contains("yilu serve") && readme.contains("relative_urls = true"), "{readme}");
    assert!(!readme.contains("and open public/index.html"), "{readme}");
    let repo = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    assert!(!repo.contains("Then open `public/index.html`"), "repository README");
    // A new site builds, with the one warning about its host-less base_url.
    let site = tmp.path().join("site");
    expect(&site, &["build"], 0, &["warning: site.toml:4:12: base_url \"/\" has no host"]);
}

#[test]
fn check_decodes_fragments_reports_duplicate_ids_and_goes_past_unreadable_pages() {
    let (_tmp, root) = copy_site("basic");
    let mut text = fs::read_to_string(root.join(NANAN)).unwrap();
    text.push_str("\n见[第一节](#%E7%AC%AC%E4%B8%80%E8%8A%82)。\n\n## 第一节 {#第一节}\n\n## 又一节 {#第一节}\n");
    fs::write(root.join(NANAN), text).unwrap();
    fs::create_dir_all(root.join("static")).unwrap();
    fs::write(root.join("static/latin1.html"), b"<p>caf\xe9 <a href=\"/nowhere/\">x</a></p>")
        .unwrap();
    let depth = 200_000;
    let deep = format!(
        "{}<a href=\"/deep-missing/\">x</a>{}",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    );
    fs::write(root.join("static/deep.html"), deep).unwrap();
    let started = std::time::Instant::now();
    let err = expect(
        &root,
        &["check"],
        1,
        &[
            "warning: static/latin1.html: not valid UTF-8",
            "error: static/deep.html: broken link \"/deep-missing/\"",
            "id \"第一节\" is used twice on this page",
        ],
    );
    assert!(started.elapsed().as_secs() < 60, "deep page checked in {:?}", started.elapsed());
    assert!(!err.contains("broken anchor"), "the encoded fragment matches: {err}");
}
