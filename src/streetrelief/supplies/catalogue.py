"""Supply item types as data: ``supplies/items.yaml`` or the file in
``STREETRELIEF_SUPPLY_ITEMS_PATH``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from streetrelief.config import get_settings
from streetrelief.core.errors import InvalidInputError
from streetrelief.core.yamlfile import YAMLFileError, load_yaml
from streetrelief.supplies.schemas import ITEM_PATTERN

SHIPPED = Path(__file__).with_name("items.yaml")


class ItemType(BaseModel):
    """One item type: unit of issue, expiry, alert thresholds."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=ITEM_PATTERN, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    unit: str = Field(min_length=1, max_length=32, description="Unit of issue: piece, pair...")
    has_expiry: bool = False
    low_stock: int = Field(0, ge=0, description="Alert at or below this many units of issue.")
    near_expiry_days: int = Field(0, ge=0, description="Alert this many days before expiry.")


@lru_cache(maxsize=4)
def _load(path: Path) -> dict[str, ItemType]:
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
        return {
            code: ItemType.model_validate({"code": code, **fields})
            for code, fields in (data.get("items") or {}).items()
        }
    except YAMLFileError as exc:
        raise InvalidInputError(f"{path}: {exc}") from exc
    except ValidationError as exc:
        raise InvalidInputError(f"{path}: {exc.errors()[0]['msg']}") from exc


def item_types() -> dict[str, ItemType]:
    """The catalogue, by code."""
    return _load(get_settings().supply_items_path or SHIPPED)


def require_item(code: str) -> ItemType:
    """The item type ``code``.

    Raises:
        InvalidInputError: not in the catalogue (names the known codes).
    """
    known = item_types()
    if code not in known:
        raise InvalidInputError(
            f"unknown item {code!r}; the catalogue has {', '.join(sorted(known))}", field="item"
        )
    return known[code]
