"""PDCA follow-up cycles: the state machine and overdue steps."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accountcare.domain.pdca import TRANSITIONS, IllegalTransition, PdcaCycle, PdcaStage
from accountcare.policies.relationships.pdca import advance, overdue_steps, start_cycle
from accountcare.testing.relationships import pdca_cycles

DAY = date(2026, 3, 2)


def walk(cycle: PdcaCycle, *stages: PdcaStage) -> PdcaCycle:
    for n, stage in enumerate(stages):
        done = cycle.current.due_on
        cycle = advance(
            cycle, stage, done_on=done, record=f"step {n}", due_on=done + timedelta(days=7)
        )
    return cycle


def test_a_full_round_then_the_next_round_then_closed() -> None:
    cycle = start_cycle("p", "acme", "win the CFO", owner="li", due_on=DAY)
    cycle = walk(cycle, PdcaStage.DO, PdcaStage.CHECK, PdcaStage.ACT, PdcaStage.PLAN)
    assert (cycle.stage, cycle.round) == (PdcaStage.PLAN, 2)
    assert [s.record for s in cycle.steps if s.done] == ["step 0", "step 1", "step 2", "step 3"]
    assert cycle.current.due_on == DAY + timedelta(days=28)
    cycle = walk(cycle, PdcaStage.DO, PdcaStage.CHECK, PdcaStage.ACT, PdcaStage.CLOSED)
    assert cycle.closed


@given(cycle=pdca_cycles(), to=st.sampled_from(PdcaStage))
def test_only_listed_transitions_are_legal(cycle: PdcaCycle, to: PdcaStage) -> None:
    legal = to in TRANSITIONS[cycle.stage]
    if legal:
        moved = advance(
            cycle,
            to,
            done_on=cycle.current.due_on,
            record="r",
            due_on=cycle.current.due_on + timedelta(days=7),
        )
        assert moved.stage is to
        assert len(moved.steps) == len(cycle.steps) + 1
    else:
        with pytest.raises(IllegalTransition, match="cannot move from"):
            advance(cycle, to, done_on=cycle.current.due_on, record="r", due_on=DAY)


@pytest.mark.parametrize("to", list(PdcaStage))
def test_no_transition_from_a_closed_cycle(to: PdcaStage) -> None:
    cycle = walk(
        start_cycle("p", "acme", "g", owner="li", due_on=DAY),
        PdcaStage.DO,
        PdcaStage.CHECK,
        PdcaStage.ACT,
        PdcaStage.CLOSED,
    )
    with pytest.raises(IllegalTransition, match="is closed"):
        advance(cycle, to, done_on=DAY + timedelta(days=30), record="x", due_on=DAY)


def test_next_step_needs_a_due_date_and_no_time_travel() -> None:
    cycle = start_cycle("p", "acme", "g", owner="li", due_on=DAY)
    with pytest.raises(IllegalTransition, match="needs a due date"):
        advance(cycle, PdcaStage.DO, done_on=DAY, record="x")
    cycle = advance(cycle, PdcaStage.DO, done_on=DAY, record="x", due_on=DAY)
    with pytest.raises(IllegalTransition, match="before the step before"):
        advance(cycle, PdcaStage.CHECK, done_on=DAY - timedelta(days=1), record="y", due_on=DAY)


def test_overdue_steps_as_of_a_date() -> None:
    late = start_cycle("late", "acme", "g", owner="li", due_on=DAY)
    later = start_cycle("later", "beta", "g", owner="kim", due_on=DAY - timedelta(days=3))
    fine = start_cycle("fine", "gamma", "g", owner="li", due_on=DAY + timedelta(days=10))
    closed = walk(
        start_cycle("c", "acme", "g", owner="li", due_on=DAY - timedelta(days=90)),
        PdcaStage.DO,
        PdcaStage.CHECK,
        PdcaStage.ACT,
        PdcaStage.CLOSED,
    )
    found = overdue_steps([late, fine, later, closed], as_of=DAY + timedelta(days=2))
    assert [(o.cycle_id, o.days_overdue) for o in found] == [("later", 5), ("late", 2)]
    assert overdue_steps([late], as_of=DAY) == ()
