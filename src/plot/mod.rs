//! Charts of a run (plotters with an embedded font; no system libraries).
//!
//! The plot layer reads aggregates only — [`Summary`], [`Tally`], a [`Trace`] or a
//! [`Comparison`] — never the model. Every chart is a [`Figure`]: it draws itself on any plotters
//! backend, and [`render`] writes it as PNG and SVG. [`draw_run`] draws the chart set of a run.

mod axes;
mod backtest;
mod compare;
mod estimate;
mod explain;
mod fit;
mod formed;
mod joins;
mod kinds;
mod membership;
mod network;
pub mod select;
mod sensitivity;
mod size;
mod story;
pub mod style;
mod sweep;
mod text;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use rayon::prelude::*;

use crate::run::Tally;
use crate::study::Summary;

pub use backtest::draw_backtest;
pub use compare::{compare_svg, draw_compare};
pub use estimate::draw_estimate;
pub use explain::{draw_explain, explain_svg};
pub use fit::draw_fit;
pub use sensitivity::{draw_morris, draw_sobol};
pub use story::{draw_story, story_svg};
pub use sweep::draw_sweep;

#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    #[error("cannot create {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot draw {chart}: {message}")]
    Draw { chart: String, message: String },
    /// A drawing error before we know which chart it belongs to ([`render`] names it).
    #[error("{0}")]
    Backend(String),
    #[error("the embedded font (DejaVu Sans) could not be loaded")]
    Font,
}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for PlotError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        PlotError::Backend(e.to_string())
    }
}

/// Image formats a chart is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Png,
    Svg,
}

impl Format {
    pub fn ext(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Svg => "svg",
        }
    }
}

/// Both formats: PNG to look at, SVG to scale and edit.
pub const FORMATS: [Format; 2] = [Format::Png, Format::Svg];

/// A chart that was written: what it shows and its files (names relative to the chart directory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    /// File stem, e.g. `membership_NATO`.
    pub stem: String,
    pub title: String,
    /// One sentence for a report.
    pub caption: String,
    /// One file name per format, PNG first.
    pub files: Vec<String>,
    pub size: (u32, u32),
}

impl Chart {
    pub fn png(&self) -> Option<&str> {
        self.files.iter().find(|f| f.ends_with(".png")).map(String::as_str)
    }
    pub fn svg(&self) -> Option<&str> {
        self.files.iter().find(|f| f.ends_with(".svg")).map(String::as_str)
    }
}

/// Something that can draw itself on any plotters backend.
pub trait Figure: Sync {
    /// Pixel size.
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError>;
}

static FONTS: OnceLock<bool> = OnceLock::new();

/// Registers the embedded DejaVu Sans (regular and bold) as plotters' "sans-serif", once.
pub fn fonts() -> Result<(), PlotError> {
    let ok = *FONTS.get_or_init(|| {
        plotters::style::register_font(style::FONT, FontStyle::Normal, dejavu::sans::regular()).is_ok()
            && plotters::style::register_font(style::FONT, FontStyle::Bold, dejavu::sans::bold()).is_ok()
    });
    if ok { Ok(()) } else { Err(PlotError::Font) }
}

/// Writes `fig` as `dir/stem.png` and `dir/stem.svg` (as `formats` asks); returns the file names.
pub fn render<F: Figure>(fig: &F, dir: &Path, stem: &str, formats: &[Format]) -> Result<Vec<String>, PlotError> {
    fonts()?;
    let name = |e: PlotError| match e {
        PlotError::Backend(message) => PlotError::Draw {
            chart: stem.to_string(),
            message,
        },
        other => other,
    };
    let size = fig.size();
    let mut files = Vec::new();
    for &format in formats {
        let file = format!("{stem}.{}", format.ext());
        let path = dir.join(&file);
        match format {
            Format::Png => {
                let root = text::Crisp(BitMapBackend::new(&path, size)).into_drawing_area();
                root.fill(&WHITE).map_err(PlotError::from).map_err(name)?;
                fig.draw(&root).map_err(name)?;
                root.present().map_err(PlotError::from).map_err(name)?;
            }
            Format::Svg => {
                let root = SVGBackend::new(&path, size).into_drawing_area();
                root.fill(&WHITE).map_err(PlotError::from).map_err(name)?;
                fig.draw(&root).map_err(name)?;
                root.present().map_err(PlotError::from).map_err(name)?;
            }
        }
        files.push(file);
    }
    Ok(files)
}

