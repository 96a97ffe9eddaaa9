"""The people who give the care: the reps of the account team, and your company.

A [`Rep`][accountcare.domain.team.Rep] is a team member as customers see them: the display
name every letter is signed with, an email and phone to reply to, a title and the language
they write in. [`Company`][accountcare.domain.team.Company] is the company the care comes
from (yours, not the customer's): its name closes every message, in the recipient's language
when one is given.

>>> li = Rep(id="rep-li", name="Li Na", names={"zh": "李娜"}, title="Key account manager")
>>> li.name_for("zh-Hans"), li.name_for("ko")
('李娜', 'Li Na')

A name in one Chinese script is never used for the other: ``zh`` is Simplified.

>>> li.name_for("zh-HK"), Rep(id="rep-chen", name="Chen Ya-ting",
...                           names={"zh-Hant": "陳雅婷"}).name_for("zh-TW")
('Li Na', '陳雅婷')
>>> Company("Globex", names={"ko": "글로벡스"}).name_for("ko-KR")
'글로벡스'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from accountcare.domain import _validate as v
from accountcare.domain._frozen import FrozenMap

__all__ = ["Company", "Rep"]


def _names(value: Mapping[str, str]) -> FrozenMap[str, str]:
    return value if isinstance(value, FrozenMap) else FrozenMap(value)


def _check_names(instance: Any, attribute: attrs.Attribute[Any], value: Mapping[str, str]) -> None:
    for locale, name in value.items():
        v.a_name(instance, attribute, locale)
        v.a_name(instance, attribute, name)


_HANT = frozenset({"TW", "HK", "MO", "HANT"})


def _chinese_script(tag: str) -> str | None:
    """``zh-Hant`` (Taiwan, Hong Kong, Macao, ``Hant``), ``zh-Hans`` (any other Chinese
    tag) or None: the one rule, which the templates and importers use too."""
    parts = [p for p in tag.replace("_", "-").strip().split("-") if p]
    if not parts or parts[0].lower() != "zh":
        return None
    return "zh-Hant" if any(p.upper() in _HANT for p in parts[1:]) else "zh-Hans"


def _name_for(default: str, names: Mapping[str, str], locale: str) -> str:
    """The name for ``locale``: an exact match (``zh-Hant``), else its language (``ko``
    for ``ko-KR``), else ``default``. Chinese falls back within its script only: a name
    for ``zh`` or ``zh-Hans`` is never signed in Traditional (``zh-TW``, ``zh-HK``) nor
    one for ``zh-Hant`` in Simplified, since a reader of one script would get the other."""
    if locale in names:
        return names[locale]
    tag = locale.replace("_", "-").strip()
    script = _chinese_script(tag)
    if script is None:
        return names.get(tag.split("-", 1)[0], default)
    same = [k for k in names if _chinese_script(k) == script]
    return names[min(same, key=lambda k: (k != script, k != "zh", k))] if same else default


@attrs.frozen
class Rep:
    """A rep (a member of the account team), as customers see them.

    ``id`` is what accounts name as their ``owner``; ``name`` is the display name a
    letter is signed with, and ``names`` the same name in other languages, by locale or
    language (``{"zh-Hans": "李娜", "zh-Hant": "李娜", "ko": "리나"}``; ``zh`` alone is
    Simplified Chinese).

    >>> Rep(id="rep-kim", name="Kim Minji", locale="ko").locale
    'ko'
    """

    id: str = attrs.field(validator=v.an_id)
    name: str = attrs.field(validator=v.a_name)
    email: str = attrs.field(default="", validator=v.a_line)
    phone: str = attrs.field(default="", validator=v.a_line)
    title: str = attrs.field(default="", validator=v.a_line)
    locale: str = attrs.field(default="en", validator=v.a_name)
    names: FrozenMap[str, str] = attrs.field(
        factory=FrozenMap, converter=_names, validator=_check_names
    )

    def name_for(self, locale: str) -> str:
        """The display name to sign with in ``locale``."""
        return _name_for(self.name, self.names, locale)


@attrs.frozen
class Company:
    """Your company: the one whose name signs the care. One per store.

    >>> Company("Globex Trading").name_for("en")
    'Globex Trading'
    """

    name: str = attrs.field(validator=v.a_name)
    names: FrozenMap[str, str] = attrs.field(
        factory=FrozenMap, converter=_names, validator=_check_names
    )

    def name_for(self, locale: str) -> str:
        """The company's name in ``locale`` (its ``name`` when none is given for it)."""
        return _name_for(self.name, self.names, locale)
