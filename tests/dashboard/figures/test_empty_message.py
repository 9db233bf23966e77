"""The words a map says when a filter hides everything read as a sentence."""

from dashboard.figures.selection import empty_message
from dashboard.state import parse_query


def test_a_years_only_filter_reads_without_a_stray_for(bundled):
    text, suggestions = empty_message(bundled, parse_query("?year=1999")[0])
    assert text == "No route or place figure in 1999."
    assert suggestions


def test_a_nationality_filter_keeps_its_for(bundled):
    text, _ = empty_message(bundled, parse_query("?nationality=IDN&measure=deported&year=2022")[0])
    assert text.startswith("No route or place figure for people of Indonesia")
