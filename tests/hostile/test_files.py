"""Hostile files other than record rows: YAML built to explode or to hide a key, briefings,
links out of the data folder, named pipes, boundary files that are not. Each is refused with
one line that names the file and no server path, quickly, and without a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from dashboard.briefing.files import BriefingError, load_briefing
from geodata.boundaries import load_admin0
from geodata.dataset import RECORDS_DIR, load_dataset
from geodata.io import MAX_YAML_DEPTH, YamlRefused, load_yaml_text, read_bytes
from geodata.report import ValidationReport

ROOT = Path(__file__).resolve().parents[2]
PROFILES = (RECORDS_DIR / "profiles.yaml").read_text(encoding="utf-8")
BRIEFING = (ROOT / "dashboard" / "briefing" / "examples" / "iom-2024.yaml").read_text()

ALIAS_BOMB = "\n".join(
    ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]" for i in range(8)]
)
DEEP = "[" * 50_000 + "]" * 50_000


def finishes(fn, seconds: float = 20.0):
    """Run fn in a thread; fail (not hang) if it has not returned in time."""
    out: dict = {}

    def run():
        try:
            out["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            out["error"] = exc

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"still running after {seconds} s"
    if "error" in out:
        raise out["error"]
    return out["value"]


# --- YAML -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, says",
    [
        (ALIAS_BOMB, "aliases"),
        (DEEP, f"more than {MAX_YAML_DEPTH} levels"),
        ("{" * 5000 + "}" * 5000, f"more than {MAX_YAML_DEPTH} levels"),
        ("a: 1\nb: 2\na: 3\n", "key 'a' given twice"),
        ("x: !!python/object/apply:os.system ['true']\n", "python/object"),
    ],
    ids=["alias bomb", "nested 50,000 deep", "flow mappings 5,000 deep", "repeated key", "tag"],
)
def test_hostile_yaml_is_refused_quickly(text, says):
    import yaml

    with pytest.raises((YamlRefused, yaml.YAMLError)) as caught:
        finishes(lambda: load_yaml_text(text), 10)
    assert says in str(caught.value)


def test_a_profile_given_twice_is_refused_not_silently_replaced(tmp_path):
    (tmp_path / "profiles.yaml").write_text(
        PROFILES
        + "\n"
        + PROFILES.split("\nIDN:")[0].split("KHM:", 1)[0]
        + "KHM:\n  name: Cambodia again\n"
    )
    report = load_dataset(overrides={"profiles.yaml": tmp_path / "profiles.yaml"}).report
    text = report.render()
    assert "key 'KHM' given twice" in text
    assert str(tmp_path) not in text


def test_markup_in_a_profile_is_refused_with_where_it_is(tmp_path):
    bad = PROFILES.replace(
        "Scam compounds are located",
        '<a href="https://evil.example">click</a> Scam compounds are',
        1,
    )
    (tmp_path / "profiles.yaml").write_text(bad)
    dataset = load_dataset(overrides={"profiles.yaml": tmp_path / "profiles.yaml"})
    problems = [p for p in dataset.report.errors if p.file == "profiles.yaml"]
    assert problems and all("markup" in p.reason for p in problems)
    assert problems[0].column.startswith("KHM.sections[0].points[0].text")
    assert "KHM" not in dataset.profiles and "MMR" in dataset.profiles


# --- briefings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content, says",
    [
        ("title: x\nslides: " + "[" * 30_000 + "]" * 30_000, "levels deep"),
        (ALIAS_BOMB + "\ntitle: t\nslides: []\n", "aliases"),
        (
            BRIEFING.replace("title: Indonesian routes in 2023", "title: <b>Indonesian</b>"),
            "markup",
        ),
        ("title: x\nslides:\n  - view: map\n    title: t\n    title: u\n", "given twice"),
        ("# " + "x" * 1_100_000 + "\ntitle: t\nslides: []\n", "over the 1,000,000 limit"),
    ],
    ids=["deep", "alias bomb", "markup in a title", "repeated key", "over a megabyte"],
)
def test_a_hostile_briefing_is_refused_with_its_file_name(tmp_path, content, says):
    path = tmp_path / "room.yaml"
    path.write_text(content)
    with pytest.raises(BriefingError) as caught:
        finishes(lambda: load_briefing(path), 20)
    assert says in str(caught.value) and "room.yaml" in str(caught.value)
    assert str(tmp_path) not in str(caught.value)


def test_one_bad_briefing_leaves_the_others_listed_and_is_read_once(tmp_path, monkeypatch):
    from dashboard.app import create_app
    from dashboard.briefing import app as briefing_app
    from dashboard.settings import Settings

    (tmp_path / "good.yaml").write_text(BRIEFING)
    (tmp_path / "bomb.yaml").write_text(ALIAS_BOMB + "\ntitle: t\nslides: []\n")
    calls = []
    real = briefing_app.load_briefing
    monkeypatch.setattr(
        briefing_app, "load_briefing", lambda *a, **k: calls.append(a) or real(*a, **k)
    )
    app = create_app(Settings(briefings_dir=tmp_path))
    client = app.server.test_client()
    import json

    body = {
        "output": "briefing-content.children",
        "outputs": {"id": "briefing-content", "property": "children"},
        "inputs": [
            {"id": "briefing-url", "property": "pathname", "value": "/briefing/"},
            {"id": "briefing-url", "property": "search", "value": ""},
            {"id": "briefing-stage-size", "property": "data", "value": None},
        ],
        "changedPropIds": ["briefing-url.pathname"],
    }
    for _ in range(3):
        r = client.post(
            "/briefing/_dash-update-component",
            data=json.dumps(body),
            content_type="application/json",
        )
        assert r.status_code == 200, r.data[:300]
    text = r.get_data(as_text=True)
    assert "bomb.yaml" in text and "aliases" in text
    assert "Trafficking into online scam compounds" in text
    assert len(calls) == 2  # each file read once, not once per visit


# --- links, pipes and other files that are not data ------------------------------------------


def test_a_data_file_linked_outside_the_folder_is_refused_and_nothing_of_it_shown(tmp_path):
    (tmp_path / "sources.csv").symlink_to("/etc/passwd")
    dataset = load_dataset(tmp_path)
    text = dataset.report.render()
    assert "sources.csv" in text and "outside its folder" in text
    assert "root:" not in text and "/etc" not in text and str(tmp_path) not in text


def test_a_link_inside_the_folder_is_read(tmp_path):
    (tmp_path / "real-routes.csv").write_text((RECORDS_DIR / "routes.csv").read_text())
    (tmp_path / "routes.csv").symlink_to(tmp_path / "real-routes.csv")
    assert read_bytes(tmp_path / "routes.csv", ValidationReport()) is not None


def test_a_named_pipe_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "routes.csv")
    report = ValidationReport()
    assert finishes(lambda: read_bytes(tmp_path / "routes.csv", report), 5) is None
    assert "not a regular file" in report.render()


def test_a_folder_named_like_a_file_is_refused(tmp_path):
    (tmp_path / "routes.csv").mkdir()
    report = ValidationReport()
    assert read_bytes(tmp_path / "routes.csv", report) is None
    assert "not a regular file" in report.render()


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path):
    from geodata.io import MAX_BYTES

    path = tmp_path / "routes.csv"
    with open(path, "wb") as f:
        f.truncate(MAX_BYTES + 1)  # sparse: no disk used
    report = ValidationReport()
    assert read_bytes(path, report) is None
    assert "over the" in report.render()


@pytest.mark.parametrize("part", ["countries.shp", "countries.dbf"])
def test_a_named_pipe_in_a_shapefile_is_refused_without_blocking(tmp_path, part):
    for suffix in (".shp", ".dbf", ".shx"):
        target = tmp_path / f"countries{suffix}"
        if target.name == part:
            os.mkfifo(target)
        else:
            target.write_bytes(b"\x00" * 100)
    report = ValidationReport()
    frame = finishes(lambda: load_admin0(report, tmp_path / "countries.shp"), 10)
    assert frame.empty
    assert f"{part}: not a regular file" in report.render()


@pytest.mark.parametrize(
    "content, says",
    [
        (b"{not json", "cannot read as a boundary file"),
        (b'{"type": "FeatureCollection", "features": []}', "no features"),
        (b"", "empty"),
    ],
    ids=["not JSON", "no features", "empty"],
)
def test_a_broken_boundary_file_is_refused_without_a_server_path(tmp_path, content, says):
    path = tmp_path / "countries.geojson"
    path.write_bytes(content)
    report = ValidationReport()
    assert load_admin0(report, path).empty
    text = report.render()
    assert says in text and str(tmp_path) not in text


# --- validate tells a briefing from country profiles -------------------------------------------


def test_validate_checks_a_briefing_as_a_briefing(tmp_path):
    path = tmp_path / "room.yaml"
    path.write_text(BRIEFING.replace("  - view: map", "  - view: mapp", 1))
    run = subprocess.run(
        [sys.executable, "-m", "dashboard", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert run.returncode == 1
    assert "unknown view 'mapp'" in run.stdout
    assert "ISO3" not in run.stdout  # not read as country profiles
    assert "Traceback" not in run.stderr
