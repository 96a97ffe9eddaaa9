"""Testing kit: Hypothesis strategies for every domain value, and law checks for tier
policies (the library's or your own).

>>> from accountcare.testing import check_tier_policy
>>> from accountcare.policies.tiers.rank_bands import RankBandPolicy
>>> check_tier_policy(RankBandPolicy(), max_examples=10)
"""

from accountcare.testing.dump import store_dump
from accountcare.testing.laws import (
    LawViolation,
    check_deterministic,
    check_fit_classify,
    check_monotone,
    check_order_independent,
    check_scale_invariant,
    check_tie_consistent,
    check_tier_policy,
    check_total,
)
from accountcare.testing.strategies import (
    STRATEGIES,
    account_ids,
    birthdays,
    books,
    complaints,
    contacts,
    derived,
    domain_classes,
    money,
    orders,
    strategy_for,
    tier_assignments,
    tier_values,
)

__all__ = [
    "STRATEGIES",
    "LawViolation",
    "account_ids",
    "birthdays",
    "books",
    "check_deterministic",
    "check_fit_classify",
    "check_monotone",
    "check_order_independent",
    "check_scale_invariant",
    "check_tie_consistent",
    "check_tier_policy",
    "check_total",
    "complaints",
    "contacts",
    "derived",
    "domain_classes",
    "money",
    "orders",
    "store_dump",
    "strategy_for",
    "tier_assignments",
    "tier_values",
]
