"""Determinism and safety: identical reports, atomic writes, a read-only tree, nothing run.

- The same input gives byte-identical SARIF and text reports, across processes
  with different hash seeds, and from the results cache.
- A report file is replaced whole or not at all, with no temporary left behind.
- kunwind writes nothing into the tree it analyses.
- Nothing from a compile database or a source file is executed: not a shell
  command, not a compiler plugin (a real shared library that would leave a
  mark if anything loaded it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kunwind.cli import main, shared

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
INCLUDE = FIXTURES / "include"
GOOD = "int g(int);\nint ok(int a)\n{\n\tif (g(a))\n\t\treturn -1;\n\treturn 0;\n}\n"


def kunwind(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None
            ) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "kunwind", *args], capture_output=True,
                          env={**os.environ, **(env or {})}, cwd=cwd, timeout=300)
    assert b"Traceback" not in proc.stderr, proc.stderr.decode()
    return proc


def snapshot(tree: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every file and directory under ``tree``: mode, mtime, contents (files)."""
    out = {}
    for dirpath, dirs, files in os.walk(tree):
        for name in dirs + files:
            p = Path(dirpath, name)
            st = p.lstat()
            data = p.read_bytes() if p.is_file() and not p.is_symlink() else b""
            out[str(p.relative_to(tree))] = (st.st_mode, st.st_mtime_ns, data)
    return out


# ---- determinism -----------------------------------------------------------------


def test_same_input_gives_byte_identical_reports(tmp_path: Path) -> None:
    """Two processes with different hash seeds; then a third answered by the results cache."""
    outputs = []
    cache = tmp_path / "cache"
    for seed, extra in (("1", ["--no-cache"]), ("2", []), ("3", [])):  # 3: from the cache
        env = {"PYTHONHASHSEED": seed, "XDG_CACHE_HOME": str(cache)}
        run = []
        for fmt in ("sarif", "text"):
            proc = kunwind("check", "--experimental",
                           str(FIXTURES / "ku001"), f"--clang-arg=-I{INCLUDE}",
                           "--root", str(ROOT), "--format", fmt, "-q", *extra, env=env)
            assert proc.returncode == 1, proc.stderr.decode()
            run.append(proc.stdout)
        outputs.append(run)
    sarif, text = outputs[0]
    assert json.loads(sarif)["runs"][0]["results"]
    assert text.count(b": warning: ") >= 5
    for other in outputs[1:]:
        assert other == [sarif, text]


# ---- atomic report files ------------------------------------------------------------


