//! Issue 13: comparable numbers. The fixture site tests/fixtures/sites/periods holds five
//! meetings whose speeches print their periods differently (前三季度, 1—9月, 1-9月, 1至9月, 上半年,
//! 1—6月, 全年 at January meetings and at an October one, 全年预计, a figure with its own 1—8月)
//! and text a spreadsheet would run. Checked: period keys and years in metrics.csv, rankings that
//! never mix keys, changes in speeches.json, the organisation × meeting table, CSV
//! neutralisation, provenance links, meeting navigation, the data files and their README.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use scraper::{ElementRef, Html, Selector};

use crate::support::{build, copy_site, read};

/// The printed periods of the fixture and the key each must get (written out by hand, not by
/// the code under test).
const KEYS: &[(&str, &str)] = &[
    ("前三季度", "1-9"),
    ("1—9月", "1-9"),
    ("1-9月", "1-9"),
    ("1至9月", "1-9"),
    ("上半年", "1-6"),
    ("1—6月", "1-6"),
    ("全年", "1-12"),
    ("全年预计", "1-12"),
    ("1—8月", "1-8"),
];

fn key_of(printed: &str) -> &'static str {
    KEYS.iter()
        .find(|(p, _)| *p == printed)
        .map(|(_, k)| *k)
        .unwrap_or_else(|| panic!("unexpected period {printed:?}"))
}

struct Built {
    _tmp: tempfile::TempDir,
    out: PathBuf,
}

fn built() -> Built {
    let (tmp, root) = copy_site("periods");
    let out = tmp.path().join("public");
    build(&root, &out).unwrap();
    Built { _tmp: tmp, out }
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn text(e: ElementRef<'_>) -> String {
    e.text().flat_map(str::split_whitespace).collect::<Vec<_>>().join(" ")
}

/// A CSV file as (header, rows of column name → cell).
fn csv_rows(out: &Path, rel: &str) -> Vec<BTreeMap<String, String>> {
    let bytes = fs::read(out.join(rel)).unwrap();
    let body = bytes.strip_prefix("\u{feff}".as_bytes()).expect("a BOM");
    let mut reader = csv::Reader::from_reader(body);
    let headers: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            assert_eq!(r.len(), headers.len(), "{rel}: a ragged row {r:?}");
            headers.iter().cloned().zip(r.iter().map(str::to_string)).collect()
        })
        .collect()
}

#[test]
fn metrics_csv_carries_period_keys_years_and_measure() {
    let site = built();
    let rows = csv_rows(&site.out, "data/metrics.csv");
    let got: Vec<[&str; 7]> = rows
        .iter()
        .map(|r| {
            [
                &r["date"],
                &r["org_slug"],
                &r["indicator"],
                &r["value"],
                &r["period"],
                &r["period_key"],
                &r["period_year"],
            ]
            .map(String::as_str)
        })
        .collect();
    let want: Vec<[&str; 7]> = vec![
        ["2025-01-20", "wanzhou", "gdp", "6.2", "全年", "1-12", "2024"],
        ["2025-01-20", "dazu", "gdp", "5.9", "全年预计", "1-12", "2024"],
        ["2024-10-21", "wanzhou", "gdp", "6.6", "前三季度", "1-9", "2024"],
        // The figure prints its own period: 1—8月, not the speech's 前三季度.
        ["2024-10-21", "wanzhou", "industrial_value_added", "9", "1—8月", "1-8", "2024"],
        ["2024-10-21", "dazu", "gdp", "6.6", "1-9月", "1-9", "2024"],
        ["2024-10-21", "nanan", "gdp", "5.9", "1至9月", "1-9", "2024"],
        // 全年 at an October meeting: last year's.
        ["2024-10-21", "fuling", "gdp", "6.6", "全年", "1-12", "2023"],
        ["2024-10-21", "fuling", "industrial_value_added", "-2.5", "全年", "1-12", "2023"],
        ["2024-07-20", "wanzhou", "gdp", "5.8", "上半年", "1-6", "2024"],
        ["2024-07-20", "dazu", "gdp", "6.1", "1—6月", "1-6", "2024"],
        ["2024-07-20", "nanan", "gdp", "5", "上半年", "1-6", "2024"],
        // A January meeting's 全年 is the previous year.
        ["2024-01-18", "wanzhou", "gdp", "6", "全年", "1-12", "2023"],
        ["2024-01-18", "dazu", "gdp", "5.5", "全年", "1-12", "2023"],
        ["2024-01-18", "nanan", "gdp", "6.2", "全年", "1-12", "2023"],
        ["2023-10-20", "wanzhou", "gdp", "7", "前三季度", "1-9", "2023"],
        ["2023-10-20", "dazu", "gdp", "6", "1—9月", "1-9", "2023"],
    ];
    assert_eq!(got, want);
    for r in &rows {
        assert_eq!(r["measure"], "同比增速（%）", "{r:?}");
        assert_eq!(r["unit"], "%");
        assert!(!r["speaker_id"].is_empty(), "{r:?}");
        let source =
            if r["date"] == "2024-07-20" { "https://www.cqrb.cn/2024-07-21/a.html" } else { "" };
        assert_eq!(r["source_url"], source, "{r:?}");
    }
}

