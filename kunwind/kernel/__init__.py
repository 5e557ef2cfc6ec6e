"""The kernel tree: configuration, generated headers, Kbuild flags and architecture.

What Kbuild and Kconfig would do before compiling a file of a kernel tree,
emulated without running make or a compiler: ``tree`` (finding a tree and the
``TreeSetup`` asked for each file's flags), ``kconfig`` (the ``.config``: read,
or generated from a defconfig), ``shim`` with ``shim_arm64`` and
``shim_subsys`` (the headers ``make prepare`` generates, written to a cache),
``kbuild`` (the Kbuild makefiles and include paths) and ``arch`` (what differs
per architecture). It uses the frontend's libclang helpers; the frontend knows
nothing of it.
"""
