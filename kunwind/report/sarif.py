"""The SARIF 2.1.0 report: built with the ``sarif-om`` object model, serialised here.

sarif-om's classes are attrs classes with snake_case attribute names; the
schema's names sit in each field's ``metadata["schema_property_name"]``. A
plain ``attr.asdict`` keeps the snake_case names (and ``schema_uri`` instead
of ``$schema``), every unset field as ``null`` and jschema_to_python's
placeholder defaults (``-1`` indexes, ``rank: -1.0``, ``language: "en-US"``,
``newlineSequences``), so its output is not valid SARIF. ``to_dict`` walks the
objects instead: schema names, no ``None`` or empty containers, no attrs
defaults, except the ``level`` properties, which are always written (a
result's missing ``level`` means its rule's level, not sarif-om's default).

GitHub code scanning's upload limits are respected by truncating, with a
``toolExecutionNotifications`` entry saying what was left out.
"""

from __future__ import annotations

import json
import os
import posixpath
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import attr
import sarif_om as om

from kunwind import INFORMATION_URI, __version__
from kunwind.findings import Finding, Notice, PathStep, RunResult
from kunwind.rules import ALL_RULES
from kunwind.rules.base import Rule

from .text import not_run_message

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "SRCROOT"
FINGERPRINT_KEY = "kunwindFingerprint/v1"

# GitHub code scanning limits (docs.github.com, "SARIF results exceed limit").
MAX_RESULTS = 25_000  # results per run: hard limit
MAX_THREAD_FLOW_LOCATIONS = 1_000  # per result: hard limit 10,000, only 1,000 shown
MAX_RULE_TAGS = 20  # tags per rule: hard limit (10 shown)

_ALWAYS_WRITTEN = frozenset({"level"})
_LEVEL_RANK = {"error": 0, "warning": 1, "note": 2}


def write(run: RunResult, rules: Sequence[Rule] | None = None) -> str:
    """The SARIF log for ``run`` as JSON text (2-space indent, trailing newline)."""
    log = to_dict(sarif_log(run, rules))
    text = json.dumps(log, indent=2, ensure_ascii=False) + "\n"
    return text.encode("utf-8", "replace").decode("utf-8")  # no lone surrogates (odd names)


def sarif_log(run: RunResult, rules: Sequence[Rule] | None = None) -> om.SarifLog:
    """The SARIF log as sarif-om objects; ``rules`` defaults to ``ALL_RULES``."""
    rules = list(ALL_RULES if rules is None else rules)
    notes: list[om.Notification] = []
    descriptors = [_descriptor(r, notes) for r in rules]
    if run.not_run:  # every rule is described; these were not run
        notes.append(om.Notification(message=om.Message(text=not_run_message(run)),
                                     level="note"))
    index = {r.id: i for i, r in enumerate(rules)}
    for f in run.findings:  # a finding from a rule not in the registry still gets one
        if f.rule_id not in index:
            index[f.rule_id] = len(descriptors)
            descriptors.append(_unregistered(f))
    findings = _within_limit(run.findings, notes)
    results = [_result(f, index[f.rule_id], run.root, notes) for f in findings]
    notes = [_notification(n, run.root) for n in run.notices] + notes
    driver = om.ToolComponent(
        name="kunwind",
        version=__version__,
        semantic_version=__version__,
        information_uri=INFORMATION_URI,
        rules=descriptors,
    )
    sarif_run = om.Run(
        tool=om.Tool(driver=driver),
        original_uri_base_ids={SRCROOT: om.ArtifactLocation(uri=_root_uri(run.root))},
        artifacts=_artifacts(run),
        invocations=[
            om.Invocation(
                execution_successful=any(r.parsed for r in run.files),
                tool_execution_notifications=notes,
            )
        ],
        results=results,
    )
    return om.SarifLog(schema_uri=SCHEMA_URI, version=SARIF_VERSION, runs=[sarif_run])


def to_dict(obj: Any) -> Any:
    """sarif-om objects to JSON data with the schema's property names (see module doc)."""
    if attr.has(type(obj)):
        out: dict[str, Any] = {}
        for a in attr.fields(type(obj)):
            value = getattr(obj, a.name)
            name = a.metadata.get("schema_property_name", a.name)
            if _empty(value) or (name not in _ALWAYS_WRITTEN and _is_default(a, value)):
                continue
            out[name] = to_dict(value)
        if isinstance(obj, om.SarifLog):  # "$schema" and "version" first, as people read it
            out = {k: out[k] for k in ("$schema", "version", "runs") if k in out} | out
        return out
    if isinstance(obj, dict):
        return {k: to_dict(v) for k, v in obj.items() if not _empty(v)}
    if isinstance(obj, (list, tuple)):
        return [to_dict(v) for v in obj]
    return obj


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, (list, tuple, dict)) and not value)


def _is_default(a: attr.Attribute, value: Any) -> bool:
    default = a.default
    if default is attr.NOTHING:
        return False
    factory = getattr(default, "factory", None)  # an attr.Factory (a function to mypy)
    if factory is not None:
        default = factory()
    return type(value) is type(default) and value == default


