"""kunwind's speed benchmark: against libclang's parse floor and the peers, on a kernel directory.

    python bench/run.py                # all parts, mm/*.c of Debian's linux-source-6.12
    python bench/run.py --every 8 --parts inproc,precommit    # a quick look

Every part runs on the same files, DIR/*.c (not the subdirectories), in one
run on this machine; the load average is recorded with each part (other
jobs on the machine make wall times longer, so CPU times are given too).

- ``inproc``: in this process, file by file, alternating which goes first:
  libclang's parse alone with exactly kunwind's arguments and parse options,
  the TU disposed of (the floor), then kunwind's pipeline on the file with its
  stages (flags, parse, lower = kunwind's walk of the clang AST, cfg,
  summaries, analysis = the path walk, output = the SARIF report). Once with
  the flags kunwind synthesises for an unbuilt tree, once with a compile
  database: no build is possible here, so it is a compile_commands.json
  written from the synthesised flags (the database path is timed, its flags
  are not those of a real build).
- ``cli``: ``kunwind check`` as a subprocess, wall time from start to exit,
  with -j1 and -j2 (alternating, ``--cli-repeat`` runs of each, the fastest
  counts; throughput; peak RSS = ru_maxrss of the largest process, a worker:
  the main process holds no TU), with the compile database, and a first and
  second run over a fresh results cache.
- ``precommit``: one edited file (``--file``) in a git repository holding a
  copy of DIR with the rest of the tree symlinked (as tests/test_rmap.py
  does): ``kunwind check FILE`` (also -j0: no worker process), ``--diff HEAD``
  and ``--staged``, and a first and second run over a fresh results cache.
- ``peers``: sparse (one run per file, the kernel's CHECKFLAGS and kunwind's
  include paths and defines), Coccinelle (spatch, one run per script over all
  the files, the kernel's scripts in ``COCCI_SCRIPTS`` with their own
  ``// Options:``) and cppcheck (one run per file, without the kernel's include
  paths: its preprocessor cannot expand the kernel's headers). Missing peers
  are installed with apt-get unless ``--no-install``; one that cannot be is
  skipped, and the results say so.

Results: bench/results/bench.md (tables) and bench.json (everything), with
the core count, the load and the versions.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

from kunwind import __version__  # noqa: E402
from kunwind.config import Options  # noqa: E402
from kunwind.findings import RunResult  # noqa: E402
from kunwind.flags import flags_for  # noqa: E402
from kunwind.frontend.clang_lib import cindex  # noqa: E402
from kunwind.frontend.clang_parse import BASE_ARGS, PARSE_OPTIONS  # noqa: E402
from kunwind.pipeline import analyze_file  # noqa: E402
from kunwind.report import write  # noqa: E402

PARTS = ("inproc", "cli", "precommit", "peers")
STAGES = ("flags", "parse", "lower", "cfg", "summaries", "analysis", "output")
# The kernel's Coccinelle scripts about error handling, releases and locks.
COCCI_SCRIPTS = (
    "free/kfree.cocci",  # use after kfree
    "free/put_device.cocci",  # missing put_device() after of_find_device_by_node()
    "free/iounmap.cocci",  # missing iounmap() on an error path
    "free/clk_put.cocci",  # missing clk_put() on an error path
    "free/devm_free.cocci",  # devm_ allocation freed by hand
    "locks/mini_lock.cocci",  # returning with a lock held
    "locks/double_lock.cocci",  # the same lock taken twice
    "locks/flags.cocci",  # irqsave flags reused while held
    "null/kmerr.cocci",  # kmalloc result not tested
    "tests/odd_ptr_err.cocci",  # IS_ERR() of one pointer, PTR_ERR() of another
)
# scripts/Makefile.build's CHECKFLAGS for x86_64 (plus arch/x86/Makefile's)
SPARSE_FLAGS = ["-D__linux__", "-Dlinux", "-D__STDC__", "-Dunix", "-D__unix__", "-Wbitwise",
                "-Wno-return-void", "-Wno-unknown-attribute", "-D__x86_64__",
                "--arch=x86_64", "-mlittle-endian", "-m64"]
CPPCHECK_FLAGS = ["--quiet", "--enable=warning,style", "--inconclusive", "--language=c",
                  "--std=c11", "--platform=unix64", "--max-configs=1", "-D__KERNEL__"]
REPORT_LINE = re.compile(r":\d+(:\d+)?[:-]")  # file:line:col: ... (spatch: file:line:c-c:)


# --- measuring ----------------------------------------------------------------------------
def load() -> float:
    return round(os.getloadavg()[0], 2)


def run_cmd(argv: list[str], cwd: Path, timeout: float | None = None,
            env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``argv``; wall seconds start to exit, CPU seconds and peak RSS (of it or a child)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=err, env=env)
        timed_out = False
        deadline = None if timeout is None else start + timeout
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if deadline is not None and time.perf_counter() > deadline:
                proc.kill()
                timed_out = True
            time.sleep(0.005)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
    return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "maxrss_mib": ru.ru_maxrss / 1024,
            "exit": proc.returncode, "timed_out": timed_out, "stdout": stdout,
            "stderr": stderr, "load": load()}


def brief(r: dict[str, Any]) -> dict[str, Any]:
    """A run's numbers, without its output."""
    return {k: v for k, v in r.items() if k not in ("stdout", "stderr")}


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else 0.0


