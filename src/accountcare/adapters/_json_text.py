"""Compact JSON text for the row codecs, and back, without ``json``'s per-call set-up.

The stores write and read one JSON payload per record, whole books at a time. The row
codecs (`_codec`) write the compact text themselves, calling `quote` and
`plain_json` from the code they generate; `loads` reads it back with one
decoder made once (``json.loads`` makes its checks again on every call, which for a
small record costs half as much as the decoding itself).

>>> loads('{"id":"acme","name":"王伟"}')
{'id': 'acme', 'name': '王伟'}
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["loads", "plain_json", "quote"]

_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_raw_decode = json.JSONDecoder().raw_decode


def quote(text: str) -> str:
    """A string as JSON text, non-ASCII kept."""
    return json.encoder.encode_basestring(text)


def plain_json(data: Any) -> str:
    """Compact JSON text of plain data (a string, number, list or mapping), non-ASCII
    kept: the text of ``json.dumps(data, ensure_ascii=False, separators=(",", ":"))``."""
    if data.__class__ is str:
        return quote(data)
    return _encoder.encode(data)


def loads(text: str | bytes) -> Any:
    """Plain data of one JSON text (``json.loads``, made once for the compact objects
    the stores write; anything else goes through ``json.loads``).

    >>> loads('{"id":"acme","tags":["a"]}')
    {'id': 'acme', 'tags': ['a']}
    """
    if isinstance(text, str) and text[:1] == "{":
        try:
            value, end = _raw_decode(text)
        except ValueError:
            pass  # json.loads says what is wrong
        else:
            if end == len(text):
                return value
    return json.loads(text)
