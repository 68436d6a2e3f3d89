//! The tables a Python user gets, built as Arrow record batches straight from the library's
//! results (no CSV in between), with the columns of the CSV files the command line writes, in
//! the same order. Handed to Python through the Arrow C stream interface ([`ArrowTable`]).

use std::sync::Arc;

use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, RecordBatchIterator, StringArray};
use arrow_schema::{ArrowError, DataType, Field, Schema};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

use pactsim::model::Terms;
use pactsim::run::LoggedDecision;
use pactsim::scenario::Scenario;
use pactsim::study::Summary;
use pactsim::study::compare::Comparison;
use pactsim::study::sweep::SweepResult;

/// One column being built.
pub enum Column {
    Int(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
    Text(Vec<Option<String>>),
}

/// Named columns of one length, in order.
#[derive(Default)]
pub struct Builder {
    columns: Vec<(String, Column)>,
}

impl Builder {
    pub fn int(&mut self, name: &str, values: Vec<Option<i64>>) -> &mut Self {
        self.columns.push((name.to_string(), Column::Int(values)));
        self
    }

    pub fn float(&mut self, name: &str, values: Vec<Option<f64>>) -> &mut Self {
        self.columns.push((name.to_string(), Column::Float(values)));
        self
    }

    pub fn text(&mut self, name: &str, values: Vec<Option<String>>) -> &mut Self {
        self.columns.push((name.to_string(), Column::Text(values)));
        self
    }

    pub fn finish(self) -> Result<RecordBatch, ArrowError> {
        let mut fields = Vec::with_capacity(self.columns.len());
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(self.columns.len());
        for (name, column) in self.columns {
            let (kind, array): (DataType, ArrayRef) = match column {
                Column::Int(v) => (DataType::Int64, Arc::new(Int64Array::from(v))),
                Column::Float(v) => (DataType::Float64, Arc::new(Float64Array::from(v))),
                Column::Text(v) => (DataType::Utf8, Arc::new(StringArray::from(v))),
            };
            fields.push(Field::new(name, kind, true));
            arrays.push(array);
        }
        RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
    }
}

/// An Arrow table made in Rust. `pyarrow.table(t)`, `polars.DataFrame(t)` (or any library that
/// reads the Arrow PyCapsule interface) take it without a copy through Python objects.
#[pyclass(frozen, module = "pactsim._pactsim")]
pub struct ArrowTable {
    pub batch: RecordBatch,
}

#[pymethods]
impl ArrowTable {
    /// The Arrow C stream of the table, as a PyCapsule (the Arrow PyCapsule interface).
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(&self, py: Python<'py>, requested_schema: Option<Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyCapsule>> {
        // A consumer may ask for another schema; we offer ours (the protocol allows it).
        let _ = requested_schema;
        let schema = self.batch.schema();
        let reader = RecordBatchIterator::new(vec![Ok(self.batch.clone())], schema);
        let stream = FFI_ArrowArrayStream::new(Box::new(reader));
        // The capsule's pointer is the boxed FFI_ArrowArrayStream itself, as the interface
        // requires. Dropping it releases the stream unless the consumer moved it out (which sets
        // its release callback to null).
        PyCapsule::new_with_value(py, stream, c"arrow_array_stream")
    }

    /// Number of rows.
    #[getter]
    fn num_rows(&self) -> usize {
        self.batch.num_rows()
    }

    /// Column names, in order.
    #[getter]
    fn column_names(&self) -> Vec<String> {
        self.batch.schema().fields().iter().map(|f| f.name().clone()).collect()
    }

    fn __len__(&self) -> usize {
        self.batch.num_rows()
    }

    fn __repr__(&self) -> String {
        format!("ArrowTable({} rows: {})", self.batch.num_rows(), self.column_names().join(", "))
    }
}

pub fn table(batch: Result<RecordBatch, ArrowError>) -> PyResult<ArrowTable> {
    batch
        .map(|batch| ArrowTable { batch })
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(format!("building an Arrow table: {e}")))
}

fn ints(v: impl IntoIterator<Item = i64>) -> Vec<Option<i64>> {
    v.into_iter().map(Some).collect()
}

/// memberships.csv: round, label, pact, state, p_member (the same rows in the same order).
pub fn memberships(summary: &Summary) -> Result<RecordBatch, ArrowError> {
    let (mut round, mut label, mut pact, mut state, mut p) = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for pi in &summary.pacts {
        for st in &summary.states {
            let m = &summary.membership[&pi.id][&st.id];
            for (r, value) in m.p_by_round.iter().enumerate() {
                round.push(r as i64);
                label.push(Some(summary.round_labels[r].clone()));
                pact.push(Some(pi.id.clone()));
                state.push(Some(st.id.clone()));
                p.push(Some(*value));
            }
        }
    }
    let mut b = Builder::default();
    b.int("round", ints(round))
        .text("label", label)
        .text("pact", pact)
        .text("state", state)
        .float("p_member", p);
    b.finish()
}

