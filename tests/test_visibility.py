"""Department views of accounts, contacts and notes: deny by default, no field without a
rule, notes by kind."""

from __future__ import annotations

import typing
from datetime import UTC, date, datetime
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from accountcare.domain import Account, AccountNote, Address, Contact, FinancialInfo
from accountcare.domain.contacts import Birthday, Channel, PhoneNumber
from accountcare.domain.visibility import (
    ALWAYS_VISIBLE,
    NOTE_KIND,
    RECORD_PREFIXES,
    VisibilityPolicy,
    field_paths,
    record_paths,
)
from accountcare.errors import ConfigurationError
from accountcare.policies.visibility import DEFAULT_NOTE_KINDS, DEFAULT_VISIBILITY, redact
from accountcare.testing.strategies import contacts, derived

DEPARTMENTS = ("sales", "product", "technical_support", "service", "finance", "marketing")
RECORD_KINDS = (Account, Contact)
EVERY_PATH = sorted(record_paths(Account) | record_paths(Contact))
AT = datetime(2026, 1, 5, 9, tzinfo=UTC)


def _leaves(cls: type, prefix: str = "") -> set[str]:
    """Every leaf path of ``cls`` found independently: typing's own view of each field,
    any attrs class inside its type (optional, tuple of, nested) followed."""
    found: set[str] = set()
    for name, tp in typing.get_type_hints(cls).items():
        inner = [tp]
        nested = None
        while inner:
            arg = inner.pop()
            if isinstance(arg, type) and attrs.has(arg):
                nested = arg
            inner.extend(typing.get_args(arg))
        found |= _leaves(nested, f"{prefix}{name}.") if nested else {prefix + name}
    return found


# -- every field has a rule ---------------------------------------------------------


@pytest.mark.parametrize("cls", RECORD_KINDS, ids=lambda c: c.__name__)
def test_every_account_and_contact_field_has_a_visibility_rule(cls: type) -> None:
    # Fails when a field is added to Account or Contact (or a value nested in them, at
    # any depth) without a rule in the default policy.
    missing = record_paths(cls) - DEFAULT_VISIBILITY.known
    assert not missing, f"fields without a visibility rule: {sorted(missing)}"
    assert record_paths(cls) == {RECORD_PREFIXES[cls] + p for p in _leaves(cls)}
    for field in attrs.fields(cls):
        assert any(p == field.name or p.startswith(field.name + ".") for p in field_paths(cls)), (
            field.name
        )


def test_contact_paths_reach_into_phones_birthday_and_consents() -> None:
    paths = record_paths(Contact)
    assert {"contact:phones.e164", "contact:birthday.month", "contact:consents"} <= paths
    assert {"financial.bank_account", "notes.text"} <= record_paths(Account)
    assert not record_paths(Account) & paths  # a contact path never names an account field


def test_the_default_note_kind_and_every_listed_kind_have_a_rule() -> None:
    default_kind = attrs.fields(AccountNote).kind.default
    assert isinstance(default_kind, str)
    assert NOTE_KIND + default_kind in DEFAULT_VISIBILITY.known
    for kind, departments in DEFAULT_NOTE_KINDS.items():
        assert {d for d in DEPARTMENTS if kind in DEFAULT_VISIBILITY.note_kinds(d)} == departments


def test_a_new_field_without_a_rule_is_caught_and_an_unknown_kind_is_refused() -> None:
    @attrs.frozen
    class Grown:
        id: str
        name: str
        secret: str

    policy = VisibilityPolicy({"sales": {"name"}})
    assert field_paths(Grown) - policy.known == {"secret"}
    with pytest.raises(ConfigurationError, match="no visibility rules for a Grown"):
        redact(Grown("a", "b", "s"), "sales", policy)  # type: ignore[arg-type]


# -- the attacks: contacts were invisible, notes visible whatever their kind -------


WANG = Contact(
    id="c-1",
    account_id="acme",
    name="Wang Wei",
    title="CFO",
    birthday=Birthday(2, 29, 1980),
    emails=["wang@acme.example"],
    phones=[PhoneNumber("+86 10 1234 5678", "+861012345678")],
    channels=[Channel.EMAIL, Channel.PHONE],
    consents=[Channel.EMAIL],
    hobbies=["golf"],
    preferences=["no calls before 10"],
)


