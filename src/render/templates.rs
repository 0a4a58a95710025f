//! The one place the templates are built (two Tera instances: as written, and with plain UI
//! strings put in place of their calls): the embedded default theme first, then the site's
//! `themes/NAME/templates/*.html` over it, template by template. Filters that need the site's
//! URL scheme (`url`) are registered here, so templates never compute links themselves, and so
//! are the UI language's: the `t` function (a string of the table), the `date` and `measure`
//! filters.

use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use rustc_hash::FxHashMap;
use tera::{Kwargs, State, Tera};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::render::i18n::Strings;

/// The default theme, embedded so `yilu build` works with no themes/ folder.
pub(crate) const EMBEDDED_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../themes/default/templates/base.html")),
    ("macros.html", include_str!("../../themes/default/templates/macros.html")),
    ("index.html", include_str!("../../themes/default/templates/index.html")),
    ("meetings.html", include_str!("../../themes/default/templates/meetings.html")),
    ("meeting.html", include_str!("../../themes/default/templates/meeting.html")),
    ("speech.html", include_str!("../../themes/default/templates/speech.html")),
    ("districts.html", include_str!("../../themes/default/templates/districts.html")),
    ("district.html", include_str!("../../themes/default/templates/district.html")),
    ("speakers.html", include_str!("../../themes/default/templates/speakers.html")),
    ("speaker.html", include_str!("../../themes/default/templates/speaker.html")),
    ("metrics.html", include_str!("../../themes/default/templates/metrics.html")),
    ("metric.html", include_str!("../../themes/default/templates/metric.html")),
    ("404.html", include_str!("../../themes/default/templates/404.html")),
    ("search.html", include_str!("../../themes/default/templates/search.html")),
    ("page.html", include_str!("../../themes/default/templates/page.html")),
];

/// Static files of the default theme, copied to the output root.
pub(crate) const EMBEDDED_STATIC: &[(&str, &[u8])] = &[
    ("css/yilu.css", include_bytes!("../../themes/default/static/css/yilu.css")),
    ("js/sort.js", include_bytes!("../../themes/default/static/js/sort.js")),
    ("js/search.js", include_bytes!("../../themes/default/static/js/search.js")),
    ("favicon.svg", include_bytes!("../../themes/default/static/favicon.svg")),
];

/// How links are written: under a base path (`/archive/`) or relative to the page.
#[derive(Debug, Clone)]
pub(crate) struct UrlScheme {
    /// Path part of base_url, always starting and ending with `/`.
    pub(crate) base_path: String,
    pub(crate) relative: bool,
}

impl UrlScheme {
    /// The href for `target` (a site path such as `meetings/2024-10-21/`, no leading slash)
    /// on the page at `current`.
    pub(crate) fn href(&self, target: &str, current: &str) -> String {
        let (path, fragment) = match target.find('#') {
            Some(i) => (&target[..i], &target[i..]),
            None => (target, ""),
        };
        let path = path.trim_start_matches('/');
        if !self.relative {
            let mut out = String::with_capacity(self.base_path.len() + path.len() + fragment.len());
            for part in [self.base_path.as_str(), path, fragment] {
                out.push_str(part);
            }
            return out;
        }
        let depth = current.trim_start_matches('/').matches('/').count();
        let mut out = "../".repeat(depth);
        out.push_str(path);
        if path.is_empty() || path.ends_with('/') {
            out.push_str("index.html");
        }
        out.push_str(fragment);
        out
    }
}

/// One template as loaded: its name (`speech.html`), where it came from as shown in messages
/// (`themes/x/templates/speech.html` or `<embedded theme>/templates/speech.html`) and its text.
#[derive(Debug, Clone)]
pub(crate) struct TemplateSource {
    pub(crate) name: String,
    pub(crate) shown: String,
    pub(crate) text: String,
}

