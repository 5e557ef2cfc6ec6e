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
cache directory (an SQLite file: a run looks names up, it loads nothing) and
used again while no directory of the tree changed (a file created, removed
or renamed, which includes editors that save through a rename); that is
checked at most every ``RECHECK_SECONDS``, so a pre-commit hook does not
walk the tree each time. It only says where to look: what a function does comes from
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
import sqlite3
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

INDEX_FORMAT = 2
# user-space programs and build tools: their functions are not the kernel's
NOT_KERNEL = frozenset({"tools", "scripts", "samples", "Documentation", "usr"})
# the declaration before the name: on the name's line (``int foo(``), or alone on the
# line before, the name then starting its line (``int\nfoo(``, the style of many drivers)
_NOT_EXTERNAL = rb"(?!static\b|typedef\b|extern\b)"
DEFINITION = re.compile(
    rb"^" + _NOT_EXTERNAL + rb"(?:[A-Za-z_][\w \t*]*?\b|[A-Za-z_][\w \t*]*\n)"
    rb"([A-Za-z_]\w*)\((?:[^;{}()]|\([^;{}()]*\))*\)\s*\{", re.M)
# more definitions than this for one name (per-arch or per-driver copies of a
# weak default): the name says nothing about which one is called
MAX_DEFINITIONS = 4


@dataclass(frozen=True)
class SymbolIndex:
    root: Path
    where: Mapping[str, tuple[str, ...]]  # name -> files (relative to root)

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
# a stored index younger than this is used without walking the tree to check its
# stamp (a pre-commit hook runs often; a definition added meanwhile is found later)
RECHECK_SECONDS = 600


class _StoredDefinitions(Mapping[str, tuple[str, ...]]):
    """The name -> files table of a stored index, read by name from its SQLite file
    (nothing is loaded up front; one connection per process, opened when needed)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._pid = 0

    def _conn(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():  # not across a fork
            self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            self._pid = os.getpid()
        return self._db

    def __getitem__(self, name: str) -> tuple[str, ...]:
        rows = self._conn().execute("SELECT file FROM defs WHERE name = ? ORDER BY file",
                                    (name,)).fetchall()
        if not rows:
            raise KeyError(name)
        return tuple(r[0] for r in rows)

    def __iter__(self) -> Iterator[str]:
        return (r[0] for r in self._conn().execute("SELECT DISTINCT name FROM defs"))

    def __len__(self) -> int:
        return int(self._conn().execute("SELECT COUNT(DISTINCT name) FROM defs").fetchone()[0])


def symbol_index(root: Path, srcarch: str, cache_dir: Path | None) -> SymbolIndex:
    """The index of the tree at ``root``: from this process's memory, from
    ``cache_dir`` (checked against the tree's directories at most every
    ``RECHECK_SECONDS``), or read from the sources (and stored)."""
    root = root.resolve()
    key = (root, srcarch)
    found = _INDEXES.get(key)
    if found is not None:
        return found
    if cache_dir is None:
        found = build_index(root, srcarch)
    else:
        name = hashlib.sha256(f"{root}\0{srcarch}\0{INDEX_FORMAT}".encode()).hexdigest()[:24]
        found = _stored(root, srcarch, cache_dir / f"{name}.sqlite")
    _INDEXES[key] = found
    return found


def _stored(root: Path, srcarch: str, entry: Path) -> SymbolIndex:
    meta = _meta(entry)
    if meta.get("format") == str(INDEX_FORMAT) and \
            time.time() - float(meta.get("checked", 0)) < RECHECK_SECONDS:
        return SymbolIndex(root, _StoredDefinitions(entry))
    files, stamp = _sources(root, srcarch)
    if meta.get("format") == str(INDEX_FORMAT) and meta.get("stamp") == json.dumps(stamp):
        _write(entry, None, stamp)  # still the tree's: note when it was checked
        return SymbolIndex(root, _StoredDefinitions(entry))
    index = build_index(root, srcarch, files)
    if _write(entry, index, stamp):
        return SymbolIndex(root, _StoredDefinitions(entry))
    return index


def _meta(entry: Path) -> dict[str, str]:
    try:
        db = sqlite3.connect(f"file:{entry}?mode=ro", uri=True)
        try:
            return dict(db.execute("SELECT key, value FROM meta").fetchall())
        finally:
            db.close()
    except sqlite3.Error:
        return {}


def _write(entry: Path, index: SymbolIndex | None, stamp: list[int]) -> bool:
    """Store ``index`` (None: only mark the stored one checked now) through a temporary
    file and a rename; False when the cache cannot be written."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        if index is None:
            db = sqlite3.connect(entry)
            with db:
                db.execute("REPLACE INTO meta VALUES ('checked', ?)", (str(time.time()),))
            db.close()
            return True
        fd, tmp = tempfile.mkstemp(dir=entry.parent, suffix=".sqlite")
        os.close(fd)
        db = sqlite3.connect(tmp)
        with db:
            db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
            db.execute("CREATE TABLE defs (name TEXT, file TEXT)")
            db.executemany("INSERT INTO meta VALUES (?, ?)", [
                ("format", str(INDEX_FORMAT)), ("stamp", json.dumps(stamp)),
                ("checked", str(time.time()))])
            db.executemany("INSERT INTO defs VALUES (?, ?)",
                           [(n, f) for n, files in index.where.items() for f in files])
            db.execute("CREATE INDEX by_name ON defs (name)")
        db.close()
        os.replace(tmp, entry)
        return True
    except (OSError, sqlite3.Error):
        return False
