"""Greeting templates: load-time validation, locales, safe rendering."""

from __future__ import annotations

import html
import re
from datetime import date, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accountcare.domain.accounts import Account
from accountcare.domain.care import CareKind, CareTask
from accountcare.domain.contacts import Channel, Contact, PhoneNumber
from accountcare.errors import ConfigurationError, InvalidRecord
from accountcare.policies.care.templates import (
    LOCALES,
    PLACEHOLDERS,
    MessageTemplate,
    TemplateBook,
    default_templates,
    format_date,
    resolve_locale,
)

ACME = Account(id="acme", name="Acme Trading Co.", short_name="Acme")


def _task(
    kind: CareKind = CareKind.BIRTHDAY, occasion: str = "", channel: Channel = Channel.EMAIL
) -> CareTask:
    return CareTask(
        contact_id="c-1",
        account_id="acme",
        on=date(2027, 2, 6),
        local_time=time(9),
        time_zone="Asia/Seoul",
        channel=channel,
        kind=kind,
        template_key=kind.value,
        occasion=occasion,
    )


def _contact(name: str = "王伟", locale: str = "zh-CN") -> Contact:
    return Contact(
        id="c-1",
        account_id="acme",
        name=name,
        locale=locale,
        emails=["wang@example.com"],
        phones=[PhoneNumber("010-1234-5678", "+821012345678")],
    )


@pytest.mark.parametrize("kind", list(CareKind))
@pytest.mark.parametrize("locale", LOCALES)
def test_every_kind_has_a_template_in_every_builtin_locale(kind: CareKind, locale: str) -> None:
    book = default_templates()
    assert (kind.value, locale) in book.templates
    message = book.render(
        _task(kind, occasion="Seollal"),
        _contact(locale=locale),
        ACME,
        rep_name="Li Na",
        company_name="Globex",
        link="https://survey.example/x",
    )
    assert message.subject
    assert message.text
    assert message.html
    assert "$" not in message.subject + message.text  # every placeholder was filled
    assert message.recipient.locale == locale


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("zh-CN", "zh-Hans"),
        ("zh_SG", "zh-Hans"),
        ("zh", "zh-Hans"),
        ("zh-Hans", "zh-Hans"),
        ("zh-TW", "zh-Hant"),
        ("zh-HK", "zh-Hant"),
        ("zh-MO", "zh-Hant"),
        ("zh-Hant-TW", "zh-Hant"),
        ("ko-KR", "ko"),
        ("ko", "ko"),
        ("en-GB", "en"),
        ("de-DE", "en"),
        ("", "en"),
    ],
)
def test_locale_falls_back_as_documented(tag: str, expected: str) -> None:
    assert resolve_locale(tag) == expected


def test_a_users_own_locale_is_used_when_the_book_has_it() -> None:
    book = default_templates().merged(
        TemplateBook.from_mapping(
            {"birthday": {"de": {"subject": "Alles Gute, ${contact_name}!", "text": "Hallo"}}}
        )
    )
    message = book.render(_task(), _contact("Anna", "de-AT"), ACME)
    assert message.subject == "Alles Gute, Anna!"
    assert message.recipient.locale == "de"


def test_real_greetings_in_each_language() -> None:
    book = default_templates()
    task = _task(CareKind.HOLIDAY_GREETING, occasion="추석")
    korean = book.render(task, _contact("김민준", "ko-KR"), ACME, rep_name="박서연")
    assert korean.subject == "즐거운 추석 보내세요"
    assert korean.text.startswith("김민준님, 안녕하세요.")
    birthday = book.render(_task(), _contact("陳美玲", "zh-TW"), ACME, rep_name="林")
    assert birthday.subject == "陳美玲，生日快樂！"
    gift = book.render(_task(CareKind.HOLIDAY_GIFT, "春节"), _contact(), ACME)
    assert "2027年2月6日" in gift.text


