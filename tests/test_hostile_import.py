"""Hostile import files: codecs that are not charsets, quotes that never close, ids that
carry a line break, names with control characters, amounts no book can sum.

Each test feeds the exact bytes of the attack and asserts the documented answer: a
one-line error naming the line (or card) and the field, nothing stored, or a cleaned value
with a warning.
"""

from __future__ import annotations

import base64
import csv
import io
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from accountcare.adapters.importers import (
    GOOGLE_CONTACTS,
    OUTLOOK,
    PHONE_EXPORT,
    ImportFailed,
    ImportFormatError,
    ImportOptions,
    parse_vcards,
    read_accounts_csv,
    read_contacts_csv,
    read_orders_csv,
    read_vcards,
    write_import,
)
from accountcare.adapters.importers.table import MAX_ROW_CHARS, MAX_ROW_LINES, Table
from accountcare.adapters.importers.text import one_line
from accountcare.adapters.sqlite import SqliteStore
from accountcare.domain import MAX_AMOUNT, MAX_ID_LENGTH
from accountcare.errors import ConfigurationError

pytest.importorskip("phonenumbers")

DATA = Path(__file__).parent / "data" / "imports"
AS_OF = date(2026, 11, 22)
US = ImportOptions(as_of=AS_OF, country="US", account_id="personal")
KEEP = attrs.evolve(US, keep_good=True)
CONTROLS = set(map(chr, [*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029]))
EVIL_ID = "acme\rATTENDEE:mailto:evil@example.com"


# -- codecs that are not character sets -----------------------------------------------

NOT_CHARSETS = [
    "base64",
    "hex",
    "zlib",
    "rot13",
    "uu",
    "undefined",
    "punycode",
    "bz2",
    "quopri",
    "idna",
    "unicode_escape",
]


def _card(fn_line: bytes) -> bytes:
    return (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\n" + fn_line + b"\r\nTEL;CELL:+1 202 555 0143\r\n"
        b"END:VCARD\r\nBEGIN:VCARD\r\nVERSION:2.1\r\nFN:Bob Good\r\n"
        b"TEL;CELL:+1 202 555 0144\r\nEND:VCARD\r\n"
    )


@pytest.mark.parametrize("codec", NOT_CHARSETS)
def test_vcard_charset_that_is_not_a_text_encoding_is_a_problem_of_its_card(codec: str) -> None:
    data = _card(b"FN;CHARSET=" + codec.encode() + b":" + base64.b64encode(b"Kim Minji"))
    with pytest.raises(ImportFailed) as failed:
        read_vcards(data, options=US)
    (problem,) = failed.value.report.problems
    assert (problem.unit, problem.number, problem.field) == ("card", 1, "FN (line 3)")
    assert "not a text encoding" in problem.problem
    assert codec in problem.problem
    assert "\n" not in str(failed.value)
    report = read_vcards(data, options=KEEP)
    assert [c.name for c in report.contacts] == ["Bob Good"]


@pytest.mark.parametrize("codec", NOT_CHARSETS)
def test_encoding_option_that_is_not_a_text_encoding_is_refused_at_once(codec: str) -> None:
    with pytest.raises(ConfigurationError, match=rf"^import option 'encoding': '{codec}' is not"):
        ImportOptions(as_of=AS_OF, encoding=codec)
    with pytest.raises(ConfigurationError, match="not a text encoding"):
        parse_vcards(_card(b"FN:Ann"), encoding=codec)


def test_real_charsets_are_still_accepted() -> None:
    for codec in ("utf-8", "GB2312", "Big5", "EUC-KR", "latin-1", "utf-16", "cp1252"):
        assert ImportOptions(as_of=AS_OF, encoding=codec).encoding == codec
    data = _card("FN;CHARSET=ISO-8859-1:Zoë".encode("latin-1"))
    assert read_vcards(data, options=US).contacts[0].name == "Zoë"


def test_encoding_name_with_a_nul_is_an_unknown_encoding() -> None:
    with pytest.raises(ConfigurationError, match="unknown text encoding"):
        ImportOptions(as_of=AS_OF, encoding="utf\x00-8")
    data = _card(b"FN;CHARSET=utf\x00-8:Ann")
    with pytest.raises(ImportFailed, match="unknown text encoding"):
        read_vcards(data, options=US)


