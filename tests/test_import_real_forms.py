"""Real files read right: phone exports and ERP sheets as Shanghai and Seoul teams have them.

Each number says its own country, a contact's country, zone and locale follow it unless
the file says otherwise, CJK dates and lunar birthdays are read as written, consent
comes with its evidence, and the report says which fields the file itself gave.
"""

from __future__ import annotations

import calendar
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accountcare.adapters.importers import (
    ContactMapping,
    ImportFailed,
    ImportFormatError,
    ImportOptions,
    PhoneNormaliser,
    parse_birthday,
    parse_day,
    read_accounts_csv,
    read_contacts_csv,
    read_orders_csv,
    read_vcards,
)
from accountcare.adapters.importers.dates import AMBIGUOUS, parse_lunar
from accountcare.adapters.importers.regions import region_defaults
from accountcare.domain.contacts import (
    BirthdayCalendar,
    Channel,
    ConsentAction,
    ContactRole,
)
from accountcare.errors import ConfigurationError

phonenumbers = pytest.importorskip("phonenumbers")

AS_OF = date(2026, 11, 30)


def _options(**more: object) -> ImportOptions:
    values: dict[str, object] = {"as_of": AS_OF, "country": "CN", "time_zone": "UTC"}
    values.update(more)
    return ImportOptions(**values)  # type: ignore[arg-type]


def _qp(text: str, encoding: str = "utf-8", width: int = 23) -> bytes:
    """Quoted-printable as Android writes it: every byte =XX, a soft break every
    ``width`` bytes of output."""
    coded = "".join(f"={b:02X}" for b in text.encode(encoding))
    lines = [coded[i : i + width] for i in range(0, len(coded), width)]
    return "=\r\n".join(lines).encode("ascii")


# An Android (Samsung) vCard 2.1 export from a Seoul phone: quoted-printable names with
# soft breaks, a Chinese customer dialled through Korea's 001 international prefix, a
# Korean customer written nationally, a lunar birthday event with Samsung's lunar flag.
ANDROID = (
    b"BEGIN:VCARD\r\nVERSION:2.1\r\n"
    b"N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:" + _qp("김") + b";" + _qp("민지") + b";;;\r\n"
    b"FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:" + _qp("김민지") + b"\r\n"
    b"TEL;CELL:010-5555-7777\r\n"
    b"ORG;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:" + _qp("한빛물산") + b"\r\n"
    b"X-ANDROID-CUSTOM:vnd.android.cursor.item/contact_event;--04-15;3;;;;;;;;;;;;;2\r\n"
    b"END:VCARD\r\n"
    b"BEGIN:VCARD\r\nVERSION:2.1\r\n"
    b"N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:" + _qp("王") + b";" + _qp("伟") + b";;;\r\n"
    b"FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:" + _qp("王伟") + b"\r\n"
    b"TEL;CELL:001-86-138-0013-8000\r\n"
    b"ORG:Acme Trading\r\n"
    b"BDAY:1980-03-02\r\n"
    b"X-ANDROID-CUSTOM:vnd.android.cursor.item/contact_event;2018-05-20;1;;;;;;;;;;;;;0\r\n"
    b"END:VCARD\r\n"
)


def test_android_numbers_each_say_their_own_country() -> None:
    report = read_vcards(ANDROID, options=_options(country="KR", time_zone="Asia/Seoul",
                                                   source="phone.vcf"))  # fmt: skip
    kim, wang = report.contacts
    assert (kim.name, kim.phones[0].e164) == ("김민지", "+821055557777")
    assert (kim.country, kim.time_zone, kim.locale) == ("KR", "Asia/Seoul", "ko")
    assert kim.birthday is not None
    assert (kim.birthday.calendar, kim.birthday.leap) == (BirthdayCalendar.KOREAN_LUNAR, True)
    assert (kim.birthday.month, kim.birthday.day, kim.birthday.year) == (4, 15, None)
    assert wang.phones[0].e164 == "+8613800138000"
    assert (wang.country, wang.time_zone, wang.locale) == ("CN", "Asia/Shanghai", "zh-Hans")
    assert wang.birthday is not None
    assert wang.birthday.isoformat() == "1980-03-02"
    # country, zone and locale came from the numbers, not from the file: not provided
    assert report.provided[kim.id] == {"name", "phones", "birthday", "account_id"}
    assert report.provided[wang.id] == {"name", "phones", "birthday", "account_id"}


