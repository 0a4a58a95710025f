//! The one place that reads and writes YAML front matter. Ingest writes through here and the
//! loader reads through here, so what ingest writes is exactly what the site reads. Errors carry
//! file lines (serde_yaml counts from the start of the YAML slice; we add the offset).

use chrono::NaiveDate;
use indexmap::IndexMap;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::orgs::OrgKind;

/// Front matter of a meeting's `_index.md`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MeetingFrontMatter {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    #[serde(default, with = "date_opt", skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub participants: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub draft: bool,
    /// Keys this model does not know, kept and handed to templates.
    #[serde(skip)]
    pub extra: IndexMap<String, serde_json::Value>,
}

/// Where a meeting's text was published.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    #[serde(default)]
    pub publication: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
}

/// Front matter of one speech file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SpeechFrontMatter {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_kind: Option<OrgKind>,
    /// Overrides the organisation's slug (and so the speech's URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// Canonical indicator key → y/y growth in percent, in the order written.
    #[serde(default)]
    pub metrics: IndexMap<String, f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<Figure>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub draft: bool,
    #[serde(skip)]
    pub extra: IndexMap<String, serde_json::Value>,
}

/// One growth figure found in a speech. Optional fields are written only when the text prints
/// them, so older files load and stay as they were.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    pub subject: String,
    pub value: f64,
    /// `%`, `倍` or `个百分点`.
    pub unit: String,
    /// growth (the default, not written), target, points or multiple.
    #[serde(default, skip_serializing_if = "FigureKind::is_growth")]
    pub kind: FigureKind,
    /// As printed around the value: 以上, 左右, 约, 超过, 近 …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualifier: Option<String>,
    /// The basis of comparison as printed: 同比, 比上年, 两年平均, 年均 …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    /// The absolute value printed with the subject (`实现1245.4亿元`): `1245.4亿元`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
    /// The period the figure prints for itself (`1-7月`, `二季度`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// The sentence fragment it was read from.
    pub text: String,
}

/// What a figure's number is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FigureKind {
    /// An outcome: growth in percent.
    #[default]
    Growth,
    /// A target or plan (预期目标, 力争, 计划): never a metric.
    Target,
    /// A change of a rate in percentage points.
    Points,
    /// Growth as a multiple (增长1.2倍).
    Multiple,
}

impl FigureKind {
    pub fn is_growth(&self) -> bool {
        *self == FigureKind::Growth
    }
}

const MEETING_KEYS: &[&str] =
    &["title", "subtitle", "date", "source", "participants", "summary", "draft"];
const SPEECH_KEYS: &[&str] = &[
    "title", "speaker", "position", "org", "org_kind", "slug", "order", "period", "metrics",
    "figures", "draft",
];

/// A front-matter problem at a line and column of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatterError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// A file split into its YAML and its Markdown body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    pub yaml: &'a str,
    pub body: &'a str,
    /// 1-based file line on which the YAML starts.
    pub yaml_line: usize,
}

/// Splits `---\nYAML\n---\nBODY`. A BOM and CRLF line ends are accepted.
pub fn split(text: &str) -> Result<Split<'_>, FrontMatterError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let err = |line, message: &str| FrontMatterError { line, column: 1, message: message.into() };
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
        .ok_or_else(|| err(1, "expected front matter: the file must start with a `---` line"))?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            let yaml = &rest[..offset];
            let body = &rest[offset + line.len()..];
            return Ok(Split { yaml, body, yaml_line: 2 });
        }
        offset += line.len();
    }
    Err(err(1, "front matter is not closed: add a `---` line after it"))
}

fn parse<T: DeserializeOwned>(
    split: &Split<'_>,
    known: &[&str],
) -> Result<(T, Extra), FrontMatterError> {
    let yaml = if split.yaml.trim().is_empty() { "{}" } else { split.yaml };
    // Parse once into a value (the fast path: tens of thousands of files per build); only when
    // the typed read fails, parse again from text so the error carries its line and column.
    let value: serde_yaml::Value =
        serde_yaml::from_str(yaml).map_err(|e| yaml_error(&e, split.yaml_line))?;
    let mut extra = IndexMap::new();
    if let serde_yaml::Value::Mapping(map) = &value {
        for (key, v) in map {
            let key = match key {
                serde_yaml::Value::String(k) => k.clone(),
                other => serde_yaml::to_string(other).unwrap_or_default().trim().to_string(),
            };
            if !known.contains(&key.as_str()) {
                let json = serde_json::to_value(v).map_err(|e| FrontMatterError {
                    line: split.yaml_line,
                    column: 1,
                    message: format!("{key}: {e}"),
                })?;
                extra.insert(key, json);
            }
        }
    } else {
        return Err(FrontMatterError {
            line: split.yaml_line,
            column: 1,
            message: "front matter must be a mapping of `key: value` lines".into(),
        });
    }
    match serde_yaml::from_value::<T>(value) {
        Ok(typed) => Ok((typed, extra)),
        Err(fast) => Err(match serde_yaml::from_str::<T>(yaml) {
            Err(located) => yaml_error(&located, split.yaml_line),
            Ok(_) => yaml_error(&fast, split.yaml_line),
        }),
    }
}

