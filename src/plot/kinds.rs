//! Pacts that formed themselves, by kind of template (informal, issue, binding), over rounds:
//! the mean number alive with the 5–95% band across replicates (docs/MODEL.md §5b). Drawn for a
//! run whose scenario has `[[template]]`s.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axes::{self, TimeAxis, YAxis};
use super::style::*;
use super::{Figure, PlotError};
use crate::study::{KindInfo, Summary, percent};

/// Width and height of the chart.
const WIDTH: u32 = 1200;
const HEIGHT: u32 = 680;
/// At most this many levels of event labels above the plot.
const MAX_LEVELS: usize = 3;

/// Points of a line or polygon on the time axis: (round, pacts).
type Points = Vec<(f64, f64)>;

pub struct KindsChart<'a> {
    summary: &'a Summary,
    title: String,
    subtitle: String,
    notes: Vec<String>,
}

/// The colour of a kind: always the same for the same kind (informal blue, issue green, binding
/// vermillion), whatever kinds a scenario has.
pub(super) fn colour(kind: &str) -> RGBColor {
    match kind {
        "informal" => OKABE_ITO[0],
        "issue" => OKABE_ITO[2],
        _ => OKABE_ITO[3],
    }
}

impl<'a> KindsChart<'a> {
    /// None when the scenario has no templates (nothing to draw).
    pub fn new(s: &'a Summary) -> Option<Self> {
        if s.kinds.is_empty() {
            return None;
        }
        let list: Vec<String> = s.kinds.iter().map(|k| format!("{}: {}", k.kind, k.templates.join(", "))).collect();
        let notes = wrap_note(&format!("Templates by kind — {}", list.join("; ")), WIDTH);
        Some(KindsChart {
            summary: s,
            title: format!("Pacts formed by kind — {}", s.scenario),
            subtitle: format!(
                "Pacts of each kind alive after each round: mean line, shaded band 5–95% of {} replicates",
                s.runs
            ),
            notes,
        })
    }

    pub fn caption(&self) -> String {
        let parts: Vec<String> = self
            .summary
            .kinds
            .iter()
            .map(|k| {
                let end = k.alive_mean_by_round.last().copied().unwrap_or(0.0);
                let p05 = k.alive_p05_by_round.last().copied().unwrap_or(0);
                let p95 = k.alive_p95_by_round.last().copied().unwrap_or(0);
                let any = k.p_any_by_round.last().copied().unwrap_or(0.0);
                format!(
                    "{} pacts: {:.2} formed per replicate on average, {end:.2} alive at the end (5–95%: {p05}–{p95}), at least one in {}",
                    k.kind,
                    k.formed_mean,
                    percent(any)
                )
            })
            .collect();
        format!(
            "Number of pacts the scenario's templates formed that are alive after each round, by kind, mean over replicates with the 5–95% range shaded: {}.",
            parts.join("; ")
        )
    }

    /// The mean line and the 5–95% band (a closed polygon) of a kind.
    fn series(k: &KindInfo) -> (Points, Points) {
        let n = k.alive_mean_by_round.len();
        let line = k.alive_mean_by_round.iter().enumerate().map(|(r, &v)| (r as f64, v)).collect();
        let mut band: Vec<(f64, f64)> = (0..n).map(|r| (r as f64, k.alive_p95_by_round[r] as f64)).collect();
        band.extend((0..n).rev().map(|r| (r as f64, k.alive_p05_by_round[r] as f64)));
        (line, band)
    }
}

/// The top of the y axis and its ticks for a largest value `max`: whole pacts from 0 to at least
/// 1 when `max` ≥ 1 (or when nothing formed at all); below, the smallest of 0.01, 0.02, 0.05, 0.1,
/// 0.2, 0.5 or 1 at or above `max`, in five steps.
fn y_scale(max: f64) -> (f64, Vec<f64>) {
    if max >= 1.0 || max <= 0.0 {
        let top = max.max(1.0);
        return (top, axes::int_keys(top, 6));
    }
    let top = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
        .into_iter()
        .find(|&t| t >= max)
        .unwrap_or(1.0);
    // Rounded so that 3 × 0.02 reads "0.06", not "0.060000000000000005".
    let keys = (0..=5).map(|i| (f64::from(i) * top / 5.0 * 1e4).round() / 1e4).collect();
    (top, keys)
}

