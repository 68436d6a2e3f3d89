//! Pacts that formed themselves (docs/MODEL.md §5b), by stable id: the most frequent with their
//! founders and template (horizontal bars of `p_formed`), and the network of co-founders (states
//! as nodes, an edge between two states weighted by how often they found a pact together). Drawn
//! for a run in which a template formed something.

use std::collections::BTreeMap;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::kinds::colour;
use super::style::*;
use super::{Figure, PlotError};
use crate::study::{FormedInfo, Summary, percent};

/// At most this many formed pacts get a bar.
pub const TOP_PACTS: usize = 20;
/// At most this many states in the network (those that found most).
pub const TOP_STATES: usize = 30;

const WIDTH: u32 = 1200;
const ROW: i32 = 34;

/// The formed pacts of a summary, most frequent first (ties by id).
fn by_frequency(s: &Summary) -> Vec<(&String, &FormedInfo)> {
    let mut all: Vec<(&String, &FormedInfo)> = s.formed.iter().filter(|(_, f)| f.p_formed > 0.0).collect();
    all.sort_by(|a, b| b.1.p_formed.total_cmp(&a.1.p_formed).then_with(|| a.0.cmp(b.0)));
    all
}

/// The kinds of the formed pacts, in the summary's order of kinds, for a legend.
fn kinds_present<'a>(s: &'a Summary, pacts: &[(&String, &FormedInfo)]) -> Vec<&'a str> {
    s.kinds
        .iter()
        .map(|k| k.kind.as_str())
        .filter(|k| pacts.iter().any(|(_, f)| f.kind == *k))
        .collect()
}

fn kind_legend<'a, DB: DrawingBackend>(kinds: &[&str], extra: Option<(String, Swatch<'a, DB>)>) -> Vec<(String, Swatch<'a, DB>)> {
    let mut items: Vec<(String, Swatch<'a, DB>)> = kinds
        .iter()
        .map(|k| {
            let c = colour(k);
            let swatch: Swatch<DB> = Box::new(move |r, x, y| {
                r.draw(&Rectangle::new([(x, y - 8), (x + 24, y + 8)], c.filled()))?;
                Ok(())
            });
            (format!("{k} pacts"), swatch)
        })
        .collect();
    items.extend(extra);
    items
}

/// The most frequent formed pacts, one bar each: P(formed), labelled with the founders, the
/// template, the median formation round and how often it ended.
pub struct FormedBars<'a> {
    summary: &'a Summary,
    top: Vec<(&'a String, &'a FormedInfo)>,
    notes: Vec<String>,
}

impl<'a> FormedBars<'a> {
    /// None when nothing formed.
    pub fn new(s: &'a Summary) -> Option<Self> {
        let all = by_frequency(s);
        if all.is_empty() {
            return None;
        }
        let rest = all.len().saturating_sub(TOP_PACTS);
        let top: Vec<_> = all.into_iter().take(TOP_PACTS).collect();
        let mut notes = Vec::new();
        if rest > 0 {
            notes.extend(wrap_note(
                &format!("{rest} less frequent formed pacts not shown (all are in summary.json, `formed`)"),
                WIDTH,
            ));
        }
        Some(FormedBars { summary: s, top, notes })
    }

    pub fn caption(&self) -> String {
        let (id, f) = self.top[0];
        format!(
            "The {} pacts the scenario's templates formed most often, by the share of {} replicates in which each formed; the most frequent is {id} (template {}, founded by {}) in {}.",
            self.top.len(),
            self.summary.runs,
            f.template,
            f.founders.join(", "),
            percent(f.p_formed)
        )
    }

    /// The text right of a bar.
    fn detail(&self, f: &FormedInfo) -> String {
        let mut t = format!("{:.2}  {} · founders {}", f.p_formed, f.template, f.founders.join(", "));
        if let Some(m) = f.formed_round_median {
            t.push_str(&format!(" · forms ~{}", round_text(&self.summary.round_labels, m.round() as usize)));
        }
        if f.p_ended > 0.0 {
            t.push_str(&format!(" · ends in {}", percent(f.p_ended)));
        }
        t
    }
}

