"""Which checks run: the default ones, experimental ones only when asked for."""

from __future__ import annotations

import dataclasses

import pytest

import kunwind.rules as rules_pkg
from kunwind.rules import ALL_RULES, selected_rules


@pytest.fixture
def one_experimental(monkeypatch: pytest.MonkeyPatch) -> str:
    first, *rest = ALL_RULES
    trial = dataclasses.replace(first, experimental="precision 50% on a test corpus")
    monkeypatch.setattr(rules_pkg, "ALL_RULES", [trial, *rest])
    return trial.id


def test_experimental_rules_are_off_by_default(one_experimental: str) -> None:
    assert one_experimental not in [r.id for r in selected_rules(None)]
    assert one_experimental in [r.id for r in selected_rules(None, experimental=True)]
    assert [r.id for r in selected_rules([one_experimental])] == [one_experimental]


def test_explain_says_a_rule_is_experimental(one_experimental: str) -> None:
    rule = next(r for r in rules_pkg.ALL_RULES if r.id == one_experimental)
    assert "Experimental" in rule.text() and "precision 50%" in rule.text()
    default = next(r for r in ALL_RULES if r.id == one_experimental)
    assert "Experimental" not in default.text() or default.experimental
