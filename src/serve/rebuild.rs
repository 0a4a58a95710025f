//! Incremental rebuilds: a [`Site`] kept in memory, and for each batch of changed paths the least
//! work that leaves the output exactly as `yilu build` would write it.
//!
//! - site.toml, theme or static files: load and write everything again (`yilu build`'s code).
//! - files of one meeting folder: re-read that folder only; rebuild the model reusing every
//!   other meeting's rendered views; if the set of pages is unchanged, re-render only the pages
//!   that show something of the touched meetings (their meeting and speech pages, the pages of
//!   their organisations, speakers and indicators, before and after the change, the lists, home)
//!   and the archive files, writing just the files whose bytes changed; otherwise re-render every
//!   page from the cached model into a staging folder and swap it in, as a build does.
//!
//! A change that fails leaves the site and the output as they were, and its paths are tried again
//! with the next change, so an error stays shown until it is fixed.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context as _, Result};
use rayon::prelude::*;

use super::watch::{Change, classify};
use crate::content::{self, LoadOptions, Meeting, Speech};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::site::model::{MeetingViews, SiteModel, SpeechSummary, meeting_view};
use crate::site::output::{self, Staging};
use crate::site::{BuildOptions, Page, PageKind, Site};

/// What one rebuild did.
#[derive(Debug, Clone)]
pub struct RebuildReport {
    /// Pages rendered.
    pub pages: usize,
    /// Files whose bytes changed and were written (all of them after a full rebuild).
    pub written: usize,
    /// True when everything was rendered again.
    pub full: bool,
    pub elapsed: Duration,
    /// The changed sources that caused it (absolute; files before folders, then by name).
    pub changed: Vec<PathBuf>,
}

/// A site in memory that follows its sources.
pub struct Rebuilder {
    options: BuildOptions,
    site: Site,
    /// Paths of changes that failed, tried again with the next change.
    pending: BTreeSet<PathBuf>,
    /// Set when the output may lag the model (a failed incremental write): write all next time.
    stale: bool,
    /// Set when pages were rewritten but the search index not yet.
    search_stale: bool,
    /// When the last rebuild started reading the sources.
    scanned: SystemTime,
}

impl Rebuilder {
    /// Loads the site and writes it all, like `yilu build`.
    pub fn new(options: BuildOptions) -> Result<Rebuilder> {
        let scanned = SystemTime::now();
        let site = Site::load(&options)?;
        write_staged(&site)?;
        Ok(Rebuilder {
            options,
            site,
            pending: BTreeSet::new(),
            stale: false,
            search_stale: false,
            scanned,
        })
    }

    pub fn site(&self) -> &Site {
        &self.site
    }

    /// Applies changed paths (absolute, under the site root). Returns None when none of them is
    /// a source of the site, or none changed since the last rebuild read them: file watchers
    /// also report files being opened, and a rebuild opens every file it reads.
    pub fn apply(&mut self, paths: &[PathBuf]) -> Result<Option<RebuildReport>> {
        let report = self.apply_pages(paths)?;
        self.refresh_search()?;
        Ok(report)
    }

    /// [`apply`](Self::apply) without the search index, which is left for
    /// [`refresh_search`](Self::refresh_search): serve reloads the browser in between, since the
    /// index (every speech's text) takes several times as long as the pages an edit touches.
    pub fn apply_pages(&mut self, paths: &[PathBuf]) -> Result<Option<RebuildReport>> {
        let started = Instant::now();
        let root = self.site.root.clone();
        let output = self.site.output.clone();
        let changed = changed_sources(&root, &output, paths, self.scanned);
        if changed.is_empty() {
            return Ok(None);
        }
        let mut changes: BTreeSet<Change> =
            changed.iter().map(|p| classify(&root, &output, p)).collect();
        self.scanned = SystemTime::now();
        // Only what changed: the watcher also reports folders merely opened (by itself, when it
        // adds watches, and by rebuilds), and a folder like content/meetings means a reload.
        self.pending.extend(changed.iter().cloned());
        let retry: Vec<PathBuf> = self.pending.iter().cloned().collect();
        changes.extend(retry.iter().map(|p| classify(&root, &output, p)));
        changes.remove(&Change::Ignored);
        let report = if self.stale || changes.contains(&Change::Reload) {
            self.reload(started)?
        } else {
            let folders: BTreeSet<String> = changes
                .into_iter()
                .filter_map(|c| match c {
                    Change::Meeting(name) => Some(name),
                    _ => None,
                })
                .collect();
            self.update_meetings(&folders, started)?
        };
        self.pending.clear();
        Ok(Some(RebuildReport { changed, ..report }))
    }

