//! The one place that reads and writes YAML front matter. Ingest writes through here and the
//! loader reads through here, so what ingest writes is exactly what the site reads. Errors carry
//! file lines (serde_yaml counts from the start of the YAML slice; we add the offset), and the
//! common slips (no space after a colon, tabs, an unclosed bracket) get a hint saying how to fix
//! them. The known keys of each kind of file come from its struct, so a new field is known at once.

use std::sync::LazyLock;

use chrono::NaiveDate;
use indexmap::IndexMap;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::orgs::OrgKind;

/// Front matter of a meeting's `_index.md`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MeetingFrontMatter {
    /// The meeting's name.
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// A second line under the name.
    pub subtitle: Option<String>,
    #[serde(default, with = "date_opt", skip_serializing_if = "Option::is_none")]
    /// The day it met; else the folder name's date.
    pub date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Where the transcript was published.
    pub source: Option<Source>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    /// Who attended, as printed.
    pub participants: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// A sentence for lists and the meta description.
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    /// A draft is built only with `--drafts`.
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
    pub(crate) publication: Option<String>,
    #[serde(default)]
    pub(crate) url: Option<String>,
}

/// Front matter of one speech file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SpeechFrontMatter {
    /// The speech's headline.
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// The speaker's name.
    pub speaker: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// The speaker's post as printed (区委书记).
    pub position: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// The organisation the speaker spoke for (万州区).
    pub org: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// What kind of organisation it is, when the registry does not know it.
    pub org_kind: Option<OrgKind>,
    /// Overrides the organisation's slug (and so the speech's URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Place in the meeting; else the file name's number.
    pub order: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// The period the figures cover, as printed (前三季度).
    pub period: Option<String>,
    /// Canonical indicator key → y/y growth in percent, in the order written.
    #[serde(default, deserialize_with = "finite_map")]
    pub metrics: IndexMap<String, f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    /// Every growth figure the text prints.
    pub figures: Vec<Figure>,
    /// Figures checked by hand: `yilu extract --write` never rewrites them.
    #[serde(default, skip_serializing_if = "is_false")]
    pub figures_locked: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    /// A draft is built only with `--drafts`.
    pub draft: bool,
    #[serde(skip)]
    /// Keys yilu does not know, kept for templates (`page.extra`).
    pub extra: IndexMap<String, serde_json::Value>,
}

/// Front matter of a standalone page (`content/about.md`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PageFrontMatter {
    pub(crate) title: String,
    /// One sentence for the page head (meta description, Open Graph).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<String>,
    /// Overrides the last URL segment (the file name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) slug: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub(crate) draft: bool,
    #[serde(skip)]
    pub(crate) extra: IndexMap<String, serde_json::Value>,
}

/// One growth figure found in a speech. Optional fields are written only when the text prints
/// them, so older files load and stay as they were.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    /// What grew, as printed (地区生产总值).
    pub subject: String,
    #[serde(deserialize_with = "finite")]
    /// The number as printed.
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
    pub(crate) fn is_growth(&self) -> bool {
        *self == FigureKind::Growth
    }
}

/// A number that is finite: `.nan`, `.inf` and values past f64's range (`1.7e309`) are refused
/// where they are written, so no chart or ranking ever computes with them.
fn finite<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let v = f64::deserialize(d)?;
    if v.is_finite() {
        Ok(v)
    } else {
        Err(serde::de::Error::custom(format!(
            "{v} is not a number a figure can have; write a finite number such as 6.6"
        )))
    }
}

fn finite_map<'de, D: Deserializer<'de>>(d: D) -> Result<IndexMap<String, f64>, D::Error> {
    #[derive(Deserialize)]
    struct Finite(#[serde(deserialize_with = "finite")] f64);
    let map = IndexMap::<String, Finite>::deserialize(d)?;
    Ok(map.into_iter().map(|(k, Finite(v))| (k, v)).collect())
}

/// The keys a meeting's `_index.md` knows: the fields of [`MeetingFrontMatter`].
pub(crate) fn meeting_keys() -> &'static [&'static str] {
    static KEYS: LazyLock<&'static [&'static str]> =
        LazyLock::new(field_names::<MeetingFrontMatter>);
    &KEYS
}

/// The keys a speech file knows: the fields of [`SpeechFrontMatter`]. Any other key is kept in
/// `extra` for templates; one that is a near miss of a known key gets a warning.
pub fn speech_keys() -> &'static [&'static str] {
    static KEYS: LazyLock<&'static [&'static str]> =
        LazyLock::new(field_names::<SpeechFrontMatter>);
    &KEYS
}

