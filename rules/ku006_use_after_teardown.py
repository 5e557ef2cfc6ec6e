"""An error path uses an object after an earlier unwind step released it.

What it finds:
    On a path that failed, an object is dereferenced (``p->f``, ``*p``,
    ``p[i]``), passed to a call that does not release it, or returned, after
    this path released it: freed (``kfree()``), unmapped (``iounmap()``), or
    had its reference dropped (``put_device()``, ``of_node_put()``). The
    usual causes are unwind labels in the wrong order (``err_free:
    kfree(priv); err_unmap: iounmap(priv->regs);``), a message printed with a
    device after ``put_device()``, and ``return obj;`` after the error path
    freed ``obj``. A use after a release on a path that has not failed is
    reported too, where the walk goes (a function with an error exit): a
    premature put (``pci_dev_put(pdev); pci_assign_resource(pdev, 11);``)
    is the same use after the end of the object's life. Only releases that
    end the object's life count (frees, unmaps, destroys, and a put of a
    reference this function took, which includes a lookup that drops the
    reference of the node it starts from, ``of_find_compatible_node(from,
    ...)``); an unlocked lock, a disabled clock or an unregistered device is still there.
    Releasing the same object twice is KU003's finding. Releasing a part of
    an object that the knowledge names (``pci_free_irq_vectors(pdev)`` frees
    the device's interrupt vectors) does not end the object, and an argument
    that a printk-style call prints only by address (a plain ``%p``, when
    the format is a string literal) is not a use. A logger the knowledge does
    not list is printk-style by its call: the first string literal whose
    conversions take exactly the arguments after it is its format
    (``foo_dbg_print(hba, "%d: x%px", n, mbox)``). A value used as a number
    (no pointer type) after its release is a use after release only when the
    number is an address of what was released (the knowledge's kinds memory,
    pages, cache, pool, mapping, dma: ``free_pages(addr, 0)``); a number that
    names something the kernel keeps lives on (``free_irq(irq, dev)`` removes
    the handler, and ``irq_dispose_mapping(irq)`` after it is the right order).

Why it matters:
    It is a use-after-free on a path that tests rarely run: it corrupts
    memory only when the allocation or registration before it fails, under
    memory pressure or on unusual hardware, and then it crashes somewhere
    else. KASAN finds it only if the error path is exercised.

Bad:
    err_free:
            kfree(priv);
    err_unmap:
            iounmap(priv->regs);           /* priv was freed just above */
            return ret;

Good:
    err_unmap:
            iounmap(priv->regs);           /* release members first ... */
    err_free:
            kfree(priv);                   /* ... then the container */
            return ret;

Known false positives:
    A put of a reference taken in this function is taken as the last one;
    when someone else still holds a reference the later use is legal, and
    kunwind, which does not count references, reports it. Aliases are not
    followed: a use through another pointer to the same object is missed,
    and a pointer saved to a local before the release (``regs = priv->regs;
    kfree(priv); iounmap(regs);``) is correctly not reported. A name that is
    declared again (a block-local variable shadowing an outer one, a macro's
    own temporary) or assigned another value is another object from there. A
    put of a member whose release callback the function set to one of the file
    that frees nothing of it (``dev->release = foo_release;`` with an empty
    body) leaves the memory valid.

    Only a release that surely frees counts (``Res.sure`` in the resource
    model): the put of an embedded member frees its container only when the
    file shows its release callback and that callback frees it (a type, class
    or callback set elsewhere perhaps does: not reported); the put of an extra
    reference (the knowledge's ``extra``: ``usb_get_dev()``, ``get_device()``,
    ``kref_get()``, the urb ``usb_get_from_anchor()`` hands out) is not the last
    one, whatever drops it (``usb_free_urb()`` too); a release the knowledge pairs with
    another acquisition drops another reference; and a release that keeps its
    object (``keeps_object``: ``unregister_candev()``), or a same-file helper
    that only makes such releases, frees nothing.

    Measured (bench/triage/): on mm/, drivers/net/ethernet/intel/ and
    sound/soc/codecs/ of Linux 6.12, 2 reports, 0 true (both
    were KASAN tests' deliberate misuse, on a KUnit assertion's failure path that
    does not return).
    That is where the check was tuned.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kunwind.analysis.error_paths import error_path, surely_released
from kunwind.analysis.events import Exit
from kunwind.analysis.quiet import may_fail
from kunwind.analysis.resources import RELEASED, object_path
from kunwind.findings import API_FACT, CALLEE_SUMMARY, Finding, PathStep
from kunwind.knowledge import Kind
from kunwind.knowledge.names import ADDRESS_ONLY, FREES
from kunwind.model.ir import Call, Expr, Member, Return, Unary, path_of, render

from .base import SAMPLE, Measured, Recall, Rule

if TYPE_CHECKING:
    from kunwind.analysis.context import FunctionContext
    from kunwind.analysis.resources import Res
    from kunwind.analysis.state import State
    from kunwind.analysis.words import Words

# Kinds whose release ends the object's life; "" is a release of something
# acquired elsewhere whose kind the knowledge does not name (kfree of a parameter).
DEAD_KINDS = ("memory", "pages", "reference", "mapping", "cache", "pool", "dma", "crypto",
              "socket", "urb", "workqueue", "")


def on_use(ctx: FunctionContext, st: State, path: str, line: int, x: Expr) -> list[Finding]:
    """A tracked object is dereferenced or passed on: was it released on this path? On
    an error path, by an unwind step; on any path, too early (a premature put)."""
    r = _released(ctx, st, path, any_path=True, number=_number(x, path))
    if r is None or r.event_line == line:
        return []  # the release's own statement (its arguments are read before it)
    if isinstance(x, Call) and _releases(ctx, x, path, r):
        return []  # released twice: KU003
    if isinstance(x, Call) and x.callee in ADDRESS_ONLY:
        return []  # page_address(page): arithmetic on the pointer, no access
    col = x.loc.col if isinstance(x, Call) else 0
    return [_finding(ctx, st, path, r, line, col, _how(x, path), _how(x, path, ctx.words))]


def on_return(ctx: FunctionContext, st: State, s: Return, ex: Exit) -> list[Finding]:
    """``return obj;`` after this error path released ``obj``."""
    if s.value is None:
        return []
    path = object_path(path_of(s.value))
    if path is None:
        return []
    r = _released(ctx, st, path, number=not getattr(s.value, "ptr", False))
    if r is None or r.event_line == s.loc.line:
        return []
    how = "returned to the caller"
    f = _finding(ctx, st, path, r, s.loc.line, s.loc.col, how, how)
    f.steps.append(PathStep(s.loc.line, s.loc.col, f"returns '{path}'"))
    return [f]


def at_normal_exits(ctx: FunctionContext) -> bool:
    """Can ``on_return`` report in this function, read from its text: it returns an
    object, and a failure test of it may fail (``error_path`` asks for a failure on
    the path)? The walk may be skipped where no path reaches an error exit."""
    fn = ctx.fn
    return may_fail(fn) and any(
        isinstance(s, Return) and s.value is not None and
        object_path(path_of(s.value)) is not None for b in fn.blocks for s in b.stmts)


def _released(ctx: FunctionContext, st: State, path: str, any_path: bool = False,
              number: bool = False) -> Res | None:
    """``number``: the use takes ``path``'s value as a number (no pointer type)."""
    if not any_path and not error_path(ctx, st):
        return None
    r = st.resources.res.get(path)
    if r is None or r.status != RELEASED or not r.sure or not _ends_life(ctx, r) or \
            _callback_keeps(ctx, path):
        return None
    if number and not (r.kind or ctx.kb.released_kind(r.by)).ends_handle:
        return None  # free_irq(irq, dev); irq_dispose_mapping(irq): the number lives on
    return r if surely_released(ctx, r) else None


