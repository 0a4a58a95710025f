//! `yilu check`

use anyhow::Result;
use clap::Args;

use super::build::BuildArgs;

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub build: BuildArgs,
}

impl CheckArgs {
    /// Prints every problem; the error (exit 1) says how many there were.
    pub fn run(self, quiet: bool) -> Result<()> {
        let report = crate::check::run(&self.build.options())?;
        for p in &report.problems {
            eprintln!("{p}");
        }
        if !report.problems.is_empty() {
            anyhow::bail!("{} problem(s) found", report.problems.len());
        }
        if !quiet {
            eprintln!("checked content and {} pages: no problems", report.pages);
        }
        Ok(())
    }
}
