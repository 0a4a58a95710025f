//! Ingested meetings → files under the content folder, all or nothing: every target is checked
//! before the first write, each meeting is built complete in a staging folder (in parallel, its
//! files rendered there and then, so no more than the meetings' front matter is held at once)
//! and renamed into place, and what a killed run left behind is undone at the next.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use indexmap::IndexMap;
use rayon::prelude::*;

use super::meeting::IngestedMeeting;
use crate::diagnostic::{Diagnostic, Diagnostics};

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
    /// Every meeting of the run, in date order.
    pub meetings: Vec<IngestedMeeting>,
    /// Every file written (or, in a dry run, that would be).
    pub files: Vec<PathBuf>,
    /// Files of replaced meeting folders that ingest did not generate, kept in place.
    pub(crate) kept: Vec<PathBuf>,
    /// Generated files of an earlier ingest that the new one replaced and did not write again.
    pub(crate) removed: Vec<PathBuf>,
    /// True when nothing was written (`--dry-run`).
    pub dry_run: bool,
}

impl IngestReport {
    /// Every warning of every meeting, in input order.
    pub(crate) fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
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

/// The files directly in an existing meeting folder, split into (generated, hand-added); None
/// when there is no such folder.
fn existing_files(folder: &Path) -> std::io::Result<Option<(Vec<PathBuf>, Vec<PathBuf>)>> {
    // Not there (or its parent is a file, which the write will report): nothing to list.
    if !folder.exists() {
        return Ok(None);
    }
    let mut generated = Vec::new();
    let mut kept = Vec::new();
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
    Ok(Some((generated, kept)))
}

/// Writes every ingested meeting under `out`, or nothing: every target is checked (no
/// existing meeting without `force`, no two inputs for one meeting) before the first write.
/// Each meeting is written into a staging folder and renamed into place once complete; with
/// `force`, an existing meeting folder is replaced as a whole, keeping the files ingest did not
/// generate.
pub(crate) fn write_all(
    meetings: Vec<IngestedMeeting>,
    out: &Path,
    mode: WriteMode,
) -> Result<IngestReport> {
    one_meeting_per_folder(&meetings, out)?;
    if !mode.dry_run {
        // Before planning: a meeting folder a killed ingest moved aside must be seen as existing.
        recover_stale(out);
    }
    let plans = plan_all(&meetings, out, mode)?;
    let report = IngestReport {
        files: plans.iter().flat_map(|p| p.files.iter().cloned()).collect(),
        kept: plans.iter().flat_map(|p| p.kept.iter().cloned()).collect(),
        removed: plans.iter().flat_map(|p| p.stale.iter().cloned()).collect(),
        meetings: Vec::new(),
        dry_run: mode.dry_run,
    };
    if !mode.dry_run {
        write_meetings(out, &plans)?;
    }
    drop(plans);
    Ok(IngestReport { meetings, ..report })
}

/// Refuses two inputs that are one meeting (one date, one folder).
fn one_meeting_per_folder(meetings: &[IngestedMeeting], out: &Path) -> Result<()> {
    let mut owners: IndexMap<PathBuf, &Path> = IndexMap::new();
    let mut problems = Diagnostics::default();
    for meeting in meetings {
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
    problems.into_result().context("nothing was written")
}

/// Each meeting's folder, files, and the existing files it replaces or keeps; without `force`
/// an existing file is a problem. Folders are listed in parallel.
fn plan_all<'a>(
    meetings: &'a [IngestedMeeting],
    out: &Path,
    mode: WriteMode,
) -> Result<Vec<Plan<'a>>> {
    let planned: Vec<Result<Plan<'a>, Vec<Diagnostic>>> =
        meetings.par_iter().map(|meeting| plan(meeting, out, mode.force)).collect();
    let mut problems = Diagnostics::default();
    let mut plans = Vec::with_capacity(planned.len());
    for p in planned {
        match p {
            Ok(p) => plans.push(p),
            Err(found) => found.into_iter().for_each(|d| problems.push(d)),
        }
    }
    problems.into_result().context("nothing was written")?;
    Ok(plans)
}

