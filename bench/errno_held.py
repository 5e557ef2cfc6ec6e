"""Does a ``drop-errno`` mutant leave the returned variable holding an errno anyway?

``ret = -EINVAL; if (a) goto out; ... if (!p) { ret = -ENOMEM; goto out; }``:
deleting ``ret = -ENOMEM;`` makes the path return -EINVAL, a wrong code but an
error all the same, which is not the bug KU004 looks for (the caller sees
success). ``errno_held_before`` reads the original function's control-flow
graph backwards from the deleted store: when every store of the variable that
reaches it stores an error value (a negative constant, ``ERR_PTR()``), the
mutant only changes which error is returned. The recall report counts those
mutants apart (a note), beside the rest.
"""

from __future__ import annotations

import re
from pathlib import Path

from kunwind.analysis.conditions import error_value
from kunwind.frontend.clang_parse import parse_file
from kunwind.model.build import build_cfg
from kunwind.model.cfg import Function
from kunwind.model.ir import Store, Var

HELD = "holding an errno already"
ERRNO_VAR = re.compile(r"\s*(\w+)\s*=")  # the variable of the mutant's ``ret = -E...;``


def errno_held_before(path: Path, args: list[str], text: bytes, function: str,
                      line: int, var: str) -> bool:
    """Is ``var`` an error value on every path into the store of it at ``line`` in
    ``function`` (the store the mutant deletes)?"""
    parsed = parse_file(path, args, text)
    syntax = next((pf.syntax for pf in parsed.functions if pf.name == function), None)
    if syntax is None:
        return False
    return holds_errno(build_cfg(syntax, str(path)), line, var)


def holds_errno(fn: Function, line: int, var: str) -> bool:
    """On every path into the store ``var = -E...`` at ``line``, was the last store
    of ``var`` an error value? False when some path reaches the function's entry
    without a store (a parameter, a declaration without a value)."""
    at = next(((b.id, i) for b in fn.blocks for i, s in enumerate(b.stmts)
               if isinstance(s, Store) and s.loc.line == line and _stores(s, var)), None)
    if at is None:
        return False
    preds = fn.preds()
    todo, seen = [at], set()
    while todo:
        block, end = todo.pop()
        last = next((s for s in reversed(fn.blocks[block].stmts[:end]) if _stores(s, var)),
                    None)
        if last is not None:
            if last.value is None or error_value(last.value) is None:
                return False
            continue
        if block == fn.entry or not preds[block]:
            return False
        for p in preds[block]:
            if p not in seen:
                seen.add(p)
                todo.append((p, len(fn.blocks[p].stmts)))
    return True


def _stores(s: object, var: str) -> bool:
    return isinstance(s, Store) and isinstance(s.target, Var) and s.target.name == var \
        and s.op == "="
