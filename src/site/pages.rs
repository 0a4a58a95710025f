//! The page plan: every output page as (path, template, context). Site-wide values go into
//! Tera's global context once; each page's context holds only what is its own.

use std::sync::Arc;

use serde::Serialize;
use tera::Context;

use super::analysis;
use super::graphics;
use super::model::{MeetingView, SiteModel};
use super::urls::url_scheme;
use super::views::Text;
use crate::config::SiteConfig;
use crate::content::{Archive, Figure, FigureKind, StandalonePage};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::metrics::Indicators;
use crate::metrics::lexicon::QUALIFIERS_BEFORE;
use crate::orgs::OrgKind;
use crate::render::i18n::Strings;
use crate::render::markdown;
use crate::render::templates::{Templates, format_number};

/// What a page shows; its context is built only when it is rendered, so a plan of every page
/// costs little memory and `serve` can re-render just the pages a change touches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PageKind {
    Home,
    MeetingList {
        number: usize,
        total: usize,
    },
    Meeting(usize),
    /// Meeting index, speech index.
    Speech(usize, usize),
    Districts,
    District(String),
    Speakers,
    /// Index into `SiteModel::people`.
    Speaker(usize),
    Metrics,
    /// Index into `SiteModel::metrics`.
    Metric(usize),
    Search,
    NotFound,
    /// Index into the site's standalone pages (`content/about.md`).
    Standalone(usize),
}

/// One page to render.
#[derive(Debug, Clone)]
pub struct Page {
    /// Site path: `meetings/2024-10-21/` (folder, written as index.html) or `404.html`.
    pub(crate) path: String,
    pub(crate) template: &'static str,
    pub(crate) kind: PageKind,
}

impl Page {
    fn new(path: impl Into<String>, template: &'static str, kind: PageKind) -> Page {
        Page { path: path.into(), template, kind }
    }

    /// The file the page is written to, relative to the output folder.
    pub(crate) fn file(&self) -> String {
        if self.path.is_empty() || self.path.ends_with('/') {
            format!("{}index.html", self.path)
        } else {
            self.path.clone()
        }
    }

    /// The template context: `current`, `section`, `page_title` and the page's own data.
    /// `body`: a speech page's body (None for other pages).
    pub(crate) fn context(
        &self,
        archive: &Archive,
        standalone: &[StandalonePage],
        model: &SiteModel,
        config: &SiteConfig,
        shared: &Shared,
        body: Option<Body<'_>>,
    ) -> Context {
        let mut context = Context::new();
        context.insert("current", &self.path);
        // The navigation entry this page belongs to: its first path segment.
        let section =
            self.path.split_once('/').map(|(first, _)| format!("{first}/")).unwrap_or_default();
        context.insert("section", &section);
        let from = Sources { archive, standalone, model, config, shared, body };
        let title = self.insert_own(&mut context, &from);
        context.insert("page_title", &title);
        self.insert_meta(&mut context, &from);
        context
    }

