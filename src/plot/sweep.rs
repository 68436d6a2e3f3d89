//! Charts of a sweep: how P(member at the end) responds to the parameter a one-parameter sweep
//! moves, for the state–pact pairs that move most, with 95 % bands.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::*;
use super::{AnyFigure, Chart, Figure, Job, PlotError};
use crate::report::sweep::SweepResult;

/// At most this many curves on one chart.
const TOP: usize = 8;
/// A pair moves when its P(member at the end) spans more than this many standard errors.
const MOVES_BY_SE: f64 = 3.0;

/// One state–pact pair across the variants: (parameter value, p_final, standard error).
struct Curve {
    label: String,
    points: Vec<(f64, f64, f64)>,
    range: f64,
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
        // Rows are variant-major, then pact and state in the same order in every variant.
        let mut curves: Vec<Curve> = (0..pairs)
            .map(|k| {
                let first = &result.rows[k];
                let points: Vec<(f64, f64, f64)> = (0..variants)
                    .map(|v| {
                        let row = &result.rows[v * pairs + k];
                        (result.values(v)[0], row.p_final, row.p_final_se)
                    })
                    .collect();
                let (lo, hi) = points.iter().fold((1.0f64, 0.0f64), |(lo, hi), p| (lo.min(p.1), hi.max(p.1)));
                Curve {
                    label: format!("{} in {}", first.state, first.pact),
                    points,
                    range: hi - lo,
                }
            })
            .filter(|c| {
                let se = c.points.iter().map(|p| p.2).fold(0.0, f64::max);
                c.range > MOVES_BY_SE * se.max(1e-12)
            })
            .collect();
        let moving = curves.len();
        // Largest range first; ties in label order, so the choice does not depend on anything else.
        curves.sort_by(|a, b| b.range.total_cmp(&a.range).then_with(|| a.label.cmp(&b.label)));
        curves.truncate(TOP);
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
                let (lo, hi) = c.points.iter().fold((1.0f64, 0.0f64), |(lo, hi), p| (lo.min(p.1), hi.max(p.1)));
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
            &format!("{}: P(member at the end) as {label} varies", r.scenario),
            &format!(
                "{} replicates per value, the same for every value (common random numbers); lines: estimate, bands: 95% interval",
                r.runs
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

/// Draws the charts of a sweep into `dir`: the response curves of a one-parameter sweep (none
/// yet for more parameters).
pub fn draw_sweep(dir: &Path, result: &SweepResult) -> Result<Vec<Chart>, PlotError> {
    let mut jobs = Vec::new();
    if result.design.parameters.len() == 1 {
        let chart = ResponseChart::new(result);
        jobs.push(Job {
            stem: "response".into(),
            title: "Response curves".into(),
            caption: chart.caption(),
            figure: AnyFigure::Response(chart),
        });
    }
    super::draw_jobs(dir, jobs)
}
