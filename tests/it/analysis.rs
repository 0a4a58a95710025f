//! Issue 4: the analysis outputs of a site of several meetings — the real fixture plus the small
//! generated corpus in tests/fixtures/corpus (gen_corpus.py --meetings 6 --seed 3 --only raw) —
//! checked against the front matter ingest wrote: the district charts, the rankings on the
//! indicator pages, and the open data (data/metrics.csv, data/speeches.json).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use scraper::{ElementRef, Html, Selector};
use yilu::config::SiteConfig;
use yilu::content::front_matter::{SpeechFrontMatter, read_speech};
use yilu::ingest::{IngestOptions, WriteMode, ingest};
use yilu::metrics::Indicators;
use yilu::orgs::Registry;
use yilu::render::templates::format_number;

use crate::support::{build, read};

const FIXTURE: &str = "tests/fixtures/chongqing-2024-10-21.txt";
const CORPUS: &str = "tests/fixtures/corpus";

/// One speech as ingest wrote it.
struct Speech {
    /// The meeting's date (its folder name).
    date: String,
    /// The speech's URL segment inside the meeting.
    slug: String,
    /// The organisation's slug, for /districts/SLUG/.
    org_slug: Option<String>,
    fm: SpeechFrontMatter,
}

impl Speech {
    fn path(&self) -> String {
        format!("meetings/{}/{}/", self.date, self.slug)
    }
}

struct Site {
    _tmp: tempfile::TempDir,
    out: PathBuf,
    base_url: String,
    indicators: Indicators,
    speeches: Vec<Speech>,
}

fn corpus() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = fs::read_dir(root.join(CORPUS))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 6, "the generated corpus in {CORPUS}");
    files
}

/// Ingests the fixture (year 2024) and the corpus (dates from the file names) into a temp site
/// configured by the repository's site.toml, builds it, and reads the front matter back.
fn site() -> Site {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    let content = root.join("content");
    fs::create_dir_all(&content).unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    fs::copy(repo.join("site.toml"), root.join("site.toml")).unwrap();
    let config = SiteConfig::load(&root.join("site.toml")).unwrap();

    let fixture = IngestOptions { year: Some(2024), ..IngestOptions::new(&config) };
    ingest(&[repo.join(FIXTURE)], &content, &fixture, WriteMode::default()).unwrap();
    ingest(&corpus(), &content, &IngestOptions::new(&config), WriteMode::default()).unwrap();

    let out = tmp.path().join("public");
    let report = build(&root, &out).unwrap();

    let registry = Registry::new(&config.organisations);
    let mut speeches = Vec::new();
    let mut folders: Vec<PathBuf> =
        fs::read_dir(content.join("meetings")).unwrap().map(|e| e.unwrap().path()).collect();
    folders.sort();
    for folder in &folders {
        let date = folder.file_name().unwrap().to_string_lossy().into_owned();
        let mut files: Vec<PathBuf> = fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().unwrap() != "_index.md")
            .collect();
        files.sort();
        for file in files {
            let text = fs::read_to_string(&file).unwrap();
            let (fm, _) = read_speech(&text).unwrap();
            let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
            let rest = stem.split_once('-').map_or(stem.as_str(), |(_, r)| r).to_string();
            let org_slug = fm
                .org
                .as_deref()
                .map(|name| registry.lookup(name).map_or_else(|| rest.clone(), |o| o.slug.clone()));
            let slug = fm.slug.clone().or_else(|| org_slug.clone()).unwrap_or(rest);
            speeches.push(Speech { date: date.clone(), slug, org_slug, fm });
        }
    }
    assert_eq!(folders.len(), 7, "the fixture's meeting and six generated ones");
    assert_eq!((report.meetings, report.speeches), (folders.len(), speeches.len()));
    assert!(speeches.len() > 50, "only {} speeches", speeches.len());
    Site {
        _tmp: tmp,
        out,
        base_url: config.base_url.clone(),
        indicators: Indicators::new(&config.indicators),
        speeches,
    }
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn text(e: ElementRef<'_>) -> String {
    e.text().collect::<String>().trim().to_string()
}

