"""Accounts, sign-in, tokens, partner keys, request signatures and region grants.

Passwords are hashed with Argon2id (RFC 9106) through ``argon2-cffi`` with its default
parameters; tokens and API keys are 256-bit random strings of which only the SHA-256 digest is
stored (a random secret that long needs no slow hash). Failed sign-ins lock an account after
``Settings.max_failed_sign_ins`` in a row for ``Settings.lockout_s`` (NIST SP 800-63B §5.2.2).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from streetrelief.access import repository
from streetrelief.access.models import (
    AuthToken,
    Partner,
    PartnerKey,
    RegionGrant,
    SeenSignature,
    User,
)
from streetrelief.access.principal import Principal
from streetrelief.access.roles import STAFF_ROLES, Role
from streetrelief.access.schemas import GrantCreate, PartnerCreate, UserCreate
from streetrelief.config import Settings
from streetrelief.core.errors import (
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
)
from streetrelief.regions.service import Scope, require_region

TOKEN_PREFIX = "srt_"  # noqa: S105 - a public prefix, not a secret
KEY_PREFIX = "srk_"
MAX_GRANT = timedelta(days=183)
"""Longest cross-region grant: one winter campaign (November to March in China's plans); a
grant is for a neighbour's help, not a lasting change of jurisdiction."""
MIN_PASSWORD_LENGTH = 12
"""NIST SP 800-63B §5.1.1.2 asks for at least 8 characters; staff accounts here open records of
vulnerable people, so the local minimum is 12."""

_hasher = PasswordHasher()
# Verifying against this when the user name is unknown costs the same time as a real check.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password`` (PHC string format).

    Raises:
        InvalidInputError: shorter than ``MIN_PASSWORD_LENGTH`` characters.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters", field="password"
        )
    return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def digest(secret: str) -> str:
    """SHA-256 hex digest of a token or key."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


# ---- users -------------------------------------------------------------------------------


def create_user(session: Session, data: UserCreate, *, now: datetime) -> User:
    """Add a staff account.

    Raises:
        ConflictError: the user name is taken.
        UnknownRegionError: the region is unknown.
        InvalidInputError: a password too short, or a role that is not a staff role.
    """
    if data.role not in STAFF_ROLES:
        raise InvalidInputError(f"{data.role} is not a staff role", field="role")
    if repository.user_by_name(session, data.username) is not None:
        raise ConflictError(f"user name {data.username!r} is taken", field="username")
    if data.region_code is not None:
        require_region(session, data.region_code)
    user = User(
        username=data.username,
        display_name=data.display_name or data.username,
        password_hash=hash_password(data.password.get_secret_value()),
        role=data.role,
        region_code=data.region_code,
        team_id=data.team_id,
        service_point_id=data.service_point_id,
        is_active=True,
        failed_sign_ins=0,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def require_user(session: Session, username: str) -> User:
    """The account named ``username``.

    Raises:
        NotFoundError: no such account.
    """
    user = repository.user_by_name(session, username)
    if user is None:
        raise NotFoundError(f"user {username!r} not found")
    return user


def list_users(session: Session) -> Sequence[User]:
    """Every account, by user name."""
    return repository.users(session)


def set_password(session: Session, username: str, password: str) -> User:
    """Replace a password and unlock the account."""
    user = require_user(session, username)
    user.password_hash = hash_password(password)
    user.failed_sign_ins = 0
    user.locked_until = None
    session.flush()
    return user


def set_active(session: Session, username: str, *, active: bool, now: datetime) -> User:
    """Enable or disable an account; disabling revokes its tokens."""
    user = require_user(session, username)
    user.is_active = active
    if not active:
        repository.revoke_user_tokens(session, user.id, now)
    session.flush()
    return user


def unlock(session: Session, username: str) -> User:
    """Clear a lock-out."""
    user = require_user(session, username)
    user.failed_sign_ins = 0
    user.locked_until = None
    session.flush()
    return user


@dataclass(frozen=True)
class SignIn:
    """The result of a sign-in attempt; ``user`` is None when it failed."""

    user: User | None
    reason: str
    """``ok``, ``unknown_user``, ``wrong_password``, ``locked`` or ``disabled`` (for the audit
    log only; the caller is told nothing more than that it failed)."""


def sign_in(
    session: Session, username: str, password: str, *, now: datetime, settings: Settings
) -> SignIn:
    """Check a user name and password, counting failures and locking after too many."""
    user = repository.user_by_name(session, username)
    if user is None:
        _verify(_DUMMY_HASH, password)
        return SignIn(None, "unknown_user")
    if not user.is_active:
        _verify(_DUMMY_HASH, password)
        return SignIn(None, "disabled")
    if user.locked_until is not None and user.locked_until > now:
        _verify(_DUMMY_HASH, password)
        return SignIn(None, "locked")
    if not _verify(user.password_hash, password):
        user.failed_sign_ins += 1
        if user.failed_sign_ins >= settings.max_failed_sign_ins:
            user.locked_until = now + timedelta(seconds=settings.lockout_s)
            user.failed_sign_ins = 0
        session.flush()
        return SignIn(None, "wrong_password")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_sign_ins = 0
    user.locked_until = None
    user.last_sign_in_at = now
    session.flush()
    return SignIn(user, "ok")


@dataclass(frozen=True)
class IssuedToken:
    """A new token, shown once; ``csrf`` is set for page sessions."""

    token: str
    expires_at: datetime
    csrf: str | None


def issue_token(
    session: Session,
    user: User,
    *,
    kind: str,
    now: datetime,
    settings: Settings,
    source_ip: str | None = None,
) -> IssuedToken:
    """A bearer token (``kind='api'``) or a page session with a CSRF token (``'session'``)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32) if kind == "session" else None
    expires = now + timedelta(seconds=settings.token_ttl_s)
    session.add(
        AuthToken(
            user_id=user.id,
            digest=digest(token),
            kind=kind,
            csrf_digest=digest(csrf) if csrf else None,
            created_at=now,
            expires_at=expires,
            source_ip=source_ip,
        )
    )
    session.flush()
    return IssuedToken(token, expires, csrf)


