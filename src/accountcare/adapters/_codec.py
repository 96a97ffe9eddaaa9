"""Row codecs: a stored record kind to its payload's plain data and back, fast.

A store writes and reads whole books at once (100,000 accounts in one batch), where the
general machinery of the one converter ([`serialization`][accountcare.serialization])
dominates: cattrs dispatches per value, and reading back runs every validator again. A
`RowCodec` is built once per record kind from its attrs fields and the
converter's own hooks, as straight-line Python (as attrs writes ``__init__``; the source
is registered with ``linecache``, so tracebacks show it), keeping the stored format:

- `RowCodec.encode` gives the plain data ``stored.unstructure`` gives (fields
  equal to their default left out); nested records go through their own codecs, leaf
  types (dates, instants, money, durations, birthdays) through the converter's hooks.
- `RowCodec.text` writes the JSON text of that data directly, without building
  the dicts (``json.dumps(..., ensure_ascii=False, separators=(",", ":"))``'s text).
- `RowCodec.decode` rebuilds a value through the kind's trusted constructor
  (``accountcare.domain._trusted.trusted``): validators do not run again. They ran
  when the value was built, before it was written, and the decoder builds each field in
  the form the constructor's converters produce (tuples, frozensets, enums, ``Decimal``,
  aware ``datetime``); a field of a type it does not know is built by the converter's
  hook, then passed through the field's converter. It is only for payloads a store
  wrote itself; anything else goes through
  [`structure`][accountcare.serialization.structure].
  A kind with ``__attrs_post_init__`` (or a converter that needs the instance) is built
  through its constructor, so its checks run.

Leaving defaults out makes each default part of the stored format, as in protocol
buffers: changing one changes what stored payloads mean, and needs a migration that
rewrites them (``tests/test_golden_payloads.py`` fails until then).
``tests/test_row_codec.py`` holds both directions to the converter for every stored kind.

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

import collections.abc
import enum
import json
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from threading import Lock
from typing import Any, Generic, TypeVar

import attrs

from accountcare.adapters._json_text import loads, plain_json, quote
from accountcare.domain._trusted import register_source, trusted
from accountcare.domain._validate import _NOT_IN_AN_ID, MAX_ID_LENGTH, an_id
from accountcare.serialization import LEAF_TYPES, converter

__all__ = ["RowCodec", "loads", "row_codec", "stored"]

T = TypeVar("T")

#: The one converter's hooks, leaving out fields equal to their default and without
#: per-field error detail on reading, which only ever meets rows a store wrote. Both
#: make a round trip about three times faster. The codecs are straight-line versions of
#: these hooks; ``stored`` itself reads what they cannot.
stored = converter.copy(omit_if_default=True, detailed_validation=False)

_NONE = type(None)
_PLAIN = (str, int, bool, _NONE)  # JSON gives these back as they went in
_COLLECTIONS = (tuple, frozenset, list, collections.abc.Sequence)
_FACTORY: Any = attrs.Factory  # the class (its stub calls it a function)


class _Shape(enum.Enum):
    """What a field's type is, as far as generating code for it goes."""

    PLAIN = "plain"  # str, int, bool, None: JSON keeps them as they are
    FLOAT = "float"
    LEAF = "leaf"  # a type with hooks of its own in the converter
    ENUM = "enum"
    RECORD = "record"  # an attrs class: its own codec
    OPTIONAL = "optional"  # X | None
    MANY = "many"  # tuple[X, ...], frozenset[X], list[X], Sequence[X]
    FIXED = "fixed"  # tuple[X, Y]
    OTHER = "other"  # anything else: the converter's hooks


_NESTED = frozenset({_Shape.OPTIONAL, _Shape.MANY, _Shape.FIXED})


def _shape(kind: Any) -> tuple[_Shape, Any]:
    """The shape of ``kind`` and its parts: the inner type of an optional, ``(origin,
    item type)`` of a collection, the item types of a fixed tuple."""
    if kind in _PLAIN:
        return _Shape.PLAIN, None
    if kind is float:
        return _Shape.FLOAT, None
    if kind in LEAF_TYPES:
        return _Shape.LEAF, None
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return _Shape.ENUM, None
    if isinstance(kind, type) and attrs.has(kind):
        return _Shape.RECORD, None
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (types.UnionType, typing.Union) and len(args) == 2 and _NONE in args:
        return _Shape.OPTIONAL, next(a for a in args if a is not _NONE)
    if origin in _COLLECTIONS and (origin is not tuple or args[1:] == (Ellipsis,)):
        return _Shape.MANY, (origin, args[0])
    if origin is tuple:
        return _Shape.FIXED, args
    return _Shape.OTHER, None


