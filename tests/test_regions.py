"""portal/regions.py and its data, portal/data/regions.csv (sources and rule: portal/data/regions.md).
No application is needed: the lookups read the CSV only, and the region names are lazy strings."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pycountry
import pytest

from portal import regions
from portal.regions import (
    ITU_REGION_NAMES,
    ITU_REGIONS,
    countries_in,
    itu_region,
    m49_region,
    m49_subregion,
    regions_of,
)

DATA = Path(__file__).resolve().parent.parent / "portal" / "data"
CSV_PATH = DATA / "regions.csv"
MD_PATH = DATA / "regions.md"
HEADER = ["alpha2", "itu_region", "itu_basis", "m49_code", "m49_region", "m49_subregion"]

PYCOUNTRY_CODES = {c.alpha_2 for c in pycountry.countries}

M49_REGIONS = {"Africa", "Americas", "Asia", "Europe", "Oceania"}
M49_SUBREGIONS = {
    "Africa": {"Northern Africa", "Sub-Saharan Africa"},
    "Americas": {"Latin America and the Caribbean", "Northern America"},
    "Asia": {"Central Asia", "Eastern Asia", "South-eastern Asia", "Southern Asia", "Western Asia"},
    "Europe": {"Eastern Europe", "Northern Europe", "Southern Europe", "Western Europe"},
    "Oceania": {"Australia and New Zealand", "Melanesia", "Micronesia", "Polynesia"},
}

# The rule of regions.md: a territory that is on no ITU list takes the ITU region of its M49 sub-region.
RULE = {
    "Northern Africa": "arab_states",
    "Sub-Saharan Africa": "africa",
    "Latin America and the Caribbean": "americas",
    "Northern America": "americas",
    "Eastern Asia": "asia_pacific",
    "South-eastern Asia": "asia_pacific",
    "Southern Asia": "asia_pacific",
    "Australia and New Zealand": "asia_pacific",
    "Melanesia": "asia_pacific",
    "Micronesia": "asia_pacific",
    "Polynesia": "asia_pacific",
    "Northern Europe": "europe",
    "Western Europe": "europe",
    "Southern Europe": "europe",
    "Eastern Europe": "europe",
    "": "asia_pacific",  # Antarctica, which has no M49 region
}

# ITU Member States per region (+ Palestine in the Arab States): 194 + 1.
MEMBER_COUNTS = {"africa": 44, "americas": 35, "arab_states": 22, "asia_pacific": 39, "cis": 9, "europe": 46}

ARAB_STATES = {"DZ", "BH", "KM", "DJ", "EG", "IQ", "JO", "KW", "LB", "LY", "MR", "MA", "OM", "QA", "SA", "SO",
               "SD", "SY", "TN", "AE", "YE", "PS"}
CIS = {"AM", "AZ", "BY", "KZ", "KG", "RU", "TJ", "TM", "UZ"}


def _rows() -> list[dict[str, str]]:
    with open(CSV_PATH, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == HEADER
        return list(reader)


def _md_section(title: str) -> str:
    text = MD_PATH.read_text(encoding="utf-8")
    m = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert m, f"regions.md has no section {title!r}"
    return m.group(1)


# --- the data file -----------------------------------------------------------------------------------------


def test_one_row_for_every_iso_country_and_no_other():
    codes = [r["alpha2"] for r in _rows()]
    assert len(codes) == len(set(codes)), "a code appears twice"
    assert set(codes) - PYCOUNTRY_CODES == set(), "codes pycountry does not know"
    assert PYCOUNTRY_CODES - set(codes) == set(), "ISO countries without a row"
    assert len(codes) == len(PYCOUNTRY_CODES) == 249


def test_file_is_utf8_with_the_documented_header_and_sorted():
    raw = CSV_PATH.read_bytes()
    text = raw.decode("utf-8")  # fails on anything but UTF-8
    assert not text.startswith("\ufeff")
    assert text.splitlines()[0] == ",".join(HEADER)
    codes = [r["alpha2"] for r in _rows()]
    assert codes == sorted(codes)


def test_every_row_has_exactly_one_of_the_six_itu_regions_and_a_basis():
    for r in _rows():
        assert r["alpha2"] == r["alpha2"].strip().upper() and len(r["alpha2"]) == 2
        assert r["itu_region"] in ITU_REGIONS, r
        assert r["itu_basis"] in {"itu", "rule"}, r


def test_m49_columns():
    for r in _rows():
        assert re.fullmatch(r"\d{3}", r["m49_code"]), r
        if r["alpha2"] == "AQ":
            assert (r["m49_code"], r["m49_region"], r["m49_subregion"]) == ("010", "", "")
            continue
        assert r["m49_region"] in M49_REGIONS, r
        assert r["m49_subregion"] in M49_SUBREGIONS[r["m49_region"]], r


def test_m49_codes_are_the_iso_numeric_codes():
    for r in _rows():
        assert r["m49_code"] == pycountry.countries.get(alpha_2=r["alpha2"]).numeric, r


def test_member_counts_per_itu_region():
    counts = {code: 0 for code in ITU_REGIONS}
    for r in _rows():
        if r["itu_basis"] == "itu":
            counts[r["itu_region"]] += 1
    assert counts == MEMBER_COUNTS
    assert sum(counts.values()) == 195  # 194 ITU Member States and the State of Palestine


def test_arab_states_and_cis_are_exactly_itus_lists():
    rows = {r["alpha2"]: r for r in _rows()}
    assert {c for c, r in rows.items() if r["itu_basis"] == "itu" and r["itu_region"] == "arab_states"} == ARAB_STATES
    assert {c for c, r in rows.items() if r["itu_region"] == "cis"} == CIS
    assert all(rows[c]["itu_basis"] == "itu" for c in CIS)


def test_rule_rows_follow_the_rule():
    for r in _rows():
        if r["itu_basis"] == "rule":
            assert r["itu_region"] == RULE[r["m49_subregion"]], r


def test_rule_rows_are_exactly_those_listed_in_regions_md():
    listed = re.findall(r"^\| ([A-Z]{2}) \| [^|]+ \| ([^|]+) \| (\w+) \|$", _md_section("Codes assigned by the rule"),
                        re.M)
    assert listed, "no codes listed in regions.md"
    assert len(listed) == len({c for c, _, _ in listed})
    rule_rows = {r["alpha2"]: r for r in _rows() if r["itu_basis"] == "rule"}
    assert {c for c, _, _ in listed} == set(rule_rows)
    for code, subregion, region in listed:
        assert region == rule_rows[code]["itu_region"], code
        assert subregion.strip() == (rule_rows[code]["m49_subregion"] or "(none)"), code
    assert f"These {len(rule_rows)} rows, and only these" in MD_PATH.read_text(encoding="utf-8")


def test_member_lists_in_regions_md_match_the_csv():
    section = _md_section("Sources")
    documented = {}
    for region, count, members in re.findall(r"^\| `(\w+)` \| (\d+) \| (.+) \|$", section, re.M):
        codes = set(re.findall(r"\b[A-Z]{2}\b", members))
        assert len(codes) == int(count), region
        documented[region] = codes
    assert set(documented) == set(ITU_REGIONS)
    for region in ITU_REGIONS:
        in_csv = {r["alpha2"] for r in _rows() if r["itu_basis"] == "itu" and r["itu_region"] == region}
        assert documented[region] == in_csv, region


def test_territories_are_rule_rows_and_states_are_not():
    rows = {r["alpha2"]: r for r in _rows()}
    for code in ("PR", "GL", "HK", "MO", "TW", "RE", "EH", "AQ", "GI", "NC", "AW"):
        assert rows[code]["itu_basis"] == "rule", code
    for code in ("PS", "VA", "PW", "SS", "FR", "US", "CN"):
        assert rows[code]["itu_basis"] == "itu", code


# --- the module --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "itu", "region", "subregion"),
    [
        ("EG", "arab_states", "Africa", "Northern Africa"),
        ("RU", "cis", "Europe", "Eastern Europe"),
        ("FR", "europe", "Europe", "Western Europe"),
        ("BR", "americas", "Americas", "Latin America and the Caribbean"),
        ("CN", "asia_pacific", "Asia", "Eastern Asia"),
        ("KE", "africa", "Africa", "Sub-Saharan Africa"),
        ("SA", "arab_states", "Asia", "Western Asia"),
        ("US", "americas", "Americas", "Northern America"),
        ("AU", "asia_pacific", "Oceania", "Australia and New Zealand"),
        ("IR", "asia_pacific", "Asia", "Southern Asia"),
        ("IL", "europe", "Asia", "Western Asia"),
        ("TR", "europe", "Asia", "Western Asia"),
        ("CY", "europe", "Asia", "Western Asia"),
        ("GE", "europe", "Asia", "Western Asia"),
        ("KZ", "cis", "Asia", "Central Asia"),
        ("MA", "arab_states", "Africa", "Northern Africa"),
        ("SO", "arab_states", "Africa", "Sub-Saharan Africa"),
        ("PS", "arab_states", "Asia", "Western Asia"),
        ("ZA", "africa", "Africa", "Sub-Saharan Africa"),
        ("MX", "americas", "Americas", "Latin America and the Caribbean"),
        ("CA", "americas", "Americas", "Northern America"),
        ("PR", "americas", "Americas", "Latin America and the Caribbean"),
        ("GL", "americas", "Americas", "Northern America"),
        ("HK", "asia_pacific", "Asia", "Eastern Asia"),
        ("RE", "africa", "Africa", "Sub-Saharan Africa"),
        ("EH", "arab_states", "Africa", "Northern Africa"),
        ("GB", "europe", "Europe", "Northern Europe"),
    ],
)
def test_countries_a_user_would_check(code, itu, region, subregion):
    assert itu_region(code) == itu
    assert m49_region(code) == region
    assert m49_subregion(code) == subregion


def test_antarctica_has_an_itu_region_by_the_rule_but_no_m49_region():
    assert itu_region("AQ") == "asia_pacific"
    assert regions_of("AQ").itu_basis == "rule"
    assert m49_region("AQ") is None
    assert m49_subregion("AQ") is None
    assert regions_of("AQ").m49_code == "010"


@pytest.mark.parametrize("code", ["eg", "Eg", " eg ", "eG\n"])
def test_input_is_case_insensitive(code):
    assert itu_region(code) == "arab_states"
    assert m49_region(code) == "Africa"
    assert m49_subregion(code) == "Northern Africa"
    assert regions_of(code).alpha2 == "EG"


@pytest.mark.parametrize("code", ["global", "GLOBAL", "", "  ", "XX", "ZZ", "EU", "UK", "XK", "EGY", "818", "E", None])
def test_unknown_codes_and_global_give_none(code):
    assert itu_region(code) is None
    assert m49_region(code) is None
    assert m49_subregion(code) is None
    assert regions_of(code) is None


def test_every_pycountry_country_resolves():
    for country in pycountry.countries:
        assert itu_region(country.alpha_2) in ITU_REGIONS, country.alpha_2
        assert itu_region(country.alpha_2.lower()) == itu_region(country.alpha_2)


def test_countries_in_partitions_the_countries():
    seen: list[str] = []
    for code in ITU_REGIONS:
        members = countries_in(code)
        assert members, f"{code} is empty"
        assert members == sorted(members)
        assert all(itu_region(c) == code for c in members)
        seen += members
    assert len(seen) == len(set(seen))
    assert set(seen) == PYCOUNTRY_CODES


def test_countries_in():
    assert "EG" in countries_in("arab_states") and "EG" not in countries_in("africa")
    assert countries_in("CIS") == countries_in("cis") == sorted(CIS)
    assert countries_in(" Europe ") == countries_in("europe")
    assert countries_in("global") == []
    assert countries_in("oceania") == []
    assert countries_in("") == []
    assert countries_in(None) == []
    assert len(countries_in("asia_pacific")) == 39 + 19


def test_countries_in_returns_a_fresh_list():
    countries_in("cis").append("FR")
    assert "FR" not in countries_in("cis")


def test_itu_regions_and_their_names():
    assert ITU_REGIONS == ("africa", "americas", "arab_states", "asia_pacific", "cis", "europe")
    assert list(ITU_REGION_NAMES) == list(ITU_REGIONS)
    # Outside a request the lazy strings fall back to the English text.
    assert {k: str(v) for k, v in ITU_REGION_NAMES.items()} == {
        "africa": "Africa",
        "americas": "Americas",
        "arab_states": "Arab States",
        "asia_pacific": "Asia and the Pacific",
        "cis": "CIS",
        "europe": "Europe",
    }


def test_the_csv_is_read_once_and_found_whatever_the_working_directory(monkeypatch, tmp_path):
    calls = []
    read = regions._read_csv

    def counting():
        calls.append(1)
        return read()

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(regions, "_read_csv", counting)
    regions._table.cache_clear()
    try:
        assert itu_region("FR") == "europe"
        assert itu_region("BR") == "americas"
        assert countries_in("cis")
        assert calls == [1]
    finally:
        regions._table.cache_clear()


def test_a_broken_file_is_refused(monkeypatch):
    monkeypatch.setattr(regions, "_read_csv", lambda: "alpha2,itu_region,itu_basis,m49_code,m49_region,m49_subregion\n"
                                                      "FR,oceania,itu,250,Europe,Western Europe\n")
    regions._table.cache_clear()
    try:
        with pytest.raises(ValueError, match="unknown ITU region"):
            itu_region("FR")
    finally:
        regions._table.cache_clear()
