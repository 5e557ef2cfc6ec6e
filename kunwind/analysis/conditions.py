"""What a branch condition tests, and what a return statement returns.

``failure_check`` recognises the kernel's ways of testing that something
failed (``!p``, ``p == NULL``, ``IS_ERR(p)``, ``err``, ``ret < 0``, …) on a
call's result or a variable assigned from one. ``null_test`` recognises a
plain NULL/non-NULL test of an access path (used to refine and prune paths).
``unlikely()``/``likely()`` are already gone (the frontend drops
``__builtin_expect``); ``WARN_ON()`` temporaries are resolved through ``env``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TypeGuard

from kunwind.knowledge.names import BIT_TESTS, ERR_CHECKS, ERR_FROM, ERR_MAKERS, WARN_WRAPPERS
from kunwind.model.cfg import Block, Function
from kunwind.model.ir import (
    Assign,
    Binary,
    Call,
    Cond,
    Const,
    Expr,
    Other,
    Str,
    Unary,
    Var,
    calls_in,
    path_of,
    pointee_path,
    render,
    subexprs,
)

from .constants import constant

Resolver = Callable[[str], Expr | None]


@dataclass(frozen=True)
class Check:
    """A failure check: ``subject`` failed when the condition is ``fails_when``."""

    subject: Expr
    fails_when: bool
    text: str
    callee: str = ""  # the call whose result is tested, when known
    # errptr (IS_ERR) | null (a pointer) | negative (< 0) | value | count (a count-returning
    # acquire's result out of its bounds: idioms.count_check)
    form: str = "value"
    # the tested value is an answer (a bool result, a compiler builtin), not a result
    # that can fail: only a known acquire's answer (a trylock) is a failure
    answer: bool = False


def strip(e: Expr, resolve: Resolver | None = None, depth: int = 0) -> Expr:
    """Remove ``!!``, WARN_ON-style temporaries and assignments-as-values."""
    while depth < 8:
        depth += 1
        if isinstance(e, Unary) and e.op == "!" and isinstance(e.operand, Unary) \
                and e.operand.op == "!":
            e = e.operand.operand
        elif isinstance(e, Call) and e.callee in WARN_WRAPPERS and len(e.args) == 1:
            e = e.args[0]
        elif isinstance(e, Assign) and e.op == "=":
            return e
        elif isinstance(e, Var) and e.name.startswith("__ret_") and resolve is not None:
            v = resolve(e.name)
            if v is None:
                return e
            e = v
        else:
            return e
    return e


MACRO_TEMPORARY_PREFIX = "_"


def tested_call(chk: Check, cond: Expr, resolve: Resolver) -> Call | None:
    """The call whose result the failure check ``chk`` of ``cond`` tests: the call in
    the condition, or the one in what a variable it reads was given (``resolve``).
    KU010 and the summaries' releases on a callee's failure both ask it."""
    for e in (chk.subject, cond):
        for x in subexprs(e):
            if isinstance(x, Call) and x.callee == chk.callee:
                return x
            v = resolve(x.name) if isinstance(x, Var) else None
            for c in calls_in(v):
                if c.callee == chk.callee:
                    return c
    return None


def macro_temporary(e: Expr | None) -> TypeGuard[Var]:
    """A macro's temporary: its value is the value of the variable it is assigned to."""
    return isinstance(e, Var) and e.name.startswith(MACRO_TEMPORARY_PREFIX)


def _origin(e: Expr, resolve: Resolver | None) -> tuple[Expr, str] | None:
    """(the tested value, the call that produced it) when it comes from a call, also
    through a macro's temporary (``p = ({ ... _res = f(); _res; })``)."""
    if isinstance(e, Assign):
        inner = _origin(e.value, resolve)
        return (e.target, inner[1]) if inner else None
    if isinstance(e, Call):
        if e.callee in ERR_FROM and e.args:  # if (PTR_ERR_OR_ZERO(p)): the call that made p
            inner = _origin(strip(e.args[0], resolve), resolve)
            return e, inner[1] if inner else e.callee
        return e, e.callee
    p = path_of(e)
    if p is not None and resolve is not None:
        v = resolve(p)
        for _ in range(3):
            if not macro_temporary(v) or v.name == p:
                break
            v = resolve(v.name)
        if isinstance(v, Assign):
            v = v.value
        if isinstance(v, Call):
            if v.callee in ERR_FROM and v.args:  # ret = PTR_ERR(p): the call that made p
                inner = _origin(strip(v.args[0]), resolve)
                return e, inner[1] if inner else v.callee
            return e, v.callee
    return None


