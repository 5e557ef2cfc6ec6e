"""The flow engine: one path-sensitive walk over a function that serves every check.

The walk follows each path from the entry with a ``state.State``: the shared
domains (values, set-up facts, the resource model), the private state of each
check that declares one, and the path itself as typed events
(``events.py``). It applies each statement's effects, prunes branches that
contradict what the path knows (``if (!p) goto out; ... out: if (p) ...``),
unrolls loops once, and joins the states that reach a block once more than
``PATHS_PER_BLOCK`` distinct ones have (the path budget). It knows no check:
checks hook into calls, uses and exits (``Rule``); what they report at a call
is a candidate, confirmed only when its path reaches an error exit, which the
walk classifies by what it returns (``events.ExitKind``).

A test of a call's result is a failure test (``conditions.failure_check``) unless
the path knows better: an answer (a ``bool``, the ``[answer]`` knowledge), a
result the callee cannot give here (``returns.py``), or a truth test of a value
that an earlier test on the path found not negative (``rc < 0`` passed, then
``else if (!rc)``): the code's own failure test has spoken, and this one tells
its kinds of success apart (0 or positive). The mirror holds too: a value a failure
test found failing is no success for a later test of it on the path, until it is
assigned again (``if (status) goto leave; ... leave: if (status < 0 && x)``: the
false side tells a positive failure from a negative one; ``Values.failed``).

A test whose only steps are post-steps (``while (nr--)``, ``if (n_irqs-- == 0)
break;``) reads the values before its steps, which the walk decides it with
before it makes them: an unwind bounded by the count of what succeeded releases
nothing where that count is 0.
"""
from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from kunwind.findings import Finding
from kunwind.knowledge import Acquire, Knowledge
from kunwind.knowledge.names import ERR_FROM, NORETURN, WARN_TEMPORARIES
from kunwind.model.cfg import Block, Edge
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
    Loc,
    Member,
    Other,
    Return,
    Store,
    Str,
    Unary,
    Var,
    calls_in,
    path_of,
    pointee_path,
    render,
    root_of,
    subexprs,
)
from kunwind.model.syntax import UNKNOWN_CASE

from . import cursors
from .conditions import (
    Check,
    condition_key,
    equality,
    errno_equality,
    error_on_edge,
    error_value,
    failure_check,
    macro_temporary,
    no_error_on_edge,
    null_test,
    strip,
)
from .constants import (
    ANY_SIGN,
    NEGATIVE,
    POSITIVE,
    ZERO,
    bits_after,
    bound_test,
    constant,
    errptr_test,
    forget_under,
    forget_written,
    sign_test,
    sign_truth,
    signs_when,
    truth,
)
from .constants import value as value_of
from .context import FunctionContext, pure_call
from .error_paths import is_lookup
from .events import (
    Event,
    Exit,
    ExitKind,
    Failure,
    FailureTest,
    FieldStore,
    Jump,
    exit_path_step,
)
from .idioms import (
    TOLERATED_REACH,
    count_check,
    embedded_member,
    format_argument,
    printed_only,
    tolerated_in_comment,
    zeroes,
)
from .resources import (
    AUTO,
    CLEARED,
    ESCAPED,
    FAILED,
    HELD,
    RELEASED,
    UNKNOWN,
    Cause,
    Res,
    ResourceModel,
    converted_arg,
    held_name,
    object_path,
    read_path,
    resource_key,
)
from .state import UNINITIALISED, CallRec, CheckState, Fact, Origin, State
from .ties import bit_store, flag_base, flag_tested, truth_tested

LOOP_UNROLL = 2  # a block is entered at most this many times on one path
UNKNOWN_VALUE = Other("?")  # what a compound assignment (x += ...) leaves
PATHS_PER_BLOCK = 12  # distinct states per block (and failed/not) before they are joined


class PathBudgetExceeded(Exception):
    pass


@dataclass(frozen=True)
class ExitRecord:
    """One error exit reached by one path: what the later rules need to compare exits."""

    exit: Exit
    calls: tuple[CallRec, ...]
    res: tuple[tuple[str, Res], ...]
    failure: Failure | None
    events: tuple[Event, ...]

    @property
    def line(self) -> int:
        return self.exit.line

    @property
    def col(self) -> int:
        return self.exit.col


MAX_EXIT_RECORDS = 400


class CheckHooks(Protocol):
    """What the walk needs of a check (``rules.base.Rule``): its id and its hooks."""

    @property
    def id(self) -> str: ...
    @property
    def on_call(self) -> Callable[[FunctionContext, State, Call], list[Finding]] | None: ...
    @property
    def on_use(self) -> Callable[[FunctionContext, State, str, int, Expr],
                                 list[Finding]] | None: ...
    @property
    def on_exit(self) -> Callable[[FunctionContext, State, Return, Exit],
                                  list[Finding]] | None: ...
    @property
    def on_return(self) -> Callable[[FunctionContext, State, Return, Exit],
                                    list[Finding]] | None: ...
    @property
    def state(self) -> Callable[[], CheckState] | None: ...


@dataclass
class WalkResult:
    findings: list[Finding]
    complete: bool = True
    reason: str = ""
    exits: list[ExitRecord] = field(default_factory=list)
    returns: list[ExitRecord] = field(default_factory=list)  # the other exits (NORMAL)

    def failed_callees(self, findings: Sequence[Finding]) -> list[str]:
        """The callees whose failure the paths to the error exits of ``findings`` take
        (``foo_power_up() fails here``): were the failure one the callee cannot return,
        those paths, and the findings, would not be."""
        lines = {x for f in findings for x in (f.line, f.exit_line)}
        lines |= {x for f in findings for r in f.repeats for x in r}
        out: dict[str, None] = {}
        for ex in self.exits:
            if ex.line in lines:
                for ev in ex.events:
                    if isinstance(ev, FailureTest) and ev.failure.callee:
                        out[ev.failure.callee] = None
        return list(out)


