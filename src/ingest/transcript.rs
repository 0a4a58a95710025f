//! Blocks of a printed digest → its structure: the meeting's headline, subtitle and lead, then
//! each speech's headline, speaker and paragraphs (column breaks repaired). Knows nothing of
//! organisations, metrics or files.
//!
//! Layouts read (each rule applies to every speech of a text, never to one example):
//! - a speaker line `POSITION NAME` (position ends in a title such as 书记 or 局长; the name is
//!   2–4 Han characters after a space, or glued to the title when the line ends in a colon), with
//!   the headline the short line before it, or after it when the paper prints the speaker first;
//! - the speaker in the headline: `POSITION NAME：HEADLINE`, `NAME（POSITION）[：HEADLINE]`;
//! - a byline closing each speech, `（作者系POSITION[ NAME]）`, with the name (if printed) on its
//!   own line under the headline (`卢红`, `□ 卢红`, `文/卢红`);
//! - speaker lines marked by a bullet (■ ● ◆ ▲ …);
//! - numbered speeches: `1.`/`（1）`/`之一` before the headline or speaker line, or on a line of
//!   their own, numbered 1, 2, 3 … through the text (so a numbered body line is never taken).

use std::borrow::Cow;

use super::text::{detection, ends_sentence};

/// The structure of one digest.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Transcript {
    /// The meeting's headline, when the digest prints one before the first speech.
    pub(crate) headline: Option<String>,
    /// The `——` subtitle, without its dashes.
    pub(crate) subtitle: Option<String>,
    /// The lead (核心提示) paragraphs, column breaks repaired.
    pub(crate) lead: Vec<String>,
    pub(crate) speeches: Vec<SpeechText>,
    /// What the parser could not place.
    pub(crate) warnings: Vec<Note>,
}

/// A warning about the text, at the input block it concerns when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Note {
    /// Index into the blocks given to [`parse`].
    pub(crate) block: Option<usize>,
    pub(crate) message: String,
}

/// One speech as printed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SpeechText {
    pub(crate) headline: Option<String>,
    pub(crate) position: String,
    /// None when only a byline without a name identifies the speaker.
    pub(crate) speaker: Option<String>,
    /// Body paragraphs, column breaks repaired.
    pub(crate) paragraphs: Vec<String>,
    /// The input block of the speaker line (or byline).
    pub(crate) block: usize,
    /// The input blocks of the body, before column repair.
    pub(crate) body_blocks: Vec<usize>,
}

/// A speaker line's parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpeakerLine {
    /// The post as printed (区委书记).
    pub position: String,
    /// The speaker's name.
    pub name: String,
    /// The headline printed on the same line (`POSITION NAME：HEADLINE`).
    pub(crate) headline: Option<String>,
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

/// Bullets papers mark speaker lines with.
const BULLETS: &[char] =
    &['■', '□', '●', '○', '◆', '◇', '▲', '△', '▶', '►', '★', '☆', '◎', '•', '·', '▪', '◼'];

fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}')
}

fn is_name(s: &str) -> bool {
    let n = s.chars().count();
    (2..=4).contains(&n)
        && s.chars().all(|c| is_han(c) || c == '·')
        && s.chars().next().is_some_and(is_han)
}

/// True when `s` names a post: ends in a title and is not just the title.
pub(crate) fn is_position(s: &str) -> bool {
    s.chars().count() >= 3
        && TITLES.iter().any(|t| s.ends_with(t))
        && !s.contains(['。', '，', '；', '！', '？', '“', '”', '《', '：'])
}

/// The char spans (start, end) of a speaker line's position, name and inline headline in `det`
/// (detection form), so the original's characters can be cut at the same places.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Spans {
    position: (usize, usize),
    name: (usize, usize),
    headline: Option<(usize, usize)>,
}

/// A char range `(start, end)`.
type Span = (usize, usize);

fn cut(chars: &[char], (a, b): Span) -> String {
    chars[a..b].iter().collect::<String>().trim().to_string()
}

/// Char count of leading bullets and spaces.
fn bullet_len(chars: &[char]) -> usize {
    let n = chars.iter().take_while(|c| BULLETS.contains(c)).count();
    if n == 0 { 0 } else { n + chars[n..].iter().take_while(|c| **c == ' ').count() }
}

