"""The care scheduler: whom to greet, call or follow up, when, on which channel.

A pure policy: contacts, accounts, tiers, orders, complaints, the cadence, the care
rules, events, a window ``[start, end)`` and the state carried from the previous window
in; a [`CareSchedule`][accountcare.domain.care.CareSchedule] out.

Care follows each account's lifecycle stage: the kinds of touch a stage gets are the
table ``CareRules.stage_kinds`` (pre-sale advice, contract status, after-sale care and
calls for customers, reactivation, a win-back once a lost account's root cause is
recorded in ``loss_reviews``).

1. Occasions ([`accountcare.policies.care.occasions`][accountcare.policies.care.occasions])
   give the candidate touches.
2. Opt-outs and consent: an opted-out contact gets nothing (each touch is listed as
   dropped, ``OPTED_OUT``); otherwise a touch goes on the contact's
   [`Contact.channel_for`][accountcare.domain.contacts.Contact.channel_for] the channels
   that suit its kind, or is dropped (``NO_CONSENTED_CHANNEL``). Two touches of one kind on
   one day are one (``DUPLICATE``).
3. The frequency ceiling
   ([`accountcare.policies.care.ceiling`][accountcare.policies.care.ceiling]) admits touches
   by priority; internal kinds (re-verification) do not count. To decide a touch near the
   window's end it looks ahead at the higher-priority touches after the end (never
   scheduling them), and it sees the touches the previous window scheduled through
   ``state``: so scheduling ``[a, b)`` then ``[b, c)`` equals scheduling ``[a, c)``.

Tasks come out grouped by contact id, each contact's by day then priority. The steps run
on numpy columns, one row per candidate touch, and the schedule keeps the columns: its
tasks, drops and carried touches are [`LazySequence`][accountcare.domain.care.LazySequence]
views that build each value when it is read.

>>> from datetime import date
>>> from accountcare.domain import Channel, Contact, ContactRole
>>> kim = Contact(id="c-1", account_id="acme", name="Kim", role=ContactRole.DECISION_MAKER,
...               birthday=date(1980, 2, 29), time_zone="Asia/Seoul", country="KR",
...               channels=[Channel.MESSENGER, Channel.EMAIL], consents=[Channel.EMAIL])
>>> plan = schedule_care([kim], start=date(2027, 2, 1), end=date(2027, 3, 1))
>>> for t in plan.tasks:  # Seollal is 7 February: greeted 3 days ahead, before the travel
...     print(t.on, t.kind.value, t.channel.value, t.occasion or "-")
2027-02-04 holiday_greeting email lunar_new_year
2027-02-28 birthday email -
>>> plan.tasks[1].due_at.isoformat()  # 09:00 in Seoul
'2027-02-28T00:00:00+00:00'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from itertools import islice
from operator import attrgetter

from accountcare.domain.accounts import Account
from accountcare.domain.activity import Complaint, Interaction, InteractionKind, Order
from accountcare.domain.cadence import DEFAULT_CADENCE, Cadence
from accountcare.domain.care import CareKind, CareSchedule, CareState
from accountcare.domain.care_rules import (
    DEFAULT_CARE_RULES,
    PRIORITY,
    CareEvent,
    CareRules,
    ExtraHoliday,
)
from accountcare.domain.contacts import Contact
from accountcare.domain.warnings import LostAccountReview
from accountcare.errors import ConfigurationError
from accountcare.policies.care._candidates import BookColumns, Candidates
from accountcare.policies.care._decision import decide
from accountcare.policies.care.holiday_greetings import greeting_days
from accountcare.policies.care.occasions import CareInputs, collect
from accountcare.policies.visits.cadence import Tiers, tier_labels
from accountcare.policies.visits.workdays import check_window

__all__ = ["last_calls", "schedule_care"]

_ID = attrgetter("id")


def last_calls(interactions: Iterable[Interaction]) -> dict[str, date]:
    """The day of each account's last relationship call among ``interactions``: what
    ``schedule_care``'s ``last_calls`` anchors each account's call rhythm at. The last
    call is the latest by instant (of two at one instant, the greater id), and its day
    is the one where it was made (the date of its ``occurred_at``, in its own offset),
    so every interaction or only each account's latest call
    ([`BookReader.last_interactions`][accountcare.ports.store.BookReader.last_interactions])
    give the same days.

    >>> from datetime import UTC, datetime, timedelta, timezone
    >>> seoul = timezone(timedelta(hours=9))
    >>> calls = [Interaction("i-1", "acme", datetime(2027, 3, 6, 8, tzinfo=seoul),
    ...                      InteractionKind.CALL, by="li"),
    ...          Interaction("i-2", "acme", datetime(2027, 3, 1, tzinfo=UTC),
    ...                      InteractionKind.CALL, by="li")]
    >>> last_calls(calls)  # the call at 08:00 in Seoul, on 6 March there
    {'acme': datetime.date(2027, 3, 6)}
    """
    latest: dict[str, Interaction] = {}
    for touch in interactions:
        if touch.kind is InteractionKind.CALL:
            best = latest.get(touch.account_id)
            if best is None or (touch.occurred_at, touch.id) > (best.occurred_at, best.id):
                latest[touch.account_id] = touch
    return {account_id: touch.occurred_at.date() for account_id, touch in latest.items()}


def schedule_care(
    contacts: Iterable[Contact],
    *,
    start: date,
    end: date,
    accounts: Iterable[Account] = (),
    tiers: Tiers | None = None,
    orders: Iterable[Order] = (),
    complaints: Iterable[Complaint] = (),
    cadence: Cadence = DEFAULT_CADENCE,
    rules: CareRules = DEFAULT_CARE_RULES,
    events: Iterable[CareEvent] = (),
    extra_holidays: Iterable[ExtraHoliday] = (),
    last_calls: Mapping[str, date] | None = None,
    loss_reviews: Iterable[LostAccountReview] = (),
    state: CareState | None = None,
) -> CareSchedule:
    """The care schedule of ``contacts`` in ``[start, end)``.

    ``tiers`` maps account ids to tier labels (or is a list of tier assignments);
    ``last_calls`` anchors each account's call rhythm at its last relationship call.
    Each account's care follows its ``stage`` (``rules.stage_kinds``; an account not in
    ``accounts`` is a customer). ``loss_reviews`` are the root-cause records of lost
    accounts: a lost account is won back only once it has one (the latest counts).
    Pass the previous schedule's ``carry`` as ``state`` to continue it: the state must
    end where this window starts. Raises
    [`ConfigurationError`][accountcare.errors.ConfigurationError] for a window that ends
    before it starts, a state that does not meet the window, an unknown country or a year
    outside the holiday or lunar tables.
    """
    people = _checked(contacts, start, end, state)
    extra = tuple(sorted(extra_holidays, key=lambda h: (h.key, h.month, h.day)))
    for country in sorted({c.country for c in people}):
        greeting_days(country, start.year, extra)  # an unknown country fails even if empty
    inputs = CareInputs(
        accounts={a.id: a for a in accounts},
        tiers=tier_labels(tiers if tiers is not None else {}),
        orders=list(orders),
        complaints=list(complaints),
        cadence=cadence,
        events=list(events),
        extra_holidays=extra,
        last_calls=last_calls or {},
        loss_reviews=_latest(loss_reviews),
    )
    limits = _limits(rules, end)
    found = Candidates(people)
    if start < end and people:
        book = BookColumns(people, list(map(_ID, people)), rules)
        found = collect(book, inputs, rules, start.toordinal(), limits, fresh=state is None)
    return decide(found, start, end, max(limits.values()), rules, state)


def _checked(
    contacts: Iterable[Contact], start: date, end: date, state: CareState | None
) -> list[Contact]:
    """The contacts by id, once the window, the state and the ids are checked."""
    check_window(start, end)
    if state is not None and state.through != start:
        raise ConfigurationError(
            f"the carried state runs through {state.through.isoformat()}, but the window "
            f"starts on {start.isoformat()}: schedule the windows back to back"
        )
    people = sorted(contacts, key=_ID)
    ids = list(map(_ID, people))
    if any(map(str.__eq__, ids, islice(ids, 1, None))):
        raise ConfigurationError("a contact id appears twice in the contacts")
    return people


def _latest(reviews: Iterable[LostAccountReview]) -> dict[str, LostAccountReview]:
    """Each account's latest root-cause record (by the day found, then cause, evidence)."""
    latest: dict[str, LostAccountReview] = {}
    for review in sorted(reviews, key=lambda r: (r.found_on, r.cause.value, r.evidence)):
        latest[review.account_id] = review
    return latest


def _limits(rules: CareRules, end: date) -> dict[CareKind, int]:
    """The day (an ordinal) up to which each kind's touches are needed to decide the
    window ending on ``end``.

    A touch near the end can be refused by higher-priority touches up to a ceiling's
    length after it, and those by higher ones again: a counted kind looks
    ``(lowest counted priority - its priority) * (longest ceiling - 1)`` days past the
    end. Internal kinds are never refused and need only the window.

    >>> limits = _limits(DEFAULT_CARE_RULES, date(2027, 1, 1))
    >>> [limits[kind] - date(2027, 1, 1).toordinal() for kind in CareKind][:3]
    [174, 87, 87]
    """
    reach = rules.longest_ceiling_days - 1
    lowest = rules.lowest_counted_priority
    last = end.toordinal()
    return {
        kind: last if kind in rules.internal_kinds else last + (lowest - PRIORITY[kind]) * reach
        for kind in CareKind
    }