def _number(x: Expr, path: str) -> bool:
    """Does ``x`` take ``path``'s value as a number: passed by value to a call, with
    no pointer type (an irq, a gpio, an id: ``irq_dispose_mapping(priv->irq)``)?"""
    if not isinstance(x, Call):
        return False
    passed = [a for a in x.args if object_path(path_of(a)) == path]
    return bool(passed) and not any(getattr(a, "ptr", False) for a in passed)


def _callback_keeps(ctx: FunctionContext, path: str) -> bool:
    """The function set the released member's release callback (``dev->release =
    foo_release`` with ``dev = &foo->dev``) to a function of this file that frees
    neither the member nor the object that embeds it (an empty release for a
    device embedded in a longer-lived structure): the last put runs it, and the
    memory stays valid."""
    member = ctx.member_aliases.get(path, path)
    callback = ctx.release_callbacks.get(member)
    summary = ctx.summary(callback) if callback is not None else None
    return summary is not None and 0 not in summary.releases and \
        0 not in summary.releases_container and not summary.releases_container_fields


def _ends_life(ctx: FunctionContext, r: Res) -> bool:
    """Is the object gone after this release (not merely unlocked, disabled, unregistered)?"""
    releaser = r.by
    if r.kind.is_hold:
        return False
    rel = ctx.kb.release(releaser)
    if rel is not None and rel.keeps_object:
        return False  # usb_kill_urb(): cancelled, not freed (the knowledge's keeps_object)
    a = ctx.kb.acquire(r.acquire) if r.acquire else None
    if a is not None and a.extra:
        # an extra reference, on an object someone else holds too (the knowledge's
        # ``extra``: folio_get(folio), get_device(dev), udev = usb_get_dev(udev), an
        # urb from usb_get_from_anchor()): whatever drops it (a put, usb_free_urb())
        # is not known to be the last
        return False
    if "put" in releaser or _moves_reference(ctx, releaser):
        # a reference dropped: the last one when this function got the object with it
        # (a lookup, a constructor)
        return bool(r.acquire)
    return r.kind in DEAD_KINDS or bool(FREES.search(releaser))


