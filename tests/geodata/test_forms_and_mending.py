"""The bundled records' forms, movements, route ends, headlines and the mended rows."""

from __future__ import annotations

import pytest

from geodata.schema import EVENT_KINDS, FORMS, MOVEMENTS

RETURNS = {
    "sez-chn-deported-2023-09",
    "sez-iom-assisted-2023",
    "phl-repatriated-from-khm",
    "phl-repatriated-from-lao",
    "phl-repatriated-from-mmr",
    "phl-vnm-returns-h1-2023",
    "vnm-returns-via-tha-h1-2023",
    "phl-vnm-returned-140",
    "khm-vnm-returned-33",
    "tst-idn-group-released-into-tha",
    "tst-idn-group-bangkok-return",
}
OTHER_MOVEMENTS = {"mmr-sez-migrant-workers", "tst-nasim-dubai-mae-sot"}
HEADLINE_ORDER = [
    ["reg-caseload-2022", "reg-caseload-2023"],
    ["mmr-estimated-trafficked"],
    ["idn-rescued-2023"],
    ["vnm-returns-from-phl-h1-2023"],
    ["phl-released-2023"],
    ["phl-filipino-repatriated-2022-2023"],
    ["idn-identified-vot-2023"],
    ["lao-iom-assisted-victims"],
    ["reg-fc-share-of-vot-caseload-2022", "reg-fc-share-of-vot-caseload-2023"],
    ["med-idn-trafficked-myawaddy-20"],
    ["vnm-rescued-mmr-border-2023-10"],
    ["lao-deported-2023-09"],
    ["phl-clark-2023-05"],
]


def rows(frame):
    return frame.set_index("id")


# ---------------------------------------------------------------- forms


@pytest.mark.parametrize("table", ["routes", "figures", "events"])
def test_every_bundled_record_states_its_form(bundled, table):
    frame = getattr(bundled, table)
    assert frame["form"].dropna().isin(FORMS).all()
    stated = frame["form"].notna()
    if table == "routes":
        # a movement the sources do not call trafficking has no form of exploitation
        other = frame["movement"] == "other"
        assert stated[~other].all(), list(frame.loc[~other & ~stated, "id"])
        assert not stated[other].any()
    else:
        assert stated.all(), list(frame.loc[~stated, "id"])


def test_organ_removal_records(bundled):
    assert rows(bundled.routes).at["idn-khm-kidney-122", "form"] == "organ_removal"
    figures = rows(bundled.figures)
    for fid in ("med-idn-kidney-khm-122", "med-bali-officers-arrested"):
        assert figures.at[fid, "form"] == "organ_removal", fid
    organ_figures = {"med-idn-kidney-khm-122", "med-bali-officers-arrested"}
    events = bundled.events[
        bundled.events["figure_ids"].map(lambda ids: bool(organ_figures & set(ids)))
    ]
    assert len(events) >= 2
    assert (events["form"] == "organ_removal").all()


def test_forms_that_are_not_forced_criminality(bundled):
    figures = rows(bundled.figures)
    assert figures.at["idn-batam-women-2023-08", "form"] == "sexual_exploitation"
    for fid in (
        "mmr-caseload-2022",
        "mmr-caseload-2023",
        "mmr-caseload-increase-2022-2023",
        "tha-iom-assisted-2023",
        "tha-victim-origin-countries",
    ):
        assert figures.at[fid, "form"] == "all_forms", fid
    # the shares of those caseloads that are forced criminality are forced criminality
    for fid in ("mmr-fc-share-2023", "tha-iom-fc-share-2023", "reg-caseload-2023"):
        assert figures.at[fid, "form"] == "forced_criminality", fid
    assert rows(bundled.routes).at["tha-mmr-exploited", "form"] == "all_forms"
    events = rows(bundled.events)
    for eid in ("evt-lao-penal-code-2018", "evt-lao-criminal-procedure-2019"):
        assert events.at[eid, "form"] == "all_forms", eid


# ---------------------------------------------------------------- movements and route ends


def test_movements(bundled):
    routes = bundled.routes
    assert routes["movement"].isin(MOVEMENTS).all()
    assert set(routes.loc[routes["movement"] == "return", "id"]) == RETURNS
    assert set(routes.loc[routes["movement"] == "other", "id"]) == OTHER_MOVEMENTS
    assert (
        routes.loc[~routes["id"].isin(RETURNS | OTHER_MOVEMENTS), "movement"] == "trafficking"
    ).all()


def test_end_follows_the_path(bundled):
    for r in bundled.routes.itertuples():
        if len(r.path) >= 2:
            assert r.end == "flow", r.id
        elif r.destination:
            assert r.end == "at" and r.path == [r.destination], r.id
        else:
            assert r.end == "from" and r.path == [r.origin] and r.destination_iso3 is None, r.id
    assert set(bundled.routes["end"]) == {"flow", "at", "from"}


def test_nasim_route_starts_at_mae_sot_and_goes_nowhere_named(bundled):
    r = rows(bundled.routes).loc["tst-nasim-mae-sot-chiang-rai"]
    assert r["origin"] == "mae-sot"
    assert r["destination"] is None and r["destination_iso3"] is None
    assert r["end"] == "from" and r["path"] == ["mae-sot"]
    assert r["measure"] == "reported_route" and r["movement"] == "trafficking"
    assert not any("chiang-rai" in path for path in bundled.routes["path"])
    assert "chiang-rai" in set(bundled.locations["id"])  # the report names it: still a place


