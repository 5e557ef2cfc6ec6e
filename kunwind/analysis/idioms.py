"""Kernel idioms the engine reads code by, in one place.

Each is a fact about how kernel C is written, not about one API (those are
in the knowledge files), with its data here and the one function that
applies it:

- a macro's temporary (``_res`` of ``alloc_hooks()``, ``__ret`` of the wait
  macros) stands for the variable it is assigned to;
- releasing an embedded device (``put_device(&x->dev)``) runs the release
  callback that frees its container ``x``; the callback is the function stored
  in the member's ``release`` field (``x->dev.release = foo_release``), and
  what it frees of ``x`` (``kfree(x->buf)``) goes with the put;
- a function's address is the function: ``dev->release = &foo_release`` stores
  the same pointer as ``dev->release = foo_release``;
- a member's address guarded by its pointer (``np ? &np->fwnode : NULL``, what
  of_fwnode_handle() gives) hands over that pointer's object, NULL or not;
- an acquire that returns a count or a negative errno
  (``pci_alloc_irq_vectors()``) failed exactly when the count is below the
  minimum the caller asked for; one whose bounds the knowledge gives
  (``count_min``/``count_max``) failed when the count is ``<= 0``, or is not
  the one count its bounds leave (``dma_map_sg(dev, sg, 1, dir) != 1``);
- a printk-style format prints an argument matched to a plain ``%p``
  (``%px``, ``%pK``) by its address alone, without reading the object;
- a comment by a failure test (above it, or opening its failing side) that says
  in so many words that the failure is accepted ("just warn instead of
  failing", "we return success anyway", "not a hard failure", "the race is
  harmless", "we're leaking memory on purpose") makes its failing side no
  failure: the authors' choice, written where they made it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from kunwind.model.ir import (
    Assign,
    Binary,
    Call,
    Cond,
    Const,
    Expr,
    Str,
    Unary,
    Var,
    calls_in,
    path_of,
    render,
)

from .conditions import Check

if TYPE_CHECKING:
    from kunwind.knowledge import Acquire, Knowledge

    from .context import FunctionContext
    from .state import State

# One conversion of a printf format: flags, width, precision, length, conversion,
# and for %p the kernel's extension letters (lib/vsprintf.c: pointer()).
_CONVERSION = re.compile(r"%(?P<flags>[-+ #0]*)(?P<width>\*|\d+)?(?:\.(?P<prec>\*|\d*))?"
                         r"(?:hh|h|ll|l|L|z|Z|t|j|q)?(?P<conv>[a-zA-Z%])(?P<ext>[A-Za-z0-9]*)")
# %p extensions that print the address itself and never read the object
_ADDRESS_ONLY_EXT = ("", "x", "K")

# Kinds whose release through an embedded member frees the container too.
CONTAINER_RELEASE_KINDS = frozenset({"reference"})
# The field of a refcounted kernel object (struct device, v4l2_device, kobject's
# ktype) that holds the function its last put runs.
RELEASE_CALLBACK_FIELD = "release"
COUNT_ACQUIRE_FAILS = "negative"  # the knowledge's ``fails`` of a count-returning acquire


# A comment that says the failure it stands by is accepted: "we return success
# anyway", "this is not a hard failure", "the failure is not fatal", "an
# acceptable race has occurred", "the race is harmless", "just warn instead of
# failing", "don't report an error", "we're leaking memory on purpose".
TOLERATED = re.compile(
    r"\breturn(?:s|ing)?\s+(?:0|success)\s+anyway\b|\bnot\s+an?\s+(?:hard|fatal)\s+"
    r"(?:failure|error)\b|\b(?:failure|error|race)\s+is\s+"
    r"(?:not\s+fatal|tolerated|acceptable|harmless|benign)\b"
    r"|\b(?:acceptable|harmless|benign)\s+(?:failure|error|race)\b"
    r"|\binstead\s+of\s+failing\b"
    r"|\b(?:don't|do\s+not|doesn't|does\s+not)\s+(?:report|return|propagate)\s+"
    r"(?:an?\s+|the\s+)?(?:error|failure)\b"
    r"|\bleak(?:s|ing)?(?:\s+\w+){0,3}\s+on\s+purpose\b"
    r"|\b(?:deliberately|intentionally|purposely)\s+leak",
    re.IGNORECASE)
TOLERATED_REACH = 5  # lines above a failure test that a comment accepting it may start


# The same said of a call whose result is dropped: "foo will clean up if this
# fails", "best effort", "minimal effort", "ignore the error", "the failure is not
# fatal", "failure isn't counted", "the return code shouldn't be checked".
DROP_ACCEPTED = re.compile(
    r"\bif\s+(?:this|it|that)\s+fails\b|\b(?:best|minimal)[\s-]effort\b"
    r"|\b(?:failure|error)s?\s+(?:isn't|is\s+not|aren't|are\s+not)\s+"
    r"(?:counted|checked|fatal|critical)\b"
    r"|\b(?:return\s+(?:code|value)|result)s?(?:\s+of(?:\s+\w+){1,4}?)?\s+"
    r"(?:shouldn't|should\s+not|need\s+not|"
    r"needn't|doesn't\s+need\s+to|does\s+not\s+need\s+to)\s+be\s+checked\b"
    r"|\bignor(?:e|es|ed|ing)\s+(?:the\s+|any\s+|its\s+)?"
    r"(?:errors?|failures?|results?|return\s+values?)\b"
    r"|\b(?:failure|error)s?\s+(?:is|are)\s+"
    r"(?:not\s+fatal|ok|okay|fine|harmless|tolerated|acceptable|ignored)\b"
    r"|\bnot\s+an?\s+(?:hard|fatal)\s+(?:failure|error)\b",
    re.IGNORECASE)


def tolerated_in_comment(comments: tuple[tuple[int, str], ...], lo: int, hi: int,
                         says: re.Pattern[str] = TOLERATED) -> bool:
    """Does a comment that starts on a line from ``lo`` to ``hi`` say that a failure
    is accepted (``TOLERATED``, or ``says``)? The words may wrap over the comment's
    lines, each with its leading ``*``."""
    return any(lo <= line <= hi and says.search(_COMMENT_WRAP.sub(" ", text))
               for line, text in comments)


_COMMENT_WRAP = re.compile(r"\s*\n\s*\*?(?!/)")  # a line break and the next line's "*"


def released_container(ctx: FunctionContext, st: State, kind: str, arg: Expr) -> str | None:
    """The container a release of ``&container->member`` frees through the member's
    release callback (``put_device(&x->dev)``, ``adev = &x->adev; ...
    auxiliary_device_uninit(adev)``), or None. Locals that point at an embedded
    member (``sd = &x->sd; d = &sd->d; put_device(&d->dev)``) are followed back to
    the object that embeds them all (``x``)."""
    if kind not in CONTAINER_RELEASE_KINDS:
        return None
    return embedding_object(ctx, st, arg)


def embedding_object(ctx: FunctionContext, st: State, arg: Expr) -> str | None:
    """The object that embeds what ``arg`` points at: ``x`` for ``&x->member``, or for a
    local assigned ``&x->member`` (followed back through locals that point at members
    of members); None when ``arg`` is no member's address."""
    member = embedded_path(ctx, st, arg)
    return member.rsplit("->", 1)[0] if member is not None else None


