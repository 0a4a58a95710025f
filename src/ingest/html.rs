//! The article's HTML page → its text, one paragraph per line. Read with a real HTML parser
//! (scraper/html5ever), never with patterns. The article is the best-filled of the containers
//! Chinese news sites print it in (`#ozoom`, `.TRS_Editor`, `#content`, `.article`, `<article>`,
//! …), else the element holding the most `<p>` text; the page's `<h1>` is put first when the
//! container leaves it out. Scripts, styles, navigation, footers, share bars and the
//! editor/source lines (责任编辑：…, 来源：…) are dropped; every `<p>`, heading, `<div>` or `<br>`
//! ends a line. Pages nested deeper than [`MAX_DEPTH`] are refused before parsing (the parser's
//! cost grows with depth squared).

use std::collections::HashMap;

use scraper::{ElementRef, Html, Node, Selector};

/// True when `text` looks like an HTML page rather than a plain transcript.
pub(crate) fn looks_like_html(text: &str) -> bool {
    let head: String = text.trim_start().chars().take(512).collect::<String>().to_ascii_lowercase();
    head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || (head.starts_with('<')
            && (head.contains("<body") || head.contains("<p") || head.contains("<article")))
}

/// The deepest element nesting ingest reads. Real article pages nest a few dozen deep.
pub(crate) const MAX_DEPTH: usize = 512;

/// Elements whose content is never article text.
const SKIPPED: &[&str] = &[
    "script", "style", "nav", "noscript", "template", "iframe", "svg", "button", "form", "select",
    "footer", "aside", "head", "title",
];

/// Class or id words that mark page furniture inside an article container.
const FURNITURE: &[&str] = &[
    "nav",
    "menu",
    "footer",
    "breadcrumb",
    "crumb",
    "share",
    "comment",
    "comments",
    "related",
    "copyright",
    "recommend",
    "pager",
    "pagination",
    "editor",
    "toolbar",
    "print",
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
    "main",
    "ul",
    "ol",
    "table",
    "figure",
    "figcaption",
    "center",
    "font",
];

/// Containers news sites put the article text in, as CSS selectors: the People's Daily family
/// (`#ozoom`, `.rm_txt_con`), TRS-built government and party-paper sites (`.TRS_Editor`),
/// Xinhua (`#detail`), Sina (`#artibody`), NetEase (`#endText`, `.post_body`), China News
/// (`.left_zw`), and the generic ones.
const CONTAINERS: &str = "article, #ozoom, .TRS_Editor, .rm_txt_con, #rwb_zw, #detail, #artibody, \
     #endText, .post_body, .left_zw, #content, .content, #article, .article, .article-content, \
     .article_content, #articleContent, .articleContent, #zoom, .zoom, #main-content, .text, #text";

/// The article's text: one line per paragraph, or why the page cannot be read.
pub(crate) fn article_text(html: &str) -> Result<String, String> {
    let depth = nesting_depth(html);
    if depth > MAX_DEPTH {
        return Err(format!(
            "the page nests elements {depth} deep (more than {MAX_DEPTH}): not an article page; \
             save the article's text as a .txt file instead"
        ));
    }
    let document = Html::parse_document(html);
    let root = article_root(&document).unwrap_or_else(|| document.root_element());
    let mut out = String::new();
    if let Some(h1) = heading_outside(&document, root) {
        walk(h1, &mut out);
        out.push('\n');
    }
    walk(root, &mut out);
    let lines: Vec<&str> = out.lines().filter(|line| !is_page_line(line)).collect();
    Ok(lines.join("\n"))
}

/// Elements that never have children or an end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "keygen",
];

/// Elements whose end tag may be left out (the next sibling closes them): not counted.
const OPTIONAL_END: &[&str] = &[
    "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "tbody", "thead", "tfoot",
    "colgroup", "rb", "rt", "rp", "html", "head", "body",
];

