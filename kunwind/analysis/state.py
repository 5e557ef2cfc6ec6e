"""The state the walk carries along one path: the engine's own, and one slot per domain.

The flow engine (``walk.Walker``) knows three things of a state: how to copy
it, its key (two states with equal keys are the same for every check, so
the second is not walked again) and how to join two states into one that
claims only what both agree on (the path budget). Each part of the state is
a domain that brings those three itself:

- ``Values``: what each tracked name was last assigned, which names hold an
  error code or a success, and the outcomes of tests made more than once;
- ``Setup``: what is known of objects' fields (NULL, set) and where objects
  came from, which also prunes branches that contradict it;
- ``resources.Resources``: the resource model the leak, release, lock and
  use checks share;
- ``slots``: the private state of a check that declares one
  (``Rule.state``), moved by its own transfer functions (``CheckState``).

The path itself (its failure tests, its calls and its events) and the
candidate findings waiting for an error exit belong to the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from kunwind.findings import Finding, PathStep
from kunwind.model.ir import Call, Expr, Other, Store

from .cursors import Cursor
from .events import Event, Failure, render_steps
from .resources import Resources

if TYPE_CHECKING:
    from typing_extensions import Self

    from .context import FunctionContext
    from .words import Words


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
class CallRec:
    """A call on the path, for the per-function cross-check of unwind steps."""

    callee: str
    objects: tuple[str, ...]  # access paths of its pointer/address arguments
    line: int
    after_failure: bool


class CheckState(Protocol):
    """The private state of one check, carried along each path by the engine.

    ``after_call`` and ``after_store`` are its transfer functions: the engine
    calls them after it has applied a call's or a store's effects to the
    shared domains."""

    def copy(self) -> Self: ...

    def key(self) -> object: ...

    def join(self, other: Self) -> Self: ...

    def after_call(self, ctx: FunctionContext, st: State, call: Call, line: int) -> None: ...

    def after_store(self, ctx: FunctionContext, st: State, s: Store, path: str,
                    line: int) -> None: ...


# what a scalar local declared without an initialiser holds until it is assigned
# (``int ret;``): a path that returns it then returns no value at all
UNINITIALISED = Other("uninitialised")


@dataclass
class Values:
    env: dict[str, Expr] = field(default_factory=dict)
    bad: frozenset[str] = frozenset()  # names that hold an error code
    # names a failure check found holding success (``ret = f(); if (ret) ...``, on
    # the edge where nothing failed), until they are assigned again
    ok: frozenset[str] = frozenset()
    fresh: frozenset[str] = frozenset()  # names assigned since the last failure
    # outcomes of conditions tested more than once (ctx.repeated_tests), until a
    # store to their root variable: (condition text, true or false)
    tested: frozenset[tuple[str, bool]] = frozenset()
    # the constant each tested path holds (constants.py), until it may have changed
    known: dict[str, int] = field(default_factory=dict)
    # the signs a tested integer path may have (constants.sign_test), until written
    signs: dict[str, int] = field(default_factory=dict)
    # the array element each local pointer points at (cursors.py), and the pairs of
    # locals (a, b) a test found a < b, until either is written
    cursors: dict[str, Cursor] = field(default_factory=dict)
    lower: frozenset[tuple[str, str]] = frozenset()
    # the local pointers moved to another element than the one whose fields the
    # resource model tracked under them (``--p``): a field of theirs that the model
    # does not hold is unknown, not "never acquired"
    elsewhere: frozenset[str] = frozenset()
    # names a failure check found failing on this path, until they are assigned again:
    # a later test of the same value cannot find it holding success (``if (status) goto
    # leave; ... leave: if (status < 0 && x)``: its false side tells a positive failure
    # from a negative one), so it never joins ``ok``
    failed: frozenset[str] = frozenset()
    # (q, p): the local pointer q holds the back link of p (``__mptr =
    # p->node.prev``, list_prev_entry()'s first half), until either is written
    neighbours: frozenset[tuple[str, str]] = frozenset()
    # (callee, object): a test of callee on that object comes out true next on this
    # path (the knowledge's [implies]: drm_exec_cleanup() after a contention)
    implied: frozenset[tuple[str, str]] = frozenset()

    def copy(self) -> Values:
        return Values(dict(self.env), self.bad, self.ok, self.fresh, self.tested,
                      dict(self.known), dict(self.signs), dict(self.cursors), self.lower,
                      self.elsewhere, self.failed, self.neighbours, self.implied)

    def key(self) -> tuple:
        # values are the CFG's own (immutable) expression objects: compare them by
        # identity, not by hashing whole expression trees
        env = self.env
        return (frozenset(zip(env, map(id, env.values()), strict=True)), self.bad, self.ok,
                self.fresh, self.tested, frozenset(self.known.items()) if self.known else None,
                frozenset(self.signs.items()) if self.signs else None,
                frozenset(self.cursors.items()) if self.cursors else None, self.lower,
                self.elsewhere, self.failed, self.neighbours, self.implied)

    def join(self, other: Values) -> Values:
        return Values(_common(self.env, other.env), self.bad & other.bad, self.ok & other.ok,
                      self.fresh | other.fresh, self.tested & other.tested,
                      _common(self.known, other.known), _common(self.signs, other.signs),
                      _common(self.cursors, other.cursors), self.lower & other.lower,
                      self.elsewhere | other.elsewhere, self.failed & other.failed,
                      self.neighbours & other.neighbours, self.implied & other.implied)


@dataclass
class Setup:
    facts: dict[str, Fact] = field(default_factory=dict)
    origins: dict[str, Origin] = field(default_factory=dict)

    def copy(self) -> Setup:
        return Setup(dict(self.facts), dict(self.origins))

    def key(self) -> tuple:
        return frozenset(self.facts.items()), frozenset(self.origins.items())

    def join(self, other: Setup) -> Setup:
        return Setup(_common(self.facts, other.facts), _common(self.origins, other.origins))

    def fact(self, path: str) -> Fact | None:
        """What is known about ``path``, including what its object's allocation implies."""
        if path in self.facts:
            return self.facts[path]
        if "->" not in path:
            return None
        root, rest = path.split("->", 1)
        o = self.origins.get(root)
        if o is None or "->" in rest:
            return None
        if "." in rest:  # a member of an embedded struct (dev->v4l2_dev.dev)
            parts = rest.split(".")
            enclosing = [f"{root}->{'.'.join(parts[:i])}" for i in range(1, len(parts))]
            if not o.zeroed or parts[0] in o.fields or any(q in self.facts for q in enclosing):
                return None  # set up, or written as a whole: not what the allocation left
        if rest in o.fields:
            return Fact("set", o.line, f"set up by {o.callee}()")
        if o.zeroed:
            return Fact("null", o.line, f"zeroed by {o.callee}()")
        return Fact("uninit", o.line, f"not initialised by {o.callee}()")

    def forget_under(self, path: str) -> None:
        prefix = (path + "->", path + ".")
        for k in [k for k in self.facts if k.startswith(prefix)]:
            del self.facts[k]


