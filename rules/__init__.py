"""The checks, one module each, and the kernel API knowledge they share.

``ALL_RULES`` is the one registry: the CLI, the reporters and the README all
read it. A new check is a new module here with a ``RULE`` at its bottom, plus
one line below.
"""

from __future__ import annotations

from .base import Rule
from .ku001_partial_teardown import RULE as KU001

ALL_RULES: list[Rule] = [KU001]


def get_rule(rule_id: str) -> Rule | None:
    key = rule_id.strip().upper()
    for r in ALL_RULES:
        if r.id == key or r.name == rule_id.strip().lower():
            return r
    return None
