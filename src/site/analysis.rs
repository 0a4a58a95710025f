//! The analysis pages' data: each organisation's metrics over time, each person's speeches
//! across posts, and each indicator ranked per meeting. Computed once from the speech
//! summaries; charts are rendered here so templates only place them.

use std::collections::BTreeMap;

use serde::Serialize;

use super::model::{KeyLabel, OrgLink, OrgView, SpeechSummary};
use super::people::Person;
use crate::metrics::Indicators;
use crate::render::chart::{self, Bar, Point};

/// One row of an organisation's metrics table: one speech that reported figures.
#[derive(Debug, Clone, Serialize)]
pub struct OrgMetricRow {
    pub date: String,
    pub meeting_path: String,
    pub speech_path: String,
    pub period: Option<String>,
    /// One cell per column of `metric_columns`.
    pub values: Vec<Option<f64>>,
}

/// An inline SVG chart with its caption.
#[derive(Debug, Clone, Serialize)]
pub struct ChartView {
    pub key: String,
    pub label: String,
    pub svg: String,
    pub points: usize,
}

/// Metrics an organisation reported over time.
#[derive(Debug, Clone, Serialize, Default)]
pub struct OrgMetrics {
    pub columns: Vec<KeyLabel>,
    /// Newest first.
    pub rows: Vec<OrgMetricRow>,
    /// One per indicator, oldest point first.
    pub charts: Vec<ChartView>,
}

/// Builds the organisation pages' metrics from its speeches (newest first).
pub fn org_metrics(
    org: &OrgView,
    all: &[Vec<super::model::SpeechView>],
    indicators: &Indicators,
) -> OrgMetrics {
    let list: Vec<&SpeechSummary> = org.speeches.iter().map(|&(i, j)| &all[i][j].summary).collect();
    let mut keys: Vec<&str> =
        list.iter().flat_map(|s| s.metrics.keys().map(String::as_str)).collect();
    keys.sort_by_key(|k| (indicators.rank(k), *k));
    keys.dedup();
    let rows: Vec<OrgMetricRow> = list
        .iter()
        .filter(|s| !s.metrics.is_empty())
        .map(|s| OrgMetricRow {
            date: s.date.clone(),
            meeting_path: s.meeting_path.clone(),
            speech_path: s.path.clone(),
            period: s.period.clone(),
            values: keys.iter().map(|k| s.metrics.get(*k).copied()).collect(),
        })
        .collect();
    let charts = keys
        .iter()
        .map(|key| {
            let points: Vec<Point> = list
                .iter()
                .rev()
                .filter_map(|s| {
                    s.metrics.get(*key).map(|v| Point {
                        label: s.date.clone(),
                        value: *v,
                        note: s.period.clone(),
                        group: None,
                    })
                })
                .collect();
            let label = indicators.label(key).to_string();
            let title = format!("{}：{}同比增速（%）", org.link.name, label);
            ChartView {
                key: key.to_string(),
                svg: chart::line(&format!("chart-{key}"), &title, "%", &points),
                label,
                points: points.len(),
            }
        })
        .collect();
    OrgMetrics {
        columns: keys
            .iter()
            .map(|k| KeyLabel { key: k.to_string(), label: indicators.label(k).to_string() })
            .collect(),
        rows,
        charts,
    }
}

/// A post a person held: position and organisation, with the dates they spoke in it.
#[derive(Debug, Clone, Serialize)]
pub struct Post {
    pub position: Option<String>,
    pub org: Option<OrgLink>,
    pub first: String,
    pub last: String,
    pub count: usize,
}

/// One person's page.
#[derive(Debug, Clone, Serialize)]
pub struct PersonView {
    pub slug: String,
    pub name: String,
    pub path: String,
    /// (meeting, speech) indices into the model, newest first; pages list them from the
    /// shared summaries rather than each view holding copies.
    #[serde(skip)]
    pub speeches: Vec<(usize, usize)>,
    pub count: usize,
    pub latest: String,
    /// Oldest first.
    pub posts: Vec<Post>,
    pub split: bool,
}

