"""A small case-level file (CTDC 2024 layout) whose flows are mostly under the threshold.

IDN -> KHM 2023: 23 cases, IDN -> MMR 2023: 12, THA -> MMR 2023: 15, VNM -> KHM 2023: 7,
PHL -> MMR 2023: 3, and two rows the reader refuses (a year that is not a year, a country
code that is not one).
SMALL holds the counts under 10, which no output may print.
"""

from __future__ import annotations

from pathlib import Path

HEADER = (
    "yearOfRegistration,gender,ageBroad,citizenship,CountryOfExploitation,traffickMonths,"
    "meansDebtBondageEarnings,meansThreats,meansAbusePsyPhySex,meansFalsePromises,"
    "meansDrugsAlcohol,meansDenyBasicNeeds,meansExcessiveWorkHours,meansWithholdDocs,"
    "isForcedLabour,isSexualExploit,isOtherExploit,typeOfLabourAgriculture,"
    "typeOfLabourConstruction,typeOfLabourDomesticWork,typeOfLabourHospitality,"
    "typeOfSexProstitution,typeOfSexPornography,recruiterRelationIntimatePartner,"
    "recruiterRelationFriend,recruiterRelationFamily,recruiterRelationOther"
)
FLOWS = {
    ("IDN", "KHM"): 23,
    ("IDN", "MMR"): 12,
    ("THA", "MMR"): 15,
    ("VNM", "KHM"): 7,
    ("PHL", "MMR"): 3,
}
SMALL = (7, 3)
BAD_ROWS = 2
ROWS = sum(FLOWS.values()) + BAD_ROWS


def row(year: str, nat: str, dest: str) -> str:
    cells = [year, "Man", "21--23", nat, dest, "0--12", *[""] * 8, "1", "", "", *[""] * 10]
    return ",".join(cells)


def case_text() -> str:
    rows = [row("2023", nat, dest) for (nat, dest), n in FLOWS.items() for _ in range(n)]
    rows.append(row("20x3", "IDN", "KHM"))
    rows.append(row("2023", "QQQ", "KHM"))
    return "\n".join([HEADER, *rows]) + "\n"


def write_cases(folder: Path, name: str = "cases.csv") -> Path:
    path = folder / name
    path.write_text(case_text(), encoding="utf-8")
    return path
