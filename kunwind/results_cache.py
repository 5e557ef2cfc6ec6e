"""The on-disk cache of per-file results, so a second audit over unchanged files is fast.

An entry is found by a key, and then checked against the files it depends on.

The key is a SHA-256 over everything that decides the result and is known
before the parse: the file's content and reported path, the clang arguments
chosen for it (they hold the kernel tree's generated-header directory, itself
keyed by tree, arch and configuration), the rules asked for, the contents of
the extra knowledge files, the options that change a result (budgets,
naming skipped code), kunwind's version and a hash of kunwind's own source
and knowledge files (so an edited checkout never reuses stale results), the
libclang version, and the environment that changes a parse: the variables
clang reads (``CPATH``, ``C_INCLUDE_PATH``...), ``KUNWIND_LIBCLANG`` with
the size and mtime of the library it names, and ``KUNWIND_RESOURCE_DIR``.

What only the parse knows, the headers it read, is checked at lookup: an
entry records the size and mtime of every included file and of the
directories holding them and the ``-I`` directories (a header created in one
of those directories, which could shadow another, changes the directory's
mtime). Any difference is a miss.

Entries are JSON files ``DIR/ab/abcdef....json``, written through a temporary
file and a rename, so a reader never sees half an entry and parallel runs can
share a directory. Failed files (unparsable, crashed, timed out) are never
stored.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import kunwind
import kunwind.rules

from . import __version__
from .findings import FileResult, Finding, Notice, PairUse, PathStep
from .storage import write_json

CACHE_FORMAT = 3  # bump when an entry's layout changes
# Environment variables that change what a parse sees (clang's include paths and
# driver overrides, the libclang and the compiler headers kunwind uses).
PARSE_ENVIRONMENT = ("CPATH", "C_INCLUDE_PATH", "CPLUS_INCLUDE_PATH", "OBJC_INCLUDE_PATH",
                     "CCC_OVERRIDE_OPTIONS", "KUNWIND_LIBCLANG", "KUNWIND_RESOURCE_DIR")
Stamp = tuple[int, int]  # (mtime_ns, size); (-1, -1): the path is gone


def default_results_dir() -> Path:
    """``$KUNWIND_RESULTS_DIR``, else ``~/.cache/kunwind/results`` (``$XDG_CACHE_HOME``)."""
    if os.environ.get("KUNWIND_RESULTS_DIR"):
        return Path(os.environ["KUNWIND_RESULTS_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kunwind" / "results"


@cache
def code_fingerprint() -> str:
    """A hash of kunwind's source and bundled knowledge files, and libclang's version."""
    h = hashlib.sha256()
    for package in (kunwind, kunwind.rules):
        top = Path(package.__path__[0])
        for p in sorted(top.rglob("*")):
            if p.suffix in (".py", ".toml") and p.is_file():
                h.update(p.relative_to(top).as_posix().encode() + b"\0")
                h.update(hashlib.sha256(p.read_bytes()).digest())
    try:
        h.update(metadata.version("libclang").encode())
    except metadata.PackageNotFoundError:
        pass
    return h.hexdigest()


def parse_environment() -> dict[str, object]:
    """The variables of ``PARSE_ENVIRONMENT`` that are set, and the stamp of the
    libclang that ``KUNWIND_LIBCLANG`` names (a rebuilt library at the same path)."""
    env: dict[str, object] = {k: os.environ[k] for k in PARSE_ENVIRONMENT if k in os.environ}
    lib = os.environ.get("KUNWIND_LIBCLANG")
    if lib:
        try:
            st = os.stat(lib)
            env["libclang stamp"] = [st.st_mtime_ns, st.st_size]
        except OSError:
            env["libclang stamp"] = None
    return env


def entry_key(name: str, source: bytes, args: list[str], rules: list[str] | None,
              knowledge: list[Path], settings: dict[str, object] | None = None) -> str:
    """The cache key of one file's result (see the module docstring); ``settings``: the
    run's options that change a result."""
    parts = {
        "environment": parse_environment(),
        "settings": settings or {},
        "format": CACHE_FORMAT,
        "kunwind": __version__,
        "code": code_fingerprint(),
        "file": name,
        "source": hashlib.sha256(source).hexdigest(),
        "args": args,
        "rules": rules,
        "knowledge": [hashlib.sha256(Path(k).read_bytes()).hexdigest() for k in knowledge],
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


class ResultsCache:
    """Look up and store ``FileResult``s under ``directory``; stats are memoised per run."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._stamps: dict[str, Stamp] = {}

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def _stamp(self, path: str) -> Stamp:
        stamp = self._stamps.get(path)
        if stamp is None:
            try:
                st = os.stat(path)
                stamp = (st.st_mtime_ns, st.st_size)
            except OSError:
                stamp = (-1, -1)
            self._stamps[path] = stamp
        return stamp

    def get(self, key: str) -> FileResult | None:
        """The stored result, or None when absent, unreadable, or a dependency changed."""
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        try:
            for path, mtime, size in entry["deps"]:
                if self._stamp(path) != (mtime, size):
                    return None
            result = result_from_dict(entry["result"])
        except (KeyError, TypeError, ValueError):
            return None
        result.cached = True
        return result

    def put(self, key: str, result: FileResult, args: list[str]) -> None:
        """Store a parsed file's result; failures to write are ignored (it is only a cache)."""
        if not result.parsed or result.failure:
            return
        deps = dependencies(result.includes, args)
        entry = {
            "deps": [[p, *self._stamp(p)] for p in deps],
            "result": result_to_dict(result),
        }
        write_json(self._path(key), entry)


def dependencies(includes: list[str], args: list[str]) -> list[str]:
    """The included files, their directories and the ``-I`` directories, sorted."""
    dirs = {os.path.dirname(p) for p in includes}
    for i, a in enumerate(args):
        if a in ("-I", "-isystem", "-iquote", "-idirafter") and i + 1 < len(args):
            dirs.add(args[i + 1])
        elif a.startswith("-I") and len(a) > 2:
            dirs.add(a[2:])
    return sorted(set(includes) | dirs)


def result_to_dict(result: FileResult) -> dict[str, Any]:
    data = dataclasses.asdict(result)
    for transient in ("includes", "cached", "seconds", "timings"):
        data.pop(transient, None)
    return data


def result_from_dict(data: dict[str, Any]) -> FileResult:
    data = dict(data)
    data["findings"] = [
        Finding(**{**f, "steps": [PathStep(**s) for s in f["steps"]]}) for f in data["findings"]
    ]
    data["notices"] = [Notice(**n) for n in data["notices"]]
    data["pair_uses"] = [PairUse(**u) for u in data.get("pair_uses", [])]
    return FileResult(**data)
