"""What a view state puts on the map, and what to say when it puts nothing there.

Routes with two or more nodes are flows (lines). A count recorded at one named place, or
leaving one, is a place figure (a symbol at the place). A count recorded for a whole country
with no place is a country figure: it belongs to the country's profile and the headline band,
never to a point such as the capital.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from dashboard.state import LAYER_MOVEMENTS, ViewState, to_query
from dashboard.text import FORM_LABELS, MOVEMENT_LABELS, measure_label, plural
from geodata.cases.join import merge_case_years
from geodata.countries import country_name
from geodata.dataset import Dataset
from geodata.filters import DEFAULT_FORMS, FORMS, Filters, filter_events, filter_routes


def route_ends(routes: pd.DataFrame) -> pd.Series:
    """'flow', 'at' or 'from' per route (the loader's `end`, derived when a frame lacks it)."""
    if "end" in routes.columns:
        return routes["end"]
    lengths = routes["path"].map(len)
    only_start = routes["destination"].isna() | (routes["destination"] == "")
    return pd.Series(
        ["flow" if n > 1 else ("from" if s else "at") for n, s in zip(lengths, only_start)],
        index=routes.index,
        dtype=object,
    )


def selected_routes(dataset: Dataset, state: ViewState) -> pd.DataFrame:
    """Routes that pass the filters and whose kind of movement has its layer on."""
    if not state.movements:
        return dataset.routes.iloc[0:0]
    return filter_routes(dataset.routes, state.filters)


@dataclass
class MapContent:
    flows: pd.DataFrame  # routes drawn as lines
    place_figures: pd.DataFrame  # routes counted at a named place, or leaving one
    country_figures: pd.DataFrame  # routes counted for a whole country: not drawn
    places: pd.DataFrame  # locations drawn as markers
    events: pd.DataFrame  # dated events drawn at their places
    offices: pd.DataFrame  # the IOM offices' own figures, by country
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.flows.empty and self.place_figures.empty


CASE_MEASURE = "case_records"


def shown_routes(dataset: Dataset, state: ViewState) -> pd.DataFrame:
    """The routes a map or a Sankey draws for a view: `selected_routes`, with a case flow's
    yearly rows joined for the years chosen (geodata.cases.join), and case records only when
    the view asks for them by measure: 'every measure' is the report's, so a user's case data
    never crowds out the report's routes unasked (the table lists both)."""
    routes = selected_routes(dataset, state)
    if state.measure is None and len(routes):
        routes = routes[routes["measure"] != CASE_MEASURE]
    return merge_case_years(routes)


def holds_case_records(dataset: Dataset) -> bool:
    return bool((dataset.routes["measure"] == CASE_MEASURE).any())


# the last view's content: one answer asks for it several times (map, legend, empty-map
# message), and a crowded view costs tens of ms to select; a new view replaces it
_LAST_CONTENT: list[tuple[Dataset, ViewState, MapContent]] = []


def map_content(dataset: Dataset, state: ViewState) -> MapContent:
    last = _LAST_CONTENT[0] if _LAST_CONTENT else None
    if last is not None and last[0] is dataset and last[1] == state:
        return last[2]
    content = _map_content(dataset, state)
    _LAST_CONTENT[:] = [(dataset, state, content)]
    return content


def _map_content(dataset: Dataset, state: ViewState) -> MapContent:
    routes = shown_routes(dataset, state)
    ends = route_ends(routes)
    single = routes[ends != "flow"]
    node = single["destination"].where(ends[ends != "flow"] == "at", single["origin"])
    is_place = node.isin(set(dataset.locations["id"]))
    places = dataset.locations.iloc[0:0]
    if "places" in state.layers:
        places = dataset.locations
    events = dataset.events.iloc[0:0]
    if "events" in state.layers:
        events = filter_events(dataset.events, dataset.figures, state.filters)
        events = events[events["location_id"].notna() & (events["location_id"] != "")]
    offices = dataset.figures.iloc[0:0]
    if "offices" in state.layers and "indicator" in dataset.figures.columns:
        figs = dataset.figures[dataset.figures["indicator"].notna()]
        offices = _in_years(figs, state.filters)
    return MapContent(
        flows=routes[ends == "flow"],
        place_figures=single[is_place].assign(place=node[is_place]),
        country_figures=single[~is_place].assign(place=node[~is_place]),
        places=places,
        events=events,
        offices=offices,
    )


def _in_years(frame: pd.DataFrame, f: Filters) -> pd.DataFrame:
    keep = pd.Series(True, index=frame.index)
    if f.year_from is not None:
        keep &= frame["year_end"] >= f.year_from
    if f.year_to is not None:
        keep &= frame["year_start"] <= f.year_to
    return frame[keep]


def sankey_selection(dataset: Dataset, state: ViewState) -> tuple[pd.DataFrame, str | None]:
    """(every measure's routes for the view, case flows' years joined; the measure drawn): the
    view's own, or the report's measure with the most counted flows (case records only when
    asked for). The Sankey draws one measure and lists what it leaves out."""
    routes = merge_case_years(selected_routes(dataset, state.with_(measure=None)))
    if state.measure:
        return routes, state.measure
    return routes, sankey_measure(routes[routes["measure"] != CASE_MEASURE])


def sankey_measure(routes) -> str | None:
    """The measure with the most counted routes that are flows (ties: alphabetical)."""
    flows = routes[(routes["path"].map(len) > 1) & routes["count"].notna()]
    if flows.empty:
        return None
    tally = flows["measure"].value_counts()
    best = tally.max()
    return sorted(tally[tally == best].index)[0]


# ---------------------------------------------------------------- when nothing is left


@dataclass(frozen=True)
class Suggestion:
    text: str  # "3 routes of Indonesians are counted as returned: show them"
    state: ViewState

    @property
    def query(self) -> str:
        return to_query(self.state) or "?"


def _drawn(dataset: Dataset, state: ViewState) -> pd.DataFrame:
    content = map_content(dataset, state)
    return pd.concat([content.flows, content.place_figures])


def _people(state: ViewState) -> str:
    if not state.nationality:
        return ""
    return " of nationals of " + ", ".join(country_name(c) for c in state.nationality)


def _describe(dataset: Dataset, state: ViewState) -> str:
    """The filters of a state in words, for 'No route ... matches'."""
    parts = []
    if state.nationality:
        parts.append("people of " + ", ".join(country_name(c) for c in state.nationality))
    if state.origin:
        parts.append("from " + ", ".join(country_name(c) for c in state.origin))
    if state.destination:
        parts.append("to " + ", ".join(country_name(c) for c in state.destination))
    if state.measure:
        parts.append("counted as " + measure_label(state.measure))
    if state.year_from is not None:
        lo, hi = state.year_from, state.year_to
        parts.append(f"in {lo}" if lo == hi else f"in {lo}–{hi}")
    if tuple(state.forms) != DEFAULT_FORMS:
        parts.append("of " + " or ".join(FORM_LABELS.get(f, f).lower() for f in state.forms))
    return ", ".join(parts) if parts else "these filters"


def empty_message(dataset: Dataset, state: ViewState) -> tuple[str, list[Suggestion]] | None:
    """None when the map shows something; else what is filtered out and the nearest views
    that have data, each relaxing one filter (measure, form, layers, years, countries)."""
    if not _drawn(dataset, state).empty:
        return None
    if not state.movements:
        text = "Every route layer is switched off."
        return text, [
            Suggestion(
                "Show trafficking routes and returns",
                state.with_(layers=tuple(dict.fromkeys(("routes", "returns", *state.layers)))),
            )
        ]
    years = sorted(set(dataset.routes["year_start"]) | set(dataset.routes["year_end"]))
    described = _describe(dataset, state)
    # "for people of X", but "in 1999" and "from X" carry their own preposition
    joined = (
        described
        if described.startswith(("in ", "from ", "to ", "of ", "counted "))
        else (f"for {described}")
    )
    text = f"No route or place figure {joined}."
    out: list[Suggestion] = []

    def offer(candidate: ViewState, make_text) -> None:
        found = _drawn(dataset, candidate)
        if not found.empty:
            out.append(Suggestion(make_text(found), candidate))

    if state.measure:

        def counted(found: pd.DataFrame) -> str:
            numbered = found[found["measure"] != "reported_route"]
            measures = [measure_label(m) for m in dict.fromkeys(numbered["measure"])]
            parts = []
            if len(numbered):
                verb = "is" if len(numbered) == 1 else "are"
                parts.append(
                    f"{plural(len(numbered), 'route')}{_people(state)} {verb} counted as "
                    + ", ".join(measures)
                )
            unnumbered = len(found) - len(numbered)
            if unnumbered:
                lead = (
                    f"{unnumbered:,} more"
                    if parts
                    else plural(unnumbered, "route") + _people(state)
                )
                parts.append(f"{lead} reported without a number")
            return "; ".join(parts) + ": show them"

        offer(state.with_(measure=None, width="same"), counted)
    if tuple(state.forms) != tuple(FORMS):

        def other_forms(found: pd.DataFrame) -> str:
            forms = [
                FORM_LABELS.get(f, "form not stated").lower() for f in dict.fromkeys(found["form"])
            ]
            return f"{plural(len(found), 'route')}{_people(state)} of {', '.join(forms)}: show them"

        offer(state.with_(forms=tuple(FORMS)), other_forms)
    hidden_layers = [layer for layer in LAYER_MOVEMENTS if layer not in state.layers]
    if hidden_layers:

        def movements(found: pd.DataFrame) -> str:
            kinds = [MOVEMENT_LABELS.get(m, m).lower() for m in dict.fromkeys(found["movement"])]
            return f"{plural(len(found), 'route')}{_people(state)}: {', '.join(kinds)}: show them"

        offer(state.with_(layers=tuple(dict.fromkeys((*state.layers, *hidden_layers)))), movements)
    if state.year_from is not None and years:
        last = int(max(years))

        def all_years(found: pd.DataFrame) -> str:
            span = f"{int(min(years))}–{last}"
            return f"The records cover {span}: show all years ({plural(len(found), 'route')})"

        offer(state.with_(year_from=None, year_to=None), all_years)
    for key, label in (("origin", "origins"), ("destination", "destinations")):
        if getattr(state, key):
            offer(
                state.with_(**{key: ()}),
                lambda found, label=label: f"Show all {label} ({plural(len(found), 'route')})",
            )
    if state.nationality and not out:
        offer(
            state.with_(nationality=()),
            lambda found: f"Show all nationalities ({plural(len(found), 'route')})",
        )
    if not out:
        out.append(Suggestion("Reset every filter", ViewState(view=state.view)))
    return text, out[:3]
