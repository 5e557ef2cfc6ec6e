"""compile_db: loading compile_commands.json and translating gcc/clang commands for libclang."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kunwind.frontend.compile_db import CompileDBError, load_compile_db, translate_args

GCC_ONLY = [
    "-mpreferred-stack-boundary=3", "-mindirect-branch=thunk-extern",
    "-mindirect-branch-register", "-fno-allow-store-data-races", "-fconserve-stack",
    "-mrecord-mcount", "-falign-jumps=1", "-fno-var-tracking-assignments", "-mskip-rax-setup",
    "-fno-ipa-sra", "-fmin-function-alignment=16", "-mharden-sls=all",
    "-fzero-call-used-regs=used-gpr", "-ftrivial-auto-var-init=zero",
    "-fno-reorder-blocks", "--param=allow-store-data-races=0",
]


def write_db(directory: Path, entries: object) -> Path:
    path = directory / "compile_commands.json"
    path.write_text(json.dumps(entries))
    return path


def kbuild_entry(tmp_path: Path, extra: str = "") -> dict:
    return {
        "directory": str(tmp_path / "linux"),
        "file": "mm/rmap.c",
        "command": (
            "gcc -Wp,-MMD,mm/.rmap.o.d -nostdinc -I./arch/x86/include -I ./include "
            "-isystem rel/sys -iquote rel/quote -include ./include/linux/kconfig.h "
            "-D__KERNEL__ -D__CHECKER__ -D __CHECKER__ -Werror -Werror=implicit-int "
            f"-std=gnu11 -O2 -fno-strict-aliasing {' '.join(GCC_ONLY)} {extra} "
            "-DKBUILD_MODNAME='\"rmap\"' -c -o mm/rmap.o mm/rmap.c"
        ),
    }


def test_malformed_json_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "compile_commands.json").write_text('[\n  {"file": "a.c",\n  oops\n]\n')
    with pytest.raises(CompileDBError, match=r"malformed JSON at line 3"):
        load_compile_db(tmp_path)


def test_not_a_list_and_missing_fields(tmp_path: Path) -> None:
    with pytest.raises(CompileDBError, match="expected a JSON list"):
        load_compile_db(write_db(tmp_path, {"file": "a.c"}))
    with pytest.raises(CompileDBError, match=r"entry 0: missing or non-string 'file'"):
        load_compile_db(write_db(tmp_path, [{"directory": "/x", "command": "cc a.c"}]))
    with pytest.raises(CompileDBError, match="'arguments'.*'command'"):
        load_compile_db(write_db(tmp_path, [{"directory": "/x", "file": "a.c"}]))
    with pytest.raises(CompileDBError, match="no such file"):
        load_compile_db(tmp_path / "nowhere")


def test_relative_include_paths_become_absolute(tmp_path: Path) -> None:
    db = load_compile_db(write_db(tmp_path, [kbuild_entry(tmp_path)]))
    args = db.args_for(tmp_path / "linux/mm/rmap.c")
    assert args is not None
    linux = tmp_path / "linux"
    assert f"-I{linux}/arch/x86/include" in args
    assert args[args.index("-I") + 1] == f"{linux}/include"
    assert args[args.index("-isystem") + 1] == f"{linux}/rel/sys"
    assert args[args.index("-iquote") + 1] == f"{linux}/rel/quote"
    assert args[args.index("-include") + 1] == f"{linux}/include/linux/kconfig.h"


def test_gcc_only_flags_checker_and_outputs_are_dropped(tmp_path: Path) -> None:
    db = load_compile_db(write_db(tmp_path, [kbuild_entry(tmp_path)]))
    args = db.args_for(tmp_path / "linux/mm/rmap.c")
    assert args is not None
    for flag in GCC_ONLY:
        assert flag not in args
    assert not [a for a in args if "__CHECKER__" in a]
    assert not [a for a in args if a.startswith(("-Werror", "-Wp,", "-o", "-c"))]
    assert "gcc" not in args and "mm/rmap.c" not in args and "mm/rmap.o" not in args
    assert ["-std=gnu11", "-O2", "-fno-strict-aliasing"] == [
        a for a in args if a in ("-std=gnu11", "-O2", "-fno-strict-aliasing")
    ]
    assert '-DKBUILD_MODNAME="rmap"' in args and "-D__KERNEL__" in args


def test_unknown_flags_are_checked_with_libclang(tmp_path: Path) -> None:
    args = translate_args(["gcc", "-fno-such-flag-ever", "-fno-common", "-c", "x.c"], tmp_path)
    assert args == ["-fno-common"]


def test_code_loading_flags_are_dropped(tmp_path: Path) -> None:
    argv = ["clang", "-fplugin=./evil.so", "-Xclang", "-load", "-Xclang", "./evil.so",
            "-fpass-plugin=./p.so", "-DX=1", "a.c"]
    assert translate_args(argv, tmp_path) == ["-DX=1"]


def test_arguments_list_and_missing_file(tmp_path: Path) -> None:
    entry = {"directory": str(tmp_path), "file": str(tmp_path / "a.c"),
             "arguments": ["clang", "-Iinc", "-c", "a.c"]}
    db = load_compile_db(write_db(tmp_path, [entry]))
    assert db.args_for(tmp_path / "a.c") == [f"-I{tmp_path}/inc"]
    assert db.args_for(tmp_path / "b.c") is None


def test_argv_without_compiler_and_cross_target(tmp_path: Path) -> None:
    assert translate_args(["-D__CHECKER__", "-DA", "x.c"], tmp_path) == ["-DA"]
    args = translate_args(["ccache", "aarch64-linux-gnu-gcc", "-DA", "x.c"], tmp_path)
    assert args == ["--target=aarch64-linux-gnu", "-DA"]
