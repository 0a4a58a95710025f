//! The archive's shared view types: what pages, feeds and analyses show of a meeting, a speech,
//! an organisation and an indicator. A leaf of `site`: it imports nothing of the site, so the
//! model (which builds these) and the analyses (which read them) never import each other.

use serde::Serialize;

use crate::metrics::Indicators;
use crate::orgs::OrgKind;
/// Text many views repeat (a meeting's title in each of its speeches' summaries and ranking
/// rows, an organisation's name, an indicator's label): one reference-counted copy, cloned
/// without allocating, serialised as a string. At 30,000 speeches the copies were a fifth of
/// the build's peak memory.
pub(crate) use arcstr::ArcStr as Text;

/// A meeting, with its speeches' summaries.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct MeetingView {
    pub(crate) slug: String,
    /// Site path, `meetings/2024-10-21/`.
    pub(crate) path: Text,
    pub(crate) title: Text,
    pub(crate) subtitle: Option<String>,
    pub(crate) date: Text,
    pub(crate) summary: Option<String>,
    pub(crate) publication: Option<String>,
    pub(crate) source_url: Option<String>,
    pub(crate) participants: Vec<String>,
    pub(crate) body_html: String,
    pub(crate) speeches: Vec<SpeechSummary>,
    /// The indicators any of its speeches reports, in dictionary order.
    pub(crate) metric_keys: Vec<KeyLabel>,
    pub(crate) extra: serde_json::Value,
}

/// What lists show of a speech: the one copy of it, in its meeting's [`MeetingView`]; pages,
/// feeds and analyses refer to it by (meeting, speech) indices.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SpeechSummary {
    pub(crate) path: Text,
    pub(crate) order: u32,
    pub(crate) title: Text,
    pub(crate) speaker: Option<Text>,
    pub(crate) speaker_path: Option<Text>,
    pub(crate) position: Option<Text>,
    pub(crate) org: Option<OrgLink>,
    /// The period as printed (前三季度), its canonical key (`1-9`, see [`period`]) and year.
    pub(crate) period: Option<Text>,
    pub(crate) period_key: Option<&'static str>,
    pub(crate) period_year: Option<i32>,
    /// In dictionary order. Templates also see them as `metrics`, indicator key → value.
    pub(crate) metric_list: Vec<MetricValue>,
    pub(crate) meeting_path: Text,
    pub(crate) meeting_title: Text,
    pub(crate) date: Text,
}

impl SpeechSummary {
    /// The value reported for indicator `key`, if any.
    pub(crate) fn metric(&self, key: &str) -> Option<f64> {
        self.metric_list.iter().find(|m| m.key == key).map(|m| m.value)
    }
}

impl Serialize for SpeechSummary {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut s = serializer.serialize_struct("SpeechSummary", 16)?;
        s.serialize_field("path", &self.path)?;
        s.serialize_field("order", &self.order)?;
        s.serialize_field("title", &self.title)?;
        s.serialize_field("speaker", &self.speaker)?;
        s.serialize_field("speaker_path", &self.speaker_path)?;
        s.serialize_field("position", &self.position)?;
        s.serialize_field("org", &self.org)?;
        s.serialize_field("period", &self.period)?;
        s.serialize_field("period_key", &self.period_key)?;
        s.serialize_field("period_year", &self.period_year)?;
        s.serialize_field("metrics", &MetricMap(&self.metric_list))?;
        s.serialize_field("metric_list", &self.metric_list)?;
        s.serialize_field("meeting_path", &self.meeting_path)?;
        s.serialize_field("meeting_title", &self.meeting_title)?;
        s.serialize_field("date", &self.date)?;
        s.end()
    }
}

/// Metrics serialised as a map, indicator key → value, keys in text order (as a `BTreeMap`
/// would have them): a borrowed view of the list, not a second copy.
pub(crate) struct MetricMap<'a>(pub &'a [MetricValue]);

impl Serialize for MetricMap<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut sorted: Vec<&MetricValue> = self.0.iter().collect();
        sorted.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        serializer.collect_map(sorted.into_iter().map(|m| (&m.key, m.value)))
    }
}

/// A speech page's own data, beside its summary (which its meeting's view holds).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SpeechView {
    /// Characters of text; the body itself is rendered when its page is (see pages.rs), so
    /// the model never holds every speech's HTML at once.
    pub(crate) chars: usize,
    pub(crate) minutes: usize,
    pub(crate) extra: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct OrgLink {
    pub(crate) name: Text,
    pub(crate) slug: Text,
    pub(crate) kind: OrgKind,
    pub(crate) path: Text,
    pub(crate) known: bool,
    /// The unit it belongs to (海淀区 → 北京市), when known.
    pub(crate) parent: Option<Text>,
}

/// An indicator with what its numbers measure.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct KeyLabel {
    pub(crate) key: String,
    pub(crate) label: String,
    pub(crate) measure: &'static str,
}

impl KeyLabel {
    pub(crate) fn new(key: &str, indicators: &Indicators) -> KeyLabel {
        KeyLabel {
            key: key.to_string(),
            label: indicators.label(key).to_string(),
            measure: METRIC_MEASURE,
        }
    }
}

/// What every canonical metric is: year-on-year growth in percent.
pub(crate) const METRIC_MEASURE: &str = "同比增速（%）";

/// What a figure measures, from its unit and the basis its text prints.
pub(crate) fn figure_measure(unit: &str, text: &str) -> &'static str {
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
pub(crate) struct MetricValue {
    pub(crate) key: Text,
    pub(crate) label: Text,
    pub(crate) value: f64,
    pub(crate) measure: &'static str,
    pub(crate) period: Option<Text>,
    pub(crate) period_key: Option<&'static str>,
    pub(crate) period_year: Option<i32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(key: &str, value: f64) -> MetricValue {
        MetricValue {
            key: key.into(),
            label: key.into(),
            value,
            measure: METRIC_MEASURE,
            period: None,
            period_key: None,
            period_year: None,
        }
    }

    #[test]
    fn a_summary_shows_its_metrics_as_a_map_and_a_list() {
        // The list in dictionary order (gdp first), the map in key order.
        let summary = SpeechSummary {
            path: "meetings/m/s/".into(),
            order: 1,
            title: "t".into(),
            speaker: None,
            speaker_path: None,
            position: None,
            org: None,
            period: None,
            period_key: None,
            period_year: None,
            metric_list: vec![value("gdp", 6.6), value("retail_sales", -1.5), value("fai", 2.0)],
            meeting_path: "meetings/m/".into(),
            meeting_title: "m".into(),
            date: "2024-10-21".into(),
        };
        let json = serde_json::to_string(&summary).unwrap();
        assert!(json.contains(r#""metrics":{"fai":2.0,"gdp":6.6,"retail_sales":-1.5}"#), "{json}");
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let keys: Vec<&str> = v["metric_list"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["key"].as_str().unwrap())
            .collect();
        assert_eq!(keys, ["gdp", "retail_sales", "fai"]);
        assert_eq!(summary.metric("retail_sales"), Some(-1.5));
        assert_eq!(summary.metric("cpi"), None);
        // Every field a template reads, once.
        let fields: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(fields.len(), 15);
    }
}
