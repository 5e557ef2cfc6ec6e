"""``python -m kunwind``."""

from .cli import main

main()
