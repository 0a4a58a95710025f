//! Site paths to links: the base path of the published address, the absolute URL of a page,
//! and the link scheme the `url` filter follows. A leaf of `site`.

use crate::config::SiteConfig;
use crate::render::templates::UrlScheme;

/// The absolute URL of a site path.
pub(crate) fn permalink(config: &SiteConfig, path: &str) -> String {
    format!("{}{}", config.base_url, path.trim_start_matches('/'))
}

/// `https://host/archive/` → `/archive/`.
pub(crate) fn base_path(base_url: &str) -> String {
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

/// How the site writes links, as the `url` filter does.
pub(super) fn url_scheme(config: &SiteConfig) -> UrlScheme {
    UrlScheme { base_path: base_path(&config.base_url), relative: config.relative_urls }
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
