"""The command line: ``kunwind check``, ``kunwind rules``, ``kunwind explain``.

Every user mistake ends in one line on stderr and exit status 2, never a
traceback. Exit status: 0 no findings, 1 findings, 2 usage error or nothing
could be analysed.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click

from . import __version__
from .baseline import apply_baseline
from .baseline import load as load_baseline
from .cli_audit import audit_options, configure_audit, merge_cmd
from .cli_options import fail, flag_options
from .cli_workflow import baseline_cmd, install_hook_cmd
from .diffcheck import check_diff
from .driver import Options, UsageError, check_paths
from .findings import RunResult

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kunwind")
def main() -> None:
    """kunwind: find error-path unwinding bugs in Linux kernel C."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write the report to this file (atomically) instead of stdout.")
@flag_options
@click.option("--root", type=click.Path(path_type=Path, file_okay=False),
              help="Report paths relative to this directory (default: the kernel tree or "
                   "git work tree holding the files).")
@click.option("--rule", "rules", multiple=True, help="Run only this rule (repeatable).")
@click.option("--experimental", is_flag=True,
              help="Run the experimental checks too (see 'kunwind rules').")
@click.option("-q", "--quiet", is_flag=True, help="Do not print the summary on stderr.")
@click.option("--max-blocks", type=click.IntRange(min=2), default=20000, show_default=True,
              help="A function with a larger CFG is reported as not fully analysed.")
@click.option("--max-states", type=click.IntRange(min=1), default=20000, show_default=True,
              help="A function whose path walk needs more states is not fully analysed.")
@click.option("--frontend", type=click.Choice(["clang", "pycparser"]), default="clang",
              show_default=True, help="The C parser: libclang, or pycparser on the system "
                                      "preprocessor's output (or a .i file): a cross-check.")
@click.option("--diff", "diff_rev", metavar="REV",
              help="Only findings the change since REV introduces, in the C files it changed "
                   "(git; with PATHS, only those under them).")
@click.option("--staged", is_flag=True,
              help="Like --diff HEAD, for the staged contents (the index): for commit hooks.")
@click.option("--baseline", "baseline_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Leave out the findings recorded in this file (see 'kunwind baseline').")
@click.option("--learn/--no-learn", default=True, show_default=True,
              help="Learn acquire/release pairs that the checked files show consistently "
                   "and check the files that use them again (more than one file only).")
@click.option("--save-learned", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the learned pairs to this knowledge file, for review and for "
                   "--knowledge in later runs.")
@audit_options
def check(paths: tuple[Path, ...], fmt: str, output: Path | None, flags: dict,
          root: Path | None, rules: tuple[str, ...], experimental: bool, quiet: bool,
          max_blocks: int,
          max_states: int,
          frontend: str,
          diff_rev: str | None, staged: bool,
          baseline_file: Path | None, learn: bool, save_learned: Path | None,
          jobs: int | None, timeout: float,
          results_dir: Path | None, no_cache: bool, shard: str | None) -> None:
    """Check C files, or directories searched for *.c files.

    With --diff or --staged, the changed C files (all, or those under PATHS).
    """
    from .report import write
    from .report.text import summary
    from .rules import get_rule

    rule_ids = None
    if rules:
        rule_ids = []
        for r in rules:
            found = get_rule(r)
            if found is None:
                fail(f"unknown rule '{r}' (see 'kunwind rules')")
            rule_ids.append(found.id)
    opts = Options(**flags, root=root, rules=rule_ids, max_blocks=max_blocks,
                   max_states=max_states, frontend=frontend, learn=learn,
                   experimental=experimental)
    try:
        configure_audit(opts, jobs, timeout, results_dir, no_cache, shard, quiet)
        if frontend != "clang":
            opts.results_cache = None  # its entries are libclang's
        _preflight(opts)
        known = load_baseline(baseline_file) if baseline_file is not None else None
        if diff_rev is not None or staged:
            run = check_diff(list(paths), opts, diff_rev, staged)
        elif not paths:
            raise UsageError("no files given (C files, directories, or --diff REV / --staged)")
        else:
            run = check_paths(list(paths), opts)
        if known is not None:
            apply_baseline(run, known, "in the baseline")
    except UsageError as exc:
        fail(str(exc))
    if save_learned is not None:
        from .knowledge.learned import to_toml

        write_atomically(save_learned, to_toml(run.learned))
    text = write(run, fmt)
    if output is not None:
        write_atomically(output, text)
    else:  # bytes: a path that is not UTF-8 keeps its bytes, whatever the locale
        click.echo(text.encode("utf-8", "surrogateescape"), nl=False)
    if not quiet:
        if fmt != "text" or output is not None:
            for n in run.notices:  # the text report already holds them
                click.echo(f"{n.file}: {n.level}: {n.message}", err=True)
        click.echo(summary(run), err=True)
    sys.exit(exit_status(run))


def _preflight(opts: Options) -> None:
    """Fail early, in one line, on what would break every file."""
    from .frontend.clang_lib import LibclangError, cindex
    from .knowledge import KnowledgeError, load_knowledge

    try:
        if opts.frontend == "clang":
            cindex()
    except LibclangError as exc:
        raise UsageError(str(exc)) from exc
    if opts.frontend == "pycparser":
        try:
            import kunwind.frontend.pycparser_frontend  # noqa: F401
        except (ImportError, AttributeError) as exc:
            raise UsageError(f"--frontend pycparser needs pycparser>=3.12 ({exc})") from exc
    try:
        load_knowledge(opts.knowledge)
    except KnowledgeError as exc:
        raise UsageError(str(exc)) from exc
    if opts.compile_db is not None:
        from .frontend.compile_db import CompileDBError, load_compile_db

        try:
            load_compile_db(opts.compile_db)
        except CompileDBError as exc:
            raise UsageError(str(exc)) from exc


def exit_status(run: RunResult) -> int:
    if run.files and not any(f.parsed for f in run.files):
        return EXIT_ERROR
    live = [f for f in run.findings if not f.suppressed]
    return EXIT_FINDINGS if live else EXIT_CLEAN


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


main.add_command(baseline_cmd)
main.add_command(install_hook_cmd)
main.add_command(merge_cmd)


@main.command("rules")
def list_rules() -> None:
    """List the checks."""
    from .rules import ALL_RULES

    for r in ALL_RULES:
        off = " [experimental: off unless --experimental or --rule]" if r.experimental else ""
        click.echo(f"{r.id}  {r.name:<28} {r.summary}{off}")


@main.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Show the documentation of a check (by id or name)."""
    from .rules import get_rule

    r = get_rule(rule)
    if r is None:
        fail(f"unknown rule '{rule}' (see 'kunwind rules')")
    click.echo(r.text(), nl=False)


@main.command("cfg")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("function")
@click.option("--clang-arg", "clang_args", multiple=True, help="Extra clang argument.")
def show_cfg(path: Path, function: str, clang_args: tuple[str, ...]) -> None:
    """Print the control-flow graph kunwind builds for FUNCTION in PATH."""
    from .frontend.clang_parse import parse_file
    from .frontend.flags import flags_for
    from .model.build import BudgetExceeded, build_cfg
    from .model.dump import format_cfg
    from .pipeline import read_source

    data, why = read_source(path) if path.exists() else (None, "no such file")
    if data is None:
        fail(f"{path}: {why}")
    try:
        args, _ = flags_for(path, Options(extra_args=list(clang_args)))
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


if __name__ == "__main__":
    main()
