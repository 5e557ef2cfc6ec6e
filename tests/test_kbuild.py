"""kunwind-cc, the Kbuild checker: argv translation, exit codes, and a real 'make C=1' run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kunwind import kbuild_cc
from kunwind.rules import not_run_rules

ROOT = Path(__file__).resolve().parents[1]
BEFORE = ROOT / "fixtures/ku001/anon_vma_fork_before.c"
AFTER = ROOT / "fixtures/ku001/anon_vma_fork_after.c"

# The head of what Kbuild 6.12 passes for mm/rmap.c in an x86_64 O= build
# ('make V=1 C=1'): $(CHECKFLAGS), then $(c_flags) (shortened), then the file.
CHECKFLAGS = ["-D__linux__", "-Dlinux", "-D__STDC__", "-Dunix", "-D__unix__", "-Wbitwise",
              "-Wno-return-void", "-Wno-unknown-attribute", "-D__x86_64__", "--arch=x86",
              "-mlittle-endian", "-m64"]
C_FLAGS = ["-Wp,-MMD,mm/.rmap.o.d", "-nostdinc", "-I./include", "-D__KERNEL__", "-Werror",
           "-std=gnu11", "-fshort-wchar", "-funsigned-char", "-fno-common", "-mno-sse",
           "-mpreferred-stack-boundary=3", "-mindirect-branch=thunk-extern", "-fconserve-stack",
           "-O2", "-Wall", "-Wno-sign-compare", "-Imm", '-DKBUILD_MODNAME="rmap"']


def test_checker_argv_becomes_libclang_flags(tmp_path: Path) -> None:
    args = kbuild_cc.clang_args([*CHECKFLAGS, *C_FLAGS, "mm/rmap.c"], tmp_path)
    assert args[0] == "--target=x86_64-linux-gnu"
    for gone in ("-Wbitwise", "-Wno-return-void", "-Wno-unknown-attribute", "--arch=x86",
                 "-mlittle-endian", "-D__STDC__", "-Werror", "-Wp,-MMD,mm/.rmap.o.d",
                 "-mpreferred-stack-boundary=3", "-fconserve-stack", "mm/rmap.c"):
        assert gone not in args
    for kept in ("-D__linux__", "-D__KERNEL__", "-std=gnu11", "-nostdinc", "-m64",
                 f"-I{tmp_path / 'include'}", f"-I{tmp_path / 'mm'}", '-DKBUILD_MODNAME="rmap"'):
        assert kept in args
    assert kbuild_cc.source_files([*CHECKFLAGS, "-include", "x.c", *C_FLAGS, "mm/rmap.c"]) == [
        "mm/rmap.c"]
    arm = kbuild_cc.clang_args(["--arch=arm64", "-m64", "mm/rmap.c"], tmp_path)
    assert arm[0] == "--target=aarch64-linux-gnu"


def cc(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kunwind.kbuild_cc", *argv], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ, **(env or {})},
                          timeout=300)


def test_findings_go_to_stderr_and_exit_0_unless_asked() -> None:
    argv = [*CHECKFLAGS, "-D__KERNEL__", "-std=gnu11", "-Wp,-MMD,x.d"]
    r = cc("--experimental", *argv, str(BEFORE.relative_to(ROOT)))
    assert r.returncode == 0 and r.stdout == ""
    assert r.stderr.startswith("fixtures/ku001/anon_vma_fork_before.c:")
    assert ": warning: unlink_anon_vmas(vma) in anon_vma_fork()" in r.stderr
    assert "[KU001]" in r.stderr
    assert cc("--error-exitcode=3", "--experimental", *argv, str(BEFORE)).returncode == 3
    assert cc("--experimental", *argv, str(BEFORE),
              env={"KUNWIND_CC_ERROR_EXITCODE": "4"}).returncode == 4
    clean = cc("--error-exitcode", "3", "--experimental", *argv, str(AFTER))
    assert clean.returncode == 0 and clean.stderr == ""


def test_without_experimental_it_names_the_checks_not_run() -> None:
    left_out = not_run_rules(None)
    if not left_out:
        pytest.skip("every check is measured at 80% or more: none is left out")
    r = cc("--error-exitcode=3", *CHECKFLAGS, "-D__KERNEL__", str(BEFORE))
    assert r.returncode == 0 and "[KU001]" not in r.stderr
    note = [ln for ln in r.stderr.splitlines() if ln.startswith("kunwind-cc: note: ")]
    assert len(note) == 1 and "not run: experimental, below 80% true" in note[0]
    assert all(f"{rule.id} " in note[0] for rule in left_out)


def test_a_file_it_cannot_check_never_breaks_the_build(tmp_path: Path) -> None:
    bad = tmp_path / "bad.c"
    bad.write_bytes(b"\x00binary")
    r = cc("--error-exitcode=1", *CHECKFLAGS, str(bad))
    assert r.returncode == 0
    assert "bad.c: warning: kunwind: binary file" in r.stderr
    assert "Traceback" not in r.stderr
    r = cc("--error-exitcode=1", str(tmp_path / "missing.c"))
    assert r.returncode == 0 and "warning" in r.stderr


# ---- through Kbuild ----------------------------------------------------------

KBUILD_TOOLS = ("gcc", "make", "flex", "bison", "bc")
KBUILD_HEADERS = ("/usr/include/gelf.h", "/usr/include/openssl/ssl.h")  # libelf-dev, libssl-dev


@pytest.mark.kernel
def test_make_c1_check_kunwind_cc_on_mm_rmap(kernel_tree: Path, tmp_path: Path) -> None:
    missing = [t for t in KBUILD_TOOLS if shutil.which(t) is None]
    missing += [h for h in KBUILD_HEADERS if not Path(h).exists()]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"Kbuild needs {', '.join(missing)} (.ci/run installs them)")
        pytest.skip(f"Kbuild needs {', '.join(missing)}")
    checker = Path(sys.executable).with_name("kunwind-cc")
    assert checker.exists(), "kunwind-cc is not installed next to this python"
    out = tmp_path / "build"
    make = ["make", "-s", f"-j{os.cpu_count() or 1}", f"O={out}"]

    def build(*args: str, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run([*make, *args], cwd=kernel_tree, capture_output=True, text=True,
                              env={**os.environ, **env}, timeout=1200)

    prepared = build("x86_64_defconfig", "prepare")
    assert prepared.returncode == 0, prepared.stderr[-2000:]
    r = build("C=1", f"CHECK={checker} --experimental", "mm/rmap.o")
    assert r.returncode == 0, r.stderr[-2000:]
    assert (out / "mm/rmap.o").exists()
    warnings = [ln for ln in r.stderr.splitlines() if ": warning: " in ln]
    assert any(ln.startswith(f"{kernel_tree}/mm/rmap.c:") and "anon_vma_fork()" in ln
               and ln.endswith("[KU001]") for ln in warnings), r.stderr[-2000:]
    # asked to, the checker fails the build (C=2: check again without recompiling)
    r = build("C=2", f"CHECK={checker} --error-exitcode=1 --experimental", "mm/rmap.o")
    assert r.returncode != 0 and "[KU001]" in r.stderr
