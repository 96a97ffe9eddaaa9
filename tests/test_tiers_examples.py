"""Tier policies on worked examples, edge cases and bad input."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from accountcare.domain import Account, Order
from accountcare.domain.tiers import Priority, TierCutoffs
from accountcare.errors import ConfigurationError, InvalidRecord
from accountcare.policies.tiers.abc import AbcPolicy
from accountcare.policies.tiers.migration import migration_report
from accountcare.policies.tiers.priority import PriorityPolicy
from accountcare.policies.tiers.profitability import ProfitabilityPolicy
from accountcare.policies.tiers.qualification import (
    KeyAccountRules,
    cooperation_years_at_least,
    orders_each_year,
    strategic_project,
)
from accountcare.policies.tiers.rank_bands import RankBandPolicy
from accountcare.policies.tiers.scorecard import Scorecard
from accountcare.policies.tiers.tiering import TierPolicy
from accountcare.policies.tiers.value_labels import ValueLabelPolicy
from accountcare.serialization import from_json, to_json

ALL = [AbcPolicy(), RankBandPolicy(), ProfitabilityPolicy(), ValueLabelPolicy()]


def labels(result: Any) -> dict[str, str]:
    return {k: a.tier for k, a in result.items()}


def test_abc_follows_the_80_15_5_rule() -> None:
    tiers = AbcPolicy().assign({"acme": 800, "globex": 150, "initech": 50})
    assert labels(tiers) == {"acme": "A", "globex": "B", "initech": "C"}
    reason = tiers["globex"].reason
    assert (reason.share_before, reason.rank, reason.population, reason.cutoff) == (0.8, 2, 3, 0.95)
    assert "95%" in reason.rule


def test_the_account_that_crosses_a_cutoff_is_in_the_better_tier() -> None:
    tiers = AbcPolicy().assign({"a": 70, "b": 20, "c": 10})
    assert labels(tiers) == {"a": "A", "b": "A", "c": "B"}  # b starts at 70% < 80%


def test_rank_bands_take_the_top_5_and_20_percent() -> None:
    values = {f"acct-{n:03d}": 1000 - n for n in range(100)}
    counts = RankBandPolicy().assign(values).counts()
    assert counts == {"A": 5, "B": 15, "C": 80}


@pytest.mark.parametrize("policy", ALL, ids=lambda p: p.name)
def test_empty_input_gives_an_empty_result(policy: Any) -> None:
    assert dict(policy.assign({})) == {}
    assert policy.fit({}).population == 0


@pytest.mark.parametrize("policy", [AbcPolicy(), RankBandPolicy(), ValueLabelPolicy()])
def test_all_zero_values_land_in_the_lowest_tier(policy: Any) -> None:
    tiers = policy.assign({"a": 0, "b": 0.0, "c": Decimal(0)})
    assert set(labels(tiers).values()) == {policy.tiers[-1]}


def test_all_zero_margins_break_even_and_are_retained() -> None:
    tiers = ProfitabilityPolicy().assign({"a": 0, "b": 0.0, "c": Decimal(0)})
    assert set(labels(tiers).values()) == {"retain"}


@pytest.mark.parametrize("policy", [AbcPolicy(), RankBandPolicy(), ValueLabelPolicy()])
def test_refunds_count_as_zero_and_land_in_the_lowest_tier(policy: Any) -> None:
    tiers = policy.assign({"big": 10**6, "refund": -500, "zero": 0})
    assert tiers["refund"].tier == policy.tiers[-1]
    assert tiers["refund"].reason.value == 0.0
    assert tiers["refund"].reason.rank == tiers["zero"].reason.rank  # a tie with zero


def test_negative_margin_is_always_reduce_and_zero_never_invest() -> None:
    tiers = ProfitabilityPolicy().assign({"loss": -5, "even": 0})
    assert labels(tiers) == {"loss": "reduce", "even": "retain"}
    many = {f"l{n}": -n for n in range(1, 20)}
    assert set(labels(ProfitabilityPolicy().assign(many)).values()) == {"reduce"}


def test_ties_share_a_tier_decided_by_the_share_before_the_group() -> None:
    tiers = AbcPolicy().assign({"a": 40, "b": 40, "c": 10, "d": 10})
    assert labels(tiers) == {"a": "A", "b": "A", "c": "B", "d": "B"}
    assert [tiers[k].reason.rank for k in "abcd"] == [1, 1, 3, 3]


def test_ties_are_ordered_by_account_id_in_the_ranking() -> None:
    tiers = RankBandPolicy().assign({"zeta": 5, "alpha": 5, "mid": 7})
    assert list(tiers) == ["mid", "alpha", "zeta"]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, Decimal("NaN"), Decimal("Inf")])
@pytest.mark.parametrize("policy", ALL, ids=lambda p: p.name)
def test_non_finite_values_are_rejected_naming_the_account(policy: Any, bad: Any) -> None:
    with pytest.raises(InvalidRecord) as err:
        policy.assign({"ok": 1.0, "acme": bad})
    assert err.value.field == "value"
    assert "acme" in err.value.record


@pytest.mark.parametrize("bad", [True, False, "12", None, 1 + 2j, [1]])
def test_non_numbers_and_bools_are_rejected(bad: Any) -> None:
    with pytest.raises(InvalidRecord) as err:
        AbcPolicy().assign({"ok": 1, "acme": bad})
    assert (err.value.field, err.value.record) == ("value", "account 'acme'")


@pytest.mark.parametrize("bad_id", ["", "   ", 7, None])
def test_bad_account_ids_are_rejected(bad_id: Any) -> None:
    with pytest.raises(InvalidRecord) as err:
        AbcPolicy().assign({"ok": 1, bad_id: 2})
    assert err.value.field == "account_id"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"cutoffs": (0.95, 0.80)},
        {"cutoffs": (0.0, 0.5)},
        {"cutoffs": (0.5, 1.5)},
        {"cutoffs": (0.5, 0.5)},
        {"cutoffs": (True, 0.5)},
        {"cutoffs": (0.8, 0.95), "labels": ("A", "B")},
        {"cutoffs": (0.8, 0.95), "labels": ("A", "A", "C")},
        {"cutoffs": (0.8, 0.95), "labels": ("A", "", "C")},
    ],
)
def test_bad_policy_parameters_are_configuration_errors(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        AbcPolicy(**kwargs)


def test_bad_parameters_of_the_other_policies() -> None:
    with pytest.raises(ConfigurationError):
        RankBandPolicy(bands=(0.3, 0.2))
    with pytest.raises(ConfigurationError):
        ProfitabilityPolicy(bands=(0.2,), labels=("invest", "retain", "reduce"))
    with pytest.raises(ConfigurationError):
        ValueLabelPolicy(high=10, medium=100)
    with pytest.raises(ConfigurationError):
        ValueLabelPolicy(high=math.nan)
    with pytest.raises(ConfigurationError):
        Scorecard(weights=(0, 0, 0, 0))
    with pytest.raises(ConfigurationError):
        Scorecard(weights=(1, -1, 1, 1))
    with pytest.raises(ConfigurationError):
        Scorecard(bands=(("A", 50), ("B", 60), ("C", 0)))


def test_exact_arithmetic_near_a_cutoff() -> None:
    # In floats 0.7 + 0.15 + 0.1 is 0.9499999999999998; in decimals it is exactly 95%.
    values = {"x": Decimal("0.7"), "z": Decimal("0.15"), "y": Decimal("0.1"), "w": Decimal("0.05")}
    assert labels(AbcPolicy().assign(values)) == {"x": "A", "z": "A", "y": "B", "w": "C"}
    # Floats are tiered by the binary fractions they store, compared exactly.
    floats = {k: float(v) for k, v in values.items()}
    share_w = sum(Fraction(floats[k]) for k in "xzy") / sum(Fraction(f) for f in floats.values())
    assert AbcPolicy().assign(floats)["w"].tier == ("B" if share_w < Fraction(95, 100) else "C")
    # Ints: exactly 4/5 of the total before b, however large the numbers.
    assert AbcPolicy().assign({"a": 2**70 * 4, "b": 2**70, "c": 0})["b"].tier == "B"


def test_huge_float_values_whose_sum_overflows_are_tiered_exactly() -> None:
    tiers = AbcPolicy().assign({"a": 1e308, "b": 1e308, "c": 2e307})
    assert labels(tiers) == {"a": "A", "b": "A", "c": "B"}


def test_cutoffs_round_trip_and_classify_new_accounts() -> None:
    policy = AbcPolicy()
    cutoffs = policy.fit({"acme": 800, "globex": 150, "initech": 50})
    again = from_json(to_json(cutoffs), TierCutoffs)
    assert again == cutoffs
    assert policy.classify(again, "newco", 1000).tier == "A"
    assert policy.classify(again, "small", Decimal("0.5")).tier == "C"
    assert policy.classify(again, "refund", -10).tier == "C"
    with pytest.raises(ConfigurationError):
        RankBandPolicy().classify(cutoffs, "x", 1)
    with pytest.raises(InvalidRecord):
        policy.classify(cutoffs, "x", math.nan)


def test_fit_counts_merges_partition_summaries() -> None:
    part1, part2 = {"a": 5, "b": 3}, {"c": 3, "d": 0, "e": -1}
    merged = Counter(part1.values()) + Counter(part2.values())
    assert AbcPolicy().fit_counts(merged) == AbcPolicy().fit({**part1, **part2})
    with pytest.raises(InvalidRecord):
        AbcPolicy().fit_counts({1: -2})


def test_tiering_offers_labels_counts_and_compares_as_a_mapping() -> None:
    tiers = AbcPolicy().assign({"acme": 800, "globex": 150, "initech": 50})
    assert tiers.labels() == {"acme": "A", "globex": "B", "initech": "C"}
    assert tiers.counts() == {"A": 1, "B": 1, "C": 1}
    assert tiers == dict(tiers.items())
    assert tiers.tier_of("initech") == "C"
    assert "acme" in tiers
    assert "x" not in tiers
    with pytest.raises(KeyError):
        tiers["nobody"]


def test_every_built_in_policy_satisfies_the_tier_policy_protocol() -> None:
    for policy in [*ALL, Scorecard()]:
        assert isinstance(policy, TierPolicy)
        assert policy.tiers
        assert policy.name


def test_value_labels_use_absolute_thresholds() -> None:
    tiers = ValueLabelPolicy(high=Decimal(1000), medium=100).assign(
        {"a": Decimal("1000.00"), "b": 999.99, "c": 100, "d": 99}
    )
    assert labels(tiers) == {"a": "high", "b": "medium", "c": "medium", "d": "low"}


def test_scorecard_weights_scores_and_rejects_bad_scores() -> None:
    card = Scorecard(weights=(1, 1, 1, 1))
    rating = card.rate(
        "acme", purchase_history=80, contribution=80, cooperation_years=80, potential=84
    )
    assert (rating.score, rating.rating) == (81.0, "A")
    with pytest.raises(InvalidRecord) as err:
        card.rate("acme", purchase_history=101, contribution=0, cooperation_years=0, potential=0)
    assert err.value.field == "purchase_history"
    with pytest.raises(InvalidRecord) as err:
        card.rate("acme", purchase_history=1, contribution=0, cooperation_years=0)
    assert err.value.field == "potential"


def _order(n: int, day: date, amount: str, account: str = "acme") -> Order:
    return Order(id=f"o{n}", account_id=account, ordered_on=day, amount=Decimal(amount))


def test_qualification_names_every_failing_rule() -> None:
    rules = KeyAccountRules(
        rules=[
            orders_each_year(Decimal(1000), years=2),
            strategic_project(),
            cooperation_years_at_least(3),
            ("has a name", lambda account, orders, as_of: bool(account.name)),
        ]
    )
    acme = Account(id="acme", name="Acme", cooperation_since=date(2024, 1, 1))
    orders = [_order(1, date(2026, 3, 1), "5000"), _order(2, date(2025, 3, 1), "500")]
    result = rules.qualify(acme, orders, as_of=date(2026, 6, 30))
    assert not result.qualified
    assert result.failed == (
        "orders of at least 1000 in each of the last 2 years",
        "strategic project",
        "at least 3 years of cooperation",
    )
    assert result.passed == ("has a name",)
    with pytest.raises(InvalidRecord):
        rules.qualify(acme, [_order(3, date(2026, 1, 1), "1", account="other")], date(2026, 6, 30))
    with pytest.raises(ConfigurationError):
        KeyAccountRules(rules=[strategic_project(), strategic_project()])


def test_priority_quadrants() -> None:
    policy = PriorityPolicy()
    assert policy.prioritise("a", tier="A", open_complaints=1).priority is Priority.IMPORTANT_URGENT
    assert policy.prioritise("a", tier="A").priority is Priority.IMPORTANT
    assert policy.prioritise("a", tier="C", overdue_days=10).priority is Priority.URGENT
    late = PriorityPolicy(urgent_overdue_days=7)
    assert late.prioritise("a", tier="C", overdue_days=3).priority is Priority.NEITHER
    assert (
        policy.prioritise("a", strategic=True, declining=True).priority is Priority.IMPORTANT_URGENT
    )
    with pytest.raises(InvalidRecord):
        policy.prioritise("a", open_complaints=-1)


def test_migration_report_between_two_years() -> None:
    before = AbcPolicy().assign({"a": 5, "b": 80, "c": 10, "gone": 5})
    after = AbcPolicy().assign({"a": 90, "b": 5, "c": 5, "new": 1})
    report = migration_report(before, after, AbcPolicy().tiers)
    assert [m.account_id for m in report.moved_up] == ["a"]
    assert [m.account_id for m in report.moved_down] == ["b"]
    assert [m.account_id for m in report.unchanged] == ["c"]
    assert [(m.account_id, m.before) for m in report.dropped_out] == [("gone", "B")]
    assert [(m.account_id, m.after) for m in report.new_in] == [("new", "C")]
    with pytest.raises(InvalidRecord):
        migration_report({"a": "Z"}, {}, ("A", "B"))
