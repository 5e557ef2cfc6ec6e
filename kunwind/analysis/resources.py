"""The resource model: what each path has acquired, released, locked or handed on.

One ``Res`` per object (a local, a parameter, a field path such as
``dev->regs``, a lock such as ``priv->lock``), in the walk's state. The walk
moves it through its life: ``held`` after an acquire, ``failed`` on the branch
where the acquire failed (nothing to release), ``released`` after a release,
``escaped`` when ownership went elsewhere (stored into another object, handed
to a function that takes it over), ``auto`` when it releases itself
(``__free()``, ``guard()``), ``unknown`` where the walk merged paths that
disagree. Checks KU002–KU006 read these facts.

An object has one ``Res`` under the name it was acquired by; other locals
that hold it (``Resources.aliases``: ``p = s = kzalloc()``, ``q = p``,
``p = page_address(page)``), a local copied from a field and that field
(``Resources.copies``: ``ofolio = obh->b_folio``, or ``host->irq = irq`` of an irq
number the function requests, until either is written)
and locals that point at an embedded member (``dev = &pdev->dev``, or
``pdev = container_of(dev, ...)``) reach it through ``held_name``, so that a
release, a hand-over or a return through any name acts on the one object.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from functools import cached_property
from typing import TYPE_CHECKING

from kunwind.knowledge import Acquire as KnownAcquire
from kunwind.knowledge import Kind, Knowledge, canonical
from kunwind.knowledge.names import ERR_OR_ZERO
from kunwind.model.ir import (
    Assign,
    Binary,
    Call,
    Cond,
    Const,
    Expr,
    ExprStmt,
    Index,
    Loc,
    Member,
    Store,
    Unary,
    Var,
    calls_in,
    path_of,
    render,
    root_of,
    stmt_exprs,
    subexprs,
)

from .callbacks import member_key
from .conditions import Check, condition_key, null_test
from .constants import constant, sign_truth, truth
from .constants import value as value_of
from .events import Acquire, Release
from .idioms import (
    CONTAINER_RELEASE_KINDS,
    embedded_path,
    embedding_object,
    function_named,
    guarded_address,
    member_root,
    owned,
    released_container,
    sets_bit,
)
from .summaries import DRIVER_DATA, POINTEE, Guard, Summary, guard_tests, pseudo_field
from .ties import Tie, flag_base, flag_set, flag_tested, outcome, saved_result, truth_tested

if TYPE_CHECKING:
    from kunwind.knowledge.facts import Release as ReleaseFact

    from .context import FunctionContext
    from .state import CallRec, State

HELD, RELEASED, FAILED, ESCAPED, AUTO = "held", "released", "failed", "escaped", "auto"
UNKNOWN = "unknown"  # paths that disagree were merged (the walk's path budget): no check speaks


class Cause(str, Enum):
    """What moved a resource to its status. A str enum hashed as its value in C: a
    ``Res`` is hashed for every path state's key, and Enum's own hash is Python."""

    __hash__ = str.__hash__

    NONE = "none"  # acquired (status held or auto), nothing happened to it since
    CALL = "call"  # a call released it, or took it over (``by``: its callee)
    NULL_TESTED = "NULL tested"  # a test found the pointer NULL: nothing was acquired
    ACQUIRE_FAILED = "acquire failed"  # the failure test of its acquire came out failed
    CLEANUP = "cleanup"  # a __free() variable (``by``: the cleanup function, if named)
    STORED = "stored"  # stored into another object (``by``: where, as written)
    MERGED = "merged"  # paths that disagree on it were joined
    FLAG = "flag"  # a flag that records it was found cleared (``by``: the flag; ties.py)
    MOVED = "moved"  # the pointer it is a field of moved to another element (cursors.py)
    COUNTED = "counted"  # a count of its earlier successes was found above 0 (``by``: it)


@dataclass(frozen=True)
class Res:
    kind: Kind  # from the knowledge (UNKNOWN: released here, acquired elsewhere)
    acquire: str  # the acquiring call; "" when released here but acquired elsewhere
    line: int
    releases: frozenset[str]  # the calls that release it
    status: str = HELD
    fails: str = "null"
    held_on_failure: bool = False
    event_line: int = 0  # where it was released / failed / escaped
    cause: Cause = Cause.NONE  # what moved it there
    by: str = ""  # the callee of that event (Cause.CALL), or what the cause names
    event: str = ""  # Cause.CALL: the call, as written
    count: int = 1  # a counted reference taken more than once on this path: how many
    # the hold this one was set up on, when it is the second step of a two-step set-up
    # (device_initialize() then device_add(), kobject_init() then kobject_add(), or
    # cdev_alloc() then cdev_add(): steps that one release undoes whole): a release
    # of this step that is not also a release of that one (device_del()) leaves that
    # one held, and so does the failure of a step not held on failure. When a caller
    # made the first step (the knowledge's ``after``), it is held with no acquire here.
    under: Res | None = None
    # acquired through an out-parameter (``sock_create(..., &sock)``) that held NULL
    # before the call: a constructor writes its result there only on success (or
    # writes NULL on failure), so where the call failed the object is still NULL
    left_null: bool = False
    # the access paths of the acquiring call's arguments that a release names the object
    # by (the knowledge's ``same_args``): (index, path) pairs
    args: tuple[tuple[int, str], ...] = ()
    # released: does the release surely free it (a "must" release), or only perhaps (a
    # "may" release: the put of a member whose release callback nobody here describes,
    # the put of an extra reference taken on an object someone else holds, a release
    # that keeps the object)? A leak check may count either as released; a double
    # release or a use after release needs the first one to free what the second uses
    sure: bool = True
    # the object it took over when it was acquired (the knowledge's ``owns``: the
    # private data given to anon_inode_getfile()): its release releases that one too
    owns: str = ""
    # the object held here that it holds a reference on until its release (the
    # knowledge's ``pins``: the parent of kobject_create_and_add(name, &x->kobj))
    pins: str = ""
    # the object held here that it was made under (the knowledge's ``parent``:
    # debugfs_create_dir(name, top) after top = debugfs_create_dir()): a release of
    # that one removes this one with it
    parent: str = ""
    # the path its acquire's result was stored in, when that result names the object
    # (the knowledge's ``ret_names``: ``priv->res = request_mem_region(res->start,
    # ...)``): a release through that path (release_resource(priv->res)) releases it
    named: str = ""
    # the step stacked on this one (``under``) that this path undid or saw fail, kept so
    # that a second release of it is seen as one (not compared: paths that differ in it
    # hold the same)
    popped: Res | None = field(default=None, compare=False)
    # the line of a store that gave the field holding it another value (``p->buf =
    # NULL``) while it was held, nothing else naming it: the object is lost there,
    # whoever owns the field, and held under the key ``resource_key(path, CLEARED)``
    cleared: int = 0

    @property
    def shared(self) -> bool:
        """More than one reference held on this path, by this step or the one under it
        (device_initialize() and get_device() before device_add()): a put is not the
        last."""
        return self.count > 1 or self.under is not None and self.under.count > 1

    def moved(self, status: str, line: int, cause: Cause, by: str = "", event: str = "",
              sure: bool = True) -> Res:
        return replace(self, status=status, event_line=line, cause=cause, by=by, event=event,
                       sure=sure)

    def held_again(self) -> Res:
        """Held here again, as if never moved: a hand-over that no longer stands (the
        place cleared, the node unlinked, the holder freed)."""
        return replace(self, status=HELD, event_line=0, cause=Cause.NONE, by="", event="")


@dataclass
class Resources:
    """The resource model's part of a path's state (``state.State.resources``)."""

    res: dict[str, Res] = field(default_factory=dict)
    # a call's result (a variable, or "@line:col:callee" for a call tested directly) ->
    # the objects whose acquisition that result reports
    links: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # variables with a cleanup attribute, and fields a devres action frees (``action``)
    auto: frozenset[str] = frozenset()
    # flags whose truth says whether an object is held (ties.py), until stored again
    ties: dict[str, Tie] = field(default_factory=dict)
    # another local that holds the same object as a resource (``p = s = kzalloc()``,
    # ``q = p``): local -> the key of that resource. A release, a hand-over or a
    # return through either name acts on the one resource (``held_name``)
    aliases: dict[str, str] = field(default_factory=dict)
    # a local pointer given the value of a field (``ofolio = obh->b_folio``): local ->
    # the field's path. Both name one object until either is written, held or not
    # when the copy is made: what is taken through one name is dropped through the
    # other (``folio_lock(ofolio); ... folio_unlock(obh->b_folio)``, ``held_name``).
    # Pairs (local, field path): one local may be copied into several fields
    # (``priv->dev = dev; ndev->dev.parent = dev``), and each names its object
    copies: frozenset[tuple[str, str]] = frozenset()
    # locals that took over what a field held: the field was given a new value while
    # they kept its old one (``ep = qhp->ep; qhp->ep = NULL``), until they are assigned.
    # A put through them may drop the reference the field held, taken elsewhere
    taken: frozenset[str] = frozenset()
    # while a store's value is evaluated: the locals it assigns that were rebound
    # (``rebind``) -> the name their object is held under now. The value reads them
    # before the store writes them (``child = next_child(dev, child)`` puts the old
    # child, held under the name of a copy of it since). Not part of the state: set
    # and cleared around the value's calls (``walk.do_store``)
    was: dict[str, str] = field(default_factory=dict)

    def copy(self) -> Resources:
        return Resources(dict(self.res), dict(self.links), self.auto, dict(self.ties),
                         dict(self.aliases), self.copies, self.taken)

    def key(self) -> tuple:
        return (frozenset(self.res.items()), frozenset(self.links.items()),
                frozenset(self.ties.items()) if self.ties else None,
                frozenset(self.aliases.items()) if self.aliases else None,
                self.copies or None, self.taken)

    def join(self, other: Resources) -> Resources:
        """What both paths agree on; a resource they disagree on is unknown, not gone
        (gone would read as "never acquired")."""
        res = {k: v for k, v in self.res.items() if other.res.get(k) == v}
        for k in sorted((self.res.keys() | other.res.keys()) - res.keys()):
            r = self.res.get(k) or other.res[k]  # acquired on one path only, or another state
            res[k] = r.moved(UNKNOWN, r.event_line, Cause.MERGED)
        links = {k: v for k, v in self.links.items() if other.links.get(k) == v}
        ties = {k: v for k, v in self.ties.items() if other.ties.get(k) == v}
        aliases = {k: v for k, v in self.aliases.items() if other.aliases.get(k) == v}
        copies = self.copies & other.copies
        return Resources(res, links, self.auto | other.auto, ties, aliases, copies,
                         self.taken & other.taken)

    def written(self, path: str) -> None:
        """``path`` is assigned: a copy made into it, or from it or from a field below it
        (``obh = ...`` after ``ofolio = obh->b_folio``), names another object now."""
        below = (path + "->", path + ".")
        self.copies = frozenset((k, v) for k, v in self.copies
                                if k != path and v != path and not v.startswith(below))

    def overwritten(self, path: str) -> None:
        """The field ``path`` is given a new value: the object it held and what is held
        under it (``qhp->ep->com.kref``, a reference taken through the field) stay
        reachable through a local copied from it (``ep = qhp->ep; ... qhp->ep = NULL;
        put(&ep->com)``), and are held under that local's name from now on; the local
        has taken over the field's own reference too (``taken``)."""
        heir = min((k for k, v in self.copies if v == path), default=None)
        if heir is None:
            return
        self.taken = self.taken | {heir}
        for q in [q for q in self.res if q == path or q.startswith(path + "->")]:
            self.res[heir + q[len(path):]] = self.res.pop(q)

    def copied(self, local: str, source: str) -> None:
        """``local = source``, the value of a field: one object under two names."""
        if "[" not in source and "->" in source and root_of(source) != local:
            self.copies = self.copies | {(local, source)}

    def rebind(self, name: str) -> str | None:
        """The local ``name`` is assigned (or advanced, ``p++``): it is no alias any more,
        and what it held stays held through its aliases, under the first one's name
        (``p = buf = kmalloc(); p += n; kfree(buf)``). Without aliases nothing moves."""
        self.aliases.pop(name, None)
        self.taken = self.taken - {name}
        names = sorted(a for a, k in self.aliases.items() if k == name)
        if not names:
            return None
        heir = names[0]
        del self.aliases[heir]
        for a in names[1:]:
            self.aliases[a] = heir
        for k in [k for k in self.res if k == name or k.startswith(
                (name + "->", name + ".", name + PART_SEP))]:
            self.res[heir + k[len(name):]] = self.res.pop(k)
        return heir


# A resource is keyed on its object, and on the part of the object it is when the
# knowledge names one (``Acquire.part``): ``client->dev`` is the device's runtime-PM
# usage count, ``client->dev#enable`` its enable count. A release moves only the
# resource of its own part, and a use of the object is no use of a part.
PART_SEP = "#"
# a link to an extra reference on an object already held: its failure drops that one only
EXTRA = "+"
HANDED = "<"  # a links entry: handed over by the call, which keeps nothing if it fails
# a links entry: released by the call only when it fails (a registration that puts what it
# was given on its failure): where a test finds that it succeeded, still held
FAILED_ONLY = ">"
# a links entry "=V=callee=obj": the call leaves the object to a completion it set on it
# when it returns V (the summary's ``kept_when``): where a test finds the result is V,
# it is no longer held
KEPT = "="


# the part under which a resource is held once the field that held it was cleared
CLEARED = "cleared"


def resource_key(obj: str, part: str = "") -> str:
    """The key of the resource that is ``part`` of ``obj`` ("": the object itself)."""
    return f"{obj}{PART_SEP}{part}" if part else obj


