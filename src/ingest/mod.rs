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

pub mod date;
pub mod html;
pub mod sections;
pub mod source;
pub mod text;
pub mod transcript;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use chrono::NaiveDate;
use indexmap::IndexMap;
use rayon::prelude::*;

use crate::config::SiteConfig;
use crate::content::front_matter::{
    MeetingFrontMatter, SpeechFrontMatter, write_meeting, write_speech,
};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::metrics::{Indicators, extract};
use crate::orgs::Registry;

/// What ingest needs besides the text: the date flags and the dictionaries.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    pub year: Option<i32>,
    pub date: Option<NaiveDate>,
    /// `--force`: `--date`/`--year` win over a date the text prints.
    pub force: bool,
    pub registry: Registry,
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
            registry: Registry::for_config(config)
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

/// One transcript, ingested: the meeting and its speeches, ready to write.
#[derive(Debug, Clone, PartialEq)]
pub struct IngestedMeeting {
    /// The file it came from.
    pub source: PathBuf,
    pub date: NaiveDate,
    pub meeting: MeetingFrontMatter,
    pub speeches: Vec<IngestedSpeech>,
    /// Warnings against the transcript, at its line where known.
    pub warnings: Vec<Diagnostic>,
}

/// One speech, ready to write.
#[derive(Debug, Clone, PartialEq)]
pub struct IngestedSpeech {
    /// `NN-SLUG.md`.
    pub file_name: String,
    pub front_matter: SpeechFrontMatter,
    pub body: String,
}

/// A file ingest would write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: PathBuf,
    pub contents: String,
}

impl IngestedMeeting {
    /// The meeting's folder under `out`: `OUT/meetings/YYYY-MM-DD`.
    pub fn folder(&self, out: &Path) -> PathBuf {
        out.join("meetings").join(self.date.format("%Y-%m-%d").to_string())
    }

    /// Every file of the meeting: `_index.md`, then the speeches in order.
    pub fn files(&self, out: &Path) -> Vec<OutputFile> {
        let folder = self.folder(out);
        let mut files = vec![OutputFile {
            path: folder.join("_index.md"),
            contents: write_meeting(&self.meeting, ""),
        }];
        for speech in &self.speeches {
            files.push(OutputFile {
                path: folder.join(&speech.file_name),
                contents: write_speech(&speech.front_matter, &speech.body),
            });
        }
        files
    }
}

