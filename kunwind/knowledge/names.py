"""What a function's name says about it: the one home of kunwind's name-based knowledge.

Two sorts of names, both as data (module-level word lists) so that one place
says what kunwind believes about a name:

- Exact kernel names with a fixed meaning: the error-pointer macros
  (``IS_ERR()`` tests one, ``ERR_PTR()`` makes one), ``WARN_ON()`` wrappers,
  calls that never return, calls that only compute with a pointer's value.
- Guesses from the words of a name, where the knowledge files are silent:
  undo verbs (KU001's teardowns, KU002's and the run's learned pairs accept a
  pair only when the names read like one, ``foo_dma_start``/``foo_dma_stop``),
  set-up verbs, predicates, allocators, locks.

The regular expressions are built from the word lists; what they match is
part of what kunwind reports, so a word added here changes findings.
"""

from __future__ import annotations

import re

from .facts import Knowledge

# ---- exact names ---------------------------------------------------------------

# IS_ERR()-style checks; True: NULL counts as an error too (IS_ERR_OR_NULL)
ERR_CHECKS = {"IS_ERR": False, "IS_ERR_OR_NULL": True, "IS_ERR_VALUE": False}
ERR_MAKERS = {"ERR_PTR", "ERR_CAST"}
# Tests of a bit of a word given by address, one answer under every name: test_bit()
# is a macro choosing const_test_bit() or _test_bit() (include/linux/bitops.h bitop():
# on whether the word is a compile-time constant), and the CFG keeps both sides
BIT_TESTS = frozenset({"test_bit", "_test_bit", "const_test_bit", "generic_test_bit",
                       "arch_test_bit", "test_bit_acquire", "_test_bit_acquire",
                       "const_test_bit_acquire"})
ERR_FROM = {"PTR_ERR", "PTR_ERR_OR_ZERO"}
# ... of which these return 0 exactly when the pointer is no ERR_PTR(): a test of
# their result is the IS_ERR() test of the pointer
ERR_OR_ZERO = {"PTR_ERR_OR_ZERO"}
WARN_WRAPPERS = {"WARN_ON", "WARN_ON_ONCE", "WARN", "WARN_ONCE", "unlikely", "likely"}
# the temporary that WARN(), WARN_ON() and WARN_ON_ONCE() test (include/asm-generic/bug.h)
WARN_TEMPORARIES = {"__ret_warn_on"}
# Calls that do not return, also where their noreturn declaration is not seen (the
# clang frontend marks calls of functions declared noreturn: Call.noreturn).
NORETURN = frozenset({
    "panic", "nmi_panic", "__noreturn_bug", "__builtin_unreachable", "__builtin_trap",
    "do_exit", "kthread_exit", "make_task_dead", "machine_halt", "machine_power_off",
    "machine_restart", "emergency_restart", "kernel_halt", "kernel_power_off",
    "kernel_restart", "usercopy_abort", "__stack_chk_fail",
})
# Calls that only compute with the pointer's value (an address), never read the object.
ADDRESS_ONLY = {"page_address", "lowmem_page_address", "page_to_pfn", "page_to_phys",
                "virt_to_page", "virt_to_phys", "__pa", "offset_in_page", "IS_ERR",
                "IS_ERR_OR_NULL", "PTR_ERR", "PTR_ERR_OR_ZERO", "kasan_reset_tag"}
# Allocators whose objects the device (or driver) releases itself (devm_kzalloc()).
SELF_RELEASING = ("devm_", "dmam_", "pcim_", "drmm_")

# ---- undo and set-up verbs ------------------------------------------------------

# Names kernel developers give to functions that undo a set-up (KU001's teardowns).
TEARDOWN_VERBS = (
    "unlink", "destroy", "free", "release", "put", "cleanup", "teardown", "deinit", "uninit",
    "fini", "exit", "remove", "unregister", "del", "delete", "detach", "unmap", "unprepare",
    "undo", "drop", "dispose", "unbind", "unload", "shutdown", "disable", "stop", "close",
    "kill", "quiesce",
)
TEARDOWN_NAME = re.compile(rf"(^|_)({'|'.join(TEARDOWN_VERBS)})(_|$|s_|s$)")
# Undo verbs beyond the teardown names, for learned pairs.
UNDO_VERBS = ("halt", "off", "poweroff", "deactivate", "disconnect", "unpin", "unreserve",
              "uninstall", "unprepare", "unbind")
UNDO_NAME = re.compile(rf"(^|_)({'|'.join(UNDO_VERBS)})(_|$)")
SETUP_WORDS = {"add", "insert", "alloc", "get", "init", "create", "setup", "start", "enable",
               "register", "map", "open", "prepare", "lock", "attach", "new", "link"}
