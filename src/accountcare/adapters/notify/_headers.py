"""Header values built from data (names, subjects, ids) that no parser can turn into more
headers.

Three things let a value escape its header: a line break (CR, LF, and every character a
parser may treat as one: the other C0 and C1 controls, NEL U+0085, U+2028, U+2029); an
RFC 2047 encoded-word (``=?utf-8?q?...=0D=0A...?=``), which some versions of the standard
library's :mod:`email` package decode, line breaks included, when they fold a header; and
folding itself, which some versions do by dropping the quotes around a long display name,
so that its ``:`` or ``@`` turn it into other addresses.
[`header_text`][accountcare.adapters.notify._headers.header_text] flattens the first to a
space and breaks the ``=?`` that opens the second. For the third, the email headers are
written here, already folded: text that is not short plain ASCII becomes UTF-8
encoded-words ([`encoded`][accountcare.adapters.notify._headers.encoded]), one a line, so
no version of any library has anything left to quote, unquote or decode wrongly.
[`header_key`][accountcare.adapters.notify._headers.header_key] percent-encodes an
identifier so it survives exactly and reversibly.
"""

from __future__ import annotations

import base64
import re
import urllib.parse

__all__ = ["address_header", "encoded", "header_key", "header_text", "unsafe_address"]

# Controls (C0, DEL, C1 with NEL), the Unicode line and paragraph separators, and lone
# surrogates (which cannot be encoded at all).
_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]+")
# What an email address may not hold here: the characters above, any whitespace, and the
# opening of an encoded-word.
_BAD_ADDRESS = re.compile("[\x00-\x20\x7f-\x9f\u2028\u2029\ud800-\udfff\\s]|=\\?")
_KEY_SAFE = "|-_:@+=/"
# Short enough to sit on one line after any header name we write; a display name also
# needs nothing but atoms and single spaces (no quoting, no comment).
_PLAIN_TEXT = re.compile(r"[\x21-\x7e]+(?: [\x21-\x7e]+)*")
_PLAIN_PHRASE = re.compile(
    r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+(?: [A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+)*"
)
_PLAIN_LENGTH = 60
_FOLD = "\n "
_LONGEST_NAME_WORD = 200  # characters: at most 800 bytes, a line under the 998 limit


def header_text(value: str) -> str:
    """``value`` as one harmless line of header text.

    Each run of control characters and line separators becomes one space, and every
    ``=?`` becomes ``= ?``, which no parser reads as the start of an encoded-word. Text
    without either is returned unchanged.

    >>> header_text("Ann\\r\\nBcc: eve@evil.example")
    'Ann Bcc: eve@evil.example'
    >>> header_text("=?utf-8?q?Ann=0D=0AReply-To:_x?=")
    '= ?utf-8?q?Ann=0D=0AReply-To:_x?='
    >>> header_text("王伟")
    '王伟'
    """
    if not value.isprintable():
        value = _BREAKS.sub(" ", value)
    if "=?" in value:
        value = value.replace("=?", "= ?")
    return value


def header_key(key: str) -> str:
    """An identifier (a message key) as a header value: UTF-8 percent-encoded except for
    letters, digits and ``|-_:@+=/~``, so it holds no space, dot, ``?`` or control
    character and ``urllib.parse.unquote`` gives the key back exactly.

    >>> header_key("王伟|birthday|2027-03-28|email")
    '%E7%8E%8B%E4%BC%9F|birthday|2027-03-28|email'
    >>> header_key("c-1.a =?x?=\\r\\n")
    'c-1%2Ea%20=%3Fx%3F=%0D%0A'
    """
    return urllib.parse.quote(key, safe=_KEY_SAFE).replace(".", "%2E")


def unsafe_address(address: str) -> bool:
    """Whether ``address`` holds whitespace, a control character or ``=?``, none of which
    belongs in an email address (and each of which a parser may drop or decode).

    >>> unsafe_address("ann@example.com"), unsafe_address("ann@example.com\\nBcc: x")
    (False, True)
    """
    return _BAD_ADDRESS.search(address) is not None


def _words(text: str, step: int) -> str:
    """``text`` as B encoded-words of ``step`` characters each (a character is never
    split), one a line."""
    return _FOLD.join(
        "=?utf-8?b?" + base64.b64encode(text[i : i + step].encode("utf-8")).decode("ascii") + "?="
        for i in range(0, len(text), step)
    )


def encoded(value: str) -> str:
    """An unstructured header value (a subject): harmless text, written as it is when it
    is short plain ASCII, else as UTF-8 encoded-words, folded one a line.

    >>> encoded("Thank you")
    'Thank you'
    >>> encoded("王伟\\r\\nBcc: x")
    '=?utf-8?b?546L5LyfIEJjYzogeA==?='
    """
    text = header_text(value)
    if len(text) <= _PLAIN_LENGTH and _PLAIN_TEXT.fullmatch(text):
        return text
    # At most 36 UTF-8 bytes a word keeps every line under 78 characters; a reader joins
    # adjacent encoded-words of an unstructured header without a space.
    return _words(text, 36 if text.isascii() else 9) if text else ""


def address_header(name: str, addr_spec: str) -> str:
    """A ``From``/``To`` value: the address alone, or a harmless display name (atoms, or
    encoded-words) and the address in angle brackets. ``addr_spec`` must already be
    checked ([`unsafe_address`][accountcare.adapters.notify._headers.unsafe_address]).

    >>> address_header("Ann Lee", "ann@example.com")
    'Ann Lee <ann@example.com>'
    >>> print(address_header("O'Neil, Ann", "ann@example.com"))
    =?utf-8?b?TydOZWlsLCBBbm4=?=
     <ann@example.com>
    >>> address_header("", "care@example.com")
    'care@example.com'
    """
    text = header_text(name).strip()
    if not text:
        return addr_spec
    if len(text) <= _PLAIN_LENGTH and _PLAIN_PHRASE.fullmatch(text):
        return f"{text} <{addr_spec}>"
    # One encoded-word for the whole name where a line allows it: parsers put a space
    # between adjacent encoded-words of a display name, which would split the name.
    return f"{_words(text, _LONGEST_NAME_WORD)}{_FOLD}<{addr_spec}>"
