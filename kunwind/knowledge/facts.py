"""Kernel API knowledge: its entries, their validation and their lookup.

The data says which calls allocate (and whether the result is zeroed, how
they fail), which release what they are given (and whether NULL is fine),
and which teardowns depend on which fields of their argument. ``merge``
checks each entry of a knowledge file (``loader.py`` reads the files).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .kinds import Kind, parse_kind

# Kernel macros rename the call clang sees: kmalloc -> kmalloc_noprof (memory
# allocation profiling wrappers). The knowledge is written with the names
# developers write.
_SUFFIX_NAMES = ("_noprof", "_node_track_caller")
_SUFFIXES = re.compile(r"(_noprof|_node_track_caller)$")

# a format string, as written, that starts with an error log level: KERN_EMERG,
# KERN_ALERT, KERN_CRIT or KERN_ERR (include/linux/kern_levels.h: KERN_SOH "\001",
# then the level's digit), as pr_err() and printk(KERN_ERR ...) give _printk()
ERROR_LEVEL = re.compile(r'"\\001[0-3]')


# A knowledge file's data: table ("acquire"...) -> entry name -> its fields.
KnowledgeData = dict[str, dict[str, dict[str, Any]]]


class KnowledgeError(Exception):
    """A knowledge file that cannot be read (path and reason)."""


@dataclass
class Acquire:
    name: str
    kind: Kind = Kind.MEMORY
    object: str | int = "ret"  # "ret" or the index of the acquired argument
    fails: str = "null"  # null | errptr | negative | zero | never
    held_on_failure: bool = False
    zeroed: bool = False
    release: list[str] = field(default_factory=list)
    evidence: str = ""  # why the entry is believed, when it was learned (learned.py)
    # the part of the object it acquires when that is not the object itself (the
    # runtime-PM enable count of a device, beside its usage count): a resource of its
    # own, keyed on the object and the part, that only its own releases move
    part: str = ""
    # (argument, bit): the allocation is zeroed when that argument, a gfp mask, has the
    # bit (kzalloc_node() is kmalloc_node(size, flags | __GFP_ZERO, node)); a negative
    # argument counts from the end
    zeroing_flag: tuple[int, int] | None = None
    # a count-returning acquire (the entries it mapped, the vectors it enabled): on
    # success the count lies between argument ``count_min`` (None: 1) and argument
    # ``count_max``, so when both are the same value, any other result is its failure
    count_min: int | None = None
    count_max: int | None = None
    # the first step of the set-up this one completes, always made before it (device_add()
    # after device_initialize()): when the object was not set up in the function, a
    # caller made that step, and releases of this step alone (device_del()) leave it
    after: str = ""
    # a result object that is above 0 on success (a dynamically allocated major,
    # register_blkdev(0, name)): ``n <= 0`` is its failure test as much as ``n < 0``
    positive: bool = False
    # (argument, bit): the caller owns the result only when that argument, a mask of
    # flags, has the bit (device_link_add() with DL_FLAG_STATELESS); a mask of constants
    # without it hands the object to its subsystem, which removes it (a managed link)
    owned_with_flag: tuple[int, int] | None = None
    # it takes one more reference on an object the caller already holds a pointer to
    # (get_device(dev), kref_get(&x->ref), usb_get_dev(udev)): the count was at least 1
    # before it, so the put that drops this reference is not known to be the last
    extra: bool = False
    # with a part: the argument whose value says which one of the object's parts of that
    # kind it acquires (the BAR of pci_request_region(pdev, bar, name)): each value is a
    # resource of its own, released by a release given the same value (its ``selector``)
    selector: int | None = None
    # the argument whose object the acquired one takes over: a file made with private
    # data (anon_inode_getfile(name, fops, priv, flags): 2) frees it in its
    # file_operations' .release when its last fput() runs, so the release of the
    # acquired object releases that argument's object too
    owns: int | None = None
    # calls that make this acquire managed when made before it on the same object: after
    # pcim_enable_device(pdev), pci_request_regions(pdev) is a devres region that the
    # driver core releases when probe fails (pci_is_managed()): nothing is owed
    managed_after: list[str] = field(default_factory=list)
    # the argument that is the parent the object is made or added under
    # (debugfs_create_dir(name, parent): 1, kobject_add(kobj, parent, ...): 1): a
    # parent that the caller gave this function (a parameter, a field of one) is torn
    # down with its children by whoever owns it, so the object is handed to it (on
    # success only, for an acquire held on failure)
    parent: int | None = None
    # (argument, field): the acquire also stores what it returns in that field of that
    # argument (of_phy_connect(dev, ...) attaches the PHY as dev->phydev): the field is
    # another name of the result, and a release of the field releases it
    stores: tuple[int, str] | None = None
    # with an argument object (an out-parameter): the call writes NULL there before it
    # can fail (snd_card_new() sets *card_ret = NULL first), so where it failed the
    # pointer is NULL, whatever it held before
    null_on_failure: bool = False
    # the argument that, when NULL, makes the call return NULL and acquire nothing
    # (of_get_parent(NULL), of_get_next_child(NULL, prev)): where a test finds that
    # argument NULL, the result holds nothing
    null_arg: int | None = None
    # with an argument object: its result is another name of that object (a region
    # request's struct resource), so a release of the path it is stored in
    # (release_resource(priv->res)) releases the object
    ret_names: bool = False
    # the argument (``&h``) where the call writes the object's handle, not zero when it
    # succeeds (dma_alloc_coherent(dev, size, &dma, gfp): 2, the buffer's DMA address):
    # a test that finds the handle zero finds the object not held (``if (dma)
    # dma_free_coherent(...)``)
    handle: int | None = None
    # the argument the call keeps only as the opaque pointer it hands back to a callback
    # (request_irq()'s dev_id: kernel/irq/manage.c stores it in the irqaction and passes
    # it to the handler): it never writes through it, so what the caller knows of that
    # object's fields (a tested ``p->irq > 0``) still holds after the call
    cookie: int | None = None
    # with an argument object that is a number (an IRQ): it is never 0 while held, 0
    # naming none (irq_of_parse_and_map() returns 0 for no interrupt), so a test that
    # finds it 0 finds it not held (``if (p->irq) free_irq(p->irq, p)``)
    nonzero: bool = False
    # with ``owns``: the field of the acquired object that keeps what it took over
    # (anon_inode_getfile(): the file's private_data); a NULL stored there gives it back
    owns_field: str = ""
    # the argument whose object the acquired one holds a reference on until its own
    # release (kobject_create_and_add(name, parent): 1, whose kobject_add_internal()
    # takes kobject_get(parent) and whose release drops it, lib/kobject.c): while it is
    # held, the put of the reference the caller took on that object is not the last
    pins: int | None = None
    # a thread that runs the function passed as an argument: (that argument, the calls
    # that start it, the calls by which its function asks whether to stop). A thread
    # whose function never asks ends by itself once started (its function returns and
    # the thread exits, freeing its task): a path that started it owes it no stop
    runs: tuple[int, tuple[str, ...], tuple[str, ...]] | None = None


@dataclass
class Release:
    name: str
    arg: int = 0
    null_ok: bool = False
    err_ok: bool = False  # an ERR_PTR() is ignored too (IS_ERR_OR_NULL)
    # a no-op on an object that was never acquired or whose acquisition failed (it
    # tests the object's own state first: pci_disable_msi() when MSI is off)
    safe_unacquired: bool = False
    # the object stays valid after it: it cancels, unmaps or decrements a count kept
    # in the object (usb_kill_urb(), dma_unmap_sgtable(), refcount_dec_and_test()),
    # and what frees the object is another call
    keeps_object: bool = False
    # fields of the object that its release callback frees with it (the last
    # platform_device_put() frees pdev->mfd_cell)
    frees_fields: list[str] = field(default_factory=list)
    # the argument that is the function the last put runs on what argument ``arg``
    # points at (kref_put(&x->ref, foo_release): argument 1), which frees its container
    # and what that container holds
    callback: int | None = None
    # releases the object that an acquire listing it returned for the same arguments:
    # the indices of the arguments both calls take alike (device_link_remove(consumer,
    # supplier) drops the link device_link_add(consumer, supplier, flags) returned)
    same_args: list[int] = field(default_factory=list)
    # the argument that says which part of the object it releases, for an acquire
    # with a ``selector`` (pci_release_region(pdev, bar): argument 1)
    selector: int | None = None
    # the argument that says how many entries of the object it releases (the nents of
    # dma_unmap_sg(dev, sg, nents, dir): argument 2): with a count of 0 it releases
    # nothing
    count: int | None = None
    # the member of the object argument ``arg`` points at whose reference it drops
    # (auxiliary_device_uninit(adev) puts adev->dev): the release callback the
    # caller set on that member runs when it is the last
    member: str = ""


@dataclass
class Teardown:
    name: str
    arg: int = 0
    depends: list[str] = field(default_factory=list)


@dataclass
class OwnerFlag:
    """A flag that hands a buffer over to the object it is set in: with bit ``value``
    set in the object's field ``field``, the object frees what the calls of ``fill``
    gave it (callee -> the index of the buffer argument; the object is argument 0)."""

    name: str
    field: str
    value: int
    fill: dict[str, int]


@dataclass
class Knowledge:
    acquires: dict[str, Acquire] = field(default_factory=dict)
    releases: dict[str, Release] = field(default_factory=dict)
    teardowns: dict[str, Teardown] = field(default_factory=dict)
    owners: dict[str, int] = field(default_factory=dict)  # callee -> argument it takes over
    # owners that keep their argument only when they succeed (a registration that
    # keeps a pointer to its data, of_clk_add_provider()): where a test finds the call
    # failed, the caller still holds what it passed
    owners_on_success: set[str] = field(default_factory=set)
    # owners that take their argument over only when they fail: they free it on their
    # failure, through the destroy callback they were given (ttm_bo_init_validate()),
    # and on success the caller still holds it
    owners_on_failure: set[str] = field(default_factory=set)
    # owners that run a function they are given on what they take over, later (devres
    # runs devm_add_action()'s action on its data at unbind or when the probe fails):
    # callee -> the index of the argument that is that function
    owner_actions: dict[str, int] = field(default_factory=dict)
    # owners with an action that run it on the data themselves when they fail
    # (devm_add_action_or_reset(): ``if (ret) action(data);``)
    owners_reset: set[str] = field(default_factory=set)
    # owners of what a field of an argument holds, not of the argument: callee -> (the
    # argument, the field) (regulator_register() takes config->ena_gpiod, whatever it
    # returns)
    owner_fields: dict[str, tuple[int, str]] = field(default_factory=dict)
    # callee -> argument it keeps a pointer to without owning it (driver data)
    borrowers: dict[str, int] = field(default_factory=dict)
    # callees that return what a borrower kept in their argument 0 (dev_get_drvdata())
    borrowed: set[str] = field(default_factory=set)
    # for code with a C library (a program): its pairs are loaded, and a negative
    # return value is a plain number, not a kernel errno (-1 is no -EPERM there)
    hosted: bool = False
    # errno values (positive) that report a request queued or in progress, not a
    # failure (-EINPROGRESS): errno -> its name
    in_progress: dict[int, str] = field(default_factory=dict)
    # errno values (positive) that say a feature is absent (-EOPNOTSUPP): errno -> name
    unsupported: dict[int, str] = field(default_factory=dict)
    # printk-style functions: callee -> the index of its format argument
    printers: dict[str, int] = field(default_factory=dict)
    error_printers: set[str] = field(default_factory=set)  # printf.NAME.error: logs an error
    # printk-style functions given their level apart (_dev_printk(KERN_ERR, dev, fmt)):
    # callee -> the index of that argument (printf.NAME.level)
    printer_levels: dict[str, int] = field(default_factory=dict)
    # printk-style functions that return one of their arguments (dev_err_probe() returns
    # the error it logs): callee -> the index of that argument (printf.NAME.returns)
    printer_returns: dict[str, int] = field(default_factory=dict)
    # functions whose int result answers a question (may I print now?), never an errno
    answers: set[str] = field(default_factory=set)
    # queries that come out true for an object while one of these acquisitions of it
    # holds (regulator_is_enabled() after regulator_enable()): callee -> (the
    # object's argument, the acquires)
    held_queries: dict[str, tuple[int, frozenset[str]]] = field(default_factory=dict)
    # fields of an object that are nonzero while one of these acquisitions of it holds
    # (pdev->msi_enabled after pci_enable_msi(pdev)): field name -> the acquires
    held_fields: dict[str, frozenset[str]] = field(default_factory=dict)
    # a query whose true answer for an object decides the next test of another call on
    # it (drm_exec_is_contended() then drm_exec_cleanup()): callee -> (the object's
    # argument, that call)
    implies: dict[str, tuple[int, str]] = field(default_factory=dict)
    # flags that hand a buffer over to the object they are set in (URB_FREE_BUFFER)
    owner_flags: dict[str, OwnerFlag] = field(default_factory=dict)
    # releases that free what other calls put into their object: callee -> (the fill
    # call -> the index of the argument it puts in; the object is argument 0 of both)
    # (bio_free_pages(bio) frees the pages __bio_add_page() added to the bio)
    frees_filled: dict[str, dict[str, int]] = field(default_factory=dict)
    # callee -> the argument whose object its result is another representation of
    # (page_address(page): the pages' kernel address, which free_pages() takes)
    conversions: dict[str, int] = field(default_factory=dict)
    # structs of callbacks an object points at (struct device_type): struct name -> the
    # member that holds the function the object's last put runs ("release")
    release_tables: dict[str, str] = field(default_factory=dict)
    # calls that set the release callback of an object they set up to a function they
    # are given (usb_initialize_gadget(parent, &x->gadget, foo_release) sets
    # gadget->dev.release): callee -> (the object's argument, the member of it whose
    # last put runs the callback, "" for the object itself, the callback's argument)
    release_setters: dict[str, tuple[int, str, int]] = field(default_factory=dict)
    # members that hold the function an object's own free calls with the object
    # (snd_card_free() runs card->private_free(card)): a function that points a
    # member of its caller's object at one of its own functions leaves what that
    # function frees of the object to the object's owner
    destructor_members: set[str] = field(default_factory=set)
    # constructors that point a member of the object they return at the table of
    # callbacks they are given (fsnotify_alloc_group(&foo_ops, 0) sets group->ops):
    # callee -> (the table's argument, that member)
    ops_setters: dict[str, tuple[int, str]] = field(default_factory=dict)
    # structs of driver callbacks whose failure nobody undoes (struct platform_driver):
    # struct name -> the member that holds such a callback ("probe")
    probe_tables: dict[str, str] = field(default_factory=dict)
    # structs of callbacks whose int result the framework does not act on (struct
    # snd_soc_component_driver: its .resume): struct name -> those members. A failure of
    # such a callback is seen by nobody: the framework goes on as if it succeeded
    ignored_returns: dict[str, frozenset[str]] = field(default_factory=dict)
    # structs of callbacks whose failure the framework answers by calling the paired
    # callbacks of the same table (struct comedi_driver: a failed .attach is followed by
    # .detach): struct name -> those members. What the pair releases, such a callback
    # leaves to it on its failures, as one whose failure nobody sees
    undone_by_pair: dict[str, frozenset[str]] = field(default_factory=dict)
    # the macros that make a function an init call whose failure nobody undoes
    # (module_init(foo_init)): the function owns what it acquires, as a probe does
    initcalls: set[str] = field(default_factory=set)
    # the macros that name a module's exit function (module_exit(foo_exit)), which runs
    # at unload once the init succeeded, whatever the driver's probes did
    exitcalls: set[str] = field(default_factory=set)
    # calls that set up nothing an error path owes an undo for, whatever their names
    # suggest (v4l2_m2m_next_src_buf() peeks at a queue): no guess takes them as acquires
    no_undo: set[str] = field(default_factory=set)
    # allocators whose object starts zeroed and that owe no release of their own
    # (devm_kzalloc(): devres frees it): a field of it reads 0 until written
    zeroed_allocs: set[str] = field(default_factory=set)
    # calls that write 0 to every byte of the object an argument points at: name ->
    # (that argument, the argument that holds the byte written when not always 0)
    zeroes: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    # reads: calls whose only effect the caller sees is the value they read, stored
    # in the object an argument points at: name -> that argument (None: the result)
    reads: dict[str, int | None] = field(default_factory=dict)
    # copies that truncate: a negative result says the copy was cut short, and the
    # destination still holds a terminated prefix (strscpy()): no step left undone
    truncates: set[str] = field(default_factory=set)
    # list links: a call that links the node argument ``entry`` (``&obj->member``) into
    # the list whose head is argument ``head`` (list_add()): name -> (entry, head)
    links: dict[str, tuple[int, int]] = field(default_factory=dict)
    # list unlinks: a call that takes the node argument ``arg`` out of its list, or
    # empties the list whose head it is given (list_del(), INIT_LIST_HEAD())
    unlinks: dict[str, int] = field(default_factory=dict)
    # calls that set up the reference count of the object an argument points at, and
    # the puts that drop a count set up so (device_initialize(dev) for put_device()):
    # callee -> (that argument, the puts); a put before any of them runs has no count
    # to drop (KU009)
    refcount_inits: dict[str, tuple[int, tuple[str, ...]]] = field(default_factory=dict)
    # those that set up the count of a member of their argument (auxiliary_device_init():
    # its "dev"): init -> the member
    refcount_init_members: dict[str, str] = field(default_factory=dict)
    # the puts that those inits name: callee -> the argument whose count it drops
    refcount_puts: dict[str, int] = field(default_factory=dict)
    _released_kinds: dict[str, Kind] | None = field(default=None, repr=False)  # built lazily
    _released_parts: dict[str, str] | None = field(default=None, repr=False)  # built lazily
    # (table, name) -> the file that gave the entry in force (a later file wins)
    sources: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)

    def acquire(self, callee: str) -> Acquire | None:
        return self.acquires.get(callee) or self.acquires.get(canonical(callee))

    def alloc(self, callee: str) -> Acquire | None:
        """A memory allocator: returns a new object whose fields this function fills."""
        a = self.acquire(callee)
        return a if a is not None and a.object == "ret" and a.kind is Kind.MEMORY else None

    def evidence(self, callee: str) -> str:
        """For messages: ' (learned in this run: ...)' for a learned acquire, else ''."""
        a = self.acquire(callee)
        return f" ({a.evidence})" if a is not None and a.evidence else ""

    def describes(self, callee: str) -> bool:
        """Does the knowledge say what ``callee`` does (acquires, releases, tears down
        or takes over)? Then its body, wherever it is, need not be read."""
        return self.gives_back(callee) or callee in self.borrowers or \
            canonical(callee) in self.borrowers or any(
            x is not None for x in (self.acquire(callee), self.release(callee),
                                    self.teardown(callee), self.owner_arg(callee)))

    def gives_back(self, callee: str) -> bool:
        """Does ``callee`` return what a borrower kept in its argument 0 (the driver
        data, ``dev_get_drvdata()``)?"""
        return callee in self.borrowed or canonical(callee) in self.borrowed

    def zeroed_alloc(self, callee: str) -> bool:
        """Does the knowledge say ``callee`` returns a zeroed object that is no acquire
        of its own (``[zeroed]``: devm_kzalloc())?"""
        return callee in self.zeroed_allocs or canonical(callee) in self.zeroed_allocs

    def zeroed_object(self, callee: str, value_of: Callable[[int], int | None]) -> int | None:
        """The argument whose object ``callee`` fills with zeroes (``[zeroes]``:
        ``memset(&x, 0, sizeof(x))``, where ``value_of(1)``, the byte written, is 0),
        or None."""
        z = self.zeroes.get(callee) or self.zeroes.get(canonical(callee))
        if z is None or z[1] is not None and value_of(z[1]) != 0:
            return None
        return z[0]

    def is_read(self, callee: str) -> bool:
        """Is ``callee`` a read (``[read]``): its only effect the caller sees is the
        value it read?"""
        return callee in self.reads or canonical(callee) in self.reads

    def read_into(self, callee: str) -> int | None:
        """The argument whose object ``callee``, a read (``[read]``: regmap_read()),
        fills with what it read; None for a call that is no such read or that returns
        what it read."""
        return self.reads.get(callee, self.reads.get(canonical(callee)))

    def truncating_copy(self, callee: str) -> bool:
        """Is ``callee`` a copy whose failure is a truncation (``[truncates]``)?"""
        return callee in self.truncates or canonical(callee) in self.truncates

    def link(self, callee: str) -> tuple[int, int] | None:
        """(entry, head) of a call that links a node into a list (``[link]``)."""
        return self.links.get(callee)

    def unlink(self, callee: str) -> int | None:
        """The node (or head) argument of a call that unlinks it (``[unlink]``)."""
        return self.unlinks.get(callee)

    def owes_no_undo(self, callee: str) -> bool:
        """Does the knowledge say ``callee`` sets up nothing to undo (``[no_undo]``)?"""
        return callee in self.no_undo or canonical(callee) in self.no_undo

    def answers_only(self, callee: str) -> bool:
        """Is ``callee``'s result an answer (``net_ratelimit()``), so that a test of it
        is no failure check?"""
        return callee in self.answers or canonical(callee) in self.answers

    def implied(self, callee: str) -> tuple[int, str] | None:
        """(the object's argument, the call whose next test on that object comes out
        true) when a test finds ``callee`` true (the knowledge's ``[implies]``)."""
        return self.implies.get(callee) or self.implies.get(canonical(callee))

    def held_query(self, callee: str) -> tuple[int, frozenset[str]] | None:
        """(the object's argument, the acquires) when ``callee`` is true while one of
        them holds the object (the knowledge's ``[held_query]``)."""
        return self.held_queries.get(callee) or self.held_queries.get(canonical(callee))

    def owner_arg(self, callee: str) -> int | None:
        v = self.owners.get(callee)
        return v if v is not None else self.owners.get(canonical(callee))

    def owns_on_success(self, callee: str) -> bool:
        """Does ``callee`` keep its [owner] argument only when it succeeds?"""
        return callee in self.owners_on_success or canonical(callee) in self.owners_on_success

    def owner_field(self, callee: str) -> tuple[int, str] | None:
        """The (argument, field) whose held object ``callee`` takes over on every
        outcome, for an [owner] with a ``field``."""
        v = self.owner_fields.get(callee)
        return v if v is not None else self.owner_fields.get(canonical(callee))

    def owner_action(self, callee: str) -> int | None:
        """The argument of ``callee`` that is the function it runs later on the object it
        takes over (devm_add_action(dev, action, data): 1), else None."""
        v = self.owner_actions.get(callee)
        return v if v is not None else self.owner_actions.get(canonical(callee))

    def resets_on_failure(self, callee: str) -> bool:
        """Does ``callee``, an [owner] with an action, run the action on its data itself
        when it fails (``reset``)?"""
        return callee in self.owners_reset or canonical(callee) in self.owners_reset

    def owns_on_failure(self, callee: str) -> bool:
        """Does ``callee`` take its [owner] argument over (free it) only when it fails?"""
        return callee in self.owners_on_failure or canonical(callee) in self.owners_on_failure

    def converts(self, callee: str) -> int | None:
        """The argument whose object ``callee``'s result is another name for, else None."""
        v = self.conversions.get(callee)
        return v if v is not None else self.conversions.get(canonical(callee))

    def releasers_of(self, name: str) -> list[str]:
        a = self.acquire(name)
        return a.release if a else []

    def released_kind(self, callee: str) -> Kind:
        """The kind of what ``callee`` releases (``mutex_unlock`` -> LOCK), UNKNOWN if none."""
        if self._released_kinds is None:
            self._released_kinds = {}
            for a in self.acquires.values():
                for r in a.release:
                    self._released_kinds.setdefault(r, a.kind)
        kinds = self._released_kinds
        return kinds.get(callee) or kinds.get(canonical(callee)) or Kind.UNKNOWN

    def released_part(self, callee: str) -> str:
        """The part of its object that ``callee`` releases (``pm_runtime_disable`` ->
        the enable count), "" for the object itself."""
        if self._released_parts is None:
            self._released_parts = _parts_by_release(self.acquires.values())
        parts = self._released_parts
        return parts.get(callee) or parts.get(canonical(callee)) or ""

    def printer_format(self, callee: str) -> int | None:
        """The index of the format argument of a printk-style function, else None."""
        v = self.printers.get(callee)
        return v if v is not None else self.printers.get(canonical(callee))

    def printer_returned(self, callee: str) -> int | None:
        """The index of the argument a printk-style function returns (``dev_err_probe(dev,
        err, fmt)`` returns ``err``), else None."""
        v = self.printer_returns.get(callee)
        return v if v is not None else self.printer_returns.get(canonical(callee))

    def printer_level(self, callee: str) -> int | None:
        """The index of a printk-style function's level argument, when it takes its level
        apart from the format (``_dev_printk(KERN_ERR, dev, fmt)``), else None."""
        v = self.printer_levels.get(callee)
        return v if v is not None else self.printer_levels.get(canonical(callee))

    def logs_error(self, callee: str, fmt: str = "") -> bool:
        """Does ``callee`` log at an error level: ``dev_err()`` (printf.NAME.error), or a
        printer given a format or a level argument (``fmt``, its string literal as
        written) that starts with an error level (``pr_err()``, ``printk(KERN_ERR
        ...)``: ``_printk("\\0013...")``; ``dev_printk(KERN_ERR, ...)``)?"""
        if callee in self.error_printers or canonical(callee) in self.error_printers:
            return True
        return bool(fmt) and self.printer_format(callee) is not None and \
            ERROR_LEVEL.match(fmt) is not None

    def release(self, callee: str) -> Release | None:
        return self.releases.get(callee) or self.releases.get(canonical(callee))

    def keyed_by_args(self, acquire: Acquire) -> list[int]:
        """The arguments of ``acquire``'s call that one of its releases names its object
        by (the knowledge's ``same_args``), to be remembered with what it acquires."""
        out: set[int] = set()
        for r in acquire.release:
            rel = self.release(r)
            out.update(rel.same_args if rel is not None else ())
        return sorted(out)

    def teardown(self, callee: str) -> Teardown | None:
        return self.teardowns.get(callee) or self.teardowns.get(canonical(callee))

    def merge(self, data: KnowledgeData, source: str, text: str = "") -> None:
        """Add the entries of one knowledge file (``text``: its TOML, to name the line
        of a bad entry); ``KnowledgeError`` naming ``source`` for a malformed one: an
        unknown table or key, a misspelt kind, a value of the wrong type."""
        self._released_kinds = None
        self._released_parts = None
        for table in data:
            if table not in KEYS:
                raise KnowledgeError(f"{source}: unknown table [{table}] (known: "
                                     f"{', '.join(KEYS)})")
        table, name = "", ""
        try:
            for table in KEYS:
                for name, v in data.get(table, {}).items():
                    unknown = sorted(set(v) - KEYS[table])
                    if unknown:
                        raise ValueError(f"{table}.{name}: unknown key {unknown[0]!r} (known: "
                                         f"{', '.join(sorted(KEYS[table]))})")
                    self._add(table, name, v)
                    self.sources[(table, name)] = source
            table, name = "", ""
            _parts_by_release(self.acquires.values())  # one part per release
            self._check_same_args()
            self._check_refcount_puts()
            both = sorted(n for n in self.no_undo if n in self.acquires)
            if both:
                table, name = "no_undo", both[0]
                raise ValueError(f"no_undo.{name}: it is an [acquire] too")
            both = sorted(n for n in self.unlinks if n in self.links)
            if both:
                table, name = "unlink", both[0]
                raise ValueError(f"unlink.{name}: it is a [link] too")
            both = sorted(n for n in self.zeroed_allocs if n in self.acquires)
            if both:  # an acquire says it with `zeroed = true`
                table, name = "zeroed", both[0]
                raise ValueError(f"zeroed.{name}: it is an [acquire] too")
        except (AttributeError, TypeError, ValueError) as exc:
            line = _line_of(text, table, name)
            where = f"{source}:{line}" if line else source
            raise KnowledgeError(f"{where}: malformed entry ({exc})") from exc

    def _check_same_args(self) -> None:
        """ValueError for a ``same_args`` release that no acquire of a returned object
        lists: there would be no call whose arguments it could be matched with."""
        for name, rel in self.releases.items():
            if rel.same_args and not any(a.object == "ret" and name in a.release
                                         for a in self.acquires.values()):
                raise ValueError(f"release.{name}: 'same_args' needs an acquire of a "
                                 "returned object that lists it in 'release'")

    def _check_refcount_puts(self) -> None:
        """ValueError for a ``refcount_init`` whose put no ``refcount_put`` lists: the
        check would not know which argument of the put is the object."""
        for name, (_, puts) in self.refcount_inits.items():
            for put in puts:
                if put not in self.refcount_puts:
                    raise ValueError(f"refcount_init.{name}: put {put!r} is not a "
                                     "[refcount_put]")

    def inits_for(self, put: str) -> list[str]:
        """The calls that set up the count that ``put`` drops (refcount_init), given the
        object it puts (not those that set up a member's: auxiliary_device_init())."""
        return sorted(n for n, (_, puts) in self.refcount_inits.items()
                      if put in puts and n not in self.refcount_init_members)

    def _add(self, table: str, name: str, v: dict[str, Any]) -> None:
        if table == "acquire":
            obj: str | int = v.get("object", "ret")
            if obj != "ret":
                obj = int(obj)
            fails = str(v.get("fails", "null" if obj == "ret" else "negative"))
            if fails not in ("null", "errptr", "negative", "zero", "never"):
                raise ValueError(f"acquire.{name}: unknown 'fails' value {fails!r}")
            try:
                kind = parse_kind(str(v.get("kind", "memory")))
            except ValueError as exc:
                raise ValueError(f"acquire.{name}: {exc}") from None
            part = str(v.get("part", ""))
            if part and obj == "ret":
                raise ValueError(f"acquire.{name}: 'part' needs an argument object")
            zf = v.get("zeroing_flag")
            flag = (int(zf["arg"]), int(zf["value"])) if zf is not None else None
            of = v.get("owned_with_flag")
            owned = (int(of["arg"]), int(of["value"])) if of is not None else None
            if owned is not None and owned[1] <= 0:
                raise ValueError(f"acquire.{name}: 'owned_with_flag' needs a positive 'value'")
            lo, hi = v.get("count_min"), v.get("count_max")
            if lo is not None and hi is None:
                raise ValueError(f"acquire.{name}: 'count_min' needs 'count_max'")
            if v.get("positive") and (obj != "ret" or fails != "negative"):
                raise ValueError(f"acquire.{name}: 'positive' is for a result that is a "
                                 "negative errno on failure")
            self.acquires[name] = Acquire(
                name, kind, obj, fails,
                bool(v.get("held_on_failure", False)), bool(v.get("zeroed", False)),
                [str(r) for r in v.get("release", [])], str(v.get("evidence", "")), part,
                flag, int(lo) if lo is not None else None, int(hi) if hi is not None else None,
                str(v.get("after", "")), bool(v.get("positive", False)), owned,
                bool(v.get("extra", False)),
                int(v["selector"]) if "selector" in v else None,
                int(v["owns"]) if "owns" in v else None,
                [str(m) for m in v.get("managed_after", [])],
                int(v["parent"]) if "parent" in v else None,
                _stores(name, v.get("stores")),
            )
            if "selector" in v and not part:
                raise ValueError(f"acquire.{name}: 'selector' needs a 'part'")
            if v.get("null_on_failure") and (obj == "ret" or part):
                raise ValueError(f"acquire.{name}: 'null_on_failure' is for an "
                                 "out-parameter object")
            self.acquires[name].null_on_failure = bool(v.get("null_on_failure", False))
            if "null_arg" in v and (obj != "ret" or fails != "null" or int(v["null_arg"]) < 0):
                raise ValueError(f"acquire.{name}: 'null_arg' is for a returned object that "
                                 "is NULL on failure, and names an argument")
            self.acquires[name].null_arg = int(v["null_arg"]) if "null_arg" in v else None
            if v.get("ret_names") and obj == "ret":
                raise ValueError(f"acquire.{name}: 'ret_names' is for an argument object")
            self.acquires[name].ret_names = bool(v.get("ret_names", False))
            if "handle" in v and (obj != "ret" or int(v["handle"]) < 0):
                raise ValueError(f"acquire.{name}: 'handle' is for a returned object, and "
                                 "names an argument")
            self.acquires[name].handle = int(v["handle"]) if "handle" in v else None
            if v.get("nonzero") and (obj == "ret" or part):
                raise ValueError(f"acquire.{name}: 'nonzero' is for an argument object "
                                 "that is a number")
            self.acquires[name].nonzero = bool(v.get("nonzero", False))
            if "owns_field" in v and "owns" not in v:
                raise ValueError(f"acquire.{name}: 'owns_field' needs 'owns'")
            self.acquires[name].owns_field = str(v.get("owns_field", ""))
            if "cookie" in v and int(v["cookie"]) < 0:
                raise ValueError(f"acquire.{name}: 'cookie' names an argument")
            self.acquires[name].cookie = int(v["cookie"]) if "cookie" in v else None
            if "pins" in v and int(v["pins"]) < 0:
                raise ValueError(f"acquire.{name}: 'pins' names an argument")
            self.acquires[name].pins = int(v["pins"]) if "pins" in v else None
            self.acquires[name].runs = _runs(name, v.get("runs"))
        elif table == "release":
            same = [int(j) for j in v.get("same_args", [])]
            if "same_args" in v and (not same or min(same) < 0):
                raise ValueError(f"release.{name}: 'same_args' lists argument indices")
            self.releases[name] = Release(name, int(v.get("arg", 0)),
                                          bool(v.get("null_ok", False)),
                                          bool(v.get("err_ok", False)),
                                          bool(v.get("safe_unacquired", False)),
                                          bool(v.get("keeps_object", False)),
                                          [str(f) for f in v.get("frees_fields", [])],
                                          int(v["callback"]) if "callback" in v else None,
                                          same,
                                          int(v["selector"]) if "selector" in v else None,
                                          int(v["count"]) if "count" in v else None,
                                          str(v.get("member", "")))
        elif table == "in_progress":
            errno = int(v.get("errno", 0))
            if errno <= 0:
                raise ValueError(f"in_progress.{name}: 'errno' is the positive value")
            self.in_progress[errno] = name
        elif table == "unsupported":
            errno = int(v.get("errno", 0))
            if errno <= 0:
                raise ValueError(f"unsupported.{name}: 'errno' is the positive value")
            self.unsupported[errno] = name
        elif table == "printf":
            self.printers[name] = int(v.get("format", -1))
            if self.printers[name] < 0:
                raise ValueError(f"printf.{name}: 'format' is the index of the format argument")
            if v.get("error", False):
                self.error_printers.add(name)
            if "level" in v:
                self.printer_levels[name] = int(v["level"])
            if "returns" in v:
                self.printer_returns[name] = int(v["returns"])
        elif table == "answer":
            self.answers.add(name)
        elif table == "no_undo":
            self.no_undo.add(name)
        elif table == "zeroed":
            self.zeroed_allocs.add(name)
        elif table == "zeroes":
            self.zeroes[name] = (int(v.get("arg", 0)),
                                 int(v["value"]) if "value" in v else None)
        elif table == "read":
            self.reads[name] = int(v["into"]) if "into" in v else None
        elif table == "truncates":
            self.truncates.add(name)
        elif table == "link":
            if "entry" not in v or "head" not in v:
                raise ValueError(f"link.{name}: needs 'entry' and 'head'")
            entry, head = int(v["entry"]), int(v["head"])
            if entry == head or min(entry, head) < 0:
                raise ValueError(f"link.{name}: 'entry' and 'head' are two argument indexes")
            self.links[name] = (entry, head)
        elif table == "unlink":
            if int(v.get("arg", 0)) < 0:
                raise ValueError(f"unlink.{name}: 'arg' is an argument index")
            self.unlinks[name] = int(v.get("arg", 0))
        elif table == "held_query":
            held = frozenset(str(x) for x in v.get("while", []))
            if not held:
                raise ValueError(f"held_query.{name}: 'while' lists the acquires it reports")
            self.held_queries[name] = (int(v.get("arg", 0)), held)
        elif table == "held_field":
            held = frozenset(str(x) for x in v.get("while", []))
            if not held:
                raise ValueError(f"held_field.{name}: 'while' lists the acquires it reports")
            self.held_fields[name] = held
        elif table == "implies":
            if not v.get("then"):
                raise ValueError(f"implies.{name}: 'then' names the call it decides")
            self.implies[name] = (int(v.get("arg", 0)), str(v["then"]))
        elif table == "owner_flag":
            fill = {str(k): int(j) for k, j in dict(v.get("fill", {})).items()}
            if not v.get("field") or not fill or int(v.get("value", 0)) <= 0:
                raise ValueError(f"owner_flag.{name}: needs 'field', a positive 'value' "
                                 "and 'fill'")
            self.owner_flags[name] = OwnerFlag(name, str(v["field"]), int(v["value"]), fill)
        elif table == "frees_filled":
            fill = {str(k): int(j) for k, j in dict(v.get("fill", {})).items()}
            if not fill:
                raise ValueError(f"frees_filled.{name}: needs 'fill'")
            self.frees_filled[name] = fill
        elif table == "owner" and "field" in v:
            if set(v) - {"arg", "field"} or not v["field"]:
                raise ValueError(f"owner.{name}: 'field' takes no other key than 'arg'")
            self.owner_fields[name] = (int(v.get("arg", 0)), str(v["field"]))
            for t in (self.owners, self.owner_actions):
                t.pop(name, None)
            self.owners_on_success.discard(name)
            self.owners_on_failure.discard(name)
            self.owners_reset.discard(name)
        elif table == "owner":
            self.owner_fields.pop(name, None)
            self.owners[name] = int(v.get("arg", 0))
            if "action" in v:
                self.owner_actions[name] = int(v["action"])
            else:
                self.owner_actions.pop(name, None)
            if v.get("reset") and "action" not in v:
                raise ValueError(f"owner.{name}: 'reset' runs the 'action', which it needs")
            if v.get("reset"):
                self.owners_reset.add(name)
            else:
                self.owners_reset.discard(name)
            if v.get("on_success") and v.get("on_failure"):
                raise ValueError(f"owner.{name}: 'on_success' and 'on_failure' exclude "
                                 "each other")
            for when, names in (("on_success", self.owners_on_success),
                                ("on_failure", self.owners_on_failure)):
                if v.get(when):
                    names.add(name)
                else:
                    names.discard(name)
        elif table == "borrow":
            self.borrowers[name] = int(v.get("arg", 0))
        elif table == "borrowed":
            self.borrowed.add(name)
        elif table == "same_object":
            self.conversions[name] = int(v.get("arg", 0))
        elif table == "release_table":
            if not v.get("member"):
                raise ValueError(f"release_table.{name}: needs 'member'")
            self.release_tables[name] = str(v["member"])
        elif table == "release_setter":
            if "callback" not in v:
                raise ValueError(f"release_setter.{name}: needs 'callback'")
            self.release_setters[name] = (int(v.get("arg", 0)), str(v.get("member", "")),
                                          int(v["callback"]))
        elif table == "ops_setter":
            if not v.get("member"):
                raise ValueError(f"ops_setter.{name}: needs 'member'")
            self.ops_setters[name] = (int(v.get("arg", 0)), str(v["member"]))
        elif table == "refcount_init":
            puts = v.get("puts")
            if not puts or not all(isinstance(x, str) for x in puts):
                raise ValueError(f"refcount_init.{name}: needs 'puts', a list of names")
            if int(v.get("arg", 0)) < 0:
                raise ValueError(f"refcount_init.{name}: 'arg' is an argument index")
            self.refcount_inits[name] = (int(v.get("arg", 0)), tuple(puts))
            self.refcount_init_members.pop(name, None)  # a later file's entry replaces it
            if v.get("member"):
                self.refcount_init_members[name] = str(v["member"])
        elif table == "refcount_put":
            if int(v.get("arg", 0)) < 0:
                raise ValueError(f"refcount_put.{name}: 'arg' is an argument index")
            self.refcount_puts[name] = int(v.get("arg", 0))
        elif table == "initcall":
            self.initcalls.add(name)
        elif table == "destructor_member":
            self.destructor_members.add(name)
        elif table == "exitcall":
            self.exitcalls.add(name)
        elif table == "probe_table":
            if not v.get("member"):
                raise ValueError(f"probe_table.{name}: needs 'member'")
            self.probe_tables[name] = str(v["member"])
        elif table == "ignored_return":
            members = v.get("members")
            if not members or not all(isinstance(m, str) for m in members):
                raise ValueError(f"ignored_return.{name}: needs 'members', a list of names")
            self.ignored_returns[name] = frozenset(members)
        elif table == "undone_by_pair":
            members = v.get("members")
            if not members or not isinstance(members, list) or \
                    not all(isinstance(m, str) for m in members):
                raise ValueError(f"undone_by_pair.{name}: needs 'members', a list of names")
            self.undone_by_pair[name] = frozenset(members)
        else:
            self.teardowns[name] = Teardown(name, int(v.get("arg", 0)),
                                            list(v.get("depends", [])))


def _stores(name: str, v: object) -> tuple[int, str] | None:
    """An acquire's ``stores = { arg = 0, field = "phydev" }``."""
    if v is None:
        return None
    if not isinstance(v, dict) or not str(v.get("field", "")).isidentifier():
        raise ValueError(f"acquire.{name}: 'stores' needs an 'arg' and a 'field' name")
    return int(v.get("arg", 0)), str(v["field"])


# The tables of a knowledge file and the keys of their entries.
KEYS: dict[str, frozenset[str]] = {
    "acquire": frozenset({"kind", "object", "fails", "held_on_failure", "zeroed", "release",
                          "evidence", "part", "zeroing_flag", "count_min", "count_max",
                          "after", "positive", "owned_with_flag", "extra", "selector",
                          "owns", "managed_after", "parent", "stores", "null_on_failure",
                          "null_arg", "ret_names", "handle", "cookie", "pins",
                          "nonzero", "owns_field", "runs"}),
    "release": frozenset({"arg", "null_ok", "err_ok", "safe_unacquired", "keeps_object",
                          "frees_fields", "callback", "same_args", "selector", "count",
                          "member"}),
    "in_progress": frozenset({"errno"}),
    "unsupported": frozenset({"errno"}),
    "printf": frozenset({"format", "error", "level", "returns"}),
    "answer": frozenset(),
    "no_undo": frozenset(),
    "zeroed": frozenset(),
    "zeroes": frozenset({"arg", "value"}),
    "read": frozenset({"into"}),
    "truncates": frozenset(),
    "link": frozenset({"entry", "head"}),
    "unlink": frozenset({"arg"}),
    "held_query": frozenset({"arg", "while"}),
    "held_field": frozenset({"while"}),
    "implies": frozenset({"arg", "then"}),
    "owner": frozenset({"arg", "on_success", "on_failure", "action", "reset", "field"}),
    "owner_flag": frozenset({"field", "value", "fill"}),
    "frees_filled": frozenset({"fill"}),
    "borrow": frozenset({"arg"}),
    "borrowed": frozenset(),
    "same_object": frozenset({"arg"}),
    "release_table": frozenset({"member"}),
    "release_setter": frozenset({"arg", "member", "callback"}),
    "ops_setter": frozenset({"arg", "member"}),
    "probe_table": frozenset({"member"}),
    "ignored_return": frozenset({"members"}),
    "refcount_init": frozenset({"arg", "puts", "member"}),
    "refcount_put": frozenset({"arg"}),
    "undone_by_pair": frozenset({"members"}),
    "initcall": frozenset(),
    "destructor_member": frozenset(),
    "exitcall": frozenset(),
    "teardown": frozenset({"arg", "depends"}),
}


def _runs(name: str, v: Any) -> tuple[int, tuple[str, ...], tuple[str, ...]] | None:
    """An acquire's ``runs = { fn, started_by, stop_queries }``."""
    if v is None:
        return None
    if not isinstance(v, dict) or "fn" not in v or not v.get("started_by") or \
            not v.get("stop_queries") or int(v["fn"]) < 0:
        raise ValueError(f"acquire.{name}: 'runs' needs 'fn' (an argument index), "
                         "'started_by' and 'stop_queries' (lists of names)")
    return (int(v["fn"]), tuple(str(x) for x in v["started_by"]),
            tuple(str(x) for x in v["stop_queries"]))


def _parts_by_release(acquires: Any) -> dict[str, str]:
    """Release -> the part of the object it releases; ValueError for a release that
    two acquires of different parts list (it would not know which one it moves)."""
    out: dict[str, str] = {}
    for a in acquires:
        for r in a.release:
            if out.setdefault(r, a.part) != a.part:
                raise ValueError(f"release {r!r} is listed by acquires of different parts "
                                 f"({out[r] or 'the object'!r} and {a.part or 'the object'!r})")
    return out


def canonical(callee: str) -> str:
    """The name without the suffix of an allocator's variant (``kmalloc_noprof`` ->
    ``kmalloc``). Asked for every lookup of a callee the tables do not name as written:
    ``str.endswith`` first, the pattern only for a name that has the suffix."""
    if not callee.endswith(_SUFFIX_NAMES):
        return callee
    return _SUFFIXES.sub("", callee)


def _line_of(text: str, table: str, name: str) -> int:
    """The line of ``[table.name]``, or of ``name = {...}`` under ``[table]``; 0 if none."""
    section = ""
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith("["):
            section = line.strip("[] ")
            if section == f"{table}.{name}":
                return number
        elif section == table and line.split("=", 1)[0].strip().strip('"') == name:
            return number
    return 0
