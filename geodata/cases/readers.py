"""Case-level files (one row per person identified) read into one normalised frame.

Three layouts are read:

- `ctdc2024`: the Counter Trafficking Data Collaborative's 2024 global synthetic dataset (27
  columns; citizenship and CountryOfExploitation as ISO 3166-1 alpha-3; flags 1 or empty).
- `ctdc2020`: CTDC's older k-anonymised global dataset (ISO 3166-1 alpha-2, where "NA" is
  Namibia; "0", "00", "-99" or a blank mean not stated; flags 1/0, also written 1.0/0.0, and
  "-99" or a blank for not stated). The full release has more exploitation flags than
  isForcedLabour / isSexualExploit (see `CTDC2020_FLAGS`); each one a file has is read, one it
  lacks is not assumed. None of them is forced criminality: CTDC has no such flag, and
  typeOfLabourIllicitActivities (a kind of forced labour) is not read as one.
- `htcds`: a flat export of case records in IOM's Human Trafficking Case Data Standard, one row
  per case, with the standard's prefixed field names (see `HTCDS_COLUMNS`).

Every row read is accepted or rejected; each rejected row gets a Problem per fault (file, row,
column, reason), and the file's tally reconciles (read = accepted + rejected). A country that is
not stated is kept as None (the row is valid; it cannot be drawn as a flow). Everything is done
on whole columns: each distinct value is judged once and the verdict spread to its rows, so a
million rows read in a few seconds.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import methodcaller
from pathlib import Path

import numpy as np
import pandas as pd
import pycountry

from geodata.countries import EXTRA_CODES, is_iso3
from geodata.io import ROW_COLUMN, check_file, decode, read_bytes, read_csv_table
from geodata.report import Problem, ValidationReport
from geodata.schema import YEAR_MAX, YEAR_MIN, cell_problem

FORMATS = ("ctdc2024", "ctdc2020", "htcds")
MAX_ID = 200  # characters in a case id

# The dataset's own exploitation categories, one per case (so they partition a flow's count):
# a single flag names its category; two or more flags make `multiple`; none, `not_stated`.
FLAGS = ("forced_labour", "sexual_exploitation", "other_exploitation", "organ_removal")
EXPLOITATIONS = (*FLAGS, "multiple", "not_stated")

CASE_COLUMNS = [
    "case_id",
    "year",
    "nationality",
    "country_of_exploitation",
    "gender",
    "age_band",
    *FLAGS,
    "exploitation",
    ROW_COLUMN,
]

AGE_BANDS = ("0-8", "9-17", "18-20", "21-23", "24-26", "27-29", "30-38", "39-47", "48+")
_AGE_EDGES = [(0, 8), (9, 17), (18, 20), (21, 23), (24, 26), (27, 29), (30, 38), (39, 47)]
GENDERS = ("female", "male", "transgender_nonconforming")
_GENDER_WORDS = {
    "woman": "female",
    "female": "female",
    "feminine": "female",
    "man": "male",
    "male": "male",
    "masculine": "male",
    "trans/transgender/nonconforming": "transgender_nonconforming",
    "transgender/nonconforming": "transgender_nonconforming",
    "transgenderfeminine": "transgender_nonconforming",
    "transgendermasculine": "transgender_nonconforming",
    "nonconforming": "transgender_nonconforming",
    "": None,
    "unknown": None,
    "nonspecifiedunknown": None,
    "-99": None,
}
_FLAG_ON = {"1", "1.0", "true", "yes"}
_FLAG_OFF = {"", "0", "0.0", "false", "no", "-99"}
# HTCDS vic_TypeOfExploitation picklist values (v2.0) and the category each is counted under
HTCDS_EXPLOITATION = {
    "forcedlabour": "forced_labour",
    "sexualexploitation": "sexual_exploitation",
    "organremoval": "organ_removal",
    "childlabour": "other_exploitation",
    "forcedmarriage": "other_exploitation",
    "servitude": "other_exploitation",
    "forcedmilitarybynonstateactors": "other_exploitation",
    "forcedbegging": "other_exploitation",
    "forcedadoption": "other_exploitation",
    "surrogacy": "other_exploitation",
    "other": "other_exploitation",
}
# Checked against the standard itself: github.com/UNMigration/HTCDS at commit
# 3c2f6537cd76c3305975aa5eef7a1bf26fe20a30 (v2.0 of 24 December 2021; its field list in
# "HTCDS Field Standards 2.0.ods", its toolkit spreadsheet and XLSForm). Every name below is a
# v2.0 field but two: cas_CaseNumber is Salesforce's own Case field, not an HTCDS one (read when
# present), and prs_Nationality is the field's name before v1.0 renamed it Citizenship. In v2.0
# prs_Citizenship is a multiselect of ISO 3166 alpha-2 codes (a case with two is refused: it is
# counted under one), hte_Type is Recruitment / Transit / Exploitation, vic_AgeWhenTrafficked is
# a number of years, and vic_LocationOfExploitation is a lookup to an organisation, not a
# country: so the country of exploitation is read from the historic trafficking event.
HTCDS_COLUMNS = {
    "cas_CaseNumber": "case id (optional; Salesforce's Case number, not an HTCDS v2.0 field)",
    "cas_IncomingReferralDate": "date the case was referred in: its year is the case's year",
    "hte_Date": "date of the exploitation event: the case's year when there is no referral date",
    "prs_Citizenship": "nationality, ISO 3166-1 alpha-2 (v1.0 on); prs_Nationality before v1.0",
    "hte_Country": "country of exploitation, ISO 3166-1 alpha-2",
    "hte_Type": "optional: when present, only rows of type Exploitation are read as cases",
    "prs_Gender": "optional: Feminine, Masculine, TransgenderFeminine, ... (or v1 Male/Female)",
    "vic_AgeWhenTrafficked": "optional: age in years, grouped into CTDC's bands",
    "vic_TypeOfExploitation": "optional: ;-separated picklist values (ForcedLabour, ...)",
}


@dataclass(frozen=True)
class Layout:
    """Where a layout keeps each field, and how its values are written."""

    name: str
    year: tuple[str, ...]  # candidate columns, the first present is read
    nationality: tuple[str, ...]
    country: tuple[str, ...]
    alpha: int  # 3 for ISO alpha-3 codes, 2 for alpha-2
    unknown: frozenset[str]  # values that mean "not stated" in a country column
    year_is_date: bool = False
    gender: str | None = None
    age: str | None = None
    age_in_years: bool = False
    flags: dict[str, tuple[str, ...]] = field(default_factory=dict)  # column -> its flags
    flag_not_stated: frozenset[str] = frozenset()  # flag values that say nothing either way
    kinds: str | None = None  # a multiselect column of exploitation types
    case_id: str | None = None
    event_type: str | None = None
    hint: str = ""

    def pick(self, candidates: tuple[str, ...], header: list[str]) -> str | None:
        return next((c for c in candidates if c in header), None)


# each flag column of a layout, and the categories a 1 in it stands for
CTDC_FLAGS = {
    "isForcedLabour": ("forced_labour",),
    "isSexualExploit": ("sexual_exploitation",),
    "isOtherExploit": ("other_exploitation",),
}
# CTDC's global k-anonymised dataset (14 April 2020 release; the 15 July 2021 one has the same
# names): the flag columns as public code reading the full files spells them (a d3 reader of
# "ctdc_data041420.csv", a Spark schema and a column list of the k-anon file), between
# meansOfControlConcatenated and typeOfExploitConcatenated. isAbduction is a means of
# recruitment, not a form of exploitation, and is not read.
CTDC2020_FLAGS = CTDC_FLAGS | {
    "isSexAndLabour": ("forced_labour", "sexual_exploitation"),  # both: counted as multiple
    "isForcedMarriage": ("other_exploitation",),
    "isForcedMilitary": ("other_exploitation",),
    "isOrganRemoval": ("organ_removal",),
    "isSlaveryAndPractices": ("other_exploitation",),
}
LAYOUTS = {
    "ctdc2024": Layout(
        "ctdc2024",
        year=("yearOfRegistration",),
        nationality=("citizenship",),
        country=("CountryOfExploitation",),
        alpha=3,
        unknown=frozenset({""}),
        gender="gender",
        age="ageBroad",
        flags=CTDC_FLAGS,
    ),
    "ctdc2020": Layout(
        "ctdc2020",
        year=("yearOfRegistration",),
        nationality=("citizenship",),
        country=("CountryOfExploitation",),
        alpha=2,
        unknown=frozenset({"", "0", "00", "-99"}),
        gender="gender",
        age="ageBroad",
        flags=CTDC2020_FLAGS,
        flag_not_stated=frozenset({"", "-99"}),
    ),
    "htcds": Layout(
        "htcds",
        year=("cas_IncomingReferralDate", "hte_Date"),
        nationality=("prs_Citizenship", "prs_Nationality"),
        country=("hte_Country",),
        alpha=2,
        unknown=frozenset({""}),
        year_is_date=True,
        gender="prs_Gender",
        age="vic_AgeWhenTrafficked",
        age_in_years=True,
        kinds="vic_TypeOfExploitation",
        case_id="cas_CaseNumber",
        event_type="hte_Type",
    ),
}
# columns only one CTDC layout has (the rest of the two headers are shared)
CTDC2024_ONLY = {
    "traffickMonths",
    "meansDebtBondageEarnings",
    "meansThreats",
    "meansAbusePsyPhySex",
    "meansFalsePromises",
    "meansDrugsAlcohol",
    "meansDenyBasicNeeds",
    "meansExcessiveWorkHours",
    "meansWithholdDocs",
}
CTDC2020_ONLY = {
    "Datasource",
    "majorityStatus",
    "majorityStatusAtExploit",
    "majorityEntry",
    "isSexAndLabour",
    "isForcedMarriage",
    "isForcedMilitary",
    "isOrganRemoval",
    "isSlaveryAndPractices",
    "typeOfExploitConcatenated",
    "meansOfControlConcatenated",
}
CTDC_CORE = {"yearOfRegistration", "citizenship", "CountryOfExploitation"}


# ---------------------------------------------------------------------------------------------
# Layout detection


def _sniff(header: list[str], rows: list[list[str]]) -> str | None:
    if any(h.startswith(("prs_", "vic_", "cas_", "hte_")) for h in header) and (
        {"prs_Citizenship", "prs_Nationality"} & set(header)
    ):
        return "htcds"
    if not CTDC_CORE <= set(header):
        return None
    if CTDC2024_ONLY & set(header) or any(h.startswith("means") and "Of" not in h for h in header):
        return "ctdc2024"
    if CTDC2020_ONLY & set(header) or any(h.startswith("meansOfControl") for h in header):
        return "ctdc2020"
    # a subset of the shared columns: the codes tell (alpha-2 in 2020, alpha-3 in 2024), and so
    # do the flags (2024 never writes 0)
    idx = [header.index(c) for c in ("citizenship", "CountryOfExploitation")]
    flag_idx = [header.index(c) for c in CTDC_FLAGS if c in header]
    two = three = zeros = 0
    for row in rows:
        if len(row) != len(header):
            continue
        for i in idx:
            value = row[i].strip()
            two += len(value) == 2 and value.isalpha()
            three += len(value) == 3 and value.isalpha()
        zeros += sum(row[i].strip() in ("0", "0.0") for i in flag_idx)
    if two > three or (zeros and not three):
        return "ctdc2020"
    if three > two:
        return "ctdc2024"
    return None


def detect_format(path: Path | str) -> str | None:
    """The layout a case file is in (`ctdc2024`, `ctdc2020`, `htcds`), read from its header
    and, when the header is the columns both CTDC layouts share, from its first rows; None
    when it is none of them or cannot be read."""
    path = Path(path)
    if not check_file(path, ValidationReport()):
        return None
    try:
        with path.open("rb") as fh:
            head = fh.read(256 * 1024)
    except OSError:
        return None
    text = head.decode("utf-8-sig", errors="replace")
    lines = text.splitlines()[:2001]
    if len(head) == 256 * 1024 and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut short
    try:
        rows = list(csv.reader(lines))
    except csv.Error:
        return None
    if not rows:
        return None
    header = [h.strip() for h in rows[0]]
    return _sniff(header, rows[1:])


# ---------------------------------------------------------------------------------------------
# Reading the table


Shape = tuple[list[str], np.ndarray, np.ndarray, np.ndarray, bytes | None]


def _shape_plain(body: bytes) -> Shape | None:
    """For a file with no quote character: the header, and per data line whether it is empty,
    whether all its fields are blank, and its width (its commas plus one), with the body
    rebuilt without the lines that are not the header's width (None when every line is)."""
    if b"\r" in body.replace(b"\r\n", b""):
        return None
    lines = body.split(b"\n")
    if lines and not lines[-1].strip(b"\r"):
        lines.pop()
    if not lines:
        return None
    header = [h.strip() for h in lines[0].rstrip(b"\r").decode("utf-8").split(",")]
    data = lines[1:]
    widths = np.fromiter(map(methodcaller("count", b","), data), dtype=np.int64, count=len(data))
    widths += 1
    empty = np.fromiter((not line.rstrip(b"\r") for line in data), dtype=bool, count=len(data))
    blank = np.fromiter((not line.strip(b", \t\r") for line in data), dtype=bool, count=len(data))
    ragged = (widths != len(header)) & ~empty & ~blank
    kept_body = None
    if ragged.any():
        kept_body = b"\n".join([lines[0], *(line for line, r in zip(data, ragged) if not r)])
    return header, empty, blank, widths, kept_body


