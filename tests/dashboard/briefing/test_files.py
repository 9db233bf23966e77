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


# ---------------------------------------------------------------- frame and events


def slide_yaml(extra: str, view: str = "map") -> str:
    """A briefing of two slides whose second has the given keys (so that messages must name
    slide 2, not just the file)."""
    first = "  - {view: caseload, title: T}\n"
    return f"title: x\nslides:\n{first}  - {{view: {view}, title: U, {extra}}}\n"


@pytest.mark.parametrize(
    ("extra", "frame"),
    [
        ("frame: MMR", "MMR"),
        ("frame: [MMR, THA]", ("MMR", "THA")),
        ("frame: moei", "moei"),
        ("frame: golden-triangle", "golden-triangle"),
    ],
)
def test_a_map_slide_sets_its_frame(tmp_path, bundled, extra, frame):
    b = load_briefing(write(tmp_path, slide_yaml(extra)), dataset=bundled)
    assert b.slides[1].frame == frame
    assert b.slides[1].options.frame == frame
    assert b.slides[0].frame is None


@pytest.mark.parametrize(
    ("extra", "view", "message"),
    [
        ("frame: ZZZ", "map", "b.yaml, slide 2: frame 'ZZZ': the records hold no place in ZZZ"),
        ("frame: [MMR, ZZZ]", "map", "b.yaml, slide 2: frame 'ZZZ'"),
        ("frame: golden triangle", "map", "b.yaml, slide 2: frame 'golden triangle': give a"),
        ("frame: 42", "map", "b.yaml, slide 2: frame: give a cluster (moei, golden-triangle)"),
        ("frame: []", "map", "b.yaml, slide 2: frame: give a cluster"),
        ("frame: MMR", "sankey", "b.yaml, slide 2: frame: only a map slide has a frame"),
    ],
)
def test_bad_frames_are_refused_naming_the_slide(tmp_path, bundled, extra, view, message):
    with pytest.raises(BriefingError) as err:
        load_briefing(write(tmp_path, slide_yaml(extra, view)), dataset=bundled)
    assert message in str(err.value)


def test_an_events_slide_picks_its_events(tmp_path, bundled):
    ids = list(bundled.events["id"][:3])
    b = load_briefing(
        write(tmp_path, slide_yaml(f"events: [{', '.join(ids)}]", "events")), dataset=bundled
    )
    assert b.slides[1].events == tuple(ids)
    assert b.slides[1].options.events == tuple(ids)
    one = load_briefing(write(tmp_path, slide_yaml(f"events: {ids[0]}", "events")))
    assert one.slides[1].events == (ids[0],)


def test_bad_event_ids_are_refused_naming_the_slide_and_the_id(tmp_path, bundled):
    real = str(bundled.events["id"].iloc[0])
    typo = real[:-1] + ("x" if real[-1] != "x" else "y")
    with pytest.raises(BriefingError) as err:
        load_briefing(
            write(tmp_path, slide_yaml(f"events: [{real}, {typo}]", "events")), dataset=bundled
        )
    text = str(err.value)
    assert text.startswith("b.yaml, slide 2: events: not in the records:")
    assert repr(typo) in text and f"did you mean {real!r}" in text
    assert repr(real) not in text.split("did you mean")[0]


@pytest.mark.parametrize(
    ("extra", "view", "message"),
    [
        ("events: []", "events", "b.yaml, slide 2: events: give a list of event ids"),
        ("events: {a: 1}", "events", "b.yaml, slide 2: events: give a list of event ids"),
        ("events: [evt-x]", "map", "b.yaml, slide 2: events: only an events slide lists events"),
    ],
)
def test_bad_events_keys_are_refused(tmp_path, bundled, extra, view, message):
    with pytest.raises(BriefingError) as err:
        load_briefing(write(tmp_path, slide_yaml(extra, view)), dataset=bundled)
    assert message in str(err.value)


def test_the_example_frames_myanmar_and_picks_events_of_2023(bundled):
    b = load_briefing(EXAMPLE, dataset=bundled)
    myanmar = next(s for s in b.slides if s.title == "Myanmar's compounds")
    assert myanmar.frame == ("MMR",)
    events = next(s for s in b.slides if s.view == "events")
    picked = bundled.events[bundled.events["id"].isin(events.events)]
    assert len(picked) == len(events.events) >= 5
    assert set(picked["date_start"].str[:4]) == {"2023"}
    lanes = {"operation", "rescue", "repatriation", "deportation", "declaration", "task_force"}
    assert len(set(picked["kind"]) & lanes) >= 4  # operations, returns and policy