/// `POSITION NAME` or `POSITION NAME：`/glued `POSITIONNAME：` over `chars[from..to]`.
fn position_name(chars: &[char], from: usize, to: usize, colon: bool) -> Option<Spans> {
    if to - from > 60 {
        return None;
    }
    if let Some(space) = chars[from..to].iter().rposition(|&c| c == ' ') {
        let position: String = chars[from..from + space].iter().collect();
        let name: String = chars[from + space + 1..to].iter().collect();
        return (is_position(position.trim()) && is_name(&name)).then_some(Spans {
            position: (from, from + space),
            name: (from + space + 1, to),
            headline: None,
        });
    }
    if !colon {
        return None;
    }
    // Glued: the last split where a title ends the position and a name follows.
    let n = to - from;
    (1..n).rev().find_map(|k| {
        let position: String = chars[from..from + k].iter().collect();
        let name: String = chars[from + k..to].iter().collect();
        (is_position(&position) && is_name(&name)).then_some(Spans {
            position: (from, from + k),
            name: (from + k, to),
            headline: None,
        })
    })
}

/// A headline printed after a colon: short, no sentence inside.
fn is_inline_headline(s: &str) -> bool {
    let s = s.trim();
    let n = s.chars().count();
    (4..=80).contains(&n) && !s.contains(['。', '！', '？', '；']) && !ends_sentence(s)
}

/// False for a line no layout reads as a speaker line: no `（` where a `NAME（POSITION）` would
/// open it, and sentence punctuation without a colon (a body paragraph, the common case).
/// Only a quick test before [`spans`] takes the line apart; never false for one it would read.
fn may_be_speaker_line(line: &str) -> bool {
    let bullets = line.chars().take_while(|c| BULLETS.contains(c)).count();
    let spaces =
        if bullets == 0 { 0 } else { line.chars().skip(bullets).take_while(|&c| c == ' ').count() };
    // The name before `（` is at most four characters and a space either side.
    if line.chars().skip(bullets + spaces).take(7).any(|c| c == '（') {
        return true;
    }
    line.contains('：') || !line.contains(['。', '，', '；', '！', '？', '“', '”', '《'])
}

fn spans(det: &str) -> Option<Spans> {
    if !may_be_speaker_line(det.trim()) {
        return None;
    }
    let chars: Vec<char> = det.trim().chars().collect();
    let from = bullet_len(&chars);
    let mut to = chars.len();
    while to > from && chars[to - 1] == ' ' {
        to -= 1;
    }
    if from >= to {
        return None;
    }
    // NAME（POSITION）[：HEADLINE]
    if let Some(open) = chars[from..to].iter().position(|&c| c == '（')
        && let Some(close) = chars[from..to].iter().position(|&c| c == '）')
        && open < close
    {
        let (open, close) = (from + open, from + close);
        let name: String = chars[from..open].iter().collect();
        let position: String = chars[open + 1..close].iter().collect();
        if is_name(name.trim()) && is_position(position.trim()) {
            let rest: String = chars[close + 1..to].iter().collect();
            let headline = match rest.trim() {
                "" | "：" => None,
                r => {
                    let h = r.strip_prefix('：')?;
                    if !is_inline_headline(h) {
                        return None;
                    }
                    Some((close + 2, to))
                }
            };
            return Some(Spans { position: (open + 1, close), name: (from, open), headline });
        }
    }
    let line: String = chars[from..to].iter().collect();
    if line.contains(['。', '，', '；', '！', '？', '“', '”', '《']) && !line.contains('：')
    {
        return None;
    }
    match chars[from..to].iter().position(|&c| c == '：') {
        // `POSITION NAME：` (colon at the end)
        Some(c) if from + c + 1 == to => position_name(&chars, from, from + c, true),
        // `POSITION NAME：HEADLINE`
        Some(c) => {
            let headline: String = chars[from + c + 1..to].iter().collect();
            if !is_inline_headline(&headline) {
                return None;
            }
            let mut found = position_name(&chars, from, from + c, true)?;
            found.headline = Some((from + c + 1, to));
            Some(found)
        }
        None => {
            if line.contains(['，', '；', '“', '”', '《']) {
                return None;
            }
            position_name(&chars, from, to, false)
        }
    }
}

