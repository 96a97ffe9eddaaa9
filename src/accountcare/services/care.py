"""Use case: schedule the care of a window, keep the schedule and queue its messages.

The schedule is stored under a name. Each task is a message to the customer (email, SMS,
messenger) or an action for a rep (a call, a visit, a gift, checking the contact data), by
[`CareRules.is_rep_action`][accountcare.domain.care_rules.CareRules.is_rep_action].
Every message becomes an outbox entry under its idempotency key, so scheduling the same
window twice queues nothing new; rep actions stay in the stored schedule, where
[`rep_worklist`][accountcare.services.worklist.rep_worklist] reads them.

>>> from datetime import date
>>> from accountcare.adapters.memory import MemoryStore
>>> from accountcare.sample import sample_book
>>> from accountcare.services.book import save_book
>>> store = MemoryStore()
>>> save_book(store, sample_book(accounts=20, as_of=date(2026, 11, 2)))
>>> run = schedule_and_enqueue(store, start=date(2026, 11, 2), end=date(2026, 12, 2),
...                            name="november")
>>> len(run.queued.enqueued) == len(run.messages) > 0
True
>>> len(run.messages) + len(run.rep_actions) == len(run.schedule.tasks)
True
>>> again = schedule_and_enqueue(store, start=date(2026, 11, 2), end=date(2026, 12, 2),
...                              name="november")
>>> again.queued.enqueued
()
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal

import attrs

from accountcare.domain.activity import InteractionKind
from accountcare.domain.book import Book
from accountcare.domain.cadence import DEFAULT_CADENCE, Cadence
from accountcare.domain.care import CareSchedule, CareTask
from accountcare.domain.care_rules import DEFAULT_CARE_RULES, CareEvent, CareRules, ExtraHoliday
from accountcare.domain.messages import Message
from accountcare.domain.warnings import LostAccountReview
from accountcare.policies.care.schedule import schedule_care
from accountcare.policies.care.templates import TemplateBook
from accountcare.ports.store import Batch, Store, WriteReport
from accountcare.services.book import load_book
from accountcare.services.messages import renderer
from accountcare.services.outbox import render_tasks
from accountcare.services.tiering import current_tiers

__all__ = [
    "CareRun",
    "last_calls",
    "messages_and_actions",
    "schedule_and_enqueue",
    "signed_renderer",
]


@attrs.frozen
class CareRun:
    """The schedule of a window, split into its messages and its rep actions, and what
    queuing the messages did to the outbox."""

    name: str
    schedule: CareSchedule
    queued: WriteReport
    messages: tuple[CareTask, ...] = ()
    rep_actions: tuple[CareTask, ...] = ()


def messages_and_actions(
    tasks: Iterable[CareTask], rules: CareRules = DEFAULT_CARE_RULES
) -> tuple[tuple[CareTask, ...], tuple[CareTask, ...]]:
    """``tasks`` split into the messages to customers (for the outbox) and the actions
    for reps (the worklist), in their order, by ``rules.is_rep_action``.

    >>> from datetime import time
    >>> from accountcare.domain.care import CareKind
    >>> from accountcare.domain.contacts import Channel
    >>> def task(kind, channel):
    ...     return CareTask("c-1", "acme", date(2027, 3, 1), time(9), "Asia/Seoul",
    ...                     channel, kind, kind.value)
    >>> mail, call = task(CareKind.BIRTHDAY, Channel.EMAIL), task(
    ...     CareKind.RELATIONSHIP_CALL, Channel.PHONE)
    >>> messages_and_actions([mail, call]) == ((mail,), (call,))
    True
    """
    messages: list[CareTask] = []
    actions: list[CareTask] = []
    for task in tasks:
        (actions if rules.is_rep_action(task.kind, task.channel) else messages).append(task)
    return tuple(messages), tuple(actions)


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
    events: Iterable[CareEvent] = (),
    extra_holidays: Iterable[ExtraHoliday] = (),
    loss_reviews: Iterable[LostAccountReview] | None = None,
) -> CareRun:
    """Schedule the care of every stored contact (or of ``accounts`` only) in
    ``[start, end)``, store the schedule under ``name`` and queue its messages, all in
    one transaction. Rep actions are not queued: they are the reps' worklist.

    ``tiers`` default to the ABC tiers as of ``start`` (stored, or computed with
    ``rates`` for a book in several currencies). Pass ``book`` when it is already loaded.
    ``events``, ``extra_holidays`` and ``loss_reviews`` (the root-cause records that let
    a lost account be won back; the stored ones, from
    [`Store.loss_reviews`][accountcare.ports.store.Store.loss_reviews], when not given)
    go to [`schedule_care`][accountcare.policies.care.schedule.schedule_care] as they are.
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
        events=events,
        extra_holidays=extra_holidays,
        loss_reviews=store.loss_reviews() if loss_reviews is None else loss_reviews,
    )
    messages, actions = messages_and_actions(schedule.tasks, rules)
    rendered = (
        render_tasks(store, messages, signed_renderer(store, book, templates)) if enqueue else []
    )
    # One transaction: a task that cannot be rendered leaves neither schedule nor messages.
    queued = store.write(Batch(care_schedules={name: schedule}, outbox=rendered))
    return CareRun(name, schedule, queued, messages, actions)


def signed_renderer(
    store: Store, book: Book, templates: TemplateBook | None = None
) -> Callable[[CareTask], Message]:
    """The renderer of ``book``'s care tasks, signed by the stored reps on behalf of the
    stored company (see [`renderer`][accountcare.services.messages.renderer]).

    >>> from accountcare.adapters.memory import MemoryStore
    >>> from accountcare.sample import sample_book
    >>> book = sample_book(accounts=3, as_of=date(2026, 11, 2))
    >>> callable(signed_renderer(MemoryStore(), book))
    True
    """
    return renderer(book, templates, reps=store.reps(), company=store.company())