def test_utf16_byte_order_mark_with_broken_bytes_is_a_format_error() -> None:
    data = b"\xff\xfe" + "BEGIN:VCARD\n".encode("utf-16-le") + b"\x00"  # odd length
    with pytest.raises(ImportFormatError, match="not valid UTF-16"):
        read_vcards(data, options=US)


# -- quotes that never close -----------------------------------------------------------

UNCLOSED_CONTACTS = (
    b'Name,Mobile,Company\n"Ann,+12025550143,Acme\nBob,+12025550144,Acme\nCarl,+12025550145,Acme\n'
)


def test_unclosed_quote_in_a_contacts_csv_names_the_line_and_reads_nothing() -> None:
    for options in (US, KEEP):
        with pytest.raises(ImportFormatError) as failed:
            read_contacts_csv(UNCLOSED_CONTACTS, PHONE_EXPORT, options=options)
        message = str(failed.value)
        assert message.startswith("line 2: the quoted cell opened on this line is never closed")
        assert "\n" not in message


def test_unclosed_quote_in_accounts_and_orders_csv_names_the_line() -> None:
    accounts = b'id,name\nacme,Acme\n"north,Northwind\nsouth,Southwind\n'
    with pytest.raises(ImportFormatError, match=r"^line 3: the quoted cell .* never closed"):
        read_accounts_csv(accounts, options=KEEP)
    orders = (
        b"id,account_id,ordered_on,amount\n"
        b'o-1,acme,2026-05-04,"10\n'
        b"o-2,acme,2026-05-05,20\n"
        b"o-3,acme,2026-05-06,30\n"
    )
    with pytest.raises(ImportFormatError, match=r"^line 2: the quoted cell .* never closed"):
        read_orders_csv(orders, options=KEEP)


def test_unclosed_quote_in_the_header_names_line_1() -> None:
    with pytest.raises(ImportFormatError, match=r"^line 1: the quoted cell .* never closed"):
        read_contacts_csv(b'"Name,Mobile\nAnn,+12025550143\n', PHONE_EXPORT, options=US)


def test_a_quote_that_closes_far_away_is_refused_naming_where_it_opened() -> None:
    # A stray quote on line 3 and another on line 3 + MAX_ROW_LINES + 5: every row
    # between would be one cell.
    rows = [f"Person {n},+1 202 555 {n:04d},Acme" for n in range(MAX_ROW_LINES + 10)]
    rows[1] = '"' + rows[1]
    rows[MAX_ROW_LINES + 5] = rows[MAX_ROW_LINES + 5].replace(",Acme", '",Acme')
    data = ("Name,Mobile,Company\n" + "\n".join(rows) + "\n").encode()
    with pytest.raises(ImportFormatError) as failed:
        read_contacts_csv(data, PHONE_EXPORT, options=KEEP)
    assert str(failed.value).startswith("line 3: the quoted cell opened on this line")
    assert f"at most {MAX_ROW_LINES} lines" in str(failed.value)


