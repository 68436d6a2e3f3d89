//! Colours, fonts and the small layout helpers every chart shares: Okabe–Ito for categories,
//! viridis for probabilities, round labels on the time axis, event marks.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::PlotError;

/// File names of charts use the same safe form of ids as result directories.
pub use crate::study::file_safe;

/// The font family every chart uses: DejaVu Sans, embedded and registered by [`super::fonts`].
pub const FONT: &str = "sans-serif";

pub const TITLE_SIZE: u32 = 24;
pub const SUBTITLE_SIZE: u32 = 16;
pub const LABEL_SIZE: u32 = 15;
pub const DESC_SIZE: u32 = 17;
pub const SMALL_SIZE: u32 = 14;

pub const INK: RGBColor = RGBColor(34, 34, 34);
pub const MUTED: RGBColor = RGBColor(90, 90, 90);
pub const GRID: RGBColor = RGBColor(225, 225, 225);

/// Okabe & Ito (2008), ordered for lines on white: blue, orange, bluish green, vermillion,
/// reddish purple, sky blue, yellow, black.
pub const OKABE_ITO: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(213, 94, 0),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(240, 228, 66),
    RGBColor(0, 0, 0),
];

/// The colour of category `i` (cycles after eight; [`dashed_category`] tells when).
pub fn category(i: usize) -> RGBColor {
    OKABE_ITO[i % OKABE_ITO.len()]
}

/// Categories past the eighth reuse a colour; draw them dashed so they stay distinguishable.
pub fn dashed_category(i: usize) -> bool {
    i >= OKABE_ITO.len()
}

/// Blue for an increase, vermillion for a decrease (Okabe–Ito).
pub const UP: RGBColor = OKABE_ITO[0];
pub const DOWN: RGBColor = OKABE_ITO[3];

/// matplotlib's viridis at eleven evenly spaced stops.
const VIRIDIS: [(u8, u8, u8); 11] = [
    (68, 1, 84),
    (72, 36, 117),
    (65, 68, 135),
    (53, 95, 141),
    (42, 120, 142),
    (33, 145, 140),
    (34, 168, 132),
    (68, 191, 112),
    (122, 209, 81),
    (189, 223, 38),
    (253, 231, 37),
];

/// Viridis at `t` in 0..1 (clamped), linearly interpolated between the stops.
pub fn viridis(t: f64) -> RGBColor {
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
    let x = t * (VIRIDIS.len() - 1) as f64;
    let i = (x.floor() as usize).min(VIRIDIS.len() - 2);
    let f = x - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |p: u8, q: u8| (f64::from(p) + (f64::from(q) - f64::from(p)) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

pub fn font(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&INK)
}

pub fn bold(size: u32) -> TextStyle<'static> {
    (FONT, size, FontStyle::Bold).into_font().color(&INK)
}

pub fn anchored(style: TextStyle<'static>, h: HPos, v: VPos) -> TextStyle<'static> {
    style.pos(Pos::new(h, v))
}

/// Width in pixels of `text` in `style` (an estimate from the font's advances).
pub fn text_width<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, text: &str, style: &TextStyle) -> i32 {
    area.estimate_text_size(text, style)
        .map(|(w, _)| w as i32)
        .unwrap_or(text.len() as i32 * 8)
}

/// Draws a bold title and a one-line subtitle at the top of `root`; returns the area below.
pub fn header<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, title: &str, subtitle: &str) -> Result<DrawingArea<DB, Shift>, PlotError> {
    header_notes(root, title, subtitle, &[])
}

/// Height of one line of notes under a subtitle.
pub const NOTE_LINE: i32 = SMALL_SIZE as i32 + 8;

/// Like [`header`], with lines of notes under the subtitle (what a chart leaves out: each line
/// [`NOTE_LINE`] pixels high, shortened with an ellipsis to fit).
pub fn header_notes<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
    notes: &[String],
) -> Result<DrawingArea<DB, Shift>, PlotError> {
    let (w, _) = root.dim_in_pixel();
    let title = fit(root, title, &bold(TITLE_SIZE), w as i32 - 40);
    root.draw(&Text::new(title, (20, 14), bold(TITLE_SIZE)))?;
    let mut used = 14 + TITLE_SIZE as i32 + 8;
    if !subtitle.is_empty() {
        let sub = fit(root, subtitle, &font(SUBTITLE_SIZE).color(&MUTED), w as i32 - 40);
        root.draw(&Text::new(sub, (20, used), font(SUBTITLE_SIZE).color(&MUTED)))?;
        used += SUBTITLE_SIZE as i32 + 10;
    }
    for note in notes {
        let style = font(SMALL_SIZE).color(&MUTED);
        root.draw(&Text::new(fit(root, note, &style, w as i32 - 40), (20, used), style))?;
        used += NOTE_LINE;
    }
    Ok(root.split_vertically(used + 4).1)
}

