"""The example code-review workflow for kernel repositories stays well-formed and complete."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_kernel_example_workflow() -> None:
    yaml = pytest.importorskip("yaml")
    text = (ROOT / ".github/workflows/kernel-example.yml").read_text()
    flow = yaml.safe_load(text)
    assert "pull_request" in flow[True]  # YAML 1.1 reads the key 'on' as True
    assert flow["permissions"]["security-events"] == "write"
    (job,) = flow["jobs"].values()
    steps = {s.get("uses", s.get("name")): s for s in job["steps"]}
    upload = steps["github/codeql-action/upload-sarif@v3"]
    assert upload["with"] == {"sarif_file": "kunwind.sarif", "category": "kunwind"}
    assert "kunwind check --format sarif -o kunwind.sarif" in steps["kunwind check"]["run"]
    assert "pip install" in steps["Install kunwind"]["run"]
    assert "kernel-example.yml" in (ROOT / "README.md").read_text()
