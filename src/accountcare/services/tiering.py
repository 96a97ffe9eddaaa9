"""Use case: re-tier the book from its orders, and keep the result.

A tier run measures every account over the twelve months before ``as_of`` (revenue for
ABC and rank bands, margin for 20/60/20, the four scorecard criteria for ``score``),
runs the policy and stores the assignments under the policy's name and ``as_of``.

>>> from datetime import date
>>> from accountcare.adapters.memory import MemoryStore
>>> from accountcare.sample import sample_book
>>> from accountcare.services.book import save_book
>>> store = MemoryStore()
>>> save_book(store, sample_book(accounts=40, as_of=date(2026, 11, 2)))
>>> run = retier(store, "abc", as_of=date(2026, 11, 2))
>>> sorted(run.counts())
['A', 'B', 'C']
>>> len(store.tier_assignments("abc", date(2026, 11, 2))) == len(run.assignments)
True
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import attrs
from dateutil.relativedelta import relativedelta

from accountcare.domain.activity import Order
from accountcare.domain.book import Book
from accountcare.domain.periods import Period
from accountcare.domain.tiers import TierAssignment
from accountcare.errors import ConfigurationError
from accountcare.policies.health.metrics import account_metrics
from accountcare.policies.tiers.abc import AbcPolicy
from accountcare.policies.tiers.profitability import ProfitabilityPolicy
from accountcare.policies.tiers.rank_bands import RankBandPolicy
from accountcare.policies.tiers.scorecard import Scorecard, criterion_scores
from accountcare.ports.store import Batch, Store
from accountcare.services.book import load_book

__all__ = ["TIER_METHODS", "TierRun", "current_tiers", "policy_for", "retier", "tier_values"]

#: The tier methods the services know, and what each measures.
TIER_METHODS: Mapping[str, str] = {
    "abc": "ABC by cumulative share of revenue (80% / 15% / 5%)",
    "rank": "rank bands on revenue (top 5% A, up to 20% B, rest C)",
    "profit": "20/60/20 on margin (invest / retain / reduce)",
    "score": "weighted scorecard (history, contribution, cooperation years, potential)",
}

TierPolicyLike = AbcPolicy | RankBandPolicy | ProfitabilityPolicy | Scorecard
_DEFAULTS: Mapping[str, TierPolicyLike] = {
    "abc": AbcPolicy(),
    "rank": RankBandPolicy(),
    "profit": ProfitabilityPolicy(),
    "score": Scorecard(),
}


def policy_for(method: str) -> TierPolicyLike:
    """The default policy of ``method`` (one of :data:`TIER_METHODS`).

    >>> policy_for("rank").name
    'rank_bands'
    """
    try:
        return _DEFAULTS[method]
    except KeyError:
        known = ", ".join(TIER_METHODS)
        raise ConfigurationError(f"unknown tier method {method!r}; use one of {known}") from None


def tier_values(
    book: Book,
    method: str,
    *,
    as_of: date,
    months: int = 12,
    rates: Mapping[str, Decimal] | None = None,
) -> dict[str, Any]:
    """What ``method`` ranks, per account of ``book``, over the ``months`` before ``as_of``.

    Accounts without orders in the window count 0 (they still get a tier). Amounts in
    different currencies do not compare: a book with more than one currency in the
    window needs ``rates`` (currency -> value of one unit in the currency you report
    in), and each order's amount and margin are converted before they are summed.

    >>> from accountcare.domain import Account, Order
    >>> book = Book(accounts=[Account(id="a", name="A"), Account(id="b", name="B")],
    ...             orders=[Order("o1", "a", date(2026, 5, 1), Decimal(1000), currency="CNY"),
    ...                     Order("o2", "b", date(2026, 5, 1), Decimal(200), currency="USD")])
    >>> tier_values(book, "abc", as_of=date(2026, 11, 2))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    accountcare.errors.ConfigurationError: orders in the window are in CNY, USD: give rates...
    >>> tier_values(book, "abc", as_of=date(2026, 11, 2),
    ...             rates={"CNY": Decimal("0.14"), "USD": Decimal(1)})
    {'a': Decimal('140.00'), 'b': Decimal('200')}
    """
    policy_for(method)  # an unknown method fails before any work
    if months < 1:
        raise ConfigurationError(f"months must be at least 1, got {months}")
    period = Period(as_of - relativedelta(months=months), as_of)
    orders = [o for o in book.orders if period.start <= o.ordered_on < period.end]
    currencies = sorted({o.currency for o in orders})
    if rates is not None:
        orders = _converted(orders, rates)
    elif len(currencies) > 1:
        raise ConfigurationError(
            f"orders in the window are in {', '.join(currencies)}: give rates to convert "
            "them to one currency"
        )
    metrics = account_metrics(book.accounts, orders, book.complaints, period=period, as_of=as_of)
    if method in ("abc", "rank"):
        return {a: m.revenue for a, m in metrics.items()}
    if method == "profit":
        return {a: m.margin for a, m in metrics.items()}
    scores = criterion_scores(metrics, book.accounts)
    card = Scorecard()
    return {a: card.rate(a, **s).score for a, s in scores.items()}


def _converted(orders: list[Order], rates: Mapping[str, Decimal]) -> list[Order]:
    missing = sorted({o.currency for o in orders} - set(rates))
    if missing:
        raise ConfigurationError(f"no rate given for {', '.join(missing)}")
    for currency, rate in rates.items():
        if not isinstance(rate, Decimal) or not rate.is_finite() or rate <= 0:
            raise ConfigurationError(
                f"the rate of {currency} must be a positive Decimal, got {rate!r}"
            )
    return [
        attrs.evolve(
            o,
            amount=o.amount * rates[o.currency],
            margin=None if o.margin is None else o.margin * rates[o.currency],
        )
        for o in orders
    ]


@attrs.frozen
class TierRun:
    """One tier run: the policy's name, the day, the values ranked and the assignments."""

    policy: str
    as_of: date
    values: Mapping[str, Any]
    assignments: Mapping[str, TierAssignment]

    def labels(self) -> dict[str, str]:
        """Account id -> tier label."""
        return {a: t.tier for a, t in self.assignments.items()}

    def counts(self) -> dict[str, int]:
        """Tier label -> number of accounts, by label."""
        counts: dict[str, int] = {}
        for assignment in self.assignments.values():
            counts[assignment.tier] = counts.get(assignment.tier, 0) + 1
        return dict(sorted(counts.items()))


