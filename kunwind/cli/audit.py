"""The command-line side of audits: ``check``'s -j/--timeout/cache/--shard options, ``merge``.

``audit_options`` adds the options to ``kunwind check``; ``configure_audit``
turns their values into ``Options`` fields; ``merge_cmd`` is ``kunwind merge``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from kunwind.audit import DEFAULT_TIMEOUT, default_jobs, parse_shard
from kunwind.config import Options, UsageError
from kunwind.report.sarif_merge import MergeError, merge_logs, write
from kunwind.results_cache import default_results_dir

from .shared import fail, write_atomically

_OPTIONS = [
    click.option("-j", "--jobs", type=click.IntRange(min=0), default=None,
                 help="Files analysed in parallel, each in a worker process [default: the "
                      "number of cores]. 0: in this process, without isolation (debugging)."),
    click.option("--timeout", type=click.FloatRange(min=0, min_open=True),
                 default=DEFAULT_TIMEOUT, show_default=True,
                 help="Seconds per file; a file that takes longer is reported as failed."),
    click.option("--cache-dir", "results_dir", type=click.Path(path_type=Path, file_okay=False),
                 help="Where results are cached [default: $KUNWIND_RESULTS_DIR, else "
                      "~/.cache/kunwind/results]."),
    click.option("--no-cache", is_flag=True, help="Neither read nor write the results cache."),
    click.option("--shard", metavar="K/N",
                 help="Analyse only the K-th of N parts of the files (K from 1), split by "
                      "a hash of each path; join the SARIF parts with 'kunwind merge'. A "
                      "shard learns no pairs (give --knowledge a --save-learned file)."),
]


def audit_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate ``kunwind check`` with the options above."""
    for option in reversed(_OPTIONS):
        command = option(command)
    return command


def configure_audit(opts: Options, jobs: int | None, timeout: float, results_dir: Path | None,
                    no_cache: bool, shard: str | None, quiet: bool) -> None:
    """Fill ``opts``' audit fields from the options; ``UsageError`` on a bad --shard."""
    opts.jobs = default_jobs() if jobs is None else jobs
    opts.timeout = timeout
    if not no_cache:
        opts.results_cache = results_dir or default_results_dir()
    if shard is not None:
        try:
            opts.shard = parse_shard(shard)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    opts.progress = not quiet and sys.stderr.isatty() and not os.environ.get("CI")


@click.command("merge")
@click.argument("parts", nargs=-1, required=True,
                type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write the merged log to this file (atomically) instead of stdout.")
def merge_cmd(parts: tuple[Path, ...], output: Path | None) -> None:
    """Join SARIF logs of one audit's shards (check --shard K/N) into one log."""
    logs = []
    for part in parts:
        try:
            logs.append((str(part), json.loads(part.read_text(encoding="utf-8"))))
        except OSError as exc:
            fail(f"{part}: cannot read: {exc.strerror or exc}")
        except ValueError as exc:
            fail(f"{part}: not JSON: {exc}")
    try:
        merged, warnings = merge_logs(logs)
    except MergeError as exc:
        fail(str(exc))
    for w in warnings:
        click.echo(f"kunwind: warning: {w}", err=True)
    text = write(merged)
    if output is not None:
        write_atomically(output, text)
    else:
        click.echo(text, nl=False)
