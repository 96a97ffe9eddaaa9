"""vCard 2.1, 3.0 and 4.0, read by a small tolerant parser of our own.

Android exports vCard 2.1 with names as ``N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:``,
every byte written ``=XX`` and soft line breaks (a line ending in ``=``) every 23 bytes;
vobject stumbles on those, so the parser works on bytes: it joins folded lines (a line
starting with a space or tab) and soft breaks, decodes quoted-printable with ``quopri``,
then decodes each value with its ``CHARSET`` (GB2312, Big5, EUC-KR... as phones of the
region write them) or the file's encoding (UTF-8 unless the caller declares one). iOS
writes vCard 3.0 with ``item1.TEL`` groups labelled by ``item1.X-ABLabel`` and year-less
birthdays as ``BDAY;X-APPLE-OMIT-YEAR=1604:1604-02-29``; vCard 4.0 writes ``TEL;VALUE=uri:
tel:+82...`` and ``BDAY:--0229``. All of these are understood.

Lunar birthdays are read as phones write them: iOS ``X-ALTBDAY;CALSCALE=chinese:
007800021101`` (see `parse_lunar`), vCard 4 ``BDAY;CALSCALE=chinese:19850111``,
and Android events (``X-ANDROID-CUSTOM:vnd.android.cursor.item/contact_event;--04-15;0;
음력 생일;...``: a custom event labelled as a lunar birthday, or a birthday, type 3, with
Samsung's lunar flag 1, or 2 for a leap month, in its last field). A lunar birthday is in
the Korean calendar for a Korean contact and in the Chinese one otherwise, and is kept
instead of a Gregorian ``BDAY``. ``TZ`` with a zone name (``TZ:Asia/Seoul``; not a UTC
offset, which says no zone) and ``LANG`` (``LANG:ko``) are the contact's time zone and
locale; ``X-ACCOUNTCARE-CONSENT:email,sms`` and ``X-ACCOUNTCARE-OPT-OUT:TRUE`` are its
consent and opt-out, recorded with the card as their evidence.

A file whose cards cannot be delimited (a card with no ``END:VCARD``, text outside any
card) raises [`ImportFormatError`][accountcare.adapters.importers.report.ImportFormatError]
naming the card and the line. A bad line inside a card is a problem of that card, reported
with the rest: a line that is not ``NAME:value``, a value that is not valid in its charset,
and a ``CHARSET`` that is not a character set text is written in (``CHARSET=base64``,
``hex``, ``zlib``, ``punycode``...: see
[`encoding_name`][accountcare.adapters.importers.text.encoding_name]).

Names, titles, company names and phone numbers are cleaned of control characters (each
run becomes a space; the report warns, naming the card and the property); a ``UID`` is an
id and is taken as written, so one with a control character is a problem of its card.
"""

from __future__ import annotations

import codecs
import quopri
import re

import attrs

from accountcare.adapters.importers.drafts import (
    ContactDraft,
    ImportOptions,
    assemble,
    person_name,
)
from accountcare.adapters.importers.kinds import phone_kind
from accountcare.adapters.importers.report import ImportFormatError, ImportReport, finish
from accountcare.adapters.importers.text import Source, encoding_name, read_bytes
from accountcare.domain.contacts import BirthdayCalendar
from accountcare.errors import ConfigurationError

__all__ = ["Card", "Property", "parse_vcards", "read_vcards"]

_WANTED = frozenset(
    {"FN", "N", "TEL", "EMAIL", "BDAY", "ORG", "TITLE", "UID", "X-ABLABEL", "X-ALTBDAY",
     "X-ANDROID-CUSTOM", "TZ", "LANG", "X-ACCOUNTCARE-CONSENT", "X-ACCOUNTCARE-OPT-OUT"}
)  # fmt: skip
_EVENT = "vnd.android.cursor.item/contact_event"
# The labels Android users give a custom event that is a lunar birthday.
_LUNAR_LABELS = frozenset(
    {"lunar birthday", "lunar", "农历生日", "农历", "農曆生日", "阴历生日", "陰曆生日",
     "음력 생일", "음력생일", "음력"}
)  # fmt: skip
_CALENDARS = {"chinese": None, "korean": BirthdayCalendar.KOREAN_LUNAR}
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_UNESCAPED = {"n": "\n", "N": "\n"}


