"""``kunwind-cc``: kunwind as the kernel build's checker, ``make C=1 CHECK=kunwind-cc``.

Kbuild runs the checker as ``$(CHECK) $(CHECKFLAGS) $(c_flags) file.c`` from
the build directory, right after compiling ``file.c``: sparse's flags
(``-D__linux__ ... -Wbitwise --arch=x86 -mlittle-endian -m64``) then the
compiler's. ``kunwind-cc`` drops the sparse-only ones, gives ``--arch`` and
``-m32``/``-m64`` to clang as a ``--target``, translates the compiler's flags
with ``translate_args`` (as for a compile database), analyses the file in one
isolated worker (a crash or a timeout is a warning, not a failed build), and
prints findings gcc-style on stderr, paths as given on the command line.

It exits 0 whatever it finds, unless ``--error-exitcode N`` (or
``$KUNWIND_CC_ERROR_EXITCODE``) asks for N when there are findings; a
problem of its own (unparsable file, internal error) never fails the build.
Options of its own, which Kbuild passes through ``CHECK="kunwind-cc ..."``:
``--error-exitcode N``, ``--timeout SECONDS``, ``--experimental`` (as for ``kunwind
check``; else the project file's ``experimental``), ``--version``. The checks left
out as experimental are named in one note per file.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

from . import __version__
from .config import UsageError

# sparse's own options (Kbuild's CHECKFLAGS) that clang does not take or that
# would change the parse: dropped before translating the rest.
SPARSE_ONLY = frozenset({
    "-Wbitwise", "-Wno-return-void", "-Wno-unknown-attribute", "-mlittle-endian",
    "-mbig-endian", "-D__STDC__", "-D__CHECKER__", "-Wsparse-all", "-Wsparse-error",
})
SPARSE_ONLY_PREFIXES = ("--arch=", "-Wsparse-", "-Wno-sparse-", "-fmemcpy-max-count=",
                        "-fdiagnostic-prefix", "-fmax-warnings=", "-D__CHECKER__=")
# options whose value is the next argument: that value is never the source file
VALUE_OPTIONS = frozenset({
    "-I", "-isystem", "-iquote", "-idirafter", "-include", "-imacros", "-D", "-U", "-x",
    "-o", "-MF", "-MT", "-MQ", "--param", "-target", "-Xclang", "-mllvm", "-aux-info",
})
# --arch (Kbuild's $(ARCH)) and -m32/-m64 -> clang's target
TARGETS = {
    ("x86", "-m64"): "x86_64-linux-gnu", ("x86", "-m32"): "i386-linux-gnu",
    ("x86_64", "-m64"): "x86_64-linux-gnu", ("i386", "-m32"): "i386-linux-gnu",
    ("arm64", "-m64"): "aarch64-linux-gnu", ("arm", "-m32"): "arm-linux-gnueabi",
    ("riscv", "-m64"): "riscv64-linux-gnu", ("riscv", "-m32"): "riscv32-linux-gnu",
    ("powerpc", "-m64"): "powerpc64le-linux-gnu", ("s390", "-m64"): "s390x-linux-gnu",
}
USAGE = ("usage: kunwind-cc [--error-exitcode N] [--timeout SECONDS] [--experimental] "
         "[CHECKFLAGS] [CFLAGS] FILE.c")


class CcUsageError(Exception):
    """A malformed option of kunwind-cc's own."""