class Walker:
    """Walk one function for a set of rules (their ``on_call``/``on_use``/``on_exit`` hooks)."""

    def __init__(self, ctx: FunctionContext, checks: Sequence[CheckHooks],
                 max_states: int = 20000) -> None:
        self.ctx = ctx
        self.fn = ctx.fn
        self.resources = ResourceModel(ctx)
        self.call_hooks = [c.on_call for c in checks if c.on_call]
        self.use_hooks = [c.on_use for c in checks if c.on_use]
        self.exit_hooks = [c.on_exit for c in checks if c.on_exit]
        self.return_hooks = [c.on_return for c in checks if c.on_return]
        self.check_states = {c.id: c.state for c in checks if c.state}
        self.max_states = max_states
        self.findings: dict[tuple, Finding] = {}
        self.exits: list[ExitRecord] = []
        self.returns: list[ExitRecord] = []
        self.in_loop = False  # the block being stepped is on a cycle
        # the assignments in each branch block's condition (``_outer_assigns``), found
        # once per block, not on every path through it
        self.cond_assigns: dict[int, list[Assign]] = {}

    def report(self, f: Finding) -> None:
        key = (f.rule_id, f.line, f.col)
        if key not in self.findings:
            self.findings[key] = f

    def add_pending(self, st: State, found: list[Finding]) -> None:
        for f in found:
            if all((p.rule_id, p.line, p.col) != (f.rule_id, f.line, f.col) for p in st.pending):
                st.pending = st.pending + (f,)

    def uses(self, st: State, e: Expr | None, line: int) -> None:
        """Tell the use hooks about every object an expression dereferences or passes on."""
        if e is None or not self.use_hooks or not st.resources.res:
            return
        for x in subexprs(e):
            used = None
            if isinstance(x, Member) and x.arrow:
                used = path_of(x.base)
            elif isinstance(x, Unary) and x.op == "*":
                used = path_of(x.operand)
            elif isinstance(x, Index):
                used = path_of(x.base)
            elif isinstance(x, Call):
                fmt = self.ctx.kb.printer_format(x.callee)
                printed = printed_only(x, fmt if fmt is not None else format_argument(x))
                for j, a in enumerate(x.args):
                    if j in printed:
                        continue  # pr_err("... %p", skb): its address, not the object
                    p = object_path(path_of(a))
                    p = held_name(self.ctx, st.resources, p) if p is not None else None
                    if p is not None and p in st.resources.res:
                        for hook in self.use_hooks:
                            self.add_pending(st, hook(self.ctx, st, p, line, x))
            if used is not None:  # through whichever name holds it (an alias)
                used = held_name(self.ctx, st.resources, used)
            if used is not None and used in st.resources.res:
                for hook in self.use_hooks:
                    self.add_pending(st, hook(self.ctx, st, used, line, x))

    # statements ---------------------------------------------------------
    def do_call(self, st: State, call: Call, line: int, result: str | None = None,
                stored: bool = False) -> None:
        """The call's effects; ``result``: the path its value is stored in, ``stored``:
        it is stored in a place without one (``p->port[i]->fw = fwnode_handle_get(n)``)."""
        summary = self.ctx.summary(call.callee)
        if summary is not None and summary.idle and any(
                j < len(call.args) and value_of(call.args[j], st.values.known) in vs
                for j, vs in summary.idle.items()):
            return  # omapfb_free_resources(fbdev, 0): it does nothing for that value
        for hook in self.call_hooks:
            self.add_pending(st, hook(self.ctx, st, call))
        self.resources.call(st, call, line, result, stored)
        if (bits := bit_store(call)) is not None:
            self.do_store(st, bits)  # set_bit(nr, &w): w |= BIT(nr)
        objs = tuple(p for p in (object_path(path_of(a)) for a in call.args) if p)
        st.call_chain = (CallRec(call.callee, objs, line, bool(st.failures)), st.call_chain)
        ctx = self.ctx
        summary = ctx.summary(call.callee)
        acq = ctx.kb.acquire(call.callee)
        cookie = acq.cookie if acq is not None else None
        if st.values.known:
            forget_written(st.values.known, call, summary, cookie)
        if st.values.signs:
            forget_written(st.values.signs, call, summary, cookie)
        numbers = {k: 0 for k, t in st.resources.ties.items() if t.obj == k}
        if numbers:  # request_irq(s->irq, ...); quirks(s);: s->irq may be 0 from here on
            forget_written(numbers, call, summary, cookie)
            for k in [k for k, t in st.resources.ties.items() if t.obj == k and k not in numbers]:
                del st.resources.ties[k]
        z = ctx.kb.zeroed_object(call.callee, lambda j: constant(call.args[j])
                                 if j < len(call.args) else None)
        if z is not None and z < len(call.args):
            self.zero_object(st, call.args[z])
        for j, a in enumerate(call.args):
            if isinstance(a, Unary) and a.op == "&":
                p = path_of(a.operand)
                if p is not None and p in st.resources.aliases:
                    # the address of a copy: the callee may keep the object through it
                    # (kfifo_put()'s __kfifo_in_r(&__val)) or write another one there
                    key = st.resources.aliases.pop(p)
                    r = st.resources.res.get(key)
                    if r is not None and r.status == HELD:
                        st.resources.res[key] = r.moved(ESCAPED, line, Cause.CALL,
                                                        call.callee, render(call))
                if p is not None and st.resources.copies:
                    st.resources.written(p)  # what a copy named may be written there
                if p is not None and "->" not in p and "." not in p:
                    st.values.env.pop(p, None)  # a local written through its address
                    st.setup.facts.pop(p, None)
                    st.values.bad = st.values.bad - {p}
                    r = st.resources.res.get(p)
                    if r is not None and r.status in (RELEASED, FAILED) and \
                            r.event_line != line and not r.kind.is_hold:
                        del st.resources.res[p]  # it holds a new value now
                elif p is not None and ctx.tracks_field(p):
                    st.setup.facts[p] = Fact("unknown", line, f"passed to {call.callee}()")
                continue
            if not isinstance(a, Var) or ctx.is_teardown_by_name(call.callee):
                continue
            if summary is not None:
                for f in summary.writes.get(j, ()):
                    if ctx.tracks_field(f"{a.name}->{f}"):
                        st.setup.facts[f"{a.name}->{f}"] = Fact(
                            "unknown", line, f"may be set by {call.callee}()")
        for slot in st.slots.values():
            slot.after_call(ctx, st, call, line)

    def same_answer(self, st: State, path: str, value: Expr | None) -> bool:
        """Is ``path`` assigned the answer it already holds: the same side-effect free
        call again (``branch = arch_static_branch(&key, 0)`` of two static_branch()
        tests), so that the outcome of testing it still stands?"""
        old = st.values.env.get(path)
        return isinstance(value, Call) and isinstance(old, Call) and pure_call(value) \
            and self.ctx.kb.acquire(value.callee) is None and render(old) == render(value)

    def copies_made(self, s: Store, named: Expr, value: Expr | None) -> list[tuple[str, str]]:
        """The two names of one object the store ``named = value`` makes (the innermost
        of ``a = b = v``): (local, field path), for ``Resources.copied``."""
        if s.op != "=" or value is None:
            return []
        out = []
        if isinstance(named, Var) and (named.ptr or named.name in self.ctx.acquisitions) \
                and named.name in self.ctx.variables and \
                isinstance(value, Member) and (source := path_of(value)) is not None:
            # ofolio = obh->b_folio; irq = np->pci_dev->irq, of a number the function
            # acquires by (request_irq(irq, ...)): free_irq(np->pci_dev->irq) frees it
            out.append((named.name, source))
        elif isinstance(named, Var) and named.ptr and named.name in self.ctx.variables and \
                (source := read_path(self.ctx.summaries, value)) is not None:
            out.append((named.name, source))  # np = netdev_priv(dev), a getter of dev->priv
        outer = s.target
        if named is not outer and isinstance(outer, Var) and outer.ptr and \
                outer.name in self.ctx.variables and isinstance(named, Member) and \
                (field := path_of(named)) is not None:
            out.append((outer.name, field))  # ec = ti->private = kzalloc(...)
        if isinstance(named, Var) and named.name in self.ctx.variables and \
                isinstance(value, Call) and (a := self.ctx.kb.acquire(value.callee)) and \
                a.stores is not None and a.stores[0] < len(value.args) and \
                (holder := path_of(value.args[a.stores[0]])) is not None:
            # phydev = of_phy_connect(dev, ...), which sets dev->phydev (the knowledge)
            out.append((named.name, f"{holder[1:]}.{a.stores[1]}" if holder[0] == "&"
                        else f"{holder}->{a.stores[1]}"))
        if (contained := self.ctx.container_stores.get(id(s))) is not None:
            out.append(contained)  # pdev = to_platform_device(dev): dev is &pdev->dev
        stored = converted_arg(self.ctx.kb, value) if isinstance(value, (Call, Binary)) else value
        if isinstance(stored, Var) and stored.name in self.ctx.variables and \
                not macro_temporary(stored) and (field := path_of(named)) is not None and \
                (stored.ptr or stored.name in self.ctx.acquisitions or
                 "->" in field and field in self.ctx.acquisitions):
            # priv->dev = get_device(dev); host->irq = irq, of a number the function
            # acquires by (request_irq(irq, ...)): free_irq(host->irq, ...) frees it;
            # or that it acquires through the field (request_irq(host->irq, ...)):
            # free_irq(irq, ...) frees it
            out.append((stored.name, field))
        elif isinstance(stored, Member) and not stored.ptr and isinstance(named, Member) and \
                (source := path_of(stored)) in self.ctx.acquisitions and \
                (field := path_of(named)) is not None and field != source:
            # card->irq = pdev->irq, a number the function acquired by
            # (request_irq(pdev->irq, ...)): free_irq(card->irq, ...) frees it
            out.append((source, field))
        return out

    def into_itself(self, st: State, path: str, obj: str) -> bool:
        """Is the place ``path`` inside the object ``obj`` itself: a field of it
        (``srv->stats->srv = srv``), of a member it embeds (``this = &ctrl->chip;
        this->controller = &ctrl->base``) or of the private area a local read once from
        one of its fields points at (``gp = info->par; gp->info = info``)? Reached only
        through the object, such a back-pointer hands it to nobody."""
        if "->" not in path and "." not in path:
            return False
        root = root_of(path)
        if held_name(self.ctx, st.resources, root) in (obj, root_of(obj)):
            return True  # also a member's address into its object (x->a.dev = &x->dev)
        if root not in self.ctx.declared_locals:
            return False
        stores = [x for b in self.ctx.fn.blocks for x in b.stmts if isinstance(x, Store)
                  and isinstance(x.target, Var) and x.target.name == root
                  and x.value is not None]
        if len(stores) != 1 or stores[0].op != "=":
            return False
        value = stores[0].value
        member = embedded_member(value)
        if member is not None:  # &ctrl->chip: a member embedded in the object
            return held_name(self.ctx, st.resources, root_of(member)) == obj
        origin = path_of(value) if isinstance(value, Member) else None
        if origin is None or "->" not in origin or \
                held_name(self.ctx, st.resources, root_of(origin)) != obj:
            return False
        # a field of a new object that the function never sets points at what its
        # allocator set up with it (framebuffer_alloc()'s private area), not elsewhere
        acq = self.ctx.kb.acquire(st.resources.res[obj].acquire)
        return acq is not None and acq.object == "ret" and not any(
            isinstance(x, Store) and path_of(x.target) == origin
            for b in self.ctx.fn.blocks for x in b.stmts)

    def take_back(self, st: State, s: Store) -> None:
        """``fd->state = NULL`` after ``fd->state = state``: the place the earlier store
        handed the object to holds it no more on this path, so it is held here again
        (a hand-over lasts only while the store stands); ``file->private_data = NULL``
        gives back what the file took over (the knowledge's ``owns_field``). Not at a computed index
        (``p->tab[i] = NULL``), which may name another element by now, nor after a
        release through the place itself."""
        if s.op != "=" or s.decl or constant(s.value) != 0 or \
                any(isinstance(x, Index) for x in subexprs(s.target)):
            return
        place = render(s.target)
        res = st.resources.res
        for k, r in list(res.items()):
            if r.status == ESCAPED and r.cause is Cause.STORED and r.by == place and \
                    not self._released_through(st, place, r.event_line):
                res[k] = r.held_again()
            elif r.owns and (acq := self.ctx.kb.acquire(r.acquire)) is not None and \
                    acq.owns_field and place == f"{k}->{acq.owns_field}":
                # file->private_data = NULL; fput(file);: the file keeps priv no more
                res[k] = dataclasses.replace(r, owns="")

    def _released_through(self, st: State, place: str, since: int) -> bool:
        """Was what ``place`` holds released through it on this path since ``since``
        (``kfree(*map); *map = NULL;``)? Then clearing the place takes nothing back."""
        chain = st.call_chain
        while chain is not None:
            c, chain = chain
            if c.line < since:
                break
            if self.ctx.kb.release(c.callee) is not None and any(
                    x.callee == c.callee and x.loc.line == c.line
                    and place in (render(a) for a in x.args)
                    for b in self.ctx.fn.blocks for e in b.exprs() for x in calls_in(e)):
                return True
        return False

    def do_store(self, st: State, s: Store) -> None:
        res = st.resources.res
        value = s.value
        named = s.target
        if s.op == "=" and not s.decl and st.resources.copies and \
                (overwritten := path_of(named)) is not None:
            st.resources.overwritten(overwritten)
        rebound: dict[str, str] = {}
        while True:  # each local assigned here is no other name for a held object now
            if isinstance(named, Var) and (heir := st.resources.rebind(named.name)):
                rebound[named.name] = heir
            if (written := path_of(named)) is not None and st.resources.copies:
                st.resources.written(written)
            if not isinstance(value, Assign):
                break
            named, value = value.target, value.value
        copies = self.copies_made(s, named, value)
        target = path_of(s.target)
        before = res.get(target) if target is not None else None
        self.take_back(st, s)
        if target is not None and s.op == "=":
            st.resources.links.pop(target, None)  # its old value no longer reports anything
            self.resources.unfill(st, target)
        st.resources.was = rebound  # the value's calls read what the locals held before
        for c in calls_in(s.value):
            mine = c is value and s.op == "="
            self.do_call(st, c, s.loc.line, target if mine else None,
                         stored=mine and target is None)
        st.resources.was = {}
        if target is not None and self.ctx.kb.owner_flags:
            self.resources.flag_store(st, target, s.op, value, s.loc.line)
        if target is not None:
            self.resources.tie_flag(st, target, s.op, value, s.loc.line)
        if isinstance(value, Call) and before is not None and target is not None \
                and res.get(target) is before:
            del res[target]  # overwritten by a call that acquires nothing we know
        if target is not None and self.moves_cursor(st, s, target):
            # p = &tab[j] with j < i, --p: p names another element of the array now;
            # the fields of the one it named stay there, where the walk cannot follow
            for q in [q for q in res if q.startswith((target + "->", target + "."))]:
                res[q] = res[q].moved(UNKNOWN, s.loc.line, Cause.MOVED, target)
        elif target is not None and s.op == "=" and (
                not s.decl or target not in self.ctx.reused_locals):
            # a declaration met again is a loop's next iteration (a macro's local, one
            # name for several variables, keeps what it held: same_pointer_again())
            for q in [q for q in res if q.startswith((target + "->", target + "."))]:
                if not res[q].kind.is_hold:
                    del res[q]  # a field of the object the pointer held before
        inner = s.value
        to_caller: Expr | None = None
        while isinstance(inner, Assign):  # a = b = kmalloc(): b reports a's acquisition
            alias = path_of(inner.target) or pointee_path(inner.target)
            if alias is not None:
                st.resources.links.pop(alias, None)  # assigned too: its old value reports nothing
                if alias in self.ctx.relevant and value is not None:
                    st.values.env[alias] = value
                self.note_constant(st, alias, value)
            if alias is not None and target is not None and (
                    target in res and isinstance(value, Call)
                    or macro_temporary(value) and value.name in res):
                st.resources.links[alias] = (target,)
                if isinstance(inner.target, Var) and alias in self.ctx.variables and (
                        target in res and res[target] is not before
                        or macro_temporary(value) and value.name in res):
                    st.resources.aliases[alias] = target  # both hold the new object
            if _out_parameter(inner.target):
                to_caller = inner.target
            inner = inner.value
        if target is not None and s.op == "=" and isinstance(value, Call) and \
                value.callee in ERR_FROM and value.args:
            # ret = PTR_ERR_OR_ZERO(p): where ret says it failed, p's acquire failed
            src = object_path(path_of(value.args[0]))
            if src is not None and src in res:
                st.resources.links[target] = (src,)
        self.uses(st, s.value, s.loc.line)
        self.uses(st, s.target if not isinstance(s.target, Var) else None, s.loc.line)
        if target is not None and (s.decl or s.op == "=" and not isinstance(value, Call)):
            forget_released(st, target, s.decl)
        path = target
        held = st.values.env.get(path) if path is not None else None
        if s.decl and s.value is None and isinstance(held, Call) and pure_call(held):
            return  # `bool branch;` of a macro used twice: what it held still stands
        if path is not None and st.values.tested and not self.same_answer(st, path, value):
            deep = self.ctx.tests_reading_memory
            spared = self.other_bits_tests(path, s.op, value)
            # a test of the stored field under another name goes too (this->buf =
            # kzalloc() after this = mtd->priv: a tie of mtd->priv->buf)
            names = {path} | (_copy_names(st, path) if st.resources.copies else set())
            st.values.tested = frozenset(t for t in st.values.tested if t[0] in spared or not (
                any(_mentions(t[0], n) for n in names)
                or t[0] in deep and _mentions(t[0], root_of(path))
                and self.ctx.store_may_change(t[0], path)))
        if path is None and st.values.tested:
            under = _stored_under(s.target)
            if under is not None:
                # s->port[i].line = v: an element of the array s->port; a test of
                # another field of s (!IS_ERR(s->regulator)) keeps its outcome
                st.values.tested = frozenset(t for t in st.values.tested
                                             if not _mentions(t[0], under))
            else:
                # to_priv(dev)->on = 1: written through what a call returned, with no
                # path; a repeated test that reads a variable the target names may change
                names = {x.name for x in subexprs(s.target) if isinstance(x, Var)}
                st.values.tested = frozenset(t for t in st.values.tested if not any(
                    _mentions(t[0], n) for n in names))
        if path is not None:
            st.values.ok = st.values.ok - {path}
            st.values.failed = st.values.failed - {path}
            st.values.fresh = st.values.fresh | {path}
        if path is not None and s.op == "=" and not isinstance(value, Call):
            if path in res and not s.decl:
                lost = res.pop(path)
                if _cleared_while_held(lost, path, value):
                    # p->buf = NULL with no release before: nothing names it any more
                    res[resource_key(path, CLEARED)] = dataclasses.replace(
                        lost, cleared=s.loc.line)
            st.resources.links.pop(path, None)
        if path is not None and s.op == "=" and isinstance(value, Cond):
            self.link_guarded(st, path, value, s.loc.line)
        if s.op == "=" and path is not None and macro_temporary(value) and value.name != path \
                and value.name in res:
            # p = ({ ... _res = kmalloc_noprof(...); _res; }): alloc_hooks()' temporary
            # hands its acquisition to the variable the source names
            res[path] = res.pop(value.name)
            if path in st.resources.auto and res[path].status == HELD:  # a __free() variable
                res[path] = res[path].moved(AUTO, s.loc.line, Cause.CLEANUP)
        elif s.op == "=" and path is None and macro_temporary(value) and value.name in res:
            # p->buf[1] = ({ ... _res = kmalloc_noprof(...); _res; }): the value goes
            # where the walk follows no object (an array element), as the same store of
            # the call itself would; the temporary is gone with its statement
            del res[value.name]
        if to_caller is not None and path is not None and path in res and \
                res[path] is not before and res[path].status == HELD:
            # p = *pp = kzalloc(...): the caller holds it through *pp from now on
            res[path] = res[path].moved(ESCAPED, s.loc.line, Cause.STORED, render(to_caller))
        local = isinstance(s.target, Var) and s.target.name in self.ctx.variables
        if s.op == "=" and value is not None:
            src = object_path(path_of(_deref_address(value)))
            converted = converted_arg(self.ctx.kb, value)
            if converted is not None:
                # p = page_address(page): another name for the pages (the knowledge)
                src = object_path(path_of(converted))
                if src is not None and local and path is not None and \
                        not isinstance(converted, Unary) and \
                        held_name(self.ctx, st.resources, src) in res:
                    st.resources.aliases[path] = held_name(self.ctx, st.resources, src)
                if local or path is None or isinstance(converted, Unary) or \
                        ("->" not in path and "." not in path) or \
                        isinstance(value, Call) and self.ctx.kb.acquire(value.callee) is not None:
                    # a getter's result stored in a field (c->codec = get_device(codec))
                    # is a copy that holds the reference it took (copies_made)
                    src = None  # else bpage->page = page_address(page): stored, as page
            if src is not None:
                src = held_name(self.ctx, st.resources, src)
            member = embedded_member(value)
            if member is not None and src not in res and (path is None or (
                    "->" in path or "." in path or not local) and
                    root_of(path) != root_of(member)):
                # *pobject = &chan->base.object: the caller now reaches chan itself; so
                # does a global given it (foo_onecell = &domains->onecell)
                src = root_of(member)
            if src is not None and path is not None and src in res and \
                    self.into_itself(st, path, src):
                pass  # gp = info->par; gp->info = info: a back-pointer hands nothing over
            elif src is not None and src in res and res[src].status == HELD and (
                path is None or "->" in path or "." in path
            ):
                res[src] = res[src].moved(ESCAPED, s.loc.line, Cause.STORED, render(s.target))
            elif isinstance(value, Var) and value.name in self.ctx.guarded_copies and (
                    path is None or "->" in path or "." in path):
                # file->f_op = new_fops after new_fops = fops_get(...): the reference
                # fops_get() took on its pointer's field goes with the pointer
                arm = self.ctx.guarded_copies[value.name]
                for k in st.resources.links.get(value.name, ()):
                    if k.startswith(arm + "->") and k in res and res[k].status == HELD:
                        res[k] = res[k].moved(ESCAPED, s.loc.line, Cause.STORED,
                                              render(s.target))
            elif src is not None and src in res and local and path is not None and \
                    path != src and not isinstance(value, Unary):
                # q = p: another name for the same object, until either is assigned
                st.resources.aliases[path] = src
            elif src is not None and src in res and res[src].status == HELD and \
                    path != src and self.ctx.kb.acquire(res[src].acquire) is not None \
                    and not res[src].kind.is_hold:
                # a global now holds it (o2net_wq = wq)
                res[src] = res[src].moved(ESCAPED, s.loc.line, Cause.STORED, path or "")
        for name, source in copies:  # after the store's own effects
            st.resources.copied(name, source)
        if s.op == "=":
            self.note_constant(st, path, value, s.target)
            self.note_escape(st, value)
            if path is not None and isinstance(value, Call) and value.callee in ERR_FROM \
                    and len(value.args) == 1 and \
                    st.values.signs.get(path_of(value.args[0]) or "") == NEGATIVE:
                st.values.signs[path] = NEGATIVE  # err = PTR_ERR(p) after IS_ERR(p)
            if path is not None and isinstance(value, Cond) and \
                    all((num := constant(v)) is not None and num < 0
                        for v in (value.then, value.other)):
                st.values.signs[path] = NEGATIVE  # err = n == 0 ? -ENOENT : -ESRCH
            src = path_of(value) if isinstance(value, Var) else None
            if path is not None and src is not None and src != path and \
                    src in st.values.signs:
                # len = ret after ret <= 0 failed: the copy is above 0 too
                st.values.signs[path] = st.values.signs[src]
        else:  # state++: a known value stays known
            old = st.values.known.get(path) if path is not None else None
            step = constant(value)
            new = None
            if old is not None and step is not None and s.op in ("+=", "-=") and \
                    not self.in_loop:  # a loop counter: the walk unrolls loops only twice
                new = Const(old + step if s.op == "+=" else old - step)
            elif old is not None and step is not None and s.op in ("|=", "&="):
                new = Const(old | step if s.op == "|=" else old & step)
            # flag |= BOARD_MEMMAP on a flag whose value is not known: that bit is set
            # (flag &= ~BIT clears it), kept under the key 'flag & BIT' (bits_after)
            bits = bits_after(st.values.known, path, s.op, step) \
                if path is not None and step is not None and new is None else {}
            shifted = self.shifted_sign(st, path, s.op, step)
            if old is not None:  # the sign it had before the step
                was = NEGATIVE if old < 0 else ZERO if old == 0 else POSITIVE
            else:
                was = st.values.signs.get(path, ANY_SIGN) if path is not None else ANY_SIGN
            self.note_constant(st, path, new, s.target)
            if bits and path is not None and self.keeps_value(path):
                st.values.known.update(bits)
            if shifted is not None:
                st.values.signs[shifted[0]] = shifted[1]
            elif path is not None and new is None and step is not None and step > 0 and \
                    s.op == "+=" and not was & NEGATIVE:
                # for (i = 0; ...; i += 2): a count stepped up from 0 or more is above 0,
                # in a loop too, where its value is not kept
                st.values.signs[path] = POSITIVE
        if path is None:
            return
        line = s.loc.line
        value = s.value
        st.setup.forget_under(path)
        st.setup.facts.pop(path, None)
        if s.decl and isinstance(s.target, Var) and \
                self.resources.same_pointer_again(st, s.target.name, value):
            st.setup.facts[path] = Fact("nonnull", s.loc.line, "an acquisition through it holds")
        deref = _written_through(s.target)
        if deref is not None and deref in self.ctx.unaliased_locals and deref != path:
            # p->f = v: p was not NULL, or the kernel would have stopped here
            st.setup.facts[deref] = Fact("nonnull", line, "dereferenced")
        if s.op == "=" and path in self.ctx.unaliased_locals and _object_address(value):
            # iint = &tmp_iint: an object's own address is never NULL
            st.setup.facts[path] = Fact("nonnull", line, "set to an address")
        if "." in path and "->" not in path and \
                st.values.env.get(whole := root_of(path)) is UNINITIALISED:
            # entry.val = 0 (or (&entry)->val = 0): a struct local assigned through its
            # member holds a value now, as after memset(&entry, ...)
            st.values.env.pop(whole, None)
        if value is None:
            st.values.env.pop(path, None)
            st.setup.origins.pop(path, None)
            st.values.bad = st.values.bad - {path}
            if s.decl and isinstance(s.target, Var) and not s.target.ptr and \
                    path in self.ctx.relevant:
                st.values.env[path] = UNINITIALISED  # int ret;
            return
        if path in self.ctx.relevant:
            st.values.env[path] = value if s.op == "=" else UNKNOWN_VALUE
        else:
            st.values.env.pop(path, None)
        if s.op == "=" and error_value(value, st.resolve, in_progress=self.ctx.in_progress):
            st.values.bad = st.values.bad | {path}
        else:
            st.values.bad = st.values.bad - {path}
        if isinstance(value, Call) and s.op == "=":
            a = self.ctx.kb.alloc(value.callee)
            summ = self.ctx.summary(value.callee)
            if a is not None:
                st.setup.origins[path] = Origin(value.callee, line, zeroes(self.ctx.kb, value))
            elif summ is not None and summ.ret_alloc:
                st.setup.origins[path] = Origin(value.callee, line, summ.ret_zeroed,
                                                frozenset(summ.ret_fields))
            else:
                st.setup.origins.pop(path, None)
            o = st.setup.origins.get(path)
            if o is not None and o.zeroed:
                self.zero_fields(st, path, o.fields)
            elif self.ctx.kb.zeroed_alloc(value.callee):
                self.zero_fields(st, path, frozenset())
        elif s.op == "=" and macro_temporary(value) and value.name in st.setup.origins:
            st.setup.origins[path] = st.setup.origins[value.name]
            if st.setup.origins[path].zeroed:
                self.zero_fields(st, path, st.setup.origins[path].fields)
        else:
            st.setup.origins.pop(path, None)
        if "->" in path or "." in path:
            null = isinstance(value, Const) and value.value == 0 and s.op == "="
            if self.ctx.tracks_field(path):
                where = " on the error path" if st.failures else ""
                st.setup.facts[path] = Fact("null", line, "set to NULL" + where) if null \
                    else Fact("set", line, "set")
            st.note(FieldStore(line, path, null))
        for slot in st.slots.values():
            slot.after_store(self.ctx, st, s, path, line)

    def other_bits_tests(self, path: str, op: str, value: Expr | None) -> frozenset[str]:
        """The repeated tests that read ``path`` only as tests of bits that the store
        ``path |= K`` (or ``path &= ~K``) leaves alone (``if (flags & FOO_PM)`` across
        ``flags |= FOO_MANAGED``): their outcome stands. Only tests of single bits the
        store does not touch: any other read of ``path`` may see the change."""
        if op == "|=":
            bits = constant(value)
        elif op == "&=" and isinstance(value, Unary) and value.op == "~":
            bits = constant(value.operand)
        else:
            return frozenset()
        if bits is None:
            return frozenset()
        return frozenset(text for text, cond in self.ctx.repeated_conditions.items()
                         if _tests_only_other_bits(cond, path, bits))

    def shifted_sign(self, st: State, path: str | None, op: str,
                     step: int | None) -> tuple[str, int] | None:
        """``n++`` on a count whose sign a test learned (``if (!n) register(); n++; ...
        if (--n == 0) unregister();``): the sign stays the tested value's, under the
        key ``n#1`` (the count is the tested value plus 1) where no test reads it, and
        under ``n`` again once the steps add up to 0: the count is back to the value
        that was tested, and so is its sign. (key, signs) to keep, None: nothing to
        keep. Not in a loop, which the walk unrolls only twice."""
        if path is None or step is None or op not in ("+=", "-=") or self.in_loop:
            return None
        signs = st.values.signs
        entry = next(((k, int(k[len(path) + 1:])) for k in signs
                      if k.startswith(path + SHIFT)), None) if path not in signs \
            else (path, 0)
        if entry is None:
            return None
        offset = entry[1] + (step if op == "+=" else -step)
        return (path if offset == 0 else f"{path}{SHIFT}{offset}"), signs[entry[0]]

    def note_escape(self, st: State, value: Expr | None) -> None:
        """``q = p``, ``dev->priv = p``, ``x = &p->sub``: another name now reaches the
        object the local ``p`` points at, through which a store or a call may write its
        fields where the walk sees only that name: their known values are forgotten."""
        if value is None or not st.values.known:
            return
        p = path_of(value) if not isinstance(value, Unary) else embedded_member(value)
        if p is None or not getattr(value, "ptr", True):
            return
        root = root_of(p)
        if root in self.ctx.variables and (p == root or isinstance(value, Unary)):
            forget_under(st.values.known, root)

    def zero_fields(self, st: State, path: str, fields: frozenset[str]) -> None:
        """``p = kzalloc(...)``: each field of the new object that the function tests
        reads 0 until something writes it (a store, a call given ``p``: the known
        values forget them as they forget any other), so a test of one at an unwind
        (``if (!p->registered) kfree(p);``) follows from where the path set it, or
        did not. ``fields``: those the allocating function set up itself (a callee's
        summary), which hold no 0. Only fields of a local pointer, one ``->`` deep (a
        member of an embedded struct too): a pointer field read 0 is NULL, and what
        lies behind it is no field of this object. Not a field a loop stores to: the
        walk unrolls a loop only so far, and a later iteration may write it (a scan
        of a device's endpoints that sets ``p->in_size`` and ``p->out_size``)."""
        if "->" in path or "." in path or path not in self.ctx.variables:
            return
        prefix = path + "->"
        for q in self.ctx.relevant:
            if q.startswith(prefix) and "->" not in q[len(prefix):] and \
                    q not in self.ctx.stored_in_loops and \
                    q[len(prefix):].split(".", 1)[0] not in fields:
                st.values.known[q] = 0

    def zero_object(self, st: State, arg: Expr) -> None:
        """``memset(&image->res, 0, sizeof(image->res))`` (the knowledge's ``[zeroes]``):
        each tested field of the object ``arg`` points at reads 0 until written, as
        those of a zeroed allocation do (``zero_fields``): ``kfree(image->res.name);
        memset(...); if (!image->res.name) image->res.name = kmalloc(...);`` allocates
        again. Only members of the object itself (``x.a.b``), not what a pointer
        member points at."""
        p = path_of(arg)
        if p is None:
            return
        prefix = p[1:] + "." if p.startswith("&") else p + "->"
        for q in self.ctx.relevant:
            if q.startswith(prefix) and "->" not in q[len(prefix):] and self.keeps_value(q):
                st.values.known[q] = 0

    def switch_subject(self, block: Block) -> str | None:
        """What a ``switch`` block switches on, when the walk keeps its values."""
        p = path_of(block.switch) if block.switch is not None else None
        return p if p is not None and p in self.ctx.relevant else None

    @staticmethod
    def case_possible(st: State, block: Block, subject: str, e: Edge) -> bool:
        """Can this path take edge ``e`` of a switch on ``subject``? A value the path knows
        picks one case, or the default if no case has it; a GNU case range is no value."""
        cases = [x.value for x in block.succs if x.kind == "case"]
        known = st.values.known.get(subject)
        if known is None or UNKNOWN_CASE in cases:
            return True
        return e.value == known if e.kind == "case" else \
            known not in cases if e.kind == "default" else True

    def link_guarded(self, st: State, target: str, value: Cond, line: int) -> None:
        """``f = (x && try_module_get(x->owner)) ? x : NULL`` (``fops_get()``): ``f`` is
        NULL exactly when the acquire in the condition did not succeed, so a NULL test of
        ``f`` is the acquire's failure test."""
        if not (isinstance(value.other, Const) and value.other.value == 0):
            return
        calls = {c.callee for c in calls_in(value.cond)}
        res = st.resources.res
        guarded = tuple(k for k, r in res.items() if r.status == HELD and r.line == line
                        and r.acquire in calls)
        for k in guarded:
            res[k] = dataclasses.replace(res[k], fails="null")
        if guarded:
            st.resources.links[target] = guarded

    def implied_outcome(self, st: State, cond: Expr, taken: bool) -> bool:
        """``if (drm_exec_is_contended(exec)) goto retry;`` then the retry's ``if
        (drm_exec_cleanup(exec))``: the knowledge's ``[implies]`` says a true answer of
        the first decides the next test of the second on the same object (true); False
        for the edge where it would be false."""
        c, truth = truth_tested(cond, taken)
        if not isinstance(c, Call):
            return True
        v = st.values
        for callee, obj in sorted(v.implied):
            if callee == c.callee and any(render(a) == obj for a in c.args):
                v.implied = v.implied - {(callee, obj)}  # decided once
                if not truth:
                    return False
        imp = self.ctx.kb.implied(c.callee) if truth else None
        if imp is not None and imp[0] < len(c.args):
            v.implied = v.implied | {(imp[1], render(c.args[imp[0]]))}
        return True

    def moves_cursor(self, st: State, s: Store, target: str) -> bool:
        """Does this store make the local pointer ``target`` name another array element
        than before (cursors.py)? Also keeps the cursors and the ``a < b`` relations
        up to date with the store."""
        if not isinstance(s.target, Var):
            return False
        v = st.values
        if v.lower:
            v.lower = cursors.forget(v.lower, target)
        if v.cursors:
            cursors.after_write(v.cursors, target, s.op, s.value)
        came_from = cursors.derived(s.value)  # p = __mptr - offsetof(): list_prev_entry()
        # p = list_prev_entry(p, node): p's neighbour; p = list_last_entry(head, ...): the
        # back link of a list head, an element linked earlier (the object p named was
        # not linked on this path, or was and may be that element: unknown either way)
        stepped = s.op == "=" and any(q == came_from for q, _ in v.neighbours)
        if v.neighbours:
            v.neighbours = frozenset(n for n in v.neighbours if target not in n)
        if not s.target.ptr:
            return False
        if s.op == "=" and (p := cursors.neighbour_of(s.value)) is not None and p != target:
            v.neighbours = v.neighbours | {(target, p)}
        if s.op != "=":
            v.cursors.pop(target, None)
            moved = cursors.moved_itself(s.op, s.value)
        else:
            new = cursors.element(s.value)
            moved = cursors.elsewhere(v.cursors.get(target), new, v.lower) or \
                came_from in v.elsewhere or stepped
            if new is not None:
                v.cursors[target] = new
            else:
                v.cursors.pop(target, None)
        if moved:
            v.elsewhere = v.elsewhere | {target}
        elif target in v.elsewhere:
            v.elsewhere = v.elsewhere - {target}
        return moved

    def note_constant(self, st: State, path: str | None, value: Expr | None,
                      target: Expr | None = None) -> None:
        """After a store: ``path`` holds ``value`` now, nothing under it is known any
        more; a store through a plain pointer (``*p = 0``) may have written any of them
        but the locals no pointer can hold (``ctx.unaliased_locals``)."""
        known, signs = st.values.known, st.values.signs
        v = constant(value) if path is not None else None
        if path is None:
            if isinstance(target, Unary) and target.op == "*":
                keep = self.ctx.unaliased_locals
                for d in (known, signs):
                    for k in [k for k in d if "->" in k or root_of(k) not in keep]:
                        del d[k]
            return
        if known:
            forget_under(known, path, itself=True)
        if signs:
            forget_under(signs, path, itself=True)
            for k in [k for k in signs if k.startswith(path + SHIFT)]:
                del signs[k]  # n#1: the sign of n before n++, no longer n's
        if v is not None and self.keeps_value(path):
            known[path] = v

    def keeps_value(self, path: str) -> bool:
        """Does the walk keep the constant ``path`` holds: a tested (relevant) local, or a
        field of an object a local points at."""
        return path in self.ctx.relevant and ("->" not in path
                                              or root_of(path) in self.ctx.variables)

    def do_return(self, st: State, s: Return) -> None:
        for c in calls_in(s.value):
            self.do_call(st, c, s.loc.line)
        self.uses(st, s.value, s.loc.line)
        ex = self.classify_exit(st, s)
        for rhook in self.return_hooks:
            for f in rhook(self.ctx, st, s, ex):
                self.report(dataclasses.replace(f, exit_line=f.exit_line or ex.line))
        if not ex.is_error:
            if len(self.returns) < MAX_EXIT_RECORDS:
                self.returns.append(self.record(st, ex))
            return
        exit_step = exit_path_step(ex)
        for f in st.pending:
            self.report(dataclasses.replace(f, steps=[*f.steps, exit_step], exit_line=ex.line))
        for hook in self.exit_hooks:
            for f in hook(self.ctx, st, s, ex):
                self.report(dataclasses.replace(f, exit_line=f.exit_line or ex.line))
        if len(self.exits) < MAX_EXIT_RECORDS:
            self.exits.append(self.record(st, ex))

    def record(self, st: State, ex: Exit) -> ExitRecord:
        return ExitRecord(ex, st.calls, tuple(sorted(st.resources.res.items())),
                          st.failures[-1] if st.failures else None, st.events)

    def classify_exit(self, st: State, s: Return) -> Exit:
        """What kind of exit this return is on this path, and what it returns."""
        v = s.value

        def exit_of(kind: ExitKind, detail: str = "") -> Exit:
            return Exit(kind, s.loc.line, s.loc.col, v, detail)

        arms = [v]
        while any(isinstance(a, Cond) for a in arms):  # return err > 0 ? -EINVAL : err;
            arms = [y for a in arms for y in (
                self.taken_arms(st, a) if isinstance(a, Cond) else [a])]
        errors = [e for e in (self.error_of(st, a) for a in arms) if e is not None]
        if errors and len(errors) == len(arms):  # every value it may return is an error
            return exit_of(*errors[0])
        if st.failures and v is None:
            return exit_of(ExitKind.AFTER_FAILURE)
        if st.failures and isinstance(v, Const) and v.value == 0 and self.fn.returns_ptr:
            return exit_of(ExitKind.NULL_AFTER_FAILURE)
        return exit_of(ExitKind.NORMAL)

    def error_of(self, st: State, v: Expr | None) -> tuple[ExitKind, str] | None:
        """Is ``v`` an error on this path: an error value, or a variable holding one?"""
        if isinstance(v, Call) and (k := self.ctx.kb.printer_returned(v.callee)) is not None \
                and k < len(v.args):
            v = v.args[k]  # return dev_err_probe(dev, ret, ...): it returns ret
        value = error_value(v, st.resolve, errno_names=not self.ctx.kb.hosted,
                            in_progress=self.ctx.in_progress)
        if value:
            return ExitKind.ERROR_VALUE, value
        p = path_of(v) if v is not None else None
        if p is not None and p in st.values.bad:
            return ExitKind.ERROR_VARIABLE, p
        return None

    def taken_arms(self, st: State, c: Cond) -> list[Expr]:
        """The arms of ``c ? a : b`` this path may return: one when what the path knows
        decides the condition (its constants, a tested sign), else both."""
        decided = truth(c.cond, st.values.known)
        if decided is None:
            decided = sign_truth(c.cond, st.values.signs)
        return [c.then, c.other] if decided is None else [c.then if decided else c.other]

    # branches -----------------------------------------------------------
    def refine(self, st: State, cond: Expr, taken: bool, line: int, b: int,
               other: int) -> bool:
        """Apply what taking this edge implies; False when the edge cannot be taken."""
        if taken and self.warns_only(st, cond, b, other):
            return True  # WARN_ON(!mutex_trylock(&l)): a warning; the code holds the lock
        decided = truth(cond, st.values.known)
        if decided is not None and decided != taken:
            return False  # the constants this path stored say otherwise
        if sign_truth(cond, st.values.signs) not in (None, taken):
            return False  # an earlier test on this path says otherwise (ret < 0, then !ret)
        if _copy_equality(st, cond) not in (None, taken):
            return False  # buf = f->prealloc_buf; ... if (buf == f->prealloc_buf)
        if self.ctx.success_counters:
            self.resources.counted_before(st, cond, taken, line)
        sign = sign_test(cond)
        # the signs the tested path had before this test (an earlier ``ret < 0`` passed)
        earlier = st.values.signs.get(sign[0], ANY_SIGN) if sign is not None else ANY_SIGN
        if sign is not None:
            path, when_true = sign
            st.values.signs[path] = st.values.signs.get(path, ANY_SIGN) & (
                when_true if taken else ANY_SIGN & ~when_true)
        bound = bound_test(cond)
        if bound is not None and (narrowed := bound[1] if taken else bound[2]) != ANY_SIGN:
            # if (err == HPI_ERROR_BUSY): err is positive on this edge, so not 0
            st.values.signs[bound[0]] = st.values.signs.get(bound[0], ANY_SIGN) & narrowed
        errp = errptr_test(cond)
        if errp is not None and taken == errp[1]:
            st.values.signs[errp[0]] = NEGATIVE  # an ERR_PTR(): PTR_ERR() of it is < 0
        eq = equality(cond)
        if eq is not None and taken == eq[2] and eq[0] in self.ctx.relevant:
            st.values.known[eq[0]] = eq[1]  # if (n == 3): n is 3 on this edge
        if eq is not None and taken == eq[2]:
            self.resources.kept_outcome(st, eq[0], eq[1], line)
        text, negated = condition_key(cond)
        partners = _copy_partners(st, cond)
        if text in self.ctx.repeated_tests or partners:
            if (text, taken == negated) in st.values.tested:
                return False  # the same test came out the other way earlier on this path
            st.values.tested = st.values.tested | {(text, taken != negated)}
        if partners:
            # dev->hif2 = hif2; ... if (hif2) ... if (dev->hif2): one value under two
            # names (Resources.copies), so a test of one is a test of the other
            truth_ = truth_tested(cond, taken)[1]
            if any((q, not truth_) in st.values.tested for q in partners):
                return False
            st.values.tested = st.values.tested | {(q, truth_) for q in partners}
        if self.resources.fresh_equals(st, cond, taken):
            return False
        if st.resources.ties and not self.resources.flag_outcome(st, cond, taken, line):
            return False
        if (self.ctx.kb.held_queries or self.ctx.kb.held_fields) and \
                not self.resources.query_outcome(st, cond, taken):
            return False
        if self.ctx.kb.implies and not self.implied_outcome(st, cond, taken):
            return False
        if self.ctx.record_flags and not self.record_outcome(st, cond, taken):
            return False
        nt = null_test(cond, st.resolve)
        if nt is not None:
            path, true_when_null = nt
            is_null = taken == true_when_null
            known = st.fact(path)
            if known is not None and known.status == "null" and not is_null:
                return False
            if known is not None and known.status == "nonnull" and is_null:
                return False
            if ("->" in path or "." in path) and self.ctx.tracks_field(path) or \
                    path in self.ctx.unaliased_locals:
                st.setup.facts[path] = Fact("null" if is_null else "nonnull", line,
                                            "tested NULL" if is_null else "tested non-NULL")
        self.resources.zero_means_null(st, cond, taken, line)
        if nt is not None and not self.resources.null_tested(st, nt[0], taken == nt[1], line):
            return False
        chk = failure_check(cond, st.resolve) or count_check(self.ctx, st, cond)
        if chk is not None and chk.form == "value" and \
                _numbered(self.ctx.kb.acquire(chk.callee)):
            chk = None  # if (id == 0) after ida_alloc(): 0 is an id, no failure
        if chk is None and (errno_eq := errno_equality(cond, st.resolve)) is not None and \
                _numbered(self.ctx.kb.acquire(errno_eq.callee)):
            chk = errno_eq  # if (idx == -ENOSPC) after ida_alloc_range(): its failure
        if chk is not None and _answer_only(st, chk, self.ctx.kb):
            chk = None  # if (ready(x)), if (__builtin_constant_p(n)), a held query: no failure
        if chk is not None and chk.form == "value" and not earlier & NEGATIVE and \
                sign is not None and path_of(chk.subject) == sign[0]:
            # rc < 0 passed, then else if (!rc): a test of a value the code's own failure
            # test found not negative tells its kinds of success apart, no failure
            chk = None
        subj = path_of(chk.subject) if chk is not None else None
        held = st.resources.res.get(subj) if subj is not None else None
        if chk is not None and held is not None and held.fails == "null":
            # an integer handle that is 0 on failure (if (!handle), if (handle == 0)),
            # not an errno
            zero = _zero_test(cond, subj)
            if zero is not None:
                chk = dataclasses.replace(chk, fails_when=zero)
        if chk is not None and chk.callee and taken == chk.fails_when and \
                not self.may_fail(st, cond, chk):
            return False  # what the callee can return here is no failure (returns.py)
        acq = self.ctx.kb.acquire(chk.callee) if chk is not None and chk.callee else None
        if chk is not None and acq is not None and acq.fails == "zero" and chk.form != "count":
            # a trylock: it failed when it returned 0 (the check assumed an errno)
            chk = dataclasses.replace(chk, fails_when=not chk.fails_when)
        if chk is not None:
            if not self.resources.acquisition_outcome(st, chk, taken, line):
                return False
            if taken == chk.fails_when:
                self.left_null(st, line)
            subject = path_of(chk.subject)
            if taken == chk.fails_when and self.falls_back(chk, subject, b, taken):
                pass  # x = lookup(); if (!x) x = create();: the code falls back, no failure
            elif taken == chk.fails_when and self.walk_ends(st, chk, subject, b):
                pass  # while ((d = pci_get_device(v, id, d))): the walk is over, no failure
            elif taken == chk.fails_when and self.accepted_in_comment(b, other, line):
                pass  # /* just warn instead of failing */: its authors accept the failure
            elif taken == chk.fails_when and self.existence_test(chk, subject, b, taken):
                pass  # if (existing) { put_device(existing); goto out; }: none is the answer
            elif taken == chk.fails_when:
                failure = Failure(line, chk.text, b, other, chk.callee, chk.form)
                st.failures = st.failures + (failure,)
                st.note(FailureTest(line, failure))
                st.values.fresh = frozenset()
                if subject is not None:
                    st.values.bad = st.values.bad | {subject}
                    st.values.failed = st.values.failed | {subject}
            elif subject is not None:
                if subject not in st.values.bad and subject not in st.values.failed:
                    # not a second test of a value that failed (status < 0 after if
                    # (status) failed): it tells kinds of failure apart, no success
                    st.values.ok = st.values.ok | {subject}
                st.values.bad = st.values.bad - {subject}
        fine = no_error_on_edge(cond, taken, self.ctx.in_progress)
        if fine is not None:  # if (ret == -EINPROGRESS) return ret;: queued, not failed
            st.values.bad = st.values.bad - {fine}
        errno = error_on_edge(cond, taken, self.ctx.in_progress)
        if errno is not None:  # if (ret == -ETIMEDOUT) { reset(); return ret; }: an errno
            st.values.bad = st.values.bad | {errno}
        return True

    def accepted_in_comment(self, b: int, other: int, line: int) -> bool:
        """Does a comment say that the failure tested at ``line`` (the test of block
        ``b``, whose other side is ``other``) is accepted: one that starts at most
        ``TOLERATED_REACH`` lines above the test, or one that opens the failing side,
        between the test and that side's first statement (``if (!p || !q) { /* we
        leak on purpose: the system won't boot anyway */ return; }``)?"""
        comments = self.ctx.comments
        if tolerated_in_comment(comments, line - TOLERATED_REACH, line):
            return True
        side = next((e.dst for e in self.ctx.fn.blocks[b].succs if e.dst != other), None)
        stmts = self.ctx.fn.blocks[side].stmts if side is not None else []
        return bool(stmts) and tolerated_in_comment(comments, line + 1, stmts[0].loc.line)

    def existence_test(self, chk: Check, subject: str | None, b: int, taken: bool) -> bool:
        """Is this the NULL side of a lookup whose found side is the body of the test,
        the exception, and starts by dropping the reference it got (``existing =
        class_find_device(...); if (existing) { put_device(existing); goto free; }``)?
        The code only asks whether the object exists (a duplicate check) and goes on
        when it does not: finding none is an answer, no failure. Not ``if (!np) {
        ...; return -ENODEV; } of_node_put(np);``: there the miss is the exception."""
        if chk.form != "null" or subject is None or taken or \
                not is_lookup(self.ctx, chk.callee):
            return False
        acq = self.ctx.kb.acquire(chk.callee)
        found = next((e.dst for e in self.fn.blocks[b].succs if e.kind == "true"), None)
        stmts = self.fn.blocks[found].stmts if found is not None else []
        first = stmts[0] if stmts else None
        call = first.expr if isinstance(first, ExprStmt) and isinstance(first.expr, Call) \
            else None
        return acq is not None and call is not None and call.callee in acq.release and \
            len(call.args) == 1 and path_of(call.args[0]) == subject

    def walk_ends(self, st: State, chk: Check, subject: str | None, b: int) -> bool:
        """Is this the NULL that ends a loop over a lookup which starts from, and puts,
        the pointer it is given (the knowledge's release of its ``from`` argument:
        ``while ((dev = pci_get_device(v, id, dev)) != NULL)``)? NULL there means no
        more matches: the loop is over, nothing failed."""
        if chk.form != "null" or subject is None or b not in self.ctx.looping:
            return False
        v = st.resolve(subject)
        rel = self.ctx.kb.release(chk.callee)
        if isinstance(v, Call) and v.callee == chk.callee and rel is not None and \
                rel.arg < len(v.args) and path_of(v.args[rel.arg]) == subject:
            return True
        # for (i = 0; (obj = drm_exec_obj(exec, i)); ++i): a getter of the next element,
        # called in the loop's own test, acquires nothing; its NULL is the end of the loop
        cond = self.fn.blocks[b].cond
        summary = self.ctx.summary(chk.callee)
        return cond is not None and self.ctx.kb.acquire(chk.callee) is None and \
            not (summary is not None and summary.ret_alloc) and \
            any(isinstance(a, Assign) and path_of(a.target) == subject and
                isinstance(a.value, Call) and a.value.callee == chk.callee
                for a in subexprs(cond))

    def falls_back(self, chk: Check, subject: str | None, b: int, taken: bool) -> bool:
        """Is this the NULL side of a lookup-or-create: the edge's block starts by storing
        another call's result in the tested pointer (``d = debugfs_lookup(n, NULL); if
        (!d) d = debugfs_create_dir(n, NULL);``)? What the lookup did not find, the code
        makes: the path goes on as the found one does, and no failure was met (the made
        object's own test, if any, is a failure as usual). The same for any check whose
        failing edge starts by calling the same function again into the tested value:
        a fallback that tries another way (another property's name)."""
        if subject is None:
            return False
        kind = "true" if taken else "false"
        dst = next((e.dst for e in self.fn.blocks[b].succs if e.kind == kind), None)
        stmts = self.fn.blocks[dst].stmts if dst is not None else []
        first = stmts[0] if stmts else None
        if isinstance(first, Store) and first.op == "=" and path_of(first.target) == subject \
                and isinstance(first.value, Call) and first.value.callee == chk.callee:
            # err = parse(np, "mode", &m); if (err) err = parse(np, "rx-mode", &rx);: the
            # same call again, as a fallback: its own test decides whether it failed
            return True
        if chk.form != "null":
            return False
        return isinstance(first, Store) and first.op == "=" and \
            path_of(first.target) == subject and isinstance(first.value, Call) and \
            error_value(first.value) is None  # p = ERR_PTR(-ENOMEM) records the failure

    def warns_only(self, st: State, cond: Expr, b: int, other: int) -> bool:
        """Is this the true edge of a WARN macro's test of its own temporary (``int
        __ret_warn_on = !!(c); if (unlikely(__ret_warn_on)) __WARN();``), which flows
        back to the false edge, where ``c`` is the failure of a lock or a count taken
        (``WARN_ON(!mutex_trylock(&l));``)? The code asserts that the call succeeds
        and is written for the lock held after it: the edge where it failed only
        warns, and the walk learns nothing there. An ``if (WARN_ON(...)) return
        -EBUSY;`` tests the temporary again, with an edge that does not rejoin: a
        failure as usual."""
        if not (isinstance(cond, Var) and cond.name in WARN_TEMPORARIES):
            return False
        chk = failure_check(cond, st.resolve)
        acq = self.ctx.kb.acquire(chk.callee) if chk is not None and chk.callee else None
        if acq is None or not acq.kind.is_hold:
            return False
        dst = next((e.dst for e in self.ctx.fn.blocks[b].succs if e.kind == "true"), None)
        return dst is not None and dst != other and \
            other in self.ctx.fn.reachable_from(dst, avoid=b)

    def may_fail(self, st: State, cond: Expr, chk: Check) -> bool:
        """Can the tested call's result take the failing side of ``cond``, by the signs
        its summary says it can return (``Summary.ret_signs``) with the arguments it was
        given here? ``vmw_res_init(res, true)`` that returns 0 whenever its flag is set,
        ``fill(q, buf)`` that fails only when ``buf`` is NULL, after a test of ``buf``."""
        s = self.ctx.summary(chk.callee)
        call = self.tested_call(st, chk.subject)
        if s is None or call is None or call.callee != chk.callee:
            return True
        signs = s.ret_signs
        for j, by_value in s.ret_signs_when.items():
            v = value_of(call.args[j], st.values.known) if j < len(call.args) else None
            if v is not None and v in by_value:
                signs &= by_value[v]
        for j, nonnull in s.ret_signs_nonnull.items():
            if j < len(call.args) and self.not_null(st, call.args[j]):
                signs &= nonnull
        when_true = signs_when(strip(cond, st.resolve), chk.subject)
        if when_true is None:
            return True
        return bool(signs & (when_true if chk.fails_when else ANY_SIGN & ~when_true))

    @staticmethod
    def tested_call(st: State, subject: Expr) -> Call | None:
        """The call whose result ``subject`` is: itself, or what the path stored in it."""
        if isinstance(subject, Call):
            return subject
        p = path_of(subject)
        v = st.resolve(p) if p is not None else None
        if isinstance(v, Assign):
            v = v.value
        return v if isinstance(v, Call) else None

    @staticmethod
    def not_null(st: State, arg: Expr) -> bool:
        """Is ``arg`` surely not NULL on this path: an address, or a path tested non-NULL?"""
        if isinstance(arg, Unary) and arg.op == "&":
            return True
        p = path_of(arg)
        f = st.fact(p) if p is not None else None
        return f is not None and f.status == "nonnull"

    def left_null(self, st: State, line: int) -> None:
        """The out-parameters of the acquisitions that failed on this edge hold NULL,
        as they did before the call (``Res.left_null``)."""
        for obj, r in st.resources.res.items():
            if r.left_null and r.status == FAILED and r.event_line == line and \
                    r.cause is Cause.ACQUIRE_FAILED:
                if ("->" in obj or "." in obj) and self.ctx.tracks_field(obj):
                    st.setup.facts[obj] = Fact("null", line,
                                               f"left NULL by the failed {r.acquire}()")
                if obj in self.ctx.relevant:
                    st.values.known[obj] = 0

    def record_outcome(self, st: State, cond: Expr, taken: bool) -> bool:
        """A test of a flag this function keeps as the record of holding an object
        (``ctx.record_flags``). Where the path has not stored the flag, it holds what it
        held on entry, "not held" (the function sets it itself when it takes the
        object): it cannot come out true. Where the path stored it and holds the
        object, it says "held" (calls in between made its value unknown to the walk):
        it cannot come out false."""
        ft = flag_tested(cond, taken)
        obj = self.ctx.record_flags.get(ft[0]) if ft is not None else None
        r = st.resources.res.get(obj) if obj is not None else None
        if ft is None or obj is None or r is not None and r.status == UNKNOWN:
            return True  # merged paths disagree on the object: the flag says nothing
        if flag_base(ft[0]) not in st.values.env:
            return not ft[1]
        return ft[1] or r is None or r.status != HELD

    def run(self) -> WalkResult:
        fn = self.fn
        start = State(slots={rule_id: make() for rule_id, make in self.check_states.items()})
        todo: list[tuple[int, State]] = [(fn.entry, start)]
        seen: set[tuple] = set()
        per_block: dict[tuple[int, bool], int] = {}
        merged: dict[tuple[int, bool], State] = {}
        states = 0
        try:
            while todo:
                bid, st = todo.pop()
                key = (bid, st.key())
                if key in seen:
                    continue
                seen.add(key)
                slot = (bid, bool(st.failures))
                per_block[slot] = per_block.get(slot, 0) + 1
                if per_block[slot] > PATHS_PER_BLOCK:
                    # Too many distinct paths reach this block: go on with one state
                    # that keeps only what they all agree on (a join), not with each.
                    old = merged.get(slot)
                    joined = st if old is None else old.join(st)
                    if old is not None and joined.key() == old.key():
                        continue
                    merged[slot] = joined
                    st = joined.copy()
                    seen.add((bid, st.key()))
                states += 1
                if states > self.max_states:
                    raise PathBudgetExceeded(f"more than {self.max_states} path states")
                n = st.visits.get(bid, 0) + 1
                if n > LOOP_UNROLL:
                    continue
                st.visits[bid] = n
                self.step_block(bid, st, todo)
        except PathBudgetExceeded as exc:
            return WalkResult(self.sorted_findings(), False, str(exc), self.exits, self.returns)
        return WalkResult(self.sorted_findings(), exits=self.exits, returns=self.returns)

    def sorted_findings(self) -> list[Finding]:
        return sorted(self.findings.values(), key=Finding.sort_key)

    def step_block(self, bid: int, st: State, todo: list) -> None:
        block = self.fn.blocks[bid]
        self.in_loop = bid in self.ctx.looping
        for s in block.stmts:
            if isinstance(s, Store):
                self.do_store(st, s)
            elif isinstance(s, ExprStmt):
                for c in calls_in(s.expr):
                    self.do_call(st, c, s.loc.line)
                self.uses(st, s.expr, s.loc.line)
                if any(c.noreturn or c.callee in NORETURN for c in calls_in(s.expr)):
                    return  # the path ends here: no exit, no error path
            elif isinstance(s, Cleanup):
                st.resources.auto = st.resources.auto | {s.var}
                r = st.resources.res.get(s.var)
                if r is not None:
                    st.resources.res[s.var] = r.moved(AUTO, s.loc.line, Cause.CLEANUP, s.fn)
            elif isinstance(s, Return):
                self.do_return(st, s)
                return
        succs = block.succs
        if block.cond is not None and len(succs) == 2:
            line = block.cond_loc.line if block.cond_loc else 0
            stored: set[int] = set()
            assigns = self.cond_assigns.get(bid)
            if assigns is None:
                assigns = self.cond_assigns[bid] = _outer_assigns(block.cond)
            for a in assigns:  # if (!(p = kmalloc(...)))
                self.do_store(st, Store(block.cond_loc or Loc(line, 0), a.target, a.value))
                stored.update(id(c) for c in calls_in(a.value))
            before = _before_post_steps(block.cond, st)
            for operand, op in cursors.steps(block.cond):  # while (--i >= 0)
                if isinstance(operand, Var):
                    self.do_store(st, Store(block.cond_loc or Loc(line, 0), operand,
                                            Const(1), op))
            for c in calls_in(block.cond):
                if id(c) not in stored:
                    self.do_call(st, c, line)
            self.uses(st, block.cond, line)
            tested = _after_steps(block.cond)
            for e, other in ((succs[1], succs[0]), (succs[0], succs[1])):
                if before is not None and before != (e.kind == "true"):
                    continue  # while (cnt--) with cnt 0: the value before the step decides
                nst = st.copy()
                if self.refine(nst, tested, e.kind == "true", line, bid, other.dst):
                    less = cursors.tested(block.cond, e.kind == "true")
                    if less is not None:  # for (j = 0; j < i; j++): j < i in the body
                        nst.values.lower = nst.values.lower | {less}
                    todo.append((e.dst, nst))
            return
        subject = self.switch_subject(block)
        for i, e in enumerate(reversed(succs)):
            if subject is not None and not self.case_possible(st, block, subject, e):
                continue  # the value this path stored says the switch goes elsewhere
            nst = st if i == len(succs) - 1 else st.copy()
            if subject is not None and e.kind == "case" and e.value is not None and \
                    e.value != UNKNOWN_CASE:
                nst.values.known[subject] = e.value  # this case's value, along this edge
            if e.kind == "goto" and self.fn.blocks[e.dst].labels:
                label = self.fn.blocks[e.dst].labels[0]
                nst.note(Jump(e.line, label, bid))
            todo.append((e.dst, nst))


