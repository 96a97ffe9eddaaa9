"""Phone numbers to E.164 with the ``phonenumbers`` library (extra ``phone``).

Each number is its own country: one written with ``+`` or with an international prefix
(``00``; ``001``/``002`` dialled from Korea, ``002`` from Taiwan, ``011`` from the US: the
default region's own prefixes, as ``phonenumbers`` knows them) says its country itself;
the default region is assumed only for numbers written in national form. A number must be
valid (``phonenumbers.is_valid_number``: a number that country really assigns), so a
Korean ``010-5555-7777`` read with Taiwan as the default region is refused instead of
becoming ``+8861055557777``;
[`PhoneNormaliser.region_of`][accountcare.adapters.importers.phones.PhoneNormaliser.region_of]
is the country of each valid number (its owner's default country, time zone and locale:
`regions`).

``phonenumbers.parse`` costs 20-50 µs a number, which alone would take seconds for
100,000 contacts. Two things keep imports fast without changing any result:

- a cache per raw string (phone exports repeat numbers: shared switchboards, duplicates);
- a fast path for numbers already written in international form (``+86 138 0013 8000``):
  the country code and the length are checked against the same metadata
  ``phonenumbers`` uses, and anything the fast path is not sure of (a national prefix
  after the country code, an extension, letters) goes the slow way. A property test holds
  the fast path to the slow path's answer.

Numbers that are only dialable locally (no area code), numbers of unknown countries and
numbers no country assigns are rejected with a reason.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from accountcare._imports import require
from accountcare.errors import ConfigurationError

__all__ = ["PhoneNormaliser"]

# The separators people and phones write inside numbers; anything else takes the slow path.
_SEPARATORS = str.maketrans("", "", " ()./-\u00a0")


def _digits(text: str) -> str | None:
    """``text`` without separators when only ASCII digits remain, else None."""
    digits = text.translate(_SEPARATORS)
    return digits if digits.isascii() and digits.isdigit() else None


_REGION = re.compile(r"^[A-Z]{2}$")
_LEADING = frozenset("123456789")  # a national number starting with 0 takes the slow path


class PhoneNormaliser:
    """Turns raw phone numbers into E.164, remembering every answer.

    ``region`` is the ISO 3166 country assumed for numbers written without a country code
    (None: such numbers are rejected).

    >>> phones = PhoneNormaliser("KR")
    >>> phones.e164("010-1234-5678"), phones.e164("+86 138 0013 8000")
    ('+821012345678', '+8613800138000')
    >>> phones.problem("12")
    'is not a possible phone number (too short)'
    >>> print(PhoneNormaliser("TW").problem("010-5555-7777"))
    is not a valid TW phone number; write a number of another country with its country code (+...)
    >>> phones.e164("001-86-138-0013-8000"), phones.region_of("+8613800138000")
    ('+8613800138000', 'CN')
    """

    def __init__(self, region: str | None) -> None:
        if region is not None and not _REGION.match(region):
            raise ConfigurationError(
                f"default phone region must be an ISO 3166 alpha-2 code, got {region!r}"
            )
        self._pn: Any = require("phonenumbers", "phone")
        self.region = region
        self._cache: dict[str, tuple[str | None, str | None]] = {}
        self._home = self._home_rules(region)
        self._regions: dict[str, str] = {}  # E.164 -> region, of every valid number

    def region_of(self, e164: str) -> str | None:
        """The region (ISO 3166 alpha-2, or ``001`` for numbers of no country) of a number
        this normaliser accepted, None for any other."""
        return self._regions.get(e164)

    def is_mobile(self, e164: str) -> bool:
        """Whether the number is a mobile one (a text message can reach it), as
        phonenumbers' tables say (a North American number may be either: counted mobile).

        >>> phones = PhoneNormaliser("CN")
        >>> phones.is_mobile("+8613800138000"), phones.is_mobile("+862164852000")
        (True, False)
        """
        pn = self._pn
        kind = pn.number_type(pn.parse(e164, None))
        return bool(kind in (pn.PhoneNumberType.MOBILE, pn.PhoneNumberType.FIXED_LINE_OR_MOBILE))

    def e164(self, raw: str) -> str | None:
        """The E.164 form of ``raw``, or None when it is not a usable number."""
        return self.normalise(raw)[0]

    def problem(self, raw: str) -> str | None:
        """Why ``raw`` is not a usable number, or None when it is."""
        return self.normalise(raw)[1]

    def normalise(self, raw: str) -> tuple[str | None, str | None]:
        """``(e164, None)`` for a good number, ``(None, reason)`` for a bad one."""
        known = self._cache.get(raw)
        if known is None:
            fast = self._fast(raw) if raw[:1] == "+" else self._fast_national(raw)
            known = (fast, None) if fast is not None else self._slow(raw)
            self._cache[raw] = known
        return known

    def _fast(self, raw: str) -> str | None:
        """``raw`` (which starts with ``+``) in E.164, when parsing would take it as is."""
        digits = _digits(raw[1:])
        if not digits or digits[0] == "0":
            return None
        for size in (1, 2, 3):
            prefix = digits[:size]
            rules = _rules(prefix)
            if rules is None:
                continue
            possible, local_only, national_prefix = rules
            national = digits[size:]
            if len(national) not in possible or len(national) in local_only:
                return None
            if national_prefix is not None and national_prefix.match(national):
                return None  # phonenumbers may strip a national prefix: let it decide
            if national[:1] == "0":
                return None  # a leading zero kept (Italy): let phonenumbers decide
            return self._valid(int(prefix), national)
        return None

    def _valid(self, code: int, national: str) -> str | None:
        """``+<code><national>`` when it is a valid number (its region remembered)."""
        types = _type_rules(code)
        if types is not None:
            region, rules = types
            length = len(national)
            if not any(
                (not lengths or length in lengths) and p.fullmatch(national) for lengths, p in rules
            ):
                return None
        else:
            pn = self._pn
            number = pn.PhoneNumber(country_code=code, national_number=int(national))
            region = pn.region_code_for_number(number)
            if region is None or not pn.is_valid_number_for_region(number, region):
                return None
        e164 = f"+{code}{national}"
        self._regions[e164] = region
        return e164

    def _home_rules(self, region: str | None) -> tuple[str, re.Pattern[str] | None] | None:
        """The default region's calling code and the pattern of what parsing would strip
        or read as a prefix there (national prefix, carrier code, international prefix)."""
        if region is None:
            return None
        meta = self._pn.PhoneMetadata.metadata_for_region(region)
        if meta is None or not meta.country_code:
            return None
        prefixes = (
            meta.national_prefix_for_parsing,
            meta.national_prefix,
            meta.international_prefix,
        )
        pattern = "|".join(f"(?:{p})" for p in prefixes if p)
        return str(meta.country_code), re.compile(pattern) if pattern else None

    def _fast_national(self, raw: str) -> str | None:
        """A number in the default region's national form that parsing would take as is:
        no prefix to strip or read, not starting with the country code, a possible length."""
        if self._home is None or raw[:1] not in _LEADING:
            return None
        digits = _digits(raw)
        if not digits:
            return None
        code, prefixes = self._home
        if digits.startswith(code) or (prefixes is not None and prefixes.match(digits)):
            return None
        rules = _rules(code)
        if rules is None:
            return None
        possible, local_only, _ = rules
        if len(digits) not in possible or len(digits) in local_only:
            return None
        return self._valid(int(code), digits)

    def _slow(self, raw: str) -> tuple[str | None, str | None]:
        pn = self._pn
        text = raw.strip()
        if not text:
            return None, "is empty"
        try:
            number = pn.parse(text, self.region)
        except pn.NumberParseException as exc:
            return None, _parse_reason(exc, self.region)
        reason = pn.is_possible_number_with_reason(number)
        if reason != pn.ValidationResult.IS_POSSIBLE:
            return None, f"is not a possible phone number ({_LENGTH_WORDS.get(reason, 'bad')})"
        e164: str = pn.format_number(number, pn.PhoneNumberFormat.E164)
        # A national prefix written after the country code ("+82 0...") is stripped; for a
        # number that is little but such prefixes, the E.164 form would lose yet another
        # digit when read again. Such a number has no stable E.164 form: refuse it.
        try:
            again = pn.format_number(pn.parse(e164, None), pn.PhoneNumberFormat.E164)
        except pn.NumberParseException:
            again = None
        if again != e164:
            return None, "is not a phone number (it reads differently once written in E.164)"
        region = pn.region_code_for_number(number)
        if region is None or not pn.is_valid_number_for_region(number, region):
            return None, self._invalid(number, text)
        self._regions[e164] = region
        return e164, None

    def _invalid(self, number: Any, text: str) -> str:
        """Why a possible number is not valid: written in the default region's national
        form, it probably lacks its own country code."""
        pn = self._pn
        code = number.country_code
        source = pn.parse(text, self.region, keep_raw_input=True).country_code_source
        if source == pn.CountryCodeSource.FROM_DEFAULT_COUNTRY:
            return (
                f"is not a valid {self.region} phone number; write a number of another "
                "country with its country code (+...)"
            )
        regions = "/".join(pn.region_codes_for_country_code(code)[:3])
        return f"is not a valid phone number of +{code} ({regions}): no number there has this form"


@cache
def _rules(code: str) -> tuple[frozenset[int], frozenset[int], re.Pattern[str] | None] | None:
    """The possible lengths, the lengths dialable only locally and the national prefix of
    the calling code ``code`` spells (None: no such code)."""
    pn: Any = require("phonenumbers", "phone")
    if int(code) not in pn.COUNTRY_CODE_TO_REGION_CODE:
        return None
    region = pn.region_code_for_country_code(int(code))
    meta = pn.PhoneMetadata.metadata_for_region_or_calling_code(int(code), region)
    if meta is None or meta.general_desc is None:
        return None
    desc = meta.general_desc
    prefix = meta.national_prefix_for_parsing or meta.national_prefix
    return (
        frozenset(desc.possible_length or ()),
        frozenset(desc.possible_length_local_only or ()),
        re.compile(prefix) if prefix else None,
    )


@cache
def _type_rules(code: int) -> tuple[str, list[tuple[frozenset[int], re.Pattern[str]]]] | None:
    """For a calling code of one region, that region and the (lengths, pattern) of each
    kind of number it assigns: a number is valid when it matches the whole-country
    pattern and one kind's, as ``phonenumbers.is_valid_number`` decides; None for a
    code shared by several regions or of no region (``phonenumbers`` decides)."""
    pn: Any = require("phonenumbers", "phone")
    regions = pn.COUNTRY_CODE_TO_REGION_CODE.get(code, ())
    if len(regions) != 1 or regions[0] == "001":
        return None
    meta = pn.PhoneMetadata.metadata_for_region(regions[0])
    general = meta.general_desc if meta is not None else None
    if general is None or not general.national_number_pattern:
        return None
    every = frozenset(general.possible_length or ())
    rules: list[tuple[frozenset[int], re.Pattern[str]]] = []
    for desc in (meta.fixed_line, meta.mobile, meta.toll_free, meta.premium_rate,
                 meta.shared_cost, meta.personal_number, meta.voip, meta.pager, meta.uan,
                 meta.voicemail):  # fmt: skip
        if desc is None or not desc.national_number_pattern:
            continue
        own = frozenset(desc.possible_length or ())
        lengths = (own & every if every else own) if own else every
        both = f"(?=(?:{general.national_number_pattern})\\Z)(?:{desc.national_number_pattern})"
        rules.append((lengths, re.compile(both)))
    return regions[0], rules


# phonenumbers.ValidationResult values, in words.
_LENGTH_WORDS = {
    1: "unknown country calling code",  # INVALID_COUNTRY_CODE
    2: "too short",  # TOO_SHORT
    3: "too long",  # TOO_LONG
    4: "dialable only locally: add the area code",  # IS_POSSIBLE_LOCAL_ONLY
    5: "a length no number in that country has",  # INVALID_LENGTH
}


def _parse_reason(exc: Any, region: str | None) -> str:
    kind: int = getattr(exc, "error_type", -1)
    if kind == 0 and region is None:  # INVALID_COUNTRY_CODE
        return "has no country code (+...) and no default region was given"
    words = {
        0: "has an unknown country calling code",
        1: "is not a phone number",
        2: "is too short after the international prefix",
        3: "is too short to be a phone number",
        4: "is too long to be a phone number",
    }
    return words.get(kind, "cannot be parsed as a phone number")
