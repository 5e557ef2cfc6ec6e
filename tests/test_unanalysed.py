"""Never silent: a function kunwind could not analyse is named, with why (issue 13, item 3).

An edit inside code that the configuration leaves out (``#ifdef CONFIG_...``)
used to pass with "no findings". Now ``check FILE`` and ``--diff``/``--staged``
name the function and the option, ``--fail-unanalysed`` makes it a failure
(exit status 3), and a directory audit says in one summary line how many
files the configuration does not build.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from toytree import FOO, foo_c, git, init_repo, line_of, make_tree, write

from kunwind.cli import main
from kunwind.frontend.skipped import reason, skipped_code

# kfree() is declared by the toy driver; the helper below sits under an option
# that the toy tree's configuration does not set.
WRITEBACK = """
#ifdef CONFIG_FOO_WRITEBACK
static int foo_wb_create(struct foo_engine *engine)
{
\tstruct foo_key *k = kzalloc(sizeof(*k), 0);

\tif (!k)
\t\treturn -ENOMEM;
\tkfree(k);
\treturn 0;
}
#endif
"""


def run(repo: Path, monkeypatch: pytest.MonkeyPatch, *args: str):
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output, result.output
    return result


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return init_repo(make_tree(tmp_path / "linux", foo_c(extra=WRITEBACK)))


def test_reasons_in_the_source_s_words() -> None:
    assert reason("#ifdef CONFIG_CGROUP_WRITEBACK") == \
        "CONFIG_CGROUP_WRITEBACK is off in the configuration used"
    assert reason("#if IS_ENABLED(CONFIG_FOO)") == "CONFIG_FOO is off in the configuration used"
    assert reason("#ifndef CONFIG_FOO /* why */") == "CONFIG_FOO is on in the configuration used"
    assert reason("#else", "#ifdef CONFIG_DEBUG_FS") == \
        "CONFIG_DEBUG_FS is on in the configuration used"
    assert reason("#if 0") == "'#if 0' is false in the configuration used"


def test_the_functions_of_a_skipped_range_are_found() -> None:
    text = "a\n#ifdef CONFIG_X\nstatic int\nfoo_make(int a)\n{\n}\nint bar(void) {\n}\n" \
           "DEFINE_FOO(baz) {\n}\nint proto(int);\n#endif\n"
    (code,) = skipped_code(text, [(2, 12)])
    assert code.functions == (("foo_make", 4), ("bar", 7))


def test_check_by_name_names_the_function_an_if_left_out(repo, monkeypatch) -> None:
    r = run(repo, monkeypatch, "check", "--experimental", FOO)
    line = line_of(foo_c(extra=WRITEBACK), "static int foo_wb_create(")
    note = (f"{FOO}:{line}: note: foo_wb_create() not analysed: CONFIG_FOO_WRITEBACK is off "
            "in the configuration used")
    assert note in r.stdout.splitlines(), r.output
    assert r.exit_code == 0
    assert run(repo, monkeypatch, "check", "--experimental",
               "--fail-unanalysed", FOO).exit_code == 3


def test_a_directory_audit_counts_them_in_one_line(repo, monkeypatch) -> None:
    r = run(repo, monkeypatch, "check", "--experimental", "drivers")
    assert "not analysed" not in r.stdout  # a directory: no per-function notes
    assert r.exit_code == 0


def test_diff_names_a_changed_function_that_is_not_analysed(repo, monkeypatch) -> None:
    text = foo_c(extra=WRITEBACK.replace("\tkfree(k);\n", ""))  # the edit removes a kfree()
    write(repo, FOO, text)
    r = run(repo, monkeypatch, "check", "--experimental", "--diff", "HEAD")
    assert "foo_wb_create() not analysed: CONFIG_FOO_WRITEBACK is off in the configuration " \
        "used" in r.stdout, r.output
    assert r.exit_code == 0
    r = run(repo, monkeypatch, "check", "--experimental", "--staged", "--fail-unanalysed")
    assert r.exit_code == 0, r.output  # nothing staged yet
    git(repo, "add", FOO)
    r = run(repo, monkeypatch, "check", "--experimental", "--staged", "--fail-unanalysed")
    assert r.exit_code == 3, r.output


def test_diff_says_nothing_of_untouched_functions_that_are_not_analysed(repo, monkeypatch):
    text = foo_c(extra=WRITEBACK).replace("/* foo: a toy", "/* foo: a small toy")
    write(repo, FOO, text)
    r = run(repo, monkeypatch, "check", "--experimental", "--diff", "HEAD", "--fail-unanalysed")
    assert "not analysed" not in r.output
    assert r.exit_code == 0


def test_files_the_configuration_does_not_build_are_one_summary_line() -> None:
    from kunwind.findings import NOT_BUILT, FileResult, Notice, RunResult
    from kunwind.report.text import summary, write

    why = "not built by the kernel configuration (the x86 defconfig)"
    run = RunResult(root="/tree", files=[
        FileResult(file=f"drivers/foo/{n}.c", notices=[
            Notice(file=f"drivers/foo/{n}.c", message=why, level="note", kind=NOT_BUILT)])
        for n in ("a", "b")])
    assert write(run) == ""  # no note per file
    lines = [ln for ln in summary(run).splitlines() if "not built" in ln]
    assert lines == [f"kunwind: note: 2 files {why}: code behind the options it turns off is "
                     "not analysed (check a file by name to see which functions; --defconfig, "
                     "--config or --build-dir with a configuration that builds them)"]


def test_a_host_program_is_named_as_not_kernel_code(repo, monkeypatch) -> None:
    write(repo, "lib/Makefile", "hostprogs := gen_table\nobj-y += table.o\n")
    write(repo, "lib/gen_table.c", "#include <stdio.h>\nint main(void) { return 0; }\n")
    r = run(repo, monkeypatch, "check", "--experimental", "lib/gen_table.c", FOO)
    assert "1 file analysed, 1 not kernel code" in r.stderr, r.output
    assert ("kunwind: note: lib/gen_table.c: not analysed: a program for the build machine "
            "(hostprogs in lib/Makefile): not kernel code") in r.stderr.splitlines()
    assert "stdio.h" not in r.output  # not parsed with the kernel's flags
    r = run(repo, monkeypatch, "check", "--experimental", "--format", "json", "-q",
            "lib/gen_table.c")
    doc = json.loads(r.stdout)
    assert doc["summary"]["not_kernel_code"] == 1 and doc["summary"]["files_failed"] == 0
    assert [n["kind"] for n in doc["notices"]] == ["program"]


# foo_hw.c is no translation unit: foo.c defines its struct, then includes it.
FOO_MAIN = """#define ENOMEM 12
typedef unsigned long size_t;
struct foo_hw { int *regs; };
void *kzalloc(size_t size, unsigned int flags);
void kfree(const void *p);
int foo_map(struct foo_hw *hw);
#ifdef CONFIG_FOO_HW
#include "foo_hw.c"
#endif
"""
FOO_HW = """int foo_hw_init(struct foo_hw *hw)
{
\tint *regs = kzalloc(sizeof(*regs), 0);
\tif (!regs)
\t\treturn -ENOMEM;
\tif (foo_map(hw))
\t\treturn -ENOMEM;
\thw->regs = regs;
\treturn 0;
}
"""


def test_a_fragment_is_parsed_after_the_code_of_the_file_that_includes_it(
        repo, monkeypatch) -> None:
    write(repo, "drivers/foo/Makefile", "obj-y += foo_main.o foo.o\n")
    write(repo, "drivers/foo/foo_main.c", FOO_MAIN)
    write(repo, "drivers/foo/foo_hw.c", FOO_HW)
    r = run(repo, monkeypatch, "check", "--experimental", "drivers/foo/foo_hw.c")
    assert ("drivers/foo/foo_hw.c: note: not built on its own: foo_main.c #includes it "
            "(line 8); analysed with that file's flags, after its code up to that line, "
            "with CONFIG_FOO_HW turned on (the #if around that line)"
            ) in r.stdout.splitlines(), r.output
    assert "not fully analysed" not in r.output and ": error:" not in r.output
    assert "foo_hw.c:7:3: warning:" in r.stdout and "[KU002]" in r.stdout, r.output  # whole


# foo.c defines what its fragment needs behind the same option as the #include; the
# configuration leaves CONFIG_FOO_HW off, so the fragment is parsed with it turned on.
FOO_GUARDED = """#define ENOMEM 12
typedef unsigned long size_t;
void *kzalloc(size_t size, unsigned int flags);
void kfree(const void *p);
int foo_map(struct foo_hw *hw);
#ifdef CONFIG_FOO_HW
struct foo_hw { int *regs; };
#endif
#if IS_ENABLED(CONFIG_FOO_HW)
#include "foo_hw.c"
#endif
"""
FOO_HW_GOOD = FOO_HW.replace("\tif (foo_map(hw))\n\t\treturn -ENOMEM;\n",
                             "\tif (foo_map(hw)) {\n\t\tkfree(regs);\n\t\treturn -ENOMEM;\n\t}\n")


@pytest.mark.parametrize("fragment, reported", [(FOO_HW, True), (FOO_HW_GOOD, False)])
def test_a_fragment_included_under_an_option_that_is_off_is_parsed_with_it_on(
        repo, monkeypatch, fragment, reported) -> None:
    write(repo, "drivers/foo/Makefile", "obj-y += foo_main.o foo.o\n")
    write(repo, "drivers/foo/foo_main.c", FOO_GUARDED.replace(
        "#if IS_ENABLED(CONFIG_FOO_HW)", "#define IS_ENABLED(x) defined(x)\n"
        "#if IS_ENABLED(CONFIG_FOO_HW)"))
    write(repo, "drivers/foo/foo_hw.c", fragment)
    r = run(repo, monkeypatch, "check", "--experimental", "drivers/foo/foo_hw.c")
    assert ("drivers/foo/foo_hw.c: note: not built on its own: foo_main.c #includes it "
            "(line 11); analysed with that file's flags, after its code up to that line, "
            "with CONFIG_FOO_HW turned on (the #if around that line)"
            ) in r.stdout.splitlines(), r.output
    assert "not fully analysed" not in r.output and ": error:" not in r.output, r.output
    assert ("foo_hw.c:7:3: warning:" in r.stdout and "[KU002]" in r.stdout) == reported, \
        r.output


def test_a_test_file_included_from_the_directory_above_is_parsed_after_its_includer(
        repo, monkeypatch) -> None:
    write(repo, "drivers/foo/Makefile", "obj-y += foo_main.o foo.o\n")
    write(repo, "drivers/foo/foo_main.c", FOO_MAIN.replace('"foo_hw.c"', '"tests/foo_hw.c"')
          .replace("struct foo_hw { int *regs; };\n", "struct foo_hw { int *regs; };\n"
                   "static int foo_ready(struct foo_hw *hw) { return hw->regs != 0; }\n"))
    write(repo, "drivers/foo/tests/foo_hw.c", FOO_HW.replace(
        "\tif (foo_map(hw))", "\tif (!foo_ready(hw) || foo_map(hw))"))
    r = run(repo, monkeypatch, "check", "--experimental", "drivers/foo/tests/foo_hw.c")
    assert ("drivers/foo/tests/foo_hw.c: note: not built on its own: foo_main.c #includes "
            "it (line 9)") in r.stdout, r.output
    assert "not fully analysed" not in r.output and ": error:" not in r.output, r.output
    assert "foo_hw.c:7:3: warning:" in r.stdout and "[KU002]" in r.stdout, r.output


def test_a_fragment_of_a_host_program_is_not_kernel_code(repo, monkeypatch) -> None:
    write(repo, "tools/gen/Makefile", "hostprogs += gen\ngen-objs := gen_32.o gen_64.o\n")
    write(repo, "tools/gen/gen_32.c", "#define BITS 32\n#include \"gen.c\"\n")
    write(repo, "tools/gen/gen_64.c", "#define BITS 64\n#include \"gen.c\"\n")
    write(repo, "tools/gen/gen.c", "#include <stdio.h>\nint gen(void) { return BITS; }\n")
    write(repo, "arch/x86/boot/Makefile", "hostprogs := tools/build\n")
    write(repo, "arch/x86/boot/tools/build.c", "#include <stdio.h>\nint main(void) { return 0; }\n")
    r = run(repo, monkeypatch, "check", "--experimental", "tools/gen/gen.c",
            "arch/x86/boot/tools/build.c")
    assert "0 files analysed, 2 not kernel code" in r.stderr, r.output
    assert ("kunwind: note: tools/gen/gen.c: not analysed: not built on its own: gen_32.c "
            "#includes it (line 2), a program for the build machine (hostprogs in "
            "tools/gen/Makefile): not kernel code") in r.stderr.splitlines(), r.output
    assert ("kunwind: note: arch/x86/boot/tools/build.c: not analysed: a program for the "
            "build machine (hostprogs in arch/x86/boot/Makefile): not kernel code"
            ) in r.stderr.splitlines(), r.output
    assert "stdio.h" not in r.output


def test_a_header_the_build_generates_is_named_as_such(repo, monkeypatch) -> None:
    write(repo, "drivers/foo/Makefile", "ccflags-y += -I $(obj)/generated\nobj-y += foo_gpu.o\n"
          "hdrs := generated/foo_regs.xml.h\n")
    write(repo, "drivers/foo/foo_gpu.c", '#include "foo_regs.xml.h"\n#include "nosuch.h"\n'
          "int foo_gpu_start(void) { return FOO_REG_CTRL; }\n")
    r = run(repo, monkeypatch, "check", "--experimental", "drivers/foo/foo_gpu.c")
    assert ("drivers/foo/foo_gpu.c: warning: 'foo_regs.xml.h' is generated at build time "
            "(drivers/foo/Makefile), it is not in the source tree: code that needs it is not "
            "analysed (--build-dir with a built tree has it)") in r.stdout.splitlines(), r.output
    assert "kunwind: warning: headers not found in 1 file ('nosuch.h'):" in r.stderr, r.output
