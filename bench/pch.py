"""A directory-wide PCH: does one precompiled header reused by a directory's files pay?

Builds a PCH of one header (``--header``, default ``linux/mm.h``) with the
directory's clang arguments (less the per-file ``-DKBUILD_*``), then runs
kunwind's frontend (``parse_file``: parse + walk) on every file of the
directory that includes that header, once as kunwind does and once with
``-include-pch``, interleaved, and compares what kunwind takes from each
(errors, functions and their syntax; ``__COUNTER__`` numbers left out, as in
bench/parse_options.py).

    python bench/pch.py [--tree DIR] [--dir mm] [--header linux/mm.h]

Writes bench/results/pch.{md,json}. An experiment: kunwind does not use a PCH.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))

from parse_options import result  # noqa: E402

from kunwind.config import Options  # noqa: E402
from kunwind.flags import flags_for  # noqa: E402
from kunwind.frontend import clang_lib as cl  # noqa: E402
from kunwind.frontend.clang_parse import BASE_ARGS, KEEP_GOING, parse_file  # noqa: E402

FOR_SERIALIZATION = 0x10  # CXTranslationUnit_ForSerialization


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tree", type=Path)
    ap.add_argument("--dir", default="mm")
    ap.add_argument("--header", default="linux/mm.h")
    ap.add_argument("--out", type=Path, default=HERE / "results")
    a = ap.parse_args()
    if a.tree is None:
        from kernelsrc import kernel_tree

        a.tree = kernel_tree()
    line = f"#include <{a.header}>"
    files = [f for f in sorted((a.tree / a.dir).glob("*.c"))
             if line in f.read_text(errors="replace")]
    opts = Options(root=a.tree)
    work = Path(tempfile.mkdtemp(prefix="kunwind-pch-"))
    header, pch = work / "common.h", work / "common.pch"
    header.write_text(line + "\n")
    args = flags_for(files[0], opts).args
    common = [x for x in args if not x.startswith(("-DKBUILD_", "-D__KBUILD_"))]
    start = time.perf_counter()
    tu = cl.cindex().Index.create().parse(str(header), args=[*common, *BASE_ARGS, "-x", "c-header"],
                                          options=FOR_SERIALIZATION | KEEP_GOING)
    tu.save(str(pch))
    del tu
    build = time.perf_counter() - start
    rows = []
    for i, f in enumerate(files):
        args = flags_for(f, opts).args
        with_pch = ["-include-pch", str(pch), *args]
        if i % 2:
            p, d = parse_file(f, with_pch), parse_file(f, args)
        else:
            d, p = parse_file(f, args), parse_file(f, with_pch)
        rows.append({"file": f.relative_to(a.tree).as_posix(), "same": result(d) == result(p),
                     "parse": d.parse_seconds, "lower": d.lower_seconds,
                     "pch_parse": p.parse_seconds, "pch_lower": p.lower_seconds})
        print(f"{rows[-1]['file']:28} {d.parse_seconds:.2f}+{d.lower_seconds:.2f} s, with the "
              f"PCH {p.parse_seconds:.2f}+{p.lower_seconds:.2f} s", file=sys.stderr, flush=True)
    tot = {k: sum(r[k] for r in rows) for k in ("parse", "lower", "pch_parse", "pch_lower")}
    base, with_ = tot["parse"] + tot["lower"], tot["pch_parse"] + tot["pch_lower"] + build
    same = sum(r["same"] for r in rows)
    md = [f"# A PCH of <{a.header}> for {a.dir}/*.c ({len(rows)} files include it; "
          f"load {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores)", "",
          "| | parse s | lower s | total s |", "|---|---|---|---|",
          f"| as kunwind parses | {tot['parse']:.1f} | {tot['lower']:.1f} | {base:.1f} |",
          f"| with the PCH (built once in {build:.1f} s, {pch.stat().st_size >> 20} MiB) "
          f"| {tot['pch_parse']:.1f} | {tot['pch_lower']:.1f} | {with_:.1f} |", "",
          f"With the PCH: {with_ / base:.2f}x the time; the same result for {same} of "
          f"{len(rows)} files.", ""]
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "pch.md").write_text("\n".join(md))
    (a.out / "pch.json").write_text(json.dumps({"build": build, "totals": tot, "files": rows},
                                               indent=1) + "\n")
    print("\n".join(md))
    pch.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
