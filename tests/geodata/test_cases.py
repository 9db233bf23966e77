"""Case-level readers: each layout, each kind of bad input, the reconciliation of every file."""

# ruff: noqa: E501  (CSV rows are kept whole so they read as the files they stand for)

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from geodata.cases import CASE_COLUMNS, EXPLOITATIONS, detect_format, read_cases, validate_cases
from geodata.cases.flows import aggregate_cases
from geodata.cases.readers import FLAGS

C24_HEADER = (
    "yearOfRegistration,gender,ageBroad,citizenship,CountryOfExploitation,traffickMonths,"
    "meansDebtBondageEarnings,meansThreats,meansAbusePsyPhySex,meansFalsePromises,"
    "meansDrugsAlcohol,meansDenyBasicNeeds,meansExcessiveWorkHours,meansWithholdDocs,"
    "isForcedLabour,isSexualExploit,isOtherExploit,typeOfLabourAgriculture,"
    "typeOfLabourConstruction,typeOfLabourDomesticWork,typeOfLabourHospitality,"
    "typeOfSexProstitution,typeOfSexPornography,recruiterRelationIntimatePartner,"
    "recruiterRelationFriend,recruiterRelationFamily,recruiterRelationOther"
)


def c24_row(
    year="2021", gender="Woman", age="21--23", nat="IDN", dest="KHM", labour="1", sex="", other=""
) -> str:
    cells = [year, gender, age, nat, dest, "0--12", *[""] * 8, labour, sex, other, *[""] * 10]
    return ",".join(cells)


C20 = """yearOfRegistration,Datasource,gender,ageBroad,majorityStatus,citizenship,isForcedLabour,isSexualExploit,isOtherExploit,CountryOfExploitation
2016,Case Management,Female,18--20,Adult,NA,0,1,0,ZA
2016,Case Management,Male,-99,-99,PH,1,0,0,MY
2017,Case Management,Female,9--17,Minor,0,0,1,0,TH
2017,Case Management,Male,30--38,Adult,KH,1,0,0,-99
2017,Case Management,Male,30--38,Adult,00,-99,-99,-99,
"""

HTCDS = """cas_CaseNumber,cas_IncomingReferralDate,prs_Gender,prs_Citizenship,vic_AgeWhenTrafficked,vic_TypeOfExploitation,hte_Type,hte_Country
K-1,2023-03-14,Masculine,ID,24,ForcedLabour,Exploitation,KH
K-2,2023-05-02,Feminine,VN,17,SexualExploitation;ForcedLabour,Exploitation,MM
K-3,2022-11-30,NonSpecifiedUnknown,PH,,OrganRemoval,Exploitation,KH
K-4,2022,TransgenderFeminine,TH,31,,Exploitation,LA
"""


