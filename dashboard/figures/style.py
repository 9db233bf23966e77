"""Colours, symbols and type shared by every figure (Okabe–Ito colour-blind-safe hues)."""

from __future__ import annotations

FONT_FAMILY = "DejaVu Sans, Segoe UI, Helvetica Neue, Arial, sans-serif"
INK = "#1a1a1a"
MUTED = "#4a4a4a"
OCEAN = "#dce8f1"
LAND = "#f3f1ec"  # countries the report does not discuss
BORDER = "#9a968d"

# Routes: trafficking in vermillion, returns in blue, movements of another kind in grey.
MOVEMENT_COLOURS = {"trafficking": "#D55E00", "return": "#0072B2", "other": "#7a7a7a"}
MOVEMENT_TEXT = {"trafficking": "#9c3f00", "return": "#004f7c", "other": "#4d4d4d"}
FORM_COLOURS = {"organ_removal": "#CC79A7", "sexual_exploitation": "#8E4FA0"}
PLACE_FIGURE_COLOUR = "rgba(213,94,0,0.32)"
PLACE_FIGURE_LINE = "#9c3f00"

# Countries by their role in the report: light tints, none of them the sea's blue.
ROLE_COLOURS = {
    "origin": "#f1e2bd",
    "destination and origin": "#f5cdb6",
    "transit and destination": "#dcd0ea",
    "transit, destination and origin": "#d6e3c3",
    "destination": "#f5cdb6",
    "transit": "#e9efb0",
    "none": LAND,
}
KIND_COLOURS = {
    "compound": "#D55E00",
    "sez": "#CC79A7",
    "city": "#3d3d3d",
    "airport": "#009E73",
    "border_crossing": "#E69F00",
}
EVENT_COLOUR = "#009E73"
EVENT_SYMBOLS = {
    "raid": "x",
    "operation": "x",
    "rescue": "star",
    "interception": "star-diamond",
    "arrest": "x-thin-open",
    "repatriation": "triangle-down",
    "deportation": "triangle-down-open",
    "law": "square",
    "referral_mechanism": "square-open",
    "task_force": "square-x",
    "declaration": "pentagon",
    "campaign": "hexagon-open",
    "advisory": "hexagon",
    "meeting": "circle-cross",
    "media": "diamond-open",
    "publication": "diamond",
}
HALO = "0 0 2px #ffffff, 0 0 2px #ffffff, 0 0 3px #ffffff"  # keeps text legible over lines
