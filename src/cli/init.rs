//! `yilu init [DIR]`: a new site that builds at once.

use std::path::PathBuf;

use anyhow::{Context as _, Result, bail};
use clap::Args;

use crate::content::write_file_atomic;
use crate::render::templates::{EMBEDDED_STATIC, EMBEDDED_TEMPLATES};

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Folder for the new site (created if missing).
    #[arg(default_value = ".")]
    pub(crate) dir: PathBuf,
    /// Also copy the default theme into themes/default/ to edit it.
    #[arg(long)]
    pub(crate) theme: bool,
    /// Write into a folder that is not empty, replacing files of the same name.
    #[arg(long)]
    pub(crate) force: bool,
}

const SITE_TOML: &str = r#"# yilu site settings. See the README for every key.
title = "会议发言存档"
description = ""
base_url = "/"                 # set to the site's address, e.g. "https://example.org/archive/"
language = "zh-CN"
output_dir = "public"
theme = "default"
relative_urls = false
paginate_by = 20

# The province or city the archive covers: short and shared names (鼓楼区, 高新区) resolve in it.
# region = "重庆市"

# Add organisations the built-in registry does not know:
# [[organisations]]
# name = "某某新区"
# slug = "moumou"
# kind = "zone"
# aliases = ["某某"]

# Add indicators:
# [[indicators]]
# key = "grain_output"
# label = "粮食产量"
# phrasings = ["粮食产量"]
"#;

/// The new site's README: installing yilu, writing, and publishing on GitHub Pages.
const README: &str = include_str!("site-readme.md");

/// The default theme's README: its files and every template's variables.
const THEME_README: &str = include_str!("../../themes/default/README.md");

impl InitArgs {
    pub(crate) fn run(self, quiet: bool) -> Result<()> {
        let dir = &self.dir;
        if dir.exists() {
            let non_empty = std::fs::read_dir(dir)
                .with_context(|| format!("cannot read {}", dir.display()))?
                .next()
                .is_some();
            if non_empty && !self.force {
                bail!("{} is not empty; choose an empty folder or pass --force", dir.display());
            }
        }
        let mut files: Vec<(PathBuf, Vec<u8>)> = vec![
            (dir.join("site.toml"), SITE_TOML.as_bytes().to_vec()),
            (dir.join("README.md"), README.as_bytes().to_vec()),
            (dir.join("content/meetings/.gitkeep"), Vec::new()),
            (dir.join("static/.gitkeep"), Vec::new()),
        ];
        if self.theme {
            let theme = dir.join("themes/default");
            for (name, text) in EMBEDDED_TEMPLATES {
                files.push((theme.join("templates").join(name), text.as_bytes().to_vec()));
            }
            // The template variables' documentation travels with the templates.
            files.push((theme.join("README.md"), THEME_README.as_bytes().to_vec()));
            for (name, bytes) in EMBEDDED_STATIC {
                files.push((theme.join("static").join(name), bytes.to_vec()));
            }
            // The UI string tables, to translate or edit beside the templates.
            for (language, text) in crate::render::i18n::EMBEDDED {
                files.push((
                    theme.join("i18n").join(format!("{language}.toml")),
                    text.as_bytes().to_vec(),
                ));
            }
        }
        for (path, bytes) in &files {
            write_file_atomic(path, bytes)?;
        }
        if !quiet {
            eprintln!(
                "created a new site in {}\nnext: cd {} && yilu ingest TRANSCRIPT.txt --year YYYY && yilu build",
                dir.display(),
                dir.display()
            );
        }
        Ok(())
    }
}
