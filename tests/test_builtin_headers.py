"""Standalone files and the compiler's own headers: <stddef.h> and friends on a machine
with no clang (the libclang wheel ships none), and with no gcc either."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kunwind.driver import Options
from kunwind.flags import flags_for
from kunwind.frontend import builtin_headers as bh

# A leak that is only found when size_t, bool, uint32_t and va_list are known.
LEAK = """\
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ENOMEM 12
void *kmalloc(size_t size, unsigned int flags);
void kfree(const void *p);
int register_thing(void *p, uint32_t id, bool fast);
void log_it(const char *fmt, ...);

int make_thing(size_t n, uint32_t id, bool fast)
{
	void *buf = kmalloc(n, 0);
	int err;

	if (!buf)
		return -ENOMEM;
	err = register_thing(buf, id, fast);
	if (err)
		goto out;
	return 0;
out:
	log_it("failed: %d", err);
	return err;
}
"""

# Every header of kunwind's own set, used; freestanding, so none defers to a C library.
EVERY_HEADER = """\
#include <float.h>
#include <limits.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

_Static_assert(sizeof(int64_t) == 8 && sizeof(uint8_t) == 1, "exact-width types");
_Static_assert(sizeof(size_t) == sizeof(void *) && SIZE_MAX > 0, "size_t");
_Static_assert(INT32_MIN < 0 && UINT32_MAX == 4294967295u && UINT64_C(1) == 1, "limits");
_Static_assert(CHAR_BIT == 8 && INT_MAX > 0 && INT_MIN < 0 && UCHAR_MAX == 255, "limits.h");
_Static_assert(offsetof(struct { char a; int b; }, b) == alignof(int), "offsetof");
alignas(8) static int aligned;
static bool flag = true;
noreturn void die(void);
double eps = DBL_EPSILON;
int sum(int n, ...)
{
	va_list ap;
	int total = 0;

	va_start(ap, n);
	while (n--)
		total += va_arg(ap, int);
	va_end(ap);
	return total + aligned + flag + (NULL == (void *)0);
}
"""


def run_without_compilers(tmp_path: Path, *args: str, env: dict[str, str] | None = None):
    """``kunwind check`` in a subprocess whose PATH holds no clang and no gcc."""
    empty = tmp_path / "bin"
    empty.mkdir(exist_ok=True)
    full_env = {k: v for k, v in os.environ.items() if k != bh.ENV}
    full_env.update({"PATH": str(empty), "XDG_CACHE_HOME": str(tmp_path / "cache"),
                     **(env or {})})
    return subprocess.run([sys.executable, "-m", "kunwind", "check", "--experimental", "--no-cache",
                           "--format", "json", *args], capture_output=True, text=True,
                          env=full_env, cwd=tmp_path)


@pytest.mark.parametrize("env", [{}, {bh.ENV: "kunwind"}], ids=["no-compiler", "forced"])
def test_standard_headers_without_clang_or_gcc(tmp_path: Path, env: dict[str, str]) -> None:
    (tmp_path / "leak.c").write_text(LEAK)
    proc = run_without_compilers(tmp_path, "leak.c", env=env)
    report = json.loads(proc.stdout)
    assert report["notices"] == [], report["notices"]
    assert report["summary"]["functions_incomplete"] == 0
    assert [f["rule_id"] for f in report["findings"]] == ["KU002"]
    assert proc.returncode == 1


def test_kunwinds_own_headers_parse_freestanding(tmp_path: Path) -> None:
    from kunwind.frontend.clang_parse import parse_file

    path = tmp_path / "every.c"
    path.write_text(EVERY_HEADER)
    for target in ("x86_64-linux-gnu", "aarch64-linux-gnu"):
        args = ["-x", "c", "-std=gnu11", "-ffreestanding", f"--target={target}",
                "-resource-dir", str(bh.OWN)]
        parsed = parse_file(path, args)
        assert (parsed.fatal, parsed.errors) == ("", []), target
        assert [f.errors for f in parsed.functions] == [[]], target


def _fake(bin_dir: Path, name: str, output: str) -> None:
    script = bin_dir / name
    script.write_text(f"#!/bin/sh\necho '{output}'\n")
    script.chmod(0o755)


def _resource(path: Path) -> Path:
    (path / "include").mkdir(parents=True)
    (path / "include/stddef.h").write_text("typedef __SIZE_TYPE__ size_t;\n")
    return path


def test_the_order_clang_then_gcc_then_our_own(tmp_path: Path, monkeypatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    clang_dir = _resource(tmp_path / "clang-res")
    gcc_dir = _resource(tmp_path / "gcc/12")
    _fake(bin_dir, "clang", str(clang_dir))
    _fake(bin_dir, "gcc", f"{gcc_dir}/include")
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.delenv(bh.ENV, raising=False)
    monkeypatch.setattr(bh, "libclang_has_headers", lambda: False)

    def found() -> bh.BuiltinHeaders:
        bh.builtin_headers.cache_clear()
        return bh.builtin_headers()

    try:
        assert found() == bh.BuiltinHeaders(clang_dir, "clang")
        (bin_dir / "clang").unlink()
        assert found() == bh.BuiltinHeaders(gcc_dir, "gcc")
        _fake(bin_dir, "gcc", "include")  # what a gcc without its own headers prints
        assert found() == bh.BuiltinHeaders(bh.OWN, "kunwind")
        (bin_dir / "gcc").unlink()
        assert found() == bh.BuiltinHeaders(bh.OWN, "kunwind")
        assert found().args() == ["-resource-dir", str(bh.OWN)]
        monkeypatch.setattr(bh, "libclang_has_headers", lambda: True)
        assert found().args() == []  # a libclang with its own headers needs no help
        monkeypatch.setenv(bh.ENV, str(gcc_dir))
        assert found() == bh.BuiltinHeaders(gcc_dir, f"${bh.ENV}")
    finally:
        bh.builtin_headers.cache_clear()


def test_standalone_flags_carry_the_headers_and_kernel_flags_do_not(tmp_path: Path,
                                                                     monkeypatch) -> None:
    monkeypatch.setenv(bh.ENV, "kunwind")
    bh.builtin_headers.cache_clear()
    try:
        (tmp_path / "a.c").write_text("int a;\n")
        flags = flags_for(tmp_path / "a.c", Options(extra_args=["-DX"]))
        assert flags.source == "standalone"
        assert flags.args == ["-x", "c", "-std=gnu11", "-resource-dir", str(bh.OWN), "-DX"]
    finally:
        bh.builtin_headers.cache_clear()


@pytest.mark.kernel
def test_kernel_files_use_no_compiler_headers(kernel_tree: Path) -> None:
    flags = flags_for(kernel_tree / "mm/rmap.c", Options())
    assert flags.source == "kernel" and "-nostdinc" in flags.args
    assert "-resource-dir" not in flags.args and "-isystem" not in flags.args


def test_a_header_not_found_is_named_in_the_summary(tmp_path: Path) -> None:
    (tmp_path / "a.c").write_text('#include <nosuch.h>\n#include "gone.h"\n'
                                  "int f(nosuch_t x) { return 0; }\n")
    proc = run_without_compilers(tmp_path, "a.c", "--format", "text")
    assert "kunwind: warning: headers not found in 1 file ('nosuch.h', 'gone.h')" \
        in proc.stderr, proc.stderr
