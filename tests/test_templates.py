"""Greeting templates: load-time validation, locales, safe rendering."""

from __future__ import annotations

import html
import re
from datetime import date, time

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accountcare.adapters.importers.regions import RegionDefaults, locale_of, region_defaults
from accountcare.domain.accounts import Account
from accountcare.domain.care import CareKind, CareTask
from accountcare.domain.contacts import Channel, Contact, PhoneNumber
from accountcare.domain.team import Company, Rep
from accountcare.errors import ConfigurationError, InvalidRecord
from accountcare.policies.care._templates_builtin import BUILTIN
from accountcare.policies.care.templates import (
    LOCALES,
    PLACEHOLDERS,
    MessageTemplate,
    TemplateBook,
    chinese_script,
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


LOOKALIKES = [
    ("{contact_name}", "str.format field", "did you mean ${contact_name}?"),
    ("{{name}}", "Jinja, Mustache or Handlebars placeholder", "did you mean ${contact_name}?"),
    ("{0.__class__}", "str.format field", "write a placeholder as ${name} with one of: contact_"),
    ("%(name)s", "printf-style field", "did you mean ${contact_name}?"),
    ("{% if %}", "Jinja or Django tag", "no conditions or loops"),
    ("<%= name %>", "ERB, EJS or ASP tag", "did you mean ${contact_name}?"),
    ("{{ account_name }}", "Jinja, Mustache or Handlebars placeholder", "${account_name}?"),
    ("{}", "str.format field", "write a placeholder as ${name}"),
    ("{:.2f}", "str.format field", "write a placeholder as ${name}"),
    ("{# note #}", "Jinja comment", "write a placeholder as ${name}"),
    ("Dear %s,", "printf-style field", "write a placeholder as ${name}"),
    ("*|FNAME|*", "Mailchimp merge tag", "did you mean ${contact_name}?"),
    ("{ Contact_Name }", "brace placeholder", "did you mean ${contact_name}?"),
    ("$${contact_name}", "str.format field", "did you mean ${contact_name}?"),
    ("${rep_name}{company}", "str.format field", "did you mean ${company_name}?"),
]


@pytest.mark.parametrize(("lookalike", "what", "advice"), LOOKALIKES)
@pytest.mark.parametrize("part", ["subject", "text", "html"])
def test_another_engines_placeholders_are_refused_at_load_time(
    lookalike: str, what: str, advice: str, part: str
) -> None:
    parts = {"subject": "Hello", "text": "Hello", "html": "<p>Hello</p>"}
    parts[part] = f"Dear {lookalike}, welcome"
    with pytest.raises(ConfigurationError) as caught:
        TemplateBook.from_mapping({"birthday": {"ko": parts}})
    message = str(caught.value)
    assert message.startswith(f"template 'birthday/ko' has a {what} in its {part}, ") or (
        message.startswith(f"template 'birthday/ko' has an {what} in its {part}, ")
    )
    assert "would reach the customer as written" in message
    assert advice in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "text",
    [
        "Use { and } as you like",
        'The reply looks like {"status": "ok", "count": 2}',
        "{ see the attachment }",
        "Costs $$5 {or less}",
        "Save 20% today, 100%d",
        "A lone { and a lone }",
    ],
)
def test_braces_that_are_plainly_text_load_and_are_sent_as_written(text: str) -> None:
    template = MessageTemplate("t", "Hi ${contact_name}", text)
    assert template.render({"contact_name": "Ann"})[1] == text.replace("$$", "$")


def test_css_in_an_html_style_element_is_not_a_placeholder() -> None:
    page = "<style>p {color:red} .x { margin: 0 }</style><p>${contact_name}</p>"
    assert MessageTemplate("t", "s", "t", page).render({"contact_name": "Ann"})[2] == (
        "<style>p {color:red} .x { margin: 0 }</style><p>Ann</p>"
    )
    with pytest.raises(ConfigurationError, match=re.escape("in its html, '{color:red}'")):
        MessageTemplate("t", "s", "t", "<p style='x'>{color:red}</p>")


def test_attribute_access_is_impossible_even_with_format_syntax() -> None:
    # string.Template never evaluates ``{...}``; text shaped like it is refused outright.
    for subject in ("{contact_name.__class__}", "{0.__init__.__globals__}"):
        with pytest.raises(ConfigurationError, match=r"str\.format field in its subject"):
            MessageTemplate("t", subject, "x")


