//! Canonical statistical periods: the months a printed period covers ("前三季度", "1—9月",
//! "1至9月" are all January to September) and the year it belongs to. The printed form is kept
//! for display; the canonical key (`"1-9"`, `"1-12"`, `"7-9"`, `"10"`) is what rankings, medians
//! and series compare, so that only like is compared with like. Pure functions, no I/O.

use chrono::{Datelike, NaiveDate};

/// The months a period covers, from `first` to `last` (1–12), and what the text says of its year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Period {
    pub(crate) first: u8,
    pub(crate) last: u8,
    /// A year printed with it ("2023年全年").
    pub(crate) year: Option<i32>,
    /// The text says the previous year (去年, 上年).
    pub(crate) last_year: bool,
}

impl Period {
    /// `"1-9"`, or `"10"` for a single month. Keys are few (78), so each is made once and
    /// shared: a model of ten thousand speeches holds no copies.
    pub(crate) fn key(&self) -> &'static str {
        static KEYS: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
            (1..=12u8)
                .flat_map(|first| (1..=12u8).map(move |last| (first, last)))
                .map(
                    |(first, last)| {
                        if first == last { first.to_string() } else { format!("{first}-{last}") }
                    },
                )
                .collect()
        });
        let (first, last) = (self.first.clamp(1, 12), self.last.clamp(1, 12));
        &KEYS[usize::from(first - 1) * 12 + usize::from(last - 1)]
    }

    /// The year the period belongs to, for a report made on `meeting`: the printed year when
    /// there is one; else the meeting's year, less one when the text says 去年 or when the period
    /// ends after the meeting's month (a January meeting reporting 全年 reports last year).
    pub(crate) fn year(&self, meeting: NaiveDate) -> i32 {
        if let Some(y) = self.year {
            return y;
        }
        let this = meeting.year();
        if self.last_year || u32::from(self.last) > meeting.month() { this - 1 } else { this }
    }
}

/// How a canonical key reads on a page: `"1-9"` → 1—9月, `"1-12"` → 全年, `"10"` → 10月.
pub fn label(key: &str) -> String {
    match key.split_once('-') {
        Some(("1", "12")) => "全年".to_string(),
        Some((a, b)) => format!("{a}—{b}月"),
        None => format!("{key}月"),
    }
}

/// The canonical period of a printed one ("前三季度", "1—9月份", "2023年全年", "全年预计");
/// None when it names no period this module knows ("今年以来").
pub(crate) fn parse(printed: &str) -> Option<Period> {
    let (chars, _) = normalise(printed);
    let (period, end) = at(&chars, 0, false)?;
    // Only words that do not change the months may follow.
    let mut rest: String = chars[end..].iter().collect();
    loop {
        let before = rest.len();
        for word in SUFFIXES {
            rest = rest.strip_prefix(word).unwrap_or(&rest).to_string();
        }
        if rest.len() == before {
            break;
        }
    }
    if !rest.is_empty() {
        return None;
    }
    Some(period)
}

/// The first period named in running text ("1—8月，全区GDP增长5%" → 1—8月), with the words as
/// printed. Stricter than [`parse`]: 去年 in a comparison (比去年, 去年同期) and dates such as
/// 10月21日 are not periods.
pub(crate) fn find(text: &str) -> Option<(String, Period)> {
    // Every period names a 季(度), 年 or 月: most figures' text has none, and costs one scan.
    if !text.contains(['季', '年', '月']) {
        return None;
    }
    let (chars, origin) = normalise(text);
    let (i, (period, end)) = (0..chars.len()).find_map(|i| Some((i, at(&chars, i, true)?)))?;
    let printed = text.chars().skip(origin[i]).take(origin[end - 1] + 1 - origin[i]).collect();
    Some((printed, period))
}

/// Words after a period that leave its months as they are.
const SUFFIXES: &[&str] = &["份", "预计", "预估", "累计", "(预计)", "（预计）", "以来", "度"];

/// Fixed phrases, longest first where one is the start of another.
const PHRASES: &[(&str, u8, u8)] = &[
    ("前三个季度", 1, 9),
    ("前三季度", 1, 9),
    ("前3季度", 1, 9),
    ("前两个季度", 1, 6),
    ("前两季度", 1, 6),
    ("前二季度", 1, 6),
    ("上半年", 1, 6),
    ("下半年", 7, 12),
    ("第一季度", 1, 3),
    ("第二季度", 4, 6),
    ("第三季度", 7, 9),
    ("第四季度", 10, 12),
    ("一季度", 1, 3),
    ("二季度", 4, 6),
    ("三季度", 7, 9),
    ("四季度", 10, 12),
    ("1季度", 1, 3),
    ("2季度", 4, 6),
    ("3季度", 7, 9),
    ("4季度", 10, 12),
    ("首季", 1, 3),
    ("全年", 1, 12),
];

