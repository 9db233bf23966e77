"""How often the explorer asks the server: never for the plain URL it opens with (the layout
holds that view), once per filter change (the URL is written in the browser), and a hidden
tab only when it is shown. The browser's URL rules are checked against the server's."""

from __future__ import annotations

import pytest

from dashboard.explorer import callbacks
from layouts import ids

pytestmark = pytest.mark.browser

YEARS = (2022, 2023)
DEFAULT = [
    [2022, 2023],
    [],
    [],
    [],
    "forced_criminality",
    None,
    "same",
    ["routes", "returns", "places"],
    "map",
    None,
]


def callback_posts(page) -> list[dict]:
    posts: list[dict] = []
    page.on(
        "request",
        lambda r: (
            posts.append(r.post_data_json)
            if r.method == "POST" and "_dash-update-component" in r.url
            else None
        ),
    )
    return posts


def settle(page, ms: int = 1500) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(ms)


def test_plain_url_opens_without_asking_the_server(watched_page, live_server):
    page, watch = watched_page
    posts = callback_posts(page)
    page.goto(live_server + "/", wait_until="networkidle")
    page.wait_for_selector("#explorer-map .choroplethlocation", state="attached")
    page.wait_for_selector("#explorer-headlines .headline-value", state="attached")
    settle(page)
    assert [p["output"] for p in posts] == []
    assert page.locator("#explorer-legend").inner_text().strip()
    assert "Forced criminality" in page.locator("#explorer-form").inner_text()
    watch.assert_clean()


def test_a_filter_change_is_one_request_and_hidden_tabs_wait(watched_page, live_server):
    page, watch = watched_page
    page.goto(live_server + "/", wait_until="networkidle")
    settle(page, 800)
    posts = callback_posts(page)
    page.click("#explorer-layers label:has-text('Dated events')")
    page.wait_for_function("location.search.includes('events')")
    settle(page)
    assert len(posts) == 1, [p["output"][:80] for p in posts]
    assert "explorer-map.figure" in posts[0]["output"]
    posts.clear()
    page.click("text=Sankey")
    page.wait_for_selector(
        "#explorer-sankey .scatterlayer, #explorer-sankey .sankey", timeout=15_000
    )
    settle(page)
    outputs = " ".join(p["output"] for p in posts)
    assert "explorer-sankey.figure" in outputs
    assert "explorer-table" not in outputs and "explorer-overview" not in outputs
    watch.assert_clean()


CASES = [
    # (trigger, search, changes to DEFAULT, click)
    (ids.EXPLORER_NATIONALITY, "", {1: ["VNM", "IDN"], 0: [2023, 2023], 8: "table"}, None),
    (ids.EXPLORER_FORM, "", {4: "every"}, None),
    (ids.EXPLORER_FORM, "?form=organ_removal,other", {4: None}, None),
    (ids.EXPLORER_MEASURE, "?measure=returned&width=count", {5: None, 6: "count"}, None),
    (ids.EXPLORER_MEASURE, "", {5: "returned", 6: "count"}, None),
    (ids.EXPLORER_LAYERS, "", {7: ["routes", "places", "events"]}, None),
    (ids.EXPLORER_LAYERS, "", {7: ["returns", "routes", "places"]}, None),
    (ids.EXPLORER_COUNTRY, "?route=idn-khm-2023&country=KHM", {9: "MMR"}, None),
    (ids.EXPLORER_MAP, "", {}, {"points": [{"curveNumber": 0, "location": "KHM"}]}),
    (ids.EXPLORER_MAP, "", {}, {"points": [{"curveNumber": 9, "customdata": ["MMR"]}]}),
    (ids.EXPLORER_MAP, "", {}, {"points": [{"curveNumber": 9, "customdata": ["REG"]}]}),
    (
        ids.EXPLORER_MAP,
        "?nationality=VNM",
        {1: ["VNM"]},
        {"points": [{"curveNumber": 4, "customdata": "vnm-rescued-in-phl-437"}]},
    ),
    (ids.EXPLORER_MAP, "", {}, {"points": [{"curveNumber": 5, "lon": 100, "lat": 15}]}),
    (ids.EXPLORER_YEAR, "", {0: [2022, 2022], 2: ["PHL"], 3: ["VNM", "KHM"]}, None),
]


def test_the_browser_writes_the_url_as_the_server_would(watched_page, live_server, bundled):
    page, watch = watched_page
    page.goto(live_server + "/", wait_until="networkidle")
    page.wait_for_function("window.dash_clientside && window.dash_clientside.explorer")
    for trigger, search, changes, click in CASES:
        values = list(DEFAULT)
        for i, v in changes.items():
            values[i] = v
        expected = callbacks.sync_url_and_controls(bundled, YEARS, trigger, search, values, click)
        got = page.evaluate(
            "([t, s, v, c, b]) => window.dash_clientside.explorer.fromControls(t, s, v, c, b)",
            [trigger, search, values, click, list(YEARS)],
        )
        want_search = None if expected[0] is callbacks.no_update else expected[0]
        country = expected[1 + callbacks.CONTROLS.index(ids.EXPLORER_COUNTRY)]
        width = expected[1 + callbacks.CONTROLS.index(ids.EXPLORER_WIDTH)]
        want = [
            want_search,
            None if country is callbacks.no_update else country,
            None if width is callbacks.no_update else width,
        ]
        assert got == want, (trigger, search, changes, click)
    watch.assert_clean()
