//! One replicate's story as a timeline: one lane per pact with its number of members after each
//! round (a step line), markers where states applied, joined or left and where the pact was
//! founded or ended, labelled with the states' ids, and the scenario's events as dashed lines
//! named above the first lane.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::axes::{self, TimeAxis, YAxis};
use super::style::*;
use super::{Chart, FORMATS, Figure, PlotError, SvgChart};
use crate::run::story::{Story, What};

/// Most lanes drawn; beyond, the pacts with the most happening (the others named in a note).
pub const MAX_LANES: usize = 10;
/// Most marker groups labelled in a lane; a busier lane gets markers without labels.
const MAX_LABELS: usize = 40;
const MAX_LEVELS: usize = 3;
const WIDTH: u32 = 1280;
/// Height of a lane: its title and its plot.
const LANE: u32 = 168;
const LANE_TITLE: u32 = 26;
const Y_AREA: u32 = 64;
/// The colour of every lane's line (each lane is named; colours are the markers').
const LINE: RGBColor = OKABE_ITO[0];

/// What a marker shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Found,
    Apply,
    Join,
    Leave,
    End,
    /// Votes in which a member held an application (a rug along the bottom of the lane).
    Hold,
}

impl Kind {
    fn colour(self) -> RGBColor {
        match self {
            Kind::Found | Kind::Join => OKABE_ITO[2],
            Kind::Apply => OKABE_ITO[1],
            Kind::Leave => OKABE_ITO[4],
            Kind::End => OKABE_ITO[3],
            Kind::Hold => MUTED,
        }
    }

    fn legend(self) -> &'static str {
        match self {
            Kind::Found => "founded",
            Kind::Apply => "applies",
            Kind::Join => "joins",
            Kind::Leave => "leaves",
            Kind::End => "pact ends or is dissolved",
            Kind::Hold => "a member holds an application",
        }
    }
}

/// The markers of one kind in one round of one lane, with the states they are about.
#[derive(Debug, Clone)]
struct Group {
    round: u32,
    kind: Kind,
    states: Vec<String>,
    /// A `dissolve` event, not an end (the same marker, labelled "dissolved").
    dissolved: bool,
}

impl Group {
    fn label(&self) -> String {
        match self.kind {
            Kind::Found => "founded".to_string(),
            Kind::End if self.dissolved => "dissolved".to_string(),
            Kind::End => "ends".to_string(),
            Kind::Hold => String::new(),
            _ if self.states.len() > 3 => format!("{} +{}", self.states[..2].join(", "), self.states.len() - 2),
            _ => self.states.join(", "),
        }
    }
}

pub struct StoryChart<'a> {
    story: &'a Story,
    /// Pacts drawn, in scenario order, with their marker groups.
    lanes: Vec<(usize, Vec<Group>)>,
    notes: Vec<String>,
}

