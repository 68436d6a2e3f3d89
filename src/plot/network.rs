//! The alliance network at chosen rounds: states on a circle (disc area ∝ capability), pacts as
//! coloured squares inside it, a tie from each state to each pact weighted by the probability of
//! membership at that round; binding treaties solid, informal ties dashed.

use std::f64::consts::{PI, TAU};

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::style::*;
use super::{Figure, PlotError, select};
use crate::study::Summary;

/// Pacts with `binding` at or above this are drawn as binding treaties.
pub const BINDING: f64 = 0.5;
const COLS: usize = 3;
const PANEL_W: u32 = 460;
const PANEL_H: u32 = 420;

pub struct Network<'a> {
    s: &'a Summary,
    rounds: Vec<usize>,
    /// Pacts and states shown (indices into the summary's), [`select::network`].
    pacts: Vec<usize>,
    states: Vec<usize>,
    /// Angle of each state shown (in `states` order) on the circle.
    angle: Vec<f64>,
    /// Angle of each pact shown on the inner circle.
    pact_angle: Vec<f64>,
    /// What is left out, if anything.
    note: Option<String>,
    /// Ties weaker than this are not drawn ([`select::NetworkSelection::min_tie`]).
    min_tie: f64,
}

impl<'a> Network<'a> {
    pub fn new(s: &'a Summary, rounds: Vec<usize>) -> Self {
        let sel = select::network(s, &rounds);
        let note = sel.note(s);
        let min_tie = sel.min_tie(s);
        let (pacts, states) = (sel.pacts, sel.states);
        let n = states.len();
        let p_at = |p: &str, st: &str, r: usize| -> f64 { s.get(p, st).and_then(|m| m.p_by_round.get(r).copied()).unwrap_or(0.0) };
        let last = s.rounds as usize;
        // Neighbours on the circle share pacts: order states by their end-of-run membership profile.
        let mut order: Vec<usize> = (0..n).collect();
        let profile = |k: usize| -> Vec<i64> {
            let st = &s.states[states[k]].id;
            pacts
                .iter()
                .map(|&j| {
                    let p = &s.pacts[j].id;
                    let peak = rounds.iter().map(|&r| p_at(p, st, r)).fold(0.0, f64::max);
                    -((p_at(p, st, last) + peak) * 1000.0) as i64
                })
                .collect()
        };
        let profiles: Vec<Vec<i64>> = (0..n).map(profile).collect();
        order.sort_by(|&a, &b| profiles[a].cmp(&profiles[b]).then(a.cmp(&b)));
        let mut angle = vec![0.0; n];
        for (k, &i) in order.iter().enumerate() {
            angle[i] = -PI / 2.0 + TAU * k as f64 / n.max(1) as f64;
        }
        // Each pact sits towards its members: sort pacts by the mean direction of their members,
        // then spread them evenly on the inner circle in that order.
        let np = pacts.len();
        let mut wanted: Vec<(f64, usize)> = pacts
            .iter()
            .enumerate()
            .map(|(k, &j)| {
                let p = &s.pacts[j].id;
                let (mut x, mut y) = (0.0, 0.0);
                for (i, &si) in states.iter().enumerate() {
                    let w = rounds.iter().map(|&r| p_at(p, &s.states[si].id, r)).fold(0.0, f64::max);
                    x += w * angle[i].cos();
                    y += w * angle[i].sin();
                }
                (y.atan2(x), k)
            })
            .collect();
        wanted.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let offset = wanted.first().map(|w| w.0).unwrap_or(0.0);
        let mut pact_angle = vec![0.0; np];
        for (k, &(_, j)) in wanted.iter().enumerate() {
            pact_angle[j] = offset + TAU * k as f64 / np.max(1) as f64;
        }
        Network {
            s,
            rounds,
            pacts,
            states,
            angle,
            pact_angle,
            note,
            min_tie,
        }
    }

    /// Panels are larger when many states sit on the circle.
    fn panel(&self) -> (u32, u32) {
        if self.states.len() > 20 { (580, 540) } else { (PANEL_W, PANEL_H) }
    }

    pub fn caption(&self) -> String {
        let when: Vec<String> = self.rounds.iter().map(|&r| self.panel_title(r)).collect();
        let mut text = format!(
            "Who is tied to which pact at {}: line width shows the probability of membership, solid lines are binding treaties and dashed lines informal ties.",
            when.join(", ")
        );
        if let Some(note) = &self.note {
            text.push_str(&format!(" {note}."));
        }
        text
    }

    fn panel_title(&self, r: usize) -> String {
        let label = round_text(&self.s.round_labels, r);
        if r == 0 {
            return "Start".to_string();
        }
        let after: Vec<&str> = self
            .s
            .events
            .iter()
            .filter(|e| e.round as usize == r)
            .map(|e| e.name.as_str())
            .collect();
        if !after.is_empty() {
            return format!("{label}: after {}", after.join(", "));
        }
        if r == self.s.rounds as usize {
            return format!("End ({label})");
        }
        label
    }

