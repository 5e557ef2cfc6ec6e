"""Summaries of the functions defined in the checked file (interprocedural facts).

For each function and each pointer parameter: which fields of it the function
dereferences (reads or writes through ``p->f``), which fields it writes, and
whether it releases the parameter (and tolerates NULL). For the return value:
whether it is a fresh allocation, zeroed or not, and which of its fields are
set before it is returned. Callees in the same file propagate into callers
until nothing changes, so wrappers count like what they wrap.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kunwind.model.cfg import Function
from kunwind.model.ir import (
    Assign,
    Call,
    Expr,
    ExprStmt,
    Index,
    Member,
    Return,
    Store,
    Unary,
    Var,
    calls_in,
    path_of,
    subexprs,
)
from kunwind.rules.api import Knowledge

from .conditions import null_test


@dataclass(frozen=True)
class Deref:
    line: int
    write: bool  # writes through the field (p->f->x = ..., p->f->n--)
    guarded: bool  # the function tests p->f for NULL somewhere


@dataclass
class Summary:
    name: str
    params: list[str]
    # param index -> field -> how the function dereferences p->field
    derefs: dict[int, dict[str, Deref]] = field(default_factory=dict)
    # param index -> line where the parameter itself is dereferenced (p->x, *p)
    derefs_self: dict[int, int] = field(default_factory=dict)
    writes: dict[int, set[str]] = field(default_factory=dict)
    releases: set[int] = field(default_factory=set)
    null_ok: set[int] = field(default_factory=set)
    ret_alloc: bool = False
    ret_zeroed: bool = False
    ret_fields: set[str] = field(default_factory=set)
    # parameters released on every path (releases_always), or on every path to a
    # return that may return an error (releases_on_error); conservative: any doubt, not in
    releases_always: set[int] = field(default_factory=set)
    releases_on_error: set[int] = field(default_factory=set)
    # parameters the function hands over: stores them (or links a member of them)
    # into another object, a global or an out-parameter, or passes them to an owner
    escapes: set[int] = field(default_factory=set)

    def key(self) -> tuple:
        return (
            tuple(sorted((i, tuple(sorted(d.items()))) for i, d in self.derefs.items())),
            tuple(sorted(self.derefs_self.items())),
            tuple(sorted((i, tuple(sorted(s))) for i, s in self.writes.items())),
            tuple(sorted(self.releases)), tuple(sorted(self.null_ok)),
            self.ret_alloc, self.ret_zeroed, tuple(sorted(self.ret_fields)),
            tuple(sorted(self.releases_always)), tuple(sorted(self.releases_on_error)),
            tuple(sorted(self.escapes)),
        )


def _exprs_of(fn: Function):
    """Every (line, expression, is-store-target) of a function."""
    for b in fn.blocks:
        for s in b.stmts:
            if isinstance(s, Store):
                yield s.loc.line, s.target, True
                if s.value is not None:
                    yield s.loc.line, s.value, False
            elif isinstance(s, ExprStmt):
                yield s.loc.line, s.expr, False
            elif isinstance(s, Return) and s.value is not None:
                yield s.loc.line, s.value, False
        for c in (b.cond, b.switch):
            if c is not None:
                yield (b.cond_loc.line if b.cond_loc else 0), c, False


class _Param:
    """Resolve an expression to (param index, field or "") through local aliases."""

    def __init__(self, fn: Function) -> None:
        self.index = {p.name: i for i, p in enumerate(fn.params)}
        self.alias: dict[str, tuple[int, str]] = {}
        for b in fn.blocks:
            for s in b.stmts:
                if isinstance(s, Store) and isinstance(s.target, Var) and s.value is not None:
                    r = self.of(s.value)
                    if r is not None and s.target.name not in self.index:
                        self.alias[s.target.name] = r

    def of(self, e: Expr) -> tuple[int, str] | None:
        if isinstance(e, Assign):
            e = e.value
        if isinstance(e, Var):
            if e.name in self.index:
                return self.index[e.name], ""
            return self.alias.get(e.name)
        if isinstance(e, Member) and e.arrow:
            base = self.of(e.base)
            if base is not None and base[1] == "":
                return base[0], e.name
        if isinstance(e, Member) and not e.arrow:
            base = self.of(e.base)
            if base is not None and base[1]:
                return base  # p->f.g belongs to field f
        return None


def summarize(fn: Function, known: dict[str, Summary], kb: Knowledge) -> Summary:
    s = Summary(fn.name, [p.name for p in fn.params])
    res = _Param(fn)
    tested: set[tuple[int, str]] = set()
    for b in fn.blocks:
        if b.cond is not None:
            nt = null_test(b.cond)
            if nt is not None:
                root, _, rest = nt[0].partition("->")
                r = res.of(Var(root))
                if r is None or "->" in rest or "." in rest or "[" in rest:
                    continue
                if r[1] == "":
                    tested.add((r[0], rest))
                elif rest == "":
                    tested.add(r)

    def note_deref(i: int, f: str, line: int, write: bool) -> None:
        old = s.derefs.setdefault(i, {}).get(f)
        d = Deref(line, write or (old.write if old else False), (i, f) in tested)
        if old is None or (write and not old.write):
            s.derefs[i][f] = d

    for line, e, is_target in _exprs_of(fn):
        for x in subexprs(e):
            base = None
            if isinstance(x, Member) and x.arrow:
                base = x.base
            elif isinstance(x, Unary) and x.op == "*":
                base = x.operand
            elif isinstance(x, Index):
                base = x.base
            if base is not None:
                r = res.of(base)
                if r is not None:
                    if r[1] == "":
                        s.derefs_self.setdefault(r[0], line)
                    else:
                        note_deref(r[0], r[1], line, is_target)
            if isinstance(x, Call):
                _call_effects(s, x, res, known, kb, line, note_deref)
        if is_target:
            r = res.of(e)
            if r is not None and r[1]:
                s.writes.setdefault(r[0], set()).add(r[1])
    for i in range(len(fn.params)):
        if (i, "") in tested:
            s.null_ok.add(i)
    _returns(fn, s, known, kb)
    _escapes(fn, s, res, known, kb)
    _must_release(fn, s, res, known, kb)
    return s


def _call_effects(s, call: Call, res: _Param, known, kb: Knowledge, line, note_deref) -> None:
    rel = kb.release(call.callee)
    td = kb.teardown(call.callee)
    callee = known.get(call.callee)
    for j, a in enumerate(call.args):
        if isinstance(a, Unary) and a.op == "&":
            r = res.of(a.operand)
            if r is not None and r[1]:
                s.writes.setdefault(r[0], set()).add(r[1])
            continue
        r = res.of(a)
        if r is None:
            continue
        i, f = r
        if (rel is not None and rel.arg == j) or (td is not None and td.arg == j):
            if f == "":
                s.releases.add(i)
            if td is not None and td.arg == j and f == "":
                for dep in td.depends:
                    note_deref(i, dep, line, True)
            continue
        if callee is None:
            continue
        if f == "":
            for g, d in callee.derefs.get(j, {}).items():
                note_deref(i, g, line, d.write)
            s.writes.setdefault(i, set()).update(callee.writes.get(j, set()))
            if j in callee.releases:
                s.releases.add(i)
            if j in callee.derefs_self:
                s.derefs_self.setdefault(i, line)
        else:
            releasing = j in callee.releases and j in callee.null_ok
            if j in callee.derefs_self and not releasing:
                note_deref(i, f, line, bool(callee.writes.get(j)))


def _returns(fn: Function, s: Summary, known: dict[str, Summary], kb: Knowledge) -> None:
    """Is the return value a fresh allocation; which of its fields are set?"""
    origin: dict[str, tuple[bool, set[str]]] = {}
    for b in fn.blocks:
        for st in b.stmts:
            if isinstance(st, Store) and isinstance(st.target, Var) and isinstance(st.value, Call):
                a = kb.alloc(st.value.callee)
                k = known.get(st.value.callee)
                if a is not None:
                    origin[st.target.name] = (a.zeroed, set())
                elif k is not None and k.ret_alloc:
                    origin[st.target.name] = (k.ret_zeroed, set(k.ret_fields))
    if not origin:
        return
    for b in fn.blocks:
        for st in b.stmts:
            if isinstance(st, Store):
                p = path_of(st.target)
                if p and "->" in p:
                    root, rest = p.split("->", 1)
                    if root in origin:
                        origin[root][1].add(rest.split("->")[0].split(".")[0])
            if isinstance(st, ExprStmt):
                for c in calls_in(st.expr):
                    for a in c.args:
                        if isinstance(a, Unary) and a.op == "&":
                            p = path_of(a.operand)
                            if p and "->" in p:
                                root, rest = p.split("->", 1)
                                if root in origin:
                                    origin[root][1].add(rest.split("->")[0].split(".")[0])
            if isinstance(st, Return) and isinstance(st.value, Var) and st.value.name in origin:
                zeroed, fields = origin[st.value.name]
                s.ret_alloc, s.ret_zeroed = True, zeroed
                s.ret_fields |= fields


def summarize_file(functions: list[Function], kb: Knowledge, rounds: int = 6) -> dict[str, Summary]:
    """Summaries of all functions, propagated through same-file calls to a fixed point."""
    known: dict[str, Summary] = {}
    for _ in range(rounds):
        changed = False
        for fn in functions:
            new = summarize(fn, known, kb)
            old = known.get(fn.name)
            if old is None or old.key() != new.key():
                known[fn.name] = new
                changed = True
        if not changed:
            break
    return known

