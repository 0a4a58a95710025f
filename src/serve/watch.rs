//! Watching the site's sources (content/, themes/, static/, site.toml) with notify, gathering
//! bursts of events into batches (reads dropped), and classifying each changed path by what it
//! forces: a whole reload, one meeting folder re-read, or nothing.

use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher as _};

/// What a changed path asks of the rebuild.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Change {
    /// site.toml, the theme or static files, or the content layout itself: load everything
    /// again, through the same code as `yilu build`.
    Reload,
    /// Something inside `content/meetings/NAME/`: re-read that one meeting folder.
    Meeting(String),
    /// `content/meetings` itself (a folder added, removed or renamed in it): re-read the meeting
    /// folders that came or went.
    MeetingFolders,
    /// Not a source of the site (editor swap files, the output folder, other files).
    Ignored,
}

/// Classifies `path` (absolute, or relative to the current folder like `root`) for the site in
/// `root` whose output folder is `output`.
pub(crate) fn classify(root: &Path, output: &Path, path: &Path) -> Change {
    if path.starts_with(output) {
        return Change::Ignored;
    }
    let Ok(rel) = path.strip_prefix(root) else { return Change::Ignored };
    let parts: Vec<&str> = rel
        .components()
        .map(|c| match c {
            Component::Normal(s) => s.to_str().unwrap_or("\u{0}"),
            _ => "\u{0}",
        })
        .collect();
    let Some(name) = parts.last() else { return Change::Ignored };
    // Editors write beside the file: `.x.md.swp`, `x.md~`, `.#x.md`, `4913`.
    if name.starts_with('.') || name.ends_with('~') || name.contains('\u{0}') {
        return Change::Ignored;
    }
    match parts.as_slice() {
        ["site.toml"] => Change::Reload,
        ["themes" | "static" | "i18n", ..] => Change::Reload,
        ["content"] => Change::Reload,
        ["content", "meetings"] => Change::MeetingFolders,
        // The loader reads meeting folders and the Markdown files directly in them; an editor's
        // temporary file beside them (`sedAb12Cd`, vim's `4913`) or anything deeper is not read.
        ["content", "meetings", folder] => Change::Meeting(folder.to_string()),
        ["content", "meetings", folder, file] if file.ends_with(".md") => {
            Change::Meeting(folder.to_string())
        }
        ["content", "meetings", ..] => Change::Ignored,
        // Standalone pages (content/about.md): few and cheap, so everything is rebuilt.
        ["content", .., file] if file.ends_with(".md") => Change::Reload,
        _ => Change::Ignored,
    }
}

/// A running watcher; dropping it stops watching and closes the channel it sends into.
pub(crate) struct Watcher {
    _watcher: Arc<Mutex<Option<RecommendedWatcher>>>,
}

/// The folders under the root whose every file is a source.
const SOURCE_DIRS: [&str; 4] = ["content", "themes", "static", "i18n"];

/// Watches the site's sources under `root` and sends every batch of changed paths, once no
/// event has come for `delay` (or a burst has lasted 20 times that). Reads are not changes:
/// access events (the watcher's own scan, every rebuild reading the sources) are dropped here.
/// A source folder created while serving (a first `static/`) is watched from then on.
pub(crate) fn watch(
    root: &Path,
    delay: Duration,
    changes: Sender<Vec<PathBuf>>,
) -> Result<Watcher> {
    let (tx, events) = channel::<notify::Result<Event>>();
    let mut watcher = notify::recommended_watcher(tx).context("cannot start watching files")?;
    for dir in SOURCE_DIRS {
        let path = root.join(dir);
        if path.is_dir() {
            watcher
                .watch(&path, RecursiveMode::Recursive)
                .with_context(|| format!("cannot watch {}", path.display()))?;
        }
    }
    // site.toml is watched through its folder (non-recursively), so editors that replace the
    // file by renaming a new one over it are seen too, and so are new content/ etc. folders.
    watcher
        .watch(root, RecursiveMode::NonRecursive)
        .with_context(|| format!("cannot watch {}", root.display()))?;
    let shared = Arc::new(Mutex::new(Some(watcher)));
    // Weak: the thread ends when the watcher is dropped, which it must not prevent.
    let weak = Arc::downgrade(&shared);
    let root = root.to_path_buf();
    std::thread::Builder::new()
        .name("yilu-watch".into())
        .spawn(move || debounce(&events, delay, &changes, &root, &weak))
        .context("cannot start watching files")?;
    Ok(Watcher { _watcher: shared })
}

