"""The mutants of bench/mutation.py: one error-path bug injected into one function.

``find_mutants(path, text, args, kb)`` parses ``text`` with libclang (``args``:
the file's clang arguments, as kunwind chooses them) and lists, for each
function the file defines, every place where each kind of bug can be
injected, as a ``Mutant``: a byte range of the file and its replacement. The
places are read from libclang's cursors and tokens (statement extents, the
label a ``goto`` names, a call's arguments); a call is a release, and of which
kind, by kunwind's knowledge (``rules/knowledge/``).

An *error path* statement is a direct statement of a block that ends in an
error jump and is either under a label that some ``goto`` targets (an unwind
ladder) or the body of an ``if`` that jumps (``if (err) { kfree(p); return
-EIO; }``). An error jump is a ``goto`` down to a label (back to one only when
it returns an error: not a retry) or a ``return`` of an error: a negative
value, ``ERR_PTR()``, ``NULL``, ``false`` or an integer variable; not 0 or
another constant (``IRQ_HANDLED``), ``true``, or a pointer variable (``return
found;``: a lookup may return its object locked on purpose). (Before
2026-12-06 any ``goto`` and any ``return`` but ``return 0;`` counted:
bench/results/mutation-seed1.json has such mutants.)

The kinds (``KINDS``) and the checks expected to report them:

- ``drop-release``: an error-path release (not a lock or runtime-PM drop)
  deleted: KU002 (a leak);
- ``drop-errno``: ``ret = -E...;`` deleted right before a ``goto`` (not in the
  branch of a test of ``ret``, which holds an error there already): KU004;
- ``goto-next-label``: ``goto A`` becomes ``goto B``, B the next label down the
  ladder (fall-through from A): the releases between A and B are skipped,
  unwinding too little: KU002 (KU005 when only locks are skipped);
- ``double-release``: an error-path release (not a lock) written twice: KU003;
- ``use-after-release``: ``(void)*(P);`` inserted after an error-path release
  of P (memory, a mapping, a reference; P points to a complete type): KU006;
- ``drop-unlock``: an error-path unlock or runtime-PM put deleted, when the
  function drops that lock with the same statement elsewhere too: KU005.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kunwind.frontend import clang_lib as cl
from kunwind.frontend.clang_parse import BASE_ARGS
from kunwind.knowledge import Kind, Knowledge

KINDS = ("drop-release", "drop-errno", "goto-next-label", "double-release",
         "use-after-release", "drop-unlock")
EXPECTED = {"drop-release": ("KU002",), "drop-errno": ("KU004",),
            "goto-next-label": ("KU002", "KU005"), "double-release": ("KU003",),
            "use-after-release": ("KU006",), "drop-unlock": ("KU005",)}
# releases that end the object's life (KU006 counts only these)
LIFE_ENDING = {Kind.MEMORY, Kind.PAGES, Kind.CACHE, Kind.POOL, Kind.MAPPING, Kind.DMA,
               Kind.REFERENCE}
OPEN = {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}
NOISE = {"(", ")", "likely", "unlikely"}
ERRNO_SET = re.compile(r"^(\w+)=-E[A-Z0-9_]+$")


@dataclass(frozen=True)
class Mutant:
    kind: str
    function: str
    start: int  # the byte range of the original that is replaced
    end: int
    replacement: bytes
    line: int  # the line of the edit (1-based, the same in the original and the mutant)
    what: str  # the statement or goto it is about, for the report
    note: str = ""  # drop-errno: "declared without a value" when the variable is

    @property
    def expected(self) -> tuple[str, ...]:
        return EXPECTED[self.kind]

    def apply(self, text: bytes) -> bytes:
        return text[:self.start] + self.replacement + text[self.end:]

    def shift(self, text: bytes) -> int:
        """How many lines the edit adds (negative: removes)."""
        return self.replacement.count(b"\n") - text[self.start:self.end].count(b"\n")


@dataclass
class Stmt:
    """A direct statement of a block: its cursor, the labels before it, its bytes."""

    cursor: Any
    labels: list[str]
    start: int
    end: int  # after its ';' (or its closing '}')


@dataclass
class Call:
    """A statement that is one call ``name(args);``."""

    stmt: Stmt
    name: str
    args: list[str]  # each argument's text
    arg_cursors: list[Any]  # [] when the call is a macro's


def find_mutants(path: Path, text: bytes, args: list[str], kb: Knowledge) -> list[Mutant]:
    ci = cl.cindex()
    name = str(path)
    tu = ci.Index.create().parse(name, args=[*args, *BASE_ARGS], unsaved_files=[(name, text)],
                                 options=0x200)  # KeepGoing
    out: list[Mutant] = []
    for fn in tu.cursor.get_children():
        if (fn.kind == ci.CursorKind.FUNCTION_DECL and fn.is_definition()
                and fn.location.file is not None and fn.location.file.name == name
                and fn.result_type.kind != ci.TypeKind.VOID):
            out.extend(FunctionMutants(ci, fn, text, kb).all())
    return out


class FunctionMutants:
    """The mutants of one function definition."""

    def __init__(self, ci: Any, fn: Any, text: bytes, kb: Knowledge) -> None:
        self.ci, self.fn, self.text, self.kb = ci, fn, text, kb
        self.name: str = fn.spelling
        self.file: str = fn.location.file.name
        body = [c for c in fn.get_children() if c.kind == ci.CursorKind.COMPOUND_STMT]
        ifs = [list(c.get_children()) for c in self.walk(fn, ci.CursorKind.IF_STMT)]
        self.then_branches = {self.extent(kids[1]) for kids in ifs}
        # each then-branch's condition, its tokens but parentheses and likely()
        self.tested = {self.extent(kids[1]): [t.spelling for t in kids[0].get_tokens()
                                              if t.spelling not in NOISE]
                       for kids in ifs}
        compounds = list(self.walk(body[0], ci.CursorKind.COMPOUND_STMT)) if body else []
        self.blocks = [self.block(b) for b in compounds]
        self.block_extents = [self.extent(b) for b in compounds]
        self.gotos = list(self.walk(fn, ci.CursorKind.GOTO_STMT))
        labels = {c.spelling: c.extent.start.offset
                  for c in self.walk(fn, ci.CursorKind.LABEL_STMT)}
        # the labels some goto jumps down to (not a retry loop's)
        self.targets = {self.goto_label(g) for g in self.gotos
                        if g.extent.start.offset < labels.get(self.goto_label(g), -1)}
        self.error_stmts = [s for b, parent in self.blocks for s in self.on_error_path(b, parent)]

    def all(self) -> list[Mutant]:
        calls = [c for c in (self.call(s) for s in self.error_stmts) if c is not None]
        releases = [c for c in calls if self.kb.release(c.name) is not None]
        frees = [c for c in releases if not self.kb.released_kind(c.name).is_hold]
        holds = [c for c in releases if self.kb.released_kind(c.name).is_hold]
        out = [self.delete(c.stmt, "drop-release") for c in frees]
        out += [self.duplicate(c) for c in frees]
        out += [m for c in frees if (m := self.use_after(c)) is not None]
        out += [self.delete(c.stmt, "drop-unlock") for c in holds if self.dropped_elsewhere(c)]
        out += self.errno_drops()
        out += self.retargets()
        return out

    # -- reading the function

    def walk(self, cursor: Any, kind: Any) -> Iterator[Any]:
        for c in cursor.walk_preorder():
            if c.kind == kind:
                yield c

    def block(self, compound: Any) -> tuple[list[Stmt], bool]:
        """A block's direct statements, and whether it is the then-branch of an ``if``."""
        stmts: list[Stmt] = []
        for child in compound.get_children():
            labels: list[str] = []
            while child.kind == self.ci.CursorKind.LABEL_STMT:
                labels.append(child.spelling)
                inner = list(child.get_children())
                if not inner:
                    break
                child = inner[0]
            span = self.span(child)
            if span is not None:
                stmts.append(Stmt(child, labels, *span))
        return stmts, self.extent(compound) in self.then_branches

    def extent(self, c: Any) -> tuple[int, int]:
        return c.extent.start.offset, c.extent.end.offset

    def span(self, c: Any) -> tuple[int, int] | None:
        """The bytes of a statement up to its ';', when it is written in this file
        (not produced by a macro whose text is elsewhere)."""
        start, end = c.extent.start, c.extent.end
        if start.file is None or start.file.name != self.file or end.file is None \
                or end.file.name != self.file or end.offset <= start.offset:
            return None
        stop = end.offset
        if self.text[stop - 1:stop] != b"}":
            rest = self.text[stop:stop + 200]
            gap = len(rest) - len(rest.lstrip())
            if rest[gap:gap + 1] != b";":
                return None
            stop += gap + 1
        return start.offset, stop

    def is_jump(self, s: Stmt) -> bool:
        k = self.ci.CursorKind
        return s.cursor.kind in (k.GOTO_STMT, k.RETURN_STMT)

    def is_error_jump(self, s: Stmt) -> bool:
        """A ``goto`` down to a label, or back to one that returns an error (not a
        retry: ``goto again``), or a ``return`` of an error."""
        if s.cursor.kind == self.ci.CursorKind.GOTO_STMT:
            label = self.goto_label(s.cursor)
            return label in self.targets or self.label_returns_error(label)
        return s.cursor.kind == self.ci.CursorKind.RETURN_STMT and self.returns_error(s)

    def label_returns_error(self, label: str) -> bool:
        """Do the statements under ``label`` end in a ``return`` of an error (``err:
        *value = -1; return -EINVAL;``)?"""
        for stmts, _ in self.blocks:
            for i, s in enumerate(stmts):
                if label in s.labels:
                    jump = next((t for t in stmts[i:] if self.is_jump(t)), None)
                    return jump is not None and \
                        jump.cursor.kind == self.ci.CursorKind.RETURN_STMT and \
                        self.returns_error(jump)
        return False

    def returns_error(self, s: Stmt) -> bool:
        """Does the ``return`` give back an error: a negative value (``-EINVAL``),
        ``ERR_PTR()``, ``NULL``, ``false``, or an integer variable (``ret``, which may
        hold one)? Not 0, nor a constant (``IRQ_HANDLED``, ``NETDEV_TX_OK``), nor a
        pointer variable (``return path;``: the object found), nor ``true``: the
        statements before such a return are no error path, and a lock held there may
        be held on purpose (a lookup that returns its object locked)."""
        words = self.words(s)[1:-1]
        if not words:
            return False
        if words[0] == "-" or words[0] in ("ERR_PTR", "ERR_CAST") or words in (["NULL"],
                                                                               ["false"]):
            return True
        kids = list(s.cursor.get_children())
        e = kids[0] if kids else None
        k = self.ci.CursorKind
        while e is not None and e.kind in (k.UNEXPOSED_EXPR, k.PAREN_EXPR, k.CSTYLE_CAST_EXPR):
            inner = list(e.get_children())
            e = inner[-1] if inner else None
        if e is None or e.kind != k.DECL_REF_EXPR or e.referenced is None or \
                e.referenced.kind not in (k.VAR_DECL, k.PARM_DECL):
            return False
        return e.type.get_canonical().kind != self.ci.TypeKind.POINTER

    def words(self, s: Stmt) -> list[str]:
        return [t.spelling for t in s.cursor.get_tokens()] + [";"]

    def on_error_path(self, stmts: list[Stmt], then_branch: bool) -> list[Stmt]:
        """The statements of one block that are on an error path (see the module)."""
        out: list[Stmt] = []
        in_ladder = False
        for i, s in enumerate(stmts):
            in_ladder = in_ladder or any(label in self.targets for label in s.labels)
            jump = next((t for t in stmts[i:] if self.is_jump(t)), None)
            if jump is not None and not self.is_jump(s) and (in_ladder or then_branch) \
                    and self.is_error_jump(jump):
                out.append(s)
            if self.is_jump(s):
                in_ladder = False
        return out

    def call(self, s: Stmt) -> Call | None:
        """``s`` as ``name(args);`` (read from its tokens), else None."""
        toks = list(s.cursor.get_tokens())
        if len(toks) < 3 or toks[1].spelling != "(" or toks[-1].spelling != ")":
            return None
        if not re.fullmatch(r"\w+", toks[0].spelling):
            return None
        args, depth, first = [], 0, 2
        for i, t in enumerate(toks[1:-1], 1):
            depth += OPEN.get(t.spelling, 0)
            if depth == 1 and t.spelling == "," or i == len(toks) - 2:
                last = i - 1 if t.spelling == "," else i
                if last >= first:
                    args.append(self.text[toks[first].extent.start.offset:
                                          toks[last].extent.end.offset].decode("latin-1"))
                first = i + 1
            if depth == 0:
                return None  # the call ends before the statement does
        kids = list(s.cursor.get_arguments()) if s.cursor.kind == self.ci.CursorKind.CALL_EXPR \
            and s.cursor.spelling == toks[0].spelling else []
        return Call(s, toks[0].spelling, args, kids)

    def goto_label(self, g: Any) -> str:
        refs = [c.spelling for c in g.get_children() if c.kind == self.ci.CursorKind.LABEL_REF]
        return refs[0] if refs else ""

    def dropped_elsewhere(self, c: Call) -> bool:
        """Does the function drop the same hold with the same statement elsewhere?"""
        mine = self.source(c.stmt)
        return any(self.source(s) == mine and s.start != c.stmt.start
                   for b, _ in self.blocks for s in b)

    def source(self, s: Stmt) -> bytes:
        return b"".join(self.text[s.start:s.end].split())

    def line_of(self, offset: int) -> int:
        return self.text.count(b"\n", 0, offset) + 1

    # -- the edits

    def whole_lines(self, s: Stmt) -> tuple[int, int]:
        """The statement's lines when it is alone on them, else its own bytes."""
        bol = self.text.rfind(b"\n", 0, s.start) + 1
        eol = self.text.find(b"\n", s.end)
        eol = len(self.text) if eol < 0 else eol
        if self.text[bol:s.start].strip() or self.text[s.end:eol].strip():
            return s.start, s.end
        return bol, min(eol + 1, len(self.text))

    def mutant(self, kind: str, start: int, end: int, new: bytes, what: Stmt | str,
               note: str = "") -> Mutant:
        text = what if isinstance(what, str) else self.text[what.start:what.end].decode("latin-1")
        return Mutant(kind, self.name, start, end, new, self.line_of(start),
                      " ".join(text.split()), note)

    def delete(self, s: Stmt, kind: str, note: str = "") -> Mutant:
        start, end = self.whole_lines(s)
        return self.mutant(kind, start, end, b"", s, note)

    def uninitialised(self, var: str) -> str:
        """A note when the function's local ``var`` is declared without a value."""
        for d in self.walk(self.fn, self.ci.CursorKind.VAR_DECL):
            if d.spelling == var and not list(d.get_children()):
                return "declared without a value"
        return ""

    def indent(self, s: Stmt) -> bytes:
        bol = self.text.rfind(b"\n", 0, s.start) + 1
        lead = self.text[bol:s.start]
        return lead if not lead.strip() else b"\t"

    def insert_after(self, s: Stmt, kind: str, line: bytes) -> Mutant:
        new = b"\n" + self.indent(s) + line
        return self.mutant(kind, s.end, s.end, new, s)

    def duplicate(self, c: Call) -> Mutant:
        return self.insert_after(c.stmt, "double-release", self.text[c.stmt.start:c.stmt.end])

    def use_after(self, c: Call) -> Mutant | None:
        """``(void)*(P);`` after the release of P, when P points to a complete type and
        the release ends its life."""
        rel = self.kb.release(c.name)
        if rel is None or self.kb.released_kind(c.name) not in LIFE_ENDING:
            return None
        if rel.arg >= len(c.arg_cursors) or rel.arg >= len(c.args):
            return None
        arg = c.arg_cursors[rel.arg]
        while arg.kind == self.ci.CursorKind.UNEXPOSED_EXPR and len(list(arg.get_children())) == 1:
            arg = next(arg.get_children())
        t = arg.type.get_canonical()
        if t.kind != self.ci.TypeKind.POINTER:
            return None
        pointee = t.get_pointee()
        if pointee.kind == self.ci.TypeKind.VOID or pointee.get_size() <= 0:
            return None
        if not re.fullmatch(r"[\w.>\-]+", c.args[rel.arg]):  # a name or a chain of members
            return None
        use = f"(void)*({c.args[rel.arg]});".encode()
        return self.insert_after(c.stmt, "use-after-release", use)

    def errno_drops(self) -> list[Mutant]:
        """``ret = -E...;`` right before a ``goto``, in a function that returns ``ret``;
        not in the branch of a test of ``ret`` itself (``if (ret) { ret = -EINVAL; goto
        out; }``: ``ret`` holds an error there already, deleting the line is no bug)."""
        returned = {tuple(t.spelling for t in r.get_tokens())[1:]
                    for r in self.walk(self.fn, self.ci.CursorKind.RETURN_STMT)}
        out = []
        for (stmts, _), extent in zip(self.blocks, self.block_extents, strict=True):
            for s, nxt in zip(stmts, stmts[1:], strict=False):
                m = ERRNO_SET.match("".join(t.spelling for t in s.cursor.get_tokens()))
                if m and nxt.cursor.kind == self.ci.CursorKind.GOTO_STMT and not nxt.labels \
                        and (m.group(1),) in returned \
                        and not self.holds_error(m.group(1), self.tested.get(extent, [])):
                    out.append(self.delete(s, "drop-errno", self.uninitialised(m.group(1))))
        return out

    def holds_error(self, var: str, cond: list[str]) -> bool:
        """Does a branch taken when ``cond`` holds find ``var`` holding an error already
        (``if (ret)``, ``if (ret < 0)``, ``if (ret != 0)``)?"""
        return cond in ([var], [var, "<", "0"], [var, "!=", "0"])

    def retargets(self) -> list[Mutant]:
        """``goto A`` -> ``goto B``, B the next label after A that A falls through to,
        when a release lies between them."""
        nxt: dict[str, str] = {}
        for stmts, _ in self.blocks:
            current: str | None = None
            released = False
            for s in stmts:
                here = [label for label in s.labels if label in self.targets]
                if here and current is not None and released:
                    nxt[current] = here[0]
                if here:
                    current, released = here[-1], False
                c = self.call(s)
                released = released or (c is not None and self.kb.release(c.name) is not None)
                if self.is_jump(s):
                    current = None
        out = []
        for g in self.gotos:
            label = self.goto_label(g)
            toks = [t for t in g.get_tokens() if t.spelling == label]
            if label in nxt and toks and toks[0].location.file is not None \
                    and toks[0].location.file.name == self.file:
                tok = toks[0].extent
                out.append(self.mutant("goto-next-label", tok.start.offset, tok.end.offset,
                                       nxt[label].encode(), f"goto {label} -> goto {nxt[label]}"))
        return out
