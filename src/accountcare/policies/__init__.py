"""Pure decisions over domain values: tiers, visit plans, care schedules, relationship
health and early warning. Nothing here reads the clock, the environment, a file or the
network. The names below are the everyday ones; each module has more.

>>> from accountcare.policies import AbcPolicy
>>> AbcPolicy().assign({"acme": 800, "globex": 150, "initech": 50}).labels()
{'acme': 'A', 'globex': 'B', 'initech': 'C'}
"""

from accountcare.policies.abc import ABC_CUTOFFS, AbcPolicy
from accountcare.policies.cadence import due_dates, tier_labels
from accountcare.policies.care import schedule_care
from accountcare.policies.early_warning import (
    DEFAULT_EARLY_WARNING,
    EarlyWarningPolicy,
    early_warnings,
)
from accountcare.policies.health import assess_health, health_scores
from accountcare.policies.hygiene import purge_plan, reverification_items
from accountcare.policies.metrics import account_metrics
from accountcare.policies.migration import migration_report
from accountcare.policies.pdca import advance, overdue_steps, start_cycle
from accountcare.policies.plan_views import plan_view
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
from accountcare.policies.relationships import relationship_map, relationship_maps
from accountcare.policies.retention import plan_win_back, retention_figures
from accountcare.policies.scorecard import Scorecard
from accountcare.policies.team import review_teams
from accountcare.policies.tiering import PopulationPolicy, Tiering, TierPolicy
from accountcare.policies.value_labels import ValueLabelPolicy
from accountcare.policies.visibility import DEFAULT_VISIBILITY, redact
from accountcare.policies.visits import plan_visits

__all__ = [
    "ABC_CUTOFFS",
    "DEFAULT_EARLY_WARNING",
    "DEFAULT_VISIBILITY",
    "PROFITABILITY_BANDS",
    "RANK_BANDS",
    "AbcPolicy",
    "EarlyWarningPolicy",
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
    "account_metrics",
    "advance",
    "assess_health",
    "cooperation_years_at_least",
    "due_dates",
    "early_warnings",
    "health_scores",
    "migration_report",
    "orders_each_year",
    "overdue_steps",
    "plan_view",
    "plan_visits",
    "plan_win_back",
    "purge_plan",
    "redact",
    "relationship_map",
    "relationship_maps",
    "retention_figures",
    "reverification_items",
    "review_teams",
    "schedule_care",
    "start_cycle",
    "strategic_project",
    "tier_labels",
]
