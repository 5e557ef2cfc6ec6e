"""What a rule sees of one function: its CFG, the file's summaries, the API knowledge.

Rules ask questions through this object (what does this teardown depend on,
where is this field set later) instead of reaching into the model, so the
answers are computed once and shared by every rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property

from kunwind.knowledge import Knowledge
from kunwind.knowledge.names import ERR_CHECKS, TEARDOWN_NAME
from kunwind.model.cfg import Block, Function
from kunwind.model.ir import (
    Assign,
    Binary,
    Call,
    Cond,
    Const,
    Expr,
    ExprStmt,
    Member,
    Return,
    Store,
    Unary,
    Var,
    calls_in,
    offsetof_member,
    path_of,
    pointer_table,
    root_of,
    subexprs,
)

from .conditions import condition_key, in_progress_alike, macro_temporary
from .constants import constant
from .conventions import Conventions
from .idioms import RELEASE_CALLBACK_FIELD, embedded_member, function_named, member_root
from .resources import object_path
from .summaries import Summary, exprs_of, guard_tests
from .ties import bit_store, flag_set
from .words import Source, Words


def _assigns(st: object, name: str) -> bool:
    """Does ``st`` assign the local ``name`` (a declaration without a value does not)?"""
    return isinstance(st, Store) and isinstance(st.target, Var) and st.target.name == name \
        and not (st.decl and st.value is None)


def container_stores(fn: Function) -> dict[int, tuple[str, str]]:
    """The stores that make a local the container of a pointer, by container_of():
    ``pdev = container_of(dev, struct platform_device, dev)`` (or a to_*() macro
    around it) makes ``dev`` the address of ``pdev->dev``, so both name one device:
    id of the store -> (the inner pointer, the member's path: ``dev``, ``pdev->dev``).
    Read from the expansion, ``__mptr = dev; pdev = __mptr - offsetof(T, dev)``, not
    from a name."""
    found: dict[int, tuple[str, str]] = {}
    for b in fn.blocks:
        last: dict[str, Expr | None] = {}  # the value each local was given in this block
        for s in b.stmts:
            if not isinstance(s, Store) or not isinstance(s.target, Var) or \
                    (s.decl and s.value is None):
                continue
            name = s.target.name
            value = s.value.value if isinstance(s.value, Assign) else s.value
            last[name] = value if s.op == "=" else None
            if not (isinstance(value, Binary) and value.op == "-" and
                    isinstance(value.lhs, Var) and s.op == "="):
                continue
            member = offsetof_member(value.rhs)
            src = last.get(value.lhs.name, value.lhs)  # __mptr = dev, or dev itself
            if member is not None and isinstance(src, Var) and src.name != name:
                found[id(s)] = (src.name, f"{name}->{member}")
    return found


def _container_members(fn: Function, contained: dict[int, tuple[str, str]]) -> dict[str, str]:
    """The pointers of ``container_stores()`` (``contained``) whose container is a
    local assigned once: inner pointer -> the member's path, for the whole function."""
    stores: dict[str, int] = {}
    for b in fn.blocks:
        for s in b.stmts:
            if isinstance(s, Store) and isinstance(s.target, Var) and \
                    not (s.decl and s.value is None):
                stores[s.target.name] = stores.get(s.target.name, 0) + 1
    found: dict[str, str | None] = {}
    for inner, path in contained.values():
        found[inner] = path if found.get(inner, path) == path else None
    return {k: v for k, v in found.items()
            if v is not None and stores.get(v.split("->", 1)[0]) == 1}


def _calls_of(st: object) -> list[Call]:
    """The calls a statement makes (a call statement, a store of a call's value)."""
    if isinstance(st, ExprStmt):
        return calls_in(st.expr)
    if isinstance(st, Store) and st.value is not None:
        return calls_in(st.value)
    return []


@dataclass(frozen=True)
class Dependency:
    field: str
    line: int  # where the teardown dereferences it (0: from the knowledge base)
    source: str  # "body" | "knowledge"
    param: str = ""  # the teardown's own name for the argument
    # every dereference is under a test that found the field non-NULL (Deref.checked):
    # safe when the field is NULL, not when it holds garbage
    checked: bool = False
    # the same up to a store to the field after its test (Deref.used_when_set)
    used_when_set: bool = False


@dataclass(frozen=True)
class Site:
    """A call site: what is called, on which line, in which block."""

    callee: str
    line: int
    block: int


def pure_call(call: Call) -> bool:
    """A call without side effects that matter: a bool answer, an IS_ERR() check, a builtin."""
    return call.boolean or call.callee in ERR_CHECKS or call.callee.startswith("__builtin_")


@dataclass
class FunctionContext:
    fn: Function
    file: str
    summaries: dict[str, Summary]
    kb: Knowledge
    source: Source | None = None  # the file's text, for the words of findings
    _reach: dict[int, set[int]] = field(default_factory=dict)
    # the called functions whose bodies are pure (frontend.pure, from the file or
    # a header): name -> whether the answer also reads memory through a pointer
    pure_bodies: dict[str, bool] = field(default_factory=dict)
    # the file's structs of function pointers (frontend's callback_tables): variable ->
    # (its struct's name, member -> the function it names)
    tables: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)
    # what the file's calls do with each callee's result (conventions.py)
    conventions: Conventions = field(default_factory=Conventions)
    # the file's init functions (module_init(foo_init): ``initcall_functions``)
    initcalls: frozenset[str] = frozenset()
    # the file's exit functions (module_exit(foo_exit), the knowledge's ``[exitcall]``)
    exitcalls: frozenset[str] = frozenset()
    # the file's comments, with the line each starts on (words.file_comments)
    comments: tuple[tuple[int, str], ...] = ()
    # the file is built as a module (-DMODULE): its init's failure unloads it, code and
    # data; a built-in file's initcall failure is only logged (do_one_initcall())
    modular: bool = False

    @cached_property
    def words(self) -> Words:
        """The function's calls, callees and name as the source writes them (messages)."""
        return Words(self.fn, self.source)

    @cached_property
    def in_progress(self) -> frozenset[int]:
        """The errnos (positive) that report a request under way, no failure: the
        knowledge's ``[in_progress]``, and those this function handles alike
        (``conditions.in_progress_alike``: ``rc != -EINPROGRESS && rc != -EBUSY``)."""
        known = frozenset(self.kb.in_progress)
        return known | in_progress_alike(self.fn, known)

    def summary(self, callee: str) -> Summary | None:
        return self.summaries.get(callee)

    def is_pure(self, call: Call) -> bool:
        """A call without side effects: ``pure_call()``, or a callee whose body the
        translation unit has and only computes a value (``net_eq()``)."""
        return pure_call(call) or call.callee in self.pure_bodies

    def is_teardown(self, callee: str, arg: int) -> bool:
        if self.kb.teardown(callee) is not None or self.kb.release(callee) is not None:
            return True
        s = self.summaries.get(callee)
        if s is not None and arg in s.releases:
            return True
        return bool(TEARDOWN_NAME.search(callee))

    def is_teardown_by_name(self, callee: str) -> bool:
        """Known from the API knowledge or its name alone (not from what its body does)."""
        if self.kb.teardown(callee) is not None or self.kb.release(callee) is not None:
            return True
        return bool(TEARDOWN_NAME.search(callee))

    @cached_property
    def relevant(self) -> frozenset[str]:
        """Access paths whose values matter to the walk: tested, switched on or returned.

        Locals handed to a release are included too: whether one is still NULL
        (or never assigned) where it is released decides if that release is safe. So
        are the destructor members the function sets (``[destructor_member]``): what
        one holds on the path decides who frees the object's fields.
        """
        out: set[str] = set()
        for b in self.fn.blocks:
            exprs = [b.cond, b.switch] + [s.value for s in b.stmts if isinstance(s, Return)]
            for e in exprs:
                if e is None:
                    continue
                for x in subexprs(e):
                    p = path_of(x)
                    if p is not None:
                        out.add(p.lstrip("&"))
        out.update(p for p, _ in self.release_sites if "->" not in p and "." not in p)
        out.update(p for b in self.fn.blocks for st in b.stmts  # card->private_free = foo_free
                   if isinstance(st, Store) and isinstance(st.target, Member)
                   and st.target.name in self.kb.destructor_members
                   and (p := path_of(st.target)) is not None)
        for _line, e, _target in exprs_of(self.fn):  # the values a callee does nothing for
            for c in calls_in(e):
                summary = self.summaries.get(c.callee)
                for j in summary.idle if summary is not None else ():
                    p = path_of(c.args[j]) if j < len(c.args) else None
                    if p is not None:
                        out.add(p)
        for b in self.fn.blocks:  # p = ({ ... _res = f(); _res; }): a test of p tests f()
            out.update(st.value.name for st in b.stmts if isinstance(st, Store)
                       and macro_temporary(st.value) and path_of(st.target) in out)
        return frozenset(out)

    @cached_property
    def reused_locals(self) -> frozenset[str]:
        """The names the function declares more than once: several variables, each in
        its own block (a macro's local, at each expansion of the macro)."""
        seen: set[str] = set()
        out: set[str] = set()
        for b in self.fn.blocks:
            for s in b.stmts:
                if isinstance(s, Store) and s.decl and isinstance(s.target, Var):
                    (out if s.target.name in seen else seen).add(s.target.name)
        return frozenset(out)

    @cached_property
    def guarded_copies(self) -> dict[str, str]:
        """Locals assigned a pointer under the test of an acquire made through it,
        ``f = (x && try_module_get(x->owner)) ? x : NULL`` (``fops_get()``): the local
        -> ``x``. Where it is not NULL it is ``x``, and the reference taken on
        ``x``'s field goes with it (``Walker.do_store``). A local assigned two such
        pointers, or another value, has none."""
        seen: dict[str, str | None] = {}
        for b in self.fn.blocks:
            for s in b.stmts:
                if not (isinstance(s, Store) and isinstance(s.target, Var) and
                        s.value is not None and s.op == "="):
                    continue
                v = s.value
                arm = path_of(v.then) if isinstance(v, Cond) and isinstance(
                    v.other, Const) and v.other.value == 0 and calls_in(v.cond) else None
                name = s.target.name
                seen[name] = arm if arm is not None and seen.get(name, arm) == arm else None
        return {k: v for k, v in seen.items() if v is not None}

    @cached_property
    def declared_locals(self) -> frozenset[str]:
        """The names the function declares (``struct foo *p = ...;``, ``int ret;``)."""
        return frozenset(s.target.name for b in self.fn.blocks for s in b.stmts
                         if isinstance(s, Store) and s.decl and isinstance(s.target, Var))

    @cached_property
    def assigned_params(self) -> frozenset[str]:
        """The parameters the function assigns (``dev = dev->parent;``): after that
        the name holds another value than the caller's argument."""
        return frozenset(p.name for p in self.fn.params if p.name in self._local_stores)

    @cached_property
    def lent(self) -> dict[str, str]:
        """The objects the function lends a device as its driver data
        (``pci_set_drvdata(pdev, card)``, a [borrow] function), or that a local assigned
        once reads back from it (``ioc = pci_get_drvdata(pdev)``, a [borrowed] one,
        after a lower layer's attach set it): the device's path -> the object's. What a
        callee given the device frees of its driver data (``foo_remove(pdev)``), it
        frees of that object. A device lent two objects has none here."""
        seen: dict[str, str | None] = {}
        for b in self.fn.blocks:
            for e in b.exprs():
                for c in calls_in(e):
                    j = self.kb.borrowers.get(c.callee)
                    if j is None or not c.args or j >= len(c.args):
                        continue
                    dev, obj = object_path(path_of(c.args[0])), path_of(c.args[j])
                    if dev is None or obj is None or obj.startswith("&"):
                        continue
                    seen[dev] = obj if seen.get(dev, obj) == obj else None
            for st in b.stmts:  # ioc = pci_get_drvdata(pdev): ioc is pdev's driver data
                v = st.value if isinstance(st, Store) and st.op == "=" else None
                if not isinstance(st, Store) or not isinstance(st.target, Var) or \
                        not isinstance(v, Call) or not v.args or \
                        not self.kb.gives_back(v.callee):
                    continue
                dev, name = object_path(path_of(v.args[0])), st.target.name
                if dev is not None and self._assigned_at_most_once(name, self._local_stores):
                    seen[dev] = name if seen.get(dev, name) == name else None
        return {k: v for k, v in seen.items() if v is not None}

    @cached_property
    def release_callbacks(self) -> dict[str, str]:
        """The release callbacks the function gives embedded members: the member's path
        from the object that embeds it (``x->dev``) -> the file's function its last put
        runs. Its own (``x->dev.release = foo_release``, or ``d->release = ...`` after
        ``d = &x->dev``) wins over one from a table of callbacks (device_release()'s
        order): the member pointed at a constant struct the knowledge lists
        (``x->dev.type = &foo_type`` with ``foo_type = { .release = foo_release }``),
        or passed with the member to the call that sets its count up
        (``kobject_init(&x->kobj, &foo_ktype)``), or given to a call the knowledge says
        sets it (``[release_setter]``: ``usb_initialize_gadget(dev, &x->gadget,
        foo_release)`` binds ``x->gadget.dev``), or a whole object so set up, in a local
        or in one of the file's globals (a static local is one too:
        ``kobject_init_and_add(foo_kobj, &foo_ktype, ...)``), or by the file's
        constructor that returned the object (``x = foo_create()``, its summary's
        ``ret_callbacks``). A member given two has none here."""
        own: dict[str, str | None] = {}
        tabled: dict[str, str | None] = {}
        for b in self.fn.blocks:
            for s in b.stmts:
                if not isinstance(s, Store) or s.op != "=":
                    continue
                made = self.summary(s.value.callee) if isinstance(s.value, Call) else None
                target = path_of(s.target)
                for m, cb in made.ret_callbacks.items() if made and target else ():
                    _bind(tabled, self._member(f"{target}->{m}"), cb)
                member, last = _split_last(path_of(s.target))
                if not member:
                    continue
                fn = function_named(s.value)
                if fn is not None and last == RELEASE_CALLBACK_FIELD:
                    _bind(own, self._member(member), fn)
                else:
                    _bind(tabled, self._member(member), self._table_callback(s.value))
        for _line, e, _target in exprs_of(self.fn):
            for c in calls_in(e):
                if (set_by := self._set_callback(c)) is not None:
                    _bind(own, *set_by)
                acq = self.kb.acquire(c.callee)
                if acq is None or not isinstance(acq.object, int) or acq.object >= len(c.args):
                    continue
                obj = embedded_member(c.args[acq.object]) or path_of(c.args[acq.object])
                for a in c.args:
                    if obj is not None and (fn := self._table_callback(a)) is not None:
                        _bind(tabled, self._member(obj), fn)
        merged = {**tabled, **{k: v for k, v in own.items() if v is not None}}
        return {k: v for k, v in merged.items()  # a member, or a whole object set up by
                if v is not None and ("->" in k or k in self.variables  # its own call, in
                                      or k.isidentifier())  # a local or the file's global
                and self.summary(v) is not None}

    @cached_property
    def made_holding(self) -> dict[str, set[str]]:
        """Locals assigned once, from a same-file constructor that stores a parameter in
        the object it returns (``Summary.ret_params``: ``wdata = wiimote_create(hdev)``
        sets ``wdata->hdev = hdev``) -> what the call passed there: a teardown given
        the local reaches those objects through it (``hid_hw_close(wdata->hdev)``)."""
        out: dict[str, set[str]] = {}
        stores: dict[str, int] = {}
        for b in self.fn.blocks:
            for s in b.stmts:
                if not isinstance(s, Store) or not isinstance(s.target, Var) or \
                        (s.decl and s.value is None):
                    continue
                name = s.target.name
                stores[name] = stores.get(name, 0) + 1
                c = s.value
                made = self.summary(c.callee) if isinstance(c, Call) else None
                if made is None or not isinstance(c, Call) or not made.ret_params:
                    continue
                out[name] = {p for j in made.ret_params.values() if j < len(c.args)
                             and (p := object_path(path_of(c.args[j]))) is not None}
        return {k: v for k, v in out.items() if stores.get(k) == 1 and v}

    @cached_property
    def holders(self) -> dict[str, set[tuple[str, str]]]:
        """Locals stored into a field of a local object (``cs->signal_fence =
        sig_fence``) -> (that object, the field): a call that releases the field of the
        object (``cs_put(cs)``, whose release callback puts ``cs->signal_fence``)
        releases what the local holds."""
        out: dict[str, set[tuple[str, str]]] = {}
        for b in self.fn.blocks:
            for s in b.stmts:
                if not isinstance(s, Store) or s.op != "=" or not isinstance(s.value, Var):
                    continue
                t = s.target
                if isinstance(t, Member) and t.arrow and isinstance(t.base, Var) and \
                        t.base.name in self.variables and t.base.name != s.value.name:
                    out.setdefault(s.value.name, set()).add((t.base.name, t.name))
        return out

    @cached_property
    def stored_members(self) -> dict[str, str]:
        """Pointer fields the function points at a member embedded in an object, once
        (``mdev->iface.dev = &mdev->dev``): the field's path -> the member's, both
        written from the objects that embed them. A callee that puts the device such a
        field holds (``put_device(iface->dev)`` in ``foo_register(&mdev->iface)``)
        runs the release callback bound to that member."""
        seen: dict[str, str | None] = {}
        for b in self.fn.blocks:
            for s in b.stmts:
                if not isinstance(s, Store) or s.op != "=" or path_of(s.target) is None:
                    continue
                target = self._member(str(path_of(s.target)))
                member = embedded_member(s.value)
                value = self._member(member) if member is not None else None
                seen[target] = value if seen.get(target, value) == value else None
        return {k: v for k, v in seen.items() if v is not None}

    def _set_callback(self, c: Call) -> tuple[str, str] | None:
        """The member and the release callback that a ``[release_setter]`` call
        sets (``usb_initialize_gadget(dev, &x->gadget, foo_release)``: ``x->gadget.dev``,
        ``foo_release``; ``gadget->dev`` for a pointer ``gadget``)."""
        setter = self.kb.release_setters.get(c.callee)
        if setter is None or max(setter[0], setter[2]) >= len(c.args):
            return None
        arg, member, cb = setter
        fn = function_named(c.args[cb])
        inner = embedded_member(c.args[arg])
        obj = inner or path_of(c.args[arg])
        if fn is None or obj is None:
            return None
        path = f"{obj}{'.' if inner else '->'}{member}" if member else obj
        return self._member(path), fn

    def _member(self, path: str) -> str:
        """``path`` written from the object that embeds it (through member aliases)."""
        return member_root(self.member_aliases, self.member_aliases.get(path, path))

    def _table_callback(self, e: Expr | None) -> str | None:
        """The release callback of the table ``e`` points at (``&foo_type``, or the
        file's pointer ``foo_class`` that filled_tables() filled in): the function
        the member the knowledge names holds in that struct."""
        if isinstance(e, Var) and e.name not in self.variables:  # x->dev.class = foo_class
            table = self.tables.get(pointer_table(e.name))
        elif isinstance(e, Unary) and e.op == "&" and isinstance(e.operand, Var):
            table = self.tables.get(e.operand.name)
        else:
            return None
        member = self.kb.release_tables.get(table[0]) if table is not None else None
        return table[1].get(member) if table is not None and member else None

    def release_callback(self, member: str) -> tuple[str, str] | None:
        """The release callback a put of ``member`` runs and the path of what its
        parameter points into (the callback's container_of() gives it): for
        ``x->dev``, (foo_release, ``x``). A member that embeds the one given the
        callback (``auxiliary_device_uninit(&x->adev)`` puts ``x->adev.dev``) finds it
        there, when it is the only one under it."""
        callbacks = self.release_callbacks
        bound = [member] if member in callbacks else \
            [m for m in callbacks if m.startswith(member + ".")]
        if len(bound) != 1:
            return None
        inner = bound[0]
        container = inner.rsplit("->" if "." not in inner.split("->")[-1] else ".", 1)[0]
        return callbacks[inner], container

    @cached_property
    def container_stores(self) -> dict[int, tuple[str, str]]:
        """``container_stores()`` of this function, and the stores of what a function
        returns the container of its parameter from (``ndns = to_ndns(found)``, an
        inline function around container_of(): its summary's ``ret_container`` and
        ``ret_member`` make ``found`` the address of ``ndns->dev``)."""
        found = container_stores(self.fn)
        for b in self.fn.blocks:
            for s in b.stmts:
                if not (isinstance(s, Store) and isinstance(s.target, Var) and s.op == "="
                        and isinstance(s.value, Call)):
                    continue
                callee = self.summaries.get(s.value.callee)
                if callee is None or not callee.ret_member or len(callee.ret_container) != 1:
                    continue
                j = next(iter(callee.ret_container))
                arg = s.value.args[j] if j < len(s.value.args) else None
                if isinstance(arg, Var) and arg.name != s.target.name:
                    found[id(s)] = (arg.name, f"{s.target.name}->{callee.ret_member}")
        return found

    @cached_property
    def container_values(self) -> dict[int, str]:
        """The values of ``container_stores``: id of the value stored (what the walk's
        environment holds for the container afterwards) -> the inner pointer."""
        out: dict[int, str] = {}
        for b in self.fn.blocks:
            for s in b.stmts:
                if isinstance(s, Store) and id(s) in self.container_stores and \
                        s.value is not None:
                    inner = self.container_stores[id(s)][0]
                    out[id(s.value)] = inner
                    if isinstance(s.value, Assign):
                        out[id(s.value.value)] = inner
        return out

    @cached_property
    def list_entries(self) -> set[int]:
        """The values of the stores that make a local the container of a list link
        (``__mptr = head->next; p = __mptr - offsetof(T, node)``: the cursor of
        list_for_each_entry*() and list_first_entry()): ids of the values stored."""
        out: set[int] = set()
        for b in self.fn.blocks:
            last: dict[str, Expr | None] = {}  # the value each local was given in this block
            for s in b.stmts:
                if not isinstance(s, Store) or not isinstance(s.target, Var):
                    continue
                value = s.value.value if isinstance(s.value, Assign) else s.value
                last[s.target.name] = value if s.op == "=" else None
                if isinstance(value, Binary) and value.op == "-" and \
                        isinstance(value.lhs, Var) and offsetof_member(value.rhs) and \
                        isinstance(link := last.get(value.lhs.name), Member) and \
                        link.name in ("next", "prev"):
                    out.update({id(s.value), id(value)})
        return out

    @cached_property
    def list_cursors(self) -> set[str]:
        """Locals that every store with a value makes the container of a list link
        (``list_entries``): the saved next element of list_for_each_entry_safe()."""
        entries = self.list_entries
        stored: dict[str, bool] = {}
        for b in self.fn.blocks:
            for s in b.stmts:
                if isinstance(s, Store) and isinstance(s.target, Var) and s.value is not None:
                    name = s.target.name
                    stored[name] = stored.get(name, True) and id(s.value) in entries
        return {k for k, v in stored.items() if v}

    @cached_property
    def container_members(self) -> dict[str, str]:
        """``_container_members()``: pointers whose container_of() a local assigned once
        is (``dev`` after ``pdev = to_platform_device(dev)``) -> ``pdev->dev``."""
        return _container_members(self.fn, self.container_stores)

    @cached_property
    def member_aliases(self) -> dict[str, str]:
        """Locals assigned once, the address of a member embedded in another object
        (``cxld = &cxlsd->cxld``): local -> that member's path (``cxlsd->cxld``). A
        pointer whose container a local assigned once is (``pdev =
        to_platform_device(dev)``: ``dev`` is ``&pdev->dev``) is one too, when it is
        assigned once itself (or a parameter never assigned)."""
        seen = self._local_stores
        out = {k: v for k, v in seen.items() if v is not None and k in self.declared_locals}
        for inner, member in _container_members(self.fn, self.container_stores).items():
            if inner not in out and self._assigned_at_most_once(inner, seen):
                out[inner] = member
        return out

    @cached_property
    def interior_locals(self) -> dict[str, frozenset[str]]:
        """Locals whose every assignment is the address of a member embedded in the
        object one pointer points at, the member chosen by a test (``bufs =
        &dev->ctl.rx_bufs`` on one branch, ``&dev->ctl.tx_bufs`` on the other): local
        -> those members (``dev->ctl.rx_bufs``, ``dev->ctl.tx_bufs``). A release of
        ``dev->ctl.rx_bufs.urb`` is one of ``bufs->urb`` where ``bufs`` may point there."""
        found: dict[str, set[str] | None] = {}
        for b in self.fn.blocks:
            for s in b.stmts:
                if not isinstance(s, Store) or not isinstance(s.target, Var) or \
                        (s.decl and s.value is None):
                    continue
                member = embedded_member(s.value) if s.op == "=" else None
                name = s.target.name
                seen = found.setdefault(name, set())
                if member is None or seen is None or \
                        any(root_of(m) != root_of(member) for m in seen):
                    found[name] = None
                else:
                    seen.add(member)
        return {k: frozenset(v) for k, v in found.items()
                if v and len(v) > 1 and k in self.declared_locals}

    @cached_property
    def first_member_locals(self) -> dict[str, str]:
        """Member aliases (``member_aliases``) of the first member of what a local points
        at (``connector = &aconn->base``, ``base`` at offset 0): local -> that local
        (``aconn``). The address they hold is the object's: a release of it that the
        object's acquire pairs with (``kfree(connector)``) releases the object."""
        out: dict[str, str] = {}
        aliases = self.member_aliases
        for b in self.fn.blocks:
            for s in b.stmts:
                v = s.value if isinstance(s, Store) and s.op == "=" else None
                m = v.operand if isinstance(v, Unary) and v.op == "&" else None
                if isinstance(s, Store) and isinstance(s.target, Var) and \
                        isinstance(m, Member) and m.arrow and m.first and \
                        isinstance(m.base, Var) and \
                        aliases.get(s.target.name) == f"{m.base.name}->{m.name}":
                    out[s.target.name] = m.base.name
        return out

    @cached_property
    def field_member_aliases(self) -> dict[str, str]:
        """Fields stored once with the address of a member (``priv->dev =
        &pdev->dev``), of a local assigned once or a parameter: ``priv->dev`` and
        ``pdev->dev`` name one device for the rest of the function (the put through
        one undoes the get through the other)."""
        stores: dict[str, str | None] = {}
        for b in self.fn.blocks:
            for s in b.stmts:
                if not isinstance(s, Store) or isinstance(s.target, Var):
                    continue
                path = path_of(s.target)
                if path is None or "->" not in path or "[" in path:
                    continue
                member = embedded_member(s.value) if s.op == "=" else None
                stores[path] = member if path not in stores else None
        return {f: m for f, m in stores.items() if m is not None and
                f.split("->", 1)[0] != m.split("->", 1)[0] and
                self._assigned_at_most_once(root_of(f), self._local_stores)}

    @cached_property
    def _local_stores(self) -> dict[str, str | None]:
        """Each local or parameter assigned in the function -> the member whose address
        its only assignment stores (None: another value, or assigned more than once)."""
        seen: dict[str, str | None] = {}
        for b in self.fn.blocks:
            for s in b.stmts:
                if isinstance(s, Store) and isinstance(s.target, Var) and \
                        not (s.decl and s.value is None):
                    member = embedded_member(s.value) if s.op == "=" else None
                    seen[s.target.name] = member if s.target.name not in seen else None
        return seen

    def _assigned_at_most_once(self, name: str, seen: dict[str, str | None]) -> bool:
        """Is ``name`` a local assigned once, or a parameter never assigned?"""
        if name in self.declared_locals:
            return name in seen and sum(1 for b in self.fn.blocks for s in b.stmts
                                        if _assigns(s, name)) == 1
        return name in {x.name for x in self.fn.params} and name not in seen

    @cached_property
    def variables(self) -> frozenset[str]:
        """The function's parameters and declared locals."""
        return self.declared_locals | {x.name for x in self.fn.params}

    @cached_property
    def unaliased_locals(self) -> frozenset[str]:
        """Locals and parameters whose address no pointer can hold: it is never taken, or taken
        only to be passed to an API the knowledge knows (``sock_create(..., &sock)``
        writes through it and keeps nothing). A store through a pointer (``*more =
        0``) cannot change them."""
        taken: set[str] = set()
        for _line, e, _target in exprs_of(self.fn):
            known_args: set[int] = set()
            for x in subexprs(e):
                if isinstance(x, Call) and (self.kb.acquire(x.callee) is not None
                                            or self.kb.release(x.callee) is not None):
                    known_args.update(id(a) for a in x.args)
            for x in subexprs(e):
                if isinstance(x, Unary) and x.op == "&" and id(x) not in known_args:
                    p = path_of(x.operand)
                    if p is not None and "->" not in p:  # &x, &x.f; not &p->f
                        taken.add(root_of(p))
        return frozenset(self.variables - taken)

    @cached_property
    def record_flags(self) -> dict[str, str]:
        """Flags this function keeps as the record of holding an object: it sets the
        flag (to a true constant, or a bit of it, or counts it up: ties.flag_set) next
        to an acquisition of the object (the statement before or after it, or further
        on, with that acquisition the last each path to the set made) and clears
        it next to a release of it (``trans->removing_chunk = true; mutex_lock(&m);
        ... mutex_unlock(&m); trans->removing_chunk = false;``, ``pm_runtime_enable(d);
        p->enabled++;``): flag key -> the object."""
        sets: dict[str, set[str]] = {}
        clears: dict[str, set[str]] = {}
        preds = self.fn.preds()
        blocks = {b.id: b for b in self.fn.blocks}
        for b in self.fn.blocks:
            for i, st in enumerate(b.stmts):
                if not isinstance(st, Store) or st.decl:
                    continue
                path = path_of(st.target)
                fs = flag_set(path, st.op, st.value) if path is not None else None
                if fs is None:
                    continue
                flag, k = fs
                # the statement before: in this block, or, for the block's first, the
                # acquisition whose success the block before tested (``r = enable(x);
                # if (r) goto err; x_on = true;``)
                tested = self._tested_acquire(blocks, preds[b.id]) if i == 0 and k else None
                for c in [tested] if tested is not None else ():
                    acq = self.kb.acquire(c.callee)
                    if acq is not None and isinstance(acq.object, int) and \
                            acq.object < len(c.args):
                        obj = object_path(path_of(c.args[acq.object]))
                        if obj is not None:
                            sets.setdefault(flag, set()).add(obj)
                if k:
                    # or further on, after the acquisition every path to it made last
                    # (``n = dma_map_sg(...); if (!n) goto out; if (n != want)
                    # log(...); t->flags |= MAPPED;``)
                    sets.setdefault(flag, set()).update(
                        self._last_acquired(blocks, preds, b.id, i))
                for nb in b.stmts[max(i - 1, 0):i] + b.stmts[i + 1:i + 2]:
                    for c in _calls_of(nb):
                        acq, rel = self.kb.acquire(c.callee), self.kb.release(c.callee)
                        if k and acq is not None and isinstance(acq.object, int) and \
                                acq.object < len(c.args):
                            obj = object_path(path_of(c.args[acq.object]))
                            if obj is not None:
                                sets.setdefault(flag, set()).add(obj)
                        if not k and rel is not None and rel.arg < len(c.args):
                            obj = object_path(path_of(c.args[rel.arg]))
                            if obj is not None:
                                clears.setdefault(flag, set()).add(obj)
        out: dict[str, str] = {}
        for flag, objs in sets.items():
            both = objs & clears.get(flag, set())
            if len(both) == 1:
                out[flag] = next(iter(both))
        for flag, obj in self.kept_flags().items():
            out.setdefault(flag, obj)
        return out

    def kept_flags(self) -> dict[str, str]:
        """Flags set on the one arm of a test whose other arm releases an object: ``if
        (multi_master) priv->flags |= PM_BLOCKED; else pm_runtime_put(dev);`` keeps the
        reference exactly where it sets the flag, so the flag is the record of holding
        it (``record_flags``). The releasing arm is that one statement, the other ends
        with the flag's store (or ``set_bit()``: ties.bit_store); flag key -> the object."""
        out: dict[str, set[str]] = {}
        for b in self.fn.blocks:
            if b.cond is None or len(b.succs) != 2:
                continue
            arms = [self.fn.blocks[e.dst].stmts for e in b.succs]
            for set_arm, other_arm in ((arms[0], arms[1]), (arms[1], arms[0])):
                if not set_arm or len(other_arm) != 1:
                    continue
                sets, other = bit_store(set_arm[-1]) or set_arm[-1], other_arm[0]
                if not isinstance(sets, Store) or sets.decl:
                    continue
                path = path_of(sets.target)
                fs = flag_set(path, sets.op, sets.value) if path is not None else None
                calls = _calls_of(other) if isinstance(other, ExprStmt) else []
                rel = self.kb.release(calls[0].callee) if len(calls) == 1 else None
                if fs is None or not fs[1] or rel is None or rel.arg >= len(calls[0].args):
                    continue
                obj = object_path(path_of(calls[0].args[rel.arg]))
                if obj is not None:
                    out.setdefault(fs[0], set()).add(obj)
        return {flag: next(iter(objs)) for flag, objs in out.items() if len(objs) == 1}

    @cached_property
    def stored_in_loops(self) -> frozenset[str]:
        """The access paths a statement on a cycle of the CFG stores to: a loop may
        write them on an iteration the walk does not unroll."""
        return frozenset(p for bid in self.looping for s in self.fn.blocks[bid].stmts
                         if isinstance(s, Store) and (p := path_of(s.target)) is not None)

    @cached_property
    def success_counters(self) -> dict[str, str]:
        """Locals that count the successes of an acquisition in a loop -> its callee:
        set to 0 where declared and written only by ``n++`` in a block entered from the
        test of that acquisition's result alone (``ret = pm_runtime_resume_and_get(dev);
        if (ret) goto out_put; nr_held++;``). An unwind bounded by the count (``for (i =
        0; i < nr_held; i++) pm_runtime_put(dev);``) releases the ones taken before the
        failing one."""
        preds = self.fn.preds()
        blocks = {b.id: b for b in self.fn.blocks}
        counted: dict[str, str] = {}
        other: set[str] = set()
        for b in self.fn.blocks:
            for s in b.stmts:
                if not isinstance(s, Store) or not isinstance(s.target, Var):
                    continue
                name = s.target.name
                if s.decl and s.op == "=" and constant(s.value) == 0:
                    continue
                callee = self._counted_acquire(blocks, preds[b.id]) \
                    if s.op == "+=" and constant(s.value) == 1 else None
                if callee is None or counted.get(name, callee) != callee:
                    other.add(name)
                else:
                    counted[name] = callee
        return {n: c for n, c in counted.items() if n not in other and n in self.variables}

    def _counted_acquire(self, blocks: dict[int, Block], preds: list[int]) -> str | None:
        """The acquire whose result the one block before a counter's step tests right
        after storing it (``ret = acquire(...); if (ret)``)."""
        c = self._tested_acquire(blocks, preds)
        return c.callee if c is not None else None

    def _last_acquired(self, blocks: dict[int, Block], preds: dict[int, list[int]],
                       bid: int, i: int) -> set[str]:
        """The object of the acquisition (of an argument object) that every path to
        statement ``i`` of block ``bid`` made last, with no other acquisition after it:
        one object or none (a path from the entry with none, or too far to look)."""
        found: set[str] = set()
        todo, seen = [(bid, i)], {bid}
        while todo:
            b, end = todo.pop()
            block = blocks[b]
            exprs = ([block.cond] if block.cond is not None and end == len(block.stmts)
                     else []) + [e for s in reversed(block.stmts[:end])
                                 for e in [s.expr if isinstance(s, ExprStmt) else
                                           s.value if isinstance(s, Store) else None]
                                 if e is not None]
            hit = None
            for e in exprs:
                for c in reversed(calls_in(e)):
                    acq = self.kb.acquire(c.callee)
                    if hit is None and acq is not None and isinstance(acq.object, int):
                        hit = object_path(path_of(c.args[acq.object])) \
                            if acq.object < len(c.args) else None
                        hit = hit or ""
                if hit is not None:
                    break
            if hit == "" or hit is None and (not preds[b] or len(seen) > 32):
                return set()
            if hit is not None:
                found.add(hit)
                continue
            for p in preds[b]:
                if p not in seen:
                    seen.add(p)
                    todo.append((p, len(blocks[p].stmts)))
        return found if len(found) == 1 else set()

    def _tested_acquire(self, blocks: dict[int, Block], preds: list[int]) -> Call | None:
        """The acquiring call whose result the one block before a block tests right
        after storing it (``ret = acquire(...); if (ret)``)."""
        if len(preds) != 1 or (b := blocks[preds[0]]).cond is None or not b.stmts:
            return None
        s = b.stmts[-1]
        if not (isinstance(s, Store) and isinstance(s.target, Var) and
                isinstance(s.value, Call) and self.kb.acquire(s.value.callee) is not None):
            return None
        tested = {path_of(x) for x in subexprs(b.cond)}
        return s.value if s.target.name in tested else None

    @cached_property
    def looping(self) -> frozenset[int]:
        """The blocks on a cycle of the CFG (a loop's body and test)."""
        succs = {b.id: [e.dst for e in b.succs] for b in self.fn.blocks}
        out: set[int] = set()
        for b in self.fn.blocks:
            seen: set[int] = set()
            todo = list(succs[b.id])
            while todo:
                x = todo.pop()
                if x == b.id:
                    out.add(b.id)
                    break
                if x not in seen:
                    seen.add(x)
                    todo.extend(succs.get(x, ()))
        return frozenset(out)

    @cached_property
    def tested_negative(self) -> frozenset[str]:
        """The access paths the function tests against 0 with ``<`` (``if (n < 0)``)."""
        return frozenset(p for b in self.fn.blocks
                         if isinstance(b.cond, Binary) and b.cond.op == "<"
                         and isinstance(b.cond.rhs, Const) and b.cond.rhs.value == 0
                         and (p := path_of(b.cond.lhs)) is not None)

    @cached_property
    def repeated_tests(self) -> frozenset[str]:
        """Conditions without side effects that the function tests more than once
        (``if (priv->has_irq)``, ``if (!IS_ERR(priv->clk))``, ``gpio_is_valid(gpio)``
        before an acquisition and again in the unwind): the walk makes the second
        test follow the outcome of the first. Calls count as side-effect free when
        they return bool, are ``IS_ERR()``-style checks or compiler builtins, or their
        body is pure (``is_pure``)."""
        seen: set[str] = set()
        out: set[str] = set()
        for b in self.fn.blocks:
            if b.cond is None or not all(self.is_pure(c) and self.kb.acquire(c.callee) is None
                                         for c in calls_in(b.cond)):
                continue
            text = condition_key(b.cond)[0]
            (out if text in seen else seen).add(text)
            if b.id not in self.looping and text in self.guard_keys:
                out.add(text)  # a callee releases under the same test of its arguments
            if self._loop_invariant_branch(b):
                out.add(text)  # tested again on each iteration of the loop
        return frozenset(out | self.hold_guards)

    def _loop_invariant_branch(self, b: Block) -> bool:
        """A branch inside a loop's body (both edges stay on the loop's cycle: not its
        exit test) whose condition reads no access path the loop stores to (``if
        (!dev_get_platdata(dev))`` in a loop over the buttons): each iteration tests
        it again and it comes out the same each time."""
        if b.cond is None or b.id not in self.looping or \
                any(e.dst not in self.looping for e in b.succs):
            return False
        read = {root_of(p) for x in subexprs(b.cond) if (p := path_of(x)) is not None}
        stored = {root_of(p) for p in self.stored_in_loops}
        return bool(read) and not read & stored

    @cached_property
    def repeated_conditions(self) -> dict[str, Expr]:
        """The repeated tests (``repeated_tests``) by their text -> the condition."""
        repeated = self.repeated_tests
        return {text: b.cond for b in self.fn.blocks if b.cond is not None
                and (text := condition_key(b.cond)[0]) in repeated}

    @cached_property
    def hold_guards(self) -> frozenset[str]:
        """Tests, pure or not, under which the function both takes a lock (or PM count)
        and drops it: one test's edge leads straight to the acquisition, another test
        of the same text leads on the same edge straight to its release (``if
        (refcount_read(&info->count)) mutex_lock(&info->lock); ... if
        (refcount_read(&info->count)) mutex_unlock(&info->lock);``, "only use the
        mutex if info has been registered"). The test is the lock's record: the
        function means it to give the same answer both times, and the walk makes the
        second follow the first. Tests on a loop's cycle are left out. Any acquisition
        counts, not only a hold: ``if (atomic_read(&pdev->enable_cnt) == 1)
        pci_request_regions(pdev, ...); ... if (atomic_read(&pdev->enable_cnt) == 1)
        pci_release_regions(pdev);`` (the function is the device's first enabler, and
        releases what it took as that)."""
        takes: set[tuple[str, bool, str]] = set()
        drops: set[tuple[str, bool, str]] = set()
        for b in self.fn.blocks:
            if b.cond is None or b.id in self.looping or \
                    any(self.kb.acquire(c.callee) is not None for c in calls_in(b.cond)):
                continue
            text, negated = condition_key(b.cond)
            for e in b.succs:
                if e.kind not in ("true", "false"):
                    continue
                truth = (e.kind == "true") != negated
                for st in self.fn.blocks[e.dst].stmts:
                    for c in _calls_of(st):
                        a, rel = self.kb.acquire(c.callee), self.kb.release(c.callee)
                        if a is not None and isinstance(a.object, int) \
                                and a.object < len(c.args) and \
                                (o := object_path(path_of(c.args[a.object]))) is not None:
                            takes.add((text, truth, o))
                        if rel is not None and rel.arg < len(c.args) and \
                                (o := object_path(path_of(c.args[rel.arg]))) is not None:
                            drops.add((text, truth, o))
        return frozenset(t for t, _, _ in takes & drops)

    @cached_property
    def guard_keys(self) -> frozenset[str]:
        """The tests a same-file callee's releases depend on, as this function's calls
        would write them (``Summary.releases_when``: ``req->src == req->dst`` for
        ``caam_unmap(dev, req->src, req->dst, ...)``): a test of them on the path
        decides whether the call releases."""
        out: set[str] = set()
        for b in self.fn.blocks:
            for e in b.exprs():
                for c in calls_in(e):
                    s = self.summaries.get(c.callee)
                    for alts in s.releases_when.values() if s is not None else ():
                        out.update(condition_key(t)[0] for gs in alts for g in gs
                                   for t in guard_tests(c, g))
        return frozenset(out)

    @cached_property
    def tests_reading_memory(self) -> frozenset[str]:
        """The repeated tests that call a pure function reading through a pointer
        (``is_v2(dev)`` reads ``dev->version``): a store to anything under a variable
        they mention may change their answer, not only a store to what they name."""
        return frozenset(
            condition_key(b.cond)[0] for b in self.fn.blocks if b.cond is not None
            and condition_key(b.cond)[0] in self.repeated_tests
            and any(self.pure_bodies.get(c.callee) for c in calls_in(b.cond)))

    @cached_property
    def _test_reads(self) -> dict[str, dict[str, frozenset[str] | None]]:
        """For each test reading memory: variable -> the fields of what it points to that
        the pure callees read (their summaries' ``reads``); None: not known."""
        out: dict[str, dict[str, frozenset[str] | None]] = {}
        for b in self.fn.blocks:
            if b.cond is None:
                continue
            text = condition_key(b.cond)[0]
            if text not in self.tests_reading_memory or text in out:
                continue
            reads: dict[str, frozenset[str] | None] = {}
            for c in calls_in(b.cond):
                s = self.summary(c.callee)
                for j, a in enumerate(c.args):
                    member = embedded_member(a)
                    if member is not None and "->" in member:
                        # test_bit(0, &qm->caps): what it reads is that member
                        root, _, below = member.partition("->")
                        known = reads.get(root, frozenset())
                        field_ = re.split(r"->|\.|\[", below, maxsplit=1)[0]
                        reads[root] = None if known is None else known | {field_}
                        continue
                    p = path_of(a)
                    if p is None:
                        continue
                    root = root_of(p)
                    known = reads.get(root, frozenset())
                    read = s.reads.get(j, set()) if s is not None else {"*"}
                    if p != root or known is None or "*" in read:
                        reads[root] = None
                    else:
                        reads[root] = known | frozenset(read)
            out[text] = reads
        return out

    def store_may_change(self, test: str, path: str) -> bool:
        """May a store to ``path`` change the answer of ``test``, a repeated test that calls
        a pure function reading through a pointer? Not when it writes a field of the
        object that the function does not read (``ctlr->target_abort = f`` and
        ``spi_controller_is_target(ctlr)``, which reads ``ctlr->target``)."""
        root = root_of(path)
        fields = self._test_reads.get(test, {}).get(root)
        rest = path[len(root):]
        if fields is None or not rest.startswith("->"):
            return True
        return re.split(r"->|\.|\[", rest[2:], maxsplit=1)[0] in fields

    @cached_property
    def acquisitions(self) -> dict[str, list[Site]]:
        """access path -> where this function acquires it (knowledge or same-file allocator)."""
        out: dict[str, list[Site]] = {}
        for b in self.fn.blocks:
            line = b.cond_loc.line if b.cond_loc else 0
            pairs = [(s.target, s.value, s.loc.line) for s in b.stmts
                     if isinstance(s, Store) and s.op == "="]
            pairs += [(a.target, a.value, line) for a in subexprs(b.cond)
                      if isinstance(a, Assign) and a.op == "="] if b.cond is not None else []
            for target, v, ln in pairs:
                while isinstance(v, Assign):
                    v = v.value
                p = path_of(target)
                if p is None:
                    continue
                if isinstance(v, Call) and self._allocates(v.callee):
                    out.setdefault(p, []).append(Site(v.callee, ln, b.id))
                elif isinstance(v, Var) and v.name.startswith("_") and v.name in out:
                    out.setdefault(p, []).extend(out[v.name])  # alloc_hooks()' _res
            for e in b.exprs():
                for c in calls_in(e):
                    a = self.kb.acquire(c.callee)
                    if a is not None and isinstance(a.object, int) and a.object < len(c.args):
                        p = object_path(path_of(c.args[a.object]))
                        if p is not None:
                            out.setdefault(p, []).append(Site(c.callee, c.loc.line, b.id))
        return out

    def _allocates(self, callee: str) -> bool:
        a = self.kb.acquire(callee)
        if a is not None:
            return a.object == "ret"
        s = self.summaries.get(callee)
        return s is not None and s.ret_alloc

    @cached_property
    def release_sites(self) -> list[tuple[str, Site]]:
        """(access path, site) of every call that releases an object: from the
        knowledge, a same-file callee that releases its argument, or a release
        that the knowledge pairs with an acquisition of that path here."""
        paired: dict[str, set[str]] = {}
        for p, sites in self.acquisitions.items():
            for site in sites:
                paired.setdefault(p, set()).update(self.kb.releasers_of(site.callee))
        out: list[tuple[str, Site]] = []
        for b in self.fn.blocks:
            for e in b.exprs():
                for c in calls_in(e):
                    paths = {object_path(path_of(c.args[j])) for j in self.released_args(c)}
                    for a in c.args:
                        arg = object_path(path_of(a))
                        if arg is not None and c.callee in paired.get(arg, ()):
                            paths.add(arg)
                    out.extend((p, Site(c.callee, c.loc.line, b.id)) for p in sorted(
                        q for q in paths if q is not None))
        return out

    def released_args(self, call: Call) -> list[int]:
        """Which arguments ``call`` releases (knowledge, same-file summaries)."""
        out: set[int] = set()
        rel = self.kb.release(call.callee)
        if rel is not None and rel.arg < len(call.args):
            out.add(rel.arg)
        s = self.summaries.get(call.callee)
        if s is not None:
            out.update(j for j in s.releases if j < len(call.args))
        return sorted(out)

    @cached_property
    def arg_roots(self) -> frozenset[str]:
        """Variables passed whole to some call: the objects a teardown may receive."""
        out: set[str] = set()
        for b in self.fn.blocks:
            for e in b.stmt_exprs():
                for c in calls_in(e):
                    out.update(a.name for a in c.args if isinstance(a, Var))
            for c in calls_in(b.cond):
                out.update(a.name for a in c.args if isinstance(a, Var))
        return frozenset(out)

    def tracks_field(self, path: str) -> bool:
        return path in self.relevant or root_of(path) in self.arg_roots or \
            path in self.relevant_enclosing

    @cached_property
    def relevant_enclosing(self) -> frozenset[str]:
        """The embedded structs that hold a relevant member (``dev->v4l2_dev`` of
        ``dev->v4l2_dev.dev``): what is written to them may change it."""
        out: set[str] = set()
        for p in self.relevant:
            if "->" not in p:
                continue
            head, _, rest = p.partition("->")
            parts = rest.split(".")
            if any("->" in x for x in parts):
                continue
            out.update(head + "->" + ".".join(parts[:i]) for i in range(1, len(parts)))
        return frozenset(out)

    def teardown_dependencies(self, callee: str, arg: int) -> list[Dependency]:
        """The fields of argument ``arg`` that ``callee`` needs set up (dereferences)."""
        s = self.summaries.get(callee)
        if s is not None:  # the body is in this file: it is the best evidence
            out = []
            for f, d in sorted(s.derefs.get(arg, {}).items()):
                if d.write or not d.guarded:
                    param = s.params[arg] if arg < len(s.params) else ""
                    # tested non-NULL before each use, statement by statement, and never
                    # reset: as good as ``checked`` (whose tests count block by block)
                    checked = d.checked or (d.used_when_set and f not in s.writes.get(arg, ()))
                    out.append(Dependency(f, d.line, "body", param, checked,
                                          d.used_when_set))
            return out
        td = self.kb.teardown(callee)
        if td is not None and td.arg == arg:
            return [Dependency(f, 0, "knowledge") for f in td.depends]
        return []

    @cached_property
    def is_probe(self) -> bool:
        """Is this function the probe of a driver the file defines (``.probe = foo_probe``
        in a struct the knowledge lists as ``[probe_table]``), or one of its init
        functions (``module_init(foo_init)``, ``[initcall]``)? When a probe or an init
        function fails, nobody calls a teardown of the driver's or the module's: it owns
        what it acquired."""
        return self.fn.name in self.initcalls or any(
            members.get(self.kb.probe_tables.get(struct, "")) == self.fn.name
            for struct, members in self.tables.values())

    @cached_property
    def exit_releases(self) -> dict[str, str]:
        """The file's globals that its module's exit function releases (its summary's
        ``releases_globals``, through same-file callees too) -> that function; none in
        an init function or a function one calls (``module_init(foo_init)``). The exit
        runs at unload, once the init succeeded, whatever happened since: a driver's
        probe that stores a reference there and fails hands it to the exit. A failed
        init has no exit run (do_init_module()), so there it is still owed."""
        if self.fn.name in self.initcalls or any(
                s is not None and self.fn.name in s.calls
                for s in map(self.summaries.get, self.initcalls)):
            return {}
        out: dict[str, str] = {}
        for name in sorted(self.exitcalls):
            s = self.summaries.get(name)
            for g in s.releases_globals if s is not None else ():
                out.setdefault(g, name)
        return out

    @cached_property
    def orphaned_unwind(self) -> frozenset[int]:
        """Blocks that no path from the entry reaches, under a label that no jump
        targets: an unwind step the function wrote and no error path runs any more
        (its goto was pointed at the next label down). What is released there is
        released by this function's own intent, as much as a step a path reaches."""
        live = self.reachable(self.fn.entry)
        out: set[int] = set()
        for b in self.fn.blocks:
            if b.labels and b.id not in live:
                out |= self.fn.reachable_from(b.id) - live
        return frozenset(out)

    def reachable(self, block: int) -> set[int]:
        if block not in self._reach:
            self._reach[block] = self.fn.reachable_from(block)
        return self._reach[block]

    @cached_property
    def local_values(self) -> dict[str, list[Expr | None]]:
        """Each declared local -> the values its assignments store, in the order of the
        blocks (None for a compound assignment: ``n += 1``); a declaration without a
        value stores none."""
        out: dict[str, list[Expr | None]] = {}
        for b in self.fn.blocks:
            for s in b.stmts:
                if isinstance(s, Store) and isinstance(s.target, Var) and \
                        s.target.name in self.declared_locals and \
                        not (s.decl and s.value is None):
                    out.setdefault(s.target.name, []).append(s.value if s.op == "=" else None)
        return out

    @cached_property
    def _stores(self) -> dict[str, list[tuple[int, int]]]:
        """access path -> [(block, line)] of stores of a value that is not NULL/0."""
        out: dict[str, list[tuple[int, int]]] = {}
        for b in self.fn.blocks:
            for s in b.stmts:
                if isinstance(s, Store) and s.value is not None and s.op == "=":
                    if isinstance(s.value, Const) and s.value.value == 0:
                        continue
                    p = path_of(s.target)
                    if p is not None:
                        out.setdefault(p, []).append((b.id, s.loc.line))
        return out

    def later_stores(self, path: str, from_block: int) -> list[int]:
        """Lines that store a non-NULL value to ``path`` in blocks reachable from ``from_block``."""
        reach = self.reachable(from_block)
        return sorted(line for b, line in self._stores.get(path, []) if b in reach)


