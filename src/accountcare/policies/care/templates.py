"""Greeting templates: per care kind and locale, validated when loaded, rendered safely.

A template is a subject, a plain text and optionally an HTML body written with
``string.Template`` placeholders (``${contact_name}``). Rendering substitutes strings
from a fixed dictionary, never attributes of objects, so a template cannot reach into
the program. Only the names in
[`PLACEHOLDERS`][accountcare.policies.care.templates.PLACEHOLDERS] are allowed; an unknown
name, a stray ``$`` or an unclosed ``${`` is a
[`ConfigurationError`][accountcare.errors.ConfigurationError] when the template is loaded,
naming the template and the placeholder.

Text that another template engine would read as a placeholder is refused the same way,
since ``string.Template`` would leave it alone and the customer would get it as written:
``{contact_name}``, ``{}``, ``{0.__class__}`` (``str.format``), ``{{name}}`` (Jinja,
Mustache), ``{% if %}``, ``{# #}``, ``<%= name %>`` (ERB), ``%(name)s``, ``%s`` (printf),
``*|FNAME|*`` (Mailchimp) and ``{ contact_name }`` around a placeholder's name. The error
suggests the nearest placeholder ("did you mean ${contact_name}?"). Other braces are text:
a lone ``{`` or ``}``, ``{"a": 1}``, ``{ and }``, CSS in an HTML body's ``<style>``. There
is no escape for text shaped like a placeholder; ``$$`` writes a dollar sign.

Locales fall back: ``zh-CN``/``zh-SG``/``zh`` -> ``zh-Hans``, ``zh-TW``/``zh-HK``/``zh-MO``
-> ``zh-Hant``, ``ko-KR`` -> ``ko``, any other -> its language if the book has it, else
``en`` (see [`resolve_locale`][accountcare.policies.care.templates.resolve_locale]).

>>> from datetime import date, time
>>> from accountcare.domain import Account, Channel, Contact
>>> from accountcare.domain.care import CareKind, CareTask
>>> book = default_templates()
>>> task = CareTask(contact_id="c-1", account_id="acme", on=date(2027, 2, 6),
...                 local_time=time(9), time_zone="Asia/Shanghai", channel=Channel.EMAIL,
...                 kind=CareKind.HOLIDAY_GREETING, template_key="holiday_greeting",
...                 occasion="春节")
>>> wang = Contact(id="c-1", account_id="acme", name="王伟", locale="zh-CN",
...                emails=["wang@example.com"])
>>> msg = book.render(task, wang, Account(id="acme", name="Acme"), rep_name="李娜")
>>> msg.subject
'祝您春节快乐'
"""

from __future__ import annotations

import difflib
import functools
import html
import re
import string
from collections.abc import Iterable, Mapping
from datetime import date
from types import MappingProxyType

import attrs

from accountcare.domain._frozen import FrozenMap
from accountcare.domain._validate import one_line
from accountcare.domain.accounts import Account
from accountcare.domain.care import CareKind, CareTask
from accountcare.domain.contacts import Channel, Contact
from accountcare.domain.messages import Message, Recipient
from accountcare.domain.team import Company, Rep, _chinese_script
from accountcare.errors import ConfigurationError, InvalidRecord
from accountcare.policies.care._templates_builtin import BUILTIN
from accountcare.policies.care.holiday_greetings import holiday_name

__all__ = [
    "LOCALES",
    "PLACEHOLDERS",
    "MessageTemplate",
    "TemplateBook",
    "chinese_script",
    "default_templates",
    "format_date",
    "listed",
    "resolve_locale",
    "sender",
    "signature",
]

PLACEHOLDERS: Mapping[str, str] = MappingProxyType(
    {
        "contact_name": "the contact's name as recorded",
        "contact_title": "the contact's job title (may be empty)",
        "account_name": "the account's name",
        "account_short_name": "the account's short name, or its name when it has none",
        "occasion": "what the task is for: the holiday's name in the contact's language, "
        "the product ordered, the issue raised, the fields to check, the event",
        "rep_name": "the signing rep's display name in the contact's language (may be empty)",
        "company_name": "your company's name in the contact's language (may be empty)",
        "signature": "the closing lines: the rep's name and your company's, the locale's way",
        "sender": "who writes or calls, to say in a sentence: the rep of your company",
        "date": "the task's date, written the locale's way",
        "link": "a survey, form or event link (render parameter)",
        "preferences": "the contact's preferences, listed the locale's way (may be empty)",
        "hobbies": "the contact's hobbies, listed the locale's way (may be empty)",
    }
)
"""The only names a template may use, and what each holds."""

