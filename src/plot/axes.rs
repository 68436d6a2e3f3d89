//! A chart over rounds: x axis labelled by date (or round number), events drawn as vertical
//! lines with their names stacked above the plot so they never overlap.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::PlotError;
use super::style::*;
use crate::study::Summary;

pub type TimeCoord = Cartesian2d<Keyed, Keyed>;

/// A linear f64 axis whose ticks are exactly the given key points (plotters' own key-point
/// wrapper cannot be given a label formatter).
#[derive(Debug, Clone)]
pub struct Keyed {
    lo: f64,
    hi: f64,
    keys: Vec<f64>,
}

impl Keyed {
    pub fn new(range: Range<f64>, keys: Vec<f64>) -> Self {
        Keyed {
            lo: range.start,
            hi: range.end,
            keys,
        }
    }
}

impl Ranged for Keyed {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        if self.hi == self.lo {
            return (limit.1 - limit.0) / 2;
        }
        let t = (v - self.lo) / (self.hi - self.lo);
        limit.0 + (f64::from(limit.1 - limit.0) * t + 1e-3).floor() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.keys.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// The time axis of a run.
pub struct TimeAxis<'s> {
    pub labels: &'s [String],
    pub rounds: usize,
    pub has_dates: bool,
    pub unit: &'s str,
    /// Events, at the round they come before.
    pub events: Vec<(u32, String)>,
    /// Rounds are cells `[r, r+1)` (heat maps, bars) rather than points at `r` (lines).
    pub cells: bool,
    /// A small panel: tick labels without the axis title, in less room.
    pub compact: bool,
}

impl<'s> TimeAxis<'s> {
    pub fn of(s: &'s Summary, cells: bool) -> Self {
        TimeAxis {
            labels: &s.round_labels,
            rounds: s.rounds as usize,
            has_dates: s.start.is_some(),
            unit: &s.round_unit,
            events: s
                .events
                .iter()
                .filter(|e| e.round >= 1 && e.round <= s.rounds)
                .map(|e| (e.round, format!("{} ({})", e.name, e.label)))
                .collect(),
            cells,
            compact: false,
        }
    }

    fn range(&self) -> Range<f64> {
        if self.cells {
            0.0..self.rounds as f64 + 1.0
        } else {
            -0.5..self.rounds as f64 + 0.5
        }
    }

    /// Where round `r` sits on the x axis (centre of its cell, or its point).
    pub fn x(&self, r: usize) -> f64 {
        if self.cells { r as f64 + 0.5 } else { r as f64 }
    }

    /// Where an event before round `r` is drawn: between rounds r−1 and r.
    fn event_x(&self, r: u32) -> f64 {
        if self.cells { f64::from(r) } else { f64::from(r) - 0.5 }
    }
}

/// The y axis: range, labelled key points, their text and the axis title.
pub struct YAxis<'f> {
    pub range: Range<f64>,
    pub keys: Vec<f64>,
    pub format: &'f dyn Fn(&f64) -> String,
    pub desc: String,
    /// Pixels for tick labels and the title.
    pub label_area: u32,
    pub label_style: TextStyle<'static>,
}

/// Integer ticks 0..=max with a step that keeps about `target` of them.
pub fn int_keys(max: f64, target: usize) -> Vec<f64> {
    let max = max.max(1.0);
    let raw = max / target.max(1) as f64;
    let step = [1.0, 2.0, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0, 200.0, 500.0, 1000.0]
        .into_iter()
        .find(|&s| s >= raw)
        .unwrap_or(raw.ceil());
    (0..=(max / step).floor() as usize).map(|i| i as f64 * step).collect()
}

/// Event labels laid out for a chart on `area`: pixel x, text, (level, leftward).
pub struct Marks {
    px: Vec<i32>,
    texts: Vec<String>,
    layout: Vec<(usize, bool)>,
    levels: usize,
}

impl Marks {
    pub fn levels(&self) -> usize {
        self.levels
    }

    /// Draws the lines over the plot rows `y` and the labels above it, up to `max_levels`
    /// levels (labels that would need more are dropped; the report lists every event).
    pub fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        y: Range<i32>,
        max_levels: usize,
        on_dark: bool,
    ) -> Result<(), PlotError> {
        let keep: Vec<usize> = (0..self.px.len()).filter(|&i| self.layout[i].0 < max_levels).collect();
        let px: Vec<i32> = keep.iter().map(|&i| self.px[i]).collect();
        let texts: Vec<String> = keep.iter().map(|&i| self.texts[i].clone()).collect();
        let layout: Vec<(usize, bool)> = keep.iter().map(|&i| self.layout[i]).collect();
        draw_marks(root, &px, &texts, &layout, y.start, y.end, on_dark)
    }

    /// Draws only the lines (for a panel below the one that carries the labels).
    pub fn lines<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, y: Range<i32>) -> Result<(), PlotError> {
        for &x in &self.px {
            root.draw(&DashedPathElement::new(vec![(x, y.start), (x, y.end)], 6, 5, MUTED.stroke_width(2)))?;
        }
        Ok(())
    }
}

