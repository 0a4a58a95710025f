//! Authoring and reading features a Hugo or Zola user expects, through the binary: standalone
//! pages and the menu, `yilu new`, feeds per organisation and per speaker, sharing tags,
//! speaker bylines, and what `yilu init --theme` copies and the build publishes.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crate::support::*;

fn yilu(args: &[&str], root: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yilu")).args(args).arg("--root").arg(root).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn build_site(root: &Path) -> std::path::PathBuf {
    let out = root.join("public");
    let o = Command::new(env!("CARGO_BIN_EXE_yilu"))
        .args(["build", "-q", "--root"])
        .arg(root)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    out
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn append(root: &Path, rel: &str, text: &str) {
    let old = fs::read_to_string(root.join(rel)).unwrap();
    fs::write(root.join(rel), old + text).unwrap();
}

/// The `content` of `<meta property="NAME" content="…">` (or `name=`) on a page.
fn meta(html: &str, key: &str) -> Option<String> {
    let at = html.find(&format!("=\"{key}\" content=\""))?;
    let rest = &html[at + key.len() + 13..];
    Some(rest[..rest.find('"')?].to_string())
}

#[test]
fn standalone_pages_render_at_their_path_with_the_menu() {
    let (_tmp, root) = copy_site("basic");
    write(
        &root,
        "content/about.md",
        "---\ntitle: 关于本站\ndescription: 方法与来源\nmood: 平静\n---\n\n本站收录发言摘登。<script>alert(1)</script>\n\n## 来源\n\n[重庆日报](https://cqrb.cn) [坏](javascript:alert(1))\n",
    );
    write(&root, "content/methods/sources.md", "---\ntitle: 数据来源\n---\n\n来自报纸。\n");
    write(&root, "content/notes.md", "---\ntitle: 草稿页\ndraft: true\n---\n");
    append(
        &root,
        "site.toml",
        "\n[[menu]]\nname = \"源码\"\nurl = \"https://example.org/code\"\nweight = 5\n\n\
         [[menu]]\nname = \"关于\"\nurl = \"about/\"\nweight = 1\n\n\
         [[menu]]\nname = \"方法\"\nurl = \"/methods/sources/\"\nweight = 5\n",
    );
    let out = build_site(&root);
    let about = read(&out, "about/index.html");
    assert!(about.contains("<h1>关于本站</h1>"), "{about}");
    assert!(about.contains("<p class=\"lede\">方法与来源</p>"));
    assert!(about.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "raw HTML is text");
    assert!(!about.contains("<script>alert") && !about.contains("javascript:"));
    assert!(about.contains("<a href=\"https://cqrb.cn\">重庆日报</a>"));
    assert!(about.contains("<h2 id=\"s1\">来源</h2>"));
    assert!(read(&out, "methods/sources/index.html").contains("<h1>数据来源</h1>"));
    assert!(!out.join("notes/index.html").exists(), "drafts are left out");
    let sitemap = read(&out, "sitemap.xml");
    for url in ["https://test.example.org/about/", "https://test.example.org/methods/sources/"] {
        assert!(sitemap.contains(&format!("<loc>{url}</loc>")), "{url} not in the sitemap");
    }
    // The menu: after the built-in entries, by weight then name; site paths through `url`.
    let home = read(&out, "index.html");
    let nav = &home[home.find("<nav").unwrap()..home.find("</nav>").unwrap()];
    let order: Vec<usize> = ["href=\"/search/\"", "关于", "方法", "源码"]
        .iter()
        .map(|s| nav.find(s).unwrap_or_else(|| panic!("{s} not in {nav}")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{nav}");
    assert!(nav.contains("<a href=\"https://example.org/code\">源码</a>"));
    assert!(nav.contains("<a href=\"/methods/sources/\">方法</a>"));
    assert!(about.contains("<a href=\"/about/\" aria-current=\"page\">关于</a>"));
    assert_eq!(broken_links(&out, "https://test.example.org/"), Vec::<String>::new());
}

#[test]
fn menu_typos_and_unsafe_urls_are_refused() {
    let (_tmp, root) = copy_site("basic");
    append(&root, "site.toml", "\n[[menu]]\nname = \"关于\"\nurl = \"about/\"\nwieght = 1\n");
    let o = yilu(&["build"], &root);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("site.toml:15:1: unknown field `wieght`"), "{}", stderr(&o));
    let (_tmp, root) = copy_site("basic");
    append(&root, "site.toml", "\n[[menu]]\nname = \"x\"\nurl = \"javascript:alert(1)\"\n");
    let o = yilu(&["build"], &root);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("site.toml:12:1: menu[0] (x)"), "{}", stderr(&o));
}

#[test]
fn pages_that_take_a_generated_url_are_errors_naming_every_file() {
    let (_tmp, root) = copy_site("basic");
    write(&root, "content/meetings.md", "---\ntitle: 会议\n---\n");
    write(&root, "content/search.md", "---\ntitle: 搜索\n---\n");
    write(&root, "content/ok.md", "---\ntitle: 好\n---\n");
    let o = yilu(&["build"], &root);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    for file in ["content/meetings.md", "content/search.md"] {
        assert!(err.contains(&format!("{file}: its URL /")), "{file}: {err}");
    }
    assert!(err.contains("belongs to pages yilu generates") && err.contains("hint:"), "{err}");
    assert!(!err.contains("content/ok.md"), "{err}");
    // A name that is no URL segment is refused too, with the fix.
    write(&root, "content/关于.md", "---\ntitle: 关于\n---\n");
    let err = stderr(&yilu(&["build"], &root));
    assert!(err.contains("content/关于.md: \"关于\" cannot be part of a URL"), "{err}");
    fs::remove_file(root.join("content/关于.md")).unwrap();
    // `slug:` moves a page out of the way.
    write(&root, "content/search.md", "---\ntitle: 搜索\nslug: find\n---\n");
    fs::remove_file(root.join("content/meetings.md")).unwrap();
    let out = build_site(&root);
    assert!(read(&out, "find/index.html").contains("<h1>搜索</h1>"));
    assert!(read(&out, "search/index.html").contains("js/search.js"), "the generated page stays");
}

#[test]
fn new_meeting_and_speech_scaffold_files_that_load_as_written() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    let init = Command::new(env!("CARGO_BIN_EXE_yilu")).args(["init", "-q"]).arg(&root).output();
    assert!(init.unwrap().status.success());

    let o = yilu(&["new", "speech", "2025-01-20", "万州区"], &root);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("yilu new meeting 2025-01-20"), "hint: {}", stderr(&o));
    for bad in ["2025-13-01", "2025/01/20", "20250120", "2025-1-20"] {
        let o = yilu(&["new", "meeting", bad], &root);
        assert_eq!(o.status.code(), Some(1), "{bad}");
        assert!(stderr(&o).contains("YYYY-MM-DD"), "{bad}: {}", stderr(&o));
    }

    let o = yilu(&["new", "meeting", "2025-01-20"], &root);
    assert!(o.status.success(), "{}", stderr(&o));
    let index = root.join("content/meetings/2025-01-20/_index.md");
    let (meeting, _) =
        yilu::content::front_matter::read_meeting(&fs::read_to_string(&index).unwrap()).unwrap();
    assert_eq!(meeting.date.unwrap().to_string(), "2025-01-20");
    assert!(!meeting.title.is_empty());
    fs::write(&index, "---\ntitle: 我的会议\ndate: 2025-01-20\n---\n").unwrap();
    let o = yilu(&["new", "meeting", "2025-01-20"], &root);
    assert_eq!(o.status.code(), Some(1), "never overwrites without --force");
    assert!(stderr(&o).contains("--force"));
    assert!(fs::read_to_string(&index).unwrap().contains("我的会议"));

    // An alias resolves to the registry's name and slug; orders follow the last speech.
    let dir = root.join("content/meetings/2025-01-20");
    fs::write(dir.join("07-hand.md"), "---\ntitle: 手写\norg: 南岸区\n---\n").unwrap();
    let o = yilu(&["new", "speech", "2025-01-20", "万州"], &root);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = fs::read_to_string(dir.join("08-wanzhou.md")).unwrap();
    let (speech, body) = yilu::content::front_matter::read_speech(&text).unwrap();
    assert_eq!(text, yilu::content::front_matter::write_speech(&speech, body), "as written");
    assert_eq!(speech.org.as_deref(), Some("万州区"));
    assert_eq!(speech.order, Some(8));
    assert_eq!((speech.speaker.as_deref(), speech.position.as_deref()), (Some(""), Some("")));

    let o = yilu(&["new", "speech", "2025-01-20", "万州区"], &root);
    assert_eq!(o.status.code(), Some(1), "the organisation has a speech there already");
    assert!(stderr(&o).contains("08-wanzhou.md"), "{}", stderr(&o));
    fs::write(dir.join("08-wanzhou.md"), "---\ntitle: 改过\norg: 万州区\norder: 8\n---\n").unwrap();
    let o = yilu(&["new", "speech", "2025-01-20", "万州区", "--force"], &root);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!fs::read_to_string(dir.join("08-wanzhou.md")).unwrap().contains("改过"));

    let o = yilu(&["new", "speech", "2025-01-20", "某某新区"], &root);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("warning:") && stderr(&o).contains("registry"), "{}", stderr(&o));
    assert!(dir.join("09-mou-mou-xin-qu.md").is_file());

    let out = build_site(&root);
    assert!(out.join("meetings/2025-01-20/wanzhou/index.html").is_file());
    assert!(out.join("meetings/2025-01-20/mou-mou-xin-qu/index.html").is_file());
}

