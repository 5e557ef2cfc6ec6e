"""kunwind over a whole kernel tree: crashes, parse failures grouped, findings, time.

    python bench/whole_tree.py                    # run the missing shards, then summarise
    python bench/whole_tree.py --summarise-only   # only the summary of the shards there

Every ``.c`` file of the tree that an x86 build could compile: ``arch/x86``
and every top-level source directory, not ``arch/<other>``, ``tools/``
(user space), ``scripts/`` (host programs), ``Documentation/`` or ``usr/``.
Unbuilt-tree mode (the x86 defconfig, generated headers synthesised), all
cores, no results cache, no learning (a shard sees only its files). The run
is split into ``--shards`` parts (``kunwind check --shard K/N``), each
written to ``--work DIR/shardK.json`` as soon as it ends, so that an
interrupted run resumes where it stopped. The summary goes to
``bench/results/whole_tree.{md,json}``.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

SKIP_TOP = {"arch", "tools", "scripts", "Documentation", "usr", "LICENSES", "include"}


def source_dirs(tree: Path) -> list[str]:
    """arch/x86 and the top-level directories that hold kernel C files."""
    out = ["arch/x86"]
    for d in sorted(tree.iterdir()):
        if d.is_dir() and d.name not in SKIP_TOP and not d.name.startswith("."):
            if next(d.rglob("*.c"), None) is not None:
                out.append(d.name)
    return out


def run_shards(tree: Path, work: Path, shards: int, jobs: int, timeout: float) -> None:
    work.mkdir(parents=True, exist_ok=True)
    dirs = source_dirs(tree)
    for k in range(1, shards + 1):
        out = work / f"shard{k}.json"
        if out.is_file() and out.stat().st_size:
            continue
        start = time.perf_counter()
        argv = ["kunwind", "check", "--experimental", *dirs, "-j", str(jobs), "--no-learn",
                "--no-cache", "--timeout", str(timeout), "--shard", f"{k}/{shards}",
                "--format", "json", "-o", str(out), "-q"]
        r = subprocess.run(argv, cwd=tree, stderr=subprocess.PIPE, text=True)
        seconds = time.perf_counter() - start
        (work / f"shard{k}.meta.json").write_text(json.dumps(
            {"exit": r.returncode, "seconds": seconds, "stderr": r.stderr[-4000:]}))
        print(f"shard {k}/{shards}: exit {r.returncode}, {seconds:.0f} s", flush=True)


# Grouping: a message without its file, line numbers, names and quoted parts.
_NOISE = [
    (re.compile(r"^\S+?:\d+:\d+: "), ""),  # file:line:col: of a clang diagnostic
    (re.compile(r"^\d+:\d+: "), ""),
    (re.compile(r"'[^']*'"), "'…'"),
    (re.compile(r"\(and \d+ more\)"), ""),
    (re.compile(r"\d+"), "N"),
]


def reason(message: str) -> str:
    for pattern, repl in _NOISE:
        message = pattern.sub(repl, message)
    return message.strip()


def summarise(work: Path, shards: int) -> dict:
    files = failed = functions = incomplete = 0
    seconds = 0.0
    by_rule: Counter[str] = Counter()
    file_failures: Counter[str] = Counter()
    outside: Counter[str] = Counter()
    partial: Counter[str] = Counter()
    crashes: list[str] = []
    not_built = 0
    done = []
    for k in range(1, shards + 1):
        path = work / f"shard{k}.json"
        if not path.is_file() or not path.stat().st_size:
            continue
        done.append(k)
        doc = json.loads(path.read_text())
        meta = work / f"shard{k}.meta.json"
        if meta.is_file():
            seconds += json.loads(meta.read_text())["seconds"]
        else:
            seconds += doc["summary"]["seconds"]
        s = doc["summary"]
        files += s["files"]
        failed += s["files_failed"]
        functions += s["functions"]
        incomplete += s["functions_incomplete"]
        by_rule.update(s["by_rule"])
        for n in doc["notices"]:
            msg = n["message"]
            if n["level"] == "error":
                if "crashed" in msg or "internal error" in msg or "timed out" in msg:
                    crashes.append(f"{n['file']}: {msg}")
                file_failures[reason(msg.split(", clang reports: ")[-1])] += 1
            elif n["level"] == "note" and msg.startswith("not built by the kernel"):
                not_built += 1
            elif n["function"]:
                why = msg.split(" not fully analysed: ", 1)[-1]
                why = why.replace("clang reports errors inside it, statements may be missing: ",
                                  "clang: ")
                partial[reason(why)] += 1
            elif n["level"] == "warning":
                outside[reason(msg.replace("clang reports errors outside any function: ",
                                           ""))] += 1
    return {
        "shards_done": done, "shards": shards, "files": files, "files_failed": failed,
        "files_not_built_by_defconfig": not_built, "functions": functions,
        "functions_incomplete": incomplete, "findings_by_rule": dict(sorted(by_rule.items())),
        "findings": sum(by_rule.values()), "seconds": round(seconds), "crashes": crashes,
        "file_failures": file_failures.most_common(20),
        "errors_outside_functions": outside.most_common(20),
        "functions_not_fully_analysed": partial.most_common(25),
    }


def markdown(s: dict) -> str:
    lines = [
        "# kunwind over the whole x86 tree of linux-source-6.12",
        "",
        f"Shards done: {len(s['shards_done'])} of {s['shards']} "
        f"({', '.join(map(str, s['shards_done']))}). Unbuilt-tree mode (x86 defconfig), "
        "`-j2`, no learning, nothing from a results cache. Written by "
        "`bench/whole_tree.py`.",
        "",
        "| | |",
        "|---|---|",
        f"| files analysed | {s['files']} |",
        f"| files failed (not analysed at all) | {s['files_failed']} |",
        f"| crashes or time-outs of kunwind | {len(s['crashes'])} |",
        f"| files the defconfig does not build (analysed, with a note) | "
        f"{s['files_not_built_by_defconfig']} |",
        f"| functions | {s['functions']} |",
        f"| functions not fully analysed | {s['functions_incomplete']} |",
        f"| findings | {s['findings']} "
        f"({', '.join(f'{k} {v}' for k, v in s['findings_by_rule'].items())}) |",
        f"| time (wall, sum of shards) | {s['seconds'] / 3600:.2f} h |",
        "",
    ]
    for title, key in (("Files that failed, by reason", "file_failures"),
                       ("Errors outside any function, by message", "errors_outside_functions"),
                       ("Functions not fully analysed, by reason",
                        "functions_not_fully_analysed")):
        lines += [f"## {title}", "", "| count | reason |", "|---:|---|"]
        lines += [f"| {n} | {r.replace('|', '/')} |" for r, n in s[key]]
        lines.append("")
    if s["crashes"]:
        lines += ["## Crashes and time-outs", ""] + [f"- {c}" for c in s["crashes"]] + [""]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tree", type=Path)
    ap.add_argument("--work", type=Path, default=Path.home() / ".cache" / "kunwind-bench" /
                    "whole-tree")
    ap.add_argument("--shards", type=int, default=8)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=180)
    ap.add_argument("--summarise-only", action="store_true")
    ap.add_argument("--note", action="append", default=[],
                    help="A paragraph for the summary (which kunwind ran, what changed since).")
    args = ap.parse_args()
    if args.tree is None:
        from kernelsrc import kernel_tree

        args.tree = kernel_tree()
    if not args.summarise_only:
        run_shards(args.tree, args.work, args.shards, args.jobs, args.timeout)
    s = summarise(args.work, args.shards)
    out = HERE / "results"
    (out / "whole_tree.json").write_text(json.dumps(s, indent=1) + "\n")
    text = markdown(s) + "".join(f"\n{n}\n" for n in args.note)
    (out / "whole_tree.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
