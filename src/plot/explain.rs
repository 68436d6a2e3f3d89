//! Why (utility decomposition): the terms of one state's decision about one pact over rounds, as
//! stacked bars (positive terms up, negative down) with the net utility as a line; a panel for
//! joining (where it is not a member), one for leaving (where it is), and membership below.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::axes::{self, TimeAxis, YAxis};
use super::style::*;
use super::{AnyFigure, Chart, Figure, Job, PlotError};
use crate::run::trace::{Side, Trace};

const MAX_LEVELS: usize = 3;

/// Colour of the `i`-th term shown: Okabe–Ito without black (black is the net utility), then
/// grey; past eight, Paul Tol's indigo, wine, olive and teal (with nine or more terms some pairs
/// are harder to tell apart; the legend order matches the stacking order).
pub fn term_colour(i: usize) -> RGBColor {
    const C: [RGBColor; 12] = [
        OKABE_ITO[0],
        OKABE_ITO[1],
        OKABE_ITO[2],
        OKABE_ITO[3],
        OKABE_ITO[4],
        OKABE_ITO[5],
        OKABE_ITO[6],
        RGBColor(153, 153, 153),
        RGBColor(51, 34, 136),
        RGBColor(136, 34, 85),
        RGBColor(153, 153, 51),
        RGBColor(68, 170, 153),
    ];
    C[i % C.len()]
}

pub struct ExplainChart<'a> {
    t: &'a Trace,
    labels: Vec<String>,
    active: Vec<usize>,
    has_join: bool,
    has_leave: bool,
}

impl<'a> ExplainChart<'a> {
    pub fn new(t: &'a Trace) -> Self {
        ExplainChart {
            t,
            labels: t.rounds.iter().map(|r| r.label.clone()).collect(),
            active: t.active_terms(),
            has_join: t.rounds.iter().any(|r| r.join.is_some()),
            has_leave: t.rounds.iter().any(|r| r.leave.is_some()),
        }
    }

