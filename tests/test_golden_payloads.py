"""Stored data is stable: payloads written by this version read back, in every later
version, to the values they were written from.

Each file in ``tests/data/golden/`` holds, for one kind of record the stores keep, a few
cases: the payload exactly as a store writes it (fields equal to their default left
out) and the same value with every field spelled out (the converter's plain form, which
never leaves a field out). Reading the payload must give the spelled-out value. Since
payloads leave defaults out, a default is part of the stored format: change one, and
every stored payload that left it out means something else. The check below then fails
(``test_a_changed_default_is_caught`` shows it), and the change needs a migration that
rewrites stored payloads, not new golden files. ``test_every_default_is_pinned`` keeps
the files complete: every defaulted field of every stored kind, nested kinds included,
is left out of some payload and written in another.

The files are written from the values in :func:`_cases`, only when asked::

    ACCOUNTCARE_WRITE_GOLDEN=1 pytest tests/test_golden_payloads.py

Do that for a new kind or field (then review the diff), never to make a failing check
pass. When the written format changes on purpose, keep the old files (older stores hold
such payloads) and give the new ones the new ``format`` number.
"""

from __future__ import annotations

import json
import os
import typing
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

from accountcare.adapters._rows import STORED_KINDS as STORED
from accountcare.adapters._rows import decode_all, encode, encode_json
from accountcare.domain.accounts import (
    Account,
    AccountNote,
    Address,
    CompanySize,
    CreditRating,
    FinancialInfo,
    LifecycleStage,
    NewCustomerKind,
    Source,
)
from accountcare.domain.activity import (
    Complaint,
    ComplaintSeverity,
    Interaction,
    InteractionKind,
    Order,
    Outcome,
)
from accountcare.domain.care import (
    CareKind,
    CareSchedule,
    CareState,
    CareTask,
    DroppedTask,
    DropReason,
)
from accountcare.domain.contacts import (
    Birthday,
    BirthdayCalendar,
    Channel,
    ConsentAction,
    ConsentEvent,
    Contact,
    ContactRole,
    PhoneNumber,
    RelationshipLayer,
)
from accountcare.domain.messages import Message, Recipient
from accountcare.domain.outbox import OutboxEntry, OutboxStatus
from accountcare.domain.team import Company, Rep
from accountcare.domain.tiers import TierAssignment, TierReason
from accountcare.domain.visits import (
    UnplacedReason,
    UnplacedVisit,
    Utilisation,
    Visit,
    VisitChecklist,
    VisitPlan,
    VisitPurpose,
)
from accountcare.domain.warnings import LostAccountReview, RootCause
from accountcare.serialization import LEAF_TYPES, structure, unstructure
from accountcare.testing.storable import exactly

GOLDEN = Path(__file__).parent / "data" / "golden"
FORMAT = 1  # the payload format this version writes
SEOUL = timezone(timedelta(hours=9))
AT = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)


