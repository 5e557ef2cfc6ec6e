"""Failure checks and error exits, as the walk sees them on small functions."""

from __future__ import annotations

import pytest
from cfgutil import cfg_of

from kunwind.analysis.conditions import error_value, failure_check, null_test
from kunwind.model.ir import Call, Store, path_of

DECLS = """
struct dev { int *regs; };
int *get(void);
int setup(void);
void *ERR_PTR(long e);
long PTR_ERR(const void *p);
int PTR_ERR_OR_ZERO(const void *p);
int IS_ERR(const void *p);
int IS_ERR_OR_NULL(const void *p);
"""


def first_cond(body: str, decls: str = ""):
    fn = cfg_of(DECLS + decls + "int f(struct dev *d) { int *p; int err; " + body +
                " return 0; }", "f")
    env = {}
    for b in fn.blocks:
        for s in b.stmts:
            if isinstance(s, Store) and path_of(s.target):
                env[path_of(s.target)] = s.value
        if b.cond is not None:
            return b.cond, env.get
    raise AssertionError("no branch")


@pytest.mark.parametrize(
    "body, fails_when, callee",
    [
        ("p = get(); if (!p) return -1;", True, "get"),
        ("p = get(); if (p == NULL) return -1;", True, "get"),
        ("p = get(); if (NULL != p) return 1;", False, "get"),
        ("p = get(); if (p) return 1;", False, "get"),
        ("p = get(); if (IS_ERR(p)) return 1;", True, "get"),
        ("p = get(); if (IS_ERR_OR_NULL(p)) return 1;", True, "get"),
        ("p = get(); if (!IS_ERR(p)) return 1;", False, "get"),
        ("err = setup(); if (err) return err;", True, "setup"),
        ("err = setup(); if (err != 0) return err;", True, "setup"),
        ("err = setup(); if (err < 0) return err;", True, "setup"),
        ("err = setup(); if (!err) return 1;", False, "setup"),
        ("err = setup(); if (unlikely(err)) return err;", True, "setup"),
        ("if (setup()) return 1;", True, "setup"),
        ("if (!(p = get())) return 1;", True, "get"),
        ("d->regs = get(); if (!d->regs) return 1;", True, "get"),
        ("p = get(); if (WARN_ON(!p)) return 1;", True, "get"),
        # the IS_ERR() test of p, however written: the call that made p failed
        ("p = get(); err = PTR_ERR_OR_ZERO(p); if (err) return err;", True, "get"),
        ("p = get(); if (PTR_ERR_OR_ZERO(p)) return 1;", True, "get"),
        # a given error pointer: p is an ERR_PTR() there
        ("p = get(); if (p == ERR_PTR(-19)) return PTR_ERR(p);", True, "get"),
        ("p = get(); if (ERR_PTR(-19) != p) return 1;", False, "get"),
    ],
)
def test_failure_checks(body: str, fails_when: bool, callee: str) -> None:
    cond, resolve = first_cond(body)
    chk = failure_check(cond, resolve)
    assert chk is not None, body
    assert chk.fails_when is fails_when
    assert chk.callee == callee


@pytest.mark.parametrize(
    "body",
    [
        "if (!d->regs) return 1;",  # a field nobody assigned from a call here
        "err = 3; if (err) return 1;",
        "p = get(); if (p == d->regs) return 1;",
        "p = get(); if (p == ERR_PTR(0)) return 1;",  # ERR_PTR(0) is NULL: no errno
    ],
)
def test_not_failure_checks(body: str) -> None:
    cond, resolve = first_cond(body)
    assert failure_check(cond, resolve) is None


def test_null_tests() -> None:
    cond, resolve = first_cond("if (d->regs) return 1;")
    assert null_test(cond, resolve) == ("d->regs", False)
    cond, resolve = first_cond("if (!d->regs) return 1;")
    assert null_test(cond, resolve) == ("d->regs", True)


def test_error_values() -> None:
    from kunwind.model.ir import Const, Var

    assert error_value(Const(-12)) == "-ENOMEM"
    assert error_value(Const(0)) is None
    assert error_value(Call("ERR_PTR", (Const(-22),))) == "ERR_PTR()"
    env = {"ret": Const(-22)}
    assert error_value(Var("ret"), env.get) == "-EINVAL"
    assert error_value(Var("ret"), {"ret": Const(0)}.get) is None


@pytest.mark.parametrize("body, fails", [
    ("if (setup()) return -1;", True),  # an int result: an errno
    ("if (ready()) return -1;", False),  # a bool result: an answer
    ("err = ready(); if (err) return -1;", False),
    ("if (!ready()) return -1;", False),
    ("if (__builtin_constant_p(err) ? setup() : 0) return -1;", False),
])
def test_answers_of_predicates_are_not_failures(body: str, fails: bool) -> None:
    cond, resolve = first_cond(body, "_Bool ready(void);")
    chk = failure_check(cond, resolve)
    assert chk is not None and chk.answer != fails