def kunwind_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("kunwind")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "kunwind"]


# --- the parts ----------------------------------------------------------------------------
def floor_parse(path: Path, args: list[str]) -> tuple[float, float]:
    """libclang's parse alone, TU disposed of: (wall, cpu) seconds."""
    ci = cindex()
    data = path.read_bytes()
    wall, cpu = time.perf_counter(), time.process_time()
    tu = ci.Index.create().parse(str(path), args=[*args, *BASE_ARGS],
                                 unsaved_files=[(str(path), data)], options=PARSE_OPTIONS)
    del tu
    return time.perf_counter() - wall, time.process_time() - cpu


def kunwind_file(path: Path, opts: Options, root: Path) -> tuple[float, float, Any]:
    """kunwind on one file, SARIF output included: (wall, cpu, FileResult)."""
    wall, cpu = time.perf_counter(), time.process_time()
    res = analyze_file(path, opts, root)
    out = time.perf_counter()
    write(RunResult(files=[res], root=str(root)), "sarif")
    res.timings["output"] = time.perf_counter() - out
    return time.perf_counter() - wall, time.process_time() - cpu, res


def inproc(files: list[Path], tree: Path, opts: Options, label: str) -> dict[str, Any]:
    rows = []
    started = load()
    for i, f in enumerate(files):
        args = flags_for(f, opts).args
        if i % 2:
            k_wall, k_cpu, res = kunwind_file(f, opts, tree)
            f_wall, f_cpu = floor_parse(f, args)
        else:
            f_wall, f_cpu = floor_parse(f, args)
            k_wall, k_cpu, res = kunwind_file(f, opts, tree)
        row = {"file": f.relative_to(tree).as_posix(), "floor": f_wall, "floor_cpu": f_cpu,
               "kunwind": k_wall, "kunwind_cpu": k_cpu, "functions": res.functions,
               "findings": len(res.findings), "parsed": res.parsed,
               **{s: res.timings.get(s, 0.0) for s in STAGES}}
        rows.append(row)
        print(f"[{label}] {row['file']:30} floor {f_wall:5.2f}s kunwind {k_wall:6.2f}s "
              f"(analysis {row['analysis']:5.2f}s)", file=sys.stderr, flush=True)
    floor = sum(r["floor"] for r in rows)
    total = sum(r["kunwind"] for r in rows)
    stages = {s: sum(r[s] for r in rows) for s in STAGES}
    front = [r["parse"] + r["lower"] for r in rows]
    return {
        "files": len(rows), "load_start": started, "load_end": load(),
        "floor_seconds": floor, "kunwind_seconds": total, "ratio_total": total / floor,
        "ratio_median": median([r["kunwind"] / r["floor"] for r in rows if r["floor"]]),
        "ratio_cpu": sum(r["kunwind_cpu"] for r in rows) / sum(r["floor_cpu"] for r in rows),
        "frontend_ratio": sum(front) / floor,
        "frontend_ratio_median": median([(r["parse"] + r["lower"]) / r["floor"]
                                         for r in rows if r["floor"]]),
        "floor_median": median([r["floor"] for r in rows]),
        "kunwind_median": median([r["kunwind"] for r in rows]),
        "stages": stages, "other": total - sum(stages.values()),
        "functions": sum(r["functions"] for r in rows),
        "findings": sum(r["findings"] for r in rows),
        "rows": rows,
    }


