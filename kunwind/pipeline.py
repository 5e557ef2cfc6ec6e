"""One file through the pipeline: flags, parse, CFGs, summaries, the walk, rules.

``run_pipeline`` never raises for a problem with the input: a file that cannot
be read or parsed, and each function that cannot be analysed whole, becomes a
``Notice`` next to the findings.
"""

from __future__ import annotations

from pathlib import Path

from .analysis.context import FunctionContext
from .analysis.summaries import summarize_file
from .analysis.walk import Walker
from .findings import FileResult, Notice
from .frontend.clang_parse import parse_file
from .frontend.flags import flags_for
from .model.build import BudgetExceeded, build_cfg
from .model.cfg import Function


def read_source(path: Path) -> tuple[bytes | None, str]:
    """The file's bytes, or None and the reason it cannot be analysed."""
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        return None, "is a directory"
    except OSError as exc:
        return None, f"cannot read: {exc.strerror or exc}"
    if b"\0" in data:
        return None, "binary file (contains NUL bytes), not C source"
    return data, ""


def run_pipeline(path: Path, name: str, opts) -> FileResult:
    from kunwind.rules import ALL_RULES
    from kunwind.rules.api import load_knowledge

    result = FileResult(file=name)
    data, why = read_source(path)
    if data is None:
        result.parsed = False
        result.notices.append(Notice(file=name, message=why))
        return result
    args, flag_notes = flags_for(path, opts)
    for note in flag_notes:
        result.notices.append(Notice(file=name, message=note, level="note"))
    parsed = parse_file(path, args, data)
    if parsed.fatal:
        result.parsed = False
        result.notices.append(Notice(file=name, message=f"cannot be parsed: {parsed.fatal}"))
        return result

    functions: list[Function] = []
    for pf in parsed.functions:
        result.functions += 1
        reason = ""
        if pf.errors:
            first = pf.errors[0]
            more = f" (and {len(pf.errors) - 1} more)" if len(pf.errors) > 1 else ""
            reason = f"clang reports errors inside it, statements may be missing: {first}{more}"
        elif pf.lower_error:
            reason = pf.lower_error
        else:
            try:
                functions.append(build_cfg(pf.syntax, name))
            except BudgetExceeded as exc:
                reason = f"too large: {exc}"
            except RecursionError:
                reason = "nested too deeply"
        if reason:
            result.functions_incomplete += 1
            result.notices.append(Notice(file=name, message=f"{pf.name}() not fully analysed: "
                                         f"{reason}", level="warning", line=pf.line,
                                         function=pf.name))
    kb = load_knowledge(opts.knowledge)
    summaries = summarize_file(functions, kb)
    rules = [r for r in ALL_RULES if opts.rules is None or r.id in opts.rules]
    for fn in functions:
        ctx = FunctionContext(fn, name, summaries, kb)
        walk = Walker(ctx, rules).run()
        result.findings.extend(walk.findings)
        for r in rules:
            if r.on_function is not None:
                result.findings.extend(r.on_function(ctx, walk))
        if not walk.complete:
            result.functions_incomplete += 1
            result.notices.append(Notice(file=name, message=f"{fn.name}() not fully analysed: "
                                         f"{walk.reason}", level="warning", line=fn.loc.line,
                                         function=fn.name))
    result.findings.sort(key=lambda f: f.sort_key())
    return result
