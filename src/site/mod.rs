//! `build()`: a flat list of named steps from site.toml to a finished output folder. Every page
//! is planned first (path, template, context), then rendered and written in parallel into a
//! staging folder that replaces the output only when everything succeeded.

pub mod analysis;
mod feeds;
pub mod model;
pub mod output;
mod pages;
pub mod people;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use rayon::prelude::*;
use tera::Tera;

use crate::config::SiteConfig;
use crate::content::{self, Archive, LoadOptions};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::metrics::Indicators;
use crate::orgs::Registry;
use crate::render::templates::{self, UrlScheme};
use model::SiteModel;
pub use pages::{Page, PageKind};

/// What `yilu build` was asked for.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The site folder (holds site.toml and content/).
    pub root: PathBuf,
    /// Overrides site.toml's output_dir.
    pub output: Option<PathBuf>,
    /// Overrides site.toml's base_url.
    pub base_url: Option<String>,
    pub drafts: bool,
    /// Advanced by one per page written; the CLI shows it on a terminal.
    pub progress: Option<indicatif::ProgressBar>,
}

/// What a build did.
#[derive(Debug, Clone)]
pub struct BuildReport {
    pub output: PathBuf,
    pub pages: usize,
    pub meetings: usize,
    pub speeches: usize,
    pub elapsed: Duration,
    /// Wall time of each step, in order.
    pub phases: Vec<(&'static str, Duration)>,
}

/// A loaded site, ready to render: everything a build computes before writing. `serve` keeps
/// one in memory and re-renders only what a change touches.
pub struct Site {
    pub root: PathBuf,
    pub config: SiteConfig,
    pub registry: Registry,
    pub indicators: Indicators,
    pub archive: Archive,
    pub theme_dir: PathBuf,
    pub tera: Tera,
    pub model: SiteModel,
    pub plan: Vec<Page>,
    /// Shown advancing while pages are written.
    pub progress: Option<indicatif::ProgressBar>,
    /// Wall time of each loading step.
    pub timings: Vec<(&'static str, Duration)>,
    /// Template values shared by many pages, converted once.
    pub shared: pages::Shared,
    /// Where the output goes.
    pub output: PathBuf,
}

impl Site {
    /// Loads config, content and templates and plans every page. Nothing is written.
    pub fn load(options: &BuildOptions) -> Result<Site> {
        let root = options.root.clone();
        let mut config = SiteConfig::load(&root.join("site.toml"))?;
        if let Some(base) = &options.base_url {
            config.base_url = if base.ends_with('/') { base.clone() } else { format!("{base}/") };
        }
        let output = options.output.clone().unwrap_or_else(|| root.join(&config.output_dir));
        let registry = Registry::new(&config.organisations);
        let indicators = Indicators::new(&config.indicators);
        let mut timings = Vec::new();
        let mut lap = Instant::now();
        let mut step = |name: &'static str| {
            timings.push((name, lap.elapsed()));
            lap = Instant::now();
        };
        let archive = content::load(&root, &registry, LoadOptions { drafts: options.drafts })?;
        step("read content");
        let theme_dir = root.join("themes").join(&config.theme);
        let urls =
            UrlScheme { base_path: base_path(&config.base_url), relative: config.relative_urls };
        let tera = templates::build(Some(&theme_dir), urls)?;
        step("load templates");
        let model = SiteModel::build(&archive, &indicators);
        step("build the page model");
        let shared = pages::Shared::new(&model);
        step("convert shared template values");
        let mut site = Site {
            progress: options.progress.clone(),
            timings,
            shared,
            model,
            plan: Vec::new(),
            root,
            config,
            registry,
            indicators,
            archive,
            theme_dir,
            tera,
            output,
        };
        pages::insert_globals(&mut site.tera, &site.config, &site.model, &site.indicators);
        site.plan = pages::plan(&site.config, &site.model);
        Ok(site)
    }

    /// Recomputes the global template values and the page plan from the current model.
    pub fn replan(&mut self) {
        pages::insert_globals(&mut self.tera, &self.config, &self.model, &self.indicators);
        self.plan = pages::plan(&self.config, &self.model);
        self.shared = pages::Shared::new(&self.model);
    }

    /// Renders one page.
    pub fn render_page(&self, page: &Page) -> Result<String, Diagnostic> {
        let bytes = self.render_page_bytes(page)?;
        String::from_utf8(bytes).map_err(|e| Diagnostic::new(page.file(), e.to_string()))
    }

    /// Renders one page into bytes (Tera writes UTF-8; no second validation pass).
    pub fn render_page_bytes(&self, page: &Page) -> Result<Vec<u8>, Diagnostic> {
        let mut out = Vec::with_capacity(16 * 1024);
        let context = page.context(&self.archive, &self.model, &self.config, &self.shared);
        self.tera
            .render_to(page.template, &context, &mut out)
            .map_err(|e| render_diagnostic(&self.theme_dir, page, &e))?;
        Ok(out)
    }

    /// Renders the given pages in parallel and hands each to `write` (site-relative file path,
    /// bytes). Every failing page is reported.
    pub fn write_pages<'a>(
        &self,
        pages: impl IntoParallelIterator<Item = &'a Page>,
        write: &(dyn Fn(&str, &[u8]) -> Result<()> + Sync),
    ) -> Result<()> {
        let results: Vec<Result<(), Diagnostic>> = pages
            .into_par_iter()
            .map(|page| {
                let html = self.render_page_bytes(page)?;
                let written = write(&page.file(), &html)
                    .map_err(|e| Diagnostic::new(page.file(), format!("{e:#}")));
                if let Some(bar) = &self.progress {
                    bar.inc(1);
                }
                written
            })
            .collect();
        let mut problems = Diagnostics::default();
        results.into_iter().filter_map(Result::err).for_each(|d| problems.push(d));
        problems.into_result()
    }

