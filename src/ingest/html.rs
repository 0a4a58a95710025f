//! The article's HTML page → its text, one paragraph per line. Read with a real HTML parser
//! (scraper/html5ever), never with patterns: the article is the `<article>` element when the page
//! has one, else the element holding the most `<p>` text; scripts, styles and navigation are
//! dropped, and every `<p>`, heading, `<div>` or `<br>` ends a line.

use std::collections::HashMap;

use scraper::{ElementRef, Html, Node, Selector};

/// True when `text` looks like an HTML page rather than a plain transcript.
pub fn looks_like_html(text: &str) -> bool {
    let head: String = text.trim_start().chars().take(512).collect::<String>().to_ascii_lowercase();
    head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || (head.starts_with('<')
            && (head.contains("<body") || head.contains("<p") || head.contains("<article")))
}

/// Elements whose content is never article text.
const SKIPPED: &[&str] = &[
    "script", "style", "nav", "noscript", "template", "iframe", "svg", "button", "form", "select",
];

/// Elements that start and end a line.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "section",
    "article",
    "blockquote",
    "tr",
    "header",
    "footer",
    "main",
    "ul",
    "ol",
    "table",
    "figure",
    "figcaption",
];

/// The article's text: one line per paragraph.
pub fn article_text(html: &str) -> String {
    let document = Html::parse_document(html);
    let root = article_root(&document);
    let mut out = String::new();
    walk(root.unwrap_or_else(|| document.root_element()), &mut out);
    out
}

fn article_root(document: &Html) -> Option<ElementRef<'_>> {
    let article = Selector::parse("article").expect("valid selector");
    if let Some(found) = document
        .select(&article)
        .max_by_key(|a| a.text().map(|t| t.trim().chars().count()).sum::<usize>())
        .filter(|a| a.text().any(|t| !t.trim().is_empty()))
    {
        return Some(found);
    }
    // The element whose <p> children hold the most text.
    let p = Selector::parse("p").expect("valid selector");
    let mut weight = HashMap::new();
    let mut order = Vec::new();
    for para in document.select(&p) {
        let Some(parent) = para.parent().and_then(ElementRef::wrap) else {
            continue;
        };
        let n: usize = para.text().map(|t| t.trim().chars().count()).sum();
        let entry = weight.entry(parent.id()).or_insert_with(|| {
            order.push(parent);
            0
        });
        *entry += n;
    }
    // First in document order among the heaviest: deterministic.
    let best = order.iter().map(|e: &ElementRef<'_>| weight[&e.id()]).max()?;
    order.into_iter().find(|e| weight[&e.id()] == best)
}

fn walk(element: ElementRef<'_>, out: &mut String) {
    for child in element.children() {
        match child.value() {
            Node::Text(text) => out.push_str(&text.replace(['\n', '\r'], " ")),
            Node::Element(inner) => {
                let name = inner.name();
                if SKIPPED.contains(&name) {
                    continue;
                }
                if name == "br" {
                    out.push('\n');
                    continue;
                }
                let block = BLOCKS.contains(&name);
                if block {
                    out.push('\n');
                }
                if let Some(child) = ElementRef::wrap(child) {
                    walk(child, out);
                }
                if block {
                    out.push('\n');
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(html: &str) -> Vec<String> {
        super::super::text::blocks(&article_text(html))
    }

    #[test]
    fn html_shapes() {
        for (html, want) in [
            (
                "<html><body><nav><p>首页</p></nav><article><h1>标题</h1><p>甲。</p><p>乙<br>丙</p>\
                 <script>var x = 1;</script></article><footer><p>版权</p></footer></body></html>",
                vec!["标题", "甲。", "乙", "丙"],
            ),
            (
                "<html><body><div class=side><p>链接</p></div><div id=c><p>第一段很长的正文。</p>\
                 <p>第二段。</p></div></body></html>",
                vec!["第一段很长的正文。", "第二段。"],
            ),
            ("<p>市委常委、万州区委书记&nbsp;卢红</p>", vec!["市委常委、万州区委书记 卢红"]),
        ] {
            assert_eq!(lines(html), want, "{html}");
        }
    }

    #[test]
    fn detects_html() {
        assert!(looks_like_html("<!DOCTYPE html><html>"));
        assert!(looks_like_html("  <html lang=zh>"));
        assert!(!looks_like_html("深化改革攻坚"));
    }
}
