"""Effect summaries of the callees a file's error paths depend on, from other files.

A function's summary (``analysis/summaries.py``: what it releases, hands
over, allocates, which locks it drops) is made from its body. For a callee
in the checked file that body is at hand; for one defined in another file
of a kernel tree, this module finds the file in the tree's symbol index
(``kernel/symbols.py``), parses it with its own flags, summarises its
functions and gives the callee's summary to the checked file's walk, as if
the callee were local. ``foo_ctx_destroy(ctx)`` defined in ``foo_core.c``
then releases ``ctx`` in ``foo_main.c`` too.

Only the callees that matter are looked up: those of a function that has a
finding (the pipeline walks it again with their summaries) that receive an
object the function acquires (the object, a member of it, or its address),
and that the knowledge does not describe already. So are the callees whose
failure opens the path of a finding (``gx_powerup() fails here``): a
definition whose every return is 0 makes that failure, and the path, one that
cannot be taken, as a same-file callee's does (``Walker.may_fail``), and so
are those a local wrapper of them returns the result of (a header's
``clocksource_register_hz()``); not a
stub's (it only returns a constant: a feature left out of this
configuration) nor a weak default's, which another definition may replace.
At most ``MAX_FILES`` other files are parsed for one checked file: those of
the receivers first, and among them those nearest to it in the tree (its own
directory, then its parent's...), since a driver's own helpers (the one that
sets the release callback of the device it makes) live beside it, then those
that define the most of these callees. A file's summaries are stored by its
content, its flags and kunwind's own code, so each defining file is parsed
once however many files call into it, by one run or the next, and by
parallel workers. A defining file is parsed under the checked file's
configuration: a file the implicit defconfig does not build is checked under
the fallback (``--unbuilt allmodconfig``), and so are the files of its
callees, which the defconfig may build without them (``#ifdef
CONFIG_NFS_V4_1`` in nfs4proc.c, which pnfs.c calls).

Not followed: a callee of a callee in a third file (the summary of the
defining file propagates only its own same-file calls), function pointers,
and definitions the index cannot see (made by macros).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from .analysis.context import FunctionContext
from .analysis.global_locks import bind_global_locks
from .analysis.summaries import Summary, summarize_file, summary_from_dict, summary_to_dict
from .config import Options
from .flags import CompileDBError, FileFlags, KernelTreeError, flags_for
from .frontend.clang_parse import parse_file
from .kernel.symbols import SymbolIndex, symbol_index
from .kernel.tree import default_cache_dir
from .knowledge import Knowledge
from .knowledge.names import NOT_ACQUIRES, is_unknown_release
from .model.build import summary_cfgs
from .model.cfg import Function
from .model.ir import Call, Return, Unary, calls_in, path_of, root_of
from .results_cache import code_fingerprint
from .storage import write_json

SUMMARY_FORMAT = 1
MAX_FILES = 6  # other files parsed for one checked file
MAX_BLOCKS = 20000  # a defining file's budget: fixed, since its summaries are stored


@dataclass
class External:
    summaries: dict[str, Summary] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # the defining files read
    seconds: float = 0.0


def callees_that_matter(functions: list[Function], local: dict[str, Summary], kb: Knowledge,
                        name: str, bodies: dict[str, Function] | None = None) -> list[str]:
    """The callees, not defined in this file nor described by the knowledge, that
    receive an object their caller acquires: a summary of them can say that they
    release it, hand it over, or drop its lock. A same-file or header function that
    receives the object (``bodies``) is looked into: the other-file callees it passes
    its parameter to matter too (a header's ``foo_send_wait(skb)`` calls ``foo_send(skb)``
    of another file, which consumes it)."""
    out: dict[str, None] = {}
    seen: set[tuple[str, int]] = set()
    for fn in functions:
        ctx = FunctionContext(fn, name, local, kb)
        roots = {root_of(p) for p in ctx.acquisitions} | _undone_objects(fn, kb)
        if roots:
            _receivers(fn, roots, local, kb, bodies or {}, out, seen, MAX_DEPTH)
    return list(out)


def _undone_objects(fn: Function, kb: Knowledge) -> set[str]:
    """The roots of the objects ``fn`` gives to a call whose name says it undoes a
    step the knowledge does not describe (``fuse_file_free(ff)``): the objects of the
    unwind pairs learnt from its exits (KU002's sibling exits), whose other-file
    callees (``fuse_sync_release(fc, ff)``) may make that undo."""
    return {root_of(p) for b in fn.blocks for e in b.exprs() for c in calls_in(e)
            if is_unknown_release(kb, c.callee)
            for a in c.args if (p := path_of(a)) is not None and not p.startswith("&")}


def callers_callees(functions: list[Function], callers: list[Function],
                    local: dict[str, Summary], kb: Knowledge,
                    bodies: dict[str, Function] | None = None) -> list[str]:
    """The other-file callees of ``callers`` that receive what they pass to one of
    ``functions``: what a caller releases when such a call fails (its unwind's
    ``foo_destroy_table(ft)`` after ``foo_create_groups(ft)``, callers.py) may be the
    release a function with a finding leaves to it."""
    names = {fn.name for fn in functions}
    out: dict[str, None] = {}
    seen: set[tuple[str, int]] = set()
    for caller in callers:
        roots = {root_of(p) for b in caller.blocks for e in b.exprs() for c in calls_in(e)
                 if c.callee in names for a in c.args if (p := path_of(a)) is not None}
        if roots:
            _receivers(caller, roots, local, kb, bodies or {}, out, seen, 0)
    return list(out)


MAX_DEPTH = 3  # same-file functions looked through, from the one with a finding


def _receivers(fn: Function, roots: set[str], local: dict[str, Summary], kb: Knowledge,
               bodies: dict[str, Function], out: dict[str, None],
               seen: set[tuple[str, int]], depth: int) -> None:
    """Add to ``out`` the other-file callees that receive an object rooted in ``roots``,
    directly or through same-file functions (at most ``depth`` deep)."""
    for b in fn.blocks:
        for e in b.exprs():
            for c in calls_in(e):
                if c.indirect or c.callee in NOT_ACQUIRES or kb.describes(c.callee):
                    continue
                for j, a in enumerate(c.args):
                    p = path_of(a.operand if isinstance(a, Unary) and a.op == "&" else a)
                    if p is None or root_of(p) not in roots:
                        continue
                    if c.callee not in local:
                        out[c.callee] = None
                        break
                    body = bodies.get(c.callee)
                    if depth > 0 and body is not None and j < len(body.params) and \
                            (c.callee, j) not in seen:
                        seen.add((c.callee, j))
                        _receivers(body, {body.params[j].name}, local, kb, bodies, out, seen,
                                   depth - 1)


def failing_callees(failed: list[str], local: dict[str, Summary], kb: Knowledge,
                    bodies: dict[str, Function] | None = None) -> list[str]:
    """The callees among ``failed`` (those whose failure opens the path of a finding:
    ``WalkResult.failed_callees``) that neither this file nor the knowledge describes:
    a summary from their defining file may say that they cannot fail
    (``gx_powerup()``, whose every return is 0). For a local wrapper among them (a
    header's ``clocksource_register_hz()``, ``return __clocksource_register_scale(cs,
    1, hz)``), the other files' callees whose result it returns: their summaries make
    the wrapper's, summarised again with them."""
    out: list[str] = []
    for c in failed:
        if c not in local and not kb.describes(c):
            out.append(c)
        elif c in local and bodies is not None and c in bodies:
            out += [x.callee for b in bodies[c].blocks for st in b.stmts
                    if isinstance(st, Return) and isinstance(x := st.value, Call)
                    and x.callee not in local and not kb.describes(x.callee)]
    return list(dict.fromkeys(out))


