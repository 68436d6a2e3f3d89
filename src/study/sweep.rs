//! A sweep: every variant of a design run on the same replicates (common random numbers), and
//! what it produced ([`SweepResult`]). The files are written by [`crate::report::sweep`], the
//! charts drawn by [`crate::plot::draw_sweep`].

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Progress, StudyError, Summary, check_cancelled};
use crate::run::{self, RunSpec, Tally};
use crate::scenario::sweep::{self, Design, DesignKind, Variant, Vary};
use crate::scenario::{self, Scenario, Source};

/// The outcomes of one state in one pact under one variant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub variant: usize,
    pub pact: String,
    pub state: String,
    /// P(member after the last round), its standard error over the replicates, the median first
    /// round of membership of a non-founder (among replicates where it joined), and the pact's
    /// P(formed).
    pub p_final: f64,
    pub p_final_se: f64,
    pub join_round_median: Option<f64>,
    pub p_formed: f64,
}

/// The pacts one kind of template formed under one variant (a scenario with `[[template]]`s).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindRow {
    pub variant: usize,
    /// "informal", "issue" or "binding".
    pub kind: String,
    /// Mean number of distinct pacts of the kind formed in a replicate over the run.
    pub formed_mean: f64,
    /// Number of its pacts alive after the last round: mean over replicates, its standard error,
    /// and the 5th and 95th percentiles.
    pub alive_mean: f64,
    pub alive_mean_se: f64,
    pub alive_p05: usize,
    pub alive_p95: usize,
    /// Fraction of replicates with at least one alive after the last round.
    pub p_any: f64,
}

/// A pair moves when its P(member at the end) spans more than this many standard errors.
pub const MOVES_BY_SE: f64 = 3.0;

/// A state–pact pair whose P(member at the end) moves over a sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct Mover {
    /// The pair's place among a variant's rows.
    pub pair: usize,
    /// `SWE in NATO`.
    pub label: String,
    /// Lowest and highest P(member at the end), and the variants giving them.
    pub low: (f64, usize),
    pub high: (f64, usize),
    pub range: f64,
}

/// Which part of a sweep's replicates a shard ran (`sweep --shard K/N`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardInfo {
    pub k: u64,
    pub n: u64,
    pub first_replicate: u64,
    pub replicates: u64,
}

/// Everything a sweep produced, in variant order.
#[derive(Debug, Clone)]
pub struct SweepResult {
    pub scenario: String,
    pub version: String,
    pub seed: u64,
    /// Replicates of the whole sweep per variant (a shard runs part of them).
    pub runs: u64,
    /// The `--set`s every variant starts from.
    pub sets: Vec<String>,
    pub shard: Option<ShardInfo>,
    pub design: Design,
    pub rows: Vec<Row>,
    /// Per variant and kind of template, the pacts formed (empty without templates).
    pub kinds: Vec<KindRow>,
}

impl SweepResult {
    pub fn new(scenario: &str, seed: u64, runs: u64, sets: Vec<String>, shard: Option<ShardInfo>, design: Design) -> Self {
        SweepResult {
            scenario: scenario.to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            seed,
            runs,
            sets,
            shard,
            design,
            rows: Vec::new(),
            kinds: Vec::new(),
        }
    }

    /// Adds the outcomes of `variant`, read from the summary of its run.
    pub fn add(&mut self, variant: &Variant, summary: &Summary) {
        let runs = summary.runs.max(1) as f64;
        for pact in &summary.pacts {
            for state in &summary.states {
                let m = &summary.membership[&pact.id][&state.id];
                self.rows.push(Row {
                    variant: variant.index,
                    pact: pact.id.clone(),
                    state: state.id.clone(),
                    p_final: m.p_final,
                    p_final_se: (m.p_final * (1.0 - m.p_final) / runs).sqrt(),
                    join_round_median: m.join_round_median,
                    p_formed: pact.p_formed,
                });
            }
        }
        for k in &summary.kinds {
            let last = |v: &[usize]| v.last().copied().unwrap_or(0);
            let alive_mean = k.alive_mean_by_round.last().copied().unwrap_or(0.0);
            self.kinds.push(KindRow {
                variant: variant.index,
                kind: k.kind.clone(),
                formed_mean: k.formed_mean,
                alive_mean,
                alive_mean_se: k.alive_sd_by_round.last().copied().unwrap_or(0.0) / runs.sqrt(),
                alive_p05: last(&k.alive_p05_by_round),
                alive_p95: last(&k.alive_p95_by_round),
                p_any: k.p_any_by_round.last().copied().unwrap_or(0.0),
            });
        }
    }

    /// The parameters' labels, in design order.
    pub fn labels(&self) -> Vec<String> {
        self.design.parameters.iter().map(|p| p.vary.label()).collect()
    }

