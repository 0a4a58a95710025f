//! `yilu check`: every problem as `SEVERITY: file:line:col: message` (or a JSON array with
//! `--format json`), then a count of errors and warnings; exit 1 only when there are errors.

use std::io::Write as _;

use anyhow::Result;
use clap::{Args, ValueEnum};
use serde::Serialize;

use super::build::BuildArgs;
use crate::diagnostic::{Diagnostic, Diagnostics};

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    pub(crate) build: BuildArgs,
    /// How to print problems: `text` for people, `json` (an array on stdout) for tools.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
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
    key: Option<&'a str>,
    message: String,
    hint: Option<&'a str>,
}

impl<'a> From<&'a Diagnostic> for JsonProblem<'a> {
    fn from(d: &'a Diagnostic) -> Self {
        JsonProblem {
            severity: d.severity.as_str(),
            file: d.path.display().to_string(),
            line: d.line,
            column: d.column,
            key: d.key.as_deref(),
            message: d.text(),
            hint: d.hint.as_deref(),
        }
    }
}

impl CheckArgs {
    /// Prints every problem and their count; the error (exit 1) comes only with errors.
    pub(crate) fn run(self, quiet: bool) -> Result<()> {
        let report = match crate::check::run(&self.build.options()) {
            Ok(report) => report,
            // A site that does not load (site.toml, front matter, templates): its problems are
            // the report; in JSON too, so a tool always gets the array.
            Err(e) if self.format == Format::Json => {
                let list = e.chain().find_map(|c| c.downcast_ref::<Diagnostics>());
                let problems = match list {
                    Some(list) => list.0.clone(),
                    None => vec![Diagnostic::new(&self.build.root, format!("{e:#}"))],
                };
                print_json(&problems)?;
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        match self.format {
            Format::Text => {
                for p in &report.problems {
                    eprintln!("{}", crate::diagnostic::show(p));
                }
            }
            Format::Json => print_json(&report.problems)?,
        }
        let summary = crate::diagnostic::summary(&report.problems);
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

/// The problems as a JSON array on stdout.
fn print_json(problems: &[Diagnostic]) -> Result<()> {
    let list: Vec<JsonProblem> = problems.iter().map(JsonProblem::from).collect();
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &list)?;
    writeln!(out)?;
    Ok(())
}
