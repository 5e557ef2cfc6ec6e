"""What a file's calls do with a callee's result (kunwind/analysis/conventions.py)."""

from __future__ import annotations

from cfgutil import cfg_of

from kunwind.analysis.conventions import file_conventions

SOURCE = """
int foo(int x);
int bar(int x);
int user(int x)
{
    int ret = foo(x);
    if (ret)
        return ret;
    if (foo(x) < 0)
        return -EINVAL;
    ret = foo(x);
    if (bar(x) < 0)
        return 1;
    (void)foo(x);
    foo(x);
    return foo(x);
}
"""


def test_tested_dropped_and_neither() -> None:
    uses = file_conventions([cfg_of(SOURCE, "user")])
    foo = uses.of("foo")
    # tested: stored then tested, in a condition, returned; dropped: the plain
    # statement; neither: (void) and a store the block does not test
    assert (foo.tested, foo.dropped, foo.negative) == (3, 1, 1)
    assert (uses.of("bar").tested, uses.of("bar").negative) == (1, 1)
    assert uses.of("baz").tested == 0
