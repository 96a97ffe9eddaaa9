"""Every message a customer or a rep reads, as they read it: golden files of each kind in
each built-in locale, and of each holiday's greeting and gift in the locales of the
country's contacts, rendered from fixed contacts, accounts, reps and company.

``tests/golden/messages/<locale>/<name>.txt`` holds one message: its sender, subject and
text. The files are written from :func:`_cases`, only when asked::

    ACCOUNTCARE_WRITE_GOLDEN=1 pytest tests/test_messages_golden.py

Do that after changing a template or a name on purpose, then read every changed file as
its recipient would; never to make a failing check pass.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accountcare.domain import Account, Channel, Contact
from accountcare.domain.activity import Complaint, ComplaintSeverity, Order
from accountcare.domain.book import Book
from accountcare.domain.care import CareKind, CareTask
from accountcare.domain.care_rules import DEFAULT_CARE_RULES, OCCASION_RULE, ExtraHoliday
from accountcare.domain.contacts import PhoneNumber
from accountcare.domain.messages import Message
from accountcare.domain.team import Company, Rep
from accountcare.policies.care._templates_builtin import BUILTIN
from accountcare.policies.care.holiday_greetings import (
    GREETING_CATALOGUE,
    GreetingDay,
    greeting_days,
    holiday_name,
)
from accountcare.policies.care.schedule import schedule_care
from accountcare.policies.care.templates import (
    LOCALES,
    PLACEHOLDERS,
    TemplateBook,
    default_templates,
    listed,
    sender,
    signature,
)
from accountcare.services.messages import renderer

GOLDEN = Path(__file__).parent / "golden" / "messages"
DOCS = Path(__file__).parent.parent / "docs"
YEAR = 2027

COMPANY = Company(
    "Globex Trading", names={"zh-Hans": "环球贸易", "zh-Hant": "環球貿易", "ko": "글로벡스"}
)
REPS = (
    Rep(id="rep-carter", name="Emily Carter", email="emily.carter@globex.example"),
    Rep(id="rep-li", name="Li Na", names={"zh": "李娜", "ko": "리나"}, locale="zh-CN"),
    Rep(id="rep-chen", name="Chen Ya-ting", names={"zh-Hant": "陳雅婷"}, locale="zh-TW"),
    Rep(id="rep-park", name="Park Seo-yeon", names={"ko": "박서연"}, locale="ko"),
)
ACCOUNTS = (
    Account(id="northwind", name="Northwind Traders Inc.", short_name="Northwind",
            owner="rep-carter"),
    Account(id="huadong", name="上海华东精密机械有限公司", short_name="华东精密", owner="rep-li"),
    Account(id="taijing", name="台灣精密電子股份有限公司", short_name="台灣精密", owner="rep-chen"),
    Account(id="gangtai", name="港泰貿易有限公司", short_name="港泰", owner="rep-chen"),
    Account(id="hanbit", name="한빛전자 주식회사", short_name="한빛전자", owner="rep-park"),
    Account(id="hanbit-en", name="Hanbit Electronics Co., Ltd.", short_name="Hanbit",
            owner="rep-park"),
    Account(id="huadong-en", name="Huadong Precision Machinery", short_name="Huadong",
            owner="rep-li"),
    Account(id="gangtai-en", name="Gangtai Trading Ltd.", short_name="Gangtai", owner="rep-chen"),
)  # fmt: skip


def _contact(
    id: str, account: str, name: str, country: str, locale: str, zone: str, **more: object
) -> Contact:
    return Contact(
        id=id,
        account_id=account,
        name=name,
        country=country,
        locale=locale,
        time_zone=zone,
        emails=[f"{id}@customer.example"],
        phones=[PhoneNumber("+1 555 0100", "+15550100")],
        **more,  # type: ignore[arg-type]
    )


CONTACTS = (
    _contact("c-brown", "northwind", "Michael Brown", "US", "en-US", "America/Chicago",
             title="Purchasing Director", preferences=["early morning calls", "email first"],
             hobbies=["golf", "jazz", "sailing"]),
    _contact("c-wang", "huadong", "王伟", "CN", "zh-CN", "Asia/Shanghai", title="采购总监",
             preferences=["微信沟通", "下午联系"], hobbies=["茶艺", "高尔夫"]),
    _contact("c-lin", "taijing", "林志明", "TW", "zh-TW", "Asia/Taipei", title="資材經理",
             preferences=["電話聯絡"], hobbies=["登山", "攝影"]),
    _contact("c-chan", "gangtai", "陳嘉欣", "HK", "zh-HK", "Asia/Hong_Kong",
             hobbies=["行山"]),
    _contact("c-kim", "hanbit", "김민준", "KR", "ko-KR", "Asia/Seoul", title="구매팀장",
             preferences=["오전 통화", "카카오톡"], hobbies=["등산", "골프"]),
    _contact("c-lee", "hanbit-en", "Lee Ji-won", "KR", "en", "Asia/Seoul"),
    _contact("c-zhou", "huadong-en", "Zhou Min", "CN", "en", "Asia/Shanghai"),
    _contact("c-ho", "gangtai-en", "Ho Ka-yan", "HK", "en-HK", "Asia/Hong_Kong"),
)  # fmt: skip
# The contact each locale's kinds are rendered for.
BY_LOCALE = {"en": "c-brown", "zh-Hans": "c-wang", "zh-Hant": "c-lin", "ko": "c-kim"}
# The contacts each country's holidays are rendered for: the languages its contacts use.
BY_COUNTRY = {
    "CN": ("c-wang", "c-zhou"),
    "KR": ("c-kim", "c-lee"),
    "TW": ("c-lin",),
    "HK": ("c-chan", "c-ho"),
    "US": ("c-brown",),
}
ORDERS = (
    Order(id="o-1001", account_id="huadong", ordered_on=date(2027, 3, 1), amount=Decimal(48000),
          product="X200 数控车床"),
    Order(id="o-1002", account_id="northwind", ordered_on=date(2027, 3, 1), amount=Decimal(9600),
          product="X200 CNC lathe"),
    Order(id="o-1003", account_id="taijing", ordered_on=date(2027, 3, 1), amount=Decimal(5200)),
    Order(id="o-1004", account_id="hanbit", ordered_on=date(2027, 3, 1), amount=Decimal(7100),
          product="X200 CNC 선반"),
)  # fmt: skip
ORDER_OF = {"c-wang": "o-1001", "c-brown": "o-1002", "c-lin": "o-1003", "c-kim": "o-1004"}
COMPLAINTS = (
    Complaint(id="cmp-7", account_id="northwind", opened_at=datetime(2027, 3, 3, 2, tzinfo=UTC),
              severity=ComplaintSeverity.MEDIUM, subject="late delivery of the March order",
              contact_id="c-brown"),
    Complaint(id="cmp-8", account_id="huadong", opened_at=datetime(2027, 3, 3, 2, tzinfo=UTC),
              severity=ComplaintSeverity.MEDIUM, subject="三月订单交货延迟", contact_id="c-wang"),
    Complaint(id="cmp-9", account_id="taijing", opened_at=datetime(2027, 3, 3, 2, tzinfo=UTC),
              severity=ComplaintSeverity.MEDIUM, contact_id="c-lin"),
    Complaint(id="cmp-10", account_id="hanbit", opened_at=datetime(2027, 3, 3, 2, tzinfo=UTC),
              severity=ComplaintSeverity.MEDIUM, subject="3월 주문 납기 지연", contact_id="c-kim"),
)  # fmt: skip
COMPLAINT_OF = {"c-brown": "cmp-7", "c-wang": "cmp-8", "c-lin": "cmp-9", "c-kim": "cmp-10"}
EVENTS = {
    "en": "Spring seminar on smart manufacturing, 18 March in Chicago",
    "zh-Hans": "智能制造春季研讨会将于3月18日在上海举行",
    "zh-Hant": "智慧製造春季研討會將於3月18日在台北舉行",
    "ko": "3월 18일 서울에서 열리는 스마트 제조 봄 세미나",
}
LINKS = {
    "survey": "https://survey.globex.example/2027",
    "after_sale_feedback": "https://feedback.globex.example/o",
    "event": "https://events.globex.example/spring-seminar",
}
BOOK = Book(accounts=ACCOUNTS, contacts=CONTACTS, orders=ORDERS, complaints=COMPLAINTS)
CONTACT = {c.id: c for c in CONTACTS}
# The channel each kind goes out on in the files: the rep's actions on theirs.
CHANNEL = {
    CareKind.HOLIDAY_GIFT: Channel.MAIL,
    CareKind.RELATIONSHIP_CALL: Channel.PHONE,
    CareKind.WIN_BACK: Channel.PHONE,
    CareKind.REVERIFICATION: Channel.PHONE,
}


def _task(
    contact: Contact, kind: CareKind, on: date, key: str = "", occasion: str = "", reason: str = ""
) -> CareTask:
    return CareTask(
        contact_id=contact.id,
        account_id=contact.account_id,
        on=on,
        local_time=time(9),
        time_zone=contact.time_zone,
        channel=CHANNEL.get(kind, Channel.EMAIL),
        kind=kind,
        template_key=OCCASION_RULE[kind].template_key(key),
        occasion=occasion,
        reason=reason,
    )


def _holiday_task(contact: Contact, kind: CareKind, day: GreetingDay, country: str) -> CareTask:
    """A greeting on its day (the holiday, or a few days ahead), or a gift a week before
    the greeting, as the scheduler gives them."""
    offset = DEFAULT_CARE_RULES.greeting_offset(country, day.key)
    ahead = offset + (DEFAULT_CARE_RULES.gift_days_before if kind is CareKind.HOLIDAY_GIFT else 0)
    on = day.on - timedelta(days=ahead)
    return _task(contact, kind, on, day.key, day.key, f"{day.name} ({day.on}) in {country}")


def _kind_task(kind: CareKind, locale: str) -> CareTask:
    """A task of ``kind`` as the scheduler gives it, for the locale's contact."""
    contact = CONTACT[BY_LOCALE[locale]]
    on = date(YEAR, 3, 8)
    if kind is CareKind.HOLIDAY_GREETING or kind is CareKind.HOLIDAY_GIFT:
        country = "US" if locale == "en" else contact.country
        day = next(d for d in greeting_days(country, YEAR) if d.key != "new_year")
        return _holiday_task(contact, kind, day, country)
    occasion = {
        CareKind.AFTER_SALE_USAGE: ORDER_OF[contact.id],
        CareKind.AFTER_SALE_FEEDBACK: ORDER_OF[contact.id],
        CareKind.CONTRACT_STATUS: ORDER_OF[contact.id],
        CareKind.COMPLAINT_FOLLOW_UP: COMPLAINT_OF[contact.id],
        CareKind.SURVEY: str(YEAR),
        CareKind.REVERIFICATION: "emails,phones",
        CareKind.EVENT: EVENTS[locale],
    }.get(kind, "")
    key = {CareKind.RELATIONSHIP_CALL: "A", CareKind.COMPLAINT_FOLLOW_UP: "medium"}.get(kind, "")
    key = "seminar" if kind is CareKind.EVENT else key
    return _task(contact, kind, on, key, occasion)


