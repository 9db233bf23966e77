"""What a projected slide holds at the size it is shown: type and lines scale with the screen,
tables and event lists keep to what fits, the explorer link reproduces the view. Expected
numbers and words are read from the records."""

from __future__ import annotations

import itertools

import pytest

from dashboard.briefing import slides
from dashboard.briefing.files import BRIEFINGS_DIR, load_briefing
from dashboard.briefing.slides import Screen
from dashboard.figures.views import ViewOptions, build_view
from dashboard.state import parse_query
from dashboard.text import format_number

BOUNDS = (2019, 2024)
SIZES = [(1920, 1080), (1280, 720)]


def example(bundled):
    return load_briefing(BRIEFINGS_DIR / "iom-2024.yaml", dataset=bundled)


def screen_for(size, title="A title", caption="A caption") -> Screen:
    return slides.estimate_screen(*size, title, caption, "Source: IOM. Period: 2023.", 5)


def test_the_type_scale_is_two_thirds_at_720p():
    big, small = screen_for(SIZES[0]), screen_for(SIZES[1])
    assert big.u == 1 and small.u == pytest.approx(2 / 3)
    assert big.px("caption") >= 32 and small.px("caption") >= 32 * 2 / 3
    assert big.px("map_label") * 0.95 >= 24  # country names are 0.95 of the labels
    # the figure box is what is left of the window: the same share at either size
    assert small.stage_h / small.h == pytest.approx(big.stage_h / big.h, abs=0.01)


def test_a_longer_caption_leaves_a_smaller_figure_box():
    one = screen_for(SIZES[0], caption="Short.")
    three = screen_for(SIZES[0], caption=" ".join(["a long caption that wraps"] * 12))
    assert three.stage_h < one.stage_h - 60


def _overlaps(boxes: dict) -> list[tuple[str, str]]:
    out = []
    for (ka, a), (kb, b) in itertools.combinations(boxes.items(), 2):
        if min(a[2], b[2]) - max(a[0], b[0]) > 0.5 and min(a[3], b[3]) - max(a[1], b[1]) > 0.5:
            out.append((ka, kb))
    return out


@pytest.mark.parametrize("size", SIZES)
def test_map_slides_have_projector_type_and_lines_and_no_overlapping_labels(bundled, size):
    route_ids = set(bundled.routes["id"])
    for s in example(bundled).slides:
        if s.view != "map":
            continue
        screen = screen_for(size, s.title, s.caption)
        k = screen.u
        _, meta = build_view(bundled, s.view, s.state, BOUNDS, s.options)
        fig = slides.projected_map(meta.rebuild, screen, route_ids)
        assert fig.layout.width <= screen.stage_w and fig.layout.height <= screen.stage_h
        routes = [t for t in fig.data if t.name in route_ids]
        assert routes, s.title
        assert min(t.line.width for t in routes) >= 4 * k - 1e-9
        texts = [t for t in fig.data if t.name in ("labels", "country names")]
        assert texts and min(t.textfont.size for t in texts) >= 24 * k - 1e-9
        assert not _overlaps(fig.layout.meta["labels"]), s.title
        for inset, boxes in fig.layout.meta["insets"].items():
            assert not _overlaps(boxes), (s.title, inset)
        # the disclaimer sits under the legend, beside the map, not over its labels
        disclaimer = next(a for a in fig.layout.annotations if a.name == "disclaimer")
        assert disclaimer.x > 1 and disclaimer.font.size >= 18 * k - 1e-9


def test_country_names_the_frame_would_cut_are_left_out(bundled):
    s = next(s for s in example(bundled).slides if s.frame)
    _, meta = build_view(bundled, s.view, s.state, BOUNDS, s.options)
    fig = slides.projected_map(meta.rebuild, screen_for(SIZES[0]), set(bundled.routes["id"]))
    names = next(t for t in fig.data if t.name == "country names")
    whole = meta.rebuild(slides_layout(screen_for(SIZES[0])))
    every = next(t for t in whole.data if t.name == "country names")
    assert 0 < len(names.text) < len(every.text)


def slides_layout(screen: Screen):
    from dashboard.figures.flowmap import Layout

    return Layout(width_px=screen.stage_w, height_px=screen.stage_h, font_px=26, legend=True)


