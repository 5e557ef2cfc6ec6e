"""Summaries of the functions defined in the checked file (interprocedural facts).

For each function and each pointer parameter: which fields of it the function
dereferences (reads or writes through ``p->f``), which fields it writes, and
whether it releases the parameter (and tolerates NULL). For the return value:
whether it is a fresh allocation, zeroed or not, and which of its fields are
set before it is returned (also through alloc_hooks()' temporary, ``p = ({ ...
_res = kzalloc_noprof(...); _res; }); return p;``, the 6.10+ allocator macros, each
expansion's ``_res`` its own: ``ret = mempool_init_kmalloc_pool(...)`` after ``pd =
kzalloc(...)`` returns no allocation; an
allocation linked elsewhere, or handed over through a pointer into it, ``drm =
container + offset``, is shared, and so is a wrapper's ``return foo_alloc()`` of
it, or ``p = foo_alloc(); ... return p;``); for an int result, the signs it can have
(``returns.py``), overall and for the argument values that narrow them, so that
a failure test of a call that cannot fail with those arguments has no error
branch. Callees in the same file propagate into callers until nothing changes,
so wrappers count like what they wrap.

What a release callback does is summarised like any function: the fields of
the container it frees (``o = container_of(dev, ...); kfree(o->buf)``), which
the walk applies where a function drops the last reference of the member it
set that callback on, or that a constructor of the file set on the object it
returns (``ret_callbacks``, filled in by
``context.returned_release_callbacks()``). A wrapper of a teardown that frees
its parameter's container frees it too (``foo_destroy_id(id) {
__foo_destroy_id(id, 0); }``). A teardown that reads its object back from a
device's driver data (``card = pci_get_drvdata(pdev)``) releases the pseudo-field
``DRIVER_DATA`` of that parameter, which the caller maps to what it lent
(``member_driver_data()`` when it reads it from a device embedded in the
parameter: ``dev_get_drvdata(&xdev->dev)``).
A function that frees through a pointer-to-pointer (``p = *pp; kfree(p)``)
releases the pseudo-field ``POINTEE`` of ``pp``, which a caller that passed
``&x`` maps to ``x``. What a function frees below a parameter is kept as the
whole path (``kfree(q->ring.buf)``: "ring.buf"), with the part a release of a
part takes (``pci_release_regions(card->pdev)``: the "BAR regions" of "pdev",
``releases_field_parts``, which a caller maps onto the device it stored in that
field), and a callee's releases of the fields of what it is given go up through
the caller's fields and driver data (``t = platform_get_drvdata(pdev);
teardown(t)`` frees ``t->clk``), and a
release below a local given a parameter's field (and only that, or NULL) is kept
below that field (``ic = ti->private; kfree(ic->buf)``: "private->buf").
A function that calls a function pointer it is given on its parameters
(``if (ret) res_free(res);``) records which (``calls_params``): a caller that
passes one of its file's functions there gets that function's effects on the
arguments it passed (``foo_init(&u->res, foo_user_free)`` frees ``u``).
A walker that frees a chain or a list frees what its caller passed: a cursor
assigned in a loop test starts at the parameter (``while ((seg = head)) { head =
seg->next; kfree(seg); }``), and a walk from a local list head linked into the
parameter's list (``list_add_tail(&head, &first->list)``) visits the parameter
too (``_ring_releases``).
A function that hands a parameter on every path to a call that consumes it
whatever it returns (an [owner] without ``on_success``: ``nlmsg_multicast()``),
or frees it, consumes it (``consumes``): a caller's object given to such a
wrapper is not handed back where the wrapper's result says it failed.
A constructor that stores a parameter whole in a field of what it returns
(``wdata->hdev = hdev; return wdata;``) says so (``ret_params``): the caller's
object holds its argument there.
A function that, on a branch from which it returns one constant, stores a
function into a field of a parameter (``retval = MBX_TIMEOUT;
pmboxq->mbox_cmpl = foo_def_cmpl;``) or stores the parameter or a field of it
into another object (``tag_mem->va = cmd_mem->va; return -EBUSY;``) leaves
that object to someone else when it returns that value (``kept_when``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any, TypeVar

from kunwind.knowledge import Kind, Knowledge
from kunwind.model.cfg import Block, Edge, Function
from kunwind.model.ir import (
    Assign,
    Binary,
    Call,
    Cleanup,
    Cond,
    Const,
    Expr,
    ExprStmt,
    Index,
    Member,
    Return,
    Stmt,
    Store,
    Unary,
    Var,
    calls_in,
    element_table,
    offsetof_member,
    path_of,
    root_of,
    stmt_exprs,
    subexprs,
)
from kunwind.model.syntax import UNKNOWN_CASE

from .conditions import error_value, failure_check, macro_temporary, null_test, strip, tested_call
from .constants import ANY_SIGN, NEGATIVE, constant, truth
from .idioms import CONTAINER_RELEASE_KINDS, embedded_member, function_named, zeroes
from .returns import conditional_signs, is_stub, return_signs

T = TypeVar("T")


@dataclass(frozen=True)
class Deref:
    line: int
    write: bool  # writes through the field (p->f->x = ..., p->f->n--)
    guarded: bool  # the function tests p->f for NULL somewhere
    # every dereference of p->f is under a test that found it non-NULL (``if (p->f)
    # p->f->x = NULL;``): a NULL p->f is never dereferenced
    checked: bool = False
    # the same, where a test counts up to the store to p->f that follows it in its
    # branch (``if (p->f) { f_destroy(p->f); p->f = NULL; }``): a NULL p->f is never
    # dereferenced either, but the function resets the field it tested, which is
    # also the shape of defensive code written for one caller's half-built object
    # (``checked`` implies it)
    used_when_set: bool = False


# A test of the parameters that holds on every path to a statement: (i, -1, v) param i's
# truth is v (``if (dst_nents)``, ``if (!p)``); (i, k, v) params i and k are equal when
# v (``if (dst != src)``: (1, 2, False))
Guard = tuple[int, int, bool]


@dataclass
class Summary:
    name: str
    params: list[str]
    # param index -> field -> how the function dereferences p->field
    derefs: dict[int, dict[str, Deref]] = field(default_factory=dict)
    # param index -> line where the parameter itself is dereferenced (p->x, *p)
    derefs_self: dict[int, int] = field(default_factory=dict)
    writes: dict[int, set[str]] = field(default_factory=dict)
    # param index -> the fields of what it points to that the function reads or writes
    # (p->f); "*" when it reads the object whole (*p)
    reads: dict[int, set[str]] = field(default_factory=dict)
    releases: set[int] = field(default_factory=set)
    # parameters whose list node it unlinks: an [unlink] call given ``&p->member``
    # (list_del(&p->node)), itself or in a same-file callee (KU008)
    unlinks: set[int] = field(default_factory=set)
    # released parameters it frees as memory, whole (kfree(view), itself or in a same-file
    # callee): a caller's ``&x->first`` given there frees ``x``, the member being at its
    # start
    frees_memory: set[int] = field(default_factory=set)
    # parameters whose container it releases: it frees the object that embeds what the
    # parameter points at (container_of(p, struct foo, member), then kfree() or a put)
    releases_container: set[int] = field(default_factory=set)
    # parameter index -> what the function releases in that container, as paths below
    # it (a release callback: o = container_of(dev, ...); kfree(o->buf); free_percpu(
    # o->stats.cpu)): "buf", "stats.cpu"
    releases_container_fields: dict[int, set[str]] = field(default_factory=dict)
    # parameter index -> the members embedded in what it points at whose reference the
    # function drops (put_device(&p->dev), device_unregister(&p->dev)): the put runs
    # the release callback the caller may have set on that member
    releases_members: dict[int, set[str]] = field(default_factory=dict)
    # parameters the function hands whole, or the container it reaches by container_of(),
    # to a function neither the file nor the knowledge describes (foo_free(o), o->free(o)):
    # whether that frees the container is not known (a release callback that does not
    # may still free its container this way)
    hands_unknown: set[int] = field(default_factory=set)
    # the parameters whose container it returns (to_foo(dev): container_of(dev, ...),
    # or NULL): a caller's local assigned its result is a container of its argument
    ret_container: set[int] = field(default_factory=set)
    # the member of that container the parameter points at (``dev`` of to_foo(dev) {
    # return container_of(dev, struct foo, dev); }): a caller's ``x = to_foo(d)``
    # makes ``d`` the address of ``x->dev``; a member of a member through container_of()
    # twice, or offsetof(T, vd.tx): "vd.tx", and ``x = to_foo(&vd->tx)`` makes ``vd``
    # the address of ``x->vd``, so what frees ``x`` frees the container of ``vd``
    ret_member: str = ""
    # the parameter whose driver data every return gives back, with the pseudo-field it
    # is read from (to_foo_info(pdev): ``return platform_get_drvdata(pdev)``: (0,
    # "@drvdata")): a caller's local assigned its result borrows like the getter's
    ret_drvdata: tuple[int, str] | None = None
    # the access path below a parameter that every return reads (a getter: ``return
    # dev->priv;``, or ``return netdev_priv(dev)->base;`` through such a getter):
    # (0, "priv"), (0, "priv->base"). A caller's call of it names that path of its
    # argument: ``iounmap(get_hwbase(dev))`` unmaps ``dev->priv->base``
    ret_path: tuple[int, str] | None = None
    # it releases a whole pointer it cannot tie to a parameter or its container
    # (foo = to_foo(dev) through an expression it cannot read; kfree(foo))
    frees_unidentified: bool = False
    # parameter index -> the parts of it that the function releases, when a release
    # undoes a part of the object (pci_release_regions(pdev): its "BAR regions")
    releases_parts: dict[int, set[str]] = field(default_factory=dict)
    # param index -> (path below it, part): the parts it releases of what a field of the
    # parameter holds (pci_release_regions(card->pdev): ("pdev", "BAR regions")), itself
    # or in a same-file callee: a caller that stored its device there has them released
    releases_field_parts: dict[int, set[tuple[str, str]]] = field(default_factory=dict)
    null_ok: set[int] = field(default_factory=set)
    # parameters it tests with IS_ERR_OR_NULL(): given an ERR_PTR() too, it does nothing
    # (ext4_free_ext_path(): ``if (IS_ERR_OR_NULL(path)) return;``)
    err_ok: set[int] = field(default_factory=set)
    ret_alloc: bool = False
    ret_zeroed: bool = False
    ret_fields: set[str] = field(default_factory=set)
    # field of the returned allocation -> the parameter the function stored there, whole
    # and once (``x->hdev = hdev; return x;``): a caller's ``x = foo_create(hdev)`` holds
    # its ``hdev`` in ``x->hdev``
    ret_params: dict[str, int] = field(default_factory=dict)
    ret_errno: bool = False  # returns a negative errno or an ERR_PTR() on some path
    ret_shared: bool = False  # the returned allocation is also linked or stored elsewhere
    # the parameters (out-parameters, ``void **out``) through which it hands its caller
    # a new allocation of its own, kept nowhere else (``*out = buf`` after ``buf =
    # kmemdup(...)``): a caller's ``foo_parse(np, &cfgs)`` acquires ``cfgs``
    out_allocs: set[int] = field(default_factory=set)
    # the signs its int result may have (constants.NEGATIVE | ZERO | POSITIVE; returns.py):
    # ZERO alone for a function that cannot fail
    ret_signs: int = ANY_SIGN
    # param index -> value -> the signs of the result when the caller passes that value,
    # where they are fewer (``if (defer) return 0;``); param index -> the signs when the
    # caller passes a pointer that is not NULL (it fails only for NULL)
    ret_signs_when: dict[int, dict[int, int]] = field(default_factory=dict)
    ret_signs_nonnull: dict[int, int] = field(default_factory=dict)
    ret_stub: bool = False  # its body only returns a constant (returns.is_stub)
    # the negative errnos it can return, when every return gives a constant and it
    # calls nothing that can fail (``if (!pci_get_dsn(pdev)) return -EOPNOTSUPP;``:
    # its failures are its own answers, no lower layer's); () when not so
    only_errnos: tuple[int, ...] = ()
    # every return gives a constant: the result is decided by its own tests, no lower
    # layer's result passed on (``default: return -EINVAL;``)
    ret_consts: bool = False
    # parameters released on every path (releases_always), or on every path to a
    # return that may return an error (releases_on_error); conservative: any doubt, not in
    releases_always: set[int] = field(default_factory=set)
    releases_on_error: set[int] = field(default_factory=set)
    # parameters the function hands over: stores them (or links a member of them)
    # into another object, a global or an out-parameter, or passes them to an owner
    escapes: set[int] = field(default_factory=set)
    # parameters it hands over or releases on every path, whatever it returns: it
    # passes them to an [owner] that takes them on every outcome (nlmsg_multicast()
    # frees the skb on its errors too), to a callee that consumes them, or frees them
    # (``if (err) { kfree_skb(skb); return err; } return dev_queue_xmit(skb);``);
    # conservative, as releases_always. A caller's object given there is no longer its
    # to free, even where the result says the call failed
    consumes: set[int] = field(default_factory=set)
    # parameters it hands over (``escapes``) on every path to a ``return NULL``, in a
    # function that returns no error: an insert that links the new entry and returns
    # NULL, or the entry already there (``insert_ref_entry(root, ref)``). A caller's
    # test that finds NULL finds the object kept, not a failure that gives it back
    hands_on_null: set[int] = field(default_factory=set)
    calls: set[str] = field(default_factory=set)  # callees, and what same-file ones call
    # (param index, field or "") of the locks and PM counts it drops (spin_unlock(&p->lock))
    drops_locks: set[tuple[int, str]] = field(default_factory=set)
    # (param index, field or "") of the locks it takes and never drops, itself or in a
    # same-file callee: it returns holding them on the paths that took them
    # (``spin_lock(&p->lock)`` before a return of the entry it inserted)
    takes_locks: set[tuple[int, str]] = field(default_factory=set)
    # param index -> fields of it that the function releases (kfree(p->buf))
    releases_fields: dict[int, set[str]] = field(default_factory=dict)
    # param index -> the tables below it whose elements the function releases one by
    # one (``kfree(p->msgs[i])``, ``kfree(p->tpa[i].buf)``, ``pg = p->tbl[i];
    # kfree(pg)``): it is written for a table filled element by element
    releases_elements: dict[int, set[str]] = field(default_factory=dict)
    # the file's globals it releases (iounmap(base) of a static base), itself or in a
    # same-file callee
    releases_globals: set[str] = field(default_factory=set)
    # param index -> the values of it for which the function does nothing at all
    # (``switch (state) { ... case 0: break; }`` of an unwind by init state): a call
    # that passes one of them has no effect
    idle: dict[int, set[int]] = field(default_factory=dict)
    # param index of a function pointer the function calls -> the parameters it passes
    # it, in order (``if (err) res_free(res);``: {8: (1,)}): a caller's call runs the
    # function it passes there on those arguments
    calls_params: dict[int, tuple[int, ...]] = field(default_factory=dict)
    # param index -> for each call that may release it, the tests of the parameters
    # that hold there (``Guard``s: ``if (dst != src) { if (dst_nents) dma_unmap_sg(dev,
    # dst, ...) }``): a caller whose path decides one of each the other way has it
    # not released
    releases_when: dict[int, list[frozenset[Guard]]] = field(default_factory=dict)
    # released parameters that every release of them keeps valid (the knowledge's
    # keeps_object: a wrapper of unregister_candev(), which leaves the netdev to
    # free_candev()): released, but not freed
    keeps: set[int] = field(default_factory=set)
    # params it releases only by dropping a lock of them (``folio_unlock(folio)``): a
    # caller's reference on the object (folio_get()) is not dropped
    unlocks: set[int] = field(default_factory=set)
    # param index -> the fields of it that every same-file caller releases when this
    # function fails (callers.py): the caller's to release, not this function's. Set
    # once the file's summaries are complete; no other summary reads it
    caller_releases: dict[int, set[str]] = field(default_factory=dict)
    # param index -> the functions every same-file caller calls on that argument when
    # this function fails, themselves or through same-file callees (callers.py)
    caller_calls: dict[int, set[str]] = field(default_factory=dict)
    # a static function whose every same-file call drops its result (callers.py)
    result_unread: bool = False
    # a read (``_reads()``): the only effect its caller sees is the value it read, which
    # it returns or stores where the parameters in ``reads_into`` point (``*val = v``,
    # or passed to a [read] there)
    is_read: bool = False
    reads_into: set[int] = field(default_factory=set)
    # what a paired callback releases on its main path when this function's failure is
    # seen by nobody (pairs.py): (the object as reached from the parameters, the
    # release). Set, as caller_releases, once the file's summaries are complete
    left_to_siblings: set[tuple[str, str]] = field(default_factory=set)
    # the release callbacks bound to members of the object every return gives back (a
    # constructor: ``x->dev.type = &foo_type; device_initialize(&x->dev); return x;``),
    # member path below it -> the file's function: a caller's ``x = foo_create()``
    # binds them to its ``x->dev`` (context.returned_release_callbacks()). Set, as
    # caller_releases, once the file's summaries are complete
    ret_callbacks: dict[str, str] = field(default_factory=dict)
    # the fields of the object every return gives back that hold an object owning it
    # (``x->file = anon_inode_getfile(name, &fops, x, flags); return x;``: the file's
    # .release frees x): a caller's release of its ``x->file`` releases its ``x``
    # (context.returned_owners())
    ret_owners: set[str] = field(default_factory=set)
    # param index -> (result, part): the function returns that result only after it
    # left that part of the parameter ("": the object, else a field) to someone else:
    # set a completion on it (``retval = MBX_TIMEOUT; p->cmpl = foo_def_cmpl;``), or
    # stored it in another object (``tag_mem->va = cmd_mem->va; return -EBUSY;``): a
    # caller that gets that result no longer holds it (``_kept_when``)
    kept_when: dict[int, set[tuple[int, str]]] = field(default_factory=dict)
    # the parameters the function only reads through, or only copies into what it reads
    # through the others: it calls nothing, and neither passes nor stores them (``hdr->ino
    # = breq->startino;``: both; every parameter of an empty inline): an "undo" that
    # releases, resets and hands over nothing of what a caller passes there
    inert_on: set[int] = field(default_factory=set)

    def key(self) -> tuple:
        return (
            tuple(sorted((i, tuple(sorted(d.items()))) for i, d in self.derefs.items())),
            tuple(sorted(self.derefs_self.items())),
            tuple(sorted((i, tuple(sorted(s))) for i, s in self.writes.items())),
            tuple(sorted(self.releases)), tuple(sorted(self.null_ok)),
            tuple(sorted(self.err_ok)),
            tuple(sorted(self.frees_memory)),
            self.ret_alloc, self.ret_zeroed, tuple(sorted(self.ret_fields)), self.ret_errno,
            self.ret_shared, tuple(sorted(self.out_allocs)), self.ret_signs,
            tuple(sorted((i, tuple(sorted(d.items()))) for i, d in self.ret_signs_when.items())),
            tuple(sorted(self.ret_signs_nonnull.items())), self.ret_stub, self.only_errnos,
            self.ret_consts,
            tuple(sorted(self.releases_always)), tuple(sorted(self.releases_on_error)),
            tuple(sorted(self.escapes)), tuple(sorted(self.consumes)), len(self.calls),
            tuple(sorted(self.drops_locks)), tuple(sorted(self.takes_locks)),
            tuple(sorted((i, tuple(sorted(f))) for i, f in self.releases_fields.items())),
            tuple(sorted(self.releases_globals)), tuple(sorted(self.releases_container)),
            tuple(sorted((i, tuple(sorted(f))) for i, f in self.reads.items())),
            tuple(sorted((i, tuple(sorted(f)))
                         for i, f in self.releases_container_fields.items())),
            tuple(sorted((i, tuple(sorted(f))) for i, f in self.releases_members.items())),
            tuple(sorted((i, tuple(sorted(f))) for i, f in self.releases_parts.items())),
            tuple(sorted((i, tuple(sorted(f))) for i, f in self.releases_field_parts.items())),
            tuple(sorted((i, tuple(sorted(v))) for i, v in self.idle.items())),
            tuple(sorted(self.hands_unknown)), tuple(sorted(self.ret_container)),
            self.ret_member, tuple(sorted(self.ret_params.items())),
            self.frees_unidentified, tuple(sorted(self.calls_params.items())),
            tuple(sorted(self.keeps)), tuple(sorted(self.unlocks)), self.ret_drvdata,
            self.ret_path,
            tuple(sorted((i, tuple(sorted(tuple(sorted(a)) for a in g)))
                         for i, g in self.releases_when.items())),
            self.is_read, tuple(sorted(self.reads_into)),
            tuple(sorted((i, tuple(sorted(v))) for i, v in self.kept_when.items())),
            tuple(sorted((i, tuple(sorted(f))) for i, f in self.releases_elements.items())),
            tuple(sorted(self.hands_on_null)),
            tuple(sorted(self.inert_on)),
        )

    def frees_container(self, i: int) -> bool | None:
        """Does the function (a release callback) free the object that embeds what
        parameter ``i`` points at? True when it releases it (or the parameter: a
        member at offset 0), False when it certainly does not (it hands neither to a
        function nobody describes, and frees no pointer it cannot tie to a parameter),
        None when it cannot tell."""
        if i in self.releases_container or i in self.releases:
            return True
        return None if i in self.hands_unknown or self.frees_unidentified else False


def exprs_of(fn: Function):
    """Every (line, expression, is-store-target) of a function: store targets and values,
    statements, returns, conditions and switches."""
    for _, _, line, e, is_target in _block_exprs(fn):
        yield line, e, is_target


def _block_exprs(fn: Function):
    """``exprs_of``, each with the id of its block and the index of its statement
    in the block first (the condition's: the number of statements)."""
    for b in fn.blocks:
        for k, s in enumerate(b.stmts):
            if isinstance(s, Store):
                yield b.id, k, s.loc.line, s.target, True
                if s.value is not None:
                    yield b.id, k, s.loc.line, s.value, False
            elif isinstance(s, ExprStmt):
                yield b.id, k, s.loc.line, s.expr, False
            elif isinstance(s, Return) and s.value is not None:
                yield b.id, k, s.loc.line, s.value, False
        for c in (b.cond, b.switch):
            if c is not None:
                yield b.id, len(b.stmts), (b.cond_loc.line if b.cond_loc else 0), c, False


def _must_facts(fn: Function, on_edge: Callable[[Block, Edge], set[Any]],
                kills: Callable[[Block], bool],
                keeps: Callable[[Block, frozenset[Any]], frozenset[Any]] | None = None,
                at_entry: bool = False) -> dict[int, frozenset[Any]]:
    """Block id -> the facts that hold on every path into the block: a forward
    must-analysis over the CFG, facts learnt on branch edges (``on_edge``). A block
    that may change what they state (``kills``) loses them, for its own statements
    and what follows; with ``keeps``, it loses only those ``keeps`` does not give
    back (the facts its statements leave true). With ``at_entry``, the facts on
    entry to each block, before its own statements (the caller follows them
    statement by statement)."""
    blocks = {b.id: b for b in fn.blocks}
    facts: dict[int, frozenset[Any] | None] = {b.id: None for b in fn.blocks}
    facts[fn.entry] = frozenset()
    # what an edge teaches and whether a block kills do not change between rounds
    learnt = {(b.id, i): frozenset(on_edge(b, e)) for b in fn.blocks
              for i, e in enumerate(b.succs)}
    killing = {b.id: kills(b) for b in fn.blocks}
    preds_at: dict[int, list[tuple[int, int]]] = {}
    for b in fn.blocks:
        for i, e in enumerate(b.succs):
            preds_at.setdefault(e.dst, []).append((b.id, i))

    def kept(b: Block, f: frozenset[Any]) -> frozenset[Any]:
        if not killing[b.id]:
            return f
        return keeps(b, f) if keeps is not None else frozenset()

    def out(bid: int, i: int) -> frozenset[Any] | None:
        f = facts[bid]
        if f is None:
            return None
        b = blocks[bid]
        if killing[bid] and keeps is None:
            return frozenset()
        return kept(b, f) | learnt[bid, i]

    for _ in range(len(fn.blocks) + 1):
        changed = False
        for b in fn.blocks:
            if b.id == fn.entry:
                continue
            known = [x for x in (out(p, i) for p, i in preds_at.get(b.id, [])) if x is not None]
            new = frozenset.intersection(*known) if known else None
            if new != facts[b.id]:
                facts[b.id], changed = new, True
        if not changed:
            break
    return {bid: (frozenset() if f is None else f if at_entry else kept(blocks[bid], f))
            for bid, f in facts.items()}


def _nonnull_fields(fn: Function, res: _Param) -> dict[tuple[int, int], frozenset[tuple[int, str]]]:
    """(block id, statement index) -> the fields of parameters (index, field) that
    every path to the statement found non-NULL (``if (rt->chip) rt->chip->midi =
    NULL;``); the index one past the block's last statement is its condition's. A
    statement that writes a field, or hands its address or the parameter to a call,
    forgets what it may change (``_written_fields``) for the statements after it:
    a store through the field keeps it, and so does a use before the field is
    cleared (``if (p->f) { f_destroy(p->f); p->f = NULL; }``). (block id, -1): what
    holds for every statement of the block, the block's writes forgotten for all."""

    def on_edge(b: Block, e: Edge) -> set[Any]:
        nt = null_test(b.cond) if b.cond is not None and e.kind in ("true", "false") else None
        if nt is not None and (e.kind == "true") != nt[1]:
            r = _param_field(nt[0], res)
            if r is not None:
                return {r}
        return set()

    written = {b.id: [_written_fields([st], res) for st in b.stmts] for b in fn.blocks}

    def forget(facts: frozenset[Any], w: set[tuple[int, str]]) -> frozenset[Any]:
        # the parameter itself changes only where it is assigned ((index, "="))
        return frozenset(f for f in facts if f not in w and (
            (f[0], "=") not in w if f[1] == "" else (f[0], "*") not in w))

    def keeps(b: Block, facts: frozenset[Any]) -> frozenset[Any]:
        return forget(facts, set().union(*written[b.id]))

    entry = _must_facts(fn, on_edge, lambda b: any(written[b.id]), keeps, at_entry=True)
    out: dict[tuple[int, int], frozenset[tuple[int, str]]] = {}
    for b in fn.blocks:
        facts = entry[b.id]
        for k, w in enumerate(written[b.id]):
            out[b.id, k] = facts
            facts = forget(facts, w)
        out[b.id, len(b.stmts)] = out[b.id, -1] = facts
    return out


def _err_or_null_tested(cond: Expr, res: _Param) -> int | None:
    """The parameter that ``cond`` tests with ``IS_ERR_OR_NULL()`` (``!`` or not), if any."""
    c = strip(cond)
    while isinstance(c, Unary) and c.op == "!":
        c = strip(c.operand)
    if isinstance(c, Call) and c.callee == "IS_ERR_OR_NULL" and len(c.args) == 1:
        r = res.of(strip(c.args[0]))
        if r is not None and r[1] == "":
            return r[0]
    return None


def _param_field(path: str, res: _Param) -> tuple[int, str] | None:
    """``p->f`` as (index of parameter p, "f"), for a field right below a parameter."""
    root, _, rest = path.partition("->")
    r = res.of(Var(root))
    if r is not None and r[1] == "" and not any(c in rest for c in "->.["):
        return r[0], rest  # rest "": the parameter itself (if (ns) ns->x)
    return None


def _tested_in_expression(e: Expr, res: _Param) -> dict[int, frozenset[tuple[int, str]]]:
    """id of a sub-expression of ``e`` -> the fields of parameters that a test in ``e``
    found non-NULL before it is evaluated: the branch of ``p->f ? p->f->x : 0`` that
    runs when the field is set, the right of ``p->f && p->f->x`` (of ``!p->f ||
    p->f->x``)."""
    out: dict[int, frozenset[tuple[int, str]]] = {}
    parts: tuple[tuple[Expr, bool], ...]
    for x in subexprs(e):
        if isinstance(x, Cond):
            test, parts = x.cond, ((x.then, True), (x.other, False))
        elif isinstance(x, Binary) and x.op in ("&&", "||"):
            test, parts = x.lhs, ((x.rhs, x.op == "&&"),)
        else:
            continue
        nt = null_test(test)
        if nt is None or (r := _param_field(nt[0], res)) is None:
            continue
        for part, value in parts:
            if value != nt[1]:  # the test has this value only when the field is set
                for y in subexprs(part):
                    out[id(y)] = out.get(id(y), frozenset()) | {r}
    return out


def _param_guards(fn: Function, res: _Param) -> dict[int, frozenset[Guard]]:
    """Block id -> the tests of the parameters themselves that hold on every path into
    the block (``Guard``): ``if (dst_nents)``, ``if (dst != src)``. A block that assigns
    a parameter, or passes its address, forgets them."""
    index = {p.name: i for i, p in enumerate(fn.params)}

    def param(e: Expr) -> int | None:
        return index.get(e.name) if isinstance(e, Var) else None

    def on_edge(b: Block, e: Edge) -> set[Any]:
        if b.cond is None or e.kind not in ("true", "false"):
            return set()
        c, truth = b.cond, e.kind == "true"
        while isinstance(c, Unary) and c.op == "!":
            c, truth = c.operand, not truth
        if isinstance(c, Binary) and c.op in ("==", "!="):
            i, k = param(c.lhs), param(c.rhs)
            same = truth == (c.op == "==")
            if i is not None and k is not None and i != k:
                return {(min(i, k), max(i, k), same)}
            if i is not None and constant(c.rhs) == 0 or k is not None and constant(c.lhs) == 0:
                return {(i if i is not None else k, -1, not same)}
            return set()
        i = param(c)
        return {(i, -1, truth)} if i is not None else set()

    def kills(b: Block) -> bool:
        for st in b.stmts:
            if isinstance(st, Store) and param(st.target) is not None:
                return True
            if any(isinstance(a, Unary) and a.op == "&" and param(a.operand) is not None
                   for e in stmt_exprs(st) for c in calls_in(e) for a in c.args):
                return True
        return False

    return _must_facts(fn, on_edge, kills)


def guard_tests(call: Call, g: Guard) -> list[Expr]:
    """What a caller's path must have tested to decide guard ``g`` at ``call``: the
    argument (``dst_nents``), or the two arguments compared, either way round
    (``req->src == req->dst``); none when an argument calls a function."""
    i, k, _ = g
    if max(i, k) >= len(call.args) or any(calls_in(call.args[j]) for j in (i, k) if j >= 0):
        return []
    a = call.args[i]
    if k < 0:
        return [a]
    b = call.args[k]
    return [Binary("==", a, b), Binary("==", b, a)]


def _release_guards(fn: Function, releases: set[int],
                    res: _Param) -> dict[int, list[frozenset[Guard]]]:
    """For each released parameter, the ``Guard``s that hold at each call that may
    release it: every call that names it in an argument (``dma_unmap_sg(dev, dst,
    ...)``, ``put_device(&p->dev)``). None for a parameter one of whose calls is under
    no test of the parameters: it may be released whatever the caller knows."""
    if not releases:
        return {}
    guards = _param_guards(fn, res)
    sites: dict[int, set[frozenset[Guard]]] = {}
    for b in fn.blocks:
        for e in [*b.stmt_exprs(), *([b.cond] if b.cond is not None else [])]:
            for c in calls_in(e):
                named = {r[0] for a in c.args for x in subexprs(a)
                         if isinstance(x, Var) and (r := res.of(x)) is not None}
                for i in named & releases:
                    sites.setdefault(i, set()).add(guards.get(b.id, frozenset()))
    return {i: sorted(alts, key=sorted) for i, alts in sites.items() if all(alts)}


def _written_fields(stmts: list[Stmt], res: _Param) -> set[tuple[int, str]]:
    """The fields of parameters (index, field) that the statements may change: a store to
    ``p->f`` (or into ``p->f.g``), a call given ``&p->f``; (index, "*") for all of
    a parameter's, when it is assigned or handed to a call whole, and (index, "=")
    when the parameter itself is assigned. A store through the
    field (``p->f[i] = NULL``, ``p->f->x = 0``) changes what it points at, not it."""
    out: set[tuple[int, str]] = set()
    for s in stmts:
        if isinstance(s, Store):
            t = s.target
            while isinstance(t, Member) and not t.arrow:
                t = t.base
            r = res.of(t.base) if isinstance(t, Member) else res.of(t) \
                if isinstance(t, Var) else None
            if r is not None and r[1] == "":
                out.update({(r[0], t.name)} if isinstance(t, Member) else {(r[0], "*"),
                                                                          (r[0], "=")})
        for e in stmt_exprs(s):
            for c in calls_in(e):
                for a in c.args:
                    r = res.of(a)
                    if r is not None and r[1] == "":
                        out.add((r[0], "*"))
                    elif isinstance(a, Unary) and a.op == "&" and \
                            (f := res.of(a.operand)) is not None:
                        out.add((f[0], f[1].split(".", 1)[0].split("->", 1)[0] or "*"))
    return out


# The pseudo-field of a device that holds the driver data a [borrow] function lent it
# (pci_set_drvdata(pdev, card)) and a [borrowed] one gives back (pci_get_drvdata(pdev)):
# a teardown that frees what it reads back there releases field DRIVER_DATA of its
# parameter, which the caller maps to the object it lent (``ResourceModel``).
DRIVER_DATA = "@drvdata"
# The pseudo-field of a pointer-to-pointer parameter that names what it points at: a
# function that frees ``*pp`` (``p = *pp; kfree(p)``) releases field POINTEE of ``pp``,
# which a caller that passed ``&x`` maps to ``x`` (``ResourceModel``).
POINTEE = "@pointee"


def member_driver_data(member: str) -> str:
    """The pseudo-field of the driver data lent to the device embedded at ``member`` of
    a parameter (``info = dev_get_drvdata(&xdev->dev)``: "@drvdata:dev"); the caller
    maps it to what it lent that member (``dev_set_drvdata(&xdev->dev, info)``)."""
    return f"{DRIVER_DATA}:{member}"


def _whole_pseudo(f: str) -> bool:
    """Is ``f`` a pseudo-field naming a whole object (driver data, a pointee), not a
    path below one: its ``->x`` is a field of that object."""
    return f in (DRIVER_DATA, POINTEE) or f.startswith(DRIVER_DATA + ":") and "->" not in f


def pseudo_field(f: str) -> bool:
    """Is ``f`` a pseudo-field (driver data, a pointee), no member of the parameter's
    object: what is read or written there is no field of the parameter."""
    return f.startswith("@")


class _Param:
    """Resolve an expression to (param index, field or "") through local aliases."""

    def __init__(self, fn: Function, kb: Knowledge | None = None,
                 known: dict[str, Summary] | None = None) -> None:
        self.index = {p.name: i for i, p in enumerate(fn.params)}
        self.kb = kb
        self.known = known or {}
        self.alias: dict[str, tuple[int, str]] = {}
        # local -> the parameter whose container it points at (container_of())
        self.container: dict[str, int] = {}
        stores = [(s.target.name, s.value) for b in fn.blocks for s in b.stmts
                  if isinstance(s, Store) and isinstance(s.target, Var)
                  and s.value is not None and s.target.name not in self.index]
        stores += _condition_stores(fn, set(self.index))
        self._stores = stores
        # local -> the whole path below the parameter of the one member it was given
        # (``log = fc->log.log``: "log.log", where ``alias`` has the field "log")
        self.alias_path: dict[str, tuple[int, str]] = {}
        for name, value in stores:
            r = self.of(value)
            if r is not None:
                self.alias[name] = r
        for name, r in self.alias.items():
            values = self.values_of(name)
            whole = self.path(values[0]) if len(values) == 1 else None
            if whole is not None and whole[0] == r[0] and whole[1].startswith(f"{r[1]}."):
                self.alias_path[name] = whole
        # local -> (param index, the members below it) where every value of the local
        # is the address of a member embedded in what the parameter points at, chosen
        # by a test (``bufs = &dev->ctl.rx_bufs`` or ``&dev->ctl.tx_bufs``)
        self.interior: dict[str, tuple[int, frozenset[str]]] = {}
        for name in sorted({n for n, _ in stores} - set(self.alias)):
            inner = {self.path(v.operand) if isinstance(v, Unary) and v.op == "&" and
                     isinstance(v.operand, Member) else None for v in self.values_of(name)}
            params = {x[0] for x in inner if x is not None}
            members = frozenset(x[1] for x in inner if x is not None)
            if None not in inner and len(params) == 1 and all(members) and \
                    not any(pseudo_field(m) for m in members):
                self.interior[name] = (params.pop(), members)
        for _ in range(3):  # a container of a container (to_a5xx(to_adreno(gpu)))
            for name, value in stores:
                i = self.container_of(value)
                if i is not None and name not in self.alias:
                    self.container[name] = i

    def values_of(self, name: str) -> list[Expr]:
        """The values the function assigns to local ``name`` (tests' assignments too)."""
        return [v for n, v in self._stores if n == name]

    def unidentified(self, name: str) -> bool:
        """Is the local ``name`` a pointer not tied to a parameter: neither one of them,
        their container, nor read from a field (``t = c->buf``, a macro's temporary)?"""
        if name in self.index or name in self.alias or name in self.container:
            return False
        values = [v for n, v in self._stores if n == name]
        return not values or not all(_field_read(v) for v in values)

    def container_of(self, e: Expr | None) -> int | None:
        """The parameter whose container ``e`` is: ``__mptr - offsetof(...)`` with
        ``__mptr`` the parameter (container_of()'s expansion), or a local holding one."""
        if isinstance(e, Assign):
            e = e.value
        if isinstance(e, Var):
            return self.container.get(e.name)
        if isinstance(e, Call) and (callee := self.known.get(e.callee)) is not None:
            for j in callee.ret_container:
                a = e.args[j] if j < len(e.args) else None
                r = self.of(a) if a is not None else None
                if r is not None and r[1] == "":
                    return r[0]  # to_foo(dev)
                if isinstance(a, Unary) and a.op == "&" and isinstance(a.operand, Member) \
                        and a.operand.arrow and \
                        callee.ret_member.endswith(f".{a.operand.name}"):
                    # to_foo(&vd->tx), which goes back from the member "vd.tx": vd is
                    # the member "vd" of what it returns
                    r = self.of(a.operand.base)
                    if r is not None and r[1] == "":
                        return r[0]
        if isinstance(e, Binary) and e.op == "-" and isinstance(e.lhs, Var):
            r = self.of(e.lhs)
            if r is not None and r[1] == "":
                return r[0]
            return self.container.get(e.lhs.name)
        return None

    def container_path(self, e: Expr) -> tuple[int, str] | None:
        """``o->buf`` or ``o->stats.cpu`` with ``o`` a container of a parameter: (that
        parameter, the path below the container: "buf", "stats.cpu")."""
        p = path_of(e)
        if p is None or "->" not in p or "[" in p:
            return None
        root, rest = p.split("->", 1)
        i = self.container.get(root)
        return (i, rest) if i is not None and "->" not in rest else None

    def of(self, e: Expr) -> tuple[int, str] | None:
        if isinstance(e, Assign):
            e = e.value
        if isinstance(e, Var):
            if e.name in self.index:
                return self.index[e.name], ""
            return self.alias.get(e.name)
        if isinstance(e, Unary) and e.op == "*":
            base = self.of(e.operand)  # p = *pp
            return (base[0], POINTEE) if base is not None and base[1] == "" else None
        if isinstance(e, Call) and (callee := self.known.get(e.callee)) is not None \
                and callee.ret_drvdata is not None:  # info = to_foo_info(pdev)
            j, f = callee.ret_drvdata
            base = self.of(e.args[j]) if j < len(e.args) else None
            return (base[0], f) if base is not None and base[1] == "" else None
        if isinstance(e, Call) and self.kb is not None and e.args and \
                self.kb.gives_back(e.callee):
            arg = e.args[0]
            if isinstance(arg, Unary) and arg.op == "&":  # dev_get_drvdata(&xdev->dev)
                inner = self.path(arg.operand)
                return (inner[0], member_driver_data(inner[1])) if inner is not None and \
                    inner[1] and not pseudo_field(inner[1]) else None
            base = self.of(arg)  # card = pci_get_drvdata(pdev)
            return (base[0], DRIVER_DATA) if base is not None and base[1] == "" else None
        if isinstance(e, Member) and e.arrow:
            base = self.of(e.base)
            if base is not None and base[1] == "":
                return base[0], e.name
            if base is not None and _whole_pseudo(base[1]):
                return base[0], f"{base[1]}->{e.name}"  # card->regs, (*pp)->buf
        if isinstance(e, Member) and not e.arrow:
            base = self.of(e.base)
            if base is not None and base[1]:
                return base  # p->f.g belongs to field f
        return None

    def read_below(self, e: Expr) -> tuple[int, str] | None:
        """``e`` as a path below what a getter of a parameter read (``Summary.ret_path``),
        through a local assigned only that getter's result: ``np->rx_skb`` after ``np =
        get_nvpriv(dev)``, which returns ``dev->priv``, is (0, "priv->rx_skb"); or below
        a field of a parameter a local was given (``ic->tfm`` after ``ic =
        ti->private``: (0, "private->tfm"))."""
        p = path_of(e)
        if p is None or "[" in p:
            return None
        root = root_of(p)
        if root == p or root in self.index:
            return None
        field = self.alias.get(root)
        names = {i: n for n, i in self.index.items()}
        if field is not None and field[1] and not pseudo_field(field[1]) and \
                p[len(root):].startswith("->") and \
                [path_of(v) for v in self.values_of(root) if not _null_const(v)] == \
                [f"{names[field[0]]}->{field[1]}"]:  # or NULL: then it frees nothing
            return field[0], field[1] + p[len(root):]
        # a getter's result, or a field read below one (``priv = dev_to_hdlc(dev)->priv``)
        found = {getter_path(v, self.index, self.known) if isinstance(v, (Call, Member))
                 else None for v in self.values_of(root)}
        r = found.pop() if len(found) == 1 else None
        return (r[0], r[1] + p[len(root):]) if r is not None and r[1] else None

    def deep(self, e: Expr) -> tuple[int, str] | None:
        """A path more than one pointer below a parameter (or a local that is one), as
        (param index, the path below it): ``p->map.std->lvl.buf`` is (p,
        "map.std->lvl.buf"); None for anything ``of()`` reads, and through an index."""
        p = path_of(e)
        if p is None or "[" in p or p.startswith(("&", "*")):
            return None
        root = root_of(p)
        rest = p[len(root):]
        r = self.of(Var(root))
        if r is None or r[1] != "" or not rest.startswith("->") or "->" not in rest[2:]:
            return None
        return r[0], rest[2:]

    def inside(self, e: Expr) -> tuple[int, set[str]] | None:
        """``bufs->urb`` with ``bufs`` a local that points at a member embedded in
        what a parameter points at (``self.interior``): (that parameter, the paths
        below it for each member it may point at: "ctl.rx_bufs.urb", "ctl.tx_bufs.urb")."""
        p = path_of(e)
        if p is None or "[" in p:
            return None
        root = root_of(p)
        rest = p[len(root):]
        if root not in self.interior or not rest.startswith("->") or "->" in rest[2:]:
            return None
        i, members = self.interior[root]
        return i, {f"{m}.{rest[2:]}" for m in members}

    def path(self, e: Expr) -> tuple[int, str] | None:
        """Like ``of()``, but with the whole path below the parameter: ``p->tbl.addr`` is
        (p, "tbl.addr"), where ``of()`` gives the field it belongs to ("tbl"); what a
        release frees is the member itself."""
        if isinstance(e, Member) and not e.arrow:
            base = self.path(e.base)
            return (base[0], f"{base[1]}.{e.name}") if base is not None and base[1] else None
        if isinstance(e, Var) and e.name in self.alias_path:
            return self.alias_path[e.name]
        return self.of(e)


def _condition_stores(fn: Function, params: set[str]) -> list[tuple[str, Expr]]:
    """The locals a test assigns (``while ((seg = head))``: seg takes head's value),
    as (name, value): a walker that frees its list one element at a time copies the
    head into its cursor there, and the cursor's first value is the parameter."""
    out: list[tuple[str, Expr]] = []
    for b in fn.blocks:
        if b.cond is None:
            continue
        for x in subexprs(b.cond):
            if isinstance(x, Assign) and x.op == "=" and isinstance(x.target, Var) \
                    and x.target.name not in params:
                out.append((x.target.name, x.value))
    return out


def _null_const(e: Expr) -> bool:
    """``NULL`` (``0``): a pointer given no object."""
    return isinstance(e, Const) and e.value == 0


def _field_read(e: Expr) -> bool:
    """``c->buf``, ``*&c->buf``: a value read from a field of some object."""
    while isinstance(e, Unary) and e.op in ("*", "&"):
        e = e.operand
    p = path_of(e)
    return p is not None and "->" in p


def summarize(fn: Function, known: dict[str, Summary], kb: Knowledge) -> Summary:
    s = Summary(fn.name, [p.name for p in fn.params])
    res = _Param(fn, kb, known)
    local_names = {p.name for p in fn.params} | {
        st.target.name for b in fn.blocks for st in b.stmts
        if isinstance(st, Store) and st.decl and isinstance(st.target, Var)}
    tested: set[tuple[int, str]] = set()
    for b in fn.blocks:
        if b.cond is not None:
            if (err_param := _err_or_null_tested(b.cond, res)) is not None:
                tested.add((err_param, ""))
                s.err_ok.add(err_param)
            nt = null_test(b.cond)
            if nt is not None:
                root, _, rest = nt[0].partition("->")
                r = res.of(Var(root))
                if r is None or "->" in rest or "." in rest or "[" in rest:
                    continue
                if r[1] == "":
                    tested.add((r[0], rest))
                elif rest == "":
                    tested.add(r)

    nonnull = _nonnull_fields(fn, res)
    block_nonnull: frozenset[tuple[int, str]] = frozenset()
    stmt_nonnull: frozenset[tuple[int, str]] = frozenset()

    def note_deref(i: int, f: str, line: int, write: bool, below: Deref | None = None) -> None:
        """``below``: how a callee dereferences the field, under its own tests or not."""
        if pseudo_field(f):
            return  # what it reads through the driver data is no field of the parameter
        old = s.derefs.setdefault(i, {}).get(f)
        checked = ((i, f) in block_nonnull or (below is not None and below.checked)) \
            and (old is None or old.checked)
        when_set = ((i, f) in stmt_nonnull or (below is not None and below.used_when_set)) \
            and (old is None or old.used_when_set)
        if old is None or (write and not old.write):
            s.derefs[i][f] = Deref(line, write or (old.write if old else False),
                                   (i, f) in tested, checked, when_set)
        elif (old.checked, old.used_when_set) != (checked, when_set):
            s.derefs[i][f] = Deref(old.line, old.write, old.guarded, checked, when_set)

    for bid, k, line, e, is_target in _block_exprs(fn):
        in_expr = _tested_in_expression(e, res)
        for x in subexprs(e):
            # a test of the block counts for its statements until the block writes the
            # field (block_nonnull), or until the statement that writes it (stmt_nonnull)
            here = in_expr.get(id(x), frozenset())
            block_nonnull = nonnull.get((bid, -1), frozenset()) | here
            stmt_nonnull = nonnull.get((bid, k), frozenset()) | here
            base = None
            if isinstance(x, Member) and x.arrow:
                base = x.base
            elif isinstance(x, Unary) and x.op == "*":
                base = x.operand
            elif isinstance(x, Index):
                base = x.base
            if base is not None:
                r = res.of(base)
                if r is not None:
                    if r[1] == "":
                        if (r[0], "") not in stmt_nonnull:  # not under its own NULL test
                            s.derefs_self.setdefault(r[0], line)  # (if (ns) ns->x: NULL-safe)
                        s.reads.setdefault(r[0], set()).add(
                            x.name if isinstance(x, Member) else "*")
                    else:
                        note_deref(r[0], r[1], line, is_target)
            if isinstance(x, Call):
                _call_effects(s, x, res, known, kb, line, note_deref)
                _global_releases(s, x, local_names, known, kb)
                _lock_drops(s, x, res, known, kb)
                _lock_keeps(s, x, res, known, kb)
                s.calls.add(x.callee)
                if x.callee in known:
                    s.calls |= known[x.callee].calls
        if is_target:
            r = res.of(e)
            if r is not None and r[1] and not pseudo_field(r[1]):
                s.writes.setdefault(r[0], set()).add(r[1])
    # a lock of a parameter it drops and takes again (unlock, wait, lock: a condition
    # wait) is held again when it returns: the function leaves it as it found it
    retaken = _locks_held_at_return(fn, res, kb) | _locks_retaken_after_drops(fn, res, kb)
    s.takes_locks -= s.drops_locks  # taken and dropped: balanced (or a doubt)
    s.drops_locks -= retaken
    s.releases -= {i for i, f in retaken if f == ""}
    held = kb.acquire(fn.name)
    if held is not None and held.held_on_failure and isinstance(held.object, int):
        # device_register(), device_add(): the knowledge says the object stays the
        # caller's when they fail (it owes put_device()); the put their body makes on
        # its way out drops the reference the body took itself, not the caller's
        s.releases.discard(held.object)
    s.releases_globals -= _own_global_locks(fn, s.releases_globals, local_names, known, kb)
    for i in range(len(fn.params)):
        if (i, "") in tested or (i in s.releases and i not in s.derefs_self
                                 and _only_null_safe_releases(fn, i, res, known, kb)):
            s.null_ok.add(i)
        if i in s.releases and _only_keeping_releases(fn, i, res, known, kb):
            s.keeps.add(i)
        if i in s.releases and _only_lock_releases(fn, i, res, known, kb):
            s.unlocks.add(i)
    _returns(fn, s, known, kb)
    s.out_allocs = _out_allocs(fn, known, kb)
    s.ret_errno = _returns_errno(fn, known)
    s.ret_signs = return_signs(fn, known)
    s.ret_stub = is_stub(fn)
    s.only_errnos = _only_errnos(fn, known, kb)
    s.ret_consts = not fn.returns_void and not fn.returns_ptr and _returns_constants(fn)
    s.ret_signs_when, s.ret_signs_nonnull = conditional_signs(
        fn, known, {i: _tested_values(fn, p.name) for i, p in enumerate(fn.params)},
        s.ret_signs)
    s.ret_container = _returned_container(fn, res)
    s.ret_member = _returned_member(fn) if s.ret_container else ""
    s.ret_drvdata = _returned_driver_data(fn, res)
    s.ret_path = _returned_path(fn, known)
    _escapes(fn, s, res, known, kb)
    s.hands_on_null = _hands_on_null(fn, s, res, known, kb)
    _ring_releases(fn, s, res, kb)
    s.releases_elements = _element_releases(fn, res, kb)
    s.releases_when = _release_guards(fn, s.releases, res)
    _must_release(fn, s, res, known, kb)
    _must_consume(fn, s, res, known, kb)
    s.idle = _idle_values(fn)
    s.is_read, s.reads_into = _reads(fn, s, res, known, kb)
    s.kept_when = _kept_when(fn)
    s.inert_on = _inert_params(fn)
    return s


def _inert_params(fn: Function) -> set[int]:
    """The parameters that the function only reads through, or only copies into what it
    reads through the other parameters (``Summary.inert_on``): it has no call and no
    scope-exit cleanup, every use of the parameter reads what it points at (``p->f``,
    ``*p``, ``p[i]`` as a value), and every store through it is such a copy (``hdr->ino
    = breq->startino``: a request's end state reported back; a reset, ``p->busy =
    false``, is a step of its own)."""
    names = {p.name: i for i, p in enumerate(fn.params)}
    out = set(names.values())
    if any(isinstance(st, Cleanup) for b in fn.blocks for st in b.stmts):
        return set()

    def copy(target: Expr, value: Expr | None) -> bool:
        src = path_of(value) if value is not None else None
        to = path_of(target)
        return src is not None and to is not None and "->" in src and "->" in to and \
            root_of(src) in names and root_of(src) != root_of(to)

    copies = {id(st.target) for b in fn.blocks for st in b.stmts
              if isinstance(st, Store) and st.op == "=" and copy(st.target, st.value)}
    for _, e, is_target in exprs_of(fn):
        below: set[int] = set()
        for x in subexprs(e):
            if isinstance(x, Call):
                return set()
            if isinstance(x, Member) and x.arrow or isinstance(x, Index):
                below.add(id(x.base))
            elif isinstance(x, Unary) and x.op == "*":
                below.add(id(x.operand))
            written = x.target if isinstance(x, Assign) and not (
                x.op == "=" and copy(x.target, x.value)) else x.operand \
                if isinstance(x, Unary) and ("++" in x.op or "--" in x.op) else \
                e if is_target and x is e and id(e) not in copies else None
            if written is not None:
                out.discard(names.get(root_of(path_of(written) or ""), -1))
        for x in subexprs(e):
            if isinstance(x, Var) and x.name in names and id(x) not in below:
                out.discard(names[x.name])
    return out


def _kept_when(fn: Function) -> dict[int, set[tuple[int, str]]]:
    """Param index -> (result, part) pairs: the function returns that constant
    result only after it left that part of the parameter ("": the object itself,
    else a field of it) with someone else, on a branch of its own: it stored a
    function into a field of the parameter (``pmboxq->mbox_cmpl =
    foo_def_mbox_cmpl``: a completion that finishes with it), or stored the
    parameter or a field of it into another object (``tag_mem->va =
    cmd_mem->va``: a table that frees it when the late completion comes). The
    branch is one that every path from it returns that constant: ``return
    -EBUSY;``, or ``return retval;`` after the branch's ``retval =
    MBX_TIMEOUT`` ("caller should not free the mailbox resources if this
    function returns MBX_TIMEOUT")."""
    params = {p.name: i for i, p in enumerate(fn.params) if p.ptr}
    out: dict[int, set[tuple[int, str]]] = {}
    for b in fn.blocks:
        if b.id == fn.entry:
            continue  # made on every path: no result tells it apart
        kept: set[tuple[int, str]] = set()
        result: tuple[str, int] | None = None
        for st in b.stmts:
            if not isinstance(st, Store) or st.op != "=":
                continue
            t, v = st.target, st.value
            if isinstance(t, Var) and (k := constant(v)) is not None:
                result = (t.name, k)
                continue
            if isinstance(t, Var) or _below_param(t, params):
                if isinstance(t, Member) and t.arrow and isinstance(t.base, Var) and \
                        t.base.name in params and function_named(v) is not None and \
                        function_named(v) not in params:
                    kept.add((params[t.base.name], ""))  # armed with a completion
                continue
            if isinstance(v, Var) and v.name in params:
                kept.add((params[v.name], ""))
            elif isinstance(v, Member) and v.arrow and isinstance(v.base, Var) and \
                    v.base.name in params:
                kept.add((params[v.base.name], v.name))
        value = _returned_constant(fn, b.id, result) if kept else None
        if value is not None:
            for i, part in kept:
                out.setdefault(i, set()).add((value, part))
    return out


def _below_param(t: Expr, params: dict[str, int]) -> bool:
    """Is store target ``t`` a place inside what a parameter points at (``p->f``,
    ``p->a.b``, ``*p``)?"""
    root = root_of(path_of(t) or "")
    return root in params


def _returned_constant(fn: Function, start: int, result: tuple[str, int] | None) -> int | None:
    """The one constant every path from block ``start`` returns: ``return K``, or
    ``return v`` where ``result`` says the block gave ``v`` the constant and nothing
    writes ``v`` after the block; None when the paths differ or reach no return."""
    found: set[int] = set()
    for bid in fn.reachable_from(start):
        for st in fn.blocks[bid].stmts:
            if bid != start and result is not None and isinstance(st, Store) and \
                    isinstance(st.target, Var) and st.target.name == result[0]:
                return None
            if not isinstance(st, Return):
                continue
            if isinstance(st.value, Var) and result is not None and \
                    st.value.name == result[0]:
                found.add(result[1])
            elif (k := constant(st.value)) is not None:
                found.add(k)
            else:
                return None
    return found.pop() if len(found) == 1 else None


def _reads(fn: Function, s: Summary, res: _Param, known: dict[str, Summary],
           kb: Knowledge) -> tuple[bool, set[int]]:
    """Is the function a read, and which parameters does it fill with what it read?
    A read changes nothing its caller sees but what it hands back: it writes no
    field of a parameter, releases, hands over and unlocks nothing, stores only into
    its own locals (not through a pointer of theirs) and into what a parameter
    points at (``*val = v``), and calls only logging functions and reads (the
    knowledge's [read], or functions whose summary says so), whose filled argument
    may be a parameter. Anything else, or any doubt: no read."""
    if s.writes or s.releases or s.releases_fields or s.releases_globals or \
            s.releases_members or s.releases_container or s.escapes or s.consumes or \
            s.drops_locks or s.takes_locks or s.frees_unidentified:
        return False, set()
    into: set[int] = set()
    for b in fn.blocks:
        for st in b.stmts:
            if not isinstance(st, Store):
                continue
            t = st.target
            if isinstance(t, Unary) and t.op == "*" and (r := res.of(t.operand)) \
                    is not None and r[1] == "":
                into.add(r[0])
            elif not _own_object(t):
                return False, set()
        for e in b.exprs():
            for c in calls_in(e):
                if kb.printer_format(c.callee) is not None or \
                        c.callee.startswith("__builtin_"):
                    continue
                callee = known.get(c.callee)
                if kb.is_read(c.callee):
                    j = kb.read_into(c.callee)
                    filled = set() if j is None else {j}
                elif callee is not None and callee.is_read and c.callee != fn.name:
                    filled = callee.reads_into
                else:
                    return False, set()
                for j in filled:
                    r = res.of(c.args[j]) if j < len(c.args) else None
                    if r is not None and r[1] == "":
                        into.add(r[0])
    return True, into


def _own_object(t: Expr) -> bool:
    """Is ``t`` a variable of the function or a part of one (``n``, ``buf[i]``,
    ``msg.len``), nothing a pointer leads to?"""
    if isinstance(t, Var):
        return True  # the function's own copy, whatever it points at
    if isinstance(t, Member) and not t.arrow:
        return _own_object(t.base)
    return isinstance(t, Index) and isinstance(t.base, Var) and not t.base.ptr


def _ring_releases(fn: Function, s: Summary, res: _Param, kb: Knowledge) -> None:
    """Parameters freed by a walk over a list ring they were spliced into.

    A kernel list is a ring: linking a local head into the list a parameter's
    member belongs to (``list_add_tail(&head, &first->list)``) puts the parameter
    itself on the ring that a walk from ``&head`` visits. A walk whose element
    (``e = list_entry(curr, ...)``, its cursor read from ``head.next``) is freed
    then frees the parameter with every other element: the function releases it
    (conditionally: the walk may also stop early), and the fields of the element it
    frees (``kfree(e->virt)``).
    """
    heads = _spliced_heads(fn, res, kb)
    if not heads:
        return
    for b in fn.blocks:
        for e in b.exprs():
            for c in calls_in(e):
                rel = kb.release(c.callee)
                p = path_of(c.args[rel.arg]) if rel is not None and rel.arg < len(c.args) \
                    else None
                if p is None or p.startswith("&"):
                    continue
                elem, _, below = p.partition("->")
                if "->" in below or "[" in below:
                    continue
                for head, i in heads.items():
                    if not _walks_from(res, elem, head, set()):
                        continue
                    if below:  # kfree(e->virt): each element's field, the parameter's too
                        s.releases_fields.setdefault(i, set()).add(below)
                    else:
                        s.releases.add(i)


def _element_releases(fn: Function, res: _Param, kb: Knowledge) -> dict[int, set[str]]:
    """The tables below a parameter whose elements, at a computed index, the function
    releases (``kfree(p->msgs[i])``, or a local read from one: ``pg = p->tbl[i];
    kfree(pg)``): parameter index -> the table's field below it."""
    read: dict[str, Expr] = {}  # local -> the table whose element it was given
    for b in fn.blocks:
        for st in b.stmts:
            if isinstance(st, Store) and isinstance(st.target, Var) and \
                    (t := element_table(st.value)) is not None:
                read[st.target.name] = t
    out: dict[int, set[str]] = {}
    for b in fn.blocks:
        for e in b.exprs():
            for c in calls_in(e):
                rel = kb.release(c.callee)
                if rel is None or rel.arg >= len(c.args):
                    continue
                a = c.args[rel.arg]
                t = read.get(a.name) if isinstance(a, Var) else element_table(a)
                r = res.of(t) if t is not None else None
                if r is not None and r[1] and not pseudo_field(r[1]):
                    out.setdefault(r[0], set()).add(r[1])
    return out


def _spliced_heads(fn: Function, res: _Param, kb: Knowledge) -> dict[str, int]:
    """Local list heads linked into a list of a parameter's member: an [owner] call
    (list_add()) given ``&head``, a local object (no pointer), and ``&p->member``
    for the list it joins. Head name -> parameter index."""
    out: dict[str, int] = {}
    for b in fn.blocks:
        for e in b.exprs():
            for c in calls_in(e):
                j = kb.owner_arg(c.callee)
                if j is None or j >= len(c.args):
                    continue
                node = c.args[j]
                if not (isinstance(node, Unary) and node.op == "&"
                        and isinstance(node.operand, Var) and not node.operand.ptr
                        and not node.operand.is_param):
                    continue
                for k, a in enumerate(c.args):
                    r = res.of(a.operand) if k != j and isinstance(a, Unary) and \
                        a.op == "&" and isinstance(a.operand, Member) else None
                    if r is not None and r[1] and not pseudo_field(r[1]):
                        out[node.operand.name] = r[0]  # &p->list, &p->dma.list
    return out


def _walks_from(res: _Param, name: str, head: str, seen: set[str]) -> bool:
    """Does local ``name`` take its values from a walk that starts at local ``head``:
    assigned ``head.next`` or ``head.prev`` (``curr = (&head)->next``), the next
    element of such a cursor (``n = curr->next``), another such local, or the
    container of one (list_entry()'s ``__mptr - offsetof(...)``)? Another field of
    the head (``waiter.task`` of a waiter linked into a wait list) is no walk."""
    if name in seen:
        return False
    seen.add(name)
    for v in res.values_of(name):
        while isinstance(v, Assign):
            v = v.value
        if isinstance(v, Binary) and v.op == "-":
            v = v.lhs  # container_of(): __mptr - offsetof(type, member)
        if isinstance(v, Member) and v.name in _LINKS and isinstance(v.base, Var) and \
                v.base.name != head:
            v = v.base  # n = curr->next
        p = path_of(v)
        if p is not None and p in {f"{pre}{head}{sep}{link}" for pre, sep in
                                   (("&", "->"), ("", ".")) for link in _LINKS}:
            return True  # curr = (&head)->next
        if isinstance(v, Var) and _walks_from(res, v.name, head, seen):
            return True
    return False


# the members of a list node that lead to the next element, either way
_LINKS = ("next", "prev")


def _returned_container(fn: Function, res: _Param) -> set[int]:
    """The parameter whose container every return gives back (or NULL), as a set."""
    found: set[int | None] = set()
    for b in fn.blocks:
        for st in b.stmts:
            if isinstance(st, Return) and st.value is not None and constant(st.value) != 0:
                found.add(res.container_of(st.value))
    return {i for i in found if i is not None} if len(found) == 1 else set()


def _returned_member(fn: Function) -> str:
    """The member path named by the container_of() every return computes (``__mptr -
    offsetof(T, dev)``, directly or through the local it is stored in): "dev"; ""
    when the returns name none or differ. A container_of() of a container_of() goes
    back from the member of a member (``vdesc = container_of(t, V, tx); return
    container_of(vdesc, T, vd);``: "vd.tx")."""
    chain: dict[str, str] = {}  # local -> the member path its container_of() undid
    found: set[str | None] = set()
    for b in fn.blocks:
        for st in b.stmts:
            if isinstance(st, Store) and isinstance(st.target, Var) and st.op == "=":
                m = _container_member(st.value, chain)
                if m is None:
                    chain.pop(st.target.name, None)
                else:
                    chain[st.target.name] = m
            if isinstance(st, Return) and st.value is not None and constant(st.value) != 0:
                v = st.value.value if isinstance(st.value, Assign) else st.value
                found.add(_container_member(v, chain))
    member = found.pop() if len(found) == 1 else None
    return member or ""


def _container_member(v: Expr | None, chain: dict[str, str]) -> str | None:
    """The member path ``v`` goes back from: a container_of() expansion ``__mptr -
    offsetof(T, m)``, "m", after the path of the container_of() ``__mptr`` holds
    ("vd" then "tx": "vd.tx"), or a local holding one."""
    if isinstance(v, Var):
        return chain.get(v.name)
    m = offsetof_member(v.rhs) if isinstance(v, Binary) and v.op == "-" else None
    if m is None or not isinstance(v, Binary):
        return None
    inner = chain.get(v.lhs.name) if isinstance(v.lhs, Var) else None
    return f"{m}.{inner}" if inner else m


def _returned_driver_data(fn: Function, res: _Param) -> tuple[int, str] | None:
    """The parameter and driver-data pseudo-field that every return gives back: an
    accessor such as ``to_foo_info(pdev) { return platform_get_drvdata(pdev); }``."""
    found = {res.of(st.value) for b in fn.blocks for st in b.stmts
             if isinstance(st, Return) and st.value is not None}
    if len(found) != 1:
        return None
    r = found.pop()
    return r if r is not None and r[1].startswith(DRIVER_DATA) and "->" not in r[1] else None


def _returned_path(fn: Function, known: dict[str, Summary]) -> tuple[int, str] | None:
    """The parameter and the access path below it that every return reads (``return
    p->a->b;``, or through a getter whose summary says so: ``return
    netdev_priv(dev)->base``), with the parameter never assigned; None otherwise."""
    params = {p.name: i for i, p in enumerate(fn.params)}
    for b in fn.blocks:
        for st in b.stmts:
            if isinstance(st, Store) and isinstance(st.target, Var) and st.target.name in params:
                return None
    found = {getter_path(st.value, params, known) if st.value is not None else None
             for b in fn.blocks for st in b.stmts if isinstance(st, Return)}
    if len(found) != 1:
        return None
    r = found.pop()
    return r if r is not None and r[1] else None


def getter_path(e: Expr, params: dict[str, int],
                known: Mapping[str, Summary]) -> tuple[int, str] | None:
    """``e`` as an access path below one of ``params`` (name -> index): (index, path),
    "" for the parameter itself; through getters (``Summary.ret_path``) called on such a
    path. None when it is none."""
    if isinstance(e, Var):
        return (params[e.name], "") if e.name in params else None
    if isinstance(e, Member):
        base = getter_path(e.base, params, known)
        if base is None or not e.arrow and not base[1]:
            return None
        sep = "->" if e.arrow else "."
        return base[0], f"{base[1]}{sep}{e.name}" if base[1] else e.name
    if isinstance(e, Call) and (s := known.get(e.callee)) is not None and \
            s.ret_path is not None and s.ret_path[0] < len(e.args):
        base = getter_path(e.args[s.ret_path[0]], params, known)
        if base is None:
            return None
        return base[0], f"{base[1]}->{s.ret_path[1]}" if base[1] else s.ret_path[1]
    return None


def _idle_values(fn: Function) -> dict[int, set[int]]:
    """For each parameter, the constants it is switched on or compared with for which
    no path through the function does anything: every block reached when the parameter
    holds that value (the tests it decides followed one way) has no statement but
    declarations and plain returns."""
    out: dict[int, set[int]] = {}
    for i, p in enumerate(fn.params):
        for v in sorted(_compared_values(fn, p.name)):
            if _does_nothing(fn, {p.name: v}):
                out.setdefault(i, set()).add(v)
    return out


def _tested_values(fn: Function, name: str) -> set[int]:
    """The constants a parameter is compared or switched with; 0 and 1 for a flag
    tested as a truth value (``if (defer)``)."""
    out = _compared_values(fn, name)
    for b in fn.blocks:
        c = b.cond
        while isinstance(c, Unary) and c.op == "!":
            c = c.operand
        if isinstance(c, Var) and c.name == name and not c.ptr:
            out |= {0, 1}
    return out


def _compared_values(fn: Function, name: str) -> set[int]:
    out: set[int] = set()
    for b in fn.blocks:
        if isinstance(b.switch, Var) and b.switch.name == name:
            out.update(e.value for e in b.succs if e.kind == "case" and e.value is not None
                       and e.value != UNKNOWN_CASE)
        tests = [b.cond] + [x for s in b.stmts if isinstance(s, Return) and s.value is not None
                            for x in subexprs(s.value)]  # return err < 0 && ...;
        for c in tests:
            if isinstance(c, Binary) and c.op in ("==", "!=", "<", ">", "<=", ">="):
                for a, k in ((c.lhs, constant(c.rhs)), (c.rhs, constant(c.lhs))):
                    if isinstance(a, Var) and a.name == name and k is not None:
                        out.add(k)
    return out


def _does_nothing(fn: Function, known: dict[str, int]) -> bool:
    seen: set[int] = set()
    todo = [fn.entry]
    while todo:
        bid = todo.pop()
        if bid in seen:
            continue
        seen.add(bid)
        b = fn.blocks[bid]
        for st in b.stmts:
            if isinstance(st, Store) and st.decl and st.value is None:
                continue
            if isinstance(st, Return) and (st.value is None or constant(st.value) is not None):
                continue
            return False
        if b.cond is not None and len(b.succs) == 2:
            t = truth(b.cond, known)
            todo.extend(e.dst for e in b.succs
                        if t is None or (e.kind == "true") == t)
            continue
        v = known.get(b.switch.name) if isinstance(b.switch, Var) else None
        cases = {e.value for e in b.succs if e.kind == "case"}
        for e in b.succs:
            if v is not None and UNKNOWN_CASE not in cases and (
                    e.kind == "case" and e.value != v or e.kind == "default" and v in cases):
                continue
            todo.append(e.dst)
    return True


def _only_null_safe_releases(fn: Function, i: int, res: _Param, known: dict[str, Summary],
                             kb: Knowledge) -> bool:
    """Does every call that receives parameter ``i`` itself accept NULL (a wrapper whose
    body is ``kfree_sensitive(req)``: the wrapper accepts NULL too)?"""
    for _line, e, _target in exprs_of(fn):
        for c in calls_in(e):
            for j, a in enumerate(c.args):
                if res.of(a) != (i, ""):
                    continue
                rel = kb.release(c.callee)
                callee = known.get(c.callee)
                if not (rel is not None and rel.arg == j and rel.null_ok) and \
                        not (callee is not None and j in callee.null_ok):
                    return False
    return True


def _only_keeping_releases(fn: Function, i: int, res: _Param, known: dict[str, Summary],
                           kb: Knowledge) -> bool:
    """Does every call that releases parameter ``i`` keep it valid (the knowledge's
    ``keeps_object``, or a same-file callee that only keeps it)? Then the function
    releases it without freeing it: ``foo_unregister(dev) { unregister_candev(dev); }``
    leaves the netdev to free_candev()."""
    return _every_release(fn, i, res, known, kb,
                          lambda name: bool((r := kb.release(name)) and r.keeps_object),
                          lambda s: s.keeps, teardown_counts=False)


def _only_lock_releases(fn: Function, i: int, res: _Param, known: dict[str, Summary],
                        kb: Knowledge) -> bool:
    """Does every call that releases parameter ``i`` itself drop a lock of it (a release
    of a hold kind: ``folio_unlock(folio)``, or a same-file callee that only does so)?
    Then the function releases the lock, not the object or a reference to it."""
    return _every_release(fn, i, res, known, kb,
                          lambda name: kb.released_kind(name).is_hold,
                          lambda s: s.unlocks, teardown_counts=True)


def _every_release(fn: Function, i: int, res: _Param, known: dict[str, Summary],
                   kb: Knowledge, direct: Callable[[str], bool],
                   own: Callable[[Summary], Collection[int]], teardown_counts: bool) -> bool:
    """Is parameter ``i`` released somewhere, and is every call that releases it of the
    one sort: a knowledge release for which ``direct`` holds, or a same-file callee
    whose summary lists the parameter in ``own``? A knowledge teardown given it is
    of another sort where ``teardown_counts``."""
    found = False
    for _line, e, _target in exprs_of(fn):
        for c in calls_in(e):
            rel = kb.release(c.callee)
            td = kb.teardown(c.callee) if teardown_counts else None
            callee = known.get(c.callee)
            for j, a in enumerate(c.args):
                if res.of(a) != (i, ""):
                    continue
                if rel is not None and rel.arg == j:
                    if not direct(c.callee):
                        return False
                    found = True
                elif td is not None and td.arg == j:
                    return False
                elif callee is not None and j in callee.releases:
                    if j not in own(callee):
                        return False
                    found = True
    return found


def _lock_drops(s: Summary, call: Call, res: _Param, known: dict[str, Summary],
                kb: Knowledge) -> None:
    """The locks of its parameters that a call drops, directly or in a same-file callee."""
    callee = known.get(call.callee)
    direct = kb.released_kind(call.callee).is_hold
    if not direct and (callee is None or not callee.drops_locks):
        return
    for j, a in enumerate(call.args):
        a = a.operand if isinstance(a, Unary) and a.op == "&" else a
        r = res.of(a) or _through_field(a, res)
        if r is None:
            continue
        if direct:
            s.drops_locks.add(r)
        elif callee is not None:
            s.drops_locks.update((r[0], r[1] or f) for k, f in callee.drops_locks if k == j)


def _lock_keeps(s: Summary, call: Call, res: _Param, known: dict[str, Summary],
                kb: Knowledge) -> None:
    """The locks of its parameters that a call takes, directly or in a same-file callee
    that returns holding them."""
    s.takes_locks |= _lock_takes(call, res, kb)
    callee = known.get(call.callee)
    if callee is None or not callee.takes_locks:
        return
    for j, a in enumerate(call.args):
        a = a.operand if isinstance(a, Unary) and a.op == "&" else a
        r = res.of(a) or _through_field(a, res)
        if r is not None:
            s.takes_locks.update((r[0], r[1] or f) for k, f in callee.takes_locks if k == j)


def _through_field(e: Expr, res: _Param) -> tuple[int, str] | None:
    """``dmux->dev`` with ``dmux = skb_dma->dmux`` read from a parameter: (that
    parameter, "dmux->dev"), a lock or PM count of the object a field of the parameter
    points at, which ``_Param.of()`` leaves out (its fields are one deep). A lock
    embedded in a member of that object keeps its whole path: ``priv->scan.lock``
    with ``priv = hw->priv`` is (hw, "priv->scan.lock")."""
    embedded = ""
    while isinstance(e, Member) and not e.arrow:
        embedded, e = f".{e.name}{embedded}", e.base
    if not (isinstance(e, Member) and e.arrow):
        return None
    base = res.of(e.base)
    if base is None or not base[1] or pseudo_field(base[1]) or "->" in base[1]:
        return None
    return base[0], f"{base[1]}->{e.name}{embedded}"


def _locks_held_at_return(fn: Function, res: _Param, kb: Knowledge) -> set[tuple[int, str]]:
    """The locks of its parameters that the function takes on every path to its
    returns (a block every return comes through): whatever it dropped before, it
    returns holding them."""
    returns = {b.id for b in fn.blocks if any(isinstance(x, Return) for x in b.stmts)}
    returns.add(fn.exit)
    out: set[tuple[int, str]] = set()
    for b in fn.blocks:
        takes = {r for e in b.exprs() for x in subexprs(e) if isinstance(x, Call)
                 for r in _lock_takes(x, res, kb)}
        if takes - out and (b.id == fn.entry or
                            not returns & fn.reachable_from(fn.entry, avoid=b.id)):
            out |= takes
    return out


def _locks_retaken_after_drops(fn: Function, res: _Param,
                               kb: Knowledge) -> set[tuple[int, str]]:
    """The locks of its parameters that the function takes again after each of its
    drops of them, on every path from the drop to a return (``mutex_unlock(&chip->m);
    schedule(); mutex_lock(&chip->m); goto retry;`` in the states of a switch): it
    lets a caller's lock go while it sleeps, and returns holding it as it found it."""
    last: dict[tuple[int, str], dict[int, bool]] = {}  # lock -> block -> ends taken
    dropped: set[tuple[int, str]] = set()
    for b in fn.blocks:
        for e in b.exprs():
            for x in subexprs(e):
                if not isinstance(x, Call):
                    continue
                for r in _lock_takes(x, res, kb):
                    last.setdefault(r, {})[b.id] = True
                if kb.released_kind(x.callee).is_hold:
                    for a in x.args:
                        a = a.operand if isinstance(a, Unary) and a.op == "&" else a
                        r2 = res.of(a) or _through_field(a, res)
                        if r2 is not None:
                            last.setdefault(r2, {})[b.id] = False
                            dropped.add(r2)
    returns = {b.id for b in fn.blocks if any(isinstance(x, Return) for x in b.stmts)}
    returns.add(fn.exit)
    out: set[tuple[int, str]] = set()
    for r, ends in last.items():
        drops = [bid for bid, taken in ends.items() if not taken]
        takes = {bid for bid, taken in ends.items() if taken}
        if r not in dropped or not takes:
            continue
        if all(d not in returns and not any(
                t not in takes and returns & fn.reachable_from(t, avoid=takes)
                for t in fn.blocks[d].targets()) for d in drops):
            out.add(r)
    return out


def _own_global_locks(fn: Function, dropped: set[str], local_names: set[str],
                      known: dict[str, Summary], kb: Knowledge) -> set[str]:
    """The global locks (and PM counts) of ``dropped`` that the function takes itself
    before each of its drops of them, on every path to the drop (``mutex_lock(&g);
    ...; mutex_unlock(&g)`` in a release callback): it drops its own acquisition,
    nothing its caller holds, so a caller holding ``g`` still holds it after the call.
    A drop that some path reaches without the take (``if (x) mutex_unlock(&g);``, a
    function called holding ``g``) keeps ``g`` released."""
    takes: dict[str, set[int]] = {}
    drops: list[tuple[str, int, bool]] = []  # (lock, block, taken before in the block)
    for b in fn.blocks:
        taken_here: set[str] = set()
        for e in b.exprs():
            for x in subexprs(e):
                if not isinstance(x, Call):
                    continue
                g = _global_taken(x, local_names, kb)
                if g is not None and g in dropped:
                    takes.setdefault(g, set()).add(b.id)
                    taken_here.add(g)
                drops += [(d, b.id, d in taken_here)
                          for d in _global_dropped(x, local_names, known, kb) & dropped]
    own = set(takes)
    for g, bid, taken_before in drops:
        if g in own and not taken_before and fn.entry not in takes[g] and \
                bid in fn.reachable_from(fn.entry, avoid=takes[g]):
            own.discard(g)
    return own


def _global_taken(call: Call, local_names: set[str], kb: Knowledge) -> str | None:
    """The global lock or PM count a call takes (``mutex_lock(&foo_mutex)``), if any."""
    a = kb.acquire(call.callee)
    if a is None or not a.kind.is_hold or not isinstance(a.object, int) or \
            a.object >= len(call.args):
        return None
    p = path_of(call.args[a.object])
    p = p[1:] if p is not None and p.startswith("&") else p
    return p if p is not None and root_of(p) not in local_names else None


def _global_dropped(call: Call, local_names: set[str], known: dict[str, Summary],
                    kb: Knowledge) -> set[str]:
    """The globals a call drops as a lock or PM count, itself or in a same-file callee."""
    out: set[str] = set()
    rel = kb.release(call.callee)
    if rel is not None and rel.arg < len(call.args) and kb.released_kind(call.callee).is_hold:
        p = path_of(call.args[rel.arg])
        p = p[1:] if p is not None and p.startswith("&") else p
        if p is not None and root_of(p) not in local_names:
            out.add(p)
    callee = known.get(call.callee)
    if callee is not None:
        out |= callee.releases_globals
    return out


def _lock_takes(call: Call, res: _Param, kb: Knowledge) -> set[tuple[int, str]]:
    """The lock of a parameter that a call takes (``mutex_lock(m)``), if any."""
    a = kb.acquire(call.callee)
    if a is None or not a.kind.is_hold or not isinstance(a.object, int) or \
            a.object >= len(call.args):
        return set()
    arg = call.args[a.object]
    arg = arg.operand if isinstance(arg, Unary) and arg.op == "&" else arg
    r = res.of(arg) or _through_field(arg, res)
    return {r} if r is not None else set()


def _container_releases(s: Summary, call: Call, res: _Param, known: dict[str, Summary],
                        kb: Knowledge) -> None:
    """A release of a container of a parameter: ``kfree(o)``, ``kref_put(&o->ref, ...)``
    or a same-file callee that releases ``o`` or its container, where ``o =
    container_of(param, ...)``."""
    rel = kb.release(call.callee)
    callee = known.get(call.callee)
    for j, a in enumerate(call.args):
        released = rel is not None and rel.arg == j or callee is not None and (
            j in callee.releases or j in callee.releases_container)
        if not released:
            continue
        i = res.container_of(a)
        member = embedded_member(a)
        if i is None and member is not None and (
                rel is not None and kb.released_kind(call.callee) in CONTAINER_RELEASE_KINDS
                or callee is not None and j in callee.releases_container):
            # kref_put(&o->refcount, ...): its release frees o; o itself a container
            i = res.container_of(Var(member.split("->", 1)[0]))
        if i is not None:
            s.releases_container.add(i)


def _container_field_releases(s: Summary, call: Call, res: _Param,
                               known: dict[str, Summary], kb: Knowledge) -> None:
    """What a call releases inside a container of a parameter: ``kfree(o->buf)``, or a
    same-file callee that releases ``o``'s fields (``foo_free_bufs(o)``), where ``o =
    container_of(param, ...)``: the release callback's part of a put."""
    rel = kb.release(call.callee)
    callee = known.get(call.callee)
    for j, a in enumerate(call.args):
        released = rel is not None and rel.arg == j or callee is not None and j in callee.releases
        cp = res.container_path(a) if released else None
        if cp is not None:
            s.releases_container_fields.setdefault(cp[0], set()).add(cp[1])
        i = res.container_of(a) if callee is not None else None
        if i is not None and callee is not None and callee.releases_fields.get(j):
            s.releases_container_fields.setdefault(i, set()).update(callee.releases_fields[j])


def _callback_field_releases(s: Summary, call: Call, res: _Param,
                              known: dict[str, Summary], kb: Knowledge) -> None:
    """What the release function of the file that a put is given frees below the
    object whose reference it drops (``kref_put(&o->ref, foo_release)``, the
    knowledge's ``callback``, with ``foo_release`` freeing ``o->buf`` after its
    container_of()): the same fields of ``o``, as fields of the parameter ``o`` is
    (a put wrapper: ``foo_put(o)``) or of the container of one (``foo_put(&o->base)``
    with ``o = container_of(base, ...)``). The object goes with its put already
    (``_container_releases()``, ``releases_members``): its fields go with it. Only a
    reference member of ``o`` itself (``&o->ref``), the one the callback's
    container_of() undoes."""
    rel = kb.release(call.callee)
    if rel is None or rel.callback is None or max(rel.arg, rel.callback) >= len(call.args):
        return
    fn = function_named(call.args[rel.callback])
    cb = known.get(fn) if fn is not None else None
    member = embedded_member(call.args[rel.arg])
    fields = cb.releases_container_fields.get(0) if cb is not None else None
    if not fields or member is None or "." in member:
        return
    root = Var(member.split("->", 1)[0])
    r = res.of(root)
    if r is not None and r[1] == "":
        s.releases_fields.setdefault(r[0], set()).update(fields)
    elif (i := res.container_of(root)) is not None:
        s.releases_container_fields.setdefault(i, set()).update(fields)


def _global_releases(s: Summary, call: Call, local_names: set[str],
                     known: dict[str, Summary], kb: Knowledge) -> None:
    """The globals a call releases, as access paths rooted at a name that is neither a
    parameter nor a local: its argument when it is a release of one (``iounmap(base)``,
    ``class_unregister(&foo_class)``, ``iounmap(foo->regs)`` of a static ``foo``), and
    what a same-file callee releases (``foo_unregister_all()``)."""
    rel = kb.release(call.callee)
    if rel is not None and rel.arg < len(call.args):
        p = path_of(call.args[rel.arg])
        p = p[1:] if p is not None and p.startswith("&") else p
        if p is not None and root_of(p) not in local_names:
            s.releases_globals.add(p)
    callee = known.get(call.callee)
    if callee is not None:
        s.releases_globals |= {g for g in callee.releases_globals
                               if root_of(g) not in local_names}
    # kref_put(&o->ref, foo_release) with foo_release doing module_put(THIS_MODULE):
    # the last put runs the release, as for the fields it frees
    # (_callback_field_releases)
    if rel is not None and rel.callback is not None and rel.callback < len(call.args) and \
            (fn := function_named(call.args[rel.callback])) is not None and \
            (cb := known.get(fn)) is not None:
        s.releases_globals |= cb.releases_globals


def _unknown_handovers(s: Summary, call: Call, res: _Param, known: dict[str, Summary],
                       kb: Knowledge) -> None:
    """The parameters (or their containers) a call hands whole to a function whose effect
    is unknown: neither the file's nor described by the knowledge (a printk-style
    function only reads it); and those a release frees through a pointer computed from
    them in a way it cannot read (``shost = to_host(dev); kfree(shost)``)."""
    callee = known.get(call.callee)
    rel = kb.release(call.callee)
    for j, a in enumerate(call.args):
        if isinstance(a, Var) and res.unidentified(a.name) and (
                rel is not None and rel.arg == j or callee is not None and j in callee.releases):
            s.frees_unidentified = True  # kfree(x), x = to_foo(dev) of a macro it cannot read
    if callee is not None and callee.frees_unidentified:
        s.frees_unidentified = True
    if callee is None and (kb.describes(call.callee) or kb.printer_format(call.callee)
                           is not None):
        return
    for j, a in enumerate(call.args):
        r = res.of(a)
        i = r[0] if r is not None and r[1] == "" else res.container_of(a)
        if i is not None and (callee is None or j in callee.hands_unknown):
            s.hands_unknown.add(i)


def _param_call(s: Summary, call: Call, res: _Param) -> None:
    """A call of a function pointer the function was given, on parameters only
    (``res_free(res)``): ``calls_params`` records which, so that a caller that passes a
    function of its file there sees that function's effects on its own arguments."""
    if not call.indirect or not isinstance(call.fn, Var) or call.fn.name not in s.params:
        return
    passed = [res.of(a) for a in call.args]
    if passed and all(r is not None and r[1] == "" for r in passed):
        s.calls_params[s.params.index(call.fn.name)] = tuple(r[0] for r in passed if r)


def _unlinks(s: Summary, call: Call, res: _Param, known: dict[str, Summary],
             kb: Knowledge) -> None:
    """``list_del(&p->node)``, or ``foo_unlink(p)`` whose summary unlinks its parameter:
    the parameter's node is out of its list (``Summary.unlinks``)."""
    j = kb.unlink(call.callee)
    if j is not None and j < len(call.args):
        member = embedded_member(call.args[j])
        r = res.of(Var(member.split("->", 1)[0])) if member is not None else None
        if r is not None and r[1] == "":
            s.unlinks.add(r[0])
    callee = known.get(call.callee)
    for k in callee.unlinks if callee is not None else ():
        r = res.of(call.args[k]) if k < len(call.args) else None
        if r is not None and r[1] == "":
            s.unlinks.add(r[0])


def _member_address(res: _Param, a: Expr) -> Expr:
    """``a``, or the address of a member that the local ``a`` is only ever given
    (``auxdev = &adev->auxdev; ... auxiliary_device_uninit(auxdev)``)."""
    if isinstance(a, Var) and a.name not in res.index:
        values = res.values_of(a.name)
        if len(values) == 1 and isinstance(values[0], Unary) and values[0].op == "&" and \
                isinstance(values[0].operand, Member):
            return values[0]
    return a


def _puts_count(call: Call, j: int, callee, kb: Knowledge) -> bool:
    """Whether argument ``j`` of ``call`` is a count whose put may free what embeds
    it: a knowledge fact of a container release (``put_device``, ``kref_put``), or a
    callee's summary that releases members of that parameter."""
    rel = kb.release(call.callee)
    if rel is not None and rel.arg == j and \
            kb.released_kind(call.callee) in CONTAINER_RELEASE_KINDS:
        return True
    return callee is not None and j in callee.releases and bool(callee.releases_members.get(j))


def _call_effects(s, call: Call, res: _Param, known, kb: Knowledge, line, note_deref) -> None:
    _param_call(s, call, res)
    rel = kb.release(call.callee)
    td = kb.teardown(call.callee)
    callee = known.get(call.callee)
    _container_releases(s, call, res, known, kb)
    _container_field_releases(s, call, res, known, kb)
    _callback_field_releases(s, call, res, known, kb)
    _unknown_handovers(s, call, res, known, kb)
    _unlinks(s, call, res, known, kb)
    for j, a in enumerate(call.args):
        member = embedded_member(_member_address(res, a))
        if member is not None and _puts_count(call, j, callee, kb):
            # put_device(&p->dev), or a put helper given an embedded object
            # (i915_gem_object_put(obj) calls __drm_gem_object_put(&obj->base), whose
            # kref_put(&base->refcount) runs the release): the count it drops frees
            # what embeds it
            holder, _, inner = member.partition("->")
            r = res.of(Var(holder))
            if r is not None and r[1] == "":
                s.releases.add(r[0])
                s.releases_members.setdefault(r[0], set()).add(inner)
            elif r is not None and r[1] and _whole_pseudo(r[1]) and r[1] != POINTEE:
                s.releases_fields.setdefault(r[0], set()).add(r[1])  # kref_put(&drvdata->ref)
        if isinstance(a, Unary) and a.op == "&":
            r = res.of(a.operand)
            if r is not None and r[1] and not pseudo_field(r[1]):
                s.writes.setdefault(r[0], set()).add(r[1])
                kind = kb.released_kind(call.callee)
                if rel is not None and rel.arg == j and kind is not Kind.UNKNOWN and \
                        not kind.is_hold and kind not in CONTAINER_RELEASE_KINDS and \
                        not rel.keeps_object and not kb.released_part(call.callee):
                    # v4l2_device_unregister(&p->v4l2_dev): an object embedded in p
                    s.releases_fields.setdefault(r[0], set()).add(r[1])
                if rel is not None and rel.arg == j and kind.is_hold and \
                        (part := kb.released_part(call.callee)):
                    # pm_runtime_disable(&p->dev): the enable count of p's device
                    s.releases_field_parts.setdefault(r[0], set()).add((r[1], part))
            elif r is None and rel is not None and rel.arg == j and \
                    not kb.released_kind(call.callee).is_hold and \
                    (deep := res.deep(a.operand)) is not None:
                # kref_put(&sdev->host->tagset_refcnt, ...): a count embedded in what a
                # field of the parameter points at (a caller's kref_get() of it)
                s.releases_fields.setdefault(deep[0], set()).add(deep[1])
            continue
        r = res.of(a)
        if r is None and rel is not None and rel.arg == j and \
                (read := res.read_below(a)) is not None:
            # kfree(np->rx_skb) after np = get_nvpriv(dev): frees dev->priv->rx_skb
            s.releases_fields.setdefault(read[0], set()).add(read[1])
            if part := kb.released_part(call.callee):  # pci_free_irq_vectors(ha->pdev)
                s.releases_field_parts.setdefault(read[0], set()).add((read[1], part))
        elif r is None and rel is not None and rel.arg == j and \
                (inside := res.inside(a)) is not None:
            # kfree(bufs->urb) with bufs = &dev->ctl.rx_bufs or &dev->ctl.tx_bufs
            s.releases_fields.setdefault(inside[0], set()).update(inside[1])
        elif r is None and rel is not None and rel.arg == j and \
                (deep := res.deep(a)) is not None:
            # kfree(p->map.std->lvl.buf): a teardown that frees what hangs below a
            # field of its parameter (a caller's ``x->map.std->lvl.buf`` it allocated)
            s.releases_fields.setdefault(deep[0], set()).add(deep[1])
        if r is None:
            continue
        i, f = r
        if (rel is not None and rel.arg == j) or (td is not None and td.arg == j):
            if f == "":
                s.releases.add(i)
                if rel is not None and rel.arg == j and \
                        kb.released_kind(call.callee) is Kind.MEMORY:
                    s.frees_memory.add(i)
                if rel is not None and rel.arg == j and (part := kb.released_part(call.callee)):
                    s.releases_parts.setdefault(i, set()).add(part)
            elif rel is not None:
                below = (res.path(a) or r)[1]
                s.releases_fields.setdefault(i, set()).add(below)
                if rel.arg == j and (part := kb.released_part(call.callee)):
                    s.releases_field_parts.setdefault(i, set()).add((below, part))
            if td is not None and td.arg == j and f == "":
                for dep in td.depends:
                    note_deref(i, dep, line, True)
            continue
        if callee is None:
            continue
        if f == "":
            for g, d in callee.derefs.get(j, {}).items():
                note_deref(i, g, line, d.write, d)
            s.writes.setdefault(i, set()).update(callee.writes.get(j, set()))
            if j in callee.releases:
                s.releases.add(i)
            if j in callee.frees_memory:
                s.frees_memory.add(i)
            for g in callee.releases_fields.get(j, ()):
                s.releases_fields.setdefault(i, set()).add(g)
            for g in callee.releases_members.get(j, ()):
                s.releases_members.setdefault(i, set()).add(g)
            for g in callee.releases_parts.get(j, ()):
                s.releases_parts.setdefault(i, set()).add(g)
            for fp in callee.releases_field_parts.get(j, ()):
                s.releases_field_parts.setdefault(i, set()).add(fp)
            # a wrapper of a teardown that frees its parameter's container
            # (foo_destroy_id(id) { __foo_destroy(id, 0); }) frees it too, and its fields
            if j in callee.releases_container:
                s.releases_container.add(i)
            for g in callee.releases_container_fields.get(j, ()):
                s.releases_container_fields.setdefault(i, set()).add(g)
            if j in callee.derefs_self:
                s.derefs_self.setdefault(i, line)
        else:
            below = (res.path(a) or r)[1]
            if j in callee.releases:
                s.releases_fields.setdefault(i, set()).add(below)
            # foo_teardown(card) frees card->clk, where card = pci_get_drvdata(pdev):
            # this function frees pdev's driver data's clk
            s.releases_fields.setdefault(i, set()).update(
                f"{below}->{g}" for g in callee.releases_fields.get(j, ())
                if not pseudo_field(g))
            # foo_teardown(card->pdev) does pci_release_regions(pdev): the regions of
            # what card->pdev holds
            parts = {(below, q) for q in callee.releases_parts.get(j, ())} | {
                (f"{below}->{g}", q) for g, q in callee.releases_field_parts.get(j, ())
                if not pseudo_field(g)}
            if parts and not pseudo_field(below):
                s.releases_field_parts.setdefault(i, set()).update(parts)
            if not s.releases_fields[i]:
                del s.releases_fields[i]
            releasing = j in callee.releases and j in callee.null_ok
            if j in callee.derefs_self and not releasing:
                note_deref(i, f, line, bool(callee.writes.get(j)))


def _only_errnos(fn: Function, known: dict[str, Summary], kb: Knowledge) -> tuple[int, ...]:
    """The negative errnos ``fn`` returns (``Summary.only_errnos``), when each of its
    returns gives a constant and no call it makes can fail into what it decides: each
    is a printer, returns bool or an unsigned value, has a summary that returns
    nothing negative, or is a whole statement whose result nothing reads (a void
    helper: ``put_unaligned_le64(qword, dsn);``). () otherwise: a tested result of a
    lower layer (``ret = foo_send(...); if (ret) return -EOPNOTSUPP;``) may hide
    behind the errnos it returns."""
    out: set[int] = set()
    for b in fn.blocks:
        whole = {id(st.expr) for st in b.stmts if isinstance(st, ExprStmt)}
        for st in b.stmts:
            if isinstance(st, Return):
                k = constant(st.value) if st.value is not None else None
                if k is None:
                    return ()
                if k < 0:
                    out.add(k)
        for e in b.exprs():
            for c in calls_in(e):
                s = known.get(c.callee)
                if not (id(c) in whole or c.boolean or c.unsigned or
                        kb.printer_format(c.callee) is not None or
                        s is not None and not s.ret_stub and not s.ret_signs & NEGATIVE):
                    return ()
    return tuple(sorted(out))


def _returns_constants(fn: Function) -> bool:
    """Does each return of ``fn`` give a constant (one at least)?"""
    rets = [st for b in fn.blocks for st in b.stmts if isinstance(st, Return)]
    return bool(rets) and all(st.value is not None and constant(st.value) is not None
                              for st in rets)


def _returns_errno(fn: Function, known: dict[str, Summary]) -> bool:
    """Does some return give an error value: a negative errno, ERR_PTR(), or a variable
    or call that carries one (a same-file callee that returns errnos)?"""
    carriers: set[str] = set()
    for b in fn.blocks:
        for st in b.stmts:
            if isinstance(st, Store) and isinstance(st.target, Var) and st.value is not None:
                v = st.value.value if isinstance(st.value, Assign) else st.value
                if error_value(v) or (isinstance(v, Call) and v.callee in known
                                      and known[v.callee].ret_errno):
                    carriers.add(st.target.name)
    for b in fn.blocks:
        for st in b.stmts:
            if not isinstance(st, Return) or st.value is None:
                continue
            v = st.value
            if error_value(v) or (isinstance(v, Var) and v.name in carriers) or (
                    isinstance(v, Call) and v.callee in known and known[v.callee].ret_errno):
                return True
    return False


def _returns(fn: Function, s: Summary, known: dict[str, Summary], kb: Knowledge) -> None:
    """Is the return value a fresh allocation; which of its fields are set?"""
    origin: dict[str, tuple[bool, set[str]]] = {}
    linked: set[str] = set()  # locals whose allocation the callee that made it linked
    for b in fn.blocks:
        for st in b.stmts:
            if isinstance(st, Store) and isinstance(st.target, Var) and isinstance(st.value, Call):
                fresh = _fresh(st.value, known, kb)
                if fresh is not None:
                    origin[st.target.name] = fresh
                    made = known.get(st.value.callee)
                    if made is not None and made.ret_shared:
                        # fscki = add_inode(): a same-file constructor that links what
                        # it returns into a tree or list; a wrapper that returns it
                        # returns a linked object too
                        linked.add(st.target.name)
                elif macro_temporary(st.target):
                    # each alloc_hooks() expansion has its own _res: one that wraps a
                    # call that returns no new object (ret = mempool_init_kmalloc_pool()
                    # after pd = kzalloc()) does not carry the earlier one's allocation
                    origin.pop(st.target.name, None)
                    linked.discard(st.target.name)
            elif isinstance(st, Store) and isinstance(st.target, Var) and \
                    macro_temporary(st.value) and st.value.name in origin:
                # p = ({ ... _res = kzalloc_noprof(...); _res; }): alloc_hooks()' temporary
                # (6.10+ kzalloc(), kvzalloc()...) is the allocation the source names p
                origin[st.target.name] = origin[st.value.name]
                if st.value.name in linked:
                    linked.add(st.target.name)
            elif isinstance(st, Return) and isinstance(st.value, Call):
                fresh = _fresh(st.value, known, kb)  # return kzalloc(...): a wrapper
                if fresh is not None:
                    s.ret_alloc, s.ret_zeroed = True, fresh[0]
                    s.ret_fields |= fresh[1]
                    wrapped = known.get(st.value.callee)
                    if wrapped is not None and wrapped.ret_shared:
                        s.ret_shared = True  # what it wraps links the object somewhere too
    if not origin:
        return
    for b in fn.blocks:
        for st in b.stmts:
            if isinstance(st, Store):
                p = path_of(st.target)
                if p and "->" in p:
                    root, rest = p.split("->", 1)
                    if root in origin:
                        origin[root][1].add(rest.split("->")[0].split(".")[0])
            if isinstance(st, ExprStmt):
                for c in calls_in(st.expr):
                    for a in c.args:
                        if isinstance(a, Unary) and a.op == "&":
                            p = path_of(a.operand)
                            if p and "->" in p:
                                root, rest = p.split("->", 1)
                                if root in origin:
                                    origin[root][1].add(rest.split("->")[0].split(".")[0])
            if isinstance(st, Return) and isinstance(st.value, Var) and st.value.name in origin:
                zeroed, fields = origin[st.value.name]
                s.ret_alloc, s.ret_zeroed = True, zeroed
                s.ret_fields |= fields
                s.ret_params = _param_stores(fn, st.value.name)
                if st.value.name in linked or _stored_elsewhere(fn, st.value.name, known, kb):
                    s.ret_shared = True  # conn = foo_conn_add(...), which linked it


def _out_allocs(fn: Function, known: dict[str, Summary], kb: Knowledge) -> set[int]:
    """The parameters through which ``fn`` hands a new allocation to its caller (``*out
    = kmemdup(...)``, or ``*out = buf`` of a local ``buf`` that an allocation gave and
    that nothing else keeps): each stores there only such allocations."""
    index = {p.name: i for i, p in enumerate(fn.params)}
    fresh: dict[str, int] = {}  # local -> how many of its assignments are allocations
    assigned: dict[str, int] = {}
    stores = [st for b in fn.blocks for st in b.stmts if isinstance(st, Store)]
    for st in stores:
        if isinstance(st.target, Var) and st.value is not None:
            assigned[st.target.name] = assigned.get(st.target.name, 0) + 1
            if isinstance(st.value, Call) and _fresh(st.value, known, kb) is not None:
                fresh[st.target.name] = fresh.get(st.target.name, 0) + 1
    out: dict[int, bool] = {}
    for st in stores:
        t = st.target
        if not (isinstance(t, Unary) and t.op == "*" and isinstance(t.operand, Var) and
                t.operand.name in index) or st.op != "=":
            continue
        v = st.value
        new = isinstance(v, Call) and _fresh(v, known, kb) is not None or \
            isinstance(v, Var) and v.name in fresh and fresh[v.name] == assigned.get(v.name) and \
            v.name not in index and not _kept_elsewhere(fn, v.name, known, kb)
        i = index[t.operand.name]
        out[i] = out.get(i, True) and new and _succeeds_after(fn, st)
    return {i for i, new in out.items() if new}


def _succeeds_after(fn: Function, st: Store) -> bool:
    """Does every return reachable after the store ``st`` return success (a constant
    that is not negative, or nothing)? A helper that can still fail after it filled
    ``*out`` leaves its caller the allocation on that failure too."""
    b = next(x for x in fn.blocks if any(s is st for s in x.stmts))
    returns = [s for i in fn.reachable_from(b.id) for s in fn.blocks[i].stmts
               if isinstance(s, Return)]
    return all(s.value is None or isinstance(s.value, Const) and s.value.value >= 0
               for s in returns)


def _kept_elsewhere(fn: Function, name: str, known: dict[str, Summary], kb: Knowledge) -> bool:
    """Does ``fn`` store local ``name`` anywhere but through a parameter (``*out =
    name``), or hand it over? (Freeing it on its own failures is what such a helper
    does.)"""
    for b in fn.blocks:
        for st in b.stmts:
            if isinstance(st, Store) and isinstance(st.value, Var) and st.value.name == name \
                    and not isinstance(st.target, Var) and \
                    not (isinstance(st.target, Unary) and st.target.op == "*" and
                         isinstance(st.target.operand, Var)):
                return True
        for e in b.exprs():
            for c in calls_in(e):
                for inner in _handed_over(c, known, kb):
                    if path_of(inner) == name:
                        return True
    return False


def _param_stores(fn: Function, name: str) -> dict[str, int]:
    """The fields of local ``name`` that ``fn`` stores a whole parameter in, once and
    nothing else (``x->hdev = hdev``): field -> the parameter's index."""
    index = {p.name: i for i, p in enumerate(fn.params)}
    seen: dict[str, int | None] = {}
    for b in fn.blocks:
        for st in b.stmts:
            if not isinstance(st, Store) or not isinstance(st.target, Member) or \
                    not st.target.arrow or not isinstance(st.target.base, Var) or \
                    st.target.base.name != name:
                continue
            v = st.value
            i = index.get(v.name) if isinstance(v, Var) and st.op == "=" else None
            f = st.target.name
            seen[f] = i if f not in seen or seen[f] == i else None
    return {f: i for f, i in seen.items() if i is not None}


def _fresh(call: Call, known: dict[str, Summary], kb: Knowledge) -> tuple[bool, set[str]] | None:
    """(zeroed, fields set) of the new object ``call`` returns, None if it returns none."""
    if kb.alloc(call.callee) is not None:
        return zeroes(kb, call), set()
    k = known.get(call.callee)
    if k is not None and k.ret_alloc:
        return k.ret_zeroed, set(k.ret_fields)
    return None


def _stored_elsewhere(fn: Function, name: str, known: dict[str, Summary],
                      kb: Knowledge) -> bool:
    """Does ``fn`` also store local ``name`` into another object, or link it somewhere?
    A pointer into it (``drm = container + offset``, ``d = &c->dev``) handed over hands
    it over too, and so does a macro's copy of it (rcu_assign_pointer(tbl->nht, new)
    stores its ``_r_a_p__v = new``)."""
    names = {name} | {st.target.name for b in fn.blocks for st in b.stmts
                      if isinstance(st, Store) and isinstance(st.target, Var)
                      and (_points_into(st.value, name) or _copies(st, name))}
    for b in fn.blocks:
        for st in b.stmts:
            if isinstance(st, Store) and isinstance(st.value, Var) and st.value.name in names \
                    and not isinstance(st.target, Var):
                return True
        for e in b.exprs():
            for c in calls_in(e):
                for inner in _handed_over(c, known, kb):
                    p = path_of(inner)
                    if p is not None and root_of(p) in names:
                        return True
    return False


def _copies(st: Store, name: str) -> bool:
    """Is ``st`` a macro's temporary given local ``name`` (``_r_a_p__v = new``)?"""
    return st.op == "=" and isinstance(st.value, Var) and st.value.name == name and \
        macro_temporary(st.target)


def _points_into(value: Expr | None, name: str) -> bool:
    """Is ``value`` a pointer into the object of local ``name`` (``name + off``,
    ``&name->member``)?"""
    if isinstance(value, Binary) and value.op == "+" and isinstance(value.lhs, Var):
        return value.lhs.name == name
    if isinstance(value, Unary) and value.op == "&":
        p = path_of(value.operand)
        return p is not None and root_of(p) == name and p != name
    return False


def _handed_over(c: Call, known: dict[str, Summary], kb: Knowledge,
                 fields: bool = False) -> list[Expr]:
    """The arguments (``&`` stripped) that call ``c`` takes over: an owner, or a callee
    whose summary says that parameter escapes. A field's value given there
    (``__list_del(entry->prev, entry->next)``, ``put_pwq(ctx->dfl_pwq)``) hands over
    what the field points at, not the object that holds the field: it is left out,
    and only those are given with ``fields``."""
    owner = kb.owner_arg(c.callee)
    callee = known.get(c.callee)
    out = []
    for j, a in enumerate(c.args):
        if j != owner and (callee is None or j not in callee.escapes):
            continue
        if isinstance(a, Unary) and a.op == "&":
            if not fields:
                out.append(a.operand)  # &p->member: the object p itself
        elif isinstance(a, Member):
            if fields:
                out.append(a)  # p->field: what the field holds
        elif not fields:
            out.append(a)  # p
    return out


def _escapes(fn: Function, s: Summary, res: _Param, known: dict[str, Summary],
             kb: Knowledge) -> None:
    """Parameters stored into another object, a global or ``*out``, or given to an owner."""
    params = {p.name for p in fn.params}
    locals_ = {st.target.name for b in fn.blocks for st in b.stmts
               if isinstance(st, Store) and st.decl and isinstance(st.target, Var)}
    for b in fn.blocks:
        for st in b.stmts:
            if not (isinstance(st, Store) and st.value is not None and st.op == "="):
                continue
            r = res.of(st.value)
            if r is None or r[1]:
                continue
            t = st.target
            while isinstance(t, Unary) and t.op == "*" and isinstance(t.operand, Unary) \
                    and t.operand.op == "&":
                t = t.operand.operand  # WRITE_ONCE(x, v): *(volatile T *)&x = v
            if isinstance(t, Var) and (t.name in locals_ or t.name in params):
                continue  # an alias, not a hand-over
            target = res.of(t) if isinstance(t, Member) else None
            if target is not None and target[0] == r[0]:
                continue  # p->self = p
            s.escapes.add(r[0])
        for e in b.exprs():
            for c in calls_in(e):
                for inner in _handed_over(c, known, kb):
                    r = res.of(inner)
                    if r is not None:
                        s.escapes.add(r[0])
                for value in _handed_over(c, known, kb, fields=True):
                    # put_pwq_unlocked(ctx->dfl_pwq): what the field held is taken over
                    r = res.of(value)
                    if r is not None and r[1] and not pseudo_field(r[1]):
                        s.releases_fields.setdefault(r[0], set()).add(r[1])


def _hands_on_null(fn: Function, s: Summary, res: _Param, known: dict[str, Summary],
                   kb: Knowledge) -> set[int]:
    """The parameters handed over (to an owner, or a callee they escape into) on every
    path to a ``return NULL`` of a function returning a pointer and no error value
    (``rb_link_node(&ref->node, parent, p); rb_insert_color(...); return NULL;``)."""
    if not fn.returns_ptr or s.ret_errno or not s.escapes:
        return set()
    gen: dict[int, set[int]] = {}
    for block in fn.blocks:
        gen[block.id] = {r[0] for e in block.exprs() for c in calls_in(e)
                         for inner in _handed_over(c, known, kb)
                         if (r := res.of(inner)) is not None and r[0] in s.escapes}
    out = must_gen(fn, gen)
    ends = [out[b.id] for b in fn.blocks if b.id in out for st in b.stmts
            if isinstance(st, Return) and isinstance(st.value, Const) and st.value.value == 0]
    return set.intersection(*ends) if ends else set()


def _must_release(fn: Function, s: Summary, res: _Param, known: dict[str, Summary],
                  kb: Knowledge) -> None:
    """Parameters released on every path to every return, or to every error return.

    A forward must-analysis over the CFG (``_must_reach``): a parameter counts as
    released in a block when every path from the entry to it passes a call that
    releases it for sure (a release from the knowledge, or a same-file callee that
    always releases it). Conditional releases (``if (p) kfree(p)``) do not count.
    """
    if not s.releases:
        return

    def releases(c: Call, j: int) -> bool:
        rel = kb.release(c.callee)
        callee = known.get(c.callee)
        return (rel is not None and rel.arg == j) or (
            callee is not None and j in callee.releases_always)

    full = set(s.releases)
    nulled = partial(_null_param, fn, full)
    ends = _must_reach(fn, full, res, releases, nulled)
    if not ends:
        return
    s.releases_always = set.intersection(*(out for _, out in ends))
    if fn.returns_void:
        return
    failed = partial(_released_by_failure, full, res, known)
    errs = [out for b, out in _must_reach(fn, full, res, releases,
                                          lambda b, e: nulled(b, e) | failed(b, e))
            if _may_return_error(fn, fn.blocks[b])]
    if errs:
        s.releases_on_error = set.intersection(*errs)


def _consuming(kb: Knowledge, callee: str) -> bool:
    """Does the knowledge say ``callee`` takes its [owner] argument on every outcome
    (neither ``on_success`` nor ``on_failure``)?"""
    return kb.owner_arg(callee) is not None and not kb.owns_on_success(callee) and \
        not kb.owns_on_failure(callee)


def _must_consume(fn: Function, s: Summary, res: _Param, known: dict[str, Summary],
                  kb: Knowledge) -> None:
    """Parameters consumed on every path to every return: each path hands them to an
    [owner] that takes them whatever it returns or to a callee that consumes them, or
    releases them for sure (``_must_release``'s releases). Only parameters that some
    call takes over count (those released on every path are ``releases_always``)."""
    taken = {r[0] for b in fn.blocks for e in b.exprs() for c in calls_in(e)
             for j, a in enumerate(c.args)
             if (r := res.of(a)) is not None and not r[1] and (
                 (j == kb.owner_arg(c.callee) and _consuming(kb, c.callee)) or
                 ((callee := known.get(c.callee)) is not None and j in callee.consumes))}
    if not taken:
        return

    def consumes(c: Call, j: int) -> bool:
        rel = kb.release(c.callee)
        callee = known.get(c.callee)
        if j == kb.owner_arg(c.callee) and _consuming(kb, c.callee):
            return True
        return (rel is not None and rel.arg == j) or (callee is not None and (
            j in callee.consumes or j in callee.releases_always))

    ends = _must_reach(fn, taken, res, consumes)
    if ends:
        s.consumes = set.intersection(*(out for _, out in ends))


def _null_param(fn: Function, full: set[int], b: Block, e: Edge) -> set[int]:
    """The parameter of ``full`` that edge ``e`` of block ``b`` finds NULL (``if
    (!rmidi) return 0;``), when the function never assigns it: on that branch it
    points at nothing, so nothing of it is left to release."""
    if b.cond is None or len(b.succs) != 2:
        return set()
    t = null_test(b.cond)
    if t is None or e.kind != ("true" if t[1] else "false"):
        return set()
    names = [p.name for p in fn.params]
    if t[0] not in names or names.index(t[0]) not in full or any(
            isinstance(st, Store) and isinstance(st.target, Var) and st.target.name == t[0]
            for x in fn.blocks for st in x.stmts):
        return set()
    return {names.index(t[0])}


def _released_by_failure(full: set[int], res: _Param, known: dict[str, Summary],
                         b: Block, e: Edge) -> set[int]:
    """The parameters of ``full`` that a same-file callee released on its own error
    path, when edge ``e`` of block ``b`` is the branch where it failed (``err =
    foo_rx(skb); if (err) return err;``, with ``foo_rx()`` freeing ``skb`` whenever it
    fails: its summary's ``releases_on_error``)."""
    if b.cond is None or len(b.succs) != 2:
        return set()

    def stored(name: str) -> Expr | None:
        for st in reversed(b.stmts):
            if isinstance(st, Store) and isinstance(st.target, Var) and \
                    st.target.name == name and st.op == "=":
                return st.value
        return None

    chk = failure_check(b.cond, stored)
    if chk is None or chk.answer or e.kind != ("true" if chk.fails_when else "false"):
        return set()
    callee = known.get(chk.callee)
    if callee is None or not callee.releases_on_error:
        return set()
    c = tested_call(chk, b.cond, stored)
    out: set[int] = set()
    if c is not None:
        for j in callee.releases_on_error:
            r = res.of(c.args[j]) if j < len(c.args) else None
            if r is not None and not r[1] and r[0] in full:
                out.add(r[0])
    return out


def _must_reach(fn: Function, full: set[int], res: _Param,
                does: Callable[[Call, int], bool],
                on_edge: Callable[[Block, Edge], set[int]] | None = None,
                ) -> list[tuple[int, set[int]]]:
    """For each block that returns, the parameters of ``full`` that every path from the
    entry to its end passes to a call ``c`` at an argument ``j`` where ``does(c, j)``,
    or that ``on_edge`` learns on a branch on the way: a forward must-analysis over the
    CFG. Empty when no return is reachable."""
    reach = fn.reachable_from(fn.entry)
    preds = fn.preds()
    gen: dict[int, set[int]] = {}
    for block in fn.blocks:
        g: set[int] = set()
        for e in block.exprs():
            for c in calls_in(e):
                for j, a in enumerate(c.args):
                    r = res.of(a)
                    if r is not None and not r[1] and r[0] in full and does(c, j):
                        g.add(r[0])
        gen[block.id] = g
    out = must_gen(fn, gen, on_edge)
    return [(p, out[p]) for p in preds[fn.exit] if p in reach]


def must_gen(fn: Function, gen: dict[int, set[T]],
             on_edge: Callable[[Block, Edge], set[T]] | None = None) -> dict[int, set[T]]:
    """Block id -> the facts that every path from the entry through the block
    generates (``gen``: block id -> the facts its statements generate), for the
    blocks reachable from the entry: ``_must_facts`` with what each block
    generates learnt on its way out, and what ``on_edge`` learns on a branch."""
    before = _must_facts(fn, lambda b, e: gen[b.id] | (on_edge(b, e) if on_edge else set()),
                         lambda _b: False)
    return {b: set(before[b]) | gen[b] for b in fn.reachable_from(fn.entry)}


def _may_return_error(fn: Function, b) -> bool:
    """Can this block's return statement return an error (a guess on the safe side)?"""
    ret = next((st for st in b.stmts if isinstance(st, Return)), None)
    if ret is None or ret.value is None:
        return False
    v = ret.value
    if isinstance(v, Const):
        return v.value < 0 or (v.value == 0 and fn.returns_ptr)
    if isinstance(v, Call) and v.callee in ("ERR_PTR", "ERR_CAST", "PTR_ERR"):
        return True
    if isinstance(v, Var) and v.ptr:
        return False  # returns an object: the success exit of a constructor
    return True


def summarize_file(functions: list[Function], kb: Knowledge, rounds: int = 6,
                   external: dict[str, Summary] | None = None) -> dict[str, Summary]:
    """Summaries of all functions, propagated through same-file calls to a fixed point.

    After the first round, a function is summarised again only when a summary it
    depends on (a callee's) changed after it was last summarised: a summary reads
    only its callees' (``_callees``), so summarising it again with the same ones
    would give the same summary (a callee summarised earlier in the same round is
    read as it is now). ``external``: summaries of callees defined in other files,
    taken as they are.
    """
    known: dict[str, Summary] = dict(external or {})
    callees = {fn.name: _callees(fn) for fn in functions}
    if len(callees) != len(functions):  # two functions of one name: round by round
        return _summarize_rounds(functions, kb, rounds, known, callees)
    done: dict[str, int] = {}  # function -> when it was last summarised (a count)
    changed_at: dict[str, int] = {}  # function -> when its summary last changed
    clock = 0
    todo = list(functions)
    for _ in range(rounds):
        for fn in todo:
            clock += 1
            new = summarize(fn, known, kb)
            done[fn.name] = clock
            old = known.get(fn.name)
            if old is None or old.key() != new.key():
                known[fn.name] = new
                changed_at[fn.name] = clock
        # >=: a function that calls itself read its own summary before it changed
        todo = [fn for fn in functions
                if any(changed_at.get(c, 0) >= done[fn.name] for c in callees[fn.name])]
        if not todo:
            break
    return known


def _summarize_rounds(functions: list[Function], kb: Knowledge, rounds: int,
                      known: dict[str, Summary],
                      callees: dict[str, set[str]]) -> dict[str, Summary]:
    """``summarize_file`` for functions that do not all have their own name: each
    round summarises again every function a callee of which changed in the last."""
    todo = list(functions)
    for _ in range(rounds):
        changed: set[str] = set()
        for fn in todo:
            new = summarize(fn, known, kb)
            old = known.get(fn.name)
            if old is None or old.key() != new.key():
                known[fn.name] = new
                changed.add(fn.name)
        todo = [fn for fn in functions if callees[fn.name] & changed]
        if not todo:
            break
    return known


def _callees(fn: Function) -> set[str]:
    """The functions whose summaries ``fn``'s reads: those it calls, and those it passes
    to a call (``kref_put(&x->ref, foo_release)``: what the release frees, the put does)."""
    out: set[str] = set()
    for _line, e, _target in exprs_of(fn):
        for c in calls_in(e):
            out.add(c.callee)
            out.update(f for a in c.args if (f := function_named(a)) is not None)
    return out



def summary_to_dict(s: Summary) -> dict[str, Any]:
    """A summary as JSON data (sets as sorted lists, parameter indexes as strings)."""
    out: dict[str, Any] = {}
    for k, v in asdict(s).items():
        if isinstance(v, set):
            v = sorted(v)
        elif isinstance(v, dict):
            v = {str(i): sorted(x) if isinstance(x, set) else
                 [sorted(a) for a in x] if k == "releases_when" else x for i, x in v.items()}
        out[k] = v
    return out


def summary_from_dict(d: dict[str, Any]) -> Summary:
    s = Summary(d["name"], list(d["params"]))
    s.derefs = {int(i): {f: Deref(**x) for f, x in fs.items()} for i, fs in d["derefs"].items()}
    s.derefs_self = {int(i): line for i, line in d["derefs_self"].items()}
    s.writes = {int(i): set(x) for i, x in d["writes"].items()}
    s.reads = {int(i): set(x) for i, x in d["reads"].items()}
    s.releases_fields = {int(i): set(x) for i, x in d["releases_fields"].items()}
    s.releases_elements = {int(i): set(x) for i, x in d.get("releases_elements", {}).items()}
    s.drops_locks = {(i, f) for i, f in d["drops_locks"]}
    s.takes_locks = {(i, f) for i, f in d.get("takes_locks", ())}
    s.releases_container_fields = {int(i): set(x) for i, x in
                                   d.get("releases_container_fields", {}).items()}
    s.releases_members = {int(i): set(x) for i, x in d.get("releases_members", {}).items()}
    s.releases_parts = {int(i): set(x) for i, x in d.get("releases_parts", {}).items()}
    s.releases_field_parts = {int(i): {(str(f), str(q)) for f, q in x}
                              for i, x in d.get("releases_field_parts", {}).items()}
    for name in ("releases", "null_ok", "ret_fields", "releases_always", "releases_on_error",
                 "escapes", "calls", "releases_globals", "releases_container"):
        setattr(s, name, set(d[name]))
    s.consumes = set(d.get("consumes", ()))
    s.err_ok = set(d.get("err_ok", ()))
    s.frees_memory = set(d.get("frees_memory", ()))
    s.hands_on_null = set(d.get("hands_on_null", ()))
    s.keeps = set(d.get("keeps", ()))
    s.unlocks = set(d.get("unlocks", ()))
    s.reads_into = set(d.get("reads_into", ()))
    s.kept_when = {int(i): {(int(v), str(f)) for v, f in x}
                   for i, x in d.get("kept_when", {}).items()}
    s.inert_on = set(d.get("inert_on", ()))
    s.out_allocs = set(d.get("out_allocs", ()))
    for name in ("ret_alloc", "ret_zeroed", "ret_errno", "ret_shared", "ret_stub",
                 "is_read", "ret_consts"):
        setattr(s, name, bool(d.get(name, False)))
    s.ret_signs = int(d.get("ret_signs", ANY_SIGN))
    s.ret_signs_when = {int(i): {int(v): int(x) for v, x in vs.items()}
                        for i, vs in d.get("ret_signs_when", {}).items()}
    s.ret_signs_nonnull = {int(i): int(x) for i, x in d.get("ret_signs_nonnull", {}).items()}
    s.only_errnos = tuple(int(e) for e in d.get("only_errnos", ()))
    s.idle = {int(i): set(x) for i, x in d.get("idle", {}).items()}
    s.hands_unknown = set(d.get("hands_unknown", ()))
    s.ret_container = set(d.get("ret_container", ()))
    s.ret_member = str(d.get("ret_member", ""))
    rd = d.get("ret_drvdata")
    s.ret_drvdata = (int(rd[0]), str(rd[1])) if rd else None
    rp = d.get("ret_path")
    s.ret_path = (int(rp[0]), str(rp[1])) if rp else None
    s.ret_callbacks = {str(m): str(f) for m, f in d.get("ret_callbacks", {}).items()}
    s.ret_owners = {str(f) for f in d.get("ret_owners", ())}
    s.ret_params = {str(f): int(i) for f, i in d.get("ret_params", {}).items()}
    s.frees_unidentified = bool(d.get("frees_unidentified", False))
    s.calls_params = {int(i): tuple(int(j) for j in x)
                      for i, x in d.get("calls_params", {}).items()}
    s.releases_when = {int(i): [frozenset((int(a), int(b), bool(v)) for a, b, v in alt)
                                for alt in alts]
                       for i, alts in d.get("releases_when", {}).items()}
    return s
