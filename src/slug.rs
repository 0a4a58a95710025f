//! URL slugs: always `[a-z0-9-]+`, at most [`MAX_LEN`] bytes and never a name Windows reserves
//! (`con`, `nul`, `com1` …), so a name from content can never reach outside its folder nor fail to
//! be written on any system. Han characters go through pinyin (plain, no tones); known
//! organisations never get here (see orgs).

use pinyin::ToPinyin;

/// A slug from any text: ASCII letters and digits kept (lowercased), Han characters as
/// pinyin syllables, everything else a single hyphen; "x" when nothing is left.
pub(crate) fn ascii_slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let push_word = |out: &mut String, word: &str| {
        if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        out.push_str(word);
    };
    let mut ascii_run = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            ascii_run.push(c.to_ascii_lowercase());
            continue;
        }
        if !ascii_run.is_empty() {
            push_word(&mut out, &ascii_run);
            ascii_run.clear();
        }
        if let Some(p) = c.to_pinyin() {
            push_word(&mut out, p.plain());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    if !ascii_run.is_empty() {
        push_word(&mut out, &ascii_run);
    }
    cap(out.trim_matches('-'))
}

/// Longest slug, in bytes: well inside every file system's limit for one path segment.
pub(crate) const MAX_LEN: usize = 64;

/// Names Windows reserves for devices, in any case and with any extension: a folder so named
/// cannot be created or copied there.
const RESERVED: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// True when `s` is a name Windows reserves (`con`, `nul`, `com1` …).
pub(crate) fn is_reserved(s: &str) -> bool {
    RESERVED.iter().any(|r| r.eq_ignore_ascii_case(s))
}

/// A `[a-z0-9-]+` string made a valid slug: at most [`MAX_LEN`] bytes (cut at a hyphen where
/// one is near), no hyphen at either end, `x` for nothing, `-x` after a reserved name.
pub(crate) fn cap(slug: &str) -> String {
    let mut s = slug.trim_matches('-');
    if s.len() > MAX_LEN {
        // ASCII only, so any byte index is a char boundary.
        let cut = &s[..MAX_LEN];
        s = match cut.rfind('-') {
            Some(at) if at >= MAX_LEN / 2 => &cut[..at],
            _ => cut,
        };
        s = s.trim_end_matches('-');
    }
    match s {
        "" => "x".to_string(),
        s if is_reserved(s) => format!("{s}-x"),
        s => s.to_string(),
    }
}

/// Why `s` is no valid slug, said so a user can fix it; None when it is one.
pub(crate) fn problem(s: &str) -> Option<String> {
    if is_valid(s) {
        None
    } else if is_reserved(s) {
        Some(format!(
            "{s:?} is a name Windows reserves for a device (con, nul, com1 …); choose another"
        ))
    } else if s.len() > MAX_LEN {
        Some(format!("{s:?} is longer than {MAX_LEN} bytes"))
    } else {
        Some(format!("{s:?} must be lowercase ASCII letters, digits and hyphens"))
    }
}

/// `base-n`, shortened so the number always fits: distinct `n`, distinct slugs.
pub(crate) fn numbered(base: &str, n: usize) -> String {
    let suffix = format!("-{n}");
    let room = MAX_LEN - suffix.len();
    let base = if base.len() > room { base[..room].trim_end_matches('-') } else { base };
    format!("{base}{suffix}")
}

/// True when `s` is a non-empty `[a-z0-9-]+` of at most [`MAX_LEN`] bytes that neither starts
/// nor ends with a hyphen and is no reserved name.
pub(crate) fn is_valid(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_LEN
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !is_reserved(s)
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        for (input, want) in [
            ("南川区", "nan-chuan-qu"),
            ("Hello World", "hello-world"),
            ("../etc/passwd", "etc-passwd"),
            ("市经济信息委2", "shi-jing-ji-xin-xi-wei-2"),
            ("", "x"),
            ("///", "x"),
            ("CON", "con-x"),
            ("nul", "nul-x"),
            ("Com1", "com1-x"),
            ("lpt9", "lpt9-x"),
            ("com10", "com10"),
            ("console", "console"),
            ("con-1", "con-1"),
        ] {
            let got = ascii_slug(input);
            assert_eq!(got, want, "{input}");
            assert!(is_valid(&got), "{got}");
        }
    }

    #[test]
    fn reserved_names_are_never_valid() {
        for name in ["con", "prn", "aux", "nul", "com1", "com9", "lpt1", "lpt9"] {
            assert!(!is_valid(name), "{name}");
            assert!(is_valid(&cap(name)), "{name}");
        }
        for name in ["com", "com0", "lpt", "conx", "nul-x"] {
            assert!(is_valid(name), "{name}");
        }
    }

    #[test]
    fn long_slugs_are_capped_at_a_hyphen() {
        let long = ascii_slug(&"重庆市两江新区".repeat(12));
        assert!(long.len() <= MAX_LEN && is_valid(&long), "{long}");
        assert!(long.starts_with("zhong-qing-shi-liang-jiang"), "{long}");
        let word = cap(&"a".repeat(200));
        assert_eq!(word.len(), MAX_LEN);
        assert!(!is_valid(&"a".repeat(MAX_LEN + 1)));
        assert!(is_valid(&"a".repeat(MAX_LEN)));
        let numbered_long = numbered(&"a".repeat(MAX_LEN), 12);
        assert_eq!(numbered_long.len(), MAX_LEN);
        assert!(numbered_long.ends_with("a-12") && is_valid(&numbered_long));
        assert_eq!(numbered("xincheng", 2), "xincheng-2");
    }
}
