"""Who is who on import: one company however its name is written, and one person however
often their export is read again.

[`normalise_company`][accountcare.policies.identity.normalise_company] turns a company
name into the key two spellings of one company share (``上海华东电子有限公司`` and
``上海华东电子``; ``(주)한빛소프트`` and ``한빛소프트 주식회사``; ``ACME Co., Ltd.`` and
``Acme``); a [`CompanyIndex`][accountcare.policies.identity.CompanyIndex] finds the one
stored account a name means, or says it is ambiguous and never guesses.
[`merge_contact`][accountcare.policies.identity.merge_contact] folds an imported contact
into the stored one without erasing anything the file did not give, and a
[`ContactIndex`][accountcare.policies.identity.ContactIndex] finds the stored contact an
imported one is (by id, then E.164 phone number, then email address).

>>> normalise_company("ＡＣＭＥ Co., Ltd.") == normalise_company("Acme")
True
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import date
from typing import Any, TypeVar

import attrs

from accountcare.domain.accounts import Account
from accountcare.domain.contacts import (
    Channel,
    ConsentAction,
    Contact,
    PhoneNumber,
    channels_of_addresses,
    layer_of_role,
)
from accountcare.domain.team import Rep

T = TypeVar("T")

__all__ = [
    "DEFAULT_PLACES",
    "DEFAULT_SUFFIXES",
    "CompanyIndex",
    "CompanyMatch",
    "ContactIndex",
    "merge_account",
    "merge_contact",
    "merge_rep",
    "normalise_company",
    "person_key",
    "same_person",
]

DEFAULT_SUFFIXES: tuple[str, ...] = (
    # Chinese (simplified and traditional)
    "股份有限公司",
    "有限责任公司",
    "有限責任公司",
    "有限公司",
    "集团",
    "集團",
    "公司",
    # Korean
    "주식회사",
    "유한회사",
    "(주)",
    "(유)",
    # Japanese
    "株式会社",
    "株式會社",
    "有限会社",
    "合同会社",
    "(株)",
    "(有)",
    # Latin script
    "Co., Ltd.",
    "Co Ltd",
    "Co.",
    "Ltd.",
    "Limited",
    "Inc.",
    "Corp.",
    "Corporation",
    "LLC",
    "PLC",
    "GmbH",
    "AG",
)
"""The legal forms [`normalise_company`][accountcare.policies.identity.normalise_company]
drops, before or after the name (``㈜`` and the full-width forms are read as their plain
forms, so they need no entry)."""

# Chinese company names lead with where they were registered (北京中科恒信科技有限公司),
# and people drop it when they write the name down (中科恒信科技): the provinces, the
# municipalities and the cities whose names lead most company names.
_PLACE_NAMES = (
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 "
    "江西 山东 河南 湖北 湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 "
    "内蒙古 广西 西藏 宁夏 新疆 香港 澳门 台湾 深圳 广州 杭州 南京 苏州 "
    "武汉 成都 西安 青岛 大连 宁波 厦门 无锡 佛山 东莞 长沙 郑州 济南 "
    "合肥 福州 沈阳 哈尔滨 长春 昆明 南昌 石家庄 太原 南宁 贵阳 兰州 珠海 "
    "中山 温州 常州 烟台 臺灣 臺北 台北 新北 桃園 臺中 台中 臺南 台南 "
    "高雄 廣東 廣州 蘇州 澳門"
)
DEFAULT_PLACES: tuple[str, ...] = tuple(_PLACE_NAMES.split())
"""The places a Chinese company name may lead with (each also with 省, 市 or 区/區 after
it): ``深圳市鹏程精密机械`` is ``鹏程精密机械`` when nothing else is."""

_CJK = "\u1100-\u11ff\u2e80-\u2fdf\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK_SPACE = re.compile(f"(?<=[{_CJK}]) | (?=[{_CJK}])")
_CJK_CHAR = re.compile(f"[{_CJK}]")
_LATIN = re.compile(r"[^\W\d_]", re.ASCII)


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def _words(text: str) -> str:
    """Punctuation, symbols, controls and white space as single spaces; no space next to
    a CJK character (``上海 华东`` is ``上海华东``)."""
    kept = "".join(" " if unicodedata.category(c)[0] in "PSZC" else c for c in text)
    return _CJK_SPACE.sub("", " ".join(kept.split()))


@attrs.frozen
class _Suffixes:
    """The suffixes as the name is compared: parenthesised marks (``(주)``) as written,
    word forms (``co ltd``) after a word boundary, CJK forms glued to either end."""

    marks: tuple[str, ...]
    words: tuple[str, ...]
    glued: tuple[str, ...]


@functools.lru_cache(maxsize=64)
def _suffixes(suffixes: tuple[str, ...]) -> _Suffixes:
    marks: list[str] = []
    words: list[str] = []
    glued: list[str] = []
    for suffix in suffixes:
        folded = _folded(suffix).strip()
        if folded.startswith("(") and folded.endswith(")"):
            marks.append(folded)
            continue
        word = _words(folded)
        if not word:
            continue
        (words if _LATIN.search(word) or " " in word else glued).append(word)

    def longest(items: list[str]) -> tuple[str, ...]:
        return tuple(sorted(set(items), key=lambda s: (-len(s), s)))

    return _Suffixes(longest(marks), longest(words), longest(glued))


def _strip_once(text: str, rules: _Suffixes) -> str:
    """``text`` less one legal form (a Latin-script one at its end, a CJK one at either
    end), or ``text`` itself."""
    for word in rules.words:  # Latin-script forms follow the name
        if text.endswith(word) and len(text) > len(word):
            before = text[-len(word) - 1]
            if before == " ":
                return text[: -len(word) - 1]
            if _CJK_CHAR.match(before):
                return text[: -len(word)]
    for glued in rules.glued:
        if text.endswith(glued) and len(text) > len(glued):
            return text[: -len(glued)]
        if text.startswith(glued) and len(text) > len(glued):
            return text[len(glued) :]
    return text


def normalise_company(name: str, suffixes: Sequence[str] = DEFAULT_SUFFIXES) -> str:
    """The key of a company name: Unicode NFKC (full-width letters and digits as their
    plain forms, ``㈜`` as ``(주)``), case folded, punctuation and white space collapsed
    (no space next to a CJK character), and the legal forms in ``suffixes`` dropped
    before and after the name. A name that is nothing but a legal form keeps it.

    >>> normalise_company("上海华东电子有限公司"), normalise_company("(주)한빛소프트")
    ('上海华东电子', '한빛소프트')
    >>> normalise_company("한빛소프트 주식회사"), normalise_company("ACME Co., Ltd.")
    ('한빛소프트', 'acme')
    >>> normalise_company("Müller GmbH", suffixes=()), normalise_company("Inc.")
    ('müller gmbh', 'inc')
    """
    rules = _suffixes(tuple(suffixes))
    text, before = _folded(name).strip(), None
    while text != before:  # each pass drops every mark it finds, until none is left
        before = text
        for mark in rules.marks:
            if text.endswith(mark) and text != mark:
                text = text[: -len(mark)].strip()
            elif text.startswith(mark) and text != mark:
                text = text[len(mark) :].strip()
    text = _words(text)
    while text not in rules.words and text not in rules.glued:
        shorter = _strip_once(text, rules)
        if shorter == text or not shorter:
            break
        text = shorter
    return text


@attrs.frozen
class CompanyMatch:
    """What a company name means among the accounts: the one ``account`` it names, or
    the ``candidates`` it could name (more than one: ambiguous, never guessed; none: a
    new company).

    >>> CompanyMatch(None, ()).ambiguous
    False
    """

    account: Account | None
    candidates: tuple[Account, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1


def _place_and_core(key: str, places: Sequence[str]) -> tuple[str, str]:
    """A normalised name split into the place it leads with (or "") and the rest."""
    for place in places:
        if key.startswith(place):
            rest = key[len(place) :]
            if rest[:1] in ("省", "市", "区", "區"):
                rest = rest[1:]
            if len(rest) >= 2:
                return place, rest
    return "", key


class CompanyIndex:
    """Accounts by the normalised form of their ``name`` and of their ``short_name``.

    A name that leads with a place (``places``) also names an account written without
    it, and a name without one names accounts that lead with any place; two names that
    each lead with a different place never match.

    >>> index = CompanyIndex([Account(id="C1001", name="上海华东电子有限公司"),
    ...                       Account(id="C1002", name="Hanbit Soft", short_name="한빛소프트"),
    ...                       Account(id="C1003", name="한빛소프트 주식회사")])
    >>> index.resolve("上海华东电子").account.id
    'C1001'
    >>> [a.id for a in index.resolve("(주)한빛소프트").candidates]
    ['C1002', 'C1003']
    >>> index.resolve("Globex").account is None
    True
    >>> placed = CompanyIndex([Account(id="C1005", name="深圳市鹏程精密机械有限公司")])
    >>> placed.resolve("鹏程精密机械").account.id, placed.resolve("东莞鹏程精密机械").account
    ('C1005', None)
    """

    def __init__(
        self,
        accounts: Iterable[Account] = (),
        suffixes: Sequence[str] = DEFAULT_SUFFIXES,
        places: Sequence[str] = DEFAULT_PLACES,
    ) -> None:
        self.suffixes = suffixes
        self.places = tuple(sorted(set(places), key=lambda p: (-len(p), p)))
        self._by_key: dict[str, dict[str, Account]] = {}
        self._by_core: dict[str, dict[str, tuple[str, Account]]] = {}
        for account in accounts:
            self.add(account)

    def key(self, name: str) -> str:
        """The normalised form ``name`` is compared by."""
        return normalise_company(name, self.suffixes)

    def add(self, account: Account) -> None:
        """Index ``account`` too (an account made during the import)."""
        for name in (account.name, account.short_name):
            if name.strip():
                key = self.key(name)
                if key:
                    self._by_key.setdefault(key, {})[account.id] = account
                    place, core = _place_and_core(key, self.places)
                    self._by_core.setdefault(core, {})[account.id] = (place, account)

    def remove(self, account_id: str) -> None:
        """Forget the account ``account_id`` (an account adopted by another)."""
        for found in self._by_key.values():
            found.pop(account_id, None)
        for cores in self._by_core.values():
            cores.pop(account_id, None)

    def resolve(self, name: str) -> CompanyMatch:
        """The account ``name`` names, every candidate when it is ambiguous, or none."""
        key = self.key(name)
        found = self._by_key.get(key, {})
        if not found:
            place, core = _place_and_core(key, self.places)
            found = {
                account_id: account
                for account_id, (theirs, account) in self._by_core.get(core, {}).items()
                if not (place and theirs)  # one of the two names says no place
            }
        candidates = tuple(sorted(found.values(), key=lambda a: a.id))
        return CompanyMatch(candidates[0] if len(candidates) == 1 else None, candidates)


def merge_account(stored: Account, imported: Account, provided: Collection[str]) -> Account:
    """``stored`` updated with what the file gave about the same account, erasing nothing:
    a field in ``provided`` (the cells the file filled) replaces the stored value, tags,
    addresses, web sites and notes are unions, and every other field keeps its value.

    >>> kept = Account(id="C1001", name="上海华东电子", owner="rep-li", tags={"key"})
    >>> erp = Account(id="C1001", name="上海华东电子有限公司", tags={"vip"})
    >>> merged = merge_account(kept, erp, provided={"id", "name", "tags"})
    >>> merged.name, merged.owner, sorted(merged.tags)
    ('上海华东电子有限公司', 'rep-li', ['key', 'vip'])
    """
    changes: dict[str, Any] = {
        name: getattr(imported, name) for name in _ACCOUNT_REPLACED if name in provided
    }
    changes["tags"] = stored.tags | imported.tags
    for name in ("addresses", "websites", "notes"):
        held = getattr(stored, name)
        changes[name] = (*held, *(x for x in getattr(imported, name) if x not in held))
    changes = {k: v for k, v in changes.items() if v != getattr(stored, k)}
    return attrs.evolve(stored, **changes) if changes else stored


def merge_rep(stored: Rep, imported: Rep, provided: Collection[str]) -> Rep:
    """``stored`` updated with what the file gave about the same rep: a field in
    ``provided`` replaces the stored value, names in other languages are merged (the
    file's win for the languages it gives), and the rest keeps its value.

    >>> li = Rep(id="rep-li", name="Li Na", phone="+86 21 5555 0101", names={"zh": "李娜"})
    >>> merge_rep(li, Rep(id="rep-li", name="Li Na", email="li@globex.example"),
    ...           provided={"id", "name", "email"}).names["zh"]
    '李娜'
    """
    changes: dict[str, Any] = {
        f.name: getattr(imported, f.name)
        for f in attrs.fields(Rep)
        if f.name in provided and f.name not in ("id", "names")
    }
    changes["names"] = {**stored.names, **imported.names}
    changes = {k: v for k, v in changes.items() if v != getattr(stored, k)}
    return attrs.evolve(stored, **changes) if changes else stored


_ACCOUNT_REPLACED = tuple(
    f.name
    for f in attrs.fields(Account)
    if f.name not in {"id", "tags", "addresses", "websites", "notes"}
)


# -- contacts -----------------------------------------------------------------------------


def _phone_key(phone: PhoneNumber) -> str:
    return phone.e164 or "raw:" + phone.raw


def _union(held: tuple[T, ...], imported: Iterable[T], key: Callable[[T], str]) -> tuple[T, ...]:
    """``held``, then each item of ``imported`` whose key no earlier item has."""
    seen = {key(item) for item in held}
    extra = []
    for item in imported:
        if key(item) not in seen:
            seen.add(key(item))
            extra.append(item)
    return (*held, *extra)


def _channels(stored: Contact, imported: Contact) -> tuple[Channel, ...]:
    """The stored channels, and those the addresses new to the stored contact open (a
    channel the user took off stays off while no new address opens it)."""
    phones = {_phone_key(p) for p in stored.phones}
    emails = {e.casefold() for e in stored.emails}
    opened = channels_of_addresses(
        [e for e in imported.emails if e.casefold() not in emails],
        [p for p in imported.phones if _phone_key(p) not in phones],
    )
    return (*stored.channels, *(c for c in opened if c not in stored.channels))


def _latest(stored: Contact, imported: Contact) -> tuple[tuple[str, date], ...]:
    days = dict(stored.verified)
    for name, day in imported.verified:
        if name not in days or days[name] < day:
            days[name] = day
    return tuple(sorted(days.items()))


# Fields merged by their own rule whatever the file gave; the others follow ``provided``.
_GROWING = frozenset(
    {"id", "account_id", "phones", "emails", "channels", "consents", "opted_out",
     "consent_log", "verified", "recorded_on", "layer"}
)  # fmt: skip
_REPLACED = tuple(f.name for f in attrs.fields(Contact) if f.name not in _GROWING)


def merge_contact(stored: Contact, imported: Contact, provided: Collection[str]) -> Contact:
    """``stored`` updated with what the file gave about the same person, erasing nothing.

    A field not in ``provided`` (the fields the file itself gave) keeps its stored value;
    a provided one replaces it, except that phone numbers and email addresses are unions,
    consents only grow and an opt-out is never cleared (an import adds evidence, it does
    not take it back: that is [`Contact.recording`][accountcare.domain.contacts.Contact.recording]'s
    job), the consent log keeps the stored events and appends the new ones, channels
    grow only by those a new address opens, and ``verified`` takes the latest day of
    each field. The stored id stays, and so does the
    account unless ``account_id`` is provided. The layer follows a provided role when the
    stored layer was the stored role's default.

    >>> from accountcare.domain import Channel
    >>> kept = Contact(id="c-1", account_id="C1001", name="王伟", title="总经理",
    ...                emails=["wang@hd.cn"], consents=[Channel.EMAIL], opted_out=True)
    >>> new = Contact(id="c-9", account_id="a-1", name="王伟", emails=["WANG@hd.cn", "w@x.cn"])
    >>> merged = merge_contact(kept, new, provided={"name", "emails"})
    >>> merged.id, merged.account_id, merged.title, merged.emails, merged.opted_out
    ('c-1', 'C1001', '总经理', ('wang@hd.cn', 'w@x.cn'), True)
    >>> merge_contact(merged, new, provided={"name", "emails"}) == merged
    True
    """
    changes: dict[str, Any] = {
        name: getattr(imported, name) for name in _REPLACED if name in provided
    }
    if "account_id" in provided:
        changes["account_id"] = imported.account_id
    if "layer" in provided:
        changes["layer"] = imported.layer
    elif "role" in provided and stored.layer is layer_of_role(stored.role):
        changes["layer"] = layer_of_role(imported.role)
    evidenced = _with_evidence(stored, imported)
    changes["phones"] = _union(stored.phones, imported.phones, _phone_key)
    changes["emails"] = _union(stored.emails, imported.emails, str.casefold)
    changes["channels"] = _channels(stored, imported)
    changes["consents"] = evidenced.consents
    changes["opted_out"] = evidenced.opted_out
    changes["consent_log"] = evidenced.consent_log
    changes["verified"] = _latest(stored, imported)
    changes = {k: v for k, v in changes.items() if v != getattr(stored, k)}
    if not changes:
        return stored
    # The later capture day when the file changed something; unknown when either is.
    changes["recorded_on"] = None
    if stored.recorded_on is not None and imported.recorded_on is not None:
        changes["recorded_on"] = max(stored.recorded_on, imported.recorded_on)
    return attrs.evolve(stored, **changes)


def _with_evidence(stored: Contact, imported: Contact) -> Contact:
    """``stored`` with the consent evidence of ``imported`` that tells something new,
    recorded in order (see [`Contact.recording`][accountcare.domain.contacts.Contact.recording]).

    An import gives consent only to channels the stored log has never recorded anything
    about: a consent withdrawn (by the customer, through a person) is never given back by
    reading the same file again, and a file read again adds no event. An opt-out is
    recorded unless the contact is opted out already: an import never opts a contact in.
    Consents the imported contact holds without evidence are added unless withdrawn.
    """
    decided = {c for e in stored.consent_log for c in e.channels}
    withdrawn = {
        c for e in stored.consent_log if e.action is ConsentAction.WITHDRAWN for c in e.channels
    }
    held = set(stored.consent_log)
    merged = stored
    for event in imported.consent_log:
        if event in held:
            continue
        if event.action is ConsentAction.GIVEN:
            fresh = event.channels - decided
            if not fresh:
                continue
            event = attrs.evolve(event, channels=fresh)
        elif event.action is ConsentAction.OPTED_OUT:
            if merged.opted_out:
                continue
        elif event.action is ConsentAction.OPTED_IN:
            continue
        merged = merged.recording(event)
        decided |= event.channels
    evidenced = {c for e in imported.consent_log for c in e.channels}
    bare = imported.consents - evidenced - withdrawn - merged.consents
    opted_out = merged.opted_out or (imported.opted_out and not imported.consent_log)
    if bare or opted_out != merged.opted_out:
        merged = attrs.evolve(merged, consents=merged.consents | bare, opted_out=opted_out)
    return merged


@functools.lru_cache(maxsize=1 << 16)  # a book repeats its names; the key is pure
def person_key(name: str) -> str:
    """The form two spellings of one person's name share: NFKC, case folded, punctuation
    dropped; a CJK name without spaces (``王 伟`` is ``王伟``), other names by their words
    in any order (``Wang Wei`` is ``wei wang``).

    >>> person_key("王 伟") == person_key("王伟"), person_key("Wang Wei") == person_key("WEI, Wang")
    (True, True)
    """
    words = _words(_folded(name)).split()
    return "".join(words) if _CJK_CHAR.search(name) else " ".join(sorted(words))


def _no_person_name(contact: Contact) -> bool:
    """Whether the contact's name stands in for a missing one: an address or a number."""
    return "@" in contact.name or not any(c.isalpha() for c in contact.name)


def _mobile(contact: Contact, key: str) -> bool:
    return any(p.e164 == key and p.kind == "mobile" for p in contact.phones)


def same_person(one: Contact, other: Contact, shared: str) -> bool:
    """Whether two contacts that share ``shared`` (an E.164 number or an email address)
    are one person: a mobile number is one person's, whatever the names say (``Wei Wang``
    and ``王伟``); any other number or address only when the names agree (see
    [`person_key`][accountcare.policies.identity.person_key]) or one of them has no name
    of its own. Colleagues sharing a switchboard number or an ``info@`` address are not
    one person.

    >>> from accountcare.domain import PhoneNumber
    >>> desk = [PhoneNumber("021 6485 2000", "+862164852000", "work")]
    >>> li = Contact(id="c-1", account_id="acme", name="李强", phones=desk)
    >>> same_person(li, Contact(id="c-2", account_id="acme", name="李 强"), "+862164852000")
    True
    >>> same_person(li, Contact(id="c-3", account_id="acme", name="王伟", phones=desk),
    ...             "+862164852000")
    False
    """
    if _mobile(one, shared) and _mobile(other, shared):
        return True
    if _no_person_name(one) or _no_person_name(other):
        return True
    return person_key(one.name) == person_key(other.name)


class ContactIndex:
    """Stored contacts by id, by E.164 number and by email address (case folded), to
    find the stored contact an imported one is.

    >>> from accountcare.domain import PhoneNumber
    >>> li = Contact(id="c-1", account_id="acme", name="Li", emails=["Li@Acme.cn"],
    ...              phones=[PhoneNumber("138 0013 8000", "+8613800138000")])
    >>> index = ContactIndex([li])
    >>> index.match(Contact(id="c-7", account_id="acme", name="Li", emails=["li@acme.cn"])).id
    'c-1'
    >>> index.match(Contact(id="c-8", account_id="acme", name="Kim", emails=["li@acme.cn"]))
    """

    def __init__(self, contacts: Iterable[Contact] = ()) -> None:
        self._ids: dict[str, Contact] = {}
        self._keys: dict[str, list[str]] = {}
        for contact in contacts:
            self.add(contact)

    def add(self, contact: Contact) -> None:
        """Index ``contact`` (or its new version, after a merge)."""
        self._ids[contact.id] = contact
        keys = [p.e164 for p in contact.phones if p.e164]
        keys += ["@" + e.casefold() for e in contact.emails]
        for key in keys:
            held = self._keys.setdefault(key, [])
            if contact.id not in held:
                held.append(contact.id)

    def match(self, contact: Contact) -> Contact | None:
        """The stored contact ``contact`` is: same id, else the first stored contact that
        shares one of its E.164 numbers, else one of its email addresses, and is the same
        person (see [`same_person`][accountcare.policies.identity.same_person])."""
        found = self._ids.get(contact.id)
        if found is not None:
            return found
        keys = [p.e164 for p in contact.phones if p.e164]
        keys += ["@" + e.casefold() for e in contact.emails]
        for key in keys:
            for stored_id in self._keys.get(key, ()):
                stored = self._ids[stored_id]
                if same_person(stored, contact, key.removeprefix("@")):
                    return stored
        return None
