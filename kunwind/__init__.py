"""kunwind: a checker for error-path unwinding bugs in Linux kernel C."""

__version__ = "0.1.0"
INFORMATION_URI = "https://github.com/kunwind/kunwind"
