"""The ``accountcare`` command: a thin skin over `accountcare.services`.

Exit codes: 0 on success, 1 on a user error (one line on stderr, no traceback),
2 on a usage error (click's own message).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from accountcare._imports import require

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (also used by the console script)."""
    require("click", "cli")
    require("rich", "cli")
    from accountcare.cli._commands import run

    code = run(list(argv) if argv is not None else sys.argv[1:])
    if argv is None:
        sys.exit(code)
    return code
