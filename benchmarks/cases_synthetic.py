"""Synthetic case-level files in the three layouts the case readers take, for benchmarks.

The values are drawn at random (numpy, fixed seed) from plausible vocabularies: they describe
no real person and no real pattern. Run directly to write one file:

    .venv/bin/python benchmarks/cases_synthetic.py ctdc2024 1000000 /tmp/cases.csv
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

CTDC2024_COLUMNS = [
    "yearOfRegistration",
    "gender",
    "ageBroad",
    "citizenship",
    "CountryOfExploitation",
    "traffickMonths",
    "meansDebtBondageEarnings",
    "meansThreats",
    "meansAbusePsyPhySex",
    "meansFalsePromises",
    "meansDrugsAlcohol",
    "meansDenyBasicNeeds",
    "meansExcessiveWorkHours",
    "meansWithholdDocs",
    "isForcedLabour",
    "isSexualExploit",
    "isOtherExploit",
    "typeOfLabourAgriculture",
    "typeOfLabourConstruction",
    "typeOfLabourDomesticWork",
    "typeOfLabourHospitality",
    "typeOfSexProstitution",
    "typeOfSexPornography",
    "recruiterRelationIntimatePartner",
    "recruiterRelationFriend",
    "recruiterRelationFamily",
    "recruiterRelationOther",
]

# ISO3 codes of people's nationalities and of countries of exploitation, most frequent first
NATIONALITIES = (
    "IDN PHL VNM MMR KHM LAO THA CHN MYS IND BGD NPL LKA PAK KEN UGA NGA GHA ETH UKR MDA ROU "
    "BLR KGZ UZB COL HND GTM SLV MEX HTI BRA PER USA TWN HKG MNG TJK KAZ AFG"
).split()
DESTINATIONS = (
    "MMR KHM LAO PHL THA MYS IDN VNM CHN USA RUS ARE SAU QAT KWT TUR POL DEU GBR JPN KOR TWN IND"
).split()
AGES = ["0--8", "9--17", "18--20", "21--23", "24--26", "27--29", "30--38", "39--47", "48+", ""]
GENDERS = ["Woman", "Man", "Trans/Transgender/NonConforming", ""]
ISO2 = {
    "IDN": "ID", "PHL": "PH", "VNM": "VN", "MMR": "MM", "KHM": "KH", "LAO": "LA", "THA": "TH",
    "CHN": "CN", "MYS": "MY", "IND": "IN", "BGD": "BD", "NPL": "NP", "LKA": "LK", "PAK": "PK",
    "KEN": "KE", "UGA": "UG", "NGA": "NG", "GHA": "GH", "ETH": "ET", "UKR": "UA", "MDA": "MD",
    "ROU": "RO", "BLR": "BY", "KGZ": "KG", "UZB": "UZ", "COL": "CO", "HND": "HN", "GTM": "GT",
    "SLV": "SV", "MEX": "MX", "HTI": "HT", "BRA": "BR", "PER": "PE", "USA": "US", "TWN": "TW",
    "HKG": "HK", "MNG": "MN", "TJK": "TJ", "KAZ": "KZ", "AFG": "AF", "RUS": "RU", "ARE": "AE",
    "SAU": "SA", "QAT": "QA", "KWT": "KW", "TUR": "TR", "POL": "PL", "DEU": "DE", "GBR": "GB",
    "JPN": "JP", "KOR": "KR",
}  # fmt: skip


def _zipf(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    weights = 1.0 / np.arange(1, k + 1)
    return rng.choice(k, size=n, p=weights / weights.sum())


def _flag(rng: np.random.Generator, n: int, p: float, on: str = "1", off: str = "") -> np.ndarray:
    return np.where(rng.random(n) < p, on, off)


def synthetic_frame(rows: int, layout: str = "ctdc2024", seed: int = 0) -> pd.DataFrame:
    """`rows` synthetic case rows in `layout` (ctdc2024, ctdc2020 or htcds)."""
    rng = np.random.default_rng(seed)
    years = rng.integers(2002, 2024, size=rows).astype(str)
    nat = np.array(NATIONALITIES)[_zipf(rng, rows, len(NATIONALITIES))]
    dest = np.array(DESTINATIONS)[_zipf(rng, rows, len(DESTINATIONS))]
    ages = np.array(AGES)[rng.integers(0, len(AGES), size=rows)]
    labour = rng.random(rows) < 0.45
    sexual = ~labour & (rng.random(rows) < 0.6)
    if layout == "ctdc2024":
        frame = pd.DataFrame({c: np.full(rows, "", dtype=object) for c in CTDC2024_COLUMNS})
        frame["yearOfRegistration"] = years
        frame["gender"] = np.array(GENDERS)[rng.integers(0, len(GENDERS), size=rows)]
        frame["ageBroad"] = ages
        frame["citizenship"] = nat
        frame["CountryOfExploitation"] = np.where(rng.random(rows) < 0.05, "", dest)
        frame["traffickMonths"] = np.array(["0--12", "13--24", "25+", ""])[
            rng.integers(0, 4, size=rows)
        ]
        for column in CTDC2024_COLUMNS[6:14] + CTDC2024_COLUMNS[17:]:
            frame[column] = _flag(rng, rows, 0.2)
        frame["isForcedLabour"] = np.where(labour, "1", "")
        frame["isSexualExploit"] = np.where(sexual, "1", "")
        frame["isOtherExploit"] = _flag(rng, rows, 0.05)
        return frame
    to2 = np.vectorize(lambda c: ISO2.get(c, ""), otypes=[object])
    if layout == "ctdc2020":
        nat2 = np.where(rng.random(rows) < 0.1, "0", to2(nat))
        nat2 = np.where(rng.random(rows) < 0.01, "NA", nat2)  # Namibia, never a blank
        return pd.DataFrame(
            {
                "yearOfRegistration": years,
                "Datasource": "Case Management",
                "gender": np.array(["Female", "Male"])[rng.integers(0, 2, size=rows)],
                "ageBroad": np.where(ages == "", "-99", ages),
                "majorityStatus": np.array(["Adult", "Minor", "-99"])[
                    rng.integers(0, 3, size=rows)
                ],
                "citizenship": nat2,
                "isForcedLabour": np.where(labour, "1", "0"),
                "isSexualExploit": np.where(sexual, "1", "0"),
                "isOtherExploit": _flag(rng, rows, 0.05, "1", "0"),
                "CountryOfExploitation": np.where(rng.random(rows) < 0.1, "-99", to2(dest)),
            }
        )
    if layout == "htcds":
        kinds = np.where(labour, "ForcedLabour", np.where(sexual, "SexualExploitation", "Other"))
        kinds = np.where(rng.random(rows) < 0.1, kinds + ";ForcedBegging", kinds)
        months = rng.integers(1, 13, size=rows)
        days = rng.integers(1, 29, size=rows)
        dates = pd.Series(years) + "-" + pd.Series(months).map("{:02d}".format)
        dates = dates + "-" + pd.Series(days).map("{:02d}".format)
        return pd.DataFrame(
            {
                "cas_CaseNumber": [f"C-{i:07d}" for i in range(rows)],
                "cas_IncomingReferralDate": dates.to_numpy(),
                "prs_Gender": np.array(["Feminine", "Masculine", "NonConforming", ""])[
                    rng.integers(0, 4, size=rows)
                ],
                "prs_Citizenship": to2(nat),
                "vic_AgeWhenTrafficked": rng.integers(8, 60, size=rows).astype(str),
                "vic_TypeOfExploitation": kinds,
                "hte_Type": "Exploitation",
                "hte_Country": to2(dest),
            }
        )
    raise ValueError(f"unknown layout {layout!r}")


def write_synthetic(path: Path, rows: int, layout: str = "ctdc2024", seed: int = 0) -> Path:
    synthetic_frame(rows, layout, seed).to_csv(path, index=False, lineterminator="\n")
    return path


if __name__ == "__main__":
    layout, rows, out = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    write_synthetic(out, rows, layout)
    print(f"wrote {rows:,} {layout} rows to {out} ({out.stat().st_size / 1e6:.1f} MB)")