_NAMES = st.one_of(
    st.sampled_from(list(PLACEHOLDERS)), st.from_regex(r"[a-z][a-z_]{0,11}", fullmatch=True)
)
_FORMS = st.sampled_from(
    ["{%s}", "{{%s}}", "{{ %s }}", "{{{%s}}}", "{%s.x}", "{%s!r}", "%%(%s)s", "<%%= %s %%>",
     "{%% %s %%}", "*|%s|*", "{%s:>10}"]
)  # fmt: skip
_PLAIN = st.text(st.characters(blacklist_characters="{}%$<*", blacklist_categories=["Cs"]))


@settings(max_examples=300)
@given(
    form=_FORMS,
    name=_NAMES,
    before=_PLAIN,
    after=_PLAIN,
    part=st.sampled_from(["subject", "text", "html"]),
)
def test_a_lookalike_anywhere_in_any_part_is_refused(
    form: str, name: str, before: str, after: str, part: str
) -> None:
    parts = {"subject": "s", "text": "t"}
    parts[part] = f"{before}{form % name}{after}"
    with pytest.raises(ConfigurationError) as caught:
        TemplateBook.from_mapping({"survey": {"zh-Hant": parts}})
    assert str(caught.value).startswith("template 'survey/zh-Hant' has ")
    assert f" in its {part}, " in str(caught.value)
    if name in PLACEHOLDERS and not form.startswith("{%%"):
        assert str(caught.value).endswith(f"did you mean ${{{name}}}?")


@settings(max_examples=200)
@given(
    pieces=st.lists(
        st.one_of(_PLAIN, st.sampled_from(["{", "}", '{"a": 1}', "{ and }", "$$", "${date}"])),
        max_size=8,
    )
)
def test_text_without_a_lookalike_loads_and_renders_as_written(pieces: list[str]) -> None:
    text = " · ".join(pieces) or "x"
    if not text.strip():
        text = "x"
    rendered = MessageTemplate("t", "s", text).render({"date": "1 May"})[1]
    as_written = text.replace("$$", "$").replace("${date}", "1 May")
    assert rendered == as_written.replace("\r\n", "\n").replace("\r", "\n")  # line feeds only


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


# Any one line of text: the records refuse control characters and line separators.
_VALUES = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\u2028\u2029"),
    max_size=40,
)


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
@given(text=st.text(st.characters(blacklist_characters="{}%<*"), max_size=40))
def test_a_template_loads_only_if_every_placeholder_is_documented(text: str) -> None:
    import string

    parsed = string.Template(text)
    valid = parsed.is_valid() and set(parsed.get_identifiers()) <= set(PLACEHOLDERS)
    if valid and text.strip():
        MessageTemplate("t", "s", text)
    elif text.strip():
        with pytest.raises(ConfigurationError):
            MessageTemplate("t", "s", text)


def test_an_unknown_placeholder_gets_the_nearest_name_suggested() -> None:
    with pytest.raises(ConfigurationError, match=r"did you mean \$\{contact_name\}\?"):
        MessageTemplate("birthday/en", "Hi ${contact_nmae}", "x")


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


def test_a_template_saved_with_windows_line_ends_renders_the_same_message() -> None:
    unix = MessageTemplate("birthday/en", "Hi ${contact_name}", "Dear ${contact_name},\nbye\n")
    windows = MessageTemplate(
        "birthday/en", "Hi ${contact_name}\r\n", "Dear ${contact_name},\r\nbye\r\n"
    )
    assert windows.render({"contact_name": "Ann"}) == unix.render({"contact_name": "Ann"})
    assert "\r" not in "".join(windows.render({"contact_name": "Ann"}))


def test_a_subject_of_two_lines_is_refused_at_load_time() -> None:
    with pytest.raises(ConfigurationError, match="'birthday/en': the subject must be one line"):
        MessageTemplate("birthday/en", "Hi\r\n${contact_name}", "x")