/// The templates a site renders with: the embedded theme's, each replaced by the theme folder's
/// file of the same name, plus the theme's own extra templates.
pub(crate) fn sources(theme_dir: Option<&Path>) -> Result<Vec<TemplateSource>> {
    let mut sources: Vec<TemplateSource> = EMBEDDED_TEMPLATES
        .iter()
        .map(|(n, s)| TemplateSource {
            name: n.to_string(),
            shown: format!("<embedded theme>/templates/{n}"),
            text: s.to_string(),
        })
        .collect();
    if let Some(dir) = theme_dir.map(|d| d.join("templates")).filter(|d| d.is_dir()) {
        for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
            let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
            if !entry.file_type().is_file() {
                continue;
            }
            let name = entry.path().strip_prefix(&dir).expect("under dir").to_string_lossy();
            let name = name.replace('\\', "/");
            let text = std::fs::read_to_string(entry.path())
                .with_context(|| format!("cannot read {}", entry.path().display()))?;
            let source = TemplateSource { name, shown: shown_path(entry.path()), text };
            match sources.iter_mut().find(|s| s.name == source.name) {
                Some(existing) => *existing = source,
                None => sources.push(source),
            }
        }
    }
    Ok(sources)
}

/// A path as the user would write it: `themes/x/…`, not `./themes/x/…`.
fn shown_path(path: &Path) -> String {
    path.strip_prefix(".").unwrap_or(path).display().to_string()
}

/// The site's templates, twice: as written, and with each plain UI string in place of the call
/// that names it ([`inline_texts`]). Pages render with the second: a Tera function call per
/// string was a twentieth of a build. A page that fails renders again with the first, so the
/// error shows the template as its author wrote it.
pub(crate) struct Templates {
    fast: Tera,
    as_written: Tera,
}

impl Templates {
    /// Sets a value every template sees.
    pub(crate) fn insert_global<T: serde::Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) {
        let value = tera::Value::from_serializable(value);
        self.as_written.global_context().insert_value(key, value.clone());
        self.fast.global_context().insert_value(key, value);
    }

    /// The values every template sees.
    pub(crate) fn globals(&mut self) -> &tera::Context {
        self.fast.global_context()
    }

    /// Renders `template` into `out`; an error names the template and its place as written in
    /// the theme folder `theme_dir` (or the embedded theme).
    pub(crate) fn render_to(
        &self,
        template: &str,
        context: &tera::Context,
        out: &mut impl std::io::Write,
        theme_dir: &Path,
    ) -> Result<(), Diagnostic> {
        self.fast.render_to(template, context, out).map_err(|e| {
            // The same failure as written (unless it was the output's, which renders fine now).
            let as_written = self.as_written.render_to(template, context, std::io::sink()).err();
            render_diagnostic(theme_dir, template, as_written.as_ref().unwrap_or(&e))
        })
    }
}

/// Builds the templates: embedded ones, then the theme folder's (if any) over them. Every
/// template error is reported with its file, not just the first.
pub(crate) fn build(
    theme_dir: Option<&Path>,
    urls: UrlScheme,
    strings: Arc<Strings>,
) -> Result<Templates> {
    let sources = sources(theme_dir)?;
    check_syntax(&sources)?;
    let as_written = build_tera(&sources, urls.clone(), Arc::clone(&strings))?;
    let inlined: Vec<TemplateSource> = sources
        .iter()
        .map(|s| TemplateSource { text: inline_texts(&s.text, &strings), ..s.clone() })
        .collect();
    let fast = build_tera(&inlined, urls, strings)?;
    Ok(Templates { fast, as_written })
}