def index_for(flags: FileFlags, opts: Options) -> SymbolIndex | None:
    """The symbol index of the file's tree (None outside a tree or with cross_file off).
    An audit asks for it before it forks its workers, so that they share it."""
    if not opts.cross_file or flags.tree_root is None:
        return None
    cache = opts.cache_dir or default_cache_dir()
    return symbol_index(flags.tree_root, flags.srcarch, cache / "symbols")


def external_summaries(callees: list[str], path: Path, flags: FileFlags, opts: Options,
                       kb: Knowledge, failing: list[str] | None = None) -> External:
    """The summaries of ``callees`` that other files of the tree define (``path``: the
    checked file), and those of ``failing`` (``failing_callees``) that say what their
    result can be: not a stub's (``returns.is_stub``: a feature left out, written for
    the configuration where it can fail), nor a weak default that another definition
    may replace. The files of ``callees`` come first in the budget."""
    out = External()
    failing = [c for c in failing or () if c not in callees]
    if not callees and not failing or flags.tree_root is None:
        return out
    here = path.resolve()
    try:
        name = here.relative_to(flags.tree_root.resolve()).as_posix()
    except ValueError:
        return out
    start = time.perf_counter()
    cache = opts.cache_dir or default_cache_dir()
    index = index_for(flags, opts)
    if index is None:
        return out
    wanted: dict[Path, list[str]] = {}
    receivers: set[Path] = set()
    for callee in callees + failing:
        f = index.defining_file(callee, name)
        if f is not None and f.resolve() != here:
            wanted.setdefault(f, []).append(callee)
            if callee in callees:
                receivers.add(f)
    closest = sorted(wanted, key=lambda f: (f not in receivers, _distance(f, here),
                                            -len(wanted[f]),
                                            str(f)))[:MAX_FILES]
    # under the checked file's configuration: where the implicit one does not build it,
    # it may not build its callees either (nfs4_proc_layoutcommit() of nfs4proc.c needs
    # CONFIG_NFS_V4_1, which the x86 defconfig that builds nfs4proc.c leaves out)
    definers = replace(opts, defconfig=flags.fallback) if flags.fallback else opts
    for f in closest:
        summaries = _file_summaries(f, definers, kb, cache / "summaries")
        if summaries is None:
            continue
        out.files.append(str(f))
        for callee in wanted[f]:
            s = summaries.get(callee)
            if s is None or callee not in callees and (s.ret_stub or _weak(f, callee)):
                continue
            out.summaries[callee] = s
    out.seconds = time.perf_counter() - start
    return out


