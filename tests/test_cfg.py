"""CFGs of small functions, checked block by block and edge by edge."""

from __future__ import annotations

import textwrap

import pytest
from cfgutil import cfg_of

from kunwind.model.dump import format_cfg

CASES = {
    "if_else": (
        "int f(int a) { if (a) a = 1; else a = 2; return a; }",
        """
        B0
          if a
          -> true->B1 false->B3
        B1
          a = 1
          -> B2
        B2
          return a
          -> exit
        B3
          a = 2
          -> B2
        """,
    ),
    # a test the compiler decides (__builtin_constant_p of a constant): one side only
    "constant_p_decided": (
        "int f(int a) { if ((!__builtin_constant_p(2) || (2 & 0x101)) && a) return g(a);"
        " return 0; }",
        """
        B0
          return 0
          -> exit
        """,
    ),
    # a string literal is a constant: printk's format index (CONFIG_PRINTK_INDEX) asks
    # __builtin_constant_p(fmt) in every dev_err(); the CFG keeps one side, as the
    # compiler does, so a configuration that turns it on gives the same paths
    "constant_p_string_literal": (
        'int f(int a) { if (__builtin_constant_p("x") && __builtin_constant_p("y")) g(1);'
        " return a; }",
        """
        B0
          g(1)
          -> B1
        B1
          return a
          -> exit
        """,
    ),
    # not a constant argument, and a plain constant (IS_ENABLED(CONFIG_FOO) after
    # preprocessing, whose value depends on the configuration): both sides stay
    "constant_p_undecided": (
        "int f(int a) { if (!__builtin_constant_p(a) && a) return g(a);"
        " if (0) a = 1; return a; }",
        """
        B0
          if !__builtin_constant_p(a)
          -> true->B1 false->B3
        B1
          if a
          -> true->B2 false->B3
        B2
          return g(a)
          -> exit
        B3
          if 0
          -> true->B4 false->B5
        B4
          a = 1
          -> B5
        B5
          return a
          -> exit
        """,
    ),
    # __builtin_constant_p() does not evaluate its argument: no call to g() is made
    "constant_p_argument_unevaluated": (
        "int f(int a) { int v = a; if (__builtin_constant_p(({ g(1); }))) v = 0; return v; }",
        """
        B0
          v = a
          if __builtin_constant_p(...)
          -> true->B1 false->B2
        B1
          v = 0
          -> B2
        B2
          return v
          -> exit
        """,
    ),
    # a comma's operands in order, each with its statement expressions: the right
    # one reads x after the left one assigned it (list_for_each_entry_safe())
    "comma_of_statement_expressions": (
        "int f(int a) { int x, y; x = ({ int t = g(a); t; }), y = ({ int u = g(x); u; });"
        " return y; }",
        """
        B0
          decl x
          decl y
          t = g(a)
          x = t
          u = g(x)
          y = u
          return y
          -> exit
        """,
    ),
    "for_continue_break": (
        "int f(int n) { int i, s = 0;"
        " for (i = 0; i < n; i++) { if (i == 3) continue; if (i == 5) break; s += i; }"
        " return s; }",
        """
        B0
          decl i
          s = 0
          i = 0
          -> B1
        B1
          if i < n
          -> true->B2 false->B5
        B2
          if i == 3
          -> true->B3 false->B4
        B3
          i += 1
          -> back->B1
        B4
          if i == 5
          -> true->B5 false->B6
        B5
          return s
          -> exit
        B6
          s += i
          -> B3
        """,
    ),
    "do_while_and_do_while_0": (
        "int f(int n) { do { n--; } while (n > 0);"
        " do { if (n) break; g(n); } while (0); return n; }",
        """
        B0
          n -= 1
          -> B1
        B1
          if n > 0
          -> back->B0 false->B2
        B2
          if n
          -> true->B3 false->B4
        B3
          return n
          -> exit
        B4
          g(n)
          -> B3
        """,
    ),
    "switch_fallthrough_default": (
        "int f(int n) { switch (n) { case 1: g(1); case 2: g(2); break;"
        " default: return -1; } return 0; }",
        """
        B0
          switch n
          -> case 1->B1 case 2->B2 default->B4
        B1
          g(1)
          -> B2
        B2
          g(2)
          -> B3
        B3
          return 0
          -> exit
        B4
          return -1
          -> exit
        """,
    ),
    "goto_ladder_and_short_circuit": (
        "int f(void) { void *p = kmalloc(4, 0); if (!p) goto err;"
        " if (g(1) < 0 || g(2)) goto err_free; return 0;"
        " err_free: kfree(p); err: return -ENOMEM; }",
        """
        B0
          p = kmalloc(4, 0)
          if !p
          -> true->B1 false->B2
        B1 err:
          return -12
          -> exit
        B2
          if g(1) < 0
          -> true->B3 false->B4
        B3 err_free:
          kfree(p)
          -> B1
        B4
          if g(2)
          -> true->B3 false->B5
        B5
          return 0
          -> exit
        """,
    ),
    "statement_expression": (
        "int f(int x) { int r = ({ int t = g(x); t + 1; }); return r; }",
        """
        B0
          t = g(x)
          r = t + 1
          return r
          -> exit
        """,
    ),
    "while_and": (
        "int f(int n) { while (g(n) && n) n--; return n; }",
        """
        B0
          if g(n)
          -> true->B1 false->B3
        B1
          if n
          -> true->B2 false->B3
        B2
          n -= 1
          -> back->B0
        B3
          return n
          -> exit
        """,
    ),
    "warn_on_and_unlikely": (
        "int f(int *p) { if (WARN_ON(!p)) return -EINVAL; if (unlikely(g(1))) return 1;"
        " return 0; }",
        """
        B0
          __ret_warn_on = !!!p
          if __ret_warn_on
          -> true->B1 false->B2
        B1
          warn()
          -> B2
        B2
          if __ret_warn_on
          -> true->B3 false->B4
        B3
          return -22
          -> exit
        B4
          if g(1)
          -> true->B5 false->B6
        B5
          return 1
          -> exit
        B6
          return 0
          -> exit
        """,
    ),
    "iterator_macro_and_conditional": (
        "struct item { int v; struct list_head node; };"
        " int f(struct list_head *head) { struct item *it; int n = 0;"
        " list_for_each_entry(it, head, node) n += it->v ? 1 : 2; return n; }",
        """
        B0
          decl it
          n = 0
          it = head->next
          -> B1
        B1
          if &it->node != head
          -> true->B2 false->B4
        B2
          n += it->v ? 1 : 2
          -> B3
        B3
          it = it->node.next
          -> back->B1
        B4
          return n
          -> exit
        """,
    ),
    "computed_goto_reaches_every_label": (
        "int f(int i) { static void *t[] = { &&a, &&b }; goto *t[i];"
        " a: return 1; b: return 2; }",
        """
        B0
          -> goto->B1 goto->B2
        B1 a:
          return 1
          -> exit
        B2 b:
          return 2
          -> exit
        """,
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_cfg_shape(name: str) -> None:
    source, expected = CASES[name]
    got = format_cfg(cfg_of(source, "f"))
    assert got == textwrap.dedent(expected).lstrip("\n"), got


def test_fall_off_the_end_returns() -> None:
    fn = cfg_of("void f(int a) { if (a) g(a); }", "f")
    assert format_cfg(fn).count("return") == 1
    assert fn.returns_void


def test_label_of_unreachable_code_is_kept() -> None:
    fn = cfg_of("int f(int a) { return 0; dead: g(a); goto dead; }", "f")
    assert any("dead" in b.labels for b in fn.blocks)


def test_member_of_an_anonymous_union_has_the_source_path() -> None:
    from kunwind.model.ir import Store, path_of

    fn = cfg_of("struct page; struct slot { union { struct { struct page *page; int off; };"
                " void *frag; }; int n; };"
                "void f(struct slot *s, struct page *p) { s->page = p; }", "f")
    stores = [s for b in fn.blocks for s in b.stmts if isinstance(s, Store)]
    assert [path_of(s.target) for s in stores] == ["s->page"]


# a statement-expression macro with its own local label, its value after the label
# (the shape of the kernel's ___wait_event(); written here from scratch)
WAIT_MACRO = """
#define wait_for(c) ({ __label__ out; int r = 0; \\
    if (!(c)) { r = g(1); if (r) goto out; g(2); } \\
    out: r; })
"""


def test_local_labels_of_a_macro_belong_to_each_use() -> None:
    fn = cfg_of(WAIT_MACRO + "int f(int a, int b) { int x = wait_for(a); int y = 0;"
                " if (x) return x; y = wait_for(b); return y; }", "f")
    outs = [b for b in fn.blocks if "out" in b.labels]
    assert len(outs) == 2
    # each goto lands at the label of its own use of the macro (one goto each), not
    # both at the last label of that name
    for out in outs:
        srcs = [b for b in fn.blocks if any(e.kind == "inner" and e.dst == out.id
                                            for e in b.succs)]
        assert len(srcs) == 1


def test_value_of_a_statement_expression_after_its_label() -> None:
    from kunwind.model.ir import Store, Var, render

    fn = cfg_of(WAIT_MACRO + "int f(int a) { int x; x = wait_for(a); return x; }", "f")
    stores = [s for b in fn.blocks for s in b.stmts if isinstance(s, Store)
              and isinstance(s.target, Var) and s.target.name == "x" and s.value is not None]
    assert [render(s.value) for s in stores] == ["r"]


def test_a_call_given_a_statement_expression_with_a_loop_is_hashable() -> None:
    """A call whose argument is a GNU statement expression holding a do-while (a
    macro's ``({ do { ... } while (0); v; })``) is a dictionary key where the
    messages name calls (``Words.calls``): the statements are no part of the hash.
    net/ipv4/inet_connection_sock.c stopped with an internal error on this."""
    from kunwind.model.ir import Call, Const, Loc, Var
    from kunwind.model.syntax import SBlock, SDo, StmtExpr

    loop = SDo(Loc(1, 1), SBlock(Loc(1, 1)), Const(0))
    arg = StmtExpr(body=(loop,), value=Var("v"))
    calls = {Call("spin_unlock", (arg,)): None, Call("spin_unlock", (arg,)): None}
    assert len(calls) == 1