def test_a_national_number_of_another_country_is_a_problem_not_a_guess() -> None:
    with pytest.raises(ImportFailed) as failed:
        read_vcards(ANDROID, options=_options(country="TW", time_zone="Asia/Taipei"))
    problem, other = failed.value.report.problems
    # 001 is no international prefix in Taiwan: 00186... is then no number at all
    assert (other.number, other.field) == (2, "TEL (line 15)")
    assert (problem.unit, problem.number, problem.field) == ("card", 1, "TEL (line 6)")
    assert problem.value == "010-5555-7777"
    assert "not a valid TW phone number" in problem.problem
    assert "country code" in problem.problem


@pytest.mark.parametrize(
    ("raw", "region", "e164", "country"),
    [
        ("001-86-138-0013-8000", "KR", "+8613800138000", "CN"),  # Korea's 001 prefix
        ("002 886 912 345 678", "KR", "+886912345678", "TW"),  # Korea's 002 prefix
        ("002 82 10 5555 7777", "TW", "+821055557777", "KR"),  # Taiwan's 002 prefix
        ("011 82 10 5555 7777", "US", "+821055557777", "KR"),  # from the US
        ("00852 9123 4567", "CN", "+85291234567", "HK"),
        ("+1 212 555 0100", "KR", "+12125550100", "US"),
    ],
)
def test_international_prefixes_of_the_default_region(
    raw: str, region: str, e164: str, country: str
) -> None:
    phones = PhoneNormaliser(region)
    assert phones.e164(raw) == e164
    assert phones.region_of(e164) == country


def test_a_valid_length_is_not_enough_the_number_must_exist() -> None:
    # +1 555 555 0100 has the length of a US number, but no such exchange is assigned
    problem = PhoneNormaliser("KR").problem("+1 555 555 0100")
    assert problem is not None
    assert "not a valid phone number of +1" in problem


def test_zones_and_locales_of_regions() -> None:
    expected = {
        "KR": ("Asia/Seoul", "ko"),
        "CN": ("Asia/Shanghai", "zh-Hans"),
        "TW": ("Asia/Taipei", "zh-Hant"),
        "HK": ("Asia/Hong_Kong", "zh-Hant"),
        "US": (None, "en"),  # several zones: the import's default stays
        "DE": ("Europe/Berlin", None),  # no template language: the default stays
    }
    for region, (zone, locale) in expected.items():
        found = region_defaults(region)
        assert found is not None
        assert (found.country, found.time_zone, found.locale) == (region, zone, locale)


def test_a_us_number_keeps_the_default_zone_and_the_file_wins_over_the_number() -> None:
    data = (
        b"Name,Mobile,Company,Time Zone,Locale,Country\n"
        b"Ann Lee,+1 415 555 0134,Acme,,,\n"
        b"Kim Minji,+82 10 5555 7777,Acme,Asia/Shanghai,zh_CN,CN\n"
    )
    report = read_contacts_csv(data, options=_options(time_zone="Asia/Seoul", locale="ko"))
    ann, kim = report.contacts
    assert (ann.country, ann.time_zone, ann.locale) == ("US", "Asia/Seoul", "en")
    assert (kim.country, kim.time_zone, kim.locale) == ("CN", "Asia/Shanghai", "zh-Hans")
    assert {"country", "time_zone", "locale"} <= report.provided[kim.id]
    assert not {"country", "time_zone", "locale"} & report.provided[ann.id]


def test_bad_country_and_zone_cells_name_their_line_and_column() -> None:
    data = "Name,Mobile,Company,Country,Time Zone\nA,+82 10 5555 7777,X,Korea,Asia/Nowhere\n"
    with pytest.raises(ImportFailed) as failed:
        read_contacts_csv(data.encode(), options=_options())
    fields = {(p.number, p.field) for p in failed.value.report.problems}
    assert fields == {(2, "Country")}
    data = "Name,Mobile,Company,Time Zone\nA,+82 10 5555 7777,X,Asia/Nowhere\n"
    with pytest.raises(ImportFailed) as failed:
        read_contacts_csv(data.encode(), options=_options())
    assert [(p.number, p.field) for p in failed.value.report.problems] == [(2, "Time Zone")]


