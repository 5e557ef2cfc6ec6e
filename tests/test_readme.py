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
    m = re.search(r"```\n\$ kunwind check (.+)\n(.*?)```", README, re.S)
    assert m, "README lost its example"
    args, shown = m.group(1).split(), m.group(2)
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["check", *args])
    shown_report = [ln for ln in shown.splitlines() if not ln.startswith("kunwind:")]
    assert result.stdout.splitlines() == shown_report


def test_readme_table_of_checks_says_what_the_checks_say() -> None:
    """Each row names a check as its module does. A new check need not be added here
    (adding one touches only rules/ and fixtures/; ``kunwind rules`` lists them all)."""
    rows = re.findall(r"^\| (KU\d{3}) \| ([\w-]+) \| (.*) \|$", README, re.M)
    assert len(rows) >= 6
    by_id = {r.id: r for r in ALL_RULES}
    for rule_id, name, summary in rows:
        rule = by_id.get(rule_id)
        assert rule is not None, f"README names {rule_id}, which is no check"
        assert (name, summary) == (rule.name, rule.summary), rule_id
