"""Data hygiene values: what to re-verify, and what a retention policy would delete.

Customer information is verified and updated regularly, and information that is out
of date is deleted. These values only describe; nothing here deletes.
"""

from __future__ import annotations

from datetime import date

import attrs

from accountcare.domain import _validate as v

__all__ = ["PurgeItem", "PurgePlan", "ReverificationItem"]


@attrs.frozen
class ReverificationItem:
    """A contact field last verified too long ago (or never): check it with the customer."""

    contact_id: str = attrs.field(validator=v.an_id)
    account_id: str = attrs.field(validator=v.an_id)
    field: str = attrs.field(validator=v.a_name)
    last_verified: date | None = attrs.field(validator=v.optional(v.plain_date))
    max_age_days: int = attrs.field(validator=v.positive)
    reason: str = attrs.field(validator=v.a_text)


@attrs.frozen
class PurgeItem:
    """One record a retention rule would delete, and why.

    ``record_id`` is the record's id; an account note (which has no id) is named
    ``"<account id>/notes/<index>"``.
    """

    record_kind: str = attrs.field(validator=v.a_name)
    record_id: str = attrs.field(validator=v.a_name)
    account_id: str = attrs.field(validator=v.an_id)
    dated: date = attrs.field(validator=v.plain_date)
    expired_on: date = attrs.field(validator=v.plain_date)
    reason: str = attrs.field(validator=v.a_text)


@attrs.frozen
class PurgePlan:
    """Exactly what would be deleted as of ``as_of``; carrying it out is the caller's job."""

    as_of: date = attrs.field(validator=v.plain_date)
    items: tuple[PurgeItem, ...] = attrs.field(converter=v.as_tuple)