pub(crate) fn create_dir(dir: &Path) -> Result<(), PlotError> {
    std::fs::create_dir_all(dir).map_err(|source| PlotError::Io {
        path: dir.to_path_buf(),
        source,
    })
}

/// A figure with what a report says about it.
pub(crate) struct Job<'a> {
    pub stem: String,
    pub title: String,
    pub caption: String,
    pub figure: AnyFigure<'a>,
}

/// The figures of this crate, so a list of them can be drawn in parallel.
pub(crate) enum AnyFigure<'a> {
    Membership(membership::MembershipMap<'a>),
    Size(size::SizeChart<'a>),
    Joins(joins::JoinTimes<'a>),
    Kinds(kinds::KindsChart<'a>),
    FormedBars(formed::FormedBars<'a>),
    FormedNetwork(formed::FormedNetwork<'a>),
    Network(network::Network<'a>),
    Difference(compare::DifferenceChart<'a>),
    Explain(explain::ExplainChart<'a>),
    Response(sweep::ResponseChart<'a>),
    Heat(sweep::HeatMaps<'a>),
    Multiples(sweep::SmallMultiples<'a>),
    Morris(sensitivity::MorrisChart<'a>),
    Sobol(sensitivity::SobolChart<'a>),
    FitTargets(fit::TargetsChart<'a>),
    Pairs(fit::PairPlot<'a>),
}

impl Figure for AnyFigure<'_> {
    fn size(&self) -> (u32, u32) {
        match self {
            AnyFigure::Membership(f) => f.size(),
            AnyFigure::Size(f) => f.size(),
            AnyFigure::Joins(f) => f.size(),
            AnyFigure::Kinds(f) => f.size(),
            AnyFigure::FormedBars(f) => f.size(),
            AnyFigure::FormedNetwork(f) => f.size(),
            AnyFigure::Network(f) => f.size(),
            AnyFigure::Difference(f) => f.size(),
            AnyFigure::Explain(f) => f.size(),
            AnyFigure::Response(f) => f.size(),
            AnyFigure::Heat(f) => f.size(),
            AnyFigure::Multiples(f) => f.size(),
            AnyFigure::Morris(f) => f.size(),
            AnyFigure::Sobol(f) => f.size(),
            AnyFigure::FitTargets(f) => f.size(),
            AnyFigure::Pairs(f) => f.size(),
        }
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        match self {
            AnyFigure::Membership(f) => f.draw(root),
            AnyFigure::Size(f) => f.draw(root),
            AnyFigure::Joins(f) => f.draw(root),
            AnyFigure::Kinds(f) => f.draw(root),
            AnyFigure::FormedBars(f) => f.draw(root),
            AnyFigure::FormedNetwork(f) => f.draw(root),
            AnyFigure::Network(f) => f.draw(root),
            AnyFigure::Difference(f) => f.draw(root),
            AnyFigure::Explain(f) => f.draw(root),
            AnyFigure::Response(f) => f.draw(root),
            AnyFigure::Heat(f) => f.draw(root),
            AnyFigure::Multiples(f) => f.draw(root),
            AnyFigure::Morris(f) => f.draw(root),
            AnyFigure::Sobol(f) => f.draw(root),
            AnyFigure::FitTargets(f) => f.draw(root),
            AnyFigure::Pairs(f) => f.draw(root),
        }
    }
}

/// Draws the jobs (in parallel; the output does not depend on the order) into `dir`.
pub(crate) fn draw_jobs(dir: &Path, jobs: Vec<Job<'_>>) -> Result<Vec<Chart>, PlotError> {
    create_dir(dir)?;
    fonts()?;
    jobs.into_par_iter()
        .map(|job| {
            let files = render(&job.figure, dir, &job.stem, &FORMATS)?;
            Ok(Chart {
                size: job.figure.size(),
                stem: job.stem,
                title: job.title,
                caption: job.caption,
                files,
            })
        })
        .collect()
}

/// A chart drawn as SVG text, not written to a file (the live page of `pactsim serve`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SvgChart {
    pub stem: String,
    pub title: String,
    pub caption: String,
    pub svg: String,
}

/// `fig` as SVG text: the same drawing [`render`] writes to `.svg`.
pub fn svg<F: Figure>(fig: &F) -> Result<String, PlotError> {
    fonts()?;
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, fig.size()).into_drawing_area();
        root.fill(&WHITE)?;
        fig.draw(&root)?;
        root.present()?;
    }
    Ok(text)
}

/// Narrowest width a chart of the live page is drawn at, in pixels.
pub const MIN_PAGE_WIDTH: u32 = 320;

/// `fig` drawn `width` pixels wide (clamped to [`MIN_PAGE_WIDTH`] and the figure's own width),
/// its height unchanged: a chart shown narrow (a phone) keeps its text at full size instead of
/// being a wide drawing scaled down. `None`: the figure's own size.
struct AtWidth<'a, F> {
    fig: &'a F,
    width: Option<u32>,
}

impl<F: Figure> Figure for AtWidth<'_, F> {
    fn size(&self) -> (u32, u32) {
        let (w, h) = self.fig.size();
        (self.width.map_or(w, |x| x.clamp(MIN_PAGE_WIDTH.min(w), w)), h)
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        self.fig.draw(root)
    }
}

/// Draws the jobs as SVG text, in parallel, in order, `width` pixels wide if given (see
/// [`AtWidth`]).
pub(crate) fn svg_jobs(jobs: Vec<Job<'_>>, width: Option<u32>) -> Result<Vec<SvgChart>, PlotError> {
    fonts()?;
    jobs.into_par_iter()
        .map(|job| {
            let text = svg(&AtWidth { fig: &job.figure, width }).map_err(|e| match e {
                PlotError::Backend(message) => PlotError::Draw {
                    chart: job.stem.clone(),
                    message,
                },
                other => other,
            })?;
            Ok(SvgChart {
                stem: job.stem,
                title: job.title,
                caption: job.caption,
                svg: text,
            })
        })
        .collect()
}

/// Gives each id a distinct file-safe name (ids differing only in unsafe characters get `_2`, …).
pub(crate) fn unique_names<'a>(ids: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    ids.map(|id| {
        let base = style::file_safe(id);
        let mut name = base.clone();
        let mut k = 2;
        while !seen.insert(name.to_lowercase()) {
            name = format!("{base}_{k}");
            k += 1;
        }
        name
    })
    .collect()
}

/// The rounds the network chart shows: the start, the round of each event (the world just after
/// it: the event applies before that round is played), and the end; at most `max` of them, the
/// start and end always kept and the events thinned evenly.
pub fn network_rounds(summary: &Summary, max: usize) -> Vec<usize> {
    pick_rounds(summary.rounds as usize, summary.events.iter().map(|e| e.round as usize), max)
}

fn pick_rounds(last: usize, events: impl Iterator<Item = usize>, max: usize) -> Vec<usize> {
    let mut inner: Vec<usize> = events.filter(|&r| r > 0 && r < last).collect();
    inner.sort_unstable();
    inner.dedup();
    let keep = max.saturating_sub(2);
    if inner.len() > keep {
        // The middle of each of `keep` equal slices of the event list.
        inner = (0..keep).map(|i| inner[((2 * i + 1) * inner.len()) / (2 * keep)]).collect();
    }
    let mut rounds = vec![0];
    rounds.extend(inner);
    rounds.push(last);
    rounds.dedup();
    rounds
}

/// The file stem of each pact's membership map, in the summary's pact order.
pub fn membership_stems(summary: &Summary) -> Vec<String> {
    unique_names(summary.pacts.iter().map(|p| p.id.as_str()))
        .into_iter()
        .map(|n| format!("membership_{n}"))
        .collect()
}

/// Draws every chart of a run into `dir` (the run's `charts/`): a membership map per pact (per
/// pact whose membership moves, when there are many: [`select::map_pacts`]), pact sizes, the
/// pacts templates formed by kind (a scenario with `[[template]]`s), join times, the alliance
/// network, and when a template formed anything, the most frequent formed pacts and their
/// co-founders' network.
pub fn draw_run(dir: &Path, summary: &Summary, tally: &Tally) -> Result<Vec<Chart>, PlotError> {
    let mut jobs = membership_and_size_jobs(summary);
    let joins = joins::JoinTimes::new(summary, tally);
    jobs.push(Job {
        stem: "join_times".into(),
        title: "When states join".into(),
        caption: joins.caption(),
        figure: AnyFigure::Joins(joins),
    });
    let net = network::Network::new(summary, network_rounds(summary, 6));
    jobs.push(Job {
        stem: "network".into(),
        title: "Alliance network".into(),
        caption: net.caption(),
        figure: AnyFigure::Network(net),
    });
    jobs.extend(formed_jobs(summary));
    draw_jobs(dir, jobs)
}

/// The charts of the pacts templates formed (when any formed): the most frequent with their
/// founders (`formed_pacts`) and the network of co-founders (`formed_network`).
fn formed_jobs(summary: &Summary) -> Vec<Job<'_>> {
    let mut jobs = Vec::new();
    if let Some(bars) = formed::FormedBars::new(summary) {
        jobs.push(Job {
            stem: "formed_pacts".into(),
            title: "Pacts that formed most often".into(),
            caption: bars.caption(),
            figure: AnyFigure::FormedBars(bars),
        });
    }
    if let Some(net) = formed::FormedNetwork::new(summary) {
        jobs.push(Job {
            stem: "formed_network".into(),
            title: "Who founds together".into(),
            caption: net.caption(),
            figure: AnyFigure::FormedNetwork(net),
        });
    }
    jobs
}

/// The membership maps and the pact-size chart of a run as SVG text: the same figures
/// [`draw_run`] writes (the live page of `pactsim serve`).
pub fn run_svg(summary: &Summary, width: Option<u32>) -> Result<Vec<SvgChart>, PlotError> {
    svg_jobs(membership_and_size_jobs(summary), width)
}

fn membership_and_size_jobs(summary: &Summary) -> Vec<Job<'_>> {
    let mut jobs = Vec::new();
    let stems = membership_stems(summary);
    let (mapped, _) = select::map_pacts(summary);
    for j in mapped {
        let (pact, stem) = (&summary.pacts[j], &stems[j]);
        let map = membership::MembershipMap::single(summary, &pact.id);
        jobs.push(Job {
            stem: stem.clone(),
            title: format!("{} membership over time", pact.id),
            caption: map.caption(),
            figure: AnyFigure::Membership(map),
        });
    }
    let size = size::SizeChart::single(summary);
    jobs.push(Job {
        stem: "pact_size".into(),
        title: "Pact size over rounds".into(),
        caption: size.caption(),
        figure: AnyFigure::Size(size),
    });
    if let Some(kinds) = kinds::KindsChart::new(summary) {
        jobs.push(Job {
            stem: "formed_by_kind".into(),
            title: "Pacts formed by kind over rounds".into(),
            caption: kinds.caption(),
            figure: AnyFigure::Kinds(kinds),
        });
    }
    jobs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_rounds_keep_start_events_and_end() {
        assert_eq!(pick_rounds(48, [14, 18, 31].into_iter(), 6), vec![0, 14, 18, 31, 48]);
        assert_eq!(pick_rounds(48, [14, 14, 48, 0].into_iter(), 6), vec![0, 14, 48]);
        assert_eq!(pick_rounds(48, [5, 10, 15, 20, 25].into_iter(), 6), vec![0, 5, 10, 20, 25, 48]);
        assert_eq!(pick_rounds(48, [5, 10, 15, 20, 25].into_iter(), 3), vec![0, 15, 48]);
        assert_eq!(pick_rounds(1, std::iter::empty(), 6), vec![0, 1]);
    }

    #[test]
    fn unique_file_names() {
        assert_eq!(
            unique_names(["A/B", "A_B", "a_b", "C"].into_iter()),
            vec!["A_B", "A_B_2", "a_b_3", "C"]
        );
    }
}
