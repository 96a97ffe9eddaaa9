"""CSV imports of contacts, with a column mapping (accounts and orders: `records_csv`).

Line numbers are the file's own (line 1 is the header; a quoted cell spanning lines counts
its lines), so a user can open the file and find the row. Every bad value of every row is
reported; see `report` for the all-or-nothing rule. The ``id`` and ``account_id``
columns are taken as written (only the spaces around them are dropped), so the domain
refuses an id with a control character instead of the import cleaning it into another.

Besides the mapping's columns, every import reads the lunar birthday, birthday calendar,
consent, opt-out, country, time zone, locale and role columns of
`mappings` when the header has them, and the import's ``account_column`` (the
ERP's customer id), which links each row that has one to that account.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from accountcare.adapters.importers.drafts import (
    CLEANED,
    ContactDraft,
    ImportOptions,
    assemble,
    person_name,
)
from accountcare.adapters.importers.kinds import phone_kind
from accountcare.adapters.importers.mappings import (
    ContactMapping,
    detect_mapping,
    fill,
    numbers_of,
)
from accountcare.adapters.importers.report import ImportFormatError, ImportReport, Problem, finish
from accountcare.adapters.importers.table import Table
from accountcare.adapters.importers.text import Source, decode, one_line, read_bytes

__all__ = ["read_contacts_csv"]


def read_contacts_csv(
    source: Source, mapping: ContactMapping | None = None, *, options: ImportOptions
) -> ImportReport:
    """Contacts (and the accounts their company column names) from a CSV export.

    With no ``mapping`` the header decides
    ([`detect_mapping`][accountcare.adapters.importers.mappings.detect_mapping]).

    >>> from datetime import date
    >>> from accountcare.adapters.importers.mappings import PHONE_EXPORT
    >>> data = "Name,Mobile,Company\\n王伟,138 0013 8000,Acme\\n".encode()
    >>> report = read_contacts_csv(data, PHONE_EXPORT,
    ...     options=ImportOptions(as_of=date(2026, 11, 22), country="CN"))
    >>> [(c.name, c.phones[0].e164) for c in report.contacts]
    [('王伟', '+8613800138000')]
    """
    table = Table(decode(read_bytes(source), options.encoding))
    if mapping is None:
        mapping = detect_mapping(table.header)
        if mapping is None:
            raise ImportFormatError(
                "cannot tell which export wrote this CSV; pass a ContactMapping. Columns found: "
                + ", ".join(repr(h) for h in table.header)
            )
    for spec in mapping.required:
        table.need(spec)
    if options.account_column:
        table.need([options.account_column])
        mapping = attrs.evolve(mapping, account_id=options.account_column)
    draft_of = _contact_reader(table, mapping)
    drafts = [draft_of(line, row, suspect) for line, row, suspect in table.rows()]
    return finish(assemble(drafts, options), keep_good=options.keep_good, source=options.source)


def _contact_reader(
    table: Table, mapping: ContactMapping
) -> Callable[[int, list[str], bool], ContactDraft]:
    """A function making the draft of one row (its file line, its cells, and whether a
    cell may hold a control character: then its one-line texts are cleaned)."""
    header = table.header
    full, given, middle, family = (
        table.find(s) for s in (mapping.full_name, mapping.given, mapping.middle, mapping.family)
    )
    birthday, company, account, title, ident = (
        table.find(s)
        for s in (mapping.birthday, mapping.company, mapping.account_id, mapping.title, mapping.id)
    )
    name_field = header[full] if full is not None else header[given] if given is not None else ""
    birthday_field, company_field, id_field, account_field, title_field = (
        header[at] if at is not None else default
        for at, default in (
            (birthday, "birthday"),
            (company, "company"),
            (ident, "id"),
            (account, "account_id"),
            (title, "title"),
        )
    )
    part_fields = [
        (at, header[at]) for at in (full, given, middle, family, company, title) if at is not None
    ]
    extras = [
        (name, at, header[at])
        for name, spec in (
            ("lunar", mapping.lunar_birthday),
            ("calendar", mapping.birthday_calendar),
            ("country", mapping.country),
            ("time_zone", mapping.time_zone),
            ("locale", mapping.locale),
            ("role", mapping.role),
            ("consent", mapping.consent),
            ("opt_out", mapping.opt_out),
        )
        if (at := table.find(spec)) is not None and at not in (birthday, company, title)
    ]
    phones, emails = _phone_columns(table, mapping), _email_columns(table, mapping)
    separator = mapping.separator
    width = len(header)
    blank = [""] * width
    stripped = [at for at in (birthday, company, title, full, given, middle, family)
                if at is not None]  # fmt: skip
    # Ids are taken as written: only spaces are dropped (see table.id_cell).
    ids = [at for at in (account, ident) if at is not None]
    # A column the file lacks reads the empty cell appended after the header's columns.
    full, given, middle, family, birthday, company, account, title, ident = (
        width if at is None else at
        for at in (full, given, middle, family, birthday, company, account, title, ident)
    )

    def draft(line: int, row: list[str], suspect: bool) -> ContactDraft:
        if len(row) != width:
            row = (row + blank)[:width]
        row.append("")
        for at in stripped:
            row[at] = row[at].strip()
        for at in ids:
            row[at] = row[at].strip(" ")
        warnings: list[Problem] = []
        if suspect:
            _clean(row, line, part_fields, warnings)
        name = row[full] or person_name(row[given], row[middle], row[family])
        found = ContactDraft("line", line, name, name_field, [], [], row[birthday],
                             birthday_field, None, row[company], company_field, row[account],
                             row[title], row[ident], id_field, [], account_field, title_field,
                             warnings)  # fmt: skip
        for what, at, field in extras:
            value = row[at].strip()
            if value:
                _extra(found, what, value, field, row[birthday], birthday_field)
        _add_phones(found, row, phones, separator, suspect)
        for at, field in emails:
            value = row[at]
            if value and not value.isspace():
                found.emails.extend((v.strip(), field) for v in value.split(separator) if v.strip())
        return found

    return draft


# What a birthday calendar column writes for a lunar birthday (anything else: solar).
_LUNAR_WORDS = frozenset(
    {"lunar", "음력", "음", "农历", "農曆", "阴历", "陰曆", "yes", "y", "true", "1", "l"}
)
_SOLAR_WORDS = frozenset(
    {
        "solar",
        "gregorian",
        "양력",
        "양",
        "公历",
        "公曆",
        "阳历",
        "陽曆",
        "no",
        "n",
        "false",
        "0",
        "s",
    }
)


def _extra(
    found: ContactDraft, what: str, value: str, field: str, birthday: str, birthday_field: str
) -> None:
    """One of the cells every mapping reads besides the name, phones and emails."""
    if what == "calendar":
        word = value.casefold()
        if word in _LUNAR_WORDS:
            if birthday and not found.lunar[0]:
                found.lunar, found.birthday = (birthday, birthday_field), ""
        elif word not in _SOLAR_WORDS:
            found.fail(field, "is not lunar or solar (음력/양력, 农历/公历)", value)
    elif what == "consent":
        found.consents.append((value, field))
    else:  # lunar, opt_out, country, time_zone, locale, role: the draft's field of that name
        setattr(found, what, (value, field))


def _clean(
    row: list[str], line: int, fields: list[tuple[int, str]], warnings: list[Problem]
) -> None:
    """The row's name, company and title cells made one line each, with a warning for
    each cell that was cleaned (and stripped again: a cleaned control character may
    have stood before other white space, such as a no-break space)."""
    for at, field in fields:
        value = row[at]
        cleaned = one_line(value)
        if cleaned is not value:
            warnings.append(Problem("line", line, field, CLEANED, value))
            row[at] = cleaned.strip()


def _phone_columns(table: Table, mapping: ContactMapping) -> list[tuple[int, str, str, int | None]]:
    """``(position, column name, kind, position of its label column)`` of each phone
    column, numbered ones (``Phone 1 - Value``, ``Phone 2 - Value``...) included."""
    return [
        (at, table.header[at], column.kind, table.find(fill(column.kind_column, n)))
        for column in mapping.phones
        for n in numbers_of(column.value, table.header)
        if (at := table.find(fill(column.value, n))) is not None
    ]


def _email_columns(table: Table, mapping: ContactMapping) -> list[tuple[int, str]]:
    return [
        (at, table.header[at])
        for spec in mapping.emails
        for n in numbers_of(spec, table.header)
        if (at := table.find(fill(spec, n))) is not None
    ]


def _add_phones(
    found: ContactDraft,
    row: list[str],
    phones: list[tuple[int, str, str, int | None]],
    separator: str,
    suspect: bool,
) -> None:
    """The row's phone numbers, each with its kind (from its label column, if any)."""
    for at, field, kind, kind_at in phones:
        value = row[at]
        if suspect and value:
            value = found.clean(field, value)
        if value and not value.isspace():
            label = row[kind_at] if kind_at is not None else ""
            chosen = phone_kind(label, kind) if label else kind
            if separator in value:
                found.phones.extend(
                    (raw.strip(), chosen, field) for raw in value.split(separator) if raw.strip()
                )
            else:
                found.phones.append((value.strip(), chosen, field))
