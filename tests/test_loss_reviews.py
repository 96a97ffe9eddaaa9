"""Root-cause records of lost accounts: stored, read by the care run, recorded from the
command line; a win-back starts only once one exists."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest

from accountcare.adapters.memory import MemoryStore
from accountcare.adapters.sqlite import SqliteStore
from accountcare.cli import _commands  # noqa: F401  (registers every command)
from accountcare.cli._commands import run
from accountcare.domain import Account, Channel, Contact
from accountcare.domain.accounts import LifecycleStage
from accountcare.domain.care import CareKind
from accountcare.domain.care_rules import DEFAULT_CARE_RULES
from accountcare.domain.contacts import PhoneNumber
from accountcare.domain.warnings import LostAccountReview, RootCause
from accountcare.ports.store import Batch
from accountcare.services.care import schedule_and_enqueue
from accountcare.testing import store_dump

AS_OF = date(2026, 11, 2)
END = date(2027, 6, 1)
ERP = (
    "id,name,short_name,owner\n"
    "C1001,上海华东电子有限公司,,rep-li\n"
    'C1003,"ACME Co., Ltd.",Acme,rep-li\n'
)
CONTACTS = (
    "Name,Mobile,Email,Company,Title\n"
    "王伟,138 0013 8000,wang@huadong.cn,上海华东电子,总经理\n"
    "John Smith,+1 415 555 0100,john@acme.com,ACME,CTO\n"
)


def _win_back_days(found_on: date, end: date = END) -> list[date]:
    """The days CareRules puts a lost account's win-backs on, one contact to reach."""
    rules = DEFAULT_CARE_RULES
    day, days = found_on + timedelta(days=rules.win_back_after_days), []
    while day < end:
        days.append(day)
        day += timedelta(days=rules.win_back_every_days)
    return days


# -- the care run reads the stored reviews ------------------------------------------------