# ``n#k`` keys the sign a test learned of ``n`` while ``n`` is that value plus k
SHIFT = "#"


def _answer_only(st: State, chk: Check, kb: Knowledge) -> bool:
    """Does ``chk`` test an answer, not a failure: the result of a predicate that is no
    acquire, a call the knowledge says only answers (``list_empty()``), or a held
    query? Not a value that holds what its call acquired, a pointer that comes back as
    an integer (a same-file ``(unsigned long)kmem_cache_alloc(...)`` wrapper): its 0
    is the acquire's failure."""
    if kb.answers_only(chk.callee) or kb.held_query(chk.callee) is not None:
        return True
    if not chk.answer or kb.acquire(chk.callee) is not None:
        return False
    p = path_of(chk.subject)
    r = st.resources.res.get(p) if p is not None else None
    return not (r is not None and r.acquire == chk.callee and r.fails == "null")


def _cleared_while_held(r: Res, path: str, value: Expr | None) -> bool:
    """Does a store of NULL into the field ``path`` lose what this function acquired
    into it and still holds (``ring->v = NULL`` with no ``dma_free_coherent()``
    before)? A copy of the field in a local took it over already (``overwritten``)."""
    return r.status == HELD and bool(r.acquire) and not r.kind.is_hold and \
        ("->" in path or "." in path) and value is not None and constant(value) == 0


