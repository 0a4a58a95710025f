//! Inline SVG charts: readable with JavaScript off, labelled for screen readers (role="img",
//! <title>, <desc>; every page also shows the numbers in a table beside the chart), and
//! byte-identical from build to build (fixed layout, numbers printed with fixed precision).
//! Every drawn element has a class (`chart-line-path`, `chart-point`, `chart-grid`, `chart-tick`,
//! `chart-bar`, …) that the theme's stylesheet colours from custom properties, so themes and dark
//! mode recolour charts; the fill and stroke attributes are only the fallback where no stylesheet
//! applies (a presentation attribute loses to any CSS rule).

use std::fmt::Write;

use crate::render::escape_xml as escape;
use crate::render::templates::format_number;

/// One point of a line chart.
#[derive(Debug, Clone)]
pub struct Point {
    /// X label, e.g. the meeting date.
    pub label: String,
    pub value: f64,
    /// Shown under the label, e.g. the period (前三季度).
    pub note: Option<String>,
}

/// One bar of a ranking chart.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    /// Drawn in the accent colour.
    pub highlight: bool,
}

/// The largest magnitude a chart draws; content rejects non-finite values, and anything beyond
/// this is clamped so the scale arithmetic stays finite.
const MAX_VALUE: f64 = 1e12;

/// A scale that includes zero and the data, with round ticks. Non-finite values are ignored and
/// absurd ones clamped, so the scale is always finite with a handful of ticks.
fn scale(values: impl Iterator<Item = f64> + Clone) -> (f64, f64, f64) {
    let finite = values.filter(|v| v.is_finite()).map(|v| v.clamp(-MAX_VALUE, MAX_VALUE));
    let lo = finite.clone().fold(0.0_f64, f64::min);
    let hi = finite.fold(0.0_f64, f64::max);
    let span = (hi - lo).max(1.0);
    let raw = span / 4.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let (lo, hi) = ((lo / step).floor() * step, (hi / step).ceil() * step);
    // All values zero: still one step of room, so positions never divide by zero.
    (lo, if hi > lo { hi } else { lo + step }, step)
}

/// `v` inside the scale; a non-finite value sits at zero.
fn clamp(v: f64, lo: f64, hi: f64) -> f64 {
    if v.is_finite() { v.clamp(lo, hi) } else { 0.0_f64.clamp(lo, hi) }
}

/// The tick values from `lo` to `hi`: counted, never accumulated, so the loop ends whatever the
/// values (at most 32 ticks).
fn ticks(lo: f64, hi: f64, step: f64) -> impl Iterator<Item = f64> {
    let n = ((hi - lo) / step).round();
    let n = if n.is_finite() { (n as usize).min(31) } else { 0 };
    (0..=n).map(move |i| lo + step * i as f64)
}

/// A line chart of one indicator over time. `id` must be unique on the page.
///
/// Sized for a phone: the viewBox is 420 wide, so a 358 px column (a 390 px screen) shows the
/// 14 px text at about 12 px; room is kept for half a date label at either end.
pub fn line(id: &str, title: &str, unit: &str, points: &[Point]) -> String {
    let (w, h, left, right, top, bottom) = (420.0, 240.0, 52.0, 40.0, 24.0, 52.0);
    let (lo, hi, step) = scale(points.iter().map(|p| p.value));
    let plot_w = w - left - right;
    let plot_h = h - top - bottom;
    let y = |v: f64| top + plot_h * (hi - clamp(v, lo, hi)) / (hi - lo);
    let x = |i: usize| {
        if points.len() <= 1 {
            left + plot_w / 2.0
        } else {
            left + plot_w * i as f64 / (points.len() - 1) as f64
        }
    };
    let desc: Vec<String> =
        points.iter().map(|p| format!("{} {}{}", p.label, format_number(p.value), unit)).collect();
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-t {id}-d" class="chart-line"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        escape(title),
        escape(&desc.join("；"))
    );
    for v in ticks(lo, hi, step) {
        let yy = y(v);
        let _ = write!(
            s,
            r##"<line x1="{left}" x2="{:.1}" y1="{yy:.1}" y2="{yy:.1}" stroke="{}" stroke-width="1" class="{}"/><text x="{:.1}" y="{:.1}" font-size="{TEXT}" text-anchor="end" fill="#59636e" class="chart-tick">{}{}</text>"##,
            w - right,
            if v == 0.0 { "#8c959f" } else { "#e3e0d8" },
            if v == 0.0 { "chart-zero" } else { "chart-grid" },
            left - 6.0,
            yy + 4.0,
            format_number(v),
            unit
        );
    }
    if points.len() > 1 {
        let path: Vec<String> = points
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{:.1},{:.1}", x(i), y(p.value)))
            .collect();
        let _ = write!(
            s,
            r##"<polyline points="{}" fill="none" stroke="#a4262c" stroke-width="2" class="chart-line-path"/>"##,
            path.join(" ")
        );
    }
    // Thin out x labels so they never overlap: at most 5 (a date is ~75 units wide), counted
    // back from the newest, which is always labelled. Values above the points only while they
    // are far enough apart to stay readable.
    let every = points.len().div_ceil(5).max(1);
    let last = points.len().saturating_sub(1);
    let values = points.len() <= 8;
    for (i, p) in points.iter().enumerate() {
        let (px, py) = (x(i), y(p.value));
        let _ = write!(
            s,
            r##"<circle cx="{px:.1}" cy="{py:.1}" r="3.5" fill="#a4262c" class="chart-point"><title>{}</title></circle>"##,
            escape(&desc[i])
        );
        if values {
            let _ = write!(
                s,
                r##"<text x="{px:.1}" y="{:.1}" font-size="{TEXT}" text-anchor="middle" fill="#1f2328" class="chart-value">{}</text>"##,
                py - 8.0,
                format_number(p.value)
            );
        }
        if (last - i).is_multiple_of(every) {
            let _ = write!(
                s,
                r##"<text x="{px:.1}" y="{:.1}" font-size="{TEXT}" text-anchor="middle" fill="#59636e" class="chart-tick">{}</text>"##,
                h - bottom + 18.0,
                escape(&p.label)
            );
            if let Some(note) = &p.note {
                let _ = write!(
                    s,
                    r##"<text x="{px:.1}" y="{:.1}" font-size="{NOTE}" text-anchor="middle" fill="#8c959f" class="chart-note">{}</text>"##,
                    h - bottom + 34.0,
                    escape(note)
                );
            }
        }
    }
    s.push_str("</svg>");
    s
}

