"""Lower libclang cursors of one function body into structured statements.

Only the cursors of function bodies in the main file are visited. Meaning is
read from cursor kinds, referenced declarations, operator kinds and constant
evaluation, never from tokens (tokens of macro-made nodes are empty or wrong).
"""

from __future__ import annotations

import ctypes
import re
from dataclasses import replace
from typing import Any, cast

from kunwind.model import syntax as sx
from kunwind.model.fold import unevaluated
from kunwind.model.ir import (
    OFFSETOF_MEMBER,
    TRANSPARENT_CALLS,
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
    element_table_name,
    pointer_table,
    render,
    strip_not_not,
    void_cast,
)
from kunwind.model.limits import MAX_NESTING, NestingTooDeep

from . import clang_lib as cl
from .macros import MACRO_USE, expand, macro_definition, macro_definition_in

# The cleanup attribute as written in the source, when libclang does not
# expose the function it names: __free(kfree), __cleanup(fn), guard(mutex),
# CLASS(fd, f), and the iterators that declare a __free() variable
# (for_each_child_of_node_scoped()).
_CLEANUP_TEXT = (
    (re.compile(r"\b__free\s*\(\s*(\w+)"), "__free_{}"),
    (re.compile(r"\b__cleanup\s*\(\s*(\w+)"), "{}"),
    (re.compile(r"\b(?:scoped_)?guard\s*\(\s*(\w+)"), "class_{}_destructor"),
    (re.compile(r"\bCLASS\s*\(\s*(\w+)"), "class_{}_destructor"),
    (re.compile(r"\b(\w+_scoped)\s*\("), "{}"),
)


def _cleanup_in(text: str) -> str:
    """The cleanup function a cleanup attribute written in ``text`` names, or ""."""
    for pattern, name in _CLEANUP_TEXT:
        m = pattern.search(text)
        if m is not None:
            return name.format(m.group(1))
    return ""


