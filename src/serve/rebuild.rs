//! Incremental rebuilds: a [`Site`] kept in memory, and for each batch of changed paths the least
//! work that leaves the output exactly as `yilu build` would write it.
//!
//! - site.toml, theme or static files: load and write everything again (`yilu build`'s code).
//! - files of meeting folders (edited, added, removed, renamed): re-read those folders only and
//!   rebuild the model reusing every other meeting's rendered views. Then render the pages
//!   that show something of the touched meetings, found by name since indices move when
//!   meetings come and go: their meeting and speech pages, new pages, the neighbours' meeting
//!   pages, the speeches whose changes since the previous report moved, the pages of their
//!   organisations, speakers and indicators before and after the change, the lists and home;
//!   every page when a value all templates see changed (the counts in the default footer).
//!   Write the files whose bytes changed, and the archive files; remove the pages and feeds
//!   the change no longer makes. The output is written in place through
//!   [`output::InPlace`], which remembers every file it holds.
//!
//! A change that fails leaves the site and the output as they were, and its paths are tried again
//! with the next change, so an error stays shown until it is fixed.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{Hash as _, Hasher as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context as _, Result};
use rayon::prelude::*;

use super::archive::{self, DataFiles};
use super::uses::{self, TemplateUses};
use super::watch::{Change, classify};
use crate::content::{self, LoadOptions, Meeting, Speech};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::site::model::{MeetingViews, SiteModel, SpeechSummary, meeting_view};
use crate::site::output::{InPlace, Part};
use crate::site::views::Text;
use crate::site::{BuildOptions, Page, PageKind, Site};

/// What one rebuild did.
#[derive(Debug, Clone)]
pub struct RebuildReport {
    /// Pages rendered.
    pub pages: usize,
    /// Files whose bytes changed and were written (all of them after a full rebuild).
    pub written: usize,
    /// Files removed because the change no longer makes them (a deleted meeting's pages).
    pub removed: usize,
    /// True when every page was rendered again.
    pub full: bool,
    /// How long it took.
    pub elapsed: Duration,
    /// The changed sources that caused it (absolute; files before folders, then by name).
    pub(crate) changed: Vec<PathBuf>,
}

/// A site in memory that follows its sources.
pub struct Rebuilder {
    options: BuildOptions,
    site: Site,
    /// The output folder and every file in it.
    out: InPlace,
    /// Which global values each template may show.
    uses: TemplateUses,
    /// The data files, a part per meeting.
    data: DataFiles,
    /// Paths of changes that failed, tried again with the next change.
    pending: BTreeSet<PathBuf>,
    /// Set when the output may lag the model (a failed incremental write): write all next time.
    stale: bool,
    /// Set when pages were rewritten but the search index not yet.
    search_stale: bool,
    /// The data files (data/*.json, data/*.csv: tens of MB at 10,000 speeches) are left, like
    /// the search index, for [`write_deferred`](Self::write_deferred): `Some(true)` when only
    /// those a body edit changes (speeches.json, figures.csv), `Some(false)` for all of them.
    data_stale: Option<bool>,
    /// When the last rebuild started reading the sources.
    scanned: SystemTime,
}

impl Rebuilder {
    /// Loads the site and writes it all, like `yilu build`.
    pub fn new(options: BuildOptions) -> Result<Rebuilder> {
        let scanned = SystemTime::now();
        let site = Site::load(&options)?;
        let out = write_whole(&site)?;
        let uses = TemplateUses::load(&site)?;
        let data = DataFiles::new(&site)?;
        Ok(Rebuilder {
            options,
            site,
            out,
            uses,
            data,
            pending: BTreeSet::new(),
            stale: false,
            search_stale: false,
            data_stale: None,
            scanned,
        })
    }

    /// The site as last built.
    pub fn site(&self) -> &Site {
        &self.site
    }

    /// Applies changed paths (absolute, under the site root). Returns None when none of them is
    /// a source of the site, or none changed since the last rebuild read them: file watchers
    /// also report files being opened, and a rebuild opens every file it reads.
    pub fn apply(&mut self, paths: &[PathBuf]) -> Result<Option<RebuildReport>> {
        let report = self.apply_pages(paths)?;
        self.write_deferred()?;
        Ok(report)
    }

