"""Pure decisions over domain values, grouped by subject: `tiers`, `visits`, `care`,
`health` and `relationships`, with `hygiene` and `visibility` beside them. Nothing here
reads the clock, the environment, a file or the network, and nothing changes the state of
the process. The names below are the everyday ones, re-exported from the subject
packages; each subject has more.

>>> from accountcare.policies import AbcPolicy
>>> AbcPolicy().assign({"acme": 800, "globex": 150, "initech": 50}).labels()
{'acme': 'A', 'globex': 'B', 'initech': 'C'}
"""

from accountcare.policies.care.schedule import schedule_care
from accountcare.policies.health.assessment import assess_health, health_scores
from accountcare.policies.health.early_warning import (
    DEFAULT_EARLY_WARNING,
    EarlyWarningPolicy,
    early_warnings,
)
from accountcare.policies.health.metrics import account_metrics
from accountcare.policies.health.retention import plan_win_back, retention_figures
from accountcare.policies.hygiene import purge_plan, reverification_items
from accountcare.policies.relationships.layers import relationship_map, relationship_maps
from accountcare.policies.relationships.pdca import advance, overdue_steps, start_cycle
from accountcare.policies.relationships.team import review_teams
from accountcare.policies.tiers.abc import ABC_CUTOFFS, AbcPolicy
from accountcare.policies.tiers.migration import migration_report
from accountcare.policies.tiers.priority import PriorityPolicy
from accountcare.policies.tiers.profitability import PROFITABILITY_BANDS, ProfitabilityPolicy
from accountcare.policies.tiers.qualification import (
    KeyAccountRules,
    QualificationRule,
    cooperation_years_at_least,
    orders_each_year,
    strategic_project,
)
from accountcare.policies.tiers.rank_bands import RANK_BANDS, RankBandPolicy
from accountcare.policies.tiers.scorecard import Scorecard
from accountcare.policies.tiers.tiering import PopulationPolicy, Tiering, TierPolicy
from accountcare.policies.tiers.value_labels import ValueLabelPolicy
from accountcare.policies.visibility import DEFAULT_NOTE_KINDS, DEFAULT_VISIBILITY, redact
from accountcare.policies.visits.cadence import due_dates, tier_labels
from accountcare.policies.visits.plan_views import plan_view
from accountcare.policies.visits.planner import plan_visits

__all__ = [
    "ABC_CUTOFFS",
    "DEFAULT_EARLY_WARNING",
    "DEFAULT_NOTE_KINDS",
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
