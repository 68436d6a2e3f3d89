//! `pactsim backtest`: import the world of each start year, play H yearly rounds and score the
//! predicted memberships against ATOP for the following years.
//!
//! For start year Y (the world as on Y-12-31, [`crate::data::import`]) and k = 1..H, every pair
//! of a scenario state and a scenario pact is a *pair-year*: the model's probability that the
//! state is a member after round k (the share of replicates), against ATOP's membership on
//! (Y+k)-12-31. Three predictors are scored on the same pair-years:
//!
//! - `model`: the simulation, every weight at its default unless `--set` changes it;
//! - `persistence`: nothing changes (the membership on Y-12-31);
//! - `base_rate`: the historical annual rates of exit (members) and entry (non-members) in the
//!   years before Y, compounded over k years (no look-ahead: only years < Y enter the rates).
//!
//! Scores are the Brier score and the log loss, over all pair-years and separately over the
//! pair-years of members at the start (`exits`: the event is having left) and of non-members at
//! the start (`entries`: the event is having joined). Every probability is kept within
//! [ε, 1 − ε], ε = 1 / (2 · runs), the resolution of the Monte Carlo estimate, for every
//! predictor alike, so log losses are finite and comparable.
//!
//! What the model cannot predict by construction is counted, not dropped silently: memberships
//! in alliances not in the start world (founded later, or with fewer than two selected members
//! at the start), memberships of states that entered the system after Y, pair-years of states
//! that ceased to exist after Y (from the day they ceased, by the COW state-system list: a
//! state's death is not scored as an exit, and a state that comes back is not scored again in
//! the same horizon), and years past ATOP's coverage.
//!
//! The world of Y is [`import::world`]: the states on Y-12-31 (COW state-system list) of the
//! selection and, for a region, the members of its pacts from outside it.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::data::import::{self, ImportSpec, Selection};
use crate::data::{ATOP_LAST_YEAR, DataError, Dataset, NMC_FIRST_YEAR, NMC_LAST_YEAR, year_end};
use crate::run::{self, RunSpec};
use crate::scenario::{self, ScenarioError, Source};

#[derive(Debug, thiserror::Error)]
pub enum BacktestError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error("the imported world of {year} is not a valid scenario: {source}")]
    Scenario {
        year: i32,
        #[source]
        source: ScenarioError,
    },
    #[error("{0}")]
    Spec(String),
}

/// What to backtest.
#[derive(Debug, Clone)]
pub struct BacktestSpec {
    pub from: i32,
    pub to: i32,
    pub horizon: u32,
    pub step: u32,
    pub selection: Selection,
    /// `--set` overrides applied to every imported world.
    pub sets: Vec<String>,
    pub runs: u32,
    pub seed: u64,
    /// Play each start world with the dated events of its horizon (`import --through`,
    /// docs/DATA.md "Events"); false keeps the world as it was on the start date (`--no-events`).
    pub events: bool,
}

impl BacktestSpec {
    pub fn validate(&self) -> Result<(), BacktestError> {
        for y in [self.from, self.to] {
            if !(NMC_FIRST_YEAR..=NMC_LAST_YEAR).contains(&y) {
                return Err(DataError::Year { year: y }.into());
            }
        }
        if self.from > self.to {
            return Err(BacktestError::Spec(format!("--from {} is after --to {}", self.from, self.to)));
        }
        if self.to >= ATOP_LAST_YEAR {
            return Err(BacktestError::Spec(format!(
                "--to {}: ATOP v4.01 ends in {ATOP_LAST_YEAR}, so the last start year with a year to score is {}",
                self.to,
                ATOP_LAST_YEAR - 1
            )));
        }
        if self.horizon == 0 || self.step == 0 || self.runs == 0 {
            return Err(BacktestError::Spec("--horizon, --step and --runs must be at least 1".into()));
        }
        Ok(())
    }
    pub fn starts(&self) -> Vec<i32> {
        (self.from..=self.to).step_by(self.step as usize).collect()
    }
}

/// The three predictors, in output order.
pub const PREDICTORS: [&str; 3] = ["model", "persistence", "base_rate"];
/// The three subsets of pair-years, in output order.
pub const SUBSETS: [&str; 3] = ["all", "exits", "entries"];

/// Sums of Brier score and log loss over pair-years.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Score {
    pub n: u64,
    pub brier_sum: f64,
    pub log_loss_sum: f64,
    /// Observed events (member for `all`, left for `exits`, joined for `entries`).
    pub events: u64,
}

