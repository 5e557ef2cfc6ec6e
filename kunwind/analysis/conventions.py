"""How a file treats each callee's result: the code's own convention (deviant behaviour).

Kernel code drops many results on purpose, so a call statement whose result is
dropped says little alone. What the rest of the file does with the same callee
says more (Engler et al., "Bugs as deviant behavior"): when most of its calls
test the result, the file's authors hold that its failure matters, and the one
call that drops it is the odd one out.

A call's result is *tested* when the call is in a branch condition (``if
(foo(x))``, ``if (foo(x) < 0)``), is returned (``return foo(x);``: the caller
tests it), or is stored in a local that the same block then tests or returns
(``ret = foo(x); if (ret) goto err;``). It is *dropped* when the call is the
whole statement (``foo(x);``; ``(void)foo(x);`` says the author chose to, and is
neither). Any other use (an argument, a field) is neither. A test ``< 0`` of
the result is counted apart: it says the callee returns negative errnos.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from kunwind.model.cfg import Block, Function
from kunwind.model.ir import Assign, Call, Expr, ExprStmt, Return, Store, Var, calls_in, subexprs

from .conditions import failure_check


@dataclass
class ResultUse:
    """The calls of one callee in a file: how many test its result, drop it, and how
    many of the tests are ``< 0`` tests."""

    tested: int = 0
    dropped: int = 0
    negative: int = 0


@dataclass
class Conventions:
    """Per callee, what a file's calls do with its result."""

    uses: dict[str, ResultUse] = field(default_factory=dict)

    def of(self, callee: str) -> ResultUse:
        return self.uses.get(callee, ResultUse())


def stored_call(s: object) -> tuple[str, Call] | None:
    """``ret = foo(x);``: the local and the call whose result it takes."""
    if not isinstance(s, Store) or s.op != "=" or not isinstance(s.target, Var):
        return None
    v = s.value.value if isinstance(s.value, Assign) else s.value
    return (s.target.name, v) if isinstance(v, Call) and not v.indirect else None


def dropped_call(s: object) -> Call | None:
    """``foo(x);``: a direct call that is the whole statement."""
    if isinstance(s, ExprStmt) and isinstance(s.expr, Call) and not s.expr.indirect:
        return s.expr
    return None


def reads(e: Expr | None, name: str) -> bool:
    """Does ``e`` read the local ``name``?"""
    return e is not None and any(isinstance(x, Var) and x.name == name for x in subexprs(e))


def file_conventions(functions: Iterable[Function]) -> Conventions:
    """What the file's functions do with each callee's result."""
    out = Conventions()
    for fn in functions:
        for b in fn.blocks:
            _count_block(b, out)
    return out


def _count_block(b: Block, out: Conventions) -> None:
    for i, s in enumerate(b.stmts):
        call = dropped_call(s)
        if call is not None:
            out.uses.setdefault(call.callee, ResultUse()).dropped += 1
            continue
        if isinstance(s, Return):
            for c in calls_in(s.value)[-1:]:  # the returned call, not its arguments'
                out.uses.setdefault(c.callee, ResultUse()).tested += 1
            continue
        stored = stored_call(s)
        if stored is not None and tested_after(b, i, stored[0]):
            _tested(out, stored[1], b.cond, {stored[0]: stored[1]})
    if b.cond is not None:
        for c in calls_in(b.cond):
            if not c.indirect:
                _tested(out, c, b.cond, {})


def tested_after(b: Block, i: int, name: str) -> bool:
    """Is the local ``name``, stored by statement ``i``, tested or returned by the
    rest of its block before it is stored again?"""
    for s in b.stmts[i + 1:]:
        if isinstance(s, Return):
            return reads(s.value, name)
        if isinstance(s, Store) and isinstance(s.target, Var) and s.target.name == name:
            return False
    return reads(b.cond, name) or reads(b.switch, name)


def _tested(out: Conventions, call: Call, cond: Expr | None, held: dict[str, Call]) -> None:
    use = out.uses.setdefault(call.callee, ResultUse())
    use.tested += 1
    chk = failure_check(cond, held.get) if cond is not None else None
    if chk is not None and chk.form == "negative" and chk.callee == call.callee:
        use.negative += 1