    /// Inserts what the page shows of its own; returns its title (None on the home page).
    fn insert_own(&self, context: &mut Context, from: &Sources<'_>) -> Option<String> {
        let (model, shared) = (from.model, from.shared);
        let text = &*shared.text;
        let page_title = |key: &str| Some(text.text(key, &[]));
        match &self.kind {
            PageKind::Home => {
                home(context, model, shared);
                let gdp = model.metrics.iter().find(|m| m.key == "gdp");
                let urls = url_scheme(from.config);
                let map = gdp
                    .and_then(|m| graphics::metric_map(m, shared.region, &urls, &self.path, text));
                context.insert("map", &map);
                None
            }
            PageKind::MeetingList { number, total } => {
                meeting_list(context, from.config, shared, *number, *total);
                page_title("title.meetings")
            }
            PageKind::Meeting(i) => Some(meeting_page(context, from, *i).to_string()),
            PageKind::Speech(i, j) => Some(speech_page(context, from, *i, *j).to_string()),
            PageKind::Districts => {
                context.insert_value("groups", shared.groups.clone());
                context.insert_value("regions", shared.regions.clone());
                page_title("title.districts")
            }
            PageKind::District(slug) => {
                let org = &model.orgs[slug];
                context.insert("org", &org.page(model, text));
                context.insert("speeches", &Summaries(model, &org.speeches));
                Some(org.link.name.to_string())
            }
            PageKind::Speakers => {
                context.insert_value("people", shared.people.clone());
                page_title("title.speakers")
            }
            PageKind::Speaker(i) => {
                let person = &model.people[*i];
                context.insert("person", person);
                context.insert("speeches", &Summaries(model, &person.speeches));
                Some(person.name.clone())
            }
            PageKind::Metrics => {
                context.insert_value("metrics", shared.metrics.clone());
                page_title("title.metrics")
            }
            PageKind::Metric(i) => {
                let metric = &model.metrics[*i];
                context.insert("metric", metric);
                let urls = url_scheme(from.config);
                let map = graphics::metric_map(metric, shared.region, &urls, &self.path, text);
                context.insert("map", &map);
                let history =
                    graphics::history_maps(metric, shared.region, &urls, &self.path, text);
                context.insert("history_maps", &history);
                context.insert("multiples", &graphics::multiples(metric, text));
                Some(metric.label.clone())
            }
            PageKind::Search => page_title("title.search"),
            PageKind::NotFound => page_title("title.not_found"),
            PageKind::Standalone(i) => {
                Some(standalone_page(context, &from.standalone[*i]).to_string())
            }
        }
    }

    /// Inserts the page's description, address, Open Graph type and feed.
    fn insert_meta(&self, context: &mut Context, from: &Sources<'_>) {
        let (description, og_type, feed) = self.meta(from);
        let description = one_line(description.as_deref().unwrap_or(&from.config.description), 160);
        context.insert("page_description", &description);
        // The 404 page is served at any missing address: it has no URL of its own.
        let url = (self.kind != PageKind::NotFound)
            .then(|| super::urls::permalink(from.config, &self.path));
        context.insert("page_url", &url);
        context.insert("og_type", og_type);
        context.insert("page_feed", &feed);
    }

    /// The page's own description (None: the site's), its Open Graph type, and the site path
    /// of its own Atom feed if it has one.
    fn meta(&self, from: &Sources<'_>) -> (Option<String>, &'static str, Option<String>) {
        let (archive, model, text) = (from.archive, from.model, &*from.shared.text);
        match &self.kind {
            PageKind::Meeting(i) => {
                let m = &model.meetings[*i];
                let text = m.summary.clone().or_else(|| lead(&archive.meetings[*i].body));
                (text.or_else(|| m.subtitle.clone()), "article", None)
            }
            PageKind::Speech(i, j) => {
                let s = &model.meetings[*i].speeches[*j];
                let lead = from.body.and_then(|b| lead(b.markdown)).unwrap_or_else(|| {
                    let who = [
                        s.org.as_ref().map(|o| o.name.as_str()),
                        s.position.as_deref(),
                        s.speaker.as_deref(),
                    ];
                    let who: Vec<&str> = who.into_iter().flatten().collect();
                    text.text("meta.speech", &[("who", &who.join(" ")), ("title", &s.title)])
                });
                (Some(lead), "article", None)
            }
            PageKind::District(slug) => {
                let org = &model.orgs[slug];
                let kind = text.text(&format!("kind.{}", org.link.kind.as_str()), &[]);
                let description = text.count(
                    "meta.district",
                    org.count,
                    &[("name", &org.link.name), ("kind", &kind)],
                );
                (Some(description), "website", Some(format!("{}atom.xml", org.link.path)))
            }
            PageKind::Speaker(i) => {
                let p = &model.people[*i];
                let mut positions: Vec<&str> =
                    p.posts.iter().filter_map(|post| post.position.as_deref()).collect();
                positions.dedup();
                let description = if positions.is_empty() {
                    text.count("meta.speaker_plain", p.count, &[("name", &p.name)])
                } else {
                    let joined = positions.join(&text.text("speakers.separator", &[]));
                    text.count(
                        "meta.speaker",
                        p.count,
                        &[("name", &p.name), ("positions", &joined)],
                    )
                };
                (Some(description), "website", Some(format!("{}atom.xml", p.path)))
            }
            PageKind::Metric(i) => {
                let m = &model.metrics[*i];
                (Some(text.text("meta.metric", &[("label", &m.label)])), "website", None)
            }
            PageKind::Standalone(i) => {
                let page = &from.standalone[*i];
                (page.front.description.clone().or_else(|| lead(&page.body)), "article", None)
            }
            _ => (None, "website", None),
        }
    }
}

