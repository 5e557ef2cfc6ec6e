"""Precision on the whole kernel: a random sample of files, every report written out for triage.

    python bench/precision.py draw --seed 11 --files 300 bench/triage/sample-11.md
    python bench/precision.py tally bench/triage/sample-11.md
    python bench/precision.py recheck bench/triage/sample-11.md
    python bench/precision.py apply bench/triage/sample-11.md verdicts-*.txt

``draw`` picks ``--files`` C files at random, with ``--seed``, from the whole
linux-source-6.12 tree (the files ``bench/whole_tree.py`` runs: arch/x86 and
every top-level source directory), runs ``kunwind check`` on them as a user
would (unbuilt tree, defaults) and writes a triage file: the seed, the commit,
the command, then one entry per report with the finding, its path and an
empty verdict. A person (or a helper) reads each report against the code and
fills in ``verdict: true`` or ``verdict: false`` and one line of reasoning.

``recheck`` runs the current kunwind on the same files again (for tuning)
and lists, for each triaged report, whether it is still made, and the new
reports that no verdict covers yet.

``apply`` writes readers' verdicts into the triage file. A readers' file has one
line per entry: ``N | true | reasoning`` or ``N | false | CAUSE | reasoning``
(the causes are those of bench/triage/README.md; bench/triage/prompt.md is the
brief the readers get). It says which entries still have no verdict.

``tally`` counts the verdicts per check and overall, with a 95% Wilson
interval, and per check and evidence (what each report rests on: an API
fact, a callee's summary, the function's other exits...) when the entries
record it; it refuses a file with an entry left without a verdict.

The rule for published numbers: tune on as many samples as you like; publish
only from a sample drawn with a new seed after the last change to the checks.
"""

from __future__ import annotations

import argparse
import json
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

from kunwind.interval import wilson  # noqa: E402

ENTRY = re.compile(r"^### (\d+)\. (KU\d{3}) ", re.M)
EVIDENCE_LINE = re.compile(r"^- evidence: (\S+)", re.M)
VERDICT = re.compile(r"^- verdict: (true|false)\b(.*)$", re.M)


def source_files(tree: Path) -> list[str]:
    """The C files samples are drawn from (those of bench/whole_tree.py), directory by
    directory."""
    files: list[str] = []
    for d in source_dirs(tree):
        files.extend(str(p.relative_to(tree)) for p in sorted((tree / d).rglob("*.c")))
    return files


def sample(tree: Path, n: int, seed: int) -> list[str]:
    return sorted(random.Random(seed).sample(sorted(source_files(tree)), n))


def run_kunwind(tree: Path, files: list[str], jobs: int) -> dict:
    argv = ["kunwind", "check", "--experimental", *files, "-j", str(jobs), "--no-cache",
            "--format", "json", "-q"]
    r = subprocess.run(argv, cwd=tree, capture_output=True, text=True)
    if r.returncode not in (0, 1):
        sys.exit(f"kunwind failed ({r.returncode}): {r.stderr[-2000:]}")
    return json.loads(r.stdout)


def draw(out: Path, n: int, seed: int, jobs: int, keep: Path | None = None) -> None:
    tree = kernel_tree()
    files = sample(tree, n, seed)
    data = run_kunwind(tree, files, jobs)
    if keep is not None:  # the whole JSON report, for questions the sample file does not answer
        keep.write_text(json.dumps(data))
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
        lines += ["", f"- evidence: {f.get('evidence') or '-'}", "- verdict: ", ""]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines))
    print(f"{out}: {len(data['findings'])} reports from {n} files")


def tally(path: Path) -> int:
    text = path.read_text()
    starts = [(m.start(), m.group(2)) for m in ENTRY.finditer(text)]
    by_check: dict[str, list[bool]] = {}
    by_evidence: dict[str, list[bool]] = {}
    missing = []
    for i, (pos, rule) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        m = VERDICT.search(text, pos, end)
        if m is None:
            missing.append(i + 1)
            continue
        verdict = m.group(1) == "true"
        by_check.setdefault(rule, []).append(verdict)
        e = EVIDENCE_LINE.search(text, pos, end)
        if e is not None:
            by_evidence.setdefault(f"{rule} {e.group(1)}", []).append(verdict)
    if missing:
        print(f"{path}: no verdict for entries {missing}", file=sys.stderr)
        return 1
    _table("check", by_check)
    if by_evidence:  # triage files drawn since findings carry their evidence
        print()
        _table("check and evidence", by_evidence)
    return 0


def _table(what: str, verdicts: dict[str, list[bool]]) -> None:
    print(f"| {what} | reports | true | precision | 95% interval |")
    print("|---|---:|---:|---:|---|")
    rows = sorted(verdicts.items()) + [("all", [v for vs in verdicts.values() for v in vs])]
    for name, vs in rows:
        n, k = len(vs), sum(vs)
        lo, hi = wilson(k, n)
        share = f"{100 * k / n:.0f}%" if n else "-"
        print(f"| {name} | {n} | {k} | {share} | {100 * lo:.0f}–{100 * hi:.0f}% |")


