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
from accountcare.domain.care import CareSchedule, CareState, CareTask
from accountcare.domain.care_rules import DEFAULT_CARE_RULES, CareEvent, CareRules, ExtraHoliday
from accountcare.domain.messages import Message
from accountcare.domain.warnings import LostAccountReview
from accountcare.errors import ConfigurationError
from accountcare.policies.care.schedule import last_calls, schedule_care
from accountcare.policies.care.templates import TemplateBook
from accountcare.ports.store import Batch, Store, WriteReport
from accountcare.services.book import load_book
from accountcare.services.messages import renderer
from accountcare.services.outbox import render_tasks
from accountcare.services.tiering import current_tiers

__all__ = [
    "CareRun",
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
    after: str | None = None,
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

    ``after`` names the stored schedule this window continues: its ``carry`` is passed
    on as ``state``, so
    the touches near its end count against each contact's ceiling in this window, and
    scheduling ``[a, b)`` then ``[b, c)`` with ``after`` queues what ``[a, c)`` would
    have (given the same data: pass ``tiers`` to keep the tiers of ``a``, as they
    otherwise default to each window's start). The stored schedule must end on
    ``start`` and carry its state, and ``after`` must differ from ``name`` (the previous
    window stays stored); otherwise, or when no schedule is stored under ``after``,
    this raises [`ConfigurationError`][accountcare.errors.ConfigurationError] and
    writes nothing. Without ``after`` the window starts afresh: no stored schedule is
    read, not even one that ends on ``start``, so the touches just before ``start`` do
    not count against the ceiling. The service never guesses which stored schedule
    came before; continuing one is always asked for by name.

    >>> from accountcare.adapters.memory import MemoryStore
    >>> from accountcare.sample import sample_book
    >>> from accountcare.services.book import save_book
    >>> store = MemoryStore()
    >>> save_book(store, sample_book(accounts=10, as_of=date(2026, 11, 1)))
    >>> november = schedule_and_enqueue(store, start=date(2026, 11, 1),
    ...                                 end=date(2026, 12, 1), name="november")
    >>> december = schedule_and_enqueue(store, start=date(2026, 12, 1),
    ...                                 end=date(2027, 1, 1), name="december",
    ...                                 after="november")
    >>> december.schedule.start == november.schedule.end
    True
    >>> schedule_and_enqueue(store, start=date(2027, 2, 1), end=date(2027, 3, 1),
    ...                      name="february", after="december")
    Traceback (most recent call last):
    ...
    accountcare.errors.ConfigurationError: care schedule 'february' starts on 2027-02-01,
    but the schedule it continues, 'december', ends on 2027-01-01: schedule the windows
    back to back
    """
    state = _continued(store, after, name, start) if after is not None else None
    # Tiers come from the book given, else from the store (its order totals).
    labels = (
        dict(tiers)
        if tiers is not None
        else current_tiers(store, as_of=start, book=book, rates=rates)
    )
    if book is None:
        book = load_book(store, interactions=False)
        calls = last_calls(store.last_interactions(InteractionKind.CALL))
    else:
        calls = last_calls(book.interactions)
    wanted = set(accounts) if accounts is not None else None
    contacts = [c for c in book.contacts if wanted is None or c.account_id in wanted]
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
        last_calls=calls,
        events=events,
        extra_holidays=extra_holidays,
        loss_reviews=store.loss_reviews() if loss_reviews is None else loss_reviews,
        state=state,
    )
    messages, actions = messages_and_actions(schedule.tasks, rules)
    rendered = (
        render_tasks(store, messages, signed_renderer(store, book, templates)) if enqueue else []
    )
    # One transaction: a task that cannot be rendered leaves neither schedule nor messages.
    queued = store.write(Batch(care_schedules={name: schedule}, outbox=rendered))
    return CareRun(name, schedule, queued, messages, actions)


def _continued(store: Store, after: str, name: str, start: date) -> CareState:
    """The state carried by the stored schedule ``after``, which ``name`` continues on
    ``start``, once it is checked to end there (one store read)."""
    if after == name:
        raise ConfigurationError(
            f"care schedule {name!r} cannot continue itself: store the new window under "
            "another name, so the one it continues stays stored"
        )
    previous = store.care_schedule(after)
    if previous is None:
        raise ConfigurationError(
            f"care schedule {name!r} continues {after!r}, but no care schedule is stored "
            f"under {after!r}"
        )
    if previous.end != start:
        raise ConfigurationError(
            f"care schedule {name!r} starts on {start.isoformat()}, but the schedule it "
            f"continues, {after!r}, ends on {previous.end.isoformat()}: schedule the "
            "windows back to back"
        )
    if previous.carry is None:
        raise ConfigurationError(
            f"care schedule {after!r} holds no state to carry into {name!r}: schedule "
            f"{after!r} again with schedule_and_enqueue to store one"
        )
    return previous.carry


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
