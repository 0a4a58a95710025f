//! Issue 20, item 3: a map per meeting in an indicator's history. The 30 meetings of
//! tests/fixtures/archive30, ingested and built with the repository's site.toml (Chongqing):
//! the GDP page shows small maps of its newest meetings only (capped, with a note saying so),
//! each made of `<use>`s of outlines written once per page, every reporting shape a link to an
//! existing district page titled with name, value and period, the rest grey, one shared legend,
//! and each map's caption linking to that meeting's ranking on the page.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use scraper::{ElementRef, Html, Selector};
use yilu::config::SiteConfig;
use yilu::ingest::{IngestOptions, WriteMode, ingest};

use crate::support::{build, copy_dir, read};

/// The cap the page states (graphics::HISTORY_MAPS), written out here on purpose.
const CAP: usize = 12;

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn text(e: ElementRef<'_>) -> String {
    e.text().flat_map(str::split_whitespace).collect::<Vec<_>>().join(" ")
}

/// The archive ingested and built: (guard, output folder).
fn archive() -> (tempfile::TempDir, PathBuf) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    fs::create_dir_all(root.join("content")).unwrap();
    fs::copy(repo.join("site.toml"), root.join("site.toml")).unwrap();
    let config = SiteConfig::load(&root.join("site.toml")).unwrap();
    let mut files: Vec<PathBuf> = fs::read_dir(repo.join("tests/fixtures/archive30"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 30);
    ingest(&files, &root.join("content"), &IngestOptions::new(&config), WriteMode::default())
        .unwrap();
    let out = tmp.path().join("public");
    build(&root, &out).unwrap();
    (tmp, out)
}

#[test]
fn the_gdp_page_shows_a_capped_row_of_small_maps_linking_districts_and_rankings() {
    let (_tmp, out) = archive();
    let html = read(&out, "metrics/gdp/index.html");
    let doc = Html::parse_document(&html);
    let meetings = doc.select(&sel("section.ranking")).count();
    assert!(meetings > CAP, "the archive reports GDP at {meetings} meetings, more than the cap");

    // The outlines, once, in a hidden SVG before the maps.
    let defs: Vec<ElementRef<'_>> = doc.select(&sel("svg.map-defs")).collect();
    assert_eq!(defs.len(), 1, "one set of outlines per page");
    assert_eq!(defs[0].value().attr("aria-hidden"), Some("true"));
    let outlines: BTreeSet<String> = defs[0]
        .select(&sel("path[id]"))
        .map(|p| p.value().attr("id").unwrap().to_string())
        .collect();
    assert_eq!(outlines.len(), 38, "Chongqing's 38 districts and counties");
    assert!(html.find("map-defs").unwrap() < html.find("chart-map-small").unwrap());

    let maps: Vec<ElementRef<'_>> = doc.select(&sel("ul.map-history > li")).collect();
    assert_eq!(maps.len(), CAP, "the newest {CAP} meetings, not all {meetings}");
    let note = text(doc.select(&sel("#history-maps-h + p.meta")).next().expect("a note"));
    assert!(note.contains(&format!("最近 {CAP} 次")), "{note}");
    assert!(note.contains(&format!("共 {meetings} 次")), "{note}");
    assert_eq!(doc.select(&sel("svg.chart-map-legend")).count(), 1, "one shared legend");

    // The meetings' ranking sections, newest first, as the captions must link them.
    let sections: Vec<(String, String)> = doc
        .select(&sel("section.ranking"))
        .map(|s| {
            let id = s.value().attr("aria-labelledby").unwrap().to_string();
            (id, s.value().attr("aria-labelledby").unwrap()[2..12].to_string())
        })
        .collect();
    let mut linked = 0;
    let mut grey = 0;
    for (i, li) in maps.iter().enumerate() {
        let svg = li.select(&sel("svg.chart-map-small")).next().expect("a small map");
        let title = text(svg.select(&sel("title")).next().unwrap());
        assert!(title.contains("地区生产总值"), "map {i} titled: {title}");
        let anchor = li.select(&sel("figcaption a")).next().expect("a dated caption");
        assert_eq!(anchor.value().attr("href"), Some(format!("#{}", sections[i].0).as_str()));
        let caption = text(li.select(&sel("figcaption")).next().unwrap());
        assert!(caption.contains(&sections[i].1[..4]), "caption {caption} of {}", sections[i].1);

        let uses: Vec<ElementRef<'_>> = svg.select(&sel("use")).collect();
        assert_eq!(uses.len(), 38, "every division on every map");
        for u in &uses {
            let href = u.value().attr("href").unwrap();
            assert!(outlines.contains(&href[1..]), "{href} is an outline of the page");
            let shape_title = text(u.select(&sel("title")).next().expect("a title"));
            let class = u.value().attr("class").unwrap();
            if class.contains("map-none") {
                grey += 1;
                assert!(shape_title.ends_with("未报告"), "{shape_title}");
                continue;
            }
            assert!(class.contains("map-c"), "{class}");
            // Name, value with its unit and the period: 万州区 6.5%（1—9月）.
            assert!(shape_title.contains('%') && shape_title.contains('（'), "{shape_title}");
            let link = ElementRef::wrap(u.parent().unwrap()).unwrap();
            assert_eq!(link.value().name(), "a", "a reporting shape is a link");
            let target = link.value().attr("href").unwrap();
            assert!(target.starts_with("/districts/"), "{target}");
            assert!(out.join(&target[1..]).join("index.html").is_file(), "{target} exists");
            assert_eq!(link.value().attr("aria-label"), Some(shape_title.as_str()));
            linked += 1;
        }
    }
    assert!(linked > CAP, "reporting districts are linked ({linked})");
    assert!(grey > 0, "non-reporting divisions are grey");

    // A map costs a few KB, and the whole row stays well under the page's budget.
    let row_start = html.find("<ul class=\"map-history\"").unwrap();
    let row = &html[row_start..html[row_start..].find("</ul>").unwrap() + row_start];
    assert!(row.len() / CAP < 8 * 1024, "{} bytes a map", row.len() / CAP);
    assert!(html.find("</defs></svg>").unwrap() - html.find("map-defs").unwrap() < 40 * 1024);
}

#[test]
fn an_indicator_of_one_meeting_has_its_big_map_and_no_history_maps() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    copy_dir(&repo.join("content"), &root.join("content"));
    fs::copy(repo.join("site.toml"), root.join("site.toml")).unwrap();
    let out = tmp.path().join("public");
    build(&root, &out).unwrap();
    let html = read(&out, "metrics/gdp/index.html");
    assert!(html.contains("class=\"chart-map\""), "the example's GDP page has its map");
    assert!(!html.contains("map-history") && !html.contains("map-defs"));
}