/// The field names serde reads for the struct `T`, taken from its derived Deserialize (which
/// hands them to `deserialize_struct`), so the list is written once: in the struct.
fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    use serde::de::value::Error;
    use serde::de::{Error as _, Visitor};
    struct Fields<'a>(&'a mut &'static [&'static str]);
    impl<'de> Deserializer<'de> for Fields<'_> {
        type Error = Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Error> {
            Err(Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Error> {
            *self.0 = fields;
            Err(Error::custom("fields read"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(Fields(&mut fields));
    fields
}

/// The file line and column of a key in a file's front matter: `["speaker"]` for a top-level
/// key, `["metrics", "gdp"]` for one inside a mapping (block or `{flow}` style). None when the
/// key cannot be found as written (quoted oddly, say); callers then name the file alone.
pub(crate) fn key_position(text: &str, path: &[&str]) -> Option<(usize, usize)> {
    let split = split(text).ok()?;
    let lines: Vec<&str> = split.yaml.lines().collect();
    let starts_key = |s: &str, key: &str| {
        let s = s.strip_prefix(['"', '\'']).unwrap_or(s);
        s.strip_prefix(key).is_some_and(|rest| {
            let rest = rest.strip_prefix(['"', '\'']).unwrap_or(rest);
            rest.trim_start().starts_with(':')
        })
    };
    let first = path.first()?;
    let top = lines.iter().position(|l| starts_key(l, first))?;
    let Some(inner) = path.get(1) else { return Some((split.yaml_line + top, 1)) };
    // `metrics: {gdp: 1, gpd: 2}` on the key's own line.
    let line = lines[top];
    if let Some(brace) = line.find('{') {
        let mut at = brace + 1;
        for part in line[brace + 1..].split(',') {
            let lead = part.len() - part.trim_start().len();
            if starts_key(part.trim_start(), inner) {
                let col = line[..at + lead].chars().count() + 1;
                return Some((split.yaml_line + top, col));
            }
            at += part.len() + 1;
        }
        return None;
    }
    // An indented block below it.
    for (i, l) in lines.iter().enumerate().skip(top + 1) {
        let indent = l.len() - l.trim_start().len();
        if indent == 0 && !l.trim().is_empty() {
            break;
        }
        if starts_key(l.trim_start(), inner) {
            return Some((split.yaml_line + i, l[..indent].chars().count() + 1));
        }
    }
    None
}

/// The top-level keys of a file's front matter that are not in `known`, in file order; empty
/// when the front matter does not parse.
pub(crate) fn unknown_keys(text: &str, known: &[&str]) -> Vec<String> {
    let Ok(split) = split(text) else { return Vec::new() };
    let Ok(serde_yaml::Value::Mapping(map)) = serde_yaml::from_str(split.yaml) else {
        return Vec::new();
    };
    map.keys()
        .filter_map(|k| k.as_str())
        .filter(|k| !known.contains(k))
        .map(str::to_string)
        .collect()
}

/// The keys a standalone page knows: the fields of [`PageFrontMatter`].
pub(crate) fn page_keys() -> &'static [&'static str] {
    static KEYS: LazyLock<&'static [&'static str]> = LazyLock::new(field_names::<PageFrontMatter>);
    &KEYS
}

/// A front-matter problem at a line and column of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatterError {
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) message: String,
    /// How to fix it, when the slip is a common one.
    pub(crate) hint: Option<String>,
}

impl FrontMatterError {
    fn new(line: usize, column: usize, message: impl Into<String>) -> FrontMatterError {
        FrontMatterError { line, column, message: message.into(), hint: None }
    }
}

/// A file split into its YAML and its Markdown body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Split<'a> {
    pub(crate) yaml: &'a str,
    pub(crate) body: &'a str,
    /// 1-based file line on which the YAML starts.
    pub(crate) yaml_line: usize,
}

