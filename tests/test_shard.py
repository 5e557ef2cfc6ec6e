"""Large runs: --shard K/N splits the files, 'kunwind merge' joins the SARIF parts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cliutil import FIXTURES, INCLUDE, ROOT, run

from kunwind.audit import in_shard, parse_shard


def sarif_of(cache: Path, *args: str, experimental: bool = True) -> str:
    r = run("check", *(["--experimental"] if experimental else []),
            str(FIXTURES), "--root", str(ROOT), INCLUDE, "--cache-dir", str(cache),
            "-j", "2", "--format", "sarif", *args)
    assert r.exit_code in (0, 1), r.output
    return r.stdout


def analysed(sarif: str) -> list[str]:
    return [a["location"]["uri"] for a in json.loads(sarif)["runs"][0].get("artifacts", [])]


@pytest.mark.parametrize("count", [3, 40])  # 40: more shards than some have files
def test_shards_cover_every_file_once_and_merge_to_the_unsharded_log(
    tmp_path: Path, count: int
) -> None:
    cache = tmp_path / "cache"  # the whole run fills it: the parts are quick
    whole = sarif_of(cache, "--no-learn")  # a shard does not learn: it sees only its files
    parts = []
    for k in range(1, count + 1):
        part = tmp_path / f"part{k}.sarif"
        part.write_text(sarif_of(cache, "--shard", f"{k}/{count}"))
        parts.append(part)
    seen = [uri for p in parts for uri in analysed(p.read_text())]
    assert sorted(seen) == sorted(analysed(whole)) and len(seen) == len(set(seen))
    for k, p in enumerate(parts, 1):  # each part holds its files: none, with 40 shards
        mine = [uri for uri in analysed(whole) if in_shard(uri, (k, count))]
        assert sorted(analysed(p.read_text())) == sorted(mine)
    merged = tmp_path / "all.sarif"
    r = run("merge", *map(str, reversed(parts)), "-o", str(merged))
    assert r.exit_code == 0, r.output
    assert merged.read_text() == whole


def test_a_shard_without_files_gives_an_empty_log(tmp_path: Path) -> None:
    whole = analysed(sarif_of(tmp_path / "cache", "--no-learn"))
    count = 4 * len(whole)  # more shards than files: some have none
    k = next(k for k in range(1, count + 1) if not any(in_shard(u, (k, count)) for u in whole))
    log = json.loads(sarif_of(tmp_path / "cache", "--shard", f"{k}/{count}"))
    assert log["runs"][0].get("artifacts", []) == [] and not log["runs"][0].get("results")


def test_merged_shards_name_the_checks_not_run_once(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    whole = sarif_of(cache, "--no-learn", experimental=False)
    parts = []
    for k in (1, 2):
        part = tmp_path / f"part{k}.sarif"
        part.write_text(sarif_of(cache, "--shard", f"{k}/2", experimental=False))
        parts.append(str(part))
    merged = tmp_path / "all.sarif"
    assert run("merge", *parts, "-o", str(merged)).exit_code == 0
    assert merged.read_text() == whole
    notes = json.loads(whole)["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert len([n for n in notes if " not run: experimental" in n["message"]["text"]]) == 1


def test_a_new_file_moves_no_other_file() -> None:
    names = [f"drivers/net/x{i}.c" for i in range(200)]
    before = {n: next(k for k in range(1, 5) if in_shard(n, (k, 4))) for n in names}
    assert set(before.values()) == {1, 2, 3, 4}
    for name in names + ["drivers/net/new.c"]:
        assert sum(in_shard(name, (k, 4)) for k in range(1, 5)) == 1
        if name in before:
            assert in_shard(name, (before[name], 4))


@pytest.mark.parametrize("text", ["0/3", "4/3", "1", "a/b", "1/0"])
def test_bad_shard_is_a_usage_error(text: str) -> None:
    with pytest.raises(ValueError):
        parse_shard(text)
    r = run("check", "--experimental",
            str(FIXTURES / "ku001/anon_vma_fork_after.c"), "--shard", text)
    assert r.exit_code == 2 and "--shard" in r.stderr


def test_merge_rejects_what_is_not_sarif(tmp_path: Path) -> None:
    bad = tmp_path / "x.sarif"
    bad.write_text('{"version": "1.0"}')
    r = run("merge", str(bad))
    assert r.exit_code == 2 and "not a SARIF 2.1.0 log" in r.stderr
