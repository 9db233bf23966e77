"""The words shown for codes: every form and kind of movement has one, and labels are short."""

from __future__ import annotations

from dashboard.text import FORM_LABELS, MOVEMENT_LABELS, short_count, short_period
from geodata.filters import FORMS, MOVEMENTS


def test_every_code_has_words():
    assert set(FORM_LABELS) == set(FORMS)
    assert set(MOVEMENT_LABELS) == set(MOVEMENTS)


def test_short_counts_and_periods():
    assert short_count(600, "at_least") == "600+"
    assert short_count(120000, "about") == "~120,000"
    assert short_count(float("nan"), "unknown") == ""
    assert short_period(2023, 2023, "first half of 2023") == "H1 2023"
    assert short_period(2023, 2023, "January to November 2023") == "Jan–Nov 2023"
    assert short_period(2023, 2023, "June") == "Jun 2023"
    assert short_period(2022, 2023, None) == "2022–2023"
