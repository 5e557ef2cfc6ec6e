"""The resource model: what each path has acquired, released, locked or handed on.

One ``Res`` per object (a local, a parameter, a field path such as
``dev->regs``, a lock such as ``priv->lock``), in the walk's state. The walk
moves it through its life: ``held`` after an acquire, ``failed`` on the branch
where the acquire failed (nothing to release), ``released`` after a release,
``escaped`` when ownership went elsewhere (stored into another object, handed
to a function that takes it over), ``auto`` when it releases itself
(``__free()``, ``guard()``), ``unknown`` where the walk merged paths that
disagree. Checks KU002–KU006 read these facts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

HELD, RELEASED, FAILED, ESCAPED, AUTO = "held", "released", "failed", "escaped", "auto"
UNKNOWN = "unknown"  # paths that disagree were merged (the walk's path budget): no check speaks


class Cause(Enum):
    """What moved a resource to its status."""

    NONE = "none"  # acquired (status held or auto), nothing happened to it since
    CALL = "call"  # a call released it, or took it over (``by``: its callee)
    NULL_TESTED = "NULL tested"  # a test found the pointer NULL: nothing was acquired
    ACQUIRE_FAILED = "acquire failed"  # the failure test of its acquire came out failed
    CLEANUP = "cleanup"  # a __free() variable (``by``: the cleanup function, if named)
    STORED = "stored"  # stored into another object (``by``: where, as written)
    COPIED = "copied"  # copied into another local (``by``: its name)
    MERGED = "merged"  # paths that disagree on it were joined


@dataclass(frozen=True)
class Res:
    kind: str  # memory | reference | lock | pm | registration | ... (from the knowledge)
    acquire: str  # the acquiring call; "" when released here but acquired elsewhere
    line: int
    releases: frozenset[str]  # the calls that release it
    status: str = HELD
    fails: str = "null"
    held_on_failure: bool = False
    event_line: int = 0  # where it was released / failed / escaped
    cause: Cause = Cause.NONE  # what moved it there
    by: str = ""  # the callee of that event (Cause.CALL), or what the cause names
    event: str = ""  # Cause.CALL: the call, as written

    def moved(self, status: str, line: int, cause: Cause, by: str = "", event: str = "") -> Res:
        return replace(self, status=status, event_line=line, cause=cause, by=by, event=event)


def object_path(path: str | None) -> str | None:
    """``&dev->lock`` and ``dev->lock`` name the same lock."""
    if path is None:
        return None
    return path[1:] if path.startswith("&") else path