def test_sez_route_leaves_the_sez_as_repatriation(bundled):
    r = rows(bundled.routes).loc["sez-iom-assisted-2023"]
    assert r["origin"] == "golden-triangle-sez" and r["destination"] is None
    assert r["end"] == "from"
    assert r["measure"] == "repatriated" and r["movement"] == "return"
    figures = rows(bundled.figures)
    for fid in ("lao-iom-assisted-victims", "lao-iom-assisted-countries"):
        assert figures.at[fid, "measure"] == "repatriated", fid
        assert "repatriation" in figures.at[fid, "label"]


def test_vietnamese_routes_have_an_origin(bundled):
    routes = rows(bundled.routes)
    for rid in ("vnm-mmr-border-rescue-2023-10", "vnm-rescued-in-phl-437", "vnm-khm-reported"):
        assert routes.at[rid, "origin"] == "VNM", rid
    notes = rows(bundled.notes)
    assert "vnm-mmr-border-rescue-2023-10" in notes.at["n-vnm-166", "refers_to"]
    assert "consistency" in notes.at["n-vnm-166", "text"]


def test_kidney_records_are_dated_by_the_article(bundled):
    route = rows(bundled.routes).loc["idn-khm-kidney-122"]
    figure = rows(bundled.figures).loc["med-idn-kidney-khm-122"]
    for r in (route, figure):
        assert (r["year_start"], r["year_end"]) == (2023, 2023)
        assert r["period"] == "reported 26 July 2023"
    note = rows(bundled.notes).loc["n-kidney-date"]
    assert {"idn-khm-kidney-122", "med-idn-kidney-khm-122"} <= set(note["refers_to"])


# ---------------------------------------------------------------- the 437 at Clark


def test_437_rescued_at_clark_and_flagged_as_the_same_operation(bundled):
    route = rows(bundled.routes).loc["vnm-rescued-in-phl-437"]
    assert route["destination"] == "clark" and route["destination_iso3"] == "PHL"
    assert route["source_id"] == "baochinhphu-2023-06-01"  # the count's source
    assert "nhandan-es-2023-05" in route["note"]  # where the place comes from
    source = rows(bundled.sources).loc["nhandan-es-2023-05"]
    assert source["publisher"] == "Nhân Dân (Spanish edition)"
    assert source["url"].startswith("https://es.nhandan.vn/")
    note = rows(bundled.notes).loc["n-vnm-clark-437"]
    assert note["kind"] == "caveat"
    assert set(note["refers_to"]) >= {
        "vnm-rescued-in-phl-437",
        "med-vnm-rescued-in-phl-437",
        "phl-clark-2023-05",
        "clark-victims-2023-05",
    }
    assert "never add" in note["text"].lower()


# ---------------------------------------------------------------- events


def test_philippine_operations_have_the_reports_kinds(bundled):
    assert "operation" in EVENT_KINDS
    events = rows(bundled.events)
    assert events.at["evt-phl-las-pinas-2023-06", "kind"] == "rescue"
    assert events.at["evt-phl-pasay-2023-08", "kind"] == "rescue"
    assert events.at["evt-phl-clark-2023-05", "kind"] == "operation"
    assert events.at["evt-phl-operations-2023", "kind"] == "operation"


def test_the_bali_arrest_is_one_event(bundled):
    events = bundled.events
    assert "evt-media-khmer-times-2023-07-31" not in set(events["id"])
    about = events[events["figure_ids"].map(lambda ids: "med-bali-officers-arrested" in ids)]
    assert list(about["id"]) == ["evt-idn-bali-officers-arrest-2023-07"]
    assert about.iloc[0]["kind"] == "arrest" and about.iloc[0]["form"] == "organ_removal"


# ---------------------------------------------------------------- places for context


CONTEXT_PLACES = {
    "kk-park",
    "shwe-kokko",
    "phnom-penh",
    "sihanoukville",
    "bavet",
    "poipet",
    "thai-myanmar-friendship-bridge",
    "ninoy-aquino-intl-airport",
}


def test_context_places_carry_no_report_citation(bundled):
    locations = bundled.locations
    context = locations[locations["claim"] == "context"]
    assert set(context["id"]) == CONTEXT_PLACES
    assert context["source_id"].isna().all() and context["section"].isna().all()
    assert context["coord_url"].str.startswith("http").all()
    note = rows(bundled.notes).loc["n-context-places"]
    for place in CONTEXT_PLACES:
        assert place in note["text"], place
    assert "coord_source" in note["text"]


# ---------------------------------------------------------------- headlines


def test_headlines_refer_to_known_figures_in_the_chosen_order(bundled):
    headlines = bundled.headlines
    assert list(headlines["figure_ids"]) == HEADLINE_ORDER
    known = set(bundled.figures["id"])
    assert all(set(ids) <= known for ids in headlines["figure_ids"])
    ranks = list(headlines["rank"])
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks) and min(ranks) >= 1
    assert headlines["id"].is_unique


def test_headlines_exclude_the_contradicted_multiplier(bundled):
    shown = {f for ids in bundled.headlines["figure_ids"] for f in ids}
    assert "reg-caseload-multiplier-2022-2023" not in shown


def test_headline_labels_state_no_numbers(bundled):
    for label in bundled.headlines["label"]:
        assert label and not any(c.isdigit() for c in label), label
    caseload = bundled.headlines.iloc[0]["label"].lower()
    assert "caseload" in caseload and "forced criminality" in caseload
