"""Which makefile's flags an object gets, read from the text when the configuration
does not build it (kunwind/kernel/kbuild.py)."""

from __future__ import annotations

from pathlib import Path

from kunwind.kernel.kbuild import KbuildTree


def _tree(tmp_path: Path) -> Path:
    files = {
        "Makefile": "obj-y += fs/ drivers/\n",
        "fs/Makefile": "obj-$(CONFIG_FOO) += foo/\n",
        "fs/foo/Makefile": (
            "ccflags-y += -I $(src) -I $(src)/lib\n"
            "foo-y := super.o\n"
            "foo-$(CONFIG_FOO_SCRUB) += $(addprefix scrub/, \\\n\t common.o \\\n\t repair.o)\n"
            "obj-$(CONFIG_FOO) += foo.o\n"),
        "drivers/Makefile": "obj-y += gpu/\n",
        "drivers/gpu/Makefile": "obj-$(CONFIG_GPU) += nv/\n",
        "drivers/gpu/nv/Kbuild": (
            "ccflags-y += -I $(src)/include\n"
            "include $(src)/core/engine/Kbuild\n"
            "obj-$(CONFIG_GPU) += nv.o\n"),
        "drivers/gpu/nv/core/engine/Kbuild": "nv-y += core/engine/gr.o\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    for c in ("fs/foo/scrub/common.c", "drivers/gpu/nv/core/engine/gr.c", "fs/foo/other.c"):
        (tmp_path / c).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / c).write_text("int x;\n")
    return tmp_path


