//! content/ → the typed [`Archive`]: meetings with their speeches, each speech resolved to an
//! organisation and a speaker. Files are found with walkdir and parsed in parallel; every problem
//! of the run is collected and reported together.

pub mod front_matter;
pub(crate) mod pages;
pub(crate) mod source;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rayon::prelude::*;
use walkdir::WalkDir;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::orgs::{OrgKind, Registry};
use crate::slug;
pub use front_matter::{
    Figure, FigureKind, MeetingFrontMatter, PageFrontMatter, SpeechFrontMatter,
};
pub(crate) use pages::StandalonePage;
pub(crate) use source::{LoadOptions, is_xml_char};
use source::{fm_diag, read, relative};

/// Every meeting of the site, newest first.
#[derive(Debug, Default)]
pub(crate) struct Archive {
    pub(crate) meetings: Vec<Meeting>,
}

/// One meeting folder.
#[derive(Debug, Clone)]
pub(crate) struct Meeting {
    /// URL segment: the folder name (`2024-10-21`).
    pub(crate) slug: String,
    pub(crate) date: NaiveDate,
    /// The `_index.md` (or the folder, when it has none), relative to the site root.
    pub(crate) path: PathBuf,
    pub(crate) front: MeetingFrontMatter,
    pub(crate) body: String,
    /// In speaking order.
    pub(crate) speeches: Vec<Speech>,
    /// Problems the build tolerates (an unknown key that looks like a misspelt known one).
    pub(crate) warnings: Vec<Diagnostic>,
}

/// One speech file.
#[derive(Debug, Clone)]
pub(crate) struct Speech {
    /// URL segment inside the meeting: `slug:` from front matter, else the organisation's slug,
    /// else the file name without its order prefix.
    pub(crate) slug: String,
    pub(crate) path: PathBuf,
    pub(crate) front: SpeechFrontMatter,
    /// Characters of the body's text, white space not counted. The body itself is not held
    /// (a build of 30,000 speeches would hold them all): [`with_body`] reads it again when its
    /// page is rendered.
    pub(crate) chars: usize,
    /// Position in the meeting, from `order:` or the file name's numeric prefix.
    pub(crate) order: u32,
    pub(crate) org: Option<OrgRef>,
}

/// A speech's organisation, resolved against the registry.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct OrgRef {
    pub(crate) name: String,
    pub(crate) slug: String,
    pub(crate) kind: OrgKind,
    /// False when the name is not in the registry (slug from pinyin; `yilu check` warns).
    pub(crate) known: bool,
    /// The unit it belongs to (海淀区 → 北京市), when the registry knows it.
    pub(crate) parent: Option<String>,
}

/// The meeting folders under content/meetings, each with its Markdown files, in name order; what
/// could not be listed is a problem with its place, never skipped. It needs no registry, so it
/// runs while the registry is built.
pub(crate) struct Listing {
    folders: Vec<(PathBuf, Vec<PathBuf>)>,
    diagnostics: Diagnostics,
}

/// Lists content/meetings: meeting folders and their `.md` files, sorted by name.
pub(crate) fn list(root: &Path) -> Listing {
    let meetings_dir = root.join("content").join("meetings");
    let mut listing = Listing { folders: Vec::new(), diagnostics: Diagnostics::default() };
    if !meetings_dir.is_dir() {
        return listing;
    }
    // Symbolic links are followed (an archive of linked folders is an archive); a link loop is
    // reported by walkdir as a problem like any other. Sorted and depth first, so a folder's
    // files come right after it.
    let walk = WalkDir::new(&meetings_dir).min_depth(1).max_depth(2).follow_links(true);
    let is_md = |p: &Path| p.extension().is_some_and(|e| e == "md");
    for entry in walk.sort_by_file_name() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().unwrap_or(&meetings_dir).to_path_buf();
                listing.diagnostics.push(Diagnostic::new(relative(root, &path), e.to_string()));
                continue;
            }
        };
        if entry.depth() == 1 && entry.file_type().is_dir() {
            listing.folders.push((entry.into_path(), Vec::new()));
        } else if entry.depth() == 2 && entry.file_type().is_file() && is_md(entry.path()) {
            let (_, files) = listing.folders.last_mut().expect("depth 2 follows its folder");
            files.push(entry.into_path());
        }
    }
    listing
}

