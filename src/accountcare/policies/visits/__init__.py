"""Visits: who sees which account on which day, and what did not fit.

Visit frequency follows the tier (A accounts most often, C least), overdue accounts
come first next week, a new account gets its development visits, and the plan fits each
rep's working days and capacity and says openly what did not fit. By module:

- `planner.plan_visits`: the plan for some weeks, every visit and every visit left out
  with its reason; accounts are served in the order of
  `accountcare.policies.tiers.priority.PriorityPolicy` (one definition of urgent and
  important), then tier, then how overdue;
- `cadence.due_dates`: when each account is next due for a visit, a call and a leader's
  visit, from its interaction history and the `Cadence` (`DEFAULT_CADENCE`: A every 14
  days, B every 30, C every 91);
- `workdays.working_days`: a rep's working days (weekdays, minus public holidays of the
  calendar's country, minus leave; China's make-up working days count);
- `plan_views.plan_view`: a plan per rep or tier, week by week or month by month.

The everyday names are also in `accountcare.policies`.

>>> from datetime import date
>>> from accountcare.domain import Account
>>> from accountcare.domain.calendars import WorkCalendar
>>> from accountcare.policies.visits.plan_views import plan_view
>>> from accountcare.policies.visits.planner import plan_visits
>>> book = [Account("acme", "Acme", owner="rep-li"), Account("globex", "Globex", owner="rep-li")]
>>> plan = plan_visits(book, {"acme": "A", "globex": "C"}, [WorkCalendar("rep-li", "CN")],
...                    start=date(2026, 11, 2), weeks=3)
>>> [(v.account_id, v.on.isoformat()) for v in plan.visits]
[('acme', '2026-11-02'), ('globex', '2026-11-02'), ('acme', '2026-11-16')]
>>> [(row.starts_on.isoformat(), row.placed) for row in plan_view(plan).rows]
[('2026-11-02', 2), ('2026-11-09', 0), ('2026-11-16', 1)]
"""
