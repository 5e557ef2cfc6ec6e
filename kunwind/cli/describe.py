"""The commands that show what kunwind knows: ``rules``, ``explain`` and ``cfg``."""

from __future__ import annotations

from pathlib import Path

import click

from kunwind.config import Options
from kunwind.flags import flags_for
from kunwind.frontend.clang_parse import parse_file
from kunwind.model.build import BudgetExceeded, build_cfg
from kunwind.model.dump import format_cfg
from kunwind.pipeline import read_source
from kunwind.rules import ALL_RULES, get_rule

from .shared import fail


@click.command("rules")
def list_rules() -> None:
    """List the checks."""
    for r in ALL_RULES:
        off = " [experimental: off unless --experimental or --rule]" if r.experimental else ""
        click.echo(f"{r.id}  {r.name:<28} {r.summary}{off}")


@click.command("explain")
@click.argument("rule")
def explain(rule: str) -> None:
    """Show the documentation of a check (by id or name)."""
    r = get_rule(rule)
    if r is None:
        fail(f"unknown rule '{rule}' (see 'kunwind rules')")
    click.echo(r.text(), nl=False)


@click.command("cfg")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("function")
@click.option("--clang-arg", "clang_args", multiple=True, help="Extra clang argument.")
def show_cfg(path: Path, function: str, clang_args: tuple[str, ...]) -> None:
    """Print the control-flow graph kunwind builds for FUNCTION in PATH."""
    data, why = read_source(path) if path.exists() else (None, "no such file")
    if data is None:
        fail(f"{path}: {why}")
    try:
        args = flags_for(path, Options(extra_args=list(clang_args))).args
        parsed = parse_file(path, args, data)
    except Exception as exc:
        fail(f"{path}: {exc}")
    if parsed.fatal:
        fail(f"{path}: cannot be parsed: {parsed.fatal}")
    for pf in parsed.functions:
        if pf.name == function:
            for err in pf.errors:
                click.echo(f"{path}:{err}: error (the CFG may miss statements)", err=True)
            if pf.syntax is None:
                fail(f"{function}(): {pf.lower_error or 'not lowered'}")
            try:
                click.echo(format_cfg(build_cfg(pf.syntax, str(path))), nl=False)
            except BudgetExceeded as exc:
                fail(f"{function}(): {exc}")
            return
    fail(f"{path}: no function named {function}")
