"""The gcc-style text report (what editors and ``make`` parse) and the stderr summary.

A finding prints as clang prints a warning with notes::

    mm/rmap.c:372:3: warning: unlink_anon_vmas(vma) on a half-built vma [KU001]
    mm/rmap.c:335:2: note: vma->anon_vma cleared here

Then the notices: ``path:line: error: message`` for a file that failed,
``path:line: note: function foo not fully analysed: reason``, and
``path:line: note: foo() not analysed: CONFIG_FOO is off in the configuration
used`` for a function an ``#if`` left out. That the configuration does not
build a file is one line of the summary, for all such files. Suppressed
findings are not printed (they are in the JSON and SARIF reports, and counted
in the summary).
"""

from __future__ import annotations

from collections import Counter

from kunwind.findings import NOT_BUILT, PROGRAM, SKIPPED, Finding, Notice, RunResult
from kunwind.rules import get_rule
from kunwind.rules.base import DEFAULT_ON_PRECISION, DEFAULT_ON_REPORTS

from .json_report import counts


def write(run: RunResult) -> str:
    lines: list[str] = []
    for f in run.findings:
        if not f.suppressed:
            lines += finding_lines(f)
    lines += [notice_line(n) for n in run.notices if n.kind not in (NOT_BUILT, PROGRAM)]
    return "".join(ln + "\n" for ln in lines)


def finding_lines(f: Finding) -> list[str]:
    out = [f"{_where(f.file, f.line, f.col)}: {f.level}: {f.message} [{f.rule_id}]"]
    for s in f.steps:
        out.append(f"{_where(s.file or f.file, s.line, s.col)}: note: {s.message}")
    return out


def notice_line(n: Notice) -> str:
    where = _where(n.file, n.line, 0)
    if n.function and n.kind != SKIPPED:  # the message may already say so: no repeat
        reason = n.message.removeprefix(f"{n.function}() not fully analysed: ")
        return f"{where}: note: function {n.function} not fully analysed: {reason}"
    return f"{where}: {n.level}: {n.message}"


def summary(run: RunResult) -> str:
    """A short tally for stderr: files, functions, findings per rule, failures, time."""
    c = counts(run)
    names = {f.rule_id: f.rule_name for f in run.findings}
    programs = c["not_kernel_code"]
    files = f"{_n(c['files'] - programs, 'file')} analysed"
    why = Counter(r.failure or "failed to parse" for r in run.files if not r.parsed)
    why.update("from cache" for r in run.files if r.cached)
    if why:  # "(1 failed to parse, 1 crashed, 1 timed out, 120 from cache)"
        files += " (" + ", ".join(f"{n} {w}" for w, n in why.items()) + ")"
    if programs:  # listed as programs by their makefiles: said, not analysed
        files += f", {programs} not kernel code"
    functions = _n(c["functions"], "function")
    if c["functions_incomplete"]:
        functions += f" ({c['functions_incomplete']} not fully analysed)"
    findings = _n(c["findings"], "finding") if c["findings"] else "no findings"
    if c["by_rule"]:
        per_rule = ", ".join(f"{rid} {names[rid]} {n}" for rid, n in c["by_rule"].items())
        findings += f": {per_rule}"
    if c["suppressed"]:
        findings += f"; {c['suppressed']} suppressed"
    for hidden, n in run.hidden.items():
        findings += f"; {n} {hidden}, not shown"
    out = f"kunwind: {files}, {functions}\n"
    if run.not_run:
        out += f"kunwind: {not_run_message(run)}\n"
    configs = c["configurations"]
    if len(configs) == 1:
        out += f"kunwind: configuration: {next(iter(configs))}\n"
    elif configs:  # the files of the others named when few: which file used which
        used = []
        for i, (name, n) in enumerate(configs.items()):
            which = [r.file for r in run.files if r.configuration == name]
            listed = f" ({', '.join(which)})" if i and n <= 3 else ""
            used.append(f"{name}: {_n(n, 'file')}{listed}")
        out += f"kunwind: configurations: {'; '.join(used)}\n"
    if run.learned:
        pairs = _n(len(run.learned.get("acquire", {})), "acquire/release pair")
        out += (f"kunwind: learned {pairs} from the code of this run; "
                f"{_n(run.rechecked, 'file')} checked again with them\n")
    for note in run.notes:
        out += f"kunwind: note: {note}\n"
    out += _missing_headers(run) + _not_built(run) + _programs(run)
    return out + f"kunwind: {findings}\nkunwind: done in {run.seconds:.2f}s\n"


def not_run_message(run: RunResult) -> str:
    """One line naming the checks the run left out as experimental, with their numbers."""
    shares = []
    for rule_id in run.not_run:
        rule = get_rule(rule_id)
        measured = rule.measured if rule is not None else None
        shares.append(f"{rule_id} new, not yet measured" if measured is None else
                      f"{rule_id} no reports" if not measured.reports else
                      f"{rule_id} {measured.share:.0%} of {measured.reports}")
    return (f"{_n(len(run.not_run), 'check')} not run: experimental, below "
            f"{DEFAULT_ON_PRECISION:.0%} true of {DEFAULT_ON_REPORTS} reports or more on a "
            f"random sample ({', '.join(shares)}); --experimental runs them")


def _missing_headers(run: RunResult) -> str:
    """One line naming the headers that were not found, and in how many files."""
    files = [r for r in run.files if r.missing_headers]
    if not files:
        return ""
    names = list(dict.fromkeys(h for r in files for h in r.missing_headers))
    shown = ", ".join(f"'{h}'" for h in names[:3])
    if len(names) > 3:
        shown += f" and {len(names) - 3} more"
    return (f"kunwind: warning: headers not found in {_n(len(files), 'file')} ({shown}): "
            "code that needs them is not analysed; give their directories with "
            "--clang-arg=-IDIR\n")


def _where(path: str, line: int, col: int) -> str:
    out = path
    if line > 0:
        out += f":{line}"
        if col > 0:
            out += f":{col}"
    return out


def _n(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _not_built(run: RunResult) -> str:
    """One line for the files the configuration does not build, and one for the
    functions an ``#if`` left out (named above, with their reason)."""
    out = ""
    why = Counter(n.message for n in run.notices if n.kind == NOT_BUILT)
    for message, n in sorted(why.items()):
        out += (f"kunwind: note: {_n(n, 'file')} {message}: code behind the options it turns "
                "off is not analysed (check a file by name to see which functions; "
                "--defconfig, --config or --build-dir with a configuration that builds "
                "them)\n")
    skipped = sum(1 for n in run.notices if n.kind == SKIPPED)
    if skipped:
        out += (f"kunwind: note: {_n(skipped, 'function')} not analysed: the configuration "
                "used leaves them out (#if)\n")
    return out


def _programs(run: RunResult) -> str:
    """One line for the files that are not kernel code (host, user-space or BPF programs
    that their makefile lists as such): named, with why, when there are at most three."""
    notes = [n for n in run.notices if n.kind == PROGRAM]
    if len(notes) > 3:
        return (f"kunwind: note: {_n(len(notes), 'file')} not analysed: host, user-space or "
                "BPF programs of their directory's makefile, not kernel code\n")
    return "".join(f"kunwind: note: {n.file}: {n.message}\n" for n in notes)
