"""Hypothesis strategies for every domain value, registered for ``st.from_type``.

Values are built field by field (no ``.filter`` on whole objects), so they shrink well.
Values with rules across fields (a complaint closed after it opened, a contact born
before it was recorded, a period that ends after it starts) have hand-written
strategies; every other attrs class of `accountcare.domain` gets one derived from its
field types and validators ([`derived`][accountcare.testing.strategies.derived]), so a new
simple value is covered the day it is added. `STRATEGIES` maps each class to its
strategy.

>>> from hypothesis import given, strategies as st
>>> from accountcare.domain import Contact
>>> @given(st.from_type(Contact))
... def test(contact):
...     assert contact.id
>>> test()
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import strategies as st

from accountcare.domain.activity import Complaint, Order
from accountcare.domain.book import Book
from accountcare.domain.cadence import Cadence, TierCadence
from accountcare.domain.calendars import WorkCalendar
from accountcare.domain.contacts import Birthday, ConsentEvent, Contact
from accountcare.domain.metrics import AccountMetrics
from accountcare.domain.outbox import RetryPolicy
from accountcare.domain.periods import Period
from accountcare.domain.tiers import TierAssignment, TierCutoffs, TierMigration, TierReason
from accountcare.domain.visits import UnplacedVisit, Utilisation, Visit
from accountcare.testing import visits as _visits  # noqa: F401  (registers visit values)
from accountcare.testing._strategies.book import (
    _metrics,
    birthdays,
    books,
    complaints,
    consent_events,
    contacts,
    orders,
    periods,
)
from accountcare.testing._strategies.fields import FIRST_DAY as FIRST_DAY
from accountcare.testing._strategies.fields import LAST_DAY as LAST_DAY
from accountcare.testing._strategies.fields import (
    STRATEGIES,
    account_ids,
    amounts,
    days,
    derived,
    domain_classes,
    instants,
    lines,
    money,
    strategy_for,
    texts,
)
from accountcare.testing._strategies.tiers import (
    _cutoffs,
    _migrations,
    _reasons,
    tier_assignments,
    tier_values,
)

__all__ = [
    "STRATEGIES",
    "account_ids",
    "amounts",
    "birthdays",
    "books",
    "complaints",
    "consent_events",
    "contacts",
    "days",
    "derived",
    "domain_classes",
    "instants",
    "lines",
    "money",
    "orders",
    "periods",
    "strategy_for",
    "texts",
    "tier_assignments",
    "tier_values",
]

_retry_policies = st.builds(
    RetryPolicy,
    max_attempts=st.integers(1, 10),
    first_delay=st.integers(1, 3600).map(lambda s: timedelta(seconds=s)),
    factor=st.floats(1, 4),
    max_delay=st.integers(1, 86400).map(lambda s: timedelta(seconds=s)),
)


# A visit's reason is one line and a left-out visit's detail free text, of any script.
_TIERS = st.none() | st.sampled_from(("A", "B", "C"))
_visits_placed = derived(Visit, reason=lines(max_size=20), tier=_TIERS)
_visits_left_out = derived(UnplacedVisit, detail=texts(max_size=20), tier=_TIERS)


_HAND_WRITTEN: dict[type, st.SearchStrategy[Any]] = {
    Birthday: birthdays(),
    Contact: contacts(),
    ConsentEvent: consent_events(),
    Complaint: complaints(),
    Order: orders(),
    Period: periods(),
    AccountMetrics: _metrics(),
    RetryPolicy: _retry_policies,
    Book: books(),
    TierReason: _reasons(),
    TierAssignment: tier_assignments(),
    TierCutoffs: _cutoffs(),
    TierMigration: _migrations(),
    Visit: _visits_placed,
    UnplacedVisit: _visits_left_out,
}
for _cls, _strategy in _HAND_WRITTEN.items():
    STRATEGIES[_cls] = _strategy
    st.register_type_strategy(_cls, _strategy)
for _cls in (WorkCalendar, TierCadence, Cadence, Utilisation):
    STRATEGIES[_cls] = st.from_type(_cls)
