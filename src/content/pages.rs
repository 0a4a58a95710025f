//! Standalone pages: every `content/**/*.md` outside `content/meetings/` (about, methods,
//! sources…) becomes a page at its path: `content/about.md` → `/about/`,
//! `content/methods/sources.md` → `/methods/sources/`, `content/methods/_index.md` →
//! `/methods/`. Their bodies are untrusted Markdown like speeches and go through the same
//! renderer.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::front_matter::{self, PageFrontMatter};
use super::source::{LoadOptions, fm_diag, read, relative};
use crate::diagnostic::Diagnostic;
use crate::slug;

/// One standalone page.
#[derive(Debug, Clone)]
pub(crate) struct StandalonePage {
    /// Site path, always a folder: `about/`, `methods/sources/`.
    pub(crate) path: String,
    /// The Markdown file, relative to the site root.
    pub(crate) source: PathBuf,
    pub(crate) front: PageFrontMatter,
    pub(crate) body: String,
}

/// Loads every standalone page under `root/content/`, sorted by path. Every problem is
/// reported: unreadable files, bad front matter, file names that are not URL segments, and two
/// files that map to one path.
pub(crate) fn load(
    root: &Path,
    options: LoadOptions,
) -> Result<Vec<StandalonePage>, Vec<Diagnostic>> {
    let content = root.join("content");
    if !content.is_dir() {
        return Ok(Vec::new());
    }
    let meetings = content.join("meetings");
    let mut problems = Vec::new();
    let mut pages: Vec<StandalonePage> = Vec::new();
    let walk = WalkDir::new(&content)
        .min_depth(1)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.path() != meetings && !e.file_name().to_string_lossy().starts_with('.')
        });
    for entry in walk {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().unwrap_or(&content).to_path_buf();
                problems.push(Diagnostic::new(relative(root, &path), e.to_string()));
                continue;
            }
        };
        let path = entry.path();
        if !entry.file_type().is_file() || path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        match load_page(root, &content, path) {
            Ok(Some(page)) if page.front.draft && !options.drafts => {}
            Ok(Some(page)) => pages.push(page),
            Ok(None) => {}
            Err(d) => problems.push(d),
        }
    }
    let mut seen: BTreeMap<&str, &Path> = BTreeMap::new();
    for page in &pages {
        if let Some(other) = seen.insert(&page.path, &page.source) {
            problems.push(Diagnostic::new(
                &page.source,
                format!(
                    "two pages map to the same URL /{} (the other is {}); rename one or set a distinct `slug:`",
                    page.path,
                    other.display()
                ),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    pages.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(pages)
}

fn load_page(
    root: &Path,
    content: &Path,
    path: &Path,
) -> Result<Option<StandalonePage>, Diagnostic> {
    let rel = relative(root, path);
    let text = read(root, path)?;
    let (front, body) = front_matter::read_page(&text).map_err(|e| fm_diag(root, path, e))?;
    let inside = path.strip_prefix(content).unwrap_or(path);
    let mut segments: Vec<String> = inside
        .parent()
        .into_iter()
        .flat_map(Path::components)
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let is_index = stem == "_index" || stem == "index";
    match (&front.slug, is_index) {
        (Some(s), _) => {
            if is_index {
                segments.pop();
            }
            segments.push(s.clone());
        }
        (None, false) => segments.push(stem),
        (None, true) => {}
    }
    if let Some(bad) = segments.iter().find(|s| !slug::is_valid(s)) {
        return Err(Diagnostic::new(
            rel,
            format!("{bad:?} cannot be part of a URL: use lowercase ASCII letters, digits and hyphens"),
        )
        .with_hint("rename the file or folder (about.md, methods/sources.md), or set `slug:` in its front matter"));
    }
    let path = segments.iter().map(|s| format!("{s}/")).collect::<String>();
    Ok(Some(StandalonePage { path, source: rel, front, body: body.to_string() }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    #[test]
    fn paths_follow_files() {
        let dir = site(&[
            ("content/about.md", "---\ntitle: 关于\n---\n正文\n"),
            ("content/methods/sources.md", "---\ntitle: 来源\n---\n"),
            ("content/methods/_index.md", "---\ntitle: 方法\n---\n"),
            ("content/contact.md", "---\ntitle: 联系\nslug: write-to-us\n---\n"),
            ("content/draft.md", "---\ntitle: 草稿\ndraft: true\n---\n"),
            ("content/notes.txt", "not a page"),
            ("content/.hidden.md", "not a page"),
            ("content/meetings/2024-10-21/_index.md", "---\ntitle: 会议\n---\n"),
        ]);
        let pages = load(dir.path(), LoadOptions::default()).unwrap();
        let paths: Vec<&str> = pages.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["about/", "methods/", "methods/sources/", "write-to-us/"]);
        assert_eq!(pages[0].source, Path::new("content/about.md"));
        let with_drafts = load(dir.path(), LoadOptions { drafts: true }).unwrap();
        assert_eq!(with_drafts.len(), 5);
    }

    #[test]
    fn every_problem_is_reported() {
        let dir = site(&[
            ("content/关于.md", "---\ntitle: 关于\n---\n"),
            ("content/about.md", "---\ntitle: a\n---\n"),
            ("content/about/index.md", "---\ntitle: b\n---\n"),
            ("content/bad.md", "---\ntitle: [\n---\n"),
        ]);
        let problems = load(dir.path(), LoadOptions::default()).unwrap_err();
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(problems.len(), 3, "{text:?}");
        assert!(text.iter().any(|t| t.contains("关于.md") && t.contains("URL")), "{text:?}");
        assert!(text.iter().any(|t| t.contains("same URL /about/")), "{text:?}");
        assert!(text.iter().any(|t| t.starts_with("content/bad.md:")), "{text:?}");
    }
}
