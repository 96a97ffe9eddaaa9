"""Lazy imports of optional dependencies, failing with the ``pip install`` that fixes it."""

from __future__ import annotations

import importlib
from types import ModuleType

from accountcare.errors import MissingExtra


def require(module: str, extra: str) -> ModuleType:
    """Import ``module`` or raise [`MissingExtra`][accountcare.errors.MissingExtra] naming
    the extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtra(module, extra) from exc
