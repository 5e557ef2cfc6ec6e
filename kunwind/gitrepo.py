"""Git, through subprocess: the work tree's top, what changed since a revision, old contents.

kunwind only reads from git (``rev-parse``, ``diff --name-status``,
``cat-file``); it never writes into the work tree or the index. Paths are
relative to the top of the work tree, with forward slashes.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

# The id of the empty tree: the base of the first commit of a repository.
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


class GitError(Exception):
    """git is missing, this is not a work tree, or a revision is unknown: one line."""


@dataclass
class Change:
    """A file the change adds, modifies or renames."""

    path: str  # its path now
    old_path: str | None  # its path at the base revision; None: the change adds it


def git(args: list[str], cwd: Path) -> bytes:
    """Run ``git ARGS`` in ``cwd``; its stdout, or ``GitError`` with git's last error line."""
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    if proc.returncode != 0:
        lines = proc.stderr.decode(errors="replace").strip().splitlines()
        raise GitError(lines[-1] if lines else f"git {args[0]}: exit status {proc.returncode}")
    return proc.stdout


def top_level(start: Path) -> Path:
    """The top of the git work tree holding ``start`` (a file or a directory)."""
    start = start.resolve()
    where = start if start.is_dir() else start.parent
    while not where.exists():  # a path given for a file deleted since
        where = where.parent
    try:
        out = git(["rev-parse", "--show-toplevel"], where)
    except GitError as exc:
        raise GitError(f"{start}: not in a git work tree ({exc})") from None
    return Path(out.decode().strip())


def resolve_commit(top: Path, rev: str) -> str:
    """The commit id ``rev`` names."""
    try:
        return git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"],
                   top).decode().strip()
    except GitError:
        raise GitError(f"unknown revision '{rev}'") from None


def head_or_empty_tree(top: Path) -> str:
    """HEAD's commit, or the empty tree before the first commit."""
    try:
        return resolve_commit(top, "HEAD")
    except GitError:
        return EMPTY_TREE


def changed_files(top: Path, base: str, staged: bool) -> list[Change]:
    """Files added, modified or renamed between ``base`` and the work tree (or the index)."""
    args = ["diff", "--name-status", "-z", "-M", "--no-relative", "--no-ext-diff", "--no-color",
            "--diff-filter=AMR"]
    if staged:
        args.append("--cached")
    fields = git([*args, base, "--"], top).decode(errors="surrogateescape").split("\0")
    out: list[Change] = []
    i = 0
    while i < len(fields) and fields[i]:
        status = fields[i][0]
        if status == "R":
            out.append(Change(path=fields[i + 2], old_path=fields[i + 1]))
            i += 3
        else:
            old = None if status == "A" else fields[i + 1]
            out.append(Change(path=fields[i + 1], old_path=old))
            i += 2
    return out


def changed_lines(top: Path, base: str, change: Change, staged: bool) -> list[tuple[int, int]]:
    """The line ranges (first, last; 1-based) of the new version of ``change`` that the
    change since ``base`` added or modified; a deletion counts as the line after it."""
    args = ["diff", "-U0", "-M", "--no-relative", "--no-ext-diff", "--no-color"]
    if staged:
        args.append("--cached")
    paths = [change.path] if change.old_path in (None, change.path) else \
        [change.old_path, change.path]
    text = git([*args, base, "--", *paths], top).decode(errors="surrogateescape")
    out = []
    for m in _HUNK.finditer(text):
        start, count = int(m.group(1)), int(m.group(2) or "1")
        out.append((start, start + count - 1) if count else (start + 1, start + 1))
    return out


_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.M)


def blob(top: Path, rev: str, path: str) -> bytes:
    """The contents of ``path`` at ``rev``; ``rev`` empty: as staged in the index."""
    return git(["cat-file", "blob", f"{rev}:{path}"], top)


def hooks_dir(cwd: Path) -> Path:
    """Where git looks for hooks (``core.hooksPath`` and linked work trees respected)."""
    try:
        out = git(["rev-parse", "--git-path", "hooks"], cwd)
    except GitError as exc:
        raise GitError(f"{cwd}: not in a git repository ({exc})") from None
    return (cwd / out.decode().strip()).resolve()