/// What a page's context is made from.
struct Sources<'a> {
    archive: &'a Archive,
    standalone: &'a [StandalonePage],
    model: &'a SiteModel,
    config: &'a SiteConfig,
    shared: &'a Shared,
    /// A speech page's body (None for other pages).
    body: Option<Body<'a>>,
}

/// A speech page's body: its Markdown, read from its file by the caller (the archive does not
/// hold bodies), and its rendering, which the caller also indexes.
#[derive(Clone, Copy)]
pub(crate) struct Body<'a> {
    pub(crate) markdown: &'a str,
    pub(crate) rendered: &'a markdown::Rendered,
    /// Its meeting's summaries as template values, when the caller renders the meeting's
    /// speech pages together (else each page makes the three it shows).
    pub(crate) summaries: Option<&'a SummaryValues>,
}

/// Some of one meeting's speech summaries as template values, each made once for the three
/// speech pages that show it: its own (`speech`) and its neighbours' (`next`, `prev`).
/// Serialising a summary was a tenth of a speech page's time.
pub(crate) struct SummaryValues {
    /// The speech index of `values[0]`.
    first: usize,
    values: Vec<tera::Value>,
}

impl SummaryValues {
    /// Meeting `i`'s summaries of speeches `range`, widened by the neighbours they show.
    pub(crate) fn new(model: &SiteModel, i: usize, range: std::ops::RangeInclusive<usize>) -> Self {
        let speeches = &model.meetings[i].speeches;
        let first = range.start().saturating_sub(1);
        let last = (range.end() + 1).min(speeches.len().saturating_sub(1));
        let values = speeches[first..=last].iter().map(tera::Value::from_serializable).collect();
        SummaryValues { first, values }
    }

    fn get(&self, j: usize) -> Option<&tera::Value> {
        self.values.get(j.checked_sub(self.first)?)
    }
}

/// A meeting page's own data: the meeting and its neighbours. Returns its title.
fn meeting_page<'a>(context: &mut Context, from: &Sources<'a>, i: usize) -> &'a str {
    let meeting = &from.model.meetings[i];
    context.insert("meeting", meeting);
    // Meetings are newest first: the previous one is older, the next one newer.
    let none = tera::Value::none();
    let card = |k: Option<usize>| {
        k.and_then(|k| from.shared.meetings.get(k)).cloned().unwrap_or(none.clone())
    };
    context.insert_value("prev_meeting", card(Some(i + 1)));
    context.insert_value("next_meeting", card(i.checked_sub(1)));
    &meeting.title
}

/// A speech page's own data: the speech with its body rendered now, its metrics' changes, its
/// meeting and neighbours. Returns its title.
fn speech_page<'a>(context: &mut Context, from: &Sources<'a>, i: usize, j: usize) -> &'a str {
    let model = from.model;
    let summaries = &model.meetings[i].speeches;
    let summary = &summaries[j];
    let source = &from.archive.meetings[i].speeches[j];
    // Callers always hand a speech page its body; none would show an empty one.
    let empty = markdown::Rendered::default();
    let body = from.body.map_or(&empty, |body| body.rendered);
    let page = SpeechPage {
        view: &model.speeches[i][j],
        body_html: &body.html,
        toc: &body.toc,
        figures: Figures(&source.front.figures),
        target_count: figures_of_kind(&source.front.figures, FigureKind::Target),
    };
    // The summaries' values made for the meeting's pages when the caller has them.
    let made = from.body.and_then(|b| b.summaries);
    let value = |k: usize| match made.and_then(|m| m.get(k)) {
        Some(value) => value.clone(),
        None => tera::Value::from_serializable(&summaries[k]),
    };
    context.insert_value("speech", page.value_from(&value(j)));
    context.insert("changes", &model.change_views(i, j));
    context.insert_value("meeting", from.shared.meeting_refs[i].clone());
    let neighbour =
        |k: Option<usize>| k.filter(|&k| k < summaries.len()).map_or_else(tera::Value::none, value);
    context.insert_value("prev", neighbour(j.checked_sub(1)));
    context.insert_value("next", neighbour(Some(j + 1)));
    &summary.title
}

