"""What an acquired resource is: the closed set of ``kind`` values of the knowledge.

A knowledge file names a kind for each acquire (``kind = "lock"``); the loader
accepts only these. Code asks the kind what it needs to know (``is_hold``)
instead of comparing names. A ``str`` enum: a kind compares, hashes and
serialises as its name.
"""

from __future__ import annotations

from enum import Enum


class Kind(str, Enum):
    MEMORY = "memory"  # an allocation; with object "ret", its fields start uninitialised
    PAGES = "pages"
    CACHE = "cache"
    POOL = "pool"
    MAPPING = "mapping"
    DMA = "dma"
    REFERENCE = "reference"
    LOCK = "lock"
    PM = "pm"  # a runtime-PM usage count
    REGISTRATION = "registration"
    DEVICE = "device"
    CLOCK = "clock"
    REGULATOR = "regulator"
    RESET = "reset"
    GPIO = "gpio"
    IRQ = "irq"
    PHY = "phy"
    ID = "id"
    REGION = "region"
    CRYPTO = "crypto"
    SOCKET = "socket"
    THREAD = "thread"
    TIMER = "timer"
    URB = "urb"
    WORKQUEUE = "workqueue"
    # the C library's (rules/knowledge/hosted/): a FILE *, a file descriptor, dlopen()
    FILE = "file"
    DESCRIPTOR = "descriptor"
    LIBRARY = "library"
    LEARNED = "learned"  # a pair learned from the checked code (knowledge.learned)
    # Released here, acquired elsewhere, by a call that no acquire of the knowledge
    # lists as its release. Never written in a knowledge file.
    UNKNOWN = ""

    def __str__(self) -> str:
        return self.value

    __hash__ = str.__hash__  # "lock" and Kind.LOCK are one dictionary key

    @property
    def is_hold(self) -> bool:
        """A hold on an object that lives on (a lock taken, a runtime-PM usage count
        raised), not an object of its own. It stays with the function that took it
        whatever becomes of the pointer (copied, handed on, overwritten), dropping it
        does not end the object's life, and what matters is that takes and drops
        balance: KU005 checks these; the leak, over-release and use-after-release
        checks leave them alone."""
        return self in _HOLDS


    @property
    def ends_handle(self) -> bool:
        """Does its release end a handle held as a number, not a pointer? An address
        does (``free_pages(addr, 0)``, ``dma_unmap_single(dev, addr, ...)``); a number
        that names something the kernel keeps does not: ``free_irq(irq, dev)`` removes
        the handler registered on the irq (the registration, "irq"), and the number
        stays mapped until ``irq_dispose_mapping(irq)``; ``gpio_free(gpio)``,
        ``ida_free(ida, id)`` give back a claim on the number."""
        return self in _ADDRESSES

    @property
    def is_counted(self) -> bool:
        """A counted reference: each get takes one more, each put drops one, and only
        the last put ends the hold (``kobject_get()`` twice needs two puts)."""
        return self is Kind.REFERENCE


_HOLDS = frozenset({Kind.LOCK, Kind.PM})
_ADDRESSES = frozenset({Kind.MEMORY, Kind.PAGES, Kind.CACHE, Kind.POOL, Kind.MAPPING, Kind.DMA})


def parse_kind(text: str) -> Kind:
    """The kind a knowledge file names; ValueError naming the known ones otherwise."""
    try:
        kind = Kind(text)
    except ValueError:
        kind = Kind.UNKNOWN
    if kind is Kind.UNKNOWN:
        known = ", ".join(k.value for k in Kind if k is not Kind.UNKNOWN)
        raise ValueError(f"unknown kind {text!r} (known: {known})")
    return kind