def test_a_multi_line_cell_of_too_many_characters_is_refused() -> None:
    note = "x" * (MAX_ROW_CHARS // 3)
    data = f'Name,Mobile,Notes,More\nAnn,+1 202 555 0143,"{note}\n{note}","{note}\n{note}"\n'
    with pytest.raises(ImportFormatError, match=r"^line 2: .* characters"):
        read_contacts_csv(data.encode(), PHONE_EXPORT, options=US)
    longest = "x" * (csv.field_size_limit() + 1)
    data = f'Name,Mobile,Notes\nAnn,+1 202 555 0143,"{longest}\n'
    with pytest.raises(ImportFormatError, match=r"^line 2: .* closing quote is probably missing"):
        read_contacts_csv(data.encode(), PHONE_EXPORT, options=US)


def test_a_closing_quote_followed_by_text_is_refused() -> None:
    data = b'Name,Mobile\n"Ann"Lee,+12025550143\n'
    with pytest.raises(ImportFormatError, match=r"^line 2: the row is not valid CSV"):
        read_contacts_csv(data, PHONE_EXPORT, options=US)


def test_multi_line_address_and_notes_cells_still_import() -> None:
    note = "\n".join(f"visit {n}" for n in range(MAX_ROW_LINES - 1))  # MAX_ROW_LINES lines
    data = (
        "Name,Mobile,Company,Address,Notes\n"
        'Ann Lee,+1 202 555 0143,Acme,"12 Main St\nSpringfield, IL 62701\nUSA",""\n'
        f'Bob Roe,+1 202 555 0144,Acme,,"{note}"\n'
        "Carl Poe,+1 202 555 0145,Acme,,\n"
    ).encode()
    report = read_contacts_csv(data, PHONE_EXPORT, options=US)
    assert [c.name for c in report.contacts] == ["Ann Lee", "Bob Roe", "Carl Poe"]
    assert report.ok
    assert report.warnings == ()
    # The Google and Outlook exports' own multi-line cells read as before.
    china = ImportOptions(as_of=AS_OF, country="CN")
    google = read_contacts_csv(DATA / "google_contacts.csv", GOOGLE_CONTACTS, options=china)
    assert google.ok
    assert google.rows == 5
    outlook = read_contacts_csv(DATA / "outlook.csv", OUTLOOK, options=KEEP)
    assert len(outlook.contacts) == 2


GOOGLE_HEADER = (DATA / "google_contacts.csv").read_text(encoding="utf-8").split("\n", 1)[0]


def _google_row(given: str, phone: str, notes: str) -> str:
    """A row of a Google Contacts export: its name, first phone and notes cells."""
    header = GOOGLE_HEADER.split(",")
    cells = [""] * len(header)
    cells[header.index("First Name")] = given
    cells[header.index("Phone 1 - Value")] = phone
    cells[header.index("Notes")] = notes
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    return out.getvalue()


@pytest.mark.parametrize("lines", [150, 2_000])
def test_a_google_export_with_a_long_notes_cell_imports(lines: int) -> None:
    # Notes as reps write them: many short lines, some with a comma or two.
    notes = "\n".join(f"visit {n}: valves, pumps" for n in range(lines))
    data = (
        GOOGLE_HEADER
        + "\n"
        + _google_row("Ann", "+1 202 555 0143", notes)
        + _google_row("Bob", "+1 202 555 0144", "")
    )
    report = read_contacts_csv(data.encode(), GOOGLE_CONTACTS, options=US)
    assert report.ok
    assert [c.name for c in report.contacts] == ["Ann", "Bob"]
    assert report.rows == 2
    bad = data + _google_row("Carl", "12ab", "")  # the next row is on line lines + 3
    with pytest.raises(ImportFailed) as failed:
        read_contacts_csv(bad.encode(), GOOGLE_CONTACTS, options=US)
    assert [(p.number, p.field) for p in failed.value.report.problems] == [
        (lines + 3, "Phone 1 - Value")
    ]


def test_a_quote_that_swallows_rows_of_a_google_export_is_still_refused() -> None:
    rows = [
        _google_row(f"Person {n}", f"+1 202 555 {n:04d}", "") for n in range(MAX_ROW_LINES + 10)
    ]
    rows[0] = rows[0].replace("Person 0", '"Person 0', 1)
    rows[-1] = rows[-1].replace(",", '",', 1)  # the quote closes MAX_ROW_LINES + 9 rows on
    data = (GOOGLE_HEADER + "\n" + "".join(rows)).encode()
    with pytest.raises(ImportFormatError) as failed:
        read_contacts_csv(data, GOOGLE_CONTACTS, options=KEEP)
    message = str(failed.value)
    assert message.startswith("line 2: the quoted cell opened on this line")
    assert "look like rows of the file" in message
    assert "\n" not in message


def test_a_long_note_in_a_small_file_imports_but_swallowed_rows_do_not() -> None:
    # Three columns: a note line is row-like only with two commas in it.
    note = "\n".join(f"visit {n}, valves" for n in range(MAX_ROW_LINES * 3))
    data = f'Name,Mobile,Notes\nAnn,+1 202 555 0143,"{note}"\nBob,+1 202 555 0144,\n'
    report = read_contacts_csv(data.encode(), PHONE_EXPORT, options=US)
    assert [c.name for c in report.contacts] == ["Ann", "Bob"]
    swallowed = "\n".join(f"P{n},+1 202 555 {n:04d},x" for n in range(MAX_ROW_LINES + 1))
    data = f'Name,Mobile,Notes\nAnn,+1 202 555 0143,"{swallowed}"\n'
    with pytest.raises(ImportFormatError, match=r"^line 2: .*look like rows of the file"):
        read_contacts_csv(data.encode(), PHONE_EXPORT, options=US)


@settings(deadline=None, max_examples=60)
@given(
    st.lists(st.sampled_from(["Ann Lee", "王伟", "김민지", "O'Neil"]), min_size=1, max_size=12),
    st.data(),
)
def test_any_row_whose_quote_never_closes_is_refused_at_its_line(
    names: list[str], data: st.DataObject
) -> None:
    at = data.draw(st.integers(min_value=0, max_value=len(names) - 1))
    rows = [f"{name},+1 202 555 {n:04d},Acme" for n, name in enumerate(names)]
    rows[at] = '"' + rows[at]
    text = "Name,Mobile,Company\n" + "\n".join(rows) + data.draw(st.sampled_from(["", "\n"]))
    with pytest.raises(ImportFormatError, match=rf"^line {at + 2}: the quoted cell opened"):
        read_contacts_csv(text.encode(), PHONE_EXPORT, options=KEEP)


# -- line ends ------------------------------------------------------------------------


def test_a_file_with_cr_line_ends_is_read_line_by_line() -> None:
    # Excel's "CSV (Macintosh)": every line ends with CR alone.
    accounts = b"id,name\rnorth,Northwind\racme,Acme\r"
    report = read_accounts_csv(accounts, options=US)
    assert [(a.id, a.name) for a in report.accounts] == [("north", "Northwind"), ("acme", "Acme")]
    contacts = b'Name,Mobile,Company\rAnn,+1 202 555 0143,"Acme\rTrading"\rBob,12ab,Acme\r'
    with pytest.raises(ImportFailed) as failed:
        read_contacts_csv(contacts, PHONE_EXPORT, options=US)
    assert [(p.number, p.field) for p in failed.value.report.problems] == [(4, "Mobile")]
    kept = read_contacts_csv(contacts, PHONE_EXPORT, options=KEEP)
    assert [a.name for a in kept.accounts] == ["Acme Trading"]
    orders = "id,account_id,ordered_on,amount\ro-1,acme,2026-05-04,１０\r".encode()
    assert [o.amount for o in read_orders_csv(orders, options=US).orders] == [Decimal(10)]
    with pytest.raises(ImportFormatError, match=r"^line 3: the bytes at offset"):
        read_accounts_csv(b"id,name\rnorth,Northwind\racme,Ac\xffme\r", options=US)


def test_cr_line_ends_mixed_with_line_feeds_are_named_plainly() -> None:
    data = b"id,name\rnorth,Northwind\nacme,Acme\r"
    with pytest.raises(ImportFormatError) as failed:
        read_accounts_csv(data, options=US)
    message = str(failed.value)
    assert message.startswith("line 1: the file uses CR line ends (old Mac)")
    assert "save it with LF or CRLF line ends" in message
    assert "\n" not in message


# -- tab-delimited files ----------------------------------------------------------------


def test_rows_of_a_tab_delimited_file_are_not_cleaned_for_their_tabs() -> None:
    table = Table("Name\tMobile\nAnn Lee\t+1 202 555 0143\nBob\t+1 202 555 0144\n")
    assert [(line, suspect) for line, _, suspect in table.rows()] == [(2, False), (3, False)]
    assert [s for _, _, s in Table("id,name\nacme,Acme\tTrading\n").rows()] == [True]


def test_control_characters_in_a_tab_delimited_file_are_still_cleaned() -> None:
    data = (
        "Name\tMobile\tCompany\n"
        "Ann\x0bLee\t+1 202 555 0143\tAcme\n"
        '"Bob\tRoe"\t+1 202 555 0144\tAcme\n'
    )
    report = read_contacts_csv(data.encode(), PHONE_EXPORT, options=US)
    assert [c.name for c in report.contacts] == ["Ann Lee", "Bob Roe"]
    assert [(w.number, w.field) for w in report.warnings] == [(2, "Name"), (3, "Name")]


# -- ids at the import boundary --------------------------------------------------------


def test_account_id_with_a_carriage_return_is_refused_naming_line_and_column() -> None:
    data = ('id,name\nnorth,Northwind\n"' + EVIL_ID + '",Acme\n').encode()
    with pytest.raises(ImportFailed) as failed:
        read_accounts_csv(data, options=US)
    (problem,) = failed.value.report.problems
    assert (problem.unit, problem.number, problem.field) == ("line", 3, "id")
    assert failed.value.report.accounts == ()
    renamed = ('No.,Company\n"' + EVIL_ID + '",Acme\n').encode()
    with pytest.raises(ImportFailed) as failed:
        read_accounts_csv(renamed, options=US, columns={"id": "No.", "name": "Company"})
    assert [(p.number, p.field) for p in failed.value.report.problems] == [(2, "No.")]


def test_a_bare_carriage_return_in_an_unquoted_cell_is_a_format_error() -> None:
    data = ("id,name\n" + EVIL_ID + ",Acme\n").encode()
    with pytest.raises(ImportFormatError, match=r"^line 2: .*carriage return"):
        read_accounts_csv(data, options=US)


def test_vcard_uid_with_a_carriage_return_is_refused_naming_card_and_line() -> None:
    data = (
        b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ann Lee\r\nUID:" + EVIL_ID.encode() + b"\r\n"
        b"TEL:+1 202 555 0143\r\nEND:VCARD\r\n"
    )
    with pytest.raises(ImportFailed) as failed:
        read_vcards(data, options=US)
    (problem,) = failed.value.report.problems
    assert (problem.unit, problem.number, problem.field) == ("card", 1, "UID (line 4)")
    assert failed.value.report.contacts == ()


def test_ids_longer_than_the_maximum_are_refused_naming_line_and_field() -> None:
    long_id = "a" * (MAX_ID_LENGTH + 1)
    with pytest.raises(ImportFailed) as failed:
        read_accounts_csv(f"id,name\n{long_id},Acme\n".encode(), options=US)
    assert [(p.number, p.field) for p in failed.value.report.problems] == [(2, "id")]
    card = f"BEGIN:VCARD\nVERSION:4.0\nFN:Ann\nUID:{long_id}\nEND:VCARD\n".encode()
    with pytest.raises(ImportFailed) as failed:
        read_vcards(card, options=US)
    assert [p.field for p in failed.value.report.problems] == ["UID (line 4)"]
    order = f"id,account_id,ordered_on,amount\no-1,{long_id},2026-05-04,10\n".encode()
    with pytest.raises(ImportFailed) as failed:
        read_orders_csv(order, options=US)
    assert [(p.number, p.field) for p in failed.value.report.problems] == [(2, "account_id")]


def test_contact_account_id_column_with_a_control_character_is_refused() -> None:
    data = b'Name,Mobile,Account\nAnn Lee,+12025550143,"acme\x00x"\n'
    mapping = attrs.evolve(PHONE_EXPORT, account_id=("Account",))
    with pytest.raises(ImportFailed) as failed:
        read_contacts_csv(data, mapping, options=US)
    assert [(p.number, p.field) for p in failed.value.report.problems] == [(2, "Account")]


# Ids whose control character or separator sits where str.strip() would remove it.
EDGE_IDS = ["acme\r", "\x1facme", "acme\u2028", "acme\x85"]


def _csv(*rows: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)  # CRLF line ends; a CR in a cell is quoted
    return out.getvalue().encode()


@pytest.mark.parametrize("ident", EDGE_IDS)
def test_an_account_id_is_not_cleaned_into_another_id(ident: str) -> None:
    data = _csv(["id", "name", "owner"], ["north", "Northwind", ""], [ident, "Acme", ""])
    with pytest.raises(ImportFailed) as failed:
        read_accounts_csv(data, options=US)
    assert [(p.number, p.field) for p in failed.value.report.problems] == [(3, "id")]
    assert "control characters" in failed.value.report.problems[0].problem
    assert failed.value.report.accounts == ()
    assert [a.id for a in read_accounts_csv(data, options=KEEP).accounts] == ["north"]
    owned = _csv(["id", "name", "owner"], ["acme", "Acme", ident])
    with pytest.raises(ImportFailed) as failed:
        read_accounts_csv(owned, options=US)
    assert [(p.number, p.field) for p in failed.value.report.problems] == [(2, "owner")]


@pytest.mark.parametrize("ident", EDGE_IDS)
def test_an_order_id_or_account_id_is_not_cleaned_into_another_id(ident: str) -> None:
    head = ["id", "account_id", "ordered_on", "amount", "contract_id"]
    for row, field in (
        ([ident, "acme", "2026-05-04", "10", ""], "id"),
        (["o-1", ident, "2026-05-04", "10", ""], "account_id"),
        (["o-1", "acme", "2026-05-04", "10", ident], "contract_id"),
    ):
        with pytest.raises(ImportFailed) as failed:
            read_orders_csv(_csv(head, ["o-0", "acme", "2026-05-04", "5", ""], row), options=US)
        assert [(p.number, p.field) for p in failed.value.report.problems] == [(3, field)]
        assert failed.value.report.orders == ()


@pytest.mark.parametrize("ident", EDGE_IDS)
def test_a_contact_id_or_account_column_is_not_cleaned_into_another_id(ident: str) -> None:
    mapping = attrs.evolve(PHONE_EXPORT, id=("ID",), account_id=("Account",))
    head = ["Name", "Mobile", "ID", "Account"]
    good = ["Ann Lee", "+12025550143", "c-ann", "acme"]
    for row, field in (
        (["Bob Roe", "+12025550144", ident, "acme"], "ID"),
        (["Bob Roe", "+12025550144", "c-bob", ident], "Account"),
    ):
        with pytest.raises(ImportFailed) as failed:
            read_contacts_csv(_csv(head, good, row), mapping, options=US)
        assert [(p.number, p.field) for p in failed.value.report.problems] == [(3, field)]
        assert failed.value.report.contacts == ()


@pytest.mark.parametrize("ident", [i for i in EDGE_IDS if "\r" not in i])
def test_a_vcard_uid_is_not_cleaned_into_another_id(ident: str) -> None:
    data = f"BEGIN:VCARD\nVERSION:4.0\nFN:Ann\nUID:{ident}\nTEL:+1 202 555 0143\nEND:VCARD\n"
    with pytest.raises(ImportFailed) as failed:
        read_vcards(data.encode(), options=US)
    assert [(p.number, p.field) for p in failed.value.report.problems] == [(1, "UID (line 4)")]


def test_spaces_around_an_id_are_still_dropped() -> None:
    accounts = read_accounts_csv(b"id,name\n  acme ,Acme\n", options=US)
    assert [a.id for a in accounts.accounts] == ["acme"]
    orders = b"id,account_id,ordered_on,amount\n o-1 , acme ,2026-05-04,10\n"
    assert [(o.id, o.account_id) for o in read_orders_csv(orders, options=US).orders] == [
        ("o-1", "acme")
    ]


@settings(deadline=None, max_examples=150)
@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20))
def test_any_id_is_taken_as_written_or_refused_naming_line_and_column(ident: str) -> None:
    report = read_accounts_csv(_csv(["id", "name"], [ident, "Acme"]), options=KEEP)
    if report.accounts:
        assert [a.id for a in report.accounts] == [ident.strip(" ")]
    else:
        assert [(p.number, p.field) for p in report.problems] == [(2, "id")]
    assert report.warnings == ()


