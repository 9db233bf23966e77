"""Row schemas of the curated records (pydantic), and row-by-row validation of a table.

Each row is judged on its own so that a bad row is rejected with its row number, column and
reason while the good rows are kept. A large table is checked a column at a time first, and
only the rows those checks do not pass go through the model one by one for their reasons.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import typing
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from geodata.countries import REGION_CODE, is_iso3
from geodata.io import ROW_COLUMN
from geodata.report import Problem, ValidationReport

YEAR_MIN = 1990
YEAR_MAX = dt.date.today().year

MEASURES = (
    "rescued",
    "released",
    "identified_victims",
    "assisted",
    "repatriated",
    "returned",
    "intercepted",
    "estimated_present",
    "deported",
    "apprehended",
    "trafficked",
    "caseload",
    "referred",
    "trained",
    "reported_route",
    "case_records",  # case-level data aggregated to flows (geodata.cases); never a report figure
)
Measure = Literal[MEASURES]  # type: ignore[valid-type]
Qualifier = Literal["exact", "at_least", "about", "unknown"]
LOCATION_KINDS = ("compound", "sez", "city", "airport", "border_crossing")

# The form of exploitation a route, figure or event is about, after the purposes of exploitation
# in the report's Modus Operandi table (forced labour and criminal activities in scam centres are
# its forced criminality). `all_forms` is a count of victims of every form together (an IOM
# office's whole caseload, a general law). A blank cell means the record does not say (None).
FORMS = ("forced_criminality", "organ_removal", "sexual_exploitation", "other", "all_forms")
Form = Literal[FORMS]  # type: ignore[valid-type]
DEFAULT_FORMS = ("forced_criminality", "all_forms")

# What kind of movement a route is: into exploitation (or counted where people were held or
# rescued), back (returns, repatriations, releases back, deportations), or a movement the sources
# do not call trafficking. A blank cell or a missing column means `trafficking`.
MOVEMENTS = ("trafficking", "return", "other")
Movement = Literal[MOVEMENTS]  # type: ignore[valid-type]
DEFAULT_MOVEMENTS = ("trafficking", "return")

EVENT_KINDS = (
    "raid",
    "operation",
    "rescue",
    "repatriation",
    "deportation",
    "arrest",
    "interception",
    "law",
    "referral_mechanism",
    "task_force",
    "declaration",
    "campaign",
    "advisory",
    "meeting",
    "media",
    "publication",
)
UNITS = (
    "people",
    "percent",
    "percent_change",
    "ratio",
    "usd",
    "idr",
    "countries",
    "nationalities",
    "officials",
)

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _blank_to_none(v: object) -> object:
    if isinstance(v, str) and not v.strip():
        return None
    return v


def _split_list(v: object) -> object:
    if v is None:
        return []
    if isinstance(v, str):
        return [p.strip() for p in v.split(";") if p.strip()]
    return v


def _check_id(v: str) -> str:
    if not ID_PATTERN.match(v):
        raise ValueError(f"{v!r} is not a lower-case kebab-case id (letters, digits, hyphens)")
    return v


def _check_iso3(v: str) -> str:
    if not is_iso3(v):
        raise ValueError(f"{v!r} is not an ISO 3166-1 alpha-3 country code")
    return v


def _check_scope(v: str) -> str:
    return v if v == REGION_CODE else _check_iso3(v)


def _check_year(v: object) -> int:
    try:
        year = int(str(v).strip())
    except ValueError:
        raise ValueError(f"{v!r} is not a year") from None
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ValueError(f"year {year} is out of range ({YEAR_MIN}–{YEAR_MAX})")
    return year


def _parse_number(v: object) -> float:
    """A finite number, with thousands separators allowed ('3,239')."""
    text = str(v).strip().replace(",", "")
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{v!r} is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"{v!r} is not a finite number")
    return number


MAX_COUNT = 1_000_000_000  # more people than any route could carry: a typo or an attack


def _check_count(v: object) -> int | None:
    if v is None:
        return None
    number = _parse_number(v)
    if number < 0:
        raise ValueError(f"count {v} is negative")
    if number > MAX_COUNT:
        raise ValueError(f"count {v} is over {MAX_COUNT:,}, more people than any route carries")
    if number != int(number):
        raise ValueError(f"count {v} is not a whole number of people")
    return int(number)


def _check_number(v: object) -> float | None:
    if v is None:
        return None
    number = _parse_number(v)
    if abs(number) > 1e15:
        raise ValueError(f"value {v} is too large to be a figure (over 10^15)")
    if number < 0:
        raise ValueError(f"value {v} is negative")
    return number


def _check_date(v: str) -> str:
    if not PARTIAL_DATE.match(v):
        raise ValueError(f"{v!r} is not a date as YYYY, YYYY-MM or YYYY-MM-DD")
    parts = [int(p) for p in v.split("-")]
    try:
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError as exc:
        raise ValueError(f"{v!r} is not a real date: {exc}") from None
    if not YEAR_MIN <= parts[0] <= YEAR_MAX:
        raise ValueError(f"year {parts[0]} is out of range ({YEAR_MIN}–{YEAR_MAX})")
    return v


Blank = BeforeValidator(_blank_to_none)
Id = Annotated[str, BeforeValidator(lambda v: _check_id(str(v).strip()))]
Iso3 = Annotated[str, BeforeValidator(lambda v: _check_iso3(str(v).strip()))]
OptIso3 = Annotated[str | None, BeforeValidator(lambda v: _blank_to_none(v) and _check_iso3(v))]
Year = Annotated[int, BeforeValidator(_check_year)]
Count = Annotated[int | None, BeforeValidator(lambda v: _check_count(_blank_to_none(v)))]
Number = Annotated[float | None, BeforeValidator(lambda v: _check_number(_blank_to_none(v)))]


def _check_share(v: object) -> float | None:
    number = _check_number(_blank_to_none(v))
    if number is not None and number > 100:
        raise ValueError(f"share {number:g} % is over 100")
    return number


Share = Annotated[float | None, BeforeValidator(_check_share)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]


def _opt_text(v: object) -> object:
    v = _blank_to_none(v)
    if isinstance(v, str) and len(v) > 4000:
        raise ValueError(f"text of {len(v)} characters is over the 4000 limit")
    return v


OptText = Annotated[str | None, BeforeValidator(_opt_text)]
IdList = Annotated[list[str], BeforeValidator(lambda v: _split_list(_blank_to_none(v)))]
Date = Annotated[str, BeforeValidator(lambda v: _check_date(str(v).strip()))]
OptDate = Annotated[str | None, BeforeValidator(lambda v: _blank_to_none(v) and _check_date(v))]
OptId = Annotated[str | None, BeforeValidator(lambda v: _blank_to_none(v) and _check_id(v.strip()))]


def _stripped(v: object) -> object:
    v = _blank_to_none(v)
    return v.strip() if isinstance(v, str) else v


OptForm = Annotated[Form | None, BeforeValidator(_stripped)]
MovementKind = Annotated[Movement, BeforeValidator(lambda v: _stripped(v) or "trafficking")]


def _check_rank(v: object) -> int:
    text = str(v).strip()
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{v!r} is not a whole number") from None
    if number != number or number != int(number):
        raise ValueError(f"{v!r} is not a whole number")
    if number < 1:
        raise ValueError(f"rank {text} is not a positive whole number (1, 2, 3...)")
    return int(number)


Rank = Annotated[int, BeforeValidator(_check_rank)]


class Record(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, frozen=True)


class Cited(Record):
    source_id: Id
    section: Text


class SourceRow(Record):
    id: Id
    title: Text
    publisher: Text
    date: Date
    url: OptText = None
    note: OptText = None

    @model_validator(mode="after")
    def _url(self) -> SourceRow:
        if self.url and not self.url.startswith(("http://", "https://")):
            raise ValueError("url must start with http:// or https://")
        return self


class LocationRow(Record):
    """A place. `claim=report`: a source names it, so it cites that source (`source_id`,
    `section`). `claim=context`: no source names it; it is shown for orientation and its only
    citation is where its coordinates were read (`coord_source`, `coord_url`), so `source_id`
    and `section` stay empty rather than point at a source that does not mention it."""

    id: Id
    name: Text
    kind: Literal[LOCATION_KINDS]  # type: ignore[valid-type]
    lat: Annotated[float, Field(ge=-90, le=90)]
    lon: Annotated[float, Field(ge=-180, le=180)]
    iso3: Iso3
    admin1: OptText = None
    claim: Literal["report", "context"]
    coord_source: Text
    coord_url: OptText = None
    # validated even when the column is missing, so a report place cannot lose its citation
    source_id: OptId = Field(default=None, validate_default=True)
    section: OptText = Field(default=None, validate_default=True)
    note: OptText = None

    @field_validator("source_id", "section")
    @classmethod
    def _citation_follows_claim(cls, v: str | None, info: ValidationInfo) -> str | None:
        claim = info.data.get("claim")  # absent when the claim itself was refused
        if claim == "report" and not v:
            raise ValueError(f"a place the source names (claim=report) needs its {info.field_name}")
        if claim == "context" and v:
            raise ValueError(
                f"a place shown for context (claim=context) is not named by a source: leave "
                f"{info.field_name} empty (its citation is coord_source/coord_url)"
            )
        return v


class RouteRow(Cited):
    id: Id
    nationality: OptIso3 = None
    origin: OptText = None
    transit: IdList = []
    destination: OptText = Field(default=None, validate_default=True)
    year_start: Year
    year_end: Year
    period: OptText = None
    measure: Measure
    count: Count = None
    qualifier: Qualifier
    share_pct: Share = None
    note: OptText = None
    form: OptForm = None
    movement: MovementKind = "trafficking"

    @field_validator("destination")
    @classmethod
    def _one_end_at_least(cls, v: str | None, info: ValidationInfo) -> str | None:
        """A route may be known from its start only, or its end only, but not from neither."""
        if not v and not info.data.get("origin"):
            raise ValueError("a route needs an origin or a destination (or both): both are empty")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> RouteRow:
        if self.year_end < self.year_start:
            raise ValueError(f"year_end {self.year_end} is before year_start {self.year_start}")
        if self.count is None and self.qualifier != "unknown":
            raise ValueError("count is empty, so qualifier must be 'unknown'")
        if self.count is not None and self.qualifier == "unknown":
            raise ValueError("count is given, so qualifier cannot be 'unknown'")
        if self.measure == "reported_route" and self.count is not None:
            raise ValueError("a reported_route has no count; give the measure that was counted")
        return self


class FigureRow(Cited):
    id: Id
    label: Text
    scope: Annotated[str, BeforeValidator(lambda v: _check_scope(str(v).strip()))]
    nationality: OptIso3 = None
    year_start: Year
    year_end: Year
    period: OptText = None
    measure: OptText = None
    value: Annotated[float, BeforeValidator(_parse_number)]
    value_max: Number = None
    unit: Literal[UNITS]  # type: ignore[valid-type]
    qualifier: Qualifier
    note: OptText = None
    indicator: Annotated[
        str | None, BeforeValidator(lambda v: _blank_to_none(v) and _check_id(v))
    ] = None
    form: OptForm = None

    @model_validator(mode="after")
    def _consistent(self) -> FigureRow:
        if self.year_end < self.year_start:
            raise ValueError(f"year_end {self.year_end} is before year_start {self.year_start}")
        if self.qualifier == "unknown":
            raise ValueError("a figure has a value, so its qualifier cannot be 'unknown'")
        if self.value < 0 and self.unit != "percent_change":
            raise ValueError(f"value {self.value:g} is negative (only a percent_change may be)")
        if self.value_max is not None and self.value_max < self.value:
            raise ValueError("value_max is below value")
        if self.unit == "percent" and self.value > 100:
            raise ValueError(f"share {self.value} % is over 100 (a change is unit percent_change)")
        return self


class EventRow(Cited):
    id: Id
    date_start: Date
    date_end: OptDate = None
    date_label: Text
    kind: Literal[EVENT_KINDS]  # type: ignore[valid-type]
    title: Text
    location_id: OptText = None
    iso3: Annotated[
        str | None, BeforeValidator(lambda v: _blank_to_none(v) and _check_scope(v))
    ] = None
    figure_ids: IdList = []
    note: OptText = None
    form: OptForm = None

    @model_validator(mode="after")
    def _consistent(self) -> EventRow:
        if self.date_end and self.date_end < self.date_start:
            raise ValueError(f"date_end {self.date_end} is before date_start {self.date_start}")
        if not self.location_id and not self.iso3:
            raise ValueError(f"an event needs a location_id or an iso3 (or {REGION_CODE})")
        return self


class IndicatorRow(Record):
    """A series of country figures that a choropleth may colour (one figure per country)."""

    id: Id
    label: Text
    unit: Literal[UNITS]  # type: ignore[valid-type]
    note: OptText = None


class AnchorRow(Record):
    """Where a flow starts or ends when a route names only a country: its capital."""

    iso3: Iso3
    place: Text
    lat: Annotated[float, Field(ge=-90, le=90)]
    lon: Annotated[float, Field(ge=-180, le=180)]
    coord_source: Text
    coord_url: OptText = None
    note: OptText = None


class HeadlineRow(Record):
    """One card of the headline band that opens the dashboard: figures shown together."""

    id: Id
    rank: Rank
    figure_ids: Annotated[IdList, Field(min_length=1)]
    label: Text
    note: OptText = None


class NoteRow(Record):
    id: Id
    refers_to: IdList = []
    kind: Literal["inconsistency", "caveat"]
    text: Text
    section: Text


MAX_TEXT = 20_000  # characters in one cell: the longest note is far shorter
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A tag or a character reference would be read as markup by the map's text renderer (a live
# link, a different text); names and notes have no use for them.
_MARKUP = re.compile(r"<\s*/?\s*[A-Za-z!?]|&(?:#\d+|#x[0-9A-Fa-f]+|[A-Za-z]+);")


def cell_problem(value: object) -> str | None:
    """Why a text cell is refused before its row is read, or None."""
    if not isinstance(value, str):
        return None
    if len(value) > MAX_TEXT:
        return f"text of {len(value):,} characters, over the {MAX_TEXT:,} limit"
    found = _CONTROL.search(value)
    if found:
        return f"contains a control character (U+{ord(found.group()):04X})"
    found = _MARKUP.search(value)
    if found:
        return f"contains markup ({found.group()!r}...); write plain text"
    return None


_ANY_BAD = re.compile(f"{_CONTROL.pattern}|{_MARKUP.pattern}")


def _distinct(values: np.ndarray) -> tuple[np.ndarray, list]:
    """(code per cell, distinct cells) of a column, so that each distinct cell is judged once."""
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
    except TypeError:  # unhashable cells (never from a file): each on its own
        return np.arange(len(values)), list(values)
    return codes, uniques.tolist()


def _suspect_cells(uniques: list) -> np.ndarray:
    """Per distinct cell, whether cell_problem may refuse it."""
    return np.array(
        [
            isinstance(u, str) and (len(u) > MAX_TEXT or _ANY_BAD.search(u) is not None)
            for u in uniques
        ],
        dtype=bool,
    )


def _suspect_rows(frame: pd.DataFrame) -> set[int]:
    """Row numbers with a cell cell_problem may refuse, found a column at a time and each
    distinct cell once (a row-by-row scan of a million rows costs seconds)."""
    suspect = np.zeros(len(frame), dtype=bool)
    for column in frame.columns:
        if column != ROW_COLUMN:
            codes, uniques = _distinct(frame[column].to_numpy(dtype=object))
            suspect |= _suspect_cells(uniques)[codes]
    return set(frame.loc[suspect, ROW_COLUMN].tolist())


def text_problems(node: object, where: str = "") -> list[tuple[str, str | None]]:
    """Each text in a YAML tree that a cell would be refused for, with its dotted path."""
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in text_problems(v, f"{where}.{k}".lstrip("."))]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in text_problems(v, f"{where}[{i}]")]
    return [(where, cell_problem(node))]


def validate_rows(
    frame: pd.DataFrame,
    model: type[Record],
    file: str,
    report: ValidationReport,
    fast: bool | None = None,
) -> pd.DataFrame:
    """Validate each row; return the accepted rows as typed records with their row number.

    A table of FAST_MIN_ROWS rows or more (or any table with `fast=True`) is checked a column
    at a time first (`_column_checks`): the rows every check passes are accepted with the
    values the model would give them, and only the other rows go through the model one by one,
    which says why each is refused. The outcome is the same either way (tests/geodata hold
    both paths to it).
    """
    if fast is None:
        fast = len(frame) >= FAST_MIN_ROWS
    checks = _CROSS_CHECKS.get(model)
    if fast and checks is not None and _decorators(model) == checks[0]:
        return _validate_columns(frame, model, file, report)
    accepted = [data for _, data in _validate_each(frame, model, file, report)]
    return typed_frame(accepted, model)


def _validate_each(
    frame: pd.DataFrame,
    model: type[Record],
    file: str,
    report: ValidationReport,
    positions: np.ndarray | None = None,
) -> list[tuple[int, dict]]:
    """The rows (at `positions`, default all) through the model one at a time: each accepted
    row's position and values, each refused row's problems in the report."""
    accepted: list[tuple[int, dict]] = []
    tally = report.tally(file)
    if positions is not None:
        frame = frame.iloc[positions]
    else:
        positions = np.arange(len(frame))
    columns = list(frame.columns)
    suspect = _suspect_rows(frame)
    for position, values in zip(
        positions.tolist(), zip(*(frame[c].tolist() for c in columns), strict=True), strict=True
    ):
        raw = dict(zip(columns, values, strict=True))
        row_no = raw.pop(ROW_COLUMN)
        if row_no in suspect:
            bad = [(column, cell_problem(v)) for column, v in raw.items()]
            bad = [(column, why) for column, why in bad if why]
            if bad:
                for column, why in bad:
                    report.add(Problem(file, row_no, column, why))
                tally.rejected += 1
                continue
        try:
            record = model.model_validate(raw)
        except (TypeError, ValueError) as exc:
            if not isinstance(exc, ValidationError):
                report.add(Problem(file, row_no, None, f"row cannot be read: {exc}"))
                tally.rejected += 1
                continue
            for err in exc.errors():
                column = ".".join(str(p) for p in err["loc"]) or None
                message = err["msg"].removeprefix("Value error, ")
                if err["type"] == "missing":
                    message = "value is required"
                elif err["type"] == "literal_error":
                    message = f"{raw.get(column)!r} is not allowed: {message}"
                elif err["type"] == "too_short":
                    message = "at least one value is needed"
                report.add(Problem(file, row_no, column, message))
            tally.rejected += 1
            continue
        data = record.model_dump()
        data[ROW_COLUMN] = row_no
        accepted.append((position, data))
    return accepted


# ---------------------------------------------------------------------------------------------
# The same outcome a column at a time

FAST_MIN_ROWS = 5_000
_ID_WHOLE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # fullmatch: an Id the model keeps as is


def _decorators(model: type[Record]) -> frozenset[str]:
    """Every validator and serializer on a model, by kind and name."""
    found = model.__pydantic_decorators__
    kinds = (
        "validators",
        "field_validators",
        "root_validators",
        "field_serializers",
        "model_serializers",
        "model_validators",
        "computed_fields",
    )
    return frozenset(f"{kind}.{name}" for kind in kinds for name in getattr(found, kind))


@functools.cache
def _adapter(model: type[Record], name: str) -> TypeAdapter:
    """One field of a model on its own: its type, its constraints and validators, the model's
    configuration (blank stripping)."""
    info = model.model_fields[name]
    kind = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
    return TypeAdapter(kind, config=model.model_config)


def _field_column(
    model: type[Record], name: str, cells: tuple[np.ndarray, list] | None, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """(passes, value the model gives it) per row for one field, each distinct cell validated
    once; a missing column is the field's default, validated where the model validates it."""
    adapter = _adapter(model, name)
    info = model.model_fields[name]
    if cells is None:
        if info.is_required():
            return np.zeros(n, dtype=bool), np.full(n, None, dtype=object)
        value = info.get_default(call_default_factory=True)
        if info.validate_default:
            try:
                value = adapter.validate_python(value)
            except (TypeError, ValueError):
                return np.zeros(n, dtype=bool), np.full(n, None, dtype=object)
        out = np.empty(n, dtype=object)
        out.fill(value)  # one object for every row (a list is copied per row at the end)
        return np.ones(n, dtype=bool), out
    codes, uniques = cells
    ok = np.zeros(len(uniques), dtype=bool)
    out = np.empty(len(uniques), dtype=object)
    plain_id = info.annotation is str and info.metadata == list(Id.__metadata__)
    for k, cell in enumerate(uniques):
        if cell is not None and type(cell) is not str:
            continue  # not a cell the reader gives: the model judges it, row by row
        if plain_id and _ID_WHOLE.fullmatch(cell):
            ok[k], out[k] = True, cell
            continue
        try:
            out[k] = adapter.validate_python(cell)
        except (TypeError, ValueError):
            continue
        ok[k] = True
    return ok[codes], out[codes]


