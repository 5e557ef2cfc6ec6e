"""Reading the knowledge files: the bundled ones in ``rules/knowledge/``, then the user's.

Users extend the knowledge with their own TOML file in the same format
(``--knowledge FILE``); later files win. Code built for a hosted environment
(a program, not the kernel) also gets ``rules/knowledge/hosted/``: the C
library's pairs (``malloc``/``free``, ``fopen``/``fclose``...), which kernel
code does not have.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

from .facts import Knowledge, KnowledgeError

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib


def _bundled_dir() -> Path:
    """``rules/knowledge/``: the checks' package (``kunwind.rules``) holds the data,
    found without importing the checks (they import the analysis, which imports this)."""
    spec = importlib.util.find_spec("kunwind.rules")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("kunwind.rules not found: a source checkout is used through "
                          "`pip install -e .`, not from its directory alone")
    return Path(list(spec.submodule_search_locations)[0]) / "knowledge"


KNOWLEDGE_DIR = _bundled_dir()


def load_knowledge(extra: list[Path] | None = None, hosted: bool = False) -> Knowledge:
    """The bundled knowledge (with ``hosted``: the C library's too), then each extra
    file on top (later entries win)."""
    kb = Knowledge(hosted=hosted)
    bundled = sorted(KNOWLEDGE_DIR.glob("*.toml"))
    if hosted:
        bundled += sorted((KNOWLEDGE_DIR / "hosted").glob("*.toml"))
    for path in bundled + list(extra or []):
        text, data = read_toml(path)
        kb.merge(data, str(path), text)
    return kb


def read_toml(path: Path) -> tuple[str, dict[str, Any]]:
    """A TOML file's text and data; ``KnowledgeError`` naming it when it cannot be read
    or is not TOML (also for the project file, ``kunwind.cli.project``)."""
    try:
        text = path.read_text(encoding="utf-8")
        return text, tomllib.loads(text)
    except OSError as exc:
        raise KnowledgeError(f"{path}: cannot read ({exc.strerror})") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise KnowledgeError(f"{path}: not valid TOML ({exc})") from exc