impl Score {
    fn add(&mut self, p: f64, event: bool, eps: f64) {
        let p = p.clamp(eps, 1.0 - eps);
        let o = if event { 1.0 } else { 0.0 };
        self.n += 1;
        self.events += u64::from(event);
        self.brier_sum += (p - o) * (p - o);
        self.log_loss_sum -= if event { p.ln() } else { (1.0 - p).ln() };
    }
    fn merge(&mut self, o: &Score) {
        self.n += o.n;
        self.events += o.events;
        self.brier_sum += o.brier_sum;
        self.log_loss_sum += o.log_loss_sum;
    }
    pub fn brier(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.brier_sum / self.n as f64 }
    }
    pub fn log_loss(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.log_loss_sum / self.n as f64 }
    }
}

/// `[subset][predictor]`.
pub type Scores = [[Score; 3]; 3];

fn merge_scores(a: &mut Scores, b: &Scores) {
    for (ra, rb) in a.iter_mut().zip(b) {
        for (x, y) in ra.iter_mut().zip(rb) {
            x.merge(y);
        }
    }
}

/// Ten bins of the model's probability that the state is a member: count, sum of
/// probabilities, members observed.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Bin {
    pub n: u64,
    pub p_sum: f64,
    pub observed: u64,
}

/// What the model cannot predict by construction, in pair-years (memberships for the first two).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Unpredictable {
    /// Memberships in alliances that were not pacts of the start world (founded after the start,
    /// or with fewer than two selected members then).
    pub new_alliance_memberships: u64,
    /// Memberships of states that entered the state system after the start.
    pub new_state_memberships: u64,
    /// Pair-years of states that ceased to exist after the start (COW state-system list; not
    /// scored: a state's death is not an exit).
    pub departed_state_pairs: u64,
    /// Years past ATOP's coverage (not scored), in start-year × horizon years.
    pub years_past_coverage: u64,
}

impl Unpredictable {
    fn merge(&mut self, o: &Unpredictable) {
        self.new_alliance_memberships += o.new_alliance_memberships;
        self.new_state_memberships += o.new_state_memberships;
        self.departed_state_pairs += o.departed_state_pairs;
        self.years_past_coverage += o.years_past_coverage;
    }
}

/// The result of one start year.
#[derive(Debug, Clone, Serialize)]
pub struct StartResult {
    pub start: i32,
    pub states: usize,
    pub pacts: usize,
    /// Rounds played (the horizon, cut at ATOP's last year).
    pub rounds: u32,
    pub scores: Scores,
    /// Scores by horizon k = 1..rounds: `[k-1]`.
    pub by_horizon: Vec<Scores>,
    pub unpredictable: Unpredictable,
    /// Memberships observed at the horizon (scored pairs) that the start world already had.
    pub entries_observed: u64,
    pub exits_observed: u64,
    pub annual_exit_rate: f64,
    pub annual_entry_rate: f64,
    pub reliability: [Bin; 10],
    pub seconds: f64,
}

/// A whole backtest.
#[derive(Debug, Clone, Serialize)]
pub struct Backtest {
    pub from: i32,
    pub to: i32,
    pub horizon: u32,
    pub step: u32,
    pub selection: String,
    pub sets: Vec<String>,
    pub runs: u32,
    pub seed: u64,
    /// Whether the start worlds played their horizon's dated events.
    pub events: bool,
    pub epsilon: f64,
    pub starts: Vec<StartResult>,
    pub total: Scores,
    pub total_by_horizon: Vec<Scores>,
    pub unpredictable: Unpredictable,
    pub reliability: [Bin; 10],
    pub seconds: f64,
}

/// Historical exit and entry counts per year for the selection, computed once: for year y,
/// the pairs of the world of y ([`import::world`]: its states × its pacts, the same pairs a
/// backtest from y scores) and their status on (y+1)-12-31. Pairs of states that cease to exist
/// in y+1 are not counted (a state's death is not an exit).
#[derive(Debug, Clone, Default)]
pub struct BaseRates {
    /// year → (member pairs, exits next year, non-member pairs, entries next year)
    counts: BTreeMap<i32, (u64, u64, u64, u64)>,
}

