"""One kernel tree: found from a file's path, set up once, asked for each file's flags.

``find_kernel_root`` detects the tree holding a file. ``tree_setup`` gives the
``TreeSetup`` of a tree, arch, build directory and cache directory, built once
per process for each such key (the audit's workers are forked after the parent
built it, so they share it): the configuration, the generated headers (a
prepared build directory's, or the shim, ``kernel.shim``), the flags every file
gets, and the tree's Kbuild makefiles. ``TreeSetup.flags_for(file)`` then gives
the flags of a clang build of that file (per-directory ``ccflags``, module
names) and whether the configuration builds it. Nothing is ever written into
the kernel tree.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from .arch import Arch, KernelTreeError, arch_named
from .guards import defines
from .kbuild import BuildStatus, KbuildTree, base_args, copies_shipped, shipped_in
from .kconfig import parse_config
from .shim import choose_config, ensure_shim

__all__ = ["KernelTreeError", "TreeFlags", "TreeSetup", "default_cache_dir", "find_kernel_root",
           "forget_setups", "fragment_of", "fragment_prefix", "setup_for", "tree_setup"]

_MARKERS = ("Kbuild", "Makefile", "Kconfig", "include/linux/kernel.h", "arch")


def find_kernel_root(path: Path) -> Path | None:
    """The nearest directory at or above ``path`` that looks like a kernel tree top."""
    path = _absolute(path)
    for candidate in (path, *path.parents):
        if all((candidate / m).exists() for m in _MARKERS):
            return candidate
    return None


def default_cache_dir() -> Path:
    """Where generated headers (and learned pairs) are kept: ``$XDG_CACHE_HOME/kunwind``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kunwind"


@dataclass
class TreeFlags:
    """A file's flags in a tree: the clang arguments and whether the configuration builds it."""

    args: list[str]  # absolute paths, no source file
    status: BuildStatus
    not_built: str = ""  # why the configuration does not build the file ("": it does, or unknown)
    # the fallback configuration (``setup_for``) these flags are under, when the implicit
    # one does not build the file: "allmodconfig"; "" under the implicit one or a chosen one
    fallback: str = ""

    @property
    def built(self) -> str | None:
        """"y" (into vmlinux), "m" (a module), "" (not built), None (unknown)."""
        return self.status.built


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
    config_name: str = ""  # the configuration, as the "not built" note names it
    config_label: str = ""  # ... and as the summary names it: how it was made too
    # nothing chose the configuration (no option, no .config, no build): with a
    # fallback (--unbuilt allmodconfig), the files it does not build are analysed under it
    implicit: bool = False
    cache_dir: Path | None = None  # where the copies of ``_shipped`` files are linked

    @classmethod
    def create(cls, root: Path, arch: str = "x86", build_dir: Path | None = None,
               cache_dir: Path | None = None, config_file: Path | None = None,
               defconfig: str | None = None) -> TreeSetup:
        """Set up ``root`` (no caching: ``tree_setup`` caches); ``KernelTreeError`` if it
        cannot be used. Creates the shim in ``cache_dir`` when it is missing.
        ``config_file`` (``--config``) or ``defconfig`` (``--defconfig``) choose the
        configuration; without them, a prepared build directory's (or tree's) is used,
        else the ``.config`` of the build directory or the tree, else the arch defconfig."""
        root = _absolute(root)
        build_dir = _absolute(build_dir) if build_dir is not None else None
        spec = arch_named(arch)
        if not (root / "Makefile").is_file():
            raise KernelTreeError(f"{root}: not a kernel tree (no Makefile)")
        obj = build_dir or root
        chosen = config_file is not None or defconfig is not None
        if not chosen and _is_prepared(obj, spec):
            generated = obj
            config_file = obj / "include/config/auto.conf"
            if not config_file.is_file():
                config_file = obj / ".config"
            config = parse_config(config_file.read_text(errors="replace"))
            source = str(config_file)
            created = 0.0
            name = "the build directory's .config" if build_dir else "the tree's .config"
            label, implicit = name, False
        else:
            choice = choose_config(root, obj, spec, config_file, defconfig,
                                   "the build directory's" if build_dir else "the tree's")
            generated, created = ensure_shim(root, spec, choice, cache_dir or default_cache_dir())
            config = parse_config((generated / ".config").read_text(errors="replace"))
            source, name, label = choice.source, choice.name, choice.label
            implicit = choice.default
        base = base_args(root, spec, generated, config)
        kbuild = KbuildTree(root, config, spec.srcarch, generated)  # generated is $(objtree)
        return cls(root, spec, config, source, generated, base, kbuild, created, name, label,
                   implicit, cache_dir or default_cache_dir())

    def status(self, file: Path) -> BuildStatus:
        """Whether the configuration builds ``file`` ("y", "m", "" or None: unknown)."""
        return self.kbuild.status(_absolute(file))

    def flags_for(self, file: Path) -> TreeFlags:
        """The clang arguments to parse ``file`` as Kbuild would, and its build status."""
        file = _absolute(file)
        status = self.kbuild.status(file)
        args = list(self.base_args)
        args += self.kbuild.cflags(status)
        args.append(f"-I{status.directory}")  # Kbuild's -I$(src) and -I$(obj), for O= builds
        if self.root in status.directory.parents and self.generated != self.root:
            obj = self.generated / status.directory.relative_to(self.root)
            if obj.is_dir():
                args.append(f"-I{obj}")
        shipped = self._shipped(status.directory)
        if shipped is not None:
            args.append(f"-I{shipped}")
        if status.built == "m":
            args.append("-DMODULE")
        else:
            src = status.directory
            rel = src.relative_to(self.root).as_posix() if self.root in src.parents else ""
            modfile = f"{rel}/{status.modname}" if rel else status.modname
            args.append(f'-DKBUILD_MODFILE="{modfile}"')
        modname = _name_fix(status.modname)
        args.append(f'-DKBUILD_BASENAME="{_name_fix(file.stem)}"')
        args.append(f'-DKBUILD_MODNAME="{modname}"')
        args.append(f"-D__KBUILD_MODNAME=kmod_{modname}")
        not_built = ""
        if status.built == "" and not status.program:
            not_built = f"not built by the kernel configuration ({self.config_name})"
        return TreeFlags(args, status, not_built)

    def _shipped(self, directory: Path) -> Path | None:
        """A cache directory holding, under the names a build gives them, links to the
        ``X_shipped`` files of ``directory`` that Kbuild would copy to ``X`` in its object
        directory (aic79xx_core.c includes "aic79xx_reg.h", made from
        aic79xx_reg.h_shipped). None when there are none, or when the build directory
        already has the copies. The tree itself is never written to."""
        if self.cache_dir is None or self.root not in directory.parents:
            return None
        files = shipped_in(directory)
        if not files or not copies_shipped(self.root):
            return None
        rel = directory.relative_to(self.root)
        names = {f.name[: -len("_shipped")]: f for f in files}
        missing = {n: f for n, f in names.items()
                   if not (directory / n).exists() and not (self.generated / rel / n).exists()}
        if not missing:
            return None
        tag = hashlib.sha256(str(self.root).encode()).hexdigest()[:12]
        out = self.cache_dir / "shipped" / tag / rel
        try:
            out.mkdir(parents=True, exist_ok=True)
            for name, src in missing.items():
                link = out / name
                if not link.exists():
                    try:
                        link.symlink_to(src)
                    except FileExistsError:  # another worker made it
                        pass
        except OSError:
            return None  # the cache cannot be written: the file parses without them
        return out


