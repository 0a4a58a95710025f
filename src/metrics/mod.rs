//! Figures out of text and indicators over the archive: the dictionary of canonical indicators,
//! the extractor ingest uses, and the series and rankings the site's analysis pages show.

pub mod extract;
pub mod indicators;
pub mod period;

pub use indicators::{Indicator, Indicators};
