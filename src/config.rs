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
    /// Where `yilu deploy` publishes (`[[deploy]]`); not handed to templates.
    #[serde(skip_serializing)]
    pub deploy: Vec<DeployEntry>,
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

/// One `[[deploy]]` entry: a named place `yilu deploy` publishes the output to.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DeployEntry {
    pub name: String,
    /// `s3://bucket/prefix?endpoint=https://…&region=…&style=path|virtual`
    pub url: crate::deploy::S3Url,
    /// `[[deploy.headers]]`: Cache-Control by pattern, first match wins, before the defaults.
    #[serde(default)]
    pub headers: Vec<HeaderRule>,
}

/// One `[[deploy.headers]]` rule.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HeaderRule {
    /// `*.html` (a file name anywhere) or `search/*.js` (a path from the output root).
    pub pattern: crate::deploy::PathPattern,
    pub cache_control: String,
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
            deploy: Vec::new(),
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
            // A credential typed into site.toml gets told where it belongs, not "unknown field".
            let message = match e.message().strip_prefix("unknown field `") {
                Some(rest)
                    if crate::deploy::looks_like_credential(
                        rest.split('`').next().unwrap_or(""),
                    ) =>
                {
                    crate::deploy::CREDENTIALS_NOT_HERE.to_string()
                }
                _ => e.message().to_string(),
            };
            anyhow::anyhow!("{name}{location}: {message}")
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
        for (i, entry) in config.deploy.iter().enumerate() {
            if !crate::slug::is_valid(&entry.name) {
                anyhow::bail!(
                    "{name}: deploy[{i}]: name {:?} must be lowercase ASCII letters, digits and hyphens",
                    entry.name
                );
            }
            if config.deploy[..i].iter().any(|e| e.name == entry.name) {
                anyhow::bail!("{name}: deploy[{i}]: a second target named {:?}", entry.name);
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
    fn deploy_entries_parse_with_their_headers() {
        let c = SiteConfig::from_str(
            "[[deploy]]\nname = \"oss\"\nurl = \"s3://site/archive?endpoint=https://oss-cn-hangzhou.aliyuncs.com&style=virtual\"\n\
             [[deploy.headers]]\npattern = \"*.html\"\ncache_control = \"no-cache\"\n\
             [[deploy]]\nname = \"r2\"\nurl = \"s3://site\"\n",
            "site.toml",
        )
        .unwrap();
        assert_eq!(c.deploy.len(), 2);
        assert_eq!(c.deploy[0].url.prefix, "archive");
        assert!(c.deploy[0].url.virtual_hosted);
        assert_eq!(c.deploy[0].headers[0].cache_control, "no-cache");
        assert!(c.deploy[1].headers.is_empty());
    }

    #[test]
    fn bad_deploy_entries_name_line_and_column() {
        let table = [
            (
                "[[deploy]]\nname = \"oss\"\nurl = \"s3://Site\"\n",
                "site.toml:3:7: deploy url \"s3://Site\": bucket \"Site\" must be lowercase letters, digits, `-` and `.`, starting and ending with a letter or digit",
            ),
            (
                "[[deploy]]\nname = \"oss\"\nurl = \"s3://site\"\nendpiont = \"x\"\n",
                "site.toml:4:1: unknown field `endpiont`, expected one of `name`, `url`, `headers`",
            ),
            (
                "[[deploy]]\nname = \"oss\"\nurl = \"s3://site\"\nsecret_access_key = \"abc\"\n",
                "site.toml:4:1: credentials do not belong in site.toml (it is usually committed); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials) in the environment instead",
            ),
            (
                "title = \"x\"\naws_access_key_id = \"AKIA\"\n",
                "site.toml:2:1: credentials do not belong in site.toml (it is usually committed); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials) in the environment instead",
            ),
            (
                "[[deploy]]\nname = \"oss\"\nurl = \"s3://site\"\n[[deploy.headers]]\npattern = \"[\"\ncache_control = \"x\"\n",
                "site.toml:5:11: pattern \"[\" is not a valid glob: invalid range pattern",
            ),
            (
                "[[deploy]]\nname = \"a\"\nurl = \"s3://site\"\n[[deploy]]\nname = \"a\"\nurl = \"s3://other\"\n",
                "site.toml: deploy[1]: a second target named \"a\"",
            ),
        ];
        for (text, want) in table {
            let err = SiteConfig::from_str(text, "site.toml").unwrap_err().to_string();
            assert_eq!(err, want);
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
