"""The ``accountcare`` command, run as a subprocess the way a user runs it.

Each subcommand is checked against an independent computation over the same store, and
bad input must give exit code 1, one line on stderr, and leave the store as it was.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta

from accountcare.adapters.sqlite import SqliteStore
from accountcare.domain.care_rules import DEFAULT_CARE_RULES
from accountcare.domain.outbox import OutboxStatus
from accountcare.policies import AbcPolicy, ProfitabilityPolicy, RankBandPolicy
from accountcare.services.book import load_book
from notify_servers import SmtpRecorder, smtp_server

DATA = Path(__file__).parent / "data" / "imports"
AS_OF = date(2026, 11, 2)


def accountcare(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m accountcare ARGS`` and capture what it prints."""
    environment = {**os.environ, "COLUMNS": "200", **(env or {})}
    environment.pop("ACCOUNTCARE_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "accountcare", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def json_rows(result: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    return rows


@pytest.fixture(scope="module")
def book_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the demo book of 200 accounts."""
    folder = tmp_path_factory.mktemp("cli")
    result = accountcare(
        "--db", "book.sqlite3", "--as-of", AS_OF.isoformat(), "--format", "json",
        "demo", "--accounts", "200", cwd=folder,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return folder / "book.sqlite3"


def snapshot(path: Path) -> tuple[Any, ...]:
    """Everything a command could change in the store at ``path``."""
    with SqliteStore(path) as store:
        tiers = tuple(
            store.tier_assignments(name, AS_OF) for name in ("abc", "rank_bands", "profitability")
        )
        return (
            load_book(store),
            tiers,
            store.outbox(),
            store.visit_plan("current"),
            store.care_schedule("current"),
        )


def run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return accountcare("--db", str(db), "--as-of", AS_OF.isoformat(), *args, cwd=db.parent)


# -- demo -------------------------------------------------------------------------------


def test_demo_stores_a_book_and_reports_every_step(book_db: Path) -> None:
    result = run(book_db, "--format", "json", "demo", "--accounts", "120", "--weeks", "2")
    rows = {r["what"]: r["result"] for r in json_rows(result)}
    assert rows["book"].startswith("120 accounts")
    assert set(rows) >= {"tiers (ABC)", "visits planned (2 weeks)", "messages queued"}
    with SqliteStore(book_db) as store:
        assert len(store.tier_assignments("abc", AS_OF)) == 200  # 120 rewritten, 80 kept
        plan = store.visit_plan("current")
        assert plan is not None
        assert plan.end == AS_OF + timedelta(weeks=2)
        queued = store.outbox()
    assert f"{len(plan.visits):,} placed" in rows["visits planned (2 weeks)"]
    assert len(queued) >= int(rows["messages queued"].replace(",", ""))


def test_demo_uses_the_data_directory_when_no_db_is_given(tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path / "data")}
    result = accountcare(
        "--as-of", AS_OF.isoformat(), "demo", "--accounts", "30", cwd=tmp_path, env=env
    )
    assert result.returncode == 0, result.stderr
    assert "accountcare demo" in result.stdout
    path = tmp_path / "data" / "accountcare" / "accountcare.sqlite3"
    with SqliteStore(path) as store:
        assert len(store.accounts()) == 30


# -- import -----------------------------------------------------------------------------


def test_import_accounts_orders_and_contacts(tmp_path: Path) -> None:
    db = tmp_path / "imports.sqlite3"
    (tmp_path / "accounts.csv").write_text(
        "id,name,owner\nacme,Acme Trading,rep-01\nhanbit,한빛무역,rep-02\n", encoding="utf-8"
    )
    (tmp_path / "orders.csv").write_text(
        "id,account_id,ordered_on,amount\no-1,acme,2026-05-04,1200.50\no-2,hanbit,2026-06-01,80\n",
        encoding="utf-8",
    )
    accounts = json_rows(run(db, "--format", "json", "import", "accounts", "accounts.csv"))
    assert {r["what"]: r["count"] for r in accounts}["accounts stored"] == 2
    orders = json_rows(
        run(db, "--format", "json", "import", "orders", "orders.csv", "--currency", "CNY")
    )
    assert {r["what"]: r["count"] for r in orders}["orders stored"] == 2
    shutil_copy(DATA / "google_contacts.csv", tmp_path / "google.csv")
    shutil_copy(DATA / "vcard_4_0.vcf", tmp_path / "cards.vcf")
    contacts = json_rows(
        run(
            db,
            "--format",
            "json",
            "import",
            "contacts",
            "google.csv",
            "--country",
            "CN",
            "--time-zone",
            "Asia/Shanghai",
            "--account",
            "personal",
        )
    )
    cards = json_rows(
        run(
            db,
            "--format",
            "json",
            "import",
            "contacts",
            "cards.vcf",
            "--account",
            "personal",
            "--keep-good",
        )
    )
    stored_csv = {r["what"]: r["count"] for r in contacts}["contacts stored"]
    stored_vcf = {r["what"]: r["count"] for r in cards}["contacts stored"]
    assert stored_csv > 0
    assert stored_vcf > 0
    with SqliteStore(db) as store:
        book = load_book(store)
    assert {o.id: o.amount for o in book.orders} == {"o-1": Decimal("1200.50"), "o-2": Decimal(80)}
    assert {o.currency for o in book.orders} == {"CNY"}
    phones = {p.e164: c.name for c in book.contacts for p in c.phones}
    assert phones["+8613800138000"] == "王伟"  # the first row of the Google export
    assert len(book.contacts) <= stored_csv + stored_vcf


def shutil_copy(source: Path, target: Path) -> None:
    target.write_bytes(source.read_bytes())


# -- tier -------------------------------------------------------------------------------


def _revenue_and_margin(db: Path) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """Twelve months of revenue and margin per account, computed here from the orders."""
    start = AS_OF - relativedelta(months=12)
    with SqliteStore(db) as store:
        book = load_book(store)
    revenue = {a.id: Decimal(0) for a in book.accounts}
    margin = {a.id: Decimal(0) for a in book.accounts}
    for order in book.orders:
        if start <= order.ordered_on < AS_OF:
            revenue[order.account_id] += order.amount
            margin[order.account_id] += order.margin or 0
    return revenue, margin


@pytest.mark.parametrize(
    ("method", "policy", "measure"),
    [("abc", AbcPolicy(), 0), ("rank", RankBandPolicy(), 0), ("profit", ProfitabilityPolicy(), 1)],
)
def test_tier_agrees_with_the_policy_on_independently_summed_orders(
    book_db: Path, method: str, policy: Any, measure: int
) -> None:
    rows = json_rows(run(book_db, "--format", "json", "tier", "--method", method))
    values = _revenue_and_margin(book_db)[measure]
    assert {r["account_id"]: r["tier"] for r in rows} == policy.assign(values).labels()
    with SqliteStore(book_db) as store:
        stored = store.tier_assignments(policy.name, AS_OF)
    assert {a.account_id: a.tier for a in stored} == policy.assign(values).labels()


def test_tier_score_rates_every_account_in_the_bands(book_db: Path) -> None:
    rows = json_rows(run(book_db, "--format", "json", "tier", "--method", "score"))
    assert len(rows) == 200
    for row in rows:
        floor = {"A": 80, "B": 60, "C": 0}[row["tier"]]
        assert floor <= float(row["value"]) <= 100


def test_tier_from_csv_writes_every_assignment_and_stores_nothing(book_db: Path) -> None:
    folder = book_db.parent
    (folder / "values.csv").write_text(
        "customer,sales\n" + "".join(f"c{n},{(n * 37) % 101}\n" for n in range(50)),
        encoding="utf-8",
    )
    before = snapshot(book_db)
    result = run(
        book_db, "tier", "--from-csv", "values.csv", "--id-column", "customer",
        "--value-column", "sales", "--output", "tiers.csv",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "every assignment written to tiers.csv" in result.stdout
    written = list(csv.DictReader(io.StringIO((folder / "tiers.csv").read_text("utf-8"))))
    expected = AbcPolicy().assign({f"c{n}": (n * 37) % 101 for n in range(50)}).labels()
    assert {r["account_id"]: r["tier"] for r in written} == expected
    assert snapshot(book_db) == before


def test_csv_output_holds_what_json_does(book_db: Path) -> None:
    for command in (("health", "--top", "0"), ("tier", "--method", "score")):
        as_json = json_rows(run(book_db, "--format", "json", *command))
        result = run(book_db, "--format", "csv", *command)
        assert result.returncode == 0, result.stderr
        as_csv = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
        assert len(as_csv) == len(as_json) > 0
        for from_csv, from_json in zip(as_csv, as_json, strict=True):
            assert from_csv.keys() == from_json.keys()
            for key, value in from_json.items():
                if isinstance(value, float):
                    assert float(from_csv[key]) == pytest.approx(value, rel=1e-3)
                else:
                    assert from_csv[key] == str(value)


# -- plan, care, health, alerts ---------------------------------------------------------


def test_plan_places_visits_by_owner_inside_the_window(book_db: Path) -> None:
    rows = json_rows(run(book_db, "--format", "json", "plan", "--weeks", "3", "--rep", "rep-01"))
    assert rows
    with SqliteStore(book_db) as store:
        owner = {a.id: a.owner for a in store.accounts()}
        plan = store.visit_plan("current-rep-01")  # a rep's plan keeps the team's
    assert plan is not None
    assert len(plan.visits) == len(rows)
    for row in rows:
        assert row["rep"] == "rep-01" == owner[row["account"]]
        assert AS_OF <= date.fromisoformat(row["date"]) < AS_OF + timedelta(weeks=3)


def test_care_schedules_the_window_and_queues_each_task_once(book_db: Path) -> None:
    args = ("--format", "json", "care", "--from", "2026-11-02", "--to", "2026-11-16")
    rows = json_rows(run(book_db, *args))
    assert rows
    for row in rows:
        assert date(2026, 11, 2) <= date.fromisoformat(row["date"]) < date(2026, 11, 16)
    with SqliteStore(book_db) as store:
        schedule = store.care_schedule("current")
        keys = {e.key for e in store.outbox()}
    assert schedule is not None
    assert len(schedule.tasks) == len(rows)
    # Messages go to the outbox; calls, visits and data checks are a rep's actions.
    actions = {t.key for t in schedule.tasks if DEFAULT_CARE_RULES.is_rep_action(t.kind, t.channel)}
    assert actions
    assert {t.key for t in schedule.tasks} - actions <= keys
    assert not actions & keys
    json_rows(run(book_db, *args))  # the same window again
    with SqliteStore(book_db) as store:
        assert {e.key for e in store.outbox()} == keys


def test_health_lists_the_weakest_accounts_first(book_db: Path) -> None:
    rows = json_rows(run(book_db, "--format", "json", "health", "--top", "5"))
    assert len(rows) == 5
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores)
    assert all(0 <= s <= 100 for s in scores)
    everyone = json_rows(run(book_db, "--format", "json", "health", "--top", "0"))
    assert len(everyone) == 200
    assert min(r["score"] for r in everyone) == scores[0]


def test_alerts_match_the_early_warning_policy(book_db: Path) -> None:
    from accountcare.policies.health.early_warning import early_warnings, model_alerts
    from accountcare.services.review import review_periods

    rows = json_rows(run(book_db, "--format", "json", "alerts"))
    previous, current = review_periods(AS_OF, 3)
    with SqliteStore(book_db) as store:
        book = load_book(store)
    rules = early_warnings(book.orders, book.complaints, previous=previous, current=current)
    models = model_alerts(book.orders, as_of=AS_OF, previous_as_of=current.start)
    expected = sorted((*rules, *models), key=lambda a: (a.account_id, a.rule.value))
    assert [(r["account"], r["rule"]) for r in rows] == [
        (a.account_id, a.rule.value) for a in expected
    ]
    assert rows, "the demo book has alerts"


# -- notify and export ------------------------------------------------------------------


def test_notify_lists_due_messages_then_sends_them_through_smtp(tmp_path: Path) -> None:
    db = tmp_path / "notify.sqlite3"
    assert run(db, "demo", "--accounts", "60", "--care-days", "3").returncode == 0
    listed = json_rows(run(db, "--format", "json", "notify"))
    with SqliteStore(db) as store:
        due = {e.key for e in store.outbox(OutboxStatus.PENDING)}
    assert {r["key"] for r in listed} <= due
    assert listed
    recorder: SmtpRecorder
    with smtp_server() as (port, recorder):
        result = run(
            db, "--format", "json", "notify", "--send", "--via", "smtp", "--smtp-port", str(port),
            "--sender", "care@example.com",
        )  # fmt: skip
    outcome = {r["outcome"]: r["messages"] for r in json_rows(result)}
    email_keys = {r["key"] for r in listed if r["channel"] == "email"}
    assert set(recorder.keys()) == email_keys
    assert outcome["sent"] == len(email_keys)
    with SqliteStore(db) as store:
        sent = {e.key for e in store.outbox(OutboxStatus.SENT)}
    assert sent == email_keys


def test_export_ics_writes_one_event_per_visit_and_task(book_db: Path) -> None:
    import icalendar

    run(book_db, "plan", "--weeks", "2")
    run(book_db, "care", "--from", "2026-11-02", "--to", "2026-11-09")
    for flag, name in (("--plan", "plan.ics"), ("--care", "care.ics")):
        result = run(book_db, "export", "ics", flag, name)
        assert result.returncode == 0, result.stderr
        calendar = icalendar.Calendar.from_ical((book_db.parent / name).read_bytes())
        events = list(calendar.walk("VEVENT"))
        with SqliteStore(book_db) as store:
            stored = (
                store.visit_plan("current") if flag == "--plan" else store.care_schedule("current")
            )
        assert stored is not None
        expected = len(stored.visits) if flag == "--plan" else len(stored.tasks)  # type: ignore[union-attr]
        assert len(events) == expected > 0
        assert len({str(e["UID"]) for e in events}) == expected


# -- bad input --------------------------------------------------------------------------


BAD_INPUT = [
    (("import", "contacts", "missing.csv"), "no such file"),
    (("tier", "--from-csv", "values.csv", "--value-column", "revenue", "--id-column", "customer"),
     "no column 'revenue'"),
    (("tier", "--method", "pareto"), "unknown method 'pareto'"),
    (("--as-of", "2027-02-30", "health"), "'2027-02-30' is not a valid date"),
    (("care", "--from", "2027-02-30", "--to", "2027-03-10"), "'2027-02-30' is not a valid date"),
    (("care", "--from", "2027-03-10", "--to", "2027-03-01"), "must come after"),
    (("import", "orders", "no_amount.csv"), "amount"),
    (("export", "ics", "--plan", "out.ics", "--name", "nothing"), "no visit plan named 'nothing'"),
    (("tier", "--output", "folder"), "--output: 'folder' is a directory"),
    (("tier", "--output", "nowhere/tiers.csv"), "--output: the folder 'nowhere' does not exist"),
    (("export", "ics", "--care", "nowhere/care.ics"), "FILE: the folder 'nowhere' does not exist"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "words"), BAD_INPUT)
def test_bad_input_gives_one_line_exit_1_and_changes_nothing(
    book_db: Path, args: tuple[str, ...], words: str
) -> None:
    (book_db.parent / "values.csv").write_text("customer,sales\nc1,5\n", encoding="utf-8")
    (book_db.parent / "folder").mkdir(exist_ok=True)
    (book_db.parent / "no_amount.csv").write_text(
        "id,account_id,ordered_on\no-9,acct-00001,2026-05-01\n"
    )
    before = snapshot(book_db)
    result = run(book_db, *args)
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("accountcare: error: ")
    assert words in lines[0]
    assert "Traceback" not in result.stderr
    assert snapshot(book_db) == before


def test_a_store_path_that_is_a_directory_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    result = accountcare("--db", "folder", "health", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "accountcare: error: --db: 'folder' is a directory; give the path of a store file"
    )
    assert list((tmp_path / "folder").iterdir()) == []


def test_a_file_that_is_not_a_store_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a database\n" * 100)
    result = accountcare("--db", "notes.txt", "health", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert (tmp_path / "notes.txt").read_text() == "not a database\n" * 100


@pytest.mark.parametrize(
    "args", [("frobnicate",), ("tier", "--no-such-option"), ("--format", "xml", "health")]
)
def test_usage_errors_exit_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = accountcare(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "Usage:" in result.stderr


def test_help_lists_every_command(tmp_path: Path) -> None:
    result = accountcare("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in (
        "demo",
        "import",
        "tier",
        "plan",
        "care",
        "health",
        "alerts",
        "notify",
        "export",
    ):
        assert command in result.stdout


def test_a_book_in_two_currencies_needs_rates_to_be_tiered(tmp_path: Path) -> None:
    db = tmp_path / "currencies.sqlite3"
    (tmp_path / "accounts.csv").write_text("id,name\nsh,Shanghai Co\nny,New York Inc\n")
    (tmp_path / "cny.csv").write_text("id,account_id,ordered_on,amount\no-1,sh,2026-06-01,5000\n")
    (tmp_path / "usd.csv").write_text("id,account_id,ordered_on,amount\no-2,ny,2026-06-01,1000\n")
    assert run(db, "import", "accounts", "accounts.csv").returncode == 0
    assert run(db, "import", "orders", "cny.csv", "--currency", "CNY").returncode == 0
    assert run(db, "import", "orders", "usd.csv", "--currency", "USD").returncode == 0

    refused = run(db, "tier")
    assert refused.returncode == 1
    assert "CNY, USD" in refused.stderr
    assert "give rates" in refused.stderr

    # 5000 CNY is 700 USD at 0.14: New York is the bigger account
    rows = json_rows(
        run(
            db,
            "--rate",
            "CNY=0.14",
            "--rate",
            "USD=1",
            "--format",
            "json",
            "tier",
            "--method",
            "rank",
        )
    )
    values = {r["account_id"]: Decimal(str(r["value"])) for r in rows}
    assert values == {"sh": Decimal("700.00"), "ny": Decimal(1000)}
    bad = run(db, "--rate", "CNY=-1", "tier")
    assert bad.returncode == 1
    assert "--rate: 'CNY=-1'" in bad.stderr
