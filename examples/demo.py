"""A deterministic book of 2,000 accounts tiered three ways: ABC, rank bands and 20/60/20.

Runs with the core dependencies only: ``python examples/demo.py``.
"""

from __future__ import annotations

import random
from decimal import Decimal

from accountcare.policies.tiers.abc import AbcPolicy
from accountcare.policies.tiers.profitability import ProfitabilityPolicy
from accountcare.policies.tiers.rank_bands import RankBandPolicy

ACCOUNTS, SEED = 2_000, 20261122
REPS = ("rep-li", "rep-kim", "rep-chen", "rep-park", "rep-wang")


def generated_book() -> tuple[dict[str, Decimal], dict[str, Decimal], dict[str, str]]:
    """Revenue and margin per account (Pareto order values, some refunds), and owners."""
    rng = random.Random(SEED)
    revenue: dict[str, Decimal] = {}
    margin: dict[str, Decimal] = {}
    owner: dict[str, str] = {}
    for n in range(ACCOUNTS):
        account = f"acct-{n:04d}"
        orders = [
            Decimal(round(100 * rng.paretovariate(1.16), 2)) for _ in range(rng.randint(0, 12))
        ]
        if orders and rng.random() < 0.05:
            orders.append(-orders[0])  # a refund
        revenue[account] = sum(orders, Decimal(0))
        rate = Decimal(str(round(rng.uniform(-0.15, 0.35), 2)))  # some accounts lose money
        margin[account] = (revenue[account] * rate).quantize(Decimal("0.01"))
        owner[account] = REPS[n % len(REPS)]
    return revenue, margin, owner


def summary(
    title: str, tiers: dict[str, str], order: tuple[str, ...], values: dict[str, Decimal]
) -> None:
    total = sum((max(v, Decimal(0)) for v in values.values()), Decimal(0))
    print(f"\n{title}")
    print(f"  {'tier':<8}{'accounts':>9}{'share of accounts':>19}{'share of value (>0)':>21}")
    for tier in order:
        members = [k for k, t in tiers.items() if t == tier]
        value = sum((max(values[k], Decimal(0)) for k in members), Decimal(0))
        share = value / total if total else Decimal(0)
        print(
            f"  {tier:<8}{len(members):>9,}{len(members) / len(tiers):>19.1%}{float(share):>21.1%}"
        )


def main() -> None:
    revenue, margin, owner = generated_book()
    print(
        f"A generated book: {ACCOUNTS:,} accounts, {len(REPS)} reps, "
        f"revenue {sum(revenue.values()):,.2f}"
    )
    abc = AbcPolicy().assign(revenue)
    summary(
        "ABC by cumulative share of revenue (80% / 15% / 5%)",
        abc.labels(),
        AbcPolicy().tiers,
        revenue,
    )
    bands = RankBandPolicy().assign(revenue)
    summary("Rank bands (top 5% A, up to 20% B)", bands.labels(), RankBandPolicy().tiers, revenue)
    profit = ProfitabilityPolicy().assign(margin)
    summary("20/60/20 on margin", profit.labels(), ProfitabilityPolicy().tiers, margin)
    top = next(iter(abc))
    reason = abc[top].reason
    print(
        f"\nWhy {top} (owner {owner[top]}) is {abc[top].tier}: rank {reason.rank} of "
        f"{reason.population}, {reason.rule}."
    )
    a_by_rep = {
        rep: sum(1 for k, t in abc.labels().items() if t == "A" and owner[k] == rep) for rep in REPS
    }
    print("A accounts per rep: " + ", ".join(f"{rep} {count}" for rep, count in a_by_rep.items()))


if __name__ == "__main__":
    main()
