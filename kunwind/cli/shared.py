"""What the commands share: the one-line error, atomic writes, the preflight check,
the options that choose clang's flags."""

from __future__ import annotations

import functools
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click
from click.core import ParameterSource

from kunwind.config import Options, UsageError
from kunwind.frontend.clang_lib import LibclangError, cindex
from kunwind.frontend.compile_db import CompileDBError, load_compile_db
from kunwind.kernel.arch import ARCHES
from kunwind.knowledge import KnowledgeError, load_knowledge

from .project import Project, load_project

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR, EXIT_UNANALYSED = 0, 1, 2, 3


def fail(message: str) -> NoReturn:
    click.echo(f"kunwind: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def write_atomically(path: Path, text: str) -> None:
    """Write through a temporary file and a rename: never a half-written report."""
    tmp = None
    try:
        if path.exists() and not path.is_file():  # /dev/null, a FIFO: never replace those
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as fh:
            fh.write(text)  # a path that is not UTF-8 keeps its bytes
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)  # no half-written temporary left behind either
        fail(f"{path}: cannot write: {exc.strerror or exc}")


def preflight(opts: Options) -> None:
    """Fail early, in one line, on what would break every file."""
    try:
        if opts.frontend == "clang":
            cindex()
    except LibclangError as exc:
        raise UsageError(str(exc)) from exc
    if opts.frontend == "pycparser":
        try:  # an optional dependency (the pycparser extra): is it there?
            import kunwind.frontend.pycparser_frontend  # noqa: F401
        except (ImportError, AttributeError) as exc:
            raise UsageError(f"--frontend pycparser needs pycparser>=3.12 ({exc})") from exc
    try:
        load_knowledge(opts.knowledge, hosted=True)  # every bundled file, and the user's
    except KnowledgeError as exc:
        raise UsageError(str(exc)) from exc
    if opts.compile_db is not None:
        try:
            load_compile_db(opts.compile_db)
        except CompileDBError as exc:
            raise UsageError(str(exc)) from exc


def check_build_dir(build_dir: Path) -> None:
    """A kernel build directory holds a .config (make O=DIR defconfig), and once prepared
    include/generated and include/config/auto.conf: anything else is a usage error."""
    if not build_dir.is_dir():
        fail(f"{build_dir}: no such build directory")
    if not ((build_dir / ".config").is_file()
            or (build_dir / "include/config/auto.conf").is_file()):
        fail(f"{build_dir}: not a kernel build directory (no .config, no "
             "include/config/auto.conf): run make O=DIR defconfig there, or give a "
             "configuration with --config FILE or --defconfig NAME instead")


# On an unbuilt tree with no configuration chosen, the files the arch defconfig does not
# build are analysed under this one, which builds them (bench/results/coverage-s17.md)
DEFAULT_UNBUILT = "allmodconfig"
PROJECT = "kunwind.project"  # the click context's meta key of the .kunwind.toml in force


def project_of(ctx: click.Context) -> Project:
    """The project file the flag options found (an empty one when there is none)."""
    found = ctx.meta.get(PROJECT)
    return found if isinstance(found, Project) else Project()


def _start(kwargs: dict[str, Any]) -> Path:
    """Where to look for the project file from: the first path given, else here."""
    paths = kwargs.get("paths") or ()
    if paths:
        return Path(paths[0])
    if kwargs.get("path") is not None:
        return Path(kwargs["path"])
    return Path.cwd()


