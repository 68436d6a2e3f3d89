//! The chart of a Morris screening: μ* (how much a parameter matters) against σ (how much its
//! effect depends on the others or is non-linear), one panel per outcome that moves most.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::style::*;
use super::{AnyFigure, Chart, Figure, Job, PlotError};
use crate::study::sensitivity::{Effect, SobolIndex, top_outcomes, top_sobol};
use crate::study::sweep::SweepResult;

/// Panels on the chart.
const PANELS: usize = 4;

pub struct MorrisChart<'a> {
    result: &'a SweepResult,
    panels: Vec<Vec<&'a Effect>>,
}

fn outcome_label(e: &Effect) -> String {
    crate::study::sensitivity::outcome_words(e.statistic, &e.pact, &e.state)
}

impl<'a> MorrisChart<'a> {
    pub fn new(result: &'a SweepResult, effects: &'a [Effect]) -> Self {
        MorrisChart {
            result,
            panels: top_outcomes(effects, PANELS),
        }
    }

    pub fn caption(&self) -> String {
        match self.panels.first().and_then(|g| g.first()) {
            Some(e) => format!(
                "Morris screening: μ* against σ for {} that move{} most; the largest effect is {} on {} (μ* {:.2}).",
                if self.panels.len() == 1 {
                    "the outcome".to_string()
                } else {
                    format!("the {} outcomes", self.panels.len())
                },
                if self.panels.len() == 1 { "s" } else { "" },
                e.parameter,
                outcome_label(e),
                e.mu_star
            ),
            None => "Morris screening: no outcome moves over the ranges given.".to_string(),
        }
    }
}

