"""What a function's callers in the same file release when it fails (a caller contract).

A constructor step often stores into the caller's object and, when a later step
fails, returns the error without freeing what it stored: the caller's own unwind
frees the whole object, fields included (``err = foo_create_groups(ft); if (err)
goto err; ... err: foo_destroy_table(ft);`` where the destroy function does
``kfree(ft->g)``). Freeing the field in the step as well would be a double free.

For each function and each of its pointer parameters, this pass collects the
fields that every same-file caller releases on the failure branch of its call:
a release reachable from the edge on which the caller's test of the call's
result says it failed, of the argument's field (``kfree(ft->g)``), or through a
callee whose summary releases that field of the argument (same file or another
file's summary), or of a field the caller stored the argument in (``ti->private =
ic``, then ``foo_dtr(ti)`` frees ``ti->private->tfm``: ``ic->tfm``). A function no
caller in the file calls has no such fields: without a caller to read, nothing is
assumed. A caller that fails with the call (every return reached from the
failure edge returns something other than a constant that is not negative:
``ret = foo_create_entity(dev); if (ret) return ret;``) and passed one of its
own parameters there owes what its own callers free of that parameter when it
fails: the fields are carried down, up to four levels (``dvb_register_device()``
frees ``dvbdev->entity`` after ``dvb_register_media_device(dvbdev)`` failed
with ``dvb_create_media_entity(dvbdev)``). KU002 names a field reached through a local
that the function assigns once from its parameter's field as that field (``fusion =
instance->ctrl_context; fusion->sense = ...`` fills ``ctrl_context->sense``).

The functions every caller calls on an argument there are collected the same way
(``caller_calls``): an unwind step that a sibling exit of the function makes on its
parameter (``qlt_mem_free(ha)``) and that every caller makes on what it passed
(``qla2x00_mem_free(ha)`` calls it) is the caller's to make.
"""

from __future__ import annotations

import re
from dataclasses import replace

from kunwind.knowledge import Knowledge
from kunwind.model.cfg import Function
from kunwind.model.ir import (
    VOID_CAST,
    Assign,
    Call,
    Const,
    Expr,
    ExprStmt,
    Member,
    Other,
    Return,
    Store,
    Var,
    calls_in,
    path_of,
    stmt_exprs,
)

from .conditions import failure_check
from .conventions import dropped_call
from .idioms import function_named
from .summaries import Summary, pseudo_field

# parameter index -> names: fields of it a caller releases, or functions it calls on it
PerParam = dict[int, set[str]]


def callers_release(functions: list[Function], summaries: dict[str, Summary],
                    kb: Knowledge) -> dict[str, tuple[PerParam, PerParam]]:
    """Function name -> (parameter index -> the fields of that parameter that every
    same-file caller releases when the call fails, parameter index -> the functions
    every such caller calls on that argument when the call fails, themselves or in
    the same-file functions they call: ``qla2x00_mem_free(ha)`` calls
    ``qlt_mem_free(ha)``)."""
    names = {fn.name for fn in functions}
    found: dict[str, list[tuple[PerParam, PerParam]]] = {}
    # sites whose failure the caller passes up: (callee, index among its sites,
    # caller, argument index -> the caller's parameter index it passes there)
    passed_up: list[tuple[str, int, str, dict[int, int]]] = []
    for caller in functions:
        params = {p.name: k for k, p in enumerate(caller.params)}
        for b in caller.blocks:
            for e in b.exprs():
                for call in calls_in(e):
                    if call.callee in names and call.callee != caller.name:
                        sites = found.setdefault(call.callee, [])
                        sites.append(_released_on_failure(caller, b.id, call, summaries, kb))
                        lent = {j: params[a.name] for j, a in enumerate(call.args)
                                if isinstance(a, Var) and a.name in params}
                        if lent and _fails_too(caller, b.id, call):
                            passed_up.append((call.callee, len(sites) - 1, caller.name, lent))
    out: dict[str, tuple[PerParam, PerParam]] = {}
    for _ in range(4):  # a caller that fails with its callee owes what its callers free
        out = {}
        for name, sites in found.items():
            fields = _common([f for f, _ in sites])
            calls = _common([c for _, c in sites])
            if fields or calls:
                out[name] = (fields, calls)
        grew = False
        for name, k, caller_name, lent in passed_up:
            above = out.get(caller_name, ({}, {}))[0]
            mine = found[name][k][0]
            for j, i in lent.items():
                if not above.get(i, set()) <= mine.get(j, set()):
                    mine.setdefault(j, set()).update(above[i])
                    grew = True
        if not grew:
            break
    return out


