"""Case-level data brought by a user: readers, flows, small-count protection and HXL output."""

from geodata.cases.readers import (
    CASE_COLUMNS,
    EXPLOITATIONS,
    FORMATS,
    detect_format,
    read_cases,
    validate_cases,
)

__all__ = [
    "CASE_COLUMNS",
    "EXPLOITATIONS",
    "FORMATS",
    "detect_format",
    "read_cases",
    "validate_cases",
]