    /// The pairs that move most over the sweep (any number of parameters, any design): at most
    /// `top`, largest range of P(member at the end) first (ties by label), only pairs whose range
    /// exceeds [`MOVES_BY_SE`] standard errors; and how many pairs move.
    pub fn movers(&self, top: usize) -> (Vec<Mover>, usize) {
        let variants = self.design.variants.len();
        let pairs = self.rows.len().checked_div(variants).unwrap_or(0);
        let mut moving: Vec<Mover> = (0..pairs)
            .filter_map(|k| {
                let mut low = (f64::INFINITY, 0);
                let mut high = (f64::NEG_INFINITY, 0);
                let mut se = 0.0f64;
                for v in 0..variants {
                    let r = &self.rows[v * pairs + k];
                    if r.p_final < low.0 {
                        low = (r.p_final, v);
                    }
                    if r.p_final > high.0 {
                        high = (r.p_final, v);
                    }
                    se = se.max(r.p_final_se);
                }
                let first = &self.rows[k];
                let range = high.0 - low.0;
                (range > MOVES_BY_SE * se.max(1e-12)).then(|| Mover {
                    pair: k,
                    label: format!("{} in {}", first.state, first.pact),
                    low,
                    high,
                    range,
                })
            })
            .collect();
        let count = moving.len();
        moving.sort_by(|a, b| b.range.total_cmp(&a.range).then_with(|| a.label.cmp(&b.label)));
        moving.truncate(top);
        (moving, count)
    }

    /// The values of the parameters in `variant`.
    pub fn values(&self, variant: usize) -> &[f64] {
        &self.design.variants[variant].values
    }
}

/// What a sweep is asked to run.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    /// The parameters and their values (`--vary`).
    pub varies: Vec<Vary>,
    /// [`DesignKind::Grid`], [`DesignKind::LatinHypercube`] or [`DesignKind::SobolSequence`].
    pub design: DesignKind,
    /// Points of a sampled design.
    pub samples: usize,
    /// Replicates per variant and master seed (default: the scenario's).
    pub runs: Option<u32>,
    pub seed: Option<u64>,
    /// Run only shard K of N of every variant's replicates.
    pub shard: Option<(u64, u64)>,
}

/// A design over a scenario, every point checked, ready to run on the same replicates: a
/// sweep, or the design of a sensitivity study.
#[derive(Debug, Clone)]
pub struct SweepPlan {
    /// The scenario file as given (every point re-reads it with its own `--set`s).
    pub source: Source,
    /// The scenario after the sweep's own `--set`s.
    pub base: Scenario,
    /// The `--set`s every variant starts from.
    pub sets: Vec<String>,
    pub design: Design,
    pub seed: u64,
    /// Replicates of the whole sweep per variant.
    pub runs: u64,
    /// The replicates this run plays: all of them, or a shard's slice.
    pub replicates: Range<u64>,
    pub shard: Option<ShardInfo>,
}

/// Plans a sweep of the scenario in `source` (after `sets`): its design, checked point by point
/// before anything runs, and the replicates to play.
pub fn plan(source: Source, sets: Vec<String>, options: SweepOptions) -> Result<SweepPlan, StudyError> {
    let base = scenario::from_source(&source, &sets)?;
    let (runs, seed) = super::replicates(&base, options.runs, options.seed)?;
    let runs = u64::from(runs);
    let design = match options.design {
        DesignKind::Grid => sweep::grid(&source, &sets, options.varies)?,
        kind => sweep::sampled(&source, &sets, options.varies, kind, options.samples, seed)?,
    };
    check_points(&source, &sets, &design, "variant")?;
    let replicates = match options.shard {
        Some((k, n)) => run::shard_range(runs, k, n),
        None => 0..runs,
    };
    if replicates.is_empty() {
        return Err(StudyError::Invalid(format!(
            "shard {:?} of {runs} replicates is empty: use fewer shards or more --runs",
            options.shard.unwrap_or((0, 1))
        )));
    }
    let shard = options.shard.map(|(k, n)| ShardInfo {
        k,
        n,
        first_replicate: replicates.start,
        replicates: replicates.end - replicates.start,
    });
    Ok(SweepPlan {
        source,
        base,
        sets,
        design,
        seed,
        runs,
        replicates,
        shard,
    })
}

/// Resolves every point of `design` before any runs, so a value out of range fails at once,
/// naming the point (`what` and its index) and its `--set`s.
pub(crate) fn check_points(source: &Source, base: &[String], design: &Design, what: &str) -> Result<(), StudyError> {
    let parsed = scenario::Parsed::new(source)?;
    for v in &design.variants {
        parsed
            .resolve(&variant_sets(base, v))
            .map_err(|e| StudyError::from(e).at(format!("{what} {} ({})", v.index, v.sets.join(" "))))?;
    }
    Ok(())
}

