"""Kbuild's flags without running make: the include paths and the Kbuild makefiles.

``base_args`` gives the flags every file of a tree gets (the top Makefile's
LINUXINCLUDE, forced includes, KBUILD_CFLAGS and the arch's flags).

A small evaluator for the subset of make that Kbuild files use to list objects
and flags: assignments (``:=``, ``=``, ``+=``, ``?=``), ``$(VAR)`` references
(CONFIG_* come from the configuration), a few text functions, ``ifdef`` /
``ifeq`` conditionals. ``$(shell ...)`` and anything else it does not know
expand to nothing: nothing is ever executed. On top of it: whether a source
file is built by the configuration (and into which module), and the
per-directory ``-I``/``-D`` flags of ``ccflags-y``, ``subdir-ccflags-y`` and
``CFLAGS_<file>.o``.
"""

from __future__ import annotations

import functools
import glob
import os
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from .arch import Arch, common_flags


@dataclass
class Makefile:
    """The variables of one evaluated Kbuild (or Makefile) file."""

    path: Path | None
    values: dict[str, str] = field(default_factory=dict)

    def words(self, name: str) -> list[str]:
        return self.values.get(name, "").split()


@dataclass
class BuildStatus:
    """``built``: "y" (into vmlinux), "m" (a module), "" (not built), None (unknown).

    ``directory`` is the Kbuild ``$(obj)``: the directory whose makefile lists the
    object (the file's own unless listed as ``sub/x.o`` higher up); ``stem`` is the
    object's path relative to it, without ``.o``.
    """

    built: str | None
    modname: str
    directory: Path
    stem: str
    # not kernel code: a host, user-space or BPF program of its directory's makefile,
    # saying so ("a program for the build machine (hostprogs in lib/Makefile)")
    program: str = ""
    listed: bool = True  # False: no makefile names the object, whatever the configuration


class _Evaluator:
    def __init__(self, predefined: dict[str, str], config: dict[str, str]) -> None:
        self.predefined = predefined
        self.config = config
        self.vars: dict[str, tuple[str, bool]] = {}  # name -> (value, recursive)

    # ---- expansion -------------------------------------------------------
    def lookup(self, name: str) -> str:
        if name in self.vars:
            value, recursive = self.vars[name]
            return self.expand(value) if recursive else value
        if name in self.predefined:
            return self.predefined[name]
        return self.config.get(name, "")

    def expand(self, text: str, depth: int = 0) -> str:
        if depth > 20 or "$" not in text:
            return text
        out: list[str] = []
        i = 0
        while i < len(text):
            c = text[i]
            if c != "$" or i + 1 >= len(text):
                out.append(c)
                i += 1
                continue
            nxt = text[i + 1]
            if nxt == "$":
                out.append("$")
                i += 2
            elif nxt in "({":
                end = _matching(text, i + 1)
                out.append(self.reference(text[i + 2 : end], depth))
                i = end + 1
            else:  # $@, $<, $x: automatic and one-letter variables
                out.append(self.lookup(nxt) if nxt.isalpha() else "")
                i += 2
        return "".join(out)

    def reference(self, inner: str, depth: int) -> str:
        m = re.match(r"^([a-z-]+)[ \t]+(.*)$", inner, re.S)
        if not m:
            return self.lookup(self.expand(inner, depth + 1).strip())
        fn, rest = m[1], m[2]
        args = [self.expand(a, depth + 1) for a in _split_args(rest)]
        return _function(fn, args)

    # ---- statements ------------------------------------------------------
    def assign(self, name: str, op: str, value: str) -> None:
        name = self.expand(name).strip()
        value = value.strip()
        if not name:
            return
        if op in (":=", "::="):
            self.vars[name] = (self.expand(value), False)
        elif op == "=":
            self.vars[name] = (value, True)
        elif op == "?=":
            if name not in self.vars:
                self.vars[name] = (value, True)
        elif op == "+=":
            old, recursive = self.vars.get(name, ("", True))
            new = value if recursive else self.expand(value)
            self.vars[name] = ((old + " " + new).strip(), recursive)
        # "!=" runs a shell command: never done, the variable stays unset

    def condition(self, keyword: str, rest: str) -> bool:
        rest = rest.strip()
        if keyword in ("ifdef", "ifndef"):
            defined = self.lookup(self.expand(rest).strip()) != ""
            return defined if keyword == "ifdef" else not defined
        left, right = _ifeq_operands(rest)
        same = self.expand(left).strip() == self.expand(right).strip()
        return same if keyword == "ifeq" else not same


