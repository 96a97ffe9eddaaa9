"""Contact persons of an account, with what care needs to reach them well.

A contact has a role (decision maker, influencer, user...), belongs to one of the three
layers of a relationship system (key, broad, organisational), and carries what greetings
need: birthday, IANA time zone, country (for its holidays), channels, per-channel consent,
preferences. ``verified`` records when each field was last checked, for data hygiene.
Whether a contact may be reached, and on which channel, is
[`Contact.may_contact`][accountcare.domain.contacts.Contact.may_contact].
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime
from typing import Any

import attrs

from accountcare.domain import _validate as v
from accountcare.errors import InvalidRecord

__all__ = [
    "Birthday",
    "BirthdayCalendar",
    "Channel",
    "ConsentAction",
    "ConsentEvent",
    "Contact",
    "ContactRole",
    "PhoneNumber",
    "RelationshipLayer",
    "channels_of_addresses",
]


class Channel(enum.Enum):
    """How we reach a contact."""

    PHONE = "phone"
    SMS = "sms"
    EMAIL = "email"
    MESSENGER = "messenger"  # WeChat, KakaoTalk, LINE, WhatsApp...
    VISIT = "visit"
    MAIL = "mail"  # cards and gifts by post


class ContactRole(enum.Enum):
    """The contact's role in the buying decision."""

    DECISION_MAKER = "decision_maker"
    CHAMPION = "champion"
    INFLUENCER = "influencer"
    USER = "user"
    FINANCE = "finance"
    PURCHASING = "purchasing"
    TECHNICAL = "technical"
    EXECUTIVE = "executive"
    STAFF = "staff"
    OTHER = "other"


class RelationshipLayer(enum.Enum):
    """The three layers of a relationship system: the people who decide, the many who use
    and support, and the company-to-company ties."""

    KEY = "key"  # decision makers and champions
    BROAD = "broad"  # the many users and staff
    ORGANISATIONAL = "organisational"  # company to company: executives, agreements


_LAYER_OF_ROLE: Mapping[ContactRole, RelationshipLayer] = {
    ContactRole.DECISION_MAKER: RelationshipLayer.KEY,
    ContactRole.CHAMPION: RelationshipLayer.KEY,
    ContactRole.INFLUENCER: RelationshipLayer.KEY,
    ContactRole.EXECUTIVE: RelationshipLayer.ORGANISATIONAL,
}


def layer_of_role(role: ContactRole) -> RelationshipLayer:
    """The layer a role belongs to unless a contact says otherwise.

    >>> layer_of_role(ContactRole.DECISION_MAKER).value
    'key'
    >>> layer_of_role(ContactRole.USER).value
    'broad'
    """
    return _LAYER_OF_ROLE.get(role, RelationshipLayer.BROAD)


class BirthdayCalendar(enum.Enum):
    """The calendar a birthday is kept in. Lunar birthdays move every Gregorian year."""

    GREGORIAN = "gregorian"
    CHINESE_LUNAR = "chinese_lunar"
    KOREAN_LUNAR = "korean_lunar"


