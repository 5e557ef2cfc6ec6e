"""The checks, one module each, and the kernel API knowledge data (knowledge/*.toml).

``ALL_RULES`` is the one registry: the CLI, the reporters and the README all
read it. A new check is a new module here with a ``RULE`` at its bottom, plus
one line below.
"""

from __future__ import annotations

from .base import Rule
from .ku001_partial_teardown import RULE as KU001
from .ku002_error_path_leak import RULE as KU002
from .ku003_unwind_over_release import RULE as KU003
from .ku004_missing_error_code import RULE as KU004
from .ku005_error_path_lock_imbalance import RULE as KU005
from .ku006_use_after_teardown import RULE as KU006
from .ku007_ignored_error_return import RULE as KU007
from .ku008_free_while_linked import RULE as KU008
from .ku009_put_before_init import RULE as KU009
from .ku010_abandoned_teardown import RULE as KU010

ALL_RULES: list[Rule] = [KU001, KU002, KU003, KU004, KU005, KU006, KU007, KU008, KU009, KU010]


def selected_rules(ids: list[str] | None, experimental: bool = False) -> list[Rule]:
    """The rules a run uses: those named, else the default ones (and the
    experimental ones too when asked)."""
    if ids is not None:
        return [r for r in ALL_RULES if r.id in ids]
    return [r for r in ALL_RULES if experimental or not r.experimental]


def not_run_rules(ids: list[str] | None, experimental: bool = False) -> list[Rule]:
    """The rules a run leaves out because they are experimental (``Rule.experimental``);
    none when it names its rules: those not named were not asked for."""
    if ids is not None or experimental:
        return []
    return [r for r in ALL_RULES if r.experimental]


def get_rule(rule_id: str) -> Rule | None:
    key = rule_id.strip().upper()
    for r in ALL_RULES:
        if r.id == key or r.name == rule_id.strip().lower():
            return r
    return None
