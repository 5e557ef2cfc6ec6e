"""The configuration: read a ``.config``, or generate one from a defconfig with Kconfiglib.

``parse_config`` reads the CONFIG_* values of a ``.config``. ``generate_config``
writes the ``.config`` that ``make <defconfig>`` would, executing nothing.

The kernel's Kconfig files ask the toolchain questions through ``$(shell,...)``
(compiler name and version, ``cc-option``, ``as-instr``, helper scripts of the
tree). Kconfiglib would run them with a shell; here its shell function is
replaced by ``fake_shell``, which runs nothing and answers as an LLVM
toolchain whose clang is the loaded libclang: flags and C snippets are checked
with a syntax-only libclang parse, the other questions get fixed plausible
answers, anything unknown gets "" (or the "else" branch of a test).
"""

from __future__ import annotations

import io
import os
import re
import shlex
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import kconfiglib

from ..frontend import clang_flags

# Environment of the Kconfig run; CC etc. are names only, never run.
CC = "clang"
LD = "ld.lld"
TOOLS = {
    "CC": CC,
    "LD": LD,
    "AR": "llvm-ar",
    "NM": "llvm-nm",
    "OBJCOPY": "llvm-objcopy",
    "STRIP": "llvm-strip",
    "HOSTCC": "clang",
    "HOSTCXX": "clang++",
    "RUSTC": "rustc",
    "BINDGEN": "bindgen",
    "PAHOLE": "pahole",
    "PYTHON3": "python3",
}

_IF_SUCCESS = re.compile(
    r'^\{ (?P<cmd>.*); \} >/dev/null 2>&1 && echo "(?P<yes>[^"]*)" \|\| echo "(?P<no>[^"]*)"$',
    re.S,
)
_SET_ECHO = re.compile(r"^set -- (?P<words>.*) && echo \$(?P<n>\d)$", re.S)
_ECHO_PIPE = re.compile(r"^echo '(?P<code>.*)' \| (?P<cc>.*)$", re.S)
_LOCK = threading.Lock()
# Kconfig syntax newer than Kconfiglib 14.1: a bare "modules" attribute (Kconfiglib
# assumes the symbol MODULES anyway), so such lines are blanked when read.
_NEWER_SYNTAX = re.compile(r"^[ \t]*modules[ \t]*$", re.M)


def parse_config(text: str) -> dict[str, str]:
    """CONFIG_X -> value ("y", "m", a number, or a still-quoted string) of a .config."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("CONFIG_") and "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
    return values


class _Kconfig(kconfiglib.Kconfig):
    """Kconfiglib reading files through ``_open``, with the newer-syntax lines blanked."""

    def _open(self, filename, mode):
        if mode != "r":
            return super()._open(filename, mode)
        with open(filename, encoding=self._encoding) as f:
            return io.StringIO(_NEWER_SYNTAX.sub("", f.read()))


class _Answers:
    """What the fake toolchain says about itself; ``target`` is a clang triple."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.version = clang_flags.version_code()

    def shell(self, command: str) -> str:
        m = _IF_SUCCESS.match(command.strip())
        if m:
            return m["yes"] if self.succeeds(m["cmd"]) else m["no"]
        m = _SET_ECHO.match(command.strip())
        if m:
            words = m["words"].split()
            n = int(m["n"])
            return words[n - 1] if 0 < n <= len(words) else ""
        script = _script(command)
        if script == "cc-version.sh":
            return f"Clang {self.version}"
        if script == "as-version.sh":
            return "LLVM 0"  # the integrated assembler reports version 0
        if script == "ld-version.sh":
            return f"LLD {self.version}"
        if script in ("rustc-version.sh", "rustc-llvm-version.sh", "pahole-version.sh"):
            return "0"
        return ""

    def succeeds(self, cmd: str) -> bool:
        cmd = cmd.strip()
        if cmd.startswith("command -v "):
            return True
        if cmd.startswith("test "):
            return _test(cmd)
        script = _script(cmd)
        if script is not None:
            return script in (
                "gcc-x86_64-has-stack-protector.sh",
                "gcc-x86_32-has-stack-protector.sh",
                "cc-can-link.sh",
            )
        m = _ECHO_PIPE.match(cmd)
        if m:
            return self.snippet(m["code"], m["cc"])
        if "| head" in cmd and "grep" in cmd:  # "$(NM) --help | head -n 1 | grep -qi llvm"
            return "grep -qi llvm" in cmd  # an LLVM toolchain
        if "-x assembler-with-cpp" in cmd:
            return True  # as-instr: the integrated assembler of a recent clang
        words = _split(cmd.split(";")[-1])
        if words and words[0] == LD:
            return True  # ld-option: lld takes the options the kernel asks about
        if words and words[0] in (CC, "$CC") and "/dev/null" in words:
            return self.flags_ok(words[1:])
        return False

    def flags_ok(self, words: list[str]) -> bool:
        """cc-option / cc-option-bit: the flags between the compiler and ``-c``/``-E``."""
        flags = []
        for w in words:
            if w in ("-c", "-E", "-S", "-x", "-o"):
                break
            if w != "-Werror" and not w.startswith("--target="):
                flags.append(w)
        return clang_flags.accepts(tuple(flags), (f"--target={self.target}",))

    def snippet(self, code: str, cc: str) -> bool:
        words = _split(cc)
        flags = [f"--target={self.target}"]
        if "-Werror" in words:
            flags.append("-Werror")
        return clang_flags.compiles(code.replace("'\\''", "'"), tuple(flags))


