"""Commit hooks: the pre-commit framework's hook (.pre-commit-hooks.yaml) and ``install-hook``.

Both are exercised with real ``git commit``s in a small kernel-like repository:
a commit that introduces a KU001 is refused with the finding in the output, the
commit that fixes it goes through.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from toytree import CREATE_BAD, CREATE_GOOD, FOO, foo_c, git, git_env, init_repo, make_tree, write

from kunwind.cli import main
from kunwind.rules import not_run_rules

ROOT = Path(__file__).resolve().parents[1]


def commit(repo: Path, message: str, env: dict[str, str] | None = None):
    """``git add -A`` and ``git commit`` (hooks run); the finished process."""
    git(repo, "add", "-A")
    return subprocess.run(["git", "commit", "-m", message], cwd=repo, env=env or git_env(),
                          text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          check=False)


def log(repo: Path) -> list[str]:
    return git(repo, "log", "--format=%s").stdout.split()


# ---- the pre-commit framework -------------------------------------------------


def snapshot_of_this_project(dest: Path) -> str:
    """A git repository at ``dest`` holding this working tree as it is now; its commit id.

    The project may have uncommitted changes, and pre-commit installs hooks from
    a commit: the files git would see (tracked and untracked, not ignored) are
    copied and committed; without git metadata (a source archive), the whole
    tree but its virtualenvs and caches.
    """
    if (ROOT / ".git").exists():
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                                 "--exclude-standard"], cwd=ROOT, env=git_env(),
                                stdout=subprocess.PIPE, check=True).stdout.decode()
        for name in filter(None, listed.split("\0")):
            src = ROOT / name
            if src.is_file():
                (dest / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dest / name)
    else:
        shutil.copytree(ROOT, dest, dirs_exist_ok=True, ignore=shutil.ignore_patterns(
            ".venv", "__pycache__", "*.egg-info", ".pytest_cache", ".ruff_cache", "build"))
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "snapshot")
    return git(dest, "rev-parse", "HEAD").stdout.strip()


@pytest.mark.slow
def test_pre_commit_framework_refuses_a_commit_that_adds_a_finding(tmp_path: Path) -> None:
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("pre-commit is not installed (it is in the 'test' extra)")
        pytest.skip("pre-commit is not installed (pip install '.[test]')")
    source = tmp_path / "kunwind-src"
    source.mkdir()
    rev = snapshot_of_this_project(source)

    repo = make_tree(tmp_path / "linux", foo_c(CREATE_GOOD))
    write(repo, ".pre-commit-config.yaml",
          f"repos:\n  - repo: {source}\n    rev: {rev}\n    hooks:\n      - id: kunwind\n"
          "        args: [--experimental]\n")  # every check is experimental today
    init_repo(repo)
    env = git_env() | {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo, env=env,
                   check=True, stdout=subprocess.PIPE)

    write(repo, FOO, foo_c(CREATE_BAD))
    start = time.perf_counter()
    refused = commit(repo, "foo-introduce-the-bug", env)
    first = time.perf_counter() - start
    assert refused.returncode != 0, refused.stdout
    assert "[KU001]" in refused.stdout, refused.stdout
    assert f"{FOO}:" in refused.stdout and "foo_session_destroy(sess)" in refused.stdout
    assert log(repo) == ["initial"]

    write(repo, FOO, foo_c(CREATE_GOOD, extra="\n/* fixed: the key is set first */\n"))
    start = time.perf_counter()
    passed = commit(repo, "foo-fixed", env)
    second = time.perf_counter() - start
    assert passed.returncode == 0, passed.stdout
    assert "kunwind" in passed.stdout and "Passed" in passed.stdout
    assert log(repo) == ["foo-fixed", "initial"]
    print(f"pre-commit: first commit (installs the hook) {first:.1f}s, second {second:.1f}s")


# ---- the plain git hook -------------------------------------------------------


def install(repo: Path, monkeypatch: pytest.MonkeyPatch, *args: str):
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(main, ["install-hook", *args])
    assert "Traceback" not in result.output + (result.stderr or ""), result.output
    return result


def test_install_hook_refuses_a_commit_that_adds_a_finding(tmp_path, monkeypatch):
    repo = init_repo(make_tree(tmp_path / "linux", foo_c(CREATE_GOOD)))
    r = install(repo, monkeypatch, "--", "--experimental")
    assert r.exit_code == 0, r.output
    hook = repo / ".git/hooks/pre-commit"
    assert os.access(hook, os.X_OK)
    assert "check --staged --experimental" in hook.read_text()
    assert sys.executable in hook.read_text()

    write(repo, FOO, foo_c(CREATE_BAD))
    refused = commit(repo, "foo-introduce-the-bug")
    assert refused.returncode == 1, refused.stdout
    assert f"{FOO}:" in refused.stdout and "[KU001]" in refused.stdout
    said = refused.stdout + (refused.stderr or "")
    assert "kunwind: commit refused: it introduces the error-path finding(s) above." in said
    assert "git commit --no-verify" in said and "/* kunwind: ignore KU002" in said
    assert "kunwind baseline kunwind-baseline.json" in said
    assert log(repo) == ["initial"]

    write(repo, FOO, foo_c(CREATE_GOOD, extra="\n/* fixed */\n"))
    passed = commit(repo, "foo-fixed")
    assert passed.returncode == 0, passed.stdout
    assert log(repo) == ["foo-fixed", "initial"]


def test_install_hook_says_which_checks_it_did_not_run(tmp_path, monkeypatch):
    """Without --experimental the hook runs only the checks measured at 80% or more,
    and says which it left out and why."""
    left_out = not_run_rules(None)
    if not left_out:
        pytest.skip("every check is measured at 80% or more: none is left out")
    repo = init_repo(make_tree(tmp_path / "linux", foo_c(CREATE_GOOD)))
    assert install(repo, monkeypatch).exit_code == 0
    write(repo, FOO, foo_c(CREATE_BAD))
    done = commit(repo, "foo-introduce-the-bug")
    if "KU001" in [r.id for r in left_out]:
        assert done.returncode == 0, done.stdout
        assert log(repo) == ["foo-introduce-the-bug", "initial"]
    said = [ln for ln in done.stdout.splitlines() if " not run: experimental" in ln]
    assert len(said) == 1, done.stdout
    assert all(f"{r.id} " in said[0] for r in left_out) and "--experimental" in said[0]


def test_install_hook_passes_check_options(tmp_path, monkeypatch):
    repo = init_repo(make_tree(tmp_path / "linux"))
    assert install(repo, monkeypatch, "--", "--arch", "arm64", "--rule", "KU001").exit_code == 0
    text = (repo / ".git/hooks/pre-commit").read_text()
    assert "check --staged --arch arm64 --rule KU001" in text


def test_install_hook_never_replaces_a_hook_unless_forced(tmp_path, monkeypatch):
    repo = init_repo(make_tree(tmp_path / "linux"))
    hook = repo / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\nexec make check\n")
    r = install(repo, monkeypatch)
    assert r.exit_code == 2
    assert "already exists" in r.stderr and "--force" in r.stderr
    assert hook.read_text() == "#!/bin/sh\nexec make check\n"
    assert install(repo, monkeypatch, "--force").exit_code == 0
    assert "kunwind check --staged" in hook.read_text()


def test_install_hook_outside_a_repository(tmp_path, monkeypatch):
    r = install(tmp_path, monkeypatch)
    assert r.exit_code == 2 and "not in a git repository" in r.stderr