/// A horizontal bar chart, bars in the order given (already ranked).
///
/// Sized for a phone like `line`: 420 units wide, 14 px text, the label column as wide as the
/// longest label (at most 40% of the chart; longer labels are cut with an ellipsis, the full
/// names being in the chart's description and the table beside it).
pub fn bars(id: &str, title: &str, unit: &str, bars: &[Bar]) -> String {
    let (w, row, right, top) = (420.0, 26.0, 56.0, 8.0);
    let widest = bars.iter().map(|b| text_width(&b.label)).fold(0.0, f64::max);
    let left = (widest + 12.0).clamp(48.0, (w * 0.4_f64).round());
    let h = top * 2.0 + row * bars.len().max(1) as f64;
    let (lo, hi, _) = scale(bars.iter().map(|b| b.value));
    let plot_w = w - left - right;
    let x = |v: f64| left + plot_w * (clamp(v, lo, hi) - lo) / (hi - lo);
    let desc: Vec<String> =
        bars.iter().map(|b| format!("{} {}{}", b.label, format_number(b.value), unit)).collect();
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-t {id}-d" class="chart-bars"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        escape(title),
        escape(&desc.join("；"))
    );
    let zero = x(0.0);
    for (i, b) in bars.iter().enumerate() {
        let yy = top + row * i as f64;
        let (x0, x1) = if b.value >= 0.0 { (zero, x(b.value)) } else { (x(b.value), zero) };
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="{TEXT}" text-anchor="end" fill="#1f2328" class="chart-label">{}</text><rect x="{x0:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}" class="{}"/><text x="{:.1}" y="{:.1}" font-size="{TEXT}" fill="#59636e" class="chart-tick">{}{}</text>"##,
            left - 6.0,
            yy + row * 0.68,
            escape(&fit(&b.label, left - 10.0)),
            yy + 4.0,
            (x1 - x0).max(1.0),
            row - 8.0,
            if b.highlight { "#a4262c" } else { "#d9a3a5" },
            if b.highlight { "chart-bar chart-bar-highlight" } else { "chart-bar" },
            x1.max(zero) + 4.0,
            yy + row * 0.68,
            format_number(b.value),
            unit
        );
    }
    let _ = write!(
        s,
        r##"<line x1="{zero:.1}" x2="{zero:.1}" y1="{top}" y2="{:.1}" stroke="#8c959f" class="chart-zero"/>"##,
        h - top
    );
    s.push_str("</svg>");
    s
}

/// Font size of chart text, in viewBox units.
const TEXT: f64 = 14.0;
/// Font size of the small notes under a line chart's dates.
const NOTE: f64 = 13.0;

/// The width of `s` at `TEXT` size, estimated without a font: a CJK character (or any wide
/// one) is one em, anything else about 0.6 em. Deterministic, and generous enough for the
/// proportional fonts of the theme's stack.
fn text_width(s: &str) -> f64 {
    s.chars().map(|c| if (c as u32) < 0x2E80 { 0.6 } else { 1.0 }).sum::<f64>() * TEXT
}

