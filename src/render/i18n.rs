//! The UI language: every word the pages show that is not content (navigation, headings,
//! captions, table headers, chart titles, search messages, dates) comes from one string table
//! per language, like Hugo's `i18n/` files. The default theme carries `i18n/zh-CN.toml` (the
//! base table: every key, today's text) and `i18n/en.toml`, embedded in the binary; a theme
//! folder's or the site's own `i18n/LANG.toml` overrides keys of a table, or adds a language.
//!
//! A table is TOML: `[section] key = "text"` gives the key `section.key`; `{name}` in a text is
//! a placeholder the caller fills; `key = { one = "…", other = "…" }` gives plural forms, chosen
//! by `count` (`one` for exactly 1). A key the base table lacks is a warning (a slip, with a
//! did-you-mean); a key a language lacks falls back to the base text, with one warning per key.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};

use anyhow::Result;
use rustc_hash::FxHashMap;
use toml::de::{DeTable, DeValue};

use crate::diagnostic::{Diagnostic, Diagnostics};

/// The language every other table falls back to, and the default of site.toml's `language`.
pub(crate) const BASE: &str = "zh-CN";

/// The tables of the default theme, embedded so a site needs no copy of them.
pub(crate) const EMBEDDED: &[(&str, &str)] = &[
    ("zh-CN", include_str!("../../themes/default/i18n/zh-CN.toml")),
    ("en", include_str!("../../themes/default/i18n/en.toml")),
];

/// The plural forms a table may give (CLDR's names); only `one` and `other` are chosen today.
const PLURAL_FORMS: &[&str] = &["zero", "one", "two", "few", "many", "other"];

/// One entry of a table: a text, or plural forms of it.
#[derive(Debug, Clone, PartialEq)]
enum Text {
    Plain(String),
    Plural { one: Option<String>, other: String },
}

impl Text {
    fn choose(&self, count: Option<f64>) -> &str {
        match self {
            Text::Plain(s) => s,
            Text::Plural { one: Some(one), .. } if count == Some(1.0) => one,
            Text::Plural { other, .. } => other,
        }
    }

    /// Every form's placeholders (`count` of `{count}`).
    fn placeholders(&self) -> BTreeSet<&str> {
        match self {
            Text::Plain(s) => placeholders(s),
            Text::Plural { one, other } => {
                let mut set = placeholders(other);
                set.extend(one.as_deref().map(placeholders).unwrap_or_default());
                set
            }
        }
    }

    fn to_json(&self) -> serde_json::Value {
        match self {
            Text::Plain(s) => serde_json::Value::from(s.as_str()),
            Text::Plural { one, other } => {
                let mut map = serde_json::Map::new();
                if let Some(one) = one {
                    map.insert("one".into(), one.as_str().into());
                }
                map.insert("other".into(), other.as_str().into());
                serde_json::Value::Object(map)
            }
        }
    }
}

