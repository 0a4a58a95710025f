//! `yilu build` on whole fixture sites.

use std::fs;
use std::process::Command;

use crate::support::*;

#[test]
fn builds_every_page_kind_of_the_basic_site() {
    let (tmp, root) = copy_site("basic");
    let out = tmp.path().join("public");
    let report = build(&root, &out).unwrap();
    assert_eq!((report.meetings, report.speeches), (2, 5), "the draft is left out");
    for page in [
        "index.html",
        "meetings/index.html",
        "meetings/page/2/index.html",
        "meetings/2024-10-21/index.html",
        "meetings/2024-10-21/wanzhou/index.html",
        "meetings/2024-10-21/moumou/index.html",
        "meetings/2025-01-20/wanzhou/index.html",
        "districts/index.html",
        "districts/wanzhou/index.html",
        "districts/moumou/index.html",
        "speakers/index.html",
        "speakers/lu-hong/index.html",
        "metrics/index.html",
        "metrics/gdp/index.html",
        "404.html",
        "atom.xml",
        "sitemap.xml",
        "robots.txt",
        "data/speeches.json",
        "data/metrics.csv",
        "css/yilu.css",
    ] {
        assert!(out.join(page).is_file(), "missing {page}");
    }
    assert!(!out.join("meetings/2024-10-21/draft").exists());
    let files = tree(&out);
    assert!(
        !files.values().any(|b| String::from_utf8_lossy(b).contains("不应出现")),
        "draft leaked"
    );
}

#[test]
fn two_builds_are_byte_identical() {
    let (tmp, root) = copy_site("basic");
    build(&root, &tmp.path().join("a")).unwrap();
    build(&root, &tmp.path().join("b")).unwrap();
    let (a, b) = (tree(&tmp.path().join("a")), tree(&tmp.path().join("b")));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (k, v) in &a {
        assert!(v == &b[k], "{k} differs between builds");
    }
}

#[test]
fn every_internal_link_resolves() {
    let (tmp, root) = copy_site("basic");
    let out = tmp.path().join("public");
    build(&root, &out).unwrap();
    assert_eq!(broken_links(&out, "https://test.example.org/"), Vec::<String>::new());
}

