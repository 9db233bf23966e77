"""HXL-tagged CSV (HXL 1.1), the form the Humanitarian Data Exchange reads: a row of column
names, then a row of hashtags, then the data. The one writer of every HXL file the project
makes: the record downloads (routes, figures, locations, case_flows: `hxl_table`) and the
aggregated case flows of a case-level file (`hxl_frame`, `to_hxl_csv`, `write_hxl`).

Withheld counts stay withheld whatever the caller passes: on a row marked `suppressed`, every
column tagged `#affected` (but `#affected+display`) is left empty, and `#affected+display`
says "<10" (or "withheld"), never the number. Text a spreadsheet would run as a formula is
defused (`geodata.spreadsheet.defuse_formulas`).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from geodata.spreadsheet import defuse_formulas

if TYPE_CHECKING:  # geodata.cases imports this module: no import of it at run time
    from geodata.cases.flows import CaseFlows

# the hashtag of each column of the record downloads; a column without one is left untagged
RECORD_TAGS = {
    "id": "#meta+id",
    "nationality": "#country+code+nationality",
    "nationality_name": "#country+name+nationality",
    "origin_iso3": "#country+code+origin",
    "destination_iso3": "#country+code+dest",
    "path": "#meta+route",
    "year": "#date+year",
    "year_start": "#date+start",
    "year_end": "#date+end",
    "period": "#date+period",
    "movement": "#meta+movement",
    "form": "#meta+form",
    "measure": "#indicator+name",
    "count": "#affected",
    "count_display": "#affected+display",
    "suppressed": "#meta+suppressed",
    "qualifier": "#meta+qualifier",
    "share_pct": "#affected+pct",
    "label": "#indicator+label",
    "scope": "#country+code",
    "scope_name": "#country+name",
    "value": "#affected",
    "value_max": "#affected+max",
    "unit": "#meta+unit",
    "indicator": "#indicator+code",
    "source_id": "#meta+source+id",
    "section": "#meta+source+section",
    "note": "#description",
    "source_title": "#meta+source",
    "source_publisher": "#org+source",
    "source_date": "#date+source",
    "source_url": "#meta+source+url",
}
# case flows run from the people's nationality to the country of exploitation; their totals
# say in `scope` what they are a total over, and name the country in `code`
CASE_TAGS = RECORD_TAGS | {
    "nationality": "#country+code+origin",
    "nationality_name": "#country+name+origin",
    "destination": "#country+code+dest",
    "destination_name": "#country+name+dest",
    "exploitation": "#meta+exploitation",
    "scope": "#meta+scope",
    "code": "#country+code",
    "source": "#meta+source",
}
DISPLAY = "count_display"
WITHHELD = "withheld"

# the aggregated case flows written on their own (`write_hxl`): columns and readable headers
CASE_HEADERS = {
    "scope": "Total over",
    "code": "Country (ISO3)",
    "nationality": "Nationality (ISO3)",
    "destination": "Country of exploitation (ISO3)",
    "year": "Year",
    "measure": "Measure",
    "form": "Form of exploitation",
    "exploitation": "Category in the dataset",
    "count": "Case records",
    "count_display": "Case records as shown",
    "suppressed": "Withheld (small-count protection)",
    "source": "Source",
    "source_url": "Source address",
    "note": "Note",
}
_FLOW_COLUMNS = ["nationality", "destination", "year", "measure", "form", "exploitation"]
_SHARED = ["count", "count_display", "suppressed", "source", "source_url", "note"]
CASE_TABLE_COLUMNS = {
    "routes": _FLOW_COLUMNS + _SHARED,
    "by_form": _FLOW_COLUMNS + _SHARED,
    "totals": ["scope", "code", "year", "measure"] + _SHARED,
}
TABLES = tuple(CASE_TABLE_COLUMNS)


def _withheld(frame: pd.DataFrame) -> pd.Series:
    """True on rows marked suppressed (a bool, or the words a CSV gives back)."""
    if "suppressed" not in frame.columns:
        return pd.Series(False, index=frame.index)
    return frame["suppressed"].map(lambda v: str(v).lower() in ("true", "yes", "1"))


def hxl_table(
    frame: pd.DataFrame,
    tags: dict[str, str] = RECORD_TAGS,
    headers: dict[str, str] | None = None,
) -> pd.DataFrame:
    """`frame` with HXL's hashtag row under its column names (renamed by `headers` where it
    names them), withheld counts emptied, formulas defused."""
    hidden = _withheld(frame).to_numpy(dtype=bool)
    body = frame.astype(object).where(frame.notna(), "")
    for column in body.columns:
        tag = tags.get(column, "")
        if tag.startswith("#affected") and "+display" not in tag:
            body.loc[hidden, column] = ""
    if DISPLAY in body.columns:
        shown = body[DISPLAY].astype(str)
        # a withheld row whose display is empty or a number says only that it is withheld
        unsafe = hidden & ~shown.str.startswith(("<", WITHHELD)).to_numpy(dtype=bool)
        body.loc[unsafe, DISPLAY] = WITHHELD
    if "suppressed" in body.columns:
        body["suppressed"] = pd.Series(hidden, index=body.index).map({True: "yes", False: "no"})
        body.loc[frame["suppressed"].isna().to_numpy(dtype=bool), "suppressed"] = ""
    tag_row = [tags.get(c, "") for c in body.columns]
    body = defuse_formulas(body)
    if headers:
        body = body.rename(columns=headers)
    return pd.concat([pd.DataFrame([tag_row], columns=body.columns), body], ignore_index=True)


def hxl_csv(
    frame: pd.DataFrame,
    tags: dict[str, str] = RECORD_TAGS,
    headers: dict[str, str] | None = None,
) -> str:
    """`hxl_table` as CSV text."""
    out = io.StringIO()
    hxl_table(frame, tags, headers).to_csv(out, index=False, lineterminator="\n")
    return out.getvalue()


def case_table(flows: CaseFlows, table: str = "routes") -> pd.DataFrame:
    """One of the aggregated tables (routes, by_form, totals) with its source named on every
    row, in the columns `write_hxl` writes."""
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; one of {', '.join(TABLES)}")
    frame = flows.tables()[table].rename(columns={"year_start": "year"})
    src = flows.sources.iloc[0]
    label = f"{src['publisher']}, {src['title']}" + (f" ({src['date']})" if src["date"] else "")
    data = frame.assign(source=label, source_url=src["url"] or "")
    return data[CASE_TABLE_COLUMNS[table]]


def hxl_frame(flows: CaseFlows, table: str = "routes") -> pd.DataFrame:
    """One of the case tables with HXL's two header rows: the readable headers are the column
    names, the first row the hashtags."""
    return hxl_table(case_table(flows, table), CASE_TAGS, CASE_HEADERS)


def to_hxl_csv(flows: CaseFlows, table: str = "routes") -> str:
    """The case table as HXL-tagged CSV text."""
    return hxl_csv(case_table(flows, table), CASE_TAGS, CASE_HEADERS)


def write_hxl(flows: CaseFlows, path: Path | str, table: str = "routes") -> Path:
    """Write the case table as HXL-tagged CSV (UTF-8) to `path`."""
    path = Path(path)
    path.write_text(to_hxl_csv(flows, table), encoding="utf-8")
    return path
