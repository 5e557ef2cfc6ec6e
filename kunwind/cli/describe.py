"""The commands that show what kunwind knows: ``rules``, ``explain``, ``knowledge`` and ``cfg``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kunwind.analysis.context import FunctionContext, filled_tables
from kunwind.analysis.summaries import summarize_file
from kunwind.analysis.walk import Walker
from kunwind.config import Options
from kunwind.flags import flags_for
from kunwind.frontend.clang_parse import parse_file
from kunwind.knowledge import KNOWLEDGE_DIR, Knowledge, KnowledgeError, canonical, load_knowledge
from kunwind.model.build import BudgetExceeded, build_cfg
from kunwind.model.dump import format_cfg, format_dot
from kunwind.pipeline import knowledge_for, read_source
from kunwind.rules import ALL_RULES, get_rule

from .shared import fail, flag_options


@click.command("rules")
def list_rules() -> None:
    """List the checks."""
    for r in ALL_RULES:
        off = ""
        if r.experimental:
            m = r.measured
            share = "new, not yet measured" if m is None else \
                "no reports on the sample" if not m.reports else \
                f"{m.share:.0%} true of {m.reports}"
            off = f" [experimental: {share}, off unless --experimental or --rule]"
        click.echo(f"{r.id}  {r.name:<28} {r.summary}{off}")


@click.command("explain")
@click.argument("rule")
def explain(rule: str) -> None:
    """Show the documentation of a check (by id or name)."""
    r = get_rule(rule)
    if r is None:
        fail(f"unknown rule '{rule}' (see 'kunwind rules')")
    click.echo(r.text(), nl=False)


@click.command("knowledge")
@click.argument("name", required=False)
@click.option("--knowledge", "extra", multiple=True,
              type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="An extra knowledge file, as for 'kunwind check --knowledge'.")
@click.option("--hosted", is_flag=True, help="As for a program: with the C library's pairs.")
def show_knowledge(name: str | None, extra: tuple[Path, ...], hosted: bool) -> None:
    """Show the knowledge in force (all of it, or the entries of NAME) and where each
    entry comes from."""
    try:
        kb = load_knowledge(list(extra), hosted=hosted)
    except KnowledgeError as exc:
        fail(str(exc))
    shown = 0
    for (table, entry), source in sorted(kb.sources.items()):
        if name is not None and name not in (entry, canonical(entry)) \
                and canonical(name) != entry:
            continue
        click.echo(f"{table} {entry}: {_describe(kb, table, entry)}  [{_short(source)}]")
        shown += 1
    if name is not None and not shown:
        fail(f"no knowledge entry names {name!r}" + ("" if hosted else
             " (a program's C library pairs: --hosted)"))


def _describe(kb: Knowledge, table: str, name: str) -> str:
    if table == "acquire":
        a = kb.acquires[name]
        what = "returns it" if a.object == "ret" else f"argument {a.object}"
        released = ", ".join(a.release) or "nothing known"
        extra = "".join(f", {w}" for w, on in (("held on failure", a.held_on_failure),
                                               ("zeroed", a.zeroed),
                                               ("an extra reference", a.extra)) if on)
        if a.part:
            what += f", its {a.part}"
        if a.count_max is not None:
            lo = f"argument {a.count_min}" if a.count_min is not None else "1"
            extra += f", a count from {lo} to argument {a.count_max}"
        if a.after:
            extra += f", after {a.after}()"
        return f"{a.kind.value or 'unknown'} ({what}), fails {a.fails}{extra}; released by " \
            f"{released}" + (f"; {a.evidence}" if a.evidence else "")
    if table == "release":
        r = kb.releases[name]
        ok = "".join(f", {w}" for w, on in (("NULL is fine", r.null_ok),
                                            ("ERR_PTR is fine", r.err_ok),
                                            ("a no-op if never acquired", r.safe_unacquired),
                                            ("the object stays valid", r.keeps_object))
                     if on)
        fields = f", frees its {', '.join(r.frees_fields)} too" if r.frees_fields else ""
        if r.callback is not None:
            fields += f", runs argument {r.callback} when it drops the last reference"
        if r.member:
            fields += f", drops the reference of its member {r.member}"
        return f"releases argument {r.arg}{ok}{fields}"
    if table == "owner" and name in kb.owner_fields:
        taken = kb.owner_fields[name]
        return f"takes over what argument {taken[0]}'s field {taken[1]} holds, whatever " \
            "it returns"
    if table == "owner":
        when = " when it succeeds" if name in kb.owners_on_success else \
            " when it fails (it frees it)" if name in kb.owners_on_failure else ""
        action = kb.owner_actions.get(name)
        later = f", and runs argument {action} on it later" if action is not None else ""
        return f"takes over argument {kb.owners[name]}{when}{later}"
    if table == "borrow":
        return f"keeps argument {kb.borrowers[name]} without owning it"
    if table == "borrowed":
        return "returns what a [borrow] function kept in argument 0"
    if table == "in_progress":
        errno = next(k for k, v in kb.in_progress.items() if v == name)
        return f"-{errno} means in progress, not a failure"
    if table == "printf":
        return f"printk-style, format argument {kb.printers[name]}"
    if table == "answer":
        return "its result is an answer, never an error code"
    if table == "owner_flag":
        f = kb.owner_flags[name]
        fills = ", ".join(f"{c}() argument {j}" for c, j in sorted(f.fill.items()))
        return f"set in {f.field} ({f.value:#x}), the object frees what {fills} gave it"
    if table == "frees_filled":
        fills = ", ".join(f"{c}() argument {j}" for c, j in sorted(kb.frees_filled[name].items()))
        return f"frees what {fills} put into argument 0"
    if table == "held_query":
        arg, held = kb.held_queries[name]
        return f"true for argument {arg} while {', '.join(sorted(held))} holds it"
    if table == "held_field":
        return f"a field, nonzero while {', '.join(sorted(kb.held_fields[name]))} holds " \
            "its object"
    if table == "teardown":
        t = kb.teardowns[name]
        return f"tears down argument {t.arg}, needs {', '.join(t.depends) or 'nothing'} set up"
    return f"listed in [{table}] (what that means: the comment above the table)"


def _short(source: str) -> str:
    """A bundled file relative to its folder (``memory.toml``); a user's file as given."""
    path = Path(source)
    try:
        return "rules/" + path.relative_to(KNOWLEDGE_DIR.parent).as_posix()
    except ValueError:
        return source


