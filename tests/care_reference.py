"""A plain care scheduler, written to be read rather than to be fast.

It takes the inputs of :func:`accountcare.policies.care.schedule_care` (already checked)
and returns the same schedule, value for value and in the same order: the oracle the
engine is compared with. Every occasion is a loop over the contacts; each contact's
touches are decided one by one; the ceiling admits touches by priority, then day, then
their place, when every ceiling window around the day still has room.

Candidates are made far past the window's end (as many ceiling lengths as there are
kinds), more than any decision inside the window can depend on.
"""

from __future__ import annotations

import calendar
import zlib
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from accountcare.domain.accounts import Account, LifecycleStage
from accountcare.domain.activity import Complaint, Order
from accountcare.domain.cadence import DEFAULT_CADENCE, Cadence
from accountcare.domain.care import (
    CareKind,
    CareSchedule,
    CareState,
    CareTask,
    DroppedTask,
    DropReason,
)
from accountcare.domain.care_rules import (
    AFTER_SALE_ROLES,
    CONTRACT_ROLES,
    DEFAULT_CARE_RULES,
    PRIORITY,
    CareEvent,
    CareRules,
    CeilingRule,
    ExtraHoliday,
)
from accountcare.domain.contacts import BirthdayCalendar, Channel, Contact, RelationshipLayer
from accountcare.domain.warnings import LostAccountReview
from accountcare.policies.care.birthdays import birthday_occurrences
from accountcare.policies.care.holiday_greetings import greeting_days
from accountcare.policies.visits.cadence import Tiers, tier_labels

KINDS = list(CareKind)


class Touch(NamedTuple):
    """A candidate touch; touches sort by day, then priority, then kind, then texts."""

    day: date
    priority: int
    kind_index: int
    occasion: str
    template: str
    reason: str
    kind: CareKind


def touch(kind: CareKind, day: date, occasion: str, template: str, reason: str) -> Touch:
    return Touch(day, PRIORITY[kind], KINDS.index(kind), occasion, template, reason, kind)


class Book(NamedTuple):
    """Everything the occasions read, for one window up to ``horizon``."""

    contacts: list[Contact]
    start: date
    horizon: date
    accounts: dict[str, Account]
    tiers: dict[str, str]
    orders: list[Order]
    complaints: list[Complaint]
    cadence: Cadence
    rules: CareRules
    events: list[CareEvent]
    extra: list[ExtraHoliday]
    last_calls: Mapping[str, date]
    fresh: bool
    loss_reviews: list[LostAccountReview]

    def inside(self, day: date) -> bool:
        return self.start <= day < self.horizon

    def members(self, account_id: str) -> list[Contact]:
        return [c for c in self.contacts if c.account_id == account_id]

    def stage(self, account_id: str) -> LifecycleStage:
        account = self.accounts.get(account_id)
        return LifecycleStage.CUSTOMER if account is None else account.stage

    def gets(self, account_id: str, kind: CareKind) -> bool:
        return kind in self.rules.stage_kinds[self.stage(account_id)]


