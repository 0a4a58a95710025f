//! `yilu deploy`

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::config::SiteConfig;
use crate::deploy::{self, DeployOptions, Event, Reason};
use crate::diagnostic::count;
use crate::site::{self, BuildOptions};

const AFTER_HELP: &str = "Targets are [[deploy]] entries of site.toml:

    [[deploy]]
    name = \"production\"
    url = \"s3://BUCKET/PREFIX?endpoint=https://ENDPOINT&region=REGION\"

Credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for
temporary ones), never from site.toml. Files under PREFIX that the build no longer makes are
deleted (at most --max-deletes without --force).";

#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub(crate) struct DeployArgs {
    /// The site folder (holding site.toml).
    #[arg(long, default_value = ".")]
    pub(crate) root: PathBuf,
    /// Output folder to build into and publish (default: site.toml's output_dir).
    #[arg(short, long)]
    pub(crate) output: Option<PathBuf>,
    /// The [[deploy]] entry to publish to (needed when there are several).
    #[arg(short, long, value_name = "NAME")]
    pub(crate) target: Option<String>,
    /// Show what would be uploaded and deleted; change nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Delete remote files even when there are more than --max-deletes.
    #[arg(long)]
    pub(crate) force: bool,
    /// Refuse to delete more remote files than this without --force.
    #[arg(long, value_name = "N", default_value_t = 256)]
    pub(crate) max_deletes: usize,
    /// Publish the output folder as it is, without building first.
    #[arg(long)]
    pub(crate) no_build: bool,
}

impl DeployArgs {
    pub(crate) fn run(self, quiet: bool) -> Result<()> {
        let config_path = self.root.join("site.toml");
        let config = SiteConfig::load(&config_path)?;
        let target = deploy::select_target(&config.deploy, &config_path, self.target.as_deref())?;
        deploy::credentials(&target.url)?;
        let output = if self.no_build {
            self.output.clone().unwrap_or_else(|| self.root.join(&config.output_dir))
        } else {
            if deploy::is_loopback(&config.base_url) {
                anyhow::bail!(
                    "{}: base_url {} is a loopback address; set the address the site is published \
                     at before deploying",
                    config_path.display(),
                    config.base_url
                );
            }
            let report = site::build(&BuildOptions {
                root: self.root.clone(),
                output: self.output.clone(),
                ..BuildOptions::default()
            })?;
            if !quiet {
                eprintln!("built {} pages into {}", report.pages, report.output.display());
            }
            report.output
        };
        deploy::check_publishable(&output)?;
        let options = DeployOptions {
            dry_run: self.dry_run,
            force: self.force,
            max_deletes: self.max_deletes,
            ..DeployOptions::default()
        };
        let mut on_event = |event: Event<'_>| match event {
            Event::Planned(plan) if self.dry_run && !quiet => {
                for u in &plan.uploads {
                    let why = if u.reason == Reason::New { "new" } else { "changed" };
                    eprintln!("would upload {} ({why}, {})", u.key, size(u.file.size));
                }
                for rel in &plan.deletes {
                    eprintln!("would delete {}", target.url.key(rel));
                }
            }
            Event::Uploaded(u) if !quiet => eprintln!("uploaded {}", u.key),
            Event::Deleted(rel) if !quiet => eprintln!("deleted {}", target.url.key(rel)),
            _ => {}
        };
        let report = deploy::deploy(target, &output, &options, &mut on_event)?;
        if !quiet {
            let (uploads, deletes) = if report.dry_run {
                (report.plan.uploads.len(), report.plan.deletes.len())
            } else {
                (report.uploaded, report.deleted)
            };
            let (head, upload, delete) = if report.dry_run {
                ("dry run, nothing changed:", "would upload", "would delete")
            } else {
                ("deployed to", "uploaded", "deleted")
            };
            eprintln!(
                "{head} {} ({}): {upload} {} ({}), {delete} {}, {} unchanged",
                target.url,
                target.name,
                count(uploads, "file", "files"),
                size(report.bytes),
                count(deletes, "file", "files"),
                report.unchanged
            );
            if report.dry_run && deletes > self.max_deletes && !self.force {
                eprintln!(
                    "note: a real deploy would refuse to delete more than --max-deletes {} files without --force",
                    self.max_deletes
                );
            }
        }
        Ok(())
    }
}

/// `1.2 MB`, `340 B`.
fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}