def _shape_quoted(text: str) -> Shape | None:
    """The same for a file with quoted fields, through the csv module in strict mode; None
    (the careful reader) when a row is broken or not the header's width."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
        shapes = [(len(r), not any(f.strip() for f in r)) for r in reader]
    except (csv.Error, StopIteration):
        return None
    widths = np.fromiter((w for w, _ in shapes), dtype=np.int64, count=len(shapes))
    empty = widths == 0
    blank = np.fromiter((b for _, b in shapes), dtype=bool, count=len(shapes))
    if ((widths != len(header)) & ~empty & ~blank).any():
        return None
    return header, empty, blank, widths, None


def _fast_table(
    raw: bytes,
    text: str,
    name: str,
    report: ValidationReport,
    wanted: Callable[[list[str]], list[str]],
) -> tuple[pd.DataFrame, list[str]] | None:
    """The table through pandas' C parser once each row's width is known (checked first, so
    pandas' leniency with ragged rows and stray quotes never hides a broken row: a row of the
    wrong width is reported as the careful reader would, and left out). None when the file
    needs the careful reader (a broken quote), which reports each broken row."""
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    shape = _shape_quoted(text) if b'"' in body else _shape_plain(body)
    if shape is None:
        return None
    header, empty, blank, widths, kept_body = shape
    if not any(header) or len(set(header)) != len(header) or len(empty) == 0:
        return None  # the careful reader says what is wrong with the header or the rows
    counted = ~empty & ~blank  # the rows the careful reader numbers
    row_no = np.cumsum(counted)
    ragged = counted & (widths != len(header))
    columns = wanted(header)
    positions = [header.index(c) for c in columns]
    frame = pd.read_csv(
        io.BytesIO(kept_body if kept_body is not None else body),
        dtype=object,
        keep_default_na=False,
        na_filter=False,
        usecols=positions,
        header=0,
        skip_blank_lines=True,
        encoding="utf-8",
    )
    parsed = ~empty & ~ragged  # the lines pandas turns into rows
    if len(frame) != int(parsed.sum()):
        return None
    frame.columns = [header[i] for i in sorted(positions)]
    frame = frame.loc[~blank[parsed]].reset_index(drop=True)
    frame[ROW_COLUMN] = row_no[parsed & ~blank]
    tally = report.tally(name)
    tally.read += int(counted.sum())
    tally.rejected += int(ragged.sum())
    report.problems.extend(
        Problem(name, int(row), None, f"has {int(width)} fields, the header has {len(header)}")
        for row, width in zip(row_no[ragged], widths[ragged])
    )
    if len(frame) == 0 and not ragged.any():
        return None  # the careful reader says the file has no data rows
    return frame, header


def _read_table(
    path: Path, report: ValidationReport, name: str, wanted: Callable[[list[str]], list[str]]
) -> tuple[pd.DataFrame, list[str]] | None:
    tally = report.tally(name)
    raw = read_bytes(path, report, name)
    text = None if raw is None else decode(path, raw, report, name)
    if raw is None or text is None:
        tally.file_error = True
        return None
    fast = _fast_table(raw, text, name, report, wanted)
    if fast is not None:
        return fast
    del raw, text
    table = read_csv_table(path, report, label=name)
    if table is None:
        return None
    header = [c for c in table.columns if c != ROW_COLUMN]
    for column in wanted(header):
        table[column] = table[column].astype(object)
    return table, header


# ---------------------------------------------------------------------------------------------
# Judging each distinct value once


class _Verdicts:
    """Faults found per row, gathered column by column with boolean masks."""

    def __init__(self, rows: np.ndarray, name: str):
        self.rows = rows
        self.name = name
        self.bad = np.zeros(len(rows), dtype=bool)
        self.found: list[tuple[np.ndarray, str, np.ndarray]] = []

    def add(self, mask: np.ndarray, column: str, reasons: np.ndarray | str) -> None:
        if not mask.any():
            return
        self.bad |= mask
        if isinstance(reasons, str):
            reasons = np.full(len(self.rows), reasons, dtype=object)
        self.found.append((mask, column, reasons))

    def report(self, report: ValidationReport) -> None:
        found = []
        for mask, column, reasons in self.found:
            idx = np.flatnonzero(mask)
            found.extend(zip(self.rows[idx].tolist(), [column] * len(idx), reasons[idx].tolist()))
        found.sort(key=lambda item: item[0])
        report.problems.extend(Problem(self.name, row, col, why) for row, col, why in found)


def _judge(
    series: pd.Series, judge: Callable[[str], tuple[object, str | None]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(value per row, bad mask, reason per row) with `judge` called once per distinct value."""
    codes, uniques = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=False)
    verdicts = [judge(str(u).strip()) for u in uniques]
    values = np.empty(len(verdicts), dtype=object)
    values[:] = [v for v, _ in verdicts]
    reasons = np.array([r or "" for _, r in verdicts], dtype=object)
    bad = np.array([r is not None for _, r in verdicts], dtype=bool)
    return values[codes], bad[codes], reasons[codes]


