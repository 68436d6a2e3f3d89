"""sweep, compare and sensitivity: the same numbers as the CLI's for the same options."""

import pytest

import pactsim
from conftest import FS, read_csv, read_json


def cell(value):
    """A float as the CLI writes it with `{:.6}` (Python's `.6f` rounds the same exact way)."""
    return f"{value:.6f}"


def test_sweep_is_the_cli_sweep_csv(cli, tmp_path):
    out = tmp_path / "sweep"
    cli("sweep", FS, "--vary", "model.bloc_threat=0..1:3", "--vary", "pact.NATO.binding=0.5,1",
        "--runs", 100, "--seed", 5, "--no-charts", "--quiet", "--out", out)
    sw = pactsim.sweep(FS, ["model.bloc_threat=0..1:3", "pact.NATO.binding=0.5,1"], runs=100, seed=5)
    rows = read_csv(out / "sweep.csv")
    df = sw.table
    assert list(df.columns) == list(rows[0].keys())
    assert len(df) == len(rows) == 6 * 16 * len(pactsim.load(FS).pacts)
    manifest = read_json(out / "sweep.json")
    assert sw.variants == [v["sets"] for v in manifest["variants"]]
    assert [p[0] for p in sw.parameters] == [p["label"] for p in manifest["parameters"]]
    for record, want in zip(df.to_dict("records"), rows):
        assert (record["variant"], record["pact"], record["state"]) == (
            int(want["variant"]), want["pact"], want["state"])
        for label in ("model.bloc_threat", "pact.NATO.binding"):
            assert record[label] == float(want[label])
        for c in ("p_final", "p_final_se", "p_formed"):
            assert cell(record[c]) == want[c]
        if want["join_round_median"] == "":
            assert record["join_round_median"] != record["join_round_median"]  # NaN: null
        else:
            assert record["join_round_median"] == float(want["join_round_median"])


def test_sweep_takes_a_dict_and_a_sampled_design():
    a = pactsim.sweep(FS, {"model.bloc_threat": [0, 0.5, 1]}, runs=50, seed=3)
    b = pactsim.sweep(FS, "model.bloc_threat=0,0.5,1", runs=50, seed=3)
    assert a.table.equals(b.table)
    lhs = pactsim.sweep(FS, ["model.bloc_threat=0..1", "model.temperature=0.05..0.3"],
                        design="lhs", samples=4, runs=30, frame="polars")
    assert lhs.table["variant"].n_unique() == 4 and len(lhs.variants) == 4
    with pytest.raises(ValueError, match="grid"):
        pactsim.sweep(FS, "model.bloc_threat=0..1", design="cube")
    with pytest.raises(pactsim.PactsimError):
        pactsim.sweep(FS, "model.bloc_threat", runs=10)


def test_a_sweep_point_out_of_range_names_the_point():
    with pytest.raises(pactsim.ScenarioError) as info:
        pactsim.sweep(FS, "state.FIN.neutrality=0.5,1.5", runs=10)
    assert "variant 1" in str(info.value) and "1.5" in str(info.value)


def test_compare_is_the_cli_compare(cli, tmp_path):
    out = tmp_path / "cmp"
    cli("compare", FS, "--variant", "no-invasion:event.invasion.enabled=false",
        "--variant", "loose:pact.NATO.binding=0.4", "--runs", 120, "--seed", 9, "--out", out)
    cmp = pactsim.compare(FS, {"no-invasion": {"event.invasion.enabled": False},
                               "loose": {"pact.NATO.binding": 0.4}}, runs=120, seed=9)
    assert cmp.names == ["finland_sweden", "no-invasion", "loose"]
    for name in cmp.names:
        assert cmp.summaries[name] == read_json(out / "variants" / name / "summary.json")
    rows = read_csv(out / "compare.csv")
    df = cmp.differences
    assert list(df.columns) == list(rows[0].keys())
    assert len(df) == len(rows)
    for record, want in zip(df.to_dict("records"), rows):
        assert [record[c] for c in ("variant_a", "variant_b", "pact", "state")] == [
            want[c] for c in ("variant_a", "variant_b", "pact", "state")]
        for c in ("p_final_a", "p_final_b", "difference"):
            assert record[c] == float(want[c])


def test_compare_of_a_variant_is_a_run_of_it():
    cmp = pactsim.compare([FS, pactsim.load(FS, set={"model.temperature": 0.3})], runs=80, seed=4)
    assert cmp.names == ["finland_sweden", "finland_sweden-2"]
    alone = pactsim.run(FS, runs=80, seed=4, set={"model.temperature": 0.3})
    assert cmp.summaries["finland_sweden-2"] == alone.summary
    with pytest.raises(pactsim.PactsimError, match="at least two"):
        pactsim.compare(FS, {}, runs=10)


