"""Words the dashboard shows for codes in the records: one place for each label."""

from __future__ import annotations

import math

MEASURE_LABELS = {
    "rescued": "rescued",
    "released": "released",
    "identified_victims": "identified as victims",
    "assisted": "assisted",
    "repatriated": "repatriated",
    "returned": "returned",
    "intercepted": "intercepted",
    "estimated_present": "estimated present",
    "deported": "deported",
    "apprehended": "apprehended",
    "trafficked": "trafficked",
    "caseload": "caseload",
    "referred": "referred",
    "trained": "trained",
    "reported_route": "route reported, no count",
}
QUALIFIER_WORDS = {"exact": "", "at_least": "at least ", "about": "about ", "unknown": ""}


def measure_label(measure: str | None) -> str:
    return MEASURE_LABELS.get(measure or "", measure or "")


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")


def format_count(count: object, qualifier: str) -> str:
    """'at least 3,000', 'about 120,000', or 'number not stated' for a route with no count."""
    if is_missing(count):
        return "number not stated"
    return f"{QUALIFIER_WORDS.get(qualifier, '')}{format_number(float(count))}"


def format_value(value: float, unit: str, qualifier: str, value_max: object = None) -> str:
    number = format_number(value)
    if not is_missing(value_max):
        number = f"{number}–{format_number(float(value_max))}"
    prefix = QUALIFIER_WORDS.get(qualifier, "")
    if unit == "percent":
        return f"{prefix}{number} %"
    if unit == "percent_change":
        return f"{prefix}{'+' if value >= 0 else ''}{number} %"
    if unit == "ratio":
        return f"{prefix}×{number}"
    if unit == "usd":
        return f"{prefix}USD {number}"
    if unit == "idr":
        return f"{prefix}IDR {number}"
    return f"{prefix}{number}"


def period_label(year_start: int, year_end: int, period: object = None) -> str:
    if isinstance(period, str) and period:
        return period
    return str(year_start) if year_start == year_end else f"{year_start}–{year_end}"
