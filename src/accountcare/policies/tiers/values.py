"""The values a tier policy ranks: which numbers it takes, and how it counts a negative one.

A tier policy tiers a mapping of account id to a number: an ``int``, ``float`` or
``Decimal``, finite, never a bool. An ``int`` or ``Decimal`` is ranked exactly, so it must
lie within [`MAX_TOTAL`][accountcare.domain.MAX_TOTAL] (the largest sum the domain's
amounts add up to) and a ``Decimal`` have at most ``MAX_DECIMAL_PLACES`` places: exact
arithmetic on ``1E+999999999`` would not end. A ``float`` is bounded by its own range.
A share-based tier measures what each account brings
in, so a negative value (net refunds, a loss) counts as nothing: the account ties with
the accounts that bought nothing and lands in the lowest tier. The 20/60/20 policy keeps
a negative margin instead, because a bigger loss ranks lower.

>>> count_negative_as_nothing(-120), count_negative_as_nothing(Decimal("30.5"))
(0, Decimal('30.5'))
>>> check_number("acme", float("nan"))
Traceback (most recent call last):
...
accountcare.errors.InvalidRecord: account 'acme': field 'value' must be finite, got nan
>>> check_number("acme", Decimal("1E+999999999"))
Traceback (most recent call last):
...
accountcare.errors.InvalidRecord: account 'acme': field 'value' must be at most 1E+24 ...
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any, TypeVar

import numpy as np

from accountcare.domain._validate import MAX_TOTAL, decimal_problem
from accountcare.errors import InvalidRecord

__all__ = [
    "MAX_DECIMAL_PLACES",
    "NEGATIVE_COUNTS_AS",
    "Number",
    "check_number",
    "count_negative_as_nothing",
]

Number = int | float | Decimal
N = TypeVar("N", bound=Number | np.ndarray[Any, Any])

# Practitioners count negative sales or margin as nothing in a share-based tier.
NEGATIVE_COUNTS_AS = 0
"""What a negative sales value counts as for a share-based tier: nothing."""

MAX_DECIMAL_PLACES = 60
"""The most decimal places a ``Decimal`` tier value may have (a quotient in a context of
high precision has a few dozen; ``1E-999999999`` has a billion)."""

_MAX_INT = int(MAX_TOTAL)


def count_negative_as_nothing(value: N) -> N:
    """``value`` as a share-based tier counts it: a negative one as ``NEGATIVE_COUNTS_AS``
    (nothing), of the same type, so the account ties with those that bought nothing and
    lands in the lowest tier. ``value`` is one number or a numpy array of floats (for the
    vectorised paths); ``-0.0`` becomes ``0.0``, so zero is one group."""
    if isinstance(value, np.ndarray):
        counted: N = np.maximum(value, NEGATIVE_COUNTS_AS) + 0.0
        return counted
    return value if value > NEGATIVE_COUNTS_AS else type(value)(NEGATIVE_COUNTS_AS)


def _bad(account_id: object, field: str, problem: str) -> InvalidRecord:
    return InvalidRecord(f"account {account_id!r}", field, problem)


def check_number(account_id: object, value: object) -> Number:
    """``value`` if it is a finite int, float or Decimal (not a bool) and ``account_id`` a
    non-empty string, else [InvalidRecord][accountcare.errors.InvalidRecord] naming both."""
    if not isinstance(account_id, str) or not account_id.strip():
        raise _bad(account_id, "account_id", "must be a non-empty string")
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        kind = "a bool" if isinstance(value, bool) else type(value).__name__
        raise _bad(account_id, "value", f"must be an int, float or Decimal, got {kind}")
    if isinstance(value, float) and not math.isfinite(value):
        raise _bad(account_id, "value", f"must be finite, got {value}")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise _bad(account_id, "value", f"must be finite, got {value}")
        problem = decimal_problem(value, MAX_TOTAL, MAX_DECIMAL_PLACES)
        if problem is not None:
            raise _bad(account_id, "value", problem)
    elif isinstance(value, int) and not -_MAX_INT <= value <= _MAX_INT:
        raise _bad(account_id, "value", f"must be at most {MAX_TOTAL} in absolute value")
    return value
