//! The `yilu` binary: parse the command line, run, print the whole error chain once.

use std::process::ExitCode;

use clap::Parser;

/// mimalloc rather than the system allocator: glibc's per-thread arenas grow and trim under
/// the parallel parse and render, and zeroing the pages they take back from the OS was a sixth
/// of ingest's time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
