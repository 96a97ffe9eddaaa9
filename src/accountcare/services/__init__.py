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
from accountcare.services.care import CareRun, messages_and_actions, schedule_and_enqueue
from accountcare.services.demo import DemoReport, ForeignStore, foreign_records, run_demo
from accountcare.services.importing import (
    Ambiguity,
    ImportResult,
    import_accounts,
    import_contacts,
    import_orders,
    import_reps,
)
from accountcare.services.messages import renderer
from accountcare.services.outbox import (
    Dispatcher,
    DispatchReport,
    enqueue,
    enqueue_tasks,
    render_tasks,
    system_clock,
)
from accountcare.services.planning import plan_and_save, plan_name
from accountcare.services.review import Review, review_book, review_periods
from accountcare.services.tiering import (
    TIER_METHODS,
    TierRun,
    current_tiers,
    policy_for,
    retier,
    tier_values,
)
from accountcare.services.worklist import WorkItem, rep_worklist, worklist

__all__ = [
    "TIER_METHODS",
    "Ambiguity",
    "CareRun",
    "DemoReport",
    "DispatchReport",
    "Dispatcher",
    "ForeignStore",
    "ImportResult",
    "Review",
    "TierRun",
    "WorkItem",
    "current_tiers",
    "default_calendars",
    "enqueue",
    "enqueue_tasks",
    "foreign_records",
    "import_accounts",
    "import_contacts",
    "import_orders",
    "import_reps",
    "load_book",
    "messages_and_actions",
    "paused_collector",
    "plan_and_save",
    "plan_name",
    "policy_for",
    "render_tasks",
    "renderer",
    "rep_worklist",
    "retier",
    "review_book",
    "review_periods",
    "run_demo",
    "save_book",
    "schedule_and_enqueue",
    "system_clock",
    "tier_values",
    "worklist",
]
