"""An error path frees an object that a list still links.

What it finds:
    A function links an object into a list that outlives it (``list_add(&obj->node,
    &priv->list)``: a call of the knowledge's [link], whose node is a member of
    the object and whose head is not the object's own, nor a local list head),
    and then, on a path that failed, frees that object (``kfree(obj)``, another
    release of the knowledge that frees memory, the put of a reference this
    function took, or a same-file function whose summary frees its parameter)
    without unlinking it first: no [unlink] of its node (``list_del(&obj->node)``)
    on that path, in the function or in a same-file callee whose summary says it
    unlinks its parameter (``Summary.unlinks``), and no [unlink] of the head
    itself (``INIT_LIST_HEAD(&priv->list)``, the list emptied as a whole).

Why it matters:
    The list keeps a pointer into freed memory. The next walk of the list (a
    lookup, the remove path's teardown, an interrupt handler) reads it: a
    use-after-free that shows only after the failure, far from its cause, and
    often a crash in list debugging (``list_del corruption``).

Bad:
    list_add_tail(&ch->node, &priv->channels);
    ret = foo_channel_start(ch);
    if (ret) {
            kfree(ch);                     /* priv->channels still links it */
            return ret;
    }

Good:
    list_add_tail(&ch->node, &priv->channels);
    ret = foo_channel_start(ch);
    if (ret) {
            list_del(&ch->node);
            kfree(ch);
            return ret;
    }

Known false positives:
    A list that nobody reads again before its head is freed too (a caller that
    frees the whole structure after this failure) is reported: the pointer is
    dangling but never followed. A lock that keeps the list from being walked
    does not make the free correct, and is not taken into account. An unlink
    through another pointer to the same object (an alias, a walk of the list
    that deletes every entry) is not seen, and the free is reported. Not
    reported: an object linked onto a local list head (a private list the
    function builds), onto a list inside the object itself or inside an object
    this path allocated and freed already (``kfree(domain)`` before
    ``kfree(group)``, linked on ``domain->group_list``), or linked and freed
    through different names; a free in a function of another file, whose
    summary the file does not have; and a free on a path where nothing failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kunwind.analysis.error_paths import error_path
from kunwind.analysis.idioms import embedded_member
from kunwind.analysis.resources import RELEASED, object_path
from kunwind.findings import API_FACT, CALLEE_SUMMARY, Finding, PathStep
from kunwind.knowledge import Kind
from kunwind.model.ir import Call, Store, path_of, render

from .base import SAMPLE, Measured, Rule

if TYPE_CHECKING:
    from typing_extensions import Self

    from kunwind.analysis.context import FunctionContext
    from kunwind.analysis.state import State


@dataclass(frozen=True)
class Link:
    """``obj`` linked by its node ``node`` (``obj->node``) onto the list ``head``."""

    node: str
    head: str
    line: int
    call: str


@dataclass
class Linked:
    """The objects this path has linked into a shared list and not unlinked since."""

    links: dict[str, Link] = field(default_factory=dict)

    def copy(self) -> Self:
        return type(self)(dict(self.links))

    def key(self) -> object:
        return frozenset(self.links.items())

    def join(self, other: Self) -> Self:
        return type(self)({k: v for k, v in self.links.items() if other.links.get(k) == v})

    def after_call(self, ctx: FunctionContext, st: State, call: Call, line: int) -> None:
        link = ctx.kb.link(call.callee)
        if link is not None and max(link) < len(call.args):
            member = embedded_member(call.args[link[0]])
            head = object_path(path_of(call.args[link[1]]))
            if member is not None and head is not None:
                obj = member.split("->", 1)[0]
                if _shared(ctx, obj, head):
                    self.links[obj] = Link(member, head, line, render(call))
                else:
                    self.links.pop(obj, None)
            return
        j = ctx.kb.unlink(call.callee)
        if j is not None and j < len(call.args):
            gone = object_path(path_of(call.args[j]))
            self.links = {o: k for o, k in self.links.items()
                          if gone not in (k.node, k.head)}
        summary = ctx.summary(call.callee)
        for k in summary.unlinks if summary is not None else ():
            if k < len(call.args):
                self.links.pop(path_of(call.args[k]) or "", None)

    def after_store(self, ctx: FunctionContext, st: State, s: Store, path: str,
                    line: int) -> None:
        self.links.pop(path, None)  # it names another object now


def _shared(ctx: FunctionContext, obj: str, head: str) -> bool:
    """Does the list ``head`` outlive the function, apart from ``obj``: not a list
    inside ``obj`` itself, nor a list head declared in the function (``LIST_HEAD(
    tmp)``, a private list it builds and hands on or frees as a whole)?"""
    root = head.split("->", 1)[0].split(".", 1)[0].split("[", 1)[0]
    if root == obj:
        return False
    local_head = root in ctx.declared_locals and "->" not in head and \
        not any(p.name == root for p in ctx.fn.params)
    return not local_head


def on_call(ctx: FunctionContext, st: State, call: Call) -> list[Finding]:
    """A call that frees an object this error path linked into a shared list and did
    not unlink."""
    mine = st.slots.get(RULE_ID)
    if not isinstance(mine, Linked) or not mine.links or not error_path(ctx, st):
        return []
    out: list[Finding] = []
    for j, a in enumerate(call.args):
        obj = object_path(path_of(a))
        link = mine.links.get(obj or "")
        if obj is None or link is None or _head_freed(st, link):
            continue
        evidence = _frees(ctx, st, call, j, obj)
        if evidence:
            out.append(_finding(ctx, st, call, obj, link, evidence))
    return out


def _head_freed(st: State, link: Link) -> bool:
    """Is the list that links the object inside an object this path freed already
    (``kfree(domain)`` before ``kfree(group)``, linked on ``domain->group_list``)? No
    live list points at it then."""
    root = link.head.split("->", 1)[0].split(".", 1)[0].split("[", 1)[0]
    r = st.resources.res.get(root)
    return root != link.head and r is not None and r.status == RELEASED and bool(r.acquire)


def _frees(ctx: FunctionContext, st: State, call: Call, j: int, obj: str) -> str:
    """How ``call`` frees its argument ``j`` (``obj``), by an API fact or a callee
    summary; "" when it does not surely free it."""
    rel = ctx.kb.release(call.callee)
    if rel is not None and rel.arg == j and not rel.keeps_object:
        kind = ctx.kb.released_kind(call.callee)
        if kind in (Kind.MEMORY, Kind.CACHE, Kind.POOL):
            return API_FACT
        r = st.resources.res.get(obj)
        if kind is Kind.REFERENCE and r is not None and r.acquire:
            a = ctx.kb.acquire(r.acquire)
            return API_FACT if a is None or not a.extra else ""  # the last reference
        return ""
    summary = ctx.summary(call.callee)
    if summary is not None and j in summary.frees_memory and j not in summary.unlinks:
        return CALLEE_SUMMARY
    return ""


def _finding(ctx: FunctionContext, st: State, call: Call, obj: str, link: Link,
             evidence: str) -> Finding:
    fn, line = ctx.words.function, call.loc.line
    freed = ctx.words.call(call)
    node = ctx.words.text(link.node, link.line)
    unlink = ("hlist_del" if link.call.startswith("hlist") else "list_del") + \
        ("_rcu" if "_rcu(" in link.call else "")
    message = (f"{fn}() frees '{obj}' with {freed} at line {line} on an error path, "
               f"while '{ctx.words.text(link.head, link.line)}' still links it "
               f"({ctx.words.text(link.call, link.line)} at line {link.line}): the list "
               f"keeps a pointer to freed memory; unlink it ({unlink}(&{node})) before "
               f"freeing it")
    steps = [PathStep(link.line, 0, f"'{obj}' linked: {link.call}"),
             *st.rendered_path(ctx.words),
             PathStep(line, call.loc.col, f"'{obj}' freed while linked: {freed}")]
    return RULE.finding(ctx, line, call.loc.col, message, steps,
                        f"{obj}|{link.head}|{call.callee}", evidence)


RULE_ID, RULE_NAME = "KU008", "free-while-linked"
RULE = Rule(id=RULE_ID, name=RULE_NAME, doc=__doc__, on_call=on_call, state=Linked,
            measured=Measured(0, 0, SAMPLE))