def _alpha2_table() -> dict[str, str]:
    table = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
    table["XK"] = "XKX"  # Kosovo, in use though ISO has not assigned it
    return table


def _country_judge(layout: Layout, what: str) -> Callable[[str], tuple[object, str | None]]:
    alpha2 = _alpha2_table()

    def judge(value: str) -> tuple[object, str | None]:
        if value in layout.unknown:
            return None, None
        code = value.upper()
        if layout.alpha == 3:
            if is_iso3(code):
                return code, None
            hint = " (an alpha-2 code: is this the ctdc2020 layout?)" if code in alpha2 else ""
            return None, f"{value!r} is not an ISO 3166-1 alpha-3 country code{hint}"
        if ";" in value or "," in value:
            return None, f"more than one {what} ({value}): a case is counted under one"
        if code in alpha2:  # "NA" is Namibia, never a missing value
            return alpha2[code], None
        hint = ""
        if is_iso3(code) or code in EXTRA_CODES:
            hint = f" ({code} is alpha-3: is this the ctdc2024 layout?)"
        unknown = ", ".join(repr(u) for u in sorted(layout.unknown) if u)
        stated = f"; not stated is written {unknown} or left blank" if unknown else ""
        return None, f"{value!r} is not an ISO 3166-1 alpha-2 country code{hint}{stated}"

    return judge


