"""bench/mutation.py's mutants on a fixture of our own: the exact edits, the restore, the finds.

No kernel tree: fixtures/mutation/ladder.c is clean code modelled on an unwind
ladder; each mutant of it is one bug that kunwind should report.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from mutants import Mutant, find_mutants  # noqa: E402
from mutation import check, judge, mutated, recover, save, write_bytes  # noqa: E402

from kunwind.config import Options  # noqa: E402
from kunwind.flags import flags_for  # noqa: E402
from kunwind.knowledge import load_knowledge  # noqa: E402

FIXTURE = ROOT / "fixtures" / "mutation" / "ladder.c"
OPTS = Options(root=ROOT, extra_args=["-I", str(ROOT / "fixtures" / "include")],
               experimental=True)


@pytest.fixture(scope="module")
def mutants() -> list[Mutant]:
    text = FIXTURE.read_bytes()
    return find_mutants(FIXTURE, text, flags_for(FIXTURE, OPTS).args, load_knowledge([]))


def edits(mutants: list[Mutant], kind: str) -> list[tuple[int, str, str]]:
    """(line, the original bytes replaced, the replacement) of each mutant of a kind."""
    text = FIXTURE.read_bytes()
    return [(m.line, text[m.start:m.end].decode(), m.replacement.decode())
            for m in mutants if m.kind == kind]


def test_drop_release_deletes_the_line(mutants: list[Mutant]) -> None:
    assert edits(mutants, "drop-release") == [
        (54, "\tof_node_put(np);\n", ""), (56, "\tkfree(table);\n", ""),
        (58, "\tkfree(priv->buf);\n", "")]


def test_drop_errno_only_before_a_goto(mutants: list[Mutant]) -> None:
    assert edits(mutants, "drop-errno") == [
        (35, "\t\tret = -ENOMEM;\n", ""), (41, "\t\tret = -ENODEV;\n", "")]


def test_goto_next_label_names_the_label_below(mutants: list[Mutant]) -> None:
    assert edits(mutants, "goto-next-label") == [
        (42, "err_free_table", "err_free_buf"), (47, "err_put_node", "err_free_table")]
    text = FIXTURE.read_bytes()
    m = next(m for m in mutants if m.kind == "goto-next-label")
    assert b"\t\tgoto err_free_buf;\n" in m.apply(text)[m.start - 20:m.end + 2]


def test_double_release_and_use_after_release_insert_a_line(mutants: list[Mutant]) -> None:
    assert edits(mutants, "double-release") == [
        (54, "", "\n\tof_node_put(np);"), (56, "", "\n\tkfree(table);"),
        (58, "", "\n\tkfree(priv->buf);")]
    # of_node_put(np): a struct device_node is incomplete here, *np would not compile
    assert edits(mutants, "use-after-release") == [
        (56, "", "\n\t(void)*(table);"), (58, "", "\n\t(void)*(priv->buf);")]


def test_drop_unlock_only_where_the_lock_is_dropped_elsewhere_too(mutants: list[Mutant]) -> None:
    # the unlock at the end is on the success path: not a mutant
    assert edits(mutants, "drop-unlock") == [(68, "\t\tmutex_unlock(&priv->lock);\n", "")]


def test_the_mutant_replaces_exactly_its_range(mutants: list[Mutant]) -> None:
    text = FIXTURE.read_bytes()
    for m in mutants:
        new = m.apply(text)
        assert new[:m.start] == text[:m.start]
        assert new[m.start + len(m.replacement):] == text[m.end:]
        assert new.count(b"\n") - text.count(b"\n") == m.shift(text)


def test_the_file_is_restored(tmp_path: Path) -> None:
    path = tmp_path / "a.c"
    path.write_bytes(b"int a;\n")
    journal = tmp_path / "journal"
    before = path.stat().st_mtime_ns
    with pytest.raises(KeyError), mutated(path, b"int b;\n", journal):
        assert path.read_bytes() == b"int b;\n"
        raise KeyError("a crash while the mutant is in place")
    assert path.read_bytes() == b"int a;\n"
    assert path.stat().st_mtime_ns == before
    assert not list(journal.iterdir())


def test_a_killed_run_is_recovered(tmp_path: Path) -> None:
    path = tmp_path / "a.c"
    path.write_bytes(b"int a;\n")
    journal = tmp_path / "journal"
    record = save(path, journal)
    write_bytes(path, b"int b;\n", 0o644)
    assert recover(journal) == 0  # this process is alive: its file is its own
    meta = json.loads(record.read_text())
    record.write_text(json.dumps({**meta, "pid": 2**22 + 1}))  # beyond pid_max: dead
    assert path.read_bytes() == b"int b;\n"
    assert [json.loads(p.read_text())["sha256"] for p in journal.glob("*.json")] == [
        hashlib.sha256(b"int a;\n").hexdigest()]
    assert recover(journal) == 1
    assert path.read_bytes() == b"int a;\n"
    assert recover(journal) == 0


def test_kunwind_finds_each_kind(mutants: list[Mutant], tmp_path: Path) -> None:
    text = FIXTURE.read_bytes()
    before = check(FIXTURE, ROOT, OPTS)
    assert before.findings == []
    status = {}
    for m in mutants:
        with mutated(FIXTURE, m.apply(text), tmp_path):
            after = check(FIXTURE, ROOT, OPTS)
        status[(m.kind, m.line)] = judge(m, text, before, after, "ladder.c").status
    assert FIXTURE.read_bytes() == text
    assert status == {
        ("drop-release", 54): "found", ("drop-release", 56): "found",
        # a field of a parameter, released on no other path: by design not a leak
        ("drop-release", 58): "missed",
        ("drop-errno", 35): "found", ("drop-errno", 41): "found",
        ("goto-next-label", 42): "found", ("goto-next-label", 47): "found",
        ("double-release", 54): "found", ("double-release", 56): "found",
        ("double-release", 58): "found",
        ("use-after-release", 56): "found", ("use-after-release", 58): "found",
        ("drop-unlock", 68): "found"}


ERRNO_HELD = b"""
int foo_a(void);
void *foo_b(void);

int foo_setup(int n)
{
	void *p;
	int ret;

	ret = -22;
	if (n < 0)
		goto out;
	p = foo_b();
	if (!p) {
		ret = -12;
		goto out;
	}
	ret = foo_a();
	if (!ret && n > 4) {
		ret = -19;
		goto out;
	}
	ret = 0;
out:
	return ret;
}
"""


def test_errno_held_before_separates_a_wrong_code_from_a_lost_one(tmp_path: Path) -> None:
    """Deleting ``ret = -12`` leaves the -22 stored on every path into it: an error all
    the same; deleting ``ret = -19`` leaves what foo_a() returned, 0 on that path."""
    from errno_held import errno_held_before

    src = tmp_path / "held.c"
    src.write_bytes(ERRNO_HELD)
    args = flags_for(src, Options(root=tmp_path)).args
    assert errno_held_before(src, args, ERRNO_HELD, "foo_setup", 15, "ret")
    assert not errno_held_before(src, args, ERRNO_HELD, "foo_setup", 20, "ret")
    assert not errno_held_before(src, args, ERRNO_HELD, "foo_setup", 10, "ret")
