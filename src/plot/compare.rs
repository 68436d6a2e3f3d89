//! Charts of a comparison: overlaid pact sizes, side-by-side membership maps, and the state–pact
//! probabilities that changed most between variants.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::membership::MembershipMap;
use super::size::SizeChart;
use super::style::*;
use super::{AnyFigure, Chart, Figure, Job, PlotError, unique_names};
use crate::study::compare::{Comparison, Difference};

/// At most this many bars per variant pair.
const TOP: usize = 15;
/// Differences smaller than this are not drawn (they are in compare.csv).
const MIN_DIFF: f64 = 0.005;

pub struct DifferenceChart<'a> {
    cmp: &'a Comparison,
    /// (variant, its largest differences against the first variant).
    pairs: Vec<(String, Vec<&'a Difference>)>,
}

impl<'a> DifferenceChart<'a> {
    pub fn new(cmp: &'a Comparison) -> Self {
        let pairs = cmp.variants[1..]
            .iter()
            .map(|v| {
                let top: Vec<&Difference> = cmp.of(&v.name).filter(|d| d.change.abs() >= MIN_DIFF).take(TOP).collect();
                (v.name.clone(), top)
            })
            .collect();
        DifferenceChart { cmp, pairs }
    }

    pub fn caption(&self) -> String {
        let base = &self.cmp.variants[0].name;
        let parts: Vec<String> = self
            .pairs
            .iter()
            .map(|(name, top)| match top.first() {
                Some(d) => format!(
                    "in {name} the largest is {} in {} ({:.2} → {:.2})",
                    d.state, d.pact, d.p_base, d.p_variant
                ),
                None => format!("{name} changes no end-of-run probability by {MIN_DIFF} or more"),
            })
            .collect();
        format!(
            "Change in the probability of being a member at the end, each variant against {base}: {}.",
            parts.join("; ")
        )
    }

    fn rows(&self) -> usize {
        self.pairs.iter().map(|(_, t)| t.len().max(1) + 2).sum()
    }
}

impl Figure for DifferenceChart<'_> {
    fn size(&self) -> (u32, u32) {
        (1200, (90 + 30 * self.rows() + 60 * self.pairs.len()) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let base = &self.cmp.variants[0].name;
        let body = header(
            root,
            &format!("What changed: P(member at the end), variant − {base}"),
            &format!(
                "The {TOP} largest changes per variant (|change| ≥ {MIN_DIFF}; every pair is in compare.csv); blue: more likely, vermillion: less likely"
            ),
        )?;
        let heights: Vec<i32> = self.pairs.iter().map(|(_, t)| (t.len().max(1) as i32 + 2) * 30 + 60).collect();
        let mut rest = body;
        for ((name, top), h) in self.pairs.iter().zip(heights) {
            let (area, below) = rest.split_vertically(h);
            rest = below;
            area.draw(&Text::new(
                format!("{name} vs {base}"),
                (20, 4),
                anchored(bold(DESC_SIZE), HPos::Left, VPos::Top),
            ))?;
            let labels: Vec<String> = top.iter().map(|d| format!("{} in {}", d.state, d.pact)).collect();
            let ylab = labels.iter().map(|l| text_width(root, l, &font(LABEL_SIZE))).max().unwrap_or(60) as u32 + 24;
            let max = top.iter().map(|d| d.change.abs()).fold(0.1f64, f64::max);
            let lim = (max * 1.35).min(1.35);
            let n = top.len().max(1);
            let mut chart = ChartBuilder::on(&area)
                .margin_top(30)
                .margin_left(12)
                .margin_right(30)
                .x_label_area_size(56)
                .y_label_area_size(ylab)
                .build_cartesian_2d(-lim..lim, 0f64..n as f64)?;
            chart
                .configure_mesh()
                .disable_y_mesh()
                .y_labels(0)
                .x_labels(9)
                .x_label_formatter(&|x| format!("{x:+.2}"))
                .x_desc("Change in probability of membership at the end (variant − baseline)")
                .label_style(font(LABEL_SIZE))
                .axis_desc_style(font(DESC_SIZE))
                .axis_style(MUTED.stroke_width(1))
                .bold_line_style(GRID.stroke_width(1))
                .light_line_style(TRANSPARENT)
                .draw()?;
            // Row labels drawn by hand (plotters' y labels would sit between categories).
            for (i, l) in labels.iter().enumerate() {
                let y = (labels.len() - 1 - i) as f64 + 0.5;
                let (px, py) = chart.backend_coord(&(-lim, y));
                root.draw(&Text::new(
                    l.clone(),
                    (px - 10, py),
                    anchored(font(LABEL_SIZE), HPos::Right, VPos::Center),
                ))?;
            }
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(0.0, 0.0), (0.0, n as f64)],
                INK.stroke_width(1),
            )))?;
            if top.is_empty() {
                let (px, py) = chart.backend_coord(&(0.0, 0.5));
                root.draw(&Text::new(
                    "no end-of-run probability changes".to_string(),
                    (px + 12, py),
                    anchored(font(LABEL_SIZE).color(&MUTED), HPos::Left, VPos::Center),
                ))?;
            }
            for (i, d) in top.iter().enumerate() {
                let y = (top.len() - 1 - i) as f64;
                let colour = if d.change >= 0.0 { UP } else { DOWN };
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y + 0.18), (d.change, y + 0.82)],
                    colour.filled(),
                )))?;
                let text = format!("{:+.2}  ({:.2} → {:.2})", d.change, d.p_base, d.p_variant);
                let (px, py) = chart.backend_coord(&(d.change, y + 0.5));
                let (h, dx) = if d.change >= 0.0 { (HPos::Left, 6) } else { (HPos::Right, -6) };
                root.draw(&Text::new(text, (px + dx, py), anchored(font(SMALL_SIZE), h, VPos::Center)))?;
            }
        }
        Ok(())
    }
}

