"""Use case: schedule the care of a window, keep the schedule and queue its messages.

The schedule is stored under a name; every task becomes an outbox entry under its
idempotency key, so scheduling the same window twice queues nothing new.

>>> from datetime import date
>>> from accountcare.adapters.memory import MemoryStore
>>> from accountcare.sample import sample_book
>>> from accountcare.services.book import save_book
>>> store = MemoryStore()
>>> save_book(store, sample_book(accounts=20, as_of=date(2026, 11, 2)))
>>> run = schedule_and_enqueue(store, start=date(2026, 11, 2), end=date(2026, 12, 2),
...                            name="november")
>>> len(run.queued.enqueued) == len(run.schedule.tasks) > 0
True
>>> again = schedule_and_enqueue(store, start=date(2026, 11, 2), end=date(2026, 12, 2),
...                              name="november")
>>> again.queued.enqueued
()
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

import attrs

from accountcare.domain.activity import InteractionKind
from accountcare.domain.book import Book
from accountcare.domain.cadence import DEFAULT_CADENCE, Cadence
from accountcare.domain.care import CareSchedule
from accountcare.domain.care_rules import DEFAULT_CARE_RULES, CareRules
from accountcare.policies.care.schedule import schedule_care
from accountcare.policies.care.templates import TemplateBook
from accountcare.ports.store import Batch, Store, WriteReport
from accountcare.services.book import load_book
from accountcare.services.messages import renderer
from accountcare.services.outbox import render_tasks
from accountcare.services.tiering import current_tiers

__all__ = ["CareRun", "last_calls", "schedule_and_enqueue"]


@attrs.frozen
class CareRun:
    """The schedule of a window and what queuing its tasks did to the outbox."""

    name: str
    schedule: CareSchedule
    queued: WriteReport


def last_calls(book: Book) -> dict[str, date]:
    """The day of each account's last relationship call (UTC), from the book's history."""
    last: dict[str, date] = {}
    for touch in book.interactions:
        if touch.kind is InteractionKind.CALL:
            day = touch.occurred_at.date()
            if day > last.get(touch.account_id, date.min):
                last[touch.account_id] = day
    return last


def schedule_and_enqueue(
    store: Store,
    *,
    start: date,
    end: date,
    name: str,
    tiers: Mapping[str, str] | None = None,
    cadence: Cadence = DEFAULT_CADENCE,
    rules: CareRules = DEFAULT_CARE_RULES,
    templates: TemplateBook | None = None,
    enqueue: bool = True,
    accounts: Iterable[str] | None = None,
    book: Book | None = None,
    rates: Mapping[str, Decimal] | None = None,
) -> CareRun:
    """Schedule the care of every stored contact (or of ``accounts`` only) in
    ``[start, end)``, store the schedule under ``name`` and queue its tasks' messages,
    all in one transaction.

    ``tiers`` default to the ABC tiers as of ``start`` (stored, or computed with
    ``rates`` for a book in several currencies). Pass ``book`` when it is already loaded.
    """
    book = load_book(store) if book is None else book
    wanted = set(accounts) if accounts is not None else None
    contacts = [c for c in book.contacts if wanted is None or c.account_id in wanted]
    labels = (
        dict(tiers)
        if tiers is not None
        else current_tiers(store, as_of=start, book=book, rates=rates)
    )
    schedule = schedule_care(
        contacts,
        start=start,
        end=end,
        accounts=book.accounts,
        tiers=labels,
        orders=book.orders,
        complaints=book.complaints,
        cadence=cadence,
        rules=rules,
        last_calls=last_calls(book),
    )
    messages = render_tasks(store, schedule.tasks, renderer(book, templates)) if enqueue else []
    # One transaction: a task that cannot be rendered leaves neither schedule nor messages.
    queued = store.write(Batch(care_schedules={name: schedule}, outbox=messages))
    return CareRun(name, schedule, queued)