/// Splits `---\nYAML\n---\nBODY`. A BOM and CRLF line ends are accepted.
pub(crate) fn split(text: &str) -> Result<Split<'_>, FrontMatterError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let err = |line, message: &str| FrontMatterError::new(line, 1, message);
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
        .ok_or_else(|| err(1, "expected front matter: the file must start with a `---` line"))?;
    // Only lines that start with `---` can close it: the others are passed over at a glance
    // (this runs for every file, twice a build).
    let bytes = rest.as_bytes();
    let starts = std::iter::once(0).chain(memchr::memchr_iter(b'\n', bytes).map(|k| k + 1));
    for start in starts.filter(|&k| bytes[k..].starts_with(b"---")) {
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(rest.len(), |e| start + e + 1);
        if rest[start..end].trim_end() == "---" {
            return Ok(Split { yaml: &rest[..start], body: &rest[end..], yaml_line: 2 });
        }
    }
    Err(err(1, "front matter is not closed: add a `---` line after it"))
}

fn parse<T: DeserializeOwned>(
    split: &Split<'_>,
    known: &[&str],
) -> Result<(T, Extra), FrontMatterError> {
    let yaml = if split.yaml.trim().is_empty() { "{}" } else { split.yaml };
    // The common case, tens of thousands of files a build: every key known, read straight into
    // the struct. Otherwise (or when that read fails) through a value, which keeps the unknown
    // keys and tells a syntax slip from a wrong value.
    if only_known_keys(yaml, known)
        && let Ok(typed) = serde_yaml::from_str::<T>(yaml)
    {
        return Ok((typed, Extra::new()));
    }
    let value: serde_yaml::Value =
        serde_yaml::from_str(yaml).map_err(|e| syntax_error(&e, split))?;
    let mut extra = IndexMap::new();
    if let serde_yaml::Value::Mapping(map) = &value {
        for (key, v) in map {
            let key = match key {
                serde_yaml::Value::String(k) => k.clone(),
                other => serde_yaml::to_string(other).unwrap_or_default().trim().to_string(),
            };
            if !known.contains(&key.as_str()) {
                let json = serde_json::to_value(v).map_err(|e| {
                    FrontMatterError::new(split.yaml_line, 1, format!("{key}: {e}"))
                })?;
                extra.insert(key, json);
            }
        }
    } else {
        let e = FrontMatterError::new(
            split.yaml_line,
            1,
            "front matter must be a mapping of `key: value` lines",
        );
        return Err(slip_hint(split, usize::MAX).unwrap_or(e));
    }
    // Typed from the text, as above: the same reading for every file, and errors with their
    // line and column.
    match serde_yaml::from_str::<T>(yaml) {
        Ok(typed) => Ok((typed, extra)),
        Err(e) => Err(yaml_error(&e, split.yaml_line)),
    }
}

/// Whether every top-level key of `yaml` is one of `known`, as far as a scan of its lines can
/// tell: only a block mapping whose keys start their lines (`title: …`, the first one at the
/// start of the text) passes; anything else (an indented or flow mapping, a quoted, complex or
/// merge key, a tab) does not, and is read the slow way.
fn only_known_keys(yaml: &str, known: &[&str]) -> bool {
    let mut content = yaml.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#'));
    let starts_at_margin = content.clone().next().is_some_and(|l| !l.starts_with(' '));
    starts_at_margin
        && content.all(|line| match line.as_bytes()[0] {
            // Inside a value: nested lines, and a sequence's items.
            b' ' => true,
            b'-' => line == "-" || line.starts_with("- "),
            _ => line.split_once(':').is_some_and(|(key, rest)| {
                known.contains(&key) && (rest.is_empty() || rest.starts_with(' '))
            }),
        })
}

type Extra = IndexMap<String, serde_json::Value>;

fn yaml_error(e: &serde_yaml::Error, first_line: usize) -> FrontMatterError {
    let (line, column) =
        e.location().map(|l| (l.line() + first_line - 1, l.column())).unwrap_or((first_line, 1));
    let message = strip_yaml_positions(&e.to_string());
    let hint = crate::diagnostic::did_you_mean(&message);
    FrontMatterError { hint, ..FrontMatterError::new(line, column, message) }
}

/// A YAML syntax error, told as the slip that most likely caused it when one is in sight.
fn syntax_error(e: &serde_yaml::Error, split: &Split<'_>) -> FrontMatterError {
    let plain = yaml_error(e, split.yaml_line);
    slip_hint(split, plain.line).unwrap_or(plain)
}

