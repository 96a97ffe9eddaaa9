"""A CSV text as rows with the file line each starts on, and columns found by name.

A quoted cell may span lines (an address or a note with line breaks, as Google and
Outlook write them, however many lines it has), but a quote that never closes must not
swallow the rows after it. So a file is refused with an
[`ImportFormatError`][accountcare.adapters.importers.report.ImportFormatError] naming the
line where the quote opened when the file ends inside a quoted cell, when one row holds
more than [`MAX_ROW_LINES`][accountcare.adapters.importers.table.MAX_ROW_LINES] lines that
look like rows of the file (as many delimiters as the header, less one, or more: the rows
a runaway quote swallowed), or more than
[`MAX_ROW_CHARS`][accountcare.adapters.importers.table.MAX_ROW_CHARS] characters. After a
closing quote only the delimiter or the end of the line may follow (``"Ann"x`` is refused,
not read as ``Annx``).

Line ends may be LF, CRLF or, in a file that has no other, CR alone (Excel's "CSV
(Macintosh)"). A carriage return anywhere else is not a line end: in a quoted cell it is
part of the cell (and the domain judges it), in a cell that is not quoted the file is
refused.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterator, Mapping, Sequence

from accountcare.adapters.importers.report import ImportFormatError, Problem

__all__ = [
    "MAX_ROW_CHARS",
    "MAX_ROW_LINES",
    "RowCheck",
    "Table",
    "cell",
    "column_positions",
    "id_cell",
    "loose",
]

#: The most lines of one CSV row spanning lines that may look like rows of the file (hold
#: as many delimiters as the header, less one, or more); any number of other lines, such
#: as the lines of a long note, may follow one another in a quoted cell.
MAX_ROW_LINES = 100
#: The most characters one CSV row that spans lines may hold.
MAX_ROW_CHARS = 100_000

# A control character other than a line break (or a carriage return that is not part of
# one): where the file has none, only a row spanning lines can carry one in a cell. A tab
# is one, except in a tab-delimited file, where it separates cells (there a tab can be in
# a cell only if the cell is quoted, so only a file with a quote can carry one).
_STRAY_BUT_TAB = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]|\r(?!\n)"
_STRAY = re.compile(_STRAY_BUT_TAB + "|\t")
_STRAY_IN_TABBED = re.compile(_STRAY_BUT_TAB)


class Table:
    """Rows of a CSV text with the file line each row starts on."""

    def __init__(self, text: str) -> None:
        # CR line ends, and no line feed at all: every CR ends a line, as the file's
        # writer meant; read them as line feeds. (Where the file has line feeds too, a CR
        # alone is not a line end, and one outside a quoted cell refuses the file.)
        self._cr_ends = _cr_line_ends(text)
        if self._cr_ends and "\n" not in text:
            text = text.replace("\r", "\n")
        first = text.split("\n", 1)[0]
        delimiter = next((d for d in (",", "\t", ";") if d in first), ",")
        self._text = text
        self._delimiter = delimiter
        if delimiter == "\t":
            self._stray = '"' in text or _STRAY_IN_TABBED.search(text) is not None
        else:
            self._stray = _STRAY.search(text) is not None
        self._reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
        self._row_like = 0  # the delimiters of a line that looks like a row, set below
        try:
            header = next(self._reader)
        except StopIteration:
            raise ImportFormatError("the CSV file is empty: it has no header row") from None
        except csv.Error as exc:
            raise self._error(1, exc) from exc
        self._row_like = len(header) - 1
        if self._reader.line_num > 1:
            self._check_span(1, self._reader.line_num, header)
        self.header = [name.strip() for name in header]
        self._positions = {name: i for i, name in reversed(list(enumerate(self.header)))}
        self._loose = {loose(name): i for i, name in reversed(list(enumerate(self.header)))}

    def find(self, spec: Sequence[str]) -> int | None:
        """The position of the first column of ``spec`` the header has: written exactly
        so, else without regard to case and spaces (``customer id`` finds ``Customer ID``)."""
        for name in spec:
            if name in self._positions:
                return self._positions[name]
        for name in spec:
            at = self._loose.get(loose(name))
            if at is not None:
                return at
        return None

    def need(self, spec: Sequence[str]) -> int:
        at = self.find(spec)
        if at is None:
            wanted = " or ".join(repr(s) for s in spec)
            found = ", ".join(repr(h) for h in self.header)
            raise ImportFormatError(
                f"the CSV has no column {wanted}, which this import needs; columns found: {found}"
            )
        return at

    def rows(self) -> Iterator[tuple[int, list[str], bool]]:
        """``(line, cells, suspect)`` of each non-blank row: ``suspect`` is False when no
        cell of the row can hold a control character (its text is one plain line)."""
        reader = self._reader
        stray = self._stray
        previous = reader.line_num
        try:
            for row in reader:
                start = previous + 1
                previous = reader.line_num
                spans = previous > start
                if spans:
                    self._check_span(start, previous, row)
                if any(row) and not "".join(row).isspace():  # skip blank rows
                    yield start, row, stray or spans
        except csv.Error as exc:
            raise self._error(previous + 1, exc) from exc

    def _check_span(self, start: int, end: int, row: list[str]) -> None:
        """Refuse a row that holds too many lines looking like rows, or too many
        characters: a quote left open, which swallowed the rows after it."""
        lines = end - start + 1
        size = sum(map(len, row))
        if size > MAX_ROW_CHARS:
            opened, shown = _quoted_cell_start(start, row)
            raise ImportFormatError(
                f"line {opened}: the quoted cell opened on this line ({shown!r}...) runs over "
                f"{size} characters; its closing quote is probably missing (a row may hold "
                f"at most {MAX_ROW_CHARS} characters)"
            )
        if lines <= MAX_ROW_LINES:
            return
        delimiter, least = self._delimiter, self._row_like
        row_like = sum(
            1
            for value in row
            if "\n" in value
            for line in value.split("\n")
            if line.count(delimiter) >= least
        )
        if row_like <= MAX_ROW_LINES:
            return  # a long note or address: its lines are not rows of this file
        opened, shown = _quoted_cell_start(start, row)
        raise ImportFormatError(
            f"line {opened}: the quoted cell opened on this line ({shown!r}...) runs over "
            f"{lines} lines, to line {end}, and {row_like} of them look like rows of the "
            f"file; its closing quote is probably missing (a row may span at most "
            f"{MAX_ROW_LINES} lines with {least} or more {delimiter!r} in them)"
        )

    def _error(self, start: int, exc: csv.Error) -> ImportFormatError:
        """The error for the row starting on line ``start`` that the reader refused."""
        if "unexpected end of data" in str(exc):  # the file ends inside a quoted cell
            tail = io.StringIO(self._text)
            lenient = csv.reader(itertools.islice(tail, start - 1, None), delimiter=self._delimiter)
            row = next(lenient, [""])
            opened, shown = _quoted_cell_start(start, row, last=True)
            return ImportFormatError(
                f"line {opened}: the quoted cell opened on this line is never closed: the file "
                f"ends inside it ({shown!r}...); a closing quote is missing"
            )
        where = "the header row is" if start == 1 else "the row is"
        if "field larger than field limit" in str(exc):
            return ImportFormatError(
                f"line {start}: a cell of the row starting on this line is longer than "
                f"{csv.field_size_limit()} characters; if it opens with a quote, its closing "
                "quote is probably missing"
            )
        if "new-line character seen in unquoted field" in str(exc):
            if self._cr_ends:
                return ImportFormatError(
                    f"line {start}: the file uses CR line ends (old Mac) but also line "
                    "feeds, so its lines cannot be told apart; save it with LF or CRLF "
                    "line ends"
                )
            return ImportFormatError(
                f"line {start}: {where} not valid CSV: a carriage return (CR) inside a cell "
                "that is not quoted"
            )
        return ImportFormatError(f"line {start}: {where} not valid CSV: {exc}")


def _quoted_cell_start(start: int, row: list[str], *, last: bool = False) -> tuple[int, str]:
    """The line on which the row's runaway cell opens (the last cell, or the one with the
    most line breaks), and the beginning of that cell."""
    if not row:
        return start, ""
    at = len(row) - 1 if last else max(range(len(row)), key=lambda i: row[i].count("\n"))
    line = start + sum(c.count("\n") for c in row[:at])
    return line, row[at][:30]


def _cr_line_ends(text: str) -> bool:
    """Whether the first line of ``text`` ends with a carriage return alone."""
    cr = text.find("\r")
    return cr >= 0 and text.find("\n", 0, cr + 2) < 0


def loose(name: str) -> str:
    """A header name as columns are matched: without case and spaces (any white space,
    full-width ones too, and ``_``).

    >>> loose(" Customer  ID "), loose("음력 생일"), loose("order_date")
    ('customerid', '음력생일', 'orderdate')
    """
    return "".join(name.replace("_", " ").split()).casefold()


def cell(row: list[str], at: int | None) -> str:
    """The text of the row's cell at ``at`` without the white space around it ("" when
    the row has no such cell).

    >>> cell(["acme", " Acme Trading "], 1), cell(["acme"], 3), cell(["acme"], None)
    ('Acme Trading', '', '')
    """
    if at is None or at >= len(row):
        return ""
    return row[at].strip()


def id_cell(row: list[str], at: int | None) -> str:
    r"""The id in the row's cell at ``at`` as written: only the spaces around it are
    dropped, so a control character or line separator at either end stays for the
    domain to refuse ([`an_id`][accountcare.domain._validate.an_id]), never cleaned
    into another id ("" when the row has no such cell).

    >>> id_cell([" acme ", "x"], 0), id_cell(["acme\x1f"], 0), id_cell(["acme"], None)
    ('acme', 'acme\x1f', '')
    """
    if at is None or at >= len(row):
        return ""
    return row[at].strip(" ")


class RowCheck:
    """The problems of one row, named by the file's own column names."""

    def __init__(self, table: Table, at: Mapping[str, int | None], line: int) -> None:
        self._table, self._at, self._line = table, at, line
        self.problems: list[Problem] = []

    def problem(self, field: str, problem: str, raw: str = "") -> Problem:
        """A problem of this row's ``field``, named by the file's own column name."""
        position = self._at.get(field)
        name = self._table.header[position] if position is not None else field
        return Problem("line", self._line, name, problem, raw)

    def fail(self, field: str, problem: str, raw: str = "") -> None:
        self.problems.append(self.problem(field, problem, raw))


def column_positions(
    table: Table,
    defaults: Mapping[str, str | Sequence[str]],
    given: Mapping[str, str] | None,
    required: Sequence[str],
) -> dict[str, int | None]:
    """Positions of each field's column: the ``given`` name, else the first of the
    field's ``defaults`` (one name or its aliases) the header has; a missing
    ``required`` one is an
    [`ImportFormatError`][accountcare.adapters.importers.report.ImportFormatError] listing
    the columns found."""
    names: dict[str, Sequence[str]] = {
        f: [n] if isinstance(n, str) else n for f, n in defaults.items()
    }
    names.update({f: [n] for f, n in (given or {}).items()})
    return {f: table.need(names[f]) if f in required else table.find(names[f]) for f in names}
