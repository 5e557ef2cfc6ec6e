"""Run kunwind's command line in-process, for the tests; never a traceback."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from kunwind.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
INCLUDE = f"--clang-arg=-I{FIXTURES / 'include'}"


def run(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in (result.output + (result.stderr or "")), result.output
    return result
