"""A small C type environment over pycparser's AST, for the pycparser frontend.

libclang gives every expression its type; pycparser gives none. The model
needs little of it: whether an expression is a pointer (or an array), a
function's return and parameter types, struct fields, typedefs, enum
constants. ``TypeEnv`` collects the declarations of a file and answers
those questions; integer widths, qualifiers and the like are not modelled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pycparser import c_ast


@dataclass(frozen=True)
class CType:
    """``kind``: int, uint (unsigned), bool, float, void, ptr, array, func, record, auto
    (``__auto_type``), unknown."""

    kind: str
    target: CType | None = None  # ptr and array: the element; func: the return type
    tag: str = ""  # record: the key of its fields in ``TypeEnv.records``
    params: tuple[CType, ...] | None = None  # func: parameter types (None: no prototype)
    variadic: bool = False

    @property
    def is_ptr(self) -> bool:
        """What libclang's frontend calls a pointer: a pointer or an array type."""
        return self.kind in ("ptr", "array")


INT = CType("int")
UINT = CType("uint")  # an unsigned integer: arithmetic like int, but no negative errno
UNKNOWN = CType("unknown")
VOID = CType("void")
AUTO_TYPEDEF = "__kunwind_auto_type"  # what ``__auto_type`` is preprocessed into
_FLOATS = {"float", "double"}


def ptr_to(t: CType) -> CType:
    return CType("ptr", t)


def pointee(t: CType) -> CType:
    """The type ``*e`` has when ``e`` has type ``t``."""
    if t.is_ptr and t.target is not None:
        return t.target
    if t.kind == "func":
        return t  # *f on a function designator is the function
    return UNKNOWN


def call_result(callee: CType) -> CType:
    """The type a call returns, given the callee's type (a function or a pointer to one)."""
    if callee.kind == "ptr" and callee.target is not None:
        callee = callee.target
    if callee.kind == "func" and callee.target is not None:
        return callee.target
    return INT  # an undeclared function returns int


def function_type(callee: CType) -> CType | None:
    if callee.kind == "ptr" and callee.target is not None:
        callee = callee.target
    return callee if callee.kind == "func" else None


@dataclass
class TypeEnv:
    typedefs: dict[str, CType] = field(default_factory=dict)
    records: dict[str, dict[str, CType]] = field(default_factory=dict)  # fields, in order
    firsts: dict[str, set[str]] = field(default_factory=dict)  # members at offset 0
    globals: dict[str, CType] = field(default_factory=dict)  # variables and functions
    functions: set[str] = field(default_factory=set)  # names declared as functions
    enum_consts: dict[str, int] = field(default_factory=dict)
    noreturn: set[str] = field(default_factory=set)  # functions declared noreturn
    # the type of an expression, for typeof(expr): set by the lowering of a function body
    typeof_hook: Callable[[c_ast.Node], CType] | None = None
    _anon: int = 0

    # declarations ---------------------------------------------------------
    def add_decl(self, d: c_ast.Decl) -> CType:
        """Resolve a declaration's type (defining any struct or enum in it); record a global."""
        t = self.resolve(d.type)
        if d.name:
            self.globals[d.name] = t
            if t.kind == "func":
                self.functions.add(d.name)
        return t

    def resolve(self, node: c_ast.Node | None) -> CType:
        """The CType of a pycparser type node (TypeDecl, PtrDecl, ArrayDecl, FuncDecl...)."""
        if isinstance(node, c_ast.TypeDecl):
            return self.resolve(node.type)
        if isinstance(node, c_ast.PtrDecl):
            return ptr_to(self.resolve(node.type))
        if isinstance(node, c_ast.ArrayDecl):
            return CType("array", self.resolve(node.type))
        if isinstance(node, c_ast.FuncDecl):
            return self.func(node)
        if isinstance(node, (c_ast.Typename, c_ast.AttributedType)):
            return self.resolve(node.type)
        if isinstance(node, c_ast.IdentifierType):
            return self.base(node.names)
        if isinstance(node, (c_ast.Struct, c_ast.Union)):
            return self.record(node)
        if isinstance(node, c_ast.Enum):
            self.enum(node)
            return INT
        if isinstance(node, c_ast.TypeOf):
            if isinstance(node.expr, c_ast.Typename):
                return self.resolve(node.expr)
            return self.typeof_hook(node.expr) if self.typeof_hook is not None else UNKNOWN
        return UNKNOWN

    def func(self, node: c_ast.FuncDecl) -> CType:
        ret = self.resolve(node.type)
        if node.args is None:
            return CType("func", ret)
        params: list[CType] = []
        variadic = False
        for p in node.args.params:
            if isinstance(p, c_ast.EllipsisParam):
                variadic = True
                continue
            t = self.resolve(p.type if isinstance(p, (c_ast.Decl, c_ast.Typename)) else None)
            if t.kind == "void" and not getattr(p, "name", None):
                continue  # f(void)
            params.append(_adjust_param(t))
        return CType("func", ret, params=tuple(params), variadic=variadic)

    def base(self, names: list[str]) -> CType:
        if len(names) == 1 and names[0] == AUTO_TYPEDEF:
            return CType("auto")
        if len(names) == 1 and names[0] in self.typedefs:
            return self.typedefs[names[0]]
        if "void" in names:
            return VOID
        if names == ["_Bool"]:
            return CType("bool")
        if _FLOATS & set(names):
            return CType("float")
        if "unsigned" in names:
            return UINT
        return INT

    def record(self, node: c_ast.Struct | c_ast.Union) -> CType:
        kind = "union" if isinstance(node, c_ast.Union) else "struct"
        if node.name:
            tag = f"{kind} {node.name}"
        else:
            self._anon += 1
            tag = f"{kind} <anonymous {self._anon}>"
        if node.decls is not None:
            fields: dict[str, CType] = {}
            first: set[str] = set()  # the members at offset 0: the first, or a union's
            # (those of an anonymous record, as libclang's, are not marked)
            for d in node.decls:
                if not isinstance(d, c_ast.Decl):
                    continue
                t = self.resolve(d.type)
                at_zero = kind == "union" or not fields
                if d.name:
                    fields[d.name] = t
                    if at_zero:
                        first.add(d.name)
                elif t.kind == "record":  # an anonymous struct or union member
                    fields.update(self.records.get(t.tag, {}))  # (not known at offset 0)
            self.records[tag] = fields
            self.firsts[tag] = first if node.name else set()  # libclang: not for a tagless
        return CType("record", tag=tag)

    def enum(self, node: c_ast.Enum) -> None:
        if node.values is None:
            return
        value = -1
        for e in node.values.enumerators:
            if not isinstance(e, c_ast.Enumerator):
                continue
            if e.value is not None:
                v = self.evaluate(e.value)
                value = v if v is not None else value + 1
            else:
                value += 1
            self.enum_consts[e.name] = value

    # questions ------------------------------------------------------------
    def field_type(self, record: CType, name: str) -> CType:
        if record.kind != "record":
            return UNKNOWN
        return self.records.get(record.tag, {}).get(name, UNKNOWN)

    def first_field(self, record: CType, name: str) -> bool:
        """Is member ``name`` at offset 0 of ``record`` (its address is the object's)?"""
        return record.kind == "record" and name in self.firsts.get(record.tag, ())

    def field_types(self, record: CType) -> list[CType]:
        return list(self.records.get(record.tag, {}).values()) if record.kind == "record" else []

    def evaluate(self, node: c_ast.Node | None) -> int | None:
        """The value of an integer constant expression, or None (sizeof is not evaluated)."""
        if isinstance(node, c_ast.Constant):
            return constant_value(node)
        if isinstance(node, c_ast.ID):
            return self.enum_consts.get(node.name)
        if isinstance(node, c_ast.Cast):
            return self.evaluate(node.expr)
        if isinstance(node, c_ast.UnaryOp):
            v = self.evaluate(node.expr)
            if v is None:
                return None
            return {"-": -v, "+": v, "~": ~v, "!": int(not v)}.get(node.op)
        if isinstance(node, c_ast.BinaryOp):
            a, b = self.evaluate(node.left), self.evaluate(node.right)
            if a is None or b is None:
                return None
            return _binary(node.op, a, b)
        if isinstance(node, c_ast.TernaryOp):
            c = self.evaluate(node.cond)
            if c is None:
                return None
            return self.evaluate(node.iftrue if c else node.iffalse)
        return None