def _moves_reference(ctx: FunctionContext, releaser: str) -> bool:
    """Is ``releaser`` a lookup that drops the reference of the node it starts from
    (the knowledge lists it both as a reference acquire and as a release of that
    argument: ``of_find_compatible_node(from, ...)`` puts ``from``)? Then the release
    is a put: it ends the object's life only when this function got that reference."""
    a = ctx.kb.acquire(releaser)
    return a is not None and a.kind is Kind.REFERENCE


def _releases(ctx: FunctionContext, call: Call, path: str, r: Res) -> bool:
    """Does ``call`` release ``path`` (a second release, not a use)?"""
    if call.callee in r.releases:
        return True
    rel = ctx.kb.release(call.callee)
    args = [object_path(path_of(a)) for a in call.args]
    if rel is not None and rel.arg < len(args) and args[rel.arg] == path:
        return True
    summary = ctx.summary(call.callee)
    if summary is not None:
        return any(j < len(args) and args[j] == path for j in summary.releases)
    return False


def _how(x: Expr, path: str, words: Words | None = None) -> str:
    """How the use uses it: in the model's words (the finding's key), or in the
    source's (``words``: its message)."""
    if isinstance(x, Call):
        callee = words.name(x.callee, x.loc.line) if words is not None else x.callee
        if any(object_path(path_of(a)) == path for a in x.args):
            return f"passed to {callee}()"
        return f"dereferenced in the arguments of {callee}()"
    text = render(x) if words is None else words.text(render(x))
    if isinstance(x, (Member, Unary)):
        return f"dereferenced ({text})"
    return f"used ({text})"


def _finding(ctx: FunctionContext, st: State, path: str, r: Res, line: int, col: int,
             how: str, shown: str) -> Finding:
    """``how``: the use in the model's words (the key); ``shown``: in the source's."""
    fn, event = ctx.words.function, ctx.words.text(r.event, r.event_line)
    releaser = r.by
    if r.kind == "reference" or "put" in releaser:
        gone = "its reference was dropped"
    elif r.kind == "mapping" or "unmap" in releaser:
        gone = "it was unmapped"
    else:
        gone = "it was freed"
    advice = ("return an error instead" if how.startswith("returned") else
              "release it after its last use (reorder the unwind steps) or save what is "
              "still needed before the release")
    where = " on an error path" if error_path(ctx, st) else ""
    message = (
        f"'{path}' is {shown} at line {line} in {fn}(){where}, after {event} "
        f"released it at line {r.event_line} ({gone}): {advice}"
    )
    steps = st.rendered_path(ctx.words) + [
        PathStep(r.event_line, 0, f"'{path}' released here: {event}"),
        PathStep(line, col, f"'{path}' {shown} after its release"),
    ]
    evidence = API_FACT if ctx.kb.release(r.by) is not None else CALLEE_SUMMARY
    return RULE.finding(ctx, line, col, message, steps,
                        f"{path}|{r.event}|{how}", evidence)


RULE_ID, RULE_NAME = "KU006", "use-after-teardown"
RULE = Rule(id=RULE_ID, name=RULE_NAME, doc=__doc__,
            measured=Measured(0, 5, SAMPLE),
            recall=(Recall("use-after-release", 84, 103),),
            on_use=on_use, on_return=on_return, at_normal_exits=at_normal_exits)
