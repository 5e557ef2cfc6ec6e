"""kunwind.kernel: tree detection, synthesised flags, generated headers, on toy and real trees."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from clang import cindex

from kunwind.kernel import tree as kt
from kunwind.kernel.arch import SyscallHeader
from kunwind.kernel.kbuild import evaluate
from kunwind.kernel.kconfig import parse_config
from kunwind.kernel.shim import autoconf_h, syscall_header, timeconst_h

# ---- toy trees -----------------------------------------------------------------


def make_toy_tree(root: Path) -> Path:
    for name in ("Kbuild", "Makefile", "Kconfig"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("")
    (root / "include/linux").mkdir(parents=True)
    (root / "include/linux/kernel.h").write_text("")
    (root / "arch/x86").mkdir(parents=True)
    (root / "mm/sub").mkdir(parents=True)
    (root / "mm/sub/x.c").write_text("int x;\n")
    return root


def test_find_kernel_root_from_a_file_and_a_directory(tmp_path: Path) -> None:
    root = make_toy_tree(tmp_path / "linux")
    assert kt.find_kernel_root(root / "mm/sub/x.c") == root
    assert kt.find_kernel_root(root / "mm/sub") == root
    assert kt.find_kernel_root(root) == root


def test_find_kernel_root_needs_every_marker(tmp_path: Path) -> None:
    root = make_toy_tree(tmp_path / "linux")
    (root / "Kconfig").unlink()
    assert kt.find_kernel_root(root / "mm/sub/x.c") is None
    (tmp_path / "plain").mkdir()
    assert kt.find_kernel_root(tmp_path / "plain") is None


def test_unknown_arch_is_a_clear_error(tmp_path: Path) -> None:
    root = make_toy_tree(tmp_path / "linux")
    with pytest.raises(kt.KernelTreeError, match="unsupported arch 'vax'"):
        kt.tree_setup(root, arch="vax", cache_dir=tmp_path / "cache")


def test_a_tree_is_set_up_once_for_every_file_and_worker(tmp_path: Path, monkeypatch) -> None:
    """The audit's parent sets the tree up; its forked workers and later files reuse it."""
    from kunwind.audit import analyse_files
    from kunwind.config import Options
    from kunwind.kernel.kbuild import BuildStatus

    root = make_toy_tree(tmp_path / "linux")
    for name in ("a", "b", "c"):
        (root / f"mm/sub/{name}.c").write_text(f"int {name}(void) {{ return 0; }}\n")
    log = tmp_path / "setups"

    class Setup:
        config_label = "the toy configuration"
        arch = kt.arch_named("x86")

        def flags_for(self, file: Path) -> kt.TreeFlags:
            return kt.TreeFlags(["-x", "c"], BuildStatus("y", file.stem, file.parent, file.stem))

    def create(*args, **kwargs) -> Setup:
        with open(log, "a") as fh:
            fh.write(f"{os.getpid()}\n")
        setup = Setup()
        setup.root = root  # type: ignore[attr-defined]
        return setup

    kt.forget_setups()
    monkeypatch.setattr(kt.TreeSetup, "create", create)
    files = sorted((root / "mm/sub").glob("*.c"))
    names = [f.relative_to(root).as_posix() for f in files]
    try:
        opts = Options(jobs=2, cache_dir=tmp_path / "c", experimental=True)
        results = analyse_files(files, names, opts, root)
    finally:
        kt.forget_setups()
    assert [r.functions for r in results] == [1, 1, 1, 0]  # x.c defines no function
    assert log.read_text() == f"{os.getpid()}\n"