#[test]
fn every_organisation_and_speaker_has_a_valid_atom_feed() {
    let (_tmp, root) = copy_site("basic");
    let out = build_site(&root);
    let xml = read(&out, "districts/wanzhou/atom.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let feed = doc.root_element();
    assert_eq!(feed.tag_name().namespace(), Some("http://www.w3.org/2005/Atom"));
    let child = |n: roxmltree::Node<'_, '_>, name: &str| {
        n.children().find(|c| c.has_tag_name(name)).map(|c| c.text().unwrap_or("").to_string())
    };
    assert!(child(feed, "title").unwrap().starts_with("万州区"));
    assert_eq!(child(feed, "id").unwrap(), "https://test.example.org/districts/wanzhou/");
    let entries: Vec<_> = feed.children().filter(|c| c.has_tag_name("entry")).collect();
    let titles: Vec<String> = entries.iter().map(|e| child(*e, "title").unwrap()).collect();
    assert_eq!(
        titles,
        ["奋力开局", "以改革强动力增活力提质效"],
        "that org's speeches, newest first"
    );
    for e in &entries {
        let id = child(*e, "id").unwrap();
        let href = e.children().find(|c| c.has_tag_name("link")).unwrap().attribute("href");
        assert!(id.starts_with("https://test.example.org/meetings/"), "{id}");
        assert_eq!(href, Some(id.as_str()));
        assert!(child(*e, "updated").unwrap().ends_with("T00:00:00Z"));
    }
    let person = read(&out, "speakers/lu-hong/atom.xml");
    let doc = roxmltree::Document::parse(&person).unwrap();
    assert_eq!(doc.descendants().filter(|n| n.has_tag_name("entry")).count(), 2);
    let other = read(&out, "districts/nanan/atom.xml");
    assert!(!other.contains("奋力开局"), "only the organisation's own speeches");
    // Linked in the head and visibly on the page.
    let page = read(&out, "districts/wanzhou/index.html");
    assert!(page.contains(
        "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"万州区 · 测试存档\" href=\"/districts/wanzhou/atom.xml\">"
    ));
    assert!(page.contains("<a href=\"/districts/wanzhou/atom.xml\""));
    assert!(
        read(&out, "speakers/lu-hong/index.html").contains("href=\"/speakers/lu-hong/atom.xml\"")
    );
    // With a base_url that has no host, feeds need absolute ids they cannot have: like the
    // site feed, the organisations' and speakers' feeds are left out, and so are links to them.
    let o = Command::new(env!("CARGO_BIN_EXE_yilu"))
        .args(["build", "-q", "--base-url", "/archive/", "--root"])
        .arg(&root)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!out.join("atom.xml").exists() && !out.join("districts/wanzhou/atom.xml").exists());
    let page = read(&out, "districts/wanzhou/index.html");
    assert!(!page.contains("atom.xml"), "no link to a feed that is not there");
}

