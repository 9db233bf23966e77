"""Case records aggregated to flows: nationality -> country of exploitation, by year.

The measure is `case_records` (how many case records a dataset holds for that flow and year): a
measure of its own, never added to the report's rescued, identified or repatriated counts. The
frames are shaped like the route records (`geodata/records/routes.csv`: origin is the
nationality, destination the country of exploitation, no transit; origin is left empty where
the two are the same country, so exploitation at home is a figure at that country, not a
line), so the map can draw them as routes, plus `exploitation`, `count_display` and
`suppressed` columns. Every count is protected against small-count disclosure before it
leaves this module (see `suppression`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from geodata.cases.readers import EXPLOITATIONS, LAYOUTS
from geodata.cases.suppression import DEFAULT_THRESHOLD, check_threshold, display, protect

CASE_MEASURE = "case_records"
ROUTE_COLUMNS = [
    "id",
    "nationality",
    "origin",
    "transit",
    "destination",
    "year_start",
    "year_end",
    "period",
    "measure",
    "count",
    "qualifier",
    "share_pct",
    "source_id",
    "section",
    "note",
    "form",
    "movement",
    "exploitation",
    "count_display",
    "suppressed",
]
TOTAL_COLUMNS = [
    "id",
    "scope",
    "code",
    "year",
    "measure",
    "count",
    "count_display",
    "suppressed",
    "source_id",
    "note",
]
SOURCE_COLUMNS = ["id", "title", "publisher", "date", "url", "note"]

# the project's form vocabulary (geodata.schema.FORMS) for each of the dataset's categories;
# None where no one form fits (several flags, or none)
FORM_OF = {
    "forced_labour": "other",
    "sexual_exploitation": "sexual_exploitation",
    "other_exploitation": "other",
    "organ_removal": "organ_removal",
    "multiple": None,
    "not_stated": None,
}
EXPLOITATION_WORDS = {
    "forced_labour": "forced labour (not forced criminality: the dataset cannot tell them apart)",
    "sexual_exploitation": "sexual exploitation",
    "other_exploitation": "another form of exploitation (not forced labour, sexual exploitation "
    "or organ removal: in CTDC's 2020 data also forced marriage, forced military service, "
    "slavery and similar practices)",
    "organ_removal": "organ removal",
    "multiple": "more than one form of exploitation",
    "not_stated": "no form of exploitation stated",
}


@dataclass(frozen=True)
class CaseSource:
    """The dataset the counts come from, as a row of sources.csv."""

    id: str
    title: str
    publisher: str
    date: str
    url: str | None = None
    note: str | None = None


CTDC_URL = "https://www.ctdatacollaborative.org/"
SOURCES = {
    "ctdc2024": CaseSource(
        "ctdc-2024-synthetic",
        "CTDC global synthetic dataset",
        "Counter Trafficking Data Collaborative (IOM)",
        "2024",
        CTDC_URL,
        "Synthetic records generated from CTDC's case data so that no real person is in them; "
        "counts describe the synthetic records.",
    ),
    "ctdc2020": CaseSource(
        "ctdc-2020-global",
        "CTDC global dataset (14 April 2020)",
        "Counter Trafficking Data Collaborative (IOM)",
        "2020-04-14",
        CTDC_URL,
        "Case records k-anonymised by CTDC (k = 11) before release.",
    ),
    "htcds": CaseSource(
        "htcds-case-records",
        "Case records in the Human Trafficking Case Data Standard layout",
        "Not stated",
        "",
        None,
        "A user's case records; name their source when aggregating.",
    ),
}
NO_FORCED_CRIMINALITY = {
    "ctdc2024": "CTDC has no forced-criminality flag: these counts cover every form of "
    "exploitation and do not say who was held in a scam centre.",
    "ctdc2020": "CTDC has no forced-criminality flag: these counts cover every form of "
    "exploitation and do not say who was held in a scam centre.",
    "htcds": "HTCDS has no forced-criminality type of exploitation: these counts cover every "
    "form and do not say who was held in a scam centre.",
}


@dataclass
class CaseFlows:
    """Aggregated, protected tables from one case-level dataset.

    - `routes`: one row per nationality -> country of exploitation and year, every form
      together (`form` all_forms): what the map draws.
    - `by_form`: the same flows split by the dataset's exploitation category (one per case).
    - `totals`: case records per nationality and year, per country of exploitation and year,
      and per year (`scope` nationality / destination / year), over the flows drawn.
    - `sources`: the dataset, one row shaped like sources.csv.
    Withheld counts are None (`suppressed` true; `count_display` '<10', or 'withheld' for a
    count of 10 or more hidden so that a smaller one cannot be worked out).
    """

    routes: pd.DataFrame
    by_form: pd.DataFrame
    totals: pd.DataFrame
    sources: pd.DataFrame
    threshold: int
    format: str

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"routes": self.routes, "by_form": self.by_form, "totals": self.totals}


def _fields(fmt: str) -> str:
    layout = LAYOUTS[fmt]
    names = [layout.year[0], layout.nationality[0], layout.country[0]]
    return "Case records: " + ", ".join(names)


def aggregate_cases(
    cases: pd.DataFrame,
    fmt: str | None = None,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    source: CaseSource | None = None,
) -> CaseFlows:
    """Flows, their split by form of exploitation and their totals from `read_cases` output.

    Only rows that state both the nationality and the country of exploitation are counted
    (the others cannot be drawn). `threshold` (at least 5; ValueError below) sets the smallest
    count shown. `source` names the dataset; by default the layout's own (for an HTCDS file,
    pass the organisation's)."""
    threshold = check_threshold(threshold)
    fmt = fmt or cases.attrs.get("format")
    if fmt not in LAYOUTS:
        raise ValueError(f"unknown case layout {fmt!r}; read the file with read_cases first")
    source = source or SOURCES[fmt]
    if not source.date and len(cases):
        source = CaseSource(**{**asdict(source), "date": str(int(cases["year"].max()))})
    placed = cases.loc[cases["nationality"].notna() & cases["country_of_exploitation"].notna()]
    keys = ["year", "nationality", "country_of_exploitation", "exploitation"]
    parts = (
        placed.groupby(keys, sort=True, observed=True)
        .size()
        .rename("count")
        .reset_index()
        .rename(columns={"country_of_exploitation": "destination"})
    )
    flows = parts.groupby(["year", "nationality", "destination"], sort=True)["count"].sum()
    flows = flows.reset_index()
    nat = flows.groupby(["year", "nationality"], sort=True)["count"].sum().reset_index()
    dest = flows.groupby(["year", "destination"], sort=True)["count"].sum().reset_index()
    year = flows.groupby("year", sort=True)["count"].sum().reset_index()

    hidden, primary = _protect_tables(parts, flows, nat, dest, year, threshold)
    note = NO_FORCED_CRIMINALITY[fmt]
    section = _fields(fmt)
    routes = _route_frame(flows, None, hidden[1], primary[1], threshold, source, section, note)
    by_form = _route_frame(parts, "x", hidden[0], primary[0], threshold, source, section, note)
    totals = _total_frame(nat, dest, year, hidden[2:], primary[2:], threshold, source, note)
    sources = pd.DataFrame([asdict(source)], columns=SOURCE_COLUMNS)
    return CaseFlows(routes, by_form, totals, sources, threshold, fmt)