/// Reads a speaker line: "市委常委、万州区委书记 卢红", "南岸区委书记 许洪斌：",
/// "南岸区委书记许洪斌：", "■ 南岸区委书记 许洪斌", "许洪斌（南岸区委书记）",
/// "南岸区委书记 许洪斌：发挥比较优势…". `line` is in detection form (full-width punctuation).
pub fn speaker_line(line: &str) -> Option<SpeakerLine> {
    let chars: Vec<char> = line.trim().chars().collect();
    let s = spans(line)?;
    Some(SpeakerLine {
        position: cut(&chars, s.position),
        name: cut(&chars, s.name),
        headline: s.headline.map(|h| cut(&chars, h)),
    })
}

/// The position and name of a byline closing a speech: `（作者系市委常委、万州区委书记）`
/// → ("市委常委、万州区委书记", None); `（作者系万州区委书记 卢红）` → (…, Some("卢红")).
/// `det` is in detection form. Returns char spans into it.
fn byline(det: &str) -> Option<(Span, Option<Span>)> {
    let chars: Vec<char> = det.trim().chars().collect();
    let inner_end = chars.len().checked_sub(1).filter(|_| chars.last() == Some(&'）'))?;
    let head: String = chars.iter().take(4).collect();
    if !matches!(head.as_str(), "（作者系" | "（作者为" | "（作者是") {
        return None;
    }
    let from = 4;
    let inner: String = chars[from..inner_end].iter().collect();
    if is_position(inner.trim()) {
        return Some(((from, inner_end), None));
    }
    position_name(&chars, from, inner_end, false).map(|s| (s.position, Some(s.name)))
}

/// A line carrying only the author's name under a headline: `卢红`, `□ 卢红`, `文/卢红`.
fn name_line(det: &str) -> Option<(usize, usize)> {
    let chars: Vec<char> = det.trim().chars().collect();
    let mut from = bullet_len(&chars);
    for prefix in ["文/", "文／", "文｜", "文|", "作者：", "本报记者 "] {
        let p: Vec<char> = prefix.chars().collect();
        if from == 0 && chars.starts_with(&p) {
            from = p.len();
        }
    }
    while chars.get(from) == Some(&' ') {
        from += 1;
    }
    let name: String = chars[from.min(chars.len())..].iter().collect();
    is_name(&name).then_some((from, chars.len()))
}

/// True when a body line looks like a speaker line the parser did not read (a hidden character
/// or a typo between title and name): short, no sentence punctuation, a title inside.
pub(crate) fn looks_like_speaker_line(det: &str) -> bool {
    let n = det.chars().count();
    (4..=40).contains(&n)
        && !det.contains(['。', '，', '；', '！', '？', '“', '”'])
        && !ends_sentence(det)
        && TITLES.iter().any(|t| det.contains(t))
}

/// A line that can be a headline: short, no sentence inside, no sentence end.
fn is_headline(line: &str) -> bool {
    let n = line.chars().count();
    (1..=60).contains(&n)
        && !ends_sentence(line)
        && !line.contains(['。', '！', '？'])
        && speaker_line(line).is_none()
        && byline(line).is_none()
}

/// A section opener printed on its own line ("一、建体系挑大梁"): never joined to the next block.
fn is_bare_section(line: &str) -> bool {
    super::sections::number_len(line).is_some()
        && line.chars().count() <= 40
        && !ends_sentence(line)
        && !line.contains(['。', '！', '？'])
}

/// Rejoins blocks a column break split: a block that does not end a sentence joins the next.
pub(crate) fn repair_columns(blocks: &[String]) -> Vec<String> {
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
pub(crate) struct NotADigest;

impl std::fmt::Display for NotADigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            "not a digest of speeches: found no speaker line (`POSITION NAME`, e.g. \
             `南岸区委书记 许洪斌`) and no byline (`（作者系南岸区委书记）`)",
        )
    }
}

const NUMERALS: &str = "一二三四五六七八九十";

