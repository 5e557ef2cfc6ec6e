"""Argument-less lock calls (``rcu_read_lock()``, ``rtnl_lock()``) as calls on one global lock.

The walk keys a resource on the access path of the argument the knowledge names
(or on the result), so ``mutex_lock(&m)`` and ``mutex_unlock(&m)`` meet on ``m``.
The knowledge lists ``rtnl_lock()``, ``rcu_read_lock()`` and their unlocks as
acquires and releases of argument 0, but the call has no argument: the lock it
takes is one lock of the whole kernel, which the call names by itself. Without
an access path the walk saw nothing, and an error path that returns with the
RTNL or the RCU read lock held was never reported.

``bind_global_locks`` gives each such call its lock as an argument, before the
summaries and the walk read the function: a variable named after the lock,
read from the pair's release (``rtnl_unlock`` -> ``rtnl_lock``;
``rcu_read_unlock_bh`` -> ``rcu_read_lock_bh``), the same for every acquire
that lists that release and for the release itself. From there on the call is
``rtnl_lock(rtnl_lock)``, an acquisition of a global like ``mutex_lock(&m)``
of a global mutex: the same checks, the same summaries of same-file helpers
(one that drops it releases a global), the same messages.
"""

from __future__ import annotations

import dataclasses

from kunwind.knowledge import Knowledge
from kunwind.model.cfg import Function
from kunwind.model.ir import Call, Expr, ExprStmt, Return, Store, Var


def bind_global_locks(fn: Function, kb: Knowledge) -> None:
    """Rewrite ``fn``'s argument-less lock calls in place (see the module)."""
    for b in fn.blocks:
        for s in b.stmts:
            if isinstance(s, ExprStmt):
                s.expr = _bound(s.expr, kb)
            elif isinstance(s, (Store, Return)) and s.value is not None:
                s.value = _bound(s.value, kb)
        if b.cond is not None:
            b.cond = _bound(b.cond, kb)


def global_lock(kb: Knowledge, callee: str) -> str | None:
    """The global lock an argument-less call of ``callee`` takes or drops, when the
    knowledge says it takes or drops a lock (or PM count) named by argument 0."""
    acq = kb.acquire(callee)
    if acq is not None and acq.object == 0 and acq.kind.is_hold and acq.release:
        return _lock_name(sorted(acq.release)[0])
    rel = kb.release(callee)
    if rel is not None and rel.arg == 0 and kb.released_kind(callee).is_hold:
        return _lock_name(callee)
    return None


def _lock_name(release: str) -> str:
    """The lock a release drops, named as its acquire is (``rtnl_unlock`` -> ``rtnl_lock``)."""
    return release.replace("unlock", "lock", 1) if "unlock" in release else release


def _bound(e: Expr, kb: Knowledge) -> Expr:
    """``e`` with its argument-less lock calls given their lock (the same object when
    there is none: the model's expressions are shared and never changed)."""
    changes: dict[str, object] = {}
    for f in dataclasses.fields(e):
        v = getattr(e, f.name)
        if isinstance(v, Expr):
            new = _bound(v, kb)
            if new is not v:
                changes[f.name] = new
        elif isinstance(v, tuple) and v and all(isinstance(x, Expr) for x in v):
            items = tuple(_bound(x, kb) for x in v)
            if any(a is not b for a, b in zip(items, v, strict=True)):
                changes[f.name] = items
    if isinstance(e, Call) and not e.args and not e.indirect:
        lock = global_lock(kb, e.callee)
        if lock is not None:
            changes["args"] = (Var(lock),)
    return dataclasses.replace(e, **changes) if changes else e