def test_departments_see_the_contact_fields_granted_to_them() -> None:
    sales = redact(WANG, "sales")
    assert sales["emails"] == ("wang@acme.example",)
    assert sales["phones"] == (
        {"raw": "+86 10 1234 5678", "e164": "+861012345678", "kind": "mobile"},
    )
    assert sales["birthday"]["month"] == 2
    assert sales["hobbies"] == ("golf",)
    finance = redact(WANG, "finance")
    assert finance["emails"] == ("wang@acme.example",)
    assert finance["consents"] == frozenset({Channel.EMAIL})
    assert finance["opted_out"] is False
    assert not {"birthday", "hobbies", "preferences"} & set(finance)
    product = redact(WANG, "product")
    assert product["title"] == "CFO"
    assert not {"emails", "phones", "consents"} & set(product)
    assert redact(WANG, "marketing") == {"id": "c-1", "name": "Wang Wei"}


def _noted(*kinds: str) -> Account:
    return Account(
        id="acme",
        name="Acme",
        notes=[AccountNote(AT, "rep-li", f"a {kind} note", kind) for kind in kinds],
    )


def test_notes_are_shown_by_kind() -> None:
    acme = _noted("personal", "credit", "visit", "behaviour", "payment")

    def kinds(department: str) -> list[str]:
        return [n["kind"] for n in redact(acme, department).get("notes", ())]

    assert kinds("technical_support") == ["visit", "behaviour"]
    assert kinds("service") == ["visit", "behaviour"]
    assert kinds("finance") == ["credit", "payment"]
    assert kinds("sales") == ["personal", "credit", "visit", "behaviour"]
    assert kinds("product") == []
    assert "notes" not in redact(acme, "marketing")
    secret = _noted("board-gossip")  # a kind no rule names is shown to nobody
    assert all(redact(secret, d).get("notes", ()) == () for d in DEPARTMENTS)


def test_a_department_granted_a_kind_sees_only_the_note_fields_granted() -> None:
    policy = VisibilityPolicy({"legal": {"note:complaint", "notes.written_at"}})
    view = redact(_noted("complaint", "visit"), "legal", policy)
    assert view["notes"] == ({"written_at": AT, "kind": "complaint"},)


def test_only_finance_sees_bank_details_and_departments_are_user_definable() -> None:
    acme = Account(id="acme", name="Acme", financial=FinancialInfo(bank="ICBC", bank_account="1"))
    assert redact(acme, "finance")["financial"]["bank"] == "ICBC"
    assert "financial" not in redact(acme, "product")
    assert "bank" not in redact(acme, "sales")["financial"]
    legal = DEFAULT_VISIBILITY.with_department("legal", {"legal_representative"})
    assert set(redact(acme, "legal", legal)) == {"id", "name", "legal_representative"}
    assert set(redact(acme, "legal")) == {"id", "name"}


def test_a_nested_value_is_never_shown_whole() -> None:
    acme = attrs.evolve(_noted("visit"), financial=FinancialInfo(bank="ICBC"))
    policy = VisibilityPolicy({"ops": {"financial", "contact:birthday", "notes", "note:visit"}})
    # the visit note is granted by kind, but not one field of it beyond its kind
    assert redact(acme, "ops", policy) == {
        "id": "acme",
        "name": "Acme",
        "notes": ({"kind": "visit"},),
    }
    assert redact(WANG, "ops", policy) == {"id": "c-1", "name": "Wang Wei"}


