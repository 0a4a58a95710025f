//! Transcript text → meeting and speech files.
//!
//! ```text
//! bytes ─ text::decode ─▶ (html::article_text) ─ text::strip_invisible, text::blocks
//!   ─▶ transcript::parse ─▶ Transcript
//!   Transcript + date::resolve + orgs + metrics::extract + sections::build ─▶ IngestedMeeting
//!   IngestedMeeting::files ─▶ write: every meeting into a staging folder, then renamed into place
//! ```
//!
//! Nothing here prints: `ingest` returns an [`IngestReport`] the command line displays, with
//! every warning a [`Diagnostic`] at the transcript line it concerns.

pub(crate) mod date;
pub(crate) mod html;
mod meeting;
pub(crate) mod sections;
pub(crate) mod source;
pub(crate) mod text;
pub mod transcript;
mod write;

pub use meeting::{IngestedMeeting, IngestedSpeech, OutputFile};
pub use write::{IngestReport, WriteMode, is_generated_name};

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::config::SiteConfig;
use rayon::prelude::*;

use crate::content::front_matter::{MeetingFrontMatter, SpeechFrontMatter};
use crate::diagnostic::{self, Diagnostic};
use crate::metrics::{Indicators, extract};
use crate::orgs::Registry;

/// What ingest needs besides the text: the date flags and the dictionaries.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// The year of a text that prints only 月日 (`--year`).
    pub year: Option<i32>,
    /// The meeting's date, over the text's (`--date`).
    pub date: Option<NaiveDate>,
    /// `--force`: `--date`/`--year` win over a date the text prints.
    pub force: bool,
    /// The organisations speakers are matched against.
    pub registry: Registry,
    /// The indicators figures are read into.
    pub indicators: Indicators,
    /// Advanced by one per file read; the CLI shows it on a terminal.
    pub progress: Option<indicatif::ProgressBar>,
    /// `--source-url` and `--publication`: the meeting's `source:` (over an HTML page's own).
    pub source: crate::content::front_matter::Source,
}

impl IngestOptions {
    /// Options with the registry and indicators of `config` (site.toml overrides applied; an
    /// unknown region was refused when the config was read, so none is left to fail here).
    pub fn new(config: &SiteConfig) -> IngestOptions {
        IngestOptions {
            year: None,
            date: None,
            force: false,
            registry: Registry::with_region(&config.organisations, config.region.as_deref())
                .unwrap_or_else(|_| Registry::new(&config.organisations)),
            indicators: Indicators::new(&config.indicators),
            progress: None,
            source: Default::default(),
        }
    }
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions::new(&SiteConfig::default())
    }
}

/// Ingests every file and writes them all under `out`, or nothing: every input is parsed
/// (problems of all files reported together), then [`write::write_all`] checks every target
/// before the first write and stages each meeting.
pub fn ingest(
    paths: &[PathBuf],
    out: &Path,
    options: &IngestOptions,
    mode: WriteMode,
) -> anyhow::Result<IngestReport> {
    let meetings = read_all(paths, options)?;
    write::write_all(meetings, out, mode)
}

/// Reads and parses every file, in parallel (files are independent), in input order.
fn read_all(paths: &[PathBuf], options: &IngestOptions) -> anyhow::Result<Vec<IngestedMeeting>> {
    let results: Vec<Result<IngestedMeeting, Diagnostic>> = paths
        .par_iter()
        .map(|path| {
            let result = ingest_file(path, options);
            if let Some(bar) = &options.progress {
                bar.inc(1);
            }
            result
        })
        .collect();
    diagnostic::all_ok(results)
}

