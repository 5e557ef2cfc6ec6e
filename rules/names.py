"""What a function's name says about it: undo verbs, set-up verbs, predicates.

Used where the knowledge is silent: KU002's per-function learned pairs and the
run-wide learning in ``rules/learn.py`` both accept a pair only when the
names read like one (``foo_dma_start``/``foo_dma_stop``).
"""

from __future__ import annotations

import re

from kunwind.analysis import context  # TEARDOWN_NAME; a module: context imports rules.api
from kunwind.analysis.conditions import ERR_CHECKS, ERR_FROM, WARN_WRAPPERS

from .api import Knowledge

# Undo verbs beyond the teardown names that KU001 uses (context.TEARDOWN_NAME).
UNDO_NAME = re.compile(r"(^|_)(halt|off|poweroff|deactivate|disconnect|unpin|unreserve|"
                       r"uninstall|unprepare|unbind)(_|$)")
SETUP_WORDS = {"add", "insert", "alloc", "get", "init", "create", "setup", "start", "enable",
               "register", "map", "open", "prepare", "lock", "attach", "new", "link"}
VERB_WORDS = {"stop", "free", "put", "release", "destroy", "remove", "del", "delete", "unmap",
              "unregister", "disable", "deinit", "uninit", "exit", "cleanup", "teardown", "halt",
              "off", "on", "sync", "async", "unprepare", "detach", "close", "unlink", "drop",
              "tryget", "try", "do", "of", "to", "the", "and"}
PREDICATE_WORDS = {"is", "test", "has", "can", "should", "may", "need", "needs"}
# checks and accessors: they test or read an object, they never set anything up
NOT_ACQUIRES = ERR_CHECKS.keys() | ERR_FROM | WARN_WRAPPERS | {"ERR_PTR", "ERR_CAST"}


def undoes(kb: Knowledge, callee: str) -> bool:
    """Does the name (or the knowledge) say that ``callee`` undoes something?"""
    if kb.teardown(callee) is not None or kb.release(callee) is not None:
        return True
    return bool(context.TEARDOWN_NAME.search(callee) or UNDO_NAME.search(callee))


def is_unknown_release(kb: Knowledge, callee: str) -> bool:
    """A call not in the knowledge whose name says that it undoes something:
    the verb leads or ends the name (foo_stop, unregister_foo, foo_put_sync),
    and no set-up verb is in it (__add_to_free_list is not an undo)."""
    if kb.release(callee) is not None or kb.acquire(callee) is not None:
        return False
    words = [w for w in callee.split("_") if w]
    ends = {"_".join(words[:1]), "_".join(words[-1:]), "_".join(words[-2:-1])}
    if not any(undoes(kb, w) for w in ends) or SETUP_WORDS & set(words):
        return False
    return undoes(kb, callee)


def may_acquire(kb: Knowledge, callee: str) -> bool:
    """Could ``callee`` set something up: not a check, a predicate or an undo."""
    return callee not in NOT_ACQUIRES and not PREDICATE_WORDS & set(callee.split("_")) \
        and not undoes(kb, callee)


def same_subject(acq: str, rel: str) -> bool:
    """Do two names work on the same thing, the verbs and the driver prefix aside?
    foo_dma_start/foo_dma_stop and foo_start/foo_stop do; cqspi_of_get_pdata and
    cqspi_jh7110_disable_clk do not."""
    a, r = stem(acq), stem(rel)
    if a[1:] or r[1:]:
        return bool(set(a[1:]) & set(r[1:]))
    return a == r


def stem(name: str) -> list[str]:
    """The words of a name that say what it works on: foo_dma_start -> [foo, dma]."""
    return [w for w in name.split("_") if w and w not in SETUP_WORDS and w not in VERB_WORDS]