    /// [`apply`](Self::apply) without the search index and the data files, which are left for
    /// [`write_deferred`](Self::write_deferred): serve reloads the browser in between, since they
    /// (every speech's text; tens of MB in a large archive) take several times as long as the
    /// pages an edit touches.
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
        if changes.remove(&Change::MeetingFolders) {
            match self.folders_that_came_or_went() {
                Some(folders) => changes.extend(folders.into_iter().map(Change::Meeting)),
                None => {
                    changes.insert(Change::Reload);
                }
            }
        }
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

    /// The meeting folders on disk that the archive does not hold, and the meetings whose
    /// folder is gone; None when content/meetings itself is gone (a reload says so).
    fn folders_that_came_or_went(&self) -> Option<BTreeSet<String>> {
        let dir = self.site.root.join("content").join("meetings");
        let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
            .ok()?
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_dir())
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .collect();
        let known: BTreeSet<String> =
            self.site.archive.meetings.iter().map(|m| m.slug.clone()).collect();
        // Drafts are on disk but not in the archive: read again, and left out again.
        Some(on_disk.symmetric_difference(&known).cloned().collect())
    }

    fn reload(&mut self, started: Instant) -> Result<RebuildReport> {
        let site = Site::load(&self.options)?;
        let out = write_whole(&site)?;
        self.uses = TemplateUses::load(&site)?;
        self.data = DataFiles::new(&site)?;
        self.site = site;
        self.out = out;
        self.stale = false;
        self.search_stale = false;
        self.data_stale = None;
        let pages = self.site.plan.len();
        Ok(RebuildReport {
            pages,
            written: pages,
            removed: 0,
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
        // Read the touched folders; any problem leaves everything as it was.
        let loaded = self.read_folders(folders)?;
        let loaded = match self.update_bodies(loaded, folders, started) {
            Ok(report) => return report,
            Err(loaded) => loaded,
        };
        if slugs_may_move(&self.site, folders, &loaded) {
            // Organisations' slugs are separated over the whole archive: let the loader do it.
            return self.reload(started);
        }
        let mut before = self.swap_in(folders, loaded);
        let (touched_meetings, after) = self.touched_meetings(folders, &mut before);
        let pages = self.pages_to_render(&before, &touched_meetings, &after);
        // The data records that may show something new: those of the speeches rendered again
        // (their meeting was touched, their speaker link or their changes moved).
        let mut records = touched_meetings;
        records.extend(pages.iter().filter_map(|p| match p.kind {
            PageKind::Speech(i, _) => Some(i),
            _ => None,
        }));
        self.write_rendered(&pages, Archive::All(records), started)
    }

    /// Remembers, by name, what the pages showed; then swaps the folders into the archive, in
    /// the loader's order, and rebuilds the model from the cached views of the others.
    fn swap_in(&mut self, folders: &BTreeSet<String>, loaded: Vec<Meeting>) -> Before {
        let site = &mut self.site;
        let before = Before::take(site, folders, &loaded);
        site.archive.meetings.retain(|m| !folders.contains(&m.slug));
        site.archive.meetings.extend(loaded);
        site.archive.meetings.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| b.slug.cmp(&a.slug)));

        let mut views: HashMap<String, MeetingViews> = std::mem::take(&mut site.model)
            .into_meeting_views()
            .map(|v| (v.0.slug.clone(), v))
            .collect();
        for name in folders {
            views.remove(name);
        }
        let cached = site.archive.meetings.iter().map(|m| views.remove(&m.slug)).collect();
        site.model =
            SiteModel::build_reusing(&site.archive, &site.indicators, &site.strings, cached);
        site.replan();

        before
    }

    /// The meetings whose pages may show something new: re-read, or a speaker link moved
    /// (people are identified over the whole archive); and what their speeches show elsewhere.
    /// A moved speaker link also touches the people it pointed at before.
    fn touched_meetings(
        &self,
        folders: &BTreeSet<String>,
        before: &mut Before,
    ) -> (BTreeSet<usize>, Touched) {
        let site = &self.site;
        let mut touched_meetings = BTreeSet::new();
        let mut after = Touched::default();
        for (i, view) in site.model.meetings.iter().enumerate() {
            let moved = before.speaker_paths.get(&view.slug).is_some_and(|old| {
                let now = view.speeches.iter().map(|s| &s.speaker_path);
                old.len() != view.speeches.len() || old.iter().zip(now).any(|(a, b)| a != b)
            });
            if folders.contains(&view.slug) || moved {
                touched_meetings.insert(i);
                after.add_all(&view.speeches);
                if moved {
                    before.touched.people.extend(
                        before.speaker_paths[&view.slug].iter().flatten().map(Text::to_string),
                    );
                }
            }
        }

        (touched_meetings, after)
    }

    /// The pages an update must render: new pages, those whose template shows a global value
    /// that changed, lists whose window moved, neighbours of touched meetings, and the pages of
    /// the organisations, people and indicators the touched speeches show on, before or after.
    fn pages_to_render(
        &mut self,
        before: &Before,
        touched_meetings: &BTreeSet<usize>,
        after: &Touched,
    ) -> Vec<Page> {
        // A value every template sees changed (the counts): the pages whose templates show it.
        let globals = uses::changed(&before.globals, self.site.tera.globals());
        let site = &self.site;
        let mut templates: HashMap<&str, bool> = HashMap::new();
        for page in &site.plan {
            templates.entry(page.template).or_insert_with(|| match &globals {
                None => true,
                Some(changed) => !changed.is_empty() && self.uses.shows(page.template, changed),
            });
        }
        let changes = change_prints(&site.model, &before.orgs);
        let order: Vec<&str> = site.model.meetings.iter().map(|m| m.slug.as_str()).collect();
        let per_page = site.config.paginate_by.max(1);
        let window = |order: &[&str], n: usize| -> Vec<String> {
            let start = ((n - 1) * per_page).min(order.len());
            order[start..(start + per_page).min(order.len())]
                .iter()
                .map(|s| s.to_string())
                .collect()
        };
        let old_order: Vec<&str> = before.order.iter().map(String::as_str).collect();
        let old_lists = before.order.len().div_ceil(per_page).max(1);
        let old_index: HashMap<&str, usize> =
            old_order.iter().enumerate().map(|(k, s)| (*s, k)).collect();
        // A meeting page shows its neighbours' cards: (older, newer) by slug.
        let old_neighbours = |slug: &str| -> (Option<&str>, Option<&str>) {
            let Some(&k) = old_index.get(slug) else { return (None, None) };
            (old_order.get(k + 1).copied(), k.checked_sub(1).map(|k| old_order[k]))
        };
        let touched_at = |k: Option<usize>| k.is_some_and(|k| touched_meetings.contains(&k));
        let shows = |page: &Page| {
            if templates[page.template] || !before.pages.contains(&page.path) {
                return true;
            }
            match &page.kind {
                PageKind::Home | PageKind::Districts | PageKind::Speakers | PageKind::Metrics => {
                    true
                }
                PageKind::MeetingList { number, total } => {
                    let range = (number - 1) * per_page..number * per_page;
                    *total != old_lists
                        || window(&order, *number) != window(&old_order, *number)
                        || touched_meetings.range(range).next().is_some()
                }
                PageKind::Meeting(i) => {
                    let (older, newer) =
                        (Some(i + 1).filter(|k| *k < order.len()), i.checked_sub(1));
                    let now = (older.map(|k| order[k]), newer.map(|k| order[k]));
                    touched_meetings.contains(i)
                        || now != old_neighbours(order[*i])
                        || touched_at(older)
                        || touched_at(newer)
                }
                PageKind::Speech(i, j) => {
                    let path = &site.model.meetings[*i].speeches[*j].path;
                    touched_meetings.contains(i)
                        || changes.get(path.as_str()) != before.changes.get(path.as_str())
                }
                PageKind::District(slug) => {
                    before.touched.orgs.contains(slug) || after.orgs.contains(slug)
                }
                PageKind::Speaker(i) => {
                    let path = &site.model.people[*i].path;
                    before.touched.people.contains(path) || after.people.contains(path)
                }
                PageKind::Metric(i) => {
                    let key = &site.model.metrics[*i].key;
                    before.touched.metrics.contains(key) || after.metrics.contains(key)
                }
                PageKind::NotFound | PageKind::Search | PageKind::Standalone(_) => false,
            }
        };
        site.plan.iter().filter(|p| shows(p)).cloned().collect()
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
        Ok(self.write_rendered(&pages, Archive::SpeechDetail(touched), started))
    }

    /// Renders `pages`, then writes those whose bytes changed and the archive files `archive`
    /// names, and removes the pages and archive files the site no longer makes. Every page is
    /// rendered before anything is written, so a page that fails to render leaves the output
    /// as it was.
    fn write_rendered(
        &mut self,
        pages: &[Page],
        archive: Archive,
        started: Instant,
    ) -> Result<RebuildReport> {
        let (records, replanned) = match &archive {
            Archive::SpeechDetail(records) => (records, false),
            Archive::All(records) => (records, true),
        };
        if let Err(e) = self.data.refresh(&self.site, records.iter().copied()) {
            self.stale = true;
            return Err(e);
        }
        let site = &self.site;
        let rendered: Vec<Result<(String, Vec<u8>), Diagnostic>> = pages
            .par_iter()
            .map(|page| site.render_page_bytes(page).map(|html| (page.file(), html)))
            .collect();
        let files = match crate::diagnostic::all_ok(rendered) {
            Ok(files) => files,
            Err(e) => {
                self.stale = true;
                return Err(e);
            }
        };
        let out = &self.out;
        let written = AtomicUsize::new(0);
        let count = |wrote: bool| {
            if wrote {
                written.fetch_add(1, Ordering::Relaxed);
            }
        };
        let archive_files = Produced::default();
        let result = (|| -> Result<usize> {
            let mut removed = 0;
            if replanned {
                let page_files: HashSet<String> = site.plan.iter().map(Page::file).collect();
                removed += out.retain(Part::Pages, &page_files)?;
            }
            files
                .par_iter()
                .try_for_each(|(file, html)| out.write(Part::Pages, file, html).map(count))?;
            let write = |rel: &str, bytes: &[u8]| {
                archive_files.add(rel);
                out.write(Part::Archive, rel, bytes).map(count)
            };
            if replanned {
                site.write_feeds(&write)?;
                archive::DataFiles::names().for_each(|name| archive_files.add(name));
                removed += out.retain(Part::Archive, &archive_files.into_set())?;
            }
            Ok(removed)
        })();
        let removed = result.inspect_err(|_| self.stale = true)?;
        self.data_stale = Some(!replanned && self.data_stale != Some(false));
        // The search index holds the body text, so it follows every edit, just not at once.
        self.search_stale = true;
        Ok(RebuildReport {
            pages: pages.len(),
            written: written.into_inner(),
            removed,
            full: pages.len() == site.plan.len(),
            elapsed: started.elapsed(),
            changed: Vec::new(),
        })
    }

    /// Writes what an incremental rebuild left behind: the data files, and the search index; returns whether the index was rewritten. Only files whose bytes changed are
    /// written; index files no longer made are removed.
    pub fn write_deferred(&mut self) -> Result<bool> {
        if let Some(speech_detail) = self.data_stale {
            let out = &self.out;
            let write = |rel: &str, bytes: &[u8]| out.write(Part::Archive, rel, bytes).map(|_| ());
            self.data
                .write(&self.site, speech_detail, &write)
                .inspect_err(|_| self.stale = true)?;
            self.data_stale = None;
        }
        if !self.search_stale {
            return Ok(false);
        }
        let out = &self.out;
        let produced = Produced::default();
        let written = self.site.write_search_index(&|rel, bytes| {
            produced.add(rel);
            out.write(Part::Search, rel, bytes).map(|_| ())
        });
        written
            .and_then(|()| out.retain(Part::Search, &produced.into_set()))
            .inspect_err(|_| self.stale = true)?;
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

/// Which archive files a rebuild writes, and the meetings (indices into the model) whose data
/// records may have changed.
enum Archive {
    /// The data files that show a speech's details (figures, extra fields, character count):
    /// the meetings' views are unchanged, and so are the pages, feeds and other data files.
    SpeechDetail(BTreeSet<usize>),
    /// Every archive file; the set of pages may have changed.
    All(BTreeSet<usize>),
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
            self.orgs.extend(s.org.as_ref().map(|o| o.slug.to_string()));
            self.people.extend(s.speaker_path.as_deref().map(str::to_string));
            self.metrics.extend(s.metric_list.iter().map(|m| m.key.to_string()));
        }
    }
}