const MARGIN_LEFT: u32 = 8;
const MARGIN_RIGHT: u32 = 22;
const X_LABEL_AREA: u32 = 58;
const X_LABEL_AREA_COMPACT: u32 = 30;

fn builder<'a, 'b, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    y: &YAxis,
    top: u32,
    x_labels: bool,
    compact: bool,
) -> ChartBuilder<'a, 'b, DB> {
    let x_area = match (x_labels, compact) {
        (false, _) => 6,
        (true, false) => X_LABEL_AREA,
        (true, true) => X_LABEL_AREA_COMPACT,
    };
    let mut b = ChartBuilder::on(area);
    b.margin_left(MARGIN_LEFT)
        .margin_right(MARGIN_RIGHT)
        .margin_top(top)
        .y_label_area_size(y.label_area)
        .x_label_area_size(x_area);
    b
}

/// Lays out the event labels of `t` for a chart on `area` (without drawing anything).
pub fn marks<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    t: &TimeAxis,
    y: &YAxis,
) -> Result<Marks, PlotError> {
    let trial = builder(area, y, 0, true, t.compact).build_cartesian_2d(t.range(), y.range.clone())?;
    let (xr, _) = trial.plotting_area().get_pixel_range();
    let px: Vec<i32> = t
        .events
        .iter()
        .map(|(r, _)| trial.backend_coord(&(t.event_x(*r), y.range.start)).0)
        .collect();
    let texts: Vec<String> = t.events.iter().map(|(_, text)| fit(root, text, &font(SMALL_SIZE), 330)).collect();
    let widths: Vec<i32> = texts.iter().map(|s| text_width(root, s, &font(SMALL_SIZE))).collect();
    let layout = stack_labels(&px, &widths, area.get_base_pixel().0 + 4, xr.end + MARGIN_RIGHT as i32 - 2);
    let levels = levels_needed(&layout);
    Ok(Marks { px, texts, layout, levels })
}

/// Pixels above the plot for `levels` levels of event labels.
pub fn band(levels: usize) -> u32 {
    if levels == 0 { 8 } else { levels as u32 * MARK_LEVEL as u32 + 14 }
}

/// Builds the chart on `area` with `top` pixels reserved above the plot, draws its axes and
/// returns it. `x_labels` false leaves out the x tick labels and title (a panel above another).
pub fn time_chart<'a, DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &'a DrawingArea<DB, Shift>,
    t: &TimeAxis,
    y: &YAxis,
    top: u32,
    x_labels: bool,
    grid: bool,
) -> Result<ChartContext<'a, DB, TimeCoord>, PlotError> {
    let (w, _) = area.dim_in_pixel();
    let plot_w = f64::from(w.saturating_sub(MARGIN_LEFT + MARGIN_RIGHT + y.label_area).max(10));
    let cols = t.rounds as f64 + 1.0;
    let widest = text_width(root, &round_text(t.labels, t.rounds), &font(LABEL_SIZE)) as f64;
    let ticks = round_ticks(t.rounds, plot_w / cols, widest, t.unit);
    let x_spec = Keyed::new(t.range(), ticks.iter().map(|&r| t.x(r)).collect());
    let y_spec = Keyed::new(y.range.clone(), y.keys.clone());
    let mut chart = builder(area, y, top, x_labels, t.compact).build_cartesian_2d(x_spec, y_spec)?;
    let labels = t.labels;
    let cells = t.cells;
    let x_fmt = move |x: &f64| {
        if !x_labels {
            return String::new();
        }
        let r = if cells { x.floor() } else { x.round() };
        round_text(labels, r.max(0.0) as usize)
    };
    let mut mesh = chart.configure_mesh();
    mesh.disable_x_mesh()
        .x_labels(ticks.len() + 2)
        .y_labels(y.keys.len() + 2)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(y.format)
        .y_desc(y.desc.clone())
        .label_style(font(LABEL_SIZE))
        .y_label_style(y.label_style.clone())
        .axis_desc_style(font(DESC_SIZE))
        .axis_style(MUTED.stroke_width(1))
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT);
    if !grid {
        mesh.disable_y_mesh();
    }
    if x_labels && !t.compact {
        mesh.x_desc(time_axis_desc(t.has_dates, t.unit));
    }
    mesh.draw()?;
    Ok(chart)
}
