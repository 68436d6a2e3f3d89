"""pactsim: an alliance scenario simulator, from Python.

Load a scenario, run it and its studies, and get the results as dicts and DataFrames. The numbers
are those of the ``pactsim`` command line for the same scenario, overrides and seed: the same
library does the work (in Rust, with the GIL released), and ``Result.summary`` is parsed from the
very text ``pactsim run`` writes to ``summary.json``.

>>> import pactsim
>>> sc = pactsim.load("scenarios/finland_sweden.toml", set={"model.temperature": 0.2})
>>> res = pactsim.run(sc, runs=200, seed=7)
>>> res.summary["membership"]["NATO"]["FIN"]["p_final"]   # doctest: +SKIP
1.0
>>> res.memberships.head()                                  # a pandas DataFrame  # doctest: +SKIP
>>> sw = pactsim.sweep(sc, vary=["model.bloc_threat=0..1:5"], runs=200)
>>> sw.table.query("pact == 'NATO' and state == 'SWE'")     # doctest: +SKIP

Tables come through Arrow (the Arrow C stream interface, no CSV): ``frame="pandas"`` (the
default), ``"polars"`` or ``"arrow"`` (a ``pyarrow.Table``) chooses what they become; pandas and
polars need pyarrow or polars installed. Ctrl-C stops a run or study cleanly (between batches of
replicates, or between variants) and raises ``KeyboardInterrupt``. ``progress=True`` shows a tqdm
bar (in notebooks too) when tqdm is installed; a callable receives
``(done, total, unit, message)`` about ten times a second.
"""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from . import _pactsim
from ._pactsim import ArrowTable, PactsimError, Scenario, ScenarioError

__version__: str = _pactsim.__version__

__all__ = [
    "load",
    "run",
    "sweep",
    "compare",
    "sensitivity",
    "fit",
    "backtest",
    "import_year",
    "Scenario",
    "Result",
    "Sweep",
    "Comparison",
    "Sensitivity",
    "Fit",
    "Backtest",
    "ArrowTable",
    "PactsimError",
    "ScenarioError",
    "to_frame",
]

Sets = Union[Mapping[str, Any], Sequence[str], None]
ProgressArg = Union[bool, Callable[[int, int, str, str], Any], None]
FRAMES = ("pandas", "polars", "arrow")


def _set_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_item(v) for v in value) + "]"
    return str(value)