def _numbers(values: np.ndarray, passes: np.ndarray, fill: float = 0.0) -> np.ndarray:
    """A column of numbers (None as NaN) as floats, `fill` where the row is refused already."""
    out = np.where(passes, values, fill)
    out[pd.isna(out)] = np.nan
    return out.astype(float)


def _route_rules(cols: dict[str, np.ndarray], passes: np.ndarray) -> np.ndarray:
    """RouteRow._one_end_at_least and RouteRow._consistent, a column at a time."""
    no_origin = pd.isna(cols["origin"]) | (np.where(passes, cols["origin"], "x") == "")
    no_destination = pd.isna(cols["destination"]) | (
        np.where(passes, cols["destination"], "x") == ""
    )
    start = _numbers(cols["year_start"], passes)
    end = _numbers(cols["year_end"], passes)
    no_count = pd.isna(cols["count"])
    unknown = cols["qualifier"] == "unknown"
    reported = cols["measure"] == "reported_route"
    return (
        (no_origin & no_destination)
        | (end < start)
        | (no_count & ~unknown)
        | (~no_count & unknown)
        | (reported & ~no_count)
    )


def _location_rules(cols: dict[str, np.ndarray], passes: np.ndarray) -> np.ndarray:
    """LocationRow._citation_follows_claim on source_id and section."""
    bad = np.zeros(len(passes), dtype=bool)
    for name in ("source_id", "section"):
        given = ~pd.isna(cols[name]) & (np.where(passes, cols[name], "x") != "")
        bad |= ((cols["claim"] == "report") & ~given) | ((cols["claim"] == "context") & given)
    return bad