fn plan<'a>(
    meeting: &'a IngestedMeeting,
    out: &Path,
    force: bool,
) -> Result<Plan<'a>, Vec<Diagnostic>> {
    let folder = meeting.folder(out);
    let files = meeting.paths(out);
    let existing = existing_files(&folder)
        .map_err(|e| vec![Diagnostic::new(&folder, format!("cannot list: {e}"))])?;
    // A folder that does not exist holds nothing to replace, keep or clash with.
    let Some((generated, kept)) = existing else {
        return Ok(Plan { meeting, folder, files, stale: Vec::new(), kept: Vec::new() });
    };
    let writing: HashSet<&PathBuf> = files.iter().collect();
    let stale: Vec<PathBuf> = generated.iter().filter(|g| !writing.contains(g)).cloned().collect();
    if !force {
        let mut clash: Vec<&PathBuf> = files.iter().filter(|p| p.exists()).collect();
        clash.extend(&stale);
        if !clash.is_empty() {
            return Err(clash
                .into_iter()
                .map(|path| {
                    Diagnostic::new(
                        path,
                        "already exists; pass --force to replace the meeting's generated files",
                    )
                })
                .collect());
        }
    }
    Ok(Plan { meeting, folder, files, stale, kept })
}

/// One meeting folder to write.
struct Plan<'a> {
    meeting: &'a IngestedMeeting,
    folder: PathBuf,
    /// Where each of the meeting's files goes: `_index.md`, then the speeches in order (see
    /// [`IngestedMeeting::contents`]).
    files: Vec<PathBuf>,
    /// Files an earlier ingest generated that this one does not write again (removed).
    stale: Vec<PathBuf>,
    /// Files of the existing folder ingest did not generate (kept).
    kept: Vec<PathBuf>,
}

/// Writes every planned meeting: each is built complete in `OUT/.yilu-staging-PID/DATE`
/// (same file system, outside `meetings/` so no build sees it half-written; meetings in
/// parallel) with the existing folder's hand-added files copied in, then renamed into place.
/// Any failure before the renames removes the staging folder: nothing new remains. The message
/// names the transcript.
fn write_meetings(out: &Path, plans: &[Plan<'_>]) -> Result<()> {
    let pid = std::process::id();
    let staging = out.join(format!(".yilu-staging-{pid}"));
    let old = out.join(format!(".yilu-old-{pid}"));
    let out_existed = out.exists();
    let cleanup = || {
        let _ = std::fs::remove_dir_all(&staging);
    };
    let failed: Vec<Diagnostic> = plans
        .par_iter()
        .filter_map(|plan| {
            let staged = staging.join(plan.folder.file_name().expect("a dated folder"));
            stage(plan, &staged).err().map(|e| {
                Diagnostic::new(
                    &plan.meeting.source,
                    format!("cannot write its meeting {}: {e:#}", plan.folder.display()),
                )
            })
        })
        .collect();
    if !failed.is_empty() {
        cleanup();
        if !out_existed {
            let _ = std::fs::remove_dir(out); // only when empty: ours
        }
        let mut problems = Diagnostics::default();
        failed.into_iter().for_each(|d| problems.push(d));
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

/// Writes one meeting's files (rendered here, one at a time) and the folder's hand-added ones
/// into `staged`.
fn stage(plan: &Plan<'_>, staged: &Path) -> Result<()> {
    std::fs::create_dir_all(staged)
        .with_context(|| format!("cannot create {}", staged.display()))?;
    for (k, path) in plan.files.iter().enumerate() {
        let name = path.file_name().expect("a file name");
        std::fs::write(staged.join(name), plan.meeting.contents(k))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{IngestOptions, ingest_text};

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
            let mut files = meeting.paths(&out);
            // The fifth file cannot be written (a name longer than any file system allows):
            // the four before it were, in the staging folder.
            files[4] = folder.join(format!("{}.md", "x".repeat(300)));
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