    fn reload(&mut self, started: Instant) -> Result<RebuildReport> {
        let site = Site::load(&self.options)?;
        write_staged(&site)?;
        self.site = site;
        self.stale = false;
        let pages = self.site.plan.len();
        Ok(RebuildReport {
            pages,
            written: pages,
            full: true,
            elapsed: started.elapsed(),
            changed: Vec::new(),
        })
    }

    fn update_meetings(
        &mut self,
        folders: &BTreeSet<String>,
        started: Instant,
    ) -> Result<RebuildReport> {
        // 1. Read the touched folders; any problem leaves everything as it was.
        let loaded = self.read_folders(folders)?;
        let loaded = match self.update_bodies(loaded, folders, started) {
            Ok(report) => return report,
            Err(loaded) => loaded,
        };
        let site = &mut self.site;

        // 2. Swap them into the archive, in the loader's order.
        let old_order: Vec<String> = site.archive.meetings.iter().map(|m| m.slug.clone()).collect();
        let old_pages: Vec<String> = site.plan.iter().map(|p| p.path.clone()).collect();
        site.archive.meetings.retain(|m| !folders.contains(&m.slug));
        site.archive.meetings.extend(loaded);
        site.archive.meetings.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| b.slug.cmp(&a.slug)));

        // 3. Rebuild the model from cached views; remember what the touched pages showed.
        let mut views: HashMap<String, MeetingViews> = std::mem::take(&mut site.model)
            .into_meeting_views()
            .map(|v| (v.0.slug.clone(), v))
            .collect();
        let mut before = Touched::default();
        for name in folders {
            if let Some((view, _)) = views.remove(name) {
                before.add_all(&view.speeches);
            }
        }
        let speaker_paths: HashMap<String, Vec<Option<String>>> = views
            .iter()
            .map(|(slug, (view, _))| {
                (slug.clone(), view.speeches.iter().map(|s| s.speaker_path.clone()).collect())
            })
            .collect();
        let cached = site.archive.meetings.iter().map(|m| views.remove(&m.slug)).collect();
        site.model = SiteModel::build_reusing(&site.archive, &site.indicators, cached);
        site.replan();

        // 4. The meetings whose pages may show something new: re-read, or a speaker link moved
        //    (people are identified over the whole archive).
        let mut touched_meetings = BTreeSet::new();
        let mut after = Touched::default();
        for (i, view) in site.model.meetings.iter().enumerate() {
            let moved = speaker_paths.get(&view.slug).is_some_and(|old| {
                let now = view.speeches.iter().map(|s| &s.speaker_path);
                old.len() != view.speeches.len() || old.iter().zip(now).any(|(a, b)| a != b)
            });
            if folders.contains(&view.slug) || moved {
                touched_meetings.insert(i);
                after.add_all(&view.speeches);
                if moved {
                    before.people.extend(speaker_paths[&view.slug].iter().flatten().cloned());
                }
            }
        }

        // 5. New or removed pages (or a site-wide count changed): write every page, as a build.
        let same_pages = site.plan.len() == old_pages.len()
            && site.plan.iter().zip(&old_pages).all(|(p, old)| p.path == *old);
        if !same_pages {
            write_staged(site).inspect_err(|_| self.stale = true)?;
            let pages = site.plan.len();
            return Ok(RebuildReport {
                pages,
                written: pages,
                full: true,
                elapsed: started.elapsed(),
                changed: Vec::new(),
            });
        }

        // 6. Only the pages that show the touched meetings.
        let site = &self.site;
        let reordered = site.model.meetings.len() != old_order.len()
            || site.model.meetings.iter().zip(&old_order).any(|(m, old)| m.slug != *old);
        let per_page = site.config.paginate_by.max(1);
        let shows = |page: &Page| match &page.kind {
            PageKind::Home | PageKind::Districts | PageKind::Speakers | PageKind::Metrics => true,
            PageKind::MeetingList { number, .. } => {
                reordered
                    || touched_meetings
                        .range((number - 1) * per_page..number * per_page)
                        .next()
                        .is_some()
            }
            PageKind::Meeting(i) | PageKind::Speech(i, _) => touched_meetings.contains(i),
            PageKind::District(slug) => before.orgs.contains(slug) || after.orgs.contains(slug),
            PageKind::Speaker(i) => {
                let path = &site.model.people[*i].path;
                before.people.contains(path) || after.people.contains(path)
            }
            PageKind::Metric(i) => {
                let key = &site.model.metrics[*i].key;
                before.metrics.contains(key) || after.metrics.contains(key)
            }
            PageKind::NotFound | PageKind::Search | PageKind::Standalone(_) => false,
        };
        let pages: Vec<Page> = site.plan.iter().filter(|p| shows(p)).cloned().collect();
        self.write_rendered(&pages, started)
    }

    /// The common edit, fast: each touched folder still holds its meeting with the same speeches
    /// and speakers, and its meeting view (all that lists, organisation, speaker and indicator
    /// pages show of it) comes out unchanged. Then the aggregates stand and only the meeting's
    /// speech pages and the archive files are written. Hands `loaded` back otherwise.
    fn update_bodies(
        &mut self,
        loaded: Vec<Meeting>,
        folders: &BTreeSet<String>,
        started: Instant,
    ) -> Result<Result<RebuildReport>, Vec<Meeting>> {
        let site = &self.site;
        let mut updates = Vec::with_capacity(loaded.len());
        for meeting in &loaded {
            let Some(i) = site.archive.meetings.iter().position(|m| m.slug == meeting.slug) else {
                return Err(loaded);
            };
            let old = &site.archive.meetings[i];
            let same_people = old.date == meeting.date
                && old.speeches.len() == meeting.speeches.len()
                && old
                    .speeches
                    .iter()
                    .zip(&meeting.speeches)
                    .all(|(a, b)| identity(a) == identity(b));
            if !same_people {
                return Err(loaded);
            }
            let old_speeches = &site.model.meetings[i].speeches;
            let speaker_path = |j: usize| old_speeches[j].speaker_path.clone();
            let (view, speeches) = meeting_view(meeting, &site.indicators, &speaker_path);
            if view != site.model.meetings[i] {
                return Err(loaded);
            }
            updates.push((i, speeches));
        }
        if updates.len() != folders.len() {
            return Err(loaded); // a folder went away, or became a draft
        }
        let touched: BTreeSet<usize> = updates.iter().map(|(i, _)| *i).collect();
        for ((i, speeches), meeting) in updates.into_iter().zip(loaded) {
            self.site.archive.meetings[i] = meeting;
            self.site.model.speeches[i] = speeches;
        }
        let site = &self.site;
        let pages: Vec<Page> = site
            .plan
            .iter()
            .filter(|p| matches!(p.kind, PageKind::Speech(i, _) if touched.contains(&i)))
            .cloned()
            .collect();
        Ok(self.write_rendered(&pages, started))
    }

    /// Renders `pages` and writes them and the archive files where their bytes changed.
    fn write_rendered(&mut self, pages: &[Page], started: Instant) -> Result<RebuildReport> {
        let site = &self.site;
        let rendered: Vec<Result<(String, String), Diagnostic>> = pages
            .par_iter()
            .map(|page| site.render_page(page).map(|html| (page.file(), html)))
            .collect();
        let mut problems = Diagnostics::default();
        let mut files = Vec::with_capacity(rendered.len());
        for r in rendered {
            match r {
                Ok(file) => files.push(file),
                Err(d) => problems.push(d),
            }
        }
        if let Err(e) = problems.into_result() {
            self.stale = true;
            return Err(e);
        }
        let written = AtomicUsize::new(0);
        let write = |rel: &str, bytes: &[u8]| -> Result<()> {
            if write_if_changed(&site.output, rel, bytes)? {
                written.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        };
        let result = files
            .par_iter()
            .try_for_each(|(file, html)| write(file, html.as_bytes()))
            .and_then(|()| site.write_archive_files(&write));
        if let Err(e) = result {
            self.stale = true;
            return Err(e);
        }
        // The search index holds the body text, so it follows every edit, just not at once.
        self.search_stale = true;
        Ok(RebuildReport {
            pages: pages.len(),
            written: written.into_inner(),
            full: false,
            elapsed: started.elapsed(),
            changed: Vec::new(),
        })
    }

    /// Rewrites the search index if an incremental rebuild left it behind; returns whether it
    /// did. Only files whose bytes changed are written.
    pub fn refresh_search(&mut self) -> Result<bool> {
        if !self.search_stale {
            return Ok(false);
        }
        let output = self.site.output.clone();
        let write = |rel: &str, bytes: &[u8]| write_if_changed(&output, rel, bytes).map(|_| ());
        self.site.write_search_index(&write)?;
        self.search_stale = false;
        Ok(true)
    }

    /// Loads each meeting folder again (None: gone, or a draft).
    fn read_folders(&self, folders: &BTreeSet<String>) -> Result<Vec<Meeting>> {
        let site = &self.site;
        let options = LoadOptions { drafts: self.options.drafts };
        let meetings_dir = site.root.join("content").join("meetings");
        let mut loaded = Vec::new();
        let mut problems = Diagnostics::default();
        for name in folders {
            let folder = meetings_dir.join(name);
            if !folder.is_dir() {
                continue;
            }
            let mut files = Vec::new();
            for entry in std::fs::read_dir(&folder)
                .with_context(|| format!("cannot list {}", folder.display()))?
            {
                let path =
                    entry.with_context(|| format!("cannot list {}", folder.display()))?.path();
                if path.is_file() && path.extension().is_some_and(|e| e == "md") {
                    files.push(path);
                }
            }
            files.sort();
            match content::load_meeting(&site.root, &folder, &files, &site.registry, options) {
                Ok(Some(meeting)) => loaded.push(meeting),
                Ok(None) => {}
                Err(ds) => ds.into_iter().for_each(|d| problems.push(d)),
            }
        }
        problems.into_result()?;
        Ok(loaded)
    }
}

