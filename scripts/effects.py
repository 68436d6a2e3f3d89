#!/usr/bin/env python3
"""Before/after table of a model change on the four shipped scenarios (docs/SCENARIOS.md).

Reads the golden summaries (tests/golden/*.summary.json: each scenario at its own seed, 300 runs)
at git revision BEFORE and in the working tree, and prints a Markdown table of every state-pact
pair in which anything happens (an apply, join or leave in either version): p_final (with the
difference in standard errors of a difference at 300 runs) and the median join date.

    python3 scripts/effects.py [BEFORE [AFTER]]   # default BEFORE = HEAD, AFTER = the working tree
"""
import json
import math
import subprocess
import sys

SCENARIOS = ["finland_sweden", "taiwan_escalation", "gulf_minilaterals", "lithium_triangle"]


def load_rev(rev, name):
    path = f"tests/golden/{name}.summary.json"
    text = subprocess.run(["git", "show", f"{rev}:{path}"], capture_output=True, text=True, check=True).stdout
    return json.loads(text)


def label(summary, r):
    if r is None:
        return "-"
    labels = summary["round_labels"]
    i = int(math.floor(r))
    return labels[i] if 0 <= i < len(labels) else str(r)


def moved(cell):
    a = cell["actions"]
    return a["apply"] + a["join"] + a["leave"] > 0


def main():
    before_rev = sys.argv[1] if len(sys.argv) > 1 else "HEAD"
    after_rev = sys.argv[2] if len(sys.argv) > 2 else None
    print("| scenario | pact | state | p_final before | after | Δ/s.e. | median join before | after |")
    print("|---|---|---|---|---|---|---|---|")
    for name in SCENARIOS:
        before = load_rev(before_rev, name)
        after = load_rev(after_rev, name) if after_rev else json.load(open(f"tests/golden/{name}.summary.json"))
        n = after["runs"]
        for pact, states in after["membership"].items():
            for state, a in states.items():
                b = before["membership"].get(pact, {}).get(state)
                if b is None or not (moved(a) or moved(b)):
                    continue
                pb, pa = b["p_final"], a["p_final"]
                se = math.sqrt((pb * (1 - pb) + pa * (1 - pa)) / n)
                z = (pa - pb) / se if se > 0 else (0.0 if pa == pb else math.inf)
                print(
                    f"| {name} | {pact} | {state} | {pb:.2f} | {pa:.2f} | {z:+.1f} | "
                    f"{label(before, b['join_round_median'])} | {label(after, a['join_round_median'])} |"
                )


if __name__ == "__main__":
    main()
