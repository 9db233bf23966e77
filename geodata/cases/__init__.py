"""Case-level data brought by a user: readers, flows, small-count protection and HXL output.

cases, report = read_cases(path)            # or validate_cases(path, fmt)
flows = aggregate_cases(cases)              # routes, by_form, totals, sources; protected
write_hxl(flows, "flows-hxl.csv")           # for the Humanitarian Data Exchange
"""

from geodata.cases.flows import CASE_MEASURE, CaseFlows, CaseSource, aggregate_cases
from geodata.cases.readers import (
    CASE_COLUMNS,
    EXPLOITATIONS,
    FORMATS,
    HTCDS_COLUMNS,
    detect_format,
    read_cases,
    validate_cases,
)
from geodata.cases.suppression import (
    DEFAULT_THRESHOLD,
    MIN_THRESHOLD,
    disclosure_problems,
    recoverable_cells,
)
from geodata.hxl import hxl_frame, to_hxl_csv, write_hxl

__all__ = [
    "CASE_COLUMNS",
    "CASE_MEASURE",
    "DEFAULT_THRESHOLD",
    "EXPLOITATIONS",
    "FORMATS",
    "HTCDS_COLUMNS",
    "MIN_THRESHOLD",
    "CaseFlows",
    "CaseSource",
    "aggregate_cases",
    "detect_format",
    "disclosure_problems",
    "hxl_frame",
    "read_cases",
    "recoverable_cells",
    "to_hxl_csv",
    "validate_cases",
    "write_hxl",
]
