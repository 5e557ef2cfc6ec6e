"""Structured statements: what a frontend produces before the CFG is built.

Both frontends (libclang, pycparser) lower a function body into this small
tree; ``kunwind.model.build`` turns it into a CFG. Keeping the tree separate
means the CFG construction, and every subtle edge it has, exists once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .ir import Expr, Loc


@dataclass
class S:
    loc: Loc


@dataclass
class SBlock(S):
    items: list[S] = field(default_factory=list)


@dataclass
class SExpr(S):
    expr: Expr


@dataclass
class SDecl(S):
    name: str
    init: Expr | None
    ptr: bool = False
    cleanup: str = ""  # __attribute__((cleanup(fn))): __free(), guard()


@dataclass
class SIf(S):
    cond: Expr
    then: S
    other: S | None = None


@dataclass
class SWhile(S):
    cond: Expr
    body: S


@dataclass
class SDo(S):
    body: S
    cond: Expr


@dataclass
class SFor(S):
    init: S | None
    cond: Expr | None
    inc: Expr | None
    body: S


@dataclass
class SSwitch(S):
    cond: Expr
    body: S


@dataclass
class SCase(S):
    value: int | None  # None: default; UNKNOWN_CASE: not one known value (a range)
    body: S | None = None


UNKNOWN_CASE = -(1 << 62)  # a case label whose value is not one known integer


@dataclass
class SLabel(S):
    name: str
    body: S | None = None


@dataclass
class SGoto(S):
    label: str  # "" for a computed goto (goto *p)


@dataclass
class SBreak(S):
    pass


@dataclass
class SContinue(S):
    pass


@dataclass
class SReturn(S):
    value: Expr | None = None


@dataclass
class SAsmGoto(S):
    labels: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class StmtExpr(Expr):
    """GNU ``({ ...; value; })``: statements, then the value of the last one. The
    statements are no part of its hash (they are mutable, an ``SDo`` among them): a
    call given one as an argument can be a key."""

    body: tuple[S, ...] = field(default=(), hash=False)
    value: Expr | None = None
    ptr: bool = False


@dataclass
class FunctionSyntax:
    name: str
    loc: Loc
    end_line: int
    params: list[tuple[str, bool]]  # (name, is_pointer)
    returns_ptr: bool
    returns_void: bool
    body: SBlock
    static: bool = False