HEADER = re.compile(r"^### \d+\. (KU\d{3}) (\S+):(\d+) (\S+)\(\)", re.M)
DRAWN = re.compile(r"--seed (\d+) --files (\d+)")


def verdicts(text: str) -> dict[tuple[str, str, str], str]:
    """(check, file, function) -> "true", "false (cause N)" or "" of each triaged report.
    Lines move as code changes, so a report is known by its function, not its line."""
    out: dict[tuple[str, str, str], str] = {}
    heads = list(HEADER.finditer(text))
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        v = VERDICT.search(text, m.start(), end)
        verdict = "" if v is None else v.group(1) + (
            " " + c.group(0) if (c := re.match(r" \(cause \d\)", v.group(2))) else "")
        key = (m.group(1), m.group(2), m.group(4))
        out[key] = out.get(key, verdict) if verdict != "true" else "true"
    return out


def recheck(path: Path, jobs: int, reported: bool = False) -> int:
    """Run again on the sample's files (``reported``: only those that had reports, a
    quick check that loses no true report; the new reports it can show are partial)."""
    text = path.read_text()
    m = DRAWN.search(text)
    if m is None:
        sys.exit(f"{path}: no '--seed N --files N' line")
    tree = kernel_tree()
    known = verdicts(text)
    files = sample(tree, int(m.group(2)), int(m.group(1)))
    if reported:
        had = {k[1] for k in known}
        files = [f for f in files if f in had]
    data = run_kunwind(tree, files, jobs)
    now = Counter((f["rule_id"], f["file"], f["function"]) for f in data["findings"])
    kept: Counter[str] = Counter()
    gone: Counter[str] = Counter()
    for key, verdict in sorted(known.items()):
        state = "kept" if key in now else "GONE"
        (kept if key in now else gone)[verdict.split()[0] if verdict else "?"] += 1
        print(f"{state:4} {verdict or '?':18} {key[0]} {key[1]} {key[2]}()")
    for f in data["findings"]:
        if (f["rule_id"], f["file"], f["function"]) not in known:
            print(f"NEW  {'':18} {f['rule_id']} {f['file']}:{f['line']} {f['function']}()")
    new = sum(n for k, n in now.items() if k not in known)
    print(f"\nkept: {dict(kept)}; gone: {dict(gone)}; new: {new}")
    return 1 if gone.get("true") else 0


def apply(path: Path, readers: list[Path]) -> int:
    """Write the verdicts of the readers' files into the triage file's empty
    ``- verdict:`` lines."""
    found: dict[int, str] = {}
    for f in readers:
        for line in f.read_text().splitlines():
            parts = [p.strip() for p in line.split("|")]
            if len(parts) < 3 or not parts[0].isdigit() or parts[1] not in ("true", "false"):
                continue
            if parts[1] == "true":
                found[int(parts[0])] = f"- verdict: true — {' | '.join(parts[2:])}"
            else:
                cause = parts[2] if len(parts) > 3 and parts[2].isdigit() else "8"
                why = " | ".join(parts[3:] if len(parts) > 3 else parts[2:])
                found[int(parts[0])] = f"- verdict: false (cause {cause}) — {why}"
    out, current, missing = [], 0, []
    for line in path.read_text().split("\n"):
        m = ENTRY.match(line)
        if m:
            current = int(m.group(1))
        if line.strip() == "- verdict:":
            if current in found:
                line = found[current]
            else:
                missing.append(current)
        out.append(line)
    path.write_text("\n".join(out))
    print(f"applied {len(found)} verdicts; without one: {missing or 'none'}")
    return 1 if missing else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="action", required=True)
    d = sub.add_parser("draw")
    d.add_argument("out", type=Path)
    d.add_argument("--seed", type=int, required=True)
    d.add_argument("--files", type=int, default=300)
    d.add_argument("-j", "--jobs", type=int, default=2)
    d.add_argument("--keep-json", type=Path, metavar="FILE",
                   help="also write kunwind's whole JSON report to FILE")
    t = sub.add_parser("tally")
    t.add_argument("triage", type=Path)
    c = sub.add_parser("recheck")
    c.add_argument("triage", type=Path)
    c.add_argument("-j", "--jobs", type=int, default=2)
    c.add_argument("--reported", action="store_true",
                   help="only the files that had reports (quick; new reports elsewhere unseen)")
    a = sub.add_parser("apply")
    a.add_argument("triage", type=Path)
    a.add_argument("readers", type=Path, nargs="+")
    args = ap.parse_args()
    if args.action == "draw":
        draw(args.out, args.files, args.seed, args.jobs, args.keep_json)
        return 0
    if args.action == "apply":
        return apply(args.triage, args.readers)
    if args.action == "recheck":
        return recheck(args.triage, args.jobs, args.reported)
    return tally(args.triage)


if __name__ == "__main__":
    sys.exit(main())