def _adjust_param(t: CType) -> CType:
    """A parameter declared as an array or a function is a pointer (C's adjustment)."""
    if t.kind == "array":
        return ptr_to(t.target or UNKNOWN)
    if t.kind == "func":
        return ptr_to(t)
    return t


def adjust_param(t: CType) -> CType:
    return _adjust_param(t)


def _binary(op: str, a: int, b: int) -> int | None:
    if op in ("/", "%") and b == 0:
        return None
    if op in ("<<", ">>") and not 0 <= b < 64:
        return None
    ops = {
        "+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
        "/": lambda: int(a / b), "%": lambda: a - int(a / b) * b,
        "<<": lambda: a << b, ">>": lambda: a >> b, "&": lambda: a & b, "|": lambda: a | b,
        "^": lambda: a ^ b, "==": lambda: int(a == b), "!=": lambda: int(a != b),
        "<": lambda: int(a < b), ">": lambda: int(a > b), "<=": lambda: int(a <= b),
        ">=": lambda: int(a >= b), "&&": lambda: int(bool(a and b)),
        "||": lambda: int(bool(a or b)),
    }
    f = ops.get(op)
    return f() if f is not None else None


_ESCAPES = {"n": 10, "t": 9, "r": 13, "0": 0, "a": 7, "b": 8, "f": 12, "v": 11, "\\": 92,
            "'": 39, '"': 34, "?": 63, "e": 27}


def constant_value(node: c_ast.Constant) -> int | None:
    """The value of an integer or character constant as C reads it; None for others."""
    text = node.value
    if node.type == "char" or text.startswith(("'", "L'", "u'", "U'", "u8'")):
        body = text[text.index("'") + 1:-1]
        if not body.startswith("\\"):
            return ord(body[0]) if body else 0
        esc = body[1:]
        if esc[:1] == "x":
            return int(esc[1:], 16)
        if esc[:1].isdigit():
            return int(esc, 8)
        return _ESCAPES.get(esc[:1], ord(esc[:1]) if esc else 0)
    if node.type in ("string", "float", "double", "long double"):
        return None
    digits = text.rstrip("uUlL")
    try:
        if digits.lower().startswith("0x"):
            return int(digits, 16)
        if digits.lower().startswith("0b"):
            return int(digits[2:], 2)
        if len(digits) > 1 and digits.startswith("0"):
            return int(digits, 8)
        return int(digits)
    except ValueError:
        return None