Tables = dict[str, tuple[str, dict[str, str]]]


def initcall_functions(text: bytes, macros: set[str]) -> frozenset[str]:
    """The functions the file names in an init-call macro of ``macros`` (the
    knowledge's ``[initcall]``): ``module_init(foo_init);`` gives foo_init. Read from
    the text, as the macros expand to attributes and sections the parse keeps no
    trace of."""
    if not macros:
        return frozenset()
    pattern = rb"^[ \t]*(?:" + b"|".join(re.escape(m.encode()) for m in sorted(macros)) + \
        rb")[ \t]*\([ \t]*(\w+)[ \t]*\)"
    return frozenset(m.group(1).decode() for m in re.finditer(pattern, text, re.M))


def filled_tables(tables: Tables, functions: list[Function],
                  kb: Knowledge | None = None) -> Tables:
    """The file's callback tables, with its pointers to a struct of callbacks filled
    in from what its functions store in them (``foo_class = kzalloc(...);
    foo_class->dev_release = foo_release`` in the module's init): a device pointed
    at that struct (``x->dev.class = foo_class``) runs ``foo_release`` on its last
    put, as one pointed at a constant table does. A member given two different
    functions has none. A pointer given the result of a constructor the knowledge
    says points a member at the table it is given (``[ops_setter]``: ``foo_group =
    fsnotify_alloc_group(&foo_ops, 0)`` sets ``foo_group->ops``) holds that table's
    members under the path through it (``ops->free_mark``)."""
    seen: dict[str, dict[str, str | None]] = {}
    for fn in functions:
        mine = {p.name for p in fn.params} | {
            s.target.name for b in fn.blocks for s in b.stmts
            if isinstance(s, Store) and s.decl and isinstance(s.target, Var)}
        for b in fn.blocks:
            for s in b.stmts:
                if not isinstance(s, Store) or s.op != "=":
                    continue
                t = s.target
                made = _set_ops(s.value, tables, kb)
                if isinstance(t, Var) and t.name not in mine and made is not None and \
                        pointer_table(t.name) in tables:
                    for m, f in made.items():
                        _bind(seen.setdefault(pointer_table(t.name), {}), m, f)
                callback = function_named(s.value)
                if not (isinstance(t, Member) and t.arrow and isinstance(t.base, Var)
                        and callback is not None) or t.base.name in mine:
                    continue  # a local's struct is no file-wide table
                key = pointer_table(t.base.name)
                if key in tables:
                    _bind(seen.setdefault(key, {}), t.name, callback)
    out = dict(tables)
    for key, members in seen.items():
        out[key] = (tables[key][0], {m: f for m, f in members.items() if f is not None})
    return out


