"""libclang's parse options and preambles on kernel files: what each costs, whether it pays.

For a sample of a kernel directory's files (default: every 8th file of mm/),
runs kunwind's frontend (``parse_file``: libclang's parse, then kunwind's
walk of the AST) on each file with every variant below, interleaved and
repeated (the fastest of ``--repeat`` runs counts), with exactly kunwind's
arguments. It times the parse and the walk ("lower") apart, since a
preamble makes the parse cheaper and the walk dearer (declarations are read
back from the preamble lazily), and checks that the result is the same as
with the default options (errors, functions and their syntax; names that
clang numbers with ``__COUNTER__``, ``__UNIQUE_ID_*`` and
``__compiletime_assert_*``, are compared without their numbers, since a
preamble restarts the counter):

- ``default``: kunwind's options (KeepGoing);
- ``no-keepgoing``: none;
- ``ignore-included``: + IgnoreNonErrorsFromIncludedFiles (0x4000);
- ``incomplete``: + Incomplete (0x2);
- ``skip-bodies``: + SkipFunctionBodies | LimitSkipFunctionBodiesToPreamble
  (0x40 | 0x800), one-shot (no preamble: nothing to skip);
- ``preamble``: + PrecompiledPreamble | CreatePreambleOnFirstParse
  (0x4 | 0x100): the first parse pays for the preamble;
- ``preamble+skip``: the same with the header bodies of the preamble skipped
  (what ``reusing_parses`` does);
- ``reparse+skip``: after ``preamble+skip``, the file edited (a function
  added at its end) and parsed again inside ``reusing_parses``: what the
  second version of a file costs in ``kunwind check --diff``.

    python bench/parse_options.py [--tree DIR] [--dir mm] [--every 8] [--repeat 2]

Writes bench/results/parse_options.{md,json}.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

from kunwind.config import Options  # noqa: E402
from kunwind.flags import flags_for  # noqa: E402
from kunwind.frontend.clang_parse import (  # noqa: E402
    KEEP_GOING,
    PREAMBLE,
    SKIP_PREAMBLE_BODIES,
    ParsedFile,
    parse_file,
    reusing_parses,
)

SKIP_BODIES = SKIP_PREAMBLE_BODIES
VARIANTS = {
    "default": KEEP_GOING,
    "no-keepgoing": 0,
    "ignore-included": KEEP_GOING | 0x4000,
    "incomplete": KEEP_GOING | 0x2,
    "skip-bodies": KEEP_GOING | SKIP_BODIES,
    "preamble": KEEP_GOING | PREAMBLE,
    "preamble+skip": KEEP_GOING | PREAMBLE | SKIP_BODIES,
}
EDIT = b"\nint __kunwind_bench_edit(void) { return 0; }\n"


COUNTER = re.compile(r"\b(__UNIQUE_ID_[A-Za-z_]*?|__compiletime_assert_)\d+\b")
COUNTER_TOKEN = re.compile(r"'\)\d+'")  # "pasting formed ')661'": a __COUNTER__ value


def result(p: ParsedFile) -> tuple[Any, ...]:
    """What kunwind takes from a parse, ``__COUNTER__`` numbers left out."""
    return (p.fatal, [COUNTER_TOKEN.sub("')N'", e) for e in p.errors],
            [(f.name, f.line, f.errors, f.lower_error,
                                 COUNTER.sub(r"\1N", str(f.syntax)))
                                for f in p.functions if f.name != "__kunwind_bench_edit"])


def measure(path: Path, args: list[str], repeat: int, variants: list[str]) -> dict[str, Any]:
    text = path.read_bytes()
    best: dict[str, tuple[float, float]] = {}
    same: dict[str, bool] = {}
    reference = None

    def keep(name: str, p: ParsedFile) -> None:
        nonlocal reference
        old = best.get(name)
        if old is None or p.parse_seconds + p.lower_seconds < sum(old):
            best[name] = (p.parse_seconds, p.lower_seconds)
        if reference is None:
            reference = result(p)
        if name not in same:
            same[name] = result(p) == reference

    for _ in range(repeat):
        for name in variants:
            options = VARIANTS[name]
            if name == "preamble+skip":
                with reusing_parses():
                    keep(name, parse_file(path, args, text))
                    keep("reparse+skip", parse_file(path, args, text + EDIT))
            else:
                keep(name, parse_file(path, args, text, options=options))
    return {"parse": {k: v[0] for k, v in best.items()},
            "lower": {k: v[1] for k, v in best.items()}, "same_ast": same}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tree", type=Path)
    ap.add_argument("--dir", default="mm")
    ap.add_argument("--every", type=int, default=8, help="every N-th file of the directory")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--variants", default=",".join(VARIANTS),
                    help="comma-separated, among: " + ", ".join(VARIANTS))
    ap.add_argument("--out", type=Path, default=HERE / "results")
    a = ap.parse_args()
    if a.tree is None:
        from kernelsrc import kernel_tree

        a.tree = kernel_tree()
    files = sorted((a.tree / a.dir).glob("*.c"))[:: a.every]
    opts = Options(root=a.tree)
    flags_for(files[0], opts)  # the generated-header shim, outside the timings
    rows = []
    for f in files:
        args = flags_for(f, opts).args
        r = measure(f, args, a.repeat, ["default", *(v for v in a.variants.split(",")
                                                     if v != "default")])
        r["file"] = f.relative_to(a.tree).as_posix()
        rows.append(r)
        print(r["file"], " ".join(f"{k} {v:.3f}+{r['lower'][k]:.3f}"
                                  for k, v in r["parse"].items()), file=sys.stderr)
    names = list(rows[0]["parse"])

    def both(r: dict[str, Any], n: str) -> float:
        return r["parse"][n] + r["lower"][n]

    base = sum(both(r, "default") for r in rows)
    md = [f"# libclang parse options on {a.dir}/ ({len(rows)} files, every {a.every}th; "
          f"fastest of {a.repeat}; load {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores)", "",
          "| variant | parse s | lower s | parse+lower s | vs default | per-file median s "
          "| same result |", "|---|---|---|---|---|---|---|"]
    summary = {}
    for n in names:
        parse = sum(r["parse"][n] for r in rows)
        lower = sum(r["lower"][n] for r in rows)
        tot = parse + lower
        med = statistics.median(both(r, n) for r in rows)
        same = all(r["same_ast"].get(n, False) for r in rows)
        summary[n] = {"parse": parse, "lower": lower, "total": tot, "ratio": tot / base,
                      "median": med, "same_result": same}
        md.append(f"| {n} | {parse:.2f} | {lower:.2f} | {tot:.2f} | {tot / base:.2f} | "
                  f"{med:.3f} | {'yes' if same else 'NO'} |")
    md.append("")
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "parse_options.md").write_text("\n".join(md))
    (a.out / "parse_options.json").write_text(json.dumps(
        {"python": platform.python_version(), "cores": os.cpu_count(), "summary": summary,
         "files": rows}, indent=2) + "\n")
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main())