def test_unbuilt_objects_get_the_flags_of_the_makefile_that_names_them(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    kb = KbuildTree(root, {}, "x86", root)
    scrub = kb.status(root / "fs/foo/scrub/common.c")
    assert scrub.built == "" and scrub.directory == root / "fs/foo"
    assert scrub.stem == "scrub/common"
    assert kb.cflags(scrub) == ["-I", str(root / "fs/foo"), "-I", str(root / "fs/foo/lib")]
    gr = kb.status(root / "drivers/gpu/nv/core/engine/gr.c")
    assert gr.directory == root / "drivers/gpu/nv" and gr.stem == "core/engine/gr"
    assert kb.cflags(gr) == ["-I", str(root / "drivers/gpu/nv/include")]
    other = kb.status(root / "fs/foo/other.c")  # named nowhere: its own directory
    assert other.directory == root / "fs/foo" and other.stem == "other"


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def _gpu_tree(tmp_path: Path) -> Path:
    """A driver whose Makefile takes a sibling directory's files and -I paths from an
    included makefile, by paths that leave its own directory (amdgpu's display)."""
    return _write(tmp_path, {
        "Makefile": "obj-y += drivers/\n",
        "drivers/Makefile": "obj-y += gpu/\n",
        "drivers/gpu/Makefile": "obj-$(CONFIG_GPU) += gx/core/\n",
        "drivers/gpu/gx/core/Makefile": (
            "GX_PATH = $(src)/..\n"
            "ccflags-y := -I$(GX_PATH)/include\n"
            "gx-y := main.o\n"
            "ifneq ($(CONFIG_GPU_DISPLAY),)\n"
            "RELATIVE_DISPLAY = ../display\n"
            "include $(GX_PATH)/display/Makefile\n"
            "gx-y += $(DISPLAY_FILES)\n"
            "endif\n"
            "obj-$(CONFIG_GPU) += gx.o\n"),
        "drivers/gpu/gx/display/Makefile": (
            "subdir-ccflags-y += -I$(GX_PATH)/display/inc\n"
            "DISPLAY = dc/link.o\n"
            "DISPLAY_FILES = $(addprefix $(RELATIVE_DISPLAY)/,$(DISPLAY))\n"),
        "drivers/gpu/gx/core/main.c": "int x;\n",
        "drivers/gpu/gx/display/dc/link.c": "int x;\n",
    })


def test_an_included_makefile_lists_a_sibling_directorys_files(tmp_path: Path) -> None:
    root = _gpu_tree(tmp_path)
    config = {"CONFIG_GPU": "m", "CONFIG_GPU_DISPLAY": "y"}
    kb = KbuildTree(root, config, "x86", root)
    link = kb.status(root / "drivers/gpu/gx/display/dc/link.c")
    core = root / "drivers/gpu/gx/core"
    assert (link.built, link.modname, link.directory) == ("m", "gx", core)
    assert link.stem == "../display/dc/link"
    flags = kb.cflags(link)  # the included makefile's -I paths, $(src) the including one's
    assert f"-I{core}/../display/inc" in flags and f"-I{core}/../include" in flags
    # the option that guards the include off: not built, as the configuration says
    off = KbuildTree(root, {"CONFIG_GPU": "m"}, "x86", root)
    assert off.status(root / "drivers/gpu/gx/display/dc/link.c").built == ""


def test_host_user_and_bpf_programs_are_recognised(tmp_path: Path) -> None:
    root = _write(tmp_path, {
        "Makefile": "obj-y += lib/ samples/\n",
        "lib/Makefile": "hostprogs := gen_table\nobj-y += table.o\n",
        "samples/Makefile": "subdir-y += demo\n",
        "samples/demo/Makefile": (
            "userprogs-always-y += watcher\n"
            "tprogs-y := probe\nprobe-objs := probe_user.o\n"
            "always-y := $(tprogs-y)\nalways-y += probe_kern.o\n"
            "obj-m += demo_mod.o\n"),
    })
    kb = KbuildTree(root, {}, "x86", root)

    def program(name: str) -> str:
        return kb.status(root / name).program

    assert program("lib/gen_table.c").startswith("a program for the build machine "
                                                 "(hostprogs in lib/Makefile)")
    assert program("samples/demo/watcher.c").startswith("a user-space program")
    assert program("samples/demo/probe_user.c").startswith("a program built by its dir")
    assert "BPF program" in program("samples/demo/probe_kern.c")
    # kernel objects of the same makefiles, and files named nowhere, are kernel code
    assert program("lib/table.c") == "" and kb.status(root / "lib/table.c").built == "y"
    assert program("samples/demo/demo_mod.c") == ""
    assert program("samples/demo/probe.c") == ""  # the program is made of probe_user.o
    assert program("lib/other.c") == ""


def test_the_options_of_the_lists_that_build_a_file(tmp_path: Path) -> None:
    """A file neither configuration builds is parsed with these turned on (tree.setup_for):
    its object's list, its composite object's, and its directories'."""
    files = {
        "Makefile": "obj-y += drivers/\n",
        "drivers/Makefile": "obj-$(CONFIG_NET_VENDOR_QUX) += qux/\n",
        "drivers/qux/Makefile": ("qux-nuss-y := nuss.o\n"
                                 "qux-nuss-$(CONFIG_QUX_QOS) += qos.o\n"
                                 "obj-$(CONFIG_QUX_NUSS) += qux-nuss.o\n"
                                 "obj-$(CONFIG_QUX_CPTS) += cpts.o\n"
                                 "ifdef CONFIG_QUX_DEBUG\nobj-y += debug.o\nendif\n"),
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    kb = KbuildTree(tmp_path, {}, "x86", tmp_path)
    qux = tmp_path / "drivers/qux"
    assert kb.options_of(qux / "cpts.c") == ["CONFIG_QUX_CPTS", "CONFIG_NET_VENDOR_QUX"]
    assert kb.options_of(qux / "qos.c") == ["CONFIG_QUX_QOS", "CONFIG_QUX_NUSS",
                                            "CONFIG_NET_VENDOR_QUX"]
    assert kb.options_of(qux / "debug.c") == ["CONFIG_NET_VENDOR_QUX"]  # ifdef: not read
