//! Ingest time at scale, at sizes chosen so a step that is not linear shows:
//!
//! - an archive's worth of transcripts (1,000 and 3,000, through [`ingest`] into a fresh
//!   content folder on the temp file system, as `yilu ingest FILES…` runs): MB/s and time per
//!   transcript, which must stay flat from 1,000 to 3,000;
//! - one transcript of many speeches of one organisation (slug de-duplication was quadratic:
//!   2,000 speeches took 2.5 s), at sizes doubling so a quadratic step shows as a 4× jump;
//! - a deeply nested HTML page (refused by a linear scan before parsing).
//!
//! `cargo bench --bench ingest_scale [-- SPEECHES] [--transcripts 1000,3000]`
//! (TMPDIR on tmpfs, e.g. /dev/shm, measures ingest rather than the disk.)
#![allow(clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use yilu::ingest::{IngestOptions, SlugSet, WriteMode, ingest, ingest_text};

/// A digest of `n` speeches, all by the 万州区 party secretary.
fn digest(n: usize) -> String {
    let mut text = String::from("市委召开例会\n\n2024年10月21日，市委召开例会。\n\n");
    for k in 0..n {
        text.push_str(&format!(
            "以改革强动力增活力第{k}篇\n\n市委常委、万州区委书记 卢红\n\n前三季度GDP增长6.6%，规上工业增加值增长11.2%。\n\n"
        ));
    }
    text
}

const FIXTURE: &str = include_str!("../tests/fixtures/chongqing-2024-10-21.txt");

/// `n` transcripts, each the fixture's digest (ten speeches, 20 kB) on a day of its own and
/// with its growth figures varied, written into `dir` as `YYYY-MM-DD.txt`.
fn corpus(dir: &Path, n: usize) -> (Vec<PathBuf>, u64) {
    let start = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).expect("a date");
    let mut bytes = 0;
    let paths = (0..n)
        .map(|k| {
            let date = start + chrono::Days::new(k as u64);
            let day = date.format("%Y年%-m月%-d日").to_string();
            // Vary every figure's first decimal, so no two transcripts are the same text.
            let digit = char::from(b'0' + (k % 10) as u8);
            let text: String = FIXTURE
                .replacen("10月21日", &day, 1)
                .split('.')
                .enumerate()
                .map(|(i, part)| match (i, part.chars().next()) {
                    (0, _) => part.to_string(),
                    (_, Some(d)) if d.is_ascii_digit() => format!(".{digit}{}", &part[1..]),
                    _ => format!(".{part}"),
                })
                .collect();
            let path = dir.join(format!("{}.txt", date.format("%Y-%m-%d")));
            std::fs::write(&path, &text).expect("a temp file");
            bytes += text.len() as u64;
            path
        })
        .collect();
    (paths, bytes)
}

/// Ingests `n` transcripts into a fresh content folder: (seconds, MB).
fn archive(n: usize, options: &IngestOptions) -> (f64, f64) {
    let tmp = tempfile::tempdir().expect("a temp folder");
    let raw = tmp.path().join("raw");
    std::fs::create_dir(&raw).expect("a temp folder");
    let (paths, bytes) = corpus(&raw, n);
    let out = tmp.path().join("content");
    let started = Instant::now();
    let report = ingest(&paths, &out, options, WriteMode::default()).expect("the corpus ingests");
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(report.meetings.len(), n);
    (secs, bytes as f64 / 1e6)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let max: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(8_000);
    let sizes: Vec<usize> = args
        .iter()
        .position(|a| a == "--transcripts")
        .and_then(|i| args.get(i + 1))
        .map_or(vec![1_000, 3_000], |s| s.split(',').filter_map(|n| n.parse().ok()).collect());
    let options = IngestOptions::default();

    let mut per_transcript = Vec::new();
    for &n in &sizes {
        let (secs, mb) = archive(n, &options);
        per_transcript.push(secs / n as f64);
        println!(
            "{n:>6} transcripts ({mb:.1} MB): {:.2} s = {:.1} MB/s ({:.2} ms/transcript)",
            secs,
            mb / secs,
            secs * 1e3 / n as f64
        );
    }
    if let (Some(first), Some(last)) = (per_transcript.first(), per_transcript.last())
        && sizes.len() > 1
    {
        println!("time per transcript, largest / smallest archive: {:.2}×", last / first);
    }

    let mut n = 1_000;
    while n <= max {
        let text = digest(n);
        let started = Instant::now();
        let meeting = ingest_text(Path::new("bench.txt"), &text, &options).unwrap();
        let secs = started.elapsed().as_secs_f64();
        assert_eq!(meeting.speeches.len(), n);
        println!(
            "{n:>6} speeches of one organisation: {:.1} ms ({:.1} µs/speech)",
            secs * 1e3,
            secs * 1e6 / n as f64
        );
        n *= 2;
    }

    let started = Instant::now();
    let mut slugs = SlugSet::default();
    for _ in 0..100_000 {
        slugs.unique("wanzhou");
    }
    println!("100000 slugs from one base: {:.1} ms", started.elapsed().as_secs_f64() * 1e3);

    for depth in [50_000, 100_000, 200_000] {
        let page = format!("<html><body>{}<p>甲</p></body></html>", "<div>".repeat(depth));
        let started = Instant::now();
        let refused = ingest_text(Path::new("deep.html"), &page, &options).is_err();
        println!(
            "{depth:>6} nested divs: refused={refused} in {:.1} ms",
            started.elapsed().as_secs_f64() * 1e3
        );
    }
}
