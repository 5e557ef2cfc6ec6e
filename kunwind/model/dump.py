"""A readable, canonical text form of a CFG (for tests, debugging and ``kunwind cfg``).

Empty pass-through blocks are skipped and unreachable blocks left out; blocks
are numbered in the order a depth-first walk from the entry meets them, so the
text depends on the structure of the function, not on how it was built.
"""

from __future__ import annotations

from .cfg import Function
from .ir import Cleanup, ExprStmt, Return, Store, render


def _stmt_text(s) -> str:
    if isinstance(s, Store):
        if s.value is None:
            return f"decl {render(s.target)}"
        return f"{render(s.target)} {s.op} {render(s.value)}"
    if isinstance(s, ExprStmt):
        return render(s.expr)
    if isinstance(s, Return):
        return f"return {render(s.value)}".rstrip()
    if isinstance(s, Cleanup):
        return f"cleanup {s.var} by {s.fn}()"
    return type(s).__name__


def format_cfg(fn: Function) -> str:
    blocks = fn.blocks

    def forward(i: int) -> int:
        seen = set()
        while True:
            b = blocks[i]
            if b.stmts or b.cond is not None or b.switch is not None or b.labels \
                    or len(b.succs) != 1 or i in seen or i == fn.exit:
                return i
            seen.add(i)
            i = b.succs[0].dst

    order: dict[int, int] = {}
    stack = [forward(fn.entry)]
    while stack:
        i = stack.pop()
        if i in order or i == fn.exit:
            continue
        order[i] = len(order)
        for e in reversed(blocks[i].succs):
            stack.append(forward(e.dst))
    lines = []
    for i, n in sorted(order.items(), key=lambda kv: kv[1]):
        b = blocks[i]
        head = f"B{n}"
        if b.labels:
            head += " " + ",".join(f"{lb}:" for lb in b.labels)
        lines.append(head)
        for s in b.stmts:
            lines.append(f"  {_stmt_text(s)}")
        if b.cond is not None:
            lines.append(f"  if {render(b.cond)}")
        if b.switch is not None:
            lines.append(f"  switch {render(b.switch)}")
        edges = []
        for e in b.succs:
            d = forward(e.dst)
            name = "exit" if d == fn.exit else f"B{order[d]}"
            kind = e.kind if e.kind != "case" else f"case {e.value}"
            edges.append(f"{kind}->{name}" if kind != "next" else name)
        lines.append("  -> " + " ".join(edges) if edges else "  -> (none)")
    return "\n".join(lines) + "\n"
