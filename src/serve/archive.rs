//! The archive files of a site that `yilu serve` keeps up to date: the data files (data/*.json,
//! data/*.csv) held as one part per meeting, so that an edit serialises only the meetings it
//! touched and joins the parts again, instead of every speech of the archive. The joined bytes
//! are exactly those `yilu build` writes (the feeds, sitemap and robots.txt come from
//! `Site::write_feeds`, as in a build).

use std::collections::{HashMap, HashSet};

use anyhow::{Context as _, Result, anyhow};
use rayon::prelude::*;

use crate::site::{DATA_FILES, Layout, Site, WriteFn};

/// What a pretty JSON array of no records is.
const EMPTY_JSON_ARRAY: &[u8] = b"[]\n";

/// The data files of a site, as parts per meeting.
pub(crate) struct DataFiles {
    /// Per data file (in [`DATA_FILES`] order): the bytes before the first record (CSV).
    heads: Vec<Vec<u8>>,
    /// Meeting slug → its part of each data file.
    parts: HashMap<String, Vec<Vec<u8>>>,
}

impl DataFiles {
    /// Makes every meeting's parts.
    pub(crate) fn new(site: &Site) -> Result<DataFiles> {
        let heads = DATA_FILES
            .iter()
            .map(|file| {
                let mut head = Vec::new();
                (file.make)(site, &mut head, 0..0)
                    .with_context(|| format!("cannot make {}", file.name))?;
                Ok(match file.layout {
                    Layout::Csv => head,
                    Layout::JsonArray => Vec::new(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let mut files = DataFiles { heads, parts: HashMap::new() };
        files.refresh(site, 0..site.model.meetings.len())?;
        Ok(files)
    }

    /// Makes again the parts of the meetings `touched` (indices into the model) and of every
    /// meeting that has none, and forgets those of meetings gone.
    pub(crate) fn refresh(
        &mut self,
        site: &Site,
        touched: impl IntoIterator<Item = usize>,
    ) -> Result<()> {
        let meetings = &site.model.meetings;
        let mut todo: Vec<usize> = touched.into_iter().filter(|&i| i < meetings.len()).collect();
        todo.extend((0..meetings.len()).filter(|&i| !self.parts.contains_key(&meetings[i].slug)));
        todo.sort_unstable();
        todo.dedup();
        let made: Vec<(String, Vec<Vec<u8>>)> = todo
            .par_iter()
            .map(|&i| Ok((meetings[i].slug.clone(), self.parts_of(site, i)?)))
            .collect::<Result<_>>()?;
        self.parts.extend(made);
        let slugs: HashSet<&str> = meetings.iter().map(|m| m.slug.as_str()).collect();
        self.parts.retain(|slug, _| slugs.contains(slug.as_str()));
        Ok(())
    }

    /// Meeting `i`'s part of each data file.
    fn parts_of(&self, site: &Site, i: usize) -> Result<Vec<Vec<u8>>> {
        DATA_FILES
            .iter()
            .zip(&self.heads)
            .map(|(file, head)| {
                let mut bytes = Vec::new();
                (file.make)(site, &mut bytes, i..i + 1)
                    .with_context(|| format!("cannot make {}", file.name))?;
                let part = match file.layout {
                    Layout::Csv => bytes.strip_prefix(head.as_slice()).map(<[u8]>::to_vec),
                    Layout::JsonArray if bytes == EMPTY_JSON_ARRAY => Some(Vec::new()),
                    Layout::JsonArray => bytes
                        .strip_prefix(b"[\n")
                        .and_then(|b| b.strip_suffix(b"\n]\n"))
                        .map(<[u8]>::to_vec),
                };
                part.ok_or_else(|| anyhow!("{}: a meeting's part is not as expected", file.name))
            })
            .collect()
    }

    /// Data file `k` whole, joined from its parts in the model's order of meetings.
    fn join(&self, site: &Site, k: usize) -> Result<Vec<u8>> {
        let mut parts = Vec::with_capacity(site.model.meetings.len());
        for m in &site.model.meetings {
            let part = self.parts.get(&m.slug).map(|p| p[k].as_slice());
            parts.push(part.ok_or_else(|| anyhow!("no data of meeting {} yet", m.slug))?);
        }
        let len: usize = parts.iter().map(|p| p.len() + 2).sum::<usize>() + self.heads[k].len();
        let mut out = Vec::with_capacity(len + 4);
        match DATA_FILES[k].layout {
            Layout::Csv => {
                out.extend_from_slice(&self.heads[k]);
                parts.iter().for_each(|p| out.extend_from_slice(p));
            }
            Layout::JsonArray => {
                let mut records = parts.into_iter().filter(|p| !p.is_empty());
                match records.next() {
                    None => out.extend_from_slice(EMPTY_JSON_ARRAY),
                    Some(first) => {
                        out.extend_from_slice(b"[\n");
                        out.extend_from_slice(first);
                        for p in records {
                            out.extend_from_slice(b",\n");
                            out.extend_from_slice(p);
                        }
                        out.extend_from_slice(b"\n]\n");
                    }
                }
            }
        }
        Ok(out)
    }

    /// Writes the data files (only those that show a speech's details when `speech_detail`).
    /// The data files' paths in the output.
    pub(crate) fn names() -> impl Iterator<Item = &'static str> {
        DATA_FILES.iter().map(|file| file.name)
    }

    pub(crate) fn write(
        &self,
        site: &Site,
        speech_detail: bool,
        write: &WriteFn<'_>,
    ) -> Result<()> {
        let chosen: Vec<usize> = (0..DATA_FILES.len())
            .filter(|&k| !speech_detail || DATA_FILES[k].speech_detail)
            .collect();
        chosen.par_iter().try_for_each(|&k| write(DATA_FILES[k].name, &self.join(site, k)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::BuildOptions;

    /// The joined files are the files a build makes, for the example site's archive and for one
    /// without meetings.
    #[test]
    fn joined_parts_are_the_built_files() {
        let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let empty = tempfile::tempdir().unwrap();
        std::fs::write(empty.path().join("site.toml"), "title = \"t\"\nbase_url = \"/\"\n")
            .unwrap();
        for root in [example, empty.path()] {
            let out = tempfile::tempdir().unwrap();
            let options = BuildOptions {
                root: root.to_path_buf(),
                output: Some(out.path().join("public")),
                ..Default::default()
            };
            let site = Site::load(&options).unwrap();
            let built = std::sync::Mutex::new(HashMap::new());
            site.write_archive_files(&|rel, bytes| {
                built.lock().unwrap().insert(rel.to_string(), bytes.to_vec());
                Ok(())
            })
            .unwrap();
            let built = built.into_inner().unwrap();
            let data = DataFiles::new(&site).unwrap();
            let joined = std::sync::Mutex::new(HashMap::new());
            let write = |rel: &str, bytes: &[u8]| {
                joined.lock().unwrap().insert(rel.to_string(), bytes.to_vec());
                Ok(())
            };
            site.write_feeds(&write).unwrap();
            data.write(&site, false, &write).unwrap();
            assert!(DataFiles::names().all(|name| joined.lock().unwrap().contains_key(name)));
            let joined = joined.into_inner().unwrap();
            let mut names: Vec<&String> = built.keys().collect();
            names.sort();
            let mut joined_names: Vec<&String> = joined.keys().collect();
            joined_names.sort();
            assert_eq!(names, joined_names, "{}", root.display());
            for (name, bytes) in &built {
                assert!(joined[name] == *bytes, "{}: {name} differs", root.display());
            }
        }
    }
}
