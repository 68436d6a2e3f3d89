//! Charts of a backtest: Brier skill against persistence by start year, and a reliability
//! diagram of the model's probabilities.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::style::*;
use super::{Chart, FORMATS, Figure, PlotError, create_dir, render};
use crate::backtest::{Backtest, skill};

/// Skill is drawn within [-1, 1]; values beyond are clipped to the edge (backtest.csv has them).
const FLOOR: f64 = -1.0;

struct SkillChart<'a> {
    bt: &'a Backtest,
}

impl Figure for SkillChart<'_> {
    fn size(&self) -> (u32, u32) {
        (1200, 1090)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let bt = self.bt;
        let body = header(
            root,
            "Skill by start year: Brier skill score against persistence",
            &format!(
                "1 − Brier / Brier of 'nothing changes'; above 0 beats persistence. Horizon {} years, {}, values below {FLOOR} drawn at {FLOOR}",
                bt.horizon, bt.selection
            ),
        )?;
        // One legend for the three panels, above them, so no panel's data is covered by it.
        let series = [(0usize, "model"), (2usize, "historical base rates")];
        let items: Vec<(String, Swatch<DB>)> = series
            .iter()
            .map(|&(pi, name)| {
                let colour = series_colour(pi);
                let swatch: Swatch<DB> = Box::new(move |r, x, y| {
                    r.draw(&PathElement::new(vec![(x, y), (x + 24, y)], colour.stroke_width(3)))?;
                    r.draw(&Circle::new((x + 12, y), 3, colour.filled()))?;
                    Ok(())
                });
                (name.to_string(), swatch)
            })
            .collect();
        let body = legend(root, &body, items)?;
        let panels = body.split_evenly((3, 1));
        let titles = [
            "All state–alliance–years (event: member)",
            "Members at the start (event: has left)",
            "Non-members at the start (event: has joined)",
        ];
        let (x0, x1) = (bt.from as f64 - 0.5, bt.to as f64 + 0.5);
        for (si, area) in panels.iter().enumerate() {
            let mut chart = ChartBuilder::on(area)
                .caption(titles[si], font(DESC_SIZE))
                .margin(12)
                .margin_right(30)
                .x_label_area_size(40)
                .y_label_area_size(70)
                .build_cartesian_2d(x0..x1, FLOOR..1.0)?;
            chart
                .configure_mesh()
                .x_labels(12)
                .y_labels(5)
                .x_label_formatter(&|x| format!("{x:.0}"))
                .y_label_formatter(&|y| format!("{y:+.1}"))
                .y_desc("Brier skill")
                .label_style(font(LABEL_SIZE))
                .axis_desc_style(font(DESC_SIZE))
                .axis_style(MUTED.stroke_width(1))
                .bold_line_style(GRID.stroke_width(1))
                .light_line_style(TRANSPARENT)
                .draw()?;
            chart.draw_series(std::iter::once(PathElement::new(vec![(x0, 0.0), (x1, 0.0)], MUTED.stroke_width(2))))?;
            for &(pi, _) in &series {
                let colour = series_colour(pi);
                let pts: Vec<(f64, f64)> = bt
                    .starts
                    .iter()
                    .map(|s| (s.start as f64, skill(&s.scores[si][pi], &s.scores[si][1])))
                    .filter(|(_, v)| v.is_finite())
                    .map(|(x, v)| (x, v.clamp(FLOOR, 1.0)))
                    .collect();
                chart.draw_series(LineSeries::new(pts.clone(), colour.stroke_width(3)))?;
                chart.draw_series(pts.iter().map(|&p| Circle::new(p, 3, colour.filled())))?;
            }
        }
        Ok(())
    }
}

/// The colour of a series of the skill chart by its score index (0 model, 2 base rates).
fn series_colour(pi: usize) -> RGBColor {
    category(if pi == 0 { 0 } else { 1 })
}

struct ReliabilityChart<'a> {
    bt: &'a Backtest,
}