def _cases() -> Iterator[tuple[str, Message]]:
    """(file name, message) of every golden file."""
    render = renderer(BOOK, reps=REPS, company=COMPANY, links=LINKS)
    for locale in LOCALES:
        for kind in CareKind:
            yield f"{locale}/{kind.value}", render(_kind_task(kind, locale))
    for country, contacts in BY_COUNTRY.items():
        for contact_id in contacts:
            contact = CONTACT[contact_id]
            locale = default_templates().template("birthday", contact.locale).name.split("/")[1]
            for day in greeting_days(country, YEAR):
                for kind, prefix in ((CareKind.HOLIDAY_GREETING, "holiday"),
                                     (CareKind.HOLIDAY_GIFT, "gift")):  # fmt: skip
                    task = _holiday_task(contact, kind, day, country)
                    yield f"{locale}/{prefix}.{country}.{day.key}", render(task)
    # The signature without a stored rep, and without a company either.
    for locale in LOCALES:
        task = _kind_task(CareKind.BIRTHDAY, locale)
        yield f"{locale}/signature.no_rep", renderer(BOOK, company=COMPANY)(task)
        yield f"{locale}/signature.no_rep_no_company", renderer(BOOK)(task)


def _as_file(message: Message) -> str:
    return f"From: {message.sender_name}\nSubject: {message.subject}\n\n{message.text}\n"


