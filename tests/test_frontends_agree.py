"""The libclang and pycparser frontends agree: same CFGs, same syntax, same findings.

pycparser reads the system preprocessor's output and knows no types, so it
fails differently from libclang; where both parse a fixture, any difference
is a bug in one of them. Compared per fixture: the set of functions, each
function's ``format_cfg`` text, its whole structured syntax (names, operators,
constants, ``ptr`` flags, lines; blocks flattened, columns ignored: the
preprocessor moves them), and the findings and notices of the whole pipeline.
Findings are compared by what they are (rule, line, function, key), not by their
words: those are read from the source at libclang's columns (``analysis/words.py``),
which pycparser does not have, so its messages keep the expanded names.
A fixture pycparser cannot parse is skipped with its reason.
"""

from __future__ import annotations

import dataclasses
import difflib
import shutil
import subprocess
from pathlib import Path

import pytest

from kunwind.config import Options
from kunwind.frontend.clang_parse import parse_file as clang_parse
from kunwind.frontend.pycparser_frontend import GNU_DEFINES, noreturn_functions, strip_gnu
from kunwind.frontend.pycparser_frontend import parse_file as pycparser_parse
from kunwind.model import syntax as sx
from kunwind.model.build import build_cfg
from kunwind.model.dump import format_cfg
from kunwind.model.ir import Loc
from kunwind.pipeline import run_pipeline

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
INCLUDE = FIXTURES / "include"
FIXTURE_FILES = sorted(p for p in FIXTURES.rglob("*.c") if INCLUDE not in p.parents)
ARGS = ["-x", "c", "-std=gnu11", "-I", str(INCLUDE)]

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None and shutil.which("cpp") is None,
                                reason="no C preprocessor (gcc or cpp)")


def flat(s: sx.S | None) -> list:
    """Statements as one list: blocks inlined, case and label bodies after their label.

    The CFG builder treats both shapes alike; the frontends group them differently
    (clang: a case holds its first statement; pycparser: all up to the next label).
    """
    if s is None:
        return []
    if isinstance(s, sx.SBlock):
        return [x for item in s.items for x in flat(item)]
    if isinstance(s, sx.SCase):
        return [("case", s.value, s.loc.line), *flat(s.body)]
    if isinstance(s, sx.SLabel):
        return [("label", s.name, s.loc.line), *flat(s.body)]
    return [norm(s)]


def norm(x: object) -> object:
    """A comparable form of a syntax tree: lines kept, columns dropped, blocks flattened."""
    if isinstance(x, Loc):
        return x.line
    if isinstance(x, sx.S):
        return (type(x).__name__, *((f.name, norm_field(getattr(x, f.name)))
                                    for f in dataclasses.fields(x)))
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return (type(x).__name__, *((f.name, norm_field(getattr(x, f.name)))
                                    for f in dataclasses.fields(x)))
    if isinstance(x, (list, tuple)):
        return tuple(norm(i) for i in x)
    return x


def norm_field(v: object) -> object:
    if isinstance(v, sx.S):
        return tuple(flat(v))
    if isinstance(v, (list, tuple)) and v and all(isinstance(i, sx.S) for i in v):
        return tuple(y for i in v for y in flat(i))
    return norm(v)


def first_difference(a: object, b: object, path: str = "") -> str:
    """Where two ``norm`` trees first differ, and the two subtrees there (shortened)."""
    if isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                step = x[0] if isinstance(x, tuple) and x and isinstance(x[0], str) else i
                return first_difference(x, y, f"{path}/{step}")
    return f"at {path or '/'}:\n  libclang:  {str(a)[:400]}\n  pycparser: {str(b)[:400]}"


def fixture_id(p: Path) -> str:
    return p.relative_to(FIXTURES).as_posix()


def both(path: Path, text: bytes | None = None):
    clang = clang_parse(path, ARGS, text)
    pyc = pycparser_parse(path, ARGS, text)
    if pyc.fatal:
        pytest.skip(f"not parseable by pycparser: {pyc.fatal}")
    assert not clang.fatal, clang.fatal
    return {f.name: f for f in clang.functions}, {f.name: f for f in pyc.functions}


