"""Fuzzing every importer: random bytes, real exports cut short or mutated, any encoding.

Whatever the bytes, an importer either returns a report of valid records or raises one
of the errors it documents, with a one-line message:

- [`ImportFormatError`][accountcare.adapters.importers.ImportFormatError]: the file
  cannot be read as its format (bad bytes for the encoding, a quote that never closes,
  a card without ``END:VCARD``...);
- [`ImportFailed`][accountcare.adapters.importers.ImportFailed]: some rows or cards are
  bad and ``keep_good`` is off (its report lists them and holds no records).

Nothing else escapes: no ``LookupError``, ``UnicodeError``, ``IndexError``,
``KeyError``, ``RecursionError``, ``decimal`` signal or ``InvalidRecord`` of a half-read
row. The phone normaliser never raises for any text. (A bad ``ImportOptions`` is a
``ConfigurationError`` when it is built; the options here are good.)

The suite runs a bounded number of examples per importer. For a deeper run set
``ACCOUNTCARE_FUZZ_EXAMPLES``::

    ACCOUNTCARE_FUZZ_EXAMPLES=20000 .venv/bin/python -m pytest tests/test_import_fuzz.py
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accountcare.adapters.importers import (
    GOOGLE_CONTACTS,
    GOOGLE_CONTACTS_LEGACY,
    OUTLOOK,
    PHONE_EXPORT,
    ContactMapping,
    ImportFailed,
    ImportFormatError,
    ImportOptions,
    ImportReport,
    PhoneNormaliser,
    read_accounts_csv,
    read_contacts_csv,
    read_orders_csv,
    read_vcards,
)
from accountcare.domain import Account, Contact, Order

pytest.importorskip("phonenumbers")

DATA = Path(__file__).parent / "data" / "imports"
AS_OF = date(2026, 11, 22)
EXAMPLES = int(os.environ.get("ACCOUNTCARE_FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
#: What an importer may raise for any bytes: the documented errors.
DOCUMENTED = (ImportFormatError, ImportFailed)

ENCODINGS = [None, "utf-8", "gb18030", "big5", "cp949", "latin-1", "utf-16", "shift_jis", "utf-7"]

ACCOUNTS = (
    b"id,name,short_name,owner,industry,region,stage,tags,strategic,cooperation_since\n"
    b"acme,Acme Trading,Acme,rep-li,valves,East,customer,key;family,yes,2019-03-01\n"
    b'north,"Northwind, Inc.",,,,,prospect,,no,\n'
    b'hanbit,\xed\x95\x9c\xeb\xb9\x9b,,rep-kim,,Seoul,customer,"a,b",\xec\x98\x88,2020/1/2\n'
)
ORDERS = (
    b"id,account_id,ordered_on,amount,currency,quantity,margin,product,contract_id\n"
    b'o-1,acme,2026-05-04,"1,200.50",CNY,3,300.00,valves,k-1\n'
    b"o-2,acme,2026/6/1,-12.5,USD,1,,refund,\n"
    b"o-3,north,3/1/2026,2500000,KRW,10,1e3,pumps,\n"
)
TOKENS = [
    b'"',
    b'""',
    b",",
    b";",
    b":",
    b"=",
    b"\r",
    b"\n",
    b"\r\n",
    b"\r\n ",
    b"\x00",
    b"\x0b",
    b"\\",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\xc2\x85",
    b"\xe2\x80\xa8",
    b"BEGIN:VCARD\r\n",
    b"END:VCARD\r\n",
    b"CHARSET=hex",
    b"CHARSET=utf-16",
    b";ENCODING=QUOTED-PRINTABLE",
    b"X-APPLE-OMIT-YEAR=99999999999",
    b"1E+999999999",
    b"NaN",
    b"--0229",
    b"+86",
    b" ::: ",
    b"9" * 50,
]


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` with a few bytes changed, inserted (often a token of the format) or cut."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        at = draw(st.integers(min_value=0, max_value=len(data)))
        operation = draw(st.sampled_from(["set", "insert", "token", "delete"]))
        if operation == "set" and at < len(data):
            data[at] = draw(st.integers(min_value=0, max_value=255))
        elif operation == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif operation == "token":
            data[at:at] = draw(st.sampled_from(TOKENS))
        else:
            del data[at : at + draw(st.integers(min_value=1, max_value=40))]
    return bytes(data)


def files(*seeds: bytes) -> st.SearchStrategy[bytes]:
    """Random bytes, and the seed files cut at a random point or mutated."""
    seed = st.sampled_from(seeds)
    return st.one_of(
        st.binary(max_size=600),
        seed.flatmap(lambda s: st.integers(0, len(s)).map(lambda n: s[:n])),
        seed.flatmap(mutated),
    )


def options_for(encoding: str | None, keep_good: bool, country: str = "CN") -> ImportOptions:
    return ImportOptions(
        as_of=AS_OF,
        country=country,
        account_id="personal",
        encoding=encoding,
        keep_good=keep_good,
    )


def read_or_refuse(read: Callable[[], ImportReport]) -> ImportReport | None:
    """The report, or None when the importer refused with a documented one-line error."""
    try:
        return read()
    except DOCUMENTED as refused:
        error: Exception = refused
    message = str(error)
    assert message
    assert "\n" not in message, message
    assert "\r" not in message, message
    if isinstance(error, ImportFailed):
        held = error.report
        assert held.problems
        assert (held.contacts, held.accounts, held.orders) == ((), (), ())
    return None


def assert_valid(report: ImportReport, *, keep_good: bool) -> None:
    """Every record the report holds passes its own checks, names no one twice, and
    is consistent with the rest of the report."""
    records: list[Contact | Account | Order] = [*report.contacts, *report.accounts]
    for record in (*records, *report.orders):
        attrs.validate(record)
    if not keep_good:
        assert report.ok
    for found in (*report.problems, *report.warnings):
        assert found.unit in ("line", "card")
        assert found.number >= 1
        assert "\n" not in str(found)
    ids = [c.id for c in report.contacts]
    assert len(ids) == len(set(ids))
    accounts = {a.id for a in report.accounts} | {"personal"}
    for contact in report.contacts:
        assert contact.account_id in accounts
        for text in (contact.name, contact.title, *(p.raw for p in contact.phones)):
            assert not CONTROLS.search(text), text
        assert all(p.e164 and p.e164[0] == "+" and p.e164[1:].isdigit() for p in contact.phones)
    for account in report.accounts:
        assert not CONTROLS.search(account.name), account.name
    assert len({a.id for a in report.accounts}) == len(report.accounts)
    assert len({o.id for o in report.orders}) == len(report.orders)


def check(read: Callable[[], ImportReport], *, keep_good: bool) -> None:
    report = read_or_refuse(read)
    if report is not None:
        assert_valid(report, keep_good=keep_good)


encodings = st.sampled_from(ENCODINGS)
keep = st.booleans()


def _seed(name: str) -> bytes:
    return (DATA / name).read_bytes()


VCARDS = [_seed(n) for n in ("android_2_1.vcf", "ios_3_0.vcf", "vcard_4_0.vcf")]
CONTACT_CSVS = [
    _seed(n)
    for n in (
        "google_contacts.csv",
        "outlook.csv",
        "phone_export_utf8_bom.csv",
        "phone_export_cp949.csv",
        "phone_export_big5.csv",
    )
]
MAPPINGS: list[ContactMapping | None] = [
    None,
    GOOGLE_CONTACTS,
    GOOGLE_CONTACTS_LEGACY,
    OUTLOOK,
    PHONE_EXPORT,
]


@FUZZ
@given(files(*VCARDS), encodings, keep)
def test_vcards_never_crash(data: bytes, encoding: str | None, keep_good: bool) -> None:
    options = options_for(encoding, keep_good)
    check(lambda: read_vcards(data, options=options), keep_good=keep_good)


@FUZZ
@given(files(*CONTACT_CSVS), st.sampled_from(MAPPINGS), encodings, keep)
def test_contacts_csv_never_crashes(
    data: bytes, mapping: ContactMapping | None, encoding: str | None, keep_good: bool
) -> None:
    options = options_for(encoding, keep_good)
    check(lambda: read_contacts_csv(data, mapping, options=options), keep_good=keep_good)


@FUZZ
@given(files(ACCOUNTS), encodings, keep)
def test_accounts_csv_never_crashes(data: bytes, encoding: str | None, keep_good: bool) -> None:
    options = options_for(encoding, keep_good)
    check(lambda: read_accounts_csv(data, options=options), keep_good=keep_good)


@FUZZ
@given(files(ORDERS), encodings, keep, st.sampled_from(["USD", "CNY", "KRW"]))
def test_orders_csv_never_crashes(
    data: bytes, encoding: str | None, keep_good: bool, currency: str
) -> None:
    options = options_for(encoding, keep_good)
    check(lambda: read_orders_csv(data, options=options, currency=currency), keep_good=keep_good)


REAL_NUMBERS = ["+86 138 0013 8000", "010-1234-5678", "(202) 555-0143", "+82 0000000", "0912345678"]
phone_texts = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="+0123456789 ()-./#*;,extEXT\u00a0\uff10\uff11٣", max_size=30),
    st.sampled_from(REAL_NUMBERS).flatmap(
        lambda s: st.tuples(st.integers(0, len(s)), st.text(max_size=4)).map(
            lambda cut: s[: cut[0]] + cut[1] + s[cut[0] :]
        )
    ),
)


@FUZZ
@given(phone_texts, st.sampled_from(["CN", "KR", "US", "TW", "DE", None]))
def test_phone_normaliser_never_raises(raw: str, region: str | None) -> None:
    e164, why = PhoneNormaliser(region).normalise(raw)
    assert (e164 is None) != (why is None)
    if e164 is not None:
        assert re.fullmatch(r"\+[1-9][0-9]{2,19}", e164), e164  # as phonenumbers writes it
    else:
        assert why
        assert "\n" not in why
