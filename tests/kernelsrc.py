"""A real kernel tree for the tests: Debian's linux-source-6.12, fetched once into a cache.

``kernel_tree()`` returns the extracted tree, downloading the package with
``apt-get download`` and extracting it (to a temporary directory, then renamed
into place) when it is not there yet. The cache lives outside the repository:
``$KUNWIND_KERNEL_CACHE`` or ``~/.cache/kunwind-tests/linux-source-6.12``.

    python tests/kernelsrc.py      # fetch if needed, print the path
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGE = "linux-source-6.12"
INNER = f"./usr/src/{PACKAGE}.tar.xz"


class KernelSourceUnavailable(Exception):
    """The tree is not cached and cannot be fetched here; the message says why."""


def cache_path() -> Path:
    env = os.environ.get("KUNWIND_KERNEL_CACHE")
    if env:
        return Path(env)
    return Path.home() / ".cache" / "kunwind-tests" / PACKAGE


def _looks_complete(tree: Path) -> bool:
    return (tree / "Makefile").is_file() and (tree / "mm" / "rmap.c").is_file()


def _run(argv: list[str], cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    try:
        kwargs.setdefault("stdout", subprocess.PIPE)
        return subprocess.run(argv, cwd=cwd, check=True, stderr=subprocess.PIPE, **kwargs)
    except FileNotFoundError:
        raise KernelSourceUnavailable(f"{argv[0]} is not installed") from None
    except subprocess.CalledProcessError as exc:
        err = exc.stderr.decode(errors="replace").strip().splitlines()
        last = err[-1] if err else f"exit status {exc.returncode}"
        raise KernelSourceUnavailable(f"{' '.join(argv[:2])} failed: {last}") from None


def kernel_tree() -> Path:
    """The extracted linux-source-6.12 tree; fetched and extracted on first use."""
    tree = cache_path()
    if _looks_complete(tree):
        return tree
    for tool in ("apt-get", "dpkg-deb", "tar"):
        if shutil.which(tool) is None:
            raise KernelSourceUnavailable(f"{tool} is not installed")
    tree.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".fetch-", dir=tree.parent))
    try:
        try:
            _run(["apt-get", "download", PACKAGE], cwd=work)
        except KernelSourceUnavailable:
            # a fresh machine has no package lists yet: read them (as root), then retry
            if os.geteuid() != 0:
                raise
            _run(["apt-get", "update", "-qq"], cwd=work)
            _run(["apt-get", "download", PACKAGE], cwd=work)
        debs = sorted(work.glob(f"{PACKAGE}_*.deb"))
        if not debs:
            raise KernelSourceUnavailable(f"apt-get download {PACKAGE} left no .deb")
        with open(work / "data.tar", "wb") as out:
            _run(["dpkg-deb", "--fsys-tarfile", str(debs[0])], cwd=work, stdout=out)
        _run(["tar", "-x", "-f", "data.tar", INNER], cwd=work)
        _run(["tar", "-x", "-f", INNER], cwd=work)
        extracted = work / PACKAGE
        if not _looks_complete(extracted):
            raise KernelSourceUnavailable(f"{INNER} did not hold a {PACKAGE} tree")
        try:
            os.rename(extracted, tree)
        except OSError:
            if not _looks_complete(tree):  # not another run's tree either
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return tree


if __name__ == "__main__":
    try:
        print(kernel_tree())
    except KernelSourceUnavailable as exc:
        print(f"kernel source unavailable: {exc}", file=sys.stderr)
        sys.exit(1)