def write_compile_db(files: list[Path], tree: Path, opts: Options, dest: Path) -> Path:
    """A compile_commands.json of the synthesised flags (no real build is possible here)."""
    entries = []
    for f in files:
        args = flags_for(f, opts).args
        entries.append({"directory": str(tree), "file": str(f),
                        "arguments": ["clang", *args, "-c", str(f), "-o", f"{f.stem}.o"]})
    path = dest / "compile_commands.json"
    path.write_text(json.dumps(entries, indent=1))
    return path


def cli(files: list[Path], tree: Path, db: Path, work: Path, repeat: int) -> dict[str, Any]:
    names = [f.relative_to(tree).as_posix() for f in files]
    base = [*kunwind_cmd(), "check", "--experimental", "-q", "--format", "sarif", "-o",
            str(work / "out.sarif")]
    out: dict[str, Any] = {}
    runs: dict[str, list[str]] = {
        "j1": ["--no-cache", "-j1"], "j2": ["--no-cache", "-j2"],
        "db_j2": ["--no-cache", "-j2", "--compile-commands", str(db)]}
    # -j1 and -j2 alternate (j1 j2 j2 j1 ...), the fastest of each counts: the load of
    # the machine's other jobs drifts during a run
    order = [["j1", "j2"], ["j2", "j1"]] * repeat
    for label in [x for pair in order[:repeat] for x in pair] + ["db_j2"]:
        r = run_cmd([*base, *runs[label], *names], tree)
        print(f"[cli] {label}: {r['wall']:.1f}s wall, {r['cpu']:.1f}s cpu, "
              f"{r['maxrss_mib']:.0f} MiB, exit {r['exit']}, load {r['load']}",
              file=sys.stderr, flush=True)
        walls = out.get(label, {}).get("walls", []) + [round(r["wall"], 2)]
        if label not in out or r["wall"] < out[label]["wall"]:
            out[label] = brief(r) | {"files_per_s": len(files) / r["wall"]}
            if r["exit"] not in (0, 1):
                out[label]["stderr_tail"] = r["stderr"][-2000:]
        out[label]["walls"] = walls
    out |= cached_pair([*base, "-j2"], names, tree, work / "results-cache", "cli")
    out["speedup_j2"] = out["j1"]["wall"] / out["j2"]["wall"]
    out["cache_ratio"] = out["cache_second"]["wall"] / out["cache_first"]["wall"]
    return out


def cached_pair(argv: list[str], names: list[str], tree: Path, cache: Path,
                part: str) -> dict[str, Any]:
    """A first run over an empty results cache, then a second one that should only hit it.

    Any edit of kunwind's own files between the two (an editable install in a tree that
    others edit) invalidates the cache: then the pair is run again, up to 3 times.
    """
    argv = [a for a in argv if a != "-q"]
    out: dict[str, Any] = {}
    for attempt in range(3):
        shutil.rmtree(cache, ignore_errors=True)
        first = run_cmd([*argv, "--cache-dir", str(cache), *names], tree)
        second = run_cmd([*argv, "--cache-dir", str(cache), *names], tree)
        m = re.search(r"(\d+) from cache", second["stderr"])
        hits = int(m.group(1)) if m else 0
        out = {"cache_first": brief(first), "cache_second": brief(second) | {"hits": hits},
               "cache_attempts": attempt + 1}
        print(f"[{part}] cache: first {first['wall']:.1f}s, second {second['wall']:.2f}s "
              f"({hits}/{len(names)} from cache)", file=sys.stderr, flush=True)
        if hits == len(names):
            break
    return out


def overlay(tree: Path, sub: str, dest: Path) -> Path:
    """A copy of ``tree`` that shares everything but ``sub`` (symlinks), as a git repository."""
    dest.mkdir()
    for entry in tree.iterdir():
        if entry.name != sub:
            (dest / entry.name).symlink_to(entry)
    shutil.copytree(tree / sub, dest / sub, symlinks=True)
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
    for argv in (["git", "init", "-q"], [*git, "add", "-A"], [*git, "commit", "-q", "-m", "base"]):
        subprocess.run(argv, cwd=dest, check=True, capture_output=True)
    return dest


