"""Run kunwind on every fixture and require exactly the findings it states.

A fixture (``fixtures/<rule dir>/*.c``) marks each expected finding on the
line where it is reported, with ``expect:`` and one or more rule ids in a
comment: ``unlink_anon_vmas(vma); /* expect: KU001 */``. A fixture without a
marker expects no finding at all.

Every expected finding also states its message, exactly as kunwind prints it,
in the comment that ends the file (so that no code line moves), one entry per
finding, keyed by the marker's line and rule id::

    /*
     * expect-message: line 287 KU001:
     *   unlink_anon_vmas(vma) in anon_vma_fork() tears down 'vma' on an error path
     *   where its set-up is incomplete: ...
     *
     * expect-message: line 301 KU002: foo() leaks 'p' on an error path: ...
     */

An entry is ``expect-message: line N ID:`` and the message, on the same line
or on the lines below it; its lines, stripped of the comment's ``*`` and of
surrounding blanks, are joined with single spaces, so a message can be wrapped
at any blank. A blank comment line or the comment's end closes the entry. The
text is compared exactly: no patterns, as kunwind's messages are
deterministic. A marker without an entry, an entry without a marker, and an
entry outside that last comment are mistakes (``MarkerError``).

The test compares the exact set of ``(line, rule id, message)``: a missing
finding, an unexpected one and a different message all fail, with a word diff
of the messages; so does a fixture that does not parse cleanly (any notice).
``tests/update_fixture_messages.py`` rewrites the entries from kunwind's
current output, for review with ``git diff``; the tests never run it.

Fixtures include ``fixtures/include/kernel.h``, passed with ``-I``. See
``fixtures/README.md``.
"""

from __future__ import annotations

import difflib
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
INCLUDE = FIXTURES / "include"

# fixtures/learn/ is checked as one run (tests/test_learn.py): its findings need
# what the other files of the directory teach
RUN_FIXTURES = FIXTURES / "learn"
FIXTURE_FILES = sorted(p for p in FIXTURES.rglob("*.c")
                       if INCLUDE not in p.parents and RUN_FIXTURES not in p.parents)

# ``expect:`` then the ids, separated by blanks or commas. ``\b`` keeps
# prose such as "Expected:" in a header comment from counting as a marker.
MARKER = re.compile(r"\bexpect:(?P<ids>[^*\n]*)")
RULE_ID = re.compile(r"^[A-Z]{2}\d{3}$")
# ``expect-message: line N ID:`` then the message (or nothing: it starts below)
MESSAGE = re.compile(r"\bexpect-message:(?P<rest>.*)$")
MESSAGE_HEAD = re.compile(r"^\s*line\s+(?P<line>\d+)\s+(?P<id>[^\s:]*)\s*:(?P<text>.*)$")
# the columns a rendered entry may fill, its comment's " *   " included
WIDTH = 90
LINE_NUMBER = re.compile(r"\blines? \d+")
UPDATE_HINT = ("to take kunwind's current messages: python tests/update_fixture_messages.py "
               "FILE, then review the change with git diff")


class MarkerError(ValueError):
    """A malformed ``expect:`` marker or ``expect-message:`` entry, or one without the other."""


@dataclass(frozen=True, order=True)
class Expected:
    line: int
    rule_id: str
    message: str


def parse_ids(text: str) -> set[tuple[int, str]]:
    """The ``(line, rule id)`` pairs that the ``expect:`` markers in ``text`` name.

    Lines count from 1, as compilers and kunwind count them. A marker with no
    id, or with a word that is not an id, is a mistake in the fixture and
    raises ``MarkerError`` rather than silently expecting nothing.
    """
    out: set[tuple[int, str]] = set()
    for lineno, line in enumerate(text.splitlines(), start=1):
        for m in MARKER.finditer(line):
            words = [w for w in re.split(r"[\s,]+", m.group("ids").strip()) if w]
            if not words:
                raise MarkerError(f"line {lineno}: 'expect:' names no rule id")
            for w in words:
                if not RULE_ID.match(w):
                    raise MarkerError(f"line {lineno}: 'expect:' names {w!r}, not a rule id")
                out.add((lineno, w))
    return out


def closing_comment(lines: list[str]) -> int | None:
    """The index of the first line of the block comment that ends the file, if one does
    (on lines of its own: it may not share its first line with code)."""
    end = len(lines) - 1
    while end >= 0 and not lines[end].strip():
        end -= 1
    if end < 0 or not lines[end].rstrip().endswith("*/"):
        return None
    for i in range(end, -1, -1):
        if "/*" in lines[i]:
            return i if lines[i].lstrip().startswith("/*") else None
    return None


