//! `build()`: a flat list of named steps from site.toml to a finished output folder. Every page
//! is planned first (path, template, context), then rendered and written in parallel into a
//! staging folder that replaces the output only when everything succeeded.

pub(crate) mod analysis;
pub(crate) mod feeds;
mod graphics;
pub(crate) mod model;
pub(crate) mod output;
mod pages;
pub(crate) mod people;
mod urls;
pub(crate) mod views;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use rayon::prelude::*;

use crate::config::SiteConfig;
use crate::content::{self, Archive, LoadOptions};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::metrics::Indicators;
use crate::orgs::Registry;
use crate::render::i18n::Strings;
use crate::render::markdown;
use crate::render::templates::{self, Templates, UrlScheme};
use model::SiteModel;
use pages::{Body, SummaryValues};
pub(crate) use pages::{Page, PageKind};
pub(crate) use urls::base_path;

/// Where rendered files go: (site-relative file path, bytes).
pub(crate) type WriteFn<'a> = dyn Fn(&str, &[u8]) -> Result<()> + Sync + 'a;

/// Writes the file at a site-relative path as the given function makes it, piece by piece.
type StreamFn<'a> = dyn Fn(&str, &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>) -> Result<()>
    + Sync
    + 'a;

/// What `yilu build` was asked for.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The site folder (holds site.toml and content/).
    pub root: PathBuf,
    /// Overrides site.toml's output_dir.
    pub output: Option<PathBuf>,
    /// Overrides site.toml's base_url.
    pub base_url: Option<String>,
    /// Build pages marked `draft: true` too.
    pub drafts: bool,
    /// Replace a non-empty output folder that yilu did not make (never the site or its sources).
    pub force: bool,
    /// Advanced by one per page written; the CLI shows it on a terminal.
    pub progress: Option<indicatif::ProgressBar>,
}

/// What a build did.
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// The folder written.
    pub output: PathBuf,
    /// Pages rendered.
    pub pages: usize,
    /// Meetings in the archive.
    pub meetings: usize,
    /// Speeches in the archive.
    pub speeches: usize,
    /// How long the build took.
    pub elapsed: Duration,
    /// Wall time of each step, in order.
    pub phases: Vec<(&'static str, Duration)>,
    /// Problems the build went past, for the CLI to show.
    pub warnings: Vec<Diagnostic>,
}

