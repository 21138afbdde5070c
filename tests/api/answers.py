"""What the API tests read of a test-client response, typed once for all of them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class HttpAnswer(Protocol):
    """What the tests read of a test-client response (httpx or httpx2, whichever Starlette uses)."""

    @property
    def status_code(self) -> int: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    @property
    def text(self) -> str: ...
    def json(self) -> Any: ...
