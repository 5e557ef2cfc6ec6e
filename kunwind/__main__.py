"""``python -m kunwind``."""

from kunwind.cli import main

main()
