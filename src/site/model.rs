//! The archive as templates see it: views computed once from the [`Archive`] (rendered bodies,
//! URLs, organisations and speakers with their speeches), shared by every page that shows them.
//! Rankings, series and slugs are computed here in Rust, never in templates.

use std::collections::BTreeMap;

use rustc_hash::FxHashSet;

use rayon::prelude::*;
use serde::Serialize;

use crate::content::{Archive, Meeting, Speech};
use crate::metrics::{Indicators, period};
use crate::render::i18n::Strings;
use crate::render::markdown;
pub(crate) use crate::site::views::{
    KeyLabel, METRIC_MEASURE, MeetingView, MetricValue, OrgLink, SpeechSummary, SpeechView, Text,
    figure_measure,
};
use crate::site::{analysis, people};

/// One organisation with all its speeches, newest first.
#[derive(Debug, Clone)]
pub(crate) struct OrgView {
    pub(crate) link: OrgLink,
    pub(crate) kind_label: &'static str,
    /// (meeting, speech) indices into the model, newest first.
    pub(crate) speeches: Vec<(usize, usize)>,
    pub(crate) count: usize,
    pub(crate) latest_gdp: Option<f64>,
    pub(crate) metrics: analysis::OrgMetrics,
}

/// An organisation as its page shows it (`org`): its view, with the metrics table and charts
/// made for the page.
#[derive(Debug, Serialize)]
pub(crate) struct OrgPage<'a> {
    #[serde(flatten)]
    link: &'a OrgLink,
    kind_label: &'static str,
    count: usize,
    latest_gdp: Option<f64>,
    metrics: analysis::OrgPageMetrics<'a>,
}

impl OrgView {
    /// What its page shows of it; `text`: the UI language of the charts.
    pub(crate) fn page<'a>(&'a self, model: &SiteModel, text: &Strings) -> OrgPage<'a> {
        let (name, speeches) = (&self.link.name, &self.speeches);
        OrgPage {
            link: &self.link,
            kind_label: self.kind_label,
            count: self.count,
            latest_gdp: self.latest_gdp,
            metrics: analysis::org_page_metrics(
                name,
                speeches,
                &model.meetings,
                &self.metrics,
                text,
            ),
        }
    }
}

/// Everything the pages need, computed once.
#[derive(Debug, Default)]
pub(crate) struct SiteModel {
    /// Newest first.
    pub(crate) meetings: Vec<MeetingView>,
    /// Per meeting, in speaking order; same indices as `meetings`.
    pub(crate) speeches: Vec<Vec<SpeechView>>,
    /// By slug.
    pub(crate) orgs: BTreeMap<String, OrgView>,
    /// By slug.
    pub(crate) people: Vec<analysis::PersonView>,
    /// In dictionary order; only indicators some speech reports.
    pub(crate) metrics: Vec<analysis::MetricView>,
    /// Per meeting and speech (same indices as `speeches`): its metrics' changes since the
    /// organisation's previous report of the same period key.
    pub(crate) changes: Vec<Vec<Vec<analysis::Change>>>,
}

/// One meeting's views: the expensive part of a model (every Markdown body rendered), which
/// depends on nothing but that meeting, the indicators and its speakers' links.
pub(crate) type MeetingViews = (MeetingView, Vec<SpeechView>);

impl SiteModel {
    /// `text`: the UI language of the charts' titles and descriptions.
    pub(crate) fn build(archive: &Archive, indicators: &Indicators, text: &Strings) -> SiteModel {
        SiteModel::build_reusing(archive, indicators, text, Vec::new())
    }

