"""API and service shapes of accounts, sign-in, partners and grants."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, SecretStr

from streetrelief.access.roles import Role
from streetrelief.core.ids import RecordId
from streetrelief.intake.models import Channel


class UserCreate(BaseModel):
    """A new staff account; ``region_code`` None gives the whole installation."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")
    display_name: str | None = Field(None, max_length=200)
    password: SecretStr = Field(min_length=1, max_length=200)
    role: Role
    region_code: str | None = Field(None, max_length=32)
    team_id: RecordId | None = Field(None, description="A patrol member's team.")
    service_point_id: RecordId | None = Field(None, description="A staff member's service point.")


class UserRead(BaseModel):
    """An account as shown (never its password hash)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: Role
    region_code: str | None
    team_id: int | None
    service_point_id: int | None
    is_active: bool
    locked_until: datetime | None
    last_sign_in_at: datetime | None


class Credentials(BaseModel):
    """A user name and password."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    password: SecretStr = Field(min_length=1, max_length=200)


class TokenRead(BaseModel):
    """A bearer token, shown once."""

    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth 2 token type, not a secret
    expires_at: datetime


class SessionRead(BaseModel):
    """A page session: the session itself is in the HttpOnly cookie, out of scripts' reach."""

    expires_at: datetime
    csrf_token: str = Field(description="Send it back in X-CSRF-Token on every change.")


class WhoAmI(BaseModel):
    """The caller as the server sees it."""

    kind: str
    name: str
    role: Role
    region_code: str | None
    scope: list[str] | None = Field(description="Region paths covered; null for every region.")
    permissions: list[str]
    team_id: int | None = Field(None, description="A patrol member's team.")


class PartnerCreate(BaseModel):
    """A partner system and the report channels it may use."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=2, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")
    region_code: str | None = Field(None, max_length=32)
    channels: list[Channel] = Field(min_length=1, max_length=len(Channel))


class PartnerRead(BaseModel):
    """A partner (never its secret or key digests)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    region_code: str | None
    channels: list[str]
    is_active: bool
    created_at: datetime


class PartnerCreated(PartnerRead):
    """A new partner with its signing secret, shown once."""

    signing_secret: str


class KeyRead(BaseModel):
    """A partner key's public facts."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class KeyIssued(BaseModel):
    """A new key, shown once."""

    id: int
    key: str
    expires_at: datetime | None


class GrantCreate(BaseModel):
    """Let staff of ``grantee_region_code`` act in ``region_code``'s subtree until ``ends_at``."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    region_code: str = Field(max_length=32)
    grantee_region_code: str = Field(max_length=32)
    reason: str = Field(min_length=3, max_length=400)
    ends_at: AwareDatetime


class GrantRead(BaseModel):
    """A cross-region grant."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    region_code: str
    grantee_region_code: str
    reason: str
    granted_by: str
    starts_at: datetime
    ends_at: datetime
    revoked_at: datetime | None
