"""What a callback whose failure nobody sees leaves to its paired callback.

Some functions cannot make their failure seen: they return void (a DRM bridge's
``.enable``), every same-file call of them drops their result (``foo_power_on(c);``
in a bias-level switch: ``Summary.result_unread``), or the framework does not act
on what the member they fill returns (the knowledge's ``[ignored_return]``: a
system-sleep ``.resume`` of ``struct dev_pm_ops``, an ASoC component's
``.resume``). Their caller goes on as if they had succeeded, and later calls their
other half: the ``.disable`` filled in the same initializer (``static const struct
foo_funcs f = { .enable = a, .disable = b }``), the ``.suspend`` of the same
``dev_pm_ops``, or the function that a caller of theirs also calls on the same
arguments (``foo_power_off(c)`` in the same switch). What that other half releases
on its main path (every path to its last return, or to a return of what a release
returns: ``if (x->vdd) return regulator_disable(x->vdd); return 0;``), unconditionally
(a path on which the object tested NULL has nothing to release), and never acquires
itself, is released after a failure too: the first half must leave it held, or the
release would drop it twice (``pm_runtime_get_sync()`` failed in ``.enable``;
``.disable`` always calls ``pm_runtime_put()``).

A function whose every same-file caller returns void (``foo_hw_on()``, called only
by ``foo_cable_in()``, which logs its failure and returns) has its failure end in
those callers: what their other halves release (``foo_cable_out()`` calls
``foo_hw_off()``), it leaves to them as well, named through the call's arguments.

A first half that undoes steps of its own on its failures (``clk_disable_unprepare(
pclk); return ret;`` when the next clock fails) unwinds itself: what it leaves held
on a failure from before such an unwind is its own leak (``left_to_sibling``).

A probe is no such function: it returns an int that its bus reads, and a failed
probe has no remove called. A suspend callback that takes the count itself and
drops it again (``pm_runtime_resume_and_get()`` ... ``pm_runtime_put_noidle()``)
releases nothing of what a resume left held.

The object is named as the two functions reach it from their parameters: a local
is replaced by the one value the function gives it, so that ``dsi->base.dev``
after ``dsi = to_dsi(bridge)`` is ``to_dsi($0)->base.dev`` in both halves
(``param_path``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from kunwind.knowledge import Knowledge, canonical
from kunwind.model.cfg import Block, Edge, Function
from kunwind.model.ir import (
    Assign,
    Binary,
    Call,
    Const,
    Expr,
    Member,
    Other,
    Return,
    Store,
    Unary,
    Var,
    calls_in,
    path_of,
    root_of,
    subexprs,
)

from .conditions import null_test
from .summaries import Summary, must_gen

if TYPE_CHECKING:
    from .context import FunctionContext

Tables = dict[str, tuple[str, dict[str, str]]]
Released = tuple[str, str]  # (the object as reached from the parameters, the release)
_DEPTH = 4  # locals given the value of another local, followed at most this deep
_PARAM = re.compile(r"\$(\d+)\b")


def failure_unseen(fn: Function, summary: Summary | None, tables: Tables,
                   kb: Knowledge) -> bool:
    """Can no caller see this function fail: it returns void, every same-file call of
    it drops its result, or it fills a member whose result the framework ignores? Or
    does the framework answer its failure by calling its other halves all the same (a
    member of the knowledge's ``[undone_by_pair]``: a comedi driver's ``.attach``,
    after whose failure the core calls ``.detach``)?"""
    if fn.returns_void or (summary is not None and summary.result_unread):
        return True
    return any(members.get(m) == fn.name for struct, members in tables.values()
               for m in (*kb.ignored_returns.get(struct, ()),
                         *kb.undone_by_pair.get(struct, ())))


def siblings(fn: Function, calls: list[list[tuple[str, tuple[str, ...] | None]]],
             tables: Tables) -> set[str]:
    """Its other halves: the functions filled in an initializer that fills it, and the
    ones that a same-file caller of it also calls with the same arguments (``calls``:
    per function of the file, the same-file functions it calls, with the arguments)."""
    out: set[str] = set()
    for _struct, members in tables.values():
        if fn.name in members.values():
            out.update(members.values())
    for made in calls:
        given = {args for callee, args in made if callee == fn.name and args is not None}
        out.update(callee for callee, args in made if given and args in given)
    out.discard(fn.name)
    return out


def _args(c: Call) -> tuple[str, ...] | None:
    paths = tuple(path_of(a) for a in c.args)
    return None if any(p is None for p in paths) else paths  # type: ignore[return-value]


def param_path(fn: Function, path: str, depth: int = 0) -> str | None:
    """``path`` (``dsi->base.dev``) as the function reaches it from its parameters, a
    parameter written ``$i``: ``to_dsi($0)->base.dev`` after ``dsi = to_dsi(bridge)``.
    None when its root is no parameter and no local given a single such value."""
    path = path.lstrip("&")
    root = root_of(path)
    base = _value(fn, root, depth)
    return None if base is None else base + path[len(root):]


def _value(fn: Function, name: str, depth: int) -> str | None:
    """A parameter or local in terms of the parameters (``param_path``)."""
    params = [p.name for p in fn.params]
    if name in params:
        return f"${params.index(name)}"
    if depth >= _DEPTH:
        return None
    values = {_expr(fn, s.value, depth + 1) for b in fn.blocks for s in b.stmts
              if isinstance(s, Store) and isinstance(s.target, Var) and s.target.name == name
              and s.value is not None}
    v = values.pop() if len(values) == 1 else None
    return v if v is not None and "$" in v else None


def _expr(fn: Function, e: Expr, depth: int) -> str | None:
    """An expression in terms of the parameters; None for what cannot be written so."""
    if isinstance(e, Assign):
        return _expr(fn, e.value, depth)
    if isinstance(e, Var):
        return _value(fn, e.name, depth)
    if isinstance(e, Member):
        base = _expr(fn, e.base, depth)
        return None if base is None else f"{base}{'->' if e.arrow else '.'}{e.name}"
    if isinstance(e, Call):
        args = [_expr(fn, a, depth) for a in e.args]
        return None if any(a is None for a in args) else f"{e.callee}({','.join(args)})"  # type: ignore[arg-type]
    if isinstance(e, Unary) and e.op in ("&", "*"):
        inner = _expr(fn, e.operand, depth)
        return None if inner is None else e.op + inner
    if isinstance(e, Binary):  # container_of(): __mptr - offsetof(...)
        lhs, rhs = _expr(fn, e.lhs, depth), _expr(fn, e.rhs, depth)
        return None if lhs is None or rhs is None else f"({lhs}{e.op}{rhs})"
    if isinstance(e, Const):
        return str(e.value)
    if isinstance(e, Other):  # offsetof(struct foo, dev): its parts
        parts = [_expr(fn, x, depth) for x in e.parts]
        if any(x is None for x in parts):
            return None
        return f"{e.text}[{','.join(parts)}]" if parts else e.text  # type: ignore[arg-type]
    return None


def main_releases(fn: Function, kb: Knowledge, functions: dict[str, Function],
                  memo: dict[str, set[Released]]) -> set[Released]:
    """What ``fn`` releases on every path to its last return (its main path), of the
    objects it reaches from its parameters and never acquires itself: by a release of
    the knowledge, or through a same-file function that releases it so."""
    if fn.name in memo:
        return memo[fn.name]
    memo[fn.name] = set()  # a recursive call releases nothing more
    gen: dict[int, set[Released]] = {}
    acquired: set[str] = set()
    for b in fn.blocks:
        g: set[Released] = set()
        for c in (c for e in b.exprs() for c in calls_in(e)):
            a = kb.acquire(c.callee)
            if a is not None and isinstance(a.object, int) and a.object < len(c.args):
                p = path_of(c.args[a.object])
                k = param_path(fn, p) if p is not None else None
                if k is not None:
                    acquired.add(k)
            rel = kb.release(c.callee)
            if rel is not None and rel.arg < len(c.args):
                p = path_of(c.args[rel.arg])
                k = param_path(fn, p) if p is not None else None
                if k is not None:
                    g.add((k, c.callee))
            callee = functions.get(c.callee)
            if callee is not None and callee is not fn:
                args = [_expr(fn, a, 0) for a in c.args]
                for k, r in main_releases(callee, kb, functions, memo):
                    mapped = _given(k, args)
                    if mapped is not None:
                        g.add((mapped, r))
        gen[b.id] = g

    made = {x for g in gen.values() for x in g}

    def tested_null(b: Block, e: Edge) -> set[Released]:
        """``if (x)``'s false edge: x is NULL from there, with nothing to release: each
        release of it the function makes is as good as made there (``if (x) foo_put(x);``
        releases x on every path)."""
        t = null_test(b.cond) if b.cond is not None and e.kind in ("true", "false") else None
        k = param_path(fn, t[0]) if t is not None and (e.kind == "true") == t[1] else None
        return {(k, "")} | {x for x in made if x[0] == k} if k is not None else set()

    must = must_gen(fn, gen, tested_null)
    # a return no path reaches (after a mutation, or dead code) has no facts
    ends = [b for b in _last_returns(fn) + _release_results(fn, kb) if b in must]
    found = {(k, r) for b in ends for k, r in must[b] if r and k not in acquired}
    memo[fn.name] = {(k, r) for k, r in found
                     if all((k, r) in must[b] or (k, "") in must[b] for b in ends)}
    return memo[fn.name]


def _release_results(fn: Function, kb: Knowledge) -> list[int]:
    """The blocks that return what a release returns (``return regulator_disable(
    x);``): the function succeeds as that release does, they end its main path too."""
    return [b.id for b in fn.blocks for s in b.stmts if isinstance(s, Return)
            and isinstance(s.value, Call) and kb.release(s.value.callee) is not None]


def _given(key: str, args: list[str | None]) -> str | None:
    """A callee's ``key`` in its caller's terms: each ``$i`` replaced by what the call
    gives parameter i; None when the call gives one that cannot be named so."""
    missing = [int(i) for i in _PARAM.findall(key)
               if int(i) >= len(args) or args[int(i)] is None]
    if missing:
        return None
    return _PARAM.sub(lambda m: args[int(m.group(1))] or "", key)


def _last_returns(fn: Function) -> list[int]:
    """The blocks that end the function's main path: of those that go to its exit,
    the ones with the last return in the text (a fall-through to the end counts as
    its closing brace)."""
    reach = fn.reachable_from(fn.entry)
    ends = [b for b in fn.preds()[fn.exit] if b in reach]

    def line(bid: int) -> int:
        rets = [s.loc.line for s in fn.blocks[bid].stmts if isinstance(s, Return)]
        return max(rets) if rets else fn.end_line

    last = max((line(b) for b in ends), default=0)
    return [b for b in ends if line(b) == last]


def with_sibling_releases(functions: list[Function], summaries: dict[str, Summary],
                          tables: Tables, kb: Knowledge) -> dict[str, Summary]:
    """``summaries`` with ``left_to_siblings`` filled in for each function whose
    failure nobody sees (new Summary objects, as ``callers.with_caller_releases``)."""
    by_name = {fn.name: fn for fn in functions}
    calls = [[(c.callee, _args(c)) for b in f.blocks for e in b.exprs() for c in calls_in(e)
              if c.callee in by_name] for f in functions]
    memo: dict[str, set[Released]] = {}
    sites: dict[str, list[tuple[Function, Call]]] = {}
    for f in functions:
        for c in (c for b in f.blocks for e in b.exprs() for c in calls_in(e)):
            if c.callee in by_name and c.callee != f.name:
                sites.setdefault(c.callee, []).append((f, c))

    def released(g: str) -> set[Released]:
        return main_releases(by_name[g], kb, by_name, memo) if g in by_name else set()

    def left_by_caller(f: Function, c: Call, fn: Function) -> set[Released]:
        """What the other halves of a caller ``f`` release of ``fn``'s objects."""
        found = set().union(*(released(g) for g in siblings(f, calls, tables) if g != fn.name))
        taken = {(_taken(k, f, c, fn), r) for k, r in found}
        return {(k, r) for k, r in taken if k is not None}

    out = dict(summaries)
    for fn in functions:
        s = summaries.get(fn.name)
        if s is None:
            continue
        left: set[Released] = set()
        if failure_unseen(fn, s, tables, kb):
            for g in sorted(siblings(fn, calls, tables)):
                left |= released(g)
        mine = sites.get(fn.name, [])
        if mine and all(f.returns_void for f, _ in mine):
            # every caller is void: the failure ends there, and the callers' other
            # halves run all the same (foo_cable_in() fails, foo_cable_out() follows)
            left |= set.intersection(*(left_by_caller(f, c, fn) for f, c in mine))
        if left:
            out[fn.name] = replace(s, left_to_siblings=left)
    return out


