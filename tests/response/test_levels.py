"""Response levels: order, colours, names and parsing."""

from __future__ import annotations

import pytest

from streetrelief.response.levels import Colour, ResponseLevel


class TestOrder:
    def test_levels_ordered_none_iv_iii_ii_i(self) -> None:
        assert sorted(ResponseLevel) == [
            ResponseLevel.none,
            ResponseLevel.IV,
            ResponseLevel.III,
            ResponseLevel.II,
            ResponseLevel.I,
        ]

    @pytest.mark.parametrize(
        ("level", "at_least_iii"),
        [
            (ResponseLevel.none, False),
            (ResponseLevel.IV, False),
            (ResponseLevel.III, True),
            (ResponseLevel.II, True),
            (ResponseLevel.I, True),
        ],
    )
    def test_comparison_reads_naturally(self, level: ResponseLevel, at_least_iii: bool) -> None:
        assert (level >= ResponseLevel.III) is at_least_iii


class TestColours:
    @pytest.mark.parametrize(
        ("level", "colour"),
        [
            (ResponseLevel.none, None),
            (ResponseLevel.IV, Colour.blue),
            (ResponseLevel.III, Colour.yellow),
            (ResponseLevel.II, Colour.orange),
            (ResponseLevel.I, Colour.red),
        ],
    )
    def test_each_level_carries_its_colour(
        self, level: ResponseLevel, colour: Colour | None
    ) -> None:
        assert level.colour == colour
        if colour is not None:
            assert ResponseLevel.of_colour(colour) == level

    def test_amber_is_orange(self) -> None:
        assert Colour.parse(" Amber ") == Colour.orange

    def test_unknown_colour_refused(self) -> None:
        with pytest.raises(ValueError, match="purple"):
            Colour.parse("purple")

    def test_chinese_names(self) -> None:
        assert ResponseLevel.I.name_zh == "Ⅰ级（特别重大）"
        assert ResponseLevel.IV.name_zh == "Ⅳ级（一般）"


class TestParse:
    @pytest.mark.parametrize(
        ("text", "level"),
        [
            ("none", ResponseLevel.none),
            ("iv", ResponseLevel.IV),
            ("I", ResponseLevel.I),
            (3, ResponseLevel.II),
        ],
    )
    def test_names_and_numbers_parse(self, text: str | int, level: ResponseLevel) -> None:
        assert ResponseLevel.parse(text) == level

    def test_unknown_name_refused(self) -> None:
        with pytest.raises(ValueError, match="unknown response level"):
            ResponseLevel.parse("V")
