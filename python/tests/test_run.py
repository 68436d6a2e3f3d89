"""pactsim.run: the same numbers as `pactsim run` for the same scenario and seed, tables through
Arrow, threads that do not change the numbers, the GIL released, and Ctrl-C."""

import math
import os
import signal
import threading
import time

import pytest

import pactsim
from conftest import FS, cell, read_csv, read_json

RUNS, SEED = 200, 7


@pytest.fixture(scope="module")
def both(cli, tmp_path_factory):
    """The CLI's run directory and the package's result, same scenario, --set, runs and seed."""
    out = tmp_path_factory.mktemp("cli") / "run"
    cli("run", FS, "--runs", RUNS, "--seed", SEED, "--set", "model.temperature=0.15",
        "--no-charts", "--quiet", "--out", out)
    res = pactsim.run(FS, runs=RUNS, seed=SEED, set={"model.temperature": 0.15})
    return out, res


def test_summary_is_the_cli_summary_json(both):
    out, res = both
    text = (out / "summary.json").read_text()
    assert res.summary_json == text  # byte for byte: the same serialiser
    assert res.summary == read_json(out / "summary.json")
    assert res.summary["runs"] == RUNS and res.summary["seed"] == SEED


def test_memberships_are_memberships_csv(both):
    out, res = both
    rows = read_csv(out / "memberships.csv")
    df = res.memberships
    assert list(df.columns) == list(rows[0].keys())
    assert len(df) == len(rows)
    for (_, got), want in zip(df.iterrows(), rows):
        assert (int(got["round"]), got["label"], got["pact"], got["state"]) == (
            int(want["round"]), want["label"], want["pact"], want["state"])
        # The CSV holds the shortest text that reads back as the same double.
        assert got["p_member"] == float(want["p_member"])


def test_decisions_are_decisions_csv(both):
    out, res = both
    rows = read_csv(out / "decisions.csv")
    df = res.decisions
    assert list(df.columns) == list(rows[0].keys())
    assert len(df) == len(rows) > 0
    text = ["label", "state", "pact", "action"]
    numbers = [c for c in df.columns if c not in text + ["replicate", "round", "applicant"]]
    for record, want in zip(df.to_dict("records"), rows):
        assert (record["replicate"], record["round"]) == (int(want["replicate"]), int(want["round"]))
        assert [record[c] for c in text] == [want[c] for c in text]
        applicant = record["applicant"]
        assert ("" if applicant is None or applicant != applicant else applicant) == want["applicant"]
        # The CSV rounds to six decimals; the table has the full doubles, which round to it.
        assert [cell(record[c]) for c in numbers] == [want[c] for c in numbers]


def test_sizes_are_the_summary_sizes(both):
    _, res = both
    df = res.sizes
    for pact in res.summary["pacts"]:
        rows = df[df["pact"] == pact["id"]]
        assert rows["size_median"].tolist() == pact["size_median"]
        assert rows["size_p05"].tolist() == pact["size_p05"]
        assert rows["size_p95"].tolist() == pact["size_p95"]
        assert rows["label"].tolist() == res.summary["round_labels"]


def test_threads_do_not_change_the_numbers():
    one = pactsim.run(FS, runs=300, seed=11, threads=1)
    two = pactsim.run(FS, runs=300, seed=11, threads=2)
    assert one.summary_json == two.summary_json
    assert one.decisions.equals(two.decisions)
    other = pactsim.run(FS, runs=300, seed=12, threads=2)
    assert other.summary_json != one.summary_json


def test_defaults_are_the_scenarios_own_and_frames_agree():
    sc = pactsim.load(FS, set={"scenario.runs": 120})
    res = pactsim.run(sc, decisions=5, frame="polars")
    assert (res.runs, res.seed) == (120, sc.seed)
    pl = res.memberships
    pd = pactsim.to_frame(res.table("memberships"), "pandas")
    assert pl.columns == list(pd.columns) and pl.height == len(pd)
    assert pl["p_member"].to_list() == pd["p_member"].tolist()
    assert set(res.decisions["replicate"].unique().to_list()) <= set(range(5))
    arrow = pactsim.to_frame(res.table("sizes"), "arrow")
    assert arrow.schema.field("size_median").type == "int64"
    assert str(arrow.schema.field("label").type) == "string"


def test_the_gil_is_released_while_simulating():
    ticks = []
    stop = threading.Event()

    def count():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.001)

    t = threading.Thread(target=count)
    t.start()
    try:
        t0 = time.perf_counter()
        pactsim.run(FS, runs=3000, seed=1, threads=1, decisions=0)
        elapsed = time.perf_counter() - t0
    finally:
        stop.set()
        t.join()
    assert elapsed > 0.2, "the run was too short to tell"
    # With the GIL held for the whole run the counter would not move at all.
    assert len(ticks) > 0.2 * elapsed / 0.001 * 0.1, (len(ticks), elapsed)


def test_ctrl_c_stops_a_run_between_batches():
    seen = []

    def progress(done, total, unit, message):
        seen.append((done, total))

    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    t0 = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        pactsim.run(FS, runs=200_000, seed=1, threads=1, decisions=0, progress=progress)
    elapsed = time.perf_counter() - t0
    timer.cancel()
    assert seen, "no progress was reported"
    done, total = seen[-1]
    assert total == 200_000
    assert 0 < done < total, seen[-3:]
    # It stops at the end of the batch (a twentieth of the run) under way at the Ctrl-C, not at
    # the end of the run (which would take minutes on one thread).
    assert done <= 2 * math.ceil(total / 20), done
    assert elapsed < 0.5 + 60, elapsed


def test_progress_reaches_the_total():
    seen = []
    pactsim.run(FS, runs=150, seed=1, progress=lambda *a: seen.append(a))
    assert seen[-1][:3] == (150, 150, "replicates")
    assert seen[-1][3] == "Finland and Sweden join NATO"


def test_progress_true_draws_a_tqdm_bar(capsys):
    pytest.importorskip("tqdm")
    res = pactsim.run(FS, runs=100, seed=1, progress=True)
    assert res.runs == 100
    err = capsys.readouterr().err
    assert "100/100" in err and "replicates" in err, err