#[test]
fn sub_path_base_url_prefixes_every_link() {
    let (tmp, root) = copy_site("basic");
    let out = tmp.path().join("public");
    yilu::site::build(&yilu::site::BuildOptions {
        root: root.clone(),
        output: Some(out.clone()),
        base_url: Some("http://127.0.0.1:8080/archive".into()),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(broken_links(&out, "http://127.0.0.1:8080/archive/"), Vec::<String>::new());
    let home = read(&out, "index.html");
    assert!(home.contains(r#"href="/archive/meetings/""#), "{home}");
    assert!(!home.contains(r#"href="/meetings/""#));
    assert!(
        read(&out, "sitemap.xml")
            .contains("<loc>http://127.0.0.1:8080/archive/meetings/2024-10-21/</loc>")
    );
    assert!(
        read(&out, "robots.txt").contains("Sitemap: http://127.0.0.1:8080/archive/sitemap.xml")
    );
}

#[test]
fn relative_urls_make_every_link_relative_and_explicit() {
    let (tmp, root) = copy_site("basic");
    let toml = fs::read_to_string(root.join("site.toml")).unwrap();
    fs::write(root.join("site.toml"), format!("relative_urls = true\n{toml}")).unwrap();
    let out = tmp.path().join("public");
    build(&root, &out).unwrap();
    assert_eq!(broken_links(&out, "https://test.example.org/"), Vec::<String>::new());
    let speech = read(&out, "meetings/2024-10-21/wanzhou/index.html");
    assert!(speech.contains(r#"href="../../../css/yilu.css""#), "{speech}");
    assert!(speech.contains(r#"href="../../../districts/wanzhou/index.html""#));
    let sel = scraper::Selector::parse("a[href]").unwrap();
    for (rel, bytes) in tree(&out).iter().filter(|(r, _)| r.ends_with(".html")) {
        let doc = scraper::Html::parse_document(std::str::from_utf8(bytes).unwrap());
        for a in doc.select(&sel) {
            let href = a.value().attr("href").unwrap();
            assert!(!href.starts_with('/'), "{rel}: absolute link {href}");
            let path = href.split('#').next().unwrap();
            assert!(
                path.is_empty() || path.ends_with(".html") || path.contains('.'),
                "{rel}: {href}"
            );
        }
    }
}

#[test]
fn chinese_reads_right() {
    let (tmp, root) = copy_site("basic");
    let out = tmp.path().join("public");
    build(&root, &out).unwrap();
    let page = read(&out, "meetings/2024-10-21/wanzhou/index.html");
    // A column break inside a sentence adds no space.
    assert!(page.contains("航线实现首航"), "soft break between Han characters kept");
    assert!(page.contains("<strong>真，</strong>她说"), "emphasis next to full-width punctuation");
    // Length and reading time in characters.
    assert!(page.contains(" 字 · 约 1 分钟读完"), "reading time");
    assert!(page.contains(r#"<html lang="zh-CN">"#));
    // Transcript text is escaped; javascript: links neutralised.
    assert!(!page.contains("<script>alert"), "raw HTML passed through");
    assert!(page.contains("&lt;script&gt;"));
    assert!(!page.contains("href=\"javascript:"));
    // Section table of contents, metrics card, previous/next.
    assert!(page.contains(r##"<a href="#s1">一、建体系挑大梁，产业能级全面跃升</a>"##));
    assert!(page.contains(r#"<h2 id="s1">"#));
    assert!(page.contains("+6.6"));
    assert!(page.contains(r#"rel="next" href="/meetings/2024-10-21/nanan/""#));
}

#[test]
fn organisations_resolve_through_registry_and_site_toml() {
    let (tmp, root) = copy_site("basic");
    let out = tmp.path().join("public");
    build(&root, &out).unwrap();
    // 某某 is an alias from site.toml; 长寿湖管委会 is unknown and gets a pinyin slug.
    assert!(out.join("districts/moumou/index.html").is_file());
    let districts = read(&out, "districts/index.html");
    assert!(districts.contains("长寿湖管委会"));
    let wanzhou = read(&out, "districts/wanzhou/index.html");
    assert_eq!(wanzhou.matches(r#"class="speech-title""#).count(), 2, "both meetings listed");
    assert!(
        wanzhou.find("奋力开局").unwrap() < wanzhou.find("以改革强动力").unwrap(),
        "newest first"
    );
}

#[test]
fn failed_build_leaves_previous_output_untouched() {
    let (tmp, root) = copy_site("basic");
    let out = tmp.path().join("public");
    build(&root, &out).unwrap();
    let before = tree(&out);
    fs::write(root.join("content/meetings/2024-10-21/02-nanan.md"), "---\ntitle: [broken\n---\n")
        .unwrap();
    assert!(build(&root, &out).is_err());
    assert_eq!(tree(&out), before, "output changed by a failed build");
    let leftovers: Vec<_> =
        fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 2, "staging folder left behind: {leftovers:?}");
}

#[test]
fn every_bad_file_is_reported_with_its_place() {
    let (tmp, root) = copy_site("basic");
    let dir = root.join("content/meetings/2024-10-21");
    fs::write(dir.join("02-nanan.md"), "---\ntitle: t\nmetrics:\n  gdp: fast\n---\n").unwrap();
    fs::write(dir.join("03-moumou.md"), "---\ntitle: [unclosed\n---\n").unwrap();
    fs::write(root.join("content/meetings/2025-01-20/_index.md"), "no front matter\n").unwrap();
    let err = format!("{:#}", build(&root, &tmp.path().join("out")).unwrap_err());
    assert!(
        err.contains("content/meetings/2024-10-21/02-nanan.md:4:8: metrics.gdp: invalid type"),
        "{err}"
    );
    assert!(
        err.contains("content/meetings/2024-10-21/03-moumou.md:2:8: `[` is not closed"),
        "{err}"
    );
    assert!(
        err.contains("content/meetings/2025-01-20/_index.md:1:1: expected front matter"),
        "{err}"
    );
    assert!(err.contains("3 problems"), "{err}");
    assert!(!tmp.path().join("out").exists(), "no partial output");
}

#[test]
fn two_speeches_with_one_url_are_refused() {
    let (tmp, root) = copy_site("basic");
    let dir = root.join("content/meetings/2024-10-21");
    fs::write(dir.join("05-again.md"), "---\ntitle: 又是万州\norg: 万州\n---\n").unwrap();
    let err = format!("{:#}", build(&root, &tmp.path().join("out")).unwrap_err());
    assert!(
        err.contains("two speeches map to the same URL /meetings/2024-10-21/wanzhou/"),
        "{err}"
    );
}

#[test]
fn hostile_slug_cannot_leave_the_output() {
    let (tmp, root) = copy_site("basic");
    let dir = root.join("content/meetings/2024-10-21");
    fs::write(dir.join("05-evil.md"), "---\ntitle: x\nslug: ../../etc\n---\n").unwrap();
    let err = format!("{:#}", build(&root, &tmp.path().join("out")).unwrap_err());
    assert!(err.contains("05-evil.md: slug: \"../../etc\" must be lowercase"), "{err}");
    // An organisation name with path characters becomes a safe pinyin slug.
    fs::write(dir.join("05-evil.md"), "---\ntitle: x\norg: ../../某/地\n---\n").unwrap();
    let out = tmp.path().join("out");
    build(&root, &out).unwrap();
    assert!(out.join("districts/mou-di/index.html").is_file());
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 2, "wrote outside the output");
}

#[test]
fn theme_templates_override_the_embedded_ones() {
    let (tmp, root) = copy_site("basic");
    let templates = root.join("themes/default/templates");
    fs::create_dir_all(&templates).unwrap();
    fs::write(
        templates.join("speech.html"),
        "{% extends \"base.html\" %}{% block content %}<p class=\"mine\">{{ speech.title }}</p>{% endblock content %}",
    )
    .unwrap();
    let out = tmp.path().join("out");
    build(&root, &out).unwrap();
    assert!(
        read(&out, "meetings/2024-10-21/wanzhou/index.html")
            .contains(r#"<p class="mine">以改革强动力增活力提质效</p>"#)
    );
    assert!(read(&out, "meetings/2024-10-21/index.html").contains("核心提示"), "others embedded");
}

#[test]
fn template_errors_name_file_line_and_column() {
    let (tmp, root) = copy_site("basic");
    let templates = root.join("themes/default/templates");
    fs::create_dir_all(&templates).unwrap();
    fs::write(templates.join("speech.html"), "{% extends \"base.html\" %}\n{% block content %}\n{{ speech.title | \n{% endblock content %}").unwrap();
    fs::write(
        templates.join("meeting.html"),
        "{% extends \"base.html\" %}\n{% block content %}{% if %}{% endblock content %}",
    )
    .unwrap();
    let err = format!("{:#}", build(&root, &tmp.path().join("out")).unwrap_err());
    assert!(err.contains("themes/default/templates/speech.html:"), "{err}");
    assert!(err.contains("themes/default/templates/meeting.html:2:"), "{err}");
    assert!(err.contains("2 problems"), "{err}");
}

#[test]
fn unknown_front_matter_keys_reach_templates_as_extra() {
    let (tmp, root) = copy_site("basic");
    let templates = root.join("themes/default/templates");
    fs::create_dir_all(&templates).unwrap();
    fs::write(templates.join("speech.html"), "{% extends \"base.html\" %}{% block content %}mood={{ speech.extra.mood | default(value=\"\") }}{% endblock content %}").unwrap();
    let out = tmp.path().join("out");
    build(&root, &out).unwrap();
    assert!(read(&out, "meetings/2024-10-21/wanzhou/index.html").contains("mood=乐观"));
}

#[test]
fn analysis_pages_and_open_data() {
    let (tmp, root) = copy_site("basic");
    let out = tmp.path().join("out");
    build(&root, &out).unwrap();
    // 万州区 reported GDP twice, for different periods (前三季度, 全年): they never share a line.
    // Each period was reported once, so one is charted and the other left to the table.
    let wanzhou = read(&out, "districts/wanzhou/index.html");
    let svgs: Vec<&str> =
        wanzhou.split("<svg").skip(1).map(|s| &s[..s.find("</svg>").unwrap()]).collect();
    let gdp: Vec<&&str> = svgs.iter().filter(|s| s.contains("地区生产总值")).collect();
    assert_eq!(gdp.len(), 1);
    assert_eq!(gdp[0].matches("<circle").count(), 1);
    assert!(wanzhou.contains("另有 1 组"));
    for point in ["2024-10-21", "2025-01-20"] {
        assert!(wanzhou.contains(&format!(">{point}</a>")), "{point} in the table");
    }
    // GDP ranking at the first meeting: 万州区 6.6, 南岸区 6.5 (前三季度); 某某新区 8 prints no
    // period, so it is listed apart, after them.
    let gdp = read(&out, "metrics/gdp/index.html");
    let order: Vec<usize> = ["万州区", "南岸区", "统计期不明", "某某新区"]
        .iter()
        .map(|n| gdp.rfind(n).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "ranking out of order");
    // The CSV has one row per speech and indicator, matching front matter.
    let csv = read(&out, "data/metrics.csv");
    assert!(csv.starts_with('\u{feff}'));
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 2 + 2 + 1 + 1, "{csv}");
    assert!(rows.contains(&"2024-10-21,深化改革攻坚强化政策供给,南岸区,district,许洪斌,fixed_asset_investment,固定资产投资,5.2,%,前三季度,https://test.example.org/meetings/2024-10-21/nanan/,1-9,2024,同比增速（%）,nanan,xu-hong-bin,"));
    let json: serde_json::Value = serde_json::from_str(&read(&out, "data/speeches.json")).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 5);
    assert_eq!(json[0]["url"], "https://test.example.org/meetings/2025-01-20/wanzhou/");
}

#[test]
fn init_creates_a_site_that_builds_and_refuses_to_overwrite() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("new");
    let yilu = env!("CARGO_BIN_EXE_yilu");
    let ok = Command::new(yilu).args(["init", "--theme"]).arg(&dir).output().unwrap();
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(
        dir.join("site.toml").is_file() && dir.join("themes/default/templates/base.html").is_file()
    );
    let built = Command::new(yilu).args(["build", "--root"]).arg(&dir).output().unwrap();
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    assert!(dir.join("public/index.html").is_file());
    fs::write(dir.join("site.toml"), "title = \"mine\"\n").unwrap();
    let again = Command::new(yilu).arg("init").arg(&dir).output().unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("is not empty"));
    assert_eq!(fs::read_to_string(dir.join("site.toml")).unwrap(), "title = \"mine\"\n");
}

#[test]
fn usage_errors_exit_1_and_help_exits_0() {
    let yilu = env!("CARGO_BIN_EXE_yilu");
    let typo = Command::new(yilu).arg("buidl").output().unwrap();
    assert_eq!(typo.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&typo.stderr).contains("similar subcommand exists: 'build'"));
    let help = Command::new(yilu).args(["build", "--help"]).output().unwrap();
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("--base-url"));
}