type Extra = IndexMap<String, serde_json::Value>;

fn yaml_error(e: &serde_yaml::Error, first_line: usize) -> FrontMatterError {
    let (line, column) =
        e.location().map(|l| (l.line() + first_line - 1, l.column())).unwrap_or((first_line, 1));
    FrontMatterError { line, column, message: strip_yaml_positions(&e.to_string()) }
}

/// serde_yaml puts "at line N column M" (counted from the YAML slice, not the file) into its
/// messages; the file position is given separately, so drop them.
fn strip_yaml_positions(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(" at line ") {
        out.push_str(&rest[..i]);
        let after = &rest[i + " at line ".len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let tail = &after[digits..];
        rest = match tail.strip_prefix(" column ") {
            Some(t) => &t[t.bytes().take_while(u8::is_ascii_digit).count()..],
            None => tail,
        };
    }
    out.push_str(rest);
    out
}

/// Reads a meeting `_index.md`: front matter and Markdown body.
pub fn read_meeting(text: &str) -> Result<(MeetingFrontMatter, &str), FrontMatterError> {
    let split = split(text)?;
    let (mut fm, extra): (MeetingFrontMatter, _) = parse(&split, MEETING_KEYS)?;
    fm.extra = extra;
    Ok((fm, split.body))
}

/// Reads a speech file: front matter and Markdown body.
pub fn read_speech(text: &str) -> Result<(SpeechFrontMatter, &str), FrontMatterError> {
    let split = split(text)?;
    let (mut fm, extra): (SpeechFrontMatter, _) = parse(&split, SPEECH_KEYS)?;
    if fm.title.trim().is_empty() {
        return Err(FrontMatterError {
            line: split.yaml_line,
            column: 1,
            message: "title: missing or empty (every speech needs a title)".into(),
        });
    }
    fm.extra = extra;
    Ok((fm, split.body))
}

/// Writes a meeting file; `read_meeting` of the result gives back `fm` and `body`.
pub fn write_meeting(fm: &MeetingFrontMatter, body: &str) -> String {
    write(fm, &fm.extra, body)
}

/// Writes a speech file; `read_speech` of the result gives back `fm` and `body`.
pub fn write_speech(fm: &SpeechFrontMatter, body: &str) -> String {
    write(fm, &fm.extra, body)
}

fn write<T: Serialize>(fm: &T, extra: &Extra, body: &str) -> String {
    let mut value = serde_yaml::to_value(fm).expect("front matter serialises");
    if let serde_yaml::Value::Mapping(map) = &mut value {
        for (k, v) in extra {
            let v = serde_yaml::to_value(v).expect("JSON value serialises");
            map.insert(serde_yaml::Value::String(k.clone()), v);
        }
    }
    let yaml = serde_yaml::to_string(&value).expect("front matter serialises");
    let mut out = String::with_capacity(yaml.len() + body.len() + 16);
    out.push_str("---\n");
    out.push_str(&yaml);
    out.push_str("---\n");
    if !body.is_empty() {
        out.push('\n');
        out.push_str(body);
        if !body.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

fn is_false(b: &bool) -> bool {
    !*b
}

mod date_opt {
    use super::*;

    pub fn serialize<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&d.format("%Y-%m-%d").to_string()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        // A visitor, so the error is raised while the parser still knows the value's position.
        struct DateVisitor;
        impl serde::de::Visitor<'_> for DateVisitor {
            type Value = Option<NaiveDate>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a date as YYYY-MM-DD")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Self::Value, E> {
                NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                    .map(Some)
                    .map_err(|_| E::custom(format!("expected a date as YYYY-MM-DD, found {s:?}")))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
        }
        d.deserialize_any(DateVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_shapes() {
        let s = split("---\ntitle: a\n---\nbody\n").unwrap();
        assert_eq!((s.yaml, s.body), ("title: a\n", "body\n"));
        let s = split("\u{feff}---\r\ntitle: a\r\n---\r\n\r\nbody").unwrap();
        assert_eq!((s.yaml, s.body), ("title: a\r\n", "\r\nbody"));
        assert_eq!(split("title: a\n").unwrap_err().line, 1);
        assert!(split("---\ntitle: a\n").unwrap_err().message.contains("not closed"));
    }

    #[test]
    fn wrong_type_names_key_and_file_line() {
        let text = "---\ntitle: t\nspeaker: 卢红\nmetrics:\n  gdp: fast\n---\n";
        let e = read_speech(text).unwrap_err();
        assert_eq!(e.line, 5, "{e:?}");
        assert!(e.message.starts_with("metrics.gdp: invalid type"), "{}", e.message);
    }

    #[test]
    fn malformed_yaml_has_location() {
        let e = read_meeting("---\ntitle: [a\ndate: 2024-01-01\n---\n").unwrap_err();
        assert!(e.line >= 2, "{e:?}");
    }

    #[test]
    fn yaml_positions_are_stripped_from_messages() {
        assert_eq!(
            strip_yaml_positions(
                "did not find ',' at line 2 column 1, while parsing at line 1 column 8"
            ),
            "did not find ',', while parsing"
        );
        let e = read_meeting("---\n- a\n---\n").unwrap_err();
        assert!(e.message.contains("mapping"), "{}", e.message);
    }

    #[test]
    fn bad_date_is_explained() {
        let e = read_meeting("---\ntitle: t\ndate: 2024-13-01\n---\n").unwrap_err();
        assert!(e.message.contains("YYYY-MM-DD"), "{}", e.message);
        assert_eq!(e.line, 3);
    }

    #[test]
    fn unknown_keys_are_kept_as_extra() {
        let (fm, body) = read_speech("---\ntitle: t\nmood: 乐观\n---\n正文\n").unwrap();
        assert_eq!(fm.extra["mood"], serde_json::json!("乐观"));
        assert_eq!(body, "正文\n");
    }

    #[test]
    fn missing_title_is_an_error() {
        assert!(read_speech("---\nspeaker: x\n---\n").unwrap_err().message.contains("title"));
    }

    #[test]
    fn speech_round_trips() {
        let mut fm = SpeechFrontMatter {
            title: "以改革强动力: 增活力".into(),
            speaker: Some("卢红".into()),
            position: Some("市委常委、万州区委书记".into()),
            org: Some("万州区".into()),
            org_kind: Some(OrgKind::District),
            order: Some(1),
            period: Some("前三季度".into()),
            figures: vec![
                Figure {
                    subject: "全区技改投资".into(),
                    value: 128.0,
                    unit: "%".into(),
                    text: "全区技改投资增长128%".into(),
                    ..Default::default()
                },
                Figure {
                    subject: "地区生产总值".into(),
                    value: 5.5,
                    unit: "%".into(),
                    kind: FigureKind::Target,
                    qualifier: Some("左右".into()),
                    basis: Some("比上年".into()),
                    amount: Some("1245.4亿元".into()),
                    period: Some("2025年".into()),
                    text: "地区生产总值增长5.5%左右".into(),
                },
            ],
            ..Default::default()
        };
        fm.metrics.insert("gdp".into(), 6.6);
        fm.metrics.insert("fixed_asset_investment".into(), -8.0);
        fm.extra.insert("note".into(), serde_json::json!({"a": [1, 2]}));
        let body = "引言。\n\n## 一、建体系\n\n正文。\n";
        let text = write_speech(&fm, body);
        let (back, back_body) = read_speech(&text).unwrap();
        assert_eq!(back, fm);
        assert_eq!(back_body.trim_start(), body);
    }

    #[test]
    fn meeting_round_trips() {
        let fm = MeetingFrontMatter {
            title: "深化改革".into(),
            subtitle: Some("发言摘登".into()),
            date: NaiveDate::from_ymd_opt(2024, 10, 21),
            participants: vec!["万州区".into(), "市财政局".into()],
            summary: Some("10月21日上午，…".into()),
            ..Default::default()
        };
        let text = write_meeting(&fm, "");
        assert!(text.contains("date: 2024-10-21\n"), "{text}");
        assert_eq!(read_meeting(&text).unwrap().0, fm);
    }
}
