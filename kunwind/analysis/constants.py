"""The constants a path has assigned, and what they make of a branch condition.

``if (use_io) { request_region(...); f->iotype = FOO_IO; } ... err: if
(f->iotype == FOO_IO) release_region(...);`` and ``hw = ERR_PTR(-EINVAL); goto
fail; ... fail: if (IS_ERR(hw)) kfree(gate);``: the condition at the unwind is
decided by a value the same path stored earlier. The walk keeps, per path,
the constant each tested access path holds (``Values.known``: an integer, an
enumerator, NULL as 0, ``ERR_PTR(-E...)`` as its errno, the way the kernel
encodes it) and ``truth`` evaluates a condition over them; a branch that the
result contradicts is not taken.

A tested value's sign is kept too (``Values.signs``): after ``if (ret < 0) goto
out;`` the path at ``out:`` knows that ``ret`` is negative, so a later ``if (ret)``
cannot come out false on it. A comparison with a constant other than 0 reads and
narrows the sign too (``bound_test``): ``if (err) kfree(dpcm); if (err ==
HPI_ERROR_OBJ_ALREADY_OPEN) return -EBUSY;``: the code is positive, so on the path
where ``err`` was 0 (no kfree) the -EBUSY exit cannot be taken; ``n > 4`` holds only
for a positive ``n``. A negative constant says only "not 0" (an unsigned value may
hold its bits), and is not read in an order (``n < -4``).

An equality test makes its value known on the edge where it holds (``if (n ==
3)``), and ``x++`` keeps
it known outside loops (the walk unrolls loops only twice, so a loop counter's
exit test must stay open). In a loop, a count stepped up from 0 or more keeps only its
sign, above 0 (``for (i = 0; i < 3; i += 2)``: ``if (i > 0)`` at the unwind is true
on the second pass), which leaves the exit test open. A store through a pointer
(``*more = 0``) forgets every value but those of the locals no pointer can reach
(``FunctionContext.unaliased_locals``).

A field of a zeroed allocation (``p = kzalloc(...)``: an ``[acquire]`` with
``zeroed``, a ``[zeroed]`` entry such as ``devm_kzalloc()``, a callee whose summary
returns one) reads 0 until written: each tested field of it is known 0
(``Walker.zero_fields``), forgotten as any known value is, and also when the
object gets another name (``q = p``, ``x->ptr = p``: ``Walker.note_escape``)
through which the walk would not see a store. So ``if (!p->registered) kfree(p);``
at an unwind follows from whether the path set the field. A call that fills an
object with zeroes (the ``[zeroes]`` knowledge: ``memset(&w->res, 0, sizeof(w->res))``)
makes its tested members 0 the same way (``Walker.zero_object``).

A pointer that ``IS_ERR()`` found an ``ERR_PTR()`` is kept with the sign of the errno
it encodes (negative, under the pointer's path, where no sign test reads it: a
pointer is tested for NULL, not for its sign), and ``err = PTR_ERR(p)`` (or
``PTR_ERR_OR_ZERO(p)``) gives ``err`` that sign: ``if (IS_ERR(p)) { err = PTR_ERR(p);
goto out; } ... out: if (err) put(x);`` takes the put (``errptr_test``).

A bit set or cleared in a value the path does not know is kept on its own
(``bits_after``, under ``flag & BIT``): ``flag |= BOARD_MEMMAP; base = ioremap(...);
... out_iounmap: if (flag & BOARD_MEMMAP) iounmap(base);`` takes the unmap on the
path that set the bit, whatever the other bits of ``flag`` hold; ``flag &= ~BIT``
clears it, and the bits are forgotten with the value (a store, a call given
``&flag``). Of a known value, ``|=`` and ``&=`` keep the value known.

A count's tested sign survives steps that add up to 0 (``if (!n) register();
n++; ... if (--n == 0) unregister();``): it is kept under ``n#k`` while ``n`` is
the tested value plus k (``Walker.shifted_sign``), where no test reads it.

Only constants are kept, never an expression to evaluate later, so a value
cannot change meaning when a variable it reads is assigned again. A known
value is forgotten when its path is stored again, when an object above it is
(``f = other``), and when a call may write it (``forget_written``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING

from kunwind.model.ir import Assign, Binary, Call, Const, Expr, Unary, path_of, subexprs

if TYPE_CHECKING:
    from .summaries import Summary

MAX_ERRNO = 4095  # IS_ERR(): the top 4095 addresses are error codes

_COMPARE = {
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
    ">": lambda a, b: a > b, "<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b,
    "&": lambda a, b: a & b, "|": lambda a, b: a | b,
    # BIT(n) is 1UL << (n): a flag's bit is a constant too
    "<<": lambda a, b: a << b if 0 <= b < 64 else None,
    ">>": lambda a, b: a >> b if 0 <= b < 64 else None,
}


def constant(e: Expr | None) -> int | None:
    """The value of ``e`` when it is a constant: ``3``, ``FOO_IO``, ``NULL`` (0),
    ``-EINVAL``, ``ERR_PTR(-EINVAL)`` (-22, the pointer's value)."""
    return value(e, {})


def truth(cond: Expr, known: Mapping[str, int]) -> bool | None:
    """What ``cond`` comes out as, given the constants ``known`` holds; None: not known."""
    v = value(cond, known)
    return None if v is None else v != 0


def value(e: Expr | None, known: Mapping[str, int]) -> int | None:
    """The integer value of ``e`` over the ``known`` paths, or None when it is not known."""
    if isinstance(e, Const):
        return e.value
    if isinstance(e, Unary):
        inner = value(e.operand, known)
        if inner is None:
            return None
        return {"!": int(not inner), "-": -inner, "~": ~inner}.get(e.op)
    if isinstance(e, Binary):
        return _binary(e, known)
    if isinstance(e, Call):
        return _call(e, known)
    p = path_of(e) if e is not None else None
    return known.get(p) if p is not None else None

_ORDERED = ("<", ">", "<=", ">=")


def _binary(e: Binary, known: Mapping[str, int]) -> int | None:
    lhs = value(e.lhs, known)
    if e.op in ("&&", "||"):  # what C evaluates: the right side only when needed
        if lhs is not None and bool(lhs) == (e.op == "||"):
            return int(e.op == "||")
        rhs = value(e.rhs, known)
        if rhs is not None and bool(rhs) == (e.op == "||"):
            return int(e.op == "||")
        return None if lhs is None or rhs is None else int(bool(rhs))
    compare = _COMPARE.get(e.op)
    if e.op in _ORDERED and any(isinstance(x, Unary) and x.op == "~"
                                for side in (e.lhs, e.rhs) for x in subexprs(side)):
        return None  # ~0ull is all ones in its unsigned type, not -1: the order is unknown
    rhs = value(e.rhs, known) if compare is not None and lhs is not None else None
    if e.op == "&" and rhs is None and known:
        return _known_bits(e, known)
    if rhs is None or compare is None or lhs is None:
        return None
    v = compare(lhs, rhs)
    return None if v is None else int(v)


def _call(e: Call, known: Mapping[str, int]) -> int | None:
    """``ERR_PTR(-E)`` and ``PTR_ERR(p)`` are the value itself; ``IS_ERR()`` tests it."""
    arg = value(e.args[0], known) if len(e.args) == 1 else None
    if arg is None:
        return None
    if e.callee in ("ERR_PTR", "PTR_ERR"):
        return arg if -MAX_ERRNO <= arg <= 0 else None
    if e.callee == "IS_ERR":
        return int(-MAX_ERRNO <= arg < 0)
    if e.callee == "IS_ERR_OR_NULL":
        return int(-MAX_ERRNO <= arg <= 0)
    return None


NEGATIVE, ZERO, POSITIVE = 1, 2, 4
ANY_SIGN = NEGATIVE | ZERO | POSITIVE
_SIGNS_WHEN_TRUE = {  # ``x OP 0`` is true for these signs of x
    "<": NEGATIVE, "<=": NEGATIVE | ZERO, ">": POSITIVE, ">=": ZERO | POSITIVE,
    "==": ZERO, "!=": NEGATIVE | POSITIVE,
}
_MIRROR = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "==", "!=": "!="}


