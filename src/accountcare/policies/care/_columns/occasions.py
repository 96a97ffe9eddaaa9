"""The candidate touches of each occasion, added to the columns in bulk.

One function per occasion rule of :mod:`accountcare.policies.care.occasions`: birthdays,
holiday greetings and gifts, relationship calls, after-sale follow-ups, complaint
follow-ups, surveys, re-verifications and events. Each adds the touches due in
``[first, limit)`` to a :class:`~accountcare.policies.care._columns.candidates._Candidates`.
"""

from __future__ import annotations

import calendar
import zlib
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from itertools import repeat
from operator import attrgetter

import numpy as np

from accountcare.domain.accounts import Account
from accountcare.domain.activity import Complaint, Order
from accountcare.domain.cadence import Cadence
from accountcare.domain.care import CareKind
from accountcare.domain.care_rules import CareEvent, CareRules, ExtraHoliday
from accountcare.domain.contacts import BirthdayCalendar
from accountcare.policies.care._columns.candidates import _Book, _Candidates, _expand
from accountcare.policies.care._columns.codes import (
    BIRTHDAY,
    FEEDBACK,
    INDEX,
    KEY_BITS,
    KIND_ORDER,
    SURVEY,
    USAGE,
    YEARS,
)
from accountcare.policies.care.birthdays import birthday_occurrences
from accountcare.policies.care.holiday_greetings import greeting_days
from accountcare.policies.care.occasions import PRIORITY

_DAYS_BEFORE_MONTH = np.array([0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334], np.int64)
_ZERO = Decimal(0)


def _birthdays(found: _Candidates, book: _Book, first: int, limit: int, rules: CareRules) -> None:
    gregorian = BirthdayCalendar.GREGORIAN
    birthdays = [c.birthday for c in book.people]
    months = np.array(
        [0 if b is None or b.calendar is not gregorian else b.month for b in birthdays], np.int64
    )
    days = np.array([0 if b is None else b.day for b in birthdays], np.int64)
    leap_day = rules.leap_day_in_common_years
    for year in range(date.fromordinal(first).year, date.fromordinal(limit).year + 1):
        leap = calendar.isleap(year)
        on = date(year, 1, 1).toordinal() + _DAYS_BEFORE_MONTH[months - 1] + days - 1
        if leap:
            on += months > 2
        elif leap_day == (2, 28):
            on -= (months == 2) & (days == 29)  # else 29 February lands on 1 March
        contact = np.flatnonzero((months > 0) & (on >= first) & (on < limit))
        found.add(contact, on[contact], BIRTHDAY, contact)
    start, end = date.fromordinal(first), date.fromordinal(limit)
    for n, birthday in enumerate(birthdays):
        if birthday is not None and birthday.calendar is not gregorian:
            occurrences = birthday_occurrences(birthday, start, end, leap_day)
            days_on = np.array([on.toordinal() for on in occurrences], np.int64)
            found.add(
                np.full(len(days_on), n, np.int64), days_on, BIRTHDAY, np.full(len(days_on), n)
            )


def _holidays(
    found: _Candidates,
    book: _Book,
    first: int,
    limit: int,
    rules: CareRules,
    extra: tuple[ExtraHoliday, ...],
    gift_accounts: set[str],
) -> None:
    years = range(date.fromordinal(first).year, date.fromordinal(limit).year + 1)
    gift_keys = rules.gift_holidays | {h.key for h in extra if h.gift}
    before = rules.gift_days_before
    countries: dict[str, int] = {}
    country = np.array([countries.setdefault(c.country, len(countries)) for c in book.people])
    gifted = np.zeros(book.size, bool)
    chosen = [n for n, a in enumerate(book.account_of) if a in gift_accounts]
    gifted[chosen] = book.in_layers[chosen]
    greeting, gift = INDEX[CareKind.HOLIDAY_GREETING], INDEX[CareKind.HOLIDAY_GIFT]
    tables: list[list[tuple[int, int, int]]] = []  # per country and gift: (day, kind, text)
    for name in countries:
        greetings: list[tuple[int, int, int]] = []
        gifts: list[tuple[int, int, int]] = []
        for year in years:
            for on, key, title in greeting_days(name, year, extra):
                day = on.toordinal()
                why = f"{title} ({on.isoformat()}) in {name}"
                if first <= day < limit:
                    greetings.append((day, greeting, found.text(key, f"holiday.{key}", why)))
                if key in gift_keys and first <= day - before < limit:
                    gifts.append((day - before, gift, found.text(key, f"gift.{key}", why)))
        order = lambda row: (row[0], KIND_ORDER[row[1]])  # noqa: E731
        tables.append(sorted(greetings, key=order))
        tables.append(sorted(greetings + gifts, key=order) if gifts else tables[-1])
    table = np.array([row for rows in tables for row in rows], np.int64).reshape(-1, 3)
    sizes = np.array([len(rows) for rows in tables], np.int64)
    starts = np.cumsum(sizes) - sizes
    contact, at = _expand(starts[country * 2 + gifted], sizes[country * 2 + gifted])
    found.parts.append((contact, table[at, 0], table[at, 1], table[at, 2]))


