//! Reading one source file: as UTF-8 (a problem names its line and column), stripped of the
//! characters no output may hold, with paths shown relative to the site. Shared by the meeting
//! and the standalone-page loaders; a leaf of `content`.

use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;

use super::front_matter;

/// How to load: drafts included or not.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct LoadOptions {
    pub(crate) drafts: bool,
}

/// Whether XML 1.0 allows `c` in a document (`Char` in the XML spec): not the C0 controls but
/// tab and line ends, not U+FFFE and U+FFFF. Text from transcripts can hold any of them.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Whether `text` holds only characters XML allows. A scan of the UTF-8 bytes, not of the
/// characters: every file of a build passes through it, most of them twice. In a `str` the
/// only characters [`is_xml_char`] refuses are the C0 controls but tab and line ends, and
/// U+FFFE and U+FFFF (EF BF BE and EF BF BF).
fn all_xml(text: &str) -> bool {
    let bytes = text.as_bytes();
    // Branch-free within a block, so the compiler can compare many bytes at once.
    let control = |b: u8| u8::from(b < 0x20) & u8::from(!matches!(b, b'\t' | b'\n' | b'\r'));
    let no_controls =
        bytes.chunks(64).all(|block| block.iter().fold(0, |c, &b| c | control(b)) == 0);
    no_controls
        && !memchr::memmem::find_iter(bytes, b"\xEF\xBF")
            .any(|k| matches!(bytes.get(k + 2), Some(0xBE | 0xBF)))
}

/// `text` without the characters XML forbids (borrowed when there are none, as nearly always).
pub(crate) fn strip_non_xml(text: &str) -> std::borrow::Cow<'_, str> {
    if all_xml(text) {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(text.chars().filter(|&c| is_xml_char(c)).collect())
    }
}

pub(crate) fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

pub(crate) fn read(root: &Path, path: &Path) -> Result<String, Diagnostic> {
    with_text(root, path, str::to_string)
}

/// Calls `f` with the text of the file at `path`, read as [`read`] reads it but into a buffer
/// the thread keeps from file to file: a build reads every speech twice (for the archive, then
/// for its page), and a fresh allocation per read cost more than the reading.
pub(crate) fn with_text<R>(
    root: &Path,
    path: &Path,
    f: impl FnOnce(&str) -> R,
) -> Result<R, Diagnostic> {
    use std::io::Read as _;
    /// A buffer grown past this by a large file is not kept.
    const KEEP: usize = 1 << 20;
    /// Room for a typical speech file at once.
    const FIRST_READ: usize = 64 << 10;
    thread_local! {
        static BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
    }
    // Taken out while in use, so a read inside `f` (on this thread) gets a buffer of its own.
    let mut bytes = BUFFER.take();
    bytes.clear();
    bytes.reserve(FIRST_READ);
    // Read through `take`, not `File::read_to_end`, which asks the file's size and position
    // first: two system calls of six per file, 40,000 a build at 10,000 speeches, for a size
    // the kept buffer nearly always holds already.
    let read =
        std::fs::File::open(path).and_then(|file| file.take(u64::MAX).read_to_end(&mut bytes));
    let result = match read {
        Err(e) => Err(Diagnostic::new(relative(root, path), format!("cannot read: {e}"))),
        // Validated with SIMD (simdutf8's `compat` error says where a file is not valid).
        Ok(_) => match simdutf8::compat::from_utf8(&bytes) {
            Err(e) => {
                let offset = e.valid_up_to();
                let valid = std::str::from_utf8(&bytes[..offset]).unwrap_or("");
                let (line, col) = crate::diagnostic::line_col(valid, offset);
                Err(Diagnostic::new(relative(root, path), "not valid UTF-8").at(line, col))
            }
            // Characters no page, feed or chart may hold (NUL, other controls, U+FFFE/U+FFFF)
            // are dropped as the file is read, so every output is well-formed whatever the
            // text held.
            Ok(text) => Ok(f(&strip_non_xml(text))),
        },
    };
    if bytes.capacity() <= KEEP {
        BUFFER.set(bytes);
    }
    result
}

pub(crate) fn fm_diag(root: &Path, path: &Path, e: front_matter::FrontMatterError) -> Diagnostic {
    let d = Diagnostic::new(relative(root, path), e.message).at(e.line, e.column);
    match e.hint {
        Some(hint) => d.with_hint(hint),
        None => d,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_byte_scan_agrees_with_the_character_rule() {
        let samples = [
            "",
            "万州区，GDP增长2.1%。\r\n\t",
            "\u{7}",
            "a\u{0}b",
            "\u{1f}",
            "\u{7f}\u{85}\u{9f}",
            "\u{fffd}",
            "\u{fffe}",
            "x\u{ffff}",
            "\u{ff0c}\u{ffef}\u{ffbe}",
            "\u{e000}\u{10ffff}",
            "\u{d7ff}",
        ];
        for text in samples {
            assert_eq!(all_xml(text), text.chars().all(is_xml_char), "{text:?}");
        }
    }

    #[test]
    fn a_read_names_the_line_and_column_of_bad_bytes_and_drops_what_xml_forbids() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("a.md");
        std::fs::write(&path, b"---\ntitle: \xe4\xb8\x87\xff\n").unwrap();
        let err = read(root.path(), &path).unwrap_err();
        assert_eq!(
            (err.line, err.column, err.message.as_str()),
            (Some(2), Some(9), "not valid UTF-8")
        );
        std::fs::write(&path, "万\u{0}州\u{fffe}区\n").unwrap();
        assert_eq!(read(root.path(), &path).unwrap(), "万州区\n");
        // The buffer a thread keeps is reused, never mixed into the next file's text.
        std::fs::write(root.path().join("b.md"), "b").unwrap();
        assert_eq!(read(root.path(), &root.path().join("b.md")).unwrap(), "b");
    }
}