/// Loads the meetings [`list`] found under `root/content/meetings/`. `root` is the site folder;
/// paths in messages are relative to it. Every malformed file is reported, not only the first. Also returns the archive-wide
/// warnings a build reports and goes on: organisations whose slugs clashed and were separated.
/// (Each meeting keeps its own warnings: ambiguous and misspelled organisations, unknown keys.)
pub(crate) fn load(
    root: &Path,
    listing: Listing,
    registry: &Registry,
    options: LoadOptions,
) -> anyhow::Result<(Archive, Vec<Diagnostic>)> {
    let Listing { folders, mut diagnostics } = listing;
    let results: Vec<Loaded> = folders
        .par_iter()
        .map(|(folder, files)| load_meeting_warned(root, folder, files, registry, options, false))
        .collect();
    let mut meetings = Vec::new();
    let mut warnings = Vec::new();
    for r in results {
        match r {
            Ok(Some(m)) => meetings.push(m),
            Ok(None) => {}
            Err(ds) => ds.into_iter().for_each(|d| diagnostics.push(d)),
        }
    }
    meetings.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| b.slug.cmp(&a.slug)));
    let mut refs: Vec<&mut Speech> = meetings.iter_mut().flat_map(|m| &mut m.speeches).collect();
    warnings.extend(separate_slug_clashes(root, &mut refs, registry));
    for m in &meetings {
        duplicate_urls(&m.slug, &m.speeches).into_iter().for_each(|d| diagnostics.push(d));
    }
    diagnostics.into_result()?;
    warnings.sort();
    warnings.dedup();
    Ok((Archive { meetings }, warnings))
}

/// A loaded meeting with its warnings, or its errors.
type Loaded = Result<Option<Meeting>, Vec<Diagnostic>>;

/// Gives every organisation whose slug another one in `speeches` already uses a slug of its
/// own, so no two organisations share a page; a warning for each. Speeches whose URL came from
/// the organisation's slug follow it.
fn separate_slug_clashes(
    root: &Path,
    speeches: &mut [&mut Speech],
    registry: &Registry,
) -> Vec<Diagnostic> {
    let orgs: Vec<(String, String, bool)> = speeches
        .iter()
        .filter_map(|s| s.org.as_ref())
        .map(|o| (o.name.clone(), o.slug.clone(), o.known))
        .collect();
    let moves = crate::orgs::separate_clashes(&orgs, &|slug| registry.is_taken(slug));
    let mut warnings = Vec::new();
    for (name, fresh, keeper) in moves {
        let mut first: Option<&Path> = None;
        let mut old = String::new();
        for s in speeches.iter_mut() {
            let Some(org) = s.org.as_mut().filter(|o| o.name == name) else { continue };
            old = std::mem::replace(&mut org.slug, fresh.clone());
            if s.front.slug.is_none() && s.slug == old {
                s.slug = fresh.clone();
            }
            if first.is_none_or(|f| s.path.as_path() < f) {
                first = Some(&s.path);
            }
        }
        if let Some(path) = first {
            let line = std::fs::read_to_string(root.join(path))
                .ok()
                .and_then(|text| key_line(&text, "org"));
            let mut d = Diagnostic::warning(
                path,
                format!("“{name}” and “{keeper}” both take the slug {old}; “{name}” gets {fresh}"),
            )
            .about("org")
            .with_hint(format!(
                "give one of them its own slug in site.toml [[organisations]] (name = \"{name}\", slug = \"…\")"
            ));
            if let Some((line, col)) = line {
                d = d.at(line, col);
            }
            warnings.push(d);
        }
    }
    warnings
}

/// Line and column of `key:`'s value in a file's front matter.
fn key_line(text: &str, key: &str) -> Option<(usize, usize)> {
    let prefix = format!("{key}:");
    text.lines().enumerate().skip(1).take_while(|(_, l)| l.trim_end() != "---").find_map(
        |(i, l)| {
            let rest = l.strip_prefix(&prefix)?;
            let pad = rest.len() - rest.trim_start().len();
            Some((i + 1, prefix.chars().count() + pad + 1))
        },
    )
}

/// Warnings for the keys of a file's front matter that no part of yilu reads but that are one
/// slip away from a key it does (`speeker:`). Other unknown keys are kept, silently, as `extra`
/// values for templates.
fn unknown_key_warnings<'a>(
    rel: &Path,
    text: &str,
    extra: impl Iterator<Item = &'a String>,
    known: &[&str],
) -> Vec<Diagnostic> {
    extra
        .filter_map(|key| {
            let near = crate::diagnostic::near_miss(key, known)?;
            let d = Diagnostic::warning(
                rel,
                format!("unknown key `{key}` (did you mean `{near}`?)"),
            )
            .with_hint(format!(
                "rename it to `{near}`; a key yilu does not know is only passed to templates"
            ));
            Some(match front_matter::key_position(text, &[key]) {
                Some((line, col)) => d.at(line, col),
                None => d,
            })
        })
        .collect()
}