def sign_test(cond: Expr) -> tuple[str, int] | None:
    """(the integer path ``cond`` compares with 0, the signs it has when ``cond`` is true):
    ``ret < 0``, ``!err``, ``0 != n``; None for any other test. A test of an
    assignment tests what it stored (``if ((ret = mutex_lock_interruptible(m)))``
    is ``if (ret)``, made after the store)."""
    if isinstance(cond, Assign) and cond.op == "=":
        return sign_test(cond.target)
    if isinstance(cond, Unary) and cond.op == "!":
        inner = sign_test(cond.operand)
        return None if inner is None else (inner[0], ANY_SIGN & ~inner[1])
    if isinstance(cond, Binary) and cond.op in _SIGNS_WHEN_TRUE:
        if constant(cond.rhs) == 0:
            subject, op = cond.lhs, cond.op
        elif constant(cond.lhs) == 0:
            subject, op = cond.rhs, _MIRROR[cond.op]
        else:
            return None
        if isinstance(subject, Assign) and subject.op == "=":
            subject = subject.target  # if ((ret = foo()) < 0)
        p = path_of(subject)
        return None if p is None or getattr(subject, "ptr", False) else (p, _SIGNS_WHEN_TRUE[op])
    p = path_of(cond)
    return None if p is None or getattr(cond, "ptr", False) else (p, NEGATIVE | POSITIVE)