    /// Builds the model, taking meeting `i`'s views from `cached[i]` when it holds them (their
    /// speaker links are refreshed) and rendering the others; the aggregates (organisations,
    /// people, metrics) are always recomputed from the views. `serve` uses this so an edit
    /// renders only the touched meeting's Markdown.
    pub(crate) fn build_reusing(
        archive: &Archive,
        indicators: &Indicators,
        text: &Strings,
        mut cached: Vec<Option<MeetingViews>>,
    ) -> SiteModel {
        // Who spoke is worked out across the archive while each meeting's views are made;
        // the summaries get their speakers' links after.
        cached.resize_with(archive.meetings.len(), || None);
        let ((people, person_of), built) = rayon::join(
            || people::identify(archive),
            || {
                let views = archive.meetings.par_iter().zip(cached).map(|(m, cached)| {
                    cached.unwrap_or_else(|| meeting_view(m, indicators, &|_| None))
                });
                views.collect::<Vec<MeetingViews>>()
            },
        );
        let (mut meetings, speeches): (Vec<_>, Vec<_>) = built.into_iter().unzip();
        link_speakers(&mut meetings, &people, &person_of);
        share_texts(&mut meetings);
        let mut orgs: BTreeMap<String, OrgView> = BTreeMap::new();
        for (i, meeting) in meetings.iter().enumerate() {
            for (j, s) in meeting.speeches.iter().enumerate() {
                let Some(org) = &s.org else { continue };
                let view = orgs.entry(org.slug.to_string()).or_insert_with(|| OrgView {
                    link: org.clone(),
                    kind_label: org.kind.label(),
                    speeches: Vec::new(),
                    count: 0,
                    latest_gdp: None,
                    metrics: Default::default(),
                });
                view.speeches.push((i, j));
            }
        }
        // The three aggregates are independent: organisations' metrics and charts, people, and
        // indicator rankings are computed side by side.
        let ((), (people, metrics)) = rayon::join(
            || {
                orgs.par_iter_mut().for_each(|(_, view)| {
                    // Meetings are newest first already; speaking order within a meeting.
                    view.count = view.speeches.len();
                    view.latest_gdp = view
                        .speeches
                        .iter()
                        .find_map(|&(i, j)| meetings[i].speeches[j].metric("gdp"));
                    view.metrics = analysis::org_metrics(&view.speeches, &meetings, indicators);
                })
            },
            || {
                rayon::join(
                    || people.par_iter().map(|p| analysis::person_view(p, &meetings)).collect(),
                    || analysis::metric_views(&meetings, indicators, text),
                )
            },
        );
        let mut changes: Vec<Vec<Vec<analysis::Change>>> =
            speeches.iter().map(|list| vec![Vec::new(); list.len()]).collect();
        for org in orgs.values_mut() {
            for ((i, j), list) in std::mem::take(&mut org.metrics.changes) {
                changes[i][j] = list;
            }
        }
        SiteModel { meetings, speeches, orgs, people, metrics, changes }
    }

    /// Takes the per-meeting views out, leaving the model empty.
    pub(crate) fn into_meeting_views(self) -> impl Iterator<Item = MeetingViews> {
        self.meetings.into_iter().zip(self.speeches)
    }
}

/// One meeting's views; `speaker_path(j)` links speech `j` to its speaker's page.
pub(crate) fn meeting_view(
    m: &Meeting,
    indicators: &Indicators,
    speaker_path: &dyn Fn(usize) -> Option<Text>,
) -> (MeetingView, Vec<SpeechView>) {
    let path = Text::from(format!("meetings/{}/", m.slug));
    let date = Text::from(m.date.format("%Y-%m-%d").to_string());
    let title = Text::from(&m.front.title);
    let (summaries, speeches): (Vec<SpeechSummary>, Vec<SpeechView>) = m
        .speeches
        .iter()
        .enumerate()
        .map(|(j, s)| speech_view(s, m, [&path, &title, &date], indicators, speaker_path(j)))
        .unzip();
    let mut keys: Vec<&str> =
        summaries.iter().flat_map(|s| s.metric_list.iter().map(|v| v.key.as_str())).collect();
    keys.sort_by_key(|k| (indicators.rank(k), *k));
    keys.dedup();
    let view = MeetingView {
        slug: m.slug.clone(),
        path,
        title,
        subtitle: m.front.subtitle.clone(),
        date,
        summary: m.front.summary.clone(),
        publication: m.front.source.as_ref().and_then(|s| s.publication.clone()),
        source_url: m.front.source.as_ref().and_then(|s| web_url(s.url.as_deref()?)),
        participants: m.front.participants.clone(),
        body_html: markdown::render(&m.body).html,
        metric_keys: keys.iter().map(|k| KeyLabel::new(k, indicators)).collect(),
        speeches: summaries,
        extra: serde_json::to_value(&m.front.extra).unwrap_or_default(),
    };
    (view, speeches)
}

/// Speech `s` of meeting `m`, whose path, title and date its summary shares.
fn speech_view(
    s: &Speech,
    m: &Meeting,
    [meeting_path, meeting_title, date]: [&Text; 3],
    indicators: &Indicators,
    speaker_path: Option<Text>,
) -> (SpeechSummary, SpeechView) {
    let chars = s.chars;
    let speech_period = s.front.period.as_deref().map(str::trim).filter(|p| !p.is_empty());
    let canonical = |printed: Option<&str>| {
        let p = printed.and_then(period::parse);
        (p.map(|p| p.key()), p.map(|p| p.year(m.date)))
    };
    let (period_key, period_year) = canonical(speech_period);
    let mut metric_list: Vec<MetricValue> = s
        .front
        .metrics
        .iter()
        .map(|(k, v)| {
            let own = metric_period(k, *v, &s.front.figures, indicators);
            let (printed, key, year) = match own {
                Some((printed, p)) => (Some(printed.into()), Some(p.key()), Some(p.year(m.date))),
                None => (speech_period.map(Text::from), period_key, period_year),
            };
            MetricValue {
                key: k.into(),
                label: indicators.label(k).into(),
                value: *v,
                measure: METRIC_MEASURE,
                period: printed,
                period_key: key,
                period_year: year,
            }
        })
        .collect();
    metric_list.sort_by_key(|v| indicators.rank(&v.key));
    let summary = SpeechSummary {
        path: format!("{meeting_path}{}/", s.slug).into(),
        order: s.order,
        title: Text::from(&s.front.title),
        speaker: s.speaker_name().map(Text::from),
        speaker_path,
        position: s.front.position.as_deref().map(Text::from),
        org: s.org.as_ref().map(|o| OrgLink {
            name: Text::from(&o.name),
            slug: Text::from(&o.slug),
            kind: o.kind,
            path: format!("districts/{}/", o.slug).into(),
            known: o.known,
            parent: o.parent.as_deref().map(Text::from),
        }),
        period: s.front.period.as_deref().map(Text::from),
        period_key,
        period_year,
        metric_list,
        meeting_path: meeting_path.clone(),
        meeting_title: meeting_title.clone(),
        date: date.clone(),
    };
    let view = SpeechView {
        minutes: markdown::reading_minutes(chars),
        chars,
        extra: serde_json::to_value(&s.front.extra).unwrap_or_default(),
    };
    (summary, view)
}