impl<'a> StoryChart<'a> {
    /// The chart of `story`; `pick` (a sentence) says why this replicate, if it was picked.
    pub fn new(story: &'a Story, pick: Option<&str>) -> Self {
        let m = story.pacts.len();
        let mut groups: Vec<Vec<Group>> = vec![Vec::new(); m];
        let mut activity = vec![0usize; m];
        for e in &story.entries {
            let Some(p) = e.what.pact().and_then(|id| story.pacts.iter().position(|x| x.id == id)) else {
                continue;
            };
            activity[p] += 1;
            let (kind, states): (Kind, Vec<String>) = match &e.what {
                What::Found { founders, .. } => (Kind::Found, founders.clone()),
                What::Apply { state, .. } => (Kind::Apply, vec![state.clone()]),
                What::Join { state, .. } => (Kind::Join, vec![state.clone()]),
                What::Leave { state, .. } => (Kind::Leave, vec![state.clone()]),
                What::End { released, .. } | What::Dissolve { released, .. } => (Kind::End, released.clone()),
                What::Vote { applicant, .. } => (Kind::Hold, vec![applicant.clone()]),
                What::Event { .. } => continue,
            };
            match groups[p].iter_mut().find(|g| g.round == e.round && g.kind == kind) {
                Some(g) => g.states.extend(states),
                None => groups[p].push(Group {
                    round: e.round,
                    kind,
                    states,
                    dissolved: matches!(e.what, What::Dissolve { .. }),
                }),
            }
        }
        for (p, sizes) in story.sizes.iter().enumerate() {
            if sizes.windows(2).any(|w| w[0] != w[1]) {
                activity[p] += 1;
            }
        }
        let mut shown: Vec<usize> = (0..m).collect();
        let mut notes: Vec<String> = pick.map(|p| wrap_note(p, WIDTH)).unwrap_or_default();
        if m > MAX_LANES {
            // The pacts where most happens (at least one, to have something to show).
            shown.sort_by_key(|&p| (std::cmp::Reverse(activity[p]), p));
            let busy = activity.iter().filter(|&&a| a > 0).count().clamp(1, MAX_LANES);
            let rest: Vec<usize> = shown.split_off(busy);
            shown.sort_unstable();
            let quiet = rest.iter().filter(|&&p| activity[p] == 0).count();
            let named: Vec<String> = rest
                .iter()
                .take(40)
                .map(|&p| format!("{} {}", story.pacts[p].id, story.end_members[p].len()))
                .collect();
            notes.extend(wrap_note(
                &format!(
                    "{} of {m} pacts drawn, those where most happens; not drawn ({quiet} of them with nothing happening; members at the end): {}{}.",
                    shown.len(),
                    named.join(", "),
                    if rest.len() > named.len() { format!(", … {} more", rest.len() - named.len()) } else { String::new() },
                ),
                WIDTH,
            ));
        }
        let lanes = shown
            .into_iter()
            .map(|p| {
                let mut g = std::mem::take(&mut groups[p]);
                g.sort_by_key(|g| (g.round, g.kind));
                (p, g)
            })
            .collect();
        StoryChart { story, lanes, notes }
    }

    pub fn caption(&self) -> String {
        format!(
            "Replicate {} (seed {}): members of each pact after each round, with who applied, joined and left; dashed lines are the scenario's events.",
            self.story.replicate, self.story.seed
        )
    }

    /// The time axis; `short`: events named without their date (a narrow drawing).
    fn axis(&self, short: bool) -> TimeAxis<'_> {
        let s = self.story;
        TimeAxis {
            labels: &s.labels,
            rounds: s.rounds as usize,
            has_dates: s.has_dates,
            unit: &s.round_unit,
            events: s
                .events
                .iter()
                .filter(|e| e.round >= 1 && e.round <= s.rounds)
                .map(|e| {
                    let text = if short {
                        e.name.clone()
                    } else {
                        format!("{} ({})", e.name, e.label)
                    };
                    (e.round, text)
                })
                .collect(),
            cells: true,
            compact: false,
        }
    }

    fn header_height(&self) -> u32 {
        14 + TITLE_SIZE + 8 + SUBTITLE_SIZE + 10 + self.notes.len() as u32 * NOTE_LINE as u32 + 4
    }
}

/// Draws a marker of `kind` centred on pixel (x, y).
fn marker<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, kind: Kind, x: i32, y: i32) -> Result<(), PlotError> {
    let c = kind.colour();
    let r = 7;
    let shape: Vec<(i32, i32)> = match kind {
        Kind::Join => vec![(x, y - r), (x + r, y + r - 1), (x - r, y + r - 1)],
        Kind::Leave => vec![(x, y + r), (x + r, y - r + 1), (x - r, y - r + 1)],
        Kind::Apply => vec![(x, y - r), (x + r, y), (x, y + r), (x - r, y)],
        Kind::Found => vec![
            (x - r + 1, y - r + 1),
            (x + r - 1, y - r + 1),
            (x + r - 1, y + r - 1),
            (x - r + 1, y + r - 1),
        ],
        Kind::Hold => {
            root.draw(&Rectangle::new([(x - 2, y - 6), (x + 2, y + 6)], c.filled()))?;
            return Ok(());
        }
        Kind::End => {
            root.draw(&Cross::new((x, y), r, WHITE.stroke_width(5)))?;
            root.draw(&Cross::new((x, y), r, c.stroke_width(3)))?;
            return Ok(());
        }
    };
    let mut outline = shape.clone();
    outline.push(shape[0]);
    root.draw(&Polygon::new(shape, c.filled()))?;
    root.draw(&PathElement::new(outline, WHITE.stroke_width(1)))?;
    Ok(())
}

