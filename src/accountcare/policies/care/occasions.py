"""The occasions for care: every candidate touch, before channels and the ceiling.

Each kind of touch has a rule, applied to absolute dates so that a touch does not depend
on the window that asked for it (window additivity). Priorities, template keys and
channels are declared in `accountcare.domain.care_rules.OCCASION_RULES`; the
numbers (days, tiers, layers) are fields of
[`CareRules`][accountcare.domain.care_rules.CareRules].

- birthday: each year's birthday (29 February on the rules' day in common years,
  [`celebrated_on`][accountcare.policies.care.birthdays.celebrated_on]);
- holiday greeting and pre-holiday gift: the country's greeting days
  ([`accountcare.policies.care.holiday_greetings`][accountcare.policies.care.holiday_greetings])
  plus the user's extra days, each greeted ``greeting_offset(country, key)`` days ahead
  (Seollal and Chuseok 3, the Spring Festival on its eve); gifts go ``gift_days_before``
  ahead of the greeting, to key contacts of accounts in ``gift_tiers`` or strategic;
- relationship call: per account every ``call_every_days`` of its tier, on a fixed grid
  (anchored at the last call when given, else at a phase derived from the account id),
  rotating over the account's contacts in ``call_layers`` (all its contacts if none);
- pre-sale, contract status and reactivation: per account of a stage that gets them,
  every ``pre_sale_every_days``, ``contract_status_every_days`` or
  ``reactivation_every_days`` on a grid of its own phase, rotating like the calls; a
  contract status also ``contract_order_days`` after each order, to the account's
  contract contact (by [`CONTRACT_ROLES`][accountcare.domain.care_rules.CONTRACT_ROLES]);
- win-back: for a lost account with a root-cause record, ``win_back_after_days`` after it
  was found, then every ``win_back_every_days``, rotating like the calls;
- after-sale: usage check and feedback after each order (refunds get none), to the
  account's after-sale contact (by `accountcare.domain.care_rules.AFTER_SALE_ROLES`,
  then id);
- complaint follow-up: the complaint's contact (or the after-sale contact) within the
  SLA of its severity, counted from the day it opened in the contact's time zone;
- survey: each year on ``survey_on`` to key contacts of accounts in ``survey_tiers`` or
  strategic;
- re-verification: the day a verified field turns stale (``reverify_after_days``);
  fields already stale when a first window starts are asked about on its first day;
- events: on the event's day to the contacts it reaches.

Every touch then keeps to the kinds its account's lifecycle stage gets
(``CareRules.stage_kinds``; an account not given is a customer).

[`collect`][accountcare.policies.care.occasions.collect] applies every rule to a book in
columns: each adds the touches due from the window's first day up to its kind's limit, in
bulk (a birthday per contact and year, each country's greeting days repeated over its
contacts, each account's call grid split into one arithmetic progression per called contact,
two follow-ups per order). Texts (occasion, template, reason) are looked up or formatted
only when a task is built.
"""

from __future__ import annotations

import calendar
import zlib
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from itertools import repeat
from operator import attrgetter
from typing import NamedTuple
from zoneinfo import ZoneInfo

import numpy as np

from accountcare.domain.accounts import Account, LifecycleStage
from accountcare.domain.activity import Complaint, Order
from accountcare.domain.cadence import Cadence
from accountcare.domain.care import CareKind
from accountcare.domain.care_rules import OCCASION_RULE, CareEvent, CareRules, ExtraHoliday
from accountcare.domain.contacts import BirthdayCalendar
from accountcare.domain.warnings import LostAccountReview
from accountcare.policies.care._candidates import BookColumns, Candidates, expand
from accountcare.policies.care._codes import (
    BIRTHDAY,
    INDEX,
    KINDS,
    SURVEY,
    TEMPLATES,
    YEARS,
    Bools,
    Ints,
)
from accountcare.policies.care.birthdays import birthday_occurrences, celebrated_on
from accountcare.policies.care.holiday_greetings import greeting_days

__all__ = ["CareInputs", "collect"]

_ZERO = Decimal(0)


class CareInputs(NamedTuple):
    """What the occasion rules read beside the contacts (checked and ordered)."""

    accounts: Mapping[str, Account]
    tiers: Mapping[str, str]
    orders: Sequence[Order]
    complaints: Sequence[Complaint]
    cadence: Cadence
    events: Sequence[CareEvent]
    extra_holidays: tuple[ExtraHoliday, ...]
    last_calls: Mapping[str, date]
    loss_reviews: Mapping[str, LostAccountReview]