def _comment_text(line: str) -> tuple[str, bool]:
    """One line of a block comment: its text without ``/*``, the leading ``*`` and
    ``*/``, and whether the comment ends on it."""
    s = line.strip()
    ends = "*/" in s
    if ends:
        s = s[: s.index("*/")]
    if s.startswith("/*"):
        s = s[2:]
    elif s.startswith("*"):
        s = s[1:]
    return s.strip(), ends


def parse_messages(text: str) -> list[tuple[int, Expected]]:
    """The ``expect-message:`` entries of ``text``: each with the line it starts on.

    Raises ``MarkerError`` for an entry that is malformed, repeated, outside
    the comment that ends the file, or for text in that comment that belongs
    to no entry.
    """
    lines = text.splitlines()
    start = closing_comment(lines)
    out: list[tuple[int, Expected]] = []
    head: tuple[int, int, str] | None = None  # line of the entry, its key's line and id
    parts: list[str] = []

    def close() -> None:
        nonlocal head
        if head is None:
            return
        lineno, line, rule_id = head
        message = " ".join(parts)
        if not message:
            raise MarkerError(f"line {lineno}: 'expect-message: line {line} {rule_id}:'"
                              " states no message")
        e = Expected(line, rule_id, message)
        if any(e == seen for _, seen in out):
            raise MarkerError(f"line {lineno}: the same 'expect-message:' entry again")
        out.append((lineno, e))
        head = None
        parts.clear()

    in_block = False  # inside the closing comment, once it holds an entry
    for i, raw in enumerate(lines):
        lineno = i + 1
        m = MESSAGE.search(raw)
        if m:
            if start is None or i < start:
                raise MarkerError(f"line {lineno}: 'expect-message:' must be in the comment"
                                  " that ends the file, so that it moves no line of code")
            close()
            h = MESSAGE_HEAD.match(m.group("rest"))
            if not h:
                raise MarkerError(f"line {lineno}: 'expect-message:' must go on with"
                                  " 'line N ID:' and the message")
            if not RULE_ID.match(h.group("id")):
                raise MarkerError(f"line {lineno}: 'expect-message:' names"
                                  f" {h.group('id')!r}, not a rule id")
            head = (lineno, int(h.group("line")), h.group("id"))
            first, ends = h.group("text"), "*/" in h.group("text")
            first = (first[: first.index("*/")] if ends else first).strip()
            parts.extend([first] if first else [])
            in_block = True
            if ends:
                close()
            continue
        if not in_block:
            continue
        body, ends = _comment_text(raw)
        if body and head is None:
            raise MarkerError(f"line {lineno}: text in the 'expect-message:' comment that"
                              " belongs to no entry (start it with 'expect-message:')")
        if body:
            parts.append(body)
        if not body or ends:
            close()
    close()
    return out


def parse_markers(text: str) -> set[Expected]:
    """The findings that the ``expect:`` markers of ``text`` and their
    ``expect-message:`` entries ask for: ``(line, rule id, message)``.

    Every marker needs at least one entry (several when several findings of
    that rule share the line) and every entry needs its marker; anything else
    raises ``MarkerError``, as a malformed marker does.
    """
    ids = parse_ids(text)
    entries = parse_messages(text)
    stated = {(e.line, e.rule_id) for _, e in entries}
    for lineno, e in entries:
        if (e.line, e.rule_id) not in ids:
            raise MarkerError(f"line {lineno}: 'expect-message: line {e.line} {e.rule_id}:'"
                              f" has no 'expect: {e.rule_id}' marker on line {e.line}")
    unstated = sorted(ids - stated)
    if unstated:
        line, rule_id = unstated[0]
        raise MarkerError(f"line {line}: 'expect: {rule_id}' has no 'expect-message: line"
                          f" {line} {rule_id}:' entry; every expected finding states its"
                          " message")
    return {e for _, e in entries}