@pytest.mark.parametrize(
    ("text", "placeholder"),
    [
        ("Hi ${name}", "name"),
        ("Hi $contact", "contact"),
        ("Hi ${contact_name.__class__}", None),
        ("Hi ${contact_name", None),
        ("Costs 5$", None),
    ],
)
def test_unknown_or_malformed_placeholders_fail_at_load_time(
    text: str, placeholder: str | None
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        TemplateBook.from_mapping({"survey": {"en": {"subject": "s", "text": text}}})
    assert "survey/en" in str(caught.value)
    if placeholder is not None:
        assert repr(placeholder) in str(caught.value)


def test_attribute_access_is_impossible_even_with_format_syntax() -> None:
    # ``{...}`` is plain text for string.Template: nothing is evaluated.
    template = MessageTemplate("t", "{contact_name.__class__}", "{0.__init__.__globals__}")
    subject, text, _ = template.render({"contact_name": "x"})
    assert subject == "{contact_name.__class__}"
    assert text == "{0.__init__.__globals__}"


@pytest.mark.parametrize(
    "parts",
    [
        {"subject": "s"},
        {"text": "t"},
        {"subject": "", "text": "t"},
        {"subject": "s", "text": "t", "footer": "x"},
    ],
)
def test_incomplete_templates_fail_at_load_time(parts: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError, match="birthday/ko"):
        TemplateBook.from_mapping({"birthday": {"ko": parts}})


def test_dollar_signs_are_written_doubled() -> None:
    template = MessageTemplate("t", "Price: $$5", "${contact_name} pays $$5")
    assert template.render({"contact_name": "Ann"})[:2] == ("Price: $5", "Ann pays $5")


_VALUES = st.text(max_size=40)


@settings(max_examples=150)
@given(name=_VALUES.filter(str.strip), occasion=_VALUES, rep=_VALUES)
def test_rendering_is_total_and_values_are_html_escaped(name: str, occasion: str, rep: str) -> None:
    message = default_templates().render(
        _task(CareKind.HOLIDAY_GREETING, occasion=occasion),
        _contact(name, "en"),
        ACME,
        rep_name=rep,
    )
    assert message.html is not None
    body = re.sub(r"</?(p|br|html|body)>|<!DOCTYPE html>", "", message.html)
    assert "<" not in body
    assert ">" not in body
    assert html.escape(name.split("\n")[0]) in message.html
    assert "\n" not in message.subject
    assert "\r" not in message.subject


@settings(max_examples=100)
@given(name=st.text(min_size=1, max_size=20).filter(str.strip))
def test_a_user_html_template_gets_escaped_values(name: str) -> None:
    template = MessageTemplate("t", "s", "t", "<b>${contact_name}</b>")
    assert template.render({"contact_name": name})[2] == f"<b>{html.escape(name)}</b>"


@settings(max_examples=100)
@given(text=st.text(max_size=40))
def test_a_template_loads_only_if_every_placeholder_is_documented(text: str) -> None:
    import string

    parsed = string.Template(text)
    valid = parsed.is_valid() and set(parsed.get_identifiers()) <= set(PLACEHOLDERS)
    if valid and text.strip():
        MessageTemplate("t", "s", text)
    elif text.strip():
        with pytest.raises(ConfigurationError):
            MessageTemplate("t", "s", text)


def test_the_message_carries_the_task_key_channel_and_due_instant() -> None:
    task = _task(CareKind.SURVEY, channel=Channel.SMS)
    message = default_templates().render(task, _contact(), ACME, link="https://s.example")
    assert message.key == task.key
    assert message.channel is Channel.SMS
    assert message.recipient.address == "+821012345678"
    assert message.due_at == task.due_at
    assert "https://s.example" in message.text


def test_a_contact_without_an_address_on_the_channel_is_named() -> None:
    bare = Contact(id="c-9", account_id="acme", name="Ann")
    with pytest.raises(InvalidRecord, match="c-9"):
        default_templates().render(_task(), bare, ACME)


def test_a_missing_template_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="no template"):
        TemplateBook().render(_task(), _contact(), ACME)


def test_a_custom_template_key_falls_back_to_the_kind() -> None:
    task = CareTask(
        contact_id="c-1",
        account_id="acme",
        on=date(2027, 2, 6),
        local_time=time(9),
        time_zone="UTC",
        channel=Channel.EMAIL,
        kind=CareKind.EVENT,
        template_key="seminar-2027",
        occasion="Spring seminar",
    )
    book = default_templates()
    assert book.render(task, _contact(locale="en"), ACME).subject == "Spring seminar"
    custom = book.merged(
        TemplateBook.from_mapping(
            {"seminar-2027": {"en": {"subject": "Join us: ${occasion}", "text": "See ${link}"}}}
        )
    )
    assert custom.render(task, _contact(locale="ko"), ACME).subject == "Join us: Spring seminar"


def test_dates_are_written_the_locales_way() -> None:
    day = date(2027, 10, 1)
    assert format_date(day, "en-US") == "1 October 2027"
    assert format_date(day, "zh-TW") == "2027年10月1日"
    assert format_date(day, "ko-KR") == "2027년 10월 1일"
