//! The graphics of the analysis pages that carry links: an indicator's choropleth map and its
//! small multiples (one sparkline per organisation). They are drawn per page, because a link's
//! form depends on the page it is on (`relative_urls`), from the indicator's rankings.

use serde::Serialize;

use super::analysis::MetricView;
use super::model::SiteModel;
use crate::render::chart::{self, Point, SparkScale};
use crate::render::i18n::Strings;
use crate::render::map::{self, Area};
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
    let areas: Vec<Area> = latest
        .ranking
        .iter()
        .map(|r| Area {
            name: r.org.clone(),
            code: None,
            href: r.org_path.as_deref().map(|p| urls.href(p, current)),
            value: Some(r.value),
            note: r.period.clone(),
        })
        .collect();
    let title = text.text(
        "chart.map_title",
        &[
            ("date", &text.date(&latest.date)),
            ("meeting", &latest.meeting_title),
            ("label", &metric.label),
        ],
    );
    let svg = map::choropleth(&format!("map-{}", metric.key), &title, "%", region, &areas, text)?;
    Some(MapView {
        svg,
        date: latest.date.clone(),
        meeting_path: latest.meeting_path.clone(),
        title,
    })
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
                label: m.date.clone(),
                value: r.value,
                note: r.period.clone(),
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
