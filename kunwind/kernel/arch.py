"""What differs per architecture: clang target, defconfig, Kbuild's arch flags, syscall headers.

``ARCHES`` maps a kernel SRCARCH to an ``Arch``; x86 means x86_64. The flags
follow the arch Makefile of Linux 6.12 for a clang build, keeping those that
can change what the preprocessor and the parser see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

Config = dict[str, str]


class KernelTreeError(Exception):
    """The tree, the architecture or the configuration cannot be used."""


@dataclass(frozen=True)
class SyscallHeader:
    """One header generated from a syscall table (scripts/syscallhdr.sh or syscalltbl.sh)."""

    out: str  # relative to the generated tree, e.g. arch/x86/include/generated/asm/x.h
    table: str  # relative to the kernel root
    abis: tuple[str, ...]
    kind: str = "nr"  # "nr": #define __NR_*; "table": __SYSCALL(nr, entry) lines
    prefix: str = ""
    offset: str = ""


@dataclass(frozen=True)
class Arch:
    srcarch: str
    target: str  # clang --target triple
    defconfig: str  # relative to the kernel root
    uts_machine: str
    flags: Callable[[Config], list[str]]
    syscall_headers: tuple[SyscallHeader, ...] = field(default_factory=tuple)


def _on(config: Config, name: str) -> bool:
    return config.get(f"CONFIG_{name}") == "y"


def _x86_flags(config: Config) -> list[str]:
    flags = ["-mno-sse", "-mno-mmx", "-mno-sse2", "-mno-3dnow", "-mno-avx"]
    if _on(config, "X86_KERNEL_IBT"):
        flags += ["-fcf-protection=branch", "-fno-jump-tables"]
    else:
        flags += ["-fcf-protection=none"]
    flags += ["-m64", "-falign-loops=1", "-mno-80387", "-mno-fp-ret-in-387"]
    flags += ["-mstack-alignment=8", "-mskip-rax-setup"]
    for cpu, march in (("MK8", "k8"), ("MPSC", "nocona"), ("MCORE2", "core2"), ("MATOM", "atom")):
        if _on(config, cpu):
            flags.append(f"-march={march}")
    if _on(config, "GENERIC_CPU"):
        flags.append("-mtune=generic")
    flags += ["-mno-red-zone", "-mcmodel=kernel", "-fno-asynchronous-unwind-tables"]
    if _on(config, "MITIGATION_RETPOLINE"):
        flags += ["-mretpoline-external-thunk", "-mindirect-branch-cs-prefix"]
        if _on(config, "MITIGATION_RETHUNK"):
            flags.append("-mfunction-return=thunk-extern")
    if _on(config, "MITIGATION_SLS"):
        flags.append("-mharden-sls=all")
    if _on(config, "CALL_PADDING"):
        n = config.get("CONFIG_FUNCTION_PADDING_BYTES", "16")
        flags.append(f"-fpatchable-function-entry={n},{n}")
    return flags


def _arm64_flags(config: Config) -> list[str]:
    flags = ["-mgeneral-regs-only", "-fno-asynchronous-unwind-tables", "-fno-unwind-tables"]
    flags.append("-mbig-endian" if _on(config, "CPU_BIG_ENDIAN") else "-mlittle-endian")
    if _on(config, "SHADOW_CALL_STACK"):
        flags.append("-ffixed-x18")
    return flags


_X86_64 = "arch/x86/entry/syscalls/syscall_64.tbl"
_X86_32 = "arch/x86/entry/syscalls/syscall_32.tbl"
_X86_GEN = "arch/x86/include/generated"

ARCHES: dict[str, Arch] = {
    "x86": Arch(
        srcarch="x86",
        target="x86_64-linux-gnu",
        defconfig="arch/x86/configs/x86_64_defconfig",
        uts_machine="x86_64",
        flags=_x86_flags,
        syscall_headers=(
            SyscallHeader(f"{_X86_GEN}/uapi/asm/unistd_32.h", _X86_32, ("i386",)),
            SyscallHeader(f"{_X86_GEN}/uapi/asm/unistd_64.h", _X86_64, ("common", "64")),
            SyscallHeader(
                f"{_X86_GEN}/uapi/asm/unistd_x32.h",
                _X86_64,
                ("common", "x32"),
                offset="__X32_SYSCALL_BIT",
            ),
            SyscallHeader(f"{_X86_GEN}/asm/unistd_32_ia32.h", _X86_32, ("i386",), prefix="ia32_"),
            SyscallHeader(f"{_X86_GEN}/asm/unistd_64_x32.h", _X86_64, ("x32",), prefix="x32_"),
            SyscallHeader(f"{_X86_GEN}/asm/syscalls_32.h", _X86_32, ("i386",), kind="table"),
            SyscallHeader(f"{_X86_GEN}/asm/syscalls_64.h", _X86_64, ("common", "64"), "table"),
            SyscallHeader(f"{_X86_GEN}/asm/syscalls_x32.h", _X86_64, ("common", "x32"), "table"),
        ),
    ),
    "arm64": Arch(
        srcarch="arm64",
        target="aarch64-linux-gnu",
        defconfig="arch/arm64/configs/defconfig",
        uts_machine="aarch64",
        flags=_arm64_flags,
    ),
}


def arch_named(name: str) -> Arch:
    """The ``Arch`` of a kernel SRCARCH name; ``KernelTreeError`` for an unknown one."""
    try:
        return ARCHES[name]
    except KeyError:
        raise KernelTreeError(f"unsupported arch {name!r} (known: {', '.join(ARCHES)})") from None


def common_flags(config: Config) -> list[str]:
    """The arch-independent KBUILD_CFLAGS of the top Makefile (clang build)."""
    flags = ["-std=gnu11", "-fshort-wchar", "-funsigned-char", "-fno-common", "-fno-PIE"]
    flags += ["-fno-strict-aliasing", "-fno-delete-null-pointer-checks"]
    if _on(config, "CC_OPTIMIZE_FOR_SIZE"):
        flags.append("-Os")
    else:
        flags.append("-O2")
    if _on(config, "STACKPROTECTOR_STRONG"):
        flags.append("-fstack-protector-strong")
    elif _on(config, "STACKPROTECTOR"):
        flags.append("-fstack-protector")
    else:
        flags.append("-fno-stack-protector")
    if _on(config, "FRAME_POINTER"):
        flags += ["-fno-omit-frame-pointer", "-fno-optimize-sibling-calls"]
    elif not _on(config, "FUNCTION_TRACER"):
        flags.append("-fomit-frame-pointer")
    if _on(config, "INIT_STACK_ALL_PATTERN"):
        flags.append("-ftrivial-auto-var-init=pattern")
    if _on(config, "INIT_STACK_ALL_ZERO"):
        flags.append("-ftrivial-auto-var-init=zero")
    flags.append("-fno-stack-clash-protection")
    if _on(config, "ZERO_CALL_USED_REGS"):
        flags.append("-fzero-call-used-regs=used-gpr")
    if _on(config, "FUNCTION_TRACER"):
        if _on(config, "FTRACE_MCOUNT_USE_OBJTOOL") and _on(config, "HAVE_OBJTOOL_NOP_MCOUNT"):
            flags.append("-DCC_USING_NOP_MCOUNT")
        if _on(config, "HAVE_FENTRY"):
            flags += ["-pg", "-mfentry", "-DCC_USING_FENTRY"]
        else:
            flags.append("-pg")
    if _on(config, "CFI_CLANG"):
        flags.append("-fsanitize=kcfi")
    alignment = config.get("CONFIG_FUNCTION_ALIGNMENT", "0")
    if alignment not in ("", "0"):
        flags.append(f"-falign-functions={alignment}")
    flags += ["-fstrict-flex-arrays=3", "-fno-strict-overflow", "-fno-stack-check"]
    flags.append("-fno-builtin-wcslen")
    return flags