def signs_when(cond: Expr, subject: Expr) -> int | None:
    """The signs of ``subject`` for which ``cond`` is true, when ``cond`` compares it with
    0 or tests its truth (``!f(x)``, ``ret < 0``, ``0 != ret``); None for any other test.
    ``subject`` may be a call tested directly, which has no access path."""
    if isinstance(cond, Unary) and cond.op == "!":
        inner = signs_when(cond.operand, subject)
        return None if inner is None else ANY_SIGN & ~inner
    if _same(cond, subject):
        return NEGATIVE | POSITIVE
    if isinstance(cond, Binary) and cond.op in _SIGNS_WHEN_TRUE:
        if constant(cond.rhs) == 0 and _same(cond.lhs, subject):
            return _SIGNS_WHEN_TRUE[cond.op]
        if constant(cond.lhs) == 0 and _same(cond.rhs, subject):
            return _SIGNS_WHEN_TRUE[_MIRROR[cond.op]]
    return None


def _same(e: Expr, subject: Expr) -> bool:
    if getattr(e, "ptr", False):
        return False
    if e == subject:
        return True
    p = path_of(e)
    return p is not None and p == path_of(subject)


def errptr_test(cond: Expr) -> tuple[str, bool] | None:
    """(the pointer path ``cond`` tests with ``IS_ERR()``, whether it holds an
    ``ERR_PTR()`` where ``cond`` is true): ``IS_ERR(p)``, ``!IS_ERR(p)``. Not
    ``IS_ERR_OR_NULL()``, whose true side may be NULL, whose ``PTR_ERR()`` is 0."""
    if isinstance(cond, Unary) and cond.op == "!":
        inner = errptr_test(cond.operand)
        return None if inner is None else (inner[0], not inner[1])
    if isinstance(cond, Call) and cond.callee == "IS_ERR" and len(cond.args) == 1:
        p = path_of(cond.args[0])
        return None if p is None else (p, True)
    return None


def bound_test(cond: Expr) -> tuple[str, int, int] | None:
    """(the integer path ``cond`` compares with a constant other than 0, the signs it
    may have where ``cond`` is true, where it is false): ``err == HPI_ERROR_BUSY``
    holds only for a positive ``err``, ``ret == -EAGAIN`` only for a nonzero one
    (an unsigned value may equal a negative constant's bits), ``n > 4`` only for a
    positive one, and ``n < 4`` fails only for one; None for any other test, and for
    an order with a negative constant (which an unsigned value reads otherwise)."""
    if isinstance(cond, Unary) and cond.op == "!":
        inner = bound_test(cond.operand)
        return None if inner is None else (inner[0], inner[2], inner[1])
    if not (isinstance(cond, Binary) and cond.op in _MIRROR):
        return None
    subject, op, k = cond.lhs, cond.op, constant(cond.rhs)
    if k is None:
        subject, op, k = cond.rhs, _MIRROR[cond.op], constant(cond.lhs)
    p = path_of(subject)
    if not k or p is None or getattr(subject, "ptr", False) or constant(subject) is not None:
        return None
    equal = POSITIVE if k > 0 else NEGATIVE | POSITIVE
    if op in ("==", "!="):
        return (p, equal, ANY_SIGN) if op == "==" else (p, ANY_SIGN, equal)
    if k < 0:
        return None
    above = op in (">", ">=")  # true only above k > 0, else false only there
    return (p, POSITIVE, ANY_SIGN) if above else (p, ANY_SIGN, POSITIVE)


def sign_truth(cond: Expr, signs: Mapping[str, int]) -> bool | None:
    """What ``cond`` comes out as, given the signs this path knows of what it tests
    (``ret`` known negative: ``if (ret)`` is true; ``err`` known 0: ``if (err ==
    HPI_ERROR_BUSY)`` is false); None: not known."""
    test = sign_test(cond)
    if test is not None:
        have = signs.get(test[0], ANY_SIGN)
        return True if not have & ~test[1] else False if not have & test[1] else None
    bound = bound_test(cond)
    if bound is None:
        return None
    have = signs.get(bound[0], ANY_SIGN)
    return False if not have & bound[1] else True if not have & bound[2] else None