# An iPhone vCard 3.0 share: a lunar birthday in iOS's own form, a zone name, a language,
# and the consent properties of this library.
IOS = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iPhone OS 17.5//EN\r\n"
    "N:陈;美玲;;;\r\nFN:陈美玲\r\nORG:台北精密;\r\nTITLE:採購經理\r\n"
    "TEL;type=CELL;type=VOICE;type=pref:0912 345 678\r\n"
    "EMAIL;type=INTERNET;type=WORK:meiling@tpe-precision.example\r\n"
    "BDAY:1985-12-12\r\n"
    "X-ALTBDAY;CALSCALE=chinese:007800021101\r\n"
    "TZ:Asia/Taipei\r\nLANG:zh-TW\r\n"
    "X-ACCOUNTCARE-CONSENT:email,sms\r\n"
    "X-ACCOUNTCARE-OPT-OUT:TRUE\r\n"
    "END:VCARD\r\n"
).encode()


def test_ios_lunar_birthday_zone_language_and_consent() -> None:
    report = read_vcards(IOS, options=_options(country="TW", source="phone.vcf"))
    (chen,) = report.contacts
    assert chen.phones[0].e164 == "+886912345678"
    assert chen.birthday is not None
    assert chen.birthday.calendar is BirthdayCalendar.CHINESE_LUNAR
    assert (chen.birthday.year, chen.birthday.month, chen.birthday.day) == (1985, 11, 1)
    assert (chen.country, chen.time_zone, chen.locale) == ("TW", "Asia/Taipei", "zh-Hant")
    assert chen.consents == {Channel.EMAIL, Channel.SMS}
    assert chen.opted_out
    assert [(e.action, e.source, e.on) for e in chen.consent_log] == [
        (ConsentAction.GIVEN, "phone.vcf card 1", AS_OF),
        (ConsentAction.OPTED_OUT, "phone.vcf card 1", AS_OF),
    ]
    assert report.provided[chen.id] == {
        "name", "title", "birthday", "emails", "phones", "account_id", "time_zone",
        "locale", "consents", "opted_out", "consent_log",
    }  # fmt: skip


def test_vcard_4_calscale_and_android_labelled_lunar_events() -> None:
    data = (
        b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Park Jiho\r\nTEL;VALUE=uri:tel:+82-10-2222-3333\r\n"
        b"BDAY;CALSCALE=chinese:19900201\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Li Na\r\nTEL:+86 139 1234 5678\r\n"
        b"X-ANDROID-CUSTOM:vnd.android.cursor.item/contact_event;--08-15;0;"
        + "农历生日".encode()
        + b";;;;;;;;;;;;\r\nEND:VCARD\r\n"
    )
    park, li = read_vcards(data, options=_options(account_id="personal")).contacts
    assert park.birthday is not None
    assert li.birthday is not None
    assert park.birthday.calendar is BirthdayCalendar.KOREAN_LUNAR  # a Korean contact
    assert (park.birthday.year, park.birthday.month, park.birthday.day) == (1990, 2, 1)
    assert li.birthday.calendar is BirthdayCalendar.CHINESE_LUNAR
    assert (li.birthday.month, li.birthday.day, li.birthday.leap) == (8, 15, False)


def test_a_bad_consent_property_names_the_card_and_property() -> None:
    data = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nX-ACCOUNTCARE-CONSENT:email,fax\r\nEND:VCARD\r\n"
    with pytest.raises(ImportFailed) as failed:
        read_vcards(data, options=_options(account_id="personal"))
    (problem,) = failed.value.report.problems
    assert (problem.number, problem.field) == (1, "X-ACCOUNTCARE-CONSENT (line 4)")
    assert "'fax'" in problem.problem


