"""Care rules: the parameters of the care scheduler, and the inputs it reacts to.

Every number here is a default from the practice in DOMAIN.md section 5, never a
hard-coded limit. :class:`CareRules` says when and how each kind of touch happens;
:class:`ExtraHoliday` adds days the ``holidays`` package does not know (a company
anniversary, a regional festival); :class:`CareEvent` is something that happened and
must be told (a price change, a seminar invitation).

>>> rules = CareRules(usage_check_days=10)
>>> rules.usage_check_days, rules.ceiling
(10, (CeilingRule(touches=2, days=7), CeilingRule(touches=4, days=30)))
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import date, time
from typing import Any

import attrs

from accountcare.domain import _validate as v
from accountcare.domain.activity import ComplaintSeverity
from accountcare.domain.care import CareKind
from accountcare.domain.contacts import Channel, RelationshipLayer
from accountcare.errors import ConfigurationError

__all__ = [
    "DEFAULT_CARE_RULES",
    "DEFAULT_CEILING",
    "DEFAULT_CHANNELS",
    "DEFAULT_COMPLAINT_SLA",
    "CareEvent",
    "CareRules",
    "CeilingRule",
    "EventKind",
    "ExtraHoliday",
]


def _positive_days(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigurationError(
            f"{type(instance).__name__}.{attribute.name} must be a positive number of days, "
            f"got {value!r}"
        )


def _days_not_negative(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigurationError(
            f"{type(instance).__name__}.{attribute.name} must be a number of days >= 0, "
            f"got {value!r}"
        )


@attrs.frozen
class CeilingRule:
    """At most ``touches`` touches in any ``days`` consecutive days, per contact.

    >>> CeilingRule(2, 7)
    CeilingRule(touches=2, days=7)
    """

    touches: int = attrs.field(validator=_positive_days)
    days: int = attrs.field(validator=_positive_days)


# "Do not burden the customer: contact frequency has a ceiling" (DOMAIN.md section 5).
DEFAULT_CEILING = (CeilingRule(2, 7), CeilingRule(4, 30))

# Which channels suit each kind of touch. A task goes out on the first channel of the
# contact's own preference order that is in this set and that the contact consents to.
DEFAULT_CHANNELS: Mapping[CareKind, frozenset[Channel]] = {
    CareKind.BIRTHDAY: frozenset(
        {Channel.MESSENGER, Channel.SMS, Channel.EMAIL, Channel.MAIL, Channel.PHONE}
    ),
    CareKind.HOLIDAY_GREETING: frozenset(
        {Channel.MESSENGER, Channel.SMS, Channel.EMAIL, Channel.MAIL}
    ),
    CareKind.HOLIDAY_GIFT: frozenset({Channel.MAIL, Channel.VISIT}),
    CareKind.RELATIONSHIP_CALL: frozenset({Channel.PHONE, Channel.MESSENGER, Channel.VISIT}),
    CareKind.AFTER_SALE_USAGE: frozenset(
        {Channel.PHONE, Channel.MESSENGER, Channel.EMAIL, Channel.SMS}
    ),
    CareKind.AFTER_SALE_FEEDBACK: frozenset({Channel.EMAIL, Channel.MESSENGER, Channel.PHONE}),
    CareKind.COMPLAINT_FOLLOW_UP: frozenset(
        {Channel.PHONE, Channel.VISIT, Channel.MESSENGER, Channel.EMAIL}
    ),
    CareKind.SURVEY: frozenset({Channel.EMAIL, Channel.MESSENGER}),
    CareKind.REVERIFICATION: frozenset(
        {Channel.EMAIL, Channel.MESSENGER, Channel.SMS, Channel.PHONE}
    ),
    CareKind.EVENT: frozenset({Channel.EMAIL, Channel.MESSENGER, Channel.SMS, Channel.MAIL}),
}

# "Handle complaints quickly" (DOMAIN.md section 5): follow up within days by severity.
DEFAULT_COMPLAINT_SLA: Mapping[ComplaintSeverity, int] = {
    ComplaintSeverity.CRITICAL: 1,
    ComplaintSeverity.HIGH: 1,
    ComplaintSeverity.MEDIUM: 2,
    ComplaintSeverity.LOW: 3,
}


def _ceiling(values: Iterable[CeilingRule]) -> tuple[CeilingRule, ...]:
    return tuple(sorted(values, key=lambda r: (r.days, r.touches)))


def _channels(
    values: Mapping[CareKind, Iterable[Channel]],
) -> Mapping[CareKind, frozenset[Channel]]:
    return {kind: frozenset(channels) for kind, channels in values.items()}


def _sla(values: Mapping[ComplaintSeverity, int]) -> Mapping[ComplaintSeverity, int]:
    return dict(values)


def _strings(values: Iterable[str]) -> frozenset[str]:
    return frozenset((values,) if isinstance(values, str) else values)


def _layers(values: Iterable[RelationshipLayer]) -> frozenset[RelationshipLayer]:
    return frozenset(values)


@attrs.frozen
class CareRules:
    """When and how each kind of touch happens.

    - ``local_time``: the send time in the contact's own time zone (09:00).
    - ``leap_day_in_common_years``: where a 29 February birthday falls in a common year,
      ``(2, 28)`` (default) or ``(3, 1)``.
    - ``usage_check_days`` / ``feedback_days``: after-sale follow-ups after an order.
    - ``complaint_sla_days``: days after a complaint opens by which to follow up.
    - ``call_layers``: which relationship layers get the tier's relationship calls
      (the key layer: decision makers and champions).
    - ``survey_tiers`` / ``survey_strategic`` / ``survey_on``: the annual survey of key
      accounts (tier A, and strategic accounts) on a month and day.
    - ``gift_holidays`` / ``gift_days_before`` / ``gift_tiers``: pre-holiday gifts for
      which holidays, how many days ahead, to the ``call_layers`` contacts of which tiers
      (and of strategic accounts).
    - ``reverify_after_days``: a contact field verified longer ago than this is stale.
    - ``ceiling``: the frequency ceiling; ``internal_kinds`` do not count against it.
    - ``channels``: the channels that suit each kind.
    """

    local_time: time = attrs.field(default=time(9), validator=v.typed(time))
    leap_day_in_common_years: tuple[int, int] = attrs.field(default=(2, 28))
    usage_check_days: int = attrs.field(default=7, validator=_positive_days)
    feedback_days: int = attrs.field(default=30, validator=_positive_days)
    complaint_sla_days: Mapping[ComplaintSeverity, int] = attrs.field(
        factory=lambda: dict(DEFAULT_COMPLAINT_SLA), converter=_sla
    )
    call_layers: frozenset[RelationshipLayer] = attrs.field(
        default=frozenset({RelationshipLayer.KEY}), converter=_layers
    )
    survey_tiers: frozenset[str] = attrs.field(default=frozenset({"A"}), converter=_strings)
    survey_strategic: bool = attrs.field(default=True, validator=v.typed(bool))
    survey_on: tuple[int, int] = attrs.field(default=(11, 15))
    gift_holidays: frozenset[str] = attrs.field(
        default=frozenset({"lunar_new_year", "mid_autumn", "christmas"}), converter=_strings
    )
    gift_days_before: int = attrs.field(default=7, validator=_positive_days)
    gift_tiers: frozenset[str] = attrs.field(default=frozenset({"A"}), converter=_strings)
    reverify_after_days: int = attrs.field(default=365, validator=_positive_days)
    ceiling: tuple[CeilingRule, ...] = attrs.field(default=DEFAULT_CEILING, converter=_ceiling)
    internal_kinds: frozenset[CareKind] = attrs.field(
        default=frozenset({CareKind.REVERIFICATION}), converter=frozenset
    )
    channels: Mapping[CareKind, frozenset[Channel]] = attrs.field(
        factory=lambda: dict(DEFAULT_CHANNELS), converter=_channels
    )

    def __attrs_post_init__(self) -> None:
        if self.leap_day_in_common_years not in ((2, 28), (3, 1)):
            raise ConfigurationError(
                "CareRules.leap_day_in_common_years must be (2, 28) or (3, 1), "
                f"got {self.leap_day_in_common_years!r}"
            )
        month, day = self.survey_on
        try:
            date(2001, month, day)
        except (TypeError, ValueError) as exc:
            raise ConfigurationError(
                f"CareRules.survey_on must be a (month, day) of a common year, "
                f"got {self.survey_on!r}"
            ) from exc
        for severity in ComplaintSeverity:
            if severity not in self.complaint_sla_days:
                raise ConfigurationError(
                    f"CareRules.complaint_sla_days has no SLA for {severity.value!r} complaints"
                )
            _days_not_negative(self, _SLA_FIELD, self.complaint_sla_days[severity])
        if not self.ceiling:
            raise ConfigurationError("CareRules.ceiling needs at least one CeilingRule")
        for rule in self.ceiling:
            if not isinstance(rule, CeilingRule):
                raise ConfigurationError(
                    f"CareRules.ceiling must hold CeilingRules, got {type(rule).__name__}"
                )
        for kind in CareKind:
            if kind not in self.channels:
                raise ConfigurationError(f"CareRules.channels names no channel for {kind.value}")

    @property
    def longest_ceiling_days(self) -> int:
        """The longest ceiling window, in days (how far back the carried state reaches)."""
        return max(rule.days for rule in self.ceiling)


_SLA_FIELD = attrs.fields(CareRules).complaint_sla_days

DEFAULT_CARE_RULES = CareRules()


def _countries(values: Iterable[str]) -> frozenset[str]:
    return frozenset((values,) if isinstance(values, str) else values)


@attrs.frozen
class ExtraHoliday:
    """A day to greet on that the ``holidays`` package does not know.

    Every year on ``month``/``day``, or only in ``year`` when given; for contacts in
    ``countries`` (empty: every country). ``gift`` also sends a pre-holiday gift.

    >>> ExtraHoliday("founders_day", "Our founding day", 6, 18).countries
    frozenset()
    """

    key: str = attrs.field(validator=v.non_empty)
    name: str = attrs.field(validator=v.non_empty)
    month: int = attrs.field(validator=[v.typed(int), v.between(1, 12)])
    day: int = attrs.field(validator=[v.typed(int), v.between(1, 31)])
    year: int | None = attrs.field(default=None, validator=v.optional(v.typed(int)))
    countries: frozenset[str] = attrs.field(
        default=frozenset(), converter=_countries, validator=v.each(v.country_code)
    )
    gift: bool = attrs.field(default=False, validator=v.typed(bool))

    def __attrs_post_init__(self) -> None:
        try:
            date(self.year if self.year is not None else 2000, self.month, self.day)
        except ValueError as exc:
            raise ConfigurationError(
                f"ExtraHoliday {self.key!r}: {self.month}/{self.day} is not a day"
            ) from exc

    def on(self, year: int) -> date | None:
        """The day in ``year``, or None (another year; 29 February in a common year)."""
        if self.year is not None and self.year != year:
            return None
        try:
            return date(year, self.month, self.day)
        except ValueError:
            return None


class EventKind(enum.Enum):
    """Things that happened and that customers must be told (marketing priority)."""

    PRICE_CHANGE = "price_change"
    SEMINAR_INVITATION = "seminar_invitation"
    PRODUCT_LAUNCH = "product_launch"
    OTHER = "other"


@attrs.frozen
class CareEvent:
    """An event to tell contacts about on day ``on``.

    It reaches the contacts in ``contact_ids`` and every contact of the accounts in
    ``account_ids``; with both empty, every contact. ``template_key`` defaults to the
    event kind.

    >>> from datetime import date
    >>> e = CareEvent("ev-1", EventKind.PRICE_CHANGE, date(2027, 3, 1), account_ids={"acme"})
    >>> e.template
    'event.price_change'
    """

    id: str = attrs.field(validator=v.non_empty)
    kind: EventKind = attrs.field(validator=v.in_enum(EventKind))
    on: date = attrs.field(validator=v.plain_date)
    account_ids: frozenset[str] = attrs.field(
        default=frozenset(), converter=_strings, validator=v.each(v.non_empty)
    )
    contact_ids: frozenset[str] = attrs.field(
        default=frozenset(), converter=_strings, validator=v.each(v.non_empty)
    )
    template_key: str = ""
    description: str = ""

    @property
    def template(self) -> str:
        return self.template_key or f"event.{self.kind.value}"

    def reaches(self, contact_id: str, account_id: str) -> bool:
        """True when the event is meant for this contact."""
        if not self.account_ids and not self.contact_ids:
            return True
        return contact_id in self.contact_ids or account_id in self.account_ids