def render_messages(expected: set[Expected]) -> str:
    """The comment that states these findings' messages, to end a fixture with.

    Messages are wrapped at blanks to ``WIDTH`` columns. A message that
    ``parse_messages`` would not read back as it is (two blanks in a row, a
    comment delimiter) raises ``ValueError``.
    """
    out = ["/*"]
    for n, e in enumerate(sorted(expected)):
        if ("*/" in e.message or "/*" in e.message or "\0" in e.message
                or " ".join(e.message.split()) != e.message):
            raise ValueError(f"line {e.line} {e.rule_id}: message cannot be written in a"
                             f" comment as it is: {e.message!r}")
        out += [" *"] if n else []
        out.append(f" * expect-message: line {e.line} {e.rule_id}:")
        # no break inside "line 49": NUL holds the blank while wrapping
        glued = LINE_NUMBER.sub(lambda m: m.group(0).replace(" ", "\0"), e.message)
        out += [f" *   {part}".replace("\0", " ") for part in textwrap.wrap(
            glued, WIDTH - 5, break_long_words=False, break_on_hyphens=False)]
    out.append(" */")
    return "\n".join(out) + "\n"


def rule_dir(rule_id: str) -> Path:
    """Where a rule's fixtures live: ``fixtures/ku001/`` for KU001."""
    return FIXTURES / rule_id.lower()


def fixture_id(path: Path) -> str:
    return path.relative_to(FIXTURES).as_posix()


def run_kunwind(path: Path):
    from kunwind.config import Options
    from kunwind.driver import check_paths

    return check_paths([path], Options(root=ROOT, extra_args=["-I", str(INCLUDE)],
                                       experimental=True))