/// The names inside `{…}` in a text.
fn placeholders(text: &str) -> BTreeSet<&str> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if is_name(&after[..close]) => {
                out.insert(&after[..close]);
                rest = &after[close + 1..];
            }
            _ => rest = after,
        }
    }
    out
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `text` with each `{name}` replaced by its value in `args`; other braces are left as they are.
fn fill(text: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            args.iter().find(|(n, _)| *n == name).map(|(_, v)| (close, *v))
        });
        match value {
            Some((close, v)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// One table as read from a file: each key with its text and the place of the key.
struct Parsed {
    entries: Vec<(String, Text, (usize, usize))>,
}

/// Reads a table; `shown` names the file in messages. A value that is neither a text nor plural
/// forms is an error at its line.
fn parse(text: &str, shown: &str) -> Result<Parsed, Vec<Diagnostic>> {
    let table = DeTable::parse(text).map_err(|e| {
        let d = Diagnostic::new(shown, e.message().trim().to_string());
        vec![match e.span() {
            Some(span) => {
                let (line, col) = crate::diagnostic::line_col(text, span.start);
                d.at(line, col)
            }
            None => d,
        }]
    })?;
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    let lines = crate::diagnostic::Lines::new(text);
    flatten(&lines, shown, "", table.get_ref(), &mut entries, &mut problems);
    if problems.is_empty() { Ok(Parsed { entries }) } else { Err(problems) }
}

fn flatten(
    lines: &crate::diagnostic::Lines<'_>,
    shown: &str,
    prefix: &str,
    table: &DeTable<'_>,
    entries: &mut Vec<(String, Text, (usize, usize))>,
    problems: &mut Vec<Diagnostic>,
) {
    for (key, value) in table.iter() {
        let name = format!("{prefix}{}", key.get_ref());
        let at = lines.line_col(key.span().start);
        match value.get_ref() {
            DeValue::String(s) => entries.push((name, Text::Plain(s.to_string()), at)),
            DeValue::Table(t) if is_plural(t) => {
                let form = |f: &str| {
                    t.iter().find(|(k, _)| k.get_ref() == f).and_then(|(_, v)| match v.get_ref() {
                        DeValue::String(s) => Some(s.to_string()),
                        _ => None,
                    })
                };
                match form("other") {
                    Some(other) => entries.push((name, Text::Plural { one: form("one"), other }, at)),
                    None => problems.push(
                        Diagnostic::new(shown, format!("{name}: plural forms must be texts"))
                            .at(at.0, at.1),
                    ),
                }
            }
            DeValue::Table(t) => flatten(lines, shown, &format!("{name}."), t, entries, problems),
            other => problems.push(
                Diagnostic::new(
                    shown,
                    format!(
                        "{name}: expected a text or plural forms {{ one = \"…\", other = \"…\" }}, found {}",
                        kind_name(other)
                    ),
                )
                .at(at.0, at.1)
                .with_hint(format!("write {} = \"…\"", key.get_ref())),
            ),
        }
    }
}

/// A table of plural forms: only form names, `other` among them.
fn is_plural(t: &DeTable<'_>) -> bool {
    t.iter().any(|(k, _)| k.get_ref() == "other")
        && t.iter().all(|(k, _)| PLURAL_FORMS.contains(&k.get_ref().as_ref()))
}

fn kind_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a text",
        DeValue::Integer(_) => "a number",
        DeValue::Float(_) => "a number",
        DeValue::Boolean(_) => "true or false",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

/// An embedded table, which the tests keep valid: each parsed once per process.
fn embedded_table(language: &str) -> Option<FxHashMap<String, Text>> {
    static PARSED: LazyLock<Vec<(&str, FxHashMap<String, Text>)>> = LazyLock::new(|| {
        let parse_one = |&(language, text): &(&'static str, &'static str)| {
            let parsed = parse(text, language).expect("the embedded tables are valid");
            (language, parsed.entries.into_iter().map(|(k, t, _)| (k, t)).collect())
        };
        EMBEDDED.iter().map(parse_one).collect()
    });
    let (_, table) = PARSED.iter().find(|(l, _)| *l == language)?;
    Some(table.clone())
}

/// The languages a site can choose: the embedded ones and every `i18n/LANG.toml` of the site
/// and of its theme folder, sorted.
pub(crate) fn available(root: &Path, theme_dir: &Path) -> Vec<String> {
    let mut out: BTreeSet<String> = EMBEDDED.iter().map(|(l, _)| l.to_string()).collect();
    for dir in [root.join("i18n"), theme_dir.join("i18n")] {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "toml")
                && let Some(stem) = path.file_stem().and_then(|s| s.to_str())
                && !stem.starts_with('.')
            {
                out.insert(stem.to_string());
            }
        }
    }
    out.into_iter().collect()
}

