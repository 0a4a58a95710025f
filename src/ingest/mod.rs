//! Transcript text → meeting and speech files.
//!
//! ```text
//! bytes ─ text::decode ─▶ (html::article_text) ─ text::blocks ─▶ transcript::parse ─▶ Transcript
//!   Transcript + date::resolve + orgs + metrics::extract + sections::build ─▶ IngestedMeeting
//!   IngestedMeeting::files ─▶ write (all targets checked first, each written atomically)
//! ```
//!
//! Nothing here prints: `ingest` returns an [`IngestReport`] the command line displays.

pub mod date;
pub mod html;
pub mod sections;
pub mod source;
pub mod text;
pub mod transcript;

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use chrono::NaiveDate;
use indexmap::IndexMap;
use rayon::prelude::*;

use crate::content::write_file_atomic;

use crate::config::SiteConfig;
use crate::content::front_matter::{
    MeetingFrontMatter, SpeechFrontMatter, write_meeting, write_speech,
};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::metrics::{Indicators, extract};
use crate::orgs::{OrgKind, Registry};

/// What ingest needs besides the text: the date flags and the dictionaries.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    pub year: Option<i32>,
    pub date: Option<NaiveDate>,
    pub registry: Registry,
    pub indicators: Indicators,
    /// Advanced by one per file read; the CLI shows it on a terminal.
    pub progress: Option<indicatif::ProgressBar>,
    /// `--source-url` and `--publication`: the meeting's `source:` (over an HTML page's own).
    pub source: crate::content::front_matter::Source,
}

