//! The coefficient chart of `pactsim estimate`: each weight's estimate with its 95 % interval,
//! the value the fit started from, and the weights the data do not identify.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::style::*;
use super::{Figure, Format, PlotError};
use crate::study::estimate::{HistoryEstimate, NotIdentified};

struct CoefficientChart<'a> {
    h: &'a HistoryEstimate,
}

const ROW: i32 = 40;

impl CoefficientChart<'_> {
    /// The x range: every interval, start value and 0, padded; intervals wider than 4 times the
    /// largest |estimate| (or 1) are cut there (drawn with an arrow).
    fn range(&self) -> (f64, f64, f64) {
        let cs = &self.h.estimate.coefficients;
        let scale = cs.iter().map(|c| c.estimate.abs().max(c.prior.abs())).fold(1.0, f64::max);
        let cap = 4.0 * scale;
        let (mut lo, mut hi) = (0.0f64, 0.0f64);
        for c in cs {
            lo = lo.min(c.prior).min(c.estimate);
            hi = hi.max(c.prior).max(c.estimate);
            if c.se.is_finite() {
                lo = lo.min((c.estimate - 1.96 * c.se).max(-cap));
                hi = hi.max((c.estimate + 1.96 * c.se).min(cap));
            }
        }
        let pad = 0.06 * (hi - lo).max(1e-9);
        (lo - pad, hi + pad, cap)
    }
}

fn nice_step(span: f64) -> f64 {
    let raw = span / 6.0;
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * mag)
}

impl Figure for CoefficientChart<'_> {
    fn size(&self) -> (u32, u32) {
        (1100, 200 + ROW as u32 * self.h.estimate.coefficients.len() as u32 + 60)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let h = self.h;
        let e = &h.estimate;
        let body = header_notes(
            root,
            &format!("Weights estimated from history, {}–{}", h.from, h.to),
            &format!(
                "{} yearly choices ({} exits, {} entries), logit rule at τ = {}: maximum likelihood",
                e.observations, e.exits, e.entries, e.temperature
            ),
            &[
                "Filled dot: the estimate, with its 95 % interval (±1.96 standard errors, observed information). Hollow ring: the value the fit started from.".to_string(),
                "Costs enter with their sign in the terms, so every weight is expected above 0; a weight below 0 says the data favour the opposite effect.".to_string(),
            ],
        )?;
        let (w, _) = body.dim_in_pixel();
        let label_w = 150i32;
        let value_w = 330i32;
        let (x0, x1) = (label_w + 20, w as i32 - value_w - 20);
        let (lo, hi, cap) = self.range();
        let px = |v: f64| x0 + ((v - lo) / (hi - lo) * f64::from(x1 - x0)).round() as i32;
        let top = 20i32;
        let n = e.coefficients.len() as i32;
        let bottom = top + n * ROW;
        // Grid and ticks.
        let step = nice_step(hi - lo);
        let mut t = (lo / step).ceil() * step;
        while t <= hi + 1e-12 {
            let x = px(t);
            let colour = if t.abs() < step * 1e-6 { MUTED } else { GRID };
            body.draw(&PathElement::new(vec![(x, top - 6), (x, bottom)], colour.stroke_width(1)))?;
            let label = if step >= 1.0 {
                format!("{t:.0}")
            } else if step >= 0.1 {
                format!("{t:.1}")
            } else {
                format!("{t:.2}")
            };
            body.draw(&Text::new(
                label,
                (x, bottom + 6),
                anchored(font(SMALL_SIZE).color(&MUTED), HPos::Center, VPos::Top),
            ))?;
            t += step;
        }
        body.draw(&Text::new(
            "weight (utility per unit of the term; τ fixed)",
            ((x0 + x1) / 2, bottom + 28),
            anchored(font(LABEL_SIZE).color(&INK), HPos::Center, VPos::Top),
        ))?;
        for (i, c) in e.coefficients.iter().enumerate() {
            let y = top + i as i32 * ROW + ROW / 2;
            if i % 2 == 0 {
                body.draw(&Rectangle::new(
                    [(10, y - ROW / 2), (w as i32 - 10, y + ROW / 2)],
                    RGBColor(247, 247, 247).filled(),
                ))?;
            }
            body.draw(&Text::new(
                c.name.clone(),
                (label_w, y),
                anchored(font(LABEL_SIZE).color(&INK), HPos::Right, VPos::Center),
            ))?;
            let colour = OKABE_ITO[4];
            // The start value.
            body.draw(&Circle::new((px(c.prior), y), 6, MUTED.stroke_width(2)))?;
            let value = match &c.not_identified {
                Some(NotIdentified::Constant) => "not identified: term 0 throughout".to_string(),
                Some(NotIdentified::Collinear(with)) => format!("not identified: collinear with {}", with.join(", ")),
                Some(NotIdentified::Separated) => "not identified: no finite maximum".to_string(),
                None => {
                    if c.se.is_finite() {
                        let (a, b) = (
                            (c.estimate - 1.96 * c.se).max(-cap).max(lo),
                            (c.estimate + 1.96 * c.se).min(cap).min(hi),
                        );
                        body.draw(&PathElement::new(vec![(px(a), y), (px(b), y)], colour.stroke_width(3)))?;
                        for (end, cut) in [(a, a <= -cap || a <= lo), (b, b >= cap || b >= hi)] {
                            let x = px(end);
                            if cut {
                                let d = if end < c.estimate { -1 } else { 1 };
                                body.draw(&PathElement::new(
                                    vec![(x - 8 * d, y - 6), (x, y), (x - 8 * d, y + 6)],
                                    colour.stroke_width(2),
                                ))?;
                            } else {
                                body.draw(&PathElement::new(vec![(x, y - 6), (x, y + 6)], colour.stroke_width(2)))?;
                            }
                        }
                    }
                    body.draw(&Circle::new((px(c.estimate), y), 6, colour.filled()))?;
                    format!("{:.3} ± {:.3}  (start {:.2})", c.estimate, c.se, c.prior)
                }
            };
            let style = font(SMALL_SIZE).color(if c.not_identified.is_some() { &DOWN } else { &INK });
            let text = fit(&body, &value, &style, value_w);
            body.draw(&Text::new(text, (x1 + 20, y), anchored(style, HPos::Left, VPos::Center)))?;
        }
        Ok(())
    }
}

/// Draws `coefficients.png` into `dir`; returns the file names written.
pub fn draw_estimate(dir: &Path, h: &HistoryEstimate) -> Result<Vec<String>, PlotError> {
    super::create_dir(dir)?;
    super::render(&CoefficientChart { h }, dir, "coefficients", &[Format::Png])
}