    fn axis(&self) -> TimeAxis<'_> {
        let last = self.t.rounds.len().saturating_sub(1) as u32;
        TimeAxis {
            labels: &self.labels,
            rounds: last as usize,
            has_dates: self.t.has_dates,
            unit: &self.t.round_unit,
            events: self
                .t
                .events
                .iter()
                .filter(|e| e.0 >= 1 && e.0 <= last)
                .map(|(r, _, name, label)| (*r, format!("{name} ({label})")))
                .collect(),
            cells: true,
            compact: false,
        }
    }

    pub fn caption(&self) -> String {
        format!(
            "Mean value of each term of {}'s decision about {} after each round, over {} replicates; the black line is the net utility (positive favours acting).",
            self.t.state, self.t.pact, self.t.runs
        )
    }

    fn bars<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        area: &DrawingArea<DB, Shift>,
        title: &str,
        side: impl Fn(usize) -> Option<&'a Side>,
        labels_on_top: bool,
    ) -> Result<(), PlotError> {
        let t = self.axis();
        let (mut lo, mut hi) = (0.0f64, 0.0f64);
        for r in 0..self.labels.len() {
            if let Some(s) = side(r) {
                let pos: f64 = s.terms.iter().filter(|v| **v > 0.0).sum();
                let neg: f64 = s.terms.iter().filter(|v| **v < 0.0).sum();
                hi = hi.max(pos).max(s.utility);
                lo = lo.min(neg).min(s.utility);
            }
        }
        let pad = (hi - lo).max(0.1) * 0.08;
        let (lo, hi) = (lo - pad, hi + pad);
        let keys = nice_keys(lo, hi, 6);
        let fmt = |v: &f64| format!("{v:.2}");
        let y = YAxis {
            range: lo..hi,
            keys,
            format: &fmt,
            desc: "Utility (model units)".into(),
            label_area: 96,
            label_style: font(LABEL_SIZE),
        };
        area.draw(&Text::new(
            fit(root, title, &bold(DESC_SIZE), area.dim_in_pixel().0 as i32 - 130),
            (96 + 12, 4),
            anchored(bold(DESC_SIZE), HPos::Left, VPos::Top),
        ))?;
        let marks = axes::marks(root, area, &t, &y)?;
        let levels = if labels_on_top { marks.levels().min(MAX_LEVELS) } else { 0 };
        let top = 30 + if labels_on_top { axes::band(levels) } else { 0 };
        let mut chart = axes::time_chart(root, area, &t, &y, top, false, true)?;
        let (_, yr) = chart.plotting_area().get_pixel_range();
        if labels_on_top {
            marks.draw(root, yr.clone(), levels, false)?;
        } else {
            marks.lines(root, yr.clone())?;
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (self.labels.len() as f64, 0.0)],
            INK.stroke_width(1),
        )))?;
        let mut rects = Vec::new();
        let mut net = Vec::new();
        for r in 0..self.labels.len() {
            let Some(s) = side(r) else { continue };
            let (mut up, mut down) = (0.0, 0.0);
            for (i, &k) in self.active.iter().enumerate() {
                let v = s.terms[k];
                let (a, b) = if v >= 0.0 {
                    up += v;
                    (up - v, up)
                } else {
                    down += v;
                    (down, down - v)
                };
                if (b - a).abs() > 0.0 {
                    rects.push(Rectangle::new([(r as f64 + 0.1, a), (r as f64 + 0.9, b)], term_colour(i).filled()));
                }
            }
            net.push((r, s.utility));
        }
        chart.draw_series(rects)?;
        // The net line breaks where the side has no replicates.
        let mut segment: Vec<(f64, f64)> = Vec::new();
        let mut prev: Option<usize> = None;
        for &(r, u) in &net {
            if prev.is_some_and(|p| p + 1 != r) && !segment.is_empty() {
                chart.draw_series(LineSeries::new(std::mem::take(&mut segment), INK.stroke_width(2)))?;
            }
            segment.push((r as f64 + 0.5, u));
            prev = Some(r);
        }
        if !segment.is_empty() {
            chart.draw_series(LineSeries::new(segment, INK.stroke_width(2)))?;
        }
        chart.draw_series(net.iter().map(|&(r, u)| Circle::new((r as f64 + 0.5, u), 3, INK.filled())))?;
        Ok(())
    }

    fn membership<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, area: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let t = self.axis();
        let fmt = |v: &f64| format!("{v:.1}");
        let y = YAxis {
            range: 0.0..1.05,
            keys: vec![0.0, 0.5, 1.0],
            format: &fmt,
            desc: "Share".into(),
            label_area: 96,
            label_style: font(LABEL_SIZE),
        };
        area.draw(&Text::new(
            format!("{} in {}: share of replicates", self.t.state, self.t.pact),
            (96 + 12, 4),
            anchored(bold(DESC_SIZE), HPos::Left, VPos::Top),
        ))?;
        let marks = axes::marks(root, area, &t, &y)?;
        let mut chart = axes::time_chart(root, area, &t, &y, 30, true, true)?;
        let (_, yr) = chart.plotting_area().get_pixel_range();
        marks.lines(root, yr)?;
        let member: Vec<(f64, f64)> = self
            .t
            .rounds
            .iter()
            .enumerate()
            .map(|(r, x)| (r as f64 + 0.5, x.p_member))
            .collect();
        let applicant: Vec<(f64, f64)> = self
            .t
            .rounds
            .iter()
            .enumerate()
            .map(|(r, x)| (r as f64 + 0.5, x.p_applicant))
            .collect();
        chart
            .draw_series(LineSeries::new(member, OKABE_ITO[0].stroke_width(3)))?
            .label("member")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], OKABE_ITO[0].stroke_width(3)));
        chart
            .draw_series(LineSeries::new(applicant, OKABE_ITO[1].stroke_width(3)))?
            .label("application pending")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], OKABE_ITO[1].stroke_width(3)));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::MiddleLeft)
            .label_font(font(LABEL_SIZE))
            .background_style(WHITE.mix(0.85))
            .border_style(MUTED)
            .draw()?;
        Ok(())
    }
}