/// The deepest nesting of elements in `html`, from its tags alone, in one linear pass
/// (comments, scripts and styles skipped; void elements, self-closing tags and elements with
/// optional end tags not counted). An upper bound on the parser's open-element stack for the
/// elements counted.
pub(crate) fn nesting_depth(html: &str) -> usize {
    let bytes = html.as_bytes();
    let lower = |b: u8| b.to_ascii_lowercase();
    let mut depth: usize = 0;
    let mut max = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        if bytes[i..].starts_with(b"<!--") {
            i = find(bytes, i + 4, b"-->").map_or(bytes.len(), |e| e + 3);
            continue;
        }
        let closing = bytes.get(i + 1) == Some(&b'/');
        let start = if closing { i + 2 } else { i + 1 };
        let mut end = start;
        while end < bytes.len() && bytes[end].is_ascii_alphanumeric() {
            end += 1;
        }
        if end == start {
            i += 1;
            continue;
        }
        let name: String = bytes[start..end].iter().map(|&b| lower(b) as char).collect();
        let close = find(bytes, end, b">").unwrap_or(bytes.len());
        let self_closing = close > 0 && bytes.get(close - 1) == Some(&b'/');
        i = close + 1;
        if name == "script" || name == "style" {
            if !closing {
                let needle = format!("</{name}");
                i = find_ascii_ci(bytes, i, needle.as_bytes()).unwrap_or(bytes.len());
            }
            continue;
        }
        if VOID.contains(&name.as_str()) || OPTIONAL_END.contains(&name.as_str()) || self_closing {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            max = max.max(depth);
        }
    }
    max
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

fn find_ascii_ci(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|p| p + from)
}

/// Text chars inside `e` outside links (navigation is mostly links), scripts and styles: one
/// pass over its subtree.
fn text_weight(e: ElementRef<'_>) -> usize {
    let mut n = 0;
    let mut stack = vec![*e];
    while let Some(node) = stack.pop() {
        match node.value() {
            Node::Text(t) => n += t.trim().chars().count(),
            Node::Element(el) if matches!(el.name(), "a" | "script" | "style") => {}
            _ => stack.extend(node.children()),
        }
    }
    n
}

