"""Lower libclang cursors of one function body into structured statements.

Only the cursors of function bodies in the main file are visited. Meaning is
read from cursor kinds, referenced declarations, operator kinds and constant
evaluation, never from tokens (tokens of macro-made nodes are empty or wrong).
"""

from __future__ import annotations

from typing import Any

from kunwind.model import syntax as sx
from kunwind.model.ir import (
    Assign,
    Binary,
    Call,
    Cond,
    Const,
    Expr,
    Index,
    Loc,
    Member,
    Other,
    Str,
    Unary,
    Var,
)

from . import clang_lib as cl

# Wrappers that only hint the compiler: ``unlikely(x)`` expands to
# ``__builtin_expect(!!(x), 0)``; the model keeps just ``x``.
TRANSPARENT_CALLS = {"__builtin_expect", "__builtin_expect_with_probability"}


class Lowerer:
    def __init__(self) -> None:
        ci = cl.cindex()
        self.K = ci.CursorKind
        self.TK = ci.TypeKind
        self._ptr_kinds = {
            ci.TypeKind.POINTER,
            ci.TypeKind.INCOMPLETEARRAY,
            ci.TypeKind.CONSTANTARRAY,
        }
        self.params: set[str] = set()

    # helpers ------------------------------------------------------------
    def loc(self, c: Any) -> Loc:
        p = c.location
        return Loc(p.line, p.column)

    def is_ptr(self, c: Any) -> bool:
        t = c.type
        if t.kind in self._ptr_kinds:
            return True
        if t.kind in (self.TK.ELABORATED, self.TK.TYPEDEF):
            return t.get_canonical().kind in self._ptr_kinds
        return False

    # statements ---------------------------------------------------------
    def function(self, c: Any) -> sx.FunctionSyntax:
        params = []
        body = None
        for ch in c.get_children():
            if ch.kind == self.K.PARM_DECL:
                params.append((ch.spelling, self.is_ptr(ch)))
            elif ch.kind == self.K.COMPOUND_STMT:
                body = ch
        self.params = {n for n, _ in params}
        rt = c.result_type
        canon = rt.get_canonical().kind
        return sx.FunctionSyntax(
            name=c.spelling,
            loc=self.loc(c),
            end_line=c.extent.end.line,
            params=params,
            returns_ptr=canon == self.TK.POINTER,
            returns_void=canon == self.TK.VOID,
            body=self.stmt(body) if body is not None else sx.SBlock(self.loc(c)),
            static=cl.is_static(c),
        )

    def stmt(self, c: Any) -> sx.S:
        K = self.K
        k = c.kind
        loc = self.loc(c)
        if k == K.COMPOUND_STMT:
            return sx.SBlock(loc, [self.stmt(ch) for ch in c.get_children()])
        if k == K.DECL_STMT:
            items: list[sx.S] = []
            for d in c.get_children():
                if d.kind == K.VAR_DECL:
                    items.append(self.decl(d))
            return items[0] if len(items) == 1 else sx.SBlock(loc, items)
        if k == K.IF_STMT:
            ch = list(c.get_children())
            return sx.SIf(loc, self.expr(ch[0]), self.stmt(ch[1]),
                          self.stmt(ch[2]) if len(ch) > 2 else None)
        if k == K.WHILE_STMT:
            ch = list(c.get_children())
            return sx.SWhile(loc, self.expr(ch[0]), self.stmt(ch[1]))
        if k == K.DO_STMT:
            ch = list(c.get_children())
            return sx.SDo(loc, self.stmt(ch[0]), self.expr(ch[1]))
        if k == K.FOR_STMT:
            return self.for_stmt(c, loc)
        if k == K.SWITCH_STMT:
            ch = list(c.get_children())
            return sx.SSwitch(loc, self.expr(ch[0]), self.stmt(ch[-1]))
        if k == K.CASE_STMT:
            ch = list(c.get_children())
            value = cl.evaluate_int(ch[0])
            body = self.stmt(ch[-1]) if len(ch) > 1 else None
            return sx.SCase(loc, value if value is not None else -(1 << 62), body)
        if k == K.DEFAULT_STMT:
            ch = list(c.get_children())
            return sx.SCase(loc, None, self.stmt(ch[-1]) if ch else None)
        if k == K.LABEL_STMT:
            ch = list(c.get_children())
            return sx.SLabel(loc, c.spelling, self.stmt(ch[0]) if ch else None)
        if k == K.GOTO_STMT:
            ch = list(c.get_children())
            return sx.SGoto(loc, ch[0].spelling if ch else "")
        if k == K.INDIRECT_GOTO_STMT:
            return sx.SGoto(loc, "")
        if k == K.BREAK_STMT:
            return sx.SBreak(loc)
        if k == K.CONTINUE_STMT:
            return sx.SContinue(loc)
        if k == K.RETURN_STMT:
            ch = list(c.get_children())
            return sx.SReturn(loc, self.expr(ch[0]) if ch else None)
        if k == K.NULL_STMT:
            return sx.SBlock(loc)
        if k in (K.ASM_STMT, K.MS_ASM_STMT):
            labels = [ch.spelling for ch in c.get_children() if ch.kind == K.LABEL_REF]
            return sx.SAsmGoto(loc, labels) if labels else sx.SBlock(loc)
        if k.is_expression() or k == K.UNEXPOSED_STMT:
            return sx.SExpr(loc, self.expr(c))
        return sx.SBlock(loc)

    def decl(self, d: Any) -> sx.S:
        loc = self.loc(d)
        if d.storage_class is not None and d.storage_class.name == "STATIC":
            return sx.SBlock(loc)  # a static local keeps its value across calls
        init = cl.var_initializer(d)
        cleanup = ""
        for ch in d.get_children():
            if ch.kind == self.K.UNEXPOSED_ATTR or ch.kind.name.endswith("_ATTR"):
                ref = None
                for sub in ch.get_children():
                    if sub.kind == self.K.DECL_REF_EXPR:
                        ref = sub.spelling
                if ref:
                    cleanup = ref
        return sx.SDecl(loc, d.spelling, self.expr(init) if init is not None else None,
                        self.is_ptr(d), cleanup)

    def for_stmt(self, c: Any, loc: Loc) -> sx.SFor:
        ch = list(c.get_children())
        body = self.stmt(ch[-1])
        parts = ch[:-1]
        init = cond = inc = None
        if len(parts) == 3:
            init, cond, inc = parts
        elif parts:
            present = self._for_parts(c, len(parts))
            named = dict(zip(present, parts, strict=False))
            init, cond, inc = named.get("init"), named.get("cond"), named.get("inc")
        init_s = None
        if init is not None:
            init_s = self.stmt(init)
        return sx.SFor(
            loc,
            init_s,
            self.expr(cond) if cond is not None else None,
            self.expr(inc) if inc is not None else None,
            body,
        )

    def _for_parts(self, c: Any, n: int) -> list[str]:
        """Which of init/cond/inc a for statement with ``n`` of them has.

        Read from the source text between ``for (`` and the body: the semicolons
        at parenthesis depth one split it. Falls back to "cond first" when the
        loop comes from a macro.
        """
        ext = c.extent
        try:
            with open(ext.start.file.name, "rb") as fh:
                fh.seek(ext.start.offset)
                text = fh.read(max(0, ext.end.offset - ext.start.offset)).decode("latin-1")
        except (OSError, AttributeError):
            text = ""
        if text.startswith("for"):
            depth = 0
            pieces = [""]
            for chx in text[3:]:
                if chx == "(":
                    depth += 1
                    if depth == 1:
                        continue
                elif chx == ")":
                    depth -= 1
                    if depth == 0:
                        break
                if depth == 1 and chx == ";":
                    pieces.append("")
                elif depth >= 1:
                    pieces[-1] += chx
            if len(pieces) == 3:
                names = ["init", "cond", "inc"]
                return [nm for nm, p in zip(names, pieces, strict=True) if p.strip()]
        return ["cond", "inc"][:n] if n <= 2 else ["init", "cond", "inc"]

    # expressions --------------------------------------------------------
    def expr(self, c: Any) -> Expr:
        K = self.K
        k = c.kind
        if k in (K.UNEXPOSED_EXPR, K.PAREN_EXPR):
            ch = list(c.get_children())
            if len(ch) == 1:
                inner = self.expr(ch[0])
                if isinstance(inner, Const) and self.is_ptr(c) and not inner.ptr:
                    return Const(inner.value, ptr=True)
                return inner
            if not ch:
                v = cl.evaluate_int(c)
                return Const(v) if v is not None else Other(c.spelling)
            return Other("", tuple(self.expr(x) for x in ch), self.is_ptr(c))
        if k == K.CSTYLE_CAST_EXPR:
            ch = [x for x in c.get_children() if x.kind.is_expression()]
            if not ch:
                return Other("cast")
            inner = self.expr(ch[-1])
            if isinstance(inner, Const) and self.is_ptr(c):
                return Const(inner.value, ptr=True)
            return inner
        if k == K.DECL_REF_EXPR:
            ref = c.referenced
            if ref is not None and ref.kind == K.ENUM_CONSTANT_DECL:
                return Const(ref.enum_value)
            return Var(c.spelling, self.is_ptr(c), c.spelling in self.params)
        if k == K.MEMBER_REF_EXPR:
            ch = list(c.get_children())
            if not ch:
                return Var(c.spelling, self.is_ptr(c))
            base = self.expr(ch[0])
            arrow = self.is_ptr(ch[0])
            return Member(base, c.spelling, arrow, self.is_ptr(c))
        if k in (K.INTEGER_LITERAL, K.CHARACTER_LITERAL):
            v = cl.evaluate_int(c)
            return Const(v if v is not None else 0)
        if k == K.STRING_LITERAL:
            return Str()
        if k == K.CALL_EXPR:
            return self.call(c)
        if k == K.UNARY_OPERATOR:
            ch = list(c.get_children())
            op = cl.unary_op(c)
            inner = self.expr(ch[0]) if ch else Other()
            if op == "-" and isinstance(inner, Const):
                return Const(-inner.value)
            if op in ("__extension__", "+"):
                return inner
            return Unary(op, inner, self.is_ptr(c))
        if k == K.BINARY_OPERATOR or k == K.COMPOUND_ASSIGNMENT_OPERATOR:
            ch = list(c.get_children())
            op = cl.binary_op(c)
            lhs, rhs = self.expr(ch[0]), self.expr(ch[1])
            if op.endswith("=") and op not in ("==", "!=", "<=", ">="):
                return Assign(lhs, rhs, op, self.is_ptr(c))
            return Binary(op, lhs, rhs, self.is_ptr(c))
        if k == K.CONDITIONAL_OPERATOR:
            ch = list(c.get_children())
            if len(ch) == 3:
                return Cond(self.expr(ch[0]), self.expr(ch[1]), self.expr(ch[2]),
                            self.is_ptr(c))
        if k == K.ARRAY_SUBSCRIPT_EXPR:
            ch = list(c.get_children())
            return Index(self.expr(ch[0]), self.expr(ch[1]), self.is_ptr(c))
        if k == K.StmtExpr:
            ch = list(c.get_children())
            if ch and ch[0].kind == K.COMPOUND_STMT:
                items = list(ch[0].get_children())
                body = [self.stmt(x) for x in items[:-1]]
                last = items[-1] if items else None
                if last is not None and last.kind.is_expression():
                    return sx.StmtExpr(tuple(body), self.expr(last), self.is_ptr(c))
                if last is not None:
                    body.append(self.stmt(last))
                return sx.StmtExpr(tuple(body), None, self.is_ptr(c))
        if k == K.CXX_UNARY_EXPR:
            return Other("sizeof")
        ch = list(c.get_children())
        return Other(k.name.lower(), tuple(self.expr(x) for x in ch if x.kind.is_expression()),
                     self.is_ptr(c))

    def call(self, c: Any) -> Expr:
        ch = list(c.get_children())
        args = tuple(self.expr(a) for a in ch[1:])
        name = c.spelling
        callee_c = ch[0] if ch else None
        indirect = False
        fn_expr = None
        if callee_c is not None:
            ref = c.referenced
            if ref is None or ref.kind != self.K.FUNCTION_DECL:
                indirect = True
                fn_expr = self.expr(callee_c)
                from kunwind.model.ir import render

                name = render(fn_expr)
        if name in TRANSPARENT_CALLS and args:
            return _strip_not_not(args[0])
        return Call(name, args, self.loc(c), self.is_ptr(c), indirect, fn_expr)


def _strip_not_not(e: Expr) -> Expr:
    while isinstance(e, Unary) and e.op == "!" and isinstance(e.operand, Unary) \
            and e.operand.op == "!":
        e = e.operand.operand
    return e