class FailingFile:
    """Writes half of what it is given, then fails as a full disk would."""

    def __init__(self, fh) -> None:
        self.fh = fh

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.fh.close()

    def write(self, text: str) -> int:
        self.fh.write(text[: len(text) // 2])
        self.fh.flush()
        raise OSError(28, "No space left on device")


@pytest.mark.parametrize("failure", ["write", "rename"])
def test_failed_report_write_leaves_the_old_file_whole(tmp_path: Path, failure: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src/ok.c").write_text(GOOD)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    report = out_dir / "report.sarif"
    report.write_text("the previous report\n")
    if failure == "write":
        real_fdopen = os.fdopen
        monkeypatch.setattr(shared.os, "fdopen", lambda *a, **k: FailingFile(real_fdopen(*a, **k)))
    else:
        def no_rename(src, dst):
            raise OSError(18, "Invalid cross-device link")

        monkeypatch.setattr(shared.os, "replace", no_rename)
    r = CliRunner().invoke(main, ["check", "--experimental",
                                  str(tmp_path / "src/ok.c"), "--format", "sarif",
                                  "-o", str(report), "--no-cache"])
    assert r.exit_code == 2
    assert f"{report}: cannot write: " in r.stderr
    assert "Traceback" not in r.output + r.stderr
    assert report.read_text() == "the previous report\n"
    assert sorted(p.name for p in out_dir.iterdir()) == ["report.sarif"]  # no temporary left


def test_report_file_is_complete(tmp_path: Path) -> None:
    (tmp_path / "ok.c").write_text(GOOD)
    report = tmp_path / "new/dir/report.sarif"
    r = CliRunner().invoke(main, ["check", "--experimental",
                                  str(tmp_path / "ok.c"), "--format", "sarif",
                                  "-o", str(report), "--no-cache"])
    assert r.exit_code == 0, r.output
    assert json.loads(report.read_text())["version"] == "2.1.0"
    assert sorted(p.name for p in report.parent.iterdir()) == ["report.sarif"]


# ---- the analysed tree stays untouched ------------------------------------------------


def test_nothing_is_written_into_the_analysed_tree(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(FIXTURES / "ku001", tree / "ku001")
    shutil.copytree(INCLUDE, tree / "include")
    (tree / "ku001/broken.c").write_bytes(b"int f(void) { return \xff; \n")
    (tree / "empty.c").write_bytes(b"")
    db = [{"directory": str(tree), "file": "ku001/good_goto_ladder.c",
           "arguments": ["cc", "-I", "include", "-o", "ku001/good_goto_ladder.o",
                         "-MD", "-MF", "ku001/dep.d", "-c", "ku001/good_goto_ladder.c"]}]
    (tree / "compile_commands.json").write_text(json.dumps(db))
    before = snapshot(tree)
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    for extra in ([], ["--format", "sarif", "-o", str(tmp_path / "r.sarif")],
                  ["-p", str(tree)], ["--frontend", "pycparser"], ["-j", "2"]):
        proc = kunwind("check", "--experimental",
                       str(tree), f"--clang-arg=-I{tree / 'include'}", *extra, env=env,
                       cwd=tmp_path)
        assert proc.returncode in (0, 1), proc.stderr.decode()
    assert snapshot(tree) == before


@pytest.mark.kernel
def test_nothing_is_written_into_a_kernel_tree(kernel_tree: Path, tmp_path: Path) -> None:
    """A pristine tree (no generated headers): the shim goes to the cache, not the tree."""
    watched = [kernel_tree / "mm", kernel_tree / "include/linux", kernel_tree / "arch/x86/include"]
    top = {p.name: p.lstat().st_mtime_ns for p in [kernel_tree, *kernel_tree.iterdir()]}
    before = [snapshot(d) for d in watched]
    proc = kunwind("check", "--experimental", "mm/rmap.c", "mm/mlock.c", "--format", "sarif",
                   env={"XDG_CACHE_HOME": str(tmp_path / "cache")}, cwd=kernel_tree)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    assert json.loads(proc.stdout)["runs"][0]["invocations"][0]["executionSuccessful"]
    assert [snapshot(d) for d in watched] == before
    assert {p.name: p.lstat().st_mtime_ns for p in [kernel_tree, *kernel_tree.iterdir()]} == top
    assert not (kernel_tree / "include/generated").exists()
    assert list((tmp_path / "cache/kunwind").glob("shim-x86-*"))


# ---- nothing is executed ---------------------------------------------------------------


@pytest.fixture()
def marker_library(tmp_path: Path) -> tuple[Path, Path]:
    """A shared library that creates a marker file as soon as anything loads it."""
    if shutil.which("gcc") is None:
        pytest.skip("gcc is needed to build the marker library")
    mark = tmp_path / "LOADED"
    src = tmp_path / "evil.c"
    src.write_text('#include <fcntl.h>\n__attribute__((constructor)) static void f(void)\n'
                   f'{{ creat("{mark}", 0644); }}\n')
    lib = tmp_path / "evil.so"
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(lib), str(src)], check=True)
    return lib, mark


def test_compile_database_commands_are_never_run(tmp_path: Path, marker_library) -> None:
    lib, loaded = marker_library
    ran = tmp_path / "RAN"
    src = tmp_path / "x.c"
    src.write_text(GOOD)
    other = tmp_path / "y.c"
    other.write_text(GOOD.replace("ok", "ok2"))
    entries = [
        {"directory": str(tmp_path), "file": "x.c",
         "command": f"sh -c 'touch {ran}'; touch {ran}; $(touch {ran}) `touch {ran}` "
                    f"cc -fplugin={lib} -fpass-plugin={lib} -Xclang -load -Xclang {lib} "
                    f"-B{tmp_path} -specs={lib} -wrapper touch,{ran} @{tmp_path}/rsp -c x.c"},
        {"directory": str(tmp_path), "file": "y.c",
         "arguments": ["sh", "-c", f"touch {ran}", "--", f"-fplugin={lib}", "-Xclang", "-load",
                       "-Xclang", str(lib), "-c", "y.c"]},
    ]
    (tmp_path / "rsp").write_text(f"-fplugin={lib}\n")
    (tmp_path / "compile_commands.json").write_text(json.dumps(entries))
    for frontend in ("clang", "pycparser"):
        proc = kunwind("check", "--experimental",
                       "-p", str(tmp_path), str(src), str(other), "--format", "json",
                       "--no-cache", "--frontend", frontend, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr.decode()
        doc = json.loads(proc.stdout)
        assert doc["notices"] == [], doc["notices"]
        assert doc["summary"]["functions"] == 2
    assert not ran.exists(), "a command from the compile database was run"
    assert not loaded.exists(), "a plugin named in the compile database was loaded"


def test_source_files_are_never_run(tmp_path: Path, marker_library) -> None:
    lib, loaded = marker_library
    src = tmp_path / "x.c"
    src.write_text(f'#pragma GCC plugin "{lib}"\n#pragma clang plugin "{lib}"\n'
                   f'#include "{lib}"\n' + GOOD)
    for frontend in ("clang", "pycparser"):
        proc = kunwind("check", "--experimental",
                       str(src), "--format", "json", "--no-cache", "--frontend",
                       frontend, cwd=tmp_path)
        assert proc.returncode in (0, 2), proc.stderr.decode()
    assert not loaded.exists()
