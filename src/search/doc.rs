//! [`SearchDoc`]: what the index knows of one speech. `site` makes them from the archive; the
//! index reads them. A leaf: it depends on nothing.

use serde::Serialize;

/// One searchable speech.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SearchDoc {
    /// Site path, `meetings/2024-10-21/wanzhou/`.
    pub path: String,
    /// The speech's headline.
    pub title: String,
    /// The speaker's name, or empty.
    pub speaker: String,
    /// The organisation's name, or empty.
    pub org: String,
    /// `2024-10-21`.
    pub date: String,
    /// The meeting's title.
    pub meeting: String,
    /// Plain text (no markup), for snippets and phrase verification.
    pub body: String,
}