# -- names, titles and companies are cleaned, with a warning -------------------------


def test_phone_export_with_a_stray_vertical_tab_imports_with_a_warning() -> None:
    data = "Name,Mobile,Company,Title\nAnn\x0bLee,+1 202 555 0143,Acme\x00 Corp,Head\x85Buyer\n"
    report = read_contacts_csv(data.encode(), PHONE_EXPORT, options=US)
    assert report.ok
    (ann,) = report.contacts
    assert (ann.name, ann.title) == ("Ann Lee", "Head Buyer")
    assert [a.name for a in report.accounts] == ["Acme Corp"]
    assert [(w.number, w.field) for w in report.warnings] == [
        (2, "Name"),
        (2, "Company"),
        (2, "Title"),
    ]
    assert str(report.warnings[0]).startswith("line 2: field 'Name' had control characters")
    assert "'Ann\\x0bLee'" in str(report.warnings[0])
    assert report.summary().endswith("; 3 warnings")


def test_names_split_over_lines_in_a_quoted_cell_are_one_line() -> None:
    data = (
        'First Name,Last Name,Phonetic First Name,Phone 1 - Value\n"Wei\nJr",Wang,,+8613800138000\n'
    )
    report = read_contacts_csv(data.encode(), GOOGLE_CONTACTS, options=US)
    assert [c.name for c in report.contacts] == ["Wei Jr Wang"]
    assert [(w.number, w.field) for w in report.warnings] == [(2, "First Name")]


