"""Coverage on an unbuilt tree: which functions are not fully analysed, and why.

    python bench/coverage.py run --seed 1717 --files 300 OUT.json [-- KUNWIND-ARGS...]
    python bench/coverage.py classify OUT.json [MORE.json ...]
    python bench/coverage.py causes OUT.json [MORE.json ...]

``run`` draws ``--files`` C files at random with ``--seed`` (the draw of
``bench/precision.py``), runs ``kunwind check --experimental -j 1 --no-cache
--format json`` on them in the kernel tree (extra arguments after ``--``,
e.g. ``--unbuilt allmodconfig``), and keeps the JSON with the run's wall time.

``classify`` sorts every function a run did not fully analyse, and every file
it left out, by cause, and prints a markdown table (one column per run). The
causes, first match wins:

- *not kernel code*: a host, user-space or BPF program of its directory's
  makefile (hostprogs, userprogs, always-y), as kunwind's Kbuild reading says;
- *budget*: the function is too large or its walk ran out of paths;
- *a fragment #included by another .c*: the configuration does not build it
  and a .c beside it includes it (it is no translation unit of its own);
- *not buildable on x86*: neither the x86 defconfig nor the allmodconfig builds
  the file (another architecture's or bus's code, an option x86 cannot turn on);
- *header not found*: clang reports a missing header in the file (an include
  path kunwind does not pass);
- *configuration*: the file is not built by the configuration it was analysed
  under (the members and helpers behind the options it turns off);
- *other clang errors*: the rest.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))

from kernelsrc import kernel_tree  # noqa: E402
from precision import sample  # noqa: E402

from kunwind.kernel.tree import tree_setup  # noqa: E402

CAUSES = ["not kernel code", "budget", "a fragment #included by another .c",
          "not buildable on x86", "header not found", "configuration",
          "other clang errors"]
INCOMPLETE = re.compile(r"^(.*?)\(\) not fully analysed: (.*)$")


def run(out: Path, seed: int, n: int, extra: list[str]) -> None:
    tree = kernel_tree()
    files = sample(tree, n, seed)
    argv = [sys.executable, "-m", "kunwind", "check", "--experimental", "-j", "1",
            "--no-cache", "--format", "json", "-q", *extra, *files]
    start = time.perf_counter()
    r = subprocess.run(argv, cwd=tree, capture_output=True, text=True)
    if r.returncode not in (0, 1):
        sys.exit(f"kunwind failed ({r.returncode}): {r.stderr[-2000:]}")
    data = json.loads(r.stdout)
    data["bench"] = {"seed": seed, "files": files, "args": extra,
                     "wall": round(time.perf_counter() - start, 1)}
    out.write_text(json.dumps(data, indent=1))


class Classifier:
    def __init__(self, tree: Path) -> None:
        self.tree = tree
        self.default = tree_setup(tree)
        self.allmod = tree_setup(tree, defconfig="allmodconfig")

    def file_cause(self, name: str, notices: list[dict]) -> str:
        path = self.tree / name
        status = self.default.status(path)
        if status.program:
            return "not kernel code"
        if status.built in ("", None) and self._fragment(path):
            return "a fragment #included by another .c"
        if self.allmod.status(path).built == "":
            return "not buildable on x86"
        if any("file not found" in n["message"] for n in notices):
            return "header not found"
        if any(n.get("kind") == "not-built" or n["message"].startswith("not built by")
               for n in notices):
            return "configuration"
        return "other clang errors"

    def _fragment(self, path: Path) -> bool:
        include = re.compile(rf'^\s*#\s*include\s+"{re.escape(path.name)}"', re.M)
        return any(include.search(c.read_text(errors="replace"))
                   for c in path.parent.glob("*.c") if c != path)

    def classify(self, data: dict) -> tuple[Counter, Counter]:
        """(functions not fully analysed by cause, files not analysed by cause)."""
        by_file: dict[str, list[dict]] = {}
        for n in data["notices"]:
            by_file.setdefault(n["file"], []).append(n)
        functions: Counter = Counter()
        files: Counter = Counter()
        for name, notices in by_file.items():
            cause = ""
            for n in notices:
                m = INCOMPLETE.match(n["message"])
                if m is None:
                    continue
                if not m[2].startswith("clang reports errors"):
                    functions["budget"] += 1
                    continue
                cause = cause or self.file_cause(name, notices)
                functions[cause] += 1
            if any(n.get("kind") == "program" for n in notices):
                files["not kernel code"] += 1
            elif any(n["level"] == "error" for n in notices):
                files[self.file_cause(name, notices)] += 1
        return functions, files


def classify(paths: list[Path]) -> None:
    runs = [json.loads(p.read_text()) for p in paths]
    c = Classifier(kernel_tree())
    tallies = [c.classify(d) for d in runs]
    head = "| cause | " + " | ".join(p.stem for p in paths) + " |"
    print(head + "\n|---|" + "---:|" * len(paths))
    print("| functions | " + " | ".join(str(d["summary"]["functions"]) for d in runs) + " |")
    for cause in CAUSES:
        cells = [f"{t[0][cause]}" for t in tallies]
        print(f"| not fully analysed: {cause} | " + " | ".join(cells) + " |")
    cells = [f"**{d['summary']['functions_incomplete']}** "
             f"({d['summary']['functions_incomplete'] / d['summary']['functions']:.1%})"
             for d in runs]
    print("| **not fully analysed, all** | " + " | ".join(cells) + " |")
    print("| files not analysed (failed) | " +
          " | ".join(str(d["summary"]["files_failed"]) for d in runs) + " |")
    print("| files not kernel code (skipped, said) | " +
          " | ".join(str(d["summary"].get("not_kernel_code", 0)) for d in runs) + " |")
    print("| findings | " + " | ".join(str(d["summary"]["findings"]) for d in runs) + " |")
    print("| wall time (s) | " + " | ".join(str(d.get("bench", {}).get("wall", "?"))
                                           for d in runs) + " |")


# Session 20's causes (issue 13, item 4), first match wins; see bench/results/coverage-s20.md.
CAUSES_S20 = [
    "budget: nested too deeply", "budget: too many paths or blocks",
    "not kernel code: a host, user-space or BPF program, or a fragment of one",
    "a fragment #included by another .c (beside it or in the directory above)",
    "a header generated at build time (its makefile's rule)",
    "no makefile lists it (a stale file)",
    "x86 code neither x86 configuration builds (32-bit only, UML, a choice)",
    "another platform's code: a function its header stubs when the file's option is off",
    "another platform's code: its arch headers (asm/, mach/) or their definitions",
    "other clang errors",
]
_MISSING = re.compile(r"'([^']+)' file not found")


class Causes:
    """Session 20's grouping: why each not-fully-analysed function of a run was not."""

    def __init__(self, tree: Path) -> None:
        from kunwind.config import Options

        self.tree = tree
        self.setup = tree_setup(tree)
        self.opts = Options(unbuilt="allmodconfig")

    def function_cause(self, name: str, reason: str, notices: list[dict]) -> str:
        if "nested too deeply" in reason:
            return CAUSES_S20[0]
        if not reason.startswith("clang reports errors"):
            return CAUSES_S20[1]
        return self.file_cause(name, reason, notices)

    @functools.cache  # noqa: B019 (one instance per run)
    def _flags_program(self, name: str) -> bool:
        from kunwind.flags import flags_for

        return bool(flags_for(self.tree / name, self.opts).program)

    def file_cause(self, name: str, reason: str, notices: list[dict]) -> str:
        from kunwind.kernel.tree import fragment_of

        path = self.tree / name
        if self._flags_program(name):
            return CAUSES_S20[2]
        if fragment_of(path) is not None and not self.setup.status(path).listed:
            return CAUSES_S20[3]
        missing = [h for n in notices for h in _MISSING.findall(n["message"])]
        if any(self._generated(path, h) for h in missing):
            return CAUSES_S20[4]
        if not self.setup.status(path).listed:
            return CAUSES_S20[5]
        if name.startswith("arch/x86/"):
            return CAUSES_S20[6]
        if any("redefinition of" in m or "conflicting types" in m
               for m in (reason, *(n["message"] for n in notices))):
            return CAUSES_S20[7]
        if any(n.get("kind") == "not-built" for n in notices):
            return CAUSES_S20[8]
        return CAUSES_S20[9]

    def _generated(self, path: Path, header: str) -> bool:
        """Does a makefile above ``path`` name ``header`` as a file it generates?"""
        word = re.compile(rf"generated/{re.escape(Path(header).name)}\b")
        for d in path.parents:
            if d == self.tree or self.tree not in d.parents:
                return False
            if any(word.search(_read(d / m)) for m in ("Makefile", "Kbuild")):
                return True
        return False

    def tally(self, data: dict) -> Counter:
        by_file: dict[str, list[dict]] = {}
        for n in data["notices"]:
            by_file.setdefault(n["file"], []).append(n)
        out: Counter = Counter()
        for name, notices in by_file.items():
            for n in notices:
                m = INCOMPLETE.match(n["message"])
                if m is not None:
                    out[self.function_cause(name, m[2], notices)] += 1
        return out


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


