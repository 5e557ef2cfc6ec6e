"""Parse one C file with libclang and lower the functions defined in it.

Returns the functions of the main file as structured syntax, plus what went
wrong: a fatal error (the file failed), and per function whether an error
diagnostic falls inside it (clang silently drops statements it cannot
resolve, so such a function is reported as not fully analysed, never
analysed as if whole).
"""

from __future__ import annotations

import functools
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kunwind.model.limits import NestingTooDeep
from kunwind.model.syntax import FunctionSyntax

from . import clang_lib as cl
from .clang_lower import Lowerer, callback_tables
from .pure import pure_functions
from .skipped import SkippedCode, skipped_code

KEEP_GOING = 0x200  # CXTranslationUnit_KeepGoing, not named in the bindings
# CXTranslationUnit_DetailedPreprocessingRecord: clang keeps the ranges that an #if
# left out, so that the functions defined there can be named as not analysed. Asked
# for only where that is wanted (``skipped=True``): every macro of every header then
# becomes a cursor of the TU, which costs about a quarter of the lowering's time.
DETAILED_PREPROCESSING_RECORD = 0x1
# PrecompiledPreamble | CreatePreambleOnFirstParse: the headers included at the
# top of the file are parsed into a preamble (a PCH kept with the TU) on the
# first parse, which a reparse of the same file with other contents reuses.
PREAMBLE = 0x4 | 0x100
# SkipFunctionBodies | LimitSkipFunctionBodiesToPreamble: the bodies of the
# functions defined in the preamble's headers (static inline) are not parsed;
# the main file's are. kunwind never reads a header function's body.
SKIP_PREAMBLE_BODIES = 0x40 | 0x800
# What parse_file uses; inside reusing_parses, with PREAMBLE | SKIP_PREAMBLE_BODIES.
# bench/parse_options.py measures the options: for a one-shot parse, the
# preamble's cost and its savings (header bodies skipped) about cancel out.
# a header function longer than this is not summarised (most are short wrappers:
# foo_put() over kref_put(), acpi_dev_put() over put_device())
HELPER_LINES = 25
HELPER_DEPTH = 3  # header helpers of header helpers... summarised below a file's functions
PARSE_OPTIONS = KEEP_GOING
# Flags every parse gets: report every error (the default stops at 20, which
# would hide the errors that make a function untrustworthy).
BASE_ARGS = ["-ferror-limit=0", "-Wno-everything"]
_NOT_FOUND = re.compile(r"^'(.+)' file not found")  # clang's err_pp_file_not_found


@dataclass
class ParsedFunction:
    syntax: FunctionSyntax | None
    name: str
    line: int
    errors: list[str] = field(default_factory=list)  # "line:col: message"
    lower_error: str = ""
    end_line: int = 0  # its last line (0: not known)


@dataclass
class ParsedFile:
    functions: list[ParsedFunction] = field(default_factory=list)
    fatal: str = ""  # non-empty: the file could not be parsed
    errors: list[str] = field(default_factory=list)  # errors outside any function
    text: bytes = b""
    parse_seconds: float = 0.0  # libclang's parse alone
    lower_seconds: float = 0.0  # our walk of the main file's function cursors
    includes: list[str] = field(default_factory=list)  # headers read (the results cache)
    skipped: list[SkippedCode] = field(default_factory=list)  # left out by an #if
    missing_headers: list[str] = field(default_factory=list)  # #include names not found
    # the functions the file tests the result of whose body (in it or in a header) is pure
    # (frontend.pure): name -> whether they read memory through a pointer
    pure: dict[str, bool] = field(default_factory=dict)
    # short functions a header defines (static inline) that the file calls and the
    # caller asked for (``helpers``): summarised like the file's own, never checked
    helpers: list[ParsedFunction] = field(default_factory=list)
    # the file's structs of function pointers (clang_lower.callback_tables): variable ->
    # (its struct's name, member -> the function it names)
    tables: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)


_REUSE: dict[tuple[str, tuple[str, ...], int], Any] | None = None  # see reusing_parses


@contextmanager
def reusing_parses() -> Iterator[None]:
    """Within the block, parsing a file again with the same arguments reuses its first TU.

    Inside, files are parsed with a precompiled preamble (the headers
    included at the top, their function bodies skipped), and a second parse
    is a reparse against it: on mm/, libclang's part drops to ~10% and parse
    + walk to 30-45% of a one-shot parse (the walk gets dearer: declarations
    are read back from the preamble); the first parse costs about what a
    one-shot one does (bench/parse_options.py). A change to the leading
    ``#include`` lines makes clang rebuild the preamble. Names clang numbers
    with ``__COUNTER__`` (``__UNIQUE_ID_*``) restart after the preamble, so
    they differ from a one-shot parse's, alike in both versions. Meant for
    ``kunwind check --diff``, which parses the new and the old version of a
    changed file. The TUs (~100 MiB each) are kept until the block ends.
    """
    global _REUSE
    outer, _REUSE = _REUSE, {}
    try:
        yield
    finally:
        _REUSE = outer


def _translation_unit(ci: Any, name: str, args: list[str], text: bytes, options: int) -> Any:
    """A parsed TU of ``text`` as ``name``: a reparse inside ``reusing_parses``, when possible."""
    if _REUSE is None:
        return ci.Index.create().parse(name, args=args, unsaved_files=[(name, text)],
                                       options=options)
    options |= PREAMBLE | SKIP_PREAMBLE_BODIES
    key = (name, tuple(args), options)
    tu = _REUSE.pop(key, None)  # put back only when the reparse worked
    if tu is not None:
        tu.reparse(unsaved_files=[(name, text)])
    else:
        tu = ci.Index.create().parse(name, args=args, unsaved_files=[(name, text)],
                                     options=options)
    _REUSE[key] = tu
    return tu