CASES = dict(_cases())


@pytest.mark.skipif(not os.environ.get("ACCOUNTCARE_WRITE_GOLDEN"), reason="only when asked")
def test_write_the_golden_files() -> None:
    for old in GOLDEN.glob("*/*.txt"):
        old.unlink()
    for name, message in CASES.items():
        path = GOLDEN / f"{name}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_as_file(message).encode("utf-8"))


def test_every_golden_file_is_a_case_and_every_case_has_one() -> None:
    written = sorted(str(p.relative_to(GOLDEN).with_suffix("")) for p in GOLDEN.glob("*/*.txt"))
    assert written == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_message_is_its_golden_file_byte_for_byte(name: str) -> None:
    assert _as_file(CASES[name]).encode("utf-8") == (GOLDEN / f"{name}.txt").read_bytes()


def test_every_kind_and_every_holiday_of_the_five_countries_is_pinned() -> None:
    for locale in LOCALES:
        assert {f"{locale}/{k.value}" for k in CareKind} <= set(CASES)
    assert "zh-Hans/holiday.CN.lunar_new_year" in CASES
    assert "ko/gift.KR.mid_autumn" in CASES
    assert "zh-Hant/holiday.HK.christmas" in CASES
    assert "en/holiday.US.thanksgiving" in CASES


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_message_shows_an_internal_key_a_rep_id_or_a_gap(name: str) -> None:
    message = CASES[name]
    shown = message.subject + "\n" + message.text
    assert not re.search(r"[a-z]+_[a-z_]+", shown), "an internal key reached the text"
    assert "rep-" not in shown + message.sender_name
    assert "$" not in shown
    assert "  " not in shown, "an empty value left a double space"
    assert not re.search(r" [,.;:!?]", shown), "an empty value left a space before a mark"
    assert "\n\n\n" not in message.text


