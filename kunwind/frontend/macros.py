"""Function-like macros read from the source text, for what the frontends do not keep.

A cleanup attribute that a subsystem macro writes (``BTRFS_PATH_AUTO_FREE(path)``
declares ``path`` with ``__free(btrfs_free_path)``) is at the macro's use in the
main file; the function it names is in the macro's body. Neither libclang
(without a detailed preprocessing record) nor pycparser (after cpp) keeps
macro definitions, so the frontends read them here from the files' text.
"""

from __future__ import annotations

import re
from pathlib import Path

# A use of a function-like macro as the whole of a text: NAME(args), maybe with its ';'
MACRO_USE = re.compile(r"\s*([A-Za-z_]\w*)\s*\(([^()]*)\)\s*;?\s*$")

Definition = tuple[list[str], str]  # parameters, body


def macro_definition(data: bytes, name: str) -> Definition | None:
    """``#define name(...)`` in ``data``: its parameters and body, continuation
    lines joined; None when ``data`` has none."""
    if name.encode() not in data:
        return None
    pattern = re.compile(rb"^[ \t]*#[ \t]*define[ \t]+" + re.escape(name.encode())
                         + rb"\(([^)]*)\)((?:[^\n]*\\\n)*[^\n]*)", re.M)
    m = pattern.search(data)
    if m is None:
        return None
    params = [x.strip() for x in m.group(1).decode("latin-1").split(",")]
    return params, m.group(2).decode("latin-1").replace("\\\n", " ")


def macro_definition_in(files: list[str], name: str) -> Definition | None:
    """``macro_definition`` in the first of ``files`` that defines ``name``."""
    for f in files:
        try:
            data = Path(f).read_bytes()
        except OSError:
            continue
        found = macro_definition(data, name)
        if found is not None:
            return found
    return None


def expand(definition: Definition, args: str) -> str:
    """The body of a macro use with arguments ``args`` (as written, no nested
    parentheses): each parameter replaced by its argument."""
    params, body = definition
    values = [x.strip() for x in args.split(",")]
    if len(values) == len(params):
        for p, v in zip(params, values, strict=True):
            body = re.sub(rf"(?<![\w#]){re.escape(p)}(?!\w)", v.replace("\\", r"\\"), body)
    return body
