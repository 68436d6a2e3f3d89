//! The charts of a fit: the targets before and after it, and a pair plot of the points run
//! (with the posterior's marginals on the diagonal for ABC).

use std::path::Path;

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::style::*;
use super::{AnyFigure, Chart, Figure, Job, PlotError};
use crate::study::TargetResult;
use crate::study::fit::FitResult;

/// How far off a target may be drawn, in tolerances; further is drawn at the edge with an arrow.
const REACH: f64 = 5.0;

/// Each target as (run − history) / tolerance before and after the fit, on one axis, with the
/// band where it is met.
pub struct TargetsChart<'a> {
    fit: &'a FitResult,
}

impl TargetsChart<'_> {
    fn caption(&self) -> String {
        let met = |t: &[TargetResult]| t.iter().filter(|t| t.met).count();
        format!(
            "Targets before and after the fit: {} of {} met with the scenario as written, {} of {} at the best point.",
            met(&self.fit.before),
            self.fit.before.len(),
            met(&self.fit.after),
            self.fit.after.len()
        )
    }
}

fn offset(t: &TargetResult) -> Option<f64> {
    t.observed.map(|o| (o - t.expected) / t.tolerance)
}

impl Figure for TargetsChart<'_> {
    fn size(&self) -> (u32, u32) {
        (1200, 190 + 44 * self.fit.after.len().max(1) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let f = self.fit;
        let body = header_notes(
            root,
            "Against history: the targets before and after the fit",
            &format!("{}: {} ({} points × {} replicates, seed {})", f.scenario, f.method_words, f.points.len(), f.runs, f.seed),
            &["Each row: how far the run is from history, in tolerances (0: exactly; the band: met). Hollow: the scenario as written; filled: the fit's best point.".to_string()],
        )?;
        let (w, _) = body.dim_in_pixel();
        let label_w = 400i32;
        let value_w = 330i32;
        let (x0, x1) = (label_w + 20, w as i32 - value_w - 20);
        let row_h = 44i32;
        let top = 34i32;
        let px = |v: f64| x0 + ((v.clamp(-REACH, REACH) + REACH) / (2.0 * REACH) * f64::from(x1 - x0)).round() as i32;
        let bottom = top + row_h * f.after.len() as i32;
        for i in (1..f.after.len()).step_by(2) {
            let y = top + row_h * i as i32;
            body.draw(&Rectangle::new([(0, y), (w as i32, y + row_h)], RGBColor(246, 246, 246).filled()))?;
        }
        // The band where a target is met, the zero line, the axis.
        body.draw(&Rectangle::new(
            [(px(-1.0), top - 6), (px(1.0), bottom)],
            OKABE_ITO[2].mix(0.15).filled(),
        ))?;
        body.draw(&PathElement::new(
            vec![(px(0.0), top - 6), (px(0.0), bottom)],
            MUTED.stroke_width(1),
        ))?;
        for v in [-5.0, -3.0, -1.0, 0.0, 1.0, 3.0, 5.0] {
            let x = px(v);
            body.draw(&PathElement::new(vec![(x, bottom), (x, bottom + 5)], MUTED.stroke_width(1)))?;
            let text = match v {
                -5.0 => "≤ −5".to_string(),
                5.0 => "≥ 5".to_string(),
                _ => format!("{v:+}").replace("+0", "0").replace('-', "−"),
            };
            body.draw(&Text::new(
                text,
                (x, bottom + 8),
                anchored(font(SMALL_SIZE), HPos::Center, VPos::Top),
            ))?;
        }
        body.draw(&Text::new(
            "(run − history) / tolerance",
            ((x0 + x1) / 2, bottom + 30),
            anchored(font(LABEL_SIZE), HPos::Center, VPos::Top),
        ))?;
        body.draw(&Text::new(
            "met",
            (px(0.0) + 4, top - 8),
            anchored(font(SMALL_SIZE).color(&OKABE_ITO[2]), HPos::Left, VPos::Bottom),
        ))?;
        for (i, (b, a)) in f.before.iter().zip(&f.after).enumerate() {
            let y = top + row_h * i as i32 + row_h / 2;
            let label = fit(&body, &a.label, &font(LABEL_SIZE), label_w);
            body.draw(&Text::new(label, (10, y), anchored(font(LABEL_SIZE), HPos::Left, VPos::Center)))?;
            let (ob, oa) = (offset(b), offset(a));
            if let (Some(vb), Some(va)) = (ob, oa)
                && (px(vb) - px(va)).abs() > 12
            {
                body.draw(&PathElement::new(vec![(px(vb), y), (px(va), y)], MUTED.stroke_width(1)))?;
            }
            if let Some(v) = ob {
                body.draw(&Circle::new((px(v), y), 7, MUTED.stroke_width(2)))?;
            }
            if let Some(v) = oa {
                let colour = if a.met { UP } else { DOWN };
                body.draw(&Circle::new((px(v), y), 6, colour.filled()))?;
            }
            // A date without its round number: the axis is in tolerances already.
            let short = |t: &str| t.split(" (round").next().unwrap_or(t).to_string();
            let text = format!("history {}: {} → {}", a.value, short(&b.observed_text), short(&a.observed_text));
            let text = fit(&body, &text, &font(SMALL_SIZE), value_w);
            body.draw(&Text::new(
                text,
                (x1 + 20, y),
                anchored(font(SMALL_SIZE).color(&MUTED), HPos::Left, VPos::Center),
            ))?;
        }
        Ok(())
    }
}

