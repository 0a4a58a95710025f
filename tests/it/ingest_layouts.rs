//! `yilu ingest` through the binary on the digest layouts other papers print: the real fixture
//! rewritten into each layout (every speech of it, by the generator below) must reproduce the
//! fixture's hand-read ground truth. Also the command line's contract for dates, --force,
//! --root, folders, hostile text and write failures.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use yilu::ingest::transcript;

use crate::ingest::assert_ground_truth;

const FIXTURE: &str = "tests/fixtures/chongqing-2024-10-21.txt";

fn yilu(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yilu")).args(args).current_dir(dir).output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn fixture_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE)
}

/// One speech of the fixture as printed: headline, speaker line parts, body blocks.
struct Speech {
    headline: String,
    position: String,
    name: String,
    body: Vec<String>,
}

/// The fixture split into its preamble blocks and its speeches.
fn fixture_parts() -> (Vec<String>, Vec<Speech>) {
    let text = fs::read_to_string(fixture_path()).unwrap();
    let blocks: Vec<String> =
        text.split("\n\n").map(|b| b.trim().to_string()).filter(|b| !b.is_empty()).collect();
    let speakers: Vec<usize> =
        (0..blocks.len()).filter(|&i| transcript::speaker_line(&blocks[i]).is_some()).collect();
    assert_eq!(speakers.len(), 10);
    let preamble = blocks[..speakers[0] - 1].to_vec();
    let speeches = speakers
        .iter()
        .enumerate()
        .map(|(k, &s)| {
            let line = transcript::speaker_line(&blocks[s]).unwrap();
            let end = speakers.get(k + 1).map_or(blocks.len(), |next| next - 1);
            Speech {
                headline: blocks[s - 1].clone(),
                position: line.position,
                name: line.name,
                body: blocks[s + 1..end].to_vec(),
            }
        })
        .collect();
    (preamble, speeches)
}

/// The fixture in a layout: `speech(k, speech)` gives each speech's blocks.
fn layout(f: impl Fn(usize, &Speech) -> Vec<String>) -> String {
    let (preamble, speeches) = fixture_parts();
    let mut blocks = preamble;
    for (k, s) in speeches.iter().enumerate() {
        blocks.extend(f(k, s));
    }
    blocks.join("\n\n") + "\n"
}

fn with_body(mut head: Vec<String>, s: &Speech) -> Vec<String> {
    head.extend(s.body.iter().cloned());
    head
}

const CHINESE: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/// Every layout: (name, text, whether the speakers' names are printed).
fn layouts() -> Vec<(String, String, bool)> {
    let mut out = vec![
        (
            "speaker in the headline: POSITION NAME：HEADLINE".to_string(),
            layout(|_, s| with_body(vec![format!("{} {}：{}", s.position, s.name, s.headline)], s)),
            true,
        ),
        (
            "NAME（POSITION） under the headline".to_string(),
            layout(|_, s| {
                with_body(vec![s.headline.clone(), format!("{}（{}）", s.name, s.position)], s)
            }),
            true,
        ),
        (
            "NAME（POSITION）：HEADLINE".to_string(),
            layout(|_, s| {
                with_body(vec![format!("{}（{}）：{}", s.name, s.position, s.headline)], s)
            }),
            true,
        ),
        (
            "byline at the end, name under the headline".to_string(),
            layout(|_, s| {
                let mut b = with_body(vec![s.headline.clone(), format!("□ {}", s.name)], s);
                b.push(format!("（作者系{}）", s.position));
                b
            }),
            true,
        ),
        (
            "byline at the end, name above the headline (文/NAME)".to_string(),
            layout(|_, s| {
                let mut b = with_body(vec![format!("文/{}", s.name), s.headline.clone()], s);
                b.push(format!("（作者系{}）", s.position));
                b
            }),
            true,
        ),
        (
            "byline with the name, glued to the last paragraph".to_string(),
            layout(|_, s| {
                let mut b = with_body(vec![s.headline.clone()], s);
                let last = b.pop().unwrap();
                b.push(format!("{last}（作者系{} {}）", s.position, s.name));
                b
            }),
            true,
        ),
        (
            "byline without a name".to_string(),
            layout(|_, s| {
                let mut b = with_body(vec![s.headline.clone()], s);
                b.push(format!("（作者系{}）", s.position));
                b
            }),
            false,
        ),
        (
            "numbered headlines: 1. HEADLINE".to_string(),
            layout(|k, s| {
                with_body(
                    vec![
                        format!("{}. {}", k + 1, s.headline),
                        format!("{} {}", s.position, s.name),
                    ],
                    s,
                )
            }),
            true,
        ),
        (
            "numbered speeches: 之一 on its own line".to_string(),
            layout(|k, s| {
                with_body(
                    vec![
                        format!("之{}", CHINESE[k]),
                        s.headline.clone(),
                        format!("{} {}", s.position, s.name),
                    ],
                    s,
                )
            }),
            true,
        ),
        (
            "numbered speaker lines: （1）POSITION NAME, speaker first".to_string(),
            layout(|k, s| {
                with_body(
                    vec![format!("（{}）{} {}", k + 1, s.position, s.name), s.headline.clone()],
                    s,
                )
            }),
            true,
        ),
    ];
    for bullet in ['■', '●', '◆', '▲'] {
        out.push((
            format!("bullet-marked speaker lines: {bullet}"),
            layout(|_, s| {
                with_body(
                    vec![s.headline.clone(), format!("{bullet} {} {}", s.position, s.name)],
                    s,
                )
            }),
            true,
        ));
    }
    out
}

#[test]
fn every_layout_reproduces_the_ground_truth() {
    let tmp = tempfile::tempdir().unwrap();
    for (k, (name, text, named)) in layouts().into_iter().enumerate() {
        let input = tmp.path().join(format!("layout-{k}.txt"));
        fs::write(&input, &text).unwrap();
        let out = tmp.path().join(format!("content-{k}"));
        let run = yilu(
            &["ingest", input.to_str().unwrap(), "--year", "2024", "--out", out.to_str().unwrap()],
            tmp.path(),
        );
        assert!(run.status.success(), "{name}: {}", stderr(&run));
        let folder = out.join("meetings/2024-10-21");
        let result = std::panic::catch_unwind(|| assert_ground_truth(&folder, named));
        assert!(result.is_ok(), "layout {name:?} differs from the ground truth:\n{text}");
        let err = stderr(&run);
        if !named {
            // Each speech warns that its speaker is unknown, at the byline's line.
            assert_eq!(err.matches("the byline gives no name").count(), 10, "{name}: {err}");
            let line = text.lines().position(|l| l.starts_with("（作者系")).unwrap() + 1;
            assert!(err.contains(&format!("layout-{k}.txt:{line}:1: ")), "{name}: {err}");
        } else {
            assert!(!err.contains("no headline"), "{name}: {err}");
        }
    }
}

#[test]
fn a_numbered_body_line_is_not_taken_for_a_speech_number() {
    // "1." lines that do not count 1, 2, 3 through the text stay as written.
    let text = layout(|_, s| {
        let mut b = vec![s.headline.clone(), format!("{} {}", s.position, s.name)];
        b.push("1. 补充说明".to_string());
        b.extend(s.body.iter().cloned());
        b
    });
    let meeting = yilu::ingest::ingest_text(
        Path::new("x.txt"),
        &text,
        &yilu::ingest::IngestOptions { year: Some(2024), ..Default::default() },
    )
    .unwrap();
    assert_eq!(meeting.speeches.len(), 10);
    assert!(meeting.speeches[0].body.contains("1\\. 补充说明"), "{}", meeting.speeches[0].body);
}
