"""Redacted department views of accounts and contacts: a pure function of record and policy.

Departments share the customer record, each seeing what is appropriate for it. Default
grants (finance added to the usual sales, product, technical support and service):

- accounts: sales sees the profile, relationship and credit standing; product sees
  industry, size and the profile; technical support and service see addresses (service
  web sites too); finance sees the financial card. Nobody but finance sees bank details.
- contacts: sales (the account's own team) sees the whole contact, birthday, hobbies
  and preferences included; service, technical support and finance see the role, title
  and how to reach the contact; product sees who the contact is (role, layer, title).
  Whoever sees a way to reach a contact also sees its consents and whether it opted out,
  with their evidence.
- notes, by kind: behaviour, visit and complaint notes go to sales, service and
  technical support; ``people`` notes (changes among the customer's people) to sales and
  service; ``personal`` notes only to sales; technical notes to technical support and
  service; product feedback to product, sales and technical support; ``finance``,
  ``credit`` and ``payment`` notes to finance (credit notes to sales too). A note of a
  kind not listed is shown to nobody.

Unknown departments see only the id and name of accounts and contacts.

>>> from accountcare.domain import Account, Contact
>>> view = redact(Account(id="acme", name="Acme", industry="steel"), "product")
>>> view["industry"], "owner" in view
('steel', False)
>>> sorted(redact(Account(id="acme", name="Acme"), "marketing"))
['id', 'name']
>>> sorted(redact(Contact(id="c-1", account_id="acme", name="Wang"), "marketing"))
['id', 'name']
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from accountcare.domain.accounts import Account, AccountNote
from accountcare.domain.contacts import Contact
from accountcare.domain.visibility import (
    NOTE_KIND,
    RECORD_PREFIXES,
    VisibilityPolicy,
    note_paths,
)
from accountcare.errors import ConfigurationError

__all__ = ["DEFAULT_NOTE_KINDS", "DEFAULT_VISIBILITY", "redact"]

_PROFILE = {
    "short_name",
    "profile",
    "industry",
    "region",
    "size",
    "cooperation_since",
    "stage",
    "new_customer_kind",
    "source",
    "tags",
    "strategic",
    "websites",
}
_ADDRESS = {
    f"addresses.{part}"
    for part in ("country", "line1", "line2", "city", "region", "postal_code", "kind")
}
_NOTES = {f"notes.{part}" for part in ("written_at", "author", "text", "kind")}

_C = RECORD_PREFIXES[Contact]
_PHONES = {f"{_C}phones.raw", f"{_C}phones.e164", f"{_C}phones.kind"}
_BIRTHDAY = {f"{_C}birthday.{part}" for part in ("month", "day", "year", "calendar", "leap")}
# Reaching a contact: whoever sees a channel also sees whether it may be used.
_REACH = {
    f"{_C}{name}" for name in ("time_zone", "locale", "emails", "channels", "consents", "opted_out")
} | _PHONES
# ... and the evidence of the consents and opt-outs.
_REACH |= {f"{_C}consent_log.{part}" for part in ("on", "action", "source", "channels")}
_WHO = {f"{_C}{name}" for name in ("account_id", "role", "layer", "title")}
_CARE = {f"{_C}{name}" for name in ("country", "preferences", "hobbies")} | _BIRTHDAY
_HYGIENE = {f"{_C}verified", f"{_C}recorded_on"}

DEFAULT_NOTE_KINDS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "behaviour": frozenset({"sales", "service", "technical_support"}),
        "visit": frozenset({"sales", "service", "technical_support"}),
        "complaint": frozenset({"sales", "service", "technical_support"}),
        "people": frozenset({"sales", "service"}),
        "personal": frozenset({"sales"}),
        "technical": frozenset({"technical_support", "service"}),
        "product": frozenset({"product", "sales", "technical_support"}),
        "finance": frozenset({"finance"}),
        "credit": frozenset({"finance", "sales"}),
        "payment": frozenset({"finance"}),
    }
)
"""Which departments see account notes of each kind (``AccountNote.kind``) by default."""


def _kinds(department: str) -> set[str]:
    return {NOTE_KIND + kind for kind, who in DEFAULT_NOTE_KINDS.items() if department in who}


# Every department but product sees where the customer is and how to reach its people.
_SERVING = _ADDRESS | _NOTES | _WHO | _REACH

DEFAULT_VISIBILITY = VisibilityPolicy(
    {
        department: fields | _kinds(department)
        for department, fields in {
            "sales": _PROFILE
            | _SERVING
            | _CARE
            | _HYGIENE
            | {
                "owner",
                "legal_representative",
                "financial.credit_status",
                "financial.credit_rating",
                "updated_at",
            },
            "product": {"short_name", "profile", "industry", "size", "region", "strategic", "tags"}
            | _NOTES
            | _WHO,
            "technical_support": {"short_name", "industry", "owner", "stage"} | _SERVING,
            "service": {"short_name", "owner", "stage", "tags", "websites", "strategic"} | _SERVING,
            "finance": {
                "short_name",
                "legal_representative",
                "owner",
                "stage",
                "cooperation_since",
                "financial.bank",
                "financial.bank_account",
                "financial.credit_status",
                "financial.credit_rating",
                "financial.tax_id",
            }
            | _SERVING,
        }.items()
    },
)
"""What each department sees of accounts, contacts and notes; a department not listed
sees only `ALWAYS_VISIBLE`."""

_NOTE_PATHS = note_paths()


def redact(
    record: Account | Contact | Mapping[str, Any],
    department: str,
    policy: VisibilityPolicy = DEFAULT_VISIBILITY,
    *,
    kind: type[Account] | type[Contact] | None = None,
) -> dict[str, Any]:
    """The account or contact as ``department`` may see it: a dict of the allowed fields
    only, nested values as dicts (tuples of them as tuples of dicts), notes only of the
    kinds the department is granted. Values are not copied beyond that: they are
    immutable. Deny by default: a field or note kind the policy does not grant is left
    out, and a nested value is never shown whole, only the granted fields in it.

    A view can be redacted again, as when it is passed on to another department: give
    its record kind (``kind=Account`` or ``kind=Contact``). The result is never more than
    either department may see, and redacting a view for its own department changes
    nothing.

    >>> from accountcare.domain import Contact
    >>> wang = Contact(id="c-1", account_id="acme", name="Wang", hobbies=["golf"],
    ...                emails=["wang@acme.example"])
    >>> redact(wang, "sales")["hobbies"], "hobbies" in redact(wang, "finance")
    (('golf',), False)
    >>> finance_view = redact(wang, "finance")
    >>> redact(finance_view, "finance", kind=Contact) == finance_view
    True
    >>> sorted(redact(finance_view, "product", kind=Contact))
    ['account_id', 'id', 'layer', 'name', 'role', 'title']
    """
    if isinstance(record, Mapping):
        if kind is None or kind not in RECORD_PREFIXES:
            raise ConfigurationError(
                f"redacting a view needs its record kind (kind=Account or kind=Contact), "
                f"got kind={kind!r}"
            )
        prefix = RECORD_PREFIXES[kind]
    else:
        cls = type(record)
        if cls not in RECORD_PREFIXES or (kind is not None and kind is not cls):
            raise ConfigurationError(
                f"no visibility rules for a {cls.__name__}"
                + (f" given as kind={kind.__name__}" if kind is not None else "")
                + "; redact accounts and contacts"
            )
        prefix = RECORD_PREFIXES[cls]
    allowed = policy.allowed(department)
    return _view(record, allowed, _containers(allowed), prefix)


def _containers(allowed: frozenset[str]) -> frozenset[str]:
    """The paths of nested values some granted path lies inside (``"financial"`` for
    ``"financial.bank"``)."""
    found = set()
    for path in allowed:
        end = path.rfind(".")
        while end > 0:
            path = path[:end]
            found.add(path)
            end = path.rfind(".")
    return frozenset(found)


def _is_record(value: Any) -> bool:
    return isinstance(value, Mapping) or attrs.has(type(value))


def _fields(value: Any) -> Any:
    if isinstance(value, Mapping):
        return value.items()
    return ((f.name, getattr(value, f.name)) for f in attrs.fields(type(value)))


def _note_admitted(note: Any, allowed: frozenset[str]) -> bool:
    kind = note.kind if isinstance(note, AccountNote) else note.get("kind")
    return isinstance(kind, str) and NOTE_KIND + kind in allowed


def _view(
    value: Any, allowed: frozenset[str], containers: frozenset[str], prefix: str
) -> dict[str, Any]:
    view: dict[str, Any] = {}
    for name, content in _fields(value):
        path = prefix + name
        if _is_record(content):
            if path in containers:
                view[name] = _view(content, allowed, containers, path + ".")
        elif isinstance(content, tuple) and content and all(_is_record(x) for x in content):
            if path in containers:
                items = content
                if path in _NOTE_PATHS:
                    items = tuple(x for x in items if _note_admitted(x, allowed))
                view[name] = tuple(_view(x, allowed, containers, path + ".") for x in items)
        elif path in allowed:
            view[name] = content
        elif path in containers and (content is None or content == ()):
            view[name] = content  # an absent nested value whose fields may be seen
    return view
