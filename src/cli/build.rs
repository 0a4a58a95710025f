//! `yilu build`

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::site::{self, BuildOptions};

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The site folder (holding site.toml).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Output folder (default: site.toml's output_dir).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Publish address, e.g. https://example.org/archive/ (default: site.toml's base_url).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Include pages marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
    /// Print how long each step took.
    #[arg(long)]
    pub timings: bool,
}

impl BuildArgs {
    pub fn options(&self) -> BuildOptions {
        BuildOptions {
            root: self.root.clone(),
            output: self.output.clone(),
            base_url: self.base_url.clone(),
            drafts: self.drafts,
            progress: None,
        }
    }

    pub fn run(self, quiet: bool) -> Result<()> {
        let mut options = self.options();
        let bar = (!quiet).then(|| progress_bar("rendering"));
        options.progress = bar.clone();
        let report = site::build(&options);
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        let report = report?;
        for w in &report.warnings {
            eprintln!("warning: {w}");
        }
        if !quiet {
            eprintln!(
                "built {} pages ({} meetings, {} speeches) into {} in {} ms",
                report.pages,
                report.meetings,
                report.speeches,
                report.output.display(),
                report.elapsed.as_millis()
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

/// A progress bar on stderr; indicatif draws nothing when stderr is not a terminal.
pub fn progress_bar(what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {elapsed}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_prefix(what.to_string());
    bar
}
