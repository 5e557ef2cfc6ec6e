"""``frontend.pure`` for the pycparser frontend: which called functions are pure.

The same rules as ``pure.py`` (which reads libclang's cursors), on pycparser's
AST: the body only declares and assigns its own locals, tests and returns;
it reads its parameters, locals and enumerators, and calls only pure
functions and the compiler's value builtins; no global, no ``volatile``
(pycparser cannot parse ``asm``, so no such file gets here). Kept so that
both frontends see the same functions as pure (tests/test_frontends_agree.py).
"""

from __future__ import annotations

from pycparser import c_ast

from .pure import MAX_DEPTH, MAX_LINES, MAX_NODES, VALUE_BUILTINS

_STEPS = (c_ast.Compound, c_ast.Return, c_ast.If, c_ast.EmptyStatement, c_ast.Constant,
          c_ast.BinaryOp, c_ast.UnaryOp, c_ast.TernaryOp, c_ast.ID, c_ast.StructRef,
          c_ast.ArrayRef, c_ast.FuncCall, c_ast.ExprList, c_ast.Cast, c_ast.Typename,
          c_ast.Decl, c_ast.TypeDecl, c_ast.PtrDecl, c_ast.ArrayDecl, c_ast.IdentifierType,
          c_ast.Assignment, c_ast.Struct)  # Struct: a type named in a cast (container_of())


_TESTS = (c_ast.If, c_ast.While, c_ast.DoWhile, c_ast.For, c_ast.TernaryOp)


class _Impure(Exception):
    pass


def pure_functions(ast: c_ast.FileAST, main: str, enum_consts: dict[str, int]) -> dict[str, bool]:
    """name -> whether it reads memory through a pointer, for each function the main
    file's functions call in a condition whose definition is pure."""
    defs = {e.decl.name: e for e in ast.ext if isinstance(e, c_ast.FuncDef)}
    called: set[str] = set()
    for e in ast.ext:
        if isinstance(e, c_ast.FuncDef) and e.decl.coord.file == main:
            for n in _walk(e.body):
                if isinstance(n, _TESTS) and n.cond is not None:
                    called.update(callees_of(n.cond))
    memo: dict[str, bool | None] = {}
    out: dict[str, bool] = {}
    for name in sorted(called):
        if name in defs:
            reads = _purity(name, defs, enum_consts, memo, 0)
            if reads is not None:
                out[name] = reads
    return out


def definition_lines(fd: c_ast.FuncDef) -> int:
    """The lines from a definition's name to its last statement (pycparser keeps no
    closing brace; as with libclang's extent, a helper's few lines)."""
    last = max((n.coord.line for n in _walk(fd.body) if n.coord is not None
                and n.coord.file == fd.coord.file), default=fd.coord.line)
    return last - fd.decl.coord.line + 1


def callees_of(node: c_ast.Node) -> set[str]:
    out: set[str] = set()
    for ch in _walk(node):
        if isinstance(ch, c_ast.FuncCall) and isinstance(ch.name, c_ast.ID):
            out.add(ch.name.name)
    return out


def _walk(node: c_ast.Node):
    yield node
    for _, ch in node.children():
        yield from _walk(ch)


def _purity(name: str, defs: dict[str, c_ast.FuncDef], enums: dict[str, int],
            memo: dict[str, bool | None], depth: int) -> bool | None:
    if name in memo:
        return memo[name]
    memo[name] = None
    fd = defs.get(name)
    if fd is None or depth > MAX_DEPTH or definition_lines(fd) > MAX_LINES:
        return None
    params = set()
    args = getattr(fd.decl.type, "args", None)
    for p in (args.params if args is not None else []):
        if isinstance(p, c_ast.Decl) and p.name:
            params.add(p.name)
    body = _Body(params, defs, enums, memo, depth)
    try:
        body.visit(fd.body)
    except _Impure:
        return None
    memo[name] = body.reads
    return body.reads


class _Body:
    def __init__(self, params: set[str], defs: dict[str, c_ast.FuncDef], enums: dict[str, int],
                 memo: dict[str, bool | None], depth: int) -> None:
        self.names = set(params)  # parameters and locals
        self.defs, self.enums, self.memo, self.depth = defs, enums, memo, depth
        self.nodes = 0
        self.reads = False

    def visit(self, n: c_ast.Node) -> None:
        self.nodes += 1
        if isinstance(n, c_ast.StaticAssert) or isinstance(n, c_ast.FuncCall) and \
                isinstance(n.name, c_ast.ID) and n.name.name in ("offsetof", "__builtin_offsetof"):
            return  # decided by the compiler, as pure.py reads them (container_of())
        if self.nodes > MAX_NODES or not isinstance(n, _STEPS):
            raise _Impure()
        if "volatile" in (getattr(n, "quals", None) or []):
            raise _Impure()
        if isinstance(n, c_ast.Decl):
            if "static" in (n.storage or []) or "volatile" in (n.quals or []):
                raise _Impure()
            self.names.add(n.name)
        elif isinstance(n, c_ast.ID):
            if n.name not in self.names and n.name not in self.enums:
                raise _Impure()  # a global (a callee's name is not visited)
        elif isinstance(n, c_ast.UnaryOp):
            if n.op in ("p++", "p--", "++", "--"):
                self._local(n.expr)
            elif n.op == "*":
                self.reads = True
            elif n.op == "sizeof":
                return
        elif isinstance(n, c_ast.Assignment):
            if n.op != "=":
                raise _Impure()
            self._local(n.lvalue)
        elif isinstance(n, (c_ast.StructRef, c_ast.ArrayRef)):
            if isinstance(n, c_ast.ArrayRef) or n.type == "->":
                self.reads = True
            if isinstance(n, c_ast.StructRef):
                self.visit(n.name)  # not the field's name
                return
        elif isinstance(n, c_ast.FuncCall):
            self._call(n)
            return
        for _, ch in n.children():
            self.visit(ch)

    def _local(self, target: c_ast.Node) -> None:
        if not (isinstance(target, c_ast.ID) and target.name in self.names):
            raise _Impure()

    def _call(self, n: c_ast.FuncCall) -> None:
        if not isinstance(n.name, c_ast.ID):
            raise _Impure()
        if n.name.name not in VALUE_BUILTINS:
            reads = _purity(n.name.name, self.defs, self.enums, self.memo, self.depth + 1)
            if reads is None:
                raise _Impure()
            self.reads = self.reads or reads
        if n.args is not None:
            self.visit(n.args)
