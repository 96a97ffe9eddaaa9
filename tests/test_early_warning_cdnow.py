"""The declining-top-accounts alert on real data (CDNOW purchases, tests/data/README.md)
against an independent pandas computation.

Split: previous = 1997-01-01..1997-09-30, current = 1997-10-01..1998-06-30 (273 days
each, so revenue per day and revenue compare the same way).
"""

from __future__ import annotations

import gzip
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from accountcare.domain import Order
from accountcare.domain.periods import Period
from accountcare.domain.warnings import AlertRule
from accountcare.policies.health.early_warning import EarlyWarningPolicy, declining_top_accounts

DATA = Path(__file__).parent / "data" / "cdnow_master.txt.gz"
PREVIOUS = Period(date(1997, 1, 1), date(1997, 10, 1))
CURRENT = Period(date(1997, 10, 1), date(1998, 7, 1))


def _orders() -> list[Order]:
    orders = []
    with gzip.open(DATA, "rt") as lines:
        next(lines)  # the header
        for n, line in enumerate(lines):
            customer, day, _cds, value = line.split()
            orders.append(
                Order(
                    id=str(n),
                    account_id=customer,
                    ordered_on=date(int(day[:4]), int(day[4:6]), int(day[6:])),
                    amount=Decimal(value),
                )
            )
    return orders


def _pandas_declining(top_share: float, drop_tenths: int) -> dict[str, tuple[int, int]]:
    pd = pytest.importorskip("pandas")
    np = pytest.importorskip("numpy")
    frame = pd.read_csv(
        DATA,
        sep=r"\s+",
        header=0,
        names=["customer", "day", "cds", "value"],
        dtype={"customer": str, "day": str},
        compression="gzip",
    )
    frame["cents"] = np.round(frame["value"] * 100).astype("int64")
    frame["day"] = pd.to_datetime(frame["day"], format="%Y%m%d")
    previous = frame[(frame["day"] >= "1997-01-01") & (frame["day"] < "1997-10-01")]
    current = frame[(frame["day"] >= "1997-10-01") & (frame["day"] < "1998-07-01")]
    before = previous.groupby("customer")["cents"].sum()
    now = current.groupby("customer")["cents"].sum()
    buyers = before[before > 0].reset_index()
    buyers = buyers.sort_values(["cents", "customer"], ascending=[False, True])
    top = buyers.head(int(np.ceil(top_share * len(buyers) - 1e-9)))
    top = top.assign(now=top["customer"].map(now).fillna(0).astype("int64"))
    # current <= (1 - drop) * previous, in integer cents: 10 * now <= (10 - drop) * before
    hit = top[10 * top["now"] <= (10 - drop_tenths) * top["cents"]]
    return {row.customer: (int(row.cents), int(row.now)) for row in hit.itertuples()}


@pytest.fixture(scope="module")
def orders() -> list[Order]:
    return _orders()


@pytest.mark.parametrize(("share", "drop"), [("0.20", 3), ("0.05", 5), ("0.50", 1)])
def test_declining_top_accounts_agree_with_pandas_account_by_account(
    orders: list[Order], share: str, drop: int
) -> None:
    policy = EarlyWarningPolicy(top_share=Decimal(share), drop=Decimal(drop) / 10)
    alerts = declining_top_accounts(orders, previous=PREVIOUS, current=CURRENT, policy=policy)
    ours = {
        a.account_id: (
            int(a.figure("previous_revenue") * 100),
            int(a.figure("current_revenue") * 100),
        )
        for a in alerts
    }
    expected = _pandas_declining(float(share), drop)
    assert len(expected) > 100
    assert ours == expected
    assert all(a.rule is AlertRule.DECLINING_TOP_ACCOUNT for a in alerts)
    assert [a.account_id for a in alerts] == sorted(ours)
