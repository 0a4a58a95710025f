//! Shared helpers: fixture copies, builds, and a link walker over the output.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use yilu::site::{self, BuildOptions, BuildReport};

pub(crate) fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sites").join(name)
}

/// Copies a fixture site into a new temp folder and returns (guard, site root).
pub(crate) fn copy_site(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    copy_dir(&fixture(name), &root);
    (tmp, root)
}

pub(crate) fn copy_dir(from: &Path, to: &Path) {
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

pub(crate) fn build(root: &Path, output: &Path) -> anyhow::Result<BuildReport> {
    site::build(&BuildOptions {
        root: root.to_path_buf(),
        output: Some(output.to_path_buf()),
        ..Default::default()
    })
}

/// Every file under `dir`, relative path → bytes.
pub(crate) fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
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

pub(crate) fn read(dir: &Path, rel: &str) -> String {
    fs::read_to_string(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every broken link, anchor or sitemap entry of `out` served under `base_url`, via the same
/// checker `yilu check` uses.
pub(crate) fn broken_links(out: &Path, base_url: &str) -> Vec<String> {
    yilu::check::output(out, base_url).unwrap().iter().map(ToString::to_string).collect()
}
