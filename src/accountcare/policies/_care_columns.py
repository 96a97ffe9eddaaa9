"""The care scheduler on numpy columns: the reference's schedule, without its objects.

:func:`accountcare.policies.care.schedule_care` runs this when numpy is installed; without
numpy it runs the reference scheduler (:mod:`accountcare.policies.care`), which builds
every candidate touch and every task as a Python object. Both give equal schedules; a
test pins it on random inputs. The steps are the reference's, each done on whole columns:

1. Candidates are columns (contact number, day, kind, payload reference), not tuples: a
   birthday per contact and year, each country's greeting days repeated over its
   contacts, each account's call grid split into one arithmetic progression per called
   contact, two follow-ups per order. Texts (occasion, template, reason) are looked up
   or formatted only when a task is built.
2. One stable sort by (contact, day, kind order) gives the reference's order; the rare
   ties (one contact, day and kind twice) are ordered by their texts, as the reference's
   tuple sort does, so the same one is kept and the same one listed as a duplicate.
3. Opt-outs, channels and duplicates are table look-ups and neighbour comparisons.
4. The ceiling: a contact whose touches (with the carried ones) keep every rule admits
   them all, checked for every contact in one pass over the column. For the others the
   greedy admission runs rank by rank: a contact whose rank still fits admits it whole;
   the rest are decided one touch per contact per step, all contacts at once, from the
   nearest taken touches on each side (a touch breaks a rule of N in D days exactly when
   N taken touches next to it span less than D days with it).
5. The schedule keeps the columns: its tasks, drops and carried touches are
   :class:`~accountcare.domain.care.LazySequence` views that build each value when read.
"""

from __future__ import annotations

import calendar
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from itertools import islice, repeat
from operator import attrgetter
from typing import Any

import numpy as np
import numpy.typing as npt

from accountcare.domain.accounts import Account
from accountcare.domain.activity import Complaint, Order
from accountcare.domain.cadence import Cadence
from accountcare.domain.care import (
    CareKind,
    CareSchedule,
    CareState,
    CareTask,
    DroppedTask,
    DropReason,
    LazySequence,
    trusted_drop,
    trusted_task,
)
from accountcare.domain.care_rules import CareEvent, CareRules, ExtraHoliday
from accountcare.domain.contacts import BirthdayCalendar, Channel, Contact, RelationshipLayer
from accountcare.policies.birthdays import birthday_occurrences
from accountcare.policies.care import _fallback
from accountcare.policies.care import _routes as _channel_routes
from accountcare.policies.care_occasions import AFTER_SALE_ROLES, LOWEST_COUNTED_RANK, PRIORITY
from accountcare.policies.holiday_greetings import greeting_days

__all__ = ["schedule_columns"]

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

_KINDS = tuple(CareKind)
_INDEX = {kind: n for n, kind in enumerate(_KINDS)}
_CHANNELS = tuple(Channel)
_CHANNEL_INDEX = {channel: n for n, channel in enumerate(_CHANNELS)}
_RANKS = [PRIORITY[kind] for kind in _KINDS]
# The reference sorts a contact's candidates by (day, rank, kind index, texts...) and
# its carried tasks by (day, rank, kind value, occasion): each kind's place in both.
_KIND_ORDER = np.empty(len(_KINDS), np.int64)
_KIND_ORDER[sorted(range(len(_KINDS)), key=lambda n: (_RANKS[n], n))] = np.arange(len(_KINDS))
_KIND_OF_ORDER = np.argsort(_KIND_ORDER)
_CARRY_ORDER = np.empty(len(_KINDS), np.int64)
_CARRY_ORDER[sorted(range(len(_KINDS)), key=lambda n: (_RANKS[n], _KINDS[n].value))] = np.arange(
    len(_KINDS)
)
_BIRTHDAY = _INDEX[CareKind.BIRTHDAY]
_USAGE = _INDEX[CareKind.AFTER_SALE_USAGE]
_FEEDBACK = _INDEX[CareKind.AFTER_SALE_FEEDBACK]
_SURVEY = _INDEX[CareKind.SURVEY]
_YEARS = 10_000  # a survey's reference: account number * _YEARS + year
# Roles by identity: an enum member's hash runs Python code, an id() does not.
_ROLE_RANK = {id(role): n for n, role in enumerate(AFTER_SALE_ROLES)}
_DAYS_BEFORE_MONTH = np.array([0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334], np.int64)
_ZERO = Decimal(0)
_KEY_BITS = 63  # what a sort key packs into an int64
_FAR = 1 << 40  # farther than any day from any other

