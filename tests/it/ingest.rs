//! `yilu ingest` through the library: the real fixture against its hand-read ground truth, the
//! input variants that must parse the same, and the file-safety guarantees (no overwrite without
//! --force, dry runs, garbage input, determinism).

use std::fs;
use std::path::{Path, PathBuf};

use serde_yaml::Value;
use yilu::content::front_matter::{SpeechFrontMatter, read_meeting, read_speech};
use yilu::ingest::{IngestOptions, IngestedMeeting, WriteMode, ingest, ingest_text, transcript};

const FIXTURE: &str = "tests/fixtures/chongqing-2024-10-21.txt";
const EXPECTED: &str = "tests/fixtures/chongqing-2024-10-21.expected.yaml";

fn options() -> IngestOptions {
    IngestOptions { year: Some(2024), ..IngestOptions::default() }
}

fn fixture() -> String {
    fs::read_to_string(FIXTURE).unwrap()
}

/// A body split the way check_ingest.py splits it: (paragraphs, headings).
fn plain(markdown: &str) -> (Vec<String>, Vec<String>) {
    let mut paragraphs = Vec::new();
    let mut headings = Vec::new();
    let normalised = markdown.replace("\r\n", "\n");
    for block in normalised.trim().split("\n\n") {
        let block = block.trim();
        if block.is_empty() {
            continue;
        }
        if block.starts_with('#') {
            headings.push(block.trim_start_matches('#').trim().trim_end_matches('。').to_string());
        } else {
            paragraphs.push(block.replace(['*', '_', '`', '\n'], ""));
        }
    }
    (paragraphs, headings)
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v:?}"))
}

fn string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => panic!("not a string: {other:?}"),
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_sequence().unwrap().iter().map(string).collect()
}

#[test]
fn fixture_matches_ground_truth() {
    let dir = tempfile::tempdir().unwrap();
    ingest(&[PathBuf::from(FIXTURE)], dir.path(), &options(), WriteMode::default()).unwrap();
    assert_ground_truth(&dir.path().join("meetings/2024-10-21"), true);
}