/// A loaded site, ready to render: everything a build computes before writing. `serve` keeps
/// one in memory and re-renders only what a change touches.
pub struct Site {
    pub(crate) root: PathBuf,
    pub(crate) config: SiteConfig,
    pub(crate) registry: Registry,
    pub(crate) indicators: Indicators,
    pub(crate) archive: Archive,
    pub(crate) theme_dir: PathBuf,
    /// The UI strings of site.toml's `language`.
    pub(crate) strings: Arc<Strings>,
    pub(crate) tera: Templates,
    pub(crate) model: SiteModel,
    /// Every page of the site, in order.
    pub plan: Vec<Page>,
    /// Standalone pages (`content/about.md`), sorted by path.
    pub(crate) pages: Vec<content::StandalonePage>,
    /// Shown advancing while pages are written.
    pub(crate) progress: Option<indicatif::ProgressBar>,
    /// Wall time of each loading step.
    pub(crate) timings: Vec<(&'static str, Duration)>,
    /// Template values shared by many pages, converted once.
    pub(crate) shared: pages::Shared,
    /// Where the output goes.
    pub(crate) output: PathBuf,
    /// Problems the build goes past (a misspelt key, no host for the feeds), sorted by place.
    pub(crate) warnings: Vec<Diagnostic>,
}

impl Site {
    /// Loads config, content and templates and plans every page. Nothing is written.
    pub(crate) fn load(options: &BuildOptions) -> Result<Site> {
        let root = options.root.clone();
        let config = site_config(options)?;
        let output = options.output.clone().unwrap_or_else(|| root.join(&config.output_dir));
        output::check_target(&root, &output, options.force)?;
        let mut timings = Vec::new();
        let mut lap = Instant::now();
        let mut step = |name: &'static str| {
            timings.push((name, lap.elapsed()));
            lap = Instant::now();
        };
        // The national registry takes a few milliseconds to build: the folders are listed
        // meanwhile.
        let (registry, listing) = rayon::join(
            || Registry::with_region(&config.organisations, config.region.as_deref()),
            || content::list(&root),
        );
        let registry = registry?;
        let indicators = Indicators::new(&config.indicators);
        let load = LoadOptions { drafts: options.drafts };
        let archive = both(
            content::load(&root, listing, &registry, load),
            content::pages::load(&root, load)
                .map_err(|p| Diagnostics(p).into_result().unwrap_err()),
        );
        step("read content");
        let theme_dir = root.join("themes").join(&config.theme);
        let urls =
            UrlScheme { base_path: base_path(&config.base_url), relative: config.relative_urls };
        let (strings, string_warnings) = Strings::load(&root, &theme_dir, &config.language)?;
        let strings = Arc::new(strings);
        let tera = templates::build(Some(&theme_dir), urls, Arc::clone(&strings));
        step("load templates");
        // Content and template problems are reported together, so one run shows them all.
        let (((archive, clashes), standalone), tera) = match (archive, tera) {
            (Ok(archive), Ok(tera)) => (archive, tera),
            (archive, tera) => return Err(merge_errors(archive.err(), tera.err())),
        };
        let mut warnings = clashes;
        warnings.extend(string_warnings);
        let warnings = load_warnings(&root, &config, &archive, &indicators, warnings);
        let model = SiteModel::build(&archive, &indicators, &strings);
        step("build the page model");
        let shared = pages::Shared::new(&model, config.region.as_deref(), Arc::clone(&strings));
        step("convert shared template values");
        let mut site = Site {
            progress: options.progress.clone(),
            timings,
            shared,
            model,
            plan: Vec::new(),
            pages: standalone,
            root,
            config,
            registry,
            indicators,
            archive,
            theme_dir,
            strings,
            tera,
            output,
            warnings,
        };
        site.plan_pages();
        pages::check_standalone(&site.pages, &site.plan)?;
        Ok(site)
    }

    /// Sets the global template values and plans the pages, from the current model.
    fn plan_pages(&mut self) {
        pages::insert_globals(
            &mut self.tera,
            &self.config,
            &self.model,
            &self.indicators,
            &self.strings,
        );
        self.plan = pages::plan(&self.config, &self.model, &self.pages);
    }

    /// Recomputes the global template values, the page plan and the shared template values
    /// from the current model.
    pub(crate) fn replan(&mut self) {
        self.plan_pages();
        self.shared = pages::Shared::new(
            &self.model,
            self.config.region.as_deref(),
            Arc::clone(&self.strings),
        );
    }

    /// Renders one page into bytes (Tera writes UTF-8; no second validation pass).
    pub(crate) fn render_page_bytes(&self, page: &Page) -> Result<Vec<u8>, Diagnostic> {
        self.render(page)
            .map_err(|d| templates::merge_render_errors(vec![(page.path.clone(), d)]).remove(0))
    }

    /// Renders one page; an error names the template and its place, not the page.
    fn render(&self, page: &Page) -> Result<Vec<u8>, Diagnostic> {
        self.with_page_body(page, |body| self.render_body(page, body))?
    }

    /// Renders one page with its body, rendered already.
    fn render_body(&self, page: &Page, body: Option<Body<'_>>) -> Result<Vec<u8>, Diagnostic> {
        let mut out = Vec::with_capacity(16 * 1024);
        self.render_into(page, body, &mut out)?;
        Ok(out)
    }

