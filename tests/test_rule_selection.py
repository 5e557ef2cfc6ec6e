"""Which checks run: those measured at 80% true or more by default, the experimental
ones (below 80% on a random sample of the kernel) only when asked for, and every
report names the checks it did not run."""

from __future__ import annotations

import dataclasses
import json

import pytest
from cliutil import FIXTURES, INCLUDE, run

import kunwind.rules as rules_pkg
from kunwind.rules import ALL_RULES, not_run_rules, selected_rules
from kunwind.rules.base import DEFAULT_ON_PRECISION, DEFAULT_ON_REPORTS, SAMPLE, Measured, Rule

KU001_BEFORE = str(FIXTURES / "ku001" / "anon_vma_fork_before.c")
KU002_LEAK = str(FIXTURES / "ku002" / "bad_of_phandle_not_put.c")
NOT_RUN = "not run: experimental, below 80% true of 25 reports or more on a random sample"


def _rule(rule_id: str, measured: Measured | None) -> Rule:
    return Rule(id=rule_id, name=rule_id.lower(), doc=f"{rule_id}, a trial check.",
                measured=measured)


@pytest.fixture
def trial_rules(monkeypatch: pytest.MonkeyPatch) -> list[Rule]:
    """Four checks: below 80%, at 80%, above it, never measured."""
    trial = [_rule("KU901", Measured(79, 100, SAMPLE)), _rule("KU902", Measured(20, 25, SAMPLE)),
             _rule("KU903", Measured(29, 30, SAMPLE)), _rule("KU904", None)]
    monkeypatch.setattr(rules_pkg, "ALL_RULES", trial)
    return trial


def test_the_default_leaves_out_exactly_the_checks_below_80_percent(
        trial_rules: list[Rule]) -> None:
    assert DEFAULT_ON_PRECISION == 0.8
    assert [r.id for r in selected_rules(None)] == ["KU902", "KU903", "KU904"]
    assert [r.id for r in not_run_rules(None)] == ["KU901"]
    assert [r.id for r in selected_rules(None, experimental=True)] == [r.id for r in trial_rules]
    assert not_run_rules(None, experimental=True) == []
    # a check named is run, experimental or not; those not named were not asked for
    assert [r.id for r in selected_rules(["KU901"])] == ["KU901"]
    assert not_run_rules(["KU901"]) == []


def test_an_experimental_check_says_its_number(trial_rules: list[Rule]) -> None:
    below, at, above, unmeasured = trial_rules
    assert below.experimental == (
        f"measured 79% true (79 of 100 reports; 95% interval 70%–86%) in {SAMPLE}; "
        "a check runs by default from 80% of at least 25 reports")
    assert at.experimental == above.experimental == unmeasured.experimental == ""
    assert "Experimental (off unless --experimental or --rule names it):" in below.text()
    assert "79 of 100 reports" in below.text()
    assert "Experimental" not in at.text()


def test_one_true_report_of_one_is_not_enough() -> None:
    assert DEFAULT_ON_REPORTS == 25
    few = _rule("KU906", Measured(1, 1, SAMPLE))
    assert few.experimental.endswith("a check runs by default from 80% of at least 25 reports")
    assert _rule("KU908", Measured(8, 10, SAMPLE)).experimental != ""  # 80%, but of 10
    assert _rule("KU907", Measured(20, 25, SAMPLE)).experimental == ""


def test_a_check_without_reports_on_the_sample_says_so() -> None:
    silent = _rule("KU908", Measured(0, 0, SAMPLE))
    assert silent.experimental == (
        f"measured no reports in {SAMPLE}; "
        "a check runs by default from 80% of at least 25 reports")


def test_a_new_check_on_trial_is_experimental_until_measured() -> None:
    new = dataclasses.replace(_rule("KU905", None), trial=True)
    assert new.experimental.startswith("a new check, not yet measured")
    assert dataclasses.replace(new, measured=Measured(23, 25, SAMPLE)).experimental == ""
    assert dataclasses.replace(new, trial=False).experimental == ""


