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
    "case_records": "case records",
}
QUALIFIER_WORDS = {"exact": "", "at_least": "at least ", "about": "about ", "unknown": ""}
QUALIFIER_LABELS = {"exact": "exact", "at_least": "at least", "about": "about", "unknown": ""}
FORM_LABELS = {
    "forced_criminality": "Forced criminality in scam centres",
    "organ_removal": "Organ removal",
    "sexual_exploitation": "Sexual exploitation",
    "other": "Other forms",
    "all_forms": "All forms together (not split by form)",
}
MOVEMENT_LABELS = {
    "trafficking": "Trafficking routes",
    "return": "Returns, repatriations and deportations",
    "other": "Movements not called trafficking",
}
MONTH_SHORT = {
    "January": "Jan",
    "February": "Feb",
    "March": "Mar",
    "April": "Apr",
    "June": "Jun",
    "July": "Jul",
    "August": "Aug",
    "September": "Sep",
    "October": "Oct",
    "November": "Nov",
    "December": "Dec",
}


def measure_label(measure: str | None) -> str:
    return MEASURE_LABELS.get(measure or "", measure or "")


def counted(measure: str | None) -> str:
    """What a count counts: 'people rescued', or 'case records' (records, not people)."""
    if measure == "case_records":
        return "case records"
    return f"people {measure_label(measure)}"


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")


def withheld(record: object) -> str | None:
    """What is printed for a count withheld by small-count protection ('<10'), or None for a
    count that is shown or not stated. `record` is a row (itertuples, Series or dict)."""
    if hasattr(record, "get"):
        suppressed, display = record.get("suppressed"), record.get("count_display")
    else:
        suppressed = getattr(record, "suppressed", None)
        display = getattr(record, "count_display", None)
    if suppressed is True or (suppressed is not None and suppressed == suppressed and suppressed):
        return display if isinstance(display, str) and display else "withheld"
    return None


def format_count(count: object, qualifier: str, display: str | None = None) -> str:
    """'at least 3,000', 'about 120,000', or 'number not stated' for a route with no count;
    `display` ('<10') for a count withheld by small-count protection."""
    if is_missing(count):
        return display or "number not stated"
    return f"{QUALIFIER_WORDS.get(qualifier, '')}{format_number(float(count))}"


def short_count(count: object, qualifier: str, display: str | None = None) -> str:
    """'600+', '~120,000', '437': the compact form printed beside a route or place ('<10' for a
    withheld count)."""
    if is_missing(count):
        return display or ""
    number = format_number(float(count))
    if qualifier == "at_least":
        return number + "+"
    if qualifier == "about":
        return "~" + number
    return number


def short_period(year_start: int, year_end: int, period: object = None) -> str:
    """'H1 2023', 'Jan–Nov 2023', 'May 2023', 'since 2022': a period short enough for a label."""
    text = period if isinstance(period, str) and period else ""
    if not text:
        return str(year_start) if year_start == year_end else f"{year_start}–{year_end}"
    text = text.replace("first half of ", "H1 ").replace("second half of ", "H2 ")
    text = text.replace("January to November", "Jan–Nov").replace(" to ", "–")
    for month, short in MONTH_SHORT.items():
        text = text.replace(month, short)
    if not any(str(y) in text for y in range(int(year_start), int(year_end) + 1)):
        text = f"{text} {year_end}" if year_start == year_end else f"{text} {year_start}–{year_end}"
    return text


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


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
