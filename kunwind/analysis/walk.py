"""The path-sensitive walk: one pass over a function's paths that serves every rule.

The walk follows each path from the entry, carrying a ``State``: what each
access path was last assigned, what is known about fields (NULL, set,
unknown), where objects came from, the set-up steps done on each object, and
the failure checks taken. Branches refine the state and impossible branches
are pruned (``if (!p) goto out; ... out: if (p) ...``). Loops are unrolled
once. Rules hook into calls and error exits; what they report at a call is a
candidate, confirmed only when its path reaches an error exit.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from kunwind.findings import Finding, PathStep
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
    Unary,
    Var,
    calls_in,
    path_of,
    render,
    root_of,
    subexprs,
)

from .conditions import Check, condition_key, error_value, failure_check, null_test
from .context import FunctionContext, pure_call
from .events import (
    Acquire,
    Event,
    Exit,
    ExitKind,
    Failure,
    FailureTest,
    FieldStore,
    Jump,
    Release,
    render_steps,
)
from .resources import (
    AUTO,
    ESCAPED,
    FAILED,
    HELD,
    RELEASED,
    UNKNOWN,
    Cause,
    Res,
    object_path,
)

LOOP_UNROLL = 2  # a block is entered at most this many times on one path
# Calls that do not return (the frontend does not carry the noreturn attribute).
NORETURN = frozenset({
    "panic", "nmi_panic", "__noreturn_bug", "__builtin_unreachable", "__builtin_trap",
    "do_exit", "kthread_exit", "make_task_dead", "machine_halt", "machine_power_off",
    "machine_restart", "emergency_restart", "kernel_halt", "kernel_power_off",
    "kernel_restart", "usercopy_abort", "__stack_chk_fail",
})
UNKNOWN_VALUE = Other("?")  # what a compound assignment (x += ...) leaves
PATHS_PER_BLOCK = 12  # distinct states per block (and failed/not) before they are joined


class PathBudgetExceeded(Exception):
    pass


@dataclass(frozen=True)
class Fact:
    status: str  # null | nonnull | set | unknown | uninit
    line: int
    how: str


@dataclass(frozen=True)
class Origin:
    callee: str
    line: int
    zeroed: bool
    fields: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Step:
    """A set-up step on an object: a call given it, or a store into one of its fields."""

    line: int
    text: str  # the call or the store as written
    after_failure: bool
    target: str = ""  # a store: the field written, as written
    null: bool = False  # a store of NULL


@dataclass(frozen=True)
class CallRec:
    """A call on the path, for the per-function cross-check of unwind steps."""

    callee: str
    objects: tuple[str, ...]  # access paths of its pointer/address arguments
    line: int
    after_failure: bool


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


@dataclass
class State:
    env: dict[str, Expr] = field(default_factory=dict)
    facts: dict[str, Fact] = field(default_factory=dict)
    origins: dict[str, Origin] = field(default_factory=dict)
    steps: dict[str, tuple[Step, ...]] = field(default_factory=dict)
    failures: tuple[Failure, ...] = ()
    bad: frozenset[str] = frozenset()
    # what happened on this path, newest first, as shared (event, rest) pairs like
    # ``call_chain``; ``events`` gives it as a tuple, oldest first
    event_chain: tuple | None = None
    pending: tuple[Finding, ...] = ()
    visits: dict[int, int] = field(default_factory=dict)
    res: dict[str, Res] = field(default_factory=dict)
    # a call's result (a variable, or "@line:col" for a call tested directly) ->
    # the objects whose acquisition that result reports
    links: dict[str, tuple[str, ...]] = field(default_factory=dict)
    auto: frozenset[str] = frozenset()  # variables with a cleanup attribute
    # the calls on this path, newest first, as shared (call, rest) pairs: appending is
    # O(1) and copies share the history; ``calls`` gives it as a tuple, oldest first
    call_chain: tuple | None = None
    # access paths a failure check found holding success (``ret = f(); if (ret) ...``,
    # on the edge where nothing failed), until they are assigned again
    ok: frozenset[str] = frozenset()
    fresh: frozenset[str] = frozenset()  # paths assigned since the last failure
    # outcomes of conditions tested more than once (ctx.repeated_tests), until a
    # store to their root variable: (condition text, true or false)
    tested: frozenset[tuple[str, bool]] = frozenset()

    @property
    def calls(self) -> tuple[CallRec, ...]:
        return _unchain(self.call_chain)

    @property
    def events(self) -> tuple[Event, ...]:
        return _unchain(self.event_chain)

    def note(self, event: Event) -> None:
        self.event_chain = (event, self.event_chain)

    def rendered_path(self) -> list[PathStep]:
        """The path's failure tests and jumps, in words (for a finding's steps)."""
        return render_steps(self.events)

    def copy(self) -> State:
        return State(dict(self.env), dict(self.facts), dict(self.origins), dict(self.steps),
                     self.failures, self.bad, self.event_chain, self.pending, dict(self.visits),
                     dict(self.res), dict(self.links), self.auto, self.call_chain, self.ok,
                     self.fresh, tested=self.tested)

    def key(self) -> tuple:
        return (
            # values are the CFG's own (immutable) expression objects: compare them by
            # identity, not by hashing whole expression trees
            frozenset((k, id(v)) for k, v in self.env.items()),
            frozenset(self.facts.items()),
            frozenset(self.origins.items()),
            frozenset(k for k, v in self.steps.items() if not v[0].after_failure),
            bool(self.failures),
            self.bad,
            frozenset((f.rule_id, f.line, f.col) for f in self.pending),
            frozenset(self.res.items()),
            frozenset(self.links.items()),
            self.ok,
            self.fresh,
            self.tested,
        )

    def resolve(self, path: str) -> Expr | None:
        return self.env.get(path)

    def fact(self, path: str) -> Fact | None:
        """What is known about ``path``, including what its object's allocation implies."""
        if path in self.facts:
            return self.facts[path]
        if "->" not in path:
            return None
        root, rest = path.split("->", 1)
        o = self.origins.get(root)
        if o is None or "->" in rest or "." in rest:
            return None
        if rest in o.fields:
            return Fact("set", o.line, f"set up by {o.callee}()")
        if o.zeroed:
            return Fact("null", o.line, f"zeroed by {o.callee}()")
        return Fact("uninit", o.line, f"not initialised by {o.callee}()")

    def add_step(self, root: str, line: int, text: str, target: str = "",
                 null: bool = False) -> None:
        self.steps[root] = self.steps.get(root, ()) + (
            Step(line, text, bool(self.failures), target, null),)

    def forget_under(self, path: str) -> None:
        prefix = (path + "->", path + ".")
        for k in [k for k in self.facts if k.startswith(prefix)]:
            del self.facts[k]


