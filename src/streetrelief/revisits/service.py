"""Use cases of revisits: people who refused help are seen again by a due time.

A revisit is created when an encounter ends ``refused`` (except for minors and disabled people,
who cannot refuse: the triage rule ``refuses_station`` does not apply to them). Its due time is
the refusal plus the ``refusal_revisit_interval_s`` of the region's response level now, else
``STREETRELIEF_REVISIT_USUAL_INTERVAL_S``; a level change brings open revisits forward, never
later. The ``revisit-timers`` job (:func:`assign_due_revisits`, :func:`escalate_overdue_revisits`)
makes each due revisit a patrol task of the nearest free outreach team and tells the duty leader
once when one is still not made a grace after its due time. A later encounter with the person,
or an encounter or check-in by the assigned team near the place, completes it; staff can mark it
done or cancel it by hand.

A patrol plan takes the open revisits no team holds yet, due before the shift ends, as stops;
the team whose route takes one holds it from then on (:func:`hold_for_plan`).

Owns the ``revisits`` table and the events ``revisit.created``, ``revisit.planned``,
``revisit.due``, ``revisit.overdue``, ``revisit.done`` and ``revisit.cancelled``, written in the
caller's transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy.orm import Session

from streetrelief.config import get_settings
from streetrelief.core.clock import ensure_utc
from streetrelief.core.errors import InvalidInputError, NotFoundError, TaskClosedError
from streetrelief.core.geo import haversine_m
from streetrelief.db.outbox import emit
from streetrelief.dispatch.travel import TravelTimeProvider, travel_columns
from streetrelief.duty.service import leaders_in_charge
from streetrelief.patrols.models import CheckIn
from streetrelief.people.models import Encounter, EncounterOutcome, Person, PersonCategory
from streetrelief.regions.service import Scope, dispatch_area, require_region
from streetrelief.response.tasks import playbook_for
from streetrelief.revisits import repository
from streetrelief.revisits.models import OPEN_STATUSES, CompletedBy, Revisit, RevisitStatus
from streetrelief.revisits.schemas import RevisitCancel, RevisitComplete
from streetrelief.teams.models import Capability, Team, TeamStatus, TravelMode
from streetrelief.teams.service import list_teams, require_team

CREATED = "revisit.created"
PLANNED = "revisit.planned"
DUE = "revisit.due"
OVERDUE = "revisit.overdue"
DONE = "revisit.done"
CANCELLED = "revisit.cancelled"

NEAR_PLACE_M = 100.0
"""How close to the place of refusal an encounter or check-in by the assigned team must be to
count as the revisit, metres: phone GPS errs by tens of metres in streets (van Diggelen & Enge
2015, ION GNSS+), and a person sleeping out moves a little between visits."""

FREE_STATUSES = frozenset({TeamStatus.available, TeamStatus.returning})
"""Team statuses in which a team can take a revisit: on shift and not held by an incident."""

CANNOT_REFUSE = frozenset({PersonCategory.minor, PersonCategory.disabled})
"""Categories whose refusal does not stand (the triage rule ``refuses_station``'s
``unless_any``): their own rules apply instead of a revisit."""


def revisit_interval(session: Session, region_code: str, at: datetime) -> tuple[int, str]:
    """The revisit interval in a region at ``at``, seconds, and where it comes from.

    Returns:
        The level's ``refusal_revisit_interval_s`` and ``"level II"`` (say), or
        ``STREETRELIEF_REVISIT_USUAL_INTERVAL_S`` and ``"usual"`` where the level sets none.

    Raises:
        UnknownRegionError: no such region.
    """
    playbook = playbook_for(session, region_code, at)
    if playbook.refusal_revisit_interval_s is not None:
        return playbook.refusal_revisit_interval_s, f"level {playbook.level}"
    return get_settings().revisit_usual_interval_s, "usual"


def on_encounter(session: Session, encounter: Encounter, person: Person, *, now: datetime) -> None:
    """Complete the revisits an encounter makes, and start one when it ends in a refusal.

    An encounter completes the open revisits of the same person met after their refusal, and
    those its team holds within :data:`NEAR_PLACE_M` of the encounter, met after they were
    assigned. A refusal (not of a minor or disabled person) starts a new revisit, linked to the
    revisit it completed, if any.
    """
    completed = [
        r
        for r in repository.open_of_person(session, person.id)
        if r.encounter_id != encounter.id and encounter.met_at >= r.refused_at
    ]
    if encounter.team_id is not None:
        completed += [
            r
            for r in _near_team_tasks(session, encounter.team_id, encounter.lat, encounter.lon)
            if r not in completed
            and r.assigned_at is not None
            and encounter.met_at >= r.assigned_at
        ]
    for revisit in completed:
        _complete(
            session,
            revisit,
            CompletedBy.encounter,
            outcome=str(encounter.outcome),
            now=now,
            encounter_id=encounter.id,
        )
    if encounter.outcome != EncounterOutcome.refused or not can_refuse(encounter, person):
        return
    previous = [r for r in completed if r.person_id == person.id]
    _create(session, encounter, person, previous=previous[-1] if previous else None, now=now)


def can_refuse(encounter: Encounter, person: Person) -> bool:
    """Whether a refusal stands: not a minor, and not recorded as disabled."""
    return not person.is_minor and not CANNOT_REFUSE.intersection(encounter.categories)


def on_check_in(session: Session, check_in: CheckIn, lat: float, lon: float) -> None:
    """Complete the revisits a check-in's team holds within :data:`NEAR_PLACE_M` of where it
    checked in (``lat``, ``lon``, WGS-84), made after they were assigned."""
    for revisit in _near_team_tasks(session, check_in.team_id, lat, lon):
        if revisit.assigned_at is not None and check_in.checked_in_at >= revisit.assigned_at:
            _complete(
                session,
                revisit,
                CompletedBy.check_in,
                outcome="people_found" if check_in.people_found else "nobody_found",
                now=check_in.received_at,
                check_in_id=check_in.id,
            )


def bring_forward(session: Session, region_code: str, *, now: datetime) -> list[Revisit]:
    """After a level change in ``region_code``, move the open revisits of its subtree to the
    refusal plus the interval now in force where that is sooner, but not before ``now`` (a
    revisit already late under the new interval becomes due now, and its grace runs from now).

    Returns:
        The revisits brought forward.

    Raises:
        UnknownRegionError: no such region.
    """
    moved = []
    intervals: dict[str, tuple[int, str]] = {}
    for revisit in repository.open_in_subtree(session, require_region(session, region_code).path):
        if revisit.region_code not in intervals:
            intervals[revisit.region_code] = revisit_interval(session, revisit.region_code, now)
        interval, source = intervals[revisit.region_code]
        due = max(revisit.refused_at + timedelta(seconds=interval), now)
        if due < revisit.due_at:
            revisit.due_at, revisit.interval_s, revisit.interval_source = due, interval, source
            moved.append(revisit)
    session.flush()
    return moved


def assign_due_revisits(
    session: Session, *, travel: TravelTimeProvider, now: datetime
) -> list[Revisit]:
    """Make each due revisit no team holds a patrol task of the outreach team still on shift, free
    (available or returning) in its dispatch area, that the travel provider says reaches the
    place first (by last position and travel mode); event ``revisit.due`` with the team. A
    revisit with no such team stays ``due`` and is tried again on the next run. Safe to run
    twice: a held revisit is never reassigned.

    Returns:
        The revisits assigned now.
    """
    assigned = []
    for revisit in repository.due_without_team(session, now):
        team, travel_s = _nearest_free_team(session, revisit, travel, now=now)
        if team is None:
            if revisit.status == RevisitStatus.scheduled:
                revisit.status = RevisitStatus.due
            continue
        _assign(session, revisit, team, DUE, now, travel_s=round(travel_s))
        assigned.append(revisit)
    session.flush()
    return assigned


def revisits_to_plan(
    session: Session, region_code: str, *, end: datetime, also: Collection[int] = ()
) -> list[Revisit]:
    """The revisits a patrol plan of a region subtree visits: those still open that no team
    holds, due before ``end``, and those of ``also`` still open (held through the plan being
    replaced); by due time.

    Raises:
        UnknownRegionError: no such region.
    """
    path = require_region(session, region_code).path
    return [
        r
        for r in repository.open_in_subtree(session, path)
        if (r.team_id is None and r.due_at < end) or r.id in also
    ]


def hold_for_plan(
    session: Session, revisit: Revisit, team_id: int, *, plan_id: int, now: datetime
) -> None:
    """Make a revisit the patrol task of the team whose planned route takes it (event
    ``revisit.planned``); the revisit-timers job then leaves it to that team.

    Raises:
        NotFoundError: no such team.
    """
    _assign(session, revisit, require_team(session, team_id), PLANNED, now, plan_id=plan_id)


def escalate_overdue_revisits(session: Session, *, grace_s: int, now: datetime) -> list[Revisit]:
    """Mark each revisit still open more than ``grace_s`` seconds after its due time overdue,
    once (whether or not a team holds it), and tell the leaders in charge on duty over its
    dispatch area (event ``revisit.overdue`` with them as recipients). Safe to run twice.

    Returns:
        The revisits escalated now.
    """
    escalated = []
    for revisit in repository.overdue_unescalated(session, now - timedelta(seconds=grace_s)):
        revisit.status, revisit.escalated_at = RevisitStatus.overdue, now
        _emit(
            session,
            revisit,
            OVERDUE,
            now,
            team_id=revisit.team_id,
            due_at=revisit.due_at.isoformat(),
            late_s=round((now - revisit.due_at).total_seconds()),
            recipients=leaders_in_charge(session, revisit.region_code, now),
        )
        escalated.append(revisit)
    session.flush()
    return escalated


def require_revisit(session: Session, revisit_id: int) -> Revisit:
    """The revisit with ``revisit_id``.

    Raises:
        NotFoundError: no such revisit.
    """
    revisit = repository.get(session, revisit_id)
    if revisit is None:
        raise NotFoundError(f"revisit {revisit_id} not found", revisit_id=revisit_id)
    return revisit


def list_revisits(
    session: Session,
    *,
    region_code: str | None = None,
    status: str | None = None,
    team_id: int | None = None,
    scope: Scope = None,
) -> Sequence[Revisit]:
    """Revisits of a region subtree (all when None) inside ``scope``, optionally of one status
    and one team, by due time; at most 200.

    Raises:
        UnknownRegionError: ``region_code`` is not a region.
        InvalidInputError: ``status`` is not a revisit status.
    """
    if status is not None and status not in RevisitStatus.__members__:
        known = ", ".join(RevisitStatus)
        raise InvalidInputError(
            f"unknown revisit status {status!r}; known: {known}", field="status"
        )
    path = require_region(session, region_code).path if region_code is not None else None
    return repository.listed(
        session,
        root_path=path,
        statuses=None if status is None else [RevisitStatus(status)],
        team_id=team_id,
        scope=scope,
    )


def team_revisits(session: Session, team_id: int, *, scope: Scope = None) -> Sequence[Revisit]:
    """The revisits a team holds as patrol tasks, still to be made, inside ``scope``, by due
    time."""
    return repository.open_of_team(session, team_id, scope=scope)


def complete_revisit(
    session: Session, revisit_id: int, data: RevisitComplete, *, by: str, now: datetime
) -> Revisit:
    """Mark a revisit done by hand, with what was found.

    Raises:
        NotFoundError: no such revisit.
        TaskClosedError: it is already done or cancelled.
    """
    revisit = _require_open(session, revisit_id)
    revisit.note, revisit.closed_by = data.note or None, by
    _complete(session, revisit, CompletedBy.by_hand, outcome=data.outcome.value, now=now)
    return revisit


def cancel_revisit(
    session: Session, revisit_id: int, data: RevisitCancel, *, by: str, now: datetime
) -> Revisit:
    """Cancel a revisit that is no longer needed, with the reason.

    Raises:
        NotFoundError: no such revisit.
        TaskClosedError: it is already done or cancelled.
    """
    revisit = _require_open(session, revisit_id)
    now = ensure_utc(now)
    revisit.status = RevisitStatus.cancelled
    revisit.cancelled_at, revisit.cancel_reason, revisit.closed_by = now, data.reason, by
    session.flush()
    _emit(session, revisit, CANCELLED, now, reason=data.reason, by=by)
    return revisit


def revisit_figures(
    session: Session, region_path: str, start: datetime, end: datetime
) -> tuple[int, int]:
    """(revisits done, of them done on time) in a subtree with the completion in [start, end);
    on time means before the duty leader was told it was overdue."""
    return repository.figures(session, region_path, start, end)


def _create(
    session: Session,
    encounter: Encounter,
    person: Person,
    *,
    previous: Revisit | None,
    now: datetime,
) -> Revisit:
    interval, source = revisit_interval(session, encounter.region_code, now)
    revisit = Revisit(
        encounter_id=encounter.id,
        person_id=person.id,
        incident_id=encounter.incident_id,
        region_code=encounter.region_code,
        lat=encounter.lat,
        lon=encounter.lon,
        refused_at=encounter.met_at,
        interval_s=interval,
        interval_source=source,
        due_at=encounter.met_at + timedelta(seconds=interval),
        status=RevisitStatus.scheduled,
        previous_id=None if previous is None else previous.id,
        created_at=now,
    )
    session.add(revisit)
    session.flush()
    _emit(
        session,
        revisit,
        CREATED,
        now,
        person_temp_id=person.temp_id,
        due_at=revisit.due_at.isoformat(),
        interval_s=interval,
        interval_source=source,
        previous_id=revisit.previous_id,
    )
    return revisit


def _assign(
    session: Session, revisit: Revisit, team: Team, type_: str, now: datetime, **extra: object
) -> None:
    revisit.team_id, revisit.assigned_at = team.id, now
    if revisit.status in (RevisitStatus.scheduled, RevisitStatus.due):
        revisit.status = RevisitStatus.assigned
    _emit(
        session,
        revisit,
        type_,
        now,
        team_id=team.id,
        team_code=team.code,
        due_at=revisit.due_at.isoformat(),
        **extra,
    )


def _near_team_tasks(session: Session, team_id: int, lat: float, lon: float) -> list[Revisit]:
    return [
        r
        for r in repository.open_of_team(session, team_id)
        if haversine_m(r.lat, r.lon, lat, lon) <= NEAR_PLACE_M
    ]


def _nearest_free_team(
    session: Session, revisit: Revisit, travel: TravelTimeProvider, *, now: datetime
) -> tuple[Team | None, float]:
    """The free outreach team of the revisit's dispatch area, still on shift, that reaches the
    place first (ties by code), and its travel time in seconds; (None, 0) when there is none."""
    area = dispatch_area(session, revisit.region_code)
    free = [
        t
        for t in list_teams(session, region_code=area.code, statuses=FREE_STATUSES)
        if Capability.outreach in t.capabilities
        and (t.shift_ends_at is None or t.shift_ends_at > now)
    ]
    if not free:
        return None, 0.0
    _, travel_s, _ = travel_columns(
        travel,
        [(t.last_lat, t.last_lon) for t in free],
        np.array([t.mode == TravelMode.vehicle for t in free], dtype=np.bool_),
        (revisit.lat, revisit.lon),
    )
    best = min(range(len(free)), key=lambda k: (travel_s[k], free[k].code))
    return free[best], float(travel_s[best])


def _require_open(session: Session, revisit_id: int) -> Revisit:
    revisit = require_revisit(session, revisit_id)
    if revisit.status not in OPEN_STATUSES:
        raise TaskClosedError(f"revisit {revisit_id} is {revisit.status}", revisit_id=revisit_id)
    return revisit


def _complete(
    session: Session,
    revisit: Revisit,
    how: CompletedBy,
    *,
    outcome: str,
    now: datetime,
    encounter_id: int | None = None,
    check_in_id: int | None = None,
) -> None:
    now = ensure_utc(now)
    revisit.status, revisit.done_at, revisit.completed_by = RevisitStatus.done, now, how
    revisit.outcome = outcome
    revisit.completing_encounter_id, revisit.completing_check_in_id = encounter_id, check_in_id
    session.flush()
    _emit(
        session,
        revisit,
        DONE,
        now,
        completed_by=how.value,
        outcome=outcome,
        team_id=revisit.team_id,
        encounter_id=encounter_id,
        check_in_id=check_in_id,
        was_overdue=revisit.escalated_at is not None,
    )


def _emit(session: Session, revisit: Revisit, type_: str, at: datetime, **payload: object) -> None:
    emit(
        session,
        type_=type_,
        subject="revisit",
        subject_id=revisit.id,
        at=at,
        region_code=revisit.region_code,
        payload={"status": str(revisit.status), "incident_id": revisit.incident_id, **payload},
    )