def write(tmp_path: Path, text: str, name: str = "cases.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def reconciles(report, name="cases.csv") -> None:
    tally = report.tallies[name]
    assert tally.read == tally.accepted + tally.rejected, tally
    rejected = report.rejected_rows(name)
    assert len(rejected) == tally.rejected, (rejected, tally)


def test_ctdc2024_rows_are_normalised(tmp_path):
    rows = [
        c24_row(),
        c24_row(nat="PHL", dest="MMR", labour="", sex="1", gender="Man", age="48+"),
        c24_row(nat="", labour="", other="1", gender=""),
    ]
    path = write(tmp_path, "\n".join([C24_HEADER, *rows]) + "\n")
    assert detect_format(path) == "ctdc2024"
    cases, report = read_cases(path)
    assert report.ok, report.render()
    reconciles(report)
    assert list(cases.columns) == CASE_COLUMNS
    assert cases.attrs["format"] == "ctdc2024"
    first = cases.iloc[0]
    assert (first["year"], first["nationality"], first["country_of_exploitation"]) == (
        2021,
        "IDN",
        "KHM",
    )
    assert (first["gender"], first["age_band"], first["exploitation"]) == (
        "female",
        "21-23",
        "forced_labour",
    )
    assert cases["exploitation"].tolist() == [
        "forced_labour",
        "sexual_exploitation",
        "other_exploitation",
    ]
    assert cases["nationality"].iloc[2] is None  # not stated, still a valid case
    assert cases["organ_removal"].isna().all()  # CTDC records no such flag


def test_namibia_is_not_a_missing_value(tmp_path):
    cases, report = read_cases(write(tmp_path, C20))
    assert report.ok, report.render()
    assert cases.attrs["format"] == "ctdc2020"
    assert cases["nationality"].iloc[0] == "NAM"
    assert cases["country_of_exploitation"].iloc[0] == "ZAF"
    # "0", "00", "-99" and a blank mean not stated
    assert cases["nationality"].iloc[2] is None and cases["nationality"].iloc[4] is None
    assert cases["country_of_exploitation"].iloc[3] is None
    assert cases["country_of_exploitation"].iloc[4] is None
    assert cases["age_band"].tolist()[:3] == ["18-20", None, "9-17"]
    assert cases["exploitation"].tolist() == [
        "sexual_exploitation",
        "forced_labour",
        "sexual_exploitation",
        "forced_labour",
        "not_stated",
    ]


def test_ctdc2020_subset_without_telling_columns_is_sniffed_from_its_codes(tmp_path):
    text = "yearOfRegistration,gender,citizenship,isForcedLabour,CountryOfExploitation\n2015,Female,UA,1.0,RU\n2015,Male,NA,0.0,\n"
    path = write(tmp_path, text)
    assert detect_format(path) == "ctdc2020"
    cases, report = read_cases(path)
    assert report.ok and cases["nationality"].tolist() == ["UKR", "NAM"]


def test_htcds_case_records(tmp_path):
    path = write(tmp_path, HTCDS)
    assert detect_format(path) == "htcds"
    cases, report = read_cases(path)
    assert report.ok, report.render()
    assert cases["case_id"].tolist() == ["K-1", "K-2", "K-3", "K-4"]
    assert cases["year"].tolist() == [2023, 2023, 2022, 2022]
    assert cases["nationality"].tolist() == ["IDN", "VNM", "PHL", "THA"]
    assert cases["country_of_exploitation"].tolist() == ["KHM", "MMR", "KHM", "LAO"]
    assert cases["age_band"].tolist() == ["24-26", "9-17", None, "30-38"]
    assert cases["gender"].tolist() == ["male", "female", None, "transgender_nonconforming"]
    assert cases["exploitation"].tolist() == [
        "forced_labour",
        "multiple",
        "organ_removal",
        "not_stated",
    ]
    assert bool(cases["organ_removal"].iloc[2]) and not bool(cases["organ_removal"].iloc[0])


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (c24_row(year="1850"), "yearOfRegistration", "out of range"),
        (c24_row(year="twenty"), "yearOfRegistration", "not a year"),
        (c24_row(year=""), "yearOfRegistration", "empty"),
        (c24_row(nat="ZZZ"), "citizenship", "not an ISO 3166-1 alpha-3"),
        (c24_row(nat="PH"), "citizenship", "ctdc2020 layout"),
        (c24_row(dest="Cambodia"), "CountryOfExploitation", "not an ISO 3166-1 alpha-3"),
        (c24_row(labour="yes please"), "isForcedLabour", "not a flag"),
        (c24_row(gender="W"), "gender", "not a gender"),
        (c24_row(age="18-99"), "ageBroad", "not an age band"),
    ],
)
def test_bad_ctdc2024_rows_are_rejected_with_their_reason(tmp_path, row, column, reason):
    text = "\n".join([C24_HEADER, c24_row(), row, c24_row(nat="VNM")]) + "\n"
    cases, report = read_cases(write(tmp_path, text))
    reconciles(report)
    assert len(cases) == 2
    problems = report.errors
    assert {(p.row, p.column) for p in problems} == {(2, column)}
    assert reason in problems[0].reason


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (
            "K-9,2023-02-30,Masculine,ID,24,ForcedLabour,Exploitation,KH",
            "cas_IncomingReferralDate",
            "not a real date",
        ),
        (
            "K-9,14/03/2023,Masculine,ID,24,ForcedLabour,Exploitation,KH",
            "cas_IncomingReferralDate",
            "not a date",
        ),
        (
            "K-9,2023-03-14,Masculine,XX,24,ForcedLabour,Exploitation,KH",
            "prs_Citizenship",
            "not an ISO 3166-1 alpha-2",
        ),
        (
            "K-9,2023-03-14,Masculine,ID;MY,24,ForcedLabour,Exploitation,KH",
            "prs_Citizenship",
            "more than one",
        ),
        (
            "K-9,2023-03-14,Masculine,ID,-4,ForcedLabour,Exploitation,KH",
            "vic_AgeWhenTrafficked",
            "whole years",
        ),
        (
            "K-9,2023-03-14,Masculine,ID,24,Scamming,Exploitation,KH",
            "vic_TypeOfExploitation",
            "picklist",
        ),
        (
            "K-9,2023-03-14,Masculine,ID,24,ForcedLabour,Transit,TH",
            "hte_Type",
            "only an Exploitation event",
        ),
        (
            "K-1,2023-03-14,Masculine,ID,24,ForcedLabour,Exploitation,KH",
            "cas_CaseNumber",
            "given twice, first on row 1",
        ),
        (
            "<b>K-9</b>,2023-03-14,Masculine,ID,24,ForcedLabour,Exploitation,KH",
            "cas_CaseNumber",
            "markup",
        ),
    ],
)
def test_bad_htcds_rows_are_rejected_with_their_reason(tmp_path, row, column, reason):
    cases, report = read_cases(write(tmp_path, HTCDS + row + "\n"))
    reconciles(report)
    assert len(cases) == 4
    assert [(p.row, p.column) for p in report.errors] == [(5, column)]
    assert reason in report.errors[0].reason


