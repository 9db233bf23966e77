"""Briefing files: the example loads; a bad file is refused with a message naming the fault."""

from __future__ import annotations

import pytest

from dashboard.briefing.files import BRIEFINGS_DIR, BriefingError, load_briefing
from dashboard.figures.views import VIEWS
from tests.geodata.test_records import _numbers_outside_the_sources

EXAMPLE = BRIEFINGS_DIR / "iom-2024.yaml"


def test_example_briefing_loads(bundled):
    b = load_briefing(EXAMPLE, set(bundled.indicators["id"]))
    assert len(b.slides) >= 4
    assert {s.view for s in b.slides} <= set(VIEWS)
    idn = next(s for s in b.slides if s.state.nationality == ("IDN",))
    assert idn.view == "map" and idn.state.year_from == 2023
    assert all(s.title for s in b.slides)


def test_example_briefing_types_in_no_numbers(bundled):
    """Titles, captions and notes state no number the records do not hold."""
    b = load_briefing(EXAMPLE)
    for s in b.slides:
        for text in (s.title, s.caption, s.note):
            assert not _numbers_outside_the_sources(bundled, text), text


def write(tmp_path, text: str):
    path = tmp_path / "b.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "title: x\nslides:\n  - {view: globe, title: T}\n",
            "b.yaml, slide 1: unknown view 'globe'",
        ),
        (
            "title: x\nslides:\n  - {view: map, title: T}\n  - {view: map, title: U, "
            "filters: {nationalty: IDN}}\n",
            "b.yaml, slide 2: unknown filter(s) 'nationalty'",
        ),
        (
            "title: x\nslides:\n  - {view: map, title: T, filters: {nationality: [IDN, XX]}}\n",
            "not ISO3 country codes: XX",
        ),
        ("title: x\nslides:\n  - {view: map, title: T, filters: {year: 1066}}\n", "out of range"),
        (
            "title: x\nslides:\n  - {view: map, title: T, filters: {measure: smuggled}}\n",
            "measure 'smuggled'",
        ),
        (
            "title: x\nslides:\n  - {view: map, title: T, filters: {indicator: gdp}}\n",
            "unknown indicator 'gdp'",
        ),
        ("title: x\nslides:\n  - {view: profile, title: T}\n", "needs a country"),
        ("title: x\nslides:\n  - {view: map}\n", "needs a title"),
        ("title: x\nslides:\n  - {view: map, title: T, colour: red}\n", "unknown key(s) 'colour'"),
        ("title: x\nslides: []\n", "has no slides"),
        ("title: [unclosed\n", "not valid YAML at line"),
        ("- just\n- a list\n", "expected a mapping"),
    ],
)
def test_bad_briefings_are_refused_by_name(tmp_path, bundled, text, message):
    with pytest.raises(BriefingError) as err:
        load_briefing(write(tmp_path, text), set(bundled.indicators["id"]))
    assert message in str(err.value)


def test_missing_and_binary_files(tmp_path):
    with pytest.raises(BriefingError, match="file not found"):
        load_briefing(tmp_path / "none.yaml")
    path = tmp_path / "bin.yaml"
    path.write_bytes(b"\xff\xfe\x00\x81binary")
    with pytest.raises(BriefingError, match="not UTF-8"):
        load_briefing(path)