/// Names people write for a language, and the tag they mean.
const ALIASES: &[(&str, &str)] = &[
    ("english", "en"),
    ("eng", "en"),
    ("en-us", "en"),
    ("en-gb", "en"),
    ("en_us", "en"),
    ("en_gb", "en"),
    ("chinese", "zh-CN"),
    ("zh", "zh-CN"),
    ("zh-hans", "zh-CN"),
    ("zh_cn", "zh-CN"),
    ("cn", "zh-CN"),
    ("中文", "zh-CN"),
    ("简体中文", "zh-CN"),
    ("英文", "en"),
    ("英语", "en"),
];

/// Checks site.toml's `language` against the available ones. The error (a diagnostic without a
/// file) lists them and suggests the one meant (`zh-cn` → `zh-CN`, `english` → `en`).
pub(crate) fn check_language(language: &str, available: &[String]) -> Result<(), Diagnostic> {
    if available.iter().any(|l| l == language) {
        return Ok(());
    }
    let lower = language.trim().to_lowercase();
    let suggestion = available
        .iter()
        .find(|l| l.to_lowercase() == lower || l.to_lowercase().replace('-', "_") == lower)
        .cloned()
        .or_else(|| {
            ALIASES
                .iter()
                .find(|(alias, _)| *alias == lower)
                .map(|(_, tag)| tag.to_string())
                .filter(|tag| available.contains(tag))
        })
        .or_else(|| {
            available
                .iter()
                .map(|l| (strsim::normalized_damerau_levenshtein(&l.to_lowercase(), &lower), l))
                .filter(|(score, _)| *score >= 0.5)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, l)| l.clone())
        });
    let list = available.join(", ");
    let d = Diagnostic::new(
        "",
        format!("language {language:?} is not one of the available languages: {list}"),
    );
    let own = format!(
        "a language of your own needs its string table: i18n/{language}.toml (copy themes/default/i18n/en.toml and translate it)"
    );
    Err(match suggestion {
        Some(s) => d.with_hint(format!("did you mean language = {s:?}? or: {own}")),
        None => d.with_hint(format!("write one of {list}; {own}")),
    })
}

/// The UI strings of one language, complete: every key of the base table, taken from the
/// language's own table when it has it, else from the base.
#[derive(Debug, Clone)]
pub(crate) struct Strings {
    table: FxHashMap<String, Text>,
    /// `date`'s results by ISO date: a site prints a few thousand distinct dates, each on many
    /// pages. Shared by clones, which have the same table.
    dates: Arc<Mutex<FxHashMap<[u8; 10], String>>>,
}

impl Strings {
    /// The embedded table of `language` (the base for a language without one), no overrides.
    #[cfg(test)]
    pub(crate) fn embedded(language: &str) -> Strings {
        let mut table = embedded_table(BASE).expect("the base table is embedded");
        if language != BASE
            && let Some(own) = embedded_table(language)
        {
            table.extend(own);
        }
        Strings { table, dates: Arc::default() }
    }

