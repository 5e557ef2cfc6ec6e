"""``kunwind baseline FILE PATH...`` and ``check --baseline FILE``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from toytree import CREATE_BAD, CREATE_GOOD, DESTROY_CALL, FOO, foo_c, make_tree, write

from kunwind.cli import main

EXTRA = "\n/* Lines added above the findings: they move, their fingerprints do not. */\n\n"


def run(tree: Path, monkeypatch: pytest.MonkeyPatch, *args: str):
    monkeypatch.chdir(tree)
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output + (result.stderr or ""), result.output
    return result


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    tree = make_tree(tmp_path / "linux", foo_c(CREATE_BAD))
    write(tree, "drivers/foo/clean.c", foo_c(CREATE_GOOD))
    return tree


def test_baseline_file_is_sorted_one_finding_per_line_without_lines(tree, monkeypatch):
    r = run(tree, monkeypatch, "baseline", "kunwind-baseline.json", "drivers/")
    assert r.exit_code == 0, r.output
    assert "kunwind: 2 findings recorded in kunwind-baseline.json" in r.stderr
    text = (tree / "kunwind-baseline.json").read_text()
    doc = json.loads(text)
    assert doc["kunwind_baseline"] == 1
    rows = doc["findings"]
    assert [r["rule"] for r in rows] == ["KU001", "KU002"]
    for row in rows:
        assert list(row) == ["fingerprint", "rule", "file", "function", "message"]
        assert row["file"] == FOO and row["function"] == "foo_session_create"
        assert "line N" in row["message"] and not re.search(r"line \d", row["message"])
    lines = text.splitlines()
    assert len(lines) == 5 + len(rows)
    assert [json.loads(ln.strip().rstrip(",")) for ln in lines[3:-2]] == rows


def test_check_with_the_baseline_hides_recorded_findings_even_when_moved(tree, monkeypatch):
    assert run(tree, monkeypatch, "baseline", "b.json", "drivers/").exit_code == 0
    write(tree, FOO, foo_c(CREATE_BAD, extra=EXTRA))
    r = run(tree, monkeypatch, "check", "--experimental", "--baseline", "b.json", "drivers/")
    assert r.exit_code == 0, r.output
    assert r.stdout == ""
    assert "no findings; 2 in the baseline, not shown" in r.stderr


def test_a_new_finding_is_reported_over_a_baseline(tree, monkeypatch):
    write(tree, FOO, foo_c(CREATE_GOOD))
    assert run(tree, monkeypatch, "baseline", "b.json", "drivers/").exit_code == 0
    assert json.loads((tree / "b.json").read_text())["findings"] == []
    write(tree, FOO, foo_c(CREATE_BAD))
    r = run(tree, monkeypatch, "check", "--experimental", "--baseline", "b.json", "drivers/")
    assert r.exit_code == 1
    assert "[KU001]" in r.stdout and "foo_session_destroy(sess) in" in r.stdout


def test_regenerating_the_baseline_after_moves_changes_nothing(tree, monkeypatch):
    assert run(tree, monkeypatch, "baseline", "a.json", FOO).exit_code == 0
    write(tree, FOO, foo_c(CREATE_BAD, extra=EXTRA))
    assert run(tree, monkeypatch, "baseline", "b.json", FOO).exit_code == 0
    assert (tree / "a.json").read_text() == (tree / "b.json").read_text()


def test_suppressed_findings_are_not_recorded(tree, monkeypatch):
    ignored = CREATE_BAD.replace(DESTROY_CALL, f"{DESTROY_CALL} /* kunwind: ignore KU001 ok */")
    write(tree, FOO, foo_c(ignored))
    assert run(tree, monkeypatch, "baseline", "b.json", FOO).exit_code == 0
    rules = [r["rule"] for r in json.loads((tree / "b.json").read_text())["findings"]]
    assert rules == ["KU002"]


@pytest.mark.parametrize("content, message", [
    (None, "b.json: cannot read"),
    ("{", "b.json: not a kunwind baseline"),
    ('{"findings": []}', "not a kunwind baseline"),
    ('{"kunwind_baseline": 1, "findings": [{"rule": "KU001"}]}', "with a fingerprint"),
])
def test_a_bad_baseline_file_is_a_usage_error(tree, monkeypatch, content, message):
    if content is not None:
        (tree / "b.json").write_text(content)
    r = run(tree, monkeypatch, "check", "--experimental", "--baseline", "b.json", FOO)
    assert r.exit_code == 2
    assert message in r.stderr and r.stderr.count("\n") == 1


def test_baseline_is_not_written_when_nothing_could_be_analysed(tree, monkeypatch):
    write(tree, "drivers/foo/bin.c", "\0binary")
    r = run(tree, monkeypatch, "baseline", "b.json", "drivers/foo/bin.c")
    assert r.exit_code == 2
    assert "not written" in r.stderr
    assert not (tree / "b.json").exists()


def test_baseline_messages_hold_no_line_numbers_even_in_lists() -> None:
    from kunwind.baseline import without_lines

    message = ("foo() leaks 'buf' on an error path: acquired by kmalloc() at line 440 "
               "(the same at 2 more places: lines 447, 465)")
    assert without_lines(message) == ("foo() leaks 'buf' on an error path: acquired by "
                                      "kmalloc() at line N (the same at 2 more places: "
                                      "lines N)")
    assert without_lines("exits at lines 47, 51, 55, 60, 61, 70, ... drop it") == \
        "exits at lines N drop it"
    assert without_lines(message.replace("447", "448")) == without_lines(message)
