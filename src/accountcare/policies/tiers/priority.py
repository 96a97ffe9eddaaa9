"""Importance x urgency: four priority quadrants.

Practitioners sort accounts on two axes. An account is *important* when its tier is one
of ``important_tiers`` (or it is a strategic project); it is *urgent* when it has an open
complaint, is overdue for a visit by at least ``urgent_overdue_days``, or shows a sign of
decline. The quadrant follows, with the reasons in words. The visit planner serves
accounts in this order, so this is the one definition of urgent and important.

>>> p = PriorityPolicy().prioritise("acme", tier="A", open_complaints=1)
>>> p.priority.value, p.reason
('important_urgent', 'important: tier A; urgent: 1 open complaint(s)')
>>> PriorityPolicy().prioritise("globex", tier="C", overdue_days=2).reason
'not important; urgent: visit 2 days overdue'
"""

from __future__ import annotations

import attrs

from accountcare.domain.tiers import Priority, PriorityAssignment
from accountcare.errors import ConfigurationError, InvalidRecord

__all__ = ["DEFAULT_PRIORITY", "IMPORTANT_TIERS", "URGENT_OVERDUE_DAYS", "PriorityPolicy"]

# The best tier is important (ABC "A", 20/60/20 "invest", value label "high").
IMPORTANT_TIERS: frozenset[str] = frozenset({"A", "invest", "high"})
"""The tiers that make an account important: the best tier of each built-in method."""
# "Overdue accounts come first next week": a visit overdue by even one day is urgent.
URGENT_OVERDUE_DAYS = 1
"""Days overdue that make a visit urgent: overdue accounts come first next week."""

_QUADRANTS = {
    (True, True): Priority.IMPORTANT_URGENT,
    (True, False): Priority.IMPORTANT,
    (False, True): Priority.URGENT,
    (False, False): Priority.NEITHER,
}


@attrs.frozen
class PriorityPolicy:
    """Quadrant from importance (tier, strategic) and urgency (complaints, overdue, decline).

    ``urgent_overdue_days`` of 0 or 1 both make any overdue visit urgent.
    """

    important_tiers: frozenset[str] = attrs.field(default=IMPORTANT_TIERS, converter=frozenset)
    urgent_overdue_days: int = URGENT_OVERDUE_DAYS
    strategic_is_important: bool = True

    def __attrs_post_init__(self) -> None:
        days = self.urgent_overdue_days
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise ConfigurationError(
                f"PriorityPolicy: urgent_overdue_days must be >= 0, got {days!r}"
            )

    def prioritise(
        self,
        account_id: str,
        *,
        tier: str | None = None,
        strategic: bool = False,
        open_complaints: int = 0,
        overdue_days: int = 0,
        declining: bool = False,
    ) -> PriorityAssignment:
        """The quadrant of one account and why."""
        for field, count in (("open_complaints", open_complaints), ("overdue_days", overdue_days)):
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise InvalidRecord(
                    f"account {account_id!r}", field, f"must be an int >= 0, got {count!r}"
                )
        why_important = []
        if tier is not None and tier in self.important_tiers:
            why_important.append(f"tier {tier}")
        if strategic and self.strategic_is_important:
            why_important.append("strategic project")
        why_urgent = []
        if open_complaints:
            why_urgent.append(f"{open_complaints} open complaint(s)")
        if overdue_days >= max(1, self.urgent_overdue_days):
            why_urgent.append(f"visit {overdue_days} days overdue")
        if declining:
            why_urgent.append("declining")
        important, urgent = bool(why_important), bool(why_urgent)
        parts = [
            "important: " + ", ".join(why_important) if important else "not important",
            "urgent: " + ", ".join(why_urgent) if urgent else "not urgent",
        ]
        quadrant = _QUADRANTS[important, urgent]
        return PriorityAssignment(account_id, quadrant, important, urgent, "; ".join(parts))


DEFAULT_PRIORITY = PriorityPolicy()