impl IngestOptions {
    /// Options with the registry and indicators of `config` (site.toml overrides applied).
    pub fn new(config: &SiteConfig) -> IngestOptions {
        IngestOptions {
            year: None,
            date: None,
            registry: Registry::new(&config.organisations),
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
    pub warnings: Vec<String>,
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
pub fn ingest_file(path: &Path, options: &IngestOptions) -> Result<IngestedMeeting> {
    use std::io::Read as _;
    let cannot_read = || format!("{}: cannot read", path.display());
    let file = std::fs::File::open(path).with_context(cannot_read)?;
    let size = file.metadata().with_context(cannot_read)?.len();
    if size > text::MAX_INPUT_BYTES {
        bail!("{}: {}", path.display(), text::InputProblem::TooLarge { bytes: size });
    }
    // At most one byte past the limit, in case the file grew since it was measured (decode
    // refuses it then).
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(text::MAX_INPUT_BYTES + 1).read_to_end(&mut bytes).with_context(cannot_read)?;
    ingest_bytes(path, &bytes, options)
}

/// Ingests the contents of a file called `path`.
pub fn ingest_bytes(path: &Path, bytes: &[u8], options: &IngestOptions) -> Result<IngestedMeeting> {
    let text =
        text::decode(bytes).map_err(|problem| anyhow::anyhow!("{}: {problem}", path.display()))?;
    ingest_text(path, &text, options)
}

/// Ingests transcript text read from `path` (used for messages and a date in the file name).
pub fn ingest_text(path: &Path, text: &str, options: &IngestOptions) -> Result<IngestedMeeting> {
    let name = path.display();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let plain;
    let mut page = Default::default();
    let text = if html::looks_like_html(text) {
        page = source::from_html(text);
        plain = html::article_text(text);
        plain.as_str()
    } else {
        text
    };
    let blocks = text::blocks(text);
    if blocks.is_empty() {
        bail!("{name}: the file has no text");
    }
    let transcript = transcript::parse(&blocks).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    let mut warnings = transcript.warnings.clone();

    let front = [
        transcript.headline.as_deref().unwrap_or(""),
        transcript.subtitle.as_deref().unwrap_or(""),
        &transcript.lead.join("\n"),
    ]
    .join("\n");
    let file_name = path.file_name().map(|f| f.to_string_lossy()).unwrap_or_default();
    let (date, date_warnings) = date::resolve(&front, &file_name, options.date, options.year)
        .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    warnings.extend(date_warnings);

    let mut speeches = Vec::new();
    let mut used_slugs: Vec<String> = Vec::new();
    for (k, speech) in transcript.speeches.iter().enumerate() {
        let order = k as u32 + 1;
        let (org, kind, slug) = match options.registry.find_in(&speech.position) {
            Some(org) => (org.name.clone(), org.kind, org.slug.clone()),
            None => {
                let (org, kind) = guess_organisation(&speech.position);
                let slug = crate::slug::ascii_slug(&org);
                warnings.push(format!(
                    "speech {order}: unknown organisation {org:?} (from {:?}); slug {slug}, kind {}: add it to site.toml [[organisations]]",
                    speech.position,
                    kind.as_str()
                ));
                (org, kind, slug)
            }
        };
        let mut unique = slug.clone();
        let mut n = 2;
        while used_slugs.contains(&unique) {
            unique = format!("{slug}-{n}");
            n += 1;
        }
        used_slugs.push(unique.clone());

        let body = sections::build(&speech.paragraphs);
        let (period, metrics) = extract::lead_metrics(&body.lead, &options.indicators);
        let figures = speech.paragraphs.iter().flat_map(|p| extract::figures(p)).collect();
        let title = speech.headline.clone().unwrap_or_else(|| format!("{org} {}", speech.speaker));
        speeches.push(IngestedSpeech {
            file_name: format!("{order:02}-{unique}.md"),
            front_matter: SpeechFrontMatter {
                title,
                speaker: Some(speech.speaker.clone()),
                position: Some(speech.position.clone()),
                org: Some(org),
                org_kind: Some(kind),
                order: Some(order),
                period,
                metrics,
                figures,
                ..Default::default()
            },
            body: body.markdown,
        });
    }

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
            warnings.push("no meeting headline found; titled by date".to_string());
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

/// Markers that end the unit's name inside a position, and whether the marker's first char
/// belongs to the name ("某某区委书记" → 某某区; "某某管委会主任" → 某某).
const ORG_MARKERS: &[(&str, bool)] = &[
    ("区委", true),
    ("县委", true),
    ("市委", true),
    ("党工委", false),
    ("党组", false),
    ("党委", false),
    ("管委会", false),
    ("人民政府", false),
    ("政府", false),
];

/// An organisation outside the registry: its name and a guess at its kind from the position.
pub fn guess_organisation(position: &str) -> (String, OrgKind) {
    // The unit is named in the last post: "市委常委、某某区委书记" → "某某区委书记".
    let post = position
        .rsplit('、')
        .find(|p| ORG_MARKERS.iter().any(|(m, _)| p.contains(m)))
        .unwrap_or(position);
    let mut name = post.to_string();
    let mut cut = None;
    for (marker, keep_first) in ORG_MARKERS {
        if let Some(at) = post.find(marker)
            && at > 0
            && cut.is_none_or(|(c, _)| at < c)
        {
            cut = Some((at, *keep_first));
        }
    }
    if let Some((at, keep_first)) = cut {
        let end =
            if keep_first { at + post[at..].chars().next().map_or(0, char::len_utf8) } else { at };
        name = post[..end].to_string();
    }
    let kind = if name.ends_with("新区") || name.ends_with("开区") || name.ends_with("高新区")
    {
        OrgKind::Zone
    } else if name.ends_with('县') {
        OrgKind::County
    } else if name.ends_with('区') {
        OrgKind::District
    } else if name.starts_with('市') && name.ends_with(['委', '局', '办', '厅', '部']) {
        OrgKind::Department
    } else {
        OrgKind::Other
    };
    (name, kind)
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
    pub dry_run: bool,
}

/// Ingests every file and writes them all under `out`, or nothing: every input is parsed and
/// every target checked (no existing file unless `force`, no two inputs writing the same file)
/// before the first write. Problems of all files are reported together.
pub fn ingest(
    paths: &[PathBuf],
    out: &Path,
    options: &IngestOptions,
    mode: WriteMode,
) -> Result<IngestReport> {
    // Files are independent: read and parse them in parallel, keep the input order.
    let results: Vec<Result<IngestedMeeting>> = paths
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
    for (path, result) in paths.iter().zip(results) {
        match result {
            Ok(m) => meetings.push(m),
            Err(e) => problems.push(Diagnostic::new(path, strip_path(&e, path))),
        }
    }
    problems.into_result()?;

    let mut owners: IndexMap<PathBuf, &Path> = IndexMap::new();
    let mut problems = Diagnostics::default();
    for meeting in &meetings {
        let folder = meeting.folder(out);
        if let Some(other) = owners.get(&folder) {
            problems.push(Diagnostic::new(
                &meeting.source,
                format!(
                    "{} is also the meeting of {}: ingest them separately",
                    folder.display(),
                    other.display()
                ),
            ));
            continue;
        }
        owners.insert(folder, &meeting.source);
    }
    problems.into_result().context("nothing was written")?;
    let files: Vec<OutputFile> =
        meetings.par_iter().flat_map_iter(|meeting| meeting.files(out)).collect();
    let mut problems = Diagnostics::default();
    if !mode.force {
        for file in &files {
            if file.path.exists() {
                problems.push(Diagnostic::new(
                    &file.path,
                    "already exists; pass --force to overwrite it",
                ));
            }
        }
    }
    problems.into_result().context("nothing was written")?;

    if !mode.dry_run {
        files
            .par_iter()
            .try_for_each(|file| write_file_atomic(&file.path, file.contents.as_bytes()))?;
    }
    Ok(IngestReport {
        files: files.into_iter().map(|f| f.path).collect(),
        meetings,
        dry_run: mode.dry_run,
    })
}

/// The message of `e` without a leading "PATH: " (the diagnostic adds it).
fn strip_path(e: &anyhow::Error, path: &Path) -> String {
    let message = format!("{e:#}");
    let prefix = format!("{}: ", path.display());
    message.strip_prefix(&prefix).map(str::to_string).unwrap_or(message)
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
                    pad(fm.speaker.as_deref().unwrap_or(""), 10),
                    fm.period.as_deref().map(|p| format!("{p}: ")).unwrap_or_default(),
                    metrics.join(", ")
                )?;
            }
            for w in &m.warnings {
                writeln!(f, "  warning: {w}")?;
            }
        }
        let verb = if self.dry_run { "would write" } else { "wrote" };
        writeln!(f, "{verb} {} files:", self.files.len())?;
        for path in &self.files {
            writeln!(f, "  {}", path.display())?;
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
    fn unknown_organisations() {
        for (position, name, kind) in [
            ("某某区委书记", "某某区", OrgKind::District),
            ("市委常委、某某县委书记", "某某县", OrgKind::County),
            ("某某新区党工委书记", "某某新区", OrgKind::Zone),
            ("市某某局党组书记、局长", "市某某局", OrgKind::Department),
            ("某某集团董事长", "某某集团董事长", OrgKind::Other),
        ] {
            assert_eq!(guess_organisation(position), (name.to_string(), kind), "{position}");
        }
    }
}