    /// The strings of `language` for a site: the embedded table, then the theme folder's
    /// `i18n/LANG.toml`, then the site's, key over key; missing keys from the base (itself
    /// overridden the same way). Returns the warnings: keys the base lacks, placeholders the
    /// base text does not have, and keys the language lacks. A file that is not valid TOML, or
    /// a value that is not a text, is an error.
    pub(crate) fn load(
        root: &Path,
        theme_dir: &Path,
        language: &str,
    ) -> Result<(Strings, Vec<Diagnostic>)> {
        let base = embedded_table(BASE).expect("the base table is embedded");
        let mut warnings = Vec::new();
        let mut problems = Diagnostics::default();
        let mut layered = |language: &str, warnings: &mut Vec<Diagnostic>| {
            let mut table = embedded_table(language).unwrap_or_default();
            let mut last_file = None;
            for (file, shown) in override_files(root, theme_dir, language) {
                let text = match std::fs::read_to_string(&file) {
                    Ok(text) => text,
                    Err(e) => {
                        problems.push(Diagnostic::new(&shown, format!("cannot read it: {e}")));
                        continue;
                    }
                };
                match parse(&text, &shown) {
                    Ok(parsed) => {
                        check_keys(&parsed, &base, &shown, warnings);
                        table.extend(parsed.entries.into_iter().map(|(k, t, _)| (k, t)));
                    }
                    Err(ds) => ds.into_iter().for_each(|d| problems.push(d)),
                }
                last_file = Some(shown);
            }
            (table, last_file)
        };
        let (base_table, _) = layered(BASE, &mut warnings);
        let mut table: FxHashMap<String, Text> = base.clone();
        table.extend(base_table);
        if language != BASE {
            let (own, file) = layered(language, &mut warnings);
            let file = file.unwrap_or_else(|| format!("i18n/{language}.toml"));
            let mut missing: Vec<&String> = base.keys().filter(|k| !own.contains_key(*k)).collect();
            missing.sort();
            for key in missing {
                warnings.push(
                    Diagnostic::warning(
                        &file,
                        format!("key `{key}` is missing from the {language} table, so the {BASE} text is shown"),
                    )
                    .with_hint(format!("add `{key}` to {file}")),
                );
            }
            table.extend(own);
        }
        problems.into_result()?;
        warnings.sort();
        warnings.dedup();
        Ok((Strings { table, dates: Arc::default() }, warnings))
    }

    /// Every key with the text `t(key=…)` gives without arguments: as written (placeholders
    /// stay), a plural's `other` form.
    pub(crate) fn texts(&self) -> impl Iterator<Item = (&str, &str)> {
        self.table.iter().map(|(key, text)| (key.as_str(), text.choose(None)))
    }

    /// The text `t(key=…)` gives for `key` without arguments, if the table has it.
    pub(crate) fn plain(&self, key: &str) -> Option<&str> {
        self.table.get(key).map(|text| text.choose(None))
    }

    /// Whether the table has `key`.
    pub(crate) fn has(&self, key: &str) -> bool {
        self.table.contains_key(key)
    }

    /// The text of `key` with its placeholders filled; the key itself if the table lacks it
    /// (never a blank).
    pub(crate) fn text(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.choose(key, None, args)
    }

    /// The text of `key` for `count` (its plural form), `{count}` and the placeholders filled.
    pub(crate) fn count(&self, key: &str, count: usize, args: &[(&str, &str)]) -> String {
        let n = count.to_string();
        let mut all = vec![("count", n.as_str())];
        all.extend_from_slice(args);
        self.choose(key, Some(count as f64), &all)
    }

    /// The text of `key`, the plural form for `count` when given, placeholders filled.
    fn choose(&self, key: &str, count: Option<f64>, args: &[(&str, &str)]) -> String {
        match self.table.get(key) {
            Some(text) => fill(text.choose(count), args),
            None => key.to_string(),
        }
    }

    /// The known key closest to `key`, for a did-you-mean.
    pub(crate) fn closest_key(&self, key: &str) -> Option<&str> {
        closest(key, self.table.keys().map(String::as_str))
    }

    /// An ISO date (`2024-10-21`, or the start of a longer text) as the language writes it in
    /// text (`date.long`: zh-CN keeps `2024-10-21`, en `21 October 2024`); anything else as is.
    pub(crate) fn date(&self, iso: &str) -> String {
        let Some(date) = iso.get(..10).and_then(super::iso_date) else {
            return iso.to_string();
        };
        let key: [u8; 10] = iso.as_bytes()[..10].try_into().expect("ten bytes");
        let known = self.dates.lock().map(|dates| dates.get(&key).cloned());
        let long = match known {
            Ok(Some(long)) => long,
            _ => {
                let long = self.long_date(date);
                if let Ok(mut dates) = self.dates.lock() {
                    dates.insert(key, long.clone());
                }
                long
            }
        };
        let mut long = long;
        long.push_str(&iso[10..]);
        long
    }

