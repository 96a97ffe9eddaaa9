"""DataFrames: every result a notebook shows converts to a frame and back, exactly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pd = pytest.importorskip("pandas")

from accountcare.adapters.frames import assignments_frame, from_frame, to_frame  # noqa: E402
from accountcare.domain import (  # noqa: E402
    Account,
    Alert,
    CareTask,
    Complaint,
    Contact,
    DroppedTask,
    HealthScore,
    Interaction,
    Order,
    TierAssignment,
    Visit,
)
from accountcare.errors import InvalidRecord  # noqa: E402
from accountcare.policies import AbcPolicy  # noqa: E402
from accountcare.sample import sample_book  # noqa: E402
from accountcare.services import review_book, save_book, schedule_and_enqueue  # noqa: E402
from accountcare.testing import strategy_for  # noqa: E402

RESULTS = [
    Visit,
    CareTask,
    DroppedTask,
    HealthScore,
    Alert,
    TierAssignment,
    Account,
    Contact,
    Order,
    Interaction,
    Complaint,
]


@pytest.mark.parametrize("kind", RESULTS, ids=lambda k: k.__name__)
def test_values_survive_a_frame(kind: type) -> None:
    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(strategy_for(kind), max_size=4))
    def check(values: list[Any]) -> None:
        frame = to_frame(values)
        assert len(frame) == len(values)
        assert from_frame(frame, kind) == values

    check()


def test_a_real_book_results_round_trip_and_read_well() -> None:
    from accountcare.adapters.memory import MemoryStore
    from accountcare.services import plan_and_save, retier

    store = MemoryStore()
    today = date(2026, 11, 2)
    save_book(store, sample_book(accounts=60, as_of=today))
    tiers = retier(store, "abc", as_of=today)
    plan = plan_and_save(store, tiers.labels(), start=today, weeks=3, name="p")
    care = schedule_and_enqueue(store, start=today, end=date(2026, 12, 2), name="c").schedule
    review = review_book(store, as_of=today)

    visits = to_frame(plan.visits)
    assert {"account_id", "rep_id", "on", "purpose", "checklist.appointment_made"} <= set(visits)
    assert from_frame(visits, Visit) == list(plan.visits)
    tasks = to_frame(care.tasks)
    assert from_frame(tasks, CareTask) == list(care.tasks)
    health = to_frame(review.health.values())
    assert health["score"].between(0, 100).all()
    assert from_frame(health, HealthScore) == list(review.health.values())
    assert from_frame(to_frame(review.alerts), Alert) == list(review.alerts)

    frame = assignments_frame(AbcPolicy().assign(tiers.values))
    assert frame.index.name == "account_id"
    assert list(frame["reason.rank"]) == sorted(frame["reason.rank"])
    assert from_frame(frame, TierAssignment) == [
        AbcPolicy().assign(tiers.values)[k] for k in frame.index
    ]


def test_a_bad_cell_names_the_field() -> None:
    frame = to_frame([Order("o-1", "acme", date(2026, 5, 1), Decimal(10))])
    frame.loc[0, "currency"] = "XYZ"
    with pytest.raises(InvalidRecord, match="currency"):
        from_frame(frame, Order)