def _matching(text: str, open_at: int) -> int:
    """Index of the bracket closing the one at ``open_at`` (or the end of text)."""
    opening = text[open_at]
    closing = ")" if opening == "(" else "}"
    depth = 0
    for j in range(open_at, len(text)):
        if text[j] == opening:
            depth += 1
        elif text[j] == closing:
            depth -= 1
            if depth == 0:
                return j
    return len(text) - 1


def _split_args(text: str) -> list[str]:
    """Split a function's arguments at top-level commas."""
    args, depth, start = [], 0, 0
    for j, c in enumerate(text):
        if c in "({":
            depth += 1
        elif c in ")}":
            depth -= 1
        elif c == "," and depth == 0:
            args.append(text[start:j])
            start = j + 1
    args.append(text[start:])
    return args


def _pattern(pattern: str, word: str) -> str | None:
    """The stem when ``word`` matches the make ``pattern`` (one %), else None."""
    if "%" not in pattern:
        return "" if word == pattern else None
    head, tail = pattern.split("%", 1)
    if word.startswith(head) and word.endswith(tail) and len(word) >= len(head) + len(tail):
        return word[len(head) : len(word) - len(tail)]
    return None


def _function(fn: str, args: list[str]) -> str:
    """The make functions Kbuild files use to build object and flag lists."""
    a = args + ["", "", ""]
    if fn == "subst":
        return a[2].replace(a[0], a[1])
    if fn == "patsubst":
        out = []
        for w in a[2].split():
            stem = _pattern(a[0].strip(), w)
            out.append(w if stem is None else a[1].strip().replace("%", stem, 1))
        return " ".join(out)
    if fn == "addprefix":
        return " ".join(a[0].strip() + w for w in a[1].split())
    if fn == "addsuffix":
        return " ".join(w + a[0].strip() for w in a[1].split())
    if fn == "strip":
        return " ".join(a[0].split())
    if fn in ("filter", "filter-out"):
        pats = a[0].split()
        keep = fn == "filter"
        return " ".join(
            w for w in a[1].split() if any(_pattern(p, w) is not None for p in pats) == keep
        )
    if fn == "sort":
        return " ".join(sorted(set(a[0].split())))
    if fn == "firstword":
        words = a[0].split()
        return words[0] if words else ""
    if fn == "if":
        return a[1] if a[0].strip() else a[2]
    if fn == "or":
        return next((x for x in args if x.strip()), "")
    if fn == "and":
        return args[-1] if all(x.strip() for x in args) else ""
    if fn == "findstring":
        return a[0] if a[0] in a[1] else ""
    if fn == "wildcard":  # reading the file system executes nothing
        return " ".join(sorted(m for p in a[0].split() for m in glob.glob(p)))
    return ""  # shell, call, foreach, eval, info, error, ...: nothing


def _ifeq_operands(rest: str) -> tuple[str, str]:
    if rest.startswith("("):
        inner = rest[1 : _matching(rest, 0)]
        parts = _split_args(inner)
        return parts[0], ",".join(parts[1:])
    try:
        words = shlex.split(rest)
    except ValueError:
        words = rest.split()
    return (words + ["", ""])[0], (words + ["", ""])[1]


def _logical_lines(text: str) -> list[str]:
    """Join backslash continuations and drop comments."""
    lines: list[str] = []
    pending = ""
    for raw in text.splitlines():
        if pending:
            raw = raw.lstrip()  # make turns backslash-newline and its blanks into one space
        if raw.endswith("\\"):
            pending += raw[:-1].rstrip() + " "
            continue
        lines.append(pending + raw)
        pending = ""
    if pending:
        lines.append(pending)
    return [re.sub(r"(?<!\\)#.*$", "", line) for line in lines]


def _statement(line: str) -> tuple[str, str, str] | None:
    """Split ``name OP value`` at the first top-level operator; None for rules and others."""
    depth = 0
    for j, c in enumerate(line):
        if c in "({":
            depth += 1
        elif c in ")}":
            depth -= 1
        elif depth == 0:
            for op in ("::=", ":=", "+=", "?=", "!="):
                if line.startswith(op, j):
                    return line[:j], op, line[j + len(op) :]
            if c == "=":
                return line[:j], "=", line[j + 1 :]
            if c == ":":
                return None  # a rule
    return None