def forget_released(st: State, target: str, decl: bool) -> None:
    """``target`` names another object from here: what this path released under that
    name is no longer what the name holds. A declaration starts a new variable (a
    block-local one that shadows an outer one of the same name, a macro's own
    ``___p``), with fields of its own; an assignment of a value that is not a call
    (calls are handled where they acquire) rebinds a pointer. Only released
    records are dropped: a use through the new value is no use after release."""
    res = st.resources.res
    for q in [q for q in res if q == target or decl and q.startswith((target + "->",
                                                                      target + "."))]:
        if res[q].status == RELEASED:
            del res[q]


def _deref_address(e: Expr) -> Expr:
    """``*&x`` is ``x`` (``*(T *)&__val`` of kfifo_put(), once casts are stripped)."""
    while isinstance(e, Unary) and e.op == "*" and isinstance(e.operand, Unary) and \
            e.operand.op == "&":
        e = e.operand.operand
    return e


def _outer_assigns(e: Expr) -> list[Assign]:
    """The assignments in a condition that no other assignment contains."""
    if isinstance(e, Assign):
        return [e] if e.op == "=" else []
    out: list[Assign] = []
    for f in dataclasses.fields(e):
        v = getattr(e, f.name)
        for x in (v if isinstance(v, tuple) else (v,)):
            if isinstance(x, Expr):
                out.extend(_outer_assigns(x))
    return out