/// Reads and ingests one file (plain text or an HTML page). Errors name the file.
/// Files over [`text::MAX_INPUT_BYTES`] are refused before they are read.
pub(crate) fn ingest_file(
    path: &Path,
    options: &IngestOptions,
) -> Result<IngestedMeeting, Diagnostic> {
    use std::io::Read as _;
    if path.is_dir() {
        let glob = path.join("*.txt");
        return Err(Diagnostic::new(path, "is a folder, not a transcript")
            .with_hint(format!("pass its transcripts: `yilu ingest {}`", glob.display())));
    }
    let cannot_read = |e: std::io::Error| Diagnostic::new(path, format!("cannot read: {e}"));
    let file = std::fs::File::open(path).map_err(cannot_read)?;
    let size = file.metadata().map_err(cannot_read)?.len();
    if size > text::MAX_INPUT_BYTES {
        return Err(Diagnostic::new(
            path,
            text::InputProblem::TooLarge { bytes: size }.to_string(),
        ));
    }
    // At most one byte past the limit, in case the file grew since it was measured (decode
    // refuses it then).
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(text::MAX_INPUT_BYTES + 1).read_to_end(&mut bytes).map_err(cannot_read)?;
    ingest_bytes(path, &bytes, options)
}

/// Ingests the contents of a file called `path`.
pub(crate) fn ingest_bytes(
    path: &Path,
    bytes: &[u8],
    options: &IngestOptions,
) -> Result<IngestedMeeting, Diagnostic> {
    let text = text::decode(bytes).map_err(|problem| {
        let d = Diagnostic::new(path, problem.to_string());
        match problem {
            text::InputProblem::NotUtf8 { line, column } => d.at(line, column),
            _ => d,
        }
    })?;
    ingest_text(path, &text, options)
}

/// A speech this many times longer than the median one probably swallowed the next speech.
const LONG_SPEECH_FACTOR: usize = 3;
/// …and this long at least (in chars), so short digests do not warn.
const LONG_SPEECH_MIN: usize = 1500;

/// Ingests transcript text read from `path` (used for messages and a date in the file name).
pub fn ingest_text(
    path: &Path,
    text: &str,
    options: &IngestOptions,
) -> Result<IngestedMeeting, Diagnostic> {
    let mut warnings = Vec::new();
    let input = Input::read(path, text, &mut warnings)?;
    let transcript =
        transcript::parse(&input.blocks).map_err(|e| Diagnostic::new(path, e.to_string()))?;
    for note in &transcript.warnings {
        warnings.push(input.at(Diagnostic::warning(path, note.message.clone()), note.block));
    }
    let date = meeting_date(path, &transcript, options, &mut warnings)?;
    let speeches = ingest_speeches(&input, &transcript, options, &mut warnings);
    long_speech_warnings(path, &transcript.speeches, &mut |k, d| {
        warnings.push(input.at(d, Some(transcript.speeches[k].block)))
    });
    let meeting = meeting_front_matter(path, &transcript, date, &speeches, &mut warnings);
    Ok(IngestedMeeting {
        source: path.to_path_buf(),
        date,
        meeting: MeetingFrontMatter {
            source: source::merge(&options.source, input.page),
            ..meeting
        },
        speeches,
        warnings,
    })
}

/// A transcript's text as blocks, with where each block starts in the file.
struct Input<'a> {
    path: &'a Path,
    /// Non-empty lines, trimmed (see [`text::numbered_blocks`]).
    blocks: Vec<String>,
    /// The file line of each block; None for an HTML page (its lines are of extracted text).
    lines: Option<Vec<usize>>,
    /// What an HTML page says of its own source (nothing for plain text).
    page: crate::content::front_matter::Source,
}

impl<'a> Input<'a> {
    /// Plain text or an HTML page's article, without a BOM and invisible characters (warned
    /// of, at the first one's place in plain text), split into blocks.
    fn read(
        path: &'a Path,
        text: &str,
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<Input<'a>, Diagnostic> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let (text, removed, first) = text::strip_invisible(text);
        let html = html::looks_like_html(&text);
        if removed > 0 {
            let mut d = Diagnostic::warning(
                path,
                format!(
                    "removed {} (zero-width or control characters)",
                    crate::diagnostic::count(
                        removed,
                        "invisible character",
                        "invisible characters"
                    )
                ),
            );
            if let Some((line, col)) = first.filter(|_| !html) {
                d = d.at(line, col);
            }
            warnings.push(d);
        }
        let (numbered, page) = if html {
            // The text first: it refuses a page nested too deep to parse in linear time.
            let plain = html::article_text(&text).map_err(|e| Diagnostic::new(path, e))?;
            (text::numbered_blocks(&plain), source::from_html(&text))
        } else {
            (text::numbered_blocks(&text), Default::default())
        };
        if numbered.is_empty() {
            return Err(Diagnostic::new(path, "the file has no text"));
        }
        let (lines, blocks): (Vec<usize>, Vec<String>) = numbered.into_iter().unzip();
        Ok(Input { path, blocks, lines: (!html).then_some(lines), page })
    }