class _Native:
    """Direct ctypes entry points for the hot paths of the walk.

    The bindings' properties (``kind``, ``location``, ``type``, ``referenced``,
    ``get_children``) each add Python-level checks (a null-cursor comparison
    is two more C calls) and objects; on a large file the walk makes ~10^5 of
    these calls, and through the bindings it cost up to 70% of libclang's parse
    (mm/memory.c). Our own function pointers (the bindings' ones are shared and
    keep their converters) skip that.
    """

    def __init__(self, ci: Any) -> None:
        lib = ci.conf.lib

        def fn(name: str, argtypes: list[Any], restype: Any) -> Any:
            f = lib._FuncPtr((name, lib))
            f.argtypes, f.restype = argtypes, restype
            return f

        self.cursor_type = fn("clang_getCursorType", [ci.Cursor], ci.Type)
        self.canonical = fn("clang_getCanonicalType", [ci.Type], ci.Type)
        self.location = fn("clang_getCursorLocation", [ci.Cursor], ci.SourceLocation)
        uint_p = ctypes.POINTER(ctypes.c_uint)
        self.expansion = fn("clang_getExpansionLocation", [ci.SourceLocation, ctypes.c_void_p,
                                                           uint_p, uint_p, ctypes.c_void_p], None)
        self.referenced = fn("clang_getCursorReferenced", [ci.Cursor], ci.Cursor)
        self.field_offset = fn("clang_Cursor_getOffsetOfField", [ci.Cursor], ctypes.c_longlong)
        # our own CXString: the bindings' one disposes of itself when collected
        self.cursor_spelling = fn("clang_getCursorSpelling", [ci.Cursor], _CXString)
        self.type_spelling = fn("clang_getTypeSpelling", [ci.Type], _CXString)
        self.cstring = fn("clang_getCString", [_CXString], ctypes.c_char_p)
        self.dispose = fn("clang_disposeString", [_CXString], None)
        self.from_main = fn("clang_Location_isFromMainFile", [ci.SourceLocation], ctypes.c_int)
        self.is_definition = fn("clang_isCursorDefinition", [ci.Cursor], ctypes.c_uint)
        self.binary_kind = fn("clang_getCursorBinaryOperatorKind", [ci.Cursor], ctypes.c_uint)
        self.unary_kind = fn("clang_getCursorUnaryOperatorKind", [ci.Cursor], ctypes.c_uint)
        self.evaluate = fn("clang_Cursor_Evaluate", [ci.Cursor], ctypes.c_void_p)
        self.eval_kind = fn("clang_EvalResult_getKind", [ctypes.c_void_p], ctypes.c_int)
        self.eval_int = fn("clang_EvalResult_getAsLongLong", [ctypes.c_void_p],
                           ctypes.c_longlong)
        self.eval_dispose = fn("clang_EvalResult_dispose", [ctypes.c_void_p], None)
        self.get_file = fn("clang_getFile", [ctypes.c_void_p, ctypes.c_char_p], ctypes.c_void_p)
        self.file_out = ctypes.c_void_p()
        self.main_file: int | None = None  # the CXFile of the TU being visited
        self.visit = lib.clang_visitChildren  # the bindings' prototype: (cursor, callback, data)
        inclusion = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint,
                                     ctypes.py_object)
        self.inclusions = fn("clang_getInclusions", [ctypes.c_void_p, inclusion,
                                                     ctypes.py_object], None)
        self.collect_file = inclusion(_collect_file)
        self.file_name = fn("clang_getFileName", [ctypes.c_void_p], _CXString)
        self.collect = ci.callbacks["cursor_visit"](_collect)
        self.collect_functions = ci.callbacks["cursor_visit"](self._main_function)
        self.line, self.column = ctypes.c_uint(), ctypes.c_uint()
        self.line_p, self.column_p = ctypes.pointer(self.line), ctypes.pointer(self.column)
        self.kinds = ci.CursorKind._kinds  # kind objects indexed by id
        self.expression_kinds = frozenset(
            k for k in ci.CursorKind.get_all_kinds() if k.is_expression())
        self.function_decl = ci.CursorKind.FUNCTION_DECL.value
        self.var_decl = ci.CursorKind.VAR_DECL.value
        self.main_vars: list[Any] = []  # the main file's variables, by main_file_functions

    def children(self, c: Any) -> list[Any]:
        """``list(c.get_children())``, without the bindings' per-child null check."""
        out: list[Any] = []
        self.visit(c, self.collect, out)
        tu = c._tu
        for ch in out:
            ch._tu = tu
        return out

    def included_files(self, tu: Any) -> list[str]:
        """The names of the files the TU includes, sorted (``tu.get_includes()``, faster)."""
        files: set[int] = set()
        self.inclusions(tu._as_parameter_, self.collect_file, files)
        return sorted({self.string(self.file_name(f)) for f in files})

    def string(self, s: Any) -> str:
        """A CXString's text; disposes of it."""
        try:
            text = self.cstring(s)
            return text.decode("utf-8") if text is not None else ""
        finally:
            self.dispose(s)

    def spelling(self, c: Any) -> str:
        """``c.spelling`` (one call to the C string functions, not through the bindings')."""
        return self.string(self.cursor_spelling(c))

    def evaluate_int(self, c: Any) -> int | None:
        """``clang_lib.evaluate_int``: the value of a constant expression, or None."""
        res = self.evaluate(c)
        if not res:
            return None
        try:
            return self.eval_int(res) if self.eval_kind(res) == 1 else None  # CXEval_Int
        finally:
            self.eval_dispose(res)

    def binary_op(self, c: Any) -> str:
        return cl.BINARY_OPS.get(self.binary_kind(c), "?")

    def unary_op(self, c: Any) -> str:
        return cl.UNARY_OPS.get(self.unary_kind(c), "?")

    def line_column(self, c: Any) -> tuple[int, int]:
        self.expansion(self.location(c), None, self.line_p, self.column_p, None)
        return self.line.value, self.column.value

    def main_file_functions(self, tu: Any) -> list[Any]:
        """The function definitions of the main file, among the TU's top-level cursors."""
        out: list[Any] = []
        self.main_file = self.get_file(tu._as_parameter_, tu.spelling.encode())
        self.main_vars = []
        self.visit(tu.cursor, self.collect_functions, out)
        for ch in out + self.main_vars:
            ch._tu = tu
        return out

    def _main_function(self, child: Any, parent: Any, out: list[Any]) -> int:
        if child._kind_id == self.var_decl and self._in_main(self.location(child)):
            self.main_vars.append(child)  # for callback_tables()
        if child._kind_id != self.function_decl:
            return 1  # CXChildVisit_Continue
        if self.is_definition(child) and self._in_main(self.location(child)):
            out.append(child)
        return 1

    def _in_main(self, loc: Any) -> bool:
        """Is the declaration at ``loc`` the main file's: written there, or made by a
        macro called there (SYSCALL_DEFINE3(), module_platform_driver(), a table of
        DEFINE_SIMPLE_DEV_PM_OPS()): its spelling is in no file, its expansion is."""
        if self.from_main(loc):
            return True
        self.expansion(loc, ctypes.addressof(self.file_out), None, None, None)
        return bool(self.main_file) and self.file_out.value == self.main_file


class _CXString(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("private_flags", ctypes.c_uint)]


def _collect_file(included: int, stack: int, depth: int, out: set[int]) -> None:
    if depth > 0:  # the main file is depth 0
        out.add(included)


