//! `site.toml`: the site's settings. Parsed from a string (testable), loaded from a path (errors
//! name the file); unknown keys are rejected with their line and column so a typo never silently
//! does nothing.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use serde::{Deserialize, Serialize};

/// The whole of `site.toml`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SiteConfig {
    pub title: String,
    pub description: String,
    /// Where the site is published, e.g. `https://example.org/archive/`; always ends in `/`.
    pub base_url: String,
    pub language: String,
    /// Output folder, relative to the site root.
    pub output_dir: PathBuf,
    /// Theme name: `themes/NAME/` overrides the embedded default template by template.
    pub theme: String,
    /// Every link relative and ending in `index.html`, so the output browses from disk.
    pub relative_urls: bool,
    /// Meetings per page on `/meetings/`.
    pub paginate_by: usize,
    /// Extra organisations, or overrides of built-in ones (matched by name).
    pub organisations: Vec<OrganisationEntry>,
    /// Extra indicators, or overrides of built-in ones (matched by key).
    pub indicators: Vec<IndicatorEntry>,
    /// Free-form values handed to templates as `config.extra`.
    pub extra: toml::Table,
    /// Extra main-navigation entries (`[[menu]]`), after the built-in ones.
    pub menu: Vec<MenuEntry>,
}

/// One `[[menu]]` entry: a link in the main navigation.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MenuEntry {
    pub name: String,
    /// A site path (`about/`, through the `url` filter) or an absolute http(s) URL.
    pub url: String,
    /// Entries are sorted by weight, then name.
    #[serde(default)]
    pub weight: i64,
}

impl MenuEntry {
    /// True when `url` is an absolute http(s) URL rather than a site path.
    pub fn is_external(&self) -> bool {
        let lower = self.url.trim().to_ascii_lowercase();
        lower.starts_with("http://") || lower.starts_with("https://")
    }
}

/// One `[[organisations]]` entry.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OrganisationEntry {
    pub name: String,
    pub slug: String,
    /// district | county | zone | department | other
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// One `[[indicators]]` entry.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct IndicatorEntry {
    pub key: String,
    pub label: String,
    #[serde(default)]
    pub phrasings: Vec<String>,
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            title: "yilu archive".into(),
            description: String::new(),
            base_url: "/".into(),
            language: "zh-CN".into(),
            output_dir: PathBuf::from("public"),
            theme: "default".into(),
            relative_urls: false,
            paginate_by: 20,
            organisations: Vec::new(),
            indicators: Vec::new(),
            extra: toml::Table::new(),
            menu: Vec::new(),
        }
    }
}

impl SiteConfig {
    /// Parses `site.toml` text. `name` is used in error messages (`site.toml:3:1: …`).
    pub fn from_str(text: &str, name: &str) -> Result<SiteConfig> {
        let mut config: SiteConfig = toml::from_str(text).map_err(|e| {
            let location = e
                .span()
                .map(|span| {
                    let (line, col) = line_col(text, span.start);
                    format!(":{line}:{col}")
                })
                .unwrap_or_default();
            anyhow::anyhow!("{name}{location}: {}", e.message())
        })?;
        if !config.base_url.ends_with('/') {
            config.base_url.push('/');
        }
        if config.paginate_by == 0 {
            anyhow::bail!("{name}: paginate_by must be at least 1");
        }
        // Slugs and keys become URL segments: check them here, where the user can be told
        // which entry is wrong, rather than when a page would be written outside the output.
        for (i, org) in config.organisations.iter().enumerate() {
            if !crate::slug::is_valid(&org.slug) {
                anyhow::bail!(
                    "{name}: organisations[{i}] ({}): slug {:?} must be lowercase ASCII letters, digits and hyphens",
                    org.name,
                    org.slug
                );
            }
        }
        for (i, ind) in config.indicators.iter().enumerate() {
            if !crate::slug::is_valid(&ind.key.replace('_', "-")) {
                anyhow::bail!(
                    "{name}: indicators[{i}] ({}): key {:?} must be lowercase ASCII letters, digits and underscores",
                    ind.label,
                    ind.key
                );
            }
        }
        for (i, entry) in config.menu.iter().enumerate() {
            let url = entry.url.trim();
            // A site path has no scheme; anything with one other than http(s) (javascript:,
            // data:) is refused, as is a protocol-relative `//host` link.
            let scheme = url.split_once(':').map(|(s, _)| s).filter(|s| !s.contains('/'));
            if entry.name.trim().is_empty()
                || (!entry.is_external() && (scheme.is_some() || url.starts_with("//")))
            {
                anyhow::bail!(
                    "{name}: menu[{i}] ({}): url {:?} must be a site path such as \"about/\" or an http(s) URL, and name must not be empty",
                    entry.name,
                    entry.url
                );
            }
        }
        Ok(config)
    }