_OPTED_OUT, _NO_CHANNEL, _DUPLICATE, _CEILING = 1, 2, 3, 4
_REASONS = {
    _OPTED_OUT: DropReason.OPTED_OUT,
    _NO_CHANNEL: DropReason.NO_CONSENTED_CHANNEL,
    _DUPLICATE: DropReason.DUPLICATE,
    _CEILING: DropReason.FREQUENCY_CEILING,
}


def schedule_columns(
    people: list[Contact],
    ids: list[str],
    start: date,
    end: date,
    accounts: Iterable[Account],
    labels: Mapping[str, str],
    orders: Iterable[Order],
    complaints: Iterable[Complaint],
    cadence: Cadence,
    rules: CareRules,
    events: Iterable[CareEvent],
    extra: tuple[ExtraHoliday, ...],
    last_calls: Mapping[str, date],
    state: CareState | None,
) -> CareSchedule:
    """The schedule of :func:`~accountcare.policies.care.schedule_care` (inputs checked)."""
    first, last = start.toordinal(), end.toordinal()
    reach = rules.longest_ceiling_days - 1
    limits = [last + max(0, LOWEST_COUNTED_RANK - rank) * reach for rank in range(8)]
    found = _Candidates(people)
    if start < end and people:
        book = _Book(people, ids, rules)
        by_account = {a.id: a for a in accounts}
        gift_accounts = {a for a, t in labels.items() if t in rules.gift_tiers} | {
            a for a, account in by_account.items() if account.strategic
        }
        _birthdays(found, book, first, limits[PRIORITY[CareKind.BIRTHDAY]], rules)
        _holidays(found, book, first, limits[PRIORITY[CareKind.HOLIDAY_GREETING]], rules, extra,
                  gift_accounts)  # fmt: skip
        _calls(found, book, first, limits[PRIORITY[CareKind.RELATIONSHIP_CALL]], labels, cadence,
               last_calls)  # fmt: skip
        _after_sales(found, book, first, limits[PRIORITY[CareKind.AFTER_SALE_USAGE]], rules, orders)
        _complaints(found, book, first, limits, rules, complaints)
        _surveys(found, book, first, limits[PRIORITY[CareKind.SURVEY]], rules, by_account, labels)
        _reverifications(found, book, first, limits, rules, state is None)
        _events(found, book, first, limits, events)
    return _decide(found, start, end, limits, rules, state)


class _Book:
    """Per-contact columns the occasion rules share (contacts numbered by id order)."""

    def __init__(self, people: list[Contact], ids: list[str], rules: CareRules) -> None:
        self.people, self.ids = people, ids
        self.size = size = len(people)
        self.account_of = list(map(attrgetter("account_id"), people))
        self.account_ids = list(dict.fromkeys(self.account_of))
        self.account_code = codes = {a: n for n, a in enumerate(self.account_ids)}
        self.account = np.fromiter(map(codes.__getitem__, self.account_of), np.int64, size)
        # Layers by identity (an enum member's hash runs Python code, its id() does not).
        layers = list(map(id, map(attrgetter("layer"), people)))
        wanted = {id(layer) for layer in rules.call_layers}
        self.in_layers = np.fromiter(map(wanted.__contains__, layers), bool, size)
        self.is_key = np.fromiter(map(id(RelationshipLayer.KEY).__eq__, layers), bool, size)
        self._members: tuple[Ints, Ints] | None = None
        self._after_sale: Ints | None = None
        self._index: dict[str, int] | None = None

    def members(self, account: int) -> Ints:
        """The numbers of the account's contacts, in id order."""
        if self._members is None:
            order = np.argsort(self.account, kind="stable")
            bounds = np.searchsorted(self.account[order], np.arange(len(self.account_ids) + 1))
            self._members = (order, bounds)
        order, bounds = self._members
        return order[bounds[account] : bounds[account + 1]]

    @property
    def after_sale(self) -> Ints:
        """Each account's after-sale contact: by role (users first), then by id."""
        if self._after_sale is None:
            role = np.array([_ROLE_RANK[id(c.role)] for c in self.people], np.int64)
            order = np.lexsort((np.arange(self.size), role, self.account))
            firsts = np.ones(self.size, bool)
            firsts[1:] = self.account[order[1:]] != self.account[order[:-1]]
            chosen = np.empty(len(self.account_ids), np.int64)
            chosen[self.account[order[firsts]]] = order[firsts]
            self._after_sale = chosen
        return self._after_sale

    def number(self, contact_id: str) -> int:
        """The contact's number, or -1 for an id not among the contacts."""
        if self._index is None:
            self._index = dict(zip(self.ids, range(self.size), strict=True))
        return self._index.get(contact_id, -1)


