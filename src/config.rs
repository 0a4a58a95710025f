//! `site.toml`: the site's settings. Parsed from a string (testable), loaded from a path (errors
//! name the file); unknown keys, malformed values (a base_url that is not an http(s) address, a
//! theme that is not a folder name, an organisation kind that does not exist) are rejected with
//! their line and column so a typo never silently does nothing. Every problem of the file is
//! reported together.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use serde::{Deserialize, Serialize};

pub(crate) use crate::deploy::DeployEntry;
use crate::diagnostic::{Diagnostic, Diagnostics, did_you_mean, line_col};
pub use crate::orgs::OrganisationEntry;

/// The whole of `site.toml`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SiteConfig {
    /// The site's name, in every page's title and the feeds.
    pub title: String,
    /// One sentence about the site: the meta description of pages without their own.
    pub description: String,
    /// Where the site is published, e.g. `https://example.org/archive/`; always ends in `/`.
    pub base_url: String,
    pub(crate) language: String,
    /// Output folder, relative to the site root.
    pub(crate) output_dir: PathBuf,
    /// Theme name: `themes/NAME/` overrides the embedded default template by template.
    pub(crate) theme: String,
    /// Every link relative and ending in `index.html`, so the output browses from disk.
    pub(crate) relative_urls: bool,
    /// Meetings per page on `/meetings/`.
    pub(crate) paginate_by: usize,
    /// The province, city or county the archive covers (e.g. "重庆市"): short and shared names
    /// of organisations resolve inside it.
    pub(crate) region: Option<String>,
    /// Extra organisations, or overrides of built-in ones (matched by name).
    pub organisations: Vec<OrganisationEntry>,
    /// Extra indicators, or overrides of built-in ones (matched by key).
    pub indicators: Vec<IndicatorEntry>,
    /// Free-form values handed to templates as `config.extra`.
    pub(crate) extra: toml::Table,
    /// Extra main-navigation entries (`[[menu]]`), after the built-in ones.
    pub(crate) menu: Vec<MenuEntry>,
    /// Where the file was read from and where its keys are, for messages about them later.
    #[serde(skip)]
    pub(crate) source: ConfigSource,
    /// Where `yilu deploy` publishes (`[[deploy]]`); not handed to templates.
    #[serde(skip_serializing)]
    pub(crate) deploy: Vec<DeployEntry>,
}

/// The name a `site.toml` was read under and the places of the keys later checks point at.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ConfigSource {
    /// The file as shown in messages (`site.toml`, `/path/to/site.toml`).
    pub(crate) name: String,
    /// 1-based line and column of the `base_url` value, when the file sets it.
    pub(crate) base_url_at: Option<(usize, usize)>,
}

impl ConfigSource {
    /// A diagnostic about `base_url`, at its place in the file when known.
    pub(crate) fn at_base_url(&self, d: Diagnostic) -> Diagnostic {
        match self.base_url_at {
            Some((line, col)) => d.at(line, col),
            None => d,
        }
    }
}

/// One `[[menu]]` entry: a link in the main navigation.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct MenuEntry {
    pub(crate) name: String,
    /// A site path (`about/`, through the `url` filter) or an absolute http(s) URL.
    pub(crate) url: String,
    /// Entries are sorted by weight, then name.
    #[serde(default)]
    pub(crate) weight: i64,
}

impl MenuEntry {
    /// True when `url` is an absolute http(s) URL rather than a site path.
    pub(crate) fn is_external(&self) -> bool {
        let lower = self.url.trim().to_ascii_lowercase();
        lower.starts_with("http://") || lower.starts_with("https://")
    }
}

/// One `[[indicators]]` entry.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct IndicatorEntry {
    pub(crate) key: String,
    pub(crate) label: String,
    #[serde(default)]
    pub(crate) phrasings: Vec<String>,
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
            menu: Vec::new(),
            source: ConfigSource::default(),
            deploy: Vec::new(),
        }
    }
}

/// The values later checks need the place of; read from the same text as the config.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Places {
    base_url: Option<toml::Spanned<toml::Value>>,
    language: Option<toml::Spanned<toml::Value>>,
    theme: Option<toml::Spanned<toml::Value>>,
    paginate_by: Option<toml::Spanned<toml::Value>>,
    organisations: Vec<toml::Spanned<toml::Table>>,
    indicators: Vec<toml::Spanned<toml::Table>>,
    menu: Vec<toml::Spanned<toml::Table>>,
    deploy: Vec<toml::Spanned<toml::Table>>,
}

