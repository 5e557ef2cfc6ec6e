"""-o onto what is not a regular file (/dev/null, a FIFO) writes into it, never over it."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

from click.testing import CliRunner

from kunwind.cli import main

AFTER = Path(__file__).resolve().parents[1] / "fixtures/ku001/anon_vma_fork_after.c"


def test_output_to_a_fifo_keeps_the_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "report"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    r = CliRunner().invoke(main, ["check", "--experimental",
                                  str(AFTER), "--format", "json", "-o", str(fifo),
                                  "-q", "--no-cache"])
    reader.join(timeout=60)
    assert r.exit_code == 0, r.output
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # replaced by a regular file, /dev/null would be
    assert got and got[0].startswith(b"{")
