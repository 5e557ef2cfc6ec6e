"""What a rule is: its id, name, documentation and check function, in one object.

A rule module's docstring is its documentation, in fixed sections (as ruff and
bandit keep theirs): a one-line summary, then ``What it finds``, ``Why it
matters``, ``Bad``, ``Good`` and ``Known false positives``. ``kunwind rules``,
``kunwind explain``, SARIF rule help and the README table are all made from it.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kunwind import INFORMATION_URI
from kunwind.findings import API_FACT, CALLEE_SUMMARY, LEARNED_PAIR, Finding, PathStep
from kunwind.interval import proportion
from kunwind.knowledge.kinds import Kind

if TYPE_CHECKING:
    from kunwind.analysis.context import FunctionContext
    from kunwind.analysis.events import Exit
    from kunwind.analysis.state import CheckState, State
    from kunwind.analysis.walk import WalkResult
    from kunwind.model.ir import Call, Expr, Return

def acquire_evidence(ctx: FunctionContext, callee: str) -> str:
    """What makes ``callee`` an acquire: a knowledge file's fact, a pair learned from the
    checked code, or, with neither, its body (a summary)."""
    a = ctx.kb.acquire(callee)
    if a is None:
        return CALLEE_SUMMARY
    return LEARNED_PAIR if a.kind is Kind.LEARNED else API_FACT


# The triage that measured the checks: files drawn at random from the whole tree, with a
# seed, after the last change to the checks, every report read against the code.
SAMPLE = "bench/triage/sample-241.md"

# A check runs by default only when at least this share of its reports on that sample
# was true, of at least DEFAULT_ON_REPORTS reports (one true report of one says little:
# its 95% interval is 21-100%; 8 of 10 still allows 49%); else it is experimental: run
# only when asked for (--experimental, --rule naming it, ``experimental = true`` in the
# project file). 25 is the precision issue's floor per check (where the tree has that
# many reports: a rarer check needs several samples pooled to reach it).
DEFAULT_ON_PRECISION = 0.8
DEFAULT_ON_REPORTS = 25

# The mutation run that measured the checks' recall (bench/mutation.py).
MUTATION_RUN = "bench/results/mutation-seed5.md"

SECTIONS = ("What it finds", "Why it matters", "Bad", "Good", "Known false positives")


@dataclass(frozen=True)
class Measured:
    """How many of a check's reports were true in a triage of a random sample."""

    true: int
    reports: int
    sample: str  # the triage file, e.g. bench/triage/sample-31.md

    @property
    def share(self) -> float:
        """The share of true reports (0 when there were none)."""
        return self.true / self.reports if self.reports else 0.0

    @property
    def on_by_default(self) -> bool:
        """Enough reports, enough of them true, for the check to run by default."""
        return self.reports >= DEFAULT_ON_REPORTS and self.share >= DEFAULT_ON_PRECISION

    @property
    def category(self) -> str:
        return next(name for floor, name in ((0.9, "very-high"), (0.8, "high"),
                                             (0.5, "medium"), (0.0, "low"))
                    if self.share >= floor)

    def text(self) -> str:
        """``27% true (28 of 105 reports; 95% interval 19–36%) in bench/triage/...``"""
        if not self.reports:
            return f"no reports in {self.sample}"
        return f"{proportion(self.true, self.reports, 'true', ' reports')} in {self.sample}"


