"""Helpers shared by the rules: where on a path its error path starts and leaves,
and whether what failed on it is an error."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kunwind.analysis.conditions import error_on_edge
from kunwind.analysis.constants import NEGATIVE
from kunwind.analysis.events import Event, Failure, Jump, Release, failure_index, jumps
from kunwind.findings import API_FACT, CALLEE_SUMMARY, CONVENTION
from kunwind.knowledge.kinds import Kind
from kunwind.knowledge.names import ALLOCATES, PREDICATE
from kunwind.model.ir import Return, Store, Var, path_of

if TYPE_CHECKING:
    from kunwind.analysis.context import FunctionContext
    from kunwind.analysis.resources import Res
    from kunwind.analysis.state import State
    from kunwind.knowledge import Acquire
    from kunwind.model.cfg import Function


def goto_after(events: tuple[Event, ...], failure: Failure) -> Jump | None:
    """The first ``goto`` the path takes after ``failure``: where its error path jumps."""
    i = failure_index(events, failure)
    if i < 0:
        return None
    return next(iter(jumps(events, i + 1)), None)


def failure_rejoins(ctx: FunctionContext, failure: Failure) -> bool:
    """Does the failing branch of this check flow back into the path where nothing
    failed (``WARN_ON(!x);``, ``if (!opt) dev_warn(...);``)? Then it is not an error path."""
    succs = [e.dst for e in ctx.fn.blocks[failure.block].succs]
    failing = [d for d in succs if d != failure.success]
    return not failing or any(failure.success in ctx.reachable(d) for d in failing) or \
        all(_falls_into(ctx, failure.success, d) for d in failing)


def _falls_into(ctx: FunctionContext, start: int, dst: int) -> bool:
    """Does block ``start`` run straight into ``dst``, through blocks with no branch
    (``if (adap) edid = get_edid(adap);``: what the check guards is an optional step,
    and its failing side is where both go on)?"""
    for blk in ctx.fn.straight_run(start):
        if blk.id == dst:
            return True
        if any(isinstance(s, Return) for s in blk.stmts):
            return False
    return False


def decided_elsewhere(ctx: FunctionContext, failure: Failure, block: int) -> bool:
    """Is ``block`` (where a path leaves: its ``goto`` or ``return``) reached as well
    from where the check succeeded, without passing the check again? Then the exit
    does not follow from the failure: the failing branch was only logged (``if
    (wait_ready()) dev_err(...);`` before a ``goto done`` both sides take, a
    ``WARN_ON(power_up())``) or skipped an iteration (``if (read() < 0) continue;``)
    and the loop later ended its usual way. What the path returns there is what
    the path where nothing failed returns too."""
    return block in ctx.fn.reachable_from(failure.success, avoid=failure.block)


def errno_held(ctx: FunctionContext, block: int) -> str | None:
    """The variable that holds a negative errno wherever ``block`` runs, and that every
    return after it returns: ``block`` is reached only through the edge of a test
    that found it equal to one (``if (rc == -EIO) { ...; foo_recover(x); } return
    rc;``), nothing assigns it from that edge on, and each return reachable from
    ``block`` returns it. Every path through ``block`` then reports an error to
    the caller already, whatever the block's own calls do (a recovery step whose
    failure could only be reported in place of the first one). None otherwise.

    The walk knows this too (``conditions.error_on_edge``), but on a path of its
    own that the path budget may join with the others; this reads the CFG."""
    fn = ctx.fn
    for t in fn.blocks:
        if t.cond is None or len(t.succs) != 2:
            continue
        for e in t.succs:
            name = error_on_edge(t.cond, e.kind == "true", ctx.in_progress)
            if name is None:
                continue
            region = fn.reachable_from(e.dst, avoid=t.id)
            if block not in region or block in fn.reachable_from(fn.entry, avoid=t.id) or \
                    any(block in fn.reachable_from(o.dst, avoid=t.id)
                        for o in t.succs if o.dst != e.dst):
                continue  # another way leads to block without this edge
            if _returns_only(fn, region, fn.reachable_from(block), name):
                return name
    return None


def _returns_only(fn: Function, region: set[int], after: set[int], name: str) -> bool:
    """No block of ``region`` stores ``name``, and every return in ``after`` returns it."""
    if any(isinstance(s, Store) and path_of(s.target) == name
           for i in region for s in fn.blocks[i].stmts):
        return False
    returns = [s for i in after for s in fn.blocks[i].stmts if isinstance(s, Return)]
    return bool(returns) and all(isinstance(s.value, Var) and s.value.name == name
                                 for s in returns)


def unwinds(events: tuple[Event, ...], failure: Failure) -> bool:
    """Does the path release, after ``failure``, something it holds: is it an abort
    that undoes the set-up done so far (an unwind ladder), rather than a skip?"""
    i = failure_index(events, failure)
    return i >= 0 and any(isinstance(e, Release) for e in events[i + 1:])


def retries(ctx: FunctionContext, test: int, jump: Jump) -> bool:
    """Does ``jump`` lead back to the test in block ``test`` (``if (!buf) goto
    repeat;`` above it, ``goto redo_bucket``)? Then it is a retry, not a way out:
    whether the path leaves with an error is decided by the tests it runs again."""
    target = next((b.id for b in ctx.fn.blocks if jump.label in b.labels), None)
    return target is not None and test in ctx.reachable(target)


def lookup_miss(ctx: FunctionContext, fail: Failure) -> bool:
    """Did a lookup find nothing (its result tested NULL)? That says the object is
    absent, which a function may take as an error or as an optional part missing;
    only the code around it tells which."""
    return fail.form == "null" and is_lookup(ctx, fail.callee)


def is_lookup(ctx: FunctionContext, callee: str) -> bool:
    """A call that returns a new reference to an object that exists elsewhere
    (``of_find_compatible_node()``, ``bus_find_device()``: the knowledge's reference
    acquires of a result, those that do not allocate it), NULL when there is none."""
    if not callee or ALLOCATES.search(callee):
        return False
    acq = ctx.kb.acquire(callee)
    return acq is not None and acq.kind is Kind.REFERENCE and acq.object == "ret"


def real_failure(ctx: FunctionContext, fail: Failure, strict: bool = False) -> bool:
    """Is the failed check an error (not a predicate's "no")?

    ``IS_ERR()`` and ``< 0`` always are; an int result is unless the callee is
    named like a test or its body here never returns an errno. A NULL result
    is (strict: only from an allocator, not from a lookup that found nothing;
    or from an acquire of an object it is given whose NULL the knowledge
    names as its failure: ``request_region()`` refused the range, it is busy).
    """
    if fail.form in ("errptr", "negative", "count"):
        return True
    callee = fail.callee
    if not callee or PREDICATE.search(callee):
        return False
    acq = ctx.kb.acquire(callee)
    summary = ctx.summary(callee)
    if fail.form == "null" and acq is not None and acq.kind == "learned":
        return False  # a learned pair says what releases it, not that NULL is an error
    if fail.form == "null":
        return not strict or (acq is not None and (acq.object == "ret" or _refused(acq))) or bool(
            summary is not None and summary.ret_alloc) or bool(ALLOCATES.search(callee))
    return summary is None or summary.ret_errno


def _refused(acq: Acquire) -> bool:
    """An acquire on an object it is given (not a result it looks up) whose NULL the
    knowledge names as its failure (``fails = "null"``): the request was refused
    (``request_region()``: the range is busy). A reference taken on an object
    (``get_device()``) is not: its NULL says the object was NULL."""
    return acq.object != "ret" and acq.fails == "null" and acq.kind is not Kind.REFERENCE


def error_path(ctx: FunctionContext, st: State) -> bool:
    """Is this path an error path: something failed on it, and in a void function (whose
    exits carry no error code) at least one failure is an error, not a test's "no"."""
    if not st.failures:
        return False
    return not ctx.fn.returns_void or any(void_failure(ctx, f) for f in st.failures)


def void_failure(ctx: FunctionContext, fail: Failure) -> bool:
    """In a void function, which cannot return an error code: an ``IS_ERR()``, a ``< 0``
    or an allocation that failed, not a call whose int result may be a plain answer."""
    return fail.form != "value" and real_failure(ctx, fail, strict=True)


def surely_released(ctx: FunctionContext, r: Res) -> bool:
    """The release was certain: a paired release, not a callee that releases on some path."""
    releaser = r.by
    if releaser in r.releases or ctx.kb.release(releaser) is not None:
        return True
    summary = ctx.summary(releaser)
    return summary is not None and bool(summary.releases_always)


def can_fail(ctx: FunctionContext, callee: str) -> str:
    """What says ``callee`` can fail with a negative errno (``findings.EVIDENCE``), or
    "": its body here returns one (and is no stub that returns a constant), the
    knowledge's fact about its int result, or the file's calls that test it ``< 0``.
    A summary that cannot show an errno (``return ret`` of a call it does not know)
    leaves the question to the knowledge and the file's calls; one whose result
    cannot be negative, or a stub's, settles it."""
    s = ctx.summary(callee)
    if s is not None:
        if s.ret_stub or not s.ret_signs & NEGATIVE:
            return ""
        if s.ret_errno:
            return CALLEE_SUMMARY
    a = ctx.kb.acquire(callee)
    if a is not None:
        return API_FACT if a.object != "ret" and a.fails == "negative" else ""
    return CONVENTION if ctx.conventions.of(callee).negative else ""
