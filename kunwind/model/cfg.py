"""Control-flow graphs: basic blocks of simple statements joined by labelled edges.

A branch block ends with ``cond`` and has exactly two successors, the ``true``
edge first. A switch block ends with ``switch`` and has one ``case``/``default``
edge per target. Block 0 is the entry; ``exit`` is a distinguished empty block
that every ``return`` (and falling off the end) reaches.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field

from .ir import Expr, Loc, Stmt, stmt_exprs


@dataclass
class Edge:
    dst: int
    # next | true | false | goto | case | default | back; ``inner``: a goto to a statement
    # expression's own label (a macro's ``__label__ __out``): the macro's control flow,
    # not a way the function unwinds
    kind: str = "next"
    value: int | None = None  # the case value of a ``case`` edge
    line: int = 0  # where the jump is written (goto edges)


@dataclass
class Block:
    id: int
    stmts: list[Stmt] = field(default_factory=list)
    succs: list[Edge] = field(default_factory=list)
    cond: Expr | None = None  # set on a two-way branch block
    switch: Expr | None = None  # set on a switch dispatch block
    cond_loc: Loc | None = None
    labels: list[str] = field(default_factory=list)

    def targets(self) -> list[int]:
        return [e.dst for e in self.succs]

    def stmt_exprs(self) -> list[Expr]:
        """What the block's statements evaluate (``ir.stmt_exprs``), in order."""
        return [e for s in self.stmts for e in stmt_exprs(s)]

    def exprs(self) -> list[Expr]:
        """What the block evaluates: its statements', then its condition or switch."""
        return self.stmt_exprs() + [e for e in (self.cond, self.switch) if e is not None]


@dataclass
class Param:
    name: str
    ptr: bool = False


@dataclass
class Function:
    name: str
    file: str
    loc: Loc
    end_line: int
    params: list[Param]
    returns_ptr: bool
    returns_void: bool
    blocks: list[Block]
    entry: int = 0
    exit: int = 1
    static: bool = False

    def preds(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {b.id: [] for b in self.blocks}
        for b in self.blocks:
            for e in b.succs:
                out[e.dst].append(b.id)
        return out

    def straight_run(self, start: int) -> Iterator[Block]:
        """The blocks from ``start`` on while each runs into the next without a branch:
        ``start``, its one successor, and so on, up to and including the first block
        that branches (a condition, a switch, or not exactly one successor); each once."""
        seen: set[int] = set()
        bid = start
        while bid not in seen:
            seen.add(bid)
            blk = self.blocks[bid]
            yield blk
            if blk.cond is not None or blk.switch is not None or len(blk.succs) != 1:
                return
            bid = blk.succs[0].dst

    def reachable_from(self, start: int, avoid: int | Collection[int] | None = None,
                       skip_kind: str = "") -> set[int]:
        """The blocks reachable from ``start``; with ``avoid``, only on paths that do
        not go through that block (or those blocks); with ``skip_kind``, only along
        edges of another kind (``"goto"``: the paths that fall through)."""
        avoided = {avoid} if isinstance(avoid, int) else set(avoid or ())
        seen = {start}
        todo = [start]
        while todo:
            for e in self.blocks[todo.pop()].succs:
                d = e.dst
                if d not in seen and d not in avoided and e.kind != skip_kind:
                    seen.add(d)
                    todo.append(d)
        return seen
