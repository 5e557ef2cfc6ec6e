"""Pick the clang flags for a file: compile database, kernel tree, or standalone.

In that order: an entry of the given compile_commands.json (exact flags), a
kernel tree detected from the file's path (its ``TreeSetup``, built once per
process, gives the flags Kbuild would use), else GNU C for a standalone file,
with the compiler's own headers (<stddef.h>...) found by
``frontend.builtin_headers``: a kernel tree does not use them. ``flags_for`` is
the one entry point: the pipeline, the audit, the ``cfg`` command and the
benchmarks all get a file's flags from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from .config import Options
from .frontend.builtin_headers import builtin_headers
from .frontend.compile_db import CompileDBError, load_compile_db
from .kernel.guards import defines, enabling, guards, holds
from .kernel.tree import (
    KernelTreeError,
    TreeFlags,
    TreeSetup,
    default_cache_dir,
    fragment_of,
    fragment_prefix,
    setup_for,
    tree_setup,
)

__all__ = ["STANDALONE_ARGS", "CompileDBError", "FileFlags", "KernelTreeError", "flags_for"]

STANDALONE_ARGS = ["-x", "c", "-std=gnu11"]


@dataclass
class FileFlags:
    """The clang arguments of one file, and how they were chosen."""

    args: list[str]  # no source file in them
    notes: list[str] = field(default_factory=list)  # for the user, about the choice
    source: str = "standalone"  # "exact" (given), "compile_db", "kernel" or "standalone"
    built: str | None = None  # kernel tree: "y", "m", "" (not built), None (unknown)
    not_built: str = ""  # kernel tree: why the configuration does not build the file
    configuration: str = ""  # kernel tree: the configuration used, as the summary names it
    tree_root: Path | None = None  # kernel tree: its root (where other files' callees are)
    srcarch: str = ""  # kernel tree: the arch directory its flags are for
    # kernel tree: not kernel code, why (a host, user-space or BPF program): not analysed
    program: str = ""
    # kernel tree: the fallback configuration chosen for a file the implicit one does not
    # build ("allmodconfig", ``Options.unbuilt``); "" otherwise
    fallback: str = ""

    @property
    def hosted(self) -> bool:
        """May the file use a C library: a standalone file, or given flags that do not
        say freestanding or kernel? (``uses_c_library`` tells whether it does.)"""
        if self.source == "kernel":
            return False
        return not any(a in FREESTANDING for a in self.args)


# Flags that say a file is built without a C library (the kernel's among them).
FREESTANDING = frozenset({"-ffreestanding", "-nostdinc", "-nostdlib", "-D__KERNEL__"})
# A C library header included, or a C library function declared at file scope.
_LIBC_HEADER = re.compile(rb"^[ \t]*#[ \t]*include[ \t]*<(?:stdio|stdlib|string|unistd|fcntl|"
                          rb"pthread|errno|dlfcn|netdb|dirent|sys/\w+)\.h>", re.M)
_LIBC_DECL = re.compile(rb"^[\w \t\*]*\b(?:malloc|calloc|realloc|free|fopen|fclose|open|close|"
                        rb"socket|opendir|pthread_mutex_lock)[ \t]*\([^;{]*\)[ \t]*;", re.M)


def uses_c_library(text: bytes) -> bool:
    """Does the file use the C library (a program, not kernel-style code checked on its
    own): it includes one of its headers or declares one of its functions?"""
    return bool(_LIBC_HEADER.search(text) or _LIBC_DECL.search(text))


def flags_for(path: Path, opts: Options, depth: int = 0) -> FileFlags:
    """The flags for ``path`` under ``opts`` (``KernelTreeError``, ``CompileDBError`` or
    ``OSError`` when the tree or the database cannot be used)."""
    notes: list[str] = []
    if opts.exact_args is not None:  # given by the caller (kunwind-cc)
        return FileFlags([*opts.exact_args, *opts.extra_args], notes, "exact")
    if opts.compile_db is not None:
        args = load_compile_db(opts.compile_db).args_for(path)
        if args is not None:
            return FileFlags([*args, *opts.extra_args], notes, "compile_db")
        notes.append(f"not in {opts.compile_db}; using synthesised flags")
    found = setup_for(path.resolve(), opts.arch, opts.build_dir, opts.cache_dir,
                      opts.config_file, opts.defconfig, opts.unbuilt)
    if found is not None:
        setup, tree = found
        if not tree.status.listed and depth < 3:  # no makefile names it: a fragment?
            fragment = _fragment_flags(path, opts, depth)
            if fragment is not None:
                return fragment
        return _kernel_flags(setup, tree, opts, notes)
    headers = builtin_headers().args()
    return FileFlags([*STANDALONE_ARGS, *headers, *opts.extra_args], notes, "standalone")


def _kernel_flags(setup: TreeSetup, tree: TreeFlags, opts: Options,
                  notes: list[str]) -> FileFlags:
    """The ``FileFlags`` of a file of a kernel tree from its setup's ``TreeFlags``."""
    if tree.not_built:
        notes.append(tree.not_built)
    return FileFlags([*tree.args, *opts.extra_args], notes, "kernel", tree.built,
                     tree.not_built, setup.config_label, setup.root, setup.arch.srcarch,
                     tree.status.program, tree.fallback)