/// Warnings for metric keys that are not indicators but are one slip away from one (`gpd:` for
/// `gdp:`), which would otherwise start a new indicator of their own. `known` lists the
/// indicator keys. The file is read again only for a key that gets a warning, to find its line.
pub(crate) fn metric_key_warnings(
    root: &Path,
    archive: &Archive,
    known: &[&str],
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for s in archive.meetings.iter().flat_map(|m| &m.speeches) {
        for key in s.front.metrics.keys().filter(|k| !known.contains(&k.as_str())) {
            let Some(near) = crate::diagnostic::near_miss(key, known) else { continue };
            let mut d = Diagnostic::warning(
                &s.path,
                format!("metrics.{key}: unknown indicator (did you mean `{near}`?)"),
            )
            .with_hint(format!(
                "rename it to `{near}`, or add `{key}` to site.toml [[indicators]] if it is a new indicator"
            ));
            let text = std::fs::read_to_string(root.join(&s.path)).unwrap_or_default();
            if let Some((line, col)) = front_matter::key_position(&text, &["metrics", key]) {
                d = d.at(line, col);
            }
            out.push(d);
        }
    }
    out
}

pub(crate) fn load_meeting(
    root: &Path,
    folder: &Path,
    files: &[PathBuf],
    registry: &Registry,
    options: LoadOptions,
) -> Result<Option<Meeting>, Vec<Diagnostic>> {
    load_meeting_warned(root, folder, files, registry, options, true)
}

/// Two speeches of a meeting on one URL.
fn duplicate_urls(folder_name: &str, speeches: &[Speech]) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut seen: BTreeMap<&str, &Path> = BTreeMap::new();
    for s in speeches {
        if let Some(other) = seen.insert(&s.slug, &s.path) {
            problems.push(Diagnostic::new(
                &s.path,
                format!(
                    "two speeches map to the same URL /meetings/{folder_name}/{}/ (the other is {}); set a distinct `slug:`",
                    s.slug,
                    other.display()
                ),
            ));
        }
    }
    problems
}

/// One meeting folder. `alone`: loaded by itself (serve's reload), so organisation slugs are
/// separated and URLs checked within the meeting; a whole archive does both across meetings.
fn load_meeting_warned(
    root: &Path,
    folder: &Path,
    files: &[PathBuf],
    registry: &Registry,
    options: LoadOptions,
    alone: bool,
) -> Loaded {
    let mut problems = Vec::new();
    let folder_name = folder.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let index = folder.join("_index.md");
    let mut warnings = Vec::new();
    let (front, body) =
        meeting_front(root, &index, files, folder_name, &mut warnings).map_err(|d| vec![d])?;
    if front.draft && !options.drafts {
        return Ok(None);
    }
    let rel_index = relative(root, &index);
    let date = meeting_date(front.date, folder_name, &rel_index, &mut problems);
    if !slug::is_valid(&folder_name.to_ascii_lowercase())
        || folder_name.to_ascii_lowercase() != folder_name
    {
        problems.push(Diagnostic::new(
            relative(root, folder),
            "meeting folder names must be lowercase ASCII letters, digits and hyphens (e.g. 2024-10-21)",
        ));
    }

    // Sized for the files, not grown by doubling: a build holds every meeting's list.
    let mut speeches = Vec::with_capacity(files.len());
    for path in files.iter().filter(|p| **p != index) {
        match load_speech(root, path, registry) {
            Ok(loaded) if loaded.speech.front.draft && !options.drafts => {}
            Ok(loaded) => {
                warnings.extend(loaded.warnings);
                speeches.push(loaded.speech);
            }
            Err(d) => problems.push(d),
        }
    }
    speeches.sort_by(|a, b| a.order.cmp(&b.order).then_with(|| a.path.cmp(&b.path)));
    problems.extend(shared_orders(root, &speeches));
    if alone {
        // Two organisations of this meeting on one slug would be two speeches on one URL.
        let mut refs: Vec<&mut Speech> = speeches.iter_mut().collect();
        warnings.extend(separate_slug_clashes(root, &mut refs, registry));
        problems.extend(duplicate_urls(folder_name, &speeches));
    }
    if !problems.is_empty() {
        // The warnings too: a misspelt key often explains an error (`titel:` → no title).
        problems.extend(warnings);
        return Err(problems);
    }
    Ok(Some(Meeting {
        slug: folder_name.to_string(),
        date,
        path: rel_index,
        front,
        body,
        speeches,
        warnings,
    }))
}

