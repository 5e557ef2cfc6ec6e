"""bench/precision.py's tally: per check, and per check and evidence when recorded."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from precision import tally  # noqa: E402

TRIAGE = """# Precision sample, seed 1

### 1. KU002 a.c:3 f()

f() leaks 'p'

- evidence: api-fact
- verdict: true — freed nowhere on that exit

### 2. KU002 a.c:9 g()

g() leaks 'q'

- evidence: sibling-exits
- verdict: false (cause 3) — tied

### 3. KU004 b.c:5 h()

h() returns 'ret'

- evidence: path-values
- verdict: true — lost
"""


def test_tally_by_check_and_evidence(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    f = tmp_path / "t.md"
    f.write_text(TRIAGE)
    assert tally(f) == 0
    out = capsys.readouterr().out
    assert "| KU002 | 2 | 1 | 50% |" in out
    assert "| KU002 sibling-exits | 1 | 0 | 0% |" in out
    assert "| KU004 path-values | 1 | 1 | 100% |" in out
    assert out.count("| all | 3 | 2 | 67% |") == 2


def test_tally_refuses_an_entry_without_verdict(tmp_path: Path) -> None:
    f = tmp_path / "t.md"
    f.write_text(TRIAGE.replace("- verdict: true — lost", "- verdict: "))
    assert tally(f) == 1