def _cases() -> dict[type, list[tuple[str, Any]]]:
    """The values the golden files are written from: for each stored kind, one with only
    its required fields, and others between which every field, nested records included,
    is given a value other than its default in one and left at it in another."""
    task = CareTask("c-1", "acme", date(2027, 3, 28), time(9), "Asia/Shanghai",
                    Channel.EMAIL, CareKind.BIRTHDAY, "birthday")  # fmt: skip
    every_task = CareTask("c-2", "acme", date(2027, 9, 17), time(8, 30), "Asia/Seoul",
                          Channel.SMS, CareKind.HOLIDAY_GREETING, "chuseok", reason="Chuseok",
                          occasion="2027-chuseok")  # fmt: skip
    visit = Visit("acme", "rep-li", date(2027, 3, 2), VisitPurpose.ROUTINE)
    consent = [  # one channel each: the order of a set's items in a payload varies
        ConsentEvent(date(2026, 5, 2), ConsentAction.GIVEN, "contacts.csv line 7", {Channel.EMAIL}),
        ConsentEvent(date(2026, 6, 1), ConsentAction.WITHDRAWN, "reply", {Channel.EMAIL}),
        ConsentEvent(date(2026, 7, 9), ConsentAction.OPTED_OUT, "call"),
    ]
    message = Message("c-1|birthday|2027-03-28|email", Channel.EMAIL,
                      Recipient("c-1", "Wang Wei", "wang@example.com"), "Happy birthday",
                      "Best wishes.", AT)  # fmt: skip
    return {
        Account: [
            ("required fields only", Account(id="acme", name="Acme Trading Co.")),
            (
                "nested records at their defaults",
                Account(
                    id="acme",
                    name="Acme Trading Co.",
                    addresses=[Address("CN")],
                    financial=FinancialInfo(bank="Bank of Ningbo", bank_account="6222 0200"),
                    notes=[AccountNote(AT, "rep-li", "Prefers calls")],
                ),
            ),
            (
                "every field",
                Account(
                    id="kr-001",
                    name="한빛상사 주식회사",
                    short_name="한빛",
                    owner="rep-kim",
                    profile="Distributor of machine parts",
                    legal_representative="김민지",
                    industry="machinery",
                    region="Gyeonggi",
                    size=CompanySize.MEDIUM,
                    cooperation_since=date(2019, 3, 1),
                    stage=LifecycleStage.DORMANT,
                    new_customer_kind=NewCustomerKind.LAPSED,
                    source=Source.REFERRAL,
                    tags={"important customer"},
                    strategic=True,
                    addresses=[
                        Address("KR", "1 Sejong-daero", "3F", "Seoul", "Seoul", "04524", "billing")
                    ],
                    websites=["https://hanbit.example"],
                    financial=FinancialInfo(
                        credit_status="good", credit_rating=CreditRating.A, tax_id="220-81"
                    ),
                    notes=[AccountNote(AT.astimezone(SEOUL), "rep-kim", "New CFO", "people")],
                    updated_at=AT,
                ),
            ),
        ],
        Contact: [
            ("required fields only", Contact(id="c-1", account_id="acme", name="王伟")),
            (
                "a role whose layer is derived, nested records at their defaults",
                Contact(
                    id="c-2",
                    account_id="acme",
                    name="Li Na",
                    role=ContactRole.DECISION_MAKER,
                    birthday=Birthday(2, 29),
                    phones=[PhoneNumber("138 0013 8000")],
                ),
            ),
            (
                "every field",
                Contact(
                    id="c-3",
                    account_id="kr-001",
                    name="김민지",
                    role=ContactRole.CHAMPION,
                    layer=RelationshipLayer.BROAD,
                    title="Purchasing manager",
                    birthday=Birthday(8, 15, 1988, BirthdayCalendar.KOREAN_LUNAR, True),
                    time_zone="Asia/Seoul",
                    country="KR",
                    locale="ko",
                    emails=["minji@hanbit.example"],
                    phones=[PhoneNumber("010-1234-5678", "+821012345678", "work")],
                    channels=[Channel.MESSENGER, Channel.EMAIL],
                    consents={Channel.EMAIL},
                    opted_out=True,
                    preferences=["mornings"],
                    hobbies=["golf"],
                    verified=[("phones", date(2026, 11, 2))],
                    recorded_on=date(2026, 11, 22),
                ),
            ),
            (
                # Added with the consent log: the cases above are as stores wrote them
                # before it existed, and still read (to an empty log).
                "consent evidence",
                Contact(
                    id="c-4",
                    account_id="acme",
                    name="Lee Jun",
                    opted_out=True,
                    consent_log=consent,
                ),
            ),
        ],
        Order: [
            (
                "required fields only",
                Order(
                    id="o-1",
                    account_id="acme",
                    ordered_on=date(2027, 2, 28),
                    amount=Decimal("19.90"),
                ),
            ),
            (
                "every field",
                Order(
                    id="o-2",
                    account_id="acme",
                    ordered_on=date(2027, 3, 1),
                    amount=Decimal("-1200.00"),
                    margin=Decimal("-0.50"),
                    currency="KRW",
                    quantity=3,
                    product="bearings",
                    contract_id="k-7",
                ),
            ),
        ],
        Interaction: [
            (
                "required fields only",
                Interaction("i-1", "acme", AT, InteractionKind.VISIT, "rep-li"),
            ),
            (
                "every field",
                Interaction(
                    "i-2",
                    "acme",
                    AT.astimezone(SEOUL),
                    InteractionKind.CALL,
                    "rep-kim",
                    contact_id="c-3",
                    outcome=Outcome.POSITIVE,
                    summary="Asked for a quote",
                    next_step="Send the quote",
                    leader_joined=True,
                ),
            ),
        ],
        Complaint: [
            ("required fields only", Complaint("k-1", "acme", AT)),
            (
                "every field",
                Complaint(
                    "k-2",
                    "acme",
                    AT,
                    ComplaintSeverity.CRITICAL,
                    "Late delivery",
                    "c-1",
                    "Refunded the freight",
                    AT + timedelta(days=2),
                ),
            ),
        ],
        TierAssignment: [
            ("required fields only", TierAssignment("acme", "A", "abc", TierReason(1200.0))),
            (
                "every field",
                TierAssignment(
                    "acme", "B", "rank", TierReason(350.5, "rank band", 0.8, 4, 120, 300.0)
                ),
            ),
        ],
        VisitPlan: [
            ("required fields only", VisitPlan(date(2027, 3, 1), date(2027, 3, 29))),
            (
                "nested records at their defaults",
                VisitPlan(
                    date(2027, 3, 1),
                    date(2027, 3, 29),
                    visits=[visit],
                    unplaced=[
                        UnplacedVisit(
                            "beta",
                            None,
                            VisitPurpose.ROUTINE,
                            date(2027, 3, 3),
                            UnplacedReason.NO_OWNER,
                        )
                    ],
                    utilisation=[Utilisation("rep-li", "week", date(2027, 3, 1), 12, 20)],
                ),
            ),
            (
                "every field",
                VisitPlan(
                    date(2027, 3, 1),
                    date(2027, 3, 29),
                    visits=[
                        Visit(
                            "acme",
                            "rep-li",
                            date(2027, 3, 4),
                            VisitPurpose.LEADER,
                            "A accounts every 2 weeks",
                            "A",
                            date(2027, 3, 3),
                            True,
                            VisitChecklist(True, True, False, False),
                            date(2027, 3, 1),
                            date(2027, 3, 8),
                        ),
                        attrs.evolve(visit, checklist=VisitChecklist(False, False, True, True)),
                    ],
                    unplaced=[
                        UnplacedVisit(
                            "beta",
                            "rep-li",
                            VisitPurpose.OVERDUE,
                            date(2027, 3, 3),
                            UnplacedReason.CAPACITY,
                            "rep-li is full that week",
                            "B",
                            date(2027, 3, 1),
                            date(2027, 3, 12),
                        )
                    ],
                ),
            ),
        ],
        CareSchedule: [
            ("required fields only", CareSchedule(date(2027, 3, 1), date(2027, 4, 1))),
            (
                "nested records at their defaults",
                CareSchedule(
                    date(2027, 3, 1),
                    date(2027, 4, 1),
                    tasks=[task],
                    dropped=[DroppedTask(every_task, DropReason.FREQUENCY_CEILING)],
                    carry=CareState(date(2027, 4, 1)),
                ),
            ),
            (
                "every field",
                CareSchedule(
                    date(2027, 9, 1),
                    date(2027, 10, 1),
                    tasks=[every_task],
                    dropped=[DroppedTask(task, DropReason.OPTED_OUT, "opted out in 2026")],
                    carry=CareState(date(2027, 10, 1), [every_task]),
                ),
            ),
        ],
        Rep: [
            ("required fields only", Rep(id="rep-li", name="Li Na")),
            (
                "every field",
                Rep(
                    id="rep-kim",
                    name="Kim Minji",
                    email="minji@globex.example",
                    phone="+82 10 1234 5678",
                    title="Key account manager",
                    locale="ko",
                    names={"ko": "김민지", "zh": "金敏智"},
                ),
            ),
        ],
        Company: [
            ("required fields only", Company("Globex Trading")),
            ("every field", Company("Globex Trading", names={"ko": "글로벡스", "zh": "环球贸易"})),
        ],
        LostAccountReview: [
            (
                "every field",
                LostAccountReview(
                    "kr-001",
                    RootCause.RELATIONSHIP,
                    "김 부장님 퇴사 후 경쟁사로 이동\nTheir buyer left for a competitor",
                    "rep-kim",
                    date(2027, 2, 1),
                ),
            ),
        ],
        OutboxEntry: [
            ("required fields only", OutboxEntry(message, AT)),
            (
                "every field",
                OutboxEntry(
                    Message(
                        "c-3|chuseok|2027-09-14|email",
                        Channel.EMAIL,
                        Recipient("c-3", "김민지", "minji@hanbit.example", "ko"),
                        "추석 인사",
                        "즐거운 추석 보내세요",
                        AT,
                        "<p>즐거운 추석</p>",
                        "Kim Jun, Acme",
                    ),
                    AT + timedelta(hours=6),
                    OutboxStatus.DEAD,
                    6,
                    "550 mailbox unavailable",
                    AT + timedelta(minutes=1),
                    "smtp-42",
                ),
            ),
        ],
    }


