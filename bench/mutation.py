"""Recall by mutation: inject one error-path bug into a kernel function, see if kunwind finds it.

    python bench/mutation.py --seed 1 --per-kind 200 --jobs 2

Files are drawn in a random order (``--seed``) from the files
``bench/precision.py`` samples (arch/x86 and every top-level source directory
of linux-source-6.12). For each file, kunwind checks the file as it is (the
baseline), ``bench/mutants.py`` lists the places where each kind of bug can be
injected, and for each kind still short of ``--per-kind`` mutants one place is
picked at random in a function kunwind analysed whole (``--per-file``: up to that
many, each in another function). The mutant is written
into the tree file in place, kunwind checks it (in this process, no results
cache), and the original is written back byte for byte (``mutated``: checked
by hash, and a journal of the originals restores any file a killed run left
mutated at the next start).

A mutant is *found* when kunwind reports, in the mutated function, a finding of
an expected check at a place the baseline does not have (a new fingerprint, or
a new line of a known one); *near* when one of its lines is within
``NEAR`` lines of the edit. A mutant whose function kunwind no longer analyses
whole (clang errors, a budget) is unusable and not counted. Results, rewritten
after every file: ``bench/results/mutation-seedN.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import random
import signal
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))

from errno_held import ERRNO_VAR, HELD, errno_held_before  # noqa: E402
from kernelsrc import kernel_tree  # noqa: E402
from mutants import EXPECTED, KINDS, Mutant, find_mutants  # noqa: E402
from precision import source_files, wilson  # noqa: E402

from kunwind.config import Options  # noqa: E402
from kunwind.findings import FileResult, Finding  # noqa: E402
from kunwind.flags import flags_for  # noqa: E402
from kunwind.knowledge import load_knowledge  # noqa: E402
from kunwind.pipeline import analyze_file  # noqa: E402

NEAR = 3  # lines
JOURNAL = Path.home() / ".cache" / "kunwind-bench" / "mutation-journal"


@dataclass
class Outcome:
    """One mutant and what kunwind made of it."""

    kind: str
    file: str
    function: str
    line: int
    what: str
    status: str  # found | missed | unusable
    note: str = ""  # the mutant's note (mutants.Mutant.note)
    near: bool = False
    baseline: list[str] = field(default_factory=list)  # the function's checks before
    reported: list[str] = field(default_factory=list)  # its new findings' checks after
    evidence: list[str] = field(default_factory=list)  # found: what the findings rest on
    why: str = ""  # unusable: why


# -- the file in place, restored


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_bytes(path: Path, data: bytes, mode: int) -> None:
    """Replace ``path``'s contents at once (a reader never sees half a file)."""
    tmp = path.with_name(f".{path.name}.kunwind-mutation")
    tmp.write_bytes(data)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


@contextmanager
def mutated(path: Path, data: bytes, journal: Path = JOURNAL) -> Iterator[None]:
    """``path`` holds ``data`` inside the block; its original bytes, mode and times are
    back after it, whatever happens (checked by hash). The original waits in
    ``journal`` meanwhile, for ``recover`` if this process is killed."""
    record = save(path, journal)
    try:
        write_bytes(path, data, path.stat().st_mode)
        yield
    finally:
        restore(record)


def save(path: Path, journal: Path) -> Path:
    """Keep ``path``'s original in ``journal``; the record to restore it from."""
    original = path.read_bytes()
    st = path.stat()
    journal.mkdir(parents=True, exist_ok=True)
    record = journal / (sha(str(path.resolve()).encode())[:24] + ".json")
    record.with_suffix(".orig").write_bytes(original)
    record.write_text(json.dumps(
        {"path": str(path.resolve()), "pid": os.getpid(), "sha256": sha(original),
         "mode": st.st_mode,
         "mtime_ns": st.st_mtime_ns, "atime_ns": st.st_atime_ns}))
    return record