def _source_rules(cols: dict[str, np.ndarray], passes: np.ndarray) -> np.ndarray:
    """SourceRow._url."""
    url = np.where(passes & ~pd.isna(cols["url"]), cols["url"], "")
    return np.array(
        [bool(u) and not u.startswith(("http://", "https://")) for u in url.tolist()], dtype=bool
    )


def _figure_rules(cols: dict[str, np.ndarray], passes: np.ndarray) -> np.ndarray:
    """FigureRow._consistent."""
    value = _numbers(cols["value"], passes)
    value_max = _numbers(cols["value_max"], passes)
    return (
        (_numbers(cols["year_end"], passes) < _numbers(cols["year_start"], passes))
        | (cols["qualifier"] == "unknown")
        | ((value < 0) & (cols["unit"] != "percent_change"))
        | (~np.isnan(value_max) & (value_max < value))
        | ((cols["unit"] == "percent") & (value > 100))
    )


def _event_rules(cols: dict[str, np.ndarray], passes: np.ndarray) -> np.ndarray:
    """EventRow._consistent."""
    start = np.where(passes, cols["date_start"], "").tolist()
    end = np.where(passes, cols["date_end"], None).tolist()
    late = np.array([bool(e) and e < s for s, e in zip(start, end, strict=True)], dtype=bool)
    where = [cols["location_id"], cols["iso3"]]
    given = [~pd.isna(c) & (np.where(passes, c, "x") != "") for c in where]
    return late | (~given[0] & ~given[1])