    /// `d` at the file line of `block`, where there is one.
    fn at(&self, d: Diagnostic, block: Option<usize>) -> Diagnostic {
        match (block, &self.lines) {
            (Some(b), Some(lines)) => d.at(lines[b], 1),
            _ => d,
        }
    }
}

/// The meeting's date from its headline, subtitle and lead, its file name and the flags.
fn meeting_date(
    path: &Path,
    transcript: &transcript::Transcript,
    options: &IngestOptions,
    warnings: &mut Vec<Diagnostic>,
) -> Result<NaiveDate, Diagnostic> {
    let front = [
        transcript.headline.as_deref().unwrap_or(""),
        transcript.subtitle.as_deref().unwrap_or(""),
        &transcript.lead.join("\n"),
    ]
    .join("\n");
    let file_name = path.file_name().map(|f| f.to_string_lossy()).unwrap_or_default();
    let (date, date_warnings) = date::resolve(
        &front,
        &file_name,
        &date::Flags { date: options.date, year: options.year, force: options.force },
    )
    .map_err(|e| Diagnostic::new(path, e))?;
    warnings.extend(date_warnings.into_iter().map(|w| Diagnostic::warning(path, w)));
    Ok(date)
}

/// Every speech: its organisation, file name, body, period, metrics and figures.
fn ingest_speeches(
    input: &Input<'_>,
    transcript: &transcript::Transcript,
    options: &IngestOptions,
    warnings: &mut Vec<Diagnostic>,
) -> Vec<IngestedSpeech> {
    let mut slugs = SlugSet::default();
    // File names sort in speech order: 01–99, or 0001–5000 for a text of thousands.
    let width = transcript.speeches.len().to_string().len().max(2);
    // The units the meeting's speakers belong to settle names several units share.
    let near =
        options.registry.parents_near(transcript.speeches.iter().map(|s| s.position.as_str()));
    let mut speeches = Vec::with_capacity(transcript.speeches.len());
    for (k, speech) in transcript.speeches.iter().enumerate() {
        let order = k as u32 + 1;
        let found = options.registry.resolve_position_near(&speech.position, &near);
        warnings.extend(organisation_warnings(input, speech, order, &found));
        warnings.extend(hidden_speaker_lines(input, speech, order, &options.registry));
        let (org, kind, slug) = (found.name, found.kind, cap_slug(&found.slug));
        let unique = slugs.unique(&slug);
        let body = sections::build(&speech.paragraphs);
        let (period, mut metrics, mut figures) =
            extract::speech_figures(&speech.paragraphs, &body.lead, &options.indicators);
        for absurd in drop_absurd_values(&mut metrics, &mut figures) {
            let d = Diagnostic::warning(
                input.path,
                format!("speech {order}: {absurd} is not a believable growth figure; left out"),
            )
            .with_hint("check the transcript for a misprint or a number run into the next");
            warnings.push(input.at(d, Some(speech.block)));
        }
        let title = speech.headline.clone().unwrap_or_else(|| match &speech.speaker {
            Some(name) => format!("{org} {name}"),
            None => org.clone(),
        });
        speeches.push(IngestedSpeech {
            file_name: format!("{order:0width$}-{unique}.md"),
            front_matter: SpeechFrontMatter {
                title,
                speaker: speech.speaker.clone(),
                position: Some(speech.position.clone()),
                org: Some(org),
                org_kind: Some(kind),
                // A second speech of one organisation needs its own URL, not the org's slug.
                slug: (unique != slug).then(|| unique.clone()),
                order: Some(order),
                period,
                metrics,
                figures,
                ..Default::default()
            },
            body: body.markdown,
        });
    }
    speeches
}

