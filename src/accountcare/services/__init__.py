"""Services: the use cases that compose ports and policies, for a host CRM to call.

Services may do I/O through the ports they are given; they never read the clock
themselves (the day, or a clock function, is a parameter), and nothing in them knows
about a terminal.

>>> from datetime import date
>>> from accountcare.adapters.memory import MemoryStore
>>> from accountcare.services import retier, save_book
>>> from accountcare.sample import sample_book
>>> store = MemoryStore()
>>> save_book(store, sample_book(accounts=25, as_of=date(2026, 11, 2)))
>>> sum(retier(store, "rank", as_of=date(2026, 11, 2)).counts().values())
25
"""

from accountcare._gc import paused_collector
from accountcare.services.book import default_calendars, load_book, save_book
from accountcare.services.care import CareRun, schedule_and_enqueue
from accountcare.services.demo import DemoReport, run_demo
from accountcare.services.outbox import (
    Dispatcher,
    DispatchReport,
    enqueue,
    enqueue_tasks,
    render_tasks,
    system_clock,
)
from accountcare.services.planning import plan_and_save
from accountcare.services.review import Review, review_book, review_periods
from accountcare.services.tiering import (
    TIER_METHODS,
    TierRun,
    current_tiers,
    policy_for,
    retier,
    tier_values,
)

__all__ = [
    "TIER_METHODS",
    "CareRun",
    "DemoReport",
    "DispatchReport",
    "Dispatcher",
    "Review",
    "TierRun",
    "current_tiers",
    "default_calendars",
    "enqueue",
    "enqueue_tasks",
    "load_book",
    "paused_collector",
    "plan_and_save",
    "policy_for",
    "render_tasks",
    "retier",
    "review_book",
    "review_periods",
    "run_demo",
    "save_book",
    "schedule_and_enqueue",
    "system_clock",
    "tier_values",
]