def test_ideographic_space_and_other_scripts_are_kept_without_a_warning() -> None:
    name = "王\u3000伟 ＡＢＣ 👋 e\u0301 \u1100\u1161"
    data = f"Name,Mobile,Company\n{name},+1 202 555 0143,Acme\n".encode()
    report = read_contacts_csv(data, PHONE_EXPORT, options=US)
    assert report.contacts[0].name == name
    assert report.warnings == ()


def test_vcard_names_titles_companies_and_phones_are_cleaned_with_a_warning() -> None:
    data = (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Kim\x0bMinji\r\nORG:Hanbit\x1fTrading;Sales\r\n"
        b"TITLE:Buyer\\nEast\r\nTEL:+1 202\x00555 0143\r\nEND:VCARD\r\n"
    )
    report = read_vcards(data, options=US)
    (kim,) = report.contacts
    assert (kim.name, kim.title) == ("Kim Minji", "Buyer East")
    assert kim.phones[0].e164 == "+12025550143"
    assert [a.name for a in report.accounts] == ["Hanbit Trading"]
    assert [(w.unit, w.number, w.field) for w in report.warnings] == [
        ("card", 1, "FN (line 3)"),
        ("card", 1, "ORG (line 4)"),
        ("card", 1, "TITLE (line 5)"),
        ("card", 1, "TEL (line 6)"),
    ]


