"""``demo`` writes only into a store of its own, and a demo that fails stores nothing.

The command runs in this process (``accountcare.cli.main``) on real SQLite files; a store
is compared record by record before and after.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from accountcare.adapters.sqlite import SqliteStore
from accountcare.cli import main
from accountcare.domain import Account, Contact
from accountcare.domain.team import Rep
from accountcare.errors import AccountcareError
from accountcare.ports.store import Batch
from accountcare.services import demo as demo_service
from accountcare.services.book import load_book

AS_OF = date(2026, 11, 2)


def demo(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str]:
    """Run ``demo ARGS`` on ``db`` as of ``AS_OF``: the exit code and stderr."""
    capsys.readouterr()
    code = main(["--db", str(db), "--as-of", AS_OF.isoformat(), "demo", *args])
    return code, capsys.readouterr().err


def records(db: Path) -> tuple[Any, ...]:
    """Everything a demo writes, as the store at ``db`` holds it."""
    with SqliteStore(db) as store:
        return (
            load_book(store),
            store.tier_assignments("abc", AS_OF),
            store.visit_plan("current"),
            store.care_schedule("current"),
            store.outbox(),
            store.reps(),
            store.company(),
        )


def empty(db: Path) -> bool:
    book, tiers, plan, schedule, outbox, reps, company = records(db)
    return (
        not (book.accounts or book.contacts or book.orders or tiers or outbox or reps)
        and plan is None
        and schedule is None
        and company is None
    )


def store_with(db: Path, batch: Batch) -> None:
    with SqliteStore(db) as store:
        store.write(batch)


ACME = Account(id="acme", name="Acme Trading", owner="rep-li")
FOREIGN = [
    pytest.param(Batch(accounts=[ACME]), "Account 'acme'", id="account"),
    pytest.param(
        Batch(contacts=[Contact(id="imported-1", account_id="acct-00001", name="Kim Minjun")]),
        "Contact 'imported-1'",
        id="contact-under-a-sample-account",
    ),
    pytest.param(Batch(reps=[Rep(id="rep-li", name="Li Na")]), "Rep 'rep-li'", id="rep"),
]


@pytest.mark.parametrize(("batch", "named"), FOREIGN)
def test_a_store_with_records_the_demo_did_not_create_is_refused_and_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], batch: Batch, named: str
) -> None:
    db = tmp_path / "crm.sqlite3"
    assert demo(capsys, db, "--accounts", "10")[0] == 0
    store_with(db, batch)
    before = records(db)
    code, err = demo(capsys, db, "--accounts", "30", "--weeks", "2")
    assert code == 1
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("accountcare: error: --db: ")
    assert named in err
    assert "--force" in err
    assert records(db) == before


def test_a_real_book_is_refused_and_force_adds_the_sample_to_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "crm.sqlite3"
    store_with(db, Batch(accounts=[ACME]))
    before = records(db)
    assert demo(capsys, db, "--accounts", "20")[0] == 1
    assert records(db) == before
    code, err = demo(capsys, db, "--accounts", "20", "--force")
    assert code == 0, err
    book = records(db)[0]
    assert book.account("acme") == ACME
    assert len(book.accounts) == 21


def test_a_store_of_earlier_demos_is_the_demo_s_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "demo.sqlite3"
    assert demo(capsys, db, "--accounts", "40")[0] == 0
    code, err = demo(capsys, db, "--accounts", "40", "--care-days", "7")
    assert code == 0, err
    book, _, _, schedule, *_ = records(db)
    assert len(book.accounts) == 40
    assert schedule is not None
    assert schedule.end == date(2026, 11, 9)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--weeks", "0"), "--weeks must be at least 1, got 0"),
        (("--care-days", "0"), "--care-days must be at least 1, got 0"),
        (("--accounts", "0"), "--accounts must be at least 1, got 0"),
        (("--accounts", "10", "--care-days", "-3"), "--care-days must be at least 1, got -3"),
    ],
)
def test_a_demo_refused_for_its_options_leaves_an_empty_store_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], words: str
) -> None:
    db = tmp_path / "empty.sqlite3"
    SqliteStore(db).close()
    assert empty(db)
    code, err = demo(capsys, db, *args)
    assert code == 1
    assert err.strip() == f"accountcare: error: {words}"
    assert empty(db)


def test_a_demo_that_fails_half_way_stores_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The book, its tiers and its plan are made before the care fails: none is kept."""
    db = tmp_path / "empty.sqlite3"
    SqliteStore(db).close()

    def failing(*args: object, **kwargs: object) -> None:
        raise AccountcareError("the care schedule could not be made")

    monkeypatch.setattr(demo_service, "schedule_and_enqueue", failing)
    code, err = demo(capsys, db, "--accounts", "25")
    assert code == 1
    assert err.strip() == "accountcare: error: the care schedule could not be made"
    assert empty(db)


def test_the_library_demo_checks_its_parameters_before_it_reads(tmp_path: Path) -> None:
    db = tmp_path / "empty.sqlite3"
    with SqliteStore(db) as store:
        for bad in ({"weeks": 0}, {"care_days": 0}, {"accounts": -1}):
            with pytest.raises(ValueError, match=f"{next(iter(bad))} must be at least 1"):
                demo_service.run_demo(store, as_of=AS_OF, **bad)  # type: ignore[arg-type]
    assert empty(db)
