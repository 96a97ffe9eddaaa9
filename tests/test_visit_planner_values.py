"""Visit-plan values: JSON round trips through the one converter, and the registered
strategies of ``accountcare.testing.visits``."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accountcare.domain.cadence import Cadence, DueDates, TierCadence
from accountcare.domain.calendars import WorkCalendar
from accountcare.domain.visits import (
    PlanView,
    UnplacedVisit,
    Utilisation,
    Visit,
    VisitChecklist,
    VisitPlan,
)
from accountcare.errors import InvalidRecord
from accountcare.policies.visits.cadence import due_dates
from accountcare.policies.visits.plan_views import plan_view
from accountcare.policies.visits.planner import plan_visits
from accountcare.serialization import from_json, to_json
from accountcare.testing.visits import PlanningInputs, planning_inputs


@pytest.mark.parametrize(
    "kind",
    [WorkCalendar, TierCadence, Cadence, Visit, UnplacedVisit, Utilisation, VisitChecklist],
)
@given(data=st.data())
def test_visit_values_round_trip_through_json(kind: type, data: st.DataObject) -> None:
    value = data.draw(st.from_type(kind))
    assert from_json(to_json(value), kind) == value


@given(planning_inputs(max_accounts=6, max_weeks=3))
def test_plans_views_and_due_dates_round_trip_through_json(inputs: PlanningInputs) -> None:
    plan = plan_visits(**inputs.kwargs())
    assert from_json(to_json(plan), VisitPlan) == plan
    view = plan_view(plan, by="tier", period="month")
    assert from_json(to_json(view), PlanView) == view
    for due in due_dates(
        inputs.accounts, inputs.tiers, inputs.interactions, as_of=inputs.start
    ).values():
        assert from_json(to_json(due), DueDates) == due


def test_a_bad_calendar_payload_names_the_field() -> None:
    payload = to_json(WorkCalendar("rep-li", "CN")).replace(
        '"visits_per_day": 4', '"visits_per_day": 0'
    )
    with pytest.raises(InvalidRecord) as caught:
        from_json(payload, WorkCalendar)
    assert caught.value.field == "visits_per_day"


def test_a_visit_checklist_refuses_an_unknown_item() -> None:
    with pytest.raises(ValueError, match="no item 'coffee'"):
        VisitChecklist().tick("coffee")
    with pytest.raises(InvalidRecord) as caught:
        Visit("acme", "rep-li", date(2026, 3, 2), purpose="routine")  # type: ignore[arg-type]
    assert caught.value.field == "purpose"
