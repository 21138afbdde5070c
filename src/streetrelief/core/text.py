"""Free text as the API accepts it."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator


def refuse_nul(value: str) -> str:
    """``value`` unchanged.

    Raises:
        ValueError: it holds a NUL character, which PostgreSQL text cannot store (refused here
            as invalid input rather than failing the insert).
    """
    if "\x00" in value:
        msg = "must not contain NUL characters"
        raise ValueError(msg)
    return value


Text = Annotated[str, AfterValidator(refuse_nul)]
"""A string without NUL characters."""
