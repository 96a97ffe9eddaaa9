"""Row codecs: a stored record kind to its payload's plain data and back, fast.

A store writes and reads whole books at once (100,000 accounts in one batch), so the
general machinery of the one converter (:mod:`accountcare.serialization`) dominates:
cattrs dispatches per value, and reading back runs every validator of every value
again. A :class:`RowCodec` is built once per record kind from the kind's attrs fields
and the converter's own hooks, as straight-line Python (the technique attrs and cattrs
use for ``__init__`` and their hooks), and keeps the stored format exactly:

- :meth:`RowCodec.encode` gives the very plain data ``stored.unstructure`` gives (fields
  equal to their default left out); nested records go through their own codecs, leaf
  types (dates, instants, money, durations, birthdays) through the converter's hooks.
- :meth:`RowCodec.text` writes the JSON text of that data directly (the same text as
  ``json.dumps(..., ensure_ascii=False, separators=(",", ":"))``, strings escaped by the
  ``json`` module's own function), without building the dicts first.
- :meth:`RowCodec.decode` rebuilds a value from such data **without running validators**
  (a trusted constructor: fields are set through their slots). A payload was validated
  when its value was built, before it was written, and the codec builds each field in
  the exact type the constructor's converters produce (tuples, frozensets, enums,
  ``Decimal``, aware ``datetime``); a field of a type it does not know is built by the
  converter's hook and then passed through the field's own converter. It is only for
  payloads a store wrote itself; everything else goes through
  :func:`accountcare.serialization.structure`, which validates. A kind with an
  ``__attrs_post_init__`` (or a converter that needs the instance) is rebuilt through
  its constructor, so its checks run.

A property test holds both directions to the converter on generated values of every
stored kind (``tests/test_row_codec.py``).

>>> from datetime import UTC, datetime
>>> from accountcare.domain import Account
>>> codec = row_codec(Account)
>>> acme = Account(id="acme", name="Acme", updated_at=datetime(2027, 3, 1, tzinfo=UTC))
>>> codec.encode(acme)
{'id': 'acme', 'name': 'Acme', 'updated_at': '2027-03-01T00:00:00+00:00'}
>>> codec.decode(codec.encode(acme)) == acme
True
"""

from __future__ import annotations

import enum
import json
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from threading import Lock
from typing import Any, Generic, TypeVar

import attrs

from accountcare.adapters._json_text import _plain_json, _quote, dumps, loads
from accountcare.serialization import LEAF_TYPES

__all__ = ["RowCodec", "dumps", "loads", "row_codec"]

T = TypeVar("T")

_NONE = type(None)
_PLAIN = (str, int, bool, _NONE)  # JSON gives these back as they went in


class RowCodec(Generic[T]):
    """The generated ``encode`` (value -> plain data), ``text`` (value -> the compact
    JSON text of that data) and ``decode`` (plain data -> value, trusted) of one record
    kind; get one with :func:`row_codec`."""

    def __init__(
        self,
        kind: type[T],
        encode: Callable[[T], Any],
        text: Callable[[T], str],
        decode: Callable[[Any], T],
    ) -> None:
        self.kind = kind
        self.encode = encode
        self.text = text
        self.decode = decode


_codecs: dict[type, RowCodec[Any]] = {}
_building = Lock()


def row_codec(kind: type[T]) -> RowCodec[T]:
    """The codec of ``kind`` (an attrs class), built on first use and kept."""
    found = _codecs.get(kind)
    if found is None:
        with _building:
            found = _codecs.get(kind)
            if found is None:
                builder = _Builder(_stored())
                found = builder.build(kind)
                _codecs.update(builder.pending)  # published only once complete
    return found


def _stored() -> Any:
    from accountcare.adapters._rows import stored  # the converter the codecs mirror

    return stored