VERB_WORDS = {"stop", "free", "put", "release", "destroy", "remove", "del", "delete", "unmap",
              "unregister", "disable", "deinit", "uninit", "exit", "cleanup", "teardown", "halt",
              "off", "on", "sync", "async", "unprepare", "detach", "close", "unlink", "drop",
              "tryget", "try", "do", "of", "to", "the", "and"}
# The undo verbs of each set-up verb, for pairs guessed from names.
_FREES = {"free", "release", "put", "destroy", "remove", "del", "delete", "cleanup",
          "teardown", "drop", "exit"}
UNDO_OF: dict[str, set[str]] = {
    "alloc": _FREES, "create": _FREES, "new": _FREES, "get": _FREES | {"disable"},
    "add": _FREES, "insert": _FREES,
    "init": _FREES | {"deinit", "uninit", "fini", "stop", "disable"},
    "setup": _FREES | {"deinit", "uninit", "fini", "stop", "disable"},
    "enable": {"disable", "off", "stop", "halt", "release", "put", "cleanup", "exit"},
    "start": {"stop", "halt", "disable", "cleanup", "exit", "release", "off"},
    "register": {"unregister", "remove", "del", "delete", "release", "cleanup", "exit"},
    "map": {"unmap", "release", "free", "put"}, "prepare": {"unprepare", "cleanup", "release"},
    "attach": {"detach", "release", "remove", "put"}, "open": {"close", "release", "put"},
    "link": {"unlink", "remove", "del"}, "lock": {"unlock", "release", "put"},
}
# verbs of VERB_WORDS that say nothing of what is undone
NEUTRAL_WORDS = {"sync", "async", "on", "try", "tryget", "do", "of", "to", "the", "and"}
# Verbs of a query: a name with one looks something up or counts, it undoes nothing
# (ocfs2_search_dx_free_list() searches the free list)
QUERY_WORDS = {"search", "find", "lookup", "query", "check", "count"}
# Releases that end the object's life (KU006), as parts of a name.
FREES = re.compile(r"free|destroy|unmap")

# ---- what a call's result is ------------------------------------------------------

PREDICATE_WORDS = {"is", "test", "has", "can", "should", "may", "need", "needs"}
# checks and accessors: they test or read an object, they never set anything up
NOT_ACQUIRES = ERR_CHECKS.keys() | ERR_FROM | WARN_WRAPPERS | {"ERR_PTR", "ERR_CAST"}
# Calls whose "failure" is an answer, not an error: tests and predicates, by their
# leading word, their last word, or the page-table and list helpers' prefixes.
PREDICATE_LEADS = ("is", "has", "have", "can", "should", "need", "needs", "must", "test",
                   "too", "same")
PREDICATE_ENDS = ("empty", "pending", "valid", "allowed", "enabled", "disabled", "active", "ok",
                  "locked", "dirty", "full", "busy", "uptodate", "changed", "present", "none",
                  "exists", "equal", "match", "matches", "head", "first", "last", "progress",
                  "needbreak")
PREDICATE_PREFIXES = ("pte", "pmd", "pud", "p4d", "pgd", "list", "hlist", "llist")
PREDICATE = re.compile(
    rf"(^|_)({'|'.join(PREDICATE_LEADS)})_|_and_test$|^[A-Z][a-z]+[A-Z]|"
    rf"(^|_)({'|'.join(PREDICATE_ENDS)})$|"
    rf"^({'|'.join(PREDICATE_PREFIXES)})_"
)
# Calls that create something, whose NULL result means out of memory or resources.
ALLOCATES = re.compile(r"alloc|create|(^|_)new($|_)|dup|(^|_)(get_free|kmalloc|zalloc)")
# A driver's or subsystem's own error printer, by the last word of its name
# (``vbg_err()``, ``ibdev_err()``, ``__reiserfs_error()``, ``__iwl_err()`` under
# IWL_ERR()): a call of one given a string literal (its format) logs at an error
# level, as ``dev_err()`` does (KU004 reads a branch that logs so as a failure).
ERROR_PRINTER = re.compile(r"(^|_)(err|error|crit|alert|emerg)$")
# Failures kernel code conventionally treats as not an error (debugfs, optional clocks).
OPTIONAL = re.compile(r"^debugfs_|_optional")
# Objects named like a lock (KU005: a lock handed to a callee may be dropped there).
LOCKISH = re.compile(r"lock|ptl|mutex|sem|spin")


def undoes(kb: Knowledge, callee: str) -> bool:
    """Does the name (or the knowledge) say that ``callee`` undoes something?"""
    if kb.teardown(callee) is not None or kb.release(callee) is not None:
        return True
    return bool(TEARDOWN_NAME.search(callee) or UNDO_NAME.search(callee))