def lower_into(pf: ParsedFunction, lower: Callable[[], FunctionSyntax]) -> None:
    """Lower one function into ``pf``; any failure becomes its ``lower_error``."""
    try:
        pf.syntax = lower()
    except NestingTooDeep as exc:
        pf.lower_error = str(exc)
    except RecursionError:
        pf.lower_error = "nested too deeply to lower"
    except Exception as exc:  # a lowering bug must not lose the other functions
        pf.lower_error = f"internal error while lowering: {exc!r}"


def header_helpers(lower: Lowerer, wanted: Callable[[str], bool],
                   defined: set[str]) -> list[ParsedFunction]:
    """The functions the file calls that a header defines in at most ``HELPER_LINES``
    lines (``static inline void foo_put(struct foo *f) { kref_put(...); }``) and
    ``wanted`` accepts, lowered for their summaries."""
    out: list[ParsedFunction] = []
    lower.text = ""  # offsets in a header are not the main file's (asm goto labels)
    seen = set(defined)
    # lowering a helper adds its callees: those of the file's helpers are helpers too
    # (``i915_gem_object_put()`` calls ``__drm_gem_object_put()``, which calls
    # ``kref_put()``), up to ``HELPER_DEPTH`` calls below the file's own functions
    depth = {name: 1 for name in lower.called}
    names = list(depth)
    for name in names:  # grows as the helpers are lowered
        ref, level = lower.called[name], depth[name]
        if name in seen or level > HELPER_DEPTH or not wanted(name):
            continue
        seen.add(name)
        d = ref.get_definition()
        if d is None:
            continue
        start, end = d.extent.start.line, d.extent.end.line
        if end - start + 1 > HELPER_LINES:
            continue
        d._tu = ref._tu
        pf = ParsedFunction(None, name, d.location.line, [], end_line=end)
        lower_into(pf, functools.partial(lower.function, d))
        for callee in lower.called:
            if callee not in depth:
                depth[callee] = level + 1
                names.append(callee)
        if pf.syntax is not None:
            out.append(pf)
    return out


def parse_file(path: Path, args: list[str], text: bytes | None = None,
               options: int | None = None, skipped: bool = False,
               helpers: Callable[[str], bool] | None = None) -> ParsedFile:
    """Parse ``path`` (or ``text`` as its contents) with clang arguments ``args``.

    ``options``: libclang's parse options, ``PARSE_OPTIONS`` by default.
    ``skipped``: also find the code an ``#if`` left out (``ParsedFile.skipped``).
    ``helpers``: also lower the short header functions it calls and accepts
    (``ParsedFile.helpers``).
    """
    ci = cl.cindex()
    out = ParsedFile()
    if text is None:
        text = path.read_bytes()
    out.text = text
    # libclang takes UTF-8 names: other bytes in a name become U+FFFD (the text is given in
    # memory; only an include next to a file in such a directory is not found)
    name = os.fsencode(path).decode("utf-8", "replace")
    started = time.perf_counter()
    try:
        options = PARSE_OPTIONS if options is None else options
        if skipped:
            options |= DETAILED_PREPROCESSING_RECORD
        tu = _translation_unit(ci, name, [*args, *BASE_ARGS], text, options)
    except ci.TranslationUnitLoadError as exc:
        out.fatal = f"libclang could not parse the file ({exc})"
        return out

    lowered = time.perf_counter()
    out.parse_seconds = lowered - started
    main_errors: list[tuple[int, int, str]] = []
    for d in tu.diagnostics:
        if d.severity < 3:  # below Error
            continue
        loc = d.location
        in_main = loc.file is not None and loc.file.name == name
        text_ = d.spelling
        missing = _NOT_FOUND.match(text_)
        if missing and missing[1] not in out.missing_headers:
            out.missing_headers.append(missing[1])
        if d.severity >= 4 and not out.fatal:  # Fatal
            where = f"{loc.file.name}:{loc.line}: " if loc.file is not None and not in_main else ""
            out.fatal = f"{where}{text_}"
        if in_main:
            main_errors.append((loc.line, loc.column, text_))
        elif not out.fatal:
            # no file: the command line's (a missing -include, a bad -D)
            out.errors.append(f"{loc.file.name}:{loc.line}: {text_}" if loc.file else text_)

    lower = Lowerer(text)
    for c in lower.native.main_file_functions(tu):
        start, end = c.extent.start.line, c.extent.end.line
        errs = [f"{ln}:{col}: {msg}" for ln, col, msg in main_errors if start <= ln <= end]
        pf = ParsedFunction(None, c.spelling, c.location.line, errs, end_line=end)
        if not errs:
            lower_into(pf, functools.partial(lower.function, c))
        out.functions.append(pf)
    inside = {e for f in out.functions for e in f.errors}
    for ln, col, msg in main_errors:
        if f"{ln}:{col}: {msg}" not in inside:
            out.errors.append(f"{name}:{ln}:{col}: {msg}")
    out.pure = pure_functions(lower.callees)
    out.tables = callback_tables(lower.native.main_vars)
    if helpers is not None:
        out.helpers = header_helpers(lower, helpers, {f.name for f in out.functions})
    if skipped:
        out.skipped = skipped_code(text.decode("latin-1"), cl.skipped_lines(tu, name))
    out.includes = lower.native.included_files(tu)
    if _REUSE is not None:  # a preamble does not list the -include files
        forced = [b for a, b in zip(args, args[1:], strict=False) if a == "-include"]
        out.includes = sorted({*out.includes, *forced})
    del tu
    out.lower_seconds = time.perf_counter() - lowered
    return out