def embedded_path(ctx: FunctionContext, st: State, arg: Expr) -> str | None:
    """The member ``arg`` points at, written from the object that embeds it:
    ``x->dev`` for ``&x->dev``, or for ``d`` after ``d = &x->dev``."""
    held = st.resolve(arg.name) if isinstance(arg, Var) else None
    if isinstance(held, Unary):
        arg = held
    member = path_of(arg.operand) if isinstance(arg, Unary) and arg.op == "&" else None
    if member is None or "->" not in member:
        return None
    return member_root(ctx.member_aliases, member)


def member_root(aliases: dict[str, str], path: str) -> str:
    """``path`` written from the object that embeds it, through locals that point at
    an embedded member: with ``d = &sd->d`` and ``sd = &x->sd``, ``d->dev`` is
    ``x->sd.d.dev``."""
    for _ in range(8):
        root, sep, rest = path.partition("->")
        alias = aliases.get(root)
        if not sep or alias is None:
            break
        path = f"{alias}.{rest}"
    return path


def function_named(e: Expr | None) -> str | None:
    """The name a function pointer is written with: ``foo`` for ``foo`` and for
    ``&foo`` (C makes them the same pointer), else None. Whether ``foo`` is a
    function is for the caller to ask (its summary)."""
    if isinstance(e, Unary) and e.op == "&":
        e = e.operand
    return e.name if isinstance(e, Var) else None


def guarded_address(e: Expr) -> Expr:
    """``&np->fwnode`` for ``np ? &np->fwnode : NULL`` (the address of a member of the
    object the test finds not NULL, else NULL): the object it names is ``np`` either
    way. ``e`` itself for anything else."""
    if not (isinstance(e, Cond) and isinstance(e.other, Const) and e.other.value == 0):
        return e
    member = embedded_member(e.then)
    tested = path_of(e.cond)
    return e.then if member is not None and tested is not None and \
        member.split("->", 1)[0] == tested else e