def test_accounts_names_are_cleaned_and_emails_with_controls_refused() -> None:
    accounts = read_accounts_csv(
        b'id,name,industry\nacme,"Acme\r\nTrading",valves\x07\n', options=US
    )
    assert [(a.name, a.industry) for a in accounts.accounts] == [("Acme Trading", "valves")]
    assert [(w.number, w.field) for w in accounts.warnings] == [(2, "name"), (2, "industry")]
    data = b"Name,Mobile,Email,Company\nAnn,+12025550143,ann\x00@example.com,Acme\n"
    with pytest.raises(ImportFailed) as failed:
        read_contacts_csv(data, PHONE_EXPORT, options=US)
    assert [(p.field, p.problem) for p in failed.value.report.problems] == [
        ("Email", "is not an email address")
    ]


names_with_anything = st.text(min_size=1, max_size=30).filter(lambda s: s.strip() != "")


@settings(deadline=None, max_examples=80)
@given(names_with_anything)
@example("\x1b\xa00")  # a control character before a no-break space
def test_any_name_imports_as_one_clean_line_or_is_a_problem_of_its_row(name: str) -> None:
    out = io.StringIO()
    csv.writer(out).writerows([["Name", "Mobile", "Company"], [name, "+1 202 555 0143", "Acme"]])
    report = read_contacts_csv(out.getvalue().encode(), PHONE_EXPORT, options=KEEP)
    for contact in report.contacts:
        assert not CONTROLS & set(contact.name)
        assert contact.name == one_line(name.strip()).strip() or contact.name == "Acme"
    warned = bool(CONTROLS & set(name.strip()))
    assert bool(report.warnings) == warned
    assert all((p.number, p.field) == (2, "Name") for p in (*report.problems, *report.warnings))


