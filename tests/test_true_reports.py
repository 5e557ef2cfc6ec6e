"""No true report is ever lost: every report a triage found true is still made.

The triage files in ``bench/triage/`` record, for real kernel code, each
report kunwind made and whether reading the code showed it true. This test
fetches the real source (Debian's linux-source-6.12, as the other kernel
tests do), runs kunwind on every file that holds a true report, and requires
a report of the same check in the same function at the same line (or naming
that line among "the same at N more places", or as the error exit a leak
reported at its ``goto`` reaches).

Two formats are read: the tables of the first triage (mm, intel, codecs),
``| 3 | KU005 | arizona-jack.c:283 | arizona_start_mic | true | ... |`` under
``# Triage: DIR/``, and the entries that ``bench/precision.py`` writes,
``### 3. KU002 drivers/foo/foo.c:120 foo_probe()`` then ``- verdict: true``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TRIAGE = ROOT / "bench" / "triage"
TABLE_DIR = re.compile(r"^# Triage: (\S+)/\s*$", re.M)
TABLE_ROW = re.compile(r"^\| \d+ \| (KU\d{3}) \| (\S+):(\d+) \| (\w+) \| true \|", re.M)
ENTRY = re.compile(r"^### \d+\. (KU\d{3}) (\S+):(\d+) (\w+)\(\)$", re.M)
VERDICT = re.compile(r"^- verdict: (true|false)\b", re.M)
EXIT_LINE = re.compile(r"still held at the error exit at line (\d+) \(goto ")

Report = tuple[str, str, int, str]  # rule, file (tree-relative), line, function


def true_reports() -> list[Report]:
    out: list[Report] = []
    for path in sorted(TRIAGE.glob("*.md")):
        text = path.read_text()
        top = TABLE_DIR.search(text)
        if top is not None:
            out += [(r, f"{top.group(1)}/{f}", int(ln), fn)
                    for r, f, ln, fn in TABLE_ROW.findall(text)]
        entries = list(ENTRY.finditer(text))
        for i, m in enumerate(entries):
            end = entries[i + 1].start() if i + 1 < len(entries) else len(text)
            v = VERDICT.search(text, m.end(), end)
            if v is not None and v.group(1) == "true":
                out.append((m.group(1), m.group(2), int(m.group(3)), m.group(4)))
    return sorted(set(out))


def test_the_triage_files_hold_true_reports() -> None:
    reports = true_reports()
    assert len(reports) >= 35
    assert ("KU005", "sound/soc/codecs/rtq9128.c", 421, "rtq9128_component_probe") in reports


@pytest.mark.kernel
@pytest.mark.slow
def test_every_true_report_is_still_made(kernel_tree: Path) -> None:
    reports = true_reports()
    files = sorted({f for _, f, _, _ in reports})
    r = subprocess.run([sys.executable, "-m", "kunwind", "check", "--experimental",
                        *files, "--no-cache",
                        "--no-learn", "--format", "json", "-q"], cwd=kernel_tree,
                       capture_output=True, text=True)
    assert r.returncode in (0, 1), r.stderr
    made: set[tuple[str, str, str, int]] = set()
    for f in json.loads(r.stdout)["findings"]:
        lines = {f["line"]} | {int(x) for x in re.findall(
            r"\d+", f["message"].rsplit("(the same at", 1)[1])} \
            if "(the same at" in f["message"] else {f["line"]}
        # a leak reported at the goto that enters the unwind, where it was reported at
        # the exit before (its failure now seen): the same exit, named in the message
        lines |= {int(x) for x in EXIT_LINE.findall(f["message"])}
        made.update((f["rule_id"], f["file"], f["function"], ln) for ln in lines)
    lost = [rep for rep in reports if (rep[0], rep[1], rep[3], rep[2]) not in made]
    assert not lost, f"true reports no longer made: {lost}"
