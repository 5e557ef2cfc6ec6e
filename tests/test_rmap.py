"""The reference case on real code: mm/rmap.c of Debian's linux-source-6.12.

The tree is pristine (never built) and kunwind gets no flag beyond the path,
as a pre-commit hook would run it: ``cd TREE && kunwind check mm/rmap.c``.
Before the anon_vma_fork() refactor it must report KU001 at the
``unlink_anon_vmas(vma)`` of anon_vma_fork(); with the patch applied to a copy,
nothing inside anon_vma_fork().
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SEED_PATCH = Path(__file__).resolve().parents[1].parent / "shared/seed/anon_vma_fork-refactor.patch"

pytestmark = pytest.mark.kernel


def kunwind_json(tree: Path, rel: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "kunwind", "check", rel, "--format", "json", "-q"],
        cwd=tree, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    return json.loads(proc.stdout)


def function_span(text: str, name: str) -> tuple[int, int]:
    lines = text.splitlines()
    start = next(i for i, ln in enumerate(lines, 1) if ln.startswith(f"int {name}("))
    end = next(i for i, ln in enumerate(lines, 1) if i > start and ln == "}")
    return start, end


def test_anon_vma_fork_before_the_patch_is_reported(kernel_tree: Path) -> None:
    rmap = kernel_tree / "mm/rmap.c"
    text = rmap.read_text()
    start, end = function_span(text, "anon_vma_fork")
    call = next(i for i, ln in enumerate(text.splitlines(), 1)
                if start < i < end and ln.strip() == "unlink_anon_vmas(vma);")
    report = kunwind_json(kernel_tree, "mm/rmap.c")
    assert not [n for n in report["notices"] if n["level"] == "error"], report["notices"]
    inside = [f for f in report["findings"] if start <= f["line"] <= end]
    assert [(f["rule_id"], f["line"]) for f in inside] == [("KU001", call)], inside
    assert inside[0]["file"] == "mm/rmap.c"
    assert "anon_vma_clone" in inside[0]["message"]
    assert "vma->anon_vma" in inside[0]["message"]


def _overlay(tree: Path, dest: Path) -> Path:
    """A copy of the tree that shares everything but mm/rmap.c (symlinks)."""
    dest.mkdir()
    for entry in tree.iterdir():
        if entry.name != "mm":
            (dest / entry.name).symlink_to(entry)
    (dest / "mm").mkdir()
    for entry in (tree / "mm").iterdir():
        if entry.name != "rmap.c":
            (dest / "mm" / entry.name).symlink_to(entry)
    shutil.copy(tree / "mm/rmap.c", dest / "mm/rmap.c")
    return dest


@pytest.mark.skipif(shutil.which("patch") is None and not os.environ.get("CI"),
                    reason="the 'patch' program is not installed")
def test_anon_vma_fork_after_the_patch_is_clean(kernel_tree: Path, tmp_path: Path) -> None:
    if not SEED_PATCH.is_file():
        if os.environ.get("KUNWIND_STRICT"):  # .ci/run, beside the project's shared/
            pytest.fail(f"the reference patch is missing: {SEED_PATCH}")
        pytest.skip(f"the reference patch lives in the project's shared/ ({SEED_PATCH})")
    copy = _overlay(kernel_tree, tmp_path / "tree")
    subprocess.run(["patch", "-p1", "-s", "-i", str(SEED_PATCH)], cwd=copy, check=True)
    text = (copy / "mm/rmap.c").read_text()
    assert "out_error_free_anon_vma" not in text  # the patch really applied
    start, end = function_span(text, "anon_vma_fork")
    report = kunwind_json(copy, "mm/rmap.c")
    assert not [n for n in report["notices"] if n["level"] == "error"], report["notices"]
    inside = [f for f in report["findings"] if start <= f["line"] <= end]
    assert inside == []
    # the function was analysed whole, not skipped
    assert not [n for n in report["notices"] if n.get("function") == "anon_vma_fork"]
