"""A tree's own options in one file, ``.kunwind.toml`` at its root, read by every command.

``kunwind check`` (and so the pre-commit hooks, which run it), ``kunwind cfg``,
``kunwind baseline`` and ``kunwind-cc`` look for the file from the first path
they are given (else the current directory) upwards, so that a developer's
command line and the hook agree::

    # .kunwind.toml
    arch = "x86"
    defconfig = "x86_64_defconfig"     # or: config = "my.config" (a .config)
    knowledge = ["tools/kunwind/foo.toml"]
    rules = ["KU001", "KU002", "KU003"]
    exclude = ["drivers/staging/*", "samples/*"]
    clang_args = ["-DFOO_DEBUG"]

Paths in it are relative to its directory, and so are the ``exclude``
patterns (``fnmatch``: ``*`` also matches ``/``). An option given on the
command line wins over the file; ``knowledge``, ``clang_args`` and
``exclude`` add to it. An unknown key or a value of the wrong type is a usage
error naming the file and the line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kunwind.config import UsageError
from kunwind.knowledge import KnowledgeError
from kunwind.knowledge.loader import read_toml

FILE_NAME = ".kunwind.toml"
# key -> (type of its value, of its items for a list)
KEYS: dict[str, tuple[type, type | None]] = {
    "arch": (str, None), "config": (str, None), "defconfig": (str, None),
    "unbuilt": (str, None), "knowledge": (list, str), "rules": (list, str),
    "experimental": (bool, None), "exclude": (list, str), "clang_args": (list, str),
}


@dataclass
class Project:
    """The options of ``.kunwind.toml``; ``path`` None when there is none."""

    path: Path | None = None
    values: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str) -> Any:
        return self.values.get(key)

    def path_of(self, key: str) -> Path | None:
        """A path option, relative to the file's directory."""
        value = self.values.get(key)
        if value is None or self.path is None:
            return None
        return self.path.parent / value

    def paths_of(self, key: str) -> list[Path]:
        if self.path is None:
            return []
        return [self.path.parent / v for v in self.values.get(key, [])]

    @property
    def root(self) -> Path | None:
        return self.path.parent if self.path is not None else None


def find_project(start: Path) -> Path | None:
    """The ``.kunwind.toml`` of ``start``'s directory or the nearest one above it."""
    here = start.resolve()
    if not here.is_dir():
        here = here.parent
    for d in (here, *here.parents):
        candidate = d / FILE_NAME
        if candidate.is_file():
            return candidate
    return None


def load_project(start: Path) -> Project:
    """The project file that applies to ``start`` (an empty ``Project`` when none does)."""
    path = find_project(start)
    if path is None:
        return Project()
    try:
        text, data = read_toml(path)
    except KnowledgeError as exc:
        raise UsageError(str(exc)) from None
    for key, value in data.items():
        where = f"{path}:{_line_of(text, key)}"
        if key not in KEYS:
            raise UsageError(f"{where}: unknown key {key!r} (known: {', '.join(KEYS)})")
        kind, item = KEYS[key]
        if not isinstance(value, kind) or (item is not None and isinstance(value, list) and
                                           not all(isinstance(v, item) for v in value)):
            what = f"a list of {item.__name__}" if item is not None else kind.__name__
            raise UsageError(f"{where}: {key} must be {what}")
    return Project(path, data)


def _line_of(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if line.split("=", 1)[0].strip() == key:
            return number
    return 0
