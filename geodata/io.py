"""Reading input files defensively: every failure becomes a Problem, never a traceback."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import yaml

from geodata.report import Problem, ValidationReport

MAX_BYTES = 200 * 1024 * 1024
ROW_COLUMN = "_row"


def _decode(path: Path, raw: bytes, report: ValidationReport, label: str | None) -> str | None:
    """UTF-8 (with or without BOM) is accepted; anything else is refused with a reason."""
    name = label or path.name
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        report.add(Problem(name, None, None, "file is UTF-16 encoded; save it as UTF-8"))
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        bad = raw[exc.start : exc.start + 1]
        try:
            raw.decode("cp1252")
            guess = "it looks like Latin-1 / Windows-1252"
        except UnicodeDecodeError:
            guess = "its encoding is not recognised"
        report.add(
            Problem(
                name,
                None,
                None,
                f"file is not UTF-8 ({guess}; first undecodable byte 0x{bad.hex()} on line "
                f"{line}); re-save it as UTF-8",
            )
        )
        return None


def read_bytes(path: Path, report: ValidationReport, label: str | None = None) -> bytes | None:
    name = label or path.name
    if not path.exists():
        report.add(Problem(name, None, None, f"file not found: {path}"))
        return None
    if not path.is_file():
        report.add(Problem(name, None, None, f"not a regular file: {path}"))
        return None
    size = path.stat().st_size
    if size > MAX_BYTES:
        report.add(Problem(name, None, None, f"file is {size} bytes, over the {MAX_BYTES} limit"))
        return None
    try:
        raw = path.read_bytes()
    except OSError as exc:
        report.add(Problem(name, None, None, f"cannot read file: {exc.strerror or exc}"))
        return None
    if not raw.strip():
        report.add(Problem(name, None, None, "file is empty"))
        return None
    if b"\x00" in raw[:65536] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        report.add(Problem(name, None, None, "file is binary, not a text table"))
        return None
    return raw


def read_text(path: Path, report: ValidationReport, label: str | None = None) -> str | None:
    raw = read_bytes(path, report, label)
    if raw is None:
        return None
    return _decode(path, raw, report, label)


def read_csv_table(
    path: Path,
    report: ValidationReport,
    required: list[str] | None = None,
    label: str | None = None,
) -> pd.DataFrame | None:
    """Read a CSV as strings, one Problem per malformed row; None if the file is unusable.

    The returned frame has a `_row` column with each row's 1-based data row number, so later
    checks can name the row they reject.
    """
    name = label or path.name
    tally = report.tally(name)
    text = read_text(path, report, name)
    if text is None:
        tally.file_error = True
        return None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except (csv.Error, StopIteration) as exc:
        report.add(Problem(name, None, None, f"cannot read the header row: {exc}"))
        tally.file_error = True
        return None
    header = [h.strip() for h in header]
    if not any(header):
        report.add(Problem(name, None, None, "the header row is blank"))
        tally.file_error = True
        return None
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        report.add(Problem(name, None, None, f"duplicate column names: {', '.join(dupes)}"))
        tally.file_error = True
        return None
    missing = [c for c in (required or []) if c not in header]
    if missing:
        report.add(
            Problem(
                name,
                None,
                None,
                f"missing required column(s): {', '.join(missing)} "
                f"(found: {', '.join(h for h in header if h) or 'none'})",
            )
        )
        tally.file_error = True
        return None

    rows: list[list[str]] = []
    numbers: list[int] = []
    row_no = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            row_no += 1
            tally.read += 1
            tally.rejected += 1
            report.add(Problem(name, row_no, None, f"malformed CSV: {exc}"))
            # csv cannot resume reliably after a quoting error: stop and say so.
            report.add(Problem(name, None, None, "reading stopped at the malformed row"))
            break
        if not fields or all(not f.strip() for f in fields):
            continue  # blank lines are layout, not data
        row_no += 1
        tally.read += 1
        if len(fields) != len(header):
            tally.rejected += 1
            report.add(
                Problem(
                    name,
                    row_no,
                    None,
                    f"has {len(fields)} fields, the header has {len(header)}",
                )
            )
            continue
        rows.append([f.strip() for f in fields])
        numbers.append(row_no)
    if tally.read == 0:
        report.add(Problem(name, None, None, "file has a header but no data rows"))
        tally.file_error = True
        return None
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    frame[ROW_COLUMN] = numbers
    return frame


def read_yaml(path: Path, report: ValidationReport) -> object | None:
    name = path.name
    text = read_text(path, report)
    if text is None:
        report.tally(name).file_error = True
        return None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        report.add(
            Problem(name, None, None, f"not valid YAML{where}: {getattr(exc, 'problem', exc)}")
        )
        report.tally(name).file_error = True
        return None