/// Those of `paths` that are sources of the site and changed since `since`, files first, then
/// files gone, then folders (a save also touches its folder), each once.
pub(crate) fn changed_sources(
    root: &Path,
    output: &Path,
    paths: &[PathBuf],
    since: SystemTime,
) -> Vec<PathBuf> {
    let mut changed: Vec<PathBuf> = paths
        .iter()
        .filter(|p| classify(root, output, p) != Change::Ignored && changed_since(p, since))
        .cloned()
        .collect();
    let rank = |p: &Path| {
        if p.is_file() {
            0
        } else if p.exists() {
            2
        } else {
            1
        }
    };
    changed.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
    changed.dedup();
    changed
}

/// True when `path` is gone, or its content or its entry changed at or after `since` (ctime
/// too, because a rename or a copy that keeps the modification time is a change). File times
/// come from the kernel's coarse clock, a few ms behind `SystemTime::now()`: allow for that.
pub(crate) fn changed_since(path: &Path, since: SystemTime) -> bool {
    touched_since(path, since - Duration::from_millis(20))
}

/// [`changed_since`] without the slack. A path that is gone counts when its folder changed
/// (removing or renaming an entry changes its folder): a file deleted since is a change, an
/// editor's temporary file that came and went before the last rebuild is not.
fn touched_since(path: &Path, since: SystemTime) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return path.parent().is_none_or(|parent| touched_since(parent, since));
    };
    if meta.modified().is_ok_and(|t| t >= since) {
        return true;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let ctime = std::time::UNIX_EPOCH
            + Duration::new(
                meta.ctime().max(0) as u64,
                meta.ctime_nsec().clamp(0, 999_999_999) as u32,
            );
        if ctime >= since {
            return true;
        }
    }
    false
}

