//! Join-time distribution: for each state–pact pair that joins in some replicate, a histogram of
//! its first-join round (exact counts from the tally), one row per pair.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::axes::{self, TimeAxis, YAxis};
use super::style::*;
use super::{Figure, PlotError, select};
use crate::run::{Tally, median};
use crate::study::Summary;

const MAX_LEVELS: usize = 3;

struct Row {
    label: String,
    pact: usize,
    colour: usize,
    hist: Vec<u64>,
    joined: u64,
    median: Option<f64>,
}

pub struct JoinTimes<'a> {
    summary: &'a Summary,
    runs: u64,
    rows: Vec<Row>,
    /// Which pairs are shown, when not all.
    note: Option<String>,
    /// More pacts than colours: every bar in one colour (the labels name the pact).
    one_colour: bool,
}

impl<'a> JoinTimes<'a> {
    /// The pairs [`select::joins`] picks, grouped by pact, each pact's by median join round.
    pub fn new(summary: &'a Summary, tally: &Tally) -> Self {
        let sel = select::joins(summary);
        let mut rows = Vec::new();
        let mut start = 0;
        while start < sel.pairs.len() {
            let p = sel.pairs[start].0;
            let end = sel.pairs[start..]
                .iter()
                .position(|q| q.0 != p)
                .map_or(sel.pairs.len(), |k| start + k);
            let mut of_pact: Vec<Row> = sel.pairs[start..end]
                .iter()
                .filter(|&&(p, s)| p < tally.pacts && s < tally.states)
                .map(|&(p, s)| {
                    let hist = tally.join_hist(p, s);
                    Row {
                        label: format!("{} → {}", summary.states[s].id, summary.pacts[p].id),
                        pact: p,
                        colour: p,
                        hist: hist.to_vec(),
                        joined: hist.iter().sum(),
                        median: median(hist),
                    }
                })
                .collect();
            of_pact.sort_by(|a, b| {
                a.median
                    .unwrap_or(f64::MAX)
                    .total_cmp(&b.median.unwrap_or(f64::MAX))
                    .then(a.label.cmp(&b.label))
            });
            rows.extend(of_pact);
            start = end;
        }
        // Colours: each pact's own (as in the other charts) while those are distinct; else by
        // order of appearance; one colour when there are more pacts than colours.
        let mut pacts: Vec<usize> = rows.iter().map(|r| r.pact).collect();
        pacts.dedup();
        let colours: Vec<usize> = if pacts.iter().all(|&p| p < OKABE_ITO.len()) {
            pacts.clone()
        } else if pacts.len() <= OKABE_ITO.len() {
            (0..pacts.len()).collect()
        } else {
            vec![0; pacts.len()]
        };
        for row in &mut rows {
            row.colour = colours[pacts.iter().position(|&p| p == row.pact).unwrap_or(0)];
        }
        JoinTimes {
            summary,
            runs: tally.runs,
            rows,
            note: sel.note(),
            one_colour: pacts.len() > OKABE_ITO.len(),
        }
    }

    /// Pixels per row: roomy for a few rows, tighter for many.
    fn row_height(&self) -> u32 {
        if self.rows.len() <= 20 { 46 } else { 34 }
    }

    pub fn caption(&self) -> String {
        if self.rows.is_empty() {
            return format!("No state joins a pact it did not found, in any of the {} replicates.", self.runs);
        }
        let parts: Vec<String> = self
            .rows
            .iter()
            .take(4)
            .map(|r| {
                let when = r
                    .median
                    .map(|m| round_text(&self.summary.round_labels, m.round() as usize))
                    .unwrap_or_default();
                format!(
                    "{} in {:.0}% (median {when})",
                    r.label,
                    100.0 * r.joined as f64 / self.runs.max(1) as f64
                )
            })
            .collect();
        let more = if self.rows.len() > 4 {
            format!(" and {} more", self.rows.len() - 4)
        } else {
            String::new()
        };
        let mut text = format!(
            "Round in which each state first joins each pact, counted exactly over {} replicates: {}{more}.",
            self.runs,
            parts.join("; ")
        );
        if let Some(note) = &self.note {
            text.push_str(&format!(" Shown: {note}."));
        }
        text
    }
}