impl Figure for ReliabilityChart<'_> {
    fn size(&self) -> (u32, u32) {
        (900, 900)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let bt = self.bt;
        let total: u64 = bt.reliability.iter().map(|b| b.n).sum();
        let body = header(
            root,
            "Reliability of the model's membership probabilities",
            &format!(
                "Ten bins of predicted P(member), labelled with their pair-years ({} in all); on the diagonal = calibrated",
                compact(total)
            ),
        )?;
        let mut chart = ChartBuilder::on(&body)
            .margin(20)
            .margin_right(40)
            .x_label_area_size(56)
            .y_label_area_size(80)
            .build_cartesian_2d(0.0..1.0, 0.0..1.0)?;
        chart
            .configure_mesh()
            .x_labels(11)
            .y_labels(11)
            .x_label_formatter(&|x| format!("{x:.1}"))
            .y_label_formatter(&|y| format!("{y:.1}"))
            .x_desc("Predicted probability of membership (bin mean)")
            .y_desc("Observed share that are members (ATOP)")
            .label_style(font(LABEL_SIZE))
            .axis_desc_style(font(DESC_SIZE))
            .axis_style(MUTED.stroke_width(1))
            .bold_line_style(GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .draw()?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (1.0, 1.0)],
            MUTED.stroke_width(2),
        )))?;
        let max = bt.reliability.iter().map(|b| b.n).max().unwrap_or(1).max(1) as f64;
        let pts: Vec<(f64, f64, u64)> = bt
            .reliability
            .iter()
            .filter(|b| b.n > 0)
            .map(|b| (b.p_sum / b.n as f64, b.observed as f64 / b.n as f64, b.n))
            .collect();
        chart.draw_series(LineSeries::new(pts.iter().map(|&(x, y, _)| (x, y)), category(0).stroke_width(2)))?;
        chart.draw_series(pts.iter().map(|&(x, y, n)| {
            let r = disc_radius(n as f64, max, 4.0, 26.0);
            Circle::new((x, y), r, category(0).mix(0.6).filled())
        }))?;
        // Pair-year counts beside each dot, inside the plot (left of dots near the right edge).
        chart.draw_series(pts.iter().map(|&(x, y, n)| {
            let h = if x > 0.7 { HPos::Right } else { HPos::Left };
            let dx = if x > 0.7 { -0.03 } else { 0.03 };
            Text::new(compact(n), (x + dx, y + 0.02), anchored(font(SMALL_SIZE), h, VPos::Bottom))
        }))?;
        Ok(())
    }
}

/// 9434782 → "9.43M", 35313 → "35.3k", 812 → "812".
fn compact(n: u64) -> String {
    let x = n as f64;
    if x >= 1e6 {
        format!("{:.2}M", x / 1e6)
    } else if x >= 1e4 {
        format!("{:.1}k", x / 1e3)
    } else {
        n.to_string()
    }
}

/// Draws skill.png/svg and reliability.png/svg into `dir/charts/`.
pub fn draw_backtest(dir: &Path, bt: &Backtest) -> Result<Vec<Chart>, PlotError> {
    let charts = dir.join("charts");
    create_dir(&charts)?;
    let mut out = Vec::new();
    let skill_fig = SkillChart { bt };
    let files = render(&skill_fig, &charts, "skill", &FORMATS)?;
    let t = &bt.total;
    out.push(Chart {
        stem: "skill".into(),
        title: "Brier skill against persistence by start year".into(),
        caption: format!(
            "Brier skill score of the model and of the historical base rates against persistence, by start year. Over all start years the model's skill is {:+.3} on all pair-years, {:+.3} on exits and {:+.3} on entries.",
            skill(&t[0][0], &t[0][1]),
            skill(&t[1][0], &t[1][1]),
            skill(&t[2][0], &t[2][1])
        ),
        files,
        size: skill_fig.size(),
    });
    let rel = ReliabilityChart { bt };
    let files = render(&rel, &charts, "reliability", &FORMATS)?;
    out.push(Chart {
        stem: "reliability".into(),
        title: "Reliability diagram".into(),
        caption: "Predicted probability of membership against the observed share, in ten bins of the model's probability; dots on the diagonal are calibrated.".into(),
        files,
        size: rel.size(),
    });
    Ok(out)
}