class _Counting(MemoryStore):
    """A memory store counting how the care run asks for loss reviews."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str | None] = []

    def loss_reviews(self, account_id: str | None = None) -> tuple[LostAccountReview, ...]:
        self.asked.append(account_id)
        return super().loss_reviews(account_id)


def _lost_book(store: MemoryStore) -> LostAccountReview:
    lost = Account(id="acme", name="Acme", owner="rep-li", stage=LifecycleStage.LOST)
    kept = Account(id="beta", name="Beta", owner="rep-li", stage=LifecycleStage.LOST)
    people = [
        Contact(id=f"c-{a.id}", account_id=a.id, name="Li", country="CN",
                phones=[PhoneNumber("138 0013 8000", "+8613800138000")],
                channels=[Channel.PHONE], consents={Channel.PHONE}, time_zone="Asia/Shanghai")
        for a in (lost, kept)
    ]  # fmt: skip
    review = LostAccountReview("acme", RootCause.PRICE, "took a cheaper offer", "rep-li", AS_OF)
    store.write(Batch(accounts=[lost, kept], contacts=people, loss_reviews=[review]))
    return review


def test_the_care_run_schedules_win_backs_from_the_stored_reviews_in_one_query() -> None:
    store = _Counting()
    review = _lost_book(store)
    run_ = schedule_and_enqueue(store, start=AS_OF, end=END, name="w", tiers={})
    assert store.asked == [None]
    backs = [t for t in run_.rep_actions if t.kind is CareKind.WIN_BACK]
    assert [(t.account_id, t.on) for t in backs] == [("acme", d) for d in _win_back_days(AS_OF)]
    assert {t.channel for t in backs} == {Channel.PHONE}
    assert all(review.cause.value in t.reason for t in backs)
    assert not [t for t in run_.messages if t.kind is CareKind.WIN_BACK]


def test_reviews_given_to_the_care_run_replace_the_stored_ones() -> None:
    store = _Counting()
    _lost_book(store)
    none = schedule_and_enqueue(store, start=AS_OF, end=END, name="w", tiers={}, loss_reviews=())
    assert store.asked == []
    assert not [t for t in none.schedule.tasks if t.kind is CareKind.WIN_BACK]
    later = LostAccountReview("beta", RootCause.SERVICE, "no reply", "rep-li", date(2027, 1, 4))
    given = schedule_and_enqueue(
        store, start=AS_OF, end=END, name="w", tiers={}, loss_reviews=[later]
    )
    backs = [(t.account_id, t.on) for t in given.schedule.tasks if t.kind is CareKind.WIN_BACK]
    assert backs == [("beta", d) for d in _win_back_days(later.found_on)]


# -- the command line --------------------------------------------------------------------


class Cli:
    """``accountcare --db FILE --as-of DAY ...`` on a real SQLite file."""

    def __init__(self, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.folder, self.db, self.capsys = folder, folder / "book.sqlite3", capsys

    def __call__(self, *args: str, as_of: date = AS_OF) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = run(["--db", str(self.db), "--as-of", as_of.isoformat(), *args])
        out, err = self.capsys.readouterr()
        return code, out, err

    def json(self, *args: str, as_of: date = AS_OF) -> list[dict[str, Any]]:
        code, out, err = self("--format", "json", *args, as_of=as_of)
        assert code == 0, err
        rows: list[dict[str, Any]] = json.loads(out)
        return rows

    def store(self) -> SqliteStore:
        return SqliteStore(self.db)


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    book = Cli(tmp_path, capsys)
    for kind, text, extra in (("accounts", ERP, ()), ("contacts", CONTACTS, ("--country", "CN"))):
        path = tmp_path / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        book.json("import", kind, str(path), *extra)
    with book.store() as store:
        ids = [c.id for a in store.accounts() for c in store.contacts(a.id)]
    book.json("contacts", "consent", "--channels", "phone,email", *ids)
    return book


def _win_backs(cli: Cli) -> list[tuple[str, str]]:
    rows = cli.json("tasks", "--to", END.isoformat())
    return [(r["account"], r["day"]) for r in rows if r["kind"] == "win_back"]


def test_a_lost_account_gets_win_backs_only_once_its_cause_is_recorded(cli: Cli) -> None:
    with cli.store() as store:  # lost, as the ERP says, but nobody knows why yet
        acme = store.account("C1003")
        assert acme is not None
        store.write(Batch(accounts=[attrs.evolve(acme, stage=LifecycleStage.LOST)]))
    care = cli.json("care", "--from", AS_OF.isoformat(), "--to", END.isoformat())
    assert care
    assert not [r for r in care if r["kind"] == "win_back"]
    assert _win_backs(cli) == []

    rows = cli.json("lost", "C1003", "--cause", "competitor", "--evidence",
                    "Signed a 2-year deal with Initech", "--by", "Li Na")  # fmt: skip
    assert {r["what"]: r["value"] for r in rows} == {
        "account": "C1003 (ACME Co., Ltd.)",
        "stage": "lost",
        "cause": "competitor",
        "evidence": "Signed a 2-year deal with Initech",
        "found": "2026-11-02 by Li Na",
        "win-back from": "2026-11-16",
    }
    with cli.store() as store:
        assert store.loss_reviews() == (
            LostAccountReview("C1003", RootCause.COMPETITOR, "Signed a 2-year deal with Initech",
                              "Li Na", AS_OF),
        )  # fmt: skip
        account = store.account("C1003")
        assert account is not None
        assert account.stage is LifecycleStage.LOST
    care = cli.json("care", "--from", AS_OF.isoformat(), "--to", END.isoformat())
    days = [d.isoformat() for d in _win_back_days(AS_OF)]
    assert days == ["2026-11-16", "2027-02-14", "2027-05-15"]
    assert [r["date"] for r in care if r["kind"] == "win_back"] == days
    assert _win_backs(cli) == [("C1003", d) for d in days]
    with cli.store() as store:  # rep actions: nothing of the win-back is queued
        assert not [e for e in store.outbox() if "win_back" in e.key]


def test_recording_the_cause_again_later_moves_the_win_back(cli: Cli) -> None:
    cli.json("lost", "C1003", "--cause", "price", "--evidence", "cheaper offer")
    later = date(2027, 1, 4)
    cli.json("lost", "C1003", "--cause", "service", "--evidence", "no reply", as_of=later)
    with cli.store() as store:
        assert [(r.found_on, r.found_by) for r in store.loss_reviews("C1003")] == [
            (AS_OF, "cli"),
            (later, "cli"),
        ]
    cli.json("care", "--from", AS_OF.isoformat(), "--to", END.isoformat())
    assert _win_backs(cli) == [("C1003", d.isoformat()) for d in _win_back_days(later)]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("nobody", "--cause", "price", "--evidence", "x"),
         "ACCOUNT_ID: no account 'nobody' is stored (`accountcare accounts` lists them); "
         "nothing was recorded"),
        (("C1003", "--cause", "cheap", "--evidence", "x"),
         "--cause: 'cheap' is not a root cause; use price, quality, service, delivery, "
         "competitor, relationship, need_ended, financial or other"),
        (("C1003", "--cause", "price", "--evidence", "  "), "--evidence: must not be empty"),
        (("C1003", "--cause", "price", "--evidence", "x", "--by", "Li\nNa"),
         "--by: must not contain control characters or line breaks, found U+000A at "
         "position 3 of 5"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_naming_the_flag_and_nothing_is_stored(
    cli: Cli, args: tuple[str, ...], said: str
) -> None:
    with cli.store() as store:
        before = store_dump(store)
    code, out, err = cli("lost", *args)
    assert (code, out, err) == (1, "", f"accountcare: error: {said}\n")
    with cli.store() as store:
        assert store_dump(store) == before
        assert store.loss_reviews() == ()