def edit(path: Path) -> int:
    """A small edit: a comment line before the first top-level definition; its line."""
    lines = path.read_text(errors="surrogateescape").splitlines(keepends=True)
    at = next((i for i, ln in enumerate(lines) if re.match(r"(static |int |void )", ln)),
              len(lines))
    lines.insert(at, "/* kunwind bench: an edited line */\n")
    path.write_text("".join(lines), errors="surrogateescape")
    return at + 1


def precommit(tree: Path, rel: str, work: Path, repeat: int, help_text: str) -> dict[str, Any]:
    repo = overlay(tree, rel.split("/")[0], work / "repo")
    line = edit(repo / rel)
    k = kunwind_cmd()
    out: dict[str, Any] = {"file": rel, "edited_line": line, "repeat": repeat}
    first = run_cmd([*k, "check", "--experimental", "--no-cache", rel], repo)
    out["first_on_new_tree"] = brief(first)  # creates the shim for this tree path
    cases: dict[str, list[str]] = {
        "check FILE": [*k, "check", "--experimental", "--no-cache", rel],
        "check -j0 FILE": [*k, "check", "--experimental", "--no-cache", "-j0", rel],
    }
    if "--diff" in help_text:
        cases["check --diff HEAD"] = [*k, "check", "--experimental", "--no-cache", "--diff",
                                      "HEAD"]
    if "--staged" in help_text:
        subprocess.run(["git", "add", rel], cwd=repo, check=True)
        cases["check --staged"] = [*k, "check", "--experimental", "--no-cache", "--staged"]
    imports = [sys.executable, "-c", "import kunwind.cli, kunwind.pipeline, kunwind.audit"]
    cases["python + kunwind imports only"] = imports
    for name, argv in cases.items():
        runs = [run_cmd(argv, repo) for _ in range(repeat)]
        walls = [r["wall"] for r in runs]
        out[name] = {"median": median(walls), "min": min(walls), "max": max(walls),
                     "cpu_median": median([r["cpu"] for r in runs]),
                     "exit": runs[-1]["exit"], "load": runs[-1]["load"],
                     "summary": runs[-1]["stderr"].strip().splitlines()[-3:]}
        print(f"[precommit] {name}: median {median(walls):.2f}s", file=sys.stderr, flush=True)
    out |= cached_pair([*k, "check", "--experimental"], [rel], repo, work / "precommit-cache",
                       "precommit")
    out["cache_ratio"] = out["cache_second"]["wall"] / out["cache_first"]["wall"]
    return out


def sparse_args(args: list[str]) -> list[str]:
    """kunwind's clang arguments that sparse understands: include paths, macros, -std."""
    keep: list[str] = []
    it = iter(args)
    for a in it:
        if a in ("-include", "-isystem", "-I", "-D", "-U"):
            keep += [a, next(it, "")]
        elif a.startswith(("-I", "-D", "-U", "-std=")) or a == "-nostdinc":
            keep.append(a)
    return keep


def peer_versions() -> dict[str, str]:
    out = {}
    for tool, argv in (("sparse", ["sparse", "--version"]), ("spatch", ["spatch", "--version"]),
                       ("cppcheck", ["cppcheck", "--version"])):
        try:
            p = subprocess.run(argv, capture_output=True, text=True, timeout=60)
            first = (p.stdout or p.stderr).strip().splitlines()[0]
            m = re.search(r"\d+\.\d+(\.\d+)?", first)
            out[tool] = m.group() if m else first
        except (OSError, subprocess.TimeoutExpired, IndexError):
            out[tool] = ""
    return out


def install_peers(allowed: bool) -> dict[str, str]:
    """apt-get install the missing peers; {tool: why it is unavailable} for the rest."""
    packages = {"sparse": "sparse", "spatch": "coccinelle", "cppcheck": "cppcheck"}
    missing = [t for t in packages if shutil.which(t) is None]
    if missing and allowed and shutil.which("apt-get") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        pkgs = [packages[t] for t in missing]
        p = subprocess.run(["apt-get", "install", "-y", "-q", *pkgs], env=env,
                           capture_output=True)
        if p.returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True)
            subprocess.run(["apt-get", "install", "-y", "-q", *pkgs], env=env,
                           capture_output=True)
    why = "not installed (--no-install)" if not allowed else "could not be installed"
    return {t: why for t in packages if shutil.which(t) is None}


