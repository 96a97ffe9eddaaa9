"""Care across consecutive windows through the service: ``schedule_and_enqueue`` with
``after`` continues a stored schedule, so two windows back to back queue what one run
over both would, and no contact is over-contacted across the boundary.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accountcare.adapters.memory import MemoryStore
from accountcare.adapters.sqlite import SqliteStore
from accountcare.domain.accounts import Account
from accountcare.domain.book import Book
from accountcare.domain.care import CareSchedule, CareTask, DropReason
from accountcare.domain.care_rules import (
    DEFAULT_CARE_RULES,
    CareEvent,
    CareRules,
    EventKind,
)
from accountcare.domain.contacts import Birthday, Channel, Contact, ContactRole, PhoneNumber
from accountcare.errors import ConfigurationError
from accountcare.ports.store import Batch, Store
from accountcare.sample import sample_book
from accountcare.services.book import save_book
from accountcare.services.care import CareRun, schedule_and_enqueue
from accountcare.testing.care import care_events, care_rules
from accountcare.testing.strategies import complaints, contacts, orders, strategy_for

NOVEMBER, DECEMBER, JANUARY = date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)


def _store(kind: str, folder: Path) -> Store:
    if kind == "memory":
        return MemoryStore()
    return SqliteStore(folder / f"windows-{uuid.uuid4().hex[:12]}.sqlite3")


def _close(store: Store) -> None:
    if isinstance(store, SqliteStore):
        store.close()


def _keys(tasks: Sequence[CareTask]) -> list[str]:
    return sorted(t.key for t in tasks)


def _over_ceiling(tasks: Sequence[CareTask], rules: CareRules) -> list[str]:
    """Each contact and rolling window in which ``tasks`` exceed a ceiling rule."""
    days: dict[str, list[date]] = {}
    for task in tasks:
        if task.kind not in rules.internal_kinds:
            days.setdefault(task.contact_id, []).append(task.on)
    over = []
    for contact, seen in sorted(days.items()):
        seen.sort()
        for rule in rules.ceiling:
            for first in seen:
                inside = sum(1 for d in seen if first <= d < first + timedelta(days=rule.days))
                if inside > rule.touches:
                    over.append(f"{contact}: {inside} touches from {first} ({rule})")
    return over


# -- the law: [a, b) then [b, c) with after equals [a, c) ---------------------------------


@st.composite
def _reachable_books(draw: st.DrawFn) -> Book:
    """Small books (1 to 3 accounts, 1 to 4 contacts) whose contacts can be addressed (an
    email address and a mobile number each: a contact without one is a rendering matter,
    not a matter of windows), most of them reachable on every channel and born on a day,
    so that the ceiling has work."""
    accounts = draw(
        st.lists(strategy_for(Account), min_size=1, max_size=3, unique_by=lambda a: a.id)
    )
    ids = st.sampled_from([a.id for a in accounts])
    people = []
    for c in draw(st.lists(contacts(), min_size=1, max_size=4, unique_by=lambda c: c.id)):
        c = attrs.evolve(
            c,
            account_id=draw(ids),
            emails=c.emails or (f"{c.id}@example.com",),
            phones=c.phones or (PhoneNumber("+1 212 555 0100", "+12125550100"),),
        )
        if draw(st.integers(0, 3)):
            c = attrs.evolve(
                c,
                channels=draw(st.permutations(list(Channel))),
                consents=frozenset(Channel),
                opted_out=False,
                birthday=c.birthday or draw(st.dates(date(1950, 1, 1), date(2000, 12, 31))),
            )
        people.append(c)
    return Book(
        accounts=accounts,
        contacts=people,
        orders=draw(st.lists(orders(ids), max_size=4)),
        complaints=[
            attrs.evolve(c, account_id=draw(ids)) for c in draw(st.lists(complaints(), max_size=2))
        ],
    )


@st.composite
def _problems(draw: st.DrawFn) -> dict[str, Any]:
    book = draw(_reachable_books())
    start = draw(st.dates(date(2026, 1, 1), date(2028, 3, 1)))
    span = draw(st.integers(2, 120))
    cut = draw(st.integers(1, span - 1))
    ids = [a.id for a in book.accounts]
    contacts = [c.id for c in book.contacts]
    tiers = draw(st.dictionaries(st.sampled_from(ids), st.sampled_from("ABC"))) if ids else {}
    events = (
        draw(st.lists(care_events(contacts, ids), max_size=3, unique_by=lambda e: e.id))
        if contacts
        else []
    )
    return {
        "book": book,
        "start": start,
        "middle": start + timedelta(days=cut),
        "end": start + timedelta(days=span),
        "tiers": tiers,
        "events": events,
        "rules": draw(st.one_of(st.just(DEFAULT_CARE_RULES), care_rules())),
    }


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
@settings(
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(problem=_problems())
def test_two_windows_back_to_back_queue_what_one_window_queues(
    kind: str, problem: dict[str, Any], tmp_path: Path
) -> None:
    book: Book = problem["book"]
    start, middle, end = problem["start"], problem["middle"], problem["end"]
    rules: CareRules = problem["rules"]
    # The same data for every window: tiers are pinned (they would otherwise be measured
    # as of each window's start).
    same = {"tiers": problem["tiers"], "events": problem["events"], "rules": rules}
    split, whole = _store(kind, tmp_path), _store(kind, tmp_path)
    try:
        save_book(split, book)
        save_book(whole, book)
        one = schedule_and_enqueue(split, start=start, end=middle, name="one", **same)
        two = schedule_and_enqueue(split, start=middle, end=end, name="two", after="one", **same)
        both = schedule_and_enqueue(whole, start=start, end=end, name="both", **same)

        assert _keys([*one.schedule.tasks, *two.schedule.tasks]) == _keys(both.schedule.tasks)
        assert _keys([*one.messages, *two.messages]) == _keys(both.messages)
        assert _keys([*one.rep_actions, *two.rep_actions]) == _keys(both.rep_actions)
        assert sorted(e.key for e in split.outbox()) == sorted(e.key for e in whole.outbox())
        assert sorted(
            (d.task.key, d.reason.value) for d in (*one.schedule.dropped, *two.schedule.dropped)
        ) == sorted((d.task.key, d.reason.value) for d in both.schedule.dropped)
        assert two.schedule.carry == both.schedule.carry
        # No contact over the ceiling in any rolling window, those spanning the cut too.
        assert _over_ceiling([*one.schedule.tasks, *two.schedule.tasks], rules) == []
        stored = split.care_schedule("one")
        assert stored is not None
        assert stored.carry == one.schedule.carry
    finally:
        _close(split)
        _close(whole)


# -- a real calendar: Thanksgiving in November, a birthday on 1 December -------------------


def _miller_book() -> Book:
    """Jane Miller (New York, email only): Thanksgiving greeting on 26 November, her
    birthday on 1 December, and a product launch announced on 2 December."""
    jane = Contact(
        id="c-miller",
        account_id="acme",
        name="Jane Miller",
        role=ContactRole.DECISION_MAKER,
        birthday=Birthday(12, 1, 1975),
        time_zone="America/New_York",
        country="US",
        emails=("jane.miller@acme.example",),
        channels=(Channel.EMAIL,),
        consents=frozenset({Channel.EMAIL}),
    )
    return Book(accounts=[Account(id="acme", name="Acme Inc")], contacts=[jane])


LAUNCH = CareEvent("launch-2026-12", EventKind.PRODUCT_LAUNCH, date(2026, 12, 2))
LAUNCH_KEY = "c-miller|event|2026-12-02|email"


def _november_then_december(store: Store, after: str | None) -> tuple[CareRun, CareRun]:
    save_book(store, _miller_book())
    same: dict[str, Any] = {"tiers": {"acme": "A"}, "events": [LAUNCH]}
    november = schedule_and_enqueue(store, start=NOVEMBER, end=DECEMBER, name="november", **same)
    december = schedule_and_enqueue(
        store, start=DECEMBER, end=JANUARY, name="december", after=after, **same
    )
    return november, december


@pytest.fixture(params=["memory", "sqlite", "postgres", "mariadb"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A fresh store of each kind (the server stores skip when their server is down)."""
    if request.param in ("memory", "sqlite"):
        store = _store(request.param, tmp_path)
        yield store
        _close(store)
        return
    server = request.getfixturevalue(f"{request.param}_store")
    server.clear()
    try:
        yield server
    finally:
        server.clear()