CallHook = Callable[[FunctionContext, State, Call], list[Finding]]
MAX_EXIT_RECORDS = 400


@dataclass
class WalkResult:
    findings: list[Finding]
    complete: bool = True
    reason: str = ""
    exits: list[ExitRecord] = field(default_factory=list)
    returns: list[ExitRecord] = field(default_factory=list)  # the other exits (NORMAL)


class Walker:
    """Walk one function for a set of rules (their ``on_call``/``on_use``/``on_exit`` hooks)."""

    def __init__(self, ctx: FunctionContext, rules: list, max_states: int = 20000) -> None:
        self.ctx = ctx
        self.fn = ctx.fn
        self.call_hooks = [r.on_call for r in rules if getattr(r, "on_call", None)]
        self.use_hooks = [r.on_use for r in rules if getattr(r, "on_use", None)]
        self.exit_hooks = [r.on_exit for r in rules if getattr(r, "on_exit", None)]
        self.return_hooks = [r.on_return for r in rules if getattr(r, "on_return", None)]
        self.max_states = max_states
        self.findings: dict[tuple, Finding] = {}
        self.exits: list[ExitRecord] = []
        self.returns: list[ExitRecord] = []

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
        if e is None or not self.use_hooks or not st.res:
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
                for a in x.args:
                    p = object_path(path_of(a))
                    if p is not None and p in st.res:
                        for hook in self.use_hooks:
                            self.add_pending(st, hook(self.ctx, st, p, line, x))
            if used is not None and used in st.res:
                for hook in self.use_hooks:
                    self.add_pending(st, hook(self.ctx, st, used, line, x))

    # statements ---------------------------------------------------------
    def do_call(self, st: State, call: Call, line: int, result: str | None = None) -> None:
        for hook in self.call_hooks:
            self.add_pending(st, hook(self.ctx, st, call))
        self.resource_effects(st, call, line, result)
        objs = tuple(p for p in (object_path(path_of(a)) for a in call.args) if p)
        st.call_chain = (CallRec(call.callee, objs, line, bool(st.failures)), st.call_chain)
        kb, ctx = self.ctx.kb, self.ctx
        summary = ctx.summary(call.callee)
        releasing = kb.release(call.callee) is not None or kb.teardown(call.callee) is not None
        for j, a in enumerate(call.args):
            if isinstance(a, Unary) and a.op == "&":
                p = path_of(a.operand)
                if p is not None and "->" not in p and "." not in p:
                    st.env.pop(p, None)  # a local written through its address
                    st.bad = st.bad - {p}
                    r = st.res.get(p)
                    if r is not None and r.status in (RELEASED, FAILED) and \
                            r.event_line != line and r.kind not in ("lock", "pm"):
                        del st.res[p]  # it holds a new value now
                elif p is not None:
                    if ctx.tracks_field(p):
                        st.facts[p] = Fact("unknown", line, f"passed to {call.callee}()")
                    st.add_step(root_of(p), line, render(call))
                continue
            if not isinstance(a, Var):
                continue
            if releasing or ctx.is_teardown_by_name(call.callee):
                continue
            st.add_step(a.name, line, render(call))
            if summary is not None:
                for f in summary.writes.get(j, ()):
                    if ctx.tracks_field(f"{a.name}->{f}"):
                        st.facts[f"{a.name}->{f}"] = Fact("unknown", line,
                                                          f"may be set by {call.callee}()")

    def resource_effects(self, st: State, call: Call, line: int, result: str | None) -> None:
        kb, ctx = self.ctx.kb, self.ctx
        summary = ctx.summary(call.callee)
        text = render(call)
        # releases
        rel = kb.release(call.callee)
        released: set[str] = set()
        if rel is not None and rel.arg < len(call.args):
            p = object_path(path_of(call.args[rel.arg]))
            if p is not None:
                released.add(p)
        by_knowledge = set(released)  # what the knowledge says this call releases
        if summary is not None:
            for j in summary.releases:
                if j < len(call.args):
                    p = object_path(path_of(call.args[j]))
                    if p is not None:
                        released.add(p)
            for j, fields in summary.releases_fields.items():
                base = path_of(call.args[j]) if j < len(call.args) else None
                if base is not None and not base.startswith("&"):
                    released.update(f"{base}->{f}" for f in fields)
        for a in call.args:
            p = object_path(path_of(a))
            if p is not None and p in st.res and call.callee in st.res[p].releases:
                released.add(p)
        kind = kb.released_kind(call.callee)
        for p in [q for q in released if _other_kind(st.res.get(q), call.callee, kind)]:
            released.discard(p)  # folio_unlock(folio) does not drop a folio_get() reference
        if rel is not None and rel.arg < len(call.args) and kind == "reference":
            inner = call.args[rel.arg]  # put_device(&x->dev): x's release callback frees x
            if isinstance(inner, Var) and isinstance(st.env.get(inner.name), Unary):
                inner = st.env[inner.name]  # adev = &x->adev; ... auxiliary_device_uninit(adev)
            member = path_of(inner.operand) if isinstance(inner, Unary) and inner.op == "&" \
                else None
            if member is not None and "->" in member:
                container = member.rsplit("->", 1)[0]
                if container in st.res and st.res[container].status == HELD:
                    released.add(container)
        for p in released:
            if p in st.res and st.res[p].status in (HELD, FAILED):
                st.res[p] = st.res[p].moved(RELEASED, line, Cause.CALL, call.callee, text)
                st.note(Release(line, p, call.callee))
            elif p not in st.res and p in by_knowledge:  # acquired elsewhere: now gone
                st.res[p] = Res(kb.released_kind(call.callee), "", 0,
                                frozenset({call.callee}), RELEASED, "never",
                                event_line=line, cause=Cause.CALL, by=call.callee, event=text)
                st.note(Release(line, p, call.callee))
        # ownership handed over
        owner = kb.owner_arg(call.callee)
        given = {owner} if owner is not None else set()
        if summary is not None:
            given |= summary.escapes  # a same-file callee that stores or links it
        for j in sorted(given):
            p = object_path(path_of(call.args[j])) if j < len(call.args) else None
            if p is not None:
                root = root_of(p)
                under = [q for q in st.res if q.startswith((root + "->", root + "."))
                         and st.res[q].kind not in ("lock", "pm")]  # its fields go along
                for q in (p, root, *under):
                    if q in st.res and st.res[q].status == HELD:
                        st.res[q] = st.res[q].moved(ESCAPED, line, Cause.CALL, call.callee,
                                                    text)
        # acquisitions
        acq = kb.acquire(call.callee)
        obj = None
        if acq is not None:
            if acq.object == "ret":
                obj = result
            elif acq.object < len(call.args):
                obj = object_path(path_of(call.args[acq.object]))
            if obj is not None:
                status = AUTO if obj in st.auto else HELD
                st.res[obj] = Res(acq.kind, call.callee, line, frozenset(acq.release), status,
                                  acq.fails, acq.held_on_failure)
                st.note(Acquire(line, obj, call.callee))
                if acq.fails != "never" and acq.object != "ret":
                    key = result or f"@{call.loc.line}:{call.loc.col}"
                    st.links[key] = (obj,)
        elif summary is not None and summary.ret_alloc and not summary.ret_shared and \
                result is not None:
            st.res[result] = Res("memory", call.callee, line, frozenset(),
                                 AUTO if result in st.auto else HELD)
            st.note(Acquire(line, result, call.callee))

    def same_answer(self, st: State, path: str, value: Expr | None) -> bool:
        """Is ``path`` assigned the answer it already holds: the same side-effect free
        call again (``branch = arch_static_branch(&key, 0)`` of two static_branch()
        tests), so that the outcome of testing it still stands?"""
        old = st.env.get(path)
        return isinstance(value, Call) and isinstance(old, Call) and pure_call(value) \
            and self.ctx.kb.acquire(value.callee) is None and render(old) == render(value)

    def do_store(self, st: State, s: Store) -> None:
        value = s.value
        while isinstance(value, Assign):
            value = value.value
        target = path_of(s.target)
        before = st.res.get(target) if target is not None else None
        if target is not None and s.op == "=":
            st.links.pop(target, None)  # its old value no longer reports anything
        for c in calls_in(s.value):
            self.do_call(st, c, s.loc.line, target if c is value and s.op == "=" else None)
        if isinstance(value, Call) and before is not None and st.res.get(target) is before:
            del st.res[target]  # overwritten by a call that acquires nothing we know
        if target is not None and s.op == "=" and not s.decl:
            for q in [q for q in st.res if q.startswith((target + "->", target + "."))]:
                if st.res[q].kind not in ("lock", "pm"):
                    del st.res[q]  # a field of the object the pointer held before
        inner = s.value
        while isinstance(inner, Assign):  # a = b = kmalloc(): b reports a's acquisition
            alias = path_of(inner.target)
            if alias is not None:
                st.links.pop(alias, None)  # assigned too: its old value reports nothing
                if alias in self.ctx.relevant:
                    st.env[alias] = value
            if alias is not None and (target in st.res and isinstance(value, Call) or
                                      _temporary(value) and value.name in st.res):
                st.links[alias] = (target,)
            inner = inner.value
        self.uses(st, s.value, s.loc.line)
        self.uses(st, s.target if not isinstance(s.target, Var) else None, s.loc.line)
        path = target
        if path is not None and s.decl and s.value is None and \
                isinstance(st.env.get(path), Call) and pure_call(st.env[path]):
            return  # `bool branch;` of a macro used twice: what it held still stands
        if path is not None and st.tested and not self.same_answer(st, path, value):
            st.tested = frozenset(t for t in st.tested if not _mentions(t[0], path))
        if path is not None:
            st.ok = st.ok - {path}
            st.fresh = st.fresh | {path}
        if path is not None and s.op == "=" and not isinstance(value, Call):
            if path in st.res and not s.decl:
                del st.res[path]
            st.links.pop(path, None)
        if s.op == "=" and path is not None and _temporary(value) and value.name != path \
                and value.name in st.res:
            # p = ({ ... _res = kmalloc_noprof(...); _res; }): alloc_hooks()' temporary
            # hands its acquisition to the variable the source names
            st.res[path] = st.res.pop(value.name)
            if path in st.auto and st.res[path].status == HELD:  # a __free() variable
                st.res[path] = st.res[path].moved(AUTO, s.loc.line, Cause.CLEANUP)
        if s.op == "=" and value is not None:
            src = object_path(path_of(value))
            if src is not None and src in st.res and st.res[src].status == HELD and (
                path is None or "->" in path or "." in path
            ):
                st.res[src] = st.res[src].moved(ESCAPED, s.loc.line, Cause.STORED,
                                                render(s.target))
            elif src is not None and src in st.res and st.res[src].status == HELD and \
                    path != src and self.ctx.kb.acquire(st.res[src].acquire) is not None \
                    and st.res[src].kind not in ("lock", "pm"):
                # a copy in another local: the walk does not follow aliases, so
                # it stops treating the object as held by this name
                st.res[src] = st.res[src].moved(ESCAPED, s.loc.line, Cause.COPIED, path or "")
        if path is None:
            return
        line = s.loc.line
        value = s.value
        st.forget_under(path)
        if value is None:
            st.env.pop(path, None)
            st.origins.pop(path, None)
            st.bad = st.bad - {path}
            return
        if path in self.ctx.relevant:
            st.env[path] = value if s.op == "=" else UNKNOWN_VALUE
        else:
            st.env.pop(path, None)
        if s.op == "=" and error_value(value, st.resolve):
            st.bad = st.bad | {path}
        else:
            st.bad = st.bad - {path}
        if isinstance(value, Call) and s.op == "=":
            a = self.ctx.kb.alloc(value.callee)
            summ = self.ctx.summary(value.callee)
            if a is not None:
                st.origins[path] = Origin(value.callee, line, a.zeroed)
            elif summ is not None and summ.ret_alloc:
                st.origins[path] = Origin(value.callee, line, summ.ret_zeroed,
                                          frozenset(summ.ret_fields))
            else:
                st.origins.pop(path, None)
        elif s.op == "=" and _temporary(value) and value.name in st.origins:
            st.origins[path] = st.origins[value.name]
        else:
            st.origins.pop(path, None)
        if "->" in path or "." in path:
            null = isinstance(value, Const) and value.value == 0 and s.op == "="
            if self.ctx.tracks_field(path):
                where = " on the error path" if st.failures else ""
                st.facts[path] = Fact("null", line, "set to NULL" + where) if null else Fact(
                    "set", line, "set")
            written = render(s.target)
            st.add_step(root_of(path), line, f"{written} {s.op} {render(value)}", written,
                        isinstance(value, Const) and value.ptr and value.value == 0)
            st.note(FieldStore(line, path, null))

    def do_return(self, st: State, s: Return) -> None:
        for c in calls_in(s.value):
            self.do_call(st, c, s.loc.line)
        self.uses(st, s.value, s.loc.line)
        ex = self.classify_exit(st, s)
        for rhook in self.return_hooks:
            for f in rhook(self.ctx, st, s, ex):
                self.report(f)
        if not ex.is_error:
            if len(self.returns) < MAX_EXIT_RECORDS:
                self.returns.append(self.record(st, ex))
            return
        exit_step = exit_path_step(ex)
        for f in st.pending:
            self.report(dataclasses.replace(f, steps=[*f.steps, exit_step]))
        for hook in self.exit_hooks:
            for f in hook(self.ctx, st, s, ex):
                self.report(f)
        if len(self.exits) < MAX_EXIT_RECORDS:
            self.exits.append(self.record(st, ex))

    def record(self, st: State, ex: Exit) -> ExitRecord:
        return ExitRecord(ex, st.calls, tuple(sorted(st.res.items())),
                          st.failures[-1] if st.failures else None, st.events)

    def classify_exit(self, st: State, s: Return) -> Exit:
        """What kind of exit this return is on this path, and what it returns."""
        v = s.value

        def exit_of(kind: ExitKind, detail: str = "") -> Exit:
            return Exit(kind, s.loc.line, s.loc.col, v, detail)

        value = error_value(v, st.resolve)
        if value:
            return exit_of(ExitKind.ERROR_VALUE, value)
        p = path_of(v) if v is not None else None
        if p is not None and p in st.bad:
            return exit_of(ExitKind.ERROR_VARIABLE, p)
        if st.failures and v is None:
            return exit_of(ExitKind.AFTER_FAILURE)
        if st.failures and isinstance(v, Const) and v.value == 0 and self.fn.returns_ptr:
            return exit_of(ExitKind.NULL_AFTER_FAILURE)
        return exit_of(ExitKind.NORMAL)

    # branches -----------------------------------------------------------
    def refine(self, st: State, cond: Expr, taken: bool, line: int, b: int,
               other: int) -> bool:
        """Apply what taking this edge implies; False when the edge cannot be taken."""
        resolved = _resolve_const(cond, st)
        if resolved is not None and bool(resolved) != taken:
            return False
        text, negated = condition_key(cond)
        if text in self.ctx.repeated_tests:
            if (text, taken == negated) in st.tested:
                return False  # the same test came out the other way earlier on this path
            st.tested = st.tested | {(text, taken != negated)}
        if self.fresh_equals(st, cond, taken):
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
            if ("->" in path or "." in path) and self.ctx.tracks_field(path):
                st.facts[path] = Fact("null" if is_null else "nonnull", line,
                                      "tested NULL" if is_null else "tested non-NULL")
        self.zero_means_null(st, cond, taken, line)
        if nt is not None and nt[0] not in st.res and taken == nt[1]:
            # a = b = kmalloc(): b tested NULL says a holds nothing either
            for o in st.links.get(nt[0], ()):
                if o in st.res and st.res[o].status == HELD and st.res[o].fails == "null":
                    st.res[o] = st.res[o].moved(FAILED, line, Cause.NULL_TESTED)
        if nt is not None and nt[0] in st.res and st.res[nt[0]].status == HELD:
            if taken == nt[1]:  # the pointer is NULL on this edge: nothing was acquired
                st.res[nt[0]] = st.res[nt[0]].moved(FAILED, line, Cause.NULL_TESTED)
        elif nt is not None and nt[0] in st.res and st.res[nt[0]].status == FAILED:
            r = st.res[nt[0]]  # its acquisition failed: NULL, or an ERR_PTR()
            errptr = r.fails == "errptr" and r.cause is not Cause.NULL_TESTED
            if (taken == nt[1]) == errptr and r.fails in ("null", "errptr"):
                return False
        chk = failure_check(cond, st.resolve) or self.count_check(st, cond)
        if chk is not None and chk.answer and self.ctx.kb.acquire(chk.callee) is None:
            chk = None  # if (ready(x)), if (__builtin_constant_p(n)): no failure
        subj = path_of(chk.subject) if chk is not None else None
        if subj is not None and subj in st.res and st.res[subj].fails == "null" and \
                condition_key(cond)[0] == subj:
            # an integer handle that is 0 on failure (if (!handle)), not an errno
            chk = dataclasses.replace(chk, fails_when=condition_key(cond)[1])
        if chk is not None and chk.callee and taken == chk.fails_when:
            s = self.ctx.summary(chk.callee)
            if s is not None and s.ret_only_zero:
                return False  # a same-file function that always returns 0 does not fail
        acq = self.ctx.kb.acquire(chk.callee) if chk is not None and chk.callee else None
        if chk is not None and acq is not None and acq.fails == "zero":
            # a trylock: it failed when it returned 0 (the check assumed an errno)
            chk = dataclasses.replace(chk, fails_when=not chk.fails_when)
        if chk is not None:
            if not self.acquisition_outcome(st, chk, taken, line):
                return False
            subject = path_of(chk.subject)
            if taken == chk.fails_when:
                failure = Failure(line, chk.text, b, other, chk.callee, chk.form)
                st.failures = st.failures + (failure,)
                st.note(FailureTest(line, failure))
                st.fresh = frozenset()
                if subject is not None:
                    st.bad = st.bad | {subject}
            elif subject is not None:
                if subject not in st.bad:  # not a second test of a value that failed
                    st.ok = st.ok | {subject}
                st.bad = st.bad - {subject}
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
        r = st.res.get(nt[0])
        if r is not None and r.status == HELD and r.fails == "null":
            st.res[nt[0]] = r.moved(FAILED, line, Cause.NULL_TESTED)

    def count_check(self, st: State, cond: Expr) -> Check | None:
        """``n = pci_alloc_irq_vectors(pdev, min, max, ...); if (n < min)``: an acquire
        that returns a count at least its minimum, or a negative errno, failed
        exactly when its result is below that minimum."""
        if not (isinstance(cond, Binary) and cond.op == "<"):
            return None
        p = path_of(cond.lhs)
        v = st.resolve(p) if p is not None else None
        if isinstance(v, Assign):
            v = v.value
        if not isinstance(v, Call):
            return None
        acq = self.ctx.kb.acquire(v.callee)
        if acq is None or acq.fails != "negative" or acq.object == "ret":
            return None
        if any(isinstance(b.cond, Binary) and b.cond.op == "<" and path_of(b.cond.lhs) == p
               and isinstance(b.cond.rhs, Const) and b.cond.rhs.value == 0
               for b in self.fn.blocks):
            return None  # the function tests n < 0 itself: later n < x are not failures
        return Check(cond.lhs, True, render(cond), v.callee, "negative")

    def fresh_equals(self, st: State, cond: Expr, taken: bool) -> bool:
        """Does this edge need a new allocation to equal another object (``if (pages !=
        on_stack) kfree(pages);``)? It cannot."""
        if not (isinstance(cond, Binary) and cond.op in ("==", "!=")) or \
                (cond.op == "==") != taken:
            return False
        for a, b in ((cond.lhs, cond.rhs), (cond.rhs, cond.lhs)):
            p, q = path_of(a), path_of(b)
            r = st.res.get(p) if p is not None else None
            if r is None or r.status != HELD or not r.acquire or q is None or q == p:
                continue
            acq = self.ctx.kb.acquire(r.acquire)
            if acq is None or acq.object == "ret":
                return True
        return False

    def acquisition_outcome(self, st: State, chk, taken: bool, line: int) -> bool:
        """On the branch where an acquiring call failed, its object is not held.

        False when the edge contradicts an earlier failure check of the same
        acquisition (``if (IS_ERR(p)) goto out; ... out: if (!IS_ERR(p)) put(p);``).
        """
        subject = path_of(chk.subject)
        if isinstance(chk.subject, Call):
            key = f"@{chk.subject.loc.line}:{chk.subject.loc.col}"
        else:
            key = subject or ""
        objs = list(st.links.get(key, ()))
        if subject is not None and subject in st.res:
            a = self.ctx.kb.acquire(st.res[subject].acquire)
            if a is None or a.object == "ret":  # if (dev->irq) does not test request_irq()
                objs.append(subject)
        failed_errno = taken == chk.fails_when
        for o in objs:
            r = st.res.get(o)
            if r is not None and r.status == FAILED and not failed_errno and \
                    r.cause is Cause.ACQUIRE_FAILED:
                return False
            if r is None or r.status != HELD or r.held_on_failure:
                continue
            if failed_errno:
                st.res[o] = r.moved(FAILED, line, Cause.ACQUIRE_FAILED)
        return True

    # the walk -----------------------------------------------------------
    def run(self) -> WalkResult:
        fn = self.fn
        todo: list[tuple[int, State]] = [(fn.entry, State())]
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
                    joined = st if old is None else join(old, st)
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
        for s in block.stmts:
            if isinstance(s, Store):
                self.do_store(st, s)
            elif isinstance(s, ExprStmt):
                for c in calls_in(s.expr):
                    self.do_call(st, c, s.loc.line)
                self.uses(st, s.expr, s.loc.line)
                if any(c.callee in NORETURN for c in calls_in(s.expr)):
                    return  # the path ends here: no exit, no error path
            elif isinstance(s, Cleanup):
                st.auto = st.auto | {s.var}
                if s.var in st.res:
                    st.res[s.var] = st.res[s.var].moved(AUTO, s.loc.line, Cause.CLEANUP, s.fn)
            elif isinstance(s, Return):
                self.do_return(st, s)
                return
        succs = block.succs
        if block.cond is not None and len(succs) == 2:
            line = block.cond_loc.line if block.cond_loc else 0
            stored: set[int] = set()
            for a in _outer_assigns(block.cond):  # if (!(p = kmalloc(...)))
                self.do_store(st, Store(block.cond_loc or Loc(line, 0), a.target, a.value))
                stored.update(id(c) for c in calls_in(a.value))
            for c in calls_in(block.cond):
                if id(c) not in stored:
                    self.do_call(st, c, line)
            self.uses(st, block.cond, line)
            for e, other in ((succs[1], succs[0]), (succs[0], succs[1])):
                nst = st.copy()
                if self.refine(nst, block.cond, e.kind == "true", line, bid, other.dst):
                    todo.append((e.dst, nst))
            return
        for i, e in enumerate(reversed(succs)):
            nst = st if i == len(succs) - 1 else st.copy()
            if e.kind == "goto" and self.fn.blocks[e.dst].labels:
                label = self.fn.blocks[e.dst].labels[0]
                nst.note(Jump(e.line, label))
            todo.append((e.dst, nst))


