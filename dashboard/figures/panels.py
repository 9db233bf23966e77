"""The country profile and the regional overview: data dicts and their two small charts.

Pure functions of the dataset and the filters. Every number shown comes from a record looked up
by id; a missing record raises KeyError naming the id rather than showing a gap or a typed-in
value. Counts of different measures sit side by side and are never added together.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go

from dashboard.text import (
    format_count,
    format_value,
    is_missing,
    measure_label,
    period_label,
    withheld,
)
from geodata.countries import country_name
from geodata.dataset import Dataset, readable_date
from geodata.filters import Filters, filter_figures, filter_routes

# profiles.yaml is read from this report (its header says so); it names no source of its own.
PROFILE_SOURCE_ID = "iom-2024-sitrep"

# The regional figures the overview shows, grouped under a heading each (ids of figures.csv).
OVERVIEW_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "caseload",
        "IOM caseload of trafficking for forced criminality",
        # the report's 'X4,7' is not a card: it contradicts these two counts; its note is shown
        ("reg-caseload-2022", "reg-caseload-2023"),
    ),
    (
        "vot-share",
        "Share of IOM's victim caseload linked to scam centres in Southeast Asia",
        ("reg-fc-share-of-vot-caseload-2022", "reg-fc-share-of-vot-caseload-2023"),
    ),
    (
        "victims",
        "Who the victims are",
        (
            "reg-male-share-2023",
            "reg-female-share-2023",
            "reg-age-18-35-share",
            "reg-secondary-education-share",
            "reg-higher-education-share",
        ),
    ),
    (
        "changes",
        "Changes in proportions since 2022",
        (
            "reg-gov-referral-share-change-2023",
            "reg-ngo-referral-share-change-2023",
            "reg-male-share-change-2023",
        ),
    ),
)
# A second record shown small on a card (a share's count); never combined with the first.
CARD_DETAILS = {
    "reg-male-share-2023": "reg-male-count-2023",
    "reg-female-share-2023": "reg-female-count-2023",
}
CASELOAD_IDS = ("reg-caseload-2022", "reg-caseload-2023")
SEX_SPLIT_IDS = (
    ("Male", "reg-male-share-2023", "reg-male-count-2023"),
    ("Female", "reg-female-share-2023", "reg-female-count-2023"),
)

# Okabe–Ito colour-blind-safe palette (as dashboard/figures.py).
BAR_COLOUR = "#0072B2"
SEX_COLOURS = {"Male": "#0072B2", "Female": "#E69F00"}
INK = "#1a1a1a"
MUTED = "#4a4a4a"
FONT = {"family": "DejaVu Sans, Segoe UI, Helvetica Neue, Arial, sans-serif", "size": 13}
WRAP = 66  # characters per line of a chart's source line and caption


# ---------------------------------------------------------------------------------------------
# Look-ups and shared pieces


def figure_record(dataset: Dataset, figure_id: str) -> pd.Series:
    """The figures.csv row with this id; KeyError naming the id if the records lack it."""
    rows = dataset.figures.loc[dataset.figures["id"] == figure_id]
    if rows.empty:
        raise KeyError(f"figure {figure_id!r} is not in the records (figures.csv)")
    return rows.iloc[0]


def source_short(dataset: Dataset, source_id: str) -> str:
    """'IOM (February 2024)': the publisher and date, for citations next to a section name."""
    rows = dataset.sources.loc[dataset.sources["id"] == source_id]
    if rows.empty:
        return source_id
    r = rows.iloc[0]
    return f"{r['publisher']} ({readable_date(r['date'])})"


def citation(dataset: Dataset, source_id: str, section: str) -> str:
    return f"{source_short(dataset, source_id)} — {section}"


def filters_text(filters: Filters) -> str:
    """What the filters select, in words: '2023; nationalities: IDN, VNM'."""
    if filters.year_from is not None and filters.year_to is not None:
        years = f"years {period_label(filters.year_from, filters.year_to)}"
    elif filters.year_from is not None:
        years = f"years from {filters.year_from}"
    elif filters.year_to is not None:
        years = f"years up to {filters.year_to}"
    else:
        years = "all years"
    people = (
        "nationalities: " + ", ".join(country_name(c) for c in filters.nationalities)
        if filters.nationalities
        else "all nationalities"
    )
    return f"{years}; {people}"


def _years_only(filters: Filters) -> Filters:
    """Figures about a country or the region count every nationality: filter them by years."""
    return Filters(filters.year_from, filters.year_to)


def figure_item(dataset: Dataset, row: pd.Series) -> dict:
    """One figure as the panels show it: every text ready, its source and section attached."""
    return {
        "id": row["id"],
        "label": row["label"],
        "value": format_value(row["value"], row["unit"], row["qualifier"], row["value_max"]),
        "unit": row["unit"],
        "measure": measure_label(row["measure"]) if row["measure"] else "",
        "period": period_label(row["year_start"], row["year_end"], row["period"]),
        "source": dataset.source_label(row["source_id"]),
        "source_short": source_short(dataset, row["source_id"]),
        "section": row["section"],
        "citation": citation(dataset, row["source_id"], row["section"]),
        "note": row["note"] if isinstance(row["note"], str) else "",
    }


def route_item(dataset: Dataset, row: pd.Series) -> dict:
    share = row["share_pct"]
    return {
        "id": row["id"],
        "path": " → ".join(row["path_names"]),
        "origin_stated": bool(row["origin"]),
        "nationality": country_name(row["nationality"]) if row["nationality"] else "not stated",
        "measure": measure_label(row["measure"]),
        "count": format_count(row["count"], row["qualifier"], withheld(row)),
        "share": "" if is_missing(share) else format_value(share, "percent", "exact"),
        "period": period_label(row["year_start"], row["year_end"], row["period"]),
        "source": dataset.source_label(row["source_id"]),
        "source_short": source_short(dataset, row["source_id"]),
        "section": row["section"],
        "citation": citation(dataset, row["source_id"], row["section"]),
    }


def note_item(note: pd.Series, labels: dict[str, str]) -> dict:
    """A note with the labels of those figures and routes it is about that `labels` names."""
    return {
        "id": note["id"],
        "kind": note["kind"],
        "inconsistency": note["kind"] == "inconsistency",
        "text": note["text"],
        "section": note["section"],
        "refers_to": list(note["refers_to"]),
        "about": [labels[i] for i in note["refers_to"] if i in labels],
    }


def notes_about(dataset: Dataset, ids: Iterable[str], labels: dict[str, str]) -> list[dict]:
    """Notes whose refers_to names any of these figure or route ids; inconsistencies first."""
    wanted = set(ids)
    rows = [n for _, n in dataset.notes.iterrows() if wanted & set(n["refers_to"])]
    rows.sort(key=lambda n: n["kind"] != "inconsistency")
    return [note_item(n, labels) for n in rows]


# ---------------------------------------------------------------------------------------------
# Country profile


def profile_data(dataset: Dataset, iso3: str, filters: Filters) -> dict:
    """Everything the country profile shows, for one ISO3 code and the page's filters.

    The report's text (sections) is shown whatever the filters; key figures follow the years
    (a country's figures count every nationality), routes follow the years and nationalities.
    `inbound`, `outbound`, `through`, `figures` and `notes` are always lists, empty when the
    records hold nothing for these filters.
    """
    iso3 = iso3.strip().upper()
    profile = dataset.profiles.get(iso3)
    figures = filter_figures(dataset.figures, _years_only(filters))
    figures = figures.loc[figures["scope"] == iso3]
    figure_rows = [figure_item(dataset, r) for _, r in figures.iterrows()]

    routes = filter_routes(dataset.routes, filters)
    country_of = dict(zip(dataset.nodes["node"], dataset.nodes["iso3"]))
    inbound, outbound, through = [], [], []
    for _, r in routes.iterrows():
        if r["destination_iso3"] == iso3:
            inbound.append(route_item(dataset, r))
        elif r["origin_iso3"] == iso3 or r["nationality"] == iso3:
            outbound.append(route_item(dataset, r))
        elif iso3 in {country_of.get(n) for n in r["transit"]}:
            through.append(route_item(dataset, r))

    labels = {f["id"]: f["label"] for f in figure_rows}
    labels |= {r["id"]: r["path"] for r in inbound + outbound + through}
    notes = notes_about(dataset, labels, labels)
    flagged = {i for n in notes if n["inconsistency"] for i in n["refers_to"]}
    for f in figure_rows:
        f["flagged"] = f["id"] in flagged

    sections = []
    for s in profile["sections"] if profile else []:
        sections.append(
            {
                "heading": s["heading"],
                "section": s["section"],
                "citation": citation(dataset, PROFILE_SOURCE_ID, s["section"]),
                "points": [{"text": p["text"], "figure_ids": p["figure_ids"]} for p in s["points"]],
            }
        )
    used = {f["source"]: f["source_short"] for f in figure_rows + inbound + outbound + through}
    if sections:
        used[dataset.source_label(PROFILE_SOURCE_ID)] = source_short(dataset, PROFILE_SOURCE_ID)
    return {
        "iso3": iso3,
        "name": profile["name"] if profile else country_name(iso3),
        "has_profile": profile is not None,
        "role": list(profile["role"]) if profile else [],
        "role_label": profile["role_label"] if profile else "",
        "sections": sections,
        "figures": figure_rows,
        "notes": notes,
        "inbound": inbound,
        "outbound": outbound,
        "through": through,
        "sources": [{"short": s, "full": f} for f, s in sorted(used.items(), key=lambda i: i[1])],
        "filters": filters_text(filters),
    }


# ---------------------------------------------------------------------------------------------
# Regional overview


def overview_data(dataset: Dataset, filters: Filters) -> dict:
    """The regional key-figure cards (grouped, each its own measure), and the report's notes.

    Regional figures count every nationality, so only the years of the filters apply. Raises
    KeyError naming the id if a figure the overview needs is missing from the records.
    """
    years = _years_only(filters)
    in_years = set(filter_figures(dataset.figures, years)["id"])
    inconsistent: dict[str, list[str]] = {}
    for _, n in dataset.notes.loc[dataset.notes["kind"] == "inconsistency"].iterrows():
        for ref in n["refers_to"]:
            inconsistent.setdefault(ref, []).append(n["id"])

    groups = []
    shown: list[str] = []
    for key, heading, figure_ids in OVERVIEW_GROUPS:
        cards = []
        for fid in figure_ids:
            row = figure_record(dataset, fid)
            if fid not in in_years:
                continue
            card = figure_item(dataset, row)
            card["flagged"] = bool(inconsistent.get(fid))
            card["note_ids"] = inconsistent.get(fid, [])
            detail_id = CARD_DETAILS.get(fid)
            card["detail"] = (
                figure_item(dataset, figure_record(dataset, detail_id)) if detail_id else None
            )
            shown += [fid] + ([detail_id] if detail_id else [])
            cards.append(card)
        if cards:
            groups.append({"key": key, "heading": heading, "cards": cards})

    labels = dict(zip(dataset.figures["id"], dataset.figures["label"]))
    labels |= {r["id"]: " → ".join(r["path_names"]) for _, r in dataset.routes.iterrows()}
    inconsistencies = [
        note_item(n, labels)
        for _, n in dataset.notes.loc[dataset.notes["kind"] == "inconsistency"].iterrows()
    ]
    caveats = [n for n in notes_about(dataset, shown, labels) if not n["inconsistency"]]
    sources = {c["source"] for g in groups for c in g["cards"]}
    return {
        "groups": groups,
        "inconsistencies": inconsistencies,
        "caveats": caveats,
        "sources": sorted(sources),
        "filters": filters_text(years),
    }


def _wrap(text: str) -> str:
    return "<br>".join(textwrap.wrap(text, WRAP))


def _source_line(dataset: Dataset, rows: Iterable[pd.Series]) -> str:
    cited = dict.fromkeys(f"{dataset.source_label(r['source_id'])} — {r['section']}" for r in rows)
    return "Source: " + "; ".join(cited)


def _inconsistency_caption(dataset: Dataset, figure_ids: Iterable[str]) -> str:
    """The first sentence of each inconsistency note about these figures, from notes.csv."""
    wanted = set(figure_ids)
    texts = []
    for _, n in dataset.notes.loc[dataset.notes["kind"] == "inconsistency"].iterrows():
        if wanted & set(n["refers_to"]):
            first = n["text"].split(". ")[0].rstrip(".") + "."
            texts.append(first)
    return " ".join(texts)


def _layout(fig: go.Figure, title: str, footer: list[str], height: int) -> None:
    lines = sum(f.count("<br>") + 1 for f in footer)
    bottom = 48 + 16 * lines
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 16, "color": INK}},
        font={**FONT, "color": INK},
        height=height + bottom,
        margin={"l": 70, "r": 20, "t": 56, "b": bottom},
        plot_bgcolor="white",
        paper_bgcolor="white",
        showlegend=False,
        hoverlabel={"font": {"size": 13}, "align": "left"},
        annotations=[
            {
                "text": "<br>".join(footer),
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 0,
                "yshift": -bottom + 6,
                "xanchor": "left",
                "yanchor": "bottom",
                "align": "left",
                "showarrow": False,
                "font": {"size": 12, "color": MUTED},
            }
        ],
    )


def caseload_chart(dataset: Dataset) -> go.Figure:
    """IOM's regional forced-criminality caseload, 2022 and 2023: one bar trace, one measure.

    The report's own 'X4,7' surge is not drawn (it does not follow from the two counts); the
    inconsistency note from notes.csv is printed under the chart instead.
    """
    rows = [figure_record(dataset, fid) for fid in CASELOAD_IDS]
    measures = {r["measure"] for r in rows}
    if len(measures) != 1:
        raise ValueError(f"caseload chart needs one measure, the records give {sorted(measures)}")
    items = [figure_item(dataset, r) for r in rows]
    fig = go.Figure(
        go.Bar(
            x=[i["period"] for i in items],
            y=[r["value"] for r in rows],
            text=[i["value"] for i in items],
            textposition="outside",
            textfont={"size": 14, "color": INK},
            marker={"color": BAR_COLOUR},
            name=measure_label(rows[0]["measure"]).capitalize(),
            customdata=[[i["label"], i["value"], i["period"], i["citation"]] for i in items],
            hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]} (%{customdata[2]})"
            "<br>Source: %{customdata[3]}<extra></extra>",
            cliponaxis=False,
        )
    )
    footer = [_wrap(_source_line(dataset, rows))]
    caption = _inconsistency_caption(dataset, CASELOAD_IDS)
    if caption:
        footer.append(_wrap("⚠ Note: " + caption))
    _layout(fig, "IOM caseload, trafficking for forced criminality", footer, height=260)
    fig.update_xaxes(type="category", title=None, tickfont={"size": 13})
    fig.update_yaxes(
        title={"text": "People in the caseload", "font": {"size": 12}},
        rangemode="tozero",
        gridcolor="#e5e5e5",
        tickfont={"size": 12},
        range=[0, max(r["value"] for r in rows) * 1.18],
    )
    return fig


def sex_split_chart(dataset: Dataset) -> go.Figure:
    """Male and female shares of the 2023 caseload as one 100 % bar, with the counts.

    One trace (one measure, the caseload); each segment is a share from the records, labelled
    with its own count record. Nothing is summed.
    """
    parts = [
        (sex, figure_record(dataset, share_id), figure_record(dataset, count_id))
        for sex, share_id, count_id in SEX_SPLIT_IDS
    ]
    measures = {r["measure"] for _, s, c in parts for r in (s, c)}
    if len(measures) != 1:
        raise ValueError(f"sex split needs one measure, the records give {sorted(measures)}")
    shares = [figure_item(dataset, s) for _, s, _ in parts]
    counts = [figure_item(dataset, c) for _, _, c in parts]
    row_label = f"{measure_label(parts[0][1]['measure']).capitalize()}, {shares[0]['period']}"
    fig = go.Figure(
        go.Bar(
            orientation="h",
            y=[row_label] * len(parts),
            x=[s["value"] for _, s, _ in parts],
            base=_bases([s["value"] for _, s, _ in parts]),
            text=[
                f"{sex}<br>{s['value']} ({c['value']})"
                for (sex, _, _), s, c in zip(parts, shares, counts)
            ],
            textposition="inside",
            insidetextanchor="middle",
            textfont={"size": 13, "color": ["white", INK]},
            marker={
                "color": [SEX_COLOURS[sex] for sex, _, _ in parts],
                "line": {"width": 1, "color": "white"},
            },
            name=measure_label(parts[0][1]["measure"]).capitalize(),
            customdata=[
                [s["label"], s["value"], c["label"], c["value"], s["period"], s["citation"]]
                for s, c in zip(shares, counts)
            ],
            hovertemplate="<b>%{customdata[0]}</b>: %{customdata[1]}<br>"
            "%{customdata[2]}: %{customdata[3]}<br>Period: %{customdata[4]}"
            "<br>Source: %{customdata[5]}<extra></extra>",
        )
    )
    footer = [_wrap(_source_line(dataset, [r for _, s, c in parts for r in (s, c)]))]
    _layout(fig, "Male and female shares of the caseload", footer, height=150)
    fig.update_xaxes(
        range=[0, 100],
        ticksuffix=" %",
        tickfont={"size": 12},
        gridcolor="#e5e5e5",
        title=None,
    )
    fig.update_yaxes(showticklabels=False, title=None)
    fig.update_layout(margin={"l": 20}, uniformtext={"minsize": 12, "mode": "show"})
    return fig


def _bases(values: list[float]) -> list[float]:
    """Where each segment of the one 100 % bar starts: the shares before it, side by side."""
    starts, at = [], 0.0
    for v in values:
        starts.append(at)
        at += v
    return starts