def evaluate(text: str, predefined: dict[str, str], config: dict[str, str],
             root: Path | None = None) -> dict[str, str]:
    """Evaluate Kbuild makefile text; return every variable, expanded. With ``root`` (the
    tree), the makefiles it ``include``s from inside the tree are read in place, as make
    does (amdgpu's Makefile takes its display files and their -I paths from
    ``include $(FULL_AMD_DISPLAY_PATH)/Makefile``); their ``$(src)`` stays the
    including directory's."""
    ev = _Evaluator(predefined, config)
    _statements(ev, text, root, [])
    return {name: ev.lookup(name) for name in ev.vars}


_MAX_INCLUDES = 64  # makefiles read by one evaluation through include, at most


def _included(ev: _Evaluator, rest: str, root: Path) -> list[Path]:
    """The makefiles of the tree an ``include`` line names (relative: to the tree's top,
    make's working directory under Kbuild)."""
    out: list[Path] = []
    for word in ev.expand(rest).split():
        path = Path(word) if word.startswith("/") else root / word
        names = sorted(glob.glob(str(path))) if any(c in word for c in "*?[") else [str(path)]
        for name in names:
            candidate = Path(os.path.normpath(name))
            if root in candidate.parents and candidate.is_file():
                out.append(candidate)
    return out


def _statements(ev: _Evaluator, text: str, root: Path | None, seen: list[Path]) -> None:
    stack: list[tuple[bool, bool]] = []  # (this branch active, some branch taken)
    in_define = False
    in_rule = False
    for line in _logical_lines(text):
        stripped = line.strip()
        if in_define:
            in_define = not stripped.startswith("endef")
            continue
        if not stripped:
            continue
        if line.startswith("\t") and in_rule:
            continue  # a recipe
        words = stripped.split(None, 1)
        keyword, rest = words[0], (words[1] if len(words) > 1 else "")
        active = all(s[0] for s in stack)
        if keyword in ("ifdef", "ifndef", "ifeq", "ifneq"):
            cond = active and ev.condition(keyword, rest)
            stack.append((cond, cond))
            continue
        if keyword == "else" and stack:
            _, taken = stack.pop()
            outer = all(s[0] for s in stack)
            sub = rest.split(None, 1)
            if sub and sub[0] in ("ifdef", "ifndef", "ifeq", "ifneq"):
                cond = outer and not taken and ev.condition(sub[0], sub[1] if len(sub) > 1 else "")
                stack.append((cond, taken or cond))
            else:
                stack.append((outer and not taken, True))
            continue
        if keyword == "endif" and stack:
            stack.pop()
            continue
        if keyword == "define":
            in_define = True
            continue
        if active and root is not None and keyword in ("include", "-include", "sinclude"):
            for path in _included(ev, rest, root):
                if path not in seen and len(seen) < _MAX_INCLUDES:
                    seen.append(path)
                    _statements(ev, _text(path), root, seen)
            continue
        if not active or keyword in ("include", "-include", "sinclude", "export", "unexport"):
            if keyword == "export" and active and rest:
                stmt = _statement(rest)
                if stmt:
                    ev.assign(*stmt)
            continue
        stmt = _statement(stripped.removeprefix("override "))
        if stmt is None:
            in_rule = ":" in stripped
            continue
        in_rule = False
        ev.assign(*stmt)


@functools.lru_cache(maxsize=1024)
def _read(path: Path, root: Path, objroot: Path, config_items: tuple) -> Makefile:
    if not path.is_file():
        return Makefile(None)
    directory = path.parent
    rel = directory.relative_to(root).as_posix()
    rel = "" if rel == "." else rel
    config = dict(config_items)
    predefined = {
        "srctree": str(root),
        "objtree": str(objroot),
        "src": str(directory),
        "obj": str(objroot / rel) if rel else str(objroot),
        "SRCARCH": config.get("__SRCARCH", ""),
        "ARCH": config.get("__SRCARCH", ""),
        "BITS": "64" if config.get("CONFIG_64BIT") == "y" else "32",
        "CONFIG_SHELL": "",
    }
    text = path.read_text(errors="replace")
    return Makefile(path, evaluate(text, predefined, config, root))


