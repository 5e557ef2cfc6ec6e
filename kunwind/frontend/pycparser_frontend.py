"""The second frontend: pycparser's AST of preprocessed C, lowered into ``kunwind.model.syntax``.

It exists to cross-check the libclang frontend (``tests/test_frontends_agree.py``)
and to analyse a preprocessed ``.i`` file without libclang. It produces the
same structures, names, operators and constants as ``clang_lower``, with the
``ptr`` flags from a small type environment (``pyc_types``), and mirrors
clang's implicit conversion of a null constant to a pointer.

C goes through the system preprocessor (``gcc -E``, else ``cpp``) first, fed
on stdin, with include paths and macros from the clang flags and the GNU
extensions pycparser cannot parse defined away (``__attribute__``,
``__extension__``, ``__restrict``...). pycparser (C23 dialect) parses
``typeof`` and statement expressions; it cannot parse ``asm``, labels as
values (``&&l``, ``goto *p``), case ranges, ``?:`` without a middle operand
or ``__builtin_types_compatible_p``: such a file is reported as not parseable.
Cleanup attributes (``__free``, ``guard``) are gone after preprocessing and
are read back from the declaration's source line, as libclang's frontend
does when the attribute hides the function.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import cast

from pycparser import c_ast, c_lexer, c_parser

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

from .clang_parse import HELPER_DEPTH, HELPER_LINES, ParsedFile, ParsedFunction, lower_into
from .macros import MACRO_USE, Definition, expand, macro_definition, macro_definition_in
from .pyc_pure import callees_of, definition_lines, pure_functions
from .pyc_types import (
    AUTO_TYPEDEF,
    INT,
    UNKNOWN,
    CType,
    TypeEnv,
    adjust_param,
    call_result,
    constant_value,
    function_type,
    pointee,
    ptr_to,
)

STDIN = "<stdin>"
# GNU spellings pycparser does not know: renamed (or dropped) on the cpp command line, and
# in a .i file's text; __attribute__((...)) is dropped too.
GNU_NAMES = {
    "__extension__": "", "__inline__": "inline", "__inline": "inline", "__restrict": "",
    "__restrict__": "", "__volatile__": "volatile", "__volatile": "volatile",
    "__const": "const", "__signed__": "signed", "__typeof__": "typeof", "__typeof": "typeof",
    "__asm__": "asm", "__asm": "asm", "__builtin_offsetof": "offsetof",
    "__auto_type": AUTO_TYPEDEF,
}
# __attribute__((...)) is kept by the preprocessor and dropped after it (strip_gnu), once
# noreturn_functions() has read it
GNU_DEFINES = [f"-D{k}={v}" for k, v in GNU_NAMES.items()]
# Put before the preprocessed text (before its first line marker: lines stay right).
PRELUDE = f"typedef int {AUTO_TYPEDEF};\n"
# C23 keywords that GNU C11 code uses as names (kernel.h: typedef _Bool bool).
_NOT_KEYWORDS = ("bool", "true", "false", "nullptr", "constexpr", "alignas", "alignof",
                 "static_assert", "thread_local")
# Flags passed on to the preprocessor; anything else (plugins, -B, specs...) is dropped.
_CPP_VALUE = ("-I", "-D", "-U", "-include", "-imacros", "-isystem", "-iquote", "-idirafter")
_CLEANUP_TEXT = re.compile(
    r"\b(?:(__free)|(?:scoped_)?(guard)|__cleanup__|__cleanup|cleanup)\s*\(\s*(\w+)")
_STATEMENTS = (
    c_ast.Compound, c_ast.Decl, c_ast.DeclList, c_ast.If, c_ast.While, c_ast.DoWhile,
    c_ast.For, c_ast.Switch, c_ast.Case, c_ast.Default, c_ast.Label, c_ast.Goto,
    c_ast.Break, c_ast.Continue, c_ast.Return, c_ast.EmptyStatement, c_ast.Typedef,
    c_ast.Pragma, c_ast.StaticAssert,
)
_UNARY = {"p++": "post++", "p--": "post--"}
_COMPARE = {"==", "!=", "<", ">", "<=", ">="}



def _comma_operands(n: c_ast.Node) -> list[c_ast.Node]:
    """The operands of a comma expression (nested ones too), left to right; [n] for others."""
    out: list[c_ast.Node] = []
    todo = [n]
    while todo:
        x = todo.pop()
        if isinstance(x, c_ast.ExprList):
            todo += reversed(x.exprs)
        else:
            out.append(x)
    return out

class PreprocessError(Exception):
    """The preprocessor is missing or rejected the file; the message is one line."""


class _GnuLexer(c_lexer.CLexer):
    """pycparser's C23 lexer (for ``typeof``) without the C23-only keywords."""

    def __init__(self, error_func, *, dialect: c_lexer.Dialect = "c23") -> None:
        super().__init__(error_func, dialect=dialect)
        keywords = getattr(self, "_keyword_map", {})
        for word in _NOT_KEYWORDS:
            keywords.pop(word, None)