/// Compares an ingested meeting folder with the fixture's hand-read ground truth, the way
/// ../shared/acceptance/check_ingest.py does. `with_speaker: false` skips the speakers' names
/// (for layouts that print none) and checks they are left out instead.
pub(crate) fn assert_ground_truth(folder: &Path, with_speaker: bool) {
    let expected: Value = serde_yaml::from_str(&fs::read_to_string(EXPECTED).unwrap()).unwrap();

    let index = fs::read_to_string(folder.join("_index.md")).unwrap();
    let (meeting, _) = read_meeting(&index).unwrap();
    let want = &expected["meeting"];
    assert_eq!(meeting.title, string(&want["title"]));
    assert_eq!(meeting.subtitle.as_deref(), Some(string(&want["subtitle"]).as_str()));
    assert_eq!(meeting.date.unwrap().to_string(), string(&want["date"]));
    assert!(meeting.summary.as_deref().unwrap().starts_with(&string(&want["summary_starts_with"])));
    assert_eq!(meeting.participants, strings(&want["participants"]));

    let mut files: Vec<PathBuf> = fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap() != "_index.md")
        .collect();
    files.sort();
    let wants = expected["speeches"].as_sequence().unwrap();
    assert_eq!(files.len(), wants.len());
    for (path, want) in files.iter().zip(wants) {
        let text = fs::read_to_string(path).unwrap();
        let (fm, body) = read_speech(&text).unwrap();
        let order = want["order"].as_u64().unwrap() as u32;
        let at = format!("speech {order} ({})", path.display());
        assert_eq!(fm.order, Some(order), "{at}");
        assert_eq!(fm.title, string(&want["title"]), "{at}");
        if with_speaker {
            assert_eq!(fm.speaker.as_deref(), Some(string(&want["speaker"]).as_str()), "{at}");
        } else {
            assert_eq!(fm.speaker, None, "{at}");
        }
        assert_eq!(fm.position.as_deref(), Some(string(&want["position"]).as_str()), "{at}");
        assert_eq!(fm.org.as_deref(), Some(string(&want["org"]).as_str()), "{at}");
        assert_eq!(fm.org_kind.unwrap().as_str(), string(&want["org_kind"]), "{at}");
        if let Some(slug) = want.get("slug") {
            let name = path.file_name().unwrap().to_string_lossy();
            assert_eq!(name, format!("{order:02}-{}.md", string(slug)), "{at}");
        }
        if let Some(period) = want.get("period") {
            assert_eq!(fm.period.as_deref(), Some(string(period).as_str()), "{at}");
        }
        let want_metrics = want["metrics"].as_mapping().unwrap();
        assert_eq!(fm.metrics.len(), want_metrics.len(), "{at}: {:?}", fm.metrics);
        for (key, value) in want_metrics {
            let got = fm.metrics.get(&string(key)).unwrap_or_else(|| panic!("{at}: no {key:?}"));
            assert!((got - num(value)).abs() < 1e-9, "{at}: {key:?} {got}");
        }
        let (paragraphs, headings) = plain(body);
        assert_eq!(paragraphs.len() as u64, want["paragraphs"].as_u64().unwrap(), "{at}");
        if let Some(sections) = want.get("sections") {
            assert_eq!(headings, strings(sections), "{at}");
        }
        if let Some(optional) = want.get("sections_optional") {
            assert!(headings.is_empty() || headings == strings(optional), "{at}: {headings:?}");
        }
        let joined = paragraphs.join("\n");
        for needle in want.get("must_contain").map(strings).unwrap_or_default() {
            assert!(joined.contains(&needle), "{at}: lacks {needle}");
        }
        let has = |f: &Value| {
            fm.figures.iter().any(|g| {
                g.subject.contains(&string(&f["subject_contains"]))
                    && (g.value - num(&f["value"])).abs() < 1e-9
                    && f.get("unit").is_none_or(|u| g.unit == string(u))
            })
        };
        for f in want.get("figures").and_then(Value::as_sequence).into_iter().flatten() {
            assert!(has(f), "{at}: no figure {f:?} in {:?}", fm.figures);
        }
        for f in want.get("figures_must_not").and_then(Value::as_sequence).into_iter().flatten() {
            assert!(!has(f), "{at}: reports {f:?}");
        }
    }
}

/// What must not change between input variants, with ASCII punctuation read as full-width.
fn shape(meeting: &IngestedMeeting) -> Vec<String> {
    let norm = |s: &str| s.replace(',', "，").replace(':', "：").replace(';', "；");
    let mut out = vec![
        norm(&meeting.meeting.title),
        norm(meeting.meeting.subtitle.as_deref().unwrap_or("")),
        meeting.date.to_string(),
        format!("{:?}", meeting.meeting.participants),
    ];
    for s in &meeting.speeches {
        let fm: &SpeechFrontMatter = &s.front_matter;
        let (paragraphs, headings) = plain(&s.body);
        let figures: Vec<String> = fm
            .figures
            .iter()
            .map(|f| format!("{} {} {}", norm(&f.subject), f.value, f.unit))
            .collect();
        out.push(format!(
            "{} | {} | {:?} | {:?} | {:?} | {:?} | {:?} | {:?} | {} | {:?} | {:?}",
            s.file_name,
            norm(&fm.title),
            fm.speaker,
            fm.position,
            fm.org,
            fm.org_kind,
            fm.period,
            fm.metrics,
            paragraphs.len(),
            headings.iter().map(|h| norm(h)).collect::<Vec<_>>(),
            figures,
        ));
    }
    out
}

/// The fixture's blocks, transformed and put back together with blank lines.
fn map_blocks(text: &str, f: impl Fn(Vec<String>) -> Vec<String>) -> String {
    let blocks: Vec<String> =
        text.split("\n\n").map(|b| b.trim().to_string()).filter(|b| !b.is_empty()).collect();
    f(blocks).join("\n\n")
}

fn is_speaker(block: &str) -> bool {
    transcript::speaker_line(block).is_some()
}