/// Gathers events into batches until the watcher goes (its sender closes `events`).
fn debounce(
    events: &Receiver<notify::Result<Event>>,
    delay: Duration,
    changes: &Sender<Vec<PathBuf>>,
    root: &Path,
    watcher: &Weak<Mutex<Option<RecommendedWatcher>>>,
) {
    let sources: Vec<PathBuf> = SOURCE_DIRS.iter().map(|d| root.join(d)).collect();
    let mut watched: Vec<PathBuf> = sources.iter().filter(|p| p.is_dir()).cloned().collect();
    let mut batch: Vec<PathBuf> = Vec::new();
    let mut started = Instant::now();
    loop {
        // The first event of a batch, then more until `delay` passes without one.
        let received = if batch.is_empty() {
            events.recv().map_err(|_| RecvTimeoutError::Disconnected)
        } else {
            events.recv_timeout(delay)
        };
        let settled = matches!(received, Err(RecvTimeoutError::Timeout));
        match received {
            Ok(Ok(event)) if matches!(event.kind, EventKind::Access(_)) => {}
            Ok(Ok(event)) => {
                if batch.is_empty() {
                    started = Instant::now();
                }
                batch.extend(event.paths);
            }
            // A watcher error (e.g. too many files for inotify): rebuild everything to be safe.
            Ok(Err(_)) => batch.push(root.join("site.toml")),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        if batch.is_empty() || !(settled || started.elapsed() >= delay * 20) {
            continue;
        }
        batch.sort();
        batch.dedup();
        for dir in &sources {
            if batch.contains(dir) && dir.is_dir() && !watched.contains(dir) {
                let Some(shared) = watcher.upgrade() else { return };
                let mut guard = shared.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some(w) = guard.as_mut()
                    && w.watch(dir, RecursiveMode::Recursive).is_ok()
                {
                    watched.push(dir.clone());
                }
            }
        }
        if changes.send(std::mem::take(&mut batch)).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_changes() {
        let root = Path::new("/site");
        let out = Path::new("/site/public");
        let rows: &[(&str, Change)] = &[
            ("/site/site.toml", Change::Reload),
            ("/site/themes/default/templates/base.html", Change::Reload),
            ("/site/static/css/site.css", Change::Reload),
            ("/site/i18n/en.toml", Change::Reload),
            ("/site/content", Change::Reload),
            ("/site/content/meetings", Change::MeetingFolders),
            ("/site/content/meetings/2024-10-21", Change::Meeting("2024-10-21".into())),
            ("/site/content/meetings/2024-10-21/_index.md", Change::Meeting("2024-10-21".into())),
            (
                "/site/content/meetings/2024-10-21/01-wanzhou.md",
                Change::Meeting("2024-10-21".into()),
            ),
            ("/site/content/meetings/2024-10-21/.01-wanzhou.md.swp", Change::Ignored),
            ("/site/content/meetings/2024-10-21/01-wanzhou.md~", Change::Ignored),
            ("/site/content/meetings/2024-10-21/sedAb12Cd", Change::Ignored),
            ("/site/content/meetings/2024-10-21/4913", Change::Ignored),
            ("/site/content/meetings/2024-10-21/notes.txt", Change::Ignored),
            ("/site/content/meetings/2024-10-21/old/01-x.md", Change::Ignored),
            ("/site/static/sedAb12Cd", Change::Reload),
            ("/site/content/about.md", Change::Reload),
            ("/site/content/methods/sources.md", Change::Reload),
            ("/site/content/notes.txt", Change::Ignored),
            ("/site/public/index.html", Change::Ignored),
            ("/site/README.md", Change::Ignored),
            ("/elsewhere/site.toml", Change::Ignored),
            ("/site/.git/index", Change::Ignored),
        ];
        for (path, want) in rows {
            assert_eq!(&classify(root, out, Path::new(path)), want, "{path}");
        }
    }

    #[test]
    fn output_inside_content_is_ignored() {
        let root = Path::new("/site");
        let out = Path::new("/site/content/meetings/public");
        let got = classify(root, out, Path::new("/site/content/meetings/public/index.html"));
        assert_eq!(got, Change::Ignored);
    }
}
