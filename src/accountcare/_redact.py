"""Text for a log line: one line, cut short, with anything that looks like an email
address or a phone number replaced.

A provider's error text may quote the recipient (``550 5.1.1 <ann@example.com>: no such
user``); a log line never carries an address, so such text passes through
`redacted` first. Dates and times
(``2027-03-28``, ``09:30:00``) are left alone; any other run of seven or more digits is
taken for a phone number.

>>> redacted("550 5.1.1 <ann@example.com>: no such user; call +86 138 0013 8000")
'550 5.1.1 <[email]>: no such user; call [phone]'
"""

from __future__ import annotations

import re

__all__ = ["LONGEST", "redacted"]

LONGEST = 300  # characters of a log line's free text: enough for a provider's reason

# A local part may hold an apostrophe (o'brien@...); a domain never does.
_EMAIL = re.compile(r"[^\s<>()\[\]\",;:@]+@[^\s<>()\[\]\"',;:@]+\.[^\s<>()\[\]\"',;:@]+")
# A leading + or an area code in brackets, then digits, one separator at most between two.
_PHONE = re.compile(r"(?<![\w+])\+?(?:\(\d{1,5}\)[\s.\-]?)?\d(?:[\s.\-/]?\d)+(?!\w)")
_DATE_OR_TIME = re.compile(
    r"(?<!\d)\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?(?!\d)|(?<!\d)\d{2}:\d{2}(?::\d{2})?"
)
_FEWEST_PHONE_DIGITS = 7


def _phones(text: str) -> str:
    """``text`` with its phone numbers replaced; its dates and times kept as written."""
    out, at = [], 0
    for kept in _DATE_OR_TIME.finditer(text):
        out.append(_PHONE.sub(_phone, text[at : kept.start()]))
        out.append(kept.group(0))
        at = kept.end()
    out.append(_PHONE.sub(_phone, text[at:]))
    return "".join(out)


def _phone(match: re.Match[str]) -> str:
    found = match.group(0)
    digits = sum(ch.isdigit() for ch in found)
    return "[phone]" if digits >= _FEWEST_PHONE_DIGITS else found


def redacted(text: str, longest: int = LONGEST) -> str:
    """``text`` on one line, cut to ``longest`` characters, with email addresses written
    ``[email]`` and phone numbers ``[phone]``.

    >>> redacted("refused bob@x.example (010-1234-5678) at 2027-03-28 09:30")
    'refused [email] ([phone]) at 2027-03-28 09:30'
    >>> redacted("HTTP 503 after 3 attempt(s)")
    'HTTP 503 after 3 attempt(s)'
    """
    flat = _phones(_EMAIL.sub("[email]", " ".join(text.split())))
    return flat if len(flat) <= longest else flat[: longest - 1] + "…"
