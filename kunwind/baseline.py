"""Baselines: today's findings recorded in a file, so that later runs report only new ones.

The file is JSON made to read well in review and to diff cleanly: one finding
per line, sorted by file, function, rule and fingerprint, each with its
fingerprint, rule, file, function and message (its line numbers written
as ``line N`` or ``lines N``, so that the file does not change when lines
move)::

    {
      "kunwind_baseline": 1,
      "findings": [
        {"fingerprint": "0f3c...", "rule": "KU001", "file": "mm/rmap.c", "function": ...},
        ...
      ]
    }

A finding is matched by its fingerprint alone (rule, file, function and a
line-free description of the object and call, see ``Finding.fingerprint``),
so it stays matched when lines move; the other fields are for the reader.

``drop_known`` is also what ``check --diff`` uses to leave out the findings
the base revision already had.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .config import UsageError
from .findings import Finding, RunResult

FORMAT = 1


class BaselineError(UsageError):
    """The baseline file cannot be read or is not one: one line, exit status 2."""


@dataclass(frozen=True)
class Entry:
    fingerprint: str
    rule: str
    file: str
    function: str
    message: str


def entries(findings: list[Finding]) -> list[Entry]:
    """The entries for ``findings`` that are not suppressed in the source, sorted."""
    out = [Entry(f.fingerprint(), f.rule_id, f.file, f.function, without_lines(f.message))
           for f in findings if not f.suppressed]
    return sorted(out, key=lambda e: (e.file, e.function, e.rule, e.fingerprint, e.message))


def without_lines(message: str) -> str:
    """The message with its line numbers written as N: the file must not change when they
    do ("line 12" -> "line N", "lines 447, 465, ..." -> "lines N")."""
    return _LINES.sub(lambda m: f"{m.group(1)} N", message)


_LINES = re.compile(r"\b(lines?) \d+(?:(?:, | and )\d+)*(?:, \.\.\.)?")


def dumps(items: list[Entry]) -> str:
    """The baseline file's text: valid JSON, one finding per line."""
    rows = [json.dumps({"fingerprint": e.fingerprint, "rule": e.rule, "file": e.file,
                        "function": e.function, "message": e.message}, ensure_ascii=False)
            for e in items]
    body = ",\n".join(f"    {r}" for r in rows)
    findings = f"[\n{body}\n  ]" if rows else "[]"
    return f'{{\n  "kunwind_baseline": {FORMAT},\n  "findings": {findings}\n}}\n'


def load(path: Path) -> Counter[str]:
    """The fingerprints a baseline file records, with how often each occurs."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"{path}: not a kunwind baseline: {exc}") from None
    if not isinstance(doc, dict) or doc.get("kunwind_baseline") != FORMAT:
        raise BaselineError(f"{path}: not a kunwind baseline (no \"kunwind_baseline\": {FORMAT})")
    items = doc.get("findings")
    if not isinstance(items, list) or not all(
            isinstance(i, dict) and isinstance(i.get("fingerprint"), str) for i in items):
        raise BaselineError(f"{path}: \"findings\" must be a list of objects with a fingerprint")
    return Counter(i["fingerprint"] for i in items)


def drop_known(findings: list[Finding], known: Counter[str]) -> tuple[list[Finding], int]:
    """(the findings that are new, how many were left out).

    Findings are grouped by fingerprint. A group no larger than ``known``
    says is left out; a group that grew is kept whole, since which of its
    findings is the new one cannot be told.
    """
    groups = Counter(f.fingerprint() for f in findings)
    kept = [f for f in findings if groups[f.fingerprint()] > known[f.fingerprint()]]
    return kept, len(findings) - len(kept)


def apply_baseline(run: RunResult, known: Counter[str], why: str) -> None:
    """Leave out of ``run`` the findings ``known`` holds; count them under ``why``."""
    hidden = 0
    for result in run.files:
        result.findings, n = drop_known(result.findings, known)
        hidden += n
    if hidden:
        run.hidden[why] = run.hidden.get(why, 0) + hidden