def exit_path_step(ex: Exit, also: str = "") -> PathStep:
    """The last step of an error path, in words (``also``: what the check adds)."""
    return PathStep(ex.line, ex.col, f"error exit: {ex.describe()}{also}")


def _unchain(node: tuple | None) -> tuple:
    out = []
    while node is not None:
        out.append(node[0])
        node = node[1]
    return tuple(reversed(out))


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


def _temporary(e: Expr | None) -> bool:
    """A macro's temporary (``_res`` of alloc_hooks(), ``__ret``): its value is the
    value of the variable it is assigned to."""
    return isinstance(e, Var) and e.name.startswith("_")


def _other_kind(r: Res | None, callee: str, kind: str) -> bool:
    """Is ``callee`` the release of another kind of resource than ``r`` (an unlock
    of an object that also holds a reference)?"""
    return r is not None and bool(r.releases) and callee not in r.releases and \
        kind not in ("", r.kind)


def _mentions(text: str, path: str) -> bool:
    """Does the condition ``text`` read ``path`` (or something under it)?"""
    return re.search(rf"(?<!\w){re.escape(path)}(?!\w)", text) is not None


def _resolve_const(cond: Expr, st: State) -> int | None:
    if isinstance(cond, Const):
        return cond.value
    p = path_of(cond)
    if p is not None and "->" not in p:
        v = st.env.get(p)
        if isinstance(v, Const):
            return v.value
    if isinstance(cond, Unary) and cond.op == "!":
        inner = _resolve_const(cond.operand, st)
        return None if inner is None else int(not inner)
    return None


