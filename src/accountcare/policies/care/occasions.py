"""The occasions for care: every candidate touch, before channels and the ceiling.

Each kind of touch has a rule (DOMAIN.md section 5), applied to absolute dates so that
a touch does not depend on the window that asked for it (window additivity):

- birthday: each year's birthday (29 February on the rules' day in common years);
- holiday greeting and pre-holiday gift: the country's greeting days
  (:mod:`accountcare.policies.care.holiday_greetings`) plus the user's extra days; gifts go
  ``gift_days_before`` ahead, to key contacts of accounts in ``gift_tiers`` or strategic;
- relationship call: per account every ``call_every_days`` of its tier, on a fixed grid
  (anchored at the last call when given, else at a phase derived from the account id),
  rotating over the account's contacts in ``call_layers`` (all its contacts if none);
- after-sale: usage check and feedback after each order (refunds get none), to the
  account's after-sale contact (users first, then technical, purchasing...);
- complaint follow-up: the complaint's contact (or the after-sale contact) within the
  SLA of its severity, counted from the day it opened in the contact's time zone;
- survey: each year on ``survey_on`` to key contacts of accounts in ``survey_tiers`` or
  strategic;
- re-verification: the day a verified field turns stale (``reverify_after_days``);
  fields already stale when a first window starts are asked about on its first day;
- events: on the event's day to the contacts it reaches.

A candidate is a tuple ``(day, rank, kind index, occasion, template, reason, kind)``
with ``day`` a ``date.toordinal()``; sorting candidates sorts them by day, then priority.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from accountcare.domain.accounts import Account
from accountcare.domain.activity import Complaint, Order
from accountcare.domain.cadence import Cadence
from accountcare.domain.care import CareKind
from accountcare.domain.care_rules import CareEvent, CareRules, ExtraHoliday
from accountcare.domain.contacts import Contact, ContactRole, RelationshipLayer
from accountcare.policies.care.birthdays import birthday_occurrences
from accountcare.policies.care.holiday_greetings import greeting_days

__all__ = ["AFTER_SALE_ROLES", "PRIORITY", "Candidate", "Occasions", "after_sale_contact"]

# Priority from the issue: birthday > complaint follow-up > after-sale > holiday > call
# > survey > marketing. Re-verification is internal and last.
PRIORITY: Mapping[CareKind, int] = {
    CareKind.BIRTHDAY: 0,
    CareKind.COMPLAINT_FOLLOW_UP: 1,
    CareKind.AFTER_SALE_USAGE: 2,
    CareKind.AFTER_SALE_FEEDBACK: 2,
    CareKind.HOLIDAY_GREETING: 3,
    CareKind.HOLIDAY_GIFT: 3,
    CareKind.RELATIONSHIP_CALL: 4,
    CareKind.SURVEY: 5,
    CareKind.EVENT: 6,
    CareKind.REVERIFICATION: 7,
}
LOWEST_COUNTED_RANK = 6
_INDEX = {kind: n for n, kind in enumerate(CareKind)}
_ZERO = Decimal(0)

# Who hears after-sale questions first: the people using what was bought.
AFTER_SALE_ROLES: tuple[ContactRole, ...] = (
    ContactRole.USER,
    ContactRole.TECHNICAL,
    ContactRole.PURCHASING,
    ContactRole.DECISION_MAKER,
    ContactRole.CHAMPION,
    ContactRole.INFLUENCER,
    ContactRole.FINANCE,
    ContactRole.STAFF,
    ContactRole.EXECUTIVE,
    ContactRole.OTHER,
)
_ROLE_RANK = {role: n for n, role in enumerate(AFTER_SALE_ROLES)}

Candidate = tuple[int, int, int, str, str, str, CareKind]


def after_sale_contact(contacts: Sequence[Contact]) -> Contact | None:
    """The contact after-sale questions go to: by role (users first), then by id."""
    if not contacts:
        return None
    return min(contacts, key=lambda c: (_ROLE_RANK[c.role], c.id))


def _candidate(kind: CareKind, day: int, occasion: str, template: str, reason: str) -> Candidate:
    return (day, PRIORITY[kind], _INDEX[kind], occasion, template, reason, kind)


class Occasions:
    """Collects candidates per contact id for ``[start, end)`` plus each rank's lookahead."""

    def __init__(
        self,
        contacts: Sequence[Contact],
        start: date,
        end: date,
        rules: CareRules,
        lookahead: int,
    ) -> None:
        self.rules = rules
        self.start = start.toordinal()
        # Candidates of rank r are needed until end + (lowest rank - r) * lookahead.
        self.limits = [
            end.toordinal() + max(0, LOWEST_COUNTED_RANK - rank) * lookahead for rank in range(8)
        ]
        self.by_contact: dict[str, list[Candidate]] = {c.id: [] for c in contacts}
        self.by_account: dict[str, list[Contact]] = {}
        for contact in contacts:
            self.by_account.setdefault(contact.account_id, []).append(contact)

    def _add(self, contact_id: str, kind: CareKind, day: int, occ: str, tpl: str, why: str) -> None:
        if self.start <= day < self.limits[PRIORITY[kind]]:
            self.by_contact[contact_id].append(_candidate(kind, day, occ, tpl, why))

    def birthdays(self, contacts: Iterable[Contact]) -> None:
        start = date.fromordinal(self.start)
        end = date.fromordinal(self.limits[PRIORITY[CareKind.BIRTHDAY]])
        leap = self.rules.leap_day_in_common_years
        found = self.by_contact
        rank, index, kind = (
            PRIORITY[CareKind.BIRTHDAY],
            _INDEX[CareKind.BIRTHDAY],
            CareKind.BIRTHDAY,
        )
        for contact in contacts:
            if contact.birthday is None:
                continue
            why = f"birthday {contact.birthday.isoformat()}"
            for on in birthday_occurrences(contact.birthday, start, end, leap):
                found[contact.id].append((on.toordinal(), rank, index, "", "birthday", why, kind))

    def holidays(
        self,
        contacts: Iterable[Contact],
        extra: Sequence[ExtraHoliday],
        gift_accounts: frozenset[str],
    ) -> None:
        rank = PRIORITY[CareKind.HOLIDAY_GREETING]
        limit = self.limits[rank]
        first, last = date.fromordinal(self.start).year, date.fromordinal(limit).year
        gift_keys = self.rules.gift_holidays | {h.key for h in extra if h.gift}
        before = self.rules.gift_days_before
        per_country: dict[str, tuple[list[Candidate], list[Candidate]]] = {}
        layers = self.rules.call_layers
        for contact in contacts:
            country = contact.country
            if country not in per_country:
                greetings: list[Candidate] = []
                gifts: list[Candidate] = []
                for year in range(first, last + 1):
                    for on, key, name in greeting_days(country, year, extra):
                        day = on.toordinal()
                        why = f"{name} ({on.isoformat()}) in {country}"
                        if self.start <= day < limit:
                            greetings.append(
                                _candidate(
                                    CareKind.HOLIDAY_GREETING, day, key, f"holiday.{key}", why
                                )
                            )
                        if key in gift_keys and self.start <= day - before < limit:
                            gifts.append(
                                _candidate(
                                    CareKind.HOLIDAY_GIFT, day - before, key, f"gift.{key}", why
                                )
                            )
                per_country[country] = (greetings, gifts)
            greetings, gifts = per_country[country]
            found = self.by_contact[contact.id]
            found.extend(greetings)
            if gifts and contact.account_id in gift_accounts and contact.layer in layers:
                found.extend(gifts)

    def calls(
        self,
        tiers: Mapping[str, str],
        cadence: Cadence,
        last_calls: Mapping[str, date],
    ) -> None:
        layers = self.rules.call_layers
        kind = CareKind.RELATIONSHIP_CALL
        rank, index, limit = PRIORITY[kind], _INDEX[kind], self.limits[PRIORITY[kind]]
        for account_id in sorted(self.by_account):
            rhythm = cadence.for_tier(tiers.get(account_id))
            if rhythm is None:
                continue
            members = self.by_account[account_id]
            chosen = sorted(
                [c for c in members if c.layer in layers] or members, key=lambda c: c.id
            )
            every = rhythm.call_every_days
            last = last_calls.get(account_id)
            if last is not None:
                anchor = last.toordinal() + every
                first = max(anchor, anchor + -(-(self.start - anchor) // every) * every)
                why = f"call every {every} days for tier {rhythm.tier}, last {last.isoformat()}"
            else:
                anchor = zlib.crc32(account_id.encode()) % every
                first = self.start + (anchor - self.start) % every
                why = f"call every {every} days for tier {rhythm.tier}"
            template = f"call.{rhythm.tier}"
            buckets = [self.by_contact[c.id] for c in chosen]
            size = len(buckets)
            for day in range(max(first, self.start), limit, every):
                buckets[((day - anchor) // every) % size].append(
                    (day, rank, index, "", template, why, kind)
                )

    def after_sales(self, orders: Iterable[Order]) -> None:
        rules = self.rules
        usage, feedback = rules.usage_check_days, rules.feedback_days
        chosen = {a: after_sale_contact(m) for a, m in self.by_account.items()}
        start = self.start
        limit = self.limits[PRIORITY[CareKind.AFTER_SALE_USAGE]]
        found = self.by_contact
        rank, u_index, f_index = (
            PRIORITY[CareKind.AFTER_SALE_USAGE],
            _INDEX[CareKind.AFTER_SALE_USAGE],
            _INDEX[CareKind.AFTER_SALE_FEEDBACK],
        )
        u_kind, f_kind = CareKind.AFTER_SALE_USAGE, CareKind.AFTER_SALE_FEEDBACK
        for order in orders:
            contact = chosen.get(order.account_id)
            if contact is None or order.amount <= _ZERO:
                continue
            placed = order.ordered_on.toordinal()
            if placed + feedback < start or placed + usage >= limit:
                continue
            why = f"order {order.id} of {order.ordered_on.isoformat()}"
            bucket = found[contact.id]
            if start <= placed + usage < limit:
                bucket.append(
                    (placed + usage, rank, u_index, order.id, "after_sale.usage", why, u_kind)
                )
            if start <= placed + feedback < limit:
                bucket.append(
                    (placed + feedback, rank, f_index, order.id, "after_sale.feedback", why, f_kind)
                )

    def complaints(self, complaints: Iterable[Complaint], contacts: Mapping[str, Contact]) -> None:
        sla = self.rules.complaint_sla_days
        for complaint in complaints:
            contact = contacts.get(complaint.contact_id or "")
            if contact is None or contact.account_id != complaint.account_id:
                contact = after_sale_contact(self.by_account.get(complaint.account_id, ()))
            if contact is None:
                continue
            opened = complaint.opened_at.astimezone(ZoneInfo(contact.time_zone)).date()
            days = sla[complaint.severity]
            day = opened.toordinal() + days
            why = f"complaint {complaint.id} opened {opened.isoformat()}: SLA {days} days"
            template = f"complaint.{complaint.severity.value}"
            self._add(contact.id, CareKind.COMPLAINT_FOLLOW_UP, day, complaint.id, template, why)

    def surveys(self, accounts: Mapping[str, Account], tiers: Mapping[str, str]) -> None:
        rules = self.rules
        limit = self.limits[PRIORITY[CareKind.SURVEY]]
        month, day = rules.survey_on
        years = range(date.fromordinal(self.start).year, date.fromordinal(limit).year + 1)
        for account_id in sorted(self.by_account):
            account = accounts.get(account_id)
            strategic = account is not None and account.strategic and rules.survey_strategic
            if not strategic and tiers.get(account_id) not in rules.survey_tiers:
                continue
            for contact in self.by_account[account_id]:
                if contact.layer is not RelationshipLayer.KEY:
                    continue
                for year in years:
                    on = date(year, month, day)
                    why = f"annual survey of key account {account_id}"
                    self._add(contact.id, CareKind.SURVEY, on.toordinal(), str(year), "survey", why)

    def reverifications(self, contacts: Iterable[Contact], first_window: bool) -> None:
        after = self.rules.reverify_after_days
        for contact in contacts:
            stale: dict[int, list[str]] = {}
            for field, verified in contact.verified:
                day = verified.toordinal() + after
                if day < self.start:
                    if not first_window:
                        continue
                    day = self.start
                stale.setdefault(day, []).append(field)
            for day, fields in stale.items():
                names = ",".join(fields)
                why = f"{names} verified more than {after} days ago"
                self._add(contact.id, CareKind.REVERIFICATION, day, names, "reverify", why)

    def events(self, events: Iterable[CareEvent], contacts: Iterable[Contact]) -> None:
        listed = sorted(events, key=lambda e: e.id)
        for contact in contacts:
            for event in listed:
                if event.reaches(contact.id, contact.account_id):
                    why = event.description or f"{event.kind.value} on {event.on.isoformat()}"
                    day = event.on.toordinal()
                    self._add(contact.id, CareKind.EVENT, day, event.id, event.template, why)
