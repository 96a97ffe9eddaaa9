"""Frames an analyst computes with: typed columns out, and the same values back in.

Tier labels are ordered categoricals in the policy's order, dates ``datetime64``, instants
tz-aware UTC, money ``float64`` (or exact Decimals on request). ``from_frame`` takes what
pandas holds (timestamps, NaT, NaN, floats, categoricals) and rebuilds the values exactly.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pd = pytest.importorskip("pandas")

from accountcare.adapters.frames import assignments_frame, from_frame, to_frame  # noqa: E402
from accountcare.domain import (  # noqa: E402
    Account,
    Contact,
    Interaction,
    Order,
    TierAssignment,
    Visit,
    VisitPurpose,
)
from accountcare.domain.tiers import TierMove  # noqa: E402
from accountcare.errors import ConfigurationError, InvalidRecord  # noqa: E402
from accountcare.policies import AbcPolicy  # noqa: E402
from accountcare.policies.tiers.profitability import ProfitabilityPolicy  # noqa: E402
from accountcare.sample import sample_book  # noqa: E402
from accountcare.testing import strategy_for  # noqa: E402
from accountcare.testing._strategies.fields import amounts  # noqa: E402

KINDS = [Account, Order, Contact, Visit, TierAssignment]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TODAY = date(2026, 11, 2)


def _orders_with(amount: st.SearchStrategy[Decimal]) -> st.SearchStrategy[Order]:
    """Orders whose amount and margin come from ``amount`` (the rest as for any order)."""
    return st.builds(
        lambda order, a, m: attrs.evolve(order, amount=a, margin=m),
        strategy_for(Order),
        amount,
        st.none() | amount,
    )


def _as_floats_keep(order: Order) -> Order:
    """``order`` with its money as a float frame keeps it: the decimal each float prints as."""

    def kept(money: Decimal | None) -> Decimal | None:
        return None if money is None else Decimal(repr(float(money)))

    return attrs.evolve(order, amount=kept(order.amount), margin=kept(order.margin))


# -- round-trip laws -------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_decimal_frames_give_back_every_value_exactly(kind: type) -> None:
    @SETTINGS
    @given(st.lists(strategy_for(kind), max_size=4))
    def check(values: list[Any]) -> None:
        assert from_frame(to_frame(values, money="decimal"), kind) == values

    check()


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_float_frames_give_back_every_value_whose_money_a_float_holds(kind: type) -> None:
    # Only Order carries money among these kinds; its strategy's amounts have two places
    # and at most eleven digits, which every float prints back exactly.
    @SETTINGS
    @given(st.lists(strategy_for(kind), max_size=4))
    def check(values: list[Any]) -> None:
        assert from_frame(to_frame(values), kind) == values

    check()


@SETTINGS
@given(st.lists(_orders_with(amounts()), max_size=4))
def test_float_frames_keep_money_as_the_decimal_its_float_prints_as(orders: list[Order]) -> None:
    # Any amount: up to the largest the domain accepts, six places; a float keeps 15-17
    # significant digits, and the amount comes back as the shortest decimal of that float.
    assert from_frame(to_frame(orders), Order) == [_as_floats_keep(o) for o in orders]


fifteen_digits = st.builds(
    lambda digits, places: Decimal(digits).scaleb(-places),
    st.integers(-(10**15) + 1, 10**15 - 1),
    st.integers(0, 6),
)


@SETTINGS
@given(st.lists(_orders_with(fifteen_digits), max_size=4))
def test_float_frames_keep_money_of_up_to_15_digits_exactly(orders: list[Order]) -> None:
    assert from_frame(to_frame(orders), Order) == orders


zones = st.sampled_from(
    [UTC, ZoneInfo("Asia/Shanghai"), timezone(timedelta(hours=-5, minutes=-30))]
)


@SETTINGS
@given(
    st.lists(
        st.builds(
            lambda i, at: attrs.evolve(i, occurred_at=at),
            strategy_for(Interaction),
            st.datetimes(datetime(1, 1, 2), datetime(9999, 12, 30), timezones=zones),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_instants_in_any_zone_come_back_as_the_same_instants(values: list[Interaction]) -> None:
    frame = to_frame(values)
    assert str(frame["occurred_at"].dtype) == "datetime64[us, UTC]"
    assert from_frame(frame, Interaction) == values


# -- typed columns ---------------------------------------------------------------------


def _visit(tier: str | None, on: date = date(2027, 1, 4), **fields: Any) -> Visit:
    return Visit("acme", "rep-1", on, VisitPurpose.ROUTINE, tier=tier, **fields)


def test_tiers_are_ordered_best_first_in_the_policys_order() -> None:
    tiers = AbcPolicy().assign({"acme": 800, "globex": 150, "initech": 50, "hooli": 400})
    frame = to_frame(tiers.values())
    column = frame["tier"]
    assert isinstance(column.dtype, pd.CategoricalDtype)
    assert column.cat.ordered
    assert list(column.cat.categories) == ["A", "B", "C"]
    assert frame.sort_values("tier")["tier"].tolist() == ["A", "A", "B", "C"]
    assert (column < "C").sum() == 3  # A and B are better than C
    counts = frame.groupby("tier", observed=False).size()
    assert counts.to_dict() == {"A": 2, "B": 1, "C": 1}


def test_profitability_labels_keep_their_own_order() -> None:
    policy = ProfitabilityPolicy()
    values = {f"a{n:02d}": 100 - n for n in range(10)}
    frame = assignments_frame(policy.assign(values))
    assert list(frame["tier"].cat.categories) == ["invest", "retain", "reduce"]
    assert frame["tier"].cat.ordered


def test_custom_labels_take_the_assignments_own_order_or_the_one_given() -> None:
    policy = AbcPolicy(labels=("gold", "silver", "bronze"))
    tiers = policy.assign({"acme": 800, "globex": 150, "initech": 50})
    assert list(assignments_frame(tiers)["tier"].cat.categories) == ["gold", "silver", "bronze"]
    given_order = to_frame(tiers.values(), tiers=policy.tiers)["tier"]
    assert given_order.cat.ordered
    assert (
        sorted(given_order.tolist(), key=policy.tiers.index) == given_order.sort_values().tolist()
    )
    unknown_order = to_frame(tiers.values())["tier"]  # custom labels, no order given
    assert isinstance(unknown_order.dtype, pd.CategoricalDtype)
    assert not unknown_order.cat.ordered


def test_a_label_outside_the_tiers_given_is_refused_naming_it() -> None:
    with pytest.raises(ConfigurationError, match=r"tier 'D' is not one of tiers=\('A', 'B', 'C'\)"):
        to_frame([_visit("D")], tiers=("A", "B", "C"))


def test_visit_and_move_tiers_are_categoricals_too() -> None:
    frame = to_frame([_visit("B"), _visit(None), _visit("A")])
    assert frame["tier"].cat.ordered
    assert frame["tier"].isna().tolist() == [False, True, False]
    assert from_frame(frame, Visit)[1].tier is None
    moves = to_frame([TierMove("acme", "B", "A"), TierMove("globex", None, "C")])
    assert moves["before"].cat.ordered
    assert moves["after"].cat.ordered
    assert moves["after"].max() == "C"


def test_dates_instants_money_shares_and_ranks_have_analysts_dtypes() -> None:
    book = sample_book(accounts=30, as_of=TODAY)
    orders = to_frame(book.orders)
    assert str(orders["ordered_on"].dtype) == "datetime64[us]"
    assert orders["amount"].dtype == "float64"
    assert orders["ordered_on"].dt.year.between(2000, 2100).all()
    monthly = orders.groupby(orders["ordered_on"].dt.to_period("M"))["amount"].sum()
    assert abs(monthly.sum() - float(sum(o.amount for o in book.orders))) < 1e-6
    exact = to_frame(book.orders, money="decimal")
    assert all(isinstance(cell, Decimal) for cell in exact["amount"])
    assert sum(exact["amount"]) == sum(o.amount for o in book.orders)

    tiers = AbcPolicy().assign(
        {a.id: sum(o.amount for o in book.orders if o.account_id == a.id) for a in book.accounts}
    )
    frame = assignments_frame(tiers)
    assert frame["reason.share_before"].dtype == "float64"
    assert str(frame["reason.rank"].dtype) == "Int64"
    assert frame["reason.value"].dtype == "float64"
    assert from_frame(frame, TierAssignment) == [tiers[k] for k in frame.index]

    interactions = to_frame(book.interactions)
    assert str(interactions["occurred_at"].dtype) == "datetime64[us, UTC]"
    assert set(interactions["kind"]) <= {kind.value for kind in type(book.interactions[0].kind)}
    assert from_frame(interactions, Interaction) == list(book.interactions)


def test_money_mode_must_be_float_or_decimal() -> None:
    with pytest.raises(ConfigurationError, match="money must be 'float' or 'decimal'"):
        to_frame([], money="cents")  # type: ignore[arg-type]


# -- what from_frame accepts -----------------------------------------------------------


def test_from_frame_reads_timestamps_nat_nan_floats_and_categoricals() -> None:
    frame = pd.DataFrame(
        {
            "id": ["o-1", "o-2"],
            "account_id": ["acme", "globex"],
            "ordered_on": pd.to_datetime(["2026-05-04", "2026-06-30"]).as_unit("ns"),
            "amount": [0.1, 1234.5],
            "margin": [float("nan"), 0.3],
            "currency": pd.Categorical(["EUR", "CNY"]),
            "quantity": [1, 2],
            "product": ["", "tea"],
            "contract_id": [None, "c-9"],
        }
    )
    orders = from_frame(frame, Order)
    assert orders == [
        Order("o-1", "acme", date(2026, 5, 4), Decimal("0.1"), None, "EUR", 1, "", None),
        Order(
            "o-2",
            "globex",
            date(2026, 6, 30),
            Decimal("1234.5"),
            Decimal("0.3"),
            "CNY",
            2,
            "tea",
            "c-9",
        ),
    ]


def test_from_frame_reads_aware_timestamps_in_any_zone_and_nat_as_none() -> None:
    at = datetime(2027, 1, 4, 9, 30, tzinfo=ZoneInfo("Asia/Seoul"))
    visits = [_visit("A", due_on=date(2027, 1, 1)), _visit("B")]
    frame = to_frame(visits)
    assert frame["due_on"].isna().tolist() == [False, True]  # NaT
    assert from_frame(frame, Visit) == visits
    base = sample_book(accounts=5, as_of=TODAY).interactions[0]
    frame = to_frame([attrs.evolve(base, occurred_at=at)])
    frame["occurred_at"] = frame["occurred_at"].dt.tz_convert("America/New_York")
    assert from_frame(frame, Interaction)[0].occurred_at == at


def test_a_time_of_day_in_a_date_column_names_the_field() -> None:
    frame = to_frame([_visit("A")])
    frame["on"] = pd.to_datetime(["2027-01-04 10:30"])
    with pytest.raises(InvalidRecord, match="on"):
        from_frame(frame, Visit)


def test_missing_required_money_names_the_field() -> None:
    frame = to_frame([Order("o-1", "acme", date(2026, 5, 1), Decimal(10))])
    frame.loc[0, "amount"] = float("nan")
    with pytest.raises(InvalidRecord, match="amount"):
        from_frame(frame, Order)


# -- the docs page runs as written ------------------------------------------------------


def test_the_frames_page_runs_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    page = Path(__file__).parent.parent / "docs" / "frames.md"
    blocks = re.findall(r"```python\n(.*?)```", page.read_text("utf-8"), flags=re.S)
    assert len(blocks) >= 5
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "docs.frames"}
    for block in blocks:
        exec(compile(block, str(page), "exec"), namespace)
    printed = capsys.readouterr().out
    assert "True\nTrue" in printed  # both round trips
    assert "['A', 'B', 'C']" in printed