/// Replaces each tag `{{ t(key="KEY") }}` (just so: a key alone) in `text` with the key's text
/// when that text can stand in a template as it is: not empty, no braces (it cannot make a
/// delimiter), no white space at either end (a `-` of white space control beside it would
/// trim it). The output is the same: the call gives that text, marked safe. Other tags are
/// passed over whole, so nothing inside one (a string, a comment) is touched, and a template
/// with a `raw` block is left as it is. Unknown keys stay calls, and fail as calls do.
fn inline_texts(text: &str, strings: &Strings) -> String {
    if has_raw_block(text) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = next_tag(rest) {
        let tag = &rest[at..];
        if let Some((len, inline)) = plain_call(tag, strings) {
            out.push_str(&rest[..at]);
            out.push_str(inline);
            rest = &tag[len..];
            continue;
        }
        let close = match &tag[..2] {
            "{{" => "}}",
            "{%" => "%}",
            _ => "#}",
        };
        let end = tag[2..].find(close).map_or(tag.len(), |e| e + 4);
        out.push_str(&rest[..at + end]);
        rest = &tag[end..];
    }
    out.push_str(rest);
    out
}

/// Where the next tag (`{{`, `{%` or `{#`) of `text` starts.
fn next_tag(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'{', bytes).find(|&k| matches!(bytes.get(k + 1), Some(b'{' | b'%' | b'#')))
}

/// Whether `text` has a `{% raw %}` block (white space control and spacing as Tera allows).
fn has_raw_block(text: &str) -> bool {
    text.match_indices("{%")
        .any(|(k, _)| text[k + 2..].trim_start_matches('-').trim_start().starts_with("raw"))
}

/// The length of the tag `tag` starts with and the text to put in its place, when it is a
/// plain `t` call [`inline_texts`] can replace.
fn plain_call<'s>(tag: &str, strings: &'s Strings) -> Option<(usize, &'s str)> {
    const OPEN: &str = "{{ t(key=\"";
    const CLOSE: &str = "\") }}";
    let after = tag.strip_prefix(OPEN)?;
    let end = after.find(CLOSE)?;
    let key = &after[..end];
    let key_ok = key.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    let text = strings.plain(key).filter(|_| key_ok)?;
    let fits = !text.is_empty() && text.trim() == text && !text.contains(['{', '}']);
    fits.then_some((OPEN.len() + end + CLOSE.len(), text))
}

/// Parses each template alone, so that every one with a syntax error is named (parsed
/// together, Tera stops at the first). Once, on the templates as written: putting strings in
/// place of calls makes no syntax error.
fn check_syntax(sources: &[TemplateSource]) -> Result<()> {
    let mut problems = Diagnostics::default();
    for source in sources {
        let mut alone = Tera::new();
        if let Err(e) = alone.add_raw_template(&source.name, &source.text)
            && matches!(e.kind(), tera::ErrorKind::SyntaxError(_))
        {
            problems.push(template_diagnostic(&source.shown, &e));
        }
    }
    problems.into_result()
}

/// One Tera instance of `sources`, with yilu's filters and functions. Adding them together
/// also checks inheritance, includes and filter names.
fn build_tera(sources: &[TemplateSource], urls: UrlScheme, strings: Arc<Strings>) -> Result<Tera> {
    let mut tera = Tera::new();
    tera.autoescape_on(vec![".html", ".xml"]);
    register_filters(&mut tera, urls);
    register_language(&mut tera, strings);
    if let Err(e) = tera.add_raw_templates(sources.iter().map(|s| (&s.name, &s.text))) {
        // Each error names the template it is in: show that one's file.
        let shown = |name: &str| {
            sources
                .iter()
                .find(|s| s.name == name)
                .map_or_else(|| name.to_string(), |s| s.shown.clone())
        };
        return Err(anyhow::Error::new(Diagnostics(load_diagnostics(&e, shown))));
    }
    Ok(tera)
}

fn register_filters(tera: &mut Tera, urls: UrlScheme) {
    tera.register_filter("url", move |target: &str, _: Kwargs, state: &State| {
        // Only a relative link depends on the page it is on.
        let current: String = if urls.relative {
            state.get("current").ok().flatten().unwrap_or_default()
        } else {
            String::new()
        };
        urls.href(target, &current)
    });
    tera.register_filter("num", |value: f64, _: Kwargs, _: &State| format_number(value));
    tera.register_filter("signed", |value: f64, _: Kwargs, _: &State| {
        let s = format_number(value);
        if value > 0.0 { format!("+{s}") } else { s }
    });
}

