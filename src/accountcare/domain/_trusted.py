"""Trusted construction: a domain value built from parts that are already valid.

Bulk paths (the care scheduler's million tasks, health scores per account, tier
assignments, rows read back from a store) build values from parts that were validated
when they entered the library or that a policy computed within range. For them,
``trusted(Kind)`` is a constructor that sets the fields without running validators or
converters; everything else uses the class itself. A property test pins, for every
stored kind, that the trusted constructor and the validating one give equal values.

The constructor is generated per class, the way attrs writes ``__init__``: one line per
field, through the slot descriptors that bypass the frozen ``__setattr__``. Its source
is registered with ``linecache`` so a traceback through it shows the code.

>>> from accountcare.domain.health import HealthComponents
>>> make = trusted(HealthComponents)
>>> make(1.0, 0.5, 1.0, 1.0, 1.0, 0.6) == HealthComponents(1.0, 0.5, 1.0, 1.0, 1.0, 0.6)
True
"""

from __future__ import annotations

import linecache
from collections.abc import Callable
from threading import Lock
from typing import Any, TypeVar

import attrs

__all__ = ["register_source", "trusted"]

T = TypeVar("T")

_made: dict[type, Callable[..., Any]] = {}
_making = Lock()


def trusted(kind: type[T]) -> Callable[..., T]:
    """The constructor of ``kind`` (a slotted attrs class) that skips validation.

    It takes the fields in their declared order, positionally or by name; a field with a
    default may be left out. Values go in as they are: pass what the converters would
    have made (tuples, not lists). Never use it for outside input.
    """
    found = _made.get(kind)
    if found is None:
        with _making:
            found = _made.get(kind)
            if found is None:
                found = _made[kind] = _generate(kind)
    return found


def register_source(filename: str, source: str) -> None:
    """Keep generated ``source`` in ``linecache`` under ``filename`` (as attrs does), so
    tracebacks through generated code show its lines."""
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)


def _generate(kind: type[T]) -> Callable[..., T]:
    if not attrs.has(kind) or "__slots__" not in vars(kind):
        raise TypeError(f"{kind!r} is not a slotted attrs class")
    space: dict[str, Any] = {"_new": object.__new__, "_kind": kind, "_nothing": attrs.NOTHING}
    parameters, body = [], ["    self = _new(_kind)"]
    for field in attrs.fields(kind):
        name = field.alias or field.name  # the parameter, as attrs names it
        space[f"_set_{name}"] = getattr(kind, field.name).__set__
        default = field.default
        if default is attrs.NOTHING:
            parameters.append(name)
        elif isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            parameters.append(f"{name}=_nothing")
            space[f"_factory_{name}"] = default.factory
            call = f"_factory_{name}(self)" if default.takes_self else f"_factory_{name}()"
            body.append(f"    if {name} is _nothing:")
            body.append(f"        {name} = {call}")
        else:
            parameters.append(f"{name}=_default_{name}")
            space[f"_default_{name}"] = default
        body.append(f"    _set_{name}(self, {name})")
    body.append("    return self")
    function = f"trusted_{kind.__name__}"
    source = "\n".join([f"def {function}({', '.join(parameters)}):", *body]) + "\n"
    filename = f"<accountcare trusted {kind.__module__}.{kind.__qualname__}>"
    register_source(filename, source)
    exec(compile(source, filename, "exec"), space)
    made: Callable[..., T] = space[function]
    return made
