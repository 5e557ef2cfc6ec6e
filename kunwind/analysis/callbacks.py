"""What a call through a member that holds a function does, from the functions the
file puts there.

``rt->output(rt, skb)`` calls whatever function ``rt->output`` holds. When the
file itself gives that member every value it has (``rt->output = foo_discard``,
``rt->output = rtfn`` with ``rtfn`` one of its functions, ``.output = foo_send``
in a static table) and every one of those functions consumes an argument on
every path (its summary's ``consumes``, or ``releases_always``: an skb it frees
on its errors and sends otherwise), the member's contract is to consume it: the
call consumes it too. A member given anything else (a parameter, a call's
result, a function the file does not define) tells nothing. The summaries are
keyed by ``CALLBACK`` and the member's name (``member_key``), a key no function
name can be.

A function of the file or a header that calls through such a member
(``pool->ops->destroy(pool)`` in a header's ``bar_pool_free()``) is summarised
again with the member's summary under the call's own name (``member_calls``):
the helper then consumes what the member's functions consume.
"""

from __future__ import annotations

from kunwind.model.cfg import Function
from kunwind.model.ir import Call, Const, Expr, Member, Store, Var, calls_in

from .idioms import function_named
from .summaries import Summary, exprs_of

CALLBACK = "->"  # the key prefix of a member's summary: "->output"


def member_key(call: Call) -> str | None:
    """The summary key of an indirect call through a member (``rt->output(...)``)."""
    f = call.fn
    return CALLBACK + f.name if call.indirect and isinstance(f, Member) else None


def callback_summaries(functions: list[Function], summaries: dict[str, Summary],
                       tables: dict[str, tuple[str, dict[str, str]]]) -> dict[str, Summary]:
    """The summaries of the members the file gives only its own functions, for the
    arguments every one of them consumes."""
    given: dict[str, set[str] | None] = {}

    def add(member: str, names: set[str] | None) -> None:
        old = given.get(member, set())
        given[member] = None if old is None or names is None else old | names

    for fn in functions:
        mine = {p.name for p in fn.params}
        stores = [s for b in fn.blocks for s in b.stmts if isinstance(s, Store)]
        mine |= {s.target.name for s in stores if s.decl and isinstance(s.target, Var)}
        for s in stores:
            if isinstance(s.target, Member) and s.value is not None:
                add(s.target.name, _functions(s.value, fn, mine, stores, summaries))
    for _struct, members in tables.values():
        for member, name in members.items():
            add(member, {name} if name in summaries else None)
    out: dict[str, Summary] = {}
    for member, names in given.items():
        if not names:
            continue
        taken = set.intersection(*(summaries[n].consumes | summaries[n].releases_always
                                   for n in names))
        if taken:
            key = CALLBACK + member
            out[key] = Summary(key, [], consumes=set(taken), escapes=set(taken))
    return out


def member_calls(functions: list[Function],
                 summaries: dict[str, Summary]) -> dict[str, Summary]:
    """The member summaries (``callback_summaries``) under the names of the calls
    through those members in ``functions`` (``pool->ops->destroy``), the name a
    caller's summary looks its callee up by."""
    out: dict[str, Summary] = {}
    for fn in functions:
        for _line, e, _target in exprs_of(fn):
            for c in calls_in(e):
                key = member_key(c)
                if key is not None and key in summaries and c.callee not in summaries:
                    out[c.callee] = summaries[key]
    return out


def _functions(value: Expr, fn: Function, mine: set[str], stores: list[Store],
               summaries: dict[str, Summary]) -> set[str] | None:
    """The file's functions ``value`` names: a function (``foo``, ``&foo``), NULL (none),
    or a local of ``fn`` that the function gives only such values; None for anything
    else."""
    if isinstance(value, Const) and value.value == 0:
        return set()
    name = function_named(value)
    if name is None:
        return None
    if name not in mine:
        return {name} if name in summaries else None
    if name in {p.name for p in fn.params}:
        return None
    out: set[str] = set()
    for s in stores:
        if isinstance(s.target, Var) and s.target.name == name and s.value is not None:
            v = function_named(s.value)
            if v is None or v in mine or v not in summaries:
                return None
            out.add(v)
    return out
