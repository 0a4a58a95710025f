//! Writing the output atomically: the whole site is written into a staging folder beside the
//! output folder and swapped in only when every page succeeded, so a failed build leaves the
//! previous output untouched and a host never serves half a site.
//!
//! The output folder is yilu's alone. Before anything is written, [`check_target`] refuses an
//! output that is the site itself, holds it, lies in its sources (content/, themes/, static/), is
//! a file, or is a non-empty folder without yilu's marker file (unless forced): a build can only
//! ever replace what a build made. Leftover staging folders of killed builds are swept.
//!
//! This module is the one place output files are written: [`Staging`] for `yilu build` (and
//! `yilu serve`'s first build), [`write_under`] for `yilu check`'s scratch folder, and [`InPlace`]
//! for `yilu serve`, which keeps its output up to date file by file: it rewrites a file only
//! when its bytes changed and removes the files a change no longer produces.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use anyhow::{Context as _, Result, bail};

/// The file every build writes at the top of its output, so the next build knows the folder is
/// its own to replace.
pub(crate) const MARKER: &str = ".yilu-output";
const MARKER_TEXT: &str =
    "This folder is written by `yilu build` and replaced whole by the next build.\n";

/// The folders of a site that hold its sources; an output may never lie in one of them.
const SOURCE_FOLDERS: &[&str] = &["content", "themes", "static"];

/// Refuses an output folder a build must not replace. `root` is the site folder; `force` allows
/// replacing a non-empty folder that yilu did not make, never the site or its sources.
pub(crate) fn check_target(root: &Path, output: &Path, force: bool) -> Result<()> {
    let root = resolved(root)?;
    let out = resolved(output)?;
    let shown = output.display();
    if out == root {
        bail!(
            "refusing to build into {shown}: it is the site folder itself, and a build replaces its output folder whole; use an output folder of its own such as `public`"
        );
    }
    if root.starts_with(&out) {
        bail!(
            "refusing to build into {shown}: it holds the site folder {}, and a build replaces its output folder whole; use an output folder of its own such as `public`",
            root.display()
        );
    }
    for source in SOURCE_FOLDERS {
        if out.starts_with(root.join(source)) {
            bail!(
                "refusing to build into {shown}: it lies in the site's {source}/ folder, which holds sources; use an output folder of its own such as `public`"
            );
        }
    }
    let meta = match fs::symlink_metadata(&out) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("cannot read {shown}")),
    };
    if !meta.is_dir() {
        bail!(
            "refusing to build into {shown}: it is a file, not a folder; choose another --output"
        );
    }
    let empty =
        fs::read_dir(&out).with_context(|| format!("cannot read {shown}"))?.next().is_none();
    if !empty && !out.join(MARKER).is_file() && !force {
        bail!(
            "refusing to replace {shown}: it is not empty and was not made by yilu (no {MARKER} file in it); choose an empty or new --output folder, or pass --force to replace it and everything in it"
        );
    }
    Ok(())
}

/// An absolute path with `.` and `..` resolved, following symbolic links where the path exists,
/// so `public/..` and a link to the site folder are both recognised as the site.
fn resolved(path: &Path) -> Result<PathBuf> {
    let abs = absolute(path)?;
    // Canonicalise the longest existing ancestor, then append the rest lexically.
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(canonical) = fs::canonicalize(existing) {
            let mut out = canonical;
            for part in rest.iter().rev() {
                match part {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::Normal(p) => out.push(p),
                    _ => {}
                }
            }
            return Ok(out);
        }
        match (existing.parent(), existing.components().next_back()) {
            (Some(parent), Some(last)) => {
                rest.push(last);
                existing = parent;
            }
            _ => return Ok(abs),
        }
    }
}