/// A ranking row: rank, organisation, printed period.
type Ranked = (String, String, String);

#[test]
fn no_ranking_table_or_chart_mixes_period_keys() {
    let site = built();
    let html = Html::parse_document(&read(&site.out, "metrics/gdp/index.html"));
    let section = sel("section.ranking");
    let table = sel("table[data-period]");
    let row = sel("tbody tr");
    let cell = sel("td, th");
    let mut tables = 0;
    let mut by_date: BTreeMap<String, Vec<(String, Vec<Ranked>)>> = BTreeMap::new();
    for sec in html.select(&section) {
        let date: String = text(sec.select(&sel("h2")).next().unwrap()).chars().take(10).collect();
        for t in sec.select(&table) {
            tables += 1;
            let key = t.value().attr("data-period").unwrap().to_string();
            let rows: Vec<Ranked> = t
                .select(&row)
                .map(|tr| {
                    let c: Vec<String> = tr.select(&cell).map(text).collect();
                    (c[0].clone(), c[1].clone(), c[2].clone())
                })
                .collect();
            for (_, org, period) in &rows {
                assert_eq!(key_of(period), key, "{date}: {org} ({period}) ranked under {key}");
            }
            by_date.entry(date.clone()).or_default().push((key, rows));
        }
    }
    assert_eq!(tables, 6, "five meetings, one with a second period");
    // The case: 全年 is not ranked beside 前三季度; 1—9月 spellings are one period.
    let oct = &by_date["2024-10-21"];
    let names = |rows: &[Ranked]| -> Vec<(String, String)> {
        rows.iter().map(|(rank, org, _)| (rank.clone(), org.clone())).collect()
    };
    assert_eq!(oct[0].0, "1-9");
    assert_eq!(
        names(&oct[0].1),
        [("1", "万州区"), ("1", "大足区"), ("3", "南岸区")].map(|(a, b)| (a.into(), b.into()))
    );
    assert_eq!(oct[1].0, "1-12");
    assert_eq!(names(&oct[1].1), [("1".to_string(), "涪陵区".to_string())]);
    assert_eq!(by_date["2024-07-20"].len(), 1, "上半年 and 1—6月 rank together");

    // Every series chart (on the indicator page and the district pages) holds one key.
    let points = |page: &str| -> Vec<(String, Vec<String>)> {
        let html = Html::parse_document(&read(&site.out, page));
        html.select(&sel("figure.chart"))
            .filter(|f| f.select(&sel("svg.chart-line")).next().is_some())
            .map(|f| {
                let caption = f.select(&sel("figcaption")).next().map(text).unwrap_or_default();
                (caption, f.select(&sel("circle > title")).map(text).collect())
            })
            .collect()
    };
    let wanzhou = points("districts/wanzhou/index.html");
    let captions: Vec<&str> = wanzhou.iter().map(|(c, _)| c.as_str()).collect();
    assert!(captions.iter().all(|c| c.contains("同比增速（%）")), "{captions:?}");
    let gdp: BTreeMap<&str, &Vec<String>> = wanzhou
        .iter()
        .filter(|(c, _)| c.starts_with("地区生产总值"))
        .map(|(c, p)| (c.split("统计期 ").nth(1).unwrap().split('（').next().unwrap(), p))
        .collect();
    // 上半年 was reported once: no chart of one point beside real series; the table has it.
    assert_eq!(gdp.len(), 2, "{wanzhou:?}");
    // Each point's title names the period as printed.
    assert_eq!(*gdp["全年"], ["2024-01-18（全年）6%", "2025-01-20（全年）6.2%"]);
    assert_eq!(*gdp["1—9月"], ["2023-10-20（前三季度）7%", "2024-10-21（前三季度）6.6%"]);
    assert!(read(&site.out, "districts/wanzhou/index.html").contains("另有 1 组"));
    // An indicator reported only once still gets its chart.
    assert!(captions.iter().any(|c| c.starts_with("规上工业增加值") && c.contains("1—8月")));
    let trends = points("metrics/gdp/index.html");
    assert!(trends.iter().all(|(c, _)| c.contains("统计期")), "{trends:?}");

    // The home page ranks the latest meeting's main period only.
    let home = Html::parse_document(&read(&site.out, "index.html"));
    let caption = home.select(&sel("section[aria-labelledby=headline-h] caption")).next();
    assert!(caption.map(text).unwrap_or_default().contains("统计期 全年"));
}

