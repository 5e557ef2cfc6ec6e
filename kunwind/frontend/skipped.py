"""Code the preprocessor skipped: which functions it holds, and why they were skipped.

clang reports the line ranges of the main file that an ``#if``/``#ifdef``
left out (``clang_getSkippedRanges``). A function defined there is not
analysed at all, and a user who edits it must be told so, with the reason
in the source's words: "cgwb_create() not analysed: CONFIG_CGROUP_WRITEBACK
is off in the configuration used".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The head of a function definition in kernel style: the name at the start of
# a line or after the return type, an argument list, then (on a later line,
# perhaps) the opening brace; not a declaration (";") nor a macro call.
_HEAD = re.compile(r"^(?!\s*(?:#|if\b|for\b|while\b|switch\b|return\b|else\b))"
                   r"(?:[A-Za-z_][\w \t\*]*?[ \t\*])?([A-Za-z_]\w*)\s*\(([^;{}]*?)\)\s*(?:\{|$)",
                   re.M)
_CONFIG = r"(CONFIG_\w+)"
_REASONS = (
    (re.compile(rf"^#\s*ifdef\s+{_CONFIG}"), "{} is off in the configuration used"),
    (re.compile(rf"^#\s*if\s+(?:IS_ENABLED|IS_BUILTIN|defined)\s*\(\s*{_CONFIG}\s*\)\s*$"),
     "{} is off in the configuration used"),
    (re.compile(rf"^#\s*ifndef\s+{_CONFIG}"), "{} is on in the configuration used"),
    (re.compile(rf"^#\s*if\s*!\s*(?:IS_ENABLED|defined)\s*\(\s*{_CONFIG}\s*\)\s*$"),
     "{} is on in the configuration used"),
)


@dataclass(frozen=True)
class SkippedCode:
    """Lines ``start``..``end`` (1-based, inclusive) that the preprocessor left out."""

    start: int
    end: int
    reason: str  # why, in words: "CONFIG_FOO is off in the configuration used"
    functions: tuple[tuple[str, int], ...]  # (name, line) of the functions defined there


def skipped_code(text: str, ranges: list[tuple[int, int]]) -> list[SkippedCode]:
    """What each skipped range of ``text`` holds and why it was skipped."""
    lines = text.splitlines()
    out = []
    for start, end in ranges:
        directive = lines[start - 1] if 0 < start <= len(lines) else ""
        opening = _opening_if(lines, start) if _ELSE.match(directive) else None
        body = "\n".join(lines[start:end - 1])
        out.append(SkippedCode(start, end, reason(directive, opening),
                               _functions(body, start + 1)))
    return out


_ELSE = re.compile(r"^\s*#\s*(?:else|elif)\b")
_IF = re.compile(r"^\s*#\s*if")
_ENDIF = re.compile(r"^\s*#\s*endif\b")


def _opening_if(lines: list[str], line: int) -> str | None:
    """The ``#if`` that the ``#else`` at ``line`` (1-based) belongs to."""
    depth = 0
    for i in range(line - 2, -1, -1):
        if _ENDIF.match(lines[i]):
            depth += 1
        elif _IF.match(lines[i]):
            if depth == 0:
                return lines[i]
            depth -= 1
    return None


def reason(directive: str, opening: str | None = None) -> str:
    """Why the lines after ``directive`` were skipped, in words (``opening``: the
    ``#if`` of an ``#else`` directive, whose condition then held)."""
    text = _clean(directive)
    if opening is not None and text.startswith(("#else", "# else")):
        held = reason(opening)
        for a, b in ((" is off ", " is on "), (" is on ", " is off ")):
            if a in held and held.startswith("CONFIG_"):
                return held.replace(a, b)
        return f"'{_clean(opening)}' holds in the configuration used"
    for pattern, words in _REASONS:
        m = pattern.match(text)
        if m:
            return words.format(m.group(1))
    if _ELSE.match(text):
        return f"'{text}' is not the branch taken in the configuration used"
    return f"'{text}' is false in the configuration used" if text else \
        "the preprocessor skipped it"


def _clean(directive: str) -> str:
    return " ".join(directive.split("/*")[0].split("//")[0].split())


def _functions(body: str, first_line: int) -> tuple[tuple[str, int], ...]:
    """The functions defined in ``body`` (its first line is ``first_line``)."""
    out = []
    for m in _HEAD.finditer(body):
        after = body[m.end():m.end() + 200].lstrip()
        if not (m.group(0).rstrip().endswith("{") or after.startswith("{")):
            continue  # a prototype split over lines, a macro call
        name = m.group(1)
        if name.isupper() or name in ("sizeof", "typeof", "__attribute__"):
            continue  # DEFINE_FOO(...) {, attributes
        out.append((name, first_line + body.count("\n", 0, m.start(1))))
    return tuple(out)
