"""The README stays true: its example output and its table of checks."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from kunwind.cli import main
from kunwind.rules import ALL_RULES

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_readme_example_output_is_what_kunwind_prints(monkeypatch) -> None:
    m = re.search(r"```\n\$ kunwind check (\S+)\n(.*?)```", README, re.S)
    assert m, "README lost its example"
    path, shown = m.group(1), m.group(2)
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["check", path])
    shown_report = [ln for ln in shown.splitlines() if not ln.startswith("kunwind:")]
    assert result.stdout.splitlines() == shown_report


def test_readme_lists_every_check() -> None:
    for rule in ALL_RULES:
        assert f"| {rule.id} | {rule.name} | {rule.summary} |" in README, rule.id
