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
the result is counted apart: it says the callee returns negative errnos. A
comparison with one errno (``if (foo(x) == -ERESTARTSYS)``) is no test: it picks
out one outcome and lets success and every other failure go on alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from kunwind.model.cfg import Block, Function
from kunwind.model.ir import (
    Assign,
    Call,
    Expr,
    ExprStmt,
    Return,
    Stmt,
    Store,
    Var,
    calls_in,
    stmt_exprs,
    subexprs,
)

from .conditions import errno_equality, failure_check


@dataclass
class ResultUse:
    """The calls of one callee in a file: how many test its result, drop it, and how
    many of the tests are ``< 0`` tests."""

    tested: int = 0
    dropped: int = 0
    negative: int = 0
    logged: int = 0


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


def file_conventions(functions: Iterable[Function],
                     logs: Callable[[str], bool] = lambda callee: False) -> Conventions:
    """What the file's functions do with each callee's result; ``logs`` tells the
    printk-style functions (the knowledge's printf table)."""
    out = Conventions()
    for fn in functions:
        for b in fn.blocks:
            _count_block(fn, b, out, logs)
    return out


def _count_block(fn: Function, b: Block, out: Conventions,
                 logs: Callable[[str], bool]) -> None:
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
            held = {stored[0]: stored[1]}
            _tested(out, stored[1], b.cond, held,
                    _only_logged(fn, b, held, logs, stored[0]))
    if b.cond is not None:
        for c in calls_in(b.cond):
            if not c.indirect:
                _tested(out, c, b.cond, {}, _only_logged(fn, b, {}, logs, None))


def tested_after(b: Block, i: int, name: str) -> bool:
    """Is the local ``name``, stored by statement ``i``, tested or returned by the
    rest of its block before it is stored again?"""
    for s in b.stmts[i + 1:]:
        if isinstance(s, Return):
            return reads(s.value, name)
        if isinstance(s, Store) and isinstance(s.target, Var) and s.target.name == name:
            return False
    return reads(b.cond, name) or reads(b.switch, name)


def _tested(out: Conventions, call: Call, cond: Expr | None, held: dict[str, Call],
            logged: bool) -> None:
    if cond is not None and _one_errno(cond, held, call):
        return  # ``if (foo(x) == -ERESTARTSYS)``: one outcome picked out, no failure test
    use = out.uses.setdefault(call.callee, ResultUse())
    if logged:
        use.logged += 1
    else:
        use.tested += 1
    chk = failure_check(cond, held.get) if cond is not None else None
    if chk is not None and chk.form == "negative" and chk.callee == call.callee:
        use.negative += 1


def _one_errno(cond: Expr, held: dict[str, Call], call: Call) -> bool:
    """Is ``cond`` only a comparison of ``call``'s result with one negative errno
    (``if (foo_drain(s) == -ERESTARTSYS) return -ERESTARTSYS;``, ``!=`` alike)?
    It picks out one outcome (a signal to restart the system call, a busy device
    to retry) and lets success and every other failure go the same way: it says
    nothing of whether the file holds that the call's failure matters."""
    chk = errno_equality(cond, held.get)
    return chk is not None and chk.callee == call.callee


def _only_logged(fn: Function, b: Block, held: dict[str, Call],
                 logs: Callable[[str], bool], name: str | None) -> bool:
    """Does the failing side of the test ending ``b`` only log and rejoin its other
    side (``if (ret < 0) pr_warn(...);``: its blocks, the tests a logging macro
    makes included, call printers and nothing else, and lead nowhere but there),
    the local ``name`` that held the result (if any) not read again before it is
    stored anew?"""
    chk = failure_check(b.cond, held.get) if b.cond is not None else None
    if chk is None or len(b.succs) != 2:
        return False
    fail = next((e.dst for e in b.succs if e.kind == ("true" if chk.fails_when else "false")),
                None)
    on = next((e.dst for e in b.succs if e.kind == ("false" if chk.fails_when else "true")),
              None)
    if fail is None or on is None:
        return False
    region = fn.reachable_from(fail, on)
    if fn.exit in region or any(d not in region and d != on
                                for r in region for d in fn.blocks[r].targets()):
        return False  # it leaves, or goes elsewhere than the way on
    stmts = [st for r in region for st in fn.blocks[r].stmts]
    if not stmts or not all(isinstance(st, ExprStmt) and isinstance(st.expr, Call) and
                            not st.expr.indirect and logs(st.expr.callee) for st in stmts):
        return False
    return name is None or not _read_before_store(fn, on, name)


def _read_before_store(fn: Function, start: int, name: str) -> bool:
    """Can a path from block ``start`` read the local ``name`` before storing it?"""
    def touches(s: Stmt) -> bool:
        return any(reads(e, name) for e in stmt_exprs(s)) or \
            isinstance(s, Store) and isinstance(s.target, Var) and s.target.name == name
    return any(isinstance(t, Expr) or
               isinstance(t, Stmt) and any(reads(e, name) for e in stmt_exprs(t))
               for t in first_touches(fn, fn.blocks[start], 0, name, touches))


def first_touches(fn: Function, b: Block, start: int, name: str,
                  touches: Callable[[Stmt], bool]) -> Iterator[Stmt | Expr | None]:
    """Walking forward from statement ``start`` of ``b``, on each path the first thing
    that touches the local ``name``: a statement that ``touches`` picks, the test of a
    block that reads it, or None where the path leaves the function before. A block is
    entered once (a loop back into one adds nothing new)."""
    todo: list[tuple[Block, int]] = [(b, start)]
    seen: set[int] = set()
    while todo:
        blk, i = todo.pop()
        hit: Stmt | Expr | None = next((s for s in blk.stmts[i:] if touches(s)), None)
        if hit is None:
            hit = next((e for e in (blk.cond, blk.switch) if e is not None and reads(e, name)),
                       None)
        if hit is not None:
            yield hit
            continue
        if not blk.succs:
            yield None
        for d in blk.targets():
            if d not in seen:
                seen.add(d)
                todo.append((fn.blocks[d], 0))
