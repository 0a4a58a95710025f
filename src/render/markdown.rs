//! Markdown → HTML, set up once, with what Chinese text needs: a soft break between two CJK
//! characters renders nothing (browsers would show a space), `**真，**她` is emphasis even though
//! CommonMark's flanking rules refuse it, and length and reading time count characters.
//!
//! Policy for untrusted text (transcripts come from newspapers and web pages): raw HTML is shown
//! as text, never passed through, and links with a scheme other than http(s)/mailto/relative are
//! replaced by `#`. Escaping beats sanitising: nothing in a transcript needs markup that Markdown
//! cannot express.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Serialize;

/// A rendered body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rendered {
    /// The body as HTML.
    pub html: String,
    /// The `##` headings, for the table of contents.
    pub(crate) toc: Vec<TocEntry>,
    /// The body as plain text, as [`plain_text`] gives it: for the search index.
    pub(crate) text: String,
}

/// One heading of the table of contents.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct TocEntry {
    pub(crate) level: u8,
    pub(crate) id: String,
    pub(crate) title: String,
}

/// Characters a Chinese reader reads in a minute, for reading time.
pub(crate) const CHARS_PER_MINUTE: usize = 400;

/// Minutes to read `chars` characters, at least one.
pub(crate) fn reading_minutes(chars: usize) -> usize {
    chars.div_ceil(CHARS_PER_MINUTE).max(1)
}

/// The one place pulldown-cmark's options are chosen.
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Renders Markdown; headings of level 2 and 3 get ids `s1`, `s2`, … and a TOC entry.
pub fn render(markdown: &str) -> Rendered {
    let mut events: Vec<Event<'_>> =
        pulldown_cmark::TextMergeStream::new(Parser::new_ext(markdown, options())).collect();
    // From the events as parsed (merged text reads the same), before they are made safe.
    let text = plain_text_of(events.iter(), markdown.len());
    pair_literal_strong(&mut events);
    let mut out = Vec::with_capacity(events.len());
    let mut toc = Vec::new();
    let mut in_heading = false;
    for i in 0..events.len() {
        let event = std::mem::replace(&mut events[i], Event::Text(CowStr::Borrowed("")));
        let event = match event {
            Event::SoftBreak => {
                let before = last_char_before(&out);
                let after = first_char_after(&events[i + 1..]);
                if before.is_some_and(is_cjk) && after.is_some_and(is_cjk) {
                    continue;
                }
                Event::SoftBreak
            }
            Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                Event::Start(Tag::Link { link_type, dest_url: safe_url(dest_url), title, id })
            }
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                Event::Start(Tag::Image { link_type, dest_url: safe_url(dest_url), title, id })
            }
            // Heading attributes (`{#id .class key=value}`) are untrusted text: only a safe id
            // passes; classes and other attributes (`onmouseover=…`) are dropped.
            Event::Start(Tag::Heading { level, id, .. })
                if matches!(level, HeadingLevel::H2 | HeadingLevel::H3) =>
            {
                let n = toc.len() + 1;
                let id =
                    id.filter(|id| is_safe_id(id)).unwrap_or_else(|| CowStr::from(format!("s{n}")));
                in_heading = true;
                toc.push(TocEntry { level: level as u8, id: id.to_string(), title: String::new() });
                Event::Start(Tag::Heading { level, id: Some(id), classes: vec![], attrs: vec![] })
            }
            Event::Start(Tag::Heading { level, id, .. }) => Event::Start(Tag::Heading {
                level,
                id: id.filter(|id| is_safe_id(id)),
                classes: vec![],
                attrs: vec![],
            }),
            Event::End(TagEnd::Heading(level)) => {
                in_heading = false;
                Event::End(TagEnd::Heading(level))
            }
            other => other,
        };
        if in_heading
            && let Event::Text(t) | Event::Code(t) = &event
            && let Some(entry) = toc.last_mut()
        {
            entry.title.push_str(t);
        }
        out.push(event);
    }
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    Rendered { html, toc, text }
}

/// An id a writer may give a heading (`{#methods}`, `{#第一节}`): letters, digits, `-` and `_`,
/// at most 64 bytes, so it can never carry markup or break out of the attribute.
fn is_safe_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_')
}

/// Only web and mail links and plain paths survive; `javascript:`, `data:` and the like become `#`.
fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let lower = url.trim_start().to_ascii_lowercase();
    let scheme_end = lower.find(':');
    let first_sep = lower.find(['/', '?', '#']);
    let has_scheme = matches!((scheme_end, first_sep), (Some(c), Some(s)) if c < s)
        || (scheme_end.is_some() && first_sep.is_none());
    if !has_scheme || ["http:", "https:", "mailto:"].iter().any(|s| lower.starts_with(s)) {
        url
    } else {
        CowStr::Borrowed("#")
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF | 0x3000..=0x303F | 0x3040..=0x30FF | 0x3100..=0x312F | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF | 0x20000..=0x2FA1F)
        || matches!(c, '“' | '”' | '‘' | '’' | '…' | '—')
}

