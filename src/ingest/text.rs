//! Raw input → clean blocks of text. Owns everything about bytes and whitespace: refusing empty,
//! binary and non-UTF-8 input, the BOM, CR/CRLF line ends, full-width and no-break indentation,
//! and the punctuation-normalised *detection* form the parser reads (text itself is kept as written).

use std::borrow::Cow;

/// Why raw input is not text we can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum InputProblem {
    Empty,
    Binary,
    /// Invalid UTF-8 at a 1-based line and column (in characters).
    NotUtf8 {
        line: usize,
        column: usize,
    },
    /// UTF-16 text (a BOM, or NUL in every other byte).
    Utf16 {
        big_endian: bool,
    },
    TooLarge {
        bytes: u64,
    },
}

/// The largest transcript ingest reads. A printed digest is tens of kilobytes and a saved
/// article page a few megabytes; anything past this is the wrong file, and refusing it before
/// reading keeps ingest's memory bounded (it holds a file's text several times over).
pub(crate) const MAX_INPUT_BYTES: u64 = 32 * 1024 * 1024;

impl std::fmt::Display for InputProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InputProblem::Empty => f.write_str("the file is empty"),
            InputProblem::Binary => {
                f.write_str("the file is binary (it contains NUL bytes), not a transcript")
            }
            InputProblem::NotUtf8 { .. } => f.write_str(
                "the file is not UTF-8 text (invalid byte here); convert it to UTF-8 first, e.g. \
                 `iconv -f GB18030 -t UTF-8 in.txt > out.txt`",
            ),
            InputProblem::Utf16 { big_endian } => write!(
                f,
                "the file is UTF-16{} text, not UTF-8: convert it first with \
                 `iconv -f UTF-16 -t UTF-8 in.txt > out.txt`",
                if *big_endian { "BE" } else { "LE" }
            ),
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
pub(crate) fn decode(bytes: &[u8]) -> Result<String, InputProblem> {
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(InputProblem::TooLarge { bytes: bytes.len() as u64 });
    }
    if let Some(big_endian) = utf16(bytes) {
        return Err(InputProblem::Utf16 { big_endian });
    }
    if bytes.contains(&0) {
        return Err(InputProblem::Binary);
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let offset = e.valid_up_to();
        let valid = std::str::from_utf8(&bytes[..offset]).unwrap_or("");
        let (line, column) = crate::diagnostic::line_col(valid, offset);
        InputProblem::NotUtf8 { line, column }
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(InputProblem::Empty);
    }
    Ok(text.to_string())
}

/// `Some(big_endian)` when `bytes` are UTF-16: a byte-order mark, or (without one) the whole
/// decoding as UTF-16 text without control characters, in the byte order that puts more NULs
/// in high bytes (UTF-16 gives one for every ASCII character; binary data decodes to controls
/// and unpaired surrogates).
fn utf16(bytes: &[u8]) -> Option<bool> {
    match bytes {
        [0xff, 0xfe, ..] => return Some(false),
        [0xfe, 0xff, ..] => return Some(true),
        _ => {}
    }
    if bytes.len() < 4 || !bytes.len().is_multiple_of(2) || !bytes.contains(&0) {
        return None;
    }
    let nul_at = |parity: usize| bytes.iter().skip(parity).step_by(2).filter(|&&b| b == 0).count();
    let big_endian = nul_at(0) > nul_at(1);
    let units = bytes.chunks_exact(2).map(|p| {
        if big_endian { u16::from_be_bytes([p[0], p[1]]) } else { u16::from_le_bytes([p[0], p[1]]) }
    });
    let text: String = char::decode_utf16(units).collect::<Result<_, _>>().ok()?;
    text.chars().all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t')).then_some(big_endian)
}

/// Characters input normalisation removes: zero-width marks and joiners, word joiner, BOMs
/// inside the text, bidirectional controls, non-characters and C0/C1 controls other than line
/// ends and tab. They are invisible, yet keep a speaker line from being read as one.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}' | '\u{fffe}' | '\u{ffff}'
    ) || (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// The text without [`is_invisible`] characters; the count removed and the (line, column) of the
/// first, for a warning.
pub(crate) fn strip_invisible(text: &str) -> (String, usize, Option<(usize, usize)>) {
    let Some(first) = text.find(is_invisible) else {
        return (text.to_string(), 0, None);
    };
    let at = crate::diagnostic::line_col(text, first);
    let mut removed = 0;
    let out: String = text
        .chars()
        .filter(|&c| {
            let drop = is_invisible(c);
            removed += usize::from(drop);
            !drop
        })
        .collect();
    (out, removed, Some(at))
}

/// Whitespace the web and newspapers indent with: ASCII, full-width (U+3000), no-break.
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}' || c == '\u{a0}' || c == '\u{feff}'
}

