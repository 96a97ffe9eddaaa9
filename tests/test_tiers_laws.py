"""Every tier law, for every built-in policy, through the public testing kit; and proof
that the law checks catch broken policies."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accountcare.domain.tiers import TierAssignment, TierReason
from accountcare.policies.tiers.abc import AbcPolicy
from accountcare.policies.tiers.profitability import ProfitabilityPolicy
from accountcare.policies.tiers.rank_bands import RankBandPolicy
from accountcare.policies.tiers.scorecard import Scorecard
from accountcare.policies.tiers.value_labels import ValueLabelPolicy
from accountcare.policies.tiers.values import count_negative_as_nothing
from accountcare.policies.tiers.vectorised import vector_tiers
from accountcare.testing import (
    LawViolation,
    check_deterministic,
    check_fit_classify,
    check_monotone,
    check_order_independent,
    check_scale_invariant,
    check_tie_consistent,
    check_tier_policy,
    check_total,
    tier_values,
)

POPULATION_POLICIES = [
    AbcPolicy(),
    AbcPolicy(cutoffs=(0.5, 0.7, 0.9), labels=("W", "X", "Y", "Z")),
    RankBandPolicy(),
    RankBandPolicy(bands=(0.25, 0.5)),
    ProfitabilityPolicy(),
    ValueLabelPolicy(high=50, medium=10),
]
SHARE_BASED = [p for p in POPULATION_POLICIES if p.scale_invariant]
IDS = [f"{p.name}{p.tiers}" for p in POPULATION_POLICIES]
KINDS = ["int", "float", "decimal", "any"]


@pytest.mark.parametrize("policy", POPULATION_POLICIES, ids=IDS)
def test_population_policy_is_total(policy: Any) -> None:
    check_total(policy, max_examples=60)


@pytest.mark.parametrize("policy", POPULATION_POLICIES, ids=IDS)
def test_population_policy_is_deterministic(policy: Any) -> None:
    check_deterministic(policy, max_examples=40)


@pytest.mark.parametrize("policy", POPULATION_POLICIES, ids=IDS)
def test_population_policy_is_independent_of_input_order(policy: Any) -> None:
    check_order_independent(policy, max_examples=60)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("policy", POPULATION_POLICIES, ids=IDS)
def test_population_policy_is_monotone_in_value(policy: Any, kind: str) -> None:
    check_monotone(policy, tier_values(kind), max_examples=30)


@pytest.mark.parametrize("policy", POPULATION_POLICIES, ids=IDS)
def test_equal_values_share_a_tier(policy: Any) -> None:
    check_tie_consistent(policy, tier_values("int"), max_examples=60)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("policy", SHARE_BASED, ids=[p.name for p in SHARE_BASED])
def test_share_based_policy_is_scale_invariant(policy: Any, kind: str) -> None:
    check_scale_invariant(policy, tier_values(kind), max_examples=30)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("policy", POPULATION_POLICIES, ids=IDS)
def test_fit_then_classify_agrees_with_assign(policy: Any, kind: str) -> None:
    check_fit_classify(policy, tier_values(kind), max_examples=30)


def test_scorecard_obeys_the_tier_laws() -> None:
    scores = st.dictionaries(st.text("abcde", min_size=1, max_size=3), st.integers(0, 100))
    check_tier_policy(Scorecard(), scores, max_examples=40)


def test_every_law_at_once_for_abc() -> None:
    check_tier_policy(AbcPolicy(), max_examples=30)


COUNTING_NEGATIVES_AS_NOTHING = [AbcPolicy(), RankBandPolicy(), ValueLabelPolicy(50, 10)]


@pytest.mark.parametrize("policy", COUNTING_NEGATIVES_AS_NOTHING, ids=lambda p: p.name)
@settings(max_examples=60, deadline=None)
@given(values=st.one_of(tier_values(), tier_values("float")))
def test_negative_values_count_as_nothing_on_every_path(policy: Any, values: Any) -> None:
    counted = {k: count_negative_as_nothing(v) for k, v in values.items()}
    for value, as_counted in zip(values.values(), counted.values(), strict=True):
        assert as_counted == max(value, 0)
        assert type(as_counted) is type(value)
    assert policy.assign(values) == policy.assign(counted)
    cutoffs = policy.fit(values)
    assert cutoffs == policy.fit(counted) == policy.fit_counts(Counter(values.values()))
    floats = np.array([float(v) for v in values.values()])
    vector = vector_tiers(policy, floats, list(values)).tolist()
    as_floats = {k: float(v) for k, v in counted.items()}  # nothing left to count as nothing
    assert dict(zip(values, vector, strict=True)) == policy.assign(as_floats).labels()
    for key in (k for k, v in values.items() if v < 0):
        got = policy.classify(cutoffs, key, values[key])
        assert (got.tier, got.reason.value) == (policy.tiers[-1], 0.0)
        assert policy.assign(values)[key].tier == policy.tiers[-1]


# -- broken policies are caught ------------------------------------------------------


def _assignments(values: Mapping[str, Any], tier_of: Any) -> dict[str, TierAssignment]:
    return {
        k: TierAssignment(k, tier_of(k, v), "broken", TierReason(value=float(v)))
        for k, v in values.items()
    }


class ById:
    """Tiers by account id, not by value."""

    name = "by_id"
    tiers = ("A", "B")

    def assign(self, values: Mapping[str, Any]) -> dict[str, TierAssignment]:
        return _assignments(values, lambda k, v: "A" if k < "c" else "B")


class Upside:
    """Bigger values in the lower tier."""

    name = "upside"
    tiers = ("A", "B")

    def assign(self, values: Mapping[str, Any]) -> dict[str, TierAssignment]:
        return _assignments(values, lambda k, v: "A" if v < 10 else "B")


class FirstComeFirst:
    """The first account given is A: depends on input order."""

    name = "first"
    tiers = ("A", "B")

    def assign(self, values: Mapping[str, Any]) -> dict[str, TierAssignment]:
        first = next(iter(values), None)
        return _assignments(values, lambda k, v: "A" if k == first else "B")


class AbsoluteButClaimsShares:
    """Claims scale invariance while tiering by an absolute threshold."""

    name = "absolute"
    tiers = ("A", "B")
    scale_invariant = True

    def assign(self, values: Mapping[str, Any]) -> dict[str, TierAssignment]:
        return _assignments(values, lambda k, v: "A" if v >= 100 else "B")


class Forgetful:
    """Drops accounts without value."""

    name = "forgetful"
    tiers = ("A",)

    def assign(self, values: Mapping[str, Any]) -> dict[str, TierAssignment]:
        return _assignments({k: v for k, v in values.items() if v > 0}, lambda k, v: "A")


def test_law_checks_catch_a_policy_that_tiers_by_account_id() -> None:
    with pytest.raises(LawViolation, match="splits a tie"):
        check_tier_policy(ById(), max_examples=100)


def test_law_checks_catch_a_policy_that_is_not_monotone() -> None:
    with pytest.raises(LawViolation, match="not monotone"):
        check_monotone(Upside(), max_examples=100)


def test_law_checks_catch_a_policy_that_depends_on_input_order() -> None:
    with pytest.raises(LawViolation, match="input order"):
        check_order_independent(FirstComeFirst(), max_examples=100)


def test_law_checks_catch_a_policy_that_is_not_scale_invariant() -> None:
    with pytest.raises(LawViolation, match="not scale invariant"):
        check_tier_policy(AbsoluteButClaimsShares(), tier_values("int"), max_examples=100)


def test_law_checks_catch_a_policy_that_is_not_total() -> None:
    with pytest.raises(LawViolation, match="not total"):
        check_total(Forgetful(), max_examples=100)


def test_a_law_violation_is_an_assertion_and_an_accountcare_error() -> None:
    from accountcare.errors import AccountcareError

    assert issubclass(LawViolation, AssertionError)
    assert issubclass(LawViolation, AccountcareError)
