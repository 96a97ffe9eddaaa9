"""Redacted department views of an account: a pure function of record and policy.

Departments share the customer record, each seeing what is appropriate for it. Default
grants (finance added to the usual sales, product, technical support and service): sales
sees the profile, relationship and notes; product sees industry, size and the profile;
technical support and service see addresses, web sites and notes; finance sees the
financial card. Nobody but finance sees bank details; unknown departments see only id
and name.

>>> from accountcare.domain import Account
>>> view = redact(Account(id="acme", name="Acme", industry="steel"), "product")
>>> view["industry"], "owner" in view
('steel', False)
>>> sorted(redact(Account(id="acme", name="Acme"), "marketing"))
['id', 'name']
"""

from __future__ import annotations

from typing import Any

import attrs

from accountcare.domain.accounts import Account
from accountcare.domain.visibility import VisibilityPolicy

__all__ = ["DEFAULT_VISIBILITY", "redact"]

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
    "addresses.country",
    "addresses.line1",
    "addresses.line2",
    "addresses.city",
    "addresses.region",
    "addresses.postal_code",
    "addresses.kind",
}
_NOTES = {"notes.written_at", "notes.author", "notes.text", "notes.kind"}

DEFAULT_VISIBILITY = VisibilityPolicy(
    {
        "sales": _PROFILE
        | _ADDRESS
        | _NOTES
        | {
            "owner",
            "legal_representative",
            "financial.credit_status",
            "financial.credit_rating",
            "updated_at",
        },
        "product": {"short_name", "profile", "industry", "size", "region", "strategic", "tags"},
        "technical_support": {"short_name", "industry", "owner", "stage"} | _ADDRESS | _NOTES,
        "service": {"short_name", "owner", "stage", "tags", "websites", "strategic"}
        | _ADDRESS
        | _NOTES,
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
        | _ADDRESS,
    },
)
"""What each department sees of an account; a department not listed sees only `ALWAYS_VISIBLE`."""


def redact(
    account: Account, department: str, policy: VisibilityPolicy = DEFAULT_VISIBILITY
) -> dict[str, Any]:
    """The account as ``department`` may see it: a dict of the allowed fields only, nested
    values as dicts (tuples of them as tuples of dicts). Values are not copied beyond
    that: they are immutable."""
    return _view(account, policy.allowed(department), "")


def _view(value: Any, allowed: frozenset[str], prefix: str) -> dict[str, Any]:
    view: dict[str, Any] = {}
    for field in attrs.fields(type(value)):
        path = prefix + field.name
        content = getattr(value, field.name)
        if attrs.has(type(content)):
            inner = _view(content, allowed, path + ".")
            if inner:
                view[field.name] = inner
        elif isinstance(content, tuple) and content and all(attrs.has(type(x)) for x in content):
            items = tuple(_view(x, allowed, path + ".") for x in content)
            if any(items):
                view[field.name] = items
        elif path in allowed:
            view[field.name] = content
    return view
