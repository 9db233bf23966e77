"""The named figures a briefing shows or an export writes: one builder each, with what the
figure needs to stand on its own (default title, sources, period, notes, disclaimer)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import flowmap
from dashboard.figures import frame as frames
from dashboard.figures.panels import (
    CASELOAD_IDS,
    SEX_SPLIT_IDS,
    caseload_chart,
    figure_record,
    profile_data,
    sex_split_chart,
    source_short,
)
from dashboard.figures.sankey import build_sankey, sankey_routes
from dashboard.figures.selection import map_content, sankey_measure, selected_routes
from dashboard.figures.timeline import build_time_strip
from dashboard.state import ViewState
from dashboard.text import FORM_LABELS, measure_label
from geodata.countries import country_name
from geodata.dataset import Dataset
from geodata.filters import DEFAULT_FORMS, filter_events

REPORT = "iom-2024-sitrep"


class ViewError(ValueError):
    """A view or filter a user named that does not exist; the message names it."""


@dataclass(frozen=True)
class ViewMeta:
    title: str
    period: str
    sources: list[str]
    notes: list[str] = field(default_factory=list)
    disclaimer: bool = False
    kind: str = "chart"  # "map", "chart" or "table": how an export lays it out
    # maps place their labels for the size they are drawn at: the medium rebuilds them so
    rebuild: Callable[..., go.Figure] | None = None
    empty: bool = False


def years_text(dataset: Dataset, state: ViewState, bounds: tuple[int, int]) -> str:
    lo, hi = state.year_from or bounds[0], state.year_to or bounds[1]
    return str(lo) if lo == hi else f"{lo}–{hi}"


def filters_text(state: ViewState) -> str:
    parts = []
    if state.nationality:
        parts.append("nationality " + ", ".join(country_name(c) for c in state.nationality))
    if state.origin:
        parts.append("from " + ", ".join(country_name(c) for c in state.origin))
    if state.destination:
        parts.append("to " + ", ".join(country_name(c) for c in state.destination))
    return "; ".join(parts)


def cite_briefly(sources: list[str], limit: int = 4) -> str:
    """A one-line source credit for a projected screen: publishers and dates only."""
    names = list(dict.fromkeys(s.split(" — ")[0] for s in sources))
    if len(names) > limit:
        names = names[:limit] + [f"{len(names) - limit} more sources (hover for each)"]
    return "; ".join(names)


def cite(dataset: Dataset, rows: pd.DataFrame, limit: int = 6) -> list[str]:
    """'Publisher (date) — section' for each distinct source of the rows, the report first."""
    pairs = list(dict.fromkeys(zip(rows["source_id"], rows["section"])))
    pairs.sort(key=lambda p: p[0] != REPORT)
    by_source: dict[str, list[str]] = {}
    for sid, section in pairs:
        by_source.setdefault(sid, []).append(section)
    lines = [f"{source_short(dataset, sid)} — {'; '.join(secs)}" for sid, secs in by_source.items()]
    if len(lines) > limit:
        lines = lines[:limit] + [f"and {len(lines) - limit} more sources (see routes.csv)"]
    return lines


def report_title(dataset: Dataset) -> str:
    return dataset.source_label(REPORT)


def focus_frame(dataset: Dataset, state: ViewState):
    """Lon/lat ranges around the countries a view asks about, or None for the whole region.
    Used by exports and briefings, where nobody can zoom."""
    asked = set(state.destination) | set(state.origin) | ({state.country} - {None})
    return frames.focus(dataset, asked) if asked else None


def map_title(state: ViewState) -> str:
    who = filters_text(state)
    if state.measure:
        title = f"Routes into scam compounds: people {measure_label(state.measure)}"
    else:
        title = "Routes into scam compounds and back, with the counts the sources give"
    return title + (f" ({who})" if who else "")


def _map(
    dataset: Dataset, state: ViewState, bounds, options: ViewOptions
) -> tuple[go.Figure, ViewMeta]:
    if options.frame is not None:
        try:
            frame = frames.named_frame(dataset, options.frame)
        except frames.FrameError as exc:
            raise ViewError(str(exc)) from None
    else:
        frame = focus_frame(dataset, state)

    def rebuild(layout: flowmap.Layout) -> go.Figure:
        return flowmap.build_flow_map(dataset, state, layout, frame=frame)

    fig = rebuild(flowmap.Layout(legend=True))
    content = map_content(dataset, state)
    events = content.events
    cited = pd.concat(
        [
            content.flows[["source_id", "section"]],
            content.place_figures[["source_id", "section"]],
            events[["source_id", "section"]],
        ]
    )
    notes = [
        "Each count is its own route's or place's, with its measure; counts are never added "
        "across routes. Dotted routes are reported without a number."
    ]
    if tuple(state.forms) != DEFAULT_FORMS:
        notes.append(
            "Forms of exploitation shown: "
            + ", ".join(FORM_LABELS.get(f, f).lower() for f in state.forms)
            + "."
        )
    return fig, ViewMeta(
        title=map_title(state),
        period=years_text(dataset, state, bounds),
        sources=cite(dataset, cited) if len(cited) else [report_title(dataset)],
        notes=notes,
        disclaimer=True,
        kind="map",
        rebuild=rebuild,
        empty=content.empty,
    )


def _sankey(
    dataset: Dataset, state: ViewState, bounds, options: ViewOptions
) -> tuple[go.Figure, ViewMeta]:
    routes = selected_routes(dataset, state.with_(measure=None))
    measure = state.measure or sankey_measure(routes)

    def rebuild(layout) -> go.Figure:
        fig = build_sankey(
            dataset, routes, measure, width=layout.width_px, font_size=layout.font_px
        )
        fig.update_layout(title=None)
        return fig

    fig = build_sankey(dataset, routes, measure)
    drawn, _ = sankey_routes(routes, measure)
    fig.update_layout(title=None)
    who = filters_text(state)
    return fig, ViewMeta(
        title=f"People {measure_label(measure)}, by nationality, transit and destination"
        + (f" ({who})" if who else ""),
        period=years_text(dataset, state, bounds),
        sources=cite(dataset, drawn) if len(drawn) else [report_title(dataset)],
        notes=[
            "Only routes that state a number of people of this one measure are drawn; each band "
            "is one route's own count, and bands are never added up."
        ],
        kind="sankey",
        rebuild=rebuild,
        empty=drawn.empty,
    )


def _chart_meta(dataset: Dataset, ids: list[str], title: str) -> ViewMeta:
    rows = pd.DataFrame([figure_record(dataset, i) for i in ids])
    periods = sorted({str(y) for y in rows["year_start"]} | {str(y) for y in rows["year_end"]})
    notes = [
        n["text"]
        for _, n in dataset.notes.iterrows()
        if n["kind"] == "inconsistency" and set(n["refers_to"]) & set(ids)
    ]
    return ViewMeta(
        title=title,
        period="–".join([periods[0], periods[-1]]) if len(periods) > 1 else periods[0],
        sources=cite(dataset, rows),
        notes=notes,
    )


def _bare(fig: go.Figure) -> go.Figure:
    """A chart without its own title and footer: the frame adds them for the medium."""
    fig.layout.annotations = ()
    fig.layout.title = None
    return fig


def _caseload(
    dataset: Dataset, state: ViewState, bounds, options: ViewOptions
) -> tuple[go.Figure, ViewMeta]:
    return _bare(caseload_chart(dataset)), _chart_meta(
        dataset, list(CASELOAD_IDS), "IOM caseload of trafficking for forced criminality"
    )


def _sex_split(
    dataset: Dataset, state: ViewState, bounds, options: ViewOptions
) -> tuple[go.Figure, ViewMeta]:
    ids = [i for _, share, count in SEX_SPLIT_IDS for i in (share, count)]
    return _bare(sex_split_chart(dataset)), _chart_meta(
        dataset, ids, "Male and female shares of IOM's caseload"
    )


def _profile(
    dataset: Dataset, state: ViewState, bounds, options: ViewOptions
) -> tuple[go.Figure, ViewMeta]:
    if not state.country:
        raise ViewError("the profile view needs a country (for example country=MMR)")
    data = profile_data(dataset, state.country, state.filters)
    rows = data["figures"]
    more = 0
    if options.max_rows is not None and len(rows) > options.max_rows:
        more = len(rows) - (options.max_rows - 1)
        rows = rows[: options.max_rows - 1] + [
            {"label": f"and {more} more key figures (in the profile)", "value": "", "period": ""}
        ]
    fig = go.Figure(
        go.Table(
            columnwidth=[46, 16, 14, 30],
            header={
                "values": ["Key figure", "Value", "Period", "Source"],
                "align": "left",
                "fill_color": "#e9edf2",
                "font": {"size": 13, "color": "#1a1a1a"},
            },
            cells={
                "values": [
                    [r["label"] for r in rows],
                    [r["value"] for r in rows],
                    [r["period"] for r in rows],
                    [r.get("citation", "") for r in rows],
                ],
                "align": "left",
                "font": {"size": 12, "color": "#1a1a1a"},
                "height": 26,
                "fill_color": "white",
                "line": {"color": "#d0d4da"},
            },
        )
    )
    figs = dataset.figures[dataset.figures["id"].isin([r.get("id") for r in rows])]
    return fig, ViewMeta(
        title=f"{data['name']}: key figures",
        period=years_text(dataset, state, bounds),
        sources=cite(dataset, figs) if len(figs) else [report_title(dataset)],
        notes=[] if rows else ["No key figures in the records for these years."],
        kind="table",
    )


def _events(
    dataset: Dataset, state: ViewState, bounds, options: ViewOptions
) -> tuple[go.Figure, ViewMeta]:
    events = filter_events(dataset.events, dataset.figures, state.filters)
    if options.events:
        unknown = sorted(set(options.events) - set(dataset.events["id"]))
        if unknown:
            raise ViewError(f"unknown event id(s): {', '.join(unknown)}")
        events = dataset.events[dataset.events["id"].isin(options.events)]
    lo, hi = state.year_from or bounds[0], state.year_to or bounds[1]
    fig = build_time_strip(dataset, events, (lo, hi))
    return fig, ViewMeta(
        title="Dated events: operations, returns, policy and media",
        period=years_text(dataset, state, bounds),
        sources=cite(dataset, events),
    )


VIEWS: dict[str, Callable] = {
    "map": _map,
    "sankey": _sankey,
    "caseload": _caseload,
    "sex-split": _sex_split,
    "profile": _profile,
    "events": _events,
}


@dataclass(frozen=True)
class ViewOptions:
    """What a briefing slide may set beyond the filters."""

    frame: object = None  # a cluster key, an ISO3 code or a list of them (maps)
    events: tuple[str, ...] = ()  # the events a slide shows (events view); empty: all
    max_rows: int | None = None  # rows of a table that fit the medium; the rest are counted


def build_view(
    dataset: Dataset,
    view: str,
    state: ViewState,
    bounds: tuple[int, int],
    options: ViewOptions | None = None,
) -> tuple[go.Figure, ViewMeta]:
    if view not in VIEWS:
        raise ViewError(f"unknown view {view!r}; choose one of: {', '.join(VIEWS)}")
    return VIEWS[view](dataset, state, bounds, options or ViewOptions())
