"""Country-profile and overview data, and the two overview charts, on the real and small data.

Expected numbers are read from dataset.figures / dataset.routes, never typed in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from dashboard.figures import panels
from dashboard.text import format_count, format_value
from geodata.dataset import PROFILE_COUNTRIES, load_dataset
from geodata.filters import Filters

ALL = Filters()
OKABE_ITO = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}


def record(ds, figure_id: str):
    return ds.figures.set_index("id").loc[figure_id]


def paths(routes: list[dict]) -> list[str]:
    return [r["path"] for r in routes]


# --- country profile -------------------------------------------------------------------------


def test_mmr_inbound_and_outbound_follow_the_records(bundled):
    data = panels.profile_data(bundled, "MMR", ALL)
    r = bundled.routes
    into = r[r["destination_iso3"] == "MMR"]
    out = r[
        (r["destination_iso3"] != "MMR")
        & ((r["origin_iso3"] == "MMR") | (r["nationality"] == "MMR"))
    ]
    assert [x["id"] for x in data["inbound"]] == list(into["id"])
    assert [x["id"] for x in data["outbound"]] == list(out["id"])
    assert data["inbound"] and data["outbound"]


def test_mmr_places_what_the_data_says(bundled):
    """Myawaddy is the end of a route; Tachileik is named only in the report's text."""
    data = panels.profile_data(bundled, "MMR", ALL)
    myawaddy = [x for x in data["inbound"] if x["path"].endswith("Myawaddy")]
    assert myawaddy, paths(data["inbound"])
    route = bundled.routes.set_index("id").loc[myawaddy[0]["id"]]
    assert myawaddy[0]["path"] == " → ".join(route["path_names"])
    assert myawaddy[0]["count"] == format_count(route["count"], route["qualifier"])
    assert not any("Tachileik" in p for p in paths(data["inbound"] + data["outbound"]))
    texts = [p["text"] for s in data["sections"] for p in s["points"]]
    assert any("Tachileik" in t for t in texts)
    assert "Myanmar → Golden Triangle Special Economic Zone" in paths(data["outbound"])


def test_route_without_a_number_says_so(bundled):
    data = panels.profile_data(bundled, "MMR", ALL)
    unknown = bundled.routes.loc[bundled.routes["count"].isna(), "id"]
    shown = [x for x in data["inbound"] + data["outbound"] if x["id"] in set(unknown)]
    assert shown
    assert {x["count"] for x in shown} == {"number not stated"}


def test_every_profile_country_has_name_role_and_sections(bundled):
    for iso3 in PROFILE_COUNTRIES:
        data = panels.profile_data(bundled, iso3, ALL)
        assert data["has_profile"] and data["name"] == bundled.profiles[iso3]["name"]
        assert data["role"] and data["role_label"] and data["sections"]
        for s in data["sections"]:
            assert s["citation"].endswith(f" — {s['section']}")
            assert s["citation"].startswith("IOM")


def test_country_without_profile_is_graceful(bundled):
    data = panels.profile_data(bundled, "chn", ALL)
    assert data["iso3"] == "CHN" and data["name"] == "China"
    assert not data["has_profile"] and data["sections"] == [] and data["role"] == []
    assert "Golden Triangle Special Economic Zone → China" in paths(data["inbound"])
    none = panels.profile_data(bundled, "ARE", ALL)
    assert none["inbound"] == [] and none["figures"] == []
    assert paths(none["outbound"]) == ["United Arab Emirates → Mae Sot"]


def test_empty_lists_are_explicit_on_the_small_data(small_dir):
    ds = load_dataset(small_dir)
    data = panels.profile_data(ds, "MMR", ALL)
    assert paths(data["inbound"]) == ["Indonesia → Mae Sot → Myawaddy"]
    assert data["outbound"] == [] and data["through"] == [] and data["figures"] == []
    tha = panels.profile_data(ds, "THA", ALL)
    assert paths(tha["through"]) == ["Indonesia → Mae Sot → Myawaddy"]
    idn = panels.profile_data(ds, "IDN", ALL)
    f2 = record(ds, "f2")
    assert [f["value"] for f in idn["figures"]] == [
        format_value(f2["value"], f2["unit"], f2["qualifier"], f2["value_max"])
    ]