def assert_same_functions(path: Path, text: bytes | None = None) -> None:
    clang, pyc = both(path, text)
    assert sorted(clang) == sorted(pyc), "the frontends see different functions"
    problems = []
    for name in sorted(clang):
        a, b = clang[name], pyc[name]
        assert a.syntax is not None, f"{name}: {a.errors or a.lower_error}"
        assert b.syntax is not None, f"{name}: {b.lower_error}"
        ta = format_cfg(build_cfg(a.syntax, "f.c"))
        tb = format_cfg(build_cfg(b.syntax, "f.c"))
        if ta != tb:
            diff = difflib.unified_diff(ta.splitlines(True), tb.splitlines(True),
                                        "libclang", "pycparser")
            problems.append(f"{name}(): CFGs differ\n{''.join(diff)}")
        elif norm(a.syntax) != norm(b.syntax):
            problems.append(f"{name}(): same CFG text, different syntax "
                            f"{first_difference(norm(a.syntax), norm(b.syntax))}")
        if a.line != b.line:
            problems.append(f"{name}(): at line {a.line} (libclang), {b.line} (pycparser)")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=[fixture_id(p) for p in FIXTURE_FILES])
def test_same_cfgs_and_syntax(path: Path) -> None:
    assert_same_functions(path)


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=[fixture_id(p) for p in FIXTURE_FILES])
def test_same_findings(path: Path) -> None:
    knowledge = sorted(path.parent.glob("knowledge.toml"))
    got = {}
    for frontend in ("clang", "pycparser"):
        opts = Options(extra_args=["-I", str(INCLUDE)], knowledge=knowledge, frontend=frontend,
                       experimental=True)
        r = run_pipeline(path, fixture_id(path), opts)
        if not r.parsed and frontend == "pycparser":
            pytest.skip(f"not parseable by pycparser: {r.notices[0].message}")
        got[frontend] = (
            sorted((f.rule_id, f.line, f.function, f.key) for f in r.findings),
            sorted((n.level, n.line, n.message) for n in r.notices),
            r.functions,
        )
    assert got["clang"] == got["pycparser"]


# ---- constructs the fixtures may not cover ------------------------------------------

CONSTRUCTS = r"""
#define NULL ((void *)0)
#define unlikely(x) __builtin_expect(!!(x), 0)
struct s { int a; long b; struct s *next; union { void *u; int n; }; };
typedef struct s *sp;
typedef int (*handler_t)(struct s *);
enum { A = 3, B, C = A << 2 };
int g(void *p);
int h(int x, ...);
char *name_of(int);
struct ops { void (*release)(struct s *); handler_t probe; };
static struct s table[4];

static int f(struct s *p, struct ops *o, int n, int arr2[], handler_t cb)
{
	unsigned long off = __builtin_offsetof(struct s, next);
	unsigned long off2 = __builtin_offsetof(typeof(*p), next);
	int arr[3] = { 1, 2, 3 };
	struct s loc = { .a = 1, .next = 0 };
	struct s z = { 0 }, *zp = &z;
	sp q = 0;
	void *tbl[2] = { p, 0 };
	typeof(p) tp = p;
	__auto_type ap = p->next;
	double d = 1.5;
	char c = '\n', *str = "x;y";
	int i, j, k = sizeof(struct s);

	if (p == 0 || q != 0 || unlikely(!tp))
		return g(0);
	for (i = 0, j = 1; i < n; i++, j++)
		h(i, 0, p ? p : 0, name_of(i)[0]);
	for (;;)
		if (n--)
			break;
	for (k = 0; ; k++)
		if (k > n)
			break;
	o->release(p);
	(*o->release)(p);
	n = o->probe(p) + cb(p) + (cb)(zp);
	n = sizeof(struct s) + sizeof n + _Alignof(int);
	n = (int)(long)p + A + B + C + -A + ~B + !C;
	p = (struct s){ .a = 2 }.next;
	p->next = n ? p : 0;
	p->u = NULL;
	table[n & 3].next = ap;
	arr2[1] = *&n;
	n += (p->a = 4), p->b--;
	switch (n) {
	case A:
	case 1 << 4:
		n++;
		break;
	case 'x':
	default:
		n--;
	}
	do {
		if (!p)
			goto out;
		p = p->next;
	} while (p && p != zp);
	({ int t = n; t++; });
	n = ({ int t = n; t + 1; });
out:
	return arr[1] + loc.a + (int)d + z.a + !!tbl[1] + c + (str != NULL);
}

void *v(sp p)
{
	if (!p)
		return 0;
	return p->next;
}

int w(struct s *p, int n)
{
	struct s *o = ({ void *__m = (void *)&p->next; (struct s *)(__m -
		__builtin_offsetof(struct s, next)); });
	n = ({ int r = n; if (r) goto d1; r = o->a; d1: r; });
	return n + ({ int r = 1; if (n) goto d2; r = 2; d2: r; });
}
"""


