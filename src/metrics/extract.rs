//! Growth figures out of speech text, and a speech's canonical metrics out of its lead.
//!
//! Pure functions over text: no I/O. The text is read in its normalised form (`normalize`),
//! split into sentences (。！？) and clauses (，；：, never inside parentheses), and each clause
//! is scanned for measures: `VERB [link] [qualifier] VALUE[、VALUE…] [qualifier]`, where VERB is
//! one of the lexicon's growth or decline verbs and each VALUE a number with `%`, `倍` or
//! `个百分点`. The words before a measure are its subject, an optional absolute amount
//! (`实现1245.4亿元`) and a basis of comparison (`同比`, `比上年`, `两年平均`). A subject left
//! out (`…1415.4亿元，增长28.1%`) is the previous clause's; `分别` lists pair up with their
//! values and share their head (`电子信息、先进材料增加值`). Shares, contributions (`拉动…个
//! 百分点`), gaps (`高于全市…`) and bounds (`均超过10%`) are never figures; targets and plans
//! are figures of kind target. Only a lead's year-on-year outcomes become metrics.

use indexmap::IndexMap;

use crate::content::front_matter::{Figure, FigureKind};
use crate::metrics::Indicators;
use crate::metrics::lexicon::{self as lx, Verb, any_at, at, contains_any, has_any};
use crate::metrics::normalize::{self, Reading};

/// A figure and what the metric step needs to know about it.
#[derive(Debug, Clone)]
struct Found {
    figure: Figure,
    /// The subject without a part-period prefix.
    noun: String,
    /// Year-on-year by its basis, not adjusted, not one of a list of areas.
    yoy: bool,
    /// The period the figure is for, as written (its own or its sentence's).
    period: Option<String>,
}

/// What a clause said that a later clause with no subject may refer to.
#[derive(Debug, Clone)]
enum Item {
    /// A growth figure's subject.
    Figure(String),
    /// A subject with an absolute amount and no rate (`社会消费品零售总额1415.4亿元`).
    Amount(String, String),
    /// A share, rate or completion (`占外贸总值的57%`), with the noun it is about.
    Share(String),
    /// A basis of comparison alone (`按可比价格计算`).
    Basis(String),
    /// Some other subject-like words.
    Noun(String),
}