def test_a_tree_that_cannot_be_set_up_is_tried_once(tmp_path: Path, monkeypatch) -> None:
    root = make_toy_tree(tmp_path / "linux")  # no .config, no defconfig
    calls = []
    real = kt.TreeSetup.create

    def create(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    kt.forget_setups()
    monkeypatch.setattr(kt.TreeSetup, "create", create)
    try:
        for _ in range(2):
            with pytest.raises(kt.KernelTreeError, match="no .config and no"):
                kt.tree_setup(root, cache_dir=tmp_path / "cache")
    finally:
        kt.forget_setups()
    assert len(calls) == 1


# ---- pieces of the shim ------------------------------------------------------


def test_autoconf_from_a_config() -> None:
    config = parse_config(
        "# comment\nCONFIG_A=y\nCONFIG_B=m\n# CONFIG_C is not set\n"
        'CONFIG_D="text"\nCONFIG_E=0x10\nCONFIG_F=64\n'
    )
    text = autoconf_h(config)
    assert "#define CONFIG_A 1\n" in text
    assert "#define CONFIG_B_MODULE 1\n" in text
    assert "CONFIG_C" not in text
    assert '#define CONFIG_D "text"\n' in text
    assert "#define CONFIG_E 0x10\n" in text and "#define CONFIG_F 64\n" in text


def test_timeconst_matches_the_kernel_bc_script_for_hz_1000() -> None:
    text = timeconst_h(1000)
    assert "#define HZ_TO_MSEC_MUL32\tU64_C(0x80000000)" in text
    assert "#define USEC_TO_HZ_MUL32\tU64_C(0x83126E98)" in text
    assert "#define USEC_TO_HZ_ADJ32\tU64_C(0x1FF7CED9168)" in text
    assert "#define USEC_TO_HZ_SHR32\t41" in text


def test_syscall_headers_from_a_table(tmp_path: Path) -> None:
    (tmp_path / "t.tbl").write_text(
        "# comment\n0\tcommon\tread\tsys_read\n1\t64\twrite\tsys_write\n"
        "3\tcommon\tclose\tsys_close\n512\tx32\tioctl\tcompat_sys_ioctl\n"
    )
    nr = syscall_header(tmp_path, SyscallHeader("gen/unistd_64.h", "t.tbl", ("common", "64")))
    text = nr["gen/unistd_64.h"]
    assert "#define __NR_read 0\n#define __NR_write 1\n#define __NR_close 3\n" in text
    assert "#define __NR_syscalls 4\n" in text and "ioctl" not in text
    assert text.startswith("#ifndef _UAPI_ASM_UNISTD_64_H\n")
    table = syscall_header(tmp_path, SyscallHeader("s.h", "t.tbl", ("common", "64"), "table"))
    assert table["s.h"].splitlines() == [
        "__SYSCALL(0, sys_read)", "__SYSCALL(1, sys_write)",
        "__SYSCALL(2, sys_ni_syscall)", "__SYSCALL(3, sys_close)",
    ]


def test_kbuild_makefile_subset() -> None:
    text = (
        "mmu-y := nommu.o\n"
        "mmu-$(CONFIG_MMU) := memory.o \\\n\t rmap.o\n"
        "ifdef CONFIG_SWAP\nobj-y += swap.o\nelse\nobj-y += noswap.o\nendif\n"
        "obj-y := filemap.o $(mmu-y)\n"
        "obj-$(CONFIG_KSM) += ksm.o\n"
        "page-alloc-y := page_alloc.o\n"
        "ccflags-y += -I$(src)/inc $(shell echo -DPWNED)\n"
        "x != echo pwned\n"
    )
    values = evaluate(text, {"src": "/t/mm"}, {"CONFIG_MMU": "y", "CONFIG_KSM": "m"})
    assert values["obj-y"] == "filemap.o memory.o rmap.o"
    assert values["obj-m"] == "ksm.o"
    assert values["ccflags-y"].split() == ["-I/t/mm/inc"]
    assert "x" not in values


# ---- the real tree -------------------------------------------------------------


def anon_vma_fork(tu: cindex.TranslationUnit) -> cindex.Cursor:
    for cursor in tu.cursor.get_children():
        if cursor.spelling == "anon_vma_fork" and cursor.is_definition():
            return cursor
    raise AssertionError("anon_vma_fork() is not in the AST")


def words(cursor: cindex.Cursor) -> list[str]:
    return [t.spelling for t in cursor.get_tokens()]


@pytest.fixture(scope="module")
def rmap_parse(kernel_tree: Path, tmp_path_factory: pytest.TempPathFactory):
    """Parse mm/rmap.c with a fresh cache; record what the tree looked like before."""
    cache = tmp_path_factory.mktemp("kunwind-cache")
    top = {p: p.stat().st_mtime_ns for p in [kernel_tree, *kernel_tree.iterdir()]}
    start = time.time()
    setup = kt.tree_setup(kernel_tree, arch="x86", cache_dir=cache)
    args = setup.flags_for(kernel_tree / "mm/rmap.c").args
    tu = cindex.Index.create().parse(str(kernel_tree / "mm/rmap.c"), args=args)
    return tu, args, cache, top, start


@pytest.mark.kernel
def test_rmap_parses_without_errors(rmap_parse) -> None:
    tu = rmap_parse[0]
    errors = [d for d in tu.diagnostics if d.severity >= cindex.Diagnostic.Error]
    assert errors == [], [f"{d.location}: {d.spelling}" for d in errors[:5]]


@pytest.mark.kernel
def test_anon_vma_fork_keeps_its_error_path(rmap_parse) -> None:
    fn = anon_vma_fork(rmap_parse[0])
    returns = [words(c)[:3] for c in fn.walk_preorder() if c.kind == cindex.CursorKind.RETURN_STMT]
    assert ["return", "-", "ENOMEM"] in returns
    stores = [words(c) for c in fn.walk_preorder() if c.kind == cindex.CursorKind.BINARY_OPERATOR]
    assert ["vma", "->", "anon_vma", "=", "NULL"] in stores


@pytest.mark.kernel
def test_the_shim_lives_in_the_cache_and_the_tree_is_untouched(
    rmap_parse, kernel_tree: Path
) -> None:
    _, args, cache, top, start = rmap_parse
    shims = list(cache.glob("shim-x86-*"))
    assert len(shims) == 1 and (shims[0] / ".complete").is_file()
    assert (shims[0] / "include/generated/autoconf.h").is_file()
    assert (shims[0] / "arch/x86/include/generated/uapi/asm/errno.h").is_file()
    assert f"-I{shims[0]}/include" in args
    assert not [a for a in args if "__CHECKER__" in a]
    for generated in ("include/generated", "include/config", "arch/x86/include/generated"):
        assert not (kernel_tree / generated).exists(), generated
    assert {p: p.stat().st_mtime_ns for p in [kernel_tree, *kernel_tree.iterdir()]} == top
    newer = []
    for dirpath, _dirs, files in os.walk(kernel_tree):
        for name in files:
            if os.lstat(os.path.join(dirpath, name)).st_mtime > start:
                newer.append(os.path.join(dirpath, name))
    assert newer == []


@pytest.mark.kernel
def test_second_setup_reuses_the_shim_on_disk(rmap_parse, kernel_tree: Path) -> None:
    cache = rmap_parse[2]
    kt.forget_setups()
    setup = kt.tree_setup(kernel_tree, "x86", cache_dir=cache)
    assert setup.shim_seconds == 0.0
    assert len(list(cache.glob("shim-x86-*"))) == 1


@pytest.mark.kernel
def test_build_status_follows_the_makefiles(rmap_parse, kernel_tree: Path) -> None:
    setup = kt.tree_setup(kernel_tree, cache_dir=rmap_parse[2])
    assert setup.status(kernel_tree / "mm/rmap.c").built == "y"
    page_alloc = setup.status(kernel_tree / "mm/page_alloc.c")
    assert (page_alloc.built, page_alloc.modname) == ("y", "page-alloc")
    nommu = setup.flags_for(kernel_tree / "mm/nommu.c")
    assert nommu.built == "" and nommu.not_built.startswith(
        "not built by the kernel configuration (the x86 defconfig)")
    assert setup.flags_for(kernel_tree / "mm/rmap.c").not_built == ""


@pytest.mark.kernel
def test_a_prepared_build_dir_is_used_as_is(rmap_parse, kernel_tree: Path, tmp_path: Path) -> None:
    shim = next(rmap_parse[2].glob("shim-x86-*"))  # laid out like an O= build directory
    unused = tmp_path / "cache"
    setup = kt.tree_setup(kernel_tree, "x86", build_dir=shim, cache_dir=unused)
    assert setup.generated == shim and not unused.exists()
    args = setup.flags_for(kernel_tree / "mm/rmap.c").args
    assert f"-I{shim}/include" in args


# ---- choosing the configuration: --config, --defconfig, a .config-only build dir ----

WIREGUARD = "drivers/net/wireguard/device.c"  # a module the x86 defconfig does not build


@pytest.fixture(scope="module")
def config_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An XDG cache shared by the configuration tests: each shim is built once."""
    return tmp_path_factory.mktemp("xdg-configs")


@pytest.mark.kernel
def test_defconfig_and_config_choose_the_configuration(kernel_tree: Path, config_cache: Path,
                                                       tmp_path: Path) -> None:
    cache = config_cache / "kunwind"
    wireguard = kernel_tree / WIREGUARD
    default = kt.tree_setup(kernel_tree, cache_dir=cache)
    assert default.status(wireguard).built == ""
    assert default.config_label == "the x86 defconfig (generated with Kconfiglib)"
    named = kt.tree_setup(kernel_tree, cache_dir=cache, defconfig="x86_64_defconfig")
    assert named.generated == default.generated  # the same configuration, the same shim
    assert named.config_label == default.config_label
    allmod = kt.tree_setup(kernel_tree, cache_dir=cache, defconfig="allmodconfig")
    assert allmod.status(wireguard).built == "m"
    assert allmod.config["CONFIG_WIREGUARD"] == "m"
    assert allmod.config_label == "the x86 allmodconfig (generated with Kconfiglib)"
    assert "not built" not in " ".join(allmod.flags_for(wireguard).args)
    assert "-DMODULE" in allmod.flags_for(wireguard).args
    mine = tmp_path / "my.config"
    mine.write_text((allmod.generated / ".config").read_text())
    given = kt.tree_setup(kernel_tree, cache_dir=cache, config_file=mine)
    assert given.status(wireguard).built == "m"
    assert given.config_label == f"the .config {mine}"
    # a build directory holding only a .config: that configuration, kunwind's headers
    build = tmp_path / "build"
    build.mkdir()
    (build / ".config").write_text(mine.read_text())
    only = kt.tree_setup(kernel_tree, build_dir=build, cache_dir=cache)
    assert only.status(wireguard).built == "m" and only.generated == given.generated
    assert only.config_label == "the build directory's .config"
    assert list(build.iterdir()) == [build / ".config"]  # nothing written there
    with pytest.raises(kt.KernelTreeError, match="no defconfig 'nosuch' in arch/x86/configs"):
        kt.tree_setup(kernel_tree, cache_dir=cache, defconfig="nosuch")


@pytest.mark.kernel
def test_the_summary_names_the_configuration(kernel_tree: Path, config_cache: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from click.testing import CliRunner

    from kunwind.cli import main

    monkeypatch.setenv("XDG_CACHE_HOME", str(config_cache))
    monkeypatch.chdir(kernel_tree)
    r = CliRunner().invoke(main, ["check", "--experimental",
                                  WIREGUARD, "--defconfig", "allmodconfig"])
    assert r.exit_code in (0, 1), r.output
    assert "kunwind: configuration: the x86 allmodconfig (generated with Kconfiglib)\n" in r.stderr
    assert "not built" not in r.stderr
    r = CliRunner().invoke(main, ["check", "--experimental",
                                  WIREGUARD, "mm/rmap.c", "--defconfig", "defconfig",
                                  "--format", "json"])
    assert json.loads(r.stdout)["summary"]["configurations"] == {
        "the x86 defconfig (generated with Kconfiglib)": 2}
    assert "kunwind: configuration: the x86 defconfig (generated with Kconfiglib)\n" in r.stderr
    assert "1 file not built by the kernel configuration (the x86 defconfig):" in r.stderr


@pytest.mark.kernel
def test_with_unbuilt_allmodconfig_a_file_the_defconfig_does_not_build_gets_it(
        kernel_tree: Path, config_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On an unbuilt tree, with --unbuilt allmodconfig (the default) and no configuration
    asked for: the x86 defconfig for the files it builds, the allmodconfig for those it
    does not, and the summary says which. With --unbuilt none, the defconfig for all."""
    import json

    from click.testing import CliRunner

    from kunwind.cli import main

    monkeypatch.setenv("XDG_CACHE_HOME", str(config_cache))
    monkeypatch.chdir(kernel_tree)
    plain = CliRunner().invoke(main, ["check", "--experimental", WIREGUARD, "--format", "json",
                                      "--unbuilt", "none"])
    assert list(json.loads(plain.stdout)["summary"]["configurations"]) == [
        "the x86 defconfig (generated with Kconfiglib)"]
    r = CliRunner().invoke(main, ["check", "--experimental", WIREGUARD, "mm/rmap.c", "mm/nommu.c",
                                  "--format", "json"])
    doc = json.loads(r.stdout)
    assert doc["summary"]["configurations"] == {
        "the x86 defconfig (generated with Kconfiglib)": 2,  # rmap.c, and nommu.c: neither
        "the x86 allmodconfig (generated with Kconfiglib)": 1}
    assert ("kunwind: configurations: the x86 defconfig (generated with Kconfiglib): 2 files; "
            "the x86 allmodconfig (generated with Kconfiglib): 1 file "
            f"({WIREGUARD})\n") in r.stderr
    assert ("1 file not built by the kernel configuration (the x86 defconfig, nor the x86 "
            "allmodconfig):") in r.stderr
    assert not [n for n in doc["notices"] if n["file"] == WIREGUARD]
    # the files the defconfig builds are reported as before
    alone = CliRunner().invoke(main, ["check", "--experimental", "mm/rmap.c", "--format", "json"])
    assert [f["message"] for f in json.loads(alone.stdout)["findings"]] == [
        f["message"] for f in doc["findings"] if f["file"] == "mm/rmap.c"]
    setup, flags = kt.setup_for(kernel_tree / WIREGUARD, cache_dir=config_cache / "kunwind",
                                fallback="allmodconfig")
    assert setup.config_name == "the x86 allmodconfig" and flags.built == "m"
    assert flags.fallback == "allmodconfig"
    # amdgpu's display files: listed, with their -I paths, by the amdgpu Makefile's include
    # of display/Makefile under CONFIG_DRM_AMD_DC, which the defconfig does not set
    dcn = kernel_tree / "drivers/gpu/drm/amd/display/dc/resource/dcn10/dcn10_resource.c"
    setup, flags = kt.setup_for(dcn, cache_dir=config_cache / "kunwind", fallback="allmodconfig")
    assert setup.config_name == "the x86 allmodconfig" and flags.built == "m"
    assert flags.status.modname == "amdgpu" and flags.status.directory.name == "amdgpu"
    assert any(a.endswith("amdgpu/../display/dc/inc/") for a in flags.args)


@pytest.mark.kernel
def test_other_files_are_read_under_the_checked_files_configuration(
        kernel_tree: Path, config_cache: Path) -> None:
    """fs/nfs/pnfs.c needs CONFIG_NFS_V4_1, which the x86 defconfig leaves out: it is
    checked under the allmodconfig. Its callee nfs4_proc_layoutcommit() is defined in
    nfs4proc.c under ``#ifdef CONFIG_NFS_V4_1``, a file the defconfig builds without it:
    read under the checked file's configuration, the definition is there, and its
    summary says it releases its argument (on its error path)."""
    from kunwind.config import Options
    from kunwind.external import external_summaries
    from kunwind.flags import flags_for
    from kunwind.knowledge import load_knowledge

    opts = Options(cache_dir=config_cache / "kunwind", unbuilt="allmodconfig")
    path = kernel_tree / "fs/nfs/pnfs.c"
    flags = flags_for(path, opts)
    assert flags.fallback == "allmodconfig"
    assert flags_for(kernel_tree / "fs/nfs/nfs4proc.c", opts).fallback == ""
    ext = external_summaries(["nfs4_proc_layoutcommit"], path, flags, opts, load_knowledge())
    assert 0 in ext.summaries["nfs4_proc_layoutcommit"].releases


def test_the_if_conditions_around_a_line_and_their_value_under_a_configuration() -> None:
    from kunwind.kernel.guards import enabling, guards, holds, value

    text = ("#ifdef CONFIG_A\n#include \"a.c\"\n#elif IS_BUILTIN(CONFIG_B) && \\\n"
            "    !defined(CONFIG_C) /* why */\n#include \"b.c\"\n#else\n#include \"c.c\"\n"
            "#endif\n#if ELF_BITS == 64\n#include \"d.c\"\n#endif\n")
    a, b, c, d = guards(text, 2), guards(text, 5), guards(text, 7), guards(text, 10)
    assert holds(a, {"CONFIG_A": "y"}) is True and holds(a, {"CONFIG_A": "m"}) is False
    assert holds(b, {"CONFIG_B": "y"}) is True and holds(b, {"CONFIG_B": "m"}) is False
    assert holds(b, {"CONFIG_A": "y", "CONFIG_B": "y"}) is False
    assert holds(c, {}) is True and holds(c, {"CONFIG_B": "y"}) is False
    assert holds(d, {}) is None  # not the configuration's to decide
    assert enabling(b, {"CONFIG_B": "m"}) == {"CONFIG_B": "y"}  # a module made built-in
    assert enabling(b, {"CONFIG_B": "y", "CONFIG_C": "y"}) == {}  # it would need C off
    assert enabling(a, {"CONFIG_A": "y"}) == {} and enabling(d, {}) == {}
    assert value("CONFIG_N > 3 || IS_MODULE(CONFIG_M)", {"CONFIG_N": "5"}) is True


@pytest.mark.kernel
def test_a_fragment_is_parsed_under_a_configuration_that_includes_it(
        kernel_tree: Path, config_cache: Path) -> None:
    """nfs4xdr.c includes nfs42xdr.c under CONFIG_NFS_V4_2, which the x86 defconfig (that
    builds nfs4xdr.c) leaves off: the fragment is read under the allmodconfig, which has
    it. xe_guc_relay.c includes its KUnit test only when the test is built in
    (IS_BUILTIN): the allmodconfig makes it a module, so the option is turned on. A
    fragment of a host program (relocs_32.c includes relocs.c) is not kernel code."""
    from kunwind.config import Options
    from kunwind.flags import flags_for

    opts = Options(cache_dir=config_cache / "kunwind", unbuilt="allmodconfig")
    nfs = flags_for(kernel_tree / "fs/nfs/nfs42xdr.c", opts)
    assert flags_for(kernel_tree / "fs/nfs/nfs4xdr.c", opts).fallback == ""
    assert nfs.fallback == "allmodconfig" and "turned on" not in nfs.notes[0]
    xe = flags_for(kernel_tree / "drivers/gpu/drm/xe/tests/xe_guc_relay_test.c", opts)
    assert xe.notes[0].endswith("with CONFIG_DRM_XE_KUNIT_TEST turned on (the #if around "
                                "that line)"), xe.notes
    relocs = flags_for(kernel_tree / "arch/x86/tools/relocs.c", opts)
    assert relocs.program.startswith("not built on its own: relocs_32.c #includes it")


@pytest.mark.kernel
def test_a_file_no_configuration_builds_is_parsed_with_its_makefile_options_on(
        kernel_tree: Path, config_cache: Path) -> None:
    """drivers/soc/tegra/flowctrl.c (obj-$(CONFIG_SOC_TEGRA_FLOWCTRL)) defines the
    functions that <soc/tegra/flowctrl.h> stubs as static inlines when that option is
    off: with it off, they were redefinitions, not analysed. Parsed with the options of
    the makefile lines that build it turned on, the file is analysed whole, and the node
    that tegra_flowctrl_init() leaves held on its error path is reported."""
    import json

    from click.testing import CliRunner

    from kunwind.cli import main

    setup, flags = kt.setup_for(kernel_tree / "drivers/soc/tegra/flowctrl.c",
                                cache_dir=config_cache / "kunwind", fallback="allmodconfig")
    header = Path(flags.args[flags.args.index("-include", len(flags.args) - 2) + 1])
    assert "#define CONFIG_SOC_TEGRA_FLOWCTRL 1" in header.read_text()
    r = CliRunner().invoke(main, ["check", "--experimental", "--no-cache", "--format", "json",
                                  str(kernel_tree / "drivers/soc/tegra/flowctrl.c")])
    doc = json.loads(r.stdout)
    assert doc["summary"]["functions_incomplete"] == 0, doc["notices"]
    assert [f["function"] for f in doc["findings"]] == ["tegra_flowctrl_init"]


@pytest.mark.kernel
def test_a_file_including_a_shipped_copy_finds_it_in_the_cache(
        kernel_tree: Path, config_cache: Path) -> None:
    """aic79xx_core.c includes "aic79xx_reg.h", which Kbuild copies from
    aic79xx_reg.h_shipped into the object directory. Without the copy, most of the file
    was not analysed. The copy is a link in the cache on the file's -I path; the tree
    gets no new file."""
    import json

    from click.testing import CliRunner

    from kunwind.cli import main

    src = kernel_tree / "drivers/scsi/aic7xxx"
    assert not (src / "aic79xx_reg.h").exists()
    setup, flags = kt.setup_for(src / "aic79xx_core.c", cache_dir=config_cache / "kunwind",
                                fallback="allmodconfig")
    linked = [Path(a[2:]) for a in flags.args if a.startswith("-I") and "shipped" in a]
    assert len(linked) == 1 and (linked[0] / "aic79xx_reg.h").resolve() == \
        (src / "aic79xx_reg.h_shipped").resolve()
    assert not (src / "aic79xx_reg.h").exists()
    env = {"XDG_CACHE_HOME": str(config_cache)}
    r = CliRunner(env=env).invoke(main, ["check", "--experimental", "--no-cache", "--format",
                                         "json", str(kernel_tree / "drivers/scsi/53c700.c")])
    doc = json.loads(r.stdout)
    assert doc["summary"]["functions_incomplete"] == 0, doc["notices"]