def revoke_token(session: Session, token: str, *, now: datetime) -> bool:
    """Revoke a token (sign-out); False when it was not a live token."""
    row = repository.token_by_digest(session, digest(token))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = now
    session.flush()
    return True


def principal_for_token(
    session: Session, token: str, *, now: datetime, csrf: str | None = None
) -> Principal:
    """The user holding ``token``.

    Args:
        csrf: for a page session used on a state-changing request, the CSRF token that came
            with it (double-submit); ignored for bearer tokens.

    Raises:
        AuthenticationError: unknown, expired or revoked token, a disabled account, or a
            missing or wrong CSRF token on a page session.
    """
    row = repository.token_holder(session, digest(token))
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise AuthenticationError("the token is not valid; sign in again")
    if (
        row.kind == "session"
        and csrf is not None
        and not (row.csrf_digest and hmac.compare_digest(row.csrf_digest, digest(csrf)))
    ):
        raise AuthenticationError("the session's CSRF token is missing or wrong")
    if not row.is_active:
        raise AuthenticationError("the token is not valid; sign in again")
    return Principal(
        kind="user",
        name=row.username,
        role=Role(row.role),
        scope=None if row.region_code is None else scope_at(session, row.region_path, now=now),
        region_code=row.region_code,
        user_id=row.id,
        team_id=row.team_id,
        service_point_id=row.service_point_id,
    )


def user_principal(session: Session, user: User, *, now: datetime) -> Principal:
    """The principal of a user: role, own region plus active grants to it."""
    return Principal(
        kind="user",
        name=user.username,
        role=Role(user.role),
        scope=region_scope(session, user.region_code, now=now),
        region_code=user.region_code,
        user_id=user.id,
        team_id=user.team_id,
        service_point_id=user.service_point_id,
    )


def region_scope(session: Session, region_code: str | None, *, now: datetime) -> Scope:
    """The region paths a holder of ``region_code`` may act in: its own plus those granted to
    it now; None (every region) for a national holder.

    Raises:
        UnknownRegionError: no such region.
    """
    if region_code is None:
        return None
    return scope_at(session, require_region(session, region_code).path, now=now)


def scope_at(session: Session, path: str, *, now: datetime) -> tuple[str, ...]:
    """The region paths a holder of the region at ``path`` may act in: ``path`` first, then
    the paths granted to it (or to an ancestor) now, sorted."""
    granted = repository.granted_paths(session, path, now)
    return (path, *sorted(set(granted) - {path}))