def _taken(key: str, caller: Function, call: Call, fn: Function) -> str | None:
    """A caller's ``key`` in terms of ``fn``'s parameters, through the arguments of
    ``call`` (``$0->supplies`` of the caller that calls ``fn(ctx)`` with its ``$0``):
    None when no argument leads to it."""
    for i, a in enumerate(_expr(caller, x, 0) for x in call.args):
        if a is not None and (key == a or key.startswith(a) and key[len(a)] in "-."):
            return f"${i}{key[len(a):]}" if i < len(fn.params) else None
    return None


def released_by_sibling(fn: Function, summary: Summary | None, path: str,
                        releases: Iterable[str]) -> str | None:
    """The release that a paired callback makes of ``path``, which ``fn`` holds at an
    error exit that no caller sees (``Summary.left_to_siblings``), or None."""
    if summary is None or not summary.left_to_siblings:
        return None
    key = param_path(fn, path)
    if key is None:
        return None
    names = set(releases)
    return next((r for k, r in sorted(summary.left_to_siblings)
                 if k == key and (r in names or canonical(r) in names)), None)


def left_to_sibling(ctx: FunctionContext, path: str, releases: Iterable[str],
                    failed: int | None = None) -> str | None:
    """The release by which a paired callback drops ``path``, held at an error exit of
    this function that no caller sees, when this function leaves it held when it
    succeeds (a resume that enables what its suspend disables); None otherwise.
    ``failed``: the block of the failure test the error path took, if any. A function
    that undoes steps of its own on failures from there on (``clk_disable_unprepare(
    pclk); return ret;`` when the next clock fails) unwinds what it set up itself: it
    owes ``path`` too, whatever its other half does later."""
    if (again := released_by_another_call(ctx, path, releases)) is not None:
        return again
    if not _kept_on_success(ctx, path):
        return None  # it drops it itself before it returns success: a bracket of its own
    if failed is not None and _unwinds_from(ctx, failed):
        return None
    return released_by_sibling(ctx.fn, ctx.summary(ctx.fn.name), path, releases)


