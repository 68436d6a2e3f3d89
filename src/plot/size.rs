//! Pact size over rounds: the median number of members with a 5–95% band across replicates.
//! One run: one line per pact. Compare: one panel per pact, one line per variant.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::axes::{self, TimeAxis, YAxis};
use super::style::*;
use super::{Figure, PlotError, select};
use crate::study::{PactInfo, Summary, percent};

const MAX_LEVELS: usize = 3;

struct Series<'a> {
    label: String,
    colour: usize,
    pact: &'a PactInfo,
}

struct Panel<'a> {
    name: String,
    /// The run whose calendar and events the panel's axis shows.
    axis: &'a Summary,
    series: Vec<Series<'a>>,
}

pub struct SizeChart<'a> {
    title: String,
    subtitle: String,
    /// Lines under the subtitle: pacts not drawn, how panels read.
    notes: Vec<String>,
    panels: Vec<Panel<'a>>,
    /// Lines are variants (compare): every variant after the first is dashed, so lines that
    /// coincide stay visible.
    overlay: bool,
    /// Small multiples: one small panel per pact, each with its own scale.
    multiples: bool,
    /// Pacts of constant size, not drawn: (id, size).
    constant: Vec<(String, usize)>,
}

/// Width of the chart of one run.
const WIDTH: u32 = 1200;
/// Small multiples: panel size.
const CELL_W: u32 = 400;
const CELL_H: u32 = 250;

impl<'a> SizeChart<'a> {
    /// The pacts whose size changes ([`select::size_pacts`]): lines in one chart, or one panel
    /// each when there are more than [`select::SIZE_LINES`]; the others named in a note.
    pub fn single(s: &'a Summary) -> Self {
        let sel = select::size_pacts(s);
        let series = |j: usize, colour: usize| Series {
            label: s.pacts[j].id.clone(),
            colour,
            pact: &s.pacts[j],
        };
        let panels: Vec<Panel> = if sel.panels {
            sel.drawn
                .iter()
                .map(|&j| Panel {
                    name: s.pacts[j].id.clone(),
                    axis: s,
                    series: vec![series(j, 0)],
                })
                .collect()
        } else {
            vec![Panel {
                name: String::new(),
                axis: s,
                series: sel.drawn.iter().map(|&j| series(j, j)).collect(),
            }]
        };
        let constant: Vec<(String, usize)> = sel
            .constant
            .iter()
            .map(|&j| (s.pacts[j].id.clone(), s.pacts[j].size_median.first().copied().unwrap_or(0)))
            .collect();
        let width = if sel.panels { Self::multiples_width(panels.len()) } else { WIDTH };
        let mut notes = Vec::new();
        if sel.panels {
            let mut text = format!("One panel per pact whose size changes ({}), each with its own scale", panels.len());
            if !s.events.is_empty() {
                let events: Vec<String> = s.events.iter().map(|e| format!("{} ({})", e.name, e.label)).collect();
                text.push_str(&format!("; dashed lines: {}", events.join(", ")));
            }
            notes.extend(wrap_note(&text, width));
        }
        if !constant.is_empty() {
            let list: Vec<String> = constant.iter().map(|(id, n)| format!("{id}\u{a0}{n}")).collect();
            let text = format!(
                "{} {} of constant size not drawn (members): {}",
                constant.len(),
                if constant.len() == 1 { "pact" } else { "pacts" },
                list.join(", ")
            );
            notes.extend(wrap_note(&text, width));
        }
        if s.pacts.is_empty() {
            notes.extend(wrap_note("The scenario has no pacts: nothing to draw", width));
        }
        if !sel.dropped.is_empty() {
            let list: Vec<&str> = sel.dropped.iter().map(|&j| s.pacts[j].id.as_str()).collect();
            let text = format!("{} more pacts change size less and are not drawn: {}", list.len(), list.join(", "));
            notes.extend(wrap_note(&text, width));
        }
        if let Some(text) = ended_note(s, "") {
            notes.extend(wrap_note(&text, width));
        }
        SizeChart {
            title: format!("Pact size over time — {}", s.scenario),
            subtitle: format!("Members after each round: median line, shaded band 5–95% of {} replicates", s.runs),
            notes,
            panels,
            overlay: false,
            multiples: sel.panels,
            constant,
        }
    }

