"""Flags tied to an acquisition: a test of the flag says whether the object is held.

``has_msi = !no_msi && !pci_enable_msi(pdev); ... if (has_msi) pci_disable_msi(pdev);``
and ``have_region = request_region(base, n, "x") == NULL ? 0 : 1;``: the flag is
computed from the acquisition's own result, so where a later test finds it false
the acquisition failed (or was never made, the ``&&`` having stopped before it),
and where it finds it true the acquisition succeeded. ``clk_prepare_enable(clk)``
then ``if (err) return err; priv->clk_on = 1;``: a flag set to a true constant just
after the acquisition succeeded says so too; where it is found false again, what
cleared it (a callee: a store of this function drops the tie) took the object
with it. Acquisitions made one after another, each tested, with no other call
between them and the flag (``dma_map_sg(in); if (!n) return; dma_map_sg(out);
if (!n) { dma_unmap_sg(in); return; } t->flags |= FAST;``), are all recorded by
it: where it is found false, neither is held (``Tie.more``).

A flag may be a bit of a field (``t->flags |= MAPPED`` after a successful map, ``if
(t->flags & MAPPED)`` before the unmap: the key ``t->flags & MAPPED``) or a count
(``p->enabled++`` next to an enable, ``if (p->enabled > 0)`` before the disable):
``flag_set`` reads which flag a store sets or clears, ``flag_tested`` which one a
test reads, under the same key.

``outcome`` reads what an expression's truth says of one acquiring call in it;
``Tie`` is what the path keeps per flag (``Resources.ties``), until the flag is
stored again. A tie holds across calls that may write the flag: the flag is the
object's record, and code that changes it does so with the object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from kunwind.knowledge.names import BIT_TESTS
from kunwind.model.ir import (
    Binary,
    Call,
    Cond,
    Const,
    Expr,
    ExprStmt,
    Stmt,
    Store,
    Unary,
    Var,
    calls_in,
    path_of,
)

from .conditions import failure_check
from .constants import BIT_SEP, bit_key, constant


@dataclass(frozen=True)
class Tie:
    """What the flag's truth says of the resource ``obj`` acquired at ``line``:
    held (True), not held (False) or nothing (None), when the flag is true, false."""

    obj: str
    line: int
    when_true: bool | None
    when_false: bool | None
    # the flag was set after the acquisition succeeded (not from its result): where
    # it is false, what cleared it took the object (not: the acquisition failed)
    record: bool = False
    # a record of several acquisitions made in a row: the others, (object, line)
    more: tuple[tuple[str, int], ...] = ()


Outcome = tuple[bool | None, bool | None]  # held when the expression is true, when false


def outcome(e: Expr, call: Call, fails_on_zero: bool) -> Outcome | None:
    """What ``e``'s truth says of whether ``call`` (an acquire in ``e``) succeeded;
    None when ``e`` does not test it. ``fails_on_zero``: the acquire fails by
    returning 0 (a trylock), which the failure check reads the other way."""
    if not _contains(e, call):
        return None
    chk = failure_check(e)
    if chk is not None and chk.subject is call:
        fails = chk.fails_when != fails_on_zero
        return (not fails, fails)
    if isinstance(e, Unary) and e.op == "!":
        o = outcome(e.operand, call, fails_on_zero)
        return None if o is None else (o[1], o[0])
    if isinstance(e, Binary) and e.op in ("==", "!=") and (
            constant(e.rhs) == 0 or constant(e.lhs) == 0):
        inner = e.lhs if constant(e.rhs) == 0 else e.rhs
        o = outcome(inner, call, fails_on_zero)
        return None if o is None else o if e.op == "!=" else (o[1], o[0])
    if isinstance(e, Cond):
        a, b = constant(e.then), constant(e.other)
        o = outcome(e.cond, call, fails_on_zero)
        if o is None or a is None or b is None or bool(a) == bool(b):
            return None
        return o if a else (o[1], o[0])
    if isinstance(e, Binary) and e.op in ("&&", "||"):
        return _logical(e, call, fails_on_zero)
    return None


def _logical(e: Binary, call: Call, fails_on_zero: bool) -> Outcome | None:
    """``x && acquire()``: false when ``x`` stopped it before the call (nothing held);
    ``acquire() && x``: true only after it succeeded. The same for ``||``, mirrored."""
    conj = e.op == "&&"
    if _contains(e.rhs, call) and not _contains(e.lhs, call):
        o = outcome(e.rhs, call, fails_on_zero)
        if o is None:
            return None
        # short-circuit: the call was not made, nothing is held
        return (o[0], False if o[1] is False else None) if conj else \
            (False if o[0] is False else None, o[1])
    o = outcome(e.lhs, call, fails_on_zero)
    if o is None:
        return None
    return (o[0], None) if conj else (None, o[1])


def saved_result(e: Expr, resolve: Callable[[str], Expr | None]) -> tuple[Expr, Call] | None:
    """``flag = !ret`` where ``ret`` last held ``regulator_enable(r)``'s result: ``e``
    with that local replaced by the call (``!regulator_enable(r)``), and the call;
    None when ``e`` tests no local (inside ``!``, ``==``, ``!=``, ``?:``, ``&&``,
    ``||``) whose value is a call's result."""
    names = {v.name for v in _tested_vars(e)}
    if isinstance(e, Var) or len(names) != 1:  # a copy of the result is no test of it
        return None
    name = names.pop()
    call = resolve(name)
    if not isinstance(call, Call):
        return None
    return _substitute(e, name, call), call