def released_by_another_call(ctx: FunctionContext, path: str,
                             releases: Iterable[str]) -> str | None:
    """The release by which a later call of this same function drops ``path``, when no
    caller sees it fail and it is both halves of a pair, told apart by a test of its
    parameters alone: a DAPM widget's ``.event`` enables the clock for
    ``SND_SOC_DAPM_PRE_PMU`` and disables it for ``SND_SOC_DAPM_POST_PMD``, and the
    framework, which only logs a failed event, powers the widget down later all the
    same. So: an acquisition of ``path`` on one side of such a test, and a release of
    it (one of ``releases``) on the other side only; None otherwise."""
    if not failure_unseen(ctx.fn, ctx.summary(ctx.fn.name), ctx.tables, ctx.kb):
        return None
    names = set(releases)
    acquired = [site.block for site in ctx.acquisitions.get(path, ())]
    released = [site for p, site in ctx.release_sites if p == path and
                (site.callee in names or canonical(site.callee) in names)]
    if not acquired or not released:
        return None
    params = {p.name for p in ctx.fn.params}
    for b in ctx.fn.blocks:
        if b.cond is None or len(b.succs) != 2 or not _reads_only(b.cond, params):
            continue
        sides = [ctx.reachable(e.dst) | {e.dst} for e in b.succs]
        for i in (0, 1):
            one, other = sides[i], sides[1 - i]
            if any(a in one and a not in other for a in acquired):
                site = next((r for r in released if r.block in other and r.block not in one),
                            None)
                if site is not None:
                    return site.callee
    return None


