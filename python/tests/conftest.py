"""Shared fixtures: the repository, the Finland/Sweden scenario and the `pactsim` command line.

The tests compare the package's numbers with the CLI's for the same scenario and seed. The CLI
binary is $PACTSIM_BIN, else target/debug/pactsim or target/release/pactsim under the repository
(`cargo test` and `cargo build` leave it there). Without one the comparisons skip, unless
PACTSIM_REQUIRE_CLI=1 (CI), where they fail.
"""

import csv
import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FS = ROOT / "scenarios" / "finland_sweden.toml"


def cli_binary():
    given = os.environ.get("PACTSIM_BIN")
    if given:
        return Path(given)
    for profile in ("debug", "release"):
        candidate = ROOT / "target" / profile / "pactsim"
        if candidate.is_file():
            return candidate
    return None


@pytest.fixture(scope="session")
def cli():
    """Runs the pactsim CLI with arguments; returns its stdout. Fails the test on an error."""
    binary = cli_binary()
    if binary is None or not binary.is_file():
        message = "no pactsim binary (set PACTSIM_BIN or run `cargo build`)"
        if os.environ.get("PACTSIM_REQUIRE_CLI") == "1":
            pytest.fail(message + "; PACTSIM_REQUIRE_CLI=1")
        pytest.skip(message)

    def run(*args):
        done = subprocess.run(
            [str(binary), *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, f"pactsim {' '.join(map(str, args))}: {done.stderr}"
        return done.stdout

    return run


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def read_json(path):
    with open(path) as f:
        return json.load(f)


def cell(value):
    """A float as the CLI's CSV writes it with six decimals (never `-0.000000`)."""
    text = f"{value:.6f}"
    return "0.000000" if text == "-0.000000" else text