impl Figure for MorrisChart<'_> {
    fn size(&self) -> (u32, u32) {
        (1200, if self.panels.len() > 2 { 1100 } else { 620 })
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let r = self.result;
        let trajectories = r.design.block.map_or(0, |len| r.design.variants.len() / len);
        let body = header_notes(
            root,
            "Which assumptions matter: Morris screening",
            &format!(
                "{}: {} trajectories over {} parameters, {} replicates per point (common random numbers)",
                r.scenario,
                trajectories,
                r.design.parameters.len(),
                r.runs
            ),
            &["μ*: mean absolute change of the outcome as the parameter crosses its whole range; σ: spread of that change (interactions, non-linearity); line: σ = μ*. Every outcome is in sensitivity.csv".to_string()],
        )?;
        if self.panels.is_empty() {
            body.draw(&Text::new("nothing moves", (20, 20), font(LABEL_SIZE).color(&MUTED)))?;
            return Ok(());
        }
        let cols = self.panels.len().min(2);
        let rows = self.panels.len().div_ceil(2);
        let areas = body.split_evenly((rows, cols));
        for (group, area) in self.panels.iter().zip(&areas) {
            let max = group.iter().map(|e| e.mu_star.max(e.sigma)).fold(0.01f64, f64::max) * 1.15;
            let mut chart = ChartBuilder::on(area)
                .caption(outcome_label(group[0]), bold(DESC_SIZE))
                .margin(16)
                .x_label_area_size(46)
                .y_label_area_size(60)
                .build_cartesian_2d(0f64..max, 0f64..max)?;
            chart
                .configure_mesh()
                .x_labels(6)
                .y_labels(6)
                .x_label_formatter(&|x| if max < 0.1 { format!("{x:.3}") } else { format!("{x:.2}") })
                .y_label_formatter(&|y| if max < 0.1 { format!("{y:.3}") } else { format!("{y:.2}") })
                .x_desc("μ*")
                .y_desc("σ")
                .label_style(font(SMALL_SIZE))
                .axis_desc_style(font(LABEL_SIZE))
                .axis_style(MUTED.stroke_width(1))
                .bold_line_style(GRID.stroke_width(1))
                .light_line_style(TRANSPARENT)
                .draw()?;
            // σ = μ*: above the line, a parameter's effect changes sign or size a lot.
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(0.0, 0.0), (max, max)],
                MUTED.stroke_width(1),
            )))?;
            // Parameters with no visible effect are named together instead of piling up at 0.
            let near_zero = |e: &&&Effect| e.mu_star < 0.02 * max && e.sigma < 0.02 * max;
            let mut taken = Vec::new();
            let zero: Vec<&str> = group.iter().filter(near_zero).map(|e| e.parameter.as_str()).collect();
            if !zero.is_empty() {
                let (px, py) = chart.backend_coord(&(0.0, max));
                let style = font(SMALL_SIZE).color(&MUTED);
                let text = fit(root, &format!("≈ 0: {}", zero.join(", ")), &style, 480);
                let w = text_width(root, &text, &style);
                taken.push((px + 10, py + 6, px + 10 + w, py + 6 + SMALL_SIZE as i32 + 4));
                root.draw(&Text::new(text, (px + 10, py + 6), anchored(style, HPos::Left, VPos::Top)))?;
            }
            for e in group {
                // One colour per parameter across the panels, in design order.
                let colour = category(self.result.labels().iter().position(|l| *l == e.parameter).unwrap_or(0));
                chart.draw_series(std::iter::once(Circle::new((e.mu_star, e.sigma), 6, colour.filled())))?;
            }
            // Labels placed greedily, largest effect first, so that none overlaps another or a
            // point; one moved away from its point is joined to it by a leader line.
            let mut named: Vec<&&Effect> = group.iter().filter(|e| !near_zero(e)).collect();
            named.sort_by(|a, b| b.mu_star.total_cmp(&a.mu_star).then_with(|| a.parameter.cmp(&b.parameter)));
            let points: Vec<(i32, i32)> = group.iter().map(|e| chart.backend_coord(&(e.mu_star, e.sigma))).collect();
            let label_points: Vec<(i32, i32)> = named.iter().map(|e| chart.backend_coord(&(e.mu_star, e.sigma))).collect();
            let sizes: Vec<(i32, i32)> = named
                .iter()
                .map(|e| (text_width(root, &e.parameter, &font(SMALL_SIZE)), SMALL_SIZE as i32 + 3))
                .collect();
            let left: Vec<bool> = named.iter().map(|e| e.mu_star > 0.6 * max).collect();
            let ((l, t), (r, b)) = (chart.backend_coord(&(0.0, max)), chart.backend_coord(&(max, 0.0)));
            let bounds = (l + 2, t + 2, r - 2, b - 2);
            // Every point is an obstacle, not only the labelled ones.
            let mut obstacles = taken.clone();
            obstacles.extend(points.iter().map(|&(x, y)| (x - 6, y - 6, x + 7, y + 7)));
            let places = place_labels(&label_points, &sizes, &left, 6, bounds, &obstacles);
            for ((e, p), &pt) in named.iter().zip(&places).zip(&label_points) {
                if p.leader {
                    // In the point's colour, so it is clear which point a moved label names.
                    let colour = category(self.result.labels().iter().position(|l| *l == e.parameter).unwrap_or(0));
                    root.draw(&PathElement::new(vec![pt, leader_end(pt, p.rect)], colour.stroke_width(2)))?;
                }
                root.draw(&Text::new(
                    e.parameter.clone(),
                    (p.rect.0, p.rect.3),
                    anchored(font(SMALL_SIZE), HPos::Left, VPos::Bottom),
                ))?;
            }
        }
        Ok(())
    }
}

/// Draws the chart of a Morris screening into `dir`.
pub fn draw_morris(dir: &Path, result: &SweepResult, effects: &[Effect]) -> Result<Vec<Chart>, PlotError> {
    let chart = MorrisChart::new(result, effects);
    let jobs = vec![Job {
        stem: "morris".into(),
        title: "Morris screening".into(),
        caption: chart.caption(),
        figure: AnyFigure::Morris(chart),
    }];
    super::draw_jobs(dir, jobs)
}

/// Sobol indices: for each of the outcomes that move most, a bar per parameter for its
/// first-order index (dark) and total index (light), with 95 % bootstrap intervals.
pub struct SobolChart<'a> {
    result: &'a SweepResult,
    panels: Vec<Vec<&'a SobolIndex>>,
}

impl<'a> SobolChart<'a> {
    pub fn new(result: &'a SweepResult, indices: &'a [SobolIndex]) -> Self {
        SobolChart {
            result,
            panels: top_sobol(indices, PANELS),
        }
    }

    pub fn caption(&self) -> String {
        match self.panels.first().and_then(|g| g.first()) {
            Some(x) => format!(
                "Sobol indices for the {} outcomes that vary most; on the first, {}, the largest total index is {} ({:.2}, first-order {:.2}).",
                self.panels.len(),
                sobol_label(x),
                x.parameter,
                x.total,
                x.first
            ),
            None => "Sobol indices: no outcome varies over the ranges given.".to_string(),
        }
    }
}

