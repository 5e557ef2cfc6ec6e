"""A teardown on an error path receives an object whose set-up is incomplete.

What it finds:
    On an error path (from a failed check to an error exit), a teardown call
    receives an object that this function has only partly set up, and the
    teardown depends on a part that is not set up yet: it dereferences or
    tests a field that this function has cleared (or that is still zero from
    a zeroing allocation) and only sets later, on the success path.
    What a teardown depends on is learnt from its body when it is in the same
    file (which fields of which parameter it reads through, directly or via
    its callees) and from the knowledge base in ``rules/knowledge/`` for
    kernel APIs defined elsewhere.
    A teardown that reads the field only where it has tested it non-NULL
    (``if (p->f) f_put(p->f);``, ``p->f ? p->f->pid : 0``, ``p->f && ...``,
    here or in a callee it hands the object to) does not depend on a NULL
    field. One that tests the field, uses it and then resets it in the same
    branch (``if (p->f) { f_destroy(p->f); p->f = NULL; }``) is the
    one-destroy-for-every-state idiom where this function allocated the
    object zeroed (kzalloc()), and is not reported then; where the field is
    NULL for another reason (cleared or tested NULL on the object it was
    given, the reference case below) that test is the defensive code the
    check is about, and it is reported.

Why it matters:
    A teardown is written for a fully built object. Handing it a half-built
    one either crashes (a NULL field dereferenced) or forces the teardown to
    grow defensive checks for a state that only error paths produce, which
    hides the real invariant and lets later changes break it silently. The
    usual fix is to reorder the function so that everything that can fail
    happens before the object is touched, or to undo only the steps done.

Bad:
    vma->anon_vma = NULL;
    error = anon_vma_clone(vma, pvma);     /* links the vma */
    if (error)
            return error;
    anon_vma = anon_vma_alloc();
    if (!anon_vma)
            goto out_error;
    ...
    vma->anon_vma = anon_vma;              /* only set here */
    return 0;
    out_error:
    unlink_anon_vmas(vma);                 /* reads vma->anon_vma: still NULL */
    return -ENOMEM;

Good:
    anon_vma = anon_vma_alloc();           /* allocate first ... */
    if (!anon_vma)
            return -ENOMEM;
    vma->anon_vma = NULL;
    error = anon_vma_clone(vma, pvma);     /* ... then touch the vma */
    if (error) {
            put_anon_vma(anon_vma);
            return error;
    }

Known false positives:
    A teardown that is deliberately written to accept the partial state (and
    says so in a comment) is still reported: the finding then documents a
    contract that a reviewer may want to keep. Fields set up through an
    alias of the object (another pointer to it) are not tracked. A path on
    which every failure is a test's "no" (``if (!foo_queue_empty(q)) ... else
    x->head = NULL;``: a predicate, named so or whose body returns no errno) is
    no error path, whatever it returns later.

    Measured (bench/triage/): on mm/, drivers/net/ethernet/intel/ and
    sound/soc/codecs/ of Linux 6.12, 2 reports, 2 true (100%).
    That is where the check was tuned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kunwind.analysis.error_paths import real_failure
from kunwind.findings import API_FACT, CALLEE_SUMMARY, Finding, PathStep
from kunwind.model.ir import Call, Const, Store, Unary, Var, path_of, render, root_of

from .base import SAMPLE, Measured, Rule

if TYPE_CHECKING:
    from kunwind.analysis.context import FunctionContext
    from kunwind.analysis.state import State

NOT_SET = ("null", "uninit")


@dataclass(frozen=True)
class Step:
    """A set-up step on an object: a call given it, or a store into one of its fields."""

    line: int
    text: str  # the call or the store as written
    after_failure: bool
    target: str = ""  # a store: the field written, as written
    null: bool = False  # a store of NULL
    # the call or store itself, for its words in a message (not part of the step's identity)
    source: Call | Store | None = field(default=None, compare=False)

    def shown(self, ctx: FunctionContext) -> str:
        """The step as the source writes it."""
        if isinstance(self.source, Store):
            return ctx.words.store(self.source)
        if isinstance(self.source, Call):
            return ctx.words.call(self.source)
        return ctx.words.text(self.text, self.line)


@dataclass
class SetupSteps:
    """KU001's own path state: the set-up steps done on each object, by its root name."""

    steps: dict[str, tuple[Step, ...]] = field(default_factory=dict)

    def copy(self) -> SetupSteps:
        return SetupSteps(dict(self.steps))

    def key(self) -> frozenset[str]:
        return frozenset([k for k, v in self.steps.items() if not v[0].after_failure])

    def join(self, other: SetupSteps) -> SetupSteps:
        return SetupSteps({**other.steps, **self.steps})  # done on either path

    def add(self, root: str, step: Step) -> None:
        self.steps[root] = self.steps.get(root, ()) + (step,)

    def after_call(self, ctx: FunctionContext, st: State, call: Call, line: int) -> None:
        """An object passed to a call that is not its release or teardown was set up by
        it; so was the object whose field's address a call gets."""
        undoes = None
        for a in call.args:
            if isinstance(a, Unary) and a.op == "&":
                p = path_of(a.operand)
                if p is not None and ("->" in p or "." in p):
                    self.add(root_of(p), Step(line, render(call), bool(st.failures),
                                              source=call))
            elif isinstance(a, Var):
                if undoes is None:  # the knowledge's releases and teardowns, and names
                    undoes = ctx.is_teardown_by_name(call.callee)
                if not undoes:
                    self.add(a.name, Step(line, render(call), bool(st.failures),
                                          source=call))

    def after_store(self, ctx: FunctionContext, st: State, s: Store, path: str,
                    line: int) -> None:
        """A store into a field of an object is a set-up step on it."""
        if "->" not in path and "." not in path:
            return
        written = render(s.target)
        null = isinstance(s.value, Const) and s.value.ptr and s.value.value == 0
        self.add(root_of(path), Step(line, f"{written} {s.op} {render(s.value)}",
                                     bool(st.failures), written, null, s))