def test_constructs_agree(tmp_path: Path) -> None:
    src = tmp_path / "constructs.c"
    src.write_text(CONSTRUCTS)
    assert_same_functions(src)


def test_in_memory_text_agrees(tmp_path: Path) -> None:
    """The text given, not the file on disk, is what both frontends read."""
    src = tmp_path / "m.c"
    src.write_text("int stale(void) { return 1; }\n")
    assert_same_functions(src, CONSTRUCTS.encode())


@pytest.mark.parametrize("code, reason", [
    ("int f(int n) { asm goto(\"\" : : : : out); return 0; out: return 1; }", "asm"),
    ("int f(int n) { void *t[] = { &&a }; goto *t[n]; a: return 0; }", "labels as values"),
    ("int f(int n) { switch (n) { case 1 ... 3: return 1; } return 0; }", "case range"),
    ("int f(int n) { return n ?: 1; }", "?: without a middle operand"),
])
def test_what_pycparser_cannot_parse_is_reported(tmp_path: Path, code: str, reason: str) -> None:
    src = tmp_path / "gnu.c"
    src.write_text(code + "\n")
    parsed = pycparser_parse(src, ARGS)
    assert parsed.fatal.startswith("pycparser cannot parse it: gnu.c"), reason
    assert not parsed.functions


def test_preprocessor_errors_are_reported(tmp_path: Path) -> None:
    src = tmp_path / "inc.c"
    src.write_text('#include "missing.h"\nint f(void) { return 0; }\n')
    parsed = pycparser_parse(src, ARGS)
    assert parsed.fatal.startswith("the preprocessor failed: ")
    assert "missing.h" in parsed.fatal


def test_preprocessed_file(tmp_path: Path) -> None:
    """A .i file from gcc -E, with its GNU attributes left in: same findings as the C file."""
    fixture = FIXTURES / "ku001/anon_vma_fork_before.c"
    out = tmp_path / "before.i"
    subprocess.run(["gcc", "-E", "-I", str(INCLUDE), str(fixture), "-o", str(out)], check=True)
    assert "__attribute__" in out.read_text()
    results = []
    for path, frontend in ((fixture, "clang"), (out, "pycparser")):
        opts = Options(extra_args=["-I", str(INCLUDE)], frontend=frontend, experimental=True)
        r = run_pipeline(path, path.name, opts)
        assert r.parsed and not r.notices, r.notices
        results.append(sorted((f.rule_id, f.line, f.function) for f in r.findings))
    assert results[0] == results[1] and results[0]


def test_strip_gnu() -> None:
    text = ("static inline __attribute__((always_inline, section(\"a(b\"))) int "
            "__attribute__((x((y)))) f(void) __asm__(\"f\");\n__extension__ typedef "
            "__typeof__(1) t;\n")
    assert strip_gnu(text) == ('static inline  int  f(void) asm("f");\n typedef '
                               "typeof(1) t;\n")
    # attributes reach strip_gnu (noreturn_functions reads them first)
    assert not any(d.startswith("-D__attribute__") for d in GNU_DEFINES)
    assert strip_gnu("void f(void) __attribute__((a,\n b));\n") == "void f(void) \n;\n"


def test_noreturn_functions() -> None:
    text = ("int x; void die_a(void) __attribute__((noreturn));\n"
            "static inline void __attribute__((__noreturn__)) die_b(int a) { }\n"
            "void __attribute__((cold)) not_c(void); void (*not_d)(void);\n")
    assert noreturn_functions(text) == {"die_a", "die_b"}