def retier(
    store: Store,
    method: str = "abc",
    *,
    as_of: date,
    months: int = 12,
    save: bool = True,
    book: Book | None = None,
    rates: Mapping[str, Decimal] | None = None,
) -> TierRun:
    """Tier every stored account with ``method`` as of ``as_of``; store the assignments
    (all or nothing) unless ``save=False``. Pass ``book`` when it is already loaded, and
    ``rates`` when its orders are in more than one currency (see :func:`tier_values`)."""
    policy = policy_for(method)
    book = load_book(store) if book is None else book
    values = tier_values(book, method, as_of=as_of, months=months, rates=rates)
    assignments = policy.assign(values) if values else {}
    if save and assignments:
        store.write(Batch(tiers={as_of: list(assignments.values())}))
    return TierRun(policy.name, as_of, values, assignments)


def current_tiers(
    store: Store,
    *,
    as_of: date,
    method: str = "abc",
    book: Book | None = None,
    rates: Mapping[str, Decimal] | None = None,
) -> dict[str, str]:
    """The tiers stored for ``method`` on ``as_of``, else computed now (and not stored)."""
    policy = policy_for(method)
    stored = store.tier_assignments(policy.name, as_of)
    if stored:
        return {a.account_id: a.tier for a in stored}
    return retier(store, method, as_of=as_of, save=False, book=book, rates=rates).labels()
