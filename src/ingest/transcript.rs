//! Blocks of a printed digest → its structure: the meeting's headline, subtitle and lead, then
//! each speech's headline, speaker line and paragraphs (column breaks repaired). Knows nothing
//! of organisations, metrics or files.
//!
//! A speaker line is `POSITION NAME` (position ends in a title such as 书记 or 局长; the name is
//! 2–4 Han characters after a space, or glued to the title when the line ends in a colon). The
//! headline is the short line before it, or after it when the paper prints the speaker first.

use super::text::{detection, ends_sentence};

/// The structure of one digest.
#[derive(Debug, Clone, PartialEq)]
pub struct Transcript {
    /// The meeting's headline, when the digest prints one before the first speech.
    pub headline: Option<String>,
    /// The `——` subtitle, without its dashes.
    pub subtitle: Option<String>,
    /// The lead (核心提示) paragraphs, column breaks repaired.
    pub lead: Vec<String>,
    pub speeches: Vec<SpeechText>,
    /// What the parser could not place.
    pub warnings: Vec<String>,
}

/// One speech as printed.
#[derive(Debug, Clone, PartialEq)]
pub struct SpeechText {
    pub headline: Option<String>,
    pub position: String,
    pub speaker: String,
    /// Body paragraphs, column breaks repaired.
    pub paragraphs: Vec<String>,
}

/// A speaker line's two parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpeakerLine {
    pub position: String,
    pub name: String,
}

/// Titles a speaker's position ends in (副书记 ends in 书记, 主任委员 in 委员).
const TITLES: &[&str] = &[
    "书记",
    "主任",
    "局长",
    "区长",
    "县长",
    "市长",
    "主席",
    "部长",
    "委员",
    "厅长",
    "院长",
    "秘书长",
    "常委",
    "行长",
    "社长",
    "总经理",
    "董事长",
    "检察长",
    "署长",
    "政委",
    "队长",
    "负责人",
];

fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}')
}

fn is_name(s: &str) -> bool {
    let n = s.chars().count();
    (2..=4).contains(&n)
        && s.chars().all(|c| is_han(c) || c == '·')
        && s.chars().next().is_some_and(is_han)
}

fn is_position(s: &str) -> bool {
    s.chars().count() >= 3 && TITLES.iter().any(|t| s.ends_with(t))
}

/// Reads a speaker line: "市委常委、万州区委书记 卢红", "南岸区委书记 许洪斌：",
/// "南岸区委书记许洪斌：". `line` is in detection form (full-width punctuation).
pub fn speaker_line(line: &str) -> Option<SpeakerLine> {
    let line = line.trim();
    let (line, colon) = match line.strip_suffix('：') {
        Some(rest) => (rest.trim_end(), true),
        None => (line, false),
    };
    if line.chars().count() > 60 || line.contains(['。', '，', '；', '！', '？', '“', '”', '《'])
    {
        return None;
    }
    if let Some((position, name)) = line.rsplit_once(' ') {
        let position = position.trim();
        return (is_position(position) && is_name(name))
            .then(|| SpeakerLine { position: position.to_string(), name: name.to_string() });
    }
    if !colon {
        return None;
    }
    // Glued: the last split where a title ends the position and a name follows.
    line.char_indices()
        .map(|(i, _)| i)
        .rev()
        .map(|i| line.split_at(i))
        .find(|(position, name)| is_position(position) && is_name(name))
        .map(|(position, name)| SpeakerLine {
            position: position.to_string(),
            name: name.to_string(),
        })
}

/// A line that can be a headline: short, no sentence inside, no sentence end.
fn is_headline(line: &str) -> bool {
    let n = line.chars().count();
    (1..=60).contains(&n)
        && !ends_sentence(line)
        && !line.contains(['。', '！', '？'])
        && speaker_line(line).is_none()
}

/// A section opener printed on its own line ("一、建体系挑大梁"): never joined to the next block.
fn is_bare_section(line: &str) -> bool {
    super::sections::number_len(line).is_some()
        && line.chars().count() <= 40
        && !ends_sentence(line)
        && !line.contains(['。', '！', '？'])
}

