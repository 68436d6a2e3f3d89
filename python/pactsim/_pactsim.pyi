"""Type stubs of the native module ``pactsim._pactsim`` (Rust, PyO3).

The public API is ``pactsim`` (``pactsim/__init__.py``, typed inline); these are the native
functions it calls and the classes it hands back. Every function that simulates releases the GIL,
reports progress to ``progress(done, total, unit, message)`` and raises ``KeyboardInterrupt`` on
Ctrl-C (the study stops at its next batch, variant, point or start year).
"""

import os
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

__version__: str

_Progress = Optional[Callable[[int, int, str, str], Any]]
_Path = Union[str, "os.PathLike[str]"]

class PactsimError(Exception):
    """An error of pactsim: a bad option, or inputs that do not go together."""

class ScenarioError(PactsimError):
    """A scenario that does not load.

    ``file``: the scenario file (None for an override that cannot be applied); ``line`` and
    ``column``: where in it (1-based; None when unknown); ``message``: the whole message, as the
    command line prints it; ``problems``: for a scenario that parses but says something
    impossible, each problem as a dict with ``line``, ``column``, ``key`` (a ``--set`` path),
    ``message`` and ``set`` (the override that gave the value, or None).
    """

    file: Optional[str]
    line: Optional[int]
    column: Optional[int]
    message: str
    problems: List[Dict[str, Any]]

class ArrowTable:
    """An Arrow table made in Rust; ``pyarrow.table(t)`` and ``polars.DataFrame(t)`` read it
    through the Arrow PyCapsule interface (no copy through Python objects)."""

    @property
    def num_rows(self) -> int: ...
    @property
    def column_names(self) -> List[str]: ...
    def __arrow_c_stream__(self, requested_schema: Optional[object] = None) -> object: ...
    def __len__(self) -> int: ...

class Scenario:
    """A loaded, validated scenario (``pactsim.load``)."""

    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def text(self) -> str:
        """The file's text as read, before the overrides."""
    @property
    def sets(self) -> List[str]:
        """The overrides applied, as ``KEY=VALUE`` strings."""
    @property
    def rounds(self) -> int: ...
    @property
    def runs(self) -> int:
        """The default number of replicates (``[scenario] runs``)."""
    @property
    def seed(self) -> int:
        """The default master seed (``[scenario] seed``)."""
    @property
    def states(self) -> List[str]: ...
    @property
    def pacts(self) -> List[str]: ...
    @property
    def events(self) -> List[str]: ...
    @property
    def round_labels(self) -> List[str]: ...
    @property
    def resolved_toml(self) -> str:
        """The resolved scenario (every default written out): scenario.resolved.toml."""
    @property
    def hash(self) -> str:
        """SHA-256 of the resolved scenario."""
    def with_sets(self, sets: List[str]) -> "Scenario":
        """The same scenario with more overrides, applied after its own."""

def load_file(path: _Path, sets: List[str]) -> Scenario: ...
def load_text(text: str, path: _Path, sets: List[str]) -> Scenario: ...

class RunOutput:
    summary_json: str
    memberships: ArrowTable
    decisions: ArrowTable
    sizes: ArrowTable
    seed: int
    runs: int
    seconds: float

def run(
    scenario: Scenario,
    runs: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    decisions: int = 1000,
    progress: _Progress = None,
) -> RunOutput: ...

class SweepOutput:
    table: ArrowTable
    parameters: List[Tuple[str, str, List[float]]]
    variants: List[List[str]]
    seed: int
    runs: int
    design: str

def sweep(
    scenario: Scenario,
    vary: List[str],
    design: str = "grid",
    samples: int = 64,
    runs: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    progress: _Progress = None,
) -> SweepOutput: ...

class CompareOutput:
    differences: ArrowTable
    summaries: List[Tuple[str, str]]
    seed: int
    runs: int

def compare(
    variants: Sequence[Tuple[str, Scenario]],
    runs: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    progress: _Progress = None,
) -> CompareOutput: ...

class SensitivityOutput:
    effects: ArrowTable
    indices: ArrowTable
    points: ArrowTable
    method: str

def sensitivity(
    scenario: Scenario,
    vary: List[str],
    method: str = "morris",
    trajectories: int = 10,
    levels: int = 4,
    samples: int = 64,
    outcomes: List[str] = ...,
    runs: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    progress: _Progress = None,
) -> SensitivityOutput: ...

class FitOutput:
    summary_json: str
    points: ArrowTable
    posterior: ArrowTable
    fitted_toml: str
    best: List[Tuple[str, float]]

def fit(
    scenario: Scenario,
    vary: List[str],
    method: str = "nelder-mead",
    budget: Optional[int] = None,
    particles: int = 100,
    epsilon: Optional[float] = None,
    runs: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    progress: _Progress = None,
) -> FitOutput: ...

class BacktestOutput:
    summary_json: str
    scores: ArrowTable
    years: ArrowTable

def backtest(
    start: int = 1946,
    end: int = 2016,
    horizon: int = 5,
    step: int = 1,
    region: Optional[str] = None,
    states: Optional[List[str]] = None,
    sets: List[str] = ...,
    runs: int = 100,
    seed: int = 1,
    fit_era: Optional[str] = None,
    test_era: Optional[str] = None,
    data: Optional[_Path] = None,
    threads: Optional[int] = None,
    progress: _Progress = None,
    events: bool = True,
) -> BacktestOutput: ...

def import_year(
    year: int,
    region: Optional[str] = None,
    states: Optional[List[str]] = None,
    round_unit: str = "year",
    rounds: Optional[int] = None,
    runs: int = 200,
    seed: int = 1,
    data: Optional[_Path] = None,
    through: Optional[int] = None,
) -> Tuple[str, int]: ...