def test_morris_sensitivity_is_the_cli_sensitivity_csv(cli, tmp_path):
    out = tmp_path / "sens"
    vary = ["model.temperature=0.05..0.4", "model.bloc_threat=0..1"]
    cli("sensitivity", FS, *[a for v in vary for a in ("--vary", v)], "--trajectories", 3,
        "--runs", 60, "--seed", 2, "--no-charts", "--quiet", "--out", out)
    s = pactsim.sensitivity(FS, vary, trajectories=3, runs=60, seed=2)
    rows = read_csv(out / "sensitivity.csv")
    df = s.effects
    assert list(df.columns) == list(rows[0].keys())
    assert len(df) == len(rows) > 0
    for record, want in zip(df.to_dict("records"), rows):
        assert [record[c] for c in ("statistic", "pact", "state", "parameter")] == [
            want[c] for c in ("statistic", "pact", "state", "parameter")]
        assert int(record["n"]) == int(want["n"])
        for c in ("mu", "mu_star", "sigma"):
            assert cell(record[c]) == want[c], (c, record, want)
    assert len(s.points) == len(read_csv(out / "sweep.csv"))
    assert len(s.indices) == 0


def test_fit_is_the_cli_fit(cli, tmp_path):
    out = tmp_path / "fit"
    cli("fit", FS, "--vary", "model.ratification_rate=0.1..0.6", "--budget", 8, "--runs", 40,
        "--seed", 3, "--no-charts", "--quiet", "--out", out)
    f = pactsim.fit(FS, "model.ratification_rate=0.1..0.6", budget=8, runs=40, seed=3)
    assert f.summary == read_json(out / "fit.json")
    assert f.fitted_toml == (out / "fitted.toml").read_text()
    rows = read_csv(out / "fit.csv")
    df = f.points
    assert list(df.columns) == list(rows[0].keys())
    assert len(df) == len(rows) > 1
    for record, want in zip(df.to_dict("records"), rows):
        assert record["stage"] == want["stage"]
        assert record["model.ratification_rate"] == float(want["model.ratification_rate"])
        assert cell(record["distance"]) == want["distance"]
        assert record["targets_met"] == int(want["targets_met"])
    assert f.best == {"model.ratification_rate": f.summary["fitted"][0]["value"]}
    # fitted.toml is the scenario with the best point in place.
    best = f.best["model.ratification_rate"]
    assert f.fitted.hash == pactsim.load(FS, set={"model.ratification_rate": repr(best)}).hash
    assert len(f.posterior) == 0


def test_backtest_is_the_cli_backtest(cli, tmp_path):
    out = tmp_path / "bt"
    args = ["--from", 1950, "--to", 1952, "--horizon", 2, "--region", "europe", "--runs", 20, "--seed", 4]
    cli("backtest", *args, "--no-charts", "--quiet", "--out", out)
    bt = pactsim.backtest(1950, 1952, horizon=2, region="europe", runs=20, seed=4)
    want = read_json(out / "backtest.json")
    got = dict(bt.summary)
    # Only the clock differs.
    for d in [got, want] + got["starts"] + want["starts"]:
        d.pop("seconds")
    assert got == want
    rows = read_csv(out / "backtest.csv")
    df = bt.scores
    assert list(df.columns) == list(rows[0].keys())
    assert len(df) == len(rows)
    for record, row in zip(df.to_dict("records"), rows):
        assert [record[c] for c in ("start_year", "subset", "predictor")] == [
            row[c] for c in ("start_year", "subset", "predictor")]
        assert (record["pair_years"], record["events"]) == (int(row["pair_years"]), int(row["events"]))
        for c in ("brier", "log_loss", "brier_skill_vs_persistence"):
            value = record[c]
            assert ("" if value != value else cell(value)) == row[c]
    years = read_csv(out / "backtest_years.csv")
    assert bt.years["start_year"].tolist() == [int(r["start_year"]) for r in years]
    assert bt.years["states"].tolist() == [int(r["states"]) for r in years]


def test_import_year_is_the_cli_import(cli, tmp_path):
    out = tmp_path / "europe1955.toml"
    cli("import", "--year", 1955, "--region", "europe", "--out", out)
    sc = pactsim.import_year(1955, region="europe")
    assert sc.text == out.read_text()
    assert sc.hash == pactsim.load(out).hash
    assert "NATO" in sc.pacts
    with pytest.raises(pactsim.PactsimError, match="region"):
        pactsim.import_year(1955, region="atlantis")