def _after_steps(e: Expr) -> Expr:
    """``e`` as its value reads once its steps are done: ``--n == 0`` tests ``n == 0``
    after ``n -= 1`` (the walk makes the step before it tests). A post-step (``n--``)
    is left as it is: its value is the one before the step, which the walk no longer
    holds. A condition with calls is left whole: the walk knows its calls by identity."""
    if isinstance(e, Unary) and e.op in ("++", "--"):
        return e.operand
    if not any(isinstance(x, Unary) and x.op in ("++", "--") for x in subexprs(e)) or \
            any(True for _ in calls_in(e)):
        return e
    changes: dict[str, object] = {}
    for f in dataclasses.fields(e):
        v = getattr(e, f.name)
        if isinstance(v, Expr):
            changes[f.name] = _after_steps(v)
        elif isinstance(v, tuple) and any(isinstance(x, Expr) for x in v):
            changes[f.name] = tuple(_after_steps(x) if isinstance(x, Expr) else x for x in v)
    return dataclasses.replace(e, **changes)


def _before_post_steps(cond: Expr, st: State) -> bool | None:
    """What a condition whose only steps are post-steps comes out as, read with the
    values before its steps (``while (cnt--)``, ``if (n_irqs-- == 0) break;``), which
    the walk no longer holds once it made them; None when that is not known, or the
    condition has pre-steps or calls."""
    ops = [x.op for x in subexprs(cond) if isinstance(x, Unary) and x.op in STEP_OPS]
    if not ops or any(op in ("++", "--") for op in ops) or any(True for _ in calls_in(cond)):
        return None
    plain = _without_post_steps(cond)
    decided = truth(plain, st.values.known)
    return decided if decided is not None else sign_truth(plain, st.values.signs)