fn last_char_before(events: &[Event<'_>]) -> Option<char> {
    events.iter().rev().find_map(|e| match e {
        Event::Text(t) | Event::Code(t) if !t.is_empty() => t.chars().last(),
        Event::Start(_) | Event::End(_) => None,
        _ => None,
    })
}

fn first_char_after(events: &[Event<'_>]) -> Option<char> {
    events.iter().find_map(|e| match e {
        Event::Text(t) | Event::Code(t) if !t.is_empty() => t.chars().next(),
        _ => None,
    })
}

/// CommonMark will not close `**` after full-width punctuation when a letter follows
/// (`**真，**她`), which leaves literal asterisks in Chinese text. Pair the `**` left in each
/// paragraph's text, in order, and turn each pair into strong emphasis.
fn pair_literal_strong(events: &mut Vec<Event<'_>>) {
    if !events.iter().any(|e| matches!(e, Event::Text(t) if t.contains("**"))) {
        return;
    }
    let mut out: Vec<Event<'_>> = Vec::with_capacity(events.len() + 8);
    let mut markers: Vec<usize> = Vec::new();
    for event in events.drain(..) {
        match &event {
            Event::Start(Tag::Paragraph | Tag::Heading { .. } | Tag::Item | Tag::TableCell) => {
                finish_block(&mut out, &mut markers);
                out.push(event);
            }
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell,
            ) => {
                finish_block(&mut out, &mut markers);
                out.push(event);
            }
            Event::Text(t) if t.contains("**") => {
                let text = t.to_string();
                let mut pieces = text.split("**").peekable();
                while let Some(piece) = pieces.next() {
                    if !piece.is_empty() {
                        out.push(Event::Text(CowStr::from(piece.to_string())));
                    }
                    if pieces.peek().is_some() {
                        markers.push(out.len());
                        out.push(Event::Text(CowStr::Borrowed("**")));
                    }
                }
            }
            _ => out.push(event),
        }
    }
    finish_block(&mut out, &mut markers);
    *events = out;
}

fn finish_block(out: &mut [Event<'_>], markers: &mut Vec<usize>) {
    for pair in markers.chunks_exact(2) {
        out[pair[0]] = Event::Start(Tag::Strong);
        out[pair[1]] = Event::End(TagEnd::Strong);
    }
    markers.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// A page's rendering carries the same plain text and character count as the
        /// functions that parse the body on their own.
        #[test]
        fn rendering_carries_the_plain_text(
            body in "([一-龥]{0,6}|[a-z ]{0,4}|\\*\\*|<b>|`x`|\n|\n\n|## |- |> |\\| a \\||\\[l\\]\\(u\\)|[，。]){0,30}"
        ) {
            let rendered = render(&body);
            proptest::prop_assert_eq!(&rendered.text, &plain_text(&body));
            proptest::prop_assert_eq!(text_chars(&body), count_chars(&plain_text(&body)));
        }
    }

    fn html(md: &str) -> String {
        render(md).html
    }

    #[test]
    fn heading_attributes_keep_only_a_safe_id() {
        let cases = [
            ("## H {onmouseover=alert(1) style=color:red}", "<h2 id=\"s1\">H</h2>\n"),
            ("## H {#ok .cls data-x=1}", "<h2 id=\"ok\">H</h2>\n"),
            ("## H {#第一节}", "<h2 id=\"第一节\">H</h2>\n"),
            ("## H {#a\"b}", "<h2 id=\"s1\">H</h2>\n"),
            ("# H {.x onclick=y}", "<h1>H</h1>\n"),
            ("#### H {#x onclick=y}", "<h4 id=\"x\">H</h4>\n"),
            // What ingest writes for a transcript line `一、标题 {onmouseover=…}`.
            ("## 标题 \\{onmouseover=x\\}", "<h2 id=\"s1\">标题 {onmouseover=x}</h2>\n"),
        ];
        for (md, want) in cases {
            assert_eq!(html(md), want, "{md}");
        }
    }

    #[test]
    fn soft_break_between_han_characters_vanishes() {
        assert_eq!(html("航线实现\n首航"), "<p>航线实现首航</p>\n");
        assert_eq!(html("增长6.6%，\n规上"), "<p>增长6.6%，规上</p>\n");
        assert_eq!(html("GDP\ngrowth"), "<p>GDP\ngrowth</p>\n");
        assert_eq!(html("实现\nGDP"), "<p>实现\nGDP</p>\n");
    }

    #[test]
    fn strong_next_to_full_width_punctuation() {
        assert_eq!(html("**真，**她"), "<p><strong>真，</strong>她</p>\n");
        assert_eq!(html("他说**“好”**了"), "<p>他说<strong>“好”</strong>了</p>\n");
        assert_eq!(html("**普通**强调"), "<p><strong>普通</strong>强调</p>\n");
        // An odd marker stays literal.
        assert_eq!(html("2**3 与 **真，**她"), "<p>2<strong>3 与 </strong>真，**她</p>\n");
    }

    #[test]
    fn raw_html_is_escaped_and_bad_links_neutralised() {
        let out = html(
            "<script>alert(1)</script>\n\n[x](javascript:alert(1)) [y](https://a.org/) [z](../p/)",
        );
        assert!(!out.contains("<script>"), "{out}");
        assert!(out.contains("&lt;script&gt;"), "{out}");
        assert!(out.contains(r##"<a href="#">x</a>"##), "{out}");
        assert!(out.contains(r#"href="https://a.org/""#), "{out}");
        assert!(out.contains(r#"href="../p/""#), "{out}");
        assert!(html("x <img src=x onerror=alert(1)> y").contains("&lt;img"));
    }

    #[test]
    fn headings_get_ids_and_toc() {
        let r = render("引言。\n\n## 一、建体系\n\n正文。\n\n## 二、扬优势\n");
        assert!(r.html.contains(r#"<h2 id="s1">一、建体系</h2>"#), "{}", r.html);
        assert_eq!(r.toc.len(), 2);
        assert_eq!(r.toc[1].title, "二、扬优势");
        assert_eq!(r.toc[1].id, "s2");
    }

    #[test]
    fn counts_characters_not_words() {
        let body = "万州区 GDP 增长6.6%。\n\n## 一、标题\n";
        assert_eq!(text_chars(body), "万州区GDP增长6.6%。一、标题".chars().count());
        assert_eq!(reading_minutes(0), 1);
        assert_eq!(reading_minutes(400), 1);
        assert_eq!(reading_minutes(401), 2);
    }
}

/// The text of a Markdown body without markup: block ends as line breaks, soft breaks as a space
/// (none between CJK characters), raw HTML as the text it shows. Parsing without writing HTML is
/// cheaper than [`render`], so the page model and the search index use this.
pub(crate) fn plain_text(markdown: &str) -> String {
    plain_text_of(Parser::new_ext(markdown, options()), markdown.len())
}

/// [`plain_text`] of a body's events.
fn plain_text_of<'a, E: std::borrow::Borrow<Event<'a>>>(
    events: impl Iterator<Item = E>,
    capacity: usize,
) -> String {
    let mut out = String::with_capacity(capacity);
    let end_block = |out: &mut String| {
        let kept = out.trim_end_matches(' ').len();
        out.truncate(kept);
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
    };
    let mut pending_space = false;
    for event in events {
        match event.borrow() {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                if pending_space {
                    let before = out.chars().last();
                    let after = t.chars().next();
                    if !(before.is_some_and(is_cjk) && after.is_some_and(is_cjk)) {
                        out.push(' ');
                    }
                    pending_space = false;
                }
                out.push_str(t);
            }
            Event::SoftBreak => pending_space = !out.is_empty(),
            Event::HardBreak
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock,
            ) => {
                pending_space = false;
                end_block(&mut out);
            }
            _ => {}
        }
    }
    let kept = out.trim_end().len();
    out.truncate(kept);
    out
}

/// The characters of a body's text, white space not counted: `plain_text`'s, without making it
/// (what it adds between blocks is white space).
pub(crate) fn text_chars(markdown: &str) -> usize {
    let text_of = |event: Event<'_>| match event {
        Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => count_chars(&t),
        _ => 0,
    };
    Parser::new_ext(markdown, options()).map(text_of).sum()
}

/// Characters a reader reads: everything but white space.
fn count_chars(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

#[cfg(test)]
mod plain_text_tests {
    use super::*;

    #[test]
    fn plain_text_of_markdown() {
        assert_eq!(
            plain_text("航线实现\n首航。\n\n## 一、标题\n\n**真，**她 GDP\ngrowth"),
            "航线实现首航。\n一、标题\n**真，**她 GDP growth"
        );
        assert_eq!(plain_text("<script>x</script>"), "<script>x</script>");
        assert_eq!(count_chars("万州 GDP\n增长"), 7);
    }
}
