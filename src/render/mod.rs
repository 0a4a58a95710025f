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

/// A number as `{:.1}` writes it (SVG coordinates: thousands a chart), rounded in integers
/// unless it is near a tie of the rounding, where `{:.1}` itself decides.
pub(crate) struct Tenths(pub(crate) f64);

impl std::fmt::Display for Tenths {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match templates::rounded_scaled(self.0, 10.0) {
            Some(tenths) => {
                // Digits from the right, into a buffer: a chart writes thousands of these.
                let mut buf = [0u8; 24];
                let mut at = buf.len();
                let mut put = |byte: u8| {
                    at -= 1;
                    buf[at] = byte;
                };
                let mut rest = tenths.unsigned_abs();
                put(b'0' + (rest % 10) as u8);
                put(b'.');
                rest /= 10;
                loop {
                    put(b'0' + (rest % 10) as u8);
                    rest /= 10;
                    if rest == 0 {
                        break;
                    }
                }
                // `{:.1}` keeps the sign of a negative value that rounds to zero: `-0.0`.
                if self.0.is_sign_negative() {
                    put(b'-');
                }
                f.write_str(std::str::from_utf8(&buf[at..]).map_err(|_| std::fmt::Error)?)
            }
            None => write!(f, "{:.1}", self.0),
        }
    }
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

        #[test]
        fn tenths_print_as_with_one_decimal(
            value in -1e6f64..1e6,
            tie in -20_000i64..20_000,
            special in proptest::num::f64::ANY,
        ) {
            // Any value; values on a tie of the rounding (x.x5); anything at all (NaN, ∞, -0).
            for v in [value, tie as f64 / 20.0, special, -0.0, -0.04] {
                proptest::prop_assert_eq!(Tenths(v).to_string(), format!("{v:.1}"));
            }
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