def selected_part(part: str, selector: int | None, call: Call,
                  known: Mapping[str, int]) -> str:
    """``part`` narrowed to the one that the call's argument ``selector`` selects (the
    BAR of ``pci_request_region(pdev, 2, name)``: ``BAR regions[2]``), by the value the
    path knows the argument holds, else by the argument's text (``[i]``)."""
    if selector is None or selector >= len(call.args):
        return part
    arg = call.args[selector]
    v = value_of(arg, known)
    return f"{part}[{v if v is not None else render(arg)}]"


def released_part(kb: Knowledge, call: Call, known: Mapping[str, int]) -> str:
    """The part of its object that the release ``call`` releases (``released_part``,
    narrowed by the release's ``selector``)."""
    rel = kb.release(call.callee)
    return selected_part(kb.released_part(call.callee),
                         rel.selector if rel is not None else None, call, known)


def key_object(key: str) -> str:
    """The object a resource key is on (``client->dev#enable`` -> ``client->dev``)."""
    return key.split(PART_SEP, 1)[0]


def object_path(path: str | None) -> str | None:
    """``&dev->lock`` and ``dev->lock`` name the same lock."""
    if path is None:
        return None
    return path[1:] if path.startswith("&") else path


def held_name(ctx: FunctionContext, resources: Resources, path: str, part: str = "") -> str:
    """The name under which the object ``path`` names is held, when it is held under
    another: through a local that holds the same object (``Resources.aliases``), a
    local copied from a field or that field (``Resources.copies``), or
    through a local that points at an embedded member (``dev = &pdev->dev``: ``dev``
    and ``pdev->dev`` are one device, ``ctx.member_aliases``). ``path`` itself when
    it is held, or when no other name is."""
    res = resources.res
    if resource_key(path, part) in res:
        return path
    root = root_of(path)
    rest = path[len(root):]
    candidates = []
    if root in resources.was:  # read before the store that rebound it
        candidates.append(resources.was[root] + rest)
    if root in resources.aliases:
        candidates.append(resources.aliases[root] + rest)
    copies = resources.copies
    # ofolio -> obh->b_folio, c->buf -> p->ctrl->buf
    candidates += [source + rest for local, source in sorted(copies) if local == root]
    copied = _copied_names(copies, [path])  # obh->b_folio -> ofolio, p->ctrl->buf -> c->buf
    candidates += copied
    members = ctx.member_aliases
    fields = ctx.field_member_aliases
    if path in fields:  # priv->dev -> pdev->dev
        candidates.append(fields[path])
    candidates += [f for f, m in fields.items() if m == path]  # pdev->dev -> priv->dev
    if root in members:  # dev -> pdev->dev, dev->x -> pdev->dev.x
        candidates.append(members[root] + ("." + rest[2:] if rest.startswith("->") else rest))
    for local, member in members.items():  # pdev->dev -> dev, pdev->dev.x -> dev->x
        if path == member:
            candidates.append(local)
        elif path.startswith(member + "."):
            candidates.append(f"{local}->{path[len(member) + 1:]}")
    for local, chosen in ctx.interior_locals.items():  # dev->ctl.rx_bufs.urb -> bufs->urb
        candidates += [f"{local}->{path[len(m) + 1:]}" for m in sorted(chosen)
                       if path.startswith(m + ".")]
    for c in candidates:
        if resource_key(c, part) in res:
            return c
    for _ in range(2):  # through a chain of copies: dev->priv->priv->irq -> hdlc->priv->irq
        copied = _copied_names(copies, copied)  # -> priv->irq (hdlc = dev_to_hdlc(dev), a
        for c in copied:  # getter of dev->priv, and priv = hdlc->priv)
            if resource_key(c, part) in res:
                return c
    return path


def _copied_names(copies: frozenset[tuple[str, str]], paths: list[str]) -> list[str]:
    """``paths`` named through the locals copied from them or from a field above them
    (``Resources.copies``: ``c = p->ctrl`` names ``p->ctrl->buf`` ``c->buf``)."""
    return [local + q[len(source):] for q in paths for local, source in sorted(copies)
            if q == source or q.startswith(source + "->")]


def release_skipped(ctx: FunctionContext, st: State, call: Call, j: int) -> bool:
    """Does this path decide, the other way, a test of the arguments under which each
    call of the same-file callee that may release argument ``j`` runs
    (``Summary.releases_when``)?
    ``caam_unmap(dev, src, dst, ...)`` unmaps dst only when ``dst != src``: after
    ``if (req->src == req->dst)`` it leaves ``req->dst`` alone."""
    s = ctx.summary(call.callee)
    alts = s.releases_when.get(j) if s is not None else None
    return bool(alts) and all(any(
        (v := _guard_value(st, call, g)) is not None and v != g[2] for g in guards)
        for guards in alts or ())


def _guard_value(st: State, call: Call, g: Guard) -> bool | None:
    """The value of guard ``g`` at ``call`` on this path: the truth of an argument (the
    constants, signs, NULL facts and repeated tests it knows), or whether two
    arguments are equal (one expression, or a repeated test of their equality)."""
    tests = guard_tests(call, g)
    if not tests:
        return None
    i, k, _ = g
    if k >= 0 and render(call.args[i]) == render(call.args[k]):
        return True
    for t in tests:
        text, negated = condition_key(t)
        for seen in (True, False):
            if (text, seen) in st.values.tested:
                return seen != negated
    if k >= 0:
        return None
    a = call.args[i]
    v = truth(a, st.values.known)
    if v is None:
        v = sign_truth(a, st.values.signs)
    p = path_of(a)
    f = st.fact(p) if v is None and p is not None else None
    if f is not None and f.status in ("null", "nonnull"):
        v = f.status == "nonnull"
    return v


