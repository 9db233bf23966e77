"""The bundled records as a whole: valid, joined, cited, and true to the report's numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from geodata.dataset import PROFILE_COUNTRIES

REPORT = Path(__file__).resolve().parents[3] / "shared" / "seed" / "000_c4718ac3acfd164f.txt"
NUMBER = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+(?![\d])|\d+(?:[.,]\d+)?)(?![\d])")
# Numbers in those parts of the report that are not figures, each with the reason.
NOT_FIGURES = {
    "5": "'Top 5 countries' captions a map that the text does not include",
    "42": "the 42nd ASEAN Summit is an ordinal",
    "49": "Presidential Regulation 49 (2023) is a regulation number",
    "18": "the bound of the 18-35 age band, in the label of its figure",
    "35": "the bound of the 18-35 age band, in the label of its figure",
    "3/4": "'3/4 of the caseload are males' restates the 75.77 % male share",
}
SCALE = {"billion": 1e9, "million": 1e6}
MONTH = "(?:January|February|March|April|May|June|July|August|September|October|November|December)"
DAY_MONTH = rf"\b\d{{1,2}}(?:\s*(?:–|-|or)\s*\d{{1,2}})?\s+{MONTH}"


def test_bundled_records_have_no_errors(bundled):
    assert bundled.report.ok, bundled.report.render()
    for tally in bundled.report.tallies.values():
        assert tally.reconciles, tally
        assert tally.rejected == 0, tally


def test_every_location_and_route_joins(bundled):
    routes = bundled.routes
    assert (routes["origin"].notna() | routes["destination"].notna()).all()
    assert routes["origin"].isna().eq(routes["origin_iso3"].isna()).all()
    assert routes["destination"].isna().eq(routes["destination_iso3"].isna()).all()
    placed = set(bundled.nodes["node"])
    assert all(set(p) <= placed for p in routes["path"])
    iso = dict(zip(bundled.nodes["node"], bundled.nodes["iso3"]))
    for r in routes.itertuples():
        assert r.path[0] == (r.origin or (r.transit[0] if r.transit else r.destination)), r.id
        if r.destination:
            assert r.path[-1] == r.destination and r.destination_iso3 == iso[r.destination]
        if r.origin:
            assert r.origin_iso3 == iso[r.origin]
        assert len(r.path_names) == len(r.path)
    assert set(bundled.locations["iso3"]) <= set(bundled.admin0["iso3"])


def test_border_places_keep_their_recorded_country(bundled):
    loc = bundled.locations.set_index("id")
    for place in ("myawaddy", "kk-park", "shwe-kokko", "tachileik"):
        assert loc.at[place, "iso3"] == "MMR", place
    assert loc.at["bavet", "iso3"] == "KHM"
    assert loc.at["golden-triangle-sez", "iso3"] == "LAO"


def test_places_the_brief_names_are_present(bundled):
    names = " ".join(bundled.locations["name"]).lower()
    for place in (
        "myawaddy",
        "kk park",
        "shwe kokko",
        "tachileik",
        "golden triangle",
        "sihanoukville",
        "clark",
        "las pi",
        "pasay",
        "mae sot",
        "bangkok",
        "chiang rai",
        "manila",
        "cebu",
        "batam",
        "bavet",
        "poipet",
        "phnom penh",
    ):
        assert place in names, place


def test_every_record_cites_a_known_source(bundled):
    """Places shown only for context cite no source: their citation is where the coordinates
    were read. Every other record cites a known source and a report section."""
    ids = set(bundled.sources["id"])
    locations = bundled.locations
    report = locations[locations["claim"] == "report"]
    for frame in (report, bundled.routes, bundled.figures, bundled.events):
        assert frame["source_id"].isin(ids).all()
        assert frame["section"].str.len().gt(0).all()
    context = locations[locations["claim"] == "context"]
    assert len(context) > 0
    assert context["source_id"].isna().all() and context["section"].isna().all()
    assert context["coord_source"].str.len().gt(0).all()


def test_routes_without_a_number_are_kept_without_one(bundled):
    unknown = bundled.routes[bundled.routes["qualifier"] == "unknown"]
    assert len(unknown) > 0
    assert unknown["count"].isna().all()


def test_profiles_cover_the_seven_countries(bundled):
    assert set(bundled.profiles) >= set(PROFILE_COUNTRIES)
    for code in PROFILE_COUNTRIES:
        headings = {s["heading"].lower() for s in bundled.profiles[code]["sections"]}
        assert any("victim" in h for h in headings), code
        assert any("iom" in h for h in headings), code


def numbers_in(text: str):
    """(as printed, value) per number: '3,239' -> 3239, 'X4,7' -> 4.7, '11 billion' -> 1.1e10."""
    for match in NUMBER.finditer(text):
        raw = match.group(1)
        thousands = "," in raw and len(raw.split(",")[-1]) == 3
        value = float(raw.replace(",", "") if thousands else raw.replace(",", "."))
        word = text[match.end() : match.end() + 9].strip().split(" ")[0].lower().strip(").,;'")
        yield raw, value * SCALE.get(word, 1)


def _figure_values(bundled) -> set[float]:
    values = set(bundled.figures["value"]) | set(bundled.figures["value_max"].dropna())
    return {round(abs(float(v)), 2) for v in values}  # a fall of 10 % is stored as -10


def test_numbers_in_profile_texts_are_figures(bundled):
    """A profile point may only state numbers that are values of the figures it cites."""
    figures = bundled.figures.set_index("id")
    for code, profile in bundled.profiles.items():
        for section in profile["sections"]:
            for point in section["points"]:
                cited = set()
                for fid in point["figure_ids"]:
                    cited.add(round(float(figures.at[fid, "value"]), 2))
                    if figures.at[fid, "value_max"] == figures.at[fid, "value_max"]:
                        cited.add(round(float(figures.at[fid, "value_max"]), 2))
                for raw, value in numbers_in(point["text"]):
                    if 1990 <= value <= 2030 and raw.isdigit():
                        continue  # a year
                    assert round(value, 2) in cited, (code, point["text"], raw)


def _report_part(text: str, start: str, end: str) -> str:
    i = text.index(start)
    return text[i : text.index(end, i)]


@pytest.mark.skipif(not REPORT.exists(), reason="the report is in ../shared, absent here")
def test_every_number_of_facts_and_country_sections_is_a_figure(bundled):
    text = REPORT.read_text(encoding="utf-8")
    parts = [
        _report_part(text, "# IOM'S FACTS AND FIGURES", "## VICTIMS' TESTIMONIES"),
        _report_part(text, "Country of destination and origin", "# MEDIA AND PUBLICATIONS"),
    ]
    body = "\n".join(parts)
    body = re.sub(r"<sup>\d+</sup>", "", body)  # footnote markers
    body = re.sub(r"https?://\S+", "", body)
    fractions = re.findall(r"\b\d+/\d+\b", body)
    assert set(fractions) <= set(NOT_FIGURES), fractions
    body = re.sub(r"\b\d+/\d+\b", "", body)
    values = _figure_values(bundled)
    missing = []
    for raw, value in numbers_in(body):
        if raw.isdigit() and 1990 <= value <= 2030:
            continue  # a year
        if round(value, 2) in values or raw in NOT_FIGURES:
            continue
        missing.append(raw)
    assert not missing, f"numbers in the report with no figure: {missing}"


def _numbers_outside_the_sources(bundled, text: str) -> list[str]:
    values = (
        _figure_values(bundled)
        | {round(float(v), 2) for v in bundled.routes["count"].dropna()}
        | {round(float(v), 2) for v in bundled.routes["share_pct"].dropna()}
    )
    text = re.sub(r"https?://\S+|\S+\.\S+/\S+", "", text)  # addresses
    text = re.sub(r"\b[a-z]+(?:-[a-z0-9]+)+\b", "", text)  # record ids
    text = re.sub(r"\d{4}-\d{2}(-\d{2})?", "", text)  # ISO dates
    text = re.sub(DAY_MONTH, "", text)  # '24 July 2023', '10 or 11 May', '9–11 May'
    text = re.sub(r"footnote \d+|\b7 Months\b|\b1:\d+m\b", "", text)  # marks, a headline, a scale
    text = re.sub(r"\b3/4\b", "", text)  # the report's rounded '3/4' (see NOT_FIGURES)
    text = re.sub(r"\b(\d[\d.,]*) to (?=[\d.,]+ (?:billion|million))", "", text)
    out = []
    for raw, value in numbers_in(text):
        if raw.isdigit() and 1990 <= value <= 2030:
            continue
        if round(value, 2) not in values and raw not in NOT_FIGURES:
            out.append(raw)
    return out


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("notes", "text"),
        ("figures", "note"),
        ("routes", "note"),
        ("events", "note"),
        ("events", "title"),
        ("figures", "label"),
        ("indicators", "note"),
        ("headlines", "label"),
        ("headlines", "note"),
    ],
)
def test_texts_state_no_number_the_sources_do_not(bundled, table, column):
    """Notes and labels may repeat stated numbers but never show a sum or ratio of our own."""
    frame = getattr(bundled, table)
    bad = {}
    for rid, text in zip(frame["id"], frame[column]):
        if text:
            extra = _numbers_outside_the_sources(bundled, text)
            if extra:
                bad[rid] = extra
    assert not bad, bad


def test_country_routes_start_at_the_recorded_capital(bundled):
    capitals = bundled.data_dir / "country_anchors.csv"
    import csv

    rows = {r["iso3"]: r for r in csv.DictReader(capitals.open(encoding="utf-8"))}
    nodes = bundled.nodes.set_index("node")
    for code in ("IDN", "VNM", "CHN"):
        assert nodes.at[code, "lat"] == float(rows[code]["lat"])
        assert nodes.at[code, "lon"] == float(rows[code]["lon"])
        assert rows[code]["coord_url"].startswith("http")
