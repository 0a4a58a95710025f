//! What a deploy would do, decided without the network: the output's files with their MD5,
//! Content-Type and Cache-Control, compared with a remote listing into uploads, deletes and
//! files left alone.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use md5::{Digest as _, Md5};
use rayon::prelude::*;

use super::target::{HeaderRule, PathPattern, S3Url};

/// Cache-Control when no `[[deploy.headers]]` rule matches: pages, feeds and data are short
/// (they change with every meeting); styles, scripts and search shards a day (they are not
/// fingerprinted, so not a year); anything else an hour.
pub(crate) const DEFAULT_CACHE_CONTROL: &[(&str, &str)] = &[
    ("*.html", "public, max-age=300"),
    ("*.xml", "public, max-age=300"),
    ("*.txt", "public, max-age=300"),
    ("data/*", "public, max-age=300"),
    ("css/**", "public, max-age=86400"),
    ("js/**", "public, max-age=86400"),
    ("search/*.js", "public, max-age=86400"),
    ("*", "public, max-age=3600"),
];

/// One file of the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LocalFile {
    /// `/`-separated path under the output root: `meetings/2024-10-21/index.html`.
    pub(crate) rel: String,
    pub(crate) path: PathBuf,
    pub(crate) size: u64,
    /// Lowercase hex MD5 of the bytes.
    pub(crate) md5: String,
}

/// One object of the remote listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RemoteObject {
    pub(crate) size: u64,
    /// As listed, quotes stripped and lowercased.
    pub(crate) etag: Option<String>,
}

/// Why a file is uploaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    New,
    Changed,
}

/// One upload of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Upload {
    pub(crate) file: LocalFile,
    pub(crate) key: String,
    pub(crate) reason: Reason,
    pub(crate) content_type: String,
    pub(crate) cache_control: String,
}

/// What a deploy does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Plan {
    pub(crate) uploads: Vec<Upload>,
    /// Remote keys under the prefix with no output file.
    pub(crate) deletes: Vec<String>,
    pub(crate) unchanged: usize,
}

impl Plan {
    pub(crate) fn upload_bytes(&self) -> u64 {
        self.uploads.iter().map(|u| u.file.size).sum()
    }
}

/// Every file under `output`, sorted by path, with its MD5 (hashed in parallel). The build's
/// marker file (`.yilu-output`) is yilu's own and never published.
pub(crate) fn scan(output: &Path) -> Result<Vec<LocalFile>> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(output).sort_by_file_name() {
        let entry = entry.with_context(|| format!("cannot read {}", output.display()))?;
        if entry.depth() == 1 && entry.file_name() == crate::site::output::MARKER {
            continue;
        }
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(output).expect("under the output");
            let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>();
            files.push((rel.join("/"), entry.into_path()));
        }
    }
    files
        .into_par_iter()
        .map(|(rel, path)| {
            let bytes =
                std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            Ok(LocalFile { rel, size: bytes.len() as u64, md5: md5_hex(&bytes), path })
        })
        .collect()
}

pub(crate) fn md5_hex(bytes: &[u8]) -> String {
    Md5::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Content-Type from the file name; text types (HTML, CSS, JS, JSON, XML, CSV, SVG) say UTF-8.
pub(crate) fn content_type(rel: &str) -> String {
    let mime = mime_guess::from_path(rel).first_or_octet_stream();
    let (kind, sub) = (mime.type_().as_str(), mime.subtype().as_str());
    let suffix = mime.suffix().map(|s| s.as_str());
    let text = kind == "text"
        || matches!(sub, "json" | "javascript" | "xml")
        || matches!(suffix, Some("xml" | "json"));
    if text { format!("{}; charset=utf-8", mime.essence_str()) } else { mime.essence_str().into() }
}

/// Cache-Control of `rel`: the first matching rule of site.toml, then the defaults.
pub(crate) fn cache_control(rules: &[HeaderRule], rel: &str) -> String {
    if let Some(rule) = rules.iter().find(|r| r.pattern.matches(rel)) {
        return rule.cache_control.clone();
    }
    DEFAULT_CACHE_CONTROL
        .iter()
        .find(|(pattern, _)| PathPattern::new(pattern).expect("valid default").matches(rel))
        .map(|(_, value)| value.to_string())
        .unwrap_or_default()
}

/// The comparison of the output with the listing. `suspect` files exist remotely with the same
/// size but an ETag that is not their MD5 (a multipart or encrypted upload, or a changed file):
/// the caller asks for their stored hash before deciding.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Diff {
    pub(crate) new: Vec<LocalFile>,
    pub(crate) changed: Vec<LocalFile>,
    pub(crate) suspect: Vec<LocalFile>,
    pub(crate) unchanged: usize,
    pub(crate) deletes: Vec<String>,
}