def per_file(tool: str, files: list[Path], tree: Path,
             argv_for: Callable[[Path], list[str]]) -> dict[str, Any]:
    runs = []
    for f in files:
        r = run_cmd(argv_for(f), tree, timeout=300)
        runs.append({"file": f.relative_to(tree).as_posix(), **brief(r),
                     "reports": sum(1 for ln in (r["stdout"] + r["stderr"]).splitlines()
                                    if REPORT_LINE.search(ln))})
    walls = [r["wall"] for r in runs]
    print(f"[peers] {tool}: {sum(walls):.1f}s", file=sys.stderr, flush=True)
    return {"wall": sum(walls), "cpu": sum(r["cpu"] for r in runs), "median": median(walls),
            "reports": sum(r["reports"] for r in runs),
            "timeouts": sum(r["timed_out"] for r in runs), "runs": runs}


def peers(files: list[Path], tree: Path, opts: Options, allowed: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"skipped": install_peers(allowed)}
    out["versions"] = peer_versions()
    if "sparse" not in out["skipped"]:
        def sparse_argv(f: Path) -> list[str]:
            return ["sparse", *sparse_args(flags_for(f, opts).args), *SPARSE_FLAGS, str(f)]

        out["sparse"] = per_file("sparse", files, tree, sparse_argv)
    if "cppcheck" not in out["skipped"]:
        out["cppcheck"] = per_file("cppcheck", files, tree,
                                   lambda f: ["cppcheck", *CPPCHECK_FLAGS, str(f)])
    if "spatch" not in out["skipped"]:
        scripts = []
        for s in COCCI_SCRIPTS:
            cocci = tree / "scripts/coccinelle" / s
            if not cocci.is_file():
                continue
            m = re.search(r"^// Options:(.*)$", cocci.read_text(), re.M)
            argv = ["spatch", "-D", "report", "--no-show-diff", "--very-quiet",
                    "--cocci-file", str(cocci), *(m.group(1).split() if m else []),
                    *(str(f) for f in files)]
            r = run_cmd(argv, tree, timeout=1800)
            reports = sum(1 for ln in r["stdout"].splitlines() if REPORT_LINE.search(ln))
            scripts.append({"script": s, **brief(r), "reports": reports})
            print(f"[peers] spatch {s}: {r['wall']:.1f}s", file=sys.stderr, flush=True)
        wall = sum(s["wall"] for s in scripts)
        out["spatch"] = {"wall": wall, "cpu": sum(s["cpu"] for s in scripts),
                         "median": wall / len(files), "reports": sum(s["reports"] for s in scripts),
                         "timeouts": sum(s["timed_out"] for s in scripts), "scripts": scripts}
    return out


# --- the report ---------------------------------------------------------------------------
def versions() -> dict[str, str]:
    from kunwind.frontend.clang_lower import _CXString, native

    lib = cindex().conf.lib
    get = lib._FuncPtr(("clang_getClangVersion", lib))  # not wrapped right by the bindings
    get.argtypes, get.restype = [], _CXString
    try:
        wheel = f" (PyPI libclang {metadata.version('libclang')})"
    except metadata.PackageNotFoundError:
        wheel = ""
    return {"kunwind": __version__, "libclang": native().string(get()) + wheel,
            "python": platform.python_version()}


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cores": os.cpu_count(), "usable_cores": len(os.sched_getaffinity(0)),
            "cpu": model, "system": platform.platform()}


