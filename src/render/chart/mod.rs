//! Inline SVG charts: readable with JavaScript off, labelled for screen readers (role="img",
//! <title>, <desc>; every page also shows the numbers in a table beside the chart), and
//! byte-identical from build to build (fixed layout, numbers printed with fixed precision).
//!
//! Series are drawn on a time axis (x in proportion to dates), points of different reporting
//! periods get different marks and are never joined by one line, and every text on a chart is a
//! box placed where it overlaps no other text and crosses no line (labels.rs). Colours are
//! classes styled by the theme's CSS custom properties, with presentation attributes as the
//! fallback when no stylesheet applies.

mod labels;
mod time_axis;

use std::fmt::Write;

use labels::{Anchor, Box2, Taken};

use crate::render::Tenths;
use crate::render::escape_xml as escape;
use crate::render::i18n::Strings;
use crate::render::templates::format_number;

/// One point of a line chart.
#[derive(Debug, Clone)]
pub(crate) struct Point {
    /// The date (`2024-10-21`) the x axis places it at; any other label gives equal steps.
    pub(crate) label: String,
    pub(crate) value: f64,
    /// The period as printed (前三季度), shown in the point's title and the legend.
    pub(crate) note: Option<String>,
    /// Which series the point belongs to (the canonical period, `1-9`): lines join only points
    /// of one group, and each group has its own mark. None: grouped by `note`.
    pub(crate) group: Option<String>,
}

