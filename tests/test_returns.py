"""The signs a function's result can have (``analysis/returns.py``, ``Summary.ret_signs``).

A failure test of a call that cannot fail has no error branch: these tests
pin what the summary says a function returns, overall, for a value of a
flag, and when a pointer it is given is not NULL.
"""

from __future__ import annotations

from cfgutil import cfg_of

from kunwind.analysis.constants import ANY_SIGN, NEGATIVE, POSITIVE, ZERO
from kunwind.analysis.summaries import summarize_file
from kunwind.knowledge import load_knowledge

SOURCE = """
int alloc_id(int *p);
static int zero(int *p) { *p = 1; return 0; }
static int through_local(int *p)
{
    int ret = 0;
    if (*p)
        ret = zero(p);
    return ret;
}
static int may_fail(int *p) { if (*p) return -EINVAL; return 0; }
static int count(int *p) { return *p > 3 ? 3 : 1; }
static int unknown(int *p) { return alloc_id(p); }
static int flagged(int *p, int defer)
{
    *p = -1;
    if (defer)
        return 0;
    return alloc_id(p);
}
static int by_mode(int *p, int mode)
{
    switch (mode) {
    case 1: return 0;
    default: return alloc_id(p);
    }
}
struct q { void *va; int n; };
static int fill(struct q *q, int n, void *va)
{
    struct q *m = q;
    m->n = n;
    m->va = va;
    if (!m->va)
        return -ENOMEM;
    return 0;
}
static int fill_late(struct q *q, void *va)
{
    if (!q->va)
        return -ENOMEM;
    q->va = va;
    return 0;
}
static int fill_then_call(struct q *q, void *va)
{
    q->va = va;
    g(1);
    if (!q->va)
        return -ENOMEM;
    return 0;
}
"""

NAMES = ["zero", "through_local", "may_fail", "count", "unknown", "flagged", "by_mode",
         "fill", "fill_late", "fill_then_call"]


def summaries():
    fns = [cfg_of(SOURCE, n) for n in NAMES]
    return summarize_file(fns, load_knowledge([]))


def test_overall_signs() -> None:
    s = summaries()
    assert s["zero"].ret_signs == ZERO
    assert s["through_local"].ret_signs == ZERO  # every value stored in ret is 0
    assert s["may_fail"].ret_signs == NEGATIVE | ZERO
    assert s["count"].ret_signs == POSITIVE
    assert s["unknown"].ret_signs == ANY_SIGN


def test_signs_for_a_flag_value() -> None:
    s = summaries()
    assert s["flagged"].ret_signs_when == {1: {1: ZERO}}  # defer=1: it returns 0
    assert s["by_mode"].ret_signs_when == {1: {1: ZERO}}


def test_signs_when_a_pointer_is_not_null() -> None:
    s = summaries()
    assert s["fill"].ret_signs_nonnull == {2: ZERO}  # va stored in m->va, then tested
    # tested before the store: the field held something else
    assert s["fill_late"].ret_signs_nonnull == {}
    # a call between the store and the test may have written the field
    assert s["fill_then_call"].ret_signs_nonnull == {}