def main(argv: list[str] | None = None) -> int:
    """The console script; never raises, and fails the build only as asked."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        return run(argv)
    except CcUsageError as exc:
        print(f"kunwind-cc: error: {exc}\n{USAGE}", file=sys.stderr)
        return 2
    except UsageError as exc:  # e.g. the file does not exist: make's compiler says so
        print(f"kunwind-cc: warning: not checked: {exc}", file=sys.stderr)
        return 0
    except Exception as exc:  # a bug of ours must not break the kernel build
        if os.environ.get("KUNWIND_DEBUG"):
            raise
        print(f"kunwind-cc: warning: internal error, file not checked: {exc!r}",
              file=sys.stderr)
        return 0


def run(argv: list[str]) -> int:
    # imported here, inside main()'s guard: not even a broken install may break the build
    from .audit import DEFAULT_TIMEOUT
    from .cli.project import load_project
    from .config import Options
    from .driver import check_paths
    from .report import text
    from .rules import get_rule

    if argv == ["--version"]:
        print(f"kunwind-cc {__version__}")
        return 0
    own, rest = split_own_options(argv)
    sources = source_files(rest)
    if not sources:
        raise CcUsageError("no C source file in the arguments")
    args = clang_args(rest, Path.cwd())
    exit_code = int(own.get("error-exitcode") or os.environ.get("KUNWIND_CC_ERROR_EXITCODE")
                    or 0)
    timeout = float(own.get("timeout") or DEFAULT_TIMEOUT)
    project = load_project(Path(sources[0]))  # the tree's .kunwind.toml, as check reads it
    rules = [get_rule(r) for r in project.get("rules") or []]
    opts = Options(root=Path.cwd(), exact_args=[*args, *(project.get("clang_args") or [])],
                   jobs=1, timeout=timeout, knowledge=project.paths_of("knowledge"),
                   rules=[r.id for r in rules if r is not None] or None,
                   experimental="experimental" in own or bool(project.get("experimental")),
                   exclude=project.get("exclude") or [], exclude_root=project.root)
    run_result = check_paths([Path(s) for s in sources], opts)
    live = [f for f in run_result.findings if not f.suppressed]
    lines = [line for f in live for line in text.finding_lines(f)]
    for n in run_result.notices:  # a file kunwind could not check is a warning, not an error
        if n.level == "error":
            n = dataclasses.replace(n, level="warning", message=f"kunwind: {n.message}")
        lines.append(text.notice_line(n))
    if run_result.not_run:
        lines.append(f"kunwind-cc: note: {text.not_run_message(run_result)}")
    sys.stderr.write("".join(line + "\n" for line in lines))
    return exit_code if live else 0


def split_own_options(argv: list[str]) -> tuple[dict[str, str], list[str]]:
    """({"error-exitcode": "1", "timeout": "60", "experimental": ""}, the other
    arguments)."""
    own: dict[str, str] = {}
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg == "--experimental":  # a flag: no value
            own["experimental"] = ""
            continue
        for name in ("error-exitcode", "timeout"):
            flag = f"--{name}"
            if arg == flag:
                if i >= len(argv):
                    raise CcUsageError(f"{flag} needs a value")
                own[name], i = argv[i], i + 1
                break
            if arg.startswith(flag + "="):
                own[name] = arg.split("=", 1)[1]
                break
        else:
            rest.append(arg)
    for name, value in own.items():
        if name == "experimental":
            continue
        try:
            float(value) if name == "timeout" else int(value)
        except ValueError:
            raise CcUsageError(f"--{name}: not a number: '{value}'") from None
    return own, rest


def source_files(args: list[str]) -> list[str]:
    """The C files among ``args`` (not an option, nor an option's value)."""
    out = []
    for i, arg in enumerate(args):
        if arg.startswith("-") or not arg.endswith(".c"):
            continue
        if i > 0 and args[i - 1] in VALUE_OPTIONS:
            continue
        out.append(arg)
    return out


def clang_args(args: list[str], directory: Path) -> list[str]:
    """Kbuild's checker arguments -> libclang flags (without the source file)."""
    from .frontend.compile_db import translate_args  # inside main()'s guard too, via run()

    arch = next((a.split("=", 1)[1] for a in args if a.startswith("--arch=")), None)
    width = next((a for a in reversed(args) if a in ("-m32", "-m64")), "-m64")
    kept = [a for a in args if a not in SPARSE_ONLY and not a.startswith(SPARSE_ONLY_PREFIXES)]
    translated = translate_args(kept, directory)
    target = TARGETS.get((arch, width)) if arch is not None else None
    if target and not any(a.startswith("--target=") or a == "-target" for a in translated):
        translated.insert(0, f"--target={target}")
    return translated


if __name__ == "__main__":
    sys.exit(main())
