//! The meeting's date: from the text when it prints a full one, else `--date`, else `--year`
//! with the text's 月日, else an ISO date leading the file name. When none is known the error
//! says which flag to pass.

use chrono::{Datelike, NaiveDate};

/// A date the text prints: (year if given, month, day).
fn dates_in(text: &str) -> Vec<(Option<i32>, u32, u32)> {
    let chars: Vec<char> = text.chars().collect();
    let number = |from: usize, max: usize| -> Option<(u32, usize)> {
        let mut j = from;
        while j < chars.len() && chars[j].is_ascii_digit() && j - from < max {
            j += 1;
        }
        if j == from || chars.get(j).is_some_and(|c| c.is_ascii_digit()) {
            return None;
        }
        let s: String = chars[from..j].iter().collect();
        Some((s.parse().ok()?, j))
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() || (i > 0 && chars[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        let mut year = None;
        let mut at = i;
        if let Some((y, j)) = number(i, 4)
            && j - i == 4
            && chars.get(j) == Some(&'年')
        {
            year = Some(y as i32);
            at = j + 1;
        }
        if let Some((m, j)) = number(at, 2)
            && chars.get(j) == Some(&'月')
            && let Some((d, k)) = number(j + 1, 2)
            && matches!(chars.get(k), Some('日') | Some('号'))
        {
            out.push((year, m, d));
            i = k + 1;
            continue;
        }
        i += 1;
    }
    out
}

/// An ISO date leading a file name: `2024-10-21.txt`, `2024-10-21-chongqing.txt`.
pub(crate) fn from_file_name(name: &str) -> Option<NaiveDate> {
    let head = name.get(..10)?;
    let date = NaiveDate::parse_from_str(head, "%Y-%m-%d").ok()?;
    match name[10..].chars().next() {
        None | Some('.') | Some('-') | Some('_') => Some(date),
        _ => None,
    }
}

/// The date flags of the command line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Flags {
    pub(crate) date: Option<NaiveDate>,
    pub(crate) year: Option<i32>,
    /// The flags win over a date the text prints.
    pub(crate) force: bool,
}

/// Years a meeting of this archive can have: from 1949 to 2100.
pub(crate) const YEARS: std::ops::RangeInclusive<i32> = 1949..=2100;

fn check_year(year: i32, flag: &str) -> Result<(), String> {
    if YEARS.contains(&year) {
        Ok(())
    } else {
        Err(format!(
            "{flag} {year} is outside {}–{}: give the full year, e.g. {flag} 2024",
            YEARS.start(),
            YEARS.end()
        ))
    }
}

/// Resolves the date of a meeting whose front text (headline, subtitle, lead) is `text`,
/// read from a file called `file_name`. Returns the date and any warnings. A flag that
/// contradicts a full date the text prints is an error unless `force`.
pub(crate) fn resolve(
    text: &str,
    file_name: &str,
    flags: &Flags,
) -> Result<(NaiveDate, Vec<String>), String> {
    if let Some(y) = flags.year {
        check_year(y, "--year")?;
    }
    if let Some(d) = flags.date {
        check_year(d.year(), "--date")?;
    }
    let found = dates_in(text);
    let mut warnings = Vec::new();
    let month_day = found.first().map(|&(_, m, d)| (m, d));
    if let Some(&(Some(y), m, d)) = found.iter().find(|f| f.0.is_some()) {
        let full = NaiveDate::from_ymd_opt(y, m, d)
            .ok_or_else(|| format!("the text gives an impossible date {y}年{m}月{d}日"))?;
        let flagged = match (flags.date, flags.year) {
            (Some(given), _) => Some((given, format!("--date {given}"))),
            (None, Some(year)) if year != y => {
                let given = NaiveDate::from_ymd_opt(year, m, d)
                    .ok_or_else(|| format!("{year}年{m}月{d}日 is not a date"))?;
                Some((given, format!("--year {year}")))
            }
            _ => None,
        };
        return match flagged {
            Some((given, flag)) if given != full => {
                if flags.force {
                    warnings.push(format!("the text gives {full}; {flag} wins (--force)"));
                    Ok((given, warnings))
                } else {
                    Err(format!(
                        "the text gives {full} ({y}年{m}月{d}日) but {flag} says {given}: drop the flag, or pass --force to use {given}"
                    ))
                }
            }
            _ => Ok((full, warnings)),
        };
    }
    if let Some(given) = flags.date {
        return Ok((given, warnings));
    }
    if let Some(y) = flags.year {
        let (m, d) = month_day.ok_or_else(|| {
            "--year was given but the text names no day (such as 10月21日): pass --date YYYY-MM-DD"
                .to_string()
        })?;
        let full = NaiveDate::from_ymd_opt(y, m, d)
            .ok_or_else(|| format!("{y}年{m}月{d}日 is not a date"))?;
        return Ok((full, warnings));
    }
    if let Some(named) = from_file_name(file_name) {
        if let Some((m, d)) = month_day
            && (named.month(), named.day()) != (m, d)
        {
            warnings.push(format!(
                "the file name says {named} but the text says {m}月{d}日; using {named}"
            ));
        }
        return Ok((named, warnings));
    }
    Err(match month_day {
        Some((m, d)) => format!(
            "the text gives {m}月{d}日 but no year: pass --year YYYY (or --date YYYY-MM-DD)"
        ),
        None => "the text gives no date: pass --date YYYY-MM-DD (or --year YYYY when the text \
                 names the day)"
            .to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn date_sources() {
        let lead = "10月21日上午，市委召开例会。";
        let full = "2024年10月21日上午，市委召开例会。";
        for (text, file, date, year, want) in [
            (full, "x.txt", None, None, Ok(ymd(2024, 10, 21))),
            (full, "x.txt", Some(ymd(2023, 1, 1)), None, Err("--force")),
            (full, "x.txt", Some(ymd(2024, 10, 21)), None, Ok(ymd(2024, 10, 21))),
            (full, "x.txt", None, Some(2024), Ok(ymd(2024, 10, 21))),
            (full, "x.txt", None, Some(2023), Err("2023-10-21")),
            (lead, "x.txt", None, Some(24), Err("1949")),
            (lead, "x.txt", None, Some(2101), Err("1949")),
            (lead, "x.txt", Some(ymd(24, 1, 1)), None, Err("1949")),
            (lead, "x.txt", Some(ymd(2023, 1, 1)), Some(2020), Ok(ymd(2023, 1, 1))),
            (lead, "x.txt", None, Some(2024), Ok(ymd(2024, 10, 21))),
            (lead, "2024-10-21.txt", None, None, Ok(ymd(2024, 10, 21))),
            (lead, "2024-10-21-chongqing.txt", None, None, Ok(ymd(2024, 10, 21))),
            ("开会。", "2015-01-18.html", None, None, Ok(ymd(2015, 1, 18))),
            (lead, "2024-10-21x.txt", None, None, Err("--year")),
            (lead, "x.txt", None, None, Err("--year")),
            ("开会。", "x.txt", None, None, Err("--date")),
            ("开会。", "x.txt", None, Some(2024), Err("--date")),
            ("2月30日开会。", "x.txt", None, Some(2024), Err("not a date")),
        ] {
            let got = resolve(text, file, &Flags { date, year, force: false }).map(|(d, _)| d);
            match want {
                Ok(want) => assert_eq!(got, Ok(want), "{text} {file}"),
                Err(needle) => {
                    let e = got.unwrap_err();
                    assert!(e.contains(needle), "{text} {file}: {e}");
                }
            }
        }
    }

    #[test]
    fn force_lets_the_flags_win() {
        let full = "2025年1月20日，市委召开例会。";
        let flags = Flags { date: Some(ymd(2024, 1, 1)), year: None, force: true };
        let (d, w) = resolve(full, "x.txt", &flags).unwrap();
        assert_eq!((d, w.len()), (ymd(2024, 1, 1), 1));
        let flags = Flags { date: None, year: Some(2024), force: true };
        assert_eq!(resolve(full, "x.txt", &flags).unwrap().0, ymd(2024, 1, 20));
    }

    #[test]
    fn conflicting_file_name_warns() {
        let (d, w) = resolve("1月2日开会。", "2024-10-21.txt", &Flags::default()).unwrap();
        assert_eq!(d, ymd(2024, 10, 21));
        assert_eq!(w.len(), 1);
    }
}
