"""A plain install (``pip install .``) holds the checks and their knowledge, and runs.

The tests themselves run against the editable install (README); this one
installs a copy of the sources with pip into a directory of its own (as
``pip install .`` would into site-packages) and runs kunwind from the
installed files alone, away from the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures/ku001/anon_vma_fork_before.c"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("install")
    src = work / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("kunwind", "rules"):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    site = work / "site"
    r = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                        "--target", str(site), str(src)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    return site


def test_the_install_holds_the_checks_and_their_knowledge(installed: Path) -> None:
    pkg = installed / "kunwind"
    assert (pkg / "rules/ku001_partial_teardown.py").is_file()
    root = Path(__file__).resolve().parents[1]
    shipped = {p.relative_to(root / "rules").as_posix()
               for p in (root / "rules/knowledge").rglob("*.toml")}
    installed_files = {p.relative_to(pkg / "rules").as_posix()
                       for p in (pkg / "rules/knowledge").rglob("*.toml")}
    assert shipped == installed_files  # every knowledge file, the hosted/ ones too
    headers = {p.name for p in (root / "kunwind/frontend/resource/include").glob("*.h")}
    assert headers and headers == {p.name for p in (pkg / "frontend/resource/include").glob("*.h")}
    assert (pkg / "knowledge/loader.py").is_file() and (pkg / "cli/__init__.py").is_file()
    assert not (pkg / "tests").exists() and not (pkg / "bench").exists()


def test_the_installed_files_alone_run_kunwind(installed: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(installed), "KUNWIND_RESULTS_DIR": str(tmp_path)}
    code = ("import kunwind.rules, kunwind.knowledge as k, sys; "
            "print(kunwind.rules.__file__, k.KNOWLEDGE_DIR)")
    where = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                           capture_output=True, text=True, check=True).stdout
    assert where.count(str(installed)) == 2, where
    r = subprocess.run([sys.executable, "-m", "kunwind", "check", "--experimental",
                        str(FIXTURE)], cwd=tmp_path,
                       env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 1, r.stderr
    assert "[KU001]" in r.stdout
