"""The command line: the ``kunwind`` group and its commands, one module per family.

``check`` (check.py), ``baseline`` and ``install-hook`` (workflow.py),
``merge`` (audit.py, with check's audit options), ``rules``, ``explain`` and
``cfg`` (describe.py); shared.py holds what they share. Every user mistake
ends in one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import click

from kunwind import __version__

from .audit import merge_cmd
from .check import check
from .describe import explain, list_rules, show_cfg, show_knowledge
from .workflow import baseline_cmd, install_hook_cmd


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kunwind")
def main() -> None:
    """kunwind: find error-path unwinding bugs in Linux kernel C."""


for command in (check, baseline_cmd, install_hook_cmd, merge_cmd, list_rules, explain,
                show_knowledge, show_cfg):
    main.add_command(command)
