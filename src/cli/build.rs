//! `yilu build`

use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
pub struct BuildArgs {}

impl BuildArgs {
    pub fn run(self, _quiet: bool) -> Result<()> {
        anyhow::bail!("not yet")
    }
}