/// What the registry noted resolving a speech's organisation: an unknown name (with its near
/// misses as the fix), or a known one's ambiguities.
fn organisation_warnings(
    input: &Input<'_>,
    speech: &transcript::SpeechText,
    order: u32,
    found: &crate::orgs::Resolved,
) -> Vec<Diagnostic> {
    let path = input.path;
    if !found.known {
        // An unknown name's note is its near misses: one warning says both.
        let hint = found.notes.iter().find_map(|n| n.hint.as_deref());
        let fix = match hint {
            Some(hint) => format!("{hint} (or add it to site.toml [[organisations]])"),
            None => "add it to site.toml [[organisations]]".to_string(),
        };
        let d = Diagnostic::warning(
            path,
            format!(
                "speech {order}: unknown organisation {:?} (from {:?}); slug {}, kind {}",
                found.name,
                speech.position,
                found.slug,
                found.kind.as_str()
            ),
        )
        .with_hint(fix);
        return vec![input.at(d, Some(speech.block))];
    }
    found
        .notes
        .iter()
        .map(|note| {
            let mut d = Diagnostic::warning(path, format!("speech {order}: {}", note.message));
            if let Some(hint) = &note.hint {
                d = d.with_hint(hint.clone());
            }
            input.at(d, Some(speech.block))
        })
        .collect()
}

/// Body lines of a speech that name a unit and a title like a speaker line but were not read
/// as one (a typo or a hidden character between title and name).
fn hidden_speaker_lines(
    input: &Input<'_>,
    speech: &transcript::SpeechText,
    order: u32,
    registry: &Registry,
) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for &b in &speech.body_blocks {
        let det = text::detection(&input.blocks[b]);
        if transcript::looks_like_speaker_line(&det)
            && let Some(named) = registry.find_in(&det)
        {
            let d = Diagnostic::warning(
                input.path,
                format!(
                    "speech {order}: a body line names {} and a title but was not read as a speaker line: {}",
                    named.name, input.blocks[b]
                ),
            )
            .with_hint(
                "if a speech starts here, write the line as `POSITION NAME` (e.g. `万州区委书记 卢红`)",
            );
            found.push(input.at(d, Some(b)));
        }
    }
    found
}

/// The meeting's title (its headline, else subtitle, else its date), summary (the lead) and
/// participants (the units the lead lists, else the speeches' organisations in order).
fn meeting_front_matter(
    path: &Path,
    transcript: &transcript::Transcript,
    date: NaiveDate,
    speeches: &[IngestedSpeech],
    warnings: &mut Vec<Diagnostic>,
) -> MeetingFrontMatter {
    let summary = (!transcript.lead.is_empty()).then(|| transcript.lead.join("\n"));
    let participants = summary.as_deref().and_then(transcript::participants).unwrap_or_else(|| {
        let mut orgs: Vec<String> = Vec::new();
        for s in speeches {
            let org = s.front_matter.org.clone().unwrap_or_default();
            if !orgs.contains(&org) {
                orgs.push(org);
            }
        }
        orgs
    });
    let title = match (&transcript.headline, &transcript.subtitle) {
        (Some(h), _) => h.clone(),
        (None, Some(s)) => s.clone(),
        (None, None) => {
            warnings.push(Diagnostic::warning(path, "no meeting headline found; titled by date"));
            format!("{date} 会议发言")
        }
    };
    MeetingFrontMatter {
        title,
        subtitle: transcript.subtitle.clone(),
        date: Some(date),
        participants,
        summary,
        ..Default::default()
    }
}

/// Growth figures beyond ±10⁶ (`增长17` and 307 zeros `%`) are misprints or garbage, never a
/// number a reader should see ranked or charted: they are removed from the speech's metrics and
/// figures, and each is returned as the text to warn of.
const ABSURD: f64 = 1e6;

