"""Bad input never crashes kunwind: one clear message per file, the run goes on.

Each case goes through the command line (click's runner, or a subprocess
where a crash or a message from native code would only show there) and
checks the message names the file and the reason, the exit status (2 only
when nothing could be analysed), and that no Python traceback is printed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kunwind.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
INCLUDE = FIXTURES / "include"
BAD_FIXTURE = FIXTURES / "ku001/bad_optional_callback_set_late.c"
GOOD = "int g(int);\nint ok(int a)\n{\n\tif (g(a))\n\t\treturn -1;\n\treturn 0;\n}\n"


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A results cache and kernel shims of each test's own (subprocesses inherit it)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


def run(*args: str):
    result = CliRunner().invoke(main, list(args))
    out = result.output + (result.stderr or "")
    assert "Traceback" not in out, out
    assert result.exception is None or isinstance(result.exception, SystemExit), out
    return result


def run_process(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
                timeout: float = 120) -> subprocess.CompletedProcess:
    """``python -m kunwind ARGS`` in a fresh process: sees what native code prints too."""
    proc = subprocess.run([sys.executable, "-m", "kunwind", *args], capture_output=True,
                          text=True, errors="surrogateescape", env={**os.environ, **(env or {})},
                          cwd=cwd, timeout=timeout)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    assert "Exception ignored" not in proc.stderr, proc.stderr
    return proc


def notices(path: Path, *extra: str) -> tuple[int, list[dict]]:
    """Exit status and the JSON report's notices for one file."""
    r = run("check", "--experimental",
            str(path), "--format", "json", "--root", str(path.parent), "-q", *extra)
    return r.exit_code, json.loads(r.stdout)["notices"]


def with_finding(tmp_path: Path, extra_c: str) -> Path:
    """A copy of a KU001 fixture (one finding) with ``extra_c`` appended."""
    text = BAD_FIXTURE.read_text().replace('#include "../include/kernel.h"', '#include "kernel.h"')
    src = tmp_path / "mixed.c"
    src.write_text(text + "\n" + extra_c)
    return src


# ---- paths -----------------------------------------------------------------


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    r = run("check", "--experimental", str(tmp_path / "nope.c"))
    assert r.exit_code == 2
    assert r.stderr.strip() == f"kunwind: error: {tmp_path / 'nope.c'}: no such file or directory"


