//! A time axis: dates placed in proportion to the time between them, and tick labels chosen on
//! calendar steps (days, months, years, decades) so that they never overlap on the chart.

use chrono::{Datelike, NaiveDate};

/// Days since 1970-01-01 of an ISO date (`2024-10-21`), or None for anything else.
pub(crate) fn day_number(label: &str) -> Option<i64> {
    let date = crate::render::iso_date(label.get(..10)?)?;
    Some((date - NaiveDate::from_ymd_opt(1970, 1, 1)?).num_days())
}

/// `date` as `2024-10-21` (`%Y-%m-%d`), or `2024-10` without its day: written directly for the
/// years of four digits, through chrono's formatter for any other.
fn iso_text(date: NaiveDate, with_day: bool) -> String {
    match (date.year(), with_day) {
        (0..=9999, true) => format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day()),
        (0..=9999, false) => format!("{:04}-{:02}", date.year(), date.month()),
        (_, true) => date.format("%Y-%m-%d").to_string(),
        (_, false) => date.format("%Y-%m").to_string(),
    }
}

fn date_of(day: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid") + chrono::Days::new(day.max(0) as u64)
}

#[derive(Debug, Clone, Copy)]
enum Step {
    Days(i64),
    Months(u32),
    Years(i32),
}

const STEPS: [Step; 12] = [
    Step::Days(1),
    Step::Days(7),
    Step::Months(1),
    Step::Months(3),
    Step::Months(6),
    Step::Years(1),
    Step::Years(2),
    Step::Years(5),
    Step::Years(10),
    Step::Years(20),
    Step::Years(50),
    Step::Years(100),
];

/// A tick on the time axis: its day number and label.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tick {
    pub(crate) day: i64,
    pub(crate) label: String,
}

/// The days of the calendar ticks of one step between `first` and `last` (inclusive), at most
/// `cap` + 1: labelled only once their number fits.
fn ticks_of(step: Step, first: i64, last: i64, cap: usize) -> Vec<i64> {
    let mut out = Vec::new();
    let (start, end) = (date_of(first), date_of(last));
    match step {
        Step::Days(n) => {
            let mut d = first;
            while d <= last && out.len() <= cap {
                out.push(d);
                d += n;
            }
        }
        Step::Months(n) => {
            let mut months = start.year() * 12 + start.month0() as i32;
            // Aligned to the calendar: quarters start in January, April, …
            months += (n as i32 - months % n as i32) % n as i32;
            if start.day() != 1 && n == 1 && months == start.year() * 12 + start.month0() as i32 {
                months += 1;
            }
            while let Some(date) = NaiveDate::from_ymd_opt(months / 12, (months % 12) as u32 + 1, 1)
            {
                if date > end || out.len() > cap {
                    break;
                }
                if date >= start {
                    out.push(day(date));
                }
                months += n as i32;
            }
        }
        Step::Years(n) => {
            let mut year = start.year() + (n - start.year().rem_euclid(n)) % n;
            if year == start.year() && (start.month(), start.day()) != (1, 1) {
                year += n;
            }
            while let Some(date) = NaiveDate::from_ymd_opt(year, 1, 1) {
                if date > end || out.len() > cap {
                    break;
                }
                out.push(day(date));
                year += n;
            }
        }
    }
    out
}

/// A tick of `step` on `day`, labelled as the step counts: a date, a month or a year.
fn tick(step: Step, day: i64) -> Tick {
    let date = date_of(day);
    let label = match step {
        Step::Days(_) => iso_text(date, true),
        Step::Months(_) => iso_text(date, false),
        Step::Years(_) => date.year().to_string(),
    };
    Tick { day, label }
}

fn day(date: NaiveDate) -> i64 {
    (date - NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid")).num_days()
}

/// The ticks for dates from `first` to `last`: the finest calendar step whose labels, each
/// `width(label)` wide around its position `x(day)`, leave at least `gap` between them and
/// number at most `max`. When no step fits (a span of days), the first and last dates, or the
/// last alone.
pub(crate) fn ticks(
    first: i64,
    last: i64,
    max: usize,
    gap: f64,
    x: impl Fn(i64) -> f64,
    width: impl Fn(&str) -> f64,
) -> Vec<Tick> {
    let fits = |ticks: &[Tick]| {
        ticks.windows(2).all(|w| {
            x(w[1].day) - x(w[0].day) >= (width(&w[0].label) + width(&w[1].label)) / 2.0 + gap
        })
    };
    if first < last {
        for step in STEPS {
            let days = ticks_of(step, first, last, max);
            if days.len() < 2 || days.len() > max {
                continue;
            }
            let ticks: Vec<Tick> = days.into_iter().map(|d| tick(step, d)).collect();
            if fits(&ticks) {
                return ticks;
            }
        }
    }
    let label = |d: i64| iso_text(date_of(d), true);
    let ends =
        vec![Tick { day: first, label: label(first) }, Tick { day: last, label: label(last) }];
    if first < last && fits(&ends) { ends } else { vec![Tick { day: last, label: label(last) }] }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_written_as_chrono_formats_them() {
        let first = NaiveDate::from_ymd_opt(-50, 1, 1).unwrap();
        let dates = (0..4000).map(|k| first + chrono::Days::new(k * 997));
        for date in dates.chain([NaiveDate::from_ymd_opt(10_001, 2, 3).unwrap()]) {
            assert_eq!(iso_text(date, true), date.format("%Y-%m-%d").to_string());
            assert_eq!(iso_text(date, false), date.format("%Y-%m").to_string());
        }
    }

    fn d(s: &str) -> i64 {
        day_number(s).unwrap()
    }

    fn labels(first: &str, last: &str, px_per_day: f64) -> Vec<String> {
        let (a, b) = (d(first), d(last));
        ticks(a, b, 8, 8.0, |t| (t - a) as f64 * px_per_day, |s| s.chars().count() as f64 * 8.4)
            .into_iter()
            .map(|t| t.label)
            .collect()
    }

    #[test]
    fn steps_follow_the_span() {
        // A decade on 330 units: years, thinned so that labels do not collide.
        let decade = labels("2015-03-17", "2024-06-19", 330.0 / 3382.0);
        assert!(decade.iter().all(|l| l.len() == 4), "{decade:?}");
        assert!(decade.len() >= 3 && decade.len() <= 8, "{decade:?}");
        // A year: months or quarters.
        let year = labels("2024-01-15", "2024-12-20", 330.0 / 340.0);
        assert!(year.iter().all(|l| l.len() == 7), "{year:?}");
        // A few days: the dates themselves.
        let days = labels("2024-10-21", "2024-10-23", 330.0 / 2.0);
        assert_eq!(days, ["2024-10-21", "2024-10-22", "2024-10-23"]);
        // One day: one label.
        assert_eq!(labels("2024-10-21", "2024-10-21", 1.0), ["2024-10-21"]);
    }

    #[test]
    fn not_a_date_is_none() {
        assert_eq!(day_number("前三季度"), None);
        assert_eq!(day_number("2024-13-01"), None);
        assert_eq!(day_number("1970-01-02"), Some(1));
    }
}
