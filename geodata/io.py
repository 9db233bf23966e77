"""Reading input files defensively: every failure becomes a Problem, never a traceback."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from geodata.report import Problem, ValidationReport

MAX_BYTES = 200 * 1024 * 1024
ROW_COLUMN = "_row"
# A field may be as long as a file may be: an over-long text is then refused by the row's own
# checks, with its row and column, instead of stopping the reader (csv's default is 128 kB).
csv.field_size_limit(min(sys.maxsize, MAX_BYTES))


def decode(path: Path, raw: bytes, report: ValidationReport, label: str | None) -> str | None:
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


def refusal(path: Path) -> str | None:
    """Why a path is not read as a data file, or None. A link may point only to a file in its
    own folder (a link to /etc/passwd is not data), and only regular files are read (a named
    pipe would block the reader for ever). Reasons never name server paths."""
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return "is a link to nothing readable"
        if target.parent != path.parent.resolve():
            return "is a link to a file outside its folder; copy the file in instead"
    if not path.exists():
        return "file not found"
    if not path.is_file():
        return "not a regular file"
    return None


def check_file(path: Path, report: ValidationReport, label: str | None = None) -> bool:
    """The checks every input file passes before it is opened, text or binary: not a link out
    of its folder, not a pipe or other non-file, not over the size limit, not empty."""
    name = label or path.name
    reason = refusal(path)
    if reason is not None:
        report.add(Problem(name, None, None, reason))
        return False
    size = path.stat().st_size
    if size > MAX_BYTES:
        report.add(Problem(name, None, None, f"file is {size} bytes, over the {MAX_BYTES} limit"))
        return False
    if size == 0:
        report.add(Problem(name, None, None, "file is empty"))
        return False
    return True


def read_bytes(path: Path, report: ValidationReport, label: str | None = None) -> bytes | None:
    """A text table's bytes, or None with the reason reported (see `check_file`; a workbook, a
    binary file or a blank file is refused too)."""
    name = label or path.name
    if not check_file(path, report, label):
        return None
    try:
        raw = path.read_bytes()
    except OSError as exc:
        report.add(Problem(name, None, None, f"cannot read file: {exc.strerror or exc}"))
        return None
    if not raw.strip():
        report.add(Problem(name, None, None, "file is empty"))
        return None
    if raw.startswith(b"PK\x03\x04") or raw.startswith(b"\xd0\xcf\x11\xe0"):
        report.add(
            Problem(name, None, None, "file is a spreadsheet workbook: save it as CSV UTF-8")
        )
        return None
    utf16 = raw.startswith((b"\xff\xfe", b"\xfe\xff"))
    binary_magic = (b"\x89PNG", b"%PDF", b"GIF8", b"\x1f\x8b", b"\xff\xd8\xff", b"\x7fELF")
    if not utf16 and (raw.startswith(binary_magic) or raw[:65536].count(b"\x00") > 8):
        # a stray NUL or two in a text file is a row's fault, reported with its row
        report.add(Problem(name, None, None, "file is binary, not a text table"))
        return None
    return raw


def read_text(path: Path, report: ValidationReport, label: str | None = None) -> str | None:
    raw = read_bytes(path, report, label)
    if raw is None:
        return None
    return decode(path, raw, report, label)


MAX_MALFORMED = 100  # beyond this many broken rows the file is not CSV, and re-reading costs


def _lines_from(lines: list[str], start: int):
    for i in range(start, len(lines)):
        yield lines[i]


FAST_MIN_BYTES = 512 * 1024  # smaller files are read row by row: it costs milliseconds


def _standalone(line: bytes) -> list[str] | None:
    """The fields of one physical line read on its own by the careful reader's csv dialect, or
    None if the line is not a whole row by itself (a broken quote, a field running on)."""
    try:
        rows = list(csv.reader([line.decode("utf-8")], strict=True))
    except (csv.Error, UnicodeDecodeError):
        return None
    return rows[0] if len(rows) == 1 else None


# bytes that may begin or end a cell str.strip would change: ASCII whitespace (a line end
# cannot be inside an unquoted cell) and any byte of a non-ASCII character (U+00A0, U+3000...)
_EDGE = np.zeros(256, dtype=bool)
_EDGE[[9, 11, 12, 28, 29, 30, 31, 32]] = True
_EDGE[128:] = True


def _fast_csv_table(
    body: bytes,
    name: str,
    report: ValidationReport,
    required: list[str] | None,
) -> pd.DataFrame | None:
    """The table through pandas' C parser, when every physical line can be shown to be one whole
    row that csv's strict reader (the careful reader below) splits into the same fields; None
    (read row by row instead) for anything else: a quote opened on one line and closed on
    another, a broken quote, a NUL byte or a lone carriage return, an unusable header, a file
    without data rows. Lines of the wrong width are reported as the careful reader reports
    them and kept from pandas, which would pad or refuse them; cells are stripped as there."""
    if b"\x00" in body or body.count(b"\r") != body.count(b"\r\n"):
        return None
    buf = np.frombuffer(body, dtype=np.uint8)
    ends = np.flatnonzero(buf == 10)
    starts = np.concatenate(([0], ends + 1))
    ends = np.concatenate((ends, [len(buf)]))
    if starts[-1] == len(buf):  # the file ends with a line end: no line after it
        starts, ends = starts[:-1], ends[:-1]
    if len(starts) < 2:
        return None
    cr = (ends > starts) & (buf[np.maximum(ends - 1, 0)] == 13)
    stops = ends - cr.astype(np.int64)  # each line without its line end
    del ends, cr
    comma_at = np.flatnonzero(buf == 44)
    commas = np.searchsorted(comma_at, np.stack([starts, stops]))
    quotes = np.searchsorted(np.flatnonzero(buf == 34), np.stack([starts, stops]))
    widths = commas[1] - commas[0] + 1
    quoted = np.flatnonzero(quotes[1] > quotes[0])
    # lines with a cell that may need stripping: whitespace or a non-ASCII byte next to a comma
    # or at either end of the line
    last = len(buf) - 1
    after = _EDGE[buf[np.minimum(comma_at + 1, last)]]
    before = _EDGE[buf[np.maximum(comma_at - 1, 0)]]
    full = starts[stops > starts]
    near = np.concatenate(
        (
            comma_at[after | before],
            full[_EDGE[buf[full]]],
            stops[(stops > starts) & _EDGE[buf[np.maximum(stops - 1, 0)]]] - 1,
        )
    )
    to_strip = np.unique(np.searchsorted(starts, near, side="right") - 1)
    del buf, after, before, full, near, comma_at, commas, quotes
    parsed: dict[int, list[str]] = {}  # line -> its fields, for the lines csv must split
    for i in quoted.tolist():
        fields = _standalone(body[starts[i] : stops[i]])
        if fields is None:
            return None
        parsed[i] = fields
        widths[i] = len(fields)
    head = parsed.get(0)
    if head is None:
        head = body[starts[0] : stops[0]].decode("utf-8").split(",")
    header = [h.strip() for h in head]
    if not all(header) or len(header) < 2 or len(set(header)) != len(header):
        return None  # the careful reader says what is wrong with it
    if any(c not in header for c in required or []):
        return None
    head_stop = int(stops[0])
    starts, stops, widths = starts[1:], stops[1:], widths[1:]
    empty = stops == starts
    kept = (widths == len(header)) & ~empty  # the lines pandas reads
    other = np.flatnonzero(~kept & ~empty)
    blank = np.zeros(len(starts), dtype=bool)
    for i in other.tolist():
        fields = parsed.get(i + 1)
        if fields is None:
            fields = body[starts[i] : stops[i]].decode("utf-8").split(",")
        blank[i] = all(not f.strip() for f in fields)
    source = body
    if len(other):  # the header and the lines of its width only
        source = b"\n".join(
            [body[:head_stop]]
            + [body[int(s) : int(e)] for s, e in zip(starts[kept], stops[kept], strict=True)]
        )
    frame = pd.read_csv(
        io.BytesIO(source),
        dtype=object,
        keep_default_na=False,
        na_filter=False,
        header=0,
        skip_blank_lines=True,
        encoding="utf-8",
        engine="c",
    )
    del source
    lines = np.flatnonzero(kept)  # frame row k is data line lines[k]
    if frame.shape != (len(lines), len(header)):
        return None
    columns = [frame.iloc[:, j].to_numpy(dtype=object) for j in range(len(header))]
    del frame
    # strip the rows that may need it, and every row csv split (the quoted ones)
    check = np.union1d(to_strip[to_strip > 0] - 1, quoted[quoted > 0] - 1)
    rows = np.searchsorted(lines, check)
    found = rows < len(lines)
    rows = rows[found][lines[rows[found]] == check[found]]
    if len(rows):
        columns = [c.copy() for c in columns]  # pandas' arrays may be read-only
        for column in columns:
            column[rows] = [v.strip() for v in column[rows]]
    for i, fields in parsed.items():  # pandas must have read the quoted rows as csv does
        k = int(np.searchsorted(lines, i - 1))
        if i and k < len(lines) and lines[k] == i - 1:
            if [c[k] for c in columns] != [f.strip() for f in fields]:
                return None
    kept_blank = columns[0] == ""
    if kept_blank.any():
        candidates = np.flatnonzero(kept_blank)
        kept_blank[candidates] = np.logical_and.reduce([c[candidates] == "" for c in columns])
    blank[lines] = kept_blank
    counted = ~empty & ~blank
    if not counted.any():
        return None  # the careful reader says there are no data rows
    row_no = np.cumsum(counted)
    ragged = counted & ~kept
    if kept_blank.any():
        columns = [c[~kept_blank] for c in columns]
        lines = lines[~kept_blank]
    frame = pd.DataFrame(dict(zip(header, columns, strict=True)), columns=header, dtype=object)
    frame[ROW_COLUMN] = row_no[lines].astype("int64")
    tally = report.tally(name)
    tally.read += int(counted.sum())
    tally.rejected += int(ragged.sum())
    report.problems.extend(
        Problem(name, int(row), None, f"has {int(width)} fields, the header has {len(header)}")
        for row, width in zip(row_no[ragged], widths[ragged], strict=True)
    )
    return frame


def read_csv_table(
    path: Path,
    report: ValidationReport,
    required: list[str] | None = None,
    label: str | None = None,
    fast: bool | None = None,
) -> pd.DataFrame | None:
    """Read a CSV as strings, one Problem per malformed row; None if the file is unusable.

    The returned frame has a `_row` column with each row's 1-based data row number, so later
    checks can name the row they reject. A file of FAST_MIN_BYTES or more (or any file with
    `fast=True`) is parsed by pandas when every row can be shown to parse the same way as here
    (see `_fast_csv_table`); otherwise, and for every broken file, row by row below.
    """
    name = label or path.name
    tally = report.tally(name)
    raw = read_bytes(path, report, name)
    text = None if raw is None else decode(path, raw, report, name)
    if raw is None or text is None:
        tally.file_error = True
        return None
    if fast is None:
        fast = len(raw) >= FAST_MIN_BYTES
    if fast:
        del text  # decoded to know it is UTF-8; pandas reads the bytes (memory at scale)
        if raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        frame = _fast_csv_table(raw, name, report, required)
        if frame is not None:
            return frame
        text = raw.decode("utf-8-sig")
    del raw
    lines = io.StringIO(text, newline="").readlines()  # the lines exactly as csv reads them
    reader = csv.reader(_lines_from(lines, 0), strict=True)
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
    base = 0  # physical lines before the current reader's first line
    malformed = 0
    while True:
        start = base + reader.line_num  # the line (0-based) the next row begins on
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # A broken row (an unclosed quote, a stray quote) is reported and skipped; reading
            # goes on from the line after the one it began on, so no valid row after it is lost.
            row_no += 1
            tally.read += 1
            tally.rejected += 1
            reason = str(exc)
            if "unexpected end of data" in reason:
                reason = "a quote opened in this row is never closed"
            elif "expected after" in reason:
                reason = (
                    "a quote ends before its field does (quote the whole field and double "
                    'any quote inside it: "a ""b"" c")'
                )
            report.add(Problem(name, row_no, None, f"malformed CSV row: {reason}"))
            malformed += 1
            if malformed >= MAX_MALFORMED:
                report.add(
                    Problem(
                        name,
                        None,
                        None,
                        f"reading stopped after {MAX_MALFORMED} "
                        "malformed rows: is this a CSV file?",
                    )
                )
                break
            base = start + 1
            reader = csv.reader(_lines_from(lines, base), strict=True)
            continue
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


XLSX_SUFFIXES = (".xlsx", ".xlsm")
MAX_XLSX_UNPACKED = 200 * 1024 * 1024  # a workbook is a zip: what it unpacks to is bounded too


def _cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV would hold (2023.0 as 2023, a date as 2023-05-01)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text.removesuffix("T00:00:00")
    return str(value)


def read_xlsx_table(
    path: Path,
    report: ValidationReport,
    required: list[str] | None = None,
    label: str | None = None,
) -> pd.DataFrame | None:
    """A record table saved from a spreadsheet: its first sheet (or the sheet named like the
    table), read as the CSV reader reads a file. Formulas are never computed: a row with one is
    refused, naming the cell. Rows are numbered as in a CSV (data rows, header excluded)."""
    import zipfile

    name = label or path.name
    tally = report.tally(name)

    def refuse(reason: str) -> None:
        report.add(Problem(name, None, None, reason))
        tally.file_error = True

    reason = refusal(path)
    if reason is not None:
        return refuse(reason)
    if path.stat().st_size > MAX_BYTES:
        return refuse(f"file is {path.stat().st_size} bytes, over the {MAX_BYTES} limit")
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return refuse("not a readable .xlsx workbook (save it again from the spreadsheet)")
    if unpacked > MAX_XLSX_UNPACKED:
        return refuse(f"the workbook unpacks to {unpacked:,} bytes, over the limit")
    try:
        import openpyxl
    except ImportError:
        return refuse("reading .xlsx needs the openpyxl package: pip install openpyxl")
    try:
        # formulas as written, never computed nor taken from the saved cache (which a file
        # written by a program may lack): a formula cell is refused with its row and column
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a broken workbook
        return refuse("not a readable .xlsx workbook (save it again from the spreadsheet)")
    try:
        stem = Path(name.split(" ")[0]).stem.lower()
        sheets = {ws.title.strip().lower(): ws for ws in book.worksheets}
        sheet = sheets.get(stem) or book.worksheets[0]
        lines = iter(sheet.iter_rows(values_only=True))
        header: list[str] = []
        for values in lines:
            header = [_cell_text(v).strip() for v in values]
            if any(header):
                break
        while header and not header[-1]:
            header.pop()
        if not header:
            return refuse("the sheet is empty")
        missing = [c for c in (required or []) if c not in header]
        if missing:
            return refuse(
                f"missing required column(s): {', '.join(missing)} "
                f"(found: {', '.join(h for h in header if h) or 'none'})"
            )
        rows: list[list[str]] = []
        numbers: list[int] = []
        row_no = 0
        for values in lines:
            fields = [_cell_text(v) for v in values]
            if not any(f.strip() for f in fields):
                continue
            row_no += 1
            tally.read += 1
            extra = fields[len(header) :]
            if any(f.strip() for f in extra):
                tally.rejected += 1
                report.add(
                    Problem(name, row_no, None, f"has values beyond the {len(header)} columns")
                )
                continue
            fields = (fields + [""] * len(header))[: len(header)]
            formulas = [c for c, f in zip(header, fields, strict=True) if f.startswith("=")]
            if formulas:
                tally.rejected += 1
                for column in formulas:
                    report.add(
                        Problem(name, row_no, column, "a formula is not read: type its value")
                    )
                continue
            rows.append([f.strip() for f in fields])
            numbers.append(row_no)
    finally:
        book.close()
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    frame[ROW_COLUMN] = numbers
    return frame


def read_table(
    path: Path,
    report: ValidationReport,
    required: list[str] | None = None,
    label: str | None = None,
) -> pd.DataFrame | None:
    """A record table from a CSV file or a spreadsheet (.xlsx), by its suffix."""
    if path.suffix.lower() in XLSX_SUFFIXES:
        return read_xlsx_table(path, report, required, label)
    return read_csv_table(path, report, required, label)


MAX_YAML_DEPTH = 50


class YamlRefused(ValueError):
    """A YAML document this dashboard will not read, and why."""


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader without aliases (a few lines of them can expand to gigabytes), with a bound
    on nesting, and refusing a key given twice in one mapping (the second would silently win)."""

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise YamlRefused(
                f"line {event.start_mark.line + 1}: aliases (*name) are not accepted; "
                "write the value out"
            )
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                mark = self.peek_event().start_mark
                raise YamlRefused(
                    f"line {mark.line + 1}: nested more than {MAX_YAML_DEPTH} levels deep"
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):  # type: ignore[override]
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                continue  # SafeLoader reports unhashable keys itself
            if key in seen:
                raise YamlRefused(
                    f"line {key_node.start_mark.line + 1}: key {key!r} given twice (first on "
                    f"line {seen[key]}); the second would silently replace the first"
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def load_yaml_text(text: str) -> object:
    """YAML as data, refusing aliases, deep nesting and repeated keys (YamlRefused), and
    turning PyYAML's own errors into yaml.YAMLError as usual."""
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except RecursionError:
        raise YamlRefused(f"nested more than {MAX_YAML_DEPTH} levels deep") from None


def read_yaml(path: Path, report: ValidationReport) -> object | None:
    name = path.name
    text = read_text(path, report)
    if text is None:
        report.tally(name).file_error = True
        return None
    try:
        return load_yaml_text(text)
    except YamlRefused as exc:
        report.add(Problem(name, None, None, f"not accepted: {exc}"))
        report.tally(name).file_error = True
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        report.add(
            Problem(name, None, None, f"not valid YAML{where}: {getattr(exc, 'problem', exc)}")
        )
        report.tally(name).file_error = True
        return None