def forget_under(known: dict[str, int], path: str, itself: bool = False) -> None:
    """Forget the values of the fields of the object ``path`` names (and of ``path``,
    its known bits with it)."""
    prefix = (path + "->", path + ".")
    mine = (path + BIT_SEP,) if itself else ()
    for k in [k for k in known if k.startswith(prefix + mine) or itself and k == path]:
        del known[k]


BIT_SEP = " & "
_WIDTH = 64  # the bits of a kernel integer


def bit_key(path: str, bit: int) -> str:
    """The key under which the value of bit ``bit`` of ``path`` is kept (``flag & 4``)."""
    return f"{path}{BIT_SEP}{bit}"


def _bits(k: int) -> list[int]:
    return [1 << i for i in range(_WIDTH) if k >> i & 1]


def bits_after(known: Mapping[str, int], path: str, op: str, k: int) -> dict[str, int]:
    """The bits of ``path`` known after ``path op= k`` where its value is not known:
    ``flag |= BOARD_MEMMAP`` sets that bit, ``flag &= ~BOARD_MEMMAP`` clears it, and the
    bits known before stay as the operation leaves them; a mask with all bits set
    (``|= -1``) or another operation: none."""
    before = {int(key[len(path) + len(BIT_SEP):]): v for key, v in known.items()
              if key.startswith(path + BIT_SEP)}
    if op == "|=" and k > 0:
        after = before | {b: b for b in _bits(k)}
    elif op == "&=":
        after = {b: v if k & b else 0 for b, v in before.items()}
        if k < 0:
            after |= {b: 0 for b in _bits(~k)}
    else:
        return {}
    return {bit_key(path, b): v for b, v in after.items()}


def _known_bits(e: Binary, known: Mapping[str, int]) -> int | None:
    """``flag & BOARD_MEMMAP`` where the path holds no known value but each tested bit
    of it is known (``bits_after``); None otherwise."""
    for a, b in ((e.lhs, e.rhs), (e.rhs, e.lhs)):
        k, p = constant(b), path_of(a)
        if k is not None and k > 0 and p is not None:
            found = [known.get(bit_key(p, bit)) for bit in _bits(k)]
            return None if None in found else sum(v for v in found if v is not None)
    return None


def forget_written(known: dict[str, int], call: Call, summary: Summary | None,
                   cookie: int | None = None) -> None:
    """Forget what ``call`` may write: what its arguments point to (``&f->iotype``,
    ``f``, ``f->sub``), everything under each; of an object passed whole to a
    function of this file, the fields its summary says it writes. Argument ``cookie``
    is one the callee never writes through (the knowledge's acquire ``cookie``)."""
    for j, a in enumerate(call.args):
        if j == cookie:
            continue
        p = path_of(a)
        if p is not None and summary is not None and "->" not in p and "." not in p:
            for f in summary.writes.get(j, ()):
                forget_under(known, f"{p}->{f}", itself=True)
            for f, d in summary.derefs.get(j, {}).items():
                if d.write:
                    forget_under(known, f"{p}->{f}")
            continue
        for q in _reached(a):
            forget_under(known, q.lstrip("&"), itself=q.startswith("&"))


def _reached(e: Expr) -> list[str]:
    """The access paths whose objects a callee given ``e`` can write through it:
    ``&x`` (x itself too), ``p`` and ``p->sub`` (what they point to); inside other
    expressions (``p + 1``, ``cond ? a : b``, ``to_priv(dev)``) the paths they are
    made of. A field read for its value (``f->base``) gives only that field's path."""
    p = path_of(e)
    if p is not None:
        return [p]
    if isinstance(e, Unary) and e.op == "&":  # &a[i], &(*p): the object the operand is in
        return [q.lstrip("&") if q.startswith("&") else q for q in _reached(e.operand)]
    out: list[str] = []
    for x in _parts(e):
        out.extend(_reached(x))
    return out


def _parts(e: Expr) -> list[Expr]:
    if isinstance(e, Call):
        return list(e.args)
    return [x for f in dataclasses.fields(e) for x in _flat(getattr(e, f.name))]


def _flat(v: object) -> list[Expr]:
    if isinstance(v, Expr):
        return [v]
    if isinstance(v, tuple):
        return [x for x in v if isinstance(x, Expr)]
    return []