@attrs.define
class RowCodec(Generic[T]):
    """The generated ``encode`` (value -> plain data), ``text`` (value -> the compact
    JSON text of that data) and ``decode`` (plain data -> value, trusted) of one record
    kind; get one with `row_codec`."""

    kind: type[T]
    encode: Callable[[T], Any]
    text: Callable[[T], str]
    decode: Callable[[Any], T]


_codecs: dict[type, RowCodec[Any]] = {}
_building = Lock()


def row_codec(kind: type[T]) -> RowCodec[T]:
    """The codec of ``kind`` (an attrs class), built on first use and kept."""
    found = _codecs.get(kind)
    if found is None:
        with _building:
            found = _codecs.get(kind)
            if found is None:
                builder = _Builder()
                found = builder.build(kind)
                _codecs.update(builder.pending)  # published only once complete
    return found


class _Builder:
    """Writes the source of the encode, text and decode functions of attrs classes."""

    def __init__(self) -> None:
        self.names: dict[str, Any] = {"_NOTHING": attrs.NOTHING}
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
        record: Any = kind  # not narrowed by attrs.has: the codec keeps type[T]
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

    def _compile(self, kind: type, name: str, lines: list[str]) -> Callable[..., Any]:
        source = "\n".join(lines) + "\n"
        filename = f"<accountcare row codec {kind.__module__}.{kind.__qualname__}.{name}>"
        register_source(filename, source)
        space = dict(self.names)
        exec(compile(source, filename, "exec"), space)
        function: Callable[..., Any] = space[name]
        return function

    def _unless_default(
        self, fields: tuple[attrs.Attribute[Any], ...], put: Callable[[Any], str]
    ) -> list[str]:
        """Lines running ``put(field)`` for each defaulted field of ``o`` whose value
        (in ``x``) differs from its default: defaults are left out of payloads."""
        lines = []
        for field in fields:
            if field.default is not attrs.NOTHING:
                lines += [f"    x = o.{field.name}", f"    if {self._differs(field)}:"]
                lines.append(f"        {put(field)}")
        return lines

    def _differs(self, field: attrs.Attribute[Any]) -> str:
        """Source testing whether the value in ``x`` differs from ``field``'s default."""
        default: Any = field.default
        if isinstance(default, _FACTORY):
            if default.takes_self:
                return f"x != {self.ref(default.factory, 'f')}(o)"
            return f"x != {self.ref(default.factory(), 'd')}"
        if default is None or isinstance(default, enum.Enum | bool):
            # Singletons: identity is equality (and cheaper than an enum's __ne__).
            return f"x is not {self.ref(default, 'd')}"
        return f"x != {self.ref(default, 'd')}"

    # -- encoding --------------------------------------------------------------

    def _encoder(self, kind: type) -> Callable[[Any], Any]:
        fields = attrs.fields(kind)
        required = [f for f in fields if f.default is attrs.NOTHING]
        pairs = ", ".join(f"{f.name!r}: {self._out(f.type, f'o.{f.name}')}" for f in required)
        put = lambda f: f"r[{f.name!r}] = {self._out(f.type, 'x')}"  # noqa: E731
        lines = ["def encode(o):", f"    r = {{{pairs}}}", *self._unless_default(fields, put)]
        return self._compile(kind, "encode", [*lines, "    return r"])

    def _out(self, kind: Any, expr: str) -> str:
        """Source turning the value at ``expr`` (a name or attribute) into plain data."""
        shape, part = _shape(kind)
        if shape in (_Shape.PLAIN, _Shape.FLOAT):
            return expr
        if shape is _Shape.ENUM:
            return f"{expr}.value"
        if shape is _Shape.RECORD:
            return f"{self.ref(self.build(kind), 'c')}.encode({expr})"
        if shape in _NESTED:
            return self._nested(shape, part, expr, decoding=False)
        return f"{self.ref(stored.get_unstructure_hook(kind), 'u')}({expr})"

    def _nested(self, shape: _Shape, part: Any, expr: str, *, decoding: bool) -> str:
        """Source for an optional, a collection or a fixed tuple at ``expr``, each part
        translated in one direction: from plain data (``decoding``) or into it."""
        inner = self._in if decoding else self._out
        if shape is _Shape.OPTIONAL:
            source = inner(part, expr)
            return expr if source == expr else f"(None if {expr} is None else {source})"
        if shape is _Shape.MANY:
            each = self.fresh()
            source, make = inner(part[1], each), "list"
            if decoding:
                make = {frozenset: "frozenset", list: "list"}.get(part[0], "tuple")
            return (
                f"{make}({expr})" if source == each else f"{make}([{source} for {each} in {expr}])"
            )
        parts = "".join(inner(a, f"{expr}[{n}]") + ", " for n, a in enumerate(part))
        return f"({parts})" if decoding else f"[{parts}]"

    # -- JSON text -------------------------------------------------------------

    def _texter(self, kind: type) -> Callable[[Any], str]:
        """The JSON text of what the encoder gives, written straight from the value:
        same keys in the same order, anything unusual through the ``json`` encoder."""
        fields = attrs.fields(kind)
        required = [f for f in fields if f.default is attrs.NOTHING]
        pieces: list[str] = []
        for n, field in enumerate(required):
            key = ("{" if n == 0 else ",") + quote(field.name) + ":"
            pieces += [repr(key), self._json(field.type, f"o.{field.name}")]
        put = lambda f: f"r += ({',' + quote(f.name) + ':'!r}, {self._json(f.type, 'x')})"  # noqa: E731
        lines = ["def text(o):", f"    r = [{', '.join(pieces) if pieces else repr('{')}]"]
        lines += self._unless_default(fields, put)
        if not required:  # the first key written must not follow a comma
            lines += ["    if len(r) > 1:", "        r[1] = r[1][1:]"]
        lines += ["    r.append('}')", "    return ''.join(r)"]
        return self._compile(kind, "text", lines)

    def _json(self, kind: Any, expr: str) -> str:
        """Source turning the value at ``expr`` into its JSON text."""
        shape, part = _shape(kind)
        text = self.ref(json.encoder.encode_basestring, "q")
        if kind is str:
            return f"{text}({expr})"
        if shape is _Shape.ENUM and all(isinstance(member.value, str) for member in kind):
            return f"{text}({expr}.value)"
        if shape is _Shape.RECORD:
            codec = self.build(kind)
            if codec.text is not _unbuilt:  # the function itself: one lookup less per value
                return f"{self.ref(codec.text, 't')}({expr})"
            return f"{self.ref(codec, 'c')}.text({expr})"
        if shape is _Shape.OPTIONAL:
            return f"('null' if {expr} is None else {self._json(part, expr)})"
        if shape is _Shape.MANY:
            each = self.fresh()
            return f"('[' + ','.join([{self._json(part[1], each)} for {each} in {expr}]) + ']')"
        return f"{self.ref(plain_json, 'j')}({self._out(kind, expr)})"

    # -- decoding --------------------------------------------------------------

    def _decoder(self, kind: type) -> Callable[[Any], Any]:
        """``decode(d)``: each field from the payload (or its default), then one call of
        the trusted constructor, positionally, in the order of the fields."""
        fields = attrs.fields(kind)
        # Checks after __init__, and converters that need the instance, only run in the
        # constructor: such kinds (and classes without slots) are built through it.
        checked = (
            hasattr(kind, "__attrs_post_init__")
            or "__slots__" not in vars(kind)
            or any(isinstance(f.converter, attrs.Converter) for f in fields)
        )
        known = self.ref(frozenset(f.name for f in fields))
        lines = [
            "def decode(d):",
            f"    if not d.keys() <= {known}:",
            f"        raise {self.ref(_extra_keys)}({self.ref(kind, 'k')}, d)",
        ]
        for n, field in enumerate(fields):
            lines.append(f"    a{n} = {self._field_in(field, converted=not checked)}")
        if checked:
            arguments = ", ".join(f"{f.alias}=a{n}" for n, f in enumerate(fields) if f.init)
            lines.append(f"    return {self.ref(kind, 'k')}({arguments})")
        else:
            arguments = ", ".join(f"a{n}" for n in range(len(fields)))
            lines.append(f"    r = {self.ref(trusted(kind), 'k')}({arguments})")
            # Another program may have written the row: the checks whose failure would
            # crash what reads the value later (money out of range, an id that breaks a
            # line) still run, through the field's own validator, once per such field.
            for field in fields:
                if field.validator is not None and _rechecked(field):
                    lines += self._recheck(field)
            lines.append("    return r")
        return self._compile(kind, "decode", lines)

    def _recheck(self, field: attrs.Attribute[Any]) -> list[str]:
        """Lines running ``field``'s validator on the built record ``r``. For a plain
        or optional id, only when a C-speed test of the id's text (length, a control
        character or line break, blank) finds something the validator must look at:
        the validator alone decides, and says what is wrong."""
        check, name = self.ref(field.validator, "v"), self.ref(field, "a")
        call = f"{check}(r, {name}, x)"
        # Anything but a plain or optional id (money, a collection of ids: each one) is
        # checked whole, always.
        if field.type not in (str, str | None) or not _runs(field.validator, an_id):
            return [f"    x = r.{field.name}", f"    {call}"]
        search = self.ref(_NOT_IN_AN_ID.search, "s")
        suspect = f"not 0 < len(x) <= {MAX_ID_LENGTH} or {search}(x) or x.isspace()"
        if field.type is not str:
            suspect = f"x is not None and ({suspect})"
        return [f"    x = r.{field.name}", f"    if {suspect}:", f"        {call}"]

    def _field_in(self, field: attrs.Attribute[Any], *, converted: bool) -> str:
        """Source for one field's value: read from ``d``, or its default when left out
        (``_NOTHING`` for a factory default, which the constructor then calls)."""
        key = repr(field.name)
        expr = "x" if field.default is not attrs.NOTHING else f"d[{key}]"
        value = self._in(field.type, expr)
        if converted and field.converter is not None and not self._exact(field.type):
            # Built by a converter hook: the field's converter gives the form the
            # constructor would have kept (a tuple for a list, say).
            value = f"{self.ref(field.converter, 'v')}({value})"
        if field.default is attrs.NOTHING:
            return value
        default = self._default(field)
        if value == "x":
            return f"d.get({key}, {default})"
        return f"{default} if (x := d.get({key}, _NOTHING)) is _NOTHING else {value}"

    def _default(self, field: attrs.Attribute[Any]) -> str:
        """Source for a left-out field: its default, or one shared value of a factory
        that makes an immutable record, else ``_NOTHING`` so the factory runs."""
        default: Any = field.default
        if not isinstance(default, _FACTORY):
            return self.ref(default, "d")
        if not default.takes_self:
            made = default.factory()
            try:
                hash(made)  # a hashable attrs record is frozen: sharing it is safe
            except TypeError:
                pass
            else:
                if attrs.has(type(made)):
                    return self.ref(made, "d")
        return "_NOTHING"

    def _in(self, kind: Any, expr: str) -> str:
        """Source turning the plain data at ``expr`` back into a value of ``kind``."""
        shape, part = _shape(kind)
        if shape is _Shape.PLAIN:
            return expr
        if shape is _Shape.FLOAT:
            return f"float({expr})"
        if kind in (date, datetime):  # the stored form is always ISO text
            return f"{self.ref(kind.fromisoformat)}({expr})"
        if shape is _Shape.ENUM:
            return f"{self.ref({member.value: member for member in kind}, 'm')}[{expr}]"
        if shape is _Shape.RECORD:
            return f"{self.ref(self.build(kind), 'c')}.decode({expr})"
        if shape in _NESTED:
            return self._nested(shape, part, expr, decoding=True)
        hook = self.ref(stored.get_structure_hook(kind), "h")
        return f"{hook}({expr}, {self.ref(kind, 't')})"

    def _exact(self, kind: Any) -> bool:
        """Whether `_in` builds values of ``kind`` in exactly the form the
        constructor keeps (no converter needed): records, enums, plain and leaf values,
        optionals, tuples and frozensets of such."""
        shape, part = _shape(kind)
        if shape is _Shape.OPTIONAL:
            return self._exact(part)
        if shape is _Shape.MANY:
            return part[0] in (tuple, frozenset) and self._exact(part[1])
        if shape is _Shape.FIXED:
            return all(self._exact(a) for a in part)
        return shape is not _Shape.OTHER


