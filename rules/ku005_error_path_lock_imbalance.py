"""An error path leaves a lock or a runtime-PM reference unbalanced.

What it finds:
    Locks (mutexes, spinlocks, rw-semaphores, page and folio locks...) and
    runtime-PM usage counts taken in this function, on a path that ends at
    an error exit, that are
    - still held at the error exit, while another exit of the function drops
      the same lock (the usual bug: ``goto out`` where ``goto out_unlock`` was
      meant, or a bare ``return -EINVAL;`` between lock and unlock). The other
      exit may drop another acquisition of it: a short lock/unlock pair on the
      error branch that lost its unlock, or a lock the other paths take again
      later (``spin_lock(&l); if (busy) return -EBUSY; ...; spin_unlock(&l);
      ... spin_lock(&l); ...; spin_unlock(&l); return 0;``);
    - still held at an exit that returns no error code (an ``irqreturn_t``, a
      status of the function's own, a call's result), after a failure the path
      left by (``if (err) { dev_err(...); goto done; }`` in an interrupt
      thread), where the paths after the same acquisition on which nothing
      failed all drop it and some path does: a function that returns holding
      the lock on purpose holds it where nothing failed too. Locks only: a
      runtime-PM count kept where no error is returned may be the one a flag
      records (``adev->have_disp_power_ref = true; return ret;``);
    - still held at any exit, an error or not, when its acquire saved the
      interrupt state in a local (``spin_lock_irqsave(&q->lock, flags)``) that
      the function neither returns nor stores, and another exit drops it: no
      caller can restore that state, so the function must drop the lock on
      every path (``if (full) return 1;`` before the unlock);
    - still held after ``pm_runtime_get_sync()`` failed: it takes the usage
      count even when it fails, so its error path must drop it
      (``pm_runtime_put_noidle()``), whatever the success path does;
    - dropped when not taken: after ``mutex_lock_interruptible()``, a
      trylock or ``pm_runtime_resume_and_get()`` failed, or after a ``goto``
      that skipped the acquisition (a function that drops the lock before it
      ever takes it is called holding it, and is not reported);
    - dropped twice on the same path.
    The global locks that a call names by itself (``rtnl_lock()``,
    ``rcu_read_lock()``) count like any other (kunwind/analysis/global_locks.py).
    A part of a device that the knowledge names is a count of its own: the
    runtime-PM enable count (``pm_runtime_enable()``/``pm_runtime_disable()``)
    is not the usage count, and each release moves only its own.
    KU005 owns the kinds "lock" and "pm": KU002 and KU003 leave them alone,
    so one bug gives one finding. Other references (``get_device()``,
    ``kref``, ``of_node_get()``) are leaks and double releases: KU002/KU003.

Why it matters:
    A lock held on return deadlocks the next caller; an unlock of a lock not
    held corrupts it (and lockdep splats only if that error path runs under
    a debug kernel). A runtime-PM usage count left raised keeps the device
    powered forever; one dropped too often lets it suspend while in use.

Bad:
    mutex_lock(&priv->lock);
    if (!priv->enabled)
            return -ENODEV;                /* priv->lock still held */
    ret = foo_hw_write(priv, val);
    mutex_unlock(&priv->lock);
    return ret;

Good:
    mutex_lock(&priv->lock);
    if (!priv->enabled) {
            ret = -ENODEV;
            goto out_unlock;
    }
    ret = foo_hw_write(priv, val);
    out_unlock:
    mutex_unlock(&priv->lock);
    return ret;

Not reported:
    A count or lock held at an error exit of a function whose failure nobody
    sees, when its other half drops it unconditionally (``analysis/pairs.py``):
    a DRM bridge's void ``.enable`` whose ``pm_runtime_get_sync()`` failed keeps
    the count, since the bridge chain calls ``.disable`` all the same and
    ``.disable`` always calls ``pm_runtime_put()``; a put_noidle() there would
    drop it twice. The function's failure is unseen when it returns void, when
    every same-file call drops its result, or when it fills a member the
    knowledge's ``[ignored_return]`` lists (a system-sleep ``.resume``); its other
    half is a function filled in the same initializer, or one a caller of it also
    calls on the same arguments, that drops the count on every path to its last
    return and never takes it itself (a ``.suspend`` that takes and drops a count
    of its own releases nothing of the resume's). A function that drops it itself
    on another path keeps its report.
    A trylock whose success the code asserts (``WARN_ON(!mutex_trylock(&t->a));``,
    the WARN macro's warning edge flowing back into the code that follows) is
    held after it: the edge where it failed only warns. ``if (WARN_ON(...))
    goto out;`` is a failure test like any other.
    A PM usage count is a counter: a put made only under a test of a state its
    object records and this function never writes (``if
    (cable_present(twl->linkstat)) pm_runtime_put_noidle(twl->dev);``) drops
    the count that another path took with that state (a connect interrupt),
    and the put after it is not a second drop of the function's own. So is a put
    made once per item a loop takes from a queue of the same object, only where an
    item came, the loop ending when the queue is empty (``urb =
    usb_get_from_anchor(&acm->delayed); if (!urb) break; ...
    usb_autopm_put_interface_async(acm->control);``): each parked urb carries the
    count its writer took.
    An unwind over a list that starts at the neighbour of the element whose
    acquisition failed (``list_for_each_entry_continue_reverse()``, or ``pos =
    list_prev_entry(pos, ...)`` before ``list_for_each_entry_from_reverse()``)
    releases only the elements before it: a list neighbour is another object
    (analysis/cursors.py), so its fields are not the failed element's; nor is a
    lock of the neighbour one that the path "jumped past" when the loop broke
    before its own trylock (a failed ownership check): earlier iterations took it.
    A same-file function (a release callback that a put runs) that takes a global
    lock itself before each of its drops of it (``mutex_lock(&foo_mutex); kfree(foo_mgr);
    mutex_unlock(&foo_mutex);``) drops its own acquisition: a caller holding
    ``foo_mutex`` still holds it after the call (``summaries._own_global_locks``).
    A loop that counts each success of its acquisition (``ret =
    pm_runtime_resume_and_get(dev); if (ret) goto out_put; nr_held++;``) and an
    unwind bounded by that count (``for (i = 0; i < nr_held; i++)
    pm_runtime_put(dev);``): where the count is above 0, earlier iterations hold
    that many, whatever the last attempt did (``FunctionContext.success_counters``);
    where it is 0 the unwind puts nothing, and a put after it is still reported.
    A repeated test of one bit of a flags word (``if (flags & FOO_PM_RUNTIME)``
    before the get and again at the shared exit) keeps its outcome across a store
    that sets or clears other bits only (``flags |= FOO_MANAGED``); a store that
    touches the tested bit, or any other read of the flags in the test, forgets it.

Known false positives:
    A lock taken and dropped under two conditions the walk cannot correlate
    (``if (flags & LOCKED) mutex_lock(...)`` ... ``if (flags & LOCKED)
    mutex_unlock(...)`` with ``flags`` stored in between) can give a path that
    holds it at one exit and not at another; a flag the function sets next to
    the lock and clears next to the unlock (``tr->removing = true;
    mutex_lock(&m);``) is correlated as the lock's record, and so is a test
    of the same text, a call's too, that leads straight to the lock and to the
    unlock (``if (refcount_read(&info->count)) mutex_lock(&info->lock);``,
    FunctionContext.hold_guards). A lock or PM count taken through one name and dropped
    through another is one resource: a local copy (``l = lock``), a local
    that points at an embedded member (``dev = &pdev->dev``, then
    ``pm_runtime_put_sync(&pdev->dev)``). Locks taken in a same-file helper
    (``foo_lock(priv)``) are not seen; ``guard()`` and ``scoped_guard()``
    release themselves and are never reported. A lock handed to a callee
    that may drop it (a same-file helper that unlocks it, a lock pointer
    passed on) is given the benefit of the doubt (not a helper that takes it
    again after each of its unlocks, on every way to its returns: it sleeps
    without the caller's lock and returns holding it,
    ``summaries._locks_retaken_after_drops``), and so is a same-file helper
    that drops it through a member of its argument named like the member the
    function read its own pointer from (the helper puts ``slot->zmux->dev``, the
    function holds ``zmux->dev`` with ``zmux = ndev->zmux``; a lock embedded in
    a member, ``up(&priv->scan.lock)`` with ``priv = hw->priv``, the same way):
    the walk cannot tell the two apart. The ``&locked`` protocol of GUP (a callee given the
    flag, or the ``int *locked`` the function was given, drops the lock and
    clears the flag; the function unlocks only ``if (locked)`` or ``if
    (*locked)``) is read from that guarded unlock; another hand-over the walk
    does not see is reported.

    Measured (bench/triage/): on mm/, drivers/net/ethernet/intel/ and
    sound/soc/codecs/ of Linux 6.12, 5 reports, 5 true (100%).
    That is where the check was tuned.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kunwind.analysis.conditions import condition_key, null_test
from kunwind.analysis.error_paths import (
    decided_elsewhere,
    error_path,
    failure_rejoins,
    surely_released,
    void_failure,
)
from kunwind.analysis.events import ExitKind, exit_path_step, failure_index, jumps, render_steps
from kunwind.analysis.pairs import left_to_sibling
from kunwind.analysis.quiet import may_fail
from kunwind.analysis.resources import (
    FAILED,
    HELD,
    RELEASED,
    held_name,
    key_object,
    object_path,
    released_part,
    resource_key,
)
from kunwind.findings import SIBLING_EXITS, Finding, PathStep
from kunwind.knowledge.names import LOCKISH
from kunwind.model.ir import (
    Call,
    Member,
    Return,
    Store,
    Var,
    calls_in,
    path_of,
    render,
    root_of,
    stmt_exprs,
    subexprs,
)

from .base import SAMPLE, Measured, Recall, Rule, acquire_evidence

if TYPE_CHECKING:
    from kunwind.analysis.context import FunctionContext
    from kunwind.analysis.events import Failure
    from kunwind.analysis.resources import Res
    from kunwind.analysis.state import CallRec, State
    from kunwind.analysis.walk import ExitRecord, WalkResult



def on_call(ctx: FunctionContext, st: State, call: Call) -> list[Finding]:
    """At an unlock or put (a candidate until its path reaches an error exit)."""
    if st.failures and not error_path(ctx, st):
        return []
    out: list[Finding] = []
    part = released_part(ctx.kb, call, st.values.known)
    for p in _dropped(ctx, st, call):
        r = st.resources.res.get(resource_key(p, part))
        if r is not None and r.kind.is_hold and r.acquire:
            if r.status == FAILED and not (r.kind == "lock" and _local(ctx, p)
                                           and _passed_on(st.calls, p, r)):
                why = (f"{ctx.words.name(r.acquire, r.line)}() at line {r.line} failed on "
                       f"this path (line "
                       f"{r.event_line}), so there is nothing to drop")
            elif r.status == RELEASED and surely_released(ctx, r):
                if r.kind == "pm" and (_put_for_state(ctx, p, r) or _put_per_item(ctx, p, call)):
                    continue  # if (cable_present(twl->linkstat)) put_noidle: another's count
                why = (f"{ctx.words.text(r.event, r.event_line)} at line {r.event_line} "
                       "already dropped it")
            else:
                continue
        elif r is None and not _local(ctx, p) and _pairs_with_acquisition(ctx, call, p) \
                and not _taken_by_callee(ctx, st, p) \
                and root_of(p) not in st.values.elsewhere:  # a cursor stepped to a list
            # neighbour (m = list_prev_entry(m, node)) names another element's lock,
            # which an earlier iteration took
            sites = ctx.acquisitions[p]
            why = (f"this path never took it: the only "
                   f"{ctx.words.name(sites[0].callee, sites[0].line)}() is at line "
                   f"{sites[0].line}, and the path jumped past it")
        else:
            continue
        msg = (f"{ctx.words.name(call.callee, call.loc.line)}() drops '{p}' in "
               f"{ctx.words.function}() on an error path, but {why}")
        acquired = r.acquire if r is not None and r.acquire else ctx.acquisitions[p][0].callee
        out.append(RULE.finding(ctx, call.loc.line, call.loc.col, msg,
                                st.rendered_path(ctx.words),
                                f"drop|{call.callee}({p})", acquire_evidence(ctx, acquired)))
    return out


def _taken_by_callee(ctx: FunctionContext, st: State, p: str) -> bool:
    """Did a same-file callee on this path take the lock ``p`` and return holding it
    (its summary's ``takes_locks``: ``add_entry(fs_info, ...)`` locks
    ``fs_info->lock`` and returns the entry it inserted under it)? Then the path
    took it, through that call."""
    root = root_of(p)
    rest = p[len(root):].lstrip("-.>")
    for c in st.calls:
        s = ctx.summary(c.callee)
        if s is not None and any(f == "" and p in c.objects or
                                 f and f == rest and root in c.objects
                                 for _, f in s.takes_locks):
            return True
    return False


def _dropped(ctx: FunctionContext, st: State, call: Call) -> list[str]:
    """The locks and PM counts this call drops (by its pairing in the knowledge)."""
    out: list[str] = []
    part = released_part(ctx.kb, call, st.values.known)
    for a in call.args:
        p = object_path(path_of(a))
        p = held_name(ctx, st.resources, p, part) if p is not None else None
        if p is None or p in out:
            continue
        r = st.resources.res.get(resource_key(p, part))
        if r is not None and r.kind.is_hold and call.callee in r.releases:
            out.append(p)
        elif r is None and ctx.kb.released_kind(call.callee).is_hold:
            out.append(p)
    return out


def _put_for_state(ctx: FunctionContext, p: str, r: Res) -> bool:
    """Was the earlier drop of the PM count ``p`` made only under a test of a state
    its object records, which this function never writes (``if
    (cable_present(twl->linkstat)) pm_runtime_put_noidle(twl->dev);``)? Then it drops
    a count that another path took when that state came about (the cable-connect
    interrupt's get), not the one this function took: a usage count is a counter,
    each put drops one, and the put after it drops this function's own."""
    root = root_of(p)
    drops = {s.block for q, s in ctx.release_sites if q == p and s.line == r.event_line}
    written = {path_of(st.target) for b in ctx.fn.blocks for st in b.stmts
               if isinstance(st, Store)}
    for b in ctx.fn.blocks:
        if b.cond is None or not any(e.kind in ("true", "false") and e.dst in drops
                                     for e in b.succs):
            continue
        if any(ctx.kb.acquire(c.callee) is not None for c in calls_in(b.cond)):
            continue  # a test of the get's own result
        state = {q for x in subexprs(b.cond) if (q := path_of(x)) is not None
                 and q.startswith(f"{root}->") and q != p}
        if state and not state & written:
            return True
    return False


def _put_per_item(ctx: FunctionContext, p: str, call: Call) -> bool:
    """Is this drop of the PM count ``p`` made once per item that a loop takes from a
    queue of the same object, reached only where the item taken is not NULL (``for
    (;;) { urb = usb_get_from_anchor(&acm->delayed); if (!urb) break; ...
    usb_autopm_put_interface_async(acm->control); }``), the loop leaving when the
    queue is empty? Each queued item carries the count that whoever queued it took
    (the write path's usb_autopm_get_interface_async() for each parked urb): the
    drain drops those, not this function's own count."""
    root = root_of(p)
    here = {s.block for q, s in ctx.release_sites if q == p and s.line == call.loc.line}
    loop = ctx.looping
    if not here or not here <= loop:
        return False
    for b in ctx.fn.blocks:
        nt = null_test(b.cond) if b.cond is not None and b.id in loop else None
        if nt is None:
            continue
        item, true_when_null = nt
        if not any(isinstance(s, Store) and path_of(s.target) == item and
                   isinstance(s.value, Call) and
                   any((q := path_of(a)) is not None and q.lstrip("&") != p and
                       root_of(q.lstrip("&")) == root for a in s.value.args)
                   for x in ctx.fn.blocks if x.id in loop for s in x.stmts):
            continue  # not an item taken from a queue of p's object
        null_kind, item_kind = ("true", "false") if true_when_null else ("false", "true")
        if any(e.kind == null_kind and e.dst in loop for e in b.succs):
            continue  # an empty queue does not end the loop
        for e in b.succs:  # every path to the drop passes the edge where an item came
            if e.kind == item_kind and here <= ctx.fn.reachable_from(e.dst) and \
                    not here & ctx.fn.reachable_from(ctx.fn.entry, avoid=e.dst):
                return True
    return False


def _passed_on(calls: tuple[CallRec, ...], p: str, r: Res, lockish: bool = False,
               pointers: frozenset[str] = frozenset()) -> bool:
    """After its acquisition on this path, was the object handed to another call?

    A callee given the object may take or drop it (``__folio_lock_async(folio)``,
    a helper that unlocks and relocks ``&resv->lock``). With ``lockish``, only a
    lock passed on by itself counts (``ptl``, ``&dev->lock``; not ``mm``), or a
    locked object given to a function pointer (``filler(file, folio)``, which
    ``->read_folio`` contracts to unlock): ``pointers`` names the function's
    locals and parameters, through which such calls go.
    """
    start = 0
    for i, c in enumerate(calls):
        if c.callee == r.acquire and c.line == r.line:
            start = i + 1
    for c in calls[start:]:
        if p not in c.objects or c.callee in r.releases or c.callee == r.acquire:
            continue
        if not lockish or LOCKISH.search(p.rsplit("->", 1)[-1].rsplit(".", 1)[-1]):
            return True
        if c.callee in pointers or "->" in c.callee or "." in c.callee:
            return True
    return False


def _unlock_reported_back(ctx: FunctionContext, ex: ExitRecord, p: str, r: Res) -> bool:
    """The ``&locked`` protocol of GUP: a callee given the address of a flag clears
    it when it drops the lock, and the function unlocks only ``if (locked)``; or
    given the flag's pointer the function was itself given (``int *locked``), and
    the function unlocks only ``if (*locked)``. The walk does not see into the
    callee; the guarded unlock says who drops it."""
    flags = {o for c in ex.calls if c.line >= r.line and c.callee not in r.releases
             for o in c.objects if "->" not in o and "." not in o}
    if not flags:
        return False
    tests = {(f, False) for f in flags} | {("*" + f, False) for f in flags}
    unlocks = {s.block for q, s in ctx.release_sites if q == p}
    for b in ctx.fn.blocks:
        if b.cond is None or condition_key(b.cond) not in tests:
            continue
        then = next((e.dst for e in b.succs if e.kind == "true"), None)
        if then is not None and then in unlocks:
            return True
    return False


def _retaken(ctx: FunctionContext, ex: ExitRecord, p: str, r: Res) -> bool:
    """Did the path drop ``p`` before it took it (``release_sock(sk); ... wait ...;
    lock_sock(sk);`` in a wait loop)? The function was called holding it, let it go
    to sleep and took it back: holding it at the exit is what the caller expects.
    Only the first event on ``p`` decides: a path that took the lock itself first
    and then dropped and retook it holds its own lock."""
    for c in ex.calls:
        if p not in c.objects and not (c.callee == r.acquire and c.line == r.line):
            continue
        if c.callee in r.releases:
            return True
        a = ctx.kb.acquire(c.callee)
        if (c.callee == r.acquire and c.line == r.line) or (
                a is not None and a.kind.is_hold and set(a.release) & set(r.releases)):
            return False
    return False


def _dropped_by_callee(ctx: FunctionContext, ex: ExitRecord, p: str, r: Res) -> bool:
    """A same-file callee that drops this lock on some path got it after the acquisition.

    Or it drops the one of the object a member ``m`` of its argument points at
    (``bam_dmux_tx_done(skb_dma)`` puts ``skb_dma->dmux->dev``) while the function
    holds ``dmux->dev`` of a local read from a member of that name (``dmux =
    bndev->dmux``): the objects of a driver point back at its one device through
    such members, and the walk cannot tell that both are the same; the benefit of
    the doubt, as for a lock handed on."""
    root = root_of(p)
    rest = p[len(root):].lstrip("-.>")
    member = _read_from_member(ctx, root) if rest else None
    start = 0
    for i, c in enumerate(ex.calls):
        if c.callee == r.acquire and c.line == r.line:
            start = i + 1
    for c in ex.calls[start:]:
        s = ctx.summary(c.callee)
        if s is None or not s.drops_locks:
            continue
        for _, f in s.drops_locks:
            if (f == "" and p in c.objects) or (f and _within(rest, f) and root in c.objects):
                return True
            if member is not None and f == f"{member}->{rest}" and c.objects:
                return True
    return False


def _within(path: str, field: str) -> bool:
    """Is the lock at ``path`` (below the object) the summary's ``field``, or inside the
    struct embedded there (``v.i_lock`` in ``v``: a summary names the field of its
    parameter that it reaches, not what is embedded in it)?"""
    return path == field or path.startswith(field + ".")


def _read_from_member(ctx: FunctionContext, name: str) -> str | None:
    """The member ``m`` that the local ``name``'s only assignment reads (``dmux =
    bndev->dmux``: "dmux"), else None."""
    values = [v for v in ctx.local_values.get(name, ()) if v is not None]
    if len(values) != 1 or not isinstance(values[0], Member) or not values[0].arrow:
        return None
    return values[0].name


def _local(ctx: FunctionContext, p: str) -> bool:
    """A pointer local or parameter (``folio``, ``mm``): a callee may have locked it."""
    return "->" not in p and "." not in p and p in ctx.variables


def _pairs_with_acquisition(ctx: FunctionContext, call: Call, p: str) -> bool:
    """The function takes ``p`` itself, and this drop is the unwind of that acquisition."""
    sites = [s for s in ctx.acquisitions.get(p, ())
             if (a := ctx.kb.acquire(s.callee)) is not None and a.kind.is_hold
             and call.callee in a.release]
    if not sites:
        return False
    drops = [s for q, s in ctx.release_sites if q == p]
    here = [s.block for s in drops if s.line == call.loc.line]
    if not here:
        return False
    if min(s.line for s in drops) < min(s.line for s in sites):
        return False  # it drops the lock before it ever takes it: it is called holding it
    if any(not any(d.block in ctx.reachable(s.block) for s in sites) for d in drops):
        # a drop that no acquisition here leads to: on that path the function is called
        # holding it (the stop side of s_stream(enable): the start side took it)
        return False
    return any(here[0] in ctx.reachable(s.block) if s.block != here[0]
               else s.line < call.loc.line for s in sites)


def on_function(ctx: FunctionContext, walk: WalkResult) -> list[Finding]:
    """Error exits that still hold what the other exits drop."""
    dropped: dict[tuple[str, int], ExitRecord] = {}
    dropped_object: dict[str, ExitRecord] = {}  # whichever acquisition it dropped
    for ex in walk.exits + walk.returns:
        for p, r in ex.res:
            if r.kind.is_hold and r.status == RELEASED and r.acquire:
                dropped.setdefault((p, r.line), ex)
                dropped_object.setdefault(p, ex)
    out: dict[tuple[int, int], Finding] = {}
    for ex in walk.exits:
        for key, r in ex.res:
            if not r.kind.is_hold or r.status != HELD or not r.acquire:
                continue
            p = key_object(key)
            weak = ex.exit.kind is ExitKind.AFTER_FAILURE
            if weak and (ex.failure is None or not void_failure(ctx, ex.failure)
                         or failure_rejoins(ctx, ex.failure)):
                # a void function that returns after a test, not after an error, or
                # whose failure was only logged and the work went on to its usual end
                continue
            own = ex.failure is not None and ex.failure.callee == r.acquire \
                and ex.failure.line >= r.line
            if _let_go(ctx, ex, p, r):
                continue
            acquire = ctx.words.name(r.acquire, r.line)
            evidence = SIBLING_EXITS
            if r.held_on_failure and own:
                evidence = acquire_evidence(ctx, r.acquire)
                put = next((x for x in sorted(r.releases) if x.endswith("_noidle")),
                           min(r.releases, default="a put"))
                why = (f"{acquire}() takes the usage count even when it fails; this error "
                       f"path must drop it ({ctx.words.name(put)}())")
            elif (other := dropped.get((key, r.line), dropped_object.get(key))) is not None:
                why = f"other paths drop it before they return {_dropped_at(ctx, other, key)}"
            else:
                continue
            line, col = _leaving_point(ex)
            what = _what(ctx, r)
            how = "returns after a failure" if weak else "returns an error"
            msg = (f"{ctx.words.function}() {how} at line {ex.line} with {what} "
                   f"{_name(ctx, p, r)} still held ({acquire}() at line {r.line}): {why}")
            steps = [PathStep(r.line, 0, f"'{p}' taken here: {acquire}()"),
                     *render_steps(ex.events, ctx.words), exit_path_step(ex.exit)]
            out.setdefault((line, col), RULE.finding(ctx, line, col, msg, steps,
                                                     f"held|{r.acquire}({p})", evidence,
                                                     ex.line))
    for ex in walk.returns:  # exits that return no error: only a lock no caller can drop
        for key, r in ex.res:
            other = dropped_object.get(key)
            if r.kind != "lock" or r.status != HELD or not r.acquire or other is None or \
                    not _saved_locally(ctx, key, r) or _let_go(ctx, ex, key, r):
                continue
            acquire = ctx.words.name(r.acquire, r.line)
            msg = (f"{ctx.words.function}() returns at line {ex.line} with the lock "
                   f"{_name(ctx, key, r)} still held ({acquire}() at line {r.line}): the "
                   f"interrupt state saved in the local '{key}' goes with the return, so no "
                   f"caller can restore it; other paths drop it before they return "
                   f"{_dropped_at(ctx, other, key)}")
            out.setdefault((ex.line, ex.col), _at_plain_exit(ctx, ex, key, r, msg,
                                                             "the lock is still held"))
    for ex, key, r, other in _held_after_failure(ctx, walk, dropped):
        p = key_object(key)
        if ex.failure is None or _let_go(ctx, ex, p, r):
            continue
        acquire = ctx.words.name(r.acquire, r.line)
        msg = (f"{ctx.words.function}() returns at line {ex.line} after "
               f"{ex.failure.what_in(ctx.words)} (line {ex.failure.line}) with "
               f"{_what(ctx, r)} {_name(ctx, p, r)} still held ({acquire}() at line "
               f"{r.line}): the paths after it where nothing failed drop it before they return "
               f"{_dropped_at(ctx, other, key)}")
        out.setdefault(_leaving_point(ex), _at_plain_exit(ctx, ex, p, r, msg,
                                                          "returns no error code",
                                                          _leaving_point(ex)))
    return list(out.values())


def _dropped_at(ctx: FunctionContext, other: ExitRecord, key: str) -> str:
    """Where the exit ``other`` drops ``key``: ``(mutex_unlock(&l) at line 9, then the
    exit at line 10)``."""
    rel = dict(other.res)[key]
    return (f"({ctx.words.text(rel.event, rel.event_line)} at line {rel.event_line}, "
            f"then the exit at line {other.line})")


def _at_plain_exit(ctx: FunctionContext, ex: ExitRecord, p: str, r: Res, msg: str,
                   end: str, where: tuple[int, int] | None = None) -> Finding:
    """A finding at an exit that returns no error code, with its path."""
    acquire = ctx.words.name(r.acquire, r.line)
    line, col = where if where is not None else (ex.line, ex.col)
    steps = [PathStep(r.line, 0, f"'{p}' taken here: {acquire}()"),
             *render_steps(ex.events, ctx.words), PathStep(ex.line, ex.col, f"exit: {end}")]
    return RULE.finding(ctx, line, col, msg, steps, f"held|{r.acquire}({p})", SIBLING_EXITS,
                        ex.line)


def _let_go(ctx: FunctionContext, ex: ExitRecord, p: str, r: Res) -> bool:
    """Is the lock ``p`` held at this exit the caller's to drop, or maybe dropped?"""
    if _passed_on(ex.calls, p, r, True, ctx.variables) or \
            _dropped_by_callee(ctx, ex, p, r) or _unlock_reported_back(ctx, ex, p, r):
        return True  # handed to a callee that may drop it
    if _retaken(ctx, ex, p, r) and not _saved_locally(ctx, p, r):
        # dropped first, then taken again: the caller's lock, restored (not one whose
        # interrupt state this function saved in a local: no caller held that)
        return True
    # a failure nobody sees: the paired callback drops it all the same
    return left_to_sibling(ctx, p, r.releases) is not None


def _held_after_failure(ctx: FunctionContext, walk: WalkResult,
                        dropped: dict[tuple[str, int], ExitRecord],
                        ) -> list[tuple[ExitRecord, str, Res, ExitRecord]]:
    """The exits that return no error code (an ``irqreturn_t``, a status of the
    function's own, a call's result) and hold a lock (not a PM count) after a failure that they
    followed, where every other path after the same acquisition drops it: the
    paths where nothing failed all drop it (a function that returns holding it on
    purpose does so where nothing failed), and so does some path. Each with the
    exit that drops it."""
    def after_failure(ex: ExitRecord, r: Res) -> bool:
        f = ex.failure
        return f is not None and f.line >= r.line and not failure_rejoins(ctx, f) \
            and not decided_elsewhere(ctx, f, _leaving_block(ex, f))

    holders: dict[tuple[str, int], list[ExitRecord]] = {}
    for ex in walk.exits + walk.returns:
        for key, r in ex.res:
            if r.kind.is_hold and r.status == HELD and r.acquire:
                holders.setdefault((key, r.line), []).append(ex)
    if ctx.kb.acquire(ctx.fn.name) is not None:
        return []  # the knowledge says the function returns holding what it takes
    out: list[tuple[ExitRecord, str, Res, ExitRecord]] = []
    for ex in walk.returns:
        for key, r in ex.res:
            if r.kind != "lock" or r.status != HELD or not r.acquire or \
                    (key, r.line) not in dropped or not after_failure(ex, r) or \
                    _returned_with(ex, key_object(key)):
                continue
            if all(o.exit.kind is not ExitKind.NORMAL or after_failure(o, r)
                   for o in holders[(key, r.line)]):
                out.append((ex, key, r, dropped[(key, r.line)]))
    return out


def _saved_locally(ctx: FunctionContext, key: str, r: Res) -> bool:
    """Is the lock held under the local its acquire saved the interrupt state in
    (``flags = _raw_spin_lock_irqsave(lock)``: the knowledge keys it on the result),
    which the function neither returns nor stores anywhere? Only this function can
    restore that state, so it must drop the lock on every path, whatever it returns."""
    a = ctx.kb.acquire(r.acquire)
    if a is None or a.object != "ret" or key not in ctx.declared_locals:
        return False
    for b in ctx.fn.blocks:
        for st in b.stmts:
            value = st.value if isinstance(st, (Store, Return)) else None
            if value is None or isinstance(value, Call) and value.callee == r.acquire:
                continue
            if any(isinstance(x, Var) and x.name == key for x in subexprs(value)):
                return False  # handed on: *flagsp = flags, return flags
    return True


def _saved_state_acquires(ctx: FunctionContext) -> bool:
    """Does the function save interrupt state into a local with a lock it takes?"""
    for b in ctx.fn.blocks:
        for st in b.stmts:
            if isinstance(st, Store) and isinstance(st.target, Var) and \
                    isinstance(st.value, Call) and \
                    (a := ctx.kb.acquire(st.value.callee)) is not None and \
                    a.kind == "lock" and a.object == "ret":
                return True
    return False


def _returned_with(ex: ExitRecord, lock: str) -> bool:
    """Does the exit return the object the lock is in (``return stp;`` holding
    ``stp->st_mutex``)? The object goes to the caller locked, as the caller expects
    of a function that hands it back: no error was returned to say otherwise."""
    obj = path_of(ex.exit.value) if ex.exit.value is not None else None
    return obj is not None and lock.startswith((obj + "->", obj + "."))


def at_normal_exits(ctx: FunctionContext) -> bool:
    """Can ``on_function`` report at an exit that returns no error code: a failure
    test may fail, and the function takes a lock or a PM count itself?"""
    fn = ctx.fn
    return may_fail(fn) and any(
        (a := ctx.kb.acquire(c.callee)) is not None and a.kind.is_hold
        for b in fn.blocks for e in b.exprs() for c in calls_in(e)) or \
        _saved_state_acquires(ctx)


def _leaving_block(ex: ExitRecord, failure: Failure) -> int:
    """The block where the path leaves after ``failure``: its first ``goto``, or the
    failing side of the test when it returns without one."""
    start = max(failure_index(ex.events, failure), 0)
    taken = jumps(ex.events, start)
    if taken and taken[0].block >= 0:
        return taken[0].block
    return failure.block


def _what(ctx: FunctionContext, r: Res) -> str:
    """What is held, in words: the part of the object the acquire names, else its kind."""
    a = ctx.kb.acquire(r.acquire)
    if a is not None and a.part:
        return f"the {a.part} of"
    return "the runtime-PM usage count of" if r.kind == "pm" else "the lock"


def _name(ctx: FunctionContext, p: str, r: Res) -> str:
    """``'ch->lock'``; for a lock keyed on its saved flags, the lock and the flags."""
    a = ctx.kb.acquire(r.acquire)
    if a is None or a.object != "ret":
        return f"'{p}'"
    for b in ctx.fn.blocks:
        for s in b.stmts:
            for e in stmt_exprs(s):
                for c in calls_in(e):
                    if c.callee == r.acquire and c.loc.line == r.line and c.args:
                        written = ctx.words.args(c)  # the macro's, for spin_lock_irqsave()
                        lock = written[0] if written else render(c.args[0])
                        return f"'{lock.lstrip('&')}' (flags in '{p}')"
    return f"'{p}'"


def _leaving_point(ex: ExitRecord) -> tuple[int, int]:
    """Where the error path leaves for its exit: the goto into the ladder, or the return."""
    start = max(failure_index(ex.events, ex.failure), 0) if ex.failure is not None else 0
    taken = jumps(ex.events, start)
    if taken:
        return taken[-1].line, 0
    return ex.line, ex.col


RULE_ID, RULE_NAME = "KU005", "error-path-lock-imbalance"
RULE = Rule(id=RULE_ID, name=RULE_NAME, doc=__doc__,
            measured=Measured(8, 13, SAMPLE),
            recall=(Recall("drop-unlock", 34, 46), Recall("goto-next-label", 43, 67)),
            on_call=on_call, on_function=on_function, at_normal_exits=at_normal_exits)