class KbuildTree:
    """The Kbuild makefiles of one tree under one configuration."""

    def __init__(self, root: Path, config: dict[str, str], srcarch: str, objroot: Path) -> None:
        self.root = root
        self.objroot = objroot
        items = dict(config)
        items["__SRCARCH"] = srcarch
        self._config_items = tuple(sorted(items.items()))
        self._descents: dict[Path, dict[str, list[Path]]] = {}

    def makefile(self, directory: Path) -> Makefile:
        """The directory's Kbuild file, else its Makefile (Kbuild's own preference)."""
        for name in ("Kbuild", "Makefile"):
            if (directory / name).is_file():
                return self._read(directory / name)
        return Makefile(None)

    def _read(self, path: Path) -> Makefile:
        return _read(path, self.root, self.objroot, self._config_items)

    def status(self, file: Path) -> BuildStatus:
        """Whether the configuration builds ``file`` (a .c of the tree), and its module name."""
        base = file.stem
        directory = file.parent
        stem = base
        while True:
            mk = self.makefile(directory)
            found = _find_object(mk, f"{stem}.o") if mk.path is not None else None
            if found is not None:
                built, modname = found
                if built and not self._dir_built(directory):
                    built = ""
                return BuildStatus(built, modname or base, directory, stem)
            if directory == self.root or self.root not in directory.parents:
                break
            stem = f"{directory.name}/{stem}"
            directory = directory.parent
        program = self._program(file)
        if program:
            return BuildStatus("", base, file.parent, base, program)
        sibling = self._sibling_owner(file)
        if sibling is not None:
            return sibling
        known = self.makefile(file.parent).path is not None
        owner = self._textual_owner(file)
        if owner is not None:  # listed under an option the configuration leaves off
            return BuildStatus("", base, *owner)
        return BuildStatus("" if known else None, base, file.parent, base, listed=False)

    def _program(self, file: Path) -> str:
        """What kind of program ``file`` belongs to when a makefile lists it as one, not as
        an object of the kernel or a module: ``hostprogs`` (run on the build machine),
        ``userprogs`` (user space), or a program or object of ``always-y``/``extra-y``
        built by the directory's own rules (the BPF programs of samples/bpf/). Its own
        directory's makefile, else that of a directory above that names it by its path
        from there (``hostprogs := tools/build`` in arch/x86/boot/Makefile, for a
        ``tools/`` without a makefile). "" when none does."""
        directory, stem = file.parent, file.stem
        while True:
            mk = self.makefile(directory)
            if mk.path is not None:
                return self._program_in(mk, stem, directory == file.parent)
            if directory == self.root or self.root not in directory.parents:
                return ""
            stem = f"{directory.name}/{stem}"
            directory = directory.parent

    def _program_in(self, mk: Makefile, stem: str, own: bool) -> str:
        """The kind of program of ``mk`` that ``stem`` (a path from its directory, no
        suffix) belongs to; a word of the makefile's own directory is matched by its last
        component (``own``), one of a directory above by its whole path."""
        assert mk.path is not None
        where = mk.path.relative_to(self.root).as_posix()
        for name, value in mk.values.items():
            kind = next((k for k in _PROGRAM_LISTS if name == k or name.startswith(k + "-")),
                        "")
            if not kind:
                continue
            for word in value.split():
                if own:
                    word = word.rsplit("/", 1)[-1]
                if word == f"{stem}.o" and kind in ("always", "extra"):
                    return (f"an object built by its directory's own rules ({name} in "
                            f"{where}), linked into neither the kernel nor a module "
                            "(a BPF program or the like): not kernel code")
                if word.endswith(".o"):
                    continue
                parts = [w.rsplit("/", 1)[-1] if own else w
                         for suffix in ("-objs", "-y", "-cobjs")
                         for w in mk.words(word + suffix)]
                if word == stem and not parts or f"{stem}.o" in parts:
                    return f"{_PROGRAM_LISTS[kind]} ({name} in {where}): not kernel code"
        return ""

    def _sibling_owner(self, file: Path) -> BuildStatus | None:
        """The status of ``file``'s object when a makefile of another directory of the
        same subtree lists it by a path that leaves its own directory: make descends into
        ``amd/amdgpu/``, whose Makefile builds ``../display/dc/core/dc.o`` into
        amdgpu.ko with its own -I paths. Searched are the directories that a makefile
        above the file descends into (in any list, whatever the configuration) and that
        lie beside the file's own path, below the same ancestor."""
        target = Path(os.path.normpath(file.with_suffix(".o")))
        directory = file.parent
        while directory != self.root and self.root in directory.parents:
            parent = directory.parent
            for sub in self._descended(parent).get(directory.name, ()):
                if sub not in file.parents:
                    found = self._lists_object(sub, target)
                    if found is not None:
                        return found
            directory = parent
        return None

    def _descended(self, directory: Path) -> dict[str, list[Path]]:
        """The directories a makefile of ``directory`` names as subdirectories (``sub/``
        words of any variable, obj-y or not), deeper than one level, by their first
        component: ``amd/amdgpu/`` under "amd"."""
        found = self._descents.get(directory)
        if found is not None:
            return found
        out: dict[str, list[Path]] = {}
        words = {w.removeprefix("./") for value in self._descent_lists(directory).values()
                 for w in value.split() if w.endswith("/") and "$" not in w}
        for word in sorted(words):
            first, _, rest = word.partition("/")
            if rest and not word.startswith("../"):
                out.setdefault(first, []).append(Path(os.path.normpath(directory / word)))
        self._descents[directory] = out
        return out

    def _lists_object(self, directory: Path, target: Path) -> BuildStatus | None:
        """The status of ``target`` (an absolute .o path) when ``directory``'s makefile
        lists it, itself or as a part of a composite object, under any option."""
        mk = self.makefile(directory)
        if mk.path is None:
            return None
        lists = {k: v.split() for k, v in mk.values.items() if k.startswith(("obj-", "lib-"))}
        for name, words in lists.items():
            on = {"obj-y": "y", "lib-y": "y", "obj-m": "m"}.get(name, "")
            for word in words:
                if not word.endswith(".o"):
                    continue
                stem = word[:-2]
                parts = [word] + [w for k, v in mk.values.items() if k.startswith(f"{stem}-")
                                  for w in v.split()]
                for part in parts:
                    if Path(os.path.normpath(directory / part)) == target:
                        built = on if on and self._dir_built(directory) else ""
                        rel = os.path.relpath(target, directory)[:-2]
                        modname = stem if part != word else Path(rel).name
                        return BuildStatus(built, modname, directory, rel)
        return None

    def _textual_owner(self, file: Path) -> tuple[Path, str] | None:
        """(directory, stem) of the makefile that names ``file``'s object in its text,
        whatever the configuration (``xfs-$(CONFIG_XFS_ONLINE_SCRUB) += scrub/common.o``
        in fs/xfs/Makefile, or ``nvkm-y += nvkm/engine/gr/gf100.o`` in a Kbuild that
        drivers/gpu/drm/nouveau/Kbuild includes): whose flags the object gets.
        The nearest directory whose path to the file is written that way wins."""
        between: list[Path] = []
        directory = file.parent
        while self.root in directory.parents:
            between.append(directory)
            stem = file.relative_to(directory).with_suffix("").as_posix()
            word = re.compile(rf"(?<![\w/.$-]){re.escape(stem)}\.o(?![\w.])")
            sub, _, leaf = stem.rpartition("/")
            bare = re.compile(rf"(?<![\w/.$-]){re.escape(leaf)}\.o(?![\w.])")
            for d in between:
                for name in ("Kbuild", "Makefile"):
                    text = _text(d / name)
                    if word.search(text) or sub and d == directory and bare.search(text) \
                            and re.search(rf"addprefix\s+{re.escape(sub)}/\s*,", text):
                        return directory, stem
            directory = directory.parent
        return None

    def options_of(self, file: Path) -> list[str]:
        """The options that the makefiles name in the lists that hold ``file``'s object,
        the composite object holding it, or a directory above it, whatever the
        configuration: ``obj-$(CONFIG_TI_K3_AM65_CPTS) += am65-cpts.o``, ``nuss-$(CONFIG_QOS)
        += qos.o`` with ``obj-$(CONFIG_NUSS) += nuss.o``, ``obj-$(CONFIG_SOC_TEGRA) +=
        tegra/``. Read from the text; a list under ``ifdef`` is not followed."""
        out: list[str] = []
        targets = {file.with_suffix(".o")}
        directory = file.parent
        while directory == self.root or self.root in directory.parents:
            lines = [ln for name in ("Kbuild", "Makefile")
                     for ln in _logical_lines(_text(directory / name))]
            grown = True
            while grown:
                grown = False
                for line in lines:
                    m = _OPTION_LIST.match(line)
                    if m is None or not any(self._names(directory, w, t) for w in m[3].split()
                                            for t in targets):
                        continue
                    out += [o for o in (m[2],) if o not in out]
                    if m[1] not in ("obj", "lib"):  # a composite object's list
                        composite = directory / f"{m[1]}.o"
                        grown = composite not in targets
                        targets.add(composite)
            if directory == self.root:
                break
            targets.add(directory)
            directory = directory.parent
        return out

    @staticmethod
    def _names(directory: Path, word: str, target: Path) -> bool:
        """Does ``word`` of ``directory``'s makefile name ``target`` (an object, or a
        directory when the word ends in "/")?"""
        path = Path(os.path.normpath(directory / word.removeprefix("./")))
        return path == target

    def _dir_built(self, directory: Path) -> bool:
        """False when the makefiles above show that make does not descend into ``directory``.

        A directory counts as built when the nearest makefile above lists it in
        obj-y/obj-m/lib-y, or mentions it in some other list (``libs-y +=
        arch/x86/lib/`` of an arch Makefile): what cannot be told is taken as
        built. It is not built when it is only in a list of a disabled option
        (``obj-$(CONFIG_OFF) += sub/``), or when that makefile lists
        subdirectories and not this one (``arch/arm64/`` for an x86 build).
        """
        while directory != self.root and self.root in directory.parents:
            parent = directory.parent
            while parent != self.root and self.makefile(parent).path is None:
                parent = parent.parent
            entry = directory.relative_to(parent).as_posix() + "/"
            relpath = directory.relative_to(self.root).as_posix() + "/"

            def names(word: str, entry: str = entry, relpath: str = relpath) -> bool:
                word = word.removeprefix("./")
                return word == entry or word.startswith(relpath) or f"/{relpath}" in word

            kbuild = self.makefile(parent)
            values = self._descent_lists(parent)
            built = kbuild.words("obj-y") + kbuild.words("obj-m") + kbuild.words("lib-y")
            off = [w for k, v in values.items() if k.endswith(("-", "-n")) for w in v.split()]
            other = [w for v in values.values() for w in v.split()]
            if any(names(w) for w in built):
                pass
            elif any(names(w) for w in off):
                return False
            elif not any(names(w) for w in other) and any(w.endswith("/") for w in built):
                return False
            directory = parent
        return True

    def _descent_lists(self, directory: Path) -> dict[str, str]:
        """The variables of the directory's Kbuild and Makefile. For the top directory,
        its Kbuild and the plain ``core-y``/``libs-y``/... lines of the top Makefile,
        which is not evaluated (it is built around recursive make)."""
        if directory != self.root:
            makefiles = [self._read(directory / n) for n in ("Kbuild", "Makefile")]
            return {k: v for mk in makefiles for k, v in mk.values.items()}
        values = dict(self._read(directory / "Kbuild").values)
        top = directory / "Makefile"
        text = top.read_text(errors="replace") if top.is_file() else ""
        for m in re.finditer(r"^(core|drivers|libs|net|virt|init)-y\s*[:+]?=(.*)$", text, re.M):
            words = [w for w in m[2].split() if "$" not in w]
            values[f"{m[1]}-y"] = (values.get(f"{m[1]}-y", "") + " " + " ".join(words)).strip()
        return values

    def cflags(self, status: BuildStatus) -> list[str]:
        """The -I/-D/-U/-include flags a plain make adds for the object of ``status``."""
        flags: list[str] = []
        directory = status.directory
        chain = [directory, *[p for p in directory.parents if self.root in p.parents]]
        if self.root in directory.parents:
            chain.append(self.root)
        for d in reversed(chain):
            flags += _useful(self.makefile(d).values.get("subdir-ccflags-y", ""))
        mk = self.makefile(directory)
        flags += _useful(mk.values.get("ccflags-y", ""))
        flags += _useful(mk.values.get(f"CFLAGS_{status.stem}.o", ""))
        return flags