/// The checks a parsed `site.toml` goes through, each placing its problems at the value's
/// line and column in the text when the file sets it.
struct Checks<'a> {
    text: &'a str,
    name: &'a str,
    places: Places,
    problems: Diagnostics,
}

impl Checks<'_> {
    /// Records `d`, placed at the start of `span` when there is one.
    fn push(&mut self, d: Diagnostic, span: Option<std::ops::Range<usize>>) {
        let d = match span {
            Some(span) => {
                let (line, col) = line_col(self.text, span.start);
                d.at(line, col)
            }
            None => d,
        };
        self.problems.push(in_file(d, self.name));
    }

    fn base_url(&mut self, config: &mut SiteConfig) {
        match check_base_url(&config.base_url) {
            Ok(url) => config.base_url = url,
            Err(d) => self.push(d, self.places.base_url.as_ref().map(toml::Spanned::span)),
        }
    }

    fn theme(&mut self, config: &SiteConfig, root: Option<&Path>) {
        let span = self.places.theme.as_ref().map(toml::Spanned::span);
        match (check_theme_name(&config.theme), root) {
            (Err(d), _) => self.push(d, span),
            // The embedded theme stands in for a missing themes/default/ only.
            (Ok(()), Some(root))
                if config.theme != "default"
                    && !root.join("themes").join(&config.theme).is_dir() =>
            {
                let d = Diagnostic::new(
                    self.name,
                    format!("theme {:?}: there is no folder themes/{}/", config.theme, config.theme),
                )
                .with_hint(format!(
                    "create themes/{}/templates/ (`yilu init --theme` writes a copy of the default theme), or set theme = \"default\" for the built-in theme",
                    config.theme
                ));
                self.push(d, span);
            }
            _ => {}
        }
    }

    /// The UI language: one of the embedded tables, or one the site or its theme adds
    /// (i18n/LANG.toml; only known with the site's root).
    fn language(&mut self, config: &SiteConfig, root: Option<&Path>) {
        let available = match root {
            Some(root) => {
                crate::render::i18n::available(root, &root.join("themes").join(&config.theme))
            }
            None => crate::render::i18n::EMBEDDED.iter().map(|(l, _)| l.to_string()).collect(),
        };
        if let Err(d) = crate::render::i18n::check_language(&config.language, &available) {
            self.push(d, self.places.language.as_ref().map(toml::Spanned::span));
        }
    }

    fn paginate_by(&mut self, config: &SiteConfig) {
        if config.paginate_by == 0 {
            let d = Diagnostic::new(self.name, "paginate_by must be at least 1");
            self.push(d, self.places.paginate_by.as_ref().map(toml::Spanned::span));
        }
    }

    /// Slugs become URL segments: checked here, where the user can be told which entry is
    /// wrong, rather than when a page would be written outside the output.
    fn organisations(&mut self, config: &SiteConfig) {
        for (i, org) in config.organisations.iter().enumerate() {
            if let Some(problem) = crate::slug::problem(&org.slug) {
                let d = Diagnostic::new(
                    self.name,
                    format!("organisations[{i}] ({}): slug {problem}", org.name),
                );
                self.push(d, self.places.organisations.get(i).map(toml::Spanned::span));
            }
        }
    }

    /// The region must be one the registry knows.
    fn region(&mut self, config: &SiteConfig) {
        if let Some(region) = &config.region
            && let Err(e) = crate::orgs::Registry::with_region(&[], Some(region))
        {
            let d = Diagnostic::new(self.name, e.to_string());
            let line = self.text.lines().position(|l| l.trim_start().starts_with("region"));
            self.problems.push(match line {
                Some(l) => d.at(l + 1, 1),
                None => d,
            });
        }
    }

    /// Keys become URL segments too.
    fn indicators(&mut self, config: &SiteConfig) {
        for (i, ind) in config.indicators.iter().enumerate() {
            if !crate::slug::is_valid(&ind.key.replace('_', "-")) {
                let d = Diagnostic::new(
                    self.name,
                    format!(
                        "indicators[{i}] ({}): key {:?} must be lowercase ASCII letters, digits and underscores",
                        ind.label, ind.key
                    ),
                );
                self.push(d, self.places.indicators.get(i).map(toml::Spanned::span));
            }
        }
    }

    /// A menu link is a site path or an http(s) URL: anything with another scheme
    /// (`javascript:`, `data:`) is refused, as is a protocol-relative `//host` link.
    fn menu(&mut self, config: &SiteConfig) {
        for (i, entry) in config.menu.iter().enumerate() {
            let url = entry.url.trim();
            let scheme = url.split_once(':').map(|(s, _)| s).filter(|s| !s.contains('/'));
            if entry.name.trim().is_empty()
                || (!entry.is_external() && (scheme.is_some() || url.starts_with("//")))
            {
                let d = Diagnostic::new(
                    self.name,
                    format!(
                        "menu[{i}] ({}): url {:?} must be a site path such as \"about/\" or an http(s) URL, and name must not be empty",
                        entry.name, entry.url
                    ),
                );
                self.push(d, self.places.menu.get(i).map(toml::Spanned::span));
            }
        }
    }

    /// Target names are typed on the command line (`yilu deploy NAME`): plain and unique.
    fn deploy(&mut self, config: &SiteConfig) {
        for (i, entry) in config.deploy.iter().enumerate() {
            let span = self.places.deploy.get(i).map(toml::Spanned::span);
            let mut found = Vec::new();
            if !crate::slug::is_valid(&entry.name) {
                found.push(format!(
                    "deploy[{i}]: name {:?} must be lowercase ASCII letters, digits and hyphens",
                    entry.name
                ));
            }
            if config.deploy[..i].iter().any(|e| e.name == entry.name) {
                found.push(format!("deploy[{i}]: a second target named {:?}", entry.name));
            }
            for message in found {
                self.push(Diagnostic::new(self.name, message), span.clone());
            }
        }
    }
}

