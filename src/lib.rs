//! yilu (议录): a static site generator for archives of meeting transcripts.
//!
//! The pipeline, one way:
//!
//! ```text
//! site.toml ─▶ config ─┐
//! transcript ─▶ ingest ─▶ content/ (Markdown + YAML, written through content::front_matter)
//!                       content/ ─▶ content::load ─▶ Archive ─▶ render ─▶ site::build ─▶ public/
//!                                                   metrics (indicators, figures, series)
//! ```
//!
//! `serve` and `check` sit on top of `site`; `cli` wires the commands.
#![warn(clippy::print_stdout)]
#![warn(clippy::print_stderr)]

pub mod check;
pub mod cli;
pub mod config;
pub mod content;
pub mod diagnostic;
pub mod ingest;
pub mod metrics;
pub mod orgs;
pub mod render;
pub mod search;
pub mod serve;
pub mod site;
pub mod slug;