/// Splits `text` into lines for notes `width` pixels wide, at spaces (not at no-break spaces),
/// by an estimate of 7.6 px per character at [`SMALL_SIZE`], so a figure knows its height before
/// it draws ([`header_notes`] shortens a line that is still too long).
pub fn wrap_note(text: &str, width: u32) -> Vec<String> {
    let max = ((f64::from(width) - 40.0) / 7.6).max(20.0) as usize;
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > max {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Shortens `text` with an ellipsis until it fits in `max` pixels.
pub fn fit<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, text: &str, style: &TextStyle, max: i32) -> String {
    if text_width(area, text, style) <= max {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut n = chars.len();
    while n > 1 {
        n -= 1;
        let s: String = chars[..n].iter().collect::<String>().trim_end().to_string() + "…";
        if text_width(area, &s, style) <= max {
            return s;
        }
    }
    "…".to_string()
}

/// Which rounds get a label on a time axis `px_per_round` pixels per round wide, so labels of
/// `label_px` pixels do not touch: every `step`-th round from round 1 (round 0, "start", only
/// when every round is labelled). Steps suit the round unit (months: 1, 2, 3, 6, 12, …).
pub fn round_ticks(rounds: usize, px_per_round: f64, label_px: f64, unit: &str) -> Vec<usize> {
    let steps: &[usize] = match unit {
        "day" => &[1, 2, 7, 14, 28, 91, 182, 364, 728],
        "week" => &[1, 2, 4, 13, 26, 52, 104, 260],
        "month" => &[1, 2, 3, 6, 12, 24, 60, 120, 240],
        "quarter" => &[1, 2, 4, 8, 20, 40, 80],
        "year" => &[1, 2, 5, 10, 20, 50, 100, 200, 500],
        _ => &[1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    };
    let need = label_px + 14.0;
    let step = steps
        .iter()
        .copied()
        .find(|&s| s as f64 * px_per_round >= need)
        .unwrap_or_else(|| ((need / px_per_round.max(1e-9)).ceil() as usize).max(1));
    if rounds == 0 {
        return vec![0];
    }
    let mut ticks: Vec<usize> = (1..=rounds).step_by(step).collect();
    if step == 1 {
        ticks.insert(0, 0);
    }
    ticks
}

/// The text of a round on an axis: the date where the scenario has a start date, else the number.
pub fn round_text(labels: &[String], r: usize) -> String {
    match labels.get(r) {
        Some(l) if l.starts_with("round ") => r.to_string(),
        Some(l) if r == 0 => l.clone(),
        Some(l) => l.clone(),
        None => r.to_string(),
    }
}

/// The title of a time axis, with the unit.
pub fn time_axis_desc(has_dates: bool, unit: &str) -> String {
    if has_dates {
        format!("Date (one round = one {unit})")
    } else {
        format!("Round (one round = one {unit})")
    }
}

/// An event to mark on a time axis: a vertical line at `x` (chart units) with its name.
#[derive(Debug, Clone)]
pub struct Mark {
    pub x: f64,
    pub text: String,
}

/// Stacks event labels in levels so none overlaps another: returns, for each mark (in the given
/// order), its level (0 = nearest the plot) and whether the text runs left of the line.
pub fn stack_labels(px: &[i32], widths: &[i32], left: i32, right: i32) -> Vec<(usize, bool)> {
    let mut order: Vec<usize> = (0..px.len()).collect();
    order.sort_by_key(|&i| px[i]);
    let mut levels: Vec<Vec<(i32, i32)>> = Vec::new();
    let mut out = vec![(0, false); px.len()];
    for i in order {
        let w = widths[i] + 6;
        let leftward = px[i] + w > right && px[i] - w >= left;
        let span = if leftward { (px[i] - w, px[i]) } else { (px[i], px[i] + w) };
        let level = levels
            .iter()
            .position(|l| l.iter().all(|&(a, b)| span.1 + 8 <= a || span.0 >= b + 8))
            .unwrap_or_else(|| {
                levels.push(Vec::new());
                levels.len() - 1
            });
        levels[level].push(span);
        out[i] = (level, leftward);
    }
    out
}

/// Number of label levels [`stack_labels`] needs.
pub fn levels_needed(layout: &[(usize, bool)]) -> usize {
    layout.iter().map(|&(l, _)| l + 1).max().unwrap_or(0)
}

/// Height of one level of event labels.
pub const MARK_LEVEL: i32 = SMALL_SIZE as i32 + 8;

/// Draws event lines from `top` to `bottom` at pixel columns `px`, with their labels stacked
/// above `top` as laid out by [`stack_labels`]. Lines are dark with a light core, visible on
/// both ends of viridis and on white.
pub fn draw_marks<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    px: &[i32],
    texts: &[String],
    layout: &[(usize, bool)],
    top: i32,
    bottom: i32,
    on_dark: bool,
) -> Result<(), PlotError> {
    // Lines and leaders first, then the labels on white, so a leader from a higher label passes
    // behind a lower one instead of through it.
    for (&x, &(level, _)) in px.iter().zip(layout) {
        let label_y = top - 6 - level as i32 * MARK_LEVEL;
        let tick_top = label_y - SMALL_SIZE as i32 / 2;
        if on_dark {
            root.draw(&PathElement::new(vec![(x, top), (x, bottom)], INK.stroke_width(3)))?;
            root.draw(&PathElement::new(vec![(x, top), (x, bottom)], WHITE.stroke_width(1)))?;
        } else {
            root.draw(&DashedPathElement::new(vec![(x, top), (x, bottom)], 6, 5, MUTED.stroke_width(2)))?;
        }
        root.draw(&PathElement::new(vec![(x, tick_top), (x, top)], MUTED.stroke_width(1)))?;
    }
    for ((&x, text), &(level, leftward)) in px.iter().zip(texts).zip(layout) {
        let label_y = top - 6 - level as i32 * MARK_LEVEL;
        let style = font(SMALL_SIZE);
        let w = text_width(root, text, &style);
        let (h, x0) = if leftward { (HPos::Right, x - 4) } else { (HPos::Left, x + 4) };
        let (l, r) = if leftward { (x0 - w - 2, x0 + 2) } else { (x0 - 2, x0 + w + 2) };
        root.draw(&Rectangle::new(
            [(l, label_y - SMALL_SIZE as i32 - 3), (r, label_y + 1)],
            WHITE.filled(),
        ))?;
        root.draw(&Text::new(text.clone(), (x0, label_y - 1), anchored(style, h, VPos::Bottom)))?;
    }
    Ok(())
}

/// Draws a legend swatch at (x, y), y being the middle of the row.
pub type SwatchFn<'a, DB> = dyn Fn(&DrawingArea<DB, Shift>, i32, i32) -> Result<(), PlotError> + 'a;

/// Text in a legend entry: a swatch drawn by `swatch` then the label; returns the x after it.
pub fn legend_entry<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    x: i32,
    y: i32,
    label: &str,
    swatch: &SwatchFn<'_, DB>,
) -> Result<i32, PlotError> {
    swatch(root, x, y)?;
    let style = anchored(font(LABEL_SIZE), HPos::Left, VPos::Center);
    root.draw(&Text::new(label.to_string(), (x + 30, y), style.clone()))?;
    Ok(x + legend_width(root, label))
}

fn legend_width<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, label: &str) -> i32 {
    30 + text_width(root, label, &font(LABEL_SIZE)) + 24
}

