"""Care: whom to greet, call or follow up, when, on which channel, and in which words.

The everyday name is [`schedule_care`][accountcare.policies.care.schedule.schedule_care]:
contacts (with their accounts and their lifecycle stages, tiers, orders, complaints, events
and the root causes of lost accounts) and a window in, a
[`CareSchedule`][accountcare.domain.care.CareSchedule] of tasks and dropped touches out,
each with its reason. The rules it follows are data in
[`accountcare.domain.care_rules`][accountcare.domain.care_rules]: `OCCASION_RULES` (each
kind of touch once: its priority, template key and channels) and
[`CareRules`][accountcare.domain.care_rules.CareRules] (the days, tiers and ceiling, with
their defaults in [`DEFAULT_CARE_RULES`][accountcare.domain.care_rules.DEFAULT_CARE_RULES]).

The modules:

- [`schedule`][accountcare.policies.care.schedule]:
  [`schedule_care`][accountcare.policies.care.schedule.schedule_care], the one engine;
- [`occasions`][accountcare.policies.care.occasions]: the rule of each kind of touch;
- [`birthdays`][accountcare.policies.care.birthdays]: birthdays in a window, 29 February and
  lunar birthdays;
- [`holiday_greetings`][accountcare.policies.care.holiday_greetings]: the holidays each
  country greets on
  ([`greeting_days`][accountcare.policies.care.holiday_greetings.greeting_days]);
- [`ceiling`][accountcare.policies.care.ceiling]: the contact frequency ceiling;
- [`templates`][accountcare.policies.care.templates]: the message templates per kind and locale
  ([`TemplateBook`][accountcare.policies.care.templates.TemplateBook],
  [`default_templates`][accountcare.policies.care.templates.default_templates]) and their
  safe rendering.

>>> from datetime import date
>>> from accountcare.domain import Account, Channel, Contact
>>> li = Contact(id="c-1", account_id="acme", name="Li Na", birthday=date(1988, 2, 29),
...              country="CN", channels=[Channel.EMAIL], consents=[Channel.EMAIL],
...              emails=["li@example.com"])
>>> plan = schedule_care([li], start=date(2027, 1, 1), end=date(2027, 3, 1))
>>> for task in plan.tasks:  # Spring Festival greeted on its eve; 29 February on the 28th
...     print(task.on, task.template_key)
2027-01-01 holiday.new_year
2027-02-05 holiday.lunar_new_year
2027-02-28 birthday
>>> acme = Account(id="acme", name="Acme")
>>> default_templates().render(plan.tasks[-1], li, acme, rep_name="Wang Wei").subject
'Happy birthday, Li Na!'
"""

from accountcare.policies.care.birthdays import birthday_occurrences
from accountcare.policies.care.holiday_greetings import greeting_days
from accountcare.policies.care.schedule import schedule_care
from accountcare.policies.care.templates import TemplateBook, default_templates

__all__ = [
    "TemplateBook",
    "birthday_occurrences",
    "default_templates",
    "greeting_days",
    "schedule_care",
]
