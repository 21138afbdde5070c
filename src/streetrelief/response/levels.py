"""Response levels: the Chinese four-tier emergency response scale, ordered, with colours.

Owns the ordering of the levels (``none`` < IV < III < II < I, so ``level >= ResponseLevel.III``
reads "at least level III"), each level's colour and Chinese name, and the warning colours
that map onto them. Which warning or reading calls for which level is left to
``response.policy``.

Source: 《国家突发公共事件总体应急预案》(State Council, 2006): §1.3 grades events 特别重大 (I),
重大 (II), 较大 (III) and 一般 (IV); §3.1 grades warnings I to IV the same way and shows them in
red, orange, yellow and blue.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Colour(StrEnum):
    """A warning or response colour, from the mildest to the most severe."""

    blue = "blue"
    yellow = "yellow"
    orange = "orange"
    red = "red"

    @classmethod
    def parse(cls, text: str) -> Colour:
        """The colour named by ``text`` (case-insensitive; the Met Office's "amber" is orange).

        Args:
            text: a colour name, e.g. ``"Amber"``, ``"red"``.

        Returns:
            The colour.

        Raises:
            ValueError: not a colour we know.
        """
        name = text.strip().casefold()
        return cls(_COLOUR_ALIASES.get(name, name))


# The Met Office says amber for the middle tier; CMA and CWA name colours in Chinese
# (traditional and simplified), e.g. CWA's CAP parameter alert_color 黃色 / 橙色.
_COLOUR_ALIASES = {
    "amber": "orange",
    "藍色": "blue",
    "蓝色": "blue",
    "黃色": "yellow",
    "黄色": "yellow",
    "橙色": "orange",
    "紅色": "red",
    "红色": "red",
}


class ResponseLevel(IntEnum):
    """A response level; a higher value is a stronger response."""

    none = 0
    IV = 1
    III = 2
    II = 3
    I = 4  # noqa: E741 - the official name of the top tier

    @property
    def colour(self) -> Colour | None:
        """The level's colour: blue, yellow, orange, red; None for ``none``."""
        return _COLOURS[self]

    @property
    def name_zh(self) -> str:
        """The Chinese name, e.g. Ⅲ级 (较大) in full-width brackets; 无 for ``none``."""
        return _NAMES_ZH[self]

    @classmethod
    def parse(cls, text: str | int) -> ResponseLevel:
        """The level named by ``text``: ``none``, ``IV`` … ``I`` (or its number 0-4).

        Args:
            text: a level name (case of the Roman numeral ignored) or its integer value.

        Returns:
            The level.

        Raises:
            ValueError: not a level.
        """
        if isinstance(text, int):
            return cls(text)
        name = text.strip()
        if name.casefold() == "none":
            return cls.none
        try:
            return cls[name.upper()]
        except KeyError:
            msg = f"unknown response level {text!r}; expected none, IV, III, II or I"
            raise ValueError(msg) from None

    @classmethod
    def of_colour(cls, colour: Colour) -> ResponseLevel:
        """The level that carries ``colour`` (blue → IV … red → I)."""
        return _BY_COLOUR[colour]


_COLOURS: dict[ResponseLevel, Colour | None] = {
    ResponseLevel.none: None,
    ResponseLevel.IV: Colour.blue,
    ResponseLevel.III: Colour.yellow,
    ResponseLevel.II: Colour.orange,
    ResponseLevel.I: Colour.red,
}
_BY_COLOUR = {colour: level for level, colour in _COLOURS.items() if colour is not None}
_NAMES_ZH = {
    ResponseLevel.none: "无",
    ResponseLevel.IV: "Ⅳ级（一般）",
    ResponseLevel.III: "Ⅲ级（较大）",
    ResponseLevel.II: "Ⅱ级（重大）",
    ResponseLevel.I: "Ⅰ级（特别重大）",
}