@attrs.frozen
class Birthday:
    """A birthday, with or without the year (phones export ``--0229`` with no year).

    For a lunar birthday, ``month`` and ``day`` are the lunar month and day, and ``leap``
    marks a leap (intercalary) month.

    >>> Birthday(2, 29).is_leap_day
    True
    >>> Birthday.from_date(date(1988, 2, 29)).isoformat()
    '1988-02-29'
    >>> Birthday(2, 29).isoformat()
    '--02-29'
    """

    month: int = attrs.field(validator=[v.typed(int), v.between(1, 12)])
    day: int = attrs.field(validator=[v.typed(int), v.between(1, 31)])
    year: int | None = attrs.field(default=None, validator=v.optional(v.birth_year))
    calendar: BirthdayCalendar = attrs.field(
        default=BirthdayCalendar.GREGORIAN, validator=v.in_enum(BirthdayCalendar)
    )
    leap: bool = attrs.field(default=False, validator=v.typed(bool))

    def __attrs_post_init__(self) -> None:
        if self.calendar is BirthdayCalendar.GREGORIAN:
            if self.leap:
                raise InvalidRecord("Birthday", "leap", "applies only to lunar birthdays")
            year = self.year if self.year is not None else 2000  # a leap year: 29 Feb is fine
            if self.day > calendar.monthrange(year, self.month)[1]:
                raise InvalidRecord(
                    "Birthday", "day", f"{self.day} does not exist in month {self.month}"
                )
        elif self.day > 30:
            raise InvalidRecord("Birthday", "day", "a lunar month has at most 30 days")

    @classmethod
    def from_date(cls, value: date) -> Birthday:
        return cls(value.month, value.day, value.year)

    @property
    def is_leap_day(self) -> bool:
        return self.calendar is BirthdayCalendar.GREGORIAN and (self.month, self.day) == (2, 29)

    @property
    def date(self) -> date | None:
        """The birth date, when the year is known and the calendar is Gregorian."""
        if self.year is None or self.calendar is not BirthdayCalendar.GREGORIAN:
            return None
        return date(self.year, self.month, self.day)

    def isoformat(self) -> str:
        """ISO 8601 (``1988-02-29``), or the vCard form ``--02-29`` when the year is unknown."""
        head = f"{self.year:04d}" if self.year is not None else "-"
        return f"{head}-{self.month:02d}-{self.day:02d}"


def _birthday(value: Birthday | date | None) -> Birthday | None:
    if isinstance(value, date):
        return Birthday.from_date(value)
    return value


@attrs.frozen
class PhoneNumber:
    """A phone number as given (``raw``) and, when it could be parsed, in E.164."""

    raw: str = attrs.field(validator=v.a_name)
    e164: str | None = attrs.field(default=None, validator=v.optional(v.a_name))
    kind: str = attrs.field(default="mobile", validator=v.a_line)


def channels_of_addresses(
    emails: Iterable[str], phones: Iterable[PhoneNumber]
) -> tuple[Channel, ...]:
    """The channels a contact's own addresses open, in the order a message is least
    intrusive: email, then SMS (a mobile number), then a phone call (any number). Whether
    the contact may be reached on them is a matter of consent, not of the addresses.

    >>> [c.value for c in channels_of_addresses(["li@hd.cn"], [PhoneNumber("138", "+86138")])]
    ['email', 'sms', 'phone']
    >>> [c.value for c in channels_of_addresses([], [PhoneNumber("021", "+8621", "work")])]
    ['phone']
    """
    numbers = list(phones)
    found = [Channel.EMAIL] if any(True for _ in emails) else []
    if any(p.kind == "mobile" for p in numbers):
        found.append(Channel.SMS)
    if numbers:
        found.append(Channel.PHONE)
    return tuple(found)


def _phones(values: Iterable[PhoneNumber | str]) -> tuple[PhoneNumber, ...]:
    return tuple([p if isinstance(p, PhoneNumber) else PhoneNumber(p) for p in values])


def _channels(values: Iterable[Channel]) -> frozenset[Channel]:
    if type(values) is frozenset:  # already one (as when read back): no copy
        return values
    return frozenset(values)


def _verified(
    values: Mapping[str, date] | Iterable[tuple[str, date]],
) -> tuple[tuple[str, date], ...]:
    if values == ():  # the default, and most contacts (the Mapping check is slow)
        return ()
    pairs = values.items() if isinstance(values, Mapping) else values
    return tuple(sorted(pairs))


def _check_verified(contact: Contact, attribute: attrs.Attribute[Any], value: Any) -> None:
    for name, day in contact.verified:
        if not isinstance(name, str) or not name.strip():
            raise v.fail(contact, attribute, f"has a field name {name!r} that is not a name")
        v.a_line(contact, attribute, name)
        if not isinstance(day, date) or isinstance(day, datetime):
            raise v.fail(contact, attribute, f"{name!r} must map to a date")
        if contact.recorded_on is not None and day > contact.recorded_on:
            raise v.fail(contact, attribute, f"{name!r} was verified after recorded_on")


