"""CSV imports: real Google, Outlook and phone exports; accounts; orders; bad rows."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accountcare.adapters.importers import (
    GOOGLE_CONTACTS,
    OUTLOOK,
    PHONE_EXPORT,
    ContactMapping,
    ImportFailed,
    ImportFormatError,
    ImportOptions,
    PhoneColumn,
    account_id_for,
    detect_mapping,
    read_accounts_csv,
    read_contacts_csv,
    read_orders_csv,
    write_import,
)
from accountcare.domain.accounts import Account, LifecycleStage
from accountcare.errors import ConfigurationError, InvalidRecord
from accountcare.ports.store import Store

pytest.importorskip("phonenumbers")

DATA = Path(__file__).parent / "data" / "imports"
AS_OF = date(2026, 11, 22)
CN = ImportOptions(as_of=AS_OF, country="CN", time_zone="Asia/Shanghai")


def test_google_contacts_export_reads_names_phones_birthdays_and_companies() -> None:
    report = read_contacts_csv(DATA / "google_contacts.csv", options=CN)
    by_name = {c.name: c for c in report.contacts}
    assert set(by_name) == {"王伟", "김민지", "Sarah O'Neil", "Northwind Traders, Inc."}
    wang = by_name["王伟"]
    assert [p.e164 for p in wang.phones] == ["+8613800138000", "+8613912345678", "+861065528888"]
    assert [p.kind for p in wang.phones] == ["mobile", "mobile", "work"]
    assert wang.birthday is not None
    assert wang.birthday.isoformat() == "1980-02-29"
    assert wang.title == "采购部经理"
    assert wang.recorded_on == AS_OF
    assert wang.time_zone == "Asia/Shanghai"
    kim = by_name["김민지"]
    assert kim.birthday is not None
    assert kim.birthday.isoformat() == "--02-29"
    assert kim.phones[0].e164 == "+821023456789"
    sarah = by_name["Sarah O'Neil"]
    assert sarah.emails == ("Sarah.ONeil@northwind.example", "sarah@oneil.example")
    # A contact with only an email and a company is named by its company.
    orders_desk = by_name["Northwind Traders, Inc."]
    assert orders_desk.account_id == sarah.account_id == account_id_for("Northwind Traders, Inc.")
    assert {a.name for a in report.accounts} == {
        "上海华东贸易有限公司",
        "한빛무역주식회사",
        "Northwind Traders, Inc.",
    }


def test_google_duplicate_by_phone_merges_and_counts_multi_line_cells() -> None:
    report = read_contacts_csv(DATA / "google_contacts.csv", options=CN)
    # The first row's Notes cell spans lines 2-3 and the second row's address lines 4-6,
    # so "Wei Wang" (13800138000, the same mobile as 王伟) is on line 8.
    assert [str(m) for m in report.merges] == [
        "line 8 merged into line 2 (same phone +8613800138000)"
    ]
    wang = next(c for c in report.contacts if c.name == "王伟")
    assert wang.emails == ("wang.wei@example.cn",)  # WANG.WEI@... is the same address
    assert report.rows == 5
    assert report.ok


def test_outlook_export_collects_every_bad_value_and_refuses_by_default() -> None:
    options = ImportOptions(as_of=AS_OF, country="US", time_zone="America/New_York")
    with pytest.raises(ImportFailed) as failed:
        read_contacts_csv(DATA / "outlook.csv", options=options)
    report = failed.value.report
    assert report.contacts == ()
    assert report.accounts == ()
    assert [(p.number, p.field) for p in report.problems] == [
        (4, "Mobile Phone"),
        (4, "Birthday"),
    ]
    assert "30 does not exist in month 2" in str(failed.value)
    assert "keep_good=True" in str(failed.value)


def test_outlook_export_keeps_the_good_rows_when_asked() -> None:
    options = ImportOptions(as_of=AS_OF, country="US", keep_good=True)
    report = read_contacts_csv(DATA / "outlook.csv", OUTLOOK, options=options)
    assert [c.name for c in report.contacts] == ["Hiroshi Tanaka", "Emma Schmidt"]
    hiroshi, emma = report.contacts
    assert hiroshi.birthday is not None
    assert hiroshi.birthday.isoformat() == "1984-02-29"
    assert [p.kind for p in hiroshi.phones] == ["mobile", "work"]
    assert emma.birthday is None  # Outlook writes 0/0/00 for "no birthday"
    assert not report.ok
    assert len(report.problems) == 2


@pytest.mark.parametrize(
    ("name", "encoding", "region", "expected"),
    [
        ("phone_export_utf8_bom.csv", None, "CN", {"王芳": "+8613912345678"}),
        ("phone_export_cp949.csv", "cp949", "KR", {"최윤서": "+821033334444"}),
        ("phone_export_cp949.csv", "EUC-KR", "KR", {"정하늘": "+8225556789"}),
        ("phone_export_big5.csv", "big5", "TW", {"許志明": "+886912345678"}),
    ],
)
def test_phone_exports_in_declared_encodings(
    name: str, encoding: str | None, region: str, expected: dict[str, str]
) -> None:
    options = ImportOptions(as_of=AS_OF, country=region, encoding=encoding)
    report = read_contacts_csv(DATA / name, options=options)
    phones = {c.name: c.phones[0].e164 for c in report.contacts}
    assert expected.items() <= phones.items()


def test_big5_names_with_a_backslash_byte_survive() -> None:
    # 許 is B3 5C and 功 is A5 5C in Big5: the second byte is a backslash.
    options = ImportOptions(as_of=AS_OF, country="TW", encoding="big5")
    report = read_contacts_csv(DATA / "phone_export_big5.csv", options=options)
    assert "許志明" in {c.name for c in report.contacts}
    assert "功學社" in {a.name for a in report.accounts}
    hsu = next(c for c in report.contacts if c.name == "許志明")
    assert hsu.birthday is not None
    assert hsu.birthday.isoformat() == "1982-07-15"


def test_undeclared_legacy_encoding_is_a_clear_error() -> None:
    with pytest.raises(
        ImportFormatError, match=r"line 1: .*not valid utf-8.*give the file.s encoding"
    ):
        read_contacts_csv(DATA / "phone_export_cp949.csv", options=CN)


def test_missing_required_column_names_it_and_lists_the_columns_found() -> None:
    data = "First Name,Phone 1 - Value\n伟,138 0013 8000\n".encode()
    with pytest.raises(ImportFormatError) as failed:
        read_contacts_csv(data, GOOGLE_CONTACTS, options=CN)
    message = str(failed.value)
    assert "'Last Name'" in message
    assert "columns found: 'First Name', 'Phone 1 - Value'" in message


def test_unknown_header_asks_for_a_mapping() -> None:
    with pytest.raises(ImportFormatError, match="pass a ContactMapping"):
        read_contacts_csv(b"who,what\nx,y\n", options=CN)


def test_headers_pick_their_mapping() -> None:
    google = (DATA / "google_contacts.csv").read_text("utf-8").splitlines()[0].split(",")
    outlook = (DATA / "outlook.csv").read_text("utf-8").splitlines()[0].split(",")
    assert detect_mapping(google) is GOOGLE_CONTACTS
    assert detect_mapping(outlook) is OUTLOOK
    assert detect_mapping(["姓名", "手机"]) is PHONE_EXPORT


def test_custom_mapping_with_alternatives_numbered_columns_and_semicolons() -> None:
    mapping = ContactMapping(
        full_name=("Kontakt", "Name"),
        phones=[PhoneColumn("Tel {n}", "work")],
        emails=["Mail"],
        company="Firma",
        birthday="Geburtstag",
    )
    data = (
        "Kontakt;Tel 1;Tel 2;Mail;Firma;Geburtstag\n"
        "Jonas Weber;030 901820;0151 23456789;j@w.de;Weber AG;29.02.1988\n"
    )
    options = ImportOptions(as_of=AS_OF, country="DE", time_zone="Europe/Berlin")
    (jonas,) = read_contacts_csv(data.encode(), mapping, options=options).contacts
    assert [p.e164 for p in jonas.phones] == ["+4930901820", "+4915123456789"]
    assert jonas.birthday is not None
    assert jonas.birthday.isoformat() == "1988-02-29"


def test_row_without_company_needs_a_default_account() -> None:
    data = b"Name,Mobile\nAnn Lee,+1 415 555 0134\n"
    with pytest.raises(ImportFailed, match="no default account_id"):
        read_contacts_csv(data, PHONE_EXPORT, options=CN)
    options = attrs.evolve(CN, account_id="personal")
    (ann,) = read_contacts_csv(data, PHONE_EXPORT, options=options).contacts
    assert ann.account_id == "personal"


def test_birthday_after_the_import_day_is_a_problem() -> None:
    data = b"Name,Mobile,Birthday,Company\nBaby Lee,+1 415 555 0134,2027-01-05,Acme\n"
    with pytest.raises(ImportFailed) as failed:
        read_contacts_csv(data, PHONE_EXPORT, options=CN)
    (problem,) = failed.value.report.problems
    assert (problem.number, problem.field) == (2, "Birthday")
    assert "future" in problem.problem


def test_bad_options_are_configuration_errors() -> None:
    with pytest.raises(ConfigurationError, match="time_zone"):
        ImportOptions(as_of=AS_OF, time_zone="Mars/Olympus")
    with pytest.raises(ConfigurationError, match="country"):
        ImportOptions(as_of=AS_OF, country="Korea")
    with pytest.raises(ConfigurationError, match="phone_region"):
        ImportOptions(as_of=AS_OF, phone_region="Korea")
    with pytest.raises(ConfigurationError, match="encoding"):
        ImportOptions(as_of=AS_OF, encoding="klingon-8")


ORDERS = b"""id,account_id,ordered_on,amount,currency,quantity,margin,product
o-1,acme,2026-05-04,"1,200.50",CNY,3,300.00,valves
o-2,acme,2027-02-30,100.00,CNY,1,,valves
o-3,,2026-05-06,abc,XYZ,-2,,pumps
o-1,acme,2026-05-07,10,USD,1,,pumps
o-5,hanbit,2026/6/1,2500000,KRW,1,,pumps
"""


def test_orders_report_every_bad_row_with_line_and_field() -> None:
    with pytest.raises(ImportFailed) as failed:
        read_orders_csv(ORDERS, options=CN)
    problems = [(p.number, p.field) for p in failed.value.report.problems]
    assert problems == [
        (3, "ordered_on"),
        (4, "account_id"),
        (4, "amount"),
        (4, "currency"),
        (4, "quantity"),
        (5, "id"),
    ]
    assert failed.value.report.orders == ()


def test_orders_keep_good_reads_decimal_money() -> None:
    report = read_orders_csv(ORDERS, options=attrs.evolve(CN, keep_good=True))
    assert [o.id for o in report.orders] == ["o-1", "o-5"]
    first, second = report.orders
    assert first.amount == Decimal("1200.50")
    assert first.margin == Decimal("300.00")
    assert (first.quantity, first.currency) == (3, "CNY")
    assert second.ordered_on == date(2026, 6, 1)
    assert second.currency == "KRW"


def test_orders_missing_column_and_renamed_columns() -> None:
    with pytest.raises(ImportFormatError, match="'amount'"):
        read_orders_csv(b"id,account_id,ordered_on\no-1,a,2026-01-01\n", options=CN)
    data = b"No.,Customer,Date,Total\n17,acme,2026-01-02,99.90\n"
    columns = {"id": "No.", "account_id": "Customer", "ordered_on": "Date", "amount": "Total"}
    report = read_orders_csv(data, options=CN, columns=columns, currency="EUR")
    assert report.orders[0].amount == Decimal("99.90")
    assert report.orders[0].currency == "EUR"


def test_accounts_csv() -> None:
    data = (
        b"id,name,owner,stage,tags,strategic,cooperation_since\n"
        b"acme,Acme Trading,rep-li,customer,important customer;family,yes,2019-03-01\n"
        b"north,Northwind,,prospect,,no,\n"
        b",Nameless,,unknown,,maybe,2019-02-30\n"
    )
    with pytest.raises(ImportFailed) as failed:
        read_accounts_csv(data, options=CN)
    assert [(p.number, p.field) for p in failed.value.report.problems] == [
        (4, "id"),
        (4, "stage"),
        (4, "strategic"),
        (4, "cooperation_since"),
    ]
    report = read_accounts_csv(data, options=attrs.evolve(CN, keep_good=True))
    acme, north = report.accounts
    assert acme.tags == frozenset({"important customer", "family"})
    assert acme.strategic
    assert acme.cooperation_since == date(2019, 3, 1)
    assert acme.owner == "rep-li"
    assert north.stage is LifecycleStage.PROSPECT
    assert not north.strategic


# -- laws ---------------------------------------------------------------------------------

GOOD_PHONES = [f"+86 139 {n:04d} {n:04d}" for n in range(40)]
BAD_PHONES = ["12", "call me", "+999 1234"]


def _csv(rows: list[tuple[str, str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Name", "Mobile", "Email", "Company"])
    for name, phone, email in rows:
        writer.writerow([name, phone, email, "Acme"])
    return out.getvalue().encode()


rows_strategy = st.lists(
    st.tuples(
        st.sampled_from(["王伟", "김민지", "Ann Lee"]),
        st.sampled_from(GOOD_PHONES[:8] + BAD_PHONES),
        st.sampled_from(["", "a@x.example", "A@X.example", "b@x.example"]),
    ),
    min_size=1,
    max_size=25,
)


@settings(deadline=None)
@given(rows_strategy)
def test_every_bad_row_is_reported_with_its_line(rows: list[tuple[str, str, str]]) -> None:
    options = ImportOptions(as_of=AS_OF, country="CN", keep_good=True)
    report = read_contacts_csv(_csv(rows), PHONE_EXPORT, options=options)
    bad_lines = {n + 2 for n, (_, phone, _) in enumerate(rows) if phone in BAD_PHONES}
    assert {p.number for p in report.problems} == bad_lines
    assert all(p.field == "Mobile" for p in report.problems)


@settings(deadline=None)
@given(rows_strategy)
def test_import_is_all_or_nothing(rows: list[tuple[str, str, str]]) -> None:
    data = _csv(rows)
    if any(phone in BAD_PHONES for _, phone, _ in rows):
        with pytest.raises(ImportFailed) as failed:
            read_contacts_csv(data, PHONE_EXPORT, options=CN)
        assert failed.value.report.contacts == ()
        assert failed.value.report.accounts == ()
    else:
        assert read_contacts_csv(data, PHONE_EXPORT, options=CN).ok


@settings(deadline=None)
@given(rows_strategy)
def test_no_two_contacts_share_a_mobile_number(rows: list[tuple[str, str, str]]) -> None:
    options = ImportOptions(as_of=AS_OF, country="CN", keep_good=True)
    report = read_contacts_csv(_csv(rows), PHONE_EXPORT, options=options)
    mobiles = [p.e164 for c in report.contacts for p in c.phones]
    assert len(mobiles) == len(set(mobiles))  # a mobile number is one person's
    good_rows = sum(1 for _, phone, _ in rows if phone not in BAD_PHONES)
    assert len(report.contacts) + len(report.merges) == good_rows
    assert len({c.id for c in report.contacts}) == len(report.contacts)


@settings(deadline=None)
@given(rows_strategy, st.randoms(use_true_random=False))
def test_merged_people_do_not_depend_on_row_order(rows: list[tuple[str, str, str]], rnd) -> None:  # type: ignore[no-untyped-def]
    options = ImportOptions(as_of=AS_OF, country="CN", keep_good=True)
    shuffled = list(rows)
    rnd.shuffle(shuffled)

    def people(data: list[tuple[str, str, str]]) -> set[frozenset[str]]:
        report = read_contacts_csv(_csv(data), PHONE_EXPORT, options=options)
        return {
            frozenset([p.e164 or "" for p in c.phones] + [e.casefold() for e in c.emails])
            for c in report.contacts
        }

    assert people(rows) == people(shuffled)


# -- storing ------------------------------------------------------------------------------


def _stores(tmp_path: Path) -> list[Store]:
    from accountcare.adapters.memory import MemoryStore
    from accountcare.adapters.sqlite import SqliteStore

    return [MemoryStore(), SqliteStore(tmp_path / "import.db", durable=False)]


def test_import_is_written_in_one_batch_and_reads_back_equal(tmp_path: Path) -> None:
    report = read_contacts_csv(DATA / "google_contacts.csv", options=CN)
    for store in _stores(tmp_path):
        write_import(report, store)
        write_import(report, store)  # the same export again: same ids, nothing doubles
        stored = {c.id: c for a in store.accounts() for c in store.contacts(a.id)}
        assert stored == {c.id: c for c in report.contacts}
        assert {a.id for a in store.accounts()} == {a.id for a in report.accounts}


def test_report_with_problems_is_stored_only_when_asked(tmp_path: Path) -> None:
    options = ImportOptions(as_of=AS_OF, country="US", keep_good=True)
    report = read_contacts_csv(DATA / "outlook.csv", OUTLOOK, options=options)
    for store in _stores(tmp_path):
        with pytest.raises(ImportFailed):
            write_import(report, store)
        assert store.accounts() == ()
        write_import(report, store, keep_good=True)
        assert len(store.accounts()) == 2


def test_default_account_goes_in_the_same_batch(tmp_path: Path) -> None:
    options = attrs.evolve(CN, account_id="personal")
    data = b"Name,Mobile\nAnn Lee,+1 415 555 0134\n"
    report = read_contacts_csv(data, PHONE_EXPORT, options=options)
    for store in _stores(tmp_path):
        with pytest.raises(InvalidRecord):
            write_import(report, store)  # "personal" is not stored: nothing is written
        assert store.contact(report.contacts[0].id) is None
        write_import(report, store, accounts=[Account(id="personal", name="My contacts")])
        assert store.contact(report.contacts[0].id) == report.contacts[0]


def test_colleagues_sharing_a_desk_number_or_an_address_stay_two_people() -> None:
    data = (
        "Name,Phone,Email,Company\n"
        "王伟,021 6485 2000,info@huadong.example,上海华东电子\n"
        "李强,021 6485 2000,info@huadong.example,上海华东电子\n"
        "王 伟,021 6485 2000,,上海华东电子\n"
    ).encode()
    report = read_contacts_csv(data, options=CN)
    assert sorted(c.name for c in report.contacts) == ["李强", "王伟"]
    assert [str(m) for m in report.merges] == [
        "line 4 merged into line 2 (same phone +862164852000)"
    ]
    assert all(p.kind != "mobile" for c in report.contacts for p in c.phones)
