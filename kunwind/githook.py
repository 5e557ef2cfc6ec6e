"""``kunwind install-hook``: a plain git pre-commit hook, for developers without pre-commit.

The hook is a short sh script that runs ``kunwind check --staged`` (the
staged contents of the changed C files against HEAD: only what the commit
introduces) with the Python that installed it, or with the ``kunwind`` on
PATH when that Python is gone, so a commit that adds a finding is refused.
An existing hook is never replaced unless asked to (``force``).
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from .config import UsageError
from .gitrepo import GitError, hooks_dir

HOOK = """\
#!/bin/sh
# kunwind pre-commit hook, written by `kunwind install-hook`.
# Checks the staged C files and refuses the commit when it introduces an
# error-path unwinding bug. Skip it once with `git commit --no-verify`.
python={python}
if [ -x "$python" ]; then
    exec "$python" -m kunwind check --staged{args}
fi
exec kunwind check --staged{args}
"""


def hook_text(check_args: list[str]) -> str:
    """The hook script; ``check_args`` are added to its ``kunwind check --staged``."""
    args = "".join(" " + shlex.quote(a) for a in check_args)
    return HOOK.format(python=shlex.quote(sys.executable), args=args)


def install_hook(cwd: Path, check_args: list[str], force: bool = False) -> Path:
    """Write the pre-commit hook of the repository holding ``cwd``; its path."""
    try:
        hooks = hooks_dir(cwd)
    except GitError as exc:
        raise UsageError(str(exc)) from None
    path = hooks / "pre-commit"
    if (path.exists() or path.is_symlink()) and not force:
        raise UsageError(f"{path} already exists; not replacing it (use --force to)")
    try:
        hooks.mkdir(parents=True, exist_ok=True)
        if path.is_symlink():
            path.unlink()
        path.write_text(hook_text(check_args), encoding="utf-8")
        path.chmod(0o755)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write: {exc.strerror or exc}") from None
    return path