def embedded_member(e: Expr | None) -> str | None:
    """``&x->a.b`` -> "x->a.b": the address of a member embedded in the object ``x``
    points at (not of something another pointer leads to), else None."""
    if not (isinstance(e, Unary) and e.op == "&"):
        return None
    p = path_of(e.operand)
    if p is None or "->" not in p or "[" in p:
        return None
    root, rest = p.split("->", 1)
    return p if "->" not in rest and root.isidentifier() else None


def count_check(ctx: FunctionContext, st: State, cond: Expr) -> Check | None:
    """The failure test of a count-returning acquire:

    - ``n = pci_alloc_irq_vectors(pdev, min, max, ...); if (n < min)``, or the call
      compared directly (``if (pci_alloc_irq_vectors(...) < min)``), unless the
      function tests ``n < 0`` itself (then later ``n < x`` tests are not failures);
    - ``major <= 0`` for an acquire whose result is above 0 on success (the
      knowledge's ``positive``: ``register_blkdev(0, name)``);
    - ``n <= 0`` for an acquire of an argument object that fails by returning 0 (the
      knowledge's ``fails = "zero"``), whose result is above 0 on success: 0 and a
      negative errno are both its failure (``pm_runtime_get_if_active()``);
    - for an acquire whose count the knowledge bounds (``count_min``/``count_max``):
      ``n <= 0`` (``dma_map_sg()`` returns 0 when it mapped nothing), and ``n != k``
      when the bounds leave one count, ``k`` (``dma_map_sg(dev, sg, 1, dir)`` maps 1
      entry or none; ``pci_enable_msix_range(pdev, e, n, n)`` enables n or fails)."""
    if not isinstance(cond, Binary):
        return None
    lhs, rhs = cond.lhs, cond.rhs
    positive = _positive_result(ctx, st, lhs)
    if positive is not None and cond.op in ("<=", ">") and isinstance(rhs, Const) and \
            rhs.value == 0:
        return Check(lhs, cond.op == "<=", render(cond), positive.callee, "negative")
    found = _count_result(ctx, st, lhs)
    if found is None and cond.op in ("==", "!="):
        lhs, rhs = rhs, lhs
        found = _count_result(ctx, st, lhs)
    if found is None:
        return None
    v, acq = found
    if cond.op == "<" and acq.fails == COUNT_ACQUIRE_FAILS:
        if path_of(lhs) in ctx.tested_negative:
            return None
        return Check(lhs, True, render(cond), v.callee, "negative")
    above_zero = cond.op in ("<=", ">") and isinstance(rhs, Const) and rhs.value == 0
    if above_zero and acq.fails == "zero":
        # an acquire that fails by returning 0, whose other failure is a negative errno
        # (pm_runtime_get_if_active(): 1 with the reference taken, 0 or -EINVAL without)
        return Check(lhs, cond.op == "<=", render(cond), v.callee, "count")
    if acq.count_max is None or acq.count_max >= len(v.args):
        return None
    if above_zero:
        return Check(lhs, cond.op == "<=", render(cond), v.callee, "count")
    hi = v.args[acq.count_max]
    lo = v.args[acq.count_min] if acq.count_min is not None and \
        acq.count_min < len(v.args) else Const(1)
    if cond.op in ("==", "!=") and _same_value(lo, hi) and _same_value(rhs, hi):
        return Check(lhs, cond.op == "!=", render(cond), v.callee, "count")
    return None


def _positive_result(ctx: FunctionContext, st: State, e: Expr) -> Call | None:
    """The call of an acquire whose result, the object, is above 0 on success
    (``Acquire.positive``: ``major = register_blkdev(0, name)``) that ``e`` holds."""
    p = path_of(e)
    v = st.resolve(p) if p is not None else e
    if isinstance(v, Assign):
        v = v.value
    if not isinstance(v, Call):
        return None
    acq = ctx.kb.acquire(v.callee)
    return v if acq is not None and acq.positive else None


def _count_result(ctx: FunctionContext, st: State, e: Expr) -> tuple[Call, Acquire] | None:
    """The call of a count-returning acquire (an argument object) whose result ``e`` holds."""
    p = path_of(e)
    v = st.resolve(p) if p is not None else e  # or tested directly: if (f(...) < min)
    if isinstance(v, Assign):
        v = v.value
    if not isinstance(v, Call):
        return None
    acq = ctx.kb.acquire(v.callee)
    if acq is None or acq.object == "ret":
        return None
    return v, acq


def _same_value(a: Expr, b: Expr) -> bool:
    """Do ``a`` and ``b`` surely hold the same value: equal constants, or the same
    expression without calls (``num_msix`` twice)?"""
    if isinstance(a, Const) or isinstance(b, Const):
        return isinstance(a, Const) and isinstance(b, Const) and a.value == b.value
    return render(a) == render(b) and not calls_in(a)


