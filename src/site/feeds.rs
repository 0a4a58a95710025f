//! Machine-readable outputs: /atom.xml, /sitemap.xml, /robots.txt, and the archive as open data
//! (/data/speeches.json, /data/metrics.csv). Written in Rust rather than templates: their
//! formats are fixed by standards, and escaping is done once here, correctly.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::ops::Range;

use serde::Serialize;

use super::model::SiteModel;
use super::pages::Page;
pub(crate) use super::urls::permalink;
use super::views::Text;
use crate::config::SiteConfig;
use crate::content::Archive;
use crate::render::escape_xml as xml_escape;

/// How many entries the Atom feed carries.
const FEED_ENTRIES: usize = 50;

/// One entry of an Atom feed.
struct Entry {
    date: Text,
    title: Text,
    path: Text,
    summary: String,
    author: Option<Text>,
}

impl Entry {
    fn speech(s: &super::model::SpeechSummary) -> Entry {
        let summary = match (&s.org, &s.position) {
            (Some(o), Some(p)) => format!("{} · {}", o.name, p),
            (Some(o), None) => o.name.to_string(),
            (None, Some(p)) => p.to_string(),
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
pub(crate) fn atom(config: &SiteConfig, model: &SiteModel) -> String {
    let mut entries: Vec<Entry> = Vec::new();
    'outer: for m in &model.meetings {
        entries.push(Entry {
            date: m.date.clone(),
            title: m.title.clone(),
            path: m.path.clone(),
            summary: m.summary.clone().unwrap_or_default(),
            author: None,
        });
        for s in &m.speeches {
            if entries.len() >= FEED_ENTRIES {
                break 'outer;
            }
            entries.push(Entry::speech(s));
        }
    }
    feed(config, &config.title, "", &entries)
}

/// The Atom feeds of every organisation and every person (`districts/SLUG/atom.xml`,
/// `speakers/SLUG/atom.xml`): their speeches, newest first, as many as the site feed carries.
/// Returned as (site path of the feed, XML).
pub(crate) fn follow_feeds(config: &SiteConfig, model: &SiteModel) -> Vec<(String, String)> {
    let one = |name: &str, page: &str, refs: &[(usize, usize)]| {
        let mut speeches: Vec<&super::model::SpeechSummary> =
            refs.iter().map(|&(i, j)| &model.meetings[i].speeches[j]).collect();
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
pub(crate) fn sitemap(config: &SiteConfig, model: &SiteModel, pages: &[Page]) -> String {
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

pub(crate) fn robots(config: &SiteConfig) -> String {
    if !config.has_host() {
        // No sitemap is written without a host (it needs absolute URLs).
        return "User-agent: *\nAllow: /\n".into();
    }
    format!("User-agent: *\nAllow: /\n\nSitemap: {}\n", permalink(config, "sitemap.xml"))
}

/// The person slug of a speaker's page path (`speakers/lu-hong/` → `lu-hong`).
fn speaker_id(path: Option<&str>) -> Option<&str> {
    path.map(|p| p.trim_start_matches("speakers/").trim_end_matches('/'))
}

/// A metric's period in speeches.json.
#[derive(Serialize)]
struct MetricPeriod<'a> {
    period: Option<&'a str>,
    period_key: Option<&'a str>,
    period_year: Option<i32>,
}

/// A metric's change in speeches.json.
#[derive(Serialize)]
struct ChangeRecord<'a> {
    previous: f64,
    previous_date: &'a str,
    previous_url: String,
    previous_period: Option<&'a str>,
    diff: f64,
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
    speaker_id: Option<&'a str>,
    position: Option<&'a str>,
    org: Option<&'a str>,
    org_kind: Option<&'a str>,
    org_slug: Option<&'a str>,
    period: Option<&'a str>,
    period_key: Option<&'a str>,
    period_year: Option<i32>,
    metrics: super::views::MetricMap<'a>,
    /// The metrics whose own figure prints another period than the speech's: that period.
    metric_periods: std::collections::BTreeMap<&'a str, MetricPeriod<'a>>,
    /// Per metric: the organisation's previous report of the same indicator and period key.
    changes: std::collections::BTreeMap<&'a str, ChangeRecord<'a>>,
    figures: &'a [crate::content::Figure],
    chars: usize,
    publication: Option<&'a str>,
    source_url: Option<&'a str>,
    extra: &'a serde_json::Value,
}

/// Every speech's front matter and URL, as one JSON array (newest meeting first, speaking order),
/// of the meetings in `meetings` (indices into the model; a build passes them all, `yilu serve`
/// one meeting's part at a time).
pub(crate) fn speeches_json_of(
    out: &mut dyn Write,
    config: &SiteConfig,
    archive: &Archive,
    model: &SiteModel,
    meetings: Range<usize>,
) -> io::Result<()> {
    let records = model
        .speeches
        .iter()
        .zip(&archive.meetings)
        .enumerate()
        .skip(meetings.start)
        .take(meetings.len())
        .flat_map(|(i, (views, source))| {
            let meeting = &model.meetings[i];
            let speeches = meeting.speeches.iter().zip(views).zip(&source.speeches);
            speeches.zip(&model.changes[i]).map(move |(s, c)| (meeting, s, c))
        })
        .map(|(meeting, ((m, s), source), changes)| SpeechRecord {
            url: permalink(config, &m.path),
            path: &m.path,
            date: &m.date,
            meeting: &m.meeting_title,
            meeting_url: permalink(config, &m.meeting_path),
            order: m.order,
            title: &m.title,
            speaker: m.speaker.as_deref(),
            speaker_id: speaker_id(m.speaker_path.as_deref()),
            position: m.position.as_deref(),
            org: m.org.as_ref().map(|o| o.name.as_str()),
            org_kind: m.org.as_ref().map(|o| o.kind.as_str()),
            org_slug: m.org.as_ref().map(|o| o.slug.as_str()),
            period: m.period.as_deref(),
            period_key: m.period_key,
            period_year: m.period_year,
            metrics: super::views::MetricMap(&m.metric_list),
            metric_periods: m
                .metric_list
                .iter()
                .filter(|v| v.period_key != m.period_key || v.period != m.period)
                .map(|v| {
                    let p = MetricPeriod {
                        period: v.period.as_deref(),
                        period_key: v.period_key,
                        period_year: v.period_year,
                    };
                    (v.key.as_str(), p)
                })
                .collect(),
            changes: changes
                .iter()
                .map(|c| {
                    let v = c.view(&model.meetings);
                    let record = ChangeRecord {
                        previous: v.previous,
                        previous_date: v.previous_date,
                        previous_url: permalink(config, v.previous_path),
                        previous_period: v.previous_period,
                        diff: v.diff,
                    };
                    (m.metric_list[c.metric].key.as_str(), record)
                })
                .collect(),
            figures: &source.front.figures,
            chars: s.chars,
            publication: meeting.publication.as_deref(),
            source_url: meeting.source_url.as_deref(),
            extra: &s.extra,
        });
    json_array(out, records)
}

#[derive(Serialize)]
struct MeetingRecord<'a> {
    url: String,
    path: &'a str,
    slug: &'a str,
    date: &'a str,
    title: &'a str,
    subtitle: Option<&'a str>,
    summary: Option<&'a str>,
    publication: Option<&'a str>,
    source_url: Option<&'a str>,
    participants: &'a [String],
    speech_count: usize,
    speeches: Vec<String>,
    indicators: Vec<&'a str>,
    extra: &'a serde_json::Value,
}

/// Every meeting of `meetings` (indices into the model), newest first: what it is, where it
/// was published, and its speeches' URLs.
pub(crate) fn meetings_json_of(
    out: &mut dyn Write,
    config: &SiteConfig,
    model: &SiteModel,
    meetings: Range<usize>,
) -> io::Result<()> {
    let records = model.meetings[meetings].iter().map(|m| MeetingRecord {
        url: permalink(config, &m.path),
        path: &m.path,
        slug: &m.slug,
        date: &m.date,
        title: &m.title,
        subtitle: m.subtitle.as_deref(),
        summary: m.summary.as_deref(),
        publication: m.publication.as_deref(),
        source_url: m.source_url.as_deref(),
        participants: &m.participants,
        speech_count: m.speeches.len(),
        speeches: m.speeches.iter().map(|s| permalink(config, &s.path)).collect(),
        indicators: m.metric_keys.iter().map(|k| k.key.as_str()).collect(),
        extra: &m.extra,
    });
    json_array(out, records)
}

/// Pretty JSON of an array with a final newline, written as the records are made (never all
/// held at once).
fn json_array<T: Serialize>(
    out: &mut dyn Write,
    records: impl Iterator<Item = T>,
) -> io::Result<()> {
    use serde::Serializer as _;
    // Through a buffer of its own: the serializer writes a token at a time, and each write to
    // `out` is a call through a trait object (a third of the time of speeches.json).
    let mut buffered = io::BufWriter::with_capacity(64 << 10, out);
    let mut serializer = serde_json::Serializer::pretty(&mut buffered);
    serializer.collect_seq(records).map_err(io::Error::from)?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}

/// A text cell a spreadsheet will not run: one that begins with `=`, `+`, `-`, `@`, a tab or a
/// carriage return gets a leading `'` (OWASP's advice against CSV formula injection). Only for
/// text: numbers are written as numbers, so a negative value stays `-1.5`.
pub(crate) fn text_cell(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// A CSV file: UTF-8 with a BOM, because spreadsheet programs (Excel) read BOM-less CSV as the
/// local code page and garble Chinese; pandas reads it with `encoding="utf-8-sig"` (plain "utf-8"
/// keeps the BOM in the first column name). `rows` writes each record through `row`, whose
/// text cells are neutralised by [`text_cell`] and whose numbers are not.
fn csv_file(
    out: &mut dyn Write,
    header: &[&str],
    rows: impl FnOnce(&mut dyn FnMut(&[Cell<'_>])),
) -> io::Result<()> {
    out.write_all("\u{feff}".as_bytes())?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(header)?;
    // The first failure is kept and reported; the rows after it are not written.
    let mut failed: Option<csv::Error> = None;
    rows(&mut |cells| {
        if failed.is_some() {
            return;
        }
        let cells: Vec<std::borrow::Cow<'_, str>> = cells
            .iter()
            .map(|c| match c {
                Cell::Text(t) => text_cell(t),
                Cell::Number(n) => n.as_str().into(),
            })
            .collect();
        if let Err(e) = w.write_record(cells.iter().map(|c| c.as_bytes())) {
            failed = Some(e);
        }
    });
    match failed {
        Some(e) => Err(e.into()),
        None => w.flush(),
    }
}

/// One CSV cell: text (neutralised) or a number (written as is).
enum Cell<'a> {
    Text(&'a str),
    Number(String),
}

fn text(s: Option<&str>) -> Cell<'_> {
    Cell::Text(s.unwrap_or(""))
}

fn number(n: f64) -> Cell<'static> {
    Cell::Number(crate::render::templates::format_number(n))
}

fn year(y: Option<i32>) -> Cell<'static> {
    Cell::Number(y.map(|y| y.to_string()).unwrap_or_default())
}

/// metrics.csv's columns, in order.
pub(crate) const METRICS_COLUMNS: &[&str] = &[
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
    "period_key",
    "period_year",
    "measure",
    "org_slug",
    "speaker_id",
    "source_url",
];

/// One row per speech and indicator, the canonical metrics, of the meetings in `meetings`
/// (indices into the model).
pub(crate) fn metrics_csv_of(
    out: &mut dyn Write,
    config: &SiteConfig,
    model: &SiteModel,
    indicators: &crate::metrics::Indicators,
    meetings: Range<usize>,
) -> io::Result<()> {
    csv_file(out, METRICS_COLUMNS, |row| {
        for meeting in &model.meetings[meetings] {
            for m in &meeting.speeches {
                let url = permalink(config, &m.path);
                for v in &m.metric_list {
                    row(&[
                        Cell::Text(&m.date),
                        Cell::Text(&m.meeting_title),
                        text(m.org.as_ref().map(|o| o.name.as_str())),
                        text(m.org.as_ref().map(|o| o.kind.as_str())),
                        text(m.speaker.as_deref()),
                        Cell::Text(&v.key),
                        Cell::Text(indicators.label(&v.key)),
                        number(v.value),
                        Cell::Text("%"),
                        text(v.period.as_deref()),
                        Cell::Text(&url),
                        text(v.period_key),
                        year(v.period_year),
                        Cell::Text(v.measure),
                        text(m.org.as_ref().map(|o| o.slug.as_str())),
                        text(speaker_id(m.speaker_path.as_deref())),
                        text(meeting.source_url.as_deref()),
                    ]);
                }
            }
        }
    })
}

/// figures.csv's columns, in order.
pub(crate) const FIGURES_COLUMNS: &[&str] = &[
    "date",
    "org",
    "org_kind",
    "org_slug",
    "speaker",
    "speaker_id",
    "subject",
    "value",
    "unit",
    "measure",
    "period",
    "period_key",
    "period_year",
    "text",
    "url",
    "source_url",
];

/// One row per figure of every speech (not only the canonical metrics), in the order printed,
/// of the meetings in `meetings` (indices into the model).
pub(crate) fn figures_csv_of(
    out: &mut dyn Write,
    config: &SiteConfig,
    archive: &Archive,
    model: &SiteModel,
    meetings: Range<usize>,
) -> io::Result<()> {
    csv_file(out, FIGURES_COLUMNS, |row| {
        let sources = &archive.meetings[meetings.clone()];
        for (meeting, source) in model.meetings[meetings].iter().zip(sources) {
            for (m, speech) in meeting.speeches.iter().zip(&source.speeches) {
                let url = permalink(config, &m.path);
                for f in &speech.front.figures {
                    // The period printed with the figure, else the speech's.
                    let own = crate::metrics::period::find(&f.text);
                    let (printed, key, period_year) = match &own {
                        Some((printed, p)) => {
                            (Some(printed.as_str()), Some(p.key()), Some(p.year(source.date)))
                        }
                        None => (m.period.as_deref(), m.period_key, m.period_year),
                    };
                    row(&[
                        Cell::Text(&m.date),
                        text(m.org.as_ref().map(|o| o.name.as_str())),
                        text(m.org.as_ref().map(|o| o.kind.as_str())),
                        text(m.org.as_ref().map(|o| o.slug.as_str())),
                        text(m.speaker.as_deref()),
                        text(speaker_id(m.speaker_path.as_deref())),
                        Cell::Text(&f.subject),
                        number(f.value),
                        Cell::Text(&f.unit),
                        Cell::Text(super::model::figure_measure(&f.unit, &f.text)),
                        text(printed),
                        text(key),
                        year(period_year),
                        Cell::Text(&f.text),
                        Cell::Text(&url),
                        text(meeting.source_url.as_deref()),
                    ]);
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cells_that_a_spreadsheet_would_run_are_neutralised() {
        for (cell, want) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("万州区", "万州区"),
            ("1-9", "1-9"),
            ("", ""),
        ] {
            assert_eq!(text_cell(cell), want, "{cell:?}");
        }
    }

    /// A writer that takes `room` bytes and then fails, as a full disk does.
    struct Full {
        room: usize,
    }

    impl Write for Full {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.room == 0 {
                return Err(io::Error::other("no space left"));
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_failing_writer_fails_the_file() {
        // Past the header and the BOM, inside the rows (the csv writer buffers 8 KiB).
        for room in [0, 2, 20, 9_000] {
            let mut out = Full { room };
            let rows = |row: &mut dyn FnMut(&[Cell<'_>])| {
                for _ in 0..2_000 {
                    row(&[Cell::Text("万州区"), number(6.6)]);
                }
            };
            let got = csv_file(&mut out, &["org", "gdp"], rows);
            assert!(got.is_err(), "room {room}");
            let mut out = Full { room };
            let records = (0..2_000).map(|i| ("万州区", i));
            assert!(json_array(&mut out, records).is_err(), "room {room}");
        }
    }

    #[test]
    fn numbers_are_written_as_numbers() {
        let mut csv = Vec::new();
        csv_file(&mut csv, &["a", "b"], |row| row(&[Cell::Text("-x"), number(-1.5)])).unwrap();
        assert_eq!(String::from_utf8(csv).unwrap(), "\u{feff}a,b\n'-x,-1.5\n");
    }
}
