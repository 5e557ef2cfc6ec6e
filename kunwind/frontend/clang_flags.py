"""Ask the loaded libclang what it accepts: driver flags, C snippets, its own version.

Everything is answered by parsing an in-memory file with libclang; no
compiler or shell is ever run. Answers are cached per process.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager

from clang import cindex

_FILE = "kunwind-probe.c"


@contextmanager
def _quiet_stderr() -> Iterator[None]:
    """libclang prints some driver diagnostics straight to fd 2: hide them while probing."""
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _errors(args: list[str], code: str = "") -> list[str]:
    index = cindex.Index.create()
    with _quiet_stderr():
        tu = index.parse(_FILE, args=args, unsaved_files=[(_FILE, code)])
    errors = [d.spelling for d in tu.diagnostics if d.severity >= cindex.Diagnostic.Error]
    del tu
    return errors


@functools.lru_cache(maxsize=4096)
def accepts(flags: tuple[str, ...], context: tuple[str, ...] = ()) -> bool:
    """True when libclang takes ``flags`` (after ``context``, e.g. a --target) without error.

    ``-Werror`` is added, as the kernel's ``cc-option`` does, so a flag that is
    only "unused" or "not supported" counts as rejected. A syntax-only parse
    never looks at ``-mllvm`` options: they are left out and assumed known.
    """
    checked: list[str] = []
    skip = False
    for flag in flags:
        if skip or flag == "-mllvm":
            skip = not skip
            continue
        checked.append(flag)
    return not _errors([*context, "-Werror", *checked])


@functools.lru_cache(maxsize=256)
def compiles(code: str, flags: tuple[str, ...] = ()) -> bool:
    """True when the C snippet ``code`` parses without error under ``flags``."""
    return not _errors([*flags, "-x", "c"], code)


@functools.lru_cache(maxsize=1)
def version() -> tuple[int, int, int]:
    """The (major, minor, patch) version of the loaded libclang."""
    code = (
        "enum { kunwind_major = __clang_major__, kunwind_minor = __clang_minor__,"
        " kunwind_patch = __clang_patchlevel__ };\n"
    )
    index = cindex.Index.create()
    tu = index.parse(_FILE, args=["-x", "c"], unsaved_files=[(_FILE, code)])
    values = {}
    for enum in tu.cursor.get_children():
        for const in enum.get_children():
            values[const.spelling] = const.enum_value
    del tu
    return (values["kunwind_major"], values["kunwind_minor"], values["kunwind_patch"])


def version_code() -> int:
    """The version in the kernel's 5/6-digit form (18.1.1 -> 180101)."""
    major, minor, patch = version()
    return major * 10000 + minor * 100 + patch