fn html_page(text: &str) -> String {
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;");
    let mut blocks = text.split("\n\n").map(str::trim).filter(|b| !b.is_empty());
    let mut html = String::from(
        "<!DOCTYPE html><html><head><title>重庆日报</title><style>p{margin:0}</style>\
         <script>var a = '<p>不是正文</p>';</script></head><body>\
         <nav><ul><li><a href=/>首页</a></li></ul><p>导航</p></nav><article>",
    );
    html.push_str(&format!("<h1>{}</h1>\n", escape(blocks.next().unwrap())));
    for block in blocks {
        html.push_str(&format!("<p>{}</p>\n", escape(block)));
    }
    html.push_str("</article><footer><p>版权所有</p></footer></body></html>");
    html
}

#[test]
fn input_variants_parse_the_same() {
    let text = fixture();
    let want = shape(&ingest_text(Path::new(FIXTURE), &text, &options()).unwrap());
    let variants: Vec<(&str, String)> = vec![
        ("crlf", text.replace('\n', "\r\n")),
        ("bom", format!("\u{feff}{text}")),
        (
            "full-width indentation",
            text.lines()
                .map(|l| if l.is_empty() { String::new() } else { format!("\u{3000}\u{3000}{l}") })
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        ("ascii punctuation", text.replace('，', ",").replace('：', ":").replace('；', ";")),
        ("single newlines", map_blocks(&text, |b| b).replace("\n\n", "\n")),
        (
            "speaker line first",
            map_blocks(&text, |mut b| {
                for i in 1..b.len() {
                    if is_speaker(&b[i]) {
                        b.swap(i - 1, i);
                    }
                }
                b
            }),
        ),
        (
            "speaker line with colon",
            map_blocks(&text, |b| {
                b.into_iter().map(|x| if is_speaker(&x) { format!("{x}：") } else { x }).collect()
            }),
        ),
        (
            "name glued to title",
            map_blocks(&text, |b| {
                b.into_iter()
                    .map(|x| if is_speaker(&x) { format!("{}：", x.replace(' ', "")) } else { x })
                    .collect()
            }),
        ),
        ("html page", html_page(&text)),
        (
            "crlf, bom and single newlines",
            format!("\u{feff}{}", map_blocks(&text, |b| b).replace("\n\n", "\r\n")),
        ),
    ];
    for (name, input) in variants {
        let got = ingest_text(Path::new(FIXTURE), &input, &options())
            .unwrap_or_else(|e| panic!("{name}: {e:#}"));
        let got = shape(&got);
        assert_eq!(got.len(), want.len(), "{name}");
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g, w, "{name}");
        }
    }
}

/// Every file under `dir` with its bytes, sorted.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    if dir.exists() {
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let entry = entry.unwrap();
            if entry.file_type().is_file() {
                out.push((
                    entry.path().strip_prefix(dir).unwrap().to_path_buf(),
                    fs::read(entry.path()).unwrap(),
                ));
            }
        }
    }
    out
}

#[test]
fn never_overwrites_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = [PathBuf::from(FIXTURE)];
    ingest(&inputs, dir.path(), &options(), WriteMode::default()).unwrap();
    let edited = dir.path().join("meetings/2024-10-21/03-kaizhou.md");
    fs::write(&edited, "hand edited\n").unwrap();
    let before = snapshot(dir.path());

    let err = ingest(&inputs, dir.path(), &options(), WriteMode::default()).unwrap_err();
    let message = format!("{err:#}");
    assert!(message.contains("01-wanzhou.md") && message.contains("--force"), "{message}");
    assert_eq!(snapshot(dir.path()), before, "a refused ingest must leave files untouched");

    ingest(&inputs, dir.path(), &options(), WriteMode { force: true, dry_run: false }).unwrap();
    assert_ne!(fs::read_to_string(&edited).unwrap(), "hand edited\n");
    // No temporary files left behind.
    assert_eq!(snapshot(dir.path()).len(), 11);
}

