"""Acquire/release pairs learned across one run: knowledge the code itself gives.

The knowledge files name the kernel's common APIs; a subsystem's own
``foo_create()``/``foo_destroy()`` are not in them. When a directory is
checked, the first pass records each function's uses of pointer-returning
calls that the knowledge does not know (``kunwind.pair_uses``). Then
``learn`` keeps the pairs that the run shows consistently: at least
``MIN_FUNCTIONS`` functions in at least ``MIN_FILES`` files release the
result with the same call on an error exit, and they are at least
``MIN_SHARE`` of the functions that keep the result (not handing it on)
across an error exit. Those pairs become ordinary knowledge entries
(``to_toml``), each with its evidence, and the files that call them are
checked again with them; a report that rests on a learned pair says so and
names the evidence.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from kunwind.findings import FileResult, PairUse

from .facts import KnowledgeData
from .kinds import Kind

MIN_FUNCTIONS = 3  # functions that release the result with the same call
MIN_FILES = 2  # ... in this many files at least
MIN_SHARE = 0.75  # ... out of the functions that keep the result


def learn(results: Iterable[FileResult]) -> KnowledgeData:
    """The pairs the run shows consistently, as knowledge data (``Knowledge.merge``)."""
    uses: dict[str, list[tuple[str, PairUse]]] = defaultdict(list)
    for r in results:
        for u in r.pair_uses:
            uses[u.acquire].append((r.file, u))
    acquires: dict[str, dict[str, Any]] = {}
    releases: dict[str, dict[str, Any]] = {}
    for acq, seen in sorted(uses.items()):
        counts = Counter(u.release for _, u in seen if u.release)
        if not counts:
            continue
        release, n = min(counts.items(), key=lambda x: (-x[1], x[0]))
        support = sorted((f, u.function, u.line) for f, u in seen if u.release == release)
        files = {f for f, _, _ in support}
        if n < MIN_FUNCTIONS or len(files) < MIN_FILES or n < MIN_SHARE * len(seen):
            continue
        forms = Counter(u.fails for _, u in seen if u.fails)
        fails = min(forms.items(), key=lambda x: (-x[1], x[0]))[0] if forms else "null"
        one_per_file = {f: (fn, line) for f, fn, line in reversed(support)}  # the first
        examples = "; ".join(f"{fn}() in {f}:{line}"
                             for f, (fn, line) in sorted(one_per_file.items())[:2])
        acquires[acq] = {
            "kind": Kind.LEARNED.value, "fails": fails, "release": [release],
            "evidence": f"learned in this run: {n} of {len(seen)} functions that keep the "
                        f"result of {acq}() call {release}() on it, e.g. {examples}",
        }
        releases.setdefault(release, {"arg": 0, "null_ok": True})
    return {"acquire": acquires, "release": releases} if acquires else {}


def callers(results: Iterable[FileResult], learned: KnowledgeData) -> list[str]:
    """The files (as reported) that keep a result of a learned acquire."""
    names = set(learned.get("acquire", {}))
    return [r.file for r in results if any(u.acquire in names for u in r.pair_uses)]


def to_toml(learned: KnowledgeData) -> str:
    """The learned pairs as a knowledge file (``--knowledge``), readable by a person."""
    lines = ["# Pairs kunwind learned from the code of one run (kunwind check --save-learned).",
             "# Review them, then pass this file with --knowledge to use them elsewhere.", ""]
    for table in ("acquire", "release"):
        entries = learned.get(table, {})
        if not entries:
            continue
        lines.append(f"[{table}]")
        for name, fields in sorted(entries.items()):
            body = ", ".join(f"{k} = {_toml_value(v)}" for k, v in fields.items())
            lines.append(f"{_toml_key(name)} = {{ {body} }}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _toml_key(name: str) -> str:
    return name if name.replace("_", "a").isalnum() and name.isascii() else _toml_value(name)


def _toml_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    text = str(v).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'
