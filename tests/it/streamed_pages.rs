//! The pages a build renders one at a time and streams to their files (the indicator pages):
//! what they hold, and how a template mistake in one fails the build like any other page's.

use std::fs;

use crate::support::{build, copy_site, read, tree};

#[test]
fn indicator_pages_are_written_whole() {
    let (tmp, root) = copy_site("basic");
    let out = tmp.path().join("public");
    build(&root, &out).unwrap();
    let html = read(&out, "metrics/gdp/index.html");
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..html.len().min(200)]);
    assert!(html.trim_end().ends_with("</html>"), "the page is cut short");
    // Every meeting that reported GDP has its ranking on the page.
    assert!(html.contains("id=\"m-2024-10-21-"), "older meeting's ranking missing");
    assert!(html.contains("id=\"m-2025-01-20-"), "newer meeting's ranking missing");
}

#[test]
fn a_streamed_page_that_fails_fails_the_build_and_leaves_the_output() {
    let (tmp, root) = copy_site("basic");
    let out = tmp.path().join("public");
    build(&root, &out).unwrap();
    let before = tree(&out);
    let templates = root.join("themes/default/templates");
    fs::create_dir_all(&templates).unwrap();
    // Mistakes found only when a page renders: one in a streamed page, one in another page.
    let broken = |field: &str| {
        format!(
            "{{% extends \"base.html\" %}}\n{{% block content %}}\n{{{{ {field}.x }}}}\n{{% endblock content %}}"
        )
    };
    fs::write(templates.join("metric.html"), broken("metric.no_such_field")).unwrap();
    fs::write(templates.join("district.html"), broken("org.no_such_field")).unwrap();
    let err = format!("{:#}", build(&root, &out).unwrap_err());
    assert!(err.contains("themes/default/templates/metric.html:3:"), "{err}");
    assert!(err.contains("(rendering /metrics/"), "{err}");
    assert!(err.contains("themes/default/templates/district.html:3:"), "{err}");
    assert!(err.contains("2 problems"), "{err}");
    assert_eq!(tree(&out), before, "output changed by a failed build");
    let left: Vec<_> = fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 2, "staging folder left behind: {left:?}");
}