# A Google Contacts CSV with the columns a Shanghai team adds: lunar birthday, consent,
# opt-out, role. Line 3 is line 2's person again (same email): its consent adds up.
GOOGLE = (
    "First Name,Middle Name,Last Name,Phonetic First Name,Labels,E-mail 1 - Label,"
    "E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value,Organization Name,Organization Title,"
    "Birthday,农历生日,Consent,Opt Out,Role\r\n"
    "伟,,王,,* myContacts,* Work,wang.wei@acme.example,Mobile,138 0013 8000,Acme 贸易,"
    "采购总监,1980年3月2日,腊月廿三,email,否,Decision Maker\r\n"
    "伟,,王,,* myContacts,* Work,wang.wei@acme.example,Work,+86 21 6234 5678,Acme 贸易,,"
    ",,微信,,\r\n"
    "敏,,李,,* myContacts,* Work,li.min@acme.example,Mobile,139 1234 5678,Acme 贸易,,"
    "3月2日,,,是,\r\n"
).encode()


def test_google_csv_lunar_consent_role_and_what_each_contact_provided() -> None:
    report = read_contacts_csv(GOOGLE, options=_options(source="contacts.csv"))
    wang, li = report.contacts
    assert wang.name == "王伟"
    assert wang.role is ContactRole.DECISION_MAKER
    assert wang.birthday is not None
    assert wang.birthday.calendar is BirthdayCalendar.CHINESE_LUNAR
    assert (wang.birthday.month, wang.birthday.day) == (12, 23)
    assert [p.e164 for p in wang.phones] == ["+8613800138000", "+862162345678"]
    assert wang.consents == {Channel.EMAIL, Channel.MESSENGER}
    assert not wang.opted_out
    assert [e.source for e in wang.consent_log] == ["contacts.csv line 2", "contacts.csv line 3"]
    assert report.provided[wang.id] == {
        "name", "title", "birthday", "emails", "phones", "account_id", "role",
        "consents", "consent_log",
    }  # fmt: skip
    assert li.birthday is not None
    assert li.birthday.isoformat() == "--03-02"
    assert li.opted_out
    assert li.consents == frozenset()
    assert [(e.action, e.source) for e in li.consent_log] == [
        (ConsentAction.OPTED_OUT, "contacts.csv line 4")
    ]
    assert "opted_out" in report.provided[li.id]
    assert "title" not in report.provided[li.id]


def test_consent_for_the_whole_file_is_recorded_but_not_provided() -> None:
    report = read_contacts_csv(GOOGLE, options=_options(source="contacts.csv", consent="sms"))
    wang, li = report.contacts
    assert wang.consents == {Channel.EMAIL, Channel.MESSENGER, Channel.SMS}
    assert wang.consent_log[0].source == "contacts.csv (consent for the whole file)"
    assert li.consents == {Channel.SMS}
    assert li.opted_out
    assert "consents" not in report.provided[li.id]


def test_the_consent_option_is_checked() -> None:
    assert _options(consent=[Channel.EMAIL, "sms"]).consent == {Channel.EMAIL, Channel.SMS}
    with pytest.raises(ConfigurationError, match="'fax' is not a channel"):
        _options(consent="email,fax")
    with pytest.raises(ConfigurationError, match="date_order"):
        _options(date_order="DDMM")


def test_bad_opt_out_and_lunar_cells_name_their_line_and_column() -> None:
    data = "Name,Mobile,Company,음력 생일,수신 거부\n홍길동,010-1234-5678,X,13월 1일,maybe\n"
    with pytest.raises(ImportFailed) as failed:
        read_contacts_csv(data.encode(), options=_options(country="KR"))
    found = {(p.number, p.field) for p in failed.value.report.problems}
    assert found == {(2, "음력 생일"), (2, "수신 거부")}


def test_a_korean_sheet_with_a_solar_or_lunar_column() -> None:
    data = (
        "이름,휴대폰,회사,생일,양/음\n"
        "홍길동,010-1234-5678,한빛,1975. 8. 15.,음력\n"
        "이영희,010-2345-6789,한빛,1982년 1월 9일,양력\n"
    ).encode("cp949")
    hong, lee = read_contacts_csv(data, options=_options(country="KR", encoding="cp949")).contacts
    assert hong.birthday is not None
    assert lee.birthday is not None
    assert hong.birthday.calendar is BirthdayCalendar.KOREAN_LUNAR
    assert (hong.birthday.year, hong.birthday.month, hong.birthday.day) == (1975, 8, 15)
    assert lee.birthday.calendar is BirthdayCalendar.GREGORIAN
    assert lee.birthday.isoformat() == "1982-01-09"