/// A meeting's front matter and body from its `_index.md` (its unknown-key warnings added to
/// `warnings`), or, when the folder has none, a title from the folder's name.
fn meeting_front(
    root: &Path,
    index: &Path,
    files: &[PathBuf],
    folder_name: &str,
    warnings: &mut Vec<Diagnostic>,
) -> Result<(MeetingFrontMatter, String), Diagnostic> {
    if !files.iter().any(|f| f == index) {
        let front = MeetingFrontMatter { title: folder_name.to_string(), ..Default::default() };
        return Ok((front, String::new()));
    }
    let text = read(root, index)?;
    let (fm, body) = front_matter::read_meeting(&text).map_err(|e| fm_diag(root, index, e))?;
    let keys = front_matter::meeting_keys();
    warnings.extend(unknown_key_warnings(&relative(root, index), &text, fm.extra.keys(), keys));
    Ok((fm, body.to_string()))
}

/// A meeting's date: its front matter's, which must match the folder's `YYYY-MM-DD` prefix,
/// else the folder's. A mismatch or no date at all is added to `problems`.
fn meeting_date(
    front: Option<NaiveDate>,
    folder_name: &str,
    rel_index: &Path,
    problems: &mut Vec<Diagnostic>,
) -> NaiveDate {
    let folder_date =
        folder_name.get(..10).and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
    match (front, folder_date) {
        (Some(d), Some(f)) if d != f => {
            problems.push(Diagnostic::new(
                rel_index,
                format!("date: {d} does not match the folder's date {f}; rename the folder or fix the date"),
            ));
            d
        }
        (Some(d), _) | (None, Some(d)) => d,
        (None, None) => {
            problems.push(Diagnostic::new(
                rel_index,
                "no date: name the folder YYYY-MM-DD or add `date: YYYY-MM-DD` to its front matter",
            ));
            NaiveDate::default()
        }
    }
}

/// Two speeches of a meeting (sorted by order) in one place: an error for the second.
fn shared_orders(root: &Path, speeches: &[Speech]) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for pair in speeches.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if a.order == b.order && a.order != u32::MAX {
            let mut d = Diagnostic::new(
                &b.path,
                format!(
                    "order: {} is also the order of {}; two speeches of one meeting cannot share a place",
                    b.order,
                    a.path.display()
                ),
            )
            .with_hint("give each speech its own `order:` (or file-name number)");
            // Rare: read the file again for the line of its `order:`, if it has one.
            let text = std::fs::read_to_string(root.join(&b.path)).unwrap_or_default();
            if let Some((line, col)) = front_matter::key_position(&text, &["order"]) {
                d = d.at(line, col);
            }
            problems.push(d);
        }
    }
    problems
}

/// A speech as read, with what the meeting needs to report about it.
struct LoadedSpeech {
    speech: Speech,
    warnings: Vec<Diagnostic>,
}

fn load_speech(root: &Path, path: &Path, registry: &Registry) -> Result<LoadedSpeech, Diagnostic> {
    source::with_text(root, path, |text| speech_of_text(root, path, text, registry))?
}

