//! Rendering: Markdown bodies (markdown.rs) and Tera templates (templates.rs), each built once,
//! with the UI strings of the site's language (i18n.rs).

pub(crate) mod chart;
pub(crate) mod i18n;
pub(crate) mod map;
pub mod markdown;
pub mod templates;

/// Text for XML and HTML attribute or element content: markup characters escaped, and the
/// control characters XML 1.0 forbids dropped. Used by the feeds and the SVG charts.
pub(crate) fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if !crate::content::is_xml_char(c) => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_xml() {
        assert_eq!(super::escape_xml("a<b&\"c'\u{1}"), "a&lt;b&amp;&quot;c&apos;");
        assert_eq!(super::escape_xml("a\u{fffe}b\u{ffff}\u{0}c\td"), "abc\td");
        assert_eq!(crate::content::source::strip_non_xml("万州\u{fffe}区\u{7}"), "万州区");
        assert!(matches!(
            crate::content::source::strip_non_xml("万州区\n"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