    /// `date` as `date.long` writes it.
    fn long_date(&self, date: chrono::NaiveDate) -> String {
        use chrono::Datelike;
        let (year, month, day) = (date.year().to_string(), date.month(), date.day());
        let month_name = self.text(&format!("month.{month}"), &[]);
        let (m, mm, d, dd) =
            (month.to_string(), format!("{month:02}"), day.to_string(), format!("{day:02}"));
        self.text(
            "date.long",
            &[
                ("year", &year),
                ("month", &m),
                ("mm", &mm),
                ("day", &d),
                ("dd", &dd),
                ("month_name", &month_name),
            ],
        )
    }

    /// A measure as yilu's data writes it (`同比增速（%）`) in this language; others as is.
    pub(crate) fn measure(&self, measure: &str) -> String {
        match measure_key(measure) {
            Some(key) => self.text(key, &[]),
            None => measure.to_string(),
        }
    }

    /// The messages search.js shows, as JSON, when they differ from the ones it carries (the
    /// base table's); None otherwise, so a zh-CN page is unchanged.
    pub(crate) fn search_messages(&self) -> Option<String> {
        let base = embedded_table(BASE).expect("the base table is embedded");
        let mut differ = false;
        let mut map = serde_json::Map::new();
        for key in SEARCH_MESSAGES {
            let full = format!("search.{key}");
            let text = self.table.get(&full)?;
            differ |= base.get(&full) != Some(text);
            map.insert(key.to_string(), text.to_json());
        }
        // Inside <script>: `<` escaped, so no text can close the element.
        differ.then(|| serde_json::Value::Object(map).to_string().replace('<', "\\u003c"))
    }
}

/// The keys under `search.` that search.js uses.
const SEARCH_MESSAGES: &[&str] =
    &["none", "single_char", "found", "showing", "end", "at_least", "searching", "failed"];

/// The key of a measure as the data writes it.
fn measure_key(measure: &str) -> Option<&'static str> {
    match measure {
        "同比增速（%）" => Some("measure.yoy"),
        "年均增速（%）" => Some("measure.average"),
        "增长倍数（倍）" => Some("measure.multiple"),
        "变化（个百分点）" => Some("measure.points"),
        _ => None,
    }
}

fn closest<'a>(key: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    known
        .map(|k| (strsim::normalized_damerau_levenshtein(k, key), k))
        .filter(|(score, _)| *score >= 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, k)| k)
}

/// The files that override `language`'s table, weakest first: the theme folder's, the site's.
fn override_files(root: &Path, theme_dir: &Path, language: &str) -> Vec<(PathBuf, String)> {
    let name = format!("{language}.toml");
    [theme_dir.join("i18n").join(&name), root.join("i18n").join(&name)]
        .into_iter()
        .filter(|p| p.is_file())
        .map(|p| {
            let shown = p.strip_prefix(root).unwrap_or(&p).display().to_string();
            (p, shown)
        })
        .collect()
}

/// The placeholders a key's text may use: its base text's, or for `date.long` every part of a
/// date.
fn allowed_placeholders<'a>(key: &str, base_text: &'a Text) -> BTreeSet<&'a str> {
    if key == "date.long" {
        return ["year", "month", "mm", "day", "dd", "month_name"].into_iter().collect();
    }
    base_text.placeholders()
}

