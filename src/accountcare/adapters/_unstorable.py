"""Finding the text a database cannot store, named by record and field.

A lone surrogate (``os.fsdecode`` and ``errors="surrogateescape"`` leave them for bytes
they cannot decode) has no UTF-8 encoding, and PostgreSQL text holds no NUL character.
The SQLite store looks only after an encoding error, so valid batches pay nothing; the
SQL store looks before it writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from typing import Any

from accountcare.adapters._rows import Checked, encode, labelled
from accountcare.errors import InvalidRecord

__all__ = ["unstorable"]


def unstorable(value: object, *, nul: bool = False) -> InvalidRecord | None:
    """An [`InvalidRecord`][accountcare.errors.InvalidRecord] naming the first record (of a
    `Checked` batch, or ``value`` itself) and field whose text cannot be stored: a lone surrogate,
    or with ``nul`` a NUL character. None when all of it can be.

    The domain refuses control characters, NUL included; a value built without its
    validators (``trusted``, as a store's own reading does) can still carry one.

    >>> from accountcare.domain import Account
    >>> from accountcare.domain._trusted import trusted
    >>> unstorable(Account(id="acme", name="Acme \\udcff")).field
    'name'
    >>> unstorable(trusted(Account)(id="acme", name="Ac\\x00me"), nul=True).problem
    'contains a NUL character, which cannot be stored'
    >>> unstorable(Account(id="acme", name="Acme")) is None
    True
    """
    payloads: Iterable[tuple[str, Any]]
    if isinstance(value, Checked):
        names = (*value.visit_plans, *value.care_schedules)  # stored beside their payloads
        payloads = chain(
            ((label, encode(record)) for label, record in labelled(value)),
            ((f"{type(v).__name__} {n!r}", {"name": n}) for n, v in names),
        )
    else:
        key = getattr(value, "id", None)
        payloads = [(f"{type(value).__name__} {key!r}", encode(value))]
    for label, data in payloads:
        found = _bad_text(data, "", nul)
        if found is not None:
            return InvalidRecord(label, *found)
    return None


def _bad_text(data: Any, path: str, nul: bool) -> tuple[str, str] | None:
    """``(field path, problem)`` of the first string in the plain ``data`` that cannot
    be stored."""
    if isinstance(data, str):
        if nul and "\x00" in data:
            return path or "(text)", "contains a NUL character, which cannot be stored"
        if not data.isascii():
            try:
                data.encode("utf-8")
            except UnicodeEncodeError as exc:
                return path or "(text)", (
                    f"holds text that is not valid Unicode (a lone surrogate "
                    f"{ascii(data[exc.start])[1:-1]} at position {exc.start}), which cannot be "
                    "stored; decode the source text correctly"
                )
        return None
    if isinstance(data, dict):
        parts = [(key, path) for key in data]  # keys are text too
        parts += [(item, f"{path}.{key}" if path else str(key)) for key, item in data.items()]
    elif isinstance(data, list):
        parts = [(item, f"{path}[{n}]") for n, item in enumerate(data)]
    else:
        return None
    for part, where in parts:
        found = _bad_text(part, where, nul)
        if found is not None:
            return found
    return None
