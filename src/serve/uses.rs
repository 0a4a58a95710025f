//! Which global template values (`site.meeting_count`, …) a page's templates may show, read
//! from the theme's template sources: a change to a value no template of a page mentions does
//! not make that page render again. The reading is conservative: a template mentions a value
//! when its text, or the text of any template it names (extends, include, import), reads the
//! field (`site.meeting_count`) or the global other than field by field (`site | json_encode`,
//! `site[key]`, `set s = site`).

use std::collections::{BTreeSet, HashMap};

use anyhow::Result;
use tera::Context;

use crate::render::templates;
use crate::site::Site;

/// The global values `site::pages::insert_globals` sets. A difference anywhere else counts as
/// a change every page may show.
const GLOBALS: &[&str] = &["site", "nav", "menu", "og_locale", "indicators"];

/// A global value that changed: the global, and the field of it when it is an object.
pub(crate) type Changed = (&'static str, Option<String>);

/// The theme's templates, each with the templates it names, transitively.
pub(crate) struct TemplateUses {
    /// Template name → the texts of it and every template it reaches.
    reach: HashMap<String, Vec<usize>>,
    texts: Vec<String>,
}

impl TemplateUses {
    /// Reads the site's templates (the embedded theme, then the theme folder's over it).
    pub(crate) fn load(site: &Site) -> Result<TemplateUses> {
        let sources = templates::sources(Some(&site.theme_dir))?;
        let names: Vec<String> = sources.iter().map(|s| s.name.clone()).collect();
        let texts: Vec<String> = sources.into_iter().map(|s| s.text).collect();
        let named = |text: &str| -> Vec<usize> {
            (0..names.len())
                .filter(|&k| {
                    let n = &names[k];
                    text.contains(&format!("\"{n}\"")) || text.contains(&format!("'{n}'"))
                })
                .collect()
        };
        let direct: Vec<Vec<usize>> = texts.iter().map(|t| named(t)).collect();
        let mut reach = HashMap::new();
        for (k, name) in names.iter().enumerate() {
            let mut seen = BTreeSet::from([k]);
            let mut todo = vec![k];
            while let Some(t) = todo.pop() {
                for &n in &direct[t] {
                    if seen.insert(n) {
                        todo.push(n);
                    }
                }
            }
            reach.insert(name.clone(), seen.into_iter().collect());
        }
        Ok(TemplateUses { reach, texts })
    }

    /// True when a page rendered with `template` may show one of `changed`. Unknown templates
    /// may show anything.
    pub(crate) fn shows(&self, template: &str, changed: &[Changed]) -> bool {
        let Some(reach) = self.reach.get(template) else { return true };
        reach.iter().any(|&k| changed.iter().any(|c| mentions(&self.texts[k], c)))
    }
}

/// The globals that differ between two global contexts; None when something other than the
/// known globals differs (every page may show it).
pub(crate) fn changed(before: &Context, now: &Context) -> Option<Vec<Changed>> {
    let mut changed = Vec::new();
    if before == now {
        return Some(changed);
    }
    for &global in GLOBALS {
        let (a, b) = (before.get(global), now.get(global));
        if a == b {
            continue;
        }
        let (a, b) = (serde_json::to_value(a).ok()?, serde_json::to_value(b).ok()?);
        match (a.as_object(), b.as_object()) {
            (Some(a), Some(b)) => {
                let fields: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
                for field in fields {
                    if a.get(field) != b.get(field) {
                        changed.push((global, Some(field.clone())));
                    }
                }
            }
            _ => changed.push((global, None)),
        }
    }
    let (mut rest_before, mut rest_now) = (before.clone(), now.clone());
    for global in GLOBALS {
        rest_before.remove(global);
        rest_now.remove(global);
    }
    (rest_before == rest_now).then_some(changed)
}

/// True when `text` may show `changed`: it reads the field (`site.meeting_count`), or the
/// global other than field by field (whole, by a computed key, or under another name).
fn mentions(text: &str, changed: &Changed) -> bool {
    code(text).any(|code| code_mentions(code, changed))
}

/// The Tera code of a template: the insides of its `{{ … }}` and `{% … %}` tags (the markup
/// around them, `class="site-header"`, reads nothing).
fn code(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        loop {
            let open = rest.find('{')?;
            let close = match rest[open + 1..].chars().next()? {
                '{' => "}}",
                '%' => "%}",
                _ => {
                    rest = &rest[open + 1..];
                    continue;
                }
            };
            let inside = &rest[open + 2..];
            let end = inside.find(close).unwrap_or(inside.len());
            rest = &inside[end..];
            return Some(&inside[..end]);
        }
    })
}

fn code_mentions(text: &str, (global, field): &Changed) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(global).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let rest = text[at + global.len()..].trim_start();
        let after = rest.chars().next();
        if before.is_some_and(ident) || after.is_some_and(ident) {
            return false; // part of another name
        }
        let Some(field) = field else { return true };
        let Some(rest) = rest.strip_prefix('.') else { return true };
        let rest = rest.trim_start();
        rest.strip_prefix(field.as_str()).is_some_and(|r| !r.chars().next().is_some_and(ident))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_fields_and_whole_globals() {
        let count = ("site", Some("meeting_count".to_string()));
        for (text, want) in [
            ("{{ site.title }}", false),
            ("{{ site.meeting_count }} 次会议", true),
            ("{{ site | json_encode }}", true),
            ("{{ site[key] }}", true),
            ("{% for k, v in site %}{% endfor %}", true),
            ("{{ website.meeting }}", false),
            ("{{ m.meeting_count }}", false),
            ("{{ site.meeting_counter }}", false),
            ("{{ site . meeting_count }}", true),
            ("{{ mysite }}", false),
            ("<header class=\"site-header\">{{ site.title }}", false),
            ("{% if x %}{{ site }}{% endif %}", true),
        ] {
            assert_eq!(mentions(text, &count), want, "{text}");
        }
        assert!(mentions("{% for i in indicators %}", &("indicators", None)));
        assert!(!mentions("{{ indicators_seen }}", &("indicators", None)));
    }

    #[test]
    fn changed_globals_name_the_fields() {
        let site = |n: usize| serde_json::json!({"title": "t", "meeting_count": n});
        let (mut a, mut b) = (Context::new(), Context::new());
        a.insert("site", &site(1));
        b.insert("site", &site(1));
        assert_eq!(changed(&a, &b), Some(vec![]));
        b.insert("site", &site(2));
        assert_eq!(changed(&a, &b), Some(vec![("site", Some("meeting_count".to_string()))]));
        b.insert("something_else", &1);
        assert_eq!(changed(&a, &b), None, "an unknown global: every page");
    }
}
