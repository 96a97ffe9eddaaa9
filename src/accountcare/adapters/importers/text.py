"""Reading import files: bytes in, text out, with the encoding decided openly.

Exports are UTF-8 (with or without a byte-order mark) unless the caller says otherwise.
Chinese and Korean tools still write GB18030 (GBK, GB2312), Big5 and CP949 (EUC-KR): those
are never guessed, because a wrong guess turns names into other valid-looking names; the
caller declares them (or a vCard property does, with ``CHARSET``).

Only the codecs a file can be written in are accepted as an encoding: Python's byte-to-
byte codecs (``base64``, ``hex``, ``zlib``, ``bz2``, ``uu``, ``quopri``) and ``rot13`` are
not text encodings, and ``idna``, ``punycode``, ``unicode_escape``,
``raw_unicode_escape``, ``charmap`` and ``undefined`` are text codecs for other jobs
(domain labels, Python literals): naming any of them is a
[`ConfigurationError`][accountcare.errors.ConfigurationError].

Single-line texts (names, titles, company names, phone numbers) never keep a control
character: ``one_line`` (the domain's own statement of what a one-line field refuses)
turns each run of them into a space, and the importers report the cleaning as a warning.
"""

from __future__ import annotations

import codecs
import os
from functools import lru_cache
from typing import IO

from accountcare.adapters.importers.report import ImportFormatError
from accountcare.domain._validate import one_line
from accountcare.errors import ConfigurationError

__all__ = ["Source", "decode", "encoding_name", "one_line", "read_bytes"]

#: What an importer accepts: the file's bytes, a path, or a binary file object.
Source = bytes | bytearray | memoryview | os.PathLike[str] | IO[bytes]

# Declared names that mean a superset we decode with instead: GB18030 contains GBK and
# GB2312; CP949 (Unified Hangul Code) contains EUC-KR; Big5-HKSCS contains Big5.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "euc_cn": "gb18030",
    "euc_kr": "cp949",
    "ks_c_5601_1987": "cp949",
    "big5": "big5hkscs",
    "cp950": "big5hkscs",
    "utf_8_sig": "utf-8",
}


# Text codecs (by Python's own marker) that no file is written in: they encode domain
# labels, Python string literals, or nothing at all.
_NOT_CHARSETS = frozenset(
    {"idna", "punycode", "unicode_escape", "raw_unicode_escape", "charmap", "undefined"}
)


@lru_cache(maxsize=64)
def encoding_name(declared: str) -> str:
    """The codec to decode a declared encoding with (a superset where one exists).

    Raises [`ConfigurationError`][accountcare.errors.ConfigurationError] for a name that
    is no codec, or a codec that is not a character set a file is written in.

    >>> encoding_name("GB2312"), encoding_name("EUC-KR"), encoding_name("Big5")
    ('gb18030', 'cp949', 'big5hkscs')
    >>> encoding_name("base64")
    Traceback (most recent call last):
    ...
    accountcare.errors.ConfigurationError: 'base64' is not a text encoding (it is a byte-...
    """
    try:
        info = codecs.lookup(declared.strip())
    except (LookupError, ValueError) as exc:  # ValueError: an embedded NUL
        raise ConfigurationError(f"unknown text encoding {declared!r}") from exc
    key = info.name.replace("-", "_")
    if not getattr(info, "_is_text_encoding", True) or key in _NOT_CHARSETS:
        kind = "byte-to-byte codec" if key not in _NOT_CHARSETS else f"{info.name} codec"
        raise ConfigurationError(
            f"{declared!r} is not a text encoding (it is a {kind}); name the character set "
            "the file is written in, such as utf-8 or gb18030"
        )
    return _SUPERSETS.get(key, info.name)


def read_bytes(source: Source) -> bytes:
    """The whole content of ``source`` (bytes, a path, or a binary file object)."""
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source)
    if isinstance(source, os.PathLike):
        with open(os.fspath(source), "rb") as handle:
            return handle.read()
    if hasattr(source, "read"):
        data = source.read()
        if isinstance(data, str):
            raise ConfigurationError("open the import file in binary mode ('rb'), not text mode")
        return bytes(data)
    raise ConfigurationError(
        f"an import source must be bytes, a path or a binary file, got {type(source).__name__}"
    )


def decode(data: bytes, encoding: str | None = None) -> str:
    """Text of ``data``: a byte-order mark wins, then the declared encoding, then UTF-8.

    >>> decode(b"\\xef\\xbb\\xbfName")
    'Name'
    >>> decode("王伟".encode("gb18030"), "GBK")
    '王伟'
    """
    if data.startswith(codecs.BOM_UTF8):
        return _decode(data[3:], "utf-8", declared=False)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode(data, "utf-16", declared=False)  # Excel's "Unicode text"
    if encoding is not None:
        return _decode(data, encoding_name(encoding), declared=True)
    return _decode(data, "utf-8", declared=False)


def _decode(data: bytes, codec: str, *, declared: bool) -> str:
    try:
        return data.decode(codec)
    except UnicodeError as exc:
        if not isinstance(exc, UnicodeDecodeError):  # a codec that gives no position
            raise ImportFormatError(f"the bytes are not valid {codec}: {exc}") from exc
        ends = b"\n" if b"\n" in data else b"\r"  # a file with CR line ends (old Mac)
        line = data.count(ends, 0, exc.start) + 1
        hint = (
            "; give the file's encoding"
            if declared
            else "; if the file is GB18030/GBK, Big5 or CP949/EUC-KR, give the file's encoding"
        )
        raise ImportFormatError(
            f"line {line}: the bytes at offset {exc.start} are not valid {codec}{hint}"
        ) from exc