impl Figure for FormedBars<'_> {
    fn size(&self) -> (u32, u32) {
        let h = 150 + NOTE_LINE * self.notes.len() as i32 + ROW * self.top.len() as i32 + 70;
        (WIDTH, h as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let body = header_notes(
            root,
            &format!("Pacts that formed most often — {}", self.summary.scenario),
            &format!(
                "Share of {} replicates in which each pact formed (a pact is its template and founders); bar colour: kind",
                self.summary.runs
            ),
            &self.notes,
        )?;
        let kinds = kinds_present(self.summary, &self.top);
        let area = legend(root, &body, kind_legend::<DB>(&kinds, None))?;
        let labels: Vec<&str> = self.top.iter().map(|(id, _)| id.as_str()).collect();
        let ylab = labels.iter().map(|l| text_width(root, l, &font(LABEL_SIZE))).max().unwrap_or(60) as u32 + 24;
        let n = self.top.len();
        let mut chart = ChartBuilder::on(&area)
            .margin_top(10)
            .margin_left(12)
            .margin_right(30)
            .x_label_area_size(56)
            .y_label_area_size(ylab.min(WIDTH / 2))
            .build_cartesian_2d(0f64..1.0, 0f64..n as f64)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(6)
            .x_label_formatter(&|x| format!("{x:.1}"))
            .x_desc("P(formed): share of replicates in which the pact formed at least once")
            .label_style(font(LABEL_SIZE))
            .axis_desc_style(font(DESC_SIZE))
            .axis_style(MUTED.stroke_width(1))
            .bold_line_style(GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .draw()?;
        let (x_right, _) = chart.backend_coord(&(1.0, 0.0));
        for (i, (id, f)) in self.top.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            let (px, py) = chart.backend_coord(&(0.0, y + 0.5));
            let label = fit(root, id, &font(LABEL_SIZE), ylab as i32 - 20);
            root.draw(&Text::new(
                label,
                (px - 10, py),
                anchored(font(LABEL_SIZE), HPos::Right, VPos::Center),
            ))?;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, y + 0.16), (f.p_formed, y + 0.84)],
                colour(&f.kind).filled(),
            )))?;
            // The detail right of the bar, or inside it (white) when it would not fit outside.
            let text = self.detail(f);
            let (bx, _) = chart.backend_coord(&(f.p_formed, y));
            let outside = x_right - bx - 12;
            let w = text_width(root, &text, &font(SMALL_SIZE));
            if w <= outside || outside >= bx - px - 12 {
                let t = fit(root, &text, &font(SMALL_SIZE), outside.max(40));
                root.draw(&Text::new(t, (bx + 6, py), anchored(font(SMALL_SIZE), HPos::Left, VPos::Center)))?;
            } else {
                let t = fit(root, &text, &font(SMALL_SIZE), bx - px - 12);
                root.draw(&Text::new(
                    t,
                    (px + 6, py),
                    anchored(font(SMALL_SIZE).color(&WHITE), HPos::Left, VPos::Center),
                ))?;
            }
        }
        Ok(())
    }
}

/// Co-founding: for each pair of states, Σ P(formed) over the formed pacts both founded (the
/// expected number of distinct such pacts per replicate, counting each pact once), and per state
/// the same sum over the pacts it founded. States: the [`TOP_STATES`] that found most.
pub struct CoFounding {
    /// (state id, Σ P(formed) of the pacts it founded), most first.
    pub states: Vec<(String, f64)>,
    /// (i, j, weight, kind carrying most of the weight), i < j indexing `states`.
    pub edges: Vec<(usize, usize, f64, String)>,
    /// States that founded something but are left out.
    pub left_out: usize,
}

