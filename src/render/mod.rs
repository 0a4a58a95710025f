//! Rendering: Markdown bodies (markdown.rs) and Tera templates (templates.rs), each built once.

pub mod chart;
pub mod markdown;
pub mod templates;
