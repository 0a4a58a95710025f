//! Ingest time for one transcript of many speeches of one organisation (slug de-duplication
//! was quadratic: 2,000 speeches took 2.5 s) and for a deeply nested HTML page (refused by a
//! linear scan before parsing), at sizes doubling so a quadratic step shows as a 4× jump.
//!
//! `cargo bench --bench ingest_scale [-- SPEECHES]`
#![allow(clippy::print_stdout)]

use std::path::Path;
use std::time::Instant;

use yilu::ingest::{IngestOptions, SlugSet, ingest_text};

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

fn main() {
    let max: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(8_000);
    let options = IngestOptions::default();
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
