//! Figures out of text and indicators over the archive: the dictionary of canonical indicators,
//! the reading form and lexicon of Chinese statistical writing, and the clause grammar ingest
//! uses to read growth figures and a lead's metrics.

pub mod extract;
pub(crate) mod indicators;
pub(crate) mod lexicon;
pub(crate) mod normalize;
pub mod period;

pub use indicators::{Indicator, Indicators};