@click.command("cfg")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("function")
@click.option("--format", "fmt", type=click.Choice(["text", "dot"]), default="text",
              show_default=True, help="Text, or Graphviz's dot (kunwind cfg ... | dot -Tsvg).")
@flag_options
def show_cfg(path: Path, function: str, fmt: str, flags: dict[str, Any]) -> None:
    """Print the control-flow graph kunwind builds for FUNCTION in PATH, with the source
    line of each statement, and the failure tests and error exits the walk finds marked.

    It takes the flag options of 'check', so it sees the file as 'check' does."""
    opts = Options(**flags)
    data, why = read_source(path) if path.exists() else (None, "no such file")
    if data is None:
        fail(f"{path}: {why}")
    try:
        file_flags = flags_for(path, opts)
        parsed = parse_file(path, file_flags.args, data)
        kb = knowledge_for(opts, file_flags, data)
    except Exception as exc:  # a tree that cannot be set up, a bad knowledge file
        fail(f"{path}: {exc}")
    if parsed.fatal:
        fail(f"{path}: cannot be parsed: {parsed.fatal}")
    functions = {}
    for pf in parsed.functions:
        if pf.syntax is not None:
            try:
                functions[pf.name] = build_cfg(pf.syntax, str(path))
            except BudgetExceeded as exc:
                if pf.name == function:
                    fail(f"{function}(): {exc}")
    target = next((pf for pf in parsed.functions if pf.name == function), None)
    if target is None:
        fail(f"{path}: no function named {function}")
    for err in target.errors:
        click.echo(f"{path}:{err}: error (the CFG may miss statements)", err=True)
    fn = functions.get(function)
    if fn is None:
        fail(f"{function}(): {target.lower_error or 'not lowered'}")
    summaries = summarize_file(list(functions.values()), kb)
    tables = filled_tables(parsed.tables, list(functions.values()), kb)
    walk = Walker(FunctionContext(fn, str(path), summaries, kb,
                                   pure_bodies=parsed.pure, tables=tables), []).run()
    marks: dict[int, str] = {}
    for ex in walk.exits:
        marks[ex.line] = f"error exit: {ex.exit.describe()}"
        if ex.failure is not None:
            marks.setdefault(ex.failure.line, f"failure test: {ex.failure.describe()}")
    if not walk.complete:
        click.echo(f"{path}: note: {function}() not fully analysed: {walk.reason}", err=True)
    text = format_dot(fn, marks) if fmt == "dot" else format_cfg(fn, True, marks)
    click.echo(text, nl=False)
