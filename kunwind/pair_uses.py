"""The first pass of learning pairs: what one function's error exits show.

For each function, the kept results of pointer-returning calls that the
knowledge does not know, each with the undo call its error exits give it
(if any) and how it is tested for failure (``PairUse``).
``kunwind.knowledge.learned`` turns the uses of a whole run into pairs.
"""

from __future__ import annotations

from kunwind.analysis.conditions import failure_check
from kunwind.analysis.context import FunctionContext
from kunwind.analysis.resources import object_path
from kunwind.analysis.state import CallRec
from kunwind.analysis.walk import ExitRecord, WalkResult
from kunwind.findings import PairUse
from kunwind.knowledge import Knowledge
from kunwind.knowledge.names import is_unknown_release, may_acquire, same_subject
from kunwind.model.ir import Call, Expr, Return, Store, path_of, subexprs
from kunwind.rules.ku002_error_path_leak import is_error_path


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
    """Could ``callee`` be what undoes ``acq`` (given the result as its first object):
    a known release of its first argument, or a call whose name says that it undoes
    the same thing. A call the knowledge describes otherwise is not: it knows what
    it releases (of_get_next_available_child(np, prev) puts ``prev``, not the parent
    ``np``), and what it acquires is not a release of its argument."""
    rel = kb.release(callee)
    if rel is not None:
        return rel.arg == 0
    if kb.describes(callee):
        return False
    return is_unknown_release(kb, callee) and same_subject(acq, callee)
