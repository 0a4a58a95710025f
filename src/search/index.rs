//! Building the sharded index files from [`SearchDoc`]s.
//!
//! Files, all under `search/`:
//!
//! - `meta.json`: `{"version", "docs", "docs_per_shard", "shards", "fields"}`.
//! - `docs-N.json`: docs `N*docs_per_shard ..`, each `{path, title, speaker, org, date, meeting,
//!   body}`; the browser fetches only the shards of the results it shows, for snippets and to
//!   verify the phrase.
//! - `idx-XX.json` (`XX` = two hex digits): token → postings, for the tokens whose hash falls in
//!   the shard. Postings are one string, entries joined by `,`: the doc id as a base-36 delta
//!   from the previous entry's (the first is the id itself), then `.` and the field mask in base
//!   36 unless the token occurs in the body only. At ~2.5 bytes a posting this is several times
//!   smaller than `[[id, mask], …]`, and the browser decodes it with `split` and `parseInt`.
//!
//! Doc ids are assigned newest first (stable for equal dates), so a lower id is a newer speech and
//! the browser breaks ties by id. Bytes are deterministic: maps sorted, no hash order leaks.

use std::collections::HashMap;
use std::fmt::Write as _;

use rayon::prelude::*;
use serde::Serialize;

use super::SearchDoc;
use super::tokenize::{Token, shard_of, tokenize_with};

/// Bumped whenever a file's format or the tokenizer changes.
pub const FORMAT_VERSION: u32 = 1;
/// Docs per `docs-N.json`: a query shows ~20 results, so it fetches at most that many shards.
pub const DOCS_PER_SHARD: usize = 100;
/// Field bits in a posting's mask.
pub const TITLE: u8 = 1;
pub const SPEAKER: u8 = 2;
pub const ORG: u8 = 4;
pub const MEETING: u8 = 8;
pub const BODY: u8 = 16;

/// Docs tokenized at once; bounds the memory the per-doc token lists take.
const CHUNK: usize = 512;

/// Postings shards for `docs` documents: about 40 docs' worth each, a power of two in 1..=256.
pub fn shard_count(docs: usize) -> usize {
    (docs / 40).max(1).next_power_of_two().min(256)
}

#[derive(Serialize)]
struct Meta {
    version: u32,
    docs: usize,
    docs_per_shard: usize,
    shards: usize,
    fields: Fields,
}

#[derive(Serialize)]
struct Fields {
    title: u8,
    speaker: u8,
    org: u8,
    meeting: u8,
    body: u8,
}

/// The index files, as (path under the output folder, bytes), in path order.
pub fn build_index(docs: &[SearchDoc]) -> Vec<(String, Vec<u8>)> {
    // Newest first; equal dates keep their given order.
    let mut order: Vec<&SearchDoc> = docs.iter().collect();
    order.sort_by(|a, b| b.date.cmp(&a.date));
    let shards = shard_count(order.len());

    let mut postings: Vec<ShardPostings> = (0..shards).map(|_| ShardPostings::default()).collect();
    for (chunk_no, chunk) in order.chunks(CHUNK).enumerate() {
        let first_id = chunk_no * CHUNK;
        let tokens: Vec<DocTokens> = chunk
            .par_iter()
            .map(|doc| doc_tokens(doc, shards))
            .collect();
        postings.par_iter_mut().enumerate().for_each(|(shard, p)| {
            for (i, doc) in tokens.iter().enumerate() {
                p.add(shard, (first_id + i) as u32, doc);
            }
        });
    }

    let mut files: Vec<(String, Vec<u8>)> = postings
        .into_par_iter()
        .enumerate()
        .map(|(shard, p)| (format!("search/idx-{shard:02x}.json"), p.to_json()))
        .collect();
    files.par_extend(
        order
            .par_chunks(DOCS_PER_SHARD)
            .enumerate()
            .map(|(n, chunk)| {
                let bytes = serde_json::to_vec(chunk).expect("docs serialize");
                (format!("search/docs-{n}.json"), bytes)
            }),
    );
    let meta = Meta {
        version: FORMAT_VERSION,
        docs: order.len(),
        docs_per_shard: DOCS_PER_SHARD,
        shards,
        fields: Fields {
            title: TITLE,
            speaker: SPEAKER,
            org: ORG,
            meeting: MEETING,
            body: BODY,
        },
    };
    files.push((
        "search/meta.json".to_string(),
        serde_json::to_vec(&meta).expect("meta serializes"),
    ));
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

/// One doc's distinct tokens with their field masks, sorted by shard.
struct DocTokens {
    /// `shard << 55 | key << 5 | mask`, sorted; key = [`Token::Han`]'s 42-bit number.
    han: Vec<u64>,
    /// (shard, word, mask), sorted.
    words: Vec<(usize, String, u8)>,
}

const KEY_BITS: u32 = 42;

fn doc_tokens(doc: &SearchDoc, shards: usize) -> DocTokens {
    let mut han: Vec<u64> = Vec::with_capacity(doc.body.len() / 3 + 64);
    let mut words: Vec<(usize, String, u8)> = Vec::new();
    for (text, mask) in [
        (&doc.title, TITLE),
        (&doc.speaker, SPEAKER),
        (&doc.org, ORG),
        (&doc.meeting, MEETING),
        (&doc.body, BODY),
    ] {
        tokenize_with(text, |token| {
            let shard = shard_of(&token, shards) as u64;
            match token {
                Token::Han(key) => han.push(shard << (KEY_BITS + 5) | key << 5 | u64::from(mask)),
                Token::Word(w) => words.push((shard as usize, w, mask)),
            }
        });
    }
    han.sort_unstable();
    // Merge repeats of a token, OR-ing their masks.
    han.dedup_by(|next, kept| {
        if *next >> 5 == *kept >> 5 {
            *kept |= *next & 0x1F;
            true
        } else {
            false
        }
    });
    words.sort_unstable();
    words.dedup_by(|next, kept| {
        if next.0 == kept.0 && next.1 == kept.1 {
            kept.2 |= next.2;
            true
        } else {
            false
        }
    });
    DocTokens { han, words }
}

/// A token's postings, encoded as they are appended (docs arrive in id order).
#[derive(Default)]
struct Postings {
    next_base: u32,
    text: String,
}

impl Postings {
    fn push(&mut self, doc: u32, mask: u8) {
        if !self.text.is_empty() {
            self.text.push(',');
        }
        push_base36(&mut self.text, doc - self.next_base);
        if mask != BODY {
            self.text.push('.');
            push_base36(&mut self.text, u32::from(mask));
        }
        self.next_base = doc;
    }
}

fn push_base36(out: &mut String, mut n: u32) {
    let mut buf = [0u8; 8];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b"0123456789abcdefghijklmnopqrstuvwxyz"[(n % 36) as usize];
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&buf[i..]).expect("ascii"));
}

