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
    result = CliRunner().invoke(main, ["check", "--experimental",
                                       str(path), "--rule", "KU001", *args])
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


# A leak that two early returns repeat: one finding, reported at the first, merged.
LEAK = """\
void *kmalloc(unsigned long n, int flags);
void kfree(const void *p);
int foo_a(void);
int foo_b(void);

int foo_setup(void)
{
\tchar *buf = kmalloc(16, 0);

\tif (!buf)
\t\treturn -12;
\tif (foo_a())
\t\treturn -5;@FIRST@
\tif (foo_b())
\t\treturn -22;@SECOND@
\tkfree(buf);
\treturn 0;
}
"""


def leak(tmp_path: Path, first: str = "", second: str = "") -> Path:
    path = tmp_path / "leak.c"
    path.write_text(LEAK.replace("@FIRST@", first).replace("@SECOND@", second))
    return path


def ku002(path: Path, *args: str) -> list[dict]:
    r = CliRunner().invoke(main, ["check", "--experimental",
                                  "-q", "--no-cache", "--format", "json", str(path),
                                  "--rule", "KU002", *args])
    assert r.exit_code in (0, 1), r.output
    return json.loads(r.output)["findings"]


LADDER = """\
void *kmalloc(unsigned long n, int flags);
void kfree(const void *p);
int foo_a(void);

int foo_setup(void)
{
\tchar *buf = kmalloc(16, 0);
\tint ret = 0;

\tif (!buf)
\t\treturn -12;
\tif (foo_a()) {
\t\tret = -5;
\t\tgoto out;
\t}
\tkfree(buf);
out:
\treturn ret;@EXIT@
}
"""


def test_a_comment_on_the_error_exit_suppresses_the_finding_of_that_exit(tmp_path) -> None:
    path = tmp_path / "ladder.c"
    path.write_text(LADDER.replace("@EXIT@", ""))
    (f,) = ku002(path)
    assert f["line"] == 14  # the goto; its exit is the return at line 18
    path.write_text(LADDER.replace("@EXIT@", " /* kunwind: ignore KU002 freed by the caller */"))
    (f,) = ku002(path)
    assert f["suppressed"] == "freed by the caller"
    (f,) = ku002(leak(tmp_path, first=" /* kunwind: ignore KU002 foo_a() cannot fail here */"))
    assert f["suppressed"] == "foo_a() cannot fail here"


def test_a_comment_on_some_merged_places_says_how_many_it_hid(tmp_path) -> None:
    (f,) = ku002(leak(tmp_path, second=" // kunwind: ignore KU002 foo_b() frees it first"))
    assert f["suppressed"] is None
    assert f["message"].endswith("(1 of its 2 places hidden by kunwind: ignore comments)")


def test_unused_suppressions_can_be_listed(tmp_path) -> None:
    path = leak(tmp_path, second=" /* kunwind: ignore KU003 nothing released twice */")
    r = CliRunner().invoke(main, ["check", "--experimental",
                                  "--no-cache", "--unused-suppressions", str(path)])
    assert f"{path.name}:15: note: 'kunwind: ignore KU003' suppresses nothing" in r.output
    r = CliRunner().invoke(main, ["check", "--experimental", "--no-cache", str(path)])
    assert "suppresses nothing" not in r.output