_YEAR = re.compile(r"^(\d{4})(?:\.0+)?$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ][0-9:.+\-Z]*)?$")


def _year_judge(is_date: bool) -> Callable[[str], tuple[object, str | None]]:
    def judge(value: str) -> tuple[object, str | None]:
        if not value:
            return None, "year is empty"
        if value == "-99":
            return None, "year is not stated (-99)"
        if is_date:
            match = _DATE.match(value)
            if not match:
                return None, f"{value!r} is not a date as YYYY-MM-DD (or YYYY-MM, YYYY)"
            year, month, day = (int(g) if g else 1 for g in match.groups())
            try:
                dt.date(year, month, day)
            except ValueError as exc:
                return None, f"{value!r} is not a real date: {exc}"
        else:
            match = _YEAR.match(value)
            if not match:
                return None, f"{value!r} is not a year"
            year = int(match.group(1))
        if not YEAR_MIN <= year <= YEAR_MAX:
            return None, f"year {year} is out of range ({YEAR_MIN}–{YEAR_MAX})"
        return year, None

    return judge


def _gender_judge(value: str) -> tuple[object, str | None]:
    key = value.lower().replace(" ", "").replace("-", "")
    key = "-99" if value == "-99" else key
    if key in _GENDER_WORDS:
        return _GENDER_WORDS[key], None
    return None, f"{value!r} is not a gender this layout writes"