def test_a_contact_stored_with_a_tab_in_its_name_still_renders_one_line() -> None:
    """A record stored before one-line fields refused control characters is read back
    as it was; its message still renders, the name made one line."""
    from accountcare.domain._trusted import trusted

    wang = trusted(Contact)(
        id="c-1", account_id="acme", name="Wang\tWei\r\n", emails=("wang@example.com",)
    )
    message = default_templates().render(_task(), wang, ACME)
    assert message.recipient.name == "Wang Wei"
    assert "Wang Wei" in message.text
    assert "\t" not in message.subject + message.text


@pytest.mark.parametrize(
    "text", ["Save 20%(excl. VAT) on your next order", "价格{2024}", "100% (all of it)"]
)
def test_percent_signs_and_years_in_braces_are_text(text: str) -> None:
    assert MessageTemplate("survey/en", "s", text).render({})[1] == text


@pytest.mark.parametrize("text", ["Dear {0}", "Dear %(contact_name)s", "{10.__class__}"])
def test_positional_and_named_fields_are_still_refused(text: str) -> None:
    with pytest.raises(ConfigurationError, match="would reach the customer as written"):
        MessageTemplate("survey/en", "s", text)


# A value ending in a full stop ("Co., Ltd.") before a template's full stop.
_STOPPED = Account(id="acme", name="ACME Co., Ltd.", short_name="ACME Co., Ltd.")


def _kind_of(key: str) -> CareKind:
    """The care kind a built-in template key is for (``holiday.<day>``, ``gift.<day>``)."""
    prefix = key.partition(".")[0]
    return {"holiday": CareKind.HOLIDAY_GREETING, "gift": CareKind.HOLIDAY_GIFT}.get(
        prefix, CareKind(key) if "." not in key else CareKind.HOLIDAY_GREETING
    )


@pytest.mark.parametrize("key", sorted(BUILTIN))
@pytest.mark.parametrize("locale", LOCALES)
def test_a_name_ending_in_a_full_stop_never_doubles_the_sentences(key: str, locale: str) -> None:
    if locale not in BUILTIN[key]:
        return
    task = attrs.evolve(_task(_kind_of(key), "Q3 order."), template_key=key)
    message = default_templates().render(
        task, _contact("Dr. Wang Jr.", locale), _STOPPED, rep_name="Li Na", company_name="X Inc."
    )
    for shown in (message.subject, message.text):
        assert ".." not in shown, shown
        assert "ACME Co., Ltd" not in shown.replace("ACME Co., Ltd.", ""), "cut short"


def test_a_full_stop_after_a_placeholder_yields_to_the_values_own() -> None:
    english = default_templates().render(
        _task(CareKind.HOLIDAY_GREETING, "Christmas"), _contact("Ann", "en"), _STOPPED
    )
    assert "working with you and ACME Co., Ltd.\n\n" in english.text
    plain = default_templates().render(
        _task(CareKind.HOLIDAY_GREETING, "Christmas"), _contact("Ann", "en"), ACME
    )
    assert "working with you and Acme.\n\n" in plain.text


@settings(max_examples=200)
@given(
    value=st.text(st.characters(blacklist_categories=["Cs", "Cc"]), max_size=12),
    tail=st.sampled_from(["", ".", "..", " end."]),
)
def test_a_value_takes_the_place_of_the_full_stop_after_it(value: str, tail: str) -> None:
    template = MessageTemplate("t", "S ${account_name}.", "With ${account_name}." + tail)
    subject, text, body = template.render({"account_name": value})
    stop = "" if value.endswith(".") else "."
    assert text == f"With {value}{stop}{tail}"
    assert subject == f"S {' '.join(value.split())}{stop}"
    assert html.escape(f"With {value}{stop}{tail}") in body


def test_a_literal_dollar_before_a_name_keeps_its_full_stop() -> None:
    template = MessageTemplate("t", "S", "$$account_name. ${account_name}. $account_name.")
    assert template.render({"account_name": "Co."})[1] == "$account_name. Co. Co."


_NOT_ON_THE_DAY = ("approach", "coming", "将至", "將至", "即将", "即將", "来临", "來臨",
                   "다가오", "앞두", "맞이")  # fmt: skip
_ONLY_ON_THE_DAY = ("today", "今天", "今日", "오늘")