pub fn person_view(person: &Person, speeches: &[Vec<super::model::SpeechView>]) -> PersonView {
    let list: Vec<&SpeechSummary> =
        person.speeches.iter().map(|&(i, j)| &speeches[i][j].summary).collect();
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
pub struct RankRow {
    pub rank: usize,
    pub org: String,
    pub org_path: Option<String>,
    pub speech_path: String,
    pub speaker: Option<String>,
    pub period: Option<String>,
    pub value: f64,
}

/// An indicator at one meeting: every organisation that reported it, highest first.
#[derive(Debug, Clone, Serialize)]
pub struct MetricMeeting {
    pub date: String,
    pub meeting_path: String,
    pub meeting_title: String,
    pub ranking: Vec<RankRow>,
    /// Only for the newest [`RECENT_CHARTS`] meetings: a page of a thousand charts helps nobody.
    pub chart: Option<String>,
    pub median: f64,
}

/// One indicator across the archive.
#[derive(Debug, Clone, Serialize)]
pub struct MetricView {
    pub key: String,
    pub label: String,
    pub path: String,
    pub reports: usize,
    /// Newest first.
    pub meetings: Vec<MetricMeeting>,
    /// The median per meeting over time, oldest first.
    pub trend: Option<ChartView>,
}

/// How many of an indicator's newest meetings get a bar chart on its page.
pub const RECENT_CHARTS: usize = 12;

/// Every indicator that any speech reports, in dictionary order.
pub fn metric_views(
    meetings: &[super::model::MeetingView],
    indicators: &Indicators,
) -> Vec<MetricView> {
    let mut by_key: BTreeMap<&str, Vec<MetricMeeting>> = BTreeMap::new();
    for m in meetings {
        let mut per_key: BTreeMap<&str, Vec<&SpeechSummary>> = BTreeMap::new();
        for s in &m.speeches {
            for key in s.metrics.keys() {
                per_key.entry(key).or_default().push(s);
            }
        }
        for (key, speeches) in per_key {
            let ranking = rank(key, &speeches);
            let bars: Vec<Bar> = ranking
                .iter()
                .map(|r| Bar { label: r.org.clone(), value: r.value, highlight: r.rank == 1 })
                .collect();
            let title =
                format!("{} {}：各单位{}同比增速（%）排名", m.date, m.title, indicators.label(key));
            let mut values: Vec<f64> = ranking.iter().map(|r| r.value).collect();
            values.sort_by(f64::total_cmp);
            let recent = by_key.get(key).map_or(0, Vec::len) < RECENT_CHARTS;
            by_key.entry(key).or_default().push(MetricMeeting {
                date: m.date.clone(),
                meeting_path: m.path.clone(),
                meeting_title: m.title.clone(),
                // Bar charts for the most recent meetings; older ones keep their ranking table.
                chart: recent.then(|| chart::bars(&format!("bars-{}", m.slug), &title, "%", &bars)),
                median: median(&values),
                ranking,
            });
        }
    }
    let mut views: Vec<MetricView> = by_key
        .into_iter()
        .map(|(key, meetings)| {
            let label = indicators.label(key).to_string();
            let points: Vec<Point> = meetings
                .iter()
                .rev()
                .map(|m| Point { label: m.date.clone(), value: m.median, note: None, group: None })
                .collect();
            let trend = (points.len() > 1).then(|| ChartView {
                key: key.to_string(),
                label: label.clone(),
                svg: chart::line("trend", &format!("{label}：各次会议的中位数（%）"), "%", &points),
                points: points.len(),
            });
            MetricView {
                key: key.to_string(),
                path: format!("metrics/{}/", key.replace('_', "-")),
                reports: meetings.iter().map(|m| m.ranking.len()).sum(),
                label,
                meetings,
                trend,
            }
        })
        .collect();
    views.sort_by_key(|v| (indicators.rank(&v.key), v.key.clone()));
    views
}

/// Highest value first; ties share a rank (1, 2, 2, 4) and are ordered by speaking order.
fn rank(key: &str, speeches: &[&SpeechSummary]) -> Vec<RankRow> {
    let mut sorted: Vec<&SpeechSummary> = speeches.to_vec();
    sorted.sort_by(|a, b| b.metrics[key].total_cmp(&a.metrics[key]).then(a.order.cmp(&b.order)));
    let mut out: Vec<RankRow> = Vec::with_capacity(sorted.len());
    for (i, s) in sorted.iter().enumerate() {
        let value = s.metrics[key];
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
            period: s.period.clone(),
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

    fn summary(order: u32, org: &str, gdp: f64) -> SpeechSummary {
        SpeechSummary {
            path: format!("m/{org}/"),
            order,
            title: "t".into(),
            speaker: None,
            speaker_path: None,
            position: None,
            org: None,
            period: None,
            metrics: [("gdp".to_string(), gdp)].into_iter().collect(),
            metric_list: vec![],
            meeting_path: "m/".into(),
            meeting_title: "m".into(),
            date: "2024-10-21".into(),
        }
        .with_title(org)
    }

    impl SpeechSummary {
        fn with_title(mut self, t: &str) -> Self {
            self.title = t.into();
            self
        }
    }

    #[test]
    fn ranking_is_descending_with_shared_ranks() {
        let a = summary(1, "a", 6.6);
        let b = summary(2, "b", 7.6);
        let c = summary(3, "c", 6.6);
        let d = summary(4, "d", -1.0);
        let rows = rank("gdp", &[&a, &b, &c, &d]);
        let got: Vec<(usize, &str, f64)> =
            rows.iter().map(|r| (r.rank, r.org.as_str(), r.value)).collect();
        assert_eq!(got, [(1, "b", 7.6), (2, "a", 6.6), (2, "c", 6.6), (4, "d", -1.0)]);
    }

    #[test]
    fn medians() {
        assert_eq!(median(&[1.0, 2.0, 9.0]), 2.0);
        assert_eq!(median(&[1.0, 2.0, 3.0, 9.0]), 2.5);
    }
}