def test_the_registry_follows_the_measurements() -> None:
    below = [r.id for r in ALL_RULES
             if r.measured is not None and (r.measured.share < DEFAULT_ON_PRECISION
                                            or r.measured.reports < DEFAULT_ON_REPORTS)
             or r.measured is None and r.trial]
    assert [r.id for r in not_run_rules(None)] == below
    assert [r.id for r in selected_rules(None)] == [r.id for r in ALL_RULES if r.id not in below]


def _percentages() -> str:
    return ", ".join(f"{r.id} new, not yet measured" if r.measured is None else
                     f"{r.id} no reports" if not r.measured.reports else
                     f"{r.id} {r.measured.share:.0%} of {r.measured.reports}"
                     for r in not_run_rules(None))


def test_check_without_experimental_names_the_checks_not_run_and_finds_nothing() -> None:
    if not not_run_rules(None):
        pytest.skip("every check is measured at 80% or more: none is left out")
    result = run("check", "--no-cache", KU001_BEFORE)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    n = len(not_run_rules(None))
    line = (f"kunwind: {n} check{'' if n == 1 else 's'} {NOT_RUN} ({_percentages()}); "
            "--experimental runs them")
    assert line in result.stderr.splitlines()
    assert "kunwind: no findings" in result.stderr


def test_check_with_experimental_finds_the_finding() -> None:
    result = run("check", "--no-cache", "--experimental", KU001_BEFORE)
    assert result.exit_code == 1, result.output
    assert "[KU001]" in result.stdout
    assert NOT_RUN not in result.stderr


def test_rule_runs_an_experimental_check_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    low = Measured(1, 10, SAMPLE)  # KU002 experimental, whatever its number is today
    monkeypatch.setattr(rules_pkg, "ALL_RULES", [
        dataclasses.replace(r, measured=low) if r.id == "KU002" else r for r in ALL_RULES])
    assert "KU002" in [r.id for r in not_run_rules(None)]
    result = run("check", "--no-cache", "--rule", "KU002", INCLUDE, KU002_LEAK)
    assert result.exit_code == 1, result.output
    found = [ln for ln in result.stdout.splitlines() if ": warning: " in ln]
    assert found and all(ln.endswith("[KU002]") for ln in found)
    assert NOT_RUN not in result.stderr


def test_json_summary_names_the_checks_not_run() -> None:
    result = run("check", "--no-cache", "-q", "--format", "json", KU001_BEFORE)
    summary = json.loads(result.stdout)["summary"]
    assert summary["not_run"] == [{"rule": r.id, "reason": f"experimental: {r.experimental}"}
                                  for r in not_run_rules(None)]
    assert summary["findings"] == 0
    asked = run("check", "--no-cache", "-q", "--format", "json", "--experimental",
                KU001_BEFORE)
    assert json.loads(asked.stdout)["summary"]["not_run"] == []


def test_sarif_lists_every_rule_and_notes_the_checks_not_run() -> None:
    if not not_run_rules(None):
        pytest.skip("every check is measured at 80% or more: none is left out")
    result = run("check", "--no-cache", "-q", "--format", "sarif", KU001_BEFORE)
    sarif_run = json.loads(result.stdout)["runs"][0]
    described = sarif_run["tool"]["driver"]["rules"]
    assert [d["id"] for d in described] == [r.id for r in ALL_RULES]
    assert all(d["properties"]["precision"] for d in described)
    notes = sarif_run["invocations"][0]["toolExecutionNotifications"]
    mine = [n for n in notes if NOT_RUN in n["message"]["text"]]
    assert len(mine) == 1 and mine[0]["level"] == "note"
    assert f"({_percentages()})" in mine[0]["message"]["text"]
    asked = run("check", "--no-cache", "-q", "--format", "sarif", "--experimental",
                KU001_BEFORE)
    asked_notes = json.loads(asked.stdout)["runs"][0]["invocations"][0].get(
        "toolExecutionNotifications", [])
    assert not any(NOT_RUN in n["message"]["text"] for n in asked_notes)