def format_argument(call: Call) -> int | None:
    """The argument of ``call`` that is a printf format by its shape, for a printer the
    knowledge does not list (``lpfc_dbg_print(phba, "%d: x%px\\n", n, mbox)``, a
    variadic logger with no __printf() attribute): the first string literal whose
    conversions take exactly the arguments that follow it."""
    for j, a in enumerate(call.args):
        if isinstance(a, Str) and a.value:
            taken = sum(1 + (m["width"] == "*") + (m["prec"] == "*")
                        for m in _CONVERSION.finditer(a.value) if m["conv"] != "%")
            if taken and taken == len(call.args) - j - 1:
                return j
    return None


def printed_only(call: Call, fmt: int | None) -> frozenset[int]:
    """The arguments of a printk-style ``call`` (format argument ``fmt``) that its
    format prints only by address (a plain ``%p``), or as the number a handle's
    address holds (``%pad`` of ``&dma``, ``%pa`` of ``&phys``): printing a pointer or
    a handle after the release is no use of the object. Empty when the format string
    is not a literal the frontend kept."""
    if fmt is None or fmt >= len(call.args):
        return frozenset()
    f = call.args[fmt]
    if not isinstance(f, Str) or not f.value:
        return frozenset()
    out: set[int] = set()
    arg = fmt + 1
    for m in _CONVERSION.finditer(f.value):
        if m["conv"] == "%":
            continue
        arg += (m["width"] == "*") + (m["prec"] == "*")
        if m["conv"] == "p" and m["ext"][:1] in _ADDRESS_ONLY_EXT and len(m["ext"]) <= 1:
            out.add(arg)
        elif m["conv"] == "p" and m["ext"][:1] == "a" and arg < len(call.args) and \
                isinstance(h := call.args[arg], Unary) and h.op == "&":
            out.add(arg)  # %pad of &dma: the handle's number, not the mapping it names
        arg += 1
    return frozenset(out)


def sets_bit(value: Expr | None, bit: int) -> bool:
    """Does the mask ``value`` surely have ``bit``: one of the terms it ORs together is a
    constant with the bit (``flags | __GFP_ZERO``, ``1 << 10 | 1 << 8``)?"""
    todo = [value]
    while todo:
        v = todo.pop()
        if isinstance(v, Binary) and v.op == "|":
            todo += [v.lhs, v.rhs]
        elif (c := _mask_constant(v)) is not None and c & bit:
            return True
    return False


def lacks_bit(value: Expr | None, bit: int) -> bool:
    """Does the mask ``value`` surely lack ``bit``: it ORs together constants only, and
    none of them has the bit (``DL_FLAG_PM_RUNTIME | DL_FLAG_RPM_ACTIVE``)? A variable
    among its terms may carry any bit."""
    todo = [value]
    while todo:
        v = todo.pop()
        if isinstance(v, Binary) and v.op == "|":
            todo += [v.lhs, v.rhs]
        elif (c := _mask_constant(v)) is None or c & bit:
            return False
    return True


def owned(kb: Knowledge, call: Call) -> bool:
    """Does the caller own what this acquire returns? Not when the knowledge's
    ``owned_with_flag`` bit is surely absent from its flags argument: then its
    subsystem manages the object (device_link_add() without DL_FLAG_STATELESS makes a
    link the driver core removes itself)."""
    a = kb.acquire(call.callee)
    if a is None or a.owned_with_flag is None:
        return True
    arg, bit = a.owned_with_flag
    if not -len(call.args) <= arg < len(call.args):
        return True
    return not lacks_bit(call.args[arg], bit)


def _mask_constant(v: Expr | None) -> int | None:
    if isinstance(v, Const):
        return v.value
    if isinstance(v, Binary) and v.op == "<<":
        a, b = _mask_constant(v.lhs), _mask_constant(v.rhs)
        return a << b if a is not None and b is not None and 0 <= b < 64 else None
    return None


def zeroes(kb: Knowledge, call: Call) -> bool:
    """Does this allocation return zeroed memory: a zeroing allocator, or one whose
    flags argument carries the knowledge's zeroing flag (kzalloc_node() is
    kmalloc_node(size, flags | __GFP_ZERO, node))?"""
    a = kb.acquire(call.callee)
    if a is None:
        return False
    if a.zeroed:
        return True
    if a.zeroing_flag is None:
        return False
    arg, bit = a.zeroing_flag
    if not -len(call.args) <= arg < len(call.args):
        return False
    return sets_bit(call.args[arg], bit)
