"""The stores' row codecs keep the converter's stored format exactly, in both directions,
for every kind of record a store holds; reading back rebuilds values equal to (and of the
same types as) what the converter would build."""

from __future__ import annotations

import gc
import json
import linecache
import traceback
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accountcare.adapters._codec import loads, row_codec, stored
from accountcare.adapters._rows import STORED_KINDS, decode_all, encode_json
from accountcare.domain import MAX_AMOUNT, Account
from accountcare.domain.accounts import AccountNote, Address, FinancialInfo
from accountcare.domain.activity import Order
from accountcare.domain.contacts import Contact
from accountcare.errors import InvalidRecord
from accountcare.ports.store import StoreError
from accountcare.testing import strategy_for


def _exactly_equal(left: Any, right: Any) -> bool:
    """Equal, and of the same types all the way down: Decimal places, tuples and
    frozensets, enum members, offsets of instants (set order aside, which varies with
    string hashing)."""
    if type(left) is not type(right):
        return False
    if attrs.has(type(left)):
        return all(
            _exactly_equal(getattr(left, f.name), getattr(right, f.name))
            for f in attrs.fields(type(left))
        )
    if isinstance(left, tuple | list):
        return len(left) == len(right) and all(map(_exactly_equal, left, right))
    if isinstance(left, frozenset):
        return left == right and all(any(_exactly_equal(a, b) for b in right) for a in left)
    if isinstance(left, Decimal):
        return str(left) == str(right)
    if isinstance(left, datetime):
        return left == right and left.utcoffset() == right.utcoffset()
    return bool(left == right)


