"""The walk's merge of path states (its budget): claim only what the paths agree on."""

from __future__ import annotations

from kunwind.analysis.resources import FAILED, HELD, UNKNOWN, Res
from kunwind.analysis.state import State
from kunwind.knowledge import Kind
from kunwind.rules.ku001_partial_teardown import SetupSteps, Step


def _res(status: str) -> Res:
    return Res(Kind.DEVICE, "pci_enable_device", 10, frozenset({"pci_disable_device"}), status)


def test_disagreeing_resources_become_unknown_not_absent() -> None:
    a, b = State(), State()
    a.resources.res = {"pdev": _res(HELD), "buf": _res(HELD), "same": _res(HELD)}
    b.resources.res = {"pdev": _res(FAILED), "same": _res(HELD)}
    out = a.join(b).resources.res
    assert out["same"] == _res(HELD)
    assert out["pdev"].status == UNKNOWN  # held on one path, failed on the other
    assert out["buf"].status == UNKNOWN  # acquired on one path only


def test_repeated_test_outcomes_survive_only_when_both_paths_agree() -> None:
    a, b = State(), State()
    a.values.tested = frozenset({("priv->has_irq", True), ("resuming", False)})
    b.values.tested = frozenset({("priv->has_irq", True), ("resuming", True)})
    assert a.join(b).values.tested == frozenset({("priv->has_irq", True)})


def test_a_checks_own_state_is_copied_keyed_and_joined_by_the_check() -> None:
    a = State(slots={"KU001": SetupSteps()})
    b = a.copy()
    a_steps, b_steps = a.slots["KU001"], b.slots["KU001"]
    assert isinstance(a_steps, SetupSteps) and isinstance(b_steps, SetupSteps)
    a_steps.add("priv", Step(3, "foo_init(priv)", False))
    assert b_steps.steps == {}  # the copy is its own
    assert a.key() != b.key()
    b_steps.add("dev", Step(5, "bar_init(dev)", False))
    joined = a.join(b).slots["KU001"]
    assert isinstance(joined, SetupSteps)
    assert set(joined.steps) == {"priv", "dev"}  # set-up done on either path is kept
