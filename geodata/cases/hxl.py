"""Aggregated case flows as HXL-tagged CSV (HXL 1.1), the form the Humanitarian Data Exchange
reads: a row of column names, then a row of hashtags, then the data.

Withheld counts stay withheld: `#affected` is empty for them and `#affected+display` says
"<10" (or "withheld"). Text that a spreadsheet would run as a formula is neutralised.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from geodata.cases.flows import CaseFlows
from geodata.spreadsheet import defuse_formulas

# (column of the flows frame, header, HXL hashtag)
ROUTE_TAGS = [
    ("nationality", "Nationality (ISO3)", "#country+code+origin"),
    ("destination", "Country of exploitation (ISO3)", "#country+code+dest"),
    ("year_start", "Year", "#date+year"),
    ("measure", "Measure", "#indicator+name"),
    ("form", "Form of exploitation", "#meta+form"),
    ("exploitation", "Category in the dataset", "#meta+exploitation"),
    ("count", "Case records", "#affected"),
    ("count_display", "Case records as shown", "#affected+display"),
    ("suppressed", "Withheld (small-count protection)", "#meta+suppressed"),
    ("source", "Source", "#meta+source"),
    ("source_url", "Source address", "#meta+source+url"),
    ("note", "Note", "#description"),
]
TOTAL_TAGS = [
    ("scope", "Total over", "#meta+scope"),
    ("code", "Country (ISO3)", "#country+code"),
    ("year", "Year", "#date+year"),
    ("measure", "Measure", "#indicator+name"),
    ("count", "Case records", "#affected"),
    ("count_display", "Case records as shown", "#affected+display"),
    ("suppressed", "Withheld (small-count protection)", "#meta+suppressed"),
    ("source", "Source", "#meta+source"),
    ("source_url", "Source address", "#meta+source+url"),
    ("note", "Note", "#description"),
]
TABLES = ("routes", "by_form", "totals")


def hxl_frame(flows: CaseFlows, table: str = "routes") -> pd.DataFrame:
    """One of the tables (routes, by_form, totals) with HXL's two header rows: the column
    names are the headers, the first row the hashtags."""
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; one of {', '.join(TABLES)}")
    frame = flows.tables()[table]
    tags = TOTAL_TAGS if table == "totals" else ROUTE_TAGS
    src = flows.sources.iloc[0]
    label = f"{src['publisher']}, {src['title']}" + (f" ({src['date']})" if src["date"] else "")
    data = frame.assign(
        source=label,
        source_url=src["url"] or "",
        suppressed=frame["suppressed"].map({True: "yes", False: "no"}),
        count=frame["count"].astype(object).where(frame["count"].notna(), ""),
    )
    body = pd.DataFrame({header: data[column].to_numpy() for column, header, _ in tags})
    body = body.astype(object).where(body.notna(), "")
    tag_row = pd.DataFrame([[tag for _, _, tag in tags]], columns=body.columns)
    return pd.concat([tag_row, defuse_formulas(body)], ignore_index=True)


def to_hxl_csv(flows: CaseFlows, table: str = "routes") -> str:
    """The table as HXL-tagged CSV text."""
    out = io.StringIO()
    hxl_frame(flows, table).to_csv(out, index=False, lineterminator="\n")
    return out.getvalue()


def write_hxl(flows: CaseFlows, path: Path | str, table: str = "routes") -> Path:
    """Write the table as HXL-tagged CSV (UTF-8) to `path`."""
    path = Path(path)
    path.write_text(to_hxl_csv(flows, table), encoding="utf-8")
    return path
