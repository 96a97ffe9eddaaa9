"""Use case: plan the visits of the next weeks from what the store knows, and keep the plan.

>>> from datetime import date
>>> from accountcare.adapters.memory import MemoryStore
>>> from accountcare.sample import sample_book
>>> from accountcare.services.book import save_book
>>> store = MemoryStore()
>>> save_book(store, sample_book(accounts=30, as_of=date(2026, 11, 2)))
>>> plan = plan_and_save(store, {a.id: "B" for a in store.accounts()},
...                      start=date(2026, 11, 2), weeks=4, name="nov")
>>> store.visit_plan("nov") == plan, len(plan.visits) > 0
(True, True)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from accountcare.domain.book import Book
from accountcare.domain.cadence import DEFAULT_CADENCE, Cadence
from accountcare.domain.calendars import WorkCalendar
from accountcare.domain.tiers import Priority
from accountcare.domain.visits import VisitPlan
from accountcare.policies.tiers.priority import DEFAULT_PRIORITY, PriorityPolicy
from accountcare.policies.visits.planner import plan_visits
from accountcare.ports.store import Batch, Store
from accountcare.services.book import default_calendars, load_book

__all__ = ["plan_and_save", "plan_name"]


def plan_name(rep: str | None = None, base: str = "current") -> str:
    """The name a plan is stored under by default: ``base`` for the team, ``base-REP`` for
    one rep's plan, so that planning one rep never replaces the team's plan.

    >>> plan_name(), plan_name("rep-01")
    ('current', 'current-rep-01')
    """
    return base if rep is None else f"{base}-{rep}"


def plan_and_save(
    store: Store,
    tiers: Mapping[str, str],
    *,
    start: date,
    weeks: int,
    name: str,
    calendars: Iterable[WorkCalendar] | None = None,
    cadence: Cadence = DEFAULT_CADENCE,
    priorities: Mapping[str, Priority] | None = None,
    priority_policy: PriorityPolicy = DEFAULT_PRIORITY,
    rep: str | None = None,
    book: Book | None = None,
) -> VisitPlan:
    """Plan ``weeks`` weeks from ``start`` for every rep (or only ``rep``), save the plan
    under ``name`` and return it. Give a rep's plan a name of its own
    ([`plan_name`][accountcare.services.planning.plan_name]): a plan stored under a name
    replaces the one stored there.

    ``calendars`` default to
    [`default_calendars`][accountcare.services.book.default_calendars]; ``priorities`` and
    ``priority_policy`` decide who is served first, as in
    [`plan_visits`][accountcare.policies.visits.planner.plan_visits]. Pass ``book`` when
    it is already loaded.
    """
    book = load_book(store, orders=False) if book is None else book
    accounts = [a for a in book.accounts if rep is None or a.owner == rep]
    wanted = {a.id for a in accounts}
    plan = plan_visits(
        accounts,
        {k: v for k, v in tiers.items() if k in wanted},
        tuple(calendars) if calendars is not None else default_calendars(book),
        start=start,
        weeks=weeks,
        cadence=cadence,
        interactions=[i for i in book.interactions if i.account_id in wanted],
        complaints=[c for c in book.complaints if c.account_id in wanted],
        priorities=priorities,
        priority_policy=priority_policy,
    )
    store.write(Batch(visit_plans={name: plan}))
    return plan