/// Pact sizes after each round across replicates: round, label, pact, size_p05, size_median,
/// size_p95 (summary.json's `size_*` of each pact, as a tidy table).
pub fn sizes(summary: &Summary) -> Result<RecordBatch, ArrowError> {
    let (mut round, mut label, mut pact) = (Vec::new(), Vec::new(), Vec::new());
    let (mut p05, mut median, mut p95) = (Vec::new(), Vec::new(), Vec::new());
    for pi in &summary.pacts {
        for r in 0..pi.size_median.len() {
            round.push(r as i64);
            label.push(summary.round_labels.get(r).cloned());
            pact.push(Some(pi.id.clone()));
            p05.push(pi.size_p05.get(r).map(|&v| v as i64));
            median.push(pi.size_median.get(r).map(|&v| v as i64));
            p95.push(pi.size_p95.get(r).map(|&v| v as i64));
        }
    }
    let mut b = Builder::default();
    b.int("round", ints(round))
        .text("label", label)
        .text("pact", pact)
        .int("size_p05", p05)
        .int("size_median", median)
        .int("size_p95", p95);
    b.finish()
}

/// decisions.csv: replicate, round, label, state, pact, action, applicant (null when none),
/// probability, utility, every term of the model, then the scenario's own terms of weight other
/// than 0. The numbers are the full doubles (decisions.csv rounds them to 6 decimals).
pub fn decisions(sc: &Scenario, decisions: &[LoggedDecision]) -> Result<RecordBatch, ArrowError> {
    let n = decisions.len();
    let user: Vec<usize> = (0..sc.user_terms.len()).filter(|&i| sc.user_terms[i].shown()).collect();
    let mut replicate = Vec::with_capacity(n);
    let mut round = Vec::with_capacity(n);
    let mut label = Vec::with_capacity(n);
    let mut state = Vec::with_capacity(n);
    let mut pact = Vec::with_capacity(n);
    let mut action = Vec::with_capacity(n);
    let mut applicant = Vec::with_capacity(n);
    let mut probability = Vec::with_capacity(n);
    let mut utility = Vec::with_capacity(n);
    let mut terms: Vec<Vec<Option<f64>>> = vec![Vec::with_capacity(n); Terms::NAMES.len() + user.len()];
    for ld in decisions {
        let d = &ld.decision;
        replicate.push(ld.replicate as i64);
        round.push(i64::from(d.round));
        label.push(Some(sc.calendar.label(d.round)));
        state.push(Some(sc.state(d.state).id.clone()));
        pact.push(Some(match &d.founders {
            Some(founders) => sc.formed_id(d.pact, founders),
            None => sc.pact(d.pact).id.clone(),
        }));
        action.push(Some(d.action.name().to_string()));
        applicant.push(d.applicant.map(|a| sc.state(a).id.clone()));
        probability.push(Some(d.probability));
        utility.push(Some(d.terms.utility()));
        let values = d.terms.values();
        for (k, v) in values.iter().enumerate() {
            terms[k].push(Some(*v));
        }
        for (k, &i) in user.iter().enumerate() {
            terms[values.len() + k].push(Some(d.terms.user[i]));
        }
    }
    let mut b = Builder::default();
    b.int("replicate", ints(replicate))
        .int("round", ints(round))
        .text("label", label)
        .text("state", state)
        .text("pact", pact)
        .text("action", action)
        .text("applicant", applicant)
        .float("probability", probability)
        .float("utility", utility);
    let names: Vec<&str> = Terms::NAMES
        .iter()
        .copied()
        .chain(user.iter().map(|&i| sc.user_terms[i].id.as_str()))
        .collect();
    for (name, column) in names.into_iter().zip(terms) {
        b.float(name, column);
    }
    b.finish()
}