def join(a: State, b: State) -> State:
    """One state that claims only what ``a`` and ``b`` agree on (for the path budget).

    Known values that differ are forgotten (unknown makes every check stay silent);
    what was done on either path (set-up steps, candidate findings) is kept.
    """
    def common(x: dict, y: dict) -> dict:
        return {k: v for k, v in x.items() if y.get(k, _MISSING) == v}

    out = a.copy()
    out.env = common(a.env, b.env)
    out.facts = common(a.facts, b.facts)
    out.origins = common(a.origins, b.origins)
    out.res = common(a.res, b.res)
    for k in sorted((a.res.keys() | b.res.keys()) - out.res.keys()):
        r = a.res.get(k) or b.res[k]  # acquired on one path only, or in another state
        out.res[k] = r.moved(UNKNOWN, r.event_line, Cause.MERGED)
    out.links = common(a.links, b.links)
    out.steps = {**b.steps, **a.steps}
    out.bad = a.bad & b.bad
    out.tested = a.tested & b.tested
    out.auto = a.auto | b.auto
    out.pending = a.pending + tuple(f for f in b.pending if f not in a.pending)
    out.visits = {k: max(v, b.visits.get(k, 0)) for k, v in a.visits.items()}
    for name in ("ok",):
        if hasattr(a, name):
            setattr(out, name, getattr(a, name) & getattr(b, name))
    for name in ("fresh",):
        if hasattr(a, name):
            setattr(out, name, getattr(a, name) | getattr(b, name))
    return out


_MISSING = object()