/// Reads and ingests one file (plain text or an HTML page). Errors name the file.
/// Files over [`text::MAX_INPUT_BYTES`] are refused before they are read.
pub fn ingest_file(path: &Path, options: &IngestOptions) -> Result<IngestedMeeting, Diagnostic> {
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
pub fn ingest_bytes(
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
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut warnings = Vec::new();
    let (text, removed, first) = text::strip_invisible(text);
    let html = html::looks_like_html(&text);
    if removed > 0 {
        let mut d = Diagnostic::warning(
            path,
            format!(
                "removed {} (zero-width or control characters)",
                crate::diagnostic::count(removed, "invisible character", "invisible characters")
            ),
        );
        if let Some((line, col)) = first.filter(|_| !html) {
            d = d.at(line, col);
        }
        warnings.push(d);
    }
    let plain;
    let mut page = Default::default();
    let text = if html {
        // The text first: it refuses a page nested too deep to parse in linear time.
        plain = html::article_text(&text).map_err(|e| Diagnostic::new(path, e))?;
        page = source::from_html(&text);
        plain.as_str()
    } else {
        text.as_str()
    };
    let numbered = text::numbered_blocks(text);
    if numbered.is_empty() {
        return Err(Diagnostic::new(path, "the file has no text"));
    }
    // Lines are the file's only for plain text; an HTML page's are of its extracted text.
    let line_of = |block: usize| (!html).then(|| numbered[block].0);
    let at = |d: Diagnostic, block: Option<usize>| match block.and_then(line_of) {
        Some(line) => d.at(line, 1),
        None => d,
    };
    let blocks: Vec<String> = numbered.iter().map(|(_, b)| b.clone()).collect();
    let transcript =
        transcript::parse(&blocks).map_err(|e| Diagnostic::new(path, e.to_string()))?;
    for note in &transcript.warnings {
        warnings.push(at(Diagnostic::warning(path, note.message.clone()), note.block));
    }

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

    let mut slugs = SlugSet::default();
    // File names sort in speech order: 01–99, or 0001–5000 for a text of thousands.
    let width = transcript.speeches.len().to_string().len().max(2);
    let mut speeches = Vec::new();
    // The units the meeting's speakers belong to settle names several units share.
    let near = near_units(&transcript.speeches, &options.registry);
    for (k, speech) in transcript.speeches.iter().enumerate() {
        let order = k as u32 + 1;
        let found = options.registry.resolve_position_near(&speech.position, &near);
        // An unknown name's note is its near misses: one warning says both.
        let hints: Vec<&str> = found.notes.iter().filter_map(|n| n.hint.as_deref()).collect();
        if !found.known {
            let fix = match hints.first() {
                Some(hint) => format!("{hint} (or add it to site.toml [[organisations]])"),
                None => "add it to site.toml [[organisations]]".to_string(),
            };
            warnings.push(at(
                Diagnostic::warning(
                    path,
                    format!(
                        "speech {order}: unknown organisation {:?} (from {:?}); slug {}, kind {}",
                        found.name,
                        speech.position,
                        found.slug,
                        found.kind.as_str()
                    ),
                )
                .with_hint(fix),
                Some(speech.block),
            ));
        } else {
            for note in &found.notes {
                let mut d = Diagnostic::warning(path, format!("speech {order}: {}", note.message));
                if let Some(hint) = &note.hint {
                    d = d.with_hint(hint.clone());
                }
                warnings.push(at(d, Some(speech.block)));
            }
        }
        let (org, kind, slug) = (found.name, found.kind, cap_slug(&found.slug));
        let unique = slugs.unique(&slug);
        for &b in &speech.body_blocks {
            let det = text::detection(&blocks[b]);
            if transcript::looks_like_speaker_line(&det)
                && let Some(named) = options.registry.find_in(&det)
            {
                warnings.push(at(
                    Diagnostic::warning(
                        path,
                        format!(
                            "speech {order}: a body line names {} and a title but was not read as a speaker line: {}",
                            named.name, blocks[b]
                        ),
                    )
                    .with_hint(
                        "if a speech starts here, write the line as `POSITION NAME` (e.g. `万州区委书记 卢红`)",
                    ),
                    Some(b),
                ));
            }
        }

        let body = sections::build(&speech.paragraphs);
        let (period, mut metrics) = extract::lead_metrics(&body.lead, &options.indicators);
        let mut figures: Vec<_> =
            speech.paragraphs.iter().flat_map(|p| extract::figures(p)).collect();
        for absurd in drop_absurd_values(&mut metrics, &mut figures) {
            let d = Diagnostic::warning(
                path,
                format!("speech {order}: {absurd} is not a believable growth figure; left out"),
            )
            .with_hint("check the transcript for a misprint or a number run into the next");
            warnings.push(at(d, Some(speech.block)));
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
    long_speech_warnings(path, &transcript.speeches, &mut |k, d| {
        warnings.push(at(d, Some(transcript.speeches[k].block)))
    });

    let summary = (!transcript.lead.is_empty()).then(|| transcript.lead.join("\n"));
    let participants = summary.as_deref().and_then(participants).unwrap_or_else(|| {
        let mut orgs: Vec<String> = Vec::new();
        for s in &speeches {
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
    Ok(IngestedMeeting {
        source: path.to_path_buf(),
        date,
        meeting: MeetingFrontMatter {
            title,
            subtitle: transcript.subtitle.clone(),
            date: Some(date),
            participants,
            summary,
            source: source::merge(&options.source, page),
            ..Default::default()
        },
        speeches,
        warnings,
    })
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
pub fn cap_slug(slug: &str) -> String {
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

/// The units a lead lists before "负责同志" ("万州区、涪陵区、…、市财政局负责同志作现场交流发言").
fn participants(lead: &str) -> Option<Vec<String>> {
    let det = text::detection(lead);
    let at = det.find("负责同志")?;
    let start = det[..at]
        .rfind(['。', '，', '：', '\n'])
        .map_or(0, |i| i + det[i..].chars().next().map_or(0, char::len_utf8));
    // Byte offsets are the detection form's; its punctuation may be wider than the original's.
    let list = det[start..at].trim().trim_end_matches('等').trim();
    let names: Vec<String> = list
        .split(['、', '，', ','])
        .map(|s| s.trim().trim_start_matches('和').to_string())
        .filter(|s| !s.is_empty())
        .collect();
    (!names.is_empty()).then_some(names)
}

/// The parent units of the units a meeting's positions name without doubt (a 鼓楼区 among
/// 仓山区 and 晋安区 is 福州市's).
fn near_units(speeches: &[transcript::SpeechText], registry: &Registry) -> Vec<String> {
    let mut near: Vec<String> = Vec::new();
    for speech in speeches {
        if let Some(found) = registry.find_in(&speech.position)
            && found.notes.is_empty()
            && let Some(parent) = found.parent
            && !near.contains(&parent)
        {
            near.push(parent);
        }
    }
    near
}

/// How `ingest` treats existing files.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteMode {
    /// Replace existing files.
    pub force: bool,
    /// Write nothing; report what would be written.
    pub dry_run: bool,
}

/// What one `ingest` run did, for the command line to show.
#[derive(Debug, Clone, PartialEq)]
pub struct IngestReport {
    pub meetings: Vec<IngestedMeeting>,
    /// Every file written (or, in a dry run, that would be).
    pub files: Vec<PathBuf>,
    /// Files of replaced meeting folders that ingest did not generate, kept in place.
    pub kept: Vec<PathBuf>,
    /// Generated files of an earlier ingest that the new one replaced and did not write again.
    pub removed: Vec<PathBuf>,
    pub dry_run: bool,
}

impl IngestReport {
    /// Every warning of every meeting, in input order.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.meetings.iter().flat_map(|m| &m.warnings)
    }
}

/// True when `name` in a meeting folder is a file ingest generates: `_index.md`, or `NN-slug.md`
/// (digits, a hyphen, a slug). Anything else there was added by hand and survives `--force`.
pub fn is_generated_name(name: &str) -> bool {
    if name == "_index.md" {
        return true;
    }
    let Some(stem) = name.strip_suffix(".md") else {
        return false;
    };
    let digits = stem.bytes().take_while(u8::is_ascii_digit).count();
    digits >= 2 && stem[digits..].strip_prefix('-').is_some_and(crate::slug::is_valid)
}

/// The files directly in an existing meeting folder, split into (generated, hand-added).
fn existing_files(folder: &Path) -> std::io::Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let mut generated = Vec::new();
    let mut kept = Vec::new();
    if !folder.exists() {
        return Ok((generated, kept));
    }
    for entry in std::fs::read_dir(folder)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type()?.is_file() && is_generated_name(&name) {
            generated.push(entry.path());
        } else {
            kept.push(entry.path());
        }
    }
    generated.sort();
    kept.sort();
    Ok((generated, kept))
}

/// Ingests every file and writes them all under `out`, or nothing: every input is parsed and
/// every target checked (no existing meeting without `force`, no two inputs for one meeting)
/// before the first write. Each meeting is written into a staging folder and renamed into
/// place once complete; with `force`, an existing meeting folder is replaced as a whole, keeping
/// the files ingest did not generate. Problems of all files are reported together.
pub fn ingest(
    paths: &[PathBuf],
    out: &Path,
    options: &IngestOptions,
    mode: WriteMode,
) -> Result<IngestReport> {
    // Files are independent: read and parse them in parallel, keep the input order.
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
    let mut problems = Diagnostics::default();
    let mut meetings = Vec::new();
    for result in results {
        match result {
            Ok(m) => meetings.push(m),
            Err(d) => problems.push(d),
        }
    }
    problems.into_result()?;

    let mut owners: IndexMap<PathBuf, &Path> = IndexMap::new();
    let mut problems = Diagnostics::default();
    for meeting in &meetings {
        let folder = meeting.folder(out);
        if let Some(other) = owners.get(&folder) {
            problems.push(
                Diagnostic::new(
                    &meeting.source,
                    format!(
                        "its meeting ({}) is also the meeting of {}: one folder cannot hold both",
                        meeting.date,
                        other.display()
                    ),
                )
                .with_hint(format!(
                    "if they are two meetings, give this one its own date: `yilu ingest {} --date YYYY-MM-DD`; if they are parts of one meeting, merge the texts into one file",
                    meeting.source.display()
                )),
            );
            continue;
        }
        owners.insert(folder, &meeting.source);
    }
    problems.into_result().context("nothing was written")?;

    if !mode.dry_run {
        // Before planning: a meeting folder a killed ingest moved aside must be seen as existing.
        recover_stale(out);
    }
    let mut problems = Diagnostics::default();
    let mut plans = Vec::new();
    for meeting in &meetings {
        let folder = meeting.folder(out);
        let (generated, kept) = match existing_files(&folder) {
            Ok(found) => found,
            Err(e) => {
                problems.push(Diagnostic::new(&folder, format!("cannot list: {e}")));
                continue;
            }
        };
        let files = meeting.files(out);
        let writing: HashSet<&PathBuf> = files.iter().map(|f| &f.path).collect();
        let stale: Vec<PathBuf> =
            generated.iter().filter(|g| !writing.contains(g)).cloned().collect();
        if !mode.force {
            let mut clash: Vec<&PathBuf> =
                files.iter().map(|f| &f.path).filter(|p| p.exists()).collect();
            clash.extend(&stale);
            for path in clash {
                problems.push(Diagnostic::new(
                    path,
                    "already exists; pass --force to replace the meeting's generated files",
                ));
            }
        }
        plans.push(Plan { meeting, folder, files, stale, kept });
    }
    problems.into_result().context("nothing was written")?;

    let mut report = IngestReport {
        files: plans.iter().flat_map(|p| p.files.iter().map(|f| f.path.clone())).collect(),
        kept: plans.iter().flat_map(|p| p.kept.iter().cloned()).collect(),
        removed: plans.iter().flat_map(|p| p.stale.iter().cloned()).collect(),
        meetings: Vec::new(),
        dry_run: mode.dry_run,
    };
    if !mode.dry_run {
        write_meetings(out, &plans)?;
    }
    report.meetings = meetings;
    Ok(report)
}

/// One meeting folder to write.
struct Plan<'a> {
    meeting: &'a IngestedMeeting,
    folder: PathBuf,
    files: Vec<OutputFile>,
    /// Files an earlier ingest generated that this one does not write again (removed).
    stale: Vec<PathBuf>,
    /// Files of the existing folder ingest did not generate (kept).
    kept: Vec<PathBuf>,
}

/// Writes every planned meeting: each is built complete in `OUT/.yilu-staging-PID/DATE`
/// (same file system, outside `meetings/` so no build sees it half-written) with the existing
/// folder's hand-added files copied in, then renamed into place. Any failure before the renames
/// removes the staging folder: nothing new remains. The message names the transcript.
fn write_meetings(out: &Path, plans: &[Plan<'_>]) -> Result<()> {
    let pid = std::process::id();
    let staging = out.join(format!(".yilu-staging-{pid}"));
    let old = out.join(format!(".yilu-old-{pid}"));
    let out_existed = out.exists();
    let cleanup = || {
        let _ = std::fs::remove_dir_all(&staging);
    };
    let mut problems = Diagnostics::default();
    for plan in plans {
        let staged = staging.join(plan.folder.file_name().expect("a dated folder"));
        if let Err(e) = stage(plan, &staged) {
            problems.push(Diagnostic::new(
                &plan.meeting.source,
                format!("cannot write its meeting {}: {e:#}", plan.folder.display()),
            ));
            break;
        }
    }
    if !problems.is_empty() {
        cleanup();
        if !out_existed {
            let _ = std::fs::remove_dir(out); // only when empty: ours
        }
        return problems.into_result().context("nothing was written");
    }
    for plan in plans {
        let staged = staging.join(plan.folder.file_name().expect("a dated folder"));
        if let Err(e) = swap_in(&staged, &plan.folder, &old) {
            cleanup();
            let _ = std::fs::remove_dir_all(&old);
            let mut problems = Diagnostics::default();
            problems.push(Diagnostic::new(
                &plan.meeting.source,
                format!("cannot move its meeting into {}: {e:#}", plan.folder.display()),
            ));
            return problems.into_result();
        }
    }
    cleanup();
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

/// Undoes what an ingest killed mid-write left under `out` (its process gone): a meeting folder
/// it had moved aside into `.yilu-old-PID` goes back where it was, if nothing took its place;
/// then its `.yilu-old-PID` and `.yilu-staging-PID` folders are removed. Runs only where
/// /proc tells which processes live (elsewhere the folders are left for the user).
fn recover_stale(out: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(out) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) =
            name.strip_prefix(".yilu-old-").or_else(|| name.strip_prefix(".yilu-staging-"))
        else {
            continue;
        };
        let alive = pid.parse::<u32>().map_or(true, |p| {
            p == std::process::id() || Path::new("/proc").join(p.to_string()).exists()
        });
        if alive {
            continue;
        }
        if name.starts_with(".yilu-old-")
            && let Ok(folders) = std::fs::read_dir(entry.path())
        {
            for folder in folders.flatten() {
                let home = out.join("meetings").join(folder.file_name());
                if !home.exists() {
                    let _ = std::fs::rename(folder.path(), home);
                }
            }
        }
        let _ = std::fs::remove_dir_all(entry.path());
    }
}

/// Writes one meeting's files and the folder's hand-added ones into `staged`.
fn stage(plan: &Plan<'_>, staged: &Path) -> Result<()> {
    std::fs::create_dir_all(staged)
        .with_context(|| format!("cannot create {}", staged.display()))?;
    for file in &plan.files {
        let name = file.path.file_name().expect("a file name");
        let target = staged.join(name);
        std::fs::write(&target, &file.contents)
            .with_context(|| format!("cannot write {}", Path::new(name).display()))?;
    }
    for kept in &plan.kept {
        let name = kept.file_name().expect("a file name");
        copy_tree(kept, &staged.join(name))
            .with_context(|| format!("cannot keep {}", kept.display()))?;
    }
    Ok(())
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    let kind = std::fs::symlink_metadata(from)?.file_type();
    if kind.is_dir() {
        std::fs::create_dir_all(to)?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            copy_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
        Ok(())
    } else if kind.is_symlink() {
        #[cfg(unix)]
        return std::os::unix::fs::symlink(std::fs::read_link(from)?, to);
        #[cfg(not(unix))]
        return std::fs::copy(from, to).map(|_| ());
    } else {
        std::fs::copy(from, to).map(|_| ())
    }
}

/// Renames `staged` to `folder`, moving an existing `folder` aside into `old` first (and back
/// if the second rename fails).
fn swap_in(staged: &Path, folder: &Path, old: &Path) -> std::io::Result<()> {
    if let Some(parent) = folder.parent() {
        std::fs::create_dir_all(parent)?;
    }
    if !folder.exists() {
        return std::fs::rename(staged, folder);
    }
    std::fs::create_dir_all(old)?;
    let aside = old.join(folder.file_name().expect("a dated folder"));
    std::fs::rename(folder, &aside)?;
    std::fs::rename(staged, folder).inspect_err(|_| {
        let _ = std::fs::rename(&aside, folder);
    })
}

impl fmt::Display for IngestReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for m in &self.meetings {
            writeln!(f, "{}  {} ({})", m.date, m.meeting.title, m.source.display())?;
            writeln!(f, "  {:>2}  {}{}metrics", "#", pad("org", 14), pad("speaker", 10))?;
            for s in &m.speeches {
                let fm = &s.front_matter;
                let metrics: Vec<String> =
                    fm.metrics.iter().map(|(k, v)| format!("{k} {v}")).collect();
                writeln!(
                    f,
                    "  {:>2}  {}{}{}{}",
                    fm.order.unwrap_or(0),
                    pad(fm.org.as_deref().unwrap_or(""), 14),
                    pad(fm.speaker.as_deref().unwrap_or("?"), 10),
                    fm.period.as_deref().map(|p| format!("{p}: ")).unwrap_or_default(),
                    metrics.join(", ")
                )?;
            }
        }
        let verb = if self.dry_run { "would write" } else { "wrote" };
        writeln!(f, "{verb} {}:", crate::diagnostic::count(self.files.len(), "file", "files"))?;
        for path in &self.files {
            writeln!(f, "  {}", path.display())?;
        }
        if !self.removed.is_empty() {
            let verb = if self.dry_run { "would remove" } else { "removed" };
            writeln!(f, "{verb} {} of the earlier ingest:", self.removed.len())?;
            for path in &self.removed {
                writeln!(f, "  {}", path.display())?;
            }
        }
        if !self.kept.is_empty() {
            writeln!(f, "kept {} added by hand:", self.kept.len())?;
            for path in &self.kept {
                writeln!(f, "  {}", path.display())?;
            }
        }
        Ok(())
    }
}

/// `s` padded with spaces to `width` terminal columns (Han characters take two).
fn pad(s: &str, width: usize) -> String {
    let used: usize = s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
    format!("{s}{} ", " ".repeat(width.saturating_sub(used)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn participant_lists() {
        for (lead, want) in [
            (
                "10月21日上午，市委召开例会。万州区、涪陵区、市财政局负责同志作现场交流发言。",
                Some(vec!["万州区", "涪陵区", "市财政局"]),
            ),
            ("会上，甲区、乙县等负责同志发言。", Some(vec!["甲区", "乙县"])),
            ("市委召开例会。", None),
        ] {
            let want = want.map(|w| w.into_iter().map(String::from).collect::<Vec<_>>());
            assert_eq!(participants(lead), want, "{lead}");
        }
    }

    #[test]
    fn a_failed_write_leaves_nothing() {
        let text = include_str!("../../tests/fixtures/chongqing-2024-10-21.txt");
        let options = IngestOptions { year: Some(2024), ..IngestOptions::default() };
        let meeting = ingest_text(Path::new("in/digest.txt"), text, &options).unwrap();
        for existing in [false, true] {
            let tmp = tempfile::tempdir().unwrap();
            let out = tmp.path().join("content");
            let folder = meeting.folder(&out);
            if existing {
                std::fs::create_dir_all(&folder).unwrap();
                std::fs::write(folder.join("notes.txt"), "mine").unwrap();
            }
            let before: Vec<_> = walkdir::WalkDir::new(tmp.path())
                .into_iter()
                .map(|e| e.unwrap().path().to_path_buf())
                .collect();
            let mut files = meeting.files(&out);
            // The fifth file cannot be written (a name longer than any file system allows):
            // the four before it were, in the staging folder.
            files[4].path = folder.join(format!("{}.md", "x".repeat(300)));
            let kept = if existing { vec![folder.join("notes.txt")] } else { Vec::new() };
            let plan = Plan { meeting: &meeting, folder, files, stale: Vec::new(), kept };
            let err = write_meetings(&out, &[plan]).unwrap_err();
            assert!(format!("{err:#}").contains("in/digest.txt"), "{err:#}");
            let after: Vec<_> = walkdir::WalkDir::new(tmp.path())
                .into_iter()
                .map(|e| e.unwrap().path().to_path_buf())
                .collect();
            assert_eq!(after, before, "existing: {existing}");
        }
    }

    #[test]
    fn a_killed_ingest_is_undone_at_the_next() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path();
        // PID 0 is never a user process. Killed between its two renames: the meeting it moved
        // aside comes back; its half-staged folder and another dead one's go.
        let dead = out.join(".yilu-old-0/2024-10-21");
        std::fs::create_dir_all(&dead).unwrap();
        std::fs::write(dead.join("_index.md"), "old").unwrap();
        std::fs::create_dir_all(out.join(".yilu-staging-0/2024-10-21")).unwrap();
        std::fs::create_dir_all(out.join("meetings")).unwrap();
        let mine = out.join(format!(".yilu-staging-{}", std::process::id()));
        std::fs::create_dir_all(&mine).unwrap();
        recover_stale(out);
        let home = out.join("meetings/2024-10-21/_index.md");
        assert_eq!(std::fs::read_to_string(home).unwrap(), "old");
        assert!(!out.join(".yilu-old-0").exists() && !out.join(".yilu-staging-0").exists());
        assert!(mine.exists(), "a live process's staging folder is left alone");
    }

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

    #[test]
    fn generated_names() {
        for (name, want) in [
            ("_index.md", true),
            ("01-wanzhou.md", true),
            ("0123-wanzhou-2.md", true),
            ("1-wanzhou.md", false),
            ("notes.md", false),
            ("01-Wanzhou.md", false),
            ("01-wanzhou.txt", false),
        ] {
            assert_eq!(is_generated_name(name), want, "{name}");
        }
    }
}
