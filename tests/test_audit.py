"""Audits: parallel runs equal serial ones, a crash or a timeout fails one file only, the cache."""

from __future__ import annotations

import faulthandler
import json
import os
import resource
import signal
import time
from pathlib import Path

import pytest
from cliutil import FIXTURES, INCLUDE, ROOT, run

import kunwind.pipeline


def check(*args: str):
    return run("check", "--experimental", *args, "--root", str(ROOT), INCLUDE)


# ---- parallel == serial -------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "sarif"])
def test_parallel_output_equals_serial_byte_for_byte(fmt: str) -> None:
    outputs = {}
    for jobs in ("0", "1", "2"):
        r = check(str(FIXTURES), "--format", fmt, "--no-cache", "-j", jobs)
        assert r.exit_code == 1, r.output  # the fixtures hold findings
        outputs[jobs] = r.stdout
    assert outputs["0"] == outputs["1"] == outputs["2"]
    assert outputs["0"].count("[KU001]" if fmt == "text" else '"ruleId": "KU001"') >= 5


# ---- isolation: crash and timeout --------------------------------------------


def _fake_pipeline(original):
    def pipeline(path: Path, *args, **kwargs):
        if path.name == "crash.c":  # what a libclang segfault does to the worker
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            faulthandler.disable()  # pytest's, inherited: no traceback on stderr
            os.kill(os.getpid(), signal.SIGSEGV)
        if path.name == "hang.c":
            time.sleep(60)
        return original(path, *args, **kwargs)

    return pipeline


@pytest.fixture()
def three_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """crash.c kills its worker, hang.c never ends, good.c has a finding."""
    monkeypatch.setattr(kunwind.pipeline, "run_pipeline",
                        _fake_pipeline(kunwind.pipeline.run_pipeline))
    for name in ("crash.c", "hang.c"):
        (tmp_path / name).write_text("int f(void) { return 0; }\n")
    (tmp_path / "good.c").write_text((FIXTURES / "ku001/anon_vma_fork_before.c").read_text())
    return tmp_path


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_crash_and_timeout_fail_one_file_each(three_files: Path, jobs: str) -> None:
    r = run("check", "--experimental", str(three_files), "-j", jobs, "--timeout", "1", "--no-cache",
            "--root", str(three_files), INCLUDE)
    assert r.exit_code == 1, r.output  # good.c's finding: the run went on
    assert "good.c:" in r.stdout and "[KU001]" in r.stdout
    assert "crash.c: error: analysis crashed (killed by SIGSEGV), file skipped" in r.stdout
    assert "hang.c: error: analysis timed out after 1s, file skipped" in r.stdout
    assert "3 files analysed (1 crashed, 1 timed out)" in r.stderr


def test_failed_files_are_sarif_notifications(three_files: Path) -> None:
    r = run("check", "--experimental", str(three_files), "-j", "2", "--timeout", "1", "--no-cache",
            "--format", "sarif", "--root", str(three_files), INCLUDE)
    invocation = json.loads(r.stdout)["runs"][0]["invocations"][0]
    failed = {
        n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: n["message"]["text"]
        for n in invocation["toolExecutionNotifications"] if n["level"] == "error"
    }
    assert failed == {
        "crash.c": "analysis crashed (killed by SIGSEGV), file skipped",
        "hang.c": "analysis timed out after 1s, file skipped",
    }
    assert invocation["executionSuccessful"] is True


# ---- the results cache -------------------------------------------------------