    fn multiples_width(n: usize) -> u32 {
        CELL_W * Self::multiples_cols(n) as u32
    }

    fn multiples_cols(n: usize) -> usize {
        if n <= 9 { 3 } else { 4 }
    }

    /// One panel per pact (in the first run's order, then any pact only later runs have), one
    /// line per run.
    pub fn overlay(runs: &[(String, &'a Summary)]) -> Self {
        let mut pacts: Vec<&str> = Vec::new();
        for (_, s) in runs {
            for p in &s.pacts {
                if !pacts.contains(&p.id.as_str()) {
                    pacts.push(&p.id);
                }
            }
        }
        let panels: Vec<Panel> = pacts
            .iter()
            .map(|&id| Panel {
                name: id.to_string(),
                axis: runs
                    .iter()
                    .find(|(_, s)| s.pacts.iter().any(|p| p.id == id))
                    .map(|(_, s)| *s)
                    .unwrap_or(runs[0].1),
                series: runs
                    .iter()
                    .enumerate()
                    .filter_map(|(i, (name, s))| {
                        s.pacts.iter().find(|p| p.id == id).map(|p| Series {
                            label: name.clone(),
                            colour: i,
                            pact: p,
                        })
                    })
                    .collect(),
            })
            .collect();
        let names: Vec<&str> = runs.iter().map(|(n, _)| n.as_str()).collect();
        let width = if panels.len() == 1 { WIDTH } else { 640 * 2 };
        let notes: Vec<String> = runs
            .iter()
            .filter_map(|(name, s)| ended_note(s, &format!("{name}: ")))
            .flat_map(|text| wrap_note(&text, width))
            .collect();
        SizeChart {
            title: format!("Pact size: {}", names.join(" vs ")),
            subtitle: format!(
                "Members after each round: median line, shaded band 5–95% of replicates ({}); same seeds in every variant",
                runs.iter().map(|(n, s)| format!("{n}: {}", s.runs)).collect::<Vec<_>>().join(", ")
            ),
            notes,
            panels,
            overlay: true,
            multiples: false,
            constant: Vec::new(),
        }
    }

    /// Whether some pact drawn ended in some replicate (its line then carries a mark).
    fn any_ended(&self) -> bool {
        self.panels.iter().flat_map(|p| &p.series).any(|s| s.pact.p_ended > 0.0)
    }

    pub fn caption(&self) -> String {
        let series: Vec<&Series> = if self.overlay {
            self.panels[0].series.iter().collect()
        } else {
            self.panels.iter().flat_map(|p| &p.series).collect()
        };
        let mut parts: Vec<String> = series
            .iter()
            .take(8)
            .map(|s| {
                let first = s.pact.size_median.first().copied().unwrap_or(0);
                let last = s.pact.size_median.last().copied().unwrap_or(0);
                if first == last {
                    format!("{} stays at {first}", s.label)
                } else {
                    format!("{} goes from {first} to {last}", s.label)
                }
            })
            .collect();
        if series.len() > 8 {
            parts.push(format!("{} more in the chart", series.len() - 8));
        }
        let mut text = format!(
            "Median number of members of each pact after each round, with the 5–95% range of replicates shaded: {}.",
            parts.join("; ")
        );
        let ended: Vec<String> = series
            .iter()
            .filter(|s| s.pact.p_ended > 0.0)
            .take(8)
            .map(|s| format!("{} in {}", s.label, percent(s.pact.p_ended)))
            .collect();
        if !ended.is_empty() {
            text.push_str(&format!(
                " A cross marks the median round in which a pact ended, its membership below min_members (its remaining members released), labelled with the share of replicates in which it did: {}.",
                ended.join(", ")
            ));
        }
        if !self.constant.is_empty() {
            let list: Vec<String> = self.constant.iter().take(12).map(|(id, n)| format!("{id} ({n})")).collect();
            let more = if self.constant.len() > 12 {
                format!(" and {} more", self.constant.len() - 12)
            } else {
                String::new()
            };
            text.push_str(&format!(" Not drawn, their size never changes: {}{more}.", list.join(", ")));
        }
        text
    }

    fn grid(&self) -> (usize, usize) {
        // No pact at all (an empty world): one empty panel's room.
        let n = self.panels.len().max(1);
        if self.multiples {
            let cols = Self::multiples_cols(n);
            (n.div_ceil(cols), cols)
        } else if n == 1 {
            (1, 1)
        } else {
            let cols = 2.min(n);
            (n.div_ceil(cols), cols)
        }
    }
}

impl Figure for SizeChart<'_> {
    fn size(&self) -> (u32, u32) {
        let (rows, cols) = self.grid();
        let notes = NOTE_LINE as u32 * self.notes.len() as u32;
        if self.multiples {
            (Self::multiples_width(self.panels.len()), 130 + notes + CELL_H * rows as u32)
        } else if rows * cols == 1 {
            (WIDTH, 700 + notes)
        } else {
            ((640 * cols) as u32, (130 + 450 * rows) as u32 + notes)
        }
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let body = header_notes(root, &self.title, &self.subtitle, &self.notes)?;
        let entries: Vec<(String, usize)> = if self.multiples {
            Vec::new()
        } else if self.panels.len() == 1 {
            self.panels[0].series.iter().map(|s| (s.label.clone(), s.colour)).collect()
        } else {
            self.panels
                .iter()
                .flat_map(|p| p.series.iter().map(|s| (s.label.clone(), s.colour)))
                .fold(Vec::new(), |mut v, e| {
                    if !v.iter().any(|(l, _)| *l == e.0) {
                        v.push(e);
                    }
                    v
                })
        };
        let mut items: Vec<(String, Swatch<DB>)> = entries
            .into_iter()
            .map(|(label, c)| {
                let colour = category(c);
                let dashed = dashed_category(c) || (self.overlay && c > 0);
                let swatch: Swatch<DB> = Box::new(move |r, x, y| {
                    r.draw(&Rectangle::new([(x, y - 8), (x + 24, y + 8)], colour.mix(0.2).filled()))?;
                    if dashed {
                        r.draw(&DashedPathElement::new(vec![(x, y), (x + 24, y)], 5, 3, colour.stroke_width(3)))?;
                    } else {
                        r.draw(&PathElement::new(vec![(x, y), (x + 24, y)], colour.stroke_width(3)))?;
                    }
                    Ok(())
                });
                (label, swatch)
            })
            .collect();
        items.push((
            "line: median, band: 5–95% of replicates".to_string(),
            Box::new(|r, x, y| {
                r.draw(&Rectangle::new([(x, y - 8), (x + 24, y + 8)], MUTED.mix(0.2).filled()))?;
                r.draw(&PathElement::new(vec![(x, y), (x + 24, y)], MUTED.stroke_width(3)))?;
                Ok(())
            }),
        ));
        if self.any_ended() {
            items.push((
                "median round a pact ended (members below min_members), with the share of replicates in which it did".to_string(),
                Box::new(|r, x, y| {
                    r.draw(&Cross::new((x + 12, y), 7, INK.stroke_width(3)))?;
                    Ok(())
                }),
            ));
        }
        let body = legend(root, &body, items)?;

        let (rows, cols) = self.grid();
        let cells = body.split_evenly((rows, cols));
        // Several panels: event labels on the first only (the rest draw the lines), with the same
        // band reserved in all so the plots line up.
        let mut levels = 0;
        for (i, (panel, area)) in self.panels.iter().zip(cells.iter()).enumerate() {
            let small = self.multiples;
            let area = if self.panels.len() > 1 {
                let (top, room) = if small { (4, 26) } else { (10, 36) };
                area.draw(&Text::new(
                    panel.name.clone(),
                    (area.dim_in_pixel().0 as i32 / 2, top),
                    anchored(bold(if small { LABEL_SIZE } else { DESC_SIZE }), HPos::Center, VPos::Top),
                ))?;
                area.split_vertically(room).1
            } else {
                area.clone()
            };
            let max = panel
                .series
                .iter()
                .flat_map(|s| s.pact.size_p95.iter().chain(&s.pact.size_median))
                .copied()
                .max()
                .unwrap_or(1)
                .max(1) as f64;
            let keys = axes::int_keys(max, if small { 4 } else { 6 });
            let fmt = |v: &f64| format!("{v:.0}");
            let y = YAxis {
                range: 0.0..max * 1.08 + 0.2,
                keys,
                format: &fmt,
                desc: if small { String::new() } else { "Members (states)".into() },
                label_area: if small { 44 } else { 80 },
                label_style: font(LABEL_SIZE),
            };
            let mut t = TimeAxis::of(panel.axis, false);
            t.compact = small;
            let marks = axes::marks(root, &area, &t, &y)?;
            if i == 0 && !small {
                levels = marks.levels().min(MAX_LEVELS);
            }
            let mut chart = axes::time_chart(root, &area, &t, &y, axes::band(levels), true, true)?;
            let (_, yr) = chart.plotting_area().get_pixel_range();
            if i == 0 && !small {
                marks.draw(root, yr, levels, false)?;
            } else {
                marks.lines(root, yr)?;
            }
            for s in &panel.series {
                let colour = category(s.colour);
                let n = s.pact.size_median.len();
                let mut band: Vec<(f64, f64)> = (0..n).map(|r| (r as f64, s.pact.size_p95[r] as f64)).collect();
                band.extend((0..n).rev().map(|r| (r as f64, s.pact.size_p05[r] as f64)));
                chart.draw_series(std::iter::once(Polygon::new(band, colour.mix(0.18).filled())))?;
            }
            for s in &panel.series {
                let colour = category(s.colour);
                let line: Vec<(f64, f64)> = s.pact.size_median.iter().enumerate().map(|(r, &v)| (r as f64, v as f64)).collect();
                if dashed_category(s.colour) || (self.overlay && s.colour > 0) {
                    chart.draw_series(std::iter::once(DashedPathElement::new(line, 8, 5, colour.stroke_width(3))))?;
                } else {
                    chart.draw_series(LineSeries::new(line, colour.stroke_width(3)))?;
                }
            }
            // Where a pact ended: a cross on its median line at the median round of the end,
            // labelled with the share of replicates in which it ended.
            for s in &panel.series {
                let Some(at) = s.pact.end_round_median.filter(|_| s.pact.p_ended > 0.0) else {
                    continue;
                };
                let r = (at.round().max(0.0) as usize).min(s.pact.size_median.len().saturating_sub(1));
                let y = s.pact.size_median.get(r).copied().unwrap_or(0) as f64;
                let colour = category(s.colour);
                let label = if self.multiples || self.panels.len() == 1 && panel.series.len() == 1 {
                    format!("ended: {}", percent(s.pact.p_ended))
                } else {
                    format!("{} ended: {}", s.label, percent(s.pact.p_ended))
                };
                let style = anchored(bold(if small { SMALL_SIZE } else { LABEL_SIZE }), HPos::Left, VPos::Bottom).color(&INK);
                chart.draw_series(std::iter::once(
                    EmptyElement::at((at, y))
                        + Cross::new((0, 0), 7, INK.stroke_width(3))
                        + Cross::new((0, 0), 6, colour.stroke_width(2))
                        + Text::new(label, (6, -8), style),
                ))?;
            }
        }
        Ok(())
    }
}

/// The pacts of a run that ended (their membership fell below `min_members`) or were dissolved,
/// with how often and when, for a note under a chart's title; None when none did.
fn ended_note(s: &Summary, prefix: &str) -> Option<String> {
    let list: Vec<String> = s
        .pacts
        .iter()
        .filter_map(|p| s.end_text(p).map(|t| format!("{} {t}", p.id)))
        .collect();
    (!list.is_empty()).then(|| {
        format!(
            "{prefix}Pacts that ended (once formed, their members fell below min_members; the rest were released) or were dissolved: {}",
            list.join("; ")
        )
    })
}