# (root, arch, build dir, cache dir, --config, --defconfig) -> the setup, or why there is none
_SETUPS: dict[tuple[Path, str, Path | None, Path, Path | None, str | None],
              TreeSetup | Exception] = {}
_LOCK = threading.Lock()


def tree_setup(
    root: Path,
    arch: str = "x86",
    build_dir: Path | None = None,
    cache_dir: Path | None = None,
    config_file: Path | None = None,
    defconfig: str | None = None,
) -> TreeSetup:
    """The ``TreeSetup`` of this key, built at most once per process. A tree that cannot
    be set up (``KernelTreeError``, or ``OSError`` reading it) raises the same error
    each time, without trying again."""
    root = _absolute(root)
    build_dir = _absolute(build_dir) if build_dir is not None else None
    config_file = _absolute(config_file) if config_file is not None else None
    key = (root, arch, build_dir, cache_dir or default_cache_dir(), config_file, defconfig)
    with _LOCK:
        setup = _SETUPS.get(key)
        if setup is None:
            try:
                setup = TreeSetup.create(root, arch, build_dir, key[3], config_file, defconfig)
            except (KernelTreeError, OSError) as exc:
                setup = exc
            _SETUPS[key] = setup
    if isinstance(setup, Exception):
        raise setup.with_traceback(None)
    return setup


