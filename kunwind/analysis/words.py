"""Words as the source writes them: calls, callees and function names for messages.

The model sees C after the preprocessor: ``spin_lock_irqsave(&x->lock, flags)``
is ``_raw_spin_lock_irqsave(spinlock_check(&x->lock))``, ``GFP_KERNEL`` is
``1024 | 2048 | 64 | 128``, ``SYSCALL_DEFINE2(memfd_create, ...)`` defines
``__do_sys_memfd_create``. The walk and the knowledge must work on those
expanded names (the knowledge keys on them), but a reader looks for the words
of the source. So words are taken from the file's text, when a finding is
built (never during the walk): a call's location is where its text starts (the
frontend keeps the macro's invocation for a call a macro makes), and from there
the call as written is read, identifier and balanced parentheses. When the text
cannot be matched to the call, the rendered expression is kept.

Which call a macro's text stands for: the call itself when the text names its
callee; the call written in the macro's arguments (``WARN_ON(foo(x))``: just
``foo(x)``); else the one call the macro makes (the only outermost call at that
location not written in its arguments, or the only one whose callee contains
the macro's name). A finding's identity (its key, its function) never uses
these words, so rewording does not change fingerprints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from kunwind.knowledge.facts import canonical
from kunwind.model.cfg import Function
from kunwind.model.ir import Call, Loc, Store, calls_in, render, stmt_exprs

_IDENT = re.compile(r"[A-Za-z_]\w*")
# string and character literals, and comments: what a scanner steps over as a unit
_LEXEME = r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|/\*.*?\*/|//[^\n]*'
_LEXEMES = re.compile(_LEXEME, re.S)
_TOKEN = re.compile(_LEXEME + r"|\s+|.", re.S)
_MAX_CHARS = 4000  # a call longer than this is not quoted (the rendered text stands)


@dataclass(frozen=True)
class Written:
    """A call-like text in the source: ``name(args)``."""

    name: str  # the identifier it starts with: the callee's, or a macro's
    text: str  # the whole of it, as shown: one line, literals shortened
    args: tuple[str, ...]  # its top-level arguments, as shown
    start: int  # offsets in the file's text
    end: int
    end_line: int


class Source:
    """The text of one file, for reading calls at their locations (lines and byte
    columns as libclang gives them)."""

    def __init__(self, data: bytes) -> None:
        self.raw = data.split(b"\n")

    @cached_property
    def text(self) -> str:
        return "\n".join(ln.decode("utf-8", "replace") for ln in self.raw)

    @cached_property
    def starts(self) -> list[int]:
        out, pos = [], 0
        for ln in self.text.split("\n"):
            out.append(pos)
            pos += len(ln) + 1
        return out

    def offset(self, loc: Loc) -> int:
        """The offset in ``text`` of a line and byte column (-1: not in the file)."""
        if not 0 < loc.line <= len(self.raw) or loc.col < 1:
            return -1
        chars = len(self.raw[loc.line - 1][:loc.col - 1].decode("utf-8", "replace"))
        return self.starts[loc.line - 1] + chars

    def call_at(self, loc: Loc) -> Written | None:
        """The call-like text that starts at ``loc``, or None when there is none."""
        start = self.offset(loc)
        return self.call_from(start) if start >= 0 else None

    def call_from(self, start: int) -> Written | None:
        m = _IDENT.match(self.text, start)
        if m is None or (start > 0 and (self.text[start - 1].isalnum()
                                         or self.text[start - 1] == "_")):
            return None
        scanned = _scan(self.text, m.end())
        if scanned is None:
            return None
        end, args = scanned
        shown = [_shown(a) for a in args]
        text = f"{m.group()}({', '.join(shown)})" if shown != [""] else f"{m.group()}()"
        return Written(m.group(), text, tuple(shown), start, end,
                       self.text.count("\n", 0, end) + 1)

    def calls_of(self, callee: str, within: Written) -> list[Written | None]:
        """The calls of ``callee`` written inside ``within``'s arguments (None: one
        that is not a plain ``name(...)``, such as ``ops->open(x)``)."""
        pattern = re.compile(rf"(?<![\w>.]){re.escape(callee)}(?=\s*\()")
        return [self.call_from(m.start()) for m in
                pattern.finditer(self.text, within.start + len(within.name), within.end)
                if not _in_literal(self.text, within.start, m.start())]


def _scan(text: str, pos: int) -> tuple[int, list[str]] | None:
    """From just after an identifier: the end of its balanced ``(...)`` and the raw
    text of each top-level argument; None when no ``(`` follows, the parentheses do
    not close, or a preprocessor line or a brace interrupts them."""
    m = re.compile(r"\s*").match(text, pos)
    pos = m.end() if m else pos
    if pos >= len(text) or text[pos] != "(":
        return None
    depth, args, arg_start = 0, [], pos + 1
    for tok in _TOKEN.finditer(text, pos, min(len(text), pos + _MAX_CHARS)):
        t = tok.group()
        if t in "([":
            depth += 1
        elif t in ")]":
            depth -= 1
            if depth == 0:
                args.append(text[arg_start:tok.start()])
                return tok.end(), args
        elif t == "," and depth == 1:
            args.append(text[arg_start:tok.start()])
            arg_start = tok.end()
        elif t in "{};" or (t[0].isspace() and re.search(r"\n\s*#", t)):
            return None
    return None


def _shown(raw: str) -> str:
    """An argument on one line: comments dropped, blanks collapsed, string literals
    shortened to ``"..."`` (as the rendered model writes them; adjacent ones are one)."""
    parts: list[str] = []
    for tok in _TOKEN.finditer(raw):
        t = tok.group()
        if t.startswith(("/*", "//")) or t[0].isspace():
            if parts and parts[-1] != " ":
                parts.append(" ")
        elif t.startswith('"'):
            if parts and parts[-1] == " " and len(parts) > 1 and parts[-2] == '"..."':
                parts.pop()
            if not parts or parts[-1] != '"..."':
                parts.append('"..."')
        else:
            parts.append(t)
    out = "".join(parts).strip()
    return re.sub(r"([(\[]) | (?=[)\],])", r"\1", out)


def _in_literal(text: str, start: int, pos: int) -> bool:
    """Is ``pos`` inside a string, character literal or comment that starts after
    ``start``?"""
    for tok in _TOKEN.finditer(text, start, pos + 1):
        if tok.start() <= pos < tok.end():
            return len(tok.group()) > 1 and tok.group()[0] in "\"'/"
    return False


class Words:
    """The words of one function's findings: its calls, callees and name as written."""

    def __init__(self, fn: Function, source: Source | None) -> None:
        self.fn = fn
        self.source = source
        self._memo: dict[Call, tuple[str, Written] | None] = {}
        self._tables: dict[int, dict[str, str]] = {}

    @cached_property
    def calls(self) -> list[Call]:
        """Every call of the function, once each."""
        seen: dict[Call, None] = {}
        for b in self.fn.blocks:
            exprs = [e for s in b.stmts for e in stmt_exprs(s)]
            exprs += [s.target for s in b.stmts if isinstance(s, Store)]
            exprs += [e for e in (b.cond, b.switch) if e is not None]
            for e in exprs:
                seen.update((c, None) for c in calls_in(e))
        return list(seen)

    @cached_property
    def _at(self) -> dict[Loc, list[Call]]:
        out: dict[Loc, list[Call]] = {}
        for c in self.calls:
            out.setdefault(c.loc, []).append(c)
        return out

    def written(self, c: Call) -> tuple[str, Written] | None:
        """(the name it is called by, the call) as the source writes them, or None."""
        if c not in self._memo:
            self._memo[c] = self._written(c)
        return self._memo[c]

    def _written(self, c: Call) -> tuple[str, Written] | None:
        if self.source is None:
            return None
        w = self.source.call_at(c.loc)
        if w is None:
            return None
        if w.name == c.callee:
            return w.name, w
        if c.loc == self.fn.loc:  # a body the macro that defines the function makes
            return None
        inside = self.source.calls_of(c.callee, w)
        if inside:  # written in a macro's arguments: WARN_ON(foo(x)) is foo(x)
            one = inside[0] if len(inside) == 1 else None
            return (c.callee, one) if one is not None else None
        return (w.name, w) if self._made_by(w, c.loc) == c else None

    def _made_by(self, w: Written, loc: Loc) -> Call | None:
        """The one call the macro invocation ``w`` stands for, if one can be told: of
        the calls at its location not written in its arguments, the only outermost
        one, else the only one whose callee holds the macro's name."""
        source = self.source
        assert source is not None
        made = [c for c in self._at.get(loc, []) if not source.calls_of(c.callee, w)]
        outer = [c for c in made if not any(c != o and c in calls_in(o) for o in made)]
        if len(outer) == 1:
            return outer[0]
        named = [c for c in outer if w.name in c.callee]
        return named[0] if len(named) == 1 else None

    def call(self, c: Call) -> str:
        """The call as written (``spin_lock_irqsave(&x->lock, flags)``), else rendered."""
        w = self.written(c)
        return w[1].text if w is not None else render(c)

    def args(self, c: Call) -> tuple[str, ...] | None:
        """The arguments as written (a macro's, for a call a macro makes), or None."""
        w = self.written(c)
        return w[1].args if w is not None else None

    def name(self, callee: str, line: int = 0) -> str:
        """What the source calls ``callee`` by (its calls on ``line`` first, else all of
        the function's): a macro's name when every such call is written as that macro."""
        mine = [c for c in self.calls if c.callee == callee]
        on_line = [c for c in mine if c.loc.line == line]
        names = {w[0] if (w := self.written(c)) is not None else "" for c in on_line or mine}
        if len(names) == 1 and "" not in names:
            return names.pop()
        return canonical(callee)

    def text(self, rendered: str, line: int = 0) -> str:
        """A rendered text (a call, a condition, a store, "zeroed by kzalloc_noprof()")
        with each call in it shown as written (as the calls on ``line`` are written,
        else as every call of the function with that rendering is) and each callee
        mentioned (``name()``) named as the source names it."""
        table = self._table(line)
        calls = "|".join(re.escape(r) for r in sorted(table, key=len, reverse=True))
        pattern = rf"(?<![\w>.])(?:{calls + '|' if calls else ''}(\w+)\(\))"

        def word(m: re.Match[str]) -> str:
            if m.group() in table:
                return table[m.group()]
            return f"{self.name(m.group(1), line)}()" if m.group(1) in self._callees \
                else m.group()

        return re.sub(pattern, word, rendered)

    @cached_property
    def _callees(self) -> frozenset[str]:
        return frozenset(c.callee for c in self.calls)

    def _table(self, line: int) -> dict[str, str]:
        """rendered call -> the call as written, where that is one text."""
        if line not in self._tables:
            near: dict[str, set[str]] = {}
            far: dict[str, set[str]] = {}
            for c in self.calls:
                (near if c.loc.line == line else far).setdefault(render(c), set()).add(
                    self.call(c))
            both = {**far, **near}
            self._tables[line] = {r: next(iter(ws)) for r, ws in both.items()
                                  if len(ws) == 1 and r not in ws}
        return self._tables[line]

    def store(self, s: Store) -> str:
        """A store as written; a store a macro makes (``flags = ...`` inside
        spin_lock_irqsave()) is the macro's call alone."""
        value = s.value
        if isinstance(value, Call) and value.loc == s.loc:
            w = self.written(value)
            if w is not None and w[0] != value.callee:
                return w[1].text
        return self.text(f"{render(s.target)} {s.op} {render(value)}", s.loc.line)

    @cached_property
    def function(self) -> str:
        """The function's name as written: ``SYSCALL_DEFINE2(memfd_create, ...)`` defines
        ``__do_sys_memfd_create``, named ``memfd_create`` here: the macro's argument
        that ends the expanded name, when the body is written after the macro (not a
        wrapper the macro makes with a body of its own)."""
        name = self.fn.name
        w = self.source.call_at(self.fn.loc) if self.source is not None else None
        if w is None or w.name == name or w.end_line >= self.fn.end_line:
            return name
        for a in w.args:
            if _IDENT.fullmatch(a) and a != name and name.endswith(a):
                return a
        return name


def file_comments(data: bytes) -> tuple[tuple[int, str], ...]:
    """A file's comments (not what a string literal holds), each with the line it
    starts on."""
    text = data.decode("utf-8", "replace")
    out, line, pos = [], 1, 0
    for m in _LEXEMES.finditer(text):
        if m.group()[0] == "/":
            line += text.count("\n", pos, m.start())
            pos = m.start()
            out.append((line, m.group()))
    return tuple(out)
