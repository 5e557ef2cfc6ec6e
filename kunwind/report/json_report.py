"""The JSON report: a stable, documented shape for scripts, and the run's tally.

Shape (keys in this order, 2-space indent, one trailing newline)::

    {
      "version": "0.1.0",            # kunwind's version
      "root": "/path/to/tree",       # what every "file" is relative to
      "findings": [                  # sorted by file, line, col, rule
        {"rule_id", "rule_name", "level", "file", "line", "col", "function",
         "message", "fingerprint",
         "steps": [{"file", "line", "col", "message"}],   # file always filled in
         "suppressed": null | "reason"}
      ],
      "notices": [{"file", "line", "level", "function", "message",
                   "kind"}],                  # "", "not-built", "skipped" or "program"
      "summary": {"files", "files_failed",
                  "not_kernel_code",             # files a makefile lists as host, user-space
                                                 # or BPF programs: not analysed
                  "functions", "functions_incomplete",
                  "findings", "suppressed", "by_rule": {"KU001": n}, "notices",
                  "configurations": {"the x86 defconfig (...)": n},  # kernel files each
                  "not_run": [{"rule": "KU002", "reason": "experimental: measured ..."}],
                  "seconds"}
    }

``summary.findings`` and ``by_rule`` count findings that are not suppressed;
``not_run`` names the checks left out because they are experimental (below 80%
true of 25 reports or more on a random sample; ``--experimental`` or ``--rule``
runs them).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from kunwind import __version__
from kunwind.findings import PROGRAM, Finding, Notice, RunResult
from kunwind.rules import get_rule


def write(run: RunResult) -> str:
    return json.dumps(document(run), indent=2, ensure_ascii=False) + "\n"


def document(run: RunResult) -> dict[str, Any]:
    """The report as plain JSON data."""
    return {
        "version": __version__,
        "root": run.root,
        "findings": [finding_dict(f) for f in run.findings],
        "notices": [notice_dict(n) for n in run.notices],
        "summary": counts(run),
    }


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "rule_id": f.rule_id,
        "rule_name": f.rule_name,
        "level": f.level,
        "file": f.file,
        "line": f.line,
        "col": f.col,
        "function": f.function,
        "message": f.message,
        "fingerprint": f.fingerprint(),
        "evidence": f.evidence,
        "steps": [
            {"file": s.file or f.file, "line": s.line, "col": s.col, "message": s.message}
            for s in f.steps
        ],
        "suppressed": f.suppressed,
    }


def notice_dict(n: Notice) -> dict[str, Any]:
    return {
        "file": n.file,
        "line": n.line,
        "level": n.level,
        "function": n.function,
        "message": n.message,
        "kind": n.kind,
    }


def counts(run: RunResult) -> dict[str, Any]:
    """The run's tally (JSON ``summary``; the text summary is worded from it)."""
    findings = run.findings
    active = [f for f in findings if not f.suppressed]
    by_rule = Counter(f.rule_id for f in active)
    return {
        "files": len(run.files),
        "files_failed": sum(1 for r in run.files if not r.parsed),
        "not_kernel_code": sum(1 for n in run.notices if n.kind == PROGRAM),
        "functions": sum(r.functions for r in run.files),
        "functions_incomplete": sum(r.functions_incomplete for r in run.files),
        "findings": len(active),
        "suppressed": len(findings) - len(active),
        "by_rule": {rule: by_rule[rule] for rule in sorted(by_rule)},
        "notices": len(run.notices),
        "configurations": configurations(run),
        "not_run": [{"rule": rule_id, "reason": not_run_reason(rule_id)}
                    for rule_id in run.not_run],
        "seconds": round(run.seconds, 3),
    }


def not_run_reason(rule_id: str) -> str:
    """Why a check the run left out was not run: it is experimental, and its number."""
    rule = get_rule(rule_id)
    return f"experimental: {rule.experimental}" if rule is not None else "experimental"


def configurations(run: RunResult) -> dict[str, int]:
    """The kernel configurations the files were analysed under, with how many files each
    (files outside a kernel tree are not counted), the most used first."""
    used = Counter(r.configuration for r in run.files if r.configuration)
    return dict(sorted(used.items(), key=lambda kv: (-kv[1], kv[0])))