#[test]
fn every_page_has_description_canonical_and_open_graph_tags_escaped() {
    let (_tmp, root) = copy_site("basic");
    let hostile = "\"><script>alert(1)</script>&'";
    write(
        &root,
        "content/meetings/2025-01-20/03-hostile.md",
        &format!(
            "---\ntitle: '{}'\nspeaker: 王五\norg: 南岸区\nslug: hostile\n---\n\n引言\"<b>x</b>\"。\n",
            hostile.replace('\'', "''")
        ),
    );
    let out = build_site(&root);
    let mut pages = 0;
    for (rel, bytes) in tree(&out) {
        if !rel.ends_with(".html") {
            continue;
        }
        pages += 1;
        let html = String::from_utf8(bytes).unwrap();
        if rel == "404.html" {
            assert!(
                !html.contains("rel=\"canonical\""),
                "served at any address: no URL of its own"
            );
            continue;
        }
        let url =
            format!("https://test.example.org/{}", rel.strip_suffix("index.html").unwrap_or(&rel));
        assert!(html.contains(&format!("<link rel=\"canonical\" href=\"{url}\">")), "{rel}");
        assert_eq!(meta(&html, "og:url").as_deref(), Some(url.as_str()), "{rel}");
        for key in ["og:title", "og:type", "og:site_name", "og:locale", "description"] {
            assert!(meta(&html, key).is_some_and(|v| !v.is_empty()), "{rel}: {key}");
        }
        assert_eq!(meta(&html, "og:locale").as_deref(), Some("zh_CN"));
    }
    assert!(pages > 15, "{pages}");
    let page = read(&out, "meetings/2025-01-20/hostile/index.html");
    assert!(!page.contains("<script>alert") && !page.contains("<b>x"), "escaped everywhere");
    let title = meta(&page, "og:title").unwrap();
    assert_eq!(title, "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;&#39;");
    assert_eq!(meta(&page, "og:type").as_deref(), Some("article"));
    assert!(meta(&page, "description").unwrap().contains("引言&quot;&lt;b&gt;x"), "the lead");
    assert_eq!(meta(&read(&out, "index.html"), "og:type").as_deref(), Some("website"));
    assert_eq!(
        meta(&read(&out, "index.html"), "description").as_deref(),
        Some("用于测试的两次会议")
    );
}

