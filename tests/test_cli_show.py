"""``plan --show unplaced`` and ``care --show dropped``: what was left out, and why.

The command runs in this process (``accountcare.cli.main``) on a real SQLite file; every
list is checked against what the command stored, and every reason against the records.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accountcare.adapters.sqlite import SqliteStore
from accountcare.cli import main
from accountcare.domain.care import DropReason
from accountcare.domain.visits import UnplacedReason
from accountcare.services.planning import plan_name

AS_OF = date(2026, 11, 2)


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    """Run the command on ``db`` as of ``AS_OF``: exit code, stdout and stderr."""
    capsys.readouterr()
    code = main(["--db", str(db), "--as-of", AS_OF.isoformat(), *args])
    out, err = capsys.readouterr()
    return code, out, err


def rows_of(result: tuple[int, str, str]) -> list[dict[str, Any]]:
    code, out, err = result
    assert code == 0, err
    rows = json.loads(out)
    assert isinstance(rows, list)
    return rows


def counts_line(err: str, what: str) -> dict[str, int]:
    """``{"capacity": 9, ...}`` from the line ``13 visits did not fit: 9 ... (capacity)``."""
    lines = [line for line in err.splitlines() if what in line]
    assert len(lines) == 1, err
    total, _, parts = lines[0].partition(f" {what}")
    found = {
        code: int(n.replace(",", ""))
        for n, code in re.findall(r"(\d[\d,]*) [^()]+ \((\w+)\)", parts)
    }
    assert sum(found.values()) == int(total.replace(",", ""))
    return found


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the demo book of 120 accounts."""
    db = tmp_path_factory.mktemp("show") / "book.sqlite3"
    code = main(["--db", str(db), "--as-of", AS_OF.isoformat(), "demo", "--accounts", "120"])
    assert code == 0
    return db