class ResourceModel:
    """The transfer functions of the resource model, shared by the checks that read it:
    what a call acquires, releases or hands over, and what a branch says of an
    acquisition (its failure, a NULL pointer)."""

    def __init__(self, ctx: FunctionContext) -> None:
        self.ctx = ctx

    def call(self, st: State, call: Call, line: int, result: str | None,
             stored: bool = False) -> None:
        """What a call acquires, releases or takes over (``result``: where its value goes,
        ``stored``: it goes to a place that has no path, an element of an array)."""
        res = st.resources.res
        kb, ctx = self.ctx.kb, self.ctx
        summary = ctx.summary(call.callee)
        if summary is None and (key := member_key(call)) is not None:
            summary = ctx.summary(key)  # rt->output(rt, skb): what the file puts there
        text = render(call)
        # releases
        rel = kb.release(call.callee)
        by_args = rel.same_args if rel is not None else []
        if by_args:  # its arguments name a call's result, not the object released
            rel = None
        part = released_part(kb, call, st.values.known)
        released: set[str] = set()
        puts: set[str] = set()  # the last put of an embedded member, in a callee
        if rel is not None and rel.arg < len(call.args):
            p = _object_of(ctx, call.args[rel.arg]) or self._advance_undone(call.args[rel.arg]) \
                or self._rebuilt_number(st, call.args[rel.arg])
            if p is not None:
                released.add(p)
        by_knowledge = set(released)  # what the knowledge says this call releases
        if summary is not None:
            for j in summary.releases:
                if j < len(call.args) and not release_skipped(ctx, st, call, j):
                    p = object_path(path_of(call.args[j]))
                    now = res.get(held_name(ctx, st.resources, p)) if p is not None else None
                    if j in summary.unlocks and now is not None and not now.kind.is_hold:
                        continue  # drops a lock of it, not the folio_get() reference
                    if p is not None:
                        released.add(p)
                    if j in summary.frees_memory and j in summary.releases_always and \
                            (whole := _freed_first_member(ctx, st, call.args[j])) is not None:
                        released.add(whole)  # foo_free_view(&fp->view) does kfree(view)
            released.update(g for g in summary.releases_globals if g in res)
            for j, fields in summary.releases_fields.items():
                base = path_of(call.args[j]) if j < len(call.args) else None
                if base is not None and not base.startswith("&"):
                    released.update(f"{base}->{f}" for f in fields if f != POINTEE
                                    and not f.startswith(POINTEE + "->"))
                elif base is not None:  # free_bufs(&bufs) frees *pp: bufs
                    released.update(base[1:] + f[len(POINTEE):] for f in fields
                                    if f == POINTEE or f.startswith(POINTEE + "->"))
            for p in [p for p in released if f"->{DRIVER_DATA}" in p]:
                # foo_remove(pdev) frees what pci_get_drvdata(pdev) gives back (and its
                # fields): what this function lent pdev
                released.discard(p)
                dev, _, rest = p.partition(f"->{DRIVER_DATA}")
                if rest.startswith(":"):  # read from the device embedded at a member
                    member, arrow, rest = rest[1:].partition("->")
                    dev, rest = f"{dev}->{member}", arrow + rest
                obj = self.ctx.lent.get(dev)
                if obj is not None:
                    released.add(obj + rest)
            for j, fields in summary.releases_members.items():  # put_device(&p->dev)
                base = path_of(call.args[j]) if j < len(call.args) else None
                if base is not None and not base.startswith("&"):
                    puts.update(f"{base}->{f}" for f in fields)
            released |= puts
        for a in call.args:
            p = _object_of(ctx, a)
            p = held_name(ctx, st.resources, p, part) if p is not None else None
            if p is not None and resource_key(p, part) in res and \
                    call.callee in res[resource_key(p, part)].releases:
                released.add(p)
            elif (whole := _first_member_of(ctx, st, a, call.callee)) is not None:
                released.add(whole)
            elif p is not None and (src := _copy_released(st, p, call.callee, part)):
                released.add(src)
        released.update(self._filled(st, call))
        # through whichever name holds the object (an alias, an embedded member's local)
        released = {resource_key(held_name(ctx, st.resources, p, part), part) for p in released}
        # release_resource(priv->res) of the struct resource request_mem_region() returned
        released |= {q for q, r in res.items() if r.named and r.named in released and
                     kb.released_kind(call.callee) in (r.kind, Kind.UNKNOWN)}
        by_knowledge = {resource_key(held_name(ctx, st.resources, p, part), part)
                        for p in by_knowledge}
        parted: set[tuple[str, str]] = set()  # (object path, part) the callee releases
        for j, parts in summary.releases_parts.items() if summary is not None else ():
            p = object_path(path_of(call.args[j])) if j < len(call.args) else None
            if p is not None:  # foo_teardown(pdev) does pci_release_regions(pdev)
                parted.update((p, q) for q in parts)
        for j, fparts in summary.releases_field_parts.items() if summary is not None else ():
            base = path_of(call.args[j]) if j < len(call.args) else None
            if base is not None and not base.startswith("&"):
                # foo_free(card) does pci_release_regions(card->pdev): the regions of
                # the device the path stored in card->pdev
                parted.update((f"{base}->{f}", q) for f, q in fparts)
        if parted:
            keys = {resource_key(held_name(ctx, st.resources, p, q), q) for p, q in parted}
            released |= keys  # and each one a selector picked (BAR regions[2])
            released.update(k for k in res if k.startswith(tuple(q + "[" for q in keys)))
        kind = kb.released_kind(call.callee)
        for p in [q for q in released if _other_kind(kb, res.get(q), call.callee, kind)]:
            released.discard(p)  # folio_unlock(folio) does not drop a folio_get() reference
        if rel is not None and rel.arg < len(call.args) and rel.frees_fields:
            base = path_of(call.args[rel.arg])
            # its release callback frees these fields with the object (of an embedded
            # member: svc_xprt_put(&x->xprt) drops x->xprt.xpt_class->xcl_owner)
            if base is not None:
                under = f"{base[1:]}." if base.startswith("&") else f"{base}->"
                released.update(q for f in rel.frees_fields if (q := under + f) in res)
        maybe: set[str] = set()  # what it perhaps frees, not surely (``Res.sure``)
        if rel is not None and rel.arg < len(call.args):
            container = released_container(self.ctx, st, kind, call.args[rel.arg])
            if container is not None and container in res and res[container].status == HELD \
                    and not self._callback_keeps(st, call.args[rel.arg]) and \
                    not self._more_references(st, call.args[rel.arg], part):
                released.add(container)
                maybe.add(container)  # unless its release callback is known to free it
        if rel is not None and rel.arg < len(call.args) and kind in CONTAINER_RELEASE_KINDS:
            below = self._unknown_callback_fields(st, call, rel)
            released |= below
            maybe |= below
        for j in summary.releases_container if summary is not None else ():
            # a5xx_destroy(&a5xx_gpu->base.base) frees the object that embeds its argument
            container = self._container_of_arg(st, call, j)
            # held, or handed to a callee earlier (cm_insert_listen(priv) linked it, then
            # found another: ib_destroy_cm_id(&priv->id) frees it all the same)
            if container is not None and container in res and \
                    res[container].status in (HELD, ESCAPED):
                released.add(container)
        for j, fields in summary.releases_container_fields.items() if summary else ():
            # ... and the fields of it that the callee frees (lzo_free_workspace(&ws->list)
            # frees ws->buf before ws)
            container = self._container_of_arg(st, call, j)
            if container is not None:
                released.update(q for f in fields if (q := f"{container}->{f}") in res)
        by_callback = self._callback_releases(st, call, rel, kind, summary)
        on_failure = {p for p in self._field_put_releases(st, call, summary) |
                      self._freed_on_failure(st, call) | self._reset_releases(st, call, line)
                      if p in res and res[p].status == HELD} - released - by_callback
        by_callback |= on_failure
        released.update(by_callback)
        maybe -= by_callback
        released.update(self._same_args_releases(st, call, by_args))
        released.update(q for q, r in res.items() if r.parent in released and r.status == HELD)
        embedded: dict[str, list[str]] = {}  # container -> the references it embeds
        for p in list(released):
            embedded[p] = _embedded_references(res, p, ctx.container_members)
            released.update(embedded[p])
            if p in res and res[p].status == HELD and res[p].owns:
                # fput(migf->filp) runs the file's .release, which frees migf
                released.add(held_name(ctx, st.resources, res[p].owns))
            elif (whole := self._returned_owned(st, p)) is not None:
                # the same, with migf->filp set by the constructor that returned migf
                released.add(whole)
        maybe |= self._perhaps_frees(st, call, rel, summary, released, by_knowledge)
        # a count embedded in an object surely freed here goes with the object, whatever
        # it counts (kref_init() then kref_get() on node->rb.refcount, then kfree(node))
        ended = {q for p, qs in embedded.items() if p not in maybe
                 and not (p in res and res[p].count > 1) for q in qs}
        for p in released:
            if p in res and res[p].status in (HELD, ESCAPED) and res[p].count > 1 \
                    and p not in ended:
                res[p] = replace(res[p], count=res[p].count - 1)  # one of its references
                st.note(Release(line, p, call.callee))
            elif p in res and res[p].status in (HELD, FAILED) and p not in ended and \
                    (first := res[p].under) is not None and first.count > 1 and \
                    call.callee in first.releases:
                # a put after a second step (device_add()) on an object it holds more
                # than one reference to (device_initialize(), get_device()): not the
                # last one, so the object stays, with one reference fewer
                res[p] = replace(first, count=first.count - 1)
                st.note(Release(line, p, call.callee))
            elif p in res and (res[p].status in (HELD, FAILED) or _stored_away(res[p])) and \
                    (first := res[p].under) is not None and call.callee not in first.releases \
                    and p not in puts and p not in by_callback and \
                    not (summary is not None and first.releases & summary.calls):
                top = res[p]
                if top.status == ESCAPED:  # the first step went with the object: stored too
                    first = first.moved(ESCAPED, top.event_line, top.cause, top.by)
                res[p] = replace(first, popped=replace(top.moved(
                    RELEASED, line, Cause.CALL, call.callee, text), under=None))
                # device_del() undoes device_add() only (a last put whose
                # release callback frees the object ends both steps, and so does a
                # callee that also makes the first step's release: foo_power_off()
                # calling phy_power_off() and phy_exit() after phy_init(), phy_power_on())
                st.note(Release(line, p, call.callee))
            elif p in res and res[p].status == HELD and _undoes_failed_step(res[p], call):
                # clk_disable_unprepare(c) after clk_prepare_enable(c) failed, over the
                # clk_get() below: the undo of the step that failed (KU003 reports it),
                # which leaves the reference under it held
                pass
            elif p in res and res[p].status in (HELD, FAILED):
                res[p] = res[p].moved(RELEASED, line, Cause.CALL, call.callee, text,
                                      sure=p not in maybe)
                st.note(Release(line, p, call.callee))
            elif p in res and _stored_away(res[p]):
                # handed to a callee (or stored), then freed here all the same: gone,
                # whatever the callee's result says later (no HANDED undo brings it back)
                res[p] = res[p].moved(RELEASED, line, Cause.CALL, call.callee, text,
                                      sure=p not in maybe)
                st.note(Release(line, p, call.callee))
            elif p not in res and p in by_knowledge:  # acquired elsewhere: now gone
                res[p] = Res(kind, "", 0, frozenset({call.callee}), RELEASED, "never",
                             event_line=line, cause=Cause.CALL, by=call.callee, event=text)
                st.note(Release(line, p, call.callee))
        self._unlinked(st, call)
        self._holder_freed(st, call, released - maybe)
        # ownership handed over
        owner = kb.owner_arg(call.callee)
        given = {owner} if owner is not None and not kb.owns_on_failure(call.callee) \
            else set()
        if summary is not None:
            given |= summary.escapes  # a same-file callee that stores or links it
            # ... or consumes it whatever it returns (a wrapper of nlmsg_multicast()):
            # not handed back where a test finds it failed
            given |= summary.consumes
        key = result or _call_key(call)
        links = st.resources.links
        if any(o.startswith((HANDED, FAILED_ONLY, KEPT)) for o in links.get(key, ())):  # an
            links[key] = tuple(o for o in links[key]  # earlier call's
                               if not o.startswith((HANDED, FAILED_ONLY, KEPT)))
        if on_failure:  # where a test finds it succeeded, still held
            links[key] = links.get(key, ()) + tuple(FAILED_ONLY + q for q in sorted(on_failure))
        handed: list[str] = []
        for j in sorted(given):
            p = object_path(path_of(guarded_address(call.args[j]))) \
                if j < len(call.args) else None
            if p is not None:
                # a callee that consumes what it is given takes that object whatever it
                # returns (a wrapper of nlmsg_multicast() the skb), not the object that
                # embeds it nor its holds (a wrapper of devm_add_action_or_reset() given
                # &x->work or a device keeps nothing of x, nor the device's PM count,
                # when it fails)
                whole = held_name(self.ctx, st.resources, p)
                consumed = whole if summary is not None and j in summary.consumes and \
                    j != owner and whole in res and not res[whole].kind.is_hold else None
                for q in self._handed_along(st, p):
                    if q in res and res[q].status == HELD:
                        if (j != owner or kb.owns_on_success(call.callee)) and \
                                res[q].cause is Cause.NONE and q != consumed and \
                                (summary is None or j not in summary.hands_on_null):
                            handed.append(q)
                        res[q] = res[q].moved(ESCAPED, line, Cause.CALL, call.callee, text)
        if (taken := kb.owner_field(call.callee)) is not None and taken[0] < len(call.args):
            # regulator_register(dev, desc, &cfg) takes cfg.ena_gpiod, whatever it
            # returns: what that field holds is no longer this function's
            base = path_of(guarded_address(call.args[taken[0]]))
            if base is not None:
                held = f"{base[1:]}.{taken[1]}" if base.startswith("&") else \
                    f"{base}->{taken[1]}"
                q = held_name(self.ctx, st.resources, held)
                if q in res and res[q].status == HELD:
                    res[q] = res[q].moved(ESCAPED, line, Cause.CALL, call.callee, text)
        for j, pairs in sorted(summary.kept_when.items()) if summary is not None else ():
            base = (path_of(call.args[j]) if j < len(call.args) else None) or ""
            for v, part in sorted(pairs) if base else ():
                # a wait that times out re-points the request's completion to one that
                # frees it, or files its buffer for the late completion: kept by the
                # callee on that result (tested below)
                armed = object_path(base) if not part else \
                    f"{base[1:]}.{part}" if base.startswith("&") else f"{base}->{part}"
                kept = held_name(self.ctx, st.resources, armed) if armed is not None \
                    else None
                if kept is not None and kept in res and res[kept].status == HELD:
                    links[key] = links.get(key, ()) + (
                        f"{KEPT}{v}{KEPT}{call.callee}{KEPT}{kept}",)
        if handed:
            # a callee that stores what it is given (a registration keeps its cookie)
            # keeps nothing when it fails: where a test finds it failed, it is still held
            links[key] = links.get(key, ()) + tuple(HANDED + q for q in handed)
        if call.indirect and summary is None:
            for q in self._taken_by_callback(st, call):
                res[q] = res[q].moved(ESCAPED, line, Cause.CALL, call.callee, text)
        action = kb.owner_action(call.callee)
        if owner is not None and action is not None:
            freed = self._action_frees(st, call, owner, action)
            st.resources.auto = st.resources.auto | freed
            for q in sorted(freed):
                if q in res and res[q].status == HELD:
                    # held already (the object lent the device as its driver data,
                    # which the action frees): devres frees it from now on
                    res[q] = res[q].moved(ESCAPED, line, Cause.CALL, call.callee, text)
        self.fill(st, call, line)
        # acquisitions
        acq = kb.acquire(call.callee)
        obj = None
        if acq is not None and owned(kb, call):
            if acq.object == "ret":
                obj = result
                if obj is None and acq.extra and call.args and not stored:
                    # of_node_get(np); with its result dropped: one more reference on
                    # the object it was given (and returns), counted when this function
                    # holds it already (stored in an element, s->port[i]->np =
                    # of_node_get(np), the reference is the element's)
                    arg = object_path(path_of(call.args[0]))
                    old = res.get(arg) if arg is not None else None
                    if old is not None and old.status == HELD and old.kind == acq.kind:
                        obj = arg
            elif isinstance(acq.object, int) and acq.object < len(call.args):
                obj = object_path(path_of(call.args[acq.object]))
                obj = resource_key(obj, selected_part(acq.part, acq.selector, call,
                                                      st.values.known)) \
                    if obj is not None else None
            if obj is not None:
                status = AUTO if obj in st.resources.auto or \
                    _managed(acq.managed_after, obj, st, self.ctx) else HELD
                old = res.get(obj)
                extra = False
                if old is not None and old.status in (HELD, ESCAPED) and acq.held_on_failure and \
                        not acq.kind.is_hold and not old.kind.is_hold and \
                        old.acquire and old.acquire != call.callee:
                    # the second step of a set-up on what this function holds already
                    # (kobject_add() after kobject_init()), or handed on: held even when
                    # it fails, and undone by its own releases, which leave the first
                    # step as it was
                    res[obj] = Res(acq.kind, call.callee, line, frozenset(acq.release), status,
                                   acq.fails, True, under=old)
                elif old is not None and old.status == HELD and not acq.kind.is_hold and \
                        not old.kind.is_hold and old.acquire and old.acquire != call.callee \
                        and old.releases & set(acq.release) and \
                        not (acq.kind.is_counted and old.kind == acq.kind):
                    # the second step of a set-up that one call undoes whole (cdev_add()
                    # after cdev_alloc(), both undone by cdev_del()): when it fails,
                    # the first step still stands
                    res[obj] = Res(acq.kind, call.callee, line, frozenset(acq.release), status,
                                   acq.fails, False, under=old)
                elif old is not None and old.status == HELD and acq.kind.is_counted and \
                        old.kind == acq.kind:
                    res[obj] = replace(old, count=old.count + 1)  # one more reference
                    extra = True
                elif old is not None and old.status == HELD and not acq.kind.is_hold and \
                        not old.kind.is_hold and old.acquire and old.acquire != call.callee \
                        and isinstance(acq.object, int) and not acq.part and \
                        not (acq.kind.is_counted and old.kind == acq.kind):
                    # a second acquire of another pair on an object held already
                    # (register_netdevice() after alloc_netdev(), phy_power_on() after
                    # phy_init()): stacked on the first, which stays owed. When it
                    # fails the first stands; its own releases undo it alone
                    res[obj] = Res(acq.kind, call.callee, line, frozenset(acq.release), status,
                                   acq.fails, acq.held_on_failure, under=old,
                                   args=_key_args(kb, acq, call))
                elif old is not None and old.status in (ESCAPED, UNKNOWN) and \
                        acq.kind.is_counted and old.kind == acq.kind:
                    pass  # its references were handed on, or paths that disagreed on their
                    # count were joined: one more get does not make the count 1 (the puts
                    # that follow may match the earlier gets)
                else:
                    res[obj] = Res(acq.kind, call.callee, line, frozenset(acq.release), status,
                                   acq.fails, acq.held_on_failure,
                                   under=self._first_step_elsewhere(acq, old, line),
                                   left_null=(acq.null_on_failure or
                                              self.null_before(st, call.args[acq.object]))
                                   if isinstance(acq.object, int) and not acq.part else False,
                                   args=_key_args(kb, acq, call), owns=_owned(acq, call),
                                   named=result if acq.ret_names and result else "")
                    if old is not None and old.status == ESCAPED and \
                            isinstance(acq.object, int) and \
                            old.cause is Cause.STORED and _element_at_computed_index(old.by):
                        # kmap(pg) after pages[i] = pg: the per-element unwind loop
                        # that releases pages[i] undoes its holds too (a hold on the
                        # object stored, not a new object in the same variable:
                        # clk = of_clk_get() in the loop that stores clk[i] = clk)
                        res[obj] = res[obj].moved(ESCAPED, line, Cause.STORED, old.by)
                st.note(Acquire(line, obj, call.callee))
                exit_fn = ctx.exit_releases.get(obj) if root_of(obj) not in ctx.variables \
                    else None
                if exit_fn is not None and res[obj].status == HELD:
                    # a global the module's exit releases: handed to it
                    res[obj] = res[obj].moved(ESCAPED, line, Cause.STORED, f"{exit_fn}()")
                if acq.object != "ret":
                    # its result reports the acquisition: where a test finds that it
                    # failed, nothing is held (even for an acquire that cannot fail,
                    # such as get_device(), whose NULL says the device was NULL); a
                    # failed extra reference leaves the ones held before it
                    st.resources.links[key] = ((EXTRA + obj,) if extra else (obj,)) + tuple(
                        o for o in links.get(key, ())
                        if o.startswith((HANDED, FAILED_ONLY, KEPT)))
                if acq.null_arg is not None and acq.null_arg < len(call.args) and \
                        (nulled := object_path(path_of(call.args[acq.null_arg]))) is not None:
                    # of_get_parent(np): where np is found NULL, the parent is NULL too
                    links[nulled] = links.get(nulled, ()) + (obj,)
                if acq.pins is not None and acq.pins < len(call.args) and obj in res and \
                        res[obj].status == HELD:
                    self._pin(st, call.args[acq.pins], obj)
                if acq.nonzero and obj in res and res[obj].status == HELD:
                    # request_irq(p->irq, ...): p->irq is 0 only where no IRQ is held
                    st.resources.ties[obj] = Tie(obj, line, None, False)
                if acq.parent is not None and self._caller_parent(st, call, acq.parent):
                    self._hand_to_parent(st, call, acq, obj, key)
                elif acq.parent is not None and obj in res:
                    up = self._held_parent(st, call, acq.parent)
                    if up:
                        res[obj] = replace(res[obj], parent=up)
        elif summary is not None and summary.ret_alloc and not summary.ret_shared and \
                result is not None:
            res[result] = Res(Kind.MEMORY, call.callee, line, frozenset(),
                              AUTO if result in st.resources.auto else HELD)
            st.note(Acquire(line, result, call.callee))
        if acq is None and summary is not None and summary.out_allocs:
            self._out_allocs(st, call, summary, line, key)
        for k, passed in summary.calls_params.items() if summary is not None else ():
            self._passed_function_call(st, call, k, passed, line)

    def _out_allocs(self, st: State, call: Call, summary: Summary, line: int,
                    key: str) -> None:
        """A same-file helper that hands its caller a new allocation through an
        out-parameter (``Summary.out_allocs``: ``foo_read(c, &buf)``) acquires what it
        is given the address of. Its result reports it: where a test finds that it
        failed, nothing is held, and the place keeps what it held before (NULL, when
        the function set it so)."""
        res = st.resources.res
        for j in sorted(summary.out_allocs):
            a = call.args[j] if j < len(call.args) else None
            if not (isinstance(a, Unary) and a.op == "&"):
                continue
            obj = object_path(path_of(a.operand))
            if obj is None or (obj in res and res[obj].status == HELD):
                continue
            res[obj] = Res(Kind.MEMORY, call.callee, line, frozenset(),
                           AUTO if obj in st.resources.auto else HELD, "negative",
                           left_null=self.null_before(st, a))
            st.note(Acquire(line, obj, call.callee))
            st.resources.links[key] = st.resources.links.get(key, ()) + (obj,)

    def _advance_undone(self, e: Expr) -> str | None:
        """The local ``p`` of ``p - n`` when the function advances ``p`` by that same
        ``n`` (``buf += offset``) and never writes what ``n`` reads: the pointer its
        acquire returned (``kfree(buf - offset)`` frees the kmalloc()'s buffer)."""
        if not (isinstance(e, Binary) and e.op == "-" and isinstance(e.lhs, Var)):
            return None
        return e.lhs.name if render(e.rhs) in self._advances.get(e.lhs.name, ()) else None

    def _rebuilt_number(self, st: State, e: Expr) -> str | None:
        """The held number an arithmetic expression is computed from alone (one that an
        acquire wrote through an out-parameter): its
        variables are that number or variables the function assigns once from it
        (``major = MAJOR(devt)``, then ``MKDEV(major, 0)`` gives the region's first
        number back). None when it reads a call, a field or anything else."""
        if path_of(e) is not None or any(isinstance(x, (Call, Member, Index)) or
                                         isinstance(x, Unary) and x.op in ("&", "*")
                                         for x in subexprs(e)):
            return None
        names = {x.name for x in subexprs(e) if isinstance(x, Var)}
        sources = {n if n in st.resources.res else self._derived.get(n) for n in names}
        if len(sources) != 1 or None in sources:
            return None
        held = sources.pop()
        r = st.resources.res.get(held) if held is not None else None
        acq = self.ctx.kb.acquire(r.acquire) if r is not None else None
        # a number the acquire wrote through an out-parameter (alloc_chrdev_region()'s
        # &devt), not a pointer it returned: kfree(p + 4) is no release of p; nor a
        # number it was given (request_region(base, 3): release_region(base + 3, 5)
        # releases another range, one an acquire of its own reserved)
        return held if r is not None and r.status == HELD and acq is not None and \
            isinstance(acq.object, int) and (r.acquire, r.line) in self._written_out \
            else None

    @cached_property
    def _written_out(self) -> frozenset[tuple[str, int]]:
        """(callee, line) of the function's acquires that write the object they acquire
        through an out-parameter (``alloc_chrdev_region(&devt, ...)``)."""
        out: set[tuple[str, int]] = set()
        for b in self.ctx.fn.blocks:
            sites = [(e, s.loc.line) for s in b.stmts for e in stmt_exprs(s)]
            if b.cond is not None and b.cond_loc is not None:
                sites.append((b.cond, b.cond_loc.line))  # if (alloc_chrdev_region(...))
            for e, line in sites:
                for c in calls_in(e):
                    a = self.ctx.kb.acquire(c.callee)
                    j = a.object if a is not None else None
                    arg = c.args[j] if isinstance(j, int) and j < len(c.args) else None
                    if isinstance(arg, Unary) and arg.op == "&":
                        out.add((c.callee, line))
        return frozenset(out)

    @cached_property
    def _derived(self) -> dict[str, str]:
        """Variable -> the one variable its only store reads, in arithmetic alone
        (``event_major = MAJOR(dev_num)``: ``dev_num``)."""
        stores: dict[str, list[Store]] = {}
        for b in self.ctx.fn.blocks:
            for s in b.stmts:
                if isinstance(s, Store) and isinstance(s.target, Var):
                    stores.setdefault(s.target.name, []).append(s)
        out: dict[str, str] = {}
        for name, ss in stores.items():
            v = ss[0].value if len(ss) == 1 and ss[0].op == "=" else None
            if v is None or any(isinstance(x, (Call, Member, Index)) or
                                isinstance(x, Unary) and x.op in ("&", "*")
                                for x in subexprs(v)):
                continue
            read = {x.name for x in subexprs(v) if isinstance(x, Var)}
            if len(read) == 1 and read != {name}:
                out[name] = read.pop()
        return out

    @cached_property
    def _advances(self) -> dict[str, set[str]]:
        """Local -> the amounts (as written) a ``p += n`` of the function advances it by,
        when nothing in the function writes a variable ``n`` reads."""
        stores = [s for b in self.ctx.fn.blocks for s in b.stmts if isinstance(s, Store)]
        written = {s.target.name for s in stores if isinstance(s.target, Var)}
        out: dict[str, set[str]] = {}
        for s in stores:
            if s.op == "+=" and isinstance(s.target, Var) and s.value is not None and \
                    s.target.name in self.ctx.variables and \
                    not {x.name for x in subexprs(s.value) if isinstance(x, Var)} & written:
                out.setdefault(s.target.name, set()).add(render(s.value))
        return out

    @cached_property
    def _unread_indirect(self) -> dict[int, int]:
        """The calls through a function pointer made as statements of their own (their
        result, if any, unread: ``out_vcc->push(out_vcc, skb);``): id of the call ->
        its block."""
        return {id(s.expr): b.id for b in self.ctx.fn.blocks for s in b.stmts
                if isinstance(s, ExprStmt) and isinstance(s.expr, Call) and s.expr.indirect}

    def _holder_freed(self, st: State, call: Call, freed: set[str]) -> None:
        """``fsia6b->dev = input_dev`` then ``kfree(fsia6b)``: an allocation of this
        function freed here takes with it the pointers stored into it, so what they
        point at is held here again (a hand-over lasts only while its holder does).
        Memory freed by its own release only (kfree()): a put may run a release
        callback that frees what it holds (``kref_put(&req->ref, foo_free)``). Not
        when a same-file function that releases was given the holder since the store
        (``foo_cleanup(q)`` before ``kfree(q)``): it may have freed what it holds."""
        res = st.resources.res
        gone = {p for p in freed if p in res and res[p].status == RELEASED and res[p].sure
                and res[p].acquire and res[p].kind is Kind.MEMORY
                and call.callee in res[p].releases}  # kfree(), not a put's callback
        if not gone:
            return
        for k, r in list(res.items()):
            if k in gone or r.status != ESCAPED or r.cause is not Cause.STORED or \
                    ("->" not in r.by and "." not in r.by):
                continue
            holder = held_name(self.ctx, st.resources, root_of(r.by))
            if holder in gone and not self._given_since(st, call, holder, r.event_line):
                res[k] = r.held_again()

    def _given_since(self, st: State, call: Call, holder: str, line: int) -> bool:
        """Was ``holder`` given on this path since ``line`` to a same-file function
        (other than ``call``) that releases something?"""
        chain = st.call_chain
        while chain is not None:
            c = chain[0]
            chain = chain[1]
            if c.line < line:
                break
            s = self.ctx.summary(c.callee)
            if s is None or not (s.releases_container_fields or s.frees_unidentified or any(
                    self.ctx.kb.release(x) is not None for x in s.calls)):
                continue
            if (c.callee, c.line) != (call.callee, call.loc.line) and any(
                    held_name(self.ctx, st.resources, root_of(o)) == holder
                    for o in c.objects):
                return True
        return False

    def _unlinked(self, st: State, call: Call) -> None:
        """``list_del(&info->node)`` after ``list_add_tail(&info->node, &head)`` handed
        ``info`` to the list: the list holds it no more on this path, so it is held here
        again (a hand-over lasts only while the link stands). The same node, as
        written."""
        j = self.ctx.kb.unlink(call.callee)
        if j is None or j >= len(call.args):
            return
        node = render(call.args[j])
        res = st.resources.res
        for k, r in list(res.items()):
            if r.status == ESCAPED and r.cause is Cause.CALL and \
                    self.ctx.kb.link(r.by) is not None and r.event.startswith(f"{r.by}({node}, "):
                res[k] = r.held_again()

    def _taken_by_callback(self, st: State, call: Call) -> list[str]:
        """What a call through a function pointer that the file does not describe
        (``callbacks.py`` knows none of its values) takes over: a held object it is
        given, when its result is not read and the function does nothing more with the
        object after it, on any path (no release, no store, no use). Such a callee
        cannot report that it refused the object, and the function's successful exits
        leave it to the callee too: the callee is its owner now
        (``out_vcc->push(out_vcc, skb)`` queues the skb on the receiving socket). An
        object a later step still frees or stores on some path (a ``kfree(buf)`` at
        the end, ``priv->buf = buf``) stays the function's."""
        block = self._unread_indirect.get(id(call))
        if block is None:
            return []
        res, out = st.resources.res, []
        for a in call.args:
            p = object_path(path_of(a))
            q = held_name(self.ctx, st.resources, p) if p is not None else None
            if q is None or q not in res or res[q].status != HELD or res[q].kind.is_hold \
                    or not res[q].acquire or \
                    self._named_after(block, call, {root_of(p or q), root_of(q)}):
                continue
            out.append(q)
        return out

    def _named_after(self, block: int, call: Call, names: set[str]) -> bool:
        """Does the function name a variable of ``names`` after ``call`` (made in
        ``block``): in a statement after it in its block (any, in a loop), or in a
        block that can follow?"""
        fn = self.ctx.fn
        loops = any(block in self.ctx.reachable(d) for d in fn.blocks[block].targets())
        for b in sorted(self.ctx.reachable(block)):
            blk = fn.blocks[b]
            exprs = [e for s in blk.stmts if b != block or loops or s.loc.line > call.loc.line
                     for e in (*stmt_exprs(s), s.target if isinstance(s, Store) else None)
                     if e is not None]
            exprs += [e for e in (blk.cond, blk.switch) if e is not None]
            if any(isinstance(x, Var) and x.name in names for e in exprs for x in subexprs(e)):
                return True
        return False

    def _action_frees(self, st: State, call: Call, owner: int, action: int) -> frozenset[str]:
        """The fields of the object an owner takes over that the function it runs on it
        later frees (the knowledge's ``action``): ``devm_add_action(dev, foo_free, o)``
        with ``foo_free(void *data)`` doing ``vfree(o->buf)`` gives ``o->buf``. devres
        runs the action when the probe fails, so what a later step acquires into those
        fields releases itself, as a ``devm_*()`` allocation would. An action that
        frees the driver data of the device it is given (``cluster =
        platform_get_drvdata(pdev); kfree(cluster)``) frees what this function lent
        that device (``platform_set_drvdata(pdev, cluster)``, ``ctx.lent``)."""
        fn = function_named(call.args[action]) if action < len(call.args) else None
        s = self.ctx.summary(fn) if fn is not None else None
        base = object_path(path_of(call.args[owner])) if owner < len(call.args) else None
        if s is None or base is None:
            return frozenset()
        # an action given the device that reads its driver data back and frees it
        # (``cluster = platform_get_drvdata(pdev); kfree(cluster)``) frees what this
        # function lent that device (``platform_set_drvdata(pdev, cluster)``)
        lent = self.ctx.lent.get(base)
        drvdata = {lent + f[len(DRIVER_DATA):] for f in s.releases_fields.get(0, ())
                   if lent is not None and (f == DRIVER_DATA or
                                            f.startswith(f"{DRIVER_DATA}->"))}
        base = held_name(self.ctx, st.resources, base)
        return frozenset({f"{base}->{f}" for f in s.releases_fields.get(0, ())
                          if not f.startswith("@")} |  # no other pseudo-field
                         {held_name(self.ctx, st.resources, q) for q in drvdata})

    def _handed_along(self, st: State, p: str) -> list[str]:
        """What goes with the object ``p`` names when it is handed over: the object
        under the name that holds it, the object that embeds it (``&x->kobj`` hands
        ``x``), and that one's fields and embedded members that are not locks or PM
        counts (``dev = &x->dev; device_register(dev); list_add(&x->entry, ...)``)."""
        ctx, res = self.ctx, st.resources.res
        p = held_name(ctx, st.resources, p)
        root = held_name(ctx, st.resources, root_of(p))
        under = [q for q in res if q.startswith((root + "->", root + "."))
                 and not res[q].kind.is_hold]  # its fields go along
        under += [q for q, m in ctx.member_aliases.items()
                  if m.startswith(root + "->") and q in res and not res[q].kind.is_hold]
        return [p, root, *under]

    def _caller_parent(self, st: State, call: Call, j: int) -> bool:
        """Is argument ``j``, the parent the acquired object is made or added under
        (the knowledge's ``parent``), one that a caller owns: not NULL, not a file-scope
        variable (a subsystem's root, which lives until the module goes: a child left
        under it stays there), not an object this function acquired and still holds
        (its own unwind, or its own leak, decides; one it stored in the caller's
        object is the caller's)? Then whoever owns the parent tears its children
        down with it (debugfs_remove_recursive() of an ancestor, the kset's teardown)."""
        if j >= len(call.args) or truth(call.args[j], st.values.known) is False:
            return False
        p = object_path(path_of(call.args[j]))
        if p is None or root_of(p) not in self.ctx.variables:
            return False
        f = st.fact(p)
        if f is not None and f.status == "null":
            return False
        res = st.resources.res
        return all(q not in res or res[q].status == ESCAPED
                   for q in (held_name(self.ctx, st.resources, p),
                             held_name(self.ctx, st.resources, root_of(p))))

    def same_pointer_again(self, st: State, name: str, value: Expr | None) -> bool:
        """Is the local ``name``, a name several variables of the function share (a
        macro's local at each expansion: ``_fops`` of fops_get() and of fops_put()),
        declared again as a copy of the pointer the earlier variable of that name
        held, through which this path still holds an acquisition
        (``try_module_get(_fops->owner)``)? Then the new one is that pointer, not
        NULL: fops_put(real_fops) after fops_get(real_fops) succeeded, or
        fops_put(f->f_op) where ``f->f_op`` is what fops_get() gave (its result
        reports the acquisition). Another pointer (fops_put(old)) is no such copy."""
        res = st.resources.res
        held = {k for k, r in res.items()
                if k.startswith((name + "->", name + ".")) and r.status == HELD}
        if value is None or not held or name not in self.ctx.reused_locals:
            return False
        old = st.resolve(name)
        p = path_of(value)
        return old is not None and render(old) == render(value) or \
            p is not None and bool(held & set(st.resources.links.get(p, ())))

    def _held_parent(self, st: State, call: Call, j: int) -> str:
        """The key of the object this function holds that argument ``j``, a parent,
        names: "" when it holds none."""
        p = object_path(path_of(call.args[j])) if j < len(call.args) else None
        if p is None:
            return ""
        p = held_name(self.ctx, st.resources, p)
        r = st.resources.res.get(p)
        return p if r is not None and r.status == HELD else ""

    def _hand_to_parent(self, st: State, call: Call, acq: KnownAcquire, obj: str,
                        key: str) -> None:
        """The object just acquired under a caller's parent belongs to the parent's tree,
        with what embeds it (``kobject_add(&ke->base, &parent->base, ...)`` hands
        ``ke``). An acquire held on failure (kobject_add(), whose caller must still
        kobject_put() when it fails) hands it over only where it succeeded: a test that
        finds it failed brings it back."""
        res = st.resources.res
        moved = []
        along = self._handed_along(st, obj) if isinstance(acq.object, int) else [obj]
        for q in along:
            if q in res and res[q].status == HELD:
                res[q] = res[q].moved(ESCAPED, call.loc.line, Cause.CALL, call.callee,
                                      render(call))
                moved.append(q)
        if moved and isinstance(acq.object, int):
            links = st.resources.links
            links[key] = links.get(key, ()) + tuple(HANDED + q for q in moved)

    def _pin(self, st: State, arg: Expr, obj: str) -> None:
        """The object ``obj`` just acquired holds a reference on what ``arg`` points at
        (the knowledge's ``pins``: kobject_create_and_add(name, &x->kobj)): where this
        function holds that as a counted reference, ``obj`` records it (``Res.pins``),
        and while ``obj`` is held a put of that one is not the last (``_perhaps_frees``)."""
        p = object_path(path_of(arg))
        key = held_name(self.ctx, st.resources, p) if p is not None else None
        r = st.resources.res.get(key) if key is not None else None
        if key is not None and r is not None and r.status == HELD and r.kind.is_counted:
            st.resources.res[obj] = replace(st.resources.res[obj], pins=key)

    def _unknown_callback_fields(self, st: State, call: Call, rel: ReleaseFact) -> set[str]:
        """What the put of an embedded member whose release callback nobody here
        describes perhaps frees: the objects held in fields of the object that embeds
        the member (``put_device(&afu->dev)``, whose callback another file set through
        an ops table, frees ``afu->native``). A callback frees what its container
        holds as a rule; the walk cannot tell which, so they count as perhaps
        released (``Res.sure``), as the container itself does. Not for the put of an
        extra reference, which is not known to be the last."""
        member = embedded_path(self.ctx, st, call.args[rel.arg])
        if member is None or self.ctx.release_callback(member) is not None:
            return set()
        if rel.callback is not None and rel.callback < len(call.args):
            fn = function_named(call.args[rel.callback])
            if fn is not None and self.ctx.summary(fn) is not None:
                return set()  # kref_put(&x->ref, foo_release): its summary says
        res = st.resources.res
        r = res.get(held_name(self.ctx, st.resources, member))
        a = self.ctx.kb.acquire(r.acquire) if r is not None and r.acquire else None
        if r is not None and (r.count > 1 or a is not None and a.extra):
            return set()
        container = member.rsplit("->", 1)[0]
        return {q for q, x in res.items() if x.status == HELD and not x.kind.is_hold
                and q.startswith(container + "->") and q != member
                and not q.startswith((member + ".", member + "->", member + PART_SEP))}

    def _container_of_arg(self, st: State, call: Call, j: int) -> str | None:
        """The object that embeds what argument ``j`` points at, for a callee that frees
        the container of its parameter: ``x`` for ``&x->member``, or an allocation this
        function holds passed whole, cast to the type of its first member
        (``foo_detach((struct foo_pub *)di)``, whose ``container_of(pub, struct
        foo_info, pub)`` is ``di`` again: an allocation has nothing around it)."""
        if j >= len(call.args):
            return None
        container = embedding_object(self.ctx, st, call.args[j])
        if container is not None:
            return container
        arg = call.args[j]
        aliases = self.ctx.member_aliases
        if isinstance(arg, Var) and "->" in aliases.get(arg.name, ""):
            # foo_unload(dev) after priv = to_foo_private(dev): dev is &priv->dev
            return member_root(aliases, aliases[arg.name]).rsplit("->", 1)[0]
        p = path_of(call.args[j])
        p = held_name(self.ctx, st.resources, p) if p is not None and \
            not p.startswith("&") else None
        r = st.resources.res.get(p) if p is not None else None
        if r is None or r.kind is not Kind.MEMORY or not r.acquire:
            return None
        a = self.ctx.kb.acquire(r.acquire)
        s = self.ctx.summary(r.acquire)
        allocated = a.object == "ret" if a is not None else s is not None and s.ret_alloc
        return p if allocated else None

    def _passed_function_call(self, st: State, call: Call, k: int, passed: tuple[int, ...],
                              line: int) -> None:
        """The callee calls the function pointer it is given as argument ``k`` on its
        arguments ``passed`` (``foo_init(x, foo_free)`` whose failure runs
        ``res_free(res)``): when this function passes one of its file's functions
        there, the call does what a call of it on those arguments does (frees ``x``)."""
        fn = function_named(call.args[k]) if k < len(call.args) else None
        if fn is None or fn == call.callee or \
                self.ctx.summary(fn) is None or max(passed, default=len(call.args)) \
                >= len(call.args):
            return
        inner = Call(fn, tuple(call.args[j] for j in passed),
                     Loc(call.loc.line, -1 - k))  # a key of its own for its result links
        self.call(st, inner, line, None)

    def _returned_owned(self, st: State, path: str) -> str | None:
        """The held object ``path`` is a field of, when the constructor that returned it
        stored there an object that owns it (``Summary.ret_owners``); else None."""
        root = root_of(path)
        r = st.resources.res.get(root)
        if r is None or r.status != HELD or not r.acquire or not path.startswith(root + "->"):
            return None
        made = self.ctx.summary(r.acquire)
        return root if made is not None and path[len(root) + 2:] in made.ret_owners else None

    def _callback_releases(self, st: State, call: Call, rel: ReleaseFact | None, kind: Kind,
                           summary: Summary | None) -> set[str]:
        """What the release callback the function set on a member frees when a call
        drops that member's last reference (``x->dev.release = foo_release; ...
        put_device(&x->dev)``, or ``foo_unregister(x)`` whose summary puts ``x->dev``):
        the container ``x`` when the callback frees it, and the paths below ``x`` that
        it frees (``kfree(x->buf)`` in the callback)."""
        out = self._passed_callback_releases(st, call, rel)
        callbacks = self.ctx.release_callbacks
        if not callbacks:
            return out
        members: list[str] = []
        wholes: list[str] = []
        for j, a in enumerate(call.args):
            if rel is not None and rel.arg == j and kind in CONTAINER_RELEASE_KINDS or \
                    summary is not None and j in summary.releases:
                m = embedded_path(self.ctx, st, a)
                p = object_path(path_of(a)) if m is None and not isinstance(a, Unary) \
                    else None
                if m is not None:
                    members.append(m)
                elif p is not None and p in callbacks:
                    wholes.append(p)  # the object itself, in a local or a field:
                    # kobject_init_and_add(kobj, &foo_ktype), x->cdev->release = foo_release
            if rel is not None and rel.member and rel.arg == j and \
                    (p := path_of(a)) is not None and not p.startswith("&"):
                members.append(member_root(self.ctx.member_aliases, f"{p}->{rel.member}"))
            base = path_of(a) if summary is not None and summary.releases_members.get(j) \
                else None
            if base is not None and not base.startswith("&") and summary is not None:
                members += [member_root(self.ctx.member_aliases, f"{base}->{f}")
                            for f in summary.releases_members[j]]
        return out | self._run_callbacks(st, members) | self._run_whole_callbacks(st, wholes)

    def _more_references(self, st: State, arg: Expr, part: str) -> bool:
        """Does this function hold more than one reference on what ``arg`` names
        (``device_initialize(&d->dev); get_device(&d->dev);``)? Then a put of it is not
        the last, and the object that embeds it stays."""
        p = _object_of(self.ctx, arg)
        if p is None:
            return False
        r = st.resources.res.get(resource_key(held_name(self.ctx, st.resources, p, part), part))
        return r is not None and r.shared

    def _run_callbacks(self, st: State, members: list[str]) -> set[str]:
        """What the release callbacks bound to ``members`` free when their last put runs
        them: the object that embeds the member when the callback frees its
        container, the paths below it the callback frees, the file's globals it frees,
        and the driver data the function lent the member when the callback frees
        that."""
        out: set[str] = set()
        for member in members:
            held = st.resources.res.get(member)
            if held is not None and held.shared:
                continue  # not its last reference: the callback does not run yet
            bound = self.ctx.release_callback(member)
            cb = self.ctx.summary(bound[0]) if bound is not None else None
            if cb is None or bound is None:
                continue
            container = _embedder(st, bound[1])  # x, or x->adev for one in x->adev
            out.update(_lent_releases(self.ctx.lent.get(member), cb.releases_fields.get(0, ())))
            if cb.frees_container(0):
                out.add(container.split("->", 1)[0])  # the object that embeds it all
            sep = "." if "->" in container else "->"
            out.update(f"{container}{sep}{f}" for f in cb.releases_container_fields.get(0, ()))
            out.update(cb.releases_globals)  # kfree(foo_attrs) of the file's global
        return {p for p in out if p in st.resources.res}

    def _run_whole_callbacks(self, st: State, objects: list[str]) -> set[str]:
        """What the release callbacks bound to whole objects (a pointer to the device
        or kobject itself, not a member embedded in another object: ``x->cdev =
        kzalloc(...); x->cdev->release = foo_release; put_device(x->cdev)``) free
        when their last put runs them: the object when the callback frees its
        parameter, the fields of it and the file's globals the callback frees."""
        out: set[str] = set()
        res = st.resources.res
        for obj in objects:
            held = res.get(obj)
            if held is not None and held.shared:
                continue  # not its last reference: the callback does not run yet
            bound = self.ctx.release_callbacks.get(obj)
            cb = self.ctx.summary(bound) if bound is not None else None
            if cb is None:
                continue
            if cb.frees_container(0):
                out.add(obj)
            out.update(f"{obj}->{f}" for f in cb.releases_fields.get(0, ()) if not pseudo_field(f))
            out.update(cb.releases_globals)
        return {p for p in out if p in res}

    def _field_put_releases(self, st: State, call: Call, summary: Summary | None) -> set[str]:
        """What a callee frees by releasing the pointer fields of what it is given that
        this function pointed at a member embedded in an object with a release
        callback (``mdev->iface.dev = &mdev->dev; foo_register(&mdev->iface)``, which
        does ``put_device(iface->dev)`` when it fails): what that callback frees. Only
        where the call fails (``FAILED_ONLY``): a callee that puts a device it was given
        has, when it succeeds, registered it, and the caller still has to undo that."""
        if summary is None or not summary.releases_fields:
            return set()
        members: list[str] = []
        stored = self.ctx.stored_members
        for j, fields in summary.releases_fields.items():
            base = path_of(call.args[j]) if j < len(call.args) else None
            if base is None:
                continue
            holder = base[1:] + "." if base.startswith("&") else base + "->"
            members += [m for f in fields if not pseudo_field(f) and "->" not in f
                        and (m := stored.get(member_root(self.ctx.member_aliases, holder + f)))]
        return self._run_callbacks(st, members) if members else set()

    def _freed_on_failure(self, st: State, call: Call) -> set[str]:
        """What an [owner] that takes its argument over only when it fails (``on_failure``)
        frees then: the object, and the object that embeds it when the argument is a
        member's address (``ttm_bo_init_validate(bdev, &bo->tbo, ..., destroy)``, whose
        destroy callback frees ``bo``). Released only where the call fails
        (``FAILED_ONLY``): where a test finds that it succeeded, still held."""
        kb = self.ctx.kb
        j = kb.owner_arg(call.callee)
        if j is None or j >= len(call.args) or not kb.owns_on_failure(call.callee):
            return set()
        arg = call.args[j]
        out = set()
        p = object_path(path_of(arg))
        if p is not None:
            out.add(held_name(self.ctx, st.resources, p))
        container = embedding_object(self.ctx, st, arg)
        aliases = self.ctx.member_aliases
        if container is None and p is not None and p in aliases:  # tbo = &lbo->tbo
            container = member_root(aliases, aliases[p]).rsplit("->", 1)[0]
        if container is not None:
            out.add(held_name(self.ctx, st.resources, container))
        return out

    def _reset_releases(self, st: State, call: Call, line: int) -> set[str]:
        """What an [owner] that runs its action on its data when it fails (``reset``:
        devm_add_action_or_reset()) releases then: what a call of the action, a function
        of this file, on the data releases (``foo_unregister(ctrl)`` disables the runtime
        PM of ``ctrl->dev``), read from a trial of that call on a copy of the path.
        Released only where the call fails (``FAILED_ONLY``)."""
        kb = self.ctx.kb
        action, owner = kb.owner_action(call.callee), kb.owner_arg(call.callee)
        if action is None or owner is None or not kb.resets_on_failure(call.callee) or \
                max(action, owner) >= len(call.args):
            return set()
        fn = function_named(call.args[action])
        if fn is None or fn == call.callee or self.ctx.summary(fn) is None:
            return set()
        trial = st.copy()
        self.call(trial, Call(fn, (call.args[owner],), Loc(call.loc.line, -1 - action)),
                  line, None)
        after = trial.resources.res
        return {k for k, r in st.resources.res.items()
                if r.status == HELD and k in after and after[k].status == RELEASED}

    def _same_args_releases(self, st: State, call: Call, same: list[int]) -> set[str]:
        """What a release that names its object by the arguments of the call that
        acquired it frees (``device_link_remove(dev, sup)`` drops the link that
        ``device_link_add(dev, sup, flags)`` returned): the objects that list it as
        their release and were acquired with the same access paths at ``same``."""
        if not same or max(same) >= len(call.args):
            return set()
        paths = tuple((j, path_of(call.args[j])) for j in same)
        if any(p is None for _, p in paths):
            return set()
        return {q for q, r in st.resources.res.items()
                if call.callee in r.releases and r.args and
                all(x in r.args for x in paths)}

    def _passed_callback_releases(self, st: State, call: Call,
                                  rel: ReleaseFact | None) -> set[str]:
        """What the release function passed to a put frees when the put drops the last
        reference (``kref_put(&x->ref, foo_release)``, the knowledge's ``callback``):
        ``x`` and the paths below it that ``foo_release`` frees (``kfree(x->buf)``).
        Only a reference this function took once (``kref_init(&x->ref)``) is known to
        be the last one."""
        if rel is None or rel.callback is None or \
                max(rel.arg, rel.callback) >= len(call.args):
            return set()
        fn = function_named(call.args[rel.callback])
        cb = self.ctx.summary(fn) if fn is not None else None
        member = embedded_path(self.ctx, st, call.args[rel.arg])
        r = st.resources.res.get(member) if member is not None else None
        if cb is None or member is None or r is None or r.status != HELD or r.shared:
            return set()
        container = member.rsplit("->", 1)[0]
        out = {container} if 0 in cb.releases_container else set()
        out.update(f"{container}->{f}" for f in cb.releases_container_fields.get(0, ()))
        return {p for p in out if p in st.resources.res}

    def _perhaps_frees(self, st: State, call: Call, rel: ReleaseFact | None,
                       summary: Summary | None, released: set[str],
                       by_knowledge: set[str]) -> set[str]:
        """What of ``released`` the call perhaps frees, but not surely: a double release
        or a use after release needs the first release to free what the second one
        touches, where a leak check may take a perhaps for a release.

        - A release that keeps its object (the knowledge's ``keeps_object``:
          usb_kill_urb() cancels), or a same-file callee that releases it only
          through such releases (``summary.keeps``: a wrapper of unregister_candev(),
          which unregisters and leaves the netdev to free_candev()).
        - The put of an extra reference (``get_device(dev)``, ``kref_get(&x->ref)``:
          the knowledge's ``extra``): the reference itself is dropped, but the count
          was above 0 before the get, so the put is not known to be the last, and
          what its release callback frees is perhaps freed.
        - A counted reference dropped by the release the knowledge pairs with another
          acquisition (``platform_device_unregister(pdev)`` of a device that
          ``bus_find_device()`` returned drops the registration's reference, not the
          lookup's). A lookup that puts the node it starts from
          (``of_find_compatible_node(from, ...)``) is the pair of none: it puts the
          reference the caller holds on it, whichever that is."""
        res = st.resources.res
        out: set[str] = set()
        if rel is not None and rel.keeps_object:
            out |= by_knowledge
        for j in summary.keeps if summary is not None else ():
            p = object_path(path_of(call.args[j])) if j < len(call.args) else None
            if p is not None:
                out.add(held_name(self.ctx, st.resources, p))
        if rel is None or rel.arg >= len(call.args):
            return out
        arg = call.args[rel.arg]
        member = embedded_path(self.ctx, st, arg)
        obj = member if member is not None else _object_of(self.ctx, arg)
        key = held_name(self.ctx, st.resources, obj) if obj is not None else None
        r = res.get(key) if key is not None else None
        a = self.ctx.kb.acquire(r.acquire) if r is not None and r.acquire else None
        if r is not None and r.kind is Kind.REFERENCE and a is not None and a.extra and \
                r.count <= 1:
            out |= released - {key}
        if key is not None and any(x.pins == key and x.status == HELD for x in res.values()):
            out |= released  # kobject_put(&x->kobj) while a child kobject holds x->kobj
        if self.ctx.kb.released_kind(call.callee) is Kind.UNKNOWN:
            return out  # of_find_compatible_node(from, ...): a put of whatever holds from
        for q in released:  # the pair of another acquisition: another reference
            r = res.get(q)
            if r is not None and r.kind is Kind.REFERENCE and r.releases and \
                    call.callee not in r.releases and canonical(call.callee) not in r.releases:
                out.add(q)
        return out

    def _callback_keeps(self, st: State, arg: Expr) -> bool:
        """Does the release callback a put of the member ``arg`` points at runs leave the
        object that embeds it (``x`` of ``put_device(&x->dev)``)? So when the function
        gave the member a callback (or a type whose callback) whose summary shows it
        frees neither its container nor hands it to code nobody describes: it only
        frees fields, or completes (``complete(&x->done)``), and the caller frees the
        container itself (``kfree(x)`` after the put is no double free)."""
        member = embedded_path(self.ctx, st, arg)
        bound = self.ctx.release_callback(member) if member is not None else None
        cb = self.ctx.summary(bound[0]) if bound is not None else None
        return cb is not None and cb.frees_container(0) is False

    def _first_step_elsewhere(self, acq: KnownAcquire, old: Res | None, line: int) -> Res | None:
        """The first step of a two-step set-up that a caller made (``device_add(&x->dev)``
        of a device that ``device_initialize()`` set up elsewhere: the knowledge's
        ``after``): held, but by nobody here (no acquire), so that ``device_del()``
        then ``put_device()`` undo the two steps one by one."""
        first = self.ctx.kb.acquire(acq.after) if acq.after and old is None else None
        if first is None:
            return None
        return Res(first.kind, "", line, frozenset(first.release), HELD, first.fails)

    def null_before(self, st: State, arg: Expr) -> bool:
        """Is ``arg`` the address of a pointer (``&sock``, ``&priv->sock``) that this path
        knows is NULL before the call writes it?"""
        if not (isinstance(arg, Unary) and arg.op == "&"):
            return False
        p = path_of(arg.operand)
        if p is None:
            return False
        if st.values.known.get(p) == 0:
            return True
        f = st.fact(p) if "->" in p or "." in p else None
        return f is not None and f.status == "null"

    def _filled(self, st: State, call: Call) -> tuple[str, ...]:
        """What a release of what its object holds frees (``bio_free_pages(bio)``): what
        the knowledge's fill calls put into that object on this path (``fill()``)."""
        if call.callee not in self.ctx.kb.frees_filled or not call.args:
            return ()
        holder = object_path(path_of(call.args[0]))
        return st.resources.links.pop(_filled_key(holder), ()) if holder is not None else ()

    def fill(self, st: State, call: Call, line: int) -> None:
        """``usb_fill_bulk_urb(urb, ..., buf, ...)``: ``buf`` goes with ``urb`` once (or if
        already) ``urb`` carries the knowledge's owner flag (URB_FREE_BUFFER).
        ``__bio_add_page(bio, page, ...)``: ``page`` is in ``bio``, for the release
        that frees what the bio holds (``_filled()``)."""
        for fills in self.ctx.kb.frees_filled.values():
            k = fills.get(call.callee)
            if k is None or k >= len(call.args):
                continue
            holder, buf = object_path(path_of(call.args[0])), object_path(path_of(call.args[k]))
            if holder is not None and buf is not None:
                links = st.resources.links
                links[_filled_key(holder)] = links.get(_filled_key(holder), ()) + (buf,)
        for flag in self.ctx.kb.owner_flags.values():
            k = flag.fill.get(call.callee)
            if k is None or k >= len(call.args):
                continue
            holder, buf = object_path(path_of(call.args[0])), object_path(path_of(call.args[k]))
            if holder is None or buf is None:
                continue
            if _flag_key(flag.name, holder, True) in st.resources.links:
                self._hand_over(st, buf, holder, line)
            else:
                st.resources.links[_flag_key(flag.name, holder, False)] = (buf,)

    def unfill(self, st: State, name: str) -> None:
        """``page`` assigned again: the object it names now is not the one a fill call
        put into a bio before (the next turn of a loop)."""
        links = st.resources.links
        for key in [k for k, v in links.items() if k.startswith(_FILLED) and name in v]:
            links[key] = tuple(b for b in links[key] if b != name)

    def flag_store(self, st: State, target: str, op: str, value: Expr | None,
                   line: int) -> None:
        """``urb->transfer_flags |= URB_FREE_BUFFER``: what was filled into ``urb`` is
        now freed with it."""
        holder, sep, fld = target.rpartition("->")
        if not sep:
            holder, sep, fld = target.rpartition(".")
        if not sep:
            return
        links = st.resources.links
        for flag in self.ctx.kb.owner_flags.values():
            if flag.field != fld or op not in ("=", "|=") or not sets_bit(value, flag.value):
                continue
            links[_flag_key(flag.name, holder, True)] = ()
            for buf in links.pop(_flag_key(flag.name, holder, False), ()):
                self._hand_over(st, buf, holder, line)

    def _hand_over(self, st: State, buf: str, holder: str, line: int) -> None:
        r = st.resources.res.get(buf)
        if r is not None and r.status == HELD:
            st.resources.res[buf] = r.moved(ESCAPED, line, Cause.STORED, holder)

    def null_tested(self, st: State, path: str, null: bool, line: int) -> bool:
        """A test of ``path`` against NULL that comes out ``null``; False when the edge
        contradicts what the path knows (its acquisition failed with an ERR_PTR())."""
        res = st.resources.res
        if null:
            # a = b = kmalloc(): b tested NULL says a holds nothing either; np tested NULL
            # says what of_get_parent(np) returned holds nothing (``null_arg``)
            for o in st.resources.links.get(path, ()):
                # (also when stored: addr = *vaddr = alloc(); if (!*vaddr) holds nothing)
                if o in res and res[o].status in (HELD, ESCAPED) and res[o].fails == "null":
                    res[o] = res[o].moved(FAILED, line, Cause.NULL_TESTED)
        inner = self.ctx.container_values.get(id(st.resolve(path)))
        if null and inner is not None and \
                held_name(self.ctx, st.resources, inner) in st.values.ok:
            # if (dev) zdev = to_zorp_dev(dev); if (!zdev): container_of() of a pointer
            # found valid is not NULL
            return False
        # p = (char *)page; if (!p): a test of another name of the object tests it
        tested, path = path, held_name(self.ctx, st.resources, path)
        if null and path != tested and path in st.values.ok:
            v = st.resolve(tested)
            if isinstance(v, Var) and held_name(self.ctx, st.resources, v.name) == path:
                # q = p, after p was found valid: q holds the same pointer, not NULL
                # (nq = kzalloc(); if (nq) kfree(q); q = nq; if (!q) return -ENOMEM;)
                return False
            return True  # the object was found valid: NULL is its other name's answer
        r = res.get(path)
        if r is not None and r.status == HELD:
            if null and r.kind != Kind.REGION:  # NULL on this edge: nothing was acquired
                # (not a claimed range, named by its start address: base = (void
                # *)res->start; if (!base) tests the address, not the claim)
                res[path] = r.moved(FAILED, line, Cause.NULL_TESTED)
        elif r is not None and r.status == FAILED:  # its acquisition failed: NULL or ERR_PTR()
            errptr = r.fails == "errptr" and r.cause is not Cause.NULL_TESTED
            if null == errptr and r.fails in ("null", "errptr"):
                return False
            if null and r.cause is not Cause.NULL_TESTED:  # the object itself is NULL here
                res[path] = r.moved(FAILED, line, Cause.NULL_TESTED)
        return True

    def zero_means_null(self, st: State, cond: Expr, taken: bool, line: int) -> None:
        """``addr = p ? __pa(p) : 0; if (!addr) return -1;``: where ``addr`` is 0, the
        pointer it was computed from is NULL, so nothing it holds was acquired."""
        c, truth = cond, taken
        while isinstance(c, Unary) and c.op == "!":
            c, truth = c.operand, not truth
        p = path_of(c)
        v = st.resolve(p) if p is not None and not truth else None
        if not (isinstance(v, Cond) and isinstance(v.other, Const) and v.other.value == 0
                and not isinstance(v.then, Const)):
            return
        nt = null_test(v.cond, st.resolve)
        if nt is None or nt[1]:
            return  # not "p ? ... : 0"
        r = st.resources.res.get(nt[0])
        if r is not None and r.status == HELD and r.fails == "null":
            st.resources.res[nt[0]] = r.moved(FAILED, line, Cause.NULL_TESTED)


    def fresh_equals(self, st: State, cond: Expr, taken: bool) -> bool:
        """Does this edge need a new allocation to equal another object (``if (pages !=
        on_stack) kfree(pages);``)? It cannot. The other may be read through a pointer
        (``if (*node != in) kfree(in);``): a held allocation was stored nowhere."""
        if not (isinstance(cond, Binary) and cond.op in ("==", "!=")) or \
                (cond.op == "==") != taken:
            return False
        for a, b in ((cond.lhs, cond.rhs), (cond.rhs, cond.lhs)):
            p = path_of(a)
            q = path_of(b.operand if isinstance(b, Unary) and b.op == "*" else b)
            r = st.resources.res.get(p) if p is not None else None
            if r is None or r.status != HELD or not r.acquire or q is None or q == p:
                continue
            acq = self.ctx.kb.acquire(r.acquire)
            if acq is None or acq.object == "ret":
                return True
        return False


    def counted_before(self, st: State, cond: Expr, taken: bool, line: int) -> None:
        """On the edge where a count of an acquisition's successes is above another
        value (``i < nr_held``, ``nr_held > 0``, ``nr_held``:
        ``FunctionContext.success_counters``), earlier iterations took it: where its
        last attempt failed, that many are held all the same, a number the walk does
        not know (``UNKNOWN``), and an unwind bounded by the count drops them."""
        counter = _counter_above(cond, taken, self.ctx.success_counters)
        if counter is None:
            return
        callee = self.ctx.success_counters[counter]
        res = st.resources.res
        for k, r in list(res.items()):
            if r.status == FAILED and r.cause is Cause.ACQUIRE_FAILED and r.acquire == callee:
                res[k] = r.moved(UNKNOWN, line, Cause.COUNTED, counter)

    def acquisition_outcome(self, st: State, chk: Check, taken: bool, line: int) -> bool:
        """On the branch where an acquiring call failed, its object is not held.

        False when the edge contradicts an earlier failure check of the same
        acquisition (``if (IS_ERR(p)) goto out; ... out: if (!IS_ERR(p)) put(p);``).
        """
        subject = path_of(chk.subject)
        if isinstance(chk.subject, Call):
            key = _call_key(chk.subject)
        else:
            key = subject or ""
        objs = list(st.resources.links.get(key, ()))
        origin = chk.subject if isinstance(chk.subject, Call) else \
            st.resolve(subject) if subject is not None else None
        if isinstance(origin, Assign):
            origin = origin.value
        if isinstance(origin, Call) and origin.callee in ERR_OR_ZERO and origin.args:
            # rc = PTR_ERR_OR_ZERO(priv->dev); if (rc), or if (PTR_ERR_OR_ZERO(priv->dev)):
            # the IS_ERR() test of priv->dev
            tested = object_path(path_of(origin.args[0]))
            objs += st.resources.links.get(tested, ()) if tested is not None else ()
            if subject is None:
                subject = tested  # tested directly: the pointer is what the test is of
        if subject is not None:
            named, subject = subject, held_name(self.ctx, st.resources, subject)
            if subject != named and subject in st.values.ok:
                subject = None  # found valid already: the failure is its other name's
        if subject is not None and subject in st.resources.res:
            a = self.ctx.kb.acquire(st.resources.res[subject].acquire)
            if a is None or a.object == "ret":  # if (dev->irq) does not test request_irq()
                objs.append(subject)
        failed_errno = taken == chk.fails_when
        for o in [o for o in objs if o.startswith(EXTRA)]:
            r = st.resources.res.get(o[len(EXTRA):])
            if failed_errno and r is not None and r.status == HELD and r.count > 1 and \
                    not r.held_on_failure:
                st.resources.res[o[len(EXTRA):]] = replace(r, count=r.count - 1)
        for o in [o for o in objs if o.startswith(HANDED)]:
            r = st.resources.res.get(o[len(HANDED):])
            if failed_errno and r is not None and r.status == ESCAPED and r.cause is Cause.CALL:
                st.resources.res[o[len(HANDED):]] = r.held_again()
        for o in [o for o in objs if o.startswith(FAILED_ONLY)]:
            r = st.resources.res.get(o[len(FAILED_ONLY):])
            if not failed_errno and r is not None and r.status == RELEASED and \
                    r.cause is Cause.CALL and self.ctx.kb.resets_on_failure(r.by):
                # devm_add_action_or_reset() succeeded: its action releases it later
                st.resources.res[o[len(FAILED_ONLY):]] = replace(r, status=ESCAPED)
            elif not failed_errno and r is not None and r.status == RELEASED and \
                    r.cause is Cause.CALL:
                st.resources.res[o[len(FAILED_ONLY):]] = r.held_again()
        objs = [o for o in objs if not o.startswith((EXTRA, HANDED, FAILED_ONLY, KEPT))]
        for o in objs:
            r = st.resources.res.get(o)
            if r is not None and r.status == FAILED and not failed_errno and \
                    r.cause is Cause.ACQUIRE_FAILED:
                return False
            if r is None or r.status != HELD or r.held_on_failure:
                continue
            if r.popped is not None and r.popped.status == FAILED and \
                    r.popped.acquire == chk.callee != r.acquire:
                continue  # its failure, tested again: the step under it still stands
            if failed_errno and r.under is not None:
                # the second step failed: the first stands
                st.resources.res[o] = replace(r.under, popped=replace(
                    r.moved(FAILED, line, Cause.ACQUIRE_FAILED), under=None))
            elif failed_errno:
                st.resources.res[o] = r.moved(FAILED, line, Cause.ACQUIRE_FAILED)
        return True


    def kept_outcome(self, st: State, path: str, value: int, line: int) -> None:
        """The edge where ``path`` equals ``value``: an object a call whose result
        ``path`` holds leaves to a completion when it returns that value (a links
        entry ``KEPT``) is the callee's now."""
        for o in st.resources.links.get(path, ()):
            if not o.startswith(KEPT):
                continue
            v, callee, obj = o[len(KEPT):].split(KEPT, 2)
            r = st.resources.res.get(obj)
            if int(v) == value and r is not None and r.status == HELD:
                st.resources.res[obj] = r.moved(ESCAPED, line, Cause.CALL, callee,
                                                f"{callee}() returned {value}")

    def tie_flag(self, st: State, path: str, op: str, value: Expr | None, line: int) -> None:
        """``path op= value`` was stored: what it was tied to is forgotten; tie it to
        the acquisition whose result ``value`` tests, or, for a store that sets a flag
        (``path = 1``, ``flags |= BIT``, ``count++``) with nothing called since an
        acquisition succeeded, to that acquisition (ties.py)."""
        ties = st.resources.ties
        fs = flag_set(path, op, value)
        bit = fs is not None and fs[0] != path
        for k in [k for k in ties if _stored_over(k, path, fs[0] if bit and fs else None)]:
            del ties[k]
        if value is None:
            return
        res = st.resources.res
        for c in calls_in(value) if op == "=" else ():
            acq = self.ctx.kb.acquire(c.callee)
            if acq is None:
                continue
            h = c.args[acq.handle] if acq.handle is not None and \
                acq.handle < len(c.args) else None
            handle = path_of(h.operand) if isinstance(h, Unary) and h.op == "&" else None
            held = [k for k, r in res.items() if r.line == line and r.acquire == c.callee
                    and r.status == HELD and k == path]
            if handle is not None and held:
                # buf = dma_alloc_coherent(dev, n, &dma, gfp): dma is zero only where
                # the buffer is not held (the knowledge's handle)
                ties[handle] = Tie(path, line, None, False)
            objs = [k for k, r in res.items() if r.line == line and r.acquire == c.callee
                    and r.status == HELD and not r.held_on_failure]
            o = outcome(value, c, acq.fails == "zero")
            if len(objs) == 1 and o is not None and o != (None, None) and value is not c:
                ties[path] = Tie(objs[0], line, o[0], o[1])
                return
        saved = saved_result(value, st.resolve) if op == "=" and not calls_in(value) else None
        if saved is not None and (acq := self.ctx.kb.acquire(saved[1].callee)) is not None:
            # flag = !ret, ret = regulator_enable(r) earlier on this path: the flag is
            # computed from the acquisition's result as if from the call itself
            c = saved[1]
            objs = [k for k, r in res.items() if r.line == c.loc.line and
                    r.acquire == c.callee and r.status == HELD and not r.held_on_failure]
            o = outcome(saved[0], c, acq.fails == "zero")
            if len(objs) == 1 and o is not None and o != (None, None):
                ties[path] = Tie(objs[0], c.loc.line, o[0], o[1])
                return
        last = self.last_call(st)
        if fs is None or not fs[1] or op == "=" and constant(value) != 1 or last is None:
            return
        run = self.acquired_in_a_row(st)
        if run:
            ties[fs[0]] = Tie(run[0][0], run[0][1], True, False, record=True,
                              more=tuple(run[1:]))

    def acquired_in_a_row(self, st: State) -> list[tuple[str, int]]:
        """The objects, with their lines, that the last calls of this path acquired
        and still hold, newest first: one per call, back to the first call that
        acquired nothing (past printk-style calls); empty when the last call did not."""
        out: list[tuple[str, int]] = []
        chain = st.call_chain
        res = st.resources.res
        while chain is not None:
            c = chain[0]
            chain = chain[1]
            if self.ctx.kb.printer_format(c.callee) is not None:
                continue
            objs = [k for k, r in res.items() if r.line == c.line and r.acquire == c.callee
                    and r.status == HELD and not r.held_on_failure]
            if len(objs) != 1:
                break
            out.append((objs[0], c.line))
        return out

    def last_call(self, st: State) -> CallRec | None:
        """The last call this path made (its ``CallRec``), past the printk-style calls
        (the knowledge's printers): a message logged between a successful acquisition
        and the flag that records it writes neither the flag nor the object."""
        chain = st.call_chain
        while chain is not None and self.ctx.kb.printer_format(chain[0].callee) is not None:
            chain = chain[1]
        return chain[0] if chain is not None else None

    def flag_outcome(self, st: State, cond: Expr, taken: bool, line: int) -> bool:
        """A test of a tied flag: where it says the object is not held, it is not; False
        when it says the object is held on a path where its acquisition failed."""
        ft = flag_tested(cond, taken)
        tie = st.resources.ties.get(ft[0]) if ft is not None else None
        if ft is None or tie is None:
            return True
        held = tie.when_true if ft[1] else tie.when_false
        if held is None:
            return True
        for obj, at in ((tie.obj, tie.line), *tie.more):
            r = st.resources.res.get(obj)
            if r is None or r.line != at:
                continue
            if held and r.status == FAILED:
                return False
            if not held and r.status == HELD:
                st.resources.res[obj] = r.moved(ESCAPED, line, Cause.FLAG, ft[0]) \
                    if tie.record else r.moved(FAILED, line, Cause.ACQUIRE_FAILED)
        return True

    def query_outcome(self, st: State, cond: Expr, taken: bool) -> bool:
        """``if (regulator_is_enabled(r))`` while this path holds ``regulator_enable(r)``:
        the knowledge's ``[held_query]`` says the query is true then, and its
        ``[held_field]`` that ``pdev->msi_enabled`` is after ``pci_enable_msi(pdev)``;
        False for the edge where it would be false."""
        c, truth = truth_tested(cond, taken)
        if truth:
            return True
        kb = self.ctx.kb
        if isinstance(c, Member) and c.arrow and (held := kb.held_fields.get(c.name)):
            # if (pdev->msi_enabled) pci_disable_msi(pdev): the [held_field] it sets
            q: tuple[int, frozenset[str]] | None = (0, held)
            p = object_path(path_of(c.base))
        else:
            q = kb.held_query(c.callee) if isinstance(c, Call) else None
            if q is None or not isinstance(c, Call) or q[0] >= len(c.args):
                return True
            p = object_path(path_of(c.args[q[0]]))
        if p is None or q is None:
            return True
        res = st.resources.res
        # the object itself, or a part of it (pm_runtime_enable()'s enable count)
        keys = [p, *(k for k in res if k.startswith(p + PART_SEP))]
        return not any(res[k].status == HELD and res[k].acquire in q[1]
                       for k in keys if k in res)

    # the walk -----------------------------------------------------------


