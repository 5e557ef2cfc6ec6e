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
