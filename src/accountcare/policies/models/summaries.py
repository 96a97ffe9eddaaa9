"""Purchase summaries: each account's history reduced to what the purchase models read.

A model of repeat buying needs, for each account, how many times it came back
(``frequency``), when it last bought (``recency``, measured from its first purchase), and
how long it has been watched (``T``, from its first purchase to the end of the
calibration window). Purchases on one day count once, and the first purchase does not
count: it is the moment the account was acquired. The convention is the one the
literature on the CDNOW data uses, so published fits can be reproduced.

>>> from datetime import date
>>> from decimal import Decimal
>>> from accountcare.domain import Order
>>> orders = [
...     Order(id="1", account_id="acme", ordered_on=date(1997, 1, 1), amount=Decimal("29.33")),
...     Order(id="2", account_id="acme", ordered_on=date(1997, 1, 18), amount=Decimal("29.73")),
...     Order(id="3", account_id="acme", ordered_on=date(1997, 8, 2), amount=Decimal("14.96")),
...     Order(id="4", account_id="acme", ordered_on=date(1997, 12, 12), amount=Decimal("26.48")),
... ]
>>> data = summarise(orders, calibration_end=date(1997, 9, 30), holdout_end=date(1998, 6, 30))
>>> row = data.of("acme")
>>> row.frequency, round(row.recency, 2), round(row.T, 2), round(row.monetary, 3), row.holdout
(2, 30.43, 38.86, 22.345, 1)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import attrs
import numpy as np

from accountcare.domain.activity import Order
from accountcare.errors import ConfigurationError
from accountcare.policies.tiers.measures import checked_rates

__all__ = ["PurchaseSummaries", "PurchaseSummary", "summarise", "unit_name"]


def unit_name(unit_days: float) -> str:
    """How a time unit of ``unit_days`` days is written in a reason.

    >>> unit_name(7.0), unit_name(1.0), unit_name(30.0)
    ('weeks', 'days', 'units of 30 days')
    """
    return {7.0: "weeks", 1.0: "days"}.get(unit_days, f"units of {unit_days:g} days")


def _ids(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _ints(value: Any) -> np.ndarray:
    array = np.array(value, dtype=np.int64)
    array.setflags(write=False)
    return array


def _floats(value: Any) -> np.ndarray:
    array = np.array(value, dtype=np.float64)
    array.setflags(write=False)
    return array


@attrs.frozen
class PurchaseSummary:
    """One account's row of [`PurchaseSummaries`][accountcare.policies.models.PurchaseSummaries].

    >>> PurchaseSummary("acme", frequency=2, recency=30.4, T=38.9, monetary=22.3).frequency
    2
    """

    account_id: str
    frequency: int
    recency: float
    T: float
    monetary: float = 0.0
    holdout: int | None = None


@attrs.frozen(eq=False)
class PurchaseSummaries:
    """Columnar purchase summaries: one row per account, in the order of ``ids``.

    ``frequency`` counts repeat purchase days in the calibration window, ``recency`` is the
    time from the first purchase to the last one and ``T`` the time from the first purchase
    to the end of the window, both in units of ``unit`` days (7 for weeks). ``monetary`` is
    the mean value of the repeat purchase days (0 when there are none) and ``holdout`` the
    purchase days after the window, when a holdout window was asked for. The arrays are
    read-only.

    >>> data = PurchaseSummaries(ids=("a", "b"), frequency=[2, 0], recency=[30.4, 0.0],
    ...                          T=[38.9, 20.0])
    >>> len(data), data.of("b").T, data.monetary.tolist()
    (2, 20.0, [0.0, 0.0])
    """

    ids: tuple[str, ...] = attrs.field(converter=_ids)
    frequency: np.ndarray = attrs.field(converter=_ints)
    recency: np.ndarray = attrs.field(converter=_floats)
    T: np.ndarray = attrs.field(converter=_floats)
    monetary: np.ndarray = attrs.field(default=None, converter=attrs.converters.optional(_floats))
    holdout: np.ndarray | None = attrs.field(
        default=None, converter=attrs.converters.optional(_ints)
    )
    unit: float = 7.0
    _index: dict[str, int] = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        n = len(self.ids)
        if self.monetary is None:
            object.__setattr__(self, "monetary", _floats(np.zeros(n)))
        for name in ("frequency", "recency", "T", "monetary", "holdout"):
            column = getattr(self, name)
            if column is not None and column.shape != (n,):
                raise ConfigurationError(
                    f"{name} has shape {column.shape}, but there are {n} account ids"
                )
        index = {account_id: i for i, account_id in enumerate(self.ids)}
        if len(index) != n:
            raise ConfigurationError("each account id must appear once in purchase summaries")
        if not self.unit > 0:
            raise ConfigurationError(f"unit must be a positive number of days, not {self.unit}")
        if np.any(self.frequency < 0):
            raise ConfigurationError("frequency must not be negative")
        if not (np.all(np.isfinite(self.recency)) and np.all(np.isfinite(self.T))):
            raise ConfigurationError("recency and T must be finite numbers")
        if np.any(self.recency < 0) or np.any(self.recency > self.T):
            raise ConfigurationError("recency must lie between 0 and T for every account")
        if np.any((self.frequency == 0) & (self.recency != 0)):
            raise ConfigurationError("an account with no repeat purchase has recency 0")
        if self.holdout is not None and np.any(self.holdout < 0):
            raise ConfigurationError("holdout purchases must not be negative")
        object.__setattr__(self, "_index", index)

    def __len__(self) -> int:
        return len(self.ids)

    def position(self, account_id: str) -> int:
        """The row number of ``account_id``; ``KeyError`` when it is not summarised.

        >>> data = PurchaseSummaries(ids=("a", "b"), frequency=[0, 0], recency=[0, 0], T=[1, 1])
        >>> data.position("b")
        1
        """
        return self._index[account_id]

    def of(self, account_id: str) -> PurchaseSummary:
        """The row of ``account_id``; ``KeyError`` when it is not summarised.

        >>> PurchaseSummaries(ids=("a",), frequency=[1], recency=[2.0], T=[3.0]).of("a").recency
        2.0
        """
        i = self._index[account_id]
        return PurchaseSummary(
            account_id,
            frequency=int(self.frequency[i]),
            recency=float(self.recency[i]),
            T=float(self.T[i]),
            monetary=float(self.monetary[i]),
            holdout=None if self.holdout is None else int(self.holdout[i]),
        )

    def take(self, rows: Sequence[int] | np.ndarray) -> PurchaseSummaries:
        """The summaries of the accounts at positions ``rows``, in that order.

        >>> data = PurchaseSummaries(ids=("a", "b"), frequency=[1, 0], recency=[2.0, 0.0],
        ...                          T=[3.0, 4.0])
        >>> data.take([1]).ids
        ('b',)
        """
        rows = np.asarray(rows, dtype=np.int64)
        return PurchaseSummaries(
            ids=tuple(self.ids[i] for i in rows),
            frequency=self.frequency[rows],
            recency=self.recency[rows],
            T=self.T[rows],
            monetary=self.monetary[rows],
            holdout=None if self.holdout is None else self.holdout[rows],
            unit=self.unit,
        )


def summarise(
    orders: Iterable[Order],
    *,
    calibration_end: date,
    holdout_end: date | None = None,
    unit_days: float = 7.0,
    first_purchase_by: date | None = None,
    rates: Mapping[str, Decimal] | None = None,
) -> PurchaseSummaries:
    """Summarise ``orders`` over the calibration window ending with ``calibration_end``.

    The window includes ``calibration_end``; an account appears when its first purchase
    falls in it (and on or before ``first_purchase_by``, to keep one acquisition cohort).
    ``T`` runs from the first purchase day to ``calibration_end``, in units of ``unit_days``
    days. A purchase day is a day with at least one sale (an order of zero or more: free
    items are purchases too); a refund (a negative order) is never a purchase, so a day
    of refunds alone neither counts nor moves the recency. The orders of one purchase
    day are one purchase whose value is their sum, refunds of that day included. With
    ``holdout_end``, ``holdout`` counts purchase days after ``calibration_end`` up to and
    including ``holdout_end``. Accounts come out sorted by id. ``monetary`` averages
    amounts (as floats): the orders up to the end of the window (or of the holdout) must
    share one currency, or ``rates`` convert each (as
    [`checked_rates`][accountcare.policies.tiers.measures.checked_rates] asks); later
    ones are not read.

    >>> from decimal import Decimal
    >>> from accountcare.domain import Order
    >>> orders = [Order(id=str(i), account_id="a", ordered_on=date(2027, 1, d), amount=Decimal(5))
    ...           for i, d in enumerate([1, 1, 8, 15])]
    >>> data = summarise(orders, calibration_end=date(2027, 1, 29))
    >>> data.of("a")
    PurchaseSummary(account_id='a', frequency=2, recency=2.0, T=4.0, monetary=5.0, holdout=None)
    """
    if not unit_days > 0:
        raise ConfigurationError(f"unit_days must be a positive number of days, not {unit_days}")
    if holdout_end is not None and holdout_end <= calibration_end:
        raise ConfigurationError("holdout_end must come after calibration_end")
    last_day = calibration_end if holdout_end is None else holdout_end
    read = [o for o in orders if o.ordered_on <= last_day]  # later: read by nothing here
    usable = checked_rates({o.currency for o in read}, rates)
    days: dict[str, dict[date, float]] = {}
    sold: dict[str, set[date]] = {}
    for order in read:
        amount = order.amount if usable is None else order.amount * usable[order.currency]
        account = days.setdefault(order.account_id, {})
        account[order.ordered_on] = account.get(order.ordered_on, 0.0) + float(amount)
        if order.amount >= 0:
            sold.setdefault(order.account_id, set()).add(order.ordered_on)
    last_first = calibration_end if first_purchase_by is None else first_purchase_by
    ids: list[str] = []
    frequency: list[int] = []
    recency: list[float] = []
    age: list[float] = []
    monetary: list[float] = []
    holdout: list[int] = []
    for account_id in sorted(sold):
        by_day, sales = days[account_id], sold[account_id]
        calibration = sorted(d for d in sales if d <= calibration_end)
        if not calibration or calibration[0] > last_first:
            continue
        first, repeats = calibration[0], calibration[1:]
        ids.append(account_id)
        frequency.append(len(repeats))
        recency.append((calibration[-1] - first).days / unit_days)
        age.append((calibration_end - first).days / unit_days)
        monetary.append(sum(by_day[d] for d in repeats) / len(repeats) if repeats else 0.0)
        if holdout_end is not None:
            holdout.append(sum(1 for d in sales if calibration_end < d <= holdout_end))
    return PurchaseSummaries(
        ids=tuple(ids),
        frequency=frequency,
        recency=recency,
        T=age,
        monetary=monetary,
        holdout=holdout if holdout_end is not None else None,
        unit=unit_days,
    )
