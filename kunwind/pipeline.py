"""One file through the pipeline: flags, parse, CFGs, summaries, the walk, rules.

``run_pipeline`` never raises for a problem with the input: a file that cannot
be read or parsed, and each function that cannot be analysed whole, becomes a
``Notice`` next to the findings. ``analyze_file`` is what a run does with one
file (in this process or in a worker): the pipeline, then the file's ignore
comments, and an internal error becomes a notice too.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from .analysis.callbacks import callback_summaries, member_calls
from .analysis.callers import with_caller_releases
from .analysis.context import (
    FunctionContext,
    filled_tables,
    initcall_functions,
    returned_owners,
    returned_release_callbacks,
)
from .analysis.conventions import Conventions, file_conventions
from .analysis.global_locks import bind_global_locks
from .analysis.pairs import with_sibling_releases
from .analysis.quiet import may_reach_error_exit
from .analysis.summaries import Summary, summarize_file
from .analysis.walk import Walker
from .analysis.words import Source, file_comments
from .config import Options
from .external import callees_that_matter, callers_callees, external_summaries, failing_callees
from .findings import (
    NOT_BUILT,
    PROGRAM,
    SKIPPED,
    FileResult,
    Finding,
    Notice,
    PairUse,
    merge_repeats,
)
from .flags import CompileDBError, FileFlags, KernelTreeError, flags_for, uses_c_library
from .frontend.clang_parse import parse_file
from .kernel.kbuild import generated_by
from .knowledge import Knowledge, load_knowledge
from .model.build import BudgetExceeded, build_cfg, summary_cfgs
from .model.cfg import Function
from .model.ir import forget_expressions
from .pair_uses import collect_uses
from .rules import Rule, selected_rules
from .suppress import apply_suppressions

_KNOWLEDGE: dict[tuple[object, ...], Knowledge] = {}  # loaded once per process


def read_source(path: Path) -> tuple[bytes | None, str]:
    """The file's bytes, or None and the reason it cannot be analysed."""
    if path.is_dir():
        return None, "is a directory"
    if path.exists() and not path.is_file():  # a FIFO or a device: would block or never end
        return None, "not a regular file"
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, f"cannot read: {exc.strerror or exc}"
    if b"\0" in data:
        return None, "binary file (contains NUL bytes), not C source"
    return data, ""