/// Writes the whole site into a staging folder and swaps it in, as `yilu build` does (static
/// files last, so that they win over generated files of the same name), remembering which part
/// made each file.
fn write_whole(site: &Site) -> Result<InPlace> {
    InPlace::build(&site.output, |write| {
        let part = |part: Part| move |rel: &str, bytes: &[u8]| write(part, rel, bytes);
        let (pages, (archive, search)) = rayon::join(
            || site.write_pages(&site.plan, &part(Part::Pages)),
            || {
                rayon::join(
                    || site.write_archive_files(&part(Part::Archive)),
                    || site.write_search_index(&part(Part::Search)),
                )
            },
        );
        pages?;
        archive?;
        search?;
        site.write_static(&part(Part::Static))
    })
    .context("the build failed; the previous output is untouched")
}

/// The files one part of the site made in one pass, gathered from parallel writers.
#[derive(Default)]
struct Produced(Mutex<HashSet<String>>);

impl Produced {
    fn add(&self, rel: &str) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).insert(rel.to_string());
    }

    fn into_set(self) -> HashSet<String> {
        self.0.into_inner().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What the pages showed before a change, by name: indices move when meetings come and go.
struct Before {
    /// Every page's site path.
    pages: HashSet<String>,
    /// Meeting slugs, newest first.
    order: Vec<String>,
    /// What every template sees (`site`: its counts).
    globals: tera::Context,
    /// What the touched meetings' speeches showed on other pages.
    touched: Touched,
    /// Per meeting not touched, its speeches' speaker links.
    speaker_paths: HashMap<String, Vec<Option<Text>>>,
    /// The organisations whose speeches' changes since the previous report may move: those of
    /// the touched meetings, before and after.
    orgs: BTreeSet<String>,
    /// Their speeches' changes (see [`change_prints`]).
    changes: HashMap<String, u64>,
}

impl Before {
    fn take(site: &mut Site, folders: &BTreeSet<String>, loaded: &[Meeting]) -> Before {
        let model = &site.model;
        let mut touched = Touched::default();
        let mut speaker_paths = HashMap::new();
        for view in &model.meetings {
            if folders.contains(&view.slug) {
                touched.add_all(&view.speeches);
            } else {
                let paths = view.speeches.iter().map(|s| s.speaker_path.clone()).collect();
                speaker_paths.insert(view.slug.clone(), paths);
            }
        }
        let mut orgs = touched.orgs.clone();
        let loaded_orgs = loaded.iter().flat_map(|m| &m.speeches).filter_map(|s| s.org.as_ref());
        orgs.extend(loaded_orgs.map(|o| o.slug.clone()));
        let changes = change_prints(model, &orgs);
        Before {
            pages: site.plan.iter().map(|p| p.path.clone()).collect(),
            order: model.meetings.iter().map(|m| m.slug.clone()).collect(),
            globals: site.tera.globals().clone(),
            touched,
            speaker_paths,
            orgs,
            changes,
        }
    }
}

/// Per speech of the given organisations (by site path): a hash of its changes since the
/// organisation's previous report, as its page shows them.
fn change_prints(model: &SiteModel, orgs: &BTreeSet<String>) -> HashMap<String, u64> {
    let mut prints = HashMap::new();
    for slug in orgs {
        let Some(org) = model.orgs.get(slug) else { continue };
        for &(i, j) in &org.speeches {
            let json = serde_json::to_vec(&model.change_views(i, j)).unwrap_or_default();
            let mut h = rustc_hash::FxHasher::default();
            json.hash(&mut h);
            prints.insert(model.meetings[i].speeches[j].path.to_string(), h.finish());
        }
    }
    prints
}

/// True when the organisations' slugs in `loaded` (or those `folders` held) take part in the
/// loader's separation of clashing slugs, which only a load of the whole archive gets right: a
/// name already shown under another slug, a slug another name has, or a meeting going away
/// that held the organisation whose slug another one was numbered after (`x` for `x-2`).
fn slugs_may_move(site: &Site, folders: &BTreeSet<String>, loaded: &[Meeting]) -> bool {
    let mut by_name: HashMap<&str, &str> = HashMap::new();
    let mut by_slug: HashMap<&str, &str> = HashMap::new();
    let rest = site.archive.meetings.iter().filter(|m| !folders.contains(&m.slug));
    for org in rest.flat_map(|m| &m.speeches).filter_map(|s| s.org.as_ref()) {
        by_name.insert(&org.name, &org.slug);
        by_slug.insert(&org.slug, &org.name);
    }
    for org in loaded.iter().flat_map(|m| &m.speeches).filter_map(|s| s.org.as_ref()) {
        let name_moved = by_name.insert(&org.name, &org.slug).is_some_and(|s| s != org.slug);
        let slug_taken = by_slug.insert(&org.slug, &org.name).is_some_and(|n| n != org.name);
        if name_moved || slug_taken {
            return true;
        }
    }
    let numbered_after = |base: &str| {
        by_slug.keys().any(|s| {
            s.strip_prefix(base)
                .and_then(|rest| rest.strip_prefix('-'))
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
    };
    let old = site.archive.meetings.iter().filter(|m| folders.contains(&m.slug));
    old.flat_map(|m| &m.speeches).filter_map(|s| s.org.as_ref()).any(|o| numbered_after(&o.slug))
}