/// Sets each summary's link to its speaker's page (none for a speech nobody is identified in).
fn link_speakers(
    meetings: &mut [MeetingView],
    people: &[people::Person],
    person_of: &BTreeMap<(usize, usize), usize>,
) {
    let paths: Vec<Text> =
        people.iter().map(|p| Text::from(format!("speakers/{}/", p.slug))).collect();
    for (i, meeting) in meetings.iter_mut().enumerate() {
        for (j, summary) in meeting.speeches.iter_mut().enumerate() {
            summary.speaker_path = person_of.get(&(i, j)).map(|&p| paths[p].clone());
        }
    }
}

/// Makes the summaries' repeated text one shared copy each: speakers, positions, periods,
/// organisations and indicators recur across meetings, and each speech's view made its own.
fn share_texts(meetings: &mut [MeetingView]) {
    let mut texts: FxHashSet<Text> = FxHashSet::default();
    let mut share = |t: &mut Text| match texts.get(t.as_str()) {
        Some(shared) => *t = shared.clone(),
        None => {
            texts.insert(t.clone());
        }
    };
    for s in meetings.iter_mut().flat_map(|m| &mut m.speeches) {
        let optional = [&mut s.speaker, &mut s.position, &mut s.period];
        optional.into_iter().flatten().for_each(&mut share);
        if let Some(org) = &mut s.org {
            [&mut org.name, &mut org.slug, &mut org.path].into_iter().for_each(&mut share);
            org.parent.iter_mut().for_each(&mut share);
        }
        for v in &mut s.metric_list {
            share(&mut v.key);
            share(&mut v.label);
            v.period.iter_mut().for_each(&mut share);
        }
    }
}

impl SiteModel {
    /// Speech (i, j)'s changes as pages and data show them: indicator key → change.
    pub(crate) fn change_views(
        &self,
        i: usize,
        j: usize,
    ) -> BTreeMap<&str, analysis::ChangeView<&str>> {
        let metrics = &self.meetings[i].speeches[j].metric_list;
        self.changes[i][j]
            .iter()
            .map(|c| (metrics[c.metric].key.as_str(), c.view(&self.meetings)))
            .collect()
    }
}

/// The period printed beside a metric's own figure: the first figure of the speech with the
/// metric's value, in percent, whose subject names the indicator, and whose text names a period.
fn metric_period(
    key: &str,
    value: f64,
    figures: &[crate::content::Figure],
    indicators: &Indicators,
) -> Option<(String, period::Period)> {
    let phrasings = &indicators.get(key)?.phrasings;
    let figure = figures.iter().find(|f| {
        f.unit == "%"
            && f.value == value
            && phrasings.iter().any(|p| f.subject.contains(p.as_str()))
    })?;
    period::find(&figure.text)
}

/// A source URL that may become a link: http(s) only, so content can never smuggle in a
/// `javascript:` link; None otherwise.
pub(crate) fn web_url(url: &str) -> Option<String> {
    let url = url.trim();
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let ok = (lower.starts_with("https://") || lower.starts_with("http://"))
        && url.len() > "https://".len()
        && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    ok.then(|| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_urls() {
        for (url, want) in [
            ("https://cqrb.cn/a/1.html", true),
            ("  http://example.org/x ", true),
            ("HTTPS://EXAMPLE.ORG/", true),
            ("javascript:alert(1)", false),
            ("https://", false),
            ("//example.org/", false),
            ("https://exa mple.org/", false),
            ("ftp://example.org/", false),
        ] {
            assert_eq!(web_url(url).is_some(), want, "{url}");
        }
    }

    #[test]
    fn figure_measures() {
        for (unit, text, want) in [
            ("%", "GDP增长6%", "同比增速（%）"),
            ("%", "两年平均增长6%", "年均增速（%）"),
            ("倍", "增长1.2倍", "增长倍数（倍）"),
            ("个百分点", "提高2个百分点", "变化（个百分点）"),
        ] {
            assert_eq!(figure_measure(unit, text), want);
        }
    }
}
