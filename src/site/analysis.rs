//! The analysis pages' data: each organisation's metrics over time, each person's speeches
//! across posts, and each indicator ranked per meeting. Computed once from the speech
//! summaries; charts are rendered here so templates only place them.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::people::Person;
use super::views::{
    KeyLabel, METRIC_MEASURE, MeetingView, MetricValue, OrgLink, SpeechSummary, Text,
};
use crate::metrics::{Indicators, period};
use crate::render::chart::{self, Bar, Point};
use crate::render::i18n::Strings;

/// One cell of an organisation's metrics table; `period` only when it differs from the row's.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct OrgMetricCell {
    pub(crate) value: f64,
    pub(crate) period: Option<Text>,
}

/// One row of an organisation's metrics table: one speech that reported figures.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct OrgMetricRow {
    pub(crate) date: Text,
    pub(crate) meeting_path: Text,
    pub(crate) speech_path: Text,
    pub(crate) period: Option<Text>,
    pub(crate) period_key: Option<&'static str>,
    /// One cell per column of `metric_columns`.
    pub(crate) values: Vec<Option<OrgMetricCell>>,
}

/// An inline SVG chart with its caption: one indicator, one period key.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ChartView {
    pub(crate) key: String,
    pub(crate) label: String,
    pub(crate) measure: &'static str,
    pub(crate) period_key: Option<&'static str>,
    /// 1—9月, 全年; 统计期不明 when the period is unknown.
    pub(crate) period_label: String,
    pub(crate) svg: String,
    pub(crate) points: usize,
}

/// A metric's change since the organisation's previous report of the same indicator and period
/// key at an earlier meeting. Held as indices into the model (ten thousand speeches, no copies);
/// [`Change::view`] gives what pages and data show.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Change {
    /// The metric's index in its speech's `metric_list`.
    pub(crate) metric: usize,
    pub(crate) previous: f64,
    /// This value less the previous one, in percentage points.
    pub(crate) diff: f64,
    /// The previous report: meeting, speech and metric indices into the model.
    pub(crate) from: (usize, usize, usize),
}

/// A change as shown: the previous value, where and when it was reported, and the difference.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct ChangeView<S> {
    pub(crate) previous: f64,
    pub(crate) previous_date: S,
    pub(crate) previous_path: S,
    pub(crate) previous_period: Option<S>,
    pub(crate) previous_year: Option<i32>,
    pub(crate) diff: f64,
}

impl Change {
    pub(crate) fn view<'a>(&self, meetings: &'a [MeetingView]) -> ChangeView<&'a str> {
        let (i, j, k) = self.from;
        let s = &meetings[i].speeches[j];
        let m = &s.metric_list[k];
        ChangeView {
            previous: self.previous,
            previous_date: &s.date,
            previous_path: &s.path,
            previous_period: m.period.as_deref(),
            previous_year: m.period_year,
            diff: self.diff,
        }
    }
}

/// An indicator's newest report by an organisation, with its change since the report before.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct LatestMetric {
    pub(crate) key: String,
    pub(crate) label: String,
    pub(crate) measure: &'static str,
    pub(crate) value: f64,
    pub(crate) date: Text,
    pub(crate) speech_path: Text,
    pub(crate) period: Option<Text>,
    pub(crate) period_key: Option<&'static str>,
    pub(crate) change: Option<ChangeView<String>>,
}

/// Per speech ((meeting, speech) indices): the changes of its metrics.
pub(crate) type SpeechChanges = Vec<((usize, usize), Vec<Change>)>;

/// Metrics an organisation reported over time, as the model holds them: what other pages and
/// the data files need. Its page's table and charts are made when the page is rendered (see
/// [`org_page_metrics`]): at 30,000 speeches they were a tenth of the model, held to the end.
#[derive(Debug, Clone, Default)]
pub(crate) struct OrgMetrics {
    pub(crate) columns: Vec<KeyLabel>,
    /// Each indicator's newest report, in dictionary order.
    pub(crate) latest: Vec<LatestMetric>,
    /// The changes of every speech of the organisation, handed to the model.
    pub(crate) changes: SpeechChanges,
}

