"""Hosted C (a program, not the kernel): the C library's pairs apply, and only there."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kunwind.cli import main
from kunwind.flags import FileFlags, uses_c_library
from kunwind.knowledge import load_knowledge

ROOT = Path(__file__).resolve().parents[1]
LEAK = ROOT / "fixtures" / "hosted" / "bad_malloc_leak_on_open_failure.c"


def test_which_flags_are_hosted() -> None:
    assert FileFlags(["-x", "c", "-std=gnu11"], source="standalone").hosted
    assert FileFlags(["-O2"], source="compile_db").hosted
    assert not FileFlags(["-O2", "-ffreestanding"], source="compile_db").hosted
    assert not FileFlags(["-nostdinc", "-D__KERNEL__"], source="compile_db").hosted
    assert not FileFlags(["-O2"], source="kernel").hosted


def test_a_program_is_told_from_kernel_style_code_by_its_use_of_the_c_library() -> None:
    assert uses_c_library(b"#include <stdio.h>\nint main(void) { return 0; }\n")
    assert uses_c_library(b"  #  include <sys/socket.h>\n")
    assert uses_c_library(b"void *malloc(size_t size);\n")
    assert not uses_c_library(b'#include "kernel.h"\nvoid *p = kmalloc(8, 0);\n')
    assert not uses_c_library(b"static void free_all(struct foo *f)\n{\n}\n")


def test_kernel_style_code_checked_alone_keeps_its_errno_names() -> None:
    found = _findings(str(ROOT / "fixtures" / "ku002" / "bad_alloc_in_condition.c"))
    assert any("-E" in s["message"] for f in found for s in f["steps"])


def test_the_c_library_pairs_load_only_for_hosted_code() -> None:
    assert load_knowledge().acquire("malloc") is None
    assert load_knowledge().release("fclose") is None
    hosted = load_knowledge(hosted=True)
    assert hosted.acquire("malloc").release == ["free"]
    assert hosted.acquire("open").fails == "negative"
    assert hosted.release("free").null_ok
    assert hosted.hosted and not load_knowledge().hosted


def _findings(*args: str) -> list[dict]:
    result = CliRunner().invoke(main, ["check", "--experimental",
                                       "-q", "--no-cache", "--format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)["findings"]


def test_a_malloc_leak_in_a_program_is_found_with_its_plain_return_value() -> None:
    found = _findings(str(LEAK))
    assert [(f["rule_id"], f["line"]) for f in found] == [("KU002", 26)]
    assert found[0]["steps"][-1]["message"] == "error exit: returns -2; 'buf' is still held"


def test_freestanding_code_does_not_get_the_c_library_pairs() -> None:
    assert _findings("--clang-arg=-ffreestanding", str(LEAK)) == []
