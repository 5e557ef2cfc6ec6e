"""The project file (.kunwind.toml at a tree's root): one set of options for every command.

The toy driver with CREATE_BAD has a KU001 finding. The file's options apply
when the command line says nothing, the command line wins over them, and the
hooks (which run ``check --staged``) and kunwind-cc read the same file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from toytree import CREATE_BAD, FOO, foo_c, git, init_repo, make_tree, write

from kunwind.cli import main


def run(repo: Path, monkeypatch: pytest.MonkeyPatch, *args: str):
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output, result.output
    return result


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return make_tree(tmp_path / "linux", foo_c(CREATE_BAD))


def test_the_file_chooses_the_checks_and_the_command_line_wins(tree, monkeypatch) -> None:
    assert "[KU001]" in run(tree, monkeypatch, "check", "--experimental", FOO).stdout
    (tree / ".kunwind.toml").write_text("experimental = true\n")
    r = run(tree, monkeypatch, "check", FOO)
    assert "[KU001]" in r.stdout and " not run: " not in r.stderr, r.output
    (tree / ".kunwind.toml").write_text('rules = ["KU003"]\n')
    r = run(tree, monkeypatch, "check", FOO)
    assert "[KU001]" not in r.stdout and r.exit_code == 0, r.output
    assert "[KU001]" in run(tree, monkeypatch, "check", FOO, "--rule", "KU001").stdout


def test_excludes_from_the_file_and_the_command_line(tree, monkeypatch) -> None:
    assert run(tree, monkeypatch, "check", "--experimental", "drivers").exit_code == 1
    assert run(tree, monkeypatch, "check", "--experimental", "--exclude", "drivers/foo/*",
               "drivers").exit_code == 0
    (tree / ".kunwind.toml").write_text('exclude = ["drivers/*/foo.c"]\n')
    r = run(tree, monkeypatch, "check", "--experimental", "drivers")
    assert r.exit_code == 0 and "[KU001]" not in r.stdout
    monkeypatch.chdir(tree / "drivers")  # patterns are relative to the file, not to here
    r = CliRunner().invoke(main, ["check", "--experimental", "foo/foo.c"])
    assert r.exit_code == 0 and "[KU001]" not in r.output


def test_a_mistake_in_the_file_is_a_usage_error_with_its_line(tree, monkeypatch) -> None:
    (tree / ".kunwind.toml").write_text('arch = "x86"\nrulez = ["KU001"]\n')
    r = run(tree, monkeypatch, "check", FOO)
    assert r.exit_code == 2
    assert f"{tree / '.kunwind.toml'}:2: unknown key 'rulez'" in r.stderr
    (tree / ".kunwind.toml").write_text('exclude = "drivers/*"\n')
    r = run(tree, monkeypatch, "check", FOO)
    assert r.exit_code == 2 and ":1: exclude must be a list of str" in r.stderr


def test_knowledge_paths_are_relative_to_the_file(tree, monkeypatch) -> None:
    (tree / "tools").mkdir()
    (tree / "tools" / "site.toml").write_text('[acquire]\nfoo_x = { relase = [] }\n')
    (tree / ".kunwind.toml").write_text('knowledge = ["tools/site.toml"]\n')
    r = run(tree, monkeypatch, "check", FOO)
    assert r.exit_code == 2 and "tools/site.toml:2: malformed entry" in r.stderr


def test_the_staged_hook_reads_the_same_file(tmp_path, monkeypatch) -> None:
    repo = init_repo(make_tree(tmp_path / "linux", foo_c()))
    write(repo, ".kunwind.toml", "experimental = true\n")
    write(repo, FOO, foo_c(CREATE_BAD))
    git(repo, "add", "-A")
    r = run(repo, monkeypatch, "check", "--staged")
    assert r.exit_code == 1 and "[KU001]" in r.stdout, r.output
    write(repo, ".kunwind.toml", 'rules = ["KU003"]\n')
    r = run(repo, monkeypatch, "check", "--staged")
    assert r.exit_code == 0 and "[KU001]" not in r.stdout, r.output


def test_kunwind_cc_reads_the_file_of_the_tree_it_checks(tree) -> None:
    env = {**os.environ}
    argv = [sys.executable, "-m", "kunwind.kbuild_cc", "-D__KERNEL__", "-std=gnu11", FOO]
    (tree / ".kunwind.toml").write_text("experimental = true\n")
    before = subprocess.run(argv, cwd=tree, capture_output=True, text=True, env=env)
    assert "[KU001]" in before.stderr and " not run: " not in before.stderr, before.stderr
    (tree / ".kunwind.toml").write_text('rules = ["KU003"]\n')
    after = subprocess.run(argv, cwd=tree, capture_output=True, text=True, env=env)
    assert after.returncode == 0 and "[KU001]" not in after.stderr, after.stderr
