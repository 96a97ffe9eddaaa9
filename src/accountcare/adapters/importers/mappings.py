"""Column mappings: which CSV column holds what, with ready ones for real exports.

A mapping names, for each contact field, the column(s) that hold it. A spec is one column
name or a tuple of alternatives (the first one the header has is used). Phone and email
specs may hold ``{n}`` for numbered columns (Google's ``Phone 1 - Value``,
``Phone 2 - Value``...): every number the header has is read. A cell may hold several
values separated by `` ::: `` (Google's multi-value separator).

Ready mappings, from the header rows those tools write:

- `GOOGLE_CONTACTS`: Google Contacts "Google CSV" (``First Name,Middle Name,
  Last Name,Phonetic First Name,...,Labels,E-mail 1 - Label,E-mail 1 - Value,...``).
- `GOOGLE_CONTACTS_LEGACY`: the older Google CSV (``Name,Given Name,Additional
  Name,Family Name,Yomi Name,...,Group Membership,E-mail 1 - Type,E-mail 1 - Value,...``).
- `OUTLOOK`: "Outlook CSV" as Outlook, Outlook.com and Google write it (``First
  Name,Middle Name,Last Name,Title,...,Mobile Phone,...,Company,...``).
- `PHONE_EXPORT`: the short sheets phone apps write (``Name,Phone,Email...``),
  with the Chinese and Korean headers those apps use (姓名/手机, 이름/휴대폰...).

Every mapping also reads, when the header has them, the columns a team adds to such a
sheet: ``Lunar Birthday`` (农历生日, 農曆生日, 음력 생일), a calendar column for the
birthday (``양/음``, ``음력``, 阴阳历: lunar or solar), ``Consent`` (channels, 同意渠道,
수신 동의), ``Opt Out`` (yes/no, 退订, 수신 거부), ``Country``, ``Time Zone``, ``Locale``
and ``Role`` (see the lists below). Header names are compared without case and spaces.

[`detect_mapping`][accountcare.adapters.importers.mappings.detect_mapping] picks one of
them from a header.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import attrs

__all__ = [
    "GOOGLE_CONTACTS",
    "GOOGLE_CONTACTS_LEGACY",
    "OUTLOOK",
    "PHONE_EXPORT",
    "ContactMapping",
    "PhoneColumn",
    "detect_mapping",
]


def _spec(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


@attrs.frozen
class PhoneColumn:
    """A column of phone numbers: its kind is fixed (``"mobile"``) or read from a column."""

    value: tuple[str, ...] = attrs.field(converter=_spec)
    kind: str = "mobile"
    kind_column: tuple[str, ...] = attrs.field(default=(), converter=_spec)


def _phone_columns(values: Sequence[PhoneColumn | str]) -> tuple[PhoneColumn, ...]:
    return tuple(v if isinstance(v, PhoneColumn) else PhoneColumn(v) for v in values)


def _specs(values: Sequence[str | Sequence[str]]) -> tuple[tuple[str, ...], ...]:
    return tuple(_spec(v) for v in values)


#: The columns every mapping reads unless told otherwise (headers are compared without
#: case and spaces): a lunar birthday, ...
LUNAR_BIRTHDAY = ("Lunar Birthday", "Birthday (Lunar)", "农历生日", "農曆生日", "阴历生日",
                  "陰曆生日", "음력 생일", "생일(음력)")  # fmt: skip
#: ... a column saying which calendar the Birthday column is in (lunar: 음력, 农历, lunar,
#: yes; solar: 양력, 公历, solar, no), as Korean address books keep it ...
BIRTHDAY_CALENDAR = ("Birthday Calendar", "Calendar", "양/음", "양/음력", "음/양", "음양력",
                     "음력", "阴阳历", "农历")  # fmt: skip
#: ... the channels the contact consents to (``email;sms``) ...
CONSENT = ("Consent", "Consents", "Consent Channels", "Marketing Consent", "同意渠道",
           "营销同意", "수신 동의", "마케팅 수신 동의")  # fmt: skip
#: ... whether the contact opted out of every proactive touch (yes/no) ...
OPT_OUT = ("Opt Out", "Opt-Out", "Opted Out", "Unsubscribed", "退订", "拒收", "수신 거부")
#: ... the contact's country (ISO 3166 alpha-2), time zone (IANA), locale and role.
COUNTRY = ("Country", "Country Code", "国家", "國家", "국가")
TIME_ZONE = ("Time Zone", "Timezone", "时区", "時區", "시간대")
LOCALE = ("Locale", "Language", "语言", "語言", "언어")
ROLE = ("Role", "角色", "역할")


@attrs.frozen
class ContactMapping:
    """Where each contact field is in a CSV file.

    The name is ``full_name`` when the row has one, else ``family`` and ``given`` (joined
    without a space for Chinese, Japanese and Korean names, given-first with spaces
    otherwise). ``required`` lists specs the header must have (by default the name ones).
    ``lunar_birthday``, ``birthday_calendar``, ``consent``, ``opt_out``, ``country``,
    ``time_zone``, ``locale`` and ``role`` default to the headers of
    `LUNAR_BIRTHDAY` and the lists after it, in English, Chinese and Korean.

    >>> mapping = ContactMapping(full_name="Name", phones=["Mobile"], emails=["Email"],
    ...                          company="Company")
    >>> mapping.required
    (('Name',),)
    """

    full_name: tuple[str, ...] = attrs.field(default=(), converter=_spec)
    given: tuple[str, ...] = attrs.field(default=(), converter=_spec)
    middle: tuple[str, ...] = attrs.field(default=(), converter=_spec)
    family: tuple[str, ...] = attrs.field(default=(), converter=_spec)
    phones: tuple[PhoneColumn, ...] = attrs.field(default=(), converter=_phone_columns)
    emails: tuple[tuple[str, ...], ...] = attrs.field(default=(), converter=_specs)
    birthday: tuple[str, ...] = attrs.field(default=(), converter=_spec)
    company: tuple[str, ...] = attrs.field(default=(), converter=_spec)
    account_id: tuple[str, ...] = attrs.field(default=(), converter=_spec)
    title: tuple[str, ...] = attrs.field(default=(), converter=_spec)
    id: tuple[str, ...] = attrs.field(default=(), converter=_spec)
    lunar_birthday: tuple[str, ...] = attrs.field(default=LUNAR_BIRTHDAY, converter=_spec)
    birthday_calendar: tuple[str, ...] = attrs.field(default=BIRTHDAY_CALENDAR, converter=_spec)
    consent: tuple[str, ...] = attrs.field(default=CONSENT, converter=_spec)
    opt_out: tuple[str, ...] = attrs.field(default=OPT_OUT, converter=_spec)
    country: tuple[str, ...] = attrs.field(default=COUNTRY, converter=_spec)
    time_zone: tuple[str, ...] = attrs.field(default=TIME_ZONE, converter=_spec)
    locale: tuple[str, ...] = attrs.field(default=LOCALE, converter=_spec)
    role: tuple[str, ...] = attrs.field(default=ROLE, converter=_spec)
    required: tuple[tuple[str, ...], ...] = attrs.field(converter=_specs)
    separator: str = " ::: "

    @required.default
    def _name_columns(self) -> tuple[tuple[str, ...], ...]:
        if self.full_name:
            return (self.full_name,)
        return tuple(s for s in (self.given, self.family) if s)


def _numbered(template: str, header: Sequence[str]) -> list[str]:
    """Every ``n`` for which the header has ``template`` with ``{n}`` filled in, in order."""
    pattern = re.compile("^" + re.escape(template).replace(r"\{n\}", r"(\d+)") + "$")
    found = sorted(
        (int(m.group(1)), name) for name in header if (m := pattern.match(name)) is not None
    )
    return [str(n) for n, _ in found]


def numbers_of(spec: tuple[str, ...], header: Sequence[str]) -> list[str]:
    """The numbers ``n`` for which the header has the ``{n}`` spec ([""] for a plain spec)."""
    if not any("{n}" in s for s in spec):
        return [""]
    return list(dict.fromkeys(n for alternative in spec for n in _numbered(alternative, header)))


def fill(spec: tuple[str, ...], n: str) -> tuple[str, ...]:
    """``spec`` with ``{n}`` replaced by ``n``."""
    return tuple(s.replace("{n}", n) for s in spec)


_GOOGLE_PHONES = [PhoneColumn("Phone {n} - Value", kind_column="Phone {n} - Label")]

GOOGLE_CONTACTS = ContactMapping(
    given="First Name",
    middle="Middle Name",
    family="Last Name",
    phones=_GOOGLE_PHONES,
    emails=["E-mail {n} - Value"],
    birthday="Birthday",
    company="Organization Name",
    title="Organization Title",
)

GOOGLE_CONTACTS_LEGACY = ContactMapping(
    full_name="Name",
    given="Given Name",
    middle="Additional Name",
    family="Family Name",
    phones=[PhoneColumn("Phone {n} - Value", kind_column="Phone {n} - Type")],
    emails=["E-mail {n} - Value"],
    birthday="Birthday",
    company="Organization 1 - Name",
    title="Organization 1 - Title",
    required=["Name"],
)

OUTLOOK = ContactMapping(
    given="First Name",
    middle="Middle Name",
    family="Last Name",
    phones=[
        PhoneColumn("Mobile Phone", "mobile"),
        PhoneColumn("Primary Phone", "main"),
        PhoneColumn("Business Phone", "work"),
        PhoneColumn("Business Phone 2", "work"),
        PhoneColumn("Company Main Phone", "work"),
        PhoneColumn("Home Phone", "home"),
        PhoneColumn("Home Phone 2", "home"),
        PhoneColumn("Other Phone", "other"),
        PhoneColumn("Car Phone", "mobile"),
    ],
    emails=["E-mail Address", "E-mail 2 Address", "E-mail 3 Address"],
    birthday="Birthday",
    company="Company",
    title="Job Title",
    required=["First Name", "Last Name"],
)

PHONE_EXPORT = ContactMapping(
    full_name=("Name", "Display Name", "Full Name", "姓名", "名字", "이름"),
    phones=[
        PhoneColumn(("Phone {n}", "Mobile {n}", "电话{n}", "手机{n}", "手機{n}", "전화번호{n}")),
        PhoneColumn(
            ("Mobile", "Mobile Phone", "Cell", "手机", "手机号码", "手機", "휴대폰", "휴대전화")
        ),
        PhoneColumn(
            ("Phone", "Phone Number", "Telephone", "电话", "电话号码", "電話", "전화번호"), "main"
        ),
    ],
    emails=[("Email", "E-mail", "Email Address", "邮箱", "电子邮件", "電子郵件", "이메일")],
    birthday=("Birthday", "生日", "생일"),
    company=("Company", "Organization", "公司", "单位", "單位", "회사"),
    title=("Title", "Job Title", "职位", "職稱", "직책"),
)


def detect_mapping(header: Sequence[str]) -> ContactMapping | None:
    """The ready mapping whose export wrote ``header``, or None.

    >>> detect_mapping(["First Name", "Middle Name", "Last Name", "Phonetic First Name"]) \\
    ...     is GOOGLE_CONTACTS
    True
    """
    names = set(header)
    if {"First Name", "Phonetic First Name"} <= names:
        return GOOGLE_CONTACTS
    if {"Name", "Given Name", "Family Name"} <= names:
        return GOOGLE_CONTACTS_LEGACY
    if {"First Name", "Last Name", "Mobile Phone", "E-mail Address"} <= names:
        return OUTLOOK
    if any(alt in names for alt in PHONE_EXPORT.full_name):
        return PHONE_EXPORT
    return None