def _check_birthday(contact: Contact, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, Birthday):
        raise v.fail(contact, attribute, f"must be a Birthday or date, got {type(value).__name__}")
    born = value.date
    if born is not None and contact.recorded_on is not None and born > contact.recorded_on:
        raise v.fail(
            contact,
            attribute,
            f"is in the future ({born.isoformat()} is after {contact.recorded_on.isoformat()})",
        )


class ConsentAction(enum.Enum):
    """What a consent event did: consent given or withdrawn for some channels, or every
    proactive touch refused (an opt-out) or allowed again (an opt-in)."""

    GIVEN = "given"
    WITHDRAWN = "withdrawn"
    OPTED_OUT = "opted_out"
    OPTED_IN = "opted_in"


@attrs.frozen
class ConsentEvent:
    """The evidence of a consent or an opt-out: what happened, on which day, where it
    was learnt (``source``: the file and line, the command, the person), and for which
    channels (GIVEN and WITHDRAWN only).

    >>> from datetime import date
    >>> event = ConsentEvent(date(2027, 1, 4), ConsentAction.GIVEN, "contacts.csv line 7",
    ...                      channels=[Channel.EMAIL])
    >>> sorted(c.value for c in event.channels)
    ['email']
    """

    on: date = attrs.field(validator=v.plain_date)
    action: ConsentAction = attrs.field(validator=v.in_enum(ConsentAction))
    source: str = attrs.field(validator=v.a_name)
    channels: frozenset[Channel] = attrs.field(
        default=frozenset(), converter=_channels, validator=v.each(v.in_enum(Channel))
    )

    def __attrs_post_init__(self) -> None:
        wants = self.action in (ConsentAction.GIVEN, ConsentAction.WITHDRAWN)
        if wants and not self.channels:
            raise InvalidRecord(
                "ConsentEvent", "channels", f"is empty: consent {self.action.value} needs a channel"
            )
        if not wants and self.channels:
            raise InvalidRecord(
                "ConsentEvent",
                "channels",
                f"must be empty: {self.action.value} is for every channel",
            )


