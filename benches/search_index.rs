//! Search index build time and size for 10,000 synthetic speeches of ~1,500 characters,
//! recombined from the real transcript in tests/fixtures (plus a few random character swaps, so
//! the vocabulary has a long tail like a real archive's).
//!
//! `cargo bench --bench search_index [-- DOCS]`
#![allow(clippy::print_stdout)]

use std::sync::Mutex;
use std::time::Instant;

use yilu::search::SearchDoc;
use yilu::search::index::write_index_files;

const FIXTURE: &str = include_str!("../tests/fixtures/chongqing-2024-10-21.txt");

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

fn synthetic_docs(n: usize) -> Vec<SearchDoc> {
    let sentences: Vec<&str> = FIXTURE
        .split_inclusive(['。', '\n'])
        .map(str::trim)
        .filter(|s| s.chars().count() > 8)
        .collect();
    let titles: Vec<&str> = FIXTURE
        .lines()
        .map(str::trim)
        .filter(|l| (8..40).contains(&l.chars().count()) && !l.ends_with('。'))
        .collect();
    let han: Vec<char> =
        FIXTURE.chars().filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c)).collect();
    let orgs = ["万州区", "涪陵区", "南岸区", "大足区", "开州区", "彭水县", "市财政局"];
    let speakers = ["卢红", "许洪斌", "于学信", "王志杰", "李春奎", "钱建超"];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    (0..n)
        .map(|i| {
            let mut body = String::new();
            while body.chars().count() < 1500 {
                for c in rng.pick(&sentences).chars() {
                    let swap = c >= '\u{4E00}' && rng.next() % 100 < 3;
                    body.push(if swap { *rng.pick(&han) } else { c });
                }
                body.push('\n');
            }
            SearchDoc {
                path: format!("meetings/{}/s{i}/", 2000 + i / 12),
                title: rng.pick(&titles).to_string(),
                speaker: rng.pick(&speakers).to_string(),
                org: rng.pick(&orgs).to_string(),
                date: format!("{:04}-{:02}-{:02}", 2000 + i / 400, 1 + i / 34 % 12, 1 + i % 28),
                meeting: "区县委书记和部门一把手例会".to_string(),
                body,
            }
        })
        .collect()
}

fn main() {
    let n: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(10_000);
    let docs = synthetic_docs(n);
    let chars: usize = docs.iter().map(|d| d.body.chars().count()).sum();
    println!("{n} docs, {:.0} body chars each on average", chars as f64 / n as f64);
    let started = Instant::now();
    let han = docs
        .iter()
        .flat_map(|d| d.body.chars())
        .filter(|c| yilu::search::tokenize::is_han(*c))
        .count();
    println!(
        "baseline, one thread: {han} Han chars counted in {:.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    let started = Instant::now();
    let mut count = 0usize;
    for d in &docs {
        yilu::search::tokenize::tokenize_with(&d.body, |_| count += 1);
    }
    println!(
        "tokenizer without hashing: {count} tokens in {:.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    let started = Instant::now();
    let mut tokens = 0usize;
    let mut mix = 0u32;
    for d in &docs {
        yilu::search::tokenize::tokenize_with(&d.body, |t| {
            tokens += 1;
            mix ^= yilu::search::tokenize::token_hash(&t);
        });
    }
    println!(
        "tokenizer alone, one thread: {tokens} tokens in {:.1} ms ({mix:x})",
        started.elapsed().as_secs_f64() * 1e3
    );
    // Files are counted and dropped as they are produced, as a site build writes them.
    let mut best = f64::INFINITY;
    let sizes = Mutex::new(Vec::new());
    const RUNS: u32 = 5;
    let cpu_before = cpu_seconds();
    for run in 1..=RUNS {
        sizes.lock().unwrap().clear();
        let started = Instant::now();
        write_index_files(&docs, &|path, bytes| {
            sizes.lock().unwrap().push((path, bytes.len()));
            Ok(())
        })
        .unwrap();
        let secs = started.elapsed().as_secs_f64();
        best = best.min(secs);
        println!("run {run}: {:.1} ms", secs * 1e3);
    }
    // CPU time is what the build costs when the machine is shared (wall time is not).
    if let (Some(a), Some(b)) = (cpu_before, cpu_seconds()) {
        println!("cpu (all threads) {:.0} ms per build", (b - a) / f64::from(RUNS) * 1e3);
    }
    let sizes = sizes.into_inner().unwrap();
    let total: usize = sizes.iter().map(|(_, n)| n).sum();
    let postings = sizes.iter().filter(|(p, _)| p.contains("/idx-"));
    let postings_total: usize = postings.clone().map(|(_, n)| n).sum();
    let largest = postings.map(|(_, n)| *n).max().unwrap_or(0);
    println!(
        "best {:.1} ms, {:.0} docs/s; {} files, {:.1} MB total ({:.1} MB postings, largest postings shard {:.0} KB)",
        best * 1e3,
        n as f64 / best,
        sizes.len(),
        total as f64 / 1e6,
        postings_total as f64 / 1e6,
        largest as f64 / 1e3,
    );
}

/// User + system CPU time of this process so far, from /proc (Linux only).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the ")" closing the command name; utime and stime are the 12th and 13th.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}