def _protect_tables(
    parts: pd.DataFrame,
    flows: pd.DataFrame,
    nat: pd.DataFrame,
    dest: pd.DataFrame,
    year: pd.DataFrame,
    threshold: int,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Each published cell as an edge of the year's network (see `suppression`):
    year total B->ROOT, nationality total ROOT->R(n), flow R(n)->M(n,d), category M(n,d)->C(d),
    destination total C(d)->B."""
    vertex: dict[tuple, int] = {}

    def ids(*columns: list) -> np.ndarray:
        return np.array([vertex.setdefault(k, len(vertex)) for k in zip(*columns)], dtype=np.int64)

    def col(frame: pd.DataFrame, name: str) -> list:
        return frame[name].tolist()

    def flow_key(frame: pd.DataFrame) -> np.ndarray:
        return ids(
            tag(frame, "M"),
            col(frame, "year"),
            col(frame, "nationality"),
            col(frame, "destination"),
        )

    def tag(frame: pd.DataFrame, label: str) -> list:
        return [label] * len(frame)

    edges = [
        (  # categories: M(y, n, d) -> C(y, d)
            flow_key(parts),
            ids(tag(parts, "C"), col(parts, "year"), col(parts, "destination"), tag(parts, "")),
            parts["count"].to_numpy(),
        ),
        (  # flows: R(y, n) -> M(y, n, d)
            ids(tag(flows, "R"), col(flows, "year"), col(flows, "nationality"), tag(flows, "")),
            flow_key(flows),
            flows["count"].to_numpy(),
        ),
        (  # nationality totals: ROOT(y) -> R(y, n)
            ids(tag(nat, "ROOT"), col(nat, "year"), tag(nat, ""), tag(nat, "")),
            ids(tag(nat, "R"), col(nat, "year"), col(nat, "nationality"), tag(nat, "")),
            nat["count"].to_numpy(),
        ),
        (  # destination totals: C(y, d) -> B(y)
            ids(tag(dest, "C"), col(dest, "year"), col(dest, "destination"), tag(dest, "")),
            ids(tag(dest, "B"), col(dest, "year"), tag(dest, ""), tag(dest, "")),
            dest["count"].to_numpy(),
        ),
        (  # year totals: B(y) -> ROOT(y)
            ids(tag(year, "B"), col(year, "year"), tag(year, ""), tag(year, "")),
            ids(tag(year, "ROOT"), col(year, "year"), tag(year, ""), tag(year, "")),
            year["count"].to_numpy(),
        ),
    ]  # fmt: skip
    u = np.concatenate([e[0] for e in edges])
    v = np.concatenate([e[1] for e in edges])
    count = np.concatenate([e[2] for e in edges]).astype(np.int64)
    hidden, primary = protect(u, v, count, threshold)
    bounds = np.cumsum([0] + [len(e[2]) for e in edges])
    split = [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:])]
    return [hidden[s] for s in split], [primary[s] for s in split]


def _shown(
    counts: pd.Series, hidden: np.ndarray, primary: np.ndarray, threshold: int
) -> tuple[pd.array, list[str]]:
    values = counts.to_numpy(dtype=np.int64)
    shown = pd.array(np.where(hidden, 0, values), dtype="Int64")
    shown[hidden] = pd.NA
    words = [
        display(int(c), bool(h), bool(p), threshold) for c, h, p in zip(values, hidden, primary)
    ]
    return shown, words


def _route_frame(
    frame: pd.DataFrame,
    split: str | None,
    hidden: np.ndarray,
    primary: np.ndarray,
    threshold: int,
    source: CaseSource,
    section: str,
    note: str,
) -> pd.DataFrame:
    n = len(frame)
    years = frame["year"].astype("int64")
    nationality = frame["nationality"].astype(object)
    destination = frame["destination"].astype(object)
    ident = source.id + "-" + nationality.str.lower() + "-" + destination.str.lower()
    ident = ident + "-" + years.astype(str)
    if split:
        exploitation = frame["exploitation"].astype(object)
        ident = ident + "-" + exploitation.str.replace("_", "-")
        forms = exploitation.map(FORM_OF)
        notes = "Case records with " + exploitation.map(EXPLOITATION_WORDS) + ". " + note
    else:
        exploitation = pd.Series(["all"] * n, dtype=object)
        forms = pd.Series(["all_forms"] * n, dtype=object)
        notes = pd.Series([note] * n, dtype=object)
    shown, words = _shown(frame["count"], hidden, primary, threshold)
    # exploited in their own country: a figure at that country, not a line (origin left empty)
    domestic = (nationality == destination).to_numpy(dtype=bool)
    notes = pd.Series(
        np.where(domestic, "Exploited in their own country. " + notes.astype(str), notes),
        dtype=object,
    )
    out = pd.DataFrame(
        {
            "id": ident.to_numpy(dtype=object),
            "nationality": nationality.to_numpy(),
            "origin": np.where(domestic, None, nationality.to_numpy(dtype=object)),
            "transit": [[] for _ in range(n)],
            "destination": destination.to_numpy(),
            "year_start": years.to_numpy(),
            "year_end": years.to_numpy(),
            "period": pd.Series([None] * n, dtype=object),
            "measure": CASE_MEASURE,
            "count": shown,
            "qualifier": np.where(hidden, "unknown", "exact"),
            "share_pct": np.nan,
            "source_id": source.id,
            "section": section,
            "note": notes.to_numpy(dtype=object),
            "form": pd.Series(forms.to_numpy(dtype=object), dtype=object),
            "movement": "trafficking",
            "exploitation": exploitation.to_numpy(dtype=object),
            "count_display": np.array(words, dtype=object),
            "suppressed": hidden.astype(bool),
        },
        columns=ROUTE_COLUMNS,
    )
    return out


def _total_frame(
    nat: pd.DataFrame,
    dest: pd.DataFrame,
    year: pd.DataFrame,
    hidden: list[np.ndarray],
    primary: list[np.ndarray],
    threshold: int,
    source: CaseSource,
    note: str,
) -> pd.DataFrame:
    pieces = []
    for scope, frame, code, h, p in (
        ("nationality", nat, "nationality", hidden[0], primary[0]),
        ("destination", dest, "destination", hidden[1], primary[1]),
        ("year", year, None, hidden[2], primary[2]),
    ):
        codes = frame[code].astype(object) if code else pd.Series([None] * len(frame), dtype=object)
        years = frame["year"].astype("int64")
        shown, words = _shown(frame["count"], h, p, threshold)
        label = codes.fillna("all").str.lower()
        pieces.append(
            pd.DataFrame(
                {
                    "id": (
                        f"{source.id}-total-{scope}-" + label + "-" + years.astype(str)
                    ).to_numpy(dtype=object),
                    "scope": scope,
                    "code": codes.to_numpy(dtype=object),
                    "year": years.to_numpy(),
                    "measure": CASE_MEASURE,
                    "count": shown,
                    "count_display": np.array(words, dtype=object),
                    "suppressed": h.astype(bool),
                    "source_id": source.id,
                    "note": note,
                },
                columns=TOTAL_COLUMNS,
            )
        )
    out = pd.concat(pieces, ignore_index=True)
    out["count"] = out["count"].astype("Int64")
    return out


__all__ = ["CASE_MEASURE", "CaseFlows", "CaseSource", "EXPLOITATIONS", "aggregate_cases"]