/// What people are identified by (see `site::people`): unchanged, so are the speaker pages.
fn identity(s: &Speech) -> impl PartialEq + '_ {
    (&s.slug, s.order, s.speaker_name(), s.front.extra.get("speaker_id"), &s.org, &s.front.position)
}

/// What some speeches show on other pages: their organisations, speakers and indicators.
#[derive(Default)]
struct Touched {
    orgs: BTreeSet<String>,
    people: BTreeSet<String>,
    metrics: BTreeSet<String>,
}

impl Touched {
    fn add_all(&mut self, speeches: &[SpeechSummary]) {
        for s in speeches {
            self.orgs.extend(s.org.as_ref().map(|o| o.slug.clone()));
            self.people.extend(s.speaker_path.clone());
            self.metrics.extend(s.metric_list.iter().map(|m| m.key.clone()));
        }
    }
}

/// Writes the whole site into a staging folder and swaps it in: `yilu build`'s writing.
fn write_staged(site: &Site) -> Result<()> {
    let staging = Staging::new(&site.output)?;
    site.write_all(&|rel, bytes| staging.write(rel, bytes))
        .context("the build failed; the previous output is untouched")?;
    staging.commit()?;
    Ok(())
}

/// Writes `bytes` at `rel` inside `output` unless the file already holds them. True if written.
fn write_if_changed(output: &Path, rel: &str, bytes: &[u8]) -> Result<bool> {
    let path = output.join(output::checked_relative(rel)?);
    if std::fs::read(&path).is_ok_and(|old| old == bytes) {
        return Ok(false);
    }
    crate::content::write_file_atomic(&path, bytes)?;
    Ok(true)
}