def _file(kind: type) -> Path:
    return GOLDEN / f"{kind.__name__.lower()}.json"


def _golden(kind: type) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads(_file(kind).read_text(encoding="utf-8"))["cases"]
    return cases


def _reads_as_spelled_out(kind: type, case: dict[str, Any]) -> None:
    """The store's read paths (JSON text, as SQLite keeps it, and plain data, as a JSON
    column gives it) rebuild exactly the spelled-out value."""
    expected = exactly(structure(case["value"], kind))
    text = json.dumps(case["payload"], ensure_ascii=False, separators=(",", ":"))
    for payload in (text, case["payload"]):
        read: Any
        (read,) = decode_all([payload], kind, f"golden {kind.__name__}: {case['name']}")
        assert exactly(read) == expected, case["name"]


@pytest.mark.skipif(not os.environ.get("ACCOUNTCARE_WRITE_GOLDEN"), reason="only when asked")
def test_write_the_golden_files() -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for kind, cases in _cases().items():
        written = [
            {"name": name, "payload": encode(value), "value": unstructure(value)}
            for name, value in cases
        ]
        document = {"kind": kind.__name__, "format": FORMAT, "cases": written}
        text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
        _file(kind).write_text(text, encoding="utf-8")


def test_every_stored_kind_has_a_golden_file() -> None:
    assert sorted(p.name for p in GOLDEN.glob("*.json")) == sorted(_file(k).name for k in STORED)