def test_a_row_with_several_faults_is_counted_once_and_each_fault_named(tmp_path):
    text = "\n".join([C24_HEADER, c24_row(year="1700", nat="XXX", dest="YYY")]) + "\n"
    cases, report = read_cases(write(tmp_path, text))
    assert cases.empty
    assert report.tallies["cases.csv"].rejected == 1
    assert {p.column for p in report.errors} == {
        "yearOfRegistration",
        "citizenship",
        "CountryOfExploitation",
    }


def test_wrong_columns_refuse_the_file(tmp_path):
    text = "year,nationality,destination\n2020,IDN,KHM\n"
    path = write(tmp_path, text)
    assert detect_format(path) is None
    cases, report = read_cases(path)
    assert cases.empty and not report.ok
    assert "cannot tell the layout" in report.errors[0].reason
    cases, report = read_cases(path, "ctdc2024")
    assert "missing column(s) yearOfRegistration" in report.errors[0].reason
    assert report.tallies["cases.csv"].file_error


def test_wrong_format_forced(tmp_path):
    path = write(tmp_path, C20)
    cases, report = read_cases(path, "ctdc2024")
    assert cases.empty
    reconciles(report)
    assert report.tallies["cases.csv"].rejected == 5
    assert any("looks like ctdc2020" in p.reason for p in report.warnings)
    cases, report = read_cases(path, "htcds")
    assert cases.empty and "missing column(s)" in report.errors[0].reason
    assert "looks like ctdc2020" in report.errors[0].reason
    cases, report = read_cases(path, "ctdc2099")
    assert "unknown format" in report.errors[0].reason


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "file is empty"),
        (b"   \n\n", "file is empty"),
        (C24_HEADER.encode() + b"\n", "header but no data rows"),
        (b"PK\x03\x04 rest of a workbook", "spreadsheet workbook"),
        (C24_HEADER.encode("utf-16"), "UTF-16"),
    ],
)
def test_unreadable_files(tmp_path, content, reason):
    path = tmp_path / "cases.csv"
    path.write_bytes(content)
    cases, report = read_cases(path, "ctdc2024")
    assert cases.empty
    assert any(reason in p.reason for p in report.errors), report.render()