def failure_check(cond: Expr, resolve: Resolver | None = None) -> Check | None:
    """The failure check ``cond`` makes, or None when it tests something else."""
    c = strip(cond, resolve)
    negate = False
    while isinstance(c, Unary) and c.op == "!":
        inner = strip(c.operand, resolve)
        if isinstance(inner, Call) and inner.callee in ERR_CHECKS or not _is_ptr(inner):
            negate = not negate
            c = inner
        else:
            break
    chk = _check(c, resolve)
    if chk is None:
        return None
    if negate:
        return dataclasses.replace(chk, fails_when=not chk.fails_when, text="!" + chk.text)
    return chk


def _is_ptr(e: Expr) -> bool:
    return bool(getattr(e, "ptr", False))


def _answer(e: Expr, resolve: Resolver | None) -> bool:
    """Does ``e`` hold an answer rather than a result that can fail: the value of a
    call returning ``bool`` (a predicate; ``IS_ERR()`` aside) or an unsigned integer (a
    DMA address, a status mask: no negative errno), or of a compiler builtin
    (``__builtin_constant_p()`` inside ``clamp_t()``, ``test_bit()``)? Only a known
    acquire's answer is a failure (a trylock's 0, a page allocator's 0 address)."""
    e = strip(e, resolve)
    while isinstance(e, Unary) and e.op == "!":
        e = strip(e.operand, resolve)
    if isinstance(e, Assign):
        e = e.value
    p = path_of(e)
    if not isinstance(e, Call) and p is not None and resolve is not None:
        v = resolve(p)
        if v is None:
            return False
        e = v.value if isinstance(v, Assign) else v
    return isinstance(e, Call) and e.callee not in ERR_CHECKS and (
        e.boolean or e.unsigned or e.callee.startswith("__builtin_"))


def _check(c: Expr, resolve: Resolver | None) -> Check | None:
    chk = _plain_check(c, resolve)
    if chk is not None and (_answer(c, resolve) or isinstance(c, Binary) and (
            _answer(c.lhs, resolve) or _answer(c.rhs, resolve))):
        return dataclasses.replace(chk, answer=True)
    return chk


# The largest address that is no object: ZERO_OR_NULL_PTR(p) is (unsigned long)p <=
# (unsigned long)ZERO_SIZE_PTR, 16 (include/linux/slab.h): a NULL test that also catches
# the size-0 allocation, which holds nothing to free either.
ZERO_SIZE_PTR = 16


def _as_null_test(c: Expr, resolve: Resolver | None) -> Expr:
    """``p <= ZERO_SIZE_PTR`` -> ``p == NULL`` and ``p > ZERO_SIZE_PTR`` -> ``p != NULL``
    for a pointer ``p`` (the casts are gone); any other ``c`` unchanged."""
    if not (isinstance(c, Binary) and c.op in ("<=", ">", ">=", "<")):
        return c
    lhs, rhs, op = strip(c.lhs, resolve), strip(c.rhs, resolve), c.op
    if isinstance(lhs, Const) and not isinstance(rhs, Const):
        lhs, rhs, op = rhs, lhs, _swap(op)
    if op in ("<=", ">") and isinstance(rhs, Const) and rhs.value == ZERO_SIZE_PTR and \
            _is_ptr(lhs):
        return Binary("==" if op == "<=" else "!=", lhs, Const(0, ptr=True))
    return c


def _plain_check(c: Expr, resolve: Resolver | None) -> Check | None:
    text = render(c)
    c = _as_null_test(c, resolve)
    if isinstance(c, Call) and c.callee in ERR_CHECKS and c.args:
        subj = strip(c.args[0], resolve)
        o = _origin(subj, resolve)
        return Check(subj if not isinstance(subj, Assign) else subj.target, True, text,
                     o[1] if o else "", "errptr")
    if isinstance(c, Unary) and c.op == "!":
        subj = strip(c.operand, resolve)
        o = _origin(subj, resolve)
        if o is None:
            return None
        return Check(o[0], True, text, o[1], "null" if _is_ptr(o[0]) else "value")
    errno_test = _errno_of_pointer(c, resolve)
    if errno_test is not None:
        subj, equal = errno_test
        o = _origin(subj, resolve)
        return Check(subj, equal, text, o[1] if o else "", "errptr")
    if isinstance(c, Binary) and c.op in ("==", "!=", "<", ">=", "<=", ">"):
        lhs, rhs = strip(c.lhs, resolve), strip(c.rhs, resolve)
        if isinstance(lhs, Const) and not isinstance(rhs, Const):
            lhs, rhs = rhs, lhs
            c = Binary(_swap(c.op), lhs, rhs)
        if not (isinstance(rhs, Const) and rhs.value == 0):
            return None
        o = _origin(lhs, resolve)
        if o is None:
            return None
        if _is_ptr(lhs) or rhs.ptr:
            if c.op == "==":
                return Check(o[0], True, text, o[1], "null")
            if c.op == "!=":
                return Check(o[0], False, text, o[1], "null")
            return None
        fails = {"!=": True, "<": True, "==": False, ">=": False}.get(c.op)
        if fails is None:
            return None
        return Check(o[0], fails, text, o[1], "negative" if c.op in ("<", ">=") else "value")
    o = _origin(c, resolve)
    if o is None:
        return None
    if _is_ptr(o[0]):
        return Check(o[0], False, text, o[1], "null")  # if (p): p failed when false
    return Check(o[0], True, text, o[1])  # if (err): failed when true


