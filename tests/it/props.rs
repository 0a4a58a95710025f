//! Property tests (proptest): the parsers never panic, whatever the input, and front matter
//! round-trips. Inputs are arbitrary strings, strings built from the tokens each parser reacts
//! to (so cases reach deep paths, not just the first refusal), and mutations of the real fixture.
//! Case count: proptest's default of 256 per property, or PROPTEST_CASES.

use std::path::Path;

use indexmap::IndexMap;
use proptest::prelude::*;
use yilu::content::front_matter::{
    self, Figure, FigureKind, MeetingFrontMatter, SpeechFrontMatter, read_meeting, read_speech,
    write_meeting, write_speech,
};
use yilu::ingest::{IngestOptions, ingest_text};
use yilu::metrics::extract::figures;
use yilu::orgs::OrgKind;
use yilu::render::markdown::render;

const FIXTURE: &str = include_str!("../fixtures/chongqing-2024-10-21.txt");

/// Text made of the pieces `tokens` lists, joined at random: what each parser looks for.
fn token_soup(tokens: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            3 => prop::sample::select(tokens).prop_map(str::to_string),
            1 => "[0-9]{1,4}(\\.[0-9]{1,2})?",
            1 => any::<String>().prop_map(|s| s.chars().take(6).collect()),
        ],
        0..max,
    )
    .prop_map(|parts| parts.concat())
}

const TRANSCRIPT_TOKENS: &[&str] = &[
    "\n",
    "\n\n",
    "\r\n",
    "\u{3000}",
    " ",
    "——",
    "核心提示",
    "10月21日",
    "2024年",
    "上午，",
    "。",
    "，",
    "、",
    "：",
    ":",
    "！",
    "？",
    "…",
    "“",
    "”",
    "一、",
    "二、",
    "十、",
    "区委书记",
    "县委书记",
    "市委常委、",
    "党工委书记",
    "局长",
    "主任",
    " 卢红",
    " 张三",
    "万州区",
    "某某区",
    "市财政局",
    "负责同志",
    "作交流发言",
    "GDP增长",
    "增长",
    "%",
    "以改革强动力",
    "<p>",
    "</p>",
    "<html>",
    "<article>",
    "\u{feff}",
    "\0",
];

const FIGURE_TOKENS: &[&str] = &[
    "规上工业增加值",
    "工业投资",
    "GDP",
    "地区生产总值",
    "税收",
    "、",
    "和",
    "及",
    "分别",
    "增长",
    "增速",
    "提高",
    "下降",
    "回落",
    "%",
    "％",
    "倍",
    "个百分点",
    "，",
    "。",
    "；",
    "占比",
    "超过",
    "同比",
    "前三季度",
    "1—9月",
    ".",
    "-",
    "以上",
    "达",
    "；",
    " ",
];

const YAML_TOKENS: &[&str] = &[
    "---\n",
    "\n",
    "title: ",
    "speaker: ",
    "org: ",
    "org_kind: ",
    "district",
    "slug: ",
    "order: ",
    "metrics:\n",
    "  gdp: ",
    "figures:\n",
    "  - ",
    "{subject: a, value: 1, unit: '%', text: t}",
    "date: ",
    "2024-10-21",
    "2024-13-01",
    "source: ",
    "{publication: x, url: null}",
    "participants: ",
    "[a, b]",
    "draft: ",
    "true",
    "null",
    "~",
    "[",
    "]",
    "{",
    "}",
    ": ",
    "- ",
    "'",
    "\"",
    "|\n",
    ">\n",
    "&a ",
    "*a",
    "!!str ",
    "!!binary ",
    "#",
    "\t",
    "\u{feff}",
    "1e999",
    ".nan",
    "-.inf",
    "<<: *a\n",
    "? ",
    "%YAML 1.2\n",
];

const MARKDOWN_TOKENS: &[&str] = &[
    "\n",
    "\n\n",
    "## ",
    "# ",
    "### {#id}",
    "**",
    "*",
    "_",
    "`",
    "```\n",
    "> ",
    "- ",
    "1. ",
    "[",
    "]",
    "(",
    ")",
    "[^1]",
    "[^1]: ",
    "|",
    "|---|",
    "~~",
    "<script>",
    "</script>",
    "<!--",
    "-->",
    "javascript:",
    "http://x/",
    "&amp;",
    "&#0;",
    "\\",
    "真，",
    "她",
    "航线",
    "“",
    "”",
    "    ",
    "![a](",
    "<a href=x>",
    "\r",
    "\u{3000}",
];

