"""The account: a customer company (or a person, for B2C) and its profile card.

A profile card carries basic information (names, profile, legal representative, industry,
region, size, the day cooperation began), addresses and web sites, financial information,
behaviour, the lifecycle stage and the user's own tags; every item has a home here.
Behaviour (orders, interactions, complaints) lives in [`activity`][accountcare.domain.activity],
linked to the account by ``account_id``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime

import attrs

from accountcare.domain import _validate as v

__all__ = [
    "Account",
    "AccountNote",
    "Address",
    "CompanySize",
    "CreditRating",
    "FinancialInfo",
    "LifecycleStage",
    "NewCustomerKind",
    "Source",
]


class LifecycleStage(enum.Enum):
    """Where the relationship stands: prospect -> target -> negotiating -> contract ->
    customer (after-sale) -> dormant -> lost."""

    PROSPECT = "prospect"
    TARGET = "target"
    NEGOTIATING = "negotiating"
    CONTRACT = "contract"  # signed, being delivered: payment and stock matter
    CUSTOMER = "customer"
    DORMANT = "dormant"
    LOST = "lost"


class NewCustomerKind(enum.Enum):
    """The four kinds of new customer practitioners distinguish."""

    POTENTIAL = "potential"
    HESITANT = "hesitant"  # wants it but compares offers
    LAPSED = "lapsed"  # traded before, not lately
    EXPANDABLE = "expandable"  # an existing customer with more potential


class Source(enum.Enum):
    """Where the account came from."""

    DIRECTORY = "directory"  # business directories
    REFERRAL = "referral"  # referred by friends or customers
    WALK_IN = "walk_in"
    ADVERTISING = "advertising"  # media advertising
    EXHIBITION = "exhibition"
    WEB = "web"
    OTHER = "other"


class CreditRating(enum.Enum):
    """Credit rating on the usual letter scale, best first."""

    AAA = "AAA"
    AA = "AA"
    A = "A"
    BBB = "BBB"
    BB = "BB"
    B = "B"
    CCC = "CCC"
    CC = "CC"
    C = "C"
    D = "D"


class CompanySize(enum.Enum):
    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"
    ENTERPRISE = "enterprise"


@attrs.frozen
class Address:
    """A postal address; ``country`` is an ISO 3166 alpha-2 code."""

    country: str = attrs.field(validator=v.country_code)
    line1: str = attrs.field(default="", validator=v.a_line)
    line2: str = attrs.field(default="", validator=v.a_line)
    city: str = attrs.field(default="", validator=v.a_line)
    region: str = attrs.field(default="", validator=v.a_line)
    postal_code: str = attrs.field(default="", validator=v.a_line)
    kind: str = attrs.field(default="office", validator=v.a_line)


@attrs.frozen
class FinancialInfo:
    """Bank, bank account, credit status and credit rating."""

    bank: str = attrs.field(default="", validator=v.a_line)
    bank_account: str = attrs.field(default="", validator=v.a_line)
    credit_status: str = attrs.field(default="", validator=v.a_line)
    credit_rating: CreditRating | None = attrs.field(
        default=None, validator=v.optional(v.in_enum(CreditRating))
    )
    tax_id: str = attrs.field(default="", validator=v.a_line)


@attrs.frozen
class AccountNote:
    """A free-form note on an account, written by someone at a time."""

    written_at: datetime = attrs.field(validator=v.aware)
    author: str = attrs.field(validator=v.an_id)
    text: str = attrs.field(validator=v.a_text)
    kind: str = attrs.field(default="behaviour", validator=v.a_line)  # purged by kind


def _tags(value: str | Iterable[str]) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset((value,))
    return frozenset(value)


@attrs.frozen
class Account:
    """A customer account and its profile card.

    ``owner`` is the id of the rep who owns the account; ``strategic`` marks a strategic
    project; ``tags`` are the user's own groups ("family", "important customer"...).
    ``cooperation_since`` is the day the relationship began; cooperation years are derived
    from it (see
    [`cooperation_years`][accountcare.domain.accounts.Account.cooperation_years]).

    >>> from datetime import date
    >>> acme = Account(id="acme", name="Acme Trading Co.", owner="rep-li",
    ...                cooperation_since=date(2019, 3, 1), tags={"important customer"})
    >>> round(acme.cooperation_years(date(2026, 3, 1)), 2)
    7.0
    """

    id: str = attrs.field(validator=v.an_id)
    name: str = attrs.field(validator=v.a_name)
    short_name: str = attrs.field(default="", validator=v.a_line)
    owner: str | None = attrs.field(default=None, validator=v.optional(v.an_id))
    profile: str = attrs.field(default="", validator=v.a_text)
    legal_representative: str = attrs.field(default="", validator=v.a_line)
    industry: str = attrs.field(default="", validator=v.a_line)
    region: str = attrs.field(default="", validator=v.a_line)
    size: CompanySize | None = attrs.field(
        default=None, validator=v.optional(v.in_enum(CompanySize))
    )
    cooperation_since: date | None = attrs.field(default=None, validator=v.optional(v.plain_date))
    stage: LifecycleStage = attrs.field(
        default=LifecycleStage.CUSTOMER, validator=v.in_enum(LifecycleStage)
    )
    new_customer_kind: NewCustomerKind | None = attrs.field(
        default=None, validator=v.optional(v.in_enum(NewCustomerKind))
    )
    source: Source | None = attrs.field(default=None, validator=v.optional(v.in_enum(Source)))
    tags: frozenset[str] = attrs.field(
        default=frozenset(), converter=_tags, validator=v.each(v.a_name)
    )
    strategic: bool = attrs.field(default=False, validator=v.typed(bool))
    addresses: tuple[Address, ...] = attrs.field(
        default=(), converter=v.as_tuple, validator=v.each(v.typed(Address))
    )
    websites: tuple[str, ...] = attrs.field(
        default=(), converter=v.as_tuple, validator=v.each(v.a_name)
    )
    financial: FinancialInfo = attrs.field(factory=FinancialInfo, validator=v.typed(FinancialInfo))
    notes: tuple[AccountNote, ...] = attrs.field(
        default=(), converter=v.as_tuple, validator=v.each(v.typed(AccountNote))
    )
    updated_at: datetime | None = attrs.field(default=None, validator=v.optional(v.aware))

    def cooperation_years(self, as_of: date) -> float:
        """Years of cooperation up to ``as_of`` (0.0 before it began or when unknown)."""
        if self.cooperation_since is None or as_of <= self.cooperation_since:
            return 0.0
        return (as_of - self.cooperation_since).days / 365.25