/// The speech in `text`, the contents of the file at `path`.
fn speech_of_text(
    root: &Path,
    path: &Path,
    text: &str,
    registry: &Registry,
) -> Result<LoadedSpeech, Diagnostic> {
    let rel = relative(root, path);
    let (front, body) = match front_matter::read_speech(text) {
        Ok(v) => v,
        Err(e) => {
            // A missing title is often a misspelt `title:`: say so in the same message.
            let mut d = fm_diag(root, path, e);
            let keys = front_matter::unknown_keys(text, front_matter::speech_keys());
            let warnings =
                unknown_key_warnings(&rel, text, keys.iter(), front_matter::speech_keys());
            // The slip behind this error if there is one (`titel` for "missing field `title`").
            let about_this = warnings.iter().find(|w| {
                w.message.split('`').nth(3).is_some_and(|key| {
                    d.message.contains(&format!("`{key}`")) || d.message.starts_with(key)
                })
            });
            if let Some(w) = about_this.or(warnings.first())
                && d.hint.is_none()
            {
                d = d.with_hint(w.message.clone());
            }
            return Err(d);
        }
    };
    let mut warnings =
        unknown_key_warnings(&rel, text, front.extra.keys(), front_matter::speech_keys());
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let (prefix, rest) = split_order_prefix(stem);
    let order = front.order.or(prefix).unwrap_or(u32::MAX);

    let org = front.org.as_deref().filter(|n| !n.trim().is_empty()).map(|name| {
        let o = registry.resolve_name(name);
        let at = key_line(text, "org");
        for note in &o.notes {
            let mut d = Diagnostic::warning(&rel, &note.message).about("org");
            if let Some(hint) = &note.hint {
                d = d.with_hint(hint.clone());
            }
            if let Some((line, col)) = at {
                d = d.at(line, col);
            }
            warnings.push(d);
        }
        OrgRef {
            kind: front.org_kind.unwrap_or(if o.known { o.kind } else { OrgKind::Other }),
            name: o.name,
            slug: o.slug,
            known: o.known,
            parent: o.parent,
        }
    });
    let slug = match &front.slug {
        Some(s) if slug::is_valid(s) => s.clone(),
        Some(s) => {
            return Err(Diagnostic::new(
                rel,
                format!("slug: {}", slug::problem(s).unwrap_or_default()),
            ));
        }
        None => match &org {
            Some(o) => o.slug.clone(),
            None => slug::ascii_slug(rest),
        },
    };
    Ok(LoadedSpeech {
        speech: Speech { slug, path: rel, chars: body_chars(body), front, order, org },
        warnings,
    })
}

/// The characters of a Markdown body's text, white space not counted.
fn body_chars(body: &str) -> usize {
    crate::render::markdown::text_chars(body)
}

/// Calls `f` with the body of the speech file at `rel` (relative to the site folder `root`),
/// read again: what follows its front matter, as [`load`] read it.
pub(crate) fn with_body<R>(
    root: &Path,
    rel: &Path,
    f: impl FnOnce(&str) -> R,
) -> Result<R, Diagnostic> {
    let path = root.join(rel);
    source::with_text(root, &path, |text| match front_matter::split(text) {
        Ok(split) => Ok(f(split.body)),
        Err(e) => Err(fm_diag(root, &path, e)),
    })?
}

/// Writes one file atomically: a temporary file beside it, then a rename over it, so a reader
/// (or a crash) never sees half a file. The one writer of single files: ingest's content,
/// `yilu init`'s site and serve's changed pages all go through it.
pub(crate) fn write_file_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&temp, bytes).with_context(|| format!("cannot write {}", temp.display()))?;
    std::fs::rename(&temp, path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        anyhow::Error::new(e).context(format!("cannot write {}", path.display()))
    })
}

/// `01-wanzhou` → (Some(1), "wanzhou"); `wanzhou` → (None, "wanzhou").
fn split_order_prefix(stem: &str) -> (Option<u32>, &str) {
    let digits = stem.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return (None, stem);
    }
    let rest = stem[digits..].trim_start_matches(['-', '_']);
    (stem[..digits].parse().ok(), if rest.is_empty() { stem } else { rest })
}

impl Speech {
    /// The speaker's name, trimmed, or None when the speech names no speaker.
    pub(crate) fn speaker_name(&self) -> Option<&str> {
        self.front.speaker.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_prefix() {
        assert_eq!(split_order_prefix("01-wanzhou"), (Some(1), "wanzhou"));
        assert_eq!(split_order_prefix("wanzhou"), (None, "wanzhou"));
        assert_eq!(split_order_prefix("12"), (Some(12), "12"));
    }

    #[test]
    fn a_body_read_again_is_the_body_load_read() {
        let root = tempfile::tempdir().unwrap();
        let file = "\u{feff}---\r\ntitle: 标题\r\n---\r\n\r\n万州区\u{7}GDP增长2.1%。\r\n";
        std::fs::write(root.path().join("a.md"), file).unwrap();
        let body = with_body(root.path(), Path::new("a.md"), str::to_string).unwrap();
        assert_eq!(body, "\r\n万州区GDP增长2.1%。\r\n");
        assert_eq!(body_chars(&body), "万州区GDP增长2.1%。".chars().count());

        std::fs::write(root.path().join("b.md"), "no front matter\n").unwrap();
        let err = with_body(root.path(), Path::new("b.md"), |_| ()).unwrap_err();
        assert_eq!((err.path.as_path(), err.line), (Path::new("b.md"), Some(1)));
        let err = with_body(root.path(), Path::new("gone.md"), |_| ()).unwrap_err();
        assert!(err.message.starts_with("cannot read"), "{}", err.message);
    }
}
