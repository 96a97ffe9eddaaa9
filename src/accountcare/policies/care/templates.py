"""Greeting templates: per care kind and locale, validated when loaded, rendered safely.

A template is a subject, a plain text and optionally an HTML body written with
``string.Template`` placeholders (``${contact_name}``). Rendering substitutes strings
from a fixed dictionary, never attributes of objects, so a template cannot reach into
the program. Only the names in :data:`PLACEHOLDERS` are allowed; an unknown name, a
stray ``$`` or an unclosed ``${`` is a :class:`~accountcare.errors.ConfigurationError`
when the template is loaded, naming the template and the placeholder.

Locales fall back: ``zh-CN``/``zh-SG``/``zh`` -> ``zh-Hans``, ``zh-TW``/``zh-HK``/``zh-MO``
-> ``zh-Hant``, ``ko-KR`` -> ``ko``, any other -> its language if the book has it, else
``en`` (see :func:`resolve_locale`).

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
'恭祝春节快乐'
"""

from __future__ import annotations

import functools
import html
import string
from collections.abc import Mapping
from datetime import date
from types import MappingProxyType

import attrs

from accountcare.domain._frozen import FrozenMap
from accountcare.domain.accounts import Account
from accountcare.domain.care import CareTask
from accountcare.domain.contacts import Channel, Contact
from accountcare.domain.messages import Message, Recipient
from accountcare.errors import ConfigurationError, InvalidRecord
from accountcare.policies.care._templates_builtin import BUILTIN

__all__ = [
    "LOCALES",
    "PLACEHOLDERS",
    "MessageTemplate",
    "TemplateBook",
    "default_templates",
    "format_date",
    "resolve_locale",
]

# The only names a template may use, and what each holds.
PLACEHOLDERS: Mapping[str, str] = MappingProxyType(
    {
        "contact_name": "the contact's name as recorded",
        "contact_title": "the contact's job title (may be empty)",
        "account_name": "the account's name",
        "account_short_name": "the account's short name, or its name when it has none",
        "occasion": "what the task is for: the holiday's name, the product, the event",
        "rep_name": "the sending rep's name (render parameter)",
        "company_name": "the sender's company (render parameter)",
        "date": "the task's date, written the locale's way",
        "link": "a survey, form or event link (render parameter)",
    }
)

# The locales the built-in templates are written in.
LOCALES: tuple[str, ...] = ("en", "zh-Hans", "zh-Hant", "ko")
"""The locales the built-in templates are written in."""

_HANT_REGIONS = frozenset({"TW", "HK", "MO", "HANT"})


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
    parts = [p for p in tag.split("-") if p]
    language = parts[0].lower() if parts else ""
    if language == "zh":
        script = "zh-Hant" if any(p.upper() in _HANT_REGIONS for p in parts[1:]) else "zh-Hans"
        if script in available:
            return script
    lowered = {a.lower(): a for a in available}
    if tag.lower() in lowered:
        return lowered[tag.lower()]
    if language in lowered:
        return lowered[language]
    return "en"


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


def _check_part(name: str, part: str, text: str) -> string.Template:
    template = string.Template(text)
    if not template.is_valid():
        raise ConfigurationError(
            f"template {name!r} has a malformed {part}: use $$ for a dollar sign and "
            "${name} for a placeholder"
        )
    for identifier in template.get_identifiers():
        if identifier not in PLACEHOLDERS:
            raise ConfigurationError(
                f"template {name!r} uses unknown placeholder {identifier!r} in its {part}; "
                f"allowed: {', '.join(PLACEHOLDERS)}"
            )
    return template


@attrs.frozen
class MessageTemplate:
    """One template: checked when built, so rendering cannot fail on a placeholder.

    >>> MessageTemplate("birthday/en", "Hi ${name}", "x")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    accountcare.errors.ConfigurationError: template 'birthday/en' uses unknown placeholder 'name'...
    """

    name: str
    subject: str
    text: str
    html: str | None = None
    _compiled: tuple[string.Template, string.Template, string.Template | None] = attrs.field(
        init=False, eq=False, repr=False
    )

    def __attrs_post_init__(self) -> None:
        if not self.subject.strip() or not self.text.strip():
            raise ConfigurationError(f"template {self.name!r} needs a subject and a text")
        compiled = (
            _check_part(self.name, "subject", self.subject),
            _check_part(self.name, "text", self.text),
            _check_part(self.name, "html", self.html) if self.html is not None else None,
        )
        object.__setattr__(self, "_compiled", compiled)

    def render(self, values: Mapping[str, str]) -> tuple[str, str, str]:
        """Subject, text and HTML with ``values`` substituted (HTML-escaped in the HTML).

        Line breaks in values are flattened in the subject, so a value cannot add a header.
        """
        subject_template, text_template, html_template = self._compiled
        full = {name: values.get(name, "") for name in PLACEHOLDERS}
        flat = {k: " ".join(v.split()) for k, v in full.items()}
        subject = subject_template.substitute(flat)
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
                if "subject" not in parts or "text" not in parts:
                    raise ConfigurationError(f"template {name!r} needs a subject and a text")
                found[(key, locale)] = MessageTemplate(
                    name, parts["subject"], parts["text"], parts.get("html")
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
        """The template for ``key`` (or ``fallback_key``) in the best locale available."""
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
    ) -> Message:
        """The message for ``task``, in the contact's locale, to its first address on the
        task's channel (or ``address``). The key is ``task.key``."""
        locale = resolve_locale(contact.locale, self.locales or LOCALES)
        template = self.template(task.template_key, contact.locale, task.kind.value)
        values = {
            "contact_name": contact.name,
            "contact_title": contact.title,
            "account_name": account.name,
            "account_short_name": account.short_name or account.name,
            "occasion": task.occasion,
            "rep_name": rep_name,
            "company_name": company_name,
            "date": format_date(task.on, locale),
            "link": link,
        }
        subject, text, body = template.render(values)
        return Message(
            key=task.key,
            channel=task.channel,
            recipient=Recipient(
                contact.id,
                contact.name,
                address if address is not None else _address(contact, task.channel),
                locale,
            ),
            subject=subject,
            text=text,
            html=body,
            due_at=task.due_at,
            sender_name=rep_name,
        )


def default_templates() -> TemplateBook:
    """The built-in templates: every care kind in en, zh-Hans, zh-Hant and ko."""
    return TemplateBook.from_mapping(BUILTIN)
