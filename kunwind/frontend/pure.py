"""Which of the functions a file calls are pure, read from their bodies.

The walk makes a second test of a side-effect free condition follow the
outcome of the first (``if (!net_eq(net, &init_net)) t = kmemdup(...); ...
err: if (!net_eq(net, &init_net)) kfree(t);``). For a call that needs its
callee's body, wherever the translation unit has it: in the file, or in a
header (``static inline``), whose bodies are never lowered (only the main
file's functions are). So this reads the bodies on libclang's cursors, for
the functions the main file calls and nothing else. Cursors, not the
lowered model, also for the file's own functions: the model drops what a
pure function must not have (``asm`` statements, ``volatile`` accesses).

A function is pure when its body only computes a value: it declares and
assigns its own locals, tests, and returns; it reads its parameters, its
locals and constants, and calls only pure functions and the compiler's
value builtins. It stores nothing else, touches no ``volatile`` object
(``READ_ONCE()``), and reads no global. ``reads_memory`` tells the walk
whether it also reads through a pointer (``p->flags``): then its answer may
change when anything under that pointer is stored, not only when its
arguments are. Anything else (a global, an assignment to a parameter's
object, an unknown call, ``asm``) makes it impure. Bodies are kept small
(``MAX_NODES``); the check is a few cursor visits per called helper.
"""

from __future__ import annotations

from typing import Any

from . import clang_lib as cl

MAX_NODES = 120  # cursors of one body; a longer helper is not looked at
# lines of a definition: a longer one is not looked at (reading cursors through the
# bindings is what this costs; most called functions are long and do things)
MAX_LINES = 16
MAX_DEPTH = 4  # pure callees called by pure callees...
VALUE_BUILTINS = frozenset({"__builtin_expect", "__builtin_constant_p", "__builtin_choose_expr"})

_STMTS = {"COMPOUND_STMT", "RETURN_STMT", "DECL_STMT", "IF_STMT", "NULL_STMT", "PAREN_EXPR",
          "UNEXPOSED_EXPR", "CSTYLE_CAST_EXPR", "INTEGER_LITERAL", "CHARACTER_LITERAL",
          "CONDITIONAL_OPERATOR", "CXX_UNARY_EXPR", "TYPE_REF", "StmtExpr",
          "UNARY_OPERATOR", "BINARY_OPERATOR", "DECL_REF_EXPR", "MEMBER_REF_EXPR",
          "ARRAY_SUBSCRIPT_EXPR", "CALL_EXPR", "VAR_DECL", "CXX_BOOL_LITERAL_EXPR",
          "STATIC_ASSERT", "MEMBER_REF"}  # a member named in offsetof(): no read


class Impure(Exception):
    pass


def pure_functions(callees: dict[str, Any]) -> dict[str, bool]:
    """Of ``callees`` (name -> a declaration cursor of it), those whose definition the
    TU has and is pure: name -> whether it reads memory through a pointer."""
    memo: dict[str, bool | None] = {}
    out: dict[str, bool] = {}
    for name, decl in callees.items():
        d = decl.get_definition()
        if d is None:
            continue
        reads = _purity(d, memo, 0)
        if reads is not None:
            out[name] = reads
    return out


def _purity(fn: Any, memo: dict[str, bool | None], depth: int) -> bool | None:
    """None: impure (or not known); else whether ``fn`` reads memory through a pointer."""
    name = fn.spelling
    if name in memo:
        return memo[name]
    memo[name] = None  # recursion: impure
    extent = fn.extent
    if depth > MAX_DEPTH or extent.end.line - extent.start.line > MAX_LINES:
        return None
    body = [c for c in fn.get_children() if c.kind.name == "COMPOUND_STMT"]
    if len(body) != 1:
        return None
    walk = _Body(fn, memo, depth)
    try:
        walk.visit(body[0])
    except Impure:
        return None
    memo[name] = walk.reads
    return walk.reads


class _Body:
    def __init__(self, fn: Any, memo: dict[str, bool | None], depth: int) -> None:
        self.fn = fn
        self.memo = memo
        self.depth = depth
        self.nodes = 0
        self.reads = False
        self.locals: set[str] = set()

    def visit(self, c: Any) -> None:
        self.nodes += 1
        kind = c.kind.name
        if self.nodes > MAX_NODES or kind not in _STMTS:
            raise Impure()
        if c.kind.is_expression() and c.type.is_volatile_qualified():
            raise Impure()  # READ_ONCE(), a register: the value changes by itself
        check = getattr(self, "_" + kind.lower(), None)
        if check is not None and check(c) is False:
            return  # the check visited what it needed
        for ch in c.get_children():
            self.visit(ch)

    def _static_assert(self, c: Any) -> bool:
        """``static_assert()`` (container_of() checks the member's type with one) is
        decided by the compiler and runs nothing: its operands are not looked at."""
        return False

    def _var_decl(self, c: Any) -> None:
        if cl.is_static(c):
            raise Impure()  # a static local: state kept across calls
        self.locals.add(c.spelling)

    def _decl_ref_expr(self, c: Any) -> None:
        ref = c.referenced
        if ref is None:
            raise Impure()
        kind = ref.kind.name
        if kind in ("PARM_DECL", "ENUM_CONSTANT_DECL", "FUNCTION_DECL"):
            return
        if kind == "VAR_DECL" and ref.spelling in self.locals and not cl.is_static(ref):
            return
        raise Impure()  # a global: its value is not the arguments'

    def _unary_operator(self, c: Any) -> None:
        op = cl.unary_op(c)
        if op in ("post++", "post--", "++", "--"):
            self._local_target(next(c.get_children()))
        elif op == "*":
            self.reads = True

    def _binary_operator(self, c: Any) -> None:
        if cl.binary_op(c) == "=":
            self._local_target(next(c.get_children()))

    def _local_target(self, target: Any) -> None:
        """An assignment or ``++``: only to the function's own local."""
        while target.kind.name in ("PAREN_EXPR", "UNEXPOSED_EXPR"):
            target = next(target.get_children())
        if target.kind.name != "DECL_REF_EXPR" or target.spelling not in self.locals:
            raise Impure()

    def _member_ref_expr(self, c: Any) -> None:
        base = next(iter(c.get_children()), None)
        if base is None or base.type.get_canonical().kind.name == "POINTER":
            self.reads = True  # p->field

    def _array_subscript_expr(self, c: Any) -> None:
        self.reads = True

    def _call_expr(self, c: Any) -> None:
        ref = c.referenced
        if ref is None or ref.kind.name != "FUNCTION_DECL":
            raise Impure()  # through a pointer
        if ref.spelling in VALUE_BUILTINS:
            return
        d = ref.get_definition()
        if d is None:
            raise Impure()
        reads = _purity(d, self.memo, self.depth + 1)
        if reads is None:
            raise Impure()
        self.reads = self.reads or reads
