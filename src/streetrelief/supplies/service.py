"""Use cases of the supplies ledger: movements, counts, issue at encounters, stock, alerts.

Owns ``stock_levels`` and ``stock_movements``. Every change of stock is one append-only
movement written with the balance it changes, in the caller's transaction: a balance never
goes below zero (a conditional UPDATE takes units only if they are there) and always equals
the movements in minus the movements out (docs/adr/0007). Which points and teams exist is
asked of ``service_points.service`` and ``teams.service``; item types of ``supplies.catalogue``;
the transfer arithmetic is ``supplies.logic``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from streetrelief.core.clock import ensure_utc
from streetrelief.core.errors import InsufficientStockError, InvalidInputError, NotFoundError
from streetrelief.db.outbox import emit
from streetrelief.service_points.models import ServicePoint
from streetrelief.service_points.service import (
    find_service_point_by_code,
    list_service_points,
    service_point_codes,
)
from streetrelief.supplies import repository
from streetrelief.supplies.catalogue import item_types, require_item
from streetrelief.supplies.models import MovementKind, StockLevel, StockMovement
from streetrelief.supplies.schemas import MovementCreate, StockAlert, StockCount, StockRead
from streetrelief.teams.models import Team
from streetrelief.teams.service import find_team_by_code, require_team, team_codes

STOCK_COUNTED = "supplies.stock_counted"
STOCK_MOVED = "supplies.stock_moved"


@dataclass(frozen=True, slots=True)
class Holder:
    """A service point or a team holding stock."""

    point_id: int | None
    team_id: int | None
    label: str
    region_code: str


def _point(session: Session, code: str, field: str = "service_point_code") -> ServicePoint:
    point = find_service_point_by_code(session, code)
    if point is None:
        raise NotFoundError(f"unknown service point {code}", field=field)
    return point


def _team(session: Session, code: str, field: str) -> Team:
    team = find_team_by_code(session, code)
    if team is None:
        raise NotFoundError(f"unknown team {code}", field=field)
    return team


def holder(session: Session, point_code: str | None, team_code: str | None, side: str) -> Holder:
    """The holder a movement names on one side.

    Raises:
        NotFoundError: no such point or team.
    """
    if point_code is not None:
        p = _point(session, point_code, f"{side}_point")
        return Holder(p.id, None, f"point:{p.code}", p.region_code)
    if team_code is None:
        raise InvalidInputError(f"name a {side}_point or a {side}_team", field=side)
    t = _team(session, team_code, f"{side}_team")
    return Holder(None, t.id, f"team:{t.code}", t.region_code)


def record_movement(
    session: Session,
    data: MovementCreate,
    *,
    by: str | None,
    now: datetime,
    encounter_id: int | None = None,
) -> StockMovement:
    """Record one movement and change the balances it touches.

    Raises:
        InvalidInputError: an item not in the catalogue.
        NotFoundError: an unknown point or team.
        InsufficientStockError: the source holds fewer units than moved (nothing is written).
    """
    now = ensure_utc(now)
    require_item(data.item)
    source = (
        holder(session, data.from_point, data.from_team, "from")
        if data.from_point or data.from_team
        else None
    )
    target = (
        holder(session, data.to_point, data.to_team, "to")
        if data.to_point or data.to_team
        else None
    )
    return _move(
        session,
        data.kind,
        data.item,
        data.quantity,
        source=source,
        target=target,
        by=by,
        now=now,
        expires_on=data.expires_on,
        reason=data.reason,
        encounter_id=encounter_id,
    )


def _move(
    session: Session,
    kind: MovementKind,
    item: str,
    quantity: int,
    *,
    source: Holder | None,
    target: Holder | None,
    by: str | None,
    now: datetime,
    expires_on: date | None = None,
    reason: str | None = None,
    encounter_id: int | None = None,
) -> StockMovement:
    if source is not None:
        if not repository.take(session, source.point_id, source.team_id, item, quantity, now=now):
            row = repository.get(session, source.point_id, item, team_id=source.team_id)
            held = 0 if row is None else row.quantity
            raise InsufficientStockError(
                f"{source.label} holds {held} {item}; cannot take {quantity}", field="quantity"
            )
        repository.clear_expiry_when_empty(session, source.point_id, source.team_id, item)
        if expires_on is None and target is not None:
            row = repository.get(session, source.point_id, item, team_id=source.team_id)
            expires_on = None if row is None else row.earliest_expiry_on
    if target is not None:
        repository.put(
            session, target.point_id, target.team_id, item, quantity, expires_on=expires_on, now=now
        )
    movement = StockMovement(
        kind=kind,
        item=item,
        quantity=quantity,
        from_point_id=None if source is None else source.point_id,
        from_team_id=None if source is None else source.team_id,
        to_point_id=None if target is None else target.point_id,
        to_team_id=None if target is None else target.team_id,
        encounter_id=encounter_id,
        expires_on=expires_on,
        reason=reason,
        recorded_by=by,
        at=now,
    )
    session.add(movement)
    session.flush()
    region_code = next(h.region_code for h in (target, source) if h is not None)
    emit(
        session,
        type_=STOCK_MOVED,
        subject="stock_movement",
        subject_id=movement.id,
        at=now,
        region_code=region_code,
        payload={
            "kind": kind,
            "item": item,
            "quantity": quantity,
            "from": None if source is None else source.label,
            "to": None if target is None else target.label,
        },
    )
    return movement


def set_stock(
    session: Session, count: StockCount, *, now: datetime, by: str | None = None
) -> StockLevel:
    """Record a count of one item at one service point: the difference from the stored
    balance becomes a ``count`` movement in or out.

    Args:
        count: the point's code, the item and the quantity counted (units of issue, ≥ 0).
        now: when it was counted (aware).

    Raises:
        NotFoundError: no service point with that code.
        InvalidInputError: an item not in the catalogue.
    """
    now = ensure_utc(now)
    require_item(count.item)
    point = _point(session, count.service_point_code)
    here = Holder(point.id, None, f"point:{point.code}", point.region_code)
    row = repository.get(session, point.id, count.item)
    held = 0 if row is None else row.quantity
    if count.quantity > held:
        _move(
            session,
            MovementKind.stocktake,
            count.item,
            count.quantity - held,
            source=None,
            target=here,
            by=by,
            now=now,
            reason="count",
        )
    elif count.quantity < held:
        _move(
            session,
            MovementKind.stocktake,
            count.item,
            held - count.quantity,
            source=here,
            target=None,
            by=by,
            now=now,
            reason="count",
        )
    row = repository.get(session, point.id, count.item)
    if row is None:
        row = StockLevel(service_point_id=point.id, item=count.item, quantity=0, updated_at=now)
        session.add(row)
    row.updated_at = now
    session.flush()
    emit(
        session,
        type_=STOCK_COUNTED,
        subject="service_point",
        subject_id=point.id,
        at=now,
        region_code=point.region_code,
        payload={"item": count.item, "quantity": count.quantity},
    )
    return row


def issue_at_encounter(
    session: Session,
    team_id: int,
    encounter_id: int,
    items: Sequence[tuple[str, int]],
    *,
    now: datetime,
) -> list[StockMovement]:
    """Issue the items given at an encounter from the team's stock, one ``issue`` movement
    each, linked to the encounter.

    A team whose stock has never moved is not yet kept on the ledger: its items are recorded
    on the encounter only (returns []); from its first movement on, every item must come out
    of its stock.

    Raises:
        NotFoundError: no such team.
        InvalidInputError: an item not in the catalogue.
        InsufficientStockError: the team carries fewer units than given.
    """
    team = require_team(session, team_id)
    if not repository.has_movements(session, team_id=team.id):
        return []
    source = Holder(None, team.id, f"team:{team.code}", team.region_code)
    out = []
    for item, quantity in items:
        require_item(item)
        out.append(
            _move(
                session,
                MovementKind.issue,
                item,
                quantity,
                source=source,
                target=None,
                by=None,
                now=now,
                encounter_id=encounter_id,
            )
        )
    return out


def stock_by_point(session: Session, point_ids: Collection[int]) -> dict[int, dict[str, int]]:
    """Current counts of the given points: point id → item → quantity (absent items are 0)."""
    held: dict[int, dict[str, int]] = {}
    for row in repository.at_points(session, point_ids):
        if row.service_point_id is not None:
            held.setdefault(row.service_point_id, {})[row.item] = row.quantity
    return held


def list_stock(
    session: Session,
    *,
    region_code: str | None = None,
    service_point_code: str | None = None,
    team_code: str | None = None,
    item: str | None = None,
) -> list[StockRead]:
    """Stock of the points of a region subtree (all when None), or of one point, or of one
    team, by holder and item.

    Raises:
        UnknownRegionError: ``region_code`` is not a region.
        NotFoundError: ``service_point_code`` or ``team_code`` is unknown.
    """
    if team_code is not None:
        rows = list(repository.at_teams(session, {_team(session, team_code, "team_code").id}))
    else:
        if service_point_code is not None:
            ids = {_point(session, service_point_code).id}
        else:
            ids = {p.id for p in list_service_points(session, region_code=region_code)}
        rows = list(repository.at_points(session, ids))
    points = service_point_codes(session, {r.service_point_id for r in rows if r.service_point_id})
    teams = team_codes(session, {r.team_id for r in rows if r.team_id})
    reads = [
        StockRead(
            service_point_id=r.service_point_id,
            service_point_code=points.get(r.service_point_id or 0),
            team_id=r.team_id,
            team_code=teams.get(r.team_id or 0),
            item=r.item,
            quantity=r.quantity,
            earliest_expiry_on=r.earliest_expiry_on,
            updated_at=r.updated_at,
        )
        for r in rows
        if item is None or r.item == item
    ]
    return sorted(reads, key=lambda r: (r.service_point_code or "", r.team_code or "", r.item))


def stock_alerts(session: Session, rows: Sequence[StockRead], *, today: date) -> list[StockAlert]:
    """Low-stock and near-expiry alerts of the given stock rows, by the catalogue's
    thresholds (``supplies/items.yaml``); items not in the catalogue raise none."""
    types = item_types()
    alerts = []
    for r in rows:
        kind = types.get(r.item)
        if kind is None:
            continue
        label = f"point:{r.service_point_code}" if r.service_point_code else f"team:{r.team_code}"
        if r.quantity <= kind.low_stock:
            alerts.append(
                StockAlert(
                    kind="low_stock",
                    holder=label,
                    item=r.item,
                    quantity=r.quantity,
                    threshold=kind.low_stock,
                )
            )
        if (
            kind.has_expiry
            and r.earliest_expiry_on is not None
            and r.earliest_expiry_on <= today + timedelta(days=kind.near_expiry_days)
        ):
            alerts.append(
                StockAlert(
                    kind="near_expiry",
                    holder=label,
                    item=r.item,
                    quantity=r.quantity,
                    expires_on=r.earliest_expiry_on,
                )
            )
    return alerts


def list_movements(
    session: Session, *, service_point_code: str | None = None, team_code: str | None = None
) -> Sequence[StockMovement]:
    """Movements of one point or team (all when neither), newest first (at most 500).

    Raises:
        NotFoundError: an unknown point or team.
    """
    point_id = _point(session, service_point_code).id if service_point_code else None
    team_id = _team(session, team_code, "team_code").id if team_code else None
    return repository.movements(session, point_id=point_id, team_id=team_id)


def transfer_between_points(
    session: Session,
    item: str,
    quantity: int,
    from_point_id: int,
    to_point_id: int,
    *,
    by: str,
    now: datetime,
    reason: str,
) -> StockMovement:
    """Record a transfer the pre-positioning plan asked for, once it is done.

    Raises:
        NotFoundError: either point is gone.
        InsufficientStockError: the source no longer holds that many.
    """
    codes = service_point_codes(session, {from_point_id, to_point_id})
    for point_id in (from_point_id, to_point_id):
        if point_id not in codes:
            raise NotFoundError(f"service point {point_id} not found")
    return record_movement(
        session,
        MovementCreate(
            kind=MovementKind.transfer,
            item=item,
            quantity=quantity,
            from_point=codes[from_point_id],
            to_point=codes[to_point_id],
            reason=reason,
        ),
        by=by,
        now=now,
    )