fn options() -> IngestOptions {
    IngestOptions { year: Some(2024), ..IngestOptions::default() }
}

/// One edit of the fixture at a character position.
#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, text: String },
    Duplicate { at: usize, len: usize },
    SwapLines { a: usize, b: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = 0..FIXTURE.chars().count();
    prop_oneof![
        (at.clone(), 1..400usize).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (at.clone(), token_soup(TRANSCRIPT_TOKENS, 8))
            .prop_map(|(at, text)| Mutation::Insert { at, text }),
        (at, 1..400usize).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
        (0..200usize, 0..200usize).prop_map(|(a, b)| Mutation::SwapLines { a, b }),
    ]
}

fn apply(text: &str, m: &Mutation) -> String {
    let chars: Vec<char> = text.chars().collect();
    let clamp = |i: usize| i.min(chars.len());
    let s = |a: usize, b: usize| chars[clamp(a)..clamp(b)].iter().collect::<String>();
    match m {
        Mutation::Delete { at, len } => s(0, *at) + &s(at + len, chars.len()),
        Mutation::Insert { at, text } => s(0, *at) + text + &s(*at, chars.len()),
        Mutation::Duplicate { at, len } => s(0, at + len) + &s(*at, chars.len()),
        Mutation::SwapLines { a, b } => {
            let mut lines: Vec<&str> = text.split('\n').collect();
            let n = lines.len();
            lines.swap(a % n, b % n);
            lines.join("\n")
        }
    }
}

proptest! {
    #[test]
    fn ingest_never_panics_on_any_text(text in any::<String>()) {
        let _ = ingest_text(Path::new("x.txt"), &text, &options());
    }

    #[test]
    fn ingest_never_panics_on_transcript_shaped_text(text in token_soup(TRANSCRIPT_TOKENS, 200)) {
        let _ = ingest_text(Path::new("2024-10-21.txt"), &text, &options());
    }

    #[test]
    fn ingest_never_panics_on_a_mutated_fixture(edits in prop::collection::vec(mutation(), 1..6)) {
        let text = edits.iter().fold(FIXTURE.to_string(), |t, m| apply(&t, m));
        if let Ok(meeting) = ingest_text(Path::new("x.txt"), &text, &options()) {
            // Whatever it makes of the text, it writes files the loader reads back.
            for file in meeting.files(Path::new("content")) {
                let name = file.path.file_name().unwrap().to_string_lossy().into_owned();
                if name == "_index.md" {
                    prop_assert!(read_meeting(&file.contents).is_ok(), "{}", file.contents);
                } else {
                    prop_assert!(read_speech(&file.contents).is_ok(), "{}", file.contents);
                }
            }
        }
    }

    #[test]
    fn figures_never_panic(text in any::<String>(), soup in token_soup(FIGURE_TOKENS, 60)) {
        let _ = figures(&text);
        for f in figures(&soup) {
            prop_assert!(f.value.is_finite(), "{f:?} from {soup:?}");
            prop_assert!(soup.contains(&f.text), "{f:?} not in {soup:?}");
        }
    }

    #[test]
    fn front_matter_never_panics(text in any::<String>(), soup in token_soup(YAML_TOKENS, 40)) {
        let _ = read_speech(&text);
        let _ = read_meeting(&text);
        let framed = format!("---\n{soup}\n---\nbody");
        let _ = read_speech(&framed);
        let _ = read_meeting(&framed);
        let _ = read_speech(&soup);
    }

    #[test]
    fn markdown_never_panics(text in any::<String>(), soup in token_soup(MARKDOWN_TOKENS, 80)) {
        let _ = render(&text);
        let out = render(&soup);
        prop_assert!(!out.html.contains("<script"), "{soup:?} → {}", out.html);
        prop_assert!(!out.html.contains("href=\"javascript:"), "{soup:?} → {}", out.html);
    }

    #[test]
    fn speech_front_matter_round_trips(fm in speech_front_matter(), body in any::<String>()) {
        let text = write_speech(&fm, &body);
        let (back, back_body) = read_speech(&text)
            .map_err(|e| TestCaseError::fail(format!("{e:?}\n{text}")))?;
        prop_assert_eq!(&back, &fm, "{}", text);
        if !body.is_empty() {
            let want = if body.ends_with('\n') { body.clone() } else { format!("{body}\n") };
            prop_assert_eq!(back_body, format!("\n{want}"));
        }
    }

    #[test]
    fn meeting_front_matter_round_trips(fm in meeting_front_matter()) {
        let text = write_meeting(&fm, "");
        let (back, _) = read_meeting(&text)
            .map_err(|e| TestCaseError::fail(format!("{e:?}\n{text}")))?;
        prop_assert_eq!(&back, &fm, "{}", text);
    }
}