def callback_tables(variables: list[Any]) -> dict[str, tuple[str, dict[str, str]]]:
    """The file's variables initialised as a struct whose members name functions
    (``static const struct device_type foo_type = { .release = foo_release }``):
    variable -> (its struct's name, member -> function). What the code later
    points an object at (``dev->type = &foo_type``) tells which function the
    object's last put runs (kunwind.analysis.context's release_callbacks).
    The file's pointers to a struct (``static struct class *foo_class``) are
    there too, under ``pointer_table(name)`` and with no members: the struct
    is allocated at run time, and the stores of the file's functions into it
    (``foo_class->dev_release = foo_release``) fill them in
    (context.filled_tables). A member that points at another of the file's tables
    (``.ct_item_ops = &foo_item_ops``) holds that one's members, under the path
    through it (``ct_item_ops->release``). An array of such structs (``static const
    struct snd_soc_dapm_widget foo_widgets[] = { SND_SOC_DAPM_SUPPLY(...) }``, whose
    elements a macro writes as compound literals) gives one table per element,
    under ``element_table_name(name, i)``."""
    out: dict[str, tuple[str, dict[str, str]]] = {}
    for var in variables:
        canonical = var.type.get_canonical()
        if canonical.kind.name == "POINTER":  # static struct class *foo_class;
            pointee = canonical.get_pointee().get_declaration()
            if pointee.kind.name == "STRUCT_DECL":
                out[pointer_table(var.spelling)] = (pointee.spelling, {})
            continue
        init = [c for c in var.get_children() if c.kind.name == "INIT_LIST_EXPR"]
        if len(init) != 1:
            continue
        if canonical.kind.name in ("CONSTANTARRAY", "INCOMPLETEARRAY"):
            # an array of such structs (a DAPM widget table), element by element
            decl = canonical.element_type.get_canonical().get_declaration()
            if decl.kind.name != "STRUCT_DECL":
                continue
            for i, item in enumerate(init[0].get_children()):
                inner_init = _init_list(item)
                members = _table_members(inner_init, decl, out) if inner_init else {}
                if members:
                    out[element_table_name(var.spelling, i)] = (decl.spelling, members)
            continue
        decl = canonical.get_declaration()
        if decl.kind.name != "STRUCT_DECL":
            continue
        members = _table_members(init[0], decl, out)
        if members:
            out[var.spelling] = (decl.spelling, members)
    return out


def _table_members(init: Any, decl: Any,
                   tables: dict[str, tuple[str, dict[str, str]]]) -> dict[str, str]:
    """Member -> function of one struct initializer (``callback_tables``)."""
    fields = [f.spelling for f in decl.type.get_fields()]
    members: dict[str, str] = {}
    items = list(init.get_children())
    designators = [[p.spelling for p in item.get_children() if p.kind.name == "MEMBER_REF"]
                   for item in items]
    positional = not any(designators)  # { foo_release, NULL }: in the members' order
    for i, item in enumerate(items):
        d = designators[i]
        name = d[0] if len(d) == 1 else fields[i] if positional and i < len(fields) else ""
        fn = _function_named(item) if name else ""
        if name and fn:
            members[name] = fn
        inner = tables.get(_table_named(item)) if name else None
        if inner is not None:  # .ct_item_ops = &foo_item_ops: its members, through it
            members.update({f"{name}->{m}": f for m, f in inner[1].items()})
    return members


def _init_list(e: Any) -> Any:
    """The initializer list of an array element: itself, or the one of the compound
    literal a macro writes there (``SND_SOC_DAPM_SUPPLY(...)`` is ``(struct
    snd_soc_dapm_widget){ ... }``); None for anything else."""
    while e is not None and e.kind.name != "INIT_LIST_EXPR":
        if e.kind.name not in ("UNEXPOSED_EXPR", "COMPOUND_LITERAL_EXPR", "PAREN_EXPR"):
            return None
        children = list(e.get_children())
        e = children[-1] if children else None
    return e


def _function_named(e: Any) -> str:
    """The function an initializer names (``foo_release``, ``.f = foo_release``), or "".
    A choice between a function and NULL names that function: ``.resume =
    pm_sleep_ptr(foo_resume)`` is ``(cond) ? (foo_resume) : NULL``."""
    for c in e.walk_preorder():
        if c.kind.name == "DECL_REF_EXPR":
            ref = c.referenced
            return c.spelling if ref is not None and ref.kind.name == "FUNCTION_DECL" else ""
        if c.kind.name == "CONDITIONAL_OPERATOR":
            parts = list(c.get_children())
            return _function_named(parts[1]) if len(parts) == 3 and _null(parts[2]) else ""
        if c.kind.name not in ("UNEXPOSED_EXPR", "MEMBER_REF", "PAREN_EXPR",
                               "CSTYLE_CAST_EXPR") and c != e:
            return ""
    return ""


def _table_named(e: Any) -> str:
    """The file's variable an initializer points at (``&foo_ops``), or ""."""
    for c in e.walk_preorder():
        if c.kind.name == "DECL_REF_EXPR":
            ref = c.referenced
            return c.spelling if ref is not None and ref.kind.name == "VAR_DECL" else ""
        if c.kind.name not in ("UNEXPOSED_EXPR", "MEMBER_REF", "UNARY_OPERATOR", "PAREN_EXPR",
                               "CSTYLE_CAST_EXPR") and c != e:
            return ""
    return ""


def _null(e: Any) -> bool:
    """Is the expression a null pointer constant (``NULL``, ``((void *)0)``)?"""
    kinds = {c.kind.name for c in e.walk_preorder()}
    return "INTEGER_LITERAL" in kinds and kinds <= {
        "INTEGER_LITERAL", "GNU_NULL_EXPR", "UNEXPOSED_EXPR", "PAREN_EXPR", "CSTYLE_CAST_EXPR"}


def _collect(child: Any, parent: Any, out: list[Any]) -> int:
    out.append(child)
    return 1  # CXChildVisit_Continue


_NATIVE: list[_Native] = []


