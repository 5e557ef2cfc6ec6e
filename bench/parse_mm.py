"""Measure the synthesised kernel flags: parse every mm/*.c of a kernel tree with libclang.

For each file: whether the configuration builds it, the error diagnostics,
the ``return -E...`` statements found in the AST against those in the text,
and the parse time. Also times the shim (first time, from the disk cache, in
process) and checks anon_vma_fork() of mm/rmap.c.

    python bench/parse_mm.py [--root /tmp/ksrc/linux-source-6.12] [--verbose]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from clang import cindex

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kunwind.kernel import tree as kernel_tree  # noqa: E402

RETURN_E_TEXT = re.compile(r"\breturn\s+-E[A-Z0-9]+\s*;")
E_NAME = re.compile(r"^E[A-Z0-9]+$")


def main_file_functions(tu: cindex.TranslationUnit, path: str):
    for cursor in tu.cursor.get_children():
        loc = cursor.location
        if (
            cursor.kind == cindex.CursorKind.FUNCTION_DECL
            and cursor.is_definition()
            and loc.file is not None
            and loc.file.name == path
        ):
            yield cursor


def returns_of_errno(function: cindex.Cursor) -> int:
    count = 0
    for node in function.walk_preorder():
        if node.kind == cindex.CursorKind.RETURN_STMT:
            words = [t.spelling for t in node.get_tokens()][:3]
            if len(words) == 3 and words[1] == "-" and E_NAME.match(words[2]):
                count += 1
    return count


def check_anon_vma_fork(tu: cindex.TranslationUnit, path: str) -> str:
    for fn in main_file_functions(tu, path):
        if fn.spelling != "anon_vma_fork":
            continue
        enomem = store = False
        for node in fn.walk_preorder():
            words = [t.spelling for t in node.get_tokens()]
            if node.kind == cindex.CursorKind.RETURN_STMT:
                enomem = enomem or words[:3] == ["return", "-", "ENOMEM"]
            if node.kind == cindex.CursorKind.BINARY_OPERATOR and words == [
                "vma", "->", "anon_vma", "=", "NULL"
            ]:
                store = True
        return f"anon_vma_fork: return -ENOMEM {'found' if enomem else 'MISSING'}, " \
               f"vma->anon_vma = NULL {'found' if store else 'MISSING'}"
    return "anon_vma_fork: function MISSING"


def time_setup(root: Path, arch: str) -> None:
    """Shim creation in an empty cache, then reuse from disk, then from memory."""
    fresh = Path(tempfile.mkdtemp(prefix="kunwind-bench-cache-"))
    t = time.perf_counter()
    setup = kernel_tree.tree_setup(root, arch, cache_dir=fresh)
    first = time.perf_counter() - t
    kernel_tree.forget_setups()
    t = time.perf_counter()
    kernel_tree.tree_setup(root, arch, cache_dir=fresh)
    disk = time.perf_counter() - t
    t = time.perf_counter()
    kernel_tree.tree_setup(root, arch, cache_dir=fresh)
    memory = time.perf_counter() - t
    kernel_tree.forget_setups()
    shutil.rmtree(fresh, ignore_errors=True)
    print(f"config: {setup.config_source}")
    print(f"shim: first {first:.2f}s (creation {setup.shim_seconds:.2f}s), "
          f"from disk cache {disk:.3f}s, in process {memory * 1000:.3f}ms")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=Path("/tmp/ksrc/linux-source-6.12"))
    ap.add_argument("--arch", default="x86")
    ap.add_argument("--cache-dir", type=Path, default=None)
    ap.add_argument("--glob", default="mm/*.c")
    ap.add_argument("--verbose", "-v", action="store_true", help="print the first errors")
    opts = ap.parse_args()
    root = opts.root.resolve()

    time_setup(root, opts.arch)
    rows = []
    index = cindex.Index.create()
    for path in sorted(root.glob(opts.glob)):
        flags = kernel_tree.tree_setup(root, opts.arch, cache_dir=opts.cache_dir).flags_for(path)
        status, args = flags.status, flags.args
        t = time.perf_counter()
        tu = index.parse(str(path), args=[*args, "-ferror-limit=0"])
        seconds = time.perf_counter() - t
        errors = [d for d in tu.diagnostics if d.severity >= cindex.Diagnostic.Error]
        found = sum(returns_of_errno(fn) for fn in main_file_functions(tu, str(path)))
        text = len(RETURN_E_TEXT.findall(path.read_text(errors="replace")))
        built = {"y": "built", "m": "module", "": "not built", None: "unknown"}[status.built]
        rows.append((path.relative_to(root).as_posix(), built, len(errors), found, text, seconds))
        print(f"{rows[-1][0]:34} {built:9} errors {len(errors):4}  return -E: {found:3}/{text:3}"
              f"  {seconds:5.2f}s", flush=True)
        if opts.verbose:
            for d in errors[:3]:
                print(f"    {d.location.file}:{d.location.line}: {d.spelling}")
        if path.name == "rmap.c":
            print("    " + check_anon_vma_fork(tu, str(path)))
        del tu, errors

    for label in ("built", "module", "not built", "unknown"):
        group = [r for r in rows if r[1] == label]
        if not group:
            continue
        clean = sum(1 for r in group if r[2] == 0)
        print(f"{label}: {len(group)} files, {clean} with 0 errors, "
              f"{sum(r[2] for r in group)} errors, return -E {sum(r[3] for r in group)}"
              f"/{sum(r[4] for r in group)} (in the AST / in the text, #if'd-out code included)")
    times = [r[5] for r in rows]
    if times:
        print(f"parse: median {statistics.median(times):.2f}s, max {max(times):.2f}s, "
              f"total {sum(times):.1f}s over {len(times)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
