"""Expressions and simple statements of the function model.

Frontends lower C into these plain dataclasses; analyses and rules only ever
see them, never a libclang cursor or a pycparser node. Expressions keep the
shape that matters for unwinding (calls, access paths, constants, tests) and
collapse everything else into ``Other``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Loc:
    line: int
    col: int


@dataclass(frozen=True)
class Expr:
    """Base of all expressions. ``ptr`` is true when the C type is a pointer."""


@dataclass(frozen=True)
class Var(Expr):
    name: str
    ptr: bool = False
    is_param: bool = False


@dataclass(frozen=True)
class Member(Expr):
    """``base->name`` (arrow) or ``base.name``."""

    base: Expr
    name: str
    arrow: bool = True
    ptr: bool = False


@dataclass(frozen=True)
class Index(Expr):
    base: Expr
    index: Expr
    ptr: bool = False


@dataclass(frozen=True)
class Const(Expr):
    """An integer constant (NULL is ``Const(0, ptr=True)``)."""

    value: int
    ptr: bool = False


@dataclass(frozen=True)
class Str(Expr):
    value: str = ""


@dataclass(frozen=True)
class Call(Expr):
    callee: str
    args: tuple[Expr, ...] = ()
    loc: Loc = Loc(0, 0)
    ptr: bool = False
    indirect: bool = False
    fn: Expr | None = None  # the callee expression of an indirect call (ops->release)


@dataclass(frozen=True)
class Unary(Expr):
    """``op`` is one of ``! - ~ * & + ++ -- post++ post--``."""

    op: str
    operand: Expr
    ptr: bool = False


@dataclass(frozen=True)
class Binary(Expr):
    """Arithmetic, comparison or logical operator (``&&``/``||`` in value position)."""

    op: str
    lhs: Expr
    rhs: Expr
    ptr: bool = False


@dataclass(frozen=True)
class Cond(Expr):
    """``c ? a : b`` in value position."""

    cond: Expr
    then: Expr
    other: Expr
    ptr: bool = False


@dataclass(frozen=True)
class Assign(Expr):
    """An assignment used as a value, e.g. ``if (!(p = kmalloc(...)))``."""

    target: Expr
    value: Expr
    op: str = "="
    ptr: bool = False


@dataclass(frozen=True)
class Other(Expr):
    """Anything the model does not need to see into (sizeof, casts of literals...).

    ``parts`` keeps sub-expressions that may still hold calls or uses.
    """

    text: str = ""
    parts: tuple[Expr, ...] = ()
    ptr: bool = False


# Statements ---------------------------------------------------------------


@dataclass
class Stmt:
    loc: Loc


@dataclass
class ExprStmt(Stmt):
    """An expression evaluated for its effect (usually a call)."""

    expr: Expr


@dataclass
class Store(Stmt):
    """``target op= value``; a declaration with an initialiser is a store too."""

    target: Expr
    value: Expr | None
    op: str = "="
    decl: bool = False


@dataclass
class Return(Stmt):
    value: Expr | None = None


@dataclass
class Cleanup(Stmt):
    """A scope-exit cleanup: ``__free(fn)`` and ``guard()`` variables (attribute cleanup)."""

    var: str
    fn: str


def subexprs(e: Expr):
    """Yield ``e`` and every sub-expression, in evaluation order (children first)."""
    if isinstance(e, Member):
        yield from subexprs(e.base)
    elif isinstance(e, Index):
        yield from subexprs(e.base)
        yield from subexprs(e.index)
    elif isinstance(e, Call):
        if e.fn is not None:
            yield from subexprs(e.fn)
        for a in e.args:
            yield from subexprs(a)
    elif isinstance(e, Unary):
        yield from subexprs(e.operand)
    elif isinstance(e, Binary):
        yield from subexprs(e.lhs)
        yield from subexprs(e.rhs)
    elif isinstance(e, Cond):
        yield from subexprs(e.cond)
        yield from subexprs(e.then)
        yield from subexprs(e.other)
    elif isinstance(e, Assign):
        yield from subexprs(e.value)
        yield from subexprs(e.target)
    elif isinstance(e, Other):
        for p in e.parts:
            yield from subexprs(p)
    yield e


def calls_in(e: Expr | None) -> list[Call]:
    if e is None:
        return []
    return [x for x in subexprs(e) if isinstance(x, Call)]


def path_of(e: Expr) -> str | None:
    """The access path of an lvalue-like expression: ``vma``, ``vma->anon_vma``, ``d->r.x``.

    Casts and parentheses are already stripped by the frontends. Returns None when
    the expression is not a plain access path.
    """
    if isinstance(e, Var):
        return e.name
    if isinstance(e, Member):
        base = path_of(e.base)
        if base is None:
            return None
        return f"{base}{'->' if e.arrow else '.'}{e.name}"
    if isinstance(e, Unary) and e.op == "&":
        inner = path_of(e.operand)
        return None if inner is None else "&" + inner
    return None


def root_of(path: str) -> str:
    """``vma->anon_vma->root`` -> ``vma``; ``&d->x`` -> ``d``."""
    p = path.lstrip("&*")
    for i, ch in enumerate(p):
        if ch in "-.[":
            return p[:i]
    return p


def render(e: Expr | None) -> str:
    """Source-like text of an expression, for messages."""
    if e is None:
        return ""
    if isinstance(e, Var):
        return e.name
    if isinstance(e, Member):
        return f"{render(e.base)}{'->' if e.arrow else '.'}{e.name}"
    if isinstance(e, Index):
        return f"{render(e.base)}[{render(e.index)}]"
    if isinstance(e, Const):
        return "NULL" if e.ptr and e.value == 0 else str(e.value)
    if isinstance(e, Str):
        return '"..."'
    if isinstance(e, Call):
        return f"{e.callee}({', '.join(render(a) for a in e.args)})"
    if isinstance(e, Unary):
        if e.op.startswith("post"):
            return f"{render(e.operand)}{e.op[4:]}"
        return f"{e.op}{render(e.operand)}"
    if isinstance(e, Binary):
        return f"{render(e.lhs)} {e.op} {render(e.rhs)}"
    if isinstance(e, Cond):
        return f"{render(e.cond)} ? {render(e.then)} : {render(e.other)}"
    if isinstance(e, Assign):
        return f"{render(e.target)} {e.op} {render(e.value)}"
    if isinstance(e, Other):
        return e.text or "..."
    return "?"
