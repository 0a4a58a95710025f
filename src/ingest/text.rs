//! Raw input → clean blocks of text. Owns everything about bytes and whitespace: refusing empty,
//! binary and non-UTF-8 input, the BOM, CR/CRLF line ends, full-width and no-break indentation,
//! and the punctuation-normalised *detection* form the parser reads (text itself is kept as written).

/// Why raw input is not text we can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputProblem {
    Empty,
    Binary,
    NotUtf8 { offset: usize },
    TooLarge { bytes: u64 },
}

/// The largest transcript ingest reads. A printed digest is tens of kilobytes and a saved
/// article page a few megabytes; anything past this is the wrong file, and refusing it before
/// reading keeps ingest's memory bounded (it holds a file's text several times over).
pub const MAX_INPUT_BYTES: u64 = 32 * 1024 * 1024;

impl std::fmt::Display for InputProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InputProblem::Empty => f.write_str("the file is empty"),
            InputProblem::Binary => {
                f.write_str("the file is binary (it contains NUL bytes), not a transcript")
            }
            InputProblem::NotUtf8 { offset } => {
                write!(
                    f,
                    "the file is not UTF-8 text (invalid byte at offset {offset}); convert it to UTF-8 first"
                )
            }
            InputProblem::TooLarge { bytes } => write!(
                f,
                "the file is {:.1} MiB; transcripts over {} MiB are refused (a digest is well under 1 MiB): is it the right file?",
                *bytes as f64 / 1048576.0,
                MAX_INPUT_BYTES / 1024 / 1024
            ),
        }
    }
}

/// Bytes → text, refusing what cannot be a transcript. Strips a BOM.
pub fn decode(bytes: &[u8]) -> Result<String, InputProblem> {
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(InputProblem::TooLarge { bytes: bytes.len() as u64 });
    }
    if bytes.contains(&0) {
        return Err(InputProblem::Binary);
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|e| InputProblem::NotUtf8 { offset: e.valid_up_to() })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(InputProblem::Empty);
    }
    Ok(text.to_string())
}

/// Whitespace the web and newspapers indent with: ASCII, full-width (U+3000), no-break.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}' || c == '\u{a0}' || c == '\u{feff}'
}

/// Every non-empty line, trimmed. Blank lines and single newlines both separate blocks; the
/// parser rejoins blocks a column break split.
pub fn blocks(text: &str) -> Vec<String> {
    text.split(['\n', '\r'])
        .map(|line| line.trim_matches(is_space))
        .filter(|line| !line.is_empty())
        .map(|line| line.split(is_space).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" "))
        .collect()
}

/// The detection form: ASCII punctuation mapped to full width, char for char, so indices in
/// it are indices in the original. `.` stays (it is also the decimal point).
pub fn detection(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            ',' => '，',
            ';' => '；',
            ':' => '：',
            '!' => '！',
            '?' => '？',
            '(' => '（',
            ')' => '）',
            c => c,
        })
        .collect()
}

/// True when a block ends a sentence, so the next block starts a new paragraph.
pub fn ends_sentence(block: &str) -> bool {
    let mut rev = block.chars().rev();
    match rev.next() {
        // "增长13." is a number a column break split, not a sentence end.
        Some('.') => !rev.next().is_some_and(|c| c.is_ascii_digit()),
        Some(c) => {
            matches!(c, '。' | '！' | '？' | '…' | '”' | '；' | '」' | '』' | '!' | '?' | ';' | '"')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_refuses_garbage() {
        assert_eq!(decode(b""), Err(InputProblem::Empty));
        assert_eq!(decode(b" \n\r\n"), Err(InputProblem::Empty));
        assert_eq!(decode(b"ab\0cd"), Err(InputProblem::Binary));
        assert_eq!(decode(b"ab\xffcd"), Err(InputProblem::NotUtf8 { offset: 2 }));
        assert_eq!(decode("\u{feff}标题".as_bytes()).unwrap(), "标题");
        let huge = vec![b'a'; MAX_INPUT_BYTES as usize + 1];
        assert_eq!(decode(&huge), Err(InputProblem::TooLarge { bytes: MAX_INPUT_BYTES + 1 }));
    }

    #[test]
    fn block_shapes() {
        for (input, want) in [
            ("甲\n\n乙\n", vec!["甲", "乙"]),
            ("甲\r\n\r\n乙\r\n", vec!["甲", "乙"]),
            ("甲\n乙", vec!["甲", "乙"]),
            ("\u{3000}\u{3000}甲\n\u{a0}乙 \n", vec!["甲", "乙"]),
            ("南岸区委书记\u{3000}许洪斌", vec!["南岸区委书记 许洪斌"]),
            ("甲\r乙", vec!["甲", "乙"]),
        ] {
            assert_eq!(blocks(input), want, "{input:?}");
        }
    }

    #[test]
    fn detection_keeps_char_positions() {
        let s = "前三季度,GDP增长6.6%;完成:";
        let d = detection(s);
        assert_eq!(d, "前三季度，GDP增长6.6%；完成：");
        assert_eq!(d.chars().count(), s.chars().count());
    }

    #[test]
    fn sentence_ends() {
        for (block, want) in [
            ("实现", false),
            ("实现。", true),
            ("“小巨人”", true),
            ("大抓工业、", false),
            ("done.", true),
            ("到位资金增长13.", false),
            ("", false),
        ] {
            assert_eq!(ends_sentence(block), want, "{block}");
        }
    }
}
