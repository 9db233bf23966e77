"""Text cells a spreadsheet would run as a formula, neutralised before a CSV leaves the app
(the record downloads, the HXL files and the case outputs all use this one)."""

from __future__ import annotations

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: object) -> object:
    """A text starting with = + - @ tab or CR gets a leading apostrophe; other values pass."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def defuse_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every text cell defused; numbers (even negative) stay numbers."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or str(out[column].dtype).startswith("str"):
            out[column] = out[column].map(defuse)
    return out
