//! Watching the site's sources (content/, themes/, static/, site.toml) with notify and a
//! debouncer, and classifying each changed path by what it forces: a whole reload, one meeting
//! folder re-read, or nothing.

use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use anyhow::{Context as _, Result};
use notify_debouncer_mini::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_mini::{DebounceEventResult, Debouncer, new_debouncer};

/// What a changed path asks of the rebuild.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// site.toml, the theme or static files, or the content layout itself: load everything
    /// again, through the same code as `yilu build`.
    Reload,
    /// Something inside `content/meetings/NAME/`: re-read that one meeting folder.
    Meeting(String),
    /// Not a source of the site (editor swap files, the output folder, other files).
    Ignored,
}

/// Classifies `path` (absolute, or relative to the current folder like `root`) for the site in
/// `root` whose output folder is `output`.
pub fn classify(root: &Path, output: &Path, path: &Path) -> Change {
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
        ["themes" | "static", ..] => Change::Reload,
        ["content"] | ["content", "meetings"] => Change::Reload,
        ["content", "meetings", folder, ..] => Change::Meeting(folder.to_string()),
        // Standalone pages (content/about.md): few and cheap, so everything is rebuilt.
        ["content", ..] => Change::Reload,
        _ => Change::Ignored,
    }
}

/// A running watcher; dropping it stops watching and closes the channel it sends into.
pub struct Watcher {
    _debouncer: Debouncer<RecommendedWatcher>,
}

/// Watches the site's sources under `root` and sends every debounced batch of changed paths.
pub fn watch(root: &Path, delay: Duration, changes: Sender<Vec<PathBuf>>) -> Result<Watcher> {
    let mut debouncer = new_debouncer(delay, move |result: DebounceEventResult| {
        let paths = match result {
            Ok(events) => events.into_iter().map(|e| e.path).collect(),
            // A watcher error (e.g. too many files for inotify): rebuild everything to be safe.
            Err(_) => vec![PathBuf::from("site.toml")],
        };
        let _ = changes.send(paths);
    })
    .context("cannot start watching files")?;
    let watcher = debouncer.watcher();
    for dir in ["content", "themes", "static"] {
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
    Ok(Watcher { _debouncer: debouncer })
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
            ("/site/content", Change::Reload),
            ("/site/content/meetings", Change::Reload),
            ("/site/content/meetings/2024-10-21", Change::Meeting("2024-10-21".into())),
            ("/site/content/meetings/2024-10-21/_index.md", Change::Meeting("2024-10-21".into())),
            (
                "/site/content/meetings/2024-10-21/01-wanzhou.md",
                Change::Meeting("2024-10-21".into()),
            ),
            ("/site/content/meetings/2024-10-21/.01-wanzhou.md.swp", Change::Ignored),
            ("/site/content/meetings/2024-10-21/01-wanzhou.md~", Change::Ignored),
            ("/site/content/about.md", Change::Reload),
            ("/site/content/methods/sources.md", Change::Reload),
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