@pytest.mark.parametrize("key", sorted(k for k in BUILTIN if k.startswith(("holiday", "gift"))))
@pytest.mark.parametrize("locale", LOCALES)
def test_a_holiday_template_reads_right_ahead_of_the_day_and_on_it(key: str, locale: str) -> None:
    # Greetings go out on the holiday or days ahead (Seollal, Chuseok, the Spring Festival's
    # eve, or as the user sets it), so none says the day is coming nor that it is today.
    if locale not in BUILTIN[key]:
        return
    written = (BUILTIN[key][locale]["subject"] + BUILTIN[key][locale]["text"]).lower()
    for word in _NOT_ON_THE_DAY + _ONLY_ON_THE_DAY:
        assert word not in written, (key, locale, word)


@pytest.mark.parametrize(
    ("names", "locale", "expected"),
    [
        ({"zh": "李娜"}, "zh", "李娜"),
        ({"zh": "李娜"}, "zh-CN", "李娜"),
        ({"zh": "李娜"}, "zh-Hans", "李娜"),
        ({"zh": "李娜"}, "zh-Hant", "Li Na"),
        ({"zh": "李娜"}, "zh-TW", "Li Na"),
        ({"zh": "李娜"}, "zh_HK", "Li Na"),
        ({"zh-Hans": "李娜"}, "zh-HK", "Li Na"),
        ({"zh-CN": "李娜"}, "zh-TW", "Li Na"),
        ({"zh-Hant": "李娜"}, "zh", "Li Na"),
        ({"zh-Hant": "李娜"}, "zh-CN", "Li Na"),
        ({"zh-TW": "李娜"}, "zh-Hans", "Li Na"),
        ({"zh-Hant": "李娜"}, "zh-HK", "李娜"),
        ({"zh-Hant": "李娜"}, "zh-TW", "李娜"),
        ({"zh-TW": "李娜"}, "zh-HK", "李娜"),
        ({"zh": "李娜", "zh-Hant": "李娜."}, "zh-Hant", "李娜."),
        ({"zh": "李娜", "zh-CN": "李娜!"}, "zh-Hans", "李娜"),
        ({"zh": "李娜", "zh-Hans": "李娜!"}, "zh-CN", "李娜!"),
        ({"ko": "리나"}, "ko-KR", "리나"),
        ({"ko": "리나"}, "zh-TW", "Li Na"),
    ],
)
def test_a_chinese_name_is_signed_in_its_own_script_only(
    names: dict[str, str], locale: str, expected: str
) -> None:
    assert Rep(id="rep-li", name="Li Na", names=names).name_for(locale) == expected
    assert Company("Li Na", names=names).name_for(locale) == expected


def test_a_hong_kong_customer_never_gets_the_simplified_name() -> None:
    rep = Rep(id="rep-carter", name="John Carter", names={"zh": "约翰·卡特"})
    company = Company("Globex", names={"zh": "环球贸易"})
    hk = default_templates().render(_task(), _contact("陳嘉欣", "zh-HK"), ACME, rep=rep,
                                    company=company)  # fmt: skip
    assert hk.text.endswith("John Carter 敬上\nGlobex")
    cn = default_templates().render(_task(), _contact(), ACME, rep=rep, company=company)
    assert cn.text.endswith("约翰·卡特 敬上\n环球贸易")


_TAGS = ["zh", "zh-CN", "zh_cn", "zh-SG", "zh-Hans", "zh-Hans-CN", "zh-TW", "zh_HK", "zh-MO",
         "zh-Hant", "zh-Hant-HK", "ZH-hant", "ko", "ko-KR", "en", "en-US", "ja", ""]  # fmt: skip


@pytest.mark.parametrize("tag", _TAGS)
def test_the_chinese_scripts_have_one_rule_for_templates_names_and_imports(tag: str) -> None:
    script = chinese_script(tag)
    if script is not None:
        assert resolve_locale(tag) == script
        assert locale_of(tag) == script
        names = {script: "甲", ("zh-Hant" if script == "zh-Hans" else "zh-Hans"): "乙"}
        assert Rep(id="r", name="A", names=names).name_for(tag) == "甲"
    else:
        assert not resolve_locale(tag).startswith("zh")


def test_a_singapore_number_implies_english() -> None:
    pytest.importorskip("phonenumbers")
    assert region_defaults("SG") == RegionDefaults("SG", "Asia/Singapore", "en")
    assert region_defaults("CN") == RegionDefaults("CN", "Asia/Shanghai", "zh-Hans")