class _Candidates:
    """Candidate touches as columns; texts stay references until a task is built.

    A reference is the contact's number for birthdays, the order's for after-sale
    follow-ups, the account's and the year for surveys (their texts are made when read:
    a text per touch would be a Python object per touch), else a place in ``texts``.
    """

    def __init__(self, people: list[Contact]) -> None:
        self.people = people
        self.orders: list[Order] = []
        self.account_ids: list[str] = []
        self.texts: list[tuple[str, str, str]] = []
        self.parts: list[tuple[Ints, Ints, int | Ints, Ints]] = []
        self.rows: tuple[list[int], list[int], list[int], list[int]] = ([], [], [], [])

    def add(self, contact: Ints, day: Ints, kind: int | Ints, ref: Ints) -> None:
        if len(contact):
            self.parts.append((contact, day, kind, ref))

    def add_one(self, contact: int, day: int, kind: CareKind, texts: tuple[str, str, str]) -> None:
        self.texts.append(texts)
        for column, value in zip(
            self.rows, (contact, day, _INDEX[kind], len(self.texts) - 1), strict=True
        ):
            column.append(value)

    def text(self, occasion: str, template: str, reason: str) -> int:
        self.texts.append((occasion, template, reason))
        return len(self.texts) - 1

    def sort(self, first: int, horizon: int) -> tuple[Ints, Ints, Ints, Ints, Bools]:
        """(contact, day, kind, ref) in the reference's order, and which rows repeat
        the contact, day and kind of the row before (``same[i]``: row i + 1 does).

        Days are in ``[first, horizon)``. One sort of one integer column: contact, day,
        kind order and row number packed into 63 bits (separate keys when they do not
        fit). The candidates arrive in a few runs already in order, which the stable
        sort (timsort) merges.
        """
        parts = [*self.parts]
        if self.rows[0]:
            parts.append(tuple(np.array(column, np.int64) for column in self.rows))  # type: ignore[arg-type]
        total = sum(len(part[0]) for part in parts)
        row_bits = max(1, total.bit_length())
        day_bits = max(1, (horizon - first).bit_length())
        contact_bits = max(1, len(self.people).bit_length())
        if not parts:
            empty = np.zeros(0, np.int64)
            return empty, empty, empty, empty, np.zeros(0, bool)
        if row_bits + day_bits + 4 + contact_bits > _KEY_BITS:
            contact, day, kind, ref = (
                np.concatenate([np.broadcast_to(part[n], len(part[0])) for part in parts])
                for n in range(4)
            )
            order = np.lexsort((_KIND_ORDER[kind], day, contact))
            contact, day, kind, ref = contact[order], day[order], kind[order], ref[order]
            same = (contact[1:] == contact[:-1]) & (day[1:] == day[:-1]) & (kind[1:] == kind[:-1])
            return contact, day, kind, ref, same
        keys = np.empty(total, np.int64)
        refs = np.empty(total, np.int64)
        done = 0
        for part_contact, part_day, part_kind, part_ref in parts:
            size = len(part_contact)
            keys[done : done + size] = (
                (part_contact << (day_bits + 4 + row_bits))
                | ((part_day - first) << (4 + row_bits))
                | (_KIND_ORDER[part_kind] << row_bits)
                | np.arange(done, done + size)
            )
            refs[done : done + size] = part_ref
            done += size
        keys.sort(kind="stable")
        group = keys >> row_bits
        kind = _KIND_OF_ORDER[group & 15]
        day = ((group >> 4) & ((1 << day_bits) - 1)) + first
        contact = group >> (day_bits + 4)
        ref = refs[keys & ((1 << row_bits) - 1)]
        return contact, day, kind, ref, group[1:] == group[:-1]

    def payload(self, kind: int, ref: int) -> tuple[str, str, str]:
        """(occasion, template, reason) of a candidate."""
        if kind == _BIRTHDAY:
            birthday = self.people[ref].birthday
            assert birthday is not None
            return "", "birthday", f"birthday {birthday.isoformat()}"
        if kind in (_USAGE, _FEEDBACK):
            order = self.orders[ref]
            template = "after_sale.usage" if kind == _USAGE else "after_sale.feedback"
            return order.id, template, f"order {order.id} of {order.ordered_on.isoformat()}"
        if kind == _SURVEY:
            account_id, year = self.account_ids[ref // _YEARS], ref % _YEARS
            return str(year), "survey", f"annual survey of key account {account_id}"
        return self.texts[ref]


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
        found.add(contact, on[contact], _BIRTHDAY, contact)
    start, end = date.fromordinal(first), date.fromordinal(limit)
    for n, birthday in enumerate(birthdays):
        if birthday is not None and birthday.calendar is not gregorian:
            occurrences = birthday_occurrences(birthday, start, end, leap_day)
            days_on = np.array([on.toordinal() for on in occurrences], np.int64)
            found.add(
                np.full(len(days_on), n, np.int64), days_on, _BIRTHDAY, np.full(len(days_on), n)
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
    greeting, gift = _INDEX[CareKind.HOLIDAY_GREETING], _INDEX[CareKind.HOLIDAY_GIFT]
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
        order = lambda row: (row[0], _KIND_ORDER[row[1]])  # noqa: E731
        tables.append(sorted(greetings, key=order))
        tables.append(sorted(greetings + gifts, key=order) if gifts else tables[-1])
    table = np.array([row for rows in tables for row in rows], np.int64).reshape(-1, 3)
    sizes = np.array([len(rows) for rows in tables], np.int64)
    starts = np.cumsum(sizes) - sizes
    contact, at = _expand(starts[country * 2 + gifted], sizes[country * 2 + gifted])
    found.parts.append((contact, table[at, 0], table[at, 1], table[at, 2]))


def _expand(starts: Ints, sizes: Ints) -> tuple[Ints, Ints]:
    """Owner n gets rows ``starts[n] .. starts[n] + sizes[n]``: (owners, rows), by owner."""
    owners = np.repeat(np.arange(len(sizes)), sizes)
    offsets = np.cumsum(sizes) - sizes
    return owners, np.arange(int(sizes.sum())) + np.repeat(starts - offsets, sizes)


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
    found.add(called[owner], day, _INDEX[CareKind.RELATIONSHIP_CALL], text[account[owner]])


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
    if book.size.bit_length() + day_bits + order_bits <= _KEY_BITS:
        keys = (
            (contact << (day_bits + order_bits)) | ((placed[chosen] - low) << order_bits) | chosen
        )
        keys.sort()
        chosen, contact = keys & ((1 << order_bits) - 1), keys >> (day_bits + order_bits)
    else:
        order = np.lexsort((placed[chosen], contact))
        chosen, contact = chosen[order], contact[order]
    for kind, days in ((_USAGE, usage), (_FEEDBACK, feedback)):
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
            ref = book.account[asked] * _YEARS + year
            found.add(asked, np.full(len(asked), on, np.int64), _SURVEY, ref)


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
    kind = _INDEX[CareKind.EVENT]
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


def _decide(
    found: _Candidates,
    start: date,
    end: date,
    limits: list[int],
    rules: CareRules,
    state: CareState | None,
) -> CareSchedule:
    first, last = start.toordinal(), end.toordinal()
    keep_from = last - (rules.longest_ceiling_days - 1)
    internal = np.array([kind in rules.internal_kinds for kind in _KINDS], bool)
    contact, day, kind, ref, same = found.sort(first, max(limits))
    if same.any():
        _order_ties(found, kind, ref, same)
    people = found.people
    route, fallback, route_of = _routes(people, rules)
    opted = np.array([c.opted_out for c in people], bool)[contact]
    channel = route[route_of[contact], kind]
    reachable = channel >= 0
    duplicate = np.zeros(len(contact), bool)
    duplicate[1:] = same
    duplicate &= reachable & ~opted
    kept = ~opted & reachable & ~duplicate
    counted = np.flatnonzero(kept & ~internal[kind])
    past = _past(state, people, internal)
    refused = np.zeros(len(contact), bool)
    refused[counted] = _refuse(
        contact[counted], day[counted], np.array(_RANKS)[kind[counted]], past, rules
    )
    within = day < last
    tasks = np.flatnonzero(kept & ~refused & within)
    channel = np.where(opted | ~reachable, fallback[route_of[contact], kind], channel)
    reason = np.zeros(len(contact), np.int64)
    reason[duplicate] = _DUPLICATE
    reason[refused] = _CEILING
    reason[~reachable] = _NO_CHANNEL
    reason[opted] = _OPTED_OUT
    drops = np.flatnonzero(within & (reason > 0))
    # Per contact, the reference lists opt-outs, channel and duplicate drops as it meets
    # them, then the ceiling's.
    drops = drops[np.argsort(contact[drops] * 2 + refused[drops], kind="stable")]
    table = _Table(found, rules, contact, day, kind, ref, channel)
    carried = tasks[(day[tasks] >= keep_from) & ~internal[kind[tasks]]]
    carry = _carry(table, state, carried, keep_from, internal, rules)
    return CareSchedule(
        start=start,
        end=end,
        tasks=table.tasks(tasks),
        dropped=table.drops(drops, reason[drops]),
        carry=CareState(through=end, recent=carry),
    )


def _runs(same: Bools) -> tuple[Ints, Ints]:
    """Begin and stop of each run of equal neighbours (``same[i]``: row i + 1 equals i)."""
    at = np.flatnonzero(same)
    breaks = at[1:] != at[:-1] + 1
    return at[np.r_[True, breaks]], at[np.r_[breaks, True]] + 2


def _order_ties(found: _Candidates, kind: Ints, ref: Ints, same: Bools) -> None:
    """Order candidates of one contact, day and kind by their texts, as the reference.

    Follow-ups of two orders on one day (most ties) compare by order id, then by the day
    the reason names; other kinds by their texts. Texts are ranked once, without a tuple
    per row (thousands of new tuples would wake the garbage collector).
    """
    begins, stops = _runs(same)
    run, rows = _expand(begins, stops - begins)
    kinds, refs = kind[rows].tolist(), ref[rows].tolist()
    orders = found.orders
    primary: list[Any] = []
    secondary = np.zeros(len(rows), np.int64)
    for n, (k, r) in enumerate(zip(kinds, refs, strict=True)):
        if k in (_USAGE, _FEEDBACK):
            primary.append(orders[r].id)
            secondary[n] = orders[r].ordered_on.toordinal()
        else:
            primary.append(found.payload(k, r))
    ids = sorted({value for value in primary if isinstance(value, str)})
    texts = sorted({value for value in primary if not isinstance(value, str)})
    rank = {value: n for n, value in enumerate([*ids, *texts])}  # a run holds one kind
    ranked = np.fromiter(map(rank.__getitem__, primary), np.int64, len(primary))
    ref[rows] = ref[rows][np.lexsort((secondary, ranked, run))]


def _routes(people: list[Contact], rules: CareRules) -> tuple[Ints, Ints, Ints]:
    """Channel per (route, kind) (-1: none), the fallback channel, and each contact's route."""
    seen: dict[tuple[tuple[Channel, ...], frozenset[Channel]], int] = {}
    route: list[list[int]] = []
    fallback: list[list[int]] = []
    numbers = []
    for contact in people:
        key = (contact.channels, contact.consents)
        number = seen.get(key)
        if number is None:
            number = seen[key] = len(route)
            route.append(
                [-1 if c is None else _CHANNEL_INDEX[c] for c in _channel_routes(contact, rules)]
            )
            fallback.append([_CHANNEL_INDEX[_fallback(contact, k, rules)] for k in _KINDS])
        numbers.append(number)
    return (
        np.array(route, np.int64).reshape(-1, len(_KINDS)),
        np.array(fallback, np.int64).reshape(-1, len(_KINDS)),
        np.array(numbers, np.int64),
    )


def _past(state: CareState | None, people: list[Contact], internal: Bools) -> tuple[Ints, Ints]:
    """(contact number, day) of the carried touches the ceiling counts."""
    if state is None or not state.recent:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    index = {c.id: n for n, c in enumerate(people)}
    numbers, days = [], []
    for task in state.recent:
        number = index.get(task.contact_id)
        if number is not None and not internal[_INDEX[task.kind]]:
            numbers.append(number)
            days.append(task.on.toordinal())
    return np.array(numbers, np.int64), np.array(days, np.int64)


def _refuse(
    contact: Ints, day: Ints, rank: Ints, past: tuple[Ints, Ints], rules: CareRules
) -> Bools:
    """Which counted candidates (sorted by contact and day) the ceiling refuses.

    The reference's greedy admission by rank, then day. Only a contact with a window
    that breaks a rule when every candidate counts can lose any; then, rank by rank,
    only candidates inside such a window (with the touches taken so far and the rank's
    own) can be refused, and those are decided by :func:`_greedy`.
    """
    ceiling = [(rule.touches, rule.days) for rule in rules.ceiling]
    refused = np.zeros(len(contact), bool)
    if not len(contact):
        return refused
    past_contact, past_day = past
    base = int(min(day.min(), past_day.min())) if len(past_day) else int(day.min())
    # Days of contact n become n * span + day - base, with span longer than the days
    # plus the longest rule: touches of two contacts never fall within one rule's days.
    longest = max(days for _, days in ceiling)
    last = int(max(day.max(), past_day.max()) if len(past_day) else day.max())
    span = last - base + 1 + longest
    key = contact * span + (day - base)
    carried = np.sort(past_contact * span + (past_day - base))
    everything = _merge(key, carried) if len(carried) else key
    crowded = np.zeros(int(max(contact.max(), past_contact.max(initial=0))) + 1, bool)
    for touches, days in ceiling:  # N + 1 touches within D days: the contact is crowded
        if len(everything) > touches:
            low = everything[:-touches]
            crowded[low[everything[touches:] - low < days] // span] = True
    rows = np.flatnonzero(crowded[contact])
    if not len(rows):
        return refused
    # The crowded contacts' touches in one sorted column: carried-in ones (rank -1, they
    # always stand) and candidates. A refused candidate stops counting.
    keys, ranks, owner = key[rows], rank[rows], rows
    carried = carried[crowded[carried // span]]
    if len(carried):
        order = np.argsort(np.concatenate([carried, keys]), kind="stable")
        keys = np.concatenate([carried, keys])[order]
        ranks = np.concatenate([np.full(len(carried), -1, np.int64), ranks])[order]
        owner = np.concatenate([np.full(len(carried), -1, np.int64), owner])[order]
    standing = np.ones(len(keys), bool)
    for level in np.unique(ranks[ranks >= 0]).tolist():
        mine = ranks == level
        counted = (standing & (ranks < level)) | mine  # taken so far, and this rank
        at = np.flatnonzero(counted)
        hot = at[_crowded(keys[at], ceiling) & mine[at]]
        if not len(hot):
            continue
        steady = counted.copy()
        steady[hot] = False
        rows = owner[hot]
        admitted = _greedy(keys[hot], contact[rows], span, keys[steady], ceiling)
        standing[hot[~admitted]] = False
        refused[rows[~admitted]] = True
    return refused


def _merge(a: Ints, b: Ints) -> Ints:
    """Two sorted arrays as one (a stable sort finds and merges the two runs)."""
    return np.sort(np.concatenate([a, b]), kind="stable")


def _crowded(keys: Ints, ceiling: list[tuple[int, int]]) -> Bools:
    """Which of the sorted touch keys are inside a window that breaks a ceiling rule:
    N + 1 consecutive touches (of one contact, as keys of two are far apart) within D
    days."""
    inside = np.zeros(len(keys), bool)
    for touches, days in ceiling:
        if len(keys) > touches:
            first = keys[touches:] - keys[:-touches] < days  # the window starting here
            if touches <= 8:
                for shift in range(touches + 1):
                    inside[shift : shift + len(first)] |= first
            else:
                edges = np.zeros(len(keys) + 1, np.int64)
                starts = np.flatnonzero(first)
                edges += np.bincount(starts, minlength=len(edges))
                edges -= np.bincount(starts + touches + 1, minlength=len(edges))
                inside |= np.cumsum(edges[:-1]) > 0
    return inside


def _greedy(
    key: Ints, contact: Ints, span: int, taken: Ints, ceiling: list[tuple[int, int]]
) -> Bools:
    """The greedy admission of one rank's candidates (sorted by contact, then in the
    reference's order) against the sorted ``taken`` touches, every contact at once:
    step j decides the j-th candidate of every contact that has one."""
    widest = max(touches for touches, _ in ceiling)
    floor = contact * span
    day = key - floor
    # The taken touches nearest on each side (on or before the day; after it) stay the
    # same while this rank is decided; the rank's own admitted touches come before.
    # Row j of ``left`` and ``right`` holds each candidate's j-th nearest.
    at = np.searchsorted(taken, key, side="right")
    left = np.full((widest, len(key)), -_FAR, np.int64)
    right = np.full((widest, len(key)), _FAR, np.int64)
    if len(taken):
        for j in range(widest):
            p = at - 1 - j
            value = taken[np.maximum(p, 0)] - floor
            left[j] = np.where((p >= 0) & (value >= 0), value, -_FAR)
            p = at + j
            value = taken[np.minimum(p, len(taken) - 1)] - floor
            right[j] = np.where((p < len(taken)) & (value < span), value, _FAR)
    admitted = _fits(day, left, right, ceiling)  # refused by the taken touches alone: final
    open_ = np.flatnonzero(admitted)
    if not len(open_):
        return admitted
    # Contacts by their number of open candidates, most first: the contacts still
    # deciding at step j are a prefix, so each step works on slices.
    fresh = np.ones(len(open_), bool)
    fresh[1:] = contact[open_[1:]] != contact[open_[:-1]]
    starts = np.flatnonzero(fresh)
    sizes = np.diff(np.append(starts, len(open_)))
    by_size = np.argsort(-sizes, kind="stable")
    starts, sizes = starts[by_size], sizes[by_size]
    counts = (len(sizes) - np.cumsum(np.bincount(sizes)))[:-1].tolist()
    layout = open_[np.concatenate([starts[:count] + j for j, count in enumerate(counts)])]
    day, left, right = day[layout], left[:, layout], right[:, layout]
    own = np.full((widest, len(sizes)), -_FAR, np.int64)  # admitted, latest first
    decided = np.empty(len(layout), bool)
    done = 0
    for count in counts:
        now = slice(done, done + count)
        x, mine = day[now], own[:, :count]
        ok = _fits(x, _nearest(left[:, now], mine), right[:, now], ceiling)
        decided[now] = ok
        for j in range(widest - 1, 0, -1):
            mine[j] = np.where(ok, mine[j - 1], mine[j])
        mine[0] = np.where(ok, x, mine[0])
        done += count
    admitted[layout] = decided
    return admitted


def _nearest(a: Ints, b: Ints) -> Ints:
    """The largest values of two columns of values sorted largest first (row 0 first),
    largest first: the k-th is the largest of a[k], b[k] and min(a[i], b[k - 1 - i])."""
    merged = np.maximum(a, b)
    for k in range(1, len(a)):
        row = merged[k]
        for i in range(k):
            np.maximum(row, np.minimum(a[i], b[k - 1 - i]), out=row)
    return merged


def _fits(day: Ints, left: Ints, right: Ints, ceiling: list[tuple[int, int]]) -> Bools:
    """Whether a touch on ``day`` keeps every rule with the taken touches nearest to it
    (``left[j]``: the j-th nearest on or before it; ``right[j]``: after it): a rule of N
    in D days breaks when a of them before and N - a after span under D days with it."""
    ok = np.ones(len(day), bool)
    for touches, days in ceiling:
        for a in range(touches + 1):
            low = day if a == 0 else left[a - 1]
            high = day if a == touches else right[touches - a - 1]
            ok &= high - low >= days
    return ok


def _carry(
    table: _Table,
    state: CareState | None,
    rows: Ints,
    keep_from: int,
    internal: Bools,
    rules: CareRules,
) -> Sequence[CareTask]:
    """The touches the next window's ceiling sees, in the reference's order."""
    kept = [
        task
        for task in (state.recent if state is not None else ())
        if not internal[_INDEX[task.kind]] and task.on.toordinal() >= keep_from
    ]
    contact, day, kind = table.contact[rows], table.day[rows], table.kind[rows]
    if not kept:
        span = int(day.max()) - keep_from + 1 if len(day) else 1
        order = np.argsort(
            (contact * span + day - keep_from) * 16 + _CARRY_ORDER[kind], kind="stable"
        )
        return table.tasks(rows[order])
    # Merge the carried-in tasks: contact ids compare as strings, so number them among
    # the scheduled contacts (2n + 1 for contact n, an even number between them).
    ids = [c.id for c in table.found.people]
    from bisect import bisect_left

    numbers = []
    for task in kept:
        n = bisect_left(ids, task.contact_id)
        numbers.append(2 * n + 1 if n < len(ids) and ids[n] == task.contact_id else 2 * n)
    all_contact = np.concatenate([np.array(numbers, np.int64), contact * 2 + 1])
    all_day = np.concatenate([np.array([t.on.toordinal() for t in kept], np.int64), day])
    all_kind = np.concatenate([np.array([_INDEX[t.kind] for t in kept], np.int64), kind])
    entries = np.concatenate([-1 - np.arange(len(kept)), rows])
    order = np.lexsort((_CARRY_ORDER[all_kind], all_day, all_contact))
    entries = entries[order]
    sort_key = np.stack([all_contact, all_day, _CARRY_ORDER[all_kind]])[:, order]
    same = (sort_key[:, 1:] == sort_key[:, :-1]).all(axis=0)
    table.extras = kept
    if same.any():  # one contact, day and kind twice: by occasion, carried-in first
        for begin, stop in zip(*_runs(same), strict=True):
            group = entries[begin:stop].tolist()
            entries[begin:stop] = sorted(group, key=lambda e: table.task(e).occasion)
    return table.tasks(entries)


class _Table:
    """The sorted candidate columns a schedule's lazy views build their values from."""

    def __init__(
        self,
        found: _Candidates,
        rules: CareRules,
        contact: Ints,
        day: Ints,
        kind: Ints,
        ref: Ints,
        channel: Ints,
    ) -> None:
        self.found = found
        self.local_time = rules.local_time
        self.contact, self.day, self.kind, self.ref, self.channel = contact, day, kind, ref, channel
        self.extras: list[CareTask] = []
        self.detail = {
            _OPTED_OUT: "the contact opted out",
            _NO_CHANNEL: "no channel the contact consents to suits this kind of touch",
            _DUPLICATE: "the same touch is already scheduled that day",
            _CEILING: _ceiling_text(rules),
        }

    def tasks(self, rows: Ints) -> LazySequence[CareTask]:
        return LazySequence(
            range(len(rows)),
            lambda n: self.task(int(rows[n])),
            lambda span: self._build(_part(rows, span)),
        )

    def drops(self, rows: Ints, reasons: Ints) -> LazySequence[DroppedTask]:
        def one(n: int) -> DroppedTask:
            reason = int(reasons[n])
            return trusted_drop(self.task(int(rows[n])), _REASONS[reason], self.detail[reason])

        def many(span: range) -> Iterator[DroppedTask]:
            details = self.detail
            for task, reason in zip(
                self._build(_part(rows, span)), _part(reasons, span).tolist(), strict=True
            ):
                yield trusted_drop(task, _REASONS[reason], details[reason])

        return LazySequence(range(len(rows)), one, many)

    def task(self, row: int) -> CareTask:
        if row < 0:
            return self.extras[-1 - row]
        return next(self._build(np.array([row], np.int64)))

    def _build(self, rows: Ints) -> Iterator[CareTask]:
        dates: dict[int, date] = {}
        extras = self.extras
        for begin in range(0, len(rows), 65536):
            part = rows[begin : begin + 65536]
            mine = part[part >= 0]
            columns = zip(
                self.contact[mine].tolist(),
                self.day[mine].tolist(),
                self.kind[mine].tolist(),
                self.ref[mine].tolist(),
                self.channel[mine].tolist(),
                strict=True,
            )
            if len(mine) < len(part):  # carried-in tasks among them: keep their places
                for row in part.tolist():
                    if row < 0:
                        yield extras[-1 - row]
                    else:
                        yield from self._made(islice(columns, 1), dates)
                continue
            yield from self._made(columns, dates)

    def _made(
        self, columns: Iterator[tuple[int, int, int, int, int]], dates: dict[int, date]
    ) -> Iterator[CareTask]:
        people, payload, local_time = self.found.people, self.found.payload, self.local_time
        texts, orders, kinds, channels = self.found.texts, self.found.orders, _KINDS, _CHANNELS
        said: dict[int, str] = {}  # an order's reason, shared by its two follow-ups
        for number, day, kind, ref, channel in columns:
            on = dates.get(day)
            if on is None:
                on = dates[day] = date.fromordinal(day)
            person = people[number]
            if kind in (_USAGE, _FEEDBACK):
                order = orders[ref]
                occasion = order.id
                template = "after_sale.usage" if kind == _USAGE else "after_sale.feedback"
                reason = said.get(ref) or said.setdefault(
                    ref, f"order {order.id} of {order.ordered_on.isoformat()}"
                )
            elif kind in (_BIRTHDAY, _SURVEY):
                occasion, template, reason = payload(kind, ref)
            else:
                occasion, template, reason = texts[ref]
            yield trusted_task(
                person.id,
                person.account_id,
                on,
                local_time,
                person.time_zone,
                channels[channel],
                kinds[kind],
                template,
                reason,
                occasion,
            )


def _part(values: Any, span: range) -> Any:
    """``values[span]`` for a numpy array (a reversed range stops before index 0)."""
    return values[span.start : span.stop if span.stop >= 0 else None : span.step]


def _ceiling_text(rules: CareRules) -> str:
    limits = ", ".join(f"{r.touches} in {r.days} days" for r in rules.ceiling)
    return f"the contact's frequency ceiling ({limits}) is full of higher-priority touches"