def errno_equality(cond: Expr, resolve: Resolver | None = None) -> Check | None:
    """The failure test that ``x == -ENOSPC`` (``x != -ENOSPC``, negated) makes of a
    call's integer result ``x``: where it equals a negative errno, the call failed; the
    other edge says nothing (another errno, or none). None for any other test. Only
    a result that holds the object itself makes this a test of its acquisition
    (``idx = ida_alloc_range(...); if (idx == -ENOSPC) return -EBUSY;``): the walk
    asks the knowledge."""
    negate = False
    c = strip(cond, resolve)
    while isinstance(c, Unary) and c.op == "!":
        c, negate = strip(c.operand, resolve), not negate
    if not (isinstance(c, Binary) and c.op in ("==", "!=")):
        return None
    for a, b in ((c.lhs, c.rhs), (c.rhs, c.lhs)):
        a, b = strip(a, resolve), strip(b, resolve)
        k = constant(b)
        if k is None or k >= 0 or _is_ptr(a) or isinstance(a, Const):
            continue
        o = _origin(a, resolve)
        if o is None:
            return None
        return Check(o[0], (c.op == "==") != negate, render(cond), o[1], "negative")
    return None


def _errno_of_pointer(c: Expr, resolve: Resolver | None) -> tuple[Expr, bool] | None:
    """(p, the edge where it holds) of ``PTR_ERR(p) == -EPROBE_DEFER``, or of ``p ==
    ERR_PTR(-ENODEV)``, or ``!=``: where the errno is a given one, p is an ERR_PTR()
    (its acquire failed); the other edge says nothing (another errno, or none)."""
    if not (isinstance(c, Binary) and c.op in ("==", "!=")):
        return None
    for a, b in ((c.lhs, c.rhs), (c.rhs, c.lhs)):
        a, b = strip(a, resolve), strip(b, resolve)
        k = constant(b)
        if isinstance(a, Call) and a.callee == "PTR_ERR" and a.args and k is not None and k < 0:
            return strip(a.args[0], resolve), c.op == "=="
        if isinstance(b, Call) and b.callee == "ERR_PTR" and b.args and \
                (e := constant(strip(b.args[0], resolve))) is not None and e < 0 and \
                _is_ptr(a):
            return a, c.op == "=="
    return None


def _swap(op: str) -> str:
    return {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op)


def null_test(cond: Expr, resolve: Resolver | None = None) -> tuple[str, bool] | None:
    """(access path, value of the condition when it is NULL) for a NULL test, else None."""
    c = strip(cond, resolve)
    truth_when_null = False
    while isinstance(c, Unary) and c.op == "!":
        c = strip(c.operand, resolve)
        truth_when_null = not truth_when_null
    if isinstance(c, Assign):
        c = c.target
    c = _as_null_test(c, resolve)
    if isinstance(c, Binary) and c.op in ("==", "!="):
        lhs, rhs = strip(c.lhs, resolve), strip(c.rhs, resolve)
        if isinstance(lhs, Const):
            lhs, rhs = rhs, lhs
        if isinstance(rhs, Const) and rhs.value == 0 and (_is_ptr(lhs) or rhs.ptr):
            p = path_of(lhs)
            if p is None:
                return None
            when_null = c.op == "=="
            return p, when_null != truth_when_null
        return None
    if _is_ptr(c):
        p = path_of(c) or pointee_path(c)
        if p is not None:
            return p, truth_when_null
    return None