def test_plan_show_unplaced_lists_every_visit_left_out_with_its_reason(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # One visit a day for each rep: the plan cannot hold every visit due.
    args = ("--format", "json", "plan", "--weeks", "2", "--visits-per-day", "1", "--name", "tight")
    result = run(capsys, book, *args, "--show", "unplaced")
    rows = rows_of(result)
    with SqliteStore(book) as store:
        plan = store.visit_plan("tight")
        owners = {a.id: a.owner for a in store.accounts()}
        tiers = {a.account_id: a.tier for a in store.tier_assignments("abc", AS_OF)}
    assert plan is not None
    assert len(rows) == len(plan.unplaced) > 0
    assert {(r["account"], r["due"], r["reason"]) for r in rows} == {
        (u.account_id, u.due_on.isoformat(), u.reason.value) for u in plan.unplaced
    }
    for row in rows:
        assert row["rep"] == owners[row["account"]]
        assert row["tier"] == tiers[row["account"]]
        assert row["reason"] in {r.value for r in UnplacedReason}
        assert row["detail"]
    # A full week is the reason most visits were left out of so small a plan.
    assert Counter(r["reason"] for r in rows).most_common(1)[0][0] == "capacity"
    assert counts_line(result[2], "visits did not fit") == Counter(r["reason"] for r in rows)


def test_plan_prints_the_reasons_with_the_visits_too(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, book, "plan", "--weeks", "1", "--visits-per-day", "1")
    assert code == 0, err
    with SqliteStore(book) as store:
        plan = store.visit_plan("current")
    assert plan is not None
    assert f"{len(plan.visits):,} visits, {len(plan.unplaced):,} did not fit" in out
    assert counts_line(err, "visits did not fit") == Counter(u.reason.value for u in plan.unplaced)


def test_care_show_dropped_lists_every_touch_dropped_with_its_reason(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    window = ("care", "--from", "2026-11-02", "--to", "2026-12-02", "--name", "nov")
    result = run(capsys, book, "--format", "json", *window, "--show", "dropped")
    rows = rows_of(result)
    with SqliteStore(book) as store:
        schedule = store.care_schedule("nov")
        contacts = {c.id: c for a in store.accounts() for c in store.contacts(a.id)}
    assert schedule is not None
    assert len(rows) == len(schedule.dropped) > 0
    assert sorted((r["date"], r["contact"], r["kind"], r["reason"]) for r in rows) == sorted(
        (d.task.on.isoformat(), d.task.contact_id, d.task.kind.value, d.reason.value)
        for d in schedule.dropped
    )
    reasons = Counter(r["reason"] for r in rows)
    # The sample book has contacts who opted out, who withheld consent, and busy weeks.
    assert {"opted_out", "no_consented_channel", "frequency_ceiling"} <= set(reasons)
    assert set(reasons) <= {r.value for r in DropReason}
    scheduled = {t.contact_id for t in schedule.tasks}
    for row in rows:
        contact = contacts[row["contact"]]
        if row["reason"] == "opted_out":
            assert contact.opted_out
            assert row["contact"] not in scheduled
    assert counts_line(result[2], "touches dropped") == reasons


def test_care_always_says_why_touches_were_dropped(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, book, "care", "--from", "2026-11-02", "--to", "2026-11-16")
    assert code == 0, err
    with SqliteStore(book) as store:
        schedule = store.care_schedule("current")
    assert schedule is not None
    dropped = len(schedule.dropped)
    assert dropped > 0
    assert f"{dropped:,} dropped" in out
    assert counts_line(err, "touches dropped") == Counter(d.reason.value for d in schedule.dropped)
    assert "opted out (opted_out)" in err


@pytest.mark.parametrize(
    "args",
    [
        ("plan", "--show", "dropped"),
        ("care", "--from", "2026-11-02", "--to", "2026-11-09", "--show", "unplaced"),
        ("care", "--from", "2026-11-02", "--to", "2026-11-09", "--show", "all"),
    ],
)
def test_show_takes_only_its_documented_values(
    book: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    with SqliteStore(book) as store:
        before = (store.visit_plan("current"), store.care_schedule("current"), store.outbox())
    code, _, err = run(capsys, book, *args)
    assert code == 2
    assert "Invalid value for '--show'" in err
    with SqliteStore(book) as store:
        assert (store.visit_plan("current"), store.care_schedule("current"), store.outbox()) == (
            before
        )


def test_a_rep_plan_is_stored_under_its_own_name_and_keeps_the_team_plan(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, book, "plan", "--weeks", "3")
    assert code == 0, err
    with SqliteStore(book) as store:
        team = store.visit_plan("current")
    assert team is not None
    assert {v.rep_id for v in team.visits} == {"rep-01", "rep-02", "rep-03"}

    code, out, err = run(capsys, book, "plan", "--weeks", "1", "--rep", "rep-02")
    assert code == 0, err
    assert "visit plan 'current-rep-02'" in out
    with SqliteStore(book) as store:
        assert store.visit_plan("current") == team
        mine = store.visit_plan("current-rep-02")
    assert mine is not None
    assert mine.visits
    assert {v.rep_id for v in mine.visits} == {"rep-02"}
    assert mine.end == AS_OF + timedelta(weeks=1)

    code, out, err = run(capsys, book, "plan", "--weeks", "1", "--rep", "rep-03", "--name", "r3")
    assert code == 0, err
    assert "visit plan 'r3'" in out
    with SqliteStore(book) as store:
        assert store.visit_plan("current") == team
        r3 = store.visit_plan("r3")
        assert store.visit_plan("current-rep-03") is None
    assert r3 is not None
    assert {v.rep_id for v in r3.visits} == {"rep-03"}


@given(st.text(min_size=1), st.text(min_size=1))
def test_plan_names_never_collide(one: str, other: str) -> None:
    assert plan_name(one) != plan_name()
    assert (plan_name(one) == plan_name(other)) == (one == other)