/// Height of one row of legend entries.
pub const LEGEND_ROW: i32 = 28;

/// Where legend entries go when they wrap at `max_x`: (x, row) for each label.
pub fn legend_layout<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, labels: &[String], x0: i32, max_x: i32) -> Vec<(i32, i32)> {
    let (mut x, mut row) = (x0, 0);
    labels
        .iter()
        .map(|l| {
            let w = legend_width(root, l);
            if x > x0 && x + w - 24 > max_x {
                x = x0;
                row += 1;
            }
            let at = (x, row);
            x += w;
            at
        })
        .collect()
}

/// A legend entry: label and swatch.
pub type Swatch<'a, DB> = Box<SwatchFn<'a, DB>>;

/// Draws a wrapped legend at the top of `area` and returns the area below it.
pub fn legend<'a, DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    entries: Vec<(String, Swatch<'a, DB>)>,
) -> Result<DrawingArea<DB, Shift>, PlotError> {
    let (bx, by) = area.get_base_pixel();
    let (w, _) = area.dim_in_pixel();
    let labels: Vec<String> = entries.iter().map(|e| e.0.clone()).collect();
    let at = legend_layout(root, &labels, bx + 24, bx + w as i32 - 16);
    let rows = at.iter().map(|a| a.1 + 1).max().unwrap_or(0);
    for ((label, swatch), (x, row)) in entries.iter().zip(at) {
        legend_entry(root, x, by + 16 + row * LEGEND_ROW, label, swatch.as_ref())?;
    }
    Ok(area.split_vertically(rows * LEGEND_ROW + 8).1)
}

