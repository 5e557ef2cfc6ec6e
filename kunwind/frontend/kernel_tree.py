"""Parse a kernel file like Kbuild would: find the tree, synthesise the clang arguments.

``kernel_args`` gives the flags of a clang build of ``file`` (include paths,
forced includes, arch and config flags, KBUILD_* names, per-directory
``ccflags``). The generated headers come from a prepared build directory when
there is one; otherwise they are synthesised once into a cache directory
(``kernel_shim``), keyed by tree, arch, configuration and kunwind version,
and written atomically. Nothing is ever written into the kernel tree.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from . import clang_flags, kernel_shim
from .kbuild_makefile import BuildStatus, KbuildTree
from .kconfig_gen import generate_config
from .kernel_arch import ARCHES, Arch, common_flags
from .shim_subsys import selinux_headers

SHIM_FORMAT = 2  # bump when the shim's content changes
_MARKERS = ("Kbuild", "Makefile", "Kconfig", "include/linux/kernel.h", "arch")


class KernelTreeError(Exception):
    """The tree, the architecture or the configuration cannot be used."""


def find_kernel_root(path: Path) -> Path | None:
    """The nearest directory at or above ``path`` that looks like a kernel tree top."""
    path = _absolute(path)
    for candidate in (path, *path.parents):
        if all((candidate / m).exists() for m in _MARKERS):
            return candidate
    return None


@dataclass
class TreeSetup:
    """Everything about one tree + arch + build dir that does not depend on the file."""

    root: Path
    arch: Arch
    config: dict[str, str]
    config_source: str  # where the configuration came from, for messages
    generated: Path  # the prepared build dir or the shim: holds include/generated
    base_args: list[str]
    kbuild: KbuildTree
    shim_seconds: float = 0.0  # time spent creating the shim (0 when reused)


_SETUPS: dict[tuple[Path, str, Path | None, Path | None], TreeSetup] = {}
_LOCK = threading.Lock()


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kunwind"


def tree_setup(
    root: Path,
    arch: str = "x86",
    build_dir: Path | None = None,
    cache_dir: Path | None = None,
) -> TreeSetup:
    """The per-tree part of ``kernel_args``; built once per process per key."""
    root = _absolute(root)
    build_dir = _absolute(build_dir) if build_dir is not None else None
    key = (root, arch, build_dir, cache_dir)
    with _LOCK:
        setup = _SETUPS.get(key)
        if setup is None:
            setup = _make_setup(root, arch, build_dir, cache_dir or default_cache_dir())
            _SETUPS[key] = setup
    return setup


def forget_setups() -> None:
    """Drop the per-process cache of tree setups (the on-disk shims stay)."""
    with _LOCK:
        _SETUPS.clear()


def kernel_args(
    file: Path,
    root: Path,
    arch: str = "x86",
    build_dir: Path | None = None,
    cache_dir: Path | None = None,
) -> list[str]:
    """The clang arguments (absolute paths, no source file) to parse ``file`` as Kbuild would."""
    setup = tree_setup(root, arch, build_dir, cache_dir)
    file = _absolute(file)
    status = setup.kbuild.status(file)
    args = list(setup.base_args)
    args += setup.kbuild.cflags(status)
    args.append(f"-I{status.directory}")  # Kbuild's -I$(src) and -I$(obj), for O= builds
    if setup.root in status.directory.parents and setup.generated != setup.root:
        obj = setup.generated / status.directory.relative_to(setup.root)
        if obj.is_dir():
            args.append(f"-I{obj}")
    if status.built == "m":
        args.append("-DMODULE")
    else:
        src = status.directory
        rel = src.relative_to(setup.root).as_posix() if setup.root in src.parents else ""
        modfile = f"{rel}/{status.modname}" if rel else status.modname
        args.append(f'-DKBUILD_MODFILE="{modfile}"')
    modname = _name_fix(status.modname)
    args.append(f'-DKBUILD_BASENAME="{_name_fix(file.stem)}"')
    args.append(f'-DKBUILD_MODNAME="{modname}"')
    args.append(f"-D__KBUILD_MODNAME=kmod_{modname}")
    return args


def build_status(
    file: Path,
    root: Path,
    arch: str = "x86",
    build_dir: Path | None = None,
    cache_dir: Path | None = None,
) -> BuildStatus:
    """Whether the configuration builds ``file`` ("y", "m", "" or None: unknown)."""
    return tree_setup(root, arch, build_dir, cache_dir).kbuild.status(_absolute(file))


def _absolute(path: Path) -> Path:
    """Absolute and normalised, symlinks kept (a tree may be a symlink farm)."""
    return Path(os.path.abspath(path))


def _name_fix(name: str) -> str:
    return name.replace("-", "_").replace(",", "_")


# ---- setup -------------------------------------------------------------------


def _arch(name: str) -> Arch:
    try:
        return ARCHES[name]
    except KeyError:
        raise KernelTreeError(f"unsupported arch {name!r} (known: {', '.join(ARCHES)})") from None


def _is_prepared(obj: Path, arch: Arch) -> bool:
    """True when ``make prepare`` has run in ``obj`` (in-tree or O= build directory)."""
    gen = obj / "arch" / arch.srcarch / "include" / "generated"
    return all(
        p.exists()
        for p in (
            obj / "include/generated/autoconf.h",
            obj / "include/generated/bounds.h",
            gen / "asm",
            gen / "uapi/asm",
        )
    )


def _make_setup(root: Path, arch_name: str, build_dir: Path | None, cache_dir: Path) -> TreeSetup:
    arch = _arch(arch_name)
    if not (root / "Makefile").is_file():
        raise KernelTreeError(f"{root}: not a kernel tree (no Makefile)")
    obj = build_dir or root
    if _is_prepared(obj, arch):
        generated = obj
        config_file = obj / "include/config/auto.conf"
        if not config_file.is_file():
            config_file = obj / ".config"
        config = kernel_shim.parse_config(config_file.read_text(errors="replace"))
        source = str(config_file)
        created = 0.0
    else:
        generated, source, created = _ensure_shim(root, arch, obj, cache_dir)
        config = kernel_shim.parse_config((generated / ".config").read_text(errors="replace"))
    base = _base_args(root, arch, generated, config)
    kbuild = KbuildTree(root, config, arch.srcarch, generated)  # generated is $(objtree)
    return TreeSetup(root, arch, config, source, generated, base, kbuild, created)


def _include_args(root: Path, arch: Arch, gen: Path) -> list[str]:
    """LINUXINCLUDE with ``gen`` as the object tree, then the forced includes of c_flags."""
    a = f"arch/{arch.srcarch}/include"
    dirs = [
        root / a,
        gen / a / "generated",
        root / "include",
        gen / "include",
        root / a / "uapi",
        gen / a / "generated/uapi",
        root / "include/uapi",
        gen / "include/generated/uapi",
    ]
    args = ["-nostdinc"]
    seen: set[Path] = set()
    for d in dirs:
        if d not in seen:
            seen.add(d)
            args.append(f"-I{d}")
    for header in ("compiler-version.h", "kconfig.h", "compiler_types.h"):
        path = root / "include/linux" / header
        if path.is_file():
            args += ["-include", str(path)]
    return args


def _base_args(root: Path, arch: Arch, gen: Path, config: dict[str, str]) -> list[str]:
    args = _include_args(root, arch, gen)
    args += ["-D__KERNEL__", f"--target={arch.target}", "-fintegrated-as"]
    args += common_flags(config)
    args += arch.flags(config)
    return args


# ---- the shim ----------------------------------------------------------------


def _config_text(root: Path, obj: Path, arch: Arch) -> tuple[str | None, str]:
    """(.config text or None when it must be generated, description of the source)."""
    for candidate in (obj / ".config", root / ".config"):
        if candidate.is_file():
            return candidate.read_text(errors="replace"), str(candidate)
    defconfig = root / arch.defconfig
    if not defconfig.is_file():
        raise KernelTreeError(f"{root}: no .config and no {arch.defconfig}")
    return None, f"{arch.defconfig} (generated with Kconfiglib)"


def _shim_key(root: Path, arch: Arch, config_text: str | None) -> str:
    h = hashlib.sha256()
    if config_text is None:
        config_text = "defconfig:" + (root / arch.defconfig).read_text(errors="replace")
    parts = [
        str(root),
        arch.srcarch,
        config_text,
        __version__,
        str(SHIM_FORMAT),
        ".".join(map(str, clang_flags.version())),
        kernel_shim.kernel_release(root, {}),
    ]
    for part in parts:
        h.update(part.encode() + b"\0")
    return h.hexdigest()[:20]


def _ensure_shim(root: Path, arch: Arch, obj: Path, cache_dir: Path) -> tuple[Path, str, float]:
    """The shim directory for this tree and configuration; created atomically when missing."""
    config_text, source = _config_text(root, obj, arch)
    final = cache_dir / f"shim-{arch.srcarch}-{_shim_key(root, arch, config_text)}"
    if (final / ".complete").is_file():
        return final, source, 0.0
    start = time.perf_counter()
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".shim-tmp-", dir=cache_dir))
    try:
        _build_shim(root, arch, config_text, tmp)
        (tmp / ".complete").write_text(f"{root}\n{source}\n")
        try:
            os.rename(tmp, final)
        except OSError:
            if not (final / ".complete").is_file():  # neither ours nor another worker's
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return final, source, time.perf_counter() - start


def _build_shim(root: Path, arch: Arch, config_text: str | None, dest: Path) -> None:
    if config_text is None:
        generate_config(root, root / arch.defconfig, arch.srcarch, arch.target, dest / ".config")
        config_text = (dest / ".config").read_text()
    files = kernel_shim.generated_files(root, arch, config_text)
    config = kernel_shim.parse_config(config_text)
    kernel_shim.write_files(dest, files)
    args = _base_args(root, arch, dest, config)
    bounds = kernel_shim.evaluate_defines(root / "kernel/bounds.c", args)
    bounds_h = kernel_shim.bounds_h(bounds, config)
    kernel_shim.write_files(dest, {"include/generated/bounds.h": bounds_h})
    offsets_c = root / "arch" / arch.srcarch / "kernel/asm-offsets.c"
    if offsets_c.is_file():
        offsets = kernel_shim.evaluate_defines(offsets_c, args)
        text = kernel_shim.asm_offsets_h(offsets)
        kernel_shim.write_files(dest, {"include/generated/asm-offsets.h": text})
    kernel_shim.write_files(dest, selinux_headers(root, args))
