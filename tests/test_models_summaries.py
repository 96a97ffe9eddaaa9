"""Purchase summaries from orders, checked against the published CDNOW summaries.

Data: tests/data/cdnow_sample.txt.gz and tests/data/cdnow_sample_summary.csv.gz (see
tests/data/README.md): the 1/10 CDNOW sample of Fader, Hardie and Lee (2005), "Counting
your customers the easy way", Marketing Science 24(2), with its calibration summaries over
the 39 weeks to 30 September 1997.
"""

from __future__ import annotations

import csv
import gzip
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from accountcare.domain import Order
from accountcare.errors import ConfigurationError
from accountcare.policies.models import PurchaseSummaries, PurchaseSummary, summarise

DATA = Path(__file__).parent / "data"
CALIBRATION_END = date(1997, 9, 30)
HOLDOUT_END = date(1998, 6, 30)


@cache
def cdnow_orders() -> tuple[Order, ...]:
    orders = []
    with gzip.open(DATA / "cdnow_sample.txt.gz", "rt") as lines:
        for n, line in enumerate(lines):
            _master, sample_id, day, cds, value = line.split()
            orders.append(
                Order(
                    id=str(n),
                    account_id=str(int(sample_id)),
                    ordered_on=date(int(day[:4]), int(day[4:6]), int(day[6:])),
                    amount=Decimal(value),
                    quantity=int(cds),
                )
            )
    return tuple(orders)


def _order(n: int, account: str, day: date, amount: str = "10", currency: str = "USD") -> Order:
    return Order(
        id=str(n), account_id=account, ordered_on=day, amount=Decimal(amount), currency=currency
    )


def test_cdnow_summaries_reproduce_the_published_ones() -> None:
    # Source: cdnow_customers_summary (Fader, Hardie and Lee 2005 data, via lifetimes).
    data = summarise(cdnow_orders(), calibration_end=CALIBRATION_END, holdout_end=HOLDOUT_END)
    with gzip.open(DATA / "cdnow_sample_summary.csv.gz", "rt") as text:
        published = list(csv.DictReader(text))
    assert len(data) == len(published) == 2357
    assert int(np.sum(data.frequency > 0)) == 946  # the repeat buyers of the paper
    for row in published:
        mine = data.of(row["ID"])
        assert mine.frequency == int(row["frequency"]), row
        published_times = (float(row["recency"]), float(row["T"]))
        assert (mine.recency, mine.T) == pytest.approx(published_times, abs=0.01), row


def test_cdnow_first_customer_row() -> None:
    # Customer 1 of the sample: orders on 1997-01-01, 01-18, 08-02 and 12-12.
    row = summarise(cdnow_orders(), calibration_end=CALIBRATION_END, holdout_end=HOLDOUT_END).of(
        "1"
    )
    assert row.frequency == 2
    assert (row.recency, row.T) == pytest.approx((213 / 7, 272 / 7))
    assert row.monetary == pytest.approx((29.73 + 14.96) / 2)
    assert row.holdout == 1


def test_orders_of_one_day_are_one_purchase_and_the_first_does_not_count() -> None:
    orders = [
        _order(1, "a", date(2027, 1, 1), "5"),
        _order(2, "a", date(2027, 1, 1), "7"),
        _order(3, "a", date(2027, 1, 8), "4"),
        _order(4, "a", date(2027, 1, 8), "6"),
        _order(5, "a", date(2027, 1, 22), "20"),
    ]
    row = summarise(orders, calibration_end=date(2027, 1, 29)).of("a")
    assert row == PurchaseSummary("a", frequency=2, recency=3.0, T=4.0, monetary=15.0)


def test_holdout_counts_purchase_days_after_the_window_up_to_its_end() -> None:
    orders = [
        _order(1, "a", date(2027, 1, 1)),
        _order(2, "a", date(2027, 1, 31)),  # the last calibration day
        _order(3, "a", date(2027, 2, 1)),
        _order(4, "a", date(2027, 2, 1)),
        _order(5, "a", date(2027, 2, 28)),  # the last holdout day
        _order(6, "a", date(2027, 3, 1)),  # after the holdout
        _order(7, "b", date(2027, 2, 5)),  # first bought after the window: left out
    ]
    data = summarise(
        orders, calibration_end=date(2027, 1, 31), holdout_end=date(2027, 2, 28), unit_days=1
    )
    assert data.ids == ("a",)
    assert data.of("a").frequency == 1
    assert data.of("a").T == 30.0
    assert data.of("a").holdout == 2