def test_cache_hit_then_miss_after_a_change(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.c").write_text((FIXTURES / "ku001/anon_vma_fork_before.c").read_text())
    (src / "b.c").write_text('#include "b.h"\nint g(void) { return B; }\n')
    (src / "b.h").write_text("#define B 1\n")
    cache = tmp_path / "cache"

    def audit():
        return run("check", "--experimental",
                   str(src), "--cache-dir", str(cache), "--root", str(src), INCLUDE)

    first = audit()
    assert first.exit_code == 1 and "from cache" not in first.stderr
    second = audit()
    assert "2 files analysed (2 from cache)" in second.stderr
    assert second.stdout == first.stdout
    assert not list(cache.rglob(".tmp-*"))  # entries are renamed into place

    (src / "a.c").write_text((src / "a.c").read_text() + "\n/* changed */\n")
    assert "(1 from cache)" in audit().stderr
    (src / "b.h").write_text("#define B 2 /* a header changed */\n")
    assert "(1 from cache)" in audit().stderr
    assert "(2 from cache)" in audit().stderr
    no_cache = run("check", "--experimental", str(src), "--no-cache", "--root", str(src), INCLUDE)
    assert "from cache" not in no_cache.stderr and no_cache.stdout == first.stdout


def test_cache_key_holds_the_flags(tmp_path: Path) -> None:
    (tmp_path / "a.c").write_text("int f(void) { return X; }\n")
    cache = ["--cache-dir", str(tmp_path / "cache"), "--root", str(tmp_path)]
    r1 = run("check", "--experimental", str(tmp_path / "a.c"), *cache, "--clang-arg=-DX=1")
    r2 = run("check", "--experimental", str(tmp_path / "a.c"), *cache, "--clang-arg=-DX=2")
    assert "from cache" not in r1.stderr + r2.stderr
    assert "(1 from cache)" in run("check", "--experimental", str(tmp_path / "a.c"), *cache,
                                   "--clang-arg=-DX=2").stderr


# ---- a real kernel directory -------------------------------------------------


@pytest.mark.kernel
def test_kernel_files_parallel_cached_serial_agree(kernel_tree: Path, tmp_path: Path) -> None:
    files = [str(kernel_tree / "mm" / n) for n in ("rmap.c", "mremap.c", "mlock.c")]
    cache = ["--cache-dir", str(tmp_path / "cache")]
    parallel = run("check", "--experimental", *files, "-j", "2", *cache, "--format", "sarif")
    assert parallel.exit_code == 1 and "anon_vma_fork" in parallel.stdout
    cached = run("check", "--experimental", *files, "-j", "2", *cache, "--format", "sarif")
    assert "3 files analysed (3 from cache)" in cached.stderr
    serial = run("check", "--experimental", *files, "-j", "1", "--no-cache", "--format", "sarif")
    assert parallel.stdout == cached.stdout == serial.stdout


def test_the_cache_key_holds_the_environment_clang_reads(tmp_path: Path, monkeypatch) -> None:
    """With CPATH pointing elsewhere, a header of the same name says something else:
    the cached result of the first run must not be reused (issue 13 item 6)."""
    from click.testing import CliRunner

    from kunwind.cli import main

    for name, body in (("leaky", "#define GIVE_BACK(p) (void)0\n"),
                       ("tidy", "#define GIVE_BACK(p) kfree(p)\n")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "giveback.h").write_text(body)
    src = tmp_path / "probe.c"
    src.write_text(
        '#include "giveback.h"\n'
        "void *kmalloc(unsigned long n, int flags);\nvoid kfree(const void *p);\n"
        "int foo_step(void);\n"
        "int foo_setup(void)\n{\n\tchar *buf = kmalloc(16, 0);\n\n\tif (!buf)\n"
        "\t\treturn -12;\n\tif (foo_step()) {\n\t\tGIVE_BACK(buf);\n\t\treturn -5;\n\t}\n"
        "\tkfree(buf);\n\treturn 0;\n}\n")
    argv = ["check", "--experimental",
            "-q", "-j0", "--cache-dir", str(tmp_path / "cache"), str(src)]
    runs = []
    for name in ("leaky", "tidy"):
        monkeypatch.setenv("CPATH", str(tmp_path / name))
        runs.append(CliRunner().invoke(main, argv).exit_code)
    assert runs == [1, 0]