# ---- personal and partner keys -----------------------------------------------------------


@dataclass(frozen=True)
class MintedKey:
    """A new key: ``key`` is shown once; ``prefix`` (public) finds its row, ``digest`` (the
    only part stored of the secret) proves it."""

    prefix: str
    key: str
    digest: str


def mint_key(marker: str) -> MintedKey:
    """A new key ``<marker><prefix>_<secret>``: a 48-bit public prefix and a 256-bit secret.

    Partner keys use ``srk_``, social reporters' personal keys ``srr_``; the marker tells the
    API which kind of holder to look up.
    """
    prefix = secrets.token_hex(6)
    key = f"{marker}{prefix}_{secrets.token_urlsafe(32)}"
    return MintedKey(prefix, key, digest(key))


def key_lookup_prefix(key: str, marker: str) -> str | None:
    """The public prefix of a key minted with ``marker``, or None for a malformed key."""
    parts = key.removeprefix(marker).split("_", 1)
    return parts[0] if len(parts) == 2 and key.startswith(marker) else None


def key_is_live(
    key: str,
    *,
    digest_: str,
    expires_at: datetime | None,
    revoked_at: datetime | None,
    now: datetime,
) -> bool:
    """Whether ``key`` matches the stored digest (compared in constant time) and is neither
    revoked nor expired at ``now``."""
    if not hmac.compare_digest(digest_, digest(key)):
        return False
    return revoked_at is None and (expires_at is None or expires_at > now)


# ---- partners ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedKey:
    """A new API key, shown once."""

    key_id: int
    key: str
    expires_at: datetime | None


def create_partner(session: Session, data: PartnerCreate, *, now: datetime) -> tuple[Partner, str]:
    """Register a partner system; returns it with its request-signing secret (shown once).

    Raises:
        ConflictError: the name is taken.
        UnknownRegionError: the region is unknown.
    """
    if repository.partner_by_name(session, data.name) is not None:
        raise ConflictError(f"partner {data.name!r} exists", field="name")
    if data.region_code is not None:
        require_region(session, data.region_code)
    secret = secrets.token_urlsafe(32)
    partner = Partner(
        name=data.name,
        region_code=data.region_code,
        channels=sorted(c.value for c in data.channels),
        signing_secret=secret,
        is_active=True,
        created_at=now,
    )
    session.add(partner)
    session.flush()
    return partner, secret


def require_partner(session: Session, name: str) -> Partner:
    """The partner named ``name``.

    Raises:
        NotFoundError: no such partner.
    """
    partner = repository.partner_by_name(session, name)
    if partner is None:
        raise NotFoundError(f"partner {name!r} not found")
    return partner


def set_feed_mapping(
    session: Session,
    name: str,
    *,
    field_mapping: dict[str, object],
    coordinate_system: str,
    is_machine_source: bool,
) -> Partner:
    """Store how a partner's own report JSON maps onto a report (validated by the intake
    domain, ``intake.partner_feed.FeedMapping``), its datum and whether it is a machine source.

    Raises:
        NotFoundError: no such partner.
    """
    partner = require_partner(session, name)
    partner.field_mapping = field_mapping  # type: ignore[assignment]  # JSON column of str paths
    partner.coordinate_system = coordinate_system
    partner.is_machine_source = is_machine_source
    return partner


def list_partners(session: Session) -> Sequence[Partner]:
    """Every partner, by name."""
    return repository.partners(session)


def issue_key(
    session: Session, partner: Partner, *, now: datetime, valid_days: int | None = None
) -> IssuedKey:
    """A new API key for ``partner``, optionally expiring after ``valid_days``."""
    minted = mint_key(KEY_PREFIX)
    expires = now + timedelta(days=valid_days) if valid_days else None
    row = PartnerKey(
        partner_id=partner.id,
        prefix=minted.prefix,
        digest=minted.digest,
        created_at=now,
        expires_at=expires,
    )
    session.add(row)
    session.flush()
    return IssuedKey(row.id, minted.key, expires)


def revoke_key(session: Session, key_id: int, *, now: datetime) -> PartnerKey:
    """Revoke a partner key at once.

    Raises:
        NotFoundError: no such key.
    """
    row = session.get(PartnerKey, key_id)
    if row is None:
        raise NotFoundError(f"partner key {key_id} not found")
    if row.revoked_at is None:
        row.revoked_at = now
        session.flush()
    return row


