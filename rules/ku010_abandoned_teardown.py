"""A teardown returns early after a failure and abandons its remaining release steps.

What it finds:
    A ``void`` function that releases objects it did not acquire (what its
    parameters lead to: ``priv->clk``, ``pdev``'s driver data), typically a
    remove, release or exit callback, where a failure test (``if (ret)
    return;``, ``if (IS_ERR(p)) { dev_err(...); return; }``, a test the
    engine's ``failure_check`` classifies, of a call that can fail) leaves
    the function, by a ``return`` or a ``goto`` to its end, without a release
    of its own, while the path where the call succeeded goes on to release
    objects that the early exit never reaches. It reports the early exit with
    the first release it skips and how many more. A release is one the
    knowledge lists, or a same-file callee whose summary releases its
    argument; what the function acquired itself (KU002's business) and holds
    it drops (an unlock: KU005's) do not count, nor does what the failed call
    released itself when it failed (its summary's ``releases_on_error``: a
    helper that drops the packet before it returns -EINVAL, or a wrapper
    that passes such a failure on).

Why it matters:
    Nobody retries a failed teardown: a remove callback's result is ignored
    and a void function cannot report one. The objects the early return
    skips stay allocated, registered or enabled for good, and the device
    goes away with them (a leak, a clock left on, a registration that points
    at freed memory). Maintainers fix these by logging the failure and going
    on with the teardown.

Bad:
    static void foo_remove(struct platform_device *pdev)
    {
            struct foo *priv = platform_get_drvdata(pdev);
            int ret;

            ret = foo_hw_stop(priv);
            if (ret) {
                    dev_err(&pdev->dev, "stop failed\\n");
                    return;                 /* priv->clk, priv->irq leak */
            }
            free_irq(priv->irq, priv);
            clk_disable_unprepare(priv->clk);
    }

Good:
    ret = foo_hw_stop(priv);
    if (ret)
            dev_err(&pdev->dev, "stop failed, tearing down anyway\\n");
    free_irq(priv->irq, priv);
    clk_disable_unprepare(priv->clk);

Known false positives:
    A failed step that must succeed before the later ones are safe (a
    failed wait for the hardware to go idle, after which freeing memory it
    may still write would be worse than leaking it) is a deliberate early
    return. Such shapes are not reported: the early exit carries a comment,
    or a comment before it in the function says that it leaks on purpose
    ("leak the memory if anything goes wrong"): the author explained the
    choice; a skipped release ends DMA memory or
    a DMA mapping (the knowledge's kind ``dma``, or an allocation whose
    acquire hands the device its address, ``handle``: ``dma_free_coherent()``),
    which a device that did not stop may still use; or the failed call is a
    same-file check that decides by its own tests and calls only reads and
    logging (its summary's ``ret_consts``: ``if (foo_calc_layout(t, &l))
    return;``, which the set-up made too, or a poll of a busy bit). Other
    such choices, explained nowhere, are reported. Tests of "nothing to do"
    (``if (!priv) return;``, a flag, a getter's NULL, a lookup that found
    nothing, an ERR_PTR the set-up stored as driver data when it failed:
    ``if (!IS_ERR_OR_NULL(platform_get_drvdata(pdev)))``) are no failure
    tests and are not reported; nor is an exit that
    releases something itself (an unwind of its own), nor a function that
    is a probe or returns a value, nor one that acquires something other
    than a hold, itself or through its same-file callees (a restart that
    frees an irq and requests it again, a fetch that replaces a buffer: no
    teardown).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from kunwind.analysis.conditions import Check, failure_check, tested_call
from kunwind.analysis.error_paths import can_fail, is_lookup
from kunwind.findings import API_FACT, CALLEE_SUMMARY, Finding, PathStep
from kunwind.knowledge.kinds import Kind
from kunwind.model.ir import (
    Assign,
    Call,
    Expr,
    Return,
    Store,
    Var,
    calls_in,
    path_of,
    render,
    root_of,
    subexprs,
)

from .base import SAMPLE, Measured, Rule

if TYPE_CHECKING:
    from collections.abc import Iterable

    from kunwind.analysis.context import FunctionContext
    from kunwind.analysis.walk import WalkResult
    from kunwind.model.cfg import Block


@dataclass(frozen=True)
class Step:
    """A release step of the teardown: ``call`` releases ``path`` in block ``block``."""

    path: str
    call: Call
    block: int


def on_function(ctx: FunctionContext, walk: WalkResult) -> list[Finding]:
    """Each early exit after a failure that skips release steps of a teardown."""
    fn = ctx.fn
    if not _teardown(ctx):
        return []
    steps = _release_steps(ctx)
    if not steps:
        return []
    out: list[Finding] = []
    for b in fn.blocks:
        if b.cond is None or len(b.succs) != 2 or b.cond_loc is None:
            continue
        chk = failure_check(b.cond, partial(_stored_value, ctx, b))
        if chk is None or not _real_failure(ctx, chk):
            continue
        fail = next((e.dst for e in b.succs
                     if e.kind == ("true" if chk.fails_when else "false")), None)
        on = next((e.dst for e in b.succs
                   if e.kind == ("false" if chk.fails_when else "true")), None)
        if fail is None or on is None or fail == on:
            continue
        end = _early_exit(ctx, fail, b.id)
        if end is None:
            continue
        failed = fn.reachable_from(fail, avoid=b.id) | {fail}
        if any(s.block in failed for s in steps) or \
                _explained(ctx, b.cond_loc.line, end):
            continue  # an unwind of its own, or a bail-out its author explains
        after = fn.reachable_from(on, avoid=b.id) | {on}
        gone = _released_on_failure(ctx, b, chk)
        skipped = _first_per_path(s for s in steps if s.block in after and
                                  s.block not in failed and s.path not in gone and
                                  b.id not in ctx.reachable(s.block))
        if not skipped or any(_device_memory(ctx, s.call) for s in skipped):
            continue
        out.append(_finding(ctx, b, chk, end, skipped))
    return out


def at_normal_exits(ctx: FunctionContext) -> bool:
    """A void function that is no probe and releases something: its early returns
    are no error exits, so the walk must run for it."""
    return _teardown(ctx) and bool(_release_steps(ctx))


def _teardown(ctx: FunctionContext) -> bool:
    """Can the function be a teardown: it returns nothing, is no probe, and acquires
    nothing, itself or through its same-file callees (its summary's ``calls``), but
    holds (a lock, a runtime-PM count)? A function that acquires sets something up
    (a rebuild that frees and requests an irq again, a fetch that replaces a
    buffer): its early return may keep the old state on purpose."""
    fn = ctx.fn
    if not fn.returns_void or ctx.is_probe:
        return False
    mine = ctx.summary(fn.name)
    callees = set(mine.calls) if mine is not None else set()
    callees |= {c.callee for b in fn.blocks for e in b.exprs() for c in calls_in(e)}
    for callee in callees:
        a = ctx.kb.acquire(callee)
        if a is not None and not a.kind.is_hold:
            return False
        s = ctx.summary(callee)
        if s is not None and s.ret_alloc:
            return False
    return True


def _release_steps(ctx: FunctionContext) -> list[Step]:
    """The calls that release an object the function did not acquire and that its
    parameters lead to (a field of one, or a local taken from one), in the order
    of the source. Dropping a hold (an unlock, a runtime-PM put) is no such step."""
    mine = _from_params(ctx)
    acquired = set(ctx.acquisitions)
    out: list[Step] = []
    for b in ctx.fn.blocks:
        for e in b.exprs():
            for c in calls_in(e):
                if ctx.kb.released_kind(c.callee).is_hold:
                    continue
                for j in ctx.released_args(c):
                    p = path_of(c.args[j])
                    if p is None or p.lstrip("&*") in acquired or \
                            root_of(p.lstrip("&*")) not in mine:
                        continue
                    out.append(Step(p.lstrip("&*"), c, b.id))
    return sorted(out, key=lambda s: (s.call.loc.line, s.call.loc.col))


def _from_params(ctx: FunctionContext) -> set[str]:
    """The parameters, and the locals every store of which reads one of them or such a
    local (``priv = platform_get_drvdata(pdev)``, ``q = &port->txq``), none of them
    an allocation."""
    names = {p.name for p in ctx.fn.params}
    stores: dict[str, list[Expr | None]] = {}
    for b in ctx.fn.blocks:
        for s in b.stmts:
            if isinstance(s, Store) and isinstance(s.target, Var):
                stores.setdefault(s.target.name, []).append(s.value)
    for _ in range(3):
        for name, values in stores.items():
            if name not in names and all(v is not None and _reads_any(ctx, v, names)
                                         for v in values):
                names.add(name)
    return names


def _reads_any(ctx: FunctionContext, v: Expr, names: set[str]) -> bool:
    if isinstance(v, Call) and ctx.kb.acquire(v.callee) is not None:
        return False  # an object it acquires: KU002's business
    return any(isinstance(x, Var) and x.name in names for x in subexprs(v))


def _stored_value(ctx: FunctionContext, b: Block, name: str) -> Expr | None:
    """What local ``name`` holds at the end of ``b``: its last store in ``b``, else in
    the straight line of single predecessors before it."""
    preds = ctx.fn.preds()
    block: Block | None = b
    for _ in range(8):
        if block is None:
            return None
        for s in reversed(block.stmts):
            if isinstance(s, Store) and isinstance(s.target, Var) and \
                    s.target.name == name and s.op == "=":
                return s.value
        if block.cond is not None and block is not b:
            for a in subexprs(block.cond):
                if isinstance(a, Assign) and path_of(a.target) == name:
                    return a.value
        ps = preds.get(block.id, [])
        block = ctx.fn.blocks[ps[0]] if len(ps) == 1 else None
    return None


def _released_on_failure(ctx: FunctionContext, b: Block, chk: Check) -> set[str]:
    """What the failed call released itself on its error path: the arguments its
    summary's ``releases_on_error`` names (``if (!port) { kfree_skb(skb); return
    -EINVAL; }``). The caller has nothing left of them to release."""
    s = ctx.summary(chk.callee)
    if s is None or not s.releases_on_error:
        return set()
    call = tested_call(chk, b.cond, partial(_stored_value, ctx, b)) if b.cond else None
    if call is None:
        return set()
    out: set[str] = set()
    for k in s.releases_on_error:
        p = path_of(call.args[k]) if k < len(call.args) else None
        if p is not None:
            out.add(p.lstrip("&*"))
    return out


def _real_failure(ctx: FunctionContext, chk: Check) -> bool:
    """A failure of a call that can fail, not a "nothing to do" test: an ``IS_ERR()``,
    an errno of a callee that returns one, or the NULL of an allocation (not of a
    getter, nor of a lookup that found nothing)."""
    if chk.answer or not chk.callee:
        return False
    if chk.form == "errptr":  # not what a getter gives back: the set-up's own ERR_PTR
        return not (ctx.kb.gives_back(chk.callee) or ctx.kb.is_read(chk.callee))
    if chk.form == "null":
        a = ctx.kb.acquire(chk.callee)
        s = ctx.summary(chk.callee)
        return not is_lookup(ctx, chk.callee) and (
            a is not None and a.fails == "null" or s is not None and s.ret_alloc)
    if _state_check(ctx, chk.callee):
        return False  # a check of the object's state, not a step that failed
    return bool(can_fail(ctx, chk.callee))


def _state_check(ctx: FunctionContext, callee: str) -> bool:
    """Is ``callee`` a same-file check that decides by its own tests: each of its
    returns a constant (its summary's ``ret_consts``) and it calls nothing but reads,
    logging, computations and such checks (``if (foo_calc_layout(t, &l)) return;``)?"""
    s = ctx.summary(callee)
    if s is None or not s.ret_consts:
        return False
    for c in s.calls:  # its same-file callees' calls included
        cs = ctx.summary(c)
        if not (ctx.kb.is_read(c) or ctx.kb.printer_format(c) is not None or
                c in ctx.pure_bodies or cs is not None and (cs.is_read or cs.ret_consts)):
            return False
    return True


def _early_exit(ctx: FunctionContext, start: int, test: int) -> int | None:
    """The line of the ``return`` (or of the ``goto``) by which the straight line from
    block ``start`` leaves the function early; None when it branches again, loops back
    to the test, or rejoins the way on with no jump (``if (ret) dev_err(...);``)."""
    fn = ctx.fn
    block, seen = fn.blocks[start], set()
    while block.id not in seen and block.id != fn.exit:
        seen.add(block.id)
        ret = next((s for s in block.stmts if isinstance(s, Return)), None)
        if ret is not None:
            return ret.loc.line
        if block.cond is not None or block.switch is not None or len(block.succs) != 1:
            return None
        edge = block.succs[0]
        if edge.kind == "goto":
            return edge.line if test not in ctx.reachable(edge.dst) else None
        block = fn.blocks[edge.dst]
    return None


# a comment that says the function leaks what it cannot tear down safely
_LEAKS = re.compile(r"\bleak", re.IGNORECASE)


def _explained(ctx: FunctionContext, test: int, end: int) -> bool:
    """Does a comment start on a line between the failure test and the early exit
    (both lines left out), or one before the exit in the function say that it
    leaks on purpose ("leak the memory if anything goes wrong"): the author says
    why the function stops there?"""
    start = ctx.fn.loc.line
    return any(test < line < end or start <= line < end and _LEAKS.search(text)
               for line, text in ctx.comments)


def _device_memory(ctx: FunctionContext, call: Call) -> bool:
    """Does ``call`` end memory or a mapping that a device may still use: what an
    acquire of kind ``dma`` holds, or memory whose acquire gives the device an address
    of it (the knowledge's ``handle``: ``dma_free_coherent()``)?"""
    if ctx.kb.released_kind(call.callee) is Kind.DMA:
        return True
    return any(a.handle is not None and call.callee in a.release
               for a in ctx.kb.acquires.values())


def _first_per_path(steps: Iterable[Step]) -> list[Step]:
    """The first release step of each object."""
    out: dict[str, Step] = {}
    for s in steps:
        out.setdefault(s.path, s)
    return sorted(out.values(), key=lambda s: (s.call.loc.line, s.call.loc.col))


def _finding(ctx: FunctionContext, b: Block, chk: Check, end: int,
             skipped: list[Step]) -> Finding:
    assert b.cond_loc is not None
    fn, test = ctx.words.function, b.cond_loc.line
    first = skipped[0]
    shown = ctx.words.call(first.call)
    callee = ctx.words.name(chk.callee, test)
    more = len(skipped) - 1
    also = f" and {more} more release step{'s' if more > 1 else ''}" if more else ""
    message = (f"{fn}() leaves at line {end} when {callee}() fails (checked at line "
               f"{test}), skipping {shown} at line {first.call.loc.line}{also} that the "
               f"path where it succeeds performs: a failed teardown is never retried, so "
               f"'{first.path}' is never released; log the failure and go on releasing")
    steps = [PathStep(test, b.cond_loc.col, f"{callee}() failed ({render(b.cond)})"),
             PathStep(end, 0, "leaves early"),
             PathStep(first.call.loc.line, first.call.loc.col, f"{shown} skipped")]
    evidence = API_FACT if ctx.kb.release(first.call.callee) is not None else CALLEE_SUMMARY
    return RULE.finding(ctx, end, 0, message, steps,
                        f"abandoned|{chk.callee}|{first.path}", evidence, exit_line=end)


RULE_ID, RULE_NAME = "KU010", "abandoned-teardown"
RULE = Rule(id=RULE_ID, name=RULE_NAME, doc=__doc__, on_function=on_function,
            at_normal_exits=at_normal_exits, measured=Measured(0, 1, SAMPLE))