/// An organisation's metrics as its page shows them: the model's, with the table and charts.
#[derive(Debug, Serialize)]
pub(crate) struct OrgPageMetrics<'a> {
    pub(crate) columns: &'a [KeyLabel],
    /// Newest first.
    pub(crate) rows: Vec<OrgMetricRow>,
    /// One per indicator and period key, oldest point first.
    pub(crate) charts: Vec<ChartView>,
    /// Periods not charted (reported once, or beyond [`CHARTS_PER_INDICATOR`]): in the table.
    pub(crate) omitted_charts: usize,
    pub(crate) latest: &'a [LatestMetric],
}

/// How a period key reads in headings (the key's label is data: 1—9月, 全年).
pub(crate) fn period_label(key: Option<&str>, text: &Strings) -> String {
    key.map_or_else(|| text.text("period.unknown", &[]), period::label)
}

/// Rounds a difference of two printed values so that 7.1 − 6.6 reads 0.5, not 0.4999999.
fn points_diff(a: f64, b: f64) -> f64 {
    ((a - b) * 1e6).round() / 1e6
}

/// Builds the metrics of an organisation from its speeches: `refs` are (meeting, speech)
/// indices into `all`, newest first.
pub(crate) fn org_metrics(
    refs: &[(usize, usize)],
    all: &[MeetingView],
    indicators: &Indicators,
) -> OrgMetrics {
    let list = org_speeches(refs, all);
    let mut keys: Vec<&str> =
        list.iter().flat_map(|(_, s)| s.metric_list.iter().map(|m| m.key.as_str())).collect();
    keys.sort_by_key(|k| (indicators.rank(k), *k));
    keys.dedup();
    let changes = changes_over_time(&list);
    let mut latest = Vec::new();
    for key in &keys {
        let label = indicators.label(key);
        let newest = list
            .iter()
            .find_map(|(_, s)| s.metric_list.iter().find(|m| m.key == *key).map(|m| (*s, m)));
        if let Some(newest) = newest {
            latest.push(latest_metric(key, label, newest, &list, &changes, all));
        }
    }
    OrgMetrics {
        columns: keys.iter().map(|k| KeyLabel::new(k, indicators)).collect(),
        latest,
        changes: changes.list,
    }
}

/// The metrics of the organisation `name` as its page shows them, its table and charts made
/// now: `refs` and `all` as for [`org_metrics`], which made `metrics`.
pub(crate) fn org_page_metrics<'a>(
    name: &str,
    refs: &[(usize, usize)],
    all: &[MeetingView],
    metrics: &'a OrgMetrics,
    text: &Strings,
) -> OrgPageMetrics<'a> {
    let list = org_speeches(refs, all);
    let keys: Vec<&str> = metrics.columns.iter().map(|c| c.key.as_str()).collect();
    let rows = metric_rows(&list, &keys);
    let mut charts = Vec::new();
    let mut omitted = 0;
    for column in &metrics.columns {
        let key = column.key.as_str();
        // Oldest first, grouped by period key.
        let reports: Vec<(&SpeechSummary, &MetricValue)> = list
            .iter()
            .rev()
            .filter_map(|(_, s)| s.metric_list.iter().find(|m| m.key == key).map(|m| (*s, m)))
            .collect();
        omitted += period_charts(name, key, &column.label, reports, &mut charts, text);
    }
    OrgPageMetrics {
        columns: &metrics.columns,
        rows,
        charts,
        omitted_charts: omitted,
        latest: &metrics.latest,
    }
}

/// An organisation's speeches by (meeting, speech) indices `refs` into `all`, with their
/// summaries.
fn org_speeches<'a>(
    refs: &[(usize, usize)],
    all: &'a [MeetingView],
) -> Vec<((usize, usize), &'a SpeechSummary)> {
    refs.iter().map(|&(i, j)| ((i, j), &all[i].speeches[j])).collect()
}

