"""The care scheduler: whom to greet, call or follow up, when, on which channel.

Pure policy (DOMAIN.md section 5): contacts, accounts, tiers, orders, complaints, the
cadence, the care rules, events, a window ``[start, end)`` and the state carried from
the previous window in; a :class:`~accountcare.domain.care.CareSchedule` out.

1. Occasions (:mod:`accountcare.policies.care.occasions`) give the candidate touches.
2. Opt-outs and consent: an opted-out contact gets nothing (each touch is listed as
   dropped, ``OPTED_OUT``); otherwise a touch goes on the first channel of the contact's
   preference order that suits its kind and that the contact consents to, or is dropped
   (``NO_CONSENTED_CHANNEL``). Two touches of one kind on one day are one (``DUPLICATE``).
3. The frequency ceiling (:mod:`accountcare.policies.care.ceiling`) admits touches by
   priority; internal kinds (re-verification) do not count. To decide a touch near the
   window's end it looks ahead at the higher-priority touches after the end (never
   scheduling them), and it sees the touches the previous window scheduled through
   ``state``: so scheduling ``[a, b)`` then ``[b, c)`` equals scheduling ``[a, c)``.

Tasks come out grouped by contact id, each contact's by day then priority.

This module is the reference implementation. With numpy installed, the same steps run on
numpy columns (:mod:`accountcare.policies.care._columns`) and give the same schedule,
with its tasks built only when they are read.

>>> from datetime import date
>>> from accountcare.domain import Channel, Contact, ContactRole
>>> kim = Contact(id="c-1", account_id="acme", name="Kim", role=ContactRole.DECISION_MAKER,
...               birthday=date(1980, 2, 29), time_zone="Asia/Seoul", country="KR",
...               channels=[Channel.MESSENGER, Channel.EMAIL], consents=[Channel.EMAIL])
>>> plan = schedule_care([kim], start=date(2027, 2, 1), end=date(2027, 3, 1))
>>> for t in plan.tasks:
...     print(t.on, t.kind.value, t.channel.value, t.occasion or "-")
2027-02-07 holiday_greeting email lunar_new_year
2027-02-28 birthday email -
>>> plan.tasks[1].due_at.isoformat()  # 09:00 in Seoul
'2027-02-28T00:00:00+00:00'
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Mapping
from datetime import date
from itertools import islice
from operator import attrgetter

from accountcare.domain.accounts import Account
from accountcare.domain.activity import Complaint, Order
from accountcare.domain.cadence import DEFAULT_CADENCE, Cadence
from accountcare.domain.care import (
    CareKind,
    CareSchedule,
    CareState,
    CareTask,
    DroppedTask,
    DropReason,
    trusted_drop,
    trusted_task,
)
from accountcare.domain.care_rules import DEFAULT_CARE_RULES, CareEvent, CareRules, ExtraHoliday
from accountcare.domain.contacts import Channel, Contact
from accountcare.errors import ConfigurationError
from accountcare.policies.care.ceiling import admit
from accountcare.policies.care.holiday_greetings import greeting_days
from accountcare.policies.care.occasions import PRIORITY, Candidate, Occasions
from accountcare.policies.visits.cadence import Tiers, tier_labels
from accountcare.policies.visits.workdays import check_window

__all__ = ["schedule_care"]

_CHANNEL_ORDER = {channel: n for n, channel in enumerate(Channel)}
_ID = attrgetter("id")


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
    state: CareState | None = None,
) -> CareSchedule:
    """The care schedule of ``contacts`` in ``[start, end)``.

    ``tiers`` maps account ids to tier labels (or is a list of tier assignments);
    ``last_calls`` anchors each account's call rhythm at its last relationship call.
    Pass the previous schedule's ``carry`` as ``state`` to continue it: the state must
    end where this window starts. Raises :class:`ConfigurationError` for a window that
    ends before it starts, a state that does not meet the window, an unknown country or
    a year outside the holiday or lunar tables.
    """
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
    extra = tuple(sorted(extra_holidays, key=lambda h: (h.key, h.month, h.day)))
    for country in sorted({c.country for c in people}):
        greeting_days(country, start.year, extra)  # an unknown country fails even if empty
    labels = tier_labels(tiers if tiers is not None else {})
    if _numpy_installed():
        from accountcare.policies.care._columns import schedule_columns

        return schedule_columns(people, ids, start, end, accounts, labels, orders, complaints,
                                cadence, rules, events, extra, last_calls or {}, state)  # fmt: skip
    by_id = dict(zip(ids, people, strict=True))
    return _schedule(people, by_id, start, end, accounts, labels, orders, complaints,
                     cadence, rules, events, extra, last_calls, state)  # fmt: skip


def _numpy_installed() -> bool:
    """True when numpy can be imported (then the scheduler runs on columns)."""
    return importlib.util.find_spec("numpy") is not None


def _schedule(
    people: list[Contact],
    by_id: dict[str, Contact],
    start: date,
    end: date,
    accounts: Iterable[Account],
    labels: dict[str, str],
    orders: Iterable[Order],
    complaints: Iterable[Complaint],
    cadence: Cadence,
    rules: CareRules,
    events: Iterable[CareEvent],
    extra: tuple[ExtraHoliday, ...],
    last_calls: Mapping[str, date] | None,
    state: CareState | None,
) -> CareSchedule:
    by_account = {a.id: a for a in accounts}
    reach = rules.longest_ceiling_days - 1
    occasions = Occasions(people, start, end, rules, reach)
    if start < end:
        gift_accounts = frozenset(
            a for a, t in labels.items() if t in rules.gift_tiers
        ) | frozenset(a for a, acc in by_account.items() if acc.strategic)
        occasions.birthdays(people)
        occasions.holidays(people, extra, gift_accounts)
        occasions.calls(labels, cadence, last_calls or {})
        occasions.after_sales(orders)
        occasions.complaints(complaints, by_id)
        occasions.surveys(by_account, labels)
        occasions.reverifications(people, first_window=state is None)
        occasions.events(events, people)
    return _decide(people, occasions.by_contact, start, end, rules, state)


def _decide(
    people: list[Contact],
    candidates: Mapping[str, list[Candidate]],
    start: date,
    end: date,
    rules: CareRules,
    state: CareState | None,
) -> CareSchedule:
    end_day = end.toordinal()
    keep_from = end_day - (rules.longest_ceiling_days - 1)
    ceiling = [(rule.touches, rule.days) for rule in rules.ceiling]
    internal = rules.internal_kinds
    internal_index = frozenset(n for n, kind in enumerate(CareKind) if kind in internal)
    local_time = rules.local_time
    past: dict[str, list[int]] = {}
    carried: list[CareTask] = []
    for task in state.recent if state is not None else ():
        if task.kind not in internal:
            past.setdefault(task.contact_id, []).append(task.on.toordinal())
            if task.on.toordinal() >= keep_from:
                carried.append(task)
    days: dict[int, date] = {}
    task_of = trusted_task
    full = _ceiling_text(rules)
    routes: dict[tuple[tuple[Channel, ...], frozenset[Channel]], list[Channel | None]] = {}
    tasks: list[CareTask] = []
    dropped: list[DroppedTask] = []
    for contact in people:
        found = candidates[contact.id]
        if not found:
            continue
        found.sort()
        route = routes.get((contact.channels, contact.consents))
        if route is None:
            route = routes[contact.channels, contact.consents] = _routes(contact, rules)

        def build(
            item: Candidate,
            channel: Channel,
            cid: str = contact.id,
            aid: str = contact.account_id,
            zone: str = contact.time_zone,
        ) -> CareTask:
            on = days.get(item[0])
            if on is None:
                on = days[item[0]] = date.fromordinal(item[0])
            return task_of(
                cid, aid, on, local_time, zone, channel, item[6], item[4], item[5], item[3]
            )

        if contact.opted_out:
            for item in found:
                if item[0] < end_day:
                    task = build(item, _fallback(contact, item[6], rules))
                    dropped.append(
                        trusted_drop(task, DropReason.OPTED_OUT, "the contact opted out")
                    )
            continue
        kept: list[tuple[Candidate, Channel]] = []
        seen: set[int] = set()
        for item in found:
            channel = route[item[2]]
            if channel is None:
                if item[0] < end_day:
                    task = build(item, _fallback(contact, item[6], rules))
                    why = "no channel the contact consents to suits this kind of touch"
                    dropped.append(trusted_drop(task, DropReason.NO_CONSENTED_CHANNEL, why))
                continue
            if item[0] * 16 + item[2] in seen:
                if item[0] < end_day:
                    task = build(item, channel)
                    why = "the same touch is already scheduled that day"
                    dropped.append(trusted_drop(task, DropReason.DUPLICATE, why))
                continue
            seen.add(item[0] * 16 + item[2])  # one kind a day: day and kind index as one int
            kept.append((item, channel))
        counted = [pair[0] for pair in kept if pair[0][2] not in internal_index]
        admitted = admit(
            past.get(contact.id, ()), [c[0] for c in counted], [c[1] for c in counted], ceiling
        )
        refused = {id(item) for item, ok in zip(counted, admitted, strict=True) if not ok}
        cid, aid, zone = contact.id, contact.account_id, contact.time_zone
        for item, channel in kept:
            day = item[0]
            if day >= end_day:
                break
            on = days.get(day)
            if on is None:
                on = days[day] = date.fromordinal(day)
            task = task_of(
                cid, aid, on, local_time, zone, channel, item[6], item[4], item[5], item[3]
            )
            if refused and id(item) in refused:
                dropped.append(trusted_drop(task, DropReason.FREQUENCY_CEILING, full))
                continue
            tasks.append(task)
            if day >= keep_from and item[2] not in internal_index:
                carried.append(task)
    carried.sort(key=lambda t: (t.contact_id, t.on, PRIORITY[t.kind], t.kind.value, t.occasion))
    return CareSchedule(
        start=start,
        end=end,
        tasks=tasks,
        dropped=dropped,
        carry=CareState(through=end, recent=carried),
    )


def _routes(contact: Contact, rules: CareRules) -> list[Channel | None]:
    """The channel of each kind (by its index in :class:`CareKind`) for this contact."""
    route: list[Channel | None] = []
    for kind in CareKind:
        allowed = rules.channels[kind]
        route.append(
            next((c for c in contact.channels if c in allowed and c in contact.consents), None)
        )
    return route


def _fallback(contact: Contact, kind: CareKind, rules: CareRules) -> Channel:
    """The channel recorded with a dropped touch: the first of the contact's channels
    the kind may use, else the kind's first channel. Consent and opt-out are not asked
    here: they are often why the touch was dropped."""
    allowed = rules.channels[kind]
    for channel in contact.channels:
        if channel in allowed:
            return channel
    return min(allowed, key=_CHANNEL_ORDER.__getitem__) if allowed else Channel.EMAIL


def _ceiling_text(rules: CareRules) -> str:
    limits = ", ".join(f"{r.touches} in {r.days} days" for r in rules.ceiling)
    return f"the contact's frequency ceiling ({limits}) is full of higher-priority touches"
