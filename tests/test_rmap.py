"""The reference case on real code: mm/rmap.c of Debian's linux-source-6.12.

The tree is pristine (never built) and kunwind gets no flag beyond the path,
as a pre-commit hook would run it: ``cd TREE && kunwind check mm/rmap.c``.
Before the anon_vma_fork() refactor it must report KU001 at the
``unlink_anon_vmas(vma)`` of anon_vma_fork(); with the refactor applied to a
copy, nothing inside anon_vma_fork(). The refactor is our own scripted edit of
the fetched file (``REFACTORED``: allocate before linking the vma anywhere, so
that no error path tears down a half-set-up vma), so the test runs anywhere
the kernel source can be fetched.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# anon_vma_fork() as the refactor leaves it, written for this test: both allocations
# come first, so a failure never reaches a teardown of the vma.
REFACTORED = """\
int anon_vma_fork(struct vm_area_struct *vma, struct vm_area_struct *pvma)
{
\tstruct anon_vma_chain *avc;
\tstruct anon_vma *anon_vma;
\tint rc;

\tif (!pvma->anon_vma)
\t\treturn 0;
\tvma->anon_vma = NULL;

\tanon_vma = anon_vma_alloc();
\tif (!anon_vma)
\t\treturn -ENOMEM;
\tavc = anon_vma_chain_alloc(GFP_KERNEL);
\tif (!avc) {
\t\tput_anon_vma(anon_vma);
\t\treturn -ENOMEM;
\t}

\trc = anon_vma_clone(vma, pvma);
\tif (rc || vma->anon_vma) {
\t\tput_anon_vma(anon_vma);
\t\tanon_vma_chain_free(avc);
\t\treturn rc;
\t}

\tanon_vma->num_active_vmas = 1;
\tanon_vma->root = pvma->anon_vma->root;
\tanon_vma->parent = pvma->anon_vma;
\tget_anon_vma(anon_vma->root);
\tvma->anon_vma = anon_vma;
\tanon_vma_chain_link(vma, avc, anon_vma);
\tanon_vma_lock_write(anon_vma);
\tanon_vma->parent->num_children++;
\tanon_vma_unlock_write(anon_vma);
\treturn 0;
}"""


def refactored(text: str) -> str:
    """``text`` (mm/rmap.c) with anon_vma_fork() replaced by ``REFACTORED``."""
    start, end = function_span(text, "anon_vma_fork")
    lines = text.splitlines()
    return "\n".join([*lines[:start - 1], REFACTORED, *lines[end:]]) + "\n"

pytestmark = pytest.mark.kernel


def kunwind_json(tree: Path, rel: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "kunwind", "check", "--experimental", rel, "--format", "json", "-q"],
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


def test_anon_vma_fork_after_the_refactor_is_clean(kernel_tree: Path, tmp_path: Path) -> None:
    copy = _overlay(kernel_tree, tmp_path / "tree")
    (copy / "mm/rmap.c").write_text(refactored((kernel_tree / "mm/rmap.c").read_text()))
    text = (copy / "mm/rmap.c").read_text()
    assert "out_error_free_anon_vma" not in text and "rc = anon_vma_clone" in text
    start, end = function_span(text, "anon_vma_fork")
    report = kunwind_json(copy, "mm/rmap.c")
    assert not [n for n in report["notices"] if n["level"] == "error"], report["notices"]
    inside = [f for f in report["findings"] if start <= f["line"] <= end]
    assert inside == []
    # the function was analysed whole, not skipped
    assert not [n for n in report["notices"] if n.get("function") == "anon_vma_fork"]