    /// Renders one page whose body is at hand into `out`. Generic, not a trait object: Tera
    /// writes a page a piece at a time, and into a `Vec` those writes are inlined.
    fn render_into(
        &self,
        page: &Page,
        body: Option<Body<'_>>,
        out: &mut impl std::io::Write,
    ) -> Result<(), Diagnostic> {
        let (archive, standalone, model) = (&self.archive, &self.pages, &self.model);
        let context = page.context(archive, standalone, model, &self.config, &self.shared, body);
        self.tera.render_to(page.template, &context, out, &self.theme_dir)
    }

    /// Renders one page straight into its file as `stream` writes it, never holding the page
    /// whole; a failure as [`Site::write_rendered`]'s.
    fn stream_page(&self, page: &Page, stream: &StreamFn<'_>) -> Result<(), Failed> {
        let mut failed = None;
        let written = self
            .with_page_body(page, |body| {
                stream(&page.file(), &mut |out| {
                    self.render_into(page, body, &mut &mut *out).map_err(|d| {
                        failed = Some(d);
                        std::io::Error::other("the page could not be rendered")
                    })
                })
            })
            .map_err(|d| Box::new((None, d)))?;
        if let Some(d) = failed {
            return Err(Box::new((Some(page.path.clone()), d)));
        }
        if let Some(bar) = &self.progress {
            bar.inc(1);
        }
        written.map_err(|e| Box::new((None, Diagnostic::new(page.file(), format!("{e:#}")))))
    }

    /// Calls `f` with the page's body: a speech page's Markdown, read from its file, and its
    /// rendering; None for other pages.
    fn with_page_body<R>(
        &self,
        page: &Page,
        f: impl FnOnce(Option<Body<'_>>) -> R,
    ) -> Result<R, Diagnostic> {
        match page.kind {
            PageKind::Speech(i, j) => self.with_speech_body(i, j, |markdown| {
                let rendered = markdown::render(markdown);
                f(Some(Body { markdown, rendered: &rendered, summaries: None }))
            }),
            _ => Ok(f(None)),
        }
    }

    /// Calls `f` with speech (i, j)'s Markdown body, read from its file: the archive does not
    /// hold bodies.
    fn with_speech_body<R>(
        &self,
        i: usize,
        j: usize,
        f: impl FnOnce(&str) -> R,
    ) -> Result<R, Diagnostic> {
        content::with_body(&self.root, &self.archive.meetings[i].speeches[j].path, f)
    }

    /// Renders one page with its body, rendered already, and hands it to `write`; a failure
    /// carries the page's path when it is a rendering error (to be merged: one message per
    /// template mistake).
    fn write_rendered(
        &self,
        page: &Page,
        body: Option<Body<'_>>,
        write: &WriteFn<'_>,
    ) -> Result<(), Failed> {
        let html =
            self.render_body(page, body).map_err(|d| Box::new((Some(page.path.clone()), d)))?;
        let written = write(&page.file(), &html)
            .map_err(|e| Box::new((None, Diagnostic::new(page.file(), format!("{e:#}")))));
        if let Some(bar) = &self.progress {
            bar.inc(1);
        }
        written
    }

    /// Renders the given pages in parallel and hands each to `write` (site-relative file path,
    /// bytes). Every failing page is reported.
    pub(crate) fn write_pages<'a>(
        &self,
        pages: impl IntoParallelIterator<Item = &'a Page>,
        write: &WriteFn<'_>,
    ) -> Result<()> {
        failures(self.render_pages(pages, write))
    }