impl Figure for JoinTimes<'_> {
    fn size(&self) -> (u32, u32) {
        let rows = self.rows.len().max(1) as u32;
        let notes = NOTE_LINE as u32 * u32::from(self.note.is_some());
        (1200, 190 + notes + axes::band(MAX_LEVELS) + self.row_height() * rows + 70)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let subtitle = format!(
            "First round as a member, for states that join (not founders); in brackets: share of {} replicates in which it joins; bars scaled to each row's peak",
            self.runs
        );
        let notes: Vec<String> = self.note.iter().map(|n| format!("Rows: {n}")).collect();
        let body = header_notes(root, &format!("When states join — {}", self.summary.scenario), &subtitle, &notes)?;
        let mut pacts: Vec<(usize, usize)> = self.rows.iter().map(|r| (r.pact, r.colour)).collect();
        pacts.dedup();
        if self.one_colour {
            pacts.clear();
        }
        let mut items: Vec<(String, Swatch<DB>)> = pacts
            .iter()
            .map(|&(p, c)| {
                let colour = category(c);
                let swatch: Swatch<DB> = Box::new(move |r, x, y| {
                    r.draw(&Rectangle::new([(x + 4, y - 8), (x + 20, y + 8)], colour.filled()))?;
                    Ok(())
                });
                (self.summary.pacts[p].id.clone(), swatch)
            })
            .collect();
        if !self.rows.is_empty() {
            items.push((
                "median join round".to_string(),
                Box::new(|r, x, y| {
                    r.draw(&PathElement::new(vec![(x + 12, y - 10), (x + 12, y + 10)], INK.stroke_width(3)))?;
                    Ok(())
                }),
            ));
        }
        let body = legend(root, &body, items)?;
        if self.rows.is_empty() {
            body.draw(&Text::new(
                "No state joins a pact in any replicate.".to_string(),
                (body.dim_in_pixel().0 as i32 / 2, 60),
                anchored(font(DESC_SIZE), HPos::Center, VPos::Center),
            ))?;
            return Ok(());
        }
        let n = self.rows.len();
        let labels: Vec<String> = self
            .rows
            .iter()
            .map(|r| format!("{} ({:.0}%)", r.label, 100.0 * r.joined as f64 / self.runs.max(1) as f64))
            .collect();
        let ylab = labels.iter().map(|l| text_width(root, l, &font(LABEL_SIZE))).max().unwrap_or(60) as u32 + 50;
        let fmt = |y: &f64| {
            let i = y.floor() as usize;
            if i < n { labels[n - 1 - i].clone() } else { String::new() }
        };
        let y = YAxis {
            range: 0.0..n as f64,
            keys: (0..n).map(|i| i as f64 + 0.5).collect(),
            format: &fmt,
            desc: "State → pact".into(),
            label_area: ylab,
            label_style: font(LABEL_SIZE),
        };
        let t = TimeAxis::of(self.summary, true);
        let marks = axes::marks(root, &body, &t, &y)?;
        let levels = marks.levels().min(MAX_LEVELS);
        let mut chart = axes::time_chart(root, &body, &t, &y, axes::band(levels), true, false)?;
        let (_, yr) = chart.plotting_area().get_pixel_range();
        marks.draw(root, yr, levels, false)?;
        for (i, row) in self.rows.iter().enumerate() {
            let base = (n - 1 - i) as f64;
            let peak = row.hist.iter().copied().max().unwrap_or(1).max(1) as f64;
            let colour = category(row.colour);
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(0.0, base + 0.04), (t.rounds as f64 + 1.0, base + 0.04)],
                GRID.stroke_width(1),
            )))?;
            chart.draw_series(row.hist.iter().enumerate().filter(|(_, c)| **c > 0).map(|(r, &c)| {
                let h = 0.82 * c as f64 / peak;
                Rectangle::new(
                    [(r as f64 + 0.08, base + 0.04), (r as f64 + 0.92, base + 0.04 + h)],
                    colour.filled(),
                )
            }))?;
            if let Some(m) = row.median {
                let x = m + 0.5;
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x, base + 0.0), (x, base + 0.95)],
                    INK.stroke_width(3),
                )))?;
            }
        }
        Ok(())
    }
}
