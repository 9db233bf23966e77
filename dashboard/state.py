"""The whole view state lives in the URL's query string: a link reproduces the view.

`/?year=2023&nationality=IDN,VNM&country=MMR&measure=rescued&view=map` — parsing never fails:
a value that cannot be used is dropped and named in the returned messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlencode

from geodata.filters import (
    FilterError,
    Filters,
    parse_codes,
    parse_measure,
    parse_years,
)

VIEWS = ("map", "sankey", "table", "overview")
FILTER_KEYS = ("year", "nationality", "origin", "destination", "measure", "country", "indicator")
QUERY_KEYS = (*FILTER_KEYS, "view")
INDICATOR_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class ViewState:
    year_from: int | None = None
    year_to: int | None = None
    nationality: tuple[str, ...] = ()
    origin: tuple[str, ...] = ()
    destination: tuple[str, ...] = ()
    measure: str | None = None  # the measure that sizes the flows
    country: str | None = None  # the open country profile
    view: str = "map"
    indicator: str = "role"

    @property
    def filters(self) -> Filters:
        """Filters for the records; the measure only sizes flows, it does not hide routes."""
        return Filters(
            self.year_from, self.year_to, self.nationality, self.origin, self.destination
        )

    def with_(self, **changes: object) -> ViewState:
        return replace(self, **changes)


def _year_text(state: ViewState) -> str | None:
    if state.year_from is None and state.year_to is None:
        return None
    if state.year_from == state.year_to:
        return str(state.year_from)
    return f"{state.year_from}-{state.year_to}"


def parse_query(search: str | None) -> tuple[ViewState, list[str]]:
    """The state a query string describes, and a message for each value that was dropped."""
    params = {k: v[-1] for k, v in parse_qs((search or "").lstrip("?")).items()}
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
    attempt("measure", parse_measure, lambda s, v: s.with_(measure=v))

    def one_code(text: str) -> str | None:
        codes = parse_codes(text)
        if len(codes) > 1:
            raise FilterError("give one country")
        return codes[0] if codes else None

    attempt("country", one_code, lambda s, v: s.with_(country=v))

    def choice(options: tuple[str, ...]):
        def parse(text: str) -> str:
            if text not in options:
                raise FilterError(f"{text!r} is not one of {', '.join(options)}")
            return text

        return parse

    attempt("view", choice(VIEWS), lambda s, v: s.with_(view=v))

    def indicator(text: str) -> str:
        # which indicators exist is the dataset's to say; here only the shape is checked
        if not INDICATOR_ID.match(text):
            raise FilterError(f"{text!r} is not an indicator id")
        return text

    attempt("indicator", indicator, lambda s, v: s.with_(indicator=v))
    unknown = sorted(set(params) - set(QUERY_KEYS))
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
    if state.measure:
        params["measure"] = state.measure
    if state.country:
        params["country"] = state.country
    if state.view != "map":
        params["view"] = state.view
    if state.indicator != "role":
        params["indicator"] = state.indicator
    return "?" + urlencode(params, safe=",") if params else ""
