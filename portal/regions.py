"""The regions of the ISO 3166-1 countries: the ITU region (the six regions of the ITU Telecommunication
Development Bureau, BDT) and the UN M49 region and sub-region.

The data are in portal/data/regions.csv, read once; portal/data/regions.md names the sources and the rule
by which territories that are not on ITU's lists (Hong Kong, Puerto Rico, Réunion, Antarctica...) get an ITU
region. Every lookup takes an ISO 3166-1 alpha-2 code in any case and answers None for a code it does not know
(and for "global", which is not a country)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

from flask_babel import lazy_gettext as _l

# In ITU's own order (ITU-D regional presence, ITU statistics "by BDT region").
ITU_REGIONS: tuple[str, ...] = ("africa", "americas", "arab_states", "asia_pacific", "cis", "europe")

ITU_REGION_NAMES = {
    # TRANSLATORS: an ITU region (the regions of ITU's regional offices and statistics).
    "africa": _l("Africa"),
    # TRANSLATORS: an ITU region (the regions of ITU's regional offices and statistics).
    "americas": _l("Americas"),
    # TRANSLATORS: an ITU region (the regions of ITU's regional offices and statistics).
    "arab_states": _l("Arab States"),
    # TRANSLATORS: an ITU region (the regions of ITU's regional offices and statistics).
    "asia_pacific": _l("Asia and the Pacific"),
    # TRANSLATORS: an ITU region: the Commonwealth of Independent States, as ITU abbreviates it.
    "cis": _l("CIS"),
    # TRANSLATORS: an ITU region (the regions of ITU's regional offices and statistics).
    "europe": _l("Europe"),
}

CSV_COLUMNS = ("alpha2", "itu_region", "itu_basis", "m49_code", "m49_region", "m49_subregion")
ITU_BASES = ("itu", "rule")  # on ITU's list of the region, or assigned by the rule of regions.md


@dataclass(frozen=True)
class CountryRegions:
    alpha2: str
    itu_region: str
    itu_basis: str  # "itu" or "rule"
    m49_code: str  # three digits, e.g. "818"
    m49_region: str | None  # None for Antarctica, which M49 places in no region
    m49_subregion: str | None


def _read_csv() -> str:
    return resources.files("portal").joinpath("data", "regions.csv").read_text(encoding="utf-8")


@cache
def _table() -> dict[str, CountryRegions]:
    reader = csv.DictReader(io.StringIO(_read_csv()))
    if tuple(reader.fieldnames or ()) != CSV_COLUMNS:
        raise ValueError(f"regions.csv: columns {reader.fieldnames}, expected {CSV_COLUMNS}")
    table: dict[str, CountryRegions] = {}
    for row in reader:
        code = row["alpha2"]
        if code in table:
            raise ValueError(f"regions.csv: {code} appears twice")
        if row["itu_region"] not in ITU_REGIONS or row["itu_basis"] not in ITU_BASES:
            raise ValueError(f"regions.csv: {code}: unknown ITU region or basis")
        table[code] = CountryRegions(
            alpha2=code,
            itu_region=row["itu_region"],
            itu_basis=row["itu_basis"],
            m49_code=row["m49_code"],
            m49_region=row["m49_region"] or None,
            m49_subregion=row["m49_subregion"] or None,
        )
    return table


def regions_of(alpha2: str | None) -> CountryRegions | None:
    """The whole row of a country, or None for an unknown code."""
    if not isinstance(alpha2, str):
        return None
    return _table().get(alpha2.strip().upper())


def itu_region(alpha2: str | None) -> str | None:
    """The ITU region code (one of ITU_REGIONS) of a country."""
    row = regions_of(alpha2)
    return row.itu_region if row else None


def m49_region(alpha2: str | None) -> str | None:
    """The UN M49 region (Africa, Americas, Asia, Europe, Oceania) of a country."""
    row = regions_of(alpha2)
    return row.m49_region if row else None


def m49_subregion(alpha2: str | None) -> str | None:
    """The UN M49 sub-region of a country, e.g. "Northern Africa", "Latin America and the Caribbean"."""
    row = regions_of(alpha2)
    return row.m49_subregion if row else None


def countries_in(itu_region_code: str | None) -> list[str]:
    """The alpha-2 codes of the countries of an ITU region, sorted; empty for an unknown region."""
    if not isinstance(itu_region_code, str):
        return []
    code = itu_region_code.strip().lower()
    return sorted(c for c, row in _table().items() if row.itu_region == code)