def _fragment_flags(path: Path, opts: Options, depth: int) -> FileFlags | None:
    """A kernel .c that no makefile lists and that a .c beside it (or in the directory
    above) ``#include``s (host1x's ``#include "cdma_hw.c"``) is no translation unit of its
    own: it is parsed with its includer's flags, after the includer's code up to that
    ``#include`` (written to the cache as a header given with ``-include``). When the
    ``#include`` sits under an option that the includer's configuration leaves off
    (``#ifdef CONFIG_NFS_V4_2``), the fallback configuration (``--unbuilt``) is used if
    it turns the option on, else the options are turned on before the includer's code
    (``kernel.guards``). The fragment of a host program is that program's, not kernel
    code. None for other files."""
    found = fragment_of(path)
    if found is None:
        return None
    includer, line = found
    outer = flags_for(includer, opts, depth + 1)
    says = f"not built on its own: {includer.name} #includes it (line {line})"
    if outer.program:
        return replace(outer, program=f"{says}, {outer.program}")
    if outer.source != "kernel" or outer.tree_root is None:
        return None
    branches = guards(includer.read_text(errors="replace"), line)
    setup = _setup_of(outer, opts)
    config = setup.config
    if holds(branches, config) is False and setup.implicit and opts.unbuilt:
        try:
            other = tree_setup(outer.tree_root, opts.arch, opts.build_dir, opts.cache_dir,
                               None, opts.unbuilt)
        except (KernelTreeError, OSError):
            other = setup  # the includer's own configuration, with the options turned on
        tree = other.flags_for(includer)
        if other is not setup and tree.built and holds(branches, other.config) is not False:
            outer = _kernel_flags(other, replace(tree, fallback=opts.unbuilt), opts, [])
            config = other.config
    options = enabling(branches, config)
    prefix = fragment_prefix(includer, line, opts.cache_dir or default_cache_dir(),
                             defines(options))
    note = f"{says}; analysed with that file's flags, after its code up to that line"
    if options:
        note += f", with {', '.join(options)} turned on (the #if around that line)"
    return replace(outer, args=[*outer.args, "-iquote", str(includer.parent),
                                "-include", str(prefix)],
                   notes=[note, *(n for n in outer.notes if not n.startswith("not built on"))],
                   not_built=outer.not_built)


def _setup_of(flags: FileFlags, opts: Options) -> TreeSetup:
    """The tree setup (its configuration) that a kernel file's ``flags`` were chosen under."""
    assert flags.tree_root is not None
    if flags.fallback:
        return tree_setup(flags.tree_root, opts.arch, opts.build_dir, opts.cache_dir, None,
                          flags.fallback)
    return tree_setup(flags.tree_root, opts.arch, opts.build_dir, opts.cache_dir,
                      opts.config_file, opts.defconfig)
