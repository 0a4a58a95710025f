//! An ingested transcript, ready to write: the meeting, its speeches and the files they make.
//! A leaf of `ingest`: both the reading side (mod.rs) and the writer (write.rs) use it.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::content::front_matter::{
    MeetingFrontMatter, SpeechFrontMatter, write_meeting, write_speech,
};
use crate::diagnostic::Diagnostic;

/// One transcript, ingested: the meeting and its speeches, ready to write.
#[derive(Debug, Clone, PartialEq)]
pub struct IngestedMeeting {
    /// The file it came from.
    pub(crate) source: PathBuf,
    /// The day it met.
    pub date: NaiveDate,
    /// What `_index.md` holds.
    pub meeting: MeetingFrontMatter,
    /// The speeches, in speaking order.
    pub speeches: Vec<IngestedSpeech>,
    /// Warnings against the transcript, at its line where known.
    pub warnings: Vec<Diagnostic>,
}

/// One speech, ready to write.
#[derive(Debug, Clone, PartialEq)]
pub struct IngestedSpeech {
    /// `NN-SLUG.md`.
    pub file_name: String,
    /// What the speech file's YAML holds.
    pub front_matter: SpeechFrontMatter,
    /// The speech's Markdown text, escaped.
    pub body: String,
}

/// A file ingest would write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Where it goes, under the content folder.
    pub path: PathBuf,
    /// Its bytes.
    pub contents: String,
}

impl IngestedMeeting {
    /// The meeting's folder under `out`: `OUT/meetings/YYYY-MM-DD`.
    pub(crate) fn folder(&self, out: &Path) -> PathBuf {
        out.join("meetings").join(self.date.format("%Y-%m-%d").to_string())
    }

    /// Where each file of the meeting goes: `_index.md`, then the speeches in order.
    pub(crate) fn paths(&self, out: &Path) -> Vec<PathBuf> {
        let folder = self.folder(out);
        std::iter::once(folder.join("_index.md"))
            .chain(self.speeches.iter().map(|s| folder.join(&s.file_name)))
            .collect()
    }

    /// The text of the meeting's file number `k` in [`IngestedMeeting::paths`]' order.
    pub(crate) fn contents(&self, k: usize) -> String {
        match k.checked_sub(1) {
            None => write_meeting(&self.meeting, ""),
            Some(s) => {
                let speech = &self.speeches[s];
                write_speech(&speech.front_matter, &speech.body)
            }
        }
    }

    /// Every file of the meeting: `_index.md`, then the speeches in order.
    pub fn files(&self, out: &Path) -> Vec<OutputFile> {
        self.paths(out)
            .into_iter()
            .enumerate()
            .map(|(k, path)| OutputFile { path, contents: self.contents(k) })
            .collect()
    }
}