    /// Renders the given pages in parallel, handing each to `write`; returns every failure.
    fn render_pages<'a>(
        &self,
        pages: impl IntoParallelIterator<Item = &'a Page>,
        write: &WriteFn<'_>,
    ) -> Vec<Failed> {
        pages.into_par_iter().filter_map(|page| self.write_one(page, write).err()).collect()
    }

    /// Renders one page (reading its body when it has one) and hands it to `write`.
    fn write_one(&self, page: &Page, write: &WriteFn<'_>) -> Result<(), Failed> {
        self.with_page_body(page, |body| self.write_rendered(page, body, write))
            .map_err(|d| Box::new((None, d)))?
    }

    /// (meeting, speech) indices of every speech, meetings newest first, speeches in order.
    fn speech_refs(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let meetings = self.model.meetings.iter().enumerate();
        meetings.flat_map(|(i, m)| (0..m.speeches.len()).map(move |j| (i, j)))
    }

    /// Speech (i, j) as a search document: its summary, and its body's plain text.
    fn search_doc(&self, i: usize, j: usize, body: String) -> crate::search::SearchDoc {
        let sum = &self.model.meetings[i].speeches[j];
        crate::search::SearchDoc {
            path: sum.path.to_string(),
            title: sum.title.to_string(),
            speaker: sum.speaker.as_deref().unwrap_or_default().to_string(),
            org: sum.org.as_ref().map(|o| o.name.to_string()).unwrap_or_default(),
            date: sum.date.to_string(),
            meeting: sum.meeting_title.to_string(),
            body,
        }
    }

    /// The search index under search/. Each index file is JSON wrapped in a call,
    /// `yiluSearchData("idx-05", {…});`, and search.js loads it with a <script> element: unlike
    /// fetch(), that also works for a page opened from disk over file://. The documents are
    /// made a batch at a time (meetings are newest first, as the index numbers them), each
    /// body read from its file, so the archive's text is never held whole.
    pub(crate) fn write_search_index(&self, write: &WriteFn<'_>) -> Result<()> {
        let all: Vec<(usize, usize)> = self.speech_refs().collect();
        self.index_speeches(&all, write, &|batch| {
            let doc = |&(i, j): &(usize, usize)| {
                self.with_speech_body(i, j, |body| {
                    self.search_doc(i, j, markdown::plain_text(body))
                })
                .map_err(|d| Box::new((None, d)))
            };
            batch.par_iter().map(doc).collect()
        })
    }

    /// The speech pages and the search index in one pass: each body is read once, for its
    /// page and its search document, a batch of speeches at a time.
    fn write_speeches_and_index(&self, write: &WriteFn<'_>) -> Result<()> {
        let mut speeches: Vec<(usize, usize, &Page)> = (self.plan.iter())
            .filter_map(|page| match page.kind {
                PageKind::Speech(i, j) => Some((i, j, page)),
                _ => None,
            })
            .collect();
        speeches.sort_by_key(|&(i, j, _)| (i, j));
        self.index_speeches(&speeches, write, &|batch| {
            // A meeting's speeches together: each summary is made into a template value once,
            // for its own page and its neighbours'.
            let meetings = batch.par_chunk_by(|a, b| a.0 == b.0);
            let made = meetings.flat_map_iter(|run| {
                let (i, first, last) = (run[0].0, run[0].1, run[run.len() - 1].1);
                let summaries = SummaryValues::new(&self.model, i, first..=last);
                run.iter()
                    .map(move |&(i, j, page)| self.write_speech(i, j, page, &summaries, write))
            });
            made.collect()
        })
    }

    /// Writes speech (i, j)'s page, whose meeting's summaries `summaries` holds; returns its
    /// search document.
    fn write_speech(
        &self,
        i: usize,
        j: usize,
        page: &Page,
        summaries: &SummaryValues,
        write: &WriteFn<'_>,
    ) -> MadeDoc {
        let made = self.with_speech_body(i, j, |markdown| {
            let rendered = markdown::render(markdown);
            let body = Body { markdown, rendered: &rendered, summaries: Some(summaries) };
            self.write_rendered(page, Some(body), write)?;
            Ok(self.search_doc(i, j, rendered.text))
        });
        made.map_err(|d| Box::new((None, d)))?
    }

    /// Builds the search index from `speeches` (in index order: meetings newest first,
    /// speeches in order), making a batch's documents at a time with `docs`, in order. Every
    /// failing speech is reported; the index is left unwritten then.
    fn index_speeches<T: Sync>(
        &self,
        speeches: &[T],
        write: &WriteFn<'_>,
        docs: &(dyn Fn(&[T]) -> Vec<MadeDoc> + Sync),
    ) -> Result<()> {
        use crate::search::index::{BATCH, IndexWriter};
        let as_js = |path: String, json: Vec<u8>| {
            let name = path.strip_prefix("search/").unwrap_or(&path);
            let name = name.strip_suffix(".json").unwrap_or(name);
            let mut js = Vec::with_capacity(json.len() + name.len() + 24);
            js.extend_from_slice(b"yiluSearchData(\"");
            js.extend_from_slice(name.as_bytes());
            js.extend_from_slice(b"\",");
            js.extend_from_slice(&json);
            js.extend_from_slice(b");\n");
            write(&format!("search/{name}.js"), &js)
        };
        let mut index = IndexWriter::new(speeches.len());
        let mut failed = Vec::new();
        for batch in speeches.chunks(BATCH) {
            let mut made = Vec::with_capacity(batch.len());
            for doc in docs(batch) {
                match doc {
                    Ok(d) => made.push(d),
                    Err(f) => failed.push(f),
                }
            }
            if failed.is_empty() {
                let made: Vec<&crate::search::SearchDoc> = made.iter().collect();
                index.add(&made, &as_js).context("cannot write the search index")?;
            }
        }
        failures(failed)?;
        index.finish(&as_js).context("cannot write the search index")
    }

    /// The files that summarise the whole archive: feeds, sitemap, open data.
    pub fn write_archive_files(&self, write: &WriteFn<'_>) -> Result<()> {
        self.write_archive_files_to(write, None)
    }

    /// As [`Site::write_archive_files`]; `stream`, when given, writes the large data files as
    /// they are made instead of holding each whole.
    fn write_archive_files_to(
        &self,
        write: &WriteFn<'_>,
        stream: Option<&StreamFn<'_>>,
    ) -> Result<()> {
        // The data files are the slow ones (tens of ms each at 10,000 speeches): made side by
        // side, the pages rendering beside them.
        let all = 0..self.model.meetings.len();
        let data = |file: &DataFile| {
            let make = |out: &mut dyn std::io::Write| (file.make)(self, out, all.clone());
            match stream {
                Some(stream) => stream(file.name, &mut |out| make(out)),
                None => {
                    let mut bytes = Vec::new();
                    make(&mut bytes).with_context(|| format!("cannot make {}", file.name))?;
                    write(file.name, &bytes)
                }
            }
        };
        let made: Vec<Result<()>> = DATA_FILES.par_iter().map(data).collect();
        made.into_iter().collect::<Result<()>>()?;
        self.write_feeds(write)
    }

    /// Writes the feeds, the sitemap and robots.txt. Feeds and sitemaps need absolute URLs:
    /// without a host they are left out (with a warning from load).
    pub(crate) fn write_feeds(&self, write: &WriteFn<'_>) -> Result<()> {
        let (config, model) = (&self.config, &self.model);
        if config.has_host() {
            write("atom.xml", feeds::atom(config, model).as_bytes())?;
            for (path, xml) in feeds::follow_feeds(config, model) {
                write(&path, xml.as_bytes())?;
            }
            write("sitemap.xml", feeds::sitemap(config, model, &self.plan).as_bytes())?;
        }
        write("robots.txt", feeds::robots(config).as_bytes())
    }

    /// As [`Site::write_all`], but a static file that cannot be read is passed over and
    /// reported in `skipped` (a warning) instead of failing: `yilu check` checks the rest.
    pub(crate) fn write_all_past_unreadable(
        &self,
        write: &(dyn Fn(&str, &[u8]) -> Result<()> + Sync),
        skipped: &mut Vec<Diagnostic>,
    ) -> Result<()> {
        self.write_everything(write, None, Some(skipped))
    }

    fn write_everything(
        &self,
        write: &WriteFn<'_>,
        stream: Option<&StreamFn<'_>>,
        skipped: Option<&mut Vec<Diagnostic>>,
    ) -> Result<()> {
        let others = self.plan.iter().filter(|p| !matches!(p.kind, PageKind::Speech(..)));
        // An indicator's page lists every meeting's ranking: at 30,000 speeches ~10 MB of HTML
        // and several times that in template values. They are rendered one after another,
        // beside everything else, so that one at a time is in memory, and streamed to their
        // files when the caller can.
        let (in_turn, others): (Vec<&Page>, Vec<&Page>) =
            others.partition(|p| matches!(p.kind, PageKind::Metric(_)));
        let in_turn = || {
            in_turn.iter().filter_map(|page| match stream {
                Some(stream) => self.stream_page(page, stream).err(),
                None => self.write_one(page, write).err(),
            })
        };
        // This thread starts on them at once (the rest is taken by the others), so that they
        // never leave the build waiting on one thread at its end.
        let (mut failed, (more, (archive, search))): (Vec<Failed>, _) = rayon::join(
            || in_turn().collect(),
            || {
                rayon::join(
                    || self.render_pages(others, write),
                    || {
                        rayon::join(
                            || self.write_archive_files_to(write, stream),
                            || self.write_speeches_and_index(write),
                        )
                    },
                )
            },
        );
        failed.extend(more);
        failures(failed)?;
        archive?;
        search?;
        copy_static(write, &self.root, &self.theme_dir, skipped)
    }

    /// The theme's and the site's static files, as a build copies them: `yilu serve` writes
    /// the parts of a site one by one, to know which files each part makes.
    pub(crate) fn write_static(
        &self,
        write: &(dyn Fn(&str, &[u8]) -> Result<()> + Sync),
    ) -> Result<()> {
        copy_static(write, &self.root, &self.theme_dir, None)
    }
}

