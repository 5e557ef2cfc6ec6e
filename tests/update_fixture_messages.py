"""Rewrite the fixtures' ``expect-message:`` entries from kunwind's current output.

    python tests/update_fixture_messages.py            # every fixture
    python tests/update_fixture_messages.py fixtures/ku002/bad_probe_wrong_label.c ...
    git diff fixtures/                                 # then read every change

A tool for a change that rewords messages on purpose, or for a new fixture
whose ``expect:`` markers are written and whose messages are not yet. The
tests never run it, and what it writes is not checked by anything but you:
read each changed message against the fixture's code before committing it,
since the fixture tests then hold kunwind to it.

It never adds, moves or removes an ``expect:`` marker. For each marker it
writes the messages that kunwind reports now at that line for that rule, in
the comment that ends the file (the format is in ``tests/test_fixtures.py``
and ``fixtures/README.md``), and leaves the rest of the file as it is. A
marker that kunwind no longer reports keeps its old entries, and a finding
without a marker is not written: it lists both, as the fixture test will fail
on them. ``fixtures/learn/`` is run as one directory, as ``tests/test_learn.py``
runs it. Exit status 1 when a fixture could not be rewritten (a malformed
marker or entry, which is to be fixed by hand) or lists such a problem.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_fixtures import (  # noqa: E402
    FIXTURE_FILES,
    FIXTURES,
    INCLUDE,
    ROOT,
    RUN_FIXTURES,
    Expected,
    MarkerError,
    closing_comment,
    parse_ids,
    parse_messages,
    render_messages,
    run_kunwind,
)
from test_learn import check_json  # noqa: E402

RUN_FILES = sorted(RUN_FIXTURES.glob("*.c"))


def reported(paths: list[Path]) -> dict[Path, set[Expected]]:
    """What kunwind reports on each fixture, run as the fixture tests run it."""
    out = {p: {Expected(f.line, f.rule_id, f.message) for f in run_kunwind(p).findings}
           for p in paths if p not in RUN_FILES}
    if any(p in RUN_FILES for p in paths):
        doc = check_json(str(RUN_FIXTURES))
        for p in RUN_FILES:
            name = p.relative_to(ROOT).as_posix()
            out[p] = {Expected(f["line"], f["rule_id"], f["message"])
                      for f in doc["findings"] if f["file"] == name}
    return out


def rewrite(text: str, found: set[Expected]) -> tuple[str, list[str]]:
    """``text`` with its entries taken from ``found``, and the problems to list."""
    ids = parse_ids(text)
    old = {e for _, e in parse_messages(text)}
    new: set[Expected] = set()
    problems = []
    for line, rule_id in sorted(ids):
        now = {e for e in found if (e.line, e.rule_id) == (line, rule_id)}
        kept = {e for e in old if (e.line, e.rule_id) == (line, rule_id)}
        new |= now or kept
        if not now:
            problems.append(f"{line}: kunwind does not report {rule_id} here; "
                            + ("kept its old message" if kept else "no message to write"))
    problems += [f"{e.line}: {e.rule_id} reported without an 'expect:' marker, not written:"
                 f" {e.message}" for e in sorted(found) if (e.line, e.rule_id) not in ids]
    if not new and not old:
        return text, problems
    lines = text.splitlines()
    start = closing_comment(lines)
    if old and start is not None:  # parse_messages found them in that comment
        lines = lines[:start]
    while lines and not lines[-1].strip():
        lines.pop()
    out = "\n".join(lines) + "\n"
    return (out + "\n" + render_messages(new) if new else out), problems


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or FIXTURE_FILES + RUN_FILES
    wrong = [str(p) for p in paths
             if p.suffix != ".c" or FIXTURES not in p.parents or INCLUDE in p.parents
             or not p.is_file()]
    if wrong:
        print("not fixtures: " + ", ".join(wrong), file=sys.stderr)
        return 2
    found = reported(paths)
    status = 0
    for p in paths:
        name = p.relative_to(ROOT).as_posix()
        text = p.read_text()
        try:
            new, problems = rewrite(text, found[p])
        except (MarkerError, ValueError) as e:
            print(f"{name}: {e}; not rewritten", file=sys.stderr)
            status = 1
            continue
        for problem in problems:
            print(f"{name}:{problem}", file=sys.stderr)
            status = 1
        if new != text:
            p.write_text(new)
            print(f"{name}: rewrote its expect-message: entries")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
