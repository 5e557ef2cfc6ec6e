"""``kunwind check``: check files, directories, or what a git change touched.

Exit status: 0 no findings, 1 findings, 2 usage error or nothing could be
analysed, 3 (with ``--fail-unanalysed``, and no findings) a function checked
by name or changed was not analysed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kunwind.baseline import apply_baseline
from kunwind.baseline import load as load_baseline
from kunwind.config import Options, UsageError
from kunwind.diffcheck import check_diff
from kunwind.driver import check_paths
from kunwind.findings import NOT_BUILT, PROGRAM, RunResult
from kunwind.knowledge.learned import to_toml
from kunwind.report import write
from kunwind.report.text import summary
from kunwind.rules import get_rule
from kunwind.rules.base import DEFAULT_ON_PRECISION, DEFAULT_ON_REPORTS

from .audit import audit_options, configure_audit
from .shared import (
    EXIT_CLEAN,
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_UNANALYSED,
    fail,
    flag_options,
    preflight,
    project_of,
    write_atomically,
)


@click.command("check")
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
              help="Run the experimental checks too: those measured below "
                   f"{DEFAULT_ON_PRECISION:.0%} true, or on fewer than {DEFAULT_ON_REPORTS} "
                   "reports, on a "
                   "random sample of the kernel (see 'kunwind rules').")
@click.option("-q", "--quiet", is_flag=True, help="Do not print the summary on stderr.")
@click.option("--max-blocks", type=click.IntRange(min=2), default=20000, show_default=True,
              help="A function with a larger CFG is reported as not fully analysed.")
@click.option("--max-states", type=click.IntRange(min=1), default=20000, show_default=True,
              help="A function whose path walk needs more states is not fully analysed.")
@click.option("--frontend", type=click.Choice(["clang", "pycparser"]), default="clang",
              show_default=True, help="The C parser: libclang, or pycparser on the system "
                                      "preprocessor's output (or a .i file), a cross-check "
                                      "that cannot parse asm, labels as values, case ranges, "
                                      "'?:' without a middle operand or "
                                      "__builtin_types_compatible_p: most kernel files use "
                                      "one of them and are reported as not parseable.")
@click.option("--diff", "diff_rev", metavar="REV",
              help="Only findings the change since REV introduces, in the C files it changed "
                   "(git; with PATHS, only those under them).")
@click.option("--staged", is_flag=True,
              help="Like --diff HEAD, for the staged contents (the index): for commit hooks.")
@click.option("--baseline", "baseline_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Leave out the findings recorded in this file (see 'kunwind baseline').")
@click.option("--learn/--no-learn", default=False, show_default=True,
              help="Learn acquire/release pairs that the checked files show consistently "
                   "and check the files that use them again (more than one file only). "
                   "Off by default: its reports were measured 0 true of 10.")
@click.option("--save-learned", type=click.Path(path_type=Path, dir_okay=False),
              help="Learn pairs (implies --learn) and write them to this knowledge file, "
                   "for review and for --knowledge in later runs.")
@click.option("--exclude", "excludes", multiple=True, metavar="GLOB",
              help="Leave out the files whose path (relative to the .kunwind.toml's "
                   "directory, else to here) matches GLOB (repeatable; * matches / too).")
@click.option("--unused-suppressions", is_flag=True,
              help="Note each 'kunwind: ignore' comment that suppresses nothing.")
@click.option("--no-cross-file", is_flag=True,
              help="In a kernel tree, do not read the callees that other files define "
                   "(their summaries can clear a report; reading them costs a parse each, "
                   "once: they are kept in the cache directory).")
@click.option("--fail-unanalysed", is_flag=True,
              help="Exit with status 3 when a function of the files named, or one that "
                   "--diff/--staged finds changed, was not analysed (the configuration "
                   "leaves it out, clang reports errors in it, a budget ran out).")
@audit_options
def check(paths: tuple[Path, ...], fmt: str, output: Path | None, flags: dict,
          root: Path | None, rules: tuple[str, ...], experimental: bool, quiet: bool,
          max_blocks: int,
          max_states: int,
          frontend: str,
          diff_rev: str | None, staged: bool,
          baseline_file: Path | None, learn: bool, save_learned: Path | None,
          excludes: tuple[str, ...], unused_suppressions: bool, no_cross_file: bool,
          fail_unanalysed: bool, jobs: int | None, timeout: float,
          results_dir: Path | None, no_cache: bool, shard: str | None) -> None:
    """Check C files, or directories searched for *.c files.

    With --diff or --staged, the changed C files (all, or those under PATHS).
    """
    project = project_of(click.get_current_context())
    rules = rules or tuple(project.get("rules") or ())
    experimental = experimental or bool(project.get("experimental"))
    rule_ids = None
    if rules:
        rule_ids = []
        for r in rules:
            found = get_rule(r)
            if found is None:
                fail(f"unknown rule '{r}' (see 'kunwind rules')")
            rule_ids.append(found.id)
    opts = Options(**flags, root=root, rules=rule_ids, max_blocks=max_blocks,
                   max_states=max_states, frontend=frontend,
                   learn=learn or save_learned is not None,
                   experimental=experimental, unused_suppressions=unused_suppressions,
                   cross_file=not no_cross_file,
                   exclude=[*(project.get("exclude") or []), *excludes],
                   exclude_root=project.root,
                   skipped_code=diff_rev is not None or staged or any(
                       not p.is_dir() for p in paths))
    try:
        configure_audit(opts, jobs, timeout, results_dir, no_cache, shard, quiet)
        if frontend != "clang":
            opts.results_cache = None  # its entries are libclang's
        preflight(opts)
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
        write_atomically(save_learned, to_toml(run.learned))
    text = write(run, fmt)
    if output is not None:
        write_atomically(output, text)
    else:  # bytes: a path that is not UTF-8 keeps its bytes, whatever the locale
        click.echo(text.encode("utf-8", "surrogateescape"), nl=False)
    if not quiet:
        if fmt != "text" or output is not None:
            for n in run.notices:  # the text report already holds them
                if n.kind not in (NOT_BUILT, PROGRAM):  # the summary counts those
                    click.echo(f"{n.file}: {n.level}: {n.message}", err=True)
        click.echo(summary(run), err=True)
    sys.exit(exit_status(run, fail_unanalysed))


def exit_status(run: RunResult, fail_unanalysed: bool = False) -> int:
    if run.files and not any(f.parsed for f in run.files):
        return EXIT_ERROR
    if any(not f.suppressed for f in run.findings):
        return EXIT_FINDINGS
    if fail_unanalysed and any(n.function or not f.parsed for f in run.files
                               for n in f.notices):
        return EXIT_UNANALYSED
    return EXIT_CLEAN
