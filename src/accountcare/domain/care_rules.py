"""Care rules: the parameters of the care scheduler, and the inputs it reacts to.

Every number here is a default from the practice of key-account care, never a
hard-coded limit. `OCCASION_RULES` declares each kind of touch once: its priority
under the frequency ceiling, its template key and the channels that suit it.
[`CareRules`][accountcare.domain.care_rules.CareRules] says when and how each kind of touch
happens, which kinds each lifecycle stage gets
([`DEFAULT_STAGE_KINDS`][accountcare.domain.care_rules.DEFAULT_STAGE_KINDS]) and how many
days ahead each culture greets on its holidays
([`DEFAULT_GREETING_DAYS_BEFORE`][accountcare.domain.care_rules.DEFAULT_GREETING_DAYS_BEFORE]);
[`ExtraHoliday`][accountcare.domain.care_rules.ExtraHoliday] adds days the ``holidays``
package does not know (a company anniversary, a regional festival);
[`CareEvent`][accountcare.domain.care_rules.CareEvent] is something that happened and must
be told (a price change, a seminar invitation).

>>> rules = CareRules(usage_check_days=10)
>>> rules.usage_check_days, rules.ceiling
(10, (CeilingRule(touches=2, days=7), CeilingRule(touches=4, days=30)))
>>> PRIORITY[CareKind.BIRTHDAY], OCCASION_RULE[CareKind.HOLIDAY_GIFT].template_key("christmas")
(0, 'gift.christmas')
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import date, time
from types import MappingProxyType
from typing import Any

import attrs

from accountcare.domain import _validate as v
from accountcare.domain._frozen import FrozenMap
from accountcare.domain.accounts import LifecycleStage
from accountcare.domain.activity import ComplaintSeverity
from accountcare.domain.care import CareKind
from accountcare.domain.contacts import Channel, ContactRole, RelationshipLayer
from accountcare.errors import ConfigurationError

__all__ = [
    "AFTER_SALE_ROLES",
    "CONTRACT_ROLES",
    "DEFAULT_CARE_RULES",
    "DEFAULT_CEILING",
    "DEFAULT_CHANNELS",
    "DEFAULT_COMPLAINT_SLA",
    "DEFAULT_GREETING_DAYS_BEFORE",
    "DEFAULT_STAGE_KINDS",
    "LEAP_DAY_FALLBACK",
    "MESSAGE_CHANNELS",
    "OCCASION_RULE",
    "OCCASION_RULES",
    "PRIORITY",
    "CareEvent",
    "CareRules",
    "CeilingRule",
    "EventKind",
    "ExtraHoliday",
    "OccasionRule",
]


@attrs.frozen
class OccasionRule:
    """One kind of touch: its priority when the ceiling is full (0 goes first), its
    template key (``{}`` stands for the occasion: the holiday, the tier, the severity)
    and the channels that suit it by default.

    >>> OCCASION_RULE[CareKind.RELATIONSHIP_CALL].template_key("A")
    'call.A'
    """

    kind: CareKind
    priority: int
    template: str
    channels: frozenset[Channel]

    def template_key(self, occasion: str = "") -> str:
        """The template key of a touch of this kind for ``occasion``."""
        return self.template.format(occasion)


_M, _S, _E, _P = Channel.MESSENGER, Channel.SMS, Channel.EMAIL, Channel.PHONE
_MAIL, _VISIT = Channel.MAIL, Channel.VISIT

# Every kind of touch, by priority: practitioners put the customer's own day first, then
# a complaint, then after-sale care, the holidays, the rep's calls, the survey, and
# marketing last; re-verification is internal data hygiene and comes after everything.
# A task goes out on the first channel of the contact's own preference order that suits
# its kind and that the contact consents to.
OCCASION_RULES: tuple[OccasionRule, ...] = (
    OccasionRule(CareKind.BIRTHDAY, 0, "birthday", frozenset({_M, _S, _E, _MAIL, _P})),
    OccasionRule(CareKind.COMPLAINT_FOLLOW_UP, 1, "complaint.{}", frozenset({_P, _VISIT, _M, _E})),
    OccasionRule(CareKind.AFTER_SALE_USAGE, 2, "after_sale.usage", frozenset({_P, _M, _E, _S})),
    OccasionRule(CareKind.AFTER_SALE_FEEDBACK, 2, "after_sale.feedback", frozenset({_E, _M, _P})),
    OccasionRule(CareKind.HOLIDAY_GREETING, 3, "holiday.{}", frozenset({_M, _S, _E, _MAIL})),
    OccasionRule(CareKind.HOLIDAY_GIFT, 3, "gift.{}", frozenset({_MAIL, _VISIT})),
    OccasionRule(CareKind.RELATIONSHIP_CALL, 4, "call.{}", frozenset({_P, _M, _VISIT})),
    OccasionRule(CareKind.SURVEY, 5, "survey", frozenset({_E, _M})),
    OccasionRule(CareKind.EVENT, 6, "event.{}", frozenset({_E, _M, _S, _MAIL})),
    OccasionRule(CareKind.REVERIFICATION, 7, "reverify", frozenset({_E, _M, _S, _P})),
    OccasionRule(CareKind.CONTRACT_STATUS, 2, "contract_status", frozenset({_E, _M, _P})),
    OccasionRule(CareKind.PRE_SALE, 4, "pre_sale", frozenset({_P, _M, _E, _VISIT})),
    OccasionRule(CareKind.REACTIVATION, 4, "reactivation", frozenset({_P, _M, _E})),
    OccasionRule(CareKind.WIN_BACK, 4, "win_back", frozenset({_P, _VISIT})),
)
OCCASION_RULE: Mapping[CareKind, OccasionRule] = MappingProxyType(
    {rule.kind: rule for rule in OCCASION_RULES}
)
PRIORITY: Mapping[CareKind, int] = MappingProxyType(
    {rule.kind: rule.priority for rule in OCCASION_RULES}
)
DEFAULT_CHANNELS: Mapping[CareKind, frozenset[Channel]] = FrozenMap(
    {rule.kind: rule.channels for rule in OCCASION_RULES}
)
"""The channels each kind of touch may go on, derived from `OCCASION_RULES`."""

MESSAGE_CHANNELS: frozenset[Channel] = frozenset({_E, _S, _M})
"""The channels a message goes out on by itself (the outbox and its notifiers). A touch on
any other channel (a call, a visit, a gift by post) is an action for a rep."""

# A 29 February birthday is kept on 28 February in common years: still in the month
# people celebrate it (``CareRules.leap_day_in_common_years`` may say 1 March instead).
LEAP_DAY_FALLBACK: tuple[int, int] = (2, 28)
"""Where a 29 February birthday is greeted in a common year: (month, day), 28 February."""
_LEAP_DAY_CHOICES = (LEAP_DAY_FALLBACK, (3, 1))

# Who hears after-sale questions first: the people using what was bought.
AFTER_SALE_ROLES: tuple[ContactRole, ...] = (
    ContactRole.USER,
    ContactRole.TECHNICAL,
    ContactRole.PURCHASING,
    ContactRole.DECISION_MAKER,
    ContactRole.CHAMPION,
    ContactRole.INFLUENCER,
    ContactRole.FINANCE,
    ContactRole.STAFF,
    ContactRole.EXECUTIVE,
    ContactRole.OTHER,
)


# Who hears about payment, stock and delivery while a contract is being fulfilled: the
# people who buy and pay, then the decision makers.
CONTRACT_ROLES: tuple[ContactRole, ...] = (
    ContactRole.PURCHASING,
    ContactRole.FINANCE,
    ContactRole.DECISION_MAKER,
    ContactRole.CHAMPION,
    ContactRole.TECHNICAL,
    ContactRole.USER,
    ContactRole.INFLUENCER,
    ContactRole.STAFF,
    ContactRole.EXECUTIVE,
    ContactRole.OTHER,
)
"""Who hears a contract's status after an order: purchasing first, then finance."""

