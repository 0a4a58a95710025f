//! Shared helpers: fixture copies, builds, and a link walker over the output.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use yilu::site::{self, BuildOptions, BuildReport};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sites").join(name)
}

/// Copies a fixture site into a new temp folder and returns (guard, site root).
pub fn copy_site(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    copy_dir(&fixture(name), &root);
    (tmp, root)
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

pub fn build(root: &Path, output: &Path) -> anyhow::Result<BuildReport> {
    site::build(&BuildOptions {
        root: root.to_path_buf(),
        output: Some(output.to_path_buf()),
        ..Default::default()
    })
}

/// Every file under `dir`, relative path → bytes.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
            (rel, fs::read(e.path()).unwrap())
        })
        .collect()
}

pub fn read(dir: &Path, rel: &str) -> String {
    fs::read_to_string(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Resolves every href and src of every HTML page as a static host serving `out` under
/// `base_path` would, and returns the broken ones as "page: link". Fragments must name an id.
pub fn broken_links(out: &Path, base_path: &str) -> Vec<String> {
    let sel = scraper::Selector::parse("[href], [src]").unwrap();
    let ids = scraper::Selector::parse("[id]").unwrap();
    let files = tree(out);
    let mut broken = Vec::new();
    for (rel, bytes) in files.iter().filter(|(r, _)| r.ends_with(".html")) {
        let doc = scraper::Html::parse_document(std::str::from_utf8(bytes).unwrap());
        for el in doc.select(&sel) {
            let link = el.value().attr("href").or(el.value().attr("src")).unwrap();
            if link.starts_with("http://")
                || link.starts_with("https://")
                || link.starts_with("mailto:")
            {
                continue;
            }
            let (path, fragment) = link.split_once('#').unwrap_or((link, ""));
            let target = if path.is_empty() {
                rel.clone()
            } else if let Some(abs) = path.strip_prefix(base_path) {
                abs.to_string()
            } else if path.starts_with('/') {
                broken.push(format!("{rel}: {link} (outside base path {base_path})"));
                continue;
            } else {
                normalise(&format!("{}{}", parent(rel), path))
            };
            let file = if target.is_empty() || target.ends_with('/') {
                format!("{target}index.html")
            } else {
                target
            };
            let Some(body) = files.get(&file) else {
                broken.push(format!("{rel}: {link}"));
                continue;
            };
            if !fragment.is_empty() && file.ends_with(".html") {
                let page = scraper::Html::parse_document(std::str::from_utf8(body).unwrap());
                if !page.select(&ids).any(|e| e.value().attr("id") == Some(fragment)) {
                    broken.push(format!("{rel}: {link} (no #{fragment})"));
                }
            }
        }
    }
    broken
}

fn parent(rel: &str) -> &str {
    rel.rfind('/').map(|i| &rel[..=i]).unwrap_or("")
}

fn normalise(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            ".." => {
                parts.pop();
            }
            "." => {}
            p => parts.push(p),
        }
    }
    parts.join("/")
}
