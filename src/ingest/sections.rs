//! A speech's paragraphs → its Markdown body: the lead, then one `##` heading per section.
//!
//! A paragraph opening with a Chinese numeral and `、` ("一、建体系挑大梁，产业能级全面跃升。…")
//! is a section: its first sentence, without the final 。, is the heading and the rest stays as
//! the paragraph. Speeches without numbers whose paragraphs (after the lead) all open with a
//! short "X，Y。" sentence get the same treatment.

use super::text::detection;

/// Length in chars of a leading "一、" … "十二、" section number, if any.
pub(crate) fn number_len(line: &str) -> Option<usize> {
    let numerals = line.chars().take_while(|c| "一二三四五六七八九十".contains(*c)).count();
    (numerals > 0 && numerals <= 3 && line.chars().nth(numerals) == Some('、'))
        .then_some(numerals + 1)
}

/// A speech body, built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Body {
    /// Text before the first section (where the headline metrics are).
    pub(crate) lead: String,
    /// Section headings, in order.
    pub(crate) headings: Vec<String>,
    /// The Markdown body.
    pub(crate) markdown: String,
}

/// Splits a paragraph after its first sentence: (sentence without its end mark, rest).
fn first_sentence(paragraph: &str) -> (String, String) {
    // The sentence ends the detection form reads (`!` and `?` are `！` and `？` there).
    match paragraph.char_indices().find(|(_, c)| matches!(c, '。' | '！' | '？' | '!' | '?')) {
        Some((end, c)) => {
            (paragraph[..end].to_string(), paragraph[end + c.len_utf8()..].trim().to_string())
        }
        None => (paragraph.to_string(), String::new()),
    }
}

/// "扬优势强集群，夯实发展根基" — a short two-part heading sentence.
fn is_heading_sentence(sentence: &str) -> bool {
    let det = detection(sentence);
    let n = det.chars().count();
    let parts: Vec<&str> = det.split('，').collect();
    (6..=24).contains(&n)
        && parts.len() == 2
        && parts.iter().all(|p| p.chars().count() >= 3)
        && !det.chars().any(|c| c.is_ascii_digit() || c == '%')
}

/// Builds the body of a speech from its paragraphs.
pub(crate) fn build(paragraphs: &[String]) -> Body {
    // A section number is numerals and `、`, which the detection form leaves as they are.
    let numbered: Vec<bool> = paragraphs.iter().map(|p| number_len(p).is_some()).collect();
    let unnumbered = !numbered.iter().any(|&n| n)
        && paragraphs.len() >= 3
        && paragraphs[1..].iter().all(|p| {
            let (sentence, rest) = first_sentence(p);
            !rest.is_empty() && is_heading_sentence(&sentence)
        });
    let is_section = |i: usize| numbered[i] || (unnumbered && i > 0);

    let mut lead = Vec::new();
    let mut headings = Vec::new();
    let mut blocks = Vec::new();
    let mut in_sections = false;
    for (i, paragraph) in paragraphs.iter().enumerate() {
        if is_section(i) {
            in_sections = true;
            let (heading, rest) = first_sentence(paragraph);
            blocks.push(format!("## {}", escape(&heading)));
            headings.push(heading);
            if !rest.is_empty() {
                blocks.push(escape(&rest));
            }
        } else {
            if !in_sections {
                lead.push(paragraph.as_str());
            }
            blocks.push(escape(paragraph));
        }
    }
    let mut markdown = blocks.join("\n\n");
    if !markdown.is_empty() {
        markdown.push('\n');
    }
    if headings.is_empty() {
        // No sections: the lead is the opening paragraph, not the whole speech.
        lead.truncate(1);
    }
    Body { lead: lead.join("\n"), headings, markdown }
}

/// Transcript text as Markdown that renders as the same text: inline markup characters and
/// `<` are backslash-escaped, and a line that would open a block (#, >, -, +, "1.") is too.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '|' | '~' | '{' | '}') {
            out.push('\\');
        }
        out.push(c);
    }
    if out.starts_with(['#', '-', '+', '=']) {
        out.insert(0, '\\');
    } else if let Some((i, '.' | ')')) = out.char_indices().find(|(_, c)| !c.is_ascii_digit())
        && i > 0
    {
        // "1." would open an ordered list: escape the dot ("1\.").
        out.insert(i, '\\');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(s: &[&str]) -> Vec<String> {
        s.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn section_numbers() {
        for (line, want) in [
            ("一、建体系", Some(2)),
            ("十二、收尾", Some(3)),
            ("一是做强", None),
            ("、开头", None),
            ("建体系", None),
        ] {
            assert_eq!(number_len(line), want, "{line}");
        }
    }

    #[test]
    fn numbered_sections() {
        let body = build(&strings(&[
            "前三季度GDP增长6.6%。",
            "一、建体系挑大梁，产业能级全面跃升。一是做强产业发动机。",
            "二、扬优势强枢纽。",
        ]));
        assert_eq!(body.lead, "前三季度GDP增长6.6%。");
        assert_eq!(body.headings, vec!["一、建体系挑大梁，产业能级全面跃升", "二、扬优势强枢纽"]);
        assert_eq!(
            body.markdown,
            "前三季度GDP增长6.6%。\n\n## 一、建体系挑大梁，产业能级全面跃升\n\n一是做强产业发动机。\n\n## 二、扬优势强枢纽\n"
        );
    }

    #[test]
    fn unnumbered_sections() {
        let paragraphs = strings(&[
            "涪陵区深入贯彻党的二十届三中全会精神。前三季度GDP增长6%。",
            "扬优势强集群，夯实发展根基。延链补链做强主导产业。",
            "“四链”融合优生态，推动质效提升。科技赋能提升“含新量”。",
            "系统施策建机制，完善保障体系。构建招商工作体系。",
        ]);
        let body = build(&paragraphs);
        assert_eq!(body.headings.len(), 3);
        assert_eq!(body.headings[1], "“四链”融合优生态，推动质效提升");
        // One paragraph that does not fit the shape: no headings at all.
        let mut mixed = paragraphs.clone();
        mixed.push("此外，还有很多工作要做，比如这个那个，都在推进。".into());
        assert!(build(&mixed).headings.is_empty());
        assert_eq!(build(&mixed).lead, mixed[0]);
    }

    #[test]
    fn escapes_markdown() {
        for (text, want) in [
            ("产业链+基金", "产业链+基金"),
            ("#1 号", "\\#1 号"),
            ("1. 第一", "1\\. 第一"),
            ("<script>", "\\<script\\>"),
            ("a*b_c", "a\\*b\\_c"),
            ("2024年", "2024年"),
            ("标题 {onmouseover=x}", "标题 \\{onmouseover=x\\}"),
        ] {
            assert_eq!(escape(text), want, "{text}");
        }
    }
}