def generated_by(root: Path, file: Path, header: str) -> Path | None:
    """The makefile, of ``file``'s directory or one above it, that generates ``header`` at
    build time (it names ``generated/<header>``: msm's register headers, made from XML by
    a script, xe's ``generated/xe_wa_oob.h``); None when none does. Such a header is in
    a built tree only."""
    word = re.compile(rf"(?<![\w.-])generated/{re.escape(Path(header).name)}(?![\w.-])")
    directory = file.parent
    while root in directory.parents:
        for name in ("Kbuild", "Makefile"):
            if word.search(_text(directory / name)):
                return directory / name
        directory = directory.parent
    return None


def copies_shipped(root: Path) -> bool:
    """Whether the tree's Kbuild makes ``$(obj)/X`` from ``$(src)/X_shipped`` (the copy
    rule of scripts/Makefile.lib), as it does for aic7xxx's register headers."""
    return "$(obj)/%: $(src)/%_shipped" in _text(root / "scripts/Makefile.lib")


@functools.lru_cache(maxsize=1024)
def shipped_in(directory: Path) -> tuple[Path, ...]:
    """The ``X_shipped`` files of ``directory``, which a build copies to ``X``."""
    try:
        return tuple(sorted(directory.glob("*_shipped")))
    except OSError:
        return ()