/// About `n` integer ticks covering lo..hi.
fn int_ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let span = (hi - lo).max(1.0);
    let step = [1.0, 2.0, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0, 200.0, 500.0]
        .into_iter()
        .find(|&s| span / s <= n as f64)
        .unwrap_or((span / n as f64).ceil());
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

impl Figure for StoryChart<'_> {
    fn size(&self) -> (u32, u32) {
        let lanes = self.lanes.len().max(1) as u32;
        (
            WIDTH,
            self.header_height() + LEGEND_ROW as u32 + 12 + axes::band(MAX_LEVELS) + lanes * LANE + 58 + 8,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let s = self.story;
        let body = header_notes(
            root,
            &format!("{}: replicate {} (seed {})", s.scenario, s.replicate, s.seed),
            "One replicate as it unfolds: members of each pact after each round, who applied, joined and left, and the scenario's events",
            &self.notes,
        )?;
        let mut items: Vec<(String, Swatch<DB>)> = vec![(
            "members (after each round)".to_string(),
            Box::new(|r, x, y| {
                r.draw(&PathElement::new(vec![(x, y), (x + 24, y)], LINE.stroke_width(3)))?;
                Ok(())
            }),
        )];
        if self.lanes.iter().any(|(p, _)| s.active[*p].iter().any(|a| !a)) {
            items.push((
                "pact not active".to_string(),
                Box::new(|r, x, y| {
                    r.draw(&PathElement::new(vec![(x, y), (x + 24, y)], MUTED.mix(0.6).stroke_width(1)))?;
                    Ok(())
                }),
            ));
        }
        let mut kinds: Vec<Kind> = self.lanes.iter().flat_map(|(_, g)| g.iter().map(|g| g.kind)).collect();
        kinds.sort_unstable();
        kinds.dedup();
        for kind in kinds {
            items.push((kind.legend().to_string(), Box::new(move |r, x, y| marker(r, kind, x + 12, y))));
        }
        let body = legend(root, &body, items)?;
        if self.lanes.is_empty() {
            body.draw(&Text::new(
                "This scenario has no pacts: nothing to draw.".to_string(),
                (body.dim_in_pixel().0 as i32 / 2, 60),
                anchored(font(DESC_SIZE), HPos::Center, VPos::Center),
            ))?;
            return Ok(());
        }
        let t = self.axis(body.dim_in_pixel().0 < 800);
        let fmt = |v: &f64| format!("{v:.0}");
        let y_of = |lo: f64, hi: f64, keys: Vec<f64>| YAxis {
            range: lo..hi,
            keys,
            format: &fmt,
            desc: "members".into(),
            label_area: Y_AREA,
            label_style: font(LABEL_SIZE),
        };
        // The event labels stand above the first lane (lines cross every lane); their levels
        // are known once laid out on the lanes' width.
        let marks = axes::marks(root, &body, &t, &y_of(0.0, 1.0, vec![0.0]))?;
        let levels = marks.levels().min(MAX_LEVELS);
        let band = axes::band(levels) as i32;
        let last = self.lanes.len() - 1;
        // Lanes share the height left (a legend wrapped on a narrow drawing takes some).
        let lane = ((body.dim_in_pixel().1 as i32 - band - 58 - 8) / self.lanes.len() as i32).max(80);
        let mut rest = body;
        for (i, (p, groups)) in self.lanes.iter().enumerate() {
            let lane_h = lane + if i == 0 { band } else { 0 } + if i == last { 58 } else { 0 };
            let (area, below) = rest.split_vertically(lane_h);
            rest = below;
            let sizes = &s.sizes[*p];
            let lo = f64::from(*sizes.iter().min().unwrap_or(&0));
            let hi = f64::from(*sizes.iter().max().unwrap_or(&0));
            let lo = if lo <= 3.0 { 0.0 } else { (lo - 2.0).floor() };
            let y_lo = lo - 0.25 * (hi - lo + 1.0).clamp(1.0, 2.0);
            let y_hi = hi + 0.6 + 0.15 * (hi - lo + 1.0);
            let y = y_of(y_lo, y_hi, int_ticks(lo.max(0.0), hi.max(1.0), 4));
            let top = LANE_TITLE + if i == 0 { band as u32 } else { 0 };
            let pact = &s.pacts[*p];
            let (start, end) = (sizes.first().copied().unwrap_or(0), sizes.last().copied().unwrap_or(0));
            let title = if pact.name.is_empty() || pact.name == pact.id {
                format!("{}: {start} → {end} members", pact.id)
            } else {
                format!("{} ({}): {start} → {end} members", pact.id, pact.name)
            };
            let (aw, _) = area.dim_in_pixel();
            area.draw(&Text::new(
                fit(root, &title, &bold(LABEL_SIZE), aw as i32 - Y_AREA as i32 - 40),
                (Y_AREA as i32 + 12, 4),
                anchored(bold(LABEL_SIZE), HPos::Left, VPos::Top),
            ))?;
            let mut chart = axes::time_chart(root, &area, &t, &y, top, i == last, true)?;
            let (xr, yr) = chart.plotting_area().get_pixel_range();
            if i == 0 {
                marks.draw(root, yr.clone(), levels, false)?;
            } else {
                marks.lines(root, yr.clone())?;
            }
            // Solid while the pact is active; a thin line where it is not (not yet founded,
            // ended or dissolved).
            let active = &s.active[*p];
            let mut r = 0;
            while r < sizes.len() {
                let on = active.get(r).copied().unwrap_or(true);
                let mut end = r;
                while end + 1 < sizes.len() && active.get(end + 1).copied().unwrap_or(true) == on {
                    end += 1;
                }
                // A run of rounds joins the next one's first level, so the step stays connected.
                let mut step: Vec<(f64, f64)> = (r..=end)
                    .flat_map(|q| [(q as f64, f64::from(sizes[q])), (q as f64 + 1.0, f64::from(sizes[q]))])
                    .collect();
                if let Some(&next) = sizes.get(end + 1) {
                    step.push(((end + 1) as f64, f64::from(next)));
                }
                let style = if on { LINE.stroke_width(3) } else { MUTED.mix(0.6).stroke_width(1) };
                chart.draw_series(LineSeries::new(step, style))?;
                r = end + 1;
            }
            // Markers: at the size after the round; an application just below the line (it
            // does not change the size), a leave above a join of the same round.
            let mut points = Vec::new();
            for g in groups {
                let n = sizes.get(g.round as usize).copied().unwrap_or(0);
                let before = g.round.checked_sub(1).and_then(|r| sizes.get(r as usize)).copied().unwrap_or(n);
                let at = match g.kind {
                    Kind::End => before,
                    _ => n,
                };
                let (x, mut py) = chart.backend_coord(&(f64::from(g.round) + 0.5, f64::from(at)));
                match g.kind {
                    Kind::Apply => py += 15,
                    Kind::Leave if groups.iter().any(|o| o.round == g.round && o.kind == Kind::Join) => py -= 15,
                    _ => {}
                }
                let py = if g.kind == Kind::Hold {
                    yr.end - 9
                } else {
                    py.clamp(yr.start + 4, yr.end - 4)
                };
                points.push((x, py));
                marker(root, g.kind, x, py)?;
            }
            // Labels (the states' ids) beside their markers, never on another marker, the line
            // or another label; a label with no room is left out (story.txt has every name).
            let labelled: Vec<usize> = (0..groups.len()).filter(|&k| groups[k].kind != Kind::Hold).collect();
            if labelled.len() <= MAX_LABELS {
                let style = font(SMALL_SIZE);
                let texts: Vec<String> = labelled.iter().map(|&k| groups[k].label()).collect();
                let at: Vec<(i32, i32)> = labelled.iter().map(|&k| points[k]).collect();
                let sizes_px: Vec<(i32, i32)> = texts
                    .iter()
                    .map(|t| (text_width(root, t, &style) + 4, SMALL_SIZE as i32 + 2))
                    .collect();
                let bounds = (xr.start, yr.start, xr.end, yr.end);
                let mut taken: Vec<(i32, i32, i32, i32)> = Vec::new();
                for (r, &n) in sizes.iter().enumerate() {
                    let (x0, y0) = chart.backend_coord(&(r as f64, f64::from(n)));
                    let (x1, _) = chart.backend_coord(&(r as f64 + 1.0, f64::from(n)));
                    taken.push((x0, y0 - 2, x1, y0 + 3));
                    if let Some(&next) = sizes.get(r + 1) {
                        let (_, y1) = chart.backend_coord(&(r as f64 + 1.0, f64::from(next)));
                        taken.push((x1 - 2, y0.min(y1), x1 + 2, y0.max(y1)));
                    }
                }
                taken.extend(points.iter().map(|&(x, y)| (x - 8, y - 8, x + 9, y + 9)));
                let placed = place_labels(&at, &sizes_px, &vec![false; at.len()], 8, bounds, &taken);
                let overlaps = |a: &(i32, i32, i32, i32), b: &(i32, i32, i32, i32)| a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3;
                for ((text, pl), &pt) in texts.iter().zip(&placed).zip(&at) {
                    let rc = pl.rect;
                    let inside = rc.0 >= bounds.0 && rc.2 <= bounds.2 && rc.1 >= bounds.1 && rc.3 <= bounds.3;
                    if !inside || taken.iter().any(|k| overlaps(k, &rc)) {
                        continue;
                    }
                    taken.push(rc);
                    if pl.leader {
                        let end = leader_end(pt, rc);
                        root.draw(&PathElement::new(vec![pt, end], MUTED.stroke_width(1)))?;
                    }
                    root.draw(&Rectangle::new([(rc.0, rc.1), (rc.2, rc.3)], WHITE.mix(0.85).filled()))?;
                    root.draw(&Text::new(
                        text.clone(),
                        (rc.0 + 2, rc.1 + 1),
                        anchored(style.clone(), HPos::Left, VPos::Top),
                    ))?;
                }
            }
        }
        Ok(())
    }
}

/// Draws the story's chart into `dir` as `story.png` and `story.svg`.
pub fn draw_story(dir: &Path, story: &Story, pick: Option<&str>) -> Result<Chart, PlotError> {
    super::create_dir(dir)?;
    let fig = StoryChart::new(story, pick);
    let files = super::render(&fig, dir, "story", &FORMATS)?;
    Ok(Chart {
        stem: "story".into(),
        title: format!("Replicate {}", story.replicate),
        caption: fig.caption(),
        size: fig.size(),
        files,
    })
}

/// The story's chart as SVG text (the live page), `width` pixels wide if given.
pub fn story_svg(story: &Story, pick: Option<&str>, width: Option<u32>) -> Result<SvgChart, PlotError> {
    let fig = StoryChart::new(story, pick);
    let svg = super::svg(&super::AtWidth { fig: &fig, width })?;
    Ok(SvgChart {
        stem: "story".into(),
        title: format!("Replicate {}", story.replicate),
        caption: fig.caption(),
        svg,
    })
}
