"""The driver: finds the files, picks their flags, runs the pipeline on each.

frontend (parse + lower) -> analysis (per function) -> rules -> findings.
One bad file never stops the run: it becomes a ``Notice`` in its ``FileResult``.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from .findings import FileResult, Notice, RunResult


class UsageError(Exception):
    """A mistake on the command line: reported in one line, exit status 2."""


@dataclass
class Options:
    arch: str = "x86"
    build_dir: Path | None = None
    compile_db: Path | None = None  # a compile_commands.json file
    root: Path | None = None  # paths in output are relative to this
    rules: list[str] | None = None  # rule ids to run; None: the default ones
    experimental: bool = False  # with rules None: the experimental rules too
    extra_args: list[str] = field(default_factory=list)
    cache_dir: Path | None = None
    knowledge: list[Path] = field(default_factory=list)  # extra API knowledge files
    # audits (kunwind/audit.py): worker processes (0: in this process, no isolation),
    # seconds per file in a worker, the results cache (None: off), --shard (K, N),
    # a progress bar on stderr; exact_args: these clang arguments for every file
    # (kunwind-cc), instead of choosing them
    jobs: int = 0
    timeout: float | None = None
    results_cache: Path | None = None
    shard: tuple[int, int] | None = None
    progress: bool = False
    exact_args: list[str] | None = None
    # budgets per function: basic blocks of its CFG, path states of the walk; a
    # function over either is reported as not fully analysed
    max_blocks: int = 20000
    max_states: int = 20000
    frontend: str = "clang"  # or "pycparser" (preprocessed C; a cross-check)
    # learn acquire/release pairs from the files of the run, then check the files
    # that use them again (knowledge/learned.py); only when more than one file is checked,
    # and never in a shard (its result must not depend on the other shards)
    learn: bool = False


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
    files = find_c_files(paths)
    root = opts.root or common_root(files)
    run = RunResult(root=str(root))
    names = [rel(f, root) for f in files]
    if opts.shard is not None:
        from .audit import in_shard

        kept = [i for i, name in enumerate(names) if in_shard(name, opts.shard)]
        files, names = [files[i] for i in kept], [names[i] for i in kept]
    from .audit import analyse_files

    run.files = analyse_files(files, names, opts, root, progress=opts.progress)
    if opts.learn and opts.shard is None and len(files) > 1:
        _learn_and_recheck(run, files, names, opts, root)
    run.seconds = time.perf_counter() - start
    return run


def _learn_and_recheck(run: RunResult, files: list[Path], names: list[str], opts: Options,
                       root: Path) -> None:
    """The second pass of a run: pairs that the first pass shows consistently become
    knowledge (a file written under the cache directory), and the files that use
    them are checked again with it."""
    import dataclasses
    import hashlib

    from .audit import analyse_files
    from .frontend.kernel_tree import default_cache_dir
    from .knowledge.learned import callers, learn, to_toml

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
    from .frontend.kernel_tree import find_kernel_root

    if files:
        k = find_kernel_root(files[0].resolve())
        if k is not None:
            return k
        for parent in files[0].resolve().parents:
            if (parent / ".git").exists():
                return parent
    return Path.cwd()


def rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def analyze_file(path: Path, opts: Options, root: Path, text: bytes | None = None) -> FileResult:
    """One file (``text``: these contents instead of the file's), ignore comments applied."""
    from .pipeline import read_source, run_pipeline
    from .suppress import apply_suppressions

    name = rel(path, root)
    start = time.perf_counter()
    try:
        result = run_pipeline(path, name, opts, text)
        apply_suppressions(result, text if text is not None else read_source(path)[0])
    except Exception as exc:  # one bad file never stops the run
        if os.environ.get("KUNWIND_DEBUG"):
            raise
        result = FileResult(file=name, parsed=False)
        result.notices.append(Notice(file=name, message=f"internal error: {exc!r}"))
    result.seconds = time.perf_counter() - start
    return result
