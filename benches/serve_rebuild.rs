//! How long `yilu serve` takes to rebuild after a one-speech edit, at archive size.
//!
//! `cargo bench --bench serve_rebuild [-- MEETINGS]` (default 1000 meetings × 10 speeches):
//! writes a corpus of yilu content (front matter through `content::front_matter`, bodies
//! recombined from the fixture transcript's paragraphs, ~1,500 characters each), loads and builds
//! it once, then edits one speech's body several times through the same incremental path serve
//! uses (`serve::Rebuilder::apply`) and prints each time and the median; then adds a new
//! meeting (the weekly case: a new folder with `_index.md` and ten speeches) several times and
//! deletes one, with the default theme (its footer shows no counts), then adds meetings with a
//! footer that counts them; prints those times and the medians. Plain timing: no assertion,
//! never a test.
#![allow(clippy::print_stdout)] // the figure is the program's output

use std::path::{Path, PathBuf};
use std::time::Instant;

use yilu::content::front_matter::{self, MeetingFrontMatter, SpeechFrontMatter};
use yilu::serve::Rebuilder;
use yilu::site::BuildOptions;

mod common;
use common::{KEYS, Lcg, ORGS, body, paragraphs, speaker};

fn generate(root: &Path, meetings: usize) {
    let _ = std::fs::remove_dir_all(root);
    std::fs::create_dir_all(root).unwrap();
    std::fs::write(root.join("site.toml"), "title = \"议录基准\"\nbase_url = \"/\"\n").unwrap();
    let paras = paragraphs();
    let mut rng = Lcg(1);
    // Each organisation keeps a speaker for a while, as in real archives.
    let mut speakers: Vec<String> = ORGS.iter().map(|_| speaker(&mut rng)).collect();
    for m in 0..meetings {
        write_meeting(root, m, &paras, &mut rng, &mut speakers);
    }
}

/// Meeting number `m` (0-based; a week after meeting `m - 1`), in its own folder; the folder.
fn write_meeting(
    root: &Path,
    m: usize,
    paras: &[String],
    rng: &mut Lcg,
    speakers: &mut [String],
) -> PathBuf {
    let start = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
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
    for j in 0..10 {
        let o = (first + j * 3) % ORGS.len();
        if rng.next(20) == 0 {
            speakers[o] = speaker(rng);
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
            period: Some("前三季度".into()),
            metrics,
            ..Default::default()
        };
        let text = front_matter::write_speech(&fm, &body(rng, paras));
        std::fs::write(dir.join(format!("{:02}-s{j}.md", j + 1)), text).unwrap();
    }
    dir
}