# -- amounts no book can sum -----------------------------------------------------------

HUGE_ORDERS = (
    b"id,account_id,ordered_on,amount\n"
    b"o-1,acme,2026-05-04,1200.50\n"
    b"o-2,acme,2026-05-05,1E+999999999\n"
)


def test_an_order_amount_out_of_range_is_refused_naming_line_and_field() -> None:
    with pytest.raises(ImportFailed) as failed:
        read_orders_csv(HUGE_ORDERS, options=US)
    assert [(p.number, p.field) for p in failed.value.report.problems] == [(3, "amount")]
    assert failed.value.report.orders == ()


def test_amounts_that_are_not_numbers_in_ascii_are_refused() -> None:
    data = (
        "id,account_id,ordered_on,amount,quantity\n"
        "o-1,acme,2026-05-04,NaN,1\n"
        "o-2,acme,2026-05-04,Infinity,1\n"
        "o-3,acme,2026-05-04,1_000,1\n"
        "o-4,acme,2026-05-04,١٢٣,1\n"
        "o-5,acme,2026-05-04,10,²\n"
        f"o-6,acme,2026-05-04,10,{'9' * 5000}\n"
    ).encode()
    with pytest.raises(ImportFailed) as failed:
        read_orders_csv(data, options=US)
    assert [(p.number, p.field) for p in failed.value.report.problems] == [
        (2, "amount"),
        (3, "amount"),
        (4, "amount"),
        (5, "amount"),
        (6, "quantity"),
        (7, "quantity"),
    ]


