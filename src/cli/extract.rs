//! `yilu extract [PATH...] [--write]`: re-run figure extraction on existing speech files (an
//! archive ingested by an older version, or written by hand), print what would change per file,
//! and write only with `--write`. A speech whose front matter says `figures_locked: true` has been
//! checked by hand and is never rewritten.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;
use indexmap::IndexMap;

use crate::config::SiteConfig;
use crate::content::front_matter::{self, Figure, SpeechFrontMatter};
use crate::diagnostic::{Diagnostic, Diagnostics, count};
use crate::metrics::{Indicators, extract};
use crate::render::markdown;

#[derive(Debug, Args)]
pub(crate) struct ExtractArgs {
    /// Speech files or folders (default: the site's content/meetings/).
    pub(crate) paths: Vec<PathBuf>,
    /// Write the new metrics and figures into the files (without it, only show the changes).
    #[arg(long)]
    pub(crate) write: bool,
    /// The site folder (holding site.toml, whose [[indicators]] are used).
    #[arg(long, default_value = ".")]
    pub(crate) root: PathBuf,
}

/// What extraction gives for one speech, and whether it differs from its front matter.
struct Refreshed {
    period: Option<String>,
    metrics: IndexMap<String, f64>,
    figures: Vec<Figure>,
}

impl ExtractArgs {
    pub(crate) fn run(self, quiet: bool) -> Result<()> {
        let site_toml = self.root.join("site.toml");
        let config =
            if site_toml.is_file() { SiteConfig::load(&site_toml)? } else { SiteConfig::default() };
        let indicators = Indicators::new(&config.indicators);
        let paths = if self.paths.is_empty() {
            vec![self.root.join("content").join("meetings")]
        } else {
            self.paths.clone()
        };
        let mut problems = Diagnostics::default();
        let files = speech_files(&paths, &mut problems);
        let (mut changed, mut locked) = (0, 0);
        for file in &files {
            match self.one(file, &indicators) {
                Ok(Outcome::Same) => {}
                Ok(Outcome::Locked) => locked += 1,
                Ok(Outcome::Changed(lines)) => {
                    changed += 1;
                    if !quiet {
                        eprintln!("{}", file.display());
                        for line in lines {
                            eprintln!("  {line}");
                        }
                    }
                }
                Err(d) => problems.push(d),
            }
        }
        if !quiet {
            let verb = if self.write { "changed" } else { "would change" };
            eprintln!(
                "{} checked: {changed} {verb}, {} left alone (figures_locked: true){}",
                count(files.len(), "speech", "speeches"),
                locked,
                if self.write || changed == 0 { "" } else { "; pass --write to write them" }
            );
        }
        problems.into_result()
    }

    fn one(&self, file: &Path, indicators: &Indicators) -> Result<Outcome, Diagnostic> {
        let text = std::fs::read_to_string(file)
            .map_err(|e| Diagnostic::new(file, format!("cannot read: {e}")))?;
        let (front, body) = front_matter::read_speech(&text)
            .map_err(|e| Diagnostic::new(file, e.message).at(e.line, e.column))?;
        if front.figures_locked {
            return Ok(Outcome::Locked);
        }
        let new = refresh(body, indicators);
        let lines = differences(&front, &new);
        if lines.is_empty() {
            return Ok(Outcome::Same);
        }
        if self.write {
            let mut front = front;
            front.metrics = new.metrics;
            front.figures = new.figures;
            if new.period.is_some() {
                front.period = new.period;
            }
            let written = front_matter::write_speech(&front, body);
            crate::content::write_file_atomic(file, written.as_bytes())
                .map_err(|e| Diagnostic::new(file, format!("{e:#}")))?;
        }
        Ok(Outcome::Changed(lines))
    }
}

enum Outcome {
    Same,
    Locked,
    Changed(Vec<String>),
}

/// Every speech file under `paths` (a file as it is; a folder's `*.md` but `_index.md`), sorted.
fn speech_files(paths: &[PathBuf], problems: &mut Diagnostics) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_file() {
            files.push(path.clone());
            continue;
        }
        if !path.is_dir() {
            problems.push(
                Diagnostic::new(path, "no such file or folder")
                    .with_hint("name speech files or meeting folders under content/meetings/"),
            );
            continue;
        }
        for entry in walkdir::WalkDir::new(path).follow_links(true).sort_by_file_name() {
            match entry {
                Ok(e) if e.file_type().is_file() => {
                    let name = e.file_name().to_string_lossy();
                    if name.ends_with(".md") && name != "_index.md" {
                        files.push(e.into_path());
                    }
                }
                Ok(_) => {}
                Err(e) => problems.push(Diagnostic::new(path, e.to_string())),
            }
        }
    }
    files
}

/// Extraction as ingest does it, from the Markdown body: the lead (the text before the first
/// `##` heading) gives the metrics and period; every paragraph gives figures.
fn refresh(body: &str, indicators: &Indicators) -> Refreshed {
    let lead_end = body.find("\n## ").map_or(body.len(), |i| i + 1);
    let lead = markdown::plain_text(&body[..lead_end]).replace('\n', "");
    let (period, metrics) = extract::lead_metrics(&lead, indicators);
    let figures = markdown::plain_text(body).lines().flat_map(extract::figures).collect();
    Refreshed { period, metrics, figures }
}

/// The changes from `front` to `new`, one line each: `gdp: 6.6 → 6.7`, `+ figure …`.
fn differences(front: &SpeechFrontMatter, new: &Refreshed) -> Vec<String> {
    let mut lines = Vec::new();
    let mut keys: Vec<&String> = front.metrics.keys().chain(new.metrics.keys()).collect();
    keys.dedup();
    let mut seen = Vec::new();
    for key in keys {
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        match (front.metrics.get(key), new.metrics.get(key)) {
            (Some(a), Some(b)) if a != b => lines.push(format!("metrics.{key}: {a} → {b}")),
            (Some(a), None) => lines.push(format!("- metrics.{key}: {a}")),
            (None, Some(b)) => lines.push(format!("+ metrics.{key}: {b}")),
            _ => {}
        }
    }
    if new.period.is_some() && new.period != front.period {
        let was = front.period.as_deref().unwrap_or("(none)");
        lines.push(format!("period: {was} → {}", new.period.as_deref().unwrap_or("")));
    }
    for f in &front.figures {
        if !new.figures.contains(f) {
            lines.push(format!("- figure {} {}{} ({})", f.subject, f.value, f.unit, f.text));
        }
    }
    for f in &new.figures {
        if !front.figures.contains(f) {
            lines.push(format!("+ figure {} {}{} ({})", f.subject, f.value, f.unit, f.text));
        }
    }
    lines
}
