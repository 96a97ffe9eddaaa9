"""Benchmark: health scores and early-warning alerts for 100,000 accounts with 1,000,000
orders (target: within 2 s).

The book (fixed seed): 100,000 accounts, each buying 10 times over the two years on its
own rhythm (usual interval about 60-80 days, values log-normal around its own mean);
15% decline in the second year, 5% slow down to a stop; 2 contacts and 2 interactions
per account; 20,000 complaints. Domain objects are built before any timing.
Periods: 2025 and 2026; as of 2027-01-01.

The policies leave the garbage collector alone; the last row runs both inside the shell's
opt-in ``accountcare.services.paused_collector()``, as a host reviewing a large book may.

References measured in the same run: a bare loop summing each account's revenue per
period from the same Order objects, and a pandas groupby computing the same per-account
sums from a ready DataFrame (frame construction not timed).

Each row gives the best wall-clock time and, beside it, the processor time of the same
run (``time.process_time``): on a shared machine the wall clock also counts the time other
processes held the cores, the processor time does not.

Run: ``python benchmarks/bench_health.py``
"""

from __future__ import annotations

import gc
import random
import sys
import time as clock
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import table
from accountcare.domain import Complaint, Contact, ContactRole, Interaction, InteractionKind, Order
from accountcare.domain.health import HealthScore
from accountcare.domain.periods import Period
from accountcare.domain.warnings import Alert
from accountcare.policies.health.assessment import health_scores
from accountcare.policies.health.early_warning import early_warnings
from accountcare.services import paused_collector

T = TypeVar("T")
ACCOUNTS, ORDERS, SEED = 100_000, 1_000_000, 20261122
PREVIOUS = Period(date(2025, 1, 1), date(2026, 1, 1))
CURRENT = Period(date(2026, 1, 1), date(2027, 1, 1))
AS_OF = CURRENT.end
ROLES = (ContactRole.DECISION_MAKER, ContactRole.USER, ContactRole.EXECUTIVE, ContactRole.USER)


def book(
    rng: random.Random,
) -> tuple[list[Order], list[Contact], list[Interaction], list[Complaint], dict[str, str]]:
    orders: list[Order] = []
    contacts, interactions, complaints, tiers = [], [], [], {}
    per_account = ORDERS // ACCOUNTS
    for n in range(ACCOUNTS):
        account_id = f"acct-{n:06d}"
        tiers[account_id] = "A" if n % 20 == 0 else "B" if n % 5 == 0 else "C"
        # spread the account's orders over the two years, each at its own rhythm
        interval = int((PREVIOUS.days + CURRENT.days) / per_account * rng.uniform(0.8, 1.1))
        mean = rng.lognormvariate(6, 1)
        fate = rng.random()
        day = PREVIOUS.start + timedelta(days=rng.randrange(interval))
        for k in range(per_account):
            amount = mean * rng.lognormvariate(0, 0.5)
            if day >= CURRENT.start and fate < 0.15:
                amount *= 0.4  # a declining account
            orders.append(Order(f"{account_id}-{k}", account_id, day, Decimal(f"{amount:.2f}")))
            step = max(1, int(rng.gauss(interval, interval / 4)))
            if fate > 0.95 and day >= CURRENT.start:
                step *= 4  # slowing down to a stop
            day = min(day + timedelta(days=step), AS_OF - timedelta(days=1))
        for k in range(2):
            contact_id = f"{account_id}-c{k}"
            contacts.append(
                Contact(
                    id=contact_id,
                    account_id=account_id,
                    name="Contact",
                    role=ROLES[(n + k) % len(ROLES)],
                )
            )
            touched = AS_OF - timedelta(days=rng.randrange(1, 200))
            interactions.append(
                Interaction(
                    f"{account_id}-i{k}",
                    account_id,
                    datetime.combine(touched, time(10), tzinfo=UTC),
                    InteractionKind.VISIT,
                    "rep",
                    contact_id,
                )
            )
        if n % 5 == 0:
            opened = CURRENT.start + timedelta(days=rng.randrange(CURRENT.days))
            complaints.append(
                Complaint(
                    f"{account_id}-k", account_id, datetime.combine(opened, time(9), tzinfo=UTC)
                )
            )
    return orders, contacts, interactions, complaints, tiers