/// site.toml, with `--base-url` in place of its `base_url` when given.
fn site_config(options: &BuildOptions) -> Result<SiteConfig> {
    let mut config = SiteConfig::load(&options.root.join("site.toml"))?;
    if let Some(base) = &options.base_url {
        config.base_url = crate::config::check_base_url(base).map_err(|mut d| {
            d.path = PathBuf::from("--base-url");
            anyhow::Error::new(Diagnostics(vec![d]))
        })?;
        config.source.base_url_at = None;
    }
    Ok(config)
}

/// Every warning of a load, sorted by place: each meeting's own, the given ones (slug clashes,
/// UI strings), no meetings folder, metrics no indicator defines, no host for the feeds.
fn load_warnings(
    root: &Path,
    config: &SiteConfig,
    archive: &Archive,
    indicators: &Indicators,
    mut warnings: Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    warnings.extend(archive.meetings.iter().flat_map(|m| m.warnings.iter().cloned()));
    if !root.join("content").join("meetings").is_dir() {
        warnings.push(
            Diagnostic::warning("content/meetings", "no such folder, so the site has no meetings")
            .with_hint("add meetings with `yilu ingest TRANSCRIPT.txt`, or pass --root to build another site"),
        );
    }
    let keys: Vec<&str> = indicators.iter().map(|i| i.key.as_str()).collect();
    warnings.extend(content::metric_key_warnings(root, archive, &keys));
    if !config.has_host() {
        warnings.push(no_host_warning(config));
    }
    warnings.sort();
    warnings.dedup();
    warnings
}

