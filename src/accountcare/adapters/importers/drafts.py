"""From rows and cards to contacts: checking, normalising and merging duplicates.

Both readers (CSV and vCard) turn each row or card into a :class:`ContactDraft` holding the
raw text and where it came from; :func:`assemble` then checks every draft, collects every
problem, builds :class:`~accountcare.domain.contacts.Contact` values and merges duplicates
(:mod:`.merging`: the same E.164 phone number or email address is the same person).
"""

from __future__ import annotations

import hashlib
import re
from datetime import date

import attrs

from accountcare.adapters.importers.dates import parse_birthday
from accountcare.adapters.importers.merging import People, merge_keys
from accountcare.adapters.importers.phones import PhoneNormaliser
from accountcare.adapters.importers.report import ImportReport, Problem
from accountcare.adapters.importers.text import encoding_name, one_line
from accountcare.domain.accounts import Account
from accountcare.domain.contacts import Birthday, Contact, PhoneNumber
from accountcare.errors import ConfigurationError, InvalidRecord

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


def _region(value: str | None) -> str | None:
    return value.upper() if isinstance(value, str) else value


@attrs.frozen
class ImportOptions:
    """What the file does not say: defaults and the rules of this import.

    ``as_of`` is the day of the import (the domain never reads the clock): it becomes each
    contact's ``recorded_on``, so a birthday after it is an error. ``country`` and
    ``time_zone`` are given to every contact; ``phone_region`` (default: ``country``) is
    assumed for numbers written without ``+``. ``account_id`` is the account of contacts
    whose row names no company. ``keep_good`` turns the all-or-nothing rule off.

    >>> from datetime import date
    >>> ImportOptions(as_of=date(2026, 11, 22), country="KR", time_zone="Asia/Seoul").phone_region
    'KR'
    """

    as_of: date
    country: str = "US"
    time_zone: str = "UTC"
    locale: str = "en"
    phone_region: str | None = attrs.field(default=None, converter=_region)
    account_id: str | None = None
    keep_good: bool = False
    encoding: str | None = None

    def __attrs_post_init__(self) -> None:
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


def account_id_for(company: str) -> str:
    """A stable account id for a company name (same name, any case or spacing: same id).

    >>> account_id_for("Acme  Trading") == account_id_for("acme trading")
    True
    """
    key = " ".join(company.split()).casefold()
    return "a-" + hashlib.blake2b(key.encode(), digest_size=8).hexdigest()


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

    Returns a report that is not yet judged: :func:`~.report.finish` applies the
    all-or-nothing rule.
    """
    phones = PhoneNormaliser(options.phone_region)
    birthdays: dict[tuple[str, int | None], Birthday | str | None] = {}
    problems: list[Problem] = []
    accounts: dict[str, Account] = {}
    people = People(drafts[0].unit if drafts else "line")
    index = people.index
    warnings: list[Problem] = []
    for draft in drafts:
        if draft.warnings:
            warnings.extend(draft.warnings)
        contact = _build(draft, options, phones, accounts, birthdays)
        if contact is None:
            problems.extend(draft.problems)
            continue
        keys = merge_keys(contact)
        hits = [index[k] for k in keys if k in index]
        if hits:
            people.join(contact, draft.number, keys, hits)
        elif _orphan(draft, options) or contact.id in people.ids:
            problems.append(_new_person_problem(draft, contact, people.ids, options))
        else:
            people.start(contact, draft.number, keys)
    alive = people.alive()
    used = {c.account_id for c in alive}
    return ImportReport(
        contacts=tuple(alive),
        accounts=tuple(a for key, a in accounts.items() if key == a.id and a.id in used),
        problems=tuple(problems),
        merges=tuple(people.merges),
        rows=len(drafts),
        warnings=tuple(warnings),
    )


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
    """The draft's contact, or None when the draft has problems (kept on it)."""
    numbers = _numbers(draft, phones)
    mails = _emails(draft)
    birthday = _birthday(draft, birthdays) if draft.birthday else None
    account_id = _account(draft, options, accounts)
    name = draft.name or draft.company or (mails[0] if mails else "")
    if not name and numbers:
        name = numbers[0].raw
    if not name and not draft.problems:
        draft.fail(draft.name_field, "is missing, and there is no company, email or phone")
    if draft.problems:
        return None
    if draft.contact_id:
        contact_id = draft.contact_id
    elif numbers:
        contact_id = _contact_id(numbers[0].e164 or "")
    elif mails:
        contact_id = _contact_id(mails[0].casefold())
    else:
        contact_id = _contact_id(f"{name}|{draft.unit}{draft.number}")
    try:
        return Contact(id=contact_id, account_id=account_id, name=name, title=draft.title,
                       birthday=birthday, time_zone=options.time_zone, country=options.country,
                       locale=options.locale, emails=mails, phones=numbers,
                       recorded_on=options.as_of)  # fmt: skip
    except InvalidRecord as exc:
        fields = {
            "name": draft.name_field,
            "birthday": draft.birthday_field,
            "id": draft.id_field,
            "account_id": draft.account_field,
            "title": draft.title_field,
        }
        draft.fail(fields.get(exc.field, exc.field), exc.problem)
        return None


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
    draft: ContactDraft, birthdays: dict[tuple[str, int | None], Birthday | str | None]
) -> Birthday | None:
    """The draft's birthday, parsed once per distinct text (Birthday values are
    immutable); a bad one fails the draft."""
    key = (draft.birthday, draft.omit_year)
    if key not in birthdays:
        try:
            birthdays[key] = parse_birthday(draft.birthday, draft.omit_year)
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
