//! Membership timeline: a states × rounds heat map of the probability of membership in one
//! pact across replicates, rows ordered by join time, events marked. One panel per run, several
//! side by side for `compare`.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::axes::{self, TimeAxis, YAxis};
use super::style::*;
use super::{Figure, PlotError, select};
use crate::study::Summary;

/// At most this many levels of event labels.
const MAX_LEVELS: usize = 3;

pub struct MembershipMap<'a> {
    pact: String,
    /// (panel name, run); the name is empty for a single run.
    panels: Vec<(String, &'a Summary)>,
    title: String,
    subtitle: String,
    /// Lines under the subtitle: which states the rows are, and what is left out.
    notes: Vec<String>,
    /// The rows are the states that move most, not every state ever a member.
    cut: bool,
    /// State ids, top to bottom.
    rows: Vec<String>,
    /// How often and when the pact ended, per run where it did (drawn in `notes`, after the
    /// first `row_notes`, which say which states the rows are).
    ended: Vec<String>,
    row_notes: usize,
}

/// When a state's membership probability first reaches one half (rounds), for ordering rows.
fn order_key(p_by_round: &[f64]) -> (u8, usize, i64) {
    if let Some(r) = p_by_round.iter().position(|&p| p >= 0.5) {
        return (0, r, 0);
    }
    let peak = p_by_round.iter().copied().fold(0.0, f64::max);
    if peak > 0.0 { (1, 0, -(peak * 1e6) as i64) } else { (2, 0, 0) }
}

impl<'a> MembershipMap<'a> {
    pub fn single(summary: &'a Summary, pact: &str) -> Self {
        Self::new(vec![(String::new(), summary)], pact)
    }

