//! The UI language (site.toml `language`): an `en` build of the fixture sites leaves no Chinese
//! in the page chrome (only content, which is data), says `lang="en"`, writes dates in English,
//! applies a site's `i18n/en.toml` override, and an unknown language is an error at its
//! site.toml place with a did-you-mean.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use scraper::{CaseSensitivity, Html};

use crate::support::*;

fn yilu(args: &[&str], root: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yilu")).args(args).current_dir(root).output().unwrap()
}

/// Puts `language = "…"` at the top of the site's site.toml (before any table).
fn set_language(root: &Path, language: &str) {
    let path = root.join("site.toml");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, format!("language = \"{language}\"\n{text}")).unwrap();
}

fn has_han(s: &str) -> bool {
    s.chars().any(|c| ('\u{3400}'..='\u{9fff}').contains(&c))
}

/// Every string the archive holds as data (the open-data files' text, indicator labels, period
/// labels, the site's title and description): what a page may show in any language.
fn data_strings(out: &Path, root: &Path) -> Vec<String> {
    fn walk(v: &serde_json::Value, into: &mut BTreeSet<String>) {
        match v {
            serde_json::Value::String(s) => {
                into.insert(s.clone());
                if let Some(label) = (s.len() <= 5 && s.contains('-') || s.parse::<u8>().is_ok())
                    .then(|| yilu::metrics::period::label(s))
                {
                    into.insert(label);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, into)),
            serde_json::Value::Object(o) => o.values().for_each(|x| walk(x, into)),
            _ => {}
        }
    }
    let mut strings = BTreeSet::new();
    for file in ["data/speeches.json", "data/meetings.json"] {
        walk(&serde_json::from_str(&read(out, file)).unwrap(), &mut strings);
    }
    let csv = read(out, "data/metrics.csv");
    let mut rows = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let label = rows.headers().unwrap().iter().position(|h| h == "label").unwrap();
    for row in rows.records() {
        strings.insert(row.unwrap()[label].to_string());
    }
    let config = yilu::config::SiteConfig::load(&root.join("site.toml")).unwrap();
    strings.insert(config.title);
    strings.insert(config.description);
    let mut strings: Vec<String> = strings.into_iter().filter(|s| has_han(s)).collect();
    // Longest first, so a name inside a longer text is not cut out of it first.
    strings.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
    strings
}

/// The text a page shows that is not content: every text node outside the speech body, the
/// table of contents' entries, charts and scripts, with the archive's data strings cut out.
fn chrome(html: &str, data: &[String]) -> Vec<String> {
    let doc = Html::parse_document(html);
    let mut out = Vec::new();
    for node in doc.root_element().descendants() {
        let Some(text) = node.value().as_text() else { continue };
        let elements: Vec<&scraper::node::Element> =
            node.ancestors().filter_map(|a| a.value().as_element()).collect();
        let class =
            |e: &&scraper::node::Element, c: &str| e.has_class(c, CaseSensitivity::CaseSensitive);
        // A table of contents lists the body's headings: content, like the body.
        let in_toc = elements
            .iter()
            .position(|e| e.name() == "li")
            .is_some_and(|li| elements[li..].iter().any(|e| class(e, "toc")));
        let in_content = in_toc
            || elements
                .iter()
                .any(|e| matches!(e.name(), "svg" | "script" | "style") || class(e, "body"));
        if in_content {
            continue;
        }
        let mut rest = text.to_string();
        for d in data {
            rest = rest.replace(d.as_str(), " ");
        }
        if has_han(&rest) {
            out.push(format!("{:?} (in {:?})", rest.trim(), text.trim()));
        }
    }
    out
}

/// The site paths of one page of each kind of the built site.
fn representative_pages(out: &Path) -> Vec<String> {
    let mut pages = vec![
        "index.html".to_string(),
        "meetings/index.html".into(),
        "districts/index.html".into(),
        "speakers/index.html".into(),
        "metrics/index.html".into(),
        "search/index.html".into(),
        "404.html".into(),
    ];
    let first_in = |dir: &str, depth: usize| {
        walkdir::WalkDir::new(out.join(dir))
            .min_depth(depth)
            .max_depth(depth)
            .sort_by_file_name()
            .into_iter()
            .map(Result::unwrap)
            .find(|e| e.file_name() == "index.html" && e.path().parent() != Some(&out.join(dir)))
            .map(|e| e.path().strip_prefix(out).unwrap().to_string_lossy().replace('\\', "/"))
    };
    pages.extend(first_in("meetings", 2).filter(|p| !p.contains("/page/")));
    pages.extend(first_in("meetings", 3).filter(|p| !p.contains("/page/")));
    pages.extend(first_in("districts", 2));
    pages.extend(first_in("speakers", 2));
    pages.extend(first_in("metrics", 2));
    pages
}