def targets(res: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(target, measured, met?) for the targets of the tool as a whole."""
    out = []
    ip = res.get("inproc", {}).get("unbuilt")
    if ip:
        out.append(("kunwind over the directory <= 1.3x the parse floor",
                    f"{ip['ratio_total']:.2f}x (frontend alone {ip['frontend_ratio']:.2f}x)",
                    "yes" if ip["ratio_total"] <= 1.3 else "no"))
    pc = res.get("precommit")
    if pc:
        w = pc["check FILE"]["median"]
        out.append((f"pre-commit check of {pc['file']} < 2 s wall (unbuilt tree)", f"{w:.2f} s",
                    "yes" if w < 2 else "no"))
        if "check --diff HEAD" in pc:
            d = pc["check --diff HEAD"]["median"]
            out.append(("the same, --diff HEAD", f"{d:.2f} s", "yes" if d < 2 else "no"))
        out.append(("second (cached) run <= 5% of the first (one file)",
                    f"{100 * pc['cache_ratio']:.0f}%", "yes" if pc["cache_ratio"] <= .05 else "no"))
    c = res.get("cli")
    if c:
        out.append(("second (cached) run <= 5% of the first (the directory)",
                    f"{100 * c['cache_ratio']:.1f}%", "yes" if c["cache_ratio"] <= .05 else "no"))
        out.append(("-j2 >= 1.7x faster than -j1", f"{c['speedup_j2']:.2f}x",
                    "yes" if c["speedup_j2"] >= 1.7 else "no"))
    return out


def markdown(res: dict[str, Any]) -> str:
    m, v = res["machine"], res["versions"]
    md = [f"# kunwind speed: {res['dir']}/*.c of {res['tree_name']} ({res['files']} files)", "",
          f"Run {res['date']} with `{res['command']}`; {m['cores']} cores ({m['cpu']}); "
          f"load average {res['load_start']} at the start, {res['load_end']} at the end "
          "(other jobs ran on the machine). kunwind " + v["kunwind"] + ", libclang "
          + v["libclang"] + ", Python " + v["python"]
          + "".join(f", {k} {x}" for k, x in res.get("peers", {}).get("versions", {}).items()
                    if x) + ".", ""]
    ip = res.get("inproc", {})
    if ip:
        md += ["## kunwind against the parse floor (in process, file by file)", "",
               "| flags | floor s | kunwind s | kunwind / floor | per-file median | CPU ratio "
               "| frontend (parse+lower) / floor |", "|---|---|---|---|---|---|---|"]
        for name, label in (("unbuilt", "unbuilt tree (synthesised)"),
                            ("compile_db", "compile database (made from them)")):
            r = ip.get(name)
            if r:
                md.append(f"| {label} | {r['floor_seconds']:.1f} | {r['kunwind_seconds']:.1f} "
                          f"| {r['ratio_total']:.2f} | {r['ratio_median']:.2f} "
                          f"| {r['ratio_cpu']:.2f} | {r['frontend_ratio']:.2f} |")
        r = ip.get("unbuilt")
        if r:
            md += ["", "| stage (unbuilt tree) | s | share |", "|---|---|---|"]
            for s in (*STAGES, "other"):
                x = r["stages"].get(s, r["other"] if s == "other" else 0.0)
                md.append(f"| {s} | {x:.2f} | {100 * x / r['kunwind_seconds']:.0f}% |")
            slow = sorted(r["rows"], key=lambda x: -x["analysis"])[:8]
            md += ["", "Slowest files in analysis (summaries + path walk): " + ", ".join(
                f"{x['file']} {x['analysis']:.1f}s" for x in slow) + "."]
    c = res.get("cli")
    if c:
        md += ["", "## `kunwind check` end to end (subprocess)", "",
               "| run | wall s | CPU s | files/s | peak RSS MiB | load |",
               "|---|---|---|---|---|---|"]
        for k, label in (("j1", "-j1"), ("j2", "-j2"), ("db_j2", "-j2, compile database"),
                         ("cache_first", "-j2, fresh results cache"),
                         ("cache_second", "-j2, second run (cached)")):
            r = c[k]
            md.append(f"| {label} | {r['wall']:.1f} | {r['cpu']:.1f} | "
                      f"{res['files'] / r['wall']:.2f} | {r['maxrss_mib']:.0f} | {r['load']} |")
        md.append(f"\n-j1 runs {c['j1']['walls']} s, -j2 runs {c['j2']['walls']} s (alternating, "
                  f"the fastest counts); -j2 / -j1 speed-up {c['speedup_j2']:.2f}x; cached run "
                  f"{100 * c['cache_ratio']:.1f}% of the first "
                  f"({c['cache_second']['hits']}/{res['files']} files from the cache).")
    pc = res.get("precommit")
    if pc:
        md += ["", f"## Pre-commit: one edited file ({pc['file']}, a line added at "
               f"{pc['edited_line']}), git repo of a copy of {res['dir']}/", "",
               f"| command | median s (of {pc['repeat']}) | min | max | CPU s |",
               "|---|---|---|---|---|"]
        for k, r in pc.items():
            if isinstance(r, dict) and "median" in r:
                md.append(f"| `{k}` | {r['median']:.2f} | {r['min']:.2f} | {r['max']:.2f} | "
                          f"{r['cpu_median']:.2f} |")
        md.append(f"\nFirst run on the new tree path (shim creation): "
                  f"{pc['first_on_new_tree']['wall']:.2f} s; with the results cache: first "
                  f"{pc['cache_first']['wall']:.2f} s, second {pc['cache_second']['wall']:.2f} s "
                  f"({100 * pc['cache_ratio']:.0f}%).")
    p = res.get("peers")
    if p:
        md += ["", "## Peers on the same files (one process at a time)", "",
               "| tool | how | wall s | CPU s | per file s | reports |",
               "|---|---|---|---|---|---|"]
        if ip.get("unbuilt"):
            r = ip["unbuilt"]
            md.append(f"| kunwind | in process, all checks | {r['kunwind_seconds']:.1f} | | "
                      f"{r['kunwind_median']:.2f} (median) | {r['findings']} |")
        how = {"sparse": "per file, kernel CHECKFLAGS", "cppcheck": "per file, no kernel includes",
               "spatch": f"{len(p.get('spatch', {}).get('scripts', []))} scripts over all files"}
        for t in ("sparse", "spatch", "cppcheck"):
            if t in p:
                r = p[t]
                kind = "(mean)" if t == "spatch" else "(median)"
                md.append(f"| {t} | {how[t]} | {r['wall']:.1f} | {r['cpu']:.1f} | "
                          f"{r['median']:.2f} {kind} | {r['reports']} |")
        for t, why in p["skipped"].items():
            md.append(f"| {t} | skipped: {why} | | | | |")
        if "spatch" in p:
            md.append("\nCoccinelle scripts: " + ", ".join(s["script"] for s in
                                                          p["spatch"]["scripts"]) + ".")
    t = targets(res)
    if t:
        md += ["", "## Targets", "", "| target | now | met |", "|---|---|---|"]
        md += [f"| {a} | {b} | {c} |" for a, b, c in t]
    return "\n".join(md) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tree", type=Path, help="kernel tree (default: the tests' cached "
                    "Debian linux-source-6.12, fetched when missing)")
    ap.add_argument("--dir", default="mm")
    ap.add_argument("--every", type=int, default=1, help="only every N-th file (quick runs)")
    ap.add_argument("--parts", default=",".join(PARTS), help="among: " + ", ".join(PARTS))
    ap.add_argument("--file", default="mm/rmap.c", help="the pre-commit case's file")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each pre-commit command")
    ap.add_argument("--cli-repeat", type=int, default=2,
                    help="runs of -j1 and of -j2 (alternating; the fastest counts)")
    ap.add_argument("--no-install", action="store_true", help="do not apt-get the peers")
    ap.add_argument("--out", type=Path, default=HERE / "results")
    a = ap.parse_args()
    parts = [p for p in a.parts.split(",") if p]
    if unknown := set(parts) - set(PARTS):
        ap.error(f"unknown parts: {', '.join(sorted(unknown))}")
    if a.tree is None:
        from kernelsrc import kernel_tree

        a.tree = kernel_tree()
    tree = a.tree.resolve()
    files = sorted((tree / a.dir).glob("*.c"))[:: a.every]
    opts = Options(root=tree, experimental=True)
    flags_for(files[0], opts)  # the generated-header shim, outside the timings
    help_text = run_cmd([*kunwind_cmd(), "check", "--help"], tree)["stdout"]
    res: dict[str, Any] = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python bench/run.py " + " ".join(sys.argv[1:]),
        "tree": str(tree), "tree_name": tree.name, "dir": a.dir, "files": len(files),
        "machine": machine(), "versions": versions(), "load_start": load(),
        "kunwind_check_options": sorted(set(re.findall(r"--[a-z-]+", help_text))),
    }
    with tempfile.TemporaryDirectory(prefix="kunwind-bench-") as tmp:
        work = Path(tmp)
        db = write_compile_db(files, tree, opts, work)
        if "inproc" in parts:
            res["inproc"] = {"unbuilt": inproc(files, tree, opts, "unbuilt")}
            db_opts = Options(root=tree, compile_db=db, experimental=True)
            res["inproc"]["compile_db"] = inproc(files, tree, db_opts, "compile db")
        if "cli" in parts:
            res["cli"] = cli(files, tree, db, work, a.cli_repeat)
        if "precommit" in parts:
            res["precommit"] = precommit(tree, a.file, work, a.repeat, help_text)
        if "peers" in parts:
            res["peers"] = peers(files, tree, opts, not a.no_install)
    res["load_end"] = load()
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "bench.json").write_text(json.dumps(res, indent=1) + "\n")
    text = markdown(res)
    (a.out / "bench.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
