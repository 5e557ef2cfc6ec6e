"""What a function can return: the signs of its integer result (a summary's "returns").

``ret = foo(); if (ret) goto err;`` has no error branch when every return of
``foo()`` gives 0 (``return 0;`` only, or the 0 of a callee that cannot fail
either). Nor when ``foo()`` fails only for argument values this caller does
not pass: ``if (defer) return 0; return alloc_id(res);`` called with ``defer``
true, or ``q->va = va; if (!q->va) return -ENOMEM; ... return 0;`` called with
a ``va`` the caller has tested non-NULL.

The signs (``constants.NEGATIVE | ZERO | POSITIVE``) of a return value are read
from what it is: a constant, an error value, a same-file callee's own signs,
``c ? a : b`` (both arms), or a local whose every store is one of these (its
stores anywhere in the function: a superset of what reaches the return). Any
other value may have any sign. A header's stub (``is_stub``) gives its callers' summaries
no signs. The returns counted are those a walk of the
body reaches, following the branches that the given argument values decide
(``truth``) and the NULL tests of a parameter given non-NULL, through the
paths that hold it (``q->va = va``) until they are stored again or passed to a
call. The walk has a budget: beyond it, any sign.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from kunwind.knowledge.names import ERR_OR_ZERO
from kunwind.model.cfg import Block, Function
from kunwind.model.ir import (
    Assign,
    Binary,
    Call,
    Cond,
    Expr,
    ExprStmt,
    Return,
    Stmt,
    Store,
    Unary,
    Var,
    path_of,
    root_of,
    subexprs,
)
from kunwind.model.syntax import UNKNOWN_CASE

from .conditions import error_value, null_test
from .constants import ANY_SIGN, NEGATIVE, POSITIVE, ZERO, constant, truth

if TYPE_CHECKING:
    from .summaries import Summary

MAX_STATES = 400  # (block, what the walk holds) pairs visited for one question
_DEPTH = 4  # locals followed through locals (``ret = err;``)


def sign_of(v: int) -> int:
    return NEGATIVE if v < 0 else ZERO if v == 0 else POSITIVE


class _Locals:
    """Every value stored in each local of a function (flow-insensitive), and the
    locals whose value the function may change otherwise (``&ret``, ``ret++``)."""

    def __init__(self, fn: Function) -> None:
        self.stores: dict[str, list[Expr | None]] = {}
        self.opaque: set[str] = {p.name for p in fn.params}
        for b in fn.blocks:
            for st in b.stmts:
                if isinstance(st, Store) and isinstance(st.target, Var):
                    value = st.value if st.op == "=" else None  # ret |= x: not followed
                    if not (st.decl and st.value is None):
                        self.stores.setdefault(st.target.name, []).append(value)
            for e in [*b.exprs(), *(st.target for st in b.stmts if isinstance(st, Store))]:
                for x in subexprs(e):
                    if isinstance(x, Assign) and isinstance(x.target, Var):
                        self.stores.setdefault(x.target.name, []).append(
                            x.value if x.op == "=" else None)
                    elif isinstance(x, Unary) and x.op in ("&", "++", "--", "post++",
                                                           "post--"):
                        p = path_of(x.operand)
                        if p is not None:
                            self.opaque.add(root_of(p))


# the operators whose value is a truth value, 0 or 1
_TRUTH_OPS = frozenset({"&&", "||", "==", "!=", "<", ">", "<=", ">="})


def expr_signs(e: Expr | None, given: Mapping[str, int], loc: _Locals,
               known: Mapping[str, Summary], depth: int = _DEPTH) -> int:
    """The signs ``e`` may have, as a returned integer."""
    if e is None or getattr(e, "ptr", False):
        return ANY_SIGN
    if isinstance(e, Assign):
        return expr_signs(e.value, given, loc, known, depth)
    k = constant(e)
    if k is not None:
        return sign_of(k)
    if isinstance(e, Call) and e.callee in ERR_OR_ZERO:
        return NEGATIVE | ZERO
    if error_value(e):
        return NEGATIVE
    if given and (isinstance(e, Binary) and e.op in _TRUTH_OPS or
                  isinstance(e, Unary) and e.op == "!"):
        t = truth(e, given)  # ``return err < 0 && ...;`` given err = 0: 0
        if t is not None:
            return sign_of(int(t))
    if isinstance(e, Cond):
        t = truth(e.cond, given)
        arms = [e.then, e.other] if t is None else [e.then if t else e.other]
        out = 0
        for a in arms:
            out |= expr_signs(a, given, loc, known, depth)
        return out
    if isinstance(e, Call):
        s = known.get(e.callee)
        ok = s is not None and not e.indirect and not s.ret_stub
        return s.ret_signs if s is not None and ok else ANY_SIGN
    if isinstance(e, Var):
        if e.name in given:
            return sign_of(given[e.name])
        values = loc.stores.get(e.name)
        if depth == 0 or e.name in loc.opaque or not values:
            return ANY_SIGN
        out = 0
        for v in values:
            out |= expr_signs(v, given, loc, known, depth - 1)
            if out == ANY_SIGN:
                break
        return out
    return ANY_SIGN


def is_stub(fn: Function) -> bool:
    """Is ``fn`` a body that only returns a constant, using none of its parameters?
    That is the stub a header gives when the configuration leaves a feature out
    (``static inline int reset_control_assert(...) { return 0; }`` without
    CONFIG_RESET_CONTROLLER): it cannot fail in this configuration, but the code that
    wraps it is written for the one where the real function can. A wrapper's own
    signs do not take the stub's (a direct test of the stub still does)."""
    rets = 0
    for b in fn.blocks:
        for st in b.stmts:
            if isinstance(st, Return) and (st.value is None or constant(st.value) is not None):
                rets += 1
            elif not (isinstance(st, Store) and st.decl and st.value is None):
                return False
        if b.cond is not None or b.switch is not None:
            return False
    return rets > 0