def _no_rules(cols: dict[str, np.ndarray], passes: np.ndarray) -> np.ndarray:
    return np.zeros(len(passes), dtype=bool)


# model -> (its validators, which the rules repeat; the rules). A model whose validators have
# changed since is validated row by row until its rules here are brought up to date.
_CROSS_CHECKS: dict[type[Record], tuple[frozenset[str], object]] = {
    RouteRow: (
        frozenset({"field_validators._one_end_at_least", "model_validators._consistent"}),
        _route_rules,
    ),
    LocationRow: (frozenset({"field_validators._citation_follows_claim"}), _location_rules),
    SourceRow: (frozenset({"model_validators._url"}), _source_rules),
    FigureRow: (frozenset({"model_validators._consistent"}), _figure_rules),
    EventRow: (frozenset({"model_validators._consistent"}), _event_rules),
    IndicatorRow: (frozenset(), _no_rules),
    AnchorRow: (frozenset(), _no_rules),
    HeadlineRow: (frozenset(), _no_rules),
    NoteRow: (frozenset(), _no_rules),
}


def _validate_columns(
    frame: pd.DataFrame, model: type[Record], file: str, report: ValidationReport
) -> pd.DataFrame:
    n = len(frame)
    passes = np.ones(n, dtype=bool)
    distinct: dict[str, tuple[np.ndarray, list]] = {}
    for column in frame.columns:  # a cell cell_problem may refuse: the row is judged alone
        if column != ROW_COLUMN:
            distinct[column] = codes, uniques = _distinct(frame[column].to_numpy(dtype=object))
            passes &= ~_suspect_cells(uniques)[codes]
    cols: dict[str, np.ndarray] = {}
    for name in model.model_fields:
        ok, cols[name] = _field_column(model, name, distinct.get(name), n)
        passes &= ok
    rules = _CROSS_CHECKS[model][1]
    passes &= ~rules(cols, passes)  # type: ignore[operator]
    slow = np.flatnonzero(~passes)
    for position, data in _validate_each(frame, model, file, report, slow):
        passes[position] = True
        for name in model.model_fields:
            cols[name][position] = data[name]
    columns = {name: values[passes] for name, values in cols.items()}
    for name, values in columns.items():
        if typing.get_origin(model.model_fields[name].annotation) is list:
            # a list of its own per row, as the model's (fromiter: lists never broadcast)
            columns[name] = np.fromiter((list(v) for v in values), dtype=object, count=len(values))
    columns[ROW_COLUMN] = frame[ROW_COLUMN].to_numpy(dtype=object)[passes]
    return _typed(pd.DataFrame(columns, columns=list(columns), dtype=object), model)


NUMERIC = {"lat", "lon", "year_start", "year_end", "count", "value", "value_max", "share_pct"}
INTEGER = {ROW_COLUMN, "rank"}


def typed_frame(rows: list[dict], model: type[Record]) -> pd.DataFrame:
    """Records as a frame: numbers as floats/ints, text and lists as objects with None for blank.

    (pandas would otherwise turn a missing text into NaN, which is neither None nor a string.)
    """
    columns = list(model.model_fields) + [ROW_COLUMN]
    return _typed(pd.DataFrame(rows, columns=columns, dtype=object), model)


def _typed(frame: pd.DataFrame, model: type[Record]) -> pd.DataFrame:
    for column in frame.columns:
        if column in NUMERIC:
            frame[column] = pd.to_numeric(frame[column])
        elif column in INTEGER or column.startswith("year"):
            frame[column] = frame[column].astype("int64")
    return frame
