"""Kernel API knowledge, loaded from the TOML files in ``rules/knowledge/``.

The data says which calls allocate (and whether the result is zeroed, how
they fail), which release what they are given (and whether NULL is fine),
and which teardowns depend on which fields of their argument. Users extend
it with their own TOML file in the same format (``--knowledge FILE``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

KNOWLEDGE_DIR = Path(__file__).parent / "knowledge"

# Kernel macros rename the call clang sees: kmalloc -> kmalloc_noprof (memory
# allocation profiling wrappers). The knowledge is written with the names
# developers write.
_SUFFIXES = re.compile(r"(_noprof|_node_track_caller)$")


class KnowledgeError(Exception):
    """A knowledge file that cannot be read (path and reason)."""


@dataclass
class Acquire:
    name: str
    kind: str = "memory"
    object: str | int = "ret"  # "ret" or the index of the acquired argument
    fails: str = "null"  # null | errptr | negative | zero | never
    held_on_failure: bool = False
    zeroed: bool = False
    release: list[str] = field(default_factory=list)
    evidence: str = ""  # why the entry is believed, when it was learned (rules/learn.py)


@dataclass
class Release:
    name: str
    arg: int = 0
    null_ok: bool = False
    err_ok: bool = False  # an ERR_PTR() is ignored too (IS_ERR_OR_NULL)


@dataclass
class Teardown:
    name: str
    arg: int = 0
    depends: list[str] = field(default_factory=list)


@dataclass
class Knowledge:
    acquires: dict[str, Acquire] = field(default_factory=dict)
    releases: dict[str, Release] = field(default_factory=dict)
    teardowns: dict[str, Teardown] = field(default_factory=dict)
    owners: dict[str, int] = field(default_factory=dict)  # callee -> argument it takes over
    _released_kinds: dict[str, str] | None = field(default=None, repr=False)  # built lazily

    def acquire(self, callee: str) -> Acquire | None:
        return self.acquires.get(callee) or self.acquires.get(canonical(callee))

    def alloc(self, callee: str) -> Acquire | None:
        """A memory allocator: returns a new object whose fields this function fills."""
        a = self.acquire(callee)
        return a if a is not None and a.object == "ret" and a.kind == "memory" else None

    def evidence(self, callee: str) -> str:
        """For messages: ' (learned in this run: ...)' for a learned acquire, else ''."""
        a = self.acquire(callee)
        return f" ({a.evidence})" if a is not None and a.evidence else ""

    def owner_arg(self, callee: str) -> int | None:
        v = self.owners.get(callee)
        return v if v is not None else self.owners.get(canonical(callee))

    def releasers_of(self, name: str) -> list[str]:
        a = self.acquire(name)
        return a.release if a else []

    def released_kind(self, callee: str) -> str:
        """The kind of what ``callee`` releases (``mutex_unlock`` -> "lock"), "" if unknown."""
        if self._released_kinds is None:
            self._released_kinds = {}
            for a in self.acquires.values():
                for r in a.release:
                    self._released_kinds.setdefault(r, a.kind)
        kinds = self._released_kinds
        return kinds.get(callee) or kinds.get(canonical(callee)) or ""

    def release(self, callee: str) -> Release | None:
        return self.releases.get(callee) or self.releases.get(canonical(callee))

    def teardown(self, callee: str) -> Teardown | None:
        return self.teardowns.get(callee) or self.teardowns.get(canonical(callee))

    def merge(self, data: dict, source: str) -> None:
        self._released_kinds = None
        try:
            for name, v in data.get("acquire", {}).items():
                obj = v.get("object", "ret")
                if obj != "ret":
                    obj = int(obj)
                fails = str(v.get("fails", "null" if obj == "ret" else "negative"))
                if fails not in ("null", "errptr", "negative", "zero", "never"):
                    raise ValueError(f"acquire.{name}: unknown 'fails' value {fails!r}")
                self.acquires[name] = Acquire(
                    name, str(v.get("kind", "memory")), obj, fails,
                    bool(v.get("held_on_failure", False)), bool(v.get("zeroed", False)),
                    [str(r) for r in v.get("release", [])], str(v.get("evidence", "")),
                )
            for name, v in data.get("release", {}).items():
                self.releases[name] = Release(name, int(v.get("arg", 0)),
                                              bool(v.get("null_ok", False)),
                                              bool(v.get("err_ok", False)))
            for name, v in data.get("owner", {}).items():
                self.owners[name] = int(v.get("arg", 0))
            for name, v in data.get("teardown", {}).items():
                self.teardowns[name] = Teardown(name, int(v.get("arg", 0)),
                                                list(v.get("depends", [])))
        except (AttributeError, TypeError, ValueError) as exc:
            raise KnowledgeError(f"{source}: malformed entry ({exc})") from exc


def canonical(callee: str) -> str:
    return _SUFFIXES.sub("", callee)


def load_knowledge(extra: list[Path] | None = None) -> Knowledge:
    """The bundled knowledge, then each extra file on top (later entries win)."""
    kb = Knowledge()
    for path in sorted(KNOWLEDGE_DIR.glob("*.toml")) + list(extra or []):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise KnowledgeError(f"{path}: cannot read ({exc.strerror})") from exc
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise KnowledgeError(f"{path}: not valid TOML ({exc})") from exc
        kb.merge(data, str(path))
    return kb
