//! The search tokenizer, shared in spirit with `themes/default/static/js/search.js` (keep the two
//! in sync; `tests` below and the browser test pin the behaviour).
//!
//! Chinese has no spaces, so Han text is indexed as overlapping character bigrams: `新质生产力` →
//! 新质, 质生, 生产, 产力. A Han character standing alone between non-Han text is one unigram token.
//! ASCII letters and digits form whole, lowercased words (`GDP` → gdp, `5G` → 5g); a `.` between
//! two digits stays inside the word (`6.6`). Full-width ASCII (U+FF01–FF5E) and the ideographic
//! space fold to ASCII first, as NFKC would. Everything else — punctuation, other scripts — only
//! separates tokens.

/// A token: Han unigrams and bigrams packed as numbers (fast to hash, sort and compare; no
/// allocation per token), ASCII words as text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Token {
    /// `first << 21 | second`, `second` 0 for a unigram. Orders like the tokens' UTF-8 text.
    Han(u64),
    /// A run of Latin letters or digits, lower-cased.
    Word(String),
}

impl Token {
    pub(crate) fn han(first: char, second: Option<char>) -> Token {
        Token::Han((first as u64) << 21 | second.map_or(0, |c| c as u64))
    }

    /// The token's text, as the index files and the browser spell it.
    pub fn text(&self) -> String {
        match self {
            Token::Han(key) => han_chars(*key).into_iter().flatten().collect(),
            Token::Word(w) => w.clone(),
        }
    }
}

fn han_chars(key: u64) -> [Option<char>; 2] {
    let first = char::from_u32((key >> 21) as u32);
    let second = char::from_u32((key & 0x1F_FFFF) as u32).filter(|c| *c != '\0');
    [first, second]
}

/// Full-width ASCII to ASCII, ideographic space to space, ASCII upper case to lower case.
pub(crate) fn fold(c: char) -> char {
    let c = match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    };
    c.to_ascii_lowercase()
}

/// CJK unified ideographs (with extensions A–F), compatibility ideographs and `〇`.
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3007 | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

/// Calls `emit` with every token of `text`, in order, repeats included.
pub fn tokenize_with(text: &str, mut emit: impl FnMut(Token)) {
    let mut prev_han: Option<char> = None;
    let mut han_run = 0usize;
    let mut word = String::new();
    let mut chars = text.chars();
    let end_han = |prev: &mut Option<char>, run: &mut usize, emit: &mut dyn FnMut(Token)| {
        if *run == 1
            && let Some(c) = *prev
        {
            emit(Token::han(c, None));
        }
        *prev = None;
        *run = 0;
    };
    while let Some(c) = chars.next() {
        let c = fold(c);
        if is_han(c) {
            if !word.is_empty() {
                emit(Token::Word(std::mem::take(&mut word)));
            }
            if let Some(p) = prev_han {
                emit(Token::han(p, Some(c)));
            }
            prev_han = Some(c);
            han_run += 1;
            continue;
        }
        end_han(&mut prev_han, &mut han_run, &mut emit);
        let in_number = c == '.'
            && word.ends_with(|w: char| w.is_ascii_digit())
            && chars.clone().next().map(fold).is_some_and(|d| d.is_ascii_digit());
        if c.is_ascii_alphanumeric() || in_number {
            word.push(c);
        } else if !word.is_empty() {
            emit(Token::Word(std::mem::take(&mut word)));
        }
    }
    end_han(&mut prev_han, &mut han_run, &mut emit);
    if !word.is_empty() {
        emit(Token::Word(word));
    }
}

/// Every token of `text` as text, in order, repeats included.
#[cfg(test)]
pub(crate) fn tokenize(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    tokenize_with(text, |t| out.push(t.text()));
    out
}

const SEED: u32 = 0x811C_9DC5;
const MULTIPLIER: u32 = 0x9E37_79B1;

/// One code point into the hash: multiply, then fold the high bits down so that every bit of
/// every code point reaches the low bits the shard number is taken from.
fn mix(h: u32, code_point: u32) -> u32 {
    let h = (h ^ code_point).wrapping_mul(MULTIPLIER);
    h ^ h >> 15
}

/// The token's hash over its code points; the browser computes the same (`tokenHash`). Two
/// multiplies for a bigram: this runs for each of the ~15 million tokens of a 10,000-speech
/// archive, where hashing UTF-8 bytes (FNV) was most of the tokenizer's time.
pub fn token_hash(token: &Token) -> u32 {
    match token {
        Token::Han(key) => {
            let h = mix(SEED, (key >> 21) as u32);
            match (key & 0x1F_FFFF) as u32 {
                0 => h,
                second => mix(h, second),
            }
        }
        Token::Word(w) => w.chars().fold(SEED, |h, c| mix(h, c as u32)),
    }
}

/// The postings shard holding `token`, out of `shards` (a power of two).
#[cfg(test)]
pub(crate) fn shard_of(token: &Token, shards: usize) -> usize {
    debug_assert!(shards.is_power_of_two());
    // `% shards` as a mask: a division per token is measurable at 15 million tokens.
    token_hash(token) as usize & (shards - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        let rows: &[(&str, &[&str])] = &[
            ("万州区GDP增长6.6%", &["万州", "州区", "gdp", "增长", "6.6"]),
            ("新质生产力", &["新质", "质生", "生产", "产力"]),
            ("5G基站", &["5g", "基站"]),
            ("市 长", &["市", "长"]),
            ("“3710”改革", &["3710", "改革"]),
            ("4.0版举措", &["4.0", "版举", "举措"]),
            ("增长6.6%。", &["增长", "6.6"]),
            ("版本1.2.3结束.", &["版本", "1.2.3", "结束"]),
            ("v1. next", &["v1", "next"]),
            ("a.b 3.x", &["a", "b", "3", "x"]),
            ("ＧＤＰ增长６．６％", &["gdp", "增长", "6.6"]),
            ("Ｈello　世界", &["hello", "世界"]),
            ("", &[]),
            ("，。！、……", &[]),
            ("〇", &["〇"]),
            ("𠀀𠀁", &["𠀀𠀁"]),
            ("ありがとう漢", &["漢"]),
        ];
        for (text, want) in rows {
            assert_eq!(tokenize(text), *want, "tokenize({text:?})");
        }
    }

    #[test]
    fn token_text_round_trips() {
        assert_eq!(Token::han('万', Some('州')).text(), "万州");
        assert_eq!(Token::han('万', None).text(), "万");
        // Packed order is text order.
        let mut toks =
            [Token::han('州', Some('区')), Token::han('万', None), Token::han('万', Some('州'))];
        toks.sort();
        let texts: Vec<String> = toks.iter().map(Token::text).collect();
        let mut sorted = texts.clone();
        sorted.sort();
        assert_eq!(texts, sorted);
    }

    #[test]
    fn shards_are_stable() {
        // Pinned: changing the hash breaks every published index and the browser script.
        assert_eq!(token_hash(&Token::Word(String::new())), 0x811C_9DC5);
        assert_eq!(token_hash(&Token::Word("a".into())), 0xE186_416B);
        assert_eq!(
            token_hash(&Token::han('万', Some('州'))),
            token_hash(&Token::Word("万州".into()))
        );
        let wz = Token::han('万', Some('州'));
        assert_eq!(shard_of(&wz, 256), token_hash(&wz) as usize % 256);
        assert_eq!(shard_of(&wz, 256), 55);
        assert_eq!(shard_of(&Token::Word("gdp".into()), 64), 33);
    }
}