/// The common slips, looked for at or before file line `upto` (the parser often notices one a
/// line late): a tab in the indentation, `key:value` without a space, an unclosed `[` or `{`.
fn slip_hint(split: &Split<'_>, upto: usize) -> Option<FrontMatterError> {
    let lines = split.yaml.lines().enumerate().map(|(i, l)| (split.yaml_line + i, l));
    let candidates: Vec<(usize, &str)> = lines.take_while(|(n, _)| *n <= upto).collect();
    for &(n, l) in &candidates {
        let indent = &l[..l.len() - l.trim_start_matches([' ', '\t']).len()];
        if let Some(tab) = indent.find('\t') {
            return Some(FrontMatterError {
                hint: Some("indent with spaces instead".into()),
                ..FrontMatterError::new(n, tab + 1, "YAML does not allow tabs for indentation")
            });
        }
    }
    for &(n, l) in candidates.iter().rev() {
        let trimmed = l.trim_start();
        let key_len = trimmed
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(trimmed.len());
        let rest = &trimmed[key_len..];
        if key_len > 0
            && !trimmed.starts_with('-')
            && rest.starts_with(':')
            && rest[1..].starts_with(|c: char| !c.is_whitespace() && c != ':')
        {
            let (key, value) = (&trimmed[..key_len], &rest[1..]);
            let col = l[..l.len() - trimmed.len() + key_len].chars().count() + 1;
            return Some(FrontMatterError {
                hint: Some(format!("add a space after the colon: `{key}: {value}`")),
                ..FrontMatterError::new(
                    n,
                    col,
                    format!("missing space after the colon in `{}`", trimmed.trim_end()),
                )
            });
        }
    }
    for &(n, l) in candidates.iter().rev() {
        if let Some(col) = unclosed_bracket(l) {
            let open = l[..].chars().nth(col - 1).unwrap_or('[');
            let close = if open == '[' { ']' } else { '}' };
            return Some(FrontMatterError {
                hint: Some(format!(
                    "close it with `{close}` on the same line, or put the value in quotes if the `{open}` is text"
                )),
                ..FrontMatterError::new(n, col, format!("`{open}` is not closed"))
            });
        }
    }
    None
}