/// Every non-empty line, trimmed. Blank lines and single newlines both separate blocks; the
/// parser rejoins blocks a column break split.
#[cfg(test)]
pub(crate) fn blocks(text: &str) -> Vec<String> {
    numbered_blocks(text).into_iter().map(|(_, b)| b).collect()
}

/// [`blocks`] with the 1-based line each starts on (a CRLF counts as one line end).
pub(crate) fn numbered_blocks(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut n = 0;
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        // A lone CR (old Mac line end) ends a line too.
        for piece in line.split('\r') {
            n += 1;
            let piece = piece.trim_matches(is_space);
            if !piece.is_empty() {
                let words: Vec<&str> = piece.split(is_space).filter(|w| !w.is_empty()).collect();
                out.push((n, words.join(" ")));
            }
        }
    }
    out
}

/// The detection form: ASCII punctuation mapped to full width, char for char, so indices in
/// it are indices in the original. `.` stays (it is also the decimal point).
pub(crate) fn detection(text: &str) -> Cow<'_, str> {
    // Most blocks print full-width punctuation already: borrowed, not copied.
    if !text.bytes().any(|b| matches!(b, b',' | b';' | b':' | b'!' | b'?' | b'(' | b')')) {
        return Cow::Borrowed(text);
    }
    // The mapped characters are ASCII, so a byte scan finds them and every cut is a char
    // boundary; runs between them are copied whole.
    let mut out = String::with_capacity(text.len() + 8);
    let mut from = 0;
    for (i, b) in text.bytes().enumerate() {
        let wide = match b {
            b',' => '，',
            b';' => '；',
            b':' => '：',
            b'!' => '！',
            b'?' => '？',
            b'(' => '（',
            b')' => '）',
            _ => continue,
        };
        out.push_str(&text[from..i]);
        out.push(wide);
        from = i + 1;
    }
    out.push_str(&text[from..]);
    Cow::Owned(out)
}

/// True when a block ends a sentence, so the next block starts a new paragraph.
pub(crate) fn ends_sentence(block: &str) -> bool {
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
        assert_eq!(decode(b"ab\xffcd"), Err(InputProblem::NotUtf8 { line: 1, column: 3 }));
        assert_eq!(
            decode(&[&b"\xe7\x94\xb2\n"[..], "乙乙".as_bytes(), b"\xff"].concat()),
            Err(InputProblem::NotUtf8 { line: 2, column: 3 })
        );
        let utf16le: Vec<u8> = "标题\n10月21日".encode_utf16().flat_map(u16::to_le_bytes).collect();
        let utf16be: Vec<u8> = "10月21日 GDP".encode_utf16().flat_map(u16::to_be_bytes).collect();
        let with_bom: Vec<u8> = [0xff, 0xfe].into_iter().chain(utf16le.clone()).collect();
        assert_eq!(decode(&with_bom), Err(InputProblem::Utf16 { big_endian: false }));
        assert_eq!(decode(&utf16le), Err(InputProblem::Utf16 { big_endian: false }));
        assert_eq!(decode(&utf16be), Err(InputProblem::Utf16 { big_endian: true }));
        assert_eq!(decode("\u{feff}标题".as_bytes()).unwrap(), "标题");
        let huge = vec![b'a'; MAX_INPUT_BYTES as usize + 1];
        assert_eq!(decode(&huge), Err(InputProblem::TooLarge { bytes: MAX_INPUT_BYTES + 1 }));
    }

    #[test]
    fn invisible_characters() {
        for (input, want, removed) in [
            ("南岸区委书记\u{200b} 许洪斌", "南岸区委书记 许洪斌", 1),
            ("甲\u{feff}乙\u{7}丙\u{2060}", "甲乙丙", 3),
            ("甲\t乙\r\n", "甲\t乙\r\n", 0),
            ("\u{200d}\u{200c}\u{202e}x\u{0}", "x", 4),
        ] {
            let (got, n, _) = strip_invisible(input);
            assert_eq!((got.as_str(), n), (want, removed), "{input:?}");
        }
        assert_eq!(strip_invisible("甲\n乙\u{200b}").2, Some((2, 2)));
    }

    #[test]
    fn numbered_block_lines() {
        assert_eq!(
            numbered_blocks("甲\r\n\r\n乙\n丙\r丁"),
            vec![(1, "甲".into()), (3, "乙".into()), (4, "丙".into()), (5, "丁".into())]
        );
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