#[test]
fn one_missing_target_does_not_let_others_be_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = [PathBuf::from(FIXTURE)];
    ingest(&inputs, dir.path(), &options(), WriteMode::default()).unwrap();
    fs::remove_file(dir.path().join("meetings/2024-10-21/05-jingxinwei.md")).unwrap();
    let before = snapshot(dir.path());
    assert!(ingest(&inputs, dir.path(), &options(), WriteMode::default()).is_err());
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn dry_run_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("content");
    let report = ingest(
        &[PathBuf::from(FIXTURE)],
        &out,
        &options(),
        WriteMode { force: false, dry_run: true },
    )
    .unwrap();
    assert_eq!(report.files.len(), 11);
    assert!(report.dry_run && report.files.iter().all(|f| f.starts_with(&out)));
    assert!(!out.exists());
}

#[test]
fn missing_date_names_the_flags() {
    let err =
        ingest_text(Path::new("digest.txt"), &fixture(), &IngestOptions::default()).unwrap_err();
    let message = format!("{err:#}");
    assert!(message.contains("digest.txt") && message.contains("--year"), "{message}");
}

#[test]
fn date_from_file_name() {
    let meeting = ingest_text(
        Path::new("in/2024-10-21-chongqing.txt"),
        &fixture(),
        &IngestOptions::default(),
    )
    .unwrap();
    assert_eq!(meeting.date.to_string(), "2024-10-21");
}

#[test]
fn garbage_input_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("content");
    let cases: [(&str, &[u8], &str); 5] = [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"\n \r\n\xe3\x80\x80\n", "empty"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "binary"),
        (
            "latin1.txt",
            "市委召开例会"
                .as_bytes()
                .iter()
                .copied()
                .chain([0xff, 0xfe])
                .collect::<Vec<_>>()
                .leak(),
            "UTF-8",
        ),
        (
            "report.txt",
            "市委召开全会\n\n10月21日，会议听取了工作报告。\n\n会议强调，要坚定信心，奋发有为。\n"
                .as_bytes(),
            "speaker",
        ),
    ];
    for (name, bytes, needle) in cases {
        let path = dir.path().join(name);
        fs::write(&path, bytes).unwrap();
        // Alone and alongside a good file: nothing is written either way.
        for inputs in [vec![path.clone()], vec![PathBuf::from(FIXTURE), path.clone()]] {
            let err = ingest(&inputs, &out, &options(), WriteMode::default()).unwrap_err();
            let message = format!("{err:#}");
            assert!(message.contains(name) && message.contains(needle), "{name}: {message}");
            assert!(!out.exists(), "{name}: wrote files");
        }
    }
}

#[test]
fn two_inputs_for_one_meeting_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.txt");
    fs::copy(FIXTURE, &copy).unwrap();
    let out = dir.path().join("content");
    let err = ingest(&[PathBuf::from(FIXTURE), copy], &out, &options(), WriteMode::default())
        .unwrap_err();
    assert!(format!("{err:#}").contains("copy.txt"), "{err:#}");
    assert!(!out.exists());
}

#[test]
fn output_is_deterministic() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for dir in [&a, &b] {
        ingest(&[PathBuf::from(FIXTURE)], dir.path(), &options(), WriteMode::default()).unwrap();
    }
    let (a, b) = (snapshot(a.path()), snapshot(b.path()));
    assert_eq!(a.len(), 11);
    assert_eq!(a, b);
}

#[test]
fn reingesting_the_fixture_reproduces_the_example_content() {
    let tmp = tempfile::tempdir().unwrap();
    let report =
        ingest(&[PathBuf::from(FIXTURE)], tmp.path(), &options(), WriteMode::default()).unwrap();
    assert_eq!(report.files.len(), 11);
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("content/meetings/2024-10-21");
    let fresh = tmp.path().join("meetings/2024-10-21");
    let names = |dir: &Path| {
        let mut v: Vec<_> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        v.sort();
        v
    };
    assert_eq!(names(&committed), names(&fresh));
    for name in names(&committed) {
        assert!(
            fs::read(committed.join(&name)).unwrap() == fs::read(fresh.join(&name)).unwrap(),
            "{name:?} differs from a fresh ingest: re-run `yilu ingest {FIXTURE} --year 2024 --out content --force`"
        );
    }
}
