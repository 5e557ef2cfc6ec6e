"""Build a CFG (``kunwind.model.cfg``) from structured statements (``syntax``).

Conditions are lowered into branch blocks: ``&&``, ``||``, ``!`` over them and
``?:`` in a condition become separate tests, so that each branch block tests
one thing. GNU statement expressions are flattened into the current block
before the expression that uses their value. Unreachable code after a
``return``/``goto`` still gets blocks (it may hold labels).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import overload

from . import syntax as sx
from .cfg import Block, Edge, Function, Param
from .fold import compiler_decided
from .ir import (
    Assign,
    Binary,
    Call,
    Cleanup,
    Cond,
    Const,
    Expr,
    ExprStmt,
    Index,
    Loc,
    Member,
    Other,
    Return,
    Stmt,
    Store,
    Unary,
    Var,
    path_of,
    subexprs,
)


class BudgetExceeded(Exception):
    """The function is too large for the CFG budget."""


@dataclass
class _Loop:
    brk: int
    cont: int | None  # None inside a switch


@dataclass
class _Builder:
    max_blocks: int
    blocks: list[Block] = field(default_factory=list)
    cur: int | None = None
    jumps: list[_Loop] = field(default_factory=list)
    labels: dict[str, int] = field(default_factory=dict)
    gotos: list[tuple[int, str, int]] = field(default_factory=list)
    switch_stack: list[int] = field(default_factory=list)
    cleanups: list[Cleanup] = field(default_factory=list)

    # blocks -------------------------------------------------------------
    def new(self) -> int:
        if len(self.blocks) >= self.max_blocks:
            raise BudgetExceeded(f"more than {self.max_blocks} basic blocks")
        b = Block(id=len(self.blocks))
        self.blocks.append(b)
        return b.id

    def edge(self, src: int, dst: int, kind: str = "next", value: int | None = None) -> None:
        self.blocks[src].succs.append(Edge(dst, kind, value))

    def here(self) -> int:
        """The current block; after a jump, a fresh unreachable one."""
        if self.cur is None:
            self.cur = self.new()
        return self.cur

    def goto_block(self, dst: int, kind: str = "next") -> None:
        if self.cur is not None:
            self.edge(self.cur, dst, kind)
        self.cur = None

    def start(self, b: int) -> None:
        """Fall through from the current block into ``b`` and make it current."""
        self.goto_block(b)
        self.cur = b

    def emit(self, stmt: Stmt) -> None:
        self.blocks[self.here()].stmts.append(stmt)

    # expressions --------------------------------------------------------
    @overload
    def flat(self, e: Expr) -> Expr: ...
    @overload
    def flat(self, e: None) -> None: ...
    @overload
    def flat(self, e: Expr | None) -> Expr | None: ...

    def flat(self, e: Expr | None) -> Expr | None:
        """Emit the statements of any statement expression in ``e``; return ``e`` without them."""
        if e is None:
            return None
        if isinstance(e, sx.StmtExpr):
            gotos, labels = len(self.gotos), dict(self.labels)
            for s in e.body:
                self.stmt(s)
            self.close_labels(gotos, labels)
            return self.flat(e.value) if e.value is not None else Other("({...})")
        if isinstance(e, Call):
            args = tuple(self.flat(a) for a in e.args)
            return e if args == e.args else Call(e.callee, args, e.loc, e.ptr, e.indirect, e.fn)
        if isinstance(e, Unary):
            return Unary(e.op, self.flat(e.operand), e.ptr)
        if isinstance(e, Binary):
            return Binary(e.op, self.flat(e.lhs), self.flat(e.rhs), e.ptr)
        if isinstance(e, Assign):
            return Assign(self.flat(e.target), self.flat(e.value), e.op, e.ptr)
        if isinstance(e, Member):
            return Member(self.flat(e.base), e.name, e.arrow, e.ptr, e.first)
        if isinstance(e, Index):
            return Index(self.flat(e.base), self.flat(e.index), e.ptr)
        if isinstance(e, Cond):
            return Cond(self.flat(e.cond), self.flat(e.then), self.flat(e.other), e.ptr)
        if isinstance(e, Other) and e.parts:
            return Other(e.text, tuple(self.flat(p) for p in e.parts), e.ptr)
        return e

    def expr_stmt(self, e: Expr, loc: Loc) -> None:
        if isinstance(e, Binary) and e.op == ",":
            # each operand whole, in order: the statement expressions of the right one
            # (list_next_entry(pos, ...)) run after the left one's assignment (pos = ...)
            self.expr_stmt(e.lhs, loc)
            self.expr_stmt(e.rhs, loc)
            return
        if isinstance(e, Assign) and e.op == "=" and isinstance(e.value, Cond) and \
                _plain_target(e.target) and \
                (_runs_statements(e.value.then) or _runs_statements(e.value.other)):
            # p = atomic ? kzalloc(n, GFP_ATOMIC) : kzalloc(n, GFP_KERNEL), each side a
            # macro's statement expression: only the side the test takes runs
            c = e.value
            t, f, j = self.new(), self.new(), self.new()
            self.branch(c.cond, t, f, loc)
            for side, arm in ((t, c.then), (f, c.other)):
                self.cur = side
                self.expr_stmt(Assign(e.target, arm, "=", e.ptr), loc)
                self.goto_block(j)
            self.cur = j
            return
        e = self.flat(e)
        if isinstance(e, Binary) and e.op == ",":
            self.expr_stmt(e.lhs, loc)
            self.expr_stmt(e.rhs, loc)
        elif isinstance(e, Assign) and e.op == "=" and isinstance(e.target, Var) and \
                isinstance(e.value, Var) and e.value.name == e.target.name:
            pass  # __ret = __ret: a macro's statement expression gave its value to the
            # variable of the same name around it (wait_event_interruptible()'s)
        elif isinstance(e, Assign):
            self.emit(Store(loc, e.target, e.value, e.op))
        elif isinstance(e, Unary) and e.op in ("++", "--", "post++", "post--"):
            self.emit(Store(loc, e.operand, Const(1), "+=" if "+" in e.op else "-="))
        elif isinstance(e, Cond):
            # a ?: evaluated for its effect: branch, like an if
            t, f, j = self.new(), self.new(), self.new()
            self.branch(e.cond, t, f, loc)
            self.cur = t
            self.expr_stmt(e.then, loc)
            self.goto_block(j)
            self.cur = f
            self.expr_stmt(e.other, loc)
            self.goto_block(j)
            self.cur = j
        else:
            self.emit(ExprStmt(loc, e))

    def branch(self, c: Expr, t: int, f: int, loc: Loc) -> None:
        """Emit a test of ``c`` from the current block: true to ``t``, false to ``f``."""
        c = self.flat(c)
        decided = compiler_decided(c)
        if decided is not None:  # the compiler takes one side in every configuration
            return self.goto_block(t if decided else f)
        if isinstance(c, Unary) and c.op == "!" and _is_logic(c.operand):
            return self.branch(c.operand, f, t, loc)
        if isinstance(c, Binary) and c.op == "&&":
            mid = self.new()
            self.branch(c.lhs, mid, f, loc)
            self.cur = mid
            return self.branch(c.rhs, t, f, loc)
        if isinstance(c, Binary) and c.op == "||":
            mid = self.new()
            self.branch(c.lhs, t, mid, loc)
            self.cur = mid
            return self.branch(c.rhs, t, f, loc)
        if isinstance(c, Cond):
            a, b = self.new(), self.new()
            self.branch(c.cond, a, b, loc)
            self.cur = a
            self.branch(c.then, t, f, loc)
            self.cur = b
            return self.branch(c.other, t, f, loc)
        if isinstance(c, Binary) and c.op == ",":
            self.expr_stmt(c.lhs, loc)
            return self.branch(c.rhs, t, f, loc)
        block = self.blocks[self.here()]
        block.cond, block.cond_loc = c, loc
        self.edge(block.id, t, "true")
        self.edge(block.id, f, "false")
        self.cur = None

    # statements ---------------------------------------------------------
    def stmt(self, s: sx.S | None) -> None:
        if s is None:
            return
        method = getattr(self, "s_" + type(s).__name__[1:].lower())
        method(s)

    def s_block(self, s: sx.SBlock) -> None:
        for item in s.items:
            self.stmt(item)

    def s_expr(self, s: sx.SExpr) -> None:
        self.expr_stmt(s.expr, s.loc)

    def s_decl(self, s: sx.SDecl) -> None:
        init = self.flat(s.init)
        self.emit(Store(s.loc, Var(s.name, s.ptr), init, "=", decl=True))
        if s.cleanup:
            c = Cleanup(s.loc, s.name, s.cleanup)
            self.emit(c)
            self.cleanups.append(c)

    def s_if(self, s: sx.SIf) -> None:
        then, join = self.new(), self.new()
        other = self.new() if s.other is not None else join
        self.branch(s.cond, then, other, s.loc)
        self.cur = then
        self.stmt(s.then)
        self.goto_block(join)
        if s.other is not None:
            self.cur = other
            self.stmt(s.other)
            self.goto_block(join)
        self.cur = join

    def s_while(self, s: sx.SWhile) -> None:
        head, body, after = self.new(), self.new(), self.new()
        self.start(head)
        self.branch(s.cond, body, after, s.loc)
        self.cur = body
        self.jumps.append(_Loop(after, head))
        self.stmt(s.body)
        self.jumps.pop()
        self.goto_block(head, "back")
        self.cur = after

    def s_for(self, s: sx.SFor) -> None:
        self.stmt(s.init)
        head, body, after = self.new(), self.new(), self.new()
        cont = self.new() if s.inc is not None else head
        self.start(head)
        if s.cond is None:
            self.goto_block(body)
        else:
            self.branch(s.cond, body, after, s.loc)
        self.cur = body
        self.jumps.append(_Loop(after, cont))
        self.stmt(s.body)
        self.jumps.pop()
        if s.inc is not None:
            self.start(cont)
            self.expr_stmt(s.inc, s.loc)
        self.goto_block(head, "back")
        self.cur = after

    def s_do(self, s: sx.SDo) -> None:
        after = self.new()
        if isinstance(s.cond, Const) and s.cond.value == 0:
            # do { } while (0): one pass; break and continue leave it
            self.jumps.append(_Loop(after, after))
            self.stmt(s.body)
            self.jumps.pop()
            self.start(after)
            return
        body, cont = self.new(), self.new()
        self.start(body)
        self.jumps.append(_Loop(after, cont))
        self.stmt(s.body)
        self.jumps.pop()
        self.start(cont)
        self.branch(s.cond, body, after, s.loc)
        for e in self.blocks[cont].succs:
            if e.dst == body:
                e.kind = "back"
        self.cur = after

    def s_switch(self, s: sx.SSwitch) -> None:
        cond = self.flat(s.cond)
        disp = self.here()
        self.blocks[disp].switch = cond
        self.blocks[disp].cond_loc = s.loc
        after = self.new()
        self.cur = None
        self.jumps.append(_Loop(after, None))
        self.switch_stack.append(disp)
        self.stmt(s.body)
        self.switch_stack.pop()
        self.jumps.pop()
        self.goto_block(after)
        if not any(e.kind == "default" for e in self.blocks[disp].succs):
            self.edge(disp, after, "default")
        self.cur = after

    def s_case(self, s: sx.SCase) -> None:
        b = self.new()
        self.start(b)
        if self.switch_stack:
            kind = "default" if s.value is None else "case"
            self.edge(self.switch_stack[-1], b, kind, s.value)
        self.stmt(s.body)

    def s_label(self, s: sx.SLabel) -> None:
        b = self.new()
        self.start(b)
        self.blocks[b].labels.append(s.name)
        self.labels[s.name] = b
        self.stmt(s.body)

    def close_labels(self, gotos: int, labels: dict[str, int]) -> None:
        """Leave a statement expression: its labels are its own (a macro's ``__label__
        __out``, one per use of the macro), so the gotos made in it since ``gotos``
        that name one go there now, by edges of kind ``inner`` (the macro's own control
        flow, not a way the function unwinds), and outside it the names mean what they
        meant before (``labels``). No goto from outside can enter it (GNU C forbids it)."""
        inner = {n: b for n, b in self.labels.items() if labels.get(n) != b}
        if not inner:
            return
        pending = self.gotos[gotos:]
        del self.gotos[gotos:]
        for src, name, line in pending:
            if name in inner:
                self.blocks[src].succs.append(Edge(inner[name], "inner", line=line))
            else:
                self.gotos.append((src, name, line))
        self.labels = labels

    def s_goto(self, s: sx.SGoto) -> None:
        if s.label:
            self.gotos.append((self.here(), s.label, s.loc.line))
        else:  # goto *p: may reach any label; resolved at the end
            self.gotos.append((self.here(), "*", s.loc.line))
        self.cur = None

    def s_asmgoto(self, s: sx.SAsmGoto) -> None:
        src = self.here()
        for name in s.labels:
            self.gotos.append((src, name, s.loc.line))
        nxt = self.new()
        self.edge(src, nxt)
        self.cur = nxt

    def s_break(self, s: sx.SBreak) -> None:
        if self.jumps:
            self.goto_block(self.jumps[-1].brk)
        else:
            self.cur = None

    def s_continue(self, s: sx.SContinue) -> None:
        for j in reversed(self.jumps):
            if j.cont is not None:
                self.goto_block(j.cont, "back" if j.cont != j.brk else "next")
                return
        self.cur = None

    def s_return(self, s: sx.SReturn) -> None:
        value = self.flat(s.value)
        self.emit(Return(s.loc, value))
        self.goto_block(1)


def _is_logic(e: Expr) -> bool:
    return (isinstance(e, Binary) and e.op in ("&&", "||")) or isinstance(e, Cond) or (
        isinstance(e, Unary) and e.op == "!" and _is_logic(e.operand)
    )


def build_cfg(fn: sx.FunctionSyntax, file: str, max_blocks: int = 20000) -> Function:
    """The CFG of one function. Raises ``BudgetExceeded`` past ``max_blocks`` blocks."""
    b = _Builder(max_blocks=max_blocks)
    entry = b.new()
    exit_ = b.new()
    b.cur = entry
    b.stmt(fn.body)
    if b.cur is not None:  # falling off the end
        b.emit(Return(Loc(fn.end_line, 1), None))
        b.goto_block(exit_)
    for src, name, line in b.gotos:
        if name == "*":
            for dst in sorted(b.labels.values()):
                b.blocks[src].succs.append(Edge(dst, "goto", line=line))
        elif name in b.labels:
            b.blocks[src].succs.append(Edge(b.labels[name], "goto", line=line))
    return Function(
        name=fn.name,
        file=file,
        loc=fn.loc,
        end_line=fn.end_line,
        params=[Param(n, p) for n, p in fn.params],
        returns_ptr=fn.returns_ptr,
        returns_void=fn.returns_void,
        blocks=b.blocks,
        entry=entry,
        exit=exit_,
        static=fn.static,
    )


def summary_cfgs(syntaxes: Iterable[sx.FunctionSyntax], file: str,
                 max_blocks: int) -> list[Function]:
    """The CFGs of functions read only for their summaries (header helpers, another
    file's functions): one over the budget or nested too deeply is left out, and
    stays unknown to the summaries."""
    out: list[Function] = []
    for syntax in syntaxes:
        try:
            out.append(build_cfg(syntax, file, max_blocks))
        except (BudgetExceeded, RecursionError):
            continue
    return out


def _plain_target(e: Expr) -> bool:
    """A variable or a field path: assigning it on each side of a branch is the same."""
    return path_of(e) is not None


def _runs_statements(e: Expr) -> bool:
    """Does ``e`` hold a statement expression (``({ ... })``) anywhere?"""
    return any(isinstance(x, sx.StmtExpr) for x in subexprs(e))
