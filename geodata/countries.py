"""Country codes and names: ISO 3166-1 from pycountry, display names in one checked-in table."""

from __future__ import annotations

import csv
import re
import unicodedata
import warnings
from functools import lru_cache
from pathlib import Path

import pycountry

REGION_CODE = "REG"  # figures about the seven IOM offices together / the region
# Codes in use for territories ISO 3166-1 has not assigned (Natural Earth uses XKX for Kosovo).
EXTRA_CODES = {"XKX": "Kosovo"}
NAMES_FILE = Path(__file__).parent / "records" / "country_names.csv"
ISO3_PATTERN = re.compile(r"^[A-Z]{3}$")


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced: for matching names typed in different ways."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


@lru_cache(maxsize=1)
def _names_table() -> tuple[dict[str, str], dict[str, str]]:
    """(display name by ISO3, ISO3 by folded alias) from records/country_names.csv."""
    display: dict[str, str] = {}
    aliases: dict[str, str] = {}
    with NAMES_FILE.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            iso3 = row["iso3"].strip()
            name = row["name"].strip()
            if row.get("display", "").strip() == "yes":
                display[iso3] = name
            aliases[fold(name)] = iso3
    return display, aliases


def is_iso3(code: str) -> bool:
    if not ISO3_PATTERN.match(code or ""):
        return False
    return code in EXTRA_CODES or pycountry.countries.get(alpha_3=code) is not None


def country_name(iso3: str) -> str:
    """The name a reader of the report expects (IOM usage: Lao PDR, Viet Nam)."""
    if iso3 == REGION_CODE:
        return "Region (seven IOM offices)"
    display, _ = _names_table()
    if iso3 in display:
        return display[iso3]
    if iso3 in EXTRA_CODES:
        return EXTRA_CODES[iso3]
    country = pycountry.countries.get(alpha_3=iso3)
    if country is None:
        return iso3
    return getattr(country, "common_name", None) or country.name


def iso3_from_alpha2(code: str) -> str | None:
    country = pycountry.countries.get(alpha_2=code.upper()) if len(code) == 2 else None
    return country.alpha_3 if country else None


def iso3_from_numeric(code: str) -> str | None:
    country = pycountry.countries.get(numeric=code.zfill(3)) if code.isdigit() else None
    return country.alpha_3 if country else None


def harmonize(names: list[str]) -> dict[str, str | None]:
    """Map free-text country names to ISO3: the checked-in aliases first, then pycountry.

    Warns about names that do not map and about aliases that no input used.
    """
    _, aliases = _names_table()
    out: dict[str, str | None] = {}
    used: set[str] = set()
    for name in names:
        key = fold(name)
        if key in aliases:
            out[name] = aliases[key]
            used.add(key)
            continue
        try:
            out[name] = pycountry.countries.lookup(name.strip()).alpha_3
        except LookupError:
            out[name] = None
    unmapped = sorted(n for n, code in out.items() if code is None)
    if unmapped:
        warnings.warn(f"country names with no ISO3 code: {', '.join(unmapped)}", stacklevel=2)
    return out


def unused_aliases(names: list[str]) -> list[str]:
    """Aliases in the checked-in table that none of `names` used (to keep the table honest)."""
    _, aliases = _names_table()
    keys = {fold(n) for n in names}
    return sorted(a for a in aliases if a not in keys)