def _set_ops(value: Expr | None, tables: Tables, kb: Knowledge | None) -> dict[str, str] | None:
    """The members a constructor of the knowledge's ``[ops_setter]`` gives the object it
    returns (``fsnotify_alloc_group(&foo_ops, 0)``: ``ops->free_mark`` -> the
    function foo_ops holds there), or None."""
    while isinstance(value, Assign):
        value = value.value
    if kb is None or not isinstance(value, Call) or value.callee not in kb.ops_setters:
        return None
    arg, member = kb.ops_setters[value.callee]
    a = value.args[arg] if arg < len(value.args) else None
    if not (isinstance(a, Unary) and a.op == "&" and isinstance(a.operand, Var)):
        return None
    table = tables.get(a.operand.name)
    return None if table is None else {f"{member}->{m}": f for m, f in table[1].items()}


def returned_release_callbacks(functions: list[Function], summaries: dict[str, Summary],
                               kb: Knowledge, tables: Tables) -> dict[str, Summary]:
    """``summaries`` with ``ret_callbacks`` filled in for the file's constructors: the
    functions whose every return gives back one local (or NULL, or an error pointer)
    that their release callbacks (``FunctionContext.release_callbacks``) bind members
    of (``x->dev.type = &foo_type``). A constructor that wraps another
    (``x = __foo_create(); ...; return x;``) gets its callee's: a few rounds."""
    out = dict(summaries)
    for _ in range(3):
        changed = False
        for fn in functions:
            s = out.get(fn.name)
            local = _returned_local(fn)
            if s is None or local is None:
                continue
            bound = FunctionContext(fn, "", out, kb, tables=tables).release_callbacks
            found = {k[len(local) + 2:]: f for k, f in bound.items()
                     if k.startswith(local + "->")}
            if found != s.ret_callbacks:
                out[fn.name] = replace(s, ret_callbacks=found)
                changed = True
        if not changed:
            break
    return out