def _toml_item(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    return _set_value(value)


def _sets(set: Sets) -> List[str]:
    """``{"model.temperature": 0.3}`` or ``["model.temperature=0.3"]`` as ``KEY=VALUE`` strings."""
    if set is None:
        return []
    if isinstance(set, str):
        return [set]
    if isinstance(set, Mapping):
        return [f"{key}={_set_value(value)}" for key, value in set.items()]
    return [str(s) for s in set]


def load(path_or_text: Union[str, "os.PathLike[str]"], set: Sets = None) -> Scenario:
    """Load and validate a scenario, with overrides applied.

    ``path_or_text`` is a path to a TOML file (a ``str`` or ``pathlib.Path``), or the TOML text
    itself (a ``str`` with a newline in it). ``set`` overrides values by the dotted paths of
    ``pactsim run --set``: a dict ``{"state.FIN.neutrality": 0.9}`` or a list of ``"KEY=VALUE"``
    strings. Booleans become ``true``/``false``.

    Raises ``ScenarioError`` (with ``.file``, ``.line``, ``.column``, ``.message`` and
    ``.problems``) when the scenario does not load.

    >>> sc = pactsim.load("scenarios/finland_sweden.toml", set={"event.invasion.enabled": False})
    >>> sc.pacts                                    # doctest: +SKIP
    ['NATO', 'NORDEFCO', ...]
    >>> pactsim.load('[scenario]\\nname = "x"\\n')  # doctest: +SKIP
    Traceback (most recent call last):
    pactsim.ScenarioError: <text>.toml is not a valid scenario: ...
    """
    sets = _sets(set)
    if isinstance(path_or_text, str) and "\n" in path_or_text:
        return _pactsim.load_text(path_or_text, os.path.join(os.getcwd(), "<text>.toml"), sets)
    return _pactsim.load_file(os.fspath(path_or_text), sets)


def _scenario(scenario: Union[Scenario, str, "os.PathLike[str]"], set: Sets = None) -> Scenario:
    if isinstance(scenario, Scenario):
        extra = _sets(set)
        return scenario.with_sets(extra) if extra else scenario
    return load(scenario, set)


def to_frame(table: ArrowTable, frame: str = "pandas") -> Any:
    """An Arrow table from pactsim as a pandas or polars DataFrame or a ``pyarrow.Table``."""
    _check_frame(frame)
    try:
        if frame == "arrow":
            import pyarrow as pa

            return pa.table(table)
        if frame == "polars":
            import polars as pl

            return pl.DataFrame(table)
        import pyarrow as pa

        return pa.table(table).to_pandas()
    except ImportError as e:
        raise ImportError(
            f"frame={frame!r} needs {e.name}: `pip install {e.name}`, or choose another frame "
            f"({', '.join(map(repr, FRAMES))}); the Arrow table itself is `.table(name)`"
        ) from e


class _Bar:
    """A tqdm bar (tqdm.auto: a widget in notebooks) fed by the native progress callback."""

    def __init__(self) -> None:
        from tqdm.auto import tqdm

        self._tqdm = tqdm
        self._bar: Any = None
        self._key: Tuple[int, str] = (-1, "")

    def __call__(self, done: int, total: int, unit: str, message: str) -> None:
        if self._bar is None or self._key != (total, unit):
            self.close()
            self._bar = self._tqdm(total=total, unit=" " + unit if unit else "it", desc=message or None)
            self._key = (total, unit)
        if message and self._bar.desc != message:
            self._bar.set_description(message, refresh=False)
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _progress(progress: ProgressArg) -> Tuple[Optional[Callable[..., Any]], Optional[_Bar]]:
    if progress is None or progress is False:
        return None, None
    if progress is True:
        try:
            bar = _Bar()
        except ImportError:
            return None, None
        return bar, bar
    if callable(progress):
        return progress, None
    raise TypeError("progress: give True, False, None or a callable(done, total, unit, message)")


def _call(fn: Callable[..., Any], progress: ProgressArg, **kwargs: Any) -> Any:
    callback, bar = _progress(progress)
    try:
        return fn(progress=callback, **kwargs)
    finally:
        if bar is not None:
            bar.close()


def _check_frame(frame: str) -> str:
    if frame not in FRAMES:
        raise ValueError(f"frame {frame!r}: give one of {', '.join(map(repr, FRAMES))}")
    return frame


class Result:
    """A run: ``summary`` (summary.json as a dict) and tables as DataFrames.

    ``memberships``: round, label, pact, state, p_member (memberships.csv).
    ``decisions``: every decision of the first ``decisions`` replicates (decisions.csv, with the
    full doubles where the CSV keeps 6 decimals; ``applicant`` is null where the CSV is empty).
    ``sizes``: round, label, pact, size_p05, size_median, size_p95 (the pacts' sizes across
    replicates, from summary.json).
    ``summary_json`` is the text ``pactsim run`` writes to summary.json, byte for byte.
    """

    def __init__(self, scenario: Scenario, out: Any, frame: str) -> None:
        self.scenario = scenario
        self._out = out
        self.frame = frame
        self.summary_json: str = out.summary_json
        self.summary: Dict[str, Any] = json.loads(out.summary_json)
        self.seed: int = out.seed
        self.runs: int = out.runs
        self.seconds: float = out.seconds

    def table(self, name: str) -> ArrowTable:
        """The Arrow table ``name`` (memberships, decisions or sizes), for any Arrow reader."""
        if name not in ("memberships", "decisions", "sizes"):
            raise ValueError(f"no table {name!r}: memberships, decisions, sizes")
        return getattr(self._out, name)

    @property
    def memberships(self) -> Any:
        return to_frame(self._out.memberships, self.frame)

    @property
    def decisions(self) -> Any:
        return to_frame(self._out.decisions, self.frame)

    @property
    def sizes(self) -> Any:
        return to_frame(self._out.sizes, self.frame)

    def p_final(self, pact: str, state: str) -> float:
        """P(``state`` is in ``pact`` after the last round)."""
        return self.summary["membership"][pact][state]["p_final"]

    def __repr__(self) -> str:
        return f"<pactsim.Result {self.summary['scenario']!r}: {self.runs} replicates, seed {self.seed}>"


def run(
    scenario: Union[Scenario, str, "os.PathLike[str]"],
    runs: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    *,
    set: Sets = None,
    decisions: int = 1000,
    frame: str = "pandas",
    progress: ProgressArg = None,
) -> Result:
    """Run a scenario's Monte Carlo replicates, as ``pactsim run``.

    ``runs`` and ``seed`` default to the scenario's own. ``threads`` caps the worker threads
    (None: every core); the numbers do not depend on it. ``decisions`` keeps the decisions of the
    first N replicates (``pactsim run --decisions N``). A path is loaded first (with ``set``).

    >>> res = pactsim.run("scenarios/finland_sweden.toml", runs=200, seed=7)
    >>> res.summary["runs"]
    200
    >>> res.memberships.query("pact == 'NATO' and state == 'SWE'").tail(1)  # doctest: +SKIP
    """
    sc = _scenario(scenario, set)
    out = _call(_pactsim.run, progress, scenario=sc, runs=runs, seed=seed, threads=threads, decisions=decisions)
    return Result(sc, out, _check_frame(frame))


class Sweep:
    """A sweep: ``table`` (sweep.csv's rows as a DataFrame: variant, one column per parameter,
    pact, state, p_final, p_final_se, join_round_median, p_formed; full doubles),
    ``parameters`` (label, path, values), ``variants`` (each variant's overrides)."""

    def __init__(self, out: Any, frame: str) -> None:
        self._out = out
        self.frame = frame
        self.parameters: List[Tuple[str, str, List[float]]] = out.parameters
        self.variants: List[List[str]] = out.variants
        self.seed: int = out.seed
        self.runs: int = out.runs
        self.design: str = out.design

    @property
    def table(self) -> Any:
        return to_frame(self._out.table, self.frame)

    def arrow(self) -> ArrowTable:
        return self._out.table

    def __repr__(self) -> str:
        labels = ", ".join(p[0] for p in self.parameters)
        return f"<pactsim.Sweep of {labels}: {len(self.variants)} variants × {self.runs} replicates, seed {self.seed}>"


def sweep(
    scenario: Union[Scenario, str, "os.PathLike[str]"],
    vary: Union[str, Sequence[str], Mapping[str, Any]],
    *,
    design: str = "grid",
    samples: int = 64,
    runs: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    set: Sets = None,
    frame: str = "pandas",
    progress: ProgressArg = None,
) -> Sweep:
    """Run every variant of a design on common random numbers, as ``pactsim sweep``.

    ``vary`` takes the specs of ``--vary``: ``"model.temperature=0.05..0.4:8"``,
    ``"pact.NATO.binding=0.5,0.75,1"``, ``"state.*.support.sensitivity=*0.5..*1.5:5"``; or a
    dict ``{"model.bloc_threat": [0, 0.5, 1]}`` (a list of values) or
    ``{"model.bloc_threat": "0..1:5"}``. ``design`` is ``"grid"``, ``"lhs"`` or ``"sobol"``
    (``samples`` points).

    >>> sw = pactsim.sweep("scenarios/finland_sweden.toml", vary="model.bloc_threat=0..1:5", runs=200)
    >>> sw.table.pivot_table(index="model.bloc_threat", columns="state", values="p_final")  # doctest: +SKIP
    """
    sc = _scenario(scenario, set)
    out = _call(
        _pactsim.sweep,
        progress,
        scenario=sc,
        vary=_varies(vary),
        design=design,
        samples=samples,
        runs=runs,
        seed=seed,
        threads=threads,
    )
    return Sweep(out, _check_frame(frame))


def _varies(vary: Union[str, Sequence[str], Mapping[str, Any]]) -> List[str]:
    if isinstance(vary, str):
        return [vary]
    if isinstance(vary, Mapping):
        specs = []
        for path, values in vary.items():
            if isinstance(values, str):
                specs.append(f"{path}={values}")
            elif isinstance(values, (list, tuple)):
                specs.append(f"{path}=" + ",".join(_set_value(v) for v in values))
            else:
                specs.append(f"{path}={_set_value(values)}")
        return specs
    return [str(v) for v in vary]


class Comparison:
    """A comparison: ``differences`` (compare.csv: variant_a, variant_b, pact, state, p_final_a,
    p_final_b, difference; each variant against the first, largest difference first) and
    ``summaries`` (each variant's summary.json as a dict, by name, in order)."""

    def __init__(self, out: Any, frame: str) -> None:
        self._out = out
        self.frame = frame
        self.summaries: Dict[str, Dict[str, Any]] = {name: json.loads(text) for name, text in out.summaries}
        self.seed: int = out.seed
        self.runs: int = out.runs

    @property
    def differences(self) -> Any:
        return to_frame(self._out.differences, self.frame)

    @property
    def names(self) -> List[str]:
        return list(self.summaries)

    def __repr__(self) -> str:
        return f"<pactsim.Comparison of {', '.join(self.names)}: {self.runs} replicates, seed {self.seed}>"


def compare(
    scenario: Union[Scenario, str, "os.PathLike[str]", Sequence[Union[Scenario, str, "os.PathLike[str]"]]],
    variants: Optional[Mapping[str, Sets]] = None,
    *,
    runs: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    set: Sets = None,
    base: Optional[str] = None,
    frame: str = "pandas",
    progress: ProgressArg = None,
) -> Comparison:
    """Compare variants on common random numbers, as ``pactsim compare``.

    Either one scenario and ``variants`` (name → overrides, as ``--variant NAME:KEY=VALUE``; the
    scenario itself is the first variant, named ``base`` or else by its file stem, as the CLI
    names it), or a list of scenarios (or paths), named by their file stems. Every variant runs the same replicates from the same seed (the
    first scenario's unless given).

    >>> cmp = pactsim.compare("scenarios/finland_sweden.toml",
    ...                       {"no-invasion": {"event.invasion.enabled": False}}, runs=200)
    >>> cmp.differences.head()  # doctest: +SKIP
    """
    pairs: List[Tuple[str, Scenario]] = []
    if isinstance(scenario, (list, tuple)):
        if variants:
            raise PactsimError("variants need exactly one scenario (got a list)")
        for item in scenario:
            sc = _scenario(item, set)
            stem = _stem(sc)
            name, k = stem, 2
            while name in [n for n, _ in pairs]:
                name, k = f"{stem}-{k}", k + 1
            pairs.append((name, sc))
    else:
        sc = _scenario(scenario, set)
        pairs.append((base or _stem(sc), sc))
        for name, sets in (variants or {}).items():
            pairs.append((name, sc.with_sets(_sets(sets))))
    out = _call(_pactsim.compare, progress, variants=pairs, runs=runs, seed=seed, threads=threads)
    return Comparison(out, _check_frame(frame))


def _stem(sc: Scenario) -> str:
    return os.path.splitext(os.path.basename(os.fspath(sc.path)))[0]


class Sensitivity:
    """A sensitivity study: ``effects`` (Morris: statistic, pact, state, parameter, mu, mu_star,
    sigma, n), ``indices`` (Sobol: first and total indices with 95% intervals, variance,
    samples) and ``points`` (every point of the design, as a sweep's table)."""

    def __init__(self, out: Any, frame: str) -> None:
        self._out = out
        self.frame = frame
        self.method: str = out.method

    @property
    def effects(self) -> Any:
        return to_frame(self._out.effects, self.frame)

    @property
    def indices(self) -> Any:
        return to_frame(self._out.indices, self.frame)

    @property
    def points(self) -> Any:
        return to_frame(self._out.points, self.frame)


def sensitivity(
    scenario: Union[Scenario, str, "os.PathLike[str]"],
    vary: Union[str, Sequence[str], Mapping[str, Any]],
    *,
    method: str = "morris",
    trajectories: int = 10,
    levels: int = 4,
    samples: int = 64,
    outcomes: Sequence[str] = (),
    runs: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    set: Sets = None,
    frame: str = "pandas",
    progress: ProgressArg = None,
) -> Sensitivity:
    """Screen which assumptions matter, as ``pactsim sensitivity``: Morris elementary effects
    (``method="morris"``, ``trajectories``, ``levels``) or Sobol indices (``method="sobol"``,
    ``samples`` base samples). ``vary`` gives ranges: ``"model.temperature=0.05..0.4"``.

    >>> s = pactsim.sensitivity("scenarios/finland_sweden.toml",
    ...                         ["model.temperature=0.05..0.4", "model.bloc_threat=0..1"],
    ...                         trajectories=4, runs=100)
    >>> s.effects.sort_values("mu_star", ascending=False).head()  # doctest: +SKIP
    """
    sc = _scenario(scenario, set)
    out = _call(
        _pactsim.sensitivity,
        progress,
        scenario=sc,
        vary=_varies(vary),
        method=method,
        trajectories=trajectories,
        levels=levels,
        samples=samples,
        outcomes=list(outcomes),
        runs=runs,
        seed=seed,
        threads=threads,
    )
    return Sensitivity(out, _check_frame(frame))


class Fit:
    """A fit: ``summary`` (fit.json as a dict: fitted values, posterior summaries, targets before
    and after), ``points`` (fit.csv: every point run), ``posterior`` (posterior.csv: the ABC
    particles; no rows for Nelder–Mead), ``best`` (label → value), ``fitted_toml`` (fitted.toml's
    text) and ``fitted`` (that scenario, loaded)."""

    def __init__(self, scenario: Scenario, out: Any, frame: str) -> None:
        self._out = out
        self._scenario = scenario
        self.frame = frame
        self.summary: Dict[str, Any] = json.loads(out.summary_json)
        self.best: Dict[str, float] = dict(out.best)
        self.fitted_toml: str = out.fitted_toml

    @property
    def points(self) -> Any:
        return to_frame(self._out.points, self.frame)

    @property
    def posterior(self) -> Any:
        return to_frame(self._out.posterior, self.frame)

    @property
    def fitted(self) -> Scenario:
        """The fitted scenario (fitted.toml), read as if it lay beside the original file."""
        where = os.path.join(os.path.dirname(os.fspath(self._scenario.path)), "fitted.toml")
        return _pactsim.load_text(self.fitted_toml, where, [])

    def __repr__(self) -> str:
        best = ", ".join(f"{k} = {v:.4g}" for k, v in self.best.items())
        return f"<pactsim.Fit ({self.summary['method']}): {best}; distance {self.summary['distance_before']:.3g} -> {self.summary['distance_after']:.3g}>"


def fit(
    scenario: Union[Scenario, str, "os.PathLike[str]"],
    vary: Union[str, Sequence[str], Mapping[str, Any]],
    *,
    method: str = "nelder-mead",
    budget: Optional[int] = None,
    particles: int = 100,
    epsilon: Optional[float] = None,
    runs: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    set: Sets = None,
    frame: str = "pandas",
    progress: ProgressArg = None,
) -> Fit:
    """Fit the ``vary`` ranges to the scenario's ``[[target]]``s, as ``pactsim fit``:
    ``method="nelder-mead"`` (a Sobol search, then a simplex) or ``"abc"`` (ABC sequential Monte
    Carlo with ``particles`` down to ``epsilon``). ``budget`` caps the points run.

    >>> f = pactsim.fit("scenarios/finland_sweden.toml",
    ...                 ["model.ratification_rate=0.1..0.6"], budget=12, runs=100)
    >>> f.best                                    # doctest: +SKIP
    {'model.ratification_rate': 0.31...}
    >>> pactsim.run(f.fitted, runs=200).summary["targets"]  # doctest: +SKIP
    """
    sc = _scenario(scenario, set)
    out = _call(
        _pactsim.fit,
        progress,
        scenario=sc,
        vary=_varies(vary),
        method=method,
        budget=budget,
        particles=particles,
        epsilon=epsilon,
        runs=runs,
        seed=seed,
        threads=threads,
    )
    return Fit(sc, out, _check_frame(frame))


class Backtest:
    """A backtest: ``summary`` (backtest.json as a dict; for an era split, era_split.json),
    ``scores`` (backtest.csv: Brier and log loss by start year, subset and predictor, then the
    totals) and ``years`` (backtest_years.csv). For an era split the tables are the fitted
    model's on the test era."""

    def __init__(self, out: Any, frame: str) -> None:
        self._out = out
        self.frame = frame
        self.summary: Dict[str, Any] = json.loads(out.summary_json)

    @property
    def scores(self) -> Any:
        return to_frame(self._out.scores, self.frame)

    @property
    def years(self) -> Any:
        return to_frame(self._out.years, self.frame)


def _selection(region: Optional[str], states: Optional[Sequence[str]]) -> Dict[str, Any]:
    return {"region": region, "states": list(states) if states is not None else None}


def backtest(
    start: int = 1946,
    end: int = 2016,
    *,
    horizon: int = 5,
    step: int = 1,
    region: Optional[str] = None,
    states: Optional[Sequence[str]] = None,
    set: Sets = None,
    runs: int = 100,
    seed: int = 1,
    fit_era: Optional[str] = None,
    test_era: Optional[str] = None,
    data: Optional[Union[str, "os.PathLike[str]"]] = None,
    threads: Optional[int] = None,
    frame: str = "pandas",
    progress: ProgressArg = None,
    events: bool = True,
) -> Backtest:
    """Backtest the model on alliance history (ATOP), as ``pactsim backtest --from START --to
    END``: import each start year, play ``horizon`` yearly rounds, score against what happened,
    against persistence and base rates. ``fit_era="1816-1945", test_era="1946-2011"`` fits the
    global weights on one era and scores the other. ``data`` is a directory of the data files
    (default: the built-in data). Each start world plays the dated events of its horizon
    (``pactsim import --through``); ``events=False`` keeps it as it was on the start date
    (``--no-events``).

    >>> bt = pactsim.backtest(1950, 1960, horizon=3, region="europe", runs=50)
    >>> bt.scores.query("start_year == 'all' and subset == 'all'")  # doctest: +SKIP
    """
    out = _call(
        _pactsim.backtest,
        progress,
        start=start,
        end=end,
        horizon=horizon,
        step=step,
        sets=_sets(set),
        runs=runs,
        seed=seed,
        fit_era=fit_era,
        test_era=test_era,
        data=os.fspath(data) if data is not None else None,
        threads=threads,
        events=events,
        **_selection(region, states),
    )
    return Backtest(out, _check_frame(frame))


def import_year(
    year: int,
    *,
    region: Optional[str] = None,
    states: Optional[Sequence[str]] = None,
    round_unit: str = "year",
    rounds: Optional[int] = None,
    runs: int = 200,
    seed: int = 1,
    data: Optional[Union[str, "os.PathLike[str]"]] = None,
    set: Sets = None,
    through: Optional[int] = None,
) -> Scenario:
    """The state system of ``year`` (as on 31 December) as a scenario, as ``pactsim import``:
    states, capabilities, relations and alliances from COW, ATOP, V-Dem/Polity2 and the
    Thompson–Dreyer rivalries (built in, or ``data``). Select ``region`` (e.g. ``"europe"``) or
    ``states`` (COW abbreviations), or neither for every state. ``Scenario.text`` is the TOML
    ``pactsim import --out`` writes. ``through=Y2`` adds the dated events of the years after
    ``year`` through Y2 (``pactsim import --through``; rounds up to its end unless given).

    >>> sc = pactsim.import_year(1955, region="europe")
    >>> pactsim.run(sc, runs=100).summary["pacts"][0]["id"]  # doctest: +SKIP
    """
    text, _left_out = _pactsim.import_year(
        year,
        round_unit=round_unit,
        rounds=rounds,
        runs=runs,
        seed=seed,
        data=os.fspath(data) if data is not None else None,
        through=through,
        **_selection(region, states),
    )
    return _pactsim.load_text(text, os.path.join(os.getcwd(), f"import-{year}.toml"), _sets(set))
