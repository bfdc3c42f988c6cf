import json
from importlib import resources

import pytest

from mallcore.errors import ConfigError, UnknownRegionError
from mallcore.shipping.regions import (
    RegionLevel,
    is_within,
    normalize_region,
    region_ancestors,
    region_table,
    to_gb_code,
)


def _raw() -> dict:
    text = resources.files("mallcore.shipping").joinpath("data/regions_cn.json").read_text("utf-8")
    return json.loads(text)


def test_the_bundled_table_is_versioned_and_well_formed():
    raw = _raw()
    assert raw["version"]
    provinces = {row["code"] for row in raw["provinces"]}
    cities = [row["code"] for row in raw["cities"]]
    assert len(raw["provinces"]) == 34 == len(provinces)
    assert len(cities) == len(set(cities))
    assert all(len(code) == 6 and code.endswith("0000") for code in provinces)
    assert all(len(c) == 6 and c.endswith("00") and not c.endswith("0000") for c in cities)
    assert all(c[:2] + "0000" in provinces for c in cities)
    rows = raw["provinces"] + raw["cities"] + raw["countries"]
    assert all(row["name"].strip() and row["name_en"].strip() for row in rows)
    # 333 prefecture-level divisions (2023) plus the municipalities' 市辖区 entries,
    # Chongqing's 县 and four 省直辖县级行政区划 groupings.
    assert len(cities) == 333 + 4 + 1 + 4


def test_every_province_is_there_including_hong_kong_macao_and_taiwan():
    codes = {r.code for r in region_table().provinces}
    assert {"11", "12", "31", "50", "44", "65", "54", "71", "81", "82"} <= codes
    assert len(codes) == 34


@pytest.mark.parametrize(
    ("code", "name", "name_en"),
    [
        ("110000", "北京市", "Beijing"),
        ("440300", "深圳市", "Shenzhen"),
        ("310000", "上海市", "Shanghai"),
        ("650000", "新疆维吾尔自治区", "Xinjiang"),
        ("810000", "香港特别行政区", "Hong Kong"),
        ("1101", "市辖区", "Beijing Municipal Districts"),
        ("GB", "英国", "United Kingdom"),
    ],
)
def test_spot_checks(code, name, name_en):
    region = region_table().get(code)
    assert region is not None
    assert (region.name, region.name_en) == (name, name_en)


def test_the_table_is_loaded_once():
    assert region_table() is region_table()


def test_countries_are_the_iso_3166_alpha_2_codes():
    codes = {r.code for r in region_table().countries}
    assert len(codes) == 249
    assert {"CN", "US", "GB", "HK", "TW"} <= codes
    assert not {"EU", "UN", "XK", "ZZ", "UK"} & codes


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("44", "44"),
        ("440000", "44"),
        ("4400", "44"),
        ("4403", "4403"),
        ("440300", "4403"),
        ("440305", "440305"),
        (" 440305 ", "440305"),
        ("cn-gd", "44"),
        ("CN-HK", "81"),
        ("us", "US"),
        ("US-CA", "US-CA"),
    ],
)
def test_short_and_six_digit_spellings_name_the_same_region(written, canonical):
    assert normalize_region(written) == canonical


def test_a_district_of_a_known_city_is_valid_though_districts_are_not_listed():
    assert region_table().get("440305") is None
    assert region_ancestors("440305") == ("440305", "4403", "44", "CN")
    assert region_ancestors("429004") == ("429004", "4290", "42", "CN")  # 仙桃, under the province


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("4", "must have 2, 4 or 6 digits"),
        ("4403051", "must have 2, 4 or 6 digits"),
        ("99", "names no province (unknown code 99)"),
        ("449900", "is not a known city of 44 (广东省)"),
        ("4499", "is not a known city of 44 (广东省)"),
        ("440005", "has a district part but no city part"),
        ("7101", "is not a known city of 71 (台湾省)"),
        ("UK", "names no ISO 3166-1 country ('UK')"),
        ("Guangdong", "is malformed"),
        ("", "is malformed"),
        ("US-CALI", "is malformed"),
    ],
)
def test_malformed_or_unknown_codes_are_refused_with_the_reason(code, reason):
    with pytest.raises(UnknownRegionError, match=r"region=.* ") as info:
        normalize_region(code)
    assert info.value.code == code
    assert reason in str(info.value)
    assert isinstance(info.value, ConfigError)


def test_a_non_string_code_is_refused():
    with pytest.raises(UnknownRegionError, match="must be a string"):
        normalize_region(440305)  # type: ignore[arg-type]


def test_ancestry_is_by_prefix_and_chinese_codes_descend_from_cn():
    assert is_within("440305", "44")
    assert is_within("440305", "440000")
    assert is_within("440305", "4403")
    assert is_within("440305", "CN")
    assert is_within("4403", "4403")
    assert not is_within("440305", "4401")
    assert not is_within("44", "4403")
    assert not is_within("44", "US")


def test_iso_country_is_the_ancestor_of_its_subdivisions():
    assert region_ancestors("US-CA") == ("US-CA", "US")
    assert is_within("us-ca", "US")
    assert not is_within("US", "US-CA")
    assert not is_within("GB", "CN")


def test_to_gb_code_writes_the_six_digit_form():
    assert to_gb_code("4403") == "440300"
    assert to_gb_code("81") == "810000"
    with pytest.raises(UnknownRegionError, match="not a Chinese administrative division"):
        to_gb_code("US")


def test_levels():
    table = region_table()
    assert table.get("44").level is RegionLevel.PROVINCE
    assert table.get("4403").level is RegionLevel.CITY
    assert table.get("4403").parent == "44"
    assert table.get("CN").level is RegionLevel.COUNTRY
