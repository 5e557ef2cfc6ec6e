"""``kunwind check --diff REV`` / ``--staged``: only what the change introduced, by fingerprint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from toytree import (
    CREATE_BAD,
    CREATE_GOOD,
    DESTROY_CALL,
    FOO,
    commit_all,
    foo_c,
    git,
    init_repo,
    line_of,
    make_tree,
    write,
)

from kunwind.cli import main

EXTRA = """
/* A helper added above: every line below it moves down. */
static int foo_count(struct foo_engine *engine)
{
\treturn engine ? 1 : 0;
}
"""


def run(repo: Path, monkeypatch: pytest.MonkeyPatch, *args: str):
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output + (result.stderr or ""), result.output
    return result


def warnings(output: str) -> list[str]:
    return [ln for ln in output.splitlines() if ": warning: " in ln]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return init_repo(make_tree(tmp_path / "linux", foo_c(CREATE_GOOD)))


def test_a_finding_on_an_untouched_line_caused_by_the_change_is_reported(repo, monkeypatch):
    # The change moves 'sess->key = k' below the goto; the teardown line is not touched.
    bad = foo_c(CREATE_BAD)
    write(repo, FOO, bad)
    diff = git(repo, "diff", "-U0").stdout
    assert "foo_session_destroy" not in diff
    r = run(repo, monkeypatch, "check", "--experimental", "--diff", "HEAD")
    assert r.exit_code == 1, r.output
    ku001 = [w for w in warnings(r.stdout) if w.endswith("[KU001]")]
    assert len(ku001) == 1
    assert ku001[0].startswith(f"{FOO}:{line_of(bad, DESTROY_CALL)}:")


def test_an_old_finding_that_only_moved_is_not_reported(repo, monkeypatch):
    write(repo, FOO, foo_c(CREATE_BAD))
    commit_all(repo, "the bug is in HEAD")
    moved = foo_c(CREATE_BAD, extra=EXTRA)
    write(repo, FOO, moved)
    plain = run(repo, monkeypatch, "check", "--experimental", FOO)
    assert any(w.startswith(f"{FOO}:{line_of(moved, DESTROY_CALL)}:") and w.endswith("[KU001]")
               for w in warnings(plain.stdout))
    r = run(repo, monkeypatch, "check", "--experimental", "--diff", "HEAD")
    assert r.exit_code == 0, r.output
    assert r.stdout == ""
    assert "1 file analysed" in r.stderr
    assert "already at HEAD, not shown" in r.stderr


def test_diff_against_an_older_revision(repo, monkeypatch):
    write(repo, FOO, foo_c(CREATE_BAD))
    commit_all(repo, "introduce the bug")
    r = run(repo, monkeypatch, "check", "--experimental", "--diff", "HEAD~1", "--format", "json")
    assert r.exit_code == 1
    assert "KU001" in {f["rule_id"] for f in json.loads(r.stdout)["findings"]}
    assert run(repo, monkeypatch, "check", "--experimental", "--diff", "HEAD").exit_code == 0


def test_staged_compares_the_index_with_head(repo, monkeypatch):
    write(repo, FOO, foo_c(CREATE_BAD))
    git(repo, "add", FOO)
    write(repo, FOO, foo_c(CREATE_GOOD))  # fixed in the work tree, not staged
    staged = run(repo, monkeypatch, "check", "--experimental", "--staged")
    assert staged.exit_code == 1
    assert any(w.endswith("[KU001]") for w in warnings(staged.stdout))
    assert run(repo, monkeypatch, "check", "--experimental", "--diff", "HEAD").exit_code == 0


def test_a_new_file_reports_everything(repo, monkeypatch):
    write(repo, "drivers/bar/bar.c", foo_c(CREATE_BAD))
    git(repo, "add", "drivers/bar/bar.c")
    r = run(repo, monkeypatch, "check", "--experimental", "--staged")
    assert r.exit_code == 1
    assert any(w.startswith("drivers/bar/bar.c:") and w.endswith("[KU001]")
               for w in warnings(r.stdout))


def test_paths_limit_the_changed_files(repo, monkeypatch):
    write(repo, FOO, foo_c(CREATE_BAD))
    write(repo, "drivers/bar/bar.c", foo_c(CREATE_BAD))
    git(repo, "add", "-A")
    r = run(repo, monkeypatch, "check", "--experimental", "--staged", "drivers/bar", "mm/")
    assert r.exit_code == 1
    assert {w.split(":")[0] for w in warnings(r.stdout)} == {"drivers/bar/bar.c"}
    r = run(repo, monkeypatch, "check", "--experimental", "--staged", "Kconfig")
    assert r.exit_code == 0 and "0 files analysed" in r.stderr


def test_a_renamed_file_is_compared_with_its_old_self(repo, monkeypatch):
    git(repo, "mv", FOO, "drivers/foo/foo_main.c")
    write(repo, "drivers/foo/foo_main.c", foo_c(CREATE_GOOD, extra=EXTRA))
    git(repo, "add", "-A")
    r = run(repo, monkeypatch, "check", "--experimental", "--staged")
    assert r.exit_code == 0, r.output
    assert "1 file analysed" in r.stderr


def test_nothing_changed(repo, monkeypatch):
    r = run(repo, monkeypatch, "check", "--experimental", "--staged")
    assert r.exit_code == 0 and r.stdout == ""


def test_the_first_commit_compares_with_nothing(tmp_path, monkeypatch):
    repo = make_tree(tmp_path / "linux", foo_c(CREATE_BAD))
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    r = run(repo, monkeypatch, "check", "--experimental", "--staged")
    assert r.exit_code == 1 and any(w.endswith("[KU001]") for w in warnings(r.stdout))


@pytest.mark.parametrize("args, message", [
    (["--diff", "no-such-rev"], "unknown revision 'no-such-rev'"),
    (["--diff", "HEAD", "{outside}"], "not in a git work tree"),
    ([], "no files given"),
])
def test_usage_errors(repo, tmp_path, monkeypatch, args, message):
    outside = tmp_path / "plain"
    outside.mkdir()
    r = run(repo, monkeypatch, "check", "--experimental",
            *(a.format(outside=outside) for a in args))
    assert r.exit_code == 2
    assert message in r.stderr
    assert r.stderr.count("\n") == 1
