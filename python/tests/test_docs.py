"""docs/PYTHON.md's worked example runs and prints what the page says it prints."""

import contextlib
import io
import os
import re

import pytest

from conftest import ROOT


def example():
    doc = (ROOT / "docs" / "PYTHON.md").read_text()
    return re.search(r"## A worked example.*?```python\n(.*?)```", doc, re.S).group(1)


def expected_output(code):
    """The comment lines right after each print(...) call: what the page says it prints."""
    out, collecting = [], False
    for line in code.splitlines():
        if line.startswith("print("):
            collecting = True
        elif collecting and line.startswith("#"):
            out.append(line[1:].strip())
        else:
            collecting = False
    return out


def test_the_worked_example_prints_what_the_page_says(tmp_path, monkeypatch):
    pytest.importorskip("pandas")
    code = example()
    if not _has("matplotlib"):
        code = code[: code.index("import matplotlib")]  # the plot needs matplotlib
    else:
        import matplotlib

        matplotlib.use("Agg")
    want = expected_output(code)
    assert len(want) > 10
    monkeypatch.chdir(ROOT)
    code = code.replace('fig.savefig("temperature.png"', f'fig.savefig({str(tmp_path / "t.png")!r}')
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "docs/PYTHON.md", "exec"), {})
    got = [line.strip() for line in printed.getvalue().splitlines()]
    missing = [w for w in want if w.split() not in [g.split() for g in got]]
    assert not missing, f"printed:\n{printed.getvalue()}\nnot printed: {missing}"
    if _has("matplotlib"):
        assert os.path.getsize(tmp_path / "t.png") > 10_000


def _has(module):
    try:
        __import__(module)
    except ImportError:
        return False
    return True
