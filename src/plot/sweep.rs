//! Charts of a sweep: how P(member at the end) responds to the parameter a one-parameter sweep
//! moves, for the state–pact pairs that move most, with 95 % bands.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::style::*;
use super::{AnyFigure, Chart, Figure, Job, PlotError};
use crate::study::sweep::{MOVES_BY_SE, Mover, SweepResult};

/// At most this many curves on one chart.
const TOP: usize = 8;

/// One state–pact pair across the variants: (parameter value, p_final, standard error).
struct Curve {
    label: String,
    points: Vec<(f64, f64, f64)>,
    low: f64,
    high: f64,
}

pub struct ResponseChart<'a> {
    result: &'a SweepResult,
    curves: Vec<Curve>,
    /// Pairs that move by more than [`MOVES_BY_SE`] standard errors (the curves drawn are the
    /// [`TOP`] that move most).
    moving: usize,
    pairs: usize,
}

impl<'a> ResponseChart<'a> {
    /// The chart of a one-parameter sweep.
    pub fn new(result: &'a SweepResult) -> Self {
        let variants = result.design.variants.len();
        let pairs = result.rows.len().checked_div(variants).unwrap_or(0);
        // The pairs that move most (study::sweep::SweepResult::movers), each as a curve over the
        // parameter. Rows are variant-major, pact and state in the same order in every variant.
        let (movers, moving) = result.movers(TOP);
        let curves: Vec<Curve> = movers
            .into_iter()
            .map(|m| {
                let mut points: Vec<(f64, f64, f64)> = (0..variants)
                    .map(|v| {
                        let row = &result.rows[v * pairs + m.pair];
                        (result.values(v)[0], row.p_final, row.p_final_se)
                    })
                    .collect();
                // A sampled design's values come in any order.
                points.sort_by(|a, b| a.0.total_cmp(&b.0));
                Curve {
                    label: m.label,
                    points,
                    low: m.low.0,
                    high: m.high.0,
                }
            })
            .collect();
        ResponseChart {
            result,
            curves,
            moving,
            pairs,
        }
    }

    pub fn caption(&self) -> String {
        let label = &self.result.labels()[0];
        match self.curves.first() {
            Some(c) => {
                let (lo, hi) = (c.low, c.high);
                format!(
                    "P(member at the end) against {label}: {} of {} state–pact pairs move by more than {MOVES_BY_SE} standard errors; the most, {}, spans {lo:.2}–{hi:.2}.",
                    self.moving, self.pairs, c.label,
                )
            }
            None => format!("No state–pact pair's P(member at the end) moves by more than {MOVES_BY_SE} standard errors over {label}."),
        }
    }
}

impl Figure for ResponseChart<'_> {
    fn size(&self) -> (u32, u32) {
        (1200, 760)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let r = self.result;
        let label = &r.labels()[0];
        let body = header_notes(
            root,
            &format!("P(member at the end) as {label} varies"),
            &format!(
                "{}: {} replicates per value, the same for every value (common random numbers); lines: estimate, bands: 95% interval",
                r.scenario, r.runs
            ),
            &[format!(
                "The {} of {} state–pact pairs that move most (of {} that move by more than {MOVES_BY_SE} standard errors); every pair is in sweep.csv",
                self.curves.len(),
                self.pairs,
                self.moving
            )],
        )?;
        let xs = &r.design.parameters[0].vary.values;
        let (x0, x1) = xs
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
        let legend_w = 300;
        let (plot, legend) = body.split_horizontally(body.dim_in_pixel().0 - legend_w);
        let mut chart = ChartBuilder::on(&plot)
            .margin(20)
            .x_label_area_size(56)
            .y_label_area_size(70)
            .build_cartesian_2d(x0..x1, 0f64..1f64)?;
        chart
            .configure_mesh()
            .x_labels(xs.len().clamp(2, 11))
            .y_labels(6)
            .x_label_formatter(&|x| format!("{x:.3}").trim_end_matches('0').trim_end_matches('.').to_string())
            .y_label_formatter(&|y| format!("{y:.1}"))
            .x_desc(label.as_str())
            .y_desc("P(member at the end)")
            .label_style(font(LABEL_SIZE))
            .axis_desc_style(font(DESC_SIZE))
            .axis_style(MUTED.stroke_width(1))
            .bold_line_style(GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .draw()?;
        for (i, c) in self.curves.iter().enumerate() {
            let colour = category(i);
            let mut band: Vec<(f64, f64)> = c.points.iter().map(|&(x, p, se)| (x, (p + 1.96 * se).min(1.0))).collect();
            band.extend(c.points.iter().rev().map(|&(x, p, se)| (x, (p - 1.96 * se).max(0.0))));
            chart.draw_series(std::iter::once(Polygon::new(band, colour.mix(0.15).filled())))?;
            let style = colour.stroke_width(3);
            chart.draw_series(std::iter::once(PathElement::new(
                c.points.iter().map(|&(x, p, _)| (x, p)).collect::<Vec<_>>(),
                style,
            )))?;
            chart.draw_series(c.points.iter().map(|&(x, p, _)| Circle::new((x, p), 4, colour.filled())))?;
        }
        // The legend, in the order of the curves (largest movement first).
        for (i, c) in self.curves.iter().enumerate() {
            let y = 40 + 30 * i as i32;
            legend.draw(&PathElement::new(vec![(10, y), (40, y)], category(i).stroke_width(3)))?;
            let text = fit(&legend, &c.label, &font(LABEL_SIZE), legend_w as i32 - 60);
            legend.draw(&Text::new(text, (50, y - 9), font(LABEL_SIZE)))?;
        }
        if self.curves.is_empty() {
            legend.draw(&Text::new("nothing moves", (10, 40), font(LABEL_SIZE).color(&MUTED)))?;
        }
        Ok(())
    }
}