def _embedder(st: State, container: str) -> str:
    """``container`` written from the object that embeds it on this path: a local that
    points at a member here (``mc_dev = &mc_bus->mc_dev`` on one branch, a kzalloc()
    on the other, so no alias for the whole function) is that member
    (``mc_bus->mc_dev``), and what frees it through container_of() frees ``mc_bus``."""
    root, sep, rest = container.partition("->")
    held = st.resolve(root)
    inner = path_of(held.operand) if isinstance(held, Unary) and held.op == "&" else None
    if inner is None or "->" not in inner:
        return container
    return f"{inner}.{rest}" if sep else inner


def _lent_releases(lender: str | None, fields: set[str] | tuple[()]) -> set[str]:
    """What a release callback frees of the driver data its device was lent
    (``dev_set_drvdata(&x->dev, x)``): ``x`` when it frees dev_get_drvdata(), and the
    paths below ``x`` it frees through it (``kfree(rdev->constraints)`` after
    ``rdev = dev_get_drvdata(dev)`` frees ``x->constraints``)."""
    if lender is None:
        return set()
    prefix = DRIVER_DATA + "->"
    out = {lender} if DRIVER_DATA in fields else set()
    return out | {lender + f[len(DRIVER_DATA):] for f in fields if f.startswith(prefix)}