#[test]
fn each_district_gdp_chart_has_one_point_per_meeting_it_reported_gdp_at() {
    let site = site();
    // Organisation slug → (name, {date → (gdp, period)}) from the front matter.
    type Reports<'a> = BTreeMap<&'a str, (f64, Option<&'a str>)>;
    let mut orgs: BTreeMap<&str, (&str, Reports<'_>)> = BTreeMap::new();
    for s in &site.speeches {
        let (Some(slug), Some(name)) = (s.org_slug.as_deref(), s.fm.org.as_deref()) else {
            continue;
        };
        let entry = orgs.entry(slug).or_insert((name, BTreeMap::new()));
        if let Some(gdp) = s.fm.metrics.get("gdp") {
            let before = entry.1.insert(&s.date, (*gdp, s.fm.period.as_deref()));
            assert!(before.is_none(), "{name} reported gdp twice on {}", s.date);
        }
    }
    assert!(orgs.len() > 20, "only {} organisations", orgs.len());
    assert!(
        orgs.values().filter(|(_, g)| g.len() >= 3).count() >= 3,
        "the corpus should give several districts a GDP series of three or more points"
    );
    assert!(orgs.values().any(|(_, g)| g.is_empty()), "some organisation never reports gdp");

    let label = site.indicators.label("gdp");
    let figure = sel("figure.chart");
    let caption = sel("figcaption");
    let title = sel("svg > title");
    let circle = sel(".chart-mark");
    let circle_title = sel(".chart-mark > title");
    // One chart per period (issue 13: only points of one period key share a line).
    let prefix = format!("{label}同比增速（%），");
    for (slug, (name, gdp)) in &orgs {
        let page = format!("districts/{slug}/index.html");
        let html = Html::parse_document(&read(&site.out, &page));
        let charts: Vec<ElementRef<'_>> = html
            .select(&figure)
            .filter(|f| {
                f.select(&title)
                    .next()
                    .is_some_and(|t| text(t).starts_with(&format!("{name}：{prefix}")))
            })
            .collect();
        if gdp.is_empty() {
            assert!(charts.is_empty(), "{page}: a GDP chart for an organisation without GDP");
            continue;
        }
        assert!(!charts.is_empty(), "{page}: a GDP chart titled {name}：{prefix}…");
        let mut points: Vec<String> = Vec::new();
        for chart in &charts {
            let cap = chart.select(&caption).next().map(text).unwrap_or_default();
            assert!(cap.starts_with(label), "{page}: caption {cap:?}");
            let n = chart.select(&circle).count();
            assert!(cap.contains(&format!("{n} 次报告")), "{page}: caption {cap:?}");
            // Each point says which meeting and value it is, oldest first.
            // A point's title names its period too: "2024-10-21（前三季度）6.6%".
            let mine: Vec<String> = chart
                .select(&circle_title)
                .map(text)
                .map(|t| match (t.find('（'), t.find('）')) {
                    (Some(a), Some(b)) => format!("{} {}", &t[..a], &t[b + '）'.len_utf8()..]),
                    _ => t,
                })
                .collect();
            assert_eq!(mine.len(), n);
            assert!(mine.windows(2).all(|w| w[0] < w[1]), "{page}: not oldest first: {mine:?}");
            points.extend(mine);
        }
        // Every point is a report of GDP, none twice; periods reported once (or beyond the
        // first few) are left to the table.
        points.sort();
        let want: Vec<String> =
            gdp.iter().map(|(date, (v, _))| format!("{date} {}%", format_number(*v))).collect();
        assert!(points.windows(2).all(|w| w[0] != w[1]), "{page}: a point twice: {points:?}");
        for p in &points {
            assert!(want.contains(p), "{page}: {p} is not one of its GDP reports");
        }
        if points.len() < want.len() {
            assert!(read(&site.out, &page).contains("未作图"), "{page}: omitted periods unsaid");
        }
    }
}

/// A ranking table's rows: (rank, org, value as printed).
fn ranking_rows(section: ElementRef<'_>) -> Vec<(usize, String, String)> {
    let row = sel("table.data tbody tr");
    let cells = sel("td, th");
    section
        .select(&row)
        .map(|tr| {
            let c: Vec<String> = tr.select(&cells).map(text).collect();
            assert_eq!(c.len(), 4, "rank, org, period, value: {c:?}");
            (c[0].parse().unwrap(), c[1].clone(), c[3].clone())
        })
        .collect()
}

/// Meeting date → the (organisation, value) pairs reported there.
type ByDate<'a> = BTreeMap<&'a str, Vec<(String, f64)>>;

#[test]
fn rankings_are_in_descending_order_with_shared_ranks() {
    let site = site();
    // key → date → [(org, value)] from the front matter.
    let mut want: BTreeMap<&str, ByDate<'_>> = BTreeMap::new();
    for s in &site.speeches {
        for (key, v) in &s.fm.metrics {
            let org = s.fm.org.clone().unwrap_or_else(|| s.fm.title.clone());
            want.entry(key).or_default().entry(&s.date).or_default().push((org, *v));
        }
    }
    assert!(want.len() >= 5, "only {} indicators", want.len());

    let section = sel("section.ranking");
    let h2 = sel("h2");
    let mut ties = 0;
    for (key, by_date) in &want {
        let page = format!("metrics/{}/index.html", key.replace('_', "-"));
        let html = Html::parse_document(&read(&site.out, &page));
        let sections: Vec<ElementRef<'_>> = html.select(&section).collect();
        let dates: Vec<String> = sections
            .iter()
            .map(|s| text(s.select(&h2).next().unwrap()).chars().take(10).collect())
            .collect();
        let want_dates: Vec<&str> = by_date.keys().rev().copied().collect();
        assert_eq!(dates, want_dates, "{page}: one ranking per meeting, newest first");
        for (sec, date) in sections.iter().zip(&dates) {
            let at = format!("{page} {date}");
            // One table per period key (issue 13), each ranked on its own.
            let mut got: Vec<(String, String)> = Vec::new();
            for table in sec.select(&sel("table.data")) {
                let rows = ranking_rows(table);
                let values: Vec<f64> = rows.iter().map(|r| r.2.parse().unwrap()).collect();
                assert!(
                    values.windows(2).all(|w| w[0] >= w[1]),
                    "{at}: not descending: {values:?}"
                );
                for (i, r) in rows.iter().enumerate() {
                    let rank = if i > 0 && values[i] == values[i - 1] {
                        ties += 1;
                        rows[i - 1].0
                    } else {
                        i + 1
                    };
                    assert_eq!(r.0, rank, "{at}: row {} ({} {})", i + 1, r.1, r.2);
                }
                got.extend(rows.into_iter().map(|(_, org, v)| (org, v)));
            }
            // Exactly the organisations that reported the indicator, with their values.
            let mut expected: Vec<(String, String)> = by_date[date.as_str()]
                .iter()
                .map(|(org, v)| (org.clone(), format_number(*v)))
                .collect();
            got.sort();
            expected.sort();
            assert_eq!(got, expected, "{at}: ranked organisations");
        }
    }
    assert!(ties > 0, "the corpus should contain at least one shared rank to check");
}

#[test]
fn metrics_csv_has_one_row_per_speech_and_indicator() {
    let site = site();
    let bytes = fs::read(site.out.join("data/metrics.csv")).unwrap();
    let body = bytes.strip_prefix("\u{feff}".as_bytes()).expect("metrics.csv starts with a BOM");
    let mut reader = csv::Reader::from_reader(body);
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| {
        headers.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"))
    };
    let fields = ["date", "org", "org_kind", "speaker", "indicator", "value", "period", "url"];
    let cols: Vec<usize> = fields.iter().map(|f| col(f)).collect();
    let mut got: Vec<Vec<String>> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            assert_eq!(r.len(), headers.len(), "a ragged row: {r:?}");
            cols.iter().map(|&i| r[i].to_string()).collect()
        })
        .collect();

    let mut want: Vec<Vec<String>> = Vec::new();
    for s in &site.speeches {
        let fm = &s.fm;
        let kind = fm.org_kind.expect("ingest writes org_kind");
        for (key, v) in &fm.metrics {
            want.push(vec![
                s.date.clone(),
                fm.org.clone().unwrap_or_default(),
                kind.as_str().to_string(),
                fm.speaker.clone().unwrap_or_default(),
                key.clone(),
                format_number(*v),
                fm.period.clone().unwrap_or_default(),
                format!("{}{}", site.base_url, s.path()),
            ]);
        }
    }
    assert!(want.len() > 100, "only {} (speech, indicator) pairs", want.len());
    got.sort();
    want.sort();
    let diff = |a: &[Vec<String>], b: &[Vec<String>]| -> Vec<Vec<String>> {
        a.iter().filter(|r| !b.contains(r)).take(5).cloned().collect()
    };
    assert!(
        got == want,
        "{} rows, want {}\n  unexpected: {:?}\n  missing: {:?}",
        got.len(),
        want.len(),
        diff(&got, &want),
        diff(&want, &got)
    );
}

