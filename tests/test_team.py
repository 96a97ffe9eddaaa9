"""The account team: iron triangle per key account and overloaded people."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accountcare.domain.relationships import IRON_TRIANGLE, TeamAssignment, TeamRole
from accountcare.errors import ConfigurationError, InvalidRecord
from accountcare.policies.relationships.team import review_teams
from accountcare.testing.relationships import team_assignments


def test_filled_and_missing_roles_per_key_account() -> None:
    report = review_teams(
        [
            TeamAssignment("acme", "account_manager", "li"),
            TeamAssignment("acme", TeamRole.SOLUTION_MANAGER, "kim"),
            TeamAssignment("acme", "executive_sponsor", "ceo"),
            TeamAssignment("beta", "account_manager", "li"),
            TeamAssignment("small", "account_manager", "li"),
        ],
        ["beta", "acme"],
    )
    acme, beta = report.teams
    assert acme.people(TeamRole.SOLUTION_MANAGER) == ("kim",)
    assert acme.missing == (TeamRole.DELIVERY_MANAGER,)
    assert beta.missing == (TeamRole.SOLUTION_MANAGER, TeamRole.DELIVERY_MANAGER)
    assert not acme.complete
    assert report.overloaded == ()


@given(assignments=st.lists(team_assignments(), max_size=30), limit=st.integers(1, 4))
def test_overloaded_exactly_when_above_the_limit(
    assignments: list[TeamAssignment], limit: int
) -> None:
    report = review_teams(assignments, ["a", "b", "c", "d"], limit=limit)
    load: dict[str, set[str]] = {}
    for a in assignments:
        load.setdefault(a.person, set()).add(a.account_id)
    assert {o.person for o in report.overloaded} == {p for p, s in load.items() if len(s) > limit}
    for team in report.teams:
        held = {a.role for a in assignments if a.account_id == team.account_id}
        assert set(team.missing) == set(IRON_TRIANGLE) - held


def test_unknown_role_is_a_clear_error() -> None:
    with pytest.raises(ConfigurationError, match="unknown team role 'boss'"):
        TeamAssignment("acme", "boss", "li")
    with pytest.raises(ConfigurationError, match="unknown team role"):
        review_teams([], ["acme"], required=["account_manager", "boss"])
    with pytest.raises(InvalidRecord, match="person"):
        TeamAssignment("acme", "account_manager", "")
    with pytest.raises(ConfigurationError, match="limit"):
        review_teams([], [], limit=0)
