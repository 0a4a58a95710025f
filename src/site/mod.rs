//! `build()`: a flat list of named steps from site.toml to a finished output folder. Every page
//! is planned first (path, template, context), then rendered and written in parallel into a
//! staging folder that replaces the output only when everything succeeded.

pub mod model;
pub mod output;
mod pages;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use rayon::prelude::*;

use crate::config::SiteConfig;
use crate::content::{self, LoadOptions};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::metrics::Indicators;
use crate::orgs::Registry;
use crate::render::templates::{self, UrlScheme};
use model::SiteModel;
pub use pages::Page;

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
}

/// What a build did.
#[derive(Debug, Clone)]
pub struct BuildReport {
    pub output: PathBuf,
    pub pages: usize,
    pub meetings: usize,
    pub speeches: usize,
    pub elapsed: Duration,
}

/// Builds the site: load, render, write atomically.
pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    let started = Instant::now();
    let root = &options.root;
    let mut config = SiteConfig::load(&root.join("site.toml"))?;
    if let Some(base) = &options.base_url {
        config.base_url = if base.ends_with('/') {
            base.clone()
        } else {
            format!("{base}/")
        };
    }
    let output = options
        .output
        .clone()
        .unwrap_or_else(|| root.join(&config.output_dir));

    let registry = Registry::new(&config.organisations);
    let indicators = Indicators::new(&config.indicators);
    let archive = content::load(
        root,
        &registry,
        LoadOptions {
            drafts: options.drafts,
        },
    )?;
    let theme_dir = root.join("themes").join(&config.theme);
    let urls = UrlScheme {
        base_path: base_path(&config.base_url),
        relative: config.relative_urls,
    };
    let mut tera = templates::build(Some(&theme_dir), urls)?;
    let model = SiteModel::build(&archive, &indicators);
    pages::insert_globals(&mut tera, &config, &model, &indicators);
    let plan = pages::plan(&config, &model);

    let staging = output::Staging::new(&output)?;
    let results: Vec<Result<(), Diagnostic>> = plan
        .par_iter()
        .map(|page| {
            let html = tera
                .render(page.template, &page.context)
                .map_err(|e| render_diagnostic(&theme_dir, page, &e))?;
            staging
                .write(&page.file(), html.as_bytes())
                .map_err(|e| Diagnostic::new(page.file(), format!("{e:#}")))
        })
        .collect();
    let mut problems = Diagnostics::default();
    results
        .into_iter()
        .filter_map(Result::err)
        .for_each(|d| problems.push(d));
    problems
        .into_result()
        .context("the build failed; the previous output is untouched")?;

    copy_static(&staging, &theme_dir, &root.join("static"))?;
    crate::search::write_index(&staging, &model).context("cannot write the search index")?;
    let output = staging.commit()?;
    Ok(BuildReport {
        output,
        pages: plan.len(),
        meetings: archive.meetings.len(),
        speeches: archive.meetings.iter().map(|m| m.speeches.len()).sum(),
        elapsed: started.elapsed(),
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
    let after_scheme = base_url
        .split_once("://")
        .map(|(_, r)| r)
        .unwrap_or(base_url);
    let path = if base_url.contains("://") {
        after_scheme
            .find('/')
            .map(|i| &after_scheme[i..])
            .unwrap_or("/")
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
fn copy_static(staging: &output::Staging, theme_dir: &Path, site_static: &Path) -> Result<()> {
    for (rel, bytes) in templates::EMBEDDED_STATIC {
        staging.write(rel, bytes)?;
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
            staging.write(&rel, &bytes)?;
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