@pytest.mark.parametrize(
    ("country", "locale", "expected"),
    [
        ("CN", "zh-CN", "春节"),
        ("KR", "ko-KR", "설날"),
        ("TW", "zh-TW", "春節"),
        ("HK", "zh-HK", "農曆新年"),
        ("CN", "en", "Spring Festival"),
        ("TW", "en", "Lunar New Year"),
        ("KR", "en", "Korean New Year"),
    ],
)
def test_lunar_new_year_is_named_in_the_contacts_language(
    country: str, locale: str, expected: str
) -> None:
    assert holiday_name("lunar_new_year", country, locale, YEAR) == expected
    contact = _contact("c-x", "huadong", "王伟", country, locale, "Asia/Shanghai")
    task = _task(contact, CareKind.HOLIDAY_GREETING, date(YEAR, 2, 6), "lunar_new_year",
                 "lunar_new_year")  # fmt: skip
    message = default_templates().render(task, contact, ACCOUNTS[1])
    assert expected in message.subject + message.text


@pytest.mark.parametrize("country", sorted(GREETING_CATALOGUE))
@pytest.mark.parametrize("locale", ["en", "zh-CN", "zh-TW", "ko", "de", "ja", "fr"])
def test_every_catalogued_day_has_a_name_in_every_language(country: str, locale: str) -> None:
    for year in (2000, YEAR, 2099):
        for day in greeting_days(country, year):
            name = holiday_name(day.key, country, locale, year)
            assert name
            assert "_" not in name
            assert name == name.strip()
            if locale == "en":  # a proper name: every word capitalised
                assert all(w[0].isupper() for w in re.split(r"[ -]", name) if w), name