def _descriptor(rule: Rule, notes: list[om.Notification]) -> om.ReportingDescriptor:
    tags = list(rule.tags)
    if len(tags) > MAX_RULE_TAGS:
        notes.append(_warning(f"rule {rule.id} has {len(tags)} tags; only the first "
                              f"{MAX_RULE_TAGS} are listed."))
        tags = tags[:MAX_RULE_TAGS]
    what = " ".join(rule.section("What it finds").split()) or rule.summary
    return om.ReportingDescriptor(
        id=rule.id,
        name=rule.name,
        short_description=om.MultiformatMessageString(text=rule.summary),
        full_description=om.MultiformatMessageString(text=what),
        help=om.MultiformatMessageString(text=rule.text(), markdown=rule.markdown()),
        help_uri=rule.help_uri,
        default_configuration=om.ReportingConfiguration(level=rule.level),
        properties={"tags": tags, "precision": rule.precision,
                    **({"kunwind/measured": rule.measured.text()} if rule.measured else {})},
    )


def _unregistered(f: Finding) -> om.ReportingDescriptor:
    """A descriptor for a rule the registry does not know: GitHub wants every field."""
    text = f"{f.rule_id} {f.rule_name}: no documentation is registered for this rule."
    return om.ReportingDescriptor(
        id=f.rule_id,
        name=f.rule_name,
        short_description=om.MultiformatMessageString(text=f.rule_name or f.rule_id),
        full_description=om.MultiformatMessageString(text=text),
        help=om.MultiformatMessageString(text=text, markdown=text),
        help_uri=INFORMATION_URI,
    )


def _within_limit(findings: list[Finding], notes: list[om.Notification]) -> list[Finding]:
    """At most ``MAX_RESULTS``: unsuppressed first, then by level; order kept."""
    if len(findings) <= MAX_RESULTS:
        return findings
    ranked = sorted(
        range(len(findings)),
        key=lambda i: (bool(findings[i].suppressed), _LEVEL_RANK.get(findings[i].level, 3)),
    )
    keep = sorted(ranked[:MAX_RESULTS])
    notes.append(_warning(f"{len(findings) - MAX_RESULTS} of {len(findings)} results were left "
                          f"out: GitHub code scanning accepts at most {MAX_RESULTS} per run."))
    return [findings[i] for i in keep]


def _result(f: Finding, rule_index: int, root: str, notes: list[om.Notification]) -> om.Result:
    result = om.Result(
        rule_id=f.rule_id,
        rule_index=rule_index,
        level=f.level,
        message=om.Message(text=f.message),
        locations=[
            om.Location(
                physical_location=_physical(f.file, f.line, f.col, root),
                logical_locations=[om.LogicalLocation(name=f.function, kind="function")]
                if f.function else None,
            )
        ],
        partial_fingerprints={FINGERPRINT_KEY: f.fingerprint()},
        properties={"evidence": f.evidence} if f.evidence else None,
    )
    if f.steps:
        steps = list(f.steps)
        if len(steps) + 1 > MAX_THREAD_FLOW_LOCATIONS:
            notes.append(_warning(f"the path of the {f.rule_id} result at {f.file}:{f.line} has "
                                  f"{len(steps) + 1} steps; only the first "
                                  f"{MAX_THREAD_FLOW_LOCATIONS - 1} and the last are listed."))
            steps = steps[: MAX_THREAD_FLOW_LOCATIONS - 1]
        steps.append(PathStep(f.line, f.col, f.message, f.file))
        flow = om.ThreadFlow(locations=[
            om.ThreadFlowLocation(location=om.Location(
                physical_location=_physical(s.file or f.file, s.line, s.col, root),
                message=om.Message(text=s.message),
            ))
            for s in steps
        ])
        result.code_flows = [om.CodeFlow(thread_flows=[flow])]
    if f.suppressed:
        result.suppressions = [om.Suppression(kind="inSource", justification=f.suppressed)]
    return result


def _notification(n: Notice, root: str) -> om.Notification:
    text = n.message
    if n.function:  # the pipeline's message may already say so: do not repeat it
        reason = n.message.removeprefix(f"{n.function}() not fully analysed: ")
        text = f"function {n.function} not fully analysed: {reason}"
    return om.Notification(
        message=om.Message(text=text),
        level=n.level if n.level in _LEVEL_RANK else "warning",
        locations=[om.Location(physical_location=_physical(n.file, n.line, 0, root))],
    )


def _warning(text: str) -> om.Notification:
    return om.Notification(message=om.Message(text=text), level="warning")


def _artifacts(run: RunResult) -> list[om.Artifact]:
    files = sorted({r.file for r in run.files})
    return [
        om.Artifact(location=_artifact_location(p, run.root), roles=["analysisTarget"])
        for p in files
    ]


def _physical(path: str, line: int, col: int, root: str) -> om.PhysicalLocation:
    region = None
    if line > 0:
        region = om.Region(start_line=line, start_column=col if col > 0 else None)
    return om.PhysicalLocation(artifact_location=_artifact_location(path, root), region=region)


def _artifact_location(path: str, root: str) -> om.ArtifactLocation:
    """A URI relative to SRCROOT; a file outside the root keeps an absolute file URI."""
    path = path.replace(os.sep, "/")
    if posixpath.isabs(path) or os.path.isabs(path):
        rel = os.path.relpath(path, os.path.abspath(root or "."))
        if rel.startswith(".."):
            return om.ArtifactLocation(uri=Path(path).as_uri())
        path = rel.replace(os.sep, "/")
    # a file name that is not UTF-8 (surrogate-escaped bytes): its bytes, percent-encoded
    return om.ArtifactLocation(uri=quote(posixpath.normpath(path), errors="surrogateescape"),
                               uri_base_id=SRCROOT)


def _root_uri(root: str) -> str:
    uri = Path(os.path.abspath(root or ".")).as_uri()
    return uri if uri.endswith("/") else uri + "/"
