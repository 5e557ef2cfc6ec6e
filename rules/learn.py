"""Acquire/release pairs learned across one run: knowledge the code itself gives.

The knowledge files name the kernel's common APIs; a subsystem's own
``foo_create()``/``foo_destroy()`` are not in them. When a directory is
checked, each function's uses of pointer-returning calls that the knowledge
does not know are recorded (``collect_uses``): the call, the undo call that
its error exits give the result to (``foo_destroy(x)``), and how the result
is tested for failure. After the first pass, ``learn`` keeps the pairs that
the run shows consistently: at least ``MIN_FUNCTIONS`` functions in at least
``MIN_FILES`` files release the result with the same call on an error exit,
and they are at least ``MIN_SHARE`` of the functions that keep the result
(not handing it on) across an error exit. Those pairs become ordinary
knowledge entries (``to_toml``), each with its evidence, and the files that
call them are checked again with them; a report that rests on a learned pair
says so and names the evidence.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from kunwind.analysis.conditions import failure_check
from kunwind.analysis.resources import object_path
from kunwind.findings import FileResult, PairUse
from kunwind.model.ir import Call, Expr, Return, Store, path_of, subexprs

from .api import Knowledge
from .ku002_error_path_leak import is_error_path
from .names import is_unknown_release, may_acquire, same_subject

if TYPE_CHECKING:
    from kunwind.analysis.context import FunctionContext
    from kunwind.analysis.state import CallRec
    from kunwind.analysis.walk import ExitRecord, WalkResult

MIN_FUNCTIONS = 3  # functions that release the result with the same call
MIN_FILES = 2  # ... in this many files at least
MIN_SHARE = 0.75  # ... out of the functions that keep the result


def collect_uses(ctx: FunctionContext, walk: WalkResult) -> list[PairUse]:
    """The function's kept results of pointer-returning calls the knowledge does not
    know, each with the undo call its error exits give it (if any) and its test.

    Only error exits reached after the call (and not because the call itself
    failed) are evidence: an undo on the error path is what an unwind is, while
    a call on the success path may be anything (a later use, a final step).
    """
    fn, kb = ctx.fn, ctx.kb
    stores: dict[str, tuple[str, int]] = {}  # path -> (callee, line), the first store
    values: dict[str, Expr] = {}
    handed: set[str] = set()  # returned, or copied somewhere else
    for b in fn.blocks:
        for s in b.stmts:
            if isinstance(s, Store):
                target = object_path(path_of(s.target))
                v = s.value
                if target is not None and isinstance(v, Call) and s.op == "=":
                    values[target] = v
                    if v.ptr and not v.indirect:
                        stores.setdefault(target, (v.callee, s.loc.line))
                elif v is not None and (src := object_path(path_of(v))) is not None:
                    handed.add(src)
            elif isinstance(s, Return) and s.value is not None:
                for x in subexprs(s.value):
                    if (p := object_path(path_of(x))) is not None:
                        handed.add(p)
    tests: dict[str, str] = {}
    for b in fn.blocks:
        chk = failure_check(b.cond, values.get) if b.cond is not None else None
        if chk is not None and not chk.answer and chk.form in ("null", "errptr"):
            p = object_path(path_of(chk.subject))
            if p is not None:
                tests.setdefault(p, chk.form)
    exits = [r for r in walk.exits if is_error_path(ctx, r.exit, r.failure)]
    out: list[PairUse] = []
    seen: set[str] = set()
    for path, (acq, line) in sorted(stores.items(), key=lambda x: x[1][1]):
        if acq in seen or kb.acquire(acq) is not None or kb.release(acq) is not None \
                or not may_acquire(kb, acq):
            continue
        after = [r for r in exits if _after(r, acq, line)]
        if not after:
            continue  # no error path follows it here: no evidence either way
        release = next((c.callee for r in after for c in _later(r, acq, line)
                        if path in c.objects[:1] and _releases(kb, acq, c.callee)), "")
        if not release and path in handed:
            continue  # returned or stored: the caller or the new holder releases it
        seen.add(acq)
        out.append(PairUse(acq, release, fn.name, line, tests.get(path, "")))
    return out


def _after(rec: ExitRecord, acq: str, line: int) -> bool:
    """Is the error exit reached after the call at ``line``, and not because it failed?"""
    if not any(c.callee == acq and c.line == line for c in rec.calls):
        return False
    return rec.failure is None or rec.failure.callee != acq or rec.failure.line != line


def _later(rec: ExitRecord, acq: str, line: int) -> list[CallRec]:
    """The calls of the exit's path after the (last) call at ``line``."""
    calls = list(rec.calls)
    last = max(i for i, c in enumerate(calls) if c.callee == acq and c.line == line)
    return calls[last + 1:]


def _releases(kb: Knowledge, acq: str, callee: str) -> bool:
    """Could ``callee`` be what undoes ``acq``: a known release, or a call whose
    name says that it undoes the same thing."""
    if kb.release(callee) is not None:
        return True
    return is_unknown_release(kb, callee) and same_subject(acq, callee)


def learn(results: Iterable[FileResult]) -> dict:
    """The pairs the run shows consistently, as knowledge data (``Knowledge.merge``)."""
    uses: dict[str, list[tuple[str, PairUse]]] = defaultdict(list)
    for r in results:
        for u in r.pair_uses:
            uses[u.acquire].append((r.file, u))
    acquires: dict[str, dict] = {}
    releases: dict[str, dict] = {}
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
            "kind": "learned", "fails": fails, "release": [release],
            "evidence": f"learned in this run: {n} of {len(seen)} functions that keep the "
                        f"result of {acq}() call {release}() on it, e.g. {examples}",
        }
        releases.setdefault(release, {"arg": 0, "null_ok": True})
    return {"acquire": acquires, "release": releases} if acquires else {}


def callers(results: Iterable[FileResult], learned: dict) -> list[str]:
    """The files (as reported) that keep a result of a learned acquire."""
    names = set(learned.get("acquire", {}))
    return [r.file for r in results if any(u.acquire in names for u in r.pair_uses)]


def to_toml(learned: dict) -> str:
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