def run_pipeline(path: Path, name: str, opts: Options, text: bytes | None = None) -> FileResult:
    """Analyse ``path`` (or ``text`` as its contents, under its path and flags)."""
    forget_expressions()  # the last file's expression memos would keep its trees alive
    result = FileResult(file=name)
    data, why = (text, "") if text is not None else read_source(path)
    if data is None:
        result.parsed = False
        result.notices.append(Notice(file=name, message=why))
        return result
    if not data.strip():
        result.notices.append(Notice(file=name, message="empty file", level="note"))
        return result
    clock = time.perf_counter()
    try:
        flags = flags_for(path, opts)
    except (KernelTreeError, CompileDBError, OSError) as exc:  # a broken tree or database
        result.parsed = False
        why = f"{exc.strerror}: {exc.filename}" if isinstance(exc, OSError) else str(exc)
        result.notices.append(Notice(file=name, message=f"cannot choose clang flags: {why}"))
        return result
    result.timings["flags"] = time.perf_counter() - clock
    if flags.program:  # a host or BPF program of the tree: its makefile says so
        result.notices.append(Notice(file=name, message=f"not analysed: {flags.program}",
                                     level="note", kind=PROGRAM))
        return result
    result.configuration = flags.configuration
    for note in flags.notes:
        kind = NOT_BUILT if note == flags.not_built else ""
        result.notices.append(Notice(file=name, message=note, level="note", kind=kind))
    kb = knowledge_for(opts, flags, data)

    def helper(callee: str) -> bool:  # a header's short function worth summarising
        return not kb.describes(callee)

    if opts.frontend == "pycparser":
        # here, not at the top: pycparser is an optional dependency (the pycparser extra)
        from .frontend.pycparser_frontend import parse_file as parse_with_pycparser

        parsed = parse_with_pycparser(path, flags.args, data, helpers=helper)
    else:
        parsed = parse_file(path, flags.args, data, skipped=opts.skipped_code, helpers=helper)
    result.timings["parse"] = parsed.parse_seconds
    result.timings["lower"] = parsed.lower_seconds
    result.includes = parsed.includes
    result.missing_headers = parsed.missing_headers
    if flags.tree_root is not None:  # a header the build generates: said, with the remedy
        for header in list(result.missing_headers):
            makefile = generated_by(flags.tree_root, Path(os.path.abspath(path)), header)
            if makefile is not None:
                result.missing_headers.remove(header)
                result.notices.append(Notice(
                    file=name, level="warning", message=f"'{header}' is generated at build "
                    f"time ({rel(makefile, flags.tree_root)}), it is not in the source tree: "
                    "code that needs it is not analysed (--build-dir with a built tree has it)"))
    clock = time.perf_counter()
    if parsed.fatal:
        result.parsed = False
        result.notices.append(Notice(file=name, message=f"cannot be parsed: {parsed.fatal}"))
        return result
    if parsed.errors:  # outside any function: declarations, or whole functions, may be missing
        more = f" (and {len(parsed.errors) - 1} more)" if len(parsed.errors) > 1 else ""
        if not parsed.functions:
            result.parsed = False
            result.notices.append(Notice(file=name, message="cannot be parsed, clang reports: "
                                         f"{parsed.errors[0]}{more}"))
            return result
        result.notices.append(Notice(file=name, level="warning", message="clang reports errors "
                                     f"outside any function: {parsed.errors[0]}{more}"))

    for code in parsed.skipped:
        for i, (fname, line) in enumerate(code.functions):
            end = code.functions[i + 1][1] - 1 if i + 1 < len(code.functions) else code.end
            result.notices.append(Notice(file=name, level="note", line=line, end_line=end,
                                         function=fname, kind=SKIPPED,
                                         message=f"{fname}() not analysed: {code.reason}"))
    functions: list[Function] = []
    for pf in parsed.functions:
        result.functions += 1
        reason = ""
        if pf.errors:
            first = pf.errors[0]
            more = f" (and {len(pf.errors) - 1} more)" if len(pf.errors) > 1 else ""
            reason = f"clang reports errors inside it, statements may be missing: {first}{more}"
        elif pf.lower_error or pf.syntax is None:
            reason = pf.lower_error or "not lowered"
        else:
            try:
                functions.append(build_cfg(pf.syntax, name, opts.max_blocks))
            except BudgetExceeded as exc:
                reason = f"too large: {exc}"
            except RecursionError:
                reason = "nested too deeply"
        if reason:
            result.functions_incomplete += 1
            result.notices.append(Notice(file=name, message=f"{pf.name}() not fully analysed: "
                                         f"{reason}", level="warning", line=pf.line,
                                         function=pf.name, end_line=pf.end_line))
    helpers = summary_cfgs((pf.syntax for pf in parsed.helpers if pf.syntax is not None),
                           name, opts.max_blocks)  # header functions, for their summaries
    for fn in functions + helpers:
        bind_global_locks(fn, kb)  # rtnl_lock(): a call on one global lock
    result.timings["cfg"] = time.perf_counter() - clock
    clock = time.perf_counter()
    tables = filled_tables(parsed.tables, functions, kb)
    summaries = _file_summaries(functions, helpers, kb, data, tables)
    result.timings["summaries"] = time.perf_counter() - clock
    clock = time.perf_counter()
    rules = selected_rules(opts.rules, opts.experimental)
    # the words of findings are read from the text at libclang's locations (pycparser's
    # are those of the preprocessed text)
    source = Source(data) if opts.frontend != "pycparser" else None
    conventions = file_conventions(functions, lambda c: kb.printer_format(c) is not None)
    inits = initcall_functions(data, kb.initcalls)
    exits = initcall_functions(data, kb.exitcalls)
    comments = file_comments(data)
    modular = "-DMODULE" in flags.args  # built as a module: a failed init unloads it
    walks = [_walk(fn, name, summaries, kb, rules, opts, parsed.pure, source, tables,
                   conventions, inits, exits, comments, modular) for fn in functions]
    result.timings["analysis"] = time.perf_counter() - clock
    if opts.cross_file and flags.tree_root is not None:
        # a function with a finding: would the callees it hands its objects to,
        # defined in other files, tell another story? Walk it again with their summaries
        reported = [i for i, w in enumerate(walks) if w[0]]
        bodies = {fn.name: fn for fn in functions + helpers}
        wanted = callees_that_matter([functions[i] for i in reported], summaries, kb, name,
                                     bodies)
        wanted += [c for c in callers_callees([functions[i] for i in reported], functions,
                                              summaries, kb, bodies) if c not in wanted]
        # the callees whose failure opens their paths: one that cannot fail has no path
        failing = [c for i in reported for c in walks[i][3]]
        ext = external_summaries(wanted, path, flags, opts, kb,
                                 failing_callees(failing, summaries, kb, bodies))
        if ext.summaries:
            clock = time.perf_counter()
            summaries = _file_summaries(functions, helpers, kb, data, tables, ext.summaries)
            for i in reported:
                walks[i] = _walk(functions[i], name, summaries, kb, rules, opts, parsed.pure,
                                 source, tables, conventions, inits, exits, comments,
                                 modular)
            result.timings["analysis"] += time.perf_counter() - clock
        result.includes = sorted({*result.includes, *ext.files})  # the result depends on them
        result.timings["other files"] = ext.seconds
    for fn, (found, uses, incomplete, _) in zip(functions, walks, strict=True):
        result.findings.extend(found)
        result.pair_uses.extend(uses)
        if incomplete:
            result.functions_incomplete += 1
            result.notices.append(Notice(file=name, message=f"{fn.name}() not fully analysed: "
                                         f"{incomplete}", level="warning", line=fn.loc.line,
                                         function=fn.name, end_line=fn.end_line))
    result.findings.sort(key=lambda f: f.sort_key())
    return result