def _stored_over(key: str, path: str, bit: str | None) -> bool:
    """Whether a store to ``path`` overwrites the tied flag ``key``: a store of the
    whole field does every flag in it and in what it points to; a store of one bit
    (``bit``: ``flags |= BIT``) does that bit's only."""
    if bit is not None:
        return key == bit
    base = flag_base(key)
    return base == path or base.startswith((path + "->", path + "."))


def _object_of(ctx: FunctionContext, e: Expr) -> str | None:
    """The object an argument names, through the knowledge's conversions
    (``__free_pages(virt_to_page(addr), order)`` frees what ``addr`` names) and the
    file's getters (``iounmap(get_hwbase(dev))`` unmaps ``dev->priv->base``)."""
    for _ in range(4):
        inner = converted_arg(ctx.kb, e)
        if inner is None:
            break
        e = inner
    if isinstance(e, Call):
        return object_path(read_path(ctx.summaries, e))
    return object_path(path_of(e))


def converted_arg(kb: Knowledge, e: Expr) -> Expr | None:
    """The argument whose object the value ``e`` gives another name for, through a
    conversion of the knowledge's ``same_object``: ``page_address(page)`` -> ``page``,
    and x86's expansion of virt_to_page(addr), ``vmemmap_base + (__phys_addr(addr) >>
    12)`` (an offset added to a conversion shifted by a constant) -> ``addr``. None
    for anything else."""
    if isinstance(e, Binary) and e.op == "+":
        sides = [x for x in (e.lhs, e.rhs) if _conversion(kb, _unshifted(x)) is not None]
        if len(sides) == 1:
            e = _unshifted(sides[0])
    return _conversion(kb, e)