def test_links_out_of_the_folder_and_pipes_are_refused(tmp_path):
    outside = write(tmp_path, C20, "outside.csv")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "cases.csv").symlink_to(outside)
    cases, report = read_cases(folder / "cases.csv", "ctdc2020")
    assert cases.empty and "outside its folder" in report.errors[0].reason
    import os

    os.mkfifo(folder / "pipe.csv")
    cases, report = read_cases(folder / "pipe.csv", "ctdc2020")
    assert cases.empty and "not a regular file" in report.errors[0].reason


def test_ragged_and_quoted_rows_go_through_the_careful_reader(tmp_path):
    """pandas would pad a short row and swallow a stray quote: such files are read row by row,
    and the broken rows reported, with the same result for the good rows."""
    rows = [c24_row(), c24_row()[:-3], '"' + c24_row(nat="PHL"), c24_row(nat="VNM")]
    path = write(tmp_path, "\n".join([C24_HEADER, *rows]) + "\n")
    cases, report = read_cases(path)
    reconciles(report)
    assert cases["nationality"].tolist() == ["IDN", "VNM"]
    assert cases["_row"].tolist() == [1, 4]
    assert {p.row for p in report.errors} == {2, 3}
    # without the broken rows the fast path gives the same frame
    clean = write(
        tmp_path, "\n".join([C24_HEADER, rows[0], "", ",,,", rows[3]]) + "\n", "clean.csv"
    )
    fast, fast_report = read_cases(clean)
    assert fast_report.ok and fast["nationality"].tolist() == ["IDN", "VNM"]
    assert fast["_row"].tolist() == [1, 2]


def test_crlf_and_byte_order_mark(tmp_path):
    text = "\ufeff" + "\r\n".join([C24_HEADER, c24_row(), c24_row(nat="LAO")]) + "\r\n"
    path = tmp_path / "cases.csv"
    path.write_bytes(text.encode("utf-8"))
    cases, report = read_cases(path)
    assert report.ok, report.render()
    assert cases["nationality"].tolist() == ["IDN", "LAO"]
    assert cases["exploitation"].tolist() == ["forced_labour"] * 2


def test_validate_cases_says_what_is_not_drawn(tmp_path):
    cases, report = validate_cases(write(tmp_path, C20))
    assert len(cases) == 5 and report.ok
    assert any("3 accepted row(s) do not state" in p.reason for p in report.warnings)
    assert "5 rows read, 5 accepted, 0 rejected" in report.render()