/// sweep.csv: variant, one column per parameter, pact, state, p_final, p_final_se,
/// join_round_median (null when no replicate joined), p_formed. Full doubles (sweep.csv rounds
/// p_final, p_final_se and p_formed to 6 decimals).
pub fn sweep(result: &SweepResult) -> Result<RecordBatch, ArrowError> {
    let labels = result.labels();
    let mut variant = Vec::new();
    let mut params: Vec<Vec<Option<f64>>> = vec![Vec::new(); labels.len()];
    let (mut pact, mut state, mut p_final, mut se, mut join, mut formed) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for row in &result.rows {
        variant.push(row.variant as i64);
        for (k, v) in result.values(row.variant).iter().enumerate() {
            params[k].push(Some(*v));
        }
        pact.push(Some(row.pact.clone()));
        state.push(Some(row.state.clone()));
        p_final.push(Some(row.p_final));
        se.push(Some(row.p_final_se));
        join.push(row.join_round_median);
        formed.push(Some(row.p_formed));
    }
    let mut b = Builder::default();
    b.int("variant", ints(variant));
    for (label, column) in labels.iter().zip(params) {
        b.float(label, column);
    }
    b.text("pact", pact)
        .text("state", state)
        .float("p_final", p_final)
        .float("p_final_se", se)
        .float("join_round_median", join)
        .float("p_formed", formed);
    b.finish()
}

/// compare.csv: every pair's P(member at the end) in each variant against the first:
/// variant_a (the first), variant_b, pact, state, p_final_a, p_final_b, difference (b − a);
/// by variant, largest difference first.
pub fn differences(cmp: &Comparison) -> Result<RecordBatch, ArrowError> {
    let d = &cmp.differences;
    let text = |f: &dyn Fn(usize) -> String| (0..d.len()).map(|i| Some(f(i))).collect::<Vec<_>>();
    let float = |f: &dyn Fn(usize) -> f64| (0..d.len()).map(|i| Some(f(i))).collect::<Vec<_>>();
    let mut b = Builder::default();
    b.text("variant_a", text(&|i| d[i].base.clone()))
        .text("variant_b", text(&|i| d[i].variant.clone()))
        .text("pact", text(&|i| d[i].pact.clone()))
        .text("state", text(&|i| d[i].state.clone()))
        .float("p_final_a", float(&|i| d[i].p_base))
        .float("p_final_b", float(&|i| d[i].p_variant))
        .float("difference", float(&|i| d[i].change));
    b.finish()
}

/// sensitivity.csv: statistic, pact, state (empty for a pact's p_formed), parameter, mu,
/// mu_star, sigma, n.
pub fn effects(effects: &[pactsim::study::sensitivity::Effect]) -> Result<RecordBatch, ArrowError> {
    let text = |f: &dyn Fn(usize) -> String| (0..effects.len()).map(|i| Some(f(i))).collect::<Vec<_>>();
    let float = |f: &dyn Fn(usize) -> f64| (0..effects.len()).map(|i| Some(f(i))).collect::<Vec<_>>();
    let mut b = Builder::default();
    b.text("statistic", text(&|i| effects[i].statistic.to_string()))
        .text("pact", text(&|i| effects[i].pact.clone()))
        .text("state", text(&|i| effects[i].state.clone()))
        .text("parameter", text(&|i| effects[i].parameter.clone()))
        .float("mu", float(&|i| effects[i].mu))
        .float("mu_star", float(&|i| effects[i].mu_star))
        .float("sigma", float(&|i| effects[i].sigma))
        .int("n", ints(effects.iter().map(|e| e.n as i64)));
    b.finish()
}

/// sobol.csv: statistic, pact, state, parameter, first, first_lo, first_hi, total, total_lo,
/// total_hi, variance, samples.
pub fn sobol(indices: &[pactsim::study::sensitivity::SobolIndex]) -> Result<RecordBatch, ArrowError> {
    let x = indices;
    let text = |f: &dyn Fn(usize) -> String| (0..x.len()).map(|i| Some(f(i))).collect::<Vec<_>>();
    let float = |f: &dyn Fn(usize) -> f64| (0..x.len()).map(|i| Some(f(i))).collect::<Vec<_>>();
    let mut b = Builder::default();
    b.text("statistic", text(&|i| x[i].statistic.to_string()))
        .text("pact", text(&|i| x[i].pact.clone()))
        .text("state", text(&|i| x[i].state.clone()))
        .text("parameter", text(&|i| x[i].parameter.clone()))
        .float("first", float(&|i| x[i].first))
        .float("first_lo", float(&|i| x[i].first_lo))
        .float("first_hi", float(&|i| x[i].first_hi))
        .float("total", float(&|i| x[i].total))
        .float("total_lo", float(&|i| x[i].total_lo))
        .float("total_hi", float(&|i| x[i].total_hi))
        .float("variance", float(&|i| x[i].variance))
        .int("samples", ints(x.iter().map(|e| e.samples as i64)));
    b.finish()
}

/// fit.csv: point, stage, one column per parameter, distance, targets_met.
pub fn fit_points(r: &pactsim::study::fit::FitResult) -> Result<RecordBatch, ArrowError> {
    let mut b = Builder::default();
    b.int("point", ints(0..r.points.len() as i64))
        .text("stage", r.points.iter().map(|p| Some(p.stage.clone())).collect());
    for (k, p) in r.parameters.iter().enumerate() {
        b.float(&p.label, r.points.iter().map(|x| x.values.get(k).copied()).collect());
    }
    b.float("distance", r.points.iter().map(|p| Some(p.distance)).collect())
        .int("targets_met", ints(r.points.iter().map(|p| p.met as i64)));
    b.finish()
}

