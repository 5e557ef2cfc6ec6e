"""The layers of kunwind import one way, and no module imports itself round a cycle.

The graph is read from the source with ``ast``. For the layers every
``import`` counts, at module level, inside a function or under
``TYPE_CHECKING``: a type-only import still says which layer knows which.
For cycles, the imports that run count (module level and inside functions:
a cycle hidden in a function is still a cycle); an import under
``TYPE_CHECKING`` does not, as it never runs (a module naming the type of
an object from a module that imports it). ``rules/`` counts as
``kunwind.rules``, as installed. Importing a submodule also runs its
package's ``__init__``; that implicit edge is left out, so a package may
import its own submodules.

The order the data flows: frontend (and the kernel tree's flags) -> model -> analysis -> checks ->
findings -> reports, with the driver and the command line on top. Imports
point the other way where one layer produces another's types (the frontends
build the model). A new package or top-level module must be placed in
``LAYERS`` below.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# layer -> the modules in it (a name covers its submodules)
LAYERS: dict[str, tuple[str, ...]] = {
    "base": ("kunwind", "kunwind.config", "kunwind.findings", "kunwind.storage"),
    "model": ("kunwind.model",),
    "frontend": ("kunwind.frontend",),
    "tree": ("kunwind.kernel", "kunwind.flags"),
    "knowledge": ("kunwind.knowledge",),
    "analysis": ("kunwind.analysis",),
    "checks": ("kunwind.rules",),
    "reports": ("kunwind.report",),
    "driver": ("kunwind.pipeline", "kunwind.external", "kunwind.pair_uses", "kunwind.suppress",
               "kunwind.audit", "kunwind.results_cache", "kunwind.driver", "kunwind.baseline",
               "kunwind.diffcheck", "kunwind.gitrepo", "kunwind.githook"),
    "cli": ("kunwind.cli", "kunwind.__main__", "kunwind.kbuild_cc"),
}
# layer -> the layers it may import (besides itself)
MAY_IMPORT: dict[str, set[str]] = {
    "base": set(),
    "model": {"base"},
    "frontend": {"model", "base"},  # the parsers build the model's syntax and expressions
    "tree": {"frontend", "base"},  # a kernel tree's flags, from clang's own probes
    "knowledge": {"base"},
    "analysis": {"knowledge", "model", "base"},
    "checks": {"analysis", "knowledge", "model", "base"},
    "reports": {"checks", "base"},  # SARIF's rule help comes from the checks' documentation
    "driver": {"reports", "checks", "analysis", "knowledge", "tree", "frontend", "model",
               "base"},
    "cli": {"driver", "reports", "checks", "analysis", "knowledge", "tree", "frontend", "model",
            "base"},
}


def modules() -> dict[str, Path]:
    """Module name -> source file, for kunwind/ and rules/ (as kunwind.rules)."""
    out: dict[str, Path] = {}
    for top, package in ((ROOT / "kunwind", "kunwind"), (ROOT / "rules", "kunwind.rules")):
        for path in sorted(top.rglob("*.py")):
            parts = list(path.relative_to(top).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join([package, *parts])] = path
    return out


def imports(name: str, path: Path, known: set[str], typing_too: bool = True) -> set[str]:
    """The kunwind modules that module ``name`` imports, anywhere in its source
    (``typing_too``: under ``if TYPE_CHECKING:`` as well)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[ast.AST] = set()
    if not typing_too:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING",
                                                                       "typing.TYPE_CHECKING"):
                skipped.update(n for stmt in node.body for n in ast.walk(stmt))
    out: set[str] = set()
    for node in ast.walk(tree):
        if node in skipped:
            continue
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for a in node.names:
                sub = f"{base}.{a.name}"
                out.add(sub if sub in known else base)
    return {m for m in out if m in known} - {name}


def graph(typing_too: bool = True) -> dict[str, set[str]]:
    mods = modules()
    return {name: imports(name, path, set(mods), typing_too) for name, path in mods.items()}


def layer_of(module: str) -> str:
    best = ("", "")
    for layer, names in LAYERS.items():
        for n in names:
            if (module == n or module.startswith(n + ".")) and len(n) > len(best[1]):
                best = (layer, n)
    return best[0]


def find_cycle(g: dict[str, set[str]]) -> list[str]:
    """One import cycle (``[a, b, ..., a]``), or [] when there is none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(m: str) -> list[str]:
        state[m] = 1
        path.append(m)
        for n in sorted(g.get(m, ())):
            if state.get(n) == 1:
                return path[path.index(n):] + [n]
            if n not in state and (found := visit(n)):
                return found
        path.pop()
        state[m] = 2
        return []

    for m in sorted(g):
        if m not in state and (found := visit(m)):
            return found
    return []


def test_every_module_has_a_layer() -> None:
    unplaced = sorted(m for m in graph() if not layer_of(m))
    assert not unplaced, f"place these in LAYERS (tests/test_layers.py): {unplaced}"


def test_no_import_cycle() -> None:
    cycle = find_cycle(graph(typing_too=False))
    assert not cycle, "import cycle: " + " -> ".join(cycle)


def test_layers_import_only_below_them() -> None:
    wrong = []
    for m, deps in sorted(graph().items()):
        for d in sorted(deps):
            a, b = layer_of(m), layer_of(d)
            if a and b and a != b and b not in MAY_IMPORT[a]:
                wrong.append(f"{m} ({a}) imports {d} ({b})")
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_the_checks_find_what_they_look_for() -> None:
    """The helpers above see a cycle and a relative import where there is one."""
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) == []
    g = graph()
    assert "kunwind.analysis.conditions" in g["kunwind.analysis.walk"]  # from .conditions
    assert "kunwind.knowledge.facts" in g["kunwind.knowledge"]  # from .facts (an __init__)
    assert "kunwind.rules.base" in g["kunwind.rules.ku001_partial_teardown"]  # rules/ mapped
    runtime = graph(typing_too=False)["kunwind.analysis.resources"]
    assert "kunwind.analysis.context" in g["kunwind.analysis.resources"] - runtime
    assert layer_of("kunwind.cli.check") == "cli" and layer_of("kunwind") == "base"
