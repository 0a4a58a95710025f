//! `yilu ingest FILE...`

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Transcript files (plain text or the article's HTML page).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

impl IngestArgs {
    pub fn run(self, _quiet: bool) -> Result<()> {
        anyhow::bail!("ingest is not implemented yet")
    }
}