def _mentions(kind: Any, part: type) -> bool:
    """Whether the type ``kind`` is ``part`` or holds it (``Decimal | None``, say)."""
    return kind is part or any(_mentions(a, part) for a in typing.get_args(kind))


def _runs(validator: Any, wanted: Callable[..., Any]) -> bool:
    """Whether ``validator`` is ``wanted`` or wraps it (``optional(an_id)``, ``each(an_id)``,
    attrs' ``and_``)."""
    if validator is wanted:
        return True
    inner: list[Any] = list(getattr(validator, "_validators", ()))
    for cell in getattr(validator, "__closure__", None) or ():
        try:
            contents = cell.cell_contents
        except ValueError:  # an empty cell
            continue
        inner += contents if isinstance(contents, tuple) else [contents]
    return any(v is not validator and callable(v) and _runs(v, wanted) for v in inner)


def _rechecked(field: attrs.Attribute[Any]) -> bool:
    """Whether decoding runs ``field``'s validator although the record is rebuilt
    trusted: money (every ``Decimal`` field, whose range keeps sums from overflowing)
    and ids of every kind (one C-speed search each)."""
    return _mentions(field.type, Decimal) or _runs(field.validator, an_id)


def _unbuilt(value: Any) -> Any:
    raise RuntimeError("a row codec was used while it was being built")


def _extra_keys(kind: type, data: Any) -> Exception:
    names = {f.name for f in attrs.fields(kind)}
    extra = sorted(str(k) for k in data if k not in names)
    return KeyError(f"{kind.__name__} has no field(s) {', '.join(extra)}")
