//! Machine-readable outputs: /atom.xml, /sitemap.xml, /robots.txt, and the archive as open data
//! (/data/speeches.json, /data/metrics.csv). Written in Rust rather than templates: their
//! formats are fixed by standards, and escaping is done once here, correctly.

use std::fmt::Write;

use serde::Serialize;

use super::model::SiteModel;
use super::pages::Page;
use crate::config::SiteConfig;
use crate::content::Archive;
use crate::render::escape_xml as xml_escape;

/// How many entries the Atom feed carries.
const FEED_ENTRIES: usize = 50;

/// The absolute URL of a site path.
pub fn permalink(config: &SiteConfig, path: &str) -> String {
    format!("{}{}", config.base_url, path.trim_start_matches('/'))
}

/// One entry of an Atom feed.
struct Entry {
    date: String,
    title: String,
    path: String,
    summary: String,
    author: Option<String>,
}

impl Entry {
    fn speech(s: &super::model::SpeechSummary) -> Entry {
        let summary = match (&s.org, &s.position) {
            (Some(o), Some(p)) => format!("{} · {}", o.name, p),
            (Some(o), None) => o.name.clone(),
            (None, Some(p)) => p.clone(),
            (None, None) => String::new(),
        };
        Entry {
            date: s.date.clone(),
            title: s.title.clone(),
            path: s.path.clone(),
            summary,
            author: s.speaker.clone(),
        }
    }
}

/// Atom 1.0: the newest meetings and their speeches, newest first.
pub fn atom(config: &SiteConfig, model: &SiteModel) -> String {
    let mut entries: Vec<Entry> = Vec::new();
    'outer: for (m, speeches) in model.meetings.iter().zip(&model.speeches) {
        entries.push(Entry {
            date: m.date.clone(),
            title: m.title.clone(),
            path: m.path.clone(),
            summary: m.summary.clone().unwrap_or_default(),
            author: None,
        });
        for s in speeches {
            if entries.len() >= FEED_ENTRIES {
                break 'outer;
            }
            entries.push(Entry::speech(&s.summary));
        }
    }
    feed(config, &config.title, "", &entries)
}

/// The Atom feeds of every organisation and every person (`districts/SLUG/atom.xml`,
/// `speakers/SLUG/atom.xml`): their speeches, newest first, as many as the site feed carries.
/// Returned as (site path of the feed, XML).
pub fn follow_feeds(config: &SiteConfig, model: &SiteModel) -> Vec<(String, String)> {
    let one = |name: &str, page: &str, refs: &[(usize, usize)]| {
        let mut speeches: Vec<&super::model::SpeechSummary> =
            refs.iter().map(|&(i, j)| &model.speeches[i][j].summary).collect();
        speeches.sort_by(|a, b| {
            b.date
                .cmp(&a.date)
                .then_with(|| a.order.cmp(&b.order))
                .then_with(|| a.path.cmp(&b.path))
        });
        let entries: Vec<Entry> =
            speeches.into_iter().take(FEED_ENTRIES).map(Entry::speech).collect();
        let title = format!("{name} · {}", config.title);
        (format!("{page}atom.xml"), feed(config, &title, page, &entries))
    };
    let orgs = model.orgs.values().map(|o| one(&o.link.name, &o.link.path, &o.speeches));
    let people = model.people.iter().map(|p| one(&p.name, &p.path, &p.speeches));
    orgs.chain(people).collect()
}

/// An Atom document: `page` is the site path of the HTML page the feed follows (its id and
/// alternate link); the feed itself is `{page}atom.xml`.
fn feed(config: &SiteConfig, title: &str, page: &str, entries: &[Entry]) -> String {
    let updated = entries.iter().map(|e| e.date.as_str()).max().unwrap_or("1970-01-01");
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let _ = writeln!(
        x,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">",
        xml_escape(&config.language)
    );
    let _ = writeln!(x, "  <title>{}</title>", xml_escape(title));
    if !config.description.is_empty() {
        let _ = writeln!(x, "  <subtitle>{}</subtitle>", xml_escape(&config.description));
    }
    let _ = writeln!(
        x,
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>",
        xml_escape(&permalink(config, &format!("{page}atom.xml")))
    );
    let _ = writeln!(
        x,
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
        xml_escape(&permalink(config, page))
    );
    let _ = writeln!(x, "  <id>{}</id>", xml_escape(&permalink(config, page)));
    let _ = writeln!(x, "  <updated>{updated}T00:00:00Z</updated>");
    let _ = writeln!(x, "  <generator>yilu</generator>");
    let _ = writeln!(x, "  <author><name>{}</name></author>", xml_escape(&config.title));
    for e in entries {
        let link = xml_escape(&permalink(config, &e.path));
        let _ = writeln!(x, "  <entry>");
        let _ = writeln!(x, "    <title>{}</title>", xml_escape(&e.title));
        let _ = writeln!(x, "    <link rel=\"alternate\" type=\"text/html\" href=\"{link}\"/>");
        let _ = writeln!(x, "    <id>{link}</id>");
        let _ = writeln!(x, "    <updated>{}T00:00:00Z</updated>", e.date);
        if let Some(a) = &e.author {
            let _ = writeln!(x, "    <author><name>{}</name></author>", xml_escape(a));
        }
        if !e.summary.is_empty() {
            let _ = writeln!(x, "    <summary>{}</summary>", xml_escape(&e.summary));
        }
        let _ = writeln!(x, "  </entry>");
    }
    x.push_str("</feed>\n");
    x
}

