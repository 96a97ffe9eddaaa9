"""Use case: the Monday review of the book: health of every account and early warnings.

Health is scored as of ``as_of`` from contacts, interactions, complaints and tiers (and,
when a stored visit plan is named, how many of its visits are done). Early warning
compares the ``months`` before ``as_of`` with the ``months`` before those.

>>> from datetime import date
>>> from accountcare.adapters.memory import MemoryStore
>>> from accountcare.sample import sample_book
>>> from accountcare.services.book import save_book
>>> store = MemoryStore()
>>> save_book(store, sample_book(accounts=30, as_of=date(2026, 11, 2)))
>>> review = review_book(store, as_of=date(2026, 11, 2))
>>> len(review.health) == 30, all(0 <= h.score <= 100 for h in review.health.values())
(True, True)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date
from decimal import Decimal

import attrs
from dateutil.relativedelta import relativedelta

from accountcare.domain.activity import InteractionKind
from accountcare.domain.book import Book
from accountcare.domain.health import HealthScore
from accountcare.domain.periods import Period
from accountcare.domain.warnings import Alert
from accountcare.errors import ConfigurationError
from accountcare.policies.health.assessment import health_scores
from accountcare.policies.health.early_warning import (
    DEFAULT_EARLY_WARNING,
    EarlyWarningPolicy,
    early_warnings,
)
from accountcare.ports.store import BookReader
from accountcare.services.book import load_book
from accountcare.services.tiering import current_tiers

__all__ = ["Review", "review_book", "review_periods"]


@attrs.frozen
class Review:
    """Health per account (id order) and the early-warning alerts of one review."""

    as_of: date
    previous: Period
    current: Period
    health: Mapping[str, HealthScore]
    alerts: tuple[Alert, ...]

    def weakest(self, n: int = 10) -> tuple[HealthScore, ...]:
        """The ``n`` lowest health scores, lowest first (ties by account id)."""
        return tuple(sorted(self.health.values(), key=lambda h: (h.score, h.account_id))[:n])


def review_periods(as_of: date, months: int = 3) -> tuple[Period, Period]:
    """The two back-to-back periods an early-warning review compares.

    >>> previous, current = review_periods(date(2026, 11, 2), months=3)
    >>> str(previous), str(current)
    ('[2026-05-02, 2026-08-02)', '[2026-08-02, 2026-11-02)')
    """
    if months < 1:
        raise ConfigurationError(f"months must be at least 1, got {months}")
    middle = as_of - relativedelta(months=months)
    return Period(middle - relativedelta(months=months), middle), Period(middle, as_of)


def review_book(
    store: BookReader,
    *,
    as_of: date,
    months: int = 3,
    tiers: Mapping[str, str] | None = None,
    plan: str | None = None,
    policy: EarlyWarningPolicy = DEFAULT_EARLY_WARNING,
    book: Book | None = None,
    rates: Mapping[str, Decimal] | None = None,
) -> Review:
    """Health and early warnings for every stored account as of ``as_of``.

    ``tiers`` default to the ABC tiers as of ``as_of`` (computed with ``rates`` for a book
    in several currencies); ``plan`` names a stored visit
    plan whose visits up to ``as_of`` count as planned (and, when a visit interaction
    of the same account and day exists, as done). Pass ``book`` when it is already loaded.
    """
    previous, current = review_periods(as_of, months)
    # Tiers come from the book given, else from the store (their own window of orders).
    labels = (
        dict(tiers)
        if tiers is not None
        else current_tiers(store, as_of=as_of, book=book, rates=rates)
    )
    if book is None:  # every order: the usual interval between orders spans the history
        book = load_book(store)
    account_tiers: dict[str, str | None] = {a.id: labels.get(a.id) for a in book.accounts}
    health = health_scores(
        book.contacts,
        book.interactions,
        book.complaints,
        as_of=as_of,
        tiers=account_tiers,
        visits=None if plan is None else _visits_done(store, plan, book, as_of),
    )
    alerts = early_warnings(
        book.orders, book.complaints, previous=previous, current=current, policy=policy
    )
    return Review(as_of, previous, current, health, alerts)


def _visits_done(
    store: BookReader, plan: str, book: Book, as_of: date
) -> dict[str, tuple[int, int]]:
    """Per account, the stored plan's visits before ``as_of`` (planned) and those with a
    visit interaction of the same account and day (done)."""
    stored = store.visit_plan(plan)
    if stored is None:
        raise ConfigurationError(f"no visit plan named {plan!r} is stored")
    seen = {
        (i.account_id, i.occurred_at.date())
        for i in book.interactions
        if i.kind is InteractionKind.VISIT
    }
    due = [visit for visit in stored.visits if visit.on < as_of]
    planned = Counter(visit.account_id for visit in due)
    done = Counter(visit.account_id for visit in due if (visit.account_id, visit.on) in seen)
    return {account: (n, done[account]) for account, n in planned.items()}