class _Context(NamedTuple):
    """What every occasion rule reads, and the candidates they add to."""

    found: Candidates
    book: BookColumns
    inputs: CareInputs
    rules: CareRules
    first: int  # the window's first day, a ``date.toordinal()``
    limits: Mapping[CareKind, int]
    fresh: bool  # a first window (no carried state)
    stage: Ints  # per account: its place in ``LifecycleStage``
    gets: Bools  # per account and kind: its stage gets that kind


def collect(
    book: BookColumns,
    inputs: CareInputs,
    rules: CareRules,
    first: int,
    limits: Mapping[CareKind, int],
    fresh: bool,
) -> Candidates:
    """Every candidate touch from day ``first`` (a ``date.toordinal()``) to each kind's
    limit; ``fresh`` for a first window (no carried state)."""
    found = Candidates(book.people)
    stage = _stages(book, inputs.accounts)
    gets = _stage_table(rules)[stage]
    ctx = _Context(found, book, inputs, rules, first, limits, fresh, stage, gets)
    for rule in _RULES:
        rule(ctx)
    _by_stage(found, book, gets)
    return found


_STAGES = tuple(LifecycleStage)
_STAGE_INDEX = {id(stage): n for n, stage in enumerate(_STAGES)}  # by identity: no enum hash
_CUSTOMER = _STAGE_INDEX[id(LifecycleStage.CUSTOMER)]


def _stages(book: BookColumns, accounts: Mapping[str, Account]) -> Ints:
    """Each account's lifecycle stage (its place in ``LifecycleStage``); an account not
    given is a customer."""
    found = (accounts.get(a) for a in book.account_ids)
    codes = (_CUSTOMER if a is None else _STAGE_INDEX[id(a.stage)] for a in found)
    return np.fromiter(codes, np.int64, len(book.account_ids))


def _stage_table(rules: CareRules) -> Bools:
    """``table[stage, kind]``: the stage gets that kind of touch."""
    return np.array([[k in rules.stage_kinds[s] for k in KINDS] for s in _STAGES], bool)


def _by_stage(found: Candidates, book: BookColumns, gets: Bools) -> None:
    """Drop the candidates whose account's stage does not get their kind."""
    everywhere = np.asarray(gets.all(axis=0), bool)  # per kind: every account gets it
    if everywhere.all():
        return
    parts: list[tuple[Ints, Ints, int | Ints, Ints]] = []
    for contact, day, kind, ref in found.parts:
        if bool(everywhere[kind].all()):
            parts.append((contact, day, kind, ref))
            continue
        keep = np.flatnonzero(gets[book.account[contact], kind])
        kept = kind if isinstance(kind, int) else kind[keep]
        parts.append((contact[keep], day[keep], kept, ref[keep]))
    found.parts = parts
    rows = found.rows
    if rows[0]:
        kept_rows = np.flatnonzero(gets[book.account[rows[0]], rows[2]]).tolist()
        for column in rows:
            column[:] = [column[n] for n in kept_rows]


def _years(first: int, limit: int) -> range:
    return range(date.fromordinal(first).year, date.fromordinal(limit).year + 1)


def _celebrated(year: int, leap_day: tuple[int, int]) -> Ints:
    """The day (ordinal) each month and day of a Gregorian birthday is celebrated in
    ``year``: ``table[month, day]``, 0 for no such day."""
    table = np.zeros((13, 32), np.int64)
    for month in range(1, 13):
        for day in range(1, calendar.monthrange(2000, month)[1] + 1):  # 2000: a leap year
            table[month, day] = celebrated_on(year, month, day, leap_day).toordinal()
    return table