def _unshifted(e: Expr) -> Expr:
    while isinstance(e, Binary) and e.op == ">>" and isinstance(e.rhs, Const):
        e = e.lhs
    return e


def _conversion(kb: Knowledge, e: Expr) -> Expr | None:
    if not isinstance(e, Call):
        return None
    j = kb.converts(e.callee)
    return e.args[j] if j is not None and j < len(e.args) else None


def _undoes_failed_step(r: Res, call: Call) -> bool:
    """Is ``call`` the release of the step stacked on ``r`` that failed on this path, and
    no release of ``r`` itself?"""
    return r.popped is not None and r.popped.status == FAILED and \
        call.callee in r.popped.releases and call.callee not in r.releases


def _stored_away(r: Res) -> bool:
    """Was ``r`` handed to a callee or stored into another object, and is that all that
    happened to it (a release here still ends it)?"""
    return r.status == ESCAPED and r.cause in (Cause.CALL, Cause.STORED)


def _element_at_computed_index(place: str) -> bool:
    """Is ``place`` (as written) an array element at an index that is not a
    constant (``pages[i]``, ``pages->slot[i + 1]``)?"""
    return re.search(r"\[(?!\d+\])[^\]]+\]$", place) is not None


def _copy_released(st: State, p: str, callee: str, part: str) -> str | None:
    """The field that the local ``p`` was copied from (``Resources.copies``, ``bus =
    priv->mii_bus``), when it holds what ``callee`` releases and ``p`` holds another
    resource of its own (``of_mdiobus_register(bus, ...)``'s registration): the
    release (``mdiobus_free(bus)``) frees the object the field holds."""
    r = st.resources
    root = root_of(p)
    for local, src in sorted(r.copies):
        k = resource_key(src + p[len(root):], part)
        if local == root and k in r.res and callee in r.res[k].releases:
            return src + p[len(root):]
    return None


