"""Command-line pieces shared by the commands: the one-line error, the flag options."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

EXIT_ERROR = 2


def fail(message: str) -> None:
    click.echo(f"kunwind: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def flag_options(command):
    """The options that choose clang's flags, shared by ``check`` and ``baseline``.

    The command receives them validated, as ``flags``: keyword arguments of ``Options``.
    """
    @functools.wraps(command)
    def wrapper(*args, arch, build_dir, compile_dir, compile_commands, knowledge, clang_args,
                **kwargs):
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