/// A staging folder that becomes the output on [`Staging::commit`] and disappears otherwise.
pub(crate) struct Staging {
    dir: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates an empty staging folder next to `target`.
    pub(crate) fn new(target: &Path) -> Result<Staging> {
        let target = absolute(target)?;
        let parent = target.parent().context("the output folder cannot be the file system root")?;
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        let name = target.file_name().context("output folder has no name")?.to_string_lossy();
        sweep_stale(parent, &name);
        let dir = parent.join(format!(".{name}.yilu-staging-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir).with_context(|| format!("cannot clear {}", dir.display()))?;
        }
        fs::create_dir(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        fs::write(dir.join(MARKER), MARKER_TEXT)
            .with_context(|| format!("cannot write {}", dir.join(MARKER).display()))?;
        Ok(Staging { dir, target, committed: false })
    }

    /// Writes `bytes` at `rel` (a site path: `meetings/x/index.html`) inside the staging folder.
    /// Paths that would leave the folder are refused.
    pub(crate) fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        write_under(&self.dir, rel, bytes)
    }

    /// Writes the file at `rel` as `fill` makes it, through a buffer: a large file (the open
    /// data) is never held in memory whole.
    pub(crate) fn write_with(
        &self,
        rel: &str,
        fill: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<()> {
        let path = self.dir.join(checked_relative(rel)?);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        let file =
            fs::File::create(&path).with_context(|| format!("cannot write {}", path.display()))?;
        let mut out = std::io::BufWriter::with_capacity(256 * 1024, file);
        fill(&mut out)
            .and_then(|()| out.flush())
            .with_context(|| format!("cannot write {}", path.display()))
    }

    /// Replaces the output folder with the staging folder.
    pub(crate) fn commit(mut self) -> Result<PathBuf> {
        let old = self.dir.with_file_name(format!(
            ".{}.yilu-old-{}",
            self.target.file_name().unwrap_or_default().to_string_lossy(),
            std::process::id()
        ));
        let had_old = self.target.exists();
        if had_old {
            fs::rename(&self.target, &old).with_context(|| {
                format!("cannot move the previous {} aside", self.target.display())
            })?;
        }
        if let Err(e) = fs::rename(&self.dir, &self.target) {
            if had_old {
                let _ = fs::rename(&old, &self.target);
            }
            return Err(e)
                .with_context(|| format!("cannot move the new site to {}", self.target.display()));
        }
        self.committed = true;
        if had_old {
            fs::remove_dir_all(&old).with_context(|| format!("cannot remove {}", old.display()))?;
        }
        Ok(self.target.clone())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Removes the staging and old folders that builds killed mid-way (kill -9, power loss) left
/// beside the output: those whose process is gone. Best effort: a folder that cannot be removed
/// is left for the next build.
fn sweep_stale(parent: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(parent) else { return };
    let prefixes = [format!(".{name}.yilu-staging-"), format!(".{name}.yilu-old-")];
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        let Some(pid) = prefixes.iter().find_map(|p| file_name.strip_prefix(p.as_str())) else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else { continue };
        if pid != std::process::id() && !process_alive(pid) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Whether a process runs with this id. Where the system does not say (no /proc), every process
/// counts as alive, so nothing that might be in use is removed.
fn process_alive(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.is_dir() || proc.join(pid.to_string()).exists()
}

/// Writes `bytes` at `rel` (a site path) inside `dir`, creating the folders on the way. Paths
/// that would leave `dir` are refused. The file is written directly: for a folder nobody reads
/// yet (a staging folder, `yilu check`'s scratch folder).
pub(crate) fn write_under(dir: &Path, rel: &str, bytes: &[u8]) -> Result<()> {
    let path = dir.join(checked_relative(rel)?);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let mut file =
        fs::File::create(&path).with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(bytes).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Which part of the site a file of an [`InPlace`] output belongs to: each part is written
/// whole by one call, which says which of its files are still produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Part {
    /// Rendered pages.
    Pages,
    /// Feeds, sitemap, robots.txt and the data files.
    Archive,
    /// The search index.
    Search,
    /// The theme's and the site's static files.
    Static,
}

/// What an [`InPlace`] output knows of a file: which part wrote it, and its length and a
/// 128-bit hash of its bytes (XXH3). Files whose length and hash agree are taken to be the
/// same without reading them back: an edit at 10,000 speeches otherwise re-read tens of MB of
/// data files and search shards to find most of them unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Known {
    part: Part,
    len: usize,
    hash: u128,
}

impl Known {
    fn new(part: Part, bytes: &[u8]) -> Known {
        Known { part, len: bytes.len(), hash: xxhash_rust::xxh3::xxh3_128(bytes) }
    }
}

/// An output folder kept up to date in place, as `yilu serve` does: it starts as a build (a
/// staging folder swapped in whole), and then [`InPlace::write`] replaces a file only when its
/// bytes changed, each through a temporary file and a rename, so the server never reads half a
/// file; [`InPlace::retain`] removes the files a part no longer produces.
pub(crate) struct InPlace {
    dir: PathBuf,
    files: Mutex<HashMap<String, Known>>,
}

impl InPlace {
    /// Writes a whole site into a staging folder and swaps it in, as `yilu build` does,
    /// remembering every file. `write_all` receives one writer per part and writes them all;
    /// if it fails, the previous output is untouched.
    pub(crate) fn build(
        target: &Path,
        write_all: impl FnOnce(&(dyn Fn(Part, &str, &[u8]) -> Result<()> + Sync)) -> Result<()>,
    ) -> Result<InPlace> {
        let staging = Staging::new(target)?;
        let files = Mutex::new(HashMap::new());
        write_all(&|part, rel, bytes| {
            staging.write(rel, bytes)?;
            lock(&files).insert(rel.to_string(), Known::new(part, bytes));
            Ok(())
        })?;
        let dir = staging.commit()?;
        Ok(InPlace { dir, files })
    }

    /// Writes `bytes` at `rel` for `part` unless the file already holds them; true if written.
    pub(crate) fn write(&self, part: Part, rel: &str, bytes: &[u8]) -> Result<bool> {
        let known = Known::new(part, bytes);
        let path = self.dir.join(checked_relative(rel)?);
        let had = lock(&self.files).get(rel).copied();
        if had.is_some_and(|k| k.part == Part::Static && part != Part::Static) {
            return Ok(false); // a build copies static files last: theirs is the file
        }
        // A file removed behind serve's back is written again.
        if had == Some(known) && path.is_file() {
            return Ok(false);
        }
        replace_file(&path, bytes)?;
        lock(&self.files).insert(rel.to_string(), known);
        Ok(true)
    }

    /// Removes the files of `part` that `produced` does not name (those a change no longer
    /// makes: the pages of a deleted meeting, the feed of an organisation gone), and the
    /// folders that leaves empty. Returns how many files it removed.
    pub(crate) fn retain(&self, part: Part, produced: &HashSet<String>) -> Result<usize> {
        let stale: Vec<String> = lock(&self.files)
            .iter()
            .filter(|(rel, known)| known.part == part && !produced.contains(*rel))
            .map(|(rel, _)| rel.clone())
            .collect();
        for rel in &stale {
            let path = self.dir.join(checked_relative(rel)?);
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot remove {}", path.display()));
                }
            }
            lock(&self.files).remove(rel);
            // Then the folders it leaves empty, up to the output folder.
            let mut folder = path.parent();
            while let Some(dir) = folder.filter(|d| *d != self.dir && d.starts_with(&self.dir)) {
                if fs::remove_dir(dir).is_err() {
                    break; // not empty (or gone): the folders above are not empty either
                }
                folder = dir.parent();
            }
        }
        Ok(stale.len())
    }
}

/// The map even if a thread panicked while holding the lock: each step leaves it whole (one
/// insert or remove), and a panic elsewhere must not stop the rebuilds that write through it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Replaces the file at `path` with `bytes` atomically: written beside it under a temporary
/// name, then renamed over it, so a reader sees the old file or the new one, never half.
pub(crate) fn replace_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    fs::write(&temp, bytes).with_context(|| format!("cannot write {}", temp.display()))?;
    fs::rename(&temp, path).map_err(|e| {
        let _ = fs::remove_file(&temp);
        anyhow::Error::new(e).context(format!("cannot write {}", path.display()))
    })
}

/// A relative path with no `..`, root or prefix component.
pub(crate) fn checked_relative(rel: &str) -> Result<PathBuf> {
    let path = Path::new(rel);
    if rel.is_empty() || path.components().any(|c| !matches!(c, Component::Normal(_))) {
        bail!("refusing to write outside the output folder: {rel:?}");
    }
    Ok(path.to_path_buf())
}

fn absolute(path: &Path) -> Result<PathBuf> {
    // std's absolute() also drops `.` components, so messages read /site/public, not /site/./public.
    std::path::absolute(path).with_context(|| format!("cannot resolve {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_escaping_paths() {
        assert!(checked_relative("../x").is_err());
        assert!(checked_relative("/etc/passwd").is_err());
        assert!(checked_relative("a/../../b").is_err());
        assert!(checked_relative("meetings/x/index.html").is_ok());
    }

    #[test]
    fn streamed_files_are_written_whole_or_reported() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let s = Staging::new(&out).unwrap();
        // Larger than the buffer, in many pieces.
        s.write_with("data/big.csv", &mut |w| {
            (0..100_000).try_for_each(|i| writeln!(w, "{i},万州区"))
        })
        .unwrap();
        let failed = s.write_with("data/bad.json", &mut |w| {
            w.write_all(b"[")?;
            Err(std::io::Error::other("the data could not be made"))
        });
        let message = format!("{:#}", failed.unwrap_err());
        assert!(message.contains("bad.json") && message.contains("could not be made"), "{message}");
        assert!(s.write_with("../x", &mut |_| Ok(())).is_err());
        let out = s.commit().unwrap();
        let text = fs::read_to_string(out.join("data/big.csv")).unwrap();
        assert_eq!(text.lines().count(), 100_000);
        assert_eq!(text.lines().last(), Some("99999,万州区"));
    }

    #[test]
    fn failed_build_leaves_previous_output() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("old.html"), "old").unwrap();
        {
            let s = Staging::new(&out).unwrap();
            s.write("new.html", b"new").unwrap();
            // dropped without commit: a failed build
        }
        assert_eq!(fs::read_to_string(out.join("old.html")).unwrap(), "old");
        assert!(!out.join("new.html").exists());
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1, "staging folder removed");
        let s = Staging::new(&out).unwrap();
        s.write("new.html", b"new").unwrap();
        s.commit().unwrap();
        assert!(!out.join("old.html").exists());
        assert_eq!(fs::read_to_string(out.join("new.html")).unwrap(), "new");
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1);
    }
}
