"""The people who give the care: the reps of the account team, and your company.

A :class:`Rep` is a team member as customers see them: the display name every letter is
signed with, an email and phone to reply to, a title and the language they write in.
:class:`Company` is the company the care comes from (yours, not the customer's): its
name closes every message, in the recipient's language when one is given.

>>> li = Rep(id="rep-li", name="Li Na", names={"zh": "李娜"}, title="Key account manager")
>>> li.name_for("zh-Hans"), li.name_for("ko")
('李娜', 'Li Na')
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


def _name_for(default: str, names: Mapping[str, str], locale: str) -> str:
    """The name for ``locale``: an exact match (``zh-Hant``), else its language (``zh``),
    else ``default``."""
    if locale in names:
        return names[locale]
    language = locale.replace("_", "-").split("-", 1)[0]
    return names.get(language, default)


@attrs.frozen
class Rep:
    """A rep (a member of the account team), as customers see them.

    ``id`` is what accounts name as their ``owner``; ``name`` is the display name a
    letter is signed with, and ``names`` the same name in other languages, by locale or
    language (``{"zh": "李娜", "ko": "리나"}``).

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
