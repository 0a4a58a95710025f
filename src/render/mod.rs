//! Markdown and templates.
