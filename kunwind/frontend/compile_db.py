"""compile_commands.json: load it, find a file's entry, turn a compiler command into libclang flags.

Commands are only split (``shlex``), never run. ``translate_args`` keeps what
shapes the AST (include paths, macros, target, language flags) and drops:
the compiler and the source files, output and dependency-file options,
``-Werror*``, ``-D__CHECKER__``, anything that would make libclang load code
(plugins, ``-Xclang``) or write files, gcc-only options (a known list, then
any ``-f``/``-m``/``-W`` option the loaded libclang itself rejects, asked once
per option through ``clang_flags.accepts``). Relative include paths are made
absolute against the entry's ``directory``.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from . import clang_flags


class CompileDBError(Exception):
    """A compile_commands.json that cannot be used; the message is one line."""


# Options whose value is the next argument when not joined.
_PATH_OPTS = ("-I", "-isystem", "-iquote", "-idirafter", "-include", "-imacros")
_VALUE_KEEP = ("-D", "-U", "-x", "-target", *_PATH_OPTS)
_VALUE_DROP = ("-o", "-MF", "-MT", "-MQ", "-mllvm", "-Xclang", "-Xlinker", "-Xassembler",
               "-Xpreprocessor", "--param", "-L", "-l", "-B", "-aux-info", "-dumpbase",
               "-dumpbase-ext", "-dumpdir", "-wrapper", "-specs")
_DROP = {"-c", "-S", "-E", "-M", "-MM", "-MD", "-MMD", "-MP", "-MG", "-pipe", "-v", "-###",
         "-save-temps", "-pedantic-errors", "-Werror", "-fsyntax-only", "-D__CHECKER__"}
# Prefixes dropped without asking libclang: writes, code loading, gcc-only, checker-only.
_DROP_PREFIXES = (
    "-Werror", "-Wp,-MD", "-Wp,-MMD", "-Wl,", "-save-temps=", "-ftime-trace",
    "-fplugin", "-fpass-plugin", "-D__CHECKER__=", "-MF", "-MT", "-MQ", "--param=",
    "-specs=", "-B",  # gcc: a driver specs file, a tool directory (what runs, not what parses)
    # gcc-only or codegen-only options of Kbuild's gcc builds; the libclang check
    # below would catch the rejected ones anyway, this list saves asking
    "-mpreferred-stack-boundary=", "-mindirect-branch=", "-mindirect-branch-register",
    "-fno-allow-store-data-races", "-fconserve-stack", "-mrecord-mcount", "-falign-jumps=",
    "-fno-var-tracking-assignments", "-fno-ipa-", "-fmin-function-alignment=",
    "-mharden-sls=", "-fzero-call-used-regs=", "-mskip-rax-setup", "-ftrivial-auto-var-init=",
    "-fno-partial-inlining", "-fno-reorder-blocks", "-fsched-pressure",
)
_WRAPPERS = {"ccache", "sccache", "distcc", "icecc", "buildcache"}
_SOURCE = re.compile(r"\.(c|i|h|S|s|cc|cpp|cxx)$")
_CROSS = re.compile(r"^(?P<triple>[A-Za-z0-9_]+-[A-Za-z0-9_]+-[A-Za-z0-9_-]+)-(gcc|clang|cc)")


@dataclass
class Entry:
    file: Path  # absolute
    directory: Path
    argv: list[str]


@dataclass
class CompileDB:
    path: Path
    entries: dict[Path, Entry] = field(default_factory=dict)  # by resolved absolute path

    def args_for(self, file: Path) -> list[str] | None:
        """The libclang flags for ``file`` (no source file in them), or None if not listed."""
        entry = self.entries.get(_key(file))
        if entry is None:
            return None
        return translate_args(entry.argv, entry.directory)

    def files(self) -> list[Path]:
        return [e.file for e in self.entries.values()]


def _key(path: Path) -> Path:
    return Path(os.path.realpath(path))


_LOADED: dict[Path, tuple[tuple[int, int], CompileDB]] = {}


def load_compile_db(path: Path) -> CompileDB:
    """Read a compile_commands.json (or the one in directory ``path``); cached until it changes."""
    if path.is_dir():
        path = path / "compile_commands.json"
    if not path.is_file():
        raise CompileDBError(f"{path}: no such file")
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _LOADED.get(_key(path))
    if cached is not None and cached[0] == stamp:
        return cached[1]
    db = _read(path)
    _LOADED[_key(path)] = (stamp, db)
    return db


def _read(path: Path) -> CompileDB:
    try:
        data = json.loads(path.read_text(errors="replace"))
    except json.JSONDecodeError as exc:
        raise CompileDBError(
            f"{path}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    if not isinstance(data, list):
        raise CompileDBError(f"{path}: expected a JSON list of entries, got {type(data).__name__}")
    db = CompileDB(path)
    for n, item in enumerate(data):
        entry = _entry(path, n, item)
        db.entries.setdefault(_key(entry.file), entry)
    return db


def _entry(path: Path, n: int, item: object) -> Entry:
    where = f"{path}: entry {n}"
    if not isinstance(item, dict):
        raise CompileDBError(f"{where}: expected an object, got {type(item).__name__}")
    for name in ("file", "directory"):
        if not isinstance(item.get(name), str):
            raise CompileDBError(f"{where}: missing or non-string '{name}'")
    directory = Path(item["directory"])
    if not directory.is_absolute():
        directory = path.parent / directory
    if isinstance(item.get("arguments"), list):
        argv = [str(a) for a in item["arguments"]]
    elif isinstance(item.get("command"), str):
        try:
            argv = shlex.split(item["command"])
        except ValueError as exc:
            raise CompileDBError(f"{where}: cannot split 'command': {exc}") from None
    else:
        raise CompileDBError(f"{where}: needs 'arguments' (a list) or 'command' (a string)")
    file = Path(item["file"])
    if not file.is_absolute():
        file = directory / file
    return Entry(Path(os.path.normpath(file)), directory, argv)


def _absolute(value: str, directory: Path) -> str:
    return value if os.path.isabs(value) else os.path.normpath(directory / value)


def _drop_compiler(argv: list[str]) -> tuple[list[str], list[str]]:
    """(argv without wrapper and compiler, the --target implied by a cross compiler's name)."""
    target: list[str] = []
    rest = list(argv)
    while rest and not rest[0].startswith("-") and not _SOURCE.search(rest[0]):
        name = os.path.basename(rest.pop(0))
        if name in _WRAPPERS:
            continue
        m = _CROSS.match(name)
        if m:
            target = [f"--target={m['triple']}"]
        break
    return rest, target


def _dropped(arg: str) -> bool:
    return arg in _DROP or arg.startswith((*_DROP_PREFIXES, "-o", "@"))


def translate_args(argv: list[str], directory: Path) -> list[str]:
    """Compiler arguments -> libclang flags; ``argv`` may start with the compiler or not."""
    rest, implied_target = _drop_compiler(argv)
    out: list[str] = []
    i = 0
    while i < len(rest):
        arg = rest[i]
        nxt = rest[i + 1] if i + 1 < len(rest) else None
        i += 1
        if arg in _VALUE_DROP:
            i += 1
            continue
        if arg in _VALUE_KEEP and nxt is not None:
            i += 1
            if arg in ("-D", "-U") and nxt.split("=", 1)[0] == "__CHECKER__":
                continue
            out += [arg, _absolute(nxt, directory) if arg in _PATH_OPTS else nxt]
            continue
        if not arg.startswith("-"):
            continue  # the source file and any other input
        if _dropped(arg):
            continue
        joined = _joined_path(arg, directory)
        if joined is not None:
            out.append(joined)
            continue
        out.append(arg)
    context = tuple(a for a in out if a.startswith("--target=")) or tuple(implied_target)
    if not any(a.startswith("--target=") or a == "-target" for a in out):
        out = [*implied_target, *out]
    return [a for a in out if not _needs_check(a) or clang_flags.accepts((a,), context)]


def _joined_path(arg: str, directory: Path) -> str | None:
    """``-Ifoo`` style options with a path joined to them, made absolute; else None."""
    for opt in ("-isystem", "-iquote", "-idirafter", "-I"):
        if arg.startswith(opt) and len(arg) > len(opt):
            return opt + _absolute(arg[len(opt) :], directory)
    return None


def _needs_check(arg: str) -> bool:
    """Options libclang may not know: -f*, -m*, -W* (but not -Wa, assembler options)."""
    return arg.startswith(("-f", "-m", "-W")) and not arg.startswith("-Wa,")