fn sobol_label(x: &SobolIndex) -> String {
    crate::study::sensitivity::outcome_words(x.statistic, &x.pact, &x.state)
}

impl Figure for SobolChart<'_> {
    fn size(&self) -> (u32, u32) {
        let k = self.result.design.parameters.len() as u32;
        let panel = 110 + 44 * k;
        (1200, 130 + panel * self.panels.len().div_ceil(2).max(1) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let r = self.result;
        let samples = r.design.block.map_or(0, |len| r.design.variants.len() / len);
        let body = header_notes(
            root,
            "Which assumptions matter: Sobol indices",
            &format!(
                "{}: {} base samples × {} parameters (Saltelli design, {} points), {} replicates per point (common random numbers)",
                r.scenario,
                samples,
                r.design.parameters.len(),
                r.design.variants.len(),
                r.runs
            ),
            &["Dark: first-order index (the share of the outcome's variance the parameter explains alone); light: total index (with its interactions); lines: 95% bootstrap intervals. Every outcome is in sobol.csv".to_string()],
        )?;
        if self.panels.is_empty() {
            body.draw(&Text::new("nothing varies", (20, 20), font(LABEL_SIZE).color(&MUTED)))?;
            return Ok(());
        }
        let labels = r.labels();
        let k = labels.len();
        let cols = self.panels.len().min(2);
        let rows = self.panels.len().div_ceil(2);
        let areas = body.split_evenly((rows, cols));
        let ylab = labels.iter().map(|l| text_width(root, l, &font(SMALL_SIZE))).max().unwrap_or(60) as u32 + 20;
        for (group, area) in self.panels.iter().zip(&areas) {
            let mut chart = ChartBuilder::on(area)
                .caption(sobol_label(group[0]), bold(DESC_SIZE))
                .margin(14)
                .x_label_area_size(40)
                .y_label_area_size(ylab.min(280))
                .build_cartesian_2d(-0.05f64..1.05f64, 0f64..k as f64)?;
            chart
                .configure_mesh()
                .disable_y_mesh()
                .y_labels(0)
                .x_labels(6)
                .x_label_formatter(&|x| format!("{x:.1}"))
                .label_style(font(SMALL_SIZE))
                .axis_style(MUTED.stroke_width(1))
                .bold_line_style(GRID.stroke_width(1))
                .light_line_style(TRANSPARENT)
                .draw()?;
            for (row, label) in labels.iter().enumerate() {
                let y = (k - 1 - row) as f64;
                let (px, py) = chart.backend_coord(&(-0.05, y + 0.5));
                let text = fit(root, label, &font(SMALL_SIZE), ylab.min(280) as i32 - 14);
                root.draw(&Text::new(
                    text,
                    (px - 8, py),
                    anchored(font(SMALL_SIZE), HPos::Right, VPos::Center),
                ))?;
                let Some(x) = group.iter().find(|x| x.parameter == *label) else {
                    continue;
                };
                let colour = category(row);
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y + 0.52), (x.total.clamp(0.0, 1.05), y + 0.88)],
                    colour.mix(0.35).filled(),
                )))?;
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y + 0.12), (x.first.clamp(0.0, 1.05), y + 0.48)],
                    colour.filled(),
                )))?;
                for (lo, hi, at) in [(x.total_lo, x.total_hi, y + 0.7), (x.first_lo, x.first_hi, y + 0.3)] {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(lo.clamp(-0.05, 1.05), at), (hi.clamp(-0.05, 1.05), at)],
                        INK.stroke_width(2),
                    )))?;
                }
            }
        }
        Ok(())
    }
}

/// Draws the chart of Sobol indices into `dir`.
pub fn draw_sobol(dir: &Path, result: &SweepResult, indices: &[SobolIndex]) -> Result<Vec<Chart>, PlotError> {
    let chart = SobolChart::new(result, indices);
    let jobs = vec![Job {
        stem: "sobol".into(),
        title: "Sobol indices".into(),
        caption: chart.caption(),
        figure: AnyFigure::Sobol(chart),
    }];
    super::draw_jobs(dir, jobs)
}
