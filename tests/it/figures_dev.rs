//! The figure extractor on real sentences with hand labels (tests/fixtures/figures-dev.yaml; its
//! header gives the schema and the labelling conventions). Each lead becomes the first paragraph
//! of one speech in a digest skeleton and is ingested through the library, as `yilu ingest`
//! does; metrics and figures are compared with the labels. Prints metric recall, wrong metrics,
//! figure recall and must-not violations (on stderr: `cargo test --test it figures_dev --
//! --nocapture`), and fails below the bar of issue 12.

use std::path::Path;

use indexmap::IndexMap;
use serde::Deserialize;
use yilu::content::{Figure, FigureKind};
use yilu::ingest::{IngestOptions, ingest_text};

#[derive(Debug, Deserialize)]
struct Case {
    id: String,
    lead: String,
    #[serde(default)]
    metrics: IndexMap<String, f64>,
    #[serde(default)]
    optional: IndexMap<String, f64>,
    #[serde(default)]
    figures: Vec<Wanted>,
    #[serde(default)]
    figures_must_not: Vec<Wanted>,
}

#[derive(Debug, Deserialize)]
struct Wanted {
    subject_contains: String,
    value: f64,
    #[serde(default)]
    unit: Option<String>,
}

fn same(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn matches(w: &Wanted, f: &Figure) -> bool {
    f.subject.contains(&w.subject_contains) && same(f.value, w.value)
}

/// The front matter's metrics and figures of a lead ingested as a speech.
fn extract(lead: &str) -> (IndexMap<String, f64>, Vec<Figure>) {
    let text = format!(
        "某区经济工作会议发言摘登\n\n核心提示\n\n10月27日，区委召开经济工作会议。以下是发言摘登。\n\n\
         坚定信心冲刺四季度 确保高质量完成年度目标任务\n\n市委常委、万州区委书记 李春奎\n\n{lead}\n"
    );
    let options = IngestOptions { year: Some(2022), ..IngestOptions::default() };
    let meeting = ingest_text(Path::new("dev.txt"), &text, &options).expect("the skeleton ingests");
    let speech = meeting.speeches.into_iter().next().expect("one speech");
    (speech.front_matter.metrics, speech.front_matter.figures)
}

#[test]
fn figures_dev_set_meets_the_bar() {
    let yaml = std::fs::read_to_string("tests/fixtures/figures-dev.yaml").unwrap();
    let cases: Vec<Case> = serde_yaml::from_str(&yaml).unwrap();
    assert!(cases.len() >= 100, "the dev set has {} cases", cases.len());
    let (mut metrics_want, mut metrics_hit, mut wrong) = (0, 0, Vec::new());
    let (mut figures_want, mut figures_hit, mut must_not) = (0, 0, Vec::new());
    let mut misses = Vec::new();
    for case in &cases {
        let (got, figures) = extract(&case.lead);
        for (key, value) in &case.metrics {
            metrics_want += 1;
            if got.get(key).is_some_and(|v| same(*v, *value)) {
                metrics_hit += 1;
            } else {
                misses.push(format!("{}: metric {key}={value}, got {:?}", case.id, got.get(key)));
            }
        }
        for (key, value) in &got {
            let allowed = case.metrics.get(key).or_else(|| case.optional.get(key));
            if !allowed.is_some_and(|v| same(*v, *value)) {
                wrong.push(format!("{}: {key}={value}", case.id));
            }
        }
        let outcomes: Vec<&Figure> =
            figures.iter().filter(|f| f.kind != FigureKind::Target).collect();
        for w in &case.figures {
            figures_want += 1;
            match outcomes.iter().find(|f| matches(w, f)) {
                Some(f) => {
                    figures_hit += 1;
                    if let Some(unit) = &w.unit {
                        assert_eq!(&f.unit, unit, "{}: unit of {f:?}", case.id);
                    }
                }
                None => {
                    misses.push(format!("{}: figure {} {}", case.id, w.subject_contains, w.value))
                }
            }
        }
        for w in &case.figures_must_not {
            if let Some(f) = outcomes.iter().find(|f| matches(w, f)) {
                must_not.push(format!("{}: {f:?}", case.id));
            }
        }
    }
    let metric_recall = metrics_hit as f64 / metrics_want.max(1) as f64;
    let figure_recall = figures_hit as f64 / figures_want.max(1) as f64;
    eprintln!(
        "figures-dev: {} cases; metric recall {metrics_hit}/{metrics_want} ({:.1}%), wrong metrics {}, \
         figure recall {figures_hit}/{figures_want} ({:.1}%), must-not violations {}",
        cases.len(),
        metric_recall * 100.0,
        wrong.len(),
        figure_recall * 100.0,
        must_not.len()
    );
    for line in misses.iter().chain(&wrong).chain(&must_not) {
        eprintln!("  {line}");
    }
    assert!(metric_recall >= 0.95, "metric recall {metric_recall:.3} < 0.95");
    assert!(wrong.is_empty(), "wrong metrics: {wrong:#?}");
    assert!(figure_recall >= 0.90, "figure recall {figure_recall:.3} < 0.90");
    assert!(must_not.is_empty(), "must-not violations: {must_not:#?}");
}