def _script(cmd: str) -> str | None:
    """The name of the ``scripts/*.sh`` the command starts, if it starts one."""
    for word in _split(cmd):
        if word.endswith(".sh") and "/scripts/" in word:
            return word.rsplit("/", 1)[1]
    return None


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def _test(cmd: str) -> bool:
    """The few ``test`` forms of the kernel's Kconfig: -z, -n, =, !=, -e."""
    words = _split(cmd)[1:]
    if len(words) == 2 and words[0] == "-z":
        return words[1] == ""
    if len(words) == 2 and words[0] == "-n":
        return words[1] != ""
    if len(words) == 3 and words[1] == "=":
        return words[0] == words[2]
    if len(words) == 3 and words[1] == "!=":
        return words[0] != words[2]
    return False  # -e of a compiler plugin path and the like: not there


def kernel_version(root: Path) -> str:
    """VERSION.PATCHLEVEL.SUBLEVEL+EXTRAVERSION read from the top Makefile."""
    values = {"VERSION": "0", "PATCHLEVEL": "0", "SUBLEVEL": "0", "EXTRAVERSION": ""}
    for line in (root / "Makefile").read_text(errors="replace").splitlines()[:12]:
        m = re.match(r"^(VERSION|PATCHLEVEL|SUBLEVEL|EXTRAVERSION)\s*=\s*(.*)$", line)
        if m:
            values[m[1]] = m[2].strip()
    return "{VERSION}.{PATCHLEVEL}.{SUBLEVEL}{EXTRAVERSION}".format(**values)


@contextmanager
def _sandbox(env: dict[str, str], answers: _Answers) -> Iterator[None]:
    """Set the Kconfig environment and the fake shell; restore both afterwards."""

    def fake_shell(_kconf: object, _name: str, command: str) -> str:
        return answers.shell(command)

    with _LOCK:
        saved_env = {k: os.environ.get(k) for k in env}
        saved_fn = kconfiglib._shell_fn
        os.environ.update(env)
        kconfiglib._shell_fn = fake_shell
        try:
            yield
        finally:
            kconfiglib._shell_fn = saved_fn
            for k, v in saved_env.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


# Configurations Kconfig makes without a defconfig file (``make allmodconfig`` ...)
GENERATED = ("allmodconfig", "allyesconfig", "allnoconfig")


def generate_config(root: Path, defconfig: Path | str, srcarch: str, target: str,
                    out: Path) -> None:
    """Write to ``out`` the ``.config`` that ``make <defconfig>`` would give: ``defconfig``
    is a defconfig file, or one of ``GENERATED`` (``make allmodconfig`` and the like)."""
    answers = _Answers(target)
    env = {
        "srctree": str(root),
        "ARCH": srcarch,
        "SRCARCH": srcarch,
        "KERNELVERSION": kernel_version(root),
        "CLANG_FLAGS": f"--target={target} -fintegrated-as",
        "CC_VERSION_TEXT": "clang version {}.{}.{}".format(*clang_flags.version()),
        "KCONFIG_FUNCTIONS": "kunwind_no_such_module",  # no user shell functions
        "KCONFIG_WARN_UNDEF": "",
        "KCONFIG_STRICT": "",
        **TOOLS,
    }
    with _sandbox(env, answers):
        kconf = _Kconfig("Kconfig", warn=False, suppress_traceback=False)
        if isinstance(defconfig, str):
            _set_all(kconf, defconfig)
        else:
            kconf.load_config(str(defconfig))
        kconf.write_config(str(out), save_old=False)


def _set_all(kconf: kconfiglib.Kconfig, kind: str) -> None:
    """What ``conf --allmodconfig`` (``--allyesconfig``, ``--allnoconfig``) does, as
    Kconfiglib's own allmodconfig.py does it: every symbol as high (low) as it goes."""
    if kind not in GENERATED:
        raise ValueError(kind)
    if kind == "allnoconfig":
        for sym in kconf.unique_defined_syms:
            sym.set_value(2 if sym.is_allnoconfig_y else 0)
        return
    tristate = 1 if kind == "allmodconfig" else 2
    for sym in kconf.unique_defined_syms:
        if sym.orig_type == kconfiglib.BOOL:
            if not sym.choice:  # a bool of a choice gets the choice's default
                sym.set_value(2)
        elif sym.orig_type == kconfiglib.TRISTATE:
            sym.set_value(tristate)
    for choice in kconf.unique_choices:
        choice.set_value(2 if choice.orig_type == kconfiglib.BOOL else tristate)