def return_signs(fn: Function, known: Mapping[str, Summary], given: Mapping[str, int] = {},
                 nonnull: str | None = None, loc: _Locals | None = None) -> int:
    """The signs of what ``fn`` returns on the paths that the parameter values ``given``
    and a parameter ``nonnull`` known not NULL leave open."""
    if fn.returns_void or fn.returns_ptr:
        return ANY_SIGN
    loc = loc or _Locals(fn)
    start = (fn.entry, frozenset(given.items()), frozenset([nonnull] if nonnull else []))
    todo = [start]
    seen: set[tuple] = set()
    out = 0
    while todo:
        item = todo.pop()
        if item in seen:
            continue
        seen.add(item)
        if len(seen) > MAX_STATES:
            return ANY_SIGN
        bid, vals, held = item
        values, paths = dict(vals), set(held)
        b = fn.blocks[bid]
        for st in b.stmts:
            if isinstance(st, Return):
                out |= expr_signs(st.value, values, loc, known)
                if out == ANY_SIGN:
                    return out
                break
            _step(st, values, paths, nonnull)
        else:
            for dst in _successors(b, values, paths):
                todo.append((dst, frozenset(values.items()), frozenset(paths)))
    return out


def _step(st: Stmt, values: dict[str, int], paths: set[str], nonnull: str | None) -> None:
    """What a statement does to the parameter values and the non-NULL paths held: a
    store forgets its target (or makes it hold the non-NULL parameter); a call forgets
    every field path (it may write any object a pointer leads to)."""
    exprs: list[Expr] = []
    if isinstance(st, Store):
        t = path_of(st.target)
        if t is not None:
            values.pop(t, None)
            for p in [p for p in paths if p == t or p.startswith((t + "->", t + "."))]:
                paths.discard(p)
            v = path_of(st.value) if st.value is not None else None
            if nonnull is not None and st.op == "=" and v is not None and v in paths:
                paths.add(t)
        exprs = [x for x in (st.target, st.value) if x is not None]
    elif isinstance(st, ExprStmt):
        exprs = [st.expr]
    for e in exprs:
        for x in subexprs(e):
            if isinstance(x, Assign):
                t = path_of(x.target)
                if t is not None:
                    values.pop(t, None)
                    paths.discard(t)
            elif isinstance(x, Call):
                # it may write any field a pointer leads to: only plain names stay
                for p in [p for p in paths if "->" in p or "." in p]:
                    paths.discard(p)


def _successors(b: Block, values: Mapping[str, int], paths: set[str]) -> list[int]:
    """The successors of ``b`` that the known values and non-NULL paths leave open."""
    if b.cond is not None and len(b.succs) == 2:
        t = truth(b.cond, values)
        nt = null_test(b.cond)
        if t is None and nt is not None and nt[0] in paths:
            t = not nt[1]  # the condition's value when the path is not NULL
        return [e.dst for e in b.succs if t is None or (e.kind == "true") == t]
    v = values.get(b.switch.name) if isinstance(b.switch, Var) else None
    cases = {e.value for e in b.succs if e.kind == "case"}
    return [e.dst for e in b.succs
            if v is None or UNKNOWN_CASE in cases
            or not (e.kind == "case" and e.value != v or e.kind == "default" and v in cases)]


def conditional_signs(fn: Function, known: Mapping[str, Summary], values: dict[int, set[int]],
                      overall: int) -> tuple[dict[int, dict[int, int]], dict[int, int]]:
    """For each parameter: the signs of the result for each value in ``values`` of it, and
    when it is not NULL, where they are fewer than ``overall``."""
    when: dict[int, dict[int, int]] = {}
    nonnull: dict[int, int] = {}
    if (overall & (NEGATIVE | POSITIVE)) == 0 or fn.returns_void or fn.returns_ptr:
        return when, nonnull  # it cannot fail for any argument
    loc = _Locals(fn)
    null_tests = any(b.cond is not None and null_test(b.cond) is not None for b in fn.blocks)
    for i, p in enumerate(fn.params):
        for v in sorted(values.get(i, ())):
            s = return_signs(fn, known, {p.name: v}, loc=loc)
            if s != overall:
                when.setdefault(i, {})[v] = s
        if p.ptr and null_tests:
            s = return_signs(fn, known, nonnull=p.name, loc=loc)
            if s != overall:
                nonnull[i] = s
    return when, nonnull
