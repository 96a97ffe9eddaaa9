"""Periods: half-open ranges of days ``[start, end)``.

Metrics and early warning compare figures "over a period"; a period is a value, so the
same days are never counted twice and a reversed range is caught where it is made.

>>> from datetime import date
>>> q1 = Period(date(2026, 1, 1), date(2026, 4, 1))
>>> q1.days, q1.contains(date(2026, 3, 31)), q1.contains(date(2026, 4, 1))
(90, True, False)
"""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs

from accountcare.domain import _validate as v
from accountcare.errors import ConfigurationError

__all__ = ["Period", "check_consecutive"]


def _after_start(instance: Period, attribute: attrs.Attribute[Any], value: date) -> None:
    if value <= instance.start:
        kind = "empty" if value == instance.start else "reversed"
        raise v.fail(instance, attribute, f"must be after start ({instance.start}): {kind} period")


@attrs.frozen
class Period:
    """The days from ``start`` (included) to ``end`` (excluded); never empty."""

    start: date = attrs.field(validator=v.plain_date)
    end: date = attrs.field(validator=[v.plain_date, _after_start])

    @property
    def days(self) -> int:
        """The number of days in the period."""
        return (self.end - self.start).days

    def contains(self, day: date) -> bool:
        """True when ``day`` falls inside ``[start, end)``."""
        return self.start <= day < self.end

    def overlaps(self, other: Period) -> bool:
        """True when the two periods share at least one day."""
        return self.start < other.end and other.start < self.end

    def __str__(self) -> str:
        return f"[{self.start.isoformat()}, {self.end.isoformat()})"


def check_consecutive(previous: Period, current: Period) -> None:
    """Reject a pair of periods that overlap or come in the wrong order.

    >>> from datetime import date
    >>> a = Period(date(2026, 1, 1), date(2026, 7, 1))
    >>> b = Period(date(2026, 7, 1), date(2027, 1, 1))
    >>> check_consecutive(a, b)
    >>> check_consecutive(b, a)
    Traceback (most recent call last):
    ...
    accountcare.errors.ConfigurationError: the previous period [2026-07-01, 2027-01-01) must end on or before the current period [2026-01-01, 2026-07-01) starts
    """  # noqa: E501
    if not isinstance(previous, Period) or not isinstance(current, Period):
        raise ConfigurationError("previous and current must both be Period values")
    if previous.overlaps(current):
        raise ConfigurationError(
            f"the previous period {previous} and the current period {current} overlap"
        )
    if previous.end > current.start:
        raise ConfigurationError(
            f"the previous period {previous} must end on or before "
            f"the current period {current} starts"
        )
