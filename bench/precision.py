"""Precision on the whole kernel: a random sample of files, every report written out for triage.

    python bench/precision.py draw --seed 11 --files 300 bench/triage/sample-11.md
    python bench/precision.py tally bench/triage/sample-11.md

``draw`` picks ``--files`` C files at random, with ``--seed``, from the whole
linux-source-6.12 tree (the files ``bench/whole_tree.py`` runs: arch/x86 and
every top-level source directory), runs ``kunwind check`` on them as a user
would (unbuilt tree, defaults) and writes a triage file: the seed, the commit,
the command, then one entry per report with the finding, its path and an
empty verdict. A person (or a helper) reads each report against the code and
fills in ``verdict: true`` or ``verdict: false`` and one line of reasoning.

``tally`` counts the verdicts per check and overall, with a 95% Wilson
interval, and refuses a file with an entry left without a verdict.

The rule for published numbers: tune on as many samples as you like; publish
only from a sample drawn with a new seed after the last change to the checks.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))

from kernelsrc import kernel_tree  # noqa: E402
from whole_tree import source_dirs  # noqa: E402

ENTRY = re.compile(r"^### (\d+)\. (KU\d{3}) ", re.M)
VERDICT = re.compile(r"^- verdict: (true|false)\b(.*)$", re.M)


def sample(tree: Path, n: int, seed: int) -> list[str]:
    files: list[str] = []
    for d in source_dirs(tree):
        files.extend(str(p.relative_to(tree)) for p in sorted((tree / d).rglob("*.c")))
    return sorted(random.Random(seed).sample(sorted(files), n))


def draw(out: Path, n: int, seed: int, jobs: int) -> None:
    tree = kernel_tree()
    files = sample(tree, n, seed)
    argv = ["kunwind", "check", *files, "-j", str(jobs), "--no-cache", "--format", "json", "-q"]
    r = subprocess.run(argv, cwd=tree, capture_output=True, text=True)
    if r.returncode not in (0, 1):
        sys.exit(f"kunwind failed ({r.returncode}): {r.stderr[-2000:]}")
    data = json.loads(r.stdout)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, text=True,
                            capture_output=True).stdout.strip()
    summary = data["summary"]
    lines = [f"# Precision sample, seed {seed}", "",
             f"- commit: {commit}", f"- files: {n} drawn at random from the whole tree "
             f"(bench/precision.py draw --seed {seed} --files {n})",
             f"- analysed: {summary['files']} files, {summary['functions']} functions "
             f"({summary['functions_incomplete']} not fully analysed)",
             f"- reports: {len(data['findings'])}", "",
             "Each entry: the report, then `verdict: true|false` and one line of "
             "reasoning read from the code.", ""]
    for i, f in enumerate(data["findings"], 1):
        lines += [f"### {i}. {f['rule_id']} {f['file']}:{f['line']} {f['function']}()", "",
                  f"{f['message']}", ""]
        lines += [f"    {s['file']}:{s['line']}: {s['message']}" for s in f["steps"]]
        lines += ["", "- verdict: ", ""]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines))
    print(f"{out}: {len(data['findings'])} reports from {n} files")


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of k successes in n trials."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def tally(path: Path) -> int:
    text = path.read_text()
    starts = [(m.start(), m.group(2)) for m in ENTRY.finditer(text)]
    total: Counter[str] = Counter()
    true: Counter[str] = Counter()
    missing = []
    for i, (pos, rule) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        m = VERDICT.search(text, pos, end)
        if m is None:
            missing.append(i + 1)
            continue
        total[rule] += 1
        true[rule] += m.group(1) == "true"
    if missing:
        print(f"{path}: no verdict for entries {missing}", file=sys.stderr)
        return 1
    print("| check | reports | true | precision | 95% interval |")
    print("|---|---:|---:|---:|---|")
    for rule in sorted(total) + ["all"]:
        n = sum(total.values()) if rule == "all" else total[rule]
        k = sum(true.values()) if rule == "all" else true[rule]
        lo, hi = wilson(k, n)
        share = f"{100 * k / n:.0f}%" if n else "-"
        print(f"| {rule} | {n} | {k} | {share} | {100 * lo:.0f}–{100 * hi:.0f}% |")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="action", required=True)
    d = sub.add_parser("draw")
    d.add_argument("out", type=Path)
    d.add_argument("--seed", type=int, required=True)
    d.add_argument("--files", type=int, default=300)
    d.add_argument("-j", "--jobs", type=int, default=2)
    t = sub.add_parser("tally")
    t.add_argument("triage", type=Path)
    args = ap.parse_args()
    if args.action == "draw":
        draw(args.out, args.files, args.seed, args.jobs)
        return 0
    return tally(args.triage)


if __name__ == "__main__":
    sys.exit(main())
