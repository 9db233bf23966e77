"""Hostile and broken record files, each with what the dashboard must say about it.

Every case is built from the bundled records (so the rest of the file is valid) with one fault
put in. A case names the file, the fault, the words the report must use, where (row, column),
and how many rows must still be accepted: a fault never costs the valid rows around it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from geodata.dataset import RECORDS_DIR

ROUTES = (RECORDS_DIR / "routes.csv").read_text(encoding="utf-8")
LOCATIONS = (RECORDS_DIR / "locations.csv").read_text(encoding="utf-8")
FIGURES = (RECORDS_DIR / "figures.csv").read_text(encoding="utf-8")


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def write_rows(table: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(table)
    return out.getvalue()


def n_rows(text: str) -> int:
    return len(rows(text)) - 1


def with_cell(text: str, row: int, column: str, value: str) -> str:
    """The table with one cell (data row `row`, 1-based) replaced."""
    table = rows(text)
    table[row][table[0].index(column)] = value
    return write_rows(table)


def with_line(text: str, row: int, line: str) -> str:
    """The file with data row `row` replaced by a raw line (which may not be valid CSV)."""
    lines = text.splitlines(keepends=True)
    assert all('"' not in x or x.count('"') % 2 == 0 for x in lines), "multi-line rows"
    lines[row] = line.rstrip("\n") + "\n"
    return "".join(lines)


def without_column(text: str, column: str) -> str:
    table = rows(text)
    i = table[0].index(column)
    return write_rows([r[:i] + r[i + 1 :] for r in table])


@dataclass(frozen=True)
class Case:
    name: str
    file: str  # the table's file name
    content: Callable[[], bytes]
    says: str  # words the report must contain
    row: int | None = None  # the row named (None: a file-level problem)
    column: str | None = None
    accepted: int | None = None  # rows still accepted (None: the file is refused)


def text(s: str) -> Callable[[], bytes]:
    return lambda: s.encode("utf-8")


ROUTE_ROWS = n_rows(ROUTES)

CASES = [
    Case(
        "200,000-character field",
        "routes.csv",
        text(with_cell(ROUTES, 11, "note", "x" * 200_000)),
        "over the 20,000 limit",
        11,
        "note",
        ROUTE_ROWS - 1,
    ),
    Case(
        "unclosed quote",
        "routes.csv",
        text(with_line(ROUTES, 5, 'bad-row,IDN,IDN,,KHM,2023,2023,,rescued,5,exact,,"oops')),
        "malformed CSV row",
        5,
        None,
        ROUTE_ROWS - 1,
    ),
    Case(
        "unclosed quote on the last row",
        "routes.csv",
        text(ROUTES + 'bad-row,IDN,IDN,,KHM,2023,2023,,rescued,5,exact,,"oops\n'),
        "never closed",
        ROUTE_ROWS + 1,
        None,
        ROUTE_ROWS,
    ),
    Case(
        "a spreadsheet workbook saved as .csv",
        "routes.csv",
        lambda: b"PK\x03\x04" + bytes(200),
        "save it as CSV UTF-8",
        accepted=None,
    ),
    Case(
        "quote inside an unquoted field",
        "routes.csv",
        text(with_line(ROUTES, 7, 'bad,IDN,IDN,,KHM,2023,2023,,rescued,5,exact,,"a"b,x,y,,')),
        "quote ends before its field does",
        7,
        None,
        ROUTE_ROWS - 1,
    ),
    Case(
        "count of 10^25",
        "routes.csv",
        text(with_cell(ROUTES, 3, "count", "1" + "0" * 25)),
        "over 1,000,000,000",
        3,
        "count",
        ROUTE_ROWS - 1,
    ),
    Case(
        "count 1e400 (infinite)",
        "routes.csv",
        text(with_cell(ROUTES, 3, "count", "1e400")),
        "count",
        3,
        "count",
        ROUTE_ROWS - 1,
    ),
    Case(
        "count NaN",
        "routes.csv",
        text(with_cell(ROUTES, 3, "count", "nan")),
        "count",
        3,
        "count",
        ROUTE_ROWS - 1,
    ),
    Case(
        "negative count",
        "routes.csv",
        text(with_cell(ROUTES, 4, "count", "-5")),
        "negative",
        4,
        "count",
        ROUTE_ROWS - 1,
    ),
    Case(
        "fractional count",
        "routes.csv",
        text(with_cell(ROUTES, 4, "count", "2.5")),
        "whole number",
        4,
        "count",
        ROUTE_ROWS - 1,
    ),
    Case(
        "NUL byte in a field",
        "routes.csv",
        text(with_cell(ROUTES, 2, "note", "before\x00after")),
        "control character (U+0000)",
        2,
        "note",
        ROUTE_ROWS - 1,
    ),
    Case(
        "escape character in a field",
        "routes.csv",
        text(with_cell(ROUTES, 2, "note", "red\x1b[31m")),
        "control character (U+001B)",
        2,
        "note",
        ROUTE_ROWS - 1,
    ),
    Case(
        "a link in a place name",
        "locations.csv",
        text(with_cell(LOCATIONS, 2, "name", '<a href="https://evil.example">Myawaddy</a>')),
        "markup",
        2,
        "name",
        n_rows(LOCATIONS) - 1,
    ),
    Case(
        "a character reference in a name",
        "locations.csv",
        text(with_cell(LOCATIONS, 3, "name", "&#60;b&#62;KK Park")),
        "markup",
        3,
        "name",
        n_rows(LOCATIONS) - 1,
    ),
    Case(
        "a script tag in a note",
        "figures.csv",
        text(with_cell(FIGURES, 1, "note", "<script>alert(1)</script>")),
        "markup",
        1,
        "note",
        n_rows(FIGURES) - 1,
    ),
    Case(
        "latitude out of range",
        "locations.csv",
        text(with_cell(LOCATIONS, 1, "lat", "999")),
        "lat",
        1,
        "lat",
        n_rows(LOCATIONS) - 1,
    ),
    Case(
        "longitude not a number",
        "locations.csv",
        text(with_cell(LOCATIONS, 1, "lon", "east")),
        "lon",
        1,
        "lon",
        n_rows(LOCATIONS) - 1,
    ),
    Case(
        "year 99999",
        "routes.csv",
        text(with_cell(ROUTES, 6, "year_start", "99999")),
        "year",
        6,
        "year_start",
        ROUTE_ROWS - 1,
    ),
    Case(
        "unknown nationality code",
        "routes.csv",
        text(with_cell(ROUTES, 8, "nationality", "XXX")),
        "XXX",
        8,
        "nationality",
        ROUTE_ROWS - 1,
    ),
    Case(
        "too many fields",
        "routes.csv",
        text(with_line(ROUTES, 9, ROUTES.splitlines()[9] + ",extra,extra")),
        "fields",
        9,
        None,
        ROUTE_ROWS - 1,
    ),
    Case(
        "too few fields",
        "routes.csv",
        text(with_line(ROUTES, 10, "short,IDN,IDN")),
        "fields",
        10,
        None,
        ROUTE_ROWS - 1,
    ),
    Case(
        "unknown measure",
        "routes.csv",
        text(with_cell(ROUTES, 12, "measure", "guessed")),
        "guessed",
        12,
        "measure",
        ROUTE_ROWS - 1,
    ),
    Case(
        "many broken rows: not a CSV at all",
        "routes.csv",
        text(ROUTES.splitlines(keepends=True)[0] + '"a\n' * 300),
        "is this a CSV file",
        None,
        None,
        0,
    ),
    Case("empty file", "routes.csv", text(""), "empty", accepted=None),
    Case("only whitespace", "routes.csv", text(" \n\n \n"), "empty", accepted=None),
    Case(
        "binary file",
        "routes.csv",
        lambda: b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
        "binary",
        accepted=None,
    ),
    Case(
        "UTF-16",
        "routes.csv",
        lambda: ROUTES.encode("utf-16"),
        "UTF-16",
        accepted=None,
    ),
    Case(
        "Latin-1",
        "locations.csv",
        lambda: LOCATIONS.replace("Piñas", "Piñas").encode("latin-1", errors="replace"),
        "not UTF-8",
        accepted=None,
    ),
    Case(
        "semicolons for commas",
        "routes.csv",
        text(ROUTES.replace(",", ";")),
        "missing",
        accepted=None,
    ),
    Case(
        "a required column missing",
        "routes.csv",
        text(without_column(ROUTES, "measure")),
        "missing required column(s): measure",
        accepted=None,
    ),
    Case(
        "Windows line ends and a byte-order mark",
        "routes.csv",
        lambda: b"\xef\xbb\xbf" + ROUTES.replace("\n", "\r\n").encode("utf-8"),
        "",
        accepted=ROUTE_ROWS,
    ),
]