/// The UI language: `t(key="nav.home")`, `t(key="count.speeches", count=3)`, any other argument
/// filling the placeholder of its name (escaped; the table's own text is the theme's markup); `date` (`2024-10-21` as the language writes it) and
/// `measure` (a measure of the data, `同比增速（%）`, in the language).
fn register_language(tera: &mut Tera, strings: Arc<Strings>) {
    let for_dates = Arc::clone(&strings);
    tera.register_filter("date", move |value: &str, _: Kwargs, _: &State| for_dates.date(value));
    let for_measures = Arc::clone(&strings);
    tera.register_filter("measure", move |value: &str, _: Kwargs, _: &State| {
        for_measures.measure(value)
    });
    // Most calls name only a key: their texts made into template values once.
    let bare: FxHashMap<String, tera::Value> = strings
        .texts()
        .map(|(key, text)| (key.to_string(), tera::Value::safe_string(text)))
        .collect();
    tera.register_function(
        "t",
        move |kwargs: Kwargs, _: &State| -> tera::TeraResult<tera::Value> {
            let key: &str = kwargs.must_get("key")?;
            if kwargs.iter().nth(1).is_none()
                && let Some(text) = bare.get(key)
            {
                return Ok(text.clone());
            }
            if !strings.has(key) {
                let hint = match strings.closest_key(key) {
                    Some(k) => format!(" (did you mean `{k}`?)"),
                    None => " (the keys are those of the theme's i18n/zh-CN.toml)".to_string(),
                };
                return Err(tera::Error::message(format!("unknown string key `{key}`{hint}")));
            }
            let mut filled: Vec<(&str, Cow<'_, str>)> = Vec::with_capacity(4);
            let mut count = None;
            for (name, value) in kwargs.iter() {
                let Some(name) = name.as_str().filter(|&n| n != "key") else { continue };
                let text = argument_text(value);
                if name == "count" {
                    count = value.as_f64().or_else(|| text.parse().ok());
                }
                // The table's text is the theme's own, like the template's; values are escaped
                // here (unless already safe, as another `t`'s), so the result is safe.
                filled.push((name, if value.is_safe() { text } else { escaped(text)? }));
            }
            let args: Vec<(&str, &str)> = filled.iter().map(|(n, v)| (*n, v.as_ref())).collect();
            let out = match count {
                Some(n) if n >= 0.0 && n.fract() == 0.0 => strings.count(key, n as usize, &args),
                _ => strings.text(key, &args),
            };
            Ok(tera::Value::safe_string(&out))
        },
    );
}

/// A template value as a placeholder shows it: numbers as `num` prints them, none as nothing.
fn argument_text(value: &tera::Value) -> Cow<'_, str> {
    if let Some(s) = value.as_str() {
        Cow::Borrowed(s)
    } else if value.is_none() || value.is_undefined() {
        Cow::Borrowed("")
    } else if value.is_f64() {
        Cow::Owned(format_number(value.as_f64().unwrap_or_default()))
    } else {
        Cow::Owned(value.to_string())
    }
}

/// `text` escaped for HTML as Tera escapes (unchanged, and not copied, when nothing needs it).
fn escaped(text: Cow<'_, str>) -> tera::TeraResult<Cow<'_, str>> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return Ok(text);
    }
    let mut escaped = Vec::with_capacity(text.len() + 16);
    tera::escape_html(&text, &mut escaped).map_err(tera::Error::message)?;
    String::from_utf8(escaped).map(Cow::Owned).map_err(tera::Error::message)
}

