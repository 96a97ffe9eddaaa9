"""Header values built from data (names, subjects, ids) that no parser can turn into more
headers.

Three things let a value escape its header: a line break (CR, LF, and every character a
parser may treat as one: the other C0 and C1 controls, NEL U+0085, U+2028, U+2029); an
RFC 2047 encoded-word (``=?utf-8?q?...=0D=0A...?=``), which some versions of the standard
library's `email` package decode, line breaks included, when they fold a header; and
folding itself, which some versions do by dropping the quotes around a long display name,
so that its ``:`` or ``@`` turn it into other addresses.
`header_text` flattens the first to a
space and breaks the ``=?`` that opens the second. For the third, the email headers are
written here, already folded: text that is not short plain ASCII becomes UTF-8
encoded-words ([`encoded`][accountcare.adapters.notify._headers.encoded]), one a line, so
no version of any library has anything left to quote, unquote or decode wrongly.
[`header_key`][accountcare.adapters.notify._headers.header_key] percent-encodes an
identifier so it survives exactly and reversibly.

Line lengths follow RFC 5322 and RFC 2047: every line written here is at most 78
characters (an address too long for one line goes on a line of its own, and RFC 5321
keeps an address under 255 octets), and every encoded-word at most 75. A long text is
split into several encoded-words between two characters (never inside a UTF-8 sequence)
and folded with CRLF and a space; RFC 2047 readers ignore that whitespace between
adjacent encoded-words, so the text comes back without a space added.
"""

from __future__ import annotations

import base64
import re
import urllib.parse

__all__ = [
    "address_header",
    "email_key",
    "encoded",
    "header_key",
    "header_text",
    "unsafe_address",
]

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
_FOLD = "\n "  # the email policy writes it as CRLF and a space
_LINE = 78  # RFC 5322: a line should be at most 78 characters, CRLF excluded
_WORD = 75  # RFC 2047: an encoded-word is at most 75 characters
_OPEN, _CLOSE = "=?utf-8?b?", "?="


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


def _room(header: str) -> int:
    """The characters left on the first line of ``header`` after ``Name: ``."""
    return _LINE - len(header) - 2


def _words(text: str, room: int) -> str:
    """``text`` as B encoded-words, folded one a line: the first fits in ``room``
    characters, the others in a folded line; each is at most 75 characters and holds
    whole characters (a UTF-8 sequence is never split)."""
    data = text.encode("utf-8")
    size, end = len(data), 0
    words = []
    while end < size:
        start = end
        # 4 base64 characters carry 3 bytes; the opener and closer take 12 characters.
        end = min(start + (min(room, _WORD) - 12) // 4 * 3, size)
        while end < size and data[end] & 0xC0 == 0x80:  # inside a UTF-8 sequence
            end -= 1
        words.append(_OPEN + base64.b64encode(data[start:end]).decode("ascii") + _CLOSE)
        room = _LINE - 1  # a folded line starts with one space
    return _FOLD.join(words)


def encoded(value: str, header: str = "Subject") -> str:
    """An unstructured header value (a subject) for the header named ``header``: harmless
    text, written as it is when it is short plain ASCII, else as UTF-8 encoded-words,
    folded one a line so that no line passes 78 characters.

    >>> encoded("Thank you")
    'Thank you'
    >>> encoded("王伟\\r\\nBcc: x")
    '=?utf-8?b?546L5LyfIEJjYzogeA==?='
    >>> lines = encoded("王" * 300).split("\\n")
    >>> len(lines), max(len(line) for line in lines)
    (21, 73)
    """
    text = header_text(value)
    if len(text) <= _PLAIN_LENGTH and _PLAIN_TEXT.fullmatch(text):
        return text
    # A reader joins adjacent encoded-words of an unstructured header without a space.
    return _words(text, _room(header)) if text else ""


def email_key(key: str, header: str = "X-Accountcare-Key") -> str:
    """A message key as an email header value that decodes to exactly
    [`header_key`][accountcare.adapters.notify._headers.header_key]: that token itself
    when it fits on the header's line, else the token as ASCII encoded-words folded one a
    line (a folded token would come back with spaces in it).

    >>> email_key("c-1|birthday|2027-03-28|email")
    'c-1|birthday|2027-03-28|email'
    >>> from email.header import decode_header
    >>> long = email_key("王" * 250)
    >>> max(len(line) for line in long.split("\\n")) <= 77
    True
    >>> import urllib.parse
    >>> token = b"".join(part for part, _ in decode_header(long.replace("\\n", "")))
    >>> urllib.parse.unquote(token.decode("ascii")) == "王" * 250
    True
    """
    token = header_key(key)
    if len(token) <= _room(header):
        return token
    return _words(token, _room(header))


def address_header(name: str, addr_spec: str, header: str = "To") -> str:
    """A ``From``/``To`` value for the header named ``header``: the address alone, or a
    harmless display name (atoms, or encoded-words) and the address in angle brackets,
    folded so that no line passes 78 characters where the address allows.
    ``addr_spec`` must already be checked
    ([`unsafe_address`][accountcare.adapters.notify._headers.unsafe_address]).

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
        if len(text) + len(addr_spec) + 3 <= _room(header):
            return f"{text} <{addr_spec}>"
        return f"{text}{_FOLD}<{addr_spec}>"
    # RFC 2047 readers drop the folding whitespace between adjacent encoded-words of a
    # display name too, so a long name splits into words like any other text.
    return f"{_words(text, _room(header))}{_FOLD}<{addr_spec}>"
