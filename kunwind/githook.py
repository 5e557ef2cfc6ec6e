"""``kunwind install-hook``: a plain git pre-commit hook, for developers without pre-commit.

The hook is a short sh script that runs ``kunwind check --staged`` (the
staged contents of the changed C files against HEAD: only what the commit
introduces) with the Python that installed it, or with the ``kunwind`` on
PATH when that Python is gone, so a commit that adds a finding is refused.
When it refuses a commit it says so and why, and names the ways forward: fix
it, suppress it with a reason, skip the hook once, or record a baseline. An
existing hook is never replaced unless asked to (``force``).
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
    "$python" -m kunwind check --staged{args}
else
    kunwind check --staged{args}
fi
status=$?
case $status in
0) exit 0 ;;
1) cat >&2 <<'END'

kunwind: commit refused: it introduces the error-path finding(s) above.
  - fix them (the notes under each warning show the path), or
  - if one is not a bug, suppress it on its line, with the reason:
        /* kunwind: ignore KU002 the caller frees it */
  - or commit anyway, this once: git commit --no-verify
  To accept the findings a file has today and block only new ones:
        kunwind baseline kunwind-baseline.json FILE...
  then write the hook again: kunwind install-hook --force -- --baseline kunwind-baseline.json
END
;;
3) cat >&2 <<'END'

kunwind: commit refused: a function the commit changes was not analysed (above: why).
  Check it with a configuration that builds it (--build-dir, --config), or commit
  anyway, this once: git commit --no-verify
END
;;
*) cat >&2 <<'END'

kunwind: commit refused: the check could not run (above: why). Commit anyway, this
  once, with git commit --no-verify, or remove .git/hooks/pre-commit.
END
;;
esac
exit $status
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