/// The changes of an organisation's speeches, with where each speech's are.
struct OrgChanges {
    list: SpeechChanges,
    /// (meeting, speech) → index into `list`.
    by_speech: HashMap<(usize, usize), usize>,
}

/// Changes, oldest first: a report is compared with the newest earlier meeting's report of the
/// same indicator and period key (never with one of the same meeting).
fn changes_over_time(list: &[((usize, usize), &SpeechSummary)]) -> OrgChanges {
    type Report = (f64, (usize, usize, usize));
    let mut last: HashMap<(&str, &str), Report> = HashMap::new();
    let mut pending: Vec<((&str, &str), Report)> = Vec::new();
    let mut changes: SpeechChanges = Vec::new();
    let mut by_speech: HashMap<(usize, usize), usize> = HashMap::new();
    let mut date: Option<&str> = None;
    for &((i, j), s) in list.iter().rev() {
        if date != Some(s.date.as_str()) {
            last.extend(pending.drain(..));
            date = Some(&s.date);
        }
        let mut mine = Vec::new();
        for (k, m) in s.metric_list.iter().enumerate() {
            let Some(pk) = m.period_key else { continue };
            if let Some(&(previous, from)) = last.get(&(m.key.as_str(), pk)) {
                let diff = points_diff(m.value, previous);
                mine.push(Change { metric: k, previous, diff, from });
            }
            pending.push(((m.key.as_str(), pk), (m.value, (i, j, k))));
        }
        if !mine.is_empty() {
            by_speech.insert((i, j), changes.len());
            changes.push(((i, j), mine));
        }
    }
    OrgChanges { list: changes, by_speech }
}

/// The metrics table: one row per speech that reported figures, one cell per indicator of `keys`.
fn metric_rows(list: &[((usize, usize), &SpeechSummary)], keys: &[&str]) -> Vec<OrgMetricRow> {
    list.iter()
        .filter(|(_, s)| !s.metric_list.is_empty())
        .map(|(_, s)| OrgMetricRow {
            date: s.date.clone(),
            meeting_path: s.meeting_path.clone(),
            speech_path: s.path.clone(),
            period: s.period.clone(),
            period_key: s.period_key,
            values: keys
                .iter()
                .map(|k| {
                    s.metric_list.iter().find(|m| m.key == *k).map(|m| OrgMetricCell {
                        value: m.value,
                        period: (m.period_key != s.period_key || m.period != s.period)
                            .then(|| m.period.clone())
                            .flatten(),
                    })
                })
                .collect(),
        })
        .collect()
}

/// An indicator's newest report `(s, m)` among the organisation's speeches `list`, with its
/// change since the report before.
fn latest_metric(
    key: &str,
    label: &str,
    (s, m): (&SpeechSummary, &MetricValue),
    list: &[((usize, usize), &SpeechSummary)],
    changes: &OrgChanges,
    all: &[MeetingView],
) -> LatestMetric {
    let at = list.iter().find(|(_, x)| std::ptr::eq(*x, s)).map(|(at, _)| *at);
    LatestMetric {
        key: key.to_string(),
        label: label.to_string(),
        measure: METRIC_MEASURE,
        value: m.value,
        date: s.date.clone(),
        speech_path: s.path.clone(),
        period: m.period.clone(),
        period_key: m.period_key,
        change: at.and_then(|at| changes.by_speech.get(&at)).and_then(|&n| {
            let c = changes.list[n].1.iter().find(|c| s.metric_list[c.metric].key == key)?;
            let v = c.view(all);
            Some(ChangeView {
                previous: v.previous,
                previous_date: v.previous_date.to_string(),
                previous_path: v.previous_path.to_string(),
                previous_period: v.previous_period.map(str::to_string),
                previous_year: v.previous_year,
                diff: v.diff,
            })
        }),
    }
}