def causes(paths: list[Path]) -> None:
    """Session 20's table: not-fully-analysed functions by cause, one column per run."""
    runs = [json.loads(p.read_text()) for p in paths]
    c = Causes(kernel_tree())
    tallies = [c.tally(d) for d in runs]
    print("| cause | " + " | ".join(p.stem for p in paths) + " |")
    print("|---|" + "---:|" * len(paths))
    print("| functions | " + " | ".join(str(d["summary"]["functions"]) for d in runs) + " |")
    for cause in CAUSES_S20:
        print(f"| {cause} | " + " | ".join(str(t[cause]) for t in tallies) + " |")
    cells = [f"**{d['summary']['functions_incomplete']}** "
             f"({d['summary']['functions_incomplete'] / d['summary']['functions']:.2%})"
             for d in runs]
    print("| **not fully analysed, all** | " + " | ".join(cells) + " |")
    print("| files not kernel code (skipped, said) | " +
          " | ".join(str(d["summary"].get("not_kernel_code", 0)) for d in runs) + " |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="action", required=True)
    r = sub.add_parser("run")
    r.add_argument("out", type=Path)
    r.add_argument("--seed", type=int, required=True)
    r.add_argument("--files", type=int, default=300)
    r.add_argument("extra", nargs="*", help="kunwind arguments, after --")
    c = sub.add_parser("classify")
    c.add_argument("runs", type=Path, nargs="+")
    k = sub.add_parser("causes", help="session 20's grouping (bench/results/coverage-s20.md)")
    k.add_argument("runs", type=Path, nargs="+")
    args = ap.parse_args()
    if args.action == "run":
        run(args.out, args.seed, args.files, args.extra)
    elif args.action == "causes":
        causes(args.runs)
    else:
        classify(args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