# An Outlook CSV written on a machine whose short date is day first.
OUTLOOK = (
    b"First Name,Middle Name,Last Name,Title,Suffix,Nickname,Given Yomi,Surname Yomi,"
    b"E-mail Address,E-mail 2 Address,E-mail 3 Address,Home Phone,Home Phone 2,"
    b"Business Phone,Business Phone 2,Mobile Phone,Car Phone,Other Phone,Primary Phone,"
    b"Pager,Business Fax,Home Fax,Other Fax,Company Main Phone,Callback,Radio Phone,"
    b"Telex,TTY/TDD Phone,IMAddress,Job Title,Department,Company,Office Location,"
    b"Manager's Name,Assistant's Name,Assistant's Phone,Company Yomi,Business Street,"
    b"Business City,Business State,Business Postal Code,Business Country/Region,Birthday\r\n"
    b"Emma,,Clarke,,,,,,emma@clarke.example,,,,,,,+44 7700 123456,,,,,,,,,,,,,,Buyer,,"
    b"Clarke Ltd,,,,,,,,,,,02/03/1980\r\n"
    b"Tom,,Hart,,,,,,tom@hart.example,,,,,,,+44 7400 123456,,,,,,,,,,,,,,Buyer,,"
    b"Clarke Ltd,,,,,,,,,,,13/03/1980\r\n"
)


def test_an_ambiguous_day_month_order_asks_for_the_date_order() -> None:
    with pytest.raises(ImportFailed) as failed:
        read_contacts_csv(OUTLOOK, options=_options())
    (problem,) = failed.value.report.problems
    assert (problem.number, problem.field, problem.value) == (2, "Birthday", "02/03/1980")
    assert problem.problem == AMBIGUOUS
    assert "date order" in problem.problem
    emma, tom = read_contacts_csv(OUTLOOK, options=_options(date_order="DMY")).contacts
    assert emma.birthday is not None
    assert emma.birthday.isoformat() == "1980-03-02"
    assert tom.birthday is not None
    assert tom.birthday.isoformat() == "1980-03-13"
    assert (emma.country, emma.locale) == ("GB", "en")


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("1980年3月2日", "1980-03-02"),
        ("1980年03月02日", "1980-03-02"),
        ("１９８０年３月２日", "1980-03-02"),
        ("1980년 3월 2일", "1980-03-02"),
        ("1980. 3. 2.", "1980-03-02"),
        ("1980.03.02", "1980-03-02"),
        ("1980-3-2", "1980-03-02"),
        ("1980/3/2", "1980-03-02"),
        ("3月2日", "--03-02"),
        ("3월 2일", "--03-02"),
        ("--0302", "--03-02"),
        ("13/03/1980", "1980-03-13"),
        ("3/13/1980", "1980-03-13"),
        ("02.03.1980", "1980-03-02"),  # dotted: day first
    ],
)
def test_birthdays_in_cjk_and_other_forms(text: str, iso: str) -> None:
    birthday = parse_birthday(text)
    assert birthday is not None
    assert birthday.isoformat() == iso


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 12, 31)))
def test_every_written_form_reads_back_the_same_day(day: date) -> None:
    y, m, d = day.year, day.month, day.day
    forms = [f"{y}年{m}月{d}日", f"{y}년 {m}월 {d}일", f"{y}. {m}. {d}.", f"{y}-{m}-{d}",
             f"{y}/{m}/{d}", f"{d:02d}.{m:02d}.{y}"]  # fmt: skip
    for form in forms:
        assert parse_day(form) == day, form
    for order, text in (("DMY", f"{d:02d}/{m:02d}/{y}"), ("MDY", f"{m}/{d}/{y}")):
        assert parse_day(text, order) == day
    slashed = f"{d:02d}/{m:02d}/{y}"
    if d <= 12 and d != m:
        with pytest.raises(ValueError, match="date order"):
            parse_day(slashed)
    else:
        assert parse_day(slashed) == day


