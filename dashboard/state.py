"""The whole view state lives in the URL's query string: a link reproduces the view.

`/?year=2023&nationality=IDN,VNM&country=MMR&measure=rescued&view=map` — parsing never fails:
a value that cannot be used is dropped and named in the returned messages. Defaults are left
out of the URL, so the plain address is the default view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlencode

from geodata.filters import (
    DEFAULT_FORMS,
    FilterError,
    Filters,
    parse_codes,
    parse_forms,
    parse_measure,
    parse_years,
)

VIEWS = ("map", "sankey", "table", "overview")
# Map layers a reader can switch: trafficking routes, return movements, places, dated events,
# the IOM offices' own figures (as labelled numbers), and movements the sources do not call
# trafficking (a job move, migrant workers). The first three are on by default.
LAYERS = ("routes", "returns", "places", "events", "offices", "other")
DEFAULT_LAYERS = ("routes", "returns", "places")
LAYER_MOVEMENTS = {"routes": "trafficking", "returns": "return", "other": "other"}
# The form-of-exploitation control offers these choices; a link may hold any combination.
FORM_CHOICES = {
    "forced_criminality": ("forced_criminality", "all_forms"),
    "organ_removal": ("organ_removal",),
    "sexual_exploitation": ("sexual_exploitation",),
    "other": ("other",),
    "every": ("forced_criminality", "organ_removal", "sexual_exploitation", "other", "all_forms"),
}
WIDTHS = ("same", "count")  # every counted route alike, or width by count (one measure only)
FILTER_KEYS = (
    "year",
    "nationality",
    "origin",
    "destination",
    "form",
    "measure",
    "width",
    "layers",
    "country",
    "route",
)
QUERY_KEYS = (*FILTER_KEYS, "view")
ID_SHAPE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class ViewState:
    year_from: int | None = None
    year_to: int | None = None
    nationality: tuple[str, ...] = ()
    origin: tuple[str, ...] = ()
    destination: tuple[str, ...] = ()
    forms: tuple[str, ...] = DEFAULT_FORMS
    measure: str | None = None  # None: every measure, each route labelled with its own
    width: str = "same"
    layers: tuple[str, ...] = DEFAULT_LAYERS
    country: str | None = None  # the open country profile
    route: str | None = None  # the open route card
    view: str = "map"

    @property
    def movements(self) -> tuple[str, ...]:
        """Kinds of movement the route layers show (empty: no route layer is on)."""
        return tuple(m for layer, m in LAYER_MOVEMENTS.items() if layer in self.layers)

    @property
    def filters(self) -> Filters:
        """Filters for the records: years, people, countries, forms, kinds of movement and the
        measure. With every route layer off, `movements` is empty and the caller shows none."""
        return Filters(
            self.year_from,
            self.year_to,
            self.nationality,
            self.origin,
            self.destination,
            self.measure,
            forms=self.forms,
            movements=self.movements,
        )

    @property
    def width_by_count(self) -> bool:
        return self.width == "count" and self.measure is not None

    @property
    def form_choice(self) -> str | None:
        """The form control's choice for these forms (None: a combination only a link gives)."""
        for key, forms in FORM_CHOICES.items():
            if set(forms) == set(self.forms):
                return key
        return None

    def with_(self, **changes: object) -> ViewState:
        return replace(self, **changes)


def _year_text(state: ViewState) -> str | None:
    if state.year_from is None and state.year_to is None:
        return None
    if state.year_from == state.year_to:
        return str(state.year_from)
    return f"{state.year_from}-{state.year_to}"


def _choices(options: tuple[str, ...], what: str):
    def parse(text: str) -> tuple[str, ...]:
        values = tuple(dict.fromkeys(v.strip() for v in text.split(",") if v.strip()))
        bad = [v for v in values if v not in options]
        if bad:
            raise FilterError(f"{', '.join(map(repr, bad))}: {what} are {', '.join(options)}")
        return values

    return parse


def _choice(options: tuple[str, ...]):
    def parse(text: str) -> str:
        if text not in options:
            raise FilterError(f"{text!r} is not one of {', '.join(options)}")
        return text

    return parse


def _one_code(text: str) -> str | None:
    codes = parse_codes(text)
    if len(codes) > 1:
        raise FilterError("give one country")
    return codes[0] if codes else None


def _route_id(text: str) -> str:
    if not ID_SHAPE.match(text):
        raise FilterError(f"{text!r} is not a route id")
    return text


def parse_query(search: str | None) -> tuple[ViewState, list[str]]:
    """The state a query string describes, and a message for each value that was dropped.

    A key given twice counts once, by its first value (as the downloads read it)."""
    params = {
        k: v[0] for k, v in parse_qs((search or "").lstrip("?"), keep_blank_values=True).items()
    }
    messages: list[str] = []
    state = ViewState()

    def attempt(name: str, parse, apply) -> None:
        nonlocal state
        if name not in params:
            return
        try:
            state = apply(state, parse(params[name]))
        except FilterError as exc:
            messages.append(f"Ignored {name}: {exc}")

    attempt("year", parse_years, lambda s, v: s.with_(year_from=v[0], year_to=v[1]))
    attempt("nationality", parse_codes, lambda s, v: s.with_(nationality=v))
    attempt("origin", parse_codes, lambda s, v: s.with_(origin=v))
    attempt("destination", parse_codes, lambda s, v: s.with_(destination=v))
    attempt("form", parse_forms, lambda s, v: s.with_(forms=v or DEFAULT_FORMS))
    attempt("measure", parse_measure, lambda s, v: s.with_(measure=v))
    attempt("width", _choice(WIDTHS), lambda s, v: s.with_(width=v))
    attempt("layers", _choices(LAYERS, "layers"), lambda s, v: s.with_(layers=v))
    attempt("country", _one_code, lambda s, v: s.with_(country=v))
    attempt("route", _route_id, lambda s, v: s.with_(route=v))
    attempt("view", _choice(VIEWS), lambda s, v: s.with_(view=v))
    if params.get("indicator", "role") != "role":
        # links made before the office figures became a layer: show that layer
        state = state.with_(layers=tuple(dict.fromkeys((*state.layers, "offices"))))
    unknown = sorted(set(params) - set(QUERY_KEYS) - {"indicator"})
    if unknown:
        messages.append(f"Ignored unknown parameter(s): {', '.join(unknown)}")
    return state, messages


def to_query(state: ViewState) -> str:
    """The query string for a state, with defaults left out (so the plain URL is the default)."""
    params: dict[str, str] = {}
    year = _year_text(state)
    if year:
        params["year"] = year
    for name in ("nationality", "origin", "destination"):
        codes = getattr(state, name)
        if codes:
            params[name] = ",".join(codes)
    if tuple(state.forms) != DEFAULT_FORMS:
        params["form"] = ",".join(state.forms)
    if state.measure:
        params["measure"] = state.measure
    if state.width != "same":
        params["width"] = state.width
    if tuple(state.layers) != DEFAULT_LAYERS:
        params["layers"] = ",".join(state.layers)
    if state.country:
        params["country"] = state.country
    if state.route:
        params["route"] = state.route
    if state.view != "map":
        params["view"] = state.view
    return "?" + urlencode(params, safe=",") if params else ""
