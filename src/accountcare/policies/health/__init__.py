"""Health: is the book being kept, and where is it slipping?

Practitioners keep the book healthy by watching each account's relationships and
finding decline early: did last year's biggest customer order much less this year,
which accounts buy less often or swing widely, are complaints rising? By module:

- `assessment.health_scores` (and `assess_health` for one account): a 0-100 score per
  account from layer coverage, recency of touch, visit-plan adherence, open complaints,
  outcomes and tier, each component explained in words;
- `early_warning.early_warnings`: alerts over two periods (a declining top account,
  falling frequency, volatile value or interval, a lapse, rising complaints), every
  threshold a field of `EarlyWarningPolicy` (`DEFAULT_EARLY_WARNING`);
- `metrics.account_metrics`: revenue, margin, recency, frequency and the usual interval
  per account over a period;
- `retention.retention_figures` and `retention.plan_win_back`: retention, churn and
  win-back per tier; a lost account is won back only once its root cause is on record.

The everyday names are also in `accountcare.policies`.

>>> from datetime import date
>>> from decimal import Decimal
>>> from accountcare.domain import Order
>>> from accountcare.domain.periods import Period
>>> from accountcare.policies.health.assessment import health_scores
>>> from accountcare.policies.health.early_warning import early_warnings
>>> health_scores([], [], as_of=date(2026, 6, 1), tiers={"acme": "A"})["acme"].score
45.0
>>> last, this = Period(date(2025, 1, 1), date(2026, 1, 1)), Period(date(2026, 1, 1), date(2027, 1, 1))
>>> orders = [Order("o1", "acme", date(2025, 3, 1), Decimal(1000)),
...           Order("o2", "acme", date(2026, 3, 1), Decimal(600))]
>>> [alert.message for alert in early_warnings(orders, previous=last, current=this)]
['top account acme bought 600 in [2026-01-01, 2027-01-01) against 1000 in [2025-01-01, 2026-01-01) (-40.00% per day; alert at a drop of 30% or more)']
"""  # noqa: E501