def _first_member_of(ctx: FunctionContext, st: State, arg: Expr, callee: str) -> str | None:
    """The object held here whose member's address ``arg`` is (``&q->sk``), when
    ``callee`` is the release paired with the acquire that returned that object
    (``q = (struct tap_queue *)sk_alloc(...)``, then ``sk_free(&q->sk)``) and the
    member holds nothing of its own: the acquire returned the member's type, so the
    member is the first one, at the object's address, and its release is the
    object's. Or a local that holds the address of the object's first member
    (``ctx.first_member_locals``: ``connector = &aconn->base; kfree(connector)``)."""
    if isinstance(arg, Var) and arg.name in ctx.first_member_locals:
        whole = held_name(ctx, st.resources, ctx.first_member_locals[arg.name])
        r = st.resources.res.get(whole)
        inner = ctx.member_aliases[arg.name]
        if r is None or r.status != HELD or callee not in r.releases or r.kind.is_hold or \
                held_name(ctx, st.resources, inner) in st.resources.res:
            return None
        return whole
    if isinstance(arg, Var) and isinstance(v := st.resolve(arg.name), Unary) and \
            v.op == "&" and isinstance(m := v.operand, Member) and m.arrow and m.first and \
            isinstance(m.base, Var):
        # a local assigned more than once, on this path the address of the first member
        # (``obj = &shmem->base`` in one branch of two: ``kfree(obj)`` frees shmem)
        whole = held_name(ctx, st.resources, m.base.name)
        r = st.resources.res.get(whole)
        member = path_of(m)
        if r is None or r.status != HELD or callee not in r.releases or r.kind.is_hold or \
                member is None or held_name(ctx, st.resources, member) in st.resources.res:
            return None
        return whole
    if not (isinstance(arg, Unary) and arg.op == "&" and isinstance(arg.operand, Member)
            and arg.operand.arrow):
        return None
    base = path_of(arg.operand.base)
    if base is None or "->" in base or "." in base or "[" in base:
        return None
    whole = held_name(ctx, st.resources, base)
    r = st.resources.res.get(whole)
    member = path_of(arg.operand)
    if r is None or r.status != HELD or callee not in r.releases or r.kind.is_hold or \
            member is None or held_name(ctx, st.resources, member) in st.resources.res:
        return None
    a = ctx.kb.acquire(r.acquire)
    return whole if a is not None and a.object == "ret" else None