/// Draws every chart of a comparison into `dir`.
pub fn draw_compare(dir: &Path, cmp: &Comparison) -> Result<Vec<Chart>, PlotError> {
    super::draw_jobs(dir, compare_jobs(cmp))
}

/// The charts of a comparison as SVG text (the live page): the same figures as [`draw_compare`].
pub fn compare_svg(cmp: &Comparison, width: Option<u32>) -> Result<Vec<super::SvgChart>, PlotError> {
    super::svg_jobs(compare_jobs(cmp), width)
}

fn compare_jobs(cmp: &Comparison) -> Vec<Job<'_>> {
    let runs: Vec<(String, &crate::study::Summary)> = cmp.variants.iter().map(|v| (v.name.clone(), &v.summary)).collect();
    let names = cmp.names().join(" vs ");
    let mut jobs = Vec::new();
    let diff = DifferenceChart::new(cmp);
    jobs.push(Job {
        stem: "difference".into(),
        title: "What changed".into(),
        caption: diff.caption(),
        figure: AnyFigure::Difference(diff),
    });
    let size = SizeChart::overlay(&runs);
    jobs.push(Job {
        stem: "pact_size".into(),
        title: "Pact size".into(),
        caption: format!("Median size of each pact over rounds in each variant ({names}), with the 5–95% range of replicates shaded."),
        figure: AnyFigure::Size(size),
    });
    let mut pacts: Vec<&str> = Vec::new();
    for v in &cmp.variants {
        for p in &v.summary.pacts {
            if !pacts.contains(&p.id.as_str()) {
                pacts.push(&p.id);
            }
        }
    }
    for (pact, file) in pacts.iter().zip(unique_names(pacts.iter().copied())) {
        let panels: Vec<(String, &crate::study::Summary)> = runs
            .iter()
            .filter(|(_, s)| s.pacts.iter().any(|p| p.id == *pact))
            .cloned()
            .collect();
        let map = MembershipMap::new(panels, pact);
        jobs.push(Job {
            stem: format!("membership_{file}"),
            title: format!("{pact} membership"),
            caption: format!("Probability that each state is a member of {pact} after each round, variants side by side ({names}); same rows in each panel."),
            figure: AnyFigure::Membership(map),
        });
    }
    jobs
}