@pytest.mark.parametrize(("size", "shrink"), [((1920, 1080), 1.0), ((1280, 720), 0.55)])
def test_a_table_slide_shows_the_rows_that_fit_and_counts_the_rest(bundled, size, shrink):
    s = next(s for s in example(bundled).slides if s.view == "profile")
    full = screen_for(size, s.title, s.caption)
    screen = Screen(full.w, full.h, full.stage_w, full.stage_h * shrink)
    fig, _ = build_view(bundled, s.view, s.state, BOUNDS)
    rows = slides.table_rows(fig)
    fit = slides.rows_that_fit(rows, screen)
    if fit is None:
        shown = rows
    else:
        fig, _ = build_view(bundled, s.view, s.state, BOUNDS, ViewOptions(max_rows=fit))
        shown = slides.table_rows(fig)
        assert shown[-1].more and len(shown) == fit
        more = int(shown[-1].label.split()[1])
        assert more == len(rows) - (fit - 1)
    parts = slides.table_parts(shown)
    height = slides.part_height("header", " ", screen) + sum(
        slides.part_height(kind, part, screen) for kind, part in parts
    )
    assert height <= screen.stage_h
    if shrink < 1:
        assert fit is not None  # a short box cannot hold them all


def test_event_items_say_date_words_figures_and_source(bundled):
    figures = bundled.figures.set_index("id")
    items = slides.event_items(bundled, bundled.events)
    assert len(items) == len(bundled.events)
    for item, (_, e) in zip(items, bundled.events.iterrows()):
        assert item.title == e["title"]
        assert e["date_start"][:4] in item.date or e["date_start"][:4] in item.detail
        publisher = bundled.sources.set_index("id").loc[e["source_id"], "publisher"]
        assert publisher in item.detail
        for fid in e["figure_ids"]:
            f = figures.loc[fid]
            assert format_number(f["value"]) in item.figures + item.detail, (e["id"], fid)
        assert "hover" not in (item.headline + item.detail).lower()


def test_las_pinas_reads_as_date_words_and_count(bundled):
    e = bundled.events[bundled.events["title"].str.contains("Las Piñas")].iloc[0]
    f = bundled.figures.set_index("id").loc[e["figure_ids"][0]]
    item = slides.event_items(bundled, bundled.events[bundled.events["id"] == e["id"]])[0]
    month = slides.MONTHS_SHORT[int(e["date_start"][5:7]) - 1]
    assert item.date == f"{month} {e['date_start'][:4]}"
    assert item.headline == f"{e['title']} · {format_number(f['value'])} rescued"


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        ("2023-06", None, "Jun 2023"),
        ("2023", None, "2023"),
        ("2023-07-26", None, "26 Jul 2023"),
        ("2023-05-10", "2023-05-11", "10–11 May 2023"),
        ("2023-01", "2023-06", "Jan–Jun 2023"),
        ("2023-10-28", "2023-11-02", "28 Oct–2 Nov 2023"),
        ("2022", "2023", "2022–2023"),
    ],
)
def test_short_dates(start, end, text):
    assert slides.short_date(start, end) == text


def test_events_are_in_date_order_and_only_what_fits_is_listed(bundled):
    b = example(bundled)
    s = next(s for s in b.slides if s.view == "events")
    events = slides.slide_events(bundled, s.state, s.events)
    assert list(events["id"]) != list(s.events) or len(events) == len(s.events)
    assert set(events["id"]) == set(s.events)
    years = list(events["date_start"].str[:4])
    assert years == sorted(years)
    items = slides.event_items(bundled, events)
    big = screen_for(SIZES[0], s.title, s.caption)
    assert slides.events_that_fit(items, big) == len(items)
    # every dated event of 2023 does not fit one screen: the rest are counted
    all_2023 = slides.event_items(bundled, slides.slide_events(bundled, s.state, ()))
    fit = slides.events_that_fit(all_2023, big)
    assert 0 < fit < len(all_2023)
    used = sum(slides.event_height(i, big) for i in all_2023[:fit])
    assert used + slides.TYPE["event_title"] * 1.25 <= big.stage_h


def test_the_explorer_link_reproduces_each_slide(bundled):
    views = {"map": "map", "sankey": "sankey", "caseload": "overview", "profile": "map"}
    for s in example(bundled).slides:
        href = slides.explorer_href(s.view, s.state)
        assert href.startswith("/")
        state, messages = parse_query(href[1:])
        assert not messages
        assert state.with_(view="map", layers=s.state.layers) == s.state.with_(view="map")
        assert state.view == views.get(s.view, "map")
        if s.view == "events":
            assert "events" in state.layers
        if s.view == "profile":
            assert state.country == s.state.country


def test_the_source_line_names_a_few_and_counts_the_rest():
    lines = [f"Publisher {i} (2023) — Section" for i in range(6)] + ["and 2 more sources (x)"]
    text = slides.source_credit(lines, "2023")
    assert text.startswith("Sources: Publisher 0 (2023); Publisher 1 (2023); Publisher 2 (2023)")
    assert "and 5 more" in text and "hover" not in text and text.endswith("Period: 2023.")
    assert slides.source_credit(["IOM (2024) — A"], "2023") == "Source: IOM (2024). Period: 2023."
