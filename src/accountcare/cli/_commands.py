"""The whole ``accountcare`` command: the group with every command registered on it.

Commands register themselves on the group when their module is imported, so importing this
module (as `accountcare.cli.main` does) is what makes the command line complete.
"""

from __future__ import annotations

# Imported for their side effect: each registers its commands on ``cli``.
from accountcare.cli import (  # noqa: F401
    _analyses,
    _book,
    _delivery,
    _forecast,
    _import,
    _people,
    _worklist,
)
from accountcare.cli._group import UserError, cli, run

__all__ = ["UserError", "cli", "run"]