    /// Side-by-side maps of one pact in several runs, with the same rows (ordered by the first run).
    pub fn new(panels: Vec<(String, &'a Summary)>, pact: &str) -> Self {
        let first = panels[0].1;
        let series = |s: &Summary, id: &str| -> Vec<f64> { s.get(pact, id).map(|m| m.p_by_round.clone()).unwrap_or_default() };
        let runs: Vec<&Summary> = panels.iter().map(|(_, s)| *s).collect();
        let selection = select::map_rows(&runs, pact);
        let mut rows = selection.rows.clone();
        let position = |id: &str| first.states.iter().position(|s| s.id == id).unwrap_or(usize::MAX);
        rows.sort_by_key(|id| {
            let p = series(first, id);
            let key = if p.is_empty() { (3, 0, 0) } else { order_key(&p) };
            (key, position(id))
        });
        let runs = first.runs;
        let scenario = if panels.len() == 1 {
            first.scenario.clone()
        } else {
            panels.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(" vs ")
        };
        let title = format!("{pact} membership probability — {scenario}");
        let subtitle = format!(
            "Share of {runs} replicates in which each state is a member after each round; rows ordered by when it first reaches 50%"
        );
        let mut notes: Vec<String> = selection.rule().into_iter().chain(selection.note()).collect();
        // Where the pact ended (or was dissolved), every member's probability falls with it: say so.
        let row_notes = notes.len();
        let several = panels.len() > 1;
        let ended: Vec<String> = panels
            .iter()
            .filter_map(|(name, s)| {
                let p = s.pacts.iter().find(|p| p.id == pact)?;
                let text = s.end_text(p)?;
                let prefix = if several { format!("{name}: ") } else { String::new() };
                Some(format!(
                    "{prefix}{pact} {text}: once formed, its members fell below its min_members ({}) and the rest were released",
                    p.min_members
                ))
            })
            .collect();
        let width = if panels.len() == 1 {
            1280
        } else {
            (760 * panels.len() as u32 + 130).min(2600)
        };
        notes.extend(ended.iter().flat_map(|t| wrap_note(t, width)));
        MembershipMap {
            pact: pact.to_string(),
            panels,
            title,
            subtitle,
            notes,
            cut: selection.cut,
            rows,
            ended,
            row_notes,
        }
    }

    fn row_height(&self) -> i32 {
        let n = self.rows.len().max(1) as i32;
        if n <= 24 { 26 } else { (640 / n).clamp(10, 26) }
    }

    pub fn caption(&self) -> String {
        let s = self.panels[0].1;
        let mut joins: Vec<(usize, &str)> = self
            .rows
            .iter()
            .filter_map(|id| {
                let p = &s.get(&self.pact, id)?.p_by_round;
                if p.first().copied().unwrap_or(0.0) >= 0.5 {
                    return None;
                }
                p.iter().position(|&x| x >= 0.5).map(|r| (r, id.as_str()))
            })
            .collect();
        joins.sort();
        let founders = s
            .states
            .iter()
            .filter(|st| {
                s.get(&self.pact, &st.id)
                    .is_some_and(|m| m.p_by_round.first().copied().unwrap_or(0.0) >= 0.5)
            })
            .count();
        let mut text = format!(
            "Probability that each state is a member of {} after each round, across {} replicates ({} members at the start)",
            self.pact, s.runs, founders
        );
        if joins.is_empty() {
            text.push_str("; no other state reaches 50%.");
        } else {
            let list: Vec<String> = joins
                .iter()
                .take(4)
                .map(|(r, id)| format!("{id} in {}", round_text(&s.round_labels, *r)))
                .collect();
            let more = if joins.len() > 4 {
                format!(" and {} more", joins.len() - 4)
            } else {
                String::new()
            };
            text.push_str(&format!("; reaching 50%: {}{more}.", list.join(", ")));
        }
        if self.cut {
            // A cut: say which rows these are.
            text.push_str(&format!(" {}.", self.notes[..self.row_notes].join(". ")));
        }
        for e in &self.ended {
            text.push_str(&format!(" {e}."));
        }
        text
    }
}

impl Figure for MembershipMap<'_> {
    fn size(&self) -> (u32, u32) {
        let k = self.panels.len() as u32;
        let width = if k == 1 { 1280 } else { (760 * k + 130).min(2600) };
        let band = axes::band(MAX_LEVELS) as i32;
        let title = if k > 1 { 30 } else { 0 };
        let height = 90 + NOTE_LINE * self.notes.len() as i32 + title + band + self.row_height() * self.rows.len().max(1) as i32 + 80;
        (width, height as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let body = header_notes(root, &self.title, &self.subtitle, &self.notes)?;
        let (w, _) = body.dim_in_pixel();
        let (panels_area, bar_area) = body.split_horizontally(w as i32 - 120);
        let areas = panels_area.split_evenly((1, self.panels.len()));
        let row_font = font((self.row_height() as u32 - 4).min(LABEL_SIZE));
        let ylab = self.rows.iter().map(|id| text_width(root, id, &row_font)).max().unwrap_or(40) as u32 + 56;
        let n = self.rows.len();
        let rows = &self.rows;
        let y_fmt = |y: &f64| {
            let i = y.floor() as usize;
            if i < n { rows[n - 1 - i].clone() } else { String::new() }
        };
        let y = YAxis {
            range: 0.0..n.max(1) as f64,
            keys: (0..n).map(|i| i as f64 + 0.5).collect(),
            format: &y_fmt,
            desc: "State".into(),
            label_area: ylab,
            label_style: row_font.clone(),
        };
        let panel_title: u32 = if self.panels.len() > 1 { 30 } else { 0 };
        let axes: Vec<TimeAxis> = self.panels.iter().map(|(_, s)| TimeAxis::of(s, true)).collect();
        let mut marks = Vec::new();
        for (area, t) in areas.iter().zip(&axes) {
            marks.push(axes::marks(root, area, t, &y)?);
        }
        let levels = marks.iter().map(|m| m.levels()).max().unwrap_or(0).min(MAX_LEVELS);
        let mut plot_y = 0..0;
        for (((area, (name, s)), t), m) in areas.iter().zip(&self.panels).zip(&axes).zip(&marks) {
            if panel_title > 0 {
                area.draw(&Text::new(
                    name.clone(),
                    (area.dim_in_pixel().0 as i32 / 2, 4),
                    anchored(bold(DESC_SIZE), HPos::Center, VPos::Top),
                ))?;
            }
            let mut chart = axes::time_chart(root, area, t, &y, panel_title + axes::band(levels), true, false)?;
            let cols = s.rounds as usize + 1;
            // Cells: runs of equal colour merged, so a long run of rounds is one rectangle.
            let mut cells = Vec::new();
            for (i, id) in self.rows.iter().enumerate() {
                let y0 = (n - 1 - i) as f64;
                let Some(m) = s.get(&self.pact, id) else {
                    cells.push(Rectangle::new(
                        [(0.0, y0), (cols as f64, y0 + 1.0)],
                        RGBColor(235, 235, 235).filled(),
                    ));
                    continue;
                };
                let q: Vec<u8> = m.p_by_round.iter().map(|&p| (p.clamp(0.0, 1.0) * 255.0).round() as u8).collect();
                let mut start = 0;
                while start < q.len() {
                    let mut end = start + 1;
                    while end < q.len() && q[end] == q[start] {
                        end += 1;
                    }
                    let color = viridis(f64::from(q[start]) / 255.0);
                    cells.push(Rectangle::new([(start as f64, y0), (end as f64, y0 + 1.0)], color.filled()));
                    start = end;
                }
            }
            chart.draw_series(cells)?;
            let (_, yr) = chart.plotting_area().get_pixel_range();
            m.draw(root, yr.clone(), levels, true)?;
            plot_y = yr;
        }
        colour_bar(root, &bar_area, (plot_y.start, plot_y.end))?;
        Ok(())
    }
}

/// A vertical viridis scale for P(member) from 0 to 1, beside the plot rows `y`.
fn colour_bar<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, area: &DrawingArea<DB, Shift>, y: (i32, i32)) -> Result<(), PlotError> {
    let x0 = area.get_base_pixel().0 + 14;
    let (top, bottom) = (y.0.max(40), y.1);
    let h = (bottom - top).max(40);
    let bottom = top + h;
    root.draw(&Text::new(
        "P(member)".to_string(),
        (x0, top - 10),
        anchored(bold(LABEL_SIZE), HPos::Left, VPos::Bottom),
    ))?;
    let steps = 64;
    for i in 0..steps {
        let y1 = bottom - (h * i) / steps;
        let y0 = bottom - (h * (i + 1)) / steps;
        root.draw(&Rectangle::new(
            [(x0, y0), (x0 + 20, y1)],
            viridis((f64::from(i) + 0.5) / f64::from(steps)).filled(),
        ))?;
    }
    root.draw(&Rectangle::new([(x0, top), (x0 + 20, bottom)], MUTED.stroke_width(1)))?;
    for t in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let y = bottom - (f64::from(h) * t).round() as i32;
        root.draw(&PathElement::new(vec![(x0 + 20, y), (x0 + 25, y)], MUTED.stroke_width(1)))?;
        root.draw(&Text::new(
            format!("{t:.2}"),
            (x0 + 29, y),
            anchored(font(LABEL_SIZE), HPos::Left, VPos::Center),
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_by_time_reaching_half() {
        assert!(order_key(&[1.0, 1.0]) < order_key(&[0.0, 0.6]));
        assert!(order_key(&[0.0, 0.6]) < order_key(&[0.0, 0.4]));
        assert!(order_key(&[0.0, 0.4]) < order_key(&[0.0, 0.1]));
        assert!(order_key(&[0.0, 0.1]) < order_key(&[0.0, 0.0]));
    }
}