/// One bar of a ranking chart.
#[derive(Debug, Clone)]
pub(crate) struct Bar {
    pub(crate) label: String,
    pub(crate) value: f64,
    /// Drawn in the accent colour.
    pub(crate) highlight: bool,
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

/// A text placed on a chart, with the box it takes.
#[derive(Debug, Clone)]
struct Label {
    x: f64,
    y: f64,
    anchor: Anchor,
    text: String,
    #[cfg_attr(not(test), allow(dead_code))]
    area: Box2,
}

impl Label {
    fn new(x: f64, y: f64, anchor: Anchor, text: String, size: f64) -> Label {
        let area = Box2::text(x, y, width_at(&text, size), size, anchor);
        Label { x, y, anchor, text, area }
    }
}

/// The marks that tell the groups of a series apart, in order of first use.
const MARKS: [&str; 4] = ["circle", "square", "triangle", "diamond"];

/// Where everything of a line chart goes; computed first, then drawn, so tests can check it.
#[derive(Debug)]
struct LineLayout {
    width: f64,
    height: f64,
    /// Point positions, in the order given.
    xy: Vec<(f64, f64)>,
    /// Group index of each point.
    group_of: Vec<usize>,
    /// Per group, its points' indices in x order: the line that joins them.
    lines: Vec<Vec<usize>>,
    y_ticks: Vec<(f64, Label, bool)>,
    x_ticks: Vec<(f64, Label)>,
    values: Vec<(usize, Label)>,
    legend: Vec<(f64, f64, Label)>,
    plot: Box2,
}

/// Lays out a line chart: a time axis when every label is a date, value labels where free.
fn layout_line(unit: &str, points: &[Point], words: &Strings) -> LineLayout {
    let n = points.len();
    let width = if n > 12 { 720.0 } else { 420.0 };
    let groups = group_names(points);
    let group_of: Vec<usize> = points
        .iter()
        .map(|p| groups.iter().position(|g| *g == group_name(p)).unwrap_or(0))
        .collect();
    let legend_at = legend_positions(points, &groups, width, words);
    let legend_row = legend_at.last().map_or(0.0, |&(_, row)| 20.0 * (row + 1) as f64 + 2.0);
    let (lo, hi, step) = scale(points.iter().map(|p| p.value));
    let tick_values: Vec<f64> = ticks(lo, hi, step).collect();
    let y_label_w = tick_values
        .iter()
        .map(|v| text_width(&format!("{}{unit}", format_number(*v))))
        .fold(0.0, f64::max);
    let left = (y_label_w + 12.0).max(40.0);
    // Room on the right for the newest value written beside its point.
    let widest_value =
        points.iter().map(|p| text_width(&format_number(p.value))).fold(0.0, f64::max);
    let (right, top, bottom) = ((widest_value + 4.0).max(28.0), 24.0 + legend_row, 40.0);
    let height = 240.0 + legend_row;
    let plot = Box2 { x0: left, y0: top, x1: width - right, y1: height - bottom };
    let y = |v: f64| plot.y0 + (plot.y1 - plot.y0) * (hi - clamp(v, lo, hi)) / (hi - lo);
    let mut taken = Taken::default();

    let y_ticks: Vec<(f64, Label, bool)> = tick_values
        .iter()
        .map(|&v| {
            let yy = y(v);
            let label = Label::new(
                left - 6.0,
                yy + 4.0,
                Anchor::End,
                format!("{}{unit}", format_number(v)),
                TEXT,
            );
            taken.add(label.area);
            (yy, label, v == 0.0)
        })
        .collect();

    let (xs, x_ticks) = x_positions(points, &plot);
    let x_ticks = keep_inside(x_ticks, width, &mut taken);
    let xy: Vec<(f64, f64)> = xs.iter().zip(points).map(|(&xx, p)| (xx, y(p.value))).collect();
    let lines = join_groups(groups.len(), &group_of, &xy);
    for w in lines.iter().flat_map(|members| members.windows(2)) {
        taken.add_segment(xy[w[0]], xy[w[1]]);
    }
    for &(px, py) in &xy {
        taken.add(Box2 { x0: px - 4.5, y0: py - 4.5, x1: px + 4.5, y1: py + 4.5 });
    }

    let mut legend = Vec::new();
    for (name, &(lx, row)) in groups.iter().zip(&legend_at) {
        let ly = 16.0 + 20.0 * row as f64;
        let label =
            Label::new(lx + 12.0, ly, Anchor::Start, group_label_of(points, name, words), NOTE);
        taken.add(Box2 { x0: lx - 5.0, ..label.area });
        legend.push((lx, ly - 5.0, label));
    }

    let within = Box2 { x0: 0.0, y0: legend_row, x1: width, y1: plot.y1 };
    let values = place_values(points, &xy, &mut taken, &within);
    LineLayout { width, height, xy, group_of, lines, y_ticks, x_ticks, values, legend, plot }
}

/// Where each legend entry starts (x, row): only when there are several groups, wrapped into
/// as many rows as the chart's width needs.
fn legend_positions(
    points: &[Point],
    groups: &[String],
    width: f64,
    words: &Strings,
) -> Vec<(f64, usize)> {
    let mut legend_at = Vec::new();
    if groups.len() > 1 {
        let (mut lx, mut row) = (8.0, 0usize);
        for name in groups {
            let w = 12.0 + width_at(&group_label_of(points, name, words), NOTE);
            if lx > 8.0 && lx + w > width - 8.0 {
                lx = 8.0;
                row += 1;
            }
            legend_at.push((lx, row));
            lx += w + 14.0;
        }
    }
    legend_at
}

/// X positions of the points and the x-axis ticks: in proportion to time when every label is a
/// date, else equal steps.
fn x_positions(points: &[Point], plot: &Box2) -> (Vec<f64>, Vec<(f64, Label)>) {
    let days: Option<Vec<i64>> = points.iter().map(|p| time_axis::day_number(&p.label)).collect();
    let (plot_x0, plot_w) = (plot.x0 + 8.0, plot.x1 - plot.x0 - 16.0);
    match &days {
        Some(days) if !days.is_empty() => time_x(days, plot_x0, plot_w, plot.y1),
        _ => even_x(points, plot_x0, plot_w, plot.y1),
    }
}

/// Dates in proportion to time, with the time axis's ticks (never more than fit).
fn time_x(days: &[i64], plot_x0: f64, plot_w: f64, base: f64) -> (Vec<f64>, Vec<(f64, Label)>) {
    let (first, last) = (*days.iter().min().expect("some"), *days.iter().max().expect("some"));
    let x = |d: i64| {
        if first == last {
            plot_x0 + plot_w / 2.0
        } else {
            plot_x0 + plot_w * (d - first) as f64 / (last - first) as f64
        }
    };
    let max = ((plot_w / 48.0) as usize).clamp(2, 12);
    let ticks = time_axis::ticks(first, last, max, 10.0, x, text_width);
    let xs = days.iter().map(|&d| x(d)).collect();
    let at = |t: time_axis::Tick| {
        let xx = x(t.day);
        (xx, Label::new(xx, base + 24.0, Anchor::Middle, t.label, TEXT))
    };
    (xs, ticks.into_iter().map(at).collect())
}

/// Labels that are not dates at equal steps, labelled every k-th counted back from the last,
/// the smallest k that does not collide.
fn even_x(points: &[Point], plot_x0: f64, plot_w: f64, base: f64) -> (Vec<f64>, Vec<(f64, Label)>) {
    let n = points.len();
    let x = |i: usize| {
        if n <= 1 { plot_x0 + plot_w / 2.0 } else { plot_x0 + plot_w * i as f64 / (n - 1) as f64 }
    };
    let xs: Vec<f64> = (0..n).map(x).collect();
    let widest = points.iter().map(|p| text_width(&p.label)).fold(0.0, f64::max);
    let every = (1..=n.max(1))
        .find(|k| n <= 1 || plot_w / (n - 1) as f64 * *k as f64 >= widest + 10.0)
        .unwrap_or(n.max(1));
    let ticks = (0..n)
        .filter(|i| (n - 1 - i).is_multiple_of(every))
        .map(|i| {
            let label =
                Label::new(xs[i], base + 24.0, Anchor::Middle, points[i].label.clone(), TEXT);
            (xs[i], label)
        })
        .collect();
    (xs, ticks)
}

/// The x tick labels with the outermost moved inside the chart, each taken.
fn keep_inside(x_ticks: Vec<(f64, Label)>, width: f64, taken: &mut Taken) -> Vec<(f64, Label)> {
    x_ticks
        .into_iter()
        .map(|(xx, mut l)| {
            if l.area.x0 < 2.0 {
                l = Label::new(2.0, l.y, Anchor::Start, l.text, TEXT);
            } else if l.area.x1 > width - 2.0 {
                l = Label::new(width - 2.0, l.y, Anchor::End, l.text, TEXT);
            }
            taken.add(l.area);
            (xx, l)
        })
        .collect()
}

/// Per group, its points' indices in x order: the line that joins them.
fn join_groups(groups: usize, group_of: &[usize], xy: &[(f64, f64)]) -> Vec<Vec<usize>> {
    (0..groups)
        .map(|g| {
            let mut members: Vec<usize> = (0..xy.len()).filter(|&i| group_of[i] == g).collect();
            members.sort_by(|&a, &b| xy[a].0.total_cmp(&xy[b].0));
            members
        })
        .collect()
}

/// Value labels, newest first (the newest matters most), each at the first free place around
/// its point; a value with no free place goes unlabelled (the table has it). In point order.
fn place_values(
    points: &[Point],
    xy: &[(f64, f64)],
    taken: &mut Taken,
    within: &Box2,
) -> Vec<(usize, Label)> {
    let mut order: Vec<usize> = (0..points.len()).collect();
    order.sort_by(|&a, &b| xy[b].0.total_cmp(&xy[a].0).then(b.cmp(&a)));
    let mut values = Vec::new();
    for i in order {
        let (px, py) = xy[i];
        let text = format_number(points[i].value);
        let w = text_width(&text);
        let candidates = [
            (px, py - 8.0, Anchor::Middle),
            (px, py + 19.0, Anchor::Middle),
            (px + 7.0, py + 5.0, Anchor::Start),
            (px - 7.0, py + 5.0, Anchor::End),
            (px + 6.0, py - 8.0, Anchor::Start),
            (px - 6.0, py - 8.0, Anchor::End),
            (px, py - 24.0, Anchor::Middle),
            (px, py + 35.0, Anchor::Middle),
        ]
        .map(|(x, y, a)| (Box2::text(x, y, w, TEXT, a), x, y, a));
        if let Some((x, y, anchor)) = taken.place(&candidates, within) {
            values.push((i, Label::new(x, y, anchor, text, TEXT)));
        }
    }
    values.sort_by_key(|(i, _)| *i);
    values
}

fn group_name(p: &Point) -> String {
    p.group.clone().or_else(|| p.note.clone()).unwrap_or_default()
}

/// The distinct groups of a series, the largest first (it gets the plain circle), then by name.
fn group_names(points: &[Point]) -> Vec<String> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for p in points {
        let g = group_name(p);
        match counts.iter_mut().find(|(name, _)| *name == g) {
            Some((_, c)) => *c += 1,
            None => counts.push((g, 1)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts.into_iter().map(|(g, _)| g).collect()
}

/// The legend text of a group: the printed period of its first point.
fn group_label_of(points: &[Point], group: &str, words: &Strings) -> String {
    points
        .iter()
        .find(|p| group_name(p) == group)
        .and_then(|p| p.note.clone().or_else(|| p.group.clone()))
        .unwrap_or_else(|| words.text("chart.no_period", &[]))
}

/// A mark at `(x, y)`: circle, square, triangle or diamond; groups past the fourth are hollow.
fn mark(s: &mut String, g: usize, x: f64, y: f64, title: &str) {
    let class = if g < MARKS.len() { "chart-mark" } else { "chart-mark chart-mark-hollow" };
    let fill = if g < MARKS.len() { "#a4262c" } else { "#ffffff" };
    let common = format!(r##"class="{class}" fill="{fill}" stroke="#a4262c" stroke-width="1.5""##);
    let title = format!("<title>{}</title>", escape(title));
    let _ = match MARKS[g % MARKS.len()] {
        "circle" => {
            write!(
                s,
                r#"<circle cx="{}" cy="{}" r="3.5" {common}>{title}</circle>"#,
                Tenths(x),
                Tenths(y)
            )
        }
        "square" => write!(
            s,
            r#"<rect x="{}" y="{}" width="7" height="7" {common}>{title}</rect>"#,
            Tenths(x - 3.5),
            Tenths(y - 3.5)
        ),
        "triangle" => write!(
            s,
            r#"<path d="M{x} {}L{} {}L{} {}Z" {common}>{title}</path>"#,
            Tenths(y - 4.5),
            Tenths(x + 4.0),
            Tenths(y + 3.0),
            Tenths(x - 4.0),
            Tenths(y + 3.0),
            x = Tenths(x)
        ),
        _ => write!(
            s,
            r#"<path d="M{x} {}L{} {y}L{x} {}L{} {y}Z" {common}>{title}</path>"#,
            Tenths(y - 4.5),
            Tenths(x + 4.5),
            Tenths(y + 4.5),
            Tenths(x - 4.5),
            x = Tenths(x),
            y = Tenths(y)
        ),
    };
}

/// A line chart of one indicator over time. `id` must be unique on the page.
///
/// Sized for a phone: the viewBox is 420 wide (720 for a long series, which the theme gives the
/// full content width), so a 358 px column shows the 14 px text at about 12 px. Points sit at
/// their dates; points of one group (period) are joined, others get their own mark and a legend.
/// `words` gives the words: the separator of the description, a point's period.
pub(crate) fn line(id: &str, title: &str, unit: &str, points: &[Point], words: &Strings) -> String {
    let l = layout_line(unit, points, words);
    let desc: Vec<String> = points
        .iter()
        .map(|p| match &p.note {
            Some(note) => words.text(
                "chart.point_note",
                &[
                    ("label", &p.label),
                    ("note", note),
                    ("value", &format!("{}{unit}", format_number(p.value))),
                ],
            ),
            None => format!("{} {}{unit}", p.label, format_number(p.value)),
        })
        .collect();
    let separator = words.text("chart.separator", &[]);
    let wide = if l.width > 420.0 { " chart-wide" } else { "" };
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" aria-labelledby="{id}-t {id}-d" class="chart-line{wide}"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        l.width,
        l.height,
        escape(title),
        escape(&desc.join(&separator))
    );
    for (yy, label, zero) in &l.y_ticks {
        let (class, colour) =
            if *zero { ("chart-axis", "#8c959f") } else { ("chart-grid", "#e3e0d8") };
        let _ = write!(
            s,
            r#"<line x1="{}" x2="{}" y1="{yy}" y2="{yy}" class="{class}" stroke="{colour}" stroke-width="1"/>"#,
            l.plot.x0,
            Tenths(l.plot.x1),
            yy = Tenths(*yy)
        );
        text(&mut s, label, "chart-tick", "#59636e", TEXT);
    }
    for (xx, label) in &l.x_ticks {
        let _ = write!(
            s,
            r##"<line x1="{xx}" x2="{xx}" y1="{}" y2="{}" class="chart-axis" stroke="#8c959f" stroke-width="1"/>"##,
            Tenths(l.plot.y1),
            Tenths(l.plot.y1 + 5.0),
            xx = Tenths(*xx)
        );
        text(&mut s, label, "chart-tick", "#59636e", TEXT);
    }
    for (g, members) in l.lines.iter().enumerate() {
        if members.len() > 1 {
            let path: Vec<String> = members
                .iter()
                .map(|&i| format!("{},{}", Tenths(l.xy[i].0), Tenths(l.xy[i].1)))
                .collect();
            let dash = if g == 0 { "" } else { r#" stroke-dasharray="4 3""# };
            let _ = write!(
                s,
                r##"<polyline points="{}" class="chart-series" fill="none" stroke="#a4262c" stroke-width="2"{dash}/>"##,
                path.join(" ")
            );
        }
    }
    for (i, &(px, py)) in l.xy.iter().enumerate() {
        mark(&mut s, l.group_of[i], px, py, &desc[i]);
    }
    for (_, label) in &l.values {
        text(&mut s, label, "chart-value", "#1f2328", TEXT);
    }
    for (g, (mx, my, label)) in l.legend.iter().enumerate() {
        mark(&mut s, g, *mx, *my, &label.text);
        text(&mut s, label, "chart-legend", "#59636e", NOTE);
    }
    s.push_str("</svg>");
    s
}

fn text(s: &mut String, label: &Label, class: &str, colour: &str, size: f64) {
    let _ = write!(
        s,
        r#"<text x="{}" y="{}" font-size="{size}" text-anchor="{}" class="{class}" fill="{colour}">{}</text>"#,
        Tenths(label.x),
        Tenths(label.y),
        label.anchor.as_str(),
        escape(&label.text)
    );
}

/// One small line for a grid of small multiples: every chart of the grid on the same value scale
/// and time range (`scale`), the newest value written at the end. Only points of the newest
/// point's group are joined.
pub(crate) fn sparkline(
    id: &str,
    title: &str,
    unit: &str,
    points: &[Point],
    scale: &SparkScale,
    words: &Strings,
) -> String {
    let (w, h, pad, label_w) = (200.0, 48.0, 6.0, 56.0);
    let plot_w = w - 2.0 * pad - label_w;
    let x = |p: &Point| {
        let d = time_axis::day_number(&p.label).unwrap_or(scale.first_day);
        if scale.last_day > scale.first_day {
            pad + plot_w * (d - scale.first_day) as f64 / (scale.last_day - scale.first_day) as f64
        } else {
            pad + plot_w
        }
    };
    let y = |v: f64| {
        pad + (h - 2.0 * pad) * (scale.hi - clamp(v, scale.lo, scale.hi)) / (scale.hi - scale.lo)
    };
    let mut sorted: Vec<&Point> = points.iter().collect();
    sorted.sort_by_key(|p| time_axis::day_number(&p.label).unwrap_or(i64::MIN));
    let newest = sorted.last().map(|p| group_name(p));
    let desc: Vec<String> =
        sorted.iter().map(|p| format!("{} {}{unit}", p.label, format_number(p.value))).collect();
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-t {id}-d" class="chart-spark"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        escape(title),
        escape(&desc.join(&words.text("chart.separator", &[])))
    );
    if scale.lo < 0.0 && scale.hi > 0.0 {
        let _ = write!(
            s,
            r##"<line x1="{pad}" x2="{:.1}" y1="{:.1}" y2="{:.1}" class="chart-axis" stroke="#8c959f" stroke-width="1"/>"##,
            pad + plot_w,
            y(0.0),
            y(0.0)
        );
    }
    let line: Vec<String> = sorted
        .iter()
        .filter(|p| Some(group_name(p)) == newest)
        .map(|p| format!("{},{}", Tenths(x(p)), Tenths(y(p.value))))
        .collect();
    if line.len() > 1 {
        let _ = write!(
            s,
            r##"<polyline points="{}" class="chart-series" fill="none" stroke="#a4262c" stroke-width="1.5"/>"##,
            line.join(" ")
        );
    }
    // Every report is a dot; the line joins the newest period's reports.
    for p in &sorted[..sorted.len().saturating_sub(1)] {
        let _ = write!(
            s,
            r##"<circle cx="{}" cy="{}" r="1.8" class="chart-mark chart-mark-minor" fill="#a4262c"/>"##,
            Tenths(x(p)),
            Tenths(y(p.value))
        );
    }
    if let Some(p) = sorted.last() {
        let (px, py) = (x(p), y(p.value));
        let _ = write!(
            s,
            r##"<circle cx="{px:.1}" cy="{py:.1}" r="3" class="chart-mark" fill="#a4262c"><title>{}</title></circle><text x="{:.1}" y="{:.1}" font-size="{TEXT}" class="chart-value" fill="#1f2328">{}{unit}</text>"##,
            escape(desc.last().map(String::as_str).unwrap_or("")),
            w - label_w + 2.0,
            h / 2.0 + 5.0,
            format_number(p.value)
        );
    }
    s.push_str("</svg>");
    s
}

/// The common scale of a grid of sparklines.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SparkScale {
    pub(crate) lo: f64,
    pub(crate) hi: f64,
    pub(crate) first_day: i64,
    pub(crate) last_day: i64,
}

impl SparkScale {
    /// One scale for every series: zero, every value, every date.
    pub(crate) fn of<'a>(series: impl Iterator<Item = &'a [Point]> + Clone) -> SparkScale {
        let values = series.clone().flat_map(|ps| ps.iter().map(|p| p.value));
        let (lo, hi, _) = scale(values);
        let days: Vec<i64> = series
            .flat_map(|ps| ps.iter().filter_map(|p| time_axis::day_number(&p.label)))
            .collect();
        let first_day = days.iter().copied().min().unwrap_or(0);
        let last_day = days.iter().copied().max().unwrap_or(0);
        SparkScale { lo, hi, first_day, last_day }
    }
}

/// A horizontal bar chart, bars in the order given (already ranked).
///
/// Sized for a phone like `line`: 420 units wide, 14 px text, the label column as wide as the
/// longest label (at most 40% of the chart; longer labels are cut with an ellipsis, the full
/// names being in the chart's description and the table beside it).
pub(crate) fn bars(id: &str, title: &str, unit: &str, bars: &[Bar], words: &Strings) -> String {
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
        escape(&desc.join(&words.text("chart.separator", &[])))
    );
    let zero = x(0.0);
    for (i, b) in bars.iter().enumerate() {
        let yy = top + row * i as f64;
        let (x0, x1) = if b.value >= 0.0 { (zero, x(b.value)) } else { (x(b.value), zero) };
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="{TEXT}" text-anchor="end" class="chart-value" fill="#1f2328">{}</text><rect x="{x0:.1}" y="{:.1}" width="{:.1}" height="{:.1}" class="{}" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="{TEXT}" class="chart-tick" fill="#59636e">{}{}</text>"##,
            left - 6.0,
            yy + row * 0.68,
            escape(&fit(&b.label, left - 10.0)),
            yy + 4.0,
            (x1 - x0).max(1.0),
            row - 8.0,
            if b.highlight { "chart-bar-highlight" } else { "chart-bar" },
            if b.highlight { "#a4262c" } else { "#d9a3a5" },
            x1.max(zero) + 4.0,
            yy + row * 0.68,
            format_number(b.value),
            unit
        );
    }
    let _ = write!(
        s,
        r##"<line x1="{zero:.1}" x2="{zero:.1}" y1="{top}" y2="{:.1}" class="chart-axis" stroke="#8c959f"/>"##,
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
    width_at(s, TEXT)
}

