"""Functions none of whose paths can reach an error exit, told from their text alone.

Most of what the path walk reports waits for an error exit: a check's candidate at
a call or a use (``Rule.on_call``, ``on_use``) is reported only when its path
reaches one, ``on_exit`` runs only there, and ``on_function`` and the pair uses
read the error exits the walk reached. In a function where no path can reach
one (a helper that returns a count, a void function that tests nothing that can
fail), the walk of all its paths can only feed the checks that also look at the
other returns (``Rule.at_normal_exits``); when none of them has anything to look
at either, the pipeline skips the walk.

The test over-approximates what the walk does (``Walker.classify_exit``,
``Walker.refine``): an exit is an error exit when it returns an error value
(``error_value``, which reads what the path stored in a variable), a variable
the path marked bad (an error value stored in it, or a failure test of it that
failed), or nothing (or NULL from a function returning a pointer) after a failure
test failed. A failure test (``failure_check``, ``count_check``) always reads a
call: in the condition itself, or one that the path stored in a variable the
condition reads (through any chain of variables). So a function can reach an
error exit only if some expression in it is an error value, or some condition
reads a call that way and some return could carry what that condition tested, or
returns nothing or NULL. When in doubt the answer is "it may".
"""

from __future__ import annotations

from collections.abc import Iterator

from kunwind.knowledge.names import ERR_FROM, ERR_MAKERS
from kunwind.model.cfg import Function
from kunwind.model.ir import Assign, Call, Const, Expr, Return, Store, calls_in, path_of, subexprs


def may_reach_error_exit(fn: Function) -> bool:
    """Can some path of ``fn`` reach an error exit (an over-approximation)?"""
    if any(_error_value_in(e) for b in fn.blocks for e in b.exprs()):
        return True
    stores = _stores(fn)
    if not may_fail(fn, stores):
        return False  # no error value, and no failure test that could fail
    tested = _reached(_paths_in(b.cond for b in fn.blocks if b.cond is not None), stores)
    for b in fn.blocks:
        for s in b.stmts:
            if not isinstance(s, Return):
                continue
            v = s.value
            if v is None or fn.returns_ptr and isinstance(v, Const) and v.value == 0:
                return True  # after a failure: AFTER_FAILURE, NULL_AFTER_FAILURE
            if not _paths_in([v]).isdisjoint(tested):
                return True  # a variable a failure test may mark bad
    return False


def may_fail(fn: Function, stores: list[tuple[str, Expr]] | None = None) -> bool:
    """Can a failure test of ``fn`` fail on some path: does a condition read a call,
    in itself or through variables a path stored a call in?"""
    if stores is None:
        stores = _stores(fn)
    with_call = {t for t, v in stores if calls_in(v)}
    callish = _reached_back(with_call, stores)
    for b in fn.blocks:
        if b.cond is None:
            continue
        if calls_in(b.cond) or not _paths_in([b.cond]).isdisjoint(callish):
            return True
    return False


def _error_value_in(e: Expr) -> bool:
    """Does ``e`` contain an error value (a negative constant, ``ERR_PTR()``,
    ``PTR_ERR()``): what ``error_value`` takes as one, anywhere inside?"""
    return any(isinstance(x, Const) and x.value < 0 and not x.ptr or
               isinstance(x, Call) and (x.callee in ERR_MAKERS or x.callee in ERR_FROM)
               for x in subexprs(e))


def _stores(fn: Function) -> list[tuple[str, Expr]]:
    """(path, value) of every store the walk may record a value of: each statement
    ``p = v`` (and each ``q = ...`` assigned inside ``v``, with the whole ``v``), and
    each assignment inside any other expression, a condition's included."""
    out: list[tuple[str, Expr]] = []
    for b in fn.blocks:
        for s in b.stmts:
            if isinstance(s, Store) and s.value is not None:
                t = path_of(s.target)
                if t is not None:
                    out.append((t, s.value))
                out += [(t, s.value) for t in _assigned_in(s.value)]
        for e in b.exprs():
            for x in subexprs(e):
                if isinstance(x, Assign) and (t := path_of(x.target)) is not None:
                    out.append((t, x.value))
    return out


def _assigned_in(e: Expr) -> Iterator[str]:
    for x in subexprs(e):
        if isinstance(x, Assign) and (t := path_of(x.target)) is not None:
            yield t


def _paths_in(exprs: Iterator[Expr] | list[Expr]) -> set[str]:
    """The access paths ``exprs`` read (every sub-expression's)."""
    return {p for e in exprs for x in subexprs(e) if (p := path_of(x)) is not None}


def _reached(start: set[str], stores: list[tuple[str, Expr]]) -> set[str]:
    """``start`` and every path read by a value stored in one of them, and so on:
    what a test of ``start`` may resolve to (``State.resolve``)."""
    out = set(start)
    changed = True
    while changed:
        changed = False
        for t, v in stores:
            if t in out:
                new = _paths_in([v]) - out
                if new:
                    out |= new
                    changed = True
    return out


def _reached_back(start: set[str], stores: list[tuple[str, Expr]]) -> set[str]:
    """``start`` and every path stored a value that reads one of them, and so on:
    the variables that may resolve to a value of ``start``."""
    out = set(start)
    changed = True
    while changed:
        changed = False
        for t, v in stores:
            if t not in out and not _paths_in([v]).isdisjoint(out):
                out.add(t)
                changed = True
    return out
