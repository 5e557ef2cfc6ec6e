"""A run's configuration: what the command line (or a library caller) asked for.

``Options`` is the one object every layer below the CLI receives (``opts``);
``UsageError`` is a mistake in it, reported in one line with exit status 2.
It imports nothing of kunwind, so every layer may import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class UsageError(Exception):
    """A mistake on the command line: reported in one line, exit status 2."""


@dataclass
class Options:
    arch: str = "x86"
    build_dir: Path | None = None
    # the kernel configuration (--config FILE, --defconfig NAME); None: the build
    # directory's or the tree's .config, else the arch defconfig
    config_file: Path | None = None
    defconfig: str | None = None
    compile_db: Path | None = None  # a compile_commands.json file
    root: Path | None = None  # paths in output are relative to this
    rules: list[str] | None = None  # rule ids to run; None: the default ones
    experimental: bool = False  # with rules None: the experimental rules too
    extra_args: list[str] = field(default_factory=list)
    cache_dir: Path | None = None
    knowledge: list[Path] = field(default_factory=list)  # extra API knowledge files
    # audits (kunwind/audit.py): worker processes (0: in this process, no isolation),
    # seconds per file in a worker, the results cache (None: off), --shard (K, N),
    # a progress bar on stderr; exact_args: these clang arguments for every file
    # (kunwind-cc), instead of choosing them
    jobs: int = 0
    timeout: float | None = None
    results_cache: Path | None = None
    shard: tuple[int, int] | None = None
    progress: bool = False
    exact_args: list[str] | None = None
    # budgets per function: basic blocks of its CFG, path states of the walk; a
    # function over either is reported as not fully analysed
    max_blocks: int = 20000
    max_states: int = 20000
    # name the functions an #if leaves out of the configuration used (checks of files
    # named on the command line, --diff, --staged): it costs clang a preprocessing
    # record, so directory audits only count the files the configuration does not build
    skipped_code: bool = False
    # the configuration for a file the implicit one (the arch defconfig) does not
    # build, e.g. "allmodconfig" (--unbuilt); None: that defconfig for every file
    unbuilt: str | None = None
    # files left out (--exclude, and the project file's exclude): fnmatch patterns
    # over the path relative to exclude_root (the project file's directory, or here)
    exclude: list[str] = field(default_factory=list)
    exclude_root: Path | None = None
    # note the `kunwind: ignore` comments that suppress nothing (--unused-suppressions)
    unused_suppressions: bool = False
    frontend: str = "clang"  # or "pycparser" (preprocessed C; a cross-check)
    # in a kernel tree: summaries of the callees defined in other files (external.py)
    cross_file: bool = True
    # learn acquire/release pairs from the files of the run, then check the files
    # that use them again (kunwind/knowledge/learned.py); only when more than one
    # file is checked, and never in a shard (its result must not depend on the others)
    learn: bool = False