@attrs.frozen
class Property:
    """One content line of a card, decoded: ``item1.TEL;TYPE=CELL:+82...``."""

    name: str  # upper case, without the group
    value: str  # decoded text, escapes still in place (they matter for N and ORG)
    params: tuple[tuple[str, str], ...] = ()  # (NAME, value) pairs, names upper case
    group: str = ""
    line: int = 0

    def param(self, name: str) -> list[str]:
        return [v for k, v in self.params if k == name]


@attrs.frozen
class Card:
    """One ``BEGIN:VCARD`` ... ``END:VCARD`` block: its number (1 = first), the line it
    starts on, its version, its properties and the lines that could not be read."""

    number: int
    line: int
    version: str
    properties: tuple[Property, ...]
    bad_lines: tuple[tuple[int, str, str], ...] = ()  # (line, property name or "", problem)


def parse_vcards(data: bytes, encoding: str | None = None) -> list[Card]:
    """The cards of a ``.vcf`` file (only the properties contacts need are decoded).

    >>> text = (b"BEGIN:VCARD\\r\\nVERSION:2.1\\r\\n"
    ...         b"N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E7=8E=8B;=E4=BC=9F;;;\\r\\n"
    ...         b"TEL;CELL:138 0013 8000\\r\\nEND:VCARD\\r\\n")
    >>> [(p.name, p.value) for p in parse_vcards(text)[0].properties]
    [('N', '王;伟;;;'), ('TEL', '138 0013 8000')]
    """
    data, charset = _without_bom(data, encoding)
    cards: list[Card] = []
    card: _OpenCard | None = None
    for number, raw in _logical_lines(data):
        upper = raw.strip().upper()
        if card is None:
            if upper == b"BEGIN:VCARD":
                card = _OpenCard(number)
            elif upper:
                raise ImportFormatError(
                    f"line {number}: {_show(raw)} is outside any card "
                    f"(after card {len(cards)}); a vCard file is BEGIN:VCARD ... END:VCARD blocks"
                )
        elif upper == b"END:VCARD":
            cards.append(card.closed(len(cards) + 1))
            card = None
        elif upper == b"BEGIN:VCARD":
            raise ImportFormatError(
                f"card {len(cards) + 1} (from line {card.start}) has no END:VCARD before the "
                f"next BEGIN:VCARD on line {number}"
            )
        elif upper:
            card.add(_property(raw, number, charset), number)
    if card is not None:
        raise ImportFormatError(
            f"card {len(cards) + 1} (from line {card.start}) has no END:VCARD: the file ends "
            "inside it"
        )
    return cards


