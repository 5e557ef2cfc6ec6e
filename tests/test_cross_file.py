"""Callees defined in other files of a kernel tree: their summaries decide the report.

A toy tree holds a driver whose error path hands its context to a teardown
defined in another file of the tree (``drivers/bar/bar_core.c``). With that
file's summary the path releases the context (its definition puts the return
type on the line before the name, which the symbol index must read too); without the other file (or
with ``cross_file`` off) the teardown is unknown and the leak is reported.
A second function's teardown does not free the context: the leak stays.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from toytree import make_tree, write

from kunwind import external
from kunwind.config import Options
from kunwind.kernel.symbols import SymbolIndex, build_index, symbol_index
from kunwind.pipeline import run_pipeline

PRELUDE = """\
#define NULL ((void *)0)
#define ENOMEM 12
typedef unsigned long size_t;
void *kzalloc(size_t size, unsigned int flags);
void kfree(const void *p);
struct bar_ctx { int *regs; int irq; };
"""

CORE = PRELUDE + """
void
bar_ctx_destroy(struct bar_ctx *ctx)
{
\tkfree(ctx->regs);
\tkfree(ctx);
}

void bar_ctx_quiesce(struct bar_ctx *ctx)
{
\tctx->irq = 0;
}

static void bar_local_helper(struct bar_ctx *ctx)
{
\tkfree(ctx);
}

static void
bar_local_split(struct bar_ctx *ctx)
{
\tkfree(ctx);
}
"""

MAIN = PRELUDE + """
void bar_ctx_destroy(struct bar_ctx *ctx);
void bar_ctx_quiesce(struct bar_ctx *ctx);
int bar_hw_init(struct bar_ctx *ctx);

int bar_probe(void)
{
\tstruct bar_ctx *ctx;

\tctx = kzalloc(sizeof(*ctx), 0);
\tif (!ctx)
\t\treturn -ENOMEM;
\tif (bar_hw_init(ctx)) {
\t\tbar_ctx_destroy(ctx);
\t\treturn -12;
\t}
\treturn 0;
}

int bar_resume(void)
{
\tstruct bar_ctx *ctx;

\tctx = kzalloc(sizeof(*ctx), 0);
\tif (!ctx)
\t\treturn -ENOMEM;
\tif (bar_hw_init(ctx)) {
\t\tbar_ctx_quiesce(ctx);
\t\treturn -12;
\t}
\treturn 0;
}
"""


# the error exits of bar_probe() and bar_resume(), where a leak is reported
PROBE_EXIT, RESUME_EXIT = [i for i, line in enumerate(MAIN.splitlines(), 1)
                           if line.strip() == "return -12;"]


def _tree(tmp_path: Path, with_core: bool = True) -> Path:
    root = make_tree(tmp_path / "linux")
    write(root, "drivers/bar/bar_main.c", MAIN)
    if with_core:
        write(root, "drivers/bar/bar_core.c", CORE)
    return root


def _leaks(root: Path, tmp_path: Path, cross_file: bool = True) -> list[tuple[str, str, int]]:
    opts = Options(cache_dir=tmp_path / "cache", cross_file=cross_file, experimental=True)
    path = root / "drivers/bar/bar_main.c"
    result = run_pipeline(path, "drivers/bar/bar_main.c", opts)
    assert result.parsed, result.notices
    return sorted((f.rule_id, f.function, f.line) for f in result.findings)


def test_teardown_in_another_file_releases(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    assert _leaks(root, tmp_path) == [("KU002", "bar_resume", RESUME_EXIT)]
    stored = list((tmp_path / "cache" / "summaries").rglob("*.json"))
    assert len(stored) == 1  # bar_core.c's summaries, kept for the next run


def test_without_the_other_file_the_leak_is_reported(tmp_path: Path) -> None:
    root = _tree(tmp_path, with_core=False)
    assert _leaks(root, tmp_path) == [("KU002", "bar_probe", PROBE_EXIT),
                                      ("KU002", "bar_resume", RESUME_EXIT)]


def test_cross_file_off(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    assert _leaks(root, tmp_path, cross_file=False) == [
        ("KU002", "bar_probe", PROBE_EXIT), ("KU002", "bar_resume", RESUME_EXIT)]


SEND_CORE = PRELUDE + """
int bar_ctx_send(struct bar_ctx *ctx)
{
\tif (ctx->irq < 0) {
\t\tkfree(ctx);
\t\treturn -5;
\t}
\treturn 0;
}
"""

# the object reaches the other file's callee through a function of this file
SEND_MAIN = PRELUDE + """
int bar_ctx_send(struct bar_ctx *ctx);