def restore(record: Path) -> None:
    """Put back the original a journal record names, verify it, forget the record."""
    meta = json.loads(record.read_text())
    original = record.with_suffix(".orig").read_bytes()
    if sha(original) != meta["sha256"]:
        raise RuntimeError(f"{record}: the saved original is damaged; {meta['path']} not restored")
    path = Path(meta["path"])
    write_bytes(path, original, meta["mode"])
    os.utime(path, ns=(meta["atime_ns"], meta["mtime_ns"]))
    if sha(path.read_bytes()) != meta["sha256"]:
        raise RuntimeError(f"{path}: not restored (hash differs)")
    record.with_suffix(".orig").unlink()
    record.unlink()


def recover(journal: Path = JOURNAL) -> int:
    """Restore every file a killed run left mutated (not those of a run still going);
    how many there were."""
    records = sorted(journal.glob("*.json")) if journal.is_dir() else []
    dead = [r for r in records if not alive(json.loads(r.read_text())["pid"])]
    for r in dead:
        path = json.loads(r.read_text())["path"]
        restore(r)
        print(f"restored {path}, left mutated by a killed run", file=sys.stderr)
    return len(dead)


def alive(pid: int) -> bool:
    """Is process ``pid`` still running (a zombie is not)?"""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


# -- one file


def check(path: Path, root: Path, opts: Options) -> FileResult:
    """kunwind on ``path`` as it is on disk: the pipeline, in this process."""
    return analyze_file(path, opts, root)


def places(f: Finding, shift: int, after: int) -> set[tuple[str, int]]:
    """Where a finding of the original is, in the mutant's lines."""
    lines = {f.line, f.exit_line} | {x for pair in f.repeats for x in pair}
    return {(f.fingerprint(), x + shift if x > after else x) for x in lines if x}


def judge(m: Mutant, text: bytes, before: FileResult, after: FileResult,
          file: str) -> Outcome:
    """Did kunwind report the injected bug? See the module's docstring."""
    out = Outcome(m.kind, file, m.function, m.line, m.what, "missed", m.note)
    out.baseline = sorted({f.rule_id for f in before.findings if f.function == m.function})
    broken = [n for n in after.notices if n.function == m.function and n.level == "warning"]
    if not after.parsed or broken:
        out.status, out.why = "unusable", (broken[0].message if broken else "file failed")
        return out
    shift = m.shift(text)
    known = set().union(*(places(f, shift, m.line) for f in before.findings)) \
        if before.findings else set()
    new = [f for f in after.findings if f.function == m.function
           and not places(f, 0, 0) <= known]
    out.reported = sorted({f.rule_id for f in new})
    hits = [f for f in new if f.rule_id in m.expected]
    if hits:
        out.status = "found"
        out.evidence = sorted({f.evidence or "-" for f in hits})
        lines = {x for f in hits for x in (f.line, f.exit_line, *(s.line for s in f.steps))}
        out.near = any(abs(x - m.line) <= NEAR for x in lines if x)
    return out


def pick(mutants: list[Mutant], whole: set[str], wanted: list[str], seed: str,
         per_file: int) -> list[Mutant]:
    """Up to ``per_file`` mutants of each wanted kind, at random, each in another
    function that kunwind analysed whole."""
    rng = random.Random(seed)
    out = []
    for kind in wanted:
        some = [m for m in mutants if m.kind == kind and m.function in whole]
        rng.shuffle(some)
        functions: set[str] = set()
        for m in some:
            if m.function not in functions and len(functions) < per_file:
                functions.add(m.function)
                out.append(m)
    return out