def condition_key(cond: Expr) -> tuple[str, bool]:
    """``!x->flag`` -> ("x->flag", True): the tested text and whether it is negated.
    One test written two ways has one key: ``x == 0`` is ``!x`` and ``x != NULL`` is
    ``x``, ``bits != 32`` is the negation of ``bits == 32`` (an acquire under ``if
    (bits == 32) ... else``, its release under ``if (bits != 32)``), and ``dst != src``
    the negation of ``src == dst``. String literals count by their text, which
    ``render`` leaves out: ``of_property_read_bool(np, "smbus")`` is another test than
    ``of_property_read_bool(np, "multi-master")``. A bit test has one key under each of
    its names (``const_test_bit(0, &qm->caps)`` and ``_test_bit(0, &qm->caps)``, the two
    sides of one ``test_bit()``: ``BIT_TESTS``)."""
    negated = False
    while isinstance(cond, Unary) and cond.op == "!":
        cond, negated = cond.operand, not negated
    if isinstance(cond, Call) and cond.callee in BIT_TESTS and cond.callee != "test_bit":
        cond = dataclasses.replace(cond, callee="test_bit")
    if isinstance(cond, Binary) and cond.op in ("==", "!="):
        lhs, rhs = cond.lhs, cond.rhs
        if constant(lhs) is not None and constant(rhs) is None:
            lhs, rhs = rhs, lhs
        if constant(rhs) == 0:
            text, inner = condition_key(lhs)
            return text, (inner != negated) != (cond.op == "==")
        if constant(rhs) is None and render(rhs) < render(lhs):
            lhs, rhs = rhs, lhs  # a == b and b == a: one test (dst != src, src == dst)
        if cond.op == "!=":
            return _key_text(Binary("==", lhs, rhs)), not negated
        return _key_text(Binary("==", lhs, rhs)) if lhs is not cond.lhs else _key_text(cond), \
            negated
    return _key_text(cond), negated


def _key_text(e: Expr) -> str:
    """``render(e)``, with the text of each string literal in it after it."""
    strings = [x.value for x in subexprs(e) if isinstance(x, Str)]
    return render(e) + "".join(f" {v}" for v in strings)


def error_value(e: Expr | None, resolve: Resolver | None = None,
                errno_names: bool = True, in_progress: Collection[int] = ()) -> str | None:
    """``e`` in words when it is an error value (``-ENOMEM``, ``ERR_PTR()``), else None.
    Without ``errno_names`` a negative number stays a number (hosted code: ``-1``).
    ``in_progress``: the errnos that report a request under way (``-EINPROGRESS``,
    the knowledge's ``[in_progress]``), which are no failure."""
    if e is None:
        return None
    if isinstance(e, Assign):
        e = e.value
    if isinstance(e, Const) and e.value < 0 and not e.ptr:
        if -e.value in in_progress:
            return None
        return errno_name(e.value) if errno_names else str(e.value)
    if isinstance(e, Call) and (e.callee in ERR_MAKERS or e.callee in ERR_FROM):
        code = e.args[0] if e.callee in ERR_MAKERS and e.args else None
        if isinstance(code, Const) and -code.value in in_progress:
            return None  # ERR_PTR(-EIOCBQUEUED): queued, the completion owns it
        return f"{e.callee}()"
    if isinstance(e, Other) and e.text == "({...})":
        return None
    if isinstance(e, Cond):  # n == 0 ? -ENOENT : -ESRCH: an error code either way
        a = error_value(e.then, resolve, errno_names, in_progress)
        b = error_value(e.other, resolve, errno_names, in_progress)
        return (a if a == b else f"{a} or {b}") if a is not None and b is not None else None
    p = path_of(e)
    if p is not None and resolve is not None:
        v = resolve(p)
        if v is not None and v is not e and not isinstance(v, Var):
            return error_value(v, None, errno_names, in_progress)
    return None


def no_error_on_edge(cond: Expr, taken: bool, in_progress: Collection[int]) -> str | None:
    """The variable that this edge shows holds no error code: it equals a value that
    is none (``ret == -EINPROGRESS``, ``ret == 1``) or is positive (``ret > 0``, a
    count). None when the edge says nothing of the kind."""
    c = cond
    while isinstance(c, Unary) and c.op == "!":
        c, taken = c.operand, not taken
    if not (isinstance(c, Binary) and c.op in ("==", "!=", "<", ">", "<=", ">=")):
        return None
    lhs, rhs, op = c.lhs, c.rhs, c.op
    if isinstance(lhs, Const) and not isinstance(rhs, Const):
        lhs, rhs, op = rhs, lhs, _swap(op)
    p = path_of(lhs)
    if p is None or not isinstance(rhs, Const) or rhs.ptr or _is_ptr(lhs):
        return None
    if not taken:  # the edge where the comparison is false: its negation holds
        op = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}[op]
    v = rhs.value
    if op == "==" and (v >= 0 or -v in in_progress):
        return p
    if (op == ">" and v >= -1) or (op == ">=" and v >= 0):
        return p
    return None


