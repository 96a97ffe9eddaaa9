"""Importance x urgency: the one definition of urgent and important, pinned once."""

from __future__ import annotations

import doctest
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from accountcare.domain.tiers import Priority
from accountcare.policies.tiers import priority as priority_module
from accountcare.policies.tiers.priority import (
    DEFAULT_PRIORITY,
    IMPORTANT_TIERS,
    URGENT_OVERDUE_DAYS,
    PriorityPolicy,
)

TIERS = st.none() | st.sampled_from(["A", "B", "C", "invest", "reduce", "high", "low", "1"])
POLICIES = st.builds(
    PriorityPolicy,
    important_tiers=st.frozensets(st.sampled_from(["A", "B", "invest", "high", "1"])),
    urgent_overdue_days=st.integers(0, 30),
    strategic_is_important=st.booleans(),
)
FACTS = st.fixed_dictionaries(
    {
        "tier": TIERS,
        "strategic": st.booleans(),
        "open_complaints": st.integers(0, 3),
        "overdue_days": st.integers(0, 60),
        "declining": st.booleans(),
    }
)
Facts = dict[str, Any]
QUADRANT = {
    (True, True): Priority.IMPORTANT_URGENT,
    (True, False): Priority.IMPORTANT,
    (False, True): Priority.URGENT,
    (False, False): Priority.NEITHER,
}


@given(POLICIES, FACTS)
def test_the_quadrant_is_importance_by_urgency(policy: PriorityPolicy, facts: Facts) -> None:
    got = policy.prioritise("acme", **facts)
    important = facts["tier"] in policy.important_tiers or (
        facts["strategic"] and policy.strategic_is_important
    )
    urgent = (
        facts["open_complaints"] > 0
        or facts["overdue_days"] >= max(1, policy.urgent_overdue_days)
        or facts["declining"]
    )
    assert (got.important, got.urgent) == (important, urgent)
    assert got.priority is QUADRANT[important, urgent]
    assert got.reason.startswith("important: " if important else "not important")


@given(st.integers(1, 400), TIERS, st.booleans())
def test_any_overdue_visit_is_urgent_by_default(
    days: int, tier: str | None, strategic: bool
) -> None:
    # overdue accounts come first next week, however few days they are overdue
    assert URGENT_OVERDUE_DAYS == 1
    got = DEFAULT_PRIORITY.prioritise("acme", tier=tier, strategic=strategic, overdue_days=days)
    assert got.urgent
    assert not DEFAULT_PRIORITY.prioritise("acme", tier=tier, strategic=strategic).urgent


@given(POLICIES, FACTS, st.integers(0, 30), st.integers(0, 3))
def test_more_overdue_days_or_complaints_never_lower_the_priority(
    policy: PriorityPolicy,
    facts: Facts,
    more_days: int,
    more_complaints: int,
) -> None:
    before = policy.prioritise("acme", **facts)
    worse = dict(
        facts,
        overdue_days=facts["overdue_days"] + more_days,
        open_complaints=facts["open_complaints"] + more_complaints,
    )
    after = policy.prioritise("acme", **worse)
    assert after.priority.rank <= before.priority.rank


def test_the_best_tiers_are_important_by_default() -> None:
    for tier in IMPORTANT_TIERS:
        assert DEFAULT_PRIORITY.prioritise("acme", tier=tier).priority is Priority.IMPORTANT
    assert DEFAULT_PRIORITY.prioritise("acme", tier="B").priority is Priority.NEITHER


def test_docstring_examples_run() -> None:
    failures, tried = doctest.testmod(priority_module)
    assert tried
    assert not failures
