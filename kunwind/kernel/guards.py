"""The ``#if`` conditions a line of a C file sits under, and their value under a configuration.

A fragment (a ``.c`` that another ``.c`` ``#include``s) is often included
under an option: ``#ifdef CONFIG_NFS_V4_2`` / ``#include "nfs42xdr.c"``, or a
driver's selftests at the end of a file under ``#if
IS_ENABLED(CONFIG_DRM_I915_SELFTEST)``. When the includer's configuration
leaves that option off, the includer's own code before the ``#include`` is
compiled without what the fragment needs (a struct behind the same option),
so the fragment must be parsed under a configuration that turns the option
on. ``guards(text, line)`` gives the branches of the ``#if``s open at
``line``, ``holds`` evaluates them under a ``.config``'s values, and
``enabling`` gives the options to turn on so that they hold.

Only what Kconfig decides is evaluated: ``defined(CONFIG_X)``, ``#ifdef``,
``IS_ENABLED()``, ``IS_BUILTIN()``, ``IS_MODULE()``, ``IS_REACHABLE()``, a
bare ``CONFIG_X`` or a number, with ``!``, ``&&``, ``||``, comparisons and
parentheses. A condition on any other macro is unknown (None): nothing is
changed for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import combinations

_DIRECTIVE = re.compile(r"^[ \t]*#[ \t]*(ifdef|ifndef|if|elif|else|endif)\b(.*)$")
_COMMENT = re.compile(r"/\*.*?\*/|//.*$")
_TERM = re.compile(r"\b(defined|IS_ENABLED|IS_BUILTIN|IS_MODULE|IS_REACHABLE)\s*\(\s*(\w+)\s*\)"
                   r"|\bdefined\s+(\w+)|\b([A-Za-z_]\w*)\b")
_ARITHMETIC = re.compile(r"^(?:\s|\d|[()!<>=]|&&|\|\|)*$")


@dataclass
class Branch:
    """One open ``#if`` at a line: the branch the line is in, and the earlier ones."""

    test: str  # this branch's condition ("1" for an #else)
    earlier: list[str] = field(default_factory=list)  # the conditions of the branches before


def guards(text: str, line: int) -> list[Branch]:
    """The branches of the ``#if``s open at ``line`` (1-based) of ``text``, outermost first."""
    lines = text.splitlines()[: line - 1]
    stack: list[Branch] = []
    i = 0
    while i < len(lines):
        current = lines[i]
        while current.endswith("\\") and i + 1 < len(lines):  # continued directive
            i += 1
            current = current[:-1] + " " + lines[i]
        i += 1
        m = _DIRECTIVE.match(current)
        if m is None:
            continue
        kind, rest = m[1], _COMMENT.sub("", m[2]).strip()
        if kind == "ifdef":
            stack.append(Branch(f"defined({rest})"))
        elif kind == "ifndef":
            stack.append(Branch(f"!defined({rest})"))
        elif kind == "if":
            stack.append(Branch(rest))
        elif stack and kind in ("elif", "else"):
            top = stack[-1]
            stack[-1] = Branch(rest if kind == "elif" else "1", [*top.earlier, top.test])
        elif stack and kind == "endif":
            stack.pop()
    return stack


def value(condition: str, config: dict[str, str]) -> bool | None:
    """The condition's value under ``config`` (CONFIG_X -> "y", "m", ...); None when it
    depends on anything but the configuration."""
    unknown = False

    def term(m: re.Match[str]) -> str:
        nonlocal unknown
        if m[4] is not None:  # a bare name
            name = m[4]
            if not name.startswith("CONFIG_"):
                unknown = True
                return "0"
            v = config.get(name, "")
            return "1" if v == "y" else v if v.isdigit() else "0"
        op, name = (m[1], m[2]) if m[1] else ("defined", m[3])
        if not name.startswith("CONFIG_"):
            unknown = True
            return "0"
        v = config.get(name, "")
        on = {"defined": v not in ("", "m"), "IS_BUILTIN": v == "y", "IS_MODULE": v == "m"}
        return "1" if on.get(op, v in ("y", "m")) else "0"

    text = _TERM.sub(term, condition)
    if unknown or not text.strip() or not _ARITHMETIC.match(text):
        return None
    text = text.replace("&&", " and ").replace("||", " or ")
    text = re.sub(r"!(?!=)", " not ", text)
    try:
        return bool(eval(text, {"__builtins__": {}}, {}))  # only digits and operators left
    except (SyntaxError, TypeError, ValueError, ZeroDivisionError):
        return None


def holds(branches: list[Branch], config: dict[str, str]) -> bool | None:
    """Is a line under these branches compiled under ``config``? None: unknown."""
    values = [value(t, config) is False for b in branches for t in b.earlier]
    values += [value(b.test, config) is True for b in branches]
    if all(values):
        return True
    if any(value(t, config) is True for b in branches for t in b.earlier) or \
            any(value(b.test, config) is False for b in branches):
        return False
    return None


def enabling(branches: list[Branch], config: dict[str, str]) -> dict[str, str]:
    """The fewest options to turn on ("y") so that the branches hold, among those their own
    conditions name ({} when they hold already, or when no such choice makes them hold)."""
    if holds(branches, config) is not False:
        return {}
    names = sorted({n for b in branches for m in _TERM.finditer(b.test)
                    if (n := m[2] or m[3] or m[4]).startswith("CONFIG_")
                    and config.get(n) != "y"})[:6]
    for size in range(1, len(names) + 1):
        for chosen in combinations(names, size):
            wanted = dict.fromkeys(chosen, "y")
            if holds(branches, {**config, **wanted}) is True:
                return wanted
    return {}


def defines(options: dict[str, str]) -> str:
    """The preprocessor lines that turn ``options`` on after ``autoconf.h`` (an option
    that was a module is made built-in: ``IS_BUILTIN()`` then holds)."""
    return "".join(f"#undef {n}_MODULE\n#undef {n}\n#define {n} 1\n" for n in options)