    const STYLE_LABELS: [&'static str; 4] = [
        "binding treaty (binding ≥ 0.5)",
        "informal tie",
        "line width and opacity ∝ P(member)",
        "state (disc area ∝ capability)",
    ];

    fn grid(&self) -> (usize, usize) {
        let n = self.rounds.len().max(1);
        let cols = COLS.min(n);
        (n.div_ceil(cols), cols)
    }
}

impl Figure for Network<'_> {
    fn size(&self) -> (u32, u32) {
        let (rows, cols) = self.grid();
        let (panel_w, panel_h) = self.panel();
        let width = panel_w * cols as u32 + 20;
        // Legend rows, estimated at 8.5 px per character (the legend wraps to fit when drawn).
        let mut chars: Vec<usize> = self.pacts.iter().map(|&j| self.s.pacts[j].id.chars().count() + 11).collect();
        chars.extend(Self::STYLE_LABELS.iter().map(|l| l.chars().count()));
        let (mut x, mut lines) = (0.0, 1);
        for c in chars {
            let w = 54.0 + 8.5 * c as f64;
            if x > 0.0 && x + w > f64::from(width) - 40.0 {
                x = 0.0;
                lines += 1;
            }
            x += w;
        }
        let notes = NOTE_LINE as u32 * u32::from(self.note.is_some());
        (width, 90 + notes + lines * LEGEND_ROW as u32 + 12 + panel_h * rows as u32 + 10)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let s = self.s;
        let body = header_notes(
            root,
            &format!("Alliance network — {}", s.scenario),
            &format!(
                "Ties are P(member) across {} replicates at the end of each round shown; disc area ∝ capability",
                s.runs
            ),
            self.note.as_slice(),
        )?;
        let mut items: Vec<(String, Swatch<DB>)> = self
            .pacts
            .iter()
            .enumerate()
            .map(|(k, &j)| {
                let pact = &s.pacts[j];
                let kind = if pact.binding >= BINDING { "binding" } else { "informal" };
                let swatch: Swatch<DB> = Box::new(move |r, x, y| pact_marker(r, x + 12, y, k));
                (format!("{} ({kind})", pact.id), swatch)
            })
            .collect();
        let [binding, informal, width, disc] = Self::STYLE_LABELS;
        items.push((
            binding.to_string(),
            Box::new(|r, x, y| {
                r.draw(&PathElement::new(vec![(x, y), (x + 24, y)], INK.stroke_width(3)))?;
                Ok(())
            }),
        ));
        items.push((
            informal.to_string(),
            Box::new(|r, x, y| {
                r.draw(&DashedPathElement::new(vec![(x, y), (x + 24, y)], 6, 4, INK.stroke_width(3)))?;
                Ok(())
            }),
        ));
        items.push((
            width.to_string(),
            Box::new(|r, x, y| {
                r.draw(&PathElement::new(vec![(x, y - 5), (x + 24, y - 5)], INK.mix(0.35).stroke_width(1)))?;
                r.draw(&PathElement::new(vec![(x, y + 4), (x + 24, y + 4)], INK.stroke_width(5)))?;
                Ok(())
            }),
        ));
        items.push((
            disc.to_string(),
            Box::new(|r, x, y| {
                r.draw(&Circle::new((x + 12, y), 8, RGBColor(200, 200, 200).filled()))?;
                r.draw(&Circle::new((x + 12, y), 8, INK.stroke_width(1)))?;
                Ok(())
            }),
        ));
        let panels = legend(root, &body, items)?;
        let (rows, cols) = self.grid();
        let cells = panels.split_evenly((rows, cols));
        let max_cap = self.states.iter().map(|&i| s.states[i].capability).fold(0.0, f64::max);
        for (&r, cell) in self.rounds.iter().zip(cells.iter()) {
            let (w, h) = cell.dim_in_pixel();
            let (bx, by) = cell.get_base_pixel();
            root.draw(&Text::new(
                fit(root, &self.panel_title(r), &bold(DESC_SIZE), w as i32 - 16),
                (bx + w as i32 / 2, by + 4),
                anchored(bold(DESC_SIZE), HPos::Center, VPos::Top),
            ))?;
            let cx = f64::from(bx) + f64::from(w) / 2.0;
            let cy = f64::from(by) + 30.0 + (f64::from(h) - 30.0) / 2.0;
            // Room outside the circle for the widest state label beside the biggest disc.
            let widest = self
                .states
                .iter()
                .map(|&i| text_width(root, &s.states[i].id, &font(SMALL_SIZE)))
                .max()
                .unwrap_or(40);
            let room = f64::from(widest.max(30)) + 24.0;
            // An ellipse filling the panel: labels need more room at the sides than above and below.
            let rx = (f64::from(w) / 2.0 - room).max(40.0);
            let ry = ((f64::from(h) - 30.0) / 2.0 - 40.0).clamp(40.0, rx * 1.35);
            let inner = match self.pacts.len() {
                0 | 1 => 0.0,
                2..=4 => 0.38,
                _ => 0.55,
            };
            let state_xy = |i: usize| -> (i32, i32) {
                (
                    (cx + rx * self.angle[i].cos()).round() as i32,
                    (cy + ry * self.angle[i].sin()).round() as i32,
                )
            };
            let pact_xy = |j: usize| -> (i32, i32) {
                (
                    (cx + inner * rx * self.pact_angle[j].cos()).round() as i32,
                    (cy + inner * ry * self.pact_angle[j].sin()).round() as i32,
                )
            };
            // Ties, weakest first so strong ones are on top.
            // (i, j, k): position among the states and pacts shown, and the pact's index.
            let mut ties = Vec::new();
            for (k, &j) in self.pacts.iter().enumerate() {
                let by_state = s.membership.get(&s.pacts[j].id);
                for (i, &si) in self.states.iter().enumerate() {
                    let p = by_state
                        .and_then(|m| m.get(&s.states[si].id))
                        .and_then(|m| m.p_by_round.get(r).copied())
                        .unwrap_or(0.0);
                    if p >= self.min_tie {
                        ties.push((p, i, k, j));
                    }
                }
            }
            ties.sort_by(|a, b| a.0.total_cmp(&b.0));
            for &(p, i, k, j) in &ties {
                let colour = category(k).mix(0.3 + 0.7 * p);
                let width = (1.0 + 4.0 * p).round() as u32;
                let (a, b) = (state_xy(i), pact_xy(k));
                if s.pacts[j].binding >= BINDING {
                    root.draw(&PathElement::new(vec![a, b], colour.stroke_width(width)))?;
                } else {
                    root.draw(&DashedPathElement::new(vec![a, b], 7, 5, colour.stroke_width(width)))?;
                }
            }
            for k in 0..self.pacts.len() {
                let (x, y) = pact_xy(k);
                pact_marker(root, x, y, k)?;
            }
            // Pact names outward from the centre, on white, after every marker.
            for (k, &j) in self.pacts.iter().enumerate() {
                let pact = &s.pacts[j];
                let (x, y) = pact_xy(k);
                let a = self.pact_angle[k];
                let style = bold(SMALL_SIZE - 1);
                let tw = text_width(root, &pact.id, &style);
                let th = SMALL_SIZE as i32;
                let (lx, ly) = if inner == 0.0 {
                    (x - tw / 2, y + 12)
                } else {
                    let (c, sn) = (a.cos(), a.sin());
                    let lx = if c > 0.3 {
                        x + 12
                    } else if c < -0.3 {
                        x - 12 - tw
                    } else {
                        x - tw / 2
                    };
                    let ly = if sn > 0.3 {
                        y + 11
                    } else if sn < -0.3 {
                        y - 11 - th
                    } else {
                        y - th / 2
                    };
                    (lx, ly)
                };
                root.draw(&Rectangle::new(
                    [(lx - 2, ly - 1), (lx + tw + 2, ly + th + 1)],
                    WHITE.mix(0.85).filled(),
                ))?;
                root.draw(&Text::new(pact.id.clone(), (lx, ly), anchored(style, HPos::Left, VPos::Top)))?;
            }
            for (i, &si) in self.states.iter().enumerate() {
                let st = &s.states[si];
                let (x, y) = state_xy(i);
                let rad = disc_radius(st.capability, max_cap, 4.0, 20.0);
                root.draw(&Circle::new((x, y), rad, RGBColor(200, 200, 200).filled()))?;
                root.draw(&Circle::new((x, y), rad, INK.stroke_width(1)))?;
                let a = self.angle[i];
                let d = f64::from(rad) + 6.0;
                let (lx, ly) = ((cx + (rx + d) * a.cos()).round() as i32, (cy + (ry + d) * a.sin()).round() as i32);
                let h = if a.cos() > 0.3 {
                    HPos::Left
                } else if a.cos() < -0.3 {
                    HPos::Right
                } else {
                    HPos::Center
                };
                let v = if a.sin() > 0.3 {
                    VPos::Top
                } else if a.sin() < -0.3 {
                    VPos::Bottom
                } else {
                    VPos::Center
                };
                root.draw(&Text::new(st.id.clone(), (lx, ly), anchored(font(SMALL_SIZE), h, v)))?;
            }
        }
        Ok(())
    }
}

/// A pact's marker: a square in its colour; past the eighth pact (when colours repeat) the
/// square is hollow.
fn pact_marker<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, x: i32, y: i32, j: usize) -> Result<(), PlotError> {
    root.draw(&Rectangle::new([(x - 9, y - 9), (x + 9, y + 9)], category(j).filled()))?;
    if dashed_category(j) {
        root.draw(&Rectangle::new([(x - 4, y - 4), (x + 4, y + 4)], WHITE.filled()))?;
    }
    root.draw(&Rectangle::new([(x - 9, y - 9), (x + 9, y + 9)], INK.stroke_width(1)))?;
    Ok(())
}