    /// The search index under search/. Each index file is JSON wrapped in a call,
    /// `yiluSearchData("idx-05", {…});`, and search.js loads it with a <script> element: unlike
    /// fetch(), that also works for a page opened from disk over file://.
    pub fn write_search_index(
        &self,
        write: &(dyn Fn(&str, &[u8]) -> Result<()> + Sync),
    ) -> Result<()> {
        let docs = crate::search::docs(&self.archive, &self.model);
        crate::search::index::write_index_files(&docs, &|path, json| {
            let name = path.strip_prefix("search/").unwrap_or(&path);
            let name = name.strip_suffix(".json").unwrap_or(name);
            let mut js = Vec::with_capacity(json.len() + name.len() + 24);
            js.extend_from_slice(b"yiluSearchData(\"");
            js.extend_from_slice(name.as_bytes());
            js.extend_from_slice(b"\",");
            js.extend_from_slice(&json);
            js.extend_from_slice(b");\n");
            write(&format!("search/{name}.js"), &js)
        })
        .context("cannot write the search index")
    }

    /// The files that summarise the whole archive: feeds, sitemap, open data.
    pub fn write_archive_files(
        &self,
        write: &(dyn Fn(&str, &[u8]) -> Result<()> + Sync),
    ) -> Result<()> {
        let (config, model) = (&self.config, &self.model);
        // The data files are the slow ones (tens of ms each at 10,000 speeches): two at a time
        // (the pages render beside them), each written and dropped as soon as it is made, so
        // that at most two are held in memory.
        let archive = &self.archive;
        let data = |name: &str, make: &(dyn Fn() -> Vec<u8> + Sync)| write(name, &make());
        let (json, csv) = rayon::join(
            || data("data/speeches.json", &|| feeds::speeches_json(config, archive, model)),
            || data("data/metrics.csv", &|| feeds::metrics_csv(config, model, &self.indicators)),
        );
        let (figures, meetings) = rayon::join(
            || data("data/figures.csv", &|| feeds::figures_csv(config, archive, model)),
            || data("data/meetings.json", &|| feeds::meetings_json(config, model)),
        );
        json?;
        csv?;
        figures?;
        meetings?;
        write("atom.xml", feeds::atom(config, model).as_bytes())?;
        write("sitemap.xml", feeds::sitemap(config, model, &self.plan).as_bytes())?;
        write("robots.txt", feeds::robots(config).as_bytes())?;
        Ok(())
    }

    /// Everything: pages, archive files and static files.
    /// Everything: pages, archive files, the search index and static files. The independent
    /// parts run side by side.
    pub fn write_all(&self, write: &(dyn Fn(&str, &[u8]) -> Result<()> + Sync)) -> Result<()> {
        let (pages, (archive, search)) = rayon::join(
            || self.write_pages(&self.plan, write),
            || rayon::join(|| self.write_archive_files(write), || self.write_search_index(write)),
        );
        pages?;
        archive?;
        search?;
        copy_static(write, &self.theme_dir, &self.root.join("static"))
    }
}

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
    site.write_all(&|rel, bytes| staging.write(rel, bytes))
        .context("the build failed; the previous output is untouched")?;
    phases.push(("render and write", lap.elapsed()));
    let lap = Instant::now();
    let output = staging.commit()?;
    phases.push(("swap into place", lap.elapsed()));
    Ok(BuildReport {
        output,
        pages: site.plan.len(),
        meetings: site.archive.meetings.len(),
        speeches: site.archive.meetings.iter().map(|m| m.speeches.len()).sum(),
        elapsed: started.elapsed(),
        phases,
    })
}

fn render_diagnostic(theme_dir: &Path, page: &Page, e: &tera::Error) -> Diagnostic {
    let file = theme_dir.join("templates").join(page.template);
    let shown = if file.exists() {
        file.display().to_string()
    } else {
        format!("<embedded theme>/templates/{}", page.template)
    };
    let mut d = templates::template_diagnostic(&shown, e);
    d.message = format!("{} (rendering /{})", d.message, page.path);
    d
}

/// `https://host/archive/` → `/archive/`.
pub fn base_path(base_url: &str) -> String {
    let after_scheme = base_url.split_once("://").map(|(_, r)| r).unwrap_or(base_url);
    let path = if base_url.contains("://") {
        after_scheme.find('/').map(|i| &after_scheme[i..]).unwrap_or("/")
    } else {
        after_scheme
    };
    let mut p = path.to_string();
    if !p.starts_with('/') {
        p.insert(0, '/');
    }
    if !p.ends_with('/') {
        p.push('/');
    }
    p
}

/// The theme's static files (embedded, then the theme folder's), then the site's static/.
fn copy_static(
    write: &(dyn Fn(&str, &[u8]) -> Result<()> + Sync),
    theme_dir: &Path,
    site_static: &Path,
) -> Result<()> {
    for (rel, bytes) in templates::EMBEDDED_STATIC {
        write(rel, bytes)?;
    }
    for dir in [theme_dir.join("static"), site_static.to_path_buf()] {
        if !dir.is_dir() {
            continue;
        }
        for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
            let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry
                .path()
                .strip_prefix(&dir)
                .expect("under dir")
                .to_string_lossy()
                .replace('\\', "/");
            let bytes = std::fs::read(entry.path())
                .with_context(|| format!("cannot read {}", entry.path().display()))?;
            write(&rel, &bytes)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_paths() {
        assert_eq!(base_path("https://example.org/archive/"), "/archive/");
        assert_eq!(base_path("https://example.org"), "/");
        assert_eq!(base_path("http://127.0.0.1:8080/archive"), "/archive/");
        assert_eq!(base_path("/"), "/");
    }
}