def _age_band_judge(value: str) -> tuple[object, str | None]:
    if value in ("", "-99"):
        return None, None
    band = re.sub(r"\s*(?:--|–|-)\s*", "-", value)
    if band in AGE_BANDS:
        return band, None
    return None, f"{value!r} is not an age band ({', '.join(AGE_BANDS)})"


def _age_years_judge(value: str) -> tuple[object, str | None]:
    if value == "":
        return None, None
    try:
        number = float(value)
    except ValueError:
        return None, f"{value!r} is not an age in years"
    if number != number or number < 0 or number > 120 or number != int(number):
        return None, f"{value!r} is not an age in whole years (0–120)"
    age = int(number)
    for (low, high), band in zip(_AGE_EDGES, AGE_BANDS):
        if low <= age <= high:
            return band, None
    return "48+", None


def _flag_judge(not_stated: frozenset[str]) -> Callable[[str], tuple[object, str | None]]:
    """True for a 1, False for a 0 (or, where the layout writes no 0, a blank), None where
    the value says nothing either way (`not_stated`: CTDC 2020's -99 and blank)."""

    def judge(value: str) -> tuple[object, str | None]:
        key = value.lower()
        if key in _FLAG_ON:
            return True, None
        if key in not_stated:
            return None, None
        if key in _FLAG_OFF:
            return False, None
        blank = "not stated" if "" in not_stated else "not flagged"
        return None, f"{value!r} is not a flag (1, 0, or -99 / empty for {blank})"

    return judge