def native() -> _Native:
    """The process-wide ``_Native`` (created on first use, libclang loaded)."""
    if not _NATIVE:
        _NATIVE.append(_Native(cl.cindex()))
    return _NATIVE[0]


class Lowerer:
    def __init__(self, source: bytes = b"") -> None:
        self.lines = source.split(b"\n") if source else []
        ci = cl.cindex()
        self.K = ci.CursorKind
        self.TK = ci.TypeKind
        self._ptr_kinds = {
            ci.TypeKind.POINTER,
            ci.TypeKind.INCOMPLETEARRAY,
            ci.TypeKind.CONSTANTARRAY,
        }
        self.params: set[str] = set()
        self.depth = 0  # cursor levels being lowered; see kunwind.model.limits
        n = self.native = native()
        self.children = n.children
        self.spelling = n.spelling
        self._kinds = n.kinds
        self._ptr_ids = {k.value for k in self._ptr_kinds}
        self._bool_id = ci.TypeKind.BOOL.value
        self._unsigned_ids = {k.value for k in (
            ci.TypeKind.UCHAR, ci.TypeKind.USHORT, ci.TypeKind.UINT, ci.TypeKind.ULONG,
            ci.TypeKind.ULONGLONG, ci.TypeKind.UINT128)}
        # sugar over another type: a typedef, struct x, typeof() (unexposed), __auto_type
        self._alias_ids = {ci.TypeKind.ELABORATED.value, ci.TypeKind.TYPEDEF.value,
                           ci.TypeKind.UNEXPOSED.value, ci.TypeKind.AUTO.value}
        self._expr_kinds = n.expression_kinds
        self._function_decl = self.K.FUNCTION_DECL.value
        self._enum_constant = self.K.ENUM_CONSTANT_DECL.value
        # the main file's text (latin-1: one char per byte, so offsets match libclang's)
        self.text = source.decode("latin-1")
        self.main_file = ""
        # name -> the declaration of each function the lowered bodies call directly in
        # a condition (if, while, for, ?:), for frontend.pure, which reads their bodies
        self.callees: dict[str, Any] = {}
        self.in_test = 0  # lowering a condition
        # name -> the declaration of every function the lowered bodies call directly
        # (clang_parse.header_helpers lowers the short ones a header defines)
        self.called: dict[str, Any] = {}
        # (translation unit, macro name) -> its parameters and body (macro_body)
        self._macros: dict[tuple[int, str], tuple[list[str], str] | None] = {}
        # name -> whether the function is declared noreturn (is_noreturn)
        self._noreturn: dict[str, bool] = {}

    # helpers ------------------------------------------------------------
    def loc(self, c: Any) -> Loc:
        return Loc(*self.native.line_column(c))

    def is_ptr(self, c: Any) -> bool:
        t = self.native.cursor_type(c)
        k = t._kind_id
        if k in self._ptr_ids:
            return True
        if k in self._alias_ids:
            return self.native.canonical(t)._kind_id in self._ptr_ids
        return False

    def is_va_list(self, c: Any) -> bool:
        """Is ``c`` a ``va_list`` (``struct __va_list_tag *`` once it decays, on x86)?"""
        t = self.native.canonical(self.native.cursor_type(c))
        return "__va_list" in self.native.string(self.native.type_spelling(t))

    def is_bool(self, c: Any) -> bool:
        return self._canonical_kind(c) == self._bool_id

    def is_unsigned(self, c: Any) -> bool:
        return self._canonical_kind(c) in self._unsigned_ids

    def _canonical_kind(self, c: Any) -> int:
        t = self.native.cursor_type(c)
        if t._kind_id in self._alias_ids:
            t = self.native.canonical(t)
        return t._kind_id

    def is_noreturn(self, name: str, decl: Any) -> bool:
        """Whether the function ``decl`` is declared ``__attribute__((noreturn))``
        (the kernel's ``__noreturn``: BUG()'s, panic(), __kunit_abort()): clang keeps
        the attribute in the function's type, merged over every declaration, and
        prints it after the parameters. A call of it ends the path (walk)."""
        known = self._noreturn.get(name)
        if known is None:
            spelled = self.native.string(self.native.type_spelling(self.native.cursor_type(decl)))
            known = self._noreturn[name] = spelled.endswith("__attribute__((noreturn))")
        return known

    def kind(self, c: Any) -> Any:
        """``c.kind``, without the bindings' property and lookup checks."""
        return self._kinds[c._kind_id]

    # statements ---------------------------------------------------------
    def function(self, c: Any) -> sx.FunctionSyntax:
        params = []
        body = None
        for ch in self.children(c):
            kind = self.kind(ch)
            if kind == self.K.PARM_DECL:
                params.append((ch.spelling, self.is_ptr(ch)))
            elif kind == self.K.COMPOUND_STMT:
                body = ch
        self.params = {n for n, _ in params}
        self.main_file = c.location.file.name
        rt = c.result_type
        canon = rt.get_canonical().kind
        return sx.FunctionSyntax(
            name=c.spelling,
            loc=self.loc(c),
            end_line=c.extent.end.line,
            params=params,
            returns_ptr=canon == self.TK.POINTER,
            returns_void=canon == self.TK.VOID,
            body=cast(sx.SBlock, self.stmt(body)) if body is not None else sx.SBlock(self.loc(c)),
            static=cl.is_static(c),
        )

    def stmt(self, c: Any) -> sx.S:
        self.depth += 1
        try:
            if self.depth > MAX_NESTING:
                raise NestingTooDeep()
            return self._stmt(c)
        finally:
            self.depth -= 1

    def _stmt(self, c: Any) -> sx.S:
        K = self.K
        k = self.kind(c)
        loc = self.loc(c)
        if k == K.COMPOUND_STMT:
            return sx.SBlock(loc, [s for ch in self.children(c) for s in self.statements(ch)])
        if k == K.DECL_STMT:
            items: list[sx.S] = []
            for d in self.children(c):
                if self.kind(d) == K.VAR_DECL:
                    items.append(self.decl(d))
            return items[0] if len(items) == 1 else sx.SBlock(loc, items)
        if k == K.IF_STMT:
            ch = self.children(c)
            return sx.SIf(loc, self.test(ch[0]), self.stmt(ch[1]),
                          self.stmt(ch[2]) if len(ch) > 2 else None)
        if k == K.WHILE_STMT:
            ch = self.children(c)
            return sx.SWhile(loc, self.test(ch[0]), self.stmt(ch[1]))
        if k == K.DO_STMT:
            ch = self.children(c)
            return sx.SDo(loc, self.stmt(ch[0]), self.test(ch[1]))
        if k == K.FOR_STMT:
            return self.for_stmt(c, loc)
        if k == K.SWITCH_STMT:
            ch = self.children(c)
            return sx.SSwitch(loc, self.expr(ch[0]), self.stmt(ch[-1]))
        if k in (K.CASE_STMT, K.DEFAULT_STMT):
            inner = self._labelled(c)
            return replace(self._label(c), body=self.stmt(inner) if inner is not None else None)
        if k == K.LABEL_STMT:
            ch = self.children(c)
            return sx.SLabel(loc, c.spelling, self.stmt(ch[0]) if ch else None)
        if k == K.GOTO_STMT:
            ch = self.children(c)
            return sx.SGoto(loc, ch[0].spelling if ch else "")
        if k == K.INDIRECT_GOTO_STMT:
            return sx.SGoto(loc, "")
        if k == K.BREAK_STMT:
            return sx.SBreak(loc)
        if k == K.CONTINUE_STMT:
            return sx.SContinue(loc)
        if k == K.RETURN_STMT:
            ch = self.children(c)
            return sx.SReturn(loc, self.expr(ch[0]) if ch else None)
        if k == K.NULL_STMT:
            return sx.SBlock(loc)
        if k in (K.ASM_STMT, K.MS_ASM_STMT):
            labels = [ch.spelling for ch in self.children(c) if self.kind(ch) == K.LABEL_REF]
            where = c.location  # a macro call's start, for an asm made by a macro
            if not labels and self.text and where.file is not None \
                    and where.file.name == self.main_file:
                labels = asm_goto_labels(self.text, where.offset)
            return sx.SAsmGoto(loc, labels) if labels else sx.SBlock(loc)
        if k in self._expr_kinds or k == K.UNEXPOSED_STMT:
            e = self.expr(c)
            if k == K.CSTYLE_CAST_EXPR and c.type.get_canonical().kind == self.TK.VOID:
                e = void_cast(e)
            return sx.SExpr(loc, e)
        return sx.SBlock(loc)

    def statements(self, c: Any) -> list[sx.S]:
        """A statement of a block, as statements one after another where clang nests them
        for nothing: a chain of case labels (``case A: case B: ... return true;``, each
        label one level deeper in clang's AST) is one label after another, and an
        expression statement of comma operators (``r[0].a = x, r[0].b = y, ...;``, a
        macro's register list) one statement per operand. A register map's hundreds of
        labels or operands would otherwise nest too deeply (``model.limits``)."""
        K = self.K
        out: list[sx.S] = []
        while self.kind(c) in (K.CASE_STMT, K.DEFAULT_STMT):
            inner = self._labelled(c)
            if inner is None or self.kind(inner) not in (K.CASE_STMT, K.DEFAULT_STMT):
                break
            out.append(self._label(c))  # falls through to the next label
            c = inner
        operands = self._comma_operands(c) if self.kind(c) != K.CASE_STMT else []
        if len(operands) > 1:
            return out + [sx.SExpr(self.loc(x), self.expr(x)) for x in operands]
        return [*out, self.stmt(c)]

    def _labelled(self, c: Any) -> Any:
        """The statement a case or default label is on (None: none)."""
        ch = self.children(c)
        if self.kind(c) == self.K.CASE_STMT:
            return ch[-1] if len(ch) > 1 else None
        return ch[-1] if ch else None

    def _label(self, c: Any) -> sx.SCase:
        """A case or default label, without its statement."""
        if self.kind(c) == self.K.DEFAULT_STMT:
            return sx.SCase(self.loc(c), None)
        ch = self.children(c)
        value = self.native.evaluate_int(ch[0])
        if value is None or len(ch) > 2:  # case 1 ... 3: a range, no one value
            value = sx.UNKNOWN_CASE
        return sx.SCase(self.loc(c), value)

    def _comma_operands(self, c: Any) -> list[Any]:
        """The operands of a chain of comma operators, left to right, through parentheses
        ([c] when ``c`` is none)."""
        out: list[Any] = []
        todo = [c]
        while todo:
            x = todo.pop()
            k = self.kind(x)
            ch = self.children(x)
            if k == self.K.PAREN_EXPR and len(ch) == 1 and self._comma(ch[0]):
                todo.append(ch[0])
            elif self._comma(x):
                todo += [ch[1], ch[0]]
            else:
                out.append(x)
        return out

    def _comma(self, c: Any) -> bool:
        return self.kind(c) == self.K.BINARY_OPERATOR and self.native.binary_op(c) == "," \
            and len(self.children(c)) == 2

    def decl(self, d: Any) -> sx.S:
        loc = self.loc(d)
        if d.storage_class is not None and d.storage_class.name == "STATIC":
            return sx.SBlock(loc)  # a static local keeps its value across calls
        init = cl.var_initializer(d)
        cleanup = ""
        for ch in self.children(d):
            if ch.kind == self.K.UNEXPOSED_ATTR or ch.kind.name.endswith("_ATTR"):
                ref = None
                for sub in self.children(ch):
                    if sub.kind == self.K.DECL_REF_EXPR:
                        ref = sub.spelling
                if ref:
                    cleanup = ref
                elif ch.kind == self.K.UNEXPOSED_ATTR:
                    cleanup = self.cleanup_from_text(ch) or cleanup
        return sx.SDecl(loc, self.spelling(d), self.expr(init) if init is not None else None,
                        self.is_ptr(d), cleanup)

    def cleanup_from_text(self, attr: Any) -> str:
        """The cleanup function of an attribute written on one source line, or in the
        body of the macro written there (``BTRFS_PATH_AUTO_FREE(path)`` declares
        ``path`` with ``__free(btrfs_free_path)``: libclang places the attribute at the
        macro's use, and names no cleanup function for it)."""
        a, b = attr.extent.start, attr.extent.end
        if a.line != b.line or not 0 < a.line <= len(self.lines):
            return ""
        text = self.lines[a.line - 1][a.column - 1:b.column].decode("utf-8", "replace")
        found = _cleanup_in(text)
        if found:
            return found
        m = MACRO_USE.match(text)
        if m is None:
            return ""
        body = self.macro_body(attr, m.group(1), m.group(2))
        return _cleanup_in(body) if body else ""

    def macro_body(self, c: Any, name: str, args: str) -> str:
        """The body of the function-like macro ``name`` that the translation unit of
        ``c`` includes, its parameters replaced by ``args`` (as written); "" when no
        included file defines it. libclang keeps no macro definitions without a
        detailed preprocessing record, so the included files are read (once per name
        and translation unit)."""
        tu = getattr(c, "_tu", None)
        if tu is None:
            return ""
        key = (id(tu), name)
        if key not in self._macros:
            self._macros[key] = macro_definition(self.text.encode("latin-1"), name) or \
                macro_definition_in(self.native.included_files(tu), name)
        found = self._macros[key]
        return expand(found, args) if found is not None else ""

    def for_stmt(self, c: Any, loc: Loc) -> sx.SFor:
        ch = self.children(c)
        body = self.stmt(ch[-1])
        parts = ch[:-1]
        init = cond = inc = None
        if len(parts) == 3:
            init, cond, inc = parts
        elif parts:
            present = self._for_parts(c, len(parts))
            if present[0] != "init" and self.kind(parts[0]) == self.K.DECL_STMT:
                # for (void *retry_ptr; cond;) from a macro: a declaration is the init
                present = ["init", "cond", "inc"][:len(parts)]
            named = dict(zip(present, parts, strict=False))
            init, cond, inc = named.get("init"), named.get("cond"), named.get("inc")
        init_s = None
        if init is not None:
            init_s = self.stmt(init)
        return sx.SFor(
            loc,
            init_s,
            self.test(cond) if cond is not None else None,
            self.expr(inc) if inc is not None else None,
            body,
        )

    def _for_parts(self, c: Any, n: int) -> list[str]:
        """Which of init/cond/inc a for statement with ``n`` of them has.

        Read from the tokens between ``for (`` and the body (libclang tokenizes
        the parsed buffer, so an in-memory text is read, and comments and
        literals are single tokens): the semicolons at parenthesis depth one
        split them. Falls back to "cond first" when the loop comes from a macro.
        """
        tokens = c.get_tokens()
        first = next(tokens, None)
        if first is not None and first.spelling == "for":
            depth = 0
            pieces = [0]
            for tok in tokens:
                s = tok.spelling if tok.kind.name == "PUNCTUATION" else "x"
                if s == "(":
                    depth += 1
                    if depth == 1:
                        continue
                elif s == ")":
                    depth -= 1
                    if depth == 0:
                        break
                if depth == 1 and s == ";":
                    pieces.append(0)
                elif depth >= 1:
                    pieces[-1] += 1
            if len(pieces) == 3:
                names = ["init", "cond", "inc"]
                return [nm for nm, p in zip(names, pieces, strict=True) if p]
        return ["cond", "inc"][:n] if n <= 2 else ["init", "cond", "inc"]

    # expressions --------------------------------------------------------
    def expr(self, c: Any) -> Expr:
        self.depth += 1
        try:
            if self.depth > MAX_NESTING:
                raise NestingTooDeep()
            return self._expr(c)
        finally:
            self.depth -= 1

    def test(self, c: Any) -> Expr:
        """A condition: ``expr``, noting the functions it calls (``callees``)."""
        self.in_test += 1
        try:
            return self.expr(c)
        finally:
            self.in_test -= 1

    def _expr(self, c: Any) -> Expr:
        K = self.K
        k = self.kind(c)
        if k in (K.UNEXPOSED_EXPR, K.PAREN_EXPR):
            ch = self.children(c)
            if len(ch) == 1:
                inner = self.expr(ch[0])
                if isinstance(inner, Const) and self.is_ptr(c) and not inner.ptr:
                    return Const(inner.value, ptr=True)
                return inner
            if not ch:
                v = self.native.evaluate_int(c)
                return Const(v) if v is not None else Other(c.spelling)
            if self.kind(ch[-1]) == K.MEMBER_REF:
                # offsetof(typeof(*pos), member): the type's expression is not evaluated;
                # the member's path is kept (container_of() names the member it undoes)
                member = ".".join(self.spelling(x) for x in ch if self.kind(x) == K.MEMBER_REF)
                return Other("", (Other("type_ref"),
                                   Other(OFFSETOF_MEMBER + member, (), self.is_ptr(ch[-1]))),
                             self.is_ptr(c))
            v = self.native.evaluate_int(c)
            if v is not None:  # __builtin_types_compatible_p() in a macro: a constant
                return Const(v)
            if self.is_va_list(ch[-1]):
                # va_arg(ap, typeof(*p)): the type's expression is not evaluated, only
                # the va_list is read (p is not dereferenced)
                return Other("va_arg", (self.expr(ch[-1]),), self.is_ptr(c))
            return Other("", tuple(self.expr(x) for x in ch), self.is_ptr(c))
        if k == K.CSTYLE_CAST_EXPR:
            ch = [x for x in self.children(c) if self.kind(x) in self._expr_kinds]
            if not ch:
                return Other("cast")
            inner = self.expr(ch[-1])
            if isinstance(inner, Const) and self.is_ptr(c):
                return Const(inner.value, ptr=True)
            return inner
        if k == K.DECL_REF_EXPR:
            ref = self.native.referenced(c)
            if ref._kind_id == self._enum_constant:  # a null cursor has another kind
                ref._tu = c._tu
                return Const(ref.enum_value)
            name = self.spelling(c)
            return Var(name, self.is_ptr(c), name in self.params)
        if k == K.MEMBER_REF_EXPR:
            ch = self.children(c)
            if not ch:
                return Var(self.spelling(c), self.is_ptr(c))
            base = self.expr(ch[0])
            arrow = self.is_ptr(ch[0])
            ref = self.native.referenced(c)
            ref._tu = c._tu
            # at the object's address (a member of an anonymous record: not known)
            first = self.native.field_offset(ref) == 0 and \
                not ref.semantic_parent.is_anonymous()
            while isinstance(base, Member) and (not base.name or "(anonymous" in base.name):
                # p->page where page is in an anonymous union (or a struct in one):
                # clang goes through the unnamed fields; the source does not
                arrow = base.arrow
                first = False
                base = base.base
            return Member(base, self.spelling(c), arrow, self.is_ptr(c), first)
        if k in (K.INTEGER_LITERAL, K.CHARACTER_LITERAL):
            v = self.native.evaluate_int(c)
            return Const(v if v is not None else 0)
        if k == K.STRING_LITERAL:
            return Str(self.spelling(c))  # as written, adjacent literals joined: a format
        if k == K.CALL_EXPR:
            return self.call(c)
        if k == K.UNARY_OPERATOR:
            ch = self.children(c)
            op = self.native.unary_op(c)
            inner = self.expr(ch[0]) if ch else Other()
            if op == "-" and isinstance(inner, Const):
                return Const(-inner.value)
            if op in ("__extension__", "+"):
                return inner
            return Unary(op, inner, self.is_ptr(c))
        if k == K.BINARY_OPERATOR or k == K.COMPOUND_ASSIGNMENT_OPERATOR:
            ch = self.children(c)
            op = self.native.binary_op(c)
            lhs, rhs = self.expr(ch[0]), self.expr(ch[1])
            if op.endswith("=") and op not in ("==", "!=", "<=", ">="):
                return Assign(lhs, rhs, op, self.is_ptr(c))
            if op in ("==", "!=") and _sizeof(lhs) and _sizeof(rhs):
                v = self.native.evaluate_int(c)  # a type check in a macro: a constant
                if v is not None:
                    return Const(v)
            return Binary(op, lhs, rhs, self.is_ptr(c))
        if k == K.CONDITIONAL_OPERATOR:
            ch = self.children(c)
            if len(ch) == 3:
                return Cond(self.test(ch[0]), self.expr(ch[1]), self.expr(ch[2]),
                            self.is_ptr(c))
        if k == K.ARRAY_SUBSCRIPT_EXPR:
            ch = self.children(c)
            return Index(self.expr(ch[0]), self.expr(ch[1]), self.is_ptr(c))
        if k == K.StmtExpr:
            ch = self.children(c)
            if ch and self.kind(ch[0]) == K.COMPOUND_STMT:
                items = self.children(ch[0])
                body = [self.stmt(x) for x in items[:-1]]
                last = items[-1] if items else None
                if last is not None and self.kind(last) in self._expr_kinds:
                    return sx.StmtExpr(tuple(body), self.expr(last), self.is_ptr(c))
                labelled = self.children(last) if last is not None and \
                    self.kind(last) == K.LABEL_STMT else []
                if last is not None and len(labelled) == 1 and \
                        self.kind(labelled[0]) in self._expr_kinds:
                    # ({ ... goto __out; ... __out: __ret; }): the macro's own label,
                    # then its value, __ret, on every path that reaches the label
                    body.append(sx.SLabel(self.loc(last), last.spelling, None))
                    return sx.StmtExpr(tuple(body), self.expr(labelled[0]), self.is_ptr(c))
                if last is not None:
                    body.append(self.stmt(last))
                return sx.StmtExpr(tuple(body), None, self.is_ptr(c))
        if k == K.CXX_UNARY_EXPR:
            return Other("sizeof")
        if k == K.GENERIC_SELECTION_EXPR:
            chosen = self._generic_choice(c)
            if chosen is not None:
                return self.expr(chosen)
        ch = self.children(c)
        return Other(k.name.lower(),
                     tuple(self.expr(x) for x in ch if self.kind(x) in self._expr_kinds),
                     self.is_ptr(c))

    def _generic_choice(self, c: Any) -> Any | None:
        """The association a ``_Generic`` selects (``container_of_const()`` picks the
        cast to ``type *`` or to ``const type *`` by its pointer's constness): the
        selection has the type of the expression it selects, so the one association
        of that type (after the controlling expression) is it. None when no
        association, or more than one, has it."""
        n = self.native
        want = n.string(n.type_spelling(n.canonical(n.cursor_type(c))))
        found = [x for x in self.children(c)[1:] if self.kind(x) in self._expr_kinds and
                 n.string(n.type_spelling(n.canonical(n.cursor_type(x)))) == want]
        return found[0] if len(found) == 1 else None

    def call(self, c: Any) -> Expr:
        ch = self.children(c)
        args = tuple(self.expr(a) for a in ch[1:])
        name = self.spelling(c)
        callee_c = ch[0] if ch else None
        indirect = noreturn = False
        fn_expr = None
        if callee_c is not None:
            ref = self.native.referenced(c)
            if ref._kind_id != self._function_decl:  # or null
                indirect = True
                fn_expr = self.expr(callee_c)
                name = render(fn_expr)
            else:
                ref._tu = c._tu
                if name not in self.called:
                    self.called[name] = ref
                if self.in_test and name not in self.callees:
                    self.callees[name] = ref
                noreturn = self.is_noreturn(name, ref)
        if name in TRANSPARENT_CALLS and args:
            return strip_not_not(args[0])
        return Call(name, unevaluated(name, args), self.loc(c), self.is_ptr(c), indirect,
                    fn_expr, self.is_bool(c), self.is_unsigned(c), noreturn)