def _calls(
    found: _Candidates,
    book: _Book,
    first: int,
    limit: int,
    labels: Mapping[str, str],
    cadence: Cadence,
    last_calls: Mapping[str, date],
) -> None:
    accounts = len(book.account_ids)
    # Each tier's rhythm and text once; then every account's grid in columns.
    tier_of = list(map(labels.get, book.account_ids))
    rhythms: dict[str | None, tuple[int, int]] = {}  # tier -> (every, text)
    for tier in set(tier_of):
        rhythm = cadence.for_tier(tier)
        if rhythm is not None:
            why = f"call every {rhythm.call_every_days} days for tier {rhythm.tier}"
            rhythms[tier] = (rhythm.call_every_days, found.text("", f"call.{rhythm.tier}", why))
    unknown = (0, -1)
    every = np.fromiter((rhythms.get(t, unknown)[0] for t in tier_of), np.int64, accounts)
    text = np.fromiter((rhythms.get(t, unknown)[1] for t in tier_of), np.int64, accounts)
    active = every > 0
    days = np.maximum(every, 1)
    hashes = map(zlib.crc32, map(str.encode, book.account_ids))
    anchor = np.fromiter(hashes, np.int64, accounts) % days
    begin = first + (anchor - first) % days
    for account_id, last in last_calls.items():  # anchored at the last call instead
        n = book.account_code.get(account_id, -1)
        if n < 0 or not active[n]:
            continue
        rhythm = cadence.for_tier(tier_of[n])
        assert rhythm is not None
        grid = rhythm.call_every_days
        anchor[n] = last.toordinal() + grid
        begin[n] = max(anchor[n], anchor[n] + -(-(first - anchor[n]) // grid) * grid)
        why = f"call every {grid} days for tier {rhythm.tier}, last {last.isoformat()}"
        text[n] = found.text("", f"call.{rhythm.tier}", why)
    # Each account's calls rotate over its call-layer contacts (all, if it has none):
    # the k-th call of the grid goes to member k mod size, so each member's calls are
    # an arithmetic progression of step size * every.
    has_layer = np.zeros(accounts, bool)
    has_layer[book.account[book.in_layers]] = True
    called = np.flatnonzero((book.in_layers | ~has_layer[book.account]) & active[book.account])
    account = book.account[called]
    size = np.bincount(account, minlength=accounts)
    order = np.argsort(account, kind="stable")
    group_start = np.cumsum(size) - size
    member = np.empty(len(called), np.int64)
    member[order] = np.arange(len(called)) - group_start[account[order]]
    steps = (begin - anchor) // days
    shift = (member - steps[account]) % size[account]
    own_first = begin[account] + shift * every[account]
    step = size[account] * every[account]
    count = np.where(own_first < limit, (limit - 1 - own_first) // np.maximum(step, 1) + 1, 0)
    owner, at = _expand(np.zeros(len(called), np.int64), count)
    day = own_first[owner] + at * step[owner]
    found.add(called[owner], day, INDEX[CareKind.RELATIONSHIP_CALL], text[account[owner]])


def _after_sales(
    found: _Candidates,
    book: _Book,
    first: int,
    limit: int,
    rules: CareRules,
    orders: Iterable[Order],
) -> None:
    listed = list(orders)
    found.orders = listed
    if not listed:
        return
    size, codes = len(listed), book.account_code
    accounts = map(attrgetter("account_id"), listed)
    account = np.fromiter(map(codes.get, accounts, repeat(-1)), np.int64, size)
    placed = np.fromiter(map(date.toordinal, map(attrgetter("ordered_on"), listed)), np.int64, size)
    paid = np.fromiter(map(_ZERO.__lt__, map(attrgetter("amount"), listed)), bool, size)
    usage, feedback = rules.usage_check_days, rules.feedback_days
    useful = (account >= 0) & paid & (placed + feedback >= first) & (placed + usage < limit)
    chosen = np.flatnonzero(useful)
    if not len(chosen):
        return
    # By contact and day (runs the final sort merges), ties in input order.
    low, high = int(placed[chosen].min()), int(placed[chosen].max())
    day_bits, order_bits = (high - low).bit_length(), size.bit_length()
    contact = book.after_sale[account[chosen]]
    if book.size.bit_length() + day_bits + order_bits <= KEY_BITS:
        keys = (
            (contact << (day_bits + order_bits)) | ((placed[chosen] - low) << order_bits) | chosen
        )
        keys.sort()
        chosen, contact = keys & ((1 << order_bits) - 1), keys >> (day_bits + order_bits)
    else:
        order = np.lexsort((placed[chosen], contact))
        chosen, contact = chosen[order], contact[order]
    for kind, days in ((USAGE, usage), (FEEDBACK, feedback)):
        day = placed[chosen] + days
        keep = (day >= first) & (day < limit)
        found.add(contact[keep], day[keep], kind, chosen[keep])


def _complaints(
    found: _Candidates,
    book: _Book,
    first: int,
    limits: list[int],
    rules: CareRules,
    complaints: Iterable[Complaint],
) -> None:
    from zoneinfo import ZoneInfo

    limit = limits[PRIORITY[CareKind.COMPLAINT_FOLLOW_UP]]
    for complaint in complaints:
        number = book.number(complaint.contact_id or "")
        if number >= 0 and book.account_of[number] == complaint.account_id:
            contact = book.people[number]
        else:
            code = book.account_code.get(complaint.account_id)
            if code is None:
                continue
            number = int(book.after_sale[code])
            contact = book.people[number]
        opened = complaint.opened_at.astimezone(ZoneInfo(contact.time_zone)).date()
        days = rules.complaint_sla_days[complaint.severity]
        day = opened.toordinal() + days
        if first <= day < limit:
            why = f"complaint {complaint.id} opened {opened.isoformat()}: SLA {days} days"
            template = f"complaint.{complaint.severity.value}"
            found.add_one(number, day, CareKind.COMPLAINT_FOLLOW_UP, (complaint.id, template, why))


def _surveys(
    found: _Candidates,
    book: _Book,
    first: int,
    limit: int,
    rules: CareRules,
    by_account: Mapping[str, Account],
    labels: Mapping[str, str],
) -> None:
    month, day = rules.survey_on
    years = range(date.fromordinal(first).year, date.fromordinal(limit).year + 1)
    wanted = np.zeros(len(book.account_ids), bool)
    for n, account_id in enumerate(book.account_ids):
        account = by_account.get(account_id)
        strategic = account is not None and account.strategic and rules.survey_strategic
        wanted[n] = strategic or labels.get(account_id) in rules.survey_tiers
    asked = np.flatnonzero(wanted[book.account] & book.is_key)
    if not len(asked):
        return
    found.account_ids = book.account_ids  # texts from the account and year when read
    for year in years:
        on = date(year, month, day).toordinal()
        if first <= on < limit:
            ref = book.account[asked] * YEARS + year
            found.add(asked, np.full(len(asked), on, np.int64), SURVEY, ref)


def _reverifications(
    found: _Candidates, book: _Book, first: int, limits: list[int], rules: CareRules, fresh: bool
) -> None:
    after = rules.reverify_after_days
    limit = limits[PRIORITY[CareKind.REVERIFICATION]]
    for number, contact in enumerate(book.people):
        if not contact.verified:
            continue
        stale: dict[int, list[str]] = {}
        for field, verified in contact.verified:
            day = verified.toordinal() + after
            if day < first:
                if not fresh:
                    continue
                day = first
            stale.setdefault(day, []).append(field)
        for day, fields in stale.items():
            if first <= day < limit:
                names = ",".join(fields)
                why = f"{names} verified more than {after} days ago"
                found.add_one(number, day, CareKind.REVERIFICATION, (names, "reverify", why))


def _events(
    found: _Candidates, book: _Book, first: int, limits: list[int], events: Iterable[CareEvent]
) -> None:
    limit = limits[PRIORITY[CareKind.EVENT]]
    kind = INDEX[CareKind.EVENT]
    for event in sorted(events, key=lambda e: e.id):
        day = event.on.toordinal()
        if not first <= day < limit:
            continue
        if not event.account_ids and not event.contact_ids:
            reached = np.arange(book.size)
        else:
            mask = np.zeros(book.size, bool)
            for contact_id in event.contact_ids:
                number = book.number(contact_id)
                if number >= 0:
                    mask[number] = True
            for account_id in event.account_ids:
                code = book.account_code.get(account_id)
                if code is not None:
                    mask[book.members(code)] = True
            reached = np.flatnonzero(mask)
        why = event.description or f"{event.kind.value} on {event.on.isoformat()}"
        text = found.text(event.id, event.template, why)
        found.add(reached, np.full(len(reached), day, np.int64), kind, np.full(len(reached), text))
