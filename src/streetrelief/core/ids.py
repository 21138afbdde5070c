"""Record ids as clients send them: positive and within every database's integer column."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

MAX_RECORD_ID = 2**31 - 1
"""Largest id a record can have: PostgreSQL ``integer`` columns are 32-bit signed."""

RecordId = Annotated[int, Field(ge=1, le=MAX_RECORD_ID, description="A record id.")]