def test_english_names_are_capitalised_and_the_packages_own() -> None:
    assert holiday_name("christmas", "US", "en") == "Christmas"
    assert holiday_name("independence_day", "US", "en") == "Independence Day"
    assert holiday_name("liberation_day", "KR", "ko") == "광복절"  # the package's name
    assert holiday_name("national_day", "CN", "zh-CN") == "国庆节"
    assert holiday_name("christmas", "KR", "ko") == "크리스마스"  # not 기독탄신일


@pytest.mark.parametrize("key", ["independence_movement_day", "liberation_day"])
@pytest.mark.parametrize("locale", LOCALES)
def test_commemorations_are_not_wished_happy(key: str, locale: str) -> None:
    contact_id = {"en": "c-lee", "ko": "c-kim"}.get(locale, "c-kim")
    contact = CONTACT[contact_id]
    if locale.startswith("zh"):
        contact = _contact("c-k", "hanbit", "金敏", "KR", locale, "Asia/Seoul")
    day = next(d for d in greeting_days("KR", YEAR) if d.key == key)
    task = _task(contact, CareKind.HOLIDAY_GREETING, day.on, key, key)
    book = Book(accounts=ACCOUNTS, contacts=[contact])
    message = renderer(book, reps=REPS, company=COMPANY)(task)
    shown = (message.subject + message.text).lower()
    for happy in ("happy", "즐거운", "快乐", "快樂", "愉快"):
        assert happy not in shown
    assert str(holiday_name(key, "KR", locale)) in message.subject


def test_an_extra_holiday_is_named_as_the_user_named_it() -> None:
    founders = ExtraHoliday("founders_day", "Globex Founders' Day", 6, 18)
    brown = _contact("c-brown", "northwind", "Michael Brown", "US", "en-US", "America/Chicago",
                     channels=[Channel.EMAIL], consents=[Channel.EMAIL])  # fmt: skip
    care = schedule_care([brown], start=date(YEAR, 6, 1), end=date(YEAR, 6, 30),
                         accounts=ACCOUNTS, extra_holidays=[founders])  # fmt: skip
    [task] = [t for t in care.tasks if t.kind is CareKind.HOLIDAY_GREETING]
    message = renderer(BOOK, reps=REPS, company=COMPANY)(task)
    assert message.subject == "Wishing you a happy Globex Founders' Day"


_NAMES = st.text(st.characters(categories=["L"]), min_size=1, max_size=8)


@settings(max_examples=200)
@given(rep=st.one_of(st.just(""), _NAMES), company=st.one_of(st.just(""), _NAMES),
       locale=st.sampled_from([*LOCALES, "zh-TW", "ko-KR", "de", "en-GB"]))  # fmt: skip
def test_a_signature_reads_well_with_or_without_a_rep_and_a_company(
    rep: str, company: str, locale: str
) -> None:
    signed, introduced = signature(rep, company, locale), sender(rep, company, locale)
    for text in (signed, introduced):
        assert text == text.strip()
        assert "  " not in text
        assert "\n\n" not in text
        assert rep in text
        assert company in text
    if locale != "de":
        assert signed, "a message is always signed"
        assert introduced