#[test]
fn speaker_bylines_link_the_meeting_and_organisation_not_the_page_itself() {
    let (_tmp, root) = copy_site("basic");
    let out = build_site(&root);
    let page = read(&out, "speakers/lu-hong/index.html");
    let list = &page[page.find("<ol class=\"speech-list\">").unwrap()..];
    let list = &list[..list.find("</ol>").unwrap()];
    assert!(!list.contains("href=\"/speakers/lu-hong/\""), "{list}");
    for href in [
        "/meetings/2025-01-20/wanzhou/",
        "/meetings/2024-10-21/wanzhou/",
        "/meetings/2025-01-20/",
        "/districts/wanzhou/",
    ] {
        assert!(list.contains(&format!("href=\"{href}\"")), "{href} in {list}");
    }
    // Elsewhere (a meeting's list) the speaker is still linked.
    assert!(read(&out, "meetings/2024-10-21/index.html").contains("href=\"/speakers/lu-hong/\""));
}

#[test]
fn init_theme_copies_its_readme_and_placeholders_are_not_published() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    let o = Command::new(env!("CARGO_BIN_EXE_yilu")).args(["init", "--theme"]).arg(&root).output();
    assert!(o.unwrap().status.success());
    let readme = fs::read_to_string(root.join("themes/default/README.md")).unwrap();
    assert!(readme.contains("## Template variables") && readme.contains("page.html"));
    let site_readme = fs::read_to_string(root.join("README.md")).unwrap();
    assert!(site_readme.contains("cargo install --locked --git"), "{site_readme}");
    assert!(site_readme.contains("actions/deploy-pages"));
    assert!(root.join("static/.gitkeep").is_file());
    write(&root, "static/.nojekyll", "");
    write(&root, "themes/default/static/img/.keep", "");
    let out = build_site(&root);
    let files: Vec<String> = tree(&out).into_keys().collect();
    assert!(!files.iter().any(|f| f.ends_with(".gitkeep") || f.ends_with(".keep")), "{files:?}");
    assert!(files.contains(&".nojekyll".to_string()), "other dotfiles are published: {files:?}");
}

#[test]
fn extract_shows_what_would_change_writes_only_when_asked_and_never_a_locked_speech() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&repo.join("content"), &root.join("content"));
    fs::copy(repo.join("site.toml"), root.join("site.toml")).unwrap();
    let meeting = root.join("content/meetings/2024-10-21");
    // An old file: a wrong metric and no figures. A hand-checked one: the same, but locked.
    let old = |path: &Path, locked: bool| {
        let text = fs::read_to_string(path).unwrap();
        let (mut fm, body) = yilu::content::front_matter::read_speech(&text).unwrap();
        fm.metrics.insert("gdp".into(), 1.0);
        fm.figures.clear();
        if locked {
            fm.figures_locked = true;
        }
        fs::write(path, yilu::content::front_matter::write_speech(&fm, body)).unwrap();
        fs::read_to_string(path).unwrap()
    };
    let stale = old(&meeting.join("01-wanzhou.md"), false);
    let locked = old(&meeting.join("02-nanan.md"), true);
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_yilu")).args(args).current_dir(&root).output().unwrap()
    };
    let o = run(&["extract"]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("01-wanzhou.md") && err.contains("metrics.gdp: 1 → 6.6"), "{err}");
    assert!(err.contains("+ figure"), "{err}");
    assert!(err.contains("1 would change, 1 left alone"), "{err}");
    assert_eq!(fs::read_to_string(meeting.join("01-wanzhou.md")).unwrap(), stale, "no --write");
    let o = run(&["extract", "--write", "content/meetings/2024-10-21"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let now = fs::read_to_string(meeting.join("01-wanzhou.md")).unwrap();
    let (fm, _) = yilu::content::front_matter::read_speech(&now).unwrap();
    assert_eq!(fm.metrics.get("gdp"), Some(&6.6));
    assert!(!fm.figures.is_empty());
    assert_eq!(fs::read_to_string(meeting.join("02-nanan.md")).unwrap(), locked, "locked");
    // Nothing left to change; a wrong path is an error that says so.
    assert!(stderr(&run(&["extract"])).contains("0 would change"));
    let o = run(&["extract", "content/meetings/2099-01-01"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no such file or folder"), "{}", stderr(&o));
}