fn drop_absurd_values(
    metrics: &mut indexmap::IndexMap<String, f64>,
    figures: &mut Vec<crate::content::front_matter::Figure>,
) -> Vec<String> {
    let absurd = |v: f64| !v.is_finite() || v.abs() > ABSURD;
    let mut dropped = Vec::new();
    let mut values = Vec::new();
    metrics.retain(|key, v| {
        if absurd(*v) {
            dropped.push(format!("metrics.{key} = {v}"));
            values.push(*v);
        }
        !absurd(*v)
    });
    // A figure behind a dropped metric is the same number: one warning says both.
    figures.retain(|f| {
        if absurd(f.value) && !values.contains(&f.value) {
            dropped.push(format!("{:?} ({})", f.text, f.value));
        }
        !absurd(f.value)
    });
    dropped
}

/// Warns of each speech much longer than the median: a speaker line inside it was probably
/// not recognised, so two speeches ran together.
fn long_speech_warnings(
    path: &Path,
    speeches: &[transcript::SpeechText],
    warn: &mut dyn FnMut(usize, Diagnostic),
) {
    if speeches.len() < 3 {
        return;
    }
    let lengths: Vec<usize> =
        speeches.iter().map(|s| s.paragraphs.iter().map(|p| p.chars().count()).sum()).collect();
    let mut sorted = lengths.clone();
    sorted.sort_unstable();
    let median = sorted[sorted.len() / 2].max(1);
    for (k, &n) in lengths.iter().enumerate() {
        if n >= LONG_SPEECH_MIN && n > LONG_SPEECH_FACTOR * median {
            warn(
                k,
                Diagnostic::warning(
                    path,
                    format!(
                        "speech {} is {} characters, {}× the median speech ({median}): two speeches may have run together",
                        k + 1,
                        n,
                        n / median
                    ),
                )
                .with_hint("check its text for a speaker line that was not read as one"),
            );
        }
    }
}

/// The longest slug ingest writes, in bytes: file names stay far below every file system's limit.
pub const MAX_SLUG_BYTES: usize = 64;

/// `slug` cut to [`MAX_SLUG_BYTES`], at a hyphen when there is one in the second half.
pub(crate) fn cap_slug(slug: &str) -> String {
    if slug.len() <= MAX_SLUG_BYTES {
        return slug.to_string();
    }
    let head = &slug[..MAX_SLUG_BYTES]; // slugs are ASCII
    let cut = match head.rfind('-') {
        Some(at) if at >= MAX_SLUG_BYTES / 2 => &head[..at],
        _ => head,
    };
    cut.trim_end_matches('-').to_string()
}

/// Slugs handed out so far, so each is unique: `wanzhou`, `wanzhou-2`, … in time linear in the
/// number of speeches (each base remembers the next suffix to try).
#[derive(Debug, Default)]
pub struct SlugSet {
    used: HashSet<String>,
    next: HashMap<String, usize>,
}

impl SlugSet {
    /// A slug not handed out before: `base` itself, else `base-N` with the smallest free N,
    /// all at most [`MAX_SLUG_BYTES`] long.
    pub fn unique(&mut self, base: &str) -> String {
        let base = cap_slug(base);
        if self.used.insert(base.clone()) {
            return base;
        }
        let n = self.next.entry(base.clone()).or_insert(2);
        loop {
            let suffix = format!("-{n}");
            let stem = base[..base.len().min(MAX_SLUG_BYTES - suffix.len())].trim_end_matches('-');
            let candidate = format!("{stem}{suffix}");
            *n += 1;
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_unique_and_capped() {
        let mut set = SlugSet::default();
        let long = "a".repeat(100);
        let got: Vec<String> = ["wanzhou", "wanzhou", "wanzhou-2", "wanzhou", &long, &long]
            .map(|s| set.unique(s))
            .into();
        assert_eq!(&got[..4], ["wanzhou", "wanzhou-2", "wanzhou-2-2", "wanzhou-3"]);
        assert_eq!(got[4].len(), MAX_SLUG_BYTES);
        assert_eq!(got[5], format!("{}-2", "a".repeat(MAX_SLUG_BYTES - 2)));
        assert_eq!(cap_slug(&format!("{}-{}", "b".repeat(40), "c".repeat(40))), "b".repeat(40));
    }
}