def run_file(tree: Path, file: str, wanted: list[str], seed: int,
             per_file: int) -> tuple[list[Outcome], str]:
    """The outcomes of one file's mutants, and why it gave none ("" when it did)."""
    path = tree / file
    text = path.read_bytes()
    if b"goto" not in text and b"return -E" not in text:
        return [], "no error path"
    opts = Options(root=tree, experimental=True)
    flags = flags_for(path, opts)
    mutants = [m for m in find_mutants(path, text, flags.args, load_knowledge(opts.knowledge))
               if m.kind in wanted]
    if not mutants:
        return [], "no place to mutate"
    before = check(path, tree, opts)
    if not before.parsed:
        return [], "file not parsed"
    incomplete = {n.function for n in before.notices if n.function and n.level == "warning"}
    chosen = pick(mutants, {m.function for m in mutants} - incomplete, wanted,
                  f"{seed}/{file}", per_file)
    if not chosen:
        return [], "no place in a function analysed whole"
    # the path returns another error: a wrong code, not a lost one (errno_held.py)
    chosen = [replace(m, note=HELD) if m.kind == "drop-errno" and not m.note and
              (var := ERRNO_VAR.match(m.what)) and
              errno_held_before(path, flags.args, text, m.function, m.line, var[1]) else m
              for m in chosen]
    outcomes = []
    for m in chosen:
        with mutated(path, m.apply(text)):
            after = check(path, tree, opts)
        outcomes.append(judge(m, text, before, after, file))
    return outcomes, ""


# -- the run


def draw_files(tree: Path, seed: int) -> list[str]:
    """Every file precision.py samples from, in a random order."""
    files = source_files(tree)
    random.Random(seed).shuffle(files)
    return files


_FULL: Any = None  # in a worker: the shared count of usable mutants per kind


def _init_worker(full: Any) -> None:
    global _FULL
    _FULL = full
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # the finally blocks restore


def _work(job: tuple[Path, str, int, int, int]) -> tuple[str, list[Outcome], str, float]:
    tree, file, seed, per_kind, per_file = job
    wanted = [k for i, k in enumerate(KINDS) if _FULL is None or _FULL[i] < per_kind]
    start = time.perf_counter()
    if not wanted:
        return file, [], "all kinds full", 0.0
    try:
        outcomes, why = run_file(tree, file, wanted, seed, per_file)
    except Exception as exc:  # one bad file never stops the run
        outcomes, why = [], f"error: {exc!r}"
    return file, outcomes, why, time.perf_counter() - start


class Run:
    """The outcomes accepted so far, in file order, and the report of them."""

    def __init__(self, seed: int, per_kind: int, per_file: int, out: Path) -> None:
        self.seed, self.per_kind, self.per_file, self.out = seed, per_kind, per_file, out
        self.outcomes: list[Outcome] = []
        self.files = 0
        self.skipped: Counter[str] = Counter()
        self.start = time.perf_counter()

    def usable(self, kind: str) -> int:
        return sum(o.kind == kind and o.status != "unusable" for o in self.outcomes)

    def full(self) -> bool:
        return all(self.usable(k) >= self.per_kind for k in KINDS)

    def add(self, outcomes: list[Outcome], why: str) -> None:
        self.files += 1
        if why:
            self.skipped[why if not why.startswith("error") else "error"] += 1
        for o in outcomes:
            if o.status == "unusable" or self.usable(o.kind) < self.per_kind:
                self.outcomes.append(o)

    def write(self, done: bool) -> None:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        data = {"seed": self.seed, "per_kind": self.per_kind, "per_file": self.per_file,
                "complete": done,
                "files": self.files, "seconds": round(time.perf_counter() - self.start),
                "files_skipped": dict(self.skipped), "summary": self.summary(),
                "mutants": [asdict(o) for o in self.outcomes]}
        self.out.with_suffix(".json").write_text(json.dumps(data, indent=1) + "\n")
        self.out.with_suffix(".md").write_text(report(data))

    def summary(self) -> dict[str, dict[str, Any]]:
        return {kind: tally([o for o in self.outcomes if o.kind == kind]) for kind in KINDS}