/// Rejoins blocks a column break split: a block that does not end a sentence joins the next.
pub fn repair_columns(blocks: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut open = false;
    for block in blocks {
        match out.last_mut() {
            Some(last) if open => last.push_str(block),
            _ => out.push(block.clone()),
        }
        let det = detection(out.last().expect("just pushed"));
        open = !ends_sentence(&det) && !is_bare_section(&det);
    }
    out
}

/// Why a text is not a digest of speeches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotADigest;

impl std::fmt::Display for NotADigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            "not a digest of speeches: found no speaker line (`POSITION NAME`, e.g. \
             `南岸区委书记 许洪斌`)",
        )
    }
}

/// Parses the blocks of a digest.
pub fn parse(blocks: &[String]) -> Result<Transcript, NotADigest> {
    let det: Vec<String> = blocks.iter().map(|b| detection(b)).collect();
    let speakers: Vec<usize> =
        (0..det.len()).filter(|&i| speaker_line(&det[i]).is_some()).collect();
    if speakers.is_empty() {
        return Err(NotADigest);
    }
    let headline_at = |i: usize| det.get(i).is_some_and(|l| is_headline(l));
    let before = speakers.iter().filter(|&&s| s > 0 && headline_at(s - 1)).count();
    let after = speakers.iter().filter(|&&s| headline_at(s + 1)).count();
    let speaker_first = after > before;

    let mut warnings = Vec::new();
    // (start of the speech's blocks, its headline, first body block)
    let mut starts = Vec::new();
    for (k, &s) in speakers.iter().enumerate() {
        let floor = if k == 0 { 0 } else { speakers[k - 1] + 1 };
        if speaker_first {
            let has = headline_at(s + 1) && speakers.get(k + 1) != Some(&(s + 1));
            starts.push((s, has.then_some(s + 1), if has { s + 2 } else { s + 1 }));
        } else {
            let has = s > floor && headline_at(s - 1);
            let start = if has { s - 1 } else { s };
            starts.push((start, has.then(|| s - 1), s + 1));
        }
    }
    let mut speeches = Vec::new();
    for (k, &(_, headline, body)) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map_or(blocks.len(), |next| next.0);
        let line = speaker_line(&det[speakers[k]]).expect("found above");
        // Keep the original text: detection form is char-for-char, so cut at the same chars.
        let original = &blocks[speakers[k]];
        let (position, speaker) = original_parts(original, &line);
        if headline.is_none() {
            warnings.push(format!("speech {}: no headline found for {position} {speaker}", k + 1));
        }
        let paragraphs = repair_columns(&blocks[body.min(end)..end]);
        if let Some(last) = paragraphs.last()
            && !ends_sentence(&detection(last))
        {
            warnings.push(format!(
                "speech {}: last paragraph ends mid-sentence: …{}",
                k + 1,
                tail(last, 20)
            ));
        }
        if paragraphs.is_empty() {
            warnings.push(format!("speech {}: {position} {speaker} has no text", k + 1));
        }
        speeches.push(SpeechText {
            headline: headline.map(|h| blocks[h].clone()),
            position,
            speaker,
            paragraphs,
        });
    }

    let preamble = &blocks[..starts[0].0];
    let mut headline = None;
    let mut subtitle = None;
    let mut lead_blocks = Vec::new();
    for block in preamble {
        let trimmed = block.trim_start_matches(['—', '-', '－', '─']).trim();
        if subtitle.is_none() && trimmed.len() < block.len() && lead_blocks.is_empty() {
            subtitle = Some(trimmed.to_string());
        } else if headline.is_none() && subtitle.is_none() && lead_blocks.is_empty() {
            headline = Some(block.clone());
        } else if let Some(rest) = block.strip_prefix("核心提示") {
            let rest = rest.trim_start_matches([':', '：']).trim();
            if !rest.is_empty() {
                lead_blocks.push(rest.to_string());
            }
        } else {
            lead_blocks.push(block.clone());
        }
    }
    Ok(Transcript { headline, subtitle, lead: repair_columns(&lead_blocks), speeches, warnings })
}

/// The position and name as written in the original line (not the detection form).
fn original_parts(original: &str, line: &SpeakerLine) -> (String, String) {
    let chars: Vec<char> = original.trim().chars().collect();
    let n = line.position.chars().count();
    let position: String = chars[..n.min(chars.len())].iter().collect();
    (position.trim().to_string(), line.name.clone())
}