/// An indicator's charts on the organisation's page, appended to `charts`: one per period
/// reported twice or more (the most reported first, at most [`CHARTS_PER_INDICATOR`]); a lone
/// report is charted only when nothing else is. `reports` are oldest first. Returns how many
/// periods were left uncharted.
fn period_charts(
    name: &str,
    key: &str,
    label: &str,
    reports: Vec<(&SpeechSummary, &MetricValue)>,
    charts: &mut Vec<ChartView>,
    text: &Strings,
) -> usize {
    let groups = group_by_period(reports, |(_, m)| m.period_key);
    let charted = groups.iter().filter(|(_, g)| g.len() > 1).count().clamp(1, CHARTS_PER_INDICATOR);
    let omitted = groups.len() - charted;
    for (pk, group) in groups.into_iter().take(charted) {
        let points: Vec<Point> = group
            .iter()
            .map(|(s, m)| Point {
                label: s.date.to_string(),
                value: m.value,
                note: m.period.as_deref().map(str::to_string),
                group: pk.map(str::to_string),
            })
            .collect();
        let period_label = period_label(pk, text);
        let title = text.text(
            "chart.org_title",
            &[
                ("org", name),
                ("label", label),
                ("measure", &text.measure(METRIC_MEASURE)),
                ("period", &period_label),
            ],
        );
        let id = format!("chart-{key}-{}", charts.len() + 1);
        charts.push(ChartView {
            key: key.to_string(),
            svg: chart::line(&id, &title, "%", &points, text),
            label: label.to_string(),
            measure: METRIC_MEASURE,
            period_key: pk,
            period_label,
            points: points.len(),
        });
    }
    omitted
}

/// At most this many charts per indicator on an organisation's page (one per period key).
pub(crate) const CHARTS_PER_INDICATOR: usize = 4;

/// Items grouped by period key: the main period first (the known key most items report, then
/// key order), then the other known keys by size, and items of unknown period last (they may
/// cover different periods, so they are never the main group unless they are all there is).
/// Order inside a group kept.
pub(crate) fn group_by_period<T>(
    items: Vec<T>,
    key: impl Fn(&T) -> Option<&'static str>,
) -> Vec<(Option<&'static str>, Vec<T>)> {
    let mut groups: Vec<(Option<&'static str>, Vec<T>)> = Vec::new();
    for item in items {
        let k = key(&item);
        match groups.iter_mut().find(|(g, _)| *g == k) {
            Some((_, list)) => list.push(item),
            None => groups.push((k, vec![item])),
        }
    }
    groups.sort_by(|a, b| {
        a.0.is_none()
            .cmp(&b.0.is_none())
            .then(b.1.len().cmp(&a.1.len()))
            .then_with(|| period_order(a.0).cmp(&period_order(b.0)))
    });
    groups
}

/// Keys in calendar order: by first month, then the longer period first ("1-9" before "7-9").
fn period_order(key: Option<&str>) -> (u8, std::cmp::Reverse<u8>) {
    let Some(key) = key else { return (u8::MAX, std::cmp::Reverse(0)) };
    let (a, b) = key.split_once('-').unwrap_or((key, key));
    (a.parse().unwrap_or(u8::MAX), std::cmp::Reverse(b.parse().unwrap_or(0)))
}

/// A post a person held: position and organisation, with the dates they spoke in it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Post {
    pub(crate) position: Option<Text>,
    pub(crate) org: Option<OrgLink>,
    pub(crate) first: Text,
    pub(crate) last: Text,
    pub(crate) count: usize,
}

/// One person's page.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PersonView {
    pub(crate) slug: String,
    pub(crate) name: String,
    pub(crate) path: String,
    /// (meeting, speech) indices into the model, newest first; pages list them from the
    /// shared summaries rather than each view holding copies.
    #[serde(skip)]
    pub(crate) speeches: Vec<(usize, usize)>,
    pub(crate) count: usize,
    pub(crate) latest: Text,
    /// Oldest first.
    pub(crate) posts: Vec<Post>,
    pub(crate) split: bool,
}

