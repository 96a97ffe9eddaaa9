"""Compact JSON text of plain data, and back, without ``json``'s per-call set-up.

The stores write and read one JSON payload per record, whole books at a time.
``json.dumps(..., ensure_ascii=False, separators=(",", ":"))`` builds a new encoder on
every call, which for a small record costs as much as the encoding itself; here the C
encoder is made once, and :func:`loads` calls the C scanner straight on the compact text
:func:`dumps` writes. The row codecs (:mod:`._codec`) call :func:`_quote` and
:func:`_plain_json` from the code they generate.

>>> loads(dumps({"id": "acme", "name": "王伟"}))
{'id': 'acme', 'name': '王伟'}
"""

from __future__ import annotations

import json
import json.scanner
from typing import Any

__all__ = ["dumps", "loads"]

# One C encoder made once: ``json.dumps`` with these options builds a new encoder per
# call, which costs as much as the encoding itself for a small record.
_make_encoder: Any = getattr(json.encoder, "c_make_encoder", None)
_encoder: Any = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_one = (
    _make_encoder(
        None, _encoder.default, json.encoder.encode_basestring, None, ":", ",", False, False, True
    )
    if _make_encoder is not None
    else None
)


def _quote(text: str) -> str:
    quoted: str = json.encoder.encode_basestring(text)
    return quoted


def _plain_json(data: Any) -> str:
    """JSON text of plain data (a string, number, list or mapping)."""
    if data.__class__ is str:
        return _quote(data)
    if _one is not None:
        return "".join(_one(data, 0))
    text: str = _encoder.encode(data)
    return text


def dumps(data: Any) -> str:
    """Compact JSON text of plain data, non-ASCII kept (``json.dumps`` with
    ``ensure_ascii=False, separators=(",", ":")``, the same text).

    >>> dumps({"name": "王伟", "tags": ["a", "b"]})
    '{"name":"王伟","tags":["a","b"]}'
    """
    if _one is not None and isinstance(data, dict):
        return "".join(_one(data, 0))
    text: str = _encoder.encode(data)
    return text


_decoder: Any = json.JSONDecoder()
_scan: Any = json.scanner.make_scanner(_decoder)


def loads(text: str | bytes) -> Any:
    """Plain data of one JSON text (``json.loads``, without its per-call set-up for the
    compact text :func:`dumps` writes; anything else goes through ``json.loads``).

    >>> loads('{"id":"acme","tags":["a"]}')
    {'id': 'acme', 'tags': ['a']}
    """
    if isinstance(text, str) and text[:1] == "{":
        try:
            value, end = _scan(text, 0)
        except (StopIteration, ValueError):
            pass  # json.loads says what is wrong
        else:
            if end == len(text):
                return value
    return json.loads(text)