def tally(mine: list[Outcome]) -> dict[str, Any]:
    """The counts of one kind's outcomes."""
    usable = [o for o in mine if o.status != "unusable"]
    clean = [o for o in usable if not o.baseline]
    return {"expected": list(EXPECTED[mine[0].kind]) if mine else [], "mutants": len(usable),
            "found": sum(o.status == "found" for o in usable),
            "near": sum(o.near for o in usable), "clean": len(clean),
            "clean_found": sum(o.status == "found" for o in clean),
            "unusable": Counter(reason(o.why) for o in mine if o.status == "unusable"),
            "missed_reported": Counter(",".join(o.reported) or "nothing"
                                       for o in usable if o.status == "missed"),
            "found_by": Counter(e for o in usable if o.status == "found" for e in o.evidence)}


def reason(why: str) -> str:
    """"f() not fully analysed: clang reports errors...: 12:3: ..." -> "clang reports errors..."."""
    return why.split(" not fully analysed: ", 1)[-1].split(":")[0]


def pct(k: int, n: int) -> str:
    lo, hi = wilson(k, n)
    return f"{100 * k / n:.0f}% ({100 * lo:.0f}–{100 * hi:.0f}%)" if n else "-"


def report(data: dict[str, Any]) -> str:
    s = data["summary"]
    lines = [f"# Recall by mutation, seed {data['seed']}", "",
             f"`python bench/mutation.py --seed {data['seed']} --per-kind {data['per_kind']} "
             f"--per-file {data['per_file']}`"
             f"{'' if data['complete'] else ' (partial: the run was still going or was cut off)'}",
             "", f"- files read: {data['files']}; skipped: "
             + (", ".join(f"{n} {why}" for why, n in sorted(data["files_skipped"].items()))
                or "none"),
             f"- time: {data['seconds'] / 60:.0f} min", "",
             "Found: kunwind reports an expected check in the mutated function at a place "
             "the unmutated file does not have. Clean: the unmutated function had no "
             f"report at all. Near: a line of the finding within {NEAR} lines of the edit. "
             "Intervals: 95% Wilson.", "",
             "| kind | expected | mutants | found | recall | near | clean | recall on clean |",
             "|---|---|---:|---:|---|---:|---:|---|"]
    for kind, r in s.items():
        lines.append(f"| {kind} | {'/'.join(EXPECTED[kind])} | {r['mutants']} | {r['found']} | "
                     f"{pct(r['found'], r['mutants'])} | {r['near']} | {r['clean']} | "
                     f"{pct(r['clean_found'], r['clean'])} |")
    lines += notes(data["mutants"])
    lines += ["", "## Unusable mutants (not counted)", ""]
    lines += [f"- {kind}: " + "; ".join(f"{n} {why}" for why, n in r["unusable"].items())
              for kind, r in s.items() if r["unusable"]] or ["- none"]
    lines += ["", "## What the found ones rest on (a mutant counts for each evidence of its "
              "findings)", ""]
    lines += [f"- {kind}: " + "; ".join(f"{n} {e}" for e, n in
                                        sorted(r.get("found_by", {}).items(), key=lambda x: -x[1]))
              for kind, r in s.items() if r.get("found_by")] or ["- not recorded"]
    lines += ["", "## What kunwind reported instead, for the missed ones", ""]
    lines += [f"- {kind}: " + "; ".join(f"{n} {what}" for what, n in
                                        sorted(r["missed_reported"].items(), key=lambda x: -x[1]))
              for kind, r in s.items() if r["missed_reported"]]
    lines += ["", "## Missed mutants", ""]
    lines += [f"- {m['kind']} {m['file']}:{m['line']} {m['function']}(): `{m['what']}`"
              + (f" ({m['note']})" if m["note"] else "")
              + (f" (reported {', '.join(m['reported'])})" if m["reported"] else "")
              for m in data["mutants"] if m["status"] == "missed"]
    return "\n".join(lines) + "\n"


