"""Tiers: which accounts are the big ones, by each of the methods practitioners use.

Every policy tiers a mapping of account id to a number (the volume of business with us,
sales or margin, not the customer's own size) and gives one assignment per account, with
its reason in figures and in words. By module:

- `abc.AbcPolicy`: ABC by cumulative share of sales, A the first 80%, B the next 15%, C
  the last 5%;
- `rank_bands.RankBandPolicy`: the top 5% of accounts are A, the next up to 20% B, the
  rest C;
- `profitability.ProfitabilityPolicy`: 20/60/20 on margin, "invest", "retain", "reduce";
- `value_labels.ValueLabelPolicy`: high, medium and low from absolute spend thresholds;
- `scorecard.Scorecard`: a weighted rating from purchase history, contribution,
  cooperation years and potential;
- `qualification.KeyAccountRules`: whether an account is a key account, rule by rule;
- `priority.PriorityPolicy`: importance x urgency, the four quadrants;
- `migration.migration_report`: who moved up or down between two assignments;
- `vectorised.vector_tiers`: a population policy over a numpy array or a pandas Series.

The four population policies (ABC, rank bands, 20/60/20, value labels) share one exact
ranking (`tiering.PopulationPolicy`): equal values share a tier, ties are ordered by
account id, negative values count as nothing (`values.count_negative_as_nothing`;
20/60/20 keeps a loss, which ranks lower), and `assign` splits into `fit` and `classify`
so that a large book can be tiered partition by partition. The everyday names are also
in `accountcare.policies`.

>>> from accountcare.policies.tiers.abc import AbcPolicy
>>> from accountcare.policies.tiers.migration import migration_report
>>> last_year = AbcPolicy().assign({"acme": 800, "globex": 150, "initech": 50})
>>> this_year = AbcPolicy().assign({"acme": 100, "globex": 850, "initech": 50})
>>> this_year.labels()
{'globex': 'A', 'acme': 'B', 'initech': 'C'}
>>> report = migration_report(last_year, this_year, AbcPolicy().tiers)
>>> [m.account_id for m in report.moved_up], [m.account_id for m in report.moved_down]
(['globex'], ['acme'])
"""