/// P(member at the end) over the grid of a two-parameter sweep, one panel per state–pact pair
/// that moves most.
pub struct HeatMaps<'a> {
    result: &'a SweepResult,
    panels: Vec<Mover>,
    moving: usize,
}

/// Panels on a heat-map chart.
const PANELS: usize = 4;

impl<'a> HeatMaps<'a> {
    pub fn new(result: &'a SweepResult) -> Self {
        let (panels, moving) = result.movers(PANELS);
        HeatMaps { result, panels, moving }
    }

    pub fn caption(&self) -> String {
        let labels = self.result.labels();
        match self.panels.first() {
            Some(Mover { label, range, .. }) => format!(
                "P(member at the end) over {} × {}: {} state–pact pairs move by more than {MOVES_BY_SE} standard errors; the most, {label}, by {range:.2}.",
                labels[0], labels[1], self.moving
            ),
            None => format!(
                "No state–pact pair's P(member at the end) moves by more than {MOVES_BY_SE} standard errors over {} × {}.",
                labels[0], labels[1]
            ),
        }
    }
}

impl Figure for HeatMaps<'_> {
    fn size(&self) -> (u32, u32) {
        (1200, if self.panels.len() > 2 { 1180 } else { 660 })
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let r = self.result;
        let labels = r.labels();
        let (xs, ys) = (&r.design.parameters[0].vary.values, &r.design.parameters[1].vary.values);
        let variants = r.design.variants.len();
        let pairs = r.rows.len().checked_div(variants).unwrap_or(0);
        let body = header_notes(
            root,
            &format!("P(member at the end) over {} and {}", labels[0], labels[1]),
            &format!(
                "{}: {} replicates per cell, the same in every cell (common random numbers); colour from 0 (purple) to 1 (yellow), and the estimate",
                r.scenario, r.runs
            ),
            &[format!(
                "The {} state–pact pairs that move most (of {} that move by more than {MOVES_BY_SE} standard errors); every pair is in sweep.csv",
                self.panels.len(),
                self.moving
            )],
        )?;
        if self.panels.is_empty() {
            body.draw(&Text::new("nothing moves", (20, 20), font(LABEL_SIZE).color(&MUTED)))?;
            return Ok(());
        }
        let cols = self.panels.len().min(2);
        let rows = self.panels.len().div_ceil(2);
        let areas = body.split_evenly((rows, cols));
        // Cell (i, j) is variant i·|ys| + j: the grid's last parameter varies fastest.
        let tick = |v: f64| format!("{v:.3}").trim_end_matches('0').trim_end_matches('.').to_string();
        for (Mover { pair: k, label, .. }, area) in self.panels.iter().zip(&areas) {
            let mut chart = ChartBuilder::on(area)
                .caption(label.as_str(), bold(DESC_SIZE))
                .margin(14)
                .x_label_area_size(50)
                .y_label_area_size(70)
                .build_cartesian_2d(0f64..xs.len() as f64, 0f64..ys.len() as f64)?;
            let (nx, ny) = (xs.len(), ys.len());
            chart
                .configure_mesh()
                .disable_mesh()
                .x_labels(0)
                .y_labels(0)
                .x_desc(labels[0].as_str())
                .y_desc(labels[1].as_str())
                .label_style(font(SMALL_SIZE))
                .axis_desc_style(font(LABEL_SIZE))
                .axis_style(MUTED.stroke_width(1))
                .draw()?;
            // Tick labels at the cells' centres (every one, or about ten), drawn by hand: plotters
            // would put them at the cell edges.
            for i in (0..nx).step_by(nx.div_ceil(10)) {
                let (px, py) = chart.backend_coord(&(i as f64 + 0.5, 0.0));
                root.draw(&Text::new(
                    tick(xs[i]),
                    (px, py + 6),
                    anchored(font(SMALL_SIZE), HPos::Center, VPos::Top),
                ))?;
            }
            for j in (0..ny).step_by(ny.div_ceil(10)) {
                let (px, py) = chart.backend_coord(&(0.0, j as f64 + 0.5));
                root.draw(&Text::new(
                    tick(ys[j]),
                    (px - 6, py),
                    anchored(font(SMALL_SIZE), HPos::Right, VPos::Center),
                ))?;
            }
            let big = nx * ny <= 100;
            for i in 0..nx {
                for j in 0..ny {
                    let row = &r.rows[(i * ny + j) * pairs + k];
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(i as f64, j as f64), (i as f64 + 1.0, j as f64 + 1.0)],
                        viridis(row.p_final).filled(),
                    )))?;
                    if big {
                        let style = if row.p_final > 0.6 {
                            font(SMALL_SIZE - 2).color(&INK)
                        } else {
                            font(SMALL_SIZE - 2).color(&WHITE)
                        };
                        let (px, py) = chart.backend_coord(&(i as f64 + 0.5, j as f64 + 0.5));
                        root.draw(&Text::new(
                            format!("{:.2}", row.p_final),
                            (px, py),
                            anchored(style, HPos::Center, VPos::Center),
                        ))?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Small multiples for a sweep of several parameters (or two off a grid): a row per state–pact
/// pair that moves most, a column per parameter, each panel P(member at the end) of every
/// variant against that parameter's value.
pub struct SmallMultiples<'a> {
    result: &'a SweepResult,
    rows: Vec<Mover>,
    moving: usize,
    /// The parameters shown (the first [`COLUMNS`]).
    columns: usize,
}

