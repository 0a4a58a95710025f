//! Text boxes on a chart, and placing labels so none overlaps another: every label a chart
//! draws is a box, and a value label is only drawn where its box is free.

/// An axis-aligned box in chart units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Box2 {
    pub(crate) x0: f64,
    pub(crate) y0: f64,
    pub(crate) x1: f64,
    pub(crate) y1: f64,
}

impl Box2 {
    /// The box of a text of width `w` whose baseline starts at `(x, y)` for `anchor` (start,
    /// middle, end), with a 14-unit (or `size`) font: from the ascent to a little below the
    /// baseline.
    pub(crate) fn text(x: f64, y: f64, w: f64, size: f64, anchor: Anchor) -> Box2 {
        let x0 = match anchor {
            Anchor::Start => x,
            Anchor::Middle => x - w / 2.0,
            Anchor::End => x - w,
        };
        Box2 { x0, y0: y - size * 0.85, x1: x0 + w, y1: y + size * 0.2 }
    }

    pub(crate) fn overlaps(&self, other: &Box2) -> bool {
        self.x0 < other.x1 && other.x0 < self.x1 && self.y0 < other.y1 && other.y0 < self.y1
    }

    /// Whether the segment from `a` to `b` passes through the box (Liang–Barsky clipping).
    pub(crate) fn crosses(&self, a: (f64, f64), b: (f64, f64)) -> bool {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let mut t = (0.0_f64, 1.0_f64);
        for (p, q) in
            [(-dx, a.0 - self.x0), (dx, self.x1 - a.0), (-dy, a.1 - self.y0), (dy, self.y1 - a.1)]
        {
            if p == 0.0 {
                if q < 0.0 {
                    return false;
                }
            } else {
                let r = q / p;
                if p < 0.0 {
                    t.0 = t.0.max(r);
                } else {
                    t.1 = t.1.min(r);
                }
                if t.0 > t.1 {
                    return false;
                }
            }
        }
        true
    }

    pub(crate) fn inside(&self, outer: &Box2) -> bool {
        self.x0 >= outer.x0 && self.x1 <= outer.x1 && self.y0 >= outer.y0 && self.y1 <= outer.y1
    }
}

/// Where a text is anchored horizontally, as SVG's `text-anchor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// The boxes already taken on a chart; a new label is placed only where it overlaps none of
/// them and crosses no line of the chart.
#[derive(Debug, Default)]
pub(crate) struct Taken {
    boxes: Vec<Box2>,
    segments: Vec<((f64, f64), (f64, f64))>,
}

impl Taken {
    pub(crate) fn add(&mut self, b: Box2) {
        self.boxes.push(b);
    }

    pub(crate) fn add_segment(&mut self, a: (f64, f64), b: (f64, f64)) {
        self.segments.push((a, b));
    }

    pub(crate) fn is_free(&self, b: &Box2, within: &Box2) -> bool {
        b.inside(within)
            && !self.boxes.iter().any(|t| t.overlaps(b))
            && !self.segments.iter().any(|&(p, q)| b.crosses(p, q))
    }

    /// Takes the first free box of `candidates`, if any.
    pub(crate) fn place(
        &mut self,
        candidates: &[(Box2, f64, f64, Anchor)],
        within: &Box2,
    ) -> Option<(f64, f64, Anchor)> {
        let &(b, x, y, anchor) = candidates.iter().find(|(b, ..)| self.is_free(b, within))?;
        self.boxes.push(b);
        Some((x, y, anchor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxes_overlap_and_segments_cross() {
        let a = Box2 { x0: 0.0, y0: 0.0, x1: 10.0, y1: 10.0 };
        let b = Box2 { x0: 9.0, y0: 9.0, x1: 20.0, y1: 20.0 };
        let c = Box2 { x0: 10.0, y0: 0.0, x1: 20.0, y1: 10.0 };
        assert!(a.overlaps(&b) && !a.overlaps(&c), "touching edges do not overlap");
        assert!(a.crosses((-5.0, 5.0), (15.0, 5.0)));
        assert!(a.crosses((5.0, 5.0), (6.0, 6.0)), "a segment inside");
        assert!(!a.crosses((-5.0, 15.0), (15.0, 15.0)));
        assert!(!a.crosses((11.0, -5.0), (30.0, 5.0)));
    }
}