@attrs.frozen
class Contact:
    """A contact person of an account.

    ``consents`` lists the channels the contact agreed to be reached on; ``opted_out``
    refuses every proactive touch; ``consent_log`` keeps the evidence of both, oldest first
    (see [`Contact.recording`][accountcare.domain.contacts.Contact.recording]). ``layer``
    defaults from the role (decision makers and champions are key relationships).
    ``recorded_on`` is the day the record was captured: the domain never reads the clock, so
    a birthday is "in the future" when it is after ``recorded_on`` (importers and services
    set it from their clock).

    >>> from datetime import date
    >>> wang = Contact(id="c-1", account_id="acme", name="王伟", role=ContactRole.DECISION_MAKER,
    ...                birthday=date(1980, 2, 29), time_zone="Asia/Shanghai", country="CN",
    ...                channels=[Channel.MESSENGER, Channel.EMAIL], consents=[Channel.EMAIL])
    >>> wang.layer.value, wang.may_contact(Channel.EMAIL), wang.may_contact(Channel.MESSENGER)
    ('key', True, False)
    """

    id: str = attrs.field(validator=v.an_id)
    account_id: str = attrs.field(validator=v.an_id)
    name: str = attrs.field(validator=v.a_name)
    role: ContactRole = attrs.field(default=ContactRole.OTHER, validator=v.in_enum(ContactRole))
    layer: RelationshipLayer = attrs.field(validator=v.in_enum(RelationshipLayer))
    title: str = attrs.field(default="", validator=v.a_line)
    birthday: Birthday | None = attrs.field(
        default=None,
        converter=_birthday,
        validator=_check_birthday,
    )
    time_zone: str = attrs.field(default="UTC", validator=v.time_zone)
    country: str = attrs.field(default="US", validator=v.country_code)
    locale: str = attrs.field(default="en", validator=v.a_name)
    emails: tuple[str, ...] = attrs.field(
        default=(), converter=v.as_tuple, validator=v.each(v.a_name)
    )
    phones: tuple[PhoneNumber, ...] = attrs.field(
        default=(), converter=_phones, validator=v.each(v.typed(PhoneNumber))
    )
    channels: tuple[Channel, ...] = attrs.field(
        default=(), converter=v.as_tuple, validator=v.each(v.in_enum(Channel))
    )
    consents: frozenset[Channel] = attrs.field(
        default=frozenset(), converter=_channels, validator=v.each(v.in_enum(Channel))
    )
    opted_out: bool = attrs.field(default=False, validator=v.typed(bool))
    preferences: tuple[str, ...] = attrs.field(
        default=(), converter=v.as_tuple, validator=v.each(v.a_line)
    )
    hobbies: tuple[str, ...] = attrs.field(
        default=(), converter=v.as_tuple, validator=v.each(v.a_line)
    )
    verified: tuple[tuple[str, date], ...] = attrs.field(
        default=(),
        converter=_verified,
        validator=_check_verified,
    )
    recorded_on: date | None = attrs.field(default=None, validator=v.optional(v.plain_date))
    consent_log: tuple[ConsentEvent, ...] = attrs.field(
        default=(), converter=v.as_tuple, validator=v.each(v.typed(ConsentEvent))
    )

    @layer.default
    def _layer_from_role(self) -> RelationshipLayer:
        return layer_of_role(self.role)

    def may_contact(self, channel: Channel) -> bool:
        """True when the contact has not opted out and consents to ``channel``."""
        return not self.opted_out and channel in self.consents

    @property
    def reachable_channels(self) -> tuple[Channel, ...]:
        """Preferred channels the contact may be contacted on, in order of preference."""
        return tuple(c for c in self.channels if self.may_contact(c))

    def channel_for(self, suitable: Collection[Channel]) -> Channel | None:
        """The first of
        [`reachable_channels`][accountcare.domain.contacts.Contact.reachable_channels] among
        ``suitable``, or None.

        >>> kim = Contact(id="c-2", account_id="acme", name="Kim", consents=[Channel.EMAIL],
        ...               channels=[Channel.PHONE, Channel.MESSENGER, Channel.EMAIL])
        >>> kim.channel_for({Channel.MESSENGER, Channel.EMAIL}).value
        'email'
        >>> kim.channel_for({Channel.PHONE}) is None
        True
        """
        return next((c for c in self.reachable_channels if c in suitable), None)

    def recording(self, event: ConsentEvent) -> Contact:
        """This contact with ``event`` applied to its consents and opt-out, and appended
        to its ``consent_log``: the one way consent changes with its evidence kept.

        >>> from datetime import date
        >>> kim = Contact(id="c-2", account_id="acme", name="Kim")
        >>> kim = kim.recording(ConsentEvent(date(2027, 1, 4), ConsentAction.GIVEN, "form",
        ...                                  channels=[Channel.EMAIL, Channel.SMS]))
        >>> kim = kim.recording(ConsentEvent(date(2027, 2, 1), ConsentAction.OPTED_OUT, "call"))
        >>> kim.opted_out, sorted(c.value for c in kim.consents), len(kim.consent_log)
        (True, ['email', 'sms'], 2)
        """
        consents, opted_out = self.consents, self.opted_out
        if event.action is ConsentAction.GIVEN:
            consents = consents | event.channels
        elif event.action is ConsentAction.WITHDRAWN:
            consents = consents - event.channels
        else:
            opted_out = event.action is ConsentAction.OPTED_OUT
        return attrs.evolve(
            self,
            consents=consents,
            opted_out=opted_out,
            consent_log=(*self.consent_log, event),
        )

    def verified_on(self, field: str) -> date | None:
        """When ``field`` was last verified, or None when it never was."""
        return next((day for name, day in self.verified if name == field), None)
