"""Moving PDCA cycles along, and finding the steps that are overdue.

>>> from datetime import date
>>> cycle = start_cycle("p-1", "acme", "win the CFO", owner="rep-li", due_on=date(2026, 3, 1))
>>> cycle = advance(cycle, PdcaStage.DO, done_on=date(2026, 2, 27), record="plan agreed",
...                 owner="rep-li", due_on=date(2026, 3, 20))
>>> cycle.stage.value, [s.done for s in cycle.steps]
('do', [True, False])
>>> [o.days_overdue for o in overdue_steps([cycle], as_of=date(2026, 3, 25))]
[5]
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import attrs

from accountcare.domain.pdca import (
    TRANSITIONS,
    IllegalTransition,
    OverdueStep,
    PdcaCycle,
    PdcaStage,
    PdcaStep,
)

__all__ = ["advance", "overdue_steps", "start_cycle"]


def start_cycle(
    cycle_id: str,
    account_id: str,
    goal: str,
    *,
    owner: str,
    due_on: date,
    contact_id: str | None = None,
) -> PdcaCycle:
    """A new cycle, in its first round's plan step."""
    return PdcaCycle(
        cycle_id, account_id, goal, (PdcaStep(PdcaStage.PLAN, 1, owner, due_on),), contact_id
    )


def advance(
    cycle: PdcaCycle,
    to: PdcaStage,
    *,
    done_on: date,
    record: str,
    owner: str | None = None,
    due_on: date | None = None,
) -> PdcaCycle:
    """Finish the current step with ``record`` on ``done_on`` and move to ``to``.

    From act, ``to`` is plan (the next round) or closed. Every other stage has one
    successor. Moving a closed cycle, skipping a step or going back raises
    [`IllegalTransition`][accountcare.domain.pdca.IllegalTransition]. ``owner`` (default:
    the current owner) and ``due_on`` are the new step's; closing needs neither.
    """
    _check_move(cycle, to, done_on)
    current = cycle.current
    finished = attrs.evolve(current, done_on=done_on, record=record)
    if to is PdcaStage.CLOSED:
        nxt = PdcaStep(PdcaStage.CLOSED, current.round, current.owner, done_on, done_on, record)
    else:
        if due_on is None:
            raise IllegalTransition(
                f"PDCA cycle {cycle.id!r}: the {to.value} step needs a due date"
            )
        round_ = current.round + 1 if to is PdcaStage.PLAN else current.round
        nxt = PdcaStep(to, round_, owner or current.owner, due_on)
    return attrs.evolve(cycle, steps=(*cycle.steps[:-1], finished, nxt))


def _check_move(cycle: PdcaCycle, to: PdcaStage, done_on: date) -> None:
    """Refuse moving a closed cycle, skipping or going back, and finishing a step before
    the one before it."""
    current = cycle.current
    if cycle.closed:
        raise IllegalTransition(
            f"PDCA cycle {cycle.id!r} is closed; start a new cycle instead of moving it to "
            f"{to.value}"
        )
    if to not in TRANSITIONS[current.stage]:
        allowed = " or ".join(sorted(s.value for s in TRANSITIONS[current.stage]))
        raise IllegalTransition(
            f"PDCA cycle {cycle.id!r} cannot move from {current.stage.value} to {to.value}; "
            f"from {current.stage.value} it may go to {allowed}"
        )
    earlier = cycle.steps[-2].done_on if len(cycle.steps) > 1 else None
    if earlier is not None and done_on < earlier:
        raise IllegalTransition(
            f"PDCA cycle {cycle.id!r}: step {current.stage.value} cannot be done on {done_on}, "
            "before the step before it was done"
        )


def overdue_steps(cycles: Iterable[PdcaCycle], *, as_of: date) -> tuple[OverdueStep, ...]:
    """Current steps of open cycles due before ``as_of``, most overdue first (then by id)."""
    found = [
        OverdueStep(c.id, c.account_id, c.current, (as_of - c.current.due_on).days)
        for c in cycles
        if not c.closed and c.current.due_on < as_of
    ]
    found.sort(key=lambda o: (-o.days_overdue, o.cycle_id))
    return tuple(found)