def strip_gnu(text: str) -> str:
    """A preprocessed text with the GNU spellings of ``GNU_NAMES`` and ``__attribute__`` gone
    (an attribute's line breaks stay, so that line numbers do)."""
    names = re.compile(r"\b(" + "|".join(map(re.escape, GNU_NAMES)) + r")\b")
    text = names.sub(lambda m: GNU_NAMES[m.group(1)], text)
    out: list[str] = []
    pos = 0
    for start, end in _attributes(text):
        out.append(text[pos:start])
        out.append("\n" * text.count("\n", start, end))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _attributes(text: str) -> Iterator[tuple[int, int]]:
    """Where each ``__attribute__((...))`` of ``text`` starts and ends."""
    pos = 0
    for m in re.finditer(r"\b__attribute__\s*\(", text):
        if m.start() < pos:
            continue
        depth, i = 1, m.end()
        while i < len(text) and depth:
            ch = text[i]
            if ch == '"':  # a string argument: section("...")
                end = re.compile(r'"(?:\\.|[^"\\])*"').match(text, i)
                i = end.end() if end else i + 1
                continue
            depth += {"(": 1, ")": -1}.get(ch, 0)
            i += 1
        yield m.start(), i
        pos = i


_NORETURN_ATTRIBUTE = re.compile(r"\b(?:__)?noreturn(?:__)?\b")
_NAMED_CALL = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
_NOT_NAMES = frozenset({"__attribute__", "typeof", "__typeof__", "sizeof", "_Alignas",
                        "void", "int", "char", "long", "short", "unsigned", "signed"})


def noreturn_functions(text: str) -> set[str]:
    """The functions a preprocessed text declares ``__attribute__((noreturn))`` (the
    kernel's ``__noreturn``), wherever the attribute stands in the declaration: what
    libclang reads from the function's type (clang_lower.Lowerer.is_noreturn)."""
    out: set[str] = set()
    for start, end in _attributes(text):
        if not _NORETURN_ATTRIBUTE.search(text, start, end):
            continue
        first = max(text.rfind(c, 0, start) for c in ";{}") + 1
        last = min((i for i in (text.find(c, end) for c in ";{") if i >= 0), default=len(text))
        decl = strip_gnu(text[first:last])
        m = next((m for m in _NAMED_CALL.finditer(decl) if m.group(1) not in _NOT_NAMES), None)
        if m is not None:
            out.add(m.group(1))
    return out


def cpp_flags(args: list[str]) -> list[str]:
    """The include paths and macros of a clang command line, for the system preprocessor."""
    out: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a in _CPP_VALUE and i + 1 < len(args):
            out += [a, args[i + 1]]
            i += 2
            continue
        if a.startswith(("-I", "-D", "-U", "-std=")) and len(a) > 2:
            out.append(a)
        i += 1
    return out