class _Builder:
    """Writes the source of the encode and decode functions of attrs classes."""

    def __init__(self, converter: Any) -> None:
        self.converter = converter
        self.names: dict[str, Any] = {}
        self.counter = 0
        self.pending: dict[type, RowCodec[Any]] = {}

    def ref(self, value: Any, hint: str = "g") -> str:
        """A global name in the generated code for ``value``."""
        self.counter += 1
        name = f"_{hint}{self.counter}"
        self.names[name] = value
        return name

    def fresh(self) -> str:
        self.counter += 1
        return f"e{self.counter}"

    def build(self, kind: type[T]) -> RowCodec[T]:
        known = _codecs.get(kind) or self.pending.get(kind)
        if known is not None:
            return known
        record: Any = kind
        if not attrs.has(record):
            raise TypeError(f"{kind!r} is not an attrs class")
        attrs.resolve_types(record)
        # Registered before generating, so self-referencing kinds resolve to this entry.
        codec: RowCodec[T] = RowCodec(kind, _unbuilt, _unbuilt, _unbuilt)
        self.pending[kind] = codec
        codec.encode = self._encoder(kind)
        codec.text = self._texter(kind)
        codec.decode = self._decoder(kind)
        return codec

    def _compile(self, name: str, lines: list[str]) -> Callable[..., Any]:
        space = dict(self.names)
        exec(compile("\n".join(lines), f"<row codec {name}>", "exec"), space)
        function: Callable[..., Any] = space[name]
        return function

    # -- encoding --------------------------------------------------------------

    def _encoder(self, kind: type) -> Callable[[Any], Any]:
        fields = attrs.fields(kind)
        name = f"encode_{kind.__name__}"
        lines = [f"def {name}(o):"]
        required = [f for f in fields if f.default is attrs.NOTHING]
        lines.append(
            "    r = {"
            + ", ".join(f"{f.name!r}: {self._out(f.type, f'o.{f.name}')}" for f in required)
            + "}"
        )
        for field in fields:
            if field.default is attrs.NOTHING:
                continue
            default = field.default
            if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                factory: Any = default
                if factory.takes_self:
                    compared = f"{self.ref(factory.factory, 'f')}(o)"
                else:
                    compared = self.ref(factory.factory(), "d")
            else:
                compared = "None" if default is None else self.ref(default, "d")
            test = "is not" if default is None else "!="
            lines.append(f"    x = o.{field.name}")
            lines.append(f"    if x {test} {compared}:")
            lines.append(f"        r[{field.name!r}] = {self._out(field.type, 'x')}")
        lines.append("    return r")
        return self._compile(name, lines)

    def _out(self, kind: Any, expr: str) -> str:
        """Source turning the value at ``expr`` (a name or attribute) into plain data."""
        if kind in _PLAIN or kind is float:
            return expr
        if kind in LEAF_TYPES:
            return f"{self.ref(self.converter.get_unstructure_hook(kind), 'u')}({expr})"
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            return f"{expr}.value"
        if isinstance(kind, type) and attrs.has(kind):
            codec = self.build(kind)
            return f"{self.ref(codec, 'c')}.encode({expr})"
        origin, args = typing.get_origin(kind), typing.get_args(kind)
        if origin in (types.UnionType, typing.Union) and len(args) == 2 and _NONE in args:
            inner = self._out(next(a for a in args if a is not _NONE), expr)
            return expr if inner == expr else f"(None if {expr} is None else {inner})"
        if origin in (tuple, frozenset, list) and (
            origin is not tuple or (len(args) == 2 and args[1] is Ellipsis)
        ):
            each = self.fresh()
            inner = self._out(args[0], each)
            return f"list({expr})" if inner == each else f"[{inner} for {each} in {expr}]"
        if origin is tuple:
            return "[" + ", ".join(self._out(a, f"{expr}[{n}]") for n, a in enumerate(args)) + "]"
        return f"{self.ref(self.converter.get_unstructure_hook(kind), 'u')}({expr})"

    # -- JSON text -------------------------------------------------------------

    def _texter(self, kind: type) -> Callable[[Any], str]:
        """The JSON text of what the encoder gives, written straight from the value:
        same keys in the same order, strings escaped by the ``json`` module's own
        function, anything unusual through its encoder."""
        fields = attrs.fields(kind)
        name = f"text_{kind.__name__}"
        required = [f for f in fields if f.default is attrs.NOTHING]
        lines = [f"def {name}(o):"]
        pieces: list[str] = []
        for n, field in enumerate(required):
            key = ("{" if n == 0 else ",") + _quote(field.name) + ":"
            pieces += [repr(key), self._json(field.type, f"o.{field.name}")]
        lines.append(f"    r = [{', '.join(pieces) if pieces else repr('{')}]")
        for field in fields:
            if field.default is attrs.NOTHING:
                continue
            test = self._differs(field.default)
            lines.append(f"    x = o.{field.name}")
            lines.append(f"    if {test}:")
            key = "," + _quote(field.name) + ":"
            lines.append(f"        r += ({key!r}, {self._json(field.type, 'x')})")
        if not required:  # the first key written must not follow a comma
            lines.append("    if len(r) > 1:")
            lines.append("        r[1] = r[1][1:]")
        lines.append("    r.append('}')")
        lines.append("    return ''.join(r)")
        return self._compile(name, lines)

    def _differs(self, default: Any) -> str:
        """Source testing whether the value in ``x`` differs from a field's default."""
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            factory: Any = default
            if factory.takes_self:
                return f"x != {self.ref(factory.factory, 'f')}(o)"
            return f"x != {self.ref(factory.factory(), 'd')}"
        if default is None or isinstance(default, enum.Enum | bool):
            # Singletons: identity is equality (and cheaper than an enum's __ne__).
            return f"x is not {self.ref(default, 'd')}"
        return f"x != {self.ref(default, 'd')}"

    def _json(self, kind: Any, expr: str) -> str:
        """Source turning the value at ``expr`` into its JSON text."""
        text = self.ref(json.encoder.encode_basestring, "q")
        if kind is str:
            return f"{text}({expr})"
        if (
            isinstance(kind, type)
            and issubclass(kind, enum.Enum)
            and all(isinstance(member.value, str) for member in kind)
        ):
            return f"{text}({expr}.value)"
        if isinstance(kind, type) and attrs.has(kind) and kind not in LEAF_TYPES:
            codec = self.build(kind)
            if codec.text is not _unbuilt:  # the function itself: one lookup less per value
                return f"{self.ref(codec.text, 't')}({expr})"
            return f"{self.ref(codec, 'c')}.text({expr})"
        origin, args = typing.get_origin(kind), typing.get_args(kind)
        if origin in (types.UnionType, typing.Union) and len(args) == 2 and _NONE in args:
            inner = self._json(next(a for a in args if a is not _NONE), expr)
            return f"('null' if {expr} is None else {inner})"
        if origin in (tuple, frozenset, list) and (
            origin is not tuple or (len(args) == 2 and args[1] is Ellipsis)
        ):
            each = self.fresh()
            inner = self._json(args[0], each)
            return f"('[' + ','.join([{inner} for {each} in {expr}]) + ']')"
        return f"{self.ref(_plain_json, 'j')}({self._out(kind, expr)})"

    # -- decoding --------------------------------------------------------------

    def _decoder(self, kind: type) -> Callable[[Any], Any]:
        fields = attrs.fields(kind)
        name = f"decode_{kind.__name__}"
        cls = self.ref(kind, "k")
        lines = [f"def {name}(d):"]
        lines.append(f"    if not d.keys() <= {self.ref(frozenset(f.name for f in fields))}:")
        lines.append(f"        raise {self.ref(_extra_keys)}({cls}, d)")
        # Checks after __init__, and converters that need the instance, only run in the
        # constructor: such kinds are built through it.
        trusted = not hasattr(kind, "__attrs_post_init__") and not any(
            isinstance(f.converter, attrs.Converter) for f in fields
        )
        if trusted:
            lines.append(f"    s = {self.ref(object.__new__)}({cls})")
        for field in fields:
            value = f"d[{field.name!r}]"
            if field.default is not attrs.NOTHING:
                default = field.default
                if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                    factory: Any = default
                    if factory.takes_self:
                        made = f"{self.ref(factory.factory, 'f')}(s)"
                    else:
                        made = self._made_once(factory.factory)
                else:
                    made = self.ref(default, "d")
                lines.append(f"    x = d.get({field.name!r}, {self.ref(_MISSING)})")
                value = f"{made} if x is {self.ref(_MISSING)} else {self._in(field.type, 'x')}"
            else:
                value = self._in(field.type, value)
            if trusted and field.converter is not None and not self._exact(field.type):
                # Built by a converter hook: the field's converter gives the form the
                # constructor would have stored (a tuple for a list, say).
                value = f"{self.ref(field.converter, 'v')}({value})"
            if trusted:
                lines.append(f"    {self._setter(kind, field.name)}(s, {value})")
            else:
                lines.append(f"    a_{field.name} = {value}")
        if trusted:
            lines.append("    return s")
        else:
            arguments = ", ".join(f"{f.alias}=a_{f.name}" for f in fields if f.init)
            lines.append(f"    return {cls}({arguments})")
        return self._compile(name, lines)

    def _setter(self, kind: type, name: str) -> str:
        """A callable ``(instance, value)`` setting a field past a frozen class's guard:
        the slot's own descriptor (what ``object.__setattr__`` ends up calling)."""
        for klass in kind.__mro__:
            slot = klass.__dict__.get(name)
            if isinstance(slot, types.MemberDescriptorType):
                return self.ref(slot.__set__, "s")
        setter = object.__setattr__
        return f"(lambda s, v: {self.ref(setter)}(s, {name!r}, v))"

    def _in(self, kind: Any, expr: str) -> str:
        """Source turning the plain data at ``expr`` back into a value of ``kind``."""
        if kind in _PLAIN:
            return expr
        if kind is float:
            return f"float({expr})"
        if kind is datetime:
            return f"{self.ref(datetime.fromisoformat)}({expr})"
        if kind is date:
            return f"{self.ref(date.fromisoformat)}({expr})"
        if kind in LEAF_TYPES:
            hook = self.ref(self.converter.get_structure_hook(kind), "h")
            return f"{hook}({expr}, {self.ref(kind, 't')})"
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            members = {member.value: member for member in kind}
            return f"{self.ref(members, 'm')}[{expr}]"
        if isinstance(kind, type) and attrs.has(kind):
            codec = self.build(kind)
            return f"{self.ref(codec, 'c')}.decode({expr})"
        origin, args = typing.get_origin(kind), typing.get_args(kind)
        if origin in (types.UnionType, typing.Union) and len(args) == 2 and _NONE in args:
            inner = self._in(next(a for a in args if a is not _NONE), expr)
            return expr if inner == expr else f"(None if {expr} is None else {inner})"
        if origin in (tuple, frozenset) and (
            origin is not tuple or (len(args) == 2 and args[1] is Ellipsis)
        ):
            each = self.fresh()
            inner = self._in(args[0], each)
            make = origin.__name__
            return f"{make}({expr})" if inner == each else f"{make}([{inner} for {each} in {expr}])"
        if origin is tuple:
            parts = [self._in(a, f"{expr}[{n}]") + ", " for n, a in enumerate(args)]
            return "(" + "".join(parts) + ")"
        hook = self.ref(self.converter.get_structure_hook(kind), "h")
        return f"{hook}({expr}, {self.ref(kind, 't')})"

    def _exact(self, kind: Any) -> bool:
        """Whether :meth:`_in` builds values of ``kind`` in exactly the form the
        constructor keeps (no converter needed): records, enums, plain and leaf values,
        optionals, tuples and frozensets of such."""
        if kind in _PLAIN or kind in LEAF_TYPES or kind is float:
            return True
        if isinstance(kind, type) and (issubclass(kind, enum.Enum) or attrs.has(kind)):
            return True
        origin, args = typing.get_origin(kind), typing.get_args(kind)
        if origin in (types.UnionType, typing.Union) and len(args) == 2 and _NONE in args:
            return self._exact(next(a for a in args if a is not _NONE))
        if origin is frozenset or origin is tuple:
            return all(self._exact(a) for a in args if a is not Ellipsis)
        return False

    def _made_once(self, factory: Callable[[], Any]) -> str:
        """Source for a factory default: one shared value when it is a frozen record
        (immutable, so sharing it is safe), else a call per value."""
        value = factory()
        names = [f.name for f in attrs.fields(type(value))] if attrs.has(type(value)) else []
        if names:
            try:
                setattr(value, names[0], getattr(value, names[0]))
            except attrs.exceptions.FrozenInstanceError:
                try:
                    hash(value)
                except TypeError:
                    pass
                else:
                    return self.ref(value, "d")
        return f"{self.ref(factory, 'f')}()"


_MISSING = object()


def _unbuilt(value: Any) -> Any:
    raise RuntimeError("a row codec was used while it was being built")


def _extra_keys(kind: type, data: Any) -> Exception:
    names = {f.name for f in attrs.fields(kind)}
    extra = sorted(str(k) for k in data if k not in names)
    return KeyError(f"{kind.__name__} has no field(s) {', '.join(extra)}")