def _birthdays(ctx: _Context) -> None:
    found, book, first, limit = ctx.found, ctx.book, ctx.first, ctx.limits[CareKind.BIRTHDAY]
    leap_day = ctx.rules.leap_day_in_common_years
    gregorian = BirthdayCalendar.GREGORIAN
    birthdays = [c.birthday for c in book.people]
    months = np.array(
        [0 if b is None or b.calendar is not gregorian else b.month for b in birthdays], np.int64
    )
    days = np.array([0 if b is None else b.day for b in birthdays], np.int64)
    for year in _years(first, limit):
        on = _celebrated(year, leap_day)[months, days]
        contact = np.flatnonzero((months > 0) & (on >= first) & (on < limit))
        found.add(contact, on[contact], BIRTHDAY, contact)
    start, end = date.fromordinal(first), date.fromordinal(limit)
    for n, birthday in enumerate(birthdays):
        if birthday is not None and birthday.calendar is not gregorian:
            occurrences = birthday_occurrences(birthday, start, end, leap_day)
            days_on = np.array([on.toordinal() for on in occurrences], np.int64)
            found.add(np.full(len(days_on), n), days_on, BIRTHDAY, np.full(len(days_on), n))


def _holidays(ctx: _Context) -> None:
    book, inputs = ctx.book, ctx.inputs
    gift_accounts = {a for a, t in inputs.tiers.items() if t in ctx.rules.gift_tiers} | {
        a for a, account in inputs.accounts.items() if account.strategic
    }
    countries: dict[str, int] = {}
    country = np.array([countries.setdefault(c.country, len(countries)) for c in book.people])
    gifted = np.zeros(book.size, bool)
    chosen = [n for n, a in enumerate(book.account_of) if a in gift_accounts]
    gifted[chosen] = book.in_layers[chosen]
    # Per country, its greeting days without and with gifts, then repeated over its contacts.
    tables: list[list[tuple[int, int, int]]] = []  # (day, kind, text)
    for name in countries:
        greetings, gifts = _greeting_rows(ctx, name)
        tables.append(greetings)
        tables.append(sorted(greetings + gifts) if gifts else greetings)
    table = np.array([row for rows in tables for row in rows], np.int64).reshape(-1, 3)
    sizes = np.array([len(rows) for rows in tables], np.int64)
    starts = np.cumsum(sizes) - sizes
    contact, at = expand(starts[country * 2 + gifted], sizes[country * 2 + gifted])
    ctx.found.parts.append((contact, table[at, 0], table[at, 1], table[at, 2]))


def _greeting_rows(
    ctx: _Context, country: str
) -> tuple[list[tuple[int, int, int]], list[tuple[int, int, int]]]:
    """A country's greetings and gifts as (day, kind, text) rows, each by day: a greeting
    its ``greeting_offset`` days before the holiday, a gift ``gift_days_before`` days
    before the greeting."""
    found, rules, first, limits = ctx.found, ctx.rules, ctx.first, ctx.limits
    extra = ctx.inputs.extra_holidays
    greeting, gift = CareKind.HOLIDAY_GREETING, CareKind.HOLIDAY_GIFT
    gift_keys = rules.gift_holidays | {h.key for h in extra if h.gift}
    before = rules.gift_days_before
    ahead = rules.longest_greeting_offset
    greetings, gifts = [], []
    for year in _years(first, max(limits[greeting], limits[gift] + before) + ahead):
        for on, key, title in greeting_days(country, year, extra):
            offset = rules.greeting_offset(country, key)
            day = on.toordinal() - offset
            why = f"{title} ({on.isoformat()}) in {country}"
            if first <= day < limits[greeting]:
                said = f"{why}, {offset} day{'s' if offset > 1 else ''} ahead" if offset else why
                text = found.text(key, OCCASION_RULE[greeting].template_key(key), said)
                greetings.append((day, INDEX[greeting], text))
            if key in gift_keys and first <= day - before < limits[gift]:
                text = found.text(key, OCCASION_RULE[gift].template_key(key), why)
                gifts.append((day - before, INDEX[gift], text))
    return greetings, gifts


