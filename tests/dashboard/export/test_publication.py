"""Figures a journal would print: a title that says what is drawn, a source line of at most two
lines, notes of one line, the sources of what is drawn and nothing else, no empty figure; every
place drawn labelled, no label cut or overlapping another, no text under 7 pt at full width,
a column figure within 110 mm.

The layout checks run on the exported SVG as Chromium draws it (tests/.../svgtext.py).
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from dashboard.export.render import (
    MIN_PT,
    PT_PX,
    EmptyExport,
    Page,
    chrome_for,
    print_figure,
    print_meta,
    wrap,
)
from dashboard.figures.flowmap import short_name
from dashboard.figures.selection import map_content
from dashboard.figures.views import MEDIA_SECTION, REPORT, build_view, drawn_places
from dashboard.state import ViewState
from dashboard.text import MEASURE_LABELS, measure_label
from tests.dashboard.export.conftest import BOUNDS, COLUMN, FULL

DEFAULT = ViewState()
IDN = ViewState(nationality=("IDN",))
VIEWS = [
    ("map", DEFAULT),
    ("map", IDN),
    ("map", ViewState(destination=("MMR",))),
    ("sankey", DEFAULT),
    ("caseload", DEFAULT),
    ("sex-split", DEFAULT),
    ("profile", ViewState(country="PHL")),
    ("events", DEFAULT),
]
MM_PER_PX = 25.4 / 96


def _numbered(rows: pd.DataFrame) -> pd.DataFrame:
    has = rows["count"].notna() | rows["share_pct"].notna()
    return rows[has & (rows["measure"] != "reported_route")]


# ------------------------------------------------------------------ words (no browser)


@pytest.mark.parametrize(("view", "state"), VIEWS)
def test_source_line_is_at_most_two_lines_at_full_width(bundled, view, state):
    meta = print_meta(bundled, view, state, BOUNDS, FULL)
    chrome = chrome_for(meta, FULL)
    assert 1 <= len(chrome.source) <= 2, chrome.source
    line = " ".join(chrome.source)
    assert line.startswith("Source") and "accompanying sources CSV" in line
    # the sections go to the CSV: the line names none
    for used in meta.used:
        for section in used.sections:
            assert section not in line


def test_source_line_counts_the_sources_it_does_not_name(bundled):
    meta = print_meta(bundled, "events", DEFAULT, BOUNDS, FULL)
    line = " ".join(chrome_for(meta, FULL).source)
    others = [u for u in meta.used if u.id != REPORT]
    media = [u for u in others if set(u.sections) == {MEDIA_SECTION}]
    assert len(media) > 4 and len(others) > len(media)  # many sources, of both kinds
    assert f"{len(media)} media reports" in line
    assert f"{len(others) - len(media)} other publications" in line
    assert line.startswith("Sources: IOM (2024), Regional Situation Report")


@pytest.mark.parametrize(("view", "state"), VIEWS)
def test_notes_are_at_most_two_short_lines(bundled, view, state):
    meta = print_meta(bundled, view, state, BOUNDS, FULL)
    chrome = chrome_for(meta, FULL, insets=view == "map")
    assert len(chrome.notes) <= 2
    assert all(len(lines) == 1 for lines in chrome.notes), chrome.notes


def test_indonesia_map_title_names_only_the_measures_it_draws(bundled):
    meta = print_meta(bundled, "map", IDN, BOUNDS, FULL)
    content = map_content(bundled, IDN)
    drawn = set(_numbered(pd.concat([content.flows, content.place_figures]))["measure"])
    assert drawn and "rescued" not in drawn
    words = f"{meta.title} {meta.subtitle} {meta.subtitle_short}"
    for measure in MEASURE_LABELS:
        if re.search(rf"\b{re.escape(measure_label(measure))}\b", words):
            assert measure in drawn, f"{measure_label(measure)!r} is named but not drawn"
    for measure in drawn:
        assert measure_label(measure) in meta.subtitle
    assert "Indonesia" in meta.title


def test_a_measure_chosen_is_named_only_when_drawn(bundled):
    returned = print_meta(bundled, "map", IDN.with_(measure="returned"), BOUNDS, FULL)
    assert not returned.empty and "returned" in returned.subtitle
    assert "rescued" not in returned.title + returned.subtitle
    rescued = print_meta(bundled, "map", IDN.with_(measure="rescued"), BOUNDS, FULL)
    assert rescued.empty  # nothing drawn, nothing titled: the export refuses (below)


def test_sankey_is_titled_by_the_measure_it_draws(bundled):
    meta = print_meta(bundled, "sankey", DEFAULT, BOUNDS, FULL)
    assert meta.measures and meta.title.startswith(f"People {measure_label(meta.measures[0])}")


@pytest.mark.parametrize(
    ("view", "state"),
    [
        ("map", ViewState(year_from=2019, year_to=2019)),
        ("map", IDN.with_(measure="rescued")),
        ("sankey", ViewState(year_from=2019, year_to=2019)),
        ("profile", ViewState(country="PHL", year_from=2019, year_to=2019)),
        ("events", ViewState(year_from=2019, year_to=2019, nationality=("VNM",))),
    ],
)
def test_an_empty_view_is_refused_with_a_message(bundled, view, state):
    with pytest.raises(EmptyExport) as caught:
        print_figure(bundled, view, state, BOUNDS, FULL)
    assert str(caught.value)
    _, meta = build_view(bundled, view, state, BOUNDS)
    assert meta.empty and meta.empty_message == str(caught.value)


def test_sources_are_those_of_what_is_drawn(bundled):
    state = IDN.with_(year_from=2023, year_to=2023)
    meta = print_meta(bundled, "map", state, BOUNDS, FULL)
    content = map_content(bundled, state)
    places = drawn_places(bundled, content, insets=True)
    rows = pd.concat([content.flows, content.place_figures])
    expected = set(rows["source_id"]) | set(places["source_id"].dropna()) - {""}
    assert {u.id for u in meta.used} == expected
    assert "khmer-times-2023-07-26" not in expected  # organ removal: not drawn by default
    report = next(u for u in meta.used if u.id == REPORT)
    assert set(rows.loc[rows["source_id"] == REPORT, "section"]) <= set(report.sections)


def test_full_width_type_is_at_least_7_points(bundled):
    from dashboard.export.render import type_for

    t = type_for(FULL)
    smallest = min(t.body, t.labels * 0.95, t.sankey - 1, t.subtitle, t.title)
    assert smallest >= MIN_PT * PT_PX - 0.01


def test_wrap_keeps_lines_within_the_width():
    from dashboard.figures.labels import text_size

    lines = wrap("Counts of people rescued, returned and repatriated " * 4, 200, 9.5)
    assert len(lines) > 2 and all(text_size(line, 9.5)[0] <= 200 for line in lines)


# ------------------------------------------------------------------ the exported SVG


def test_default_map_at_full_width_keeps_every_label_apart_and_whole(printed):
    p = printed("map", DEFAULT, FULL)
    assert p.measured.overlaps() == [], [(a.text, b.text) for a, b in p.measured.overlaps()]
    assert p.measured.cut() == [], [(t.text, t.geo, t.box) for t in p.measured.cut()]


@pytest.mark.parametrize("page", [FULL, COLUMN], ids=["full", "column"])
def test_every_place_drawn_is_labelled(bundled, printed, page):
    p = printed("map", DEFAULT, page)
    from dashboard.export.render import print_state

    content = map_content(bundled, print_state("map", DEFAULT, page))
    places = drawn_places(bundled, content, insets=page.wide)
    assert len(places) >= (10 if page.wide else 4)
    texts = [t.text for t in p.measured.texts if t.geo]
    for name in places["name"]:
        assert any(short_name(name) in t for t in texts), short_name(name)


@pytest.mark.parametrize(
    ("view", "state"), VIEWS, ids=[f"{v}-{i}" for i, (v, _) in enumerate(VIEWS)]
)
def test_no_text_under_7_points_at_full_width(printed, view, state):
    p = printed(view, state, FULL)
    small = [(t.text, t.font_px) for t in p.measured.texts if t.font_px < MIN_PT * PT_PX - 0.01]
    assert small == []


@pytest.mark.parametrize(
    ("view", "state"), VIEWS, ids=[f"{v}-{i}" for i, (v, _) in enumerate(VIEWS)]
)
def test_no_text_leaves_the_page_or_its_map(printed, view, state):
    for page in (FULL, COLUMN):
        p = printed(view, state, page)
        assert p.measured.cut() == [], [(t.text, t.geo, t.box) for t in p.measured.cut()]


@pytest.mark.parametrize("view", ["map", "sankey", "caseload", "events", "profile"])
def test_column_figures_are_at_most_110_mm_tall(printed, view):
    state = ViewState(country="PHL") if view == "profile" else DEFAULT
    p = printed(view, state, COLUMN)
    height = re.search(r'height="([\d.]+)mm"', p.svg.decode()[:400])
    assert height and float(height.group(1)) <= 110.0
    assert 'width="85mm"' in p.svg.decode()[:400]


def test_column_map_is_its_own_layout(printed):
    p = printed("map", DEFAULT, COLUMN)
    # no insets, the legend below the map across the column, labels larger than the body
    assert not any(k.startswith("geo2") for k in p.fig.layout.to_plotly_json())
    plot_x, plot_y, plot_w, plot_h = p.framed.layout.meta["page"]["plot"]
    legend = [t for t in p.measured.texts if t.geo is None and t.box[1] > plot_y + plot_h]
    assert any("Trafficking route" in t.text for t in legend)
    labels = [t for t in p.measured.texts if t.geo == "geo"]
    body = p.framed.layout.meta["page"]["type"]["body"]
    assert labels and min(t.font_px for t in labels if t.text.isupper() is False) > body


def test_the_full_map_says_what_it_draws(printed):
    p = printed("map", IDN, FULL)
    title = next(t for t in p.measured.texts if "Trafficking routes" in t.text)
    assert "Indonesia" in title.text
    assert "rescued" not in title.text
    assert Page(180).width_css == p.width


def test_default_map_in_a_column_keeps_every_label_apart(printed):
    """A column's map has room for few labels: the smallest route numbers are left off (they
    stay in the hover and the sources CSV) and crowded places keep their names, so that no
    two labels overlap and none is cut."""
    p = printed("map", DEFAULT, COLUMN)
    assert p.measured.overlaps() == [], [(a.text, b.text) for a, b in p.measured.overlaps()]
    assert p.measured.cut() == []


def test_a_map_in_a_column_keeps_its_labels_apart_where_it_has_room(printed):
    p = printed("map", IDN, COLUMN)
    assert p.measured.overlaps() == [], [(a.text, b.text) for a, b in p.measured.overlaps()]
    assert p.measured.cut() == []