/// Keys whose value is `true` or `false`: a bare `no` or `yes` there gets a hint saying so.
const BOOL_KEYS: &[&str] = &["relative_urls"];

impl SiteConfig {
    /// Parses `site.toml` text. `name` is used in error messages (`site.toml:3:1: …`).
    #[cfg(test)]
    pub(crate) fn from_str(text: &str, name: &str) -> Result<SiteConfig> {
        SiteConfig::parse(text, name, None)
    }

    /// Parses `site.toml` text; with the site's root, also checks that the theme folder exists.
    fn parse(text: &str, name: &str, root: Option<&Path>) -> Result<SiteConfig> {
        let mut config: SiteConfig =
            toml::from_str(text).map_err(|e| Diagnostics(vec![toml_diagnostic(text, name, &e)]))?;
        let places: Places = toml::from_str(text).unwrap_or_default();
        let mut checks = Checks { text, name, places, problems: Diagnostics::default() };
        config.source = ConfigSource {
            name: name.to_string(),
            base_url_at: checks.places.base_url.as_ref().map(|v| line_col(text, v.span().start)),
        };
        checks.base_url(&mut config);
        checks.theme(&config, root);
        checks.language(&config, root);
        checks.paginate_by(&config);
        checks.organisations(&config);
        checks.region(&config);
        checks.indicators(&config);
        checks.menu(&config);
        checks.deploy(&config);
        checks.problems.into_result()?;
        Ok(config)
    }

    /// Whether base_url names a host, so that feeds and sitemaps can carry absolute URLs.
    pub(crate) fn has_host(&self) -> bool {
        self.base_url.contains("://")
    }

    /// Loads `site.toml` from a path; a missing file is an error that says what to do.
    pub fn load(path: &Path) -> Result<SiteConfig> {
        let text = std::fs::read_to_string(path).with_context(|| {
            format!(
                "cannot read {} (run `yilu init` to create a site, or pass --root)",
                path.display()
            )
        })?;
        // Named as the user would write it: `site.toml`, not `./site.toml`.
        let shown = path.strip_prefix(".").unwrap_or(path);
        let root = path.parent().unwrap_or(Path::new(""));
        SiteConfig::parse(&text, &shown.display().to_string(), Some(root))
    }
}

