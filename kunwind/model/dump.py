"""A readable, canonical text form of a CFG (for tests, debugging and ``kunwind cfg``).

Empty pass-through blocks are skipped and unreachable blocks left out; blocks
are numbered in the order a depth-first walk from the entry meets them, so the
text depends on the structure of the function, not on how it was built.
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass
class ShownBlock:
    number: int
    labels: list[str]
    lines: list[tuple[int, str]]  # (source line, text) of its statements and its test
    edges: list[tuple[str, str]]  # (edge kind, target name)


def shown_blocks(fn: Function) -> list[ShownBlock]:
    """The blocks as shown: pass-through ones skipped, numbered in depth-first order."""
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
    out = []
    for i, n in sorted(order.items(), key=lambda kv: kv[1]):
        b = blocks[i]
        lines = [(s.loc.line, _stmt_text(s)) for s in b.stmts]
        test_line = b.cond_loc.line if b.cond_loc else 0
        if b.cond is not None:
            lines.append((test_line, f"if {render(b.cond)}"))
        if b.switch is not None:
            lines.append((test_line, f"switch {render(b.switch)}"))
        edges = []
        for e in b.succs:
            d = forward(e.dst)
            name = "exit" if d == fn.exit else f"B{order[d]}"
            edges.append((e.kind if e.kind != "case" else f"case {e.value}", name))
        out.append(ShownBlock(n, list(b.labels), lines, edges))
    return out


def format_cfg(fn: Function, source_lines: bool = False,
               marks: dict[int, str] | None = None) -> str:
    """The CFG as text. ``source_lines``: each statement with its line (``  42: ...``);
    ``marks``: words to add after the statements of a line (``error exit: ...``)."""
    lines = []
    for b in shown_blocks(fn):
        head = f"B{b.number}"
        if b.labels:
            head += " " + ",".join(f"{lb}:" for lb in b.labels)
        lines.append(head)
        for line, text in b.lines:
            where = f"{line:>5}: " if source_lines else ""
            mark = f"    <- {marks[line]}" if marks and line in marks else ""
            lines.append(f"  {where}{text}{mark}")
        edges = [f"{kind}->{name}" if kind != "next" else name for kind, name in b.edges]
        lines.append("  -> " + " ".join(edges) if edges else "  -> (none)")
    return "\n".join(lines) + "\n"


def format_dot(fn: Function, marks: dict[int, str] | None = None) -> str:
    """The CFG in Graphviz's dot language: a box per block with its lines, an edge per
    successor; blocks holding a marked line are drawn red."""
    marks = marks or {}
    out = [f"digraph {_quoted(fn.name)} {{", "  node [shape=box, fontname=monospace];"]
    for b in shown_blocks(fn):
        rows = [f"B{b.number}"] + [f"{lb}:" for lb in b.labels]
        rows += [f"{line}: {t}" + (f"  <- {marks[line]}" if line in marks else "")
                 for line, t in b.lines]
        colour = ", color=red" if any(line in marks for line, _ in b.lines) else ""
        label = _quoted("".join(r + "\\l" for r in rows), keep=("\\l",))
        out.append(f"  B{b.number} [label={label}{colour}];")
        for kind, name in b.edges:
            edge = "" if kind == "next" else f" [label={_quoted(kind)}]"
            out.append(f"  B{b.number} -> {name}{edge};")
    out.append('  exit [shape=doublecircle, label="exit"];')
    out.append("}")
    return "\n".join(out) + "\n"


def _quoted(text: str, keep: tuple[str, ...] = ()) -> str:
    """A dot string: quotes and backslashes escaped, except the escapes in ``keep``
    (``\\l``: end of a left-justified line)."""
    parts = [text]
    for k in keep:
        parts = [q for p in parts for q in _split_keep(p, k)]
    return '"' + "".join(p if p in keep else p.replace("\\", "\\\\").replace('"', '\\"')
                         for p in parts) + '"'


def _split_keep(text: str, sep: str) -> list[str]:
    pieces = text.split(sep)
    out = []
    for i, p in enumerate(pieces):
        if i:
            out.append(sep)
        out.append(p)
    return out
