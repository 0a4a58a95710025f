//! `yilu build`

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::diagnostic::count;
use crate::site::{self, BuildOptions};

#[derive(Debug, Args)]
pub(crate) struct BuildArgs {
    /// The site folder (holding site.toml).
    #[arg(long, default_value = ".")]
    pub(crate) root: PathBuf,
    /// Output folder (default: site.toml's output_dir).
    #[arg(short, long)]
    pub(crate) output: Option<PathBuf>,
    /// Publish address, e.g. https://example.org/archive/ (default: site.toml's base_url).
    #[arg(long, value_parser = parse_base_url)]
    pub(crate) base_url: Option<String>,
    /// Include pages marked `draft: true`.
    #[arg(long)]
    pub(crate) drafts: bool,
    /// Replace a non-empty output folder that yilu did not make (never the site or its sources).
    #[arg(long)]
    pub(crate) force: bool,
    /// Print how long each step took.
    #[arg(long)]
    pub(crate) timings: bool,
}

impl BuildArgs {
    pub(crate) fn options(&self) -> BuildOptions {
        BuildOptions {
            root: self.root.clone(),
            output: self.output.clone(),
            base_url: self.base_url.clone(),
            drafts: self.drafts,
            force: self.force,
            progress: None,
        }
    }

    pub(crate) fn run(self, quiet: bool) -> Result<()> {
        let mut options = self.options();
        let bar = (!quiet).then(|| progress_bar("rendering"));
        options.progress = bar.clone();
        let report = site::build(&options);
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        let report = report?;
        if !quiet {
            for w in &report.warnings {
                eprintln!("{}", crate::diagnostic::show(w));
            }
            eprintln!(
                "built {} ({}, {}) into {} in {} ms{}",
                count(report.pages, "page", "pages"),
                count(report.meetings, "meeting", "meetings"),
                count(report.speeches, "speech", "speeches"),
                report.output.display(),
                report.elapsed.as_millis(),
                if report.warnings.is_empty() {
                    String::new()
                } else {
                    format!("; {}", crate::diagnostic::summary(&report.warnings))
                }
            );
        }
        if self.timings {
            for (name, took) in &report.phases {
                eprintln!("  {:>7.1} ms  {name}", took.as_secs_f64() * 1000.0);
            }
        }
        Ok(())
    }
}

/// `--base-url`: the same rule as site.toml's base_url, refused before anything runs.
fn parse_base_url(raw: &str) -> Result<String, String> {
    crate::config::check_base_url(raw).map_err(|d| match d.hint {
        Some(hint) => {
            format!("{}\n  hint: {}", d.message, hint.replace("base_url = ", "--base-url "))
        }
        None => d.message,
    })
}

/// A progress bar on stderr; indicatif draws nothing when stderr is not a terminal.
pub(crate) fn progress_bar(what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {elapsed}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_prefix(what.to_string());
    bar
}