/// Checks a base URL: an http(s) address with a host (`https://example.org/archive/`), or a
/// root-relative path (`/`, `/archive/`) for a site whose host is not known yet. Returns it
/// ending in `/`. The error (a diagnostic without a file) says what to write instead.
pub(crate) fn check_base_url(raw: &str) -> Result<String, Diagnostic> {
    let url = raw.trim();
    let problem = |why: String, suggestion: Option<String>| {
        let hint = match suggestion {
            Some(s) => format!("write base_url = \"{s}\""),
            None => "write an address such as base_url = \"https://example.org/\", or \"/\" when the host is not known yet".into(),
        };
        Diagnostic::new("", format!("base_url {raw:?} {why}")).with_hint(hint)
    };
    let with_slash = |s: &str| if s.ends_with('/') { s.to_string() } else { format!("{s}/") };
    if let Some(rest) = url.strip_prefix("//") {
        let host = rest.split('/').next().unwrap_or("");
        return Err(problem(
            "has no scheme (a protocol-relative address)".into(),
            (!host.is_empty()).then(|| format!("https://{}", with_slash(rest))),
        ));
    }
    if url.starts_with('/') {
        if url.contains(['?', '#', '\\']) || url.chars().any(char::is_whitespace) {
            return Err(problem("must be a plain path (no ?, #, \\ or spaces)".into(), None));
        }
        return Ok(with_slash(url));
    }
    // `javascript:…`, `mailto:…`, `http:example.org`: a scheme that is not http(s), or no `//`.
    if let Some((scheme, _)) = url.split_once(':')
        && !scheme.is_empty()
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        && !scheme.contains('.')
        && !url[scheme.len()..].starts_with("://")
    {
        let web = scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https");
        if !web && !scheme.chars().all(|c| c.is_ascii_digit()) {
            return Err(problem(format!("must use http or https, not {scheme:?}"), None));
        }
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        let looks_like_host = !url.is_empty()
            && !url.contains(':')
            && url.split('/').next().is_some_and(|h| h.contains('.'));
        return Err(problem(
            "is not an absolute address: it has no http:// or https://".into(),
            looks_like_host.then(|| format!("https://{}", with_slash(url))),
        ));
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Err(problem(format!("must use http or https, not {scheme:?}"), None));
    }
    let host = rest.split('/').next().unwrap_or("");
    let host_ok = !host.is_empty()
        && host.chars().all(|c| c.is_alphanumeric() || "-.:[]".contains(c))
        && !host.starts_with([':', '.', '-']);
    if !host_ok {
        return Err(problem(format!("has no valid host (found {host:?})"), None));
    }
    if rest.contains(['?', '#', '\\', '"', '<', '>']) || rest.chars().any(char::is_whitespace) {
        return Err(problem("must be a plain address (no ?, #, quotes or spaces)".into(), None));
    }
    if raw != url {
        return Err(problem("has spaces around it".into(), Some(with_slash(url))));
    }
    Ok(with_slash(url))
}

fn in_file(mut d: Diagnostic, name: &str) -> Diagnostic {
    d.path = PathBuf::from(name);
    d
}

/// A theme is a plain folder name under themes/: no path separators, no `..`, no hidden names.
fn check_theme_name(theme: &str) -> Result<(), Diagnostic> {
    let plain = !theme.is_empty()
        && !theme.starts_with('.')
        && theme.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_' || c == '.');
    if plain {
        return Ok(());
    }
    Err(Diagnostic::new("", format!("theme {theme:?} must be the name of a folder under themes/"))
        .with_hint("write the folder's name only, e.g. theme = \"mytheme\" for themes/mytheme/"))
}

