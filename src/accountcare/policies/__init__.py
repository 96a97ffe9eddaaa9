"""Pure decisions over domain values: tiers (and, from other modules, visits, care,
health). Nothing here reads the clock, the environment, a file or the network.

>>> from accountcare.policies import AbcPolicy
>>> AbcPolicy().assign({"acme": 800, "globex": 150, "initech": 50}).labels()
{'acme': 'A', 'globex': 'B', 'initech': 'C'}
"""

from accountcare.policies.abc import ABC_CUTOFFS, AbcPolicy
from accountcare.policies.migration import migration_report
from accountcare.policies.priority import PriorityPolicy
from accountcare.policies.profitability import PROFITABILITY_BANDS, ProfitabilityPolicy
from accountcare.policies.qualification import (
    KeyAccountRules,
    QualificationRule,
    cooperation_years_at_least,
    orders_each_year,
    strategic_project,
)
from accountcare.policies.rank_bands import RANK_BANDS, RankBandPolicy
from accountcare.policies.scorecard import Scorecard
from accountcare.policies.tiering import PopulationPolicy, Tiering, TierPolicy
from accountcare.policies.value_labels import ValueLabelPolicy

__all__ = [
    "ABC_CUTOFFS",
    "PROFITABILITY_BANDS",
    "RANK_BANDS",
    "AbcPolicy",
    "KeyAccountRules",
    "PopulationPolicy",
    "PriorityPolicy",
    "ProfitabilityPolicy",
    "QualificationRule",
    "RankBandPolicy",
    "Scorecard",
    "TierPolicy",
    "Tiering",
    "ValueLabelPolicy",
    "cooperation_years_at_least",
    "migration_report",
    "orders_each_year",
    "strategic_project",
]
