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
    /// The province, city or county the archive covers (e.g. "重庆市"): short and shared names
    /// of organisations resolve inside it.
    pub region: Option<String>,
    /// Extra organisations, or overrides of built-in ones (matched by name).
    pub organisations: Vec<OrganisationEntry>,
    /// Extra indicators, or overrides of built-in ones (matched by key).
    pub indicators: Vec<IndicatorEntry>,
    /// Free-form values handed to templates as `config.extra`.
    pub extra: toml::Table,
}

/// One `[[organisations]]` entry.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OrganisationEntry {
    pub name: String,
    pub slug: String,
    /// province | city | district | county | county_city | zone | department | other
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
            region: None,
            organisations: Vec::new(),
            indicators: Vec::new(),
            extra: toml::Table::new(),
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
            if let Some(problem) = crate::slug::problem(&org.slug) {
                anyhow::bail!("{name}: organisations[{i}] ({}): slug {problem}", org.name);
            }
        }
        if let Some(region) = &config.region
            && let Err(e) = crate::orgs::Registry::with_region(&[], Some(region))
        {
            let line = text
                .lines()
                .position(|l| l.trim_start().starts_with("region"))
                .map(|l| format!(":{}", l + 1))
                .unwrap_or_default();
            anyhow::bail!("{name}{line}: {e}");
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
    fn region_must_name_a_unit() {
        let c = SiteConfig::from_str("region = \"福州市\"\n", "site.toml").unwrap();
        assert_eq!(c.region.as_deref(), Some("福州市"));
        let err = SiteConfig::from_str("title = \"x\"\nregion = \"福洲市\"\n", "site.toml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("site.toml:2: region \"福洲市\" is not"), "{err}");
        assert!(err.contains("did you mean 福州市?"), "{err}");
        let err = SiteConfig::from_str("region = \"鼓楼区\"\n", "site.toml").unwrap_err();
        assert!(err.to_string().contains("福州市鼓楼区"), "{err}");
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
