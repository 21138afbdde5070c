"""Languages of the pages: the Babel catalogues, the choice of language, and the strings that
the pages' scripts show.

Message ids are English; ``i18n/<locale>/LC_MESSAGES/messages.po`` holds each translation.
The ``.po`` sources are read with Babel when the server starts (no compiled ``.mo`` file to
build or ship). Templates translate with ``{{ _("…") }}``; scripts get their strings, already
translated, in the page (:data:`SCRIPT_MESSAGES`). ``pybabel extract -F babel.cfg`` finds the
ids in both (see CONTRIBUTING).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

CATALOGUE_DIR = Path(__file__).parent / "i18n"
DOMAIN = "messages"


@dataclass(frozen=True)
class Language:
    """A language the pages speak."""

    code: str
    """BCP 47 tag, for ``<html lang>`` and for scripts' number and date formats."""
    locale: str
    """Babel locale of its catalogue; None-like empty string for the message ids themselves."""
    label: str
    """Its name in itself, for the language switch."""


LANGUAGES = (
    Language(code="zh-CN", locale="zh_CN", label="中文"),
    Language(code="en", locale="", label="English"),
)
DEFAULT_LANGUAGE = LANGUAGES[0]
"""Chinese first: the campaign and the public it serves are in China."""
LANGUAGE_COOKIE = "lang"


def language_for(code: str | None) -> Language | None:
    """The language with BCP 47 tag ``code`` (case-insensitive), or None."""
    if code is None:
        return None
    wanted = code.strip().lower()
    return next((lang for lang in LANGUAGES if lang.code.lower() == wanted), None)


