"""An error path returns success: the error code variable was not set after a failure.

What it finds:
    A path on which a failure check failed (an allocation returned NULL, a
    call returned an error, ``IS_ERR()`` was true) and then leaves the
    function, through a ``goto`` or a ``return`` in the failure branch,
    returning a variable that still holds success: 0 from its initialiser, or
    the result of an earlier call that was checked and succeeded; or that was
    never assigned at all (``int err;`` and the first failure jumps to the
    unwind: the caller gets whatever the register held). Either the
    failing call's result was dropped (``if (foo_setup(x)) goto err;``) or
    nobody set the error code (``if (!p) goto err;`` without ``ret = -ENOMEM``).
    It is reported only in functions that return error codes through that
    variable elsewhere (it is assigned a negative errno, or one of two that a
    conditional picks, ``n == 0 ? -ENOENT : -ESRCH``, which a later ``if (err)
    return err;`` returns; ``PTR_ERR()``; or a
    call's result that is tested for failure in a function that deals in
    negative errnos: one it writes, a ``< 0`` or ``!= -EEXIST`` test of the
    variable, or a callee that can fail with one by its body, an API fact or
    the file's ``< 0`` tests of it: ``ret = device_add(dev); if (ret) goto
    out;`` is enough), at the failure check.
    A variable never assigned is reported after any test whose branch jumps
    out (``int rc; if (dev->busy) goto out; ... out: return rc;``), a call's
    failure or not: returning garbage is never meant, so no other evidence is
    needed (a path that only falls through to the return is not reported).
    A struct returned by value (``swp_entry_t entry;``) is assigned by a store
    to any of its members (``entry.val = 0;``), as by one through its address
    (``memset(&entry, ...)``, a callee given ``&entry``) or an initialiser: it
    is reported only when none of these ran on the path. That is the only
    report a struct can get: the others need the variable to carry a negative
    errno on other paths, which a struct cannot, and what "none" is in a
    struct (``entry.val == 0``) is its type's own convention, no error code.
    A test of anything (a register, a flag, a bound) whose own branch logs an
    error (``dev_err()``: the ``error`` printers of rules/knowledge/printk.toml;
    ``pr_err()``, ``printk(KERN_ERR ...)``: a printer whose format starts with
    KERN_ERR or a more severe level) and jumps out while the variable holds
    success is reported too: the log says the code took it as a failure. A
    driver's own printer counts when its name says the level (``vbg_err()``,
    ``ibdev_err()``, ``__reiserfs_error()``: a name ending in err, error, crit,
    alert or emerg, given a string literal). The branch is found through the
    tests a logging macro makes inside it (``do { } while (0)``) and through a
    condition in parts (``if (a < lo || a > hi)``); a log that runs only on
    some ways through the branch (rate-limited) does not count.
    Without a log, a test whose branch jumps to an unwind label that no path
    reaches but through a ``goto`` (the success path returns before it) is
    reported when at least two other jumps go there and every one of them
    carries an error code: its branch stores one into the variable (``ret =
    -EINVAL; goto err;``) or its test reads the variable (``ret = foo(); if
    (ret) goto err;``). The code's own convention says that label is for
    failures, and the jump that sets nothing is the odd one out (a refused ID,
    a bound, a flag). Only a bare refusal counts: a branch that calls nothing
    but printers, no loop's end (the success path that jumps to the label
    after its loop ran its course), and no test of a field that the function
    fills elsewhere (``if (d->smmu) goto out_unlock; ... d->smmu = smmu;``:
    set up already, a success on purpose). A label that the success path falls into
    too (``out:``) gives no such evidence: an early jump there may be a success
    on purpose.
    A NULL from a call that is no allocator (``d_make_root()``,
    ``hid_validate_values()``) is a failure when its path aborts (releases
    something acquired before the test that is not a lock) or its branch logs
    an error.

Why it matters:
    The caller sees success and goes on with an object that was never set
    up: a probe that "succeeds" without its device, an ioctl that reports 0
    but did nothing, a NULL dereference one level up. The bug is silent,
    which is why it survives review: the error path looks complete.

Bad:
    int ret = 0;
    ...
    priv->buf = kzalloc(size, GFP_KERNEL);
    if (!priv->buf)
            goto err_unmap;                /* ret is still 0 */
    ret = foo_hw_init(priv);
    if (ret)
            goto err_free;
    return 0;
    err_free:
    kfree(priv->buf);
    err_unmap:
    iounmap(priv->regs);
    return ret;

Good:
    priv->buf = kzalloc(size, GFP_KERNEL);
    if (!priv->buf) {
            ret = -ENOMEM;
            goto err_unmap;
    }

Known false positives:
    A function that deliberately returns success when an optional step fails
    (and the variable carries errors on its other paths) is reported unless
    the failing call is recognisably optional: ``debugfs_*()``, ``*_optional*()``
    or a trylock (busy is not an error). Assign the variable explicitly
    (``ret = 0;``) on such a path to state the intent. So is a jump that leaves
    an unwind-only label with success on purpose, where every other jump there
    carries an error code (a "nothing to do" answer shared with the failures'
    unwind). Not reported: a failure
    that only skips part of the function, or is only logged, and rejoins the
    main path; a test of an answer (``net_ratelimit()``, ``memcmp()``: the
    ``[answer]`` knowledge); a failing result that is itself kept in the
    caller's object (``pending->error = foo(); if (pending->error) goto out;``),
    which is how such a function reports it; a failed result returned unchanged
    through an unwind that tests it again (``if (status) goto leave; ... leave: if
    (status < 0 && did_quota) ...``: a later test cannot make a failed value a
    success); a ``goto`` that the path where
    nothing failed takes as well (a failure only logged before a common ``goto
    done``, an iteration skipped before the loop ends its usual way); a ``goto``
    back to the failed test (a retry: later tests decide the exit); a failure
    inside a macro that jumps to the macro's own label (an interrupted
    ``wait_event_interruptible_timeout()``: the code is the macro's value, and
    the function decides what to make of it); a way out
    of a failure branch that sets the error code on its other ways (``if
    (PTR_ERR(inode) != -ENOENT) ret = PTR_ERR(inode); goto out;``, a check macro
    that sets ``ret`` before its own ``goto``, a copy of a code an object recorded:
    ``error = bp->b_error;`` where a verifier ran): the case spared is chosen. A lookup
    that finds nothing (``if (!np) goto out;`` where ``ret`` still holds 0) is
    reported only when its path unwinds set-up done before it (an abort) or the
    function treats another lookup's miss as an error (sets or returns an errno
    in that branch): an early ``return ret;`` on an absent optional node and a
    forgotten ``ret = -ENODEV`` there look the same, and such a bug is missed.
    Nor a failure that drops what the function was handed: its branch has a
    comment that says so (``/* The packet header lied, drop payload */ goto
    advance_rx;``: a receive loop goes on with the next message), or it jumps
    to a label that frees a packet (a release the knowledge pairs with
    ``alloc_skb()``) and that no ``goto`` in the function reaches with an error
    code set (``err_frags_cleanup: dev_kfree_skb_any(skb); ...`` in a
    defragmentation whose fragment the queue took over: an error would make the
    caller free it again). A drop label every way into which forgets the code
    is missed.
    Nor a 0 the code wrote itself (``int status = 0;``) in a function that
    answers a question and sets the variable to a positive constant, or returns
    one, where the answer is yes (a ``d_revalidate()``: 1 valid, 0 invalid, a
    negative errno when it cannot say): that 0 is its "no", the default until
    proven otherwise, and a failure that leaves with it answers "no" on purpose;
    the caller sees no success. A call's successful 0 held in the variable is no
    answer anyone chose and is reported as before. A function whose 0 is its
    success and whose 1 a second kind of success (``return 1;`` for "already
    done") loses its reports on a 0 it wrote: such a forgotten errno is missed.
    Nor anything in a static function whose every call in the file drops its
    result (``foo_event(ab, skb);`` or ``(void)foo_event(ab, skb);``) and whose
    name the text gives nowhere but before a ``(`` (``Summary.result_unread``,
    analysis/callers.py): a code it loses reaches nobody. One stored in a table
    of callbacks or a pointer is read by whoever calls it through that, and is
    reported as before.
    Nor a failure whose test the straight line from the failing call reaches
    through a store of 0 into the variable (``cp = d_path(...); err = 0; if
    (IS_ERR(cp)) goto out;``): the code chose that success where it looks at
    the failure. A 0 stored before the call is the variable's start value and
    says nothing (reported).
    Nor a variable left without a value by the declaration of an inner block's
    own variable of the same name (``bool ret = false; ... { bool ret; ... goto
    out; }``): the model has one name for both, and the one returned holds a
    value; a variable truly unassigned that an inner block shadows is missed.
    Nor a refusal whose test is a call given the variable that returns 0 when
    given 0 (``if (bch2_err_matches(ret, ENOENT)) { bch_err(...); goto out; }``,
    whose body is ``return err < 0 && ...``: the summary's signs for that
    argument value): while the variable holds 0 the branch is not taken, and
    where it is taken the variable holds the error it returns.
    Nor a refusal whose ``goto`` enters an unwind that writes the success the
    function returns (``err: if (ret != -EPROBE_DEFER) ret = 0; return ret;``,
    a fall back to a slower mode): the unwind chose which failures the caller
    hears of, and the 0 is its own.
    Nor a failure whose branch records it in an object the way two other
    branches that leave the function record theirs (``t->error_code =
    FOO_CONFIG_ERROR; goto out;``: a self-test whose status file shows the code):
    a forgotten errno that sits beside such a record is missed.
    Nor a failure branch that hands the caller a value the function holds, in
    the object a parameter points to (``if (rate < 0) { fi->interval =
    sensor->frame_interval; goto out; }``: a setter adjusts the request to what
    it can do, and returns success on purpose); a constant stored there answers
    nothing and is reported. Nor a failure whose test a comment just above says
    is accepted, in so many words ("we return success anyway", "not a hard
    failure", "the error is tolerated", "an acceptable race has occurred": the
    device may be gone, nothing is left to do): no other comment counts.
    Nor a ``goto`` into a tail whose straight line stores a new value into the
    returned variable before the return, reading nothing of the old one
    (``err: writel(...); res = clocksource_register_hz(cs, hz); ... return
    res;``: a common tail that registers what it can whatever failed): an error
    code set at the ``goto`` would be overwritten there, so none is missing at
    it. Whether that tail should keep the first failure is another question,
    which this check does not ask.

    Measured (bench/triage/): on mm/, drivers/net/ethernet/intel/ and
    sound/soc/codecs/ of Linux 6.12, 6 reports, 2 true (33%; three
    first counted true were re-read as false, see bench/triage/README.md).
    That is where the check was tuned.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import TYPE_CHECKING

from kunwind.analysis.conditions import error_on_edge, error_value, failure_check
from kunwind.analysis.constants import ANY_SIGN, ZERO, constant
from kunwind.analysis.error_paths import (
    can_fail,
    decided_elsewhere,
    goto_after,
    is_lookup,
    lookup_miss,
    real_failure,
    retries,
    unwinds,
)
from kunwind.analysis.events import Exit, Jump, Release, failure_index, jumps
from kunwind.analysis.idioms import tolerated_in_comment
from kunwind.analysis.state import UNINITIALISED
from kunwind.findings import CONVENTION, PATH_VALUES, Finding, PathStep
from kunwind.knowledge.names import ERROR_PRINTER, OPTIONAL
from kunwind.model.ir import (
    Assign,
    Binary,
    Call,
    Const,
    Expr,
    Member,
    Return,
    Stmt,
    Store,
    Str,
    Unary,
    Var,
    calls_in,
    path_of,
    root_of,
    stmt_exprs,
    subexprs,
)

from .base import SAMPLE, Measured, Recall, Rule

if TYPE_CHECKING:
    from kunwind.analysis.context import FunctionContext
    from kunwind.analysis.state import State
    from kunwind.analysis.walk import Failure
    from kunwind.model.cfg import Function


def on_return(ctx: FunctionContext, st: State, s: Return, ex: Exit) -> list[Finding]:
    """At a return after a failure that the walk does not see as an error exit."""
    fn = ctx.fn
    if ex.is_error or fn.returns_ptr or fn.returns_void:
        return []
    mine = ctx.summary(fn.name)
    if mine is not None and mine.result_unread:
        return []  # every caller drops the result: a lost code reaches nobody
    v = s.value
    if not isinstance(v, Var) or v.ptr:
        return []
    name = v.name
    found = _after_failure(ctx, st, s, name) if st.failures else []
    if not found and st.values.env.get(name) is UNINITIALISED and \
            not _declared_twice(fn, name):
        found = _garbage_exit(ctx, st, s, name)
    if not found:
        found = _logged_refusal(ctx, st, s, name)
    return found


def at_normal_exits(ctx: FunctionContext) -> bool:
    """Can ``on_return`` report in this function, read from its text: it returns a
    local int that it sets to an error code elsewhere (``_carries_errors``, which
    ``_after_failure`` and ``_logged_refusal`` ask for) or declares without a value
    (``_garbage_exit``)? The walk may be skipped where no path reaches an error exit."""
    fn = ctx.fn
    if fn.returns_ptr or fn.returns_void:
        return False
    names = {s.value.name for b in fn.blocks for s in b.stmts
             if isinstance(s, Return) and isinstance(s.value, Var) and not s.value.ptr}
    return any(_carries_errors(ctx, name) or _declared_bare(fn, name)
               for name in sorted(names))


def _declared_bare(fn: Function, name: str) -> bool:
    """``int ret;``: ``name`` declared without an initialiser (the walk's UNINITIALISED)."""
    return any(isinstance(s, Store) and s.decl and s.value is None and
               isinstance(s.target, Var) and s.target.name == name
               for b in fn.blocks for s in b.stmts)


def _zeroed_before_test(fn: Function, fail: Failure, name: str) -> bool:
    """``cp = d_path(&path, buf, len); err = 0; if (IS_ERR(cp)) goto out;``: between
    the call whose failure the test finds and the test itself, the straight line
    (no label) writes 0 into ``name``. The code chose the success that this
    failure returns right where it looks at it; a 0 written before the call (``ret
    = 0; p = kmalloc(...); if (!p) goto err;``) is no such choice."""
    if not fail.callee:
        return False
    b, seen = fn.blocks[fail.block], {fail.block}
    while True:
        for x in reversed(b.stmts):
            if any(c.callee == fail.callee for c in _statement_calls(x)):
                return False
            if isinstance(x, Store) and path_of(x.target) == name:
                return x.op == "=" and not x.decl and constant(x.value) == 0
        preds = fn.preds()[b.id]
        if b.labels or len(preds) != 1 or preds[0] in seen:
            return False
        seen.add(preds[0])
        b = fn.blocks[preds[0]]


def _statement_calls(x: object) -> list[Call]:
    """The calls statement ``x`` makes."""
    return [c for e in stmt_exprs(x) for c in calls_in(e)] if isinstance(x, Stmt) else []


def _declared_twice(fn: Function, name: str) -> bool:
    """``bool ret = false; ... if (x) { bool ret; ... } out: return ret;``: two variables
    of one name, an inner block's own shadowing the outer one. The function's model
    has one name for both, so the inner declaration seems to leave the returned
    variable without a value: which one holds what is not known."""
    return sum(isinstance(s, Store) and s.decl and isinstance(s.target, Var) and
               s.target.name == name for b in fn.blocks for s in b.stmts) > 1


def _after_failure(ctx: FunctionContext, st: State, s: Return, name: str) -> list[Finding]:
    """A failure test failed on this path, which returns ``name`` holding success."""
    fn = ctx.fn
    if name in st.values.fresh or name in st.values.bad:
        return []  # set on the error path itself (ret = 0 on purpose, ret = -E...)
    held = _success(st, name)
    if held is None or _answer_no(ctx.fn, name, held):
        return []
    fail = st.failures[-1]
    if _zeroed_before_test(fn, fail, name):
        return []  # ``cp = d_path(...); err = 0; if (IS_ERR(cp)) goto out;``: on purpose
    if _optional(ctx, fail) or _kept_for_caller(ctx, fail) or not (
            real_failure(ctx, fail, strict=True) or _null_taken_as_error(ctx, st, fail)):
        return []
    if not any(e.kind == "true" and e.dst != fail.success for e in fn.blocks[fail.block].succs):
        return []  # failed on the else side (``if (!ok) {...}``): not the bail-out idiom
    jump = goto_after(st.events, fail)
    if jump is None and not _in_failure_branch(ctx, fail, s):
        return []  # the failure rejoins the main path: not an error exit
    if jump is not None and decided_elsewhere(ctx, fail, jump.block):
        return []  # the goto is taken whether or not the check failed
    if jump is not None and retries(ctx, fail.block, jump):
        return []  # the goto goes back to try again
    if jump is not None and _stored_at_label(fn, jump, name):
        return []  # the tail the goto enters stores the result anew before the return
    if not _carries_errors(ctx, name):
        return []
    if _spared(ctx, fail, name, jump.line if jump is not None else s.loc.line):
        return []  # the failure branch sets the error on its other ways out
    if lookup_miss(ctx, fail) and not unwinds(st.events, fail) and \
            not _misses_are_errors(ctx, fail, name):
        return []  # nothing found, and nothing says this function takes that as an error
    end = jump.line if jump is not None else s.loc.line
    if _recorded(fn, _own_blocks(fn, fail), fail.line, end):
        return []  # the failure is recorded in an object, as its siblings are
    if _answered_instead(ctx, _own_blocks(fn, fail), fail.line, end):
        return []  # the branch hands the caller a value that stands for the result
    if _tolerated_in_comment(ctx, fail, end):
        return []  # "we return success anyway": its authors say so above the test
    if _drops_in_comment(ctx, fail.line, end) or \
            jump is not None and _discard_label(ctx, jump, name):
        return []  # the packet is dropped on purpose, no failure for the caller
    return [_finding(ctx, st, s, name, held, fail, jump)]


def _null_taken_as_error(ctx: FunctionContext, st: State, fail: Failure) -> bool:
    """A NULL from a call that is no allocator (``d_make_root()``, ``hid_validate_values()``,
    ``diReadSpecial()``): an object absent, which a function may take as an error or
    as nothing to do. The code around the test says which: its path aborts (it
    releases, after the test, something it acquired: not only a lock), or its branch
    logs an error before it jumps out. Then the NULL is a failure, as an
    allocator's is. What the path releases must have been acquired before the
    test (a buffer allocated above it, not a NULL-initialised local freed on
    every way out)."""
    if fail.form != "null" or not real_failure(ctx, fail):
        return False
    i = failure_index(st.events, fail)
    res = st.resources.res
    if i >= 0 and any(isinstance(e, Release) and e.obj in res and res[e.obj].acquire and
                      res[e.obj].line < fail.line and not res[e.obj].kind.is_hold
                      for e in st.events[i + 1:]):
        return True
    jump = goto_after(st.events, fail)
    found = _refusal_branch(ctx.fn, jump.block) if jump is not None else None
    return found is not None and found[0] == fail.block and \
        _logs_error(ctx, ctx.fn, _unconditional(ctx.fn, found[0], found[1], jump.block))  # type: ignore[union-attr]


def _garbage_exit(ctx: FunctionContext, st: State, s: Return, name: str) -> list[Finding]:
    """``int rc; ... if (dev->busy) goto out; ... out: return rc;``: the path took a
    ``goto`` out of a test's branch and returns a variable nothing ever assigned.
    Whatever the test was (a call's failure or a state the code refuses), the
    caller gets the register's leftovers: never what anyone meant, so no evidence
    that the function deals in error codes is needed. The ``goto`` out of a
    branch is required: a path that only falls through (a loop the walk enters
    zero times where the code knows it runs) is less sure to be real."""
    jump = next(iter(reversed(jumps(st.events))), None)
    if jump is None:
        return []
    found = _refusal_branch(ctx.fn, jump.block)
    if found is None:
        return []
    line, col = _test_loc(ctx.fn, found[0], jump)
    message = (
        f"{ctx.words.function}() returns '{name}' on an error path, but '{name}' was never "
        f"assigned: the test at line {line} jumps to '{jump.label}' (line {jump.line}) "
        f"without setting an error code, so the caller sees whatever '{name}' happens to hold"
    )
    steps = [*st.rendered_path(ctx.words),
             PathStep(s.loc.line, s.loc.col, f"returns '{name}' (no value)")]
    return [RULE.finding(ctx, line, col, message, steps, f"unassigned|return {name}",
                         PATH_VALUES)]


def _logged_refusal(ctx: FunctionContext, st: State, s: Return, name: str) -> list[Finding]:
    """``if (rev == ~0U) { dev_err(dev, "giving up\\n"); goto bail; }`` where ``ret``
    still holds 0: the branch logs an error and jumps out, in a function that
    returns error codes through ``ret`` elsewhere. The log says the code took this
    as a failure, whatever the test read (a register, a flag, a bound); leaving
    with success then is the error code forgotten. Only a branch of the test (its
    other side does not reach the ``goto``) that is not a retry counts."""
    if name in st.values.bad:
        return []
    held = _success(st, name)
    jump = next(iter(reversed(jumps(st.events))), None)
    if held is None or held is UNINITIALISED or jump is None or _answer_no(ctx.fn, name, held):
        return []
    fn = ctx.fn
    found = _refusal_branch(fn, jump.block)
    if found is None:
        return []
    test, branch = found
    if _not_for_success(ctx, test, branch, name):
        return []  # the test cannot take that branch while 'name' holds 0
    logged = _logs_error(ctx, fn, _unconditional(fn, test, branch, jump.block))
    siblings = [] if logged or not _bare_refusal(ctx, test, branch, name) else \
        _siblings_set_errors(ctx, jump, name)
    if not (logged or siblings) or any(
            isinstance(x, Store) and path_of(x.target) == name
            for i in branch for x in fn.blocks[i].stmts):
        return []  # neither logged as an error nor the odd jump out of an unwind label
        # whose other jumps all carry an error; or ``ret = 0;`` there: success on purpose
    if retries(ctx, test, jump):
        return []  # the test runs again
    if _stored_at_label(fn, jump, name):
        return []  # the code the goto enters sets the result itself: none was lost here
    if _set_after_jump(fn, jump, name, held):
        return []  # the unwind itself chose the success it returns
    if not _carries_errors(ctx, name):
        return []
    line, col = _test_loc(fn, test, jump)
    if _recorded(fn, set(branch), line, jump.line):
        return []  # the refusal is recorded in an object, as other failures are
    if _drops_in_comment(ctx, line, jump.line) or _discard_label(ctx, jump, name):
        return []  # the packet is dropped on purpose, no failure for the caller
    value = _held(ctx, held)
    if logged:
        why = (f"logs an error and jumps to '{jump.label}' (line {jump.line}) without "
               f"setting an error code")
        evidence = PATH_VALUES
    else:
        at = ", ".join(str(x) for x in siblings[:4])
        why = (f"jumps to '{jump.label}' (line {jump.line}), an unwind that only jumps "
               f"reach and whose other {len(siblings)} jumps (at lines {at}) all carry an "
               f"error code, without setting one")
        evidence = CONVENTION
    message = (
        f"{ctx.words.function}() returns '{name}' on an error path, but '{name}' still holds "
        f"{value}: the test at line {line} {why}, so the caller sees success"
    )
    steps = [*st.rendered_path(ctx.words),
             PathStep(s.loc.line, s.loc.col, f"returns '{name}' ({value})")]
    return [RULE.finding(ctx, line, col, message, steps, f"logged|return {name}",
                         evidence)]


def _bare_refusal(ctx: FunctionContext, test: int, branch: list[int], name: str) -> bool:
    """Is the branch of ``test`` a refusal and nothing else: the test is no loop's end
    (the way out of a loop that ran its course), no test of the returned ``name``
    itself (its success side, where ``name`` holds 0: the success path's ``goto
    ret`` after ``if (status) goto mbx_err;``), it reads no field that the function
    sets elsewhere (``if (d->smmu) goto out_unlock; ... d->smmu = smmu;``: the set-up
    was done already, and leaving with 0 is the point), and the branch calls nothing
    but printers on its way to the jump?"""
    fn = ctx.fn
    if test in ctx.looping and any(e.dst not in ctx.looping for e in fn.blocks[test].succs):
        return False
    cond = fn.blocks[test].cond
    if cond is not None and any(isinstance(x, Var) and x.name == name for x in subexprs(cond)):
        return False  # if (status) goto err; ... goto ret;: the success side of its test
    read = {p for x in subexprs(cond) if isinstance(x, Member) and (p := path_of(x))} \
        if cond is not None else set()
    if any(isinstance(x, Store) and path_of(x.target) in read
           for b in fn.blocks if b.id not in branch for x in b.stmts):
        return False  # if (d->smmu) goto out; ... d->smmu = smmu;: already done
    return all(ctx.kb.printer_format(c.callee) is not None
               for b in branch for e in fn.blocks[b].stmt_exprs() for c in calls_in(e))


def _siblings_set_errors(ctx: FunctionContext, jump: Jump, name: str) -> list[int]:
    """The lines of the other jumps to the label ``jump`` enters, when that label is an
    unwind (no path reaches it but through a ``goto``), at least two others jump
    there, and each of them carries an error code in ``name``: its own branch stores
    one (``ret = -EINVAL; goto out;``) or its test reads ``name`` (``if (ret) goto
    out;``, after ``ret = foo()``). Then the jump that sets none is the odd one out:
    the code's own convention says that label is for failures. [] otherwise."""
    fn = ctx.fn
    dst = next((e.dst for e in fn.blocks[jump.block].succs if e.kind == "goto"), None)
    if dst is None or _reached_without_goto(fn, dst):
        return []
    lines: list[int] = []
    for b in fn.blocks:
        for e in b.succs:
            if e.kind != "goto" or e.dst != dst or b.id == jump.block:
                continue
            if not _carries_error(ctx, b.id, name):
                return []
            lines.append(e.line)
    return sorted(lines) if len(lines) >= 2 else []


def _reached_without_goto(fn: Function, dst: int) -> bool:
    """Does a path from the entry reach block ``dst`` with no ``goto`` on the way (the
    success path falling into the label)?"""
    return dst in fn.reachable_from(fn.entry, skip_kind="goto")


def _carries_error(ctx: FunctionContext, block: int, name: str) -> bool:
    """Does the ``goto`` in ``block`` leave with an error code in ``name``: the branch
    it ends stores one, or the test of that branch reads ``name``?"""
    fn = ctx.fn
    test = _branch_test(fn, block)
    if test is None:
        return any(_sets_error(x, name, ctx.in_progress) for x in fn.blocks[block].stmts)
    cond = fn.blocks[test].cond
    branch = _branch_blocks(fn, test, block) or [block]
    return any(_sets_error(x, name, ctx.in_progress) for b in branch
               for x in fn.blocks[b].stmts) or _reads(cond, name)


def _not_for_success(ctx: FunctionContext, test: int, branch: list[int], name: str) -> bool:
    """``if (bch2_err_matches(ret, ENOENT)) { bch_err(...); goto out; }``: the test is a
    call given ``name``, taken on its true side, whose body returns 0 whenever that
    argument is 0 (``return err < 0 && ...``: the summary's signs for that value).
    While ``name`` holds success the branch is not taken: on the path that takes
    it, ``name`` holds an error already."""
    b = ctx.fn.blocks[test]
    cond, true_side = b.cond, True
    while isinstance(cond, Unary) and cond.op == "!":
        cond, true_side = cond.operand, not true_side
    if not isinstance(cond, Call) or not branch:
        return False
    kind = next((e.kind for e in b.succs if e.dst == branch[0]), None)
    if kind not in ("true", "false") or (kind == "true") != true_side:
        return False  # the branch is where the call returns 0
    s = ctx.summary(cond.callee)
    return s is not None and any(
        isinstance(a, Var) and a.name == name and
        s.ret_signs_when.get(j, {}).get(0, ANY_SIGN) == ZERO
        for j, a in enumerate(cond.args))


def _stored_at_label(fn: Function, jump: Jump, name: str) -> bool:
    """``goto output; ... output: memcpy(params, &p, ...); rc = 0; cleanup: ...
    return rc;``: the straight line the ``goto`` enters stores a new value into
    ``name`` before the return, without reading the old one: 0 (the label is a
    way out that returns success to whoever jumps there, and jumping there is the
    choice to take the refusal as no error) or anything else (``err: res =
    clocksource_register_hz(cs, hz); ... return res;``: a common tail whose own
    result is the one returned). What the variable held at the ``goto`` does not
    reach the caller, so no error code is missing there."""
    b = fn.blocks[jump.block]
    seen = {jump.block}
    while len(b.succs) == 1 and b.succs[0].dst not in seen:
        seen.add(b.succs[0].dst)
        b = fn.blocks[b.succs[0].dst]
        for x in b.stmts:
            if isinstance(x, Store) and path_of(x.target) == name:
                return x.op == "=" and x.value is not None and not _reads(x.value, name)
            if isinstance(x, Return):
                return False
    return False


def _set_after_jump(fn: Function, jump: Jump, name: str, held: Expr) -> bool:
    """``if (ret) { dev_err(...); goto err; } ... err: if (ret != -EPROBE_DEFER) ret =
    0; return ret;``: the success ``name`` holds at the return is the 0 of a store
    that the code after the ``goto`` runs under a test of ``name`` itself (in a
    block the label's side reaches, not the goto's own: the walk keeps the stored
    expression itself). The unwind decides which failures the caller hears of and
    turns the others into success on purpose (a fall back to a slower mode): no
    error code was forgotten before the jump. A call's success stored after the
    jump (a later loop's write that overwrites the code) is no such decision."""
    after = set().union(*(fn.reachable_from(d) for d in fn.blocks[jump.block].targets()))
    after.discard(jump.block)
    preds = fn.preds()
    return any(isinstance(x, Store) and x.value is held and path_of(x.target) == name and
               constant(x.value) == 0 and any(_reads(fn.blocks[p].cond, name)
                                              for p in preds[i])
               for i in after for x in fn.blocks[i].stmts)


def _reads(e: Expr | None, name: str) -> bool:
    """Does ``e`` read the variable ``name``?"""
    return e is not None and any(isinstance(x, Var) and x.name == name for x in subexprs(e))


def _recorded(fn: Function, branch: set[int], start: int, end: int) -> bool:
    """``{ dev_err(...); dt->error_code = DMA_TEST_CONFIG_ERROR; goto out_unlock; }``:
    the failure branch (its blocks ``branch``, lines ``start`` to ``end``) stores a
    constant other than 0 into a field of an object, and two other branches of the
    function that leave it (a ``goto`` or a ``return``) store constants there too.
    The function records what failed in that object, where whoever reads it looks
    (a test's status file, a state the next call checks): this failure is reported
    that way, the same way as its siblings, not lost."""
    mine = {p for i in branch for p in _failure_marks(fn, i, start, end)}
    if not mine:
        return False
    others = [i for i in range(len(fn.blocks)) if i not in branch and _leaves(fn, i)]
    return any(sum(p in _failure_marks(fn, i, 0, 1 << 30) for i in others) >= 2
               for p in mine)


def _answered_instead(ctx: FunctionContext, branch: set[int], start: int, end: int) -> bool:
    """``if (rate < 0) { fi->interval = sensor->frame_interval; goto out; }``: the
    failure branch (its blocks ``branch``, lines ``start`` to ``end``) copies a value
    the function already holds (an access path, no constant, no call) into the
    object a parameter points to, the caller's. It answers the request with that
    value (a V4L2 setter adjusts the interval it was given to one it can do) and
    returns success on purpose: the caller reads the answer where it asked."""
    params = {p.name for p in ctx.fn.params}
    for i in branch:
        for x in ctx.fn.blocks[i].stmts:
            if not (isinstance(x, Store) and x.op == "=" and start <= x.loc.line <= end):
                continue
            path = path_of(x.target)
            if path is None or "->" not in path and not path.startswith("*") or \
                    root_of(path) not in params or x.value is None:
                continue
            if path_of(x.value) is not None and constant(x.value) is None and \
                    not getattr(x.value, "ptr", False):
                return True
    return False


COMMENT_REACH = 10  # lines above the test that its comment may start


def _tolerated_in_comment(ctx: FunctionContext, fail: Failure, end: int) -> bool:
    """A comment that starts at most ``COMMENT_REACH`` lines above the failing test
    (or in its branch, up to ``end``) says in so many words that the failure is
    accepted (``If this fails, we return success anyway since quotas are already
    enabled and this is not a hard failure``): the 0 returned is the authors'
    choice, written down where they made it."""
    lo = max(ctx.fn.loc.line, fail.line - COMMENT_REACH)
    return tolerated_in_comment(ctx.comments, lo, end)


# A comment in a failure branch that says it drops what was received: "drop the
# packet", "The packet header lied, drop payload", "Drop the message".
_DROPS = re.compile(
    r"\b(?:drop(?:s|ping|ped)?|discard(?:s|ing|ed)?)\s+(?:the\s+|this\s+)?"
    r"(?:packet|payload|message|frame|fragment|skb)s?\b", re.IGNORECASE)


def _drops_in_comment(ctx: FunctionContext, start: int, end: int) -> bool:
    """A comment inside the failure branch (lines ``start``, its test, to ``end``, its
    way out) says the branch drops the data it was handed (``/* The packet header
    lied, drop payload */ goto advance_rx;``). A receive path that drops a bad
    packet has handled it: the loop that feeds it goes on with the next one, and
    an error code would stop it. The authors wrote that choice where they made it."""
    return any(start <= line <= end and _DROPS.search(text) for line, text in ctx.comments)


def _discard_label(ctx: FunctionContext, jump: Jump, name: str) -> bool:
    """``err_frags_cleanup: dev_kfree_skb_any(defrag_skb); ...frags_cleanup(rx_tid,
    true); out_unlock: ... return ret;``: the label the ``goto`` enters frees a
    packet on its straight way to the return (a release the knowledge pairs with
    ``alloc_skb()``), and no ``goto`` to that label in the function sets ``name`` to
    an error code on its way there. The label is where the function drops what it
    was handed and returns success on purpose (the packet is consumed: an error
    would make the caller free it again); its errors leave by other labels."""
    fn = ctx.fn
    target = next((b for b in fn.blocks if jump.label in b.labels), None)
    skb = ctx.kb.acquire("alloc_skb")
    if target is None or skb is None:
        return False
    frees, b, seen = False, target, {target.id}
    while True:
        frees = frees or any(c.callee in skb.release for x in b.stmts
                             for c in _statement_calls(x))
        if any(isinstance(x, Return) for x in b.stmts) or len(b.succs) != 1 or \
                b.succs[0].dst in seen:
            break
        seen.add(b.succs[0].dst)
        b = fn.blocks[b.succs[0].dst]
    if not frees:
        return False
    preds = fn.preds()
    return not any(_sets_before(fn, preds, p.id, name, ctx.in_progress)
                   for p in fn.blocks for e in p.succs
                   if e.kind == "goto" and e.dst == target.id)


def _sets_before(fn: Function, preds: dict[int, list[int]], block: int, name: str,
                 in_progress: Collection[int]) -> bool:
    """Does the straight line that ends in block ``block`` (back to the test that
    starts it) set ``name`` to an error code?"""
    seen = {block}
    while True:
        if any(_sets_error(x, name, in_progress) for x in fn.blocks[block].stmts
               if isinstance(x, Store)):
            return True
        ps = preds[block]
        if fn.blocks[block].labels or len(ps) != 1 or ps[0] in seen or \
                len(fn.blocks[ps[0]].succs) != 1:
            return False
        block = ps[0]
        seen.add(block)


def _failure_marks(fn: Function, block: int, start: int, end: int) -> set[str]:
    """The fields (``dt->error_code``) that block ``block`` sets to a constant other
    than 0, between lines ``start`` and ``end``."""
    out = set()
    for x in fn.blocks[block].stmts:
        if isinstance(x, Store) and x.op == "=" and start <= x.loc.line <= end:
            path, k = path_of(x.target), constant(x.value)
            if path is not None and "->" in path and k is not None and k != 0:
                out.add(path)
    return out


def _leaves(fn: Function, block: int) -> bool:
    """Does block ``block`` end the way a failure branch does: a ``goto`` or a return?"""
    b = fn.blocks[block]
    return any(e.kind == "goto" for e in b.succs) or any(isinstance(x, Return)
                                                          for x in b.stmts)


def _own_blocks(fn: Function, fail: Failure) -> set[int]:
    """The blocks only the failing side of ``fail``'s test reaches (without running
    the test again): its branch, and what only it leads to."""
    failing = [e.dst for e in fn.blocks[fail.block].succs if e.dst != fail.success]
    own: set[int] = set()
    for d in failing:
        own |= fn.reachable_from(d, avoid=fail.block)
    return own - fn.reachable_from(fail.success, avoid=fail.block)


def _branch_blocks(fn: Function, test: int, end: int) -> list[int]:
    """The blocks of the straight line from ``test``'s branch to ``end``, when only
    that branch reaches ``end`` (the test's other side does not), else []."""
    sides = [e.dst for e in fn.blocks[test].succs]
    line: list[int] = []
    for start in sides:
        path: list[int] = []
        for blk in fn.straight_run(start):
            path.append(blk.id)
            if blk.id == end:
                line = path
                break
    others = [d for d in sides if not line or d != line[0]]
    if not line or any(end in fn.reachable_from(d, avoid=test) for d in others):
        return []
    return line


def _refusal_branch(fn: Function, block: int) -> tuple[int, list[int]] | None:
    """The test whose branch alone leads to ``block`` (a ``goto``'s), and the blocks of
    that branch: the straight line up from ``block`` (``_branch_test``), else the
    nearest test above it of which one side reaches ``block`` and the other does
    not. The second form finds the branch through the tests a logging macro makes
    inside it (``do { ... } while (0)``, ``if (__ratelimit(...))``) and through a
    condition in parts (``if (a < lo || a > hi)``: its last part, which alone
    decides). Not above a label (other gotos join there) or a switch."""
    test = _branch_test(fn, block)
    if test is not None:
        line = _branch_blocks(fn, test, block)
        if line:
            return test, line
    preds = fn.preds()
    seen = {block}
    todo = list(preds.get(block, []))
    while todo and len(seen) < 64:
        b = todo.pop(0)
        if b in seen:
            continue
        seen.add(b)
        blk = fn.blocks[b]
        if blk.switch is not None:
            return None
        if blk.cond is not None and len(blk.succs) == 2:
            reach = [block in fn.reachable_from(e.dst, avoid=b) for e in blk.succs]
            if reach[0] != reach[1]:
                side = blk.succs[0 if reach[0] else 1].dst
                branch = [x for x in sorted(fn.reachable_from(side, avoid=b))
                          if block in fn.reachable_from(x, avoid=b)]
                return b, branch
        if blk.labels:
            return None
        todo.extend(preds.get(b, []))
    return None


def _unconditional(fn: Function, test: int, branch: list[int], end: int) -> list[int]:
    """The blocks of ``test``'s branch that every way from the test to ``end`` runs: a
    log that a macro prints only when a rate limit allows (``if (net_ratelimit())
    dev_err(...)``) is not among them; such a branch reads an event, not a refusal."""
    side = next((x for x in branch if x in fn.blocks[test].targets()), None)
    if side is None:
        return []
    return [b for b in branch
            if b in (side, end) or end not in fn.reachable_from(side, avoid={test, b})]


def _logs_error(ctx: FunctionContext, fn: Function, blocks: list[int]) -> bool:
    """Does one of ``blocks`` call a function that logs at an error level (``dev_err()``,
    or a printer whose format starts with KERN_ERR or worse: ``pr_err()``; or a
    driver's own printer named so, ``vbg_err()``, given a string literal)?"""
    return any(ctx.kb.logs_error(c.callee, _format(ctx, c)) or
               ERROR_PRINTER.search(c.callee) is not None and
               any(isinstance(a, Str) for a in c.args)
               for i in blocks for e in fn.blocks[i].stmt_exprs() for c in calls_in(e))


def _format(ctx: FunctionContext, c: Call) -> str:
    """The string a printer's level is read from, as written: its level argument when
    it takes one apart (``dev_printk(KERN_ERR, dev, fmt)``), else its format string
    ("" when none or not a literal)."""
    k = ctx.kb.printer_level(c.callee)
    if k is None:
        k = ctx.kb.printer_format(c.callee)
    arg = c.args[k] if k is not None and k < len(c.args) else None
    return arg.value if isinstance(arg, Str) else ""


def _branch_test(fn: Function, block: int) -> int | None:
    """The test whose branch holds ``block`` (a ``goto``'s): the block that tests,
    found up the straight line of single predecessors that leads to ``block``; of a
    condition in parts (``if (!a || !b)``, one test block each), the first part."""
    preds = fn.preds()
    seen = {block}
    while True:
        before = preds.get(block, [])
        if len(before) > 1 and all(fn.blocks[p].cond is not None for p in before):
            before = [min(before, key=lambda p: _line_of(fn, p))]
        if len(before) != 1 or before[0] in seen:
            return None
        block = before[0]
        seen.add(block)
        b = fn.blocks[block]
        if b.cond is not None and len(b.succs) == 2:
            return block
        if b.labels or b.switch is not None or len(b.succs) != 1:
            return None


def _test_loc(fn: Function, test: int, jump: Jump) -> tuple[int, int]:
    """Where the test in block ``test`` is written (the ``goto``'s line when unknown)."""
    loc = fn.blocks[test].cond_loc
    return (loc.line, loc.col) if loc else (jump.line, 0)


def _line_of(fn: Function, block: int) -> int:
    """The line of a test block's condition (0 when unknown)."""
    loc = fn.blocks[block].cond_loc
    return loc.line if loc else 0


def _success(st: State, name: str) -> Expr | None:
    """The success value ``name`` holds on this path (a call's result, 0, or no value
    at all: declared without an initialiser and never assigned), or None."""
    value = st.values.env.get(name)
    if value is UNINITIALISED:
        return value
    if isinstance(value, Assign):
        value = value.value
    if name in st.values.ok and isinstance(value, Call):
        return value
    if isinstance(value, Const) and value.value == 0:
        return value
    return None


def _answer_no(fn: Function, name: str, held: Expr) -> bool:
    """``int status = 0; ... if (IS_ERR(mm)) goto out; ... status = 1; out: return
    status;``: a function that answers a question (a d_revalidate(): 1 valid, 0
    invalid, a negative errno when it cannot say) sets ``name`` to a positive
    constant, or returns one, where the answer is yes; the 0 that ``name`` holds
    from the code's own ``= 0`` is then its "no", the default until proven
    otherwise, and a failure that leaves with it answers "no" on purpose: the
    caller sees no success. Only a 0 the code wrote: the successful result of a
    call held in ``name`` (``status = lock_killable(mm)`` returning 0) is that
    call's "done", no answer anyone chose, and is reported as in any function."""
    if not isinstance(held, Const) or held.value != 0:
        return False
    for b in fn.blocks:
        for x in b.stmts:
            if isinstance(x, Store) and x.op == "=" and path_of(x.target) == name or \
                    isinstance(x, Return):
                k = constant(x.value) if x.value is not None else None
                if k is not None and k > 0:
                    return True
    return False


def _held(ctx: FunctionContext, value: Expr) -> str:
    """A success value in words (made only for a finding)."""
    if value is UNINITIALISED:
        return "no value"
    if isinstance(value, Call):
        callee = ctx.words.name(value.callee, value.loc.line)
        return f"the successful result of {callee}() (line {value.loc.line})"
    return "0"


def _optional(ctx: FunctionContext, fail: Failure) -> bool:
    """A failure that kernel code conventionally treats as not an error."""
    callee = fail.callee
    if not callee:
        return False
    if OPTIONAL.search(callee):
        return True
    acq = ctx.kb.acquire(callee)
    return acq is not None and acq.fails == "zero"


def _kept_for_caller(ctx: FunctionContext, fail: Failure) -> bool:
    """``pending->error = foo(); if (pending->error) goto out;``: the failing result is
    an error code kept in an object the caller sees (a field reached through a
    parameter or a global): that is how this function reports the failure, so it is
    not lost. A pointer kept there is not an error code (``priv->buf = kzalloc();
    if (!priv->buf) goto err;`` still needs one)."""
    subject = ctx.fn.blocks[fail.block].cond
    while isinstance(subject, Unary) and subject.op == "!" or \
            isinstance(subject, Binary) and isinstance(subject.rhs, Const):
        subject = subject.operand if isinstance(subject, Unary) else subject.lhs
    if subject is None or getattr(subject, "ptr", False):
        return False
    path = path_of(subject)
    if path is None or "->" not in path and not path.startswith("*"):
        return False
    root = root_of(path)
    return root in {p.name for p in ctx.fn.params} or root not in ctx.declared_locals


def _in_failure_branch(ctx: FunctionContext, fail: Failure, s: Return) -> bool:
    """``if (!p) return ret;``: the return sits in the branch the failure took, in a
    block that the path where nothing failed does not reach (``if (f() < 0)
    dev_err(...); return ret;`` logs and rejoins it)."""
    fn = ctx.fn
    targets = [e.dst for e in fn.blocks[fail.block].succs if e.dst != fail.success]
    # in a loop, a later iteration may fail where this one did not: not through the test
    on_success = fn.reachable_from(fail.success, avoid=fail.block)
    seen: set[int] = set()
    while len(targets) == 1 and targets[0] not in seen:
        b = fn.blocks[targets[0]]
        seen.add(b.id)
        if b.labels and seen != {b.id} or b.id in on_success:
            return False
        if any(x is s for x in b.stmts):
            return True
        if b.cond is not None or b.switch is not None:
            return False
        targets = [e.dst for e in b.succs]
    return False


def _spared(ctx: FunctionContext, fail: Failure, name: str, end: int) -> bool:
    """Does the failure's own branch set ``name`` to an error code on another of its
    ways out, between the test and this exit (``if (IS_ERR(inode)) { if
    (PTR_ERR(inode) != -ENOENT) ret = PTR_ERR(inode); goto out; }``, a switch on the
    failing result, a macro that sets ``ret`` before its own ``goto``)? Then the
    code weighed this failure and chose success on this way: a case it spares on
    purpose, not an error code it forgot."""
    fn = ctx.fn
    failing = [e.dst for e in fn.blocks[fail.block].succs if e.dst != fail.success]
    if len(failing) != 1:
        return False
    own = fn.reachable_from(failing[0], avoid=fail.block) - \
        fn.reachable_from(fail.success, avoid=fail.block)
    return any(isinstance(x, Store) and fail.line <= x.loc.line <= end and
               (_sets_error(x, name, ctx.in_progress) or _copies_stored_code(x, name))
               for i in own for x in fn.blocks[i].stmts)


def _copies_stored_code(x: Store, name: str) -> bool:
    """``if (bp->b_ops) { bp->b_ops->verify_read(bp); error = bp->b_error; } goto
    out_release;``: ``name`` takes the value of a field of an object, where the code
    that ran before recorded its error (``b_error``, ``status``), and the function
    returns it. The branch hands its caller the code stored there on the ways that
    have one; the ways that do not (no verifier ran) leave success on purpose."""
    if path_of(x.target) != name or x.op != "=" or x.value is None:
        return False
    src = path_of(x.value)
    return src is not None and ("->" in src or "." in src) and \
        constant(x.value) is None and not isinstance(x.value, Call)


def _misses_are_errors(ctx: FunctionContext, fail: Failure, name: str) -> bool:
    """Does this function take another lookup that finds nothing as an error: a
    sibling test ``if (!np)`` of a lookup's result whose failing branch alone sets
    ``name`` to an error code or returns one? Then a miss that returns success is
    the odd one out (``ret = -ENODEV`` forgotten); without such a sibling, a miss
    that returns 0 is as likely an optional part that is absent on purpose."""
    fn = ctx.fn
    looked_up = {path_of(x.target): x.value for b in fn.blocks for x in b.stmts
                 if isinstance(x, Store) and isinstance(x.value, Call)
                 and is_lookup(ctx, x.value.callee)}
    for b in fn.blocks:
        if b.id == fail.block or b.cond is None or len(b.succs) != 2:
            continue
        chk = failure_check(b.cond, looked_up.get)
        if chk is None or chk.form != "null" or not is_lookup(ctx, chk.callee):
            continue
        failing = next((e.dst for e in b.succs
                        if e.kind == ("true" if chk.fails_when else "false")), None)
        if failing is not None and _branch_sets_error(fn, failing, name,
                                                      ctx.in_progress):
            return True
    return False


def _branch_sets_error(fn: Function, start: int, name: str,
                       in_progress: Collection[int]) -> bool:
    """Does the branch that starts at block ``start`` set ``name`` to an error code or
    return one, before it joins other paths (a label) or tests anything? (Only the
    straight-line branch counts: the blocks after a loop's last iteration, which
    the loop's end test leads to, are not a branch of it.)"""
    seen: set[int] = set()
    b = start
    while b not in seen:
        seen.add(b)
        block = fn.blocks[b]
        if block.labels and len(seen) > 1:
            return False
        if any(_sets_error(x, name, in_progress) for x in block.stmts):
            return True
        if block.cond is not None or block.switch is not None or len(block.succs) != 1:
            return False
        b = block.succs[0].dst
    return False


def _sets_error(x: object, name: str, in_progress: Collection[int]) -> bool:
    """``name = -ENODEV;`` or ``return -ENODEV;``."""
    if isinstance(x, Return):
        return error_value(x.value, in_progress=in_progress) is not None
    return isinstance(x, Store) and path_of(x.target) == name and \
        error_value(x.value, in_progress=in_progress) is not None


def _carries_errors(ctx: FunctionContext, name: str) -> bool:
    """Does the function return error codes through ``name`` on other paths?

    Yes when ``name`` is assigned an error value somewhere, or is assigned a
    call's result that is tested for failure in a function that deals in
    negative errnos: it returns or stores one, tests ``name < 0``, compares
    ``name`` with one (``if (ret != -EEXIST)``), or one of the calls whose
    result ``name`` takes can fail with one (its body here, an API fact, the
    file's ``< 0`` tests of it: ``error_paths.can_fail``). ``vm_fault_t`` and
    boolean-style results do not.
    """
    fn, in_progress = ctx.fn, ctx.in_progress
    calls: list[Call] = []
    errno = False
    for b in fn.blocks:
        for x in b.stmts:
            value = x.value if isinstance(x, (Store, Return)) else None
            if isinstance(value, Assign):
                value = value.value
            if value is None or not error_value(value, in_progress=in_progress):
                if isinstance(x, Store) and isinstance(value, Call) and \
                        path_of(x.target) == name:
                    calls.append(value)
                continue
            if isinstance(x, Store) and path_of(x.target) == name:
                return True
            errno = True
    if not calls:
        return False
    tested = False
    for b in fn.blocks:
        if b.cond is None or not any(isinstance(x, Var) and x.name == name
                                     for x in subexprs(b.cond)):
            continue
        errno = errno or name in (error_on_edge(b.cond, True, in_progress),
                                  error_on_edge(b.cond, False, in_progress))
        for c in calls:
            chk = failure_check(b.cond, lambda p, c=c: c if p == name else None)  # type: ignore[misc]
            if chk is not None and path_of(chk.subject) == name:
                tested = True
                errno = errno or chk.form == "negative" or bool(can_fail(ctx, c.callee))
    return tested and errno


def _finding(ctx: FunctionContext, st: State, s: Return, name: str, value: Expr,
             fail: Failure, jump: Jump | None) -> Finding:
    fn = ctx.fn
    held = _held(ctx, value)
    what = fail.what_in(ctx.words) if fail.callee else "a check fails"
    how = f"jumps to '{jump.label}' (line {jump.line})" if jump else "returns"
    state, sees = ("was never assigned", f"whatever '{name}' happens to hold") \
        if value is UNINITIALISED else (f"still holds {held}", "success")
    message = (
        f"{ctx.words.function}() returns '{name}' on an error path, but '{name}' {state}: "
        f"{what} at line {fail.line} and the path {how} without setting an error code, "
        f"so the caller sees {sees}"
    )
    b = fn.blocks[fail.block]
    col = b.cond_loc.col if b.cond_loc else 0
    steps = [*st.rendered_path(ctx.words),
             PathStep(s.loc.line, s.loc.col, f"returns '{name}' ({held})")]
    return RULE.finding(ctx, fail.line, col, message, steps,
                        f"{fail.callee or 'check'}|return {name}", PATH_VALUES)


RULE_ID, RULE_NAME = "KU004", "missing-error-code"
RULE = Rule(id=RULE_ID, name=RULE_NAME, doc=__doc__,
            measured=Measured(4, 12, SAMPLE),
            recall=(Recall("drop-errno", 56, 96),),
            on_return=on_return, at_normal_exits=at_normal_exits)