impl Figure for KindsChart<'_> {
    fn size(&self) -> (u32, u32) {
        (WIDTH, HEIGHT + NOTE_LINE as u32 * self.notes.len() as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let s = self.summary;
        let body = header_notes(root, &self.title, &self.subtitle, &self.notes)?;
        let mut items: Vec<(String, Swatch<DB>)> = s
            .kinds
            .iter()
            .map(|k| {
                let c = colour(&k.kind);
                let swatch: Swatch<DB> = Box::new(move |r, x, y| {
                    r.draw(&Rectangle::new([(x, y - 8), (x + 24, y + 8)], c.mix(0.2).filled()))?;
                    r.draw(&PathElement::new(vec![(x, y), (x + 24, y)], c.stroke_width(3)))?;
                    Ok(())
                });
                (format!("{} pacts", k.kind), swatch)
            })
            .collect();
        items.push((
            "line: mean, band: 5–95% of replicates".to_string(),
            Box::new(|r, x, y| {
                r.draw(&Rectangle::new([(x, y - 8), (x + 24, y + 8)], MUTED.mix(0.2).filled()))?;
                r.draw(&PathElement::new(vec![(x, y), (x + 24, y)], MUTED.stroke_width(3)))?;
                Ok(())
            }),
        ));
        let area = legend(root, &body, items)?;
        let max = s
            .kinds
            .iter()
            .flat_map(|k| {
                k.alive_p95_by_round
                    .iter()
                    .map(|&v| v as f64)
                    .chain(k.alive_mean_by_round.iter().copied())
            })
            .fold(0.0f64, f64::max);
        // Below one pact (the band's top is then 0: fewer than 5% of replicates form one), a
        // scale in tenths or hundredths so a small mean is seen; else whole pacts.
        let (top, keys) = y_scale(max);
        let fmt = |v: &f64| if top >= 1.0 { format!("{v:.0}") } else { format!("{v}") };
        let y = YAxis {
            range: 0.0..top * 1.08 + if top >= 1.0 { 0.2 } else { 0.0 },
            keys,
            format: &fmt,
            desc: "Pacts alive".into(),
            label_area: 80,
            label_style: font(LABEL_SIZE),
        };
        let t = TimeAxis::of(s, false);
        let marks = axes::marks(root, &area, &t, &y)?;
        let levels = marks.levels().min(MAX_LEVELS);
        let mut chart = axes::time_chart(root, &area, &t, &y, axes::band(levels), true, true)?;
        let (_, yr) = chart.plotting_area().get_pixel_range();
        marks.draw(root, yr, levels, false)?;
        for k in &s.kinds {
            let (_, band) = Self::series(k);
            chart.draw_series(std::iter::once(Polygon::new(band, colour(&k.kind).mix(0.18).filled())))?;
        }
        for k in &s.kinds {
            let (line, _) = Self::series(k);
            chart.draw_series(LineSeries::new(line, colour(&k.kind).stroke_width(3)))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::y_scale;

    #[test]
    fn small_means_get_a_scale_of_their_own() {
        assert_eq!(y_scale(0.025), (0.05, vec![0.0, 0.01, 0.02, 0.03, 0.04, 0.05]));
        assert_eq!(y_scale(0.183).0, 0.2);
        assert_eq!(y_scale(0.2).1[3], 0.12);
        assert_eq!(y_scale(0.0), (1.0, vec![0.0, 1.0]));
        assert_eq!(y_scale(1.06), (1.06, vec![0.0, 1.0]));
        assert_eq!(y_scale(3.0).1, vec![0.0, 1.0, 2.0, 3.0]);
    }
}
