"""Department views of the customer record.

Departments (sales, product, technical support, service) share the customer record, each
seeing what is appropriate for it. A :class:`VisibilityPolicy` grants each department a
set of field paths (``"name"``, ``"financial.credit_rating"``, ``"notes.text"``); a path
no rule grants is never shown, and an unknown department sees only ``id`` and ``name``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from accountcare.errors import ConfigurationError

__all__ = ["ALWAYS_VISIBLE", "VisibilityPolicy", "field_paths"]

ALWAYS_VISIBLE = frozenset({"id", "name"})
"""What every department sees of an account, configured or not: its id and name."""


def field_paths(cls: type) -> frozenset[str]:
    """Every leaf field path of an attrs class, nested attrs values followed (also inside
    tuples), e.g. ``"addresses.city"``.

    >>> from accountcare.domain.accounts import FinancialInfo
    >>> sorted(field_paths(FinancialInfo))[:2]
    ['bank', 'bank_account']
    """
    paths: set[str] = set()
    hints = attrs.resolve_types(cls)
    for field in attrs.fields(hints):
        nested = _nested_class(field.type)
        if nested is None:
            paths.add(field.name)
        else:
            paths.update(f"{field.name}.{sub}" for sub in field_paths(nested))
    return frozenset(paths)


def _nested_class(annotation: Any) -> type | None:
    if isinstance(annotation, type) and attrs.has(annotation):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        if isinstance(arg, type) and attrs.has(arg):
            return arg
    return None


def _grants(
    value: Mapping[str, Iterable[str]] | Iterable[tuple[str, Iterable[str]]],
) -> tuple[tuple[str, frozenset[str]], ...]:
    """Department -> paths, from a mapping or from (department, paths) pairs (the form
    the serialised policy takes)."""
    pairs = value.items() if isinstance(value, Mapping) else value
    result = []
    seen = set()
    for department, paths in pairs:
        if department in seen:
            raise ConfigurationError(f"department {department!r} is granted twice")
        seen.add(department)
        if not isinstance(department, str) or not department.strip():
            raise ConfigurationError(f"a department needs a name, got {department!r}")
        if isinstance(paths, str):
            raise ConfigurationError(f"fields of {department!r} must be a set of paths")
        result.append((department, frozenset(paths)))
    return tuple(sorted(result))


def _paths(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


@attrs.frozen
class VisibilityPolicy:
    """Which field paths of a record each department may see.

    ``grants`` maps department -> field paths; ``known`` is the set of paths the policy has
    ruled on (granted to someone or deliberately hidden): a field of the record outside it
    is a policy that was not updated after the record grew.

    >>> policy = VisibilityPolicy({"finance": {"financial.credit_rating"}})
    >>> sorted(policy.allowed("finance")), sorted(policy.allowed("legal"))
    (['financial.credit_rating', 'id', 'name'], ['id', 'name'])
    """

    grants: tuple[tuple[str, frozenset[str]], ...] = attrs.field(converter=_grants)
    hidden: frozenset[str] = attrs.field(default=frozenset(), converter=_paths)

    @property
    def departments(self) -> tuple[str, ...]:
        return tuple(d for d, _ in self.grants)

    @property
    def known(self) -> frozenset[str]:
        """Every path some rule speaks about."""
        ruled = set(ALWAYS_VISIBLE) | set(self.hidden)
        for _, paths in self.grants:
            ruled |= paths
        return frozenset(ruled)

    def allowed(self, department: str) -> frozenset[str]:
        """The paths ``department`` may see (deny by default: id and name only)."""
        for name, paths in self.grants:
            if name == department:
                return ALWAYS_VISIBLE | paths
        return ALWAYS_VISIBLE

    def with_department(self, department: str, paths: Iterable[str]) -> VisibilityPolicy:
        """This policy with ``department`` granted ``paths`` (replacing its old grant)."""
        grants = dict(self.grants)
        grants[department] = frozenset(paths)
        return VisibilityPolicy(grants, self.hidden)
