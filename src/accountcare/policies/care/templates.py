"""Greeting templates: per care kind and locale, validated when loaded, rendered safely.

A template is a subject, a plain text and optionally an HTML body written with
``string.Template`` placeholders (``${contact_name}``). Rendering substitutes strings
from a fixed dictionary, never attributes of objects, so a template cannot reach into
the program. Only the names in :data:`PLACEHOLDERS` are allowed; an unknown name, a
stray ``$`` or an unclosed ``${`` is a :class:`~accountcare.errors.ConfigurationError`
when the template is loaded, naming the template and the placeholder.

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

import difflib
import functools
import html
import re
import string
from collections.abc import Mapping
from datetime import date
from types import MappingProxyType

import attrs

from accountcare.domain._frozen import FrozenMap
from accountcare.domain._validate import one_line
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
        # A record stored before one-line fields refused control characters, or a
        # caller's company name, still renders: each value is made one line first.
        values = {name: one_line(value) for name, value in values.items()}
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
            text=text,
            html=body,
            due_at=task.due_at,
            sender_name=values["rep_name"],
        )


def default_templates() -> TemplateBook:
    """The built-in templates: every care kind in en, zh-Hans, zh-Hant and ko."""
    return TemplateBook.from_mapping(BUILTIN)
