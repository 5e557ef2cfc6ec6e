"""Loading libclang, and the few C entry points the Python bindings do not wrap.

Everything ctypes-level lives here, so the rest of the frontend reads like
ordinary Python. A libclang that cannot be loaded raises ``LibclangError``
with a one-line reason (the CLI prints it; no traceback). The environment
variable ``KUNWIND_LIBCLANG`` names a libclang shared library to load instead
of the one the ``libclang`` wheel ships.
"""

from __future__ import annotations

import ctypes
import os
from functools import cache
from typing import Any


class LibclangError(Exception):
    """libclang (the shared library or its Python bindings) is missing or unloadable."""


BINARY_OPS = {
    1: ".*", 2: "->*", 3: "*", 4: "/", 5: "%", 6: "+", 7: "-", 8: "<<", 9: ">>",
    10: "<=>", 11: "<", 12: ">", 13: "<=", 14: ">=", 15: "==", 16: "!=", 17: "&",
    18: "^", 19: "|", 20: "&&", 21: "||", 22: "=", 23: "*=", 24: "/=", 25: "%=",
    26: "+=", 27: "-=", 28: "<<=", 29: ">>=", 30: "&=", 31: "^=", 32: "|=", 33: ",",
}
UNARY_OPS = {
    1: "post++", 2: "post--", 3: "++", 4: "--", 5: "&", 6: "*", 7: "+", 8: "-",
    9: "~", 10: "!", 11: "__real", 12: "__imag", 13: "__extension__", 14: "co_await",
}


@cache
def cindex() -> Any:
    """The ``clang.cindex`` module with its library loaded and our extras declared."""
    try:
        import clang.cindex as ci
    except ImportError as exc:
        raise LibclangError(f"the libclang Python bindings are not installed ({exc})") from exc
    path = os.environ.get("KUNWIND_LIBCLANG")  # a libclang.so other than the wheel's
    if path and not ci.Config.loaded:
        ci.Config.set_library_file(path)
    try:
        lib = ci.conf.lib
    except Exception as exc:  # LibclangError of the bindings, OSError...
        why = str(exc).splitlines()[0].split(". To provide a path")[0].split(". Please")[0]
        raise LibclangError(f"libclang could not be loaded: {why} (KUNWIND_LIBCLANG names "
                            "the libclang shared library to use)") from exc
    cursor = ci.Cursor
    lib.clang_getCursorBinaryOperatorKind.argtypes = [cursor]
    lib.clang_getCursorBinaryOperatorKind.restype = ctypes.c_uint
    lib.clang_getCursorUnaryOperatorKind.argtypes = [cursor]
    lib.clang_getCursorUnaryOperatorKind.restype = ctypes.c_uint
    lib.clang_Location_isFromMainFile.argtypes = [ci.SourceLocation]
    lib.clang_Location_isFromMainFile.restype = ctypes.c_int
    lib.clang_Cursor_Evaluate.argtypes = [cursor]
    lib.clang_Cursor_Evaluate.restype = ctypes.c_void_p
    lib.clang_EvalResult_getKind.argtypes = [ctypes.c_void_p]
    lib.clang_EvalResult_getKind.restype = ctypes.c_int
    lib.clang_EvalResult_getAsLongLong.argtypes = [ctypes.c_void_p]
    lib.clang_EvalResult_getAsLongLong.restype = ctypes.c_longlong
    lib.clang_EvalResult_dispose.argtypes = [ctypes.c_void_p]
    lib.clang_EvalResult_dispose.restype = None
    lib.clang_Cursor_getVarDeclInitializer.argtypes = [cursor]
    lib.clang_Cursor_getVarDeclInitializer.restype = cursor
    lib.clang_Cursor_getVarDeclInitializer.errcheck = _null_cursor_to_none
    lib.clang_Cursor_getStorageClass.argtypes = [cursor]
    lib.clang_Cursor_getStorageClass.restype = ctypes.c_int
    lib.clang_getSkippedRanges.argtypes = [ci.TranslationUnit, ci.File]
    lib.clang_getSkippedRanges.restype = ctypes.POINTER(_SourceRangeList)
    lib.clang_disposeSourceRangeList.argtypes = [ctypes.POINTER(_SourceRangeList)]
    lib.clang_disposeSourceRangeList.restype = None
    return ci


class _SourceRangeList(ctypes.Structure):
    # CXSourceRange is two pointers and two unsigned ints: laid out as the bindings'
    # SourceRange, which is only known once the bindings are imported
    _fields_ = [("count", ctypes.c_uint), ("ranges", ctypes.c_void_p)]


def skipped_lines(tu: Any, name: str) -> list[tuple[int, int]]:
    """The line ranges of file ``name`` that the preprocessor skipped (an ``#if`` that
    is false). Needs a TU parsed with ``DETAILED_PREPROCESSING_RECORD``."""
    ci = cindex()
    f = tu.get_file(name)
    found = lib().clang_getSkippedRanges(tu, f)
    if not found:
        return []
    try:
        n = found.contents.count
        ranges = ctypes.cast(found.contents.ranges, ctypes.POINTER(ci.SourceRange))
        return [(ranges[i].start.line, ranges[i].end.line) for i in range(n)]
    finally:
        lib().clang_disposeSourceRangeList(found)


def _null_cursor_to_none(result, func, args):
    if result is None or result.kind.is_invalid():
        return None
    result._tu = args[0]._tu
    return result


def lib() -> Any:
    return cindex().conf.lib


def binary_op(cursor: Any) -> str:
    return BINARY_OPS.get(lib().clang_getCursorBinaryOperatorKind(cursor), "?")


def unary_op(cursor: Any) -> str:
    return UNARY_OPS.get(lib().clang_getCursorUnaryOperatorKind(cursor), "?")


def evaluate_int(cursor: Any) -> int | None:
    """The integer value of a constant expression cursor, or None."""
    res = lib().clang_Cursor_Evaluate(cursor)
    if not res:
        return None
    try:
        if lib().clang_EvalResult_getKind(res) != 1:  # CXEval_Int
            return None
        return int(lib().clang_EvalResult_getAsLongLong(res))
    finally:
        lib().clang_EvalResult_dispose(res)


def var_initializer(cursor: Any) -> Any | None:
    return lib().clang_Cursor_getVarDeclInitializer(cursor)


def is_static(cursor: Any) -> bool:
    return lib().clang_Cursor_getStorageClass(cursor) == 3  # CX_SC_Static
