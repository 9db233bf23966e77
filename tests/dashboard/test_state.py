"""The URL is the state: parsing is forgiving, writing is canonical, and they round-trip."""

from __future__ import annotations

import pytest

from dashboard.state import ViewState, parse_query, to_query


def test_round_trip():
    state = ViewState(
        year_from=2022,
        year_to=2023,
        nationality=("IDN", "VNM"),
        country="MMR",
        measure="rescued",
        view="sankey",
    )
    query = to_query(state)
    assert query == "?year=2022-2023&nationality=IDN,VNM&measure=rescued&country=MMR&view=sankey"
    assert parse_query(query) == (state, [])


def test_defaults_leave_the_url_plain():
    assert to_query(ViewState()) == ""
    assert parse_query("") == (ViewState(), [])


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?year=soon", "Ignored year"),
        ("?nationality=IDN,XX", "Ignored nationality"),
        ("?country=MMR,THA", "give one country"),
        ("?view=globe", "Ignored view"),
        ("?measure=smuggled", "Ignored measure"),
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


def test_indicator_ids_survive_the_url():
    state, messages = parse_query("?indicator=iom-office-caseload-2023")
    assert state.indicator == "iom-office-caseload-2023" and messages == []
    assert parse_query(to_query(state))[0] == state