def _without_bom(data: bytes, encoding: str | None) -> tuple[bytes, str]:
    """The file without its byte order mark (UTF-16 re-encoded as UTF-8), and its charset."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeError as exc:  # odd length, or a lone surrogate
            at = getattr(exc, "start", 0)
            raise ImportFormatError(
                f"the file starts with a UTF-16 byte order mark but the bytes at offset {at} "
                "are not valid UTF-16"
            ) from exc
        encoding = "utf-8"
    return data, encoding_name(encoding) if encoding else "utf-8"


@attrs.define
class _OpenCard:
    """The card being read: the line it starts on, and what it holds so far."""

    start: int
    version: str = ""
    properties: list[Property] = attrs.Factory(list)
    bad: list[tuple[int, str, str]] = attrs.Factory(list)

    def add(self, found: Property | tuple[str, str] | None, number: int) -> None:
        """One property line read (a problem when ``found`` is a ``(property name,
        problem)`` pair, skipped if None)."""
        if isinstance(found, tuple):
            self.bad.append((number, *found))
        elif found is not None:
            if found.name == "VERSION":
                self.version = found.value.strip()
            elif found.name in _WANTED:
                self.properties.append(found)

    def closed(self, number: int) -> Card:
        return Card(number, self.start, self.version, tuple(self.properties), tuple(self.bad))


def _show(raw: bytes) -> str:
    return repr(raw[:40].decode("utf-8", "replace"))


def _logical_lines(data: bytes) -> list[tuple[int, bytes]]:
    """Physical lines joined: folding (leading space/tab) and quoted-printable soft breaks."""
    out: list[tuple[int, bytes]] = []
    pending: list[bytes] = []
    first = 0
    soft = False
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.endswith(b"\r"):
            line = line[:-1]
        if pending and (soft or line[:1] in (b" ", b"\t")):
            pending.append(line if soft else line[1:])
        else:
            if pending:
                out.append((first, b"".join(pending)))
            pending, first = [line], number
        soft = b"QUOTED-PRINTABLE" in pending[0].split(b":", 1)[0].upper() and line.endswith(b"=")
        if soft:
            pending[-1] = pending[-1][:-1]
    if pending:
        out.append((first, b"".join(pending)))
    return out


def _property(raw: bytes, line: int, charset: str) -> Property | tuple[str, str] | None:
    colon = _value_start(raw)
    if colon < 0:
        return "", f"is not a property line (NAME:value): {_show(raw)}"
    end = raw.find(b";", 0, colon)
    first = raw[: colon if end < 0 else end]
    name = first[first.rfind(b".") + 1 :].strip().upper().decode("ascii", "replace")
    if name not in _WANTED and name != "VERSION":
        return None  # photos, addresses, notes...: never decoded
    head = raw[:colon].decode("ascii", "replace")
    parts = head.split(";")
    group = parts[0].rpartition(".")[0]
    params: list[tuple[str, str]] = []
    for part in parts[1:]:
        key, sep, value = part.partition("=")
        if not sep:
            key, value = "TYPE", key  # vCard 2.1 bare parameters: TEL;CELL;PREF
        for item in value.split(","):
            params.append((key.strip().upper(), item.strip().strip('"')))
    body = raw[colon + 1 :]
    encodings = {v.upper() for k, v in params if k in ("ENCODING", "TYPE")}
    if "QUOTED-PRINTABLE" in encodings:
        body = quopri.decodestring(body)
    declared = next((v for k, v in params if k == "CHARSET"), None)
    codec = charset
    if declared:
        try:
            codec = encoding_name(declared)
        except ConfigurationError as exc:
            return name, f"has a CHARSET that cannot be used: {exc}"
    try:
        text = body.decode(codec)
    except UnicodeError:
        return (
            name,
            f"is not valid {codec} text (give the file's encoding, or a CHARSET on the property)",
        )
    return Property(name, text, tuple(params), group, line)


def _value_start(raw: bytes) -> int:
    """The colon that ends the name and parameters (colons inside quotes do not count)."""
    colon = raw.find(b":")
    if colon < 0 or b'"' not in raw[:colon]:
        return colon
    quoted = False
    for at, byte in enumerate(raw):
        if byte == 0x22:  # "
            quoted = not quoted
        elif byte == 0x3A and not quoted:  # :
            return at
    return -1


def unescape(text: str) -> str:
    r"""vCard text escapes undone: ``\n`` newline, ``\,`` ``\;`` ``\\``."""
    return _ESCAPE.sub(lambda m: _UNESCAPED.get(m.group(1), m.group(1)), text)


def components(text: str) -> list[str]:
    """A structured value (``N``, ``ORG``) split on unescaped ``;``."""
    return [unescape(part) for part in re.split(r"(?<!\\);", text)]


def read_vcards(source: Source, *, options: ImportOptions) -> ImportReport:
    """Contacts from a ``.vcf`` file of one or many cards (vCard 2.1, 3.0 or 4.0).

    >>> from datetime import date
    >>> data = (b"BEGIN:VCARD\\nVERSION:4.0\\nFN:Kim Minji\\nTEL;VALUE=uri:tel:+82-10-1234-5678"
    ...         b"\\nBDAY:--0229\\nEND:VCARD\\n")
    >>> contact = read_vcards(data, options=ImportOptions(as_of=date(2026, 11, 22),
    ...                       account_id="personal")).contacts[0]
    >>> contact.phones[0].e164, contact.birthday.isoformat()
    ('+821012345678', '--02-29')
    """
    cards = parse_vcards(read_bytes(source), options.encoding)
    drafts = [_draft(card) for card in cards]
    return finish(assemble(drafts, options), keep_good=options.keep_good, source=options.source)


def _draft(card: Card) -> ContactDraft:
    draft = ContactDraft("card", card.number, name_field="FN", birthday_field="BDAY")
    draft.company_field = "ORG"
    draft.id_field = "UID"
    draft.title_field = "TITLE"
    for line, name, problem in card.bad_lines:
        draft.fail(f"{name} (line {line})" if name else f"line {line}", problem)
    labels = {p.group: p.value for p in card.properties if p.name == "X-ABLABEL" and p.group}
    family = given = middle = ""
    for prop in card.properties:
        where = f"{prop.name} (line {prop.line})"
        if prop.name == "FN":
            draft.name = " ".join(draft.clean(where, unescape(prop.value)).split())
            draft.name_field = where
        elif prop.name == "N":
            parts = [*components(prop.value), "", "", ""]
            family, given, middle = (draft.clean(where, p).strip() for p in parts[:3])
            if not draft.name:
                draft.name_field = where
        elif prop.name == "TEL":
            number = draft.clean(where, prop.value).strip()
            if number.lower().startswith("tel:"):
                number = number[4:].split(";", 1)[0]
            if number:
                draft.phones.append((number, _kind(prop, labels), where))
        elif prop.name == "EMAIL" and prop.value.strip():
            draft.emails.append((unescape(prop.value).strip(), where))
        elif prop.name in ("BDAY", "X-ALTBDAY") and (scale := _lunar_scale(prop)):
            _lunar(draft, prop.value, where, _CALENDARS[scale])
        elif prop.name == "X-ANDROID-CUSTOM":
            _android_event(draft, components(prop.value), where)
        elif prop.name == "TZ" and "/" in prop.value:  # a zone name, not a UTC offset
            draft.time_zone = (unescape(prop.value).strip(), where)
        elif prop.name == "LANG" and prop.value.strip() and not draft.locale[0]:
            draft.locale = (prop.value.strip(), where)
        elif prop.name == "X-ACCOUNTCARE-CONSENT":
            draft.consents.append((unescape(prop.value).strip(), where))
        elif prop.name == "X-ACCOUNTCARE-OPT-OUT":
            draft.opt_out = (prop.value.strip(), where)
        elif prop.name == "BDAY":  # (X-ALTBDAY in another calendar is not kept)
            draft.birthday, draft.birthday_field = prop.value.strip(), where
            year = next(iter(prop.param("X-APPLE-OMIT-YEAR")), "")
            draft.omit_year = (
                int(year) if year.isascii() and year.isdigit() and len(year) <= 4 else None
            )
        elif prop.name == "ORG":
            draft.company = draft.clean(where, components(prop.value)[0]).strip()
            draft.company_field = where
        elif prop.name == "TITLE":
            draft.title = draft.clean(where, unescape(prop.value)).strip()
            draft.title_field = where
        elif prop.name == "UID":
            draft.contact_id = prop.value.strip(" ")  # as written: the domain judges it
            draft.id_field = where
    if not draft.name and (family or given):
        draft.name = person_name(given, middle, family)
    return draft


def _lunar_scale(prop: Property) -> str:
    """The lunar calendar a date property names with ``CALSCALE`` ("" for none)."""
    scale = next((v.casefold() for v in prop.param("CALSCALE")), "")
    return scale if scale in _CALENDARS else ""


def _lunar(draft: ContactDraft, value: str, where: str, calendar: BirthdayCalendar | None) -> None:
    if value.strip() and not draft.lunar[0]:
        draft.lunar, draft.lunar_calendar = (value.strip(), where), calendar


def _android_event(draft: ContactDraft, parts: list[str], where: str) -> None:
    """An Android event (``X-ANDROID-CUSTOM:vnd.android.cursor.item/contact_event;date;
    type;label;...``) that is a lunar birthday: a custom event labelled so, or a birthday
    (type 3) with Samsung's lunar flag in the last field (1, or 2 for a leap month)."""
    if len(parts) < 3 or parts[0].strip() != _EVENT or not parts[1].strip():
        return
    kind = parts[2].strip()
    label = parts[3].strip().casefold() if len(parts) > 3 else ""
    flag = parts[15].strip() if len(parts) > 15 else ""
    if kind == "0" and label in _LUNAR_LABELS:
        _lunar(draft, parts[1], where, None)
    elif kind == "3" and flag in ("1", "2"):
        _lunar(draft, ("윤" if flag == "2" else "") + parts[1].strip(), where, None)


def _kind(prop: Property, labels: dict[str, str]) -> str:
    label = labels.get(prop.group, "")
    if label:
        return phone_kind(label)
    for value in prop.param("TYPE"):
        kind = phone_kind(value, "")
        if kind:
            return kind
    return "mobile" if not prop.params else "other"