# A list guarded by one option: "obj-$(CONFIG_FOO) += foo.o", "foo-$(CONFIG_BAR) := bar.o".
_OPTION_LIST = re.compile(r"^\s*([\w.-]+)-\$\((CONFIG_\w+)\)\s*[:+]?=(.*)$")

# The makefile lists of programs that are not kernel code, and what each holds.
_PROGRAM_LISTS = {
    "hostprogs": "a program for the build machine",
    "userprogs": "a user-space program",
    "always": "a program built by its directory's own rules",
    "extra": "a program built by its directory's own rules",
}


@functools.lru_cache(maxsize=4096)
def _text(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


def _find_object(mk: Makefile, target: str) -> tuple[str, str] | None:
    """("y"|"m"|"", composite module name or "") when the makefile lists ``target``."""
    builtin = mk.words("obj-y") + mk.words("lib-y")
    modular = mk.words("obj-m")
    if target in builtin:
        return "y", ""
    if target in modular:
        return "m", ""
    for name in builtin + modular:
        if not name.endswith(".o"):
            continue
        stem = name[:-2]
        parts = mk.words(f"{stem}-objs") + mk.words(f"{stem}-y") + mk.words(f"{stem}-m")
        if target in parts:
            return ("y" if name in builtin else "m"), stem
    return None


def _useful(value: str) -> list[str]:
    """Keep the preprocessor flags that shape the AST; drop warnings and codegen flags.

    ``-include`` of a file that does not exist (a generated one) is dropped too.
    """
    try:
        words = shlex.split(value)
    except ValueError:
        words = value.split()
    out: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        if w in ("-I", "-D", "-U", "-include", "-isystem", "-iquote") and i + 1 < len(words):
            if w != "-include" or Path(words[i + 1]).is_file():  # a missing one is fatal
                out += [w, words[i + 1]]
            i += 2
            continue
        if w.startswith(("-I", "-D", "-U")) and len(w) > 2:
            out.append(w)
        i += 1
    return out


# ---- the flags every file of a tree gets ----------------------------------------


def include_args(root: Path, arch: Arch, gen: Path) -> list[str]:
    """LINUXINCLUDE with ``gen`` as the object tree, then the forced includes of c_flags."""
    a = f"arch/{arch.srcarch}/include"
    dirs = [
        root / a,
        gen / a / "generated",
        root / "include",
        gen / "include",
        root / a / "uapi",
        gen / a / "generated/uapi",
        root / "include/uapi",
        gen / "include/generated/uapi",
    ]
    args = ["-nostdinc"]
    seen: set[Path] = set()
    for d in dirs:
        if d not in seen:
            seen.add(d)
            args.append(f"-I{d}")
    for header in ("compiler-version.h", "kconfig.h", "compiler_types.h"):
        path = root / "include/linux" / header
        if path.is_file():
            args += ["-include", str(path)]
    return args


def base_args(root: Path, arch: Arch, gen: Path, config: dict[str, str]) -> list[str]:
    """The clang arguments common to every file of the tree (``gen``: the object tree)."""
    args = include_args(root, arch, gen)
    args += ["-D__KERNEL__", f"--target={arch.target}", "-fintegrated-as"]
    args += common_flags(config)
    args += arch.flags(config)
    return args