STEP_OPS = frozenset({"++", "--", "post++", "post--"})


def _without_post_steps(e: Expr) -> Expr:
    """``e`` with each post-step ``x--`` read as ``x``."""
    if isinstance(e, Unary) and e.op in ("post++", "post--"):
        return e.operand
    changes: dict[str, object] = {}
    for f in dataclasses.fields(e):
        v = getattr(e, f.name)
        if isinstance(v, Expr):
            changes[f.name] = _without_post_steps(v)
        elif isinstance(v, tuple) and any(isinstance(x, Expr) for x in v):
            changes[f.name] = tuple(_without_post_steps(x) if isinstance(x, Expr) else x
                                    for x in v)
    return dataclasses.replace(e, **changes) if changes else e


def _numbered(acq: Acquire | None) -> bool:
    """Does this acquire return its object as a number that is 0 or more on success
    (an id of ``ida_alloc()``, ``idr_alloc()``): ``fails = "negative"`` of the result
    itself, not ``positive``? A test of that number against 0 tells ids apart, and its
    equality to a negative errno is its failure."""
    return acq is not None and acq.object == "ret" and acq.fails == "negative" and \
        not acq.positive


def _zero_test(cond: Expr, subj: str | None) -> bool | None:
    """The value of ``cond`` when ``subj`` is 0, for ``subj``, ``!subj``, ``subj == 0``
    and ``subj != 0``; None for any other test."""
    text, negated = condition_key(cond)
    if subj is not None and text == subj:
        return negated
    eq = equality(cond)
    if eq is not None and eq[0] == subj and eq[1] == 0:
        return eq[2] != negated
    return None


