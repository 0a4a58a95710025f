//! `yilu ingest FILE...`: parse the flags, load site.toml's overrides, run the library's
//! ingest and print its report.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use chrono::NaiveDate;
use clap::Args;

use crate::config::SiteConfig;
use crate::diagnostic::Diagnostic;
use crate::ingest::{IngestOptions, IngestReport, WriteMode, ingest};

#[derive(Debug, Args)]
pub(crate) struct IngestArgs {
    /// Transcript files (plain text or the article's HTML page).
    #[arg(required = true)]
    pub(crate) files: Vec<PathBuf>,
    /// Year of a meeting whose text gives only month and day (10月21日).
    #[arg(long, conflicts_with = "date")]
    pub(crate) year: Option<i32>,
    /// The meeting's date, when the text does not give a full one.
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub(crate) date: Option<NaiveDate>,
    /// The site folder (holding site.toml); content is written to its content/ folder.
    #[arg(long)]
    pub(crate) root: Option<PathBuf>,
    /// Content folder to write into (default: ROOT/content).
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// Print the files it would write and write nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Replace an existing meeting's generated files (hand-added files are kept), and let
    /// --date/--year win over a date the text prints.
    #[arg(long)]
    pub(crate) force: bool,
    /// The article's web address, recorded as the meeting's `source.url` (one file only).
    #[arg(long, value_name = "URL", value_parser = parse_url)]
    pub(crate) source_url: Option<String>,
    /// The newspaper or site that published it, recorded as `source.publication`.
    #[arg(long, value_name = "NAME")]
    pub(crate) publication: Option<String>,
}

fn parse_url(s: &str) -> Result<String, String> {
    crate::ingest::source::check_url(s)
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("expected YYYY-MM-DD, found {s:?}"))
}

/// site.toml of the root, else (with no --root) of the folder that holds --out; defaults and a
/// warning when there is none.
fn site_config(
    root: &Path,
    explicit_root: bool,
    out: &Path,
) -> Result<(SiteConfig, Option<Diagnostic>)> {
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty());
    let candidates = [
        Some(root.join("site.toml")),
        parent.filter(|_| !explicit_root).map(|p| p.join("site.toml")),
    ];
    for path in candidates.into_iter().flatten() {
        if path.is_file() {
            let config =
                SiteConfig::load(&path).with_context(|| format!("loading {}", path.display()))?;
            return Ok((config, None));
        }
    }
    let warning = Diagnostic::warning(
        root.join("site.toml"),
        "not found: ingesting with the built-in organisations and indicators",
    )
    .with_hint(
        "run ingest in the site folder or pass --root SITE (create a site with `yilu init`)",
    );
    Ok((SiteConfig::default(), Some(warning)))
}

impl IngestArgs {
    pub(crate) fn run(self, quiet: bool) -> Result<()> {
        if self.source_url.is_some() && self.files.len() > 1 {
            anyhow::bail!(
                "--source-url names one article, but {} files were given: ingest them one at a time",
                self.files.len()
            );
        }
        let root = self.root.clone().unwrap_or_else(|| PathBuf::from("."));
        if !root.is_dir() {
            let mut problems = crate::diagnostic::Diagnostics::default();
            problems.push(
                Diagnostic::new(&root, "--root: no such folder")
                    .with_hint("pass the site folder (the one holding site.toml)"),
            );
            return problems.into_result();
        }
        // Paths as the user wrote them: `content/…`, not `./content/…`.
        let out = self.out.clone().unwrap_or_else(|| match &self.root {
            Some(root) => root.join("content"),
            None => PathBuf::from("content"),
        });
        let (config, no_site) = site_config(&root, self.root.is_some(), &out)?;
        if let Some(warning) = no_site.filter(|_| !quiet) {
            eprintln!("warning: {warning}");
        }
        // A bar only for many files: one transcript ingests in milliseconds.
        let bar = (!quiet && self.files.len() > 20).then(|| {
            let bar = super::build::progress_bar("ingesting");
            bar.set_length(self.files.len() as u64);
            bar
        });
        let options = IngestOptions {
            year: self.year,
            date: self.date,
            force: self.force,
            progress: bar.clone(),
            source: crate::content::front_matter::Source {
                publication: self
                    .publication
                    .map(|p| p.trim().to_string())
                    .filter(|p| !p.is_empty()),
                url: self.source_url,
            },
            ..IngestOptions::new(&config)
        };
        let mode = WriteMode { force: self.force, dry_run: self.dry_run };
        let report = ingest(&self.files, &out, &options, mode);
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        let report = report?;
        for warning in report.warnings().filter(|_| !quiet) {
            eprintln!("warning: {warning}");
        }
        if !quiet || self.dry_run {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`yilu ingest … | head`) is not an error worth reporting.
            match write!(stdout, "{}", Shown(&report)) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(e.into()),
                _ => {}
            }
        }
        // The process ends here: freeing every meeting's text one allocation at a time is
        // serial work after the parallel part, and the OS takes the memory back at once.
        std::mem::forget(report);
        Ok(())
    }
}

/// The report as the command prints it: each meeting's speeches with their organisation,
/// speaker and metrics, then the files written, removed and kept.
struct Shown<'a>(&'a IngestReport);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let report = self.0;
        for m in &report.meetings {
            writeln!(f, "{}  {} ({})", m.date, m.meeting.title, m.source.display())?;
            writeln!(f, "  {:>2}  {}{}metrics", "#", pad("org", 14), pad("speaker", 10))?;
            for s in &m.speeches {
                let fm = &s.front_matter;
                let metrics: Vec<String> =
                    fm.metrics.iter().map(|(k, v)| format!("{k} {v}")).collect();
                writeln!(
                    f,
                    "  {:>2}  {}{}{}{}",
                    fm.order.unwrap_or(0),
                    pad(fm.org.as_deref().unwrap_or(""), 14),
                    pad(fm.speaker.as_deref().unwrap_or("?"), 10),
                    fm.period.as_deref().map(|p| format!("{p}: ")).unwrap_or_default(),
                    metrics.join(", ")
                )?;
            }
        }
        let verb = if report.dry_run { "would write" } else { "wrote" };
        writeln!(f, "{verb} {}:", crate::diagnostic::count(report.files.len(), "file", "files"))?;
        for path in &report.files {
            writeln!(f, "  {}", path.display())?;
        }
        if !report.removed.is_empty() {
            let verb = if report.dry_run { "would remove" } else { "removed" };
            writeln!(f, "{verb} {} of the earlier ingest:", report.removed.len())?;
            for path in &report.removed {
                writeln!(f, "  {}", path.display())?;
            }
        }
        if !report.kept.is_empty() {
            writeln!(f, "kept {} added by hand:", report.kept.len())?;
            for path in &report.kept {
                writeln!(f, "  {}", path.display())?;
            }
        }
        Ok(())
    }
}

/// `s` padded with spaces to `width` terminal columns (Han characters take two).
fn pad(s: &str, width: usize) -> String {
    let used: usize = s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
    format!("{s}{} ", " ".repeat(width.saturating_sub(used)))
}