impl BaseRates {
    pub fn new(data: &Dataset, selection: &Selection, last: i32) -> BaseRates {
        let mut counts = BTreeMap::new();
        let whole = matches!(selection, Selection::Region(_));
        let mut next: HashSet<(u32, u16)> = data.memberships_at(year_end(NMC_FIRST_YEAR)).into_iter().collect();
        for y in NMC_FIRST_YEAR..=last.min(ATOP_LAST_YEAR - 1) {
            let now = std::mem::take(&mut next);
            next = data.memberships_at(year_end(y + 1)).into_iter().collect();
            let core: Vec<u16> = data.system(y).into_iter().filter(|&c| selected(data, selection, c)).collect();
            let w = import::world(data, &core, whole, y);
            let (mut m, mut x, mut nm, mut e) = (0, 0, 0, 0);
            let surviving: Vec<u16> = w
                .states
                .iter()
                .copied()
                .filter(|&c| data.survives(c, year_end(y), year_end(y + 1)))
                .collect();
            for &a in w.pacts.keys() {
                for &c in &surviving {
                    let was = now.contains(&(a, c));
                    let is = next.contains(&(a, c));
                    if was {
                        m += 1;
                        x += u64::from(!is);
                    } else {
                        nm += 1;
                        e += u64::from(is);
                    }
                }
            }
            counts.insert(y, (m, x, nm, e));
        }
        BaseRates { counts }
    }

    /// The counts of year `y`: (member pairs, exits next year, non-member pairs, entries next
    /// year); None for a year not counted.
    pub fn counts(&self, y: i32) -> Option<(u64, u64, u64, u64)> {
        self.counts.get(&y).copied()
    }

    /// Annual exit and entry rates over the years before `start` (from `since`).
    pub fn rates(&self, since: i32, start: i32) -> (f64, f64) {
        let (mut m, mut x, mut nm, mut e) = (0u64, 0u64, 0u64, 0u64);
        for (_, &(a, b, c, d)) in self.counts.range(since..start) {
            m += a;
            x += b;
            nm += c;
            e += d;
        }
        let rate = |k: u64, n: u64| if n == 0 { 0.0 } else { k as f64 / n as f64 };
        (rate(x, m), rate(e, nm))
    }
}

fn selected(data: &Dataset, selection: &Selection, c: u16) -> bool {
    match selection {
        Selection::All => true,
        Selection::Region(r) => r.contains(c),
        Selection::States(v) => v.iter().any(|k| data.find_state(k) == Some(c)),
    }
}