/// The `--set`s of a variant: the sweep's own, then the variant's.
pub(crate) fn variant_sets(base: &[String], v: &Variant) -> Vec<String> {
    base.iter().chain(&v.sets).cloned().collect()
}

impl SweepPlan {
    /// Runs every variant of the design on the plan's replicates (the same for each: common
    /// random numbers) and collects their outcomes; `keep` sees each variant's tally (a shard
    /// writes them for the merge). Progress in replicates; stops between variants when
    /// cancelled.
    pub fn run(
        &self,
        progress: &dyn Progress,
        keep: &mut dyn FnMut(&Variant, &Tally) -> Result<(), StudyError>,
    ) -> Result<SweepResult, StudyError> {
        let mut result = SweepResult::new(
            &self.base.name,
            self.seed,
            self.runs,
            self.sets.clone(),
            self.shard,
            self.design.clone(),
        );
        let design = &self.design;
        let replicates = self.replicates.clone();
        progress.start(design.variants.len() as u64 * (replicates.end - replicates.start), "replicates");
        let parsed = scenario::Parsed::new(&self.source)?;
        for v in &design.variants {
            check_cancelled(progress)?;
            progress.message(&format!("variant {}/{}", v.index + 1, design.variants.len()));
            let sc = parsed.resolve(&variant_sets(&result.sets, v))?;
            let spec = RunSpec {
                seed: result.seed,
                replicates: replicates.clone(),
                keep_decisions: 0,
            };
            let run = run::run(&sc, &spec, &|n| progress.advance(n));
            keep(v, &run.tally)?;
            result.add(v, &Summary::new(&sc, &run.tally, result.seed));
        }
        Ok(result)
    }
}

/// What a shard of a sweep says of itself (its sweep.json), and where it is.
#[derive(Debug, Clone)]
pub struct SweepShard {
    pub dir: PathBuf,
    pub scenario: String,
    pub version: String,
    pub seed: u64,
    pub runs: u64,
    pub sets: Vec<String>,
    /// The `--vary` specs, as written.
    pub specs: Vec<String>,
    /// The design's name (`grid`, `lhs`, `sobol`).
    pub design: String,
    pub variants: usize,
    /// None for a whole sweep (not a shard).
    pub shard: Option<ShardInfo>,
}

/// The shards of one sweep, checked to fit together, with the design redone from the first
/// shard's scenario file: ready to [`merge`](SweepMerge::merge).
#[derive(Debug, Clone)]
pub struct SweepMerge {
    /// In replicate order.
    pub shards: Vec<SweepShard>,
    pub source: Source,
    pub design: Design,
    /// The scenario after the sweep's `--set`s.
    pub base: Scenario,
}

/// Checks that `shards` are the shards of one sweep, together every replicate once, and redoes
/// its design from `scenario.toml` of the first (in replicate order).
pub fn merge_plan(mut shards: Vec<SweepShard>) -> Result<SweepMerge, StudyError> {
    if let Some(s) = shards.iter().find(|s| s.shard.is_none()) {
        return Err(StudyError::Invalid(format!(
            "{} is a whole sweep, not a shard (made without --shard)",
            s.dir.display()
        )));
    }
    if shards.is_empty() {
        return Err(StudyError::Invalid("no shards to merge".into()));
    }
    shards.sort_by_key(|s| s.shard.map_or(0, |s| s.first_replicate));
    let what = |s: &SweepShard| {
        (
            s.scenario.clone(),
            s.version.clone(),
            s.seed,
            s.runs,
            s.sets.clone(),
            s.specs.clone(),
        )
    };
    let first = &shards[0];
    for s in &shards[1..] {
        if what(s) != what(first) {
            return Err(StudyError::Invalid(format!(
                "{} and {} are not shards of one sweep: their scenario, version, seed, runs, --set or --vary differ",
                first.dir.display(),
                s.dir.display()
            )));
        }
    }
    let covered: u64 = shards.iter().filter_map(|s| s.shard.map(|s| s.replicates)).sum();
    if covered != first.runs {
        return Err(StudyError::Invalid(format!(
            "the shards cover {covered} of the sweep's {} replicates per variant: a shard is missing or given twice",
            first.runs
        )));
    }
    let source = super::read_file(&first.dir.join("scenario.toml"))?;
    let varies = first.specs.iter().map(|s| Vary::parse(s)).collect::<Result<Vec<_>, _>>()?;
    let kind = DesignKind::of_sweep(&first.design).ok_or_else(|| {
        StudyError::Invalid(format!(
            "{}: `{}` is not a sweep's design (grid, lhs or sobol)",
            first.dir.display(),
            first.design
        ))
    })?;
    let design = match kind {
        DesignKind::Grid => sweep::grid(&source, &first.sets, varies)?,
        kind => sweep::sampled(&source, &first.sets, varies, kind, first.variants, first.seed)?,
    };
    if design.variants.len() != first.variants {
        return Err(StudyError::Invalid(format!(
            "{} was written by another pactsim version (its design does not reproduce)",
            first.dir.display()
        )));
    }
    let base = scenario::Parsed::new(&source)?.resolve(&first.sets)?;
    Ok(SweepMerge {
        shards,
        source,
        design,
        base,
    })
}

