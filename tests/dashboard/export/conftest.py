"""Fixtures of the export tests: the process's exporter (one Chromium), a Playwright Chromium
to measure exported SVGs in, and exported figures by view, filters and page, made once."""

from __future__ import annotations

import pytest

from dashboard.export import render as export_module
from dashboard.export.render import Exporter, Page, frame_for_print, print_figure
from tests.dashboard.export.svgtext import measure_svg

BOUNDS = (2022, 2023)
FULL = Page(180)
COLUMN = Page(85)


@pytest.fixture(scope="session")
def shared_exporter():
    if export_module.chromium_path() is None:
        pytest.skip("no Chromium for kaleido on this machine")
    with Exporter() as ex:
        yield ex


@pytest.fixture(scope="session")
def svg_browser(browser):
    """The run's one Playwright Chromium (tests/conftest.py)."""
    return browser


class Printed:
    """A view exported as the CLI and the route export it: its figure, meta, SVG and texts."""

    def __init__(self, dataset, view, state, page, exporter, browser):
        self.fig, self.meta = print_figure(dataset, view, state, BOUNDS, page)
        self.framed, self.width, self.height = frame_for_print(
            self.fig, self.meta, page, built=True
        )
        self.svg = exporter.render(self.fig, self.meta, "svg", page, built=True)
        self.measured = measure_svg(self.svg, browser)

    @property
    def text(self) -> str:
        return " | ".join(t.text for t in self.measured.texts)


@pytest.fixture(scope="session")
def printed(bundled, shared_exporter, svg_browser):
    made: dict = {}

    def get(view: str, state, page: Page) -> Printed:
        key = (view, state, page)
        if key not in made:
            made[key] = Printed(bundled, view, state, page, shared_exporter, svg_browser)
        return made[key]

    return get
