"""From rows and cards to contacts: checking, normalising and merging duplicates.

Both readers (CSV and vCard) turn each row or card into a `ContactDraft` holding the
raw text and where it came from; `assemble` then checks every draft, collects every
problem, builds [`Contact`][accountcare.domain.contacts.Contact] values and merges duplicates
(`merging`: the same E.164 phone number or email address is the same person).

A contact's country, time zone and locale are the file's (a column, a vCard ``TZ`` or
``LANG``), else those its first phone number's region implies (`regions`), else the
import's defaults. Consent and opt-outs the file records become
[`ConsentEvent`][accountcare.domain.contacts.ConsentEvent] values on the import's day, whose
source names the file and the row or card (``contacts.csv line 7``), recorded with
[`Contact.recording`][accountcare.domain.contacts.Contact.recording] once duplicates are merged.
The report's ``provided`` names, per contact, the fields its rows themselves gave (the
union over a person's rows), never those of the options or those a number implied.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import date

import attrs

from accountcare.adapters.importers.consent import channels_of, yes_or_no
from accountcare.adapters.importers.dates import (
    DATE_ORDERS,
    parse_birthday,
    parse_lunar,
)
from accountcare.adapters.importers.merging import People, merge_keys
from accountcare.adapters.importers.phones import PhoneNormaliser
from accountcare.adapters.importers.regions import locale_of, region_defaults
from accountcare.adapters.importers.report import ImportReport, Problem
from accountcare.adapters.importers.text import encoding_name, one_line
from accountcare.domain.accounts import Account
from accountcare.domain.contacts import (
    Birthday,
    BirthdayCalendar,
    Channel,
    ConsentAction,
    ConsentEvent,
    Contact,
    ContactRole,
    PhoneNumber,
    channels_of_addresses,
)
from accountcare.errors import ConfigurationError, InvalidRecord
from accountcare.policies.identity import person_key

__all__ = [
    "CLEANED",
    "ContactDraft",
    "ImportOptions",
    "account_id_for",
    "assemble",
    "person_name",
]

# No spaces and no control characters anywhere in an address.
_PART = "[^@\\s\\x00-\\x1f\\x7f-\\x9f]+"
_EMAIL = re.compile(f"^{_PART}@{_PART}\\.{_PART}\\Z")
# Hangul Jamo, kana, Hangul compatibility Jamo, CJK ideographs, Hangul syllables.
_CJK = re.compile(
    "[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]"
)
_CHANNEL_NAMES = ", ".join(c.value for c in Channel)


def _region(value: str | None) -> str | None:
    return value.upper() if isinstance(value, str) else value


def _order(value: str | None) -> str | None:
    return value.strip().upper() if isinstance(value, str) else value


def _consent(value: str | Iterable[Channel | str]) -> frozenset[Channel]:
    """The channels of the ``consent`` option: ``"email,sms"`` or channels or their names."""
    words = [value] if isinstance(value, str) else list(value)
    found: set[Channel] = set()
    for word in words:
        if isinstance(word, Channel):
            found.add(word)
            continue
        channels, unknown = channels_of(str(word))
        if unknown:
            raise ConfigurationError(
                f"import option 'consent': {unknown[0]!r} is not a channel ({_CHANNEL_NAMES})"
            )
        found |= channels
    return frozenset(found)


@attrs.frozen
class ImportOptions:
    """What the file does not say: defaults and the rules of this import.

    ``as_of`` is the day of the import (the domain never reads the clock): it becomes each
    contact's ``recorded_on``, so a birthday after it is an error, and the day of the
    consent the file records. ``country``, ``time_zone`` and ``locale`` are the last
    defaults: a contact takes them from the file (a column, a vCard ``TZ`` or ``LANG``),
    else from the region of its first phone number (`regions`), else from these.
    ``phone_region`` (default: ``country``) is assumed only for numbers written in national
    form; a number with ``+`` or an international prefix says its own country.
    ``account_id`` is the account of contacts whose row names no company;
    ``account_column`` names a CSV column holding the account id (the ERP's customer id):
    a row with one links to that account and invents none. ``keep_good`` turns the
    all-or-nothing rule off. ``encoding`` is the file's character set (UTF-8 unless
    given). ``date_order`` (``"DMY"``, ``"MDY"`` or ``"YMD"``) says how to read dates
    written with the year last, such as ``02/03/1980``. ``consent`` lists channels the
    user has every contact's consent for (``"email,sms"``); ``source`` names the file in
    the evidence of consents (``"contacts.csv line 7"``).

    >>> from datetime import date
    >>> options = ImportOptions(as_of=date(2026, 11, 22), country="KR", consent="email,sms")
    >>> options.phone_region, sorted(c.value for c in options.consent)
    ('KR', ['email', 'sms'])
    """

    as_of: date
    country: str = "US"
    time_zone: str = "UTC"
    locale: str = "en"
    phone_region: str | None = attrs.field(default=None, converter=_region)
    account_id: str | None = None
    keep_good: bool = False
    encoding: str | None = None
    date_order: str | None = attrs.field(default=None, converter=_order)
    consent: frozenset[Channel] = attrs.field(factory=frozenset, converter=_consent)
    source: str = ""
    account_column: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.date_order is not None and self.date_order not in DATE_ORDERS:
            raise ConfigurationError(
                f"import option 'date_order' must be DMY, MDY or YMD, got {self.date_order!r}"
            )
        if one_line(self.source) is not self.source:
            raise ConfigurationError(
                "import option 'source' must be one line without control characters"
            )
        if self.phone_region is None:
            object.__setattr__(self, "phone_region", self.country)
        if self.encoding is not None:
            try:  # an unknown encoding fails here, not mid-import
                encoding_name(self.encoding)
            except ConfigurationError as exc:
                raise ConfigurationError(f"import option 'encoding': {exc}") from exc
        try:
            Contact(
                id="probe",
                account_id=self.account_id or "probe",
                name="probe",
                time_zone=self.time_zone,
                country=self.country,
                locale=self.locale,
                recorded_on=self.as_of,
            )
        except InvalidRecord as exc:
            raise ConfigurationError(f"import option {exc.field!r} {exc.problem}") from exc
        if not re.match(r"^[A-Z]{2}$", self.phone_region or ""):
            raise ConfigurationError(
                f"phone_region must be an ISO 3166 alpha-2 code, got {self.phone_region!r}"
            )


@attrs.define
class ContactDraft:
    """One row or card before checking: raw text, and the field each came from."""

    unit: str
    number: int
    name: str = ""
    name_field: str = "name"
    phones: list[tuple[str, str, str]] = attrs.Factory(list)  # (raw, kind, field)
    emails: list[tuple[str, str]] = attrs.Factory(list)  # (address, field)
    birthday: str = ""
    birthday_field: str = "birthday"
    omit_year: int | None = None
    company: str = ""
    company_field: str = "company"
    account_id: str = ""
    title: str = ""
    contact_id: str = ""
    id_field: str = "id"
    problems: list[Problem] = attrs.Factory(list)
    account_field: str = "account_id"
    title_field: str = "title"
    warnings: list[Problem] = attrs.Factory(list)
    # What the file may say besides: (text, field) pairs, ("", "") when it says nothing.
    lunar: tuple[str, str] = ("", "")
    lunar_calendar: BirthdayCalendar | None = None  # None: by the contact's country
    country: tuple[str, str] = ("", "")
    time_zone: tuple[str, str] = ("", "")
    locale: tuple[str, str] = ("", "")
    role: tuple[str, str] = ("", "")
    consents: list[tuple[str, str]] = attrs.Factory(list)
    opt_out: tuple[str, str] = ("", "")
    # The Contact fields the file gave, filled in by assemble.
    provided: set[str] = attrs.Factory(set)
    events: list[ConsentEvent] = attrs.Factory(list)

    def fail(self, field: str, problem: str, value: str = "") -> None:
        self.problems.append(Problem(self.unit, self.number, field, problem, value))

    def clean(self, field: str, text: str) -> str:
        """``text`` as one line (see `one_line`),
        with a warning naming ``field`` when it had to be cleaned."""
        cleaned = one_line(text)
        if cleaned is not text:
            self.warnings.append(Problem(self.unit, self.number, field, CLEANED, text))
        return cleaned


#: The warning of a value cleaned to one line.
CLEANED = "had control characters; each run of them was read as one space"


def person_name(given: str, middle: str, family: str) -> str:
    """A display name from its parts: family first without spaces for Chinese, Japanese
    and Korean names, given-first with spaces otherwise.

    >>> person_name("伟", "", "王"), person_name("민지", "", "김"), person_name("Ann", "B.", "Lee")
    ('王伟', '김민지', 'Ann B. Lee')
    """
    if _CJK.search(family + given):
        return f"{family}{given}"
    return " ".join(part for part in (given, middle, family) if part)


DERIVED_PREFIX = "a-"
"""The prefix of the ids of accounts an import makes from a company name (stand-ins until
an accounts file names the company, which then adopts them)."""


def account_id_for(company: str) -> str:
    """A stable account id for a company name (same name, any case or spacing: same id).

    >>> account_id_for("Acme  Trading") == account_id_for("acme trading")
    True
    """
    key = " ".join(company.split()).casefold()
    return DERIVED_PREFIX + hashlib.blake2b(key.encode(), digest_size=8).hexdigest()


def _contact_id(key: str) -> str:
    return "c-" + hashlib.blake2b(key.encode(), digest_size=8).hexdigest()


# The account a contact is built with while its row names none: such a contact only
# ever joins an earlier one (which has an account) or is a problem, never stored.
_NO_ACCOUNT = "no account"


def _orphan(draft: ContactDraft, options: ImportOptions) -> bool:
    """Whether the draft names no account: no account id, no company, no default."""
    return not (draft.account_id or draft.company or options.account_id)


def assemble(drafts: list[ContactDraft], options: ImportOptions) -> ImportReport:
    """Check every draft, build contacts and accounts, merge duplicates.

    Returns a report that is not yet judged: `finish` applies the
    all-or-nothing rule. Consents are recorded once duplicates are merged, so a later row
    of the same person adds its evidence to the person's log; ``provided`` unites what
    the rows of each person gave.
    """
    phones = PhoneNormaliser(options.phone_region)
    birthdays: dict[tuple[str, int | None], Birthday | str | None] = {}
    problems: list[Problem] = []
    accounts: dict[str, Account] = {}
    people = People(drafts[0].unit if drafts else "line")
    index = people.index
    warnings: list[Problem] = []
    rows: dict[int, ContactDraft] = {}
    created: dict[str, int] = {}
    for draft in drafts:
        warnings.extend(draft.warnings)
        contact = _build(draft, options, phones, accounts, birthdays)
        if contact is None:
            problems.extend(draft.problems)
            continue
        rows[draft.number] = draft
        if contact.account_id in accounts and contact.account_id not in created:
            created[contact.account_id] = draft.number  # the row an account is first named on
        keys = merge_keys(contact)
        hits = [index[k] for k in keys if k in index]
        if hits:
            people.join(contact, draft.number, keys, hits)
        elif _orphan(draft, options) or contact.id in people.ids:
            problems.append(_new_person_problem(draft, contact, people.ids, options))
        else:
            people.start(contact, draft.number, keys)
    alive, provided, origins = _with_evidence(people, rows, options)
    used = {c.account_id for c in alive}
    for key, account in accounts.items():
        if key == account.id and account.id in used:
            origins.setdefault(account.id, (people.unit, created[account.id]))
    return ImportReport(
        contacts=tuple(alive),
        accounts=tuple(a for key, a in accounts.items() if key == a.id and a.id in used),
        problems=tuple(problems),
        merges=tuple(people.merges),
        rows=len(drafts),
        warnings=tuple(warnings),
        provided=provided,
        origins=origins,
    )


def _with_evidence(
    people: People, rows: dict[int, ContactDraft], options: ImportOptions
) -> tuple[list[Contact], dict[str, frozenset[str]], dict[str, tuple[str, int]]]:
    """Each person's contact with the consents of all its rows recorded (the whole
    file's consent first) and, by contact id, the fields its rows provided and the row
    it was first seen on."""
    parent: dict[int, int] = {}

    def root(row: int) -> int:
        while parent.get(row, row) != row:
            row = parent[row]
        return row

    for merge in people.merges:
        parent[root(merge.merged)] = root(merge.kept)
    groups: dict[int, list[int]] = {}
    for row in rows:
        groups.setdefault(root(row), []).append(row)
    whole_file = None
    if options.consent:
        where = f"{options.source} " if options.source else ""
        whole_file = ConsentEvent(
            options.as_of, ConsentAction.GIVEN, f"{where}(consent for the whole file)",
            channels=options.consent,
        )  # fmt: skip
    starts = [row for n, row in enumerate(people.starts) if n not in people.gone]
    out: list[Contact] = []
    provided: dict[str, frozenset[str]] = {}
    origins: dict[str, tuple[str, int]] = {}
    for start, person in zip(starts, people.alive(), strict=True):
        if whole_file is not None:
            person = person.recording(whole_file)
        given: set[str] = set()
        for row in sorted(groups.get(root(start), [start])):
            draft = rows[row]
            for event in draft.events:
                person = person.recording(event)
            given |= draft.provided
        provided[person.id] = frozenset(given)
        origins[person.id] = (people.unit, start)
        out.append(person)
    return out, provided, origins


def _new_person_problem(
    draft: ContactDraft, contact: Contact, ids: dict[str, int], options: ImportOptions
) -> Problem:
    """Why a row that merges into nobody cannot start a new person."""
    if _orphan(draft, options):
        return Problem(
            draft.unit,
            draft.number,
            draft.company_field,
            "is missing: the row names no company and no default account_id was given",
        )
    return Problem(
        draft.unit,
        draft.number,
        draft.id_field,
        f"repeats the id of {draft.unit} {ids[contact.id]}, a different person",
        contact.id,
    )


def _build(
    draft: ContactDraft,
    options: ImportOptions,
    phones: PhoneNormaliser,
    accounts: dict[str, Account],
    birthdays: dict[tuple[str, int | None], Birthday | str | None],
) -> Contact | None:
    """The draft's contact, or None when the draft has problems (kept on it). What the
    file gave is noted on ``draft.provided``, its consents on ``draft.events``."""
    numbers = _numbers(draft, phones)
    mails = _emails(draft)
    birthday = _birthday(draft, birthdays, options.date_order) if draft.birthday else None
    account_id = _account(draft, options, accounts)
    name = draft.name or draft.company or (mails[0] if mails else "")
    if not name and numbers:
        name = numbers[0].raw
    if not name and not draft.problems:
        draft.fail(draft.name_field, "is missing, and there is no company, email or phone")
    country, time_zone, locale = _place(draft, options, phones, numbers)
    if draft.lunar[0]:
        birthday = _lunar_birthday(draft, country) or birthday
    role = _role(draft)
    _consent_events(draft, options)
    if draft.problems:
        return None
    if draft.contact_id:
        contact_id = draft.contact_id
    elif numbers:  # the person and their number: colleagues sharing one get their own
        contact_id = _contact_id(f"{numbers[0].e164}|{person_key(name)}")
    elif mails:
        contact_id = _contact_id(f"{mails[0].casefold()}|{person_key(name)}")
    else:
        contact_id = _contact_id(f"{name}|{draft.unit}{draft.number}")
    try:
        contact = Contact(id=contact_id, account_id=account_id, name=name, title=draft.title,
                          birthday=birthday, time_zone=time_zone, country=country,
                          locale=locale, emails=mails, phones=numbers,
                          channels=channels_of_addresses(mails, numbers),
                          role=role or ContactRole.OTHER, recorded_on=options.as_of)  # fmt: skip
    except InvalidRecord as exc:
        fields = {
            "name": draft.name_field,
            "birthday": draft.lunar[1] if draft.lunar[0] else draft.birthday_field,
            "id": draft.id_field,
            "account_id": draft.account_field,
            "title": draft.title_field,
            "time_zone": draft.time_zone[1] or "time_zone",
            "locale": draft.locale[1] or "locale",
            "country": draft.country[1] or "country",
        }
        draft.fail(fields.get(exc.field, exc.field), exc.problem)
        return None
    for field, value in (("name", draft.name), ("title", draft.title), ("birthday", birthday),
                         ("emails", mails), ("phones", numbers), ("role", role),
                         ("account_id", draft.account_id or draft.company),
                         ("country", draft.country[0]), ("time_zone", draft.time_zone[0]),
                         ("locale", draft.locale[0])):  # fmt: skip
        if value:
            draft.provided.add(field)
    return contact


def _place(
    draft: ContactDraft, options: ImportOptions, phones: PhoneNormaliser, numbers: list[PhoneNumber]
) -> tuple[str, str, str]:
    """The contact's country, time zone and locale: the file's, else those of its first
    phone number's region, else the import's defaults."""
    implied = None
    if numbers and numbers[0].e164:
        region = phones.region_of(numbers[0].e164)
        implied = region_defaults(region) if region else None
    country = draft.country[0].upper()
    if country and not re.match(r"^[A-Z]{2}$", country):
        draft.fail(draft.country[1], "is not an ISO 3166 alpha-2 country code", draft.country[0])
    country = country or (implied.country if implied else options.country)
    zone = draft.time_zone[0] or (implied.time_zone if implied else None) or options.time_zone
    written = locale_of(draft.locale[0]) if draft.locale[0] else ""
    locale = written or (implied.locale if implied else None) or options.locale
    return country, zone, locale


def _lunar_birthday(draft: ContactDraft, country: str) -> Birthday | None:
    """The draft's lunar birthday, in the Korean calendar for a Korean contact and in the
    Chinese one otherwise (unless the file names the calendar)."""
    text, field = draft.lunar
    calendar = draft.lunar_calendar or (
        BirthdayCalendar.KOREAN_LUNAR if country == "KR" else BirthdayCalendar.CHINESE_LUNAR
    )
    try:
        return parse_lunar(text, calendar)
    except ValueError as exc:
        draft.fail(field, str(exc), text)
        return None


_ROLES = {r.value: r for r in ContactRole}


def _role(draft: ContactDraft) -> ContactRole | None:
    text, field = draft.role
    if not text:
        return None
    role = _ROLES.get("_".join(text.casefold().replace("-", " ").split()))
    if role is None:
        draft.fail(field, "is not a role (" + ", ".join(_ROLES) + ")", text)
    return role


def _consent_events(draft: ContactDraft, options: ImportOptions) -> None:
    """The consent and opt-out the draft's own data records, as events on the draft."""
    where = f"{options.source} " if options.source else ""
    source = f"{where}{draft.unit} {draft.number}"
    for text, field in draft.consents:
        channels, unknown = channels_of(text)
        if unknown:
            draft.fail(
                field, f"names {unknown[0]!r}, which is not a channel ({_CHANNEL_NAMES})", text
            )
        elif channels:
            draft.events.append(
                ConsentEvent(options.as_of, ConsentAction.GIVEN, source, channels=channels)
            )
            draft.provided.update(("consents", "consent_log"))
    text, field = draft.opt_out
    if text:
        try:
            refused = yes_or_no(text)
        except ValueError as exc:
            draft.fail(field, str(exc), text)
            return
        if refused:  # a "no" is not an opt-in: it says nothing to undo an opt-out
            draft.events.append(ConsentEvent(options.as_of, ConsentAction.OPTED_OUT, source))
            draft.provided.update(("opted_out", "consent_log"))


