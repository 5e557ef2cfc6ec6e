"""Parse one C file with libclang and lower the functions defined in it.

Returns the functions of the main file as structured syntax, plus what went
wrong: a fatal error (the file failed), and per function whether an error
diagnostic falls inside it (clang silently drops statements it cannot
resolve, so such a function is reported as not fully analysed, never
analysed as if whole).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kunwind.model.syntax import FunctionSyntax

from . import clang_lib as cl
from .clang_lower import Lowerer

KEEP_GOING = 0x200  # CXTranslationUnit_KeepGoing, not named in the bindings
# Flags every parse gets: report every error (the default stops at 20, which
# would hide the errors that make a function untrustworthy).
BASE_ARGS = ["-ferror-limit=0", "-Wno-everything"]


@dataclass
class ParsedFunction:
    syntax: FunctionSyntax | None
    name: str
    line: int
    errors: list[str] = field(default_factory=list)  # "line:col: message"
    lower_error: str = ""


@dataclass
class ParsedFile:
    functions: list[ParsedFunction] = field(default_factory=list)
    fatal: str = ""  # non-empty: the file could not be parsed
    errors: list[str] = field(default_factory=list)  # errors outside any function
    text: bytes = b""


def parse_file(path: Path, args: list[str], text: bytes | None = None) -> ParsedFile:
    """Parse ``path`` (or ``text`` as its contents) with clang arguments ``args``."""
    ci = cl.cindex()
    out = ParsedFile()
    if text is None:
        text = path.read_bytes()
    out.text = text
    name = str(path)
    try:
        tu = ci.Index.create().parse(
            name,
            args=[*args, *BASE_ARGS],
            unsaved_files=[(name, text)],
            options=KEEP_GOING,
        )
    except ci.TranslationUnitLoadError as exc:
        out.fatal = f"libclang could not parse the file ({exc})"
        return out

    main_errors: list[tuple[int, int, str]] = []
    for d in tu.diagnostics:
        if d.severity < 3:  # below Error
            continue
        loc = d.location
        in_main = loc.file is not None and loc.file.name == name
        text_ = d.spelling
        if d.severity >= 4 and not out.fatal:  # Fatal
            where = f"{loc.file.name}:{loc.line}: " if loc.file is not None and not in_main else ""
            out.fatal = f"{where}{text_}"
        if in_main:
            main_errors.append((loc.line, loc.column, text_))
        elif not out.fatal:
            out.errors.append(
                f"{loc.file.name if loc.file else '?'}:{loc.line}: {text_}"
            )

    lower = Lowerer()
    K = ci.CursorKind
    for c in tu.cursor.get_children():
        if c.kind != K.FUNCTION_DECL or not cl.in_main_file(c) or not c.is_definition():
            continue
        start, end = c.extent.start.line, c.extent.end.line
        errs = [f"{ln}:{col}: {msg}" for ln, col, msg in main_errors if start <= ln <= end]
        pf = ParsedFunction(None, c.spelling, c.location.line, errs)
        if not errs:
            try:
                pf.syntax = lower.function(c)
            except RecursionError:
                pf.lower_error = "nested too deeply to lower"
            except Exception as exc:  # a lowering bug must not lose the other functions
                pf.lower_error = f"internal error while lowering: {exc!r}"
        out.functions.append(pf)
    inside = {e for f in out.functions for e in f.errors}
    for ln, col, msg in main_errors:
        if f"{ln}:{col}: {msg}" not in inside:
            out.errors.append(f"{name}:{ln}:{col}: {msg}")
    del tu
    return out
