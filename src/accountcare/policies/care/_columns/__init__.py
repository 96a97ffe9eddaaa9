"""The care scheduler on numpy columns: the reference's schedule, without its objects.

:func:`accountcare.policies.care.schedule.schedule_care` runs this when numpy is installed; without
numpy it runs the reference scheduler (:mod:`accountcare.policies.care.schedule`), which builds
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

The steps by module: ``candidates`` holds the book and the candidate columns with their
sort (steps 1 and 2), ``occasions`` makes each occasion's candidates (step 1),
``decision`` orders ties, routes, drops and carries (steps 2, 3 and 5), ``ceiling``
refuses (step 4), ``table`` builds the lazy views (step 5), and ``codes`` holds the
integers the columns keep for kinds, channels and drop reasons.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from accountcare.domain.accounts import Account
from accountcare.domain.activity import Complaint, Order
from accountcare.domain.cadence import Cadence
from accountcare.domain.care import CareKind, CareSchedule, CareState
from accountcare.domain.care_rules import CareEvent, CareRules, ExtraHoliday
from accountcare.domain.contacts import Contact
from accountcare.policies.care._columns.candidates import _Book, _Candidates
from accountcare.policies.care._columns.decision import _decide
from accountcare.policies.care._columns.occasions import (
    _after_sales,
    _birthdays,
    _calls,
    _complaints,
    _events,
    _holidays,
    _reverifications,
    _surveys,
)
from accountcare.policies.care.occasions import LOWEST_COUNTED_RANK, PRIORITY

__all__ = ["schedule_columns"]


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
    """The schedule of `schedule_care` (its inputs already checked)."""
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