@given(st.integers(1, 12), st.integers(1, 30), st.booleans())
def test_lunar_days_read_back_in_every_form(month: int, day: int, leap: bool) -> None:
    mark = "闰" if leap else ""
    korean = "윤" if leap else ""
    for text in (
        f"{mark}{month}月{day}日",
        f"{korean}{month}월 {day}일",
        f"{mark}--{month:02d}{day:02d}",
    ):
        found = parse_lunar(text, BirthdayCalendar.CHINESE_LUNAR)
        assert found is not None
        assert (found.month, found.day, found.leap, found.year) == (month, day, leap, None)


def test_ios_lunar_years_count_from_the_cycle() -> None:
    # iOS writes cycle 78, year 1 for the lunar year that began in 1984
    found = parse_lunar("007800010101", BirthdayCalendar.CHINESE_LUNAR)
    assert found is not None
    assert found.year == 1984
    found = parse_lunar("007700600101", BirthdayCalendar.CHINESE_LUNAR)
    assert found is not None
    assert found.year == 1983


@pytest.mark.parametrize("encoding", ["gb18030", "big5", "cp949", "utf-8", "utf-8-sig"])
def test_csv_in_each_encoding(encoding: str) -> None:
    name = {"gb18030": "王伟", "big5": "許功", "cp949": "홍길동"}.get(encoding, "陈美玲")
    data = f"姓名,手机,公司,生日\n{name},+86 138 0013 8000,Acme,1980年3月2日\n".encode(encoding)
    given_encoding = None if encoding.startswith("utf-8") else encoding
    (contact,) = read_contacts_csv(data, options=_options(encoding=given_encoding)).contacts
    assert contact.name == name
    assert contact.birthday is not None
    assert contact.birthday.isoformat() == "1980-03-02"


@pytest.mark.parametrize("encoding", ["gb18030", "big5", "cp949", "utf-8", "utf-8-sig"])
def test_vcard_in_each_encoding(encoding: str) -> None:
    name = {"gb18030": "王伟", "big5": "許功", "cp949": "홍길동"}.get(encoding, "陈美玲")
    data = f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{name}\r\nTEL:+82 10 1234 5678\r\nEND:VCARD\r\n"
    options = _options(account_id="personal",
                       encoding=None if encoding.startswith("utf-8") else encoding)  # fmt: skip
    (contact,) = read_vcards(data.encode(encoding), options=options).contacts
    assert contact.name == name


def test_a_legacy_encoding_undeclared_asks_for_the_files_encoding() -> None:
    data = "姓名,手机\n王伟,13800138000\n".encode("gb18030")
    with pytest.raises(ImportFormatError) as failed:
        read_contacts_csv(data, options=_options(account_id="personal"))
    assert "give the file's encoding" in str(failed.value)
    assert "encoding=" not in str(failed.value)


def test_contacts_linked_by_the_erp_customer_id_invent_no_account() -> None:
    data = (
        "客户编号,姓名,手机,公司\n"
        "C-1001,王伟,138 0013 8000,Acme 贸易\n"
        ",李敏,139 1234 5678,Acme 贸易\n"
    ).encode()
    report = read_contacts_csv(data, options=_options(account_column="客户编号"))
    wang, li = report.contacts
    assert wang.account_id == "C-1001"
    assert li.account_id != "C-1001"  # no id: its company names its account
    assert [a.name for a in report.accounts] == ["Acme 贸易"]
    with pytest.raises(ImportFormatError, match="Customer No"):
        read_contacts_csv(data, options=_options(account_column="Customer No"))


def test_erp_accounts_and_orders_with_chinese_and_korean_headers() -> None:
    accounts = (
        "客户编号,客户名称,业务员,行业\nC-1001,上海艾克美贸易有限公司,rep-zhang,制造\n"
    ).encode("gb18030")
    (acme,) = read_accounts_csv(accounts, options=_options(encoding="gb18030")).accounts
    assert (acme.id, acme.name, acme.owner, acme.industry) == (
        "C-1001", "上海艾克美贸易有限公司", "rep-zhang", "制造",
    )  # fmt: skip
    orders = (
        "주문번호,거래처코드,주문일자,금액,통화\n"
        'SO-1,K-7,2026. 5. 4.,"1,200,000",KRW\n'
        "SO-2,K-7,2026년 6월 1일,350000,KRW\n"
    ).encode("cp949")
    first, second = read_orders_csv(orders, options=_options(encoding="cp949")).orders
    assert (first.id, first.account_id, first.ordered_on) == ("SO-1", "K-7", date(2026, 5, 4))
    assert str(first.amount) == "1200000"
    assert first.currency == "KRW"
    assert second.ordered_on == date(2026, 6, 1)


