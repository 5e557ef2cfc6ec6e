"""Each finding says what it rests on (issue 11, item 6): JSON and SARIF carry it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cliutil import FIXTURES, INCLUDE, run

from kunwind.findings import EVIDENCE


def _findings(*args: str, fmt: str = "json") -> list[dict]:
    result = run("check", "--experimental", "--no-cache", "--format", fmt, INCLUDE, *args)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)["findings"]


@pytest.mark.parametrize("rule_dir, expected", [
    ("ku001", {"callee-summary"}),  # the teardown's body dereferences the field
    # kfree() pairs; bad_learned_start_stop.c; bad_return_alloc_wrapper.c's allocator
    ("ku002", {"api-fact", "sibling-exits", "callee-summary"}),
    # bad_free_helper_tests_nothing.c: the acquire is a same-file allocator
    ("ku003", {"api-fact", "callee-summary"}),
    # the success code the path holds; bad_refusal_jumps_to_unwind_without_code.c:
    # the other jumps into an unwind-only label all carry an error code
    ("ku004", {"path-values", "convention"}),
    ("ku005", {"api-fact", "sibling-exits"}),  # other exits drop the lock
    ("ku006", {"api-fact"}),
])
def test_every_finding_of_the_fixtures_names_its_evidence(rule_dir: str,
                                                          expected: set[str]) -> None:
    found = _findings(str(FIXTURES / rule_dir))
    assert found
    assert {f["evidence"] for f in found} == expected
    assert expected <= EVIDENCE.keys()


def test_learned_from_sibling_exits() -> None:
    (f,) = _findings(str(FIXTURES / "ku002" / "bad_learned_start_stop.c"))
    assert f["evidence"] == "sibling-exits"


def test_a_callee_summary_acquire(tmp_path: Path) -> None:
    """An allocator of this file, known by its body only: the summary is the evidence."""
    src = tmp_path / "wrap.c"
    src.write_text(
        "void *kmalloc(unsigned long size, int flags);\n"
        "void kfree(const void *p);\n"
        "int setup(int x);\n"
        "static void *grab_buf(void) { return kmalloc(64, 0); }\n"
        "int start(void)\n{\n\tvoid *p = grab_buf();\n\tif (!p)\n\t\treturn -12;\n"
        "\tif (setup(1))\n\t\treturn -5;\n\tkfree(p);\n\treturn 0;\n}\n")
    (f,) = _findings(str(src))
    assert (f["rule_id"], f["evidence"]) == ("KU002", "callee-summary")


def test_sarif_result_properties_carry_it() -> None:
    result = run("check", "--experimental", "--no-cache", "--format", "sarif", INCLUDE,
                 str(FIXTURES / "ku004"))
    results = json.loads(result.stdout)["runs"][0]["results"]
    assert results
    assert {r["properties"]["evidence"] for r in results} == {"path-values", "convention"}


@pytest.mark.parametrize("true, reports, category", [
    (9, 10, "very-high"), (17, 20, "high"), (4, 8, "medium"), (28, 105, "low"), (0, 2, "low"),
])
def test_precision_category_from_the_measurement(true: int, reports: int,
                                                 category: str) -> None:
    from kunwind.rules.base import Measured

    m = Measured(true, reports, "bench/triage/sample-x.md")
    assert m.category == category
    assert m.text().startswith(f"{true / reports:.0%} true ({true} of {reports} reports; ")


def test_explain_states_recall_beside_precision() -> None:
    """Issue 12: a check's documentation gives its recall by mutation with its interval."""
    from kunwind.rules import ALL_RULES
    from kunwind.rules.base import Recall

    assert Recall("drop-release", 42, 100).text() == \
        "drop-release: 42% found (42 of 100; 95% interval 33%–52%)"
    for rule in ALL_RULES:
        text = " ".join(rule.text().split())
        assert "Measured precision:" in text
        for r in rule.recall:
            assert r.text() in text
    assert {r.kind for rule in ALL_RULES for r in rule.recall} == {
        "drop-release", "drop-errno", "goto-next-label", "double-release",
        "use-after-release", "drop-unlock"}
