"""An error exit leaves something acquired in this function still held.

What it finds:
    An error exit (a ``return -E...``, ``ERR_PTR()``, a variable holding an
    error, reached through a failure) at which an object that this function
    acquired is still held: memory from an allocator, a reference from a
    lookup (``of_find_*()``, ``of_parse_phandle()``), an irq, a mapping, a
    registration. The object was not released on that path, not handed over
    (stored into another object or a global, also as the address of a member
    embedded in it: ``foo_data = &domains->onecell``; passed to a function
    that takes it over, linked into a list), not returned, and does not
    release itself (``devm_*()``, ``__free()``; the interrupt vectors and
    regions of a PCI device that any function of the file enables with
    ``pcim_enable_device()``: the device stays managed until unbind, the
    knowledge's ``managed_after``; a field that a devres action registered
    before frees: ``devm_add_action(dev, foo_free, o)``, then ``o->buf =
    vmalloc(...)``, with ``foo_free()`` doing ``vfree(o->buf)``, the [owner]
    ``action``). Typical causes: a ``goto`` to a label below the one that
    releases it, or a direct ``return`` in the middle of an
    unwind ladder. A driver's probe (``.probe`` of a struct the knowledge
    lists as ``[probe_table]``) or an init call owns all it holds, fields
    and globals too: nobody undoes a failed probe. Elsewhere, a device's
    state that it turned on (a clock enabled, a regulator, an interrupt
    requested, a reset deasserted, a PHY powered: ``clk_prepare_enable(c->clk)``)
    is reported too: an error exit leaves what the caller can see as it was
    on entry, unless every same-file caller, on this function's failure,
    calls a function that puts it back (``foo_power_off(c)``). A new
    object, a reference or a registration stored into a
    field of an object this function did not allocate (``dev->regs =
    ioremap(...)``) is reported only when the function itself releases that
    field on another path (not to replace it: a release that a new
    acquisition into the field follows, ``kvfree(m->buf); m->buf =
    seq_buf_alloc(...)``, leaves the field holding an object for its owner)
    and no same-file caller frees it on this function's failure (``callers.py``;
    a field reached through a local the function assigns once from its
    parameter's field, ``fusion = instance->ctrl_context``, is that field),
    or under an unwind label that no ``goto``
    reaches any more, or when its paired teardown releases that field of
    the same parameter (a function of the file named as this one with its
    set-up verb replaced by an undo of it: ``foo_codec_remove(info)`` puts
    ``info->pol_gpio`` that ``foo_codec_probe(info)`` gets; the caller calls
    it only after a success), unless the set-up fills a table of that
    parameter element by element (``q->slots[i] = slot``) that the teardown
    frees element by element (``kfree(q->slots[i])``): a failure in the loop
    leaves a half-filled table that only the teardown can free, so the
    teardown is written for a failed set-up too and the caller calls it then.
    Whoever holds the place usually frees it with
    the place (measured in ``bench/results/fields-s19.md``). A chained assignment
    (``hwmon = drm->hwmon = kzalloc(...)``) is such a store while the field
    still holds the object (``drm->hwmon = NULL`` takes it back), unless the
    function frees the local on another path. Any store or link hands the
    object over only while it stands on the path: a later NULL store into the
    same place (``fd->state = NULL``), a ``list_del()`` of the node it linked,
    or a free of this function's own allocation it was stored in
    (``joy->dev = input; ... kfree(joy)``) takes it back; a back-pointer into
    the object itself (``par = info->par; par->info = info``, ``chip =
    &ctrl->chip; chip->controller = &ctrl->base``) hands it to nobody. A
    NULL stored into the field that holds what this function acquired, with
    no release before it (``ring->v_addr = NULL`` in an unwind that forgot
    ``dma_free_coherent()``), loses the object whoever owns the field: it is
    reported at the error exit that follows. An
    object acquired into a global
    or a field only where a test found that place NULL (``if (!dir) dir =
    debugfs_create_dir(...)``) is created once, on first use, and kept by the
    place for the calls that follow, unless the function releases it itself.
    A local given in a chained assignment that also stores it into an element
    of a parameter's table at an index the function steps (``urb = pcm->urbs[i]
    = usb_alloc_urb(...)`` in a loop) is handed over as by a store there, unless
    the function releases it itself; one slot at an index the caller gives is
    not.
    A void function
    that stops at a failure cannot tell its caller, and is left out. A
    ``return NULL`` after the NULL or error of a callee whose failure nothing
    else shows (a helper defined elsewhere, one that allocates through a cast)
    is an error exit when the path unwinds: it releases, after the test,
    something acquired before it (not a lock); after a test of a call's
    result for an error (``foo(...) < 0``, ``IS_ERR()``, ``if (foo(...))``)
    it is one even when the path releases nothing; after a NULL test of
    such a callee (a lookup may find nothing), it is one for what the
    function releases itself on another path. An object an acquire writes
    through the address of a local pointer (``sock_create_kern(..., &sock)``)
    is new and owned by that local, as a returned one is. For
    calls the knowledge does not
    know, the rule learns pairs from the function itself: when at least two
    other error exits reached after ``foo_start(x)`` call ``foo_stop(x)``
    and this one does not, it is reported, with that evidence. The verbs of
    such a pair must pair when both names have one (an ``_alloc`` is freed,
    not disabled); a query (``_search_``, ``_find_``) or a call returning bool
    (a predicate) undoes nothing; an exit that calls the release after a
    later step whose verb it pairs with (``isc_clk_init()`` before
    ``isc_clk_cleanup()``, ``foo_get()`` before ``foo_put()``) is evidence
    for that step, not for an earlier call (``isc_pipeline_init()``); and
    the exit straight off the acquire's own test
    (``if (!foo_hold(x)) return -EBUSY;``) is its failure, as is an exit
    whose last call of the acquire on that object failed (a second read into
    the same buffer, every try of a chain of ``foo_init(intf)``). A verb and
    its undo (``amdgpu_bo_pin()``/``amdgpu_bo_unpin()``) are no subject, and
    among the calls that could be undone, one whose name the release's undoes
    (reserve/unreserve, get/put) comes before one whose name is silent
    (``radeon_bo_create()``). A release made on the main path before a later
    failure is evidence only when the names pair: it closes the bracket the
    acquire opened (reserve ... unreserve), while a teardown that drains a
    ring, stops it and leaves when a later step fails undoes nothing there;
    an exit left because the release itself failed neither shows an unwind
    nor misses one. An exit that gave the object to an [owner] that kept it on
    that path (``usb_ep_queue(ep, req)`` that did not fail: the request is the
    endpoint's until its completion frees it) owes no undo of it either. A
    call that returns a pointer acquires that pointer:
    ``bss = cfg80211_get_bss()`` for ``cfg80211_put_bss(wiphy, bss)``,
    ``req = usb_ep_alloc_request(ep)`` for ``usb_ep_free_request(ep, req)``;
    a release of its argument only is no undo of it
    (``iommufd_get_object(ictx)``), and a lookup (``otx2_sw_node_find()``)
    acquires nothing. An exit that calls a same-file function given the
    object, or what contains it, that calls the release or makes every undo
    the release makes (``nouveau_drm_device_fini(drm)`` for
    ``drm->client``; ``ef100_net_stop(net_dev)`` for the private data a
    getter gave, ``efx = efx_netdev_priv(net_dev)``) misses nothing, unless
    that function makes the acquire
    too: ``sumo_rlc_fini(rdev)`` reserves the buffer again to unreserve it,
    and waits for the reservation its caller still holds. So does a put
    whose release callback undoes what the function stored into the object
    put (``req->pages = pages``): a callback it is given
    (``kref_put(&req->ref, foo_req_free)``, freeing ``req->pages``), or the
    one it bound to the member put (``put_device(&ctx->dev)`` after
    ``ctx->dev.type = &foo_type``, whose ``.release`` calls the undo). A field of a
    parameter that every same-file caller frees when this function fails is
    the caller's to free (``callers.py``): directly, through a same-file
    teardown given the argument, or given the object the caller stored the
    argument in (``ti->private = ic; r = foo_create_journal(ic); if (r) goto
    bad; ... bad: foo_dtr(ti);`` where ``foo_dtr()`` reads ``ic =
    ti->private`` back and frees ``ic->tfm``), also through a caller that
    fails with it, passing the failure up (``if (ret) return ret;``) to
    callers that free the field. The same holds on the path: a
    same-file callee that reads a field of its parameter back into a local
    (or NULL) and releases below it (``timer = inst->timer; ...
    module_put(timer->module)``) releases what this function stored there
    (``inst->timer = timer``). A same-file helper that hands its caller a
    new allocation through an out-parameter (``*out = buf``,
    ``Summary.out_allocs``) acquires what its caller gives it the address of
    (``foo_read_blob(dev, &blob)``); where a test finds that it failed,
    nothing is held. A thread the path started
    (``wake_up_process(t)``) whose function, one of the file's, never asks
    ``kthread_should_stop()`` ends by itself: no stop is owed (the
    knowledge's ``runs``). A field of a parameter whose object the path
    pointed a destructor member at a function of the file that frees that
    field (``card->private_free = foo_free``, the knowledge's
    ``[destructor_member]``) is the destructor's to free: the object's owner
    frees the object when this function fails, and its free runs the
    destructor; a caller that set one and fails with a step given the private
    data leaves that step's fields to it too. A constructor that also stores
    what it returns in its caller's object (``rcu_assign_pointer(tbl->nht,
    new)``, through the macro's copy) returns something the object owns, not a
    new object. ``sock_release()`` drops the module reference
    of the socket's ops (``__module_get(new_sock->ops->owner)``: the
    knowledge's ``frees_fields``).

    An acquire's failure branch is recognised in the forms the kernel writes
    it: ``ZERO_OR_NULL_PTR(p)``, ``rc = PTR_ERR_OR_ZERO(p); if (rc)``, and for
    a count-returning acquire whose bounds the knowledge gives
    (``count_min``/``count_max``), ``n <= 0`` and ``n != k`` when the bounds
    leave one count (``dma_map_sg(dev, sg, 1, dir)``). A NULL test of a plain
    copy of the pointer (``q = nq; if (!q)``, or the value of a macro's
    statement expression, its local) is that test too: where the path
    already found the allocation valid, the copy cannot be NULL; nor can the
    container computed from it with container_of() (``if (dev) zdev =
    to_zorp_dev(dev); if (!zdev) return -ENODEV;``). A failed call tried
    again at once into the same result (``err = parse(np, "mode", &m); if
    (err) err = parse(np, "rx-mode", &rx);``) is a fallback, not a failure:
    the retry's own test decides. The NULL that ends a loop over a lookup that
    starts from, and puts, the pointer it is given (``while ((dev =
    pci_get_device(v, id, dev)) != NULL)``) ends the walk: no failure. A
    same-file insert that links the object it
    is given and returns NULL, or returns the entry already there, and no
    error (its summary's ``hands_on_null``), keeps the object where the
    caller's test finds NULL.

Why it matters:
    Error paths run rarely and are seldom tested, so the leak survives until
    a device that fails to probe, or a user who can trigger the failure in a
    loop, exhausts memory or references: a device node that can never be
    freed, a module that cannot be unloaded, an irq line left requested.

Bad:
    priv->buf = kmalloc(FOO_BUF_SIZE, GFP_KERNEL);
    if (!priv->buf)
            return -ENOMEM;
    np = of_parse_phandle(dev->of_node, "foo,phy", 0);
    if (!np) {
            ret = -ENODEV;
            goto err_free;
    }
    ret = foo_phy_attach(priv, np);
    if (ret)
            return ret;                    /* leaks np and priv->buf */
    of_node_put(np);
    return 0;
    err_free:
    kfree(priv->buf);
    return ret;

Good:
    ret = foo_phy_attach(priv, np);
    of_node_put(np);
    if (ret)
            goto err_free;

Known false positives:
    An object made under a parent in a tree whose removal takes the children
    with it (the knowledge's ``parent``: ``debugfs_create_dir(name, parent)``)
    belongs to the parent when a caller owns that parent (a parameter, a field
    of one): the caller's ``debugfs_remove_recursive()`` of an ancestor removes
    it. Under a file-scope root, which lives until the module goes, or at the
    top (a NULL parent), it is still this function's; under a parent made here,
    the parent's release removes it, and the parent's leak is reported.

    A reference a function other than the module's init (or a helper it calls)
    stores in a global that the module's exit function releases
    (``module_exit(foo_exit)``, the knowledge's ``[exitcall]``) is the exit's:
    a driver's probe that fails leaves the module loaded, and the exit puts it
    at unload. A failed init has no exit run, so there it is still owed, and so
    is a global that only the driver's remove releases.

    A function whose failure nobody sees leaves what it holds at its error exits
    to its other half (``analysis/pairs.py``): it returns void, every same-file
    call of it drops its result, or it fills a member whose result the framework
    ignores (the knowledge's ``[ignored_return]``: a system-sleep ``.resume`` of
    ``struct dev_pm_ops``, which the PM core only logs before it calls
    ``.suspend`` again; an ASoC component's ``.resume``). Its caller goes on as if
    it had succeeded and later calls the function filled in the same initializer
    (``.suspend``), or the one that a caller of it also calls on the same
    arguments (``foo_power_off(c)`` beside ``foo_power_on(c);``). What that half
    releases on every path to its last return, and never acquires itself, is not
    reported, unless the function releases it somewhere itself: a resume whose
    regulator its suspend always turns off must leave it on after a failed
    restore, or the suspend would turn it off twice. A function whose every
    same-file caller returns void leaves it to what those callers' other halves
    release (``foo_cable_in()`` logs ``foo_hw_on()``'s failure and returns;
    ``foo_cable_out()`` calls ``foo_hw_off()``). It is reported all the same when
    the function undoes steps of its own on the failures from there on
    (``clk_disable_unprepare(pclk); return ret;`` when the next clock fails): it
    unwinds itself, so it owes this one too. A probe is no such function: its bus
    reads its result, and runs no remove after a failed probe.

    A registration of a global (``sysfs_create_group(&root->kobj,
    &foo_root_group)``) left behind by a failed initcall of a file built into
    the kernel (no -DMODULE, and no exit function named: a file that names one
    is written to be a module), in an initcall that unwinds no registration (no
    label, no unregister call), is not reported: do_one_initcall() only logs the
    failure and nothing of the file is freed, so what stays registered stays
    valid. A module's init, whose failure frees the module, is not spared, nor
    memory or a reference.

    A release left out on purpose is not reported: one that the function names
    in a comment of its body (``/* pci_disable_device(dev); */`` at the unwind,
    "do not call pci_disable_device on sta2x11: it breaks the other bus
    masters") while no function of the file calls it. A release skipped by a
    flag that the path itself set after a failure (``busy = 1; goto err_out;
    ... err_out: if (!busy) pci_disable_device(dev);``) is still reported: the
    enable is counted, so the skipped disable leaves the count raised (two
    triages read it true). A file that never makes a release
    and says nothing of it is still reported: on every triage, most such
    reports were true (a driver that never disables its PCI device).

    The id that an acquire which also takes an object over gives (``ret =
    idr_alloc(&ch->ids, obj, ...)``) goes with the object the table keeps
    under it, while the path has not freed that object: whoever takes the
    object out removes the id.

    Ownership passed on in a way the walk does not see (a callee defined in
    another file that stores the object, a registration that takes it over
    and is missing from the knowledge) looks like a leak; add the function
    to the knowledge as an ``[owner.NAME]`` (``on_failure = true`` for a call
    that frees it only when it fails, through the destroy callback it is
    given: ``ttm_bo_init_validate()``). A callee that, on a branch from
    which it returns one constant, stores a function into a field of the
    object it is given (``retval = MBX_TIMEOUT; pmboxq->mbox_cmpl =
    foo_def_cmpl;``, then ``return retval;``: a timed-out wait leaves the
    request to a completion that frees it), or stores the object or a field
    of it into another object (``tag_mem->va = cmd_mem->va; return -EBUSY;``:
    filed for the late completion), keeps it where the caller's test finds
    that value (``if (rc != MBX_TIMEOUT) mempool_free(pmboxq, pool)``),
    defined in this file or another (its summary's ``kept_when``). A callee that
    consumes the object on every path, whatever it returns, takes it over
    even when it fails: one
    that gives it to an ``[owner]`` without ``on_success`` (``nlmsg_multicast()``
    frees the skb on its errors too), or frees it on its own errors and sends
    it otherwise; a wrapper of such a call in this file or in another
    (``foo_multicast_skb(skb)``) counts like what it wraps (its summary's
    ``consumes``), a short header inline function too. A wrapper that fails on
    a path before the hand-over (a size check) keeps nothing there, and its
    failure still owes the release. A call through a member that holds a
    function (``rt->output(rt, skb)``) consumes an argument when every
    function the file puts in that member (``rt->output = foo_xmit``, a
    static table's ``.output``) consumes it,
    and the file gives the member nothing else (``analysis/callbacks.py``).
    A call through a function pointer the file gives no value, made as a
    statement of its own (its result unread), takes over a held object it is
    given when the function does nothing more with that object after it (no
    release, store or use: ``out_vcc->push(out_vcc, skb)``): the callee cannot
    report that it refused it, and the function's successful exits leave it to
    the callee too.
    A release guarded by a flag is
    reached where the flag is tied to the acquisition (computed from its
    result, set right after it succeeded) or by a query the knowledge ties to
    it (``[held_query]``: ``regulator_is_enabled()`` after
    ``regulator_enable()``); a flag with no such tie is not correlated.

Other names for one object:
    An object is followed under every local that holds it: a chained assignment
    (``p = s = kzalloc()``), a plain copy (``q = p``), another representation
    the knowledge names (``p = page_address(page)``, a ``[same_object]`` entry,
    among them the getters that return their argument: ``priv->udev =
    usb_get_dev(udev)``, then ``usb_put_dev(udev)``), a local that points at an
    embedded member (``dev = &pdev->dev``), the container that a function
    computes with container_of() from its parameter (``ndns = to_ndns(found)``:
    ``found`` is ``&ndns->dev``, and ``put_device(&ndns->dev)`` puts it), a
    field given the value of a local, until either is written: a pointer, or a
    number the function acquires by (``host->irq = irq; request_irq(irq, ...)``,
    then ``free_irq(host->irq, ...)``), a call of a getter of the file (every
    return of its body reads one access path below a parameter:
    ``netdev_priv(dev)`` returns ``dev->priv``, ``get_hwbase(dev)`` returns
    ``netdev_priv(dev)->base``), which names that path of its argument:
    after ``np = netdev_priv(dev)``, ``iounmap(get_hwbase(dev))`` unmaps
    ``np->base``, and a helper that frees ``np->rx_skb`` through such a
    getter frees it for its caller, or below a field read from one
    (``priv = dev_to_hdlc(dev)->priv; free_irq(priv->info->irq, priv)``),
    which its caller holds under its own chain of copies (``hdlc =
    dev_to_hdlc(dev); priv = hdlc->priv``). A pointer whose container a
    local is (``dev`` after ``priv = to_foo_private(dev)``) is the address of
    that member: a callee given it that frees the container, or fields of it
    (``foo_unload(dev)``), frees them in ``priv``, as does a wrapper of such a
    teardown (``foo_destroy_id(&priv->id)``, which calls
    ``__foo_destroy_id(id, 0)``), also after a callee was handed ``priv``.
    The address of a member of an object
    given to the release paired with the object's acquire is the object's:
    the acquire returned the member's type, cast to the object's, so the
    member is the first (``q = (struct tap_queue *)sk_alloc(...)``, then
    ``sk_free(&q->sk)``); another release of it (``kfree(&q->sk)``) is not. The
    address of an array's first element is the array (``&groups[0]``). A store
    of another name into a field hands the object over as a store of the object
    would (``bpage->page = page_address(page)``). An acquire that also stores
    its result in a field of an argument (the knowledge's ``stores``:
    ``of_phy_connect(ndev, ...)`` sets ``ndev->phydev``) makes that field
    another name of the result: ``phy_disconnect(ndev->phydev)`` releases it.
    A release, a hand-over or a return through any of
    them acts on the object. A macro's local is a new variable at each
    expansion: the ``_fops`` of ``fops_put(real_fops)`` after
    ``fops_get(real_fops)`` succeeded copies the pointer the reference was
    taken through (the same expression, or what ``fops_get()`` returned), so
    it is not NULL and its put drops that reference; the ``_fops`` of a put
    of another pointer may be NULL. The local given such a get's result
    (``new_fops = fops_get(x)``: ``x`` where the reference was taken) carries
    the reference: storing it into a field (``replace_fops(file, new_fops)``,
    through the macro's own copy of ``file``) hands the reference over with
    the pointer, as the VFS puts ``file->f_op`` after a failed ``->open``.
    A name that is assigned again, or advanced as a cursor (``p++``,
    ``p += n``), no longer holds it; the object stays held under its other
    names, and the value stored reads it before the store:
    ``child = device_get_next_child_node(dev, child)`` puts the old child,
    also when a macro's copy of it (container_of()'s ``__mptr``) holds it since.
    A pointer advanced past a header (``buf += offset``) and released with the
    advance undone (``kfree(buf - offset)``, by the same amount, whose
    variables the function never writes) releases what its acquire returned.
    A number an acquire wrote through an out-parameter is released through a
    value computed from it alone, in arithmetic: ``major = MAJOR(devt)``,
    assigned once, then ``unregister_chrdev_region(MKDEV(major, 0), n)``.
    A local that points into an array at a computed index
    (``slot = &ring->slots[i]``, ``qv = port->qvecs + i``) is a loop cursor, one
    name for many objects: what is acquired in its fields is left to the
    per-element unwind loop, and not reported; so is a hold taken on an
    object after it was stored in an array element at a computed index
    (``pages[i] = pg; kmap(pg);``): the loop that releases every ``pages[i]``
    undoes it.

Releases a release callback makes:
    The last put of a counted object runs its release callback, and what the
    callback frees goes with the put, field by field: the function stored in
    the object's ``release`` field (``dev->release = foo_release``, or by
    address, ``&foo_release``), the one of its callback table, or the one a
    put is given (``kref_put(&o->ref, foo_release)``, also inside a put
    wrapper of the file, ``foo_put(o)`` or ``foo_put(&o->base)`` with
    container_of() back to ``o``). A callback table may point at another
    that holds the callback (a configfs item type's ``ct_item_ops``, the
    knowledge's ``[release_table]`` member ``ct_item_ops->release``). The
    callback finds its object with container_of(), also through a
    ``_Generic`` (``container_of_const()``), or is given the object itself: a
    bare device or kobject allocated whole, kept in a local, a field
    (``x->cdev = kzalloc(...); x->cdev->release = foo_release;
    put_device(x->cdev)``) or a static local. The file's globals the callback
    frees (``kfree(foo_attrs)``) go with the put too. A constructor of the
    file that sets the callback (or the table) on the object it returns
    (``x->dev.type = &foo_type; return x;``, or a wrapper of one) sets it
    for its caller's ``x = foo_create()``; a put wrapper defined before the
    callback it passes frees what the callback frees all the same.
    Freeing an object ends the reference counts embedded in it, whatever they
    count. A node given to a device with ``device_set_node()`` is the
    device's, whose release callback puts it.

    Measured (bench/triage/): on mm/, drivers/net/ethernet/intel/ and
    sound/soc/codecs/ of Linux 6.12, 15 reports, 13 true (87%).
    That is where the check was tuned.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from kunwind.analysis.conditions import null_test
from kunwind.analysis.error_paths import failure_rejoins
from kunwind.analysis.events import (
    Event,
    Exit,
    ExitKind,
    FailureTest,
    Release,
    exit_path_step,
    failure_index,
    jumps,
    render_steps,
)
from kunwind.analysis.idioms import function_named
from kunwind.analysis.pairs import left_to_sibling
from kunwind.analysis.resources import AUTO, HELD, RELEASED, Res, held_name, key_object, object_path
from kunwind.findings import SIBLING_EXITS, Finding, PathStep
from kunwind.knowledge import Kind, canonical
from kunwind.knowledge.names import (
    SELF_RELEASING,
    SETUP_WORDS,
    TEARDOWN_NAME,
    TEARDOWN_VERBS,
    UNDO_OF,
    is_unknown_release,
    may_acquire,
    names_pair,
    same_subject,
    stem,
    undoes,
    verbs_match,
    verbs_pair,
)
from kunwind.model.ir import (
    Assign,
    Binary,
    Call,
    Const,
    Expr,
    ExprStmt,
    Index,
    Member,
    Return,
    Store,
    Unary,
    Var,
    calls_in,
    element_table,
    path_of,
    root_of,
    subexprs,
)

from .base import SAMPLE, Measured, Recall, Rule, acquire_evidence

if TYPE_CHECKING:
    from kunwind.analysis.context import FunctionContext, Site
    from kunwind.analysis.state import CallRec, State
    from kunwind.analysis.walk import ExitRecord, Failure, WalkResult

MIN_EVIDENCE = 2  # other error exits that release, for a learned pair


def on_exit(ctx: FunctionContext, st: State, ret: Return, ex: Exit) -> list[Finding]:
    """At an error exit: what this function acquired and still holds."""
    failure = st.failures[-1] if st.failures else None
    # a return NULL after a failure that the rest does not show as one: an error exit
    # for what the function releases itself on another path (it would not keep it here)
    released_elsewhere_only = False
    if not is_error_path(ctx, ex, failure, failure is not None and _aborts(st, failure)):
        if ex.kind is not ExitKind.NULL_AFTER_FAILURE or failure is None or \
                failure_rejoins(ctx, failure):
            return []
        released_elsewhere_only = True
    returned = {held_name(ctx, st.resources, p) for p in _returned(ret)}
    leaked: list[tuple[str, Res]] = []
    for key, r in sorted(st.resources.res.items()):
        if r.status != HELD or not r.acquire or r.kind.is_hold:  # KU005's
            continue
        path = key_object(key)  # a part of an object (its interrupt vectors) is named by it
        if r.acquire.startswith(SELF_RELEASING):
            continue
        if path in returned or root_of(path) in returned:
            continue
        if r.held_on_failure and any(f.callee == r.acquire and f.line >= r.line
                                     for f in st.failures):
            continue  # device_add() failed: its put is the owner's (usually the caller's)
        if _left_out_on_purpose(ctx, r):
            continue
        if _kept_with_object(ctx, st, r):
            continue  # the id of a slot that keeps the object: it goes with the object
        if _started_to_end(ctx, st, path, r):
            continue  # a thread started here whose function returns by itself
        if released_elsewhere_only and not _releases_after(ctx, path, r):
            continue
        if r.cleared or _owned_here(ctx, st, path, r, ex):
            leaked.append((path, r))  # a cleared field lost it: nobody can release it
    if not leaked:
        return []
    last = max(r.line for _, r in leaked)
    where = exit_site(st.events, st.failures[-1] if st.failures else None, last, ret.loc.line)
    return [_finding(ctx, st, ret, ex, leaked, where)]


def _kept_with_object(ctx: FunctionContext, st: State, r: Res) -> bool:
    """Is ``r`` the id that an acquire which also takes an object over (an [owner]:
    ``id = idr_alloc(&ch->ids, obj, ...)`` stores ``obj`` in the slot it numbers) gave
    an object this function acquired, which this path did not release since? The table
    keeps the object under that id, and whoever takes the object out removes the id
    with it. An object freed after it (an unwind's ``kfree(obj)``) leaves the id owed."""
    j = ctx.kb.owner_arg(r.acquire)
    if j is None:
        return False
    given = {object_path(path_of(c.args[j])) for b in ctx.fn.blocks for e in b.exprs()
             for c in calls_in(e)
             if c.callee == r.acquire and c.loc.line == r.line and j < len(c.args)}
    objs = {p.lstrip("&") for p in given if p is not None}
    res = st.resources.res
    return bool(objs) and all(root_of(p) in ctx.declared_locals and
                              held_name(ctx, st.resources, root_of(p)) in res
                              for p in objs) and not any(
        isinstance(e, Release) and e.line > r.line and root_of(e.obj) in {root_of(p) for p in objs}
        for e in st.events)


def _started_to_end(ctx: FunctionContext, st: State, path: str, r: Res) -> bool:
    """Is ``r`` a thread this path started (``wake_up_process(t)``) whose function, one
    of the file's, never asks whether it should stop (the knowledge's ``runs``)? It
    runs to its end and exits by itself: a stop is owed only to a thread that waits
    for one, and would touch a freed task here."""
    a = ctx.kb.acquire(r.acquire)
    if a is None or a.runs is None:
        return False
    fn_arg, started_by, queries = a.runs
    fns = {function_named(c.args[fn_arg]) for b in ctx.fn.blocks for e in b.exprs()
           for c in calls_in(e)
           if c.callee == r.acquire and c.loc.line == r.line and fn_arg < len(c.args)}
    fn = fns.pop() if len(fns) == 1 else None
    s = ctx.summary(fn) if fn is not None else None
    if s is None or s.calls & set(queries):
        return False
    return r.acquire in started_by or any(
        c.callee in started_by and path in c.objects and c.line >= r.line for c in st.calls)


def is_error_path(ctx: FunctionContext, ex: Exit, failure: Failure | None,
                  aborts: bool = False) -> bool:
    """An exit that is an error exit only because a failure came before it (a void
    ``return;``, ``return NULL``) counts only if that failure did not rejoin the
    main path (``WARN_ON(!x);`` and optional steps do). ``aborts``: the path
    undoes, after the failure, set-up done before it (``_aborts``)."""
    if not ex.kind.implicit:
        return True
    if failure is None or failure_rejoins(ctx, failure):
        return False
    # and the check tests something that can fail (an acquisition, a call that
    # returns errors), not a predicate (if (test_bit(...)) return;); or the path
    # itself shows that it failed: it unwinds what it set up before the test
    s = ctx.summary(failure.callee)
    return ctx.kb.acquire(failure.callee) is not None or (
        s is not None and (s.ret_errno or s.ret_alloc)) or (
        ex.kind is ExitKind.NULL_AFTER_FAILURE and (aborts or _failed_call(failure)))


def _failed_call(failure: Failure) -> bool:
    """Does ``failure`` test a call's result for an error (``fb_alloc_cmap(...) < 0``,
    ``IS_ERR(p)``, ``if (xa_alloc(...))``), not for NULL? A NULL result may say that a
    lookup found nothing, which a ``return NULL`` passes on; an error code says the
    call failed, and a ``return NULL`` after it reports that failure."""
    return bool(failure.callee) and failure.form in ("negative", "errptr", "value")


def _aborts(st: State, failure: Failure) -> bool:
    """``pt = foo_alloc_pt(info); if (!pt) goto err_free_info; ... err_free_info:
    kfree(info); return NULL;``: after the failed test the path releases something
    acquired before it (not a lock or a PM count: an unlock is no unwind). The
    callee's failure is unknown (its body allocates through a cast, its errno comes
    from a header), but the code treats it as one: it undoes its set-up and
    returns NULL, so the exit is an error exit."""
    i = failure_index(st.events, failure)
    res = st.resources.res
    return i >= 0 and any(isinstance(e, Release) and e.obj in res and res[e.obj].acquire
                          and res[e.obj].line < failure.line and not res[e.obj].kind.is_hold
                          for e in st.events[i + 1:])


def _returned(ret: Return) -> set[str]:
    out: set[str] = set()
    if ret.value is not None:
        for x in subexprs(ret.value):
            p = object_path(path_of(x))
            if p is not None:
                out.add(p)
    return out


def _left_out_on_purpose(ctx: FunctionContext, r: Res) -> bool:
    """Does the function name a release of ``r`` in a comment of its body while the
    file calls none of them anywhere (``/* pci_disable_device(dev); */`` at the unwind
    and in the remove, "do not call pci_disable_device on sta2x11")? Its authors
    leave it out on purpose."""
    if not r.releases or any(r.releases & s.calls for s in ctx.summaries.values()):
        return False
    body = range(ctx.fn.loc.line, ctx.fn.end_line + 1)
    return any(re.search(rf"\b{re.escape(x)}\b", text) for line, text in ctx.comments
               if line in body for x in r.releases)




def _owned_here(ctx: FunctionContext, st: State, path: str, r: Res, ex: Exit) -> bool:
    """Is this function the owner of ``path``, so that its error exits must release it?"""
    root = root_of(path)
    if path != root and root in _cursors(ctx):
        return False  # one name for many objects: a per-element unwind loop frees them
    a = ctx.kb.acquire(r.acquire)
    # a new object, not a state of an existing one: returned, or written through the
    # address of a local pointer (sock_create_kern(..., &sock))
    fresh = a is None or a.object == "ret" or _written_to_local(ctx, path, r)
    holder = _chained_field(ctx, st, path)
    if holder is not None and not _releases_after(ctx, path, r):
        # hwmon = drm->hwmon = kzalloc(): the field holds it too, as long as nothing
        # stored over it; it is judged as an acquisition into that field would be
        return _owned_here(ctx, st, holder, r, ex)
    if path == root and root in ctx.declared_locals and fresh:
        # a local that got a fresh acquisition here, unless it went into a table of
        # the caller's with it (urb = p->urbs[i] = usb_alloc_urb(...)), as a store of
        # it there would hand it over
        return not _chained_element(ctx, path) or bool(_releases_after(ctx, path, r))
    parent = st.resources.res.get(root)
    if path != root and parent is not None and parent.acquire:
        # a member of an object allocated here: leaked once the object is freed,
        # as devm frees it when a probe fails
        return parent.status == RELEASED or parent.status == AUTO and ctx.is_probe
    if _callers_release(ctx, path):
        return False  # every caller's unwind frees it when this function fails
    if _destructor_frees(ctx, st, path):
        return False  # the caller's object's destructor, set on this path, frees it
    if not (path == root and root in ctx.declared_locals) and _restores(ctx, path, r):
        return False  # it puts back what it undid earlier: the state the caller had
    failed = st.failures[-1].block if st.failures else None
    if left_to_sibling(ctx, path, r.releases, failed):
        return False  # a failure nobody sees: the paired callback releases it all the same
    if _created_once(ctx, path, r) and not _releases_after(ctx, path, r):
        return False  # if (!foo_dir) foo_dir = ...: the place keeps it for the next calls
    if _static_registration_at_boot(ctx, path, r):
        return False  # a built-in initcall leaves a static object registered: it stays
    if ctx.is_probe:
        return True  # nobody undoes a failed probe: what it still holds is lost
    # a field of someone else's object, a global, a reference taken on an object
    # that already existed: an error exit leaves what the caller can see as it was
    # on entry, unless there is evidence that someone else releases it. A void
    # function that stops refilling a ring leaves what it stored there to the
    # ring's owner: it cannot tell its caller that it failed
    if ex.kind.implicit and ctx.fn.returns_void:
        return False
    if _releases_after(ctx, path, r):
        return True  # it releases it itself after acquiring it, on another path
    if _teardown_releases(ctx, path) and not _half_filled_table(ctx, path):
        return True  # its paired teardown releases it, and runs only after a success
    if fresh or r.kind not in CALLER_VISIBLE_STATES:
        # a new object, a reference or a registration stored where the caller can reach
        # it: whoever holds that place usually undoes it with the place (the caller's
        # unwind, the object's teardown, the device the files go with)
        return False
    # a device's clock left enabled, its regulator on, its interrupt requested: the
    # caller sees only the error, and nothing puts the state back
    return not _callers_call_release(ctx, path)


def _written_to_local(ctx: FunctionContext, path: str, r: Res) -> bool:
    """Did the acquire of ``r`` write a new object through the address of the local
    pointer ``path`` (``sock_create_kern(net, ..., &sock)``, an out-parameter)? The
    local was not pointing at anything the caller gave: the object is new, and only
    this function holds it."""
    a = ctx.kb.acquire(r.acquire)
    if a is None or not isinstance(a.object, int) or path not in ctx.declared_locals:
        return False
    k = a.object
    return any(c.callee == r.acquire and c.loc.line == r.line and k < len(c.args)
               and isinstance(arg := c.args[k], Unary) and arg.op == "&"
               and isinstance(arg.operand, Var) and arg.operand.ptr
               and arg.operand.name == path
               for b in ctx.fn.blocks for e in b.exprs() for c in calls_in(e))


def _static_registration_at_boot(ctx: FunctionContext, path: str, r: Res) -> bool:
    """``sysfs_create_group(&root->kobj, &foo_root_group)`` in the initcall of a file
    built into the kernel (``device_initcall(foo_sysfs_init)``, no -DMODULE, and no
    exit function named: one written to be unloaded is a module), where a
    later step fails: a registration of a global (static storage, not a local or a
    parameter), in a function that unwinds no registration (no label, no call of an
    unregister: ``return ret;`` at each failure is its way). do_one_initcall() only
    logs the failure, and nothing of the file is freed: what stays registered
    refers to code and data that stay, and works. Leaving
    it is the kernel's way at boot, not a leak. A module's init is not spared (its
    failure frees the module under the registration), nor memory or a reference."""
    if ctx.modular or ctx.exitcalls or ctx.fn.name not in ctx.initcalls or \
            r.kind != Kind.REGISTRATION:
        return False  # a module, or a file written to be one (it names an exit)
    root = root_of(path)
    if root in ctx.declared_locals or root in {p.name for p in ctx.fn.params}:
        return False
    unregisters = {n for a in ctx.kb.acquires.values() if a.kind == Kind.REGISTRATION
                   for n in a.release}
    return not any(b.labels for b in ctx.fn.blocks) and not any(
        canonical(c.callee) in unregisters or c.callee in unregisters
        for b in ctx.fn.blocks for e in b.exprs() for c in calls_in(e))


def _chained_field(ctx: FunctionContext, st: State, path: str) -> str | None:
    """The field that a chained assignment gave the object the local ``path`` holds
    (``bm = sbi->s_bitmap = kzalloc(...)``), while the field still holds it: a store
    into the field since (``sbi->s_bitmap = NULL``) takes it back."""
    for b in ctx.fn.blocks:
        for s in b.stmts:
            if isinstance(s, Store) and isinstance(s.target, Var) and s.target.name == path \
                    and isinstance(s.value, Assign):
                field = path_of(s.value.target)
                if field is not None and ("->" in field or "." in field) and \
                        st.resources.links.get(field) == (path,):
                    return field
    return None


def _chained_element(ctx: FunctionContext, path: str) -> bool:
    """Does a chained assignment give the local ``path`` and an element of a table
    below a parameter, at a computed index, the same object (``urb = pcm->urbs[i] =
    usb_alloc_urb(...)``)? The element holds it for the table's owner, whose teardown
    frees every element it finds."""
    params = {p.name for p in ctx.fn.params}
    return any(isinstance(s, Store) and isinstance(s.target, Var) and s.target.name == path
               and isinstance(s.value, Assign)
               and (t := element_table(s.value.target)) is not None
               and (p := path_of(t)) is not None and root_of(p) in params
               and _stepped_index(ctx, s.value.target)
               for b in ctx.fn.blocks for s in b.stmts)


def _stepped_index(ctx: FunctionContext, element: Expr) -> bool:
    """Is the index of ``element`` a local the function steps (``for (i = 0; ...;
    i++)``)? A table filled element by element leaves the elements of the earlier
    steps in it on every failure: its owner's teardown frees every element it finds.
    One slot at an index the caller gives (``intc->cpus[idx] = kzalloc(...)``) is no
    such fill: the caller's unwind may know nothing of it."""
    e = element
    while isinstance(e, Member) and not e.arrow:
        e = e.base
    if isinstance(e, Member) and isinstance(e.base, Index):
        e = e.base
    if not isinstance(e, Index) or not isinstance(e.index, Var) or \
            e.index.name in {p.name for p in ctx.fn.params}:
        return False
    name = e.index.name
    stores = [s for b in ctx.fn.blocks for s in b.stmts if isinstance(s, Store)
              and isinstance(s.target, Var) and s.target.name == name]
    return len(stores) > 1 or any(s.op in ("+=", "-=") for s in stores)


def _created_once(ctx: FunctionContext, path: str, r: Res) -> bool:
    """Is ``path``, a global or a field, acquired only where a test found it NULL
    (``if (!sr_dbg_dir) sr_dbg_dir = debugfs_create_dir(...)``)? Created on first use
    and shared by the calls that follow, it belongs to the place, not to this call."""
    if path == root_of(path) and path in ctx.declared_locals:
        return False
    blocks = {s.block for s in ctx.acquisitions.get(path, []) if s.line == r.line}
    preds = ctx.fn.preds() if blocks else {}
    for b in blocks:
        if not preds[b]:
            return False
        for p in preds[b]:
            blk = ctx.fn.blocks[p]
            t = null_test(blk.cond) if blk.cond is not None else None
            if t is None or t[0] != path or not any(
                    e.dst == b and e.kind == ("true" if t[1] else "false") for e in blk.succs):
                return False
    return bool(blocks)


def _callers_call_release(ctx: FunctionContext, path: str) -> bool:
    """Does a function that every same-file caller calls on its argument when this
    function fails (``caller_calls``) release ``path``, a field of that parameter?"""
    me, field = ctx.summary(ctx.fn.name), _param_field(ctx, path)
    if me is None or field is None:
        return False
    i, rest = field
    return any(rest in fs for c in me.caller_calls.get(i, ())
               if (s := ctx.summary(c)) is not None for fs in s.releases_fields.values())


def _teardown_releases(ctx: FunctionContext, path: str) -> bool:
    """Is ``path`` a field of a parameter that this function's paired teardown releases
    from the same parameter: a function of the file named as this one with its set-up
    verb replaced by an undo of it (``foo_codec_probe(info)`` and
    ``foo_codec_remove(info)``, ``foo_init(c)`` and ``foo_exit(c)``)? The caller calls
    the teardown only after the set-up succeeded, so a failed set-up must release what
    the teardown would have: the pair shows that the field is theirs to release."""
    field = _param_field(ctx, path)
    if field is None:
        return False
    i, rest = field
    return any(rest in s.releases_fields.get(i, ())
               for name in _teardown_names(ctx.fn.name)
               if (s := ctx.summary(name)) is not None)


def _half_filled_table(ctx: FunctionContext, path: str) -> bool:
    """Does this function fill a table below the parameter of ``path`` element by
    element (``p->msgs[i] = msg`` in a loop) that its paired teardown frees element
    by element (``kfree(p->msgs[i])``)? A failure in that loop leaves a partly filled
    table that only the teardown can free, so the teardown is written for a failed
    set-up too (it frees every element it finds, and the table), and the caller
    calls it then: what it releases is the caller's to release."""
    field = _param_field(ctx, path)
    if field is None:
        return False
    i = field[0]
    filled = {f[1] for b in ctx.fn.blocks for s in b.stmts
              if isinstance(s, Store) and (t := element_table(s.target)) is not None
              and (p := path_of(t)) is not None and (f := _param_field(ctx, p)) is not None
              and f[0] == i}
    return any(filled & s.releases_elements.get(i, set())
               for name in _teardown_names(ctx.fn.name)
               if (s := ctx.summary(name)) is not None)


def _teardown_names(name: str) -> list[str]:
    """The names of the functions that undo ``name`` (one set-up verb replaced)."""
    words = name.split("_")
    return ["_".join([*words[:k], undo, *words[k + 1:]])
            for k, w in enumerate(words) for undo in sorted(TEARDOWN_OF.get(w, ()))]


def _restores(ctx: FunctionContext, path: str, r: Res) -> bool:
    """Does this acquisition put back an object that the function released before it
    (``i2c_del_adapter(&phys); ... err: i2c_add_adapter(&phys);``)? A global or a
    field of someone else's object that was held on entry and is held again at the
    exit is as the caller left it, not something this function took."""
    blocks = [s.block for s in ctx.acquisitions.get(path, []) if s.line == r.line]
    # written before it and reaching it (not a loop's release of its last round's object)
    return any(p == path and s.line < r.line and any(b in ctx.reachable(s.block)
                                                     for b in blocks)
               for p, s in ctx.release_sites)


def _callers_release(ctx: FunctionContext, path: str) -> bool:
    """Is ``path`` a field of a parameter that every same-file caller releases when
    this function fails (``callers.py``: ``foo_create_groups(ft)`` leaves ``ft->g``
    to its caller's ``foo_destroy_table(ft)``)?"""
    own, field = ctx.summary(ctx.fn.name), _param_field(ctx, path)
    return own is not None and field is not None and \
        field[1] in own.caller_releases.get(field[0], ())


def _destructor_frees(ctx: FunctionContext, st: State, path: str) -> bool:
    """Is ``path`` a field of a parameter whose object this path pointed a destructor
    member at a function of the file that frees that field of it (``card->private_free
    = foo_free``, with ``foo_free(card)`` freeing ``card->private_data->buf``)? The
    object's owner frees it when this function fails, and its free runs the destructor:
    the field is the destructor's to free (``[destructor_member]``)."""
    field = _param_field(ctx, path)
    if field is None:
        return False
    i, rest = field
    param = ctx.fn.params[i].name
    for member in ctx.kb.destructor_members:
        fn = function_named(st.resolve(f"{param}->{member}"))
        s = ctx.summary(fn) if fn is not None else None
        if s is not None and rest in s.releases_fields.get(0, ()):
            return True
    return False


def _param_field(ctx: FunctionContext, path: str) -> tuple[int, str] | None:
    """``p->rest`` as (the index of the parameter ``p``, "rest"); None for a path
    below no parameter, or the parameter itself. A local whose one assignment is a
    field of a parameter never assigned names that field (``fusion =
    instance->ctrl_context``: ``fusion->sense`` is ``instance->ctrl_context->sense``)."""
    root, arrow, rest = path.partition("->")
    params = [p.name for p in ctx.fn.params]
    if not arrow:
        return None
    values = ctx.local_values.get(root, [])
    held = path_of(values[0]) if len(values) == 1 and values[0] is not None else None
    if held is not None and "->" in held and (field := _param_field(ctx, held)) is not None \
            and field[1] and root_of(held) not in ctx.assigned_params:
        return field[0], f"{field[1]}->{rest}"
    return (params.index(root), rest) if root in params else None


def _cursors(ctx: FunctionContext) -> set[str]:
    """Locals that point into an array at a computed index: loop cursors
    (``p = &ring->buf[i]``, or ``qv = port->qvecs + i``, the same address)."""
    return {s.target.name for b in ctx.fn.blocks for s in b.stmts
            if isinstance(s, Store) and isinstance(s.target, Var)
            and (isinstance(s.value, Unary) and s.value.op == "&"
                 and isinstance(s.value.operand, Index)
                 or isinstance(s.value, Binary) and s.value.op == "+" and s.value.ptr
                 and not isinstance(s.value.lhs, Const)
                 and not isinstance(s.value.rhs, Const))}


def _releases_after(ctx: FunctionContext, path: str, r: Res) -> list:
    """The release sites of ``path`` that follow its acquisition in the CFG. A release
    before it in the same block (``kfree(obj->name); obj->name = kstrdup(...)``)
    releases the old value: replacing a field's value is no release of the new one.
    Nor is a release that another acquisition into ``path`` follows in its own block
    (a retry that grows the buffer: ``kvfree(m->buf); m->buf = seq_buf_alloc(...)``):
    the field keeps an object, which it is the holder's to free."""
    sites = ctx.acquisitions.get(path, [])
    blocks = [s.block for s in sites if s.line == r.line]
    later: set[int] = set()  # blocks a path can enter after the acquisition's block
    for b in blocks:
        for d in ctx.fn.blocks[b].targets():
            later |= ctx.reachable(d)

    def follows(s: Site) -> bool:
        if s.block in ctx.orphaned_unwind:  # an unwind step no goto reaches any more
            return s.line > r.line
        return not blocks or s.block in later or (s.block in blocks and s.line > r.line)

    def replaced(s: Site) -> bool:
        return any(a.block == s.block and a.line > s.line for a in sites)

    return [s for p, s in ctx.release_sites if p == path and follows(s) and not replaced(s)
            and (not r.releases or s.callee in r.releases or canonical(s.callee) in r.releases)]


def exit_site(events: tuple[Event, ...], failure: Failure | None, after: int,
              ret_line: int) -> tuple[int, str]:
    """Where a path enters its unwind: the first goto after its last failure check
    that comes after line ``after`` (the acquisition), else the return."""
    start = failure_index(events, failure) + 1 if failure is not None else 0
    for j in jumps(events, start):
        if j.line > after:
            return j.line, f"goto {j.label} at line {j.line}"
    return ret_line, ""


def _release_hint(ctx: FunctionContext, path: str, r: Res) -> str:
    sites = _releases_after(ctx, path, r)
    if sites:
        s = sites[0]
        reach = ("no path reaches it (nothing jumps to the label above it)"
                 if s.block in ctx.orphaned_unwind else "this path does not reach it")
        return (f"{ctx.words.name(s.callee, s.line)}({path}) at line {s.line} releases it, "
                f"but {reach}")
    # the plain names first (free_page() before __free_pages(), its inner call), each
    # once (two callees may be written as one macro)
    rel = list(dict.fromkeys(ctx.words.name(x) for x in sorted(
        r.releases, key=lambda x: (x.startswith("_"), x))))
    if rel:
        return f"it needs {' or '.join(f'{x}()' for x in rel[:3])}"
    return "nothing on this path releases it"


def _finding(ctx: FunctionContext, st: State, ret: Return, ex: Exit,
             leaked: list[tuple[str, Res]], where: tuple[int, str]) -> Finding:
    fn, name = ctx.words.function, ctx.words.name
    line, via = where
    path, r = leaked[0]
    how = f" ({via})" if via else ""
    learned = ctx.kb.evidence(r.acquire)
    held = f"still held at the error exit at line {ret.loc.line}" if not r.cleared else \
        f"lost at line {r.cleared}, where '{path}' is cleared without a release, " \
        f"before the error exit at line {ret.loc.line}"
    msg = (f"{fn}() leaks '{path}' on an error path: acquired by {name(r.acquire, r.line)}() "
           f"at line {r.line}{learned}, {held}{how}; {_release_hint(ctx, path, r)}")
    if len(leaked) > 1:
        more = ", ".join(f"'{p}' ({name(x.acquire, x.line)}() at line {x.line})"
                         for p, x in leaked[1:4])
        msg += f"; also still held: {more}"
    steps = [PathStep(x.line, 0, f"'{p}' acquired by {name(x.acquire, x.line)}()")
             for p, x in leaked[:4]]
    steps.extend(st.rendered_path(ctx.words))
    steps.append(exit_path_step(ex, f"; '{path}' is still held" if not r.cleared else
                                f"; what '{path}' held is lost"))
    return RULE.finding(ctx, line, 0 if via else ret.loc.col, msg, steps,
                        "|".join(sorted(f"{p}:{x.acquire}" for p, x in leaked)),
                        acquire_evidence(ctx, r.acquire))


# learned pairs -----------------------------------------------------------

def on_function(ctx: FunctionContext, walk: WalkResult) -> list[Finding]:
    """Unwind pairs learned from this function's own error exits."""
    exits = [r for r in walk.exits if is_error_path(ctx, r.exit, r.failure)]
    if len(exits) < MIN_EVIDENCE + 1:
        return []
    reported = {f.line for f in walk.findings if f.rule_id == RULE_ID}
    pointers, indirect = _pointers_and_indirect(ctx)
    out: dict[int, Finding] = {}
    predicates = _predicates(ctx)
    for rel, obj in _candidate_releases(ctx, exits):
        if obj not in pointers or rel in indirect or rel in predicates:
            continue  # a bool result answers a question: no undo
        if _callers_undo(ctx, rel, obj):
            continue  # every caller makes this step when the function fails
        if _inert_undo(ctx, rel, obj):
            continue  # the "undo" does nothing to obj: skipping it leaks nothing
        best = _best_acquire(ctx, exits, rel, obj)
        if best is None:
            continue
        acq, support, missing = best
        for site, rec in sorted(missing.items()):
            if site in reported or site in out:
                continue
            out[site] = _learned_finding(ctx, rec, site, acq, rel, obj, support)
    return list(out.values())


def _callers_undo(ctx: FunctionContext, rel: str, obj: str) -> bool:
    """Is ``obj`` a parameter on which every same-file caller calls ``rel`` (itself or
    in a teardown that calls it) when this function fails (``Summary.caller_calls``)?
    Then the exits that skip ``rel`` leave it to the caller, as the caller expects."""
    me = ctx.summary(ctx.fn.name)
    params = [p.name for p in ctx.fn.params]
    return me is not None and obj in params and \
        rel in me.caller_calls.get(params.index(obj), ())


def _inert_undo(ctx: FunctionContext, rel: str, obj: str) -> bool:
    """Does every call of ``rel`` on ``obj`` pass it where ``rel`` only reads
    (``Summary.inert_on``: an empty inline kept for symmetry, a teardown that only
    copies fields of ``obj`` out)? Such a call undoes nothing on ``obj``."""
    s = ctx.summary(rel)
    if s is None or not s.inert_on:
        return False
    at = {j for b in ctx.fn.blocks for e in [b.cond, *b.stmt_exprs()] for c in calls_in(e)
          if c.callee == rel for j, a in enumerate(c.args) if object_path(path_of(a)) == obj}
    return bool(at) and at <= s.inert_on


def _pointers_and_indirect(ctx: FunctionContext) -> tuple[set[str], set[str]]:
    """Objects passed as pointers or addresses; callees called through a pointer."""
    ptrs: set[str] = set()
    indirect: set[str] = set()
    for b in ctx.fn.blocks:
        exprs = [b.cond, *b.stmt_exprs()]
        for c in (c for e in exprs for c in calls_in(e)):
            if c.indirect:
                indirect.add(c.callee)
            for a in c.args:
                p = object_path(path_of(a))
                if p is not None and (getattr(a, "ptr", False) or isinstance(a, Unary)):
                    ptrs.add(p)
    return ptrs, indirect


def _predicates(ctx: FunctionContext) -> set[str]:
    """Callees of this function that return bool (``foo_use_poweroff()``): predicates."""
    return {c.callee for b in ctx.fn.blocks for e in [b.cond, *b.stmt_exprs()]
            for c in calls_in(e) if c.boolean}


def _candidate_releases(ctx: FunctionContext, exits: list[ExitRecord]) -> list[tuple[str, str]]:
    seen: set[tuple[str, str]] = set()
    for rec in exits:
        for c in rec.calls:
            if is_unknown_release(ctx.kb, c.callee):
                seen.update((c.callee, o) for o in c.objects)
    return sorted(seen)


def _site(rec: ExitRecord, after: int) -> int:
    return exit_site(rec.events, rec.failure, after, rec.line)[0]


def _best_acquire(ctx: FunctionContext, exits: list[ExitRecord], rel: str, obj: str):
    """The call A(obj) after which most error exits call ``rel(obj)``, and the ones that don't."""
    candidates: set[tuple[str, int]] = set()
    checked = {r.failure.callee for r in exits if r.failure is not None}
    results = _results(ctx)
    for rec in exits:
        fail = rec.failure.line if rec.failure else -1
        for c in rec.calls:
            if _acquires_on(c, obj, results) and c.callee != rel and c.line != fail and \
                    c.callee in checked and same_subject(c.callee, rel) and \
                    verbs_match(c.callee, rel) and \
                    may_acquire(ctx.kb, c.callee) and not c.after_failure:
                candidates.add((c.callee, c.line))
    best = None
    for acq in sorted(candidates):
        named = names_pair(acq[0], rel)
        support: dict[int, ExitRecord] = {}
        missing: dict[int, ExitRecord] = {}
        for rec in exits:
            pos = next((i for i in range(len(rec.calls) - 1, -1, -1)
                        if (rec.calls[i].callee, rec.calls[i].line) == acq
                        and _acquires_on(rec.calls[i], obj, results)), None)
            end = rec.failure.line if rec.failure is not None else rec.line
            if pos is None or _failed_itself(rec, acq) or acq[1] >= end or \
                    _own_test_exit(ctx, rec, pos):
                continue  # not reached, failed itself, or from an earlier loop iteration
            site = _site(rec, acq[1])
            later = rec.calls[pos + 1:]
            undo = next((i for i, c in enumerate(later)
                         if c.callee == rel and obj in c.objects), None)
            if _release_failed(rec, rel):
                continue  # the release itself failed: a teardown's step, no unwind
            if undo is not None and not named and not _in_unwind(rec, later[undo]):
                continue  # a step of the main path, not an undo of the failure
            if undo is not None:
                failed = rec.failure.callee if rec.failure is not None else ""
                if not any(_undone_step(c, acq[0], later[undo], obj, results) and
                           c.callee != failed
                           for c in later[:undo]):  # a step that failed was not done
                    support[site] = rec
            elif not any(_handles(ctx, c, acq[0], rel, obj) for c in later) and \
                    not _acquired_again_failed(rec, acq, obj, results) and \
                    not _frees_object(ctx, later, obj) and \
                    not _given_to_owner(ctx, rec, later, obj) and \
                    not _undone_step_failed(rec, acq, rel):
                missing.setdefault(site, rec)
        missing = {s: r for s, r in missing.items() if s not in support}
        if len(support) < MIN_EVIDENCE or len(support) <= len(missing):
            continue
        # the call that explains the most unwinds, with the fewest exceptions
        # a call the release's name undoes (reserve/unreserve, get/put) before one
        # whose name is silent (create/unreserve)
        score = (named, len(support), -len(missing), acq[1])
        if best is None or score > best[0]:
            best = (score, acq, support, missing)
    if best is None or not best[3]:
        return None
    return best[1:]


def _frees_object(ctx: FunctionContext, later: tuple[CallRec, ...], obj: str) -> bool:
    """Does the exit free ``obj`` itself after the step (``nlmsg_free(skb)``,
    ``btrfs_free_path(path)``: a release the knowledge gives for memory, or a function
    whose summary releases what it is given on every path)? A step learnt from the
    names (``devlink_nl_put_handle(skb)`` after ``..._new(skb)``) is not owed on an
    object that is gone: what the step put in it goes with it."""
    for c in later:
        if obj not in c.objects:
            continue
        if ctx.kb.release(c.callee) is not None and \
                ctx.kb.released_kind(c.callee) in FREEING_KINDS:
            return True
        s = ctx.summary(c.callee)
        if s is not None and len(c.objects) == 1 and s.releases_always and not s.keeps:
            return True
    return False


def _given_to_owner(ctx: FunctionContext, rec: ExitRecord, later: tuple[CallRec, ...],
                    obj: str) -> bool:
    """Does the exit hand ``obj`` to an [owner] after the step, one that kept it on this
    path (``usb_ep_queue(ep, req)`` that did not fail: the queued request is the
    endpoint's until its completion frees it)? No undo is owed for what it took."""
    failed = {(e.failure.callee, e.failure.line) for e in rec.events
              if isinstance(e, FailureTest)}
    kb = ctx.kb
    return any(obj in c.objects and kb.owner_arg(c.callee) is not None
               and (not kb.owns_on_success(c.callee) or (c.callee, c.line) not in failed)
               and (not kb.owns_on_failure(c.callee) or (c.callee, c.line) in failed)
               for c in later)


def _failed_itself(rec: ExitRecord, acq: tuple[str, int]) -> bool:
    """Is this exit on the path where A itself failed (then there is nothing to undo)?
    A's failure need not be the last one: its failure branch may test more and fail
    again before it leaves (``if (power_on(s)) { if (update(s)) goto exit; ... }``)."""
    last = [c.line for c in rec.calls if c.callee == acq[0]]
    if not last or last[-1] != acq[1]:
        return False
    return any(isinstance(e, FailureTest) and e.failure.callee == acq[0] and
               e.failure.line >= acq[1] for e in rec.events)


def _undone_step_failed(rec: ExitRecord, acq: tuple[str, int], rel: str) -> bool:
    """Is this exit left where a later step failed that the release's name undoes: a
    set-up verb on the thing the release's name ends on (``ops->ipips_init()`` for
    ``foo_ipips_fini()``, after ``__foo_router_init()``)? The release undoes that step,
    which was not made: nothing of it is owed. A call through a function pointer is
    named by its member, without the driver's prefix."""
    if rec.failure is None or rec.failure.line <= acq[1]:
        return False
    failed = re.split(r"->|\.", rec.failure.callee)[-1]
    words = stem(failed)
    undone = [w for w in stem(rel) if w not in TEARDOWN_VERBS]
    verbs = {w for w in rel.split("_") if w in TEARDOWN_VERBS}
    return bool(words) and bool(TEARDOWN_NAME.search(rel)) and \
        any(w in SETUP_WORDS and UNDO_OF.get(w, set()) & verbs for w in failed.split("_")) \
        and undone[-len(words):] == words


def _acquired_again_failed(rec: ExitRecord, acq: tuple[str, int], obj: str,
                           results: dict[tuple[str, int], str | None]) -> bool:
    """Did the path make A again on the same object, at another line, and leave when
    that call failed (a re-read into the same buffer, whose reader dropped the old
    one first; every try of a chain of ``foo_init(intf)``)? An exit that skips the
    release there is A's failure, no missed undo. (An exit that releases after such a
    failure still counts for the pair: ``foo_transition(port, RUN)`` failed, and the
    unwind stops what ``foo_transition(port, ACQUIRE)`` started.)"""
    last = [c.line for c in rec.calls
            if c.callee == acq[0] and _acquires_on(c, obj, results)]
    if not last or last[-1] == acq[1]:
        return False
    return any(isinstance(e, FailureTest) and e.failure.callee == acq[0] and
               e.failure.line >= last[-1] for e in rec.events)


def _results(ctx: FunctionContext) -> dict[tuple[str, int], str | None]:
    """The calls that return a pointer, by callee and line, with the object their
    result is stored to (``hidg->req = usb_ep_alloc_request(ep0)``: ``hidg->req``),
    or None when it is not stored to one."""
    out: dict[tuple[str, int], str | None] = {}
    for b in ctx.fn.blocks:
        for e in [b.cond, *b.stmt_exprs()]:
            for c in calls_in(e):
                if c.ptr:
                    out[(c.callee, c.loc.line)] = None
        for st in b.stmts:
            target, value = (st.target, st.value) if isinstance(st, Store) else \
                (st.expr.target, st.expr.value) if isinstance(st, ExprStmt) and \
                isinstance(st.expr, Assign) else (None, None)
            if isinstance(value, Call) and value.ptr and target is not None:
                out[(value.callee, value.loc.line)] = object_path(path_of(target))
    return out


def _acquires_on(c: CallRec, obj: str, results: dict[tuple[str, int], str | None]) -> bool:
    """Could the call ``c`` acquire ``obj``? A call that returns a pointer acquires
    that pointer (``obj = iommufd_get_object(ictx, ...)``, ``iocb =
    lpfc_sli_get_iocbq(phba)``), and its undo takes that pointer: a call that undoes
    something of its argument only (``iommufd_object_abort_and_destroy(ictx, hwpt)``)
    is the undo of another step. Any other call acquires on its arguments."""
    if (c.callee, c.line) in results:
        return results[(c.callee, c.line)] == obj
    return obj in c.objects


def _in_unwind(rec: ExitRecord, undo: CallRec) -> bool:
    """Is the release made on this exit's unwind, after a failure? Unless the names
    pair (``foo_bo_reserve()``/``foo_bo_unreserve()``, where a release on the main
    path closes the bracket the acquire opened, and an exit inside the bracket that
    skips it keeps the reservation), an exit that released on its main path before a
    later failure says nothing of what the error path undoes: a teardown that drains
    a ring, stops it, then fails a later step. A path whose failure the walk did not
    recognise (a field of a reply tested) cannot tell: its release counts."""
    return undo.after_failure or rec.failure is None


def _release_failed(rec: ExitRecord, rel: str) -> bool:
    """Is this exit left because the release itself failed (``err =
    foo_unbind(vma); if (err) goto out;``, a teardown that stops its queues one
    by one and leaves when one will not stop)? Then the function undoes on its main
    path: the exit neither shows an unwind nor misses one. Not when the release was
    made after an earlier failure: an unwind step that fails in turn
    (``if (disable_camera(dev) < 0) return -EINVAL;`` after a failed enable of a
    port) was still made to undo."""
    return rec.failure is not None and rec.failure.callee == rel and \
        not any(c.callee == rel and c.after_failure for c in rec.calls)


def _handles(ctx: FunctionContext, c: CallRec, acq: str, rel: str, obj: str) -> bool:
    """Does the later call ``c`` undo ``obj`` as ``rel`` would, by its body: given the
    object or what contains it (``foo_device_fini(drm)`` for ``drm->client``), or an
    object a same-file constructor made holding it (``wiimote_destroy(wdata)`` after
    ``wdata = wiimote_create(hdev)`` stored ``hdev``: ``ctx.made_holding``), it
    calls ``rel`` (directly or not), or every undo ``rel`` makes
    (``ppa_pb_dismiss(dev)`` calls the ``parport_release()`` of
    ``ppa_pb_release(dev)``), or releases the field of a local object the function
    stored ``obj`` into (``ctx.holders``)? Not when it makes ``acq`` too: a teardown
    that takes the reservation again to release it (``foo_bo_reserve(o);
    foo_bo_unpin(o); foo_bo_unreserve(o)``) undoes its own, not the caller's (which it
    waits for)."""
    s = ctx.summary(c.callee)
    if s is None:
        return _callback_handles(ctx, c, acq, rel, obj)
    if acq in s.calls:
        return False
    held = {f for h, f in ctx.holders.get(obj, ()) if h in c.objects}
    if held & {f for fs in s.releases_fields.values() for f in fs}:
        return True  # cs->signal_fence = sig_fence; cs_put(cs) puts cs->signal_fence
    if obj not in c.objects and root_of(obj) not in c.objects and \
            not any(obj in ctx.made_holding.get(o, ()) for o in c.objects) and \
            not _holds_read_from(ctx, c, obj) and not _got_from(ctx, obj, c.objects):
        return False
    if rel in s.calls:
        return True
    r = ctx.summary(rel)
    undoes_ = {x for x in r.calls if undoes(ctx.kb, x)} if r is not None else set()
    return bool(undoes_) and undoes_ <= s.calls


def _got_from(ctx: FunctionContext, obj: str, objects: tuple[str, ...]) -> bool:
    """Is ``obj`` a local whose every value a getter returned from one of ``objects``
    (``efx = efx_netdev_priv(net_dev)``, a device's private data)? A callee given that
    object (``foo_net_stop(net_dev)``) reaches ``obj`` the same way."""
    values = ctx.local_values.get(obj, [])
    return bool(values) and all(
        isinstance(v, Call) and any(path_of(a) in objects for a in v.args) and
        ctx.kb.acquire(v.callee) is None and
        not ((s := ctx.summary(v.callee)) is not None and s.ret_alloc) for v in values)


def _holds_read_from(ctx: FunctionContext, c: CallRec, obj: str) -> bool:
    """Is ``c`` given an object the function stored a local into that it read from
    ``obj`` (``vol = ubi->volumes[id]; desc->vol = vol; ubi_close_volume(desc)``)?
    Such an object points back at ``obj`` (``vol->ubi``) more often than not: a
    callee that makes the undo on what it reaches from there undoes ``obj``'s."""
    read = {name for name, values in ctx.local_values.items()
            if values and all(_read_below(v, obj) for v in values)}
    return any(h in c.objects for name in read for h, _f in ctx.holders.get(name, ()))


def _read_below(v: Expr | None, obj: str) -> bool:
    """Does ``v`` read a field of ``obj`` (``ubi->dev``, or an element of a table of
    it: ``ubi->volumes[id]``)?"""
    table = element_table(v)
    p = path_of(table) if table is not None else path_of(v) if v is not None else None
    return p is not None and p != obj and root_of(p) == obj


def _callback_handles(ctx: FunctionContext, c: CallRec, acq: str, undo: str,
                      obj: str) -> bool:
    """Does the put ``c`` undo ``obj`` by the release callback it is given
    (``kref_put(&req->ref, foo_req_free)``, the knowledge's ``callback``), which frees
    the field of the object the function stored ``obj`` into (``req->pages = pages``;
    ``foo_req_free()`` unpins and frees ``req->pages`` after its container_of())?"""
    rel = ctx.kb.release(c.callee)
    if rel is None:
        return False
    if rel.callback is None:
        return _member_callback_handles(ctx, c, acq, undo, obj)
    roots = {root_of(o) for o in c.objects}
    held = {f for h, f in ctx.holders.get(obj, ()) if h in roots}
    for o in c.objects:
        cb = ctx.summary(o) if o not in ctx.variables else None
        if cb is not None and acq not in cb.calls and \
                held & cb.releases_container_fields.get(0, set()):
            return True
    return False


def _member_callback_handles(ctx: FunctionContext, c: CallRec, acq: str, undo: str,
                             obj: str) -> bool:
    """Does the put ``c`` of a member the function bound a release callback to
    (``put_device(fdev)`` with ``fdev = &ctx->dev`` and ``fdev->type = &foo_type``,
    whose ``.release`` is ``foo_release``) undo ``obj`` by that callback: the function
    stored ``obj`` into the object embedding the member (``ctx->sva = sva``) and the
    callback calls ``undo`` (``foo_release()`` unbinds ``ctx->sva``)?"""
    for o in c.objects:
        bound = ctx.release_callback(ctx.member_aliases.get(o, o))
        if bound is None:
            continue
        cb = ctx.summary(bound[0])
        if cb is not None and acq not in cb.calls and undo in cb.calls and \
                any(h == root_of(bound[1]) for h, _f in ctx.holders.get(obj, ())):
            return True
    return False


def _undone_step(c: CallRec, acq: str, undo: CallRec, obj: str,
                 results: dict[tuple[str, int], str | None]) -> bool:
    """Is ``c``, made on ``obj`` between A and the release ``undo``, the step that the
    release undoes, by their verbs (``mlx5_esw_get()`` for ``mlx5_esw_put()``, after
    ``mlx5_esw_hold()``)? Then that exit is no evidence for A. A call that returns a
    pointer makes its step on that pointer, which the release then takes too
    (``req = foo_alloc_req(ep)`` for ``foo_free_req(ep, req)``); ``ie =
    foo_bss_get_ie(bss)`` makes none that ``foo_put_bss(bss)`` undoes."""
    rel = undo.callee
    made = results.get((c.callee, c.line), obj) if (c.callee, c.line) in results else obj
    on_obj = obj in c.objects and (made == obj or made in undo.objects)
    return on_obj and c.callee not in (acq, rel) and \
        same_subject(c.callee, rel) and verbs_pair(c.callee, rel) is True


def _own_test_exit(ctx: FunctionContext, rec: ExitRecord, pos: int) -> bool:
    """Is this exit the branch of A's own result test: A is called in a branch condition
    and the exit follows one side of that branch straight, with nothing called on the way
    but printing (``if (!foo_hold(dev)) return -EBUSY;``)? A function does not return an
    error right after an acquisition that succeeded: this is the side where A failed
    (whatever its type says: a bool, or a call the configuration left undeclared)."""
    a = rec.calls[pos]
    if any(ctx.kb.printer_format(c.callee) is None for c in rec.calls[pos + 1:]):
        return False
    for b in ctx.fn.blocks:
        if b.cond is not None and any(c.callee == a.callee and c.loc.line == a.line
                                      for c in calls_in(b.cond)):
            return any(_straight_to(ctx, s, rec.line) for s in b.targets())
    # err = A(..., &h); if (err || !h) return -ENODEV;: every test that leads straight
    # to the exit tests what A returned or wrote through an out-parameter, and nothing
    # was called since A but printing
    given = _given_by(ctx, a.callee, a.line)
    last = [b for b in ctx.fn.blocks if b.cond is not None and
            any(_straight_to(ctx, s, rec.line) for s in b.targets())]
    return bool(given) and bool(last) and all(
        given & {path_of(e) for e in subexprs(b.cond)} for b in last if b.cond is not None)


def _given_by(ctx: FunctionContext, callee: str, line: int) -> set[str | None]:
    """What the call of ``callee`` at ``line`` gives its caller: the variable its result
    is stored to and the pointers it is given the address of (``&dev->handle``)."""
    out: set[str | None] = set()
    for b in ctx.fn.blocks:
        for st in b.stmts:
            target, value = (st.target, st.value) if isinstance(st, Store) else \
                (st.expr.target, st.expr.value) if isinstance(st, ExprStmt) and \
                isinstance(st.expr, Assign) else (None, None)
            for c in calls_in(st.value if isinstance(st, Store) else
                              st.expr if isinstance(st, ExprStmt) else None):
                if c.callee != callee or c.loc.line != line:
                    continue
                if c is value and target is not None:
                    out.add(path_of(target))
                out |= {path_of(x.operand) for x in c.args
                        if isinstance(x, Unary) and x.op == "&"}
    return out - {None}


def _straight_to(ctx: FunctionContext, bid: int, line: int) -> bool:
    """Does block ``bid`` reach the statement at ``line`` without another branch?"""
    return any(s.loc.line == line for blk in ctx.fn.straight_run(bid) for s in blk.stmts)


def _learned_finding(ctx, rec: ExitRecord, site: int, acq: tuple[str, int], rel: str,
                     obj: str, support: dict[int, ExitRecord]) -> Finding:
    fn, words = ctx.words.function, ctx.words
    lines = ", ".join(str(s) for s in sorted(support)[:4])
    n = len(support)
    via = "" if site == rec.line else f" (entered at line {site})"
    a, r = words.name(acq[0], acq[1]), words.name(rel)
    msg = (f"{fn}() does not call {r}({obj}) on the error exit at line {rec.line}{via}, "
           f"after {a}({obj}) at line {acq[1]}: the other {n} error exits of this "
           f"function reached after {a}() call {r}() (at lines {lines})")
    steps = [PathStep(acq[1], 0, f"{a}({obj})"), *render_steps(rec.events, words),
             exit_path_step(rec.exit, f"; {r}({obj}) not called")]
    return RULE.finding(ctx, site, 0 if site != rec.line else rec.col, msg, steps,
                        f"{obj}:{acq[0]}/{rel}", SIBLING_EXITS, exit_line=rec.line)


# kinds whose release frees the object (not only a part of it, or a state)
# the states of an existing device that an error exit of any function must put back
# (bench/results/fields-s19.md: memory, references and registrations stored into a
# caller's object were mostly the holder's to undo)
CALLER_VISIBLE_STATES = frozenset({Kind.CLOCK, Kind.REGULATOR, Kind.IRQ, Kind.RESET,
                                   Kind.PHY})
FREEING_KINDS = (Kind.MEMORY, Kind.PAGES, Kind.CACHE, Kind.POOL)
# a set-up verb -> the verbs of the teardown paired with it (``_teardown_releases``)
TEARDOWN_OF: dict[str, set[str]] = {**UNDO_OF, "probe": {"remove"}}

RULE_ID, RULE_NAME = "KU002", "error-path-leak"
RULE = Rule(id=RULE_ID, name=RULE_NAME, doc=__doc__,
            measured=Measured(66, 112, SAMPLE),
            recall=(Recall("drop-release", 89, 140), Recall("goto-next-label", 43, 67)),
            on_exit=on_exit, on_function=on_function)