def _freed_first_member(ctx: FunctionContext, st: State, arg: Expr) -> str | None:
    """The allocation held here whose member's address ``arg`` is (``&fp->view``), given
    to a callee that frees its parameter as memory on every path (``kfree(view)``,
    ``Summary.frees_memory`` and ``releases_always``): only the address
    of the first member is the allocation's, so the callee frees the whole object,
    when the member holds nothing of its own."""
    if not (isinstance(arg, Unary) and arg.op == "&" and isinstance(arg.operand, Member)
            and arg.operand.arrow):
        return None
    base = path_of(arg.operand.base)
    member = path_of(arg.operand)
    if base is None or member is None or "->" in base or "." in base or "[" in base:
        return None
    whole = held_name(ctx, st.resources, base)
    r = st.resources.res.get(whole)
    if r is None or r.status != HELD or r.kind is not Kind.MEMORY or not r.acquire or \
            held_name(ctx, st.resources, member) in st.resources.res:
        return None
    a = ctx.kb.acquire(r.acquire)
    s = ctx.summary(r.acquire)
    return whole if (a.object == "ret" if a is not None else s is not None and s.ret_alloc) \
        else None


def read_path(summaries: Mapping[str, Summary], e: Expr) -> str | None:
    """The access path a call of a getter reads (``Summary.ret_path``), in the
    caller's terms: ``get_hwbase(dev)`` reads ``dev->priv->base``; None for any other
    expression than such a call."""
    s = summaries.get(e.callee) if isinstance(e, Call) else None
    if not isinstance(e, Call) or s is None or s.ret_path is None or \
            s.ret_path[0] >= len(e.args):
        return None
    j, below = s.ret_path
    arg = e.args[j]
    base = read_path(summaries, arg) if isinstance(arg, Call) else path_of(arg)
    if base is None:
        return None
    return f"{base[1:]}.{below}" if base.startswith("&") else f"{base}->{below}"


_FILLED = "@filled:"


def _owned(acq: KnownAcquire, call: Call) -> str:
    """The object the acquired one takes over (the knowledge's ``owns``), by its
    access path in the acquiring call, or ""."""
    if acq.owns is None or acq.owns >= len(call.args):
        return ""
    p = path_of(call.args[acq.owns]) or ""
    return root_of(p[1:]) if p.startswith("&") else p  # &x->link: all of x


def _key_args(kb: Knowledge, acq: KnownAcquire, call: Call) -> tuple[tuple[int, str], ...]:
    """The (index, access path) of the arguments of an acquiring call that a release
    names its object by (``same_args``), when each of them is an access path."""
    out = []
    for j in kb.keyed_by_args(acq):
        p = path_of(call.args[j]) if j < len(call.args) else None
        if p is None:
            return ()
        out.append((j, p))
    return tuple(out)


def _call_key(call: Call) -> str:
    """The ``links`` key of a call whose result is tested directly, not stored: its
    position and its callee. The calls of one macro expansion all have the macro's
    position (``rcu_read_lock()`` and the lockdep test of ``rcu_dereference()`` inside
    a printing macro): by its position alone, a test of one would be read as a test
    of the other's acquisition."""
    return f"@{call.loc.line}:{call.loc.col}:{call.callee}"


def _filled_key(holder: str) -> str:
    """The ``links`` key of what fill calls put into ``holder`` (``__bio_add_page()``)."""
    return _FILLED + holder


def _flag_key(flag: str, holder: str, set_: bool) -> str:
    """The ``links`` key that says ``holder`` carries ``flag`` (``set_``), or what a
    fill call gave it while it does not yet."""
    return f"{flag}{'!' if set_ else ':'}{holder}"


def _embedded_references(res: dict[str, Res], container: str,
                         members: dict[str, str]) -> list[str]:
    """The references held on devices embedded in ``container`` (``x->sw.dev`` after
    ``device_initialize(&x->sw.dev)``): freeing the container went through their
    release callback, so they are dropped with it. A reference held under a local
    that points at the member (``members``: ``dev`` after ``pdev =
    to_platform_device(dev)``) is one of them (``platform_device_put(pdev)``)."""
    prefix = container + "->"
    named = [local for local, m in members.items()
             if m.startswith(prefix) and "->" not in m[len(prefix):]]
    return [q for q in [*res, *named] if q in res and (q in named or (
        q.startswith(prefix) and "->" not in q[len(prefix):]))
        and res[q].kind in CONTAINER_RELEASE_KINDS]


def _other_kind(kb: Knowledge, r: Res | None, callee: str, kind: str) -> bool:
    """Is ``callee`` the release of another kind of resource than ``r`` (an unlock
    of an object that also holds a reference)?"""
    return r is not None and bool(r.releases) and callee not in r.releases and \
        kind not in ("", _kind_released_by(kb, r))


def _kind_released_by(kb: Knowledge, r: Res) -> Kind:
    """The kind of ``r``; for a pair learned from the code, the kind its learned
    release is known to release (a result learned to go to consume_skb() is an skb,
    which dev_kfree_skb_any() frees as well), when the knowledge knows that."""
    if r.kind is not Kind.LEARNED:
        return r.kind
    known = {kb.released_kind(c) for c in r.releases} - {Kind.UNKNOWN, Kind.LEARNED}
    return known.pop() if len(known) == 1 else r.kind


def _managed(after: list[str], obj: str, st: State, ctx: FunctionContext) -> bool:
    """Was a call that puts ``obj`` under devres made before on this path
    (``pcim_enable_device(pdev)`` before ``pci_request_regions(pdev)``), or by any
    function of the file (``managed_after``: a mode of the device, not of one path)?
    A driver enables the device it binds in its probe, often in a helper of the probe,
    and allocates its vectors in another helper or in resume: once enabled with
    ``pcim_enable_device()`` the device stays managed until unbind (the devres
    action clears ``is_managed``, drivers/pci/devres.c), and the plain
    ``pci_enable_device()`` calls such files also make are re-enables of that device
    in resume and reset handlers, which leave it managed. Both calls take the same
    kind of device (the knowledge's object argument, a ``struct pci_dev``): the
    file's devices of that kind are the ones its driver binds."""
    if not after:
        return False
    base = key_object(obj)
    return any(c.callee in after and base in c.objects for c in st.calls) or \
        any(a in s.calls for s in ctx.summaries.values() for a in after)


def _counter_above(cond: Expr, taken: bool, counters: Mapping[str, str]) -> str | None:
    """The counter of ``counters`` that this edge of ``cond`` finds above 0 or above
    another value (``i < n``, ``n > i``, ``n != 0``, ``n``, taken; ``!n``, not
    taken)."""
    while isinstance(cond, Unary) and cond.op == "!":
        cond, taken = cond.operand, not taken
    if isinstance(cond, Var):
        return cond.name if taken and cond.name in counters else None
    if not isinstance(cond, Binary):
        return None
    op = cond.op if taken else {"<": ">=", ">": "<=", "==": "!=", "!=": "=="}.get(cond.op, "")
    for above, other, ops in ((cond.rhs, cond.lhs, ("<", "!=")),
                              (cond.lhs, cond.rhs, (">", "!="))):
        if isinstance(above, Var) and above.name in counters and op in ops and \
                (op != "!=" or constant(other) == 0):
            return above.name
    return None
