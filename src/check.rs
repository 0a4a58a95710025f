//! `yilu check`: content problems a build tolerates but a reader would notice (unknown
//! organisations and indicators, speeches without a speaker, one name split into two people),
//! and the built output's integrity (every internal link and anchor resolves, every sitemap
//! entry exists). Problems are collected, never stopped at the first.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use crate::diagnostic::Diagnostic;
use crate::site::{Site, base_path};

/// Content problems of a loaded site.
pub fn content(site: &Site) -> Vec<Diagnostic> {
    // Ambiguous, misspelled and clashing organisations, found while loading.
    let mut out = site.warnings.clone();
    let warned: BTreeSet<&Path> = site
        .warnings
        .iter()
        .filter(|w| w.message.starts_with("org: unknown organisation"))
        .map(|w| w.path.as_path())
        .collect();
    for m in &site.archive.meetings {
        if m.speeches.is_empty() {
            out.push(Diagnostic::new(&m.path, "meeting has no speeches"));
        }
        for s in &m.speeches {
            let d = |msg: String| Diagnostic::new(&s.path, msg);
            if s.speaker_name().is_none() {
                out.push(d(
                    "speaker: missing; the speech will not appear on any speaker page".into()
                ));
            }
            match &s.org {
                None => out.push(d("org: missing; the speech will not appear on any organisation page".into())),
                Some(o) if !o.known && !warned.contains(s.path.as_path()) => out.push(d(format!(
                    "org: unknown organisation {:?} (slug {:?} from pinyin); add it to site.toml [[organisations]] with a checked slug",
                    o.name, o.slug
                ))),
                Some(_) => {}
            }
            for key in s.front.metrics.keys() {
                if site.indicators.get(key).is_none() {
                    out.push(d(format!(
                        "metrics.{key}: unknown indicator; add it to site.toml [[indicators]] or use a known key"
                    )));
                }
            }
        }
    }
    for person in &site.model.people {
        if person.split {
            let (i, j) = site_speech_of(site, &person.path);
            let path = site.archive.meetings[i].speeches[j].path.clone();
            out.push(Diagnostic::new(
                path,
                format!(
                    "speaker {:?} speaks for two organisations at one meeting, so the name was split into separate people ({}); add `speaker_id:` to say who is who",
                    person.name, person.path
                ),
            ));
        }
    }
    out
}

fn site_speech_of(site: &Site, person_path: &str) -> (usize, usize) {
    for (i, list) in site.model.speeches.iter().enumerate() {
        for (j, s) in list.iter().enumerate() {
            if s.summary.speaker_path.as_deref() == Some(person_path) {
                return (i, j);
            }
        }
    }
    (0, 0)
}

/// Checks a built output folder as a static host would serve it under `base_url`: every
/// `href`/`src` to a page of the site resolves (a folder needs its index.html), every
/// `#fragment` names an id on its page, every sitemap `<loc>` exists.
pub fn output(out: &Path, base_url: &str) -> Result<Vec<Diagnostic>> {
    let base = base_path(base_url);
    let origin = origin(base_url);
    let mut files: BTreeSet<String> = BTreeSet::new();
    for entry in walkdir::WalkDir::new(out) {
        let entry = entry.with_context(|| format!("cannot list {}", out.display()))?;
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(out).expect("under out").to_string_lossy();
            files.insert(rel.replace('\\', "/"));
        }
    }
    let link_sel = scraper::Selector::parse("[href], [src]").expect("valid selector");
    let id_sel = scraper::Selector::parse("[id], [name]").expect("valid selector");
    let mut ids: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut links: Vec<(String, String)> = Vec::new();
    for rel in files.iter().filter(|f| f.ends_with(".html")) {
        let text =
            std::fs::read_to_string(out.join(rel)).with_context(|| format!("cannot read {rel}"))?;
        let doc = scraper::Html::parse_document(&text);
        ids.insert(
            rel.clone(),
            doc.select(&id_sel)
                .filter_map(|e| e.value().attr("id").or(e.value().attr("name")))
                .map(str::to_string)
                .collect(),
        );
        for el in doc.select(&link_sel) {
            for attr in ["href", "src"] {
                if let Some(link) = el.value().attr(attr) {
                    links.push((rel.clone(), link.to_string()));
                }
            }
        }
    }
    let mut problems = Vec::new();
    for (page, link) in &links {
        let Some((target, fragment)) = resolve(page, link, &base, &origin) else { continue };
        let file = match target {
            Ok(file) => file,
            Err(why) => {
                problems.push(Diagnostic::new(out.join(page), format!("link {link:?}: {why}")));
                continue;
            }
        };
        if !files.contains(&file) {
            problems
                .push(Diagnostic::new(out.join(page), format!("broken link {link:?}: no {file}")));
        } else if let Some(f) = fragment.filter(|f| !f.is_empty() && file.ends_with(".html"))
            && !ids.get(&file).is_some_and(|set| set.contains(&f))
        {
            problems.push(Diagnostic::new(
                out.join(page),
                format!("broken anchor {link:?}: no id {f:?} on {file}"),
            ));
        }
    }
    if files.contains("sitemap.xml") {
        let xml =
            std::fs::read_to_string(out.join("sitemap.xml")).context("cannot read sitemap.xml")?;
        for loc in xml.split("<loc>").skip(1).filter_map(|s| s.split("</loc>").next()) {
            let loc = loc.replace("&amp;", "&");
            match resolve("sitemap.xml", &loc, &base, &origin) {
                Some((Ok(file), _)) if files.contains(&file) => {}
                _ => problems.push(Diagnostic::new(
                    out.join("sitemap.xml"),
                    format!("sitemap entry {loc} has no page"),
                )),
            }
        }
    }
    Ok(problems)
}

