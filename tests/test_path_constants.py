"""Tied conditions: pure callees read from their bodies, constants a path stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from kunwind.analysis.constants import (
    ANY_SIGN,
    NEGATIVE,
    POSITIVE,
    ZERO,
    bits_after,
    bound_test,
    constant,
    forget_written,
    sign_test,
    sign_truth,
    truth,
)
from kunwind.frontend.clang_parse import parse_file
from kunwind.model.ir import Binary, Call, Const, Loc, Member, Unary, Var

PURITY = """
struct obj { int caps; int *ptr; };
static int counter;
int ext(int x);
static inline int same(const void *a, const void *b) { return a == b; }
static inline int caps_of(const struct obj *o) { return o->caps & 4; }
static inline int via_local(int x) { int y = x * 2; if (y > 4) y = 4; return y; }
static inline int calls_pure(int x) { return via_local(x) + 1; }
static inline int reads_global(void) { return counter; }
static inline int writes_arg(struct obj *o) { o->caps = 1; return 0; }
static inline int bumps(int x) { counter++; return x; }
static inline int calls_unknown(int x) { return ext(x); }
static inline int reads_volatile(int *p) { return *(volatile int *)p; }
static inline int has_asm(int x) { asm volatile("nop"); return x; }
static inline int tested_nowhere(int x) { return x; }
int f(struct obj *o, int x)
{
    if (same(o, 0) + caps_of(o) + via_local(x) + calls_pure(x) + reads_global()
        + writes_arg(o) + bumps(x) + calls_unknown(x) + reads_volatile(&x) + has_asm(x))
        return 1;
    return tested_nowhere(x);
}
"""


def test_pure_bodies() -> None:
    """Only the functions called in a condition are looked at (not tested_nowhere())."""
    parsed = parse_file(Path("unit.c"), ["-x", "c", "-std=gnu11"], PURITY.encode())
    assert parsed.pure == {"same": False, "caps_of": True, "via_local": False,
                           "calls_pure": False}


def _var(name: str, ptr: bool = False) -> Var:
    return Var(name, ptr)


HW = _var("hw", True)
MODE = Member(_var("f", True), "mode", True)


@pytest.mark.parametrize("cond, known, expected", [
    (Call("IS_ERR", (HW,), Loc(1, 1)), {"hw": -22}, True),
    (Call("IS_ERR", (HW,), Loc(1, 1)), {"hw": 0}, False),
    (Unary("!", HW), {"hw": -22}, False),
    (Binary("==", MODE, Const(2)), {"f->mode": 2}, True),
    (Binary("!=", MODE, Const(2)), {"f->mode": 1}, True),
    (Binary("==", MODE, Const(2)), {}, None),
    (Binary("&&", MODE, _var("x")), {"f->mode": 0}, False),
])
def test_truth(cond, known, expected) -> None:
    assert truth(cond, known) == expected


def test_constants() -> None:
    assert constant(Call("ERR_PTR", (Const(-12),), Loc(1, 1))) == -12
    assert constant(Call("ERR_PTR", (_var("err"),), Loc(1, 1))) is None
    assert constant(_var("x")) is None


@pytest.mark.parametrize("args, left", [
    ((Member(_var("f", True), "base", True),), {"f->mode", "g->mode"}),  # a value read
    ((_var("f", True),), {"g->mode"}),  # the object: any field of it
    ((Unary("&", MODE),), {"g->mode"}),  # its address
    ((Call("to_obj", (_var("f", True),), Loc(1, 1)),), {"g->mode"}),  # inside an expression
])
def test_forget_written(args, left) -> None:
    known = {"f->mode": 1, "g->mode": 2}
    forget_written(known, Call("setup", args, Loc(1, 1)), None)
    assert set(known) == left


RET = _var("ret")


@pytest.mark.parametrize("cond, expected", [
    (Binary("<", RET, Const(0)), ("ret", NEGATIVE)),
    (Binary(">", Const(0), RET), ("ret", NEGATIVE)),  # 0 > ret
    (Binary(">=", RET, Const(0)), ("ret", ZERO | POSITIVE)),
    (RET, ("ret", NEGATIVE | POSITIVE)),
    (Unary("!", RET), ("ret", ZERO)),
    (Binary("!=", MODE, Const(0)), ("f->mode", NEGATIVE | POSITIVE)),
    (Binary("<", RET, Const(4)), None),  # not a comparison with 0
    (HW, None),  # a pointer: null_test's
])
def test_sign_test(cond, expected) -> None:
    assert sign_test(cond) == expected


NONZERO = NEGATIVE | POSITIVE


@pytest.mark.parametrize("cond, expected", [
    (Binary("==", RET, Const(0x2f)), ("ret", POSITIVE, ANY_SIGN)),
    (Binary("!=", RET, Const(0x2f)), ("ret", ANY_SIGN, POSITIVE)),
    (Binary("==", Const(-11), RET), ("ret", NONZERO, ANY_SIGN)),  # -EAGAIN == ret
    (Unary("!", Binary("==", RET, Const(3))), ("ret", ANY_SIGN, POSITIVE)),
    (Binary(">", RET, Const(4)), ("ret", POSITIVE, ANY_SIGN)),
    (Binary(">=", RET, Const(4)), ("ret", POSITIVE, ANY_SIGN)),
    (Binary("<", RET, Const(4)), ("ret", ANY_SIGN, POSITIVE)),
    (Binary("<", Const(4), RET), ("ret", POSITIVE, ANY_SIGN)),  # 4 < ret
    (Binary("<", RET, Const(-4)), None),  # an order with a negative constant
    (Binary("==", RET, Const(0)), None),  # a comparison with 0: sign_test's
    (Binary("==", HW, Const(8, ptr=True)), None),  # a pointer
])
def test_bound_test(cond, expected) -> None:
    assert bound_test(cond) == expected


@pytest.mark.parametrize("cond, signs, expected", [
    (Binary("==", RET, Const(0x2f)), {"ret": ZERO}, False),  # if (err) ... if (err == BUSY)
    (Binary("!=", RET, Const(0x2f)), {"ret": ZERO}, True),
    (Binary("==", RET, Const(-11)), {"ret": ZERO}, False),
    (Binary("==", RET, Const(-11)), {"ret": NEGATIVE}, None),  # another errno, maybe
    (Binary("==", RET, Const(0x2f)), {"ret": NEGATIVE}, False),
    (Binary(">", RET, Const(4)), {"ret": NEGATIVE | ZERO}, False),
    (Binary("<", RET, Const(4)), {"ret": NEGATIVE}, True),
    (Binary("<", RET, Const(4)), {"ret": POSITIVE}, None),
    (Binary("==", RET, Const(0x2f)), {}, None),
])
def test_sign_truth_of_bounds(cond, signs, expected) -> None:
    assert sign_truth(cond, signs) == expected


FLAG = _var("flag")
MEMMAP = 0x20000000


@pytest.mark.parametrize("before, op, k, after", [
    ({}, "|=", MEMMAP | 1, {"flag & 536870912": MEMMAP, "flag & 1": 1}),
    ({"flag & 1": 1}, "&=", ~MEMMAP, {"flag & 1": 1, "flag & 536870912": 0}),
    ({"flag & 1": 1, "flag & 2": 2}, "&=", 2, {"flag & 1": 0, "flag & 2": 2}),
    ({"flag & 1": 1}, "^=", 1, {}),  # not followed
    ({}, "|=", -1, {}),  # every bit: no list of them
])
def test_bits_after(before, op, k, after) -> None:
    assert bits_after(before, "flag", op, k) == after


def test_known_bits_decide_a_test() -> None:
    known = {"flag & 536870912": MEMMAP, "flag & 1": 0}
    assert truth(Binary("&", FLAG, Const(MEMMAP)), known) is True
    assert truth(Binary("&", Const(1), FLAG), known) is False
    assert truth(Binary("&", FLAG, Const(MEMMAP | 1)), known) is True
    assert truth(Binary("&", FLAG, Const(4)), known) is None  # a bit not known
    known["flag"] = 4  # the value itself, when known, decides
    assert truth(Binary("&", FLAG, Const(4)), known) is True
