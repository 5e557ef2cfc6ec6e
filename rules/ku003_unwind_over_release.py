"""An error path releases what it never acquired on that path, or releases it twice.

What it finds:
    On a path that ends at an error exit, a release call (``kfree()``,
    ``iounmap()``, ``free_irq()``, ``of_node_put()``, a same-file helper that
    frees its argument...) receives an object that, on that path:

    - was never acquired: a ``goto`` into the unwind ladder above the label
      that matches its acquisition, so a later step is undone before it was
      done (the object is still NULL, uninitialised, or was never requested);
    - failed to be acquired: the release of an allocation that returned NULL
      (fine for NULL-tolerant releases such as ``kfree(NULL)``) or an
      ``ERR_PTR()`` (never fine), a put after a failed get, the undo of a
      step stacked on an object after that step failed
      (``clk_disable_unprepare(c)`` after ``clk_prepare_enable(c)`` failed;
      the ``clk_put(c)`` after it still drops the reference ``clk_get()``
      took, and is right);
    - was already released: a helper freed it and then the ladder frees it
      again, or a same-file callee frees its argument on its own error exits
      and the caller frees it again when the callee fails.

Why it matters:
    Each of these is a double free, a free of an invalid pointer, or a
    reference count or enable count that goes negative: memory corruption
    or a WARN at best, and always on a path that tests rarely exercise.

Bad:
    buf = memdup_user(arg, len);
    if (IS_ERR(buf)) {
            ret = PTR_ERR(buf);
            goto out;
    }
    ...
    out:
    kfree(buf);                            /* kfree() of an ERR_PTR() */
    return ret;

Good:
    buf = memdup_user(arg, len);
    if (IS_ERR(buf))
            return PTR_ERR(buf);
    ...
    kfree(buf);

Known false positives:
    Conditions the walk cannot correlate (``if (priv->use_irq)`` tested once
    before the acquisition and again in the ladder, with a value it does not
    track) can produce a path that releases what the real program never
    reaches. A flag computed from the acquisition's own result (``has_msi =
    !pci_enable_msi(pdev)``) or kept as its record, and an out-parameter left
    NULL by a failed constructor (``sock_create(..., &sock)`` then ``if
    (sock)``), are correlated. Releases that tolerate an ``ERR_PTR()`` (``debugfs_remove()``)
    need the knowledge to say so (``err_ok``), or a body that returns at once on
    ``IS_ERR_OR_NULL()`` of the argument (a same-file or header helper's summary), and
    so do releases that are a no-op on what was never acquired because they test the object's own
    state first (``pci_disable_msi()``, ``drm_dev_unregister()``,
    ``unregister_*_notifier()``, ``del_timer_sync()``: ``safe_unacquired``);
    ``free_irq()`` is not one (it warns). Such a release is a no-op too after
    an earlier release of the same part of the object (``pci_disable_msix(pdev)``
    then ``pci_free_irq_vectors(pdev)``, which disables MSI-X and MSI again and
    returns when neither is enabled), as long as the first release left the object
    in place to be tested. A counted release (the knowledge's
    ``count``: the nents of ``dma_unmap_sg()``) given a count the path knows is 0
    (``if (nents) mapped = dma_map_sg(dev, sg, nents, dir);`` then
    ``dma_unmap_sg(dev, sg, nents, dir)`` where the map was skipped) releases
    nothing, and is not reported. A release reached on a path that
    skipped an acquisition is reported only when the knowledge lists it among
    that acquisition's releases (``free_netdev()`` after a skipped
    ``register_netdevice()`` undoes ``alloc_netdev()``, elsewhere), and in a
    void function only when the path's failure is an error, not a
    predicate's "no". A release after a failure that the function only
    logged and went on from (``ret = clk_prepare_enable(clk); if (ret)
    dev_err(...);``, then a later step's unwind disables the clock) is
    reported: the disable of a clock that never started warns in the clock
    core, and maintainers fix such unwinds. A second step that fails leaves the first one held
    (``cdev_del()`` after ``cdev_alloc()`` and a failed ``cdev_add()``), and
    a second step whose first one a caller made (the knowledge's ``after``:
    ``device_add()`` after ``device_initialize()``) is undone step by step.

    A release twice needs a first release that surely frees what the second
    one touches (``Res.sure`` in the resource model; a leak check takes a
    release that perhaps frees for a release). So ``put_device(&x->dev)``
    then ``kfree(x)`` is reported when the file shows the member's release
    callback (a type, ``dev->release``) and it frees ``x``, not when the
    callback is set elsewhere (a class, another file's type) or does not
    free it; a ``kref_put()`` of a reference taken by ``kref_get()`` (the
    knowledge's ``extra``) is not the last, so what its release function
    frees is not freed yet; ``platform_device_unregister(pdev)`` of a device
    ``bus_find_device()`` returned drops the registration's reference, not the
    lookup's; and ``unregister_candev()`` (``keeps_object``), or a helper of
    the file that only calls it, leaves the netdev to ``free_candev()``.

    Measured (bench/triage/): on mm/, drivers/net/ethernet/intel/ and
    sound/soc/codecs/ of Linux 6.12, 10 reports, 8 true (80%).
    That is where the check was tuned.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from kunwind.analysis.constants import ZERO
from kunwind.analysis.constants import value as known_value
from kunwind.analysis.cursors import list_element
from kunwind.analysis.error_paths import error_path, failure_rejoins
from kunwind.analysis.resources import (
    FAILED,
    RELEASED,
    Cause,
    Res,
    held_name,
    object_path,
    release_skipped,
    released_part,
    resource_key,
)
from kunwind.analysis.state import UNINITIALISED
from kunwind.findings import API_FACT, Finding, PathStep
from kunwind.knowledge import canonical
from kunwind.model.ir import Call, Const, calls_in, path_of, render, root_of, stmt_exprs

from .base import SAMPLE, Measured, Recall, Rule, acquire_evidence

if TYPE_CHECKING:
    from kunwind.analysis.context import FunctionContext
    from kunwind.analysis.state import State


def on_call(ctx: FunctionContext, st: State, call: Call) -> list[Finding]:
    """At a release: was its object acquired, and still held, on this path?"""
    out: list[Finding] = []
    if _counts_none(ctx, st, call):
        return out  # dma_unmap_sg(dev, sg, 0, dir): no entry released
    part = released_part(ctx.kb, call, st.values.known)
    for j, p in _released(ctx, st, call):
        r = _resource(ctx, st, call, j, p, part)
        if r is None:
            why = _never_acquired(ctx, st, call, j, p)
        elif r.kind.is_hold or (r.releases and call.callee not in r.releases):
            continue  # it releases another resource held on the same object
        elif r.status == RELEASED:
            if _repeat_harmless(ctx, call, j, r, part):
                continue  # pci_disable_msix(pdev), then pci_free_irq_vectors(pdev)
            why = _released_before(ctx, st, call, p, r)
        elif r.status == FAILED:
            why = _failed(ctx, call, j, p, r)
        else:
            continue
        if why:
            out.append(_finding(ctx, st, call, p, r, why))
    return out


def _resource(ctx: FunctionContext, st: State, call: Call, j: int, p: str,
              part: str) -> Res | None:
    """What the path holds of ``p`` that ``call`` releases: the object, or the part of it
    that a callee's summary says it releases (``foo_free_msi(pdev)`` does
    ``pci_free_irq_vectors(pdev)``: the interrupt vectors of pdev)."""
    res = st.resources.res
    r = res.get(resource_key(p, part))
    if r is not None and r.popped is not None and call.callee in r.popped.releases and \
            call.callee not in r.releases:
        return r.popped  # the step stacked on it, undone or failed already
    if r is not None or part:
        return r
    s = ctx.summary(call.callee)
    parts = sorted(s.releases_parts.get(j, ())) if s is not None else []
    return next((res[k] for k in (resource_key(p, q) for q in parts) if k in res), None)


def _released(ctx: FunctionContext, st: State, call: Call) -> list[tuple[int, str]]:
    """(argument index, object) of what ``call`` releases."""
    out: dict[str, int] = {}
    part = released_part(ctx.kb, call, st.values.known)
    for j in ctx.released_args(call):
        if release_skipped(ctx, st, call, j):
            continue  # the callee releases it only under a test this path decided no
        p = object_path(path_of(call.args[j]))
        if p is not None:  # through whichever name holds it (an alias)
            out.setdefault(held_name(ctx, st.resources, p, part), j)
    paired = {p for p, s in ctx.release_sites  # the release of an acquisition made here
              if s.line == call.loc.line and s.callee == call.callee}
    for j, a in enumerate(call.args):
        if release_skipped(ctx, st, call, j):
            continue
        p = object_path(path_of(a))
        p = held_name(ctx, st.resources, p, part) if p is not None else None
        r = st.resources.res.get(resource_key(p, part)) if p is not None else None
        if p is not None and (p in paired or (r is not None and call.callee in r.releases)):
            out.setdefault(p, j)
    return sorted((j, p) for p, j in out.items())


def _counts_none(ctx: FunctionContext, st: State, call: Call) -> bool:
    """Is ``call`` a counted release (the knowledge's ``count``) given a count this path
    knows is 0: a constant, or a value a test found 0 (``if (nents) { mapped =
    dma_map_sg(dev, sg, nents, dir); ... }``, then ``dma_unmap_sg(dev, sg, nents,
    dir)`` on the path that skipped the map)? It releases nothing."""
    rel = ctx.kb.release(call.callee)
    if rel is None or rel.count is None or rel.count >= len(call.args):
        return False
    n = call.args[rel.count]
    if known_value(n, st.values.known) == 0:
        return True
    p = path_of(n)
    return p is not None and st.values.signs.get(p) == ZERO


def _safe_unacquired(ctx: FunctionContext, callee: str, j: int) -> bool:
    """Is ``callee`` a no-op on an object whose acquisition never happened or failed
    (the knowledge's ``safe_unacquired``: it tests the object's own state first)?"""
    rel = ctx.kb.release(callee)
    return rel is not None and rel.arg == j and rel.safe_unacquired


def _repeat_harmless(ctx: FunctionContext, call: Call, j: int, r: Res, part: str) -> bool:
    """Is ``call`` a no-op on what an earlier release already undid: it tests the
    object's own state first (``safe_unacquired``: ``pci_free_irq_vectors()`` returns
    when neither MSI nor MSI-X is enabled any more), and the first release left the
    object itself in place (it released a part of it, or keeps it: ``keeps_object``),
    so that state is still there to be read?"""
    if not _safe_unacquired(ctx, call.callee, j):
        return False
    first = ctx.kb.release(r.by) if r.by else None
    return bool(part) or (first is not None and first.keeps_object)


def _null_ok(ctx: FunctionContext, callee: str, j: int) -> bool:
    rel = ctx.kb.release(callee)
    if rel is not None and rel.arg == j:
        return rel.null_ok
    s = ctx.summary(callee)
    return s is not None and j in s.null_ok


def _err_ok(ctx: FunctionContext, callee: str, j: int) -> bool:
    """Does ``callee`` do nothing when argument ``j`` is an ``ERR_PTR()``: the knowledge
    says so (``debugfs_remove()``), or its body returns at once on ``IS_ERR_OR_NULL()``
    of it (the summary's ``err_ok``)?"""
    rel = ctx.kb.release(callee)
    if rel is not None and rel.arg == j:
        return rel.err_ok
    s = ctx.summary(callee)
    return s is not None and j in s.err_ok


def _never_acquired(ctx: FunctionContext, st: State, call: Call, j: int, p: str) -> str:
    """A release reached on a path that skipped the acquisition (a goto too far up)."""
    if not st.failures or failure_rejoins(ctx, st.failures[-1]) or not error_path(ctx, st):
        return ""  # not an error path (a void function that tested a predicate)
    if root_of(p) in st.values.elsewhere:
        return ""  # an element of an array an earlier iteration set up (cursors.py)
    if list_element(st.resolve, ctx.list_entries, ctx.list_cursors, root_of(p)):
        return ""  # a list walk's cursor: an element linked there, acquired when linked
    if root_of(p) in st.resources.taken:
        return ""  # ep = qhp->ep; qhp->ep = NULL; put(&ep->com): the field's reference
    sites = ctx.acquisitions.get(p)
    here = [s.block for q, s in ctx.release_sites if q == p and s.line == call.loc.line]
    if not sites or not here:
        return ""
    sites = [s for s in sites if here[0] in ctx.reachable(s.block)]
    if not sites:
        return ""  # not the unwind of any acquisition (released before it is acquired)
    sites = [s for s in sites if _undoes(ctx, call.callee, s.callee)]
    if not sites:
        return ""  # free_netdev() undoes alloc_netdev(), not register_netdevice()
    if _guarded(ctx, here[0], p):
        return ""  # if (dev->irq) free_irq(dev->irq, ...): a test the walk cannot decide
    a = ctx.kb.acquire(sites[0].callee)
    if a is not None and a.kind.is_hold:  # KU005's
        return ""
    null_ok = _null_ok(ctx, call.callee, j)
    by_arg = a is not None and a.object != "ret"  # a state (an irq, an enable), not a pointer
    value = _value(ctx, st, p)
    acquired = (f"it is acquired only by {ctx.words.name(sites[0].callee, sites[0].line)}() "
                f"at line {sites[0].line}")
    if value == "null":
        return "" if null_ok else f"{acquired}, which this path skipped: it is NULL here"
    if value == "uninit":
        return f"{acquired}, which this path skipped: it is not initialised here"
    if by_arg and value == "unknown" and not null_ok and \
            not _safe_unacquired(ctx, call.callee, j):
        return f"{acquired}, which this path skipped"
    return ""


def _undoes(ctx: FunctionContext, release: str, acquire: str) -> bool:
    """Can ``release`` be the undo of ``acquire``: the knowledge lists it among the
    acquire's releases, or does not know one of them (a same-file helper that frees
    what it is given, the result of a helper)? A release the knowledge pairs with
    another acquisition of the same object (``free_netdev()`` of the device that
    ``register_netdevice()`` registers, ``pci_release_regions()`` of the device that
    ``pci_enable_device()`` enables) says nothing of this one."""
    a = ctx.kb.acquire(acquire)
    if a is None or ctx.kb.release(release) is None:
        return True
    return release in a.release or canonical(release) in a.release


def _guarded(ctx: FunctionContext, block: int, p: str) -> bool:
    """Is ``block`` reached only through a test that reads ``p``, or a flag of the
    object that holds it (``if (vsi->netdev_registered) unregister_netdev(vsi->netdev)``)?"""
    preds = [b for b in ctx.fn.blocks if block in b.targets()]
    pattern = re.compile(rf"(?<!\w){re.escape(p)}(?!\w)")
    holder = p.rsplit("->", 1)[0] if "->" in p else None
    flag = re.compile(rf"(?<!\w){re.escape(holder)}->\w+(?![\w\[(])") if holder else None

    def tests(b) -> bool:
        text = render(b.cond)
        return bool(pattern.search(text) or (
            flag is not None and flag.search(text) and not calls_in(b.cond)))

    return bool(preds) and all(b.cond is not None and tests(b) for b in preds)


def _value(ctx: FunctionContext, st: State, p: str) -> str:
    """What ``p`` holds on this path when nothing acquired it: null | uninit | unknown | other."""
    if "->" not in p and "." not in p:
        if p in {x.name for x in ctx.fn.params}:
            return "unknown"
        v = st.resolve(p)
        if isinstance(v, Const) and v.value == 0:
            return "null"
        if v is None or v is UNINITIALISED:
            if any(p in c.objects for c in st.calls) or p not in ctx.declared_locals:
                return "unknown"  # written through its address, perhaps; or a global
            return "uninit"
        return "other"
    f = st.fact(p)
    if f is None or f.status == "unknown":
        return "unknown"
    if f.status in ("null", "uninit"):
        return f.status
    return "other"


def _released_before(ctx: FunctionContext, st: State, call: Call, p: str, r: Res) -> str:
    """Released again: the first release is sure (knowledge, or a callee that always
    releases it, or one that releases it when it fails and failed on this path)."""
    if not r.acquire:
        return ""  # acquired elsewhere: a second put may match a second get
    if not r.sure:
        return ""  # the first release perhaps freed it, not surely (Res.sure)
    first = r.by
    where = f"{ctx.words.text(r.event, r.event_line)} at line {r.event_line} already released it"
    if ctx.kb.release(first) is not None:
        return where  # a release the knowledge vouches for (not only an undo: device_del)
    s = ctx.summary(first)
    if s is None:
        return ""
    k = _arg_index(ctx, first, r.event_line, p)
    if k is None:
        return ""
    if k in s.releases_always:
        return where
    if k in s.releases_on_error and any(
            f.callee == first and f.line >= r.event_line for f in st.failures):
        return (f"{ctx.words.name(first, r.event_line)}() at line {r.event_line} already "
                f"released it on its own error "
                f"path, and this path is taken because it failed")
    return ""


def _arg_index(ctx: FunctionContext, callee: str, line: int, p: str) -> int | None:
    for b in ctx.fn.blocks:
        for s in b.stmts:
            if s.loc.line != line:
                continue
            for e in stmt_exprs(s):
                for c in calls_in(e):
                    if c.callee == callee:
                        for k, a in enumerate(c.args):
                            if object_path(path_of(a)) == p:
                                return k
    return None


def _failed(ctx: FunctionContext, call: Call, j: int, p: str, r: Res) -> str:
    """Released after its acquisition failed: nothing to release."""
    failed = f"{ctx.words.name(r.acquire, r.line)}() at line {r.line} failed"
    if r.cause is Cause.NULL_TESTED and r.fails not in ("null", "errptr") and \
            _null_ok(ctx, call.callee, j):
        return ""  # a test found the object itself NULL: put_device(NULL) does nothing
    if r.fails == "errptr" and _err_ok(ctx, call.callee, j):
        return ""  # debugfs_remove(): IS_ERR_OR_NULL() is a no-op
    if r.fails == "errptr" and r.cause is not Cause.NULL_TESTED:
        return f"{failed}, so it holds an ERR_PTR() here"
    if r.fails in ("null", "errptr"):
        return "" if _null_ok(ctx, call.callee, j) else f"{failed}, so it is NULL here"
    if _safe_unacquired(ctx, call.callee, j):
        return ""  # pci_disable_msi() after a failed pci_enable_msi(): a no-op
    return f"{failed} (checked at line {r.event_line}), so there is nothing to release"


def _finding(ctx: FunctionContext, st: State, call: Call, p: str, r: Res | None,
             why: str) -> Finding:
    words = ctx.words
    msg = (f"{words.call(call)} in {words.function}() releases '{p}' on an error path "
           f"where {why}")
    steps = [*st.rendered_path(words), PathStep(call.loc.line, call.loc.col,
                                                f"{words.name(call.callee, call.loc.line)}() "
                                                f"releases '{p}'")]
    if r is not None and r.acquire:
        steps.insert(0, PathStep(r.line, 0,
                                 f"'{p}' acquired by {words.name(r.acquire, r.line)}()"))
    if r is not None and r.status == RELEASED:
        steps.insert(1, PathStep(r.event_line, 0,
                                 f"first release: {words.text(r.event, r.event_line)}"))
    acquired = r.acquire if r is not None and r.acquire else ""
    if not acquired and ctx.acquisitions.get(p):
        acquired = ctx.acquisitions[p][0].callee
    evidence = acquire_evidence(ctx, acquired) if acquired else API_FACT
    return RULE.finding(ctx, call.loc.line, call.loc.col, msg, steps,
                        f"{call.callee}({p})", evidence)


RULE_ID, RULE_NAME = "KU003", "unwind-over-release"
RULE = Rule(id=RULE_ID, name=RULE_NAME, doc=__doc__,
            measured=Measured(6, 10, SAMPLE),
            recall=(Recall("double-release", 108, 140),),
            on_call=on_call)