def test_first_purchase_by_keeps_one_cohort() -> None:
    orders = [_order(1, "early", date(2027, 1, 5)), _order(2, "late", date(2027, 5, 5))]
    data = summarise(orders, calibration_end=date(2027, 9, 30), first_purchase_by=date(2027, 3, 31))
    assert data.ids == ("early",)
    assert data.holdout is None


def test_mixed_currencies_are_refused_unless_rates_convert_them() -> None:
    orders = [_order(1, "a", date(2027, 1, 5)), _order(2, "a", date(2027, 1, 9), currency="EUR")]
    with pytest.raises(ConfigurationError, match="give rates"):
        summarise(orders, calibration_end=date(2027, 9, 30))
    plain = summarise(
        [*orders[:1], _order(2, "a", date(2027, 1, 9))], calibration_end=date(2027, 9, 30)
    )
    rates = {"EUR": Decimal(2), orders[0].currency: Decimal(1)}
    converted = summarise(orders, calibration_end=date(2027, 9, 30), rates=rates)
    assert converted.of("a").monetary == 2 * plain.of("a").monetary


def test_a_holdout_before_the_window_end_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="holdout_end"):
        summarise([], calibration_end=date(2027, 9, 30), holdout_end=date(2027, 9, 30))


@pytest.mark.parametrize(
    ("columns", "problem"),
    [
        ({"frequency": [1, 2]}, "shape"),
        ({"frequency": [-1]}, "negative"),
        ({"recency": [5.0]}, "between 0 and T"),
        ({"frequency": [0]}, "recency 0"),
        ({"T": [float("nan")]}, "finite"),
        ({"holdout": [-1]}, "holdout"),
    ],
)
def test_bad_summaries_are_refused(columns: dict[str, list[float]], problem: str) -> None:
    base: dict[str, list[float]] = {"frequency": [1], "recency": [2.0], "T": [3.0]}
    with pytest.raises(ConfigurationError, match=problem):
        PurchaseSummaries(ids=("a",), **{**base, **columns})  # type: ignore[arg-type]


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="once"):
        PurchaseSummaries(ids=("a", "a"), frequency=[0, 0], recency=[0, 0], T=[1, 1])


def test_columns_are_read_only_and_take_keeps_rows() -> None:
    data = PurchaseSummaries(
        ids=("a", "b"), frequency=[1, 0], recency=[2.0, 0.0], T=[3.0, 4.0], holdout=[1, 2]
    )
    with pytest.raises(ValueError, match="read-only"):
        data.frequency[0] = 5
    picked = data.take([1, 0])
    assert picked.ids == ("b", "a")
    assert picked.of("a") == data.of("a")
    with pytest.raises(KeyError):
        data.of("zz")


def test_a_refund_is_never_a_purchase_and_a_free_item_is() -> None:
    def order(n: int, day: int, amount: str) -> Order:
        return Order(id=f"o-{n}", account_id="a", ordered_on=date(2027, 1, day),
                     amount=Decimal(amount))  # fmt: skip

    orders = [
        order(1, 1, "100"),
        order(2, 8, "40"),
        order(3, 8, "-10"),  # a refund on a purchase day lowers that day's value
        order(4, 15, "0"),  # free items: a purchase
        order(5, 22, "-100"),  # a day of refunds alone: no purchase
    ]
    row = summarise(orders, calibration_end=date(2027, 1, 29), holdout_end=date(2027, 3, 1)).of("a")
    assert (row.frequency, row.recency, row.monetary) == (2, 2.0, 15.0)
    only_refunds = [order(6, 3, "-5")]
    assert len(summarise(only_refunds, calibration_end=date(2027, 1, 29))) == 0
    later = [*orders, order(7, 30, "-1"), order(8, 31, "12")]
    holdout = summarise(later, calibration_end=date(2027, 1, 29), holdout_end=date(2027, 3, 1))
    assert holdout.of("a").holdout == 1