/// A pair plot of the points a fit ran: below the diagonal each pair of parameters, the points
/// in grey and the posterior sample (ABC) or the closest tenth of the points (Nelder–Mead) in
/// blue, the best point as a vermillion cross; on the diagonal the posterior's marginal (ABC) or
/// each point's distance against the parameter (Nelder–Mead).
pub struct PairPlot<'a> {
    fit: &'a FitResult,
}

impl PairPlot<'_> {
    fn caption(&self) -> String {
        let m = self.fit.marginals();
        if m.is_empty() {
            format!(
                "The {} points the fit ran, each pair of parameters; the closest tenth in blue, the best as a cross.",
                self.fit.points.len()
            )
        } else {
            let pinned: Vec<&str> = m
                .iter()
                .filter(|m| m.verdict == "pinned down")
                .map(|m| m.parameter.as_str())
                .collect();
            format!(
                "Posterior of the fit ({} particles): {}.",
                self.fit.posterior.as_ref().map_or(0, |p| p.particles.len()),
                if pinned.is_empty() {
                    "history pins none of the parameters down".to_string()
                } else {
                    format!("history pins down {}", pinned.join(", "))
                }
            )
        }
    }

    /// The highlighted points: the posterior particles, or the closest tenth of the points.
    fn highlighted(&self) -> Vec<Vec<f64>> {
        match &self.fit.posterior {
            Some(p) => p.particles.clone(),
            None => {
                let mut d: Vec<f64> = self.fit.points.iter().map(|p| p.distance).collect();
                d.sort_by(f64::total_cmp);
                let cut = d[(d.len() / 10).min(d.len() - 1)];
                self.fit
                    .points
                    .iter()
                    .filter(|p| p.distance <= cut)
                    .map(|p| p.values.clone())
                    .collect()
            }
        }
    }
}

