"""An error path puts a reference-counted object whose count was never set up.

What it finds:
    A put (``put_device()``, ``kobject_put()``, ``kref_put()``) on a path to
    an error exit where no call that sets up the object's reference count
    (``device_initialize()``, ``device_register()``, ``kobject_init()``,
    ``kobject_init_and_add()``, ``kref_init()``) has run on it yet. The
    object must be this function's own: allocated here (a memory allocator,
    or a same-file constructor whose body sets up no count), or a member of
    such an object. The usual cause is one unwind label shared by the steps
    before and after the init: ``dev_set_name()`` fails and jumps to the
    ``put_device()`` meant for a failed ``device_add()``. The init calls and
    their puts are API facts in ``rules/knowledge/references.toml``
    (``[refcount_init]``, ``[refcount_put]``). A same-file call given the
    object (or a member of it) whose body calls one of the inits counts as
    its init; so does an init inside the constructor that returned it.

Why it matters:
    Before its init an object's count is zero and it has no release
    callback wired up: ``kobject_put()`` warns that the kobject is not
    initialised and frees nothing, so the object leaks, and ``kref_put()``
    underflows the count. The path runs only when the early step fails, so
    tests rarely see it.

Bad:
    child = kzalloc(sizeof(*child), GFP_KERNEL);
    ...
    ret = dev_set_name(&child->dev, "foo%d", id);
    if (ret)
            goto err_put;                  /* device_initialize() not yet run */
    device_initialize(&child->dev);
    ret = device_add(&child->dev);
    if (ret)
            goto err_put;
    return 0;
    err_put:
            put_device(&child->dev);
            return ret;

Good:
    ret = dev_set_name(&child->dev, "foo%d", id);
    if (ret)
            goto err_free;                 /* free what was allocated */
    device_initialize(&child->dev);
    ret = device_add(&child->dev);
    if (ret)
            goto err_put;                  /* from here on, put */
    return 0;
    err_put:
            put_device(&child->dev);
            return ret;
    err_free:
            kfree(child);
            return ret;

Known false positives:
    An init in a function of another file, called with the object before the
    put, is not seen unless the knowledge lists it: a subsystem's own
    ``foo_device_init(&x->dev)`` wrapper makes the later put correct and is
    reported. Aliases are followed only through a local assigned the
    object's address (``dev = &x->dev``). An init and a put that depend on
    the same condition tested twice are told apart only where the walk
    tracks that condition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kunwind.analysis.conditions import macro_temporary
from kunwind.analysis.resources import FAILED
from kunwind.findings import API_FACT, CALLEE_SUMMARY, Finding, PathStep
from kunwind.model.ir import Call, Expr, Store, Unary, path_of, root_of

from .base import SAMPLE, Measured, Rule

if TYPE_CHECKING:
    from kunwind.analysis.context import FunctionContext
    from kunwind.analysis.state import State

@dataclass(frozen=True)
class Owned:
    """An object this function allocated: by which call, at which line."""

    callee: str
    line: int


@dataclass
class Inits:
    """KU009's own path state: the objects allocated here (by their local), and the
    objects whose reference count a call has set up (or may have: a same-file callee
    that calls an init), by access path; a root in ``whole`` stands for everything
    under it; ``aliases``: the locals that hold the address of a member of an object
    (``kobj = &x->kobj``)."""

    owned: dict[str, Owned] = field(default_factory=dict)
    done: frozenset[str] = frozenset()
    whole: frozenset[str] = frozenset()
    aliases: dict[str, str] = field(default_factory=dict)

    def copy(self) -> Inits:
        return Inits(dict(self.owned), self.done, self.whole, dict(self.aliases))

    def key(self) -> object:
        return (frozenset(self.owned.items()), self.done, self.whole,
                frozenset(self.aliases.items()))

    def join(self, other: Inits) -> Inits:
        # owned on both paths; set up on either (a put is reported only where no path
        # that reaches it could have set the count up)
        owned = {k: v for k, v in self.owned.items() if other.owned.get(k) == v}
        aliases = {k: v for k, v in self.aliases.items() if other.aliases.get(k) == v}
        return Inits(owned, self.done | other.done, self.whole | other.whole, aliases)

    def object_of(self, arg: Expr) -> str | None:
        """The object an argument points at, as an access path: ``&x->dev`` ->
        ``x->dev``; a local holding such an address, the same; a plain pointer, its own
        local (None for an array element, whose elements are not told apart, and for
        a pointer held in a field, which points at an object of unknown origin)."""
        if isinstance(arg, Unary) and arg.op == "&":
            return path_of(arg.operand)
        p = path_of(arg)
        if p is None or p in self.aliases:
            return None if p is None else self.aliases[p]
        return None if "->" in p or "." in p else p

    def after_call(self, ctx: FunctionContext, st: State, call: Call, line: int) -> None:
        init = ctx.kb.refcount_inits.get(call.callee)
        if init is not None:
            if init[0] < len(call.args):
                p = self.object_of(call.args[init[0]])
                if p is not None:
                    self.done = self.done | {p}
            return
        s = ctx.summary(call.callee)
        if s is None or not (s.calls & ctx.kb.refcount_inits.keys()):
            return
        for a in call.args:  # a same-file helper that sets up a count of what it gets
            p = self.object_of(a)
            if p is not None:
                self.whole = self.whole | {root_of(p)}

    def after_store(self, ctx: FunctionContext, st: State, s: Store, path: str,
                    line: int) -> None:
        if "->" in path or "." in path or "[" in path:
            return
        self.done = frozenset(p for p in self.done if root_of(p) != path)
        self.whole = self.whole - {path}
        self.owned.pop(path, None)
        self.aliases = {k: a for k, a in self.aliases.items()
                        if k != path and root_of(a) != path}
        v = s.value
        if s.op == "=" and macro_temporary(v) and v.name in self.owned:
            self.owned[path] = self.owned[v.name]  # p = ({ _res = kzalloc_noprof(); _res; })
            return
        if s.op == "=" and isinstance(v, Unary) and v.op == "&":
            p = path_of(v.operand)
            if p is not None and ("->" in p or "." in p):
                self.aliases[path] = p
        if s.op != "=" or not isinstance(v, Call):
            return
        if ctx.kb.alloc(v.callee) is not None or ctx.kb.zeroed_alloc(v.callee):
            self.owned[path] = Owned(v.callee, line)
            return
        summ = ctx.summary(v.callee)
        if summ is not None and summ.ret_alloc and \
                not (summ.calls & ctx.kb.refcount_inits.keys()):
            self.owned[path] = Owned(v.callee, line)  # a constructor that sets up no count


def _covers(done: str, p: str) -> bool:
    """Does a count set up on ``done`` cover ``p`` (the same object, or one inside it)?"""
    return p == done or p.startswith((done + ".", done + "->"))


def on_call(ctx: FunctionContext, st: State, call: Call) -> list[Finding]:
    """At a put: has a call that sets up the count of its object run on this path?"""
    j = ctx.kb.refcount_puts.get(call.callee)
    if j is None or j >= len(call.args):
        return []
    mine = st.slots[RULE_ID]
    assert isinstance(mine, Inits)
    p = mine.object_of(call.args[j])
    if p is None:
        return []
    root = root_of(p)
    own = mine.owned.get(root)
    if own is None or root in mine.whole or any(_covers(d, p) for d in mine.done):
        return []
    if "->" in p[len(root) + 2:]:
        return []  # &x->chip->dev: a device behind a pointer x holds, not in x's memory
    if _null(st, root):
        return []  # put_device(dev) after the allocation of dev failed: a put of NULL
    inits = ctx.kb.inits_for(call.callee)
    if not inits:
        return []
    return [_finding(ctx, st, call, p, own, inits)]


def _null(st: State, root: str) -> bool:
    """Is ``root`` NULL on this path: its allocation failed (a test on the path found
    it so), or it is known to hold NULL?"""
    r = st.resources.res.get(root)
    if r is not None and r.status == FAILED:
        return True
    fact = st.fact(root)
    return fact is not None and fact.status == "null"


def _finding(ctx: FunctionContext, st: State, call: Call, p: str, own: Owned,
             inits: list[str]) -> Finding:
    fn = ctx.words.function
    names = " or ".join(f"{ctx.words.name(n)}()" for n in inits)
    alloc = ctx.words.name(own.callee, own.line)
    root = root_of(p)
    whose = f"'{p}'" if p == root else f"'{p}' (in '{root}')"
    message = (
        f"{ctx.words.call(call)} in {fn}() drops a reference of {whose} on an error path "
        f"where {names} has not run on it: '{root}' was allocated by {alloc}() at line "
        f"{own.line} and its count was never set up, so the put warns and runs no "
        f"release; on this path free what {alloc}() allocated instead, and put only "
        f"after {names}"
    )
    steps = [PathStep(own.line, 0, f"'{root}' allocated by {alloc}()")]
    steps.extend(st.rendered_path(ctx.words))
    steps.append(PathStep(call.loc.line, 0, f"{ctx.words.call(call)} before any {names}"))
    evidence = API_FACT if ctx.summary(own.callee) is None else CALLEE_SUMMARY
    return RULE.finding(ctx, call.loc.line, call.loc.col, message, steps,
                        f"{call.callee}({p})", evidence)


RULE_ID, RULE_NAME = "KU009", "put-before-init"
RULE = Rule(id=RULE_ID, name=RULE_NAME, doc=__doc__, on_call=on_call, state=Inits,
            measured=Measured(2, 2, SAMPLE))