#[test]
fn speeches_json_gives_each_metric_its_change_since_the_same_period_last_reported() {
    let site = built();
    let json: serde_json::Value =
        serde_json::from_str(&read(&site.out, "data/speeches.json")).unwrap();
    let by_path: BTreeMap<&str, &serde_json::Value> =
        json.as_array().unwrap().iter().map(|r| (r["path"].as_str().unwrap(), r)).collect();
    let change = |path: &str| by_path[path]["changes"].clone();
    let base = "https://periods.example.org/meetings/";
    assert_eq!(
        change("meetings/2024-10-21/wanzhou/"),
        serde_json::json!({"gdp": {"previous": 7.0, "previous_date": "2023-10-20",
            "previous_url": format!("{base}2023-10-20/wanzhou/"), "previous_period": "前三季度",
            "diff": -0.4}})
    );
    assert_eq!(
        change("meetings/2024-10-21/dazu/"),
        serde_json::json!({"gdp": {"previous": 6.0, "previous_date": "2023-10-20",
            "previous_url": format!("{base}2023-10-20/dazu/"), "previous_period": "1—9月",
            "diff": 0.6}})
    );
    assert_eq!(change("meetings/2025-01-20/dazu/")["gdp"]["previous"], 5.5);
    assert_eq!(change("meetings/2025-01-20/dazu/")["gdp"]["diff"], 0.4);
    assert_eq!(change("meetings/2025-01-20/wanzhou/")["gdp"]["previous_date"], "2024-01-18");
    assert_eq!(change("meetings/2025-01-20/wanzhou/")["gdp"]["diff"], 0.2);
    // 南岸's earlier reports are of other periods (上半年, 全年): nothing to compare with.
    for path in ["meetings/2024-10-21/nanan/", "meetings/2024-07-20/wanzhou/"] {
        assert_eq!(change(path), serde_json::json!({}), "{path}");
    }
    let r = by_path["meetings/2024-10-21/wanzhou/"];
    assert_eq!(r["period_key"], "1-9");
    assert_eq!(r["period_year"], 2024);
    assert_eq!(r["metric_periods"]["industrial_value_added"]["period_key"], "1-8");
    assert_eq!(by_path["meetings/2024-01-18/nanan/"]["period_year"], 2023);
    assert_eq!(
        by_path["meetings/2024-07-20/nanan/"]["source_url"],
        "https://www.cqrb.cn/2024-07-21/a.html"
    );

    // The speech page shows it too.
    let page = Html::parse_document(&read(&site.out, "meetings/2024-10-21/wanzhou/index.html"));
    let rows: Vec<String> = page.select(&sel("section.changes tbody tr")).map(text).collect();
    assert_eq!(rows, ["地区生产总值（GDP） 前三季度 6.6 7 2023-10-20 -0.4"]);
    // And the district page: each indicator's newest report against its previous one.
    let page = Html::parse_document(&read(&site.out, "districts/dazu/index.html"));
    let latest = page.select(&sel("table.data tbody tr")).next().map(text).unwrap();
    assert_eq!(latest, "地区生产总值（GDP） 2025-01-20 全年预计 5.9 5.5 2024-01-18 +0.4");
}