@dataclass(frozen=True)
class Recall:
    """How many bugs of one kind, injected into kernel functions drawn at random
    (bench/mutation.py), the check found."""

    kind: str  # the mutation, e.g. drop-release
    found: int
    mutants: int

    def text(self) -> str:
        return f"{self.kind}: {proportion(self.found, self.mutants, 'found')}"


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    doc: str
    # Hooks into the one path walk (kunwind.analysis.walk); a rule sets the ones it needs.
    # on_call: at each call, before its effects; what it returns is a candidate,
    #     reported only if the path reaches an error exit.
    on_call: Callable[[FunctionContext, State, Call], list[Finding]] | None = None
    # on_use: an object tracked by the resource model is dereferenced or passed on.
    on_use: Callable[[FunctionContext, State, str, int, Expr], list[Finding]] | None = None
    # on_exit: at each error exit, with the path's state; findings are reported as is.
    on_exit: Callable[[FunctionContext, State, Return, Exit], list[Finding]] | None = None
    # on_return: at every return, error exit or not (its Exit says which kind); findings
    #     are reported as is.
    on_return: Callable[[FunctionContext, State, Return, Exit], list[Finding]] | None = None
    # on_function: once per function after the walk, with every error exit it reached.
    on_function: Callable[[FunctionContext, WalkResult], list[Finding]] | None = None
    # at_normal_exits: for a check whose on_return or on_function can report in a
    #     function none of whose paths reaches an error exit (it reads the other
    #     returns, or paths where a test failed but the exit returns no error): could it
    #     report in this one? Read from the function's text, before the walk; when in
    #     doubt, True. None: the check reports only what a path to an error exit shows.
    #     The walk of a function that reaches no error exit (analysis.quiet) and that
    #     no check's at_normal_exits wants is skipped.
    at_normal_exits: Callable[[FunctionContext], bool] | None = None
    # state: makes the check's own path state (kunwind.analysis.state.CheckState), which
    #     the walk copies, joins and moves with its transfer functions; the check finds
    #     it in ``st.slots[id]``. None: the check reads only the shared domains.
    state: Callable[[], CheckState] | None = None
    level: str = "warning"
    # the share of its reports found true on files drawn at random from the whole tree;
    # below DEFAULT_ON_PRECISION the check is experimental (``experimental``)
    measured: Measured | None = None
    # a new check, experimental until a triage measures it (``measured`` is None): a
    # check never measured otherwise runs by default
    trial: bool = False
    # the injected bugs of each kind it is expected to find, and how many it found
    recall: tuple[Recall, ...] = ()
    tags: tuple[str, ...] = field(default=("correctness", "error-handling"))

    def finding(self, ctx: FunctionContext, line: int, col: int, message: str,
                steps: list[PathStep], key: str, evidence: str, exit_line: int = 0) -> Finding:
        """A finding of this check in the function ``ctx`` analyses. ``key`` says, in a
        few words without line numbers, what it is about (its fingerprint); ``evidence``
        what it rests on (``findings.EVIDENCE``); ``exit_line``: the error exit its path
        ends at, when the walk does not say (``on_function``)."""
        return Finding(rule_id=self.id, rule_name=self.name, file=ctx.file, line=line, col=col,
                       message=message, function=ctx.fn.name, steps=steps, level=self.level,
                       key=key, exit_line=exit_line, evidence=evidence)

    @property
    def experimental(self) -> str:
        """Why the check is not run unless asked for (--experimental, or --rule naming
        it): its measured share of true reports is below ``DEFAULT_ON_PRECISION``, or
        it is a new check on ``trial`` that no triage has measured yet. Empty: it runs
        by default, as does another check that was never measured (nothing says it
        falls short)."""
        if self.measured is None:
            return ("a new check, not yet measured on files drawn at random "
                    f"({SAMPLE} predates it)") if self.trial else ""
        if self.measured.on_by_default:
            return ""
        return (f"measured {self.measured.text()}; a check runs by default from "
                f"{DEFAULT_ON_PRECISION:.0%} of at least {DEFAULT_ON_REPORTS} reports")

    @property
    def precision(self) -> str:
        """SARIF ``properties.precision`` as GitHub code scanning reads it, from the
        measured share of true reports (``medium`` when the check was never measured)."""
        return self.measured.category if self.measured is not None else "medium"

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0].strip()

    def section(self, name: str) -> str:
        return parse_sections(self.doc).get(name, "")

    @property
    def help_uri(self) -> str:
        return f"{INFORMATION_URI}/blob/main/rules/{self.module_file}"

    @property
    def module_file(self) -> str:
        hook = (self.on_call or self.on_use or self.on_exit or self.on_return
                or self.on_function)
        module = hook.__module__ if hook else "rules"
        return module.rsplit(".", 1)[-1] + ".py"

    def markdown(self) -> str:
        """The whole documentation as Markdown (SARIF ``help.markdown``, README)."""
        parts = [f"**{self.id} {self.name}**: {self.summary}", ""]
        for name, body in parse_sections(self.doc).items():
            parts.append(f"### {name}")
            if name in ("Bad", "Good"):
                parts += ["```c", body, "```"]
            else:
                parts.append(body)
            parts.append("")
        if self.measured is not None or self.trial:
            parts += ["### Measured precision", self.measured_text(), ""]
        if self.recall:
            parts += ["### Measured recall", self.recall_text(), ""]
        return "\n".join(parts).strip() + "\n"

    def text(self) -> str:
        """The whole documentation as plain text (``kunwind explain``, SARIF ``help.text``)."""
        parts = [f"{self.id} {self.name}: {self.summary}", ""]
        if self.experimental:
            parts += ["Experimental (off unless --experimental or --rule names it):",
                      _indent(textwrap.fill(self.experimental, 76)), ""]
        for name, body in parse_sections(self.doc).items():
            parts += [f"{name}:", _indent(body), ""]
        if self.measured is not None or self.trial:
            parts += ["Measured precision:", _indent(self.measured_text()), ""]
        if self.recall:
            parts += ["Measured recall:", _indent(self.recall_text()), ""]
        return "\n".join(parts).strip() + "\n"

    def measured_text(self) -> str:
        if self.measured is None:
            return textwrap.fill(
                "Not yet measured: a new check, experimental until a triage of files "
                "drawn at random reads its reports (bench/precision.py).", 76)
        return textwrap.fill(
            "On files drawn at random from the whole Linux 6.12 tree after the last change "
            f"to the checks (bench/precision.py), every report read against the code: "
            f"{self.measured.text()}.", 76, break_on_hyphens=False)


    def recall_text(self) -> str:
        found = "; ".join(r.text() for r in self.recall)
        return textwrap.fill(
            "One bug of a kind injected into functions drawn at random from the whole "
            f"Linux 6.12 tree, each file checked in place ({MUTATION_RUN}): {found}.", 76,
            break_on_hyphens=False)


def _indent(text: str) -> str:
    return "\n".join(("    " + ln) if ln.strip() else "" for ln in text.splitlines())


def parse_sections(doc: str) -> dict[str, str]:
    """Split a rule docstring into its named sections (``Name:`` on a line of its own)."""
    out: dict[str, str] = {}
    current = None
    lines: list[str] = []
    names = "|".join(re.escape(s) for s in SECTIONS)
    pattern = re.compile(rf"^({names}):\s*$")
    for raw in doc.splitlines():
        m = pattern.match(raw.strip())
        if m:
            if current:
                out[current] = _dedent(lines)
            current, lines = m.group(1), []
        elif current:
            lines.append(raw)
    if current:
        out[current] = _dedent(lines)
    return out


def _dedent(lines: list[str]) -> str:
    return textwrap.dedent("\n".join(lines)).strip("\n")