/// The width of `s` at font size `size`.
fn width_at(s: &str, size: f64) -> f64 {
    s.chars().map(|c| if (c as u32) < 0x2E80 { 0.6 } else { 1.0 }).sum::<f64>() * size
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

    fn zh() -> Strings {
        Strings::embedded("zh-CN")
    }

    fn point(label: &str, value: f64, period: Option<&str>) -> Point {
        Point { label: label.into(), value, note: period.map(String::from), group: None }
    }

    #[test]
    fn line_has_one_point_per_value_and_labels() {
        let pts: Vec<Point> = [6.6, 7.1, 5.9]
            .iter()
            .enumerate()
            .map(|(i, v)| point(&format!("2024-0{}-01", i + 1), *v, Some("前三季度")))
            .collect();
        let svg = line("c1", "GDP <增速>", "%", &pts, &zh());
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains("<title id=\"c1-t\">GDP &lt;增速&gt;</title>"));
        assert!(svg.contains("2024-03-01（前三季度）5.9%"));
        assert_eq!(svg, line("c1", "GDP <增速>", "%", &pts, &zh()), "deterministic");
    }

    /// Dates from `start`, `n` of them, `gap_days` apart with some jitter.
    fn series(n: usize, start: &str, gap_days: u64, periods: &[&str]) -> Vec<Point> {
        let first = chrono::NaiveDate::parse_from_str(start, "%Y-%m-%d").unwrap();
        (0..n)
            .map(|i| {
                let date = first + chrono::Days::new(i as u64 * gap_days + (i as u64 * 7) % 5);
                let value = 5.0 + ((i * 37) % 23) as f64 / 3.0 - 3.0;
                point(&date.to_string(), value, Some(periods[i % periods.len()]))
            })
            .collect()
    }

    fn all_labels(l: &LineLayout) -> Vec<(String, Box2)> {
        let mut out: Vec<(String, Box2)> = Vec::new();
        out.extend(l.y_ticks.iter().map(|(_, t, _)| (format!("y {}", t.text), t.area)));
        out.extend(l.x_ticks.iter().map(|(_, t)| (format!("x {}", t.text), t.area)));
        out.extend(l.values.iter().map(|(_, t)| (format!("v {}", t.text), t.area)));
        out.extend(l.legend.iter().map(|(_, _, t)| (format!("legend {}", t.text), t.area)));
        out
    }

    #[test]
    fn labels_never_overlap_and_x_follows_time() {
        let spans = [("days", 1), ("weeks", 9), ("months", 40), ("years", 200), ("decades", 1300)];
        for n in [2, 12, 30, 120] {
            for (span, gap) in spans {
                let many = [
                    "1—2月",
                    "一季度",
                    "1—4月",
                    "1—5月",
                    "上半年",
                    "1—7月",
                    "1—8月",
                    "前三季度",
                    "1—10月",
                    "1—11月",
                    "全年",
                ];
                for periods in [&["前三季度"][..], &["前三季度", "上半年", "全年"][..], &many[..]]
                {
                    let pts = series(n, "2015-03-17", gap, periods);
                    let l = layout_line("%", &pts, &zh());
                    let case = format!("{n} points over {span}, {} periods", periods.len());
                    let labels = all_labels(&l);
                    for (i, (a, ba)) in labels.iter().enumerate() {
                        for (b, bb) in &labels[i + 1..] {
                            assert!(!ba.overlaps(bb), "{case}: {a} overlaps {b}");
                        }
                        assert!(ba.x0 >= 0.0 && ba.x1 <= l.width, "{case}: {a} leaves the chart");
                    }
                    for (i, a) in pts.iter().enumerate() {
                        for (j, b) in pts.iter().enumerate() {
                            if a.label < b.label {
                                assert!(l.xy[i].0 < l.xy[j].0, "{case}: x not in time order");
                            }
                        }
                    }
                    assert!(!l.x_ticks.is_empty(), "{case}: no date on the axis");
                    assert!(!l.values.is_empty(), "{case}: no value labelled");
                    let newest = (0..n).max_by_key(|&i| (&pts[i].label, i)).unwrap();
                    assert!(l.values.iter().any(|(i, _)| *i == newest), "{case}: newest value");
                }
            }
        }
    }

    #[test]
    fn a_nine_year_gap_is_drawn_wider_than_five_months() {
        let pts = [
            point("2015-03-17", 6.0, None),
            point("2015-08-26", 7.0, None),
            point("2024-06-19", 5.0, None),
        ];
        let l = layout_line("%", &pts, &zh());
        let (a, b, c) = (l.xy[0].0, l.xy[1].0, l.xy[2].0);
        assert!((c - b) > 15.0 * (b - a), "{a} {b} {c}");
    }

    #[test]
    fn lines_join_only_points_of_one_period() {
        let pts = [
            point("2024-01-20", 6.0, Some("全年")),
            point("2024-04-20", 5.0, Some("一季度")),
            point("2024-07-20", 5.5, Some("上半年")),
            point("2025-01-20", 6.2, Some("全年")),
        ];
        let svg = line("c", "t", "%", &pts, &zh());
        // Only 全年 has two points: one line, with two points.
        assert_eq!(svg.matches("<polyline").count(), 1, "{svg}");
        let poly = svg.split("<polyline points=\"").nth(1).unwrap();
        let coords = poly.split('"').next().unwrap();
        assert_eq!(coords.split(' ').count(), 2, "{coords}");
        // Three periods: three marks and a legend naming them.
        for period in ["全年", "一季度", "上半年"] {
            assert!(svg.contains(&format!(">{period}</text>")), "legend lacks {period}");
        }
        assert!(svg.contains("<rect") && svg.contains("<path"), "distinct marks");
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
            &zh(),
        );
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(!svg.contains("NaN"));
    }

    #[test]
    fn bars_size_the_label_column_to_the_longest_label() {
        let bar = |label: &str| Bar { label: label.into(), value: 6.6, highlight: false };
        let short = bars("b", "t", "%", &[bar("万州区"), bar("南岸区")], &zh());
        let long = bars("b", "t", "%", &[bar("万州区"), bar("重庆高新区")], &zh());
        // The labels end 6 units before the column's edge: 3 and 5 characters of 14 units.
        assert!(short.contains(r#"<text x="48.0""#), "{short}");
        assert!(long.contains(r#"<text x="76.0""#), "{long}");
        assert!(short.contains(r#"viewBox="0 0 420 68""#), "{short}");
        assert!(short.contains(r#"font-size="14""#));
        // A label too long for 40% of the chart is cut, and stays whole in the description.
        let name = "某某市某某某某某某某某某某某某某某管理委员会";
        let cut = bars("b", "t", "%", &[bar(name)], &zh());
        assert!(cut.contains("…</text>") && cut.contains(&format!("{name} 6.6%")), "{cut}");
    }

    #[test]
    fn every_coloured_element_has_a_class_for_the_stylesheet() {
        let pts =
            [point("2024-01-20", 6.0, Some("全年")), point("2024-04-20", -5.0, Some("一季度"))];
        let scale = SparkScale::of([&pts[..]].into_iter());
        let bar = |v| Bar { label: "万州区".into(), value: v, highlight: v > 0.0 };
        for svg in [
            line("c", "t", "%", &pts, &zh()),
            sparkline("s", "t", "%", &pts, &scale, &zh()),
            bars("b", "t", "%", &[bar(1.0), bar(-1.0)], &zh()),
        ] {
            for element in
                svg.split('<').filter(|e| e.contains("fill=\"#") || e.contains("stroke=\"#"))
            {
                assert!(element.contains("class=\""), "no class on <{element}");
            }
        }
    }

    #[test]
    fn sparklines_share_one_scale() {
        let a = [point("2020-01-01", 2.0, None), point("2024-01-01", 4.0, None)];
        let b = [point("2022-01-01", -3.0, None), point("2024-01-01", 9.0, None)];
        let scale = SparkScale::of([&a[..], &b[..]].into_iter());
        assert!(scale.lo <= -3.0 && scale.hi >= 9.0);
        assert_eq!(scale.last_day - scale.first_day, 1461);
        let svg = sparkline("s", "万州区", "%", &a, &scale, &zh());
        assert!(svg.contains(">4%</text>") && svg.contains("<polyline"), "{svg}");
    }

    #[test]
    fn absurd_values_give_a_finite_chart_with_few_ticks() {
        for value in [1.7e308, -1.7e308, f64::INFINITY, f64::NAN, 1e15, 5e-324] {
            let points = [point("2024-01-01", value, None), point("2024-06-01", 3.0, None)];
            let svg = line("c", "t", "%", &points, &zh());
            assert!(!svg.contains("NaN") && !svg.contains("inf"), "{value}: {svg}");
            assert!(svg.matches("<line ").count() <= 32, "{value}");
            let svg =
                bars("b", "t", "%", &[Bar { label: "x".into(), value, highlight: false }], &zh());
            assert!(!svg.contains("NaN") && !svg.contains("inf"), "{value}: {svg}");
        }
    }

    #[test]
    fn scale_includes_zero() {
        let (lo, hi, step) = scale([6.6, 11.2].into_iter());
        assert!(lo <= 0.0 && hi >= 11.2 && step > 0.0, "{lo} {hi} {step}");
    }
}