/// Sitemap protocol 0.9: every page but the 404 page.
pub fn sitemap(config: &SiteConfig, model: &SiteModel, pages: &[Page]) -> String {
    use super::pages::PageKind;
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for page in pages {
        let lastmod = match page.kind {
            PageKind::NotFound => continue,
            PageKind::Meeting(i) | PageKind::Speech(i, _) => Some(model.meetings[i].date.as_str()),
            PageKind::Home => model.meetings.first().map(|m| m.date.as_str()),
            _ => None,
        };
        let _ = write!(x, "  <url><loc>{}</loc>", xml_escape(&permalink(config, &page.path)));
        if let Some(d) = lastmod {
            let _ = write!(x, "<lastmod>{d}</lastmod>");
        }
        x.push_str("</url>\n");
    }
    x.push_str("</urlset>\n");
    x
}

pub fn robots(config: &SiteConfig) -> String {
    if !config.has_host() {
        // No sitemap is written without a host (it needs absolute URLs).
        return "User-agent: *\nAllow: /\n".into();
    }
    format!("User-agent: *\nAllow: /\n\nSitemap: {}\n", permalink(config, "sitemap.xml"))
}

#[derive(Serialize)]
struct SpeechRecord<'a> {
    url: String,
    path: &'a str,
    date: &'a str,
    meeting: &'a str,
    meeting_url: String,
    order: u32,
    title: &'a str,
    speaker: Option<&'a str>,
    position: Option<&'a str>,
    org: Option<&'a str>,
    org_kind: Option<&'a str>,
    org_slug: Option<&'a str>,
    period: Option<&'a str>,
    metrics: &'a std::collections::BTreeMap<String, f64>,
    figures: &'a [crate::content::Figure],
    chars: usize,
    extra: &'a serde_json::Value,
}

/// Every speech's front matter and URL, as one JSON array (newest meeting first, speaking order).
pub fn speeches_json(config: &SiteConfig, archive: &Archive, model: &SiteModel) -> Vec<u8> {
    let records: Vec<SpeechRecord<'_>> = model
        .speeches
        .iter()
        .zip(&archive.meetings)
        .flat_map(|(views, meeting)| views.iter().zip(&meeting.speeches))
        .map(|(s, source)| {
            let m = &s.summary;
            SpeechRecord {
                url: permalink(config, &m.path),
                path: &m.path,
                date: &m.date,
                meeting: &m.meeting_title,
                meeting_url: permalink(config, &m.meeting_path),
                order: m.order,
                title: &m.title,
                speaker: m.speaker.as_deref(),
                position: m.position.as_deref(),
                org: m.org.as_ref().map(|o| o.name.as_str()),
                org_kind: m.org.as_ref().map(|o| o.kind.as_str()),
                org_slug: m.org.as_ref().map(|o| o.slug.as_str()),
                period: m.period.as_deref(),
                metrics: &m.metrics,
                figures: &source.front.figures,
                chars: s.chars,
                extra: &s.extra,
            }
        })
        .collect();
    let mut out = serde_json::to_vec_pretty(&records).expect("JSON serialises");
    out.push(b'\n');
    out
}

/// One row per speech and indicator. UTF-8 with a BOM, because spreadsheet programs (Excel)
/// read BOM-less CSV as the local code page and garble Chinese; pandas reads it with
/// `encoding="utf-8-sig"` (plain "utf-8" keeps the BOM in the first column name).
pub fn metrics_csv(
    config: &SiteConfig,
    model: &SiteModel,
    indicators: &crate::metrics::Indicators,
) -> Vec<u8> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let _ = w.write_record([
            "date",
            "meeting",
            "org",
            "org_kind",
            "speaker",
            "indicator",
            "label",
            "value",
            "unit",
            "period",
            "url",
        ]);
        for s in model.speeches.iter().flatten() {
            let m = &s.summary;
            for v in &m.metric_list {
                let _ = w.write_record([
                    m.date.as_str(),
                    m.meeting_title.as_str(),
                    m.org.as_ref().map(|o| o.name.as_str()).unwrap_or(""),
                    m.org.as_ref().map(|o| o.kind.as_str()).unwrap_or(""),
                    m.speaker.as_deref().unwrap_or(""),
                    v.key.as_str(),
                    indicators.label(&v.key),
                    &crate::render::templates::format_number(v.value),
                    "%",
                    m.period.as_deref().unwrap_or(""),
                    &permalink(config, &m.path),
                ]);
            }
        }
        let _ = w.flush();
    }
    out
}
