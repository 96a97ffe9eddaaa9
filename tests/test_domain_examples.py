"""Example tests: the domain rejects bad data with an error naming record and field."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest

from accountcare.domain import (
    Account,
    Birthday,
    CareKind,
    CareTask,
    Channel,
    Complaint,
    Contact,
    ContactRole,
    Interaction,
    InteractionKind,
    Order,
)
from accountcare.errors import InvalidRecord

UTC_NOON = datetime.fromisoformat("2026-05-04T12:00:00+00:00")


def order(**changes: object) -> Order:
    fields: dict[str, object] = {
        "id": "o-1",
        "account_id": "acme",
        "ordered_on": date(2026, 5, 4),
        "amount": Decimal("10.00"),
    }
    fields.update(changes)
    return Order(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"id": ""}, "id", "must not be empty"),
        ({"id": "   "}, "id", "must not be empty"),
        ({"amount": Decimal("NaN")}, "amount", "finite"),
        ({"amount": Decimal("Infinity")}, "amount", "finite"),
        ({"amount": 10.0}, "amount", "Decimal"),
        ({"margin": Decimal("-Infinity")}, "margin", "finite"),
        ({"quantity": -1}, "quantity", "negative"),
        ({"currency": "XYZ"}, "currency", "ISO 4217"),
        ({"currency": "cny"}, "currency", "ISO 4217"),
        ({"ordered_on": datetime(2026, 5, 4)}, "ordered_on", "date"),
    ],
)
def test_bad_order_names_record_and_field(
    changes: dict[str, object], field: str, words: str
) -> None:
    with pytest.raises(InvalidRecord) as caught:
        order(**changes)
    assert caught.value.field == field
    assert words in str(caught.value)
    assert caught.value.record.startswith("Order")


def test_order_error_names_its_id() -> None:
    with pytest.raises(InvalidRecord, match=r"Order 'o-9': field 'amount'"):
        order(id="o-9", amount=Decimal("NaN"))


def test_refund_is_a_valid_order() -> None:
    assert order(amount=Decimal("-5.00")).amount == Decimal("-5.00")


def test_naive_datetime_is_rejected() -> None:
    with pytest.raises(InvalidRecord, match=r"occurred_at.*timezone-aware"):
        Interaction(
            id="i-1",
            account_id="acme",
            occurred_at=datetime(2026, 5, 4, 9),
            kind=InteractionKind.VISIT,
            by="rep-1",
        )


def test_complaint_cannot_close_before_it_opens() -> None:
    with pytest.raises(InvalidRecord, match="closed_at"):
        Complaint(
            id="k-1",
            account_id="acme",
            opened_at=UTC_NOON,
            closed_at=datetime.fromisoformat("2026-05-03T12:00:00+00:00"),
        )


def test_birthday_in_the_future_is_rejected() -> None:
    with pytest.raises(InvalidRecord, match=r"Contact 'c-1': field 'birthday' is in the future"):
        Contact(
            id="c-1",
            account_id="acme",
            name="Kim",
            birthday=date(2030, 1, 1),
            recorded_on=date(2026, 11, 22),
        )


def test_unknown_time_zone_is_rejected() -> None:
    with pytest.raises(InvalidRecord, match=r"time_zone.*unknown time zone"):
        Contact(id="c-1", account_id="acme", name="Kim", time_zone="Asia/Atlantis")


def test_birthday_without_year_and_on_29_february() -> None:
    assert Birthday(2, 29).isoformat() == "--02-29"
    with pytest.raises(InvalidRecord, match="day"):
        Birthday(2, 29, 1989)
    with pytest.raises(InvalidRecord, match="day"):
        Birthday(4, 31)


def test_layer_defaults_from_role_and_can_be_set() -> None:
    boss = Contact(id="c-1", account_id="acme", name="Lee", role=ContactRole.EXECUTIVE)
    assert boss.layer.value == "organisational"


def test_account_rejects_empty_name() -> None:
    with pytest.raises(InvalidRecord, match=r"Account 'acme': field 'name'"):
        Account(id="acme", name="")


def test_care_task_due_at_crosses_new_york_dst() -> None:
    def due(day: date) -> str:
        task = CareTask(
            contact_id="c-1",
            account_id="acme",
            on=day,
            local_time=time(9),
            time_zone="America/New_York",
            channel=Channel.EMAIL,
            kind=CareKind.BIRTHDAY,
            template_key="birthday",
        )
        return task.due_at.isoformat()

    assert due(date(2027, 3, 13)) == "2027-03-13T14:00:00+00:00"  # EST, UTC-5
    assert due(date(2027, 3, 14)) == "2027-03-14T13:00:00+00:00"  # EDT from 02:00 that day
    assert due(date(2027, 11, 7)) == "2027-11-07T14:00:00+00:00"  # back to EST
