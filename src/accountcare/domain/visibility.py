"""Department views of the customer record.

Departments (sales, product, technical support, service, finance) share the customer
record, each seeing what is appropriate for it. A
[`VisibilityPolicy`][accountcare.domain.visibility.VisibilityPolicy] grants each
department a set of field paths and note kinds:

- account paths are written bare: ``"name"``, ``"financial.credit_rating"``,
  ``"notes.text"``;
- contact paths carry the ``contact:`` prefix: ``"contact:emails"``,
  ``"contact:birthday.month"``, ``"contact:phones.e164"``;
- a note kind is granted as ``"note:<kind>"`` (``"note:visit"``, ``"note:credit"``), the
  same names data retention uses: a department sees an account note only when its kind
  is granted, and then only the note fields it is granted.

A path or a note kind no rule grants is never shown, and an unknown department sees only
the ``id`` and ``name`` of accounts and contacts.

>>> sorted(record_paths(Contact))[:3]
['contact:account_id', 'contact:birthday.calendar', 'contact:birthday.day']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from accountcare.domain.accounts import Account, AccountNote
from accountcare.domain.contacts import Contact
from accountcare.errors import ConfigurationError

__all__ = [
    "ALWAYS_VISIBLE",
    "NOTE_KIND",
    "RECORD_PREFIXES",
    "VisibilityPolicy",
    "field_paths",
    "note_paths",
    "record_paths",
]

RECORD_PREFIXES: Mapping[type, str] = MappingProxyType({Account: "", Contact: "contact:"})
"""The record kinds a policy speaks about, each with the prefix of its paths (accounts
bare, contacts ``contact:``). A colon never occurs in a field name, so paths of different
kinds never collide."""

NOTE_KIND = "note:"
"""The prefix of a note-kind grant: ``"note:visit"`` lets a department see visit notes."""

ALWAYS_VISIBLE = frozenset({"id", "name", "contact:id", "contact:name"})
"""What every department sees of an account and of a contact, configured or not: its id
and name."""


def field_paths(cls: type) -> frozenset[str]:
    """Every leaf field path of an attrs class, nested attrs values followed (also inside
    tuples and optional values), e.g. ``"addresses.city"``.

    >>> from accountcare.domain.accounts import FinancialInfo
    >>> sorted(field_paths(FinancialInfo))[:2]
    ['bank', 'bank_account']
    >>> sorted(p for p in field_paths(Contact) if p.startswith("phones."))
    ['phones.e164', 'phones.kind', 'phones.raw']
    """
    return _field_paths(cls, ())


def _field_paths(cls: type, outer: tuple[type, ...]) -> frozenset[str]:
    if cls in outer:  # a class that contains itself: its own fields, named once
        return frozenset()
    paths: set[str] = set()
    hints = attrs.resolve_types(cls)
    for field in attrs.fields(hints):
        nested = _nested_class(field.type)
        if nested is None:
            paths.add(field.name)
        else:
            paths.update(f"{field.name}.{sub}" for sub in _field_paths(nested, (*outer, cls)))
    return frozenset(paths)


def _nested_class(annotation: Any) -> type | None:
    if isinstance(annotation, type) and attrs.has(annotation):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _nested_class(arg)
        if found is not None:
            return found
    return None


def record_paths(cls: type) -> frozenset[str]:
    """The paths of a record kind as a policy names them: its
    [`field_paths`][accountcare.domain.visibility.field_paths] with the kind's prefix
    from [`RECORD_PREFIXES`][accountcare.domain.visibility.RECORD_PREFIXES].

    >>> "contact:phones.raw" in record_paths(Contact), "financial.bank" in record_paths(Account)
    (True, True)
    """
    if cls not in RECORD_PREFIXES:
        raise ConfigurationError(f"{cls.__name__} is not a record kind a policy speaks about")
    prefix = RECORD_PREFIXES[cls]
    return frozenset(prefix + path for path in field_paths(cls))


def note_paths() -> frozenset[str]:
    """The paths of the fields that hold notes (tuples of
    [`AccountNote`][accountcare.domain.accounts.AccountNote]), whose items are shown by kind.

    >>> sorted(note_paths())
    ['notes']
    """
    return _NOTE_PATHS


def _holders(cls: type, target: type, prefix: str) -> set[str]:
    found: set[str] = set()
    for field in attrs.fields(attrs.resolve_types(cls)):
        nested = _nested_class(field.type)
        if nested is target:
            found.add(prefix + field.name)
        elif nested is not None:
            found |= _holders(nested, target, f"{prefix}{field.name}.")
    return found


_NOTE_PATHS = frozenset(
    path for cls, prefix in RECORD_PREFIXES.items() for path in _holders(cls, AccountNote, prefix)
)
_NOTE_KIND_PATHS = frozenset(f"{path}.kind" for path in _NOTE_PATHS)
_PREFIXES = (*(p for p in RECORD_PREFIXES.values() if p), NOTE_KIND)


def _check_path(rule: str, path: Any) -> str:
    if not isinstance(path, str) or not path.strip():
        raise ConfigurationError(f"{rule} lists {path!r}, which is not a path")
    if ":" in path and (not path.startswith(_PREFIXES) or path in _PREFIXES):
        raise ConfigurationError(
            f"{rule} lists {path!r}: a prefixed path starts with one of "
            f"{', '.join(_PREFIXES)} and goes on with a field or a note kind"
        )
    return path


def _grants(
    value: Mapping[str, Iterable[str]] | Iterable[tuple[str, Iterable[str]]],
) -> tuple[tuple[str, frozenset[str]], ...]:
    """Department -> paths, from a mapping or from (department, paths) pairs (the form
    the serialised policy takes)."""
    pairs = value.items() if isinstance(value, Mapping) else value
    result = []
    seen = set()
    for department, paths in pairs:
        if not isinstance(department, str) or not department.strip():
            raise ConfigurationError(f"a department needs a name, got {department!r}")
        if department in seen:
            raise ConfigurationError(f"department {department!r} is granted twice")
        seen.add(department)
        if isinstance(paths, str):
            raise ConfigurationError(f"fields of {department!r} must be a set of paths")
        rule = f"the grant of {department!r}"
        result.append((department, frozenset(_check_path(rule, p) for p in paths)))
    return tuple(sorted(result))


def _paths(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str):
        raise ConfigurationError("hidden paths must be a set of paths, not one string")
    return frozenset(_check_path("the hidden set", p) for p in value)


@attrs.frozen
class VisibilityPolicy:
    """Which field paths and note kinds of the record each department may see.

    ``grants`` maps department -> paths (account paths bare, contact paths prefixed
    ``contact:``, note kinds as ``note:<kind>``); ``hidden`` lists paths deliberately
    shown to nobody. ``known`` is every path the policy has ruled on: a field of the record
    outside it is a policy that was not updated after the record grew.

    >>> policy = VisibilityPolicy({"finance": {"financial.credit_rating", "note:credit"}})
    >>> sorted(policy.allowed("finance"))  # doctest: +NORMALIZE_WHITESPACE
    ['contact:id', 'contact:name', 'financial.credit_rating', 'id', 'name',
     'note:credit', 'notes.kind']
    >>> sorted(policy.allowed("legal"))
    ['contact:id', 'contact:name', 'id', 'name']
    """

    grants: tuple[tuple[str, frozenset[str]], ...] = attrs.field(converter=_grants)
    hidden: frozenset[str] = attrs.field(default=frozenset(), converter=_paths)

    @property
    def departments(self) -> tuple[str, ...]:
        return tuple(d for d, _ in self.grants)

    @property
    def known(self) -> frozenset[str]:
        """Every path and note kind some rule speaks about."""
        return ALWAYS_VISIBLE.union(self.hidden, *(paths for _, paths in self.grants))

    def allowed(self, department: str) -> frozenset[str]:
        """The paths and note kinds ``department`` may see (deny by default: the id and
        name of accounts and contacts only). A department granted some note kind also
        sees the kind of each note it is shown."""
        for name, paths in self.grants:
            if name == department:
                if any(p.startswith(NOTE_KIND) for p in paths):
                    return ALWAYS_VISIBLE | _NOTE_KIND_PATHS | paths
                return ALWAYS_VISIBLE | paths
        return ALWAYS_VISIBLE

    def note_kinds(self, department: str) -> frozenset[str]:
        """The note kinds ``department`` may see.

        >>> VisibilityPolicy({"finance": {"note:credit", "financial.bank"}}).note_kinds("finance")
        frozenset({'credit'})
        """
        return frozenset(
            p[len(NOTE_KIND) :] for p in self.allowed(department) if p.startswith(NOTE_KIND)
        )

    def with_department(self, department: str, paths: Iterable[str]) -> VisibilityPolicy:
        """This policy with ``department`` granted ``paths`` (replacing its old grant).

        >>> legal = VisibilityPolicy({}).with_department("legal", {"note:complaint"})
        >>> sorted(legal.note_kinds("legal"))
        ['complaint']
        """
        grants: dict[str, Iterable[str]] = dict(self.grants)
        grants[department] = paths  # checked by the converter, a lone string included
        return VisibilityPolicy(grants, self.hidden)
