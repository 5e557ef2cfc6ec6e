"""The pre-test that skips the walk of a function that can report nothing
(kunwind.analysis.quiet, Rule.at_normal_exits): what it takes for "no error exit",
and, over every fixture, that a skipped function's walk finds nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from cfgutil import cfg_of

from kunwind import pipeline
from kunwind.analysis.context import FunctionContext
from kunwind.analysis.quiet import may_fail, may_reach_error_exit
from kunwind.analysis.walk import Walker
from kunwind.config import Options
from kunwind.pair_uses import collect_uses
from kunwind.rules import Rule

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

QUIET = {
    "count": """
struct s { int n; int v[8]; };
int count(struct s *x) {
    int i, n = 0;
    for (i = 0; i < x->n; i++)
        if (x->v[i] > 3)
            n++;
    return n;
}""",
    "void_no_test": """
void touch(int *p) { g(*p); kfree(p); }""",
    "tested_not_returned": """
int pick(int x) {
    int n = 0;
    if (g(x))
        n = 2;
    return n;
}""",
}

ERROR_EXIT = {
    "errno": """
int check(int x) { if (x > 3) return -EINVAL; return 0; }""",
    "tested_result": """
int step(int x) { int ret = g(x); if (ret) return ret; return 0; }""",
    "void_after_failure": """
void make(void) { void *p = kmalloc(8, 0); if (!p) return; kfree(p); }""",
    "null_after_failure": """
void *make(void) { void *p = kmalloc(8, 0); if (!p) return NULL; return p; }""",
    "through_a_variable": """
int twice(int x) { int a = g(x); int b = a; if (b) return b; return 0; }""",
    "warn_on": """
void w(int x) { if (WARN_ON(g(x))) return; g(1); }""",
}


@pytest.mark.parametrize("name", sorted(QUIET))
def test_no_error_exit(name: str) -> None:
    source = QUIET[name]
    fn_name = source.split("(")[0].split()[-1]
    assert not may_reach_error_exit(cfg_of(source, fn_name))


@pytest.mark.parametrize("name", sorted(ERROR_EXIT))
def test_may_reach_an_error_exit(name: str) -> None:
    source = ERROR_EXIT[name]
    fn_name = source.split("(")[0].split()[-1].lstrip("*")
    assert may_reach_error_exit(cfg_of(source, fn_name))


def test_a_test_that_reads_no_call_cannot_fail() -> None:
    assert not may_fail(cfg_of(QUIET["count"], "count"))
    assert may_fail(cfg_of(QUIET["tested_not_returned"], "pick"))


def test_a_skipped_walk_would_have_found_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every function of every fixture whose walk the pre-test skips, walked anyway:
    no error exit, no finding (of any hook or ``on_function``), no pair use."""
    decide = pipeline._walk_can_report
    skipped: list[str] = []
    wrong: list[str] = []

    def walk_anyway(ctx: FunctionContext, rules: list[Rule]) -> bool:
        if decide(ctx, rules):
            return True
        skipped.append(ctx.fn.name)
        walk = Walker(ctx, rules).run()
        found = list(walk.findings)
        for r in rules:
            if r.on_function is not None:
                found.extend(r.on_function(ctx, walk))
        if found or walk.exits or collect_uses(ctx, walk):
            wrong.append(f"{ctx.file}: {ctx.fn.name}()")
        return False

    monkeypatch.setattr(pipeline, "_walk_can_report", walk_anyway)
    opts = Options(root=FIXTURES.parent, experimental=True, cross_file=False)
    for path in sorted(FIXTURES.rglob("*.c")):
        pipeline.run_pipeline(path, str(path.relative_to(FIXTURES.parent)), opts)
    assert skipped  # the pre-test does skip some
    assert not wrong
