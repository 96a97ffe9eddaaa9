"""What an import found: the good records, every bad row, and the duplicates merged.

An import is all-or-nothing by default: when any row is bad the importer raises
[`ImportFailed`][accountcare.adapters.importers.report.ImportFailed], which carries the full
[`ImportReport`][accountcare.adapters.importers.report.ImportReport] (every bad row, not
just the first), and nothing is returned to store. With ``keep_good=True`` the importer returns
the report with the good records and still lists every bad row in ``problems``.

A file that cannot be read as the format at all (a CSV without a required column, a vCard
without ``END``, bytes that are not the declared encoding) raises
[`ImportFormatError`][accountcare.adapters.importers.report.ImportFormatError] at once:
there are no rows to judge.

A value the importer could read only after cleaning it (a name with a control character
in it, cleaned to one line) is kept, and the cleaning is listed in ``warnings``: warnings
never make an import fail.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import attrs

from accountcare._redact import redacted
from accountcare.domain._validate import shown
from accountcare.domain.accounts import Account
from accountcare.domain.activity import Order
from accountcare.domain.contacts import Contact
from accountcare.domain.team import Rep
from accountcare.errors import AccountcareError

__all__ = ["ImportFailed", "ImportFormatError", "ImportReport", "Merge", "Problem"]

log = logging.getLogger(__name__)


@attrs.frozen
class Problem:
    """One bad value: where (``line 12`` or ``card 3``), which field, and what is wrong.

    ``value`` is the value as the file had it; the message shows it quoted, with its
    control characters escaped, a long one cut short.

    >>> str(Problem("line", 12, "Phone 1 - Value", "is not a phone number", "12ab"))
    "line 12: field 'Phone 1 - Value' is not a phone number ('12ab')"
    """

    unit: str  # "line" for CSV rows (1 = the header), "card" for vCards (1 = the first card)
    number: int  # 0 when the row is not known: then ``unit`` names the record
    field: str
    problem: str
    value: str = ""

    def __str__(self) -> str:
        value = f" ({shown(self.value)})" if self.value else ""
        return f"{self.where}: field {self.field!r} {self.problem}{value}"

    @property
    def where(self) -> str:
        """The row: ``line 12``, ``card 3``, or the record when the row is not known."""
        return f"{self.unit} {self.number}" if self.number else self.unit

    @property
    def reason(self) -> str:
        """What is wrong and where, without the value: fit for a log line, which never
        carries what a person wrote in a field.

        >>> Problem("line", 12, "Phone 1 - Value", "is not a phone number", "12ab").reason
        "line 12: field 'Phone 1 - Value' is not a phone number"
        """
        return redacted(f"{self.where}: field {self.field!r} {self.problem}")


@attrs.frozen
class Merge:
    """A duplicate folded into an earlier contact: ``merged`` went into ``kept``.

    >>> str(Merge("line", 2, 7, "phone +8613800138000"))
    'line 7 merged into line 2 (same phone +8613800138000)'
    """

    unit: str
    kept: int
    merged: int
    reason: str  # "phone +86..." or "email a@b.example"
    contact_id: str = ""

    def __str__(self) -> str:
        return f"{self.unit} {self.merged} merged into {self.unit} {self.kept} (same {self.reason})"


@attrs.frozen
class ImportReport:
    """The result of one import.

    ``ok`` is True when no row was bad. ``rows`` counts the rows (or cards) read.
    ``warnings`` lists the values that were cleaned on the way in (each a
    [`Problem`][accountcare.adapters.importers.report.Problem] naming the line or card
    and the field, with the value as the file had it); they do not make ``ok`` False.
    ``provided`` names, per contact or account id, the fields of the
    [`Contact`][accountcare.domain.Contact] or [`Account`][accountcare.domain.Account]
    the file itself gave a value (not a default of the import, not a value derived from
    a phone number): merging into a stored record takes those fields only.
    ``origins`` names, per record id (contact, account, order or rep), where the file
    holds it: ``("line", 7)`` or ``("card", 3)``, so that a problem found later (against
    the store) can point at the row.
    """

    contacts: tuple[Contact, ...] = ()
    accounts: tuple[Account, ...] = ()
    orders: tuple[Order, ...] = ()
    problems: tuple[Problem, ...] = ()
    merges: tuple[Merge, ...] = ()
    rows: int = 0
    warnings: tuple[Problem, ...] = ()
    provided: Mapping[str, frozenset[str]] = attrs.field(factory=dict)
    reps: tuple[Rep, ...] = ()
    origins: Mapping[str, tuple[str, int]] = attrs.field(factory=dict)
    source: str = ""  # the file's name (the import option ``source``), for log lines

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """One line for a log or a CLI.

        >>> ImportReport(rows=3).summary()
        '3 rows read: 0 contacts, 0 accounts, 0 orders; 0 duplicates merged; 0 problems'
        >>> ImportReport(rows=1, warnings=(Problem("line", 2, "Name", "was cleaned"),)).summary()
        '1 rows read: 0 contacts, 0 accounts, 0 orders; 0 duplicates merged; 0 problems; 1 warnings'
        """
        warned = f"; {len(self.warnings)} warnings" if self.warnings else ""
        reps = f", {len(self.reps)} reps" if self.reps else ""
        return (
            f"{self.rows} rows read: {len(self.contacts)} contacts, {len(self.accounts)} "
            f"accounts, {len(self.orders)} orders{reps}; {len(self.merges)} duplicates merged; "
            f"{len(self.problems)} problems{warned}"
        )


class ImportFormatError(AccountcareError, ValueError):
    """The file is not the format it claims (missing column, malformed vCard, bad bytes)."""


class ImportFailed(AccountcareError, ValueError):
    """Some rows were bad and the caller did not ask to keep the good ones.

    ``report`` lists every problem. Raised by a reader, its records are empty, so nothing
    can be half-stored; raised by `write_import`, it is the report it was given, and
    nothing was stored.
    """

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        shown = "; ".join(str(p) for p in report.problems[:5])
        more = len(report.problems) - 5
        tail = f"; and {more} more" if more > 0 else ""
        super().__init__(
            f"import refused: {len(report.problems)} bad value(s) in {report.rows} rows "
            f"({shown}{tail}); fix them or pass keep_good=True to import the good rows"
        )


def rows_of(problems: Sequence[Problem]) -> int:
    """How many rows (or cards, or records) ``problems`` fall on.

    >>> rows_of([Problem("line", 2, "id", "is missing"), Problem("line", 2, "name", "is missing")])
    1
    """
    return len({(p.unit, p.number) for p in problems})


def log_skipped(source: str, problems: Sequence[Problem], *, kept: bool) -> None:
    """Log what ``problems`` did to the import of ``source``: a WARNING naming how many
    rows were skipped and the first reason when the good rows were ``kept``, an INFO
    line when the import was refused (the refusal itself tells the caller). Never a
    value of the file: only where the rows are and what is wrong with them.

    >>> bad = Problem("line", 7, "Mobile", "is not a phone number", "138 0013")
    >>> log_skipped("contacts.csv", [bad], kept=True)  # WARNING, without '138 0013'
    """
    if not problems:
        return
    level, message = (
        (logging.WARNING, "%s: %d row(s) skipped for %d problem(s); first: %s")
        if kept
        else (logging.INFO, "%s: import refused: %d row(s) with %d problem(s); first: %s")
    )
    log.log(
        level, message, source or "import", rows_of(problems), len(problems), problems[0].reason
    )


def finish(report: ImportReport, *, keep_good: bool, source: str = "") -> ImportReport:
    """Apply the all-or-nothing rule: raise
    [`ImportFailed`][accountcare.adapters.importers.report.ImportFailed] unless clean or
    asked. The report is stamped with ``source`` (the file's name), which its log lines
    name.

    >>> try:
    ...     finish(ImportReport(problems=(Problem("line", 2, "id", "is missing"),)),
    ...            keep_good=False)
    ... except ImportFailed as failed:
    ...     print(failed.report.problems[0])
    line 2: field 'id' is missing
    """
    report = attrs.evolve(report, source=source) if source else report
    log.debug("read %s: %s", report.source or "import", report.summary())
    log_skipped(report.source, report.problems, kept=keep_good)
    if report.problems and not keep_good:
        raise ImportFailed(attrs.evolve(report, contacts=(), accounts=(), orders=(), reps=()))
    return report