/// How a data file's parts join.
#[derive(Clone, Copy)]
pub(crate) enum Layout {
    /// A pretty JSON array: `[`, the records separated by `,` and new lines, `]`.
    JsonArray,
    /// A CSV file: its head (BOM and header row), then the rows.
    Csv,
}

/// Writes a data file's records of the meetings in a range (indices into the model).
pub(crate) type MakeFn =
    fn(&Site, &mut dyn std::io::Write, std::ops::Range<usize>) -> std::io::Result<()>;

/// One data file.
pub(crate) struct DataFile {
    pub(crate) name: &'static str,
    pub(crate) layout: Layout,
    /// True when it shows more of a speech than the meeting view does (its figures, character
    /// count, extra fields): a body edit that leaves the meeting view as it was changes only
    /// these.
    pub(crate) speech_detail: bool,
    pub(crate) make: MakeFn,
}

/// The open data files: what a build writes whole, and `yilu serve` keeps as parts per meeting.
pub(crate) const DATA_FILES: &[DataFile] = &[
    DataFile {
        name: "data/speeches.json",
        layout: Layout::JsonArray,
        speech_detail: true,
        make: |site, out, r| {
            feeds::speeches_json_of(out, &site.config, &site.archive, &site.model, r)
        },
    },
    DataFile {
        name: "data/metrics.csv",
        layout: Layout::Csv,
        speech_detail: false,
        make: |site, out, r| {
            feeds::metrics_csv_of(out, &site.config, &site.model, &site.indicators, r)
        },
    },
    DataFile {
        name: "data/figures.csv",
        layout: Layout::Csv,
        speech_detail: true,
        make: |site, out, r| {
            feeds::figures_csv_of(out, &site.config, &site.archive, &site.model, r)
        },
    },
    DataFile {
        name: "data/meetings.json",
        layout: Layout::JsonArray,
        speech_detail: false,
        make: |site, out, r| feeds::meetings_json_of(out, &site.config, &site.model, r),
    },
];