def _combine(arrays: list[np.ndarray]) -> np.ndarray:
    """Several flag columns counted under one category: true where any is 1, false where
    none is but one is 0, None where none says either."""
    on = np.logical_or.reduce([a == True for a in arrays])  # noqa: E712 (object arrays)
    off = np.logical_or.reduce([a == False for a in arrays])  # noqa: E712
    out = np.full(len(arrays[0]), None, dtype=object)
    out[off] = False
    out[on] = True
    return out


def _kinds_judge(value: str) -> tuple[object, str | None]:
    parts = [p.strip() for p in re.split(r"[;,]", value) if p.strip()]
    found: set[str] = set()
    unknown = []
    for part in parts:
        key = part.replace(" ", "").lower()
        if key in HTCDS_EXPLOITATION:
            found.add(HTCDS_EXPLOITATION[key])
        else:
            unknown.append(part)
    if unknown:
        return None, f"not a type of exploitation in the HTCDS picklist: {', '.join(unknown)}"
    return ";".join(sorted(found)), None


def _event_judge(value: str) -> tuple[object, str | None]:
    if value.lower() == "exploitation":
        return True, None
    if not value:
        return None, "event type is empty, so hte_Country may not be where exploitation was"
    return None, f"a {value} event: only an Exploitation event gives the country of exploitation"


# ---------------------------------------------------------------------------------------------
# The reader


def _required(layout: Layout, header: list[str]) -> list[str]:
    missing = []
    for what, candidates in (
        ("year", layout.year),
        ("nationality", layout.nationality),
        ("country of exploitation", layout.country),
    ):
        if layout.pick(candidates, header) is None:
            missing.append(" or ".join(candidates) + f" ({what})")
    return missing


def _wanted(layout: Layout) -> Callable[[list[str]], list[str]]:
    def wanted(header: list[str]) -> list[str]:
        names = [
            layout.pick(layout.year, header),
            layout.pick(layout.nationality, header),
            layout.pick(layout.country, header),
            layout.gender,
            layout.age,
            layout.kinds,
            layout.case_id,
            layout.event_type,
            *layout.flags,
        ]
        return [n for n in dict.fromkeys(names) if n and n in header]

    return wanted