def bare_loop(orders: list[Order]) -> int:
    before: dict[str, Decimal] = {}
    now: dict[str, Decimal] = {}
    split = CURRENT.start
    for order in orders:
        target = now if order.ordered_on >= split else before
        target[order.account_id] = target.get(order.account_id, Decimal(0)) + order.amount
    return len(before)


def best_of(fn: Callable[[], T], repeat: int) -> tuple[float, float, T]:
    """The best wall-clock time of ``repeat`` runs, the processor time of that run, and
    the last result (the collector is run before each, as ``_report.best_of`` does)."""
    best, cpu = float("inf"), float("inf")
    for _ in range(repeat):
        gc.collect()
        started, used = clock.perf_counter(), clock.process_time()
        result = fn()
        wall, spent = clock.perf_counter() - started, clock.process_time() - used
        if wall < best:
            best, cpu = wall, spent
    return best, cpu, result


def main() -> None:
    rng = random.Random(SEED)
    orders, contacts, interactions, complaints, tiers = book(rng)
    import pandas as pd

    frame = pd.DataFrame(
        {
            "account": [o.account_id for o in orders],
            "current": [o.ordered_on >= CURRENT.start for o in orders],
            "amount": [float(o.amount) for o in orders],
        }
    )

    def warn() -> tuple[Alert, ...]:
        return early_warnings(orders, complaints, previous=PREVIOUS, current=CURRENT)

    def health() -> Mapping[str, HealthScore]:
        return health_scores(contacts, interactions, complaints, as_of=AS_OF, tiers=tiers)

    warn_s, warn_cpu, alerts = best_of(warn, repeat=2)
    health_s, health_cpu, scores = best_of(health, repeat=2)
    total, total_cpu = warn_s + health_s, warn_cpu + health_cpu
    bare_s, bare_cpu, _ = best_of(lambda: bare_loop(orders), repeat=2)
    pandas_s, pandas_cpu, _ = best_of(
        lambda: frame.groupby(["account", "current"])["amount"].sum(), repeat=2
    )

    def review() -> None:
        with paused_collector():
            warn()
            health()

    # last: a paused step moves what it made to the oldest generation, for every step after
    paused_s, paused_cpu, _ = best_of(review, repeat=2)
    rows = [
        (
            "early warnings: 1,000,000 orders, 100,000 accounts, 2 periods",
            warn_s,
            warn_cpu,
            f"{len(alerts):,} alerts",
            "1.00",
            "",
        ),
        (
            "health scores: 100,000 accounts, 200,000 contacts and interactions",
            health_s,
            health_cpu,
            f"{len(scores):,} scores",
            f"{warn_s / health_s:.2f}",
            "",
        ),
        (
            "both (the Monday review)",
            total,
            total_cpu,
            "",
            f"{warn_s / total:.2f}",
            "within 2 s: " + ("yes" if total < 2 else "NO"),
        ),
        (
            "both, inside paused_collector() (the host's opt-in)",
            paused_s,
            paused_cpu,
            "",
            f"{warn_s / paused_s:.2f}",
            "",
        ),
        (
            "reference: bare loop, per-account revenue per period",
            bare_s,
            bare_cpu,
            "",
            f"{warn_s / bare_s:.2f}",
            "",
        ),
        (
            "reference: pandas groupby sums on a ready frame",
            pandas_s,
            pandas_cpu,
            "",
            f"{warn_s / pandas_s:.2f}",
            "",
        ),
    ]
    print(
        table(
            "Relationship health and early warning",
            (
                "case",
                "seconds (best of 2)",
                "CPU seconds",
                "output",
                "early warning / this",
                "target",
            ),
            rows,
        )
    )


if __name__ == "__main__":
    main()