def test_december_continues_november_and_respects_the_ceiling(any_store: Any) -> None:
    november, december = _november_then_december(any_store, after="november")
    greeting = [t for t in november.schedule.tasks if t.on == date(2026, 11, 26)]
    assert [t.kind.value for t in greeting] == ["holiday_greeting"]
    assert "c-miller|birthday|2026-12-01|email" in {t.key for t in december.schedule.tasks}
    # Thanksgiving, then the birthday: the 2-in-7-days ceiling is full on 2 December.
    dropped = {d.task.key: d.reason for d in december.schedule.dropped}
    assert dropped[LAUNCH_KEY] is DropReason.FREQUENCY_CEILING
    assert LAUNCH_KEY not in {e.key for e in any_store.outbox()}
    assert (
        _over_ceiling([*november.schedule.tasks, *december.schedule.tasks], DEFAULT_CARE_RULES)
        == []
    )
    # The store kept the carried state, so the continuation is the one run over both.
    stored = any_store.care_schedule("november")
    assert stored is not None
    assert stored.carry == november.schedule.carry
    whole = schedule_and_enqueue(
        MemoryStore(), start=NOVEMBER, end=JANUARY, name="both", tiers={"acme": "A"},
        events=[LAUNCH], book=_miller_book(),
    )  # fmt: skip
    assert _keys([*november.schedule.tasks, *december.schedule.tasks]) == _keys(
        whole.schedule.tasks
    )