_K = CareKind
_PERSONAL = frozenset({_K.BIRTHDAY, _K.HOLIDAY_GREETING, _K.COMPLAINT_FOLLOW_UP, _K.REVERIFICATION})
# Care follows the lifecycle: answer questions and advise before the sale, report payment
# and stock while the contract runs, after-sale care, calls and surveys for customers,
# reactivation for dormant accounts, and for lost ones a win-back once the cause of the
# loss is known; no calls and no marketing to a lost account. Personal greetings and
# complaint follow-ups continue at every stage: they keep the door open without selling.
DEFAULT_STAGE_KINDS: Mapping[LifecycleStage, frozenset[CareKind]] = FrozenMap(
    {
        **dict.fromkeys(
            (LifecycleStage.PROSPECT, LifecycleStage.TARGET, LifecycleStage.NEGOTIATING),
            _PERSONAL | {_K.PRE_SALE, _K.EVENT},
        ),
        LifecycleStage.CONTRACT: _PERSONAL | {_K.CONTRACT_STATUS, _K.HOLIDAY_GIFT, _K.EVENT},
        LifecycleStage.CUSTOMER: _PERSONAL
        | {
            _K.HOLIDAY_GIFT,
            _K.RELATIONSHIP_CALL,
            _K.AFTER_SALE_USAGE,
            _K.AFTER_SALE_FEEDBACK,
            _K.SURVEY,
            _K.EVENT,
        },
        LifecycleStage.DORMANT: _PERSONAL | {_K.REACTIVATION, _K.EVENT},
        LifecycleStage.LOST: _PERSONAL | {_K.WIN_BACK},
    }
)
"""The kinds of touch each lifecycle stage gets (an account not given is a customer)."""

