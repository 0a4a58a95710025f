//! The page plan: every output page as (path, template, context). Site-wide values go into
//! Tera's global context once; each page's context holds only what is its own.

use serde::Serialize;
use tera::{Context, Tera};

use super::model::{MeetingView, OrgView, SiteModel, SpeechSummary};
use crate::config::SiteConfig;
use crate::metrics::Indicators;
use crate::orgs::OrgKind;

/// One page to render.
pub struct Page {
    /// Site path: `meetings/2024-10-21/` (folder, written as index.html) or `404.html`.
    pub path: String,
    pub template: &'static str,
    pub context: Context,
}

impl Page {
    fn new(path: impl Into<String>, template: &'static str, title: Option<&str>) -> Page {
        let path = path.into();
        let mut context = Context::new();
        context.insert("current", &path);
        // The navigation entry this page belongs to: its first path segment.
        let section = path
            .split_once('/')
            .map(|(first, _)| format!("{first}/"))
            .unwrap_or_default();
        context.insert("section", &section);
        context.insert("page_title", &title);
        Page {
            path,
            template,
            context,
        }
    }

    /// The file the page is written to, relative to the output folder.
    pub fn file(&self) -> String {
        if self.path.is_empty() || self.path.ends_with('/') {
            format!("{}index.html", self.path)
        } else {
            self.path.clone()
        }
    }
}

#[derive(Serialize)]
struct NavItem {
    title: &'static str,
    path: &'static str,
}

const NAV: &[NavItem] = &[
    NavItem {
        title: "首页",
        path: "",
    },
    NavItem {
        title: "会议",
        path: "meetings/",
    },
    NavItem {
        title: "区县",
        path: "districts/",
    },
    NavItem {
        title: "发言人",
        path: "speakers/",
    },
    NavItem {
        title: "指标",
        path: "metrics/",
    },
    NavItem {
        title: "搜索",
        path: "search/",
    },
];

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

/// Values every template sees: `site`, `nav`, `indicators`.
pub fn insert_globals(
    tera: &mut Tera,
    config: &SiteConfig,
    model: &SiteModel,
    indicators: &Indicators,
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
    let list: Vec<_> = indicators
        .iter()
        .map(|i| serde_json::json!({"key": i.key, "label": i.label}))
        .collect();
    let ctx = tera.global_context();
    ctx.insert("site", &globals);
    ctx.insert("nav", NAV);
    ctx.insert("indicators", &list);
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
struct KindGroup<'a> {
    kind: OrgKind,
    label: &'static str,
    orgs: Vec<&'a OrgView>,
}

/// Every page of the site.
pub fn plan(config: &SiteConfig, model: &SiteModel) -> Vec<Page> {
    let mut pages = Vec::new();
    home(&mut pages, model);
    meeting_list(&mut pages, config, model);
    for (meeting, speeches) in model.meetings.iter().zip(&model.speeches) {
        let mut page = Page::new(meeting.path.clone(), "meeting.html", Some(&meeting.title));
        page.context.insert("meeting", meeting);
        pages.push(page);
        for (i, speech) in speeches.iter().enumerate() {
            let mut page = Page::new(
                speech.summary.path.clone(),
                "speech.html",
                Some(&speech.summary.title),
            );
            page.context.insert("speech", speech);
            page.context.insert("meeting", &MeetingRef::from(meeting));
            page.context
                .insert("prev", &i.checked_sub(1).map(|j| &speeches[j].summary));
            page.context
                .insert("next", &speeches.get(i + 1).map(|s| &s.summary));
            pages.push(page);
        }
    }
    districts(&mut pages, model);
    pages.push(Page::new("search/", "search.html", Some("搜索")));
    pages
}

/// What a speech page shows of its meeting (not the whole meeting view).
#[derive(Serialize)]
struct MeetingRef<'a> {
    path: &'a str,
    title: &'a str,
    subtitle: Option<&'a str>,
    date: &'a str,
    speech_count: usize,
}

impl<'a> From<&'a MeetingView> for MeetingRef<'a> {
    fn from(m: &'a MeetingView) -> Self {
        MeetingRef {
            path: &m.path,
            title: &m.title,
            subtitle: m.subtitle.as_deref(),
            date: &m.date,
            speech_count: m.speeches.len(),
        }
    }
}

fn home(pages: &mut Vec<Page>, model: &SiteModel) {
    let mut page = Page::new("", "index.html", None);
    let latest: Vec<&MeetingView> = model.meetings.iter().take(5).collect();
    page.context.insert("latest", &latest);
    page.context.insert("groups", &groups(model));
    // Headline numbers: the latest meeting's speeches that report GDP, highest first.
    let mut headline: Vec<&SpeechSummary> = model
        .meetings
        .first()
        .map(|m| {
            m.speeches
                .iter()
                .filter(|s| s.metrics.contains_key("gdp"))
                .collect()
        })
        .unwrap_or_default();
    headline.sort_by(|a, b| {
        b.metrics["gdp"]
            .total_cmp(&a.metrics["gdp"])
            .then(a.order.cmp(&b.order))
    });
    page.context.insert("headline", &headline);
    pages.push(page);
}

fn meeting_list(pages: &mut Vec<Page>, config: &SiteConfig, model: &SiteModel) {
    let per = config.paginate_by.max(1);
    let chunks: Vec<&[MeetingView]> = if model.meetings.is_empty() {
        vec![&[]]
    } else {
        model.meetings.chunks(per).collect()
    };
    let total = chunks.len();
    let page_path = |n: usize| {
        if n == 1 {
            "meetings/".to_string()
        } else {
            format!("meetings/page/{n}/")
        }
    };
    for (i, chunk) in chunks.iter().enumerate() {
        let n = i + 1;
        let mut page = Page::new(page_path(n), "meetings.html", Some("全部会议"));
        page.context.insert("meetings", chunk);
        page.context.insert(
            "paginator",
            &Paginator {
                number: n,
                total,
                prev: (n > 1).then(|| page_path(n - 1)),
                next: (n < total).then(|| page_path(n + 1)),
                pages: (1..=total).map(page_path).collect(),
            },
        );
        pages.push(page);
    }
}

fn groups(model: &SiteModel) -> Vec<KindGroup<'_>> {
    let mut groups: Vec<KindGroup<'_>> = Vec::new();
    for kind in [
        OrgKind::District,
        OrgKind::County,
        OrgKind::Zone,
        OrgKind::Department,
        OrgKind::Other,
    ] {
        let orgs: Vec<&OrgView> = model
            .orgs
            .values()
            .filter(|o| o.link.kind == kind)
            .collect();
        if !orgs.is_empty() {
            groups.push(KindGroup {
                kind,
                label: kind.label(),
                orgs,
            });
        }
    }
    groups
}

fn districts(pages: &mut Vec<Page>, model: &SiteModel) {
    let mut page = Page::new("districts/", "districts.html", Some("区县与部门"));
    page.context.insert("groups", &groups(model));
    pages.push(page);
    for org in model.orgs.values() {
        let mut page = Page::new(org.link.path.clone(), "district.html", Some(&org.link.name));
        page.context.insert("org", org);
        pages.push(page);
    }
}
