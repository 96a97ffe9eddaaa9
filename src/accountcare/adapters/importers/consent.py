"""Consent as files write it: lists of channels, and yes-or-no opt-outs.

A consent cell or property lists channels separated by ``;``, ``,``, ``/`` or spaces:
``email;sms``, ``Email, SMS``, ``邮件;短信``, ``이메일,문자``. The channel names are those
of [`Channel`][accountcare.domain.Channel] (``phone``, ``sms``, ``email``, ``messenger``,
``visit``, ``mail``) and the words for them below; anything else is a problem of its row
or card. An opt-out cell is yes or no: ``yes``/``no``, ``true``/``false``, ``1``/``0``,
``y``/``n``, ``是``/``否``, ``예``/``아니오`` (an empty cell says nothing).
"""

from __future__ import annotations

import re

from accountcare.domain.contacts import Channel

__all__ = ["CHANNEL_WORDS", "FALSE", "TRUE", "channels_of", "yes_or_no"]

#: The words for each channel that files write, besides the channel's own name.
CHANNEL_WORDS = {
    "e-mail": Channel.EMAIL,
    "mail": Channel.MAIL,
    "post": Channel.MAIL,
    "text": Channel.SMS,
    "call": Channel.PHONE,
    "telephone": Channel.PHONE,
    "wechat": Channel.MESSENGER,
    "kakaotalk": Channel.MESSENGER,
    "kakao": Channel.MESSENGER,
    "line": Channel.MESSENGER,
    "whatsapp": Channel.MESSENGER,
    "邮件": Channel.EMAIL,
    "电邮": Channel.EMAIL,
    "電郵": Channel.EMAIL,
    "电子邮件": Channel.EMAIL,
    "電子郵件": Channel.EMAIL,
    "이메일": Channel.EMAIL,
    "短信": Channel.SMS,
    "簡訊": Channel.SMS,
    "문자": Channel.SMS,
    "电话": Channel.PHONE,
    "電話": Channel.PHONE,
    "전화": Channel.PHONE,
    "微信": Channel.MESSENGER,
    "카카오톡": Channel.MESSENGER,
    "拜访": Channel.VISIT,
    "拜訪": Channel.VISIT,
    "방문": Channel.VISIT,
    "邮寄": Channel.MAIL,
    "郵寄": Channel.MAIL,
    "우편": Channel.MAIL,
}
_NAMES = {c.value: c for c in Channel}
_SEPARATORS = re.compile(r"[;,/\s、，；]+")
#: The cells that say yes, and those that say no, compared without case.
TRUE = frozenset({"true", "yes", "y", "1", "是", "예"})
FALSE = frozenset({"false", "no", "n", "0", "否", "아니오", "아니요"})


def channels_of(text: str) -> tuple[frozenset[Channel], list[str]]:
    """The channels ``text`` lists, and the words in it that name no channel.

    >>> found, unknown = channels_of("Email; 短信, fax")
    >>> sorted(c.value for c in found), unknown
    (['email', 'sms'], ['fax'])
    """
    found: set[Channel] = set()
    unknown: list[str] = []
    for word in _SEPARATORS.split(text.strip()):
        if not word:
            continue
        key = word.casefold()
        channel = _NAMES.get(key) or CHANNEL_WORDS.get(key)
        if channel is None:
            unknown.append(word)
        else:
            found.add(channel)
    return frozenset(found), unknown


def yes_or_no(text: str) -> bool | None:
    """True or False for a yes-or-no cell, None for an empty one; ``ValueError`` else.

    >>> yes_or_no("Yes"), yes_or_no("아니오"), yes_or_no(" ")
    (True, False, None)
    """
    key = text.strip().casefold()
    if not key:
        return None
    if key in TRUE:
        return True
    if key in FALSE:
        return False
    raise ValueError("is not yes or no (yes/no, true/false, 1/0, 是/否, 예/아니오)")