#[test]
fn indicator_page_has_an_organisation_by_meeting_table() {
    let site = built();
    let html = Html::parse_document(&read(&site.out, "metrics/gdp/index.html"));
    let table = html.select(&sel("table#org-by-meeting.sortable")).next().expect("the table");
    let heads: Vec<String> = table.select(&sel("thead th")).map(text).collect();
    assert_eq!(
        heads,
        ["单位", "2025-01-20", "2024-10-21", "2024-07-20", "2024-01-18", "2023-10-20"]
    );
    let rows: Vec<Vec<String>> = table
        .select(&sel("tbody tr"))
        .map(|tr| tr.select(&sel("th, td")).map(text).collect())
        .collect();
    let want: Vec<Vec<&str>> = vec![
        vec!["万州区", "6.2 全年", "6.6 前三季度", "5.8 上半年", "6 全年", "7 前三季度"],
        vec!["南岸区", "", "5.9 1至9月", "5 上半年", "6.2 全年", ""],
        vec!["大足区", "5.9 全年预计", "6.6 1-9月", "6.1 1—6月", "5.5 全年", "6 1—9月"],
        vec!["涪陵区", "", "6.6 全年", "", "", ""],
    ];
    assert_eq!(rows, want);
    // The caption sits outside the scrolling box, and says what the numbers are.
    let figure = html.select(&sel("figure.wide-table")).next().unwrap();
    let caption = figure.select(&sel(":scope > figcaption")).next().map(text).unwrap();
    assert!(caption.contains("同比增速（%）"), "{caption}");
    assert!(figure.select(&sel(":scope > .table-scroll > table")).next().is_some());
}

#[test]
fn csv_text_cells_never_start_a_formula_and_numbers_stay_numbers() {
    let site = built();
    for rel in ["data/metrics.csv", "data/figures.csv"] {
        for row in csv_rows(&site.out, rel) {
            for (column, cell) in &row {
                if column == "value" || column == "period_year" {
                    continue;
                }
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{rel}: {column} = {cell:?}"
                );
            }
        }
    }
    let metrics = csv_rows(&site.out, "data/metrics.csv");
    let oct = metrics.iter().find(|r| r["date"] == "2024-10-21").unwrap();
    assert_eq!(oct["meeting"], "'=HYPERLINK(\"http://evil.example/\")三季度例会");
    let negative = metrics.iter().find(|r| r["value"].starts_with('-')).expect("a decline");
    assert_eq!(negative["value"], "-2.5");
    let figures = csv_rows(&site.out, "data/figures.csv");
    let hostile = figures.iter().find(|r| r["subject"].contains("项目投资")).unwrap();
    assert_eq!(hostile["subject"], "'=1+1项目投资");
    assert_eq!(hostile["speaker"], "'@张三");
    assert_eq!(hostile["measure"], "同比增速（%）");
    assert_eq!(hostile["period_key"], "1-9", "the speech's period when the figure prints none");
    // Every figure, not only the metrics: 万州's 1—8月 figure keeps its own period.
    assert_eq!(figures.len(), 17);
    let own = figures.iter().find(|r| r["text"].starts_with("1—8月")).unwrap();
    assert_eq!((own["period"].as_str(), own["period_key"].as_str()), ("1—8月", "1-8"));
}

#[test]
fn meetings_link_their_source_and_neighbours_and_pages_link_the_data() {
    let site = built();
    let link = |page: &str, selector: &str| -> Vec<String> {
        let html = Html::parse_document(&read(&site.out, page));
        html.select(&sel(selector))
            .filter_map(|a| a.value().attr("href").map(str::to_string))
            .collect()
    };
    let source = "https://www.cqrb.cn/2024-07-21/a.html";
    assert_eq!(link("meetings/2024-07-20/index.html", ".source a"), [source]);
    assert_eq!(link("meetings/2024-07-20/nanan/index.html", ".source a"), [source]);
    assert!(link("meetings/2024-10-21/index.html", ".source a").is_empty());
    assert_eq!(
        link("meetings/2024-07-20/index.html", "nav.prev-next a"),
        ["/meetings/2024-01-18/", "/meetings/2024-10-21/"]
    );
    assert_eq!(
        link("meetings/2025-01-20/index.html", "nav.prev-next a"),
        ["/meetings/2024-10-21/"]
    );
    assert_eq!(
        link("meetings/2023-10-20/index.html", "nav.prev-next a"),
        ["/meetings/2024-01-18/"]
    );
    let data =
        ["/data/speeches.json", "/data/meetings.json", "/data/metrics.csv", "/data/figures.csv"];
    for page in ["index.html", "metrics/index.html", "metrics/gdp/index.html"] {
        assert_eq!(link(page, ".data-links a"), data, "{page}");
    }
    for file in data {
        assert!(site.out.join(&file[1..]).is_file(), "{file}");
    }
    let meetings: serde_json::Value =
        serde_json::from_str(&read(&site.out, "data/meetings.json")).unwrap();
    let list = meetings.as_array().unwrap();
    assert_eq!(list.len(), 5);
    assert_eq!(list[2]["date"], "2024-07-20");
    assert_eq!(list[2]["source_url"], source);
    assert_eq!(list[2]["publication"], "重庆日报");
    assert_eq!(list[2]["speeches"].as_array().unwrap().len(), 3);
}