impl Figure for PairPlot<'_> {
    fn size(&self) -> (u32, u32) {
        let k = self.fit.parameters.len() as u32;
        if k == 1 { (900, 640) } else { (1200, 1240) }
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let f = self.fit;
        let k = f.parameters.len();
        let abc = f.posterior.is_some();
        let body = header_notes(
            root,
            if abc {
                "What history pins down: the posterior of the fit"
            } else {
                "Where the fit searched"
            },
            &format!(
                "{}: {} ({} points × {} replicates, seed {})",
                f.scenario,
                f.method_words,
                f.points.len(),
                f.runs,
                f.seed
            ),
            &[if abc {
                "Diagonal: the posterior of each parameter over its range, its 90 % interval dashed. Below: each pair; grey every point run, blue the posterior sample, the cross the best point.".to_string()
            } else {
                "Diagonal: the distance to history of every point against the parameter. Below: each pair; grey every point run, blue the closest tenth, the cross the best point.".to_string()
            }],
        )?;
        let areas = body.split_evenly((k, k));
        let best = f.best_values().to_vec();
        let highlighted = self.highlighted();
        let marginals = f.marginals();
        let small = if k > 4 { SMALL_SIZE - 2 } else { SMALL_SIZE };
        let ticks = tick_count(k);
        let (grey, blue) = if k > 4 { (1, 2) } else { (2, 3) };
        for r in 0..k {
            for c in 0..k {
                let area = &areas[r * k + c];
                if c > r {
                    continue;
                }
                let (px, py) = (&f.parameters[c], &f.parameters[r]);
                let x_desc = if r == k - 1 {
                    fit(area, &short(&px.label), &font(small), 1100 / k as i32 - 20)
                } else {
                    String::new()
                };
                if r == c {
                    self.diagonal(area, c, &x_desc, small, &best, marginals.get(c))?;
                    continue;
                }
                let y_desc = if c == 0 {
                    fit(area, &short(&py.label), &font(small), 1100 / k as i32 - 20)
                } else {
                    String::new()
                };
                let mut chart = ChartBuilder::on(area)
                    .margin(6)
                    .x_label_area_size(if r == k - 1 { 44 } else { 18 })
                    .y_label_area_size(if c == 0 { 58 } else { 40 })
                    .build_cartesian_2d(px.lo..px.hi, py.lo..py.hi)?;
                chart
                    .configure_mesh()
                    .x_labels(ticks)
                    .y_labels(ticks)
                    .x_desc(x_desc)
                    .y_desc(y_desc)
                    .label_style(font(small))
                    .axis_desc_style(font(small))
                    .axis_style(MUTED.stroke_width(1))
                    .bold_line_style(GRID.stroke_width(1))
                    .light_line_style(TRANSPARENT)
                    .draw()?;
                chart.draw_series(
                    f.points
                        .iter()
                        .map(|p| Circle::new((p.values[c], p.values[r]), grey, RGBColor(190, 190, 190).filled())),
                )?;
                chart.draw_series(highlighted.iter().map(|p| Circle::new((p[c], p[r]), blue, UP.mix(0.7).filled())))?;
                chart.draw_series(std::iter::once(Cross::new(
                    (best[c], best[r]),
                    if k > 4 { 5 } else { 7 },
                    DOWN.stroke_width(2),
                )))?;
            }
        }
        Ok(())
    }
}

