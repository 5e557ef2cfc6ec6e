"""What the walk saw on a path, as typed data: the steps of a path and how it exits.

The walk records each path as a sequence of events (an acquire, a release, a
store into a field, a failure test, a jump) and ends it with an ``Exit`` that
says what kind of exit it is and what it returns. Checks read these fields;
words are made from them only when a finding is reported (``render_steps``,
``Exit.describe``), so rewording a message never changes what is found.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from kunwind.findings import PathStep
from kunwind.model.ir import Expr

from .words import Words


@dataclass(frozen=True)
class Failure:
    """A failure test taken on its failing side: the path is an error path from here."""

    line: int
    text: str  # the condition as written (``!p``, ``ret < 0``)
    block: int
    success: int  # the block the check continues to when nothing failed
    callee: str = ""  # the call whose failure is tested, when known
    form: str = ""  # what the check tests: errptr | null | negative | value (conditions.Check)

    @property
    def what(self) -> str:
        return f"{self.callee}() fails" if self.callee else "the check fails"

    def describe(self) -> str:
        return f"{self.what} ({self.text})"

    def what_in(self, words: Words) -> str:
        """``what``, naming the callee as the source does."""
        return f"{words.name(self.callee, self.line)}() fails" if self.callee else self.what

    def test_in(self, words: Words) -> str:
        """The condition, with its calls as the source writes them."""
        return words.text(self.text, self.line)


@dataclass(frozen=True)
class Event:
    line: int


@dataclass(frozen=True)
class FailureTest(Event):
    failure: Failure


@dataclass(frozen=True)
class Jump(Event):
    label: str  # the label of the block a goto enters
    block: int = -1  # the block the goto is written in


@dataclass(frozen=True)
class Acquire(Event):
    obj: str  # the access path that holds what was acquired
    callee: str


@dataclass(frozen=True)
class Release(Event):
    obj: str
    callee: str


@dataclass(frozen=True)
class FieldStore(Event):
    target: str  # the access path written (``priv->buf``)
    null: bool  # the value stored is NULL


def render_steps(events: tuple[Event, ...], words: Words) -> list[PathStep]:
    """The events a reader follows a path by (its failure tests and jumps), in words
    (the source's: ``words``)."""
    out: list[PathStep] = []
    for e in events:
        if isinstance(e, FailureTest):
            f = e.failure
            out.append(PathStep(e.line, 0, f"{f.what_in(words)} here ({f.test_in(words)})"))
        elif isinstance(e, Jump):
            out.append(PathStep(e.line, 0, f"jumps to '{e.label}'"))
    return out


def failure_index(events: tuple[Event, ...], failure: Failure) -> int:
    """The index of the (last) test of ``failure`` among ``events`` (-1 when not found)."""
    for i in range(len(events) - 1, -1, -1):
        e = events[i]
        if isinstance(e, FailureTest) and e.line == failure.line:
            return i
    return -1


def jumps(events: tuple[Event, ...], start: int = 0) -> list[Jump]:
    return [e for e in events[start:] if isinstance(e, Jump)]


class ExitKind(Enum):
    """What makes an exit an error exit, or not."""

    ERROR_VALUE = "error value"  # returns -E..., ERR_PTR(), PTR_ERR(): an error code as such
    ERROR_VARIABLE = "error variable"  # returns a variable that holds an error code
    AFTER_FAILURE = "after failure"  # a void function returns after a failure
    NULL_AFTER_FAILURE = "NULL after failure"  # a pointer function returns NULL after one
    NORMAL = "normal"  # not an error exit

    @property
    def implicit(self) -> bool:
        """An error exit only because a failure came before it: nothing in the return
        statement itself says so."""
        return self in (ExitKind.AFTER_FAILURE, ExitKind.NULL_AFTER_FAILURE)


@dataclass(frozen=True)
class Exit:
    kind: ExitKind
    line: int
    col: int
    value: Expr | None  # what the return statement returns
    detail: str = ""  # ERROR_VALUE: the value in words (-ENOMEM, ERR_PTR()); else the variable

    @property
    def is_error(self) -> bool:
        return self.kind is not ExitKind.NORMAL

    def describe(self) -> str:
        if self.kind is ExitKind.ERROR_VALUE:
            return f"returns {self.detail}"
        if self.kind is ExitKind.ERROR_VARIABLE:
            return f"returns '{self.detail}', which holds the error"
        if self.kind is ExitKind.AFTER_FAILURE:
            return "returns after the failure"
        if self.kind is ExitKind.NULL_AFTER_FAILURE:
            return "returns NULL"
        return "returns"


def exit_path_step(ex: Exit, also: str = "") -> PathStep:
    """The last step of an error path, in words (``also``: what the check adds)."""
    return PathStep(ex.line, ex.col, f"error exit: {ex.describe()}{also}")