def test_year_filter_drops_figures_and_routes_of_other_years(bundled):
    every = panels.profile_data(bundled, "MMR", ALL)
    only_2022 = panels.profile_data(bundled, "MMR", Filters(2022, 2022))
    figs = bundled.figures[bundled.figures["scope"] == "MMR"]
    expected = figs[(figs["year_start"] <= 2022) & (figs["year_end"] >= 2022)]["id"]
    assert [f["id"] for f in only_2022["figures"]] == list(expected)
    assert len(only_2022["figures"]) < len(every["figures"])
    assert "mmr-caseload-2023" not in {f["id"] for f in only_2022["figures"]}
    routes = bundled.routes.set_index("id")
    for x in only_2022["inbound"] + only_2022["outbound"]:
        assert routes.loc[x["id"], "year_start"] <= 2022 <= routes.loc[x["id"], "year_end"]
    assert "2022" in only_2022["filters"]


def test_nationality_filter_applies_to_routes_only(bundled):
    data = panels.profile_data(bundled, "MMR", Filters(nationalities=("IDN",)))
    routes = bundled.routes.set_index("id")
    assert data["inbound"]
    assert {routes.loc[x["id"], "nationality"] for x in data["inbound"]} == {"IDN"}
    # a country's figures count every nationality: still shown
    assert data["figures"] == panels.profile_data(bundled, "MMR", ALL)["figures"]


def test_every_figure_and_route_shown_carries_source_and_section(bundled):
    for iso3 in (*PROFILE_COUNTRIES, "CHN"):
        data = panels.profile_data(bundled, iso3, ALL)
        for item in data["figures"] + data["inbound"] + data["outbound"] + data["through"]:
            assert item["source"] and item["section"], item
            assert item["citation"].endswith(item["section"])
        assert {i["source"] for i in data["figures"] + data["inbound"]} <= {
            s["full"] for s in data["sources"]
        }
    for group in panels.overview_data(bundled, ALL)["groups"]:
        for card in group["cards"]:
            assert card["source"] and card["section"] and card["period"]


def test_profile_values_are_the_records_formatted(bundled):
    for iso3 in PROFILE_COUNTRIES:
        for f in panels.profile_data(bundled, iso3, ALL)["figures"]:
            r = record(bundled, f["id"])
            assert r["scope"] == iso3
            assert f["value"] == format_value(r["value"], r["unit"], r["qualifier"], r["value_max"])
            assert f["source"] == bundled.source_label(r["source_id"])


def test_profile_notes_refer_to_what_is_shown_and_flag_inconsistencies(bundled):
    data = panels.profile_data(bundled, "PHL", ALL)
    shown = {f["id"] for f in data["figures"]} | {
        r["id"] for r in data["inbound"] + data["outbound"] + data["through"]
    }
    assert data["notes"]
    for n in data["notes"]:
        assert shown & set(n["refers_to"]), n["id"]
    kinds = [n["inconsistency"] for n in data["notes"]]
    assert kinds == sorted(kinds, reverse=True)  # inconsistencies first
    inconsistent = {i for n in data["notes"] if n["inconsistency"] for i in n["refers_to"]}
    assert inconsistent
    flagged = {f["id"] for f in data["figures"] if f["flagged"]}
    assert flagged == inconsistent & {f["id"] for f in data["figures"]}


# --- regional overview -----------------------------------------------------------------------


def test_overview_cards_are_the_records(bundled):
    data = panels.overview_data(bundled, ALL)
    ids = [c["id"] for g in data["groups"] for c in g["cards"]]
    assert ids == [fid for _, _, group in panels.OVERVIEW_GROUPS for fid in group]
    for g in data["groups"]:
        for c in g["cards"]:
            r = record(bundled, c["id"])
            assert c["value"] == format_value(r["value"], r["unit"], r["qualifier"], r["value_max"])
            assert c["label"] == r["label"] and c["section"] == r["section"]
            if c["detail"]:
                d = record(bundled, c["detail"]["id"])
                assert c["detail"]["value"] == format_value(d["value"], d["unit"], d["qualifier"])


def test_overview_flags_the_caseload_multiplier_and_lists_inconsistencies(bundled):
    data = panels.overview_data(bundled, ALL)
    cards = {c["id"]: c for g in data["groups"] for c in g["cards"]}
    # the report's 'X4,7' contradicts its own counts: the counts are cards, flagged with the
    # note; the multiplier itself is never a card
    assert "reg-caseload-multiplier-2022-2023" not in cards
    assert cards["reg-caseload-2022"]["flagged"] and cards["reg-caseload-2023"]["flagged"]
    assert not cards["reg-age-18-35-share"]["flagged"]
    notes = bundled.notes
    expected = notes.loc[notes["kind"] == "inconsistency", "id"]
    assert [n["id"] for n in data["inconsistencies"]] == list(expected)
    assert all(not n["inconsistency"] for n in data["caveats"])


