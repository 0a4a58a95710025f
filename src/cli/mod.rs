//! Command-line interface: clap derive; each command's args struct owns its `run()`.

use anyhow::Result;
use clap::{Parser, Subcommand};

mod build;
mod check;
mod deploy;
mod ingest;
mod init;
mod serve;

/// yilu (议录): static archives of meeting transcripts.
#[derive(Debug, Parser)]
#[command(name = "yilu", version, about, long_about = None)]
pub struct Cli {
    /// Print nothing but errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new site that builds at once.
    Init(init::InitArgs),
    /// Turn transcripts into meeting and speech Markdown files.
    Ingest(ingest::IngestArgs),
    /// Render the site to the output folder.
    Build(build::BuildArgs),
    /// Validate content and the built site's links; exit 1 on any problem.
    Check(check::CheckArgs),
    /// Build, serve on 127.0.0.1, rebuild on change and live-reload the browser.
    Serve(serve::ServeArgs),
    /// Build, then publish to S3-compatible storage (S3, OSS, COS, R2, MinIO), uploading only changes.
    Deploy(deploy::DeployArgs),
}

impl Cli {
    pub fn run(self) -> Result<()> {
        match self.command {
            Command::Init(args) => args.run(self.quiet),
            Command::Ingest(args) => args.run(self.quiet),
            Command::Build(args) => args.run(self.quiet),
            Command::Check(args) => args.run(self.quiet),
            Command::Serve(args) => args.run(self.quiet),
            Command::Deploy(args) => args.run(self.quiet),
        }
    }
}
