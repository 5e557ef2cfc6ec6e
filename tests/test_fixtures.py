"""Run kunwind on every fixture and require exactly the findings it states.

A fixture (``fixtures/<rule dir>/*.c``) marks each expected finding on the
line where it is reported, with ``expect:`` and one or more rule ids in a
comment: ``unlink_anon_vmas(vma); /* expect: KU001 */``. A fixture without a
marker expects no finding at all. The test compares the exact set of
``(line, rule id)`` pairs: a missing finding and an unexpected one both fail,
and so does a fixture that does not parse cleanly (any notice).

Fixtures include ``fixtures/include/kernel.h``, passed with ``-I``. See
``fixtures/README.md``.
"""

from __future__ import annotations

import re
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


class MarkerError(ValueError):
    """An ``expect:`` marker that names no rule id, or something that is not one."""


@dataclass(frozen=True, order=True)
class Expected:
    line: int
    rule_id: str


def parse_markers(text: str) -> set[Expected]:
    """The ``(line, rule id)`` pairs that the ``expect:`` markers in ``text`` ask for.

    Lines count from 1, as compilers and kunwind count them. A marker with no
    id, or with a word that is not an id, is a mistake in the fixture and
    raises ``MarkerError`` rather than silently expecting nothing.
    """
    out: set[Expected] = set()
    for lineno, line in enumerate(text.splitlines(), start=1):
        for m in MARKER.finditer(line):
            words = [w for w in re.split(r"[\s,]+", m.group("ids").strip()) if w]
            if not words:
                raise MarkerError(f"line {lineno}: 'expect:' names no rule id")
            for w in words:
                if not RULE_ID.match(w):
                    raise MarkerError(f"line {lineno}: 'expect:' names {w!r}, not a rule id")
                out.add(Expected(lineno, w))
    return out


def rule_dir(rule_id: str) -> Path:
    """Where a rule's fixtures live: ``fixtures/ku001/`` for KU001."""
    return FIXTURES / rule_id.lower()


def fixture_id(path: Path) -> str:
    return path.relative_to(FIXTURES).as_posix()


def run_kunwind(path: Path):
    from kunwind.driver import Options, check_paths

    return check_paths([path], Options(root=ROOT, extra_args=["-I", str(INCLUDE)],
                                       experimental=True))


def describe_mismatch(path: Path, expected: set[Expected], run) -> str:
    """A readable diff: each missing and each unexpected finding, with messages."""
    got = {Expected(f.line, f.rule_id): f for f in run.findings}
    missing = sorted(expected - got.keys())
    extra = sorted(got.keys() - expected)
    lines = path.read_text(errors="replace").splitlines()

    def src(n: int) -> str:
        return lines[n - 1].strip() if 0 < n <= len(lines) else "<no such line>"

    out = [f"{fixture_id(path)}: findings differ from the expect: markers"]
    for e in missing:
        out.append(f"  missing    {e.rule_id} at line {e.line}: {src(e.line)}")
    for e in extra:
        f = got[e]
        out.append(f"  unexpected {f.rule_id} at {f.line}:{f.col} in {f.function}(): {f.message}")
        out.append(f"             line {f.line}: {src(f.line)}")
    matched = sorted(expected & got.keys())
    if matched:
        out.append("  matched    " + ", ".join(f"{e.rule_id}@{e.line}" for e in matched))
    return "\n".join(out)


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=[fixture_id(p) for p in FIXTURE_FILES])
def test_fixture(path: Path) -> None:
    expected = parse_markers(path.read_text())
    run = run_kunwind(path)

    assert len(run.files) == 1, f"{fixture_id(path)}: expected one analysed file, got {run.files!r}"
    result = run.files[0]
    notices = [f"  {n.level}: {n.file}:{n.line}: {n.message}" for n in result.notices]
    assert not notices, f"{fixture_id(path)}: a fixture must analyse cleanly:\n" + "\n".join(
        notices
    )
    assert result.parsed, f"{fixture_id(path)}: not parsed"

    got = {Expected(f.line, f.rule_id) for f in run.findings}
    if got != expected:
        pytest.fail(describe_mismatch(path, expected, run), pytrace=False)


def test_fixtures_exist() -> None:
    assert FIXTURE_FILES, f"no fixtures under {FIXTURES}"


def test_every_rule_has_bad_and_good_fixtures() -> None:
    from kunwind.rules import ALL_RULES

    problems = []
    for rule in ALL_RULES:
        files = sorted(rule_dir(rule.id).glob("*.c"))
        marked = {p: {e.rule_id for e in parse_markers(p.read_text())} for p in files}
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
        f"{fixture_id(p)}:{e.line}: {e.rule_id}"
        for p in FIXTURE_FILES
        for e in sorted(parse_markers(p.read_text()))
        if e.rule_id not in known
    ]
    assert not unknown, "markers name rules that do not exist:\n" + "\n".join(unknown)


# ---- the marker parser itself ------------------------------------------------


def test_parse_markers_single_and_several_ids() -> None:
    text = "\n".join(
        [
            "int f(void)",
            "{",
            "\tunlink_anon_vmas(vma); /* expect: KU001 */",
            "\tfoo_teardown(p); /* expect: KU001 KU002 */",
            "\tbar(p); // expect: KU003, KU006",
            "}",
        ]
    )
    assert parse_markers(text) == {
        Expected(3, "KU001"),
        Expected(4, "KU001"),
        Expected(4, "KU002"),
        Expected(5, "KU003"),
        Expected(5, "KU006"),
    }


def test_parse_markers_ignores_prose_and_unmarked_files() -> None:
    text = "/*\n * Expected: one KU001 at foo_teardown(priv).\n * Nothing expected here.\n */\n"
    assert parse_markers(text) == set()
    assert parse_markers("") == set()


def test_parse_markers_counts_lines_from_one() -> None:
    assert parse_markers("x; /* expect: KU004 */\n") == {Expected(1, "KU004")}
    assert parse_markers("\n\n\nx; /*expect:KU004*/") == {Expected(4, "KU004")}


@pytest.mark.parametrize(
    "line",
    ["x; /* expect: */", "x; /* expect: KU1 */", "x; /* expect: KU001 leak */"],
)
def test_parse_markers_rejects_malformed(line: str) -> None:
    with pytest.raises(MarkerError):
        parse_markers(line)


def test_fixture_markers_are_well_formed() -> None:
    for p in FIXTURE_FILES:
        parse_markers(p.read_text())  # raises on a malformed marker