/// Backtests one start year. `base_rates` gives the base rates (years before `start`).
pub fn backtest_year(
    data: &Dataset,
    base_rates: &BaseRates,
    spec: &BacktestSpec,
    start: i32,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<StartResult, BacktestError> {
    let t0 = std::time::Instant::now();
    let rounds = spec.horizon.min((ATOP_LAST_YEAR - start) as u32);
    let past_coverage = u64::from(spec.horizon - rounds);
    let imported = import::build(
        data,
        &ImportSpec {
            year: start,
            selection: spec.selection.clone(),
            monthly: false,
            rounds,
            runs: spec.runs,
            seed: spec.seed,
            // The events of the horizon's years, as far as the data go (NMC and the state
            // system end in 2016).
            through: (spec.events && start < NMC_LAST_YEAR).then(|| (start + rounds as i32).min(NMC_LAST_YEAR)),
        },
    )?;
    let sc = scenario::from_source(
        &Source {
            path: format!("import-{start}.toml").into(),
            text: imported.text.clone(),
        },
        &spec.sets,
    )
    .map_err(|source| BacktestError::Scenario { year: start, source })?;
    let result = run::run(
        &sc,
        &RunSpec {
            seed: spec.seed,
            replicates: 0..u64::from(spec.runs),
            keep_decisions: 0,
        },
        progress,
    );
    let tally = &result.tally;
    let eps = 0.5 / f64::from(spec.runs);
    // Scenario index of every imported state and pact (the loader keeps file order, but look
    // them up by id to be sure).
    let state_idx: Vec<usize> = imported
        .states
        .iter()
        .map(|&c| sc.state_by_id(&data.states[&c].abb).map_or(usize::MAX, |s| s.index()))
        .collect();
    let pact_idx: Vec<usize> = imported
        .pacts
        .iter()
        .map(|(_, id)| sc.pact_by_id(id).map_or(usize::MAX, |p| p.index()))
        .collect();
    let at_start: HashSet<(u32, u16)> = data.memberships_at(year_end(start)).into_iter().collect();
    let pact_set: HashSet<u32> = imported.pacts.iter().map(|(a, _)| *a).collect();
    let state_set: HashSet<u16> = imported.states.iter().copied().collect();
    let (exit_rate, entry_rate) = base_rates.rates(NMC_FIRST_YEAR, start);

    let mut scores: Scores = Default::default();
    let mut by_horizon: Vec<Scores> = vec![Default::default(); rounds as usize];
    let mut unpredictable = Unpredictable {
        years_past_coverage: past_coverage,
        ..Default::default()
    };
    let mut reliability = [Bin::default(); 10];
    let (mut entries, mut exits) = (0u64, 0u64);
    for k in 1..=rounds {
        let year = start + k as i32;
        let observed: HashSet<(u32, u16)> = data.memberships_at(year_end(year)).into_iter().collect();
        // States of the start world that are still the same states on (Y+k)-12-31: a state that
        // ceased to exist in between (even if it came back) is not scored, and its pair-years
        // are counted as departed. The system after the COW list's last day is its last day's.
        let alive: HashSet<u16> = imported
            .states
            .iter()
            .copied()
            .filter(|&c| data.survives(c, year_end(start), year_end(year)))
            .collect();
        let system: HashSet<u16> = data.system(year).into_iter().collect();
        for &(a, c) in &observed {
            if !system.contains(&c) || !(state_set.contains(&c) || selected(data, &spec.selection, c)) {
                continue;
            }
            if state_set.contains(&c) && !alive.contains(&c) {
                continue;
            }
            if !state_set.contains(&c) {
                unpredictable.new_state_memberships += 1;
            } else if !pact_set.contains(&a) {
                unpredictable.new_alliance_memberships += 1;
            }
        }
        let h = &mut by_horizon[k as usize - 1];
        for (pi, (a, _)) in imported.pacts.iter().enumerate() {
            for (si, &c) in imported.states.iter().enumerate() {
                if !alive.contains(&c) {
                    unpredictable.departed_state_pairs += 1;
                    continue;
                }
                let (p, s) = (pact_idx[pi], state_idx[si]);
                if p == usize::MAX || s == usize::MAX {
                    continue;
                }
                let was = at_start.contains(&(*a, c));
                let is = observed.contains(&(*a, c));
                let p_model = tally.p_member(k as usize, p, s);
                let kf = f64::from(k);
                let p_base = if was {
                    (1.0 - exit_rate).powf(kf)
                } else {
                    1.0 - (1.0 - entry_rate).powf(kf)
                };
                let p_persist = if was { 1.0 } else { 0.0 };
                let probs = [p_model, p_persist, p_base];
                let subset = if was { 1 } else { 2 };
                for (j, &pm) in probs.iter().enumerate() {
                    scores[0][j].add(pm, is, eps);
                    h[0][j].add(pm, is, eps);
                    // In the change subsets the event is the change: leaving, or joining.
                    let (pc, ev) = if was { (1.0 - pm, !is) } else { (pm, is) };
                    scores[subset][j].add(pc, ev, eps);
                    h[subset][j].add(pc, ev, eps);
                }
                if k == rounds {
                    entries += u64::from(!was && is);
                    exits += u64::from(was && !is);
                }
                let bin = ((p_model * 10.0) as usize).min(9);
                reliability[bin].n += 1;
                reliability[bin].p_sum += p_model;
                reliability[bin].observed += u64::from(is);
            }
        }
    }
    Ok(StartResult {
        start,
        // The states of the start world (not those born later, listed for their events).
        states: imported.states.len(),
        pacts: sc.n_pacts(),
        rounds,
        scores,
        by_horizon,
        unpredictable,
        entries_observed: entries,
        exits_observed: exits,
        annual_exit_rate: exit_rate,
        annual_entry_rate: entry_rate,
        reliability,
        seconds: t0.elapsed().as_secs_f64(),
    })
}

/// Backtests every start year of `spec`; `on_year` is called after each with its result.
pub fn backtest(
    data: &Dataset,
    spec: &BacktestSpec,
    progress: &(dyn Fn(u64) + Sync),
    on_year: &mut dyn FnMut(&StartResult),
) -> Result<Backtest, BacktestError> {
    spec.validate()?;
    let t0 = std::time::Instant::now();
    let base_rates = BaseRates::new(data, &spec.selection, spec.to);
    let mut starts = Vec::new();
    for y in spec.starts() {
        let r = backtest_year(data, &base_rates, spec, y, progress)?;
        on_year(&r);
        starts.push(r);
    }
    Ok(summarise(spec, starts, t0.elapsed().as_secs_f64()))
}

/// Adds up the start years.
pub fn summarise(spec: &BacktestSpec, starts: Vec<StartResult>, seconds: f64) -> Backtest {
    let mut total: Scores = Default::default();
    let mut total_by_horizon: Vec<Scores> = vec![Default::default(); spec.horizon as usize];
    let mut unpredictable = Unpredictable::default();
    let mut reliability = [Bin::default(); 10];
    for s in &starts {
        merge_scores(&mut total, &s.scores);
        for (t, h) in total_by_horizon.iter_mut().zip(&s.by_horizon) {
            merge_scores(t, h);
        }
        unpredictable.merge(&s.unpredictable);
        for (b, o) in reliability.iter_mut().zip(&s.reliability) {
            b.n += o.n;
            b.p_sum += o.p_sum;
            b.observed += o.observed;
        }
    }
    Backtest {
        from: spec.from,
        to: spec.to,
        horizon: spec.horizon,
        step: spec.step,
        selection: spec.selection.label(),
        sets: spec.sets.clone(),
        runs: spec.runs,
        seed: spec.seed,
        events: spec.events,
        epsilon: 0.5 / f64::from(spec.runs),
        starts,
        total,
        total_by_horizon,
        unpredictable,
        reliability,
        seconds,
    }
}

/// Brier skill score of `a` against `b`: 1 − BS_a / BS_b (positive: `a` is better).
pub fn skill(a: &Score, b: &Score) -> f64 {
    let (x, y) = (a.brier(), b.brier());
    if y > 0.0 { 1.0 - x / y } else { f64::NAN }
}

/// Parses "1816-1945" into a year range.
pub fn parse_era(s: &str) -> Result<(i32, i32), BacktestError> {
    let err = || BacktestError::Spec(format!("`{s}` is not an era: write FIRST-LAST, e.g. 1816-1945"));
    let (a, b) = s.split_once('-').ok_or_else(err)?;
    let (a, b): (i32, i32) = (a.trim().parse().map_err(|_| err())?, b.trim().parse().map_err(|_| err())?);
    if a > b {
        return Err(err());
    }
    Ok((a, b))
}

/// A point of the era-split fit: the `--set` values and the fit era's mean log loss.
#[derive(Debug, Clone, Serialize)]
pub struct FitPoint {
    pub sets: Vec<String>,
    pub log_loss: f64,
    pub brier: f64,
}

/// The grid the era split searches (docs/VALIDATION.md): the defaults first; then persistent
/// tastes at a colder and a warmer temperature; then per-round shocks (a per-year hazard of
/// acting, the only setting under which an unchanged world can change) over temperature and the
/// cost of joining.
pub fn fit_grid() -> Vec<Vec<String>> {
    let mut grid = vec![Vec::new()];
    for t in ["0.05", "0.4"] {
        grid.push(vec![format!("model.temperature={t}")]);
    }
    for t in ["0.05", "0.15", "0.4"] {
        for join in ["0.2", "1", "2"] {
            grid.push(vec![
                "model.shocks=per_round".to_string(),
                format!("model.temperature={t}"),
                format!("model.weights.join_cost={join}"),
            ]);
        }
    }
    grid
}

/// Index of the lowest mean log loss over all pair-years (ties: the first). An error when no
/// point has a score (the fit era has no pair-year to score: [`nothing_to_score`]).
pub fn best(points: &[FitPoint], era: &str) -> Result<usize, BacktestError> {
    points
        .iter()
        .enumerate()
        .filter(|(_, p)| p.log_loss.is_finite())
        .min_by(|a, b| a.1.log_loss.total_cmp(&b.1.log_loss))
        .map(|(i, _)| i)
        .ok_or_else(|| nothing_to_score(era))
}

/// The era split fits on the fit era's pair-years: an error naming the era when it has none.
/// (Which pair-years there are depends on the start worlds and ATOP, not on the weights, so the
/// grid's first point tells.)
pub fn check_scorable(bt: &Backtest, era: &str) -> Result<(), BacktestError> {
    if bt.total[0][0].n == 0 {
        return Err(nothing_to_score(era));
    }
    Ok(())
}

fn nothing_to_score(era: &str) -> BacktestError {
    BacktestError::Spec(format!(
        "--fit-era {era}: no state-alliance-year can be scored (no start world of the era has an alliance of two or more of the selected states), so there is nothing to fit the weights on; choose another era, a region or more --states"
    ))
}