/// Builds the site: load, render, write atomically.
pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    let started = Instant::now();
    let site = Site::load(options)?;
    let mut phases = site.timings.clone();
    let lap = Instant::now();
    if let Some(bar) = &site.progress {
        bar.set_length(site.plan.len() as u64);
    }
    let staging = output::Staging::new(&site.output)?;
    // Straight into the staging folder: the large data files are streamed, not held whole.
    site.write_everything(
        &|rel, bytes| staging.write(rel, bytes),
        Some(&|rel, fill| staging.write_with(rel, fill)),
        None,
    )
    .context("the build failed; the previous output is untouched")?;
    phases.push(("render and write", lap.elapsed()));
    let lap = Instant::now();
    let output = staging.commit()?;
    phases.push(("swap into place", lap.elapsed()));
    let report = BuildReport {
        output,
        pages: site.plan.len(),
        meetings: site.archive.meetings.len(),
        speeches: site.archive.meetings.iter().map(|m| m.speeches.len()).sum(),
        elapsed: started.elapsed(),
        phases,
        warnings: site.warnings.clone(),
    };
    drop_aside(site);
    Ok(report)
}

/// Frees a loaded site on a thread of its own: freeing every speech, summary and view one by
/// one took a twentieth of a build's time at 10,000 speeches, and nobody waits for it (the CLI
/// exits; a longer-lived caller gets the memory back a moment later).
fn drop_aside(site: Site) {
    // When no thread can be had, the failed spawn frees the site here instead.
    let _ = std::thread::Builder::new().name("yilu-drop".into()).spawn(move || drop(site));
}

/// A page or speech that failed: its page's path when rendering failed (rendering errors are
/// merged, one message per template mistake), and the problem.
type Failed = Box<(Option<String>, Diagnostic)>;

/// A speech's search document, or why it could not be made.
type MadeDoc = Result<crate::search::SearchDoc, Failed>;

/// Every failure as one error (none: Ok), rendering errors merged by template mistake.
fn failures(failed: impl IntoIterator<Item = Failed>) -> Result<()> {
    let mut problems = Diagnostics::default();
    let mut render_errors = Vec::new();
    for failed in failed {
        let (page, d) = *failed;
        match page {
            Some(page) => render_errors.push((page, d)),
            None => problems.push(d),
        }
    }
    templates::merge_render_errors(render_errors).into_iter().for_each(|d| problems.push(d));
    problems.into_result()
}