def test_without_after_december_starts_afresh_and_exceeds_the_ceiling() -> None:
    continued, fresh = MemoryStore(), MemoryStore()
    kept = _november_then_december(continued, after="november")
    afresh = _november_then_december(fresh, after=None)
    both_kept = [*kept[0].schedule.tasks, *kept[1].schedule.tasks]
    both_afresh = [*afresh[0].schedule.tasks, *afresh[1].schedule.tasks]
    # Started afresh, December does not see Thanksgiving: the launch goes out as well.
    assert set(_keys(both_afresh)) - set(_keys(both_kept)) == {LAUNCH_KEY}
    assert {e.key for e in fresh.outbox()} - {e.key for e in continued.outbox()} == {LAUNCH_KEY}
    assert _over_ceiling(both_kept, DEFAULT_CARE_RULES) == []
    assert _over_ceiling(both_afresh, DEFAULT_CARE_RULES) == [
        "c-miller: 3 touches from 2026-11-26 (CeilingRule(touches=2, days=7))"
    ]


# -- what cannot be continued -------------------------------------------------------------


@pytest.fixture
def november_stored() -> MemoryStore:
    store = MemoryStore()
    save_book(store, sample_book(accounts=10, as_of=NOVEMBER))
    schedule_and_enqueue(store, start=NOVEMBER, end=DECEMBER, name="november")
    return store


@pytest.mark.parametrize(
    ("start", "end", "name", "after", "message"),
    [
        (
            DECEMBER, JANUARY, "december", "octobre",
            "care schedule 'december' continues 'octobre', but no care schedule is stored "
            "under 'octobre'",
        ),
        (
            date(2026, 12, 2), JANUARY, "december", "november",
            "care schedule 'december' starts on 2026-12-02, but the schedule it continues, "
            "'november', ends on 2026-12-01",
        ),
        (
            date(2026, 10, 1), NOVEMBER, "october", "november",
            "care schedule 'october' starts on 2026-10-01, but the schedule it continues, "
            "'november', ends on 2026-12-01",
        ),
        (
            DECEMBER, JANUARY, "november", "november",
            "care schedule 'november' cannot continue itself",
        ),
    ],
)  # fmt: skip
def test_a_window_that_cannot_continue_the_named_schedule_writes_nothing(
    november_stored: MemoryStore, start: date, end: date, name: str, after: str, message: str
) -> None:
    before = (november_stored.outbox(), november_stored.care_schedule("november"))
    with pytest.raises(ConfigurationError) as raised:
        schedule_and_enqueue(november_stored, start=start, end=end, name=name, after=after)
    assert str(raised.value).startswith(message)
    assert (november_stored.outbox(), november_stored.care_schedule("november")) == before
    if name != "november":
        assert november_stored.care_schedule(name) is None


