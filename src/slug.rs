//! URL slugs: always `[a-z0-9-]+`, so a name from content can never reach outside its folder.
//! Han characters go through pinyin (plain, no tones); curated names never get here (see orgs).

use pinyin::ToPinyin;

/// A slug from any text: ASCII letters and digits kept (lowercased), Han characters as
/// pinyin syllables, everything else a single hyphen; "x" when nothing is left.
pub fn ascii_slug(text: &str) -> String {
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
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() { "x".to_string() } else { trimmed.to_string() }
}

/// True when `s` is a non-empty `[a-z0-9-]+` that neither starts nor ends with a hyphen.
pub fn is_valid(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
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
        ] {
            let got = ascii_slug(input);
            assert_eq!(got, want, "{input}");
            assert!(is_valid(&got), "{got}");
        }
    }
}