def test_directory_where_a_file_is_expected(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    r = run("cfg", str(tmp_path / "sub"), "f")
    assert r.exit_code == 2 and "is a directory" in r.stderr
    r = run("check", "--experimental", str(tmp_path / "sub"))  # a directory without C files
    assert r.exit_code == 2 and "no .c files" in r.stderr
    r = run("check", "--experimental", str(tmp_path / "ok.c"), "-o", str(tmp_path / "sub"))
    assert r.exit_code == 2


def test_directory_of_c_files_and_a_directory_named_like_one(tmp_path: Path) -> None:
    (tmp_path / "a.c").write_text(GOOD)
    (tmp_path / "b").mkdir()
    (tmp_path / "b/c.c").write_text(GOOD.replace("ok", "ok2"))
    (tmp_path / "b/d.c").mkdir()  # a directory whose name ends in .c is skipped
    r = run("check", "--experimental", str(tmp_path), "--format", "json", "--root", str(tmp_path))
    assert r.exit_code == 0
    doc = json.loads(r.stdout)
    assert doc["notices"] == []
    assert "2 files analysed, 2 functions" in r.stderr


def test_fifo_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.c"
    os.mkfifo(fifo)
    (tmp_path / "ok.c").write_text(GOOD)
    r = run("check", "--experimental", str(fifo), str(tmp_path / "ok.c"), "--format", "json", "-q",
            "--root", str(tmp_path))
    assert r.exit_code == 0
    (n,) = json.loads(r.stdout)["notices"]
    assert n["file"] == "pipe.c" and n["message"] == "not a regular file"


# ---- contents ------------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    src = tmp_path / "empty.c"
    src.write_bytes(b"")
    status, ns = notices(src)
    assert status == 0
    assert [(n["file"], n["level"], n["message"]) for n in ns] == [
        ("empty.c", "note", "empty file")]


@pytest.mark.parametrize("data", [bytes(range(256)) * 8, b"int f(void)\n{\n\treturn 0;\0\n}\n"],
                         ids=["binary", "nul_byte"])
def test_binary_and_nul_byte(tmp_path: Path, data: bytes) -> None:
    src = tmp_path / "bin.c"
    src.write_bytes(data)
    (tmp_path / "ok.c").write_text(GOOD)
    status, ns = notices(src)
    assert status == 2
    assert [n["message"] for n in ns] == ["binary file (contains NUL bytes), not C source"]
    r = run("check", "--experimental", str(src), str(tmp_path / "ok.c"), "--root", str(tmp_path))
    assert r.exit_code == 0 and "bin.c: error: binary file" in r.stdout


def test_binary_without_nul_bytes(tmp_path: Path) -> None:
    src = tmp_path / "noise.c"
    src.write_bytes(bytes(b for b in range(1, 256)) * 16)
    status, ns = notices(src)
    assert status == 2
    assert len(ns) == 1 and ns[0]["message"].startswith("cannot be parsed")


def test_latin1_comments_are_analysed_normally(tmp_path: Path) -> None:
    text = BAD_FIXTURE.read_bytes().replace(b'#include "../include/kernel.h"',
                                            b'#include "kernel.h"')
    text = text.replace(b"/*", "/* d\u00e9j\u00e0 vu, na\u00efve \u00b5s:".encode("latin-1"), 3)
    src = tmp_path / "latin1.c"
    src.write_bytes(text)
    with pytest.raises(UnicodeDecodeError):
        text.decode("utf-8")
    r = run("check", "--experimental", str(src), f"--clang-arg=-I{INCLUDE}", "--format", "sarif",
            "--root", str(tmp_path))
    assert r.exit_code == 1
    log = json.loads(r.stdout)
    assert [x["ruleId"] for x in log["runs"][0]["results"]] == ["KU001"]
    assert "toolExecutionNotifications" not in log["runs"][0]["invocations"][0]


def test_file_and_directory_names_that_are_not_utf8(tmp_path: Path) -> None:
    text = BAD_FIXTURE.read_bytes().replace(b'#include "../include/kernel.h"',
                                            b'#include "kernel.h"')
    top = Path(os.fsdecode(bytes(tmp_path) + b"/d\xffr"))
    top.mkdir()
    src = Path(os.fsdecode(bytes(top) + b"/caf\xe9.c"))
    src.write_bytes(text)
    common = [str(top), f"--clang-arg=-I{INCLUDE}", "--root", str(tmp_path), "--no-cache"]
    proc = run_process("check", "--experimental", *common)
    assert proc.returncode == 1 and "[KU001]" in proc.stdout
    proc = run_process("check", "--experimental",
                       *common, "--format", "sarif", "-o", str(tmp_path / "r.sarif"))
    assert proc.returncode == 1
    log = json.loads((tmp_path / "r.sarif").read_bytes().decode("utf-8"))
    (result,) = log["runs"][0]["results"]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "d%FFr/caf%E9.c"
    proc = run_process("check", "--experimental", *common, "-o", str(tmp_path / "r.txt"))
    assert (tmp_path / "r.txt").read_bytes().startswith(b"d\xffr/caf\xe9.c:75:2: warning: ")


def test_bom_and_crlf_line_endings(tmp_path: Path) -> None:
    src = tmp_path / "dos.c"
    src.write_bytes(b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode())
    assert notices(src) == (0, [])


def test_c_that_does_not_parse_at_all(tmp_path: Path) -> None:
    src = tmp_path / "prose.c"
    src.write_text("This is not C at all; it is a letter.\n@@@ ### $$$\n")
    (tmp_path / "ok.c").write_text(GOOD)
    status, ns = notices(src)
    assert status == 2
    assert len(ns) == 1 and ns[0]["level"] == "error"
    assert ns[0]["message"].startswith("cannot be parsed, clang reports: ")
    r = run("check", "--experimental", str(src), str(tmp_path / "ok.c"), "--root", str(tmp_path))
    assert r.exit_code == 0
    assert "prose.c: error: cannot be parsed" in r.stdout


@pytest.mark.parametrize(
    "text, where",
    [
        ("int f(int a)\n{\n\tif (a) {\n\t\treturn 1;\n\treturn 0;\n", "inside"),
        ("int f(int a)\n{\n\treturn a;\n}\n}\n}\n", "outside"),
        ("int f(int a)\n{\n\treturn a;\n\n" + GOOD, "inside"),
    ],
    ids=["missing_close", "extra_close", "swallows_next_function"],
)
def test_unbalanced_braces(tmp_path: Path, text: str, where: str) -> None:
    src = tmp_path / "braces.c"
    src.write_text(text)
    status, ns = notices(src)
    assert status == 0 and len(ns) == 1
    if where == "inside":
        assert ns[0]["function"] == "f" and "clang reports errors inside it" in ns[0]["message"]
    else:
        assert ns[0]["message"].startswith("clang reports errors outside any function: ")
        assert "extraneous closing brace" in ns[0]["message"]


# ---- size and depth -------------------------------------------------------------


def test_50000_line_function(tmp_path: Path) -> None:
    body = "".join(f"\tg({i});\n" if i % 10 == 0 else f"\tx{i % 8} = x{(i + 1) % 8} + {i};\n"
                   for i in range(50000))
    decls = "".join(f"\tint x{i} = 0;\n" for i in range(8))
    src = tmp_path / "long.c"
    src.write_text(f"int g(int);\nint big(void)\n{{\n{decls}{body}\treturn x0;\n}}\n" + GOOD)
    status, ns = notices(src)
    assert (status, ns) == (0, [])


def test_50000_line_function_over_the_block_budget_is_reported(tmp_path: Path) -> None:
    body = "".join(f"\tif (g({i}))\n\t\treturn -{i % 100 + 1};\n" for i in range(10000))
    src = with_finding(tmp_path, f"int g(int);\nint big(void)\n{{\n{body}\treturn 0;\n}}\n")
    r = run("check", "--experimental",
            str(src), f"--clang-arg=-I{INCLUDE}", "--root", str(tmp_path))
    assert r.exit_code == 1  # the other function's finding is still there
    assert "[KU001]" in r.stdout
    assert "note: function big not fully analysed: too large: more than 20000 basic blocks" \
        in r.stdout
    assert "(1 not fully analysed)" in r.stderr


@pytest.mark.parametrize("option, reason", [
    ("--max-blocks=300", "too large: more than 300 basic blocks"),
    ("--max-states=100", "more than 100 path states"),
])
def test_budgets_are_reported_in_text_and_sarif(tmp_path: Path, option: str, reason: str
                                                ) -> None:
    if "states" in option:  # 20 values of n, one after the other
        body = "".join(f"\tif (g({i}))\n\t\tn = -{i + 1};\n" for i in range(20))
    else:  # some 600 blocks
        body = "".join(f"\tif (g({i}))\n\t\treturn -{i + 1};\n" for i in range(200))
    src = with_finding(tmp_path, f"int g(int);\nint big(int n)\n{{\n{body}\treturn n;\n}}\n")
    common = [str(src), f"--clang-arg=-I{INCLUDE}", "--root", str(tmp_path), "--no-cache",
              option]
    r = run("check", "--experimental", *common)
    assert r.exit_code == 1 and "[KU001]" in r.stdout  # the other functions are analysed
    assert f"note: function big not fully analysed: {reason}" in r.stdout
    assert "(1 not fully analysed)" in r.stderr
    r = run("check", "--experimental", *common, "--format", "sarif")
    run_ = json.loads(r.stdout)["runs"][0]
    assert [x["ruleId"] for x in run_["results"]] == ["KU001"]
    notes = [n["message"]["text"] for n in run_["invocations"][0]["toolExecutionNotifications"]]
    assert notes == [f"function big not fully analysed: {reason}"]


def test_10000_labels(tmp_path: Path) -> None:
    gotos = "".join(f"\tif (g({i}))\n\t\tgoto l{i};\n" for i in range(0, 10000, 50))
    labels = "".join(f"l{i}:\n\ta += {i};\n" for i in range(10000))
    src = tmp_path / "labels.c"
    src.write_text(f"int g(int);\nint f(int a)\n{{\n{gotos}{labels}\treturn a;\n}}\n")
    status, ns = notices(src)
    assert status == 0
    assert [(n["function"], n["message"]) for n in ns] == [
        ("f", "f() not fully analysed: more than 20000 path states")]
    status, ns = notices(src, "--max-states", "5000000", "--no-cache")
    assert (status, ns) == (0, [])  # it is only the budget


def deep_cases() -> dict[str, str]:
    macros = "#define W0(x) g(x)\n" + "".join(f"#define W{i}(x) g(W{i - 1}(x))\n"
                                              for i in range(1, 200))
    return {
        "binary_chain": "int deep(int a)\n{\n\treturn " + " + ".join(["a"] * 5000) + ";\n}\n",
        "nested_macros": macros + "int deep(int a)\n{\n\treturn W199(a);\n}\n",
        "else_if_chain": "int deep(int a)\n{\n" + "".join(
            f"\tif (a == {i}) return g({i}); else\n" for i in range(2000)) + "\treturn 0;\n}\n",
        "nested_ifs": "int deep(int a)\n{\n" + "if (g(a)) {" * 240 + "a++;" + "}" * 240
                      + "\nreturn a;\n}\n",
        "condition_chain": "int deep(int a)\n{\n\tif (" + " && ".join(
            f"g({i})" for i in range(3000)) + ")\n\t\treturn 1;\n\treturn 0;\n}\n",
    }


@pytest.mark.parametrize("case", sorted(deep_cases()))
def test_deep_nesting_is_not_fully_analysed_never_a_crash(tmp_path: Path, case: str) -> None:
    src = with_finding(tmp_path, "int g(int);\n" + deep_cases()[case])
    proc = run_process("check", "--experimental",
                       str(src), f"--clang-arg=-I{INCLUDE}", "--format", "json",
                       "--root", str(tmp_path))
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert [f["rule_id"] for f in doc["findings"]] == ["KU001"]
    (n,) = doc["notices"]
    assert n["function"] == "deep"
    assert "nested too deeply" in n["message"] or "bracket nesting level" in n["message"]


def test_brackets_nested_past_clang_limit(tmp_path: Path) -> None:
    src = tmp_path / "parens.c"
    src.write_text("int g(int);\nint f(int a)\n{\n\treturn " + "(" * 600 + "a" + ")" * 600
                   + ";\n}\n" + GOOD)
    proc = run_process("check", "--experimental",
                       str(src), "--format", "json", "--root", str(tmp_path))
    assert proc.returncode == 0
    (n,) = json.loads(proc.stdout)["notices"]
    assert n["function"] == "f" and "bracket nesting level exceeded" in n["message"]


# ---- jumps the CFG must survive ---------------------------------------------------

JUMPS = {
    "goto_into_loop": """
int g(int);
int f(int n)
{
	int i = 0;
	if (n)
		goto inside;
	for (i = 0; i < n; i++) {
inside:
		if (g(i))
			return -1;
	}
	return 0;
}
""",
    "computed_goto": """
int g(int);
int f(int n)
{
	static void *tbl[] = { &&one, &&two };
	goto *tbl[n & 1];
one:
	g(1);
	return 0;
two:
	return -1;
}
""",
    "asm_goto": """
int g(int);
int f(int n)
{
	asm goto("jmp %l0" : : : : fail);
	return 0;
fail:
	g(n);
	return -1;
}
""",
    "goto_undefined_label": "int f(int n)\n{\n\tif (n)\n\t\tgoto nowhere;\n\treturn 0;\n}\n",
}


@pytest.mark.parametrize("case", sorted(JUMPS))
def test_unusual_jumps(tmp_path: Path, case: str) -> None:
    src = tmp_path / f"{case}.c"
    src.write_text(JUMPS[case] + GOOD)
    status, ns = notices(src)
    if case == "goto_undefined_label":
        assert status == 0
        assert [n["function"] for n in ns] == ["f"]
        assert "use of undeclared label" in ns[0]["message"]
    else:
        assert (status, ns) == (0, [])


def test_asm_goto_and_computed_goto_edges() -> None:
    from cfgutil import cfg_of

    from kunwind.model.dump import format_cfg

    text = format_cfg(cfg_of(JUMPS["asm_goto"], "f"))
    assert "fail:" in text and "goto->" in text
    text = format_cfg(cfg_of(JUMPS["computed_goto"], "f"))
    assert text.count("goto->") == 2  # goto *p may reach either label


# ---- flags: compile databases, kernel trees, libclang ----------------------------------


def test_malformed_compile_database(tmp_path: Path) -> None:
    (tmp_path / "ok.c").write_text(GOOD)
    db = tmp_path / "compile_commands.json"
    for text, needle in [("[{", "malformed JSON"), ('{"a": 1}', "expected a JSON list"),
                         ('[{"file": "ok.c"}]', "directory"), ("", "malformed JSON")]:
        db.write_text(text)
        r = run("check", "--experimental", "-p", str(tmp_path), str(tmp_path / "ok.c"))
        assert r.exit_code == 2, text
        assert needle in r.stderr and str(db) in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1


def test_compile_database_naming_missing_files(tmp_path: Path) -> None:
    (tmp_path / "ok.c").write_text(GOOD)
    (tmp_path / "hdr.c").write_text(GOOD)
    entries = [
        {"directory": str(tmp_path), "file": "gone.c", "arguments": ["cc", "-c", "gone.c"]},
        {"directory": str(tmp_path), "file": "hdr.c",
         "arguments": ["cc", "-include", "missing.h", "-c", "hdr.c"]},
    ]
    (tmp_path / "compile_commands.json").write_text(json.dumps(entries))
    r = run("check", "--experimental",
            "-p", str(tmp_path), str(tmp_path / "ok.c"), str(tmp_path / "hdr.c"),
            "--format", "json", "--root", str(tmp_path), "-q")
    assert r.exit_code == 0
    got = {(n["file"], n["level"]): n["message"] for n in json.loads(r.stdout)["notices"]}
    assert "not in" in got[("ok.c", "note")]  # analysed with synthesised flags
    assert got[("hdr.c", "warning")] == ("clang reports errors outside any function: "
                                         f"'{tmp_path / 'missing.h'}' file not found")


def test_kernel_tree_that_cannot_be_set_up(tmp_path: Path) -> None:
    """Markers of a kernel tree, no .config, no defconfig, no kernel/bounds.c."""
    root = tmp_path / "linux"
    for name in ("Kbuild", "Makefile", "Kconfig", "include/linux/kernel.h"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("")
    (root / "arch/x86").mkdir(parents=True)
    (root / "mm").mkdir()
    (root / "mm/a.c").write_text(GOOD)
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    proc = run_process("check", "--experimental", "mm/a.c", "--format", "json", env=env, cwd=root)
    assert proc.returncode == 2
    (n,) = json.loads(proc.stdout)["notices"]
    assert n["file"] == "mm/a.c"
    assert n["message"].startswith("cannot choose clang flags: ")
    assert "internal error" not in n["message"]
    (root / ".config").write_text("CONFIG_X86_64=y\n")  # a config, but no kernel/bounds.c
    proc = run_process("check", "--experimental", "mm/a.c", "--format", "json", env=env, cwd=root)
    assert proc.returncode == 2
    (n,) = json.loads(proc.stdout)["notices"]
    assert n["message"].startswith("cannot choose clang flags: ")
    assert "bounds.c" in n["message"]


@pytest.mark.parametrize("library", ["/nonexistent/libclang.so", "not_a_library"])
def test_libclang_missing_or_unloadable(tmp_path: Path, library: str) -> None:
    if library == "not_a_library":
        library = str(tmp_path / "libclang.so")
        Path(library).write_text("not an ELF file\n")
    (tmp_path / "ok.c").write_text(GOOD)
    for cmd in (["check", "--experimental", "ok.c"], ["cfg", "ok.c", "ok"]):
        proc = run_process(*cmd, env={"KUNWIND_LIBCLANG": library}, cwd=tmp_path)
        assert proc.returncode == 2
        (line,) = proc.stderr.strip().splitlines()
        assert line.startswith("kunwind: error: ") and "libclang could not be loaded" in line
        assert library in line


# ---- the kernel configuration -------------------------------------------------


@pytest.mark.parametrize("case", ["empty", "missing", "headers only"])
def test_a_build_dir_that_is_not_a_kernel_build_directory(tmp_path: Path, case: str) -> None:
    """No .config and no include/config/auto.conf: a usage error in one line, not a
    run that quietly uses some other configuration."""
    build = tmp_path / "build"
    if case != "missing":
        build.mkdir()
    if case == "headers only":
        (build / "include/generated").mkdir(parents=True)
    src = tmp_path / "a.c"
    src.write_text(GOOD)
    r = run("check", "--experimental", "--build-dir", str(build), str(src))
    assert r.exit_code == 2
    (line,) = r.stderr.splitlines()
    assert line.startswith(f"kunwind: error: {build}: ")
    assert ("no such build directory" if case == "missing"
            else "not a kernel build directory") in line


@pytest.mark.parametrize("args, words", [
    (["--config", "nosuch.config"], "nosuch.config: no such configuration file"),
    (["--config", "my.config", "--defconfig", "allmodconfig"],
     "--config and --defconfig both choose the kernel configuration"),
    (["--defconfig", "allmodconfig", "--build-dir", "build"],
     "--defconfig and --build-dir both choose the kernel configuration"),
    (["--defconfig", "../my.config"], "--defconfig '../my.config': give the name of a file"),
])
def test_configuration_options_that_cannot_be_used(tmp_path: Path, monkeypatch, args: list[str],
                                                   words: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my.config").write_text("CONFIG_X86_64=y\n")
    (tmp_path / "build").mkdir()
    (tmp_path / "build/.config").write_text("CONFIG_X86_64=y\n")
    (tmp_path / "a.c").write_text(GOOD)
    r = run("check", "--experimental", *args, "a.c")
    assert r.exit_code == 2
    (line,) = r.stderr.splitlines()
    assert words in line, line


def test_an_unknown_arch_is_a_usage_error_not_a_failure_per_file(tmp_path: Path) -> None:
    src = tmp_path / "a.c"
    src.write_text(GOOD)
    r = run("check", "--experimental", "--arch", "nosuch", str(src))
    assert r.exit_code == 2
    (line,) = r.stderr.splitlines()
    assert line == "kunwind: error: --arch nosuch: unsupported architecture (known: x86, arm64)"