#[test]
fn an_english_build_leaves_no_chinese_in_the_page_chrome() {
    for fixture in ["basic", "periods", "nationwide"] {
        let (tmp, root) = copy_site(fixture);
        set_language(&root, "en");
        let out = tmp.path().join("out");
        build(&root, &out).unwrap();
        let mut data = data_strings(&out, &root);
        if fixture == "nationwide" {
            // Its /districts/ groups organisations under their province or city: names of the
            // registry, data too.
            let html = read(&out, "districts/index.html");
            let doc = Html::parse_document(&html);
            let sel = scraper::Selector::parse("section[aria-labelledby^=region] > h2").unwrap();
            data.extend(doc.select(&sel).map(|h| h.text().collect::<String>()));
            data.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
        }
        let pages = representative_pages(&out);
        assert!(pages.len() >= 11, "{fixture}: {pages:?}");
        if fixture == "basic" {
            // The check can fail: the same site in Chinese has UI text left.
            let zh = tmp.path().join("zh");
            let (_guard, zh_root) = copy_site(fixture);
            build(&zh_root, &zh).unwrap();
            assert!(!chrome(&read(&zh, "index.html"), &data).is_empty());
        }
        for page in pages {
            let html = read(&out, &page);
            assert!(html.contains("<html lang=\"en\">"), "{fixture} {page}");
            let left = chrome(&html, &data);
            assert!(left.is_empty(), "{fixture} {page}: Chinese UI text left: {left:#?}");
        }
    }
}

#[test]
fn navigation_headings_and_dates_read_in_english() {
    let (tmp, root) = copy_site("basic");
    set_language(&root, "en");
    let out = tmp.path().join("out");
    build(&root, &out).unwrap();
    let home = read(&out, "index.html");
    for nav in [">Home</a>", ">Meetings</a>", ">Districts</a>", ">Speakers</a>", ">Indicators</a>"]
    {
        assert!(home.contains(nav), "{nav}");
    }
    assert!(home.contains("<h2 id=\"latest-h\">Latest meetings</h2>"));
    assert!(home.contains("<meta property=\"og:locale\" content=\"en_GB\">"));
    assert!(home.contains("2 meetings · 5 speeches · "), "plural forms");
    let meeting = read(&out, "meetings/2024-10-21/index.html");
    assert!(
        meeting.contains("<time datetime=\"2024-10-21\">21 October 2024</time>"),
        "a date in English, the machine-readable one kept"
    );
    assert!(meeting.contains("<title>"), "{meeting}");
    let list = read(&out, "meetings/index.html");
    assert!(list.contains("<h1>All meetings</h1>"));
    assert!(list.contains("2 meetings, newest first; page 1 of 2."), "{list}");
    // search.js gets the English messages from the page; a zh-CN page carries none.
    let search = read(&out, "search/index.html");
    assert!(search.contains("<script type=\"application/json\" id=\"search-messages\">"));
    assert!(search.contains("\"searching\":\"Searching…\""));
    let (tmp_zh, root_zh) = copy_site("basic");
    build(&root_zh, &tmp_zh.path().join("out")).unwrap();
    let zh = read(&tmp_zh.path().join("out"), "search/index.html");
    assert!(zh.contains("<html lang=\"zh-CN\">") && !zh.contains("search-messages"));
    assert!(read(&tmp_zh.path().join("out"), "index.html").contains(">首页</a>"));
}

#[test]
fn a_sites_i18n_file_overrides_keys_and_a_slip_in_it_is_a_warning_at_its_line() {
    let (tmp, root) = copy_site("basic");
    set_language(&root, "en");
    fs::create_dir_all(root.join("i18n")).unwrap();
    fs::write(
        root.join("i18n/en.toml"),
        "[nav]\nhome = \"Front page\"\n\n[count]\nspeeches = { one = \"{count} talk\", other = \"{count} talks\" }\nmeeting = \"x\"\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = yilu(&["build", "--output", out.to_str().unwrap()], &root);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("warning: i18n/en.toml:6:1: unknown key `count.meeting`"),
        "the slip, at its line: {err}"
    );
    assert!(err.contains("hint: did you mean `count.meetings`?"), "{err}");
    let home = read(&out, "index.html");
    assert!(home.contains(">Front page</a>"), "the override is applied");
    assert!(home.contains(">Meetings</a>"), "keys it leaves alone keep the built-in text");
    assert!(home.contains("2 meetings · 5 talks · "), "plural forms of the override");
}

#[test]
fn a_language_the_site_adds_falls_back_to_zh_cn_with_a_warning_per_missing_key() {
    let (tmp, root) = copy_site("basic");
    set_language(&root, "fr");
    fs::create_dir_all(root.join("i18n")).unwrap();
    fs::write(root.join("i18n/fr.toml"), "[nav]\nhome = \"Accueil\"\n").unwrap();
    let out = tmp.path().join("out");
    let o = yilu(&["build", "--output", out.to_str().unwrap()], &root);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("warning: i18n/fr.toml: key `nav.search` is missing from the fr table, so the zh-CN text is shown"),
        "{err}"
    );
    assert_eq!(err.matches("key `nav.search` is missing").count(), 1, "once per key");
    let home = read(&out, "index.html");
    assert!(home.contains("<html lang=\"fr\">") && home.contains(">Accueil</a>"));
    assert!(home.contains(">搜索</a>"), "the base text, never a blank");
}

#[test]
fn an_unknown_language_is_an_error_at_its_place_with_a_suggestion() {
    for (written, suggested) in [("english", "en"), ("zh-cn", "zh-CN"), ("EN", "en")] {
        let (tmp, root) = copy_site("basic");
        set_language(&root, written);
        let o = yilu(&["build", "--output", tmp.path().join("out").to_str().unwrap()], &root);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(
            err.contains(&format!(
                "error: site.toml:1:12: language \"{written}\" is not one of the available languages: en, zh-CN"
            )),
            "{err}"
        );
        assert!(err.contains(&format!("did you mean language = \"{suggested}\"?")), "{err}");
        assert!(!tmp.path().join("out").exists(), "nothing written");
    }
}
