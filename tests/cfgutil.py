"""Build the CFG of one function from C text, for the CFG and analysis unit tests."""

from __future__ import annotations

from pathlib import Path

from kunwind.frontend.clang_parse import parse_file
from kunwind.model.build import build_cfg
from kunwind.model.cfg import Function

PRELUDE = """
#define NULL ((void *)0)
#define ENOMEM 12
#define EINVAL 22
#define unlikely(x) __builtin_expect(!!(x), 0)
#define WARN_ON(c) ({ int __ret_warn_on = !!(c); if (unlikely(__ret_warn_on)) warn(); \\
                      unlikely(__ret_warn_on); })
struct list_head { struct list_head *next, *prev; };
#define list_for_each_entry(pos, head, member) \\
    for (pos = (void *)(head)->next; &pos->member != (head); \\
         pos = (void *)pos->member.next)
void warn(void);
void *kmalloc(unsigned long size, int flags);
void kfree(const void *p);
int g(int x);
"""


def cfg_of(source: str, name: str) -> Function:
    text = (PRELUDE + source).encode()
    parsed = parse_file(Path("unit.c"), ["-x", "c", "-std=gnu11"], text)
    assert not parsed.fatal, parsed.fatal
    for pf in parsed.functions:
        if pf.name == name:
            assert not pf.errors, pf.errors
            return build_cfg(pf.syntax, "unit.c")
    raise AssertionError(f"no function {name}")