/// Strings that stress YAML: arbitrary text, and the scalars YAML would read as something else.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => any::<String>(),
        1 => prop::sample::select(&[
            "", " ", "null", "~", "true", "no", "1", "1.0", "0x10", "1e3", ".inf", "---", "...",
            "- a", "a: b", "#c", "'", "\"", "|", ">", "&a", "*a", "!t", "%", "@", "`", "{", "[",
            " 前导空格", "尾随空格 ", "多\n行", "\t", "\r\n", "2024-10-21", "\u{feff}x", "\u{85}",
            "\u{2028}",
        ][..]).prop_map(str::to_string),
    ]
}

fn finite() -> impl Strategy<Value = f64> {
    prop_oneof![any::<f64>().prop_filter("finite", |v| v.is_finite()), -1000.0..1000.0f64]
}

fn org_kind() -> impl Strategy<Value = OrgKind> {
    prop::sample::select(
        &[OrgKind::District, OrgKind::County, OrgKind::Zone, OrgKind::Department, OrgKind::Other][..],
    )
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        text().prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::vec(("[a-z]{1,6}", inner), 0..4)
                .prop_map(|kv| serde_json::Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn speech_front_matter() -> impl Strategy<Value = SpeechFrontMatter> {
    let kind = prop::sample::select(vec![
        FigureKind::Growth,
        FigureKind::Target,
        FigureKind::Points,
        FigureKind::Multiple,
    ]);
    let optional = (
        kind,
        prop::option::of(text()),
        prop::option::of(text()),
        prop::option::of(text()),
        prop::option::of(text()),
    );
    let figure = (text(), finite(), text(), text(), optional).prop_map(
        |(subject, value, unit, text, (kind, qualifier, basis, amount, period))| Figure {
            subject,
            value,
            unit,
            kind,
            qualifier,
            basis,
            amount,
            period,
            text,
        },
    );
    (
        text().prop_filter("a title", |t| !t.trim().is_empty()),
        (
            prop::option::of(text()),
            prop::option::of(text()),
            prop::option::of(text()),
            prop::option::of(org_kind()),
            prop::option::of("[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}"),
            prop::option::of(any::<u32>()),
            prop::option::of(text()),
        ),
        prop::collection::vec((text(), finite()), 0..5),
        prop::collection::vec(figure, 0..4),
        (any::<bool>(), any::<bool>()),
        prop::collection::vec(("[a-z_]{1,10}|[\u{4e00}-\u{9fff}]{1,4}", json_value()), 0..4),
    )
        .prop_map(
            |(
                title,
                (speaker, position, org, org_kind, slug, order, period),
                metrics,
                figures,
                (draft, figures_locked),
                extra,
            )| {
                SpeechFrontMatter {
                    title,
                    speaker,
                    position,
                    org,
                    org_kind,
                    slug,
                    order,
                    period,
                    metrics: metrics.into_iter().collect::<IndexMap<_, _>>(),
                    figures,
                    figures_locked,
                    draft,
                    extra: extra
                        .into_iter()
                        .filter(|(k, _)| !front_matter::speech_keys().contains(&k.as_str()))
                        .collect(),
                }
            },
        )
}

fn meeting_front_matter() -> impl Strategy<Value = MeetingFrontMatter> {
    (
        text(),
        prop::option::of(text()),
        prop::option::of((1i32..9999, 1u32..=12, 1u32..=28)),
        prop::collection::vec(text(), 0..5),
        prop::option::of(text()),
        any::<bool>(),
    )
        .prop_map(|(title, subtitle, date, participants, summary, draft)| MeetingFrontMatter {
            title,
            subtitle,
            date: date.and_then(|(y, m, d)| chrono::NaiveDate::from_ymd_opt(y, m, d)),
            participants,
            summary,
            draft,
            ..Default::default()
        })
}