/// Compares the output with the remote listing (keys relative to the target's prefix).
pub(crate) fn diff(local: Vec<LocalFile>, remote: &BTreeMap<String, RemoteObject>) -> Diff {
    let mut d = Diff::default();
    let present: BTreeSet<&str> = local.iter().map(|f| f.rel.as_str()).collect();
    d.deletes = remote.keys().filter(|k| !present.contains(k.as_str())).cloned().collect();
    for file in local {
        match remote.get(&file.rel) {
            None => d.new.push(file),
            Some(r) if r.size != file.size => d.changed.push(file),
            Some(r) if r.etag.as_deref() == Some(file.md5.as_str()) => d.unchanged += 1,
            Some(_) => d.suspect.push(file),
        }
    }
    d
}

/// An upload of `file` to `url` with its headers.
pub(crate) fn upload(url: &S3Url, rules: &[HeaderRule], file: LocalFile, reason: Reason) -> Upload {
    Upload {
        key: url.key(&file.rel),
        content_type: content_type(&file.rel),
        cache_control: cache_control(rules, &file.rel),
        reason,
        file,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_say_utf8_for_text() {
        let table = [
            ("index.html", "text/html; charset=utf-8"),
            ("css/yilu.css", "text/css; charset=utf-8"),
            ("js/search.js", "text/javascript; charset=utf-8"),
            ("search/idx-00.js", "text/javascript; charset=utf-8"),
            ("data/speeches.json", "application/json; charset=utf-8"),
            ("data/metrics.csv", "text/csv; charset=utf-8"),
            ("atom.xml", "text/xml; charset=utf-8"),
            ("favicon.svg", "image/svg+xml; charset=utf-8"),
            ("robots.txt", "text/plain; charset=utf-8"),
            ("a.png", "image/png"),
            ("noextension", "application/octet-stream"),
        ];
        for (rel, want) in table {
            assert_eq!(content_type(rel), want, "{rel}");
        }
    }

    #[test]
    fn cache_control_takes_the_first_rule_then_the_defaults() {
        let rules = vec![HeaderRule {
            pattern: PathPattern::new("meetings/**").unwrap(),
            cache_control: "no-cache".into(),
        }];
        let table = [
            ("meetings/2024-10-21/index.html", "no-cache"),
            ("index.html", "public, max-age=300"),
            ("404.html", "public, max-age=300"),
            ("atom.xml", "public, max-age=300"),
            ("data/metrics.csv", "public, max-age=300"),
            ("css/yilu.css", "public, max-age=86400"),
            ("js/search.js", "public, max-age=86400"),
            ("search/idx-00.js", "public, max-age=86400"),
            ("favicon.svg", "public, max-age=3600"),
        ];
        for (rel, want) in table {
            assert_eq!(cache_control(&rules, rel), want, "{rel}");
        }
    }

    fn file(rel: &str, bytes: &[u8]) -> LocalFile {
        LocalFile {
            rel: rel.into(),
            path: PathBuf::from(rel),
            size: bytes.len() as u64,
            md5: md5_hex(bytes),
        }
    }

    fn remote(size: u64, etag: &str) -> RemoteObject {
        RemoteObject { size, etag: Some(etag.into()) }
    }

    #[test]
    fn diff_sorts_files_by_what_the_listing_says() {
        let local = vec![
            file("same.html", b"abc"),
            file("new.html", b"abc"),
            file("longer.html", b"abcd"),
            file("multipart.html", b"abc"),
        ];
        let listing = BTreeMap::from([
            ("same.html".to_string(), remote(3, &md5_hex(b"abc"))),
            ("longer.html".to_string(), remote(3, &md5_hex(b"abc"))),
            ("multipart.html".to_string(), remote(3, "900150983cd24fb0d6963f7d28e17f72-1")),
            ("gone.html".to_string(), remote(3, &md5_hex(b"abc"))),
        ]);
        let d = diff(local, &listing);
        let rels = |v: &[LocalFile]| v.iter().map(|f| f.rel.clone()).collect::<Vec<_>>();
        assert_eq!(rels(&d.new), ["new.html"]);
        assert_eq!(rels(&d.changed), ["longer.html"]);
        assert_eq!(rels(&d.suspect), ["multipart.html"]);
        assert_eq!(d.unchanged, 1);
        assert_eq!(d.deletes, ["gone.html"]);
    }

    #[test]
    fn md5_is_lowercase_hex() {
        assert_eq!(md5_hex(b"abc"), "900150983cd24fb0d6963f7d28e17f72");
    }
}
