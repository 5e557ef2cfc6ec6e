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

from kunwind.config import Options, UsageError
from kunwind.frontend.clang_lib import LibclangError, cindex
from kunwind.frontend.compile_db import CompileDBError, load_compile_db
from kunwind.knowledge import KnowledgeError, load_knowledge

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


def flag_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options that choose clang's flags, shared by ``check`` and ``baseline``.

    The command receives them validated, as ``flags``: keyword arguments of ``Options``.
    """
    @functools.wraps(command)
    def wrapper(*args: Any, arch: str, build_dir: Path | None, compile_dir: Path | None,
                compile_commands: Path | None, knowledge: tuple[Path, ...],
                clang_args: tuple[str, ...], **kwargs: Any) -> Any:
        db = compile_dir / "compile_commands.json" if compile_dir is not None else compile_commands
        if db is not None and not db.is_file():
            fail(f"{db}: no such compile database")
        if build_dir is not None and not build_dir.is_dir():
            fail(f"{build_dir}: no such build directory")
        flags = {"arch": arch, "build_dir": build_dir, "compile_db": db,
                 "extra_args": list(clang_args), "knowledge": list(knowledge)}
        return command(*args, flags=flags, **kwargs)

    for option in reversed([
        click.option("--arch", default="x86", show_default=True,
                     help="Kernel architecture for a kernel tree (arch/ARCH)."),
        click.option("--build-dir", type=click.Path(path_type=Path, file_okay=False),
                     help="The kernel build directory (make O=DIR), for its generated headers."),
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