pub(crate) fn person_view(person: &Person, meetings: &[MeetingView]) -> PersonView {
    let list: Vec<&SpeechSummary> =
        person.speeches.iter().map(|&(i, j)| &meetings[i].speeches[j]).collect();
    let mut posts: Vec<Post> = Vec::new();
    for s in list.iter().rev() {
        match posts.iter_mut().find(|p| p.position == s.position && p.org == s.org) {
            Some(p) => {
                p.last = s.date.clone();
                p.count += 1;
            }
            None => posts.push(Post {
                position: s.position.clone(),
                org: s.org.clone(),
                first: s.date.clone(),
                last: s.date.clone(),
                count: 1,
            }),
        }
    }
    PersonView {
        slug: person.slug.clone(),
        name: person.name.clone(),
        path: format!("speakers/{}/", person.slug),
        count: list.len(),
        latest: list.first().map(|s| s.date.clone()).unwrap_or_default(),
        speeches: person.speeches.clone(),
        posts,
        split: person.split,
    }
}

/// One organisation's value at one meeting, ranked.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RankRow {
    pub(crate) rank: usize,
    pub(crate) org: Text,
    pub(crate) org_path: Option<Text>,
    pub(crate) speech_path: Text,
    pub(crate) speaker: Option<Text>,
    pub(crate) period: Option<Text>,
    pub(crate) period_key: Option<&'static str>,
    pub(crate) value: f64,
}

/// The reports of one period key at one meeting, ranked: only these compare with each other.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PeriodRanking {
    pub(crate) period_key: Option<&'static str>,
    pub(crate) period_label: String,
    pub(crate) ranking: Vec<RankRow>,
    pub(crate) median: f64,
}

/// An indicator at one meeting: the organisations that reported the main period, highest first,
/// and those that reported another period, ranked apart.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MetricMeeting {
    pub(crate) date: Text,
    pub(crate) meeting_path: Text,
    pub(crate) meeting_title: Text,
    /// The main period: the one most organisations reported.
    pub(crate) period_key: Option<&'static str>,
    pub(crate) period_label: String,
    pub(crate) ranking: Vec<RankRow>,
    /// Only for the newest [`RECENT_CHARTS`] meetings: a page of a thousand charts helps nobody.
    pub(crate) chart: Option<String>,
    pub(crate) median: f64,
    /// Other periods, each ranked on its own.
    pub(crate) others: Vec<PeriodRanking>,
    /// Reports of every period.
    pub(crate) reports: usize,
}

/// A cell of the organisation × meeting table.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TableCell {
    pub(crate) value: f64,
    pub(crate) period: Option<Text>,
    pub(crate) period_key: Option<&'static str>,
    pub(crate) speech_path: Text,
}

/// A column of the organisation × meeting table.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TableColumn {
    pub(crate) date: Text,
    pub(crate) meeting_path: Text,
    pub(crate) meeting_title: Text,
}

/// A row of the organisation × meeting table: one cell per column, None where it did not report.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TableRow {
    pub(crate) org: Text,
    pub(crate) org_path: Option<Text>,
    pub(crate) cells: Vec<Option<TableCell>>,
}

/// Organisations × the newest [`TABLE_MEETINGS`] meetings that reported an indicator.
#[derive(Debug, Clone, Serialize, Default)]
pub(crate) struct MeetingTable {
    /// Newest first.
    pub(crate) columns: Vec<TableColumn>,
    /// By organisation name.
    pub(crate) rows: Vec<TableRow>,
    /// How many meetings reported the indicator in all (the table shows at most TABLE_MEETINGS).
    pub(crate) meetings: usize,
}

/// One indicator across the archive.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MetricView {
    pub(crate) key: String,
    pub(crate) label: String,
    pub(crate) measure: &'static str,
    pub(crate) path: String,
    pub(crate) reports: usize,
    /// Newest first.
    pub(crate) meetings: Vec<MetricMeeting>,
    /// Per period key reported at two meetings or more: the median per meeting, oldest first.
    pub(crate) trends: Vec<ChartView>,
    pub(crate) table: MeetingTable,
}

