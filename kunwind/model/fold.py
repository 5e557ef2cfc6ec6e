"""Conditions the compiler decides: a test on ``__builtin_constant_p()`` of a constant.

Kernel macros choose their code by asking the compiler whether an argument is a
constant. ``wait_event()`` passes ``TASK_UNINTERRUPTIBLE`` to ``___wait_event()``,
whose ``___wait_is_interruptible(state)`` is
``!__builtin_constant_p(state) || (state & (TASK_INTERRUPTIBLE | TASK_WAKEKILL))``:
0 for that state, so the macro's ``goto __out`` after a signal is dead code and an
uninterruptible wait cannot fail. Such a test has the same value in every
configuration, and the CFG keeps only the side it takes.

A plain constant test is left alone: ``if (IS_ENABLED(CONFIG_FOO))`` is the literal
0 or 1 after preprocessing, and its value depends on the configuration, while
kunwind checks the code for every configuration that builds it.
"""

from __future__ import annotations

import operator
from collections.abc import Callable

from .ir import Binary, Call, Cond, Const, Expr, Member, Other, Str, Unary, Var

CONSTANT_P = "__builtin_constant_p"

_BINARY: dict[str, Callable[[int, int], int]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "&": operator.and_,
    "|": operator.or_, "^": operator.xor, "<<": operator.lshift, ">>": operator.rshift,
    "==": lambda a, b: int(a == b), "!=": lambda a, b: int(a != b),
    "<": lambda a, b: int(a < b), "<=": lambda a, b: int(a <= b),
    ">": lambda a, b: int(a > b), ">=": lambda a, b: int(a >= b),
    "&&": lambda a, b: int(bool(a) and bool(b)), "||": lambda a, b: int(bool(a) or bool(b)),
}
_UNARY: dict[str, Callable[[int], int]] = {
    "!": lambda a: int(not a), "~": operator.invert, "-": operator.neg,
}


def unevaluated(callee: str, args: tuple[Expr, ...]) -> tuple[Expr, ...]:
    """The arguments of ``__builtin_constant_p()`` as the CFG keeps them: the compiler
    never evaluates them, so a macro that passes an allocation twice
    (``rcu_assign_pointer(p, kvmalloc_array(...))`` tests
    ``__builtin_constant_p(v)`` before it stores ``v``) allocates once. An argument with
    anything to evaluate (a call, a statement expression) is kept as an opaque value."""
    if callee != CONSTANT_P:
        return args
    return tuple(a if isinstance(a, (Const, Var, Member, Str)) else Other("") for a in args)


def compiler_decided(e: Expr) -> int | None:
    """The value of a test that asks ``__builtin_constant_p()`` and is made of constants
    only, so that the compiler decides it for every configuration; else None."""
    if not _asks_constant_p(e):
        return None
    return _value(e)


def _asks_constant_p(e: Expr) -> bool:
    if isinstance(e, Call):
        return e.callee == CONSTANT_P
    if isinstance(e, Unary):
        return _asks_constant_p(e.operand)
    if isinstance(e, Binary):
        return _asks_constant_p(e.lhs) or _asks_constant_p(e.rhs)
    if isinstance(e, Cond):
        return any(_asks_constant_p(x) for x in (e.cond, e.then, e.other))
    return False


def _value(e: Expr) -> int | None:
    if isinstance(e, Const):
        return e.value
    if isinstance(e, Call):
        if e.callee == CONSTANT_P and len(e.args) == 1 and \
                (isinstance(e.args[0], Str) or _value(e.args[0]) is not None):
            return 1  # a string literal is a constant too (printk's format index)
        return None  # not a constant here: the optimiser may still decide, kunwind does not
    if isinstance(e, Unary) and e.op in _UNARY:
        v = _value(e.operand)
        return None if v is None else _UNARY[e.op](v)
    if isinstance(e, Binary) and e.op in _BINARY:
        a = _value(e.lhs)
        if e.op == "&&" and a == 0 or e.op == "||" and a not in (None, 0):
            return int(e.op == "||")  # the right side is never evaluated
        b = _value(e.rhs)
        if a is None or b is None or e.op in ("<<", ">>") and not 0 <= b < 64:
            return None
        return _BINARY[e.op](a, b)
    if isinstance(e, Cond):
        c = _value(e.cond)
        return None if c is None else _value(e.then if c else e.other)
    return None