/// Value of a Chinese numeral up to 99 ("十二" → 12).
fn chinese_number(s: &str) -> Option<u32> {
    let digit = |c: char| "一二三四五六七八九".find(c).map(|i| i as u32 / 3 + 1);
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        [c] if *c == '十' => Some(10),
        [c] => digit(*c),
        ['十', d] => Some(10 + digit(*d)?),
        [t, '十'] => Some(digit(*t)? * 10),
        [t, '十', d] => Some(digit(*t)? * 10 + digit(*d)?),
        _ => None,
    }
}

/// A speech number opening `det`: `1.` `1．` `1、` `（1）` `之一` `（之一）` `第1篇`-free forms.
/// Returns (number, chars to strip). `一、` is a section number, never a speech number.
fn speech_number(det: &str) -> Option<(u32, usize)> {
    // Every form opens with a digit, `（` or `之`: most lines stop here.
    if !det.starts_with(|c: char| c.is_ascii_digit() || c == '（' || c == '之') {
        return None;
    }
    let chars: Vec<char> = det.chars().collect();
    let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    let spaces = |at: usize| chars[at.min(chars.len())..].iter().take_while(|&&c| c == ' ').count();
    if (1..=3).contains(&digits) {
        let n: u32 = chars[..digits].iter().collect::<String>().parse().ok()?;
        return match chars.get(digits) {
            Some('.' | '．' | '、') if !chars.get(digits + 1).is_some_and(char::is_ascii_digit) => {
                Some((n, digits + 1 + spaces(digits + 1)))
            }
            _ => None,
        };
    }
    let mut at = 0;
    let paren = chars.first() == Some(&'（');
    if paren {
        at = 1;
    }
    let zhi = chars.get(at) == Some(&'之');
    if zhi {
        at += 1;
    }
    let len = chars[at..].iter().take_while(|c| NUMERALS.contains(**c)).count();
    let inner_digits = chars[at..].iter().take_while(|c| c.is_ascii_digit()).count();
    let (n, len) = if len > 0 && (zhi || paren) {
        (chinese_number(&chars[at..at + len].iter().collect::<String>())?, len)
    } else if inner_digits > 0 && paren && !zhi {
        (chars[at..at + inner_digits].iter().collect::<String>().parse().ok()?, inner_digits)
    } else {
        return None;
    };
    at += len;
    if paren {
        if chars.get(at) != Some(&'）') {
            return None;
        }
        at += 1;
    } else if matches!(chars.get(at), Some('：' | '、')) {
        at += 1;
    }
    if !paren && !zhi {
        return None;
    }
    Some((n, at + spaces(at)))
}

/// The blocks with speech numbers and bullets removed where the layout uses them, bylines split
/// from a paragraph they close, each with the index of the input block it came from.
fn clean(blocks: &[String]) -> Vec<(usize, String)> {
    // Split a byline glued to the last paragraph ("…成绩。（作者系…）").
    let mut out: Vec<(usize, String)> = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        let det = detection(block);
        if let Some(open) = det.rfind("（作者")
            && open > 0
            && byline(&det[open..]).is_some()
            && ends_sentence(det[..open].trim_end())
        {
            let at = det[..open].chars().count();
            let original: Vec<char> = block.chars().collect();
            out.push((i, original[..at].iter().collect::<String>().trim().to_string()));
            out.push((i, original[at..].iter().collect()));
        } else {
            out.push((i, block.clone()));
        }
    }
    // Speech numbers: on speaker lines, headlines or alone, counting 1, 2, 3 … through the text.
    let numbered: Vec<(usize, u32, usize)> = out
        .iter()
        .enumerate()
        .filter_map(|(k, (_, b))| {
            let det = detection(b);
            let (n, len) = speech_number(&det)?;
            let rest: String = det.chars().skip(len).collect();
            (rest.is_empty() || speaker_line(&rest).is_some() || is_headline(&rest))
                .then_some((k, n, len))
        })
        .collect();
    let sequential = numbered.len() >= 2
        && numbered.iter().enumerate().all(|(i, &(_, n, _))| n as usize == i + 1);
    if sequential {
        for &(k, _, len) in &numbered {
            out[k].1 = out[k].1.chars().skip(len).collect::<String>().trim().to_string();
        }
        // A number on a line of its own leaves nothing.
        out.retain(|(_, b)| !b.is_empty());
    }
    // Bullets before speaker lines (the bullet is layout, not part of the position).
    for (_, block) in &mut out {
        let chars: Vec<char> = block.chars().collect();
        let n = bullet_len(&chars);
        if n > 0 && speaker_line(&detection(block)).is_some() {
            *block = chars[n..].iter().collect();
        }
    }
    out
}