@pytest.mark.parametrize("kind", STORED, ids=lambda k: k.__name__)
def test_golden_payloads_read_back_to_the_values_spelled_out_beside_them(kind: type) -> None:
    for case in _golden(kind):
        _reads_as_spelled_out(kind, case)


@pytest.mark.parametrize("kind", STORED, ids=lambda k: k.__name__)
def test_this_version_still_writes_the_golden_payloads(kind: type) -> None:
    document = json.loads(_file(kind).read_text(encoding="utf-8"))
    if document["format"] != FORMAT:
        pytest.skip("payloads of an older format: only read")
    for case in document["cases"]:
        value: Any = structure(case["value"], kind)
        assert encode(value) == case["payload"], case["name"]
        assert json.loads(encode_json(value)) == case["payload"], case["name"]


def _walk(kind: Any, payload: Any) -> Iterator[tuple[type, str, bool]]:
    """``(record kind, field, written)`` for every field of every record in ``payload``
    (plain data of type ``kind``): whether the payload wrote it or left it out."""
    if payload is None or kind in LEAF_TYPES:
        return
    if isinstance(kind, type) and attrs.has(kind):
        attrs.resolve_types(kind)
        for field in attrs.fields(kind):
            yield kind, field.name, field.name in payload
            if field.name in payload:
                yield from _walk(field.type, payload[field.name])
        return
    args = [a for a in typing.get_args(kind) if a is not type(None) and a is not Ellipsis]
    if isinstance(payload, list):
        parts = args * len(payload) if len(args) == 1 else args
        for part, item in zip(parts, payload, strict=True):
            yield from _walk(part, item)
    elif len(args) == 1:  # an optional record
        yield from _walk(args[0], payload)


def _record_kinds(kind: Any) -> Iterator[type]:
    if isinstance(kind, type) and attrs.has(kind) and kind not in LEAF_TYPES:
        yield kind
        attrs.resolve_types(kind)
        for field in attrs.fields(kind):
            yield from _record_kinds(field.type)
    else:
        for arg in typing.get_args(kind):
            yield from _record_kinds(arg)


def test_every_default_is_pinned_left_out_somewhere_and_written_somewhere() -> None:
    seen: dict[tuple[type, str], set[bool]] = {}
    for kind in STORED:
        for case in _golden(kind):
            for record, name, written in _walk(kind, case["payload"]):
                seen.setdefault((record, name), set()).add(written)
    wanted = {
        (record, field.name): {True, False} if field.default is not attrs.NOTHING else {True}
        for kind in STORED
        for record in _record_kinds(kind)
        for field in attrs.fields(record)
    }
    missing = {key: want - seen.get(key, set()) for key, want in wanted.items()}
    assert {f"{k[0].__name__}.{k[1]}": m for k, m in missing.items() if m} == {}


def _with_default(kind: type, name: str, default: Any) -> type:
    """``kind`` again, with the default of field ``name`` changed."""
    fields = {
        f.name: attrs.field(
            default=default if f.name == name else f.default,
            validator=f.validator,
            converter=f.converter,
            type=f.type,
            alias=f.alias,
        )
        for f in attrs.fields(kind)
    }
    changed: type = attrs.make_class(kind.__name__, fields, frozen=True, slots=True)
    return changed


@pytest.mark.parametrize(
    ("kind", "name", "default"),
    [
        (Account, "stage", LifecycleStage.PROSPECT),
        (Contact, "country", "CN"),
        (Order, "currency", "CNY"),
        (OutboxEntry, "attempts", 1),
    ],
)
def test_a_changed_default_is_caught(kind: type, name: str, default: Any) -> None:
    changed = _with_default(kind, name, default)
    (first, *_) = _golden(kind)  # the case with only the required fields
    _reads_as_spelled_out(kind, first)  # as released: passes
    with pytest.raises(AssertionError):
        _reads_as_spelled_out(changed, first)