#[derive(Default)]
struct ShardPostings {
    han: HashMap<u64, Postings>,
    words: HashMap<String, Postings>,
}

impl ShardPostings {
    fn add(&mut self, shard: usize, doc: u32, tokens: &DocTokens) {
        let shard = shard as u64;
        let lo = tokens.han.partition_point(|t| t >> (KEY_BITS + 5) < shard);
        let hi = tokens.han.partition_point(|t| t >> (KEY_BITS + 5) <= shard);
        for t in &tokens.han[lo..hi] {
            let key = (t >> 5) & ((1 << KEY_BITS) - 1);
            self.han.entry(key).or_default().push(doc, (t & 0x1F) as u8);
        }
        for (s, word, mask) in &tokens.words {
            if *s as u64 == shard {
                match self.words.get_mut(word) {
                    Some(p) => p.push(doc, *mask),
                    None => {
                        let mut p = Postings::default();
                        p.push(doc, *mask);
                        self.words.insert(word.clone(), p);
                    }
                }
            }
        }
    }

    /// `{"token":"postings",…}`, tokens in text order.
    fn to_json(&self) -> Vec<u8> {
        let mut entries: Vec<(String, &str)> = self
            .han
            .iter()
            .map(|(k, p)| (Token::Han(*k).text(), p.text.as_str()))
            .chain(self.words.iter().map(|(w, p)| (w.clone(), p.text.as_str())))
            .collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let size: usize = entries.iter().map(|(t, p)| t.len() + p.len() + 6).sum();
        let mut out = String::with_capacity(size + 2);
        out.push('{');
        for (i, (token, postings)) in entries.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            // Tokens are Han characters and [a-z0-9.], postings [0-9a-z.,]: nothing to escape.
            let _ = write!(out, "\"{token}\":\"{postings}\"");
        }
        out.push('}');
        out.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base36() {
        let mut s = String::new();
        for n in [0, 9, 10, 35, 36, 1295, 1296] {
            push_base36(&mut s, n);
            s.push(' ');
        }
        assert_eq!(s, "0 9 a z 10 zz 100 ");
    }

    #[test]
    fn postings_encode_deltas_and_masks() {
        let mut p = Postings::default();
        p.push(3, BODY);
        p.push(5, TITLE | BODY);
        p.push(50, BODY);
        assert_eq!(p.text, "3,2.h,19");
    }

    #[test]
    fn shard_counts() {
        assert_eq!(shard_count(0), 1);
        assert_eq!(shard_count(10), 1);
        assert_eq!(shard_count(100), 2);
        assert_eq!(shard_count(10_000), 256);
        assert_eq!(shard_count(1_000_000), 256);
    }
}