/// One speech's place among the blocks: (first block, headline, speaker or byline block, first
/// body block, end of body).
#[derive(Debug, Clone)]
struct Place {
    start: usize,
    headline: Option<String>,
    anchor: usize,
    body: usize,
    end: usize,
    position: String,
    speaker: Option<String>,
}

/// Parses the blocks of a digest.
pub(crate) fn parse(input: &[String]) -> Result<Transcript, NotADigest> {
    let cleaned = clean(input);
    let blocks = Blocks {
        origin: cleaned.iter().map(|(i, _)| *i).collect(),
        text: cleaned.into_iter().map(|(_, b)| b).collect(),
    };
    let places = find_places(&blocks.text)?;
    let mut warnings = Vec::new();
    let speeches = places
        .iter()
        .enumerate()
        .map(|(k, place)| blocks.speech(k + 1, place, &mut warnings))
        .collect();
    let (headline, subtitle, lead_blocks) = preamble(&blocks.text[..places[0].start]);
    warnings.sort_by_key(|n: &Note| n.block);
    Ok(Transcript { headline, subtitle, lead: repair_columns(&lead_blocks), speeches, warnings })
}

/// Where each speech is: by bylines when they outnumber speaker lines, else by speaker lines
/// (a byline under a speech with a speaker line closes its body); neither is no digest.
fn find_places(blocks: &[String]) -> Result<Vec<Place>, NotADigest> {
    let det: Vec<Cow<'_, str>> = blocks.iter().map(|b| detection(b)).collect();
    let speakers: Vec<usize> =
        (0..det.len()).filter(|&i| speaker_line(&det[i]).is_some()).collect();
    let bylines: Vec<usize> = (0..det.len()).filter(|&i| byline(&det[i]).is_some()).collect();
    if !bylines.is_empty() && bylines.len() > speakers.len() {
        return Ok(byline_places(blocks, &det, &bylines));
    }
    if speakers.is_empty() {
        return Err(NotADigest);
    }
    let mut places = speaker_places(blocks, &det, &speakers);
    // A byline under a speech that also has a speaker line closes its body.
    for place in &mut places {
        if let Some(&b) = bylines.iter().find(|&&b| (place.body..place.end).contains(&b)) {
            place.end = b;
        }
    }
    Ok(places)
}

/// The blocks of a digest after cleaning, with the input block each one came from.
struct Blocks {
    text: Vec<String>,
    origin: Vec<usize>,
}

impl Blocks {
    /// A warning about block `block`, pointing at its input block.
    fn note(&self, block: usize, message: String) -> Note {
        Note { block: Some(self.origin[block]), message }
    }

    /// Speech `number` (1, 2, 3 …) at `place`, warning of a missing name, headline or text and
    /// of a body that stops mid-sentence.
    fn speech(&self, number: usize, place: &Place, warnings: &mut Vec<Note>) -> SpeechText {
        let who = format!("{} {}", place.position, place.speaker.as_deref().unwrap_or(""));
        let who = who.trim();
        if place.speaker.is_none() {
            warnings.push(self.note(
                place.anchor,
                format!(
                    "speech {number}: the byline gives no name ({who}): speaker left out; add \
                     `speaker:` to the speech file by hand"
                ),
            ));
        }
        if place.headline.is_none() {
            warnings.push(
                self.note(place.anchor, format!("speech {number}: no headline found for {who}")),
            );
        }
        let body = place.body.min(place.end)..place.end;
        let paragraphs = repair_columns(&self.text[body.clone()]);
        if let Some(last) = paragraphs.last()
            && !ends_sentence(&detection(last))
        {
            warnings.push(self.note(
                place.end.saturating_sub(1),
                format!("speech {number}: last paragraph ends mid-sentence: …{}", tail(last, 20)),
            ));
        }
        if paragraphs.is_empty() {
            warnings.push(self.note(place.anchor, format!("speech {number}: {who} has no text")));
        }
        let mut body_blocks: Vec<usize> = body.map(|i| self.origin[i]).collect();
        body_blocks.dedup();
        SpeechText {
            headline: place.headline.as_deref().map(strip_bullets),
            position: place.position.clone(),
            speaker: place.speaker.clone(),
            paragraphs,
            block: self.origin[place.anchor],
            body_blocks,
        }
    }
}