/// Two stages' errors as one: both lists of problems together when both are lists.
fn merge_errors(a: Option<anyhow::Error>, b: Option<anyhow::Error>) -> anyhow::Error {
    match (a, b) {
        (Some(a), Some(b)) => match (a.downcast::<Diagnostics>(), b.downcast::<Diagnostics>()) {
            (Ok(mut a), Ok(b)) => {
                a.0.extend(b.0);
                a.0.sort();
                anyhow::Error::new(a)
            }
            (Ok(_), Err(other)) | (Err(other), _) => other,
        },
        (Some(e), None) | (None, Some(e)) => e,
        (None, None) => anyhow::anyhow!("the site could not be loaded"),
    }
}

/// The one warning for a base_url without a host (`/`, which `yilu init` writes).
fn no_host_warning(config: &SiteConfig) -> Diagnostic {
    let name = if config.source.name.is_empty() { "site.toml" } else { &config.source.name };
    config.source.at_base_url(
        Diagnostic::warning(
            name,
            format!(
                "base_url {:?} has no host, so atom.xml, sitemap.xml and the Sitemap line of robots.txt are left out (they need absolute URLs)",
                config.base_url
            ),
        )
        .with_hint("set base_url to the address the site is published at, e.g. \"https://example.org/archive/\" (or pass --base-url)"),
    )
}

/// Both results, or every problem of both: two loaders' diagnostics reported together.
fn both<A, B>(a: Result<A>, b: Result<B>) -> Result<(A, B)> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (Err(e), Ok(_)) | (Ok(_), Err(e)) => Err(e),
        (Err(ea), Err(eb)) => match (ea.downcast::<Diagnostics>(), eb.downcast::<Diagnostics>()) {
            (Ok(mut da), Ok(db)) => {
                da.0.extend(db.0);
                da.into_result().map(|()| unreachable!("problems were found"))
            }
            (Err(e), _) | (_, Err(e)) => Err(e),
        },
    }
}

/// Files that keep an empty folder in version control or are left by tools (`.gitkeep`,
/// `.DS_Store`): never published. Other dotfiles (`.nojekyll`, `.well-known/…`) are.
fn is_placeholder(name: &std::ffi::OsStr) -> bool {
    const NAMES: &[&str] =
        &[".gitkeep", ".keep", ".gitignore", ".gitattributes", ".DS_Store", "Thumbs.db"];
    name.to_str().is_some_and(|n| NAMES.contains(&n))
}

/// The theme's static files (embedded, then the theme folder's), then the site's static/;
/// placeholders such as `.gitkeep` are left out. A file that cannot be read fails the copy,
/// unless `skipped` collects it as a warning.
fn copy_static(
    write: &(dyn Fn(&str, &[u8]) -> Result<()> + Sync),
    root: &Path,
    theme_dir: &Path,
    mut skipped: Option<&mut Vec<Diagnostic>>,
) -> Result<()> {
    for (rel, bytes) in templates::EMBEDDED_STATIC {
        write(rel, bytes)?;
    }
    for dir in [theme_dir.join("static"), root.join("static")] {
        if !dir.is_dir() {
            continue;
        }
        for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
            let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
            if !entry.file_type().is_file() || is_placeholder(entry.file_name()) {
                continue;
            }
            let rel = entry
                .path()
                .strip_prefix(&dir)
                .expect("under dir")
                .to_string_lossy()
                .replace('\\', "/");
            let bytes = match (std::fs::read(entry.path()), skipped.as_deref_mut()) {
                (Ok(bytes), _) => bytes,
                (Err(e), Some(skipped)) => {
                    let path = entry.path().strip_prefix(root).unwrap_or(entry.path());
                    skipped.push(Diagnostic::warning(
                        path,
                        format!("cannot read it ({e}); it is not copied or checked"),
                    ));
                    continue;
                }
                (Err(e), None) => {
                    return Err(anyhow::Error::new(e)
                        .context(format!("cannot read {}", entry.path().display())));
                }
            };
            write(&rel, &bytes)?;
        }
    }
    Ok(())
}