/// About `n` round-numbered ticks covering lo..hi, including 0.
fn nice_keys(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let span = (hi - lo).max(1e-9);
    let raw = span / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

impl Figure for ExplainChart<'_> {
    fn size(&self) -> (u32, u32) {
        let panels = u32::from(self.has_join) + u32::from(self.has_leave);
        (1280, 150 + axes::band(MAX_LEVELS) + 330 * panels.max(1) + 250)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let t = self.t;
        let who = if t.state_name.is_empty() || t.state_name == t.state {
            t.state.clone()
        } else {
            format!("{} ({})", t.state_name, t.state)
        };
        let body = header(
            root,
            &format!("Why {who} joins {} or not — {}", t.pact, t.scenario),
            &format!(
                "Mean of each utility term over {} replicates (seed {}), on the world after each round; positive terms stack up, negative down",
                t.runs, t.seed
            ),
        )?;
        // Legend: the terms that are ever non-zero, then the net line.
        let mut items: Vec<(String, Swatch<DB>)> = self
            .active
            .iter()
            .enumerate()
            .map(|(i, &k)| {
                let colour = term_colour(i);
                let swatch: Swatch<DB> = Box::new(move |r, x, y| {
                    r.draw(&Rectangle::new([(x + 4, y - 8), (x + 20, y + 8)], colour.filled()))?;
                    Ok(())
                });
                (t.names[k].clone(), swatch)
            })
            .collect();
        items.push((
            "net utility".to_string(),
            Box::new(|r, x, y| {
                r.draw(&PathElement::new(vec![(x, y), (x + 24, y)], INK.stroke_width(2)))?;
                r.draw(&Circle::new((x + 12, y), 3, INK.filled()))?;
                Ok(())
            }),
        ));
        let body = legend(root, &body, items)?;

        let (_, h) = body.dim_in_pixel();
        let (bars, strip) = body.split_vertically(h as i32 - 250);
        let band = axes::band(MAX_LEVELS) + 30;
        let panels: Vec<(String, bool)> = [
            (
                format!(
                    "Joining: terms of applying, in replicates where {} is not a member (positive favours applying)",
                    t.state
                ),
                self.has_join,
            ),
            (
                format!(
                    "Leaving: terms of leaving, in replicates where {} is a member (negative favours staying)",
                    t.state
                ),
                self.has_leave,
            ),
        ]
        .into_iter()
        .filter(|p| p.1)
        .collect();
        if panels.is_empty() {
            bars.draw(&Text::new(
                "No replicates to show.".to_string(),
                (bars.dim_in_pixel().0 as i32 / 2, 60),
                anchored(font(DESC_SIZE), HPos::Center, VPos::Center),
            ))?;
        } else {
            let (_, bh) = bars.dim_in_pixel();
            let first_h = band as i32 + (bh as i32 - band as i32) / panels.len() as i32;
            let areas = if panels.len() == 2 {
                let (a, b) = bars.split_vertically(first_h);
                vec![a, b]
            } else {
                vec![bars.clone()]
            };
            for (i, ((title, _), area)) in panels.iter().zip(&areas).enumerate() {
                let is_join = title.starts_with("Joining");
                let side = |r: usize| -> Option<&Side> {
                    let round = t.rounds.get(r)?;
                    if is_join { round.join.as_ref() } else { round.leave.as_ref() }
                };
                self.bars(root, area, title, side, i == 0)?;
            }
        }
        self.membership(root, &strip)?;
        Ok(())
    }
}

fn explain_job(trace: &Trace) -> Job<'_> {
    let fig = ExplainChart::new(trace);
    let stem = format!("explain_{}_{}", file_safe(&trace.state), file_safe(&trace.pact));
    Job {
        title: format!("Why {} joins {} or not", trace.state, trace.pact),
        caption: fig.caption(),
        stem,
        figure: AnyFigure::Explain(fig),
    }
}

/// Draws the explain chart of a trace into `dir` as `explain_<STATE>_<PACT>.png/.svg`.
pub fn draw_explain(dir: &Path, trace: &Trace) -> Result<Chart, PlotError> {
    let mut charts = super::draw_jobs(dir, vec![explain_job(trace)])?;
    Ok(charts.remove(0))
}

/// The explain chart of a trace as SVG text (the live page).
pub fn explain_svg(trace: &Trace, width: Option<u32>) -> Result<super::SvgChart, PlotError> {
    let mut charts = super::svg_jobs(vec![explain_job(trace)], width)?;
    Ok(charts.remove(0))
}
