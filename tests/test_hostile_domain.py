"""Hostile values at the domain boundary and in the calendar export.

Ids and one-line texts refuse control characters and line breaks (and ids refuse
lengths a store cannot keep), free text keeps only line feeds and tabs, money amounts
stay in a range every policy computes with, and an iCalendar file never lets a value
start a property of its own, even for values an older store still holds.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import attrs
import icalendar
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import accountcare.domain
from accountcare.adapters.ics import care_schedule_calendar, visit_plan_calendar
from accountcare.domain import (
    MAX_ID_LENGTH,
    Account,
    AccountNote,
    CareKind,
    CareSchedule,
    CareTask,
    Channel,
    Complaint,
    Contact,
    ContactRole,
    Interaction,
    InteractionKind,
    Message,
    Order,
    Period,
    Recipient,
    Visit,
    VisitChecklist,
    VisitPlan,
    VisitPurpose,
)
from accountcare.domain._trusted import trusted
from accountcare.errors import InvalidRecord
from accountcare.policies import (
    AbcPolicy,
    ProfitabilityPolicy,
    RankBandPolicy,
    account_metrics,
    early_warnings,
    health_scores,
    retention_figures,
)
from accountcare.policies.tiers.vectorised import vector_tiers
from accountcare.serialization import structure, unstructure
from accountcare.testing import domain_classes, strategy_for

STAMP = datetime(2027, 1, 15, 8, 0, tzinfo=UTC)
# The documented range of a money amount (pinned below against the library's constants).
MAX_AMOUNT = Decimal("1e15")
MAX_AMOUNT_PLACES = 6
ATTACK = "acme\rATTENDEE:mailto:evil@example.com"
# Every way a value has been seen to break a line, and the attack itself.
BREAKERS = ["a\rb", "a\nb", "a\r\nb", "a\x00b", ATTACK, "a\x85b", "a\u2028b", "a\u2029b"]
# What RFC 5545 allows in a content line, line endings aside: no control but tab.
FORBIDDEN_BYTES = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")


# Text as users write it: any script; one line, or free text with line feeds and tabs.
ONE_LINE = st.text(st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), max_size=40)
FREE_TEXT = st.text(
    st.characters(exclude_categories=("Cs", "Cc"), include_characters="\n\t"), max_size=80
)


def _harmless(value: str) -> str:
    """A one-line value as the export writes it: each unwritable character as U+FFFD."""
    return re.sub("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]", "\ufffd", value)


# -- the calendar export ---------------------------------------------------------------


def _stored_visit(account_id: str, rep_id: str = "rep-li", reason: str = "") -> Visit:
    """A visit as an older store might hold it: built without validation."""
    make = trusted(Visit)
    return make(account_id, rep_id, date(2027, 3, 2), VisitPurpose.ROUTINE, reason=reason,
                checklist=VisitChecklist())  # fmt: skip


def _stored_task(contact_id: str, account_id: str, occasion: str = "") -> CareTask:
    make = trusted(CareTask)
    kind, channel = CareKind.HOLIDAY_GREETING, Channel.EMAIL
    return make(contact_id, account_id, date(2027, 3, 8), time(9), "Asia/Shanghai", channel,
                kind, "holiday.x", occasion, occasion)  # fmt: skip


def _content_lines(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n")
    return data[:-2].split(b"\r\n")


def _assert_no_injection(data: bytes) -> list[icalendar.cal.Component]:
    """The file has no forbidden byte in any line, and both readers find no ATTENDEE."""
    for line in _content_lines(data):
        assert not FORBIDDEN_BYTES.search(line), line
    events = list(icalendar.Calendar.from_ical(data).walk("VEVENT"))
    for event in events:
        assert "ATTENDEE" not in event
        assert not [name for name in event if name not in _EXPECTED_PROPERTIES], event
    vobject = pytest.importorskip("vobject")
    for parsed in vobject.readComponents(data.decode("utf-8")):
        for vevent in parsed.contents.get("vevent", []):
            assert "attendee" not in vevent.contents
    return events


_EXPECTED_PROPERTIES = {
    "UID", "DTSTAMP", "DTSTART", "DTEND", "TRANSP", "SUMMARY", "DESCRIPTION", "CATEGORIES",
    "X-ACCOUNTCARE-ACCOUNT", "X-ACCOUNTCARE-KEY",
}  # fmt: skip


@pytest.mark.parametrize("hostile", BREAKERS)
def test_a_visit_plan_with_line_breaking_ids_and_names_has_no_injected_property(
    hostile: str,
) -> None:
    plan = VisitPlan(
        date(2027, 3, 1),
        date(2027, 3, 8),
        visits=[_stored_visit(hostile, rep_id=hostile, reason=hostile)],
    )
    data = visit_plan_calendar(
        plan, stamp=STAMP, account_names={hostile: hostile}, name=hostile, uid_domain=hostile
    )
    [event] = _assert_no_injection(data)
    assert str(event["X-ACCOUNTCARE-ACCOUNT"]) == _harmless(hostile)
    assert str(event["UID"]) == _harmless(f"visit:{hostile}:2027-03-02@{hostile}")
    assert str(icalendar.Calendar.from_ical(data)["X-WR-CALNAME"]) == _harmless(hostile)
    vobject = pytest.importorskip("vobject")
    vevent = vobject.readOne(data.decode("utf-8")).vevent
    assert vevent.x_accountcare_account.value == _harmless(hostile)


@pytest.mark.parametrize("hostile", BREAKERS)
def test_a_care_schedule_with_line_breaking_ids_and_names_has_no_injected_property(
    hostile: str,
) -> None:
    task = _stored_task(hostile, hostile, occasion=hostile)
    schedule = CareSchedule(date(2027, 3, 1), date(2027, 4, 1), tasks=(task,))
    data = care_schedule_calendar(schedule, stamp=STAMP, contact_names={hostile: hostile})
    [event] = _assert_no_injection(data)
    assert str(event["X-ACCOUNTCARE-KEY"]) == _harmless(task.key)
    vobject = pytest.importorskip("vobject")
    vevent = vobject.readOne(data.decode("utf-8")).vevent
    assert vevent.x_accountcare_key.value == _harmless(task.key)


def test_the_exact_attack_reads_back_as_one_harmless_value() -> None:
    plan = VisitPlan(date(2027, 3, 1), date(2027, 3, 8), visits=[_stored_visit(ATTACK)])
    [event] = _assert_no_injection(visit_plan_calendar(plan, stamp=STAMP))
    assert str(event["X-ACCOUNTCARE-ACCOUNT"]) == "acme\ufffdATTENDEE:mailto:evil@example.com"


@settings(max_examples=150, deadline=None)
@given(
    account_id=st.text(min_size=1, max_size=30),
    name=st.text(max_size=30),
    reason=st.text(max_size=30),
)
def test_any_stored_text_stays_inside_its_own_value(
    account_id: str, name: str, reason: str
) -> None:
    """Escaping is exact: what comes back is what went in, with only the unwritable
    characters replaced (and, in one-line values, line feeds)."""
    plan = VisitPlan(
        date(2027, 3, 1), date(2027, 3, 8), visits=[_stored_visit(account_id, reason=reason)]
    )
    data = visit_plan_calendar(plan, stamp=STAMP, account_names={account_id: name})
    [event] = _assert_no_injection(data)
    assert str(event["X-ACCOUNTCARE-ACCOUNT"]) == _harmless(account_id)
    summary = re.sub("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]", "\ufffd", name)
    assert str(event["SUMMARY"]) == f"Visit {summary} (routine)"


def test_backslashes_and_escape_lookalikes_round_trip_exactly() -> None:
    tricky = "C:\\New\\n; a, b \\N"
    plan = VisitPlan(date(2027, 3, 1), date(2027, 3, 8), visits=[_stored_visit(tricky)])
    [event] = _assert_no_injection(visit_plan_calendar(plan, stamp=STAMP))
    assert str(event["X-ACCOUNTCARE-ACCOUNT"]) == tricky
    assert str(event["SUMMARY"]) == f"Visit {tricky} (routine)"


# -- ids and texts at the domain boundary ----------------------------------------------

NOW = datetime(2026, 5, 4, 12, tzinfo=UTC)
CONTROLS = ["\r", "\n", "\r\n", "\x00", "\t", "\x1b", "\x7f", "\x85", "\x9f"]
SEPARATORS = ["\u2028", "\u2029"]


def _id_fields() -> Iterator[Any]:
    builders: list[tuple[type, str, dict[str, Any]]] = [
        (Account, "id", {"id": "acme", "name": "Acme"}),
        (Account, "owner", {"id": "acme", "name": "Acme", "owner": "rep-li"}),
        (Contact, "id", {"id": "c-1", "account_id": "acme", "name": "Kim"}),
        (Contact, "account_id", {"id": "c-1", "account_id": "acme", "name": "Kim"}),
        (Order, "id", {"id": "o-1", "account_id": "acme", "ordered_on": date(2026, 5, 4),
                       "amount": Decimal(1)}),
        (Order, "account_id", {"id": "o-1", "account_id": "acme",
                               "ordered_on": date(2026, 5, 4), "amount": Decimal(1)}),
        (Interaction, "by", {"id": "i-1", "account_id": "acme", "occurred_at": NOW,
                             "kind": InteractionKind.CALL, "by": "rep-li"}),
        (Interaction, "contact_id", {"id": "i-1", "account_id": "acme", "occurred_at": NOW,
                                     "kind": InteractionKind.CALL, "by": "rep-li",
                                     "contact_id": "c-1"}),
        (Complaint, "id", {"id": "k-1", "account_id": "acme", "opened_at": NOW}),
        (Visit, "account_id", {"account_id": "acme", "rep_id": "rep-li",
                               "on": date(2027, 3, 2), "purpose": VisitPurpose.ROUTINE}),
        (Visit, "rep_id", {"account_id": "acme", "rep_id": "rep-li",
                           "on": date(2027, 3, 2), "purpose": VisitPurpose.ROUTINE}),
        (CareTask, "contact_id", {"contact_id": "c-1", "account_id": "acme",
                                  "on": date(2027, 3, 8), "local_time": time(9),
                                  "time_zone": "UTC", "channel": Channel.EMAIL,
                                  "kind": CareKind.BIRTHDAY, "template_key": "birthday"}),
        (AccountNote, "author", {"written_at": NOW, "author": "rep-li", "text": "hello"}),
    ]  # fmt: skip
    for cls, field, fields in builders:
        yield pytest.param(cls, field, fields, id=f"{cls.__name__}.{field}")


ID_FIELDS = list(_id_fields())


@pytest.mark.parametrize(("cls", "field", "fields"), ID_FIELDS)
@pytest.mark.parametrize("bad", [*CONTROLS, *SEPARATORS])
def test_an_id_with_a_control_character_or_line_break_is_refused(
    cls: type, field: str, fields: dict[str, Any], bad: str
) -> None:
    with pytest.raises(InvalidRecord) as caught:
        cls(**{**fields, field: f"acme{bad}ATTENDEE"})
    assert caught.value.field == field
    assert caught.value.record.startswith(cls.__name__)
    assert "control characters" in caught.value.problem
    assert "\n" not in str(caught.value)
    assert "\r" not in str(caught.value)


@pytest.mark.parametrize(("cls", "field", "fields"), ID_FIELDS)
def test_an_id_longer_than_a_store_keeps_is_refused(
    cls: type, field: str, fields: dict[str, Any]
) -> None:
    assert getattr(cls(**{**fields, field: "x" * MAX_ID_LENGTH}), field) == "x" * MAX_ID_LENGTH
    with pytest.raises(InvalidRecord) as caught:
        cls(**{**fields, field: "x" * (MAX_ID_LENGTH + 1)})
    assert caught.value.field == field
    assert f"at most {MAX_ID_LENGTH} characters" in caught.value.problem
    assert len(str(caught.value)) < 300  # the label is cut short, the message one line


def test_the_attack_id_from_an_accounts_file_is_refused_naming_record_and_field() -> None:
    with pytest.raises(InvalidRecord, match=r"^Account 'acme\\rATTENDEE.*field 'id'"):
        Account(id=ATTACK, name="Acme")
    with pytest.raises(InvalidRecord, match=r"^Contact 'c-1': field 'account_id'"):
        Contact(id="c-1", account_id=ATTACK, name="Kim")


NAME_FIELDS = [
    (Account, "name", {"id": "acme", "name": "Acme"}),
    (Account, "short_name", {"id": "acme", "name": "Acme"}),
    (Account, "legal_representative", {"id": "acme", "name": "Acme"}),
    (Contact, "name", {"id": "c-1", "account_id": "acme", "name": "Kim"}),
    (Contact, "title", {"id": "c-1", "account_id": "acme", "name": "Kim"}),
    (Recipient, "name", {"contact_id": "c-1", "name": "Kim", "address": "kim@example.com"}),
    (Recipient, "address", {"contact_id": "c-1", "name": "Kim", "address": "kim@example.com"}),
]


@pytest.mark.parametrize(("cls", "field", "fields"), NAME_FIELDS)
@pytest.mark.parametrize("bad", [*CONTROLS, *SEPARATORS])
def test_a_name_with_a_control_character_is_refused(
    cls: type, field: str, fields: dict[str, Any], bad: str
) -> None:
    with pytest.raises(InvalidRecord) as caught:
        cls(**{**fields, field: f"Wang{bad}Wei"})
    assert caught.value.field == field
    assert "one line without control characters" in caught.value.problem


def test_an_email_address_with_a_line_break_is_refused() -> None:
    with pytest.raises(InvalidRecord, match="field 'emails'"):
        Contact(id="c-1", account_id="acme", name="Kim", emails=["kim@example.com\r\nBcc: x"])


PRINTABLE = [
    "王伟", "김민준", "山田\u3000太郎", "ＡＣＭＥ　Ｔｒａｄｉｎｇ", "ｱｸﾒ", "🚀👩‍👩‍👧 Acme",
    "Zoë", "e\u0301", "\u1100\u1161\u11a8", "Ωμέγα", "مرحبا", "שלום", "नमस्ते",
]  # fmt: skip


@pytest.mark.parametrize("name", PRINTABLE)
def test_every_printable_script_is_a_valid_name_and_id(name: str) -> None:
    account = Account(id=name, name=name, short_name=name, owner=name, tags={name})
    assert (account.id, account.name) == (name, name)
    assert Contact(id=name, account_id=name, name=name, title=name).name == name


@settings(max_examples=200)
@given(name=ONE_LINE.filter(lambda s: s.strip()), note=FREE_TEXT)
def test_text_without_controls_is_always_accepted(name: str, note: str) -> None:
    contact = Contact(id="c-1", account_id="acme", name=name, title=name)
    assert contact.name == name
    assert AccountNote(NOW, "rep-li", note).text == note


@pytest.mark.parametrize("bad", ["\r", "\x00", "\x0b", "\x0c", "\x1b", "\x7f", "\x85"])
def test_free_text_keeps_line_feeds_and_tabs_but_refuses_other_controls(bad: str) -> None:
    assert AccountNote(NOW, "rep-li", "line one\n\tline two").text == "line one\n\tline two"
    with pytest.raises(InvalidRecord) as caught:
        AccountNote(NOW, "rep-li", f"line one{bad}line two")
    assert caught.value.field == "text"
    with pytest.raises(InvalidRecord, match="field 'text'"):
        Message("k-1", Channel.EMAIL, Recipient("c-1", "Kim", "kim@example.com"), "Hello",
                f"Dear Kim,{bad}", NOW)  # fmt: skip


def test_a_message_subject_is_one_line() -> None:
    recipient = Recipient("c-1", "Kim", "kim@example.com")
    with pytest.raises(InvalidRecord, match="field 'subject'"):
        Message("k-1", Channel.EMAIL, recipient, "Hi\r\nBcc: evil@example.com", "Hello", NOW)


# Fields whose text is not the library's to check: a provider's own words, the outbox's
# bookkeeping and the visibility rules (checked by their own values).
_NOT_CHECKED = {("Delivery", "detail"), ("Delivery", "provider_id")}
_OWN_CHECKS = ("accountcare.domain.outbox", "accountcare.domain.visibility")


def _text_fields() -> Iterator[Any]:
    for cls in domain_classes():
        if cls.__module__ in _OWN_CHECKS:
            continue
        hints = typing.get_type_hints(cls)
        for field in attrs.fields(cls):
            kind = hints[field.name]
            shape = {
                str: "one",
                str | None: "one",
                tuple[str, ...]: "many",
                frozenset[str]: "many",
            }.get(kind)
            if not field.init or shape is None or (cls.__name__, field.name) in _NOT_CHECKED:
                continue
            if field.validator is None:
                continue  # settings such as CareRules' tier sets, checked as configuration
            yield pytest.param(cls, field.name, shape, id=f"{cls.__name__}.{field.name}")


@pytest.mark.parametrize(("cls", "name", "shape"), list(_text_fields()))
def test_every_validated_text_field_of_every_value_refuses_a_carriage_return(
    cls: type, name: str, shape: str
) -> None:
    @settings(max_examples=3, suppress_health_check=[HealthCheck.too_slow], deadline=None)
    @given(strategy_for(cls))
    def refuses(value: Any) -> None:
        bad: Any = ATTACK if shape == "one" else (ATTACK,)
        with pytest.raises((InvalidRecord, ValueError)) as caught:
            attrs.evolve(value, **{name: bad})
        if isinstance(caught.value, InvalidRecord):
            assert caught.value.field == name

    refuses()


# -- money amounts ----------------------------------------------------------------------


def test_the_amount_range_is_the_documented_one() -> None:
    assert getattr(accountcare.domain, "MAX_AMOUNT", None) == MAX_AMOUNT
    assert getattr(accountcare.domain, "MAX_AMOUNT_PLACES", None) == MAX_AMOUNT_PLACES


def _order(amount: Decimal, margin: Decimal | None = None) -> Order:
    return Order("o-1", "acme", date(2026, 5, 4), amount, margin=margin)


@pytest.mark.parametrize(
    "amount",
    [
        Decimal("1E+999999999"),
        Decimal("-1E+999999999"),
        MAX_AMOUNT + Decimal("0.000001"),
        -MAX_AMOUNT - 1,
        Decimal("1E+16"),
        Decimal("0.0000001"),
        Decimal("1E-999999999"),
        Decimal("12.3400001"),
    ],
)
def test_an_amount_out_of_range_is_refused_naming_record_and_field(amount: Decimal) -> None:
    for field, build in (("amount", lambda: _order(amount)),
                         ("margin", lambda: _order(Decimal(1), amount))):  # fmt: skip
        with pytest.raises(InvalidRecord) as caught:
            build()
        assert caught.value.record == "Order 'o-1'"
        assert caught.value.field == field
        assert len(str(caught.value)) < 200


def test_a_huge_amount_in_a_stored_payload_is_refused() -> None:
    payload = {**unstructure(_order(Decimal("19.90"))), "amount": "1E+999999999"}
    with pytest.raises(InvalidRecord) as caught:
        structure(payload, Order)
    assert caught.value.field == "amount"


@pytest.mark.parametrize(
    "amount",
    [
        MAX_AMOUNT,
        -MAX_AMOUNT,
        Decimal("0.000001"),
        Decimal("-999999999999999.999999"),
        Decimal("12.3400000"),  # trailing zeros, as ERP exports write them, do not count
        Decimal("1.000000000000000000000000000000"),
    ],
)
def test_amounts_at_the_edges_of_the_range_are_accepted(amount: Decimal) -> None:
    assert _order(amount, amount).amount == amount


ACCOUNTS = ("acme", "globex", "initech", "umbrella")
PREVIOUS = Period(date(2025, 1, 1), date(2026, 1, 1))
CURRENT = Period(date(2026, 1, 1), date(2027, 1, 1))


@st.composite
def _in_range(draw: st.DrawFn) -> Decimal:
    """Any amount in range: up to MAX_AMOUNT either way, 0 to 6 decimal places."""
    places = draw(st.integers(0, MAX_AMOUNT_PLACES))
    limit = int(MAX_AMOUNT) * 10**places
    return Decimal(draw(st.integers(-limit, limit))).scaleb(-places)


@st.composite
def extreme_books(draw: st.DrawFn) -> tuple[list[Order], list[Contact], list[Complaint]]:
    """Orders at the edges of the allowed range: the largest and smallest amounts, the
    finest fractions, and many orders of the largest size on one account."""
    edge = st.sampled_from([MAX_AMOUNT, -MAX_AMOUNT, Decimal("1e-6"), Decimal("-1e-6"),
                            MAX_AMOUNT - Decimal("1e-6"), Decimal(0)])  # fmt: skip
    amount = edge | _in_range()
    day = st.dates(PREVIOUS.start, CURRENT.end - timedelta(days=1))
    orders = [
        Order(
            f"o-{i}",
            draw(st.sampled_from(ACCOUNTS)),
            draw(day),
            draw(amount),
            margin=draw(st.none() | amount),
        )
        for i in range(draw(st.integers(0, 12)))
    ]
    piled = draw(st.integers(0, 400))
    orders += [
        Order(f"big-{i}", "acme", draw(day), MAX_AMOUNT, margin=MAX_AMOUNT) for i in range(piled)
    ]
    contacts = [
        Contact(id=f"c-{a}", account_id=a, name="Kim", role=ContactRole.DECISION_MAKER)
        for a in ACCOUNTS
    ]
    complaints = [
        Complaint(
            f"k-{i}",
            draw(st.sampled_from(ACCOUNTS)),
            datetime.combine(draw(day), time(9), tzinfo=UTC),
        )
        for i in range(draw(st.integers(0, 3)))
    ]
    return orders, contacts, complaints


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(extreme_books())
def test_no_amount_in_range_makes_a_policy_raise(
    book: tuple[list[Order], list[Contact], list[Complaint]],
) -> None:
    orders, contacts, complaints = book
    accounts = [Account(id=a, name=a) for a in ACCOUNTS]
    metrics = account_metrics(accounts, orders, complaints, period=CURRENT, as_of=CURRENT.end)
    revenue = {a: m.revenue for a, m in metrics.items()}
    margin = {a: m.margin for a, m in metrics.items()}
    tiers = AbcPolicy().assign(revenue).labels()
    RankBandPolicy().assign(revenue)
    ProfitabilityPolicy().assign(margin)
    ids = sorted(revenue)
    floats = np.array([float(revenue[a]) for a in ids])
    assert list(vector_tiers(AbcPolicy(), floats, ids=ids)) == [
        AbcPolicy().assign(dict(zip(ids, floats, strict=True))).labels()[a] for a in ids
    ]
    early_warnings(orders, complaints, previous=PREVIOUS, current=CURRENT)
    retention_figures(orders, previous=PREVIOUS, current=CURRENT, tiers=tiers)
    scores = health_scores(contacts, [], complaints, as_of=CURRENT.end, tiers=tiers)
    assert set(scores) == set(tiers)
