"""What a phone number's region says of its owner: country, time zone and locale.

A contact whose file gives no country, time zone or locale takes them from its first
valid phone number: ``+82`` is Korea (``Asia/Seoul``, ``ko``), ``+86`` China
(``Asia/Shanghai``, ``zh-Hans``), ``+886`` Taiwan (``Asia/Taipei``, ``zh-Hant``),
``+852`` Hong Kong (``Asia/Hong_Kong``, ``zh-Hant``). The time zone is the one
``phonenumbers`` knows for the calling code when it knows exactly one; a calling code
spanning several zones (``+1``, ``+7``, ``+61``...) says nothing of the zone, and the
import's default is kept. The locale comes from the small table below, of the locales the
message templates are written in (``en``, ``zh-Hans``, ``zh-Hant``, ``ko``): Singapore
(``+65``), where English is the language of business, is ``en``; any other region keeps
the import's default locale. A locale the file writes is read by
`locale_of`, which names the Chinese scripts as the templates do (``zh-CN`` is
``zh-Hans``, ``zh-TW`` and ``zh-HK`` are ``zh-Hant``, ``ko-KR`` is ``ko``).
"""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from accountcare._imports import require
from accountcare.policies.care.templates import chinese_script

__all__ = ["LOCALES", "RegionDefaults", "locale_of", "region_defaults"]

#: The locale of each region whose people read one of the templates' languages.
LOCALES = {
    "CN": "zh-Hans",
    "TW": "zh-Hant",
    "HK": "zh-Hant",
    "MO": "zh-Hant",
    "KR": "ko",
    "US": "en",
    "GB": "en",
    "CA": "en",
    "AU": "en",
    "NZ": "en",
    "IE": "en",
    "SG": "en",
}


@attrs.frozen
class RegionDefaults:
    """What a region implies: its country, and its time zone and locale when they are
    unambiguous (None: keep the import's default)."""

    country: str
    time_zone: str | None
    locale: str | None


def _known(zone: str) -> bool:
    """Whether this machine's time zone database has ``zone`` (``Etc/Unknown`` is none)."""
    if zone == "Etc/Unknown":
        return False
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@lru_cache(maxsize=512)
def region_defaults(region: str) -> RegionDefaults | None:
    """The defaults a phone number of ``region`` (ISO 3166 alpha-2) implies, or None for
    a region that is no country (``001``: numbers of no country, such as ``+800``).

    >>> region_defaults("KR")
    RegionDefaults(country='KR', time_zone='Asia/Seoul', locale='ko')
    >>> region_defaults("US")
    RegionDefaults(country='US', time_zone=None, locale='en')
    >>> region_defaults("SG").locale
    'en'
    """
    if len(region) != 2 or not region.isalpha():
        return None
    pn = require("phonenumbers", "phone")
    timezone = require("phonenumbers.timezone", "phone")
    code = pn.country_code_for_region(region)
    zones: tuple[str, ...] = tuple(timezone.TIMEZONE_DATA.get(str(code), ())) if code else ()
    zone = zones[0] if len(zones) == 1 and _known(zones[0]) else None
    return RegionDefaults(region.upper(), zone, LOCALES.get(region.upper()))


# Languages written by name (Outlook's and Google's "Language" columns).
_LANGUAGE_NAMES = {
    "english": "en", "chinese": "zh-Hans", "simplified chinese": "zh-Hans", "中文": "zh-Hans",
    "简体中文": "zh-Hans", "traditional chinese": "zh-Hant", "繁體中文": "zh-Hant",
    "繁体中文": "zh-Hant", "korean": "ko", "한국어": "ko", "韩语": "ko", "韓語": "ko",
}  # fmt: skip


def locale_of(text: str) -> str:
    """The locale a file writes (``zh-CN``, ``zh_TW``, ``ko-KR``, ``en-US``, ``ko``), as
    the templates name it; a language the templates do not know is kept as written.

    >>> locale_of("zh_CN"), locale_of("zh-Hant-HK"), locale_of("ko-KR"), locale_of("ja")
    ('zh-Hans', 'zh-Hant', 'ko', 'ja')
    >>> locale_of("Korean"), locale_of("繁體中文")
    ('ko', 'zh-Hant')
    """
    named = _LANGUAGE_NAMES.get(text.strip().casefold())
    if named:
        return named
    script = chinese_script(text)
    if script is not None:
        return script
    language = text.strip().replace("_", "-").split("-", 1)[0].casefold()
    if language in ("ko", "en"):
        return language
    return text.strip()
