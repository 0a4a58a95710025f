//! How long a full `yilu build` takes, and its peak memory, at archive size.
//!
//! `cargo bench --bench build [-- MEETINGS]` (default 1000 meetings × 10 speeches, ~10,000
//! pages): writes a corpus of yilu content (front matter through `content::front_matter`, bodies
//! recombined from the fixture transcript's paragraphs, ~1,500 characters each, metrics and
//! periods as ingest writes them), builds it three times into a fresh output folder and prints
//! each time with its steps, the median, and the process's peak resident memory (VmHWM). Plain
//! timing: no assertion, never a test. `bench/compare.py` measures the same against Hugo.
#![allow(clippy::print_stdout, clippy::print_stderr)] // the figures are the program's output

use std::path::{Path, PathBuf};
use std::time::Instant;

use yilu::content::front_matter::{self, MeetingFrontMatter, SpeechFrontMatter};
use yilu::site::BuildOptions;

mod common;
use common::{KEYS, Lcg, ORGS, body, paragraphs, speaker};

const PERIODS: &[&str] = &["前三季度", "上半年", "1—8月", "全年"];

fn generate(root: &Path, meetings: usize) {
    let _ = std::fs::remove_dir_all(root);
    std::fs::create_dir_all(root).unwrap();
    let toml = "title = \"议录基准\"\nbase_url = \"https://example.org/archive/\"\n";
    std::fs::write(root.join("site.toml"), toml).unwrap();
    let paras = paragraphs();
    let mut rng = Lcg(7);
    // Each organisation keeps a speaker for a while, as in real archives.
    let mut speakers: Vec<String> = ORGS.iter().map(|_| speaker(&mut rng)).collect();
    let start = chrono::NaiveDate::from_ymd_opt(2000, 1, 3).unwrap();
    for m in 0..meetings {
        let date = start + chrono::Duration::days(7 * m as i64);
        let dir = root.join("content/meetings").join(date.format("%Y-%m-%d").to_string());
        std::fs::create_dir_all(&dir).unwrap();
        let meeting = MeetingFrontMatter {
            title: format!("第{}次例会", m + 1),
            subtitle: Some("区县委书记和部门一把手例会发言摘登".into()),
            summary: Some(paras[rng.next(paras.len())].clone()),
            ..Default::default()
        };
        std::fs::write(dir.join("_index.md"), front_matter::write_meeting(&meeting, "")).unwrap();
        let first = rng.next(ORGS.len());
        let period = PERIODS[rng.next(PERIODS.len())];
        for j in 0..10 {
            let o = (first + j * 3) % ORGS.len();
            if rng.next(20) == 0 {
                speakers[o] = speaker(&mut rng);
            }
            let mut metrics = indexmap::IndexMap::new();
            for key in KEYS {
                if rng.next(3) > 0 {
                    metrics.insert(key.to_string(), rng.next(150) as f64 / 10.0);
                }
            }
            let fm = SpeechFrontMatter {
                title: format!("{}发言：以改革强动力增活力提质效", ORGS[o]),
                speaker: Some(speakers[o].clone()),
                position: Some(format!("{}委书记", ORGS[o])),
                org: Some(ORGS[o].to_string()),
                order: Some(j as u32 + 1),
                period: Some(period.into()),
                metrics,
                ..Default::default()
            };
            let text = front_matter::write_speech(&fm, &body(&mut rng, &paras));
            std::fs::write(dir.join(format!("{:02}-s{j}.md", j + 1)), text).unwrap();
        }
    }
}

/// The process's peak resident memory so far, in MiB (Linux; None elsewhere).
fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() {
    let meetings: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1000);
    let base: PathBuf = std::env::temp_dir().join(format!("yilu-bench-build-{meetings}"));
    let root = base.join("site");
    let t = Instant::now();
    generate(&root, meetings);
    eprintln!("generated {meetings} meetings × 10 speeches in {:.1} s", t.elapsed().as_secs_f64());
    let after_generating = peak_mib();

    let mut times = Vec::new();
    for run in 1..=3 {
        let output = base.join("public");
        let _ = std::fs::remove_dir_all(&output);
        let options =
            BuildOptions { root: root.clone(), output: Some(output), ..Default::default() };
        let report = yilu::site::build(&options).expect("the corpus builds");
        let steps: Vec<String> =
            report.phases.iter().map(|(name, d)| format!("{name} {} ms", d.as_millis())).collect();
        println!(
            "build {run}: {} pages in {} ms ({})",
            report.pages,
            report.elapsed.as_millis(),
            steps.join(", ")
        );
        times.push(report.elapsed.as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    println!("median: {:.0} ms", times[times.len() / 2]);
    match (peak_mib(), after_generating) {
        (Some(peak), Some(before)) => {
            println!("peak memory: {peak:.0} MiB (generating the corpus took {before:.0} MiB)")
        }
        _ => println!("peak memory: not known on this system"),
    }
    let _ = std::fs::remove_dir_all(&base);
}
