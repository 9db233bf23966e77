"""Filters shared by the page, the downloads and the command line."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from geodata.countries import is_iso3
from geodata.schema import (
    DEFAULT_FORMS,
    DEFAULT_MOVEMENTS,
    FORMS,
    MEASURES,
    MOVEMENTS,
    YEAR_MAX,
    YEAR_MIN,
)

__all__ = [
    "DEFAULT_FORMS",
    "DEFAULT_MOVEMENTS",
    "FORMS",
    "MOVEMENTS",
    "FilterError",
    "Filters",
    "filter_events",
    "filter_figures",
    "filter_routes",
    "parse_codes",
    "parse_filters",
    "parse_forms",
    "parse_measure",
    "parse_movements",
    "parse_years",
]

YEAR_SPEC = re.compile(r"^\s*(\d{4})\s*(?:[-–:]\s*(\d{4}))?\s*$")


class FilterError(ValueError):
    """A filter value a user typed that cannot be used; the message says why."""


@dataclass(frozen=True)
class Filters:
    """What a user narrowed the records to. Empty means 'all'."""

    year_from: int | None = None
    year_to: int | None = None
    nationalities: tuple[str, ...] = ()  # ISO3 of the people counted
    origins: tuple[str, ...] = ()  # ISO3 of the route's origin country
    destinations: tuple[str, ...] = ()  # ISO3 of the route's destination country
    measure: str | None = None  # one measure; None keeps every measure
    # forms of exploitation (FORMS); a record whose form is not stated (None) is always kept
    forms: tuple[str, ...] = ()
    movements: tuple[str, ...] = ()  # kinds of route movement (MOVEMENTS)


def parse_years(text: str | None) -> tuple[int | None, int | None]:
    """'2023' -> (2023, 2023); '2022-2023' -> (2022, 2023); empty -> (None, None)."""
    if text is None or not str(text).strip():
        return None, None
    m = YEAR_SPEC.match(str(text))
    if not m:
        raise FilterError(f"year {text!r} is not a year (2023) or a range (2022-2023)")
    start = int(m.group(1))
    end = int(m.group(2) or start)
    for y in (start, end):
        if not YEAR_MIN <= y <= YEAR_MAX:
            raise FilterError(f"year {y} is out of range ({YEAR_MIN}–{YEAR_MAX})")
    if end < start:
        raise FilterError(f"year range {text!r} ends before it starts")
    return start, end


def parse_codes(text: str | Iterable[str] | None) -> tuple[str, ...]:
    """'IDN,VNM' -> ('IDN', 'VNM'); unknown codes are refused by name."""
    if text is None:
        return ()
    parts = text.split(",") if isinstance(text, str) else list(text)
    codes = tuple(dict.fromkeys(p.strip().upper() for p in parts if p and p.strip()))
    bad = [c for c in codes if not is_iso3(c)]
    if bad:
        raise FilterError(f"not ISO3 country codes: {', '.join(bad)}")
    return codes


def parse_measure(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    if text.strip() not in MEASURES:
        raise FilterError(f"measure {text!r} is not one of: {', '.join(MEASURES)}")
    return text.strip()


def _parse_choices(
    text: str | Iterable[str] | None, allowed: tuple[str, ...], what: str
) -> tuple[str, ...]:
    if text is None:
        return ()
    parts = text.split(",") if isinstance(text, str) else list(text)
    values = tuple(dict.fromkeys(p.strip().lower() for p in parts if p and p.strip()))
    bad = [v for v in values if v not in allowed]
    if bad:
        raise FilterError(f"unknown {what}: {', '.join(bad)} (allowed: {', '.join(allowed)})")
    return values


def parse_forms(text: str | Iterable[str] | None) -> tuple[str, ...]:
    """'forced_criminality,organ_removal' -> ('forced_criminality', 'organ_removal');
    empty -> () (every form); an unknown form is refused by name."""
    return _parse_choices(text, FORMS, "form(s) of exploitation")


def parse_movements(text: str | Iterable[str] | None) -> tuple[str, ...]:
    """'trafficking,return' -> ('trafficking', 'return'); empty -> () (every movement)."""
    return _parse_choices(text, MOVEMENTS, "movement(s)")


def parse_filters(
    year: str | None = None,
    nationality: str | None = None,
    origin: str | None = None,
    destination: str | None = None,
    measure: str | None = None,
    form: str | Iterable[str] | None = None,
    movement: str | Iterable[str] | None = None,
) -> Filters:
    start, end = parse_years(year)
    return Filters(
        start,
        end,
        parse_codes(nationality),
        parse_codes(origin),
        parse_codes(destination),
        parse_measure(measure),
        parse_forms(form),
        parse_movements(movement),
    )


def _overlaps(frame: pd.DataFrame, f: Filters) -> pd.Series:
    keep = pd.Series(True, index=frame.index)
    if f.year_from is not None:
        keep &= frame["year_end"] >= f.year_from
    if f.year_to is not None:
        keep &= frame["year_start"] <= f.year_to
    return keep


def _of_forms(frame: pd.DataFrame, forms: tuple[str, ...]) -> pd.Series:
    """Rows of one of the forms, and rows whose form is not stated: a user's records without
    forms are never hidden by a form filter."""
    if not forms or "form" not in frame.columns:
        return pd.Series(True, index=frame.index)
    return frame["form"].isna() | frame["form"].isin(forms)


def _of_movements(routes: pd.DataFrame, movements: tuple[str, ...]) -> pd.Series:
    if not movements or "movement" not in routes.columns:
        return pd.Series(True, index=routes.index)
    return routes["movement"].fillna("trafficking").isin(movements)


def filter_routes(routes: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Routes whose period overlaps the years, whose people have one of the nationalities, and
    of one of the forms (or of no stated form) and kinds of movement."""
    keep = _overlaps(routes, f)
    keep &= _of_forms(routes, f.forms)
    keep &= _of_movements(routes, f.movements)
    if f.nationalities:
        keep &= routes["nationality"].isin(f.nationalities)
    if f.origins:
        keep &= routes["origin_iso3"].isin(f.origins)
    if f.destinations:
        keep &= routes["destination_iso3"].isin(f.destinations)
    if f.measure:
        keep &= routes["measure"] == f.measure
    return routes.loc[keep]


def filter_figures(figures: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Figures whose period overlaps the years, that count people of those nationalities and are
    about one of the forms (or of no stated form)."""
    keep = _overlaps(figures, f)
    keep &= _of_forms(figures, f.forms)
    if f.nationalities:
        keep &= figures["nationality"].isin(f.nationalities)
    return figures.loc[keep]


def filter_events(events: pd.DataFrame, figures: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Events in the years, and (with country filters) in those countries or about their people
    (an event whose figures count people of those nationalities), about one of the forms (or of
    no stated form)."""
    years = events["date_start"].str[:4].astype(int)
    keep = _of_forms(events, f.forms)
    if f.year_from is not None:
        keep &= years >= f.year_from
    if f.year_to is not None:
        keep &= years <= f.year_to
    codes = set(f.nationalities) | set(f.origins) | set(f.destinations)
    if codes:
        nat = figures.set_index("id")["nationality"].to_dict()
        about = events["figure_ids"].map(lambda ids: any(nat.get(i) in codes for i in ids))
        keep &= events["country"].isin(codes) | about
    return events.loc[keep]
