"""The URL is the state: parsing is forgiving, writing is canonical, and they round-trip."""

from __future__ import annotations

import pytest

from dashboard.state import DEFAULT_LAYERS, ViewState, parse_query, to_query
from geodata.filters import DEFAULT_FORMS


def test_round_trip():
    state = ViewState(
        year_from=2022,
        year_to=2023,
        nationality=("IDN", "VNM"),
        country="MMR",
        measure="rescued",
        width="count",
        forms=("organ_removal",),
        layers=("routes", "events"),
        route="idn-khm-2023",
        view="sankey",
    )
    query = to_query(state)
    assert query == (
        "?year=2022-2023&nationality=IDN,VNM&form=organ_removal&measure=rescued&width=count"
        "&layers=routes,events&country=MMR&route=idn-khm-2023&view=sankey"
    )
    assert parse_query(query) == (state, [])


def test_defaults_leave_the_url_plain():
    assert to_query(ViewState()) == ""
    assert parse_query("") == (ViewState(), [])
    state = ViewState()
    assert state.forms == DEFAULT_FORMS and state.layers == DEFAULT_LAYERS
    assert state.movements == ("trafficking", "return")


def test_every_layer_off_is_kept_and_means_no_routes():
    state, messages = parse_query("?layers=")
    assert messages == [] and state.layers == () and state.movements == ()
    assert to_query(state) == "?layers="


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?year=soon", "Ignored year"),
        ("?nationality=IDN,XX", "Ignored nationality"),
        ("?country=MMR,THA", "give one country"),
        ("?view=globe", "Ignored view"),
        ("?measure=smuggled", "Ignored measure"),
        ("?form=slavery", "Ignored form"),
        ("?layers=routes,rivers", "Ignored layers"),
        ("?width=thick", "Ignored width"),
        ("?route=../../etc", "Ignored route"),
        ("?zoom=3", "unknown parameter"),
    ],
)
def test_bad_values_are_dropped_with_a_message(query, message):
    state, messages = parse_query(query)
    assert state == ViewState()
    assert any(message in m for m in messages), messages


def test_one_bad_value_keeps_the_good_ones():
    state, messages = parse_query("?year=2023&nationality=IDN,QQ1")
    assert state.year_from == 2023 and state.nationality == ()
    assert len(messages) == 1


def test_a_repeated_key_counts_once_by_its_first_value():
    state, _ = parse_query("?nationality=IDN&nationality=VNM")
    assert state.nationality == ("IDN",)


def test_old_indicator_links_turn_on_the_office_figures_layer():
    state, messages = parse_query("?indicator=iom-office-caseload-2023")
    assert messages == [] and "offices" in state.layers
    assert parse_query("?indicator=role")[0] == ViewState()


def test_width_by_count_needs_one_measure():
    assert not ViewState(width="count").width_by_count
    assert ViewState(width="count", measure="rescued").width_by_count