LOCALES: tuple[str, ...] = ("en", "zh-Hans", "zh-Hant", "ko")
"""The locales the built-in templates are written in."""


def chinese_script(locale: str) -> str | None:
    """``zh-Hant`` or ``zh-Hans`` for a Chinese locale tag, None for another language.

    Traditional for Taiwan, Hong Kong, Macao or an explicit ``Hant`` script; Simplified
    for any other Chinese tag (``zh``, ``zh-CN``, ``zh-SG``, ``zh-Hans``).

    >>> [chinese_script(x) for x in ("zh_TW", "zh-Hant-HK", "zh-HK", "zh-SG", "zh", "ko")]
    ['zh-Hant', 'zh-Hant', 'zh-Hant', 'zh-Hans', 'zh-Hans', None]
    """
    return _chinese_script(locale)


@functools.lru_cache(maxsize=1024)
def resolve_locale(locale: str, available: frozenset[str] | tuple[str, ...] = LOCALES) -> str:
    """The locale of ``available`` to use for a contact's ``locale`` tag.

    An exact match wins; Chinese goes to ``zh-Hant`` for Taiwan, Hong Kong, Macao or an
    explicit ``Hant`` script and to ``zh-Hans`` otherwise; then the bare language; then
    ``en``.

    >>> [resolve_locale(x) for x in ("zh-CN", "zh_TW", "zh-Hant-HK", "ko-KR", "fr-FR", "zh")]
    ['zh-Hans', 'zh-Hant', 'zh-Hant', 'ko', 'en', 'zh-Hans']
    """
    tag = locale.replace("_", "-").strip()
    if tag in available:
        return tag
    language = tag.split("-", 1)[0].lower()
    script = chinese_script(tag)
    if script is not None and script in available:
        return script
    lowered = {a.lower(): a for a in available}
    return lowered.get(tag.lower()) or lowered.get(language, "en")


def format_date(day: date, locale: str) -> str:
    """``day`` the way the locale writes it.

    >>> [format_date(date(2027, 3, 8), x) for x in ("en", "zh-Hans", "ko")]
    ['8 March 2027', '2027年3月8日', '2027년 3월 8일']
    """
    chosen = resolve_locale(locale)
    if chosen.startswith("zh"):
        return f"{day.year}年{day.month}月{day.day}日"
    if chosen == "ko":
        return f"{day.year}년 {day.month}월 {day.day}일"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def listed(items: Iterable[str], locale: str) -> str:
    """``items`` listed the way the locale lists things (empty for none).

    >>> [listed(["golf", "tea", "hiking"], x) for x in ("en", "zh-Hans", "ko")]
    ['golf, tea and hiking', 'golf、tea、hiking', 'golf, tea, hiking']
    """
    shown = [one_line(item) for item in items if item.strip()]
    chosen = _written_in(locale)
    if chosen.startswith("zh"):
        return "、".join(shown)
    if chosen == "en" and len(shown) > 1:
        return f"{', '.join(shown[:-1])} and {shown[-1]}"
    return ", ".join(shown)


# Per locale: (rep and company, rep only, company only, neither), with {rep} and {company}.
_SIGNATURES: Mapping[str, tuple[str, str, str, str]] = MappingProxyType(
    {
        "en": ("{rep}\n{company}", "{rep}", "The {company} team", "Your account team"),
        "zh-Hans": (
            "{rep} 敬上\n{company}",
            "{rep} 敬上",
            "{company}全体同仁 敬上",
            "客户服务团队 敬上",
        ),
        "zh-Hant": (
            "{rep} 敬上\n{company}",
            "{rep} 敬上",
            "{company}全體同仁 敬上",
            "客戶服務團隊 敬上",
        ),
        "ko": ("{company} {rep} 드림", "{rep} 드림", "{company} 임직원 일동 드림", "담당자 드림"),
    }
)
_SENDERS: Mapping[str, tuple[str, str, str, str]] = MappingProxyType(
    {
        "en": ("{rep} from {company}", "{rep}", "your account manager at {company}",
               "your account manager"),
        "zh-Hans": ("{company}的{rep}", "{rep}", "{company}的客户经理", "您的客户经理"),
        "zh-Hant": ("{company}的{rep}", "{rep}", "{company}的客戶經理", "您的客戶經理"),
        "ko": ("{company} {rep}", "{rep}", "{company} 담당자", "담당자"),
    }
)  # fmt: skip
_PLAIN = ("{rep}\n{company}", "{rep}", "{company}", "")
_PLAIN_SENDER = ("{rep}, {company}", "{rep}", "{company}", "")


