"""Shared pytest fixtures. Keep each fixture in its own section."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from kernelsrc import KernelSourceUnavailable
from kernelsrc import kernel_tree as fetch_kernel_tree

# ---- real kernel tree (Debian's linux-source-6.12) ---------------------------


@pytest.fixture(scope="session")
def kernel_tree() -> Path:
    """The extracted linux-source-6.12 tree. Skips when it cannot be had, except under CI."""
    try:
        return fetch_kernel_tree()
    except KernelSourceUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"kernel source unavailable under CI: {exc}")
        pytest.skip(f"kernel source unavailable: {exc}")


# ---- results cache: one per test ----------------------------------------------


@pytest.fixture(autouse=True)
def _own_results_cache(tmp_path_factory: pytest.TempPathFactory,
                       monkeypatch: pytest.MonkeyPatch) -> None:
    """'kunwind check' caches results; a test never reads another test's (or the user's)."""
    monkeypatch.setenv("KUNWIND_RESULTS_DIR", str(tmp_path_factory.mktemp("results")))
