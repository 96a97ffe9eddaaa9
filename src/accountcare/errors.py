"""The exceptions accountcare raises.

Every error is an [`AccountcareError`][accountcare.errors.AccountcareError]. Errors about
data carry the record and the field they concern, so a host can point the user at the
exact thing to fix.
"""

from __future__ import annotations

__all__ = [
    "AccountcareError",
    "ConfigurationError",
    "InvalidRecord",
    "MissingExtra",
]


class AccountcareError(Exception):
    """Base class of every error raised by accountcare."""


class InvalidRecord(AccountcareError, ValueError):
    """A record failed validation.

    ``record`` names the record (``"Order 'o-17'"``, ``"line 12"``), ``field`` the field
    at fault, and ``problem`` says what is wrong in words a user can act on.

    >>> err = InvalidRecord("Order 'o-1'", "amount", "must be finite, got NaN")
    >>> str(err)
    "Order 'o-1': field 'amount' must be finite, got NaN"
    """

    def __init__(self, record: str, field: str, problem: str) -> None:
        self.record = record
        self.field = field
        self.problem = problem
        super().__init__(f"{record}: field {field!r} {problem}")

    def __reduce__(self) -> tuple[type[InvalidRecord], tuple[str, str, str]]:
        return (type(self), (self.record, self.field, self.problem))


class ConfigurationError(AccountcareError, ValueError):
    """A policy or adapter was given parameters that cannot work (a zero cadence, cut-offs
    out of order, an unknown country code...)."""


class MissingExtra(AccountcareError, ImportError):
    """An optional dependency is not installed; the message names the ``pip install``."""

    def __init__(self, module: str, extra: str) -> None:
        self.module = module
        self.extra = extra
        super().__init__(
            f"{module!r} is needed for this feature but is not installed; "
            f"install it with: pip install 'accountcare[{extra}]'"
        )
