"""Findings and per-file results: the one report model every output writer reads.

Everything a reporter needs is here as plain data; writers for text, JSON and
SARIF are thin functions over ``RunResult``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PathStep:
    """One step of the path that leads to a finding (a SARIF threadFlow location)."""

    line: int
    col: int
    message: str
    file: str = ""  # empty: the finding's own file


# What a finding rests on (``Finding.evidence``), worst-to-best is not implied: each is
# measured on its own in the triage (bench/precision.py tally).
API_FACT = "api-fact"  # a pair or fact of the knowledge files (kfree() releases kmalloc())
LEARNED_PAIR = "learned-pair"  # a pair learned from the checked code in this run
CALLEE_SUMMARY = "callee-summary"  # what a callee's body does (its effect summary)
SIBLING_EXITS = "sibling-exits"  # what the function's other error exits do
PATH_VALUES = "path-values"  # the values the path holds (a success code returned)
CONVENTION = "convention"  # what the file's other calls of the same callee do (they test it)
EVIDENCE = {
    API_FACT: "an API fact of the knowledge files",
    LEARNED_PAIR: "a pair learned from the checked code",
    CALLEE_SUMMARY: "what a callee's body does (its summary)",
    SIBLING_EXITS: "what the function's other error exits do",
    PATH_VALUES: "the values the path holds",
    CONVENTION: "what the file's other calls of the same callee do",
}


@dataclass
class Finding:
    rule_id: str  # KU001
    rule_name: str  # partial-teardown
    file: str  # path relative to the tree root, with forward slashes
    line: int
    col: int
    message: str
    function: str
    steps: list[PathStep] = field(default_factory=list)
    level: str = "warning"  # SARIF level: error | warning | note
    # A short, line-free description of what the finding is about, e.g.
    # "unlink_anon_vmas(vma)"; it makes the fingerprint survive line shifts.
    key: str = ""
    suppressed: str | None = None  # the reason, when an inline comment suppresses it
    exit_line: int = 0  # the line of the error exit its path ends at (0: none)
    # the other places merged into it (merge_repeats): (line, exit line) of each
    repeats: list[tuple[int, int]] = field(default_factory=list)
    evidence: str = ""  # what it rests on: one of EVIDENCE

    def fingerprint(self) -> str:
        """Stable across unrelated edits: rule, file, function and key, no line numbers."""
        text = "\0".join((self.rule_id, self.file, self.function, self.key or self.message))
        # surrogateescape: a file name that is not UTF-8 keeps its bytes
        return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.col, self.rule_id, self.message)


def merge_repeats(findings: list[Finding]) -> list[Finding]:
    """One finding per rule and key in a function: the first (by line), naming the
    lines of the others ("the same at 3 more places"). A leak that every later
    error exit repeats is one bug, reported once."""
    first: dict[tuple[str, str, str], Finding] = {}
    more: dict[tuple[str, str, str], list[int]] = {}
    for f in sorted(findings, key=Finding.sort_key):
        k = (f.rule_id, f.function, f.key)
        if not f.key or k not in first:
            first[k if f.key else (f.rule_id, f.function, str(id(f)))] = f
            continue
        first[k].repeats.append((f.line, f.exit_line))
        if f.line != first[k].line:
            more.setdefault(k, []).append(f.line)
    for k, f in first.items():
        lines = sorted(set(more.get(k, [])))
        if lines:
            shown = ", ".join(str(x) for x in lines[:6]) + (", ..." if len(lines) > 6 else "")
            f.message += (f" (the same at {len(lines)} more place{'s' if len(lines) > 1 else ''}:"
                          f" line{'s' if len(lines) > 1 else ''} {shown})")
    return list(first.values())


@dataclass
class Notice:
    """Something kunwind could not do: a file that failed, a function not analysed whole."""

    file: str
    message: str
    level: str = "error"  # error: the file failed; warning: part of it was not analysed
    line: int = 0
    function: str = ""
    # what it is about: "" (a file, or a function not fully analysed), NOT_BUILT (the
    # configuration does not build the file), SKIPPED (a function an #if left out),
    # PROGRAM (the file is a host, user-space or BPF program: not kernel code)
    kind: str = ""
    end_line: int = 0  # a function's last line, when known

    def about_lines(self, first: int, last: int) -> bool:
        """Is this notice about a function that lines ``first``..``last`` touch?"""
        return bool(self.function) and self.line <= last and first <= (self.end_line or
                                                                        self.line)


NOT_BUILT, SKIPPED, PROGRAM = "not-built", "skipped", "program"


@dataclass
class PairUse:
    """A function keeps the pointer ``acquire()`` returned (kunwind/pair_uses.py): the call
    it hands it to that undoes it ("" none), how it tests it ("null", "errptr", "")."""

    acquire: str
    release: str
    function: str
    line: int
    fails: str = ""


@dataclass
class FileResult:
    file: str
    findings: list[Finding] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    functions: int = 0
    functions_incomplete: int = 0
    parsed: bool = True
    seconds: float = 0.0
    # seconds per pipeline stage: flags, parse, lower, cfg, summaries, analysis
    timings: dict[str, float] = field(default_factory=dict)
    # audits (kunwind/audit.py): "crashed" or "timed out" when the file's worker died
    # or ran out of time; whether the result came from the results cache; the
    # headers the parse read (the cache checks them)
    failure: str = ""
    cached: bool = False
    includes: list[str] = field(default_factory=list)
    # run-wide learning (kunwind/pair_uses.py): the file's uses of calls the knowledge lacks
    pair_uses: list[PairUse] = field(default_factory=list)
    # headers the file includes that the parse did not find (the summary names them)
    missing_headers: list[str] = field(default_factory=list)
    # a file of a kernel tree: the configuration it was analysed under (the summary names it)
    configuration: str = ""


@dataclass
class RunResult:
    files: list[FileResult] = field(default_factory=list)
    root: str = ""  # the directory paths are relative to
    seconds: float = 0.0
    # findings left out of every report, counted by why ("in the baseline": 2)
    hidden: dict[str, int] = field(default_factory=dict)
    # pairs learned from the run (knowledge/learned.py, knowledge data), the files checked
    # again with them, and remarks about the run as a whole
    learned: dict = field(default_factory=dict)
    rechecked: int = 0
    notes: list[str] = field(default_factory=list)
    # the ids of the checks left out because they are experimental (not asked for)
    not_run: list[str] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        out = [f for r in self.files for f in r.findings]
        return sorted(out, key=Finding.sort_key)

    @property
    def notices(self) -> list[Notice]:
        return [n for r in self.files for n in r.notices]
