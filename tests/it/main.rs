//! The integration tests: whole fixture sites copied to temp folders, built through the library
//! (and the binary where the command line itself is under test), outputs compared and walked.

mod analysis;
mod build;
mod hostile;
mod ingest;
mod periods;
mod props;
mod search_page;
mod serve;
mod support;
