"""The year slider's labels: both ends always, few enough to stay apart at any span."""

import pytest

from layouts.explorer import year_marks


@pytest.mark.parametrize("first, last", [(2022, 2023), (2018, 2023), (2002, 2023), (1990, 2025)])
def test_the_ends_are_labelled_and_labels_never_crowd(first, last):
    marks = sorted(year_marks(first, last))
    assert marks[0] == first and marks[-1] == last
    assert len(marks) <= 5
    gaps = [b - a for a, b in zip(marks, marks[1:], strict=False)]
    if last - first > 4:  # a long span: no two labels of neighbouring years
        assert min(gaps) >= 2, marks


def test_a_short_span_labels_every_year():
    assert list(year_marks(2020, 2023)) == [2020, 2021, 2022, 2023]
