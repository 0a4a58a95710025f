//! Command-line interface: clap derive; each command's args struct owns its `run()`.
//! The only part of the library that prints (to stderr; see the lints in lib.rs).
#![allow(clippy::print_stderr)]

use anyhow::Result;
use clap::{Parser, Subcommand};

use crate::diagnostic;

mod build;
mod check;
mod deploy;
mod extract;
mod ingest;
mod init;
mod new;
mod serve;

/// yilu (议录): static archives of meeting transcripts.
#[derive(Debug, Parser)]
#[command(name = "yilu", version, about, long_about = None)]
pub struct Cli {
    /// Print nothing but errors.
    #[arg(short, long, global = true)]
    pub(crate) quiet: bool,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Create a new site that builds at once.
    Init(init::InitArgs),
    /// Scaffold a meeting or a speech file: `new meeting 2025-01-20`, `new speech 2025-01-20 万州区`.
    New(new::NewArgs),
    /// Turn transcripts into meeting and speech Markdown files.
    Ingest(ingest::IngestArgs),
    /// Render the site to the output folder.
    Build(build::BuildArgs),
    /// Validate content and the built site's links; exit 1 on any problem.
    Check(check::CheckArgs),
    /// Build, serve on 127.0.0.1, rebuild on change and live-reload the browser.
    Serve(serve::ServeArgs),
    /// Re-run figure extraction on existing speech files; show the changes, write with --write.
    Extract(extract::ExtractArgs),
    /// Build, then publish to S3-compatible storage (S3, OSS, COS, R2, MinIO), uploading only changes.
    Deploy(deploy::DeployArgs),
}

impl Cli {
    /// Runs the command the line names.
    pub fn run(self) -> Result<()> {
        match self.command {
            Command::Init(args) => args.run(self.quiet),
            Command::New(args) => args.run(self.quiet),
            Command::Ingest(args) => args.run(self.quiet),
            Command::Build(args) => args.run(self.quiet),
            Command::Check(args) => args.run(self.quiet),
            Command::Serve(args) => args.run(self.quiet),
            Command::Deploy(args) => args.run(self.quiet),
            Command::Extract(args) => args.run(self.quiet),
        }
    }
}

/// Prints a failed command's error once (see [`diagnostic::error_report`]).
pub fn print_error(err: &anyhow::Error) {
    eprintln!("{}", diagnostic::error_report(err));
}
