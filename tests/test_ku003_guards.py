"""KU003's guard test: a release under a test of the object, or of a flag of its holder."""

from __future__ import annotations

import pytest
from cfgutil import cfg_of

from kunwind.analysis.context import FunctionContext
from kunwind.analysis.summaries import summarize_file
from kunwind.knowledge import load_knowledge
from kunwind.model.ir import ExprStmt, calls_in
from kunwind.rules.ku003_unwind_over_release import _guarded

SOURCE = """
struct net_device;
struct vsi { struct net_device *netdev; int registered; int other; };
void unregister_netdev(struct net_device *d);
int flag_of(struct vsi *v);
void f(struct vsi *v, struct vsi *w) { if (%s) unregister_netdev(v->netdev); }
"""


@pytest.mark.parametrize("cond, guarded", [
    ("v->netdev", True),  # the object itself
    ("v->registered", True),  # a flag of the object that holds it
    ("!v->registered", True),
    ("w->registered", False),  # another object's flag
    ("flag_of(v)", False),  # a call: not a plain flag
])
def test_release_guards(cond: str, guarded: bool) -> None:
    fn = cfg_of(SOURCE % cond, "f")
    kb = load_knowledge()
    ctx = FunctionContext(fn, "f.c", summarize_file([fn], kb), kb)
    block = next(b.id for b in fn.blocks for s in b.stmts if isinstance(s, ExprStmt)
                 and any(c.callee == "unregister_netdev" for c in calls_in(s.expr)))
    assert _guarded(ctx, block, "v->netdev") == guarded
