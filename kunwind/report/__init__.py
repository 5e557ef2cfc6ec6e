"""Output writers: one dispatch over the three formats, all reading one ``RunResult``.

``write(run, fmt)`` returns the whole report as a string; the CLI decides where
it goes. ``summary`` (text.py) is the short stderr tally the CLI prints after it.
"""

from __future__ import annotations

from kunwind.findings import RunResult

from . import json_report, sarif, text
from .text import summary

FORMATS: tuple[str, ...] = ("text", "json", "sarif")

__all__ = ["FORMATS", "summary", "write"]


def write(run: RunResult, fmt: str) -> str:
    """The report for ``run`` in format ``fmt`` (one of ``FORMATS``)."""
    if fmt == "text":
        return text.write(run)
    if fmt == "json":
        return json_report.write(run)
    if fmt == "sarif":
        return sarif.write(run)
    raise ValueError(f"unknown output format {fmt!r}: expected one of {', '.join(FORMATS)}")