/// A standalone page's own data, its body rendered now. Returns its title.
fn standalone_page<'a>(context: &mut Context, source: &'a StandalonePage) -> &'a str {
    let body = markdown::render(&source.body);
    context.insert(
        "page",
        &StandaloneView {
            path: &source.path,
            title: &source.front.title,
            description: source.front.description.as_deref(),
            body_html: &body.html,
            toc: &body.toc,
            extra: &source.front.extra,
        },
    );
    &source.front.title
}

/// The first paragraph of a Markdown body as plain text, or None when the body has no text.
fn lead(markdown: &str) -> Option<String> {
    let markdown = markdown.trim_start();
    let end = markdown.find("\n\n").or_else(|| markdown.find("\r\n\r\n")).unwrap_or(markdown.len());
    let text = markdown::plain_text(&markdown[..end]);
    (!text.trim().is_empty()).then_some(text)
}

/// `text` on one line (white space runs as one space), cut to `max` characters with an
/// ellipsis: what a meta description or a link preview shows.
fn one_line(text: &str, max: usize) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let joined = words.join(" ");
    if joined.chars().count() <= max {
        return joined;
    }
    let mut cut: String = joined.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

#[derive(Serialize)]
struct NavItem {
    title: String,
    path: &'static str,
}

/// The main navigation: each entry's string key and path.
const NAV: &[(&str, &str)] = &[
    ("nav.home", ""),
    ("nav.meetings", "meetings/"),
    ("nav.districts", "districts/"),
    ("nav.speakers", "speakers/"),
    ("nav.metrics", "metrics/"),
    ("nav.search", "search/"),
];

/// One `[[menu]]` entry as templates see it: `url` is a site path for the `url` filter unless
/// `external`.
#[derive(Serialize)]
struct MenuItem<'a> {
    name: &'a str,
    url: &'a str,
    external: bool,
}

#[derive(Serialize)]
struct SiteGlobals<'a> {
    title: &'a str,
    description: &'a str,
    base_url: &'a str,
    language: &'a str,
    relative_urls: bool,
    extra: &'a toml::Table,
    meeting_count: usize,
    speech_count: usize,
    org_count: usize,
}

/// Values every template sees: `site`, `nav`, `indicators`, and `search_messages` (search.js's
/// messages as JSON when the language's differ from the ones it carries, else none).
pub(crate) fn insert_globals(
    templates: &mut Templates,
    config: &SiteConfig,
    model: &SiteModel,
    indicators: &Indicators,
    text: &Strings,
) {
    let globals = SiteGlobals {
        title: &config.title,
        description: &config.description,
        base_url: &config.base_url,
        language: &config.language,
        relative_urls: config.relative_urls,
        extra: &config.extra,
        meeting_count: model.meetings.len(),
        speech_count: model.speeches.iter().map(Vec::len).sum(),
        org_count: model.orgs.len(),
    };
    let list: Vec<_> =
        indicators.iter().map(|i| serde_json::json!({"key": i.key, "label": i.label})).collect();
    let mut menu: Vec<&crate::config::MenuEntry> = config.menu.iter().collect();
    menu.sort_by(|a, b| a.weight.cmp(&b.weight).then_with(|| a.name.cmp(&b.name)));
    let menu: Vec<MenuItem<'_>> = menu
        .into_iter()
        .map(|m| {
            let external = m.is_external();
            let url = m.url.trim();
            MenuItem {
                name: &m.name,
                url: if external { url } else { url.trim_start_matches('/') },
                external,
            }
        })
        .collect();
    templates.insert_global("site", &globals);
    let nav: Vec<NavItem> =
        NAV.iter().map(|(key, path)| NavItem { title: text.text(key, &[]), path }).collect();
    templates.insert_global("nav", &nav);
    templates.insert_global("search_messages", &text.search_messages());
    templates.insert_global("menu", &menu);
    templates.insert_global("og_locale", &text.text("site.og_locale", &[]));
    templates.insert_global("indicators", &list);
}

#[derive(Serialize)]
struct Paginator {
    number: usize,
    total: usize,
    prev: Option<String>,
    next: Option<String>,
    pages: Vec<String>,
}

