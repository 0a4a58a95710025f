//! The graphics of the analysis pages that carry links: an indicator's choropleth map, its
//! history as small maps and its small multiples (one sparkline per organisation). They are drawn per page, because a link's
//! form depends on the page it is on (`relative_urls`), from the indicator's rankings.

use serde::Serialize;

use super::analysis::{MetricMeeting, MetricView};
use super::model::SiteModel;
use crate::render::chart::{self, Point, SparkScale};
use crate::render::i18n::Strings;
use crate::render::map::{self, Area, SmallMap};
use crate::render::templates::UrlScheme;

/// The region the site's maps show: site.toml's `region` when it names one with outlines, else
/// the region most of the archive's organisations belong to.
pub(crate) fn region(configured: Option<&str>, model: &SiteModel) -> Option<&'static str> {
    match configured {
        Some(name) => map::region_code(name),
        None => map::infer_region(model.orgs.values().map(|o| o.link.name.as_str())),
    }
}

/// The map of an indicator at its newest meeting, for the page at `current`.
pub(crate) fn metric_map(
    metric: &MetricView,
    region: Option<&str>,
    urls: &UrlScheme,
    current: &str,
    text: &Strings,
) -> Option<MapView> {
    let region = region?;
    let latest = metric.meetings.first()?;
    let areas = areas_of(latest, urls, current);
    let title = map_title(metric, latest, text);
    let svg = map::choropleth(&format!("map-{}", metric.key), &title, "%", region, &areas, text)?;
    Some(MapView {
        svg,
        date: latest.date.to_string(),
        meeting_path: latest.meeting_path.to_string(),
        title,
    })
}

/// What a meeting's map shows: every organisation of its main period's ranking, linked from
/// the page at `current`.
fn areas_of(meeting: &MetricMeeting, urls: &UrlScheme, current: &str) -> Vec<Area> {
    meeting
        .ranking
        .iter()
        .map(|r| Area {
            name: r.org.to_string(),
            code: None,
            href: r.org_path.as_deref().map(|p| urls.href(p, current)),
            value: Some(r.value),
            note: r.period.as_deref().map(str::to_string),
        })
        .collect()
}

fn map_title(metric: &MetricView, meeting: &MetricMeeting, text: &Strings) -> String {
    text.text(
        "chart.map_title",
        &[
            ("date", &text.date(&meeting.date)),
            ("meeting", &meeting.meeting_title),
            ("label", &metric.label),
        ],
    )
}

/// How many of an indicator's newest meetings get a small map in its history: enough to see
/// the change, few enough that the page of a long archive stays small (a map costs ~5 KB).
pub(crate) const HISTORY_MAPS: usize = 12;

/// The small maps of an indicator's history, for the page at `current`: one per meeting, the
/// newest [`HISTORY_MAPS`] meetings, on one colour scale. None with fewer than two meetings
/// (the big map shows the one) or no map of the region.
pub(crate) fn history_maps(
    metric: &MetricView,
    region: Option<&str>,
    urls: &UrlScheme,
    current: &str,
    text: &Strings,
) -> Option<HistoryMaps> {
    let region = region?;
    if metric.meetings.len() < 2 {
        return None;
    }
    let shown = &metric.meetings[..metric.meetings.len().min(HISTORY_MAPS)];
    let areas: Vec<Vec<Area>> = shown.iter().map(|m| areas_of(m, urls, current)).collect();
    let series: Vec<SmallMap<'_>> = shown
        .iter()
        .zip(&areas)
        .map(|(m, areas)| SmallMap { title: map_title(metric, m, text), areas })
        .collect();
    let maps = map::small_maps(&format!("hist-{}", metric.key), "%", region, &series, text)?;
    Some(HistoryMaps {
        maps: shown
            .iter()
            .zip(maps.maps)
            .enumerate()
            .map(|(i, (m, svg))| HistoryMap {
                svg,
                date: m.date.to_string(),
                period_label: m.period_label.clone(),
                // The id of the meeting's ranking section on the page (metric.html).
                anchor: format!("m-{}-{}", m.date, i + 1),
            })
            .collect(),
        defs: maps.defs,
        legend: maps.legend,
        shown: shown.len(),
        total: metric.meetings.len(),
    })
}

/// An indicator's history as small maps.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct HistoryMaps {
    /// The outlines the maps use, written once.
    pub(crate) defs: String,
    pub(crate) legend: String,
    /// Newest first.
    pub(crate) maps: Vec<HistoryMap>,
    pub(crate) shown: usize,
    /// The indicator's meetings, shown or not.
    pub(crate) total: usize,
}

/// One meeting's small map.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct HistoryMap {
    pub(crate) svg: String,
    pub(crate) date: String,
    pub(crate) period_label: String,
    pub(crate) anchor: String,
}

/// A map and what it shows.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MapView {
    pub(crate) svg: String,
    pub(crate) title: String,
    pub(crate) date: String,
    pub(crate) meeting_path: String,
}

/// One organisation's small multiple.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Multiple {
    pub(crate) org: String,
    pub(crate) org_path: Option<String>,
    pub(crate) latest: f64,
    pub(crate) latest_period: Option<String>,
    pub(crate) points: usize,
    pub(crate) svg: String,
}

/// One sparkline per organisation that reported the indicator at least twice, all on one scale,
/// sorted by the newest value (highest first).
pub(crate) fn multiples(metric: &MetricView, text: &Strings) -> Vec<Multiple> {
    // Organisation → its page and points, oldest first (the meetings are newest first).
    let mut by_org: indexmap::IndexMap<&str, (Option<&str>, Vec<Point>)> = Default::default();
    for m in metric.meetings.iter().rev() {
        for r in &m.ranking {
            let point = Point {
                label: m.date.to_string(),
                value: r.value,
                note: r.period.as_deref().map(str::to_string),
                group: None,
            };
            by_org
                .entry(&r.org)
                .or_insert_with(|| (r.org_path.as_deref(), Vec::new()))
                .1
                .push(point);
        }
    }
    let series: Vec<(&str, Option<&str>, Vec<Point>)> = by_org
        .into_iter()
        .filter(|(_, (_, points))| points.len() >= 2)
        .map(|(org, (path, points))| (org, path, points))
        .collect();
    let scale = SparkScale::of(series.iter().map(|(.., p)| p.as_slice()));
    let mut out: Vec<Multiple> = series
        .iter()
        .enumerate()
        .map(|(i, (org, path, points))| {
            let last = points.last().expect("two or more");
            Multiple {
                org: org.to_string(),
                org_path: path.map(str::to_string),
                latest: last.value,
                latest_period: last.note.clone(),
                points: points.len(),
                svg: chart::sparkline(
                    &format!("spark-{}-{i}", metric.key),
                    &text.text("chart.spark_title", &[("org", org), ("label", &metric.label)]),
                    "%",
                    points,
                    &scale,
                    text,
                ),
            }
        })
        .collect();
    out.sort_by(|a, b| b.latest.total_cmp(&a.latest).then_with(|| a.org.cmp(&b.org)));
    out
}
