"""Data hygiene: re-verification items and the retention purge plan."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from accountcare.domain import Account, AccountNote, Complaint, Contact, Interaction, Order
from accountcare.domain.activity import InteractionKind
from accountcare.errors import ConfigurationError
from accountcare.policies.hygiene import purge_plan, reverification_items

AS_OF = date(2026, 6, 1)


def test_stale_and_never_verified_fields_need_reverification() -> None:
    contact = Contact(
        id="c1",
        account_id="acme",
        name="Wang",
        title="CFO",
        emails=["w@acme.cn"],
        phones=["+86 10 1234 5678"],
        verified={
            "emails": date(2025, 5, 31),
            "phones": date(2025, 6, 1),
            "title": date(2026, 1, 1),
        },
    )
    items = reverification_items([contact], as_of=AS_OF)
    # Older than the limit is stale: 366 days is, exactly 365 (the phones) is not.
    assert [(i.field, i.last_verified) for i in items] == [("emails", date(2025, 5, 31))]
    assert items[0].reason == "emails last verified 2025-05-31, 366 days ago (limit 365)"
    never = Contact(id="c2", account_id="acme", name="Li", emails=["l@acme.cn"])
    assert [i.reason for i in reverification_items([never], as_of=AS_OF)] == [
        "emails never verified (limit 365)"
    ]
    custom = reverification_items([contact], as_of=AS_OF, max_age_days={"title": 30})
    assert [i.field for i in custom] == ["title"]


def test_unknown_field_kind_is_an_error() -> None:
    with pytest.raises(ConfigurationError, match="not a Contact field"):
        reverification_items([], as_of=AS_OF, max_age_days={"shoe_size": 10})


def test_purge_plan_lists_exactly_what_expired_and_deletes_nothing() -> None:
    old = datetime(2022, 6, 1, tzinfo=UTC)
    account = Account(
        id="acme",
        name="Acme",
        notes=[
            AccountNote(old, "li", "likes golf"),
            AccountNote(old, "li", "tax id", kind="finance"),
            AccountNote(datetime(2024, 1, 1, tzinfo=UTC), "li", "new CFO"),
        ],
    )
    orders = [
        Order(id="o-old", account_id="acme", ordered_on=date(2016, 6, 1), amount=Decimal(1)),
        Order(id="o-new", account_id="acme", ordered_on=date(2016, 6, 2), amount=Decimal(1)),
    ]
    touches = [
        Interaction(
            id="i1",
            account_id="acme",
            occurred_at=datetime(2021, 5, 1, tzinfo=UTC),
            kind=InteractionKind.CALL,
            by="li",
        )
    ]
    complaints = [
        Complaint(id="k-open", account_id="acme", opened_at=datetime(2015, 1, 1, tzinfo=UTC)),
        Complaint(
            id="k-closed",
            account_id="acme",
            opened_at=datetime(2015, 1, 1, tzinfo=UTC),
            closed_at=datetime(2020, 1, 1, tzinfo=UTC),
        ),
    ]
    plan = purge_plan([account], orders, touches, complaints, as_of=AS_OF)
    assert [(i.record_kind, i.record_id) for i in plan.items] == [
        ("complaint", "k-closed"),
        ("interaction", "i1"),
        ("note:behaviour", "acme/notes/0"),
        ("order", "o-old"),
    ]
    assert plan.items[3].expired_on == date(2026, 6, 1)
    assert "kept 10 years" in plan.items[3].reason
    assert len(account.notes) == 3  # the policy deletes nothing


def test_bad_retention_rules_are_errors() -> None:
    with pytest.raises(ConfigurationError, match="unknown record kind"):
        purge_plan(as_of=AS_OF, keep_years={"gossip": 1})
    with pytest.raises(ConfigurationError, match="positive int"):
        purge_plan(as_of=AS_OF, keep_years={"order": 0})
