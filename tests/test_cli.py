"""The command line as a user meets it: exit codes, formats, and mistakes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from cliutil import FIXTURES, INCLUDE, ROOT, run

from kunwind.rules import ALL_RULES

BEFORE = FIXTURES / "ku001/anon_vma_fork_before.c"
AFTER = FIXTURES / "ku001/anon_vma_fork_after.c"


def test_reference_fixture_text_output() -> None:
    r = run("check", "--experimental", str(BEFORE), INCLUDE, "--root", str(ROOT))
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    warnings = [ln for ln in lines if ": warning: " in ln]
    assert len(warnings) == 1
    assert warnings[0].startswith("fixtures/ku001/anon_vma_fork_before.c:")
    assert warnings[0].endswith("[KU001]")
    assert "unlink_anon_vmas" in warnings[0] and "anon_vma_clone" in warnings[0]
    notes = [ln for ln in lines if ": note: " in ln]
    assert notes and all(ln.startswith("fixtures/ku001/anon_vma_fork_before.c:") for ln in notes)
    assert "1 finding" in r.stderr or "KU001" in r.stderr


def test_after_fixture_is_clean() -> None:
    r = run("check", "--experimental", str(AFTER), INCLUDE)
    assert r.exit_code == 0, r.output
    assert r.stdout == ""


def test_json_output_names_the_object_and_steps() -> None:
    r = run("check", "--experimental",
            str(BEFORE), INCLUDE, "--format", "json", "--root", str(ROOT))
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    (f,) = doc["findings"]
    assert f["rule_id"] == "KU001" and f["function"] == "anon_vma_fork"
    assert "'vma'" in f["message"]
    assert len(f["steps"]) >= 4


def test_sarif_output_to_file(tmp_path: Path) -> None:
    out = tmp_path / "out.sarif"
    r = run("check", "--experimental", str(BEFORE), INCLUDE, "--format", "sarif", "-o", str(out),
            "--root", str(ROOT))
    assert r.exit_code == 1
    doc = json.loads(out.read_text())
    res = doc["runs"][0]["results"]
    assert [x["ruleId"] for x in res] == ["KU001"]
    loc = res[0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert loc["uri"] == "fixtures/ku001/anon_vma_fork_before.c"
    assert res[0]["codeFlows"][0]["threadFlows"][0]["locations"]


def test_rules_and_explain() -> None:
    r = run("rules")
    assert r.exit_code == 0
    for rule in ALL_RULES:
        assert rule.id in r.stdout and rule.name in r.stdout
        if rule.experimental and rule.measured is not None:  # a share says of how many
            m = rule.measured
            share = f"{m.share:.0%} true of {m.reports}," if m.reports else \
                "no reports on the sample,"
            line = next(ln for ln in r.stdout.splitlines() if ln.startswith(rule.id))
            assert share in line
    r = run("explain", "KU001")
    assert r.exit_code == 0
    assert "What it finds:" in r.stdout and "Bad:" in r.stdout and "Good:" in r.stdout
    assert run("explain", "partial-teardown").stdout == r.stdout


@pytest.mark.parametrize(
    "args, needle",
    [
        (["check", "--experimental", "/nonexistent/x.c"], "no such file or directory"),
        (["explain", "KU999"], "unknown rule"),
        (["check", "--experimental", "--rule", "KU999", "x.c"], "unknown rule"),
        (["check", "--experimental", "-p", "/nonexistent", "x.c"], "no such"),
    ],
)
def test_usage_errors_are_one_line(args: list[str], needle: str) -> None:
    r = run(*args)
    assert r.exit_code == 2
    assert needle in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_unknown_format_is_a_usage_error() -> None:
    r = run("check", "--experimental", "--format", "xml", str(BEFORE))
    assert r.exit_code == 2


def test_directory_without_c_files(tmp_path: Path) -> None:
    (tmp_path / "README").write_text("no C here\n")
    r = run("check", "--experimental", str(tmp_path))
    assert r.exit_code == 2
    assert "no .c files" in r.stderr


def test_file_that_does_not_parse_is_reported_and_run_goes_on(tmp_path: Path) -> None:
    bad = tmp_path / "bad.c"
    bad.write_bytes(b"\x00\x01\x02binary")
    good = tmp_path / "good.c"
    good.write_text("int f(void) { return 0; }\n")
    r = run("check", "--experimental", str(bad), str(good), "--root", str(tmp_path))
    assert r.exit_code == 0
    assert "bad.c" in r.output and "binary" in r.output
    r = run("check", "--experimental", str(bad), "--root", str(tmp_path))
    assert r.exit_code == 2  # nothing could be analysed


def test_function_with_errors_is_not_analysed_as_whole(tmp_path: Path) -> None:
    src = tmp_path / "partial.c"
    src.write_text("int g(void);\nint f(void) { int x = undeclared_thing + 1; return x; }\n"
                   "int h(void) { return g(); }\n")
    r = run("check", "--experimental", str(src), "--format", "json", "--root", str(tmp_path))
    doc = json.loads(r.stdout)
    msgs = [n["message"] for n in doc["notices"]]
    assert any(m.startswith("f() not fully analysed") for m in msgs), msgs
    assert not any(m.startswith("h()") for m in msgs)


def test_cfg_command() -> None:
    r = run("cfg", str(AFTER), "anon_vma_fork", INCLUDE)
    assert r.exit_code == 0
    assert r.stdout.startswith("B0")


LEAK_FIXTURE = FIXTURES / "ku002" / "bad_debugfs_write_early_returns.c"


def test_cfg_shows_source_lines_and_marks_failure_tests_and_error_exits() -> None:
    r = run("cfg", str(LEAK_FIXTURE), "qux_level_write", "--clang-arg", "-Ifixtures/include")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0] == "B0" and re.match(r"^ +\d+: ", lines[1])
    assert any("    <- failure test: qux_find_module() fails (module < 0)" in ln
               for ln in lines), r.stdout
    assert any(ln.strip().startswith("36: return") and "<- error exit: returns" in ln
               for ln in lines), r.stdout


def test_cfg_takes_the_flag_options_of_check() -> None:
    r = run("cfg", str(LEAK_FIXTURE), "qux_level_write", "--arch", "nosuch")
    assert r.exit_code == 2 and "--arch nosuch: unsupported architecture" in r.stderr


def test_cfg_as_dot() -> None:
    r = run("cfg", str(LEAK_FIXTURE), "qux_level_write", "--clang-arg=-Ifixtures/include",
            "--format", "dot")
    assert r.exit_code == 0, r.output
    out = r.stdout.splitlines()
    assert out[0] == 'digraph "qux_level_write" {' and out[-1] == "}"
    nodes = [ln for ln in out if re.match(r'^  B\d+ \[label="B\d+\\l', ln)]
    edges = [ln for ln in out if re.match(r"^  B\d+ -> (B\d+|exit)", ln)]
    assert nodes and edges
    assert any("color=red" in ln and "error exit" in ln for ln in nodes)
    # every label is one dot string: quotes inside are escaped
    for ln in nodes:
        label = ln.split("[label=", 1)[1].rsplit("]", 1)[0].split(", color=")[0]
        assert label.startswith('"') and label.endswith('"')
        assert '"' not in label[1:-1].replace('\\"', "")