    /// Loads `site.toml` from a path; a missing file is an error that says what to do.
    pub fn load(path: &Path) -> Result<SiteConfig> {
        let text = std::fs::read_to_string(path).with_context(|| {
            format!(
                "cannot read {} (run `yilu init` to create a site, or pass --root)",
                path.display()
            )
        })?;
        SiteConfig::from_str(&text, &path.display().to_string())
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_missing_keys() {
        let c =
            SiteConfig::from_str("title = \"议录\"\nbase_url = \"https://x.org/a\"", "site.toml")
                .unwrap();
        assert_eq!(c.title, "议录");
        assert_eq!(c.base_url, "https://x.org/a/");
        assert_eq!(c.output_dir, PathBuf::from("public"));
        assert_eq!(c.paginate_by, 20);
    }

    #[test]
    fn unknown_key_names_file_line_and_column() {
        let err = SiteConfig::from_str("title = \"x\"\ntitel = \"y\"\n", "site.toml").unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("site.toml:2:1: unknown field `titel`"), "{msg}");
    }

    #[test]
    fn organisations_and_indicators_parse() {
        let c = SiteConfig::from_str(
            "[[organisations]]\nname = \"某某区\"\nslug = \"moumou\"\nkind = \"district\"\n\
             [[indicators]]\nkey = \"grain\"\nlabel = \"粮食产量\"\nphrasings = [\"粮食产量\"]\n",
            "site.toml",
        )
        .unwrap();
        assert_eq!(c.organisations[0].slug, "moumou");
        assert_eq!(c.indicators[0].phrasings, vec!["粮食产量"]);
    }

    #[test]
    fn menu_entries_parse_and_bad_ones_are_refused() {
        let c = SiteConfig::from_str(
            "[[menu]]\nname = \"关于\"\nurl = \"about/\"\nweight = 2\n\
             [[menu]]\nname = \"源\"\nurl = \"https://x.org/\"\n",
            "site.toml",
        )
        .unwrap();
        assert_eq!((c.menu[0].weight, c.menu[0].is_external()), (2, false));
        assert!(c.menu[1].is_external());
        let err =
            SiteConfig::from_str("[[menu]]\nname = \"a\"\nurl = \"a/\"\nwieght = 1\n", "site.toml")
                .unwrap_err()
                .to_string();
        assert!(err.starts_with("site.toml:4:1: unknown field `wieght`"), "{err}");
        for url in ["javascript:alert(1)", "//evil.org/", "data:text/html,x"] {
            let text = format!("[[menu]]\nname = \"a\"\nurl = \"{url}\"\n");
            let err = SiteConfig::from_str(&text, "site.toml").unwrap_err().to_string();
            assert!(err.contains("menu[0] (a)"), "{url}: {err}");
        }
    }

    #[test]
    fn slugs_and_keys_that_are_not_url_segments_are_refused() {
        let org = "[[organisations]]\nname = \"某某区\"\nslug = \"../x\"\n";
        let err = SiteConfig::from_str(org, "site.toml").unwrap_err().to_string();
        assert_eq!(
            err,
            "site.toml: organisations[0] (某某区): slug \"../x\" must be lowercase ASCII letters, digits and hyphens"
        );
        let ind = "[[indicators]]\nkey = \"a/b\"\nlabel = \"甲\"\n";
        let err = SiteConfig::from_str(ind, "site.toml").unwrap_err().to_string();
        assert!(err.contains("indicators[0] (甲): key \"a/b\""), "{err}");
        let ok = "[[indicators]]\nkey = \"grain_output\"\nlabel = \"粮食产量\"\n";
        assert!(SiteConfig::from_str(ok, "site.toml").is_ok());
    }
}