def _weak(path: Path, name: str) -> bool:
    """Is ``name`` defined weak in ``path`` (``int __weak foo(void)``): a default that
    another file, an architecture's, may replace?"""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return True
    return re.search(WEAK_DEFINITION.format(re.escape(name)), text) is not None


# ``__weak`` (or the attribute) before the name, on its line or the line before
WEAK_DEFINITION = r"(?m)\b(?:__weak|weak\)\))[\w \t*]*\n?[\w \t*]*\b{}\s*\("


def _distance(f: Path, here: Path) -> int:
    """How far the directory of ``f`` is from that of ``here`` (a path resolved): the
    directories to climb from ``here``'s to one that holds ``f`` (0: the same one)."""
    a, b = f.resolve().parent.parts, here.parent.parts
    common = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y),
                  min(len(a), len(b)))
    return len(b) - common


_MEMO: dict[str, dict[str, Summary] | None] = {}


def _file_summaries(path: Path, opts: Options, kb: Knowledge,
                    store: Path) -> dict[str, Summary] | None:
    """The summaries of every function ``path`` defines: from this process's memory,
    the store, or a parse (then stored). None when the file cannot be parsed."""
    try:
        text = path.read_bytes()
        flags = flags_for(path, opts)
    except (KernelTreeError, CompileDBError, OSError):
        return None
    key = hashlib.sha256(json.dumps([
        SUMMARY_FORMAT, text.decode("latin-1"), flags.args, code_fingerprint(),
        [str(k) for k in opts.knowledge]]).encode()).hexdigest()
    if key in _MEMO:
        return _MEMO[key]
    entry = store / key[:2] / f"{key}.json"
    try:
        data = json.loads(entry.read_text())
        found: dict[str, Summary] | None = {k: summary_from_dict(v) for k, v in data.items()}
    except (OSError, ValueError, KeyError, TypeError):
        found = _summarise(path, flags, text, kb)
        if found is not None:
            write_json(entry, {k: summary_to_dict(v) for k, v in found.items()})
    _MEMO[key] = found
    return found


def _summarise(path: Path, flags: FileFlags, text: bytes,
               kb: Knowledge) -> dict[str, Summary] | None:
    parsed = parse_file(path, flags.args, text)
    if parsed.fatal:
        return None
    # a body with holes would give a summary that claims too little: left out
    functions = summary_cfgs((pf.syntax for pf in parsed.functions
                              if not pf.errors and pf.syntax is not None), str(path), MAX_BLOCKS)
    for fn in functions:
        bind_global_locks(fn, kb)
    return summarize_file(functions, kb)