def _tested_vars(e: Expr) -> list[Var]:
    if isinstance(e, Var):
        return [e]
    if isinstance(e, Unary) and e.op == "!":
        return _tested_vars(e.operand)
    if isinstance(e, Binary) and e.op in ("==", "!=", "&&", "||"):
        return _tested_vars(e.lhs) + _tested_vars(e.rhs)
    if isinstance(e, Cond):
        return _tested_vars(e.cond)
    return []


def _substitute(e: Expr, name: str, by: Call) -> Expr:
    if isinstance(e, Var):
        return by if e.name == name else e
    if isinstance(e, Unary) and e.op == "!":
        return replace(e, operand=_substitute(e.operand, name, by))
    if isinstance(e, Binary) and e.op in ("==", "!=", "&&", "||"):
        return replace(e, lhs=_substitute(e.lhs, name, by), rhs=_substitute(e.rhs, name, by))
    if isinstance(e, Cond):
        return replace(e, cond=_substitute(e.cond, name, by))
    return e


def _contains(e: Expr, call: Call) -> bool:
    return any(c is call for c in calls_in(e))


def truth_tested(cond: Expr, taken: bool) -> tuple[Expr, bool]:
    """(what ``cond`` tests for truth, its truth on this edge): ``flag``, ``!p->on``,
    ``x == 0``, ``!query(obj)``."""
    c = cond
    while True:
        if isinstance(c, Unary) and c.op == "!":
            c, taken = c.operand, not taken
        elif isinstance(c, Binary) and c.op in ("==", "!=") and constant(c.rhs) == 0:
            taken = taken == (c.op == "!=")
            c = c.lhs
        else:
            return c, taken


# The kernel's bit operations on a word given by address (include/linux/bitops.h,
# include/asm-generic/bitops/): set_bit(nr, addr) is *addr |= BIT(nr), clear_bit(nr,
# addr) *addr &= ~BIT(nr), test_bit(nr, addr) reads *addr & BIT(nr) (BIT_TESTS).
BIT_SETTERS = {"set_bit": True, "__set_bit": True, "clear_bit": False, "__clear_bit": False}


def _bit_of(call: Call) -> tuple[Expr, int] | None:
    """(the word, the bit's mask) of a bit operation's ``(nr, &word)``, nr a constant."""
    if len(call.args) != 2:
        return None
    nr, addr = constant(call.args[0]), call.args[1]
    if nr is None or not 0 <= nr < 64 or not (isinstance(addr, Unary) and addr.op == "&"):
        return None
    return addr.operand, 1 << nr


def bit_store(s: Stmt | Call) -> Store | None:
    """``set_bit(nr, &w)`` as the store ``w |= BIT(nr)`` it is, ``clear_bit(nr, &w)`` as
    ``w &= ~BIT(nr)``; None for anything else."""
    c = s.expr if isinstance(s, ExprStmt) else s
    if isinstance(s, Store) or not isinstance(c, Call) or c.callee not in BIT_SETTERS:
        return None
    bit = _bit_of(c)
    if bit is None:
        return None
    k: Expr = Const(bit[1])
    if BIT_SETTERS[c.callee]:
        return Store(c.loc, bit[0], k, "|=")
    return Store(c.loc, bit[0], Unary("~", k), "&=")


def flag_tested(cond: Expr, taken: bool) -> tuple[str, bool] | None:
    """(the flag ``cond`` tests for truth, its truth on this edge): ``if (flag)``,
    ``if (!p->on)``, ``flag == 0``, a bit ``if (p->flags & BIT)`` or ``if
    (test_bit(nr, &p->flags))``, a count ``if (p->count > 0)``; None for any other
    test."""
    c, truth = truth_tested(cond, taken)
    if isinstance(c, Call) and c.callee in BIT_TESTS:
        word = _bit_of(c)
        p = path_of(word[0]) if word is not None else None
        return None if word is None or p is None else (bit_key(p, word[1]), truth)
    if isinstance(c, Binary) and c.op == ">" and constant(c.rhs) == 0:
        c = c.lhs  # a count: above zero is its truth
    if isinstance(c, Binary) and c.op == "&":
        bit, field = (c.rhs, c.lhs) if constant(c.rhs) is not None else (c.lhs, c.rhs)
        p, k = path_of(field), constant(bit)
        return None if p is None or not k else (bit_key(p, k), truth)
    p = path_of(c)
    return None if p is None else (p, truth)


def flag_base(key: str) -> str:
    """The access path a flag key is stored in: a bit's field, else the key itself
    (``constants.bit_key``: ``t->flags & 4``)."""
    return key.split(BIT_SEP, 1)[0]


def flag_set(path: str, op: str, value: Expr | None) -> tuple[str, bool] | None:
    """(the flag a store ``path op= value`` sets or clears, True when it sets it):
    ``flag = 1``, ``flag = 0``, ``flags |= BIT``, ``flags &= ~BIT``, ``count++`` (as
    ``+= 1``), ``count--``; None for a store that does neither."""
    if value is None:
        return None
    k = constant(value)
    if op == "=" and k is not None:
        return path, k != 0
    if op in ("+=", "-=") and k == 1:
        return path, op == "+="
    if op == "|=" and k:
        return bit_key(path, k), True
    if op == "&=" and isinstance(value, Unary) and value.op == "~":
        k = constant(value.operand)
        return (bit_key(path, k), False) if k else None
    return None