def test_a_stored_schedule_without_carried_state_cannot_be_continued(
    november_stored: MemoryStore,
) -> None:
    november_stored.write(Batch(care_schedules={"by-hand": CareSchedule(NOVEMBER, DECEMBER)}))
    with pytest.raises(ConfigurationError, match="'by-hand' holds no state to carry"):
        schedule_and_enqueue(
            november_stored, start=DECEMBER, end=JANUARY, name="december", after="by-hand"
        )
    assert november_stored.care_schedule("december") is None


def test_continuing_reads_the_store_once_more(tmp_path: Path) -> None:
    """``after`` costs one read (the stored schedule), for any size of book."""

    def reads(accounts: int, after: str | None) -> int:
        with SqliteStore(tmp_path / f"reads-{accounts}-{after}.sqlite3") as store:
            save_book(store, sample_book(accounts=accounts, as_of=NOVEMBER))
            schedule_and_enqueue(store, start=NOVEMBER, end=DECEMBER, name="november")
            statements: list[str] = []
            store._db.set_trace_callback(statements.append)
            schedule_and_enqueue(store, start=DECEMBER, end=JANUARY, name="december", after=after)
            store._db.set_trace_callback(None)
        return sum(1 for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH")))

    assert reads(15, "november") == reads(60, "november") == reads(15, None) + 1


# -- the command line ---------------------------------------------------------------------


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "accountcare", "--db", str(db), "--format", "json", *args],
        cwd=db.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_care_after_continues_the_named_schedule(tmp_path: Path) -> None:
    book = sample_book(accounts=40, as_of=NOVEMBER)
    db = tmp_path / "book.sqlite3"
    with SqliteStore(db) as store:
        save_book(store, book)
    months = ("--from", "2026-11-01", "--to", "2026-12-01", "--name", "november")
    december = ("--from", "2026-12-01", "--to", "2027-01-01")
    assert _cli(db, "care", *months).returncode == 0
    result = _cli(db, "care", *december, "--name", "december", "--after", "november")
    assert result.returncode == 0, result.stderr
    fresh = _cli(db, "care", *december, "--name", "fresh")
    assert fresh.returncode == 0, fresh.stderr
    # The same runs through the service on a copy of the book.
    expected = MemoryStore()
    save_book(expected, book)
    schedule_and_enqueue(expected, start=NOVEMBER, end=DECEMBER, name="november")
    continued = schedule_and_enqueue(
        expected, start=DECEMBER, end=JANUARY, name="december", after="november"
    )
    with SqliteStore(db) as store:
        stored = store.care_schedule("december")
        started_afresh = store.care_schedule("fresh")
        november = store.care_schedule("november")
    assert stored is not None
    assert started_afresh is not None
    assert november is not None
    assert _keys(stored.tasks) == _keys(continued.schedule.tasks)
    assert _keys(stored.tasks) != _keys(started_afresh.tasks)
    assert _over_ceiling([*november.tasks, *stored.tasks], DEFAULT_CARE_RULES) == []
    # A schedule that is not stored, or does not end on --from: exit 1, one line, no write.
    january = ("--to", "2027-02-01", "--name", "january")
    for args, words in [
        (("--from", "2027-01-01", "--after", "octobre"), "no care schedule is stored under"),
        (("--from", "2027-01-02", "--after", "december"), "'december', ends on 2027-01-01"),
    ]:
        bad = _cli(db, "care", *january, *args)
        assert bad.returncode == 1
        assert words in bad.stderr
        assert len(bad.stderr.strip().splitlines()) == 1
    with SqliteStore(db) as store:
        assert store.care_schedule("january") is None
