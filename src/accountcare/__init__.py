"""accountcare: key-account care as code.

Tiers, visit plans, care schedules and relationship health as pure policies over
immutable domain values, with thin adapters for storage, notification and import.
Dependencies point inward: ``cli`` -> ``services`` -> (``policies``, ``adapters``) ->
``domain``. Where to look:

- `accountcare.domain`: the values, validated and immutable
  (`Account`, `Contact`, `Order`, `Complaint`, `TierAssignment`, `Visit`, `CareTask`,
  `CareRules`, `Cadence`, `WorkCalendar`, `HealthScore`, `Alert`, `Message`).
- `accountcare.policies`: the pure decisions, by subject:
    - `policies.tiers`: `AbcPolicy`, `RankBandPolicy`, `ProfitabilityPolicy`,
      `ValueLabelPolicy`, `Scorecard`, `KeyAccountRules`, `PriorityPolicy`,
      `migration_report`; every population policy is `fit` then `classify`;
    - `policies.visits`: `plan_visits`, `due_dates`, `plan_view`;
    - `policies.care`: `schedule_care`, the birthday, holiday and ceiling rules, templates;
    - `policies.health`: `account_metrics`, `assess_health`, `early_warnings`,
      `retention_figures`;
    - `policies.relationships`: `relationship_map`, `review_teams`, PDCA cycles;
    - `policies.hygiene` and `policies.visibility`: re-verification, purging, department views.
- `accountcare.ports`: the protocols a store or a notifier satisfies.
- `accountcare.adapters`: memory, SQLite and SQL stores,
  notifiers (console, SMTP, webhook, Apprise), importers (CSV, vCard), iCalendar export,
  DataFrames, plots, Dask.
- `accountcare.services`: the use cases a host calls (`retier`,
  `plan_and_save`, `schedule_and_enqueue`, `review_book`, `Dispatcher`), over a store.
- `accountcare.testing`: Hypothesis strategies for every value, the
  tier-policy laws and the store and notifier contract suites.
- `accountcare.cli`: the `accountcare` command, a thin skin over the services.

The practices these rules encode, each linked to the policy and default that implement it,
are explained in the documentation's "Practices" page.

>>> from accountcare.policies import AbcPolicy
>>> tiers = AbcPolicy().assign({"acme": 800, "globex": 150, "initech": 50})
>>> [tiers[k].tier for k in ("acme", "globex", "initech")]
['A', 'B', 'C']
"""

import logging

from accountcare.errors import AccountcareError, ConfigurationError, InvalidRecord, MissingExtra

# A library leaves logging to its host: records go to the host's handlers, and nothing
# is printed when the host set none up (see the documentation's "Logging" page).
logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = ["AccountcareError", "ConfigurationError", "InvalidRecord", "MissingExtra", "__version__"]

__version__ = "0.1.0"