#[derive(Serialize)]
struct KindGroup {
    kind: OrgKind,
    label: String,
    orgs: Vec<OrgCard>,
}

/// What listings show of an organisation.
#[derive(Serialize)]
struct OrgCard {
    name: String,
    slug: String,
    path: String,
    kind: OrgKind,
    count: usize,
    latest_gdp: Option<f64>,
}

/// What listings show of a meeting.
#[derive(Serialize)]
struct MeetingCard<'a> {
    slug: &'a str,
    path: &'a str,
    title: &'a str,
    subtitle: Option<&'a str>,
    date: &'a str,
    summary: Option<&'a str>,
    speech_count: usize,
}

/// What /speakers/ shows of a person.
#[derive(Serialize)]
struct PersonCard<'a> {
    name: &'a str,
    path: &'a str,
    positions: Vec<&'a str>,
    count: usize,
    latest: &'a str,
}

/// What /metrics/ shows of an indicator.
#[derive(Serialize)]
struct MetricCard<'a> {
    key: &'a str,
    label: &'a str,
    path: &'a str,
    reports: usize,
    meeting_count: usize,
    latest_date: &'a str,
    latest_median: f64,
    latest_period: &'a str,
    measure: &'a str,
}

/// Template values used by more than one page, converted to Tera values once per build (a
/// Tera value clones in O(1)), so listing pages do not re-serialise the archive each time.
pub(crate) struct Shared {
    groups: tera::Value,
    /// The groups again, under each parent unit, when the archive spans several (else empty).
    regions: tera::Value,
    people: tera::Value,
    metrics: tera::Value,
    /// One card per meeting, newest first.
    meetings: Vec<tera::Value>,
    /// Per meeting: the reference a speech page shows.
    meeting_refs: Vec<tera::Value>,
    /// The division code of the region the maps show, if any.
    region: Option<&'static str>,
    /// The UI language.
    text: Arc<Strings>,
}

impl Shared {
    /// `region`: site.toml's, naming the region the maps show (else inferred from the archive);
    /// `text`: the UI language.
    pub(crate) fn new(model: &SiteModel, region: Option<&str>, text: Arc<Strings>) -> Shared {
        use tera::Value;
        let people: Vec<PersonCard<'_>> = model
            .people
            .iter()
            .map(|p| {
                let mut positions: Vec<&str> =
                    p.posts.iter().filter_map(|post| post.position.as_deref()).collect();
                positions.dedup();
                PersonCard {
                    name: &p.name,
                    path: &p.path,
                    positions,
                    count: p.count,
                    latest: &p.latest,
                }
            })
            .collect();
        let metrics: Vec<MetricCard<'_>> = model
            .metrics
            .iter()
            .map(|m| MetricCard {
                key: &m.key,
                label: &m.label,
                path: &m.path,
                reports: m.reports,
                meeting_count: m.meetings.len(),
                latest_date: m.meetings.first().map(|x| x.date.as_str()).unwrap_or(""),
                latest_median: m.meetings.first().map(|x| x.median).unwrap_or(0.0),
                latest_period: m.meetings.first().map(|x| x.period_label.as_str()).unwrap_or(""),
                measure: m.measure,
            })
            .collect();
        Shared {
            region: graphics::region(region, model),
            groups: Value::from_serializable(&groups(model, &|_| true, &text)),
            regions: Value::from_serializable(&regions(model, &text)),
            people: Value::from_serializable(&people),
            metrics: Value::from_serializable(&metrics),
            meetings: model
                .meetings
                .iter()
                .map(|m| {
                    Value::from_serializable(&MeetingCard {
                        slug: &m.slug,
                        path: &m.path,
                        title: &m.title,
                        subtitle: m.subtitle.as_deref(),
                        date: &m.date,
                        summary: m.summary.as_deref(),
                        speech_count: m.speeches.len(),
                    })
                })
                .collect(),
            meeting_refs: model
                .meetings
                .iter()
                .map(|m| Value::from_serializable(&MeetingRef::from(m)))
                .collect(),
            text,
        }
    }
}

