"""Run-wide learning (kunwind/knowledge/learned.py): pairs that a directory shows consistently.

``fixtures/learn/`` is checked as one run: its files teach that
foo_ring_alloc()'s result is released by foo_ring_free(), and one function
forgets to. The findings of the whole directory must be exactly the
``expect:`` markers of its files, with the messages their ``expect-message:``
entries state (as in tests/test_fixtures.py); each file checked alone gives none.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cliutil import INCLUDE, ROOT, run
from test_fixtures import RUN_FIXTURES, Expected, describe_mismatch, parse_markers

from kunwind.findings import FileResult, PairUse
from kunwind.knowledge import Knowledge
from kunwind.knowledge.learned import MIN_FUNCTIONS, learn, to_toml

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

FILES = sorted(RUN_FIXTURES.glob("*.c"))


def check_json(*args: str) -> dict:
    """kunwind check's JSON report, with the fixtures' include directory."""
    result = run("check", "--experimental",
                 *args, INCLUDE, "--root", str(ROOT), "--no-cache", "--format", "json")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def _found(doc: dict) -> set[tuple[str, Expected]]:
    return {(f["file"], Expected(f["line"], f["rule_id"], f["message"])) for f in doc["findings"]}


def _expected() -> set[tuple[str, Expected]]:
    return {(p.relative_to(ROOT).as_posix(), e)
            for p in FILES for e in parse_markers(p.read_text())}


def assert_found(doc: dict, expected: set[tuple[str, Expected]]) -> None:
    """The report's findings are exactly ``expected``; else a diff per file."""
    found = _found(doc)
    if found == expected:
        return
    diffs = []
    for name in sorted({f for f, _ in found | expected}):
        want = {e for f, e in expected if f == name}
        got = {e for f, e in found if f == name}
        if want != got:
            lines = (ROOT / name).read_text(errors="replace").splitlines()
            diffs.append(describe_mismatch(name, lines, want, got))
    pytest.fail("\n".join(diffs), pytrace=False)


def test_directory_run_learns_the_pair_and_reports_exactly_the_markers() -> None:
    doc = check_json(str(RUN_FIXTURES), "--learn")
    assert _expected(), "fixtures/learn states no expected finding"
    assert_found(doc, _expected())
    assert not doc["notices"]
    (leak,) = doc["findings"]
    assert "learned in this run" in leak["message"]
    assert "foo_ring_free()" in leak["message"] and "bar_main.c" in leak["message"]


def test_each_file_alone_learns_nothing() -> None:
    for path in FILES:
        assert _found(check_json(str(path), "--learn")) == set(), path.name


def test_learning_is_off_by_default() -> None:
    assert _found(check_json(str(RUN_FIXTURES))) == set()
    assert _found(check_json(str(RUN_FIXTURES), "--no-learn")) == set()


def test_saved_pairs_are_knowledge_for_a_later_run(tmp_path: Path) -> None:
    saved = tmp_path / "learned.toml"
    check_json(str(RUN_FIXTURES), "--save-learned", str(saved))  # implies --learn
    data = tomllib.loads(saved.read_text())
    assert data["acquire"]["foo_ring_alloc"]["release"] == ["foo_ring_free"]
    assert data["acquire"]["foo_ring_alloc"]["fails"] == "errptr"
    bad = RUN_FIXTURES / "baz_main.c"
    alone = check_json(str(bad), "--knowledge", str(saved))
    assert_found(alone, {e for e in _expected() if e[0].endswith("baz_main.c")})


def _result(name: str, *uses: tuple[str, str, str]) -> FileResult:
    r = FileResult(file=name)
    r.pair_uses = [PairUse(acq, rel, fn, 10 + i, "null") for i, (acq, rel, fn) in enumerate(uses)]
    return r


def test_learn_needs_enough_functions_files_and_agreement() -> None:
    pair = ("x_get", "x_put")
    three = [_result("a.c", (*pair, "f1"), (*pair, "f2")), _result("b.c", (*pair, "f3"))]
    assert set(learn(three)["acquire"]) == {"x_get"}
    assert MIN_FUNCTIONS == 3
    assert learn(three[:1] + [_result("b.c")]) == {}  # two functions
    one_file = [_result("a.c", (*pair, "f1"), (*pair, "f2"), (*pair, "f3"))]
    assert learn(one_file) == {}
    disagree = three + [_result("c.c", ("x_get", "", "g1"), ("x_get", "", "g2"))]
    assert learn(disagree) == {}  # 3 of 5 keep it without the release


def test_learned_toml_loads_back_with_its_evidence() -> None:
    pair = ("x_get", "x_put")
    data = learn([_result("a.c", (*pair, "f1"), (*pair, "f2")), _result("b c.c", (*pair, "f3"))])
    kb = Knowledge()
    kb.merge(tomllib.loads(to_toml(data)), "learned")
    a = kb.acquire("x_get")
    assert a is not None and a.release == ["x_put"] and a.kind == "learned"
    assert "3 of 3 functions" in a.evidence and "b c.c" in a.evidence
    assert kb.release("x_put") is not None


def test_a_known_release_of_another_argument_is_not_learned_as_the_undo():
    """of_get_next_available_child(np, prev) puts ``prev`` (references.toml), not the
    parent ``np``: after np = dev_of_node(dev) (a getter), a loop over np's children
    is no evidence that dev_of_node() acquires what of_get_next_available_child()
    releases. A known release of the first argument still is evidence."""
    from kunwind.knowledge import load_knowledge
    from kunwind.pair_uses import _releases

    kb = load_knowledge()
    assert not _releases(kb, "dev_of_node", "of_get_next_available_child")
    assert not _releases(kb, "dev_of_node", "of_get_child_by_name")  # an acquire
    assert _releases(kb, "foo_node_lookup", "of_node_put")


LEARNED_SKB = """\
#include "kernel.h"

struct sk_buff *foo_msg_new(int type);
int foo_msg_put(struct sk_buff *skb, int attr);
int foo_msg_send(struct sk_buff *skb);

int foo_send_freed(int attr)
{
	struct sk_buff *skb = NULL;
	int ret = -ENOMEM;

	skb = foo_msg_new(1);
	if (!skb)
		goto out;
	ret = foo_msg_put(skb, attr);
	if (ret)
		goto out;
	return foo_msg_send(skb);
out:
	if (skb)
		dev_kfree_skb_any(skb);
	return ret;
}

int foo_send_leaks(int attr)
{
	struct sk_buff *skb;
	int ret;

	skb = foo_msg_new(1);
	if (!skb)
		return -ENOMEM;
	ret = foo_msg_put(skb, attr);
	if (ret)
		return ret;
	return foo_msg_send(skb);
}
"""


def test_a_learned_pair_is_released_by_the_other_releases_of_its_kind(tmp_path: Path) -> None:
    """A result learned to go to consume_skb() is an skb: dev_kfree_skb_any() on the
    error path frees it as well (the knowledge says both release an skb), and an
    error path that frees nothing still leaks it."""
    learned = tmp_path / "learned.toml"
    learned.write_text('[acquire]\nfoo_msg_new = { kind = "learned", release = ["consume_skb"], '
                       'evidence = "learned in this run: a test" }\n')
    src = tmp_path / "foo_msg.c"
    src.write_text(LEARNED_SKB)
    doc = check_json(str(src), "--knowledge", str(learned), "--no-learn")
    assert [(f["rule_id"], f["function"]) for f in doc["findings"]] == \
        [("KU002", "foo_send_leaks")]