/// Full-width digits, dashes and brackets in their ASCII form, whitespace dropped; with each
/// char's index in the original text.
fn normalise(text: &str) -> (Vec<char>, Vec<usize>) {
    text.chars()
        .enumerate()
        .filter(|(_, c)| !c.is_whitespace())
        .map(|(i, c)| {
            let c = match c {
                '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
                '—' | '–' | '－' | '~' | '～' | '至' | '到' | '―' => '-',
                '（' => '(',
                '）' => ')',
                c => c,
            };
            (c, i)
        })
        .unzip()
}

fn starts(chars: &[char], at: usize, word: &str) -> bool {
    (at..).zip(word.chars()).all(|(i, w)| chars.get(i) == Some(&w))
}

/// Index after `word` at `at`, when it is there.
fn after(chars: &[char], at: usize, word: &str) -> Option<usize> {
    starts(chars, at, word).then(|| at + word.chars().count())
}

/// A month number (1–12) in digits or Chinese numerals at `at`: (month, index after).
fn month_number(chars: &[char], at: usize) -> Option<(u8, usize)> {
    let digits = chars[at.min(chars.len())..].iter().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0 {
        if digits > 2 {
            return None;
        }
        let n: u8 = chars[at..at + digits].iter().collect::<String>().parse().ok()?;
        return (1..=12).contains(&n).then_some((n, at + digits));
    }
    const NUMERALS: &[(&str, u8)] = &[
        ("十二", 12),
        ("十一", 11),
        ("十", 10),
        ("一", 1),
        ("二", 2),
        ("两", 2),
        ("三", 3),
        ("四", 4),
        ("五", 5),
        ("六", 6),
        ("七", 7),
        ("八", 8),
        ("九", 9),
    ];
    NUMERALS.iter().find_map(|(w, n)| after(chars, at, w).map(|end| (*n, end)))
}

/// A period starting exactly at `at`: (period, index after it). `strict` is for running text.
fn at(chars: &[char], start: usize, strict: bool) -> Option<(Period, usize)> {
    if start >= chars.len() {
        return None;
    }
    // A number glued to a digit before it is part of another number.
    if start > 0 && chars[start].is_ascii_digit() && chars[start - 1].is_ascii_digit() {
        return None;
    }
    let YearWords { year, last_year, end: i } = year_at(chars, start, strict)?;
    let with = |first, last, end| Some((Period { first, last, year, last_year }, end));
    match months_at(chars, i, strict) {
        Months::Span(first, last, end) => with(first, last, end),
        Months::NotAPeriod => None,
        // A bare year: 2023年 or 去年 means the whole year.
        Months::Absent if last_year || (year.is_some() && !strict) => {
            let end = after(chars, i, "度").unwrap_or(i);
            with(1, 12, end)
        }
        Months::Absent => None,
    }
}

/// What the words a period opens with say of its year.
struct YearWords {
    /// A year printed in digits ("2023年").
    year: Option<i32>,
    /// 去年 or 上年.
    last_year: bool,
    /// The index after the words (`start` when there are none).
    end: usize,
}

/// The year words at `start` ("2023年", "今年", "本年", "去年", "上年"), if any; None when in
/// running text they are a basis of comparison (比去年, 去年同期), not a period.
fn year_at(chars: &[char], start: usize, strict: bool) -> Option<YearWords> {
    let words = |year, last_year, end| Some(YearWords { year, last_year, end });
    let digits = chars[start..].iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 4 && chars.get(start + 4) == Some(&'年') {
        let year = chars[start..start + 4].iter().collect::<String>().parse().ok();
        return words(year, false, start + 5);
    }
    if let Some(end) = after(chars, start, "今年").or_else(|| after(chars, start, "本年")) {
        return words(None, false, end);
    }
    if let Some(end) = after(chars, start, "去年").or_else(|| after(chars, start, "上年")) {
        if strict {
            // 比去年, 较去年, 去年同期: a basis of comparison, not a period.
            let before = start.checked_sub(1).map(|k| chars[k]);
            if matches!(before, Some('比' | '较' | '于' | '与' | '同'))
                || starts(chars, end, "同期")
            {
                return None;
            }
        }
        return words(None, true, end);
    }
    words(None, false, start)
}

/// What the words after a period's year say of its months.
enum Months {
    /// Months `first` to `last`, and the index after their words.
    Span(u8, u8, usize),
    /// Words that make it no period at all (全年目标, 9-3月).
    NotAPeriod,
    /// No months named.
    Absent,
}

/// The months named at `i`: a fixed phrase (前三季度, 全年), 前N个月, M-N月 or N月.
fn months_at(chars: &[char], i: usize, strict: bool) -> Months {
    for (word, first, last) in PHRASES {
        if let Some(end) = after(chars, i, word) {
            if strict
                && *word == "全年"
                && ["目标", "任务", "计划"].iter().any(|w| starts(chars, end, w))
            {
                return Months::NotAPeriod;
            }
            return Months::Span(*first, *last, end);
        }
    }
    // 前N个月, 前N月.
    if let Some(end) = after(chars, i, "前")
        && let Some((n, end)) = month_number(chars, end)
    {
        let end = after(chars, end, "个").unwrap_or(end);
        if let Some(end) = after(chars, end, "月") {
            return Months::Span(1, n, end);
        }
    }
    month_span_at(chars, i)
}

