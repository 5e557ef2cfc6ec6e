"""``kunwind merge``: join the SARIF logs of the shards of one audit into one log.

The parts must come from kunwind (one tool); every run of every part goes
into one run:

- rules: deduplicated by id, in order of first appearance; each result's
  ``ruleIndex`` is renumbered to the merged list;
- results: concatenated and sorted as kunwind sorts findings (file, line,
  column, rule, message);
- ``toolExecutionNotifications`` of the invocations: concatenated, those
  about a file sorted by file (stable, so a file's own order stays), then
  those about no file, duplicates dropped (every part repeats the same
  notes about rules);
- artifacts: the union, sorted by URI; ``executionSuccessful``: true when
  any part's is.

Everything else (tool, ``originalUriBaseIds``, ``$schema``...) comes from the
first part. Since kunwind's SARIF holds no timings, merging the shards of a
run gives the same bytes as the unsharded run.
"""

from __future__ import annotations

import copy
import json
from typing import Any
from urllib.parse import unquote, urlparse

import attr
import sarif_om as om


class MergeError(Exception):
    """A part that cannot be merged; the message is one line."""


def merge_logs(parts: list[tuple[str, dict[str, Any]]]) -> tuple[dict[str, Any], list[str]]:
    """(the merged log, warnings) for ``parts``: (name, parsed SARIF log) pairs."""
    runs: list[tuple[str, dict[str, Any]]] = []
    for name, log in parts:
        if not isinstance(log, dict) or log.get("version") != "2.1.0":
            raise MergeError(f"{name}: not a SARIF 2.1.0 log")
        part_runs = log.get("runs")
        if not isinstance(part_runs, list) or not part_runs:
            raise MergeError(f"{name}: holds no runs")
        runs += [(name, run) for run in part_runs]
    warnings: list[str] = []
    first_name, first = runs[0]
    driver = first.get("tool", {}).get("driver", {})
    for name, run in runs[1:]:
        other = run.get("tool", {}).get("driver", {})
        if other.get("name") != driver.get("name"):
            raise MergeError(f"{name}: made by {other.get('name')!r}, "
                             f"not {driver.get('name')!r} like {first_name}")
        if other.get("version") != driver.get("version"):
            warnings.append(f"{name}: {other.get('name')} {other.get('version')}, "
                            f"but {first_name} is version {driver.get('version')}")
        if run.get("originalUriBaseIds") != first.get("originalUriBaseIds"):
            warnings.append(f"{name}: another source root than {first_name}; "
                            f"using {first_name}'s")

    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    results: list[dict[str, Any]] = []
    about_file: list[dict[str, Any]] = []
    rest: list[dict[str, Any]] = []
    artifacts: dict[str, dict[str, Any]] = {}
    successful = False
    for _, run in runs:
        part_rules = run.get("tool", {}).get("driver", {}).get("rules", [])
        for rule in part_rules:
            if rule["id"] not in index:
                index[rule["id"]] = len(rules)
                rules.append(rule)
        for result in run.get("results", []):
            result = copy.copy(result)
            rule_id = _rule_id(result, part_rules)
            if "ruleIndex" in result and rule_id in index:
                result["ruleIndex"] = index[rule_id]
            results.append(result)
        for part_invocation in run.get("invocations", []):
            successful = successful or bool(part_invocation.get("executionSuccessful"))
            for note in part_invocation.get("toolExecutionNotifications", []):
                if _note_file(note) is not None:
                    about_file.append(note)
                elif note not in rest:  # the same note about the rules, from every part
                    rest.append(note)
        for artifact in run.get("artifacts", []):
            artifacts.setdefault(artifact["location"]["uri"], artifact)

    merged = copy.deepcopy(first)
    merged_driver = merged.setdefault("tool", {}).setdefault("driver", {})
    if rules:
        merged_driver["rules"] = rules
    if artifacts:
        merged["artifacts"] = [artifacts[uri] for uri in sorted(artifacts, key=_path_of)]
    invocation: dict[str, Any] = {"executionSuccessful": successful}
    if about_file or rest:
        # stable: a file's own notes keep their order
        about_file.sort(key=lambda n: _note_file(n) or "")
        invocation["toolExecutionNotifications"] = about_file + rest
    merged["invocations"] = [invocation]
    if results:
        merged["results"] = sorted(results, key=_result_key)
    # the writer's key order (sarif-om's), whichever keys the first part lacked
    order = [a.metadata.get("schema_property_name", a.name) for a in attr.fields(om.Run)]
    merged = {k: merged[k] for k in sorted(merged, key=lambda k: _position(order, k))}
    first_log = parts[0][1]
    out = {k: v for k, v in first_log.items() if k != "runs"}
    out["runs"] = [merged]
    return out, warnings


def _position(order: list[str], key: str) -> int:
    return order.index(key) if key in order else len(order)


def write(log: dict[str, Any]) -> str:
    """As the SARIF writer writes it: 2-space indent, one trailing newline."""
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _rule_id(result: dict[str, Any], part_rules: list[dict[str, Any]]) -> str:
    if "ruleId" in result:
        return result["ruleId"]
    return part_rules[result["ruleIndex"]]["id"]


def _path_of(uri: str) -> str:
    """The path kunwind reported for ``uri`` (what it sorts by)."""
    if uri.startswith("file:"):
        return unquote(urlparse(uri).path)
    return unquote(uri)


def _note_file(note: dict[str, Any]) -> str | None:
    try:
        uri = note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    except (KeyError, IndexError, TypeError):
        return None
    return _path_of(uri)


def _result_key(result: dict[str, Any]) -> tuple:
    try:
        physical = result["locations"][0]["physicalLocation"]
        path = _path_of(physical["artifactLocation"]["uri"])
    except (KeyError, IndexError, TypeError):
        physical, path = {}, ""
    region = physical.get("region", {})
    return (path, region.get("startLine", 0), region.get("startColumn", 0),
            result.get("ruleId", ""), result.get("message", {}).get("text", ""))