/// One measure: a verb and the values after it.
#[derive(Debug, Clone)]
struct Measure {
    verb: Verb,
    values: Vec<(f64, &'static str)>,
    qualifier: Option<String>,
    end: usize,
}

/// Every growth figure in `text`, in reading order.
pub fn figures(text: &str) -> Vec<Figure> {
    parse(text).into_iter().map(|f| f.figure).collect()
}

fn is_open(c: char) -> bool {
    matches!(c, '(' | '[' | '【' | '〔')
}

fn is_close(c: char) -> bool {
    matches!(c, ')' | ']' | '】' | '〕')
}

fn is_sentence_end(c: char) -> bool {
    matches!(c, '。' | '!' | '?' | '\n' | '…')
}

fn is_clause_end(c: char) -> bool {
    matches!(c, ',' | ';' | ':')
}

fn is_joint(c: char) -> bool {
    matches!(c, '、' | '和' | '及' | '与')
}

/// Ranges of `chars[from..to]` split at `end`, outside parentheses.
fn split_at(chars: &[char], from: usize, to: usize, end: fn(char) -> bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = from;
    for (i, &c) in chars.iter().enumerate().take(to).skip(from) {
        if is_open(c) {
            depth += 1;
        } else if is_close(c) {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && end(c) {
            if i > start {
                out.push((start, i));
            }
            start = i + 1;
        }
    }
    if to > start {
        out.push((start, to));
    }
    out
}

/// A number at `i`: (value, index after it). A digit glued before it is not a start.
fn number_at(s: &[char], i: usize) -> Option<(f64, usize)> {
    if i > 0 && (s[i - 1].is_ascii_digit() || s[i - 1] == '.') {
        return None;
    }
    let mut j = i;
    let negative = matches!(s.get(j), Some('-' | '−'));
    if negative || s.get(j) == Some(&'+') {
        j += 1;
    }
    let digits_start = j;
    while j < s.len() && s[j].is_ascii_digit() && j - digits_start < 12 {
        j += 1;
    }
    if j == digits_start {
        return None;
    }
    if s.get(j) == Some(&'.') && s.get(j + 1).is_some_and(|c| c.is_ascii_digit()) {
        j += 1;
        while j < s.len() && s[j].is_ascii_digit() {
            j += 1;
        }
    }
    let text: String = s[digits_start..j].iter().collect();
    let value: f64 = text.parse().ok()?;
    Some((if negative { -value } else { value }, j))
}

/// The values after a verb at `i` (the verb's end), up to `limit`.
fn measure_at(s: &[char], verb: Verb, i: usize, limit: usize) -> Option<Measure> {
    let s = &s[..limit];
    let mut j = i + verb.word.chars().count();
    if let Some((_, n)) = any_at(s, j, lx::LINKS) {
        j += n;
    }
    let mut qualifier = None;
    if let Some((q, n)) = any_at(s, j, lx::QUALIFIERS_BEFORE) {
        qualifier = Some(q.to_string());
        j += n;
    }
    let mut values: Vec<(f64, Option<&'static str>)> = Vec::new();
    loop {
        let (value, mut k) = number_at(s, j)?;
        let unit = lx::UNITS.iter().find(|(w, _)| at(s, k, w));
        match unit {
            Some((w, u)) => {
                k += w.chars().count();
                values.push((value, Some(u)));
            }
            None => {
                // "2.6个、2.6个、1.2个百分点", "2.99、0.46个百分点": the unit comes once, last.
                if at(s, k, "个") && s.get(k + 1).is_some_and(|c| is_joint(*c)) {
                    k += 1;
                }
                if !s.get(k).is_some_and(|c| is_joint(*c)) {
                    return None;
                }
                values.push((value, None));
            }
        }
        j = k;
        let more = s.get(j).is_some_and(|c| is_joint(*c))
            && number_at(s, j + 1).is_some()
            && values.len() < 64;
        if !more {
            break;
        }
        j += 1;
    }
    let last_unit = values.last().and_then(|(_, u)| *u)?;
    let values: Vec<(f64, &'static str)> =
        values.into_iter().map(|(v, u)| (v, u.unwrap_or(last_unit))).collect();
    if let Some((q, n)) = any_at(s, j, lx::QUALIFIERS_AFTER) {
        qualifier = Some(q.to_string());
        j += n;
    }
    Some(Measure { verb, values, qualifier, end: j })
}

/// The first period of a paragraph that is its reporting period: the first one that says
/// 今年 when there is one (a review of last year, then this year), else the first.
fn paragraph_period(s: &[char]) -> Option<String> {
    let mut first = None;
    let mut i = 0;
    while i < s.len() {
        let after_comparison = i > 0 && matches!(s[i - 1], '比' | '较' | '于' | '从' | '至');
        if !after_comparison && let Some(n) = lx::period_at(s, i) {
            let p: String = s[i..i + n].iter().collect();
            // "今年以来" and "年初以来" name no period.
            if !p.ends_with("以来") {
                if p.contains("今年") {
                    return Some(p);
                }
                first.get_or_insert(p);
            }
            i += n;
            continue;
        }
        i += 1;
    }
    first
}

/// The words before a measure, read: the subject's noun phrase and the basis of comparison.
struct Lead {
    noun: Noun,
    basis: Option<String>,
}

/// What every figure of one measure shares.
struct Shared {
    /// The period the figures are for, as written (their own or their sentence's).
    period: Option<String>,
    /// The period is a part of the paragraph's reporting period (上半年 in a 前三季度 paragraph).
    part: bool,
    /// The figures are targets or plans.
    target: bool,
    /// Year-on-year outcomes (see [`Found::yoy`]).
    yoy: bool,
    /// The measure's words as printed.
    text: String,
}

/// A noun phrase read out of a subject's words.
#[derive(Debug, Default)]
struct Noun {
    text: String,
    period: Option<String>,
    amount: Option<String>,
}

fn strip_leading(s: &[char], words: &[&str]) -> Option<usize> {
    any_at(s, 0, words).map(|(_, n)| n)
}

fn ends_with(s: &[char], word: &str) -> bool {
    let mut k = s.len();
    for w in word.chars().rev() {
        if k == 0 || s[k - 1] != w {
            return false;
        }
        k -= 1;
    }
    true
}

/// Strips an amount (`1245.4亿元`, `10293亿元和3544.9亿元`, a bare `28.4`) from the end of
/// `s`: the new length and the amount as read.
fn strip_amount(s: &[char]) -> Option<(usize, String)> {
    let mut end = s.len();
    let mut found: Option<usize> = None;
    loop {
        let unit = lx::AMOUNT_UNITS
            .iter()
            .find(|u| ends_with(&s[..end], u))
            .map(|u| u.chars().count())
            .unwrap_or(0);
        let mut k = end - unit;
        let digits_end = k;
        while k > 0 && (s[k - 1].is_ascii_digit() || s[k - 1] == '.') {
            k -= 1;
        }
        if k == digits_end || !s[k..digits_end].iter().any(|c| c.is_ascii_digit()) {
            break;
        }
        found = Some(k);
        if k > 0 && is_joint(s[k - 1]) {
            end = k - 1;
        } else {
            break;
        }
    }
    let start = found?;
    Some((start, s[start..].iter().collect()))
}

/// Reads the words before a measure (or a whole clause) into a noun phrase: without leading
/// connectives, periods and own-area words, trailing adverbs, links, amounts and fillers.
fn read_noun(s: &[char]) -> Noun {
    let mut noun = Noun::default();
    let mut a = 0;
    let mut b = s.len();
    loop {
        let rest = &s[a..b];
        if rest.first().is_some_and(|c| matches!(c, '、' | ' ' | '"' | '“' | '”')) {
            a += 1;
        } else if let Some(n) = strip_leading(rest, lx::CONNECTIVES) {
            a += n;
        } else if let Some(n) = lx::period_at(rest, 0) {
            noun.period = Some(rest[..n].iter().collect());
            a += n;
        } else if let Some(n) = strip_leading(rest, lx::OWN_AREAS) {
            a += n;
        } else if let Some(n) = strip_leading(rest, &["累计完成", "累计实现", "实现", "完成"])
            .filter(|n| rest.len() > *n)
        {
            a += n;
        } else {
            break;
        }
    }
    loop {
        let rest = &s[a..b];
        let trailing = lx::ADVERBS
            .iter()
            .chain(lx::FILLERS)
            .chain(&[
                "大关", "增速", "增幅", "降幅", "的", "、", "为", "是", "达到", "达", "突破",
                "超过", "约",
            ])
            .find(|w| ends_with(rest, w));
        if let Some(w) = trailing {
            b -= w.chars().count();
            continue;
        }
        if rest.last().is_some_and(|c| is_close(*c)) {
            // A note in parentheses after the amount: "4894元(全国5963元…)".
            let mut depth = 0;
            let mut k = rest.len();
            while k > 0 {
                k -= 1;
                if is_close(rest[k]) {
                    depth += 1;
                } else if is_open(rest[k]) {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
            }
            if k > 0 && strip_amount(&rest[..k]).is_some() {
                b = a + k;
                continue;
            }
            break;
        }
        if noun.amount.is_none()
            && let Some((k, amount)) = strip_amount(rest)
            && k > 0
        {
            noun.amount = Some(amount);
            b = a + k;
            continue;
        }
        break;
    }
    noun.text = s[a..b].iter().collect();
    noun
}

/// Where a basis of comparison starts in `s`, if anywhere.
fn basis_start(s: &[char]) -> Option<usize> {
    (0..s.len()).find(|&k| {
        let first = matches!(
            s[k],
            '扣' | '按' | '可' | '同' | '环' | '两' | '年' | '名' | '实' | '相' | '比' | '较'
        );
        first && any_at(s, k, lx::BASIS_WORDS).is_some()
            || (s[k] == '比'
                && s.get(k + 1).is_some_and(|c| {
                    c.is_ascii_digit()
                        || matches!(c, '上' | '去' | '同' | '全' | '一' | '二' | '三' | '前' | '元')
                }))
    })
}

/// Splits a list subject into `n` items: at `、`, else at any list joint; `城乡` pairs into
/// 城镇 and 农村; the last item's head is carried to items that have none.
fn split_subjects(noun: &str, n: usize) -> Option<Vec<String>> {
    if n == 1 {
        return Some(vec![noun.to_string()]);
    }
    let items: Vec<String> = if let Some(rest) = noun.strip_prefix("城乡").filter(|_| n == 2) {
        vec![format!("城镇{rest}"), format!("农村{rest}")]
    } else {
        let by_comma: Vec<&str> = noun.split('、').collect();
        let by_any: Vec<&str> = noun.split(is_joint).collect();
        let pick = if by_comma.len() == n { by_comma } else { by_any };
        if pick.len() != n || pick.iter().any(|s| s.trim().is_empty()) {
            return None;
        }
        pick.into_iter().map(|s| s.trim().to_string()).collect()
    };
    let last = items.last()?.clone();
    let last_chars: Vec<char> = last.chars().collect();
    let head = lx::SHARED_HEADS.iter().find(|h| last.ends_with(*h) && last != **h);
    let n_items = items.len();
    Some(
        items
            .into_iter()
            .enumerate()
            .map(|(k, item)| {
                let len = item.chars().count();
                let has_head = lx::SHARED_HEADS.iter().any(|x| item.ends_with(x))
                    || item.ends_with(['量', '额', '数', '率']);
                if k + 1 == n_items || has_head || lx::is_area(&item) {
                    return item;
                }
                // A short modifier shares the noun after the last item's modifier of the same
                // length: "城镇、农村居民人均可支配收入", "大型、中型、小型企业利润",
                // "烟酒类、饮料类商品零售额".
                if len <= 3 && last_chars.len() > len {
                    let rest: String = last_chars[len..].iter().collect();
                    if ["居民", "常住居民", "企业", "商品"].iter().any(|h| rest.starts_with(h))
                    {
                        return format!("{item}{rest}");
                    }
                }
                match head {
                    Some(h) => format!("{item}{h}"),
                    None => item,
                }
            })
            .collect(),
    )
}

fn is_rate_noun(noun: &str) -> bool {
    noun.ends_with('率') || contains_any(noun, lx::SHARE_WORDS)
}

/// Where the first word that makes later values of a sentence targets or plans ends, if any
/// (`主要预期目标是`, `力争`, `计划增长`; not `完成全年目标的`).
fn target_marker(s: &[char], a: usize, b: usize) -> Option<usize> {
    (a..b).find_map(|k| {
        let (_, n) = any_at(s, k, lx::TARGET_WORDS)?;
        let excluded = lx::NOT_TARGET.iter().any(|w| at(s, k, w));
        (!excluded && k + n <= b).then_some(k + n)
    })
}

struct Parser<'a> {
    r: &'a Reading,
    out: Vec<Found>,
    /// The paragraph's reporting period.
    period: Option<String>,
    /// The last figure's subject, for a sentence that opens without one.
    topic: Option<String>,
    /// The paragraph speaks of growth (增速, 增长, 增幅): a rate after an area's name is one.
    about_growth: bool,
}

/// True when `text` prints a unit a figure needs (%, ％, 倍, 百分点): no unit, no figure, so
/// most paragraphs are passed over without being read.
fn has_unit(text: &str) -> bool {
    text.contains(['%', '％', '倍']) || text.contains("百分点") || text.contains("百分點")
}

fn parse(text: &str) -> Vec<Found> {
    read_figures(text).0
}

/// The figures of `text` and its reporting period (None when it prints no unit).
fn read_figures(text: &str) -> (Vec<Found>, Option<String>) {
    if !has_unit(text) {
        return (Vec::new(), None);
    }
    let r = normalize::read(text);
    let period = paragraph_period(&r.chars);
    (parse_reading(&r, period.clone()), period)
}

/// The figures of a text read into its reading form, whose reporting period is `period`.
fn parse_reading(r: &Reading, period: Option<String>) -> Vec<Found> {
    let about_growth =
        r.chars.windows(2).any(|w| w[0] == '增' && matches!(w[1], '速' | '长' | '幅'));
    let mut p = Parser { r, out: Vec::new(), period, topic: None, about_growth };
    for (a, b) in split_at(&r.chars, 0, r.chars.len(), is_sentence_end) {
        p.sentence(a, b);
    }
    p.out
}

impl Parser<'_> {
    fn sentence(&mut self, a: usize, b: usize) {
        let s = &self.r.chars;
        // No unit, no figure; and what a sentence says is only referred to inside it.
        let unit =
            |k: usize| s[k] == '%' || s[k] == '倍' || (s[k] == '点' && k > a && s[k - 1] == '分');
        if !(a..b).any(unit) {
            return;
        }
        let mut items: Vec<Item> = Vec::new();
        let mut sentence_period: Option<String> = None;
        let target_at = target_marker(s, a, b);
        for (c0, c1) in split_at(s, a, b, is_clause_end) {
            let mut floor = c0;
            let mut found_any = false;
            let mut i = c0;
            while i < c1 {
                let Some(verb) = lx::verb_at(s, i) else {
                    i += 1;
                    continue;
                };
                let Some(m) = measure_at(s, verb, i, c1) else {
                    i += 1;
                    continue;
                };
                self.measure(&m, target_at, floor, i, &mut items, &mut sentence_period);
                found_any = true;
                floor = m.end;
                i = m.end;
            }
            if !found_any {
                self.clause_item(c0, c1, &mut items, &mut sentence_period);
            }
            if self.about_growth && s[c0..c1].contains(&'%') {
                self.area_rates(c0, c1);
            }
        }
    }

    /// Rates printed right after a province's name, in a sentence about growth:
    /// "广东（3.3%）、江苏（4.6%）", "湖北为18.7%".
    fn area_rates(&mut self, c0: usize, c1: usize) {
        let s = &self.r.chars[..c1];
        let mut i = c0;
        while i < c1 {
            let starts_item = i == c0
                || matches!(s[i - 1], '、' | ' ')
                || [&"其中", &"而", &"和"].iter().any(|w| i >= 2 && ends_with(&s[..i], w));
            if !starts_item {
                i += 1;
                continue;
            }
            let area = lx::NAMED_AREAS
                .iter()
                .filter(|a| !matches!(**a, "全国" | "中国" | "我国") && at(s, i, a))
                .map(|a| a.chars().count())
                .max();
            let Some(mut n) = area.filter(|_| starts_item) else {
                i += 1;
                continue;
            };
            if matches!(s.get(i + n), Some('省' | '市')) {
                n += 1;
            }
            let j = i + n;
            let (open, close) = match s.get(j) {
                Some('(') => (1, true),
                Some('为') => (1, false),
                _ => (0, false),
            };
            let value = (open == 1).then(|| number_at(s, j + 1)).flatten();
            let Some((value, k)) = value else {
                i += 1;
                continue;
            };
            let percent = s.get(k) == Some(&'%');
            let closed = !close || s.get(k + 1) == Some(&')');
            let share = !close && s.get(k + 1) == Some(&'的');
            if percent && closed && !share {
                let end = if close { k + 2 } else { k + 1 };
                let subject: String = s[i..i + n].iter().collect();
                self.out.push(Found {
                    figure: Figure {
                        subject: subject.clone(),
                        value,
                        unit: "%".into(),
                        text: self.r.original_text(i, end),
                        ..Default::default()
                    },
                    noun: subject,
                    yoy: false,
                    period: None,
                });
                i = end;
                continue;
            }
            i += 1;
        }
    }

    /// Remembers what a clause without a figure said.
    fn clause_item(
        &self,
        c0: usize,
        c1: usize,
        items: &mut Vec<Item>,
        sentence_period: &mut Option<String>,
    ) {
        let s = &self.r.chars[c0..c1];
        let noun = read_noun(s);
        if let Some(p) = &noun.period {
            sentence_period.replace(p.clone());
        }
        // A rank ("位居全市第1位") or a change ("比去年同期增加102个") is no subject.
        if has_any(s, &["位居", "排名", "居全", "排全", "列全"]) || basis_start(s) == Some(0)
        {
            return;
        }
        let has_percent = s.contains(&'%');
        if has_percent
            && (has_any(s, lx::SHARE_WORDS) || s.iter().any(|c| matches!(c, '率' | '的' | '为')))
        {
            let cut = s.iter().position(|c| matches!(c, '占' | '为')).unwrap_or(0);
            items.push(Item::Share(read_noun(&s[..cut]).text));
            return;
        }
        if matches!(s.first(), Some('按' | '扣' | '根' | '据' | '初')) {
            items.push(Item::Basis(s.iter().collect()));
            return;
        }
        if let Some(amount) = noun.amount {
            items.push(Item::Amount(noun.text, amount));
            return;
        }
        // Words up to the first verb-like word: "固定资产投资保持稳健增长".
        let cut = (0..s.len())
            .find(|&k| {
                lx::verb_at(s, k).is_some() || any_at(s, k, &["保持", "呈", "实现"]).is_some()
            })
            .unwrap_or(s.len());
        let noun = read_noun(&s[..cut]);
        if !noun.text.is_empty() && noun.text.chars().count() <= 40 {
            items.push(Item::Noun(noun.text));
        }
    }

    /// Reads one measure, whose verb is at `verb_at` and whose words start at `floor`, into
    /// figures (`target_at`: where the sentence's first target word ends, if any); a measure
    /// that is no growth figure only leaves what later clauses may refer to.
    #[allow(clippy::too_many_arguments)]
    fn measure(
        &mut self,
        m: &Measure,
        target_at: Option<usize>,
        floor: usize,
        verb_at: usize,
        items: &mut Vec<Item>,
        sentence_period: &mut Option<String>,
    ) {
        let s = &self.r.chars;
        let pre = &s[floor..verb_at];
        let pre_text: String = pre.iter().collect();
        let unit = m.values.last().map(|v| v.1).unwrap_or("%");
        let points = unit == "个百分点";
        let Some(mut lead) = read_lead(m, pre, &pre_text, points, items) else {
            return;
        };
        if let Some(p) = &lead.noun.period {
            sentence_period.replace(p.clone());
        }
        if !self.resolve_subject(&mut lead, points, items) {
            return;
        }

        let period = lead.noun.period.clone().or_else(|| sentence_period.clone());
        let part = period.as_deref().is_some_and(|p| {
            lx::is_part_period(p)
                && self.period.as_deref().map(lx::period_core) != Some(lx::period_core(p))
        });
        let Some(subjects) = split_subjects(&lead.noun.text, m.values.len()) else {
            return;
        };
        let list_of_areas = subjects.len() > 1 && subjects.iter().any(|x| lx::is_area(x));
        let verb_end = verb_at + m.verb.word.chars().count();
        // "设定目标是6%-6.5%，当年实际增长是6.1%": 实际 contrasts an outcome with the target.
        let target = target_at.is_some_and(|e| e <= verb_end) && !pre_text.contains("实际");
        let yoy = !part
            && !list_of_areas
            && !lead.basis.as_deref().is_some_and(|b| contains_any(b, lx::NOT_YOY))
            && !contains_any(&pre_text, &["实际"]);
        let text_start =
            floor + pre.iter().take_while(|c| matches!(c, '、' | ' ' | '"' | '“' | '”')).count();
        let text = self.r.original_text(text_start, m.end);
        let shared = Shared { period, part, target, yoy, text };
        self.push_figures(m, &lead, subjects, shared, items);
    }

    /// Fills in a subject left out, or a bare head ("增加值"), with the one the text is talking
    /// about: the nearest clauses' or the paragraph's topic. False when the measure has none.
    fn resolve_subject(&self, lead: &mut Lead, points: bool, items: &[Item]) -> bool {
        let noun = &mut lead.noun;
        let bare = noun.text.is_empty() || lx::ADVERBS.contains(&noun.text.as_str());
        let head = lx::HEADS.contains(&noun.text.as_str());
        if !bare && !head {
            return true;
        }
        // A longer name for the same head: "工业增加值" for "增加值".
        let extends = |n: &str| n.ends_with(&noun.text) && n.len() > noun.text.len();
        let names = |n: &str| bare || extends(n);
        let mut resolved: Option<String> = None;
        // The nearest few clauses: a subject is never left out further back than that.
        for item in items.iter().rev().take(8) {
            match item {
                Item::Share(n) => {
                    if head && extends(n) {
                        resolved = Some(n.clone());
                        break;
                    }
                    if points && bare {
                        return false;
                    }
                }
                Item::Basis(b) => {
                    if bare && lead.basis.is_none() {
                        lead.basis = Some(b.clone());
                    }
                }
                Item::Figure(n) | Item::Noun(n) => {
                    if names(n) {
                        resolved = Some(n.clone());
                        break;
                    }
                }
                Item::Amount(n, amount) => {
                    if names(n) {
                        resolved = Some(n.clone());
                        if noun.amount.is_none() {
                            noun.amount = Some(amount.clone());
                        }
                        break;
                    }
                }
            }
        }
        if resolved.is_none() {
            resolved = self.topic.clone().filter(|t| names(t));
        }
        match resolved {
            Some(n) => {
                noun.text = n;
                true
            }
            None => head,
        }
    }

    /// One figure per subject of a measure, each becoming the topic later clauses refer to.
    fn push_figures(
        &mut self,
        m: &Measure,
        lead: &Lead,
        subjects: Vec<String>,
        shared: Shared,
        items: &mut Vec<Item>,
    ) {
        let last = m.values.len() - 1;
        for (k, (subject, (value, unit))) in subjects.into_iter().zip(&m.values).enumerate() {
            let kind = if shared.target {
                FigureKind::Target
            } else if *unit == "个百分点" {
                FigureKind::Points
            } else if *unit == "倍" {
                FigureKind::Multiple
            } else {
                FigureKind::Growth
            };
            let shown = match (&shared.period, shared.part) {
                (Some(p), true) if !subject.starts_with(p.as_str()) => format!("{p}{subject}"),
                _ => subject.clone(),
            };
            let qualifier = m.qualifier.clone().filter(|_| k == last || m.values.len() == 1);
            self.out.push(Found {
                figure: Figure {
                    subject: shown,
                    value: m.verb.sign * value,
                    unit: unit.to_string(),
                    kind,
                    qualifier,
                    basis: lead.basis.clone().filter(|b| !b.is_empty()),
                    amount: lead.noun.amount.clone().filter(|_| m.values.len() == 1),
                    period: lead.noun.period.clone(),
                    text: shared.text.clone(),
                },
                noun: subject.clone(),
                yoy: shared.yoy,
                period: shared.period.clone(),
            });
            self.topic = Some(subject.clone());
            items.push(Item::Figure(subject));
        }
    }
}

/// The noun and basis of comparison before a measure; None when the measure is no growth
/// figure (a contribution, gap, share or rate), noting a share for the clauses after it.
fn read_lead(
    m: &Measure,
    pre: &[char],
    pre_text: &str,
    points: bool,
    items: &mut Vec<Item>,
) -> Option<Lead> {
    if contains_any(pre_text, lx::CONTRIBUTION_WORDS) || (points && pre_text.contains("带动")) {
        items.push(Item::Share(String::new()));
        return None;
    }
    if contains_any(pre_text, lx::GAP_WORDS) {
        return None;
    }
    let (noun_part, basis) = match basis_start(pre) {
        Some(k) => (&pre[..k], Some(&pre[k..])),
        None => (pre, None),
    };
    let noun = read_noun(noun_part);
    if is_rate_noun(&noun.text) || contains_any(pre_text, lx::SHARE_WORDS) {
        items.push(Item::Share(noun.text));
        return None;
    }
    let mut basis: Option<String> = basis.map(|b| {
        let t: String = b.iter().collect();
        let t = t.strip_suffix("分别").unwrap_or(&t);
        t.strip_suffix('的').unwrap_or(t).to_string()
    });
    if basis.is_none() && matches!(m.verb.word, "同增" | "比增") {
        basis = Some("同比".into());
    }
    Some(Lead { noun, basis })
}

/// How speeches name the period their figures cover, as written.
const PERIODS: &[&str] = &[
    "前三季度",
    "前两季度",
    "上半年",
    "第一季度",
    "一季度",
    "今年以来",
    "年初以来",
    "全年",
    "去年",
];

/// The first period named in `text`: a fixed phrase or a month range such as "1—9月".
pub(crate) fn period(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    for i in 0..chars.len() {
        if let Some(p) = PERIODS.iter().find(|p| at(&chars, i, p)) {
            return Some(p.to_string());
        }
        if let Some(end) = month_range_at(&chars, i) {
            return Some(chars[i..end].iter().collect());
        }
    }
    None
}

/// "1—9月", "1-9月", "1至9月", "1~9月" at `at`: the index after 月.
fn month_range_at(chars: &[char], at: usize) -> Option<usize> {
    if at > 0 && chars[at - 1].is_ascii_digit() {
        return None;
    }
    let digits = |from: usize| {
        let mut j = from;
        while j < chars.len() && chars[j].is_ascii_digit() && j - from < 2 {
            j += 1;
        }
        (j > from).then_some(j)
    };
    let mut j = digits(at)?;
    let dash_start = j;
    while j < chars.len() && matches!(chars[j], '—' | '–' | '-' | '－' | '~' | '～' | '至' | '到')
    {
        j += 1;
    }
    if j == dash_start {
        return None;
    }
    let j = digits(j)?;
    (chars.get(j) == Some(&'月')).then_some(j + 1)
}

/// A subject reduced to the indicator it names: without notes in parentheses, connectives,
/// areas, periods, fillers and a `…中的` frame.
fn indicator_words(subject: &str) -> String {
    let mut t = String::with_capacity(subject.len());
    let mut depth = 0usize;
    for c in subject.chars() {
        if is_open(c) {
            depth += 1;
        } else if is_close(c) {
            depth = depth.saturating_sub(1);
        } else if depth == 0 {
            t.push(c);
        }
    }
    if let Some(k) = t.rfind("中的") {
        t = t[k + "中的".len()..].to_string();
    }
    for w in ["累计完成", "上报完成", "实现", "完成", "累计", "入库"] {
        t = t.replace(w, "");
    }
    let mut chars: Vec<char> = t.chars().collect();
    loop {
        let n = strip_leading(&chars, lx::CONNECTIVES)
            .or_else(|| lx::area_prefix(&chars))
            .or_else(|| lx::period_at(&chars, 0))
            .or_else(|| strip_leading(&chars, lx::FILLERS))
            .or_else(|| strip_leading(&chars, &["的"]));
        match n {
            Some(n) if n > 0 => {
                chars.drain(..n);
            }
            _ => break,
        }
    }
    chars.into_iter().collect()
}

/// The period and the canonical metrics (percent growth, in the order written) of a lead.
/// A figure counts when it is a year-on-year outcome in percent for the lead's own period and
/// its subject, less areas, periods and fillers, is exactly one of an indicator's phrasings;
/// the first figure of each indicator wins.
pub(crate) fn lead_metrics(
    lead: &str,
    indicators: &Indicators,
) -> (Option<String>, IndexMap<String, f64>) {
    let (found, own_period) = read_figures(lead);
    (period(lead), metrics_of(&found, own_period.as_deref(), indicators))
}

/// A speech's figures (each paragraph's [`figures`], in order) with the period and metrics of
/// its `lead` ([`lead_metrics`]); a lead that is the first paragraph is read once, not twice.
pub(crate) fn speech_figures(
    paragraphs: &[String],
    lead: &str,
    indicators: &Indicators,
) -> (Option<String>, IndexMap<String, f64>, Vec<Figure>) {
    let found: Vec<(Vec<Found>, Option<String>)> =
        paragraphs.iter().map(|p| read_figures(p)).collect();
    let metrics = match found.first() {
        Some((first, own_period)) if paragraphs[0] == lead => {
            metrics_of(first, own_period.as_deref(), indicators)
        }
        _ => {
            let (found, own_period) = read_figures(lead);
            metrics_of(&found, own_period.as_deref(), indicators)
        }
    };
    let figures = found.into_iter().flat_map(|(f, _)| f).map(|f| f.figure).collect();
    (period(lead), metrics, figures)
}

/// The metrics among a lead's figures, whose own reporting period is `own_period`.
fn metrics_of(
    found: &[Found],
    own_period: Option<&str>,
    indicators: &Indicators,
) -> IndexMap<String, f64> {
    let mut metrics = IndexMap::new();
    let lead_period = own_period.map(lx::period_core);
    for f in found {
        if f.figure.unit != "%" || f.figure.kind != FigureKind::Growth || !f.yoy {
            continue;
        }
        if let (Some(own), Some(lead)) = (&f.period, &lead_period)
            && lx::period_core(own) != *lead
        {
            continue;
        }
        let words = indicator_words(&f.noun);
        let key =
            indicators.iter().find(|ind| ind.phrasings.contains(&words)).map(|ind| ind.key.clone());
        if let Some(key) = key {
            metrics.entry(key).or_insert(f.figure.value);
        }
    }
    metrics
}

#[cfg(test)]
mod tests {
    use super::*;

    type Row = (String, f64, String);

    fn fig(text: &str) -> Vec<Row> {
        figures(text).into_iter().map(|f| (f.subject, f.value, f.unit)).collect()
    }

    fn row(subject: &str, value: f64, unit: &str) -> Row {
        (subject.to_string(), value, unit.to_string())
    }

    #[test]
    fn figure_shapes() {
        let cases: Vec<(&str, Vec<Row>)> = vec![
            ("全区技改投资增长128%，", vec![row("技改投资", 128.0, "%")]),
            (
                "前三季度GDP增长6.6%，规上工业增加值增长11.2%，固投增长8.6%。",
                vec![row("GDP", 6.6, "%"), row("规上工业增加值", 11.2, "%"), row("固投", 8.6, "%")],
            ),
            (
                "全市规上工业增加值、工业投资、工业利润增长8.1%、16.3%、11.2%。",
                vec![
                    row("规上工业增加值", 8.1, "%"),
                    row("工业投资", 16.3, "%"),
                    row("工业利润", 11.2, "%"),
                ],
            ),
            (
                "游客接待量和旅游综合收入分别增长27.1%、32.4%。",
                vec![row("游客接待量", 27.1, "%"), row("旅游综合收入", 32.4, "%")],
            ),
            // Shared heads carry over.
            (
                "电子信息、先进材料增加值分别增长2.7%和5.6%。",
                vec![row("电子信息增加值", 2.7, "%"), row("先进材料增加值", 5.6, "%")],
            ),
            (
                "城镇、农村居民人均可支配收入分别增长5.1%和6.8%。",
                vec![
                    row("城镇居民人均可支配收入", 5.1, "%"),
                    row("农村居民人均可支配收入", 6.8, "%"),
                ],
            ),
            (
                "全年实现社会消费品零售总额523亿元，增长7.8%。",
                vec![row("社会消费品零售总额", 7.8, "%")],
            ),
            (
                "城乡居民人均可支配收入分别增长4.3%和7.8%。",
                vec![
                    row("城镇居民人均可支配收入", 4.3, "%"),
                    row("农村居民人均可支配收入", 7.8, "%"),
                ],
            ),
            (
                "前三季度GDP增长7.1%、全体居民收入增长5.9%。",
                vec![row("GDP", 7.1, "%"), row("全体居民收入", 5.9, "%")],
            ),
            ("新能源汽车产量增长1.3倍。", vec![row("新能源汽车产量", 1.3, "倍")]),
            // An amount between subject and rate; the area stays out of the subject.
            ("全区地区生产总值实现1245.4亿元、增长10.6%。", vec![row("地区生产总值", 10.6, "%")]),
            (
                "社会消费品零售总额1415.4亿元，增长28.1%；",
                vec![row("社会消费品零售总额", 28.1, "%")],
            ),
            // Declines, full-width digits, spaces, basis words.
            ("民间固定资产投资下降0.2%。", vec![row("民间固定资产投资", -0.2, "%")]),
            ("GDP增长-0.5%，", vec![row("GDP", -0.5, "%")]),
            ("出口比增-4.8%。", vec![row("出口", -4.8, "%")]),
            ("税收收入同比增长１１．１％。", vec![row("税收收入", 11.1, "%")]),
            ("工业投资增长 6.3 %。", vec![row("工业投资", 6.3, "%")]),
            ("财政收入比上年同期增长5%。", vec![row("财政收入", 5.0, "%")]),
            ("地区生产总值负增长4.2%。", vec![row("地区生产总值", -4.2, "%")]),
            ("进出口同增17.1%。", vec![row("进出口", 17.1, "%")]),
            ("营业收入同比降低10.2%。", vec![row("营业收入", -10.2, "%")]),
            ("工业增加值增速比上月提高2.1个百分点。", vec![row("工业增加值", 2.1, "个百分点")]),
            // A subject carried from the clause before.
            (
                "规上工业增加值同比增长5.8%，比1-6月加快0.7个百分点。",
                vec![row("规上工业增加值", 5.8, "%"), row("规上工业增加值", 0.7, "个百分点")],
            ),
            // Not growth figures.
            ("汽车产业拉动全市工业增长4.5个百分点，", vec![]),
            ("增速高于全市0.5个百分点。", vec![]),
            ("铁水运输占比超过40%。", vec![]),
            ("占外贸总值的57%，同比提高3.3个百分点。", vec![]),
            ("营业收入利润率为5.26%，同比提高0.04个百分点。", vec![]),
            ("规上工业产值连续25个月保持10%以上增长。", vec![]),
            ("浙江、江苏增速也均超过10%。", vec![]),
            ("对全市工业增长贡献率达55.2%。", vec![]),
            ("A、B、C增长1%和2%。", vec![]),
            ("增长5%。", vec![]),
            // More measure words and links.
            (
                "湖北省一般公共预算收入增幅达到了61.8%。",
                vec![row("湖北省一般公共预算收入", 61.8, "%")],
            ),
            ("上海上半年仅完成3795亿元,增速为-12.9%。", vec![row("上海上半年", -12.9, "%")]),
            ("地区生产总值实现42.3亿元,可比增长7.5%。", vec![row("地区生产总值", 7.5, "%")]),
            (
                "工业投资同比增长1.8%,较上年同期回落15.4个百分点。",
                vec![row("工业投资", 1.8, "%"), row("工业投资", -15.4, "个百分点")],
            ),
            // A four-item list with 和, a list of amounts, a note in parentheses after the value.
            (
                "汽车、电气、电子和电力累计增速分别为76.3%、71.9%、37.2%和36.3%。",
                vec![
                    row("汽车", 76.3, "%"),
                    row("电气", 71.9, "%"),
                    row("电子", 37.2, "%"),
                    row("电力", 36.3, "%"),
                ],
            ),
            (
                "加工贸易和保税物流进出口10293亿元和3544.9亿元,同增1.9%和38.4%。",
                vec![row("加工贸易进出口", 1.9, "%"), row("保税物流进出口", 38.4, "%")],
            ),
            (
                "利润总额79750.1亿元,同比增长38.0%(按可比口径计算,详见附注二),比上年增长1%。",
                vec![row("利润总额", 38.0, "%"), row("利润总额", 1.0, "%")],
            ),
            // Rates printed after a province's name.
            (
                "增速放缓。其中,广东(3.3%)、江苏(4.6%)低于全国。湖北为18.7%。",
                vec![row("广东", 3.3, "%"), row("江苏", 4.6, "%"), row("湖北", 18.7, "%")],
            ),
            // A completion rate between subject and rate is skipped over.
            (
                "我县一般公共预算收入34096万元,为年预算的32.3%,同比降低10.2%。",
                vec![row("一般公共预算收入", -10.2, "%")],
            ),
        ];
        for (text, want) in cases {
            assert_eq!(fig(text), want, "{text}");
        }
    }

    #[test]
    fn figure_fields() {
        let f = &figures("全区地区生产总值实现1245.4亿元、同比增长20%以上。")[0];
        assert_eq!(f.amount.as_deref(), Some("1245.4亿元"));
        assert_eq!(f.qualifier.as_deref(), Some("以上"));
        assert_eq!(f.basis.as_deref(), Some("同比"));
        assert_eq!(f.text, "全区地区生产总值实现1245.4亿元、同比增长20%以上");
        let f = &figures("主要预期目标是：生产总值增长5.5%左右。")[0];
        assert_eq!(
            (f.kind, f.value, f.qualifier.as_deref()),
            (FigureKind::Target, 5.5, Some("左右"))
        );
        let f = &figures("力争固定资产投资增长7%。")[0];
        assert_eq!(f.kind, FigureKind::Target);
        let f = &figures("2019年设定目标是6%-6.5%,当年GDP实际增长是6.1%。")[0];
        assert_eq!((f.kind, f.value), (FigureKind::Growth, 6.1));
        let f = &figures("有色金属冶炼业利润增长近1倍。")[0];
        assert_eq!((f.kind, f.qualifier.as_deref()), (FigureKind::Multiple, Some("近")));
        let f = &figures("两年平均增长5.9%。")[..];
        assert!(f.is_empty(), "{f:?}");
        let f = &figures("1-7月，工业增加值同比增长5.8%；两年平均增长5.9%。")[1];
        assert_eq!((f.subject.as_str(), f.basis.as_deref()), ("工业增加值", Some("两年平均")));
        let f = &figures("一季度，GDP增长5%。其中，3月份规模以上工业增加值同比增长14.1%。")[1];
        assert_eq!(f.subject, "3月份规模以上工业增加值");
        assert_eq!(f.period.as_deref(), Some("3月份"));
    }

    #[test]
    fn absurd_input_stays_linear() {
        let shapes = [
            "增长1%、".repeat(10_000),
            "、".repeat(50_000) + "增长1%",
            "占1%,".repeat(10_000) + "增长1%",
            "1.".repeat(25_000) + "增长1%",
            "(".repeat(25_000) + "增长1%",
            "全区".repeat(25_000) + "增长1%",
        ];
        for text in shapes {
            let start = std::time::Instant::now();
            let _ = figures(&text);
            let _ = lead_metrics(&text, &Indicators::new(&[]));
            assert!(
                start.elapsed().as_secs() < 5,
                "{} chars took {:?}",
                text.len(),
                start.elapsed()
            );
        }
    }

    #[test]
    fn figure_text_is_as_written() {
        let f = figures("长轴、双环等传统汽配企业加快转型，全区技改投资增长128%，新增");
        assert_eq!(f[0].text, "全区技改投资增长128%");
        let f = figures("前三季度GDP增长7.1%、全体居民收入增长5.9%。");
        assert_eq!(f[1].text, "全体居民收入增长5.9%");
        let f = figures("税收收入同比增长６．９％。");
        assert_eq!(f[0].text, "税收收入同比增长６．９％");
    }

    #[test]
    fn periods() {
        for (text, want) in [
            ("前三季度GDP增长6.6%", Some("前三季度")),
            ("开州区坚持…工作导向，1—9月，固投增长18.1%。", Some("1—9月")),
            ("1-6月，GDP增长5%", Some("1-6月")),
            ("上半年，GDP增长5%", Some("上半年")),
            ("去年，GDP增长5%", Some("去年")),
            ("2024年GDP增长5%", None),
            ("市经济信息委持续发挥工业经济主引擎作用", None),
        ] {
            assert_eq!(period(text).as_deref(), want, "{text}");
        }
    }

    #[test]
    fn speech_figures_are_each_paragraphs_figures_and_the_leads_metrics() {
        let indicators = Indicators::new(&[]);
        let first = "前三季度，全区地区生产总值增长6.6%，规上工业增加值增长11.2%。";
        let second = "二季度，固定资产投资增长5.1%，社会消费品零售总额增长3.2%。";
        let paragraphs: Vec<String> = [first, second, "其他。"].map(String::from).into();
        // The lead as the first paragraph (read once), as two paragraphs, and as none.
        for lead in [first.to_string(), format!("{first}\n{second}"), String::new()] {
            let (period, metrics, figures) = speech_figures(&paragraphs, &lead, &indicators);
            let want: Vec<Figure> = paragraphs.iter().flat_map(|p| super::figures(p)).collect();
            assert_eq!(figures, want, "{lead}");
            assert_eq!((period, metrics), lead_metrics(&lead, &indicators), "{lead}");
        }
        let (_, metrics, figures) = speech_figures(&paragraphs, first, &indicators);
        assert_eq!(figures.len(), 4);
        assert!(metrics.contains_key("gdp"), "{metrics:?}");
    }

    #[test]
    fn lead_metric_shapes() {
        let indicators = Indicators::new(&[]);
        for (lead, want) in [
            (
                "前三季度GDP增长6.6%，规上工业增加值增长11.2%，固投增长8.6%。",
                vec![
                    ("gdp", 6.6),
                    ("industrial_value_added", 11.2),
                    ("fixed_asset_investment", 8.6),
                ],
            ),
            (
                "前三季度，南岸区GDP增长6.5%，一般公共预算收入增长26.8%。",
                vec![("gdp", 6.5), ("general_budget_revenue", 26.8)],
            ),
            (
                "前三季度，GDP增速7.4%，规上工业增加值增速9.2%，税收增速9.5%。",
                vec![("gdp", 7.4), ("industrial_value_added", 9.2), ("tax_revenue", 9.5)],
            ),
            (
                "前三季度GDP增长7.1%、全体居民收入增长5.9%。",
                vec![("gdp", 7.1), ("resident_income", 5.9)],
            ),
            (
                "1-2月，广东完成规模以上工业增加值4745.61亿元，同比增长44.6%。",
                vec![("industrial_value_added", 44.6)],
            ),
            (
                "全国规模以上工业企业实现利润总额79750.1亿元，同比增长38.0%（按可比口径计算）。",
                vec![("industrial_profit", 38.0)],
            ),
            (
                "城镇居民人均可支配收入13120元，同比名义增长12.2%，实际增长12.3%。",
                vec![("urban_income", 12.2)],
            ),
            (
                "天津一季度固定资产投资（不含农户）同比下降4.5%。",
                vec![("fixed_asset_investment", -4.5)],
            ),
            // Not the unit's own indicator, not y/y, not an outcome, a part of the period.
            ("规上制造业亩均税收增长13.8%。", vec![]),
            ("限额以上消费品零售额增长11.5%。", vec![]),
            ("固定资产投资两年平均增长9.8%。", vec![]),
            ("主要预期目标是：生产总值增长5.5%左右。", vec![]),
            ("力争规上工业增加值增长7%。", vec![]),
            ("一季度，GDP增长5%，其中3月份规上工业增加值增长7%。", vec![("gdp", 5.0)]),
            ("广东、江苏的GDP增速分别是2%、1.6%。", vec![]),
            ("新能源汽车产量增长1.3倍。", vec![]),
        ] {
            let (_, got) = lead_metrics(lead, &indicators);
            let got: Vec<(&str, f64)> = got.iter().map(|(k, v)| (k.as_str(), *v)).collect();
            assert_eq!(got, want, "{lead}");
        }
    }
}
