"""Cursors: local pointers that walk an array, and when a move makes one name another element.

A loop that sets up an array often keeps a pointer to the element of the
iteration (``p = &tab[i]``, ``p = tab + i``, ``bv++``), and its unwind walks
the array again with the same or another pointer::

    for (i = 0; i < n; i++) {
        p = &tab[i];
        err = request_irq(p->irq, ...);
        if (err)
            goto out;
    }
    ...
out:
    while (--i >= 0) {          /* or: for (j = 0; j < i; j++) p = &tab[j]; */
        p = &tab[i];
        free_irq(p->irq, p);    /* an earlier element: its request succeeded */
    }

An unwind that loads the element's pointer again (``m = tab[i].msix;
free_irq(m->vec, m)``) counts the same way: two elements of an array hold
pointers to two objects, as a table of per-queue objects does.

The resource model names objects by access path, so ``p->irq`` in the unwind
would be the element whose request failed. This module says when the new
value of the pointer is provably another element than the one it named
before, so the walk stops tracking the old element's fields under it (they
become unknown: the array holds them, and which of them the unwind reaches
depends on counts the walk does not follow). The proof is one of:

- the pointer itself moved (``p++``, ``--p``, ``p -= 2``);
- same array, same index expression, and its variable only went down since
  (``--i``, ``i--``, ``i -= 1``);
- same array, and the path tested ``j < i`` for the new index ``j`` and the
  old one ``i``, which has not changed since.

A list works the same way: ``list_prev_entry(p, node)`` is ``__mptr =
p->node.prev; p = __mptr - offsetof(...)``, and a neighbour in a list (the
``prev`` link of struct list_head, or of a hand-rolled list) is another object
than ``p``'s, or the list head, never ``p`` itself (like ``--i``, only this step
back counts; ``->next`` is a loop's own step): the unwind
``list_for_each_entry_continue_reverse()`` steps back from the element whose
acquisition failed before its first body, and so does a ``p =
list_prev_entry(p, ...)`` before ``list_for_each_entry_from_reverse()``. The
back link of a list head (``p = list_last_entry(head, ...)``, the start of
``list_for_each_entry_reverse()``) names an element linked before: when the
path did not link p's object it is another one, and when it did, the walk
cannot tell which; either way the fields tracked under ``p`` are not known.

Anything else (``i = 0`` and up again, a different array) proves nothing,
and the element may be the same one: the checks go on as before. This is
what lets an unwind that walks the whole array again, including the
element that failed, still be reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Set
from dataclasses import dataclass

from kunwind.model.ir import (
    Binary,
    Const,
    Expr,
    Index,
    Member,
    Unary,
    Var,
    path_of,
    render,
    subexprs,
)

SAME, FELL, OTHER = "same", "fell", "other"  # what the index did since the pointer was set


@dataclass(frozen=True)
class Cursor:
    """Where a local pointer points: ``tab[i + n]`` is (``tab``, ``i + n``, {i, n})."""

    base: str
    index: str  # the index expression, as written
    rising: frozenset[str]  # its variables that the index grows with
    falling: frozenset[str] = frozenset()  # and those it shrinks with (``tab[n - i]``)
    since: str = SAME  # SAME, FELL (only went down since) or OTHER


def element(e: Expr | None) -> Cursor | None:
    """The array element ``e`` points at: ``&tab[i]``, ``tab + i``, ``&tab[i + n]``;
    or the object a pointer held in an element points at (``tab[i]``, ``tab[i].info``,
    ``tab[i]->info``, kept with the member under the base: ``tab[].info``)."""
    member = ""
    if isinstance(e, Member) and e.ptr and isinstance(e.base, Index):
        member, e = ("->" if e.arrow else ".") + e.name, e.base
    if isinstance(e, Unary) and e.op == "&" and isinstance(e.operand, Index):
        base, index = e.operand.base, e.operand.index
    elif isinstance(e, Binary) and e.op == "+" and e.ptr:
        base, index = e.lhs, e.rhs
    elif isinstance(e, Index) and (e.ptr or member):
        base, index = e.base, e.index
        member = "[]" + member
    else:
        return None
    b = path_of(base)
    signs = _variables(index, 1)
    if b is None or signs is None:
        return None
    return Cursor(b + member, render(index), frozenset(v for v, s in signs if s > 0),
                  frozenset(v for v, s in signs if s < 0))


def moved_itself(op: str, value: Expr | None) -> bool:
    """``p++``, ``--p``, ``p += 2``, ``p -= k``: a pointer step always names another element."""
    return op in ("+=", "-=") and not (isinstance(value, Const) and value.value == 0)


def elsewhere(old: Cursor | None, new: Cursor | None, lower: frozenset[tuple[str, str]]) -> bool:
    """Is ``new`` provably another element of the array than ``old``?"""
    if old is None or new is None or old.base != new.base:
        return False
    if new.index == old.index:
        return old.since == FELL
    return old.since == SAME and any(
        (a, b) in lower and _renamed(new.index, a, b) == old.index
        for a in new.rising - old.rising for b in old.rising - new.rising)


def after_write(cursors: dict[str, Cursor], var: str, op: str, value: Expr | None) -> None:
    """The local ``var`` was written: the cursors indexed by it say how it moved
    (``i = i - 1`` is ``i -= 1``)."""
    if op == "=" and isinstance(value, Binary) and value.op in ("+", "-") and \
            isinstance(value.lhs, Var) and value.lhs.name == var:
        op, value = value.op + "=", value.rhs
    down = op == "-=" and isinstance(value, Const) and value.value > 0 or \
        op == "+=" and isinstance(value, Const) and value.value < 0
    for p, c in list(cursors.items()):
        if var in c.rising or var in c.falling:
            fell = down and var in c.rising and c.since != OTHER
            cursors[p] = Cursor(c.base, c.index, c.rising, c.falling, FELL if fell else OTHER)


def neighbour_of(value: Expr | None) -> str | None:
    """The local pointer ``p`` whose previous list neighbour ``value`` reads:
    ``p->node.prev``, ``p->vdev.node.prev``, ``p->prev`` (the back link of struct
    list_head and of hand-rolled lists). Only a step back counts, as only a fall of
    the index does for an array: an unwind walks back over the elements set up
    before the one that failed, while a forward loop's step (``->next``) leaves the
    element it set up to the walk, which follows it under the same name."""
    if not isinstance(value, Member) or value.name != "prev":
        return None
    link: Expr = value
    while isinstance(link, Member) and not link.arrow:
        link = link.base  # p->node.prev, p->vdev.list.prev: a link embedded in p's object
    if not isinstance(link, Member):
        return None
    base = link.base if link is not value or value.arrow else None
    return base.name if isinstance(base, Var) and base.ptr else None


def derived(value: Expr | None) -> str | None:
    """The local pointer that ``value`` computes another pointer from: ``q`` of ``q``,
    and of container_of()'s ``__mptr - offsetof(T, member)`` after ``__mptr = q``. A
    pointer derived from one that moved to another element names another object too."""
    while isinstance(value, Binary) and value.op in ("+", "-") and value.ptr:
        value = value.lhs
    return value.name if isinstance(value, Var) and value.ptr else None


def list_element(resolve: Callable[[str], Expr | None], entries: Set[int],
                 cursors: Set[str], var: str) -> bool:
    """Does the local pointer ``var`` hold, by what this path stored in it, an element
    of a list: container_of() of a link read from a list (``entries``, the function's
    ``__mptr = head->next; p = __mptr - offsetof(T, node)``: list_for_each_entry*()'s
    cursor), or the saved next one it moves to (``p = n``, a local that only
    ever holds such elements: ``cursors``)? It names whatever is
    linked there, not an object that an acquisition under the same name made on
    this path."""
    value = resolve(var)
    if isinstance(value, Var) and value.name in cursors:
        return True  # p = n: the _safe() walk's saved next element (``cursors``)
    return value is not None and id(value) in entries


def forget(lower: frozenset[tuple[str, str]], var: str) -> frozenset[tuple[str, str]]:
    """The relations that still hold after ``var`` was written."""
    return frozenset(r for r in lower if var not in r) if lower else lower


def tested(cond: Expr, taken: bool) -> tuple[str, str] | None:
    """(a, b) such that ``a < b`` holds on this edge of ``cond`` (locals only)."""
    negated = False
    while isinstance(cond, Unary) and cond.op == "!":
        cond, negated = cond.operand, not negated
    if not isinstance(cond, Binary) or cond.op not in ("<", ">", "<=", ">="):
        return None
    a, b = cond.lhs, cond.rhs
    if not (isinstance(a, Var) and isinstance(b, Var)):
        return None
    holds = taken != negated
    op = cond.op if holds else {"<": ">=", ">": "<=", "<=": ">", ">=": "<"}[cond.op]
    if op == "<":
        return a.name, b.name
    if op == ">":
        return b.name, a.name
    return None


def steps(cond: Expr) -> list[tuple[Expr, str]]:
    """The increments and decrements inside a condition (``while (--i >= 0)``), as
    (operand, ``+=`` or ``-=``)."""
    return [(x.operand, "+=" if "+" in x.op else "-=") for x in subexprs(cond)
            if isinstance(x, Unary) and x.op in ("++", "--", "post++", "post--")]


def _renamed(index: str, a: str, b: str) -> str:
    """``index`` with the variable ``a`` written ``b`` (``j + n`` -> ``i + n``)."""
    return re.sub(rf"(?<![\w.>]){re.escape(a)}(?!\w)", b, index)


def _variables(e: Expr, sign: int) -> set[tuple[str, int]] | None:
    """The variables of an index made of locals, constants, ``+`` and ``-``, each with
    the sign it counts with; None for anything else (a call, a member, a dereference)."""
    if isinstance(e, Var):
        return {(e.name, sign)}
    if isinstance(e, Const):
        return set()
    if isinstance(e, Binary) and e.op in ("+", "-"):
        a, b = _variables(e.lhs, sign), _variables(e.rhs, sign if e.op == "+" else -sign)
        return None if a is None or b is None else a | b
    return None
