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

use super::doc::SearchDoc;
use super::tokenize::{Token, token_hash, tokenize_with};

/// Bumped whenever a file's format or the tokenizer changes.
pub(crate) const FORMAT_VERSION: u32 = 1;
/// Docs per `docs-N.json`: a query shows ~20 results, so it fetches at most that many shards.
pub(crate) const DOCS_PER_SHARD: usize = 100;
/// Field bits in a posting's mask.
pub(crate) const TITLE: u8 = 1;
pub(crate) const SPEAKER: u8 = 2;
pub(crate) const ORG: u8 = 4;
pub(crate) const MEETING: u8 = 8;
pub(crate) const BODY: u8 = 16;

/// Docs tokenized at once; bounds the memory the per-doc token lists take.
const CHUNK: usize = 512;
/// Postings shards filled by one task.
const SHARD_GROUP: usize = 16;

/// Postings shards for `docs` documents: about 40 docs' worth each, a power of two in 1..=256.
pub(crate) fn shard_count(docs: usize) -> usize {
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
#[cfg(test)]
pub(crate) fn build_index(docs: &[SearchDoc]) -> Vec<(String, Vec<u8>)> {
    let files = std::sync::Mutex::new(Vec::new());
    write_index_files(docs, &|path, bytes| {
        files.lock().expect("no panics holding it").push((path, bytes));
        Ok(())
    })
    .expect("collecting cannot fail");
    let mut files = files.into_inner().expect("no panics holding it");
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

/// Builds the index and hands each file to `write` as soon as it is ready (from several threads),
/// so a site build never holds the whole index in memory. Stops at the first error.
pub fn write_index_files(
    docs: &[SearchDoc],
    write: &(dyn Fn(String, Vec<u8>) -> anyhow::Result<()> + Sync),
) -> anyhow::Result<()> {
    // Newest first; equal dates keep their given order.
    let mut order: Vec<&SearchDoc> = docs.iter().collect();
    order.sort_by(|a, b| b.date.cmp(&a.date));
    let mut index = IndexWriter::new(order.len());
    for batch in order.chunks(BATCH) {
        index.add(batch, write)?;
    }
    index.finish(write)
}

/// Docs added at once: whole docs shards, and few enough that a batch's text and tokens stay
/// small (the caller makes each batch's docs only when it is added).
pub(crate) const BATCH: usize = 5 * DOCS_PER_SHARD;

/// The index built batch by batch: docs are given in id order (newest first), each batch's docs
/// shards are written at once, its tokens added to the postings, and the batch can be dropped.
/// The postings shards are written by [`IndexWriter::finish`].
pub(crate) struct IndexWriter {
    docs: usize,
    added: usize,
    postings: Vec<ShardPostings>,
}

impl IndexWriter {
    /// An empty index for `docs` documents in all.
    pub(crate) fn new(docs: usize) -> IndexWriter {
        let shards = shard_count(docs);
        IndexWriter {
            docs,
            added: 0,
            postings: (0..shards).map(|_| ShardPostings::default()).collect(),
        }
    }

    /// Adds the next docs; every batch but the last must hold a whole number of docs shards
    /// ([`DOCS_PER_SHARD`]), as [`BATCH`] does.
    pub(crate) fn add(
        &mut self,
        batch: &[&SearchDoc],
        write: &(dyn Fn(String, Vec<u8>) -> anyhow::Result<()> + Sync),
    ) -> anyhow::Result<()> {
        assert!(
            self.added.is_multiple_of(DOCS_PER_SHARD),
            "only the last batch may end inside a shard"
        );
        let first_shard = self.added / DOCS_PER_SHARD;
        batch.par_chunks(DOCS_PER_SHARD).enumerate().try_for_each(|(n, chunk)| {
            let bytes = serde_json::to_vec(chunk).expect("docs serialize");
            write(format!("search/docs-{}.json", first_shard + n), bytes)
        })?;
        let shards = self.postings.len();
        for (chunk_no, chunk) in batch.chunks(CHUNK).enumerate() {
            let first_id = self.added + chunk_no * CHUNK;
            let tokens: Vec<DocTokens> =
                chunk.par_iter().map(|doc| doc_tokens(doc, shards)).collect();
            // Shards in groups: each task reads one contiguous run of every doc's token list,
            // which the cache likes far better than a visit per shard.
            self.postings.par_chunks_mut(SHARD_GROUP).enumerate().for_each(|(g, group)| {
                for (i, doc) in tokens.iter().enumerate() {
                    for (j, p) in group.iter_mut().enumerate() {
                        p.add(g * SHARD_GROUP + j, (first_id + i) as u32, doc);
                    }
                }
            });
        }
        self.added += batch.len();
        Ok(())
    }

    /// Writes the postings shards and meta.json.
    pub(crate) fn finish(
        self,
        write: &(dyn Fn(String, Vec<u8>) -> anyhow::Result<()> + Sync),
    ) -> anyhow::Result<()> {
        assert_eq!(self.added, self.docs, "every doc is added before the index is finished");
        let shards = self.postings.len();
        self.postings.into_par_iter().enumerate().try_for_each(|(shard, p)| {
            write(format!("search/idx-{shard:02x}.json"), p.into_json())
        })?;
        let meta = Meta {
            version: FORMAT_VERSION,
            docs: self.docs,
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
        write("search/meta.json".to_string(), serde_json::to_vec(&meta).expect("meta serializes"))
    }
}

/// One doc's tokens, repeats included, grouped by shard.
struct DocTokens {
    /// `key << 5 | mask`, key = [`Token::Han`]'s 42-bit number; shard `s` holds
    /// `han[starts[s]..starts[s + 1]]`.
    han: Vec<u64>,
    starts: Vec<u32>,
    /// (shard, word, mask), by shard, each word once.
    words: Vec<(usize, String, u8)>,
}

fn doc_tokens(doc: &SearchDoc, shards: usize) -> DocTokens {
    let mut raw: Vec<(u32, u64)> = Vec::with_capacity(doc.body.len() / 6 + 64);
    let mut words: Vec<(usize, String, u8)> = Vec::new();
    SEEN.with_borrow_mut(|seen| {
        seen.start();
        for (text, mask) in [
            (&doc.title, TITLE),
            (&doc.speaker, SPEAKER),
            (&doc.org, ORG),
            (&doc.meeting, MEETING),
            (&doc.body, BODY),
        ] {
            tokenize_with(text, |token| {
                let hash = token_hash(&token);
                let shard = hash as usize & (shards - 1);
                match token {
                    // Each distinct token once, with the fields it occurs in.
                    Token::Han(key) => match seen.find_or_insert(key, hash, raw.len()) {
                        Some(i) => raw[i].1 |= u64::from(mask),
                        None => raw.push((shard as u32, key << 5 | u64::from(mask))),
                    },
                    Token::Word(w) => words.push((shard, w, mask)),
                }
            });
        }
    });
    // Counting sort by shard: linear, and the order within a shard does not matter.
    let mut starts = vec![0u32; shards + 1];
    for (shard, _) in &raw {
        starts[*shard as usize + 1] += 1;
    }
    for s in 0..shards {
        starts[s + 1] += starts[s];
    }
    let mut fill = starts.clone();
    let mut han = vec![0u64; raw.len()];
    for (shard, packed) in raw {
        let at = &mut fill[shard as usize];
        han[*at as usize] = packed;
        *at += 1;
    }
    words.sort_unstable();
    words.dedup_by(|next, kept| {
        let same = next.0 == kept.0 && next.1 == kept.1;
        if same {
            kept.2 |= next.2;
        }
        same
    });
    DocTokens { han, starts, words }
}

thread_local! {
    static SEEN: std::cell::RefCell<Seen> = std::cell::RefCell::new(Seen::default());
}

/// The Han tokens one doc has produced so far: an open-addressing table reused from doc to doc
/// (a new stamp empties it), so merging repeats costs no sorting and no allocation.
#[derive(Default)]
struct Seen {
    stamp: u32,
    /// (key, stamp, index into the doc's token list).
    slots: Vec<(u64, u32, u32)>,
    len: usize,
}

impl Seen {
    fn start(&mut self) {
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.slots.iter_mut().for_each(|s| s.1 = 0);
            self.stamp = 1;
        }
        self.len = 0;
        if self.slots.is_empty() {
            self.slots = vec![(0, 0, 0); 4096];
        }
    }

    /// The index stored for `key`, or None after storing `index` for it.
    fn find_or_insert(&mut self, key: u64, hash: u32, index: usize) -> Option<usize> {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        // The low hash bits pick the shard; the high ones spread the slots.
        let mut i = (hash.rotate_right(16) as usize) & mask;
        loop {
            let slot = &mut self.slots[i];
            if slot.1 != self.stamp {
                *slot = (key, self.stamp, index as u32);
                self.len += 1;
                return None;
            }
            if slot.0 == key {
                return Some(slot.2 as usize);
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let live: Vec<(u64, u32, u32)> =
            self.slots.iter().copied().filter(|s| s.1 == self.stamp).collect();
        self.slots = vec![(0, 0, 0); self.slots.len() * 2];
        self.len = 0;
        for (key, _, index) in live {
            let hash = token_hash(&Token::Han(key));
            self.find_or_insert(key, hash, index as usize);
        }
    }
}

/// A token's postings, encoded as docs arrive: in id order, each doc once.
#[derive(Default)]
struct Postings {
    last: u32,
    text: String,
}

impl Postings {
    fn push(&mut self, doc: u32, mask: u8) {
        if !self.text.is_empty() {
            self.text.push(',');
        }
        push_base36(&mut self.text, doc - self.last);
        if mask != BODY {
            self.text.push('.');
            push_base36(&mut self.text, u32::from(mask));
        }
        self.last = doc;
    }
}

fn push_base36(out: &mut String, mut n: u32) {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    if n < 36 {
        out.push(char::from(DIGITS[n as usize]));
        return;
    }
    let mut buf = [0u8; 8];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = DIGITS[(n % 36) as usize];
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.extend(buf[i..].iter().map(|b| char::from(*b)));
}

/// FxHash for tokens (packed numbers and short words): SipHash would be a large part of the
/// index's build time, and the keys come from our own text, not an attacker. Output order never
/// depends on it (entries are sorted before writing).
type Fast = rustc_hash::FxBuildHasher;

#[derive(Default)]
struct ShardPostings {
    han: HashMap<u64, Postings, Fast>,
    words: HashMap<String, Postings, Fast>,
}

impl ShardPostings {
    fn add(&mut self, shard: usize, doc: u32, tokens: &DocTokens) {
        let range = tokens.starts[shard] as usize..tokens.starts[shard + 1] as usize;
        for packed in &tokens.han[range] {
            self.han.entry(packed >> 5).or_default().push(doc, (packed & 0x1F) as u8);
        }
        let lo = tokens.words.partition_point(|w| w.0 < shard);
        for (_, word, mask) in tokens.words[lo..].iter().take_while(|w| w.0 == shard) {
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

    /// `{"token":"postings",…}`, tokens in text order.
    fn into_json(self) -> Vec<u8> {
        let mut entries: Vec<(String, Postings)> = self
            .han
            .into_iter()
            .map(|(k, p)| (Token::Han(k).text(), p))
            .chain(self.words)
            .collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut out = String::with_capacity(
            entries.iter().map(|(t, p)| t.len() + p.text.len() + 12).sum::<usize>() + 2,
        );
        out.push('{');
        for (i, (token, postings)) in entries.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            // Tokens are Han characters and [a-z0-9.], postings [0-9a-z.,]: nothing to escape.
            let _ = write!(out, "\"{token}\":\"{}\"", postings.text);
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

    /// Docs of several dates, ids spread over many docs shards and postings shards.
    fn many_docs(n: usize) -> Vec<SearchDoc> {
        let words = ["万州区", "固投增长", "新质生产力", "GDP", "5G基站", "开放", "改革"];
        (0..n)
            .map(|i| SearchDoc {
                path: format!("meetings/m{}/s{i}/", i / 10),
                title: format!("{}发言{i}", words[i % words.len()]),
                speaker: format!("许{}", words[(i / 3) % words.len()]),
                org: words[(i / 5) % words.len()].to_string(),
                date: format!("2024-{:02}-01", 12 - (i / 150) % 12),
                meeting: format!("第{}次例会", i / 10),
                body: (0..1 + i % 9).map(|k| words[(i + k) % words.len()]).collect(),
            })
            .collect()
    }

    #[test]
    fn batches_write_the_same_files_as_one_pass() {
        // 1,234 docs: two whole batches and a part; one pass adds them all at once.
        let docs = many_docs(1_234);
        let batched = build_index(&docs);
        let files = std::sync::Mutex::new(Vec::new());
        let collect = |path: String, bytes: Vec<u8>| {
            files.lock().unwrap().push((path, bytes));
            Ok(())
        };
        let order: Vec<&SearchDoc> = docs.iter().collect();
        let mut index = IndexWriter::new(order.len());
        index.add(&order, &collect).unwrap();
        index.finish(&collect).unwrap();
        let mut one_pass = files.into_inner().unwrap();
        one_pass.sort_by(|a, b| a.0.cmp(&b.0));
        assert!(docs.len() > 2 * BATCH);
        assert_eq!(batched.len(), one_pass.len());
        for (a, b) in batched.iter().zip(&one_pass) {
            assert_eq!(a.0, b.0);
            assert!(a.1 == b.1, "{} differs", a.0);
        }
        assert!(batched.iter().any(|(p, _)| p == "search/docs-12.json"));
    }

    #[test]
    #[should_panic(expected = "only the last batch")]
    fn a_batch_may_not_end_inside_a_docs_shard_unless_last() {
        let docs = many_docs(250);
        let order: Vec<&SearchDoc> = docs.iter().collect();
        let mut index = IndexWriter::new(order.len());
        let ignore = |_: String, _: Vec<u8>| Ok(());
        index.add(&order[..150], &ignore).unwrap();
        index.add(&order[150..], &ignore).unwrap();
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