def _fails_too(caller: Function, block: int, call: Call) -> bool:
    """Does the caller, where its test of ``call``'s result says it failed, fail too:
    every return reachable from that edge returns something other than a constant
    that is not negative (``if (ret) return ret;``)?"""
    start = _failure_edge(caller, block, call)
    if start is None:
        return False
    returns = [s for i in caller.reachable_from(start) for s in caller.blocks[i].stmts
               if isinstance(s, Return)]
    return bool(returns) and all(
        s.value is not None and not (isinstance(s.value, Const) and s.value.value >= 0)
        for s in returns)


def _common(sites: list[PerParam]) -> PerParam:
    """What every site has, per parameter."""
    common = sites[0]
    for other in sites[1:]:
        common = {i: common[i] & other[i] for i in common.keys() & other.keys()}
    return {i: f for i, f in common.items() if f}


def _released_on_failure(caller: Function, block: int, call: Call,
                         summaries: dict[str, Summary],
                         kb: Knowledge) -> tuple[PerParam, PerParam]:
    """Argument index -> the fields of that argument the caller releases after the
    call fails, and argument index -> the functions it calls on that argument then
    (both empty when its failure test cannot be found)."""
    start = _failure_edge(caller, block, call)
    if start is None:
        return {}, {}
    reach = caller.reachable_from(start)
    out: PerParam = {}
    called: PerParam = {}
    args = {j: p for j, a in enumerate(call.args) if (p := path_of(a)) is not None
            and not p.startswith("&")}
    holders = _holders(caller)
    destroyed = _destructor_frees(caller, block, call, summaries, kb)
    aliases = _param_field_locals(caller)
    for j, base in args.items():
        for h in (base, aliases.get(base)):
            fields = {d[len(h) + 2:] for d in destroyed if h and d.startswith(h + "->")}
            if fields:
                out.setdefault(j, set()).update(fields)
    for b in (caller.blocks[i] for i in sorted(reach)):
        for e in b.exprs():
            for c in calls_in(e):
                for j, base in args.items():
                    fields = set().union(*(_fields_released(c, h, summaries, kb)
                                           for h in [base, *holders.get(base, ())]))
                    if fields:
                        out.setdefault(j, set()).update(fields)
                    if any(path_of(a) == base for a in c.args):
                        s = summaries.get(c.callee)
                        called.setdefault(j, set()).update(
                            {c.callee} | (s.calls if s is not None else set()))
    return out, called


def _destructor_frees(caller: Function, block: int, call: Call,
                      summaries: dict[str, Summary], kb: Knowledge) -> set[str]:
    """The paths the destructors that the caller set before ``call`` on its parameters'
    objects free (``card->private_free = foo_free``, with ``foo_free(card)`` freeing
    ``card->private_data->buf``: ``card->private_data->buf``). The owner of such an
    object frees it when the caller fails, and its free runs the destructor
    (``[destructor_member]``)."""
    params = {p.name for p in caller.params}
    out: set[str] = set()
    for b in caller.blocks:
        for s in b.stmts:
            if not isinstance(s, Store) or s.op != "=" or not isinstance(s.target, Member) or \
                    s.target.name not in kb.destructor_members or \
                    (b.id == block and s.loc.line >= call.loc.line) or \
                    block not in caller.reachable_from(b.id):
                continue
            obj, fn = path_of(s.target.base), function_named(s.value)
            d = summaries.get(fn) if fn is not None else None
            if obj in params and d is not None:
                out.update(f"{obj}->{f}" for f in d.releases_fields.get(0, ())
                           if not pseudo_field(f))
    return out


def _param_field_locals(fn: Function) -> dict[str, str]:
    """The locals assigned once, from a field of a parameter that is never assigned
    (``chip = card->private_data``): local -> that field's path."""
    params = {p.name for p in fn.params}
    stores: dict[str, list[Expr | None]] = {}
    for b in fn.blocks:
        for s in b.stmts:
            if isinstance(s, Store) and isinstance(s.target, Var) and \
                    not (s.decl and s.value is None):
                stores.setdefault(s.target.name, []).append(s.value if s.op == "=" else None)
    out: dict[str, str] = {}
    for name, values in stores.items():
        p = path_of(values[0]) if len(values) == 1 and values[0] is not None else None
        if name not in params and p is not None and "->" in p and \
                p.split("->", 1)[0] in params and p.split("->", 1)[0] not in stores:
            out[name] = p
    return out


def _failure_edge(fn: Function, block: int, call: Call) -> int | None:
    """The block the caller enters when its test of ``call``'s result says it failed:
    the test in the call's own block or in the straight-line blocks that follow it."""
    results: set[str] = set()
    b = fn.blocks[block]
    for s in b.stmts:
        if isinstance(s, Store) and isinstance(s.target, Var) and _is(s.value, call):
            results.add(s.target.name)
    for _ in range(4):
        if b.cond is not None:
            chk = failure_check(b.cond, lambda n: call if n in results else None)
            if chk is None or chk.callee != call.callee or len(b.succs) != 2:
                return None
            return b.succs[0].dst if chk.fails_when else b.succs[1].dst
        if len(b.succs) != 1:
            return None
        b = fn.blocks[b.succs[0].dst]
        if any(isinstance(s, Store) and isinstance(s.target, Var) and s.target.name in results
               for s in b.stmts):
            return None  # the result is overwritten before it is tested
    return None