impl SweepMerge {
    /// The whole sweep: each variant's tallies (read by `tally` from a shard's directory)
    /// merged exactly, so the result is byte for byte the sweep run whole.
    pub fn merge(&self, tally: &mut dyn FnMut(&Path, usize) -> Result<Tally, StudyError>) -> Result<SweepResult, StudyError> {
        let first = &self.shards[0];
        let mut result = SweepResult::new(
            &first.scenario,
            first.seed,
            first.runs,
            first.sets.clone(),
            None,
            self.design.clone(),
        );
        let parsed = scenario::Parsed::new(&self.source)?;
        for v in &self.design.variants {
            let mut tallies: Vec<Tally> = Vec::with_capacity(self.shards.len());
            for s in &self.shards {
                tallies.push(tally(&s.dir, v.index)?);
            }
            let merged = run::merge_shards(tallies).map_err(|e| StudyError::from(e).at(format!("variant {}", v.index)))?;
            let sc = parsed.resolve(&variant_sets(&first.sets, v))?;
            result.add(v, &Summary::new(&sc, &merged, first.seed));
        }
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    /// Counts the replicates done; asks to stop once `stop_after` are.
    struct Counting {
        total: AtomicU64,
        done: AtomicU64,
        stop_after: u64,
    }

    impl Progress for Counting {
        fn start(&self, total: u64, _unit: &str) {
            self.total.store(total, Ordering::Relaxed);
        }
        fn advance(&self, n: u64) {
            self.done.fetch_add(n, Ordering::Relaxed);
        }
        fn cancelled(&self) -> bool {
            self.done.load(Ordering::Relaxed) >= self.stop_after
        }
    }

    fn plan_of(shard: Option<(u64, u64)>) -> SweepPlan {
        let source = crate::study::read_file(Path::new("tests/fixtures/minimal.toml")).unwrap();
        let options = SweepOptions {
            varies: vec![Vary::parse("model.temperature=0.1,0.2,0.3").unwrap()],
            design: DesignKind::Grid,
            samples: 0,
            runs: Some(10),
            seed: Some(4),
            shard,
        };
        plan(source, Vec::new(), options).unwrap()
    }

    #[test]
    fn a_sweep_counts_its_replicates_and_stops_between_variants_when_cancelled() {
        let plan = plan_of(None);
        let all = Counting {
            total: AtomicU64::new(0),
            done: AtomicU64::new(0),
            stop_after: u64::MAX,
        };
        let mut kept = Vec::new();
        let result = plan
            .run(&all, &mut |v, t| {
                kept.push((v.index, t.runs));
                Ok(())
            })
            .unwrap();
        assert_eq!(all.total.load(Ordering::Relaxed), 30);
        assert_eq!(all.done.load(Ordering::Relaxed), 30);
        assert_eq!(kept, [(0, 10), (1, 10), (2, 10)]);
        assert_eq!(result.rows.len(), 3 * 3);
        // Cancelled once the first variant is done: the second never starts.
        let first = Counting {
            total: AtomicU64::new(0),
            done: AtomicU64::new(0),
            stop_after: 10,
        };
        let mut ran = 0;
        let e = plan
            .run(&first, &mut |_, _| {
                ran += 1;
                Ok(())
            })
            .unwrap_err();
        assert!(matches!(e, StudyError::Cancelled), "{e}");
        assert_eq!((ran, first.done.load(Ordering::Relaxed)), (1, 10));
    }

    #[test]
    fn a_shard_plays_its_slice_and_an_empty_one_is_refused() {
        let shard = plan_of(Some((1, 3)));
        assert_eq!(shard.replicates, 3..6);
        assert_eq!(
            shard.shard,
            Some(ShardInfo {
                k: 1,
                n: 3,
                first_replicate: 3,
                replicates: 3
            })
        );
        let source = crate::study::read_file(Path::new("tests/fixtures/minimal.toml")).unwrap();
        let options = SweepOptions {
            varies: vec![Vary::parse("model.temperature=0.1,0.2").unwrap()],
            design: DesignKind::Grid,
            samples: 0,
            runs: Some(2),
            seed: None,
            shard: Some((0, 3)),
        };
        let e = plan(source, Vec::new(), options).unwrap_err();
        assert_eq!(
            e.to_string(),
            "shard (0, 3) of 2 replicates is empty: use fewer shards or more --runs"
        );
    }
}