def empty_cases() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in CASE_COLUMNS}).astype(
        {"year": "int64", ROW_COLUMN: "int64", **{f: "boolean" for f in FLAGS}}
    )


def read_cases(
    path: Path | str,
    fmt: str | None = None,
    report: ValidationReport | None = None,
    label: str | None = None,
) -> tuple[pd.DataFrame, ValidationReport]:
    """Read a case-level file into the normalised frame (`CASE_COLUMNS`), never raising on bad
    input: what was refused, and why, is in the report. `fmt` forces a layout; without it the
    layout is detected from the header (`detect_format`). The frame's `attrs["format"]` names
    the layout read."""
    path = Path(path)
    report = report if report is not None else ValidationReport()
    name = label or path.name
    tally = report.tally(name)
    if fmt is not None and fmt not in LAYOUTS:
        report.add(Problem(name, None, None, f"unknown format {fmt!r}; use {', '.join(FORMATS)}"))
        tally.file_error = True
        return empty_cases(), report
    detected = detect_format(path)
    layout_name = fmt or detected
    if layout_name is None:
        if check_file(path, report, name):
            report.add(
                Problem(
                    name,
                    None,
                    None,
                    "cannot tell the layout from the header: not the CTDC 2024 or 2020 columns "
                    "nor HTCDS field names; name it with --format "
                    f"{'|'.join(FORMATS)}",
                )
            )
        tally.file_error = True
        return empty_cases(), report
    layout = LAYOUTS[layout_name]
    read = _read_table(path, report, name, _wanted(layout))
    if read is None:
        tally.file_error = True
        return empty_cases(), report
    table, header = read
    missing = _required(layout, header)
    if missing:
        found = ", ".join(h for h in header if h) or "none"
        looks = detected and detected != layout_name
        hint = f" (the header looks like {detected})" if looks else ""
        report.add(
            Problem(
                name,
                None,
                None,
                f"not the {layout_name} layout{hint}: missing column(s) {'; '.join(missing)} "
                f"(found: {found[:400]})",
            )
        )
        tally.file_error = True
        tally.read = 0
        return empty_cases(), report

    cases = _normalise(table, header, layout, name, report)
    tally.accepted = len(cases)
    tally.rejected = tally.read - tally.accepted
    if len(cases) == 0 and detected and detected != layout_name:
        report.add(
            Problem(
                name,
                None,
                None,
                f"no row was accepted as {layout_name}; the file looks like {detected}",
                "warning",
            )
        )
    cases.attrs["format"] = layout_name
    return cases, report