/// The blocks before the first speech, read: the headline, the `——` subtitle and the lead
/// (核心提示) blocks, in that order.
fn preamble(blocks: &[String]) -> (Option<String>, Option<String>, Vec<String>) {
    let mut headline = None;
    let mut subtitle = None;
    let mut lead_blocks = Vec::new();
    for block in blocks {
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
    (headline, subtitle, lead_blocks)
}

fn strip_bullets(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    chars[bullet_len(&chars)..].iter().collect()
}

/// Speeches opened by speaker lines (headline before, after or on the speaker line).
fn speaker_places(blocks: &[String], det: &[Cow<'_, str>], speakers: &[usize]) -> Vec<Place> {
    let headline_at = |i: usize| det.get(i).is_some_and(|l| is_headline(l));
    let before = speakers.iter().filter(|&&s| s > 0 && headline_at(s - 1)).count();
    let after = speakers.iter().filter(|&&s| headline_at(s + 1)).count();
    let speaker_first = after > before;
    let mut places: Vec<Place> = Vec::new();
    for (k, &s) in speakers.iter().enumerate() {
        let floor = if k == 0 { 0 } else { speakers[k - 1] + 1 };
        let chars: Vec<char> = blocks[s].trim().chars().collect();
        let spans = spans(&det[s]).expect("found");
        let position = cut(&chars, spans.position);
        let speaker = Some(cut(&chars, spans.name));
        let (start, headline, body) = if let Some(h) = spans.headline {
            (s, Some(cut(&chars, h)), s + 1)
        } else if speaker_first {
            let has = headline_at(s + 1) && speakers.get(k + 1) != Some(&(s + 1));
            (s, has.then(|| blocks[s + 1].clone()), if has { s + 2 } else { s + 1 })
        } else {
            let has = s > floor && headline_at(s - 1);
            (if has { s - 1 } else { s }, has.then(|| blocks[s - 1].clone()), s + 1)
        };
        places.push(Place { start, headline, anchor: s, body, end: 0, position, speaker });
    }
    for k in 0..places.len() {
        places[k].end = places.get(k + 1).map_or(blocks.len(), |next| next.start);
    }
    places
}

/// Speeches closed by bylines: each runs from the end of the one before (the first from the end
/// of the lead) to its byline; a headline opens it, a name line may follow the headline.
fn byline_places(blocks: &[String], det: &[Cow<'_, str>], bylines: &[usize]) -> Vec<Place> {
    let floors: Vec<usize> = (0..bylines.len())
        .map(|k| if k == 0 { first_speech_start(det, bylines[0]) } else { bylines[k - 1] + 1 })
        .collect();
    // The name above the headline (`□ 卢红` / `以改革强动力…`) when most speeches print it so.
    let name_above = |f: usize, b: usize| {
        f + 1 < b
            && name_line(&det[f]).is_some()
            && is_headline(&det[f + 1])
            && name_line(&det[f + 1]).is_none()
    };
    let above = floors.iter().zip(bylines).filter(|&(&f, &b)| name_above(f, b)).count();
    let name_first = above * 2 > bylines.len();
    let name_at = |i: usize| {
        let line: Vec<char> = blocks[i].trim().chars().collect();
        cut(&line, name_line(&det[i]).expect("a name line"))
    };
    let mut places = Vec::new();
    for (&floor, &b) in floors.iter().zip(bylines) {
        let chars: Vec<char> = blocks[b].trim().chars().collect();
        let (position_span, name_span) = byline(&det[b]).expect("found");
        let position = cut(&chars, position_span);
        let mut speaker = name_span.map(|s| cut(&chars, s));
        let start = floor;
        // A name line among the speech's first blocks, under its headline (or above it).
        let named = (floor + 1..b.min(floor + 3))
            .find(|&i| name_line(&det[i]).is_some() && is_headline(&det[i - 1]));
        let (headline, body) = if name_first && name_above(floor, b) {
            speaker.get_or_insert(name_at(floor));
            (Some(blocks[floor + 1].clone()), floor + 2)
        } else if let Some(i) = named.filter(|_| !name_first) {
            speaker.get_or_insert(name_at(i));
            (Some(blocks[i - 1].clone()), i + 1)
        } else if floor < b && is_headline(&det[floor]) {
            (Some(blocks[floor].clone()), floor + 1)
        } else {
            (None, floor)
        };
        places.push(Place { start, headline, anchor: b, body, end: b, position, speaker });
    }
    places
}

/// Where the first speech of a byline layout starts: the first headline-like block after the
/// lead (the first block that ends a sentence), before the first byline.
fn first_speech_start(det: &[Cow<'_, str>], first_byline: usize) -> usize {
    let lead_end = (0..first_byline).find(|&i| ends_sentence(&det[i]));
    let from = lead_end.map_or(1.min(first_byline), |i| i + 1);
    (from..first_byline)
        .find(|&i| is_headline(&det[i]) || name_line(&det[i]).is_some())
        .unwrap_or(from)
}

fn tail(s: &str, n: usize) -> String {
    let count = s.chars().count();
    s.chars().skip(count.saturating_sub(n)).collect()
}

/// The units a lead lists before "负责同志" ("万州区、涪陵区、…、市财政局负责同志作现场交流发言").
pub(crate) fn participants(lead: &str) -> Option<Vec<String>> {
    let det = detection(lead);
    let at = det.find("负责同志")?;
    let start = det[..at]
        .rfind(['。', '，', '：', '\n'])
        .map_or(0, |i| i + det[i..].chars().next().map_or(0, char::len_utf8));
    // Byte offsets are the detection form's; its punctuation may be wider than the original's.
    let list = det[start..at].trim().trim_end_matches('等').trim();
    let names: Vec<String> = list
        .split(['、', '，', ','])
        .map(|s| s.trim().trim_start_matches('和').to_string())
        .filter(|s| !s.is_empty())
        .collect();
    (!names.is_empty()).then_some(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn participant_lists() {
        for (lead, want) in [
            (
                "10月21日上午，市委召开例会。万州区、涪陵区、市财政局负责同志作现场交流发言。",
                Some(vec!["万州区", "涪陵区", "市财政局"]),
            ),
            ("会上，甲区、乙县等负责同志发言。", Some(vec!["甲区", "乙县"])),
            ("市委召开例会。", None),
        ] {
            let want = want.map(|w| w.into_iter().map(String::from).collect::<Vec<_>>());
            assert_eq!(participants(lead), want, "{lead}");
        }
    }

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

    #[test]
    fn speaker_line_layouts() {
        for (line, want) in [
            ("■ 南岸区委书记 许洪斌", Some(("南岸区委书记", "许洪斌", None))),
            ("◆南岸区委书记 许洪斌：", Some(("南岸区委书记", "许洪斌", None))),
            ("许洪斌（南岸区委书记）", Some(("南岸区委书记", "许洪斌", None))),
            (
                "许洪斌（市委常委、南岸区委书记）：发挥比较优势 聚力攻坚突破",
                Some(("市委常委、南岸区委书记", "许洪斌", Some("发挥比较优势 聚力攻坚突破"))),
            ),
            (
                "万州区委书记 卢红：以改革强动力增活力提质效",
                Some(("万州区委书记", "卢红", Some("以改革强动力增活力提质效"))),
            ),
            // A sentence after the colon is speech text, not a headline.
            ("万州区委书记 卢红：我们坚持改革，成效明显。", None),
            ("卢红（右二）", None),
            ("许洪斌（南岸区委书记）说，要抓项目。", None),
        ] {
            let got = speaker_line(line);
            let got =
                got.as_ref().map(|s| (s.position.as_str(), s.name.as_str(), s.headline.as_deref()));
            assert_eq!(got, want, "{line}");
        }
    }

    #[test]
    fn speech_numbers() {
        for (line, want) in [
            ("1. 以改革强动力", Some((1, 3))),
            ("12．标题", Some((12, 3))),
            ("3、标题", Some((3, 2))),
            ("（2）标题", Some((2, 3))),
            ("之一", Some((1, 2))),
            ("（之十二）", Some((12, 5))),
            ("之三：标题", Some((3, 3))),
            ("1.5%的增长", None),
            ("2024年", None),
            ("一、建体系", None),
            ("之后", None),
        ] {
            assert_eq!(speech_number(line), want, "{line}");
        }
    }

    #[test]
    fn bylines_and_name_lines() {
        let get = |line: &str| {
            let chars: Vec<char> = line.chars().collect();
            byline(line).map(|(p, n)| (cut(&chars, p), n.map(|n| cut(&chars, n))))
        };
        assert_eq!(
            get("（作者系市委常委、万州区委书记）"),
            Some(("市委常委、万州区委书记".into(), None))
        );
        assert_eq!(
            get("（作者为万州区委书记 卢红）"),
            Some(("万州区委书记".into(), Some("卢红".into())))
        );
        assert_eq!(get("（作者系本报记者）"), None);
        assert_eq!(get("作者系万州区委书记"), None);
        for (line, name) in [
            ("卢红", Some("卢红")),
            ("□ 卢红", Some("卢红")),
            ("文/卢红", Some("卢红")),
            ("卢红说", Some("卢红说")),
            ("以改革强动力", None),
        ] {
            let chars: Vec<char> = line.chars().collect();
            assert_eq!(name_line(line).map(|s| cut(&chars, s)).as_deref(), name, "{line}");
        }
    }

    #[test]
    fn byline_layout_without_names() {
        let t = parse(&blocks(&[
            "会议标题",
            "10月21日，开会。",
            "标题一",
            "正文一。",
            "（作者系甲区委书记）",
            "标题二",
            "□ 李四",
            "正文二，",
            "接续。（作者系乙县县长）",
        ]))
        .unwrap();
        assert_eq!(t.speeches.len(), 2);
        assert_eq!(t.speeches[0].speaker, None);
        assert_eq!(t.speeches[0].headline.as_deref(), Some("标题一"));
        assert_eq!(t.speeches[0].position, "甲区委书记");
        assert_eq!(t.speeches[1].speaker.as_deref(), Some("李四"));
        assert_eq!(t.speeches[1].paragraphs, vec!["正文二，接续。"]);
        assert_eq!(t.warnings.len(), 1, "{:?}", t.warnings);
        assert_eq!(t.warnings[0].block, Some(4));
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
            assert_eq!(t.speeches[1].speaker.as_deref(), Some("李四"));
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

    #[test]
    fn warnings_name_the_speech_and_point_at_its_block() {
        let t = parse(&blocks(&[
            "会议标题",
            "10月21日上午，开会。",
            "甲区委书记 张三",
            "标题一",
            "正文一，说到一半",
            "乙县县长 李四",
            "正文二开头就是一句话，没有标题。",
            "正文二。",
            "丙县县长 王五",
            "标题三",
            "正文三。",
            "丁县县长 赵六",
            "标题四",
        ]))
        .unwrap();
        let shown: Vec<(Option<usize>, &str)> =
            t.warnings.iter().map(|n| (n.block, n.message.as_str())).collect();
        assert_eq!(
            shown,
            [
                (Some(4), "speech 1: last paragraph ends mid-sentence: …正文一，说到一半"),
                (Some(5), "speech 2: no headline found for 乙县县长 李四"),
                (Some(11), "speech 4: 丁县县长 赵六 has no text"),
            ]
        );
        // Warned about, nothing dropped: speech 2's first sentence stays its text.
        assert_eq!(t.speeches[1].headline, None);
        assert_eq!(t.speeches[1].paragraphs[0], "正文二开头就是一句话，没有标题。");
        assert_eq!(t.speeches[3].headline.as_deref(), Some("标题四"));
        assert!(t.speeches[3].paragraphs.is_empty());
    }
}
