"""The named figures a briefing shows or an export writes: one builder each, with what the
figure needs to stand on its own (title, subtitle, sources, period, notes, disclaimer).

Titles and subtitles are read from what each figure draws, never from the filters alone: a
map drawing no rescued route is never titled "people rescued". `ViewMeta.citations` lists the
source and report section of every record drawn, for the source line and the sources CSV.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

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
from dashboard.figures.selection import (
    empty_message,
    map_content,
    sankey_selection,
)
from dashboard.figures.style import EVENT_COLOUR, EVENT_SYMBOLS, KIND_COLOURS
from dashboard.figures.timeline import LANE_OF, LANES, build_time_strip, date_span
from dashboard.state import ViewState
from dashboard.text import FORM_LABELS, MEASURE_LABELS, counted, format_value, measure_label
from geodata.countries import country_name
from geodata.dataset import Dataset
from geodata.filters import DEFAULT_FORMS, filter_events

REPORT = "iom-2024-sitrep"
MEDIA_SECTION = "Media and Publications"
# forms of exploitation a map of "scam compounds" may be titled for
SCAM_FORMS = {"forced_criminality", "all_forms"}
LANE_WORDS = {
    "Operations": "operations",
    "Returns and deportations": "returns",
    "Policy and laws": "policy",
    "Media and publications": "media",
}
PLACE_KINDS = {
    "compound": "Scam compound",
    "sez": "Special economic zone",
    "city": "City or town",
    "airport": "Airport",
    "border_crossing": "Border crossing",
}


class ViewError(ValueError):
    """A view or filter a user named that does not exist; the message names it."""


@dataclass(frozen=True)
class Cited:
    """One record drawn, by its source and the report section that gives it."""

    source_id: str
    section: str
    what: str  # "route", "place figure", "place", "event", "key figure", "IOM office figure"


@dataclass(frozen=True)
class SourceUsed:
    """One source of what a figure draws: a row of the figure's sources CSV."""

    id: str
    publisher: str
    title: str
    date: str  # as the records give it: '2024-02', '2023-07-26'
    url: str
    sections: tuple[str, ...]  # the report sections (or list) the records cite it from
    records: str  # what of the figure it gives: '3 routes; 1 place figure'

    @property
    def dataset(self) -> bool:
        """A case-level dataset whose aggregated flows the figure draws (not one the report
        cites)."""
        return "case flow" in self.records

    @property
    def media(self) -> bool:
        """A media item the report lists (cited only from its Media and Publications list)."""
        return bool(self.sections) and set(self.sections) <= {MEDIA_SECTION}


@dataclass(frozen=True)
class ViewMeta:
    title: str
    period: str
    sources: list[str]  # 'Publisher (date) — section' lines, for a screen's source line
    notes: list[str] = field(default_factory=list)  # at most two, one short line each
    disclaimer: bool = False
    kind: str = "chart"  # "map", "chart", "sankey" or "table": how an export lays it out
    # maps place their labels for the size they are drawn at: the medium rebuilds them so
    rebuild: Callable[..., go.Figure] | None = None
    empty: bool = False
    subtitle: str = ""  # what is measured, and the period
    subtitle_short: str = ""  # the same for a narrow page (empty: the subtitle)
    citations: tuple[Cited, ...] = ()  # every record drawn, by source and section
    measures: tuple[str, ...] = ()  # the measures the figure draws with a number
    empty_message: str = ""  # what to say instead of drawing an empty figure
    # nearest views that have data: (what they show, in words; their ViewState)
    suggestions: tuple[tuple[str, ViewState], ...] = ()
    legend: tuple = ()  # flowmap.LegendEntry items a printed figure explains its marks with
    scale: float = 1.0  # the line and marker scale the legend is drawn at (maps)
    used: tuple[SourceUsed, ...] = ()  # the sources of what is drawn, the report first


def years_text(dataset: Dataset, state: ViewState, bounds: tuple[int, int]) -> str:
    lo, hi = state.year_from or bounds[0], state.year_to or bounds[1]
    return str(lo) if lo == hi else f"{lo}–{hi}"


def span_text(rows: pd.DataFrame) -> str | None:
    """'2023' or '2022–2023': the years the rows cover, or None for no rows."""
    if rows.empty:
        return None
    lo, hi = int(rows["year_start"].min()), int(rows["year_end"].max())
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