/// Every page of the site.
pub(crate) fn plan(
    config: &SiteConfig,
    model: &SiteModel,
    standalone: &[StandalonePage],
) -> Vec<Page> {
    let mut pages = vec![Page::new("", "index.html", PageKind::Home)];
    let total = model.meetings.len().div_ceil(config.paginate_by.max(1)).max(1);
    for number in 1..=total {
        pages.push(Page::new(
            list_path(number),
            "meetings.html",
            PageKind::MeetingList { number, total },
        ));
    }
    for (i, meeting) in model.meetings.iter().enumerate() {
        pages.push(Page::new(meeting.path.as_str(), "meeting.html", PageKind::Meeting(i)));
        for (j, speech) in meeting.speeches.iter().enumerate() {
            pages.push(Page::new(speech.path.as_str(), "speech.html", PageKind::Speech(i, j)));
        }
    }
    pages.push(Page::new("districts/", "districts.html", PageKind::Districts));
    for org in model.orgs.values() {
        pages.push(Page::new(
            org.link.path.as_str(),
            "district.html",
            PageKind::District(org.link.slug.to_string()),
        ));
    }
    pages.push(Page::new("speakers/", "speakers.html", PageKind::Speakers));
    for (i, person) in model.people.iter().enumerate() {
        pages.push(Page::new(person.path.clone(), "speaker.html", PageKind::Speaker(i)));
    }
    pages.push(Page::new("metrics/", "metrics.html", PageKind::Metrics));
    for (i, metric) in model.metrics.iter().enumerate() {
        pages.push(Page::new(metric.path.clone(), "metric.html", PageKind::Metric(i)));
    }
    pages.push(Page::new("search/", "search.html", PageKind::Search));
    pages.push(Page::new("404.html", "404.html", PageKind::NotFound));
    for (i, page) in standalone.iter().enumerate() {
        pages.push(Page::new(page.path.clone(), "page.html", PageKind::Standalone(i)));
    }
    pages
}

/// Sections whose every URL yilu generates: a standalone page may not live in one, even where
/// no generated page has its exact path yet (an organisation added later would take it).
const RESERVED_SECTIONS: &[&str] =
    &["meetings", "districts", "speakers", "metrics", "search", "data"];

/// A standalone page whose URL is a generated page's (content/meetings.md, content/search.md)
/// or inside a generated section is an error naming the file.
pub(crate) fn check_standalone(standalone: &[StandalonePage], plan: &[Page]) -> anyhow::Result<()> {
    let mut problems = Diagnostics::default();
    for page in standalone {
        let first = page.path.split('/').next().unwrap_or("");
        let generated =
            plan.iter().find(|p| p.path == page.path && !matches!(p.kind, PageKind::Standalone(_)));
        if page.path.is_empty() || generated.is_some() || RESERVED_SECTIONS.contains(&first) {
            problems.push(
                Diagnostic::new(
                    &page.source,
                    format!("its URL /{} belongs to pages yilu generates", page.path),
                )
                .with_hint(format!(
                    "rename the file or set `slug:` in its front matter; {} are taken",
                    RESERVED_SECTIONS
                        .iter()
                        .map(|s| format!("/{s}/"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            );
        }
    }
    problems.into_result()
}

/// A standalone page's `page`: front matter and the body, rendered now.
#[derive(Serialize)]
struct StandaloneView<'a> {
    path: &'a str,
    title: &'a str,
    description: Option<&'a str>,
    body_html: &'a str,
    toc: &'a [markdown::TocEntry],
    extra: &'a indexmap::IndexMap<String, serde_json::Value>,
}

fn list_path(n: usize) -> String {
    if n == 1 { "meetings/".to_string() } else { format!("meetings/page/{n}/") }
}

/// A speech page's `speech`: its summary's fields, the model's view's and the body, rendered
/// now.
struct SpeechPage<'a> {
    view: &'a super::model::SpeechView,
    body_html: &'a str,
    toc: &'a [markdown::TocEntry],
    figures: Figures<'a>,
    /// How many of the figures are targets.
    target_count: usize,
}

impl SpeechPage<'_> {
    /// The page's value given its summary's, `summary`: the summary's fields, then its own.
    fn value_from(&self, summary: &tera::Value) -> tera::Value {
        let mut map = summary.as_map().cloned().unwrap_or_default();
        map.reserve(7);
        for (name, value) in self.own_fields() {
            map.insert(tera::value::Key::Str(name), value);
        }
        tera::Value::from(map)
    }

    /// Its fields beside its summary's, as template values.
    fn own_fields(&self) -> [(&'static str, tera::Value); 7] {
        use tera::Value;
        let view = self.view;
        [
            ("chars", Value::from(view.chars)),
            ("minutes", Value::from(view.minutes)),
            ("extra", Value::from_serializable(&view.extra)),
            ("body_html", Value::from(self.body_html)),
            ("toc", Value::from_serializable(self.toc)),
            ("figures", Value::from_serializable(&self.figures)),
            ("target_count", Value::from(self.target_count)),
        ]
    }
}

/// A speech's figures as its page shows them: each with its front-matter fields (`kind`
/// always), plus `label` (its own period, then its subject) and `shown` (the number as the text
/// prints it, qualifier included: 约5%, 5%以上).
struct Figures<'a>(&'a [Figure]);

impl Serialize for Figures<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(FigureView))
    }
}

