"""The driver: finds the files, picks their flags, runs the pipeline on each.

frontend (parse + lower) -> analysis (per function) -> rules -> findings.
One bad file never stops the run: it becomes a ``Notice`` in its ``FileResult``.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import hashlib
import os
import time
from pathlib import Path

from .audit import analyse_files, in_shard
from .config import Options, UsageError
from .findings import RunResult
from .kernel.tree import default_cache_dir, find_kernel_root
from .knowledge.learned import callers, learn, to_toml
from .pipeline import rel
from .rules import not_run_rules


def excluded(path: Path, opts: Options) -> bool:
    """Does an ``exclude`` pattern of ``opts`` match ``path`` (relative to its root)?"""
    if not opts.exclude:
        return False
    root = (opts.exclude_root or Path.cwd()).resolve()
    try:
        name = path.resolve().relative_to(root).as_posix()
    except ValueError:
        name = path.as_posix()
    return any(fnmatch.fnmatch(name, pattern) for pattern in opts.exclude)


def find_c_files(paths: list[Path]) -> list[Path]:
    """Expand directories into their ``*.c`` files; keep files as given. Sorted, unique."""
    out: list[Path] = []
    for p in paths:
        if not p.exists():
            raise UsageError(f"{p}: no such file or directory")
        if p.is_dir():
            found = sorted(q for q in p.rglob("*.c") if q.is_file())
            if not found:
                raise UsageError(f"{p}: directory holds no .c files")
            out.extend(found)
        else:
            out.append(p)
    seen: set[Path] = set()
    unique = []
    for p in out:
        r = p.resolve()
        if r not in seen:
            seen.add(r)
            unique.append(p)
    return unique


def check_paths(paths: list[Path], opts: Options) -> RunResult:
    start = time.perf_counter()
    files = [f for f in find_c_files(paths) if not excluded(f, opts)]
    root = opts.root or (common_root(files) if files else Path.cwd())
    run = new_run(root, opts)
    names = [rel(f, root) for f in files]
    if opts.shard is not None:
        kept = [i for i, name in enumerate(names) if in_shard(name, opts.shard)]
        files, names = [files[i] for i in kept], [names[i] for i in kept]
    run.files = analyse_files(files, names, opts, root, progress=opts.progress)
    if opts.learn and opts.shard is None and len(files) > 1:
        _learn_and_recheck(run, files, names, opts, root)
    run.seconds = time.perf_counter() - start
    return run


def new_run(root: Path, opts: Options) -> RunResult:
    """A run's result, before its files: what paths are relative to, and which checks
    ``opts`` leaves out as experimental (every report names them)."""
    left_out = not_run_rules(opts.rules, opts.experimental)
    return RunResult(root=str(root), not_run=[r.id for r in left_out])


def _learn_and_recheck(run: RunResult, files: list[Path], names: list[str], opts: Options,
                       root: Path) -> None:
    """The second pass of a run: pairs that the first pass shows consistently become
    knowledge (a file written under the cache directory), and the files that use
    them are checked again with it."""
    learned = learn(run.files)
    if not learned:
        return
    text = to_toml(learned)
    digest = hashlib.sha256(text.encode()).hexdigest()[:20]
    path = (opts.cache_dir or default_cache_dir()) / "learned" / f"{digest}.toml"
    try:
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".tmp{os.getpid()}")
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, path)
    except OSError as exc:
        run.notes.append(f"learned pairs not used: cannot write {path}: {exc.strerror or exc}")
        return
    run.learned = learned
    again = set(callers(run.files, learned))
    index = {name: i for i, name in enumerate(names)}
    redo = [index[r.file] for r in run.files if r.file in again and r.file in index]
    if not redo:
        return
    second = dataclasses.replace(opts, knowledge=[*opts.knowledge, path])
    results = analyse_files([files[i] for i in redo], [names[i] for i in redo], second, root,
                            progress=opts.progress)
    fresh = {r.file: r for r in results}
    run.files = [fresh.get(r.file, r) for r in run.files]
    run.rechecked = len(redo)


def common_root(files: list[Path]) -> Path:
    """The kernel tree (or git work tree) holding the files, else the current directory."""
    if files:
        k = find_kernel_root(files[0].resolve())
        if k is not None:
            return k
        for parent in files[0].resolve().parents:
            if (parent / ".git").exists():
                return parent
    return Path.cwd()