def _written_in(locale: str) -> str:
    """The built-in locale ``locale`` is written in, or itself for another language."""
    chosen = resolve_locale(locale)
    tag = locale.replace("_", "-").strip()
    return chosen if chosen != "en" or not tag or tag.lower().startswith("en") else tag


def _pick(forms: tuple[str, str, str, str], rep: str, company: str) -> str:
    form = forms[0 if rep and company else 1 if rep else 2 if company else 3]
    return form.format(rep=rep, company=company)


def signature(rep_name: str, company_name: str, locale: str) -> str:
    r"""The closing lines of a message in ``locale``: the rep's name and your company's,
    or what reads well without either.

    >>> signature("李娜", "Globex", "zh-CN"), signature("리나", "Globex", "ko")
    ('李娜 敬上\nGlobex', 'Globex 리나 드림')
    >>> signature("", "Globex", "en"), signature("", "", "zh-TW")
    ('The Globex team', '客戶服務團隊 敬上')
    """
    return _pick(_SIGNATURES.get(_written_in(locale), _PLAIN), rep_name, company_name)


def sender(rep_name: str, company_name: str, locale: str) -> str:
    """Who writes or calls, to say in a sentence ("this is ..."), in ``locale``.

    >>> sender("Li Na", "Globex", "en"), sender("李娜", "", "zh-CN"), sender("", "Globex", "ko")
    ('Li Na from Globex', '李娜', 'Globex 담당자')
    """
    return _pick(_SENDERS.get(_written_in(locale), _PLAIN_SENDER), rep_name, company_name)


# The contact fields a re-verification asks about, in the words of each locale.
_EMAIL = {"en": "email address", "zh-Hans": "电子邮箱", "zh-Hant": "電子郵件", "ko": "이메일 주소"}
_PHONE = {"en": "phone number", "zh-Hans": "电话号码", "zh-Hant": "電話號碼", "ko": "전화번호"}
_POST = {"en": "postal address", "zh-Hans": "邮寄地址", "zh-Hant": "郵寄地址", "ko": "주소"}
_FIELDS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "email": _EMAIL,
        "emails": _EMAIL,
        "phone": _PHONE,
        "phones": _PHONE,
        "mobile": _PHONE,
        "address": _POST,
        "addresses": _POST,
        "title": {"en": "job title", "zh-Hans": "职务", "zh-Hant": "職稱", "ko": "직함"},
        "name": {"en": "name", "zh-Hans": "姓名", "zh-Hant": "姓名", "ko": "성함"},
        "birthday": {"en": "birthday", "zh-Hans": "生日", "zh-Hant": "生日", "ko": "생일"},
        "time_zone": {"en": "time zone", "zh-Hans": "时区", "zh-Hant": "時區", "ko": "시간대"},
        "locale": {"en": "language", "zh-Hans": "语言", "zh-Hant": "語言", "ko": "언어"},
        "role": {"en": "role", "zh-Hans": "职责", "zh-Hant": "職責", "ko": "담당 업무"},
    }
)
_KEY = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)+")
_HOLIDAY_KINDS = frozenset({CareKind.HOLIDAY_GREETING, CareKind.HOLIDAY_GIFT})
# How the scheduler gives a holiday's reason: "Our founding day (2027-06-18) in CN".
_HOLIDAY_REASON = re.compile(r"(?P<name>.+?) \((?P<year>\d{4})-\d{2}-\d{2}\) in [A-Z]{2}\b")


