//! Growth figures out of speech text, and a speech's canonical metrics out of its lead.
//!
//! Pure functions over text: no I/O, no registry. A figure is `SUBJECT VERB VALUE[S]` inside one
//! clause, where VERB is 增长/增速/提高/上升/下降/降低/减少 and each VALUE a number with `%`, `倍`
//! or `个百分点`. Lists pair up ("A、B、C增长1%、2%、3%", "A和B分别增长1%、2%", "A、B增长1%和2%");
//! when subjects and values do not pair up nothing is reported rather than a guess. Shares
//! ("占比超过40%"), counts and values that do not follow a growth verb are never figures.

use indexmap::IndexMap;

use crate::content::front_matter::Figure;
use crate::metrics::Indicators;

/// Growth verbs and their sign.
const VERBS: &[(&str, f64)] = &[
    ("增长", 1.0),
    ("增速", 1.0),
    ("提高", 1.0),
    ("上升", 1.0),
    ("下降", -1.0),
    ("降低", -1.0),
    ("减少", -1.0),
];

/// Words allowed between the verb and its first value ("增长了", "增速为", "增速达").
const LINKS: &[&str] = &["达到", "了", "为", "达"];

/// Units, longest first; the first of each pair is how the figure records it.
const UNITS: &[(&str, &str)] = &[("个百分点", "个百分点"), ("%", "%"), ("％", "%"), ("倍", "倍")];

/// Characters that end a clause: a subject never reaches back past one.
fn is_clause_break(c: char) -> bool {
    matches!(
        c,
        '，' | '。' | '；' | '：' | '！' | '？' | ',' | ';' | ':' | '!' | '?' | '\n' | '（' | '('
    )
}

/// Characters that join list items or values.
fn is_list_joint(c: char) -> bool {
    matches!(c, '、' | '和' | '及' | '与')
}

fn starts_with_at(chars: &[char], at: usize, word: &str) -> bool {
    (at..).zip(word.chars()).all(|(i, w)| chars.get(i) == Some(&w))
}

/// A number followed by a unit at `at`: (value, unit, index after it).
fn value_at(chars: &[char], at: usize) -> Option<(f64, &'static str, usize)> {
    let mut i = at;
    while i < chars.len() && chars[i].is_ascii_digit() {
        i += 1;
    }
    if i == at {
        return None;
    }
    if chars.get(i) == Some(&'.') && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit()) {
        i += 1;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
    }
    // A digit glued before the number ("2024年1") is not a figure's start.
    if at > 0 && (chars[at - 1].is_ascii_digit() || chars[at - 1] == '.') {
        return None;
    }
    let number: String = chars[at..i].iter().collect();
    let value: f64 = number.parse().ok()?;
    for (written, unit) in UNITS {
        if starts_with_at(chars, i, written) {
            return Some((value, unit, i + written.chars().count()));
        }
    }
    None
}

