//! The `yilu` binary: parse the command line, run, print the whole error chain once.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Usage errors exit 1 like content errors (clap's own default is 2); --help and --version 0.
    let cli = match yilu::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 1 } else { 0 });
        }
    };
    match cli.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            yilu::cli::print_error(&err);
            ExitCode::from(1)
        }
    }
}
