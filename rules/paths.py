"""Helpers shared by the rules: where on a path its error path starts and leaves."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kunwind.findings import PathStep

if TYPE_CHECKING:
    from kunwind.analysis.walk import Failure


def failure_index(trace: tuple[PathStep, ...], failure: Failure) -> int:
    """The index of ``failure``'s step in the path's trace (-1 when not found)."""
    for i in range(len(trace) - 1, -1, -1):
        if trace[i].line == failure.line and " here (" in trace[i].message:
            return i
    return -1


def goto_after(trace: tuple[PathStep, ...], failure: Failure) -> PathStep | None:
    """The first ``goto`` the path takes after ``failure``: where its error path jumps."""
    i = failure_index(trace, failure)
    if i < 0:
        return None
    for step in trace[i + 1:]:
        if step.message.startswith("jumps to '"):
            return step
    return None