def _file_summaries(functions: list[Function], helpers: list[Function], kb: Knowledge,
                    data: bytes, tables: dict[str, tuple[str, dict[str, str]]],
                    external: dict[str, Summary] | None = None) -> dict[str, Summary]:
    """The summaries of the file's functions and of the header functions it calls.
    When a function calls through a member the file fills only with its own
    functions (``pool->ops->destroy(pool)``), the functions are summarised again with
    that member's summary under the call's name (``member_calls``)."""
    summaries = with_caller_releases(
        functions, summarize_file(functions + helpers, kb, external=external), kb, data)
    summaries.update(callback_summaries(functions, summaries, tables))
    through = member_calls(functions + helpers, summaries)
    if through:
        summaries = with_caller_releases(
            functions, summarize_file(functions + helpers, kb,
                                      external={**(external or {}), **through}), kb, data)
        summaries.update(callback_summaries(functions, summaries, tables))
    summaries = returned_release_callbacks(functions, summaries, kb, tables)
    summaries = returned_owners(functions, summaries, kb)
    return with_sibling_releases(functions, summaries, tables, kb)


def _walk(fn: Function, name: str, summaries: dict[str, Summary], kb: Knowledge,
          rules: list[Rule], opts: Options, pure: dict[str, bool],
          source: Source | None = None,
          tables: dict[str, tuple[str, dict[str, str]]] | None = None,
          conventions: Conventions | None = None,
          initcalls: frozenset[str] = frozenset(),
          exitcalls: frozenset[str] = frozenset(),
          comments: tuple[tuple[int, str], ...] = (),
          modular: bool = False,
          ) -> tuple[list[Finding], list[PairUse], str, list[str]]:
    """One function's walk: its findings, the pair uses it shows, why it is incomplete,
    the callees whose failure opens the paths of its findings
    (``pure``: the callees whose bodies are pure; ``source``: the file's text, which
    its findings' words are read from; ``tables``: the file's structs of function
    pointers; ``conventions``: what the file's calls do with each callee's result;
    ``initcalls``, ``exitcalls``: the file's init and exit functions; ``comments``:
    the file's comments, with their lines; ``modular``: the file is built as a
    module)."""
    ctx = FunctionContext(fn, name, summaries, kb, source, pure_bodies=pure,
                          tables=tables or {}, conventions=conventions or Conventions(),
                          initcalls=initcalls, exitcalls=exitcalls, comments=comments,
                          modular=modular)
    if not _walk_can_report(ctx, rules):
        return [], [], "", []
    walk = Walker(ctx, rules, opts.max_states).run()
    found = list(walk.findings)
    for r in rules:
        if r.on_function is not None:
            found.extend(r.on_function(ctx, walk))
    found = merge_repeats(found)
    return (found, collect_uses(ctx, walk), "" if walk.complete else walk.reason,
            walk.failed_callees(found))


def _walk_can_report(ctx: FunctionContext, rules: list[Rule]) -> bool:
    """Can the walk of ``ctx``'s function give any finding or pair use? Not when no
    path of it can reach an error exit (``quiet.may_reach_error_exit``) and no check
    reports at the other exits of this function (``Rule.at_normal_exits``)."""
    return may_reach_error_exit(ctx.fn) or any(
        r.at_normal_exits is not None and r.at_normal_exits(ctx) for r in rules)


def knowledge_for(opts: Options, flags: FileFlags, source: bytes) -> Knowledge:
    """The knowledge a file is checked with: the bundled and ``--knowledge`` files, and
    the C library's pairs for a program (its flags allow a C library and it uses one).
    Loaded once per process for each combination."""
    hosted = flags.hosted and uses_c_library(source)
    key = (hosted, *(str(k) for k in opts.knowledge))
    kb = _KNOWLEDGE.get(key)
    if kb is None:
        kb = _KNOWLEDGE[key] = load_knowledge(opts.knowledge, hosted=hosted)
    return kb


def rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def analyze_file(path: Path, opts: Options, root: Path, text: bytes | None = None) -> FileResult:
    """One file (``text``: these contents instead of the file's), ignore comments applied."""
    name = rel(path, root)
    start = time.perf_counter()
    try:
        result = run_pipeline(path, name, opts, text)
        apply_suppressions(result, text if text is not None else read_source(path)[0],
                           opts.unused_suppressions)
    except Exception as exc:  # one bad file never stops the run
        if os.environ.get("KUNWIND_DEBUG"):
            raise
        result = FileResult(file=name, parsed=False)
        result.notices.append(Notice(file=name, message=f"internal error: {exc!r}"))
    result.seconds = time.perf_counter() - start
    return result
