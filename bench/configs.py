"""Which configuration for the files the x86 defconfig does not build? (issue 13 item 4)

    python bench/configs.py                 # 60 files, seed 13, -j2
    python bench/configs.py --files 20 --seed 1 --jobs 1

A sample of ``--files`` files drawn at random (``--seed``) from every ``.c``
file of the tree that an x86 build could compile (the directories of
``bench/whole_tree.py``) among those the x86 defconfig does not build
(``TreeSetup.status(file).built == ""``). ``kunwind check`` runs over the
sample once per configuration (``--defconfig``), as one command: JSON
output, ``-j``, no results cache, no learning. The shims (generated headers)
of each configuration are built before the clock starts. Per configuration:
how many of the files it builds, files that failed to parse, functions,
functions not fully analysed (clang errors inside them), functions an
``#if`` left out, wall time. The result goes to ``bench/results/configs.md``
(and ``.json``).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from whole_tree import source_dirs  # noqa: E402

from kunwind.kernel import tree as kt  # noqa: E402

CONFIGS = ("defconfig", "allmodconfig")


def default_tree() -> Path:
    from kernelsrc import kernel_tree  # type: ignore[import-not-found]

    return Path(kernel_tree())


def unbuilt_sample(tree: Path, n: int, seed: int) -> list[str]:
    """``n`` files drawn at random among those the x86 defconfig does not build."""
    setup = kt.tree_setup(tree, "x86", defconfig="defconfig")
    files = sorted(p for d in source_dirs(tree) for p in (tree / d).rglob("*.c") if p.is_file())
    unbuilt = [p.relative_to(tree).as_posix() for p in files if setup.status(p).built == ""]
    print(f"{len(files)} files, {len(unbuilt)} not built by the x86 defconfig", flush=True)
    return sorted(random.Random(seed).sample(unbuilt, n))


def measure(tree: Path, files: list[str], config: str, jobs: int, timeout: float) -> dict:
    setup = kt.tree_setup(tree, "x86", defconfig=config)  # the shim, before the clock
    built = Counter(setup.status(tree / f).built or "not built" for f in files)
    argv = ["kunwind", "check", "--experimental", *files, "--defconfig", config, "-j", str(jobs),
            "--no-cache", "--no-learn", "--timeout", str(timeout), "--format", "json", "-q"]
    start = time.perf_counter()
    r = subprocess.run(argv, cwd=tree, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    doc = json.loads(r.stdout)
    summary = doc["summary"]
    per_file: dict[str, Counter] = {f: Counter() for f in files}
    for n in doc["notices"]:
        c = per_file.setdefault(n["file"], Counter())
        if "not fully analysed" in n["message"]:
            c["incomplete"] += 1
        elif re.search(r"not analysed: CONFIG_\w+ is", n["message"]):
            c["if_skipped"] += 1
        elif n["level"] == "error":
            c["failed"] += 1
    return {
        "config": config,
        "label": setup.config_label,
        "exit": r.returncode,
        "seconds": round(seconds, 1),
        "built": dict(built),
        "files": summary["files"],
        "files_failed": summary["files_failed"],
        "functions": summary["functions"],
        "functions_incomplete": summary["functions_incomplete"],
        "functions_if_skipped": sum(c["if_skipped"] for c in per_file.values()),
        "findings": summary["findings"],
        "per_file": {f: dict(c) for f, c in per_file.items()},
    }


def table(results: list[dict], files: list[str]) -> str:
    lines = ["| configuration | files it builds | files failed | functions | "
             "not fully analysed | left out by #if | findings | wall time |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        builds = r["built"].get("y", 0) + r["built"].get("m", 0)
        pct = 100 * r["functions_incomplete"] / max(r["functions"], 1)
        lines.append(
            f"| {r['label']} | {builds}/{len(files)} | {r['files_failed']} | {r['functions']} | "
            f"{r['functions_incomplete']} ({pct:.1f}%) | {r['functions_if_skipped']} | "
            f"{r['findings']} | {r['seconds']:.0f} s |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tree", type=Path)
    ap.add_argument("--files", type=int, default=60)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--configs", default=",".join(CONFIGS))
    ap.add_argument("--out", type=Path, default=HERE / "results" / "configs")
    args = ap.parse_args()
    tree = (args.tree or default_tree()).resolve()
    files = unbuilt_sample(tree, args.files, args.seed)
    results = []
    for config in args.configs.split(","):
        results.append(measure(tree, files, config, args.jobs, args.timeout))
        r = results[-1]
        print(f"{config}: {r['seconds']} s, {r['functions_incomplete']}/{r['functions']} "
              f"not fully analysed, {r['files_failed']} failed", flush=True)
    args.out.with_suffix(".json").write_text(json.dumps(
        {"tree": str(tree), "seed": args.seed, "files": files, "results": results},
        indent=1) + "\n")
    print(table(results, files))


if __name__ == "__main__":
    main()