def test_full_width_amounts_and_quantities_are_read() -> None:
    data = (
        "id,account_id,ordered_on,amount,quantity,margin\n"
        "o-1,acme,2026-05-04,１２００．５０,１２,３０\n"
        "o-2,acme,2026-05-04,１，２３４．５０,１,\n"
        "o-3,acme,2026-05-04,－１２．５,\u3000２\u3000,\n"
    ).encode()
    orders = read_orders_csv(data, options=US).orders
    assert [(o.amount, o.quantity, o.margin) for o in orders] == [
        (Decimal("1200.50"), 12, Decimal(30)),
        (Decimal("1234.50"), 1, None),
        (Decimal("-12.5"), 2, None),
    ]


def test_superscript_circled_and_other_scripts_digits_are_still_refused() -> None:
    data = (
        "id,account_id,ordered_on,amount,quantity\n"
        "o-1,acme,2026-05-04,１０,²\n"
        "o-2,acme,2026-05-04,①,1\n"
        "o-3,acme,2026-05-04,１\u00bd,1\n"
        "o-4,acme,2026-05-04,٣,1\n"
    ).encode()
    with pytest.raises(ImportFailed) as failed:
        read_orders_csv(data, options=US)
    assert [(p.number, p.field) for p in failed.value.report.problems] == [
        (2, "quantity"),
        (3, "amount"),
        (4, "amount"),
        (5, "amount"),
    ]


def _wide(text: str) -> str:
    """``text`` with its ASCII characters in their full-width forms."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@settings(deadline=None, max_examples=100)
@given(
    st.decimals(min_value=-MAX_AMOUNT, max_value=MAX_AMOUNT, places=2, allow_nan=False),
    st.integers(min_value=0, max_value=10**15 - 1),
)
def test_an_amount_in_full_width_forms_reads_as_in_ascii(amount: Decimal, quantity: int) -> None:
    head = "id,account_id,ordered_on,amount,quantity\n"
    ascii_row = f"o-1,acme,2026-05-04,{amount},{quantity}\n"
    wide_row = f"o-1,acme,2026-05-04,{_wide(str(amount))},{_wide(str(quantity))}\n"
    (plain,) = read_orders_csv((head + ascii_row).encode(), options=US).orders
    (wide,) = read_orders_csv((head + wide_row).encode(), options=US).orders
    assert (wide.amount, wide.quantity) == (plain.amount, plain.quantity) == (amount, quantity)


def test_a_long_refused_value_is_shown_cut_short() -> None:
    data = f"id,account_id,ordered_on,amount,quantity\no-1,acme,2026-05-04,10,{'9' * 5000}\n"
    with pytest.raises(ImportFailed) as failed:
        read_orders_csv(data.encode(), options=US)
    (problem,) = failed.value.report.problems
    assert problem.value == "9" * 5000  # as the file had it
    assert str(problem).endswith("... (5000 characters))")
    assert len(str(failed.value)) < 400


def test_refused_orders_store_nothing(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "book.db") as store:
        write_import(read_accounts_csv(b"id,name\nacme,Acme\n", options=US), store)
        with pytest.raises(ImportFailed):
            write_import(read_orders_csv(HUGE_ORDERS, options=US), store)
        assert store.orders("acme") == ()


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("ACCOUNTCARE_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "accountcare", "--db", str(db), "--as-of", "2026-11-02", *args],
        cwd=db.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_refuses_a_huge_amount_and_the_book_still_tiers(tmp_path: Path) -> None:
    db = tmp_path / "book.sqlite3"
    (tmp_path / "accounts.csv").write_text("id,name\nacme,Acme\nnorth,Northwind\n")
    (tmp_path / "orders.csv").write_bytes(HUGE_ORDERS)
    assert _cli(db, "import", "accounts", "accounts.csv").returncode == 0
    refused = _cli(db, "import", "orders", "orders.csv")
    assert refused.returncode != 0
    assert "line 3: field 'amount'" in refused.stderr
    assert "Traceback" not in refused.stderr
    with SqliteStore(db) as store:
        assert store.orders("acme") == ()
    tiers = _cli(db, "tier")
    assert tiers.returncode == 0, tiers.stderr
    kept = _cli(db, "import", "orders", "orders.csv", "--keep-good")
    assert kept.returncode == 0, kept.stderr
    with SqliteStore(db) as store:
        assert [o.id for o in store.orders("acme")] == ["o-1"]
    tiers = _cli(db, "tier", "--method", "rank")
    assert tiers.returncode == 0, tiers.stderr