def returned_owners(functions: list[Function], summaries: dict[str, Summary],
                    kb: Knowledge) -> dict[str, Summary]:
    """``summaries`` with ``ret_owners`` filled in for the file's constructors: the
    fields of the local every return gives back that it stores an object in that an
    acquire made to own that local (the knowledge's ``owns``: ``filep =
    anon_inode_getfile(name, &fops, x, flags); x->file = filep;``)."""
    out = dict(summaries)
    for fn in functions:
        s = out.get(fn.name)
        local = _returned_local(fn)
        if s is None or local is None:
            continue
        owners: set[str] = set()  # the locals that own it
        stores = [st for b in fn.blocks for st in b.stmts if isinstance(st, Store)]
        for st in stores:
            v = st.value
            while isinstance(v, Assign):
                v = v.value
            if not isinstance(v, Call) or (a := kb.acquire(v.callee)) is None or \
                    a.owns is None or a.owns >= len(v.args) or path_of(v.args[a.owns]) != local:
                continue
            if isinstance(st.target, Var):
                owners.add(st.target.name)
            elif (p := path_of(st.target)) is not None and p.startswith(local + "->"):
                owners.add(p)
        found = {p[len(local) + 2:] for st in stores if (p := path_of(st.target)) is not None
                 and p.startswith(local + "->") and (p in owners or isinstance(st.value, Var)
                                                     and st.value.name in owners)}
        if found:
            out[fn.name] = replace(s, ret_owners=found)
    return out


