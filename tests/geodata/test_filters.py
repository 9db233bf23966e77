"""Filters by form of exploitation and kind of movement; their parsing."""

from __future__ import annotations

import pandas as pd
import pytest

from geodata import filters as flt
from geodata import schema
from geodata.filters import (
    DEFAULT_FORMS,
    DEFAULT_MOVEMENTS,
    FORMS,
    MOVEMENTS,
    FilterError,
    Filters,
    filter_events,
    filter_figures,
    filter_routes,
    parse_filters,
    parse_forms,
    parse_movements,
)


def test_constants():
    assert FORMS == (
        "forced_criminality",
        "organ_removal",
        "sexual_exploitation",
        "other",
        "all_forms",
    )
    assert MOVEMENTS == ("trafficking", "return", "other")
    assert DEFAULT_FORMS == ("forced_criminality", "all_forms")
    assert DEFAULT_MOVEMENTS == ("trafficking", "return")
    assert set(DEFAULT_FORMS) <= set(FORMS) and set(DEFAULT_MOVEMENTS) <= set(MOVEMENTS)
    assert flt.FORMS is schema.FORMS and flt.MOVEMENTS is schema.MOVEMENTS


def test_filters_default_to_everything():
    f = Filters()
    assert f.forms == () and f.movements == ()


def test_parse_forms_and_movements():
    assert parse_forms("forced_criminality,organ_removal") == (
        "forced_criminality",
        "organ_removal",
    )
    assert parse_forms(" Organ_Removal , organ_removal ") == ("organ_removal",)
    assert parse_forms(["all_forms"]) == ("all_forms",)
    assert parse_forms(None) == () and parse_forms("") == ()
    assert parse_movements("trafficking,return") == ("trafficking", "return")
    assert parse_movements(None) == ()


@pytest.mark.parametrize(
    ("parse", "text", "bad", "allowed"),
    [
        (parse_forms, "forced_criminality,forced_labour,kidneys", "forced_labour, kidneys", FORMS),
        (parse_movements, "trafficking,smuggling", "smuggling", MOVEMENTS),
    ],
)
def test_unknown_values_are_refused_by_name(parse, text, bad, allowed):
    with pytest.raises(FilterError) as err:
        parse(text)
    message = str(err.value)
    assert bad in message
    assert all(a in message for a in allowed)


def test_parse_filters_takes_form_and_movement():
    f = parse_filters(year="2023", form="organ_removal", movement="return")
    assert (f.year_from, f.forms, f.movements) == (2023, ("organ_removal",), ("return",))
    assert parse_filters().forms == () and parse_filters().movements == ()
    with pytest.raises(FilterError):
        parse_filters(form="nonsense")


def _routes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["fc", "organ", "none", "back", "moved"],
            "year_start": [2023] * 5,
            "year_end": [2023] * 5,
            "nationality": ["IDN"] * 5,
            "origin_iso3": ["IDN"] * 5,
            "destination_iso3": ["KHM", "KHM", "KHM", None, "THA"],
            "measure": ["rescued"] * 5,
            "form": pd.Series(
                ["forced_criminality", "organ_removal", None, "forced_criminality", None],
                dtype=object,
            ),
            "movement": ["trafficking", "trafficking", "trafficking", "return", "other"],
        }
    )


def test_filter_routes_by_form_keeps_routes_without_a_form():
    routes = _routes()
    kept = filter_routes(routes, Filters(forms=("organ_removal",)))
    assert list(kept["id"]) == ["organ", "none", "moved"]
    assert list(filter_routes(routes, Filters())["id"]) == list(routes["id"])


def test_filter_routes_by_movement():
    routes = _routes()
    kept = filter_routes(routes, Filters(movements=DEFAULT_MOVEMENTS))
    assert list(kept["id"]) == ["fc", "organ", "none", "back"]
    kept = filter_routes(routes, Filters(forms=DEFAULT_FORMS, movements=("return",)))
    assert list(kept["id"]) == ["back"]


def test_filter_routes_without_form_or_movement_columns_keeps_everything():
    routes = _routes().drop(columns=["form", "movement"])
    kept = filter_routes(routes, Filters(forms=("organ_removal",), movements=("return",)))
    assert len(kept) == len(routes)


def test_filter_figures_and_events_by_form():
    figures = pd.DataFrame(
        {
            "id": ["f1", "f2", "f3"],
            "year_start": [2023] * 3,
            "year_end": [2023] * 3,
            "nationality": [None, "IDN", None],
            "form": pd.Series(["all_forms", "organ_removal", None], dtype=object),
        }
    )
    kept = filter_figures(figures, Filters(forms=DEFAULT_FORMS))
    assert list(kept["id"]) == ["f1", "f3"]
    events = pd.DataFrame(
        {
            "id": ["e1", "e2", "e3"],
            "date_start": ["2023-05", "2023-07-31", "2023"],
            "figure_ids": [["f1"], ["f2"], []],
            "country": ["PHL", "IDN", "LAO"],
            "form": pd.Series(["forced_criminality", "organ_removal", None], dtype=object),
        }
    )
    kept = filter_events(events, figures, Filters(forms=("organ_removal",)))
    assert list(kept["id"]) == ["e2", "e3"]
    kept = filter_events(events, figures, Filters(year_from=2023, forms=DEFAULT_FORMS))
    assert list(kept["id"]) == ["e1", "e3"]


def test_bundled_default_selection(bundled):
    """The default selection hides organ removal, sexual exploitation and other movements, and
    choosing organ removal shows the kidney route."""
    default = Filters(forms=DEFAULT_FORMS, movements=DEFAULT_MOVEMENTS)
    routes = filter_routes(bundled.routes, default)
    assert "idn-khm-kidney-122" not in set(routes["id"])
    assert "tst-nasim-dubai-mae-sot" not in set(routes["id"])
    assert "sez-iom-assisted-2023" in set(routes["id"])
    figures = filter_figures(bundled.figures, default)
    assert "idn-batam-women-2023-08" not in set(figures["id"])
    assert "mmr-caseload-2023" in set(figures["id"])
    organ = filter_routes(bundled.routes, Filters(forms=("organ_removal",)))
    assert "idn-khm-kidney-122" in set(organ["id"])
    # 'other' movements have no form, so a form filter alone keeps them
    assert set(organ["id"]) - {"idn-khm-kidney-122"} <= {
        "mmr-sez-migrant-workers",
        "tst-nasim-dubai-mae-sot",
    }
    events = filter_events(bundled.events, bundled.figures, Filters(forms=("organ_removal",)))
    assert "evt-idn-bali-officers-arrest-2023-07" in set(events["id"])
    assert "evt-phl-clark-2023-05" not in set(events["id"])
