"""Expressions and simple statements of the function model.

Frontends lower C into these plain dataclasses; analyses and rules only ever
see them, never a libclang cursor or a pycparser node. Expressions keep the
shape that matters for unwinding (calls, access paths, constants, tests) and
collapse everything else into ``Other``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar


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
    # the member is at offset 0 of its record: its address is the object's (the
    # frontend's layout; False where it does not know)
    first: bool = field(default=False, compare=False)


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
    boolean: bool = False  # returns bool: an answer (a predicate), never an error code
    # returns an unsigned integer (a DMA address, a status mask, a size): no negative
    # errno, so a test of it for non-zero is no failure test
    unsigned: bool = False
    # declared noreturn (``__noreturn``): the path ends at the call
    noreturn: bool = False


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


# Calls that only hint the compiler: ``unlikely(x)`` expands to
# ``__builtin_expect(!!(x), 0)``; the model keeps just ``x``.
TRANSPARENT_CALLS = frozenset({"__builtin_expect", "__builtin_expect_with_probability"})


def pointer_table(name: str) -> str:
    """The key of the file's pointer variable ``name`` among its callback tables (a
    ``static struct class *foo_class`` the code fills in at run time)."""
    return "*" + name


def element_table_name(name: str, index: int) -> str:
    """The key of element ``index`` of the file's array of callback structs ``name``
    (``static const struct snd_soc_dapm_widget foo_widgets[]``) among its tables."""
    return f"{name}[{index}]"


def strip_not_not(e: Expr) -> Expr:
    """``!!x`` is ``x`` as a condition (the kernel's likely()/unlikely() write it)."""
    while isinstance(e, Unary) and e.op == "!" and isinstance(e.operand, Unary) \
            and e.operand.op == "!":
        e = e.operand.operand
    return e


VOID_CAST = "(void)"


def void_cast(e: Expr) -> Expr:
    """``(void)foo(x);`` as a statement: the call wrapped, so that the model tells a
    result dropped on purpose from one merely not used (``foo(x);``). Its calls and
    their effects are the same (``subexprs`` goes through the wrapper)."""
    return Other(VOID_CAST, (e,)) if isinstance(e, Call) else e


def stmt_exprs(s: Stmt) -> tuple[Expr, ...]:
    """The expressions a statement evaluates for their value or effect (a store's value,
    an expression statement, a returned value; not a store's target)."""
    if isinstance(s, (Store, Return)):
        return (s.value,) if s.value is not None else ()
    if isinstance(s, ExprStmt):
        return (s.expr,)
    return ()


_T = TypeVar("_T")
_MEMO_SIZE = 200_000  # entries per memo before it starts again


def _remembered(memo: dict[int, tuple[Expr, _T]], e: Expr, compute: Callable[[Expr], _T]) -> _T:
    """``compute(e)``, remembered per expression object: the CFG's expressions are
    never changed, and the memo keeps ``e`` alive so that its id is not reused."""
    hit = memo.get(id(e))
    if hit is not None and hit[0] is e:
        return hit[1]
    value = compute(e)
    if len(memo) > _MEMO_SIZE:
        memo.clear()
    memo[id(e)] = (e, value)
    return value


_SUBEXPRS: dict[int, tuple[Expr, tuple[Expr, ...]]] = {}


def subexprs(e: Expr) -> tuple[Expr, ...]:
    """``e`` and every sub-expression, in evaluation order (children first)."""
    return _remembered(_SUBEXPRS, e, _subexprs)


def _subexprs(e: Expr) -> tuple[Expr, ...]:
    out: list[Expr] = []
    stack: list[tuple[Expr, bool]] = [(e, False)]
    while stack:
        x, expanded = stack.pop()
        if expanded:
            out.append(x)
            continue
        stack.append((x, True))
        for child in reversed(_children(x)):
            stack.append((child, False))
    return tuple(out)


def _children(e: Expr) -> tuple[Expr, ...]:
    if isinstance(e, Member):
        return (e.base,)
    if isinstance(e, Index):
        return (e.base, e.index)
    if isinstance(e, Call):
        return e.args if e.fn is None else (e.fn, *e.args)
    if isinstance(e, Unary):
        return (e.operand,)
    if isinstance(e, Binary):
        return (e.lhs, e.rhs)
    if isinstance(e, Cond):
        return (e.cond, e.then, e.other)
    if isinstance(e, Assign):
        return (e.value, e.target)
    if isinstance(e, Other):
        return e.parts
    return ()


_CALLS: dict[int, tuple[Expr, list[Call]]] = {}


def forget_expressions() -> None:
    """Drop the memos of ``subexprs``, ``calls_in`` and ``render`` (between files)."""
    _SUBEXPRS.clear()
    _CALLS.clear()
    _RENDERED.clear()


def calls_in(e: Expr | None) -> list[Call]:
    """The calls in ``e``, in evaluation order (remembered per expression object)."""
    if e is None:
        return []
    return _remembered(_CALLS, e, _calls)


def _calls(e: Expr) -> list[Call]:
    return [x for x in subexprs(e) if isinstance(x, Call)]


# The text of the part of ``offsetof(T, m)``'s ``Other`` that names its member, before
# the member's path (``member_ref:dev``, ``member_ref:adreno.base``)
OFFSETOF_MEMBER = "member_ref:"


def offsetof_member(e: Expr) -> str | None:
    """The member path ``offsetof(T, a.b)`` names ("a.b"), or None for anything else."""
    if not isinstance(e, Other) or len(e.parts) != 2:
        return None
    last = e.parts[1]
    if isinstance(last, Other) and last.text.startswith(OFFSETOF_MEMBER) and \
            len(last.text) > len(OFFSETOF_MEMBER):
        return last.text[len(OFFSETOF_MEMBER):]
    return None


def path_of(e: Expr) -> str | None:
    """The access path of an lvalue-like expression: ``vma``, ``vma->anon_vma``, ``d->r.x``.

    Casts and parentheses are already stripped by the frontends. Returns None when
    the expression is not a plain access path.
    """
    if isinstance(e, Var):
        return e.name
    if isinstance(e, Member):
        if e.arrow and isinstance(e.base, Unary) and e.base.op == "&":
            # (&a)->b is a.b (a macro's ``(&(ep)->com)->kref``): one object, one name
            inner = path_of(e.base.operand)
            return None if inner is None else f"{inner}.{e.name}"
        base = path_of(e.base)
        if base is None:
            return None
        return f"{base}{'->' if e.arrow else '.'}{e.name}"
    if isinstance(e, Unary) and e.op == "&" and isinstance(e.operand, Index) and \
            isinstance(e.operand.index, Const) and e.operand.index.value == 0:
        return path_of(e.operand.base)  # &p[0] is p, &groups[0] the array groups
    if isinstance(e, Unary) and e.op == "&":
        inner = path_of(e.operand)
        return None if inner is None else "&" + inner
    return None


def pointee_path(e: Expr) -> str | None:
    """``*pp`` for a variable ``pp``: ``"*pp"``, the name of what it points at, as a
    chained store and a test can share it (``addr = *vaddr = alloc(); if (!*vaddr)``);
    else None. Not an access path: a store through another pointer may change it."""
    if isinstance(e, Unary) and e.op == "*" and isinstance(e.operand, Var):
        return "*" + e.operand.name
    return None


def element_table(e: Expr | None) -> Expr | None:
    """The table whose element at a computed index ``e`` is, or a member of which it
    is: ``p->msgs[i]`` and ``p->tpa[i].buf`` -> ``p->msgs``, ``p->tpa``; None for
    anything else (a constant index names one object, not a table's element)."""
    while isinstance(e, Member) and not e.arrow:
        e = e.base
    if isinstance(e, Member) and isinstance(e.base, Index):
        e = e.base
    if isinstance(e, Index) and not isinstance(e.index, Const):
        return e.base
    return None


def root_of(path: str) -> str:
    """``vma->anon_vma->root`` -> ``vma``; ``&d->x`` -> ``d``."""
    p = path.lstrip("&*")
    for i, ch in enumerate(p):
        if ch in "-.[":
            return p[:i]
    return p


_RENDERED: dict[int, tuple[Expr, str]] = {}


def render(e: Expr | None) -> str:
    """Source-like text of an expression, for messages (remembered per expression object)."""
    if e is None:
        return ""
    return _remembered(_RENDERED, e, _render)


def _render(e: Expr) -> str:
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
    if isinstance(e, Other) and e.text == VOID_CAST:
        return f"{VOID_CAST}{render(e.parts[0])}"
    if isinstance(e, Other):
        return e.text or "..."
    return "?"