# The configuration a file the implicit arch defconfig does not build is analysed under:
# it builds most of them, each with the headers and #if branches of a build that has it
# (bench/results/configs.md: functions not fully analysed 10.8% -> 4.4%, 49 of 60 built).
def setup_for(file: Path, arch: str = "x86", build_dir: Path | None = None,
              cache_dir: Path | None = None, config_file: Path | None = None,
              defconfig: str | None = None,
              fallback: str | None = None) -> tuple[TreeSetup, TreeFlags] | None:
    """The setup of the tree holding ``file`` under these options, and the file's flags:
    None outside a kernel tree. With ``fallback`` (e.g. "allmodconfig"), a file the
    implicit arch defconfig does not build gets that configuration when it builds it
    (the command line's default: ``--unbuilt allmodconfig``).
    """
    root = find_kernel_root(file)
    if root is None:
        return None
    setup = tree_setup(root, arch, build_dir, cache_dir, config_file, defconfig)
    flags = setup.flags_for(file)
    # not built, or listed by no makefile the implicit configuration reads (amdgpu's
    # display files: their makefile is included only when CONFIG_DRM_AMD_DC is set)
    if not flags.built and setup.implicit and fallback and not flags.status.program:
        try:
            other = tree_setup(root, arch, build_dir, cache_dir, None, fallback)
        except (KernelTreeError, OSError):
            return setup, flags  # the defconfig's flags still parse the file
        other_flags = other.flags_for(file)
        if other_flags.built:
            return other, replace(other_flags, fallback=fallback)
        if other_flags.built == "" and flags.built == "":
            flags.not_built = (f"not built by the kernel configuration ({setup.config_name}, "
                               f"nor {other.config_name})")
            # its makefile's options turned on: the header stubs behind them (a static
            # inline of the function the file defines) are left out, as in a build of it
            options = [o for o in setup.kbuild.options_of(file)
                       if setup.config.get(o, "n") == "n"]
            if options:
                header = _cached_header(cache_dir or default_cache_dir(), "options",
                                        defines(dict.fromkeys(options, "y")).encode())
                flags.args += ["-include", str(header)]
                flags.not_built += ("; parsed with the options of the makefile lines that "
                                    "list it turned on")
    return setup, flags


def fragment_of(file: Path) -> tuple[Path, int] | None:
    """(the .c that ``#include``s ``file``, that line): the first such file by name beside
    it, else in the directory above (a driver's tests, ``#include "tests/foo_test.c"`` at
    the end of ``foo.c``); None when there is none."""
    file = _absolute(file)
    return (_c_includes(file.parent).get(file.name)
            or _c_includes(file.parent.parent).get(f"{file.parent.name}/{file.name}"))


_C_INCLUDE = re.compile(rb'^[ \t]*#[ \t]*include[ \t]*"((?:[^"/]+/)?[^"/]+\.c)"', re.M)


@functools.lru_cache(maxsize=256)
def _c_includes(directory: Path) -> dict[str, tuple[Path, int]]:
    """The .c files that a .c of ``directory`` includes, by the name it uses (``foo.c``,
    ``tests/foo.c``) -> (the first includer by name, the line)."""
    out: dict[str, tuple[Path, int]] = {}
    try:
        files = sorted(directory.glob("*.c"))
    except OSError:
        return out
    for other in files:
        try:
            text = other.read_bytes()
        except OSError:
            continue
        for m in _C_INCLUDE.finditer(text):
            name = m[1].decode("utf-8", "replace")
            if name != other.name and name not in out:
                out[name] = (other, text.count(b"\n", 0, m.start()) + 1)
    return out


_IF = re.compile(rb"^[ \t]*#[ \t]*if(?:n?def)?\b", re.M)
_ENDIF = re.compile(rb"^[ \t]*#[ \t]*endif\b", re.M)


def fragment_prefix(includer: Path, line: int, cache_dir: Path, first: str = "") -> Path:
    """A header, in ``cache_dir``, holding ``includer``'s lines before ``line``: the code
    a fragment it includes there is compiled after, with ``first`` (preprocessor lines:
    options turned on, ``guards.defines``) before them. Named by its content."""
    text = includer.read_bytes()
    head = first.encode() + b"".join(text.splitlines(keepends=True)[: line - 1])
    opened = len(_IF.findall(head)) - len(_ENDIF.findall(head))
    head += b"\n" + b"#endif\n" * max(opened, 0)  # the #include may sit inside an #if
    return _cached_header(cache_dir, "fragments", head)


def _cached_header(cache_dir: Path, kind: str, text: bytes) -> Path:
    """A header holding ``text`` in ``cache_dir/kind``, named by its content."""
    path = cache_dir / kind / f"{hashlib.sha256(text).hexdigest()[:20]}.h"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(text)
        os.replace(tmp, path)
    return path


def forget_setups() -> None:
    """Drop the per-process cache of tree setups (the on-disk shims stay)."""
    with _LOCK:
        _SETUPS.clear()


def _absolute(path: Path) -> Path:
    """Absolute and normalised, symlinks kept (a tree may be a symlink farm)."""
    return Path(os.path.abspath(path))


def _name_fix(name: str) -> str:
    return name.replace("-", "_").replace(",", "_")


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