/// Rows and columns of the small multiples.
const ROWS: usize = 4;
const COLUMNS: usize = 6;

impl<'a> SmallMultiples<'a> {
    pub fn new(result: &'a SweepResult) -> Self {
        let (rows, moving) = result.movers(ROWS);
        SmallMultiples {
            result,
            rows,
            moving,
            columns: result.design.parameters.len().min(COLUMNS),
        }
    }

    pub fn caption(&self) -> String {
        let k = self.result.design.parameters.len();
        match self.rows.first() {
            Some(m) => format!(
                "P(member at the end) of each of {} variants against each of {k} parameters: {} state–pact pairs move by more than {MOVES_BY_SE} standard errors; the most, {}, spans {:.2}–{:.2}.",
                self.result.design.variants.len(),
                self.moving,
                m.label,
                m.low.0,
                m.high.0
            ),
            None => format!(
                "No state–pact pair's P(member at the end) moves by more than {MOVES_BY_SE} standard errors over the {k} parameters."
            ),
        }
    }
}

impl Figure for SmallMultiples<'_> {
    fn size(&self) -> (u32, u32) {
        (1200, 170 + 250 * self.rows.len().max(1) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let r = self.result;
        let labels = r.labels();
        let k = r.design.parameters.len();
        let variants = r.design.variants.len();
        let pairs = r.rows.len().checked_div(variants).unwrap_or(0);
        let body = header_notes(
            root,
            "P(member at the end) against each parameter",
            &format!(
                "{}: {} variants ({} design) × {} replicates, the same for every variant (common random numbers)",
                r.scenario, variants, r.design.kind, r.runs
            ),
            &[format!(
                "A row per state–pact pair that moves most ({} of {} that move), a column per parameter{}; each dot a variant, the others' values spread across it; every variant is in sweep.csv",
                self.rows.len(),
                self.moving,
                if k > self.columns {
                    format!(" (the first {} of {k})", self.columns)
                } else {
                    String::new()
                }
            )],
        )?;
        if self.rows.is_empty() {
            body.draw(&Text::new("nothing moves", (20, 20), font(LABEL_SIZE).color(&MUTED)))?;
            return Ok(());
        }
        let label_w = 150;
        let (names, grid) = body.split_horizontally(label_w);
        let areas = grid.split_evenly((self.rows.len(), self.columns));
        let tick = |v: &f64| format!("{v:.3}").trim_end_matches('0').trim_end_matches('.').to_string();
        let row_h = grid.dim_in_pixel().1 as i32 / self.rows.len() as i32;
        for (i, m) in self.rows.iter().enumerate() {
            let text = fit(&names, &m.label, &bold(SMALL_SIZE), label_w - 12);
            names.draw(&Text::new(
                text,
                (6, row_h * i as i32 + row_h / 2 - 10),
                anchored(bold(SMALL_SIZE), HPos::Left, VPos::Center),
            ))?;
            for c in 0..self.columns {
                let area = &areas[i * self.columns + c];
                let p = &r.design.parameters[c];
                let (x0, x1) = match p.vary.range {
                    Some(range) => range,
                    None => p
                        .vary
                        .values
                        .iter()
                        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x))),
                };
                let (x0, x1) = if x1 > x0 { (x0, x1) } else { (x0 - 0.5, x0 + 0.5) };
                let last = i + 1 == self.rows.len();
                let mut chart = ChartBuilder::on(area)
                    .margin(8)
                    .x_label_area_size(if last { 48 } else { 20 })
                    .y_label_area_size(if c == 0 { 44 } else { 16 })
                    .build_cartesian_2d(x0..x1, 0f64..1f64)?;
                let desc = if last {
                    fit(area, &labels[c], &font(SMALL_SIZE - 1), 1000 / self.columns as i32)
                } else {
                    String::new()
                };
                chart
                    .configure_mesh()
                    .x_labels(3)
                    .y_labels(if c == 0 { 3 } else { 0 })
                    .x_label_formatter(&tick)
                    .y_label_formatter(&|y| format!("{y:.1}"))
                    .x_desc(desc)
                    .label_style(font(SMALL_SIZE - 2))
                    .axis_desc_style(font(SMALL_SIZE - 1))
                    .axis_style(MUTED.stroke_width(1))
                    .bold_line_style(GRID.stroke_width(1))
                    .light_line_style(TRANSPARENT)
                    .draw()?;
                chart.draw_series((0..variants).map(|v| {
                    let row = &r.rows[v * pairs + m.pair];
                    Circle::new((r.values(v)[c], row.p_final), 3, category(0).mix(0.55).filled())
                }))?;
            }
        }
        Ok(())
    }
}

/// Draws the charts of a sweep into `dir`: response curves for one parameter, heat maps for two
/// on a grid, small multiples otherwise.
pub fn draw_sweep(dir: &Path, result: &SweepResult) -> Result<Vec<Chart>, PlotError> {
    let mut jobs = Vec::new();
    match result.design.parameters.len() {
        1 => {
            let chart = ResponseChart::new(result);
            jobs.push(Job {
                stem: "response".into(),
                title: "Response curves".into(),
                caption: chart.caption(),
                figure: AnyFigure::Response(chart),
            });
        }
        2 if result.design.kind == crate::scenario::sweep::DesignKind::Grid => {
            let chart = HeatMaps::new(result);
            jobs.push(Job {
                stem: "heatmap".into(),
                title: "Heat maps".into(),
                caption: chart.caption(),
                figure: AnyFigure::Heat(chart),
            });
        }
        _ => {
            let chart = SmallMultiples::new(result);
            jobs.push(Job {
                stem: "multiples".into(),
                title: "Small multiples".into(),
                caption: chart.caption(),
                figure: AnyFigure::Multiples(chart),
            });
        }
    }
    super::draw_jobs(dir, jobs)
}
