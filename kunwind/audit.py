"""Running many files: worker processes, per-file isolation and timeout, cache, shards, progress.

``analyse_files`` owns how a list of files becomes a list of ``FileResult``s:

- ``opts.jobs`` worker processes (a ``pebble`` process pool, forked from
  this process after it has prepared the flags, so workers share the
  per-tree set-up). A file whose worker dies (libclang can segfault) or runs
  longer than ``opts.timeout`` seconds becomes a failed ``FileResult`` with
  the reason; pebble replaces the worker and the run goes on. Files are
  handed out largest first, so no big file is left alone at the end.
  ``jobs == 0`` analyses in this process, without isolation (library use,
  debugging).
- the results cache (``results_cache``): hits skip the workers, new results
  are stored.
- the order of the results: by reported path, whatever ``jobs`` is, so the
  reports of a serial, a parallel and a sharded-then-merged run are the same.

``in_shard`` splits a file list for ``--shard K/N`` by a stable hash of each
file's reported path: adding a file never moves the others.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, as_completed
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from pathlib import Path

import click
from pebble import ProcessExpired, ProcessPool

from .config import Options
from .external import index_for
from .findings import FileResult, Notice
from .flags import flags_for
from .pipeline import analyze_file, read_source
from .results_cache import ResultsCache, entry_key
from .rules import selected_rules

DEFAULT_TIMEOUT = 300.0  # seconds per file in a worker


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def parse_shard(text: str) -> tuple[int, int]:
    """``"K/N"`` (1 <= K <= N) -> (K, N); ValueError with a one-line reason otherwise."""
    k, sep, n = text.partition("/")
    if not sep or not k.strip().isdigit() or not n.strip().isdigit():
        raise ValueError(f"--shard expects K/N, e.g. 1/4, not '{text}'")
    index, count = int(k), int(n)
    if count < 1 or not 1 <= index <= count:
        raise ValueError(f"--shard {text}: K must be between 1 and N")
    return index, count


def in_shard(name: str, shard: tuple[int, int]) -> bool:
    """Whether the file reported as ``name`` belongs to shard ``(K, N)``."""
    index, count = shard
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") % count == index - 1


def analyse_files(files: list[Path], names: list[str], opts: Options, root: Path,
                  progress: bool = False) -> list[FileResult]:
    """Analyse ``files`` (reported as ``names``); results sorted by name (see module doc)."""
    cache = ResultsCache(opts.results_cache) if opts.results_cache is not None else None
    rule_ids = [r.id for r in selected_rules(opts.rules, opts.experimental)]
    results: dict[int, FileResult] = {}
    keys: dict[int, tuple[str, list[str]]] = {}
    todo: list[int] = []
    for i, (path, name) in enumerate(zip(files, names, strict=True)):
        # Choosing the flags here also prepares the per-tree set-up once, before the
        # workers are forked.
        try:
            flags = flags_for(path, opts)
            args = flags.args
            data, _ = read_source(path)
            if opts.jobs > 0 and len(files) > 1:
                index_for(flags, opts)  # built once, here, and shared by the workers
        except Exception:  # the worker reports it
            data = None
        if cache is not None and data is not None:
            key = entry_key(name, data, args, rule_ids, opts.knowledge, result_settings(opts))
            hit = cache.get(key)
            if hit is not None:
                results[i] = hit
                continue
            keys[i] = (key, args)
        todo.append(i)
    todo.sort(key=lambda i: -_size(files[i]))  # big files first: no long file left for last

    with _progress_bar(len(files), progress) as advance:
        for _ in results:
            advance("")
        for i, result in _run(todo, files, names, opts, root):
            results[i] = result
            if cache is not None and i in keys:
                cache.put(keys[i][0], result, keys[i][1])
            advance(names[i])
    order = sorted(range(len(files)), key=lambda i: names[i])
    return [results[i] for i in order]


def _run(todo: list[int], files: list[Path], names: list[str], opts: Options,
         root: Path) -> Iterator[tuple[int, FileResult]]:
    """(index, result) for each file of ``todo``, in the order they finish."""
    if not todo:
        return
    if opts.jobs <= 0:
        for i in todo:
            yield i, _work(str(files[i]), opts, str(root))
        return
    context = multiprocessing.get_context("fork")
    with ProcessPool(max_workers=min(opts.jobs, len(todo)), context=context) as pool:
        futures: dict[Future[FileResult], int] = {
            pool.schedule(_work, args=(str(files[i]), opts, str(root)), timeout=opts.timeout): i
            for i in todo
        }
        try:
            for future in as_completed(futures):
                i = futures[future]
                yield i, _outcome(future, names[i], opts.timeout)
        finally:
            pool.stop()  # ^C or an error in the caller: do not wait for the other files


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _work(path: str, opts: Options, root: str) -> FileResult:
    """In a worker: one file through the pipeline (errors become notices there)."""
    return analyze_file(Path(path), opts, Path(root))


def _outcome(future, name: str, timeout: float | None) -> FileResult:
    try:
        return future.result()
    except FutureTimeout:
        return failed(name, "timed out",
                      f"analysis timed out after {timeout:g}s, file skipped")
    except ProcessExpired as exc:
        return failed(name, "crashed",
                      f"analysis crashed ({exit_reason(exc.exitcode)}), file skipped")
    except Exception as exc:  # e.g. a result that cannot be sent back
        if os.environ.get("KUNWIND_DEBUG"):
            raise
        return failed(name, "crashed", f"internal error in the worker: {exc!r}")


def failed(name: str, failure: str, message: str) -> FileResult:
    result = FileResult(file=name, parsed=False, failure=failure)
    result.notices.append(Notice(file=name, message=message))
    return result


def exit_reason(exitcode: int | None) -> str:
    """'killed by SIGSEGV' for a negative exit code, else 'exit status N'."""
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit status {exitcode}"


@contextmanager
def _progress_bar(total: int, enabled: bool) -> Iterator[Callable[[str], None]]:
    """A progress bar on stderr when ``enabled``; yields ``advance(name)``."""
    if not enabled or total == 0:
        yield lambda name: None
        return
    with click.progressbar(length=total, label="kunwind", file=sys.stderr, show_pos=True,
                           item_show_func=lambda name: name) as bar:
        yield lambda name: bar.update(1, name)


def result_settings(opts: Options) -> dict[str, object]:
    """The options, besides flags, rules and knowledge, that change a file's result."""
    return {"max_blocks": opts.max_blocks, "max_states": opts.max_states,
            "skipped_code": opts.skipped_code, "unused_suppressions": opts.unused_suppressions,
            "cross_file": opts.cross_file}