def _reads_only(cond: Expr, params: set[str]) -> bool:
    """Does the test read parameters and constants only (``event & 0x3``)?"""
    names = [x.name for x in subexprs(cond) if isinstance(x, Var)]
    return bool(names) and set(names) <= params and not any(True for _ in calls_in(cond))


def _unwinds_from(ctx: FunctionContext, block: int) -> bool:
    """Does a path from ``block`` undo a step of the function's own on a failure: release
    an object it acquired (not a lock or a count: an unlock is no unwind) in a block
    that leads to no success return?"""
    reach = ctx.reachable(block)
    success = {b.id for b in ctx.fn.blocks for s in b.stmts if isinstance(s, Return)
               and isinstance(s.value, Const) and s.value.value == 0}
    for p, site in ctx.release_sites:
        if site.block not in reach or ctx.reachable(site.block) & success:
            continue
        acquires = [ctx.kb.acquire(a.callee) for a in ctx.acquisitions.get(p, ())]
        if acquires and any(a is None or not a.kind.is_hold for a in acquires):
            return True
    return False


def _kept_on_success(ctx: FunctionContext, path: str) -> bool:
    """Does the function leave ``path`` held when it succeeds: no release of it leads
    to a ``return 0``? A void function must not release it anywhere; an unwind step
    of its own that only leads to error returns (``clk_unprepare(aq->pclk); return
    ret;`` when the second clock fails) does not count."""
    sites = [s for p, s in ctx.release_sites if p == path]
    if not sites:
        return True
    if ctx.fn.returns_void:
        return False
    success = {b.id for b in ctx.fn.blocks for s in b.stmts if isinstance(s, Return)
               and isinstance(s.value, Const) and s.value.value == 0}
    return not any(ctx.reachable(s.block) & success for s in sites)
