"""``kunwind check --diff REV`` and ``--staged``: only the findings a change introduces.

Filtering findings by changed lines is wrong (flake8 removed its ``--diff``
for it): a change creates findings on lines it does not touch, e.g. by moving
the store that sets a field below an untouched teardown call. So each C file
the change adds, modifies or renames is analysed twice, under its current
path and with the same flags:

- old: its contents at the base revision (``REV``, or HEAD for ``--staged``);
- new: its contents in the work tree (``--diff``) or in the index (``--staged``);

and a finding of the new version is reported only when its fingerprint (rule,
file, function and a line-free description, ``Finding.fingerprint``) is not
among the old version's. Findings that only moved are therefore not reported.
A function the change touched that kunwind could not analyse (an ``#if`` of
the configuration leaves it out, clang reports errors in it, a budget ran
out) is named with the reason; the other functions' notices are left out.
Only the changed file is read from the base revision: the headers it includes
are today's. git is used read-only, through subprocess.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from .baseline import drop_known
from .config import Options, UsageError
from .driver import common_root, excluded, new_run
from .findings import FileResult, Notice, RunResult
from .frontend.clang_parse import reusing_parses
from .gitrepo import (
    Change,
    GitError,
    blob,
    changed_files,
    changed_lines,
    head_or_empty_tree,
    resolve_commit,
    top_level,
)
from .pipeline import analyze_file

SUFFIXES = (".c",)


def check_diff(paths: list[Path], opts: Options, rev: str | None, staged: bool) -> RunResult:
    """The findings the change introduces in the changed C files (under ``paths``, if any)."""
    start = time.perf_counter()
    try:
        top = top_level(paths[0] if paths else Path.cwd())
        base = resolve_commit(top, rev) if rev is not None else head_or_empty_tree(top)
        changes = [c for c in changed_files(top, base, staged) if c.path.endswith(SUFFIXES)]
    except GitError as exc:
        raise UsageError(str(exc)) from None
    if paths:
        changes = [c for c in changes if _under(top / c.path, paths)]
    changes = [c for c in changes if not excluded(top / c.path, opts)]
    files = [top / c.path for c in changes]
    root = opts.root or (common_root(files) if files else top)
    run = new_run(root, opts)
    label = rev if rev is not None else "HEAD"
    for change in changes:
        run.files.append(_new_findings(top, base, label, change, staged, opts, root, run))
    run.seconds = time.perf_counter() - start
    return run


def _new_findings(top: Path, base: str, label: str, change: Change, staged: bool,
                  opts: Options, root: Path, run: RunResult) -> FileResult:
    """The new version's result, without the findings the old version has too."""
    path = top / change.path
    try:
        text = blob(top, "", change.path) if staged else None
        old_text = blob(top, base, change.old_path) if change.old_path is not None else None
    except GitError as exc:
        raise UsageError(f"{change.path}: {exc}") from None
    with reusing_parses():  # the old version reparses against the new one's headers
        result = analyze_file(path, opts, root, text)
        touched = changed_lines(top, base, change, staged)
        result.notices = [n for n in result.notices if not n.function
                          or any(n.about_lines(a, b) for a, b in touched)]
        if old_text is None or not result.findings:
            return result
        old = analyze_file(path, opts, root, old_text)
    if not old.parsed:
        result.notices.append(Notice(file=result.file, level="note", message=(
            f"the version at {label} could not be analysed: every finding is reported")))
        return result
    known = Counter(f.fingerprint() for f in old.findings)
    result.findings, hidden = drop_known(result.findings, known)
    if hidden:
        why = f"already at {label}"
        run.hidden[why] = run.hidden.get(why, 0) + hidden
    return result


def _under(path: Path, roots: list[Path]) -> bool:
    """Is ``path`` one of ``roots`` or inside one of them?"""
    path = path.resolve()
    for r in roots:
        r = r.resolve()
        if path == r or r in path.parents:
            return True
    return False