#[test]
fn readme_documents_every_data_column() {
    let site = built();
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let open_data = readme.split("### Open data").nth(1).expect("an Open data section");
    let section = open_data.split("\n## ").next().unwrap();
    for rel in ["data/metrics.csv", "data/figures.csv"] {
        let header =
            read(&site.out, rel).lines().next().unwrap().trim_start_matches('\u{feff}').to_string();
        for column in header.split(',') {
            assert!(
                section.contains(&format!("`{column}`")),
                "README does not document {rel}'s {column}"
            );
        }
    }
    for rel in ["data/speeches.json", "data/meetings.json"] {
        let json: serde_json::Value = serde_json::from_str(&read(&site.out, rel)).unwrap();
        for key in json[0].as_object().unwrap().keys() {
            assert!(
                section.contains(&format!("`{key}`")),
                "README does not document {rel}'s {key}"
            );
        }
    }
}

#[test]
fn ingest_records_the_source_from_flags_and_from_an_html_page() {
    let tmp = tempfile::tempdir().unwrap();
    let yilu = env!("CARGO_BIN_EXE_yilu");
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/chongqing-2024-10-21.txt");
    let text = fs::read_to_string(&fixture).unwrap();
    let index = |out: &Path| fs::read_to_string(out.join("meetings/2024-10-21/_index.md")).unwrap();

    let out = tmp.path().join("flags");
    let run = Command::new(yilu)
        .args(["ingest", "-q", "--year", "2024", "--publication", "重庆日报", "--source-url"])
        .arg("https://www.cqrb.cn/a/1.html")
        .arg("--out")
        .arg(&out)
        .arg(&fixture)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(
        index(&out)
            .contains("source:\n  publication: 重庆日报\n  url: https://www.cqrb.cn/a/1.html\n"),
        "{}",
        index(&out)
    );

    // An HTML page's canonical link and site name; a flag wins over the page.
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;");
    let mut html = String::from(
        "<!DOCTYPE html><html><head><link rel=\"canonical\" href=\"https://paper.example/a.html\">\
         <meta property=\"og:site_name\" content=\"某日报\"></head><body><article>",
    );
    for block in text.split("\n\n").filter(|b| !b.trim().is_empty()) {
        html.push_str(&format!("<p>{}</p>\n", escape(block.trim())));
    }
    html.push_str("</article></body></html>");
    let page = tmp.path().join("2024-10-21.html");
    fs::write(&page, html).unwrap();
    let out = tmp.path().join("html");
    let run = Command::new(yilu)
        .args(["ingest", "-q", "--publication", "重庆日报", "--out"])
        .arg(&out)
        .arg(&page)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(
        index(&out)
            .contains("source:\n  publication: 重庆日报\n  url: https://paper.example/a.html\n"),
        "{}",
        index(&out)
    );

    // A URL that is not http(s) is refused by name, and so is one URL for two articles.
    let bad = Command::new(yilu)
        .args(["ingest", "--source-url", "javascript:alert(1)"])
        .arg(&fixture)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not an http:// or https:// URL"));
    let two = Command::new(yilu)
        .args(["ingest", "--source-url", "https://a.example/"])
        .arg(&fixture)
        .arg(&page)
        .output()
        .unwrap();
    assert_eq!(two.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&two.stderr).contains("ingest them one at a time"));
}
