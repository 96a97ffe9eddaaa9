"""Phone kinds from the labels exports write ("Mobile", "* Work", "_$!<Home>!$_", "휴대폰")."""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["phone_kind"]

_APPLE_LABEL = re.compile(r"^_\$!<(.*)>!\$_$")
_KINDS = {
    "mobile": "mobile",
    "cell": "mobile",
    "iphone": "mobile",
    "home": "home",
    "work": "work",
    "business": "work",
    "main": "main",
    "other": "other",
    "fax": "fax",
    "workfax": "fax",
    "homefax": "fax",
    "otherfax": "fax",
    "pager": "pager",
    "手机": "mobile",
    "移动电话": "mobile",
    "手機": "mobile",
    "行動電話": "mobile",
    "휴대폰": "mobile",
    "휴대전화": "mobile",
    "住宅": "home",
    "家": "home",
    "家庭": "home",
    "집": "home",
    "工作": "work",
    "单位": "work",
    "公司": "work",
    "회사": "work",
    "직장": "work",
}


@lru_cache(maxsize=1024)
def phone_kind(label: str, default: str = "other") -> str:
    """The kind a label names, or ``default`` for a custom label.

    >>> phone_kind("* Mobile"), phone_kind("_$!<Main>!$_"), phone_kind("휴대폰"), phone_kind("Boat")
    ('mobile', 'main', 'mobile', 'other')
    """
    text = label.strip().lstrip("*").strip()
    found = _APPLE_LABEL.match(text)
    if found:
        text = found.group(1)
    return _KINDS.get(text.casefold().replace(" ", ""), default)
