//! `yilu check`: content problems a build tolerates but a reader would notice (unknown
//! organisations and indicators, speeches without a speaker, one name split into two people:
//! warnings), and the built output's integrity (every internal link and anchor resolves, every
//! sitemap entry exists: errors). Problems are collected, never stopped at the first, and each is
//! placed in the file a user edits to fix it: the Markdown file whose body holds a broken link
//! (at its line), or the template that wrote it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use crate::diagnostic::Diagnostic;
use crate::diagnostic::line_col;
use crate::render::templates::{self, TemplateSource};
use crate::site::{Page, PageKind, Site, base_path};

/// Content problems of a loaded site, all warnings: the build goes past them.
pub(crate) fn content(site: &Site) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let keys: Vec<&str> = site.indicators.iter().map(|i| i.key.as_str()).collect();
    // Organisations already warned of while loading (ambiguous, misspelled): not again here.
    let warned: BTreeSet<&Path> = site
        .warnings
        .iter()
        .filter(|w| w.key.as_deref() == Some("org"))
        .map(|w| w.path.as_path())
        .collect();
    for m in &site.archive.meetings {
        if m.speeches.is_empty() {
            out.push(Diagnostic::warning(&m.path, "meeting has no speeches"));
        }
        for s in &m.speeches {
            let d = |msg: String| Diagnostic::warning(&s.path, msg);
            if s.speaker_name().is_none() {
                out.push(
                    d("missing; the speech will not appear on any speaker page".into())
                        .about("speaker"),
                );
            }
            match &s.org {
                None => out.push(d("missing; the speech will not appear on any organisation page".into()).about("org")),
                Some(o) if !o.known && !warned.contains(s.path.as_path()) => out.push(d(format!(
                    "unknown organisation {:?} (slug {:?} from pinyin); add it to site.toml [[organisations]] with a checked slug",
                    o.name, o.slug
                )).about("org")),
                Some(_) => {}
            }
            for key in s.front.metrics.keys() {
                // A near miss of a known key already has its did-you-mean warning from load.
                if site.indicators.get(key).is_none()
                    && crate::diagnostic::near_miss(key, &keys).is_none()
                {
                    out.push(d(
                        "unknown indicator; add it to site.toml [[indicators]] or use a known key".into()
                    ).about(format!("metrics.{key}")));
                }
            }
        }
    }
    for person in &site.model.people {
        if person.split {
            let (i, j) = site_speech_of(site, &person.path);
            let path = site.archive.meetings[i].speeches[j].path.clone();
            out.push(Diagnostic::warning(
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
    for (i, meeting) in site.model.meetings.iter().enumerate() {
        for (j, s) in meeting.speeches.iter().enumerate() {
            if s.speaker_path.as_deref() == Some(person_path) {
                return (i, j);
            }
        }
    }
    (0, 0)
}

/// Checks a built output folder as a static host would serve it under `base_url`: every
/// `href`/`src` to a page of the site resolves (a folder needs its index.html), every
/// `#fragment` names an id on its page, every sitemap `<loc>` exists, no page has one id twice.
/// Problems are placed at the output file.
pub fn output(out: &Path, base_url: &str) -> Result<Vec<Diagnostic>> {
    Ok(scan_output(out, base_url)?
        .into_iter()
        .map(|f| Diagnostic { path: out.join(&f.page), ..f.problem })
        .collect())
}

/// A problem found in the output: the output file it is on (relative), the link it is about
/// (if any) and the problem itself (its path is left empty for the caller to place).
struct Finding {
    page: String,
    link: Option<String>,
    problem: Diagnostic,
}

fn finding(page: &str, link: Option<&str>, problem: Diagnostic) -> Finding {
    Finding { page: page.to_string(), link: link.map(str::to_string), problem }
}

fn scan_output(out: &Path, base_url: &str) -> Result<Vec<Finding>> {
    let (base, origin) = (base_path(base_url), origin(base_url));
    let files = list_files(out)?;
    let mut problems = Vec::new();
    let pages = scan_pages(out, &files, &mut problems);
    check_links(&pages, &files, &base, &origin, &mut problems);
    if files.contains("sitemap.xml") {
        check_sitemap(out, &files, &base, &origin, &mut problems)?;
    }
    Ok(problems)
}

/// Every file under `out`, as `/`-separated paths relative to it.
fn list_files(out: &Path) -> Result<BTreeSet<String>> {
    let mut files = BTreeSet::new();
    for entry in walkdir::WalkDir::new(out) {
        let entry = entry.with_context(|| format!("cannot list {}", out.display()))?;
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(out).expect("under out").to_string_lossy();
            files.insert(rel.replace('\\', "/"));
        }
    }
    Ok(files)
}

/// What the HTML pages hold: the ids (and anchor names) of each page, and every link with the
/// page it is on.
#[derive(Default)]
struct Pages {
    ids: BTreeMap<String, BTreeSet<String>>,
    links: Vec<(String, String)>,
}

/// Reads every HTML page. A page that cannot be read or is not UTF-8 (a static file, say) is
/// reported and passed over; an id used twice on a page is a warning.
fn scan_pages(out: &Path, files: &BTreeSet<String>, problems: &mut Vec<Finding>) -> Pages {
    let mut pages = Pages::default();
    for rel in files.iter().filter(|f| f.ends_with(".html")) {
        let text = match std::fs::read(out.join(rel)).map(String::from_utf8) {
            Ok(Ok(text)) => text,
            Ok(Err(_)) => {
                let d = Diagnostic::warning("", "not valid UTF-8; its links were not checked");
                problems.push(finding(rel, None, d));
                continue;
            }
            Err(e) => {
                let d = Diagnostic::warning(
                    "",
                    format!("cannot read it ({e}); its links were not checked"),
                );
                problems.push(finding(rel, None, d));
                continue;
            }
        };
        let scan = html::scan(&text);
        let mut seen = BTreeSet::new();
        for id in &scan.ids {
            if !seen.insert(id.as_str()) {
                let d = Diagnostic::warning(
                    "",
                    format!(
                        "id {id:?} is used twice on this page; links to #{id} reach only the first"
                    ),
                );
                problems.push(finding(rel, None, d));
            }
        }
        pages.ids.insert(rel.clone(), scan.ids.into_iter().chain(scan.names).collect());
        pages.links.extend(scan.links.into_iter().map(|l| (rel.clone(), l)));
    }
    pages
}

/// Every internal link must reach a file, and a `#fragment` on a page an id there.
fn check_links(
    pages: &Pages,
    files: &BTreeSet<String>,
    base: &str,
    origin: &str,
    problems: &mut Vec<Finding>,
) {
    for (page, link) in &pages.links {
        let Some((target, fragment)) = resolve(page, link, base, origin) else { continue };
        let file = match target {
            Ok(file) => file,
            Err(why) => {
                let d = Diagnostic::new("", format!("link {link:?}: {why}"));
                problems.push(finding(page, Some(link), d));
                continue;
            }
        };
        if !files.contains(&file) {
            let d = Diagnostic::new("", format!("broken link {link:?}: no {file}"));
            problems.push(finding(page, Some(link), d));
        } else if let Some(f) = fragment.filter(|f| !f.is_empty() && file.ends_with(".html")) {
            let id = percent_decode(&f);
            if !pages.ids.get(&file).is_some_and(|set| set.contains(&id)) {
                let d =
                    Diagnostic::new("", format!("broken anchor {link:?}: no id {id:?} on {file}"));
                problems.push(finding(page, Some(link), d));
            }
        }
    }
}

/// Every `<loc>` of sitemap.xml must be a page of the output.
fn check_sitemap(
    out: &Path,
    files: &BTreeSet<String>,
    base: &str,
    origin: &str,
    problems: &mut Vec<Finding>,
) -> Result<()> {
    let xml =
        std::fs::read_to_string(out.join("sitemap.xml")).context("cannot read sitemap.xml")?;
    for loc in xml.split("<loc>").skip(1).filter_map(|s| s.split("</loc>").next()) {
        let loc = loc.replace("&amp;", "&");
        match resolve("sitemap.xml", &loc, base, origin) {
            Some((Ok(file), _)) if files.contains(&file) => {}
            _ => problems.push(finding(
                "sitemap.xml",
                None,
                Diagnostic::new("", format!("sitemap entry {loc} has no page")),
            )),
        }
    }
    Ok(())
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
pub(crate) struct Report {
    /// Every problem, sorted by file and place; errors and warnings.
    pub(crate) problems: Vec<Diagnostic>,
    pub(crate) pages: usize,
}

impl Report {
    pub(crate) fn errors(&self) -> usize {
        self.problems.iter().filter(|d| d.is_error()).count()
    }
}

/// Loads the site (its warnings are the check's too), checks its content, builds it into a
/// temporary folder beside the output (never touching the real output) and checks that.
pub(crate) fn run(options: &crate::site::BuildOptions) -> Result<Report> {
    let site = Site::load(options)?;
    let mut problems = site.warnings.clone();
    problems.extend(content(&site));
    let parent: PathBuf =
        site.output.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&parent)
        .with_context(|| format!("cannot create {}", parent.display()))?;
    let tmp = tempfile::Builder::new()
        .prefix(".yilu-check-")
        .tempdir_in(&parent)
        .with_context(|| format!("cannot create a temporary folder in {}", parent.display()))?;
    let out = tmp.path();
    let mut skipped = Vec::new();
    let write = |rel: &str, bytes: &[u8]| crate::site::output::write_under(out, rel, bytes);
    site.write_all_past_unreadable(&write, &mut skipped)?;
    problems.extend(skipped);
    let sources = templates::sources(Some(&site.theme_dir))?;
    let pages: BTreeMap<String, &Page> = site.plan.iter().map(|p| (p.file(), p)).collect();
    for f in scan_output(out, &site.config.base_url)? {
        problems.push(place(&site, &pages, &sources, f));
    }
    problems.sort();
    problems.dedup();
    Ok(Report { problems, pages: site.plan.len() })
}

/// Puts a problem found in the output where the user can fix it: the Markdown file whose body
/// holds the link (at its line), else the template that wrote it (at the line where the link is
/// written out, when it is), else the static file it was copied from.
fn place(
    site: &Site,
    pages: &BTreeMap<String, &Page>,
    sources: &[TemplateSource],
    f: Finding,
) -> Diagnostic {
    let Some(page) = pages.get(&f.page) else {
        // Not a rendered page: a static file, or a file yilu writes itself (sitemap.xml).
        let from = [site.root.join("static"), site.theme_dir.join("static")]
            .into_iter()
            .map(|dir| dir.join(&f.page))
            .find(|p| p.is_file());
        let path = match from {
            Some(p) => p.strip_prefix(&site.root).map(Path::to_path_buf).unwrap_or(p),
            None => Path::new("<output>").join(&f.page),
        };
        return Diagnostic { path, ..f.problem };
    };
    let mut d = f.problem;
    d.message = format!("{} (on /{})", d.message, page.path);
    let Some(link) = f.link else {
        return Diagnostic { path: template_file(site, page.template), ..d };
    };
    let markdown: Vec<&Path> = match page.kind {
        PageKind::Speech(i, j) => vec![&site.archive.meetings[i].speeches[j].path],
        PageKind::Meeting(i) => {
            let m = &site.archive.meetings[i];
            std::iter::once(&m.path)
                .chain(m.speeches.iter().map(|s| &s.path))
                .map(PathBuf::as_path)
                .collect()
        }
        _ => Vec::new(),
    };
    for path in markdown {
        let Ok(text) = std::fs::read_to_string(site.root.join(path)) else { continue };
        if let Some((line, col)) = find_link(&text, &link) {
            return Diagnostic { path: path.to_path_buf(), ..d }.at(line, col);
        }
    }
    // Written by a template: the page's own first, then the ones it builds on.
    let order = sources
        .iter()
        .filter(|s| s.name == page.template)
        .chain(sources.iter().filter(|s| s.name != page.template));
    for source in order {
        if let Some((line, col)) = find_link(&source.text, &link) {
            return Diagnostic { path: source.shown.clone().into(), ..d }.at(line, col);
        }
    }
    Diagnostic { path: template_file(site, page.template), ..d }
}

/// The line and column where `link` is written in `text`, as a link target: `(link)`,
/// `<link>`, `"link"` or `'link'`, or `]: link` (a Markdown reference).
fn find_link(text: &str, link: &str) -> Option<(usize, usize)> {
    if link.is_empty() {
        return None;
    }
    let mut from = 0;
    while let Some(i) = text[from..].find(link).map(|i| i + from) {
        let before = text[..i].chars().next_back();
        let after = text[i + link.len()..].chars().next();
        let quoted = matches!(
            (before, after),
            (Some('('), Some(')' | ' '))
                | (Some('<'), Some('>'))
                | (Some('"'), Some('"'))
                | (Some('\''), Some('\''))
        ) || text[..i].ends_with("]: ");
        if quoted {
            return Some(line_col(text, i));
        }
        from = i + link.len();
    }
    None
}

/// The file a page's template is read from, as shown to the user.
fn template_file(site: &Site, template: &str) -> PathBuf {
    let file = site.theme_dir.join("templates").join(template);
    if file.is_file() {
        file.strip_prefix(&site.root).map(Path::to_path_buf).unwrap_or(file)
    } else {
        PathBuf::from(format!("<embedded theme>/templates/{template}"))
    }
}

/// Links and ids of an HTML page, read with html5ever's tokenizer alone: linear in the page's
/// size however deep its nesting (a tree builder walks its stack of open elements at every tag,
/// which is quadratic in depth: minutes on a 200,000-deep page). Script, style and other raw
/// text is skipped as a browser would, so a `<a href>` inside a script string is not a link.
mod html {
    use std::cell::RefCell;

    use html5ever::tendril::StrTendril;
    use html5ever::tokenizer::states::RawKind;
    use html5ever::tokenizer::{
        BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
    };

    /// What a page links to and what it can be linked to by.
    #[derive(Debug, Default, PartialEq)]
    pub(crate) struct Scan {
        /// Every `href` and `src`, in page order.
        pub(crate) links: Vec<String>,
        /// Every `id`, in page order (duplicates kept, to be reported).
        pub(crate) ids: Vec<String>,
        /// `<a name>` anchors.
        pub(crate) names: Vec<String>,
    }

    struct Sink(RefCell<Scan>);

    impl TokenSink for Sink {
        type Handle = ();

        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            let Token::TagToken(tag) = token else { return TokenSinkResult::Continue };
            if tag.kind != TagKind::StartTag {
                return TokenSinkResult::Continue;
            }
            let mut scan = self.0.borrow_mut();
            for attr in &tag.attrs {
                let value = attr.value.to_string();
                match &*attr.name.local {
                    "href" | "src" => scan.links.push(value),
                    "id" => scan.ids.push(value),
                    "name" if &*tag.name == "a" => scan.names.push(value),
                    _ => {}
                }
            }
            match &*tag.name {
                "script" => TokenSinkResult::RawData(RawKind::ScriptData),
                "style" | "xmp" | "iframe" | "noembed" | "noframes" => {
                    TokenSinkResult::RawData(RawKind::Rawtext)
                }
                "title" | "textarea" => TokenSinkResult::RawData(RawKind::Rcdata),
                "plaintext" => TokenSinkResult::Plaintext,
                _ => TokenSinkResult::Continue,
            }
        }
    }

    pub(crate) fn scan(text: &str) -> Scan {
        let tokenizer = Tokenizer::new(Sink(RefCell::default()), TokenizerOpts::default());
        let queue = BufferQueue::default();
        queue.push_back(StrTendril::from(text));
        let _ = tokenizer.feed(&queue);
        tokenizer.end();
        tokenizer.sink.0.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_found_where_they_are_written() {
        let md = "引言。\n\n见[上篇](../a/)与<../b/>。\n\n[ref]: ../c/\n文中 ../a/ 不是链接\n";
        assert_eq!(find_link(md, "../a/"), Some((3, 7)));
        assert_eq!(find_link(md, "../b/"), Some((3, 15)));
        assert_eq!(find_link(md, "../c/"), Some((5, 8)));
        assert_eq!(find_link(md, "../d/"), None);
        let tpl = "<a href=\"/about/\">x</a>\n<img src='/i.png'>";
        assert_eq!(find_link(tpl, "/about/"), Some((1, 10)));
        assert_eq!(find_link(tpl, "/i.png"), Some((2, 11)));
        assert_eq!(find_link(tpl, ""), None);
    }

    #[test]
    fn pages_are_scanned_for_links_and_ids() {
        let page = r#"<!doctype html><title><a href="no"></title>
            <a href="/a/?x=1&amp;y=2#%E7%AC%AC">x</a><img src="i.png">
            <h2 id="第一节">t</h2><p id="第一节"></p><a name="old"></a><input name="q">
            <script>var s = "<a href='not-a-link'>";</script><style>a[href="x"]{}</style>"#;
        let scan = html::scan(page);
        assert_eq!(scan.links, ["/a/?x=1&y=2#%E7%AC%AC", "i.png"]);
        assert_eq!(scan.ids, ["第一节", "第一节"]);
        assert_eq!(scan.names, ["old"]);
    }

    #[test]
    fn deep_nesting_scans_in_linear_time() {
        let depth = 200_000;
        let page =
            format!("{}<a href=\"x\" id=\"y\">{}", "<div>".repeat(depth), "</div>".repeat(depth));
        let started = std::time::Instant::now();
        let scan = html::scan(&page);
        assert_eq!((scan.links.len(), scan.ids.len()), (1, 1));
        assert!(started.elapsed().as_secs() < 10, "took {:?}", started.elapsed());
    }

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