def test_overview_year_filter(bundled):
    data = panels.overview_data(bundled, Filters(2022, 2022))
    ids = {c["id"] for g in data["groups"] for c in g["cards"]}
    assert "reg-caseload-2022" in ids and "reg-caseload-2023" not in ids
    assert "reg-caseload-multiplier-2022-2023" not in ids
    assert panels.overview_data(bundled, Filters(2019, 2019))["groups"] == []


def test_missing_records_fail_loudly_with_the_id(bundled, small_dir):
    small = load_dataset(small_dir)
    with pytest.raises(KeyError, match="reg-caseload-2022"):
        panels.overview_data(small, ALL)
    with pytest.raises(KeyError, match="reg-caseload-2022"):
        panels.caseload_chart(small)
    figs = bundled.figures
    without = dataclasses.replace(bundled, figures=figs[figs["id"] != "reg-female-count-2023"])
    with pytest.raises(KeyError, match="reg-female-count-2023"):
        panels.sex_split_chart(without)


# --- charts ----------------------------------------------------------------------------------


def font_sizes(node) -> Iterator[float]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("font", "textfont", "tickfont") and isinstance(value, dict):
                if "size" in value:
                    yield value["size"]
            yield from font_sizes(value)
    elif isinstance(node, list | tuple):
        for v in node:
            yield from font_sizes(v)


def colours(fig: dict) -> set[str]:
    out = set()
    for t in fig["data"]:
        c = t["marker"]["color"]
        out |= set(c) if isinstance(c, list | tuple) else {c}
    return {c.upper() for c in out}


def test_caseload_chart(bundled):
    fig = panels.caseload_chart(bundled).to_dict()
    assert len(fig["data"]) == 1  # one measure, one trace
    bar = fig["data"][0]
    assert bar["type"] == "bar"
    rows = [record(bundled, fid) for fid in panels.CASELOAD_IDS]
    assert {r["measure"] for r in rows} == {"caseload"}
    assert list(bar["y"]) == [r["value"] for r in rows]
    for custom, r in zip(bar["customdata"], rows):
        assert bundled.source_label(r["source_id"]).split(",")[0] in custom[3]
        assert r["section"] in custom[3]
    assert "%{customdata[3]}" in bar["hovertemplate"]
    assert fig["layout"]["title"]["text"]
    footer = fig["layout"]["annotations"][0]["text"].replace("<br>", " ")
    assert footer.startswith("Source: " + bundled.source_label(rows[0]["source_id"]))
    note = bundled.notes.set_index("id").loc["n-caseload-multiplier"]
    assert note["text"].split(". ")[0] in footer
    assert "X4,7" in footer
    assert min(font_sizes(fig)) >= 12
    assert colours(fig) <= OKABE_ITO


def test_sex_split_chart(bundled):
    fig = panels.sex_split_chart(bundled).to_dict()
    assert len(fig["data"]) == 1
    bar = fig["data"][0]
    assert bar["type"] == "bar" and bar["orientation"] == "h"
    shares = [record(bundled, s) for _, s, _ in panels.SEX_SPLIT_IDS]
    counts = [record(bundled, c) for _, _, c in panels.SEX_SPLIT_IDS]
    assert {r["measure"] for r in shares + counts} == {"caseload"}
    assert list(bar["x"]) == [r["value"] for r in shares]
    for text, s, c in zip(bar["text"], shares, counts):
        assert format_value(s["value"], s["unit"], s["qualifier"]) in text
        assert format_value(c["value"], c["unit"], c["qualifier"]) in text
    assert all(s["section"] in custom[5] for custom, s in zip(bar["customdata"], shares))
    assert fig["layout"]["title"]["text"]
    assert fig["layout"]["annotations"][0]["text"].startswith("Source: ")
    assert min(font_sizes(fig)) >= 12
    assert colours(fig) <= OKABE_ITO


def test_the_time_strip_dict_draws_what_the_figure_draws(bundled):
    import plotly.graph_objects as go

    from dashboard.figures.timeline import LANE_OF, build_time_strip, time_strip_dict

    fig = build_time_strip(bundled, bundled.events, (2021, 2023))
    plain = go.Figure(time_strip_dict(bundled, bundled.events, (2021, 2023)))
    assert fig.to_dict() == plain.to_dict()
    drawn = bundled.events["kind"].isin(list(LANE_OF)).sum()
    assert drawn and sum(len(t.x) for t in fig.data if t.mode == "markers") == drawn
