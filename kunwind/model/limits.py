"""How deeply nested a function body may be before kunwind gives up on it.

The frontends, the CFG builder and the analyses walk expressions and
statements recursively. A frontend stops lowering a function nested deeper
than ``MAX_NESTING`` levels (counted on its own AST: statements, expressions,
implicit casts and parentheses all count) and raises ``NestingTooDeep``; the
function is then reported as not fully analysed. So the model never holds a
tree deep enough to exhaust Python's recursion limit later on.

Measured on Debian's linux-source-6.12 (mm/, kernel/, fs/, net/core, lib/,
a driver): the deepest function body is 72 libclang cursor levels. A level
costs at most four Python frames while lowering, so 150 levels stay well
inside the default limit of 1000 frames.
"""

from __future__ import annotations

MAX_NESTING = 150


class NestingTooDeep(Exception):
    """A function body nests statements and expressions deeper than ``MAX_NESTING``."""

    def __init__(self, limit: int = MAX_NESTING) -> None:
        super().__init__(f"nested too deeply (more than {limit} levels of statements "
                         "and expressions)")
