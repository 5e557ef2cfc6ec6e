"""The workflow commands: ``kunwind baseline`` and ``kunwind install-hook``.

``kunwind.cli`` registers them on the ``kunwind`` group. Like every command, a
user mistake ends in one line on stderr and exit status 2.
"""

from __future__ import annotations

from pathlib import Path

import click

from kunwind.baseline import dumps, entries
from kunwind.config import Options, UsageError
from kunwind.driver import check_paths
from kunwind.githook import install_hook
from kunwind.report.text import summary

from .shared import fail, flag_options, preflight, write_atomically


@click.command("baseline")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@flag_options
@click.option("--root", type=click.Path(path_type=Path, file_okay=False),
              help="Record paths relative to this directory (as 'check --root').")
@click.option("-q", "--quiet", is_flag=True, help="Do not print the summary on stderr.")
def baseline_cmd(file: Path, paths: tuple[Path, ...], flags: dict, root: Path | None,
                 quiet: bool) -> None:
    """Record today's findings in PATHS into FILE, for 'kunwind check --baseline FILE'.

    FILE is JSON with one finding per line (fingerprint, rule, file, function,
    message), sorted, with no line numbers: it reads well in review and diffs
    cleanly when regenerated. Findings suppressed by an ignore comment are
    not recorded. The experimental checks' findings are recorded too, so the
    baseline serves 'check' whichever checks it runs.
    """
    opts = Options(**flags, root=root, experimental=True)
    try:
        preflight(opts)
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
    try:
        path = install_hook(Path.cwd(), list(check_args), force)
    except UsageError as exc:
        fail(str(exc))
    click.echo(f"kunwind: installed {path}", err=True)