/// How many of an indicator's newest meetings get a bar chart on its page.
pub(crate) const RECENT_CHARTS: usize = 12;

/// How many of an indicator's newest meetings its organisation × meeting table shows.
pub(crate) const TABLE_MEETINGS: usize = 12;

type Report<'a> = (&'a SpeechSummary, &'a MetricValue);

/// Every indicator that any speech reports, in dictionary order.
pub(crate) fn metric_views(
    meetings: &[MeetingView],
    indicators: &Indicators,
    text: &Strings,
) -> Vec<MetricView> {
    let mut by_key: BTreeMap<&str, Vec<(MetricMeeting, Vec<Report<'_>>)>> = BTreeMap::new();
    for m in meetings {
        for (key, reports) in reports_by_key(m) {
            let list = by_key.entry(key).or_default();
            // Bar charts for the most recent meetings; older ones keep their table.
            let with_chart = list.len() < RECENT_CHARTS;
            let section = metric_meeting(m, indicators.label(key), &reports, with_chart, text);
            list.push((section, reports));
        }
    }
    let mut views: Vec<MetricView> =
        by_key.into_iter().map(|(key, list)| metric_view(key, list, indicators, text)).collect();
    views.sort_by_key(|v| (indicators.rank(&v.key), v.key.clone()));
    views
}

/// The reports of one meeting per indicator key, in speech order.
fn reports_by_key(m: &MeetingView) -> BTreeMap<&str, Vec<Report<'_>>> {
    let mut per_key: BTreeMap<&str, Vec<Report<'_>>> = BTreeMap::new();
    for s in &m.speeches {
        for v in &s.metric_list {
            per_key.entry(&v.key).or_default().push((s, v));
        }
    }
    per_key
}

