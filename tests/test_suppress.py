"""Inline ``kunwind: ignore`` comments: honoured, reported in SARIF, counted, reason asked for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from toytree import CREATE_BAD, DESTROY_CALL, foo_c

from kunwind.cli import main
from kunwind.suppress import find_ignores


def bad_with(tmp_path: Path, comment: str, where: str = "above") -> Path:
    """The toy driver with its KU001 line carrying (or preceded by) ``comment``."""
    if where == "above":
        create = CREATE_BAD.replace(DESTROY_CALL, f"\t{comment}\n{DESTROY_CALL}")
    elif where == "same line":
        create = CREATE_BAD.replace(DESTROY_CALL, f"{DESTROY_CALL} {comment}")
    else:  # two lines above
        create = CREATE_BAD.replace("err_destroy:\n", f"\t{comment}\nerr_destroy:\n")
    path = tmp_path / "foo.c"
    path.write_text(foo_c(create))
    return path


def check(path: Path, *args: str):
    result = CliRunner().invoke(main, ["check", str(path), "--rule", "KU001", *args])
    assert "Traceback" not in result.output + (result.stderr or ""), result.output
    return result


@pytest.mark.parametrize("comment, where", [
    ("/* kunwind: ignore KU001 the engine never fails before the key is set */", "same line"),
    ("/* kunwind: ignore KU001 the engine never fails before the key is set */", "above"),
    ("// kunwind: ignore KU002, KU001 the engine never fails before the key is set", "above"),
    ("// kunwind: ignore ku001: the engine never fails before the key is set", "same line"),
])
def test_an_ignore_comment_suppresses(tmp_path, comment, where):
    r = check(bad_with(tmp_path, comment, where))
    assert r.exit_code == 0, r.output
    assert r.stdout == ""
    assert "no findings; 1 suppressed" in r.stderr


def test_suppressed_findings_stay_in_sarif_with_the_reason(tmp_path):
    path = bad_with(tmp_path, "/* kunwind: ignore KU001 the engine never fails here */")
    r = check(path, "--format", "sarif")
    assert r.exit_code == 0
    (result,) = json.loads(r.stdout)["runs"][0]["results"]
    assert result["ruleId"] == "KU001"
    assert result["suppressions"] == [
        {"kind": "inSource", "justification": "the engine never fails here"}]
    (finding,) = json.loads(check(path, "--format", "json").stdout)["findings"]
    assert finding["suppressed"] == "the engine never fails here"


@pytest.mark.parametrize("comment, where", [
    ("/* kunwind: ignore KU002 not this rule */", "above"),
    ("/* kunwind: ignore KU001 too far away */", "two lines above"),
    ("kfree(NULL); /* kunwind: ignore KU001 after code: its own line only */", "above"),
])
def test_an_ignore_comment_elsewhere_does_not(tmp_path, comment, where):
    r = check(bad_with(tmp_path, comment, where))
    assert r.exit_code == 1
    assert "[KU001]" in r.stdout


def test_an_ignore_comment_without_a_reason_works_and_asks_for_one(tmp_path):
    path = bad_with(tmp_path, "/* kunwind: ignore KU001 */")
    r = check(path)
    assert r.exit_code == 0
    assert "1 suppressed" in r.stderr
    line = foo_c(CREATE_BAD).splitlines().index(DESTROY_CALL) + 1  # the comment's line
    assert r.stdout.splitlines() == [
        f"{path}:{line}: note: 'kunwind: ignore KU001' gives no reason: say why after the rule "
        "ids, e.g. /* kunwind: ignore KU001 freed by the caller */"]
    doc = json.loads(check(path, "--format", "sarif").stdout)
    (result,) = doc["runs"][0]["results"]
    assert result["suppressions"][0]["justification"] == "no reason given"


def test_find_ignores() -> None:
    text = (b"a(); // kunwind: ignore KU001 reason one\n"
            b"  /* kunwind: ignore KU002,KU003 reason two */\n"
            b"/* kunwind: ignore KU004 */ b();\n"
            b"/* kunwind:ignore nothing */\n")
    one, two, three = find_ignores(text)
    assert (one.rules, one.reason, one.lines) == ({"KU001"}, "reason one", (1,))
    assert (two.rules, two.reason, two.lines) == ({"KU002", "KU003"}, "reason two", (2, 3))
    assert (three.rules, three.reason, three.lines) == ({"KU004"}, "", (3,))