# Greet on the day the culture expects: Koreans travel home for Seollal and Chuseok, so
# the greeting goes out 3 days before the festival; in China the greeting is sent on the
# eve (除夕), the evening families gather, 1 day before the Spring Festival.
DEFAULT_GREETING_DAYS_BEFORE: Mapping[str, Mapping[str, int]] = FrozenMap(
    {
        "CN": FrozenMap({"lunar_new_year": 1}),
        "KR": FrozenMap({"lunar_new_year": 3, "mid_autumn": 3}),
    }
)
"""Days before a holiday its greeting goes out, per country and holiday key (else 0)."""


def _days(instance: Any, attribute: attrs.Attribute[Any], value: Any, least: int = 1) -> None:
    """A validator: a whole number of days, at least ``least``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        what = "a positive number of days" if least else f"a number of days >= {least}"
        raise ConfigurationError(
            f"{type(instance).__name__}.{attribute.name} must be {what}, got {value!r}"
        )


@attrs.frozen
class CeilingRule:
    """At most ``touches`` touches in any ``days`` consecutive days, per contact.

    >>> CeilingRule(2, 7)
    CeilingRule(touches=2, days=7)
    """

    touches: int = attrs.field(validator=_days)
    days: int = attrs.field(validator=_days)


# Do not burden the customer: practitioners cap how often one contact is touched.
DEFAULT_CEILING = (CeilingRule(2, 7), CeilingRule(4, 30))
"""Do not burden the customer: at most 2 touches in any 7 days and 4 in any 30, per contact."""

# Complaints are handled quickly: follow up within days, by severity.
DEFAULT_COMPLAINT_SLA: Mapping[ComplaintSeverity, int] = FrozenMap(
    {
        ComplaintSeverity.CRITICAL: 1,
        ComplaintSeverity.HIGH: 1,
        ComplaintSeverity.MEDIUM: 2,
        ComplaintSeverity.LOW: 3,
    }
)
"""Days to follow up a complaint, by severity: handle complaints quickly, the worst first."""


def _ceiling(values: Iterable[CeilingRule]) -> tuple[CeilingRule, ...]:
    rules = tuple(values)
    for rule in rules:
        if not isinstance(rule, CeilingRule):
            raise ConfigurationError(
                f"CareRules.ceiling must hold CeilingRules, got {type(rule).__name__}"
            )
    return tuple(sorted(rules, key=lambda r: (r.days, r.touches)))


def _channels(
    values: Mapping[CareKind, Iterable[Channel]],
) -> Mapping[CareKind, frozenset[Channel]]:
    return FrozenMap({kind: frozenset(channels) for kind, channels in values.items()})


def _kinds(values: Iterable[CareKind]) -> frozenset[CareKind]:
    return frozenset(values)


def _stage_kinds(
    values: Mapping[LifecycleStage, Iterable[CareKind]],
) -> Mapping[LifecycleStage, frozenset[CareKind]]:
    return FrozenMap({stage: frozenset(kinds) for stage, kinds in values.items()})


def _offsets(values: Mapping[str, Mapping[str, int]]) -> Mapping[str, Mapping[str, int]]:
    return FrozenMap({country: FrozenMap(keys) for country, keys in values.items()})


def _strings(values: Iterable[str]) -> frozenset[str]:
    return frozenset((values,) if isinstance(values, str) else values)


@attrs.frozen
class CareRules:
    """When and how each kind of touch happens.

    - ``local_time``: the send time in the contact's own time zone (09:00).
    - ``leap_day_in_common_years``: where a 29 February birthday falls in a common year,
      [`LEAP_DAY_FALLBACK`][accountcare.domain.care_rules.LEAP_DAY_FALLBACK] (28 February,
      the default) or ``(3, 1)``.
    - ``usage_check_days`` / ``feedback_days``: after-sale follow-ups after an order.
    - ``complaint_sla_days``: days after a complaint opens by which to follow up.
    - ``call_layers``: which relationship layers get the tier's relationship calls
      (the key layer: decision makers and champions).
    - ``survey_tiers`` / ``survey_strategic`` / ``survey_on``: the annual survey of key
      accounts (tier A, and strategic accounts) on a month and day.
    - ``gift_holidays`` / ``gift_days_before`` / ``gift_tiers``: pre-holiday gifts for
      which holidays, how many days ahead of the greeting (so a gift arrives before the
      greeting and before people travel), to the ``call_layers`` contacts of which tiers
      (and of strategic accounts).
    - ``greeting_days_before``: per country and holiday key, how many days before the
      holiday its greeting goes out
      ([`DEFAULT_GREETING_DAYS_BEFORE`][accountcare.domain.care_rules.DEFAULT_GREETING_DAYS_BEFORE]:
      Seollal and Chuseok 3 days ahead in Korea, the Spring Festival on its eve in China);
      see [`greeting_offset`][accountcare.domain.care_rules.CareRules.greeting_offset].
    - ``stage_kinds``: the kinds of touch each
      [`LifecycleStage`][accountcare.domain.accounts.LifecycleStage] gets
      ([`DEFAULT_STAGE_KINDS`][accountcare.domain.care_rules.DEFAULT_STAGE_KINDS]).
    - ``pre_sale_every_days``: a pre-sale touch (questions answered, personalised advice)
      per account every so many days, rotating over its ``call_layers`` contacts.
    - ``contract_status_every_days`` / ``contract_order_days``: while a contract runs, a
      status touch (doubts, payment, stock) per account every so many days, and one to
      the account's contract contact (by
      [`CONTRACT_ROLES`][accountcare.domain.care_rules.CONTRACT_ROLES]) so many days after
      each order; None turns either off.
    - ``reactivation_every_days``: a reactivation touch per dormant account.
    - ``win_back_after_days`` / ``win_back_every_days``: a lost account's first win-back
      touch so many days after its root cause was found, then every so many days.
    - ``reverify_after_days``: a contact field verified longer ago than this is stale.
    - ``ceiling``: the frequency ceiling; ``internal_kinds`` do not count against it.
    - ``channels``: the channels that suit each kind (read-only; the defaults are those
      of `OCCASION_RULES`).
    - ``rep_action_kinds``: kinds that are always an action for a rep, whatever their
      channel (checking the contact data is the rep's work, not a mail to the customer);
      see [`is_rep_action`][accountcare.domain.care_rules.CareRules.is_rep_action].

    >>> CareRules().channels[CareKind.HOLIDAY_GIFT] == {Channel.MAIL, Channel.VISIT}
    True
    >>> sorted(kind.value for kind in CareRules().stage_kinds[LifecycleStage.LOST])
    ['birthday', 'complaint_follow_up', 'holiday_greeting', 'reverification', 'win_back']
    """

    local_time: time = attrs.field(default=time(9), validator=v.typed(time))
    leap_day_in_common_years: tuple[int, int] = attrs.field(default=LEAP_DAY_FALLBACK)
    usage_check_days: int = attrs.field(default=7, validator=_days)
    feedback_days: int = attrs.field(default=30, validator=_days)
    complaint_sla_days: Mapping[ComplaintSeverity, int] = attrs.field(
        default=DEFAULT_COMPLAINT_SLA, converter=FrozenMap
    )
    call_layers: frozenset[RelationshipLayer] = attrs.field(
        default=frozenset({RelationshipLayer.KEY}), converter=frozenset
    )
    survey_tiers: frozenset[str] = attrs.field(default=frozenset({"A"}), converter=_strings)
    survey_strategic: bool = attrs.field(default=True, validator=v.typed(bool))
    survey_on: tuple[int, int] = attrs.field(default=(11, 15))
    gift_holidays: frozenset[str] = attrs.field(
        default=frozenset({"lunar_new_year", "mid_autumn", "christmas"}), converter=_strings
    )
    gift_days_before: int = attrs.field(default=7, validator=_days)
    gift_tiers: frozenset[str] = attrs.field(default=frozenset({"A"}), converter=_strings)
    reverify_after_days: int = attrs.field(default=365, validator=_days)
    ceiling: tuple[CeilingRule, ...] = attrs.field(default=DEFAULT_CEILING, converter=_ceiling)
    internal_kinds: frozenset[CareKind] = attrs.field(
        default=frozenset({CareKind.REVERIFICATION}), converter=_kinds
    )
    channels: Mapping[CareKind, frozenset[Channel]] = attrs.field(
        default=DEFAULT_CHANNELS, converter=_channels
    )
    rep_action_kinds: frozenset[CareKind] = attrs.field(
        default=frozenset({CareKind.REVERIFICATION}), converter=_kinds
    )
    greeting_days_before: Mapping[str, Mapping[str, int]] = attrs.field(
        default=DEFAULT_GREETING_DAYS_BEFORE, converter=_offsets
    )
    stage_kinds: Mapping[LifecycleStage, frozenset[CareKind]] = attrs.field(
        default=DEFAULT_STAGE_KINDS, converter=_stage_kinds
    )
    pre_sale_every_days: int = attrs.field(default=14, validator=_days)
    contract_status_every_days: int | None = attrs.field(default=14, validator=v.optional(_days))
    contract_order_days: int | None = attrs.field(default=3, validator=v.optional(_days))
    reactivation_every_days: int = attrs.field(default=30, validator=_days)
    win_back_after_days: int = attrs.field(default=14, validator=_days)
    win_back_every_days: int = attrs.field(default=90, validator=_days)

    def greeting_offset(self, country: str, key: str) -> int:
        """Days before the holiday ``key`` its greeting goes out in ``country``.

        >>> rules = CareRules()
        >>> rules.greeting_offset("KR", "lunar_new_year"), rules.greeting_offset("US", "christmas")
        (3, 0)
        """
        return self.greeting_days_before.get(country, _NO_OFFSETS).get(key, 0)

    @property
    def longest_greeting_offset(self) -> int:
        """The most days any greeting goes out before its holiday."""
        offsets = self.greeting_days_before.values()
        return max((days for keys in offsets for days in keys.values()), default=0)

    def is_rep_action(self, kind: CareKind, channel: Channel) -> bool:
        """Whether a touch of ``kind`` on ``channel`` is an action for a rep (the rep's
        worklist) rather than a message to the customer (the outbox): every channel
        but [`MESSAGE_CHANNELS`][accountcare.domain.care_rules.MESSAGE_CHANNELS], and every
        kind in ``rep_action_kinds``.

        >>> rules = CareRules()
        >>> rules.is_rep_action(CareKind.RELATIONSHIP_CALL, Channel.PHONE)
        True
        >>> rules.is_rep_action(CareKind.BIRTHDAY, Channel.EMAIL)
        False
        >>> rules.is_rep_action(CareKind.REVERIFICATION, Channel.EMAIL)
        True
        """
        return channel not in MESSAGE_CHANNELS or kind in self.rep_action_kinds

    def __attrs_post_init__(self) -> None:
        if self.leap_day_in_common_years not in _LEAP_DAY_CHOICES:
            choices = " or ".join(map(str, _LEAP_DAY_CHOICES))
            raise ConfigurationError(
                f"CareRules.leap_day_in_common_years must be {choices}, "
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
            _days(self, _SLA_FIELD, self.complaint_sla_days[severity], least=0)
        if not self.ceiling:
            raise ConfigurationError("CareRules.ceiling needs at least one CeilingRule")
        for kind in CareKind:
            if kind not in self.channels:
                raise ConfigurationError(f"CareRules.channels names no channel for {kind.value}")
        for stage in LifecycleStage:
            if stage not in self.stage_kinds:
                raise ConfigurationError(
                    f"CareRules.stage_kinds names no kinds of touch for {stage.value} accounts"
                )
        for country, keys in self.greeting_days_before.items():
            for key, days in keys.items():
                if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 60:
                    raise ConfigurationError(
                        f"CareRules.greeting_days_before[{country!r}][{key!r}] must be "
                        f"0 to 60 days, got {days!r}"
                    )

    @property
    def longest_ceiling_days(self) -> int:
        """The longest ceiling window, in days (how far back the carried state reaches)."""
        return max(rule.days for rule in self.ceiling)

    @property
    def lowest_counted_priority(self) -> int:
        """The priority of the last kind the ceiling counts (internal kinds aside)."""
        counted = [rule.priority for rule in OCCASION_RULES if rule.kind not in self.internal_kinds]
        return max(counted, default=0)


_SLA_FIELD = attrs.fields(CareRules).complaint_sla_days
_NO_OFFSETS: Mapping[str, int] = FrozenMap()

DEFAULT_CARE_RULES = CareRules()
"""The care rules practitioners start from: every offset, tier, channel and ceiling at its
default."""


@attrs.frozen
class ExtraHoliday:
    """A day to greet on that the ``holidays`` package does not know.

    Every year on ``month``/``day``, or only in ``year`` when given; for contacts in
    ``countries`` (empty: every country). ``gift`` also sends a pre-holiday gift.

    >>> ExtraHoliday("founders_day", "Our founding day", 6, 18).countries
    frozenset()
    """

    key: str = attrs.field(validator=v.an_id)
    name: str = attrs.field(validator=v.a_name)
    month: int = attrs.field(validator=[v.typed(int), v.between(1, 12)])
    day: int = attrs.field(validator=[v.typed(int), v.between(1, 31)])
    year: int | None = attrs.field(default=None, validator=v.optional(v.typed(int)))
    countries: frozenset[str] = attrs.field(
        default=frozenset(), converter=_strings, validator=v.each(v.country_code)
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

    id: str = attrs.field(validator=v.an_id)
    kind: EventKind = attrs.field(validator=v.in_enum(EventKind))
    on: date = attrs.field(validator=v.plain_date)
    account_ids: frozenset[str] = attrs.field(
        default=frozenset(), converter=_strings, validator=v.each(v.an_id)
    )
    contact_ids: frozenset[str] = attrs.field(
        default=frozenset(), converter=_strings, validator=v.each(v.an_id)
    )
    template_key: str = attrs.field(default="", validator=v.a_line)
    description: str = attrs.field(default="", validator=v.a_text)

    @property
    def template(self) -> str:
        return self.template_key or OCCASION_RULE[CareKind.EVENT].template_key(self.kind.value)

    @property
    def occasion(self) -> str:
        """The event as its messages name it: the first line of its description (written
        in the language of the contacts it reaches), else its kind in words.

        >>> CareEvent("ev-2", EventKind.SEMINAR_INVITATION, date(2027, 3, 1)).occasion
        'seminar invitation'
        """
        lines = self.description.strip().splitlines()
        return " ".join(lines[0].split()) if lines else self.kind.value.replace("_", " ")

    def reaches(self, contact_id: str, account_id: str) -> bool:
        """True when the event is meant for this contact."""
        if not self.account_ids and not self.contact_ids:
            return True
        return contact_id in self.contact_ids or account_id in self.account_ids