impl PairPlot<'_> {
    fn diagonal<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        d: usize,
        x_desc: &str,
        small: u32,
        best: &[f64],
        marginal: Option<&crate::study::fit::Marginal>,
    ) -> Result<(), PlotError> {
        let f = self.fit;
        let p = &f.parameters[d];
        let k = f.parameters.len();
        let caption = if k == 1 {
            String::new()
        } else {
            fit(area, &short(&p.label), &bold(small), 1100 / k as i32 - 10)
        };
        let x_desc = if k == 1 { p.label.clone() } else { x_desc.to_string() };
        match &f.posterior {
            Some(post) => {
                const BINS: usize = 20;
                let width = (p.hi - p.lo) / BINS as f64;
                let mut mass = [0.0f64; BINS];
                for (x, w) in post.particles.iter().zip(&post.weights) {
                    let b = (((x[d] - p.lo) / width).floor().max(0.0) as usize).min(BINS - 1);
                    mass[b] += w;
                }
                let top = mass.iter().copied().fold(0.0, f64::max).max(1e-9) * 1.15;
                let mut chart = ChartBuilder::on(area)
                    .caption(caption, bold(small))
                    .margin(6)
                    .x_label_area_size(if d == k - 1 { 44 } else { 18 })
                    .y_label_area_size(if d == 0 { 58 } else { 40 })
                    .build_cartesian_2d(p.lo..p.hi, 0.0..top)?;
                chart
                    .configure_mesh()
                    .x_labels(tick_count(k))
                    .y_labels(3)
                    .x_desc(x_desc)
                    .y_desc(if d == 0 { "posterior mass" } else { "" })
                    .y_label_formatter(&|v| format!("{v:.2}"))
                    .label_style(font(small))
                    .axis_desc_style(font(small))
                    .axis_style(MUTED.stroke_width(1))
                    .bold_line_style(GRID.stroke_width(1))
                    .light_line_style(TRANSPARENT)
                    .draw()?;
                chart.draw_series(mass.iter().enumerate().map(|(b, m)| {
                    let x = p.lo + width * b as f64;
                    Rectangle::new([(x, 0.0), (x + width, *m)], UP.mix(0.75).filled())
                }))?;
                if let Some(m) = marginal {
                    for v in [m.q05, m.q95] {
                        chart.draw_series(std::iter::once(DashedPathElement::new(
                            vec![(v, 0.0), (v, top)],
                            5,
                            4,
                            INK.stroke_width(1),
                        )))?;
                    }
                }
                chart.draw_series(std::iter::once(Cross::new((best[d], top * 0.05), 7, DOWN.stroke_width(3))))?;
            }
            None => {
                let top = f.points.iter().map(|q| q.distance).fold(1.0, f64::max);
                let mut chart = ChartBuilder::on(area)
                    .caption(caption, bold(small))
                    .margin(6)
                    .x_label_area_size(if d == k - 1 { 44 } else { 18 })
                    .y_label_area_size(if d == 0 { 58 } else { 40 })
                    .build_cartesian_2d(p.lo..p.hi, (0.1f64..top * 1.5).log_scale())?;
                chart
                    .configure_mesh()
                    .x_labels(tick_count(k))
                    .y_labels(4)
                    .x_desc(x_desc)
                    .y_desc(if d == 0 { "distance" } else { "" })
                    .y_label_formatter(&|v| format!("{v:.0}"))
                    .label_style(font(small))
                    .axis_desc_style(font(small))
                    .axis_style(MUTED.stroke_width(1))
                    .bold_line_style(GRID.stroke_width(1))
                    .light_line_style(TRANSPARENT)
                    .draw()?;
                chart.draw_series(
                    f.points
                        .iter()
                        .map(|q| Circle::new((q.values[d], q.distance.max(0.1)), 3, UP.mix(0.6).filled())),
                )?;
                let bd = f.points[f.best].distance.max(0.1);
                chart.draw_series(std::iter::once(Cross::new((best[d], bd), 7, DOWN.stroke_width(3))))?;
            }
        }
        Ok(())
    }
}

/// Tick labels per axis on a pair plot of `k` parameters.
fn tick_count(k: usize) -> usize {
    match k {
        0..=3 => 5,
        4..=6 => 3,
        _ => 2,
    }
}

/// A parameter's label without the `model.` or `state.` that most begin with.
fn short(label: &str) -> String {
    label
        .strip_prefix("model.")
        .or_else(|| label.strip_prefix("state."))
        .unwrap_or(label)
        .to_string()
}

/// Draws the charts of a fit into `dir`: targets.png and pairs.png (and their SVGs).
pub fn draw_fit(dir: &Path, fit: &FitResult) -> Result<Vec<Chart>, PlotError> {
    let targets = TargetsChart { fit };
    let pairs = PairPlot { fit };
    let jobs = vec![
        Job {
            stem: "targets".into(),
            title: "Targets before and after".into(),
            caption: targets.caption(),
            figure: AnyFigure::FitTargets(targets),
        },
        Job {
            stem: "pairs".into(),
            title: if fit.posterior.is_some() { "Posterior" } else { "Points searched" }.into(),
            caption: pairs.caption(),
            figure: AnyFigure::Pairs(pairs),
        },
    ];
    super::draw_jobs(dir, jobs)
}
