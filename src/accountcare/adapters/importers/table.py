"""A CSV text as rows with the file line each starts on, and columns found by name."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence

from accountcare.adapters.importers.report import ImportFormatError, Problem

__all__ = ["RowCheck", "Table", "cell", "column_positions"]


class Table:
    """Rows of a CSV text with the file line each row starts on."""

    def __init__(self, text: str) -> None:
        first = text.split("\n", 1)[0]
        delimiter = ","
        if "," not in first:
            delimiter = "\t" if "\t" in first else ";" if ";" in first else ","
        self._reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        try:
            self.header = [name.strip() for name in next(self._reader)]
        except StopIteration:
            raise ImportFormatError("the CSV file is empty: it has no header row") from None
        except csv.Error as exc:
            raise ImportFormatError(f"line 1: the header row is not valid CSV: {exc}") from exc
        self._positions = {name: i for i, name in reversed(list(enumerate(self.header)))}

    def find(self, spec: Sequence[str]) -> int | None:
        for name in spec:
            if name in self._positions:
                return self._positions[name]
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

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        previous = self._reader.line_num
        try:
            for row in self._reader:
                start = previous + 1
                previous = self._reader.line_num
                if any(row) and not "".join(row).isspace():  # skip blank rows
                    yield start, row
        except csv.Error as exc:
            raise ImportFormatError(f"line {previous + 1}: not valid CSV: {exc}") from exc


def cell(row: list[str], at: int | None) -> str:
    if at is None or at >= len(row):
        return ""
    return row[at].strip()


class RowCheck:
    """The problems of one row, named by the file's own column names."""

    def __init__(self, table: Table, at: Mapping[str, int | None], line: int) -> None:
        self._table, self._at, self._line = table, at, line
        self.problems: list[Problem] = []

    def fail(self, field: str, problem: str, raw: str = "") -> None:
        position = self._at.get(field)
        name = self._table.header[position] if position is not None else field
        self.problems.append(Problem("line", self._line, name, problem, raw))


def column_positions(
    table: Table,
    defaults: Mapping[str, str],
    given: Mapping[str, str] | None,
    required: Sequence[str],
) -> dict[str, int | None]:
    """Positions of each field's column (``given`` renames ``defaults``); a missing
    ``required`` one is an :class:`ImportFormatError` listing the columns found."""
    names = {**defaults, **(given or {})}
    return {f: table.need([names[f]]) if f in required else table.find([names[f]]) for f in names}