/// Numbers as printed in Chinese reports: no trailing `.0`, at most two decimals.
pub fn format_number(value: f64) -> String {
    if !value.is_finite() {
        return "—".into();
    }
    // Rounded to hundredths in integers and printed from them, as `{:.2}` would print the value,
    // without formatting a float; a value near a rounding tie (where the product's own rounding
    // could matter) takes `{:.2}`.
    if let Some(hundredths) = rounded_scaled(value, 100.0) {
        return hundredths_text(hundredths);
    }
    let s = format!("{:.2}", value);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// `value × scale` rounded to an integer, when that is the rounding `{:.N}` makes of the value
/// itself: the product is small enough to be exact to far better than 10⁻⁶, and not within 10⁻⁶
/// of a tie. None otherwise.
pub(crate) fn rounded_scaled(value: f64, scale: f64) -> Option<i64> {
    let scaled = value * scale;
    let off_tie = (scaled.fract().abs() - 0.5).abs() > 1e-6;
    (scaled.abs() < 1e9 && off_tie).then(|| scaled.round() as i64)
}

/// `n` hundredths as `format_number` prints them: `-1250` → `-12.5`, `0` → `0`.
fn hundredths_text(n: i64) -> String {
    let (whole, frac) = (n.unsigned_abs() / 100, n.unsigned_abs() % 100);
    let mut out = String::with_capacity(12);
    if n < 0 {
        out.push('-');
    }
    out.push_str(&whole.to_string());
    if frac != 0 {
        out.push('.');
        out.push(char::from(b'0' + (frac / 10) as u8));
        if frac % 10 != 0 {
            out.push(char::from(b'0' + (frac % 10) as u8));
        }
    }
    out
}

/// The located part of a Tera error (syntax or rendering), searched along its sources.
fn report(e: &tera::Error) -> Option<&tera::ReportError> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = current {
        if let Some(te) = err.downcast_ref::<tera::Error>()
            && let tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) = te.kind()
        {
            return Some(r);
        }
        current = err.source();
    }
    None
}

/// A template error as `file:line:col: message`, from Tera's structured error: the message and
/// span of its report when it has one (the span's column is 0-based; ours are 1-based), else the
/// error's own text with its causes.
pub(crate) fn template_diagnostic(file: &str, e: &tera::Error) -> Diagnostic {
    match report(e) {
        Some(r) => {
            let span = r.span();
            Diagnostic::new(file, r.message().trim()).at(span.start_line, span.start_col + 1)
        }
        None => Diagnostic::new(file, error_chain(e)),
    }
}

/// The errors of loading templates together, each in its own template's file. Syntax errors
/// carry Tera's structured report; the checks across templates (unknown filters, tests,
/// functions, blocks) come from Tera only as report text, one report per error
/// (`error: MESSAGE` then ` --> NAME:LINE:COL`), which is read here as a last resort.
fn load_diagnostics(e: &tera::Error, shown: impl Fn(&str) -> String) -> Vec<Diagnostic> {
    if let Some(r) = report(e) {
        return vec![template_diagnostic(&shown(r.filename()), e)];
    }
    let text = e.to_string();
    let mut out = Vec::new();
    for chunk in text.split("\n\n") {
        let mut message = None;
        let mut place = None;
        for line in chunk.lines().map(str::trim) {
            if let Some(m) = line.strip_prefix("error:") {
                message.get_or_insert_with(|| m.trim().to_string());
            } else if let Some(at) = line.strip_prefix("-->") {
                let mut parts = at.trim().rsplitn(3, ':');
                let col = parts.next().and_then(|c| c.parse::<usize>().ok());
                let line_no = parts.next().and_then(|l| l.parse::<usize>().ok());
                if let (Some(c), Some(l), Some(name)) = (col, line_no, parts.next()) {
                    place.get_or_insert((name.to_string(), l, c));
                }
            }
        }
        match (message, place) {
            (Some(m), Some((name, l, c))) => out.push(Diagnostic::new(shown(&name), m).at(l, c)),
            (Some(m), None) => out.push(Diagnostic::new("templates", m)),
            _ => {}
        }
    }
    if out.is_empty() {
        out.push(Diagnostic::new("templates", error_chain(e)));
    }
    out
}