static int bar_send_wait(struct bar_ctx *ctx)
{
\tint ret;

\tret = bar_ctx_send(ctx);
\tif (ret)
\t\treturn ret;
\treturn 0;
}

int bar_start(void)
{
\tstruct bar_ctx *ctx;
\tint ret;

\tctx = kzalloc(sizeof(*ctx), 0);
\tif (!ctx)
\t\treturn -ENOMEM;
\tret = bar_send_wait(ctx);
\tif (ret)
\t\treturn ret;
\treturn 0;
}
"""


def test_the_nearest_files_are_read_first(tmp_path: Path) -> None:
    """More other files define the callees than are read for one file (``MAX_FILES``):
    the files of the checked file's own directory come first, before files elsewhere
    that define more of the callees (a driver's teardown helper beside it, not the
    core's helpers it also hands its objects to)."""
    root = make_tree(tmp_path / "linux")
    far = [f"lib/far{i}.c" for i in range(external.MAX_FILES)]
    decls = "".join(f"void far{i}_a(struct bar_ctx *ctx);\nvoid far{i}_b(struct bar_ctx *ctx);\n"
                    for i in range(len(far)))
    calls = "".join(f"\t\tfar{i}_a(ctx);\n\t\tfar{i}_b(ctx);\n" for i in range(len(far)))
    for i, f in enumerate(far):
        write(root, f, PRELUDE + f"void far{i}_a(struct bar_ctx *ctx)\n{{\n\tctx->irq = 1;\n}}\n"
              f"void far{i}_b(struct bar_ctx *ctx)\n{{\n\tctx->irq = 2;\n}}\n")
    write(root, "drivers/bar/bar_core.c", CORE)
    write(root, "drivers/bar/bar_main.c", PRELUDE + decls + """
void bar_ctx_destroy(struct bar_ctx *ctx);
int bar_hw_init(struct bar_ctx *ctx);

int bar_probe(void)
{
\tstruct bar_ctx *ctx;

\tctx = kzalloc(sizeof(*ctx), 0);
\tif (!ctx)
\t\treturn -ENOMEM;
\tif (bar_hw_init(ctx)) {
""" + calls + """\t\tbar_ctx_destroy(ctx);
\t\treturn -12;
\t}
\treturn 0;
}
""")
    opts = Options(cache_dir=tmp_path / "cache", cross_file=True, experimental=True)
    result = run_pipeline(root / "drivers/bar/bar_main.c", "drivers/bar/bar_main.c", opts)
    assert result.parsed, result.notices
    assert result.findings == []
    assert str(root / "drivers/bar/bar_core.c") in result.includes


def test_callee_reached_through_a_function_of_this_file(tmp_path: Path) -> None:
    """``bar_send_wait(ctx)`` of this file passes ``ctx`` on to ``bar_ctx_send()`` of
    another file, which frees it when it fails: that summary is looked up too."""
    root = make_tree(tmp_path / "linux")
    write(root, "drivers/bar/bar_send.c", SEND_MAIN)
    write(root, "drivers/bar/bar_core.c", SEND_CORE)

    def leaks(cross_file: bool) -> list[tuple[str, str]]:
        opts = Options(cache_dir=tmp_path / "cache", cross_file=cross_file, experimental=True)
        result = run_pipeline(root / "drivers/bar/bar_send.c", "drivers/bar/bar_send.c", opts)
        return sorted((f.rule_id, f.function) for f in result.findings)

    assert leaks(cross_file=False) == [("KU002", "bar_start")]
    assert leaks(cross_file=True) == []


LEARN_CORE = PRELUDE + """
void bar_file_free(struct bar_ctx *ctx)
{
\tkfree(ctx);
}

void bar_sync_release(struct bar_ctx *ctx)
{
\tbar_file_free(ctx);
}
"""

# a pair learnt from the exits (bar_file_alloc / bar_file_free, neither in the
# knowledge); one exit undoes the step through another file's function
LEARN_MAIN = PRELUDE + """
struct bar_ctx *bar_file_alloc(void);
void bar_file_free(struct bar_ctx *ctx);
void bar_sync_release(struct bar_ctx *ctx);
int bar_step(int n);

int bar_open(struct bar_ctx **out)
{
\tstruct bar_ctx *ff;

\tff = bar_file_alloc();
\tif (!ff)
\t\treturn -ENOMEM;
\tif (bar_step(1)) {
\t\tbar_file_free(ff);
\t\treturn -5;
\t}
\tif (bar_step(2)) {
\t\tbar_file_free(ff);
\t\treturn -5;
\t}
\tif (bar_step(3)) {
\t\tbar_file_free(ff);
\t\treturn -5;
\t}
\tif (bar_step(4)) {
\t\tbar_sync_release(ff);
\t\treturn -5;
\t}
\t*out = ff;
\treturn 0;
}
"""


def test_learnt_pair_undone_in_another_file(tmp_path: Path) -> None:
    """The exit that calls ``bar_sync_release(ff)`` of another file, which calls
    ``bar_file_free(ff)``, makes the undo its sibling exits make: that file's
    summary is fetched for the learnt pair's object too."""
    root = make_tree(tmp_path / "linux")
    write(root, "drivers/bar/bar_open.c", LEARN_MAIN)
    write(root, "drivers/bar/bar_core.c", LEARN_CORE)

    def found(cross_file: bool) -> list[tuple[str, str, str]]:
        opts = Options(cache_dir=tmp_path / "cache", cross_file=cross_file, experimental=True)
        result = run_pipeline(root / "drivers/bar/bar_open.c", "drivers/bar/bar_open.c", opts)
        return sorted((f.rule_id, f.function, f.evidence) for f in result.findings)

    assert found(cross_file=False) == [("KU002", "bar_open", "sibling-exits")]
    assert found(cross_file=True) == []


def test_index_lists_external_definitions_only(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    index = build_index(root, "x86")
    # the return type alone on the line before the name, the style of many drivers
    assert index.where["bar_ctx_destroy"] == ("drivers/bar/bar_core.c",)
    assert index.where["bar_ctx_quiesce"] == ("drivers/bar/bar_core.c",)
    assert "bar_local_helper" not in index.where  # static: the file's own
    assert "bar_local_split" not in index.where
    assert "bar_hw_init" not in index.where  # only declared


def test_index_is_stored_and_rebuilt_when_the_tree_changes(tmp_path: Path, monkeypatch) -> None:
    from kunwind.kernel import symbols

    root = _tree(tmp_path)
    cache = tmp_path / "symbols"
    assert "bar_ctx_destroy" in symbol_index(root, "x86", cache).where
    assert list(cache.glob("*.sqlite"))  # stored
    symbols._INDEXES.clear()
    write(root, "drivers/baz/baz.c", "int baz_start(int x)\n{\n\treturn x;\n}\n")
    # within RECHECK_SECONDS the stored index is trusted without a walk of the tree
    assert "baz_start" not in symbol_index(root, "x86", cache).where
    symbols._INDEXES.clear()
    monkeypatch.setattr(symbols, "RECHECK_SECONDS", 0)
    index = symbol_index(root, "x86", cache)
    assert index.where["baz_start"] == ("drivers/baz/baz.c",)
    assert index.where["bar_ctx_destroy"] == ("drivers/bar/bar_core.c",)


def test_closest_definition_wins_and_ties_are_unknown() -> None:
    index = SymbolIndex(Path("/t"), {"f": ("drivers/a/x.c", "drivers/b/y.c"),
                                     "g": ("drivers/a/x.c", "fs/z.c")})
    assert index.defining_file("g", "drivers/a/main.c") == Path("/t/drivers/a/x.c")
    assert index.defining_file("f", "drivers/a/main.c") == Path("/t/drivers/a/x.c")
    assert index.defining_file("f", "fs/main.c") is None  # equally far from both


# the call whose failure opens the error path is defined in another file
POWER_MAIN = PRELUDE + """
struct bar_info { struct bar_ctx *par; };
void console_lock(void);
void console_unlock(void);
int bar_power_up(struct bar_info *info);
void bar_show(struct bar_info *info);

int bar_resume_locked(struct bar_info *info)
{
\tint ret;

\tconsole_lock();
\tret = bar_power_up(info);
\tif (ret)
\t\treturn ret;
\tbar_show(info);
\tconsole_unlock();
\treturn 0;
}
"""

# every return of bar_power_up() is 0 (good), or one can be an errno (bad); a stub's
# 0 and a weak default's 0 say nothing of the configuration or the definition that runs
POWER_CORE = {
    "good": "\tif (!info->par->irq)\n\t\treturn 0;\n\tinfo->par->irq = 0;\n\treturn 0;\n",
    "bad": "\tif (!info->par->irq)\n\t\treturn -5;\n\tinfo->par->irq = 0;\n\treturn 0;\n",
    "stub": "\treturn 0;\n",
}


def _power_tree(tmp_path: Path, body: str, weak: bool = False) -> list[tuple[str, str]]:
    root = make_tree(tmp_path / "linux")
    write(root, "drivers/bar/bar_fb.c", POWER_MAIN)
    head = "int bar_power_up(struct bar_info *info)"
    if weak:
        head = f"#define __weak __attribute__((__weak__))\n{head.replace('int', 'int __weak', 1)}"
    write(root, "drivers/bar/bar_power.c", PRELUDE + "struct bar_info { struct bar_ctx *par; };"
          f"\n\n{head}\n{{\n{body}}}\n")
    opts = Options(cache_dir=tmp_path / "cache", experimental=True)
    result = run_pipeline(root / "drivers/bar/bar_fb.c", "drivers/bar/bar_fb.c", opts)
    assert result.parsed, result.notices
    return sorted((f.rule_id, f.function) for f in result.findings)


@pytest.mark.parametrize("body, weak, found", [
    ("good", False, []),
    ("bad", False, [("KU005", "bar_resume_locked")]),
    ("stub", False, [("KU005", "bar_resume_locked")]),
    ("good", True, [("KU005", "bar_resume_locked")]),
])
def test_callee_of_another_file_that_cannot_fail(tmp_path: Path, body: str, weak: bool,
                                                 found: list[tuple[str, str]]) -> None:
    """``bar_power_up()`` fails here, on the path that leaves the console locked: its
    definition in another file is looked up like a receiver's, and when every return
    of it is 0 the failure, and the report, are not. Its body that can return an
    errno, a stub that only returns 0, and a weak default keep the report."""
    assert _power_tree(tmp_path, POWER_CORE[body], weak) == found


# the call whose failure opens the error path is a header's wrapper that returns the
# result of a function another file defines
WRAPPED_MAIN = POWER_MAIN.replace("int bar_power_up(struct bar_info *info);",
                                  '#include "bar_power.h"')
WRAPPER_HEADER = """struct bar_info;
int __bar_power_up_scale(struct bar_info *info, int scale);

static inline int bar_power_up(struct bar_info *info)
{
\treturn __bar_power_up_scale(info, 1);
}
"""


@pytest.mark.parametrize("body, found", [
    ("good", []),
    ("bad", [("KU005", "bar_resume_locked")]),
])
def test_wrapper_of_a_callee_of_another_file_that_cannot_fail(
        tmp_path: Path, body: str, found: list[tuple[str, str]]) -> None:
    """``bar_power_up()`` is a header's wrapper (``return __bar_power_up_scale(info,
    1)``): its summary knows no more than its callee's, which another file defines. That
    callee is looked up too, and the wrapper summarised again with it: when every return
    of it is 0, the wrapper cannot fail either, and the report goes."""
    root = make_tree(tmp_path / "linux")
    write(root, "drivers/bar/bar_fb.c", WRAPPED_MAIN)
    write(root, "drivers/bar/bar_power.h", WRAPPER_HEADER)
    write(root, "drivers/bar/bar_power.c", PRELUDE + "struct bar_info { struct bar_ctx *par; };"
          "\n\nint __bar_power_up_scale(struct bar_info *info, int scale)\n"
          f"{{\n{POWER_CORE[body]}}}\n")
    opts = Options(cache_dir=tmp_path / "cache", experimental=True)
    result = run_pipeline(root / "drivers/bar/bar_fb.c", "drivers/bar/bar_fb.c", opts)
    assert result.parsed, result.notices
    assert sorted((f.rule_id, f.function) for f in result.findings) == found


ITER_CORE = PRELUDE + """
struct node;
struct node_iter { struct node *parent; int index; };

int of_phandle_iterator_init(struct node_iter *it, struct node *np, const char *name)
{
\tit->parent = np;
\tit->index = 0;
\treturn 0;
}

int bar_iter_start(struct node_iter *it, struct node *np, const char *name)
{
\tit->parent = np;
\tit->index = 0;
\treturn 0;
}
"""

# a node taken by a lookup is kept in the caller's iterator by a callee of another
# file, then an allocation fails and the node is not put
ITER_MAIN = PRELUDE + """
struct node;
struct node_iter { struct node *parent; int index; };
struct node *of_find_node_by_name(struct node *from, const char *name);
void of_node_put(struct node *np);
int of_phandle_iterator_init(struct node_iter *it, struct node *np, const char *name);
int bar_iter_start(struct node_iter *it, struct node *np, const char *name);

int bar_scan(int **out)
{
\tstruct node_iter it;
\tstruct node *np;

\tnp = of_find_node_by_name(NULL, "bar");
\tif (!np)
\t\treturn -19;
\tof_phandle_iterator_init(&it, np, "clocks");
\t*out = kzalloc(sizeof(**out), 0);
\tif (!*out)
\t\treturn -ENOMEM;
\tof_node_put(np);
\treturn 0;
}

int bar_scan_own(int **out)
{
\tstruct node_iter it;
\tstruct node *np;

\tnp = of_find_node_by_name(NULL, "bar");
\tif (!np)
\t\treturn -19;
\tbar_iter_start(&it, np, "clocks");
\t*out = kzalloc(sizeof(**out), 0);
\tif (!*out)
\t\treturn -ENOMEM;
\tof_node_put(np);
\treturn 0;
}
"""


def test_an_iterator_that_borrows_the_node_takes_nothing_over(tmp_path: Path) -> None:
    """``of_phandle_iterator_init(&it, np, ...)`` keeps ``np`` in the caller's iterator
    and takes no reference (the knowledge's [borrow]): the node is still the caller's
    to put, though the other file's body stores it. A callee the knowledge does not
    describe that stores it is taken at its word (its summary: ``np`` escapes)."""
    root = make_tree(tmp_path / "linux")
    write(root, "drivers/bar/bar_scan.c", ITER_MAIN)
    write(root, "drivers/bar/bar_iter.c", ITER_CORE)
    opts = Options(cache_dir=tmp_path / "cache", experimental=True)
    result = run_pipeline(root / "drivers/bar/bar_scan.c", "drivers/bar/bar_scan.c", opts)
    assert result.parsed, result.notices
    assert sorted((f.rule_id, f.function) for f in result.findings) == [("KU002", "bar_scan")]


SKB_PRELUDE = """\
#define NULL ((void *)0)
#define ENOMEM 12
struct sock;
struct sk_buff { unsigned int len; };
struct sk_buff *alloc_skb(unsigned int size, unsigned int flags);
void kfree_skb(struct sk_buff *skb);
int nlmsg_multicast(struct sock *sk, struct sk_buff *skb, unsigned int portid,
\t\t    unsigned int group, unsigned int flags);
int bar_multicast(struct sk_buff *skb);
int bar_multicast_small(struct sk_buff *skb);
"""

SKB_CORE = SKB_PRELUDE + """
static struct sock *bar_nls;

int bar_multicast(struct sk_buff *skb)
{
\treturn nlmsg_multicast(bar_nls, skb, 0, 1, 0);
}

int bar_multicast_small(struct sk_buff *skb)
{
\tif (skb->len > 4096)
\t\treturn -90;
\treturn nlmsg_multicast(bar_nls, skb, 0, 1, 0);
}
"""

SKB_MAIN = SKB_PRELUDE + """
int bar_event(void)
{
\tstruct sk_buff *skb;
\tint err;

\tskb = alloc_skb(64, 0);
\tif (!skb)
\t\treturn -ENOMEM;
\terr = bar_multicast(skb);
\tif (err < 0)
\t\treturn err;
\treturn 0;
}

int bar_event_small(void)
{
\tstruct sk_buff *skb;
\tint err;

\tskb = alloc_skb(64, 0);
\tif (!skb)
\t\treturn -ENOMEM;
\terr = bar_multicast_small(skb);
\tif (err < 0)
\t\treturn err;
\treturn 0;
}
"""


def test_a_wrapper_in_another_file_consumes_on_every_outcome(tmp_path: Path) -> None:
    """``bar_multicast(skb)`` of another file passes its skb to nlmsg_multicast(),
    which consumes it whatever it returns (an [owner] without ``on_success``): its
    summary says it consumes the skb, and the caller's failure path after it holds
    nothing. ``bar_multicast_small()`` refuses a large skb first and keeps nothing
    then: after its failure the caller still owns the skb, and leaks it."""
    root = make_tree(tmp_path / "linux")
    write(root, "drivers/bar/bar_event.c", SKB_MAIN)
    write(root, "drivers/bar/bar_nl.c", SKB_CORE)
    opts = Options(cache_dir=tmp_path / "cache", experimental=True)
    result = run_pipeline(root / "drivers/bar/bar_event.c", "drivers/bar/bar_event.c", opts)
    assert result.parsed, result.notices
    assert sorted((f.rule_id, f.function) for f in result.findings) == [
        ("KU002", "bar_event_small")]


DEEP_PRELUDE = PRELUDE + """
struct foo_lvl { int *local; int *remote; };
struct foo_tbl { struct foo_lvl lvl; int size; };
struct foo_def { int type; union { struct foo_tbl *tbl; } map; };
"""

DEEP_CORE = DEEP_PRELUDE + """
void foo_def_free(struct foo_def *def)
{
\tif (!def)
\t\treturn;
\tswitch (def->type) {
\tcase 1:
\t\tkfree(def->map.tbl->lvl.local);
\t\tkfree(def->map.tbl->lvl.remote);
\t\tkfree(def->map.tbl);
\t\tbreak;
\t}
\tkfree(def);
}

void foo_def_free_partial(struct foo_def *def)
{
\tkfree(def->map.tbl->lvl.local);
\tkfree(def->map.tbl);
\tkfree(def);
}
"""

# the same caller twice: its unwind calls the whole teardown, or the partial one
DEEP_CALLER = """
int foo_def_create{suffix}(void)
{{
\tstruct foo_def *def;

\tdef = kzalloc(sizeof(*def), 0);
\tif (!def)
\t\treturn -ENOMEM;
\tdef->map.tbl = kzalloc(sizeof(*def->map.tbl), 0);
\tif (!def->map.tbl) {{
\t\tkfree(def);
\t\treturn -ENOMEM;
\t}}
\tdef->type = 1;
\tdef->map.tbl->lvl.local = kzalloc(8, 0);
\tif (!def->map.tbl->lvl.local)
\t\tgoto err;
\tdef->map.tbl->lvl.remote = kzalloc(8, 0);
\tif (!def->map.tbl->lvl.remote)
\t\tgoto err;
\tif (foo_def_add(def))
\t\tgoto err;
\treturn 0;
err:
\tfoo_def_free{suffix}(def);
\treturn -ENOMEM;
}}
"""

DEEP_MAIN = DEEP_PRELUDE + """
void foo_def_free(struct foo_def *def);
void foo_def_free_partial(struct foo_def *def);
int foo_def_add(struct foo_def *def);
""" + DEEP_CALLER.format(suffix="") + DEEP_CALLER.format(suffix="_partial")


def test_a_teardown_in_another_file_frees_below_a_field_pointer(tmp_path: Path) -> None:
    """``foo_def_free(def)`` of another file frees ``def->map.tbl->lvl.local`` and
    ``...remote``, two pointers below its parameter: its summary says so, and the
    caller's error path after both allocations leaks neither. The partial free of
    the other function frees ``local`` only: the leak of ``remote`` stays."""
    root = make_tree(tmp_path / "linux")
    write(root, "drivers/foo/foo_main.c", DEEP_MAIN)
    write(root, "drivers/foo/foo_core.c", DEEP_CORE)
    opts = Options(cache_dir=tmp_path / "cache", experimental=True)
    result = run_pipeline(root / "drivers/foo/foo_main.c", "drivers/foo/foo_main.c", opts)
    assert result.parsed, result.notices
    assert sorted({(f.rule_id, f.function, f.message.split("'")[1])
                   for f in result.findings}) == [
        ("KU002", "foo_def_create_partial", "def->map.tbl->lvl.remote")]