@settings(max_examples=100)
@given(items=st.lists(_NAMES, max_size=5), locale=st.sampled_from(["en", "zh-CN", "ko"]))
def test_a_list_names_every_item_once_in_order(items: list[str], locale: str) -> None:
    shown = listed(items, locale)
    assert shown == "" if not items else shown.startswith(items[0]) and shown.endswith(items[-1])
    separators = {"en": (", ", " and "), "zh-CN": ("、",), "ko": (", ",)}[locale]
    parts = re.split("|".join(map(re.escape, separators)), shown) if items else []
    if all(not any(s.strip() in i for s in separators) for i in items):
        assert parts == items


def test_lists_read_the_languages_way() -> None:
    assert listed(["golf", "jazz", "sailing"], "en") == "golf, jazz and sailing"
    assert listed(["茶艺", "高尔夫"], "zh-CN") == "茶艺、高尔夫"
    assert listed(["등산", "골프"], "ko") == "등산, 골프"
    assert listed([], "en") == ""


def test_the_rep_signs_by_display_name_in_the_contacts_language() -> None:
    assert CASES["zh-Hans/birthday"].text.endswith("李娜 敬上\n环球贸易")
    assert CASES["ko/birthday"].text.endswith("글로벡스 박서연 드림")
    assert CASES["en/birthday"].text.endswith("Best regards,\nEmily Carter\nGlobex Trading")
    assert CASES["zh-Hant/birthday"].sender_name == "陳雅婷"
    assert CASES["en/signature.no_rep"].text.endswith("The Globex Trading team")
    assert CASES["ko/signature.no_rep_no_company"].text.endswith("담당자 드림")


def test_every_placeholder_is_documented_on_the_messages_page() -> None:
    page = (DOCS / "messages.md").read_text("utf-8")
    for name in PLACEHOLDERS:
        assert f"`${{{name}}}`" in page, name


def test_the_messages_page_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = re.findall(r"```python\n(.*?)```", (DOCS / "messages.md").read_text("utf-8"), re.S)
    assert len(blocks) >= 2
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "docs.messages"}
    for block in blocks:
        exec(compile(block, str(DOCS / "messages.md"), "exec"), namespace)


def test_a_user_template_overrides_one_kind_in_one_locale() -> None:
    custom = default_templates().merged(
        TemplateBook.from_mapping(
            {"holiday.lunar_new_year": {"zh-Hans": {"subject": "${occasion}大吉",
                                                    "text": "${contact_name}：\n\n${signature}"}}}
        )
    )  # fmt: skip
    render = renderer(BOOK, custom, reps=REPS, company=COMPANY)
    wang = CONTACT["c-wang"]
    task = _task(wang, CareKind.HOLIDAY_GREETING, date(YEAR, 2, 6), "lunar_new_year",
                 "lunar_new_year")  # fmt: skip
    assert render(task).subject == "春节大吉"
    assert render(task).text == "王伟：\n\n李娜 敬上\n环球贸易"
    korean = _task(CONTACT["c-kim"], CareKind.HOLIDAY_GREETING, date(YEAR, 2, 7),
                   "lunar_new_year", "lunar_new_year")  # fmt: skip
    assert render(korean).subject == "새해 복 많이 받으세요"


def test_the_holiday_names_table_on_the_messages_page_is_what_messages_say() -> None:
    page = (DOCS / "messages.md").read_text("utf-8")
    rows = re.findall(r"^\| ([A-Z]{2}) \| `(\w+)` \| (.+) \|$", page, re.M)
    assert {(c, k) for c, k, _ in rows} == {
        (c, r.key) for c, rules in GREETING_CATALOGUE.items() for r in rules
    }
    for country, key, names in rows:
        expected = [holiday_name(key, country, x) for x in ("en", "zh-Hans", "zh-Hant", "ko")]
        assert names.split(" | ") == expected