def _copy_equality(st: State, cond: Expr) -> bool | None:
    """The value of ``a == b`` (``a != b``, negated) where one is a local the path copied
    from the other, a field, and neither was written since (``Resources.copies``:
    ``buf = f->prealloc_buf; ... if (buf == f->prealloc_buf)`` is true); None when
    the copies say nothing."""
    truth_ = True
    while isinstance(cond, Unary) and cond.op == "!":
        cond, truth_ = cond.operand, not truth_
    if not (isinstance(cond, Binary) and cond.op in ("==", "!=")) or not st.resources.copies:
        return None
    p, q = path_of(cond.lhs), path_of(cond.rhs)
    copies = st.resources.copies
    if p is None or q is None or not ((p, q) in copies or (q, p) in copies):
        return None
    return truth_ == (cond.op == "==")


def _copy_partners(st: State, cond: Expr) -> list[str]:
    """The other names of the value whose truth ``cond`` tests (``if (!hif2)``), where
    the path copied it between a local and a field (``Resources.copies``: ``dev->hif2 =
    hif2``) and wrote neither since: their truth is its truth. So is the truth of a
    field read through either copy of a pointer (``data->pdata = pdata``: ``if
    (pdata->en)`` and ``if (data->pdata->en)`` read one field)."""
    if not st.resources.copies:
        return []
    c = truth_tested(cond, True)[0]
    p = path_of(c) if isinstance(c, (Var, Member)) else None
    if p is None or render(c) != p:
        return []
    return sorted(_copy_names(st, p))