def _is(value: Expr | None, call: Call) -> bool:
    if isinstance(value, Assign):
        value = value.value
    return value is call


def _holders(caller: Function) -> dict[str, set[str]]:
    """The fields the caller stores a pointer in, once (``ti->private = ic``): the
    pointer's path -> those fields' paths. A callee given the holder's object
    (``foo_dtr(ti)``) that frees ``ti->private->buf`` frees ``ic->buf``."""
    stores: dict[str, str | None] = {}
    for b in caller.blocks:
        for s in b.stmts:
            if not isinstance(s, Store) or isinstance(s.target, Var):
                continue
            target = path_of(s.target)
            if target is None or "->" not in target or "[" in target:
                continue
            value = path_of(s.value) if s.op == "=" and s.value is not None else None
            stores[target] = value if target not in stores else None
    out: dict[str, set[str]] = {}
    for target, value in stores.items():
        if value is not None and not value.startswith("&") and \
                not target.startswith(value + "->"):
            out.setdefault(value, set()).add(target)
    return out


def _fields_released(c: Call, base: str, summaries: dict[str, Summary],
                     kb: Knowledge) -> set[str]:
    """The fields of ``base`` that the call ``c`` releases: its released argument is
    ``base->f``, or its callee's summary releases field ``f`` of an argument ``base``,
    or a path below an argument that runs through ``base`` (``private->buf`` of an
    argument ``ti``, for ``base`` ``ti->private``)."""
    out: set[str] = set()
    prefix = base + "->"
    rel = kb.release(c.callee)
    if rel is not None and rel.arg < len(c.args):
        p = path_of(c.args[rel.arg])
        if p is not None and p.startswith(prefix):
            out.add(p[len(prefix):])
    s = summaries.get(c.callee)
    if s is not None:
        for k, a in enumerate(c.args):
            p = path_of(a)
            if p is None or p.startswith("&"):
                continue
            out.update(q[len(prefix):] for f in s.releases_fields.get(k, ())
                       if not pseudo_field(f) and (q := f"{p}->{f}").startswith(prefix))
            if p.startswith(prefix) and k in s.releases:
                out.add(p[len(prefix):])
    return out


def unread_results(functions: list[Function], text: bytes | None) -> set[str]:
    """The file's static functions whose result no caller reads: every call of them
    in the file is a statement of its own (``foo_patch_tables(rdev);``, or
    ``(void)foo_patch_tables(rdev);``), and the text
    names them nowhere but before a ``(`` (no table or pointer hands them to code
    that could read it). An error one of them loses inside reaches nobody."""
    if text is None:
        return set()
    names = {fn.name for fn in functions if fn.static and not fn.returns_void}
    dropped: dict[str, list[bool]] = {}
    for caller in functions:
        for b in caller.blocks:
            for s in b.stmts:
                alone = dropped_call(s) or _voided_call(s)
                for e in stmt_exprs(s):
                    for c in calls_in(e):
                        if c.callee in names:
                            dropped.setdefault(c.callee, []).append(c is alone)
            for c in calls_in(b.cond) if b.cond is not None else ():
                if c.callee in names:
                    dropped.setdefault(c.callee, []).append(False)
    src = text.decode(errors="replace")
    return {name for name, uses in dropped.items() if all(uses) and not re.search(
        rf"\b{re.escape(name)}\b(?!\s*\()", src)}


def _voided_call(s: object) -> Call | None:
    """``(void)foo(x);``: a direct call whose result the statement drops on purpose."""
    if isinstance(s, ExprStmt) and isinstance(s.expr, Other) and s.expr.text == VOID_CAST:
        inner = s.expr.parts[0] if s.expr.parts else None
        if isinstance(inner, Call) and not inner.indirect:
            return inner
    return None


def with_caller_releases(functions: list[Function], summaries: dict[str, Summary],
                         kb: Knowledge, text: bytes | None = None) -> dict[str, Summary]:
    """``summaries`` with each same-file function's ``caller_releases`` filled in, and
    ``result_unread`` from the file's ``text`` (new Summary objects: the others may
    be shared with other files' runs)."""
    out = dict(summaries)
    for name, (fields, calls) in callers_release(functions, summaries, kb).items():
        if name in out:
            out[name] = replace(out[name], caller_releases=fields, caller_calls=calls)
    for name in unread_results(functions, text):
        if name in out:
            out[name] = replace(out[name], result_unread=True)
    return out
