//! A backtest of the model on alliance history ([`crate::backtest`] scores one start year at a
//! time), and the era split: global weights fitted on one era's start years, then scored on
//! another with the defaults and with the fitted values.

use serde::Serialize;

use super::{Progress, StudyError, check_cancelled};
use crate::backtest::{self, Backtest, BacktestSpec, FitPoint};
use crate::data::Dataset;

/// Runs the backtest `spec` on `data`: its start years counted in `progress`.
pub fn run(data: &Dataset, spec: &BacktestSpec, progress: &dyn Progress) -> Result<Backtest, StudyError> {
    spec.validate()?;
    progress.start(spec.starts().len() as u64, "start years");
    one(data, spec, progress, "backtest")
}

/// One backtest, its start years counted in `progress` (already started), with `label` as
/// its message.
fn one(data: &Dataset, spec: &BacktestSpec, progress: &dyn Progress, label: &str) -> Result<Backtest, StudyError> {
    check_cancelled(progress)?;
    spec.validate()?;
    progress.message(label);
    Ok(backtest::backtest(data, spec, &|_| progress.advance(0), &mut |_| {
        progress.advance(1)
    })?)
}

/// The era split: the grid on the fit era, and the test era with defaults and fitted values.
#[derive(Debug, Clone, Serialize)]
pub struct EraSplit {
    pub fit_era: String,
    pub test_era: String,
    pub grid: Vec<FitPoint>,
    pub best: usize,
    pub fitted_sets: Vec<String>,
    pub fit_default: Backtest,
    /// The fit era with the chosen point (the grid's run of it).
    pub fit_fitted: Backtest,
    pub test_default: Backtest,
    pub test_fitted: Backtest,
}

/// An era split ready to run: the eras checked not to overlap.
#[derive(Debug, Clone)]
pub struct EraSplitPlan {
    /// The eras as given (`1816-1945`).
    pub fit_era: String,
    pub test_era: String,
    /// The backtests of the fit and the test era with the base `--set`s.
    pub fit: BacktestSpec,
    pub test: BacktestSpec,
}

/// Plans an era split: `spec` gives everything but the years (its `from` and `to` are
/// replaced by each era's); its `sets` apply to every point.
pub fn era_split_plan(spec: &BacktestSpec, fit_era: &str, test_era: &str) -> Result<EraSplitPlan, StudyError> {
    let (f0, f1) = backtest::parse_era(fit_era)?;
    let (t0, t1) = backtest::parse_era(test_era)?;
    if f1 >= t0 && t1 >= f0 {
        return Err(StudyError::Invalid(format!(
            "--fit-era {fit_era} and --test-era {test_era} overlap: the test era must not be tuned on"
        )));
    }
    let era = |from, to| BacktestSpec { from, to, ..spec.clone() };
    Ok(EraSplitPlan {
        fit_era: fit_era.to_string(),
        test_era: test_era.to_string(),
        fit: era(f0, f1),
        test: era(t0, t1),
    })
}

impl EraSplitPlan {
    /// A grid over global weights ([`backtest::fit_grid`]) scored on the fit era (mean log loss
    /// over all pair-years), then the test era with the defaults and with the best point. One
    /// count of start years over the whole split.
    pub fn run(&self, data: &Dataset, progress: &dyn Progress) -> Result<EraSplit, StudyError> {
        let (fit, test) = (&self.fit_era, &self.test_era);
        let grid = backtest::fit_grid();
        let points_in_grid = grid.len();
        let with_sets = |spec: &BacktestSpec, sets: Vec<String>| BacktestSpec { sets, ..spec.clone() };
        // Validated with no extra --set, before anything runs.
        with_sets(&self.fit, Vec::new()).validate()?;
        with_sets(&self.test, Vec::new()).validate()?;
        let (fit_starts, test_starts) = (self.fit.starts().len(), self.test.starts().len());
        progress.start((grid.len() * fit_starts + 2 * test_starts) as u64, "start years");
        let mut points = Vec::new();
        let mut fit_runs = Vec::new();
        for (i, sets) in grid.into_iter().enumerate() {
            let mut all = self.fit.sets.clone();
            all.extend(sets.iter().cloned());
            let label = format!(
                "fit era {fit}, point {}/{} [{}]",
                i + 1,
                points_in_grid,
                if sets.is_empty() { "defaults".to_string() } else { sets.join(" ") }
            );
            let bt = one(data, &with_sets(&self.fit, all), progress, &label)?;
            backtest::check_scorable(&bt, fit)?;
            points.push(FitPoint {
                sets,
                log_loss: bt.total[0][0].log_loss(),
                brier: bt.total[0][0].brier(),
            });
            fit_runs.push(bt);
        }
        let best = backtest::best(&points, fit)?;
        let fitted: Vec<String> = self.fit.sets.iter().cloned().chain(points[best].sets.iter().cloned()).collect();
        // The grid's first point is the defaults (fit_grid), so the fit era's default run is
        // kept from the grid rather than run again.
        let fit_fitted = fit_runs[best].clone();
        let fit_default = fit_runs.swap_remove(0);
        let test_default = one(data, &self.test, progress, &format!("test era {test}, defaults"))?;
        let test_fitted = one(
            data,
            &with_sets(&self.test, fitted.clone()),
            progress,
            &format!("test era {test}, fitted"),
        )?;
        Ok(EraSplit {
            fit_era: fit.clone(),
            test_era: test.clone(),
            grid: points,
            best,
            fitted_sets: fitted,
            fit_default,
            fit_fitted,
            test_default,
            test_fitted,
        })
    }
}