/// One meeting's section of an indicator's page: its reports ranked per period, and when
/// `with_chart` is set a bar chart of the main period's ranking.
fn metric_meeting(
    m: &MeetingView,
    label: &str,
    reports: &[Report<'_>],
    with_chart: bool,
    text: &Strings,
) -> MetricMeeting {
    let (main, others) = period_rankings(reports.to_vec(), text);
    // Only the newest meetings get a chart: the others skip its title and bars.
    let chart = with_chart.then(|| {
        let bars: Vec<Bar> = (main.ranking.iter())
            .map(|r| Bar { label: r.org.to_string(), value: r.value, highlight: r.rank == 1 })
            .collect();
        let title = text.text(
            "chart.ranking_title",
            &[
                ("date", &text.date(&m.date)),
                ("meeting", &m.title),
                ("label", label),
                ("measure", &text.measure(METRIC_MEASURE)),
                ("period", &main.period_label),
            ],
        );
        chart::bars(&format!("bars-{}", m.slug), &title, "%", &bars, text)
    });
    MetricMeeting {
        date: m.date.clone(),
        meeting_path: m.path.clone(),
        meeting_title: m.title.clone(),
        chart,
        reports: reports.len(),
        period_key: main.period_key,
        period_label: main.period_label,
        ranking: main.ranking,
        median: main.median,
        others,
    }
}

/// Reports ranked within each period (see [`group_by_period`]): the main period's ranking and
/// the others'.
fn period_rankings(
    reports: Vec<Report<'_>>,
    text: &Strings,
) -> (PeriodRanking, Vec<PeriodRanking>) {
    let mut groups =
        group_by_period(reports, |(_, v)| v.period_key).into_iter().map(|(pk, group)| {
            let ranking = rank(&group);
            let mut values: Vec<f64> = ranking.iter().map(|r| r.value).collect();
            values.sort_by(f64::total_cmp);
            PeriodRanking {
                period_label: period_label(pk, text),
                period_key: pk,
                median: median(&values),
                ranking,
            }
        });
    let main = groups.next().expect("a key has reports");
    (main, groups.collect())
}

/// An indicator's page out of its meetings' sections and reports, newest meeting first.
fn metric_view(
    key: &str,
    list: Vec<(MetricMeeting, Vec<Report<'_>>)>,
    indicators: &Indicators,
    text: &Strings,
) -> MetricView {
    let label = indicators.label(key).to_string();
    let table = meeting_table(&list);
    let meetings: Vec<MetricMeeting> = list.into_iter().map(|(m, _)| m).collect();
    MetricView {
        key: key.to_string(),
        path: format!("metrics/{}/", key.replace('_', "-")),
        reports: meetings.iter().map(|m| m.reports).sum(),
        measure: METRIC_MEASURE,
        trends: trends(key, &label, &meetings, text),
        label,
        meetings,
        table,
    }
}

/// One median series per period key reported at two meetings or more, the longest first.
fn trends(key: &str, label: &str, meetings: &[MetricMeeting], text: &Strings) -> Vec<ChartView> {
    let mut series: Vec<(&str, Vec<Point>)> = Vec::new();
    for m in meetings.iter().rev() {
        let groups = std::iter::once((m.period_key, m.median))
            .chain(m.others.iter().map(|o| (o.period_key, o.median)));
        for (pk, median) in groups {
            let Some(pk) = pk else { continue };
            let point = Point {
                label: m.date.to_string(),
                value: median,
                note: None,
                group: Some(pk.into()),
            };
            match series.iter_mut().find(|(k, _)| *k == pk) {
                Some((_, points)) => points.push(point),
                None => series.push((pk, vec![point])),
            }
        }
    }
    series.retain(|(_, points)| points.len() > 1);
    series.sort_by(|a, b| {
        b.1.len().cmp(&a.1.len()).then(period_order(Some(a.0)).cmp(&period_order(Some(b.0))))
    });
    series
        .into_iter()
        .enumerate()
        .map(|(n, (pk, points))| {
            let period_label = period_label(Some(pk), text);
            let title = text.text(
                "chart.trend_title",
                &[
                    ("label", label),
                    ("period", &period_label),
                    ("measure", &text.measure(METRIC_MEASURE)),
                ],
            );
            ChartView {
                key: key.to_string(),
                label: label.to_string(),
                measure: METRIC_MEASURE,
                period_key: Some(pk),
                svg: chart::line(&format!("trend-{}", n + 1), &title, "%", &points, text),
                points: points.len(),
                period_label,
            }
        })
        .collect()
}

/// The organisation × meeting table of the newest [`TABLE_MEETINGS`] meetings.
fn meeting_table(list: &[(MetricMeeting, Vec<Report<'_>>)]) -> MeetingTable {
    let shown = &list[..list.len().min(TABLE_MEETINGS)];
    let mut rows: BTreeMap<(Text, Option<Text>), Vec<Option<TableCell>>> = BTreeMap::new();
    for (col, (_, reports)) in shown.iter().enumerate() {
        for (s, v) in reports {
            let Some(org) = &s.org else { continue };
            let cells = rows
                .entry((org.name.clone(), Some(org.path.clone())))
                .or_insert_with(|| vec![None; shown.len()]);
            // An organisation that spoke twice keeps its first report.
            cells[col].get_or_insert_with(|| TableCell {
                value: v.value,
                period: v.period.clone(),
                period_key: v.period_key,
                speech_path: s.path.clone(),
            });
        }
    }
    MeetingTable {
        columns: shown
            .iter()
            .map(|(m, _)| TableColumn {
                date: m.date.clone(),
                meeting_path: m.meeting_path.clone(),
                meeting_title: m.meeting_title.clone(),
            })
            .collect(),
        rows: rows
            .into_iter()
            .map(|((org, org_path), cells)| TableRow { org, org_path, cells })
            .collect(),
        meetings: list.len(),
    }
}

/// Highest value first; ties share a rank (1, 2, 2, 4) and are ordered by speaking order.
fn rank(reports: &[Report<'_>]) -> Vec<RankRow> {
    let mut sorted: Vec<Report<'_>> = reports.to_vec();
    sorted.sort_by(|a, b| b.1.value.total_cmp(&a.1.value).then(a.0.order.cmp(&b.0.order)));
    let mut out: Vec<RankRow> = Vec::with_capacity(sorted.len());
    for (i, (s, v)) in sorted.iter().enumerate() {
        let value = v.value;
        let rank = match out.last() {
            Some(prev) if prev.value == value => prev.rank,
            _ => i + 1,
        };
        out.push(RankRow {
            rank,
            org: s.org.as_ref().map(|o| o.name.clone()).unwrap_or_else(|| s.title.clone()),
            org_path: s.org.as_ref().map(|o| o.path.clone()),
            speech_path: s.path.clone(),
            speaker: s.speaker.clone(),
            period: v.period.clone(),
            period_key: v.period_key,
            value,
        });
    }
    out
}

fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric(gdp: f64, period: Option<&str>) -> MetricValue {
        MetricValue {
            key: "gdp".into(),
            label: "GDP".into(),
            value: gdp,
            measure: METRIC_MEASURE,
            period: period.map(Text::from),
            period_key: period.and_then(period::parse).map(|p| p.key()),
            period_year: None,
        }
    }

    fn summary(order: u32, org: &str, gdp: f64) -> SpeechSummary {
        SpeechSummary {
            path: format!("m/{org}/").into(),
            order,
            title: org.into(),
            speaker: None,
            speaker_path: None,
            position: None,
            org: None,
            period: None,
            period_key: None,
            period_year: None,
            metric_list: vec![metric(gdp, None)],
            meeting_path: "m/".into(),
            meeting_title: "m".into(),
            date: "2024-10-21".into(),
        }
    }

    #[test]
    fn ranking_is_descending_with_shared_ranks() {
        let list = [summary(1, "a", 6.6), summary(2, "b", 7.6), summary(3, "c", 6.6)];
        let d = summary(4, "d", -1.0);
        let reports: Vec<Report<'_>> =
            list.iter().chain([&d]).map(|s| (s, &s.metric_list[0])).collect();
        let rows = rank(&reports);
        let got: Vec<(usize, &str, f64)> =
            rows.iter().map(|r| (r.rank, r.org.as_str(), r.value)).collect();
        assert_eq!(got, [(1, "b", 7.6), (2, "a", 6.6), (2, "c", 6.6), (4, "d", -1.0)]);
    }

    #[test]
    fn groups_put_the_most_reported_known_period_first() {
        type Keys<'a> = &'a [Option<&'a str>];
        let cases: &[(Keys<'_>, Keys<'_>)] = &[
            (&[Some("前三季度"), Some("全年"), Some("1—9月")], &[Some("1-9"), Some("1-12")]),
            (&[None, None, Some("上半年")], &[Some("1-6"), None]),
            (&[None, None], &[None]),
            (&[None, Some("上半年")], &[Some("1-6"), None]),
            (&[Some("前三季度"), Some("全年")], &[Some("1-12"), Some("1-9")]),
            (&[Some("第三季度"), Some("前三季度")], &[Some("1-9"), Some("7-9")]),
        ];
        for (printed, want) in cases {
            let items: Vec<MetricValue> = printed.iter().map(|p| metric(1.0, *p)).collect();
            let got: Vec<Option<&str>> =
                group_by_period(items, |m| m.period_key).into_iter().map(|(k, _)| k).collect();
            assert_eq!(got, *want, "{printed:?}");
        }
    }

    #[test]
    fn differences_are_in_rounded_points() {
        assert_eq!(points_diff(7.1, 6.6), 0.5);
        assert_eq!(points_diff(-1.2, 3.4), -4.6);
        assert_eq!(points_diff(6.6, 6.6), 0.0);
    }

    #[test]
    fn medians() {
        assert_eq!(median(&[1.0, 2.0, 9.0]), 2.0);
        assert_eq!(median(&[1.0, 2.0, 3.0, 9.0]), 2.5);
    }
}
