//! `yilu check`: every problem as `SEVERITY: file:line:col: message` (or a JSON array with
//! `--format json`), then a count of errors and warnings; exit 1 only when there are errors.

use std::io::Write as _;

use anyhow::Result;
use clap::{Args, ValueEnum};
use serde::Serialize;

use super::build::BuildArgs;
use crate::diagnostic::Diagnostic;

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub build: BuildArgs,
    /// How to print problems: `text` for people, `json` (an array on stdout) for tools.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// One problem as `--format json` prints it.
#[derive(Serialize)]
struct JsonProblem<'a> {
    severity: &'static str,
    file: String,
    line: Option<usize>,
    column: Option<usize>,
    message: &'a str,
    hint: Option<&'a str>,
}

impl<'a> From<&'a Diagnostic> for JsonProblem<'a> {
    fn from(d: &'a Diagnostic) -> Self {
        JsonProblem {
            severity: d.severity.as_str(),
            file: d.path.display().to_string(),
            line: d.line,
            column: d.column,
            message: &d.message,
            hint: d.hint.as_deref(),
        }
    }
}

impl CheckArgs {
    /// Prints every problem and their count; the error (exit 1) comes only with errors.
    pub fn run(self, quiet: bool) -> Result<()> {
        let report = crate::check::run(&self.build.options())?;
        match self.format {
            Format::Text => {
                for p in &report.problems {
                    eprintln!("{}", super::show(p));
                }
            }
            Format::Json => {
                let list: Vec<JsonProblem> =
                    report.problems.iter().map(JsonProblem::from).collect();
                let mut out = std::io::stdout().lock();
                serde_json::to_writer_pretty(&mut out, &list)?;
                writeln!(out)?;
            }
        }
        let summary = super::summary(&report.problems);
        if report.errors() > 0 {
            anyhow::bail!("check found {summary}");
        }
        if !quiet {
            eprintln!(
                "checked content and {}: {summary}",
                crate::diagnostic::count(report.pages, "page", "pages")
            );
        }
        Ok(())
    }
}
