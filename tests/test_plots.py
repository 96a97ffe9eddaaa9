"""The plots show what they claim: cut-offs with the share of accounts, weeks off, no data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

pytest.importorskip("matplotlib")

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot

from accountcare.adapters import plots
from accountcare.domain.care import CareSchedule
from accountcare.domain.visits import Utilisation, VisitPlan


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    pyplot.close("all")


def test_pareto_curve_marks_each_cutoff_with_the_share_of_accounts() -> None:
    ax = plots.pareto_curve({"a": 80, "b": 15, "c": 5}, (0.80, 0.95))
    notes = sorted(text.get_text() for text in ax.texts)
    assert notes == [
        "A ends at 80% of value\n(33.3% of accounts)",
        "B ends at 95% of value\n(66.7% of accounts)",
    ]
    assert ax.get_xlabel() == "share of accounts (largest first)"
    assert ax.get_ylabel() == "cumulative share of value"


def test_visit_heatmap_shows_load_and_marks_weeks_without_capacity_off() -> None:
    weeks = (date(2027, 1, 4), date(2027, 1, 11))
    plan = VisitPlan(
        date(2027, 1, 4),
        date(2027, 1, 18),
        utilisation=(
            Utilisation("rep-a", "week", weeks[0], 6, 20),
            Utilisation("rep-a", "week", weeks[1], 0, 0),
            Utilisation("rep-b", "week", weeks[0], 20, 20),
            Utilisation("rep-b", "week", weeks[1], 3, 12),
            Utilisation("rep-a", "month", date(2027, 1, 1), 6, 20),
        ),
    )
    ax = plots.visit_heatmap(plan)
    assert sorted(text.get_text() for text in ax.texts) == ["20/20", "3/12", "6/20", "off"]
    grid = ax.images[0].get_array()
    assert grid.mask.tolist() == [[False, True], [False, False]]  # rep-a's second week is off
    assert grid[1][0] == 1.0
    assert [t.get_text() for t in ax.get_yticklabels()] == ["rep-a", "rep-b"]
    assert "04 Jan 2027 to 17 Jan 2027" in ax.get_title()


def test_care_touches_says_when_there_is_nothing_to_show() -> None:
    ax = plots.care_touches(CareSchedule(date(2027, 1, 1), date(2027, 2, 1)))
    assert ax.get_title() == "Care schedule (no touches to show)"