/// `https://host:port` of a base URL, or "" for a path-only one.
fn origin(base_url: &str) -> String {
    match base_url.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{}", rest.split('/').next().unwrap_or("")),
        None => String::new(),
    }
}

/// The output file a link on `page` points to, and its fragment; None for links that leave the
/// site (other hosts, mailto:, data:). Err when it points at the site but outside its base path.
#[allow(clippy::type_complexity)]
fn resolve(
    page: &str,
    link: &str,
    base: &str,
    origin: &str,
) -> Option<(Result<String, String>, Option<String>)> {
    let link = link.trim();
    let (without_fragment, fragment) = match link.split_once('#') {
        Some((l, f)) => (l, Some(f.to_string())),
        None => (link, None),
    };
    let without_query = without_fragment.split('?').next().unwrap_or("");
    let lower = without_query.to_ascii_lowercase();
    let path = if let Some(rest) =
        (!origin.is_empty()).then(|| without_query.strip_prefix(origin)).flatten()
    {
        if rest.is_empty() { "/".to_string() } else { rest.to_string() }
    } else if lower.contains(':') || without_query.starts_with("//") {
        return None;
    } else if without_query.is_empty() {
        return Some((Ok(page.to_string()), fragment));
    } else if without_query.starts_with('/') {
        without_query.to_string()
    } else {
        let dir = page.rfind('/').map(|i| &page[..=i]).unwrap_or("");
        format!("{base}{dir}{without_query}")
    };
    let path = normalise(&percent_decode(&path));
    let Some(rel) = path.strip_prefix(base) else {
        return Some((Err(format!("outside the site's base path {base}")), fragment));
    };
    let file = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    };
    Some((Ok(file), fragment))
}

fn normalise(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let trailing = path.ends_with('/');
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let mut out = format!("/{}", parts.join("/"));
    if trailing && out != "/" {
        out.push('/');
    }
    out
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// The outcome of `yilu check`.
#[derive(Debug, Default)]
pub struct Report {
    pub problems: Vec<Diagnostic>,
    pub pages: usize,
}

/// Loads the site, checks its content, builds it into a temporary folder beside the output
/// (never touching the real output) and checks that.
pub fn run(options: &crate::site::BuildOptions) -> Result<Report> {
    let site = Site::load(options)?;
    let mut problems = content(&site);
    let parent: PathBuf =
        site.output.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&parent)
        .with_context(|| format!("cannot create {}", parent.display()))?;
    let tmp = tempfile::Builder::new()
        .prefix(".yilu-check-")
        .tempdir_in(&parent)
        .with_context(|| format!("cannot create a temporary folder in {}", parent.display()))?;
    let out = tmp.path();
    site.write_all(&|rel, bytes| {
        let path = out.join(crate::site::output::checked_relative(rel)?);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p)?;
        }
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))
    })?;
    let mut link_problems = output(out, &site.config.base_url)?;
    for d in &mut link_problems {
        if let Ok(rel) = d.path.strip_prefix(out) {
            d.path = Path::new("<output>").join(rel);
        }
    }
    problems.extend(link_problems);
    problems.sort();
    problems.dedup();
    Ok(Report { problems, pages: site.plan.len() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_links_like_a_static_host() {
        let r = |page, link| resolve(page, link, "/archive/", "http://h:1");
        assert_eq!(r("a/b/index.html", "../c/"), Some((Ok("a/c/index.html".into()), None)));
        assert_eq!(
            r("index.html", "/archive/x/#s1"),
            Some((Ok("x/index.html".into()), Some("s1".into())))
        );
        assert_eq!(
            r("index.html", "http://h:1/archive/atom.xml"),
            Some((Ok("atom.xml".into()), None))
        );
        assert_eq!(r("index.html", "https://other.org/"), None);
        assert_eq!(r("index.html", "mailto:a@b"), None);
        assert!(matches!(r("index.html", "/elsewhere/"), Some((Err(_), _))));
        assert_eq!(
            r("a/index.html", "#top"),
            Some((Ok("a/index.html".into()), Some("top".into())))
        );
        assert_eq!(
            r("index.html", "/archive/%E4%B8%87/"),
            Some((Ok("万/index.html".into()), None))
        );
    }
}
