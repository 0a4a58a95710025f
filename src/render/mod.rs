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

/// `YYYY-MM-DD` as a date: the digits read in place (pages and charts read thousands of dates,
/// and chrono's parser reads its format string each time), checked by chrono; any other shape
/// through chrono's parser.
pub(crate) fn iso_date(text: &str) -> Option<chrono::NaiveDate> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    if b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10))
    {
        return chrono::NaiveDate::from_ymd_opt(y as i32, m, d);
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn iso_dates_read_as_chrono_reads_them(
            text in "[0-9]{4}-[0-3][0-9]-[0-3][0-9]|[0-9+ -]{0,3}[0-9]{1,4}-[0-9 ]{1,2}-[0-9]{1,3}"
        ) {
            let chrono = chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok();
            proptest::prop_assert_eq!(iso_date(&text), chrono);
        }
    }

    #[test]
    fn escapes_xml() {
        assert_eq!(escape_xml("a<b&\"c'\u{1}"), "a&lt;b&amp;&quot;c&apos;");
        assert_eq!(escape_xml("a\u{fffe}b\u{ffff}\u{0}c\td"), "abc\td");
        assert_eq!(crate::content::source::strip_non_xml("万州\u{fffe}区\u{7}"), "万州区");
        assert!(matches!(
            crate::content::source::strip_non_xml("万州区\n"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