/// Pixel size of a disc of area proportional to `value / max`, between `min_r` and `max_r`.
pub fn disc_radius(value: f64, max: f64, min_r: f64, max_r: f64) -> i32 {
    if max.is_nan() || value.is_nan() || max <= 0.0 || value <= 0.0 {
        return min_r.round() as i32;
    }
    (max_r * (value / max).sqrt()).clamp(min_r, max_r).round() as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viridis_ends() {
        assert_eq!(viridis(0.0), RGBColor(68, 1, 84));
        assert_eq!(viridis(1.0), RGBColor(253, 231, 37));
        assert_eq!(viridis(f64::NAN), RGBColor(68, 1, 84));
    }

    #[test]
    fn ticks_spread_out() {
        assert_eq!(round_ticks(48, 20.0, 60.0, "month"), vec![1, 7, 13, 19, 25, 31, 37, 43]);
        assert_eq!(round_ticks(3, 100.0, 20.0, "month"), vec![0, 1, 2, 3]);
        assert_eq!(
            round_ticks(10_000, 0.1, 50.0, "round"),
            (1..=10_000).step_by(1000).collect::<Vec<_>>()
        );
    }

    #[test]
    fn labels_never_overlap() {
        let px = [100, 110, 120, 500];
        let w = [80, 80, 80, 80];
        let l = stack_labels(&px, &w, 0, 1000);
        assert_eq!(l.iter().map(|x| x.0).collect::<Vec<_>>(), vec![0, 1, 2, 0]);
        let l = stack_labels(&[990], &[80], 0, 1000);
        assert!(l[0].1, "a label at the right edge runs leftward");
    }

    #[test]
    fn safe_file_names() {
        assert_eq!(file_safe("FIN-SWE"), "FIN-SWE");
        assert_eq!(file_safe("a/b c"), "a_b_c");
    }
}

/// A rectangle in pixels: left, top, right, bottom.
pub type Rect = (i32, i32, i32, i32);

fn overlaps(a: Rect, b: Rect) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// Where a label goes beside its point, from [`place_labels`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placed {
    /// The label's box.
    pub rect: Rect,
    /// Whether it is away from its point, to be joined to it by a leader line.
    pub leader: bool,
}

/// Places labels of `sizes` (width, height) beside `points`, greedily in the order given, so that
/// no label overlaps another, a point (a disc of radius `r`), or one of `taken`, and each stays in
/// `bounds`. Each label tries beside its point first (right, then left; the left first where
/// `prefer_left`), above then below, then ever farther above or below with a leader line.
/// A label that fits nowhere goes to its first place. Deterministic: same input, same places.
pub fn place_labels(
    points: &[(i32, i32)],
    sizes: &[(i32, i32)],
    prefer_left: &[bool],
    r: i32,
    bounds: Rect,
    taken: &[Rect],
) -> Vec<Placed> {
    let mut placed: Vec<Rect> = taken.to_vec();
    let dots: Vec<Rect> = points.iter().map(|&(x, y)| (x - r, y - r, x + r + 1, y + r + 1)).collect();
    let gap = r + 3;
    let mut out = Vec::with_capacity(points.len());
    for (i, (&(px, py), &(w, h))) in points.iter().zip(sizes).enumerate() {
        let sides: [i32; 2] = if prefer_left.get(i).copied().unwrap_or(false) {
            [px - gap - w, px + gap]
        } else {
            [px + gap, px - gap - w]
        };
        let mut candidates: Vec<Placed> = Vec::new();
        for step in 0..12 {
            let dy = step * (h + 2);
            for &x0 in &sides {
                for top in [py - 2 - h - dy, py + 2 + dy] {
                    candidates.push(Placed {
                        rect: (x0, top, x0 + w, top + h),
                        leader: step > 0,
                    });
                }
            }
        }
        let fits = |c: &Placed| {
            let rc = c.rect;
            rc.0 >= bounds.0
                && rc.1 >= bounds.1
                && rc.2 <= bounds.2
                && rc.3 <= bounds.3
                && !placed.iter().any(|&p| overlaps(p, rc))
                && !dots.iter().any(|&d| overlaps(d, rc))
        };
        let chosen = candidates.iter().copied().find(fits).unwrap_or(candidates[0]);
        placed.push(chosen.rect);
        out.push(chosen);
    }
    out
}

/// The end of a leader line from a point to its label's box: the nearest point of the box.
pub fn leader_end(point: (i32, i32), rect: Rect) -> (i32, i32) {
    (point.0.clamp(rect.0, rect.2), point.1.clamp(rect.1, rect.3))
}