def schedule(
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
    """The care schedule of ``contacts`` in ``[start, end)``, computed plainly."""
    people = sorted(contacts, key=lambda c: c.id)
    horizon = end + timedelta(days=len(KINDS) * rules.longest_ceiling_days)
    book = Book(people, start, horizon, {a.id: a for a in accounts},
                tier_labels(tiers if tiers is not None else {}), list(orders), list(complaints),
                cadence, rules, sorted(events, key=lambda e: e.id), list(extra_holidays),
                last_calls or {}, state is None, list(loss_reviews))  # fmt: skip
    found: dict[str, list[Touch]] = {c.id: [] for c in people}
    if start < end:
        for contact, candidate in occasions(book):
            if book.gets(contact.account_id, candidate.kind):  # the stage's kinds only
                found[contact.id].append(candidate)
    recent = list(state.recent) if state is not None else []
    keep_from = end - timedelta(days=rules.longest_ceiling_days - 1)
    tasks: list[CareTask] = []
    dropped: list[DroppedTask] = []
    carried = [t for t in recent if counted(t.kind, rules) and t.on >= keep_from]
    for contact in people:
        past = [t.on for t in recent if t.contact_id == contact.id and counted(t.kind, rules)]
        decided = decide(contact, sorted(found[contact.id]), end, rules, past)
        for task in decided[0]:
            tasks.append(task)
            if task.on >= keep_from and counted(task.kind, rules):
                carried.append(task)
        dropped.extend(decided[1])
    carried.sort(key=lambda t: (t.contact_id, t.on, PRIORITY[t.kind], t.kind.value, t.occasion))
    return CareSchedule(start, end, tasks, dropped, CareState(through=end, recent=carried))


def counted(kind: CareKind, rules: CareRules) -> bool:
    return kind not in rules.internal_kinds


def occasions(book: Book) -> Iterator[tuple[Contact, Touch]]:
    yield from birthdays(book)
    yield from holidays(book)
    yield from calls(book)
    yield from stage_touches(book)
    yield from win_backs(book)
    yield from contract_orders(book)
    yield from after_sales(book)
    yield from complaint_follow_ups(book)
    yield from surveys(book)
    yield from reverifications(book)
    yield from event_touches(book)


def years(book: Book, days_after: int = 0) -> range:
    return range(book.start.year, (book.horizon + timedelta(days=days_after)).year + 1)


def birthdays(book: Book) -> Iterator[tuple[Contact, Touch]]:
    fallback = book.rules.leap_day_in_common_years
    for contact in book.contacts:
        birthday = contact.birthday
        if birthday is None:
            continue
        if birthday.calendar is BirthdayCalendar.GREGORIAN:
            days = []
            for year in years(book):
                if (birthday.month, birthday.day) == (2, 29) and not calendar.isleap(year):
                    days.append(date(year, *fallback))
                else:
                    days.append(date(year, birthday.month, birthday.day))
        else:
            days = list(birthday_occurrences(birthday, book.start, book.horizon))
        for day in days:
            if book.inside(day):
                why = f"birthday {birthday.isoformat()}"
                yield contact, touch(CareKind.BIRTHDAY, day, "", "birthday", why)


def holidays(book: Book) -> Iterator[tuple[Contact, Touch]]:
    rules = book.rules
    gift_keys = rules.gift_holidays | {h.key for h in book.extra if h.gift}
    gift_accounts = {a for a, tier in book.tiers.items() if tier in rules.gift_tiers}
    gift_accounts |= {a.id for a in book.accounts.values() if a.strategic}
    before = timedelta(days=rules.gift_days_before)
    most_ahead = max((d for keys in rules.greeting_days_before.values() for d in keys.values()),
                     default=0)  # fmt: skip
    for contact in book.contacts:
        gifted = contact.account_id in gift_accounts and contact.layer in rules.call_layers
        for year in years(book, rules.gift_days_before + most_ahead):
            for holiday, key, name in greeting_days(contact.country, year, book.extra):
                ahead = rules.greeting_days_before.get(contact.country, {}).get(key, 0)
                day = holiday - timedelta(days=ahead)  # the day the culture greets on
                why = f"{name} ({holiday.isoformat()}) in {contact.country}"
                said = why
                if ahead == 1:
                    said = f"{why}, 1 day ahead"
                elif ahead > 1:
                    said = f"{why}, {ahead} days ahead"
                if book.inside(day):
                    yield contact, touch(CareKind.HOLIDAY_GREETING, day, key, f"holiday.{key}",
                                         said)  # fmt: skip
                if gifted and key in gift_keys and book.inside(day - before):
                    yield (
                        contact,
                        touch(CareKind.HOLIDAY_GIFT, day - before, key, f"gift.{key}", why),
                    )


def rotation(
    book: Book,
    account_id: str,
    kind: CareKind,
    anchor: int,
    every: int,
    texts: tuple[str, str, str],
) -> Iterator[tuple[Contact, Touch]]:
    """Touches of ``kind`` every ``every`` days from ``anchor`` on (the grid), from the
    window's start, rotating over the account's call-layer contacts (all if none)."""
    members = book.members(account_id)
    chosen = [c for c in members if c.layer in book.rules.call_layers] or members
    occasion, template, why = texts
    start = book.start.toordinal()
    day = anchor if anchor >= start else start + (anchor - start) % every
    while day < book.horizon.toordinal():
        contact = chosen[((day - anchor) // every) % len(chosen)]
        yield contact, touch(kind, date.fromordinal(day), occasion, template, why)
        day += every


def calls(book: Book) -> Iterator[tuple[Contact, Touch]]:
    for account_id in sorted({c.account_id for c in book.contacts}):
        rhythm = book.cadence.for_tier(book.tiers.get(account_id))
        if rhythm is None or not book.gets(account_id, CareKind.RELATIONSHIP_CALL):
            continue
        every = rhythm.call_every_days
        last = book.last_calls.get(account_id)
        why = f"call every {every} days for tier {rhythm.tier}"
        if last is not None:
            anchor = last.toordinal() + every  # the grid runs from the call after the last
            why += f", last {last.isoformat()}"
        else:
            anchor = zlib.crc32(account_id.encode()) % every  # a phase of its own
        texts = ("", f"call.{rhythm.tier}", why)
        yield from rotation(book, account_id, CareKind.RELATIONSHIP_CALL, anchor, every, texts)


def stage_touches(book: Book) -> Iterator[tuple[Contact, Touch]]:
    """Pre-sale, contract-status and reactivation touches on each account's grid."""
    rules = book.rules
    rhythms = [
        (CareKind.PRE_SALE, rules.pre_sale_every_days, "pre-sale touch", "pre_sale"),
        (CareKind.CONTRACT_STATUS, rules.contract_status_every_days, "contract status",
         "contract_status"),
        (CareKind.REACTIVATION, rules.reactivation_every_days, "reactivation", "reactivation"),
    ]  # fmt: skip
    for account_id in sorted({c.account_id for c in book.contacts}):
        for kind, every, what, template in rhythms:
            if every is None or not book.gets(account_id, kind):
                continue
            why = f"{what} every {every} days while {book.stage(account_id).value}"
            anchor = zlib.crc32(account_id.encode()) % every
            yield from rotation(book, account_id, kind, anchor, every, ("", template, why))


def win_backs(book: Book) -> Iterator[tuple[Contact, Touch]]:
    """A lost account is won back once its root cause is known (the latest record)."""
    rules = book.rules
    latest: dict[str, LostAccountReview] = {}
    for review in book.loss_reviews:
        key = (review.found_on, review.cause.value, review.evidence)
        known = latest.get(review.account_id)
        if known is None or key >= (known.found_on, known.cause.value, known.evidence):
            latest[review.account_id] = review
    for account_id in sorted({c.account_id for c in book.contacts}):
        last = latest.get(account_id)
        if last is None or not book.gets(account_id, CareKind.WIN_BACK):
            continue
        every = rules.win_back_every_days
        anchor = (last.found_on + timedelta(days=rules.win_back_after_days)).toordinal()
        why = (f"lost over {last.cause.value}, found {last.found_on.isoformat()}: "
               f"win back every {every} days")  # fmt: skip
        texts = (last.cause.value, "win_back", why)
        yield from rotation(book, account_id, CareKind.WIN_BACK, anchor, every, texts)


def contract_contact(members: list[Contact]) -> Contact | None:
    """Purchasing first, then finance, decision makers...; then by id."""
    if not members:
        return None
    return min(members, key=lambda c: (CONTRACT_ROLES.index(c.role), c.id))


def contract_orders(book: Book) -> Iterator[tuple[Contact, Touch]]:
    """While a contract runs: payment, stock and delivery status after each order."""
    days = book.rules.contract_order_days
    if days is None:
        return
    for order in book.orders:
        contact = contract_contact(book.members(order.account_id))
        if contact is None or order.amount <= Decimal(0):
            continue
        if not book.gets(order.account_id, CareKind.CONTRACT_STATUS):
            continue
        day = order.ordered_on + timedelta(days=days)
        if book.inside(day):
            why = f"order {order.id} of {order.ordered_on.isoformat()}: payment, stock and delivery"
            yield contact, touch(CareKind.CONTRACT_STATUS, day, order.id, "contract_status", why)


def after_sale_contact(members: list[Contact]) -> Contact | None:
    """Users first, then technical, purchasing...; then by id."""
    if not members:
        return None
    return min(members, key=lambda c: (AFTER_SALE_ROLES.index(c.role), c.id))


def after_sales(book: Book) -> Iterator[tuple[Contact, Touch]]:
    follow_ups = (
        (CareKind.AFTER_SALE_USAGE, book.rules.usage_check_days, "after_sale.usage"),
        (CareKind.AFTER_SALE_FEEDBACK, book.rules.feedback_days, "after_sale.feedback"),
    )
    for order in book.orders:
        contact = after_sale_contact(book.members(order.account_id))
        if contact is None or order.amount <= Decimal(0):  # refunds get no follow-up
            continue
        why = f"order {order.id} of {order.ordered_on.isoformat()}"
        for kind, days, template in follow_ups:
            day = order.ordered_on + timedelta(days=days)
            if book.inside(day):
                yield contact, touch(kind, day, order.id, template, why)


def complaint_follow_ups(book: Book) -> Iterator[tuple[Contact, Touch]]:
    for complaint in book.complaints:
        named = [c for c in book.contacts if c.id == complaint.contact_id]
        if named and named[0].account_id == complaint.account_id:
            contact: Contact | None = named[0]
        else:
            contact = after_sale_contact(book.members(complaint.account_id))
        if contact is None:
            continue
        opened = complaint.opened_at.astimezone(ZoneInfo(contact.time_zone)).date()
        days = book.rules.complaint_sla_days[complaint.severity]
        day = opened + timedelta(days=days)
        if book.inside(day):
            why = f"complaint {complaint.id} opened {opened.isoformat()}: SLA {days} days"
            template = f"complaint.{complaint.severity.value}"
            yield contact, touch(CareKind.COMPLAINT_FOLLOW_UP, day, complaint.id, template, why)


def surveys(book: Book) -> Iterator[tuple[Contact, Touch]]:
    rules = book.rules
    for account_id in sorted({c.account_id for c in book.contacts}):
        account = book.accounts.get(account_id)
        strategic = account is not None and account.strategic and rules.survey_strategic
        if not strategic and book.tiers.get(account_id) not in rules.survey_tiers:
            continue
        for contact in book.members(account_id):
            if contact.layer is not RelationshipLayer.KEY:
                continue
            for year in years(book):
                day = date(year, *rules.survey_on)
                if book.inside(day):
                    why = f"annual survey of key account {account_id}"
                    yield contact, touch(CareKind.SURVEY, day, str(year), "survey", why)


def reverifications(book: Book) -> Iterator[tuple[Contact, Touch]]:
    after = book.rules.reverify_after_days
    for contact in book.contacts:
        stale: dict[date, list[str]] = {}
        for field, verified in contact.verified:
            day = verified + timedelta(days=after)
            if day < book.start and book.fresh:
                day = book.start  # stale already when care starts: asked on the first day
            if book.inside(day):
                stale.setdefault(day, []).append(field)
        for day, fields in stale.items():
            names = ",".join(fields)
            why = f"{names} verified more than {after} days ago"
            yield contact, touch(CareKind.REVERIFICATION, day, names, "reverify", why)


def event_touches(book: Book) -> Iterator[tuple[Contact, Touch]]:
    for contact in book.contacts:
        for event in book.events:
            if event.reaches(contact.id, contact.account_id) and book.inside(event.on):
                why = event.description or f"{event.kind.value} on {event.on.isoformat()}"
                yield contact, touch(CareKind.EVENT, event.on, event.occasion, event.template, why)


def decide(
    contact: Contact, touches: list[Touch], end: date, rules: CareRules, past: list[date]
) -> tuple[list[CareTask], list[DroppedTask]]:
    """One contact's tasks and drops (opt-outs, no channel, duplicates, then the ceiling)."""
    dropped: list[DroppedTask] = []
    kept: list[tuple[Touch, Channel]] = []
    seen: set[tuple[date, CareKind]] = set()
    for candidate in touches:
        channel = contact.channel_for(rules.channels[candidate.kind])
        if contact.opted_out:
            why = (DropReason.OPTED_OUT, "the contact opted out")
        elif channel is None:
            why = (DropReason.NO_CONSENTED_CHANNEL,
                   "no channel the contact consents to suits this kind of touch")  # fmt: skip
        elif (candidate.day, candidate.kind) in seen:
            why = (DropReason.DUPLICATE, "the same touch is already scheduled that day")
        else:
            seen.add((candidate.day, candidate.kind))
            kept.append((candidate, channel))
            continue
        if candidate.day < end:
            on = channel or recorded(contact, candidate.kind, rules)
            dropped.append(DroppedTask(make_task(contact, candidate, on, rules), *why))
    counted_touches = [t for t, _ in kept if counted(t.kind, rules)]
    refused = {id(counted_touches[n]) for n in refusals(counted_touches, past, rules.ceiling)}
    limits = ", ".join(f"{r.touches} in {r.days} days" for r in rules.ceiling)
    full = f"the contact's frequency ceiling ({limits}) is full of higher-priority touches"
    tasks = []
    for candidate, channel in kept:
        if candidate.day >= end:
            continue
        task = make_task(contact, candidate, channel, rules)
        if id(candidate) in refused:
            dropped.append(DroppedTask(task, DropReason.FREQUENCY_CEILING, full))
        else:
            tasks.append(task)
    return tasks, dropped


def refusals(touches: list[Touch], past: list[date], ceiling: Iterable[CeilingRule]) -> set[int]:
    """The places of the touches the ceiling refuses: by priority, then day, then place,
    each touch is taken when every rule still has room around its day."""
    taken = list(past)
    refused = set()
    for n in sorted(range(len(touches)), key=lambda n: (touches[n].priority, touches[n].day, n)):
        day = touches[n].day
        if all(has_room(taken, day, rule) for rule in ceiling):
            taken.append(day)
        else:
            refused.add(n)
    return refused


def has_room(taken: list[date], day: date, rule: CeilingRule) -> bool:
    """No ``rule.days`` consecutive days that hold ``day`` already hold ``rule.touches``."""
    near = [t for t in taken if abs((t - day).days) < rule.days]
    for back in range(rule.days):
        first = day - timedelta(days=back)
        if sum(first <= t < first + timedelta(days=rule.days) for t in near) >= rule.touches:
            return False
    return True


def recorded(contact: Contact, kind: CareKind, rules: CareRules) -> Channel:
    """The channel a touch dropped before routing is recorded with."""
    allowed = rules.channels[kind]
    suitable = [c for c in contact.channels if c in allowed]
    if suitable:
        return suitable[0]
    return min(allowed, key=list(Channel).index) if allowed else Channel.EMAIL


def make_task(contact: Contact, candidate: Touch, channel: Channel, rules: CareRules) -> CareTask:
    return CareTask(
        contact_id=contact.id,
        account_id=contact.account_id,
        on=candidate.day,
        local_time=rules.local_time,
        time_zone=contact.time_zone,
        channel=channel,
        kind=candidate.kind,
        template_key=candidate.template,
        reason=candidate.reason,
        occasion=candidate.occasion,
    )
