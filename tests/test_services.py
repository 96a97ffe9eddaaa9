"""Services: all-or-nothing writes and the use cases' contracts beyond the CLI's."""

from __future__ import annotations

from datetime import date

import pytest

from accountcare.adapters.memory import MemoryStore
from accountcare.errors import ConfigurationError
from accountcare.policies.care.templates import TemplateBook
from accountcare.sample import sample_book
from accountcare.services import (
    current_tiers,
    retier,
    review_book,
    save_book,
    schedule_and_enqueue,
)

TODAY = date(2026, 11, 2)


@pytest.fixture
def store() -> MemoryStore:
    store = MemoryStore()
    save_book(store, sample_book(accounts=40, as_of=TODAY))
    return store


def test_a_task_that_cannot_be_rendered_stores_neither_schedule_nor_messages(
    store: MemoryStore,
) -> None:
    with pytest.raises(ConfigurationError, match="no template"):
        schedule_and_enqueue(
            store, start=TODAY, end=date(2026, 12, 2), name="nov", templates=TemplateBook({})
        )
    assert store.care_schedule("nov") is None
    assert store.outbox() == ()


def test_scheduling_the_same_window_twice_queues_nothing_new(store: MemoryStore) -> None:
    first = schedule_and_enqueue(store, start=TODAY, end=date(2026, 11, 16), name="a")
    again = schedule_and_enqueue(store, start=TODAY, end=date(2026, 11, 16), name="b")
    assert first.queued.enqueued
    assert again.queued.enqueued == ()
    assert len(store.outbox()) == len(first.queued.enqueued) == len(first.messages)


def test_stored_tiers_are_used_once_a_run_is_saved(store: MemoryStore) -> None:
    computed = current_tiers(store, as_of=TODAY, method="rank")
    assert store.tier_assignments("rank_bands", TODAY) == ()
    run = retier(store, "rank", as_of=TODAY)
    assert current_tiers(store, as_of=TODAY, method="rank") == run.labels() == computed


def test_review_counts_adherence_of_a_named_plan_only_when_it_exists(store: MemoryStore) -> None:
    with pytest.raises(ConfigurationError, match="no visit plan named 'missing'"):
        review_book(store, as_of=TODAY, plan="missing")