/// The 1-based column of a `[`/`{` that opens a value (`key: [a, b`, `- {x: 1`) and that its
/// line does not close (quoted text and comments skipped). A flow collection may go on to the
/// next line in YAML, but in front matter that is rare, and this is asked only after an error.
fn unclosed_bracket(line: &str) -> Option<usize> {
    let trimmed = line.trim_start();
    let indent = line.len() - trimmed.len();
    let after = match trimmed.strip_prefix("- ") {
        Some(rest) => indent + 2 + (rest.len() - rest.trim_start().len()),
        None => {
            let colon = trimmed.find(": ")?;
            let rest = &trimmed[colon + 1..];
            indent + colon + 1 + (rest.len() - rest.trim_start().len())
        }
    };
    let value = &line[after..];
    if !value.starts_with(['[', '{']) {
        return None;
    }
    let (mut depth, mut quote, mut prev) = (0usize, None, ' ');
    for c in value.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') if matches!(prev, '[' | '{' | ',' | ' ') => quote = Some(c),
            (None, '#') if prev.is_whitespace() => break,
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
        prev = c;
    }
    (depth > 0).then(|| line[..after].chars().count() + 1)
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
    let (mut fm, extra): (MeetingFrontMatter, _) = parse(&split, meeting_keys())?;
    fm.extra = extra;
    Ok((fm, split.body))
}

/// Reads a speech file: front matter and Markdown body.
pub fn read_speech(text: &str) -> Result<(SpeechFrontMatter, &str), FrontMatterError> {
    let split = split(text)?;
    let (mut fm, extra): (SpeechFrontMatter, _) = parse(&split, speech_keys())?;
    if fm.title.trim().is_empty() {
        return Err(FrontMatterError::new(
            split.yaml_line,
            1,
            "title: missing or empty (every speech needs a title)",
        ));
    }
    fm.extra = extra;
    Ok((fm, split.body))
}

/// Reads a standalone page: front matter and Markdown body.
pub(crate) fn read_page(text: &str) -> Result<(PageFrontMatter, &str), FrontMatterError> {
    let split = split(text)?;
    let (mut fm, extra): (PageFrontMatter, _) = parse(&split, page_keys())?;
    if fm.title.trim().is_empty() {
        return Err(FrontMatterError {
            line: split.yaml_line,
            column: 1,
            message: "title: missing or empty (every page needs a title)".into(),
            hint: Some("add a line `title: …` to the front matter".into()),
        });
    }
    fm.extra = extra;
    Ok((fm, split.body))
}

/// Writes a standalone page; `read_page` of the result gives back `fm` and `body`.
#[cfg(test)]
pub(crate) fn write_page(fm: &PageFrontMatter, body: &str) -> String {
    write(fm, &fm.extra, body)
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
    // Without extra keys the struct serialises straight to text (what ingest writes); through
    // a YAML value only to append them, which emits the same text for the same keys.
    let yaml = if extra.is_empty() {
        serde_yaml::to_string(fm).expect("front matter serialises")
    } else {
        let mut value = serde_yaml::to_value(fm).expect("front matter serialises");
        if let serde_yaml::Value::Mapping(map) = &mut value {
            for (k, v) in extra {
                let v = serde_yaml::to_value(v).expect("JSON value serialises");
                map.insert(serde_yaml::Value::String(k.clone()), v);
            }
        }
        serde_yaml::to_string(&value).expect("front matter serialises")
    };
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

    pub(crate) fn serialize<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&d.format("%Y-%m-%d").to_string()),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<NaiveDate>, D::Error> {
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
        // Empty; closed at the end with no line end; spaces after the dashes.
        assert_eq!(split("---\n---\nbody").map(|s| (s.yaml, s.body)), Ok(("", "body")));
        assert_eq!(split("---\nt: a\n---").map(|s| (s.yaml, s.body)), Ok(("t: a\n", "")));
        assert_eq!(split("---\nt: a\n---  \nb").map(|s| (s.yaml, s.body)), Ok(("t: a\n", "b")));
        // Only a line of three dashes closes it: not four, not indented, not inside a value.
        let s = split("---\nt: a\n----\n ---\nu: x---\n---\nbody").unwrap();
        assert_eq!((s.yaml, s.body), ("t: a\n----\n ---\nu: x---\n", "body"));
    }

    #[test]
    fn non_finite_numbers_are_refused_where_written() {
        // 1.7e309 overflows to a string in YAML, refused as not a number.
        let e = read_speech("---\ntitle: t\nmetrics:\n  gdp: 1.7e309\n---\n").unwrap_err();
        assert_eq!(e.line, 4, "{e:?}");
        for (value, line) in [(".nan", 5), (".inf", 5), ("-.inf", 5), (".NaN", 5)] {
            let text = format!("---\ntitle: t\nspeaker: 卢红\nmetrics:\n  gdp: {value}\n---\n");
            let e = read_speech(&text).unwrap_err();
            assert_eq!((e.line, e.column > 1), (line, true), "{value}: {e:?}");
            assert!(e.message.starts_with("metrics"), "{value}: {}", e.message);
            assert!(e.message.contains("finite number"), "{value}: {}", e.message);
        }
        let text =
            "---\ntitle: t\nfigures:\n  - {subject: x, value: .nan, unit: \"%\", text: x}\n---\n";
        let e = read_speech(text).unwrap_err();
        assert_eq!(e.line, 4, "{e:?}");
        assert!(e.message.contains("finite number"), "{}", e.message);
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
        assert_eq!((e.line, e.column), (2, 8), "{e:?}");
    }

    #[test]
    fn common_slips_are_named_at_their_line() {
        // (text, line, column, message start, hint fragment)
        for (text, line, col, message, hint) in [
            (
                "---\ntitle: t\nspeaker:卢红\norg: 万州区\n---\n",
                3,
                8,
                "missing space after the colon in `speaker:卢红`",
                "`speaker: 卢红`",
            ),
            ("---\nspeaker:卢红\n---\n", 2, 8, "missing space after the colon", "add a space"),
            (
                "---\ntitle: t\nmetrics:\n\tgdp: 6.6\n---\n",
                4,
                1,
                "YAML does not allow tabs for indentation",
                "spaces",
            ),
            (
                "---\ntitle: t\nparticipants: [万州区, 市财政局\norg: x\n---\n",
                3,
                15,
                "`[` is not closed",
                "`]`",
            ),
            ("---\ntitle: {a: 1\n---\n", 2, 8, "`{` is not closed", "`}`"),
        ] {
            let e = read_speech(text).unwrap_err();
            assert_eq!((e.line, e.column), (line, col), "{text:?}: {e:?}");
            assert!(e.message.starts_with(message), "{text:?}: {e:?}");
            assert!(e.hint.as_deref().is_some_and(|h| h.contains(hint)), "{text:?}: {e:?}");
        }
    }

    #[test]
    fn unclosed_brackets() {
        for (line, want) in [
            ("participants: [万州区, 市财政局", Some(15)),
            ("  - {subject: x, value: 1", Some(5)),
            ("title: {a: [1, 2]}", None),
            ("title: 草案[第二稿", None),
            ("title: [\"a]\", b", Some(8)),
            ("note: [a, b]  # [comment", None),
        ] {
            assert_eq!(unclosed_bracket(line), want, "{line}");
        }
    }

    #[test]
    fn key_lists_come_from_the_structs() {
        assert_eq!(
            speech_keys(),
            [
                "title",
                "speaker",
                "position",
                "org",
                "org_kind",
                "slug",
                "order",
                "period",
                "metrics",
                "figures",
                "figures_locked",
                "draft"
            ]
        );
        assert!(meeting_keys().contains(&"participants") && !meeting_keys().contains(&"extra"));
    }

    #[test]
    fn the_key_scan_passes_only_plain_mappings_of_known_keys() {
        let known = speech_keys();
        let cases = [
            ("title: t\nspeaker: s\n", true),
            ("# note\ntitle: t\nmetrics:\n  gdp: 6.6\nfigures:\n- subject: x\n  value: 1\n", true),
            ("title: t\n\n  # indented comment\norder: 3\n", true),
            ("title:\n  t\n", true),
            ("title: t\nfoo: 1\n", false),
            ("  title: t\n  foo: 1\n", false),
            ("{title: t, foo: 1}\n", false),
            ("title: t\n\"foo\": 1\n", false),
            ("title: t\n? foo\n: 1\n", false),
            ("title: t\n<<: *base\n", false),
            ("title:t\n", false),
            ("title : t\n", false),
            ("title: t\n\tfoo: 1\n", false),
            ("title: t\n-foo: 1\n", false),
            ("title: t\n---\nfoo: 1\n", false),
        ];
        for (yaml, want) in cases {
            assert_eq!(only_known_keys(yaml, known), want, "{yaml:?}");
        }
    }

    #[test]
    fn unknown_keys_are_kept_and_values_read_alike_with_or_without_them() {
        let plain = "---\ntitle: 2024\norder: 3\n---\nbody";
        let with_extra = "---\ntitle: 2024\norder: 3\ntopic: 经济\n---\nbody";
        let (a, _) = read_speech(plain).unwrap();
        let (b, _) = read_speech(with_extra).unwrap();
        assert_eq!((a.title.as_str(), a.order), ("2024", Some(3)));
        assert_eq!((b.title.as_str(), b.order), ("2024", Some(3)));
        assert!(a.extra.is_empty());
        assert_eq!(b.extra["topic"], serde_json::json!("经济"));
    }

    #[test]
    fn near_misses() {
        let keys = speech_keys();
        for (word, want) in [
            ("speeker", Some("speaker")),
            ("Speaker", Some("speaker")),
            ("titel", Some("title")),
            ("ordr", Some("order")),
            ("orgkind", Some("org_kind")),
            ("mood", None),
            ("note", None),
            ("tags", None),
            ("speaker", None),
        ] {
            assert_eq!(crate::diagnostic::near_miss(word, keys), want, "{word}");
        }
        assert_eq!(crate::diagnostic::near_miss("gpd", &["gdp", "cpi"]), Some("gdp"));
    }

    #[test]
    fn keys_are_found_at_their_place() {
        let text = "---\ntitle: t\nspeeker: 卢红\nmetrics:\n  gdp: 6.6\n  gpd: 1\n---\nbody\n";
        assert_eq!(key_position(text, &["speeker"]), Some((3, 1)));
        assert_eq!(key_position(text, &["metrics", "gpd"]), Some((6, 3)));
        assert_eq!(key_position(text, &["metrics", "cpi"]), None);
        let flow = "---\ntitle: t\nmetrics: {gdp: 6.6, gpd: 1}\n---\n";
        assert_eq!(key_position(flow, &["metrics", "gpd"]), Some((3, 21)));
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
    fn page_round_trips_and_needs_a_title() {
        let mut fm = PageFrontMatter {
            title: "关于本站".into(),
            description: Some("方法: 与来源".into()),
            ..Default::default()
        };
        fm.extra.insert("weight".into(), serde_json::json!(3));
        let text = write_page(&fm, "正文\n");
        let (back, body) = read_page(&text).unwrap();
        assert_eq!((back, body.trim_start()), (fm, "正文\n"));
        assert!(read_page("---\ndescription: x\n---\n").unwrap_err().message.contains("title"));
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