def equality(cond: Expr, pointers: bool = True) -> tuple[str, int, bool] | None:
    """(path, constant, the edge where they are equal) of ``path == K`` or
    ``path != K``; None for any other test, and without ``pointers`` for a test of a
    pointer."""
    if not (isinstance(cond, Binary) and cond.op in ("==", "!=")):
        return None
    for a, b in ((cond.lhs, cond.rhs), (cond.rhs, cond.lhs)):
        k, p = constant(b), path_of(a)
        if k is not None and p is not None:
            return None if not pointers and _is_ptr(a) else (p, k, cond.op == "==")
    return None


def _equality(cond: Expr) -> tuple[str, int, bool] | None:
    """``equality()`` of a variable that is no pointer, also under ``!``
    (``!(rc == -EBUSY)``)."""
    side = True
    while isinstance(cond, Unary) and cond.op == "!":
        cond, side = cond.operand, not side
    eq = equality(cond, pointers=False)
    return None if eq is None else (eq[0], eq[1], eq[2] == side)


def _sides(block: Block) -> dict[bool, int] | None:
    """A two-way branch's successors: True and False -> the block each edge goes to."""
    sides = {e.kind == "true": e.dst for e in block.succs if e.kind in ("true", "false")}
    return sides if len(sides) == 2 and len(block.succs) == 2 else None


def in_progress_alike(fn: Function, in_progress: Collection[int]) -> frozenset[int]:
    """The errnos (positive) that ``fn`` handles as it handles one that reports a
    request under way: tested on the same variable in one condition, and sent the
    same way (``if (rc != -EINPROGRESS && rc != -EBUSY) { unmap(); } return rc;``,
    ``rc == -EINPROGRESS || rc == -EBUSY``: a backlogged request is queued too, and
    its completion undoes what the failure branch undoes). The lowered condition is
    two tests in a row whose equal sides meet."""
    out: set[int] = set()
    for a in fn.blocks:
        first = _equality(a.cond) if a.cond is not None else None
        sides = _sides(a)
        if first is None or sides is None:
            continue
        p, k, side = first
        equal, unequal = sides[side], sides[not side]
        b = fn.blocks[unequal]
        second = _equality(b.cond) if b.cond is not None and not b.stmts else None
        later = _sides(b)
        if second is None or later is None or second[0] != p or later[second[2]] != equal:
            continue
        for mine, theirs in ((k, second[1]), (second[1], k)):
            if mine < 0 and -mine in in_progress and theirs < 0:
                out.add(-theirs)
    return frozenset(out - set(in_progress))


def error_on_edge(cond: Expr, taken: bool, in_progress: Collection[int]) -> str | None:
    """The variable that this edge shows holds an error code: it equals a negative
    errno (``if (ret == -ETIMEDOUT) { ...recover...; return ret; }``, ``ret !=
    -EIO`` on its false edge), one that reports no request under way
    (``-EINPROGRESS`` is none). A return of it there is an error exit, whatever
    the branch does before (a best-effort recovery whose own failure cannot be
    reported without hiding this one). None when the edge says nothing of the kind."""
    test = _equality(cond)
    if test is None:
        return None
    p, k, side = test
    return p if k < 0 and -k not in in_progress and taken == side else None


ERRNO = {
    1: "EPERM", 2: "ENOENT", 3: "ESRCH", 4: "EINTR", 5: "EIO", 6: "ENXIO", 7: "E2BIG",
    9: "EBADF", 11: "EAGAIN", 12: "ENOMEM", 13: "EACCES", 14: "EFAULT", 16: "EBUSY",
    17: "EEXIST", 19: "ENODEV", 22: "EINVAL", 23: "ENFILE", 24: "EMFILE", 25: "ENOTTY",
    28: "ENOSPC", 34: "ERANGE", 38: "ENOSYS", 61: "ENODATA", 62: "ETIME", 71: "EPROTO",
    75: "EOVERFLOW", 95: "EOPNOTSUPP", 110: "ETIMEDOUT", 512: "ERESTARTSYS",
    517: "EPROBE_DEFER", 524: "ENOTSUPP",
}


def errno_name(value: int) -> str:
    """-12 -> "-ENOMEM"; unknown values stay numbers."""
    name = ERRNO.get(-value)
    return f"-{name}" if name else str(value)