fn main() {
    let meetings: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1000);
    let root: PathBuf = std::env::temp_dir().join(format!("yilu-bench-serve-{meetings}"));
    let t = Instant::now();
    generate(&root, meetings);
    eprintln!("generated {meetings} meetings × 10 speeches in {:.1} s", t.elapsed().as_secs_f64());

    let root = root.canonicalize().unwrap();
    let t = Instant::now();
    let mut rebuilder =
        Rebuilder::new(BuildOptions { root: root.clone(), ..Default::default() }).unwrap();
    eprintln!(
        "initial build: {} pages in {} ms",
        rebuilder.site().plan.len(),
        t.elapsed().as_millis()
    );

    // Edit a speech in a middle meeting, the newest meeting, and the oldest.
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join("content/meetings"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    let targets = [dirs.len() / 2, dirs.len() - 1, 0, dirs.len() / 3, dirs.len() / 2];
    let mut times = Vec::new();
    for (n, &i) in targets.iter().enumerate() {
        let file = dirs[i].join("03-s2.md");
        let text = std::fs::read_to_string(&file).unwrap();
        let edited = text.replacen("\n\n## ", &format!("\n\n编辑{n}。\n\n## "), 1);
        std::fs::write(&file, edited).unwrap();
        let t = Instant::now();
        // What serve does: the pages, then (after the browser reloads) the search index.
        let report = rebuilder.apply_pages(&[file]).unwrap().expect("a content change");
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let t = Instant::now();
        rebuilder.write_deferred().unwrap();
        let search_ms = t.elapsed().as_secs_f64() * 1000.0;
        assert!(!report.full, "a body edit is incremental");
        eprintln!(
            "one-speech edit: rebuilt {} pages, wrote {} files in {ms:.1} ms (search index after the reload: {search_ms:.1} ms)",
            report.pages, report.written
        );
        times.push(ms);
    }
    // A front-matter edit that changes what other pages show (a metric value): the slower path
    // that rebuilds the aggregates and re-renders organisation, speaker and indicator pages.
    let file = dirs[dirs.len() / 2].join("03-s2.md");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replacen("period: 前三季度", "period: 前三季度\nslug: edited", 1))
        .unwrap();
    let report = rebuilder.apply(std::slice::from_ref(&file)).unwrap().unwrap();
    eprintln!(
        "a speech's URL changed: {} pages in {} ms",
        report.pages,
        report.elapsed.as_millis()
    );
    let text = std::fs::read_to_string(&file).unwrap();
    // The first indicator's value under `metrics:` becomes 99.9.
    let mut in_metrics = false;
    let edited: Vec<String> = text
        .lines()
        .map(|line| {
            if line == "metrics:" {
                in_metrics = true;
            } else if in_metrics && line.starts_with("  ") {
                in_metrics = false;
                let key = line.split(':').next().unwrap_or_default();
                return format!("{key}: 99.9");
            }
            line.to_string()
        })
        .collect();
    let edited = edited.join("\n") + "\n";
    std::fs::write(&file, edited).unwrap();
    let report = rebuilder.apply(&[file]).unwrap().unwrap();
    eprintln!(
        "a metric value changed: rebuilt {} pages in {} ms",
        report.pages,
        report.elapsed.as_millis()
    );
    let t = Instant::now();
    rebuilder.site().write_archive_files(&|_, _| Ok(())).unwrap();
    eprintln!("of which archive files (feeds, sitemap, data): {} ms", t.elapsed().as_millis());
    // The weekly case: a new meeting, newer than all, with its ten speeches.
    let paras = paragraphs();
    let mut rng = Lcg(2);
    let mut speakers: Vec<String> = ORGS.iter().map(|_| speaker(&mut rng)).collect();
    let mut add_meetings = |rebuilder: &mut Rebuilder, numbers: std::ops::Range<usize>, label| {
        let mut times = Vec::new();
        for n in numbers {
            let dir = write_meeting(&root, meetings + n, &paras, &mut rng, &mut speakers);
            let t = Instant::now();
            let report = rebuilder.apply_pages(std::slice::from_ref(&dir)).unwrap().unwrap();
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            rebuilder.write_deferred().unwrap();
            eprintln!(
                "{label}: rendered {} pages{}, wrote {} files in {ms:.1} ms",
                report.pages,
                if report.full { " (all)" } else { "" },
                report.written
            );
            times.push(ms);
        }
        times
    };
    let mut added = add_meetings(&mut rebuilder, 0..5, "new meeting");
    // A meeting deleted, with the default theme: the pages that showed it, not every page.
    let gone = dirs[dirs.len() / 2].clone();
    std::fs::remove_dir_all(&gone).unwrap();
    let report = rebuilder.apply_pages(&[gone]).unwrap().unwrap();
    eprintln!(
        "meeting deleted (default footer): rendered {} pages, wrote {} files, removed {} in {} ms",
        report.pages,
        report.written,
        report.removed,
        report.elapsed.as_millis()
    );
    // The same with a theme whose footer counts meetings: every page changes with a new
    // meeting, so every page is rendered (the default footer does not count).
    let base = include_str!("../themes/default/templates/base.html");
    let footer = "{{ t(key=\"site.footer\") }}";
    assert!(base.contains(footer));
    let theme = root.join("themes/default/templates");
    std::fs::create_dir_all(&theme).unwrap();
    let counting = format!("{{{{ site.meeting_count }}}} · {footer}");
    std::fs::write(theme.join("base.html"), base.replace(footer, &counting)).unwrap();
    rebuilder.apply(&[theme.join("base.html")]).unwrap().unwrap();
    let mut counted = add_meetings(&mut rebuilder, 5..10, "new meeting, footer counting meetings");
    let median = |times: &mut Vec<f64>| {
        times.sort_by(f64::total_cmp);
        (times[times.len() / 2], times[0], times[times.len() - 1])
    };
    let (mid, min, max) = median(&mut times);
    println!(
        "serve_rebuild: {} speeches, one-speech edit: median {mid:.1} ms (min {min:.1}, max {max:.1})",
        meetings * 10,
    );
    let (mid, min, max) = median(&mut added);
    println!(
        "serve_rebuild: {} speeches, new meeting: median {mid:.1} ms (min {min:.1}, max {max:.1})",
        meetings * 10,
    );
    let (mid, min, max) = median(&mut counted);
    println!(
        "serve_rebuild: {} speeches, new meeting (a footer counting meetings: every page): median {mid:.1} ms (min {min:.1}, max {max:.1})",
        meetings * 10,
    );
}