def _copy_names(st: State, p: str) -> set[str]:
    """The other names of the access path ``p`` through the copies the path made
    (``Resources.copies``): ``dev->hif2`` for ``hif2`` after ``dev->hif2 = hif2``, and
    ``data->pdata->en`` for ``pdata->en`` after ``data->pdata = pdata``."""
    out = {b if a == p else a for a, b in st.resources.copies if p in (a, b)}
    head = p
    while "->" in head:
        head = head.rpartition("->")[0]
        rest = p[len(head):]
        out |= {(b if a == head else a) + rest for a, b in st.resources.copies
                if head in (a, b)}
    return out


def _object_address(e: Expr | None) -> bool:
    """``&tmp``, ``&tmp.sub``: the address of a variable or of a member of one, never
    NULL; a string literal (``reason = "no std"``) too. Not ``&p->f``, whose value is
    ``p`` plus an offset."""
    if isinstance(e, Str):
        return True
    p = path_of(e.operand) if isinstance(e, Unary) and e.op == "&" else None
    return p is not None and "->" not in p


def _written_through(target: Expr) -> str | None:
    """The local pointer a store writes through (``p->f = v``, ``p->a.b = v``: ``p``)."""
    while isinstance(target, Member) and not target.arrow:
        target = target.base
    if isinstance(target, Member) and target.arrow:
        return path_of(target.base)
    return None


def _stored_under(target: Expr) -> str | None:
    """The access path a store without one of its own writes under: the array of an
    element (``s->port[i].line``, ``a[i]``: ``s->port``, ``a``), what a pointer points
    to (``*p``: ``p``); None when the target is reached through a call's result
    (``to_priv(dev)->on``), which may be any object."""
    while True:
        p = path_of(target)
        if p is not None:
            return p
        if isinstance(target, Member | Index):
            target = target.base
        elif isinstance(target, Unary) and target.op == "*":
            target = target.operand
        else:
            return None


def _out_parameter(e: Expr) -> bool:
    """``*pp`` for a parameter ``pp``: where a function hands its result to the caller."""
    return isinstance(e, Unary) and e.op == "*" and isinstance(e.operand, Var) and \
        e.operand.is_param


def _tests_only_other_bits(cond: Expr, path: str, bits: int) -> bool:
    """Does ``cond`` read ``path`` only in ``path & C`` tests of one bit each (C a
    power of two), none of them among ``bits``?"""
    reads = sum(1 for x in subexprs(cond) if isinstance(x, (Var, Member)) and path_of(x) == path)
    masks = [k for x in subexprs(cond) if isinstance(x, Binary) and x.op == "&"
             for a, b in ((x.lhs, x.rhs), (x.rhs, x.lhs))
             if isinstance(a, (Var, Member)) and path_of(a) == path
             and (k := constant(b)) is not None]
    return bool(masks) and len(masks) == reads and \
        all(k > 0 and k & (k - 1) == 0 and not k & bits for k in masks)


def _mentions(text: str, path: str) -> bool:
    """Does the condition ``text`` read ``path`` (or something under it)? (The plain
    substring test first: most tests do not contain the path at all.)"""
    return path in text and _mention_pattern(path).search(text) is not None


@functools.lru_cache(maxsize=4096)
def _mention_pattern(path: str) -> re.Pattern[str]:
    """``path`` as a whole word (not ``ret`` in ``retry``), and not a member of
    another object (not the local ``flags`` in ``prz->flags``), compiled once."""
    return re.compile(rf"(?<![\w.])(?<!->){re.escape(path)}(?!\w)")