@pytest.mark.parametrize(
    ("fields", "locale", "expected"),
    [
        ("phone", "en", "phone number"),
        ("emails,phones", "zh-CN", "电子邮箱、电话号码"),
        ("email,title", "ko", "이메일 주소, 직함"),
        ("wechat_id", "en", "wechat id"),
    ],
)
def test_a_reverification_names_the_fields_in_the_contacts_words(
    fields: str, locale: str, expected: str
) -> None:
    contact = _contact("c-x", "huadong", "王伟", "CN", locale, "Asia/Shanghai")
    task = _task(contact, CareKind.REVERIFICATION, date(YEAR, 3, 8), occasion=fields)
    assert expected in default_templates().render(task, contact, ACCOUNTS[1]).text


def _ends_in_a_consonant(word: str) -> bool:
    """Whether a Hangul word's last syllable has a final consonant (takes 을, not 를)."""
    return 0xAC00 <= ord(word[-1]) <= 0xD7A3 and (ord(word[-1]) - 0xAC00) % 28 != 0


def test_a_korean_particle_follows_only_a_holiday_name_it_fits() -> None:
    # 을 after 삼일절, 설날, 추석: each name a holiday's own template is rendered with, in
    # every country greeting that day and every year, ends in a final consonant.
    checked = 0
    for country, rules in GREETING_CATALOGUE.items():
        for rule, (prefix, kind) in itertools.product(
            rules, (("holiday", "holiday_greeting"), ("gift", "holiday_gift"))
        ):
            text = BUILTIN.get(f"{prefix}.{rule.key}", BUILTIN[kind]).get("ko", {}).get("text", "")
            if "${occasion}을" not in text and "${occasion}를" not in text:
                continue
            for year in (1985, 2000, YEAR, 2099):
                name = str(holiday_name(rule.key, country, "ko", year))
                assert ("${occasion}을" in text) == _ends_in_a_consonant(name), (country, name)
                checked += 1
    assert checked > 20
    assert "삼일절을 맞아 " in CASES["ko/holiday.KR.independence_movement_day"].text
    assert "설날을 맞아 " in CASES["ko/holiday.KR.lunar_new_year"].text


@pytest.mark.parametrize(
    "name", sorted(n for n in CASES if n.split("/")[1].startswith(("holiday", "gift")))
)
def test_a_holiday_message_reads_right_ahead_of_the_day_and_on_it(name: str) -> None:
    # A greeting goes out on its holiday or a few days ahead (Seollal, Chuseok, the
    # Spring Festival's eve): it never says the day is coming, nor that it is today.
    shown = (CASES[name].subject + CASES[name].text).lower()
    for word in ("approach", "coming", "将至", "將至", "即将", "即將", "다가오", "맞이",
                 "today", "今天", "오늘"):  # fmt: skip
        assert word not in shown, word


def test_a_greeting_goes_out_the_day_the_scheduler_sends_it() -> None:
    seollal = next(d for d in greeting_days("KR", YEAR) if d.key == "lunar_new_year")
    assert _holiday_task(CONTACT["c-kim"], CareKind.HOLIDAY_GREETING, seollal, "KR").on == (
        seollal.on - timedelta(days=3)
    )
    kim = Contact(id="c-kim", account_id="hanbit", name="김민준", country="KR", locale="ko-KR",
                  time_zone="Asia/Seoul", emails=["kim@customer.example"],
                  channels=[Channel.EMAIL], consents=[Channel.EMAIL])  # fmt: skip
    care = schedule_care([kim], start=date(YEAR, 1, 1), end=date(YEAR, 12, 31),
                         accounts=ACCOUNTS)  # fmt: skip
    greetings = [t for t in care.tasks if t.kind is CareKind.HOLIDAY_GREETING]
    assert {t.on for t in greetings} >= {seollal.on - timedelta(days=3), date(YEAR, 12, 25)}
    render = renderer(Book(accounts=ACCOUNTS, contacts=[kim]), reps=REPS, company=COMPANY)
    for task in greetings:
        text = render(task).text
        assert "다가오" not in text
        assert "맞이" not in text