def test_geodata_cases_imports_no_dash_or_plotly():
    code = (
        "import sys, geodata.cases, geodata.hxl, geodata.boundaries;"
        "bad = [m for m in ('dash', 'plotly') if m in sys.modules];"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_quoted_fields_are_read(tmp_path):
    """An export that quotes its fields (a multiselect with commas, a line break in an id)."""
    text = (
        HTCDS
        + '"K-5","2023-06-01","Masculine","MM","40","ForcedLabour, SexualExploitation","Exploitation","TH"\n'
    )
    text += '"K-6\nb",2023-06-02,Masculine,MM,40,,Exploitation,TH\n'
    cases, report = read_cases(write(tmp_path, text))
    reconciles(report)
    assert report.ok, report.render()
    assert cases["case_id"].tolist()[-2:] == ["K-5", "K-6\nb"]
    assert cases.set_index("_row").loc[5, "exploitation"] == "multiple"
    assert report.tallies["cases.csv"].read == 6


def test_ragged_rows_in_a_large_plain_file_are_reported_like_the_careful_reader(tmp_path):
    """Without quotes, a short or long row is reported and left out by the fast reader; the
    result matches the careful reader's row for row."""
    rows = [c24_row(nat=n) for n in ("IDN", "PHL", "VNM", "LAO", "KHM")]
    rows[1] = rows[1] + ",extra"
    rows[3] = ",".join(rows[3].split(",")[:5])
    lines = [C24_HEADER, rows[0], ",,,", rows[1], "", rows[2], rows[3], rows[4]]
    fast_cases, fast = read_cases(write(tmp_path, "\n".join(lines) + "\n"))
    # the same rows with a quoted cell go through the careful reader
    lines[1] = lines[1].replace("IDN", '"IDN"')
    slow_cases, slow = read_cases(write(tmp_path, "\n".join(lines) + "\n", "quoted.csv"))
    reconciles(fast)
    reconciles(slow, "quoted.csv")
    assert [(p.row, p.reason) for p in fast.errors] == [(p.row, p.reason) for p in slow.errors]
    assert [(p.row, p.reason) for p in fast.errors] == [
        (2, "has 28 fields, the header has 27"),
        (4, "has 5 fields, the header has 27"),
    ]
    assert fast_cases["_row"].tolist() == slow_cases["_row"].tolist() == [1, 3, 5]
    assert fast_cases["nationality"].tolist() == ["IDN", "VNM", "KHM"]


# the full header of CTDC's 2020 global k-anonymised dataset (column names as the released
# file spells them), with rows for each exploitation flag and each way a flag is written
C20_FULL_HEADER = (
    "yearOfRegistration,Datasource,gender,ageBroad,majorityStatus,majorityStatusAtExploit,"
    "majorityEntry,citizenship,meansOfControlDebtBondage,meansOfControlConcatenated,"
    "isForcedLabour,isSexualExploit,isOtherExploit,isSexAndLabour,isForcedMarriage,"
    "isForcedMilitary,isOrganRemoval,isSlaveryAndPractices,typeOfExploitConcatenated,"
    "typeOfLabourIllicitActivities,typeOfLabourConcatenated,isAbduction,RecruiterRelationship,"
    "CountryOfExploitation,recruiterRelationFriend"
)
# labour, sex, other, sex-and-labour, marriage, military, organ, slavery -> category
C20_FLAG_ROWS = [
    ("0,0,0,0,0,0,1,0", "organ_removal"),
    ("0,0,0,0,1,0,0,0", "other_exploitation"),
    ("0,0,0,0,0,1,0,0", "other_exploitation"),
    ("0,0,0,0,0,0,0,1", "other_exploitation"),
    ("0,0,1,0,1,0,0,0", "other_exploitation"),  # two flags of one category: one category
    ("1,1,0,1,0,0,0,0", "multiple"),
    ("0,0,0,1,0,0,0,0", "multiple"),  # sex and labour: both, whatever the other two say
    ("1,-99,-99,-99,-99,-99,-99,-99", "forced_labour"),
    ("-99,-99,-99,-99,-99,-99,-99,-99", "not_stated"),
    (",,,,,,,", "not_stated"),
    ("1.0,0.0,0.0,0.0,0.0,0.0,1.0,0.0", "multiple"),
    # illicit activities is a kind of labour, never read as forced criminality
    ("1,0,0,0,0,0,0,0", "forced_labour"),
]


def c20_full(flag_rows) -> str:
    rows = [
        f"2018,Case Management,Male,18--20,Adult,Adult,Adult,KH,1,Debt bondage,{flags},"
        f"x,1,Forced labour,0,Other,TH,0"
        for flags in flag_rows
    ]
    return "\n".join([C20_FULL_HEADER, *rows]) + "\n"


def flag_values(column) -> list:
    return [None if pd.isna(v) else bool(v) for v in column]


def test_ctdc2020_full_layout_reads_every_exploitation_flag(tmp_path):
    path = write(tmp_path, c20_full([f for f, _ in C20_FLAG_ROWS]))
    assert detect_format(path) == "ctdc2020"
    cases, report = read_cases(path)
    assert report.ok, report.render()
    assert cases["exploitation"].tolist() == [c for _, c in C20_FLAG_ROWS]
    organ = flag_values(cases["organ_removal"])
    assert organ[:2] == [True, False] and organ[10] is True
    # -99 and a blank say nothing: not stated, not "no"; a 0 is a no
    assert flag_values(cases["sexual_exploitation"])[6:10] == [True, None, None, None]
    assert cases.iloc[8][list(FLAGS)].isna().all() and cases.iloc[9][list(FLAGS)].isna().all()
    assert flag_values(cases["forced_labour"])[:2] == [False, False]
    assert flag_values(cases["other_exploitation"])[1:5] == [True] * 4
    flows = aggregate_cases(cases, threshold=5)
    assert "forced_criminality" not in set(flows.by_form["form"])
    assert set(flows.by_form["exploitation"]) <= set(EXPLOITATIONS)
    assert "no forced-criminality flag" in flows.routes["note"].iloc[0]


def test_ctdc2020_flag_the_file_lacks_is_not_assumed(tmp_path):
    cases, report = read_cases(write(tmp_path, C20))
    assert report.ok
    assert cases["organ_removal"].isna().all()  # no isOrganRemoval column: not stated
    assert flag_values(cases["forced_labour"])[:2] == [False, True]


def test_ctdc2020_flag_that_is_not_one_is_rejected(tmp_path):
    path = write(tmp_path, c20_full(["0,0,0,0,2,0,0,0", "0,0,0,0,0,0,1,0"]))
    cases, report = read_cases(path)
    assert len(cases) == 1 and cases["exploitation"].tolist() == ["organ_removal"]
    assert report.rejected_rows("cases.csv") == {1}
    (problem,) = report.errors
    assert problem.column == "isForcedMarriage" and "'2' is not a flag" in problem.reason
    reconciles(report)


# field names of HTCDS v2.0 (UNMigration/HTCDS, commit 3c2f653, "HTCDS Field Standards 2.0.ods")
# that the reader uses, and the picklist values of vic_TypeOfExploitation and prs_Gender
HTCDS_V2_FIELDS = {
    "prs_Citizenship",
    "prs_Gender",
    "vic_AgeWhenTrafficked",
    "vic_TypeOfExploitation",
    "cas_IncomingReferralDate",
    "hte_Country",
    "hte_Date",
    "hte_Type",
}
HTCDS_V2_EXPLOITATION = (
    "ForcedLabour SexualExploitation ChildLabour ForcedMarriage Servitude "
    "ForcedMilitaryByNonStateActors OrganRemoval ForcedBegging ForcedAdoption Surrogacy Other"
)
HTCDS_V2_GENDER = (
    "Feminine Masculine TransgenderFeminine TransgenderMasculine NonConforming NonSpecifiedUnknown"
)


def test_htcds_reader_uses_the_standards_field_names():
    from geodata.cases.readers import HTCDS_COLUMNS, HTCDS_EXPLOITATION, LAYOUTS

    layout = LAYOUTS["htcds"]
    read = {
        *layout.year,
        *layout.nationality,
        *layout.country,
        layout.gender,
        layout.age,
        layout.kinds,
        layout.event_type,
    }
    # all but the pre-v1.0 name of citizenship are v2.0 fields; the case number is optional
    assert read - {"prs_Nationality"} == HTCDS_V2_FIELDS
    assert layout.nationality[0] == "prs_Citizenship"  # the standard's name wins
    assert set(HTCDS_COLUMNS) - {"cas_CaseNumber"} == HTCDS_V2_FIELDS
    assert {v.lower() for v in HTCDS_V2_EXPLOITATION.split()} == set(HTCDS_EXPLOITATION)


def test_htcds_every_gender_and_exploitation_value_of_the_standard_is_read(tmp_path):
    kinds = HTCDS_V2_EXPLOITATION.split()
    genders = HTCDS_V2_GENDER.split()
    lines = ["prs_Citizenship,prs_Gender,vic_TypeOfExploitation,hte_Type,hte_Country,hte_Date"]
    lines += [
        f"ID,{genders[i % len(genders)]},{kind},Exploitation,KH,2023-01-0{1 + i % 9}"
        for i, kind in enumerate(kinds)
    ]
    lines.append("ID,Feminine,ForcedLabour;SexualExploitation,Exploitation,KH,2023")
    cases, report = read_cases(write(tmp_path, "\n".join(lines) + "\n"), "htcds")
    assert report.ok, report.render()
    assert len(cases) == len(kinds) + 1
    assert cases["exploitation"].iloc[0] == "forced_labour"
    assert cases["exploitation"].iloc[6] == "organ_removal"
    assert cases["exploitation"].iloc[-1] == "multiple"
    assert set(cases["gender"].iloc[:6]) == {"female", "male", "transgender_nonconforming", None}
