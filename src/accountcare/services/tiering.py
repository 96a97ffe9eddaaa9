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

from collections import Counter
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import attrs
from dateutil.relativedelta import relativedelta

from accountcare.domain._html import html_table
from accountcare.domain.accounts import Account
from accountcare.domain.activity import order_totals
from accountcare.domain.book import Book
from accountcare.domain.periods import Period
from accountcare.domain.tiers import TierAssignment
from accountcare.errors import ConfigurationError
from accountcare.policies.tiers.abc import AbcPolicy
from accountcare.policies.tiers.measures import MEASURES, sales_values, score_values
from accountcare.policies.tiers.profitability import ProfitabilityPolicy
from accountcare.policies.tiers.rank_bands import RankBandPolicy
from accountcare.policies.tiers.scorecard import Scorecard
from accountcare.ports.store import Batch, BookReader, UnitOfWork

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
    """The default policy of ``method`` (one of `TIER_METHODS`).

    >>> policy_for("rank").name
    'rank_bands'
    """
    try:
        return _DEFAULTS[method]
    except KeyError:
        known = ", ".join(TIER_METHODS)
        raise ConfigurationError(f"unknown tier method {method!r}; use one of {known}") from None


def tier_values(
    source: Book | BookReader,
    method: str,
    *,
    as_of: date,
    months: int = 12,
    rates: Mapping[str, Decimal] | None = None,
) -> dict[str, Any]:
    """What ``method`` ranks, per account, over the ``months`` before ``as_of``.

    ``source`` is a loaded [`Book`][accountcare.domain.book.Book] or a store's read
    side: from a store, the accounts and their order totals in the window (summed by
    the database on a server) are read, two statements whatever the size of the book;
    the scorecard rates the same sales and margin, the years of cooperation and the
    potential. Accounts without orders in the window count 0 (they still get a tier). A
    window with orders in more than one currency needs ``rates`` (see
    [`measures`][accountcare.policies.tiers.measures]).

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
    return _measured(source, method, as_of=as_of, months=months, rates=rates)[1]


def _measured(
    source: Book | BookReader,
    method: str,
    *,
    as_of: date,
    months: int,
    rates: Mapping[str, Decimal] | None,
) -> tuple[tuple[Account, ...], dict[str, Any]]:
    """The accounts of ``source`` and what ``method`` ranks for each (see
    [`tier_values`][accountcare.services.tiering.tier_values])."""
    policy_for(method)  # an unknown method fails before any work
    if months < 1:
        raise ConfigurationError(f"months must be at least 1, got {months}")
    period = Period(as_of - relativedelta(months=months), as_of)
    if isinstance(source, Book):
        accounts = source.accounts
        totals = order_totals(o for o in source.orders if period.start <= o.ordered_on < period.end)
    else:
        accounts = source.accounts()
        totals = source.order_totals(period.start, period.end)
    measure = MEASURES.get(method)
    if measure is not None:
        ids = [a.id for a in accounts]
        return accounts, sales_values(ids, totals, measure=measure, rates=rates)
    return accounts, score_values(accounts, totals, period=period, as_of=as_of, rates=rates)


@attrs.frozen
class TierRun:
    """One tier run: the policy's name, the day, the values ranked and the assignments,
    and the names of the accounts tiered (a notebook shows them beside the ids).

    >>> from accountcare.adapters.memory import MemoryStore
    >>> from accountcare.domain import Account, Order
    >>> store = MemoryStore()
    >>> _ = store.write(Batch(accounts=[Account(id="C1001", name="华东电子"),
    ...     Account(id="C1002", name="Pengcheng <Logistics>")],
    ...     orders=[Order("o-1", "C1001", date(2026, 5, 1), Decimal(900)),
    ...             Order("o-2", "C1002", date(2026, 5, 1), Decimal(100))]))
    >>> run = retier(store, "abc", as_of=date(2026, 11, 2), save=False)
    >>> html = run._repr_html_()
    >>> "华东电子" in html, "Pengcheng &lt;Logistics&gt;" in html, "90.0%" in html
    (True, True, True)
    >>> html.index("华东电子") < html.index("Pengcheng")  # best first
    True
    """

    policy: str
    as_of: date
    values: Mapping[str, Any]
    assignments: Mapping[str, TierAssignment]
    names: Mapping[str, str] = attrs.field(factory=dict)

    def _repr_html_(self) -> str:
        """The run as a table in Jupyter, best first: rank, account id and name, tier,
        the value ranked, the share of the total ranked above the account (for the
        policies that rank shares), and the rule."""
        ranked = sorted(
            self.assignments.values(),
            key=lambda a: (a.reason.rank if a.reason.rank is not None else 0, a.account_id),
        )

        rows = (
            (
                got.reason.rank,
                got.account_id,
                self.names.get(got.account_id, ""),
                got.tier,
                got.reason.value,
                got.reason.share_before,
                got.reason.rule,
            )
            for got in ranked
        )
        counts = ", ".join(f"{tier} {n:,}" for tier, n in self.counts().items())
        return html_table(
            ("rank", "account", "name", "tier", "value", "share before", "rule"),
            rows,
            caption=f"{self.policy} tiers of {len(ranked):,} accounts on {self.as_of}: {counts}",
            total=len(ranked),
            shares={"share before"},
        )

    def labels(self) -> dict[str, str]:
        """Account id -> tier label."""
        return {a: t.tier for a, t in self.assignments.items()}

    def counts(self) -> dict[str, int]:
        """Tier label -> number of accounts, by label."""
        return dict(sorted(Counter(a.tier for a in self.assignments.values()).items()))


def retier(
    store: BookReader,
    method: str = "abc",
    *,
    as_of: date,
    months: int = 12,
    save: bool = True,
    book: Book | None = None,
    rates: Mapping[str, Decimal] | None = None,
) -> TierRun:
    """Tier every stored account with ``method`` as of ``as_of``; store the assignments
    (all or nothing) unless ``save=False``, when the read side of a store is enough.
    Pass ``book`` when it is already loaded, and ``rates`` when its orders are in more
    than one currency (see [`tier_values`][accountcare.services.tiering.tier_values])."""
    policy = policy_for(method)
    if save and not isinstance(store, UnitOfWork):
        raise ConfigurationError(
            f"{type(store).__name__} cannot write the tiers: pass save=False, or a store "
            "with a write(batch) method"
        )
    accounts, values = _measured(
        store if book is None else book, method, as_of=as_of, months=months, rates=rates
    )
    assignments = policy.assign(values) if values else {}
    if save and assignments and isinstance(store, UnitOfWork):
        store.write(Batch(tiers={as_of: list(assignments.values())}))
    names = {a.id: a.name for a in accounts}
    return TierRun(policy.name, as_of, values, assignments, names)


def current_tiers(
    store: BookReader,
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
