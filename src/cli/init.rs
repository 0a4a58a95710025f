//! `yilu init`

use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
pub struct InitArgs {}

impl InitArgs {
    pub fn run(self, _quiet: bool) -> Result<()> {
        anyhow::bail!("not yet")
    }
}
