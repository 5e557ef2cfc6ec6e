"""Where each function of a kernel tree is defined: the symbol index.

The index maps a function name to the ``.c`` files that define it with
external linkage (``static`` ones are the file's own business). It is found
by reading the sources, not by parsing them: a definition is a line that
starts with a declaration and ends, after its parameter list, with ``{``.
That finds the kernel's definitions written in its style (the return type
on the same line or the line before, parameters over several lines); it
misses definitions made by a macro (``SYSCALL_DEFINE3()``), which have no
summary to give anyway.

Reading a whole tree takes tens of seconds, so the index is stored in the
cache directory and used again while no directory of the tree changed (a
file created, removed or renamed, which includes editors that save through
a rename). It only says where to look: what a function does comes from
parsing the file it names (``kunwind.external``), keyed by that file's
content, so a stale index can miss a definition but never give a wrong
summary.

Only the chosen architecture's ``arch/`` directory is read, and none of the
directories that hold user-space programs and build tools.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from kunwind.storage import write_json

INDEX_FORMAT = 1
# user-space programs and build tools: their functions are not the kernel's
NOT_KERNEL = frozenset({"tools", "scripts", "samples", "Documentation", "usr"})
DEFINITION = re.compile(
    rb"^(?!static\b|typedef\b|extern\b)[A-Za-z_][\w \t*]*?\b([A-Za-z_]\w*)"
    rb"\((?:[^;{}()]|\([^;{}()]*\))*\)\s*\{", re.M)
# more definitions than this for one name (per-arch or per-driver copies of a
# weak default): the name says nothing about which one is called
MAX_DEFINITIONS = 4


@dataclass(frozen=True)
class SymbolIndex:
    root: Path
    where: dict[str, tuple[str, ...]]  # name -> files (relative to root)

    def defining_file(self, name: str, near: str) -> Path | None:
        """The file that defines ``name`` for a caller in ``near`` (relative to the
        root): the only one, else the one that shares the longest directory with
        the caller; None when unknown or ambiguous."""
        files = self.where.get(name, ())
        if not files or len(files) > MAX_DEFINITIONS:
            return None
        if len(files) == 1:
            return self.root / files[0]
        caller = Path(near).parent.parts
        ranked = sorted(files, key=lambda f: -_shared(Path(f).parent.parts, caller))
        best, second = ranked[0], ranked[1]
        if _shared(Path(best).parent.parts, caller) == _shared(Path(second).parent.parts, caller):
            return None  # two equally close definitions: which one links is not known
        return self.root / best


def _shared(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _sources(root: Path, srcarch: str) -> tuple[list[Path], list[int]]:
    """The tree's kernel ``.c`` files, and the stamp of the directories holding them
    (their number and newest mtime)."""
    out: list[Path] = []
    dirs, newest = 0, 0
    for top in sorted(root.iterdir()):
        if not top.is_dir() or top.name in NOT_KERNEL or top.name.startswith("."):
            continue
        if top.name == "arch":
            top = top / srcarch
            if not top.is_dir():
                continue
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames.sort()
            dirs += 1
            try:
                newest = max(newest, os.stat(dirpath).st_mtime_ns)
            except OSError:
                pass
            out.extend(Path(dirpath) / f for f in sorted(filenames) if f.endswith(".c"))
    return out, [dirs, newest]


def build_index(root: Path, srcarch: str, files: list[Path] | None = None) -> SymbolIndex:
    where: dict[str, list[str]] = {}
    for f in files if files is not None else _sources(root, srcarch)[0]:
        try:
            text = f.read_bytes()
        except OSError:
            continue
        rel = f.relative_to(root).as_posix()
        for m in DEFINITION.finditer(text):
            name = m.group(1).decode("latin-1")
            files_of = where.setdefault(name, [])
            if rel not in files_of:
                files_of.append(rel)
    return SymbolIndex(root, {k: tuple(v) for k, v in where.items()})


_INDEXES: dict[tuple[Path, str], SymbolIndex] = {}


def symbol_index(root: Path, srcarch: str, cache_dir: Path | None) -> SymbolIndex:
    """The index of the tree at ``root``: from this process's memory, from
    ``cache_dir`` while the tree's ``.c`` files are unchanged in number and newest
    mtime, or read from the sources (and stored)."""
    root = root.resolve()
    key = (root, srcarch)
    found = _INDEXES.get(key)
    if found is not None:
        return found
    files, stamp = _sources(root, srcarch)
    entry = None
    if cache_dir is not None:
        name = hashlib.sha256(f"{root}\0{srcarch}".encode()).hexdigest()[:24]
        entry = cache_dir / f"{name}.json"
        try:
            data = json.loads(entry.read_text())
            if data.get("format") == INDEX_FORMAT and data.get("stamp") == stamp:
                found = SymbolIndex(root, {k: tuple(v) for k, v in data["where"].items()})
        except (OSError, ValueError, KeyError, AttributeError):
            found = None
    if found is None:
        found = build_index(root, srcarch, files)
        if entry is not None:
            write_json(entry, {"format": INDEX_FORMAT, "stamp": stamp,
                           "where": {k: list(v) for k, v in found.where.items()}})
    _INDEXES[key] = found
    return found
