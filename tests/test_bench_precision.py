"""bench/precision.py: tally per check (and per check and evidence when recorded); apply."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from precision import apply, tally  # noqa: E402

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


def test_apply_writes_readers_verdicts(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    f = tmp_path / "t.md"
    blank = TRIAGE.replace("- verdict: true — freed nowhere on that exit", "- verdict:")
    f.write_text(blank.replace("- verdict: true — lost", "- verdict:"))
    readers = tmp_path / "r.txt"
    readers.write_text("1 | true | kfree missing at 7\nnoise line\n3 | false | 6 | deliberate\n")
    assert apply(f, [readers]) == 0
    text = f.read_text()
    assert "- verdict: true — kfree missing at 7" in text
    assert "- verdict: false (cause 6) — deliberate" in text
    assert "- verdict: false (cause 3) — tied" in text  # an existing verdict stays
    assert tally(f) == 0
    f.write_text(blank)
    readers.write_text("3 | true | lost\n")
    assert apply(f, [readers]) == 1  # entry 1 still has none
    assert "without one: [1]" in capsys.readouterr().out