/// `s`, cut with an ellipsis to at most `max` wide.
fn fit(s: &str, max: f64) -> String {
    if text_width(s) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        out.push(c);
        if text_width(&out) + TEXT > max {
            out.pop();
            break;
        }
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_has_one_point_per_value_and_labels() {
        let pts: Vec<Point> = [6.6, 7.1, 5.9]
            .iter()
            .enumerate()
            .map(|(i, v)| Point {
                label: format!("2024-0{}-01", i + 1),
                value: *v,
                note: Some("前三季度".into()),
            })
            .collect();
        let svg = line("c1", "GDP <增速>", "%", &pts);
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains("<title id=\"c1-t\">GDP &lt;增速&gt;</title>"));
        assert!(svg.contains("2024-03-01 5.9%"));
        assert!(svg.contains("前三季度"));
        assert_eq!(svg, line("c1", "GDP <增速>", "%", &pts), "deterministic");
    }

    #[test]
    fn every_coloured_element_has_a_class_for_the_stylesheet() {
        let pts: Vec<Point> = [-1.0, 0.5, 2.0]
            .iter()
            .map(|v| Point { label: "2024".into(), value: *v, note: Some("全年".into()) })
            .collect();
        let bar = |highlight| Bar { label: "万州区".into(), value: -2.5, highlight };
        for svg in [line("l", "t", "%", &pts), bars("b", "t", "%", &[bar(true), bar(false)])] {
            let tags: Vec<&str> = svg
                .split('<')
                .filter(|t| t.contains("fill=\"#") || t.contains("stroke=\"#"))
                .collect();
            assert!(tags.len() > 5, "{svg}");
            for tag in tags {
                assert!(tag.contains(" class=\"chart-"), "{tag}");
            }
        }
        assert!(line("l", "t", "%", &pts).contains("class=\"chart-zero\""));
        assert!(bars("b", "t", "%", &[bar(true)]).contains("chart-bar chart-bar-highlight"));
    }

    #[test]
    fn bars_handle_negative_values() {
        let svg = bars(
            "b",
            "t",
            "%",
            &[
                Bar { label: "万州区".into(), value: 6.6, highlight: true },
                Bar { label: "某县".into(), value: -2.0, highlight: false },
            ],
        );
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(!svg.contains("NaN"));
    }

    #[test]
    fn bars_size_the_label_column_to_the_longest_label() {
        let bar = |label: &str| Bar { label: label.into(), value: 6.6, highlight: false };
        let short = bars("b", "t", "%", &[bar("万州区"), bar("南岸区")]);
        let long = bars("b", "t", "%", &[bar("万州区"), bar("重庆高新区")]);
        // The labels end 6 units before the column's edge: 3 and 5 characters of 14 units.
        assert!(short.contains(r#"<text x="48.0""#), "{short}");
        assert!(long.contains(r#"<text x="76.0""#), "{long}");
        assert!(short.contains(r#"viewBox="0 0 420 68""#), "{short}");
        assert!(short.contains(r#"font-size="14""#));
        // A label too long for 40% of the chart is cut, and stays whole in the description.
        let name = "某某市某某某某某某某某某某某某某某管理委员会";
        let cut = bars("b", "t", "%", &[bar(name)]);
        assert!(cut.contains("…</text>") && cut.contains(&format!("{name} 6.6%")), "{cut}");
    }

    #[test]
    fn line_labels_the_newest_date_and_at_most_five() {
        let pts: Vec<Point> = (1..=12)
            .map(|i| Point { label: format!("2024-{i:02}-01"), value: i as f64, note: None })
            .collect();
        let svg = line("c", "t", "%", &pts);
        let dates = (1..=12).filter(|i| svg.contains(&format!(">2024-{i:02}-01<"))).count();
        assert_eq!(dates, 4, "{svg}");
        assert!(svg.contains(">2024-12-01<"), "the newest point is labelled");
        assert_eq!(svg.matches("<circle").count(), 12);
    }

    #[test]
    fn absurd_values_give_a_finite_chart_with_few_ticks() {
        for value in [1.7e308, -1.7e308, f64::INFINITY, f64::NAN, 1e15, 5e-324] {
            let points = [
                Point { label: "2024-01-01".into(), value, note: None },
                Point { label: "2024-06-01".into(), value: 3.0, note: None },
            ];
            let svg = line("c", "t", "%", &points);
            assert!(!svg.contains("NaN") && !svg.contains("inf"), "{value}: {svg}");
            assert!(svg.matches("<line ").count() <= 32, "{value}");
            let svg = bars("b", "t", "%", &[Bar { label: "x".into(), value, highlight: false }]);
            assert!(!svg.contains("NaN") && !svg.contains("inf"), "{value}: {svg}");
        }
    }

    #[test]
    fn scale_includes_zero() {
        let (lo, hi, step) = scale([6.6, 11.2].into_iter());
        assert!(lo <= 0.0 && hi >= 11.2 && step > 0.0, "{lo} {hi} {step}");
    }
}