/// Warnings for an override's keys that the base lacks (with a did-you-mean) and for
/// placeholders the base text of a key does not have.
fn check_keys(
    parsed: &Parsed,
    base: &FxHashMap<String, Text>,
    shown: &str,
    warnings: &mut Vec<Diagnostic>,
) {
    for (key, text, (line, col)) in &parsed.entries {
        let Some(base_text) = base.get(key) else {
            let d = Diagnostic::warning(
                shown,
                format!(
                    "unknown key `{key}`: the default theme has no such string, so it is not used"
                ),
            )
            .at(*line, *col);
            warnings.push(match closest(key, base.keys().map(String::as_str)) {
                Some(k) => d.with_hint(format!("did you mean `{k}`?")),
                None => d.with_hint("the keys are those of themes/default/i18n/zh-CN.toml"),
            });
            continue;
        };
        let known = allowed_placeholders(key, base_text);
        let unknown: Vec<&str> =
            text.placeholders().into_iter().filter(|p| !known.contains(p)).collect();
        if !unknown.is_empty() {
            let list = |set: Vec<&str>| {
                set.iter().map(|p| format!("{{{p}}}")).collect::<Vec<_>>().join(", ")
            };
            warnings.push(
                Diagnostic::warning(
                    shown,
                    format!(
                        "`{key}`: {} is not filled in here, so it shows as written",
                        list(unknown)
                    ),
                )
                .at(*line, *col)
                .with_hint(if known.is_empty() {
                    format!("`{key}` takes no placeholders")
                } else {
                    format!("`{key}` takes {}", list(known.into_iter().collect()))
                }),
            );
        }
    }
}