def and_list(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def who_text(state: ViewState) -> str:
    """The people and countries a view is about, for a title: 'nationals of Indonesia'."""
    parts = []
    if state.nationality:
        parts.append("nationals of " + and_list([country_name(c) for c in state.nationality]))
    if state.origin:
        parts.append("from " + and_list([country_name(c) for c in state.origin]))
    if state.destination:
        parts.append("to " + and_list([country_name(c) for c in state.destination]))
    return ", ".join(parts)


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


def citations(rows: pd.DataFrame, what: str) -> list[Cited]:
    """The source and section of each row that names a source."""
    if rows.empty or "source_id" not in rows.columns:
        return []
    return [
        Cited(str(s), str(sec) if isinstance(sec, str) else "", what)
        for s, sec in zip(rows["source_id"], rows["section"])
        if isinstance(s, str) and s
    ]


def _plural_what(what: str, n: int) -> str:
    if n == 1:
        return f"1 {what}"
    return f"{n} " + ("IOM office figures" if what == "IOM office figure" else what + "s")


def sources_used(dataset: Dataset, cited: tuple[Cited, ...]) -> tuple[SourceUsed, ...]:
    """Each source the citations name, once, with its sections and what it gives; the report
    first, then by date."""
    by_id: dict[str, list[Cited]] = {}
    for c in cited:
        by_id.setdefault(c.source_id, []).append(c)
    rows = dataset.sources.set_index("id")
    out = []
    for sid, cs in by_id.items():
        r = rows.loc[sid] if sid in rows.index else None
        tally: dict[str, int] = {}
        for c in cs:
            tally[c.what] = tally.get(c.what, 0) + 1
        out.append(
            SourceUsed(
                id=sid,
                publisher=str(r["publisher"]) if r is not None else sid,
                title=str(r["title"]) if r is not None else "",
                date=str(r["date"]) if r is not None and isinstance(r["date"], str) else "",
                url=str(r["url"]) if r is not None and isinstance(r["url"], str) else "",
                sections=tuple(dict.fromkeys(c.section for c in cs if c.section)),
                records="; ".join(_plural_what(w, n) for w, n in tally.items()),
            )
        )
    out.sort(key=lambda s: (s.id != REPORT, s.date, s.publisher))
    return tuple(out)


def report_title(dataset: Dataset) -> str:
    return dataset.source_label(REPORT)


def focus_frame(dataset: Dataset, state: ViewState):
    """Lon/lat ranges around the countries a view asks about, or None for the whole region.
    Used by exports and briefings, where nobody can zoom."""
    asked = set(state.destination) | set(state.origin) | ({state.country} - {None})
    return frames.focus(dataset, asked) if asked else None


def _numbered(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows that print a number (a count or a share), of a measure other than 'route reported'."""
    if rows.empty:
        return rows
    has = rows["count"].notna()
    if "share_pct" in rows.columns:
        has |= rows["share_pct"].notna()
    return rows[has & (rows["measure"] != "reported_route")]


def ordered_measures(measures) -> list[str]:
    """Measures in the dashboard's fixed order (MEASURE_LABELS), each once."""
    order = list(MEASURE_LABELS)
    seen = list(dict.fromkeys(m for m in measures if isinstance(m, str) and m))
    return sorted(seen, key=lambda m: order.index(m) if m in order else len(order))


def _measure_phrase(numbered: pd.DataFrame, limit: int | None = None) -> str:
    """'Number of people rescued and returned; share of people repatriated' for the rows."""
    # case records count records in a case dataset, not people a source counted; a withheld
    # ('<10') count is still a count
    cases = bool((numbered["measure"] == "case_records").any())
    numbered = numbered.loc[numbered["measure"] != "case_records"]
    counted = ordered_measures(numbered.loc[numbered["count"].notna(), "measure"])
    shared = [m for m in ordered_measures(numbered["measure"]) if m not in counted]
    words = [measure_label(m) for m in counted]
    if limit is not None and len(words) > limit:
        more = len(words) - (limit - 1)
        words = words[: limit - 1] + [f"{more} other measures"]
    parts = []
    if words:
        parts.append("Number of people " + and_list(words))
    if shared:
        lead = "share of people " if parts else "Share of people "
        parts.append(lead + and_list([measure_label(m) for m in shared]))
    if cases:
        parts.append("case records" if parts else "Case records")
    return "; ".join(parts)


def map_title(state: ViewState, drawn: pd.DataFrame | None = None) -> str:
    """What the map draws: trafficking routes, returns or both, and for whom."""
    movements = set()
    forms: set = set()
    if drawn is not None and not drawn.empty:
        movements = set(drawn["movement"].fillna("trafficking"))
        forms = {f for f in drawn.get("form", pd.Series(dtype=object)) if isinstance(f, str)}
    else:
        movements = set(state.movements)
    if drawn is not None and len(drawn) and (drawn["measure"] == "case_records").all():
        # a user's case data: every form of exploitation, wherever it took place
        who = who_text(state)
        title = "Case records of human trafficking, by nationality and country of exploitation"
        return title + (f": {who}" if who else "")
    scam = forms <= SCAM_FORMS
    into = "into Southeast Asia's scam compounds" if scam else "in Southeast Asia"
    parts = []
    if "trafficking" in movements:
        parts.append(f"Trafficking routes {into}")
        if "return" in movements:
            parts.append("and returns" + (" from them" if scam else ""))
    elif "return" in movements:
        parts.append(
            "Returns, repatriations and deportations"
            + (" from Southeast Asia's scam compounds" if scam else " in Southeast Asia")
        )
    if "other" in movements:
        parts.append(
            "and movements not called trafficking"
            if parts
            else "Movements the sources do not call trafficking"
        )
    title = ", ".join(parts)
    who = who_text(state)
    return title + (f": {who}" if who else "")


def drawn_places(dataset: Dataset, content, insets: bool, wide: bool = False) -> pd.DataFrame:
    """The places a map draws (as flowmap.build_flow_map chooses them): those of the places
    layer, less an airport or border crossing shown only for orientation unless it sits in an
    inset or with an event, and every place that carries a count; on a map of the world
    (`wide`: case records beyond the region), only the places that carry a count."""
    places = content.places
    if wide:
        places = places.iloc[0:0]
    orientation = places["kind"].isin(flowmap.ORIENTATION_KINDS) & (places["claim"] == "context")
    shown = set(content.events["location_id"]) if not content.events.empty else set()
    if insets:
        shown |= {
            r.id
            for r in places.itertuples()
            if any(i.contains(r.lon, r.lat) for i in frames.INSETS)
        }
    keep = set(places.loc[~orientation | places["id"].isin(shown), "id"])
    if not content.place_figures.empty:
        keep |= set(content.place_figures["place"])
    return dataset.locations[dataset.locations["id"].isin(keep)]


def map_legend(
    dataset: Dataset, state: ViewState, content, places: pd.DataFrame
) -> list[flowmap.LegendEntry]:
    """The map's legend for print: the marks as the screen's legend names them, with places by
    kind (their marker colours) and nothing that asks for a hover."""
    out = []
    flows = content.flows
    movements = set(flows["movement"].fillna("trafficking")) if len(flows) else set()
    unnumbered = len(flows) - len(_numbered(flows)) if len(flows) else 0
    # a printed legend names only the marks drawn (the screen's names what its layers can show)
    drawn_lines = {
        "Trafficking route, with its count": "trafficking" in set(_numbered(flows)["movement"])
        if len(flows)
        else False,
        "Return, repatriation or deportation": "return" in movements,
        "Movement not called trafficking": "other" in movements,
        "Route reported, number not stated": unnumbered > 0,
    }
    for e in flowmap.legend_entries(dataset, state, content):
        if e.group == "Places" and e.kind == "marker" and e.colour != EVENT_COLOUR:
            continue  # replaced below by one entry per kind of place drawn
        if drawn_lines.get(e.label) is False:
            continue
        label = e.label.split(" (hover")[0]
        out.append(flowmap.LegendEntry(**{**e.__dict__, "label": label}))
    kinds = [k for k in PLACE_KINDS if k in set(places["kind"])]
    place_entries = [
        flowmap.LegendEntry("marker", PLACE_KINDS[k], KIND_COLOURS[k], size=7, group="Places")
        for k in kinds
    ]
    if (places["claim"] == "context").any():
        place_entries.append(
            flowmap.LegendEntry(
                "marker",
                "Open: documented elsewhere, not named in the report",
                "#3d3d3d",
                symbol="circle-open",
                size=7,
                group="Places",
            )
        )
    at = next((i for i, e in enumerate(out) if e.group.startswith("Country")), len(out))
    return out[:at] + place_entries + out[at:]


def describe(state: ViewState) -> str:
    """The filters of a state in words: 'for nationals of Indonesia, counted as rescued, in
    2019' (empty for no filter)."""
    parts = [f"for {who_text(state)}"] if who_text(state) else []
    if state.measure:
        parts.append("counted as " + measure_label(state.measure))
    if state.year_from is not None or state.year_to is not None:
        lo, hi = state.year_from, state.year_to
        parts.append(f"in {lo}" if lo == hi else f"in {lo or '…'}–{hi or '…'}")
    if tuple(state.forms) != DEFAULT_FORMS:
        parts.append("of " + " or ".join(FORM_LABELS.get(f, f).lower() for f in state.forms))
    return ", ".join(parts)


def _map(
    dataset: Dataset, state: ViewState, bounds, options: ViewOptions
) -> tuple[go.Figure | None, ViewMeta]:
    if options.frame is not None:
        try:
            frame = frames.named_frame(dataset, options.frame)
        except frames.FrameError as exc:
            raise ViewError(str(exc)) from None
    else:
        frame = focus_frame(dataset, state)

    def rebuild(layout: flowmap.Layout) -> go.Figure:
        return flowmap.build_flow_map(dataset, state, layout, frame=frame)

    content = map_content(dataset, state)
    drawn = pd.concat([content.flows, content.place_figures])
    numbered = _numbered(drawn)
    measures = ordered_measures(numbered["measure"]) if not numbered.empty else []
    office_measures = ordered_measures(content.offices["measure"]) if len(content.offices) else []
    period = span_text(drawn) or years_text(dataset, state, bounds)
    if not numbered.empty:
        subtitle = f"{_measure_phrase(numbered)}, by route or place, {period}"
        short = f"{_measure_phrase(numbered, limit=3)}, {period}"
    else:
        subtitle = short = f"Routes the sources report without a number, {period}"
    if office_measures:
        subtitle += "; IOM offices' own figures by country"
    layout = options.layout or flowmap.Layout(legend=True)
    wide = frame is None and flowmap.wide_frame(dataset, state, content)
    places = drawn_places(dataset, content, layout.insets and not wide, bool(wide))
    case = content.flows["measure"] == "case_records" if len(content.flows) else None
    cited = (
        (
            citations(content.flows[~case], "route") + citations(content.flows[case], "case flow")
            if case is not None
            else []
        )
        + citations(content.place_figures, "place figure")
        + citations(places, "place")
        + citations(content.events, "event")
        + citations(content.offices, "IOM office figure")
    )
    legacy = pd.concat(
        [
            content.flows[["source_id", "section"]],
            content.place_figures[["source_id", "section"]],
            content.events[["source_id", "section"]],
        ]
    )
    notes = ["Numbers are never added up: each is one route's or one place's own."]
    if case is not None and case.any():
        notes = [
            "Case records are a count of records, never added to the report's counts; a case "
            'flow\'s number adds up its yearly counts shown ("at least" where a small count is '
            "withheld). The datasets have no flag for forced criminality: every form is counted."
        ]
    if tuple(state.forms) != DEFAULT_FORMS:
        notes.append(
            "Forms of exploitation shown: "
            + ", ".join(FORM_LABELS.get(f, f).lower() for f in state.forms)
            + "."
        )
    message, suggestions = "", ()
    if content.empty:
        message = " ".join(["No route or place figure", describe(state)]).strip() + "."
        if not state.movements:
            message = "Every route layer is switched off."
        said = empty_message(dataset, state)
        suggestions = tuple((s.text, s.state) for s in said[1]) if said else ()
    meta = ViewMeta(
        title=map_title(state, drawn),
        period=period,
        sources=cite(dataset, legacy) if len(legacy) else [report_title(dataset)],
        notes=notes,
        disclaimer=True,
        kind="map",
        rebuild=rebuild,
        empty=content.empty,
        subtitle=subtitle,
        subtitle_short=short,
        citations=tuple(cited),
        measures=tuple(dict.fromkeys(measures + office_measures)),
        empty_message=message,
        suggestions=suggestions,
        legend=tuple(map_legend(dataset, state, content, places)),
        scale=layout.scale,
    )
    return (rebuild(layout) if options.build else None), meta


def _sankey(
    dataset: Dataset, state: ViewState, bounds, options: ViewOptions
) -> tuple[go.Figure | None, ViewMeta]:
    routes, measure = sankey_selection(dataset, state)

    def rebuild(layout) -> go.Figure:
        fig = build_sankey(
            dataset, routes, measure, width=round(layout.width_px), font_size=layout.font_px
        )
        fig.update_layout(title=None)
        return fig

    drawn, left_out = sankey_routes(routes, measure)
    who = who_text(state)
    period = span_text(drawn) or years_text(dataset, state, bounds)
    notes = ["Each band is one route's own count; bands are never added up."]
    hidden = left_out[left_out["left_out"] == "withheld"] if len(left_out) else left_out
    if len(hidden):
        notes.append(
            f"{len(hidden):,} flow{'s' if len(hidden) != 1 else ''} of case records not drawn: "
            "too few records to show (withheld to protect the people counted)."
        )
    if measure == "case_records":
        notes[0] = (
            "Each band is one flow's own count of case records (its yearly counts shown, added "
            "up); never added to the report's counts."
        )
    if measure:
        title = f"{counted(measure).capitalize()}, by nationality, route and destination"
        message = (
            f"No route in this selection states a number of {counted(measure)} "
            "between two places, so there is no flow to draw."
        )
    else:
        title = "Routes by nationality, route and destination"
        message = "No route in this selection states a number between two places."
    fig = None
    if options.build:
        if options.layout is not None:
            fig = rebuild(options.layout)
        else:
            fig = build_sankey(dataset, routes, measure)
            fig.update_layout(title=None)
    return fig, ViewMeta(
        title=title + (f": {who}" if who else ""),
        period=period,
        sources=cite(dataset, drawn) if len(drawn) else [report_title(dataset)],
        notes=notes,
        kind="sankey",
        rebuild=rebuild,
        empty=drawn.empty,
        subtitle=f"Number of {counted(measure)} on each route, {period}" if measure else "",
        citations=tuple(citations(drawn, "route")),
        measures=(measure,) if measure and not drawn.empty else (),
        empty_message=message if drawn.empty else "",
    )


def _chart_meta(dataset: Dataset, ids: list[str], title: str, subtitle: str) -> ViewMeta:
    rows = pd.DataFrame([figure_record(dataset, i) for i in ids])
    period = span_text(rows) or ""
    notes = []
    for _, n in dataset.notes.iterrows():
        if n["kind"] != "inconsistency" or not set(n["refers_to"]) & set(ids):
            continue
        # a ratio the note is about, printed as the records give it; else the note's first words
        ratios = [
            figure_record(dataset, i)
            for i in n["refers_to"]
            if i in set(dataset.figures["id"])
            and dataset.figures.loc[dataset.figures["id"] == i, "unit"].iloc[0] == "ratio"
        ]
        if ratios:
            r = ratios[0]
            value = format_value(r["value"], r["unit"], r["qualifier"], r["value_max"])
            notes.append(
                f"The report headlines this rise as {value}, which these counts do not give."
            )
        else:
            notes.append(n["text"].split(". ")[0].rstrip(".") + ".")
    return ViewMeta(
        title=title,
        period=period,
        sources=cite(dataset, rows),
        notes=notes[:2],
        subtitle=subtitle.format(period=period),
        citations=tuple(citations(rows, "key figure")),
        measures=tuple(ordered_measures(rows["measure"])),
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
        dataset,
        list(CASELOAD_IDS),
        "IOM caseload of trafficking for forced criminality",
        "People in the caseload of IOM's offices in the region, by year, {period}",
    )


def _sex_split(
    dataset: Dataset, state: ViewState, bounds, options: ViewOptions
) -> tuple[go.Figure, ViewMeta]:
    ids = [i for _, share, count in SEX_SPLIT_IDS for i in (share, count)]
    fig = _bare(sex_split_chart(dataset))
    for t in fig.data:  # the shares read across, not up the bar
        if t.type == "bar":
            t.textangle = 0
    return fig, _chart_meta(
        dataset,
        ids,
        "Male and female shares of IOM's caseload",
        "Share of the caseload of trafficking for forced criminality (number of cases), {period}",
    )


def _table_citation(country: str, row: dict) -> str:
    """'IOM (February 2024), Protection': the source and its section, without the country's
    name the profile is about."""
    if not row.get("source_short"):
        return row.get("citation", "")
    section = str(row.get("section") or "")
    for lead in (f"{country} — ", f"The {country} — "):
        section = section.removeprefix(lead)
    if section == MEDIA_SECTION:
        return row["source_short"]
    return f"{row['source_short']}, {section}" if section else row["source_short"]


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
                "values": ["Key figure", "Value", "Period", "Source, section"],
                "align": "left",
                "fill_color": "#e9edf2",
                "font": {"size": 13, "color": "#1a1a1a"},
            },
            cells={
                "values": [
                    [r["label"] for r in rows],
                    [r["value"] for r in rows],
                    [r["period"] for r in rows],
                    [_table_citation(data["name"], r) for r in rows],
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
    years = years_text(dataset, state, bounds)
    period = span_text(figs) or years
    return fig, ViewMeta(
        title=f"{data['name']}: key figures",
        period=period,
        sources=cite(dataset, figs) if len(figs) else [report_title(dataset)],
        notes=["Each figure has its own measure and period; none is added to another."]
        if rows
        else ["No key figures in the records for these years."],
        kind="table",
        empty=not rows,
        subtitle=f"Key figures as their sources state them, each with its own period, {period}",
        citations=tuple(citations(figs, "key figure")),
        measures=tuple(ordered_measures(figs["measure"])),
        empty_message=f"No key figures for {data['name']} in the records for {years}."
        if not rows
        else "",
    )


def event_legend(events: pd.DataFrame) -> list[flowmap.LegendEntry]:
    """One entry per kind of event drawn, with its symbol, in the lanes' order."""
    kinds = set(events["kind"])
    out = []
    for lane, lane_kinds in LANES.items():
        for k in lane_kinds:
            if k in kinds:
                out.append(
                    flowmap.LegendEntry(
                        "marker",
                        k.replace("_", " ").capitalize(),
                        EVENT_COLOUR,
                        symbol=EVENT_SYMBOLS.get(k, "circle"),
                        size=9,
                        group=lane,
                    )
                )
    return out


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
    notes = []
    if state.year_from is None and state.year_to is None and not options.events and len(events):
        # a few old events (laws of years before the records' routes) would squeeze the years
        # the records are about into a corner: they are left out, and counted in a note
        years = events["date_start"].str[:4].astype(int)
        earlier = events[years < lo]
        if len(earlier) and len(earlier) <= len(events) // 4:
            first, last = int(years[years < lo].min()), int(years[years < lo].max())
            span = str(first) if first == last else f"{first}–{last}"
            notes.append(
                f"Not drawn: {len(earlier)} earlier event{'s' if len(earlier) > 1 else ''} "
                f"({span}); choose the years to include them."
            )
            events = events[years >= lo]
    fig = build_time_strip(dataset, events, (lo, hi))
    if len(events):
        spans = [date_span(s, e) for s, e in zip(events["date_start"], events["date_end"])]
        first = min(s for s, _ in spans)
        last = max(e for _, e in spans)
        pad = max(20, (last - first).days // 40)
        # every event drawn is in view, with room for its mark at either end
        fig.update_xaxes(
            range=[
                (first - pd.Timedelta(days=pad)).isoformat(),
                (last + pd.Timedelta(days=pad)).isoformat(),
            ]
        )
        years = sorted({s.year for s, _ in spans} | {e.year for _, e in spans})
        period = str(years[0]) if years[0] == years[-1] else f"{years[0]}–{years[-1]}"
    else:
        period = years_text(dataset, state, bounds)
    lanes = [lane for lane in LANES if (events["kind"].map(LANE_OF) == lane).any()]
    words = and_list([LANE_WORDS.get(lane, lane.lower()) for lane in lanes]) or "events"
    who = who_text(state)
    return fig, ViewMeta(
        title=f"Dated events: {words}" + (f" ({who})" if who else ""),
        period=period,
        sources=cite(dataset, events),
        kind="chart",
        empty=events.empty,
        subtitle=f"One mark per event, at the date its source gives, {period}",
        notes=(["A pale bar spans the month or year of an event given without a day."] + notes)
        if len(events)
        else [],
        citations=tuple(citations(events, "event")),
        empty_message="No dated event in the records for this selection." if events.empty else "",
        legend=tuple(event_legend(events)) if len(events) else (),
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
    """What a briefing slide or an export may set beyond the filters."""

    frame: object = None  # a cluster key, an ISO3 code or a list of them (maps)
    events: tuple[str, ...] = ()  # the events a slide shows (events view); empty: all
    max_rows: int | None = None  # rows of a table that fit the medium; the rest are counted
    layout: flowmap.Layout | None = None  # maps and Sankeys: built at this size at once
    build: bool = True  # False: maps and Sankeys return no figure, only what it needs (meta)


def build_view(
    dataset: Dataset,
    view: str,
    state: ViewState,
    bounds: tuple[int, int],
    options: ViewOptions | None = None,
) -> tuple[go.Figure, ViewMeta]:
    if view not in VIEWS:
        raise ViewError(f"unknown view {view!r}; choose one of: {', '.join(VIEWS)}")
    fig, meta = VIEWS[view](dataset, state, bounds, options or ViewOptions())
    return fig, replace(meta, used=sources_used(dataset, meta.citations))