_ASM_TOKEN = re.compile(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|/\*.*?\*/|//[^\n]*'
                        r"|[A-Za-z_]\w*|\S", re.DOTALL)


def asm_goto_labels(text: str, offset: int) -> list[str]:
    """The labels an ``asm`` statement at ``offset`` of ``text`` may jump to.

    libclang 18 has no API for the labels of an ``asm goto``, so they are read
    from the source. Written out (``asm goto("..." : out : in : clobbers :
    l1, l2)``): the names after the fourth top-level colon; a plain ``asm`` has
    none. Made by a macro (``unsafe_put_user(x, p, Efault)``; ``offset`` is
    where the outermost macro call starts): every identifier among the call's
    arguments, of which the CFG builder keeps those that name a label.
    """
    tokens: list[str] = []
    depth = 0
    for m in _ASM_TOKEN.finditer(text, offset, min(len(text), offset + 20000)):
        t = m.group()
        if t.startswith(("/*", "//")):
            continue
        tokens.append(t)
        if t == "(":
            depth += 1
        elif t == ")":
            depth -= 1
            if depth == 0:
                break
        elif depth == 0 and len(tokens) > 4:
            return []  # not a call or an asm statement
    if tokens and tokens[0] in ("asm", "__asm__", "__asm"):
        if "goto" not in tokens[1:4]:
            return []
        depth = colons = 0
        labels: list[str] = []
        for t in tokens:
            if t == "(":
                depth += 1
            elif t == ")":
                depth -= 1
            elif depth == 1 and t == ":":
                colons += 1
            elif depth == 1 and colons == 4 and t != ",":
                labels.append(t)
        return labels
    return [t for t in tokens[1:] if t.isidentifier()]


def _sizeof(e: Expr) -> bool:
    return isinstance(e, Other) and e.text == "sizeof" or isinstance(e, Const)