#[test]
fn speeches_json_has_one_object_per_speech_with_its_metrics() {
    let site = site();
    let json: serde_json::Value =
        serde_json::from_str(&read(&site.out, "data/speeches.json")).unwrap();
    let records = json.as_array().expect("an array");
    assert_eq!(records.len(), site.speeches.len(), "one object per speech");
    let by_url: BTreeMap<&str, &serde_json::Value> =
        records.iter().map(|r| (r["url"].as_str().expect("url"), r)).collect();
    assert_eq!(by_url.len(), records.len(), "URLs are unique");
    let mut keys = BTreeSet::new();
    for s in &site.speeches {
        let url = format!("{}{}", site.base_url, s.path());
        let r = by_url.get(url.as_str()).unwrap_or_else(|| panic!("no record for {url}"));
        let fm = &s.fm;
        assert_eq!(r["date"], s.date.as_str(), "{url}");
        assert_eq!(r["title"], fm.title.as_str(), "{url}");
        assert_eq!(r["org"].as_str(), fm.org.as_deref(), "{url}");
        assert_eq!(r["speaker"].as_str(), fm.speaker.as_deref(), "{url}");
        assert_eq!(r["period"].as_str(), fm.period.as_deref(), "{url}");
        assert_eq!(r["order"].as_u64(), fm.order.map(u64::from), "{url}");
        let got: BTreeMap<String, f64> = serde_json::from_value(r["metrics"].clone()).unwrap();
        let want: BTreeMap<String, f64> = fm.metrics.iter().map(|(k, v)| (k.clone(), *v)).collect();
        assert_eq!(got, want, "{url}: metrics");
        keys.extend(want.into_keys());
    }
    assert!(keys.len() >= 5, "only {keys:?}");
}