def on_call(ctx: FunctionContext, st: State, call: Call) -> list[Finding]:
    """At a call on a path that has failed: is it a teardown of a half-built object?
    Not where every failure on the path is a test's "no" (``if
    (!foo_queue_empty(q))``: a predicate, named so or whose body returns no errno),
    which makes no error path."""
    if not any(real_failure(ctx, f) for f in st.failures):
        return []
    for j, arg in enumerate(call.args):
        if not isinstance(arg, Var) or not arg.ptr:
            continue
        obj = arg.name
        deps = ctx.teardown_dependencies(call.callee, j)
        if not deps or not ctx.is_teardown(call.callee, j):
            continue
        mine = st.slots[RULE_ID]
        assert isinstance(mine, SetupSteps)
        done = [s for s in mine.steps.get(obj, ()) if not s.after_failure]
        if not done:
            continue
        for dep in deps:
            path = f"{obj}->{dep.field}"
            fact = st.fact(path)
            if fact is None or fact.status not in NOT_SET:
                continue
            if dep.checked and fact.status == "null":
                continue  # if (rt->chip) rt->chip->midi = NULL: a NULL field is skipped
            if dep.used_when_set and fact.status == "null" and _zeroed(st, obj, path):
                continue  # if (vp->radio) { destroy(vp->radio); vp->radio = NULL; }
            later = ctx.later_stores(path, st.failures[-1].success)
            if not later:
                continue
            shown = [s for s in done if s.target != path] or done
            return [_finding(ctx, st, call, obj, dep, fact, shown, later)]
    return []


def _zeroed(st: State, obj: str, path: str) -> bool:
    """Is ``path`` NULL because this function allocated ``obj`` zeroed (kzalloc()), and
    not written since?"""
    o = st.setup.origins.get(obj)
    return o is not None and o.zeroed and path not in st.setup.facts


def _finding(ctx, st, call, obj, dep, fact, done, later) -> Finding:
    fn, callee = ctx.words.function, ctx.words.name(call.callee, call.loc.line)
    path, how = f"{obj}->{dep.field}", ctx.words.text(fact.how, fact.line)
    state = "NULL" if fact.status == "null" else "not initialised"
    shown = [s for s in done if not s.null] or done
    done_text = ", ".join(f"{s.shown(ctx)} (line {s.line})" for s in shown[:3])
    if len(shown) > 3:
        done_text += f" and {len(shown) - 3} more"
    uses = (f"{callee}() dereferences it (line {dep.line})" if dep.source == "body"
            else f"{callee}() depends on it (kernel API knowledge)")
    message = (
        f"{ctx.words.call(call) if len(call.args) == 1 else f'{callee}({obj})'} in {fn}() "
        f"tears down '{obj}' on an error path where its set-up is incomplete: "
        f"done: {done_text}; not yet done: '{path}' is set only at line {later[0]} "
        f"on the success path, so it is {state} here ({how} at line {fact.line}) "
        f"and {uses}"
    )
    steps = [PathStep(s.line, 0, f"set-up step on '{obj}': {s.shown(ctx)}") for s in done[:5]]
    steps.append(PathStep(fact.line, 0, f"'{path}' {how}"))
    steps.extend(st.rendered_path(ctx.words))
    steps.append(PathStep(later[0], 0, f"'{path}' is only set here, on the success path"))
    if dep.source == "body" and dep.line:
        inner = f"{dep.param}->{dep.field}" if dep.param else dep.field
        steps.append(PathStep(dep.line, 0, f"{callee}() dereferences '{inner}' here"))
    return RULE.finding(ctx, call.loc.line, call.loc.col, message, steps,
                        f"{call.callee}({obj})|{path}",
                        CALLEE_SUMMARY if dep.source == "body" else API_FACT)


RULE_ID, RULE_NAME = "KU001", "partial-teardown"
RULE = Rule(id=RULE_ID, name=RULE_NAME, doc=__doc__, on_call=on_call, state=SetupSteps,
            measured=Measured(0, 1, SAMPLE))