/// M-N月 at `i` (no period when M is after N), or N月 when it is no date (10月21日).
fn month_span_at(chars: &[char], i: usize) -> Months {
    let Some((first, end)) = month_number(chars, i) else {
        return Months::Absent;
    };
    let dashes = chars[end..].iter().take_while(|c| **c == '-').count();
    if dashes > 0
        && let Some((last, end)) = month_number(chars, end + dashes)
        && let Some(end) = after(chars, end, "月")
    {
        return if first <= last { Months::Span(first, last, end) } else { Months::NotAPeriod };
    }
    if dashes == 0
        && let Some(after_month) = after(chars, end, "月")
    {
        let day = chars[after_month..].iter().take_while(|c| c.is_ascii_digit()).count();
        let is_date = day > 0
            || month_number(chars, after_month)
                .is_some_and(|(_, e)| after(chars, e, "日").is_some());
        if !is_date {
            return Months::Span(first, first, after_month);
        }
    }
    Months::Absent
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_periods() {
        let cases: &[(&str, Option<&str>)] = &[
            ("前三季度", Some("1-9")),
            ("1—9月", Some("1-9")),
            ("1-9月", Some("1-9")),
            ("1至9月", Some("1-9")),
            ("1～9月", Some("1-9")),
            ("１—９月", Some("1-9")),
            ("1—9月份", Some("1-9")),
            ("1 - 9 月", Some("1-9")),
            ("一至九月", Some("1-9")),
            ("前9个月", Some("1-9")),
            ("前三个季度", Some("1-9")),
            ("上半年", Some("1-6")),
            ("前两季度", Some("1-6")),
            ("1—6月", Some("1-6")),
            ("一季度", Some("1-3")),
            ("第一季度", Some("1-3")),
            ("第三季度", Some("7-9")),
            ("三季度", Some("7-9")),
            ("第四季度", Some("10-12")),
            ("下半年", Some("7-12")),
            ("全年", Some("1-12")),
            ("全年预计", Some("1-12")),
            ("去年", Some("1-12")),
            ("2023年全年", Some("1-12")),
            ("2023年", Some("1-12")),
            ("10月", Some("10")),
            ("10月份", Some("10")),
            ("十月", Some("10")),
            ("1—10月", Some("1-10")),
            ("1—11月", Some("1-11")),
            ("1-2月", Some("1-2")),
            ("今年1—7月", Some("1-7")),
            ("今年以来", None),
            ("年初以来", None),
            ("9-1月", None),
            ("1—13月", None),
            ("13月", None),
            ("前三季度GDP", None),
            ("", None),
            ("季度", None),
        ];
        for (printed, want) in cases {
            assert_eq!(parse(printed).map(|p| p.key()), *want, "{printed:?}");
        }
    }

    #[test]
    fn years_from_the_meeting_date() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let cases: &[(&str, &str, i32)] = &[
            ("前三季度", "2024-10-21", 2024),
            ("全年", "2025-01-20", 2024),
            ("全年预计", "2024-12-20", 2024),
            ("全年", "2025-02-10", 2024),
            ("上半年", "2024-07-05", 2024),
            ("上半年", "2024-06-28", 2024),
            ("10月", "2024-11-02", 2024),
            ("1—11月", "2024-01-08", 2023),
            ("去年", "2024-03-01", 2023),
            ("2022年全年", "2024-03-01", 2022),
            ("一季度", "2024-04-19", 2024),
        ];
        for (printed, date, want) in cases {
            let p = parse(printed).unwrap_or_else(|| panic!("{printed}"));
            assert_eq!(p.year(day(date)), *want, "{printed} at {date}");
        }
    }

    #[test]
    fn periods_in_running_text() {
        let cases: &[(&str, Option<(&str, &str)>)] = &[
            ("前三季度GDP增长6.6%", Some(("前三季度", "1-9"))),
            ("1—8月，规上工业增加值增长8%", Some(("1—8月", "1-8"))),
            ("全区GDP增长6.6%", None),
            ("比去年同期增长5%", None),
            ("较去年增长5%", None),
            ("去年GDP增长5%", Some(("去年", "1-12"))),
            ("10月21日上午，GDP增长5%", None),
            ("完成全年目标的80%", None),
            ("2024年1—9月GDP增长5%", Some(("2024年1—9月", "1-9"))),
            ("前三季度，第三季度增长7%", Some(("前三季度", "1-9"))),
            ("规上工业产值连续25个月保持10%以上增长", None),
            ("2024年，GDP增长5%", None),
        ];
        for (text, want) in cases {
            let got = find(text).map(|(p, period)| (p, period.key()));
            let want = want.map(|(p, k)| (p.to_string(), k));
            assert_eq!(got, want, "{text:?}");
        }
    }

    #[test]
    fn labels() {
        for (key, want) in [("1-9", "1—9月"), ("1-12", "全年"), ("7-9", "7—9月"), ("10", "10月")]
        {
            assert_eq!(label(key), want);
        }
    }
}