def keys_of(session: Session, partner: Partner) -> Sequence[PartnerKey]:
    """The partner's keys, newest first."""
    return repository.partner_keys(session, partner.id)


def principal_for_key(session: Session, key: str, *, now: datetime) -> tuple[Principal, Partner]:
    """The partner holding API key ``key``.

    Raises:
        AuthenticationError: malformed, unknown, expired or revoked key, or inactive partner.
    """
    lookup = key_lookup_prefix(key, KEY_PREFIX)
    row = repository.key_by_prefix(session, lookup) if lookup is not None else None
    if row is None or not key_is_live(
        key, digest_=row.digest, expires_at=row.expires_at, revoked_at=row.revoked_at, now=now
    ):
        raise AuthenticationError("the API key is not valid")
    partner = session.get(Partner, row.partner_id)
    if partner is None or not partner.is_active:
        raise AuthenticationError("the API key is not valid")
    principal = Principal(
        kind="partner",
        name=partner.name,
        role=Role.partner,
        scope=region_scope(session, partner.region_code, now=now),
        region_code=partner.region_code,
        partner_id=partner.id,
        channels=frozenset(partner.channels),
    )
    return principal, partner


def remember_signature(
    session: Session, partner_id: int, signature: str, *, now: datetime, window_s: int
) -> None:
    """Record an accepted request signature until its timestamp can no longer be accepted.

    Raises:
        AuthenticationError: this signature was accepted before (a replayed request).
    """
    repository.forget_signatures_before(session, now)
    key = digest(signature)
    replayed = AuthenticationError("this signed request was received already")
    if session.get(SeenSignature, key) is not None:
        raise replayed
    expires = now + timedelta(seconds=2 * window_s)
    try:
        with session.begin_nested():  # the same request arriving twice at once: one wins
            session.add(SeenSignature(digest=key, partner_id=partner_id, expires_at=expires))
    except IntegrityError as exc:
        raise replayed from exc


# ---- grants ------------------------------------------------------------------------------


def grant_region(
    session: Session, data: GrantCreate, *, by: Principal, now: datetime
) -> RegionGrant:
    """Let ``grantee_region_code``'s staff act in ``region_code`` until ``ends_at``.

    Raises:
        UnknownRegionError: either region is unknown.
        OutOfJurisdictionError: the granter's jurisdiction does not cover ``region_code``.
        InvalidInputError: the end is not after now, or a region granted to itself.
    """
    region = require_region(session, data.region_code)
    require_region(session, data.grantee_region_code)
    by.require_covers(region, f"region {region.code!r}")
    if data.region_code == data.grantee_region_code:
        raise InvalidInputError("a region already covers itself", field="grantee_region_code")
    if data.ends_at <= now:
        raise InvalidInputError("the grant must end in the future", field="ends_at")
    if data.ends_at - now > MAX_GRANT:
        raise InvalidInputError(
            f"a grant lasts at most {MAX_GRANT.days} days; renew it if help goes on",
            field="ends_at",
        )
    grant = RegionGrant(
        region_code=data.region_code,
        grantee_region_code=data.grantee_region_code,
        reason=data.reason,
        granted_by=by.name,
        starts_at=now,
        ends_at=data.ends_at,
    )
    session.add(grant)
    session.flush()
    return grant


def revoke_grant(session: Session, grant_id: int, *, by: Principal, now: datetime) -> RegionGrant:
    """End a grant now.

    Raises:
        NotFoundError: no such grant in the caller's jurisdiction.
    """
    grant = session.get(RegionGrant, grant_id)
    if grant is None:
        raise NotFoundError(f"grant {grant_id} not found")
    by.require_covers(require_region(session, grant.region_code), f"grant {grant_id}")
    if grant.revoked_at is None:
        grant.revoked_at = now
        session.flush()
    return grant


def list_grants(session: Session, *, by: Principal, now: datetime) -> Sequence[RegionGrant]:
    """Grants in force touching the caller's jurisdiction, newest first."""
    return [
        g
        for g in repository.grants_in_force(session, now)
        if by.scope is None
        or by.covers(require_region(session, g.region_code))
        or by.covers(require_region(session, g.grantee_region_code))
    ]