def _converter_json(value: object) -> str:
    return json.dumps(stored.unstructure(value), ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize("kind", STORED_KINDS, ids=lambda k: k.__name__)
def test_the_codec_writes_the_converters_format_and_reads_it_back_exactly(kind: type) -> None:
    codec = row_codec(kind)

    @settings(max_examples=60, suppress_health_check=list(HealthCheck), deadline=None)
    @given(strategy_for(kind))
    def round_trip(value: Any) -> None:
        text = codec.text(value)
        assert text == _converter_json(value)
        assert json.dumps(codec.encode(value), ensure_ascii=False, separators=(",", ":")) == text
        data = loads(text)
        assert data == json.loads(text)
        back = codec.decode(data)
        by_converter = stored.structure(json.loads(text), kind)
        assert back == value
        assert _exactly_equal(back, by_converter)

    round_trip()


def test_values_read_back_keep_decimals_dates_instants_and_enums_exactly() -> None:
    from accountcare.domain.accounts import CreditRating, LifecycleStage

    order = Order(
        id="o-1",
        account_id="acme",
        ordered_on=date(2027, 2, 28),
        amount=Decimal("19.900"),
        margin=Decimal("-0.50"),
        currency="KRW",
    )
    account = Account(
        id="acme",
        name="Acme",
        stage=LifecycleStage.DORMANT,
        financial=FinancialInfo(credit_rating=CreditRating.BBB),
        addresses=[Address("KR", city="Seoul")],
        notes=[AccountNote(datetime(2027, 3, 1, 9, tzinfo=timezone(timedelta(hours=9))), "l", "x")],
        tags={"a", "b"},
        updated_at=datetime(2027, 3, 1, 0, 0, 0, 1, tzinfo=timezone(timedelta(hours=-5))),
    )
    for value in (order, account):
        back = row_codec(type(value)).decode(loads(encode_json(value)))
        assert _exactly_equal(back, value)
    back_order = row_codec(Order).decode(loads(encode_json(order)))
    assert str(back_order.amount) == "19.900"
    assert str(back_order.margin) == "-0.50"
    back_account = row_codec(Account).decode(loads(encode_json(account)))
    assert back_account.updated_at is not None
    assert back_account.updated_at.utcoffset() == timedelta(hours=-5)
    assert back_account.stage is LifecycleStage.DORMANT
    assert isinstance(back_account.tags, frozenset)
    assert isinstance(back_account.notes, tuple)


def test_defaults_left_out_of_a_payload_come_back_including_ones_derived_from_other_fields() -> (
    None
):
    from accountcare.domain.contacts import ContactRole, RelationshipLayer

    champion = Contact(id="c-1", account_id="acme", name="Kim", role=ContactRole.CHAMPION)
    moved = Contact(
        id="c-2",
        account_id="acme",
        name="Lee",
        role=ContactRole.CHAMPION,
        layer=RelationshipLayer.BROAD,
    )
    assert "layer" not in row_codec(Contact).encode(champion)
    assert row_codec(Contact).encode(moved)["layer"] == "broad"
    for contact in (champion, moved):
        assert row_codec(Contact).decode(loads(encode_json(contact))) == contact


def test_an_unknown_field_is_refused_and_reading_falls_back_to_the_converter() -> None:
    good = encode_json(Account(id="acme", name="Acme"))
    with pytest.raises(KeyError, match="colour"):
        row_codec(Account).decode({"id": "acme", "name": "Acme", "colour": "red"})
    with pytest.raises(StoreError, match=r"book\.sqlite3: a stored Account cannot be read back"):
        decode_all([good, '{"id":"x","name":"X","colour":"red"}'], Account, "book.sqlite3")
    with pytest.raises(StoreError, match="cannot be read back"):
        decode_all([good, "{not json"], Account, "book.sqlite3")


def test_payloads_in_other_valid_spellings_are_read_as_the_converter_reads_them() -> None:
    # An integer amount of money, and an instant with the offset written "Z".
    payloads = ['{"id":"o-1","account_id":"a","ordered_on":"2027-01-02","amount":12}']
    (order,) = decode_all(payloads, Order, "here")
    assert str(order.amount) == "12"
    assert order == stored.structure(json.loads(payloads[0]), Order)
    (account,) = decode_all(
        ['{"id":"acme","name":"Acme","updated_at":"2027-03-01T09:00:00Z"}'], Account, "here"
    )
    assert account.updated_at is not None
    assert account.updated_at.utcoffset() is not None


def test_reading_many_rows_leaves_the_collector_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    def touched() -> None:
        raise AssertionError("the garbage collector was paused")

    monkeypatch.setattr(gc, "disable", touched)
    monkeypatch.setattr(gc, "freeze", touched)
    accounts = [Account(id=f"a-{n:05d}", name=f"A {n}", tags={"x"}) for n in range(2500)]
    payloads = [encode_json(a) for a in accounts]
    assert decode_all(payloads, Account, "here") == tuple(accounts)


def test_loads_reads_what_json_loads_reads_and_refuses_what_it_refuses() -> None:
    for text in ('{"a":[1,2.5,null,true,"\\u00e9"]}', ' {"a":1}', '{"a":1} ', '"x"', "[1]"):
        assert loads(text) == json.loads(text)
    for bad in ('{"a":1}x', '{"a":', "{'a':1}"):
        with pytest.raises(json.JSONDecodeError):
            loads(bad)


def test_a_traceback_through_a_row_codec_shows_its_code() -> None:
    with pytest.raises(KeyError, match="ordered_on") as failed:
        row_codec(Order).decode({"id": "o-1", "account_id": "acme", "amount": "1"})
    frames = traceback.extract_tb(failed.value.__traceback__)
    generated = [f for f in frames if f.filename.startswith("<accountcare row codec")]
    assert [f.filename for f in generated] == [
        "<accountcare row codec accountcare.domain.activity.Order.decode>"
    ]
    assert generated[0].line is not None
    assert generated[0].line.endswith("(d['ordered_on'])")
    assert linecache.getline(generated[0].filename, 1) == "def decode(d):\n"


@settings(max_examples=80, deadline=None)
@given(
    st.builds(
        lambda sign, digits, exponent: Decimal(f"{sign}{digits}E+{exponent}"),
        st.sampled_from(["", "-"]),
        st.integers(1, 10**20),
        st.integers(16, 999_999_999),
    )
)
def test_decoding_refuses_every_stored_amount_beyond_the_domains_limit(amount: Decimal) -> None:
    payload = {"id": "o-1", "account_id": "acme", "ordered_on": "2026-05-04"}
    with pytest.raises(InvalidRecord) as caught:
        decode_all([{**payload, "amount": str(amount)}], Order, "book.sqlite3")
    assert isinstance(caught.value, StoreError)
    assert (caught.value.record, caught.value.field) == ("Order 'o-1'", "amount")
    assert "book.sqlite3" in str(caught.value)
    kept = decode_all([{**payload, "amount": "1E+15"}], Order, "book.sqlite3")
    assert kept[0].amount == MAX_AMOUNT
