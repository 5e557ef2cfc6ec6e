"""Does a change leave what kunwind reports as it was? Record, then compare.

    python bench/equivalence.py record DIR     # before the change
    python bench/equivalence.py compare DIR    # after it: exit 1 on any difference
    python bench/equivalence.py compare --fixtures-only DIR   # the fixtures alone

Two runs are recorded as JSON under ``DIR``: every fixture (``fixtures/``, one
run over the folder) and ``--files`` C files drawn at random, with ``--seed``,
from the whole linux-source-6.12 tree (the files ``bench/whole_tree.py`` runs:
arch/x86 and every top-level source directory). Both runs use ``--no-cache``.
``compare`` runs them again and prints every finding or notice that appeared,
vanished or changed (message, steps, level), keyed by file, line and rule.
A message reworded on purpose shows as "changed", with both texts.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(HERE))

from kernelsrc import kernel_tree  # noqa: E402
from whole_tree import source_dirs  # noqa: E402


def sample(tree: Path, n: int, seed: int) -> list[str]:
    files: list[str] = []
    for d in source_dirs(tree):
        files.extend(str(p.relative_to(tree)) for p in sorted((tree / d).rglob("*.c")))
    return sorted(random.Random(seed).sample(sorted(files), n))


def run(argv: list[str], cwd: Path, out: Path) -> None:
    cmd = ["kunwind", "check", "--experimental", *argv, "--format", "json", "--no-cache", "-q",
           "-o", str(out)]
    r = subprocess.run(cmd, cwd=cwd, stderr=subprocess.PIPE, text=True)
    if r.returncode not in (0, 1):
        sys.exit(f"kunwind failed ({r.returncode}): {r.stderr[-2000:]}")


def record(work: Path, n: int, seed: int, jobs: int) -> None:
    work.mkdir(parents=True, exist_ok=True)
    tree = kernel_tree()
    files = sample(tree, n, seed)
    (work / "files.txt").write_text("\n".join(files) + "\n")
    run(["fixtures"], REPO, work / "fixtures.json")
    listing = work / "files.txt"
    run([*listing.read_text().split(), "-j", str(jobs)], tree, work / "kernel.json")


def _keyed(path: Path) -> dict[tuple, dict]:
    data = json.loads(path.read_text())
    out: dict[tuple, dict] = {}
    for f in data.get("findings", []):
        out[("finding", f["file"], f["line"], f["col"], f["rule_id"])] = {
            "message": f["message"], "level": f["level"], "function": f["function"],
            "steps": f["steps"], "suppressed": f["suppressed"]}
    for x in data.get("notices", []):
        out[("notice", json.dumps(x, sort_keys=True))] = {}
    summary = {k: v for k, v in data.get("summary", {}).items() if k != "seconds"}
    out[("summary",)] = {"message": json.dumps(summary, sort_keys=True)}
    return out


def diff(old: Path, new: Path) -> list[str]:
    a, b = _keyed(old), _keyed(new)
    lines = []
    for k in sorted(a.keys() - b.keys(), key=str):
        lines.append(f"vanished: {k} {a[k].get('message', '')}")
    for k in sorted(b.keys() - a.keys(), key=str):
        lines.append(f"appeared: {k} {b[k].get('message', '')}")
    for k in sorted(a.keys() & b.keys(), key=str):
        if a[k] != b[k]:
            lines.append(f"changed: {k}\n  was: {json.dumps(a[k])}\n  now: {json.dumps(b[k])}")
    return lines


def compare(work: Path, jobs: int, fixtures_only: bool) -> int:
    names = ["fixtures"] if fixtures_only else ["fixtures", "kernel"]
    run(["fixtures"], REPO, work / "fixtures.now.json")
    if not fixtures_only:
        files = (work / "files.txt").read_text().split()
        run([*files, "-j", str(jobs)], kernel_tree(), work / "kernel.now.json")
    bad = 0
    for name in names:
        d = diff(work / f"{name}.json", work / f"{name}.now.json")
        n = len(_keyed(work / f"{name}.json"))
        print(f"{name}: {n} entries recorded, {len(d)} differences")
        for line in d:
            print("  " + line)
        bad += len(d)
    return 1 if bad else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("action", choices=["record", "compare"])
    ap.add_argument("work", type=Path)
    ap.add_argument("--files", type=int, default=500)
    ap.add_argument("--seed", type=int, default=10)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--fixtures-only", action="store_true",
                    help="compare: only the fixtures (seconds, not minutes)")
    args = ap.parse_args()
    if args.action == "record":
        record(args.work, args.files, args.seed, args.jobs)
        return 0
    return compare(args.work, args.jobs, args.fixtures_only)


if __name__ == "__main__":
    sys.exit(main())
