"""Due dates from the interaction history: examples and laws."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accountcare.domain import (
    Account,
    Interaction,
    InteractionKind,
    LifecycleStage,
    NewCustomerKind,
    TierAssignment,
    TierReason,
)
from accountcare.domain.cadence import DEFAULT_CADENCE, Cadence, TierCadence
from accountcare.errors import ConfigurationError, InvalidRecord
from accountcare.policies.visits.cadence import due_dates, tier_labels
from accountcare.testing.visits import cadences

AS_OF = date(2026, 11, 2)


def met(
    account_id: str,
    day: date,
    kind: InteractionKind = InteractionKind.VISIT,
    *,
    leader: bool = False,
    n: int = 0,
) -> Interaction:
    return Interaction(
        f"{account_id}-{kind.value}-{day.isoformat()}-{n}",
        account_id,
        datetime.combine(day, time(10), tzinfo=UTC),
        kind,
        by="rep-li",
        leader_joined=leader,
    )


def test_default_cadence_follows_the_domain_brief() -> None:
    a, b, c = (DEFAULT_CADENCE.for_tier(t) for t in "ABC")
    assert a is not None
    assert b is not None
    assert c is not None
    assert (a.visit_every_days, a.call_every_days, a.leader_visit_every_days) == (14, 7, 91)
    assert (b.visit_every_days, b.call_every_days, b.leader_visit_every_days) == (30, 14, None)
    assert (c.visit_every_days, c.call_every_days) == (91, 30)
    assert DEFAULT_CADENCE.development_visits == 5
    assert DEFAULT_CADENCE.complaint_follow_up_days == 7


def test_an_account_seen_yesterday_is_not_due_tomorrow() -> None:
    yesterday = AS_OF - timedelta(days=1)
    due = due_dates([Account("acme", "Acme")], {"acme": "A"}, [met("acme", yesterday)], as_of=AS_OF)
    assert due["acme"].next_visit_due == yesterday + timedelta(days=14)
    assert not due["acme"].visit_due_on(AS_OF + timedelta(days=1))
    assert due["acme"].visit_overdue_days == 0


def test_an_overdue_account_is_due_now() -> None:
    long_ago = AS_OF - timedelta(days=40)
    due = due_dates([Account("acme", "Acme")], {"acme": "A"}, [met("acme", long_ago)], as_of=AS_OF)
    assert due["acme"].next_visit_due == long_ago + timedelta(days=14)
    assert due["acme"].visit_due_on(AS_OF)
    assert due["acme"].visit_overdue_days == 26


def test_an_account_never_visited_is_due_at_the_start() -> None:
    due = due_dates([Account("acme", "Acme")], {"acme": "B"}, [], as_of=AS_OF)["acme"]
    assert due.next_visit_due == AS_OF
    assert due.next_call_due == AS_OF
    assert due.next_leader_visit_due is None  # B has no leader visits


def test_calls_and_leader_visits_come_from_their_own_history() -> None:
    history = [
        met("acme", AS_OF - timedelta(days=3), InteractionKind.CALL),
        met("acme", AS_OF - timedelta(days=10)),
        met("acme", AS_OF - timedelta(days=50), leader=True),
        met("acme", AS_OF - timedelta(days=1), InteractionKind.EMAIL),  # not a visit or call
        met("acme", AS_OF, InteractionKind.VISIT),  # on as_of: not history yet
    ]
    due = due_dates([Account("acme", "Acme")], {"acme": "A"}, history, as_of=AS_OF)["acme"]
    assert due.last_visit == AS_OF - timedelta(days=10)
    assert due.next_call_due == AS_OF - timedelta(days=3) + timedelta(days=7)
    assert due.next_leader_visit_due == AS_OF - timedelta(days=50) + timedelta(days=91)


def test_a_new_account_is_visited_at_the_development_rhythm() -> None:
    prospect = Account("newco", "NewCo", stage=LifecycleStage.PROSPECT)
    lapsed = Account("oldco", "OldCo", new_customer_kind=NewCustomerKind.LAPSED)
    history = [met("newco", AS_OF - timedelta(days=20)), met("oldco", AS_OF - timedelta(days=5))]
    dues = due_dates([prospect, lapsed], {"oldco": "C"}, history, as_of=AS_OF)
    # 5 visits in 90 days: one every 18 days; one visit in the window so far, 4 to go
    assert dues["newco"].developing
    assert dues["newco"].development_visits_needed == 4
    assert dues["newco"].next_visit_due == AS_OF - timedelta(days=20) + timedelta(days=18)
    assert dues["newco"].tier is None
    assert dues["oldco"].visit_every_days == 18  # C's 91 days would be too slow
    assert dues["oldco"].min_visit_spacing_days == 9


def test_an_untiered_customer_has_nothing_due() -> None:
    due = due_dates([Account("acme", "Acme")], {}, [], as_of=AS_OF)["acme"]
    assert due.next_visit_due is None
    assert due.next_call_due is None


def test_tiers_may_be_given_as_assignments() -> None:
    assignments = [TierAssignment("acme", "A", "abc", TierReason(value=1.0))]
    assert tier_labels(assignments) == {"acme": "A"}
    with pytest.raises(ConfigurationError, match="two tiers"):
        tier_labels(assignments * 2)


def test_a_cadence_of_zero_days_is_refused() -> None:
    with pytest.raises(InvalidRecord) as caught:
        TierCadence("A", visit_every_days=0, call_every_days=7)
    assert caught.value.field == "visit_every_days"
    with pytest.raises(ConfigurationError, match="twice"):
        Cadence(tiers=[TierCadence("A", 14, 7), TierCadence("A", 30, 7)])


@given(
    cadences(),
    st.lists(st.integers(1, 300), max_size=6),
    st.sampled_from(("A", "B", "C")),
    st.randoms(use_true_random=False),
)
def test_next_visit_is_never_due_within_the_spacing_of_the_last(
    cadence: Cadence, ago: list[int], tier: str, rng: random.Random
) -> None:
    history = [met("acme", AS_OF - timedelta(days=d), n=n) for n, d in enumerate(ago)]
    due = due_dates(
        [Account("acme", "Acme")], {"acme": tier}, history, as_of=AS_OF, cadence=cadence
    )
    result = due["acme"]
    if not ago:
        assert result.next_visit_due == AS_OF
        return
    assert result.last_visit == AS_OF - timedelta(days=min(ago))
    assert result.next_visit_due is not None
    assert (result.next_visit_due - result.last_visit).days >= result.min_visit_spacing_days
    rng.shuffle(history)
    again = due_dates(
        [Account("acme", "Acme")], {"acme": tier}, history, as_of=AS_OF, cadence=cadence
    )
    assert again == due
