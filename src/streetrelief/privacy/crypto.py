"""Encryption at rest of personal data: column types that encrypt on write, decrypt on read.

The keys are Fernet keys (AES-128-CBC with HMAC-SHA256, from the ``cryptography`` package),
taken from ``STREETRELIEF_DATA_KEYS`` or the file ``STREETRELIEF_DATA_KEY_FILE``; the first key
encrypts and every key decrypts, so a key is rotated by putting a new one first and running
``streetrelief privacy rotate-key`` (see README). The database never sees the clear text, and a
copy of the database without the key reveals no name, ID number, contact, health note or photo.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import LargeBinary, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from streetrelief.config import get_settings
from streetrelief.core.errors import DataKeyError


def new_key() -> str:
    """A fresh random data key (URL-safe base64 of 32 bytes)."""
    return Fernet.generate_key().decode("ascii")


def write_key_file(path: Path) -> None:
    """Create ``path`` holding one new key, readable by its owner only.

    Raises:
        DataKeyError: the file exists already (a key is never overwritten: data would be lost).
    """
    if path.exists():
        raise DataKeyError(f"{path} exists already; a data key is never overwritten")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(new_key() + "\n", encoding="ascii")


def _keys() -> list[str]:
    settings = get_settings()
    if settings.data_keys is not None:
        text = settings.data_keys.get_secret_value().replace(",", "\n")
    elif settings.data_key_file.is_file():
        text = settings.data_key_file.read_text(encoding="ascii")
    else:
        raise DataKeyError(
            "no data key: set STREETRELIEF_DATA_KEYS or create "
            f"{settings.data_key_file} with `streetrelief privacy new-key`"
        )
    keys = [line.strip() for line in text.splitlines() if line.strip()]
    if not keys:
        raise DataKeyError("the data key setting holds no key")
    return keys


@lru_cache(maxsize=1)
def cipher() -> MultiFernet:
    """The process's cipher, built once from the settings.

    Raises:
        DataKeyError: no key configured, or a key that is not a Fernet key.
    """
    try:
        return MultiFernet([Fernet(key.encode("ascii")) for key in _keys()])
    except (ValueError, UnicodeEncodeError) as exc:
        raise DataKeyError("a data key is not a valid key (44 URL-safe base64 characters)") from exc


def encrypt(data: bytes) -> bytes:
    """``data`` encrypted with the first key."""
    return cipher().encrypt(data)


def decrypt(token: bytes) -> bytes:
    """The clear bytes of ``token``.

    Raises:
        DataKeyError: no configured key opens it (wrong or removed key).
    """
    try:
        return cipher().decrypt(token)
    except InvalidToken as exc:
        raise DataKeyError(
            "stored personal data cannot be opened with the configured keys"
        ) from exc


class EncryptedText(TypeDecorator[str]):
    """A text column stored encrypted (as ASCII Fernet tokens)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return encrypt(value.encode("utf-8")).decode("ascii")

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return decrypt(value.encode("ascii")).decode("utf-8")


class EncryptedBytes(TypeDecorator[bytes]):
    """A binary column (a photo) stored encrypted."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: bytes | None, dialect: Dialect) -> bytes | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> bytes | None:
        return None if value is None else decrypt(value)


class EncryptedJSON(TypeDecorator[dict[str, Any]]):
    """A JSON object stored encrypted (settings that hold keys, such as a robot's URL)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: dict[str, Any] | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return encrypt(json.dumps(value, ensure_ascii=False).encode("utf-8")).decode("ascii")

    def process_result_value(self, value: str | None, dialect: Dialect) -> dict[str, Any] | None:
        if value is None:
            return None
        loaded: dict[str, Any] = json.loads(decrypt(value.encode("ascii")))
        return loaded
