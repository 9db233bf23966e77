"""Small counts of a case file never leave the server: not on the map (labels, hovers), in
the table, the Sankey, the downloads (CSV and HXL) or an exported figure. The report's own
figures are never withheld."""

from __future__ import annotations

import csv
import io
import json
import re

import plotly.io.json as pio_json
import pytest

from dashboard.app import create_app
from dashboard.explorer import callbacks
from dashboard.explorer.table import table_rows
from dashboard.settings import Settings
from dashboard.startup import load_settings_dataset
from dashboard.state import parse_query
from tests.case_fixture import FLOWS, SMALL, write_cases

CASES = "?measure=case_records&year=2023"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    path = write_cases(tmp_path_factory.mktemp("cases"))
    return load_settings_dataset(Settings(cases=path))


@pytest.fixture(scope="module")
def client(dataset):
    return create_app(Settings(), dataset).server.test_client()


def as_text(value) -> str:
    """JSON as the browser reads it (plotly writes '<' as \\u003c)."""
    return pio_json.to_json_plotly(value).encode().decode("unicode_escape")


def small_count_in(text: str) -> list[str]:
    """Places where a count under the threshold is written as a number of case records."""
    found = []
    for n in SMALL:
        pattern = rf"(?<![\d<.,]){n}(?![\d.,])\s*(case records|<|,|$)"
        found += [m.group(0) for m in re.finditer(pattern, text, flags=re.I | re.M)]
        found += re.findall(rf"Case records: {n}\b", text)
    return found


def case_lines(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if "case" in line.lower())


def test_suppressed_flows_are_routes_of_their_own_measure(dataset):
    cases = dataset.routes[dataset.routes["measure"] == "case_records"]
    hidden = cases[cases["suppressed"]]
    assert len(hidden) >= len(SMALL)
    assert hidden["count"].isna().all()
    assert set(hidden["count_display"]) <= {"<10", "withheld"}
    shown = cases[~cases["suppressed"]]
    assert (shown["count"] >= 10).all()
    # the report's routes keep every count they had
    report = dataset.routes[dataset.routes["measure"] != "case_records"]
    assert report["count"].notna().sum() > 0 and not report["suppressed"].any()


def test_map_figure_shows_less_than_ten_and_never_the_small_count(dataset):
    fig = callbacks.map_figure(dataset, CASES, {"w": 1200, "h": 800}, "/geo/x.json")
    text = as_text(fig)
    assert "<10 case records" in text
    assert "Case records: <10" in text
    assert not small_count_in(text)
    drawn = {t.get("name") for t in fig["data"]}
    for nat, dest in FLOWS:
        assert f"ctdc-2024-synthetic-{nat.lower()}-{dest.lower()}-2023" in drawn


def test_table_rows_print_less_than_ten_with_no_count(dataset):
    state, _ = parse_query(CASES + "&view=table")
    rows = [r for r in table_rows(dataset, state) if r["measure"] == "case records"]
    assert len(rows) == len(FLOWS)
    for r in rows:
        if r["count"] is None:
            assert r["qualifier"] in ("<10", "withheld")
        else:
            assert r["count"] >= 10
    assert not small_count_in(json.dumps(rows))


def test_sankey_never_prints_a_small_count(dataset):
    fig, note = callbacks.sankey_view(dataset, CASES + "&view=sankey")
    text = as_text(fig) + as_text(note)
    assert not small_count_in(text)
    assert "<10" in text


@pytest.mark.parametrize("fmt", ["", "&format=hxl"])
@pytest.mark.parametrize("name", ["routes", "case_flows"])
def test_downloads_print_less_than_ten_and_no_small_count(client, name, fmt):
    response = client.get(f"/download/{name}.csv?measure=case_records{fmt}")
    assert response.status_code == 200
    body = response.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body)))
    if fmt:
        tags = rows.pop(0)
        assert tags["count"] == "#affected"
        assert "#meta+source" in tags.values()
    assert len(rows) == len(FLOWS)
    for r in rows:
        if r["suppressed"] in ("True", "yes"):
            assert r["count"] == "" and r["count_display"] in ("<10", "withheld")
        else:
            assert int(r["count"]) >= 10
    assert all(r["source_id"] == "ctdc-2024-synthetic" for r in rows)
    assert not small_count_in(case_lines(body))


def test_case_flows_download_names_the_dataset_and_holds_no_case_rows(client):
    body = client.get("/download/case_flows.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {r["source_publisher"] for r in rows} == {"Counter Trafficking Data Collaborative (IOM)"}
    assert not {"gender", "age_band", "case_id", "_row"} & set(rows[0])


def test_hxl_downloads_carry_the_hashtags(client):
    for name, wanted in (
        ("case_flows", {"#country+code+origin", "#country+code+dest", "#affected"}),
        ("routes", {"#country+code+origin", "#country+code+dest", "#affected"}),
        ("figures", {"#affected", "#meta+source"}),
    ):
        body = client.get(f"/download/{name}.csv?format=hxl").get_data(as_text=True)
        tags = next(csv.reader(io.StringIO(body.lstrip("\ufeff").splitlines()[1])))
        assert wanted <= set(tags), (name, tags)
        assert any(t.startswith("#date") for t in tags)
    assert client.get("/download/routes.csv?format=xls").status_code == 400


def test_hxl_download_defuses_formulas(tmp_path):
    from geodata.dataset import load_dataset
    from tests.conftest import ROUTES, write_data

    evil = ROUTES.replace("S,", "=HYPERLINK(1),", 1)
    dataset = load_dataset(write_data(tmp_path, routes_csv=evil))
    client = create_app(Settings(), dataset).server.test_client()
    body = client.get("/download/routes.csv?format=hxl").get_data(as_text=True)
    assert "=HYPERLINK" not in body.replace("'=HYPERLINK", "")


def test_report_figures_are_never_withheld(client):
    body = client.get("/download/figures.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert all(r["value"] != "" for r in rows)
    small = [r for r in rows if r["value"] and float(r["value"]) < 10]
    assert small, "the report's own small figures are printed as they are"


def test_svg_export_prints_less_than_ten_and_no_small_count(client):
    import shutil

    if not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed")
    response = client.get("/export/map.svg" + CASES)
    if response.status_code == 503:
        pytest.skip(response.get_data(as_text=True))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    svg = response.get_data(as_text=True)
    texts = " ".join(re.findall(r">([^<>]*)</t", svg))
    texts = texts.replace("&#60;", "<").replace("&lt;", "<")
    assert "<10 case records" in texts
    assert not small_count_in(texts)
    sources = client.get("/export/map.sources.csv" + CASES).get_data(as_text=True)
    assert "Counter Trafficking Data Collaborative" in sources


def test_record_downloads_and_case_files_share_one_writer():
    import dashboard.downloads as downloads
    import geodata.cases as cases
    from geodata.hxl import hxl_csv, to_hxl_csv

    assert cases.to_hxl_csv is to_hxl_csv
    assert downloads.hxl_csv is hxl_csv
    assert not hasattr(downloads, "HXL_TAGS") and not hasattr(downloads, "hxl_table")