/// The values after a verb: "8.1%、16.3%、11.2%", "2.7%和5.6%".
fn values_at(chars: &[char], mut at: usize) -> Option<(Vec<(f64, &'static str)>, usize)> {
    if let Some(link) = LINKS.iter().find(|l| starts_with_at(chars, at, l)) {
        at += link.chars().count();
    }
    let (value, unit, mut end) = value_at(chars, at)?;
    let mut values = vec![(value, unit)];
    while let Some(&c) = chars.get(end) {
        if !is_list_joint(c) {
            break;
        }
        match value_at(chars, end + 1) {
            Some((value, unit, next)) => {
                values.push((value, unit));
                end = next;
            }
            None => break,
        }
    }
    Some((values, end))
}

fn trim_subject(s: &str) -> &str {
    let s = s.trim_start_matches(|c: char| is_list_joint(c) || c.is_whitespace());
    let s = s.trim_end();
    let s = s.strip_suffix("同比").unwrap_or(s);
    let s = s.strip_suffix("分别").unwrap_or(s);
    let s = s.strip_suffix("均").unwrap_or(s);
    s.trim()
}

/// Subjects of a list, paired with `n` values: split at `、`, else at any list joint.
fn split_subjects(subject: &str, n: usize) -> Option<Vec<String>> {
    if n == 1 {
        return Some(vec![subject.to_string()]);
    }
    let by_comma: Vec<&str> = subject.split('、').map(str::trim).collect();
    if by_comma.len() == n && by_comma.iter().all(|s| !s.is_empty()) {
        return Some(by_comma.into_iter().map(String::from).collect());
    }
    let by_any: Vec<&str> = subject.split(is_list_joint).map(str::trim).collect();
    if by_any.len() == n && by_any.iter().all(|s| !s.is_empty()) {
        return Some(by_any.into_iter().map(String::from).collect());
    }
    None
}

/// Every growth figure in `text`, in reading order.
pub fn figures(text: &str) -> Vec<Figure> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    // End of the previous figure: the next subject starts after it ("…7.1%、全体居民收入增长5.9%").
    let mut floor = 0;
    let mut i = 0;
    while i < chars.len() {
        let Some((verb, sign)) = VERBS.iter().find(|(v, _)| starts_with_at(&chars, i, v)) else {
            i += 1;
            continue;
        };
        let after_verb = i + verb.chars().count();
        let Some((values, end)) = values_at(&chars, after_verb) else {
            i += 1;
            continue;
        };
        let mut start = i;
        while start > floor && !is_clause_break(chars[start - 1]) {
            start -= 1;
        }
        let raw: String = chars[start..i].iter().collect();
        let subject = trim_subject(&raw);
        if let Some(subjects) =
            split_subjects(subject, values.len()).filter(|_| !subject.is_empty())
        {
            let lead = raw.len()
                - raw.trim_start_matches(|c: char| is_list_joint(c) || c.is_whitespace()).len();
            let text: String = raw[lead..].chars().chain(chars[i..end].iter().copied()).collect();
            for (subject, (value, unit)) in subjects.into_iter().zip(values) {
                out.push(Figure {
                    subject,
                    value: sign * value,
                    unit: unit.to_string(),
                    text: text.clone(),
                });
            }
        }
        floor = end;
        i = end;
    }
    out
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
pub fn period(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    for i in 0..chars.len() {
        if let Some(p) = PERIODS.iter().find(|p| starts_with_at(&chars, i, p)) {
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

/// Words before an indicator's name that still mean "this unit's own figure".
const FILLERS: &[&str] = &["全市", "全区", "全县", "全年", "今年", "同比", "累计"];

fn is_filler(prefix: &str) -> bool {
    let mut rest = prefix.trim();
    loop {
        let before = rest;
        for word in PERIODS.iter().chain(FILLERS) {
            rest = rest.strip_prefix(word).unwrap_or(rest).trim();
        }
        if rest == before {
            break;
        }
    }
    let n = rest.chars().count();
    n == 0 || (n <= 10 && (rest.ends_with('区') || rest.ends_with('县') || rest.ends_with('市')))
}

/// The period and the canonical metrics (percent growth, in the order written) of a lead.
/// A figure counts when its subject is an indicator's phrasing, optionally after a filler
/// such as 全区, 前三季度 or the unit's own name; the first figure of each indicator wins.
pub fn lead_metrics(
    lead: &str,
    indicators: &Indicators,
) -> (Option<String>, IndexMap<String, f64>) {
    let mut metrics = IndexMap::new();
    for figure in figures(lead) {
        if figure.unit != "%" {
            continue;
        }
        let mut best: Option<(&str, usize)> = None;
        for indicator in indicators.iter() {
            for phrasing in &indicator.phrasings {
                if let Some(prefix) = figure.subject.strip_suffix(phrasing.as_str())
                    && is_filler(prefix)
                    && best.is_none_or(|(_, len)| phrasing.len() > len)
                {
                    best = Some((indicator.key.as_str(), phrasing.len()));
                }
            }
        }
        if let Some((key, _)) = best {
            metrics.entry(key.to_string()).or_insert(figure.value);
        }
    }
    (period(lead), metrics)
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
            ("全区技改投资增长128%，", vec![row("全区技改投资", 128.0, "%")]),
            (
                "前三季度GDP增长6.6%，规上工业增加值增长11.2%，固投增长8.6%。",
                vec![
                    row("前三季度GDP", 6.6, "%"),
                    row("规上工业增加值", 11.2, "%"),
                    row("固投", 8.6, "%"),
                ],
            ),
            (
                "全市规上工业增加值、工业投资、工业利润增长8.1%、16.3%、11.2%。",
                vec![
                    row("全市规上工业增加值", 8.1, "%"),
                    row("工业投资", 16.3, "%"),
                    row("工业利润", 11.2, "%"),
                ],
            ),
            (
                "游客接待量和旅游综合收入分别增长27.1%、32.4%。",
                vec![row("游客接待量", 27.1, "%"), row("旅游综合收入", 32.4, "%")],
            ),
            (
                "融通促进电子信息、先进材料增加值增长2.7%和5.6%。",
                vec![row("融通促进电子信息", 2.7, "%"), row("先进材料增加值", 5.6, "%")],
            ),
            (
                "消费品、汽车及装备制造产业产值分别增长13%、14.5%，",
                vec![row("消费品", 13.0, "%"), row("汽车及装备制造产业产值", 14.5, "%")],
            ),
            (
                "前三季度GDP增长7.1%、全体居民收入增长5.9%。",
                vec![row("前三季度GDP", 7.1, "%"), row("全体居民收入", 5.9, "%")],
            ),
            ("新能源汽车产量增长1.3倍。", vec![row("新能源汽车产量", 1.3, "倍")]),
            (
                "汽车产业拉动全市工业增长4.5个百分点，",
                vec![row("汽车产业拉动全市工业", 4.5, "个百分点")],
            ),
            ("前三季度，GDP增速7.4%，", vec![row("GDP", 7.4, "%")]),
            ("能耗下降3.2%。", vec![row("能耗", -3.2, "%")]),
            ("出口同比增长5％。", vec![row("出口", 5.0, "%")]),
            ("工业投资增长了12%。", vec![row("工业投资", 12.0, "%")]),
            // ASCII punctuation cuts clauses too.
            (
                "前三季度,GDP增长6.5%,固投增长5.2%.",
                vec![row("GDP", 6.5, "%"), row("固投", 5.2, "%")],
            ),
            // Not growth figures.
            ("铁水运输占比超过40%。", vec![]),
            ("压减直管企业50%、企业内设机构46%，", vec![]),
            ("规上工业产值连续25个月保持10%以上增长。", vec![]),
            ("新增智能工厂39个、数字化车间138个。", vec![]),
            ("对全市工业增长贡献率达55.2%。", vec![]),
            ("市场主体新增1.2万户，", vec![]),
            // Subjects and values that do not pair up: nothing.
            ("A、B、C增长1%和2%。", vec![]),
            ("增长5%。", vec![]),
        ];
        for (text, want) in cases {
            assert_eq!(fig(text), want, "{text}");
        }
    }

    #[test]
    fn figure_text_is_the_fragment() {
        let f = figures("长轴、双环等传统汽配企业加快转型，全区技改投资增长128%，新增");
        assert_eq!(f[0].text, "全区技改投资增长128%");
        let f = figures("前三季度GDP增长7.1%、全体居民收入增长5.9%。");
        assert_eq!(f[1].text, "全体居民收入增长5.9%");
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
    fn lead_metric_shapes() {
        let indicators = Indicators::new(&[]);
        for (lead, period, want) in [
            (
                "前三季度GDP增长6.6%，规上工业增加值增长11.2%，固投增长8.6%。",
                Some("前三季度"),
                vec![
                    ("gdp", 6.6),
                    ("industrial_value_added", 11.2),
                    ("fixed_asset_investment", 8.6),
                ],
            ),
            (
                "前三季度，南岸区GDP增长6.5%，一般公共预算收入增长26.8%。",
                Some("前三季度"),
                vec![("gdp", 6.5), ("general_budget_revenue", 26.8)],
            ),
            (
                "前三季度，GDP增速7.4%，规上工业增加值增速9.2%，税收增速9.5%。",
                Some("前三季度"),
                vec![("gdp", 7.4), ("industrial_value_added", 9.2), ("tax_revenue", 9.5)],
            ),
            (
                "前三季度GDP增长7.1%、全体居民收入增长5.9%。",
                Some("前三季度"),
                vec![("gdp", 7.1), ("resident_income", 5.9)],
            ),
            (
                "前三季度GDP增长6.9%，进出口总额增长101.6%。",
                Some("前三季度"),
                vec![("gdp", 6.9), ("import_export", 101.6)],
            ),
            // Not the unit's own indicator: 亩均税收 is not 税收.
            ("规上制造业亩均税收增长13.8%。", None, vec![]),
            ("新能源汽车产量增长1.3倍。", None, vec![]),
            ("市经济信息委持续发挥工业经济主引擎作用。", None, vec![]),
        ] {
            let (got_period, got) = lead_metrics(lead, &indicators);
            assert_eq!(got_period.as_deref(), period, "{lead}");
            let got: Vec<(&str, f64)> = got.iter().map(|(k, v)| (k.as_str(), *v)).collect();
            assert_eq!(got, want, "{lead}");
        }
    }
}
