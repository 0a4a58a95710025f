//! The archive's shared view types: what pages, feeds and analyses show of a meeting, a speech,
//! an organisation and an indicator. A leaf of `site`: it imports nothing of the site, so the
//! model (which builds these) and the analyses (which read them) never import each other.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::metrics::Indicators;
use crate::orgs::OrgKind;

/// A meeting, with its speeches' summaries.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MeetingView {
    pub slug: String,
    /// Site path, `meetings/2024-10-21/`.
    pub path: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub date: String,
    pub summary: Option<String>,
    pub publication: Option<String>,
    pub source_url: Option<String>,
    pub participants: Vec<String>,
    pub body_html: String,
    pub speeches: Vec<SpeechSummary>,
    /// The indicators any of its speeches reports, in dictionary order.
    pub metric_keys: Vec<KeyLabel>,
    pub extra: serde_json::Value,
}

/// What lists show of a speech.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SpeechSummary {
    pub path: String,
    pub order: u32,
    pub title: String,
    pub speaker: Option<String>,
    pub speaker_path: Option<String>,
    pub position: Option<String>,
    pub org: Option<OrgLink>,
    /// The period as printed (前三季度), its canonical key (`1-9`, see [`period`]) and year.
    pub period: Option<String>,
    pub period_key: Option<&'static str>,
    pub period_year: Option<i32>,
    /// Indicator key → value, in dictionary order.
    pub metrics: BTreeMap<String, f64>,
    pub metric_list: Vec<MetricValue>,
    pub meeting_path: String,
    pub meeting_title: String,
    pub date: String,
}

/// A speech page's own data.
#[derive(Debug, Clone, Serialize)]
pub struct SpeechView {
    #[serde(flatten)]
    pub summary: SpeechSummary,
    /// Characters of text; the body itself is rendered when its page is (see pages.rs), so
    /// the model never holds every speech's HTML at once.
    pub chars: usize,
    pub minutes: usize,
    pub extra: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct OrgLink {
    pub name: String,
    pub slug: String,
    pub kind: OrgKind,
    pub path: String,
    pub known: bool,
    /// The unit it belongs to (海淀区 → 北京市), when known.
    pub parent: Option<String>,
}

/// An indicator with what its numbers measure.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct KeyLabel {
    pub key: String,
    pub label: String,
    pub measure: &'static str,
}

impl KeyLabel {
    pub fn new(key: &str, indicators: &Indicators) -> KeyLabel {
        KeyLabel {
            key: key.to_string(),
            label: indicators.label(key).to_string(),
            measure: METRIC_MEASURE,
        }
    }
}

/// What every canonical metric is: year-on-year growth in percent.
pub const METRIC_MEASURE: &str = "同比增速（%）";

/// What a figure measures, from its unit and the basis its text prints.
pub fn figure_measure(unit: &str, text: &str) -> &'static str {
    match unit {
        "个百分点" => "变化（个百分点）",
        "倍" => "增长倍数（倍）",
        _ if text.contains("两年平均") || text.contains("年均") => "年均增速（%）",
        _ => METRIC_MEASURE,
    }
}

/// One metric of a speech, with the period it covers: the period printed beside its figure
/// when there is one ("1—8月…，前三季度…"), else the speech's.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MetricValue {
    pub key: String,
    pub label: String,
    pub value: f64,
    pub measure: &'static str,
    pub period: Option<String>,
    pub period_key: Option<&'static str>,
    pub period_year: Option<i32>,
}