impl CoFounding {
    pub fn of(s: &Summary) -> Self {
        let mut founded: BTreeMap<&str, f64> = BTreeMap::new();
        for f in s.formed.values() {
            for st in &f.founders {
                *founded.entry(st.as_str()).or_default() += f.p_formed;
            }
        }
        let mut states: Vec<(String, f64)> = founded
            .into_iter()
            .filter(|(_, w)| *w > 0.0)
            .map(|(k, w)| (k.to_string(), w))
            .collect();
        states.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let left_out = states.len().saturating_sub(TOP_STATES);
        states.truncate(TOP_STATES);
        let index: BTreeMap<&str, usize> = states.iter().enumerate().map(|(i, (id, _))| (id.as_str(), i)).collect();
        // (i, j) → weight per kind.
        let mut pairs: BTreeMap<(usize, usize), BTreeMap<&str, f64>> = BTreeMap::new();
        for f in s.formed.values() {
            let ix: Vec<usize> = f.founders.iter().filter_map(|st| index.get(st.as_str()).copied()).collect();
            for (a, &i) in ix.iter().enumerate() {
                for &j in &ix[a + 1..] {
                    let key = (i.min(j), i.max(j));
                    *pairs.entry(key).or_default().entry(f.kind.as_str()).or_default() += f.p_formed;
                }
            }
        }
        let edges = pairs
            .into_iter()
            .filter_map(|((i, j), by_kind)| {
                let w: f64 = by_kind.values().sum();
                let kind = by_kind
                    .iter()
                    .max_by(|a, b| a.1.total_cmp(b.1).then_with(|| b.0.cmp(a.0)))?
                    .0
                    .to_string();
                (w > 0.0).then_some((i, j, w, kind))
            })
            .collect();
        CoFounding { states, edges, left_out }
    }
}

/// The network of formed pacts: the states that founded them on a circle (disc area: Σ P(formed)
/// of the pacts each founded), an edge between two co-founders, its width the co-founding weight
/// and its colour the kind that carries most of it.
pub struct FormedNetwork<'a> {
    summary: &'a Summary,
    net: CoFounding,
    notes: Vec<String>,
}

impl<'a> FormedNetwork<'a> {
    /// None when nothing formed.
    pub fn new(s: &'a Summary) -> Option<Self> {
        let net = CoFounding::of(s);
        if net.states.is_empty() {
            return None;
        }
        let mut notes = Vec::new();
        if net.left_out > 0 {
            notes.extend(wrap_note(
                &format!(
                    "{} states that found less are not shown (the {TOP_STATES} that found most are)",
                    net.left_out
                ),
                WIDTH,
            ));
        }
        Some(FormedNetwork { summary: s, net, notes })
    }

    pub fn caption(&self) -> String {
        let strongest = self
            .net
            .edges
            .iter()
            .max_by(|a, b| a.2.total_cmp(&b.2).then_with(|| (b.0, b.1).cmp(&(a.0, a.1))));
        let edge = match strongest {
            Some((i, j, w, _)) => format!(
                "; the pair that founds most together is {}–{} ({w:.2} pacts per replicate)",
                self.net.states[*i].0, self.net.states[*j].0
            ),
            None => String::new(),
        };
        format!(
            "States that founded the pacts the templates formed ({} states), linked where two found a pact together; line width: the expected number of formed pacts both founded per replicate (Σ P(formed)){edge}.",
            self.net.states.len()
        )
    }
}