def preprocess(path: Path, text: bytes, args: list[str]) -> str:
    """``text`` (the contents of ``path``) after the system preprocessor, as latin-1 text."""
    cpp = shutil.which("gcc") or shutil.which("cpp")
    if cpp is None:
        raise PreprocessError("no C preprocessor found (gcc or cpp)")
    cmd = [cpp, "-E"] if cpp.endswith("gcc") else [cpp]
    cmd += ["-x", "c", "-std=gnu11", "-nostdinc", "-iquote", str(path.parent.resolve()),
            *GNU_DEFINES, *cpp_flags(args), "-"]
    try:
        proc = subprocess.run(cmd, input=text, capture_output=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PreprocessError(f"the preprocessor failed: {exc}") from None
    if proc.returncode != 0:
        lines = proc.stderr.decode("latin-1").splitlines()
        errors = [ln for ln in lines if "error" in ln] or lines or ["(no message)"]
        raise PreprocessError(f"the preprocessor failed: {errors[0].replace(STDIN, path.name)}")
    return proc.stdout.decode("latin-1")


def parse_file(path: Path, args: list[str], text: bytes | None = None,
               preprocessed: bool | None = None,
               helpers: Callable[[str], bool] | None = None) -> ParsedFile:
    """Preprocess (unless ``path`` is a ``.i`` file), parse and lower the main file's
    functions (and, with ``helpers``, the short header functions they call that it
    accepts, as libclang's frontend does)."""
    if text is None:
        text = path.read_bytes()
    out = ParsedFile(text=text)
    if preprocessed is None:
        preprocessed = path.suffix == ".i"
    try:
        source = text.decode("latin-1") if preprocessed else preprocess(path, text, args)
        noreturn = noreturn_functions(source)
        source = strip_gnu(source)
        main = (_first_marker_file(source) or str(path)) if preprocessed else STDIN
    except PreprocessError as exc:
        out.fatal = str(exc)
        return out
    try:
        ast = c_parser.CParser(lexer=_GnuLexer, dialect="c23").parse(PRELUDE + source, main)
    except c_parser.ParseError as exc:
        out.fatal = f"pycparser cannot parse it: {str(exc).replace(STDIN, path.name)}"
        return out
    except RecursionError:
        out.fatal = "pycparser cannot parse it: nested too deeply"
        return out
    env = TypeEnv(noreturn=noreturn)
    lines = text.split(b"\n")
    if preprocessed:  # line numbers are the original file's: read it for cleanup attributes
        original = Path(main)
        try:
            lines = original.read_bytes().split(b"\n") if original.is_file() else []
        except OSError:
            lines = []
    braces = Braces(PRELUDE + source, main)
    macros = _Macros(lines, _marker_files(source))
    for ext in ast.ext:
        if isinstance(ext, c_ast.FuncDef) and ext.decl.coord.file == main:
            env.add_decl(ext.decl)
            pf = ParsedFunction(None, ext.decl.name, ext.decl.coord.line)
            lower_into(pf, functools.partial(Lowerer(env, lines, braces, macros).function, ext))
            out.functions.append(pf)
        elif isinstance(ext, c_ast.FuncDef):
            env.add_decl(ext.decl)
        elif isinstance(ext, c_ast.Decl):
            env.add_decl(ext)
        elif isinstance(ext, c_ast.Typedef):
            env.typedefs[ext.name] = env.resolve(ext.type)
    out.pure = pure_functions(ast, main, env.enum_consts)
    out.tables = _callback_tables(ast, main)
    if helpers is not None:
        out.helpers = _header_helpers(ast, main, helpers, env, braces)
    return out


def _callback_tables(ast: c_ast.FileAST, main: str) -> dict[str, tuple[str, dict[str, str]]]:
    """clang_lower.callback_tables for pycparser: the main file's variables initialised
    as a struct whose members name functions (or another such table, through its
    address), and its pointers to a struct."""
    functions = {e.decl.name for e in ast.ext if isinstance(e, c_ast.FuncDef)} | {
        e.name for e in ast.ext if isinstance(e, c_ast.Decl) and isinstance(e.type, c_ast.FuncDecl)}
    fields: dict[str, list[str]] = {}
    for top in (e for e in ast.ext if not isinstance(e, c_ast.FuncDef)):  # not the bodies
        for node in _walk_nodes(top):
            if isinstance(node, c_ast.Struct) and node.name and node.decls:
                fields[node.name] = [d.name for d in node.decls]
    out: dict[str, tuple[str, dict[str, str]]] = {}
    for e in ast.ext:
        if isinstance(e, c_ast.Decl) and e.coord.file == main and e.name and \
                isinstance(e.type, c_ast.PtrDecl) and isinstance(e.type.type, c_ast.TypeDecl) \
                and isinstance(e.type.type.type, c_ast.Struct) and e.type.type.type.name:
            out[pointer_table(e.name)] = (e.type.type.type.name, {})  # struct class *foo
            continue
        if not (isinstance(e, c_ast.Decl) and e.coord.file == main and
                isinstance(e.init, c_ast.InitList)):
            continue
        if isinstance(e.type, c_ast.ArrayDecl) and isinstance(e.type.type, c_ast.TypeDecl) \
                and isinstance(e.type.type.type, c_ast.Struct) and e.type.type.type.name:
            struct = e.type.type.type.name  # an array of such structs, element by element
            for i, x in enumerate(e.init.exprs):
                if isinstance(x, c_ast.CompoundLiteral):
                    x = x.init  # SND_SOC_DAPM_SUPPLY(...): (struct ...){ ... }
                members = _table_members(x.exprs, struct, fields, functions, out) \
                    if isinstance(x, c_ast.InitList) else {}
                if members:
                    out[element_table_name(e.name, i)] = (struct, members)
            continue
        if not (isinstance(e.type, c_ast.TypeDecl) and isinstance(e.type.type, c_ast.Struct)
                and e.type.type.name):
            continue
        struct = e.type.type.name
        members = _table_members(e.init.exprs, struct, fields, functions, out)
        if members:
            out[e.name] = (struct, members)
    return out


def _table_members(items: list[c_ast.Node], struct: str, fields: dict[str, list[str]],
                   functions: set[str],
                   tables: dict[str, tuple[str, dict[str, str]]]) -> dict[str, str]:
    """Member -> function of one struct initializer (``_callback_tables``)."""
    positional = not any(isinstance(x, c_ast.NamedInitializer) for x in items)
    members: dict[str, str] = {}
    for i, x in enumerate(items):
        name, value = "", x
        if isinstance(x, c_ast.NamedInitializer):
            if len(x.name) == 1 and isinstance(x.name[0], c_ast.ID):
                name, value = x.name[0].name, x.expr
        elif positional and i < len(fields.get(struct, [])):
            name = fields[struct][i]
        while isinstance(value, c_ast.Cast):
            value = value.expr
        if isinstance(value, c_ast.TernaryOp) and _null(value.iffalse):
            value = value.iftrue  # pm_sleep_ptr(foo_resume): (cond) ? (foo_resume) : NULL
            while isinstance(value, c_ast.Cast):
                value = value.expr
        if name and isinstance(value, c_ast.ID) and value.name in functions:
            members[name] = value.name
        if name and isinstance(value, c_ast.UnaryOp) and value.op == "&" and \
                isinstance(value.expr, c_ast.ID) and value.expr.name in tables:
            members.update({f"{name}->{m}": f for m, f in tables[value.expr.name][1].items()})
    return members


def _null(e: c_ast.Node) -> bool:
    """Is the expression a null pointer constant (``((void *)0)``)?"""
    while isinstance(e, c_ast.Cast):
        e = e.expr
    return isinstance(e, c_ast.Constant) and e.value == "0"


def _walk_nodes(node: c_ast.Node) -> Iterator[c_ast.Node]:
    yield node
    for _name, child in node.children():
        yield from _walk_nodes(child)


def _header_helpers(ast: c_ast.FileAST, main: str, wanted: Callable[[str], bool],
                    env: TypeEnv, braces: Braces) -> list[ParsedFunction]:
    """The functions the main file's functions call that a header defines in at most
    ``HELPER_LINES`` lines (with the closing brace, as libclang counts), lowered, and
    those these call, up to ``HELPER_DEPTH`` calls below the main file's functions."""
    defs = {e.decl.name: e for e in ast.ext
            if isinstance(e, c_ast.FuncDef) and e.decl.coord.file != main}
    depth: dict[str, int] = {}
    for e in ast.ext:
        if isinstance(e, c_ast.FuncDef) and e.decl.coord.file == main:
            depth.update(dict.fromkeys(sorted(callees_of(e.body)), 1))
    names = list(depth)
    out: list[ParsedFunction] = []
    for name in names:  # grows as the helpers are lowered
        fd, level = defs.get(name), depth[name]
        if fd is None or level > HELPER_DEPTH or not wanted(name) or \
                definition_lines(fd) + 1 > HELPER_LINES:
            continue
        pf = ParsedFunction(None, name, fd.decl.coord.line)
        lower_into(pf, functools.partial(Lowerer(env, [], braces).function, fd))
        if pf.syntax is not None:
            out.append(pf)
        for callee in sorted(callees_of(fd.body)):
            if callee not in depth:
                depth[callee] = level + 1
                names.append(callee)
    return out


def _marker_files(text: str) -> list[str]:
    """The files the preprocessed ``text`` came from (its line markers), in order."""
    return list(dict.fromkeys(m for m in re.findall(r'^#\s*\d+\s+"([^"<]*)"', text, re.M)
                              if m and m != STDIN))


class _Macros:
    """Function-like macros of the main file and the files it includes, by name."""

    def __init__(self, lines: list[bytes], files: list[str]) -> None:
        self.main = b"\n".join(lines)
        self.files = files
        self.found: dict[str, Definition | None] = {}

    def expand(self, name: str, args: str) -> str:
        if name not in self.found:
            self.found[name] = macro_definition(self.main, name) or \
                macro_definition_in(self.files, name)
        d = self.found[name]
        return expand(d, args) if d is not None else ""


def _first_marker_file(text: str) -> str:
    m = re.search(r'^#\s*\d+\s+"([^"]*)"', text, re.MULTILINE)
    return m.group(1) if m else ""


class Braces:
    """The braces of the main file, by line and column: what pycparser's AST leaves out."""

    def __init__(self, text: str, main: str) -> None:
        self.closing: dict[tuple[int, int | None], int] = {}  # ``{`` -> the line of its ``}``
        self.stmt_expr: set[tuple[int, int | None]] = set()  # ``{`` right after ``(``
        lexer = _GnuLexer(error_func=lambda msg, line, col: None)
        lexer.input(text, main)
        stack: list[tuple[str, int, int | None]] = []
        previous = ""
        while True:
            tok = lexer.token()
            if tok is None:
                break
            if tok.type == "LBRACE":
                stack.append((tok.filename, tok.lineno, tok.column))
                if previous == "LPAREN" and tok.filename == main:
                    self.stmt_expr.add((tok.lineno, tok.column))
            elif tok.type == "RBRACE" and stack:
                file, line, col = stack.pop()
                if file == main:
                    self.closing[(line, col)] = tok.lineno
            previous = tok.type


class Lowerer:
    """One function definition into ``FunctionSyntax``; names are looked up in ``env``."""

    def __init__(self, env: TypeEnv, lines: list[bytes], braces: Braces,
                 macros: _Macros | None = None) -> None:
        self.env = env
        self.lines = lines  # the main file's source lines, for cleanup attributes
        self.macros = macros or _Macros(lines, [])
        self.braces = braces
        self.scopes: list[dict[str, CType]] = []
        self.params: set[str] = set()
        self.returns = UNKNOWN
        self.depth = 0
        env.typeof_hook = lambda e: self.expr(e)[1]

    # helpers ------------------------------------------------------------
    def loc(self, node: c_ast.Node) -> Loc:
        c = node.coord
        return Loc(c.line, c.column or 0) if c is not None else Loc(0, 0)

    def lookup(self, name: str) -> CType | None:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return self.env.globals.get(name)

    def is_function(self, name: str) -> bool:
        """A name that denotes a function (declared, or undeclared: a builtin), not a variable."""
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name].kind == "func"
        t = self.env.globals.get(name)
        return t is None or t.kind == "func"

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise NestingTooDeep()

    # statements ---------------------------------------------------------
    def function(self, fd: c_ast.FuncDef) -> sx.FunctionSyntax:
        ftype = self.env.resolve(fd.decl.type)
        self.returns = ftype.target or UNKNOWN
        params: list[tuple[str, bool]] = []
        scope: dict[str, CType] = {}
        args = fd.decl.type.args if isinstance(fd.decl.type, c_ast.FuncDecl) else None
        for p in (args.params if args is not None else []):
            if isinstance(p, c_ast.Decl) and p.name:
                t = adjust_param(self.env.resolve(p.type))
                scope[p.name] = t
                params.append((p.name, t.is_ptr))
        self.params = set(scope)
        self.scopes = [scope]
        body = fd.body
        end = self.braces.closing.get((body.coord.line, body.coord.column), body.coord.line)
        storage = fd.decl.storage or []
        return sx.FunctionSyntax(
            name=fd.decl.name,
            loc=self.loc(fd.decl),
            end_line=end,
            params=params,
            returns_ptr=self.returns.kind == "ptr",
            returns_void=self.returns.kind == "void",
            body=cast(sx.SBlock, self.stmt(body)),  # a compound statement
            static="static" in storage,
        )

    def stmt(self, node: c_ast.Node | None) -> sx.S:
        self.enter()
        try:
            return self._stmt(node)
        finally:
            self.depth -= 1

    def _stmt(self, n: c_ast.Node | None) -> sx.S:
        loc = self.loc(n) if n is not None else Loc(0, 0)
        if isinstance(n, c_ast.Compound):
            if (n.coord.line, n.coord.column) in self.braces.stmt_expr:
                return sx.SExpr(loc, self.stmt_expr(n)[0])  # ({ ... }); as a statement
            self.scopes.append({})
            try:
                return sx.SBlock(loc, self.items(n.block_items or []))
            finally:
                self.scopes.pop()
        if isinstance(n, c_ast.Decl):
            return self.decl(n)
        if isinstance(n, c_ast.DeclList):
            return sx.SBlock(loc, [self.decl(d) for d in n.decls])
        if isinstance(n, c_ast.If):
            return sx.SIf(loc, self.expr(n.cond)[0], self.stmt(n.iftrue),
                          self.stmt(n.iffalse) if n.iffalse is not None else None)
        if isinstance(n, c_ast.While):
            return sx.SWhile(loc, self.expr(n.cond)[0], self.stmt(n.stmt))
        if isinstance(n, c_ast.DoWhile):
            return sx.SDo(loc, self.stmt(n.stmt), self.expr(n.cond)[0])
        if isinstance(n, c_ast.For):
            self.scopes.append({})
            try:
                init = self.stmt(n.init) if n.init is not None else None
                return sx.SFor(loc, init,
                               self.expr(n.cond)[0] if n.cond is not None else None,
                               self.expr(n.next)[0] if n.next is not None else None,
                               self.stmt(n.stmt))
            finally:
                self.scopes.pop()
        if isinstance(n, c_ast.Switch):
            return sx.SSwitch(loc, self.expr(n.cond)[0], self.stmt(n.stmt))
        if isinstance(n, c_ast.Case):
            value = self.env.evaluate(n.expr)
            return sx.SCase(loc, value if value is not None else sx.UNKNOWN_CASE,
                            self.case_body(n.stmts, loc))
        if isinstance(n, c_ast.Default):
            return sx.SCase(loc, None, self.case_body(n.stmts, loc))
        if isinstance(n, c_ast.Label):
            return sx.SLabel(loc, n.name, self.stmt(n.stmt) if n.stmt is not None else None)
        if isinstance(n, c_ast.Goto):
            return sx.SGoto(loc, n.name)
        if isinstance(n, c_ast.Break):
            return sx.SBreak(loc)
        if isinstance(n, c_ast.Continue):
            return sx.SContinue(loc)
        if isinstance(n, c_ast.Return):
            if n.expr is None:
                return sx.SReturn(loc, None)
            returned, t = self.expr(n.expr)
            return sx.SReturn(loc, _convert(returned, self.returns))
        if isinstance(n, c_ast.AttributedStatement):
            return self.stmt(n.stmt)
        if n is None or isinstance(n, _STATEMENTS):
            return sx.SBlock(loc)  # empty statement, typedef, pragma, static_assert
        e, _ = self.expr(n)
        if isinstance(n, c_ast.Cast) and self.env.resolve(n.to_type).kind == "void":
            e = void_cast(e)
        return sx.SExpr(loc, e)

    def items(self, nodes: list[c_ast.Node]) -> list[sx.S]:
        """The statements of a block, flat as libclang's frontend makes them: a chain of
        case labels one label after another, a statement of comma operators one
        statement per operand (``clang_lower.Lowerer.statements``)."""
        out: list[sx.S] = []
        for x in nodes:
            while isinstance(x, (c_ast.Case, c_ast.Default)) and len(x.stmts or []) == 1 \
                    and isinstance(x.stmts[0], (c_ast.Case, c_ast.Default)):
                out.append(self._label(x))  # falls through to the next label
                x = x.stmts[0]
            operands = _comma_operands(x)
            if len(operands) > 1:
                out += [sx.SExpr(self.loc(e), self.expr(e)[0]) for e in operands]
            else:
                out.append(self.stmt(x))
        return out

    def _label(self, n: c_ast.Case | c_ast.Default) -> sx.SCase:
        if isinstance(n, c_ast.Default):
            return sx.SCase(self.loc(n), None)
        value = self.env.evaluate(n.expr)
        return sx.SCase(self.loc(n), value if value is not None else sx.UNKNOWN_CASE)

    def case_body(self, stmts: list[c_ast.Node] | None, loc: Loc) -> sx.S | None:
        """pycparser puts every statement up to the next label in the case (clang: the first)."""
        if not stmts:
            return None
        if len(stmts) == 1:
            return self.stmt(stmts[0])
        return sx.SBlock(loc, [self.stmt(stmts[0]), *self.items(stmts[1:])])

    def decl(self, d: c_ast.Decl) -> sx.S:
        loc = self.loc(d)
        storage = d.storage or []
        if isinstance(d.type, c_ast.FuncDecl) or not d.name:
            if not isinstance(d.type, c_ast.FuncDecl):
                self.env.resolve(d.type)  # a struct or enum defined here
            return sx.SBlock(loc)
        t = self.env.resolve(d.type)
        if "typedef" in storage:
            self.env.typedefs[d.name] = t
            return sx.SBlock(loc)
        init: Expr | None = None
        if d.init is not None:
            init, it = self.initializer(d.init, t)
            if t.kind == "auto":
                t = it
        self.scopes[-1][d.name] = t
        if "static" in storage:
            return sx.SBlock(loc)  # a static local keeps its value across calls
        return sx.SDecl(loc, d.name, init, t.is_ptr, self.cleanup(d))

    def cleanup(self, d: c_ast.Decl) -> str:
        """A cleanup attribute on the declaration's source line (``__free(kfree)``, ``guard()``)."""
        line = d.coord.line if d.coord is not None else 0
        if not 0 < line <= len(self.lines):
            return ""
        text = self.lines[line - 1].decode("latin-1")
        use = MACRO_USE.match(text)
        if use is not None and _CLEANUP_TEXT.search(text) is None and \
                re.search(rf"\b{re.escape(d.name)}\b", use.group(2)):
            # BTRFS_PATH_AUTO_FREE(path): the attribute is in the macro's body
            text = self.macros.expand(use.group(1), use.group(2))
        at = re.search(rf"\b{re.escape(d.name)}\b", text)
        if at is not None:  # written out: the attribute follows the name
            text = re.split(r"[=;,]", text[at.start():], maxsplit=1)[0]
        m = _CLEANUP_TEXT.search(text)
        if m is None:
            return ""
        if at is None and not (m.group(2) and (d.name.startswith("__UNIQUE_ID_guard")
                                               or d.name == "scope")):
            return ""  # a macro made the variable: only guard()'s own carries the cleanup
        if m.group(1):
            return f"__free_{m.group(3)}"
        if m.group(2):
            return f"class_{m.group(3)}_destructor"
        return m.group(3)

    def initializer(self, node: c_ast.Node, t: CType) -> tuple[Expr, CType]:
        """An initialiser of an object of type ``t`` (init lists take element and field types)."""
        if isinstance(node, c_ast.InitList):
            return self.init_list(node, t), t
        value, vt = self.expr(node)
        return _convert(value, t), vt

    def init_list(self, node: c_ast.InitList, t: CType) -> Expr:
        self.enter()
        try:
            fields = self.env.field_types(t)
            parts: list[Expr] = []
            for i, e in enumerate(node.exprs):
                if isinstance(e, c_ast.NamedInitializer):
                    parts.append(self.designated(e, t))
                    continue
                if t.kind == "array":
                    et = t.target or UNKNOWN
                else:
                    et = fields[i] if i < len(fields) else UNKNOWN
                parts.append(self.initializer(e, et)[0])
            return Other("init_list_expr", tuple(parts), t.is_ptr)
        finally:
            self.depth -= 1

    def designated(self, e: c_ast.NamedInitializer, t: CType) -> Expr:
        """``.field = value`` / ``[i] = value``: libclang shows the designator, then the value."""
        designators: list[Expr] = []
        cur = t
        for d in e.name:
            if isinstance(d, c_ast.ID):
                cur = self.env.field_type(cur, d.name)
                designators.append(Other("member_ref", (), cur.is_ptr))
            else:
                designators.append(self.expr(d)[0])
                cur = cur.target if cur.kind == "array" and cur.target else UNKNOWN
        value = self.initializer(e.expr, cur)[0]
        return Other("", (*designators, value), False)

    # expressions --------------------------------------------------------
    def expr(self, node: c_ast.Node) -> tuple[Expr, CType]:
        self.enter()
        try:
            return self._expr(node)
        finally:
            self.depth -= 1

    def _expr(self, n: c_ast.Node) -> tuple[Expr, CType]:
        if isinstance(n, c_ast.ID):
            if n.name in self.env.enum_consts and self.lookup(n.name) is None:
                return Const(self.env.enum_consts[n.name]), INT
            t = self.lookup(n.name) or UNKNOWN
            return Var(n.name, t.is_ptr, n.name in self.params), t
        if isinstance(n, c_ast.Constant):
            if n.type == "string":
                return Str(n.value), CType("array", INT)  # adjacent literals joined
            v = constant_value(n)
            if v is None:
                return Other("floating_literal"), CType("float")
            return Const(v), INT
        if isinstance(n, c_ast.Cast):
            to = self.env.resolve(n.to_type)
            inner, _ = self.expr(n.expr)
            if isinstance(inner, Const) and to.is_ptr:
                return Const(inner.value, ptr=True), to
            return inner, to
        if isinstance(n, c_ast.UnaryOp):
            return self.unary(n)
        if isinstance(n, c_ast.BinaryOp):
            return self.binary(n)
        if isinstance(n, c_ast.Assignment):
            target, tt = self.expr(n.lvalue)
            value, _ = self.expr(n.rvalue)
            if n.op == "=":
                value = _convert(value, tt)
            return Assign(target, value, n.op, tt.is_ptr), tt
        if isinstance(n, c_ast.TernaryOp):
            c, _ = self.expr(n.cond)
            a, at = self.expr(n.iftrue)
            b, bt = self.expr(n.iffalse)
            t = at if at.is_ptr else bt if bt.is_ptr else at
            if t.is_ptr:
                a, b = _convert(a, t), _convert(b, t)
            return Cond(c, a, b, t.is_ptr), t
        if isinstance(n, c_ast.StructRef):
            base, bt = self.expr(n.name)
            record = pointee(bt) if n.type == "->" else bt
            ft = self.env.field_type(record, n.field.name)
            first = self.env.first_field(record, n.field.name)
            return Member(base, n.field.name, n.type == "->", ft.is_ptr, first), ft
        if isinstance(n, c_ast.ArrayRef):
            base, bt = self.expr(n.name)
            index, it = self.expr(n.subscript)
            et = pointee(bt) if bt.is_ptr else pointee(it)
            return Index(base, index, et.is_ptr), et
        if isinstance(n, c_ast.FuncCall):
            return self.call(n)
        if isinstance(n, c_ast.ExprList):  # the comma operator
            parts = [self.expr(x) for x in n.exprs]
            e, t = parts[0]
            for x, xt in parts[1:]:
                e, t = Binary(",", e, x, xt.is_ptr), xt
            return e, t
        if isinstance(n, c_ast.Compound):
            return self.stmt_expr(n)
        if isinstance(n, c_ast.InitList):
            return self.init_list(n, UNKNOWN), UNKNOWN
        if isinstance(n, c_ast.CompoundLiteral):
            t = self.env.resolve(n.type)
            init = self.init_list(n.init, t) if isinstance(n.init, c_ast.InitList) \
                else self.expr(n.init)[0]
            return Other("compound_literal_expr", (init,), t.is_ptr), t
        if isinstance(n, c_ast.Typename):
            return Other("type_ref"), self.env.resolve(n)
        if isinstance(n, c_ast.GenericSelection):
            chosen = self.generic_choice(n)
            if chosen is not None:
                return chosen
        return Other(type(n).__name__.lower()), UNKNOWN

    def generic_choice(self, n: c_ast.GenericSelection) -> tuple[Expr, CType] | None:
        """The value of a ``_Generic`` whose associations are all the same expression,
        but for their casts (``container_of_const()``: ``(const type *)`` or ``(type *)``
        of one container_of()): that expression, whichever one is selected. With no
        qualifiers in its types, this frontend cannot tell the selected one otherwise;
        libclang picks it by its type, and agrees on these."""
        values = [self.expr(a.expr) for a in n.associations or ()
                  if isinstance(a, c_ast.GenericAssociation)]
        if not values or len({_unplaced(v) for v, _ in values}) != 1:
            return None
        return values[-1]

    def unary(self, n: c_ast.UnaryOp) -> tuple[Expr, CType]:
        op = _UNARY.get(n.op, n.op)
        if op in ("sizeof", "_Alignof", "alignof"):
            return Other("sizeof"), INT
        inner, t = self.expr(n.expr)
        if op == "-" and isinstance(inner, Const):
            return Const(-inner.value), t
        if op == "+":
            return inner, t
        if op == "&":
            rt = ptr_to(t)
        elif op == "*":
            rt = pointee(t)
        elif op in ("!",):
            rt = INT
        else:
            rt = t
        return Unary(op, inner, rt.is_ptr), rt

    def binary(self, n: c_ast.BinaryOp) -> tuple[Expr, CType]:
        lhs, lt = self.expr(n.left)
        rhs, rt = self.expr(n.right)
        op = n.op
        if op in _COMPARE:
            if lt.is_ptr:
                rhs = _convert(rhs, lt)
            if rt.is_ptr:
                lhs = _convert(lhs, rt)
            t = INT
        elif op in ("&&", "||"):
            t = INT
        elif op in ("+", "-"):
            if lt.is_ptr and rt.is_ptr:
                t = INT  # a pointer difference
            elif lt.is_ptr:
                t = ptr_to(lt.target or UNKNOWN)
            elif rt.is_ptr:
                t = ptr_to(rt.target or UNKNOWN)
            else:
                t = lt if lt.kind == "float" else rt if rt.kind == "float" else INT
        else:
            t = INT
        return Binary(op, lhs, rhs, t.is_ptr), t

    def call(self, n: c_ast.FuncCall) -> tuple[Expr, CType]:
        if isinstance(n.name, c_ast.ID) and n.name.name == "offsetof" and n.args is not None:
            return self.offsetof(n)
        raw = n.args.exprs if n.args is not None else []
        direct = isinstance(n.name, c_ast.ID) and self.is_function(n.name.name)
        args_t = [self.expr(a) for a in raw]
        if direct:
            name = n.name.name
            ct = self.lookup(name) or UNKNOWN
            fn_expr = None
        else:
            fn_expr, ct = self.expr(n.name)
            name = render(fn_expr)
        ft = function_type(ct)
        args = []
        for i, (a, _) in enumerate(args_t):
            if ft is not None and ft.params is not None and i < len(ft.params):
                a = _convert(a, ft.params[i])
            args.append(a)
        if name in TRANSPARENT_CALLS and args:
            first, t = args_t[0]
            return strip_not_not(first), t
        rt = call_result(ct) if ct.kind != "unknown" else (UNKNOWN if not direct else INT)
        return Call(name, unevaluated(name, tuple(args)), self.loc(n), rt.is_ptr, not direct,
                    fn_expr, rt.kind == "bool", rt.kind == "uint",
                    direct and name in self.env.noreturn), rt

    def offsetof(self, n: c_ast.FuncCall) -> tuple[Expr, CType]:
        """``offsetof(T, m)``: libclang shows the type and the member reference, not a value."""
        typ, designator = n.args.exprs[0], n.args.exprs[-1]
        t = self.env.resolve(typ)
        first: Expr = Other("type_ref")  # typeof(*pos) too: its expression is not evaluated
        fields = designator
        names: list[str] = []
        while isinstance(fields, c_ast.StructRef):
            names.append(fields.field.name)
            fields = fields.name
        if isinstance(fields, c_ast.ID):
            names.append(fields.name)
        ft = t
        for name in reversed(names):
            ft = self.env.field_type(ft, name)
        member = ".".join(reversed(names))
        return Other("", (first, Other(OFFSETOF_MEMBER + member, (), ft.is_ptr))), INT

    def stmt_expr(self, n: c_ast.Compound) -> tuple[Expr, CType]:
        """GNU ``({ ...; value; })``."""
        items = n.block_items or []
        self.scopes.append({})
        try:
            body = [self.stmt(x) for x in items[:-1]]
            last = items[-1] if items else None
            if last is not None and not isinstance(last, _STATEMENTS):
                value, t = self.expr(last)
                return sx.StmtExpr(tuple(body), value, t.is_ptr), t
            if isinstance(last, c_ast.Label) and last.stmt is not None and \
                    not isinstance(last.stmt, _STATEMENTS):
                # ({ ... goto __out; ... __out: __ret; }): the label, then the value
                body.append(sx.SLabel(self.loc(last), last.name, None))
                value, t = self.expr(last.stmt)
                return sx.StmtExpr(tuple(body), value, t.is_ptr), t
            if last is not None:
                body.append(self.stmt(last))
            return sx.StmtExpr(tuple(body), None, False), CType("void")
        finally:
            self.scopes.pop()


def _unplaced(x: object) -> object:
    """A comparable form of a lowered expression without its source positions: two
    expansions of one macro argument differ only there."""
    if isinstance(x, Loc):
        return None
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return (type(x).__name__, *(_unplaced(getattr(x, f.name)) for f in dataclasses.fields(x)))
    if isinstance(x, (list, tuple)):
        return tuple(_unplaced(i) for i in x)
    return x


def _convert(e: Expr, t: CType) -> Expr:
    """clang's implicit conversion of an integer constant (a null pointer) to a pointer type."""
    if isinstance(e, Const) and not e.ptr and t.is_ptr:
        return Const(e.value, ptr=True)
    return e
