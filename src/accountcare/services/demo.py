"""Use case: the whole job on a generated book, as ``accountcare demo`` runs it.

>>> from datetime import date
>>> from accountcare.adapters.memory import MemoryStore
>>> report = run_demo(MemoryStore(), accounts=30, as_of=date(2026, 11, 2))
>>> report.accounts, sum(report.tiers.counts().values())
(30, 30)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import attrs

from accountcare.domain.visits import VisitPlan
from accountcare.ports.store import Store
from accountcare.sample import sample_book
from accountcare.services.book import save_book
from accountcare.services.care import CareRun, schedule_and_enqueue
from accountcare.services.planning import plan_and_save
from accountcare.services.review import Review, review_book
from accountcare.services.tiering import TierRun, retier

__all__ = ["DemoReport", "run_demo"]


@attrs.frozen
class DemoReport:
    """What the demo stored and decided."""

    accounts: int
    contacts: int
    orders: int
    tiers: TierRun
    plan: VisitPlan
    care: CareRun
    review: Review


def run_demo(
    store: Store,
    *,
    accounts: int = 2_000,
    as_of: date,
    weeks: int = 4,
    care_days: int = 30,
    seed: int = 20261122,
    name: str = "demo",
    progress: Callable[[str], None] | None = None,
) -> DemoReport:
    """Store a sample book of ``accounts`` accounts, then tier it (ABC), plan ``weeks``
    weeks of visits, schedule and queue ``care_days`` days of care, and review it.

    The plan and the schedule are stored under ``name``.
    """
    say = progress or (lambda _: None)
    say("generating the sample book")
    book = sample_book(accounts=accounts, as_of=as_of, seed=seed)
    say("storing the book")
    save_book(store, book)
    say("tiering (ABC on 12 months of revenue)")
    tiers = retier(store, "abc", as_of=as_of, book=book)
    say(f"planning {weeks} weeks of visits")
    plan = plan_and_save(store, tiers.labels(), start=as_of, weeks=weeks, name=name, book=book)
    say(f"scheduling {care_days} days of care")
    care = schedule_and_enqueue(
        store,
        start=as_of,
        end=as_of + timedelta(days=care_days),
        name=name,
        tiers=tiers.labels(),
        book=book,
    )
    say("reviewing health and early warnings")
    review = review_book(store, as_of=as_of, tiers=tiers.labels(), plan=name, book=book)
    return DemoReport(
        len(book.accounts), len(book.contacts), len(book.orders), tiers, plan, care, review
    )