/// A TOML syntax or type error as a diagnostic, with hints for the slips people make.
fn toml_diagnostic(text: &str, name: &str, e: &toml::de::Error) -> Diagnostic {
    // A credential typed into site.toml gets told where it belongs, not "unknown field".
    let credential = e.message().strip_prefix("unknown field `").is_some_and(|rest| {
        crate::deploy::looks_like_credential(rest.split('`').next().unwrap_or(""))
    });
    if credential {
        let d = Diagnostic::new(name, crate::deploy::CREDENTIALS_NOT_HERE);
        return match e.span() {
            Some(span) => {
                let (line, col) = line_col(text, span.start);
                d.at(line, col)
            }
            None => d,
        };
    }
    let mut d = Diagnostic::new(name, e.message().trim().to_string());
    if let Some(hint) = did_you_mean(e.message()) {
        d = d.with_hint(hint);
    }
    let Some(span) = e.span() else { return d };
    let (line, col) = line_col(text, span.start);
    d = d.at(line, col);
    let line_text = text.lines().nth(line - 1).unwrap_or("");
    let Some((key, value)) = line_text.split_once('=') else { return d };
    let (key, value) = (key.trim(), value.trim());
    let value = value.split('#').next().unwrap_or("").trim();
    let bare = !value.is_empty()
        && !value.starts_with(['"', '\'', '[', '{'])
        && value.parse::<f64>().is_err()
        && value != "true"
        && value != "false";
    if BOOL_KEYS.contains(&key) && value != "true" && value != "false" {
        d.message = format!("{key}: expected true or false, found `{value}`");
        d.with_hint(format!("write {key} = true or {key} = false"))
    } else if bare {
        d.with_hint(format!("text values need quotes: {key} = \"{value}\""))
    } else {
        d
    }
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
                "site.toml:4:1: deploy[1]: a second target named \"a\"",
            ),
        ];
        for (text, want) in table {
            let err = SiteConfig::from_str(text, "site.toml").unwrap_err().to_string();
            assert_eq!(err, format!("{want}\n1 problem"));
        }
    }

    #[test]
    fn region_must_name_a_unit() {
        let c = SiteConfig::from_str("region = \"福州市\"\n", "site.toml").unwrap();
        assert_eq!(c.region.as_deref(), Some("福州市"));
        let err = SiteConfig::from_str("title = \"x\"\nregion = \"福洲市\"\n", "site.toml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("site.toml:2:1: region \"福洲市\" is not"), "{err}");
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
            "site.toml:1:1: organisations[0] (某某区): slug \"../x\" must be lowercase ASCII letters, digits and hyphens\n1 problem"
        );
        let ind = "[[indicators]]\nkey = \"a/b\"\nlabel = \"甲\"\n";
        let err = SiteConfig::from_str(ind, "site.toml").unwrap_err().to_string();
        assert!(err.contains("indicators[0] (甲): key \"a/b\""), "{err}");
        let ok = "[[indicators]]\nkey = \"grain_output\"\nlabel = \"粮食产量\"\n";
        assert!(SiteConfig::from_str(ok, "site.toml").is_ok());
    }

    #[test]
    fn base_urls() {
        let ok = |raw: &str, want: &str| assert_eq!(check_base_url(raw).unwrap(), want, "{raw}");
        ok("https://example.org", "https://example.org/");
        ok("http://127.0.0.1:8080/archive", "http://127.0.0.1:8080/archive/");
        ok("HTTPS://例子.中国/a/", "HTTPS://例子.中国/a/");
        ok("/", "/");
        ok("/archive", "/archive/");
        for (raw, hint) in [
            ("example.org", Some("https://example.org/")),
            ("example.org/archive", Some("https://example.org/archive/")),
            ("//evil.example/", Some("https://evil.example/")),
            ("javascript:alert(1)//", None),
            ("ftp://example.org/", None),
            ("https://", None),
            ("https:///x", None),
            ("https://user@host/", None),
            ("https://a.org/?q=1", None),
            ("", None),
            (" https://a.org/", Some("https://a.org/")),
        ] {
            let d = check_base_url(raw).unwrap_err();
            let shown = d.hint.clone().unwrap_or_default();
            match hint {
                Some(h) => assert!(shown.contains(h), "{raw:?}: {shown}"),
                None => assert!(shown.contains("https://example.org/"), "{raw:?}: {shown}"),
            }
        }
    }

    #[test]
    fn near_misses_in_serde_messages() {
        for (message, want) in [
            ("unknown field `titel`, expected one of `title`, `description`", Some("`title`")),
            ("unknown variant `zon`, expected one of `district`, `zone`, `other`", Some("`zone`")),
            ("unknown variant `xyz`, expected one of `district`, `zone`", None),
            ("invalid type: string", None),
        ] {
            let got = did_you_mean(message);
            assert_eq!(got.is_some(), want.is_some(), "{message}: {got:?}");
            if let (Some(got), Some(want)) = (got, want) {
                assert!(got.contains(want), "{got}");
            }
        }
    }

    #[test]
    fn theme_names() {
        for ok in ["default", "my-theme", "v2.1", "主题"] {
            assert!(check_theme_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "../../x", "a/b", "a\\b", ".hidden", "..", "/abs"] {
            assert!(check_theme_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn problems_point_at_their_key() {
        let msg = |text: &str| SiteConfig::from_str(text, "site.toml").unwrap_err().to_string();
        let m = msg("title = \"x\"\nbase_url = \"example.org\"\n");
        assert!(m.starts_with("site.toml:2:12: base_url \"example.org\""), "{m}");
        assert!(m.contains("hint: write base_url = \"https://example.org/\""), "{m}");
        let m = msg("theme = \"../../x\"\n");
        assert!(m.starts_with("site.toml:1:9: theme \"../../x\""), "{m}");
        let m = msg("relative_urls = no\n");
        assert!(m.starts_with("site.toml:1:17: relative_urls: expected true or false"), "{m}");
        let m = msg("[[organisations]]\nname = \"甲\"\nslug = \"jia\"\nkind = \"zon\"\n");
        assert!(m.starts_with("site.toml:4:8: unknown variant `zon`"), "{m}");
        assert!(m.contains("district") && m.contains("department"), "{m}");
        // Every problem of the file, not only the first.
        let m = msg("base_url = \"x.org\"\ntheme = \"a/b\"\npaginate_by = 0\n");
        assert!(m.contains(":1:12:") && m.contains(":2:9:") && m.contains(":3:15:"), "{m}");
        assert!(m.ends_with("3 problems"), "{m}");
    }
}