def is_unknown_release(kb: Knowledge, callee: str) -> bool:
    """A call not in the knowledge whose name says that it undoes something:
    the verb leads or ends the name (foo_stop, unregister_foo, foo_put_sync),
    and no set-up verb is in it (__add_to_free_list is not an undo)."""
    if kb.release(callee) is not None or kb.acquire(callee) is not None:
        return False
    words = [w for w in callee.split("_") if w]
    ends = {"_".join(words[:1]), "_".join(words[-1:]), "_".join(words[-2:-1])}
    if not any(undoes(kb, w) for w in ends) or (SETUP_WORDS | QUERY_WORDS) & set(words):
        return False
    return undoes(kb, callee)


def may_acquire(kb: Knowledge, callee: str) -> bool:
    """Could ``callee`` set something up: not a check, a predicate, an undo, a lookup
    that no set-up verb names (``foo_node_find()``; ``foo_find_get()`` takes a
    reference), a call the knowledge says sets up nothing to undo (``[no_undo]``), or
    a managed set-up (``devm_*()``: devres undoes it when the device is unbound, a
    failed probe included)."""
    words = set(callee.split("_"))
    return callee not in NOT_ACQUIRES and not PREDICATE_WORDS & words \
        and not callee.startswith(SELF_RELEASING) \
        and not (QUERY_WORDS & words and not SETUP_WORDS & words) \
        and not undoes(kb, callee) and not kb.owes_no_undo(callee)


def same_subject(acq: str, rel: str) -> bool:
    """Do two names work on the same thing, the verbs and the driver prefix aside?
    foo_dma_start/foo_dma_stop and foo_start/foo_stop do; cqspi_of_get_pdata and
    cqspi_jh7110_disable_clk do not. A verb and its undo are no thing
    (amdgpu_bo_pin() and amdgpu_bo_unpin() pin the bo).

    Past the driver prefix any shared word will do: a rule that asks the names to
    agree past every word they share (imx_rproc_xtr_mbox_init() is not undone by
    imx_rproc_put_scu()) also parts efx_ef10_alloc_vis() from
    efx_ef10_free_piobufs(), which a true report of a leak rests on."""
    a, r = _antonyms_aside(stem(acq), stem(rel))
    if a[1:] or r[1:]:
        return bool(set(a[1:]) & set(r[1:]))
    return a == r


# prefixes that make a verb its undo: pin/unpin, reserve/unreserve, init/deinit,
# connect/disconnect
ANTONYM_PREFIXES = ("un", "de", "dis")


def _antonyms_aside(a: list[str], r: list[str]) -> tuple[list[str], list[str]]:
    """The two stems without a verb and its undo (``pin`` and ``unpin``,
    ``reserve`` and ``unreserve``) and without the undo verbs no stem strips
    (``unpin`` alone): they are what the calls do, not what they work on.
    amdgpu_bo_pin()/amdgpu_bo_unpin() then both work on the ``bo``."""
    undone = {p + w for w in a for p in ANTONYM_PREFIXES}
    verbs = {w for w in a if any(p + w in r for p in ANTONYM_PREFIXES)}
    return ([w for w in a if w not in verbs],
            [w for w in r if w not in undone and w not in UNDO_VERBS])


def verbs_match(acq: str, rel: str) -> bool:
    """Can ``rel`` undo ``acq`` by their verbs: when both names carry one, is the undo
    verb one of the set-up verb's (alloc -> free, enable -> disable, start -> stop)?
    A name without a known verb says nothing."""
    pair = verbs_pair(acq, rel)
    return pair is None or pair


def names_pair(acq: str, rel: str) -> bool:
    """Does the name ``rel`` say that it undoes ``acq``: their verbs pair
    (foo_get/foo_put), or ``rel`` carries a word of ``acq`` with an undoing prefix
    (foo_bo_reserve/foo_bo_unreserve)?"""
    words = set(rel.split("_"))
    return verbs_pair(acq, rel) is True or any(
        p + w in words for w in acq.split("_") if w for p in ANTONYM_PREFIXES)


def verbs_pair(acq: str, rel: str) -> bool | None:
    """Do the verbs of the two names pair (True), clash (False), or is one missing (None)?"""
    setup = [w for w in acq.split("_") if w in UNDO_OF]
    undo = [w for w in rel.split("_") if w in VERB_WORDS and w not in NEUTRAL_WORDS]
    if not setup or not undo:
        return None
    return any(u in UNDO_OF[s] for s in setup for u in undo)


def stem(name: str) -> list[str]:
    """The words of a name that say what it works on: foo_dma_start -> [foo, dma]."""
    return [w for w in name.split("_") if w and w not in SETUP_WORDS and w not in VERB_WORDS]
