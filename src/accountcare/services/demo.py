"""Use case: the whole job on a generated book, as ``accountcare demo`` runs it.

The demo works on a copy in memory and writes what it made (the book, the tiers, the plan,
the schedule and its messages) to the store in one transaction: a demo that fails leaves
the store as it was. It refuses a store holding records it did not create, so a real book
is never mixed with the sample's.

>>> from datetime import date
>>> from accountcare.adapters.memory import MemoryStore
>>> report = run_demo(MemoryStore(), accounts=30, as_of=date(2026, 11, 2))
>>> report.accounts, sum(report.tiers.counts().values())
(30, 30)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from itertools import chain

import attrs

from accountcare.domain import Account, Complaint, Contact, Interaction, Order
from accountcare.domain.visits import VisitPlan
from accountcare.errors import ConfigurationError
from accountcare.ports.store import Batch, Store
from accountcare.sample import SAMPLE_COMPANY, is_sample, sample_book, sample_team
from accountcare.services.book import load_book, save_book
from accountcare.services.care import CareRun, schedule_and_enqueue
from accountcare.services.planning import plan_and_save
from accountcare.services.review import Review, review_book
from accountcare.services.tiering import TierRun, retier

__all__ = ["DemoReport", "ForeignStore", "foreign_records", "run_demo"]


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


class ForeignStore(ConfigurationError):
    """The store holds records the demo did not create; ``found`` names them.

    >>> error = ForeignStore(("Account 'acme'",))
    >>> error.found, str(error)
    (("Account 'acme'",), "the store holds 1 record the demo did not create (Account 'acme')")
    """

    def __init__(self, found: tuple[str, ...]) -> None:
        self.found = found
        shown = ", ".join(found[:3]) + (f" and {len(found) - 3:,} more" if len(found) > 3 else "")
        records = "record" if len(found) == 1 else "records"
        super().__init__(
            f"the store holds {len(found):,} {records} the demo did not create ({shown})"
        )


def foreign_records(store: Store) -> tuple[str, ...]:
    """The records of ``store`` that no sample book holds (see
    [`is_sample`][accountcare.sample.is_sample]), named like ``"Account 'acme'"``: what a
    demo would mix the sample with.

    >>> from accountcare.adapters.memory import MemoryStore
    >>> from accountcare.domain import Account
    >>> store = MemoryStore()
    >>> _ = store.write(Batch(accounts=[Account(id="acme", name="Acme")]))
    >>> foreign_records(store)
    ("Account 'acme'",)
    """
    book = load_book(store)
    records: Iterable[Account | Contact | Order | Interaction | Complaint] = chain(
        book.accounts, book.contacts, book.orders, book.interactions, book.complaints
    )
    found = [
        f"{type(record).__name__} {record.id!r}" for record in records if not is_sample(record)
    ]
    found.extend(f"Rep {rep.id!r}" for rep in store.reps() if not is_sample(rep))
    company = store.company()
    if company is not None and not is_sample(company):
        found.append(f"Company {company.name!r}")
    return tuple(found)


def run_demo(
    store: Store,
    *,
    accounts: int = 2_000,
    as_of: date,
    weeks: int = 4,
    care_days: int = 30,
    seed: int = 20261122,
    name: str = "demo",
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> DemoReport:
    """Store a sample book of ``accounts`` accounts, then tier it (ABC), plan ``weeks``
    weeks of visits, schedule and queue ``care_days`` days of care, and review it.

    The plan and the schedule are stored under ``name``, and everything is written in
    one transaction at the end. A store holding records that are not the sample's raises
    [`ForeignStore`][accountcare.services.demo.ForeignStore] (nothing written) unless
    ``force``; ``accounts``, ``weeks`` or ``care_days`` below 1 raise
    [`ConfigurationError`][accountcare.errors.ConfigurationError] before anything is read.

    >>> from accountcare.adapters.memory import MemoryStore
    >>> run_demo(MemoryStore(), accounts=5, as_of=date(2026, 11, 2), weeks=0)
    Traceback (most recent call last):
    ...
    accountcare.errors.ConfigurationError: weeks must be at least 1, got 0
    """
    for parameter, value in (("accounts", accounts), ("weeks", weeks), ("care_days", care_days)):
        if value < 1:
            raise ConfigurationError(f"{parameter} must be at least 1, got {value}")
    say = progress or (lambda _: None)
    say("checking the store")
    if not force and (found := foreign_records(store)):
        raise ForeignStore(found)
    say("generating the sample book")
    book = sample_book(accounts=accounts, as_of=as_of, seed=seed)
    # Every step runs on a copy in memory that signs the care as the store would.
    from accountcare.adapters.memory import MemoryStore

    copy = MemoryStore()
    # The sample's reps and company sign its care, unless the store has its own.
    held = {rep.id: rep for rep in store.reps()}
    team = [held.get(rep.id, rep) for rep in sample_team(book)]
    company = store.company() or SAMPLE_COMPANY
    copy.write(Batch(reps=[*team, *held.values()], company=company))
    save_book(copy, book)
    say("tiering (ABC on 12 months of revenue)")
    tiers = retier(copy, "abc", as_of=as_of, book=book)
    say(f"planning {weeks} weeks of visits")
    plan = plan_and_save(copy, tiers.labels(), start=as_of, weeks=weeks, name=name, book=book)
    say(f"scheduling {care_days} days of care")
    care = schedule_and_enqueue(
        copy,
        start=as_of,
        end=as_of + timedelta(days=care_days),
        name=name,
        tiers=tiers.labels(),
        book=book,
    )
    say("reviewing health and early warnings")
    review = review_book(copy, as_of=as_of, tiers=tiers.labels(), plan=name, book=book)
    say("writing to the store")
    made = Batch(
        accounts=book.accounts,
        contacts=book.contacts,
        orders=book.orders,
        interactions=book.interactions,
        complaints=book.complaints,
        tiers={as_of: tiers.assignments.values()},
        visit_plans={name: plan},
        care_schedules={name: care.schedule},
        outbox=[entry.message for entry in copy.outbox()],
        reps=[rep for rep in team if rep.id not in held],
        company=None if store.company() is not None else company,
    )
    queued = store.write(made)  # one transaction: all of it or nothing
    return DemoReport(
        len(book.accounts),
        len(book.contacts),
        len(book.orders),
        tiers,
        plan,
        attrs.evolve(care, queued=queued),
        review,
    )