struct FigureView<'a>(&'a Figure);

impl Serialize for FigureView<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let f = self.0;
        let mut s = serializer.serialize_struct("Figure", 11)?;
        s.serialize_field("subject", &f.subject)?;
        s.serialize_field("value", &f.value)?;
        s.serialize_field("unit", &f.unit)?;
        s.serialize_field("kind", &f.kind)?;
        let optional = [
            ("qualifier", &f.qualifier),
            ("basis", &f.basis),
            ("amount", &f.amount),
            ("period", &f.period),
        ];
        for (name, value) in optional {
            match value {
                Some(value) => s.serialize_field(name, value)?,
                None => s.skip_field(name)?,
            }
        }
        s.serialize_field("text", &f.text)?;
        s.serialize_field("label", &figure_label(f))?;
        s.serialize_field("shown", &figure_shown(f))?;
        s.end()
    }
}

/// A figure's own period, then its subject: `1-7月规上工业增加值`.
fn figure_label(f: &Figure) -> String {
    format!("{}{}", f.period.as_deref().unwrap_or_default(), f.subject)
}

/// A figure's number as the text prints it: the qualifier before it (约, 超过) or after its
/// unit (以上, 左右).
fn figure_shown(f: &Figure) -> String {
    let number = format!("{}{}", format_number(f.value), f.unit);
    match f.qualifier.as_deref() {
        Some(q) if QUALIFIERS_BEFORE.contains(&q) => format!("{q}{number}"),
        Some(q) => format!("{number}{q}"),
        None => number,
    }
}

/// How many of `figures` are of `kind`.
fn figures_of_kind(figures: &[Figure], kind: FigureKind) -> usize {
    figures.iter().filter(|f| f.kind == kind).count()
}

/// The summaries of some speeches, by (meeting, speech) indices: one template list, serialised
/// from the model's one copy of each when the page is rendered.
struct Summaries<'a>(&'a SiteModel, &'a [(usize, usize)]);

impl Serialize for Summaries<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.1.iter().map(|&(i, j)| &self.0.meetings[i].speeches[j]))
    }
}

/// What a speech page shows of its meeting (not the whole meeting view).
#[derive(Serialize)]
struct MeetingRef<'a> {
    path: &'a str,
    title: &'a str,
    subtitle: Option<&'a str>,
    date: &'a str,
    speech_count: usize,
    publication: Option<&'a str>,
    source_url: Option<&'a str>,
}

impl<'a> From<&'a MeetingView> for MeetingRef<'a> {
    fn from(m: &'a MeetingView) -> Self {
        MeetingRef {
            path: &m.path,
            title: &m.title,
            subtitle: m.subtitle.as_deref(),
            date: &m.date,
            speech_count: m.speeches.len(),
            publication: m.publication.as_deref(),
            source_url: m.source_url.as_deref(),
        }
    }
}

