"""The walk's merge of path states (its budget): claim only what the paths agree on."""

from __future__ import annotations

from kunwind.analysis.resources import FAILED, HELD, UNKNOWN, Res
from kunwind.analysis.walk import State, join


def _res(status: str) -> Res:
    return Res("device", "pci_enable_device", 10, frozenset({"pci_disable_device"}), status)


def test_disagreeing_resources_become_unknown_not_absent() -> None:
    a, b = State(), State()
    a.res = {"pdev": _res(HELD), "buf": _res(HELD), "same": _res(HELD)}
    b.res = {"pdev": _res(FAILED), "same": _res(HELD)}
    out = join(a, b)
    assert out.res["same"] == _res(HELD)
    assert out.res["pdev"].status == UNKNOWN  # held on one path, failed on the other
    assert out.res["buf"].status == UNKNOWN  # acquired on one path only


def test_repeated_test_outcomes_survive_only_when_both_paths_agree() -> None:
    a, b = State(), State()
    a.tested = frozenset({("priv->has_irq", True), ("resuming", False)})
    b.tested = frozenset({("priv->has_irq", True), ("resuming", True)})
    assert join(a, b).tested == frozenset({("priv->has_irq", True)})