/// A rendering error, placed in the template it happened in (a page's template, or the base
/// or macro file it uses), as found in the theme folder or the embedded theme.
pub(crate) fn render_diagnostic(theme_dir: &Path, template: &str, e: &tera::Error) -> Diagnostic {
    let name = report(e).map(|r| r.filename()).filter(|n| !n.is_empty()).unwrap_or(template);
    let file = theme_dir.join("templates").join(name);
    let shown = if file.is_file() {
        shown_path(&file)
    } else {
        format!("<embedded theme>/templates/{name}")
    };
    template_diagnostic(&shown, e)
}

/// Rendering errors of many pages, one per distinct error: a template mistake fails every page
/// that uses it, and is reported once, naming the first page and how many others.
pub(crate) fn merge_render_errors(mut errors: Vec<(String, Diagnostic)>) -> Vec<Diagnostic> {
    errors.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    let mut out: Vec<Diagnostic> = Vec::new();
    let mut i = 0;
    while i < errors.len() {
        let same = errors[i..].iter().take_while(|(_, d)| *d == errors[i].1).count();
        let (page, d) = &errors[i];
        let others = match same - 1 {
            0 => String::new(),
            n => format!(" and {}", crate::diagnostic::count(n, "other page", "other pages")),
        };
        let mut d = d.clone();
        d.message = format!("{} (rendering /{page}{others})", d.message);
        out.push(d);
        i += same;
    }
    out
}