fn home(context: &mut Context, model: &SiteModel, shared: &Shared) {
    context.insert_value(
        "latest",
        tera::Value::from(shared.meetings.iter().take(5).cloned().collect::<Vec<_>>()),
    );
    context.insert_value("groups", shared.groups.clone());
    // Headline numbers: the latest meeting's GDP reports of its main period, highest first;
    // reports of other periods apart, since they do not compare.
    let reports: Vec<HeadlineRow<'_>> = model
        .meetings
        .first()
        .map(|m| {
            m.speeches
                .iter()
                .filter_map(|s| {
                    let v = s.metric_list.iter().find(|v| v.key == "gdp")?;
                    Some(HeadlineRow {
                        name: s.org.as_ref().map_or(&s.title, |o| &o.name),
                        path: &s.path,
                        order: s.order,
                        period: v.period.as_deref(),
                        period_key: v.period_key,
                        value: v.value,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let mut groups: Vec<HeadlineGroup<'_>> = analysis::group_by_period(reports, |r| r.period_key)
        .into_iter()
        .map(|(key, mut rows)| {
            rows.sort_by(|a, b| b.value.total_cmp(&a.value).then(a.order.cmp(&b.order)));
            HeadlineGroup { period_label: analysis::period_label(key, &shared.text), rows }
        })
        .collect();
    let others = groups.split_off(groups.len().min(1));
    context.insert("headline", &groups.first().map(|g| &g.rows));
    context.insert("headline_period", &groups.first().map(|g| &g.period_label));
    context.insert("headline_others", &others);
}

/// A row of the home page's GDP table.
#[derive(Serialize)]
struct HeadlineRow<'a> {
    name: &'a str,
    path: &'a str,
    #[serde(skip)]
    order: u32,
    period: Option<&'a str>,
    period_key: Option<&'static str>,
    value: f64,
}

#[derive(Serialize)]
struct HeadlineGroup<'a> {
    period_label: String,
    rows: Vec<HeadlineRow<'a>>,
}

fn meeting_list(
    context: &mut Context,
    config: &SiteConfig,
    shared: &Shared,
    n: usize,
    total: usize,
) {
    let per = config.paginate_by.max(1);
    let start = ((n - 1) * per).min(shared.meetings.len());
    let end = (start + per).min(shared.meetings.len());
    context.insert_value("meetings", tera::Value::from(shared.meetings[start..end].to_vec()));
    context.insert(
        "paginator",
        &Paginator {
            number: n,
            total,
            prev: (n > 1).then(|| list_path(n - 1)),
            next: (n < total).then(|| list_path(n + 1)),
            pages: (1..=total).map(list_path).collect(),
        },
    );
}

/// Organisations under one parent unit (省, 市), by kind.
#[derive(Serialize)]
struct RegionGroup {
    name: String,
    groups: Vec<KindGroup>,
}

/// The organisations by parent, when they have more than one (an archive of several cities or
/// provinces); parents in code order, organisations without one last, under 其他.
fn regions(model: &SiteModel, text: &Strings) -> Vec<RegionGroup> {
    let parent = |o: &super::model::OrgView| o.link.parent.clone();
    let mut names: Vec<Option<Text>> = model.orgs.values().map(parent).collect();
    names.sort_by_key(|n| (crate::orgs::order_of(n.as_deref()), n.clone()));
    names.dedup();
    if names.iter().flatten().count() < 2 {
        return Vec::new();
    }
    names
        .into_iter()
        .map(|name| RegionGroup {
            groups: groups(model, &|o| parent(o) == name, text),
            name: name.map_or_else(|| text.text("kind.other", &[]), |n| n.to_string()),
        })
        .collect()
}

fn groups(
    model: &SiteModel,
    keep: &dyn Fn(&super::model::OrgView) -> bool,
    text: &Strings,
) -> Vec<KindGroup> {
    let mut groups: Vec<KindGroup> = Vec::new();
    for kind in OrgKind::ALL {
        let orgs: Vec<OrgCard> = model
            .orgs
            .values()
            .filter(|o| o.link.kind == kind && keep(o))
            .map(|o| OrgCard {
                name: o.link.name.to_string(),
                slug: o.link.slug.to_string(),
                path: o.link.path.to_string(),
                kind,
                count: o.count,
                latest_gdp: o.latest_gdp,
            })
            .collect();
        if !orgs.is_empty() {
            let label = text.text(&format!("kind.{}", kind.as_str()), &[]);
            groups.push(KindGroup { kind, label, orgs });
        }
    }
    groups
}
