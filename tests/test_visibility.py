"""Department views: deny by default, and no field without a rule."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

from accountcare.domain import Account, AccountNote, Address, FinancialInfo
from accountcare.domain.accounts import CreditRating
from accountcare.domain.visibility import ALWAYS_VISIBLE, VisibilityPolicy, field_paths
from accountcare.policies.visibility import DEFAULT_VISIBILITY, redact

DEPARTMENTS = ("sales", "product", "technical_support", "service", "finance", "marketing")


def test_every_account_field_has_a_visibility_rule() -> None:
    # Fails when a field is added to Account (or a nested value) without a rule.
    missing = field_paths(Account) - DEFAULT_VISIBILITY.known
    assert not missing, f"fields without a visibility rule: {sorted(missing)}"
    assert "financial.bank_account" in field_paths(Account)
    assert "notes.text" in field_paths(Account)
    for field in attrs.fields(Account):
        assert any(p == field.name or p.startswith(field.name + ".") for p in field_paths(Account))


def _paths(view: dict[str, Any], prefix: str = "") -> set[str]:
    found: set[str] = set()
    for key, value in view.items():
        if isinstance(value, dict):
            found |= _paths(value, f"{prefix}{key}.")
        elif isinstance(value, tuple) and value and all(isinstance(x, dict) for x in value):
            for item in value:
                found |= _paths(item, f"{prefix}{key}.")
        else:
            found.add(prefix + key)
    return found


_TEXT = st.text(alphabet="abcxyz", min_size=1, max_size=6)
ACCOUNTS = st.builds(
    Account,
    id=_TEXT,
    name=_TEXT,
    industry=_TEXT,
    owner=st.none() | _TEXT,
    addresses=st.lists(
        st.builds(Address, country=st.sampled_from(["CN", "KR"]), city=_TEXT), max_size=2
    ),
    financial=st.builds(
        FinancialInfo,
        bank=_TEXT,
        bank_account=_TEXT,
        credit_rating=st.none() | st.sampled_from(CreditRating),
    ),
    notes=st.lists(
        st.builds(
            AccountNote,
            written_at=st.just(datetime(2026, 1, 1, tzinfo=UTC)),
            author=_TEXT,
            text=_TEXT,
        ),
        max_size=2,
    ),
    cooperation_since=st.none() | st.dates(date(2000, 1, 1), date(2026, 1, 1)),
)


@given(account=ACCOUNTS, department=st.sampled_from(DEPARTMENTS))
def test_redaction_never_shows_a_field_outside_the_allow_list(
    account: Account, department: str
) -> None:
    view = redact(account, department)
    assert _paths(view) <= DEFAULT_VISIBILITY.allowed(department)
    assert view["id"] == account.id
    assert view["name"] == account.name


@given(account=ACCOUNTS, department=st.sampled_from(DEPARTMENTS))
def test_every_allowed_leaf_with_a_value_is_shown(account: Account, department: str) -> None:
    view = redact(account, department)
    for field in attrs.fields(Account):
        value = getattr(account, field.name)
        if field.name in DEFAULT_VISIBILITY.allowed(department):
            assert view[field.name] == value


@given(account=ACCOUNTS)
def test_unknown_departments_see_only_id_and_name(account: Account) -> None:
    assert set(redact(account, "marketing")) == ALWAYS_VISIBLE


def test_only_finance_sees_bank_details_and_departments_are_user_definable() -> None:
    acme = Account(id="acme", name="Acme", financial=FinancialInfo(bank="ICBC", bank_account="1"))
    assert redact(acme, "finance")["financial"]["bank"] == "ICBC"
    assert "financial" not in redact(acme, "product")
    legal = DEFAULT_VISIBILITY.with_department("legal", {"legal_representative"})
    assert set(redact(acme, "legal", legal)) == {"id", "name", "legal_representative"}
    assert set(redact(acme, "legal")) == {"id", "name"}


def test_a_new_field_without_a_rule_is_caught() -> None:
    @attrs.frozen
    class Grown:
        id: str
        name: str
        secret: str

    policy = VisibilityPolicy({"sales": {"name"}})
    assert field_paths(Grown) - policy.known == {"secret"}
    assert redact(Grown("a", "b", "s"), "sales", policy) == {"id": "a", "name": "b"}  # type: ignore[arg-type]
