"""The workflow commands: ``kunwind baseline`` and ``kunwind install-hook``.

``cli.py`` registers them on the ``kunwind`` group. Like every command, a
user mistake ends in one line on stderr and exit status 2.
"""

from __future__ import annotations

from pathlib import Path

import click

from .driver import Options, UsageError, check_paths


@click.command("baseline")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--arch", default="x86", show_default=True,
              help="Kernel architecture for a kernel tree (arch/ARCH).")
@click.option("--build-dir", type=click.Path(path_type=Path, file_okay=False),
              help="The kernel build directory (make O=DIR), for its generated headers.")
@click.option("-p", "compile_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Directory holding compile_commands.json.")
@click.option("--compile-commands", type=click.Path(path_type=Path, dir_okay=False),
              help="A compile_commands.json file.")
@click.option("--root", type=click.Path(path_type=Path, file_okay=False),
              help="Record paths relative to this directory (as 'check --root').")
@click.option("--knowledge", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              help="An extra API knowledge file (TOML, as in rules/knowledge/).")
@click.option("--clang-arg", "clang_args", multiple=True,
              help="Pass an extra argument to clang (repeatable).")
@click.option("-q", "--quiet", is_flag=True, help="Do not print the summary on stderr.")
def baseline_cmd(file: Path, paths: tuple[Path, ...], arch: str, build_dir: Path | None,
                 compile_dir: Path | None, compile_commands: Path | None, root: Path | None,
                 knowledge: tuple[Path, ...], clang_args: tuple[str, ...], quiet: bool) -> None:
    """Record today's findings in PATHS into FILE, for 'kunwind check --baseline FILE'.

    FILE is JSON with one finding per line (fingerprint, rule, file, function,
    message), sorted, with no line numbers: it reads well in review and diffs
    cleanly when regenerated. Findings suppressed by an ignore comment are
    not recorded.
    """
    from .baseline import dumps, entries
    from .cli import _preflight, fail, write_atomically
    from .report.text import summary

    db = compile_commands
    if compile_dir is not None:
        db = compile_dir / "compile_commands.json"
    if db is not None and not db.is_file():
        fail(f"{db}: no such compile database")
    if build_dir is not None and not build_dir.is_dir():
        fail(f"{build_dir}: no such build directory")
    opts = Options(arch=arch, build_dir=build_dir, compile_db=db, root=root,
                   extra_args=list(clang_args), knowledge=list(knowledge))
    try:
        _preflight(opts)
        run = check_paths(list(paths), opts)
    except UsageError as exc:
        fail(str(exc))
    for n in run.notices:
        click.echo(f"{n.file}: {n.level}: {n.message}", err=True)
    if run.files and not any(r.parsed for r in run.files):
        fail(f"nothing could be analysed; {file} not written")
    items = entries(run.findings)
    write_atomically(file, dumps(items))
    if not quiet:
        click.echo(summary(run), err=True, nl=False)
        click.echo(f"kunwind: {len(items)} finding{'' if len(items) == 1 else 's'} "
                   f"recorded in {file}", err=True)


@click.command("install-hook")
@click.argument("check_args", nargs=-1, type=click.UNPROCESSED)
@click.option("--force", is_flag=True, help="Replace an existing pre-commit hook.")
def install_hook_cmd(check_args: tuple[str, ...], force: bool) -> None:
    """Install a git pre-commit hook that runs 'kunwind check --staged'.

    For developers who do not use the pre-commit framework. It refuses a
    commit that introduces a finding in a staged C file. CHECK_ARGS, after
    '--', are added to the hook's 'kunwind check' (e.g. -- --arch arm64).
    An existing hook is left alone unless --force is given.
    """
    from .cli import fail
    from .githook import install_hook

    try:
        path = install_hook(Path.cwd(), list(check_args), force)
    except UsageError as exc:
        fail(str(exc))
    click.echo(f"kunwind: installed {path}", err=True)