def _occasion(task: CareTask, contact: Contact, locale: str) -> str:
    """The task's occasion in the contact's words: a holiday's name in its language, the
    fields to check; any other occasion as given."""
    if task.kind in _HOLIDAY_KINDS:
        prefix, _, key = task.template_key.partition(".")
        key = key if prefix in ("holiday", "gift") and key else task.occasion
        given = _HOLIDAY_REASON.match(task.reason)
        year = int(given["year"]) if given is not None else task.on.year
        name = holiday_name(key, contact.country, locale, year)
        if name is not None:
            return name
        if given is not None:  # a day of the user's own, named by them
            return given["name"]
        if _KEY.fullmatch(key):  # a key no name was found for: never shown as a key
            return key.replace("_", " ")
    if task.kind is CareKind.REVERIFICATION:
        fields = [f.strip() for f in task.occasion.split(",")]
        words = [_FIELDS.get(f, {}).get(locale, f.replace("_", " ")) for f in fields]
        return listed(words, locale)
    return task.occasion


def _name_in(person: Rep | Company, locale: str, tag: str) -> str:
    """``person``'s name for the chosen ``locale`` (``zh-Hant``) or the contact's ``tag``."""
    return person.names.get(locale) or person.name_for(tag)


# What another template engine's placeholder looks like. string.Template leaves all of
# these alone, so a template written for the wrong engine would reach customers as written
# ("Dear {contact_name},"); they are refused when the template is loaded instead. Each
# entry: the pattern, what it is, and the group holding the name it refers to (if any).
_LOOKALIKES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\{\{[{#^/>&!]?\s*([A-Za-z_]\w*)?[^{}]*\}*"),
     "a Jinja, Mustache or Handlebars placeholder"),
    (re.compile(r"\{%\s*([A-Za-z_]\w*)?"), "a Jinja or Django tag"),
    (re.compile(r"\{#.*?#\}", re.DOTALL), "a Jinja comment"),
    (re.compile(r"<%[=\-#]?\s*([A-Za-z_]\w*)?"), "an ERB, EJS or ASP tag"),
    (re.compile(r"%\(([A-Za-z_]\w*)\)[-#0 +]*[0-9]*(?:\.[0-9]+)?[diouxXeEfFgGcrsa]"),
     "a printf-style field"),
    (re.compile(r"(?<![0-9A-Za-z%])%[sd](?![A-Za-z])"), "a printf-style field"),
    (re.compile(r"\*\|([A-Za-z_][\w:]*)\|\*"), "a Mailchimp merge tag"),
    # A year in braces ("{2024}") is text; a one-digit index ("{0}") is a positional field.
    (re.compile(r"\{([A-Za-z_]\w*|[0-9])?(?:[.\[!:][^{}\s]*)?\}|\{[0-9]+[.\[!:][^{}\s]*\}"),
     "a str.format field"),
)  # fmt: skip
# "{ contact_name }": a brace group with spaces is text, unless it holds a placeholder name.
_SPACED_NAME = re.compile(r"\{\s*([A-Za-z_]\w*)\s*\}")
# CSS in an HTML body's <style> element uses braces as CSS, not as placeholders.
_STYLE = re.compile(r"<style\b.*?</style\s*>", re.IGNORECASE | re.DOTALL)


_LOGIC = frozenset({"if", "else", "elif", "endif", "for", "endfor", "each", "unless", "with"})


def _suggestion(name: str | None) -> str:
    """ "did you mean ${contact_name}?", or how placeholders are written."""
    wanted = (name or "").strip().lower().replace("-", "_").replace(" ", "_")
    if wanted in PLACEHOLDERS:
        return f"did you mean ${{{wanted}}}?"
    if wanted in _LOGIC:
        return "templates have no conditions or loops: write one template per case"
    if wanted:
        # The placeholder sharing the most of its words with the name ("FNAME" and "name":
        # contact_name, "accountName": account_name), else the nearest by spelling.
        shared = {p: sum(len(w) for w in p.split("_") if w in wanted) for p in PLACEHOLDERS}
        best = max(shared, key=shared.__getitem__)
        close = [best] if shared[best] else []
        close = close or difflib.get_close_matches(wanted, list(PLACEHOLDERS), n=1)
        if close:
            return f"did you mean ${{{close[0]}}}?"
    return f"write a placeholder as ${{name}} with one of: {', '.join(PLACEHOLDERS)}"


def _quoted(snippet: str) -> str:
    shown = snippet.replace("\x00", "${...}")
    return repr(shown if len(shown) <= 40 else shown[:37] + "...")


def _refuse_lookalikes(name: str, part: str, template: string.Template) -> None:
    """Raise if what the template leaves as text looks like another engine's syntax."""
    # Scan the text a customer would see around our own placeholders: ``$$`` stays a
    # dollar sign, each placeholder becomes a character no lookalike pattern matches.
    text = template.pattern.sub(
        lambda m: "$" if m.group("escaped") is not None else "\x00", template.template
    )
    if part == "html":
        text = _STYLE.sub("", text)
    if "{" not in text and "%" not in text and "*|" not in text:
        return
    for pattern, what in _LOOKALIKES:
        found = pattern.search(text)
        if found is not None:
            referred = found.group(1) if pattern.groups else None
            raise ConfigurationError(
                f"template {name!r} has {what} in its {part}, {_quoted(found.group(0))}, "
                f"which would reach the customer as written: {_suggestion(referred)}"
            )
    for found in _SPACED_NAME.finditer(text):
        if found.group(1).lower() in PLACEHOLDERS:
            raise ConfigurationError(
                f"template {name!r} has a brace placeholder in its {part}, "
                f"{_quoted(found.group(0))}, which would reach the customer as written: "
                f"{_suggestion(found.group(1))}"
            )


def _check_part(name: str, part: str, text: str) -> string.Template:
    template = string.Template(text)
    if not template.is_valid():
        raise ConfigurationError(
            f"template {name!r} has a malformed {part}: use $$ for a dollar sign and "
            "${name} for a placeholder"
        )
    for identifier in template.get_identifiers():
        if identifier not in PLACEHOLDERS:
            close = difflib.get_close_matches(identifier, list(PLACEHOLDERS), n=1)
            hint = f"did you mean ${{{close[0]}}}? " if close else ""
            raise ConfigurationError(
                f"template {name!r} uses unknown placeholder {identifier!r} in its {part}; "
                f"{hint}allowed: {', '.join(PLACEHOLDERS)}"
            )
    _refuse_lookalikes(name, part, template)
    return template


def _unix_lines(text: str) -> str:
    """``text`` with Windows and old Mac line ends as line feeds: a template file saved
    on Windows renders to the same message (and a message holds no carriage return)."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _one_line(text: str) -> str:
    return _unix_lines(text).strip()


# A line that is a short label and one placeholder: "Preferences: ${preferences}".
_LABELLED = re.compile(r"^[^\n$:：]{1,24}[:：][ \t]*\$\{(\w+)\}[ \t]*(?:\n|\Z)", re.MULTILINE)
# A placeholder followed by a full stop ("working with ${account_short_name}."), not "$$".
_STOPPED = re.compile(r"(?<!\$)((?:\$\$)*)\$(?:\{(\w+)\}|(\w+))\.")


def _unstopped(source: str, names: frozenset[str]) -> str:
    """``source`` without the full stop after each of ``names``: their values end in one."""
    return _STOPPED.sub(
        lambda m: m.group(0)[:-1] if (m.group(2) or m.group(3)) in names else m.group(0), source
    )


@attrs.frozen
class MessageTemplate:
    """One template: checked when built, so rendering cannot fail on a placeholder.

    >>> MessageTemplate("birthday/en", "Hi ${name}", "x")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    accountcare.errors.ConfigurationError: template 'birthday/en' uses unknown placeholder 'name'...
    >>> MessageTemplate("birthday/en", "Hi {contact_name}", "x")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    accountcare.errors.ConfigurationError: template 'birthday/en' has a str.format field ...
    ... did you mean ${contact_name}?
    >>> MessageTemplate("birthday/en", "Hi ${contact_name} {see below}", "$$5").render({})[1]
    '$5'
    """

    name: str
    subject: str = attrs.field(converter=_one_line)
    text: str = attrs.field(converter=_unix_lines)
    html: str | None = attrs.field(default=None, converter=attrs.converters.optional(_unix_lines))
    _compiled: tuple[string.Template, string.Template, string.Template | None] = attrs.field(
        init=False, eq=False, repr=False
    )
    _labelled: frozenset[str] = attrs.field(init=False, eq=False, repr=False)
    _stopped: frozenset[str] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if not self.subject.strip() or not self.text.strip():
            raise ConfigurationError(f"template {self.name!r} needs a subject and a text")
        compiled = (
            _check_part(self.name, "subject", self.subject),
            _check_part(self.name, "text", self.text),
            _check_part(self.name, "html", self.html) if self.html is not None else None,
        )
        if "\n" in self.subject:
            raise ConfigurationError(f"template {self.name!r}: the subject must be one line")
        object.__setattr__(self, "_compiled", compiled)
        labelled = frozenset(m.group(1) for m in _LABELLED.finditer(self.text))
        object.__setattr__(self, "_labelled", labelled)
        parts = (self.subject, self.text, self.html or "")
        stopped = frozenset(m.group(2) or m.group(3) for p in parts for m in _STOPPED.finditer(p))
        object.__setattr__(self, "_stopped", stopped)

    def render(self, values: Mapping[str, str]) -> tuple[str, str, str]:
        """Subject, text and HTML with ``values`` substituted (HTML-escaped in the HTML).

        Line breaks in values are flattened in the subject, so a value cannot add a header.
        A value ending in a full stop ("Co., Ltd.") takes the place of the one after it.

        >>> MessageTemplate("t", "Hi", "With ${account_name}.").render(
        ...     {"account_name": "ACME Co., Ltd."})[1]
        'With ACME Co., Ltd.'
        """
        subject_template, text_template, html_template = self._compiled
        full = {name: values.get(name, "") for name in PLACEHOLDERS}
        flat = {k: " ".join(v.split()) for k, v in full.items()}
        source = self.text
        stops = frozenset(name for name in self._stopped if full[name].endswith("."))
        if stops:
            subject_template = string.Template(_unstopped(self.subject, stops))
            source = _unstopped(source, stops)
            text_template = string.Template(source)
            if self.html is not None:
                html_template = string.Template(_unstopped(self.html, stops))
        subject = subject_template.substitute(flat)
        if any(not full[name].strip() for name in self._labelled):
            # A line that labels one placeholder ("Hobbies: ${hobbies}") is left out when
            # the value is empty, so a customer's script never shows "Hobbies:" alone.
            source = _LABELLED.sub(
                lambda line: "" if not full[line.group(1)].strip() else line.group(0), source
            )
            text_template = string.Template(re.sub(r"\n{3,}", "\n\n", source))
        text = text_template.substitute(full)
        if html_template is not None:
            body = html_template.substitute({k: html.escape(v) for k, v in full.items()})
        else:
            body = _paragraphs(text)
        return subject, text, body


def _paragraphs(text: str) -> str:
    # Escaping leaves line breaks and spaces alone, so the whole text is escaped at once.
    blocks = [b for b in html.escape(text).split("\n\n") if b.strip()]
    inner = "".join("<p>" + b.replace("\n", "<br>\n") + "</p>\n" for b in blocks)
    return f"<!DOCTYPE html>\n<html><body>\n{inner}</body></html>\n"


def _address(contact: Contact, channel: Channel) -> str:
    if channel is Channel.EMAIL:
        if contact.emails:
            return contact.emails[0]
        field = "emails"
    else:
        if contact.phones:
            phone = contact.phones[0]
            return phone.e164 or phone.raw
        field = "phones"
    raise InvalidRecord(
        f"Contact {contact.id!r}", field, f"is empty: no address to reach it by {channel.value}"
    )


@attrs.frozen
class TemplateBook:
    """Templates by key (a care kind's value or a task's ``template_key``) and locale.

    >>> book = TemplateBook.from_mapping({"birthday": {"en": {"subject": "Hi ${contact_name}",
    ...                                                      "text": "Happy birthday!"}}})
    >>> book.template("birthday", "de-DE").subject
    'Hi ${contact_name}'
    """

    templates: Mapping[tuple[str, str], MessageTemplate] = attrs.field(
        factory=FrozenMap, converter=FrozenMap
    )
    _locales_of: Mapping[str, frozenset[str]] = attrs.field(init=False, eq=False, repr=False)
    _all_locales: frozenset[str] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        locales: dict[str, set[str]] = {}
        for key, locale in self.templates:
            locales.setdefault(key, set()).add(locale)
        by_key: FrozenMap[str, frozenset[str]] = FrozenMap(
            {k: frozenset(v) for k, v in locales.items()}
        )
        object.__setattr__(self, "_locales_of", by_key)
        object.__setattr__(self, "_all_locales", frozenset(loc for _, loc in self.templates))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Mapping[str, Mapping[str, str]]]) -> TemplateBook:
        """Load ``{key: {locale: {"subject", "text", "html"?}}}``, validating every one."""
        found: dict[tuple[str, str], MessageTemplate] = {}
        for key, by_locale in data.items():
            for locale, parts in by_locale.items():
                name = f"{key}/{locale}"
                extra = set(parts) - {"subject", "text", "html"}
                if extra:
                    raise ConfigurationError(
                        f"template {name!r} has unknown parts {sorted(extra)}; "
                        "use subject, text and html"
                    )
                found[(key, locale)] = MessageTemplate(  # which says if a part is missing
                    name, parts.get("subject", ""), parts.get("text", ""), parts.get("html")
                )
        return cls(found)

    def merged(self, other: TemplateBook) -> TemplateBook:
        """This book with ``other``'s templates added or replacing the same key and locale."""
        return TemplateBook({**self.templates, **other.templates})

    @property
    def locales(self) -> frozenset[str]:
        """Every locale some template is written in."""
        return self._all_locales

    def template(self, key: str, locale: str, fallback_key: str | None = None) -> MessageTemplate:
        """The template for ``key`` (or ``fallback_key``) in the best locale available.

        A key written in the contact's locale or in English wins over the fallback key (a
        template written for one event says more than its kind's); a key written in
        other locales only (a Korean New Year wish) leaves the others to the fallback.
        """
        for candidate in (key, fallback_key):
            if candidate is None:
                continue
            locales = self._locales_of.get(candidate)
            if not locales:
                continue
            chosen = resolve_locale(locale, locales)
            if (candidate, chosen) in self.templates:
                return self.templates[(candidate, chosen)]
        raise ConfigurationError(
            f"no template {key!r} for locale {locale!r} (nor in English); add one to the book"
        )

    def render(
        self,
        task: CareTask,
        contact: Contact,
        account: Account,
        *,
        rep_name: str = "",
        company_name: str = "",
        link: str = "",
        address: str | None = None,
        rep: Rep | None = None,
        company: Company | None = None,
        occasion: str | None = None,
    ) -> Message:
        """The message for ``task``, in the contact's locale, to its first address on the
        task's channel (or ``address``). The key is ``task.key``.

        ``rep`` and ``company`` sign it in the contact's language (their ``names``),
        instead of ``rep_name`` and ``company_name``. A holiday's occasion becomes the
        holiday's name in the contact's language; ``occasion`` replaces the task's.
        """
        locale = resolve_locale(contact.locale, self.locales or LOCALES)
        template = self.template(task.template_key, contact.locale, task.kind.value)
        if rep is not None:
            rep_name = _name_in(rep, locale, contact.locale)
        if company is not None:
            company_name = _name_in(company, locale, contact.locale)
        values = {
            "contact_name": contact.name,
            "contact_title": contact.title,
            "account_name": account.name,
            "account_short_name": account.short_name or account.name,
            "occasion": _occasion(task, contact, locale) if occasion is None else occasion,
            "rep_name": rep_name,
            "company_name": company_name,
            "date": format_date(task.on, locale),
            "link": link,
            "preferences": listed(contact.preferences, locale),
            "hobbies": listed(contact.hobbies, locale),
        }
        # A record stored before one-line fields refused control characters, or a
        # caller's company name, still renders: each value is made one line first.
        values = {name: one_line(value) for name, value in values.items()}
        values["signature"] = signature(values["rep_name"], values["company_name"], locale)
        values["sender"] = sender(values["rep_name"], values["company_name"], locale)
        subject, text, body = template.render(values)
        return Message(
            key=task.key,
            channel=task.channel,
            recipient=Recipient(
                contact.id,
                values["contact_name"],
                address if address is not None else _address(contact, task.channel),
                locale,
            ),
            subject=subject,
            text=_tidy(text),
            html=body,
            due_at=task.due_at,
            sender_name=values["rep_name"] or values["company_name"],
        )


def _tidy(text: str) -> str:
    """``text`` without spaces at line ends or runs of blank lines (an empty value)."""
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def default_templates() -> TemplateBook:
    """The built-in templates: every care kind in en, zh-Hans, zh-Hant and ko."""
    return TemplateBook.from_mapping(BUILTIN)
