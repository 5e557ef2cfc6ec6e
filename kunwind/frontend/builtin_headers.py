"""The compiler's own headers (<stddef.h>, <stdarg.h>, <stdint.h>...) for a standalone file.

The libclang wheel ships no compiler headers: with it, a file outside a kernel
tree that includes <stddef.h> does not parse. (A kernel tree needs none: it
is parsed with ``-nostdinc`` and its own headers.) ``builtin_headers`` finds a
resource directory (one whose ``include/`` holds them) once per process:

1. ``$KUNWIND_RESOURCE_DIR``: that directory, or ``kunwind`` for kunwind's own set;
2. none needed when the loaded libclang finds <stddef.h> by itself;
3. a clang on ``PATH``: ``clang -print-resource-dir``;
4. gcc on ``PATH``: the parent of ``gcc -print-file-name=include``;
5. kunwind's own minimal freestanding set (``resource/include`` next to this
   module: stddef.h, stdarg.h, stdbool.h, stdint.h, limits.h, float.h,
   stdalign.h, stdnoreturn.h), written on clang's predefined macros; its
   stdint.h and limits.h defer to the C library's when there is one.

Only the two commands above are run, from ``PATH``, with a timeout; nothing
of the analysed files is ever executed.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from . import clang_flags, clang_lib

OWN = Path(__file__).resolve().parent / "resource"  # kunwind's own set, in OWN/include
ENV = "KUNWIND_RESOURCE_DIR"


@dataclass(frozen=True)
class BuiltinHeaders:
    """Where the compiler headers come from, and the clang arguments that use them."""

    resource_dir: Path | None  # None: the loaded libclang has its own
    origin: str  # "libclang", "clang", "gcc", "kunwind" or "$KUNWIND_RESOURCE_DIR"

    def args(self) -> list[str]:
        return [] if self.resource_dir is None else ["-resource-dir", str(self.resource_dir)]


def _holds_headers(resource_dir: Path) -> bool:
    return (resource_dir / "include" / "stddef.h").is_file()


def _run(argv: list[str]) -> str:
    """The first line of a command's output, "" if it cannot be run or fails."""
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=20, check=False,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return ""
    lines = proc.stdout.splitlines() if proc.returncode == 0 else []
    return lines[0].strip() if lines else ""


def clang_resource_dir() -> Path | None:
    """The resource directory of a clang on PATH, if it holds the headers."""
    clang = shutil.which("clang")
    found = Path(_run([clang, "-print-resource-dir"])) if clang else None
    return found if found is not None and found.is_absolute() and _holds_headers(found) else None


def gcc_resource_dir() -> Path | None:
    """The parent of gcc's own include directory, if gcc is on PATH and has one."""
    gcc = shutil.which("gcc")
    include = Path(_run([gcc, "-print-file-name=include"])) if gcc else None
    if include is None or not include.is_absolute():  # gcc prints "include" when it has none
        return None
    return include.parent if _holds_headers(include.parent) else None


def libclang_has_headers() -> bool:
    """Does the loaded libclang find <stddef.h> without help (a system libclang does)?"""
    clang_lib.cindex()  # load the library $KUNWIND_LIBCLANG names before asking it
    return clang_flags.compiles("#include <stddef.h>\n")


@functools.lru_cache(maxsize=1)
def builtin_headers() -> BuiltinHeaders:
    """The compiler headers to parse a standalone file with (see the module's docstring)."""
    forced = os.environ.get(ENV, "")
    if forced == "kunwind":
        return BuiltinHeaders(OWN, "kunwind")
    if forced:
        return BuiltinHeaders(Path(forced), f"${ENV}")
    if libclang_has_headers():
        return BuiltinHeaders(None, "libclang")
    for origin, probe in (("clang", clang_resource_dir), ("gcc", gcc_resource_dir)):
        found = probe()
        if found is not None:
            return BuiltinHeaders(found, origin)
    return BuiltinHeaders(OWN, "kunwind")