impl Figure for FormedNetwork<'_> {
    fn size(&self) -> (u32, u32) {
        (WIDTH, 900 + NOTE_LINE as u32 * self.notes.len() as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let body = header_notes(
            root,
            &format!("Who founds together — {}", self.summary.scenario),
            &format!(
                "States that founded formed pacts; line width: formed pacts both founded, per replicate (Σ P(formed), {} replicates); disc: all it founded",
                self.summary.runs
            ),
            &self.notes,
        )?;
        let kinds: Vec<&str> = self
            .summary
            .kinds
            .iter()
            .map(|k| k.kind.as_str())
            .filter(|k| self.net.edges.iter().any(|e| e.3 == *k))
            .collect();
        let area = legend(root, &body, kind_legend::<DB>(&kinds, None))?;
        let (w, h) = area.dim_in_pixel();
        let (cx, cy) = (w as f64 / 2.0, h as f64 / 2.0);
        let n = self.net.states.len();
        let max_r = 44.0;
        let r = (cx.min(cy) - max_r - 40.0).max(60.0);
        let pos: Vec<(i32, i32)> = (0..n)
            .map(|i| {
                let a = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * i as f64 / n as f64;
                if n == 1 {
                    (cx as i32, cy as i32)
                } else {
                    ((cx + r * a.cos()) as i32, (cy + r * a.sin()) as i32)
                }
            })
            .collect();
        let max_w = self.net.edges.iter().map(|e| e.2).fold(0.0f64, f64::max);
        // Lightest edges first so the heavy ones are on top.
        let mut edges: Vec<&(usize, usize, f64, String)> = self.net.edges.iter().collect();
        edges.sort_by(|a, b| a.2.total_cmp(&b.2).then_with(|| (a.0, a.1).cmp(&(b.0, b.1))));
        for (i, j, wt, kind) in &edges {
            let width = (1.0 + 13.0 * wt / max_w).round() as u32;
            let c = colour(kind).mix(0.35 + 0.5 * wt / max_w);
            area.draw(&PathElement::new(vec![pos[*i], pos[*j]], c.stroke_width(width)))?;
        }
        // The heaviest edges (at most 8) get their weight at the middle.
        for (i, j, wt, _) in edges.iter().rev().take(8) {
            let (a, b) = (pos[*i], pos[*j]);
            let mid = ((a.0 + b.0) / 2, (a.1 + b.1) / 2);
            let t = format!("{wt:.2}");
            let tw = text_width(root, &t, &font(SMALL_SIZE));
            area.draw(&Rectangle::new(
                [(mid.0 - tw / 2 - 3, mid.1 - 9), (mid.0 + tw / 2 + 3, mid.1 + 9)],
                WHITE.mix(0.85).filled(),
            ))?;
            area.draw(&Text::new(t, mid, anchored(font(SMALL_SIZE), HPos::Center, VPos::Center)))?;
        }
        let max_s = self.net.states.iter().map(|s| s.1).fold(0.0f64, f64::max);
        for (k, (id, founded)) in self.net.states.iter().enumerate() {
            let rad = disc_radius(*founded, max_s, 10.0, max_r);
            let p = pos[k];
            area.draw(&Circle::new(p, rad, RGBColor(240, 240, 240).filled()))?;
            area.draw(&Circle::new(p, rad, INK.stroke_width(2)))?;
            // The label outside the circle of states, away from the centre.
            let (dx, dy) = (p.0 as f64 - cx, p.1 as f64 - cy);
            let len = (dx * dx + dy * dy).sqrt().max(1.0);
            let off = f64::from(rad) + 10.0;
            let lp = ((p.0 as f64 + dx / len * off) as i32, (p.1 as f64 + dy / len * off) as i32);
            let hpos = if dx > len * 0.3 {
                HPos::Left
            } else if dx < -len * 0.3 {
                HPos::Right
            } else {
                HPos::Center
            };
            let vpos = if dy > len * 0.3 {
                VPos::Top
            } else if dy < -len * 0.3 {
                VPos::Bottom
            } else {
                VPos::Center
            };
            let label = if n == 1 {
                format!("{id} ({founded:.2})")
            } else {
                format!("{id} {founded:.2}")
            };
            area.draw(&Text::new(label, lp, anchored(bold(LABEL_SIZE), hpos, vpos)))?;
        }
        Ok(())
    }
}
