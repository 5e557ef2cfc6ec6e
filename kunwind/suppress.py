"""Inline suppressions: a ``kunwind: ignore`` comment on a finding's line or the line above.

::

    /* kunwind: ignore KU002 the caller frees buf on every return */
    // kunwind: ignore KU002, KU003 the ladder is shared with foo_remove()

The comment names one or more rule ids, then says why. It applies to its own
line and, when nothing but the comment is on its line, to the next line too.
It suppresses a finding when it covers the finding's line or the line of the
error exit the finding's path ends at. A finding that stands for several
places (merged repeats, "the same at 2 more places") is suppressed by a
comment on its own line or exit; comments on only some of the other places
hide those, and the message says how many. A suppressed finding leaves the
text report and the exit status; it stays in the JSON report, in SARIF
(``suppressions``, kind ``inSource``, the reason as justification) and in the
summary's count. A comment without a reason is honoured, with a note asking
for one; with ``unused``, a comment that suppresses nothing gets a note too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .findings import FileResult, Notice

NO_REASON = "no reason given"

_IGNORE = re.compile(
    r"(?P<open>//|/\*)\s*kunwind:\s*ignore\s+(?P<ids>KU\d+(?:\s*,\s*KU\d+)*)(?P<rest>.*)",
    re.IGNORECASE,
)


@dataclass
class Ignore:
    """One ignore comment."""

    line: int
    rules: frozenset[str]
    reason: str  # empty: none given
    lines: tuple[int, ...]  # the lines it applies to


def find_ignores(text: bytes) -> list[Ignore]:
    """The ignore comments in a C file's text."""
    out: list[Ignore] = []
    for number, line in enumerate(text.decode(errors="replace").splitlines(), 1):
        m = _IGNORE.search(line)
        if m is None:
            continue
        rest, after = m.group("rest"), ""
        if m.group("open") == "/*" and "*/" in rest:
            rest, after = rest.split("*/", 1)
        rules = frozenset(r.strip().upper() for r in m.group("ids").split(","))
        alone = not line[: m.start()].strip() and not after.strip()
        lines = (number, number + 1) if alone else (number,)
        out.append(Ignore(number, rules, rest.strip(" \t:-,"), lines))
    return out


def apply_suppressions(result: FileResult, text: bytes | None, unused: bool = False) -> None:
    """Mark the findings of ``result`` that an ignore comment in ``text`` covers
    (``unused``: and note the comments that cover none)."""
    if text is None or b"kunwind:" not in text:
        return
    ignores = find_ignores(text)
    used: set[int] = set()
    for ig in ignores:
        if not ig.reason:
            ids = ", ".join(sorted(ig.rules))
            result.notices.append(Notice(
                file=result.file, line=ig.line, level="note",
                message=f"'kunwind: ignore {ids}' gives no reason: say why after the rule "
                        f"ids, e.g. /* kunwind: ignore {ids} freed by the caller */"))
    for f in result.findings:
        if f.suppressed:
            continue
        own = _covering(ignores, f.rule_id, (f.line, f.exit_line))
        if own is not None:
            f.suppressed = own.reason or NO_REASON
            used.add(own.line)
            continue
        hidden = [ig for ig in (_covering(ignores, f.rule_id, p) for p in f.repeats)
                  if ig is not None]
        if hidden:
            used.update(ig.line for ig in hidden)
            f.message += (f" ({len(hidden)} of its {len(f.repeats) + 1} places hidden by "
                          "kunwind: ignore comments)")
    if unused:
        for ig in ignores:
            if ig.line not in used:
                result.notices.append(Notice(
                    file=result.file, line=ig.line, level="note",
                    message=f"'kunwind: ignore {', '.join(sorted(ig.rules))}' suppresses "
                            "nothing: no such finding on its line or the next"))


def _covering(ignores: list[Ignore], rule: str, place: tuple[int, int]) -> Ignore | None:
    """The ignore comment that covers a place (a finding's line, its exit's line)."""
    for ig in ignores:
        if rule in ig.rules and any(line and line in ig.lines for line in place):
            return ig
    return None