def notes(mutants: list[dict[str, Any]]) -> list[str]:
    """Recall apart for the mutants with a note (drop-errno: the variable declared
    without a value, so that the path returns garbage rather than 0)."""
    out = []
    for kind in KINDS:
        mine = [m for m in mutants if m["kind"] == kind and m["status"] != "unusable"]
        for note in sorted({m["note"] for m in mine if m["note"]}):
            noted = [m for m in mine if m["note"] == note]
            rest = [m for m in mine if not m["note"]]
            k, n = sum(m["status"] == "found" for m in noted), len(noted)
            kr = sum(m["status"] == "found" for m in rest)
            out.append(f"- {kind}, variable {note}: {k} of {n} found, {pct(k, n)}; the "
                       f"others: {kr} of {len(rest)}, {pct(kr, len(rest))}")
    return ["", *out] if out else []


def renote(path: Path, tree: Path) -> None:
    """Mark a finished run's drop-errno mutants as ``run_file`` marks new ones: those
    whose variable holds an error value on every path into the deleted store (read
    from the unmutated files of ``tree``), then write its report again."""
    data = json.loads(path.read_text())
    opts = Options(root=tree, experimental=True)
    for m in data["mutants"]:
        var = ERRNO_VAR.match(m["what"])
        if m["kind"] != "drop-errno" or m["note"] or var is None:
            continue
        file = tree / m["file"]
        if errno_held_before(file, flags_for(file, opts).args, file.read_bytes(),
                             m["function"], m["line"], var[1]):
            m["note"] = HELD
    path.write_text(json.dumps(data, indent=1) + "\n")
    render(path)


def render(path: Path) -> None:
    """Write the markdown report again from a run's JSON."""
    path.with_suffix(".md").write_text(report(json.loads(path.read_text())))


def run(tree: Path, seed: int, per_kind: int, per_file: int, jobs: int, out: Path) -> Run:
    recover()
    r = Run(seed, per_kind, per_file, out)
    full = multiprocessing.Array("i", len(KINDS))
    jobs_ = [(tree, f, seed, per_kind, per_file) for f in draw_files(tree, seed)]
    pool = multiprocessing.Pool(max(1, jobs), _init_worker, (full,))
    try:
        for file, outcomes, why, seconds in pool.imap(_work, jobs_):
            r.add(outcomes, why)
            for i, k in enumerate(KINDS):
                full[i] = r.usable(k)
            r.write(done=False)
            print(f"{file}: {len(outcomes)} mutants, {seconds:.1f} s "
                  f"{[r.usable(k) for k in KINDS]}", flush=True)
            if r.full():
                break
    finally:
        pool.terminate()  # SIGTERM: the workers' finally blocks restore their file
        pool.join()
        recover()  # what a worker killed harder left
    r.write(done=r.full())
    return r


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-kind", type=int, default=20, help="usable mutants of each kind")
    ap.add_argument("--per-file", type=int, default=2,
                    help="mutants of each kind in one file at most (in different functions)")
    ap.add_argument("-j", "--jobs", type=int, default=1)
    ap.add_argument("--tree", type=Path, help="the kernel tree (default: the tests' copy)")
    ap.add_argument("--out", type=Path, help="the report, without suffix "
                    "(default: bench/results/mutation-seedN)")
    ap.add_argument("--render", type=Path, metavar="JSON",
                    help="only write the markdown report of a run's JSON again")
    ap.add_argument("--renote", type=Path, metavar="JSON",
                    help="mark the drop-errno mutants of a run's JSON whose variable holds "
                    "an errno already (errno_held.py), then write its report again")
    args = ap.parse_args()
    if args.render:
        render(args.render)
        return 0
    if args.renote:
        renote(args.renote, (args.tree or kernel_tree()).resolve())
        return 0
    # a kill ends the run through its finally blocks, which restore the tree (a job
    # started in the background ignores SIGINT: it is given back too)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    tree = (args.tree or kernel_tree()).resolve()
    out = args.out or HERE / "results" / f"mutation-seed{args.seed}"
    r = run(tree, args.seed, args.per_kind, args.per_file, args.jobs, out)
    print(f"{out}.md: {r.files} files, {len(r.outcomes)} mutants")
    return 0


if __name__ == "__main__":
    sys.exit(main())