@pytest.mark.parametrize(
    ("paths", "message"),
    [
        ({"contacts:emails"}, "the grant of 'ops' lists 'contacts:emails'"),
        ({"note:"}, "the grant of 'ops' lists 'note:'"),
        ({""}, "the grant of 'ops' lists ''"),
        ("contact:emails", "fields of 'ops' must be a set of paths"),
    ],
)
def test_a_malformed_grant_is_refused_with_the_department_and_the_path(
    paths: Any, message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        VisibilityPolicy({"ops": paths})
    with pytest.raises(ConfigurationError, match=message):
        DEFAULT_VISIBILITY.with_department("ops", paths)


def test_a_view_needs_its_record_kind() -> None:
    with pytest.raises(ConfigurationError, match="kind=Account or kind=Contact"):
        redact(redact(WANG, "sales"), "sales")
    with pytest.raises(ConfigurationError, match="given as kind=Account"):
        redact(WANG, "sales", kind=Account)


# -- laws ---------------------------------------------------------------------------

_KINDS = st.sampled_from(sorted(DEFAULT_NOTE_KINDS)) | st.text("abc", min_size=1, max_size=3)
ACCOUNTS = derived(
    Account,
    notes=st.lists(derived(AccountNote, kind=_KINDS), max_size=4).map(tuple),
    addresses=st.lists(derived(Address), max_size=2).map(tuple),
)
CONTACTS = contacts()
RECORDS = ACCOUNTS | CONTACTS
GRANTABLE = EVERY_PATH + [NOTE_KIND + kind for kind in sorted(DEFAULT_NOTE_KINDS)] + ["note:a"]


@st.composite
def policies(draw: st.DrawFn) -> VisibilityPolicy:
    """The default policy, or departments (usual and invented) granted any paths and
    note kinds of accounts and contacts."""
    if draw(st.booleans()):
        return DEFAULT_VISIBILITY
    grants = draw(
        st.dictionaries(
            st.sampled_from(DEPARTMENTS) | st.text("xyz", min_size=1, max_size=4),
            st.frozensets(st.sampled_from(GRANTABLE), max_size=30),
            max_size=4,
        )
    )
    return VisibilityPolicy(grants, draw(st.frozensets(st.sampled_from(EVERY_PATH), max_size=5)))


def _paths(view: dict[str, Any], prefix: str) -> set[tuple[str, bool]]:
    """Each shown leaf path, with whether its value is empty (None or ())."""
    found: set[tuple[str, bool]] = set()
    for key, value in view.items():
        if isinstance(value, dict):
            found |= _paths(value, f"{prefix}{key}.")
        elif isinstance(value, tuple) and value and all(isinstance(x, dict) for x in value):
            for item in value:
                found |= _paths(item, f"{prefix}{key}.")
        else:
            found.add((prefix + key, value is None or value == ()))
    return found


def _reveals_only(view: dict[str, Any], allowed: frozenset[str], kind: type) -> None:
    for path, empty in _paths(view, RECORD_PREFIXES[kind]):
        # An empty nested value (no birthday, no notes) shows only that it is empty, and
        # only to a department granted some field of it.
        assert path in allowed or (empty and any(p.startswith(path + ".") for p in allowed)), path
    if kind is Account:
        assert all(NOTE_KIND + note["kind"] in allowed for note in view.get("notes", ()))


@given(record=RECORDS, department=st.sampled_from(DEPARTMENTS), policy=policies())
def test_redaction_never_reveals_a_field_or_note_kind_the_policy_does_not_grant(
    record: Account | Contact, department: str, policy: VisibilityPolicy
) -> None:
    allowed = policy.allowed(department)
    view = redact(record, department, policy)
    _reveals_only(view, allowed, type(record))
    assert (view["id"], view["name"]) == (record.id, record.name)
    if isinstance(record, Account):
        shown = [n for n in record.notes if NOTE_KIND + n.kind in allowed]
        assert len(view.get("notes", ())) in (0, len(shown))


@given(record=RECORDS, department=st.sampled_from(DEPARTMENTS), policy=policies())
def test_redaction_is_idempotent(
    record: Account | Contact, department: str, policy: VisibilityPolicy
) -> None:
    view = redact(record, department, policy)
    assert redact(view, department, policy, kind=type(record)) == view


@given(record=RECORDS, first=st.sampled_from(DEPARTMENTS), then=st.sampled_from(DEPARTMENTS))
def test_a_view_passed_on_shows_no_more_than_either_department_may_see(
    record: Account | Contact, first: str, then: str
) -> None:
    passed_on = redact(redact(record, first), then, kind=type(record))
    both = DEFAULT_VISIBILITY.allowed(first) & DEFAULT_VISIBILITY.allowed(then)
    _reveals_only(passed_on, both, type(record))


@given(record=RECORDS)
def test_granting_everything_returns_the_record_unchanged(record: Account | Contact) -> None:
    kinds = {NOTE_KIND + n.kind for n in record.notes} if isinstance(record, Account) else set()
    everything = VisibilityPolicy({"all": set(EVERY_PATH) | kinds})
    view = redact(record, "all", everything)
    assert view == attrs.asdict(record)  # attrs' own plain form


@given(record=RECORDS, policy=policies(), department=st.text("klm", min_size=1, max_size=5))
def test_an_unknown_department_sees_only_id_and_name(
    record: Account | Contact, policy: VisibilityPolicy, department: str
) -> None:
    assert redact(record, "marketing") == {"id": record.id, "name": record.name}
    assert redact(record, department, policy) == {"id": record.id, "name": record.name}
    assert {"id", "name", "contact:id", "contact:name"} == ALWAYS_VISIBLE


@given(record=ACCOUNTS, department=st.sampled_from(DEPARTMENTS))
def test_every_allowed_leaf_with_a_value_is_shown(record: Account, department: str) -> None:
    view = redact(record, department)
    for field in attrs.fields(Account):
        if field.name in DEFAULT_VISIBILITY.allowed(department):
            assert view[field.name] == getattr(record, field.name)


def test_a_contact_recorded_today_is_redacted_like_any_other() -> None:
    recorded = attrs.evolve(
        WANG, recorded_on=date(2026, 1, 5), verified={"emails": date(2026, 1, 1)}
    )
    assert redact(recorded, "sales")["verified"] == (("emails", date(2026, 1, 1)),)
    assert "verified" not in redact(recorded, "service")
