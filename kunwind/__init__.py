"""kunwind: a checker for error-path unwinding bugs in Linux kernel C."""

import os

__version__ = "0.1.0"
INFORMATION_URI = "https://github.com/kunwind/kunwind"

# The checks live in the repository's top-level rules/ folder, which the
# installed package maps to kunwind.rules (pyproject's package-dir). Run from a
# source checkout (python -m kunwind in the repository), find them there too.
if not os.path.isdir(os.path.join(__path__[0], "rules")):
    __path__.append(os.path.dirname(__path__[0]))