def _normalise(
    table: pd.DataFrame, header: list[str], layout: Layout, name: str, report: ValidationReport
) -> pd.DataFrame:
    rows = table[ROW_COLUMN].to_numpy()
    n = len(rows)
    verdicts = _Verdicts(rows, name)
    out: dict[str, object] = {ROW_COLUMN: rows}

    year_col = layout.pick(layout.year, header)
    values, bad, why = _judge(table[year_col], _year_judge(layout.year_is_date))
    verdicts.add(bad, year_col, why)
    out["year"] = values

    for key, candidates, what in (
        ("nationality", layout.nationality, "citizenship"),
        ("country_of_exploitation", layout.country, "country of exploitation"),
    ):
        column = layout.pick(candidates, header)
        values, bad, why = _judge(table[column], _country_judge(layout, what))
        verdicts.add(bad, column, why)
        out[key] = values

    none = np.full(n, None, dtype=object)
    out["gender"] = none
    if layout.gender in header:
        values, bad, why = _judge(table[layout.gender], _gender_judge)
        verdicts.add(bad, layout.gender, why)
        out["gender"] = values
    out["age_band"] = none
    if layout.age in header:
        judge = _age_years_judge if layout.age_in_years else _age_band_judge
        values, bad, why = _judge(table[layout.age], judge)
        verdicts.add(bad, layout.age, why)
        out["age_band"] = values

    flags: dict[str, np.ndarray | None] = {f: None for f in FLAGS}
    read: dict[str, list[np.ndarray]] = {}
    judge_flag = _flag_judge(layout.flag_not_stated)
    for column, targets in layout.flags.items():
        if column in header:  # a flag the file lacks is not assumed either way
            values, bad, why = _judge(table[column], judge_flag)
            verdicts.add(bad, column, why)
            for flag in targets:
                read.setdefault(flag, []).append(np.where(bad, None, values))
    for flag, arrays in read.items():
        flags[flag] = _combine(arrays)
    if layout.kinds and layout.kinds in header:
        values, bad, why = _judge(table[layout.kinds], _kinds_judge)
        verdicts.add(bad, layout.kinds, why)
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        for flag in dict.fromkeys(HTCDS_EXPLOITATION.values()):
            listed = [flag in str(u or "").split(";") for u in uniques]
            flags[flag] = np.array(listed, dtype=bool)[codes]

    if layout.event_type and layout.event_type in header:
        _, bad, why = _judge(table[layout.event_type], _event_judge)
        verdicts.add(bad, layout.event_type, why)

    out["case_id"] = none
    if layout.case_id and layout.case_id in header:
        ids = table[layout.case_id].astype(object).str.strip()
        suspicious = (
            ids.str.contains(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f<&]", regex=True)
            | (ids.str.len() > MAX_ID)
        ).to_numpy(dtype=bool)
        if suspicious.any():
            reasons = np.full(n, "", dtype=object)
            for i in np.flatnonzero(suspicious):
                value = ids.iat[i]
                too_long = f"case id of {len(value)} characters, over {MAX_ID}"
                reasons[i] = cell_problem(value) or (too_long if len(value) > MAX_ID else "")
            verdicts.add(reasons != "", layout.case_id, reasons)
        filled = ids != ""
        dupes = (ids.duplicated(keep="first") & filled).to_numpy(dtype=bool)
        if dupes.any():
            first = pd.Series(rows).groupby(ids.to_numpy()).transform("min").to_numpy()
            reasons = np.array(
                [f"case id {v!r} given twice, first on row {f}" for v, f in zip(ids, first)],
                dtype=object,
            )
            verdicts.add(dupes, layout.case_id, reasons)
        out["case_id"] = np.where(filled.to_numpy(dtype=bool), ids.to_numpy(dtype=object), None)

    verdicts.report(report)
    keep = ~verdicts.bad
    frame = pd.DataFrame({c: pd.Series(np.asarray(out[c])[keep], dtype=object) for c in out})
    frame["year"] = frame["year"].astype("int64")
    stated = [f for f in FLAGS if flags[f] is not None]
    for flag in FLAGS:
        array = flags[flag]
        frame[flag] = (
            pd.array(array[keep], dtype="boolean")
            if array is not None
            else pd.array([pd.NA] * int(keep.sum()), dtype="boolean")
        )
    frame["exploitation"] = _categories(frame, stated)
    for column in ("nationality", "country_of_exploitation", "gender", "age_band"):
        frame[column] = frame[column].astype(object)
    return frame[CASE_COLUMNS].reset_index(drop=True)


def _categories(frame: pd.DataFrame, stated: list[str]) -> np.ndarray:
    """One exploitation category per case from the flags the layout has."""
    if not stated:
        return np.full(len(frame), "not_stated", dtype=object)
    matrix = np.column_stack([frame[f].to_numpy(dtype=bool, na_value=False) for f in stated])
    count = matrix.sum(axis=1)
    which = np.array(stated, dtype=object)[matrix.argmax(axis=1)]
    return np.where(count == 0, "not_stated", np.where(count > 1, "multiple", which))


def validate_cases(
    path: Path | str, fmt: str | None = None
) -> tuple[pd.DataFrame, ValidationReport]:
    """What `python -m dashboard validate FILE [--format F]` reports for a case-level file:
    the accepted rows (normalised, `CASE_COLUMNS`) and the report of every rejected row."""
    cases, report = read_cases(path, fmt)
    name = Path(path).name
    if len(cases):
        unplaced = cases["nationality"].isna() | cases["country_of_exploitation"].isna()
        if unplaced.any():
            report.add(
                Problem(
                    name,
                    None,
                    None,
                    f"{int(unplaced.sum())} accepted row(s) do not state the nationality or the "
                    "country of exploitation: counted in no flow",
                    "warning",
                )
            )
    return cases, report