/// The error's message and every source's, joined.
pub(crate) fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        s.push_str(": ");
        s.push_str(&cause.to_string());
        source = cause.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs() {
        let abs = UrlScheme { base_path: "/archive/".into(), relative: false };
        assert_eq!(abs.href("meetings/2024-10-21/", "districts/"), "/archive/meetings/2024-10-21/");
        assert_eq!(abs.href("", "x/"), "/archive/");
        let rel = UrlScheme { base_path: "/".into(), relative: true };
        assert_eq!(
            rel.href("meetings/2024-10-21/", "districts/wanzhou/"),
            "../../meetings/2024-10-21/index.html"
        );
        assert_eq!(rel.href("", ""), "index.html");
        assert_eq!(rel.href("css/yilu.css", "meetings/"), "../css/yilu.css");
        assert_eq!(rel.href("meetings/x/#s1", "meetings/x/"), "../../meetings/x/index.html#s1");
        assert_eq!(rel.href("404.html", "404.html"), "404.html");
    }

    #[test]
    fn one_message_per_distinct_render_error() {
        let d = |msg: &str| Diagnostic::new("t.html", msg).at(3, 5);
        let merged = merge_render_errors(vec![
            ("b/".into(), d("Unknown filter")),
            ("a/".into(), d("Unknown filter")),
            ("c/".into(), d("Unknown filter")),
            ("x/".into(), d("Field `nope` not found")),
        ]);
        let shown: Vec<String> = merged.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "t.html:3:5: Field `nope` not found (rendering /x/)",
                "t.html:3:5: Unknown filter (rendering /a/ and 2 other pages)",
            ]
        );
    }

    #[test]
    fn template_errors_come_from_teras_structured_report() {
        let mut tera = Tera::new();
        let e = tera.add_raw_template("t.html", "line one\n  {% if %}").unwrap_err();
        assert!(report(&e).is_some(), "a syntax error has a structured report");
        let d = template_diagnostic("themes/x/templates/t.html", &e);
        assert_eq!((d.line, d.column), (Some(2), Some(9)), "{d:?}");
        assert!(!d.message.contains("error:") && !d.message.contains("-->"), "{}", d.message);
    }

    #[test]
    fn cross_template_errors_are_one_each_in_their_file() {
        let mut tera = Tera::new();
        let e = tera
            .add_raw_templates([("a.html", "x\n{{ 1 | nope }}"), ("b.html", "{{ 2 | nada }}")])
            .unwrap_err();
        let ds = load_diagnostics(&e, |n| format!("themes/t/templates/{n}"));
        let shown: Vec<String> = ds.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "themes/t/templates/a.html:2:8: Unknown filter `nope`",
                "themes/t/templates/b.html:1:8: Unknown filter `nada`"
            ]
        );
    }

    #[test]
    fn the_t_function_escapes_values_not_the_tables_text_and_knows_its_keys() {
        let render = |language: &str, template: &str| {
            let mut tera = Tera::new();
            tera.autoescape_on(vec![".html"]);
            register_language(&mut tera, Arc::new(Strings::embedded(language)));
            tera.add_raw_template("t.html", template).unwrap();
            let mut context = tera::Context::new();
            context.insert("name", "<b>万州</b>");
            context.insert("n", &1);
            tera.render("t.html", &context)
        };
        let cases = [
            (
                "en",
                r#"{{ t(key="feed.follow", name=name) }}"#,
                "Follow the speeches of &lt;b&gt;万州&lt;/b&gt; (Atom)",
            ),
            ("en", r#"{{ t(key="count.speeches", count=n) }}"#, "1 speech"),
            (
                "en",
                r#"{{ t(key="feed.follow", name=t(key="count.meetings", count=2)) }}"#,
                "Follow the speeches of 2 meetings (Atom)",
            ),
            (
                "zh-CN",
                r#"{{ t(key="data.note") }}"#,
                crate::render::i18n::Strings::embedded("zh-CN").text("data.note", &[]).leak(),
            ),
            ("en", r#"{{ "2024-10-21" | date }}"#, "21 October 2024"),
            ("zh-CN", r#"{{ "2024-10-21" | date }}"#, "2024-10-21"),
        ];
        for (language, template, want) in cases {
            assert_eq!(render(language, template).unwrap(), want, "{template}");
        }
        let e = render("en", r#"{{ t(key="nav.hom") }}"#).unwrap_err();
        assert!(
            error_chain(&e).contains("unknown string key `nav.hom` (did you mean `nav.home`?)"),
            "{e}"
        );
    }

    #[test]
    fn arguments_are_escaped_as_tera_escapes() {
        for text in ["万州", "a&b", "<i>", "\"q\"", "it's", "a/b", "", "&amp;"] {
            let mut tera_escaped = Vec::new();
            tera::escape_html(text, &mut tera_escaped).unwrap();
            let ours = escaped(Cow::Borrowed(text)).unwrap();
            assert_eq!(ours.as_bytes(), tera_escaped, "{text}");
            assert_eq!(matches!(ours, Cow::Borrowed(_)), ours == text, "{text}");
        }
    }

    #[test]
    fn plain_strings_are_put_in_place_of_their_calls_and_nothing_else_is() {
        let en = Strings::embedded("en");
        let home = en.plain("nav.home").unwrap();
        let until = en.plain("speaker.until").unwrap(); // white space at its ends
        assert_ne!(until.trim(), until);
        let cases = [
            (r#"<a>{{ t(key="nav.home") }}</a>"#.to_string(), format!("<a>{home}</a>")),
            // Unknown keys, arguments, other spacing, white space control, text with spaces
            // at its ends: left as calls.
            (r#"{{ t(key="nav.hom") }}"#.into(), r#"{{ t(key="nav.hom") }}"#.into()),
            (r#"{{ t(key="nav.home", x=1) }}"#.into(), r#"{{ t(key="nav.home", x=1) }}"#.into()),
            (r#"{{t(key="nav.home")}}"#.into(), r#"{{t(key="nav.home")}}"#.into()),
            (r#"{{- t(key="nav.home") }}"#.into(), r#"{{- t(key="nav.home") }}"#.into()),
            (r#"{{ t(key="speaker.until") }}"#.into(), r#"{{ t(key="speaker.until") }}"#.into()),
            // Inside another tag (a string, a comment): untouched; after it: replaced.
            (
                r#"{{ '{{ t(key="nav.home") }}' }}{# {{ t(key="nav.home") }} #}{{ t(key="nav.home") }}"#.into(),
                format!(r#"{{{{ '{{{{ t(key="nav.home") }}}}' }}}}{{# {{{{ t(key="nav.home") }}}} #}}{home}"#),
            ),
            // A template with a raw block is left whole.
            (
                r#"{%- raw %}{{ t(key="nav.home") }}{% endraw %}{{ t(key="nav.home") }}"#.into(),
                r#"{%- raw %}{{ t(key="nav.home") }}{% endraw %}{{ t(key="nav.home") }}"#.into(),
            ),
        ];
        for (template, want) in cases {
            assert_eq!(inline_texts(&template, &en), want, "{template}");
        }
    }

    #[test]
    fn a_failing_page_is_reported_as_its_template_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let templates = dir.path().join("templates");
        std::fs::create_dir_all(&templates).unwrap();
        // The error is after a call that is put in place, on the same line.
        let page = "<p>\n{{ t(key=\"nav.home\") }} {{ missing.field }}</p>\n";
        std::fs::write(templates.join("page.html"), page).unwrap();
        let urls = UrlScheme { base_path: "/".into(), relative: false };
        let built = build(Some(dir.path()), urls, Arc::new(Strings::embedded("en"))).unwrap();
        let mut out = Vec::new();
        let e = built.render_to("page.html", &tera::Context::new(), &mut out, dir.path());
        let d = e.unwrap_err();
        assert_eq!((d.line, d.column), (Some(2), Some(28)), "{d:?}");
        assert!(d.to_string().contains("missing"), "{d}");
        // And the page that renders is the one the calls would make.
        let fine = "<p>{{ t(key=\"nav.home\") }}|{{ t(key=\"nav.home\", x=1) }}</p>";
        std::fs::write(templates.join("page.html"), fine).unwrap();
        let urls = UrlScheme { base_path: "/".into(), relative: false };
        let built = build(Some(dir.path()), urls, Arc::new(Strings::embedded("en"))).unwrap();
        let mut out = Vec::new();
        built.render_to("page.html", &tera::Context::new(), &mut out, dir.path()).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "<p>Home|Home</p>");
    }

    #[test]
    fn numbers() {
        assert_eq!(format_number(6.6), "6.6");
        assert_eq!(format_number(128.0), "128");
        assert_eq!(format_number(-3.25), "-3.25");
        assert_eq!(format_number(9.0), "9");
        assert_eq!(format_number(-0.004), "0");
        assert_eq!(format_number(0.125), "0.12");
        assert_eq!(format_number(f64::NAN), "—");
    }

    /// `{:.2}` with trailing zeros cut: what `format_number` has always printed.
    fn printed_with_two_decimals(value: f64) -> String {
        let s = format!("{value:.2}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s == "-0" { "0".into() } else { s.to_string() }
    }

    proptest::proptest! {
        #[test]
        fn numbers_print_as_with_two_decimals(
            value in proptest::num::f64::NORMAL | proptest::num::f64::ZERO,
            plain in -1e7f64..1e7,
        ) {
            proptest::prop_assert_eq!(format_number(value), printed_with_two_decimals(value));
            proptest::prop_assert_eq!(format_number(plain), printed_with_two_decimals(plain));
        }

        #[test]
        fn hundredths_and_ties_print_as_with_two_decimals(n in -2_000_000_000i64..2_000_000_000, half in 0..3u8) {
            // Whole hundredths, and values a half-hundredth off (the ties of rounding).
            let value = (n as f64 + f64::from(half) * 0.5) / 100.0;
            proptest::prop_assert_eq!(format_number(value), printed_with_two_decimals(value));
        }
    }
}