/// Every key of the base table, sorted: what a template may ask for.
#[cfg(test)]
pub(crate) fn keys() -> Vec<String> {
    let mut keys: Vec<String> =
        embedded_table(BASE).expect("the base table is embedded").into_keys().collect();
    keys.sort();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site_with(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        dir
    }

    #[test]
    fn every_language_has_every_key_of_the_base_with_its_placeholders() {
        let base = embedded_table(BASE).unwrap();
        for (language, _) in EMBEDDED {
            let table = embedded_table(language).unwrap();
            for (key, text) in &base {
                let own = table.get(key).unwrap_or_else(|| panic!("{language} lacks {key}"));
                let allowed = allowed_placeholders(key, text);
                assert!(own.placeholders().is_subset(&allowed), "{language} {key}");
                if key != "date.long" {
                    assert_eq!(own.placeholders(), text.placeholders(), "{language} {key}");
                }
            }
            for key in table.keys() {
                assert!(base.contains_key(key), "{language} has {key}, the base does not");
            }
        }
    }

    #[test]
    fn english_shows_no_chinese_but_where_it_quotes_a_search_example() {
        let en = embedded_table("en").unwrap();
        for (key, text) in &en {
            let han = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
            let s = match text {
                Text::Plain(s) => s.clone(),
                Text::Plural { one, other } => {
                    format!("{}{other}", one.clone().unwrap_or_default())
                }
            };
            assert!(
                !han(&s) || ["search.placeholder", "search.single_char"].contains(&key.as_str()),
                "{key}: {s}"
            );
        }
    }

    #[test]
    fn texts_fill_placeholders_and_choose_plural_forms() {
        let en = Strings::embedded("en");
        let zh = Strings::embedded("zh-CN");
        let cases: &[(&Strings, &str, usize, &str)] = &[
            (&en, "count.speeches", 1, "1 speech"),
            (&en, "count.speeches", 0, "0 speeches"),
            (&en, "count.speeches", 2, "2 speeches"),
            (&en, "count.meetings", 21, "21 meetings"),
            (&zh, "count.speeches", 1, "1 篇发言"),
            (&zh, "count.speeches", 10, "10 篇发言"),
        ];
        for (strings, key, n, want) in cases {
            assert_eq!(strings.count(key, *n, &[]), *want, "{key} {n}");
        }
        assert_eq!(
            en.text("feed.follow", &[("name", "Wanzhou")]),
            "Follow the speeches of Wanzhou (Atom)"
        );
        assert_eq!(zh.text("feed.follow", &[("name", "万州区")]), "订阅万州区的发言（Atom）");
        assert_eq!(en.text("no.such.key", &[]), "no.such.key", "never a blank");
    }

    #[test]
    fn fill_leaves_unknown_and_stray_braces() {
        let cases = [
            ("{a} and {b}", "1 and {b}"),
            ("{ a }", "{ a }"),
            ("{{a}}", "{1}"),
            ("{", "{"),
            ("}{a", "}{a"),
            ("{a}{a}", "11"),
        ];
        for (text, want) in cases {
            assert_eq!(fill(text, &[("a", "1")]), want, "{text}");
        }
        assert_eq!(
            placeholders("{count} of {total}, {not a name}"),
            BTreeSet::from(["count", "total"])
        );
    }

    #[test]
    fn dates_per_language() {
        let en = Strings::embedded("en");
        let zh = Strings::embedded("zh-CN");
        let cases = [
            (&zh, "2024-10-21", "2024-10-21"),
            (&en, "2024-10-21", "21 October 2024"),
            (&en, "2025-01-05", "5 January 2025"),
            (&en, "2025-01-05T08:00", "5 January 2025T08:00"),
            (&en, "2025-01-05", "5 January 2025"),
            (&en, "2025-01-05 上午", "5 January 2025 上午"),
            (&en, "not a date", "not a date"),
            (&en, "2024-13-01", "2024-13-01"),
            (&en, "", ""),
        ];
        // Twice: the second time from the remembered dates.
        for (strings, iso, want) in cases.iter().chain(&cases) {
            assert_eq!(strings.date(iso), *want, "{iso}");
        }
    }

    #[test]
    fn measures_per_language() {
        let en = Strings::embedded("en");
        assert_eq!(en.measure("同比增速（%）"), "year-on-year growth (%)");
        assert_eq!(en.measure("变化（个百分点）"), "change (percentage points)");
        assert_eq!(en.measure("something else"), "something else");
        assert_eq!(Strings::embedded("zh-CN").measure("同比增速（%）"), "同比增速（%）");
    }

    #[test]
    fn languages_are_checked_with_a_suggestion() {
        let available: Vec<String> = ["en", "zh-CN"].map(String::from).to_vec();
        assert!(check_language("zh-CN", &available).is_ok());
        assert!(check_language("en", &available).is_ok());
        let cases = [
            ("zh-cn", Some("zh-CN")),
            ("zh_CN", Some("zh-CN")),
            ("english", Some("en")),
            ("English", Some("en")),
            ("中文", Some("zh-CN")),
            ("zh-CM", Some("zh-CN")),
            ("klingon", None),
        ];
        for (language, want) in cases {
            let d = check_language(language, &available).unwrap_err();
            assert!(d.message.contains("en, zh-CN"), "{}", d.message);
            let hint = d.hint.unwrap();
            match want {
                Some(s) => assert!(
                    hint.starts_with(&format!("did you mean language = {s:?}")),
                    "{language}: {hint}"
                ),
                None => assert!(hint.starts_with("write one of en, zh-CN"), "{language}: {hint}"),
            }
        }
    }

    #[test]
    fn a_site_file_adds_a_language() {
        let site = site_with(&[("i18n/fr.toml", "[nav]\nhome = \"Accueil\"\n")]);
        let langs = available(site.path(), &site.path().join("themes/default"));
        assert_eq!(langs, ["en", "fr", "zh-CN"]);
    }

    #[test]
    fn overrides_apply_site_over_theme_over_embedded() {
        let site = site_with(&[
            ("themes/t/i18n/en.toml", "[nav]\nhome = \"Front\"\nsearch = \"Find\"\n"),
            ("i18n/en.toml", "[nav]\nhome = \"Start\"\n"),
        ]);
        let (s, warnings) =
            Strings::load(site.path(), &site.path().join("themes/t"), "en").unwrap();
        assert_eq!(s.text("nav.home", &[]), "Start", "the site's file wins");
        assert_eq!(s.text("nav.search", &[]), "Find", "then the theme's");
        assert_eq!(s.text("nav.meetings", &[]), "Meetings", "then the embedded table");
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn an_unknown_key_in_an_override_is_a_warning_with_its_place() {
        let site =
            site_with(&[("i18n/en.toml", "[nav]\nhome = \"Start\"\nmeeting = \"Sessions\"\n")]);
        let (s, warnings) =
            Strings::load(site.path(), &site.path().join("themes/x"), "en").unwrap();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        let shown = warnings[0].to_string();
        assert!(shown.starts_with("i18n/en.toml:3:1: unknown key `nav.meeting`"), "{shown}");
        assert_eq!(warnings[0].hint.as_deref(), Some("did you mean `nav.meetings`?"));
        assert_eq!(s.text("nav.meetings", &[]), "Meetings");
    }

    #[test]
    fn a_missing_key_falls_back_to_the_base_with_one_warning_per_key() {
        let site = site_with(&[("i18n/fr.toml", "[nav]\nhome = \"Accueil\"\n")]);
        let (s, warnings) =
            Strings::load(site.path(), &site.path().join("themes/x"), "fr").unwrap();
        assert_eq!(s.text("nav.home", &[]), "Accueil");
        assert_eq!(s.text("nav.search", &[]), "搜索", "the base text, not a blank");
        assert_eq!(warnings.len(), keys().len() - 1, "one per missing key");
        let search = warnings.iter().find(|w| w.message.contains("`nav.search`")).unwrap();
        assert_eq!(search.path, PathBuf::from("i18n/fr.toml"));
        assert!(!search.is_error());
    }

    #[test]
    fn a_base_override_changes_the_fallback_too() {
        let site = site_with(&[
            ("i18n/zh-CN.toml", "[nav]\nsearch = \"检索\"\n"),
            ("i18n/fr.toml", "[nav]\nhome = \"Accueil\"\n"),
        ]);
        let (zh, _) = Strings::load(site.path(), &site.path().join("themes/x"), "zh-CN").unwrap();
        assert_eq!(zh.text("nav.search", &[]), "检索");
        let (fr, _) = Strings::load(site.path(), &site.path().join("themes/x"), "fr").unwrap();
        assert_eq!(fr.text("nav.search", &[]), "检索");
    }

    #[test]
    fn plural_overrides_and_placeholder_slips() {
        let site = site_with(&[(
            "i18n/en.toml",
            "[count]\nspeeches = { one = \"one talk\", other = \"{count} talks\" }\nmeetings = \"{cont} meetings\"\n",
        )]);
        let (s, warnings) =
            Strings::load(site.path(), &site.path().join("themes/x"), "en").unwrap();
        assert_eq!(s.count("count.speeches", 1, &[]), "one talk");
        assert_eq!(s.count("count.speeches", 3, &[]), "3 talks");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].to_string().starts_with("i18n/en.toml:3:1: `count.meetings`: {cont}"),
            "{}",
            warnings[0]
        );
        assert_eq!(warnings[0].hint.as_deref(), Some("`count.meetings` takes {count}"));
    }

    #[test]
    fn a_broken_override_is_an_error_at_its_line() {
        for (text, want) in [
            ("[nav]\nhome = 3\n", "i18n/en.toml:2:1: nav.home: expected a text"),
            ("[nav]\nhome = \"x\n", "i18n/en.toml:2:"),
            (
                "[nav]\nhome = { one = 1, other = 2 }\n",
                "i18n/en.toml:2:1: nav.home: plural forms must be texts",
            ),
        ] {
            let site = site_with(&[("i18n/en.toml", text)]);
            let e = Strings::load(site.path(), &site.path().join("themes/x"), "en").unwrap_err();
            let shown = format!("{e:#}");
            assert!(shown.contains(want), "{text:?}: {shown}");
        }
    }

    #[test]
    fn search_messages_only_when_they_differ_from_search_js() {
        assert_eq!(Strings::embedded("zh-CN").search_messages(), None);
        let en = Strings::embedded("en").search_messages().unwrap();
        let v: serde_json::Value = serde_json::from_str(&en).unwrap();
        assert_eq!(v["found"]["one"], "Found {count} speech");
        assert_eq!(v["searching"], "Searching…");
        let mut hostile = Strings::embedded("en");
        hostile.table.insert("search.end".into(), Text::Plain("</script><b>".into()));
        let json = hostile.search_messages().unwrap();
        assert!(!json.contains('<'), "{json}");
    }
}
