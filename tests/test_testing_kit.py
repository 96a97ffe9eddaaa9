"""The public testing kit: strategies cover the awkward cases, from_type works, and the
vectorised tiers equal assign."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from accountcare.domain import Birthday, Contact, Order, TierAssignment
from accountcare.domain.book import Book
from accountcare.policies.tiers.abc import AbcPolicy
from accountcare.policies.tiers.profitability import ProfitabilityPolicy
from accountcare.policies.tiers.rank_bands import RankBandPolicy
from accountcare.testing import birthdays, books, domain_classes, orders, tier_values


def test_birthdays_include_29_february_year_less_and_lunar() -> None:
    find(birthdays(), lambda b: b.is_leap_day and b.year is not None)
    find(birthdays(), lambda b: b.year is None)
    find(birthdays(), lambda b: b.calendar.value != "gregorian")


def test_orders_include_refunds_and_losses() -> None:
    find(orders(), lambda o: o.amount < 0)
    find(orders(), lambda o: o.margin is not None and o.margin < 0)


def test_tier_values_include_ties_zeros_and_refunds() -> None:
    find(tier_values(), lambda v: len(set(v.values())) < len(v))
    find(tier_values(), lambda v: any(x == 0 for x in v.values()))
    find(tier_values(), lambda v: any(x < 0 for x in v.values()))


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=30)
@given(books())
def test_generated_books_only_link_to_their_own_accounts(book: Book) -> None:
    ids = {a.id for a in book.accounts}
    assert {o.account_id for o in book.orders} <= ids


@given(st.from_type(Contact))
def test_generated_contacts_are_born_before_they_were_recorded(contact: Contact) -> None:
    born = contact.birthday.date if contact.birthday is not None else None
    if born is not None and contact.recorded_on is not None:
        assert born <= contact.recorded_on


@pytest.mark.parametrize("cls", [Birthday, Order, TierAssignment, Contact])
def test_from_type_works_for_values_with_custom_validators(cls: type) -> None:
    find(st.from_type(cls), lambda value: isinstance(value, cls))


def test_the_kit_knows_every_domain_module() -> None:
    modules = {cls.__module__ for cls in domain_classes()}
    assert {"accountcare.domain.tiers", "accountcare.domain.contacts"} <= modules


np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")


@pytest.mark.parametrize("policy", [AbcPolicy(), RankBandPolicy(), ProfitabilityPolicy()])
@settings(max_examples=60)
@given(values=tier_values("float", max_size=15))
def test_vectorised_tiers_equal_assign(policy: Any, values: dict[str, Any]) -> None:
    from accountcare.policies.tiers.vectorised import vector_tiers

    ids = list(values)
    array = vector_tiers(policy, np.array([values[k] for k in ids], dtype=float), ids)
    series = vector_tiers(policy, pd.Series(values, dtype=float))
    expected = policy.assign(values).labels()
    assert dict(zip(ids, array.tolist(), strict=True)) == expected
    assert series.to_dict() == expected


def test_vectorised_rejects_bad_input_naming_the_account() -> None:
    from accountcare.errors import ConfigurationError, InvalidRecord
    from accountcare.policies.tiers.vectorised import vector_tiers

    with pytest.raises(InvalidRecord) as err:
        vector_tiers(AbcPolicy(), np.array([1.0, np.nan]), ["a", "b"])
    assert (err.value.record, err.value.field) == ("account 'b'", "value")
    with pytest.raises(ConfigurationError):
        vector_tiers(AbcPolicy(), np.array([1.0, 2.0]), ["a"])
    with pytest.raises(ConfigurationError):
        vector_tiers(AbcPolicy(), np.array([1.0, 2.0]))
    with pytest.raises(ConfigurationError):
        vector_tiers(AbcPolicy(), np.array(["x"]), ["a"])