def _rotate(ctx: _Context, kind: CareKind, grids: tuple[Ints, Ints, Ints, Ints]) -> None:
    """Touches of ``kind`` on each account's grid up to its limit: per account the days
    between touches (0: none), the text, the grid's anchor and its first day."""
    book, limit = ctx.book, ctx.limits[kind]
    every, text, anchor, begin = grids
    # Each account's touches rotate over its call-layer contacts (all, if it has none):
    # the k-th touch of the grid goes to member k mod size, so each member's touches
    # are an arithmetic progression of step size * every.
    accounts = len(book.account_ids)
    has_layer = np.zeros(accounts, bool)
    has_layer[book.account[book.in_layers]] = True
    active = every > 0
    called = np.flatnonzero((book.in_layers | ~has_layer[book.account]) & active[book.account])
    if not len(called):
        return
    account = book.account[called]
    size = np.bincount(account, minlength=accounts)
    order = np.argsort(account, kind="stable")
    group_start = np.cumsum(size) - size
    member = np.empty(len(called), np.int64)
    member[order] = np.arange(len(called)) - group_start[account[order]]
    steps = (begin - anchor) // np.maximum(every, 1)
    shift = (member - steps[account]) % size[account]
    own_first = begin[account] + shift * every[account]
    step = size[account] * every[account]
    count = np.where(own_first < limit, (limit - 1 - own_first) // np.maximum(step, 1) + 1, 0)
    owner, at = expand(np.zeros(len(called), np.int64), count)
    day = own_first[owner] + at * step[owner]
    ctx.found.add(called[owner], day, INDEX[kind], text[account[owner]])


def _phase(book: BookColumns) -> Ints:
    """Each account's own phase on a grid (CRC-32 of its id), so touches spread."""
    hashes = map(zlib.crc32, map(str.encode, book.account_ids))
    return np.fromiter(hashes, np.int64, len(book.account_ids))


def _calls(ctx: _Context) -> None:
    """Relationship calls on each account's grid: per account the days between calls
    (0: none), the text, the grid's anchor and its first day from ``first`` on."""
    found, book, first, inputs = ctx.found, ctx.book, ctx.first, ctx.inputs
    accounts = len(book.account_ids)
    tier_of = list(map(inputs.tiers.get, book.account_ids))
    rule = OCCASION_RULE[CareKind.RELATIONSHIP_CALL]
    rhythms: dict[str | None, tuple[int, int]] = {}  # tier -> (every, text), once per tier
    for tier in set(tier_of):
        rhythm = inputs.cadence.for_tier(tier)
        if rhythm is not None:
            why = f"call every {rhythm.call_every_days} days for tier {rhythm.tier}"
            rhythms[tier] = (
                rhythm.call_every_days,
                found.text("", rule.template_key(rhythm.tier), why),
            )
    every = np.fromiter((rhythms.get(t, (0, -1))[0] for t in tier_of), np.int64, accounts)
    text = np.fromiter((rhythms.get(t, (0, -1))[1] for t in tier_of), np.int64, accounts)
    days = np.maximum(every, 1)
    anchor = _phase(book) % days
    begin = first + (anchor - first) % days
    for account_id, last in inputs.last_calls.items():  # anchored at the last call instead
        n = book.account_code.get(account_id, -1)
        rhythm = inputs.cadence.for_tier(tier_of[n]) if n >= 0 else None
        if rhythm is None:
            continue
        grid = rhythm.call_every_days
        anchor[n] = last.toordinal() + grid
        begin[n] = max(anchor[n], anchor[n] + -(-(first - anchor[n]) // grid) * grid)
        why = f"call every {grid} days for tier {rhythm.tier}, last {last.isoformat()}"
        text[n] = found.text("", rule.template_key(rhythm.tier), why)
    every[~ctx.gets[:, INDEX[CareKind.RELATIONSHIP_CALL]]] = 0
    _rotate(ctx, CareKind.RELATIONSHIP_CALL, (every, text, anchor, begin))


def _stage_touches(ctx: _Context) -> None:
    """Pre-sale, contract-status and reactivation touches on each account's own grid,
    for the accounts whose stage gets them."""
    rules, first, stage = ctx.rules, ctx.first, ctx.stage
    rhythms = (
        (CareKind.PRE_SALE, rules.pre_sale_every_days, "pre-sale touch"),
        (CareKind.CONTRACT_STATUS, rules.contract_status_every_days, "contract status"),
        (CareKind.REACTIVATION, rules.reactivation_every_days, "reactivation"),
    )
    phase = None
    for kind, days, what in rhythms:
        wanted = ctx.gets[:, INDEX[kind]]
        if days is None or not wanted.any():
            continue
        phase = _phase(ctx.book) if phase is None else phase
        texts = np.full(len(_STAGES), -1, np.int64)
        for n in np.unique(stage[wanted]).tolist():
            why = f"{what} every {days} days while {_STAGES[n].value}"
            texts[n] = ctx.found.text("", TEMPLATES[INDEX[kind]], why)
        anchor = phase % days
        begin = first + (anchor - first) % days
        every = np.where(wanted, days, 0)
        _rotate(ctx, kind, (every, texts[stage], anchor, begin))


def _win_backs(ctx: _Context) -> None:
    """Win-back touches for the accounts whose stage gets them and whose loss has a
    root-cause record: ``win_back_after_days`` after it was found, then every
    ``win_back_every_days``."""
    book, rules, first = ctx.book, ctx.rules, ctx.first
    accounts = len(book.account_ids)
    every, text = np.zeros(accounts, np.int64), np.full(accounts, -1, np.int64)
    anchor, begin = np.zeros(accounts, np.int64), np.zeros(accounts, np.int64)
    grid, wanted = rules.win_back_every_days, ctx.gets[:, INDEX[CareKind.WIN_BACK]]
    for account_id, review in ctx.inputs.loss_reviews.items():
        n = book.account_code.get(account_id, -1)
        if n < 0 or not wanted[n]:
            continue
        start = review.found_on.toordinal() + rules.win_back_after_days
        every[n], anchor[n] = grid, start
        begin[n] = max(start, start + -(-(first - start) // grid) * grid)
        why = f"lost over {review.cause.value}, found {review.found_on.isoformat()}: "
        text[n] = ctx.found.text(
            review.cause.value,
            TEMPLATES[INDEX[CareKind.WIN_BACK]],
            f"{why}win back every {grid} days",
        )
    _rotate(ctx, CareKind.WIN_BACK, (every, text, anchor, begin))


def _after_sales(ctx: _Context) -> None:
    found, book, rules, first, limits = ctx.found, ctx.book, ctx.rules, ctx.first, ctx.limits
    orders = ctx.inputs.orders
    found.orders = orders  # a follow-up's reference is its order's place here
    size = len(orders)
    accounts = map(attrgetter("account_id"), orders)
    account = np.fromiter(map(book.account_code.get, accounts, repeat(-1)), np.int64, size)
    placed = np.fromiter(map(date.toordinal, map(attrgetter("ordered_on"), orders)), np.int64, size)
    paid = np.fromiter(map(_ZERO.__lt__, map(attrgetter("amount"), orders)), bool, size)
    _contract_orders(ctx, (account, placed, paid))
    follow_ups = (
        (CareKind.AFTER_SALE_USAGE, rules.usage_check_days),
        (CareKind.AFTER_SALE_FEEDBACK, rules.feedback_days),
    )
    soonest, latest = min(days for _, days in follow_ups), max(days for _, days in follow_ups)
    horizon = max(limits[kind] for kind, _ in follow_ups)
    near = (placed + latest >= first) & (placed + soonest < horizon)
    chosen = np.flatnonzero((account >= 0) & paid & near)
    if not len(chosen):
        return
    # By contact and day (runs the final sort merges), ties in input order.
    contact = book.after_sale[account[chosen]]
    low = int(placed[chosen].min())
    order = np.argsort((contact << 32) | (placed[chosen] - low), kind="stable")
    chosen, contact = chosen[order], contact[order]
    for kind, days in follow_ups:
        day = placed[chosen] + days
        keep = (day >= first) & (day < limits[kind])
        found.add(contact[keep], day[keep], INDEX[kind], chosen[keep])


def _contract_orders(ctx: _Context, columns: tuple[Ints, Ints, Bools]) -> None:
    """A contract-status touch ``contract_order_days`` after each paid order of an
    account whose stage gets them, to its contract contact (``columns``: each order's
    account, day and whether it is paid)."""
    days, wanted = ctx.rules.contract_order_days, ctx.gets[:, INDEX[CareKind.CONTRACT_STATUS]]
    if days is None or not wanted.any():
        return
    found, book, limit = ctx.found, ctx.book, ctx.limits[CareKind.CONTRACT_STATUS]
    account, placed, paid = columns
    day = placed + days
    chosen = np.flatnonzero((account >= 0) & paid & (day >= ctx.first) & (day < limit))
    chosen = chosen[wanted[account[chosen]]]
    template = TEMPLATES[INDEX[CareKind.CONTRACT_STATUS]]
    refs = []
    for n in chosen.tolist():
        order = ctx.inputs.orders[n]
        why = f"order {order.id} of {order.ordered_on.isoformat()}: payment, stock and delivery"
        refs.append(found.text(order.id, template, why))
    ref = np.array(refs, np.int64)
    found.add(
        book.contract_contact[account[chosen]], day[chosen], INDEX[CareKind.CONTRACT_STATUS], ref
    )


def _complaints(ctx: _Context) -> None:
    book, first, limit = ctx.book, ctx.first, ctx.limits[CareKind.COMPLAINT_FOLLOW_UP]
    rule = OCCASION_RULE[CareKind.COMPLAINT_FOLLOW_UP]
    for complaint in ctx.inputs.complaints:
        number = book.number(complaint.contact_id or "")
        if number < 0 or book.account_of[number] != complaint.account_id:
            code = book.account_code.get(complaint.account_id)
            if code is None:
                continue
            number = int(book.after_sale[code])
        contact = book.people[number]
        opened = complaint.opened_at.astimezone(ZoneInfo(contact.time_zone)).date()
        days = ctx.rules.complaint_sla_days[complaint.severity]
        day = opened.toordinal() + days
        if first <= day < limit:
            why = f"complaint {complaint.id} opened {opened.isoformat()}: SLA {days} days"
            texts = (complaint.id, rule.template_key(complaint.severity.value), why)
            ctx.found.add_one(number, day, CareKind.COMPLAINT_FOLLOW_UP, texts)


def _surveys(ctx: _Context) -> None:
    found, book, inputs, rules = ctx.found, ctx.book, ctx.inputs, ctx.rules
    first, limit = ctx.first, ctx.limits[CareKind.SURVEY]
    wanted = np.zeros(len(book.account_ids), bool)
    for n, account_id in enumerate(book.account_ids):
        account = inputs.accounts.get(account_id)
        strategic = account is not None and account.strategic and rules.survey_strategic
        wanted[n] = strategic or inputs.tiers.get(account_id) in rules.survey_tiers
    asked = np.flatnonzero(wanted[book.account] & book.is_key)
    if not len(asked):
        return
    found.account_ids = book.account_ids  # texts from the account and year when read
    for year in _years(first, limit):
        on = date(year, *rules.survey_on).toordinal()
        if first <= on < limit:
            ref = book.account[asked] * YEARS + year
            found.add(asked, np.full(len(asked), on, np.int64), SURVEY, ref)


def _reverifications(ctx: _Context) -> None:
    first, limit, fresh = ctx.first, ctx.limits[CareKind.REVERIFICATION], ctx.fresh
    after = ctx.rules.reverify_after_days
    template = TEMPLATES[INDEX[CareKind.REVERIFICATION]]
    for number, contact in enumerate(ctx.book.people):
        if not contact.verified:
            continue
        stale: dict[int, list[str]] = {}
        for field, verified in contact.verified:
            day = verified.toordinal() + after
            if day < first and fresh:
                day = first  # already stale when care starts: ask on the first day
            if first <= day < limit:
                stale.setdefault(day, []).append(field)
        for day, fields in stale.items():
            names = ",".join(fields)
            why = f"{names} verified more than {after} days ago"
            ctx.found.add_one(number, day, CareKind.REVERIFICATION, (names, template, why))


def _events(ctx: _Context) -> None:
    found, book, first, limit = ctx.found, ctx.book, ctx.first, ctx.limits[CareKind.EVENT]
    for event in sorted(ctx.inputs.events, key=lambda e: e.id):
        day = event.on.toordinal()
        if not first <= day < limit:
            continue
        if not event.account_ids and not event.contact_ids:
            reached = np.arange(book.size)
        else:
            mask = np.zeros(book.size, bool)
            mask[[n for n in map(book.number, event.contact_ids) if n >= 0]] = True
            for account_id in event.account_ids:
                code = book.account_code.get(account_id)
                if code is not None:
                    mask[book.members(code)] = True
            reached = np.flatnonzero(mask)
        why = event.description or f"{event.kind.value} on {event.on.isoformat()}"
        text = found.text(event.occasion, event.template, why)
        same = np.ones(len(reached), np.int64)
        found.add(reached, same * day, INDEX[CareKind.EVENT], same * text)


# Every rule, in the order they add their touches (the order ties are kept in).
_RULES: tuple[Callable[[_Context], None], ...] = (
    _birthdays,
    _holidays,
    _calls,
    _stage_touches,
    _win_backs,
    _after_sales,
    _complaints,
    _surveys,
    _reverifications,
    _events,
)