/// posterior.csv (ABC): particle, one column per parameter, weight, distance; empty for
/// Nelder–Mead.
pub fn posterior(r: &pactsim::study::fit::FitResult) -> Result<RecordBatch, ArrowError> {
    let empty = pactsim::study::fit::Posterior {
        epsilon: 0.0,
        particles: Vec::new(),
        weights: Vec::new(),
        distances: Vec::new(),
        generations: Vec::new(),
    };
    let post = r.posterior.as_ref().unwrap_or(&empty);
    let mut b = Builder::default();
    b.int("particle", ints(0..post.particles.len() as i64));
    for (k, p) in r.parameters.iter().enumerate() {
        b.float(&p.label, post.particles.iter().map(|x| x.get(k).copied()).collect());
    }
    b.float("weight", post.weights.iter().map(|&w| Some(w)).collect())
        .float("distance", post.distances.iter().map(|&d| Some(d)).collect());
    b.finish()
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// backtest.csv: start_year (a year, `all` or `all_horizon_K`), subset, predictor, pair_years,
/// events, brier, log_loss, brier_skill_vs_persistence (null where not finite, as the CSV's empty
/// cells).
pub fn backtest_scores(bt: &pactsim::backtest::Backtest) -> Result<RecordBatch, ArrowError> {
    use pactsim::backtest::{PREDICTORS, SUBSETS, Scores, skill};
    let mut start = Vec::new();
    let (mut subset, mut predictor, mut n, mut events) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut brier, mut log_loss, mut sk) = (Vec::new(), Vec::new(), Vec::new());
    let mut rows = |label: String, scores: &Scores| {
        for (si, sub) in SUBSETS.iter().enumerate() {
            for (pi, pred) in PREDICTORS.iter().enumerate() {
                let s = &scores[si][pi];
                start.push(Some(label.clone()));
                subset.push(Some(sub.to_string()));
                predictor.push(Some(pred.to_string()));
                n.push(Some(s.n as i64));
                events.push(Some(s.events as i64));
                brier.push(finite(s.brier()));
                log_loss.push(finite(s.log_loss()));
                sk.push(finite(skill(s, &scores[si][1])));
            }
        }
    };
    for s in &bt.starts {
        rows(s.start.to_string(), &s.scores);
    }
    rows("all".to_string(), &bt.total);
    for (k, h) in bt.total_by_horizon.iter().enumerate() {
        rows(format!("all_horizon_{}", k + 1), h);
    }
    let mut b = Builder::default();
    b.text("start_year", start)
        .text("subset", subset)
        .text("predictor", predictor)
        .int("pair_years", n)
        .int("events", events)
        .float("brier", brier)
        .float("log_loss", log_loss)
        .float("brier_skill_vs_persistence", sk);
    b.finish()
}

/// backtest_years.csv: what each start world held and what it could not predict.
pub fn backtest_years(bt: &pactsim::backtest::Backtest) -> Result<RecordBatch, ArrowError> {
    let s = &bt.starts;
    let int = |f: &dyn Fn(&pactsim::backtest::StartResult) -> i64| s.iter().map(|x| Some(f(x))).collect::<Vec<_>>();
    let mut b = Builder::default();
    b.int("start_year", int(&|x| i64::from(x.start)))
        .int("states", int(&|x| x.states as i64))
        .int("pacts", int(&|x| x.pacts as i64))
        .int("rounds", int(&|x| i64::from(x.rounds)))
        .int("entries_observed_at_horizon", int(&|x| x.entries_observed as i64))
        .int("exits_observed_at_horizon", int(&|x| x.exits_observed as i64))
        .int(
            "new_alliance_memberships",
            int(&|x| x.unpredictable.new_alliance_memberships as i64),
        )
        .int("new_state_memberships", int(&|x| x.unpredictable.new_state_memberships as i64))
        .int("departed_state_pairs", int(&|x| x.unpredictable.departed_state_pairs as i64))
        .int("years_past_coverage", int(&|x| x.unpredictable.years_past_coverage as i64))
        .float("annual_exit_rate", s.iter().map(|x| finite(x.annual_exit_rate)).collect())
        .float("annual_entry_rate", s.iter().map(|x| finite(x.annual_entry_rate)).collect())
        .float("seconds", s.iter().map(|x| Some(x.seconds)).collect());
    b.finish()
}