fn tail(s: &str, n: usize) -> String {
    let count = s.chars().count();
    s.chars().skip(count.saturating_sub(n)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speaker_line_shapes() {
        for (line, want) in [
            ("市委常委、万州区委书记 卢红", Some(("市委常委、万州区委书记", "卢红"))),
            ("南岸区委书记 许洪斌：", Some(("南岸区委书记", "许洪斌"))),
            ("南岸区委书记许洪斌：", Some(("南岸区委书记", "许洪斌"))),
            (
                "西部科学城重庆高新区党工委副书记、管委会主任 聂红焰",
                Some(("西部科学城重庆高新区党工委副书记、管委会主任", "聂红焰")),
            ),
            ("市财政局党组书记、局长 美国杰", Some(("市财政局党组书记、局长", "美国杰"))),
            ("彭水县委副书记、县长 欧阳晓明", Some(("彭水县委副书记、县长", "欧阳晓明"))),
            // Not speaker lines.
            ("南岸区委书记许洪斌", None),
            ("抓项目 促投资 提绩效 为高质量发展注入强劲动力", None),
            ("以改革强动力增活力提质效 全力推动高质量发展行稳致远", None),
            ("核心提示", None),
            ("区委书记 卢红同志主持会议并讲话后强调", None),
            ("书记 卢红", None),
            ("万州区坚持用好改革关键一招，系统谋划 卢红", None),
        ] {
            let got = speaker_line(line);
            let got = got.as_ref().map(|s| (s.position.as_str(), s.name.as_str()));
            assert_eq!(got, want, "{line}");
        }
    }

    fn blocks(s: &[&str]) -> Vec<String> {
        s.iter().map(|b| b.to_string()).collect()
    }

    #[test]
    fn column_repair() {
        for (input, want) in [
            (vec!["航线实现", "首航，中老铁路。"], vec!["航线实现首航，中老铁路。"]),
            (vec!["甲。", "乙。"], vec!["甲。", "乙。"]),
            (vec!["大抓工业、", "大抓招商”行动。"], vec!["大抓工业、大抓招商”行动。"]),
            (vec!["一、建体系挑大梁", "一是做强。"], vec!["一、建体系挑大梁", "一是做强。"]),
            (vec!["甲，", "乙", "丙。"], vec!["甲，乙丙。"]),
            (
                vec!["二、全球拓展市场。实施“走出去”行", "动。开通"],
                vec!["二、全球拓展市场。实施“走出去”行动。开通"],
            ),
        ] {
            assert_eq!(repair_columns(&blocks(&input)), blocks(&want), "{input:?}");
        }
    }

    #[test]
    fn structure_either_order() {
        let headline_first = blocks(&[
            "会议标题",
            "——副标题",
            "核心提示",
            "10月21日上午，开会。",
            "标题一 副题",
            "甲区委书记 张三",
            "正文一。",
            "标题二",
            "乙县县长 李四",
            "正文二",
            "接续。",
        ]);
        let speaker_first = blocks(&[
            "会议标题",
            "——副标题",
            "核心提示",
            "10月21日上午，开会。",
            "甲区委书记 张三",
            "标题一 副题",
            "正文一。",
            "乙县县长 李四",
            "标题二",
            "正文二",
            "接续。",
        ]);
        for input in [headline_first, speaker_first] {
            let t = parse(&input).unwrap();
            assert_eq!(t.headline.as_deref(), Some("会议标题"));
            assert_eq!(t.subtitle.as_deref(), Some("副标题"));
            assert_eq!(t.lead, vec!["10月21日上午，开会。"]);
            assert_eq!(t.speeches.len(), 2);
            assert_eq!(t.speeches[0].headline.as_deref(), Some("标题一 副题"));
            assert_eq!(t.speeches[1].speaker, "李四");
            assert_eq!(t.speeches[1].position, "乙县县长");
            assert_eq!(t.speeches[1].paragraphs, vec!["正文二接续。"]);
            assert!(t.warnings.is_empty(), "{:?}", t.warnings);
        }
    }

    #[test]
    fn no_speaker_is_not_a_digest() {
        let input = blocks(&["市委召开全会", "会议听取了工作报告。", "会议强调，要坚定信心。"]);
        assert_eq!(parse(&input), Err(NotADigest));
    }
}