@dataclass
class State:
    values: Values = field(default_factory=Values)
    setup: Setup = field(default_factory=Setup)
    resources: Resources = field(default_factory=Resources)
    slots: dict[str, CheckState] = field(default_factory=dict)  # by rule id
    failures: tuple[Failure, ...] = ()
    # what happened on this path and the calls on it, newest first, as shared
    # (item, rest) pairs: appending is O(1) and copies share the history;
    # ``events`` and ``calls`` give them as tuples, oldest first
    event_chain: tuple | None = None
    call_chain: tuple | None = None
    pending: tuple[Finding, ...] = ()  # candidates, reported if an error exit follows
    visits: dict[int, int] = field(default_factory=dict)

    @property
    def calls(self) -> tuple[CallRec, ...]:
        return _unchain(self.call_chain)

    @property
    def events(self) -> tuple[Event, ...]:
        return _unchain(self.event_chain)

    def note(self, event: Event) -> None:
        self.event_chain = (event, self.event_chain)

    def rendered_path(self, words: Words) -> list[PathStep]:
        """The path's failure tests and jumps, in the source's words (a finding's steps)."""
        return render_steps(self.events, words)

    def resolve(self, path: str) -> Expr | None:
        return self.values.env.get(path)

    def fact(self, path: str) -> Fact | None:
        return self.setup.fact(path)

    def copy(self) -> State:
        return State(self.values.copy(), self.setup.copy(), self.resources.copy(),
                     {k: v.copy() for k, v in self.slots.items()}, self.failures,
                     self.event_chain, self.call_chain, self.pending, dict(self.visits))

    def key(self) -> tuple:
        return (self.values.key(), self.setup.key(), self.resources.key(),
                tuple([v.key() for v in self.slots.values()]) if self.slots else None,
                bool(self.failures),
                frozenset([(f.rule_id, f.line, f.col) for f in self.pending]))

    def join(self, other: State) -> State:
        """One state that claims only what both agree on (for the path budget).

        Known values that differ are forgotten (unknown makes every check stay
        silent); what was done on either path (candidate findings, a check's
        own record) is kept. The path itself is this state's.
        """
        return State(
            self.values.join(other.values), self.setup.join(other.setup),
            self.resources.join(other.resources),
            {k: v.join(other.slots[k]) for k, v in self.slots.items()},
            self.failures, self.event_chain, self.call_chain,
            self.pending + tuple(f for f in other.pending if f not in self.pending),
            {k: max(v, other.visits.get(k, 0)) for k, v in self.visits.items()},
        )


def _common(x: dict, y: dict) -> dict:
    return {k: v for k, v in x.items() if y.get(k, _MISSING) == v}


_MISSING = object()


def _unchain(node: tuple | None) -> tuple:
    out = []
    while node is not None:
        out.append(node[0])
        node = node[1]
    return tuple(reversed(out))