fn article_root(document: &Html) -> Option<ElementRef<'_>> {
    let containers = Selector::parse(CONTAINERS).expect("valid selector");
    // The container with the most text; a nested container wins over its parent when it holds
    // most of that text (`.article` > `.TRS_Editor`: the inner one, without the bylines).
    let found: Vec<(ElementRef<'_>, usize)> = document
        .select(&containers)
        .filter(|e| !is_furniture(e))
        .map(|e| (e, text_weight(e)))
        .filter(|&(_, w)| w > 0)
        .collect();
    if let Some(&(best, weight)) = found.iter().max_by_key(|(_, w)| *w) {
        let inner = found
            .iter()
            .filter(|(e, w)| *w * 10 >= weight * 8 && e.ancestors().any(|a| a.id() == best.id()))
            .max_by_key(|(e, _)| e.ancestors().count());
        return Some(inner.map_or(best, |&(e, _)| e));
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

/// The page's first `<h1>` when it comes before `root` and outside it: the headline a content
/// container leaves out.
fn heading_outside<'a>(document: &'a Html, root: ElementRef<'a>) -> Option<ElementRef<'a>> {
    let h1 = Selector::parse("h1").expect("valid selector");
    if root.select(&h1).next().is_some() {
        return None;
    }
    let first = document.select(&h1).find(|h| h.text().any(|t| !t.trim().is_empty()))?;
    let inside_furniture = first
        .ancestors()
        .filter_map(ElementRef::wrap)
        .any(|a| is_furniture(&a) || matches!(a.value().name(), "nav" | "footer" | "aside" | "a"));
    // Before the root in document order: the root's position among all nodes comes later.
    let before = document
        .root_element()
        .descendants()
        .find(|n| n.id() == first.id() || n.id() == root.id())
        .is_some_and(|n| n.id() == first.id());
    (before && !inside_furniture).then_some(first)
}

/// True for an element whose class or id names page furniture (`div.share`, `#footer`).
fn is_furniture(e: &ElementRef<'_>) -> bool {
    let v = e.value();
    let words = v.classes().chain(v.id());
    words.flat_map(|w| w.split('-')).any(|w| FURNITURE.iter().any(|f| w.eq_ignore_ascii_case(f)))
}

/// Labels of the editor, source and print lines news pages put around an article.
const PAGE_LABELS: &[&str] = &[
    "责任编辑",
    "责编",
    "编辑",
    "来源",
    "稿源",
    "校对",
    "审核",
    "审校",
    "初审",
    "复审",
    "终审",
    "监制",
    "值班编辑",
    "作者",
    "原标题",
    "本文来源",
    "出处",
];

/// Page chrome lines: `责任编辑：张三`, `来源：重庆日报`, `【打印】`, `分享到：` ….
fn is_page_line(line: &str) -> bool {
    let t = line.trim().trim_start_matches(['[', '【', '（', '(']).trim();
    if t.chars().count() > 80 {
        return false;
    }
    let labelled = |at: usize| {
        PAGE_LABELS.iter().any(|l| {
            t[at..].starts_with(l)
                && t[at + l.len()..].trim_start().starts_with([':', '：', '|', '｜'])
        })
    };
    // "2024-10-21 08:00 来源：重庆日报" too: a label after a date or a space.
    let after_space = t.char_indices().filter(|&(_, c)| c == ' ').any(|(i, _)| labelled(i + 1));
    let chrome = [
        "打印",
        "关闭",
        "关闭窗口",
        "分享到",
        "分享到：",
        "返回顶部",
        "上一篇",
        "下一篇",
        "【打印】",
        "【关闭】",
        "【纠错】",
        "扫一扫",
    ];
    labelled(0)
        || after_space
        || chrome.iter().any(|c| line.trim() == *c || t.trim_end_matches(['】', ']']) == *c)
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
                let Some(child) = ElementRef::wrap(child) else {
                    continue;
                };
                if is_furniture(&child) {
                    continue;
                }
                let block = BLOCKS.contains(&name);
                if block {
                    out.push('\n');
                }
                walk(child, out);
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
        super::super::text::blocks(&article_text(html).unwrap())
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
            (
                "<html><body><div class=nav><a href=/>首页</a></div><h1>会议标题</h1>\
                 <div class=info>2024-10-21 08:00 来源：重庆日报</div><div id=ozoom>\
                 <p>正文第一段。</p><p>正文第二段。</p></div><div class=editor>责任编辑：张三</div>\
                 </body></html>",
                vec!["会议标题", "正文第一段。", "正文第二段。"],
            ),
            (
                "<div class=TRS_Editor>甲段。<br/>乙段。<br>（责任编辑：李四）</div>",
                vec!["甲段。", "乙段。"],
            ),
        ] {
            assert_eq!(lines(html), want, "{html}");
        }
    }

    #[test]
    fn page_lines() {
        for (line, want) in [
            ("责任编辑：张三", true),
            ("【责任编辑：张三】", true),
            ("来源: 重庆日报", true),
            ("2024-10-21 08:00 来源：重庆日报", true),
            ("【打印】", true),
            ("分享到：", true),
            ("来源于群众的智慧，要坚持。", false),
            ("（作者系市委常委、万州区委书记）", false),
            ("编辑部召开会议。", false),
        ] {
            assert_eq!(is_page_line(line), want, "{line}");
        }
    }

    #[test]
    fn depth() {
        for (html, want) in [
            ("<div><div><p>a<p>b</div></div>", 2),
            ("<div><br><img src=x><hr/></div>", 1),
            ("<!-- <div><div> --><div></div>", 1),
            ("<script>'<div><div><div>'</script><div>", 1),
            ("<DIV><span></SPAN></div>", 2),
        ] {
            assert_eq!(nesting_depth(html), want, "{html}");
        }
        let deep = "<div>".repeat(MAX_DEPTH + 1);
        assert!(article_text(&deep).unwrap_err().contains("513 deep"));
    }

    #[test]
    fn detects_html() {
        assert!(looks_like_html("<!DOCTYPE html><html>"));
        assert!(looks_like_html("  <html lang=zh>"));
        assert!(!looks_like_html("深化改革攻坚"));
    }
}
