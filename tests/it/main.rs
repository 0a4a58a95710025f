//! The integration tests: whole fixture sites copied to temp folders, built through the library
//! (and the binary where the command line itself is under test), outputs compared and walked.

mod analysis;
mod authoring;
mod build;
mod deploy;
mod figures_dev;
mod history_maps;
mod hostile;
mod ingest;
mod ingest_cli;
mod ingest_layouts;
mod language;
mod messages;
mod periods;
mod props;
mod registry;
mod safety;
mod search_page;
mod serve;
mod streamed_pages;
mod support;
