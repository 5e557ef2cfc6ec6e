"""Pick the clang flags for a file: compile database, kernel tree, or standalone.

In that order: an entry of the given compile_commands.json (exact flags), a
kernel tree detected from the file's path (flags and generated headers
synthesised), else plain GNU C for a standalone file.
"""

from __future__ import annotations

from pathlib import Path

from kunwind.config import Options

from .compile_db import load_compile_db
from .kernel_tree import build_status, find_kernel_root, kernel_args

STANDALONE_ARGS = ["-x", "c", "-std=gnu11"]


def flags_for(path: Path, opts: Options) -> tuple[list[str], list[str]]:
    """(clang arguments, notes about how they were chosen)."""
    notes: list[str] = []
    if opts.exact_args is not None:  # given by the caller (kunwind-cc)
        return [*opts.exact_args, *opts.extra_args], notes
    if opts.compile_db is not None:
        db = load_compile_db(opts.compile_db)
        args = db.args_for(path)
        if args is not None:
            return [*args, *opts.extra_args], notes
        notes.append(f"not in {opts.compile_db}; using synthesised flags")
    root = find_kernel_root(path.resolve())
    if root is not None:
        args = kernel_args(path.resolve(), root, arch=opts.arch, build_dir=opts.build_dir,
                           cache_dir=opts.cache_dir)
        status = build_status(path.resolve(), root, arch=opts.arch, build_dir=opts.build_dir,
                              cache_dir=opts.cache_dir)
        if status.built == "":
            config = "the build directory's .config" if opts.build_dir else (
                "the tree's .config" if (root / ".config").is_file()
                else f"the {opts.arch} defconfig")
            notes.append(f"not built by the kernel configuration ({config}): code behind "
                         "disabled options does not parse, and the functions holding it are "
                         "not analysed; use --build-dir with a configuration that builds it")
        return [*args, *opts.extra_args], notes
    return [*STANDALONE_ARGS, *opts.extra_args], notes
