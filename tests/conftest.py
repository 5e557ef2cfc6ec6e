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
