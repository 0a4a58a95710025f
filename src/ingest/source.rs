//! Where a transcript was published: the `source:` of its meeting. From the command line
//! (`--source-url`, `--publication`) and, for an HTML page, from its `<head>`: the canonical
//! link or `og:url`, and `og:site_name`. The command line wins over the page.

use scraper::{Html, Selector};

use crate::content::front_matter::Source;

/// A URL fit for `source.url`: absolute http(s), no spaces or control characters.
pub(crate) fn check_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let scheme = if lower.starts_with("https://") {
        "https://".len()
    } else if lower.starts_with("http://") {
        "http://".len()
    } else {
        return Err(format!("{url:?} is not an http:// or https:// URL"));
    };
    if url.len() == scheme || url.starts_with(['/', '?', '#']) {
        return Err(format!("{url:?} has no host"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("{url:?} contains a space or a control character"));
    }
    Ok(url.to_string())
}

/// The article's URL and site name from an HTML page's `<head>`, when it gives them.
pub(crate) fn from_html(html: &str) -> Source {
    // Only the head: the body can be large, and its links are not the page's own.
    let end = html.to_ascii_lowercase().find("</head>").map_or(html.len(), |i| i + 7);
    let head = Html::parse_document(&html[..end]);
    let first = |selector: &str, attribute: &str| {
        let selector = Selector::parse(selector).expect("valid selector");
        head.select(&selector)
            .filter_map(|e| e.value().attr(attribute))
            .map(str::trim)
            .find(|v| !v.is_empty())
            .map(str::to_string)
    };
    let url = first("link[rel~=canonical]", "href")
        .and_then(|u| check_url(&u).ok())
        .or_else(|| first("meta[property='og:url']", "content").and_then(|u| check_url(&u).ok()));
    let publication = first("meta[property='og:site_name']", "content");
    Source { publication, url }
}

/// The command line's values, else the page's; None when neither gives anything.
pub(crate) fn merge(flags: &Source, page: Source) -> Option<Source> {
    let source = Source {
        publication: flags.publication.clone().or(page.publication),
        url: flags.url.clone().or(page.url),
    };
    (source.publication.is_some() || source.url.is_some()).then_some(source)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        for (url, ok) in [
            ("https://www.cqrb.cn/html/2024-10/22/content.htm", true),
            ("http://example.org/a", true),
            ("javascript:alert(1)", false),
            ("https://", false),
            ("example.org/a", false),
            ("https://exa mple.org/", false),
        ] {
            assert_eq!(check_url(url).is_ok(), ok, "{url}");
        }
    }

    #[test]
    fn pages() {
        let cases: &[(&str, Option<&str>, Option<&str>)] = &[
            (
                r#"<html><head><link rel="canonical" href="https://a.cn/1.html"><meta property="og:url" content="https://b.cn/2.html"><meta property="og:site_name" content="重庆日报"></head><body><p>x</p></body></html>"#,
                Some("https://a.cn/1.html"),
                Some("重庆日报"),
            ),
            (
                r#"<html><head><meta property="og:url" content="https://b.cn/2.html"></head><body></body></html>"#,
                Some("https://b.cn/2.html"),
                None,
            ),
            (
                r#"<html><head><link rel="canonical" href="/relative.html"></head></html>"#,
                None,
                None,
            ),
            (
                r#"<html><head></head><body><link rel="canonical" href="https://body.cn/"></body></html>"#,
                None,
                None,
            ),
        ];
        for (html, url, publication) in cases {
            let s = from_html(html);
            assert_eq!(
                (s.url.as_deref(), s.publication.as_deref()),
                (*url, *publication),
                "{html}"
            );
        }
    }

    #[test]
    fn flags_win() {
        let flags = Source { publication: Some("重庆日报".into()), url: None };
        let page = Source { publication: Some("site".into()), url: Some("https://a.cn/".into()) };
        let got = merge(&flags, page).unwrap();
        assert_eq!(got.publication.as_deref(), Some("重庆日报"));
        assert_eq!(got.url.as_deref(), Some("https://a.cn/"));
        assert_eq!(merge(&Source::default(), Source::default()), None);
    }
}
