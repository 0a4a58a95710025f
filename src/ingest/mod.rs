//! Transcript text → meeting and speech files.