def word_diff(old: str, new: str) -> str:
    """``new`` against ``old`` word by word, as ``git diff --word-diff`` shows it."""
    a, b = old.split(" "), new.split(" ")
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out += a[i1:i2]
            continue
        if i2 > i1:
            out.append("[-" + " ".join(a[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(out)


def describe_mismatch(name: str, lines: list[str], expected: set[Expected],
                      got: set[Expected]) -> str:
    """A readable diff of two sets of findings: each missing, each unexpected
    finding, and each message that differs, as a word diff. ``lines`` is the
    fixture's source, to quote the reported lines."""

    def src(n: int) -> str:
        return lines[n - 1].strip() if 0 < n <= len(lines) else "<no such line>"

    out = [f"{name}: findings differ from the expect: markers and expect-message: entries"]
    missing = sorted(expected - got)
    extra = sorted(got - expected)
    for e in list(missing):
        others = [f for f in extra if (f.line, f.rule_id) == (e.line, e.rule_id)]
        if len(others) == 1 and sum((m.line, m.rule_id) == (e.line, e.rule_id)
                                    for m in missing) == 1:
            f = others[0]
            missing.remove(e)
            extra.remove(f)
            out += [f"  message of {e.rule_id} at line {e.line} differs: {src(e.line)}",
                    f"    expected: {e.message}",
                    f"    got:      {f.message}",
                    f"    diff:     {word_diff(e.message, f.message)}"]
    for e in missing:
        out += [f"  missing    {e.rule_id} at line {e.line}: {src(e.line)}",
                f"             expected message: {e.message}"]
    for f in extra:
        out += [f"  unexpected {f.rule_id} at line {f.line}: {src(f.line)}",
                f"             message: {f.message}"]
    matched = sorted(expected & got)
    if matched:
        out.append("  matched    " + ", ".join(f"{e.rule_id}@{e.line}" for e in matched))
    if any(e.startswith("  message of") for e in out):
        out.append(f"  ({UPDATE_HINT})")
    return "\n".join(out)


def expected_findings(path: Path, name: str) -> set[Expected]:
    """``parse_markers`` of a fixture, a ``MarkerError`` turned into a test failure."""
    try:
        return parse_markers(path.read_text())
    except MarkerError as e:
        error = e
    pytest.fail(f"{name}: {error}\n({UPDATE_HINT})", pytrace=False)


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=[fixture_id(p) for p in FIXTURE_FILES])
def test_fixture(path: Path) -> None:
    expected = expected_findings(path, fixture_id(path))
    run = run_kunwind(path)

    assert len(run.files) == 1, f"{fixture_id(path)}: expected one analysed file, got {run.files!r}"
    result = run.files[0]
    notices = [f"  {n.level}: {n.file}:{n.line}: {n.message}" for n in result.notices]
    assert not notices, f"{fixture_id(path)}: a fixture must analyse cleanly:\n" + "\n".join(
        notices
    )
    assert result.parsed, f"{fixture_id(path)}: not parsed"

    got = {Expected(f.line, f.rule_id, f.message) for f in run.findings}
    if got != expected:
        lines = path.read_text(errors="replace").splitlines()
        pytest.fail(describe_mismatch(fixture_id(path), lines, expected, got), pytrace=False)


def test_fixtures_exist() -> None:
    assert FIXTURE_FILES, f"no fixtures under {FIXTURES}"


def test_every_rule_has_bad_and_good_fixtures() -> None:
    from kunwind.rules import ALL_RULES

    problems = []
    for rule in ALL_RULES:
        files = sorted(rule_dir(rule.id).glob("*.c"))
        marked = {p: {rule_id for _, rule_id in parse_ids(p.read_text())} for p in files}
        bad = [p for p, ids in marked.items() if rule.id in ids]
        good = [p for p, ids in marked.items() if not ids]
        where = rule_dir(rule.id).relative_to(ROOT).as_posix()
        if not bad:
            problems.append(f"{rule.id}: no fixture in {where}/ expects it (bad example)")
        if not good:
            problems.append(f"{rule.id}: no fixture in {where}/ without markers (good example)")
    assert not problems, "\n".join(problems)


def test_every_marker_names_a_known_rule() -> None:
    from kunwind.rules import ALL_RULES

    known = {r.id for r in ALL_RULES}
    unknown = [
        f"{fixture_id(p)}:{line}: {rule_id}"
        for p in FIXTURE_FILES
        for line, rule_id in sorted(parse_ids(p.read_text()))
        if rule_id not in known
    ]
    assert not unknown, "markers name rules that do not exist:\n" + "\n".join(unknown)


# ---- the marker parser itself ------------------------------------------------


def with_messages(code: list[str], *expected: Expected) -> str:
    """``code`` ended by the comment that states ``expected``'s messages."""
    return "\n".join(code) + "\n\n" + render_messages(set(expected))


def test_parse_markers_single_and_several_ids() -> None:
    code = [
        "int f(void)",
        "{",
        "\tunlink_anon_vmas(vma); /* expect: KU001 */",
        "\tfoo_teardown(p); /* expect: KU001 KU002 */",
        "\tbar(p); // expect: KU003, KU006",
        "}",
    ]
    expected = {
        Expected(3, "KU001", "a"),
        Expected(4, "KU001", "b"),
        Expected(4, "KU002", "c"),
        Expected(5, "KU003", "d"),
        Expected(5, "KU006", "e"),
    }
    assert parse_ids("\n".join(code)) == {(e.line, e.rule_id) for e in expected}
    assert parse_markers(with_messages(code, *expected)) == expected


def test_parse_markers_ignores_prose_and_unmarked_files() -> None:
    text = "/*\n * Expected: one KU001 at foo_teardown(priv).\n * Nothing expected here.\n */\n"
    assert parse_markers(text) == set()
    assert parse_markers("") == set()


def test_parse_markers_counts_lines_from_one() -> None:
    one = "x; /* expect: KU004 */\n/* expect-message: line 1 KU004: f() returns 0 */\n"
    assert parse_markers(one) == {Expected(1, "KU004", "f() returns 0")}
    four = "\n\n\nx; /*expect:KU004*/\n/*\n * expect-message: line 4 KU004: g()\n */"
    assert parse_markers(four) == {Expected(4, "KU004", "g()")}


def test_parse_markers_message_as_written_by_hand() -> None:
    text = """\
int f(void)
{
\tkfree(p); /* expect: KU003 */
\treturn ret; /* expect: KU002 KU004 */
}

/*
 * expect-message: line 3 KU003: *p in f() is released twice
 *
 * expect-message: line 4 KU002:
 *   f() leaks 'q' on an error path: acquired by kmalloc() at line 2,
 *     still held at the error exit at line 4;
 *   *q is never cleared (the same at 1 more place: line 9)
 * expect-message: line 4 KU004: f() returns 'ret' on an error path,
 * but 'ret' still holds 0 */
"""
    assert parse_markers(text) == {
        Expected(3, "KU003", "*p in f() is released twice"),
        Expected(4, "KU002", "f() leaks 'q' on an error path: acquired by kmalloc() at line 2,"
                             " still held at the error exit at line 4; *q is never cleared"
                             " (the same at 1 more place: line 9)"),
        Expected(4, "KU004", "f() returns 'ret' on an error path, but 'ret' still holds 0"),
    }


def test_parse_markers_two_findings_of_a_rule_on_one_line() -> None:
    code = ["\treturn ret; /* expect: KU002 */"]
    two = {Expected(1, "KU002", "f() leaks 'a'"), Expected(1, "KU002", "f() leaks 'b'")}
    assert parse_markers(with_messages(code, *two)) == two


def test_render_messages_wraps_and_reads_back() -> None:
    long = ("foo_probe() leaks 'priv->rx_buf' on an error path: acquired by kmalloc() at"
            " line 42, still held at the error exit at line 71 (goto err_free_priv at line 62);"
            " kfree(priv->rx_buf) at line 68 releases it, but this path does not reach it"
            " (the same at 2 more places: lines 80, 95)")
    expected = {Expected(62, "KU002", long), Expected(7, "KU001", "short")}
    block = render_messages(expected)
    assert all(len(ln) <= WIDTH for ln in block.splitlines())
    assert len(block.splitlines()) > 6  # wrapped
    assert block.splitlines()[1] == " * expect-message: line 7 KU001:"  # sorted by line
    code = ["x;"] * 62
    code[6] += " /* expect: KU001 */"
    code[61] += " /* expect: KU002 */"
    assert parse_markers(with_messages(code, *expected)) == expected
    with pytest.raises(ValueError):
        render_messages({Expected(1, "KU002", "two  blanks")})
    with pytest.raises(ValueError):
        render_messages({Expected(1, "KU002", "ends a comment */ here")})


@pytest.mark.parametrize(
    "line",
    ["x; /* expect: */", "x; /* expect: KU1 */", "x; /* expect: KU001 leak */"],
)
def test_parse_markers_rejects_malformed(line: str) -> None:
    with pytest.raises(MarkerError):
        parse_markers(line)


MARKED = "x; /* expect: KU002 */\n"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (MARKED, "has no 'expect-message: line 1 KU002:' entry"),
        (MARKED + "/* expect-message: line 2 KU002: f() leaks 'p' */", "no 'expect: KU002' marker"),
        (MARKED + "/* expect-message: line 1 KU005: f() leaks 'p' */", "no 'expect: KU005' marker"),
        (MARKED + "/* expect-message: line 1 KU002: */", "states no message"),
        (MARKED + "/*\n * expect-message: line 1 KU002:\n *\n * f() leaks 'p'\n */",
         "states no message"),
        (MARKED + "/* expect-message: KU002: f() leaks 'p' */", "'line N ID:'"),
        (MARKED + "/* expect-message: line 1: f() leaks 'p' */", "'line N ID:'"),
        (MARKED + "/* expect-message: line 1 leak: f() leaks 'p' */", "not a rule id"),
        (MARKED + "/*\n * expect-message: line 1 KU002: f() leaks 'p'\n *\n"
         " * expect-message: line 1 KU002: f() leaks 'p'\n */", "the same 'expect-message:'"),
        (MARKED + "/*\n * expect-message: line 1 KU002: f() leaks 'p'\n *\n * more\n */",
         "belongs to no entry"),
        (MARKED + "/* expect-message: line 1 KU002: f() leaks 'p' */\ny;\n",
         "must be in the comment that ends the file"),
        (MARKED + "y; /* expect-message: line 1 KU002: f() leaks 'p' */\n",
         "must be in the comment that ends the file"),
    ],
)
def test_parse_markers_rejects_bad_messages(text: str, says: str) -> None:
    with pytest.raises(MarkerError, match=re.escape(says)):
        parse_markers(text)


def test_describe_mismatch_shows_a_word_diff() -> None:
    expected = {Expected(3, "KU002", "f() leaks 'p': acquired by kmalloc() at line 2"),
                Expected(5, "KU004", "g()")}
    got = {Expected(3, "KU002", "f() leaks 'p': acquired by kzalloc() at line 2"),
           Expected(9, "KU006", "h()")}
    text = describe_mismatch("x.c", ["", "", "return ret;"], expected, got)
    assert "message of KU002 at line 3 differs: return ret;" in text
    assert "acquired by [-kmalloc()-] {+kzalloc()+} at line 2" in text
    assert "missing    KU004 at line 5" in text and "unexpected KU006 at line 9" in text
    assert "update_fixture_messages.py" in text


def test_fixture_markers_are_well_formed() -> None:
    problems = []
    for p in FIXTURE_FILES + sorted(RUN_FIXTURES.glob("*.c")):
        try:
            parse_markers(p.read_text())
        except MarkerError as e:
            problems.append(f"{fixture_id(p)}: {e}")
    assert not problems, "\n".join(problems)
