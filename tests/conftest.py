"""Shared fixtures: a small valid data folder written inline, and the bundled dataset.

The small folder's routes, figures and events have no `form` or `movement` column on purpose: a
user's files without them must still load (form None, movement 'trafficking').
"""

# ruff: noqa: E501  (CSV rows are kept whole so they read as the files they stand for)

from __future__ import annotations

import os
from pathlib import Path

import pytest

from geodata.dataset import load_dataset

SOURCES = """id,title,publisher,date,url,note
rep,A situation report,IOM,2024-02,,
"""
LOCATIONS = """id,name,kind,lat,lon,iso3,admin1,claim,coord_source,coord_url,source_id,section,note
myawaddy,Myawaddy,city,16.69,98.51,MMR,Kayin,report,Wikipedia,https://example.org/m,rep,Myanmar — Protection,
bavet,Bavet,city,11.07,106.13,KHM,Svay Rieng,context,Wikipedia,https://example.org/b,,,
mae-sot,Mae Sot,city,16.72,98.57,THA,Tak,report,Natural Earth,,rep,Victims' Testimonies,
"""
ROUTES = """id,nationality,origin,transit,destination,year_start,year_end,period,measure,count,qualifier,share_pct,source_id,section,note
r1,IDN,IDN,mae-sot,myawaddy,2023,2023,,rescued,20,exact,,rep,Media and Publications,
r2,VNM,VNM,,bavet,2022,2023,,reported_route,,unknown,,rep,Viet Nam — Protection,
r3,PHL,PHL,,KHM,2022,2023,since 2022,repatriated,,unknown,37,rep,Philippines — IOM Key Achievements,
"""
FIGURES = """id,label,scope,nationality,year_start,year_end,period,measure,value,value_max,unit,qualifier,source_id,section,note
f1,Caseload,REG,,2023,2023,,caseload,978,,people,exact,rep,IOM's Facts and Figures,
f2,Indonesians rescued,IDN,IDN,2023,2023,January–November 2023,rescued,3239,,people,exact,rep,Indonesia — Protection,
"""
EVENTS = """id,date_start,date_end,date_label,kind,title,location_id,iso3,figure_ids,source_id,section,note
e1,2023-05,,May 2023,raid,A raid,myawaddy,,f1,rep,Myanmar — Protection,
"""
HEADLINES = """id,rank,figure_ids,label,note
h-caseload,1,f1,Caseload of the seven offices,
h-rescued,2,f2,Indonesians rescued,
"""
NOTES = """id,refers_to,kind,text,section
n1,f1,caveat,Covers seven offices only,IOM's Facts and Figures
"""
PROFILES = """MMR:
  name: Myanmar
  role: [origin, destination]
  role_label: Country of destination and origin
  sections:
    - heading: Victim profile
      section: Myanmar — Victim Profile
      points:
        - text: Mostly men aged 18 to 35.
          figure_ids: []
"""
FILES = {
    "sources.csv": SOURCES,
    "locations.csv": LOCATIONS,
    "routes.csv": ROUTES,
    "figures.csv": FIGURES,
    "events.csv": EVENTS,
    "notes.csv": NOTES,
    "headlines.csv": HEADLINES,
    "profiles.yaml": PROFILES,
}


def write_data(folder: Path, **replace: str | bytes) -> Path:
    """Write the small valid data folder, with some files replaced (bytes written raw)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in {**FILES, **{k.replace("_", "."): v for k, v in replace.items()}}.items():
        path = folder / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def small_dir(tmp_path: Path) -> Path:
    return write_data(tmp_path / "data")


CHROMIUM = os.environ.get("DASHBOARD_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """One Playwright Chromium for the whole run (Playwright's sync API allows one at a time):
    the browser tests drive pages in it, the export tests measure SVGs in it."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (make test installs Debian's chromium as root)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session")
def bundled():
    return load_dataset()