@cache
def translations(locale: str) -> NullTranslations:
    """The catalogue of ``locale`` read from its ``.po`` source; identity for English."""
    if not locale:
        return NullTranslations()
    path = CATALOGUE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as source:
        catalogue = read_po(source, locale=locale, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention that extraction looks for
    """Mark ``message`` for extraction; it is translated where it is shown."""
    return message


SCRIPT_MESSAGES: dict[str, str] = {
    "priority.critical": N_("critical"),
    "priority.high": N_("high"),
    "priority.normal": N_("normal"),
    "priority.low": N_("low"),
    "priority.none": N_("not triaged"),
    "status.new": N_("new"),
    "status.triaged": N_("triaged"),
    "status.dispatched": N_("dispatched"),
    "status.en_route": N_("en route"),
    "status.on_scene": N_("on scene"),
    "status.resolved": N_("resolved"),
    "status.not_found": N_("not found"),
    "status.cancelled": N_("cancelled"),
    "team.off_duty": N_("off duty"),
    "team.available": N_("available"),
    "team.dispatched": N_("dispatched"),
    "team.en_route": N_("en route"),
    "team.on_scene": N_("on scene"),
    "team.transporting": N_("transporting"),
    "team.returning": N_("returning"),
    "public.received": N_("Received: the duty team is looking at it."),
    "public.help_on_the_way": N_("Help is on the way."),
    "public.helped": N_("Helped: a team reached the person."),
    "public.closed": N_("Closed: the team did not find anyone needing help, or it was cancelled."),
    "level.none": N_("No cold-weather response in force"),
    "level.active": N_("Cold-weather response level {level}"),
    "level.trigger": N_("Trigger: {trigger}"),
    "layer.boundaries": N_("Region boundaries"),
    "layer.regions": N_("Regions"),
    "layer.incidents": N_("Incidents"),
    "layer.teams": N_("Teams"),
    "layer.service_points": N_("Service points"),
    "layer.hotspots": N_("Hotspots"),
    "map.free_places": N_("{free} of {capacity} places free"),
    "map.stale": N_("{places} (figures out of date)"),
    "map.overdue": N_("visit overdue"),
    "map.due": N_("next visit by {at}"),
    "hotspot.station_square": N_("station square"),
    "hotspot.bridge_culvert": N_("bridge or culvert"),
    "hotspot.building_site": N_("building site"),
    "hotspot.urban_fringe": N_("urban fringe"),
    "hotspot.underpass": N_("underpass"),
    "hotspot.park": N_("park"),
    "hotspot.abandoned_building": N_("abandoned building"),
    "hotspot.other": N_("other place"),
    "queue.count": N_("{count} open incidents"),
    "queue.showing": N_("showing the first {shown}"),
    "queue.overdue": N_("overdue"),
    "queue.people": N_("{count} people"),
    "queue.reports": N_("{count} reports"),
    "live.connected": N_("Live"),
    "live.reconnecting": N_("Reconnecting…"),
    "rec.assign": N_("Assign"),
    "rec.eta": N_("about {minutes} min, {km} km"),
    "rec.none": N_("No team can be sent now."),
    "rec.assigned": N_("Team {team} assigned."),
    "timeline.reported": N_("first reported"),
    "timeline.team_assigned": N_("team {team} assigned by {by}"),
    "timeline.automatic": N_("automatically"),
    "person.masked": N_("(details hidden for your role)"),
    "error.load": N_("Could not load the data: {detail}"),
    "error.action": N_("Not done: {detail}"),
    "error.session": N_("Your session has ended; sign in again."),
    "field.no_assignment": N_("No current assignment. New ones appear here."),
    "field.queued": N_("Saved on this phone; {count} waiting to be sent."),
    "field.synced": N_("Everything is sent."),
    "field.offline": N_("Offline: actions are kept on this phone and sent later."),
    "field.recorded": N_("Encounter recorded."),
    "field.rejected": N_("The server refused an action: {detail}"),
    "field.checked_in": N_("Check-in recorded."),
    "field.distance": N_("{metres} m"),
    "field.revisit_due": N_("Revisit due {time}"),
    "field.navigate": N_("Navigate there"),
    "field.no_hotspots": N_("No hotspots known for your region yet."),
    "field.no_position": N_("Your position is not available: allow location to check in."),
    "report.locating": N_("Finding your location…"),
    "report.located": N_("Location set: {lat}, {lon}"),
    "report.no_location": N_("Your location is not available. Tap the map where the person is."),
    "report.need_location": N_("Set the location first: use your location or tap the map."),
    "report.sending": N_("Sending…"),
    "stats.minutes": N_("{minutes} min"),
    "stats.none": N_("no data"),
    "signin.failed": N_("Wrong user name or password, or the account is locked."),
    "units.min": N_("{minutes} min"),
    # Codes of the default triage policy (triage/default_policy.yaml): the conditions reported,
    # the measures it asks for and its rules. A policy of one's own may add codes: they show
    # as they are.
    "condition.minor": N_("Minor"),
    "condition.elderly": N_("Elderly"),
    "condition.disabled": N_("Disabled"),
    "condition.ill": N_("Ill"),
    "condition.injured": N_("Injured"),
    "condition.unresponsive": N_("Unresponsive"),
    "condition.hypothermia_signs": N_("Signs of hypothermia"),
    "condition.mental_distress": N_("Mental distress"),
    "condition.confused": N_("Disoriented"),
    "condition.intoxicated": N_("Intoxicated"),
    "condition.refuses_help": N_("Refuses help"),
    "condition.inadequate_clothing": N_("Thin or wet clothing"),
    "condition.lying_down": N_("Lying still on the ground"),
    "condition.stranded_traveller": N_("Stranded traveller"),
    "condition.family_with_children": N_("Family with children"),
    "condition.encampment": N_("Tent or shelter in a public place"),
    "measure.medical_handoff": N_("Hand over to emergency medical care"),
    "measure.police_escort": N_("Escort with police"),
    "measure.transport": N_("Transport by vehicle"),
    "measure.identify_later": N_("Help first, identify later"),
    "measure.food_and_clothing": N_("Food and clothing on site"),
    "measure.hotline_card": N_("Give a hotline card"),
    "measure.revisit": N_("Schedule a revisit"),
    "measure.outreach": N_("Outreach visit and offer of a place"),
    "rule.default_outreach": N_("No one described at risk: outreach"),
    "rule.medical_emergency": N_("Medical emergency first"),
    "rule.minor_escort": N_("Minor escorted with police"),
    "rule.disabled_escort": N_("Disabled person escorted with police"),
    "rule.vulnerable_help_first": N_("Vulnerable: help first, identify later"),
    "rule.family_with_children": N_("Family taken to a station together"),
    "rule.lying_in_cold_at_night": N_("Lying or underdressed in the cold at night"),
    "rule.severe_wind_chill": N_("Severe wind chill"),
    "rule.refuses_station": N_("Refuses a station: supplies and a revisit"),
    "rule.stranded_traveller": N_("Stranded traveller helped home"),
    "rule.encampment_outreach": N_("Encampment outreach"),
}
"""Strings the pages' scripts show, by key; translated into the page's language when the page
is rendered. ``{name}`` placeholders are filled by the script."""


def script_messages(language: Language) -> dict[str, str]:
    """:data:`SCRIPT_MESSAGES` in ``language``."""
    gettext = translations(language.locale).gettext
    return {key: gettext(text) for key, text in SCRIPT_MESSAGES.items()}
