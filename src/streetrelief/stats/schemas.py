"""Shapes of statistics."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class Statistics(BaseModel):
    """The campaign's figures for a region subtree over [start, end)."""

    region_code: str
    timezone: str = Field(description="IANA zone of the region, for showing local times.")
    start: datetime
    end: datetime
    person_times_assisted: int = Field(
        description="Encounters that gave help: any outcome but a refusal, or a refusal in "
        "which supplies were handed over (救助人次)."
    )
    encounters: int = Field(description="All encounters recorded, refusals included.")
    patrol_person_times: int = Field(
        description="Staff sent out: team members summed over dispatches, plus each team's "
        "members once per night it checked in at hotspots (巡查人次)."
    )
    patrol_check_ins: int = Field(description="Check-ins at hotspots by patrols.")
    vehicle_dispatches: int = Field(description="Dispatches of teams with a vehicle (出动车辆).")
    dispatches: int
    items_distributed: int = Field(description="Supplies handed to people, items (发放物资).")
    service_points_set_up: int = Field(
        description="Active service points existing at the end of the range (设立救助点)."
    )
    incidents: int
    reports: int = Field(description="Reports pointing to these incidents, duplicates included.")
    incidents_found_actively: int
    share_found_actively: float | None = Field(
        description="Incidents first found by patrols or partner platforms, over all incidents."
    )
    response_time_p50_s: float | None = Field(description="Report-to-arrival median, seconds.")
    response_time_p90_s: float | None
    response_time_p99_s: float | None
    arrivals: int = Field(description="Incidents a team reached.")
    incidents_due: int = Field(
        description="Incidents reached, or past their target without a team on scene."
    )
    share_on_time: float | None = Field(
        description="Of the incidents due, those reached within their triage target."
    )
    machine_reports: int = Field(
        0, description="Reports from machine sources (cameras, sensors) needing confirmation."
    )
    machine_reports_judged: int = Field(0, description="Of them, confirmed or rejected so far.")
    machine_confirmation_rate: float | None = Field(
        None, description="Confirmed over judged machine reports: how often a machine was right."
    )
    social_reporter_reports: int = Field(
        0, description="Reports credited to registered social reporters (社会力量报告)."
    )
    social_reporter_reports_by_kind: dict[str, int] = Field(
        default_factory=dict,
        description="The same by the reporter's kind: sanitation_worker, courier, bus_driver, "
        "taxi_driver, security_guard, volunteer, other.",
    )
    social_reporter_reports_helped: int = Field(
        0, description="Of them, reports whose incident ended with help given."
    )
    revisits_done: int = Field(
        0, description="Revisits of people who refused help made (回访), by completion time."
    )
    revisits_done_on_time: int = Field(
        0,
        description="Of them, made before they were overdue (the duty leader was never told).",
    )