def _returned_local(fn: Function) -> str | None:
    """The local every return of ``fn`` gives back, apart from NULL and error
    pointers (``return ERR_PTR(-ENOMEM)``); None when there are two, or none."""
    found: set[str] = set()
    for b in fn.blocks:
        for s in b.stmts:
            if not isinstance(s, Return) or s.value is None:
                continue
            v = s.value
            if constant(v) == 0 or isinstance(v, Call) and v.callee in ("ERR_PTR", "ERR_CAST"):
                continue
            if not isinstance(v, Var) or v.is_param:
                return None
            found.add(v.name)
    return found.pop() if len(found) == 1 else None


def _bind(seen: dict[str, str | None], member: str, callback: str | None) -> None:
    """Record that ``member`` is given ``callback``; two different ones cancel out."""
    if callback is None:
        return
    seen[member] = callback if seen.get(member, callback) == callback else None


def _split_last(path: str | None) -> tuple[str, str]:
    """``x->dev.type`` -> (``x->dev``, ``type``): the object and its member a store
    writes; ("", "") for a plain name."""
    if path is None:
        return "", ""
    arrow, dot = path.rfind("->"), path.rfind(".")
    if arrow > dot:
        return path[:arrow], path[arrow + 2:]
    if dot > 0:
        return path[:dot], path[dot + 1:]
    return "", ""
