//! The one place the Tera instance is built: the embedded default theme first, then the site's
//! `themes/NAME/templates/*.html` over it, template by template. Filters that need the site's
//! URL scheme (`url`) are registered here, so templates never compute links themselves.

use std::path::Path;

use anyhow::{Context as _, Result};
use tera::{Kwargs, State, Tera};

use crate::diagnostic::{Diagnostic, Diagnostics};

/// The default theme, embedded so `yilu build` works with no themes/ folder.
pub const EMBEDDED_TEMPLATES: &[(&str, &str)] = &[
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
pub const EMBEDDED_STATIC: &[(&str, &[u8])] = &[
    ("css/yilu.css", include_bytes!("../../themes/default/static/css/yilu.css")),
    ("js/sort.js", include_bytes!("../../themes/default/static/js/sort.js")),
    ("js/search.js", include_bytes!("../../themes/default/static/js/search.js")),
    ("favicon.svg", include_bytes!("../../themes/default/static/favicon.svg")),
];

/// How links are written: under a base path (`/archive/`) or relative to the page.
#[derive(Debug, Clone)]
pub struct UrlScheme {
    /// Path part of base_url, always starting and ending with `/`.
    pub base_path: String,
    pub relative: bool,
}

impl UrlScheme {
    /// The href for `target` (a site path such as `meetings/2024-10-21/`, no leading slash)
    /// on the page at `current`.
    pub fn href(&self, target: &str, current: &str) -> String {
        let (path, fragment) = match target.find('#') {
            Some(i) => (&target[..i], &target[i..]),
            None => (target, ""),
        };
        let path = path.trim_start_matches('/');
        if !self.relative {
            return format!("{}{path}{fragment}", self.base_path);
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

/// Builds Tera: embedded templates, then the theme folder's (if any) over them. Every template
/// error is reported with its file, not just the first.
pub fn build(theme_dir: Option<&Path>, urls: UrlScheme) -> Result<Tera> {
    let mut tera = Tera::new();
    tera.autoescape_on(vec![".html", ".xml"]);
    let mut sources: Vec<(String, String)> =
        EMBEDDED_TEMPLATES.iter().map(|(n, s)| (n.to_string(), s.to_string())).collect();
    let mut origin: Vec<(String, String)> = EMBEDDED_TEMPLATES
        .iter()
        .map(|(n, _)| (n.to_string(), format!("<embedded theme>/templates/{n}")))
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
            let shown = entry.path().display().to_string();
            match sources.iter_mut().position(|(n, _)| *n == name) {
                Some(i) => {
                    sources[i].1 = text;
                    origin[i].1 = shown;
                }
                None => {
                    sources.push((name.clone(), text));
                    origin.push((name, shown));
                }
            }
        }
    }
    register_filters(&mut tera, urls);
    // Parse each alone first, so every template with a syntax error is named; then all
    // together, which also checks inheritance, includes and filter names.
    let mut problems = Diagnostics::default();
    for ((name, text), (_, shown)) in sources.iter().zip(&origin) {
        let mut alone = Tera::new();
        if let Err(e) = alone.add_raw_template(name, text)
            && matches!(e.kind(), tera::ErrorKind::SyntaxError(_))
        {
            problems.push(template_diagnostic(shown, &e));
        }
    }
    problems.into_result().context("template error")?;
    tera.add_raw_templates(sources.iter().map(|(n, s)| (n.as_str(), s.as_str())))
        .map_err(|e| anyhow::anyhow!("template error: {}", error_chain(&e)))?;
    Ok(tera)
}

fn register_filters(tera: &mut Tera, urls: UrlScheme) {
    tera.register_filter("url", move |target: &str, _: Kwargs, state: &State| {
        let current: String = state.get("current").ok().flatten().unwrap_or_default();
        urls.href(target, &current)
    });
    tera.register_filter("num", |value: f64, _: Kwargs, _: &State| format_number(value));
    tera.register_filter("signed", |value: f64, _: Kwargs, _: &State| {
        let s = format_number(value);
        if value > 0.0 { format!("+{s}") } else { s }
    });
}

/// Numbers as printed in Chinese reports: no trailing `.0`, at most two decimals.
pub fn format_number(value: f64) -> String {
    if !value.is_finite() {
        return "—".into();
    }
    let s = format!("{:.2}", value);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// A template error as `file:line:col: message` when Tera gives a place.
pub fn template_diagnostic(file: &str, e: &tera::Error) -> Diagnostic {
    let text = error_chain(e);
    // Tera's reports read "… --> name:LINE:COL"; take the place from there.
    let place = text.lines().find_map(|l| {
        let l = l.trim();
        let rest = l.strip_prefix("-->")?.trim();
        let mut parts = rest.rsplitn(3, ':');
        let col = parts.next()?.trim().parse().ok()?;
        let line = parts.next()?.trim().parse().ok()?;
        Some((line, col))
    });
    let message = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("-->") && !l.starts_with('|'))
        .unwrap_or("template error")
        .trim_start_matches("error:")
        .trim()
        .to_string();
    let d = Diagnostic::new(file, message);
    match place {
        Some((line, col)) => d.at(line, col),
        None => d,
    }
}

/// The error's message and every source's, joined.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
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
    fn numbers() {
        assert_eq!(format_number(6.6), "6.6");
        assert_eq!(format_number(128.0), "128");
        assert_eq!(format_number(-3.25), "-3.25");
        assert_eq!(format_number(9.0), "9");
    }
}