def test_erp_headers_match_without_case_and_spaces() -> None:
    data = b"customer  no.,ORDER NO.,order date,AMOUNT\nC-1,O-1,04/05/2026,10\n"
    with pytest.raises(ImportFailed) as failed:
        read_orders_csv(data, options=_options())
    (problem,) = failed.value.report.problems
    assert (problem.field, problem.problem) == ("order date", AMBIGUOUS)
    (order,) = read_orders_csv(data, options=_options(date_order="MDY")).orders
    assert (order.id, order.account_id, order.ordered_on) == ("O-1", "C-1", date(2026, 4, 5))


def test_a_custom_mapping_still_reads_the_extra_columns_unless_told_not_to() -> None:
    data = b"Kontakt,Tel,Firma,Role\nJonas,+49 151 23456789,Weber AG,champion\n"
    mapping = ContactMapping(full_name="Kontakt", phones=["Tel"], company="Firma")
    (jonas,) = read_contacts_csv(data, mapping, options=_options()).contacts
    assert jonas.role is ContactRole.CHAMPION
    assert (jonas.country, jonas.time_zone) == ("DE", "Europe/Berlin")
    mapping = ContactMapping(full_name="Kontakt", phones=["Tel"], company="Firma", role=())
    (jonas,) = read_contacts_csv(data, mapping, options=_options()).contacts
    assert jonas.role is ContactRole.OTHER


def test_the_last_day_of_each_month_reads_in_every_cjk_form() -> None:
    for month in range(1, 13):
        last = calendar.monthrange(1988, month)[1]
        birthday = parse_birthday(f"1988년 {month}월 {last}일")
        assert birthday is not None
        assert (birthday.month, birthday.day) == (month, last)
        with pytest.raises(ValueError, match="not a real day"):
            parse_birthday(f"1987年{month}月{last + 1}日")


REGIONS = ["KR", "CN", "TW", "HK", "MO", "JP", "SG", "US", "GB", "DE", "VN", "AU"]


@given(st.sampled_from(REGIONS), st.sampled_from(["CN", "KR", "US"]))
def test_a_contact_takes_its_country_zone_and_locale_from_its_number(
    region: str, default: str
) -> None:
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    data = f"Name,Mobile,Company\nA,{e164},X\n".encode()
    options = _options(country=default, time_zone="Europe/Paris", locale="fr")
    report = read_contacts_csv(data, options=options)
    (contact,) = report.contacts
    implied = region_defaults(region)
    assert implied is not None
    assert contact.country == region
    assert contact.time_zone == (implied.time_zone or "Europe/Paris")
    assert contact.locale == (implied.locale or "fr")
    assert not {"country", "time_zone", "locale"} & report.provided[contact.id]


@pytest.mark.parametrize("text", ["0078000204L15", "00780002L0415"])
def test_ios_leap_month_marks(text: str) -> None:
    found = parse_lunar(text, BirthdayCalendar.CHINESE_LUNAR)
    assert found is not None
    assert (found.year, found.month, found.day, found.leap) == (1985, 4, 15, True)


def test_origins_point_at_the_row_of_each_record() -> None:
    report = read_contacts_csv(GOOGLE, options=_options())
    wang, li = report.contacts
    assert report.origins[wang.id] == ("line", 2)  # line 3 merged into it
    assert report.origins[li.id] == ("line", 4)
    assert report.origins[wang.account_id] == ("line", 2)
    card = read_vcards(IOS, options=_options(country="TW"))
    assert card.origins[card.contacts[0].id] == ("card", 1)
    orders = "订单号,客户编号,订单日期,金额\nSO-1,C-1,2026-05-04,10\nSO-2,C-1,2026-05-05,20\n"
    report = read_orders_csv(orders.encode(), options=_options())
    assert [report.origins[o.id] for o in report.orders] == [("line", 2), ("line", 3)]