def flag_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options that choose clang's flags, shared by ``check`` and ``baseline``.

    The command receives them validated, as ``flags``: keyword arguments of ``Options``.
    """
    @functools.wraps(command)
    def wrapper(*args: Any, arch: str, build_dir: Path | None, config_file: Path | None,
                defconfig: str | None, unbuilt: str | None, compile_dir: Path | None,
                compile_commands: Path | None, knowledge: tuple[Path, ...],
                clang_args: tuple[str, ...], **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        try:
            project = load_project(_start(kwargs))
        except UsageError as exc:
            fail(str(exc))
        ctx.meta[PROJECT] = project

        def given(name: str) -> bool:
            return ctx.get_parameter_source(name) not in (ParameterSource.DEFAULT,
                                                          ParameterSource.DEFAULT_MAP)
        if not given("arch") and project.get("arch"):
            arch = project.get("arch")
        if config_file is None and defconfig is None and build_dir is None:
            config_file, defconfig = project.path_of("config"), project.get("defconfig")
        unbuilt = unbuilt or project.get("unbuilt") or DEFAULT_UNBUILT
        if unbuilt == "none":
            unbuilt = None
        knowledge = (*project.paths_of("knowledge"), *knowledge)
        clang_args = (*(project.get("clang_args") or []), *clang_args)
        db = compile_dir / "compile_commands.json" if compile_dir is not None else compile_commands
        if db is not None and not db.is_file():
            fail(f"{db}: no such compile database")
        if build_dir is not None:
            check_build_dir(build_dir)
        if arch not in ARCHES:
            fail(f"--arch {arch}: unsupported architecture (known: {', '.join(ARCHES)})")
        if config_file is not None and not config_file.is_file():
            fail(f"{config_file}: no such configuration file")
        chosen = [o for o, v in (("--config", config_file), ("--defconfig", defconfig),
                                 ("--build-dir", build_dir)) if v is not None]
        if len(chosen) > 1:
            fail(f"{' and '.join(chosen)} both choose the kernel configuration: give one")
        if defconfig is not None and ("/" in defconfig or not defconfig.strip()):
            fail(f"--defconfig {defconfig!r}: give the name of a file of arch/ARCH/configs/ "
                 "(e.g. x86_64_defconfig), defconfig, allmodconfig, allyesconfig or "
                 "allnoconfig; a .config file of your own goes to --config")
        flags = {"arch": arch, "build_dir": build_dir, "config_file": config_file,
                 "defconfig": defconfig, "unbuilt": unbuilt, "compile_db": db,
                 "extra_args": list(clang_args), "knowledge": list(knowledge)}
        return command(*args, flags=flags, **kwargs)

    for option in reversed([
        click.option("--arch", default="x86", show_default=True,
                     help="Kernel architecture for a kernel tree (arch/ARCH)."),
        click.option("--build-dir", type=click.Path(path_type=Path, file_okay=False),
                     help="The kernel build directory (make O=DIR): its .config, and its "
                          "generated headers once make has prepared it."),
        click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False),
                     help="The kernel configuration: a .config file, for an unbuilt tree."),
        click.option("--unbuilt", type=click.Choice(["allmodconfig", "allyesconfig", "none"]),
                     help="For an unbuilt tree analysed under the arch defconfig: the "
                          "configuration for the files that defconfig does not build "
                          f"(default: {DEFAULT_UNBUILT}; none: the defconfig for every "
                          "file, whose code it leaves out then fails to parse)."),
        click.option("--defconfig", metavar="NAME",
                     help="The kernel configuration: a defconfig of the arch "
                          "(x86_64_defconfig...), or allmodconfig, allyesconfig, allnoconfig "
                          "(generated with Kconfiglib)."),
        click.option("-p", "compile_dir", type=click.Path(path_type=Path, file_okay=False),
                     help="Directory holding compile_commands.json."),
        click.option("--compile-commands", type=click.Path(path_type=Path, dir_okay=False),
                     help="A compile_commands.json file."),
        click.option("--knowledge", multiple=True,
                     type=click.Path(path_type=Path, dir_okay=False),
                     help="An extra API knowledge file (TOML, as in rules/knowledge/)."),
        click.option("--clang-arg", "clang_args", multiple=True,
                     help="Pass an extra argument to clang (repeatable), e.g. "
                          "--clang-arg=-DFOO."),
    ]):
        wrapper = option(wrapper)
    return wrapper
