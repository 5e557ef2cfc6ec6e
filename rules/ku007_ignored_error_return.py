"""A call's error return is dropped, or overwritten before it is tested.

What it finds:
    A call statement ``foo_register(x);`` whose result is never looked at,
    on a path that then returns success, in a function that returns error
    codes on its other paths; or ``ret = foo(x); ret = bar(x);`` where the
    first result is stored and overwritten, in the same block, before
    anything reads it. Only with evidence, all of it: the callee can fail
    with a negative errno (its body in this file or a header returns one and
    is not a stub, the knowledge says its int result fails negative, or the
    file's own calls test it ``< 0``); the function itself returns errnos
    (its summary); and, for a dropped result, the file's other calls of the
    same callee test their result, at least two of them, and none of them
    drops it (the code's own convention that this failure matters, and this
    call its only deviant). A test whose failing branch only logs and rejoins
    the way on (``if (foo(x) < 0) pr_warn(...);``, the result not read after it)
    does not count: the file notes that failure and goes on
    (``analysis/conventions.py``). ``(void)foo(x);`` states that the result is
    dropped on purpose and is not reported.

Why it matters:
    The function goes on after a step that failed: a probe returns 0
    without its device registered, a write reports success after the
    hardware refused it. The caller cannot undo what it does not know
    failed, and the error surfaces later, far from its cause.

Bad:
    ret = foo_hw_reset(priv);
    if (ret)
            return ret;
    foo_set_mode(priv, MODE_RUN);          /* -EINVAL dropped */
    return 0;

Good:
    ret = foo_set_mode(priv, MODE_RUN);
    if (ret)
            return ret;
    return 0;

Known false positives:
    A result dropped on purpose where the file tests it elsewhere (a
    best-effort step on a path that must not fail, such as a resume that
    restores what it can) is reported; write ``(void)foo(x);`` to state the
    intent (a lock attempt before a chip reset that clears the lock anyway).
    A file that drops the result at two calls or more drops it by
    habit (best-effort quirk writes, re-linking an entry just unlinked, whose
    failure cannot happen there): none of them is reported, and a slip made
    twice in one file is missed. A result stored in a local that no path then
    reads at all (``status = foo_rd(R, &v); status = foo_wr(R, v); return
    0;``) is dropped alike, and an overwritten one is not reported where the
    function drops that callee's result so, or by a call statement, at two
    places at least (a best-effort side, such as a disable that must not
    fail). Not reported: calls that a path makes after
    a failure (the unwind's own steps, or a closing step that the paths
    where something failed run too: its failure cannot be reported without
    hiding the first one), callees whose failure nothing in the file shows (a body in
    another file, not described by the knowledge), and results dropped in a
    function that returns no errno. Nor a call that runs only where a test found
    the function's result equal to an errno, which every return after it returns
    untouched (``if (ret == -ETIMEDOUT) { foo_reset(); foo_notify_on(); } return
    ret;``: a recovery step, whose failure could only be reported in place of the
    timeout), nor a result dropped in a static function whose every call in the file
    drops its result in turn (an error it lost would reach nobody), nor a call that
    the straight line after it makes again with the same
    arguments and whose result that second call's is (``foo_set_key(k); k->flags
    |= F; return foo_set_key(k);``: the first failure is retried, not lost). Nor a
    call made while an earlier call's result waits for its test: a local holds it,
    stored on every path into the call with no test since, and the straight line
    after the call tests it (``ret = foo_register(x); foo_set_mode(x, DIGITAL); if
    (ret) goto err;``, a quiesce after a transfer, before the transfer's result is
    looked at). The function decides what that result means only after the call,
    which it runs whether the earlier call failed or not: a restore step the
    failing path runs too. The earlier call counts as able to fail unless its body
    (no configuration's stub) cannot return a negative value. A result only
    returned after the call (``ret = foo_check(x); foo_clear(x); return ret;``) is
    no such decision, and the call is reported. A restore whose own failure leaves
    the device in the wrong state on the success path is missed. Nor a read whose
    value nobody looks at: the callee is a read (the knowledge's [read], such as
    regmap_read(), or a function whose summary says it only reads: it writes no
    field of its parameters, releases and hands over nothing, stores only into its
    own variables and through a parameter, ``*val = v``, and calls only reads and
    logging), and each local it fills (``&val``, a local array), whose address is
    kept nowhere, is stored anew or left unread on every path after the call
    (``regmap_read(map, REG, &val);`` to fill the register cache). Its failure
    loses nothing; a read whose effect is on the device (a status register that a
    read clears) is missed when it fails. Nor a call that takes an argument over
    whatever it returns (``hci_recv_frame(hdev, skb);``: an [owner] of the
    knowledge with neither ``on_success`` nor ``on_failure``, or a callee whose
    summary ``consumes`` it): the object went where its failure is dealt with, and
    the caller has nothing left to undo. Nor a call in a function that goes on past
    failures of that kind itself: it tests another call of the same callee and,
    where that one fails, rejoins what its success side goes on to (``if
    (call_ctl(CREATE_PORT, p) >= 0) { ...; call_ctl(SUBSCRIBE, &s); }``: an
    optional part), or every call it makes on the call's object (its first
    argument) that can fail drops its result, two at least, while it uses the
    result of one of those callees on another object (``foo_rate_write(up, 0);
    foo_enable(up, false); ret = foo_rate_write(down, 0);``: a peer that may be
    gone already). A slip repeated on every call on one object is missed.
    Nor a dropped call whose comment, starting at most three lines above it,
    or heading it (it ends at most five lines above the call, and no call
    between them can fail: ``/* ... */ if (delay) msleep(delay); foo_reset();``),
    says in so many words that its failure is accepted ("foo_add_adapter will
    clean up if this fails", "best effort", "minimal effort", "ignore the
    error", "the failure is not fatal", "failure isn't counted", "the return
    code shouldn't be checked"): an optional step, its authors' choice written
    where they made it.
    Nor a poll: a dropped call in a loop whose tests read a field the call
    writes (its summary's ``writes``: ``foo_read_status(f)`` fills
    ``f->cmd``, and the loop breaks once ``f->cmd`` says the device is idle).
    A failed read leaves the old state and the loop asks again: its outcome
    is looked at through the state.
    Nor a dropped copy whose only failure is a truncation (the knowledge's
    [truncates], ``strscpy(info->name, ep->name, sizeof(info->name));``): the
    destination holds a terminated prefix either way, and dropping the result
    takes the truncated string; a caller that needed the whole string and
    forgot to test it is missed. Nor a call that fills a local through its
    address (``u8 type = 0x7; foo_read_efuse(priv, OFF, &type); if (type ==
    0xff) ...``) where the local holds, on every path into the call, a nonzero
    constant the function stored, and every path after it tests the local first:
    a failed fill leaves the default, which the test handles (a 0 there is the
    habit of clearing a local, and is reported). Nor a call given constants for
    which the callee's body returns no negative value (its summary's
    ``ret_signs_when``: ``parport_negotiate(port, IEEE1284_MODE_COMPAT)``, whose
    body returns 0 for that mode before any failure): with these arguments there
    is no failure to lose. Nor a call whose callee fails only with errnos that
    say a feature is absent (the knowledge's [unsupported], -EOPNOTSUPP), each of
    its returns a constant and no call in it able to fail (``Summary.only_errnos``:
    ``if (!pci_get_dsn(pdev)) return -EOPNOTSUPP;``): the caller that goes on has
    taken the feature as absent. A callee that passes on a lower layer's failure,
    or calls one that may fail, is not spared. Nor a call made again with the
    same arguments after the same call was tested, on every path to it through
    the side where it succeeded, no argument stored since, when each return of
    the callee is a constant (``Summary.ret_consts``: it decides from what it is
    given, no lower layer's result passed on): it succeeds again. A callee whose
    constant result depends on state that changed in between (an object an
    argument points to) is taken to succeed again, and such a failure is missed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kunwind.analysis.conditions import failure_check
from kunwind.analysis.constants import NEGATIVE, constant
from kunwind.analysis.conventions import (
    dropped_call,
    first_touches,
    reads,
    stored_call,
    tested_after,
)
from kunwind.analysis.error_paths import can_fail, errno_held
from kunwind.analysis.idioms import DROP_ACCEPTED, tolerated_in_comment
from kunwind.analysis.resources import object_path
from kunwind.findings import API_FACT, CALLEE_SUMMARY, CONVENTION, Finding, PathStep
from kunwind.model.ir import (
    Call,
    Expr,
    Return,
    Stmt,
    Store,
    Unary,
    Var,
    calls_in,
    path_of,
    render,
    stmt_exprs,
    subexprs,
)

from .base import SAMPLE, Measured, Rule

if TYPE_CHECKING:
    from kunwind.analysis.context import FunctionContext
    from kunwind.analysis.walk import ExitRecord, WalkResult
    from kunwind.model.cfg import Block


def on_function(ctx: FunctionContext, walk: WalkResult) -> list[Finding]:
    """Each dropped or overwritten result of a call that can fail, on a path that
    returns success, in a function that returns errnos."""
    fn = ctx.fn
    mine = ctx.summary(fn.name)
    if fn.returns_void or fn.returns_ptr or mine is None or not mine.ret_errno or \
            mine.result_unread:
        return []  # no errno to lose, or nobody reads the result
    out: list[Finding] = []
    for b in fn.blocks:
        for i, s in enumerate(b.stmts):
            call = dropped_call(s)
            if call is not None:
                out += _dropped(ctx, walk, b, i, call)
                continue
            stored = stored_call(s)
            if stored is not None:
                out += _overwritten(ctx, walk, b, i, *stored)
    return out


def at_normal_exits(ctx: FunctionContext) -> bool:
    """Can ``on_function`` report in this function, read from its text: it returns
    errnos, and drops or stores the result of a call that can fail? (Its findings
    need a return of success, no error exit: the walk must run for it.)"""
    fn = ctx.fn
    mine = ctx.summary(fn.name)
    if fn.returns_void or fn.returns_ptr or mine is None or not mine.ret_errno:
        return False
    for b in fn.blocks:
        for s in b.stmts:
            stored = stored_call(s)
            call = dropped_call(s) or (stored[1] if stored is not None else None)
            if call is not None and can_fail(ctx, call.callee):
                return True
    return False


def _success_exit(walk: WalkResult, call: Call) -> int:
    """The line of a return of success that a path reaches after making ``call`` when
    nothing had failed on it (0: none). Not when a path also makes it after a
    failure: then it is an unwind step, or a closing step that every path runs
    (``foo_write_disable();`` after a loop that breaks out on a failed write), whose
    own failure could not be reported without hiding the first one."""
    def made(rec: ExitRecord, after_failure: bool) -> bool:
        return any(c.line == call.loc.line and c.callee == call.callee and
                   c.after_failure == after_failure for c in rec.calls)

    if any(made(rec, True) for rec in (*walk.exits, *walk.returns)):
        return 0
    return next((rec.exit.line for rec in walk.returns if made(rec, False)), 0)


def _dropped(ctx: FunctionContext, walk: WalkResult, b: Block, i: int,
             call: Call) -> list[Finding]:
    use = ctx.conventions.of(call.callee)
    if use.tested < 2 or use.dropped > 1:
        return []  # the file does not hold that its failure matters, or drops it by habit
    if errno_held(ctx, b.id) is not None:
        return []  # every path through it returns an errno already (a recovery step)
    if _made_again(ctx, b, i, call):
        return []  # the same call follows, and its result is the one used
    if _pending_result(ctx, b, i) is not None:
        return []  # a step both outcomes of an earlier, still untested call run
    if _read_unused(ctx, b, i, call):
        return []  # a read whose value nobody looks at: its failure loses nothing
    if _hands_over(ctx, call):
        return []  # the callee took the object over, and handles its own failure
    if _succeeded_before(ctx, b, i, call):
        return []  # the same call succeeded earlier on every path here
    if _default_tested(ctx, b, i, call):
        return []  # the local it fills holds a default the function then tests
    if ctx.kb.truncating_copy(call.callee):
        return []  # strscpy(): its failure is a truncation, and the copy is made
    if _same_callee_goes_on(ctx, call) or _object_left_to_chance(ctx, call):
        return []  # the function itself goes on past such failures
    if _failure_accepted_in_comment(ctx, call):
        return []  # "... will clean up if this fails": its authors say so above it
    if _polled(ctx, b, call):
        return []  # a poll: the loop tests the state it reads, and asks again
    why = can_fail(ctx, call.callee) if not _cannot_fail_here(ctx, call) else ""
    end = _success_exit(walk, call) if why else 0
    if not end:
        return []
    fn, shown = ctx.words.function, ctx.words.call(call)
    line = call.loc.line
    message = (f"{fn}() drops the result of {shown} at line {line}, which can fail with a "
               f"negative errno ({_because(why)}), and goes on to return success at line "
               f"{end}; the file's {use.tested} other calls of "
               f"{ctx.words.name(call.callee, line)}() that use its result all test it: "
               f"test it and unwind, or write (void) if its failure does not matter")
    steps = [PathStep(line, call.loc.col, f"the result of {shown} is dropped"),
             PathStep(end, 0, "returns success")]
    return [RULE.finding(ctx, line, call.loc.col, message, steps,
                         f"dropped|{call.callee}", CONVENTION, exit_line=end)]


def _polled(ctx: FunctionContext, b: Block, call: Call) -> bool:
    """Is ``call`` a poll: made in a loop that tests a field the call writes (its
    summary's ``writes`` of an argument: ``foo_read_status(f)`` fills
    ``f->v7.command``, which the loop's test reads before it asks again)? A failed read
    leaves the old state, and the loop goes on until the state says it is done or its
    time is up: the outcome is looked at through the state, not the result."""
    s = ctx.summary(call.callee)
    if s is None or not s.writes:
        return False
    loop = {x for x in ctx.reachable(b.id) if b.id in ctx.reachable(x)}
    if len(loop) < 2:
        return False
    written = {f"{p}->{f.split('.')[0]}" for j, fs in s.writes.items() if j < len(call.args)
               and (p := path_of(call.args[j])) is not None and not p.startswith("&")
               for f in fs}
    tested = {q for x in loop if (c := ctx.fn.blocks[x].cond) is not None
              for e in subexprs(c) if (q := path_of(e)) is not None}
    return any(q == w or q.startswith((w + ".", w + "->")) for q in tested for w in written)


COMMENT_REACH = 3  # lines above the call that its comment may start
HEADING_REACH = 5  # lines between the end of a comment and the one call it heads


def _failure_accepted_in_comment(ctx: FunctionContext, call: Call) -> bool:
    """A comment that starts at most ``COMMENT_REACH`` lines above the dropped call
    (or on its line) says in so many words that its failure is accepted (``Try to
    add the aux adapter if it exists, foo_add_adapter will clean up if this
    fails``): an optional step, dropped on purpose where its authors wrote why.
    So does one that heads the call: it ends at most ``HEADING_REACH`` lines above
    it, and no call between them can fail (``/* Return code shouldn't be checked
    ... */ if (delay) msleep(delay); foo_reset_clk(fe);``): the one step it can
    speak of is this call."""
    line = call.loc.line
    if tolerated_in_comment(ctx.comments, line - COMMENT_REACH, line, DROP_ACCEPTED):
        return True
    for start, text in ctx.comments:
        end = start + text.count("\n")
        if line - HEADING_REACH <= end < line and \
                tolerated_in_comment(((start, text),), start, start, DROP_ACCEPTED) and \
                not _fallible_call_between(ctx, end, line):
            return True
    return False


def _fallible_call_between(ctx: FunctionContext, lo: int, hi: int) -> bool:
    """Does a call that can fail start on a line after ``lo`` and before ``hi``?"""
    return any(lo < c.loc.line < hi and can_fail(ctx, c.callee)
               for blk in ctx.fn.blocks for e in blk.exprs() for c in calls_in(e))


def _hands_over(ctx: FunctionContext, call: Call) -> bool:
    """``hci_recv_frame(hdev, skb); skb = NULL;``: the callee takes an argument over
    on every outcome (an [owner] of the knowledge with neither ``on_success`` nor
    ``on_failure``, or its summary's ``consumes``: it frees or passes on the skb
    when it fails too). The caller has given the object away and has nothing left to
    undo; what the failure means, the callee has dealt with."""
    kb, callee = ctx.kb, call.callee
    j = kb.owner_arg(callee)
    if j is not None and j < len(call.args) and not kb.owns_on_success(callee) and \
            not kb.owns_on_failure(callee):
        return True  # an [owner] that takes it whatever it returns (netif_rx())
    s = ctx.summary(callee)
    return s is not None and any(j < len(call.args) for j in s.consumes)


def _only_unsupported(ctx: FunctionContext, call: Call) -> bool:
    """``rc = bnxt_pcie_dsn_get(bp, bp->dsn);`` overwritten unread: the callee's body
    fails only with errnos that say a feature is absent (the knowledge's
    [unsupported]: -EOPNOTSUPP when the device has no serial number), each return a
    constant and no call in it able to fail (``Summary.only_errnos``). A caller that
    goes on has taken the feature as absent; no lower layer's failure hides there."""
    s = ctx.summary(call.callee)
    return s is not None and bool(s.only_errnos) and \
        all(-e in ctx.kb.unsupported for e in s.only_errnos)


def _succeeded_before(ctx: FunctionContext, b: Block, i: int, call: Call) -> bool:
    """``ret = max8998_get_voltage_register(rdev, &reg, ...); if (ret) return ret;
    ... ret = max8998_get_voltage_register(rdev, &reg, ...); ret = foo();``: the
    same call, with the same arguments, was made and tested earlier, and every path
    to statement ``i`` of ``b`` goes through the side of that test where it
    succeeded, nothing storing what its arguments read in between. The callee
    decides its result from what it is given (``Summary.ret_consts``: each of its
    returns is a constant, no lower layer's result passed on), so it succeeds again:
    there is no failure to lose."""
    s = ctx.summary(call.callee)
    if s is None or not s.ret_consts:
        return False
    fn, same = ctx.fn, render(call)
    read = {p for a in call.args for x in subexprs(a) if (p := path_of(x)) is not None}
    preds = fn.preds()
    before, todo = {b.id}, [b.id]
    while todo:
        for q in preds[todo.pop()]:
            if q not in before:
                before.add(q)
                todo.append(q)
    for blk in fn.blocks:
        if blk.id == b.id or blk.cond is None or blk.id not in before:
            continue
        held = {x[0]: x[1] for j, st in enumerate(blk.stmts)
                if (x := stored_call(st)) is not None and render(x[1]) == same and
                tested_after(blk, j, x[0])}
        chk = failure_check(blk.cond, held.get)
        if chk is None or chk.callee != call.callee or chk.answer or \
                not (held or any(render(c) == same for c in calls_in(blk.cond))):
            continue
        ok = next((e.dst for e in blk.succs
                   if e.kind == ("false" if chk.fails_when else "true")), None)
        if ok is None or len(preds[ok]) != 1 or b.id in fn.reachable_from(fn.entry, avoid=ok):
            continue
        between = fn.reachable_from(ok) & before
        if not any(isinstance(st, Store) and (t := path_of(st.target)) is not None and
                   _writes_any(t, read)
                   for k in between for st in fn.blocks[k].stmts[:i if k == b.id else None]):
            return True
    return False


def _cannot_fail_here(ctx: FunctionContext, call: Call) -> bool:
    """``parport_negotiate(port, IEEE1284_MODE_COMPAT);``: the callee's body returns
    no negative value when given the constants this call passes (its summary's
    ``ret_signs_when``: ``if (mode == IEEE1284_MODE_COMPAT) return 0;`` before any
    failure). With these arguments there is no failure to drop."""
    s = ctx.summary(call.callee)
    if _only_unsupported(ctx, call):
        return True  # its only failure is "not supported", which the caller accepts
    if s is None or s.ret_stub or not s.ret_signs_when:
        return False
    signs = s.ret_signs
    for j, by_value in s.ret_signs_when.items():
        v = constant(call.args[j]) if j < len(call.args) else None
        if v is not None and v in by_value:
            signs &= by_value[v]
    return not signs & NEGATIVE


def _default_tested(ctx: FunctionContext, b: Block, i: int, call: Call) -> bool:
    """``u8 type = 0x7; /* a nonsense value */ ... foo_read_efuse(priv, OFF, &type);
    if (type == 0xff) ... else if (type != A && type != B) { dev_warn(...); type =
    A; }``: ``call`` fills a local through its address (kept nowhere else) that holds,
    on every path into the call, a constant other than 0 the function stored itself,
    and every path after the call tests the local before anything else touches it.
    When the call fails and fills nothing, the default stays and the test sees it:
    the function handles a value it did not get, which is what the failure means.
    A 0 is no such default (``u32 val = 0;`` is the habit of clearing a local)."""
    for a in call.args:
        if not (isinstance(a, Unary) and a.op == "&" and isinstance(a.operand, Var)):
            continue
        name = a.operand.name
        if name in ctx.declared_locals and not _address_kept(ctx, name) and \
                _default_before(ctx, b, i, name) and _tested_first(ctx, b, i, name):
            return True
    return False


def _tested_first(ctx: FunctionContext, b: Block, i: int, name: str) -> bool:
    """Is local ``name`` tested (a branch reads it) before anything else touches it,
    on every path after statement ``i`` of ``b``, and on one at least?"""
    def touches(s: Stmt) -> bool:
        return any(reads(e, name) for e in stmt_exprs(s))
    after = list(first_touches(ctx.fn, b, i + 1, name, touches))
    return bool(after) and all(isinstance(t, Expr) for t in after)


def _default_before(ctx: FunctionContext, b: Block, i: int, name: str) -> bool:
    """Does local ``name`` hold, on every path into statement ``i`` of ``b``, a
    nonzero constant stored by a plain ``=`` (its initialiser or a statement), with
    no other statement touching it since?"""
    preds = ctx.fn.preds()
    todo, seen = [(b, i)], {b.id}
    while todo:
        blk, end = todo.pop()
        hit = next((x for x in reversed(blk.stmts[:end])
                    if any(reads(e, name) for e in stmt_exprs(x)) or
                    isinstance(x, Store) and path_of(x.target) == name), None)
        if hit is not None:
            if not (isinstance(hit, Store) and isinstance(hit.target, Var) and
                    hit.op == "=" and constant(hit.value) not in (None, 0)):
                return False
            continue
        if not preds[blk.id]:
            return False  # the entry, and nothing stored
        for p in preds[blk.id]:
            if p not in seen:
                seen.add(p)
                todo.append((ctx.fn.blocks[p], len(ctx.fn.blocks[p].stmts)))
    return True


def _same_callee_goes_on(ctx: FunctionContext, call: Call) -> bool:
    """``if (call_ctl(CREATE_PORT, port) >= 0) { ...; call_ctl(SUBSCRIBE, &subs); }
    schedule_work(w); return 0;``: the function tests another call of the same callee,
    and where that one failed it goes on to what its success side goes on to (the
    failing side skips a part and rejoins, no label, the result kept in no local
    that the way on reads). The function holds that failures of this callee need
    not stop it: dropping one more is its choice, not a slip."""
    fn = ctx.fn
    for blk in fn.blocks:
        if blk.cond is None or len(blk.succs) != 2:
            continue
        held = {s[0]: s[1] for j, x in enumerate(blk.stmts)
                if (s := stored_call(x)) is not None and s[1].callee == call.callee
                and tested_after(blk, j, s[0])}
        chk = failure_check(blk.cond, held.get)
        if chk is None or chk.callee != call.callee or chk.answer:
            continue
        fail = next((e.dst for e in blk.succs
                     if e.kind == ("true" if chk.fails_when else "false")), None)
        on = next((e.dst for e in blk.succs
                   if e.kind == ("false" if chk.fails_when else "true")), None)
        if fail is None or on is None or fail == on or fn.blocks[fail].labels:
            continue
        if fail in fn.reachable_from(on, avoid=blk.id) and \
                not any(_read_on(ctx, fail, name) for name in held):
            return True
    return False


def _read_on(ctx: FunctionContext, start: int, name: str) -> bool:
    """Can a path from block ``start`` read the local ``name`` before storing it anew?"""
    def touches(s: Stmt) -> bool:
        return any(reads(e, name) for e in stmt_exprs(s))
    return any(t is not None and not (isinstance(t, Store) and isinstance(t.target, Var)
                                      and t.target.name == name and not reads(t.value, name))
               for t in first_touches(ctx.fn, ctx.fn.blocks[start], 0, name, touches))


def _object_left_to_chance(ctx: FunctionContext, call: Call) -> bool:
    """``tb_port_tmu_rate_write(up, 0); tb_port_tmu_enhanced_enable(up, false); ret =
    tb_port_tmu_rate_write(down, 0); if (ret) return ret;``: every call of the
    function on the object ``call`` acts on (its first argument) whose callee can
    fail drops its result, two of them at least, while the function uses the
    result of one of those callees on another object. The function ignores
    failures on that object as a rule (a peer that may be gone already), and
    tests them elsewhere: no single slip."""
    if not call.args or path_of(call.args[0]) is None:
        return False
    obj = render(call.args[0])
    on_obj: list[tuple[Call, bool]] = []  # (call, dropped)
    elsewhere: set[str] = set()
    for blk in ctx.fn.blocks:
        dropped = {id(c) for x in blk.stmts if (c := dropped_call(x)) is not None}
        for e in blk.exprs():
            for c in calls_in(e):
                if not c.args or not can_fail(ctx, c.callee):
                    continue
                if render(c.args[0]) == obj:
                    on_obj.append((c, id(c) in dropped))
                elif id(c) not in dropped:
                    elsewhere.add(c.callee)
    return len(on_obj) >= 2 and all(d for _, d in on_obj) and \
        any(c.callee in elsewhere for c, _ in on_obj)


def _read_unused(ctx: FunctionContext, b: Block, i: int, call: Call) -> bool:
    """``regmap_read(map, REG, &val);`` (only to fill the register cache), ``val``
    read on no path after it: ``call`` is a read (the knowledge's [read], or its
    summary's ``is_read``), whose only effect the function sees is the value it
    read, and every local it fills (``&val``, or a local array; one at least) is
    stored again or left unread on every path after the call. Its value does not matter, so neither
    does its failure."""
    into = _read_into(ctx, call)
    if not into:
        return False  # no read, or one whose value is its result: the call drops it
    for j in into:
        name = _filled_local(ctx, call.args[j]) if j < len(call.args) else None
        if name is None or _address_kept(ctx, name) or \
                not _unread_after(ctx, b, i, name):
            return False
    return True


def _unread_after(ctx: FunctionContext, b: Block, i: int, name: str) -> bool:
    """Is local ``name`` stored anew (``_stores_anew``) or left unread on every path
    after statement ``i`` of ``b``?"""
    def touches(s: Stmt) -> bool:
        return any(reads(e, name) for e in stmt_exprs(s))
    return all(t is None or _stores_anew(ctx, t, name)
               for t in first_touches(ctx.fn, b, i + 1, name, touches))


def _read_into(ctx: FunctionContext, call: Call) -> set[int] | None:
    """The arguments that ``call``, a read, fills with what it read (the knowledge's
    [read], or the callee's summary); None when it is no read."""
    if ctx.kb.is_read(call.callee):
        j = ctx.kb.read_into(call.callee)
        return set() if j is None else {j}
    s = ctx.summary(call.callee)
    return s.reads_into if s is not None and s.is_read else None


def _filled_local(ctx: FunctionContext, arg: Expr) -> str | None:
    """The local a read fills through ``arg``: ``&val``, or ``buf`` for a local array."""
    if isinstance(arg, Unary) and arg.op == "&":
        arg = arg.operand
    elif not (isinstance(arg, Var) and not arg.ptr):
        return None
    return arg.name if isinstance(arg, Var) and arg.name in ctx.declared_locals else None


def _address_kept(ctx: FunctionContext, name: str) -> bool:
    """Is the address of local ``name`` taken anywhere but as a call's argument (``p =
    &val;``), so that a read through a pointer may see what a call filled?"""
    exprs = [e for blk in ctx.fn.blocks for e in blk.exprs()]
    args = {id(a) for e in exprs for c in calls_in(e) for a in c.args}
    return any(isinstance(x, Unary) and x.op == "&" and isinstance(x.operand, Var) and
               x.operand.name == name and id(x) not in args
               for e in exprs for x in subexprs(e))


def _stores_anew(ctx: FunctionContext, t: Stmt | Expr, name: str) -> bool:
    """Does ``t`` store a new value into local ``name`` without reading it: ``name =
    v;``, or a read that fills it again (``if (regmap_read(map, R, &name) < 0)``)?"""
    if isinstance(t, Store) and isinstance(t.target, Var) and t.target.name == name:
        return t.op == "=" and not reads(t.value, name)
    exprs = stmt_exprs(t) if isinstance(t, Stmt) else (t,)
    uses = sum(isinstance(x, Var) and x.name == name for e in exprs for x in subexprs(e))
    filled = sum(_filled_local(ctx, c.args[j]) == name
                 for e in exprs for c in calls_in(e)
                 for j in (_read_into(ctx, c) or ()) if j < len(c.args))
    return uses > 0 and uses == filled


def _made_again(ctx: FunctionContext, b: Block, i: int, call: Call) -> bool:
    """``foo_set_key(hw, key); key->flags |= F; return foo_set_key(hw, key);``: on the
    straight line after ``call`` (no test, no label: every path), the same call with
    the same arguments is made again, nothing assigns what those arguments read in
    between, and its result is returned, tested, or stored in a local that is.
    What the function reports is whether that repetition succeeded: the first
    call's failure is retried, not lost."""
    fn, same = ctx.fn, render(call)
    read = {p for a in call.args for x in subexprs(a) if (p := path_of(x)) is not None}
    block, start, seen = b, i + 1, {b.id}
    while True:
        for j, s in enumerate(block.stmts[start:], start):
            if any(render(c) == same for e in stmt_exprs(s) for c in calls_in(e)):
                return isinstance(s, Return) or _stored_and_used(block, j, s, same)
            if isinstance(s, Store) and _writes_any(path_of(s.target), read):
                return False
        if block.cond is not None:
            return any(render(c) == same for c in calls_in(block.cond))
        if block.switch is not None or len(block.succs) != 1:
            return False
        block, start = fn.blocks[block.succs[0].dst], 0
        if block.id in seen or block.labels:
            return False
        seen.add(block.id)


def _pending_result(ctx: FunctionContext, b: Block, i: int) -> str | None:
    """``ret = foo_register(x); foo_set_mode(x, RUN); if (ret) goto err;``: the local
    that, at statement ``i``, holds the result of an earlier call that may fail, on
    every path into it, not yet tested, and that the straight line after it then
    tests. The dropped call runs whether that call failed or not (a restore,
    a quiesce after a transfer): a closing step the failing paths run too, whose
    own failure could not be reported without hiding the first one."""
    for name in _tested_later(ctx, b, i):
        if _holds_untested(ctx, b, i, name, set()):
            return name
    return None


def _tested_later(ctx: FunctionContext, b: Block, i: int) -> list[str]:
    """The locals that the test ending the straight line after statement ``i`` of
    ``b`` (no label: every path) reads, none of them stored again before it. A
    local only returned is no decision taken after the call (``ret =
    foo_check(x); foo_clear(x); return ret;``): none."""
    stored: set[str] = set()
    block, start, seen = b, i + 1, {b.id}
    while True:
        for s in block.stmts[start:]:
            if isinstance(s, Return):
                return []
            if isinstance(s, Store) and isinstance(s.target, Var):
                stored.add(s.target.name)
        test = block.cond if block.cond is not None else block.switch
        if test is not None:
            names = [x.name for x in subexprs(test) if isinstance(x, Var)]
            return [n for n in dict.fromkeys(names) if n not in stored]
        if len(block.succs) != 1:
            return []
        block, start = ctx.fn.blocks[block.succs[0].dst], 0
        if block.id in seen or block.labels:
            return []
        seen.add(block.id)


def _holds_untested(ctx: FunctionContext, b: Block, i: int, name: str,
                    seen: set[int]) -> bool:
    """Does ``name`` hold, before statement ``i`` of ``b`` and on every path into it,
    the result of a call that can fail, stored with no test of ``name`` since?"""
    for s in reversed(b.stmts[:i]):
        if isinstance(s, Store) and isinstance(s.target, Var) and s.target.name == name:
            stored = stored_call(s)
            return stored is not None and _may_fail(ctx, stored[1].callee)
    preds = ctx.fn.preds()[b.id]
    if not preds or b.id in seen or len(seen) > 8:
        return False
    seen.add(b.id)
    for p in preds:
        pb = ctx.fn.blocks[p]
        if any(e is not None and reads(e, name) for e in (pb.cond, pb.switch)):
            return False  # tested on the way
        if not _holds_untested(ctx, pb, len(pb.stmts), name, seen):
            return False
    return True


def _may_fail(ctx: FunctionContext, callee: str) -> bool:
    """May ``callee`` fail, as far as the file shows: unless its body (no stub of a
    configuration that leaves it out: the real one may fail) cannot return a
    negative value."""
    s = ctx.summary(callee)
    return s is None or s.ret_stub or bool(s.ret_signs & NEGATIVE)


def _writes_any(target: str | None, read: set[str]) -> bool:
    """Does a store to ``target`` change one of the values ``read`` (``key``, ``hw->slot``):
    ``target`` is one of them or a part of one (``key->idx`` for ``key->idx`` or
    ``key->idx.n``)? A store to what a read pointer points at (``key->flags``)
    changes no argument. An unknown target may change anything."""
    if target is None:
        return True
    return any(p == target or p.startswith((target + "->", target + ".", target + "["))
               for p in read)


def _stored_and_used(block: Block, j: int, s: object, same: str) -> bool:
    """``ret = foo(x);`` (statement ``j``) whose local the block then tests or returns."""
    stored = stored_call(s)
    return stored is not None and render(stored[1]) == same and \
        tested_after(block, j, stored[0])


def _overwritten(ctx: FunctionContext, walk: WalkResult, b: Block, i: int, name: str,
                 call: Call) -> list[Finding]:
    """``ret = foo(); ret = bar();``: the next statement of the block that touches
    ``name`` stores it again without reading it."""
    again = _stored_again(ctx, b, i, name)
    if again is not None and _dropped_by_habit(ctx, b, i, name, call):
        return []  # status = a(); status = b(); ... never read: results dropped as a rule
    if again is not None and _teardown_goes_on(ctx, call, again):
        return []  # ret = foo_disable(c); ret = foo_destroy(c);: a teardown goes on
    why = can_fail(ctx, call.callee) if not _cannot_fail_here(ctx, call) and \
        not _succeeded_before(ctx, b, i, call) else ""
    end = _success_exit(walk, call) if again is not None and why else 0
    if again is None or not end:
        return []
    fn, shown = ctx.words.function, ctx.words.call(call)
    line = call.loc.line
    message = (f"'{name}' holds the result of {shown} at line {line} in {fn}(), which can "
               f"fail with a negative errno ({_because(why)}), and is assigned again at "
               f"line {again.loc.line} before anything reads it: that failure is lost; "
               f"test it before the next step")
    steps = [PathStep(line, call.loc.col, f"'{name}' = {shown}"),
             PathStep(again.loc.line, again.loc.col, f"'{name}' overwritten, never read")]
    return [RULE.finding(ctx, line, call.loc.col, message, steps,
                         f"overwritten|{name}|{call.callee}", why, exit_line=end)]


def _teardown_goes_on(ctx: FunctionContext, call: Call, again: Store) -> bool:
    """Is the overwritten result a teardown step's, and the store that replaces it the
    result of the next teardown step on the same object (``ret = foo_disable(c); ret =
    foo_destroy(c); return ret;``)? A teardown goes on past a step that failed, as it
    must: there is nothing to unwind to, and the last step's status is the one
    reported."""
    nxt = again.value
    if not isinstance(nxt, Call) or not ctx.is_teardown_by_name(call.callee) or \
            not ctx.is_teardown_by_name(nxt.callee):
        return False
    objs = {object_path(path_of(a)) for a in call.args} - {None}
    return bool(objs & {object_path(path_of(a)) for a in nxt.args})


def _dropped_by_habit(ctx: FunctionContext, b: Block, i: int, name: str,
                      call: Call) -> bool:
    """``status = smb_rd(REG, &v); status = smb_wr(REG, v); ... return 0;``: no path
    after statement ``i`` of ``b`` reads ``name`` at all, so the store drops the
    result as a call statement would, and the function drops the callee's result so
    at one other place at least (a call statement, or another store into a local
    that nothing reads after it): the results of that callee are dropped as a rule
    there (a best-effort side, such as a disable that must not fail), the habit the
    file's convention spares in dropped calls."""
    if _read_later(ctx, b, i, name):
        return False
    drops = 0
    for blk in ctx.fn.blocks:
        for j, x in enumerate(blk.stmts):
            c = dropped_call(x)
            stored = stored_call(x)
            if c is None and stored is not None and \
                    not _read_later(ctx, blk, j, stored[0]):
                c = stored[1]
            drops += c is not None and c.callee == call.callee
    return drops >= 2


def _read_later(ctx: FunctionContext, b: Block, i: int, name: str) -> bool:
    """Can a path after statement ``i`` of ``b`` read the local ``name``, whatever is
    stored into it in between?"""
    def touches(s: Stmt) -> bool:
        return any(reads(e, name) for e in stmt_exprs(s))
    return any(t is not None for t in first_touches(ctx.fn, b, i + 1, name, touches))


def _stored_again(ctx: FunctionContext, b: Block, i: int, name: str) -> Store | None:
    """The store that assigns ``name`` again, without reading it, before anything reads
    it, on every path from statement ``i`` of ``b`` (branches in between, such as those
    a ``memcpy()`` of a fortified build expands to, do not hide it); None when some
    path reads it first or leaves without storing it again. Of several, the first."""
    def again(s: Stmt) -> bool:
        return isinstance(s, Store) and isinstance(s.target, Var) and \
            s.target.name == name and s.op == "=" and not reads(s.value, name)

    def touches(s: Stmt) -> bool:
        return again(s) or any(reads(getattr(s, part, None), name)
                               for part in ("value", "expr", "target"))
    found: list[Store] = []
    for t in first_touches(ctx.fn, b, i + 1, name, touches):
        if not isinstance(t, Store) or not again(t):
            return None  # read first, or left without storing it again
        found.append(t)
    return min(found, key=lambda s: (s.loc.line, s.loc.col)) if found else None


def _because(why: str) -> str:
    return {CALLEE_SUMMARY: "its body returns one", API_FACT: "an API fact",
            CONVENTION: "the file's other calls test it < 0"}[why]


RULE_ID, RULE_NAME = "KU007", "ignored-error-return"
RULE = Rule(id=RULE_ID, name=RULE_NAME, doc=__doc__, on_function=on_function,
            at_normal_exits=at_normal_exits,
            measured=Measured(11, 17, SAMPLE))