# The kinds of a number whose file did not say whether it is a mobile one.
_UNSAID_KINDS = frozenset({"main", "other", ""})


def _numbers(draft: ContactDraft, phones: PhoneNormaliser) -> list[PhoneNumber]:
    """The draft's phone numbers in E.164, each once; the others fail the draft."""
    numbers: list[PhoneNumber] = []
    seen: set[str] = set()
    for raw, kind, field in draft.phones:
        e164, why = phones.normalise(raw)
        if why is not None or e164 is None:
            draft.fail(field, why or "is not a phone number", raw)
        elif e164 not in seen:
            seen.add(e164)
            if kind in _UNSAID_KINDS and phones.is_mobile(e164):
                kind = "mobile"  # a plain "Phone" column holding a mobile number
            numbers.append(PhoneNumber(raw, e164, kind))
    return numbers


def _emails(draft: ContactDraft) -> list[str]:
    """The draft's email addresses, each once whatever its case; the others fail it."""
    mails: list[str] = []
    folded: set[str] = set()
    for address, field in draft.emails:
        if not _EMAIL.match(address):
            draft.fail(field, "is not an email address", address)
        elif address.casefold() not in folded:
            folded.add(address.casefold())
            mails.append(address)
    return mails


def _birthday(
    draft: ContactDraft,
    birthdays: dict[tuple[str, int | None], Birthday | str | None],
    order: str | None,
) -> Birthday | None:
    """The draft's birthday, parsed once per distinct text (Birthday values are
    immutable); a bad one fails the draft."""
    key = (draft.birthday, draft.omit_year)
    if key not in birthdays:
        try:
            birthdays[key] = parse_birthday(draft.birthday, draft.omit_year, order)
        except ValueError as exc:
            birthdays[key] = str(exc)
    found = birthdays[key]
    if isinstance(found, str):
        draft.fail(draft.birthday_field, found, draft.birthday)
        return None
    return found


def _account(draft: ContactDraft, options: ImportOptions, accounts: dict[str, Account]) -> str:
    if draft.account_id:
        return draft.account_id
    if draft.company:
        known = accounts.get(draft.company)  # the same spelling: no hashing again
        if known is not None:
            return known.id
        account_id = account_id_for(draft.company)
        account = accounts.get(account_id)
        if account is None:
            try:
                account = Account(id=account_id, name=" ".join(draft.company.split()))
            except InvalidRecord as exc:
                draft.fail(draft.company_field, exc.problem, draft.company)
                return _NO_ACCOUNT
            accounts[account_id] = account
        accounts[draft.company] = account
        return account_id
    if options.account_id:
        return options.account_id
    return _NO_ACCOUNT  # fine for a duplicate (it joins a contact that has one), else a problem
